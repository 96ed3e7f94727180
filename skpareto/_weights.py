"""Weights on the probability simplex: min-norm weights and validation."""

import itertools
from math import comb

import numpy as np

__all__ = ["min_norm_weights", "check_weights", "zero_sum_basis", "gradient_scale"]


def _check_jac(jac):
    try:
        jac = np.asarray(jac)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"jac must be a 2-D array of real numbers (m, n): {exc}") from None
    if jac.dtype.kind not in "biuf":
        raise ValueError(f"jac must hold real numbers, got dtype {jac.dtype}.")
    jac = jac.astype(np.float64, copy=False)
    if jac.ndim != 2:
        raise ValueError(f"jac must be a 2-D array (m, n), got ndim={jac.ndim}.")
    if jac.shape[0] < 1 or jac.shape[1] < 1:
        raise ValueError(
            f"jac must have at least one row (objective) and one column (parameter), "
            f"got shape {jac.shape}."
        )
    if not np.all(np.isfinite(jac)):
        raise ValueError("jac contains NaN or infinite values.")
    return jac


def shown_weights(weights):
    """``weights`` for a call a message suggests (``toward=...``): as given where they have 6
    decimals or fewer, else in full (``repr`` gives them back exactly).

    Rounded, the call reached the rounded weights and not the user's: a set expanded
    toward (0.395462, 0.593018, 0.01152) did not cover (0.39546199, 0.59301806,
    0.01151995), 5e-8 nearer the face where its ring ended. (Rounded alone, three weights
    also summed to 1.000001, and the call was refused.)
    """
    weights = np.asarray(weights, dtype=np.float64)
    short = np.round(weights, 6)
    return (short if np.array_equal(short, weights) else weights).tolist()


def min_norm_weights(jac):
    """Weights on the simplex minimizing the norm of the combined gradient.

    Solves the quadratic program of Pareto stationarity exactly.

    Parameters
    ----------
    jac : array-like of shape (m, n)
        Jacobian of the m objectives: row ``i`` is the gradient of ``f_i``.

    Returns
    -------
    alpha : ndarray of shape (m,)
        ``argmin ||jac.T @ alpha||**2`` over ``alpha >= 0, sum(alpha) = 1``.
        Where the minimizer is not unique (identical, parallel or zero
        gradients) a minimizer is returned; all are equally good.

    Raises
    ------
    ValueError
        If ``jac`` is not a finite real 2-D array with at least one row and
        one column.

    Notes
    -----
    With ``G = jac @ jac.T`` the problem is ``min alpha^T G alpha`` on the
    simplex. For m = 2 the solution has a closed form; for m >= 3 a primal
    active-set method (Wolfe's minimum-norm-point algorithm) terminates with
    the exact minimizer after finitely many steps. Both work on differences of
    gradients (least squares by QR) rather than on ``G``, so nearly identical
    gradients keep full accuracy, and ``jac`` is rescaled first by powers of
    two (exactly), so the result does not depend on its magnitude.

    References
    ----------
    .. [1] Desideri, "Multiple-gradient descent algorithm (MGDA) for
       multiobjective optimization", C. R. Math. 350 (2012).
    .. [2] Ma, Du, Matusik, "Efficient Continuous Pareto Exploration in
       Multi-Task Learning", ICML 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from skpareto import min_norm_weights
    >>> min_norm_weights(np.array([[1.0, 0.0], [0.0, 1.0]]))
    array([0.5, 0.5])
    """
    jac = _check_jac(jac)
    m = jac.shape[0]
    if m == 1:
        return np.ones(1)
    # scaled by powers of two (exactly, so that differences of nearly identical gradients
    # keep every bit) in two steps, so that neither the squares overflow nor underflow
    peak = np.max(np.abs(jac))
    if peak == 0.0:
        return np.full(m, 1.0 / m)
    jac = _by_power_of_two(jac, peak)
    jac = _by_power_of_two(jac, gradient_scale(jac))
    if m == 2:
        return _two_task_weights(jac)
    return _active_set_weights(jac)


def _by_power_of_two(a, size):
    """``a`` divided exactly by the power of two nearest above ``size`` (> 0)."""
    return np.ldexp(a, -np.frexp(size)[1])


# norms of vectors whose largest entry lies outside this range are taken scaled
_NORM_RANGE = (2.0 ** -500, 2.0 ** 500)


