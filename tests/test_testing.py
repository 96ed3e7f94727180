"""skpareto.testing: reference problems, stationarity and tangent-space checks."""

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import jacobian

from skpareto import tangent_directions
from skpareto.problems import ConvexQuadratic, Problem
from skpareto.testing import (
    VERIFICATION_FORMAT,
    assert_pareto_stationary,
    assert_tangent_directions,
    check_pareto_stationary,
    check_tangent_directions,
    exact_tangent_directions,
    export_verification,
    make_reference_problem,
    reference_problems,
)


def _stationary_point(problem):
    """A point of the analytic set and its weights, away from the simplex boundary."""
    if problem.name == "fonseca_fleming":
        t = 0.3 * problem.a
        return problem.set_at(t), problem.weights_of_t(t)
    w = np.linspace(1.0, 2.0, problem.m)
    w /= w.sum()
    return problem.pareto_set(w), w


def _unit_orthogonal(v, rng):
    u = rng.normal(size=v.size)
    u -= (u @ v) / (v @ v) * v
    return u / np.linalg.norm(u)


def test_reference_problems_cover_the_analytic_problems():
    specs = reference_problems()
    assert sorted(specs) == ["dtlz2", "fonseca_fleming", "quadratic"]
    for name, spec in specs.items():
        assert spec.name == name
        assert min(spec.sizes) >= spec.min_n
        for n in spec.sizes:
            problem = make_reference_problem(name, n)
            assert problem.name == name and problem.n == n
            assert problem.m == (2 if spec.m is None else spec.m)
            assert np.shape(problem.fun(problem.x0)) == (problem.m,)


@pytest.mark.parametrize("name", ["quadratic", "fonseca_fleming", "dtlz2"])
def test_analytic_set_points_are_stationary(name):
    # autograd Jacobian at the analytic set: min-norm residual at rounding level
    problem = make_reference_problem(name, 6)
    x, w = _stationary_point(problem)
    jac = jacobian(problem.fun)(x)
    residual, alpha = check_pareto_stationary(jac)
    assert residual <= 1e-13 * np.max(np.linalg.norm(jac, axis=1))
    np.testing.assert_allclose(alpha, w, atol=1e-10)
    np.testing.assert_allclose(assert_pareto_stationary(jac), alpha)


def test_make_reference_problem_quadratic_is_deterministic():
    a = make_reference_problem("quadratic", 4, m=3)
    b = make_reference_problem("quadratic", 4, m=3, random_state=0)
    c = make_reference_problem("quadratic", 4, m=3, random_state=1)
    assert isinstance(a, ConvexQuadratic) and a.m == 3
    np.testing.assert_array_equal(a.A, b.A)
    assert not np.allclose(a.A, c.A)


@pytest.mark.parametrize("kwargs, argument", [
    (dict(name="rosenbrock", n=3), "name"),
    (dict(name="dtlz2", n=2), "n"),
    (dict(name="quadratic", n=0), "n"),
    (dict(name="quadratic", n=2.0), "n"),
    (dict(name="quadratic", n=True), "n"),
    (dict(name="quadratic", n=3, m=1), "m"),
    (dict(name="fonseca_fleming", n=3, m=3), "m"),
    (dict(name="quadratic", n=3, random_state=-1), "random_state"),
])
def test_make_reference_problem_rejects(kwargs, argument):
    with pytest.raises(ValueError, match=rf"^{argument} must"):
        make_reference_problem(kwargs.pop("name"), kwargs.pop("n"), **kwargs)


def test_check_pareto_stationary_exact_values():
    # g2 = -3 g1: 3 g1 + g2 ... alpha = (3/4, 1/4) cancels them exactly
    g = np.array([1.0, -2.0, 0.5])
    residual, alpha = check_pareto_stationary(np.vstack([g, -3.0 * g]))
    np.testing.assert_allclose(alpha, [0.75, 0.25], atol=1e-15)
    assert residual <= 1e-15
    # orthogonal unit gradients: alpha = (1/2, 1/2), residual sqrt(1/2)
    result = check_pareto_stationary(np.eye(2), atol=1e-3, rtol=0.5)
    np.testing.assert_allclose(result.alpha, [0.5, 0.5])
    assert result.residual == pytest.approx(np.sqrt(0.5), rel=1e-15)
    assert result.tolerance == pytest.approx(1e-3 + 0.5 * 1.0)
    assert result.relative_residual == pytest.approx(np.sqrt(0.5))
    assert not result.passed
    assert check_pareto_stationary(np.eye(2), atol=0.0, rtol=0.71).passed


