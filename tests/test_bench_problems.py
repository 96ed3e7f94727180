"""The coverage benchmark's own problems: their analytic sets against autograd."""

import numpy as np
import pytest
from autograd import jacobian

from benchmarks.bench_coverage import ZDT1, ZDT3, AnisotropicQuadratics
from skpareto._weights import simplex_lattice
from skpareto.metrics import non_dominated


def test_anisotropic_quadratics_set_is_stationary_for_its_weights():
    problem = AnisotropicQuadratics()
    jac = jacobian(problem.fun)
    weights = np.vstack([np.random.default_rng(0).dirichlet(np.ones(3), 20),
                         simplex_lattice(3, 10)])  # (the faces and vertices too)
    for w, x in zip(weights, problem.pareto_set(weights)):
        J = jac(x)
        # the weighted gradients cancel to rounding (J is up to ~200); a weight off by 1e-3
        # leaves about 0.1
        assert np.linalg.norm(w @ J) <= 1e-12 * np.linalg.norm(J)
        # and it is the minimum of the weighted sum (convex): no other x does better
        other = x + 1e-3 * np.random.default_rng(1).normal(size=3)
        assert w @ problem.fun(x) < w @ problem.fun(other)
    # the set's closed form: half of a coordinate's range at its task's weight 1/101
    np.testing.assert_allclose(problem.pareto_set([1 / 101, 0.0, 100 / 101])[0, 0], 0.5,
                               rtol=1e-12)
    front = problem.pareto_front(66)
    assert front.shape[1] == 3 and np.all(np.isfinite(front))


def test_zdt1_front_is_its_set_on_the_face():
    problem = ZDT1(8)
    t = np.linspace(0.0, 1.0, 11)
    values = np.array([problem.fun(np.r_[ti, np.zeros(7)]) for ti in t])
    front = problem.pareto_front(11)
    np.testing.assert_allclose(values, front, atol=1e-15)
    # the continuous front's area under the reference point (1, 1): 2/3
    fine = problem.pareto_front(200001)
    area = np.sum(np.diff(fine[:, 0]) * (1.0 - 0.5 * (fine[1:, 1] + fine[:-1, 1])))
    assert area == pytest.approx(problem.hypervolume, abs=1e-6)


def test_zdt3_front_is_the_non_dominated_part_of_its_curve():
    problem = ZDT3(6)
    front = problem.pareto_front(200)
    # the sorted scan against the library's own filter on the same curve
    f0 = np.linspace(0.0, 1.0, 2000)
    curve = np.array([problem.fun(np.r_[t, np.zeros(5)]) for t in f0])
    np.testing.assert_allclose(front, curve[non_dominated(curve)], atol=1e-12)
    # five pieces, the last ending at ZDT3's known f_0 = 0.8518
    gaps = np.flatnonzero(np.diff(front[:, 0]) > 0.01)
    assert len(gaps) == 4
    assert front[-1, 0] == pytest.approx(0.8518, abs=1e-3)
