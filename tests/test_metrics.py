"""metrics: hypervolume against exact grid counting, non_dominated and IGD against loops."""

import itertools

import numpy as np
import pytest

from skpareto.metrics import (hypervolume, igd, igd_plus, non_dominated,
                              stationarity_residual)


def _grid_hypervolume(front, ref):
    """Exact volume of the union of boxes [p, ref] by counting cells of the coordinate grid."""
    m = front.shape[1]
    axes = [np.unique(np.concatenate([front[:, k], [ref[k]]])) for k in range(m)]
    axes = [a[a <= ref[k]] for k, a in enumerate(axes)]
    volume = 0.0
    for cell in itertools.product(*[range(len(a) - 1) for a in axes]):
        low = np.array([axes[k][i] for k, i in enumerate(cell)])
        if np.any(np.all(front <= low, axis=1)):  # some box covers this whole cell
            volume += np.prod([axes[k][i + 1] - axes[k][i] for k, i in enumerate(cell)])
    return volume


def _loop_non_dominated(front):
    p = len(front)
    keep = np.ones(p, bool)
    for j in range(p):
        for i in range(p):
            if all(front[i] <= front[j]) and any(front[i] < front[j]):
                keep[j] = False
    return keep


@pytest.mark.parametrize("m", [2, 3])
@pytest.mark.parametrize("seed", range(6))
def test_hypervolume_matches_grid_counting(m, seed):
    rng = np.random.default_rng(seed)
    p = [3, 8, 15][seed % 3]
    if seed % 2:
        front = rng.uniform(0.0, 1.2, size=(p, m))  # some points outside the reference box
    else:
        # points on a curved front, plus dominated ones and exact ties
        front = np.abs(rng.normal(size=(p, m)))
        front /= np.linalg.norm(front, axis=1, keepdims=True)
        front = np.vstack([front, front[:2] + 0.1, front[:1]])
        front[-1, 0] = front[0, 0]
    ref = np.ones(m)
    expected = _grid_hypervolume(front, ref)
    assert hypervolume(front) == pytest.approx(expected, rel=1e-12, abs=1e-15)
    # a shifted reference point
    ref2 = np.full(m, 1.5)
    assert hypervolume(front, ref2) == pytest.approx(_grid_hypervolume(front, ref2), rel=1e-12)


@pytest.mark.parametrize("m", [2, 3])
def test_hypervolume_matches_monte_carlo(m):
    rng = np.random.default_rng(10 + m)
    front = rng.uniform(0.0, 1.0, size=(30, m))
    samples = rng.uniform(0.0, 1.0, size=(200_000, m))
    covered = np.zeros(len(samples), bool)
    for point in front:
        covered |= np.all(samples >= point, axis=1)
    estimate = covered.mean()
    stderr = np.sqrt(estimate * (1 - estimate) / len(samples))
    assert abs(hypervolume(front) - estimate) <= 5 * stderr


def test_hypervolume_simple_cases():
    assert hypervolume([[0.5, 0.5]]) == 0.25
    assert hypervolume([[0.5, 0.5, 0.5]]) == 0.125
    assert hypervolume([[1.0, 0.0]]) == 0.0  # not strictly inside the reference box
    assert hypervolume(np.zeros((0, 2))) == 0.0
    with pytest.raises(ValueError, match="front"):
        hypervolume([0.5, 0.5])
    with pytest.raises(ValueError, match="reference"):
        hypervolume([[0.5, 0.5]], reference=[1.0, 1.0, 1.0])


@pytest.mark.parametrize("front, reference, message", [
    ([[np.nan, 0.5], [0.5, 0.5]], None, "front contains NaN or -inf"),  # was dropped: 0.25
    ([[-np.inf, 0.5]], None, "front contains NaN or -inf"),  # was an infinite volume
    ([[0.5, 0.5]], [np.nan, 1.0], "reference contains NaN or infinite"),
    ([[0.5, 0.5]], [np.inf, 1.0], "reference contains NaN or infinite"),
])
def test_hypervolume_rejects_values_without_a_volume(front, reference, message):
    with pytest.raises(ValueError, match=message):
        hypervolume(front, reference)
    # an infinite loss is worse than the reference: it adds nothing
    assert hypervolume([[np.inf, 0.5], [0.5, 0.5]]) == 0.25


