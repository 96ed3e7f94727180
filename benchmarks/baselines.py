"""Compact NumPy/autograd baselines for the RQ2 comparison.

Every baseline takes the same ``fun(x) -> (m,)`` (written with
``autograd.numpy``) that :func:`skpareto.explore` takes, and returns a
:class:`BaselineResult` with one row per point it produced.

Cost unit ("gradient-equivalents", used by every benchmark): one per-task
gradient, or one gradient of a weighted sum (one backward pass), counts 1; one
forward-only evaluation counts 1 (an upper bound: a forward pass is cheaper);
one Hessian-vector product counts 2. The final stationarity residual that the
benchmarks report for each point is an evaluation and is not charged.

Methods
-------
- :func:`linear_scalarization`: K weight vectors, each minimized from scratch
  (from ``x0``) with SciPy's L-BFGS-B.
- :func:`mgda_restarts`: multiple-gradient descent (Desideri 2012; Sener and
  Koltun 2018) from K starting points, with an Armijo line search on every
  objective (skpareto's own :func:`skpareto._stationary.mgda_descent`).
- :func:`pareto_mtl`: Pareto MTL (Lin, Zhen, Li, Zhang and Kwong, NeurIPS
  2019): K preference vectors split the objective space into cones; each
  subproblem first moves into its cone, then takes min-norm descent steps over
  the objectives' gradients and the gradients of the active cone constraints.
- :func:`epo_search`: Exact Pareto Optimal search (Mahapatra and Rajan, ICML
  2020): for a preference ``r``, a small linear program over the Gram matrix
  of the gradients chooses a direction that balances ``r * f`` (when the
  non-uniformity of ``r * f`` exceeds ``eps``) or descends on every objective.

The two published methods are written from their papers' algorithms (full-batch
gradients, fixed step sizes as in the papers); they are not their authors' code.
"""

import numpy as np
from scipy.optimize import linprog, minimize

from skpareto._hvp import value_and_jacobian
from skpareto._stationary import mgda_descent
from skpareto._weights import min_norm_weights
from skpareto.exceptions import NonFiniteError
from skpareto.metrics import stationarity_residual

__all__ = ["BaselineResult", "simplex_grid", "preference_vectors", "linear_scalarization",
           "mgda_restarts", "pareto_mtl", "epo_search", "HVP_COST"]

HVP_COST = 2  # gradient-equivalents charged per Hessian-vector product


class BaselineResult(dict):
    """Points produced by a baseline: ``params`` (K, n), ``front`` (K, m),
    ``cost`` (K,) gradient-equivalents spent per point, ``residuals`` (K,)
    relative min-norm stationarity residual at each point, ``ok`` (K,) whether
    the run finished with finite objectives."""

    __getattr__ = dict.__getitem__

    @property
    def total_cost(self):
        return int(np.sum(self["cost"]))


def _finish(fun, points, costs):
    params, front, residuals, ok = [], [], [], []
    for x in points:
        try:
            values, jac = value_and_jacobian(fun, x)
            residuals.append(stationarity_residual(jac))
            front.append(values)
            ok.append(True)
        except NonFiniteError:
            residuals.append(np.inf)
            front.append(np.full(len(front[0]) if front else 1, np.inf))
            ok.append(False)
        params.append(x)
    m = max(len(f) for f in front)
    front = [f if len(f) == m else np.full(m, np.inf) for f in front]
    return BaselineResult(params=np.array(params), front=np.array(front),
                          cost=np.asarray(costs, dtype=np.int64),
                          residuals=np.asarray(residuals), ok=np.asarray(ok))


def simplex_grid(m, k):
    """About ``k`` weight vectors on the simplex: evenly spaced, ends included.

    For ``m = 2`` exactly ``k`` points; for ``m = 3`` the Das-Dennis lattice with
    the smallest number of divisions giving at least ``k`` points.
    """
    if m == 2:
        t = np.linspace(0.0, 1.0, k)
        return np.stack([t, 1.0 - t], axis=1)
    if m != 3:
        raise ValueError(f"m must be 2 or 3, got {m}.")
    h = 1
    while (h + 1) * (h + 2) // 2 < k:
        h += 1
    pts = [(i, j, h - i - j) for i in range(h + 1) for j in range(h + 1 - i)]
    return np.array(pts, dtype=float) / h


