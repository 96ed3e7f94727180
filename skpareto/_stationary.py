"""Stage 1 and the corrector: reaching Pareto-stationary points."""

import warnings

import numpy as np
from autograd import value_and_grad
from scipy.optimize import minimize
from scipy.sparse.linalg import LinearOperator

from ._hvp import check_point, hessian_operator, value_and_jacobian, weighted_objective
from ._tangent import solve_hessian
from ._utils import Result, log
from ._weights import check_weights, min_norm_weights, zero_sum_basis
from .exceptions import ConvergenceWarning
from .metrics import stationarity_residual

__all__ = ["find_stationary", "newton_correct", "mgda_correct", "arclength_correct"]

# weights below -_SIMPLEX_SLACK reject an arclength correction; above it they are clipped
_SIMPLEX_SLACK = 1e-12
# stage-1 MGDA hands over to the Newton polish at this relative residual
_MGDA_TOL = 1e-4
# a Newton solve whose relative residual stays above this made no progress: the rest of
# the gradient lies along a (nearly) singular direction of the Hessian
_NO_PROGRESS = 0.99
# an inexact Newton step is solved just well enough to bring the residual to this
# fraction of tol: on 8 draws of the bench_explore network (step 0.025), aiming at 0.3,
# 0.5, 0.8, 0.9 and 0.95 of tol cost 272, 166, 124, 124 and 111 gradient-equivalents
# per new point (MINRES converges slowly once the residual left lies along small
# eigenvalues, so each tenth of reduction not asked for saves many iterations)
_FORCING_AIM = 0.9


def _forcing_term(residual, tol, rtol):
    """Relative MINRES tolerance of an inexact Newton step at relative residual ``residual``."""
    if residual <= 0:
        return rtol
    return max(rtol, min(0.5, np.sqrt(residual)), _FORCING_AIM * tol / residual)


