"""The analytic problems: their sets are Pareto-stationary, their hypervolumes are right."""

import numpy as np
import pytest
from autograd import jacobian

from skpareto.metrics import hypervolume, stationarity_residual
from skpareto.problems import DTLZ2, ConvexQuadratic, FonsecaFleming

PROBLEMS = [
    ConvexQuadratic(n=6, m=2, random_state=0),
    ConvexQuadratic(n=7, m=3, condition=100.0, random_state=1),
    ConvexQuadratic(n=5, m=4, random_state=2),
    FonsecaFleming(n=10),
    FonsecaFleming(n=3),
    DTLZ2(n=6),
]


def _random_weights(rng, m, size):
    # interior points of the simplex, plus its vertices
    w = rng.dirichlet(np.ones(m), size=size)
    return np.vstack([w, np.eye(m)])


@pytest.mark.parametrize("problem", PROBLEMS, ids=repr)
def test_analytic_set_is_pareto_stationary(problem):
    rng = np.random.default_rng(0)
    jac_fun = jacobian(problem.fun)
    for w in _random_weights(rng, problem.m, 20):
        x = problem.pareto_set(w)
        assert x.shape == (problem.n,)
        jac = jac_fun(x)
        # stationary for the very weights it was asked for
        assert stationarity_residual(jac, w) <= 1e-10
        if not isinstance(problem, ConvexQuadratic):
            assert problem.distance_to_set(x) <= 1e-12


@pytest.mark.parametrize("m", [2, 3])
def test_quadratic_set_is_the_weighted_minimizer(m):
    # independent reference: the minimizer of the weighted sum solves a dense linear system
    problem = ConvexQuadratic(n=5, m=m, random_state=4)
    w = np.random.default_rng(1).dirichlet(np.ones(m))
    H = sum(wi * A for wi, A in zip(w, problem.A))
    b = sum(wi * A @ c for wi, A, c in zip(w, problem.A, problem.c))
    np.testing.assert_allclose(problem.pareto_set(w), np.linalg.solve(H, b), rtol=1e-12)


@pytest.mark.parametrize("m", [2, 3, 4])
def test_quadratic_set_derivative_matches_finite_differences(m):
    problem = ConvexQuadratic(n=6, m=m, condition=30.0, random_state=m)
    rng = np.random.default_rng(m)
    h = 1e-5
    for w in rng.dirichlet(3 * np.ones(m), size=5):
        deriv = problem.set_derivative(w)  # (m, n): dx/dw_j
        assert deriv.shape == (m, problem.n)
        for _ in range(3):
            d = rng.normal(size=m)
            d -= d.mean()  # stay on the simplex
            d *= 0.1 / np.abs(d).max()
            fd = (problem.pareto_set(w + h * d) - problem.pareto_set(w - h * d)) / (2 * h)
            np.testing.assert_allclose(d @ deriv, fd, rtol=1e-6, atol=1e-9)


def test_fonseca_fleming_weights_of_t_is_stationary():
    problem = FonsecaFleming(n=10)
    jac_fun = jacobian(problem.fun)
    for t in np.linspace(-problem.a, problem.a, 21):
        w = problem.weights_of_t(t)
        assert stationarity_residual(jac_fun(problem.set_at(t)), w) <= 1e-12
        assert np.all(w >= 0) and abs(w.sum() - 1) <= 1e-15


def _fonseca_front(u):
    return np.stack([1 - np.exp(-(u - 1) ** 2), 1 - np.exp(-(u + 1) ** 2)], axis=1)


@pytest.mark.parametrize("n", [2, 10])
def test_fonseca_fleming_hypervolume(n):
    problem = FonsecaFleming(n=n)
    exact = problem.hypervolume
    assert abs(exact - 0.34211) <= 1e-5  # the value quoted in the literature, 5 digits
    # dense sampling of the analytic front (objectives evaluated by the problem itself)
    u = np.linspace(-1.0, 1.0, 20001)
    front = np.array([problem.fun(np.full(n, ui / np.sqrt(n))) for ui in u[::40]])
    np.testing.assert_allclose(front, _fonseca_front(u[::40]), atol=1e-14)
    front = _fonseca_front(u)
    # f1 decreases and f2 increases with u, so the front between two samples is dominated by
    # their componentwise minimum: the samples' hypervolume is a lower bound of the exact one,
    # that of the minima of neighbouring samples an upper bound
    lower = hypervolume(front)
    upper = hypervolume(np.minimum(front[:-1], front[1:]))
    assert lower <= exact <= upper
    assert upper - lower <= 1e-4
    assert abs(lower - exact) <= 1e-4