def safe_norm(a, axis=None):
    """``numpy.linalg.norm`` (2-norm), scaled by a power of two before squaring where the
    squares would leave the float range (gradients of 1e160 and more, an exponential far
    out, or of 1e-160 and less). A norm beyond the float range is inf, without numpy's
    overflow warning (entries near 1.8e308: a point far out on a run-off face)."""
    a = np.asarray(a, dtype=np.float64)
    size = np.abs(a)
    peak = np.max(size) if a.size else 0.0
    low = np.min(size[a != 0], initial=np.inf)
    if not np.isfinite(peak) or peak == 0.0 or (_NORM_RANGE[0] <= low
                                                and peak <= _NORM_RANGE[1]):
        return np.linalg.norm(a, axis=axis)
    # each norm scaled by its own peak: by the whole array's, a row of 1e-200 beside one of
    # 1e200 underflowed to 0
    peaks = np.max(size, axis=axis, keepdims=axis is not None)
    shift = np.frexp(np.where(peaks > 0, peaks, 1.0))[1]
    with np.errstate(over="ignore"):
        norms = np.linalg.norm(np.ldexp(a, -shift), axis=axis, keepdims=axis is not None)
        norms = np.ldexp(norms, shift)
    return norms if axis is None else np.squeeze(norms, axis=axis)


def gradient_scale(jac):
    """The largest norm of a task gradient (a row of ``jac``).

    The scale that makes the stationarity residual relative (see
    :func:`skpareto.metrics.stationarity_residual`).
    """
    return np.max(safe_norm(jac, axis=1))


# tasks' gradients farther apart than this: the set is explored in the objectives divided by
# their scales (see objective_scales), each task measured against its own scale too (two
# quadratics scaled 1e3 and 1e-3, gradients 1e8 apart: against the largest gradient alone,
# task 1's end passed at 2 % of its objective's range short of its minimum). Three spheres
# on scales 1, 10, 0.1 (gradients 96 times apart): 294 points, 7,137 gradient-equivalents,
# every random weight covered, the models within 0.0013 of the set, against 419 points,
# 33,804, 94 % and 0.098 as given; on 1, 3, 1/3 (9 times) they stay as given (368 points,
# every weight covered)
_CHART_RANGE = 10.0


def objective_scales(norms):
    """Scales to divide the objectives by before exploring, or None where the tasks'
    gradients lie within ``_CHART_RANGE`` of one another.

    Farther apart, the set lies in a corner of the weights as given (three
    least squares scaled 1e2, 1 and 1e-2: equal shares of each scaled loss
    are at weights about (1e-4, 0.01, 0.99)), and the front's coordinates hardly
    see the small task: exploring them covered 19 % of the set counted in the
    scaled losses' weights. Divided by these scales the objectives are
    alike, and the set is explored evenly in their weights.

    Parameters
    ----------
    norms : array-like of shape (k, m)
        Each task's gradient norm at ``k`` points: the start, whose gradients may be
        far apart, and the first stage-1 point, whose weighted gradients balance (a
        start at one task's minimum has that task's gradient at its size there).

    Returns
    -------
    scales : ndarray of shape (m,) or None
        Each task's largest norm over the largest of all (a task whose
        gradient vanished at every point: 1), or None where every one is at
        least ``1 / _CHART_RANGE``.
    """
    norms = np.max(np.asarray(norms, dtype=np.float64), axis=0)
    top = np.max(norms)
    if not (np.isfinite(top) and top > 0):
        return None
    scales = np.where(norms > 0, norms, top) / top
    return None if np.all(_CHART_RANGE * scales >= 1.0) else scales


def scaled_weights(weights, scales, inverse=False):
    """Weights (rows) of the objectives as given, in those of the objectives divided by
    ``scales``: ``w * scales`` normalized (``inverse``: back, ``w / scales`` normalized).

    A point stationary for one is for the other (the weighted gradients differ by a
    positive factor), and the map takes a piece of the simplex to a piece.
    """
    weights = np.asarray(weights, dtype=np.float64)
    moved = weights / scales if inverse else weights * scales
    return moved / moved.sum(axis=-1, keepdims=True)


def residual_scale(jac, weights, scales=None):
    """What the relative stationarity residual divides ``||J^T w||`` by.

    The largest task gradient's norm (see
    :func:`skpareto.metrics.stationarity_residual`); with ``scales``
    (each task's scale: :func:`objective_scales`, or their inverses in the
    objectives divided by them), the smaller of that and the same norm of the
    problem with each objective divided by its scale, at the weights that
    problem has, ``sum_i |w_i| s_i * max_i ||g_i|| / s_i``: the residual is
    the larger of the two, so a point within ``tol`` is within it as the
    metric measures it, and each task is measured against its own scale.
    """
    norms = safe_norm(np.asarray(jac, dtype=np.float64), axis=1)
    scale = np.max(norms)
    if scales is None:
        return scale
    return min(scale, float(np.abs(weights) @ scales) * np.max(norms / scales))


