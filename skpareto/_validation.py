"""Checks of scalar arguments at the public boundary, declared once.

Each checker names the argument and what is allowed, and raises
:class:`ArgumentError`, a ValueError (the library's convention for any bad
argument, type included). Modeled on
:func:`sklearn.utils.check_scalar`; the core does not import scikit-learn.
"""

import numbers

import numpy as np

__all__ = ["ArgumentError", "check_real", "check_int", "check_n_jobs", "check_choice",
           "check_bool", "check_callable", "check_bounds"]


class ArgumentError(ValueError):
    """A bad argument: a ValueError that also names the argument in ``argument``.

    Callers that report the argument in their own terms (a file's array, a
    command-line option) read the attribute, never the message.
    """

    def __init__(self, argument, message):
        super().__init__(message)
        self.argument = argument


def check_real(value, name, *, low=None, high=None, closed="neither", allow_none=False):
    """Return ``value`` as a float, or raise ValueError naming ``name``.

    ``closed`` says which of ``low`` and ``high`` are allowed:
    ``"neither"``, ``"left"``, ``"right"`` or ``"both"``.
    """
    if value is None and allow_none:
        return None
    ok = (isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
          and np.isfinite(value))
    if ok and low is not None:
        ok = value >= low if closed in ("left", "both") else value > low
    if ok and high is not None:
        ok = value <= high if closed in ("right", "both") else value < high
    if not ok:
        raise ArgumentError(name, f"{name} must be "
                            f"{_describe('a finite number', low, high, closed)}"
                            f"{' or None' if allow_none else ''}, got {value!r}.")
    return float(value)


def check_int(value, name, *, low=None, allow_none=False):
    """Return ``value`` as an int ``>= low``, or raise ValueError naming ``name``."""
    if value is None and allow_none:
        return None
    ok = isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))
    if ok and low is not None:
        ok = value >= low
    if not ok:
        bound = "an integer" if low is None else f"an integer >= {low}"
        raise ArgumentError(name, f"{name} must be {bound}"
                            f"{' or None' if allow_none else ''}, got {value!r}.")
    return int(value)


def check_n_jobs(value):
    """Return ``n_jobs`` for :class:`joblib.Parallel`: None or a non-zero int (-1: every
    core), or raise ValueError naming it (joblib's own errors came many frames deep)."""
    if value is None:
        return None
    if (not isinstance(value, numbers.Integral) or isinstance(value, (bool, np.bool_))
            or value == 0):
        raise ArgumentError("n_jobs", "n_jobs must be None or a non-zero integer (-1: every "
                                      f"core), got {value!r}.")
    return int(value)


def check_verbose(value):
    """Return ``verbose`` as an int >= 0: a bool (as scikit-learn's estimators take it)
    is 0 or 1; or raise ValueError naming it."""
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    return check_int(value, "verbose", low=0)


def check_choice(value, name, choices):
    """Return ``value`` if it is one of ``choices``, or raise ValueError naming ``name``."""
    if not isinstance(value, str) or value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ArgumentError(name, f"{name} must be one of {allowed}; got {value!r}.")
    return value


def check_bool(value, name):
    """Return ``value`` as a bool, or raise ValueError naming ``name``."""
    if not isinstance(value, (bool, np.bool_)):
        raise ArgumentError(name, f"{name} must be True or False, got {value!r}.")
    return bool(value)


def check_callable(value, name, what, allow_none=True):
    """Return ``value`` if callable (or None when allowed), else raise ValueError."""
    if value is None and allow_none:
        return None
    if not callable(value):
        raise ArgumentError(name, f"{name} must be callable ({what}), "
                            f"got {type(value).__name__}.")
    return value


def _describe(kind, low, high, closed):
    parts = []
    if low is not None:
        parts.append(f">= {low}" if closed in ("left", "both") else f"> {low}")
    if high is not None:
        parts.append(f"<= {high}" if closed in ("right", "both") else f"< {high}")
    return kind + (" " + " and ".join(parts) if parts else "")


def check_bounds(bounds, n):
    """``bounds`` as ``(lower, upper)`` arrays of shape (n,) (scalars broadcast), or None;
    ValueError naming ``bounds`` otherwise."""
    if bounds is None:
        return None
    try:
        lower, upper = bounds
        lower = np.broadcast_to(np.asarray(lower, dtype=np.float64), (n,)).copy()
        upper = np.broadcast_to(np.asarray(upper, dtype=np.float64), (n,)).copy()
    except (TypeError, ValueError) as exc:
        raise ArgumentError("bounds", f"bounds must be (lower, upper), each a number or an "
                            f"array of shape ({n},): {exc}") from None
    if np.any(np.isnan(lower)) or np.any(np.isnan(upper)) or np.any(lower >= upper):
        raise ArgumentError("bounds", "bounds must satisfy lower < upper in every coordinate "
                            "(no NaN).")
    return lower, upper
