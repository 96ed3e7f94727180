"""min_norm_weights against independent solutions of the simplex QP."""

import itertools
import warnings

import numpy as np
import pytest
from scipy.optimize import minimize

from skpareto import min_norm_weights
from skpareto._weights import check_weights, zero_sum_basis

RTOL_OBJECTIVE = 1e-12  # relative to the largest squared gradient norm
SIMPLEX_ATOL = 1e-14


def objective(jac, alpha):
    return float(np.sum((jac.T @ alpha) ** 2))


def enumerate_faces(jac):
    """Exact reference: the best feasible stationary point over every support subset.

    On each support S = {r} + others, minimize ||g_r + sum_i a_i (g_i - g_r)|| by
    least squares (the equality-constrained KKT system in difference form, which
    keeps nearly identical gradients accurate). On the smallest support of an
    optimal point that minimizer is unique, so the best feasible one is the optimum.
    """
    m = jac.shape[0]
    best, best_alpha = np.inf, None
    for size in range(1, m + 1):
        for support in itertools.combinations(range(m), size):
            ref, others = support[0], list(support[1:])
            coef = np.linalg.lstsq((jac[others] - jac[ref]).T, -jac[ref], rcond=None)[0]
            weights = np.concatenate([[1.0 - coef.sum()], coef])
            if np.any(weights < -1e-12):
                continue
            alpha = np.zeros(m)
            alpha[list(support)] = np.clip(weights, 0.0, None)
            alpha /= alpha.sum()
            value = objective(jac, alpha)
            if value < best:
                best, best_alpha = value, alpha
    return best, best_alpha


def slsqp(jac):
    m = jac.shape[0]
    gram = jac @ jac.T
    scale = max(np.max(np.diag(gram)), 1e-300)
    res = minimize(lambda a: a @ gram @ a / scale, np.full(m, 1.0 / m),
                   jac=lambda a: 2.0 * gram @ a / scale, method="SLSQP",
                   bounds=[(0.0, 1.0)] * m,
                   constraints=[{"type": "eq", "fun": lambda a: a.sum() - 1.0}],
                   options={"ftol": 1e-15, "maxiter": 500})
    alpha = np.clip(res.x, 0.0, None)
    return objective(jac, alpha / alpha.sum())


def check_against_references(jac):
    alpha = min_norm_weights(jac)
    m = jac.shape[0]
    assert alpha.shape == (m,) and alpha.dtype == np.float64
    assert np.all(alpha >= 0.0)
    assert abs(alpha.sum() - 1.0) <= SIMPLEX_ATOL
    scale = np.max(np.sum(jac ** 2, axis=1))
    value = objective(jac, alpha)
    best, _ = enumerate_faces(jac)
    assert abs(value - best) <= RTOL_OBJECTIVE * scale, (value, best, scale)
    # the Frank-Wolfe duality gap certifies optimality without any solver:
    # f* >= 2 min_i (G a)_i - f(a), so f(a) - f* <= 2 (f(a) - min_i (G a)_i)
    gram_alpha = jac @ (jac.T @ alpha)
    assert 2.0 * (value - gram_alpha.min()) <= RTOL_OBJECTIVE * scale
    return alpha, value, scale


