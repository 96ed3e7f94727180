"""Metrics of Pareto sets: stationarity residual, dominance and hypervolume."""

import numpy as np

from ._weights import _check_jac, min_norm_weights

__all__ = ["stationarity_residual", "hypervolume", "non_dominated"]


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
        Weights to test; default the min-norm weights (the smallest residual
        any weights reach).

    Returns
    -------
    residual : float
        0 when every gradient vanishes.

    Examples
    --------
    >>> stationarity_residual([[1.0, 0.0], [-1.0, 0.0]])
    0.0
    """
    jac = _check_jac(jac)
    if jac.shape[0] == 1:
        return float(np.linalg.norm(jac))
    w = min_norm_weights(jac) if weights is None else np.asarray(weights, dtype=float)
    scale = np.max(np.linalg.norm(jac, axis=1))
    if scale == 0.0:
        return 0.0
    return float(np.linalg.norm(jac.T @ w) / scale)


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
    le = np.all(front[:, None, :] <= front[None, :, :], axis=2)
    lt = np.any(front[:, None, :] < front[None, :, :], axis=2)
    dominates = le & lt  # dominates[i, j]: row i dominates row j
    return ~np.any(dominates, axis=0)


def hypervolume(front, reference=None):
    """Exact hypervolume dominated by a front (minimization).

    Parameters
    ----------
    front : array-like of shape (p, m)
        Objective vectors.
    reference : array-like of shape (m,), default=None
        Reference point; default all ones. Points not strictly better than it
        in every objective contribute nothing.

    Returns
    -------
    volume : float

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
