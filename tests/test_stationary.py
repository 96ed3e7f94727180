"""Stage 1: find_stationary reaches Pareto-stationary points (both methods)."""

import warnings

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import jacobian

from skpareto import ConvergenceWarning, SolverOptions, explore, find_stationary
from skpareto._stationary import minimize_task
from skpareto._utils import Status
from skpareto.metrics import stationarity_residual
from skpareto.problems import DTLZ2, ConvexQuadratic, FonsecaFleming

LBFGS, MGDA = SolverOptions(method="lbfgs"), SolverOptions(method="mgda")
QUADRATICS = [ConvexQuadratic(n=8, m=2, random_state=0),
              ConvexQuadratic(n=8, m=3, condition=100.0, random_state=1)]


def _check_result(res, problem, tol):
    for key in ("x", "weights", "residual", "nit", "n_grad", "n_hvp", "objectives", "success",
                "status", "message", "method", "jac"):
        assert key in res
    assert res.success and res.status is Status.CONVERGED
    assert isinstance(res.status, Status) and res.method in ("lbfgs", "mgda")
    assert res.x.shape == (problem.n,)
    assert res.nit > 0 and res.n_grad > 0
    w = res.weights
    assert w.shape == (problem.m,) and np.all(w >= 0) and abs(w.sum() - 1) <= 1e-12
    # the residual it reports is the one an independent Jacobian gives, at its weights
    jac = jacobian(problem.fun)(res.x)
    assert res.residual <= tol
    assert stationarity_residual(jac, w) <= max(tol, 10 * res.residual)
    np.testing.assert_allclose(res.objectives, problem.fun(res.x), rtol=1e-14)
    np.testing.assert_allclose(res.jac, jac, rtol=1e-12, atol=1e-14 * np.abs(jac).max())


@pytest.mark.parametrize("problem", QUADRATICS, ids=repr)
def test_lbfgs_reaches_the_analytic_set_near_the_weights_asked(problem):
    rng = np.random.default_rng(2)
    for w in rng.dirichlet(np.ones(problem.m), size=3):
        res = find_stationary(problem.fun, problem.x0, w, tol=1e-12, options=LBFGS)
        _check_result(res, problem, 1e-12)
        assert res.method == "lbfgs"
        # on the analytic set at the weights it reports, which are the trade-off asked for
        # (the Newton polish may move them along the set by about what L-BFGS left)
        target = problem.pareto_set(res.weights)
        assert np.linalg.norm(res.x - target) <= 1e-10 * np.linalg.norm(target)
        np.testing.assert_allclose(res.weights, w, rtol=0, atol=1e-8)


@pytest.mark.parametrize("problem", QUADRATICS, ids=repr)
def test_lbfgs_reaches_the_weighted_minimizer_of_the_weights_asked(problem):
    # stage 1 at a trade-off w: x(w) to tol, so that predict's model is the one asked for
    rng = np.random.default_rng(2)
    for w in rng.dirichlet(np.ones(problem.m), size=3):
        res = find_stationary(problem.fun, problem.x0, w, tol=1e-12, options=LBFGS)
        assert stationarity_residual(jacobian(problem.fun)(res.x), w) <= 1e-12
        np.testing.assert_allclose(res.weights, w, rtol=1e-12)
        target = problem.pareto_set(w)
        assert np.linalg.norm(res.x - target) <= 1e-10 * np.linalg.norm(target)


@pytest.mark.parametrize("problem", QUADRATICS, ids=repr)
def test_mgda_reaches_a_stationary_point(problem):
    calls = [0]

    def fun(x):
        calls[0] += 1
        return problem.fun(x)

    res = find_stationary(fun, problem.x0, options=MGDA, tol=1e-10)
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
    res = find_stationary(problem.fun, problem.x0, options=LBFGS, tol=1e-10)
    _check_result(res, problem, 1e-10)
    assert problem.distance_to_set(res.x) <= 1e-8
    u = np.sqrt(problem.n) * res.x.mean()
    # the weighted sum's minimizers of a concave front sit near its ends
    assert 0.9 <= abs(u) <= 1.0 + 1e-8


def test_mgda_on_fonseca_fleming_and_dtlz2():
    problem = FonsecaFleming(n=10)
    res = find_stationary(problem.fun, problem.x0, options=MGDA, tol=1e-10)
    _check_result(res, problem, 1e-10)
    assert problem.distance_to_set(res.x) <= 1e-8
    assert abs(np.sqrt(problem.n) * res.x.mean()) < 0.9  # the interior of the concave front
    problem = DTLZ2(n=6)
    res = find_stationary(problem.fun, problem.x0, options=MGDA, tol=1e-10)
    _check_result(res, problem, 1e-10)
    assert abs(np.linalg.norm(res.objectives) - 1.0) <= 1e-8  # on the unit sphere
    # a front point f is stationary for the weights f / sum(f)
    np.testing.assert_allclose(res.weights, res.objectives / res.objectives.sum(), atol=1e-8)


