"""Coverage of the default exploration on every problem (issue 16).

Each problem is explored once with the DEFAULT settings (``explore(fun, x0)``
for the analytic and pymoo problems, tolerance 1e-8; ``ParetoExplorer`` with
its defaults apart from what the problem sets, tolerance 1e-3, for the
networks), and the table reports what a user gets:

- points, and for each task the range of its weight over the points (a set
  followed to its ends covers 0 to 1, except where the set ends before: see
  the ZDT2-type problem below);
- hypervolume of the explored front against a reference: the exact value
  where it is known (Fonseca-Fleming, DTLZ2, the two problems defined here),
  else the hypervolume of a dense sample of the analytic front
  (``pareto_front(n)``: the convex quadratics), both for the reference point
  (1, ..., 1), or (the quadratics) the nadir of the dense front plus 10% of its
  range. For the networks no front is known: the reference is linear
  scalarization from the estimator's own start at 11 weights (41 with
  ``--full``), L-BFGS to the same tolerance, joined with the explored points
  (the best front either found), reference point the nadir of that union plus
  10% of its range. On two tasks the hypervolume of the continuous set
  (``front_at`` over ``trace(2000)``) is recorded as well;
- IGD (:func:`skpareto.metrics.igd`) to the reference front where one exists,
  printed in units of the reference front's largest range (for the networks:
  to the converged linear-scalarization points, a sparse reference, and IGD+,
  which does not count where the explored front is better, is saved too);
- the largest relative stationarity residual of a point, the number of points
  not dominated by another, and the cost in gradient-equivalents
  (``total_grad + 2 * total_hvp``, stage 1 and every rejected step included),
  wall-clock and CPU seconds.

Problems: ConvexQuadratic (n = 10; m = 2 and m = 3), Fonseca-Fleming (n = 10,
from ``linspace(-0.2, 0.25, 10)``), DTLZ2 (n = 6), pymoo's DTLZ2 (n = 6) through
``from_pymoo`` without and with its box as ``bounds``, the problems below,
the demo's MultiDigits network (``python -m skpareto demo``: 800 training rows,
a trunk of 8 tanh units, ``alpha = 3e-2``) and the conflicting regression
(``make_conflicting_regression(300, n_features=5, conflict=0.8)``) with
``ParetoExplorer()`` and with ``alpha=1e-5``.

- :class:`ConcaveInterior` (ZDT2-type): ``f = (1 + g) (u, 1 - u^2)`` with
  ``u = sin^2(pi x_0 / 2)`` and ``g = sum_{k>0} (x_k - 1/2)^2``. The front is
  ZDT2's, ``f_1 = 1 - f_0^2`` (concave: a weighted sum reaches only its ends),
  but the set ``0 <= x_0 <= 1``, ``x_k = 1/2`` lies inside the domain, so it is
  stationary. Along it the weights are ``(2u, 1) / (1 + 2u)``: task 0's weight
  covers only ``[0, 2/3]``; both ends (``u = 0`` and ``u = 1``) are points where
  both gradients vanish. Exact hypervolume 1/3.
- :class:`LinearDegenerate`: ``f = (u + g, 1 - u + g)``: a linear front
  ``f_0 + f_1 = 1``; every interior point is stationary for the weights
  (1/2, 1/2) only, so the weights cannot parameterize the set and the weighted
  Hessian is singular along it. Exact hypervolume 1/2.
- :class:`FlatPlane`: DTLZ1 with ``n = 7`` in its box ``[0, 1]^7``: the front
  is the plane ``f_0 + f_1 + f_2 = 1/2``, every point stationary for the weights
  (1/3, 1/3, 1/3), so the weights cannot space a lattice. Exact hypervolume
  ``1 - 1/48``.
- :class:`DuplicatedTask`: three tasks, the third a copy of the second (a
  front of one dimension).
- :class:`ZDT1`: ZDT1 in its box, whose set lies on the face ``x[1:] = 0`` (explored with
  ``bounds``). Exact hypervolume 2/3.
- :class:`ZDT3`: ZDT3 in its box, its set on the same face; the front in five
  pieces whose weights overlap (the reference: the curve's non-dominated part).
- :class:`AnisotropicQuadratics`: three quadratics, each stiff along its own
  axis (``A_i = I + 99 e_i e_i^T``), whose set moves far next to each face of
  the simplex for a little of the weights.

For three tasks or more each row also gives the share of the 231 weights of a
step-0.05 simplex grid that the continuous set covers, and of 500 uniform
random weights (a strip along the faces narrower than the grid's step is
missed by the grid alone).

Three-task networks (a second table): ``ParetoExplorer`` defaults apart from
the trunk on ``make_conflicting_regression(n, n_features, 3, conflict=0.8,
noise=0.1, random_state=0)`` for (n, n_features, hidden) = (30, 2, (2,)), (60, 3,
(4,)) and (100, 3, (8,)), a weakly regularized one (``alpha=1e-5``, hidden
(3,), ``random_state=1``) on ``make_conflicting_regression(50, 4, 3,
conflict=0.6, noise=0.2, random_state=3)``, and
``ParetoExplorer(loss="log_loss")`` on the three
binary labels of ``make_multilabel_classification(100, n_features=5,
n_classes=3, random_state=0)`` (features standardized): points, the share of the 231 weights of a step-0.05
simplex grid that the continuous set covers (:meth:`ParetoSet.contains`), the
weight range per task, the largest residual, the cost and the time. (``load_linnerud``
with three tasks is in ``bench_issue17.py``, (b).) With ``--full`` the table also has
networks of four and five targets (``make_regression(n, 5, n_targets=m, noise=10,
random_state=0)``, (n, m) = (80, 4) and (100, 5), hidden (4,)), whose faces are lattices
of their own; for every row a column gives the share of 500 random (Dirichlet) weights
covered, the grid has about 231 weights (220 for four tasks, 210 for five). At up to 60
covered random weights, each row checks the interpolated models against fixed-weight
Newton from them on the estimator's objectives: residual, how far Newton moves them, how
much it lowers the weighted loss.

Writes ``results/coverage.json``. Run ``python -m benchmarks coverage``.
"""

