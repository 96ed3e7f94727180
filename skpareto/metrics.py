"""Metrics of Pareto sets: stationarity residual, dominance, hypervolume and IGD.

No scikit-learn here: :func:`front_hypervolume_scorer` only calls methods of
the estimator it is given.
"""

import numpy as np

from ._weights import (_by_power_of_two, _check_jac, check_weights, gradient_scale,
                       min_norm_weights, safe_norm)

__all__ = ["stationarity_residual", "hypervolume", "non_dominated", "igd", "igd_plus",
           "front_hypervolume_scorer"]

# rows of a front compared with all the others at once in non_dominated
_BLOCK = 1024


def stationarity_residual(jac, weights=None):
    """Relative Pareto-stationarity residual ``||jac.T w|| / max_i ||grad f_i||``.

    With a single objective the only weight is 1 and the relative residual
    would be 1 for any non-zero gradient, so the gradient norm itself is
    returned.

    Parameters
    ----------
    jac : array-like of shape (m, n)
        Jacobian of the objectives.
    weights : array-like of shape (m,), default=None
        Weights to test, on the probability simplex (non-negative, summing
        to one); default the min-norm weights (the smallest residual any
        weights reach).

    Returns
    -------
    residual : float
        0 when every gradient vanishes.

    Raises
    ------
    ValueError
        If ``jac`` is not a finite real 2-D array, or ``weights`` is not a
        point of the simplex with one entry per row of ``jac``.

    Examples
    --------
    >>> stationarity_residual([[1.0, 0.0], [-1.0, 0.0]])
    0.0
    """
    jac = _check_jac(jac)
    if weights is not None:
        weights = check_weights(weights, jac.shape[0])
    return _unchecked_residual(jac, weights)


def _unchecked_residual(jac, weights=None):
    """:func:`stationarity_residual` with ``weights`` unchecked beyond their shape.

    For the solvers, whose weights may leave the simplex by a little (a
    polish's, a corrector's) or lie off it (a scalarization's).
    """
    jac = _check_jac(jac)
    if jac.shape[0] == 1:
        return float(safe_norm(jac))
    if weights is None:
        w = min_norm_weights(jac)
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != (jac.shape[0],) or not np.all(np.isfinite(w)):
            raise ValueError(f"weights must be {jac.shape[0]} finite numbers, one per row of "
                             f"jac, got {np.asarray(weights)!r}.")
    peak = np.max(np.abs(jac))
    if peak == 0.0:
        return 0.0
    # by a power of two, exactly: the ratio is the same to the last bit, and neither the
    # squares nor the products overflow or underflow
    jac = _by_power_of_two(jac, peak)
    return float(np.linalg.norm(jac.T @ w) / gradient_scale(jac))


def non_dominated(front):
    """Boolean mask of the rows of ``front`` no other row dominates (minimization).

    Parameters
    ----------
    front : array-like of shape (p, m)

    Returns
    -------
    mask : ndarray of bool, shape (p,)
        Duplicated rows are all kept.
    """
    front = np.asarray(front, dtype=np.float64)
    mask = np.ones(len(front), dtype=bool)
    # rows in blocks: all pairs at once took p * p * m booleans (2.4 GB for 20,000 points)
    for start in range(0, len(front), _BLOCK):
        rows = front[None, start:start + _BLOCK, :]
        le = np.all(front[:, None, :] <= rows, axis=2)
        lt = np.any(front[:, None, :] < rows, axis=2)
        mask[start:start + _BLOCK] = ~np.any(le & lt, axis=0)  # [i, j]: i dominates j
    return mask


def hypervolume(front, reference=None):
    """Exact hypervolume dominated by a front (minimization).

    Parameters
    ----------
    front : array-like of shape (p, m)
        Objective vectors, without NaN or -inf (a point with an infinite
        objective, +inf, contributes nothing).
    reference : array-like of shape (m,), default=None
        Finite reference point; default all ones. Points not strictly better
        than it in every objective contribute nothing.

    Returns
    -------
    volume : float

    Raises
    ------
    ValueError
        If ``front`` is not 2-D or holds NaN or -inf, or ``reference`` has
        not one entry per column of ``front`` or is not finite.

    Notes
    -----
    Exact: a sorted sweep for m = 2 (O(p log p)) and slicing over the last
    objective for m >= 3 (O(p^2 log p) at m = 3: a few thousand points take
    about a second).

    Examples
    --------
    >>> hypervolume([[0.5, 0.5]])
    0.25
    """
    front = np.asarray(front, dtype=np.float64)
    if front.ndim != 2:
        raise ValueError(f"front must be a 2-D array (p, m), got ndim={front.ndim}.")
    m = front.shape[1]
    ref = np.ones(m) if reference is None else np.asarray(reference, dtype=np.float64)
    if ref.shape != (m,):
        raise ValueError(f"reference must have shape ({m},), got {ref.shape}.")
    # an infinite loss (+inf) is worse than any reference and adds nothing; NaN and -inf
    # have no volume to add
    if np.any(np.isnan(front) | (front == -np.inf)):
        raise ValueError("front contains NaN or -inf values.")
    if not np.all(np.isfinite(ref)):
        raise ValueError("reference contains NaN or infinite values.")
    pts = front[np.all(front < ref, axis=1)]
    return float(_hv(pts, ref))