def test_mgda_that_reaches_a_kink_ends_at_the_point_before_with_its_work_counted():
    # the descent steps past x[0] = 0, where sqrt(max(x[0], 0)) stays finite and its
    # gradient does not (in a box, MGDA no longer steps onto its bound)
    from skpareto._stationary import mgda_descent
    from skpareto.exceptions import NonFiniteError

    passes = {"jacobian": 0, "forward": 0}

    def fun(x):
        # autograd traces a Jacobian with a boxed x; a line-search trial is a plain array
        passes["forward" if isinstance(x, np.ndarray) else "jacobian"] += 1
        return anp.array([anp.sqrt(anp.maximum(x[0], 0.0)) + 10.0 * x[1] ** 2,
                          0.01 * x[0] + 10.0 * (x[1] - 1.0) ** 2])

    x0 = np.array([4.0, 3.0])
    with np.errstate(all="ignore"):
        res = mgda_descent(fun, x0, tol=1e-6)
        counted = dict(passes)
        assert res.status == Status.NON_FINITE and res.nit >= 1
        assert np.all(np.isfinite(res.x)) and res.x[0] > 0.0
        np.testing.assert_array_equal(res.objectives, fun(res.x))
        np.testing.assert_allclose(res.jac, jacobian(fun)(res.x), rtol=1e-12)
        assert stationarity_residual(res.jac, res.weights) == pytest.approx(res.residual)
        # two gradients per Jacobian, the one that failed too, one per trial
        assert res.n_grad == 2 * counted["jacobian"] + counted["forward"]
        with pytest.raises(NonFiniteError):
            mgda_descent(fun, np.array([0.0, 3.0]))
        # stage 1 keeps the descent's point and work in its failed result
        with pytest.warns(ConvergenceWarning, match="not finite"):
            failed = find_stationary(fun, x0, options=MGDA)
    assert failed.status == Status.NON_FINITE and not failed.success
    assert failed.method == "mgda"
    np.testing.assert_array_equal(failed.x, res.x)
    assert failed.n_grad == res.n_grad + 2  # and the check of x0


def test_mgda_stopped_by_max_step_returns_a_point_within_it_with_its_own_values():
    from skpareto._stationary import mgda_descent

    problem = ConvexQuadratic(n=5, m=2, random_state=1)
    res = mgda_descent(problem.fun, problem.x0, max_step=2.0)
    assert res.status == Status.TRUST_REGION and res.nit >= 1  # after accepted steps
    assert 0.0 < np.linalg.norm(res.x - problem.x0) <= 2.0
    np.testing.assert_array_equal(res.objectives, problem.fun(res.x))
    np.testing.assert_allclose(res.jac, jacobian(problem.fun)(res.x), rtol=1e-12, atol=1e-12)


def test_bad_input_raises_value_error_naming_the_argument():
    problem = QUADRATICS[0]
    x0 = problem.x0.copy()
    x0[1] = np.nan
    with pytest.raises(ValueError, match="x0"):
        find_stationary(problem.fun, x0)
    with pytest.raises(ValueError, match="x0"):
        find_stationary(problem.fun, np.ones((2, 4)))
    with pytest.raises(ValueError, match="method"):
        find_stationary(problem.fun, problem.x0, options=SolverOptions(method="adam"))
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
    loose = find_stationary(problem.fun, problem.x0, w, options=LBFGS, tol=1e-3)
    tight = find_stationary(problem.fun, problem.x0, w, options=LBFGS, tol=1e-12)
    jac = jacobian(problem.fun)(loose.x)
    assert stationarity_residual(jac, w) <= 1e-3
    # it stopped near tol instead of running L-BFGS until it stalls, and the Newton polish
    # had nothing to do (it would have gone far below)
    assert loose.residual > 1e-6
    assert loose.n_grad <= 0.5 * tight.n_grad
    assert tight.residual <= 1e-12


def test_options_of_another_type_raise_value_error_naming_options():
    problem = QUADRATICS[0]
    with pytest.raises(ValueError, match="options"):
        find_stationary(problem.fun, problem.x0, options={"method": "mgda"})


def test_newton_forcing_reaches_tol_with_inexact_steps():
    from skpareto._stationary import newton_correct

    problem = ConvexQuadratic(n=40, m=2, condition=100.0, random_state=4)
    w = np.array([0.4, 0.6])
    target = problem.pareto_set(w)
    start = target + 0.05 * np.linalg.norm(target) * np.random.default_rng(1).normal(
        size=problem.n) / np.sqrt(problem.n)
    for hessian in ("dense", "matvec"):
        exact = newton_correct(problem.fun, start, w, tol=1e-10, max_iter=20,
                               options=SolverOptions.reference(hessian=hessian))
        inexact = newton_correct(problem.fun, start, w, tol=1e-10, max_iter=20,
                                 options=SolverOptions(hessian=hessian))
        for res in (exact, inexact):
            assert res.success and res.status is Status.CONVERGED and res.residual <= 1e-10
            # the reported residual is an independent Jacobian's, at the final point
            assert stationarity_residual(jacobian(problem.fun)(res.x), w) <= 1e-10
            np.testing.assert_allclose(res.objectives, problem.fun(res.x), rtol=1e-14)
            assert np.linalg.norm(res.x - target) <= 1e-8 * np.linalg.norm(target)
            np.testing.assert_array_equal(res.weights, w)  # fixed weights
        # one exact Newton step solves a quadratic
        assert exact.nit == 1
        if hessian == "matvec":  # the forcing sequence takes several loose ones
            assert inexact.nit >= 2


