"""The checks of skpareto.testing on plain autograd callables: verdicts and diagnoses."""

import autograd.numpy as anp
import numpy as np
import pytest
from scipy.sparse.linalg import minres

from skpareto.testing import (
    CAUSES,
    MAX_DENSE_N,
    check_corrected_point,
    check_hvp,
    check_jacobian,
    check_min_norm_weights,
    check_tangent_directions,
    default_tolerances,
    exact_tangent_directions,
)

X = np.array([0.3, -0.5, 0.8, 0.1, -0.2, 0.6])
W = np.array([0.35, 0.65])
BETA = np.array([[1.0, -1.0]]) / np.sqrt(2.0)


def fun(x):
    """Two smooth objectives with Hessians that differ from each other and from I."""
    return anp.array([anp.sum(anp.arange(1.0, 7.0) * (x - 1.0) ** 2) + x[0] * x[1]
                      + anp.exp(0.5 * x[2]),
                      anp.sum((x + 0.5) ** 4) + anp.sum(anp.cos(x[:3] * x[3:]))])


def _grad(x):
    """Analytic gradients (m, n), independent of autograd."""
    g1 = 2.0 * np.arange(1.0, 7.0) * (x - 1.0)
    g1[0] += x[1]
    g1[1] += x[0]
    g1[2] += 0.5 * np.exp(0.5 * x[2])
    g2 = 4.0 * (x + 0.5) ** 3
    s = np.sin(x[:3] * x[3:])
    g2[:3] -= s * x[3:]
    g2[3:] -= s * x[:3]
    return np.stack([g1, g2])


def _fd_hessian(x, w, h=1e-5):
    """Central differences of the analytic weighted gradient."""
    cols = [(w @ _grad(x + h * e) - w @ _grad(x - h * e)) / (2 * h) for e in np.eye(x.size)]
    hess = np.array(cols)
    return 0.5 * (hess + hess.T)


H = _fd_hessian(X, W)
RHS = _grad(X).T @ BETA.T  # (n, 1)
V = np.linalg.solve(H, RHS).T  # (1, n)


def test_plain_callable_against_independent_references():
    np.testing.assert_allclose(check_jacobian(fun, X, _grad(X)).exact, _grad(X), rtol=1e-14)
    result = check_tangent_directions(fun, X, V, BETA, weights=W, tol=1e-7)
    assert result and result.cause == "ok" and result.error < 1e-7
    exact, weights = exact_tangent_directions(fun, X, W, BETA)
    np.testing.assert_allclose(exact, V, rtol=1e-7)
    np.testing.assert_array_equal(weights, W)
    u = np.eye(X.size)[:2]
    assert check_hvp(fun, X, u, u @ H, weights=W, tol=1e-7)


@pytest.mark.parametrize("lam", [1e-3, 0.1, 2.0])
def test_damping_is_named_with_its_value(lam):
    damped = np.linalg.solve(H + lam * np.eye(X.size), RHS).T
    result = check_tangent_directions(fun, X, damped, BETA, weights=W)
    assert not result and result.cause == "damping"
    assert f"lambda≈{lam:.4g}" in result.diagnosis


@pytest.mark.parametrize("iterations", [2, 4])
def test_truncated_minres_is_named_with_its_iterations(iterations):
    v, _ = minres(H, RHS[:, 0], maxiter=iterations, rtol=1e-15)
    result = check_tangent_directions(fun, X, v[None], BETA, weights=W)
    assert not result and result.cause == "unconverged"
    assert f"dimension {iterations} " in result.diagnosis
    true = np.linalg.norm(H @ v - RHS[:, 0]) / np.linalg.norm(RHS)
    assert f"{true:.3g}" in result.diagnosis
    np.testing.assert_allclose(result.residuals, [true], rtol=1e-5)