def _sphere(p1, p2):
    return np.stack([np.cos(p1) * np.cos(p2), np.cos(p1) * np.sin(p2), np.sin(p1)], axis=-1)


def test_dtlz2_hypervolume():
    problem = DTLZ2(n=6)
    assert problem.hypervolume == pytest.approx(1 - np.pi / 6, rel=1e-15)
    k = 40
    grid = np.linspace(0.0, 1.0, k + 1)
    X1, X2 = np.meshgrid(grid, grid, indexing="ij")
    # the analytic front, checked against the problem's objectives on the set
    for a, b in [(0.0, 0.0), (0.3, 0.7), (1.0, 0.2)]:
        x = np.full(6, 0.5)
        x[:2] = a, b
        np.testing.assert_allclose(problem.fun(x), _sphere(np.pi / 2 * a, np.pi / 2 * b),
                                   atol=1e-15)
    P1, P2 = np.pi / 2 * X1, np.pi / 2 * X2
    front = _sphere(P1, P2)
    # on a cell [p1_a, p1_b] x [p2_a, p2_b] each objective is monotone in each angle, so the
    # point of per-objective minima over its corners dominates the whole cell
    corners = np.stack([front[1:, 1:, 0], front[1:, :-1, 1], front[:-1, :-1, 2]], axis=-1)
    lower = hypervolume(front.reshape(-1, 3))
    upper = hypervolume(corners.reshape(-1, 3))
    exact = problem.hypervolume
    assert lower <= exact <= upper
    assert upper - lower <= 0.04  # O(grid spacing)
    assert abs(0.5 * (lower + upper) - exact) <= 2e-3
    print(f"DTLZ2 hypervolume bracket [{lower:.5f}, {upper:.5f}], exact {exact:.5f}")


def test_problem_interfaces():
    for problem in PROBLEMS:
        x0 = np.asarray(problem.x0)
        assert x0.shape == (problem.n,)
        values = problem.fun(x0)
        assert values.shape == (problem.m,) and np.all(np.isfinite(values))
        np.testing.assert_array_equal(problem(x0), values)
    with pytest.raises(ValueError, match="n"):
        DTLZ2(n=2)
    with pytest.raises(ValueError, match="weights"):
        ConvexQuadratic(n=3, m=2, random_state=0).pareto_set([0.7, 0.7])


