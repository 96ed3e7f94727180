"""Stage 2: breadth-first predictor-corrector exploration of the Pareto set."""

import warnings

import numpy as np
from joblib import Parallel, delayed

from ._hvp import check_point
from ._paretoset import ParetoSet
from ._stationary import arclength_correct, find_stationary, mgda_correct, newton_correct
from ._tangent import tangent_directions
from ._utils import Result, log
from .exceptions import ConvergenceWarning, NonFiniteError
from .metrics import non_dominated

__all__ = ["explore", "expand_set"]

_CORRECTORS = {"newton": newton_correct, "mgda": mgda_correct, "arclength": arclength_correct}
# relative MINRES residual of the predictor's tangent solves with inexact=True: on the
# bench_explore network, 1e-2..1e-3 left the corrector 2-3x more work than it saved
_PREDICTOR_RTOL = 1e-4
# a step whose corrector fails (no convergence, left its trust region, line search) is
# retried from the same parent along the same direction with half the step, at most this
# many times (so down to 1/8 of step_size)
_MAX_HALVINGS = 3
# Newton (or bordered) steps a corrector with the exact Hessian may take (one with a
# sampled or damped Hessian converges linearly and keeps 20; MGDA keeps its own limit).
# From a predictor O(step^2) away it converges in 1-4; one that has not by 6 sits near a
# fold of the weights, where more steps cost hundreds of HVPs and a shorter step does
# better (on the demo network, 20 allowed steps cost 2.2x the Hessian-vector products of
# 6, for 63 points against 62)
_CORRECTOR_STEPS = 6