def test_hypervolume_large_front_is_fast_and_monotone():
    # 20,000 points on a concave front: a sorted sweep, no quadratic memory
    u = np.linspace(-1.0, 1.0, 20_000)
    front = np.stack([1 - np.exp(-(u - 1) ** 2), 1 - np.exp(-(u + 1) ** 2)], axis=1)
    full = hypervolume(front)
    assert hypervolume(front[::10]) <= full  # fewer points, less volume
    assert hypervolume(front[::-1]) == pytest.approx(full, rel=1e-14)  # order does not matter


@pytest.mark.parametrize("m", [2, 3, 4])
@pytest.mark.parametrize("seed", range(4))
def test_non_dominated_matches_loop(m, seed):
    rng = np.random.default_rng(seed)
    # small integers: many ties and repeated rows
    front = rng.integers(0, 4, size=(25, m)).astype(float)
    mask = non_dominated(front)
    np.testing.assert_array_equal(mask, _loop_non_dominated(front))
    assert mask.any()


def test_non_dominated_in_blocks_matches_all_pairs(monkeypatch):
    # rows are compared in blocks, so that a large front does not take p * p * m booleans
    from skpareto import metrics

    rng = np.random.default_rng(0)
    front = rng.integers(0, 6, size=(60, 3)).astype(float)
    whole = non_dominated(front)
    monkeypatch.setattr(metrics, "_BLOCK", 7)
    np.testing.assert_array_equal(non_dominated(front), whole)
    np.testing.assert_array_equal(whole, _loop_non_dominated(front))


def test_stationarity_residual():
    jac = np.array([[1.0, 2.0], [-2.0, -4.0]])
    # min-norm weights (2/3, 1/3) cancel the gradients exactly
    assert stationarity_residual(jac) <= 1e-15
    w = np.array([0.5, 0.5])
    expected = np.linalg.norm(jac.T @ w) / np.linalg.norm(jac[1])
    assert stationarity_residual(jac, w) == pytest.approx(expected, rel=1e-15)
    assert stationarity_residual(np.zeros((2, 3))) == 0.0
    with pytest.raises(ValueError, match="jac"):
        stationarity_residual([[np.nan, 1.0]])


def test_stationarity_residual_of_gradients_past_the_float_range_of_their_squares():
    # an exponential far from its minimum: the squares of these entries overflow, and the
    # residual was NaN (inf / inf), which stage 1 kept as a converged point
    jac = np.array([[0.0, 2.09, 0.0], [-11.4, 114.0, 0.0]])
    w = np.array([0.7, 0.3])
    for weights in (None, w):
        expected = stationarity_residual(jac, weights)
        assert 0.0 < expected < 1.0
        # scaled by a power of two the ratio is the same to the last bit; below 1e-154 the
        # squares underflowed to 0 (residual 0), near the float's top the norms overflowed
        for scale in (1e175, 1e-200, 2.0 ** -1000, 1e300, 2.0 ** 1000):
            got = stationarity_residual(scale * jac, weights)
            assert got == pytest.approx(expected, rel=1e-12), scale
    assert stationarity_residual(2.0 ** -700 * jac, w) == stationarity_residual(jac, w)


@pytest.mark.parametrize("weights, message", [
    ([0.5, 0.5], r"weights must have shape \(3,\)"),
    ([[0.2, 0.3, 0.5]], r"weights must have shape \(3,\)"),
    ([np.nan, 0.5, 0.5], "weights contains NaN"),
    # off the simplex: [1, -1, 0] cancels two equal gradients, a residual of 0 it does not have
    ([1.0, -1.0, 0.0], "weights must be non-negative"),
    ([0.5, 0.5, 0.5], "weights must sum to one"),
])
def test_stationarity_residual_names_bad_weights(weights, message):
    jac = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match=message):
        stationarity_residual(jac, weights)


