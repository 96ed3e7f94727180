"""Reaching Pareto-stationary points: stage 1, the correctors, and re-solves.

Every routine here returns a :class:`~skpareto._utils.Result` with an integer
``status`` (:class:`~skpareto._utils.Status`), ``success``, ``message``, the
point ``x``, its ``objectives``, ``jac`` and ``weights``, the relative
stationarity ``residual`` and the work done (``nit``, ``n_grad``, ``n_hvp``).

The correctors share one protocol,
``corrector(fun, x, weights, target, *, tol, options, hess_fun, max_step)``:
from a predicted point and weights, reach a point stationary to ``tol`` for
weights of its own. ``target`` is the position along the set the predictor
aimed at, in the front coordinates of :func:`front_coordinates`.
"""

import warnings
from collections import namedtuple

import autograd.numpy as anp
import numpy as np
from autograd import make_hvp, value_and_grad
from scipy.optimize import minimize
from scipy.sparse.linalg import ArpackError, ArpackNoConvergence, LinearOperator, eigsh

from ._hvp import check_point, hessian_operator, value_and_jacobian, weighted_objective
from ._linalg import DenseHessian, bordered_operator, solve
from ._options import SolverOptions
from ._utils import Result, Status, log
from ._validation import check_bounds, check_real
from ._weights import (check_weights, gradient_scale, min_norm_weights, onto_plane, onto_simplex,
                       residual_scale, safe_norm, zero_sum_basis)
from .exceptions import ConvergenceWarning, NonFiniteError
from .metrics import _unchecked_residual


__all__ = ["find_stationary", "newton_correct", "arclength_correct", "mgda_descent",
           "resolve", "front_coordinates", "CORRECTORS"]

# weights below -_SIMPLEX_SLACK leave the simplex; above it they are clipped onto it
_SIMPLEX_SLACK = 1e-10
# stage-1 MGDA hands over to the Newton polish at this relative residual: it
# converges linearly, Newton quadratically
_MGDA_TOL = 1e-3
# a Newton solve whose relative residual stays above this made no progress: the rest of
# the gradient lies along a (nearly) singular direction of the Hessian
_NO_PROGRESS = 0.99
# an inexact Newton step is solved just well enough to bring the residual to this
# fraction of tol (each further factor of reduction costs many MINRES iterations once
# the residual left lies along small eigenvalues)
_FORCING_AIM = 0.9
# stage-1 L-BFGS has run away (an unbounded weighted sum) once it is this many times
# farther from x0 than x0 from the origin (plus one)
_RUNAWAY = 100.0
# the Newton polish of stage 1 and of a re-solve may take this many steps
_POLISH_STEPS = 30
# every task gradient below this fraction of its own at the start: a critical point of
# every objective (stationary for any weights)
_CRITICAL = 1e-8
# a Hessian is positive definite where its least eigenvalue is above this fraction of its
# largest (see minimum_of_every)
_DEFINITE = 1e-6
# a task whose Hessian at a critical point of every objective is only semidefinite is
# minimized alone from this far (relative to the point's scale) for at most this many
# iterations: a minimum unless it meets a value lower by more than this fraction of what the
# move away raised it (see minimum_of_every)
_PROBE = 0.1
_PROBE_ITER = 200
_PROBE_DROP = 1e-6
# a task minimized alone in a box takes a first step of at most this share of each width
# (see _first_step_scale)
_BOX_FIRST_STEP = 0.1
# L-BFGS-B in a box starts again from where it stopped short, with a fresh memory, while a
# run lowers the weighted sum, at most this often (see _minimize)
_BOX_RESTARTS = 10
# MGDA in a box steps at most this share of the way to the nearest bound it heads for
_TO_BOUNDARY = 0.5
# a task gradient this many times the largest at the start: stage 1 reached a kink
_KINK = 1e8
# gradients spanning fewer than m - 1 directions, relative to the largest singular value:
# a front of fewer dimensions, where the second-order test of a saddle does not apply
_DEGENERATE_RANK = 1e-6
# negative curvature on the gradients' null space below this fraction of the weighted
# Hessian's largest is rounding, not a saddle (see _descent_curvature)
_NEGLIGIBLE = 1e-4
# a corrector's Newton steps after the first must shrink the residual by this factor
_CONTRACTION = 0.5
# a corrector keeps its Hessian matrix for the next step (a chord step) only where the
# step before shrank the residual by this factor or more
_CHORD = 0.25
# a trust-region step whose model fails is re-solved with a smaller radius this often
_TRUST_TRIES = 6
# stage 1's line searches step back from this many non-finite trial points in a row
_NON_FINITE_TRIALS = 30
# stage 1 at a saddle starts again beside it (at most _ESCAPES times), from a step of
# _ESCAPE_STEP (1 + |x|) along the negative curvature, halved until the weighted sum is lower
_ESCAPES = 3
_ESCAPE_STEP = 1e-2
_ESCAPE_TRIES = 30
_ESCAPE_TOL = 1e-6


def _vanished(jac, norms):
    """Whether every task's gradient (a row of ``jac``) is below ``_CRITICAL`` times its
    norm in ``norms`` (at the start): each against its own, as a task of gradients 1e12 times
    smaller than another's at the start is no critical point where it is 1e-8 of the
    other's there (two spheres on scales 1e6 and 1e-6: the larger's minimum was taken for
    a minimum of both, and a set of one point for every weight)."""
    return bool(np.all(safe_norm(np.asarray(jac, dtype=np.float64), axis=1) <= _CRITICAL * norms))


def critical_residual(jac, weights, scale):
    """The stationarity residual of a critical point of every objective: ``||J^T w||``
    against ``scale``, the largest task gradient at the start (the relative residual,
    against the vanishing gradients themselves, says nothing there)."""
    norm = safe_norm(np.asarray(jac, dtype=np.float64).T @ weights)
    return float(norm / scale) if norm > 0 else 0.0  # (a start at the critical point: 0 / 0)


def scaled_residual(jac, weights, scales=None):
    """The relative stationarity residual, each task measured against its own scale too
    where ``scales`` has them (see :func:`skpareto._weights.residual_scale`); the metric's
    where ``scales`` is None."""
    if scales is None:
        return _unchecked_residual(jac, weights)
    norm = safe_norm(np.asarray(jac, dtype=np.float64).T @ weights)
    return float(norm / residual_scale(jac, weights, scales)) if norm > 0 else 0.0


def point_residual(jac, weights, scales=None, critical_scale=None):
    """The residual a point is held to: :func:`critical_residual` against
    ``critical_scale`` at a critical point of every objective (stage 1's
    ``critical_scale``), else :func:`scaled_residual`."""
    if critical_scale is None:
        return scaled_residual(jac, weights, scales)
    return critical_residual(jac, weights, critical_scale)


def front_coordinates(values):
    """Position along the Pareto front: the zero-sum projection ``Z.T @ f`` (m - 1,).

    On a Pareto front two different points never differ by a multiple of
    ``(1, ..., 1)`` (one would dominate the other), so these coordinates
    determine the point of the front: they parameterize the set even where
    its weights fold.
    """
    values = np.asarray(values, dtype=np.float64)
    return zero_sum_basis(values.shape[-1]) @ values if values.ndim == 1 else \
        values @ zero_sum_basis(values.shape[-1]).T


def _forcing_term(residual, tol, rtol):
    """Relative tolerance of an inexact Newton solve at relative residual ``residual``."""
    if residual <= 0:
        return rtol
    return max(rtol, min(0.5, np.sqrt(residual)), _FORCING_AIM * tol / residual)


def _backtrack(merit, trial):
    """Backtracking: the first ``t = 1, 1/2, ...`` with ``trial(t)[0] < (1 - 1e-4 t) merit``.

    ``trial(t) -> (merit, payload)``; returns ``(t, payload)``, or ``(None, None)``
    after 30 halvings.
    """
    t = 1.0
    for _ in range(30):
        with np.errstate(all="ignore"):  # a trial past the domain's edge: not finite, shorter
            value, payload = trial(t)
        if np.isfinite(value) and value < (1.0 - 1e-4 * t) * merit:
            return t, payload
        t *= 0.5
    return None, None


def _hessian(fun, x, weights, options, hess_fun):
    """The weighted Hessian at ``x`` (dense or matrix-free, as ``options`` say)."""
    source = fun if hess_fun is None else hess_fun
    return hessian_operator(source, x, weights, damping=options.damping,
                            dense=options.dense_for(x.size, source),
                            name=_hessian_name(options, hess_fun is None))