def test_assert_pareto_stationary_fails_with_the_residual():
    with pytest.raises(AssertionError, match=r"not Pareto-stationary.*7\.071e-01"):
        assert_pareto_stationary(np.eye(2))


@pytest.mark.parametrize("jac, argument", [
    (np.ones(3), "jac"),
    (np.array([[1.0, np.nan]]), "jac"),
    (np.array([[1 + 1j, 0.0]]), "jac"),
])
def test_check_pareto_stationary_rejects_jac(jac, argument):
    with pytest.raises(ValueError, match=argument):
        check_pareto_stationary(jac)


def test_check_pareto_stationary_rejects_tolerance():
    with pytest.raises(ValueError, match="atol"):
        check_pareto_stationary(np.eye(2), atol=-1.0)
    with pytest.raises(ValueError, match="rtol"):
        check_pareto_stationary(np.eye(2), rtol=np.nan)


@pytest.mark.parametrize("m", [2, 3, 4])
def test_exact_tangent_directions_match_the_analytic_set_derivative(m):
    # dense autograd.hessian solve against the closed form dx/dw_j = -H^-1 grad f_j
    problem = make_reference_problem("quadratic", 7, m=m, random_state=3)
    x, w = _stationary_point(problem)
    betas = np.random.default_rng(0).normal(size=(3, m))
    directions, weights = exact_tangent_directions(problem, x, w, betas)
    np.testing.assert_array_equal(weights, w)
    expected = -betas @ problem.set_derivative(w)
    np.testing.assert_allclose(directions, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["quadratic", "fonseca_fleming", "dtlz2"])
def test_check_tangent_directions_accepts_minres_directions(name):
    problem = make_reference_problem(name, 6)
    x, w = _stationary_point(problem)
    res = tangent_directions(problem.fun, x, w, rtol=1e-12)
    span = check_tangent_directions(problem, x, res.directions, tol=1e-8)
    assert span and span.cause == "ok" and span.errors is None and span.scales is None
    assert span.angles.shape == (problem.m - 1,) and span.error == span.max_angle < 1e-8
    result = assert_tangent_directions(problem, x, res.directions, res.betas, tol=1e-8,
                                       weights=w)
    assert result.passed and result.rank == result.dimension == problem.m - 1
    assert result.errors.max() < 1e-8 and result.error == result.errors.max()
    np.testing.assert_allclose(result.scales, 1.0, atol=1e-8)
    assert result.residuals.max() < 1e-8


@pytest.mark.parametrize("theta", [1e-5, 1e-3, 0.3])
def test_check_tangent_directions_measures_a_known_rotation(theta):
    # rotate the exact direction by theta out of the tangent space: the angle is theta
    problem = make_reference_problem("fonseca_fleming", 5)
    x, w = _stationary_point(problem)
    exact, _ = exact_tangent_directions(problem, x, w)
    v = exact[0] / np.linalg.norm(exact[0])
    u = _unit_orthogonal(v, np.random.default_rng(1))
    rotated = np.cos(theta) * v + np.sin(theta) * u
    result = check_tangent_directions(problem, x, 2.5 * rotated[None], tol=1e-6)
    assert result.max_angle == pytest.approx(theta, rel=1e-8)
    assert not result.passed and result.cause != "ok" and result.diagnosis
    with pytest.raises(AssertionError, match="do not match the exact ones"):
        assert_tangent_directions(problem, x, rotated[None], tol=1e-6)


def test_check_tangent_directions_betas_detect_wrong_scale():
    problem = make_reference_problem("quadratic", 5, m=3)
    x, w = _stationary_point(problem)
    res = tangent_directions(problem.fun, x, w, rtol=1e-12)
    scaled = res.directions * np.array([[1.0], [2.0]])
    # the span is right ...
    assert check_tangent_directions(problem, x, scaled, weights=w).passed
    # ... but the second direction is twice its exact value
    result = check_tangent_directions(problem, x, scaled, res.betas, weights=w)
    assert not result.passed and result.cause == "scale"
    np.testing.assert_allclose(result.errors, [0.0, 1.0], atol=1e-8)
    np.testing.assert_allclose(result.scales, [1.0, 2.0], rtol=1e-8)
    assert "scaled by [1, 2]" in result.diagnosis


