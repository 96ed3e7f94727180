"""The sample-based Hessian system (hess_sampler, random_state) of explore/expand_set."""

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import hessian, jacobian

from skpareto import explore
from skpareto._explore import _predict
from skpareto._weights import zero_sum_basis


def make_ridge_tasks(n_rows=120, n_features=5, m=2, seed=0):
    """m regression tasks on shared rows with task-specific ridge penalties.

    f_i(x) = 0.5 * mean((X x - y_i)^2) + 0.5 * lam_i ||x||^2, so
    Hess f_i = X^T X / N + lam_i I and the Pareto set is
    x(w) = (X^T X / N + (w @ lam) I)^-1 X^T (Y w) / N.
    Returns (fun, sampler(n_sub), pareto_set(w), x0).
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, n_features))
    Y = X @ rng.normal(size=(n_features, m)) + 0.3 * rng.normal(size=(n_rows, m))
    lam = np.linspace(0.05, 0.5, m)

    def objectives(rows):
        Xs, Ys = X[rows], Y[rows]

        def fun(x):
            resid = anp.dot(Xs, x)[:, None] - Ys
            return 0.5 * anp.mean(resid ** 2, axis=0) + 0.5 * lam * anp.sum(x ** 2)

        return fun

    def sampler(n_sub):
        def hess_sampler(rng):
            return objectives(rng.choice(n_rows, size=n_sub, replace=False))
        return hess_sampler

    def pareto_set(w):
        A = X.T @ X / n_rows + (w @ lam) * np.eye(n_features)
        return np.linalg.solve(A, X.T @ (Y @ w) / n_rows)

    return objectives(np.arange(n_rows)), sampler, pareto_set, np.zeros(n_features)


OPTIONS = dict(n_steps=6, step_size=0.15, tol=1e-10, rtol=1e-12)
# with a sampled Hessian the Newton corrector converges linearly, not quadratically
SAMPLED = dict(OPTIONS, tol=1e-7)


def _same_set(a, b):
    for name in ("params", "front", "weights", "parents", "residuals"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def test_sampled_points_lie_on_the_analytic_set():
    fun, sampler, pareto_set, x0 = make_ridge_tasks()
    pset = explore(fun, x0, hess_sampler=sampler(60), random_state=3, **SAMPLED)
    assert pset.n_points >= 8
    # the Jacobian (hence acceptance) is exact; the sample only steers the solves
    for x, w in zip(pset.params, pset.weights):
        target = pareto_set(w)
        assert np.linalg.norm(x - target) <= 1e-6 * np.linalg.norm(target)
    assert np.ptp(pset.weights[:, 0]) > 0.3


def test_all_rows_sampled_equals_the_full_hessian():
    fun, sampler, _, x0 = make_ridge_tasks()
    full = explore(fun, x0, **OPTIONS)
    sampled = explore(fun, x0, hess_sampler=sampler(120), random_state=0, **OPTIONS)
    assert sampled.n_points == full.n_points
    np.testing.assert_allclose(sampled.params, full.params, rtol=0, atol=1e-10)
    np.testing.assert_allclose(sampled.weights, full.weights, rtol=0, atol=1e-10)


def test_same_random_state_same_set_and_seeds_matter():
    fun, sampler, _, x0 = make_ridge_tasks()
    a = explore(fun, x0, hess_sampler=sampler(60), random_state=7, **SAMPLED)
    b = explore(fun, x0, hess_sampler=sampler(60), random_state=7, **SAMPLED)
    c = explore(fun, x0, hess_sampler=sampler(60), random_state=8, **SAMPLED)
    _same_set(a, b)
    n = min(a.n_points, c.n_points)
    assert n >= 5
    assert not np.array_equal(a.params[1:n], c.params[1:n])


def test_tangent_site_uses_the_keyed_sample():
    """The predictor at point i solves with the rows drawn from SeedSequence(rs, (i, 0))."""
    fun, sampler, pareto_set, _ = make_ridge_tasks(m=3)
    w = np.array([0.5, 0.3, 0.2])
    x = pareto_set(w)
    seed = np.random.SeedSequence(11, spawn_key=(4, 0))
    steps, _, residuals = _predict(fun, x, w, 0.01, dict(rtol=1e-13, maxiter=None,
                                                          damping=0.0, hess_fun=None),
                                   sampler(25), seed)
    assert np.all(residuals < 1e-10)
    # independent reference: the same rows, a dense Hessian and numpy.linalg.solve
    sub = sampler(25)(np.random.default_rng(np.random.SeedSequence(11, spawn_key=(4, 0))))
    H = hessian(lambda z: anp.dot(w, sub(z)))(x)
    J = jacobian(fun)(x)
    for k, beta in enumerate(zero_sum_basis(3)):
        v = np.linalg.solve(H, J.T @ beta)
        dx = steps[2 * k][0] - x
        np.testing.assert_allclose(dx, 0.01 * v / np.linalg.norm(v), rtol=0, atol=1e-12)
    # and a different key draws different rows, hence a different direction
    other = np.random.SeedSequence(11, spawn_key=(5, 0))
    steps_other, _, _ = _predict(fun, x, w, 0.01, dict(rtol=1e-13, maxiter=None,
                                                        damping=0.0, hess_fun=None),
                                 sampler(25), other)
    assert np.linalg.norm(steps_other[0][0] - steps[0][0]) > 1e-6


def test_expanding_twice_equals_expanding_once():
    from skpareto import expand_set
    fun, sampler, _, x0 = make_ridge_tasks()
    once = explore(fun, x0, hess_sampler=sampler(60), random_state=5, **SAMPLED)
    options = dict(SAMPLED, n_steps=3)
    twice = explore(fun, x0, hess_sampler=sampler(60), random_state=5, **options)
    assert twice.n_points < once.n_points
    expand_set(twice, fun, hess_sampler=sampler(60), random_state=5, **options)
    _same_set(once, twice)


@pytest.mark.parametrize("kwargs, match", [
    (dict(hess_sampler="rows"), "hess_sampler must be callable"),
    (dict(hess_sampler=lambda rng: None, hess_fun=lambda x: x), "exclusive"),
    (dict(hess_sampler=lambda rng: None, random_state=-1), "random_state"),
    (dict(hess_sampler=lambda rng: None, random_state=1.5), "random_state"),
])
def test_bad_sampling_options_raise(kwargs, match):
    fun, _, _, x0 = make_ridge_tasks()
    with pytest.raises(ValueError, match=match):
        explore(fun, x0, **kwargs)