import sys
import time
import warnings
from pathlib import Path

import autograd.numpy as anp
import numpy as np
from threadpoolctl import threadpool_limits

from skpareto import explore
from skpareto._weights import simplex_lattice
from skpareto.metrics import hypervolume, igd, igd_plus, non_dominated
from skpareto.problems import DTLZ2, ConvexQuadratic, FonsecaFleming, Problem

if __package__ in (None, ""):  # run as a script: make the `benchmarks` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import clocked, describe_machine, save_json  # noqa: E402
from benchmarks.baselines import (estimator_start, fit_demo,  # noqa: E402
                                  linear_scalarization)


class _SineSplit(Problem):
    """Two objectives of ``u = sin^2(pi x_0 / 2)`` and ``g = sum_{k>0} (x_k - 1/2)^2``: the
    Pareto set is ``x_k = 1/2`` (k > 0), its front set by how the objectives combine them."""

    m = 2

    def __init__(self, n=6):
        self.n = int(n)
        self.x0 = np.concatenate([[0.4], np.linspace(0.2, 0.8, self.n - 1)])

    @staticmethod
    def _parts(x):
        return anp.sin(0.5 * np.pi * x[0]) ** 2, anp.sum((x[1:] - 0.5) ** 2)

    def distance_to_set(self, x):
        return float(np.linalg.norm(np.asarray(x)[1:] - 0.5))


class ConcaveInterior(_SineSplit):
    """ZDT2's concave front ``f_1 = 1 - f_0^2`` on a set inside the domain (see the module)."""

    name = "zdt2_interior"
    hypervolume = 1.0 / 3.0

    def fun(self, x):
        u, g = self._parts(x)
        return (1.0 + g) * anp.array([u, 1.0 - u ** 2])

    def pareto_front(self, n_points=100):
        t = np.linspace(0.0, 1.0, 16 * n_points + 1)
        return _even_along(np.column_stack([t, 1.0 - t ** 2]), n_points)


class LinearDegenerate(_SineSplit):
    """A linear front ``f_0 + f_1 = 1``, stationary for the weights (1/2, 1/2) only."""

    name = "linear_degenerate"
    hypervolume = 0.5

    def fun(self, x):
        u, g = self._parts(x)
        return anp.array([u + g, 1.0 - u + g])

    def pareto_front(self, n_points=100):
        t = np.linspace(0.0, 1.0, n_points)
        return np.column_stack([t, 1.0 - t])


