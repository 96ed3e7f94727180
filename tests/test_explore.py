"""Stage 2: explore() on problems with known Pareto sets, and its acceptance rules."""

import warnings

import numpy as np
import pytest
from autograd import jacobian

from skpareto import ParetoSet, explore, find_stationary
from skpareto.metrics import hypervolume, non_dominated, stationarity_residual
from skpareto.problems import DTLZ2, ConvexQuadratic, FonsecaFleming


def _relative_set_error(problem, pset):
    errors = []
    for x, w in zip(pset.params, pset.weights):
        target = problem.pareto_set(w)
        errors.append(np.linalg.norm(x - target) / np.linalg.norm(target))
    return np.array(errors)


def _check_consistent(pset, fun, tol):
    """Shapes, simplex weights, reported residuals against an independent Jacobian."""
    p, n, m = pset.n_points, pset.n_params, pset.n_tasks
    assert pset.params.shape == (p, n) and pset.front.shape == (p, m)
    assert pset.weights.shape == (p, m)
    assert np.all(pset.weights >= 0) and np.allclose(pset.weights.sum(axis=1), 1, atol=1e-12)
    assert np.all(pset.residuals <= tol)
    jac_fun = jacobian(fun)
    for x, f, w, r in zip(pset.params, pset.front, pset.weights, pset.residuals):
        np.testing.assert_allclose(f, fun(x), rtol=1e-13, atol=1e-15)
        assert stationarity_residual(jac_fun(x), w) <= max(tol, 1.01 * r)
    assert pset.parents[0] == -1 and np.all(pset.parents[1:] >= 0)
    assert np.all(pset.parents[1:] < np.arange(1, p))  # a tree grown breadth-first


@pytest.mark.parametrize("m, n_steps, step_size", [(2, 40, 0.1), (3, 4, 0.25)])
def test_quadratic_points_are_on_the_analytic_set(m, n_steps, step_size):
    problem = ConvexQuadratic(n=6, m=m, random_state=m)
    pset = explore(problem.fun, problem.x0, n_steps=n_steps, step_size=step_size)
    _check_consistent(pset, problem.fun, 1e-8)
    assert pset.n_points >= (20 if m == 2 else 25)
    assert _relative_set_error(problem, pset).max() <= 1e-8
    if m == 2:
        # the explored weights cover [0.05, 0.95] of the first task's weight, without gaps
        w1 = np.sort(pset.weights[:, 0])
        assert w1[0] <= 0.05 and w1[-1] >= 0.95
        assert np.diff(w1).max() <= 0.2
        assert np.all(non_dominated(pset.front))  # a convex problem: the whole set is optimal
    else:
        # the m - 1 = 2 directions both get used: the weights spread in every task
        assert np.all(np.ptp(pset.weights, axis=0) >= 0.1)


def _segment_coverage(u, max_gap):
    """Fraction of the segment u in [-1, 1] spanned by points u no farther apart than max_gap."""
    u = np.sort(u)
    gaps = np.diff(u)
    return np.sum(gaps[gaps <= max_gap]) / 2.0


def test_fonseca_fleming_weighted_sum_stays_at_an_end_mgda_covers_the_segment():
    problem = FonsecaFleming(n=10)
    step = 0.05
    # weighted sum (L-BFGS) stage 1 plus the fixed-weight Newton corrector: the concave front's
    # interior is a maximum of every weighted sum; exploration stops at the fold near the end
    ws = explore(problem.fun, problem.x0, method="lbfgs", n_steps=40, step_size=step,
                 tol=1e-10)
    u_ws = np.sqrt(problem.n) * ws.params.mean(axis=1)
    assert np.all(np.abs(u_ws) >= 0.6)
    assert _segment_coverage(u_ws, 2 * step) <= 0.2
    # so does weighted-sum stage 1 alone, whatever the weights
    for w1 in (0.1, 0.3, 0.5, 0.7, 0.9):
        start = find_stationary(problem.fun, problem.x0, [w1, 1 - w1], method="lbfgs")
        assert problem.distance_to_set(start.x) <= 1e-8
        assert abs(np.sqrt(problem.n) * start.x.mean()) >= 0.9
    # MGDA stage 1 and corrector: the whole segment
    pset = explore(problem.fun, problem.x0, method="mgda", corrector="mgda", n_steps=40,
                   step_size=step, tol=1e-10)
    _check_consistent(pset, problem.fun, 1e-10)
    t = pset.params.mean(axis=1)
    off_line = np.linalg.norm(pset.params - t[:, None], axis=1)
    assert off_line.max() <= 1e-8
    assert np.all(np.abs(t) <= problem.a + 1e-8)  # no drift into the flat tails
    u = np.sqrt(problem.n) * t
    coverage = _segment_coverage(u, 2 * step)  # u moves by the step size in parameter space
    assert coverage >= 0.95
    assert np.all(non_dominated(pset.front))
    # the weights each point claims are those of the analytic set at that t
    np.testing.assert_allclose(pset.weights, [problem.weights_of_t(ti) for ti in t], atol=1e-8)
    hv, hv_ws = hypervolume(pset.front), hypervolume(ws.front)
    assert hv_ws < hv <= problem.hypervolume
    assert hv >= 0.95 * problem.hypervolume
    print(f"\nFonseca-Fleming n=10: mgda {pset.n_points} points, u in [{u.min():.4f}, "
          f"{u.max():.4f}], coverage {coverage:.3f}, HV {hv:.5f} of {problem.hypervolume:.5f}; "
          f"weighted sum {ws.n_points} points, u in [{u_ws.min():.4f}, {u_ws.max():.4f}], "
          f"HV {hv_ws:.5f}")