def newton_correct(fun, x, weights, *, tol=1e-10, max_iter=20, rtol=1e-10,
                   maxiter=None, damping=0.0, hess_fun=None, max_step=np.inf,
                   forcing=False):
    """Newton-MINRES on the weighted objective at fixed weights.

    Finds a stationary point of ``weights @ fun`` near ``x`` (minimum or
    saddle: MINRES accepts an indefinite Hessian), with a backtracking line
    search on the norm of the weighted gradient.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (m,)`` objectives.
    x : ndarray of shape (n,)
        Starting point (the predictor).
    weights : ndarray of shape (m,)
        Fixed weights on the simplex.
    tol : float
        Stop when ``stationarity_residual(jac, weights) <= tol``.
    max_iter : int
        Maximum Newton steps.
    rtol, maxiter, damping, hess_fun
        Passed to the MINRES solve of each Newton step
        (see :func:`skpareto.tangent_directions`). With ``forcing``,
        ``rtol`` is the tightest relative tolerance any step asks for.
    max_step : float
        Give up (``success=False``) once the point moves farther than this
        from ``x``.
    forcing : bool, default=False
        Inexact Newton: solve step ``k`` only to the relative residual
        ``eta_k = max(rtol, min(0.5, sqrt(r_k)), 0.9 tol / r_k)``, where
        ``r_k`` is the current stationarity residual (a forcing sequence of
        Eisenstat-Walker type: loose far from the set, tighter as it
        converges, never tighter than bringing the residual to 0.9 ``tol``
        needs). False solves every step to ``rtol`` (the accurate
        reference).

    Returns
    -------
    result : Result
        ``x``, ``objectives``, ``jac``, ``weights``, ``residual``, ``success``,
        ``nit``, ``n_grad`` (single-objective gradients, including one per
        Hessian linearization), ``n_hvp``, ``message``.

    Notes
    -----
    The Jacobian (``m`` gradients) is evaluated at the start and only where
    the weighted gradient, measured against the last known gradient scale,
    says the point may be converged. When the Hessian comes from ``fun``
    itself, each line-search trial is a Hessian linearization, whose
    gradient the merit uses and which the next Newton step reuses. A
    solve that leaves more than 99% of the gradient unexplained (the rest of
    the gradient along a singular direction of the Hessian) ends the
    corrector with ``success=False`` at once, without a line search.
    """
    x0 = x
    weights = np.asarray(weights, dtype=float)
    shared = hess_fun is None  # trial gradients and Hessians from the same trace
    hess_source = fun if shared else hess_fun
    weighted_grad = value_and_grad(weighted_objective(fun, weights))
    values, jac = value_and_jacobian(fun, x)
    n_grad = len(values)
    n_hvp = 0
    scale = np.max(np.linalg.norm(jac, axis=1))
    residual = stationarity_residual(jac, weights)
    grad = jac.T @ weights
    op = None  # Hessian linearized at x, if a line-search trial made it already
    exact = True  # values, jac and residual belong to x
    message = "maximum number of Newton steps reached"
    success = False
    nit = 0
    for nit in range(max_iter + 1):
        if not exact and np.linalg.norm(grad) <= 2.0 * tol * scale:
            values, jac = value_and_jacobian(fun, x)  # confirm with the exact residual
            n_grad += len(values)
            scale = np.max(np.linalg.norm(jac, axis=1))
            residual, exact = stationarity_residual(jac, weights), True
        if exact and residual <= tol:
            success, message = True, "converged"
            break
        if nit == max_iter:
            break
        if op is None:
            op = hessian_operator(hess_source, x, weights, damping=damping)
            n_grad += 1
        estimate = residual if exact else np.linalg.norm(grad) / scale
        eta = _forcing_term(estimate, tol, rtol) if forcing else rtol
        step, solved = solve_hessian(op, -grad, rtol=eta, maxiter=maxiter)
        n_hvp += op.n_matvec
        if solved > _NO_PROGRESS:
            message = f"Newton system singular along the gradient (residual {solved:.2f})"
            break
        merit = np.linalg.norm(grad)
        t = 1.0
        for _ in range(30):
            trial = x + t * step
            if shared:
                op = hessian_operator(fun, trial, weights, damping=damping)
                g_trial = op.grad
            else:
                _, g_trial = weighted_grad(trial)
            n_grad += 1
            if np.all(np.isfinite(g_trial)) and np.linalg.norm(g_trial) < (1 - 1e-4 * t) * merit:
                break
            t *= 0.5
        else:
            message = "line search failed"
            break
        if not shared:
            op = None
        x, grad, exact = trial, np.asarray(g_trial, dtype=float), False
        if np.linalg.norm(x - x0) > max_step:
            message = "left the trust region (max_step)"
            break
    if not exact:
        values, jac = value_and_jacobian(fun, x)
        n_grad += len(values)
        residual = stationarity_residual(jac, weights)
        if nit == max_iter and residual <= tol:  # the last step converged
            success, message = True, "converged"
    return Result(x=x, objectives=values, jac=jac, weights=weights,
                  residual=residual, success=success, nit=nit, n_grad=n_grad,
                  n_hvp=n_hvp, message=message)


def _bordered_operator(op, border):
    """``[[op, border], [border.T, 0]]`` as a symmetric LinearOperator (matvecs of ``op`` counted)."""
    n, k = border.shape

    def matvec(v):
        v = np.asarray(v, dtype=np.float64).reshape(-1)
        top = op.matvec(v[:n]) + border @ v[n:]
        return np.concatenate([top, border.T @ v[:n]])

    return LinearOperator((n + k, n + k), matvec=matvec, rmatvec=matvec, dtype=np.float64)


