"""Small shared helpers: result bunches and verbose output."""

import sys

__all__ = ["Result", "log"]


class Result(dict):
    """A documented bunch, like :class:`scipy.optimize.OptimizeResult`.

    Keys are also attributes.
    """

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(name) from exc

    __setattr__ = dict.__setitem__
    __delattr__ = dict.__delitem__

    def __repr__(self):
        keys = ", ".join(sorted(self))
        return f"{type(self).__name__}({keys})"

    def __dir__(self):
        return list(self.keys())

    def __getstate__(self):
        return dict(self)

    def __setstate__(self, state):
        self.update(state)


def log(verbose, level, message):
    """Print ``message`` to stderr when ``verbose >= level``."""
    if verbose >= level:
        print(f"[skpareto] {message}", file=sys.stderr, flush=True)
