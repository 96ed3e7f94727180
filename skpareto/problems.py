"""Analytic multi-objective problems with known Pareto sets.

These are the references that skpareto's tests, and other implementations,
are checked against. Each problem exposes ``fun`` (written with
``autograd.numpy``), ``n``, ``m``, ``x0``, the analytic set and, where known,
the exact hypervolume for the reference point ``(1, ..., 1)``.
"""

import autograd.numpy as anp
import numpy as np
from scipy.optimize import brentq

from ._weights import check_weights

__all__ = ["Problem", "ConvexQuadratic", "FonsecaFleming", "DTLZ2"]


class Problem:
    """Base class of the analytic problems.

    Attributes
    ----------
    name : str
        Short identifier (used by ``python -m skpareto verify``).
    n : int
        Number of parameters.
    m : int
        Number of objectives.
    x0 : ndarray of shape (n,)
        A starting point away from the Pareto set.
    hypervolume : float or None
        Exact hypervolume of the Pareto front for the reference ``(1, ..., 1)``,
        or None where it is not known in closed form.
    """

    name = ""
    hypervolume = None

    def fun(self, x):
        """Objectives ``(m,)`` at ``x`` (autograd-differentiable)."""
        raise NotImplementedError

    def __call__(self, x):
        return self.fun(x)

    def pareto_set(self, weights):
        """Point of the Pareto set that is stationary for ``weights`` (m,) -> (n,)."""
        raise NotImplementedError

    def distance_to_set(self, x):
        """Euclidean distance from ``x`` to the Pareto set (exact)."""
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}(n={self.n}, m={self.m})"


class ConvexQuadratic(Problem):
    """``f_i(x) = 1/2 (x - c_i)^T A_i (x - c_i)`` with symmetric positive definite ``A_i``.

    Parameters
    ----------
    n : int
        Number of parameters.
    m : int
        Number of objectives.
    condition : float, default=10.0
        Condition number of each random ``A_i``.
    random_state : int or None
        Seed of the random ``A_i`` and ``c_i``.
    hessians, centers : ndarray, optional
        Give ``A`` (m, n, n) and ``c`` (m, n) explicitly instead.

    Notes
    -----
    The Pareto set is ``x(w) = (sum_i w_i A_i)^{-1} sum_i w_i A_i c_i`` over the
    simplex, and ``dx/dw_j = -H^{-1} grad f_j(x(w))`` with ``H = sum w_i A_i``.
    """

    name = "quadratic"

    def __init__(self, n=5, m=2, condition=10.0, random_state=None, hessians=None,
                 centers=None):
        if hessians is None:
            rng = np.random.default_rng(random_state)
            hessians = np.empty((m, n, n))
            for i in range(m):
                q, _ = np.linalg.qr(rng.normal(size=(n, n)))
                eig = np.geomspace(1.0, condition, n)
                hessians[i] = (q * eig) @ q.T
            centers = rng.normal(size=(m, n))
        self.A = np.asarray(hessians, dtype=float)
        self.c = np.asarray(centers, dtype=float)
        self.m, self.n = self.c.shape
        self.x0 = self.c.mean(axis=0) + 1.0
        self.random_state = random_state

    def fun(self, x):
        d = x[None, :] - self.c
        return 0.5 * anp.einsum("ij,ijk,ik->i", d, self.A, d)

    def pareto_set(self, weights):
        w = check_weights(weights, self.m)
        H = np.einsum("i,ijk->jk", w, self.A)
        return np.linalg.solve(H, np.einsum("i,ijk,ik->j", w, self.A, self.c))

    def set_derivative(self, weights):
        """``dx/dw_j`` at ``x(w)`` as the (m, n) array ``-H^{-1} grad f_j``."""
        w = check_weights(weights, self.m)
        x = self.pareto_set(w)
        H = np.einsum("i,ijk->jk", w, self.A)
        grads = np.einsum("ijk,ik->ij", self.A, x[None, :] - self.c)
        return -np.linalg.solve(H, grads.T).T

    def weights_of(self, x):
        """Weights for which ``x`` is stationary (least squares on the simplex)."""
        grads = np.einsum("ijk,ik->ij", self.A, x[None, :] - self.c)
        from ._weights import min_norm_weights
        return min_norm_weights(grads)