def arclength_correct(fun, x, weights, *, tol=1e-10, max_iter=20, rtol=1e-10,
                      maxiter=None, damping=0.0, hess_fun=None, max_step=np.inf,
                      forcing=False):
    """Bordered (pseudo-arclength) Newton-MINRES corrector: point and weights together.

    Solves for ``x`` and the weights ``w = weights + Z mu`` (``Z`` an
    orthonormal zero-sum basis, so ``w`` stays on the plane of the simplex)

    ``F1 = jac(x).T @ w = 0`` (n equations),
    ``F2 = B.T @ (x - x_pred) = 0`` (m - 1 equations), ``B = jac(x_k).T @ Z``

    with Newton steps on the symmetric indefinite bordered system
    ``[[H_w, B], [B.T, 0]] [dx; dmu] = -[F1; F2]`` solved by MINRES with
    Hessian-vector products only (``B`` is refreshed every step). Unlike
    :func:`newton_correct`, whose weights are fixed, the system stays
    nonsingular where the weights fold along the Pareto set (``H_w``
    singular along the set), so the corrector passes folds, and it converges
    quadratically where :func:`mgda_correct` converges linearly.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (m,)`` objectives.
    x : ndarray of shape (n,)
        The predicted point ``x_pred``.
    weights : ndarray of shape (m,)
        The predicted weights, on the simplex.
    tol : float
        Stop when ``stationarity_residual(jac, w) <= tol``.
    max_iter : int
        Maximum Newton steps.
    rtol, maxiter, damping, hess_fun
        MINRES settings of each bordered solve (``damping`` and ``hess_fun``
        act on the Hessian block, see :func:`skpareto.tangent_directions`).
    max_step : float
        Give up (``success=False``) once the point moves farther than this
        from ``x``.
    forcing : bool, default=False
        Inexact Newton solves, as in :func:`newton_correct`.

    Returns
    -------
    result : Result
        Same fields as :func:`newton_correct`; ``weights`` are the solved
        weights ``w``, for which ``x`` is stationary. ``success`` is False
        (with a message) if a weight turns negative beyond rounding: the
        point then left the part of the set the simplex describes.

    Notes
    -----
    Each Newton step costs one Hessian linearization (one gradient), the
    MINRES products, and one Jacobian (``m`` gradients) per line-search trial
    (backtracking on ``||[F1; F2]||`` with ``B`` of the current step).
    """
    x_pred = x
    w_pred = np.asarray(weights, dtype=float)
    m = w_pred.size
    basis = zero_sum_basis(m).T  # (m, m - 1)
    hess_source = fun if hess_fun is None else hess_fun
    mu = np.zeros(m - 1)
    w = w_pred.copy()
    values, jac = value_and_jacobian(fun, x)
    n_grad = m
    n_hvp = 0
    residual = stationarity_residual(jac, w)
    success = False
    message = "maximum number of Newton steps reached"
    nit = 0
    for nit in range(max_iter + 1):
        if residual <= tol:
            success, message = True, "converged"
            break
        if nit == max_iter:
            break
        border = jac.T @ basis  # (n, m - 1)
        rhs = -np.concatenate([jac.T @ w, border.T @ (x - x_pred)])
        merit = np.linalg.norm(rhs)
        op = hessian_operator(hess_source, x, w, damping=damping)
        n_grad += 1
        eta = _forcing_term(residual, tol, rtol) if forcing else rtol
        step, _ = solve_hessian(_bordered_operator(op, border), rhs, rtol=eta,
                                maxiter=maxiter)
        n_hvp += op.n_matvec
        dx, dmu = step[:x.size], step[x.size:]
        t = 1.0
        for _ in range(30):
            x_trial, mu_trial = x + t * dx, mu + t * dmu
            w_trial = w_pred + basis @ mu_trial
            values_trial, jac_trial = value_and_jacobian(fun, x_trial)
            n_grad += m
            f_trial = np.concatenate([jac_trial.T @ w_trial, border.T @ (x_trial - x_pred)])
            if np.linalg.norm(f_trial) < (1 - 1e-4 * t) * merit:
                break
            t *= 0.5
        else:
            message = "line search failed"
            break
        x, mu, w, values, jac = x_trial, mu_trial, w_trial, values_trial, jac_trial
        residual = stationarity_residual(jac, w)
        if np.min(w) < -_SIMPLEX_SLACK:
            message = f"weights left the simplex (min weight {np.min(w):.2e})"
            break
        if np.linalg.norm(x - x_pred) > max_step:
            message = "left the trust region (max_step)"
            break
    if success and np.min(w) < 0:  # within rounding: clip onto the simplex
        w = np.clip(w, 0.0, None)
        w /= w.sum()
        residual = stationarity_residual(jac, w)
        success = residual <= tol
        message = "converged" if success else "clipped weights miss tol"
    return Result(x=x, objectives=values, jac=jac, weights=w, residual=residual,
                  success=success, nit=nit, n_grad=n_grad, n_hvp=n_hvp, message=message)