@pytest.mark.parametrize("make, cause, phrase", [
    (lambda: -V, "sign", "sign flipped"),
    (lambda: V / np.linalg.norm(V), "normalized", "must not be normalized"),
    (lambda: 3.0 * V, "scale", "scaled by 3"),
    (lambda: RHS.T, "no_solve", "no solve"),
    (lambda: np.linalg.solve(_fd_hessian(X, np.ones(2)), RHS).T, "unweighted",
     "the sum of the task Hessians"),
    (lambda: np.linalg.solve(_fd_hessian(X, W[::-1]), RHS).T, "wrong_weights",
     "another task order"),
    (lambda: np.linalg.solve(_fd_hessian(X, np.array([0.0, 1.0])), RHS).T,
     "wrong_weights", "task 1 alone"),
])
def test_mistakes_are_named(make, cause, phrase):
    result = check_tangent_directions(fun, X, make(), BETA, weights=W)
    assert not result and result.cause == cause and phrase in result.diagnosis
    assert cause in CAUSES


def _few(x):
    """Two tasks of any number of parameters."""
    return anp.array([anp.sum(anp.arange(1.0, x.size + 1.0) * (x - 1.0) ** 2) + x[0] * x[1],
                      anp.sum((x + 0.5) ** 4)])


@pytest.mark.parametrize("n", [2, 3, 4])
@pytest.mark.parametrize("factor, cause, phrase", [
    (-1.0, "sign", "sign flipped"),
    (3.0, "scale", "scaled by 3"),
    (None, "normalized", "must not be normalized"),
])
def test_a_factor_is_named_with_few_parameters(n, factor, cause, phrase):
    # n <= 4: fewer equations than the fitted model of the mistakes has unknowns (it fits
    # anything); the factor is still named, not called an inaccurate solve
    x, w, beta = np.linspace(-0.1, 0.4, n), np.array([0.4, 0.6]), np.array([[1.0, -1.0]])
    exact, _ = exact_tangent_directions(_few, x, w, beta)
    wrong = exact / np.linalg.norm(exact) if factor is None else factor * exact
    result = check_tangent_directions(_few, x, wrong, beta, weights=w)
    assert not result and result.cause == cause and phrase in result.diagnosis


def test_directions_in_another_order_are_named():
    def three(x):
        return anp.array([anp.sum((x - 1.0) ** 2) + x[0] * x[1], anp.sum((x + 0.5) ** 4),
                          anp.sum(anp.arange(1.0, 6.0) * (x - 0.3) ** 2)])

    x, w = np.linspace(-0.2, 0.3, 5), np.array([0.2, 0.3, 0.5])
    betas = np.array([[1.0, -1.0, 0.0], [0.0, 1.0, -1.0]])
    exact, _ = exact_tangent_directions(three, x, w, betas)
    result = check_tangent_directions(three, x, exact[::-1], betas, weights=w)
    assert not result and result.cause == "permuted" and "rows [1, 0]" in result.diagnosis


def test_without_betas_only_the_span_is_checked():
    # the span hides signs and lengths, by design; betas reveal them
    for directions in (-V, V / np.linalg.norm(V), 3.0 * V):
        assert check_tangent_directions(fun, X, directions, weights=W, tol=1e-7)
        assert not check_tangent_directions(fun, X, directions, BETA, weights=W, tol=1e-7)
    result = check_tangent_directions(fun, X, RHS.T, weights=W)
    assert not result and result.cause == "no_solve"
    assert result.errors is None and result.error == result.max_angle > 0.1


def test_inaccurate_directions_are_not_mistaken_for_a_known_mistake():
    near = V + 1e-6 * np.linalg.norm(V) * np.sin(np.arange(X.size))
    result = check_tangent_directions(fun, X, near, BETA, weights=W, tol=1e-9)
    assert not result and result.cause == "inaccurate"
    assert "true residual" in result.diagnosis