def preference_vectors(m, k):
    """Unit preference directions in the positive orthant (Pareto MTL's rays).

    For ``m = 2`` the ``k`` points ``(cos t, sin t)``, ``t`` evenly spaced in
    ``[0, pi/2]`` (Lin et al.'s ``circle_points``); for ``m = 3`` the normalized
    :func:`simplex_grid`.
    """
    if m == 2:
        t = np.linspace(0.0, 0.5 * np.pi, k)
        return np.stack([np.cos(t), np.sin(t)], axis=1)
    grid = simplex_grid(m, k)
    return grid / np.linalg.norm(grid, axis=1, keepdims=True)


def linear_scalarization(fun, x0, weights, *, max_iter=1000, gtol=1e-9):
    """Minimize ``w @ fun`` from ``x0`` for every row ``w`` of ``weights``.

    Parameters
    ----------
    fun : callable
    x0 : ndarray of shape (n,)
        The same start for every restart ("from scratch").
    weights : ndarray of shape (K, m)
    max_iter : int
        L-BFGS-B iterations per restart.
    gtol : float
        L-BFGS-B projected-gradient tolerance.

    Returns
    -------
    BaselineResult
        Cost: one gradient-equivalent per value-and-gradient evaluation.
    """
    from autograd import value_and_grad

    points, costs = [], []
    for w in np.atleast_2d(weights):
        w = np.asarray(w, dtype=float)
        vg = value_and_grad(lambda z, w=w: w @ fun(z))
        count = [0]

        def value_grad(z, vg=vg, count=count):
            count[0] += 1
            f, g = vg(z)
            f = float(f)
            if not np.isfinite(f):  # let L-BFGS-B's line search back off
                return np.inf, np.zeros_like(z)
            return f, np.asarray(g, dtype=float)

        opt = minimize(value_grad, np.array(x0, dtype=float), jac=True, method="L-BFGS-B",
                       options=dict(maxiter=max_iter, gtol=gtol, ftol=1e-15, maxcor=20))
        points.append(opt.x)
        costs.append(count[0])
    return _finish(fun, points, costs)


def mgda_restarts(fun, starts, *, max_iter=500, tol=1e-8):
    """Multiple-gradient descent from every row of ``starts``.

    Cost: ``m`` per Jacobian plus one per line-search evaluation (as counted by
    :func:`skpareto._stationary.mgda_descent`).
    """
    points, costs = [], []
    for x in np.atleast_2d(starts):
        try:
            res = mgda_descent(fun, np.array(x, dtype=float), tol=tol, max_iter=max_iter)
        except NonFiniteError:
            points.append(np.array(x, dtype=float))
            costs.append(0)
            continue
        points.append(res.x)
        costs.append(res.n_grad)
    return _finish(fun, points, costs)


def _pmtl_direction(jac, values, prefs, k, init):
    """Pareto MTL weights on the objectives for subproblem ``k``.

    The cone constraints are ``G_j = (u_j - u_k) @ f / ||f|| <= 0``; their
    gradients are ``(u_j - u_k) @ jac`` (ignoring the normalization's own
    derivative, as in the paper's implementation). Returns ``None`` when the
    initial phase has reached its cone.
    """
    diff = prefs - prefs[k]
    g = diff @ (values / np.linalg.norm(values))
    active = diff[g > 0]
    if init:
        if len(active) == 0:
            return None
        vecs = active @ jac
        sol = min_norm_weights(vecs)
        return sol @ active
    if len(active) == 0:
        return min_norm_weights(jac)
    basis = np.vstack([np.eye(len(values)), active])  # objectives, then constraints
    sol = min_norm_weights(basis @ jac)
    weights = sol @ basis
    return weights / np.sum(np.abs(weights))


def pareto_mtl(fun, x0, preferences, *, n_iter=200, n_init=20, lr=0.1):
    """Pareto MTL from ``x0`` for each preference vector (rows of ``preferences``).

    Parameters
    ----------
    fun : callable
    x0 : ndarray of shape (n,)
    preferences : ndarray of shape (K, m)
        Unit rays, e.g. :func:`preference_vectors`.
    n_iter : int
        Gradient steps of the main phase per subproblem.
    n_init : int
        Maximum steps of the initial phase (finding a point in the cone).
    lr : float
        Fixed step size (the paper uses SGD with a fixed rate).

    Returns
    -------
    BaselineResult
        Cost: ``m`` gradient-equivalents per step (one Jacobian).
    """
    prefs = np.asarray(preferences, dtype=float)
    points, costs = [], []
    for k in range(len(prefs)):
        x = np.array(x0, dtype=float)
        cost = 0
        for it in range(n_init + n_iter):
            try:
                values, jac = value_and_jacobian(fun, x)
            except NonFiniteError:
                break
            cost += len(values)
            init = it < n_init
            w = _pmtl_direction(jac, values, prefs, k, init)
            if w is None:  # in the cone: skip the rest of the initial phase
                w = _pmtl_direction(jac, values, prefs, k, False)
            x = x - lr * (jac.T @ w)
        points.append(x)
        costs.append(cost)
    return _finish(fun, points, costs)