class FlatPlane(Problem):
    """DTLZ1 (``n`` variables, three objectives): the front is the plane ``sum f = 1/2``,
    every point of it stationary for the weights (1/3, 1/3, 1/3); explored in the box
    ``[0, 1]^n``, where its set ``x_k = 1/2`` (k > 1) ends."""

    name = "dtlz1"
    m = 3
    hypervolume = 1.0 - 0.5 ** 3 / 6.0  # the unit cube less the corner under the plane

    def __init__(self, n=7):
        self.n = int(n)
        self.x0 = np.full(self.n, 0.5)

    def fun(self, x):
        g = 100.0 * (self.n - 2 + anp.sum((x[2:] - 0.5) ** 2
                                          - anp.cos(20.0 * np.pi * (x[2:] - 0.5))))
        return 0.5 * (1.0 + g) * anp.array([x[0] * x[1], x[0] * (1.0 - x[1]), 1.0 - x[0]])

    def pareto_front(self, n_points=100):
        k = int(np.ceil((np.sqrt(8 * n_points + 1) - 3) / 2))  # (k+1)(k+2)/2 >= n_points
        rows = [(a, b, k - a - b) for a in range(k + 1) for b in range(k + 1 - a)]
        return 0.5 * np.asarray(rows, dtype=float) / k

    def distance_to_set(self, x):
        return float(np.linalg.norm(np.asarray(x)[2:] - 0.5))


class DuplicatedTask(Problem):
    """Three convex tasks, the third a copy of the second: ``|x - a|^2, |x - b|^2, |x - b|^2``.

    The set is the segment ``x = t a + (1 - t) b`` and its front the curve
    ``L (1 - t)^2, L t^2, L t^2`` (``L = |a - b|^2``): one dimension, where three tasks
    give two. Each point is stationary for the segment of weights with
    ``w_0 = t``, any split of the rest between the twins.
    """

    name = "duplicated_task"
    m = 3
    hypervolume = None

    def __init__(self, n=3):
        self.n = int(n)
        rng = np.random.default_rng(0)
        self.a, self.b = rng.normal(size=self.n), rng.normal(size=self.n)
        self.x0 = np.zeros(self.n)

    def fun(self, x):
        twin = anp.sum((x - self.b) ** 2)
        return anp.array([anp.sum((x - self.a) ** 2), twin, twin])

    def pareto_front(self, n_points=100):
        t = np.linspace(0.0, 1.0, n_points)[:, None]
        return np.sum((self.a - self.b) ** 2) * np.hstack([(1 - t) ** 2, t ** 2, t ** 2])

    def distance_to_set(self, x):
        d = self.a - self.b
        t = np.clip((np.asarray(x) - self.b) @ d / (d @ d), 0.0, 1.0)
        return float(np.linalg.norm(np.asarray(x) - self.b - t * d))


class ZDT1(Problem):
    """ZDT1 in its box ``[0, 1]^n``: ``f = (x_0, g (1 - sqrt(x_0 / g)))``, ``g = 1 + 9 mean(x[1:])``.

    The set lies on the box's face ``x[1:] = 0``, where only ``x_0``'s gradients balance
    (explored with ``bounds``). The front is ``f_1 = 1 - sqrt(f_0)``; exact hypervolume 2/3
    for the reference point (1, 1).
    """

    name = "zdt1"
    m = 2
    hypervolume = 2.0 / 3.0
    bounds = (0.0, 1.0)

    def __init__(self, n=8):
        self.n = int(n)
        self.x0 = np.full(self.n, 0.5)

    def fun(self, x):
        g = 1.0 + 9.0 * anp.mean(x[1:])
        return anp.array([x[0], g * (1.0 - anp.sqrt(x[0] / g))])

    def pareto_front(self, n_points=100):
        f0 = np.linspace(0.0, 1.0, n_points)
        return np.column_stack([f0, 1.0 - np.sqrt(f0)])


