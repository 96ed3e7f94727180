"""Small shared helpers: result bunches, status codes and verbose output."""

import enum
import sys

from ._weights import scaled_weights

__all__ = ["Progress", "Result", "Status", "log"]


class Status(enum.IntEnum):
    """Why an iterative solve stopped, as :class:`scipy.optimize.OptimizeResult` codes it.

    Control flow branches on these codes, never on the text of a message.
    """

    CONVERGED = 0
    MAX_ITER = 1  # the iteration limit was reached first
    LINE_SEARCH = 2  # no step along the search direction reduced the merit
    TRUST_REGION = 3  # the point moved farther from the prediction than allowed
    LEFT_SIMPLEX = 4  # the weights solved for left the probability simplex
    SINGULAR = 5  # the linear system is singular along the right-hand side
    NON_FINITE = 6  # the objectives or their gradients are NaN or infinite
    DIVERGED = 7  # the iterates ran away (an unbounded weighted objective)
    OUT_OF_BOUNDS = 8  # the point left the box bounds of the problem
    SADDLE = 9  # stationary, but every objective still decreases along some direction


class Result(dict):
    """A documented bunch, like :class:`scipy.optimize.OptimizeResult`.

    Keys are also attributes. Results of iterative solves carry ``status``
    (a :class:`Status`), ``success`` (``status == Status.CONVERGED``) and a
    human-readable ``message``.
    """

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(name) from exc

    __setattr__ = dict.__setitem__
    __delattr__ = dict.__delitem__

    def __repr__(self):
        if not self:
            return f"{type(self).__name__}()"
        width = max(map(len, self)) + 1
        lines = []
        for key in sorted(self):
            value = self[key]
            text = repr(value).replace("\n", "\n" + " " * (width + 2))
            if len(text) > 200:
                text = text[:197] + "..."
            lines.append(f"{key.rjust(width)}: {text}")
        return "\n".join(lines)

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


# the time left is estimated once the first weight's range is this wide
_ESTIMATE_FROM = 0.01


class Progress:
    """Progress of an exploration on stderr at ``verbose >= 1``.

    One line with the elapsed time, the number of points, the range of the
    first task's weight covered and a rough estimate of the time left (as if
    the set spanned every weight), rewritten in place on a terminal and
    printed anew otherwise. ``scales``: those of the objectives the set is
    explored in, while it is (``ParetoSet.objective_scales``); the lines show
    the weights of the objectives as given, as the set's end does.
    """

    def __init__(self, verbose, scales=None):
        import time

        self._clock = time.perf_counter
        self.verbose = verbose
        self.start = self._clock()
        self.tty = sys.stderr.isatty()
        self.shown = False
        self.scales = scales

    def _line(self, pset, done=False):
        elapsed = self._clock() - self.start
        text = f"{elapsed:6.1f} s  {pset.n_points:4d} points"
        if pset.n_points and pset.n_tasks > 2:
            # a weight's range says nothing of a simplex covered (three-label nets: "~55 s
            # left" after 154 s, then 89 s after 248 s); the grid of coverage() does
            covered = pset._grid_share(self.scales)[0]
            text += f"  {covered:.1%} of the weights covered"
        elif pset.n_points:
            w = (pset.weights if self.scales is None else
                 scaled_weights(pset.weights, self.scales, inverse=True))[:, 0]
            covered = float(w.max() - w.min())
            text += f"  weight 0 in [{w.min():.3f}, {w.max():.3f}]"
        if pset.n_points and not done:
            # from a range below a step's width the estimate is noise (days, from rounding)
            if _ESTIMATE_FROM <= covered < 1:
                text += f"  ~{elapsed * (1 - covered) / covered:.0f} s left"
        return f"[skpareto] {text}"

    def update(self, pset, note=""):
        if self.verbose < 1:
            return
        if self.tty:
            print("\r" + self._line(pset) + note, end="", file=sys.stderr, flush=True)
        else:
            print(self._line(pset) + note, file=sys.stderr, flush=True)
        self.shown = True

    def of_part(self, whole, tasks):
        """The progress of a part of ``whole`` explored as a set of its own (a face's, of
        ``tasks``, whose first task is another): its lines show the whole set and the
        part's points beside."""
        return _PartProgress(self, whole, tuple(tasks))

    def close(self, pset):
        if self.verbose < 1:
            return
        print(("\r" if self.tty else "") + self._line(pset, done=True) + "  done",
              file=sys.stderr, flush=True)


class _PartProgress:
    """:meth:`Progress.of_part`."""

    def __init__(self, progress, whole, tasks):
        self.progress, self.whole, self.tasks = progress, whole, tasks
        self.verbose = progress.verbose

    def update(self, part):
        names = ", ".join(map(str, self.tasks))
        self.progress.update(self.whole, f"  (+{part.n_points} on the face of tasks {names})")

    def of_part(self, whole, tasks):  # a face of a face (its tasks numbered in this one's)
        return _PartProgress(self.progress, self.whole, tuple(self.tasks[t] for t in tasks))
