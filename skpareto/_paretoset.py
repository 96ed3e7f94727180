"""ParetoSet: explored points of a Pareto set and the continuous set they span."""

import numpy as np

from ._weights import check_weights

__all__ = ["ParetoSet"]


class ParetoSet:
    """Points of a Pareto set found by exploration, and the continuous set between them.

    Parameters
    ----------
    params : array-like of shape (p, n)
        Explored parameter vectors.
    front : array-like of shape (p, m)
        Objectives at each point.
    weights : array-like of shape (p, m)
        Weights on the simplex for which each point is stationary.
    parents : array-like of int, shape (p,), default=None
        Index of the point each one was expanded from; -1 for a root.
    residuals : array-like of shape (p,), default=None
        Relative stationarity residual each point reached.
    n_grad, n_hvp : array-like of int, shape (p,), default=None
        Gradients and Hessian-vector products spent to find each point.
    expanded : array-like of bool, shape (p,), default=None
        Whether a point's neighbours have been explored already.
    fun : callable, default=None
        The objective, needed by :meth:`front_at`. It is not saved or pickled.

    Attributes
    ----------
    n_points : int
    n_params : int
    n_tasks : int
    total_grad, total_hvp : int
        Work spent by exploration, including rejected steps.
    """

    def __init__(self, params, front, weights, parents=None, residuals=None,
                 n_grad=None, n_hvp=None, expanded=None, fun=None):
        self.params = np.asarray(params, dtype=np.float64).reshape(len(params), -1)
        self.front = np.asarray(front, dtype=np.float64).reshape(len(params), -1)
        self.weights = np.asarray(weights, dtype=np.float64).reshape(self.front.shape)
        p = len(self.params)
        self.parents = (np.full(p, -1) if parents is None else np.asarray(parents)).astype(np.int64)
        self.residuals = (np.zeros(p) if residuals is None
                          else np.asarray(residuals, dtype=np.float64))
        self.n_grad = (np.zeros(p) if n_grad is None else np.asarray(n_grad)).astype(np.int64)
        self.n_hvp = (np.zeros(p) if n_hvp is None else np.asarray(n_hvp)).astype(np.int64)
        self.expanded = (np.zeros(p, bool) if expanded is None
                         else np.asarray(expanded, dtype=bool))
        self.total_grad = int(self.n_grad.sum())
        self.total_hvp = int(self.n_hvp.sum())
        self.fun = fun

    @property
    def n_points(self):
        return self.params.shape[0]

    @property
    def n_params(self):
        return self.params.shape[1]

    @property
    def n_tasks(self):
        return self.front.shape[1]

    def __len__(self):
        return self.n_points

    def __repr__(self):
        return (f"ParetoSet(n_points={self.n_points}, n_tasks={self.n_tasks}, "
                f"n_params={self.n_params})")

    def __getstate__(self):
        state = self.__dict__.copy()
        state["fun"] = None  # objectives often close over data; never pickle them
        return state

    def _append(self, x, values, weights, parent, residual, n_grad, n_hvp):
        """Add one accepted point (used by exploration; keeps the set valid)."""
        self.params = np.vstack([self.params, x[None, :]])
        self.front = np.vstack([self.front, values[None, :]])
        self.weights = np.vstack([self.weights, weights[None, :]])
        self.parents = np.append(self.parents, parent)
        self.residuals = np.append(self.residuals, residual)
        self.n_grad = np.append(self.n_grad, n_grad)
        self.n_hvp = np.append(self.n_hvp, n_hvp)
        self.expanded = np.append(self.expanded, False)
        self.total_grad += int(n_grad)
        self.total_hvp += int(n_hvp)
        return self.n_points - 1

    # -- the continuous set -------------------------------------------------

    def _segments(self):
        """Pieces for m = 2: consecutive points in the order of the first weight."""
        order = np.argsort(self.weights[:, 0], kind="stable")
        return order

    def _locate(self, w):
        """Pieces and barycentric coordinates of the weights ``w`` (q, m)."""
        if self.n_tasks != 2:
            raise NotImplementedError("params_at is implemented for two tasks only")
        order = self._segments()
        w1 = self.weights[order, 0]
        lo, hi = w1[0], w1[-1]
        q = w[:, 0]
        tol = 1e-12
        outside = (q < lo - tol) | (q > hi + tol)
        if np.any(outside):
            raise ValueError(
                f"weights outside the explored region: the first task's weight must lie "
                f"in [{lo:.6g}, {hi:.6g}], got {q[outside][0]:.6g}."
            )
        q = np.clip(q, lo, hi)
        right = np.clip(np.searchsorted(w1, q, side="left"), 1, max(len(w1) - 1, 1))
        if len(w1) == 1:
            return order[np.zeros((len(q), 1), int)], np.ones((len(q), 1))
        left = right - 1
        span = w1[right] - w1[left]
        frac = np.divide(q - w1[left], span, out=np.zeros_like(q), where=span > 0)
        idx = np.stack([order[left], order[right]], axis=1)
        bary = np.stack([1.0 - frac, frac], axis=1)
        return idx, bary

    def params_at(self, weights):
        """Parameters of the continuous set at given trade-offs.

        Parameters
        ----------
        weights : array-like of shape (m,) or (q, m)
            Points of the simplex inside the explored region.

        Returns
        -------
        params : ndarray of shape (n,) or (q, n)
            Convex combination of the explored points of the piece containing
            each weight, with barycentric coefficients in weight space.

        Raises
        ------
        ValueError
            If ``weights`` is malformed or outside the explored region; the
            message says which region is covered.
        """
        w = check_weights(weights, self.n_tasks, allow_2d=True)
        single = w.ndim == 1
        idx, bary = self._locate(np.atleast_2d(w))
        out = np.einsum("qk,qkn->qn", bary, self.params[idx])
        return out[0] if single else out

    def front_at(self, weights):
        """True objectives at :meth:`params_at` (not interpolated losses).

        Parameters
        ----------
        weights : array-like of shape (m,) or (q, m)

        Returns
        -------
        front : ndarray of shape (m,) or (q, m)

        Raises
        ------
        ValueError
            If ``fun`` is not set (e.g. after loading), or as :meth:`params_at`.
        """
        if self.fun is None:
            raise ValueError("front_at needs the objective: set pareto_set.fun = fun first.")
        params = self.params_at(weights)
        if params.ndim == 1:
            return np.asarray(self.fun(params), dtype=np.float64)
        return np.stack([np.asarray(self.fun(x), dtype=np.float64) for x in params])
