"""Stage 1: find_stationary reaches Pareto-stationary points (both methods)."""

import numpy as np
import pytest
from autograd import jacobian

from skpareto import find_stationary
from skpareto.metrics import stationarity_residual
from skpareto.problems import DTLZ2, ConvexQuadratic, FonsecaFleming

QUADRATICS = [ConvexQuadratic(n=8, m=2, random_state=0),
              ConvexQuadratic(n=8, m=3, condition=100.0, random_state=1)]


def _check_result(res, problem, tol):
    for key in ("x", "weights", "residual", "nit", "n_grad", "n_hvp", "objectives", "success"):
        assert key in res
    assert res.success
    assert res.x.shape == (problem.n,)
    assert res.nit > 0 and res.n_grad > 0
    w = res.weights
    assert w.shape == (problem.m,) and np.all(w >= 0) and abs(w.sum() - 1) <= 1e-12
    # the residual it reports is the one an independent Jacobian gives, at its weights
    jac = jacobian(problem.fun)(res.x)
    assert res.residual <= tol
    assert stationarity_residual(jac, w) <= max(tol, 10 * res.residual)
    np.testing.assert_allclose(res.objectives, problem.fun(res.x), rtol=1e-14)


@pytest.mark.parametrize("problem", QUADRATICS, ids=repr)
def test_lbfgs_reaches_the_weighted_minimizer(problem):
    rng = np.random.default_rng(2)
    for w in rng.dirichlet(np.ones(problem.m), size=3):
        # ||x - x(w)|| <= ||H^-1|| ||gradient||: a residual 1e-12 gives x(w) to 1e-10 here
        res = find_stationary(problem.fun, problem.x0, w, method="lbfgs", tol=1e-12)
        _check_result(res, problem, 1e-12)
        np.testing.assert_allclose(res.weights, w, rtol=1e-14)
        target = problem.pareto_set(w)
        assert np.linalg.norm(res.x - target) <= 1e-10 * np.linalg.norm(target)


@pytest.mark.parametrize("problem", QUADRATICS, ids=repr)
def test_mgda_reaches_a_stationary_point(problem):
    calls = [0]

    def fun(x):
        calls[0] += 1
        return problem.fun(x)

    res = find_stationary(fun, problem.x0, method="mgda", tol=1e-10)
    _check_result(res, problem, 1e-10)
    # every forward pass is counted as at least one gradient or HVP
    assert calls[0] <= res.n_grad + res.n_hvp
    # MGDA (linear convergence) hands over to Newton: hundreds, not thousands, of gradients
    assert res.n_grad <= 500
    # it is the point of the analytic set for the weights it found
    target = problem.pareto_set(res.weights)
    assert np.linalg.norm(res.x - target) <= 1e-9 * np.linalg.norm(target)
    # MGDA decreases every objective from the start
    assert np.all(res.objectives <= problem.fun(problem.x0))


def test_lbfgs_on_fonseca_fleming_lands_near_an_end():
    problem = FonsecaFleming(n=10)
    res = find_stationary(problem.fun, problem.x0, method="lbfgs", tol=1e-10)
    _check_result(res, problem, 1e-10)
    assert problem.distance_to_set(res.x) <= 1e-8
    u = np.sqrt(problem.n) * res.x.mean()
    # the weighted sum's minimizers of a concave front sit near its ends
    assert 0.9 <= abs(u) <= 1.0 + 1e-8


def test_mgda_on_fonseca_fleming_and_dtlz2():
    problem = FonsecaFleming(n=10)
    res = find_stationary(problem.fun, problem.x0, method="mgda", tol=1e-10)
    _check_result(res, problem, 1e-10)
    assert problem.distance_to_set(res.x) <= 1e-8
    assert abs(np.sqrt(problem.n) * res.x.mean()) < 0.9  # the interior of the concave front
    problem = DTLZ2(n=6)
    res = find_stationary(problem.fun, problem.x0, method="mgda", tol=1e-10)
    _check_result(res, problem, 1e-10)
    assert abs(np.linalg.norm(res.objectives) - 1.0) <= 1e-8  # on the unit sphere
    # a front point f is stationary for the weights f / sum(f)
    np.testing.assert_allclose(res.weights, res.objectives / res.objectives.sum(), atol=1e-8)