def test_float32_directions_and_their_tolerance():
    single = V.astype(np.float32).astype(np.float64)
    result = check_tangent_directions(fun, X, single, BETA, weights=W)
    assert not result and result.cause == "float32"
    assert result.attainable["float32"] == pytest.approx(result.condition * 2.0 ** -23)
    assert check_tangent_directions(fun, X, single, BETA, weights=W, precision="float32")


def test_result_object():
    result = check_tangent_directions(fun, X, V / np.linalg.norm(V), BETA, weights=W)
    assert not bool(result) and result.passed is False
    assert repr(result.error) in repr(result)  # full precision
    assert f"{result.error:.17g}" in str(result) and "FAIL (normalized)" in str(result)
    assert set(result) >= {"check", "passed", "cause", "diagnosis", "error", "tol", "errors",
                           "angles", "direction_angles", "residuals", "scales", "condition",
                           "attainable", "exact", "weights", "rank", "dimension"}
    np.testing.assert_allclose(result.scales, [1.0 / np.linalg.norm(V)], rtol=1e-6)


def test_default_tolerances():
    tol64, tol32 = default_tolerances(), default_tolerances("float32", condition=1e4)
    assert tol64["directions"] == 1e-9 and tol64["jacobian"] == 1e-10
    assert tol32["directions"] == pytest.approx(10 * 1e4 * 2.0 ** -23)
    assert default_tolerances("float64", 1e9)["directions"] == pytest.approx(1e11 * 2.0 ** -52)
    with pytest.raises(ValueError, match="^precision must be one of"):
        default_tolerances("float16")
    for condition in (0.5, np.inf, np.nan, True):
        with pytest.raises(ValueError, match="^condition must be"):
            default_tolerances("float64", condition)


@pytest.mark.parametrize("call, argument", [
    (lambda: check_tangent_directions("fun", X, V, BETA), "fun"),
    (lambda: check_tangent_directions(fun, X[:3], V, BETA), "directions"),
    (lambda: check_tangent_directions(fun, X, V, BETA, tol=-1.0), "tol"),
    (lambda: check_tangent_directions(fun, X, V, BETA, precision="half"), "precision"),
    (lambda: check_tangent_directions(fun, X, V, np.ones((2, 2))), "betas"),
    (lambda: check_tangent_directions(fun, X, V, BETA, weights=[0.5, 0.6]), "weights"),
    (lambda: check_jacobian(fun, X, _grad(X).T), "jacobian"),
    (lambda: check_hvp(fun, X, np.eye(6)[:2], np.eye(6)), "products"),
    (lambda: check_min_norm_weights(fun, X, [0.5, np.nan]), "weights"),
    (lambda: check_corrected_point(fun, X, W, expected=X[:2]), "expected"),
])
def test_malformed_arguments_are_named(call, argument):
    with pytest.raises(ValueError, match=f"^{argument} "):
        call()


def test_dense_references_refuse_large_problems():
    with pytest.raises(ValueError, match=f"n <= {MAX_DENSE_N}"):
        check_tangent_directions(fun, np.zeros(MAX_DENSE_N + 1),
                                 np.ones((1, MAX_DENSE_N + 1)), BETA)


# -- Jacobian, Hessian-vector products, weights, corrected points --------------------------


@pytest.mark.parametrize("make, cause, phrase", [
    (lambda j: -j, "sign", "gradients of -f"),
    (lambda j: 40.0 * j, "scale", "scaled by 40"),
    (lambda j: j * np.array([[1.0], [2.0]]), "scale", "[1, 2]"),
    (lambda j: j[::-1], "permuted", "row 0 holds task 1"),
    (lambda j: j[:, ::-1], "permuted", "parameter layout"),
    (lambda j: j.astype(np.float32), "float32", "float32"),
])
def test_jacobian_mistakes(make, cause, phrase):
    result = check_jacobian(fun, X, make(_grad(X)))
    assert not result and result.cause == cause and phrase in result.diagnosis