def test_dtlz2_points_on_the_sphere_spread_over_the_octant():
    problem = DTLZ2(n=6)
    pset = explore(problem.fun, problem.x0, method="mgda", n_steps=12, step_size=0.1,
                   tol=1e-10)
    _check_consistent(pset, problem.fun, 1e-10)
    radius = np.linalg.norm(pset.front, axis=1)
    assert np.abs(radius - 1.0).max() <= 1e-8
    assert max(problem.distance_to_set(x) for x in pset.params) <= 1e-8
    assert np.all(pset.weights.min(axis=0) <= 0.05)
    assert np.all(pset.weights.max(axis=0) >= 0.9)
    hv = hypervolume(pset.front)
    assert 0.8 * problem.hypervolume <= hv <= problem.hypervolume
    print(f"\nDTLZ2: {pset.n_points} points, max | |f| - 1 | {np.abs(radius - 1).max():.1e}, "
          f"weights min {pset.weights.min(axis=0).round(3)} max "
          f"{pset.weights.max(axis=0).round(3)}, HV {hv:.5f} of {problem.hypervolume:.5f}")


def test_nonfinite_objective_drops_the_step_and_keeps_the_set():
    problem = ConvexQuadratic(n=4, m=2, random_state=3)
    # objectives are NaN beyond a hyperplane that cuts the Pareto set near w1 = 0.8
    normal = problem.set_derivative([0.8, 0.2])[0]
    cut = normal @ problem.pareto_set([0.8, 0.2])
    calls = {"nan": 0}

    def fun(x):
        values = problem.fun(x)
        if normal @ getattr(x, "_value", x) > cut:
            calls["nan"] += 1
            return values * np.nan
        return values

    x0 = problem.pareto_set([0.5, 0.5])
    with pytest.warns(RuntimeWarning, match="non-finite"):
        pset = explore(fun, x0, n_steps=40, step_size=0.1, tol=1e-10)
    assert calls["nan"] > 0
    assert np.all(pset.params @ normal <= cut)
    assert np.all(np.isfinite(pset.front))
    assert _relative_set_error(problem, pset).max() <= 1e-8
    # the finite side is still explored: down to w1 = 0 and up to the cut
    assert pset.weights[:, 0].min() <= 0.05 and pset.weights[:, 0].max() >= 0.7


def test_max_points_verbose_and_counts(capsys):
    problem = ConvexQuadratic(n=5, m=2, random_state=5)
    calls = [0]

    def fun(x):
        calls[0] += 1
        return problem.fun(x)

    pset = explore(fun, problem.x0, n_steps=20, step_size=0.1, max_points=7)
    assert isinstance(pset, ParetoSet)
    assert pset.n_points == 7
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    # counts: every point spent something, the per-point sums never exceed the totals, and
    # every forward pass of fun is counted as at least one gradient or HVP
    assert np.all(pset.n_grad > 0) and np.all(pset.n_hvp[1:] > 0)
    assert 0 < pset.n_grad.sum() <= pset.total_grad
    assert 0 < pset.n_hvp.sum() <= pset.total_hvp
    assert calls[0] <= pset.total_grad + pset.total_hvp

    pset = explore(problem.fun, problem.x0, n_steps=3, step_size=0.1, verbose=2)
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert any("level 3" in line for line in lines)
    assert any("HVPs" in line for line in lines) and any("residual" in line for line in lines)
    assert sum(line.startswith("[skpareto] point") for line in lines) == pset.n_points - 1