class FonsecaFleming(Problem):
    """Fonseca-Fleming: two Gaussian wells, a concave front.

    ``f_{1,2}(x) = 1 - exp(-sum_k (x_k -+ 1/sqrt(n))^2)``.

    Parameters
    ----------
    n : int, default=10
        Number of parameters.

    Notes
    -----
    The Pareto set is the segment ``x = t * 1`` with ``|t| <= 1/sqrt(n)``; with
    ``u = sqrt(n) t`` the front is ``(1 - exp(-(u-1)^2), 1 - exp(-(u+1)^2))``,
    whatever ``n``. It is concave, so weighted-sum minimization reaches only
    its two ends. Far from the origin both gradients vanish (flat tails):
    points there look stationary but are dominated.
    """

    name = "fonseca_fleming"
    m = 2

    def __init__(self, n=10):
        self.n = int(n)
        self.a = 1.0 / np.sqrt(self.n)
        self.x0 = np.linspace(-0.3, 0.5, self.n) * self.a

    @property
    def hypervolume(self):
        from scipy.integrate import quad

        # area under the front f2(f1) inside the unit square, sweeping u
        def integrand(u):
            f2 = 1.0 - np.exp(-(u + 1.0) ** 2)
            df1 = 2.0 * (u - 1.0) * np.exp(-(u - 1.0) ** 2)  # d f1 / du
            return (1.0 - f2) * -df1

        value, _ = quad(integrand, -1.0, 1.0, epsabs=1e-13, epsrel=1e-13)
        # plus the strip 1 - f1(-1) = exp(-4) wide that the end u = -1 dominates
        return value + np.exp(-4.0)

    def fun(self, x):
        a = self.a
        return anp.array([1.0 - anp.exp(-anp.sum((x - a) ** 2)),
                          1.0 - anp.exp(-anp.sum((x + a) ** 2))])

    def set_at(self, t):
        """Point ``t * 1`` of the set, for ``|t| <= 1/sqrt(n)``."""
        return np.full(self.n, float(t))

    def weights_of_t(self, t):
        """Weights for which ``t * 1`` is stationary."""
        u = np.sqrt(self.n) * t
        e1, e2 = np.exp(-(u - 1.0) ** 2), np.exp(-(u + 1.0) ** 2)
        w1 = (u + 1.0) * e2 / ((u + 1.0) * e2 + (1.0 - u) * e1)
        return np.array([w1, 1.0 - w1])

    def _folds(self):
        """Values of u = sqrt(n) t where the weights turn back (dw1/du = 0)."""
        def w1(u):
            return self.weights_of_t(u / np.sqrt(self.n))[0]

        def slope(u, h=1e-7):
            return (w1(u + h) - w1(u - h)) / (2 * h)

        hi = brentq(slope, 0.1, 0.99, xtol=1e-14)
        return -hi, hi  # the weights are antisymmetric about u = 0

    def pareto_set_all(self, weights):
        """Every point of the set stationary for ``weights``: one or three.

        The weights fold along the set (they turn back at ``u = +-0.70``), so
        for a first weight between the fold values three points share it: one
        on each convex end and one on the concave middle. Returned in the
        order of ``t``, as an array of shape (k, n).
        """
        w = check_weights(weights, 2)
        if w[0] <= 0.0:
            return self.set_at(-self.a)[None, :]
        if w[0] >= 1.0:
            return self.set_at(self.a)[None, :]
        edges = [-1.0, *self._folds(), 1.0]
        points = []
        for lo, hi in zip(edges[:-1], edges[1:]):
            def gap(u):
                return self.weights_of_t(u / np.sqrt(self.n))[0] - w[0]
            if gap(lo) * gap(hi) <= 0.0:
                u = brentq(gap, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps)
                points.append(self.set_at(u / np.sqrt(self.n)))
        return np.array(points)

    def pareto_set(self, weights):
        """Point of the set stationary for ``weights``; on the middle branch where three are.

        See :meth:`pareto_set_all` for every branch.
        """
        points = self.pareto_set_all(weights)
        return points[len(points) // 2]

    def distance_to_set(self, x):
        t = np.clip(np.mean(x), -self.a, self.a)
        return float(np.linalg.norm(x - t))


class DTLZ2(Problem):
    """DTLZ2 with three objectives: a concave front on the unit sphere.

    ``f = (1 + g) (cos p1 cos p2, cos p1 sin p2, sin p1)`` with
    ``p_k = pi/2 x_k`` and ``g = sum_{k>=3} (x_k - 1/2)^2``.

    Parameters
    ----------
    n : int, default=6
        Number of parameters (at least 3).

    Notes
    -----
    The Pareto set is ``x_1, x_2 in [0, 1]``, ``x_k = 1/2`` otherwise; the front
    is the unit sphere's positive octant. A point ``f`` of the front is
    stationary for the weights ``f / sum(f)``. The problem is used without its
    box constraints, inside the region ``0 < x_1, x_2 < 1``. The hypervolume
    for the reference (1, 1, 1) is ``1 - pi/6``.
    """

    name = "dtlz2"
    m = 3
    hypervolume = 1.0 - np.pi / 6.0

    def __init__(self, n=6):
        if n < 3:
            raise ValueError(f"n must be at least 3 for DTLZ2, got {n}.")
        self.n = int(n)
        self.x0 = np.full(self.n, 0.3)
        self.x0[:2] = [0.4, 0.6]

    def fun(self, x):
        g = anp.sum((x[2:] - 0.5) ** 2)
        p1, p2 = 0.5 * np.pi * x[0], 0.5 * np.pi * x[1]
        return (1.0 + g) * anp.array([anp.cos(p1) * anp.cos(p2),
                                      anp.cos(p1) * anp.sin(p2), anp.sin(p1)])

    def pareto_set(self, weights):
        w = check_weights(weights, 3)
        f = w / np.linalg.norm(w)
        x = np.full(self.n, 0.5)
        x[0] = np.arcsin(np.clip(f[2], 0.0, 1.0)) * 2.0 / np.pi
        x[1] = np.arctan2(f[1], f[0]) * 2.0 / np.pi
        return x

    def distance_to_set(self, x):
        return float(np.linalg.norm(np.asarray(x)[2:] - 0.5))