def _epo_weights(values, jac, r, eps):
    """EPO search: the LP of Mahapatra and Rajan over the gradient Gram matrix."""
    m = len(values)
    rl = r * values
    lhat = rl / rl.sum()
    lhat_pos = np.clip(lhat, np.finfo(float).tiny, None)
    mu = float(np.sum(lhat * np.log(lhat_pos * m)))
    a = r * (np.log(lhat_pos * m) - mu)  # adjustment direction
    C = jac @ jac.T
    Ca = C @ a
    eq = (np.ones((1, m)), np.ones(1))
    if mu > eps:  # balance: move r * f towards uniform
        J = Ca > 0
        if J.any():
            rhs = Ca.copy()
            rhs[J] = -np.inf  # no constraint on the objectives the adjustment raises
            rhs[rl == rl.max()] = 0.0  # but never raise the worst one
        else:
            rhs = np.zeros(m)
        keep = np.isfinite(rhs)
        A_ub = -C[keep]  # C @ alpha >= rhs  <=>  -C @ alpha <= -rhs
        res = linprog(-Ca, A_ub=A_ub if keep.any() else None,
                      b_ub=-rhs[keep] if keep.any() else None,
                      A_eq=eq[0], b_eq=eq[1], bounds=[(0, None)] * m, method="highs")
    else:  # descend on every objective, restricted not to undo the balance
        A_ub = np.vstack([-C, -Ca[None, :]])
        b_ub = np.concatenate([np.zeros(m), [min(0.0, Ca.max())]])
        res = linprog(-C.sum(axis=0), A_ub=A_ub, b_ub=b_ub, A_eq=eq[0], b_eq=eq[1],
                      bounds=[(0, None)] * m, method="highs")
        if res.status != 0:  # relaxed problem, as the paper allows
            res = linprog(-C.sum(axis=0), A_ub=-C, b_ub=np.zeros(m), A_eq=eq[0],
                          b_eq=eq[1], bounds=[(0, None)] * m, method="highs")
    if res.status != 0:
        return min_norm_weights(jac)
    return np.clip(res.x, 0.0, None)


def epo_search(fun, x0, preferences, *, n_iter=200, lr=0.1, eps=1e-4):
    """EPO search from ``x0`` for each preference ``r`` (rows of ``preferences``).

    The target is the Pareto point where ``r_1 f_1 = ... = r_m f_m``; the
    objectives must be positive.

    Parameters
    ----------
    fun : callable
    x0 : ndarray of shape (n,)
    preferences : ndarray of shape (K, m)
        Positive preference vectors (zero entries are replaced by 1e-3).
    n_iter : int
        Steps per preference.
    lr : float
        Fixed step size, as in the paper.
    eps : float
        Non-uniformity below which EPO switches from balancing to descent.

    Returns
    -------
    BaselineResult
        Cost: ``m`` gradient-equivalents per step.
    """
    prefs = np.clip(np.asarray(preferences, dtype=float), 1e-3, None)
    points, costs = [], []
    for r in prefs:
        x = np.array(x0, dtype=float)
        cost = 0
        for _ in range(n_iter):
            try:
                values, jac = value_and_jacobian(fun, x)
            except NonFiniteError:
                break
            cost += len(values)
            alpha = _epo_weights(np.clip(values, 1e-12, None), jac, r, eps)
            x = x - lr * (jac.T @ alpha)
        points.append(x)
        costs.append(cost)
    return _finish(fun, points, costs)


# -- problems shared by the benchmarks -------------------------------------------