def explore(fun, x0, weights=None, *, n_steps=10, step_size=0.1, max_points=None,
            corrector="newton", method="lbfgs", tol=1e-8, rtol=1e-10, maxiter=None,
            damping=0.0, hess_fun=None, hess_sampler=None, random_state=None,
            max_iter=1000, n_jobs=None, inexact=False, verbose=0):
    """Explore the Pareto set of ``fun`` continuously from a start point.

    Stage 1 (:func:`find_stationary`) reaches a Pareto-stationary point from
    ``x0``; stage 2 (:func:`expand_set`) grows the set from it breadth-first
    with a predictor along tangent directions and a corrector back to
    stationarity.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (m,)`` objectives written with ``autograd.numpy``.
    x0 : array-like of shape (n,) or (k, n)
        Starting point, or k starting points: the set is then explored from
        each (``max_points`` applies to each) and the local sets are stitched
        with :meth:`ParetoSet.merge` in the order of the starts.
    weights : array-like of shape (m,) or (k, m), default=None
        Trade-off of stage 1 with ``method="lbfgs"`` (default uniform); one
        row per start for several starts.
    n_steps : int, default=10
        Breadth-first levels of expansion.
    step_size : float, default=0.1
        Length of each predictor step in parameter space; a step whose
        corrector fails is retried with half the length, up to 3 times.
    max_points : int, default=None
        Stop once the set holds this many points.
    corrector : {"newton", "mgda", "arclength"}, default="newton"
        ``"newton"``: Newton-MINRES on the weighted objective at the predicted
        weights (one step is exact on quadratics). ``"mgda"``: multiple-gradient
        descent, whose weights drift to wherever it lands. ``"arclength"``:
        bordered Newton-MINRES on the point and the weights together
        (:func:`~skpareto._stationary.arclength_correct`), which passes folds
        of the weights along the set, where ``"newton"`` stops.
    method : {"lbfgs", "mgda"}, default="lbfgs"
        Stage-1 method (see :func:`find_stationary`).
    tol : float, default=1e-8
        Relative stationarity residual a point must reach to be accepted.
    rtol : float, default=1e-10
        MINRES relative tolerance (tangents and Newton steps).
    maxiter : int, default=None
        MINRES iteration limit per solve (None: SciPy's 5 n).
    damping : float, default=0.0
        Solve with ``H + damping * I``.
    hess_fun : callable, default=None
        Objective whose Hessian is used everywhere (one fixed sample-based
        system); default ``fun``. Exclusive with ``hess_sampler``.
    hess_sampler : callable, default=None
        The paper's sample-based Hessian, with a fresh sample per solve:
        ``hess_sampler(rng) -> objective``, where ``rng`` is a
        :class:`numpy.random.Generator` and the returned objective (same
        signature as ``fun``) evaluates the losses on rows drawn with
        ``rng``. It is called once per Hessian site -- the tangent solve of
        each point and the corrector of each predicted step -- and the
        Jacobian always comes from ``fun``. Exclusive with ``hess_fun``.
    random_state : int or None, default=None
        Seed of ``hess_sampler``. The generator of each site is seeded from
        ``numpy.random.SeedSequence(random_state, spawn_key=key)`` with
        ``key = (i, 0)`` for the tangent solve at point ``i``,
        ``(i, j + 1)`` for the corrector of the ``j``-th predicted step of
        point ``i`` (``(i, j + 1, k)`` for its ``k``-th halved retry) and
        ``()`` for the stage-1 polish, so every sample is
        fixed by ``(random_state, point, step)``: results are reproducible
        and do not depend on ``n_jobs`` or on the joblib backend. None draws
        fresh entropy once per call. Unused without ``hess_sampler``.
    max_iter : int, default=1000
        Stage-1 iteration limit.
    n_jobs : int, default=None
        Parallel jobs for the independent expansions of each level, through
        :class:`joblib.Parallel` (so ``joblib.parallel_backend("dask")``
        distributes them). Results do not depend on ``n_jobs``. ``fun`` and
        ``hess_sampler`` are shipped to the workers with cloudpickle.
    inexact : bool, default=False
        Cheaper stage 2. The Newton corrector solves each step only as
        accurately as its current residual needs (a forcing sequence, see
        :func:`newton_correct`; ``rtol`` becomes the tightest solve), and the
        predictor's tangents are solved to relative residual ``1e-4`` instead
        of ``rtol`` (the corrector removes the predictor's error anyway).
        With m = 2 only the roots (stage-1 points) solve tangents: every
        other point predicts its step by extending the secant from its
        parent through itself (an error of second order in the step),
        weights included, at no Hessian-vector product. The accepted points
        still reach ``tol``. False solves a tangent at every point and keeps
        every solve at ``rtol``: the accurate reference, the paper's
        Algorithm 1.
        ``benchmarks/bench_explore.py`` measures both.
    verbose : int, default=0
        Progress on stderr: 1 per level, 2 per point.

    Returns
    -------
    pareto_set : ParetoSet
        Explored points, their weights, front, residuals and costs.

    Raises
    ------
    ValueError
        On malformed arguments, or if ``fun`` is not finite at ``x0``.

    Notes
    -----
    Subsampling the Hessian rows cuts the cost of each Hessian-vector
    product in proportion to the rows used, while the right-hand side
    ``jac.T @ beta`` stays exact; the direction error against the full
    Hessian is measured in ``benchmarks/bench_scaling.py`` and reported in
    the scaling guide.

    References
    ----------
    .. [1] Ma, Du, Matusik, "Efficient Continuous Pareto Exploration in
       Multi-Task Learning", ICML 2020, Algorithm 1.

    Examples
    --------
    >>> from skpareto import explore
    >>> from skpareto.problems import ConvexQuadratic
    >>> problem = ConvexQuadratic(n=4, m=2, random_state=0)
    >>> pset = explore(problem.fun, problem.x0, n_steps=3, step_size=0.2)
    >>> pset.n_points
    7
    """
    if np.ndim(x0) == 2:  # several starts: explore from each, stitch the local sets
        options = dict(n_steps=n_steps, step_size=step_size, max_points=max_points,
                       corrector=corrector, method=method, tol=tol, rtol=rtol,
                       maxiter=maxiter, damping=damping, hess_fun=hess_fun,
                       hess_sampler=hess_sampler, random_state=random_state,
                       max_iter=max_iter, n_jobs=n_jobs, inexact=inexact, verbose=verbose)
        per_start = [weights] * len(x0) if weights is None or np.ndim(weights) == 1 else weights
        if len(per_start) != len(x0):
            raise ValueError(f"weights must have shape (m,) or (k, m) with one row per start; "
                             f"got {len(per_start)} rows for {len(x0)} starts.")
        pset = None
        for start, w in zip(x0, per_start):
            part = explore(fun, start, w, **options)
            pset = part if pset is None else pset.merge(part)
        return pset
    x0 = check_point(x0, "x0")
    _check_options(n_steps, step_size, max_points, corrector, tol)
    entropy = _check_sampling(hess_fun, hess_sampler, random_state)
    start = find_stationary(fun, x0, weights, method=method, tol=tol, max_iter=max_iter,
                            rtol=rtol, maxiter=maxiter, damping=damping,
                            hess_fun=_sampled(hess_fun, hess_sampler, _seed(entropy)),
                            verbose=verbose)
    pset = ParetoSet(start.x[None, :], start.objectives[None, :], start.weights[None, :],
                     residuals=[start.residual], n_grad=[start.n_grad],
                     n_hvp=[start.n_hvp], fun=fun)
    return expand_set(pset, fun, n_steps=n_steps, step_size=step_size,
                      max_points=max_points, corrector=corrector, tol=tol, rtol=rtol,
                      maxiter=maxiter, damping=damping, hess_fun=hess_fun,
                      hess_sampler=hess_sampler, random_state=entropy,
                      n_jobs=n_jobs, inexact=inexact, verbose=verbose)


