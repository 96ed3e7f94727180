"""Sanity checks of the RQ2 baselines on a convex quadratic with a known Pareto set."""

import numpy as np
import pytest

from benchmarks.baselines import (epo_search, linear_scalarization, mgda_restarts,
                                  pareto_mtl, preference_vectors, simplex_grid)
from skpareto.problems import ConvexQuadratic


@pytest.fixture(scope="module")
def problem():
    return ConvexQuadratic(n=4, m=2, condition=4.0, random_state=0)


def _distance_to_set(problem, x, weights):
    # x is Pareto-optimal for the quadratic iff x = x(w) for the w it is stationary for
    return np.linalg.norm(x - problem.pareto_set(weights))


def test_simplex_grid_and_preferences():
    grid = simplex_grid(3, 10)
    assert grid.shape == (10, 3)
    np.testing.assert_allclose(grid.sum(axis=1), 1.0, atol=1e-15)
    assert np.all(grid >= 0)
    prefs = preference_vectors(2, 5)
    np.testing.assert_allclose(np.linalg.norm(prefs, axis=1), 1.0, atol=1e-15)
    np.testing.assert_allclose(prefs[[0, -1]], [[1, 0], [0, 1]], atol=1e-15)


def test_linear_scalarization_reaches_weighted_minima(problem):
    weights = simplex_grid(2, 4)[1:-1]
    res = linear_scalarization(problem.fun, problem.x0, weights, gtol=1e-12)
    for x, w in zip(res.params, weights):
        assert np.linalg.norm(x - problem.pareto_set(w)) < 1e-6
    assert np.all(res.cost > 0)
    assert res.total_cost == res.cost.sum()


def test_mgda_restarts_reach_the_set(problem):
    rng = np.random.default_rng(0)
    starts = problem.x0 + rng.normal(size=(3, problem.n))
    res = mgda_restarts(problem.fun, starts, tol=1e-6, max_iter=3000)
    assert np.all(res.residuals <= 1e-6)
    for x in res.params:
        assert _distance_to_set(problem, x, problem.weights_of(x)) < 1e-6


def test_pareto_mtl_reaches_stationary_points(problem):
    res = pareto_mtl(problem.fun, problem.x0, preference_vectors(2, 3), n_iter=800,
                     n_init=50, lr=0.2)
    assert np.all(res.residuals < 1e-4)
    for x in res.params:
        assert _distance_to_set(problem, x, problem.weights_of(x)) < 1e-3
    # preference rays from (1, 0) to (0, 1): f1 falls and f2 rises along them
    assert np.all(np.diff(res.front[:, 0]) < 0)
    assert np.all(np.diff(res.front[:, 1]) > 0)


def test_epo_reaches_the_preferred_point(problem):
    prefs = np.array([[0.5, 0.5], [0.8, 0.2]])
    res = epo_search(problem.fun, problem.x0, prefs, n_iter=800, lr=0.2, eps=1e-7)
    assert np.all(res.residuals < 1e-4)
    for x, f, r in zip(res.params, res.front, prefs):
        assert _distance_to_set(problem, x, problem.weights_of(x)) < 1e-3
        rf = r * f
        # exact Pareto point for r, up to the non-uniformity eps: KL ~ delta^2 / 2
        assert abs(rf[0] - rf[1]) / rf.sum() < 2e-3