@pytest.mark.parametrize("kwargs, name", [
    (dict(n_steps=-1), "n_steps"), (dict(n_steps=1.5), "n_steps"),
    (dict(step_size=0.0), "step_size"), (dict(step_size=np.nan), "step_size"),
    (dict(max_points=0), "max_points"), (dict(corrector="lbfgs"), "corrector"),
    (dict(tol=-1.0), "tol"), (dict(method="sgd"), "method"),
])
def test_explore_bad_options(kwargs, name):
    problem = ConvexQuadratic(n=3, m=2, random_state=0)
    with pytest.raises(ValueError, match=name):
        explore(problem.fun, problem.x0, **kwargs)
    x0 = problem.x0.copy()
    x0[0] = np.inf
    with pytest.raises(ValueError, match="x0"):
        explore(problem.fun, x0)


def test_accepted_costs_are_counted_once(capsys):
    # every candidate of a small quadratic is accepted: the totals are then exactly the sums
    # of the per-point costs (an accepted corrector's cost used to be added twice)
    problem = ConvexQuadratic(n=5, m=2, random_state=5)
    pset = explore(problem.fun, problem.x0, n_steps=3, step_size=0.1, verbose=2)
    err = capsys.readouterr().err
    assert "rejected a step" not in err and pset.n_points == 7
    assert pset.total_grad == pset.n_grad.sum()
    assert pset.total_hvp == pset.n_hvp.sum()


def test_inexact_points_on_the_analytic_set_with_fewer_hvps():
    problem = ConvexQuadratic(n=60, m=2, condition=100.0, random_state=1)
    ref = explore(problem.fun, problem.x0, n_steps=6, step_size=0.1, tol=1e-9)
    fast = explore(problem.fun, problem.x0, n_steps=6, step_size=0.1, tol=1e-9, inexact=True)
    _check_consistent(fast, problem.fun, 1e-9)
    # residual 1e-9 on this conditioning puts x within ~1e-7 of x(w)
    assert _relative_set_error(problem, fast).max() <= 1e-7
    assert fast.n_points >= ref.n_points - 1
    assert fast.total_hvp < 0.8 * ref.total_hvp


def test_secant_predictor_error_is_second_order_on_the_analytic_set():
    # inexact=True with m = 2 predicts a point's step by extending the secant from its
    # parent through it, weights included: its error off the set x(w) at the predicted
    # weights is O(h^2), O(h) relative to the step (halving h halves it), wherever the
    # point sits in its chain
    from skpareto._explore import _extrapolate

    problem = ConvexQuadratic(n=10, m=2, condition=10.0, random_state=3)

    def prediction_error(h, n_points):
        w = 0.3 + h * np.arange(n_points)
        weights = np.column_stack([w, 1.0 - w])
        params = np.array([problem.pareto_set(row) for row in weights])
        pset = ParetoSet(params, [problem.fun(x) for x in params], weights,
                         parents=np.arange(n_points) - 1)
        step = np.linalg.norm(params[-1] - params[-2])
        [(x_pred, w_pred)] = _extrapolate(pset, n_points - 1, step)
        assert np.isclose(np.linalg.norm(x_pred - params[-1]), step, rtol=1e-12)
        return np.linalg.norm(x_pred - problem.pareto_set(w_pred)) / step

    for n_points in (2, 4):
        errors = [prediction_error(h, n_points) for h in (0.04, 0.02, 0.01)]
        rates = np.log2(np.array(errors[:-1]) / errors[1:])
        assert np.all(np.abs(rates - 1.0) <= 0.2), errors
        assert errors[-1] <= 0.05, errors


def test_inexact_solves_tangents_only_at_the_root(monkeypatch):
    import skpareto._explore as explore_module

    calls = []
    original = explore_module.tangent_directions

    def counting(fun, x, *args, **kwargs):
        calls.append(x)
        return original(fun, x, *args, **kwargs)

    monkeypatch.setattr(explore_module, "tangent_directions", counting)
    problem = ConvexQuadratic(n=8, m=2, random_state=0)
    pset = explore(problem.fun, problem.x0, n_steps=5, step_size=0.1, inexact=True)
    assert pset.n_points == 11 and len(calls) == 1
    assert _relative_set_error(problem, pset).max() <= 1e-7
    calls.clear()
    reference = explore(problem.fun, problem.x0, n_steps=5, step_size=0.1)
    # the reference solves tangents at every point it expands (all but the last level)
    assert len(calls) == reference.n_points - 2 == 9


def test_corrector_step_cap_only_with_the_exact_hessian(monkeypatch):
    # Newton with the exact Hessian converges quadratically: 6 steps, then a shorter step;
    # with a sampled or damped Hessian it converges linearly and keeps newton_correct's 20
    import skpareto._explore as explore_module

    seen = []
    original = explore_module._CORRECTORS["newton"]

    def recording(*args, **kwargs):
        seen.append(kwargs.get("max_iter"))
        return original(*args, **kwargs)

    monkeypatch.setitem(explore_module._CORRECTORS, "newton", recording)
    problem = ConvexQuadratic(n=6, m=2, random_state=0)
    explore(problem.fun, problem.x0, n_steps=1, step_size=0.1)
    assert seen and set(seen) == {explore_module._CORRECTOR_STEPS} == {6}
    for options in (dict(damping=1e-3), dict(hess_fun=problem.fun),
                    dict(hess_sampler=lambda rng: problem.fun, random_state=0)):
        seen.clear()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            explore(problem.fun, problem.x0, n_steps=1, step_size=0.1, **options)
        assert seen and set(seen) == {None}, options


