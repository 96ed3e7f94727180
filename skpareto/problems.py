"""Analytic multi-objective problems with known Pareto sets, and pymoo's problems.

These are the references that skpareto's tests, and other implementations,
are checked against. Each problem exposes ``fun`` (written with
``autograd.numpy``), ``n``, ``m``, ``x0``, the analytic set, points spread
over the exact front (:meth:`Problem.pareto_front`) and, where known, the
exact hypervolume for the reference point ``(1, ..., 1)``.
:func:`from_pymoo` wraps a problem of pymoo (an optional dependency) the same
way.
"""

import inspect
import threading

import autograd.numpy as anp
import numpy as np
from scipy.optimize import brentq

from ._weights import check_n_points, check_weights, simplex_lattice

__all__ = ["Problem", "ConvexQuadratic", "FonsecaFleming", "DTLZ2", "PymooProblem",
           "from_pymoo"]


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
        """Objectives at ``x`` (autograd-differentiable).

        Parameters
        ----------
        x : ndarray of shape (n,)

        Returns
        -------
        objectives : ndarray of shape (m,)
        """
        raise NotImplementedError

    def __call__(self, x):
        return self.fun(x)

    def pareto_set(self, weights):
        """Point of the Pareto set that is stationary for ``weights``.

        Parameters
        ----------
        weights : array-like of shape (m,)
            A point of the probability simplex.

        Returns
        -------
        x : ndarray of shape (n,)
        """
        raise NotImplementedError

    def distance_to_set(self, x):
        """Euclidean distance from ``x`` to the Pareto set (exact).

        Parameters
        ----------
        x : array-like of shape (n,)

        Returns
        -------
        distance : float
        """
        raise NotImplementedError

    def _set_curve(self, s):
        """Two objectives: the point of the set at ``s`` in [0, 1], the first loss rising."""
        return self.pareto_set([1.0 - s, s])

    def pareto_set_samples(self, n_points=100):
        """Points of the Pareto set whose objectives spread evenly over the front.

        Parameters
        ----------
        n_points : int, default=100
            Number of points asked for (at least ``m``).

        Returns
        -------
        params : ndarray of shape (p, n)
            Points of the analytic set, exact to rounding. Two objectives:
            ``p = n_points``, ordered by the first objective, equally spaced
            in arclength along the front (measured along a polyline at least
            16 times finer) and including both ends. Three or more: the set
            at the weights ``k / q`` for the integer vectors ``k >= 0``
            summing to ``q`` (the simplex lattice of Das and Dennis, pymoo's
            reference directions), with ``q`` the largest such that its
            ``comb(q + m - 1, m - 1)`` points fit in ``n_points``; the
            vertices are among them.

        Raises
        ------
        ValueError
            If ``n_points`` is not an integer of at least ``m``.
        """
        n_points = check_n_points(n_points, self.m)
        if self.m > 2:
            return np.array([self.pareto_set(w) for w in simplex_lattice(self.m, n_points)])
        # arclength of the front along a fine grid of s, inverted at equal spacings
        grid = np.linspace(0.0, 1.0, max(2049, 16 * n_points + 1))
        front = np.array([np.asarray(self.fun(self._set_curve(s)), float) for s in grid])
        arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(front, axis=0),
                                                              axis=1))])
        s = np.interp(np.linspace(0.0, arc[-1], n_points), arc, grid)
        return np.array([self._set_curve(t) for t in s])

    def pareto_front(self, n_points=100):
        """Points of the exact Pareto front, spread evenly: a reference for :func:`igd`.

        Parameters
        ----------
        n_points : int, default=100
            Number of points asked for (at least ``m``).

        Returns
        -------
        front : ndarray of shape (p, m)
            The objectives at :meth:`pareto_set_samples` (see there for ``p``
            and the spacing).

        Examples
        --------
        >>> from skpareto.problems import DTLZ2, FonsecaFleming
        >>> FonsecaFleming().pareto_front(50).shape
        (50, 2)
        >>> DTLZ2().pareto_front(100).shape  # the lattice of 13 partitions has 105 points
        (91, 3)
        """
        return np.array([np.asarray(self.fun(x), float)
                         for x in self.pareto_set_samples(n_points)])

    def __repr__(self):
        return f"{type(self).__name__}(n={self.n}, m={self.m})"