def test_newton_stops_at_once_where_the_hessian_is_singular_along_the_gradient():
    # f = [x0 + x1^2, x0 + (x1 - 1)^2]: the weighted gradient is (1, 0) on the line
    # x1 = 0.5, where the Hessian diag(0, 2) cannot reduce it; the corrector gives up after
    # one solve instead of a 30-trial line search
    import autograd.numpy as anp

    from skpareto._stationary import newton_correct

    def fun(x):
        return anp.stack([x[0] + x[1] ** 2, x[0] + (x[1] - 1.0) ** 2])

    for hessian in ("dense", "matvec"):
        res = newton_correct(fun, np.array([0.0, 0.5]), np.array([0.5, 0.5]), tol=1e-8,
                             options=SolverOptions(hessian=hessian))
        assert not res.success and res.status is Status.SINGULAR
        assert res.nit == 0
        assert res.n_grad == 3  # the Jacobian and one linearization
        np.testing.assert_array_equal(res.x, [0.0, 0.5])


def test_newton_shared_and_separate_hessian_paths_agree():
    # Hessians traced with the line-search gradients, or from a separate hess_fun: the same
    # steps, the separate path paying one more gradient per linearization after the first
    from skpareto._stationary import newton_correct

    problem = ConvexQuadratic(n=40, m=2, condition=100.0, random_state=4)
    w = np.array([0.7, 0.3])
    start = problem.pareto_set(w) + 0.1
    for options in (SolverOptions.reference(hessian="matvec"),
                    SolverOptions(hessian="matvec")):
        shared = newton_correct(problem.fun, start, w, tol=1e-10, options=options,
                                max_iter=20)
        separate = newton_correct(problem.fun, start, w, tol=1e-10, options=options,
                                  max_iter=20, hess_fun=lambda z: problem.fun(z))
        for res in (shared, separate):
            assert res.success and res.residual <= 1e-10
            assert stationarity_residual(jacobian(problem.fun)(res.x), w) <= 1e-10
        np.testing.assert_allclose(separate.x, shared.x, rtol=0, atol=1e-12)
        assert separate.nit == shared.nit and separate.n_hvp == shared.n_hvp
        assert separate.n_grad == shared.n_grad + shared.nit - 1  # the first is shared


def test_newton_trust_region_status():
    from skpareto._stationary import newton_correct

    problem = ConvexQuadratic(n=6, m=2, random_state=0)
    w = np.array([0.5, 0.5])
    start = problem.pareto_set(w) + 1.0
    res = newton_correct(problem.fun, start, w, tol=1e-10, max_step=1e-3)
    assert not res.success and res.status is Status.TRUST_REGION
    assert np.linalg.norm(res.x - start) > 1e-3


def test_arclength_step_is_the_dense_bordered_newton_step_and_passes_the_fold():
    from autograd import hessian

    from skpareto._stationary import arclength_correct, front_coordinates
    from skpareto._weights import zero_sum_basis

    problem = FonsecaFleming(n=4)
    u_fold = problem._folds()[1]
    t = u_fold / np.sqrt(problem.n)
    x_set, w_set = problem.set_at(t), problem.weights_of_t(t)
    rng = np.random.default_rng(0)
    x_pred = x_set + 1e-3 * rng.standard_normal(problem.n)
    w_pred = w_set + np.array([2e-3, -2e-3])
    # dense reference: [[H_w, B], [B^T, 0]] [dx; dmu] = -[J^T w; Z^T f - target] at x_pred,
    # with the target the front coordinates of x_pred itself (the default)
    jac = jacobian(problem.fun)(x_pred)
    hess = hessian(lambda z: w_pred @ problem.fun(z))(x_pred)
    basis = zero_sum_basis(2).T
    border = jac.T @ basis
    bordered = np.block([[hess, border], [border.T, np.zeros((1, 1))]])
    step = np.linalg.solve(bordered, -np.concatenate([jac.T @ w_pred, [0.0]]))
    for hessian_kind in ("dense", "matvec"):
        options = SolverOptions.reference(hessian=hessian_kind)
        res = arclength_correct(problem.fun, x_pred, w_pred, tol=1e-14, max_iter=1,
                                options=options)
        assert res.nit == 1 and res.n_hvp > 0
        np.testing.assert_allclose(res.x, x_pred + step[:-1], rtol=0, atol=1e-8)
        np.testing.assert_allclose(res.weights, w_pred + basis @ step[-1:], rtol=0, atol=1e-8)
    # at the fold the Hessian of the weighted sum is singular along the set, the bordered
    # matrix is not: the full corrector converges onto the set there
    hess_set = hessian(lambda z: w_set @ problem.fun(z))(x_set)
    direction = np.ones(problem.n) / np.sqrt(problem.n)
    assert abs(direction @ hess_set @ direction) <= 1e-6 * np.linalg.norm(hess_set, 2)
    res = arclength_correct(problem.fun, x_pred, w_pred, tol=1e-12)
    assert res.success and res.status is Status.CONVERGED and res.residual <= 1e-12
    assert problem.distance_to_set(res.x) <= 1e-10
    t_res = res.x.mean()
    np.testing.assert_allclose(res.weights, problem.weights_of_t(t_res), atol=1e-8)
    assert stationarity_residual(jacobian(problem.fun)(res.x), res.weights) <= 1e-12
    # it keeps the position along the front it was given
    np.testing.assert_allclose(front_coordinates(res.objectives),
                               front_coordinates(problem.fun(x_pred)), atol=1e-12)