def random_jac(rng, m, n, kind):
    if kind == "random":
        return rng.normal(size=(m, n))
    if kind == "rank_deficient":
        rank = max(1, m // 2)
        return rng.normal(size=(m, rank)) @ rng.normal(size=(rank, n))
    if kind == "identical_rows":
        jac = rng.normal(size=(m, n))
        jac[m // 2:] = jac[0]
        return jac
    if kind == "zero_rows":
        jac = rng.normal(size=(m, n))
        jac[1::2] = 0.0
        return jac
    if kind == "one_zero_gradient":
        jac = rng.normal(size=(m, n))
        jac[m - 1] = 0.0
        return jac
    if kind == "collinear_opposite":
        g = rng.normal(size=n)
        coef = rng.uniform(0.2, 5.0, size=m) * np.where(np.arange(m) % 2, -1.0, 1.0)
        return coef[:, None] * g[None, :]
    if kind == "more_tasks_than_params":
        return rng.normal(size=(m, 2))
    if kind == "all_zero":
        return np.zeros((m, n))
    if kind == "nearly_identical":
        g = rng.normal(size=n)
        return g[None, :] + 1e-9 * rng.normal(size=(m, n))
    if kind == "scaled_apart":
        return rng.normal(size=(m, n)) * np.logspace(0, 6, m)[:, None]
    raise AssertionError(kind)


KINDS = ["random", "rank_deficient", "identical_rows", "zero_rows", "one_zero_gradient",
         "collinear_opposite", "more_tasks_than_params", "all_zero", "nearly_identical",
         "scaled_apart"]


@pytest.mark.parametrize("m", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("kind", KINDS)
def test_matches_enumeration_of_faces(m, kind):
    rng = np.random.default_rng(1000 * m + KINDS.index(kind))
    for trial in range(8):
        jac = random_jac(rng, m, int(rng.integers(m, 3 * m + 3)), kind)
        check_against_references(jac)


@pytest.mark.parametrize("m", [2, 3, 4, 5, 6])
def test_not_worse_than_slsqp(m):
    rng = np.random.default_rng(m)
    for trial in range(10):
        # few parameters: the optimum is usually on a face of the simplex
        jac = rng.normal(size=(m, int(rng.integers(2, 2 * m))))
        alpha, value, scale = check_against_references(jac)
        assert value <= slsqp(jac) + RTOL_OBJECTIVE * scale


def test_known_solutions():
    # orthogonal equal-norm gradients: uniform weights, exactly
    np.testing.assert_allclose(min_norm_weights(np.eye(4)), np.full(4, 0.25), atol=1e-15)
    # one zero gradient: all weight on it, objective 0
    jac = np.array([[1.0, 2.0], [0.0, 0.0], [-3.0, 1.0]])
    alpha = min_norm_weights(jac)
    assert np.linalg.norm(jac.T @ alpha) <= 1e-15
    # g and -c g: alpha = (c, 1) / (1 + c) cancels them
    g = np.array([0.3, -1.2, 2.0])
    alpha = min_norm_weights(np.stack([g, -4.0 * g]))
    np.testing.assert_allclose(alpha, [0.8, 0.2], rtol=1e-14)
    # m = 1
    np.testing.assert_array_equal(min_norm_weights([[1.0, -2.0]]), [1.0])


@pytest.mark.parametrize("factor", [1e-160, 1e-30, 1e30, 1e160])
def test_scale_invariant(factor):
    rng = np.random.default_rng(7)
    for m in (2, 3, 5):
        jac = rng.normal(size=(m, 3))
        alpha = min_norm_weights(jac)
        scaled = min_norm_weights(jac * factor)
        assert np.all(np.isfinite(scaled))
        scale = np.max(np.sum(jac ** 2, axis=1))
        assert abs(objective(jac, scaled) - objective(jac, alpha)) <= RTOL_OBJECTIVE * scale


@pytest.mark.parametrize("jac", [
    np.array([[1.0, np.nan]]),
    np.array([[1.0, 2.0], [np.inf, 0.0]]),
    np.array([[-np.inf, 0.0]]),
    np.array([1.0, 2.0]),
    np.ones((2, 2, 2)),
    np.array(3.0),
    np.zeros((0, 3)),
    np.zeros((3, 0)),
    np.array([]),
    np.array([[1.0 + 1j, 0.0]]),
    np.array([[1.0, 2.0]], dtype=object),
    np.array([["a", "b"]]),
    [[1.0, 2.0], [3.0]],
], ids=["nan", "inf", "neg_inf", "1d", "3d", "0d", "no_rows", "no_columns", "empty",
        "complex", "object", "str", "ragged"])
def test_bad_input_raises(jac):
    with pytest.raises(ValueError, match="jac"):
        min_norm_weights(jac)


def test_accepts_integer_and_list_input():
    np.testing.assert_allclose(min_norm_weights([[2, 0], [0, 2]]), [0.5, 0.5], atol=1e-15)


def test_zero_sum_basis_orthonormal():
    for m in range(1, 7):
        basis = zero_sum_basis(m)
        assert basis.shape == (m - 1, m)
        np.testing.assert_allclose(basis @ basis.T, np.eye(m - 1), atol=1e-14)
        np.testing.assert_allclose(basis.sum(axis=1), 0.0, atol=1e-14)


@pytest.mark.parametrize("weights, message", [
    ([0.5, 0.6], "sum to one"),
    ([1.5, -0.5], "non-negative"),
    ([np.nan, 1.0], "NaN"),
    ([1.0], "shape"),
    ([[0.5, 0.5]], "shape"),
])
def test_check_weights_rejects(weights, message):
    with pytest.raises(ValueError, match=f"weights.*{message}"):
        check_weights(weights, 2)


def test_check_weights_takes_float32_weights_to_their_rounding():
    # (0.2, 0.8) in float32 sums to 1.00000001 as float64: refused at 1e-8 of one
    weights = np.array([0.2, 0.8], dtype=np.float32)
    assert abs(weights.astype(np.float64).sum() - 1.0) > 1e-8
    np.testing.assert_array_equal(check_weights(weights, 2), weights.astype(np.float64))
    grid = np.linspace(0.0, 1.0, 11, dtype=np.float32)
    check_weights(np.c_[grid, 1 - grid], 2, allow_2d=True)
    with pytest.raises(ValueError, match="sum to one"):  # beyond float32's rounding
        check_weights(np.array([0.2, 0.8001], dtype=np.float32), 2)
    with pytest.raises(ValueError, match="sum to one"):  # float64 keeps its 1e-8
        check_weights([0.2, 0.8 + 2e-8], 2)


@pytest.mark.parametrize("weights", [[[0.5, 0.5], [1.0]], [[0.5], 0.5]])
def test_ragged_weights_are_named(weights):
    # numpy's own "inhomogeneous shape" message named no argument
    with pytest.raises(ValueError, match=r"toward must .* rows have different lengths"):
        check_weights(weights, 2, "toward", allow_2d=True)


@pytest.mark.parametrize("m, n_points, size", [(1, 231, 1), (2, 21, 21), (2, 30, 30),
                                               (3, 231, 231), (3, 230, 210), (4, 300, 286)])
def test_simplex_lattice_is_the_largest_that_fits(m, n_points, size):
    from skpareto._weights import simplex_lattice

    grid = simplex_lattice(m, n_points)
    assert grid.shape == (size, m)
    np.testing.assert_allclose(grid.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    # every weight a multiple of one spacing 1 / p, each once: all compositions of p in m parts
    p = round(1.0 / np.diff(np.unique(grid[:, 0]))[0]) if m > 1 else 1
    counts = {tuple(c) for c in np.rint(grid * p).astype(int)}
    expected = {c for c in itertools.product(range(p + 1), repeat=m) if sum(c) == p}
    assert counts == expected


def test_nearly_identical_gradients_keep_their_weights_exact():
    # gradients 1e-6 apart whose difference is nearly orthogonal to them: the weights hang on
    # the difference's last bits, which scaling by a factor not a power of two rounded away
    # (0.8499808 against the exact 0.8499701 of these floats)
    from fractions import Fraction

    c, p = np.array([3.0, 1.0, 2.0]), np.array([1.0, -1.0, -1.0])
    jac = np.array([c + 1e-6 * p, c - 1e-6 * p + 3e-13 * c])
    g0, g1 = ([Fraction(float(v)) for v in row] for row in jac)
    diff = [a - b for a, b in zip(g0, g1)]
    exact = -sum(a * b for a, b in zip(g1, diff)) / sum(d * d for d in diff)
    for scale in (1.0, 2.0 ** -600, 2.0 ** 600):
        weights = min_norm_weights(scale * jac)
        assert abs(weights[0] - float(exact)) <= 1e-9  # 3e-11 measured (was 1.1e-5)


def test_objective_scales_only_where_the_gradients_lie_ten_times_apart():
    from skpareto._weights import objective_scales

    # none where every task's largest norm is within ten times of the largest
    assert objective_scales([[5.0, 0.5]]) is None
    assert objective_scales([[5.0, 0.0]]) is None  # no gradient: no scale known
    assert objective_scales([np.zeros(3)]) is None
    np.testing.assert_allclose(objective_scales([[5.0, 0.49]]), [1.0, 0.098])
    # else every task's largest norm over the points, unclipped, over the largest of all;
    # a task whose gradient vanished everywhere keeps the largest
    np.testing.assert_allclose(objective_scales([[5.0, 1e-4, 0.5], [1e-3, 2e-3, 0.0]]),
                               [1.0, 4e-4, 0.1])
    np.testing.assert_allclose(objective_scales([[1e6, 1.0, 0.0]]), [1.0, 1e-6, 1.0])


def test_scaled_residual_is_the_larger_of_the_relative_and_the_normalized_problems():
    # the reference: the residual of the problem whose objectives are divided by their
    # scales, at the weights that problem has (w_i s_i, normalized), and the metric's
    from skpareto._stationary import scaled_residual
    from skpareto.metrics import stationarity_residual

    rng = np.random.default_rng(0)
    for _ in range(200):
        m, n = rng.integers(2, 5), rng.integers(1, 6)
        jac = rng.normal(size=(m, n)) * 10.0 ** rng.uniform(-6, 6, size=(m, 1))
        scales = 10.0 ** rng.uniform(-6, 6, size=m)
        w = rng.dirichlet(np.ones(m))
        w[rng.integers(m)] = 0.0
        w /= w.sum()
        normalized = stationarity_residual(jac / scales[:, None], w * scales / (w @ scales))
        expected = max(stationarity_residual(jac, w), normalized)
        assert scaled_residual(jac, w, scales) == pytest.approx(expected, rel=1e-12)
        assert scaled_residual(jac, w, None) == stationarity_residual(jac, w)
    # a task's own end: its gradient against its scale, not against the other's
    jac = np.array([[1e6, 0.0], [0.0, 1e-2]])
    assert stationarity_residual(jac, [0.0, 1.0]) == pytest.approx(1e-8)
    assert scaled_residual(jac, np.array([0.0, 1.0]), np.array([1e6, 1.0])) \
        == pytest.approx(1e-2)


def test_min_norm_weights_exact_for_gradients_on_scales_far_apart():
    # tasks scaled 1e4, 1, 1e-4 at an exactly stationary point: the row 1e8 shorter than
    # the longest never entered the active set (its slack was below an absolute 1e-14),
    # and the weights were (7.8e-9, 0, 1) with residual 9.3e-9 against the exact 1e-22
    from skpareto.metrics import stationarity_residual
    rng = np.random.default_rng(4)
    scales = np.array([1e4, 1.0, 1e-4])
    for _ in range(20):
        effective = rng.dirichlet(np.ones(3))
        u = rng.standard_normal((3, 4))
        u[2] = -(effective[0] * u[0] + effective[1] * u[1]) / effective[2]
        jac = scales[:, None] * u
        exact = effective / scales
        exact /= exact.sum()
        weights = min_norm_weights(jac)
        np.testing.assert_allclose(weights, exact, rtol=1e-6, atol=1e-14)
        assert stationarity_residual(jac, weights) <= 1e-15


def test_safe_norm_scales_past_the_float_range_and_overflows_to_inf_quietly():
    from skpareto._weights import safe_norm

    big = np.array([[3e200, 4e200], [3e-200, 4e-200]])
    np.testing.assert_allclose(safe_norm(big[:1], axis=1), [5e200], rtol=1e-15)
    np.testing.assert_allclose(safe_norm(big[1:], axis=1), [5e-200], rtol=1e-15)
    # each row on its own scale: by the array's peak the small row underflowed to 0
    np.testing.assert_allclose(safe_norm(big, axis=1), [5e200, 5e-200], rtol=1e-15)
    np.testing.assert_allclose(safe_norm(np.array([[3.0, 4.0], [3e-170, 4e-170]]), axis=1),
                               [5.0, 5e-170], rtol=1e-15)
    np.testing.assert_allclose(safe_norm(big, axis=0), [3e200, 4e200], rtol=1e-15)
    assert safe_norm(np.array([[3.0, 4.0]]), axis=1) == pytest.approx([5.0], rel=1e-15)
    # entries near the largest float: the norm is beyond it (a run-off face's gradients
    # warned "overflow encountered in ldexp", an error where warnings are)
    huge = np.array([[-1.79769313e308, -1.79769313e308, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isinf(safe_norm(huge, axis=1)).all()
