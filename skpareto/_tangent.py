"""Tangent directions of the Pareto set, Hessian-free (stage 2 of the method)."""

import warnings

import numpy as np
from scipy.sparse.linalg import minres

from ._hvp import check_point, hessian_operator, value_and_jacobian
from ._utils import Result
from ._weights import check_weights, min_norm_weights, zero_sum_basis
from .exceptions import ConvergenceWarning

__all__ = ["tangent_directions", "solve_hessian"]


def solve_hessian(op, rhs, *, rtol, maxiter):
    """Solve ``op @ v = rhs`` with MINRES and return ``(v, relative_residual)``.

    The residual returned is the true ``||op v - rhs|| / ||rhs||``, not
    MINRES's estimate. A zero ``rhs`` gives ``v = 0`` and residual 0.

    SciPy's MINRES stops on ``||r|| <= rtol ||op|| ||v||`` or on its
    least-squares test ``||op r|| <= rtol ||op|| ||r||``. For an
    ill-conditioned ``op`` either can pass long before ``||r|| / ||rhs||``
    reaches ``rtol``, and restarting from the residual throws away the
    Krylov space built so far: on a network Hessian, restarted passes spent
    about 45 iterations where one uninterrupted run needs 8. So SciPy's tests
    are switched off (``rtol=0``) and a callback stops MINRES once the true
    residual of its iterate meets ``rtol`` (see :class:`_Monitor`; a check
    costs one matvec). A run that ends otherwise -- ``maxiter`` (the budget
    of all runs together; None: ``5 n``) or SciPy's breakdown tests -- is
    restarted on the residual equation ``op @ dv = rhs - op @ v`` with
    ``v += dv`` (iterative refinement, at most 3 restarts), which recovers
    accuracy lost to rounding.
    """
    norm = np.linalg.norm(rhs)
    if norm == 0.0:
        return np.zeros_like(rhs), 0.0
    budget = 5 * rhs.size if maxiter is None else int(maxiter)
    used = 0
    v = None  # allocated by the first run: one vector fewer alive during it
    residual_vec = rhs
    for _ in range(_MAX_RESTARTS + 1):
        monitor = _Monitor(op, residual_vec, rtol * norm)
        try:
            dv, _ = minres(op, residual_vec, rtol=0.0, maxiter=budget - used,
                           callback=monitor)
            reached = False
        except _Reached:
            dv, reached = monitor.x, True
        used += monitor.iterations
        if v is None:
            v = dv
        else:
            v += dv
        # the residual of v + dv on rhs is that of dv on residual_vec
        residual_vec = monitor.residual_vec if reached else rhs - op.matvec(v)
        residual = np.linalg.norm(residual_vec) / norm
        if residual <= rtol or used >= budget or monitor.iterations == 0:
            break
    return v, float(residual)


_MAX_RESTARTS = 3


class _Reached(Exception):
    """Raised by :class:`_Monitor` to stop MINRES at the target residual."""