def multi_digits_problem(quick=True, random_state=0):
    """Two-task MultiDigits classification with a shared-trunk tanh network.

    Returns ``(fun, x0, info)``: mean log-loss of each task plus an L2 penalty
    ``alpha = 1e-2`` (keeps the Hessian well conditioned), Glorot start.
    Quick: 200 rows, trunk (8,); full: 1000 rows, trunk (16,).
    """
    from skpareto._models import SharedTrunkNet
    from skpareto.datasets import make_multi_digits

    n_rows, hidden = (200, (8,)) if quick else (1000, (16,))
    X, Y = make_multi_digits(n_rows, random_state=random_state, return_X_y=True)
    net = SharedTrunkNet(X.shape[1], hidden, (10, 10), activation="tanh")
    fun = net.objective(X, [Y[:, 0], Y[:, 1]], ["log_loss", "log_loss"], alpha=1e-2)
    x0 = net.init_params(random_state)
    return fun, x0, dict(name="multi_digits", n_rows=n_rows, hidden=hidden,
                         n_params=net.n_params, alpha=1e-2)


def regression_problem(quick=True, random_state=0):
    """Two-task conflicting regression (``conflict=0.5``) with a two-unit tanh trunk.

    The targets need three shared features, the trunk has two: the tasks must
    trade off. Returns ``(fun, x0, info)``; squared error plus L2 ``alpha = 1e-3``.
    """
    from skpareto._models import SharedTrunkNet
    from skpareto.datasets import make_conflicting_regression

    n_rows = 200 if quick else 1000
    X, Y = make_conflicting_regression(n_rows, n_features=5, n_tasks=2, conflict=0.5,
                                       random_state=random_state)
    net = SharedTrunkNet(X.shape[1], (2,), (1, 1), activation="tanh")
    fun = net.objective(X, [Y[:, 0], Y[:, 1]], ["squared_error", "squared_error"],
                        alpha=1e-3)
    x0 = net.init_params(random_state)
    return fun, x0, dict(name="regression", n_rows=n_rows, hidden=(2,),
                         n_params=net.n_params, alpha=1e-3)


# -- the estimator's problems: the demo and the conflicting regression -------------

def demo_data(random_state=0):
    """The data of ``python -m skpareto demo``: MultiDigits, 1,600 rows split in half.

    Returns ``(X_train, X_test, Y_train, Y_test)``, 800 rows each.
    """
    from sklearn.model_selection import train_test_split

    from skpareto.datasets import make_multi_digits

    X, Y = make_multi_digits(1600, random_state=random_state, return_X_y=True)
    return train_test_split(X, Y, test_size=0.5, random_state=random_state)


def demo_estimator(random_state=0, **params):
    """The demo's estimator: a trunk of 8 tanh units, ``alpha = 3e-2``, two log-loss tasks."""
    from skpareto import ParetoExplorer

    settings = dict(hidden_layer_sizes=(8,), alpha=3e-2, loss="log_loss",
                    random_state=random_state)
    return ParetoExplorer(**dict(settings, **params))


def estimator_start(est, X, Y):
    """``(fun, x0)`` of a fitted :class:`~skpareto.ParetoExplorer`: its training objective
    (losses plus penalty) and the parameters its stage 1 started from.

    ``x0`` is drawn as ``fit`` draws it (the same ``random_state``, the same
    head biases), so a training from scratch here starts where the estimator did.
    """
    from sklearn.utils import check_random_state

    y = est._validate_y(np.asarray(Y), len(X))
    biases = est._encode_targets(y, est.loss_)[3]
    x0 = est._net.init_params(check_random_state(est.random_state), head_biases=biases)
    return est.task_objectives(X, Y), x0


_DEMO_FITS = {}


def fit_demo(random_state=0):
    """The demo's estimator fitted on the demo's training rows, once per process.

    ``python -m benchmarks`` runs every benchmark in one process, and the demo
    fit is the slowest step of several of them: they share it. Returns a dict
    with ``est``, ``X_train``, ``X_test``, ``Y_train``, ``Y_test``,
    ``wall_seconds``, ``cpu_seconds`` (of the fit, BLAS on one thread as in the
    demo) and ``warnings`` (their messages).
    """
    import time
    import warnings

    if random_state not in _DEMO_FITS:
        X_train, X_test, Y_train, Y_test = demo_data(random_state)
        est = demo_estimator(random_state)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            wall, cpu = time.perf_counter(), time.process_time()
            est.fit(X_train, Y_train)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        _DEMO_FITS[random_state] = dict(
            est=est, X_train=X_train, X_test=X_test, Y_train=Y_train, Y_test=Y_test,
            wall_seconds=wall, cpu_seconds=cpu,
            warnings=[f"{w.category.__name__}: {w.message}" for w in caught])
    return _DEMO_FITS[random_state]
