"""Tests of skpareto.datasets against independent reconstructions."""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from skpareto.datasets import make_conflicting_regression, make_multi_digits


@pytest.fixture(scope="module")
def digits():
    return load_digits()


def test_multi_digits_shapes_and_ranges():
    bunch = make_multi_digits(50, random_state=0)
    assert bunch.data.shape == (50, 144)
    assert bunch.images.shape == (50, 12, 12)
    assert bunch.target.shape == (50, 2)
    assert bunch.target.dtype.kind == "i"
    assert set(np.unique(bunch.target)) <= set(range(10))
    assert bunch.data.min() >= 0.0 and bunch.data.max() <= 1.0
    np.testing.assert_array_equal(bunch.data, bunch.images.reshape(50, -1))
    assert "MultiDigits" in bunch.DESCR and "50" in bunch.DESCR


def test_multi_digits_rebuilt_by_loops(digits):
    # an independent, loop-by-loop reconstruction from the reported sources and offsets
    bunch = make_multi_digits(40, random_state=3)
    for i in range(40):
        canvas = np.zeros((12, 12))
        for k in range(2):
            r, c = bunch.offsets[i, 2 * k], bunch.offsets[i, 2 * k + 1]
            glyph = digits.images[bunch.source[i, k]] / 16.0
            for a in range(8):
                for b in range(8):
                    canvas[r + a, c + b] = max(canvas[r + a, c + b], glyph[a, b])
        np.testing.assert_array_equal(bunch.images[i], canvas)
        np.testing.assert_array_equal(bunch.target[i], digits.target[bunch.source[i]])
    # left digit up-left, right digit down-right
    assert set(np.unique(bunch.offsets[:, :2])) <= {0, 1}
    assert set(np.unique(bunch.offsets[:, 2:])) <= {3, 4}


def test_multi_digits_covers_all_offsets_and_classes():
    bunch = make_multi_digits(2000, random_state=0)
    for col in range(4):
        assert len(np.unique(bunch.offsets[:, col])) == 2
    for task in range(2):
        counts = np.bincount(bunch.target[:, task], minlength=10)
        assert counts.min() > 120  # about 200 each


def test_multi_digits_deterministic():
    a = make_multi_digits(30, random_state=7)
    b = make_multi_digits(30, random_state=np.random.RandomState(7))
    c = make_multi_digits(30, random_state=8)
    np.testing.assert_array_equal(a.data, b.data)
    np.testing.assert_array_equal(a.target, b.target)
    assert not np.array_equal(a.data, c.data)
    X, y = make_multi_digits(30, random_state=7, return_X_y=True)
    np.testing.assert_array_equal(X, a.data)
    np.testing.assert_array_equal(y, a.target)


@pytest.mark.parametrize("bad", [0, -3, 2.5, "10", True])
def test_multi_digits_bad_n_samples(bad):
    with pytest.raises(ValueError, match="n_samples"):
        make_multi_digits(bad)


@pytest.mark.parametrize("n_tasks", [1, 2, 4])
@pytest.mark.parametrize("conflict", [0.0, 0.25, 0.8, 1.0])
def test_conflicting_regression_correlations(n_tasks, conflict):
    X, Y = make_conflicting_regression(300, 6, n_tasks, conflict, random_state=1)
    assert X.shape == (300, 6) and Y.shape == (300, n_tasks)
    np.testing.assert_allclose(Y.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose((Y ** 2).mean(axis=0), 1.0, rtol=1e-12)
    gram = Y.T @ Y / len(Y)
    expected = np.full((n_tasks, n_tasks), 1.0 - conflict)
    np.fill_diagonal(expected, 1.0)
    np.testing.assert_allclose(gram, expected, atol=1e-12)


def test_conflicting_regression_targets_read_out_a_tanh_layer():
    # the targets are an affine function of n_tasks + 1 tanh features of X:
    # recover them by least squares on features refit from scratch
    X, Y = make_conflicting_regression(400, 3, 2, 0.6, random_state=5)
    rng = np.random.RandomState(5)
    X_again = rng.standard_normal((400, 3))
    np.testing.assert_array_equal(X, X_again)
    W = rng.standard_normal((3, 3)) * (1.5 / np.sqrt(3))
    b = rng.uniform(-0.5, 0.5, 3)
    features = np.hstack([np.tanh(X @ W + b), np.ones((400, 1))])
    coef, *_ = np.linalg.lstsq(features, Y, rcond=None)
    np.testing.assert_allclose(features @ coef, Y, atol=1e-9)
    # and not of a narrower layer: one unit leaves most of a task unexplained
    one = np.hstack([np.tanh(X @ W[:, :1] + b[0]), np.ones((400, 1))])
    coef1, *_ = np.linalg.lstsq(one, Y, rcond=None)
    assert np.mean((one @ coef1 - Y) ** 2) > 0.05


def test_conflicting_regression_noise_and_determinism():
    X0, Y0 = make_conflicting_regression(200, 4, 2, 0.5, random_state=2)
    X1, Y1 = make_conflicting_regression(200, 4, 2, 0.5, noise=0.3, random_state=2)
    np.testing.assert_array_equal(X0, X1)
    resid = Y1 - Y0
    assert 0.2 < resid.std() < 0.4
    X2, Y2 = make_conflicting_regression(200, 4, 2, 0.5, noise=0.3, random_state=2)
    np.testing.assert_array_equal(Y1, Y2)


@pytest.mark.parametrize("kwargs, name", [
    ({"conflict": -0.1}, "conflict"),
    ({"conflict": 1.5}, "conflict"),
    ({"conflict": float("nan")}, "conflict"),
    ({"noise": -1.0}, "noise"),
    ({"noise": float("inf")}, "noise"),
    ({"n_tasks": 0}, "n_tasks"),
    ({"n_features": 1.5}, "n_features"),
    ({"n_samples": 3, "n_tasks": 2}, "n_samples"),
])
def test_conflicting_regression_bad_arguments(kwargs, name):
    args = {"n_samples": 50, "n_features": 3, "n_tasks": 2, "conflict": 0.5}
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        make_conflicting_regression(**args)