class _Monitor:
    """MINRES callback checking the true residual ``||rhs - op x_k||`` at checkpoints.

    A check costs one matvec, so checks are spaced by extrapolating the rate
    at which the log-residual fell between the last two (MINRES's residual
    never grows): the next check is where that rate meets ``target``, but no
    later than twice the current iteration count and no sooner than a tenth
    of it later. On a steady run that is a handful of checks in all; a run
    that slows down is checked at least once per doubling of its length.
    Raises :class:`_Reached` once ``||rhs - op x_k|| <= target``, keeping
    ``x`` (that iterate) and ``residual_vec`` (its residual).
    """

    def __init__(self, op, rhs, target):
        self.op, self.rhs, self.target = op, rhs, target
        self.iterations = 0
        self.next_check = 2
        self.last = (0, np.log(np.linalg.norm(rhs)))  # (iteration, log residual)
        self.x = self.residual_vec = None

    def __call__(self, xk):
        self.iterations = k = self.iterations + 1
        if k < self.next_check:
            return
        residual_vec = self.rhs - self.op.matvec(xk)
        norm = np.linalg.norm(residual_vec)
        if norm <= self.target:
            self.x, self.residual_vec = xk, residual_vec
            raise _Reached
        k0, log0 = self.last
        self.last = (k, np.log(norm))
        rate = (self.last[1] - log0) / (k - k0)  # per iteration; < 0 while converging
        gap = k
        if rate < 0 and self.target > 0:  # (a zero target runs MINRES to maxiter)
            gap = min(gap, int(np.ceil((np.log(self.target) - self.last[1]) / rate)))
        self.next_check = k + max(1, k // 10, gap)


def tangent_directions(fun, x, weights=None, betas=None, *, rtol=1e-10,
                       maxiter=None, damping=0.0, hess_fun=None):
    """Directions in which the Pareto set continues from a stationary point.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (m,)`` objectives, written with ``autograd.numpy``.
    x : array-like of shape (n,)
        A Pareto-stationary point.
    weights : array-like of shape (m,), default=None
        Weights ``alpha`` with ``jac.T @ alpha = 0`` at ``x``. Default: the
        min-norm weights :func:`min_norm_weights` of the Jacobian at ``x``.
    betas : array-like of shape (k, m), default=None
        Right-hand-side combinations. Default: an orthonormal basis of the
        zero-sum subspace (m - 1 directions), which spans the tangent space.
    rtol : float, default=1e-10
        Relative tolerance of MINRES.
    maxiter : int, default=None
        Maximum MINRES iterations per direction, one Hessian-vector product
        each, plus a few to check the residual (see :func:`solve_hessian`);
        None: 5 n.
    damping : float, default=0.0
        Solve with ``H + damping * I`` instead of ``H``.
    hess_fun : callable, default=None
        Objective whose Hessian is used, if not ``fun``; for the paper's
        sample-based system pass the same losses on a random subset of rows.
        The Jacobian always comes from ``fun``.

    Returns
    -------
    result : Result
        Bunch with fields

        - ``directions`` (k, n): tangent directions ``v_j``, solving
          ``H v_j = jac.T @ beta_j``.
        - ``betas`` (k, m): the combinations used. Along ``v_j`` the weights
          change by ``-beta_j`` (first order).
        - ``weights`` (m,): the weights ``alpha`` defining ``H``.
        - ``front_directions`` (k, m): ``jac @ v_j``, the first-order change
          of the objectives.
        - ``residuals`` (k,): ``||H v_j - jac.T beta_j|| / ||jac.T beta_j||``.
        - ``objectives`` (m,), ``jac`` (m, n): objectives and Jacobian at ``x``.
        - ``n_hvp``: Hessian-vector products spent (including those that
          check MINRES's residual; see :func:`solve_hessian`).

    Raises
    ------
    ValueError
        If ``x``, ``weights`` or ``betas`` are malformed, or ``fun`` returns
        non-finite values.

    Warns
    -----
    ConvergenceWarning
        When a residual exceeds ``max(10 * rtol, 1e-12)``; the direction is
        still returned and its residual recorded.

    Notes
    -----
    Differentiating the stationarity condition ``sum_i alpha_i grad f_i = 0``
    along the set gives ``H dx = -jac.T d_alpha`` with
    ``H = sum_i alpha_i Hess f_i``. Taking ``d_alpha = -beta`` yields
    ``v = H^{-1} jac.T beta``. ``H`` is applied through autograd
    Hessian-vector products, linearized once at ``x``; no n x n matrix is
    formed. MINRES accepts indefinite ``H``.

    References
    ----------
    .. [1] Ma, Du, Matusik, "Efficient Continuous Pareto Exploration in
       Multi-Task Learning", ICML 2020, Section 4.

    Examples
    --------
    >>> import autograd.numpy as anp
    >>> from skpareto import tangent_directions
    >>> def fun(x):
    ...     return anp.array([anp.sum((x - 1.0) ** 2), anp.sum((x + 1.0) ** 2)])
    >>> res = tangent_directions(fun, anp.zeros(2))
    >>> res.directions.shape, res.weights
    ((1, 2), array([0.5, 0.5]))
    """
    x = check_point(x)
    values, jac = value_and_jacobian(fun, x)
    m = values.size
    alpha = min_norm_weights(jac) if weights is None else check_weights(weights, m)
    if betas is None:
        betas = zero_sum_basis(m)
    else:
        betas = np.asarray(betas)
        if betas.dtype.kind not in "biuf":
            raise ValueError(f"betas must hold real numbers, got dtype {betas.dtype}.")
        betas = betas.astype(np.float64)
        if betas.ndim == 1:
            betas = betas[None, :]
        if betas.ndim != 2 or betas.shape[1] != m or not np.all(np.isfinite(betas)):
            raise ValueError(
                f"betas must be a finite array of shape (k, {m}); got shape {betas.shape}."
            )
    if rtol <= 0:
        raise ValueError(f"rtol must be positive, got {rtol}.")
    if maxiter is not None and int(maxiter) < 1:
        raise ValueError(f"maxiter must be a positive integer or None, got {maxiter}.")
    if damping < 0:
        raise ValueError(f"damping must be non-negative, got {damping}.")

    op = hessian_operator(fun if hess_fun is None else hess_fun, x, alpha,
                          damping=damping)
    # stacked after the solves, so that no (k, n) block is alive during them
    solved = [solve_hessian(op, jac.T @ beta, rtol=rtol, maxiter=maxiter) for beta in betas]
    directions = np.array([v for v, _ in solved]).reshape(len(betas), x.size)
    residuals = np.array([r for _, r in solved], dtype=np.float64)
    bad = residuals > max(10.0 * rtol, 1e-12)
    if np.any(bad):
        warnings.warn(
            f"MINRES did not reach rtol={rtol:g} for {bad.sum()} of {len(bad)} "
            f"tangent directions (worst relative residual {residuals.max():.3g}); "
            "increase maxiter or damping. Residuals are kept in the result.",
            ConvergenceWarning, stacklevel=2,
        )
    return Result(directions=directions, betas=betas, weights=alpha,
                  front_directions=directions @ jac.T, residuals=residuals,
                  objectives=values, jac=jac, n_hvp=op.n_matvec)