def _check_options(n_steps, step_size, max_points, corrector, tol):
    if int(n_steps) != n_steps or n_steps < 0:
        raise ValueError(f"n_steps must be a non-negative integer, got {n_steps!r}.")
    if not step_size > 0 or not np.isfinite(step_size):
        raise ValueError(f"step_size must be a positive number, got {step_size!r}.")
    if max_points is not None and (int(max_points) != max_points or max_points < 1):
        raise ValueError(f"max_points must be a positive integer or None, got {max_points!r}.")
    if corrector not in _CORRECTORS:
        raise ValueError(f"corrector must be one of {sorted(_CORRECTORS)}, got {corrector!r}.")
    if not tol > 0:
        raise ValueError(f"tol must be positive, got {tol!r}.")


def _check_sampling(hess_fun, hess_sampler, random_state):
    """Validate the sampled-Hessian options; return the root entropy (an int)."""
    if hess_sampler is None:
        return None
    if hess_fun is not None:
        raise ValueError("hess_fun and hess_sampler are exclusive; pass only one.")
    if not callable(hess_sampler):
        raise ValueError(f"hess_sampler must be callable (rng -> objective), "
                         f"got {type(hess_sampler).__name__}.")
    if random_state is None:
        return np.random.SeedSequence().entropy
    if isinstance(random_state, (bool, np.bool_)) or not isinstance(
            random_state, (int, np.integer)) or random_state < 0:
        raise ValueError(f"random_state must be a non-negative integer or None, "
                         f"got {random_state!r}.")
    return int(random_state)


def _seed(entropy, *key):
    """The seed of one Hessian site: ``(random_state, point, slot)``."""
    return None if entropy is None else np.random.SeedSequence(entropy, spawn_key=key)


def _sampled(hess_fun, hess_sampler, seed):
    """Hessian objective of one site: ``hess_fun``, or a sample drawn with ``seed``."""
    if hess_sampler is None:
        return hess_fun
    return hess_sampler(np.random.default_rng(seed))


def _predict(fun, x, weights, step_size, solver, hess_sampler=None, seed=None):
    """Tangent directions at one point, turned into signed predictor steps.

    A tangent that misses its tolerance only moves the predicted point; the
    corrector still has to reach ``tol``, so its ConvergenceWarning is not
    raised here (it would also be lost in worker processes, making the
    warnings depend on ``n_jobs``). The residuals are returned and logged.
    """
    solver = dict(solver, hess_fun=_sampled(solver["hess_fun"], hess_sampler, seed))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        tangent = tangent_directions(fun, x, weights, **solver)
    steps = []
    for v, beta in zip(tangent.directions, tangent.betas):
        norm = np.linalg.norm(v)
        if norm == 0.0:
            continue
        for sign in (1.0, -1.0):
            steps += _step(x, weights, sign * v / norm, -sign * beta / norm, step_size)
    return steps, tangent.n_hvp, tangent.residuals


def _extrapolate(pset, i, step_size):
    """The predictor step of point ``i`` (m = 2) without a tangent solve.

    The secant through the parent and the point is extended by
    ``step_size``, point and weights together: an error of second order in
    the step. A quadratic through the grandparent too would err only to
    third order, but it amplifies the points' own errors (each is stationary
    only to ``tol``) 4.4 times instead of 2.2 (root mean square of the
    extrapolation weights ``(1, -3, 3)`` against ``(-1, 2)``); on 10 draws
    of the ``bench_explore`` network at ``tol=1e-4`` and step 0.0125 it
    cost 119 gradient-equivalents per point against 63 for the secant, and
    its chains stopped at narrower weights. Returns ``[(x_pred, w_pred)]``,
    or ``[]`` at the simplex edge.
    """
    parent = pset.parents[i]
    dx = pset.params[i] - pset.params[parent]
    length = np.linalg.norm(dx)
    if length == 0.0:
        return []
    dw = pset.weights[i] - pset.weights[parent]
    return _step(pset.params[i], pset.weights[i], dx / length, dw / length, step_size)