def test_bad_input_raises_value_error_naming_the_argument():
    problem = QUADRATICS[0]
    x0 = problem.x0.copy()
    x0[1] = np.nan
    with pytest.raises(ValueError, match="x0"):
        find_stationary(problem.fun, x0)
    with pytest.raises(ValueError, match="x0"):
        find_stationary(problem.fun, np.ones((2, 4)))
    with pytest.raises(ValueError, match="method"):
        find_stationary(problem.fun, problem.x0, method="adam")
    with pytest.raises(ValueError, match="weights"):
        find_stationary(problem.fun, problem.x0, [0.5, 0.6])
    with pytest.raises(ValueError, match="weights"):
        find_stationary(problem.fun, problem.x0, [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="tol"):
        find_stationary(problem.fun, problem.x0, tol=0.0)


def test_verbose_output(capsys):
    problem = QUADRATICS[0]
    find_stationary(problem.fun, problem.x0, verbose=0)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    find_stationary(problem.fun, problem.x0, verbose=1)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "stage 1" in captured.err and "residual" in captured.err


def test_lbfgs_stops_at_the_requested_tolerance():
    problem = ConvexQuadratic(n=30, m=2, condition=1000.0, random_state=3)
    w = [0.3, 0.7]
    loose = find_stationary(problem.fun, problem.x0, w, method="lbfgs", tol=1e-3)
    tight = find_stationary(problem.fun, problem.x0, w, method="lbfgs", tol=1e-12)
    jac = jacobian(problem.fun)(loose.x)
    assert stationarity_residual(jac, w) <= 1e-3
    assert loose.n_hvp == 0  # L-BFGS itself reached tol: the Newton polish had nothing to do
    # it stopped near tol instead of running L-BFGS until it stalls
    assert loose.residual > 1e-6
    assert loose.n_grad <= 0.5 * tight.n_grad
    assert tight.residual <= 1e-12


def test_newton_forcing_reaches_tol_with_inexact_steps():
    from skpareto._stationary import newton_correct

    problem = ConvexQuadratic(n=40, m=2, condition=100.0, random_state=4)
    w = np.array([0.4, 0.6])
    target = problem.pareto_set(w)
    start = target + 0.05 * np.linalg.norm(target) * np.random.default_rng(1).normal(
        size=problem.n) / np.sqrt(problem.n)
    exact = newton_correct(problem.fun, start, w, tol=1e-10)
    inexact = newton_correct(problem.fun, start, w, tol=1e-10, forcing=True)
    for res in (exact, inexact):
        assert res.success and res.residual <= 1e-10
        # the reported residual is an independent Jacobian's, at the final point
        assert stationarity_residual(jacobian(problem.fun)(res.x), w) <= 1e-10
        np.testing.assert_allclose(res.objectives, problem.fun(res.x), rtol=1e-14)
        assert np.linalg.norm(res.x - target) <= 1e-8 * np.linalg.norm(target)
    # one exact Newton step solves a quadratic; the forcing sequence takes several loose ones
    assert exact.nit == 1 and inexact.nit >= 2


def test_newton_stops_at_once_where_the_hessian_is_singular_along_the_gradient():
    # f = [x0 + x1^2, x0 + (x1 - 1)^2]: the weighted gradient is (1, 0) on the line
    # x1 = 0.5, where the Hessian diag(0, 2) cannot reduce it; the corrector gives up after
    # one solve instead of a 30-trial line search
    import autograd.numpy as anp

    from skpareto._stationary import newton_correct

    def fun(x):
        return anp.stack([x[0] + x[1] ** 2, x[0] + (x[1] - 1.0) ** 2])

    res = newton_correct(fun, np.array([0.0, 0.5]), np.array([0.5, 0.5]), tol=1e-8)
    assert not res.success and "singular" in res.message
    assert res.nit == 0 and res.n_grad == 3  # the Jacobian and one linearization
    np.testing.assert_array_equal(res.x, [0.0, 0.5])


def test_newton_shared_and_separate_hessian_paths_agree():
    # Hessians traced with the line-search gradients, or from a separate hess_fun: the same
    # steps, the separate path paying one more gradient per linearization after the first
    from skpareto._stationary import newton_correct

    problem = ConvexQuadratic(n=40, m=2, condition=100.0, random_state=4)
    w = np.array([0.7, 0.3])
    start = problem.pareto_set(w) + 0.1
    for forcing in (False, True):
        shared = newton_correct(problem.fun, start, w, tol=1e-10, forcing=forcing)
        separate = newton_correct(problem.fun, start, w, tol=1e-10, forcing=forcing,
                                  hess_fun=lambda z: problem.fun(z))
        for res in (shared, separate):
            assert res.success and res.residual <= 1e-10
            assert stationarity_residual(jacobian(problem.fun)(res.x), w) <= 1e-10
        np.testing.assert_allclose(separate.x, shared.x, rtol=0, atol=1e-12)
        assert separate.nit == shared.nit and separate.n_hvp == shared.n_hvp
        assert separate.n_grad == shared.n_grad + shared.nit - 1  # the first is shared


def test_arclength_step_is_the_dense_bordered_newton_step_and_passes_the_fold():
    from autograd import hessian

    from skpareto._stationary import arclength_correct
    from skpareto._weights import zero_sum_basis

    problem = FonsecaFleming(n=4)
    u_fold = problem._folds()[1]
    t = u_fold / np.sqrt(problem.n)
    x_set, w_set = problem.set_at(t), problem.weights_of_t(t)
    rng = np.random.default_rng(0)
    x_pred = x_set + 1e-3 * rng.standard_normal(problem.n)
    w_pred = w_set + np.array([2e-3, -2e-3])
    # dense reference: [[H_w, B], [B^T, 0]] [dx; dmu] = -[J^T w; B^T (x - x_pred)] at x = x_pred
    jac = jacobian(problem.fun)(x_pred)
    hess = hessian(lambda z: w_pred @ problem.fun(z))(x_pred)
    basis = zero_sum_basis(2).T
    border = jac.T @ basis
    bordered = np.block([[hess, border], [border.T, np.zeros((1, 1))]])
    step = np.linalg.solve(bordered, -np.concatenate([jac.T @ w_pred, [0.0]]))
    res = arclength_correct(problem.fun, x_pred, w_pred, tol=1e-14, max_iter=1)
    assert res.nit == 1 and res.n_hvp > 0
    np.testing.assert_allclose(res.x, x_pred + step[:-1], rtol=0, atol=1e-8)
    np.testing.assert_allclose(res.weights, w_pred + basis @ step[-1:], rtol=0, atol=1e-8)
    # at the fold the Hessian of the weighted sum is singular along the set, the bordered
    # matrix is not: the full corrector converges onto the set there
    hess_set = hessian(lambda z: w_set @ problem.fun(z))(x_set)
    direction = np.ones(problem.n) / np.sqrt(problem.n)
    assert abs(direction @ hess_set @ direction) <= 1e-6 * np.linalg.norm(hess_set, 2)
    res = arclength_correct(problem.fun, x_pred, w_pred, tol=1e-12)
    assert res.success and res.residual <= 1e-12
    assert problem.distance_to_set(res.x) <= 1e-10
    t_res = res.x.mean()
    np.testing.assert_allclose(res.weights, problem.weights_of_t(t_res), atol=1e-8)
    assert stationarity_residual(jacobian(problem.fun)(res.x), res.weights) <= 1e-12