class ConvexQuadratic(Problem):
    """``f_i(x) = 1/2 (x - c_i)^T A_i (x - c_i)`` with symmetric positive definite ``A_i``.

    Parameters
    ----------
    n : int, default=5
        Number of parameters.
    m : int, default=2
        Number of objectives.
    condition : float, default=10.0
        Condition number of each random ``A_i``.
    random_state : int or None, default=None
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
        """``dx/dw_j`` at ``x(w)``: ``-H^{-1} grad f_j`` with ``H = sum_i w_i A_i``.

        Parameters
        ----------
        weights : array-like of shape (m,)

        Returns
        -------
        derivative : ndarray of shape (m, n)
            Row ``j``: the set's change per unit of ``w_j``.
        """
        w = check_weights(weights, self.m)
        x = self.pareto_set(w)
        H = np.einsum("i,ijk->jk", w, self.A)
        grads = np.einsum("ijk,ik->ij", self.A, x[None, :] - self.c)
        return -np.linalg.solve(H, grads.T).T

    def weights_of(self, x):
        """Weights for which ``x`` is stationary (least squares on the simplex).

        Parameters
        ----------
        x : array-like of shape (n,)

        Returns
        -------
        weights : ndarray of shape (m,)
            The min-norm weights of the gradients at ``x``.
        """
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
        """The point ``t * (1, ..., 1)`` of the set.

        Parameters
        ----------
        t : float
            Position along the set, ``|t| <= 1/sqrt(n)``.

        Returns
        -------
        x : ndarray of shape (n,)
        """
        return np.full(self.n, float(t))

    def _set_curve(self, s):
        # the weights fold along the set, so follow u = sqrt(n) t from 1 down to -1 instead
        return self.set_at(self.a * (1.0 - 2.0 * s))

    def weights_of_t(self, t):
        """Weights for which ``t * (1, ..., 1)`` is stationary.

        Parameters
        ----------
        t : float

        Returns
        -------
        weights : ndarray of shape (2,)
        """
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
        on each convex end and one on the concave middle.

        Parameters
        ----------
        weights : array-like of shape (2,)

        Returns
        -------
        points : ndarray of shape (k, n)
            In the order of ``t``; ``k`` is 1 or 3.
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


# pymoo selects its array module through one global switch; objectives evaluated
# from several threads at once must not switch it under each other
_PYMOO_BACKEND_LOCK = threading.RLock()


class PymooProblem(Problem):
    """A pymoo problem as an objective skpareto explores; made by :func:`from_pymoo`.

    Parameters
    ----------
    problem : pymoo.core.problem.Problem
        A problem of pymoo whose objectives autograd can differentiate (see
        :func:`from_pymoo`).

    Attributes
    ----------
    problem : pymoo.core.problem.Problem
        The wrapped problem.
    name : str
        ``"pymoo:"`` followed by pymoo's name of the problem.
    n, m : int
        Number of variables and of objectives.
    bounds : tuple of two ndarrays of shape (n,) or None
        pymoo's box ``(xl, xu)``, or None for a problem without one.
        skpareto explores without constraints: check that the points it
        finds lie inside.
    x0 : ndarray of shape (n,)
        The middle of the box (zeros without one).
    """

    def __init__(self, problem):
        self.problem = problem
        self.name = f"pymoo:{problem.name()}"
        self.n, self.m = int(problem.n_var), int(problem.n_obj)
        if problem.has_bounds():
            xl, xu = (np.broadcast_to(np.asarray(b, dtype=np.float64), (self.n,)).copy()
                      for b in problem.bounds())
            self.bounds = (xl, xu)
            self.x0 = 0.5 * (xl + xu)
        else:
            self.bounds = None
            self.x0 = np.zeros(self.n)

    def fun(self, x):
        """Objectives ``(m,)`` at ``x``, evaluated by pymoo with its autograd backend."""
        from pymoo import gradient

        with _PYMOO_BACKEND_LOCK:
            previous = gradient.active_backend
            gradient.activate("autograd")
            try:
                out = self.problem.do(anp.reshape(x, (1, self.n)), ["F"])
            finally:
                gradient.activate(previous)
        return anp.reshape(out["F"], (self.m,))

    def pareto_front(self, n_points=100):
        """pymoo's Pareto front of the problem, with about ``n_points`` points.

        Parameters
        ----------
        n_points : int, default=100
            Passed as ``n_pareto_points`` to problems that take it (ZDT);
            problems that take reference directions (DTLZ) get the simplex
            lattice of :meth:`Problem.pareto_set_samples`; others return
            pymoo's default sampling.

        Returns
        -------
        front : ndarray of shape (p, m)

        Raises
        ------
        NotImplementedError
            If pymoo knows no Pareto front for the problem, or its download
            (pymoo fetches some, e.g. DTLZ5's) failed.
        """
        n_points = check_n_points(n_points, self.m)
        takes = inspect.signature(self.problem._calc_pareto_front).parameters
        if "n_pareto_points" in takes:
            kwargs = dict(n_pareto_points=n_points)
        elif "ref_dirs" in takes:
            kwargs = dict(ref_dirs=simplex_lattice(self.m, n_points))
        else:
            kwargs = {}
        # pymoo caches the first front it computed, whatever the arguments
        try:
            front = self.problem.pareto_front(use_cache=False, set_cache=False, **kwargs)
        except OSError as exc:  # some fronts (DTLZ5, DTLZ6) are downloaded by pymoo
            raise NotImplementedError(
                f"pymoo downloads the Pareto front of {self.name}, and the download "
                f"failed ({exc}); compare against a front of your own.") from exc
        if front is None:
            raise NotImplementedError(f"pymoo has no Pareto front for {self.name}.")
        return np.asarray(front, dtype=np.float64)

    def pareto_set_samples(self, n_points=100):
        raise NotImplementedError("pymoo problems give their front (pareto_front), not "
                                  "points of their set.")


def from_pymoo(problem):
    """Turn a pymoo problem into an objective that skpareto explores.

    The objectives are evaluated by pymoo itself, through its autograd
    gradient backend (``pymoo.gradient``): problems written with
    ``pymoo.gradient.toolbox`` (pymoo's own test problems are) are
    differentiated by autograd, second derivatives included, so
    :func:`skpareto.explore` works on them.

    Parameters
    ----------
    problem : pymoo.core.problem.Problem
        An unconstrained problem with real variables (pymoo >= 0.6.1.6).

    Returns
    -------
    objective : PymooProblem
        ``objective.fun(x) -> (m,)`` for ``x`` of shape ``(n,)``, with ``n``,
        ``m``, ``x0`` (the middle of pymoo's box), ``bounds`` (``(xl, xu)``)
        and ``pareto_front(n_points)`` (pymoo's, where it has one).

    Raises
    ------
    ImportError
        If pymoo is not installed (``pip install skpareto[pymoo]``), or older
        than 0.6.1.6, whose gradient backend could not be switched after
        import.
    TypeError
        If ``problem`` is not a pymoo problem.
    ValueError
        If ``problem`` has constraints or no fixed number of real variables.

    Notes
    -----
    skpareto explores without constraints; pymoo's box is not enforced unless
    passed as ``bounds``. Problems whose Pareto set lies inside the box
    (DTLZ1-4: the distance variables at 0.5) are explored as they are. The ZDT
    problems have their set on the boundary of the box (the distance
    variables at 0), where the objectives are stationary in the other
    variables only: with ``bounds=objective.bounds``, :func:`skpareto.explore`
    follows it on that face of the box (ZDT1 and ZDT2 end to end; ZDT3, whose
    front has pieces that overlap in the weights, the pieces its starts lead
    to: pass one near each, as rows of ``x0``).

    Examples
    --------
    >>> import numpy as np
    >>> from pymoo.problems import get_problem
    >>> from skpareto import explore
    >>> from skpareto.problems import from_pymoo
    >>> objective = from_pymoo(get_problem("dtlz2", n_var=5, n_obj=3))
    >>> objective.x0
    array([0.5, 0.5, 0.5, 0.5, 0.5])
    >>> pset = explore(objective.fun, objective.x0, bounds=objective.bounds, n_steps=2)
    >>> bool(np.allclose(np.linalg.norm(pset.front, axis=1), 1.0))  # on the sphere
    True
    >>> xl, xu = objective.bounds
    >>> bool(np.all((xl <= pset.params) & (pset.params <= xu)))
    True
    """
    try:
        from pymoo import gradient
        from pymoo.core.problem import Problem as PymooBase
    except ImportError as exc:
        raise ImportError("from_pymoo needs pymoo >= 0.6.1.6: pip install skpareto[pymoo] "
                          "(pip install '.[pymoo]' in a checkout of skpareto), or pip "
                          "install pymoo.") from exc
    if not hasattr(gradient, "BACKENDS"):
        import pymoo

        raise ImportError("from_pymoo needs pymoo >= 0.6.1.6, whose gradient backend can be "
                          f"switched after import; found {pymoo.__version__}: pip install "
                          "--upgrade pymoo.")
    if not isinstance(problem, PymooBase):
        raise TypeError(f"problem must be a pymoo Problem, got {type(problem).__name__}.")
    if problem.n_ieq_constr or problem.n_eq_constr:
        raise ValueError(f"problem must be unconstrained: {problem.name()} has "
                         f"{problem.n_ieq_constr} inequality and {problem.n_eq_constr} "
                         "equality constraints, which skpareto does not handle.")
    if not isinstance(problem.n_var, (int, np.integer)) or problem.n_var < 1 or (
            problem.has_bounds() and isinstance(problem.xl, dict)):
        raise ValueError("problem must have a fixed number of real variables, got "
                         f"n_var={problem.n_var!r}.")
    return PymooProblem(problem)
