"""The sample-based Hessian system (hess_sampler, random_state) of explore/expand_set."""

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import hessian, jacobian

from skpareto import SolverOptions, expand_set, explore
from skpareto._continuation import Context, Point, tangents
from skpareto._hvp import value_and_jacobian
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


OPTIONS = dict(n_steps=6, step_size=0.1, tol=1e-10)
# with a sampled Hessian the Newton corrector converges linearly, not quadratically
SAMPLED = dict(tol=1e-6)


def _assert_on_the_set(fun, pareto_set, pset, tol):
    """Each point is x(w) at its own weights within what its residual allows.

    The tasks are quadratic: the weighted gradient is H_w (x - x(w)) exactly, so
    ||x - x(w)|| <= tol max_i ||grad f_i|| / lambda_min(H_w) (H_w from the analytic
    set's derivative would do as well; here from autograd).
    """
    for x, w in zip(pset.params, pset.weights):
        jac = jacobian(fun)(x)
        hess = hessian(lambda z: anp.dot(w, fun(z)))(x)
        bound = tol * np.linalg.norm(jac, axis=1).max() / np.linalg.eigvalsh(hess).min()
        assert np.linalg.norm(x - pareto_set(w)) <= 1.01 * bound + 1e-14


def _sampled(sampler, **changes):
    return SolverOptions(hess_sampler=sampler, **changes)