def mgda_correct(fun, x, weights=None, *, tol=1e-10, max_iter=1000, max_step=np.inf):
    """Multiple-gradient descent: steps along ``-jac.T @ alpha`` with min-norm ``alpha``.

    Every step decreases all objectives (Armijo test on each), so the point
    moves towards the Pareto set without fixing the weights.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (m,)`` objectives.
    x : ndarray of shape (n,)
        Starting point.
    weights : ignored
        Accepted for a signature common with :func:`newton_correct`; MGDA
        chooses its own weights.
    tol : float
        Stop when the min-norm stationarity residual is ``<= tol``.
    max_iter : int
        Maximum steps.
    max_step : float
        Give up once the point moves farther than this from ``x``.

    Returns
    -------
    result : Result
        Same fields as :func:`newton_correct`; ``weights`` are the min-norm
        weights at the final point.
    """
    x0 = x
    n_grad = 0
    lr = 1.0
    success = False
    message = "maximum number of MGDA steps reached"
    nit = 0
    for nit in range(max_iter + 1):
        values, jac = value_and_jacobian(fun, x)
        n_grad += len(values)
        alpha = min_norm_weights(jac)
        residual = stationarity_residual(jac, alpha)
        if residual <= tol:
            success, message = True, "converged"
            break
        if nit == max_iter:
            break
        d = jac.T @ alpha
        dd = d @ d
        lr *= 2.0
        for _ in range(60):
            trial = x - lr * d
            trial_values = np.asarray(fun(trial), dtype=float)
            n_grad += 1  # a forward pass, counted as one gradient-equivalent
            if np.all(trial_values <= values - 1e-4 * lr * dd):
                break
            lr *= 0.5
        else:
            message = "line search failed"
            break
        x = trial
        if np.linalg.norm(x - x0) > max_step:
            message = "left the trust region (max_step)"
            break
    return Result(x=x, objectives=values, jac=jac, weights=alpha, residual=residual,
                  success=success, nit=nit, n_grad=n_grad, n_hvp=0, message=message)


def _weighted_lbfgs(fun, x0, weights, jac0, tol, max_iter):
    """L-BFGS on ``weights @ fun`` until the relative stationarity residual is ``<= tol``.

    The residual's scale (the largest task gradient norm) is known only where the
    Jacobian is evaluated: the weighted gradient norm is compared with ``tol`` times
    the last known scale, and only then is the Jacobian evaluated to confirm.
    Returns ``(x, nit, n_grad)``.
    """
    objective = value_and_grad(weighted_objective(fun, weights))
    state = dict(n_grad=0, nit=0, grad_norm=np.inf,
                 scale=np.max(np.linalg.norm(jac0, axis=1)))

    def value_grad(z):
        state["n_grad"] += 1
        f, g = objective(z)
        g = np.asarray(g, dtype=float)
        state["grad_norm"] = np.linalg.norm(g)
        return float(f), g

    def callback(intermediate_result):
        state["nit"] += 1
        if state["grad_norm"] > tol * state["scale"]:
            return
        _, jac = value_and_jacobian(fun, intermediate_result.x)
        state["n_grad"] += len(jac)
        state["scale"] = np.max(np.linalg.norm(jac, axis=1))
        if stationarity_residual(jac, weights) <= tol:
            raise StopIteration

    opt = minimize(value_grad, x0, jac=True, method="L-BFGS-B", callback=callback,
                   options=dict(maxiter=max_iter, gtol=0.0, ftol=0.0, maxcor=20))
    return opt.x, state["nit"], state["n_grad"]