def test_stationarity_residual_of_a_single_objective_is_its_gradient_norm():
    # relative to itself a non-zero gradient would always give 1
    assert stationarity_residual([[3.0, -4.0]]) == pytest.approx(5.0, rel=1e-15)
    assert stationarity_residual([[3e-9, 4e-9]], [1.0]) == pytest.approx(5e-9, rel=1e-15)
    assert stationarity_residual([[0.0, 0.0]]) == 0.0
    assert stationarity_residual([[3e-200, 4e-200]]) == pytest.approx(5e-200, rel=1e-15)


def _loop_igd(front, reference, plus):
    total = 0.0
    for z in reference:
        best = np.inf
        for a in front:
            d = np.maximum(a - z, 0.0) if plus else a - z
            best = min(best, float(np.sqrt(np.sum(d ** 2))))
        total += best
    return total / len(reference)


@pytest.mark.parametrize("m", [2, 3, 5])
@pytest.mark.parametrize("seed", range(3))
def test_igd_matches_a_loop(m, seed):
    rng = np.random.default_rng(seed)
    front = rng.uniform(size=(int(rng.integers(1, 30)), m))
    reference = rng.uniform(size=(int(rng.integers(1, 40)), m))
    assert igd(front, reference) == pytest.approx(_loop_igd(front, reference, False),
                                                  rel=1e-13)
    assert igd_plus(front, reference) == pytest.approx(_loop_igd(front, reference, True),
                                                       rel=1e-13, abs=1e-15)
    assert igd_plus(front, reference) <= igd(front, reference)


def test_igd_blocks_of_a_large_reference_front():
    # more reference points than one block of differences holds: same as one pass
    rng = np.random.default_rng(3)
    front = rng.uniform(size=(1500, 2))
    reference = rng.uniform(size=(2000, 2))
    d = np.linalg.norm(front[None] - reference[:, None], axis=2).min(axis=1).mean()
    assert igd(front, reference) == pytest.approx(d, rel=1e-13)


def test_igd_simple_cases():
    circle = np.stack([np.cos(np.linspace(0, np.pi / 2, 50)),
                       np.sin(np.linspace(0, np.pi / 2, 50))], axis=1)
    assert igd(circle, circle) == 0.0
    assert igd_plus(circle, circle) == 0.0
    # the segment f0 + f1 = 1 shifted along its normal by (0.1, 0.1) is 0.1 * sqrt(2) from
    # every reference point in IGD and IGD+ (worse in both objectives)
    t = np.linspace(0.0, 1.0, 11)
    line = np.stack([t, 1.0 - t], axis=1)
    assert igd(line + 0.1, line) == pytest.approx(0.1 * np.sqrt(2), rel=1e-14)
    assert igd_plus(line + 0.1, line) == pytest.approx(0.1 * np.sqrt(2), rel=1e-14)
    assert igd(circle + 0.1, circle) < 0.1 * np.sqrt(2)  # the curve bends closer
    # one dominating point: IGD sees its distance, IGD+ sees nothing to improve
    assert igd_plus([[0.0, 0.0]], circle) == 0.0
    assert igd([[0.0, 0.0]], circle) == pytest.approx(1.0, rel=1e-14)
    # a front missing half of the reference front pays for it
    assert igd(circle[:25], circle) > igd(circle[::2], circle)
    with pytest.raises(ValueError, match="front"):
        igd(np.zeros((0, 2)), circle)
    with pytest.raises(ValueError, match="reference_front"):
        igd(circle, circle[:, :1])
    with pytest.raises(ValueError, match="reference_front"):
        igd_plus(circle, [[np.nan, 1.0]])


def test_igd_matches_pymoo():
    pytest.importorskip("pymoo")
    from pymoo.indicators.igd import IGD
    from pymoo.indicators.igd_plus import IGDPlus

    rng = np.random.default_rng(7)
    front, reference = rng.uniform(size=(40, 3)), rng.uniform(size=(60, 3))
    assert igd(front, reference) == pytest.approx(IGD(reference)(front), rel=1e-12)
    assert igd_plus(front, reference) == pytest.approx(IGDPlus(reference)(front), rel=1e-12)