@pytest.mark.parametrize("make, cause, phrase", [
    (lambda u: u @ H + 0.1 * u, "damping", "lambda≈0.1"),
    (lambda u: -u @ H, "sign", "-H u"),
    (lambda u: u @ _fd_hessian(X, np.ones(2)), "unweighted", "the sum of the task"),
    (lambda u: u @ _fd_hessian(X, np.full(2, 0.5)), "unweighted", "the mean of the task"),
    (lambda u: 2.0 * u @ H, "scale", "scaled by 2"),
])
def test_hvp_mistakes(make, cause, phrase):
    u = np.random.default_rng(0).normal(size=(2, X.size))
    result = check_hvp(fun, X, u, make(u), weights=W, tol=1e-7)
    assert not result and result.cause == cause and phrase in result.diagnosis


def test_hvp_damping_is_not_named_when_it_cannot_be_told_apart():
    # both Hessians are multiples of I: weights and damping are not identifiable
    def iso(x):
        return anp.array([anp.sum(x ** 2), 3.0 * anp.sum(x ** 2)])

    u = np.eye(3)
    result = check_hvp(iso, np.ones(3), u, (2 * 0.5 + 6 * 0.5 + 0.1) * u, weights=[0.5, 0.5])
    assert not result and result.cause == "unknown"


def stationary(x):
    """``[(x - 1)^2, 2 (x + 1)^2]``: x = 0 is stationary for weights (2/3, 1/3)."""
    return anp.array([(x[0] - 1.0) ** 2, 2.0 * (x[0] + 1.0) ** 2])


@pytest.mark.parametrize("weights, cause, phrase", [
    ([1 / 3, 2 / 3], "permuted", "another task order"),
    ([4 / 3, 2 / 3], "scale", "sum to 2"),
    ([1.2, -0.2], "not_simplex", "not a point of the probability simplex"),
    ([0.5, 0.5], "suboptimal", "exceeds the minimum"),
    (np.float32([2 / 3, 1 / 3]), "float32", "float32"),
])
def test_min_norm_weights_mistakes(weights, cause, phrase):
    result = check_min_norm_weights(stationary, [0.0], weights)
    assert not result and result.cause == cause and phrase in result.diagnosis
    np.testing.assert_allclose(result.alpha, [2 / 3, 1 / 3], rtol=1e-15)


def test_min_norm_weights_accepts_any_minimizer():
    # identical gradients: every point of the simplex has the same ||J^T w||
    def same(x):
        return anp.array([anp.sum(x), anp.sum(x) + 1.0])

    assert check_min_norm_weights(same, np.ones(2), [0.9, 0.1])
    assert check_min_norm_weights(stationary, [0.0], [2 / 3, 1 / 3])


def off_the_set(z):
    """Two parameters: at (0, 0.1) no weights make the gradients cancel."""
    return anp.array([(z[0] - 1.0) ** 2 + z[1] ** 2, 2.0 * (z[0] + 1.0) ** 2 + (z[1] - 1) ** 2])


@pytest.mark.parametrize("obj, x, weights, expected, cause, phrase", [
    (stationary, [0.0], [2 / 3, 1 / 3], None, "ok", "stationary"),
    (stationary, [0.0], [1 / 3, 2 / 3], None, "wrong_weights", "another task order"),
    (stationary, [0.0], [0.5, 0.5], None, "wrong_weights", "min-norm alpha [0.66666666666666"),
    (off_the_set, [0.0, 0.1], [2 / 3, 1 / 3], None, "not_stationary", "stopped early"),
    (stationary, [0.0], [2 / 3, 1 / 3], [0.5], "other_point", "another stationary point"),
    (stationary, np.float32([1e-7]), [2 / 3, 1 / 3], None, "float32", "float32"),
])
def test_corrected_point(obj, x, weights, expected, cause, phrase):
    result = check_corrected_point(obj, x, weights, expected=expected)
    assert bool(result) == (cause == "ok") and result.cause == cause
    assert phrase in result.diagnosis