def _same_set(a, b):
    assert a.n_points == b.n_points
    for name in ("params", "front", "weights", "parents", "residuals"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def test_sampled_defaults_reach_the_whole_analytic_set():
    fun, sampler, pareto_set, x0 = make_ridge_tasks()
    pset = explore(fun, x0, options=_sampled(sampler(60)), random_state=3, **SAMPLED)
    assert pset.n_points >= 8
    assert pset.weights[:, 0].min() == 0.0 and pset.weights[:, 0].max() == 1.0
    # the Jacobian (hence acceptance) is exact; the sample only steers the solves
    assert np.all(pset.residuals <= 1e-6)
    _assert_on_the_set(fun, pareto_set, pset, 1e-6)


def test_sampled_three_tasks_explore_the_lattice():
    fun, sampler, pareto_set, x0 = make_ridge_tasks(m=3)
    pset = explore(fun, x0, options=_sampled(sampler(60)), random_state=4, n_steps=2,
                   **SAMPLED)
    assert pset.n_points >= 10
    _assert_on_the_set(fun, pareto_set, pset, 1e-6)


@pytest.mark.parametrize("hessian", ["sampled", "fixed"])
def test_three_tasks_solve_a_face_with_the_faces_hessian_objective(hessian):
    # a face of the simplex is the set of some of the tasks: its Hessians come from the
    # Hessian objective's same tasks (sampled or fixed), as its gradients from fun's
    fun, sampler, pareto_set, x0 = make_ridge_tasks(m=3)
    options = (_sampled(sampler(60)) if hessian == "sampled"
               else SolverOptions(hess_fun=sampler(60)(np.random.default_rng(0))))
    pset = explore(fun, x0, options=options, random_state=4, **SAMPLED)
    w = pset.weights
    for k in range(3):  # points inside each face (no single-task end)
        assert np.any((w[:, k] == 0) & (w.max(axis=1) < 1))
    _assert_on_the_set(fun, pareto_set, pset, 1e-6)


def test_all_rows_sampled_equals_the_full_hessian():
    # a "sample" of every row, in any order, is the full Hessian (to rounding)
    fun, sampler, _, x0 = make_ridge_tasks()
    options = SolverOptions(minres_rtol=1e-12)
    full = explore(fun, x0, options=options, **OPTIONS)
    sampled = explore(fun, x0, options=options.replace(hess_sampler=sampler(120)),
                      random_state=0, **OPTIONS)
    assert sampled.n_points == full.n_points
    np.testing.assert_allclose(sampled.params, full.params, rtol=0, atol=1e-10)
    np.testing.assert_allclose(sampled.weights, full.weights, rtol=0, atol=1e-10)


def test_same_random_state_same_set_and_seeds_matter():
    fun, sampler, _, x0 = make_ridge_tasks()
    a = explore(fun, x0, options=_sampled(sampler(60)), random_state=7, **SAMPLED)
    b = explore(fun, x0, options=_sampled(sampler(60)), random_state=7, **SAMPLED)
    c = explore(fun, x0, options=_sampled(sampler(60)), random_state=8, **SAMPLED)
    _same_set(a, b)
    n = min(a.n_points, c.n_points)
    assert n >= 5
    assert not np.array_equal(a.params[1:n], c.params[1:n])


def test_random_state_none_draws_fresh_samples():
    fun, sampler, _, x0 = make_ridge_tasks()
    a = explore(fun, x0, options=_sampled(sampler(60)), **SAMPLED)
    b = explore(fun, x0, options=_sampled(sampler(60)), **SAMPLED)
    n = min(a.n_points, b.n_points)
    assert not np.array_equal(a.params[1:n], b.params[1:n])


def test_tangent_site_uses_the_keyed_sample():
    """The tangent at a site solves with the rows drawn from SeedSequence(rs, key)."""
    fun, sampler, pareto_set, _ = make_ridge_tasks(m=3)
    w = np.array([0.5, 0.3, 0.2])
    x = pareto_set(w)
    values, jac = value_and_jacobian(fun, x)
    point = Point(x, values, jac, w, 0.0)
    ctx = Context(fun, 1e-10, SolverOptions.reference(hess_sampler=sampler(25),
                                                      minres_rtol=1e-13), 0.1, None, 11)
    directions, rates, _, n_hvp = tangents(ctx, point, (4, 0))
    assert n_hvp > 0
    # independent reference: the same rows, a dense Hessian and numpy.linalg.solve of the
    # bordered system [[H, B], [B^T, 0]] [v; mu] = [0; e_j] with B = J^T Z
    sub = sampler(25)(np.random.default_rng(np.random.SeedSequence(11, spawn_key=(4, 0))))
    H = hessian(lambda z: anp.dot(w, sub(z)))(x)
    J = jacobian(fun)(x)
    Z = zero_sum_basis(3).T
    bordered = np.block([[H, J.T @ Z], [Z.T @ J, np.zeros((2, 2))]])
    solution = np.linalg.solve(bordered, np.vstack([np.zeros((x.size, 2)), np.eye(2)]))
    np.testing.assert_allclose(directions, solution[:x.size].T, rtol=0,
                               atol=1e-9 * np.abs(solution[:x.size]).max())
    np.testing.assert_allclose(rates, (Z @ solution[x.size:]).T, rtol=0, atol=1e-9)
    # and a different key draws different rows, hence a different direction
    other, _, _, _ = tangents(ctx, point, (5, 0))
    assert np.linalg.norm(other - directions) > 1e-6
    again, _, _, _ = tangents(ctx, point, (4, 0))
    np.testing.assert_array_equal(again, directions)


def test_expanding_twice_adds_up_to_expanding_once():
    # a resumed branch starts its step-length control afresh (and its Hessian samples
    # are keyed by the new call), so the points differ, but the steps add up
    fun, sampler, pareto_set, x0 = make_ridge_tasks()
    options = _sampled(sampler(60))
    once = explore(fun, x0, options=options, random_state=5, n_steps=4, **SAMPLED)
    half = dict(SAMPLED, n_steps=2)
    twice = explore(fun, x0, options=options, random_state=5, **half)
    assert twice.n_points < once.n_points
    expand_set(twice, fun, options=options, random_state=5, **half)
    assert once.n_points == twice.n_points
    _assert_on_the_set(fun, pareto_set, twice, 1e-6)


@pytest.mark.parametrize("changes, match", [
    (dict(hess_sampler="rows"), "hess_sampler must be callable"),
    (dict(hess_sampler=lambda rng: None, hess_fun=lambda x: x), "exclusive"),
])
def test_bad_sampling_options_raise(changes, match):
    with pytest.raises(ValueError, match=match):
        SolverOptions(**changes)


@pytest.mark.parametrize("random_state", [-1, 1.5, "1", True])
def test_bad_random_state_raises(random_state):
    fun, sampler, _, x0 = make_ridge_tasks()
    with pytest.raises(ValueError, match="random_state"):
        explore(fun, x0, options=_sampled(sampler(60)), random_state=random_state)