def find_stationary(fun, x0, weights=None, *, method="lbfgs", tol=1e-10, max_iter=1000,
                    rtol=1e-10, maxiter=None, damping=0.0, hess_fun=None, verbose=0):
    """Stage 1: reach a Pareto-stationary point from ``x0``.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (m,)`` objectives written with ``autograd.numpy``.
    x0 : array-like of shape (n,)
        Starting point.
    weights : array-like of shape (m,), default=None
        Trade-off for ``method="lbfgs"`` (default uniform). Ignored by MGDA,
        which finds its own weights.
    method : {"lbfgs", "mgda"}, default="lbfgs"
        ``"lbfgs"`` minimizes ``weights @ fun`` with SciPy's L-BFGS-B and
        autograd gradients, until the residual reaches ``tol``; ``"mgda"``
        takes multiple-gradient descent steps, which also reach points of
        concave fronts that no weighted sum minimizes. Both finish with
        Newton-MINRES at the final weights, to reach ``tol`` (MGDA hands over
        at a residual of ``max(tol, 1e-4)``: it converges linearly, Newton
        quadratically).
    tol : float, default=1e-10
        Target relative stationarity residual.
    max_iter : int, default=1000
        Maximum L-BFGS iterations or MGDA steps.
    rtol, maxiter, damping, hess_fun
        MINRES settings of the final Newton polish.
    verbose : int, default=0
        Print progress to stderr when positive.

    Returns
    -------
    result : Result
        ``x``, ``objectives``, ``jac``, ``weights`` (the weights ``x`` is
        stationary for), ``residual``, ``success``, ``nit``, ``n_grad``,
        ``n_hvp``, ``message``.

    Warns
    -----
    ConvergenceWarning
        If the residual stays above ``tol``; the point reached is returned.
    """
    x0 = check_point(x0, "x0")
    if method not in ("lbfgs", "mgda"):
        raise ValueError(f"method must be 'lbfgs' or 'mgda', got {method!r}.")
    if tol <= 0:
        raise ValueError(f"tol must be positive, got {tol}.")
    values, jac0 = value_and_jacobian(fun, x0)
    m = values.size
    if method == "lbfgs":
        w = np.full(m, 1.0 / m) if weights is None else check_weights(weights, m)
        x, nit, spent = _weighted_lbfgs(fun, x0, w, jac0, tol, max_iter)
    else:
        # MGDA converges linearly; stop it early and let Newton converge quadratically
        start = mgda_correct(fun, x0, tol=max(tol, _MGDA_TOL), max_iter=max_iter)
        x, w, nit, spent = start.x, start.weights, start.nit, start.n_grad
    spent += m  # the Jacobian at x0 that checked it is finite
    log(verbose, 1, f"stage 1 ({method}): {nit} iterations, {spent} gradients")
    polish = newton_correct(fun, x, w, tol=tol, rtol=rtol, maxiter=maxiter,
                            damping=damping, hess_fun=hess_fun)
    if not polish.success:
        warnings.warn(
            f"stage 1 did not reach tol={tol:g}: relative stationarity residual "
            f"{polish.residual:.3g} ({polish.message}).", ConvergenceWarning, stacklevel=2)
    log(verbose, 1, f"stage 1 polish: residual {polish.residual:.2e} after "
                    f"{polish.nit} Newton steps, {polish.n_hvp} HVPs")
    polish.update(nit=nit + polish.nit, n_grad=spent + polish.n_grad)
    return polish