def _two_task_weights(jac):
    # minimize ||g2 + a (g1 - g2)||^2; the difference is formed before squaring so
    # that nearly identical gradients do not cancel catastrophically in a Gram matrix
    diff = jac[0] - jac[1]
    denom = diff @ diff
    if denom == 0.0:
        return np.array([0.5, 0.5])
    a = float(np.clip(-(jac[1] @ diff) / denom, 0.0, 1.0))
    return np.array([a, 1.0 - a])


def _affine_minimizer(jac, free):
    """Minimize ||jac.T a|| over the affine hull {sum a = 1} of the rows ``free``.

    Solved as least squares on the differences to the first free row (QR, not
    normal equations), which keeps nearly identical gradients accurate.
    """
    ref, others = free[0], free[1:]
    if not others:
        return np.ones(1)
    diffs = (jac[others] - jac[ref]).T
    coef = np.linalg.lstsq(diffs, -jac[ref], rcond=None)[0]
    return np.concatenate([[1.0 - coef.sum()], coef])


def _active_set_weights(jac, tol=1e-14):
    """Wolfe's minimum-norm-point algorithm on the rows of ``jac`` (max row norm 1)."""
    m = jac.shape[0]
    start = int(np.argmin(np.sum(jac ** 2, axis=1)))
    alpha = np.zeros(m)
    alpha[start] = 1.0
    free = [start]
    for _ in range(50 * m):
        # optimality: (g_i - p) . p >= 0 for every row g_i, with p = jac.T alpha
        point = jac.T @ alpha
        # each row's slack relative to its own distance from the point: rows 1e8 shorter
        # than the longest (tasks on scales far apart) passed an absolute test near a
        # stationary point, and never entered
        gaps = jac - point
        slack = (gaps @ point) / np.maximum(np.linalg.norm(gaps, axis=1) * np.linalg.norm(point),
                                            np.finfo(float).tiny)
        enter = int(np.argmin(slack))
        if slack[enter] >= -tol or enter in free:
            break
        free.append(enter)
        while True:
            target = np.zeros(m)
            target[free] = _affine_minimizer(jac, free)
            if np.all(target[free] > tol):
                alpha = target
                break
            # move towards target until the first free weight reaches zero
            step = alpha[free] - target[free]
            blocking = step > 0
            ratios = np.full(len(free), np.inf)
            ratios[blocking] = alpha[free][blocking] / step[blocking]
            theta = min(1.0, float(np.min(ratios)))
            alpha = alpha + theta * (target - alpha)
            leave = [i for i in free if alpha[i] <= tol]
            free = [i for i in free if alpha[i] > tol]
            alpha[leave] = 0.0
            if not free:  # numerical corner: restart from the best vertex
                free = [enter]
                alpha = np.zeros(m)
                alpha[enter] = 1.0
                break
    alpha = np.maximum(alpha, 0.0)
    return alpha / alpha.sum()


