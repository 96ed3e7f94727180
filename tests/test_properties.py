"""Property-based tests on random convex quadratics, and determinism of exploration.

For ``f_i = 1/2 (x - c_i)^T A_i (x - c_i)`` the Pareto set is known in closed
form, ``x(w) = (sum_i w_i A_i)^{-1} sum_i w_i A_i c_i``, so every property is
checked against an independent reference: the analytic set, SciPy's SLSQP on
the min-norm QP, the KKT conditions of that QP, and the monotonicity of the
weighted-sum solution map.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from skpareto import explore, min_norm_weights
from skpareto.problems import ConvexQuadratic

# MINRES may stop at a relative residual of ~1e-9 on the condition-100 problems; the
# tangents only predict, and every accepted point is checked against the analytic set
pytestmark = pytest.mark.filterwarnings("ignore:MINRES did not reach")

SETTINGS = dict(deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])

quadratics = st.builds(
    ConvexQuadratic,
    n=st.integers(1, 30),
    m=st.integers(2, 4),
    condition=st.sampled_from([1.0, 3.0, 10.0, 100.0]),
    random_state=st.integers(0, 2 ** 16),
)


def _slsqp_min_norm(jac):
    m = jac.shape[0]
    gram = jac @ jac.T
    res = minimize(lambda a: a @ gram @ a, np.full(m, 1.0 / m), jac=lambda a: 2 * gram @ a,
                   method="SLSQP", bounds=[(0.0, 1.0)] * m,
                   constraints=[dict(type="eq", fun=lambda a: a.sum() - 1.0)],
                   options=dict(ftol=1e-15, maxiter=500))
    return res.x


# -- min-norm weights -----------------------------------------------------------

@settings(max_examples=60, **SETTINGS)
@given(problem=quadratics, shift=st.floats(-3.0, 3.0), seed=st.integers(0, 2 ** 16))
def test_min_norm_weights_on_simplex_and_optimal(problem, shift, seed):
    x = np.random.default_rng(seed).normal(size=problem.n) + shift
    jac = np.einsum("ijk,ik->ij", problem.A, x[None, :] - problem.c)
    alpha = min_norm_weights(jac)
    # on the simplex
    assert alpha.shape == (problem.m,)
    assert np.all(alpha >= 0.0)
    assert abs(alpha.sum() - 1.0) <= 1e-12
    # optimal: no worse than SLSQP, and the KKT certificate of the QP holds
    gram = jac @ jac.T
    scale = np.max(np.diag(gram))
    ours = alpha @ gram @ alpha
    theirs = _slsqp_min_norm(jac)
    assert ours <= theirs @ gram @ theirs + 1e-10 * scale
    # (G alpha)_i >= alpha^T G alpha for every vertex i, with equality on the support
    grad = gram @ alpha
    assert np.all(grad >= ours - 1e-9 * scale)
    support = alpha > 1e-9
    np.testing.assert_allclose(grad[support], ours, atol=1e-9 * scale)


# -- exploration ----------------------------------------------------------------

def _explore(problem):
    # the default step size; a budget keeps three and four tasks quick
    n_steps = {2: None, 3: 2, 4: 1}[problem.m]
    return explore(problem.fun, problem.x0, n_steps=n_steps, max_points=40, tol=1e-12)


@settings(max_examples=15, **SETTINGS)
@given(problem=quadratics)
def test_explored_points_lie_on_the_analytic_set(problem):
    pset = _explore(problem)
    assert pset.n_points >= 1
    assert np.all(pset.weights >= 0.0)
    np.testing.assert_allclose(pset.weights.sum(axis=1), 1.0, atol=1e-12)
    for x, w, f in zip(pset.params, pset.weights, pset.front):
        target = problem.pareto_set(w)
        np.testing.assert_allclose(x, target, atol=1e-8 * (1.0 + np.linalg.norm(target)))
        np.testing.assert_allclose(f, problem.fun(x), rtol=1e-14, atol=1e-14)
    assert np.all(pset.residuals <= 1e-12)


@settings(max_examples=15, **SETTINGS)
@given(problem=quadratics)
def test_weights_are_monotone(problem):
    pset = _explore(problem)
    w, f = pset.weights, pset.front
    # the weighted-sum solution map is monotone: (w_a - w_b) . (f_a - f_b) <= 0 for all pairs
    # (add w_a.f_a <= w_a.f_b and w_b.f_b <= w_b.f_a)
    pair = np.einsum("abk,abk->ab", w[:, None] - w[None], f[:, None] - f[None])
    assert np.all(pair <= 1e-9 * (1.0 + np.abs(f).max()))
    # along each direction the weights move the way the tangent predicts: a step dw of
    # the weights moves the parameters along dx/dw . dw (the analytic set derivative)
    child = np.flatnonzero(pset.parents >= 0)
    for i in child:
        p = pset.parents[i]
        dw, dx = w[i] - w[p], pset.params[i] - pset.params[p]
        assert np.abs(dw).max() > 1e-6
        assert dx @ (dw @ problem.set_derivative(w[p])) > 0
    if problem.m == 2:
        # two tasks: sorted by the first weight, f_1 decreases while f_2 increases
        order = np.argsort(w[:, 0])
        assert np.all(np.diff(w[order, 0]) > 0)
        assert np.all(np.diff(f[order, 0]) < 0) and np.all(np.diff(f[order, 1]) > 0)


@settings(max_examples=15, **SETTINGS)
@given(problem=quadratics)
def test_params_at_explored_weights_is_exact(problem):
    pset = _explore(problem)
    np.testing.assert_array_equal(pset.params_at(pset.weights), pset.params)
    for x, w in zip(pset.params, pset.weights):
        np.testing.assert_array_equal(pset.params_at(w), x)


# -- determinism ----------------------------------------------------------------

_FIELDS = ("params", "front", "weights", "parents", "residuals", "n_grad", "n_hvp",
           "expanded")


def _assert_identical(a, b):
    assert a.n_points == b.n_points
    for name in _FIELDS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert (a.total_grad, a.total_hvp) == (b.total_grad, b.total_hvp)


@pytest.mark.parametrize("m", [2, 3])
def test_exploration_is_bit_for_bit_deterministic(m):
    problem = ConvexQuadratic(n=12, m=m, random_state=11)
    options = dict(n_steps=3, tol=1e-12)
    first = explore(problem.fun, problem.x0, **options)
    again = explore(problem.fun, problem.x0, **options)
    parallel = explore(problem.fun, problem.x0, n_jobs=2, **options)
    assert first.n_points > 2 * m
    _assert_identical(first, again)
    _assert_identical(first, parallel)