def test_corrected_duplicates_are_rejected():
    from skpareto._explore import _rejection
    from skpareto._utils import Result

    problem = ConvexQuadratic(n=4, m=2, random_state=0)
    pset = explore(problem.fun, problem.x0, n_steps=1, step_size=0.2)
    x = pset.params[1] + 0.01  # within step_size / 4 of point 1
    res = Result(x=x, objectives=problem.fun(x), weights=pset.weights[1], success=True,
                 residual=0.0, message="converged")
    assert _rejection(pset, 1, res, 0.2) == "duplicate of point 1"
    far = dict(res, x=pset.params[1] + 1.0)
    assert not _rejection(pset, 1, Result(far), 0.2).startswith("duplicate")


def test_failed_steps_are_retried_with_half_the_step(monkeypatch, capsys):
    import skpareto._explore as explore_module

    # condition 100: a predictor step of 0.5 lands so far off the curved set that every
    # full-step corrector leaves its trust region (moves farther than the step)
    problem = ConvexQuadratic(n=6, m=2, condition=100.0, random_state=0)
    options = dict(n_steps=30, step_size=0.5, tol=1e-10)
    monkeypatch.setattr(explore_module, "_MAX_HALVINGS", 0)
    stalled = explore(problem.fun, problem.x0, **options)
    assert stalled.n_points == 1  # without step-size control nothing is accepted
    monkeypatch.undo()
    pset = explore(problem.fun, problem.x0, verbose=2, **options)
    err = capsys.readouterr().err
    assert "left the trust region" in err and "retrying with 0.5 of the step" in err
    _check_consistent(pset, problem.fun, 1e-10)
    assert _relative_set_error(problem, pset).max() <= 1e-8
    w1 = np.sort(pset.weights[:, 0])
    assert pset.n_points >= 10 and w1[0] <= 0.05 and w1[-1] >= 0.95
    # a child is at most a predictor step plus a corrector trust region (the same length)
    # from its parent; some are a shortened step away
    step = options["step_size"]
    gaps = np.linalg.norm(pset.params[1:] - pset.params[pset.parents[1:]], axis=1)
    assert np.all(gaps <= 2 * step) and gaps.min() < 0.75 * step
    # one more parallel round per halving: the same set bit for bit with n_jobs=2
    parallel = explore(problem.fun, problem.x0, n_jobs=2, **options)
    assert parallel.n_points == pset.n_points
    for name in ("params", "weights", "front", "parents", "residuals", "n_grad", "n_hvp"):
        np.testing.assert_array_equal(getattr(parallel, name), getattr(pset, name))
    assert (parallel.total_grad, parallel.total_hvp) == (pset.total_grad, pset.total_hvp)


@pytest.mark.parametrize("m, n_steps, step_size", [(2, 20, 0.1), (3, 3, 0.25)])
def test_arclength_corrector_points_are_on_the_analytic_set(m, n_steps, step_size):
    problem = ConvexQuadratic(n=6, m=m, random_state=m)
    pset = explore(problem.fun, problem.x0, n_steps=n_steps, step_size=step_size,
                   corrector="arclength", tol=1e-10)
    _check_consistent(pset, problem.fun, 1e-10)
    assert pset.n_points >= (15 if m == 2 else 15)
    # the reported weights are the solved ones: each point is x(w) at its own weights
    assert _relative_set_error(problem, pset).max() <= 1e-8


def test_arclength_corrector_passes_the_folds_of_fonseca_fleming():
    problem = FonsecaFleming(n=10)
    step = 0.05
    pset = explore(problem.fun, problem.x0, method="mgda", corrector="arclength",
                   n_steps=40, step_size=step, tol=1e-10)
    _check_consistent(pset, problem.fun, 1e-10)
    assert max(problem.distance_to_set(x) for x in pset.params) <= 1e-8
    u = np.sqrt(problem.n) * pset.params.mean(axis=1)
    lo, hi = problem._folds()
    assert u.min() < lo - 0.1 and u.max() > hi + 0.1  # beyond both folds
    assert _segment_coverage(u, 2 * step) >= 0.95
    t = pset.params.mean(axis=1)
    np.testing.assert_allclose(pset.weights, [problem.weights_of_t(ti) for ti in t], atol=1e-8)