@pytest.mark.parametrize("w1", [0.05, 0.2, 0.3583, 0.5, 0.7, 0.9])
def test_fonseca_fleming_every_branch_is_stationary(w1):
    # The weights fold at u = +-1/sqrt(2): three points share a weight between the
    # fold values, one elsewhere; each must be stationary for that weight.
    from skpareto._hvp import value_and_jacobian
    from skpareto.metrics import stationarity_residual

    problem = FonsecaFleming(n=10)
    w = np.array([w1, 1.0 - w1])
    points = problem.pareto_set_all(w)
    fold = problem.weights_of_t(problem._folds()[1] / np.sqrt(problem.n))[0]
    assert len(points) == (3 if fold < w1 < 1.0 - fold else 1)
    for x in points:
        _, jac = value_and_jacobian(problem.fun, x)
        assert stationarity_residual(jac, w) <= 1e-10
        assert problem.distance_to_set(x) <= 1e-12
    u = points[:, 0] * np.sqrt(problem.n)
    assert np.all(np.diff(u) > 0)
    middle = problem.pareto_set(w)[0] * np.sqrt(problem.n)
    assert middle == u[len(u) // 2]


# -- reference fronts ----------------------------------------------------------

def _fonseca_speed(u):
    """|d front / du| of Fonseca-Fleming's front, analytic."""
    return np.hypot(2 * (u - 1) * np.exp(-(u - 1) ** 2), 2 * (u + 1) * np.exp(-(u + 1) ** 2))


@pytest.mark.parametrize("n_points", [2, 7, 60])
def test_fonseca_fleming_front_is_exact_and_evenly_spread(n_points):
    from scipy.integrate import quad

    problem = FonsecaFleming(n=4)
    params = problem.pareto_set_samples(n_points)
    front = problem.pareto_front(n_points)
    assert params.shape == (n_points, 4) and front.shape == (n_points, 2)
    u = params[:, 0] * np.sqrt(problem.n)
    for x in params:
        assert problem.distance_to_set(x) <= 1e-15
    assert u[0] == 1.0 and u[-1] == -1.0  # both ends of the front
    np.testing.assert_allclose(front, _fonseca_front(u), rtol=0, atol=1e-15)
    assert np.all(np.diff(front[:, 0]) > 0)
    # equal arclength between neighbours, integrated independently of the sampler
    arcs = [quad(_fonseca_speed, b, a, epsabs=1e-14, epsrel=1e-12)[0]
            for a, b in zip(u[:-1], u[1:])]
    np.testing.assert_allclose(arcs, np.mean(arcs), rtol=1e-4)


def test_quadratic_front_is_exact_and_evenly_spread():
    problem = ConvexQuadratic(n=4, m=2, condition=20.0, random_state=3)
    params = problem.pareto_set_samples(12)
    weights = np.array([problem.weights_of(x) for x in params])
    for x, w in zip(params, weights):
        np.testing.assert_allclose(x, problem.pareto_set(w), rtol=0, atol=1e-9)
    np.testing.assert_allclose(params[[0, -1]], problem.c, rtol=0, atol=1e-12)  # the ends
    # arclength between neighbours along a polyline 400 times finer, from the closed form
    arcs = []
    for w_a, w_b in zip(weights[:-1, 0], weights[1:, 0]):
        fine = np.array([problem.fun(problem.pareto_set([t, 1 - t]))
                         for t in np.linspace(w_a, w_b, 401)])
        arcs.append(np.linalg.norm(np.diff(fine, axis=0), axis=1).sum())
    np.testing.assert_allclose(arcs, np.mean(arcs), rtol=1e-3)
    np.testing.assert_allclose(problem.pareto_front(12),
                               [problem.fun(x) for x in params], rtol=1e-15)


@pytest.mark.parametrize("n_points, partitions", [(3, 1), (9, 2), (100, 12), (105, 13)])
def test_dtlz2_front_is_the_simplex_lattice_on_the_sphere(n_points, partitions):
    problem = DTLZ2(n=5)
    params = problem.pareto_set_samples(n_points)
    front = problem.pareto_front(n_points)
    expected_count = (partitions + 1) * (partitions + 2) // 2
    assert front.shape == (expected_count, 3) and params.shape == (expected_count, 5)
    np.testing.assert_allclose(params[:, 2:], 0.5, rtol=0, atol=0)  # on the set
    assert np.all((params[:, :2] >= 0) & (params[:, :2] <= 1))
    np.testing.assert_allclose(np.linalg.norm(front, axis=1), 1.0, rtol=0, atol=1e-15)
    assert np.all(front >= -1e-16)
    # every point is a lattice weight k / p scaled onto the sphere, each weight once
    k = partitions * front / front.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(k, np.round(k), rtol=0, atol=1e-12)
    assert len({tuple(row) for row in np.round(k).astype(int)}) == expected_count
    for vertex in np.eye(3):
        assert np.min(np.abs(front - vertex).max(axis=1)) <= 1e-15


def test_quadratic_front_with_four_objectives():
    problem = ConvexQuadratic(n=5, m=4, random_state=2)
    params = problem.pareto_set_samples(40)  # 4 partitions: 35 points
    assert params.shape == (35, 5)
    for c in problem.c:  # the vertices of the lattice are the centers
        assert np.min(np.linalg.norm(params - c, axis=1)) <= 1e-12


@pytest.mark.parametrize("problem, n_points", [
    (FonsecaFleming(n=3), 1), (FonsecaFleming(n=3), 2.5), (FonsecaFleming(n=3), True),
    (DTLZ2(n=4), 2)])
def test_pareto_front_rejects_bad_n_points(problem, n_points):
    with pytest.raises(ValueError, match="n_points"):
        problem.pareto_front(n_points)


def test_from_pymoo_without_pymoo_says_how_to_install(monkeypatch):
    import sys

    from skpareto.problems import from_pymoo

    monkeypatch.setitem(sys.modules, "pymoo", None)  # import pymoo now fails
    with pytest.raises(ImportError, match=r"pip install skpareto\[pymoo\]"):
        from_pymoo(object())