def test_arclength_reaches_the_target_front_coordinates_on_a_quadratic():
    from skpareto._stationary import arclength_correct, front_coordinates

    problem = ConvexQuadratic(n=8, m=3, random_state=5)
    w_a, w_b = np.array([0.2, 0.5, 0.3]), np.array([0.25, 0.45, 0.3])
    x_a, x_b = problem.pareto_set(w_a), problem.pareto_set(w_b)
    target = front_coordinates(problem.fun(x_b))
    # a prediction off the set, between the two points
    x_pred = x_a + 0.8 * (x_b - x_a) + 1e-3 * np.random.default_rng(0).normal(size=problem.n)
    res = arclength_correct(problem.fun, x_pred, w_a, target, tol=1e-12, max_iter=20)
    assert res.success and res.residual <= 1e-12
    # the front coordinates determine the point of the set: it is x(w_b), at w_b
    np.testing.assert_allclose(res.weights, w_b, atol=1e-9)
    np.testing.assert_allclose(res.x, x_b, atol=1e-9 * np.linalg.norm(x_b))


def test_arclength_chord_steps_reach_the_point_newton_reaches_with_fewer_matrices():
    # with the Hessian formed as a matrix (n products), a step that shrank the residual fast
    # keeps it for the next (a chord step); the point is the same as Newton's, to tol
    from skpareto._stationary import arclength_correct, front_coordinates

    problem = DTLZ2(n=6)
    w_a, w_b = np.array([0.2, 0.5, 0.3]), np.array([0.25, 0.45, 0.3])
    x_a, x_b = problem.pareto_set(w_a), problem.pareto_set(w_b)
    target = front_coordinates(problem.fun(x_b))
    x_pred = x_a + 0.9 * (x_b - x_a) + 1e-3 * np.random.default_rng(0).normal(size=problem.n)
    dense = arclength_correct(problem.fun, x_pred, w_a, target, tol=1e-12)
    newton = arclength_correct(problem.fun, x_pred, w_a, target, tol=1e-12,
                               options=SolverOptions.reference(hessian="matvec"))
    assert dense.success and newton.success and newton.n_chord == 0
    matrices = dense.n_hvp // problem.n
    assert dense.n_chord >= 1 and matrices == dense.nit - dense.n_chord < dense.nit
    # the front coordinates determine the point: DTLZ2's analytic set at the solved weights
    np.testing.assert_allclose(dense.weights, w_b / w_b.sum(), atol=1e-9)
    np.testing.assert_allclose(dense.x, x_b, atol=1e-9)
    np.testing.assert_allclose(dense.x, newton.x, atol=1e-9)
    assert stationarity_residual(jacobian(problem.fun)(dense.x), dense.weights) <= 1e-12


def test_arclength_left_simplex_where_the_set_ends_before_the_target():
    from skpareto._stationary import arclength_correct, front_coordinates

    problem = ConvexQuadratic(n=5, m=2, random_state=1)
    w = np.array([0.05, 0.95])
    x, x_end = problem.pareto_set(w), problem.pareto_set([0.0, 1.0])
    # a target beyond the end at w = (0, 1), predicted linearly: the weights it needs are
    # negative
    end, start = (front_coordinates(problem.fun(z)) for z in (x_end, x))
    target = start + 1.5 * (end - start)
    res = arclength_correct(problem.fun, x + 1.5 * (x_end - x), w, target, tol=1e-10,
                            max_iter=30, contract=False)
    assert not res.success and res.status is Status.LEFT_SIMPLEX
    assert res.weights.min() < 0  # the solved weights are reported as they are


@pytest.mark.parametrize("sign, kept", [(1.0, True), (0.0, False), (-1.0, False)])
def test_stage_one_keeps_a_critical_point_of_every_objective_only_at_their_minimum(sign, kept):
    # x = 0 is critical for both objectives; with sign 1 it is a strict minimum of each (the
    # whole local set, for every weight); with 0 the second's Hessian is singular there (it
    # falls as -x0^4), with -1 indefinite
    def fun(x):
        return anp.stack([x[0] ** 2 + x[1] ** 2, sign * x[0] ** 2 + x[1] ** 2 - x[0] ** 4])

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = find_stationary(fun, np.zeros(2), tol=1e-8)
    np.testing.assert_array_equal(res.x, 0.0)
    assert res.success  # without a better point, the critical one is kept either way
    assert ("minimum of every objective" in res.message) is kept
    assert ("nothing better" in res.message) is not kept