class ZDT3(ZDT1):
    """ZDT3 in its box ``[0, 1]^n``: ``f = (x_0, g (1 - sqrt(x_0 / g) - x_0 / g sin(10 pi x_0)))``.

    The set lies on the face ``x[1:] = 0`` as ZDT1's; the front is the part of the curve
    ``f_1 = 1 - sqrt(f_0) - f_0 sin(10 pi f_0)`` that no other part dominates: five
    pieces, each stationary for a range of weights that overlaps the others'.
    """

    name = "zdt3"
    hypervolume = None

    def __init__(self, n=6):
        super().__init__(n)

    def fun(self, x):
        f0, g = x[0], 1.0 + 9.0 * anp.mean(x[1:])
        return anp.array([f0, g * (1.0 - anp.sqrt(f0 / g) - f0 / g * anp.sin(10.0 * anp.pi * f0))])

    def pareto_front(self, n_points=100):
        f0 = np.linspace(0.0, 1.0, 10 * n_points)
        f1 = 1.0 - np.sqrt(f0) - f0 * np.sin(10.0 * np.pi * f0)
        # sorted by f0: a point is dominated unless its f1 is below every f1 before it
        kept = f1 < np.minimum.accumulate(np.concatenate([[np.inf], f1[:-1]]))
        return np.column_stack([f0[kept], f1[kept]])


class AnisotropicQuadratics(Problem):
    """Three convex quadratics whose Hessians differ in shape:
    ``f_i = (x - e_i)^T A_i (x - e_i)``, ``A_i = I + 99 e_i e_i^T`` (n = 3).

    Each task is stiff along its own axis. The set is
    ``x(w) = (sum_i w_i A_i)^-1 sum_i w_i A_i e_i``, whose coordinate ``i`` is
    ``100 w_i / (1 + 99 w_i)``: it runs from 0 to half its range while ``w_i``
    goes from 0 to 1/101, so next to each face of the simplex the set (and the
    front) moves far for a little of the weights.
    """

    name = "anisotropic_quadratics"
    m = 3
    n = 3
    hypervolume = None

    def __init__(self):
        self.x0 = np.zeros(3)

    def fun(self, x):
        return anp.array([anp.sum((x - e) ** 2) + 99.0 * (x[i] - 1.0) ** 2
                          for i, e in enumerate(np.eye(3))])

    def pareto_set(self, weights):
        w = np.atleast_2d(weights)
        return 100.0 * w / (1.0 + 99.0 * w)

    def pareto_front(self, n_points=100):
        # weights cubed, then normalized: dense where the front moves fast, next to the faces
        grid = simplex_lattice(3, n_points) ** 3
        grid /= grid.sum(axis=1, keepdims=True)
        return np.array([self.fun(x) for x in self.pareto_set(grid)])


def _even_along(curve, n_points):
    """``n_points`` points equally spaced in arclength along a fine polyline."""
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(curve, axis=0), axis=1))])
    s = np.linspace(0.0, arc[-1], n_points)
    return np.column_stack([np.interp(s, arc, curve[:, j]) for j in range(curve.shape[1])])


def _pymoo_dtlz2():
    try:
        from pymoo.problems import get_problem

        from skpareto.problems import from_pymoo
    except ImportError:
        return None
    try:
        return from_pymoo(get_problem("dtlz2", n_var=6, n_obj=3))
    except ImportError:
        return None