def _step(x, weights, direction, rate, step_size):
    """``[(x_pred, w_pred)]``: ``step_size`` along the unit ``direction``, the weights
    changing by ``rate`` per unit length, shortened so they stay on the simplex; ``[]``
    where the weights are on that edge of the simplex already."""
    dx, dw = step_size * direction, step_size * rate
    shrink = dw < 0
    theta = 1.0
    if np.any(shrink):
        theta = min(1.0, float(np.min(weights[shrink] / -dw[shrink])))
    if theta < 1e-3:
        return []
    return [(x + theta * dx, np.clip(weights + theta * dw, 0.0, None))]


def _correct(fun, x, weights, corrector, tol, step_size, solver, hess_sampler=None,
             seed=None, inexact=False):
    """Corrector from a predicted point; non-finite objectives reject the step."""
    options = dict(tol=tol, max_step=step_size)
    if corrector in ("newton", "arclength"):
        options.update(solver, forcing=inexact,
                       hess_fun=_sampled(solver["hess_fun"], hess_sampler, seed))
        if solver["hess_fun"] is None and hess_sampler is None and not solver["damping"]:
            options["max_iter"] = _CORRECTOR_STEPS  # the exact Hessian: quadratic
    try:
        return _CORRECTORS[corrector](fun, x, weights / weights.sum(), **options)
    except NonFiniteError as exc:
        return Result(success=False, message=str(exc), n_grad=0, n_hvp=0, residual=np.inf)