def check_weights(weights, n_tasks, name="weights", allow_2d=False, rounding=None):
    """Validate weights on the probability simplex.

    Parameters
    ----------
    weights : array-like of shape (n_tasks,) or (q, n_tasks)
        Candidate weights; 2-D only if ``allow_2d``.
    n_tasks : int
        Number of objectives.
    name : str
        Name of the argument, used in error messages.
    allow_2d : bool
        Whether a stack of weight vectors is accepted.
    rounding : float, default=None
        How far below zero each weight, and how far from one their sum, may
        lie (a solver's rounding); default 1e-12 and 1e-8. The sum may also lie
        ``n_tasks`` times the machine epsilon of the weights' own float type from one
        (float32 weights: the rounding of each).

    Returns
    -------
    weights : ndarray of float64
        The same weights, as a float64 array, negatives clipped to zero.

    Raises
    ------
    ValueError
        If the weights have the wrong shape, are not finite, are negative or
        do not sum to one (within ``rounding``).
    """
    try:
        w = np.asarray(weights)
    except ValueError:  # rows of different lengths
        raise ValueError(f"{name} must be an array of shape ({n_tasks},)"
                         f"{f' or (q, {n_tasks})' if allow_2d else ''}: its rows have "
                         "different lengths.") from None
    if w.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold real numbers, got dtype {w.dtype}.")
    # weights given in a lower precision sum to one only to that precision's rounding
    precision = np.finfo(w.dtype).eps if w.dtype.kind == "f" else 0.0
    w = w.astype(np.float64)
    ndims = (1, 2) if allow_2d else (1,)
    shape = f"({n_tasks},)" + (f" or (q, {n_tasks})" if allow_2d else "")
    if w.ndim not in ndims or w.shape[-1] != n_tasks:
        raise ValueError(
            f"{name} must have shape {shape}, one entry per task; got shape {w.shape}."
        )
    if not np.all(np.isfinite(w)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    below, off = (1e-12, 1e-8) if rounding is None else (rounding, rounding)
    off = max(off, n_tasks * precision)
    if np.any(w < -below):
        raise ValueError(f"{name} must be non-negative; got a minimum of {w.min():g}.")
    sums = w.sum(axis=-1)
    if np.any(np.abs(sums - 1.0) > off):
        raise ValueError(
            f"{name} must sum to one (a point of the probability simplex); "
            f"got sum(s) {np.atleast_1d(sums)[:3]}."
        )
    return np.clip(w, 0.0, None)


def onto_simplex(weights):
    """Weights with the negative ones set to zero and the rest rescaled to sum to one.

    For weights on the simplex's plane that left it by a little (a
    corrector's or a prediction's), so that at least one stays positive.
    """
    w = np.clip(weights, 0.0, None)
    return w / w.sum()


def onto_plane(weights):
    """Weights shifted evenly to sum to one: onto the simplex's plane.

    For weights changed by a zero-sum step formed as a difference of large
    terms (rates of 1e14 where a Hessian is nearly singular), whose sum is
    off by their rounding (0.01 measured), not by the method.
    """
    w = np.asarray(weights, dtype=float)
    return w + (1.0 - w.sum()) / w.size


def zero_sum_basis(n_tasks):
    """Orthonormal basis of the zero-sum subspace of R^m.

    Parameters
    ----------
    n_tasks : int
        Dimension m.

    Returns
    -------
    basis : ndarray of shape (m - 1, m)
        Orthonormal rows, each summing to zero. For m = 2 this is
        ``[[1, -1]] / sqrt(2)``: moving along it shifts weight from the
        first task to the second.
    """
    m = int(n_tasks)
    if m < 2:
        return np.zeros((0, m))
    # Helmert-like basis: row k contrasts task k with the tasks after it.
    basis = np.zeros((m - 1, m))
    for k in range(m - 1):
        basis[k, k] = m - 1 - k
        basis[k, k + 1:] = -1.0
        basis[k] /= np.linalg.norm(basis[k])
    return basis


def check_n_points(n_points, m):
    """``n_points`` as an int, at least ``m``: a number of weights spread over the simplex."""
    if (isinstance(n_points, bool) or not isinstance(n_points, (int, np.integer))
            or n_points < m):
        raise ValueError(f"n_points must be an integer >= {m} (the number of objectives), "
                         f"got {n_points!r}.")
    return int(n_points)


def lattice_divisions(m, n_points):
    """The largest ``p >= 1`` whose simplex lattice of ``m`` tasks (spacing ``1 / p``) has at
    most ``n_points`` weights (1 if none has, or for one task: every lattice is its weight 1)."""
    if m == 1:
        return 1
    p = 1
    while comb(p + m, m - 1) <= n_points:  # the number of weights at spacing 1 / (p + 1)
        p += 1
    return p


def lattice_size(m, spacing):
    """The number of weights of the simplex lattice of ``m`` tasks whose spacing ``1 / p`` is
    nearest ``spacing`` (see :func:`simplex_lattice`)."""
    p = max(int(round(1.0 / spacing)), 1)
    return comb(p + m - 1, m - 1)


def simplex_lattice(m, n_points):
    """The largest simplex lattice (Das and Dennis) of at most ``n_points`` weights.

    The weights ``k / p`` for the integer vectors ``k >= 0`` summing to ``p``:
    ``comb(p + m - 1, m - 1)`` points, the vertices among them, with ``p`` the
    largest that fits in ``n_points``.
    """
    n_points = check_n_points(n_points, m)
    p = lattice_divisions(m, n_points)
    # stars and bars: m - 1 bars among p + m - 1 slots split p into m parts
    rows = [np.diff([-1, *bars, p + m - 1]) - 1
            for bars in itertools.combinations(range(p + m - 1), m - 1)]
    return np.asarray(rows, dtype=np.float64) / p