def analytic_cases(quick):
    """``(name, problem, x0, bounds, reference point or None, exact hypervolume or None)``."""
    cases = [
        ("ConvexQuadratic n=10 m=2", ConvexQuadratic(n=10, m=2, random_state=0), None, None),
        ("ConvexQuadratic n=10 m=3", ConvexQuadratic(n=10, m=3, random_state=0), None, None),
        ("Fonseca-Fleming n=10", FonsecaFleming(n=10), np.linspace(-0.2, 0.25, 10), None),
        ("DTLZ2 n=6", DTLZ2(n=6), None, None),
    ]
    pymoo = _pymoo_dtlz2()
    if pymoo is None:
        print("[coverage] pymoo not installed: its DTLZ2 is skipped", flush=True)
    else:
        cases += [("pymoo DTLZ2 n=6", pymoo, None, None),
                  ("pymoo DTLZ2 n=6, bounds", pymoo, None, pymoo.bounds)]
    cases += [("ZDT2-type, interior set n=6", ConcaveInterior(6), None, None),
              ("linear front, degenerate n=6", LinearDegenerate(6), None, None),
              ("DTLZ1 n=7 (flat plane), bounds", FlatPlane(7), None, (0.0, 1.0)),
              ("duplicated task n=3 (a front of one dimension)", DuplicatedTask(3), None,
               None),
              ("anisotropic quadratics n=3", AnisotropicQuadratics(), None, None),
              ("ZDT1 n=8, bounds (a set on the box's face)", ZDT1(8), None, ZDT1.bounds),
              ("ZDT3 n=6, bounds (five pieces on the box's face)", ZDT3(6), None,
               ZDT3.bounds)]
    out = []
    for name, problem, x0, bounds in cases:
        exact = _exact_hypervolume(problem)
        # dense enough that the sample's hypervolume is within about 0.1% of the front's
        # (it approaches it from below: a ratio can exceed 1 by that much)
        ref_front = problem.pareto_front(2000 if problem.m == 2 else 5000)
        if exact is not None:
            ref_point = np.ones(problem.m)
        else:  # the quadratics: the nadir of a dense front plus 10% of its range
            ref_point = ref_front.max(axis=0) + 0.1 * np.ptp(ref_front, axis=0)
        out.append(dict(name=name, problem=problem, x0=problem.x0 if x0 is None else x0,
                        bounds=bounds, ref_front=ref_front, ref_point=ref_point,
                        exact_hv=exact))
    return out


def _exact_hypervolume(problem):
    if getattr(problem, "name", "").lower().startswith("pymoo:dtlz2"):
        return DTLZ2.hypervolume  # the same front, the unit sphere's positive octant
    return problem.hypervolume