def _hessian_name(options, own):
    """What the errors call the objective whose Hessian is taken (see hessian_operator)."""
    if own:
        return "fun"
    return "hess_fun" if options.hess_sampler is None else "hess_sampler's objective"


def _gradient(fun, weights, own):
    """``z -> gradient of weights @ fun`` at ``z``: with ``own``, from ``fun``'s written-out
    products where it has them (the gradient its Hessian operator holds, to the last bit)."""
    if own and hasattr(fun, "weighted_hvp"):
        return lambda z: np.asarray(fun.weighted_hvp(z, weights)[1], dtype=np.float64)
    value_grad = value_and_grad(weighted_objective(fun, weights))
    return lambda z: value_grad(z)[1]


def _result(status, x, values, jac, weights, residual, nit, n_grad, n_hvp, message=None):
    status = Status(status)
    return Result(x=x, objectives=values, jac=jac, weights=weights, residual=float(residual),
                  status=status, success=status == Status.CONVERGED,
                  message=message or status.name.lower().replace("_", " "),
                  nit=int(nit), n_grad=int(n_grad), n_hvp=int(n_hvp))


def newton_correct(fun, x, weights, target=None, *, tol=1e-10, options=None, hess_fun=None,
                   max_step=np.inf, max_iter=None, confine=False, scales=None):
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
    target : ignored
        The corrector protocol's position along the set; fixed weights
        determine the point.
    tol : float
        Stop when ``scaled_residual(jac, weights, scales) <= tol``.
    options : SolverOptions, default=None
        Linear solves (``minres_rtol``, ``minres_maxiter``, ``damping``,
        ``hessian``) and with ``inexact`` a forcing sequence: step ``k`` is
        solved to the relative residual
        ``max(minres_rtol, min(0.5, sqrt(r_k)), 0.9 tol / r_k)``.
    hess_fun : callable, default=None
        Objective of the Hessian, if not ``fun``.
    max_step : float
        Give up once the point moves farther than this from ``x``.
    max_iter : int, default=None
        Newton steps; default ``options.newton_steps``.
    confine : bool, default=False
        Keep the point within ``max_step`` of ``x`` instead: a step that
        would leave is truncated to it (for a dense Hessian, the step of least
        linearized residual that stays; see :func:`skpareto._linalg.solve`).
        Where the Hessian has nearly flat directions, the Newton step runs far
        along them; confined, it reaches the stationary point nearest ``x``.
    scales : ndarray of shape (m,), default=None
        Each task's own gradient scale (see
        :func:`skpareto._weights.residual_scale`) that the residual measures it
        against as well; None: the largest gradient only.

    Returns
    -------
    result : Result
        See the module docstring.

    Notes
    -----
    When the Hessian comes from ``fun`` itself, each line-search trial is a
    Hessian linearization, whose gradient the merit uses and which the next
    Newton step reuses; the Jacobian (``m`` gradients) is evaluated only
    where the weighted gradient says the point may have converged.
    """
    options = options or SolverOptions()
    max_iter = options.newton_steps if max_iter is None else max_iter
    x0 = x
    weights = np.asarray(weights, dtype=float)
    # a trial's gradient and the Hessian there from the same trace; not where the Hessian is
    # formed as a matrix (n products): there only the accepted point's is formed, at the next
    # step (and none after the last: an end point of DTLZ2 formed one matrix fewer)
    shared = hess_fun is None and not options.dense_for(x.size, fun)
    weighted_grad = _gradient(fun, weights, own=hess_fun is None)
    values, jac = value_and_jacobian(fun, x)
    n_grad, n_hvp = len(values), 0
    scale = residual_scale(jac, weights, scales)
    residual = scaled_residual(jac, weights, scales)
    grad = jac.T @ weights
    op = None  # Hessian linearized at x, if a line-search trial made it already
    exact = True  # values, jac and residual belong to x
    status = Status.MAX_ITER
    nit = 0
    for nit in range(max_iter + 1):
        if not exact and np.linalg.norm(grad) <= 2.0 * tol * scale:
            values, jac = value_and_jacobian(fun, x)  # confirm with the exact residual
            n_grad += len(values)
            scale = residual_scale(jac, weights, scales)
            residual, exact = scaled_residual(jac, weights, scales), True
        if exact and residual <= tol:
            status = Status.CONVERGED
            break
        if nit == max_iter:
            break
        if op is None:
            op = _hessian(fun, x, weights, options, hess_fun)
            n_grad += 1
        estimate = residual if exact else np.linalg.norm(grad) / scale
        eta = (_forcing_term(estimate, tol, options.minres_rtol) if options.inexact
               else options.minres_rtol)
        radius = max_step - np.linalg.norm(x - x0) if confine else np.inf
        step, solved = solve(op, -grad, rtol=eta, maxiter=options.minres_maxiter,
                             radius=radius)
        n_hvp += op.n_matvec
        if solved > _NO_PROGRESS and not np.isfinite(radius):
            status = Status.SINGULAR
            break

        def trial(t):
            z = x + t * step
            if shared:
                trial_op = _hessian(fun, z, weights, options, None)
                g = trial_op.grad
            else:
                trial_op, g = None, weighted_grad(z)
            return np.linalg.norm(g), (z, np.asarray(g, dtype=float), trial_op)

        merit, count = np.linalg.norm(grad), [0]

        def counted(t):
            count[0] += 1
            return trial(t)

        t, payload = _backtrack(merit, counted)
        n_grad += count[0]
        if t is None:
            status = Status.LINE_SEARCH
            break
        x, grad, op = payload
        exact = False
        if not confine and np.linalg.norm(x - x0) > max_step:
            status = Status.TRUST_REGION
            break
    if not exact:
        values, jac = value_and_jacobian(fun, x)
        n_grad += len(values)
        residual = scaled_residual(jac, weights, scales)
        if status == Status.MAX_ITER and residual <= tol:  # the last step converged
            status = Status.CONVERGED
    return _result(status, x, values, jac, weights, residual, nit, n_grad, n_hvp)


def arclength_correct(fun, x, weights, target=None, *, tol=1e-10, options=None,
                      hess_fun=None, max_step=np.inf, max_iter=None, contract=True,
                      basis=None, scales=None):
    """Bordered Newton-MINRES: the point and its weights together, at a position of the front.

    Solves for ``x`` and weights ``w = weights + Z mu`` (``Z`` an orthonormal
    zero-sum basis, so ``w`` stays on the plane of the simplex)

    ``F1 = jac(x).T @ w = 0`` (n equations: ``x`` is stationary for ``w``),
    ``F2 = Z.T @ f(x) - target = 0`` (m - 1 equations: the position along the front)

    by Newton steps on the symmetric indefinite bordered system
    ``[[H_w, B], [B.T, 0]] [dx; dmu] = -[F1; F2]`` with ``B = jac.T @ Z``,
    solved by MINRES with Hessian-vector products only (or directly with a
    dense Hessian). These are the optimality conditions of ``min w.f(x)``
    subject to ``Z.T f(x) = target``, whose multiplier is ``mu``.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (m,)`` objectives.
    x : ndarray of shape (n,)
        The predicted point.
    weights : ndarray of shape (m,)
        The predicted weights, on the simplex.
    target : ndarray of shape (r,), default=None
        Front coordinates ``basis.T @ f`` to reach; default those of ``f(x)``
        (the point moves across the set, not along it).
    tol : float
        Stop when ``scaled_residual(jac, w, scales) <= tol``.
    options : SolverOptions, default=None
        Linear solves and forcing sequence, as in :func:`newton_correct`.
    hess_fun : callable, default=None
        Objective of the Hessian block, if not ``fun``.
    max_step : float
        Give up once the point moves farther than this from ``x``.
    max_iter : int, default=None
        Newton steps; default ``options.newton_steps``.
    contract : bool, default=True
        Give up (``MAX_ITER``) once a Newton step after the first fails to
        halve the residual: from a good prediction Newton converges fast, and
        a corrector that does not is cheaper to retry with a shorter step.
    basis : ndarray of shape (m, r), default=None
        Orthonormal zero-sum columns ``Z``, the directions of ``w - weights``
        and of the front coordinates; default all ``m - 1``
        (:func:`front_coordinates`). Fewer where the front has fewer
        dimensions than ``m - 1``: there ``B`` with all of them is singular.
    scales : ndarray of shape (m,), default=None
        As in :func:`newton_correct`.

    Returns
    -------
    result : Result
        ``weights`` are the solved weights ``w``. ``status`` is
        ``LEFT_SIMPLEX`` when the point converged but a weight is negative
        beyond rounding: the set ends before ``target``. ``n_chord``: how
        many of the ``nit`` steps were chord steps (see Notes).

    Notes
    -----
    The position along the set is fixed by the front, not by the weights, so
    the system stays nonsingular where the weights fold along the set
    (``H_w`` singular along the set; :func:`newton_correct` fails there) and
    on degenerate sets whose weights do not change at all. On a Pareto
    front the front coordinates are monotone, so the system is singular
    only where a local branch of stationary points ends (its front turns
    back, a cusp).

    Where the Hessian is a matrix formed from ``n`` autograd products (small
    ``n``, where forming it is the costliest part of a step), a step keeps the matrix of
    the step before (a chord step: the Jacobian, the border and the
    right-hand side are new) where that step shrank the residual fourfold or
    more and, at its rate, chord steps reach ``tol`` for fewer
    gradient-equivalents than forming the matrix anew. Chord steps do not
    count in ``max_iter``; one whose model fails is taken again with the
    matrix formed at the point. The point is stationary to ``tol`` either
    way.
    """
    options = options or SolverOptions()
    max_iter = options.newton_steps if max_iter is None else max_iter
    x_pred = x
    w = np.asarray(weights, dtype=float).copy()
    m = w.size
    basis = zero_sum_basis(m).T if basis is None else basis  # (m, r)
    values, jac = value_and_jacobian(fun, x)
    n_grad, n_hvp = m, 0
    target = basis.T @ values if target is None else np.asarray(target, dtype=float)
    residual = scaled_residual(jac, w, scales)
    status = Status.MAX_ITER
    nit = 0
    previous = np.inf
    region = np.inf  # trust-region radius, adapted from how well the model predicted
    op = None
    chord = False  # the last step kept the Hessian of the step before
    chords = 0  # chord steps taken; they do not count in max_iter
    while True:
        if residual <= tol:
            status = Status.CONVERGED
            break
        if nit - chords == max_iter or (contract and nit - chords >= 2 and not chord
                                        and residual > _CONTRACTION * previous):
            break
        # a matrix of n autograd products costs 2 n + 1 gradient-equivalents, and a chord
        # step one Jacobian (m): keep it while chord steps, at the rate of the last step,
        # reach tol for less. Not where it was formed in blocks of written-out products
        # (the estimator's networks): it costs about three Jacobians a block there
        # (measured: 3.1 for 31 parameters, 8.8 for 59), too little for a chord's linear
        # convergence to pay
        rate = residual / previous
        chord = (isinstance(op, DenseHessian) and not op.blocked and chords < max_iter
                 and rate <= _CHORD and tol > 0
                 and np.log(tol / residual) / np.log(rate) <= 1.0 + (2.0 * x.size + 1.0) / m)
        if not chord:
            op = _hessian(fun, x, w, options, hess_fun)
            n_grad += 1
            n_hvp += op.n_matvec
        border = jac.T @ basis  # (n, m - 1)
        rhs = -np.concatenate([jac.T @ w, basis.T @ values - target])
        eta = (_forcing_term(residual, tol, options.minres_rtol) if options.inexact
               else options.minres_rtol)
        before = op.n_matvec
        step = _trust_step(fun, bordered_operator(op, border), rhs, x, w, basis, target,
                           eta, options, min(region, max_step - np.linalg.norm(x - x_pred)),
                           tries=1 if chord else _TRUST_TRIES)
        n_hvp += op.n_matvec - before
        n_grad += m * step.evaluations
        if step.status != Status.CONVERGED:
            if chord:  # the kept Hessian no longer models the step: form it here
                op, previous = None, residual
                continue
            status = step.status
            break
        nit += 1
        chords += chord
        previous = residual
        x, w, values, jac = step.point
        region = step.region
        residual = scaled_residual(jac, w, scales)
        if np.linalg.norm(x - x_pred) > max_step:
            status = Status.TRUST_REGION
            break
    if status == Status.CONVERGED and np.min(w) < 0:
        if np.min(w) < -_SIMPLEX_SLACK:
            status = Status.LEFT_SIMPLEX
        else:  # within rounding: onto the simplex
            w = onto_simplex(w)
            residual = scaled_residual(jac, w, scales)
            status = Status.CONVERGED if residual <= tol else Status.MAX_ITER
    res = _result(status, x, values, jac, w, residual, nit, n_grad, n_hvp)
    res.n_chord = int(chords)
    return res


def _trust_step(fun, system, rhs, x, w, basis, target, eta, options, radius,
                tries=_TRUST_TRIES):
    """One trust-region Newton step on the bordered system, re-solved until the model holds.

    The step solves ``system @ d = rhs`` (to ``eta``) within ``radius`` (its
    ``x`` part). It is taken if the merit ``||F||`` falls by at least a tenth
    of what the linear model predicts; otherwise the radius shrinks to a
    quarter of the step and the same linearization is solved again. A step
    whose model predicted well and that reached the radius doubles it. Near
    a singular system the full Newton step is long and mostly along the
    small eigenvalues, where the model does not hold; the trust region
    keeps the step to the part that does.

    Returns a Result with ``status``, ``point`` ``(x, w, values, jac)``,
    ``region`` (the radius for the next step) and ``evaluations`` (Jacobians).
    """
    n = x.size
    merit = np.linalg.norm(rhs)
    evaluations = 0
    for _ in range(tries):
        step, solved = solve(system, rhs, rtol=eta, maxiter=options.minres_maxiter,
                             radius=radius, head=n)
        length = np.linalg.norm(step[:n])
        truncated = length >= (1.0 - 1e-9) * radius
        if solved > _NO_PROGRESS and not truncated:
            return Result(status=Status.SINGULAR, evaluations=evaluations)
        z, wz = x + step[:n], onto_plane(w + basis @ step[n:])
        evaluations += 1
        try:
            vz, jz = value_and_jacobian(fun, z)
            trial = np.linalg.norm(np.concatenate([jz.T @ wz, basis.T @ vz - target]))
        except NonFiniteError:
            trial = np.inf
        predicted = merit ** 2 * (1.0 - min(solved, 1.0) ** 2)
        ratio = (merit ** 2 - trial ** 2) / predicted if predicted > 0 else -np.inf
        if np.isfinite(trial) and ratio >= 0.1:
            region = 2.0 * length if ratio > 0.75 and truncated else (
                0.5 * length if ratio < 0.25 else max(length, radius if np.isfinite(radius)
                                                      else length))
            return Result(status=Status.CONVERGED, point=(z, wz, vz, jz), region=region,
                          evaluations=evaluations)
        radius = 0.25 * length
    return Result(status=Status.LINE_SEARCH, evaluations=evaluations)


CORRECTORS = {"arclength": arclength_correct, "newton": newton_correct}


def mgda_descent(fun, x, *, tol=1e-10, max_iter=1000, max_step=np.inf, bounds=None):
    """Multiple-gradient descent: steps along ``-jac.T @ alpha`` with min-norm ``alpha``.

    Every step decreases all objectives (an Armijo test on each), so the
    point moves towards the Pareto set without fixing the weights, and
    cannot run away where a weighted sum is unbounded but the set is not.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (m,)`` objectives.
    x : ndarray of shape (n,)
        Starting point.
    tol : float
        Stop when the min-norm stationarity residual is ``<= tol``.
    max_iter : int
        Maximum steps.
    max_step : float
        Give up once the point moves farther than this from ``x``.
    bounds : tuple of ndarray, default=None
        ``(lower, upper)``: trial points are projected onto this box.

    Returns
    -------
    result : Result
        ``weights`` are the min-norm weights at the final point. ``status`` is
        ``NON_FINITE`` where a step reached a point whose objectives or
        gradients are not finite (a kink such as sqrt at 0): the result is the
        point before it.

    Raises
    ------
    NonFiniteError
        The objectives or gradients are not finite at ``x``.
    """
    x0 = x_last = x
    radius = _RUNAWAY * (1.0 + np.linalg.norm(x0))
    n_grad = m = 0
    lr = 1.0
    status = Status.MAX_ITER
    nit = 0
    for nit in range(max_iter + 1):
        try:
            point = value_and_jacobian(fun, x)
        except NonFiniteError:
            if not nit:
                raise
            # a step reached a kink (|x|, sqrt at 0) or an objective of -inf: it passed the
            # descent test, its Jacobian is not finite; the descent ends at the point before
            status, x, nit = Status.NON_FINITE, x_last, nit - 1
            n_grad += m  # the passes of the Jacobian that failed
            break
        values, jac = point
        m = len(values)
        n_grad += m
        if np.linalg.norm(x - x0) > radius:
            status = Status.DIVERGED
            break
        alpha = min_norm_weights(jac)
        residual = _unchecked_residual(jac, alpha)
        if residual <= tol:
            status = Status.CONVERGED
            break
        if nit == max_iter:
            break
        d = jac.T @ alpha
        room = np.inf
        if bounds is not None:
            d, room = _within(x, d, bounds)
            if not nit:  # the first trial a tenth of the box, as L-BFGS-B's
                lr = 0.5 * _first_step_scale(bounds[1] - bounds[0], d)
        dd = d @ d
        # pinned at a bound (every coordinate held: d = 0, with no bound ahead, room = inf)
        if dd == 0.0 or room * np.sqrt(dd) <= 1e-12 * (1.0 + np.linalg.norm(x)):
            status = Status.LINE_SEARCH
            break
        lr *= 2.0
        for _ in range(60):
            lr = min(lr, room)
            trial = x - lr * d
            trial_values = np.asarray(fun(trial), dtype=float)
            n_grad += 1  # a forward pass, counted as one gradient-equivalent
            if np.all(trial_values <= values - 1e-4 * lr * dd):
                break
            lr *= 0.5
        else:
            status = Status.LINE_SEARCH
            break
        if np.linalg.norm(trial - x0) > max_step:  # the result stays the point evaluated
            status = Status.TRUST_REGION
            break
        x_last, x = x, trial
    return _result(status, x, values, jac, alpha, residual, nit, n_grad, 0)


def _within(x, d, bounds):
    """MGDA's direction ``d`` (the step is ``-lr d``) in the box: without the coordinates
    held at a bound it would cross, and the longest ``lr`` that keeps the step
    ``_TO_BOUNDARY`` of the way to the nearest bound it heads for.

    Clipped onto the box instead, a step from near a bound stopped on it (a random start
    of DTLZ2, 0.05 from x_1 = 1, where f_0 vanishes), the decrease the line search asked
    for counted the held coordinate's share of ``d``, and the descent ended there.
    """
    lower, upper = bounds
    d = np.where(((x <= lower) & (d > 0)) | ((x >= upper) & (d < 0)), 0.0, d)
    with np.errstate(divide="ignore", invalid="ignore"):
        room = np.where(d > 0, (x - lower) / d, np.where(d < 0, (x - upper) / d, np.inf))
    return d, _TO_BOUNDARY * float(np.min(room, initial=np.inf))


Scalar = namedtuple("Scalar", "function of_values rho basis")
Scalar.__doc__ = """A scalarization of the objectives: ``function`` (autograd),
``of_values(f) -> (value, weights)``: its value and the weights for which a stationary
point of it is Pareto-stationary, from the objectives' values ``f``; and its penalty
``rho / 2 |basis.T f - target|^2`` (``rho = 0``: none), whose Hessian adds
``rho J.T basis basis.T J`` to that of the weighted sum at those weights."""


def _weighted(fun, weights):
    """The weighted sum ``w.f``."""
    return Scalar(weighted_objective(fun, weights), lambda values: (weights @ values, weights),
                  0.0, None)


def _penalized(fun, weights, target, rho):
    """``w.f + rho/2 |Z.T f - target|^2``.

    A stationary point of this penalized sum is Pareto-stationary for the
    effective weights ``w + rho Z (Z.T f - target)``, which sum to one: the
    penalty moves the point along the front towards ``target`` (reaching
    concave parts too, where a weighted sum alone has no minimum).
    """
    basis = zero_sum_basis(len(weights)).T

    def function(z):
        gap = anp.dot(basis.T, fun(z)) - target
        return weighted_objective(fun, weights)(z) + 0.5 * rho * anp.dot(gap, gap)

    def of_values(values):
        gap = basis.T @ values - target
        return weights @ values + 0.5 * rho * (gap @ gap), weights + rho * (basis @ gap)

    return Scalar(function, of_values, rho, basis)


def _own_products(fun, scalar, z):
    """Products with the Hessian of ``scalar`` at ``z`` from ``fun``'s written-out
    derivatives (``value_and_jacobian`` and ``weighted_hvp``)."""
    values, jac = fun.value_and_jacobian(z)
    hvp, _ = fun.weighted_hvp(z, scalar.of_values(values)[1])
    if not scalar.rho:
        return hvp
    border = jac.T @ scalar.basis
    return lambda p: hvp(p) + scalar.rho * (border @ (border.T @ p))


def _stepped_back(state, value, grad):
    """``(value, grad)`` for L-BFGS, a trial point where they are not finite made one that
    steps back.

    A trial point past a kink or a bound of the domain gets a value above the
    last finite point's, rising along the step, so the line search steps back
    (L-BFGS-B's first step from a ZDT3-like set's point landed on the bound
    where sqrt's gradient is infinite, and stage 1 stopped there; and a task
    minimized alone from the start stopped at once, as if no better point
    were near). ``state`` holds the last finite ``value`` and ``grad`` and the
    count of ``non_finite`` trials in a row; past ``_NON_FINITE_TRIALS`` (no
    finite point further on) or before any finite one, NonFiniteError.
    """
    if not (np.isfinite(value) and np.all(np.isfinite(grad))):
        state["non_finite"] += 1
        if "value" not in state or state["non_finite"] > _NON_FINITE_TRIALS:
            raise NonFiniteError("the scalarization is not finite")
        return state["value"] + 1e3 * (1.0 + abs(state["value"])), -state["grad"]
    state["non_finite"] = 0
    state["value"], state["grad"] = float(value), grad
    return float(value), grad


def _scalar_value_grad(fun, scalar):
    """``z -> (value, gradient)`` of the scalarization: from ``fun``'s written-out Jacobian
    where it has one (m backward passes written out, cheaper than autograd's one on small
    nets; see :mod:`skpareto._hvp`), else by autograd."""
    if getattr(fun, "value_and_jacobian", None) is None:
        return value_and_grad(scalar.function)

    def value_grad(z):
        values, jac = fun.value_and_jacobian(z)
        value, weights = scalar.of_values(values)
        return value, jac.T @ weights

    return value_grad


def _minimize(fun, x0, scalar, tol, max_iter, norms, bounds=None):
    """Minimize a scalarization until ``fun`` is stationary to ``tol`` for its weights.

    L-BFGS first (cheap iterations, fast early progress); if it has not
    reached ``tol`` in ``max_iter`` iterations, trust-region Newton-CG on
    Hessian-vector products takes over (:func:`scipy.optimize.minimize`,
    ``method="trust-ncg"``), whose local convergence does not slow down on
    the ill-conditioned Hessians of weakly regularized networks. The
    residual's scale (the largest task gradient norm) is known only where
    the Jacobian is evaluated: the gradient norm is compared with ``tol``
    times the last known scale, and only then is the Jacobian evaluated to
    confirm. Stops with ``Status.DIVERGED`` once the iterate runs away from
    ``x0`` (an unbounded scalarization), and converged where every gradient
    has all but vanished against its norm in ``norms`` (each task's at
    ``x0``: a critical point of every objective, where the relative residual
    is undefined; see :func:`find_stationary`). With ``bounds`` (a list of
    ``(low, high)`` pairs) only L-BFGS-B runs, within the box. Returns ``(x,
    status, nit, n_grad, n_hvp)``.
    """
    scale = np.max(norms)
    radius = _RUNAWAY * (1.0 + np.linalg.norm(x0))
    written = getattr(fun, "value_and_jacobian", None) is not None  # see _hvp
    own = getattr(fun, "weighted_hvp", None) if written else None
    vg = _scalar_value_grad(fun, scalar)
    widths = None if bounds is None else np.array([high - low for low, high in bounds])
    state = dict(n_grad=0, n_hvp=0, nit=0, grad_norm=np.inf, scale=scale,
                 status=Status.MAX_ITER, at=None, hvp=None, non_finite=0)

    def value_grad(z):
        state["n_grad"] += 1
        with np.errstate(all="ignore"):  # (reported as the error below)
            value, grad = vg(z)
        value, grad = _stepped_back(state, value, np.asarray(grad, dtype=float))
        if not state["non_finite"]:
            state["grad_norm"] = np.linalg.norm(grad)  # unscaled: the stop compares it
        state["last"] = np.array(z)
        if state.get("first") is None:  # (a run's start: see the restarts below)
            state["first"] = float(value)
        return _first_step_scaled(state, widths, float(value), grad)

    def hessp(z, p):
        if state["at"] is None or not np.array_equal(z, state["at"]):
            # linearized once per point
            state["hvp"] = (_own_products(fun, scalar, z) if own is not None
                            else make_hvp(scalar.function)(z)[0])
            state["at"] = np.array(z)
            state["n_grad"] += 1
        state["n_hvp"] += 1
        product = np.asarray(state["hvp"](p), dtype=float)
        if not np.all(np.isfinite(product)):
            raise NonFiniteError("a Hessian-vector product is not finite")
        return product

    def callback(z, *args):
        z = getattr(z, "x", z)  # L-BFGS-B passes an OptimizeResult
        state["nit"] += 1
        if np.linalg.norm(z - x0) > radius:
            state["status"] = Status.DIVERGED
            raise StopIteration
        if state["grad_norm"] > tol * state["scale"]:
            return
        values, jac = value_and_jacobian(fun, z)
        state["n_grad"] += len(jac)
        state["scale"] = gradient_scale(jac)
        if (_unchecked_residual(jac, scalar.of_values(values)[1]) <= tol
                or _vanished(jac, norms)):
            state["status"] = Status.CONVERGED
            raise StopIteration

    x = x0
    stages = (("L-BFGS-B", None),) if bounds is not None else (
        ("L-BFGS-B", None), ("trust-ncg", hessp))
    for method, hess in stages:
        options = dict(gtol=0.0, ftol=0.0, maxcor=20) if hess is None else dict(gtol=1e-300)
        # in a box, where only L-BFGS-B runs, a run that stopped short starts again from its
        # end: ZDT1 (300 variables) at weights (0.75, 0.25) stopped at x_0 = 2.9e-6 beside
        # sqrt's infinite slope at 0, its memory spoilt there (the minimum: 1/36), and stage 1
        # and the search for the set's face of the box failed
        restarts = _BOX_RESTARTS if bounds is not None else 0
        begun = state["nit"]
        while True:
            state["first"] = state["factor"] = None
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # scipy's "gtol too small"
                try:
                    opt = minimize(value_grad, x, jac=True, hessp=hess, method=method,
                                   callback=callback,
                                   options=dict(options,
                                                maxiter=max_iter - (state["nit"] - begun)),
                                   bounds=bounds if hess is None else None)
                except NonFiniteError:  # a kink (|x|, a root at 0) or an overflow: no point
                    state["status"] = Status.NON_FINITE
                    return (state.get("last", x0), state["status"], state["nit"],
                            state["n_grad"], state["n_hvp"])
            x = opt.x
            lowered = opt.fun / state["factor"] < state["first"]
            if (state["status"] in (Status.CONVERGED, Status.DIVERGED) or restarts == 0
                    or state["nit"] - begun >= max_iter or not lowered):
                break
            restarts -= 1
        if state["status"] in (Status.CONVERGED, Status.DIVERGED):
            break
        # scipy's code 2 (both methods): no step along the search direction reduced the
        # objective, before the iteration limit, which the log called "max iter"
        state["status"] = Status.LINE_SEARCH if opt.status == 2 else Status.MAX_ITER
    return x, state["status"], state["nit"], state["n_grad"], state["n_hvp"]


def _beside_saddle(fun, x, weights, direction, bounds=None):
    """A point beside the saddle ``x``, along ``direction`` (of negative curvature of
    ``weights @ f``) either way, where the weighted sum is lower: the longest of steps
    ``_ESCAPE_STEP (1 + |x|)`` halved up to ``_ESCAPE_TRIES`` times (within ``bounds``).
    Returns ``(point or None, forward passes spent)``."""
    with np.errstate(all="ignore"):
        here = float(weights @ np.asarray(fun(x), dtype=float))
    length, spent = _ESCAPE_STEP * (1.0 + np.linalg.norm(x)), 0
    for _ in range(_ESCAPE_TRIES):
        for sign in (1.0, -1.0):
            z = x + sign * length * direction
            if bounds is not None:
                z = np.clip(z, *bounds)
            with np.errstate(all="ignore"):
                value = float(weights @ np.asarray(fun(z), dtype=float))
            spent += 1
            if value < here:  # (NaN is not)
                return z, spent
        length *= 0.5
    return None, spent


def _strictly_inside(x, bounds):
    """Whether ``x`` lies inside the box and off its faces (by more than rounding)."""
    at_lower, at_upper = at_bounds(x, bounds)
    return not (at_lower.any() or at_upper.any())


def at_bounds(x, bounds):
    """``(at_lower, at_upper)``: which coordinates of ``x`` lie on (within 1e-9, relative) or
    beyond their lower and upper bound."""
    lower, upper = bounds
    with np.errstate(invalid="ignore"):
        low = np.where(np.isfinite(lower), lower + 1e-9 * (1.0 + np.abs(lower)), lower)
        high = np.where(np.isfinite(upper), upper - 1e-9 * (1.0 + np.abs(upper)), upper)
    return ~(x > low), ~(x < high)


def _descent_curvature(fun, x, weights, jac, options):
    """Least curvature of ``weights @ f`` along directions that leave every ``f_i`` unchanged.

    Along ``d`` with ``jac @ d = 0`` every objective changes by
    ``d.H_i.d / 2`` to second order, and at a Pareto-stationary point
    ``sum_i w_i d.H_i.d = d.H_w.d``: if that is negative for some ``d``,
    a second-order correction ``t^2 e`` with ``jac @ e`` spreading the
    decrease over the objectives makes every objective fall, and the point is
    not a local Pareto optimum. Returns ``(curvature, n_hvp, direction)``: the smallest
    eigenvalue of ``H_w`` on the null space of ``jac`` if it is clearly
    negative: below ``-1e-3`` times the largest there, below
    ``-_NEGLIGIBLE`` times the largest of ``H_w`` itself, and not the
    cancellation of much larger curvatures of the tasks (below); else 0;
    ``direction``: its eigenvector (unit length), None where it is 0.

    The correction needs ``jac`` to reach every change of the objectives
    that ``weights`` allow (rank ``m - 1``). Where the gradients span fewer
    directions (a front of fewer dimensions, as DTLZ5's curve) nothing is
    concluded. Where they nearly do, a stationary point reached to a
    relative residual of ``tol`` still sits off such a set along directions
    in which the weighted sum is all but flat: the null space's curvature
    there is rounding, tiny against ``H_w``'s, and the correction it calls
    for would be far beyond second order. So it is where the tasks'
    curvatures ``d.H_i.d`` along the eigenvector ``d`` are far larger than
    their weighted sum and of both signs, and the gradients span the
    directions the correction needs only weakly: the correction must undo
    each task's change through the gradients' smallest singular value (of
    the ``m - 1``), ``|e| ~ max_i |d.H_i.d| / sigma``. A saddle counts where
    ``|curvature| / max_i |d.H_i.d|`` times ``sigma / sigma_1`` is at least
    ``_NEGLIGIBLE`` (DTLZ5 without its box, from x0 = 0.29: -1.5e-4 against
    task curvatures 17 and -14, sigma / sigma_1 = 9e-4).
    """
    n, m = x.size, jac.shape[0]
    # orthonormal basis of the span of the gradients (rank-revealing: at a stationary
    # point they are linearly dependent, and span m - 1 directions; the m-th singular
    # value is the residual's, 2e-8 of the largest at a point 1e-9 off a saddle, whose
    # direction of descent it took out of the null space: a set of dominated points)
    u, sv, _ = np.linalg.svd(jac.T, full_matrices=False)
    top = sv[0] if sv.size and sv[0] > 0 else 1.0
    if np.sum(sv > _DEGENERATE_RANK * top) < m - 1:
        return 0.0, 0, None
    q = u[:, :m - 1]
    if q.shape[1] >= n:
        return 0.0, 0, None
    op = hessian_operator(fun, x, weights, dense=options.dense_for(n, fun))
    low, high, d = _curvatures(op, n, q)
    if not low < -1e-3 * high:
        return 0.0, op.n_matvec, None
    _, largest, _ = _curvatures(op, n, np.zeros((n, 0)))  # of H_w, only where it is needed
    spent = op.n_matvec
    if not low < -_NEGLIGIBLE * largest:
        return 0.0, spent, None
    tasks = []
    for task in range(m):  # each task's curvature along d: one product each
        task_op = hessian_operator(fun, x, np.eye(m)[task])
        tasks.append(float(d @ task_op.matvec(d)))
        spent += task_op.n_matvec
    spread = max(np.max(np.abs(tasks)), abs(low))
    reach = sv[m - 2] / top if m > 1 else 1.0
    if abs(low) / spread * reach < _NEGLIGIBLE:
        return 0.0, spent, None
    return float(low), spent, d


def _curvatures(op, n, q):
    """The least eigenvalue of the Hessian ``op`` on the orthogonal complement of the
    columns of ``q`` (orthonormal, possibly none), the largest in magnitude, and the
    least's eigenvector (unit length)."""
    if isinstance(op, DenseHessian):
        p = np.eye(n) - q @ q.T
        values, vectors = np.linalg.eigh(p @ op.matrix @ p)
        return values[0], np.max(np.abs(values)), vectors[:, 0]

    def project(v):
        v = np.asarray(v, dtype=float).reshape(-1)
        return v - q @ (q.T @ v)

    projected = LinearOperator((n, n), matvec=lambda v: project(op.matvec(project(v))),
                               dtype=np.float64)
    low, vector = _extreme_eigenvalue(projected, "SA", n)
    return low, abs(_extreme_eigenvalue(projected, "LM", n)[0]), vector


def minimum_of_every(fun, x, m, options):
    """Whether ``x`` is a minimum of every objective: each task's Hessian is positive
    definite (its least eigenvalue above ``_DEFINITE`` times its largest), or only
    semidefinite and the task minimized alone from a point near ``x`` comes back no
    lower. Returns ``(minimum, n_grad, n_hvp)``.

    At a critical point of every objective that holds, no point nearby is
    better in any objective: the local Pareto set is ``x`` alone, for every
    weight. A Hessian only semidefinite leaves room for a curve of the set
    to leave ``x`` (ZDT2's front, inside its domain, starts at a point where
    every gradient vanishes and the second objective falls at fourth order),
    and also holds where a task does not depend on some parameters (f1 =
    (x0 - 1)^2 and f2 = (x1 + 1)^2 share their minimum, and neither Hessian
    is definite: the set was that one point at its own weights, and every
    other weight raised). So such a task is minimized alone (L-BFGS) from
    ``x`` moved by ``_PROBE`` of its scale along a fixed direction: it is a
    minimum there unless that meets a value lower than at ``x`` by more than
    ``_PROBE_DROP`` of what the move raised it, or one not finite.
    """
    n, spent, grads = x.size, 0, 0
    for task in range(m):
        op = hessian_operator(fun, x, np.eye(m)[task], dense=options.dense_for(n, fun))
        low, high, _ = _curvatures(op, n, np.zeros((n, 0)))
        spent += op.n_matvec
        if low > _DEFINITE * high:
            continue
        if low < -_DEFINITE * high:
            return False, grads, spent
        lower, used = _lower_nearby(fun, x, task)
        grads += used
        if lower:
            return False, grads, spent
    return True, grads, spent


def _lower_nearby(fun, x, task):
    """Whether task ``task`` minimized alone from near ``x`` reaches a value lower than at
    ``x`` (see :func:`minimum_of_every`); and the gradients spent."""
    direction = np.random.default_rng(0).standard_normal(x.size)
    start = x + _PROBE * (1.0 + np.abs(x).max()) * direction / np.linalg.norm(direction)
    with np.errstate(all="ignore"):
        here = float(fun(x)[task])
    reached, seen, n_grad = minimize_task(fun, start, task, _PROBE_ITER)
    # (not finite or running away: out of the domain, or unbounded below; no minimum known
    # either way). Lower by a fraction of what the move away raised it: where everything is
    # flat, a drop of 1e-9 is a slope all the same (softplus far out, falling forever)
    rise = max(seen[0] - here, 0.0) if len(seen) else 0.0
    return bool(reached is None or not np.all(np.isfinite(seen))
                or seen.min() < here - _PROBE_DROP * rise), n_grad


def minimize_task(fun, x, task, max_iter, bounds=None, free=None):
    """Task ``task`` of ``fun`` minimized alone by L-BFGS-B from ``x`` (within ``bounds``,
    ``(lower, upper)`` arrays of shape (n,), if given, its first step at most a tenth of each
    width: see :func:`_first_step_scale`), for at most ``max_iter`` iterations;
    with ``free`` (indices), over those parameters only, the rest held at ``x``'s. A
    ``task`` of shape (m,) holds weights: their weighted sum of the objectives is minimized.

    Returns ``(reached, seen, n_grad)``: the point of the lowest value met
    (None where the run went farther from ``x`` than stage 1's runaway
    radius: the task alone has no minimum there), every finite value met on
    the way in order (the line search steps back from the others, as stage
    1's), and the gradients spent
    (``m`` per evaluation where ``fun`` writes out its Jacobian, one
    otherwise).
    """
    m = len(np.atleast_1d(fun(x)))
    weights = np.eye(m)[task] if np.ndim(task) == 0 else np.asarray(task, dtype=float)
    value_grad = _scalar_value_grad(fun, _weighted(fun, weights))  # as stage 1's
    per = m if getattr(fun, "value_and_jacobian", None) is not None else 1
    free = np.arange(x.size) if free is None else np.asarray(free)
    seen, lowest = [], [np.inf, x]
    radius = _RUNAWAY * (1.0 + np.linalg.norm(x))
    state = dict(non_finite=0, calls=0)
    widths = None if bounds is None else (bounds[1] - bounds[0])[free]

    def tracked(sub):
        z = x.copy()
        z[free] = sub
        if np.linalg.norm(z - x) > radius:
            lowest[1] = None
            raise NonFiniteError("the task alone runs away")
        state["calls"] += 1
        with np.errstate(all="ignore"):
            value, grad = value_grad(z)
        value, grad = _stepped_back(state, value, np.asarray(grad, dtype=np.float64)[free])
        if not state["non_finite"]:
            seen.append(value)
            if value < lowest[0] and lowest[1] is not None:
                lowest[:] = [value, z]
        return _first_step_scaled(state, widths, value, grad)

    box = None if bounds is None else list(zip(bounds[0][free], bounds[1][free]))
    try:
        minimize(tracked, x[free], jac=True, method="L-BFGS-B", bounds=box,
                 options=dict(maxiter=max_iter, gtol=1e-12, ftol=1e-15))
    except NonFiniteError:
        pass
    return lowest[1], np.array(seen), per * state["calls"]


def _first_step_scale(widths, grad):
    """A factor on a task minimized in a box so that L-BFGS-B's first step, the gradient
    itself projected onto the box, moves each coordinate at most ``_BOX_FIRST_STEP`` of its
    width (at most 1: the objective is never scaled up).

    Scaled alone, the first step crosses the box wherever the gradient is larger
    than the box: on MOP6 (``[0, 1]^2``, gradients of 10 to 13 at every spread
    start) every run of task 1 went to a corner at once, none into the four local
    minima along ``y = 0`` that end the pieces of its front, and the exploration
    missed two of them. Later steps are L-BFGS's own, whose curvature pairs do
    not depend on the factor.
    """
    if widths is None or not np.all(np.isfinite(grad)):
        return 1.0
    some = np.isfinite(widths) & (widths > 0) & (grad != 0)
    if not some.any():
        return 1.0
    return min(1.0, _BOX_FIRST_STEP * float(np.min(widths[some] / np.abs(grad[some]))))


def _first_step_scaled(state, widths, value, grad):
    """``(value, grad)`` of an L-BFGS-B run in a box of ``widths`` times the factor of
    :func:`_first_step_scale` at its first gradient (kept in ``state["factor"]``)."""
    if state.get("factor") is None:
        state["factor"] = _first_step_scale(widths, grad)
    return state["factor"] * value, state["factor"] * grad


def _extreme_eigenvalue(op, which, n):
    """One extreme eigenvalue and its eigenvector by Lanczos (ARPACK), to a loose tolerance
    and a small budget (a zero vector where none converged), from a fixed start: ARPACK's
    own is random, and the eigenvector is the direction stage 1 leaves a saddle by, so a
    one-task log-loss fit with ``random_state=0`` reached another model each run."""
    start = np.random.default_rng(0).standard_normal(n)
    try:
        values, vectors = eigsh(op, k=1, which=which, tol=1e-2, ncv=min(n, 20), maxiter=10,
                                v0=start)
    except ArpackNoConvergence as exc:
        values, vectors = exc.eigenvalues, exc.eigenvectors
        if not len(values):
            return 0.0, np.zeros(n)
    except ArpackError:
        # "starting vector is zero": op maps ARPACK's random start to zero, a Hessian that
        # underflowed (a plateau of exp(-700)); its ArpackError reached the user
        return 0.0, np.zeros(n)
    vector = vectors[:, 0]
    return float(values[0]), vector / (np.linalg.norm(vector) or 1.0)


def _stage_one_polish(fun, x, weights, method, tol, options, hess_fun, scales=None):
    """Finish stage 1 at ``tol``: at the weights asked for if possible, else moving them.

    After L-BFGS the point is nearly stationary for the weights it minimized:
    Newton at those fixed weights keeps them. Where that fails (a Hessian
    singular along the set: a degenerate set; or MGDA's own weights), the
    bordered corrector moves the weights along with the point.
    """
    values, jac = value_and_jacobian(fun, x)
    residual = scaled_residual(jac, weights, scales)
    if residual <= tol:
        return _result(Status.CONVERGED, x, values, jac, weights, residual, 0, len(values), 0)
    spent = Result(n_grad=len(values), n_hvp=0, nit=0)
    if method == "lbfgs":
        fixed = newton_correct(fun, x, weights, tol=tol, options=options, hess_fun=hess_fun,
                               max_iter=max(_POLISH_STEPS, options.newton_steps),
                               scales=scales)
        if fixed.success:
            fixed.update(n_grad=fixed.n_grad + spent.n_grad)
            return fixed
        spent = fixed
    res = _polish(fun, x, weights, tol=tol, options=options, hess_fun=hess_fun, scales=scales)
    if not res.success and method == "mgda":
        # the bordered system is singular where the front has fewer dimensions than
        # m - 1 (the gradients span fewer than m - 1 directions); Newton at MGDA's own
        # weights needs no front coordinates
        fixed = newton_correct(fun, x, weights, tol=tol, options=options, hess_fun=hess_fun,
                               max_iter=max(_POLISH_STEPS, options.newton_steps),
                               scales=scales)
        fixed.update(nit=fixed.nit + res.nit, n_grad=fixed.n_grad + res.n_grad,
                     n_hvp=fixed.n_hvp + res.n_hvp)
        res = fixed if fixed.success or fixed.residual < res.residual else res
    res.update(nit=res.nit + spent.nit, n_grad=res.n_grad + spent.n_grad,
               n_hvp=res.n_hvp + spent.n_hvp)
    return res


def _polish(fun, x, weights, *, tol, options, hess_fun, target=None, scales=None):
    """The bordered Newton corrector from a nearly stationary point, with a generous budget."""
    return arclength_correct(fun, x, weights, target, tol=tol, options=options,
                             hess_fun=hess_fun, max_iter=max(_POLISH_STEPS, options.newton_steps),
                             contract=False, scales=scales)


def resolve(fun, x, weights, target, *, tol, options, hess_fun=None, rho=None, scales=None):
    """Re-solve: reach the set near front coordinates ``target`` from a point off it.

    Minimizes the penalized sum of :func:`_penalized` with L-BFGS from ``x``
    (up to ``options.max_iter`` iterations), then polishes with the bordered
    Newton corrector at the front coordinates reached. This is how the
    continuation jumps over the end of a local branch of the set (where the
    front turns back and the Newton corrector's system is singular) onto the
    branch that continues the front, and how it retrains a point where no
    prediction converges.

    Parameters
    ----------
    fun : callable
    x : ndarray of shape (n,)
        Warm start.
    weights : ndarray of shape (m,)
        Weights of the sum; the penalty adjusts them.
    target : ndarray of shape (m - 1,)
        Front coordinates to reach.
    tol : float
    options : SolverOptions
    hess_fun : callable, default=None
    rho : float, default=None
        Penalty; default such that a miss of ``|target - Z.T f(x)|`` moves
        the weights by 0.5.
    scales : ndarray of shape (m,), default=None
        Of the polish's residual, as in :func:`newton_correct`.

    Returns
    -------
    result : Result
    """
    values, jac = value_and_jacobian(fun, x)
    basis = zero_sum_basis(len(values)).T
    gap = np.linalg.norm(basis.T @ values - target)
    rho = 0.5 / max(gap, 1e-12) if rho is None else rho
    scalar = _penalized(fun, weights, target, rho)
    z, status, nit, n_grad, n_hvp = _minimize(fun, x, scalar, tol, options.max_iter,
                                              safe_norm(jac, axis=1))
    n_grad += len(values)
    if status == Status.DIVERGED:
        return _result(status, z, None, None, weights, np.inf, nit, n_grad, n_hvp)
    res = _polish(fun, z, scalar.of_values(np.asarray(fun(z), dtype=float))[1], tol=tol,
                  options=options, hess_fun=hess_fun, scales=scales)
    res.update(nit=res.nit + nit, n_grad=res.n_grad + n_grad + 1, n_hvp=res.n_hvp + n_hvp)
    return res


def find_stationary(fun, x0, weights=None, *, tol=1e-8, options=None, bounds=None, verbose=0,
                    scales=None):
    """Stage 1: reach a Pareto-stationary point from ``x0``.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (m,)`` objectives written with ``autograd.numpy``.
    x0 : array-like of shape (n,)
        Starting point.
    weights : array-like of shape (m,), default=None
        Trade-off of the weighted sum that L-BFGS minimizes (default
        uniform). MGDA finds weights of its own.
    tol : float, default=1e-8
        Target relative stationarity residual.
    options : SolverOptions, default=None
        ``method`` (``"auto"``, ``"lbfgs"`` or ``"mgda"``), ``max_iter`` and
        the settings of the Newton polish.
    bounds : tuple, default=None
        ``(lower, upper)``, numbers or arrays of shape (n,): L-BFGS keeps to the
        box, and a point outside it is not accepted.
    verbose : int, default=0
        Print progress to stderr when positive.
    scales : ndarray of shape (m,), default=None
        Each task's own gradient scale that the polish's residual measures it
        against as well (see :func:`skpareto._weights.residual_scale`); None:
        the relative residual of :func:`skpareto.metrics.stationarity_residual`.

    Returns
    -------
    result : Result
        ``x``, ``objectives``, ``jac``, ``weights`` (the weights ``x`` is
        stationary for), ``residual``, ``status``, ``success``, ``message``,
        ``method`` (the method that produced the point), ``nit``,
        ``n_grad``, ``n_hvp``, ``start_norms`` (each task's gradient norm at
        ``x0``).

    Warns
    -----
    ConvergenceWarning
        If the residual stays above ``tol``; the point reached is returned
        with ``success=False``.

    Notes
    -----
    L-BFGS on a weighted sum is the cheapest way to a stationary point of a
    network (trust-region Newton-CG takes over if L-BFGS has not converged in
    ``max_iter`` iterations), but a weighted sum may have no minimum (it is
    unbounded below, or the front is concave where it would be): L-BFGS then
    runs away or stalls, or stops at a stationary point from which every
    objective still decreases along some direction (a first-order Pareto
    point that is not a local Pareto optimum; checked here with a few
    Lanczos iterations on the weighted Hessian in the null space of the
    Jacobian). MGDA decreases every objective at every step and so stays where
    the Pareto set is. ``"auto"`` tries L-BFGS first and restarts from
    ``x0`` with MGDA if L-BFGS runs away or its polish fails. Where no method
    succeeds and one stopped at such a saddle, L-BFGS at its weights starts
    again beside it, along the direction of negative curvature where the
    weighted sum is lower (at most three times). In a box, the first steps of
    L-BFGS-B and MGDA move each coordinate at most a tenth of its width, and
    MGDA steps at most half the way to the nearest bound it heads for. Every method
    finishes with the bordered Newton corrector of
    :func:`arclength_correct` at the front position reached, which converges
    quadratically also where the weighted Hessian is singular along the set
    (degenerate sets) and moves the weights as needed. A point where every
    gradient vanishes is stationary for any weights: it is kept where it is
    a minimum of every objective (to second order: the local set is that
    point, for every weight), and otherwise only if no method reaches a
    point where the gradients oppose. Approached, not hit, such a minimum
    leaves gradients of no direction of their own (a network fitting
    constant targets: 1e-19 of the start's, their relative residual 0.27);
    where every task's gradient is below ``1e-8`` of its own at ``x0``, the
    residual is measured against the largest there (``critical_scale`` in
    the result).
    """
    x0 = check_point(x0, "x0")
    options = SolverOptions() if options is None else options
    if not isinstance(options, SolverOptions):
        raise ValueError(f"options must be a SolverOptions, got {type(options).__name__}.")
    check_real(tol, "tol", low=0.0, high=1.0)
    bounds = check_bounds(bounds, x0.size)
    values, jac0 = value_and_jacobian(fun, x0)
    m = values.size
    w = np.full(m, 1.0 / m) if weights is None else check_weights(weights, m)
    hess_fun = options.hess_fun
    norms0 = safe_norm(jac0, axis=1)  # each task's gradient at x0
    scale = np.max(norms0)
    methods = {"auto": ("lbfgs", "mgda"), "lbfgs": ("lbfgs",), "mgda": ("mgda",)}
    box = None if bounds is None else list(zip(*bounds))
    spent = m  # the Jacobian at x0 that checked it is finite
    spent_hvp = 0
    nit = 0
    res = fallback = saddle = first_saddle = None
    attempts = [(method, x0, w, tol) for method in methods[options.method]]
    escapes = 0
    while attempts:
        method, start_x, start_w, descent_tol = attempts.pop(0)
        if method == "lbfgs":
            x, status, k, used, hvps = _minimize(fun, start_x, _weighted(fun, start_w),
                                                 descent_tol, options.max_iter, norms0, box)
            spent_hvp += hvps
        else:
            start = mgda_descent(fun, x0, tol=max(tol, _MGDA_TOL),
                                 max_iter=options.max_iter, bounds=bounds)
            x, status, k, used, start_w = start.x, start.status, start.nit, start.n_grad, \
                start.weights
        nit, spent = nit + k, spent + used
        log(verbose, 1, f"stage 1 ({method}): {k} iterations, {used} gradients, "
                        f"{Status(status).name.lower().replace('_', ' ')}")
        if status == Status.DIVERGED:
            res = _result(status, x, None, None, start_w, np.inf, 0, 0, 0,
                          f"{method} ran away from x0 (|x - x0| = "
                          f"{np.linalg.norm(x - x0):.3g}): the weighted sum is unbounded")
            res.update(method=method)
            continue
        if status == Status.NON_FINITE:  # descent reached a kink (|x|, sqrt at 0): no point
            if res is None:  # a result of a method before says more
                objectives, jac, residual = ((start.objectives, start.jac, start.residual)
                                             if method == "mgda" else (None, None, np.inf))
                res = _result(status, x, objectives, jac, start_w, residual, 0, 0, 0,
                              f"{method} reached a point where the objectives or gradients "
                              f"are not finite")
                res.update(method=method)
            continue
        try:
            res = _stage_one_polish(fun, x, start_w, method, tol, options, hess_fun, scales)
        except NonFiniteError as exc:
            res = _result(Status.NON_FINITE, x, None, None, start_w, np.inf, 0, 0, 0, str(exc))
            res.update(method=method)
            continue
        res.update(method=method)
        log(verbose, 1, f"stage 1 polish: residual {res.residual:.2e} after {res.nit} "
                        f"Newton steps, {res.n_hvp} HVPs ({res.message})")
        if res.success and bounds is not None and not _strictly_inside(res.x, bounds):
            # outside the box, or on its boundary where half the set around it is cut
            # off: another method may reach the inside
            res.update(status=Status.OUT_OF_BOUNDS, success=False,
                       message=f"{method} reached a stationary point on or outside bounds")
            if np.all(res.x >= bounds[0]) and np.all(res.x <= bounds[1]):
                fallback = res
        elif (res.jac is not None and 0 < _KINK * scale <= gradient_scale(res.jac)
              and res.residual <= tol):
            # a gradient grew without bound: the point sits at a kink (a root's infinite
            # slope at 0), where a relative residual is small for any weights that do not
            # vanish on that task (converged, or just off the simplex: the same point
            # either way, as rounding decides); another method may stay where the set is
            # smooth
            res.update(status=Status.NON_FINITE, success=False,
                       message=f"{method} reached a kink (a gradient "
                               f"{gradient_scale(res.jac) / scale:.3g} times the start's)")
            fallback = fallback or res
        elif res.jac is not None and _vanished(res.jac, norms0):
            # stationary for any weights. A minimum of every objective (see
            # minimum_of_every) is the whole local set: kept, for every weight
            # (skpareto._cover.add_root).
            # Otherwise there is no direction to follow the set from; another method may
            # reach a point where the gradients oppose instead
            minimum, used, used_hvp = minimum_of_every(fun, res.x, m, options)
            spent, spent_hvp = spent + used, spent_hvp + used_hvp
            res.update(minimum_of_every=minimum)  # (add_root asks the same)
            if not minimum:
                if res.success:  # (stationary to tol: nothing better than this, at worst)
                    fallback = fallback or res
                res.update(status=Status.SINGULAR, success=False,
                           message=f"{method} reached a critical point of every objective")
            else:
                # approached, every gradient vanishes with no direction of its own (a
                # network fitting constant targets exactly: gradients of 1e-19 to 1e-28,
                # their relative residual 0.27 to 0.996): measured against the start's, they
                # are zero, for any weights (a polish that failed may have left the simplex)
                if not res.success:
                    weights = onto_simplex(res.weights)
                    res.update(status=Status.CONVERGED, success=True, weights=weights,
                               residual=critical_residual(res.jac, weights, scale))
                res.update(critical_scale=scale,
                           message="converged at a minimum of every objective")
        elif res.success:
            curvature, used_hvp, direction = _descent_curvature(fun, res.x, res.weights,
                                                                res.jac, options)
            spent_hvp += used_hvp
            if curvature < 0:
                res.update(status=Status.SADDLE, success=False,
                           message=f"{method} reached a stationary point where every "
                                   f"objective still decreases at second order "
                                   f"(curvature {curvature:.2g})")
                saddle = saddle or (res, direction)
        if res.success:
            break
        if not attempts and saddle is not None and escapes < _ESCAPES:
            # no method succeeded, and one stopped at a saddle (log-loss networks: a
            # curvature of -1e-3 against 0.65, at a residual just within tol): L-BFGS at its
            # weights from a point beside it where the weighted sum is lower
            at, direction = saddle
            saddle, escapes = None, escapes + 1
            first_saddle = first_saddle or at
            start, used = _beside_saddle(fun, at.x, at.weights, direction, bounds)
            spent += used
            if start is not None:
                attempts.append(("lbfgs", start, at.weights, min(tol, _ESCAPE_TOL)))
    if not res.success and first_saddle is not None:
        # no escape helped (the objectives fall without end along the negative curvature):
        # the saddle says more than where the escape ended (whose work is counted)
        spent, spent_hvp = spent + res.n_grad, spent_hvp + res.n_hvp
        res = first_saddle
    if not res.success and fallback is not None:  # on a bound, or critical for every task
        res = fallback
        res.update(status=Status.CONVERGED, success=True,
                   message=f"converged; nothing better than this: {res.message}")
    res.update(nit=nit + res.nit, n_grad=spent + res.n_grad, n_hvp=spent_hvp + res.n_hvp,
               method=res.get("method", method), start_norms=norms0)  # of the result kept
    if not res.success:
        if res.status == Status.OUT_OF_BOUNDS:
            failed = "reached no point strictly inside bounds"
        elif res.residual <= tol:  # stationary, but a saddle or critical for every task
            failed = "reached no usable stationary point"
        else:
            failed = f"did not reach tol={tol:g}"
        warnings.warn(f"stage 1 {failed}: relative stationarity residual "
                      f"{res.residual:.3g} ({res.message}).", ConvergenceWarning,
                      stacklevel=2)
    return res
