"""The coverage benchmark's own problems: their analytic sets against autograd."""

import numpy as np
from autograd import jacobian

from benchmarks.bench_coverage import AnisotropicQuadratics
from skpareto._weights import simplex_lattice


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