def run_analytic(case):
    problem = case["problem"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        wall, cpu, pset = clocked(lambda: explore(problem.fun, case["x0"],
                                                  bounds=case["bounds"]))
    ref_point, ref_front = case["ref_point"], case["ref_front"]
    hv_ref = case["exact_hv"] if case["exact_hv"] is not None else hypervolume(ref_front,
                                                                                ref_point)
    row = _summary(case["name"], pset, wall, cpu, caught, ref_point, hv_ref, ref_front)
    row.update(reference="exact" if case["exact_hv"] is not None
               else f"pareto_front({len(ref_front)})")
    if hasattr(problem, "distance_to_set"):
        try:
            dist = np.array([problem.distance_to_set(x) for x in pset.params])
            row["max_distance_to_set"] = float(dist.max())
        except NotImplementedError:
            pass
    if case["bounds"] is not None:
        lo, hi = case["bounds"]
        slack = 1e-12 * (1.0 + np.abs(hi - lo))  # rounding at an active bound
        row["points_outside_bounds"] = int(np.sum(np.any((pset.params < lo - slack) |
                                                         (pset.params > hi + slack), axis=1)))
    elif getattr(problem, "bounds", None) is not None:  # pymoo without bounds: how many left
        lo, hi = problem.bounds
        row["points_outside_box"] = int(np.sum(np.any((pset.params < lo) | (pset.params > hi),
                                                      axis=1)))
    return row


def _summary(name, pset, wall, cpu, caught, ref_point, hv_ref, ref_front):
    front = pset.front
    hv = hypervolume(front, ref_point)
    row = dict(problem=name, n_params=int(pset.n_params), n_tasks=int(pset.n_tasks),
               n_points=int(pset.n_points),
               n_non_dominated=int(non_dominated(front).sum()),
               weight_min=pset.weights.min(axis=0).tolist(),
               weight_max=pset.weights.max(axis=0).tolist(),
               hypervolume=hv, reference_hypervolume=hv_ref,
               hypervolume_ratio=hv / hv_ref if hv_ref else float("nan"),
               reference_point=np.asarray(ref_point).tolist(),
               igd=igd(front, ref_front) if ref_front is not None else None,
               igd_plus=igd_plus(front, ref_front) if ref_front is not None else None,
               # in units of the reference front's largest range, comparable across problems
               igd_relative=(igd(front, ref_front) / np.max(np.ptp(ref_front, axis=0))
                             if ref_front is not None and len(ref_front) > 1 else None),
               max_residual=float(pset.residuals.max()),
               # more tasks: the share of a step-0.05 simplex grid the continuous set covers
               coverage=(float(pset.contains(simplex_lattice(pset.n_tasks, 231)).mean())
                         if pset.n_tasks >= 3 else None),
               # ... and of uniform random weights: a strip along the faces narrower than the
               # grid's step is uncovered for the grid's share alone
               random_coverage=(float(pset.contains(_random_weights(pset.n_tasks)).mean())
                                if pset.n_tasks >= 3 else None),
               total_grad=int(pset.total_grad), total_hvp=int(pset.total_hvp),
               grad_eq=int(pset.total_grad + 2 * pset.total_hvp),
               wall_seconds=wall, cpu_seconds=cpu,
               warnings=sorted({f"{w.category.__name__}: {str(w.message)[:160]}"
                                for w in caught}))
    if pset.n_tasks == 2 and pset.n_points > 1:
        try:
            w, pieces = pset.trace(2000)
            dense = pset.front_at(w, piece=pieces)
            row["hypervolume_continuous"] = hypervolume(dense, ref_point)
        except ValueError as exc:  # reported, not hidden: the continuous set is part of the API
            row["hypervolume_continuous"] = None
            row["trace_error"] = str(exc)[:200]
    return row


def _random_weights(m, size=500):
    """Uniform random weights on the simplex (Dirichlet(1, ..., 1)), the same every run."""
    return np.random.default_rng(0).dirichlet(np.ones(m), size)


def _fit(est, X, Y):
    """Fit ``est``, clocked, with the warnings it raised: what :func:`fit_demo` returns."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        wall, cpu, _ = clocked(lambda: est.fit(X, Y))
    return dict(est=est, X_train=X, Y_train=Y, wall_seconds=wall, cpu_seconds=cpu,
                warnings=[f"{w.category.__name__}: {w.message}" for w in caught])


def network_cases():
    """``(name, fit)`` of the three network rows; ``fit()`` returns what :func:`fit_demo` does."""
    from skpareto import ParetoExplorer
    from skpareto.datasets import make_conflicting_regression

    X, Y = make_conflicting_regression(300, n_features=5, conflict=0.8, random_state=0)

    def fit(est):
        return lambda: _fit(est, X, Y)

    return [
        ("MultiDigits (the demo)", fit_demo),
        ("conflicting regression, defaults", fit(ParetoExplorer(random_state=0))),
        ("conflicting regression, alpha=1e-5",
         fit(ParetoExplorer(alpha=1e-5, random_state=0))),
    ]


def three_task_cases():
    """``(name, X, Y, estimator settings)`` of the three-task networks."""
    from sklearn.datasets import make_multilabel_classification

    from skpareto.datasets import make_conflicting_regression

    cases = []
    for n, n_features, hidden in ((30, 2, (2,)), (60, 3, (4,)), (100, 3, (8,))):
        X, Y = make_conflicting_regression(n, n_features, 3, conflict=0.8, noise=0.1,
                                           random_state=0)
        cases.append((f"conflicting regression, 3 tasks, {n} rows, hidden {hidden}", X, Y,
                      dict(hidden_layer_sizes=hidden)))
    X, Y = make_conflicting_regression(50, 4, 3, conflict=0.6, noise=0.2, random_state=3)
    cases.append(("conflicting regression, 3 tasks, 50 rows, hidden (3,), alpha=1e-5", X, Y,
                  dict(hidden_layer_sizes=(3,), alpha=1e-5, random_state=1)))
    X, Y = make_multilabel_classification(n_samples=100, n_features=5, n_classes=3,
                                          random_state=0)
    cases.append(("3 labels, log-loss, 100 rows, hidden (16,)", (X - X.mean(0)) / X.std(0),
                  Y, dict(loss="log_loss")))
    return cases


def more_task_cases():
    """``(name, X, Y, estimator settings)`` of networks of four and five regression targets
    (``--full`` only: 3 and 7 minutes), whose faces are lattices of their own."""
    from sklearn.datasets import make_regression

    cases = []
    for n, m in ((80, 4), (100, 5)):
        X, Y = make_regression(n, 5, n_targets=m, noise=10, random_state=0)
        cases.append((f"make_regression, {m} targets, {n} rows, hidden (4,)", X, Y,
                      dict(hidden_layer_sizes=(4,))))
    return cases


def run_three_tasks(name, X, Y, settings):
    """One default fit of a network of three tasks or more: its coverage of a simplex grid
    of about 231 weights and of 500 random (Dirichlet) weights, its cost."""
    from skpareto import ParetoExplorer

    fitted = _fit(ParetoExplorer(**{"random_state": 0, **settings}), X, Y)
    pset = fitted["est"].pareto_set_
    grid = simplex_lattice(pset.n_tasks, 231)
    inside = _random_weights(pset.n_tasks)
    covered = pset.contains(inside)
    return dict(problem=name, n_points=int(pset.n_points),
                coverage=float(pset.contains(grid).mean()), n_grid=int(len(grid)),
                random_coverage=float(covered.mean()),
                **_interpolation_accuracy(fitted["est"], X, Y, inside[covered][:_ACCURACY_WEIGHTS]),
                weight_min=pset.weights.min(axis=0).tolist(),
                weight_max=pset.weights.max(axis=0).tolist(),
                max_residual=float(pset.residuals.max()),
                grad_eq=int(pset.total_grad + 2 * pset.total_hvp),
                wall_seconds=fitted["wall_seconds"], cpu_seconds=fitted["cpu_seconds"],
                warnings=sorted({w[:200] for w in fitted["warnings"]}))


# covered random weights at which a three-task row's interpolated models are checked
_ACCURACY_WEIGHTS = 60


def _interpolation_accuracy(est, X, Y, weights):
    """How near the set the continuous set's models are at ``weights`` (covered ones).

    For each, the interpolated model's relative stationarity residual, and
    fixed-weight Newton from it to the estimator's ``tol`` (the objectives
    from :meth:`ParetoExplorer.task_objectives`, not the set): how far that
    moves the parameters, relative to their norm, and how much it lowers the
    weighted loss, relative to it. Medians and maxima over the weights Newton
    converged at, and how many it did not.
    """
    from skpareto._hvp import value_and_jacobian
    from skpareto._stationary import newton_correct
    from skpareto.metrics import stationarity_residual

    fun = est.task_objectives(X, Y)
    rows = []
    for w in weights:
        x = est.pareto_set_.params_at(w)
        values, jac = value_and_jacobian(fun, x)
        res = newton_correct(fun, x, w, tol=est.tol, max_iter=30)
        if res.success:
            rows.append((stationarity_residual(jac, w), np.linalg.norm(res.x - x)
                         / np.linalg.norm(x), (w @ values - w @ res.objectives)
                         / abs(w @ res.objectives)))
    rows = np.array(rows).reshape(-1, 3)
    stats = {}
    for k, name in enumerate(("residual", "distance", "loss_gap")):
        stats[f"interp_{name}"] = ([float(np.median(rows[:, k])), float(rows[:, k].max())]
                                   if len(rows) else [float("nan")] * 2)
    return dict(stats, interp_checked=len(rows), interp_failed=len(weights) - len(rows))


def report_three_tasks(rows):
    print(f"{'problem':58s} {'pts':>5s} {'covered':>8s} {'random':>7s}  weight range per task"
          f"{'':13s}{'max res':>8s} {'grad-eq':>9s} {'wall s':>7s} {'cpu s':>7s}")
    for r in rows:
        print(f"{r['problem']:58s} {r['n_points']:5d} {r['coverage']:8.1%} "
              f"{r['random_coverage']:7.1%}  "
              f"{_fmt_range(r['weight_min'], r['weight_max']):34s} {r['max_residual']:8.1e} "
              f"{r['grad_eq']:9d} {r['wall_seconds']:7.1f} {r['cpu_seconds']:7.1f}", flush=True)
        print(f"    interpolated models at {r['interp_checked']} covered random weights "
              f"(median, max): residual {r['interp_residual'][0]:.1e}, "
              f"{r['interp_residual'][1]:.1e}; Newton moves them {r['interp_distance'][0]:.1e}, "
              f"{r['interp_distance'][1]:.1e} of their norm and lowers the weighted loss by "
              f"{r['interp_loss_gap'][0]:.1e}, {r['interp_loss_gap'][1]:.1e} of it"
              + (f"; did not converge at {r['interp_failed']}" if r["interp_failed"] else ""))
        for w in r["warnings"]:
            print(f"    warning: {w}")


def run_network(name, fitted, n_weights):
    est, X, Y = fitted["est"], fitted["X_train"], fitted["Y_train"]
    pset = est.pareto_set_
    # the reference: training from scratch (the estimator's own start) at evenly spaced
    # weights, to the same tolerance relative to the gradients there
    fun, x0 = estimator_start(est, X, Y)
    weights = np.column_stack([np.linspace(0, 1, n_weights), np.linspace(1, 0, n_weights)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        ls = linear_scalarization(fun, x0, weights, max_iter=5000, gtol=1e-7)
        ls_seconds = time.perf_counter() - t0
    ls_front = ls.front[ls.residuals <= 10 * est.tol]
    both = np.vstack([pset.front, ls_front]) if len(ls_front) else pset.front
    both = both[non_dominated(both)]
    ref_point = both.max(axis=0) + 0.1 * np.ptp(both, axis=0)
    row = _summary(name, pset, fitted["wall_seconds"], fitted["cpu_seconds"], [],
                   ref_point, hypervolume(both, ref_point), ls_front if len(ls_front) else None)
    row.update(reference=f"linear scalarization at {n_weights} weights joined with explore",
               warnings=sorted({w[:200] for w in fitted["warnings"]}),
               ls_points=int(len(ls_front)), ls_grad_eq=int(ls.total_cost),
               ls_seconds=ls_seconds, ls_hypervolume=hypervolume(ls_front, ref_point)
               if len(ls_front) else 0.0, tol=est.tol,
               estimator={k: (list(v) if isinstance(v, tuple) else v)
                          for k, v in est.get_params().items()
                          if k in ("hidden_layer_sizes", "alpha", "loss", "tol")})
    return row


def _fmt_range(lo, hi):
    return " ".join(f"[{a:.2f},{b:.2f}]" for a, b in zip(lo, hi))


def report(rows):
    header = (f"{'problem':38s} {'pts':>5s} {'nd':>5s}  weight range per task      "
              f"{'HV/ref':>7s} {'IGD/rng':>8s} {'max res':>8s} {'grad-eq':>9s} {'wall s':>7s} "
              f"{'cpu s':>7s}")
    print(header)
    for r in rows:
        igd_text = f"{r['igd_relative']:.2e}" if r["igd_relative"] is not None else "-"
        print(f"{r['problem']:38s} {r['n_points']:5d} {r['n_non_dominated']:5d}  "
              f"{_fmt_range(r['weight_min'], r['weight_max']):26s} "
              f"{r['hypervolume_ratio']:7.4f} {igd_text:>8s} {r['max_residual']:8.1e} "
              f"{r['grad_eq']:9d} {r['wall_seconds']:7.1f} {r['cpu_seconds']:7.1f}",
              flush=True)
        if r.get("coverage") is not None:
            print(f"    {r['coverage']:.1%} of a 231-weight simplex grid covered, "
                  f"{r['random_coverage']:.1%} of 500 random weights")
        for w in r["warnings"]:
            print(f"    warning: {w}")
        if r.get("trace_error"):
            print(f"    trace of the continuous set failed: {r['trace_error']}")


def main(quick=True):
    info = describe_machine("coverage")
    rows = []
    with threadpool_limits(1):
        for case in analytic_cases(quick):
            rows.append(run_analytic(case))
            report(rows[-1:])
        for name, fit in network_cases():
            rows.append(run_network(name, fit(), 11 if quick else 41))
            report(rows[-1:])
        three = []
        for case in three_task_cases() + ([] if quick else more_task_cases()):
            three.append(run_three_tasks(*case))
            report_three_tasks(three[-1:])
    print("\n[coverage] all problems, default settings:")
    report(rows)
    print("\n[coverage] networks of three tasks or more, default settings:")
    report_three_tasks(three)
    save_json("coverage.json", dict(machine=info, quick=quick, rows=rows, three_tasks=three))
    return rows


if __name__ == "__main__":
    main(quick="--full" not in sys.argv)
