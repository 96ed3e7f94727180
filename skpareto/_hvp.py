"""Autograd derivatives of a vector objective: Jacobian and Hessian operator."""

import autograd.numpy as anp
import numpy as np
from autograd import make_hvp, make_vjp

from ._linalg import DenseHessian, HessianOperator
from .exceptions import NonFiniteError

__all__ = ["value_and_jacobian", "hessian_operator", "check_point", "weighted_objective"]


def check_point(x, name="x"):
    """Return ``x`` as a finite 1-D float64 array, or raise ValueError naming it."""
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold real numbers, got dtype {arr.dtype}.")
    arr = arr.astype(np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    return arr


_USE_AUTOGRAD = ("Write fun with autograd.numpy, which autograd can differentiate, "
                 "instead of numpy: `import autograd.numpy as anp`, then anp.sum, anp.exp, "
                 "... and return `anp.array([f0, f1, ...])`.")


def value_and_jacobian(fun, x):
    """Objectives and their Jacobian from one forward pass.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (m,)`` written with ``autograd.numpy``.
    x : ndarray of shape (n,)
        Point.

    Returns
    -------
    values : ndarray of shape (m,)
    jac : ndarray of shape (m, n)
        Row ``i`` is the gradient of ``f_i``, from one backward pass each
        (or from ``fun.value_and_jacobian(x)`` where ``fun`` has it, as the
        estimator's networks).

    Raises
    ------
    ValueError
        If ``fun`` does not return a 1-D array of objectives. When it returns
        a list, an array of dtype object or fails on autograd's traced input
        (the signs of plain ``numpy``), the message says to use
        ``autograd.numpy``.
    NonFiniteError
        A ValueError: the objectives or gradients are NaN or infinite at ``x``.
    """
    own = getattr(fun, "value_and_jacobian", None)  # derivatives written out for fun
    if own is not None:
        values, jac = own(x)
        _check_values(values)
    else:
        values, jac = _autograd_value_and_jacobian(fun, x)
    if not np.all(np.isfinite(jac)):
        raise NonFiniteError("fun has non-finite gradients at x.")
    return values, jac


def _autograd_value_and_jacobian(fun, x):
    """:func:`value_and_jacobian` by autograd, the objectives checked before the gradients.

    Floating-point warnings are silenced: a point outside the objectives' domain (a trial
    step past a bound, ``sqrt`` of a negative) is reported as a NonFiniteError, which the
    callers handle, not as numpy's RuntimeWarning to the user.
    """
    try:
        with np.errstate(all="ignore"):
            vjp, values = make_vjp(fun)(x)
    except (TypeError, AttributeError, ValueError) as exc:
        # plain numpy meeting autograd's traced array (an ArrayBox) fails like this
        if "Box" not in str(exc):
            raise
        raise type(exc)(f"fun failed on autograd's traced input ({exc}). {_USE_AUTOGRAD}") \
            from exc
    if isinstance(values, (list, tuple)):
        raise ValueError(f"fun must return one array of objectives, got a "
                         f"{type(values).__name__}. {_USE_AUTOGRAD}")
    values = np.asarray(values)
    if values.dtype.kind not in "biuf":
        hint = f" {_USE_AUTOGRAD}" if values.dtype == object else ""
        raise ValueError(f"fun must return real objectives, got dtype {values.dtype}.{hint}")
    values = values.astype(np.float64, copy=False)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(
            f"fun must return a 1-D array of objectives, got shape {values.shape}."
        )
    _check_values(values)
    eye = np.eye(values.size)
    with np.errstate(all="ignore"):
        return values, np.stack([np.asarray(vjp(e), dtype=np.float64).reshape(-1)
                                 for e in eye])


def _check_values(values):
    if not np.all(np.isfinite(values)):
        raise NonFiniteError(f"fun returned non-finite objectives {values} at x.")


def weighted_objective(fun, weights, name="fun"):
    """The scalar ``weights @ fun(z)``, differentiable with autograd.

    Raises ValueError naming ``name`` where ``fun`` returns another number of
    objectives than ``weights`` has.
    """
    weights = anp.asarray(weights, dtype=np.float64)

    def weighted(z):
        values = fun(z)
        if anp.shape(values) != weights.shape:
            raise ValueError(f"{name} must return {weights.size} objectives (one per task), "
                             f"got shape {anp.shape(values)}.")
        return anp.dot(weights, values)

    return weighted


def hessian_operator(fun, x, weights, *, damping=0.0, dense=False, name="fun"):
    """Hessian of the weighted objective as a matrix-free operator.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (m,)`` written with ``autograd.numpy``. To use the
        paper's sample-based system, pass the same losses evaluated on a
        random subset of the training rows. If ``fun`` has an attribute
        ``weighted_hvp``, ``weighted_hvp(x, weights) -> (hvp, grad)`` gives
        the products instead of autograd, ``hvp`` taking a direction of shape
        ``(n,)`` or a block of them, ``(k, n)`` (the estimator's networks, see
        :meth:`skpareto._models.SharedTrunkNet.objective`).
    x : ndarray of shape (n,)
        Point at which the Hessian is taken; the gradient computation is
        traced once here and every matvec reuses it.
    weights : ndarray of shape (m,)
        Weights of the objectives.
    damping : float, default=0.0
        Added to the diagonal (``H + damping * I``).
    dense : bool, default=False
        Form the matrix from ``n`` products (:class:`~skpareto._linalg.DenseHessian`).
    name : str, default="fun"
        Name of ``fun`` in the error raised where it returns another number of
        objectives than ``weights`` has.

    Returns
    -------
    operator : skpareto._linalg.HessianOperator
        Symmetric float64 operator of shape (n, n). Its ``n_matvec`` attribute
        counts Hessian-vector products; ``grad`` holds the gradient of the
        weighted objective at ``x``.
    """
    own = getattr(fun, "weighted_hvp", None)  # products written out for the objective
    with np.errstate(all="ignore"):  # not finite: a NonFiniteError, as value_and_jacobian's
        hvp, grad = own(x, weights) if own is not None else \
            make_hvp(weighted_objective(fun, weights, name))(x)
    grad = np.asarray(grad, dtype=np.float64)
    if dense:  # written-out products take blocks of directions
        return DenseHessian(hvp, x.size, damping, grad, block=own is not None)
    return HessianOperator(hvp, x.size, damping, grad)