def test_check_tangent_directions_rank():
    problem = make_reference_problem("dtlz2", 5)
    x, w = _stationary_point(problem)
    res = tangent_directions(problem.fun, x, w, rtol=1e-12)
    # one direction cannot span a two-dimensional tangent space ...
    result = check_tangent_directions(problem, x, res.directions[:1], weights=w)
    assert not result.passed and "span 1 dimensions, the tangent space 2" in result.diagnosis
    # ... unless it is checked against its own beta
    assert check_tangent_directions(problem, x, res.directions[:1], res.betas[:1],
                                    weights=w).passed
    # duplicated directions span the same space
    doubled = np.vstack([res.directions, -res.directions])
    assert check_tangent_directions(problem, x, doubled, weights=w).passed


class _Linear(Problem):
    """Two linear objectives: every Hessian vanishes."""

    name = "linear"
    n, m = 2, 2

    def fun(self, x):
        return anp.array([x[0] + x[1], -x[0] - x[1]])


@pytest.mark.filterwarnings("ignore:Output seems independent of input")
def test_singular_hessian_is_reported():
    with pytest.raises(ValueError, match="singular"):
        check_tangent_directions(_Linear(), np.zeros(2), np.ones((1, 2)))


@pytest.mark.parametrize("change, argument", [
    (dict(fun="quadratic"), "fun"),
    (dict(x=np.zeros(4)), "directions"),  # wrong length for the directions
    (dict(x=np.zeros((1, 5))), "x"),
    (dict(directions=np.zeros((1, 5))), "directions"),
    (dict(directions=np.full((1, 5), np.nan)), "directions"),
    (dict(directions=np.ones((1, 5), dtype=complex)), "directions"),
    (dict(betas=np.ones((2, 2))), "betas"),
    (dict(betas=np.ones((1, 3))), "betas"),
    (dict(weights=[0.7, 0.7]), "weights"),
    (dict(tol=-1.0), "tol"),
])
def test_check_tangent_directions_rejects(change, argument):
    problem = make_reference_problem("quadratic", 5)
    x, w = _stationary_point(problem)
    kwargs = dict(fun=problem, x=x, directions=np.ones((1, 5)), betas=None, tol=1e-6,
                  weights=w)
    kwargs.update(change)
    with pytest.raises(ValueError, match=argument):
        check_tangent_directions(**kwargs)


def test_export_verification_writes_plain_arrays(tmp_path):
    problem = make_reference_problem("quadratic", 4, m=3, random_state=5)
    x, w = _stationary_point(problem)
    res = tangent_directions(problem.fun, x, w)
    path = tmp_path / "out.npz"
    export_verification(path, "quadratic", 4, x, w, res.directions, betas=res.betas, m=3,
                        random_state=5)
    with np.load(path, allow_pickle=False) as data:
        assert set(data.files) <= set(VERIFICATION_FORMAT)
        assert str(data["problem"]) == "quadratic"
        assert int(data["n"]) == 4 and int(data["m"]) == 3 and int(data["random_state"]) == 5
        np.testing.assert_array_equal(data["x"], x)
        np.testing.assert_array_equal(data["weights"], w)
        np.testing.assert_array_equal(data["directions"], res.directions)
        np.testing.assert_array_equal(data["betas"], res.betas)


@pytest.mark.parametrize("change, argument", [
    (dict(problem_name="sphere"), "name"),
    (dict(n=2), "x"),
    (dict(x=np.zeros(3)), "x"),
    (dict(weights=[0.5, 0.6]), "weights"),
    (dict(weights=[0.5, 0.25, 0.25]), "weights"),
    (dict(directions=np.ones((1, 3))), "directions"),
    (dict(betas=np.ones((2, 2))), "betas"),
])
def test_export_verification_rejects(tmp_path, change, argument):
    problem = make_reference_problem("quadratic", 4)
    x, w = _stationary_point(problem)
    kwargs = dict(path=tmp_path / "bad.npz", problem_name="quadratic", n=4, x=x, weights=w,
                  directions=np.ones((1, 4)))
    kwargs.update(change)
    with pytest.raises(ValueError, match=argument):
        export_verification(**kwargs)
    assert not (tmp_path / "bad.npz").exists()