def _hv(pts, ref):
    if len(pts) == 0:
        return 0.0
    m = pts.shape[1]
    if m == 1:
        return ref[0] - pts[:, 0].min()
    if m == 2:
        return _hv2(pts, ref)
    order = np.argsort(pts[:, -1], kind="stable")
    pts = pts[order]
    if m > 3:
        # dominated points never add volume; dropping them shortens the recursion
        pts = pts[non_dominated(pts)]
    volume = 0.0
    for i in range(len(pts)):
        upper = pts[i + 1, -1] if i + 1 < len(pts) else ref[-1]
        depth = upper - pts[i, -1]
        if depth > 0:
            volume += depth * _hv(pts[: i + 1, :-1], ref[:-1])
    return volume


def _hv2(pts, ref):
    """Two-objective sweep in O(p log p); dominated and repeated points add nothing."""
    pts = pts[np.lexsort((pts[:, 1], pts[:, 0]))]
    # best second objective among the points before each one (in first-objective order)
    best = np.minimum.accumulate(np.concatenate([[ref[1]], pts[:-1, 1]]))
    gain = np.clip(best - pts[:, 1], 0.0, None)
    return float(np.sum((ref[0] - pts[:, 0]) * gain))


def _check_front(front, name, m=None):
    front = np.asarray(front, dtype=np.float64)
    if front.ndim != 2 or front.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array (points, objectives), "
                         f"got shape {front.shape}.")
    if m is not None and front.shape[1] != m:
        raise ValueError(f"{name} must have {m} objectives (columns) like front, "
                         f"got {front.shape[1]}.")
    if not np.all(np.isfinite(front)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    return front


def _mean_min_distance(front, reference_front, plus):
    """Mean over the reference points of the distance to the nearest point of ``front``."""
    front = _check_front(front, "front")
    ref = _check_front(reference_front, "reference_front", front.shape[1])
    # blocks of reference points keep the (block, p, m) differences near 8 MB
    block = max(1, 2 ** 20 // front.size)
    total = 0.0
    for start in range(0, len(ref), block):
        diff = front[None, :, :] - ref[start:start + block, None, :]
        if plus:
            diff = np.maximum(diff, 0.0)  # only where the point is worse than the reference
        total += np.sqrt(np.einsum("rpm,rpm->rp", diff, diff).min(axis=1)).sum()
    return float(total / len(ref))


def igd(front, reference_front):
    r"""Inverted generational distance of a front to a reference front (lower is better).

    Parameters
    ----------
    front : array-like of shape (p, m)
        Objective vectors of the approximation (e.g. an explored front).
    reference_front : array-like of shape (r, m)
        Points spread over the true front, e.g. from
        :meth:`skpareto.problems.Problem.pareto_front`.

    Returns
    -------
    distance : float

    See Also
    --------
    igd_plus : the variant that is weakly Pareto compliant.

    Notes
    -----
    With ``Z`` the reference front and ``A`` the front [1]_,

    .. math::

       \mathrm{IGD}(A, Z) = \frac{1}{|Z|} \sum_{z \in Z}
       \min_{a \in A} \lVert a - z \rVert_2 .

    It is small only when every part of the reference front has a point of
    ``A`` nearby: it measures convergence and coverage at once, in the units
    of the objectives. It is not Pareto compliant: a front can get a better
    IGD by moving away from the true front.

    References
    ----------
    .. [1] C. A. Coello Coello, M. Reyes Sierra, "A Study of the
       Parallelization of a Coevolutionary Multi-objective Evolutionary
       Algorithm", MICAI 2004.

    Examples
    --------
    Two of three reference points are on the front, the third is
    ``sqrt(0.5)`` from it:

    >>> round(igd([[0.0, 1.0], [1.0, 0.0]], [[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]]), 6)
    0.235702
    """
    return _mean_min_distance(front, reference_front, plus=False)


def igd_plus(front, reference_front):
    r"""IGD+: the inverted generational distance counting only where a point is worse.

    Parameters
    ----------
    front : array-like of shape (p, m)
        Objective vectors of the approximation (minimization).
    reference_front : array-like of shape (r, m)
        Points spread over the true front.

    Returns
    -------
    distance : float
        0 when every reference point is weakly dominated by a point of ``front``.

    See Also
    --------
    igd

    Notes
    -----
    Ishibuchi et al. [1]_ replace the distance of :func:`igd` by

    .. math::

       d^+(z, a) = \Bigl(\sum_{i=1}^m \max(a_i - z_i, 0)^2\Bigr)^{1/2},
       \qquad
       \mathrm{IGD}^+(A, Z) = \frac{1}{|Z|} \sum_{z \in Z}
       \min_{a \in A} d^+(z, a),

    which is weakly Pareto compliant: a front that dominates another never
    gets a larger value. ``igd_plus <= igd`` always.

    References
    ----------
    .. [1] H. Ishibuchi, H. Masuda, Y. Tanigaki, Y. Nojima, "Modified Distance
       Calculation in Generational Distance and Inverted Generational
       Distance", EMO 2015.

    Examples
    --------
    Each point is worse than ``(0.5, 0.5)`` in one objective only, by 0.5:

    >>> round(igd_plus([[0.0, 1.0], [1.0, 0.0]], [[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]]), 6)
    0.166667
    """
    return _mean_min_distance(front, reference_front, plus=True)


def front_hypervolume_scorer(reference):
    """Scorer for model selection: hypervolume of the explored front on held-out data.

    Parameters
    ----------
    reference : array-like of shape (n_tasks,)
        Reference point of the hypervolume, one loss per task: models no
        better than it in every task add nothing. Fix it once for a whole
        search: hypervolumes are comparable only for the same reference
        point, which is why there is no default computed from the data. A
        reasonable choice is the loss of a constant prediction, per task:
        ``log(n_classes)`` for ``"log_loss"`` (uniform probabilities), 0.5
        for ``"squared_error"`` (half the variance of the targets, which the
        estimator standardizes).

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y) -> float``, the :func:`hypervolume` of
        ``estimator.held_out_front(X, y)`` (each explored model's mean loss
        per task on ``(X, y)``, without the training penalty) for
        ``reference``. Higher is better, as scikit-learn's model selection
        (``scoring=`` of :class:`~sklearn.model_selection.GridSearchCV`,
        :func:`~sklearn.model_selection.cross_val_score`) expects. A
        :class:`~sklearn.pipeline.Pipeline` whose last step is a
        :class:`~skpareto.ParetoExplorer` is scored through its last step,
        on ``X`` transformed by the steps before it.

    Raises
    ------
    ValueError
        If ``reference`` is not a finite 1-D array, or (when scoring) its
        length is not the number of tasks or the estimator has no
        ``held_out_front`` (it is not a :class:`~skpareto.ParetoExplorer`).

    Examples
    --------
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skpareto import ParetoExplorer
    >>> from skpareto.datasets import make_conflicting_regression
    >>> X, Y = make_conflicting_regression(120, n_features=3, conflict=0.8,
    ...                                    random_state=0)
    >>> scorer = front_hypervolume_scorer(reference=[0.5, 0.5])
    >>> search = GridSearchCV(
    ...     ParetoExplorer(hidden_layer_sizes=(2,), n_steps=2, step_size=0.1,
    ...                    max_iter=300, tol=1e-5, random_state=0),
    ...     {"alpha": [1e-3, 1e-1]}, scoring=scorer, cv=2).fit(X, Y)
    >>> bool(search.best_score_ > 0)
    True
    """
    reference = np.asarray(reference, dtype=np.float64)
    if reference.ndim != 1 or reference.size == 0 or not np.all(np.isfinite(reference)):
        raise ValueError("reference must be a non-empty 1-D array of finite losses, one "
                         f"per task, got {reference!r}.")

    def scorer(estimator, X, y):
        if hasattr(estimator, "steps"):  # a Pipeline: the explorer is its last step
            X = estimator[:-1].transform(X)
            estimator = estimator[-1]
        if not callable(getattr(estimator, "held_out_front", None)):
            raise ValueError(f"front_hypervolume_scorer scores the explored front of a "
                             f"ParetoExplorer (its held_out_front); got "
                             f"{type(estimator).__name__}.")
        return hypervolume(estimator.held_out_front(X, y), reference)

    return scorer