def _apart(x):
    # the tasks depend on different parameters: they share their minimum (1, -1), and
    # neither Hessian is definite there
    return anp.stack([(x[0] - 1.0) ** 2, (x[1] + 1.0) ** 2])


def test_a_shared_minimum_whose_hessians_are_only_semidefinite_is_kept_for_every_weight():
    from skpareto._stationary import minimum_of_every
    res = find_stationary(_apart, np.zeros(2), tol=1e-8)
    assert res.success and "minimum of every objective" in res.message, res.message
    np.testing.assert_allclose(res.x, [1.0, -1.0], rtol=0, atol=1e-8)
    # ZDT2 inside its domain at u = 0 (x0 = 0, y = 1/2): both gradients vanish, both
    # Hessians are semidefinite, and the second objective falls at fourth order along x0
    def zdt2(x):
        g = 1.0 + anp.sum((x[1:] - 0.5) ** 2)
        u = anp.sin(0.5 * np.pi * x[0]) ** 2
        return g * anp.stack([u, 1.0 - u ** 2])

    minimum, n_grad, _ = minimum_of_every(zdt2, np.r_[0.0, np.full(4, 0.5)], 2,
                                          SolverOptions())
    assert not minimum and n_grad > 0
    assert minimum_of_every(_apart, np.array([1.0, -1.0]), 2, SolverOptions())[0]


# -- stage 1 when a weighted sum has no minimum: the MGDA fallback -----------------------


def test_unbounded_weighted_sum_falls_back_to_mgda():
    # DTLZ2 without its box: cos(pi/2 x_1) and cos(pi/2 x_2) turn negative beyond it, and
    # there (1 + g) times a negative weighted sum is unbounded below in g; L-BFGS on the
    # uniform weighted sum from DTLZ2's start runs away, MGDA does not
    problem = DTLZ2(n=6)
    with pytest.warns(ConvergenceWarning, match="ran away|unbounded"):
        lbfgs = find_stationary(problem.fun, problem.x0, options=LBFGS)
    assert not lbfgs.success and lbfgs.status is Status.DIVERGED
    assert np.linalg.norm(lbfgs.x - problem.x0) > 10.0
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        res = find_stationary(problem.fun, problem.x0)
    _check_result(res, problem, 1e-8)
    assert res.method == "mgda"
    assert problem.distance_to_set(res.x) <= 1e-8
    assert abs(np.linalg.norm(res.objectives) - 1.0) <= 1e-8
    np.testing.assert_allclose(res.weights, res.objectives / res.objectives.sum(), atol=1e-7)
    # the work of the failed L-BFGS run is counted too
    assert res.n_grad > lbfgs.n_grad or res.nit > 0


def test_convergence_warning_and_the_point_reached():
    # a tolerance below rounding cannot be reached: the point is returned, not hidden
    problem = FonsecaFleming(n=6)
    with pytest.warns(ConvergenceWarning, match="did not reach tol"):
        res = find_stationary(problem.fun, problem.x0, tol=1e-300)
    assert not res.success and res.status is not Status.CONVERGED
    assert res.message and isinstance(res.status, Status)
    assert 1e-300 < res.residual <= 1e-10
    jac = jacobian(problem.fun)(res.x)
    assert stationarity_residual(jac, res.weights) == pytest.approx(res.residual, rel=1e-6)
    # reaching tol warns nothing
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        assert find_stationary(problem.fun, problem.x0, tol=1e-8).success


def _saddle_set(x):
    # x = (t, 0, 0, ...) with |t| <= 1 is Pareto-stationary (the gradients are parallel
    # along x0), but along x1 both objectives fall: no point of it is a local Pareto optimum
    rest = anp.sum(x[2:] ** 2)
    return anp.array([(x[0] - 1.0) ** 2 - x[1] ** 2 + rest, (x[0] + 1.0) ** 2 - x[1] ** 2 + rest])


@pytest.mark.parametrize("n", [2, 3, 10])
def test_a_point_where_every_objective_still_falls_is_refused(n):
    x0 = np.r_[0.3, 0.0, np.full(n - 2, 0.2)]
    with pytest.warns(ConvergenceWarning, match="no usable stationary point.*decreases"):
        res = find_stationary(_saddle_set, x0, tol=1e-12)
    assert not res.success and res.status is Status.SADDLE
    # it is stationary, only not a local Pareto optimum
    assert stationarity_residual(jacobian(_saddle_set)(res.x), res.weights) <= 1e-12


def _saddle_ridge(x):
    # x_1 = 0 is a saddle of every weighted sum (the ridge (x_1^2 - 1)^2 curves down there)
    # and the descent from x_1 = 0 stays on it; the set is x_0 in [-1, 1], x_1 = +-1
    ridge = (x[1] ** 2 - 1.0) ** 2 + anp.sum(x[2:] ** 2)
    return anp.array([(x[0] - 1.0) ** 2 + ridge, (x[0] + 1.0) ** 2 + ridge])