def expand_set(pareto_set, fun, *, n_steps=10, step_size=0.1, max_points=None,
               corrector="newton", tol=1e-8, rtol=1e-10, maxiter=None, damping=0.0,
               hess_fun=None, hess_sampler=None, random_state=None, n_jobs=None,
               inexact=False, verbose=0):
    """Grow a :class:`ParetoSet` in place from its points not yet expanded.

    Each level: tangent directions at every frontier point (in parallel; with
    ``inexact`` and m = 2 at the roots only, the other points extending the
    secant from their parent), predictor steps in both signs of every
    direction, removal of predicted points within half their step length of a
    known point, correctors (in parallel), and acceptance of the points that
    converged, stayed within the step length of their prediction, are not
    dominated by their parent's neighbourhood and are not within a quarter of
    the step length of a point already in the set. Step-size control: a step
    whose corrector fails (not converged, left its trust region, failed line
    search) is retried from the same parent along the same direction with half
    the step (weights and trust region halved too), at most 3 times (down to
    ``step_size / 8``); each retry is one more parallel round of the level, in
    a fixed order, so the result does not depend on ``n_jobs``. Points are
    appended as they are accepted, so an interruption keeps all of them.

    Parameters
    ----------
    pareto_set : ParetoSet
        Set to grow; modified in place and returned.
    fun : callable
        The objectives.
    n_steps, step_size, max_points, corrector, tol, rtol, maxiter, damping, \
hess_fun, hess_sampler, random_state, n_jobs, inexact, verbose
        As in :func:`explore`. The sampled Hessian sites are keyed by the
        indices of the points in ``pareto_set``, so growing a set in several
        calls with the same ``random_state`` draws the same samples as one
        call.

    Returns
    -------
    pareto_set : ParetoSet
    """
    _check_options(n_steps, step_size, max_points, corrector, tol)
    entropy = _check_sampling(hess_fun, hess_sampler, random_state)
    pset = pareto_set
    solver = dict(rtol=rtol, maxiter=maxiter, damping=damping, hess_fun=hess_fun)
    predictor = dict(solver, rtol=_PREDICTOR_RTOL) if inexact else solver
    extrapolate = inexact and pset.weights.shape[1] == 2
    parallel = Parallel(n_jobs=n_jobs)
    limit = np.inf if max_points is None else max_points
    for level in range(int(n_steps)):
        frontier = np.flatnonzero(~pset.expanded)
        if len(frontier) == 0 or pset.n_points >= limit:
            break
        # with inexact=True and m = 2, every point but a root extends its parent's secant
        tangents = [i for i in frontier if not (extrapolate and pset.parents[i] >= 0)]
        predicted = dict(zip(tangents, parallel(
            delayed(_predict)(fun, pset.params[i], pset.weights[i], step_size, predictor,
                              hess_sampler, _seed(entropy, int(i), 0))
            for i in tangents)))
        candidates = []  # (parent, x_pred, w_pred, step number)
        known = list(pset.params)
        for i in frontier:
            steps, n_hvp, residuals = predicted.get(i) or (_extrapolate(pset, i, step_size), 0,
                                                           np.zeros(1))
            pset.total_hvp += n_hvp
            pset.n_hvp[i] += n_hvp
            if np.any(residuals > max(10 * predictor["rtol"], 1e-12)):
                log(verbose, 2, f"point {i}: tangent residual {residuals.max():.2e}")
            for j, (x_pred, w_pred) in enumerate(steps):
                # relative to the step taken (shorter at the simplex boundary)
                length = np.linalg.norm(x_pred - pset.params[i])
                gaps = np.linalg.norm(np.asarray(known) - x_pred, axis=1)
                if gaps.min() < 0.5 * length:
                    continue  # this part of the set is explored already
                known.append(x_pred)
                candidates.append((i, x_pred, w_pred, j))
        accepted = rejected = retried = 0
        for halving in range(_MAX_HALVINGS + 1):
            if not candidates or pset.n_points >= limit:
                break
            scale = 0.5 ** halving
            corrected = parallel(
                delayed(_correct)(fun, *_shortened(pset, i, x, w, scale), corrector, tol,
                                  scale * step_size, solver, hess_sampler,
                                  _seed(entropy, int(i), j + 1, *([halving] if halving else [])),
                                  inexact)
                for i, x, w, j in candidates)
            failed = []
            for candidate, res in zip(candidates, corrected):
                parent = candidate[0]
                reason = _rejection(pset, parent, res, scale * step_size)
                retry = (reason.startswith("corrector failed") and halving < _MAX_HALVINGS
                         and pset.n_points < limit)
                if reason or retry or pset.n_points >= limit:
                    # an accepted point's cost is added to the totals by _append
                    pset.total_grad += res.n_grad
                    pset.total_hvp += res.n_hvp
                    if retry:
                        failed.append(candidate)
                        retried += 1
                        log(verbose, 2, f"step {candidate[3]} from point {parent}: {reason}; "
                                        f"retrying with {scale / 2:g} of the step")
                        continue
                    rejected += 1
                    if reason and reason.startswith("non-finite"):
                        warnings.warn(f"dropped a step from point {parent}: {reason}",
                                      RuntimeWarning, stacklevel=2)
                    log(verbose, 2,
                        f"rejected a step from point {parent}: {reason or 'budget'}")
                    continue
                index = pset._append(res.x, res.objectives, res.weights, parent,
                                     res.residual, res.n_grad, res.n_hvp)
                accepted += 1
                log(verbose, 2, f"point {index}: weights {np.round(res.weights, 4)}, "
                                f"residual {res.residual:.2e}, step {scale:g}")
            candidates = failed
        # only now: an interruption before this point leaves the frontier to redo, and
        # the dedupe against known points drops whatever of it was accepted already
        pset.expanded[frontier] = True
        log(verbose, 1, f"level {level + 1}: {accepted} accepted, {rejected} rejected "
                        f"({retried} retried with a shorter step); "
                        f"{pset.n_points} points, max residual {pset.residuals.max():.2e}, "
                        f"{pset.total_grad} gradients, {pset.total_hvp} HVPs")
    if np.any(pset.residuals > tol):
        warnings.warn(f"{np.sum(pset.residuals > tol)} points have a stationarity residual "
                      f"above tol={tol:g}", ConvergenceWarning, stacklevel=2)
    return pset


def _shortened(pset, parent, x_pred, w_pred, scale):
    """The predicted point and weights of a step shortened by ``scale`` (1: unchanged)."""
    if scale == 1.0:
        return x_pred, w_pred
    x, w = pset.params[parent], pset.weights[parent]
    # w + scale (w_pred - w) is a convex combination: it stays on the simplex
    return x + scale * (x_pred - x), w + scale * (w_pred - w)


def _rejection(pset, parent, res, step_size):
    """Why a corrected step is not accepted, or '' if it is."""
    if not res.success:
        if "non-finite" in res.message:
            return f"non-finite objectives ({res.message})"
        return f"corrector failed: {res.message} (residual {res.residual:.2e})"
    # neighbourhood of the parent: itself, its parent and its other children
    family = (np.arange(pset.n_points) == parent) | (pset.parents == parent)
    if pset.parents[parent] >= 0:
        family[pset.parents[parent]] = True
    front = np.vstack([pset.front[family], res.objectives[None, :]])
    if not non_dominated(front)[-1]:
        return "dominated by its parent's neighbourhood"
    # correctors from different predictions can land on one point (loose solves)
    gaps = np.linalg.norm(pset.params - res.x, axis=1)
    if gaps.min() < 0.25 * step_size:
        return f"duplicate of point {int(np.argmin(gaps))}"
    return ""