@pytest.mark.parametrize("n", [2, 3, 10])
@pytest.mark.parametrize("off", [0.0, 1e-9])
def test_stage_one_goes_on_from_a_saddle_to_the_set_beyond_it(n, off):
    # both methods stopped at the saddle (0, 0, ...) and stage 1 failed; from x_1 = 1e-9 the
    # gradients' residual direction (a singular value 2e-8 of the largest) was taken for a
    # direction they span, the saddle's descent was not seen, and the set was dominated
    x0 = np.r_[0.3, off, np.full(n - 2, 0.2)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = find_stationary(_saddle_ridge, x0, tol=1e-10)
        pset = explore(_saddle_ridge, x0)
    assert res.success and res.residual <= 1e-10
    # stationary for its weights (1 - w, w): x_0 = w_0 - w_1, x_1 = +-1, the rest 0
    assert abs(res.x[0] - (res.weights[0] - res.weights[1])) <= 1e-8
    assert abs(abs(res.x[1]) - 1.0) <= 1e-8 and np.abs(res.x[2:]).max(initial=0.0) <= 1e-8
    # and the set from there: x_0 from -1 to 1 on one branch
    assert np.allclose(np.abs(pset.params[:, 1]), 1.0, atol=1e-8)
    assert pset.params[:, 0].min() <= -1.0 + 1e-8 and pset.params[:, 0].max() >= 1.0 - 1e-8


def _no_stationary_point(x):
    # the first components of both gradients are 1: no convex combination vanishes
    return anp.array([x[0] + x[1] ** 2, x[0] + (x[1] - 1.0) ** 2])


def test_mgda_gives_up_before_it_overflows():
    with pytest.warns(ConvergenceWarning, match="did not reach tol"):
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            res = find_stationary(_no_stationary_point, np.array([0.1, 0.9]))
    assert not res.success
    assert np.all(np.isfinite(res.x)) and np.abs(res.x).max() < 1e6


def _flat_along_x1(x):
    # at weights (1, 0) the Hessian is diag(2, 2e-6): nearly flat along x1
    return anp.stack([(x[0] - 1.0) ** 2 + 1e-6 * x[1] ** 2, (x[0] + 1.0) ** 2])


def test_confined_newton_reaches_the_stationary_point_nearest_its_start():
    from skpareto._stationary import newton_correct

    # the dense solve's truncated step is the one of least residual within the radius; a
    # matrix-free one (MINRES's first iterate past the radius, scaled back) keeps the flat
    # direction here and does not converge
    options = SolverOptions(hessian="dense")
    x0, w = np.array([1.01, 5.0]), np.array([1.0, 0.0])
    # free Newton runs to the minimum (1, 0), 5 away, and gives up at max_step
    free = newton_correct(_flat_along_x1, x0, w, tol=1e-4, options=options, max_step=0.1)
    assert free.status == Status.TRUST_REGION and not free.success
    # confined, it fixes x0 (the stiff direction) and barely moves along x1: the relative
    # residual there, 2e-6 |x1| / |grad f1| = 2.5e-6, is within tol
    res = newton_correct(_flat_along_x1, x0, w, tol=1e-4, options=options, max_step=0.1,
                         confine=True)
    assert res.success and np.linalg.norm(res.x - x0) <= 0.1 * (1.0 + 1e-12)
    assert abs(res.x[0] - 1.0) <= 1e-4 * 4.0 / 2.0  # residual <= tol: |2 (x0 - 1)| <= 4 tol
    assert res.residual == pytest.approx(stationarity_residual(jacobian(_flat_along_x1)(res.x), w))


def _curve_front(x):
    # DTLZ5 (three objectives) without its box: the front is a curve, x1 is free on the
    # set (x[2:] = 1/2), and at most two of the three gradients are independent there
    g = anp.sum((x[2:] - 0.5) ** 2)
    p1 = 0.5 * np.pi * x[0]
    p2 = np.pi / (4.0 * (1.0 + g)) * (1.0 + 2.0 * g * x[1])
    return (1.0 + g) * anp.stack([anp.cos(p1) * anp.cos(p2), anp.cos(p1) * anp.sin(p2),
                                  anp.sin(p1)])


@pytest.mark.parametrize("start", [0.3, 0.29])
def test_stage_one_reaches_a_front_of_fewer_dimensions(start):
    # the weighted sum is unbounded (L-BFGS runs away) and MGDA's point cannot be
    # polished at fixed front coordinates (that system is singular on a curve); Newton
    # at MGDA's weights reaches the set, which is no saddle even if the weighted sum
    # curves down, by rounding, along x[2:]. From 0.29 MGDA ends at x1 = -7.0, where the
    # weighted sum curves down by -1.5e-4 along a direction in which the tasks curve by
    # 17, -14 and 0.7: a cancellation, whose second-order correction would have to pass
    # through gradients that span the front's second direction only at 9e-4 of the first
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        res = find_stationary(_curve_front, np.full(8, start), tol=1e-8)
    assert res.success and res.method == "mgda"
    assert stationarity_residual(jacobian(_curve_front)(res.x), res.weights) <= 1e-8
    np.testing.assert_allclose(res.x[2:], 0.5, atol=1e-3)
    assert 0.0 < res.x[0] < 1.0


def _kinks(x):
    # distances to the power 1/2: each objective has an infinite slope at its minimum.
    # The set is x1 = 0, 0 <= x0 <= 1, where w0 / w1 = sqrt(x0 / (1 - x0))
    return anp.stack([(x[0] ** 2 + 0.1 * x[1] ** 2) ** 0.25,
                      ((1.0 - x[0]) ** 2 + 0.1 * x[1] ** 2) ** 0.25])


@pytest.mark.parametrize("options", [None, LBFGS], ids=["auto", "lbfgs"])
def test_stage_one_does_not_stop_at_a_kink(options):
    # the front is concave: L-BFGS on the weighted sum runs into an end, x = 0, where the
    # first gradient is infinite and any weights look stationary (or the gradient is NaN)
    res = find_stationary(_kinks, np.full(2, 0.3), options=options)
    assert res.success
    if options is None:  # MGDA reaches the inside of the set
        assert 0.05 < res.x[0] < 0.95 and abs(res.x[1]) <= 1e-6
        w = res.weights
        assert w[0] / w[1] == pytest.approx(np.sqrt(res.x[0] / (1.0 - res.x[0])), rel=1e-6)
    else:  # nothing better: the kink, said so
        assert "kink" in res.message


def _zdt3_like(x):
    # ZDT3's objectives on x0 in [0, 1] with g minimal at x[1:] = 0 (inside the box): task 1's
    # gradient is infinite at x0 = 0, and undefined below it
    f0 = x[0]
    g = 1.0 + 9.0 * anp.mean(x[1:] ** 2)
    r = f0 / g
    return anp.array([f0, g * (1.0 - anp.sqrt(r) - r * anp.sin(10.0 * np.pi * f0))])


def test_stage_one_steps_back_from_trial_points_where_the_objectives_are_not_finite():
    # L-BFGS-B's first step from x0 = 0.21 lands on the bound x0 = 0, where the gradient is
    # infinite: stage 1 stopped there (and MGDA from a Pareto-stationary start does not move);
    # its line search now steps back and reaches the stationary point for these weights,
    # the root of 0.94 - 0.06 (1 / (2 sqrt(t)) + sin(10 pi t) + 10 pi t cos(10 pi t)) near 0
    from scipy.optimize import brentq

    w = np.array([0.94, 0.06])
    slope = lambda t: 0.94 - 0.06 * (0.5 / np.sqrt(t) + np.sin(10 * np.pi * t)  # noqa: E731
                                     + 10 * np.pi * t * np.cos(10 * np.pi * t))
    exact = brentq(slope, 1e-6, 0.01, xtol=1e-15)
    x0 = np.r_[0.21, np.zeros(4)]
    bounds = (np.r_[0.0, -np.ones(4)], np.ones(5))
    res = find_stationary(_zdt3_like, x0, w, tol=1e-10, options=LBFGS, bounds=bounds)
    assert res.success and res.residual <= 1e-10
    np.testing.assert_allclose(res.weights, w, rtol=0, atol=0)
    np.testing.assert_allclose(res.x, np.r_[exact, np.zeros(4)], rtol=0, atol=1e-8)


def test_a_task_minimized_alone_steps_back_from_trial_points_where_it_is_not_finite():
    # from x0 = 0.5, L-BFGS-B's first trial for task 1 (a step as long as its gradient)
    # lands at x0 < 0, where the square root is undefined: the run stopped there and
    # returned the start (so explore never saw the better single-task point near); it now
    # steps back, as stage 1 does, to task 1's minimum in its basin, where
    # 1 / (2 sqrt(t)) + sin(10 pi t) + 10 pi t cos(10 pi t) = 0, with g at its minimum
    from scipy.optimize import brentq

    slope = lambda t: -(0.5 / np.sqrt(t) + np.sin(10 * np.pi * t)  # noqa: E731
                        + 10 * np.pi * t * np.cos(10 * np.pi * t))
    exact = np.r_[brentq(slope, 0.4, 0.5, xtol=1e-15), np.zeros(4)]
    reached, seen, n_grad = minimize_task(_zdt3_like, np.full(5, 0.5), 1, 1000)
    assert np.all(np.isfinite(seen)) and n_grad > len(seen)  # the trial stepped back counted
    np.testing.assert_allclose(reached, exact, rtol=0, atol=1e-6)
    assert seen.min() == pytest.approx(_zdt3_like(reached)[1], rel=0, abs=1e-12)
    # in a box the first step is a tenth of each width (the gradient's own went to the bound
    # x0 = 0, where the gradient is infinite, and on to another basin): no trial leaves it
    bounds = (np.r_[0.0, -np.ones(4)], np.ones(5))
    reached, seen, n_grad = minimize_task(_zdt3_like, np.full(5, 0.5), 1, 1000, bounds)
    assert n_grad == len(seen)
    np.testing.assert_allclose(reached, exact, rtol=0, atol=1e-6)


def _dtlz3(x):
    # DTLZ3 (m = 3): DTLZ2's sphere times 1 + g, g multimodal with gradients up to 6,000
    # in the box [0, 1]^7; every local minimum of g holds a local front
    rest = x[2:] - 0.5
    g = 100.0 * (rest.size + anp.sum(rest ** 2 - anp.cos(20.0 * np.pi * rest)))
    p0, p1 = 0.5 * np.pi * x[0], 0.5 * np.pi * x[1]
    return (1.0 + g) * anp.array([anp.cos(p0) * anp.cos(p1), anp.cos(p0) * anp.sin(p1),
                                  anp.sin(p0)])


@pytest.mark.parametrize("seed", [0, 4, 5])
def test_stage_one_in_a_box_does_not_jump_to_its_corners(seed):
    # the descents' full first steps crossed the box: stage 1 ended at a corner, f = (0, 0,
    # 126), where every gradient vanishes, and the set was 4 points there
    x0 = np.random.default_rng(seed).uniform(0.0, 1.0, 7)
    res = find_stationary(_dtlz3, x0, bounds=(np.zeros(7), np.ones(7)))
    assert res.success and res.residual <= 1e-8
    assert np.all((res.x > 1e-6) & (res.x < 1.0 - 1e-6))  # inside: stationary without the box
    assert stationarity_residual(jacobian(_dtlz3)(res.x), res.weights) <= 1e-8
    assert np.all(res.objectives > 1e-3)


def test_mgda_in_a_box_goes_on_from_near_a_bound():
    # DTLZ2 from a start 0.05 from x_1 = 1 (where f_0 vanishes): MGDA's step clipped onto that
    # bound stopped there, the line search asking for the decrease of the held coordinate too
    problem = DTLZ2(n=6)
    x0 = np.random.default_rng(1).uniform(0.0, 1.0, 6)  # x_1 = 0.9505
    res = find_stationary(problem.fun, x0, bounds=(np.zeros(6), np.ones(6)), options=MGDA)
    assert res.success and np.all((res.x > 1e-6) & (res.x < 1.0 - 1e-6))
    _check_result(res, problem, 1e-8)


def test_mgda_at_a_corner_every_task_pushes_out_of_stops_quietly():
    # at (1, 1) both tasks descend out of [-1, 1]^2 in both coordinates: every coordinate is
    # held, the direction is zero with no bound ahead, and the test of being pinned took
    # inf * 0: numpy's "invalid value" RuntimeWarning reached the user (through explore on
    # a set lying on faces and corners of the box)
    from skpareto._stationary import mgda_descent

    def fun(x):
        return anp.array([anp.sum((x - np.array([2.0, 2.0])) ** 2),
                          anp.sum((x - np.array([3.0, 2.5])) ** 2)])

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = mgda_descent(fun, np.array([1.0, 1.0]), bounds=(-np.ones(2), np.ones(2)))
    assert res.status == Status.LINE_SEARCH
    np.testing.assert_array_equal(res.x, [1.0, 1.0])


def test_find_stationary_takes_bounds_as_explore_does():
    # scalars broadcast (they raised "'int' object is not iterable"); bad ones are named
    def fun(x):
        return anp.stack([anp.sum((x - 1) ** 2), anp.sum((x + 1) ** 2), anp.sum(x ** 2) + x[0]])

    scalar = find_stationary(fun, np.zeros(3), bounds=(-2, 2))
    array = find_stationary(fun, np.zeros(3), bounds=(np.full(3, -2.0), np.full(3, 2.0)))
    assert scalar.success
    np.testing.assert_array_equal(scalar.x, array.x)
    for bad in ((2, -2), (0, 1, 2), ([0, 0], [1, 1]), (np.nan, 1)):
        with pytest.raises(ValueError, match="bounds") as error:
            find_stationary(fun, np.zeros(3), bounds=bad)
        assert error.value.argument == "bounds"


def test_the_extreme_eigenvalue_of_a_hessian_that_underflowed_is_zero():
    # ARPACK's start mapped to zero raised its ArpackError ("starting vector is zero") out of
    # explore, from a start on a plateau of exp(-700) where the Hessian underflows
    from scipy.sparse.linalg import LinearOperator

    from skpareto._stationary import _extreme_eigenvalue

    zero = LinearOperator((30, 30), matvec=lambda v: np.zeros(30), dtype=np.float64)
    for which in ("SA", "LA"):
        value, vector = _extreme_eigenvalue(zero, which, 30)
        assert value == 0.0 and np.all(vector == 0.0)
    # a nonzero operator is untouched: the smallest of diag(1..30) to ARPACK's tolerance
    diagonal = LinearOperator((30, 30), matvec=lambda v: np.arange(1.0, 31.0) * v.ravel(),
                              dtype=np.float64)
    value, vector = _extreme_eigenvalue(diagonal, "SA", 30)
    assert value == pytest.approx(1.0, rel=1e-2)
