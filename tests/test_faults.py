"""Fault battery: bad inputs give the documented error, degenerate problems the documented result.

Every error case asserts the exact exception type and that the message names
the offending argument. Degenerate-but-valid cases (zero or identical
gradients, singular or indefinite Hessians, weights on the simplex boundary,
m = 1, n = 1) assert the documented result against an independent reference.
"""

import re
import warnings

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

from skpareto import (
    ConvergenceWarning,
    ParetoSet,
    expand_set,
    explore,
    find_stationary,
    min_norm_weights,
    tangent_directions,
)
from skpareto.exceptions import NonFiniteError
from skpareto.problems import ConvexQuadratic


def _raises(exc_type, argument, func, *args, **kwargs):
    """Call ``func``; assert it raises exactly ``exc_type`` with ``argument`` in the message."""
    with pytest.raises(exc_type) as info:
        func(*args, **kwargs)
    assert info.type is exc_type, f"raised {info.type.__name__}: {info.value}"
    message = str(info.value)
    assert re.search(rf"(?<![A-Za-z_]){re.escape(argument)}(?![A-Za-z_])", message), message
    return message


def two_wells(x):
    return anp.array([anp.sum((x - 1.0) ** 2), anp.sum((x + 1.0) ** 2)])


# -- NaN / inf in the data (the point, the weights, the Jacobian) ----------------

NONFINITE = [np.nan, np.inf, -np.inf]


@pytest.mark.parametrize("bad", NONFINITE)
@pytest.mark.parametrize("call, argument", [
    (lambda x: explore(two_wells, x), "x0"),
    (lambda x: find_stationary(two_wells, x), "x0"),
    (lambda x: tangent_directions(two_wells, x), "x"),
])
def test_nonfinite_point(call, argument, bad):
    _raises(ValueError, argument, call, np.array([0.5, bad, 0.0]))


@pytest.mark.parametrize("bad", NONFINITE)
@pytest.mark.parametrize("call", [
    lambda w: explore(two_wells, np.ones(2), w),
    lambda w: tangent_directions(two_wells, np.zeros(2), w),
    lambda w: ParetoSet(np.zeros((1, 2)), np.zeros((1, 2)), [[0.5, 0.5]]).params_at(w),
])
def test_nonfinite_weights(call, bad):
    _raises(ValueError, "weights", call, np.array([bad, 0.5]))


@pytest.mark.parametrize("bad", NONFINITE)
def test_nonfinite_jacobian(bad):
    _raises(ValueError, "jac", min_norm_weights, np.array([[1.0, bad], [0.0, 1.0]]))


def test_nonfinite_betas():
    _raises(ValueError, "betas", tangent_directions, two_wells, np.zeros(2),
            betas=[[np.nan, 1.0]])


# -- NaN / inf produced by the objective ----------------------------------------

def _nan_second(x):
    return anp.array([anp.sum(x ** 2), anp.nan * anp.sum(x)])


def _log_at_edge(x):  # -inf value at x[0] == 0
    return anp.array([anp.sum(x ** 2), anp.log(x[0]) + anp.sum(x ** 2)])


def _sqrt_at_zero(x):  # finite value, infinite gradient at x[0] == 0
    return anp.array([anp.sum((x - 1.0) ** 2), anp.sqrt(anp.abs(x[0])) + anp.sum(x ** 2)])


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning",
                            "ignore:invalid value:RuntimeWarning")
@pytest.mark.parametrize("fun, x", [(_nan_second, np.ones(2)), (_log_at_edge, np.zeros(2)),
                                    (_sqrt_at_zero, np.zeros(2))])
@pytest.mark.parametrize("call", [
    lambda fun, x: explore(fun, x),
    lambda fun, x: find_stationary(fun, x),
    lambda fun, x: tangent_directions(fun, x),
])
def test_nonfinite_objective_output(call, fun, x):
    message = _raises(NonFiniteError, "fun", call, fun, x)
    assert "non-finite" in message
    assert issubclass(NonFiniteError, ValueError)


def test_nonfinite_objective_during_expansion_drops_the_step():
    # finite on the stage-1 point and its left, NaN to the right of x = 0.25:
    # the steps landing there are dropped with a warning, nothing NaN is kept
    def fun(x):
        values = two_wells(x)
        return anp.where(x[0] > 0.25, anp.nan, 1.0) * values

    x = np.zeros(2)  # stationary for (1/2, 1/2)
    pset = ParetoSet(x[None], fun(x)[None], [[0.5, 0.5]], fun=fun)
    with pytest.warns(RuntimeWarning, match="non-finite"):
        expand_set(pset, fun, n_steps=6, step_size=0.2, tol=1e-12)
    assert pset.n_points >= 3
    assert np.all(np.isfinite(pset.params)) and np.all(np.isfinite(pset.front))
    assert pset.params[:, 0].max() <= 0.25
    # the kept points are on the analytic set x = t (1, 1), weights ((1 + t) / 2, ...)
    np.testing.assert_allclose(pset.params[:, 0], pset.params[:, 1], atol=1e-12)
    np.testing.assert_allclose(pset.weights[:, 0], (1 + pset.params[:, 0]) / 2, atol=1e-12)


# -- the objective returns the wrong thing ---------------------------------------

@pytest.mark.parametrize("fun", [
    lambda x: anp.sum(x ** 2),                     # scalar
    lambda x: anp.outer(x, x),                     # 2-D
    lambda x: x[:0],                               # no objectives
    lambda x: anp.array([anp.sum(x), 1j * anp.sum(x)]),  # complex
], ids=["scalar", "2d", "empty", "complex"])
@pytest.mark.parametrize("call", [
    lambda fun: explore(fun, np.ones(2)),
    lambda fun: find_stationary(fun, np.ones(2)),
    lambda fun: tangent_directions(fun, np.ones(2)),
], ids=["explore", "find_stationary", "tangent_directions"])
def test_objective_wrong_output(call, fun):
    with warnings.catch_warnings():
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        _raises(ValueError, "fun", call, fun)


@pytest.mark.parametrize("call", [
    lambda w: explore(two_wells, np.ones(2), w),
    lambda w: find_stationary(two_wells, np.ones(2), w),
    lambda w: tangent_directions(two_wells, np.zeros(2), w),
])
def test_objective_count_does_not_match_weights(call):
    message = _raises(ValueError, "weights", call, [0.2, 0.3, 0.5])
    assert "(2,)" in message


# -- zero and identical gradients -------------------------------------------------

def _same(x):
    return anp.array([anp.sum(x ** 2), anp.sum(x ** 2)])


def test_zero_gradients():
    # every gradient vanishes: weights uniform, residual 0, tangents zero (rhs 0)
    x = np.zeros(3)
    np.testing.assert_array_equal(min_norm_weights(np.zeros((3, 4))), np.full(3, 1 / 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = tangent_directions(_same, x)
        pset = explore(_same, x, n_steps=3)
    np.testing.assert_array_equal(res.directions, np.zeros((1, 3)))
    np.testing.assert_array_equal(res.residuals, [0.0])
    assert pset.n_points == 1 and pset.residuals[0] == 0.0
    np.testing.assert_array_equal(pset.params[0], x)


def test_identical_task_gradients():
    # identical tasks: the set is one point (the common minimizer), any alpha is optimal
    g = np.array([1.0, -2.0, 0.5])
    alpha = min_norm_weights(np.vstack([g, g]))
    assert np.all(alpha >= 0) and alpha.sum() == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_allclose(alpha @ np.vstack([g, g]), g, rtol=1e-15)
    x = np.array([0.3, -0.2, 0.1])
    res = tangent_directions(_same, x)
    np.testing.assert_allclose(res.directions, 0.0, atol=1e-15)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pset = explore(_same, x, n_steps=3, tol=1e-12)
    assert pset.n_points == 1
    np.testing.assert_allclose(pset.params[0], 0.0, atol=1e-10)


# -- singular and indefinite Hessians --------------------------------------------

def _singular_inconsistent(x):
    # H = diag(2, 0) at alpha = (1/2, 1/2); J^T beta has a component along the null space
    return anp.array([(x[0] - 1.0) ** 2 + x[1], (x[0] + 1.0) ** 2 - x[1]])


def _singular_consistent(x):
    # x[1] enters only through a constant: H = diag(2, 0), J^T beta in the range of H
    return anp.array([(x[0] - 1.0) ** 2 + 0.0 * x[1], (x[0] + 1.0) ** 2 + 0.0 * x[1]])


def _indefinite(x):
    # weighted sum has a saddle: H = diag(2, -2)
    return anp.array([(x[0] - 1.0) ** 2 - x[1] ** 2, (x[0] + 1.0) ** 2 - x[1] ** 2])


def _dense(fun, x, alpha, beta):
    hess = autograd.hessian(lambda z: anp.dot(alpha, fun(z)))(x)
    return hess, autograd.jacobian(fun)(x).T @ beta


def test_singular_hessian_inconsistent_warns_and_keeps_residual():
    x = np.zeros(2)
    with pytest.warns(ConvergenceWarning, match="MINRES did not reach"):
        res = tangent_directions(_singular_inconsistent, x)
    assert res.directions.shape == (1, 2) and np.all(np.isfinite(res.directions))
    # the recorded residual is the true one, and is far from converged
    hess, rhs = _dense(_singular_inconsistent, x, res.weights, res.betas[0])
    true = np.linalg.norm(hess @ res.directions[0] - rhs) / np.linalg.norm(rhs)
    assert res.residuals[0] == pytest.approx(true, rel=1e-8)
    assert res.residuals[0] > 0.1


def test_singular_hessian_consistent_gives_min_norm_solution():
    x = np.zeros(2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = tangent_directions(_singular_consistent, x)
    hess, rhs = _dense(_singular_consistent, x, res.weights, res.betas[0])
    np.testing.assert_allclose(res.directions[0], np.linalg.pinv(hess) @ rhs, atol=1e-12)
    assert res.residuals[0] < 1e-12


def test_indefinite_hessian():
    x = np.zeros(2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = tangent_directions(_indefinite, x)
    hess, rhs = _dense(_indefinite, x, res.weights, res.betas[0])
    assert np.linalg.eigvalsh(hess).min() < 0 < np.linalg.eigvalsh(hess).max()
    np.testing.assert_allclose(res.directions[0], np.linalg.solve(hess, rhs), atol=1e-12)
    # expansion along the saddle set x = (t, 0), stationary for alpha_1 = (1 + t) / 2
    pset = explore(_indefinite, np.array([0.3, 0.0]), n_steps=4, step_size=0.2, tol=1e-12)
    assert pset.n_points == 9
    np.testing.assert_allclose(pset.params[:, 1], 0.0, atol=1e-14)
    np.testing.assert_allclose(pset.weights[:, 0], (1 + pset.params[:, 0]) / 2, atol=1e-12)


# -- weights on the boundary of the simplex --------------------------------------

@pytest.mark.parametrize("m, w", [(2, [1.0, 0.0]), (2, [0.0, 1.0]), (3, [0.0, 0.4, 0.6])])
def test_zero_weight_tangents_are_exact(m, w):
    problem = ConvexQuadratic(n=4, m=m, random_state=2)
    x = problem.pareto_set(w)
    res = tangent_directions(problem.fun, x, w, rtol=1e-12)
    np.testing.assert_allclose(res.directions, -res.betas @ problem.set_derivative(w),
                               rtol=1e-9, atol=1e-12)


def test_expansion_from_a_vertex_stays_on_the_simplex():
    problem = ConvexQuadratic(n=4, m=2, random_state=2)
    w = np.array([1.0, 0.0])
    x = problem.pareto_set(w)
    pset = ParetoSet(x[None], problem.fun(x)[None], w[None], fun=problem.fun)
    expand_set(pset, problem.fun, n_steps=4, step_size=0.1, tol=1e-12)
    assert pset.n_points == 5  # a chain into the simplex only
    assert np.all(pset.weights >= 0) and np.all(pset.weights[:, 0] <= 1.0)
    np.testing.assert_allclose(pset.weights.sum(axis=1), 1.0, atol=1e-14)
    for xi, wi in zip(pset.params, pset.weights):
        np.testing.assert_allclose(xi, problem.pareto_set(wi), atol=1e-10)


# -- m = 1, n = 1 ---------------------------------------------------------------

def _one_task(x):
    return anp.array([anp.sum((x - 2.0) ** 2)])


def test_single_task():
    np.testing.assert_array_equal(min_norm_weights([[3.0, -1.0]]), [1.0])
    res = tangent_directions(_one_task, np.full(3, 2.0))
    assert res.directions.shape == (0, 3) and res.betas.shape == (0, 1)
    pset = explore(_one_task, np.zeros(3), n_steps=3, tol=1e-12)
    assert pset.n_points == 1 and pset.n_tasks == 1
    np.testing.assert_allclose(pset.params[0], 2.0, atol=1e-12)
    np.testing.assert_array_equal(pset.weights, [[1.0]])
    _raises(ValueError, "weights", tangent_directions, _one_task, np.zeros(3), [0.5, 0.5])


def test_single_parameter():
    problem = ConvexQuadratic(n=1, m=2, random_state=4)
    pset = explore(problem.fun, problem.x0, n_steps=30, step_size=0.05, tol=1e-12)
    lo, hi = np.sort(problem.c[:, 0])
    assert pset.n_params == 1 and pset.n_points > 3
    assert np.all((pset.params >= lo - 1e-12) & (pset.params <= hi + 1e-12))
    for xi, wi in zip(pset.params, pset.weights):
        np.testing.assert_allclose(xi, problem.pareto_set(wi), atol=1e-12)


# -- empty inputs and wrong dtypes -----------------------------------------------

@pytest.mark.parametrize("call, value, argument", [
    (lambda v: explore(two_wells, v), np.array([]), "x0"),
    (lambda v: tangent_directions(two_wells, v), np.zeros(0), "x"),
    (lambda v: min_norm_weights(v), np.zeros((2, 0)), "jac"),
    (lambda v: min_norm_weights(v), np.zeros((0, 3)), "jac"),
    (lambda v: tangent_directions(two_wells, np.zeros(2), v), np.array([]), "weights"),
], ids=["x0", "x", "jac-no-columns", "jac-no-rows", "weights"])
def test_empty(call, value, argument):
    _raises(ValueError, argument, call, value)


BAD_DTYPES = [np.array([1.0, None], dtype=object), np.array([1.0, 2.0j]),
              np.array(["1.0", "2.0"])]


@pytest.mark.parametrize("value", BAD_DTYPES, ids=["object", "complex", "str"])
@pytest.mark.parametrize("call, argument", [
    (lambda v: explore(two_wells, v), "x0"),
    (lambda v: find_stationary(two_wells, v), "x0"),
    (lambda v: tangent_directions(two_wells, v), "x"),
    (lambda v: tangent_directions(two_wells, np.zeros(2), v), "weights"),
    (lambda v: tangent_directions(two_wells, np.zeros(2), betas=v), "betas"),
    (lambda v: min_norm_weights(np.vstack([v, v])), "jac"),
])
def test_wrong_dtype(call, argument, value):
    with warnings.catch_warnings():
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        _raises(ValueError, argument, call, value)


# -- nothing lost: an interruption inside expansion keeps every accepted point ----

_ARRAYS = ("params", "front", "weights", "parents", "residuals", "n_grad", "n_hvp",
           "expanded")


def _assert_valid(pset):
    p = pset.n_points
    for name in _ARRAYS:
        assert len(getattr(pset, name)) == p, name
    assert np.all(pset.parents < np.arange(p))
    assert pset.total_grad >= pset.n_grad.sum() and pset.total_hvp >= pset.n_hvp.sum()


def _root(problem, w):
    x = problem.pareto_set(w)
    return ParetoSet(x[None], problem.fun(x)[None], np.asarray(w, float)[None],
                     fun=problem.fun)


_EXPAND = dict(n_steps=4, step_size=0.15, tol=1e-12)


def _reference_run(problem, w):
    pset = _root(problem, w)
    expand_set(pset, problem.fun, **_EXPAND)
    return pset


class _Boom(RuntimeError):
    pass


@pytest.mark.parametrize("fail_after", [3, 40, 90, 160])
def test_exception_in_objective_keeps_accepted_points(fail_after):
    problem = ConvexQuadratic(n=5, m=3, random_state=7)
    w = np.array([0.3, 0.3, 0.4])
    reference = _reference_run(problem, w)
    calls = [0]

    def fragile(x):
        calls[0] += 1
        if calls[0] > fail_after:
            raise _Boom("injected")
        return problem.fun(x)

    pset = _root(problem, w)
    with pytest.raises(_Boom):
        expand_set(pset, fragile, **_EXPAND)
    _assert_valid(pset)
    p = pset.n_points
    assert p < reference.n_points
    # the points kept are exactly the ones accepted before the failure
    for name in ("params", "front", "weights", "parents", "residuals"):
        np.testing.assert_array_equal(getattr(pset, name), getattr(reference, name)[:p])
    # resuming the remaining levels reaches the uninterrupted result exactly
    done = int(np.max(_levels(pset.parents), initial=0))
    expand_set(pset, problem.fun, **dict(_EXPAND, n_steps=_EXPAND["n_steps"] - done))
    for name in ("params", "front", "weights", "parents"):
        np.testing.assert_array_equal(getattr(pset, name), getattr(reference, name))


def _levels(parents):
    depth = np.zeros(len(parents), int)
    for i, parent in enumerate(parents):
        depth[i] = 0 if parent < 0 else depth[parent] + 1
    return depth


@pytest.mark.parametrize("fail_after", [1, 4, 7])
def test_keyboard_interrupt_in_corrector_keeps_accepted_points(monkeypatch, fail_after):
    import skpareto._explore as explore_module

    problem = ConvexQuadratic(n=4, m=2, random_state=8)
    w = np.array([0.5, 0.5])
    reference = _reference_run(problem, w)
    original = explore_module._correct
    calls = [0]

    def interrupted(*args, **kwargs):
        calls[0] += 1
        if calls[0] > fail_after:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(explore_module, "_correct", interrupted)
    pset = _root(problem, w)
    with pytest.raises(KeyboardInterrupt):
        expand_set(pset, problem.fun, **_EXPAND)
    monkeypatch.setattr(explore_module, "_correct", original)
    _assert_valid(pset)
    p = pset.n_points
    assert 1 <= p < reference.n_points
    np.testing.assert_array_equal(pset.params, reference.params[:p])
    np.testing.assert_array_equal(pset.weights, reference.weights[:p])
    done = int(np.max(_levels(pset.parents), initial=0))
    expand_set(pset, problem.fun, **dict(_EXPAND, n_steps=_EXPAND["n_steps"] - done))
    np.testing.assert_array_equal(pset.params, reference.params)


@pytest.mark.parametrize("fail_at", range(1, 9))
def test_keyboard_interrupt_inside_append_leaves_a_valid_set(monkeypatch, fail_at):
    # interrupt at the fail_at-th array operation of the second accepted point
    import skpareto._paretoset as paretoset_module

    problem = ConvexQuadratic(n=3, m=2, random_state=9)
    pset = _root(problem, [0.5, 0.5])
    original_append = ParetoSet._append
    count = {"append": 0, "ops": 0}

    def counting(op):
        def wrapper(*args, **kwargs):
            if count["append"] == 2:
                count["ops"] += 1
                if count["ops"] == fail_at:
                    raise KeyboardInterrupt
            return op(*args, **kwargs)
        return wrapper

    def tracked_append(self, *args):
        count["append"] += 1
        return original_append(self, *args)

    fake_np = type("fake_np", (), {})()
    for name in dir(np):
        if not name.startswith("__"):
            setattr(fake_np, name, getattr(np, name))
    fake_np.vstack, fake_np.append = counting(np.vstack), counting(np.append)
    monkeypatch.setattr(paretoset_module, "np", fake_np)
    monkeypatch.setattr(ParetoSet, "_append", tracked_append)
    with pytest.raises(KeyboardInterrupt):
        expand_set(pset, problem.fun, n_steps=2, step_size=0.1, tol=1e-12)
    _assert_valid(pset)
    assert pset.n_points == 2  # the root and the first accepted point, whole
    np.testing.assert_allclose(pset.params[1], problem.pareto_set(pset.weights[1]),
                               atol=1e-12)


# -- the estimator: data faults (X, Y) --------------------------------------------

def _data(n_samples=40, n_features=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    Y = np.column_stack([np.tanh(X[:, 0]), np.tanh(X[:, 0] - X[:, -1])])
    return X, Y


def _estimator(**params):
    from skpareto import ParetoExplorer

    defaults = dict(hidden_layer_sizes=(2,), n_steps=1, random_state=0, max_iter=200)
    return ParetoExplorer(**dict(defaults, **params))


def _raises_naming_data(argument, func, *args):
    """ValueError (exactly) whose message names X, or Y (scikit-learn spells it 'y')."""
    with pytest.raises(ValueError) as info:
        func(*args)
    assert info.type is ValueError, f"raised {info.type.__name__}: {info.value}"
    names = {"X": "X", "Y": "[Yy]"}[argument]
    assert re.search(rf"(?<![A-Za-z_]){names}(?![A-Za-z_])", str(info.value)), info.value


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("where", ["X", "Y"])
def test_estimator_nonfinite_data(where, bad):
    X, Y = _data()
    (X if where == "X" else Y)[3, 1] = bad
    _raises_naming_data(where, _estimator().fit, X, Y)


@pytest.mark.parametrize("method", ["expand", "predict", "predict_at"])
def test_estimator_nonfinite_data_after_fit(method):
    X, Y = _data()
    est = _estimator().fit(X, Y)
    bad = X.copy()
    bad[0, 0] = np.nan
    call = {"expand": lambda: est.expand(bad, Y), "predict": lambda: est.predict(bad),
            "predict_at": lambda: est.predict_at(bad, est.pareto_weights_[0])}[method]
    _raises_naming_data("X", call)


def test_estimator_mismatched_lengths_in_expand():
    X, Y = _data()
    est = _estimator().fit(X, Y)
    _raises_naming_data("Y", est.expand, X, Y[:-1])


def test_estimator_numeric_object_data_is_converted():
    # object arrays of numbers are accepted (scikit-learn converts them) and give
    # bit-for-bit the same model as the float64 data
    X, Y = _data()
    a = _estimator().fit(X, Y)
    b = _estimator().fit(X.astype(object), Y)
    np.testing.assert_array_equal(a.pareto_set_.params, b.pareto_set_.params)


@pytest.mark.parametrize("weights", [[0.5, 0.6], [1.5, -0.5], [np.nan, 1.0], [1.0],
                                     [0.5, 0.5j]])
def test_estimator_bad_weights(weights):
    X, Y = _data()
    _raises(ValueError, "weights", _estimator(weights=weights).fit, X, Y)


def test_estimator_zero_weight_task():
    X, Y = _data()
    est = _estimator(weights=[1.0, 0.0], tol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MINRES may stop short at the simplex vertex
        est.fit(X, Y)
    np.testing.assert_array_equal(est.pareto_weights_[0], [1.0, 0.0])
    assert np.all(est.pareto_weights_ >= 0.0) and np.all(est.pareto_weights_[:, 0] <= 1.0)
    # the model at the vertex minimizes the first task's loss alone: its gradient vanishes
    fun = est.pareto_set_.fun
    grad = autograd.jacobian(fun)(est.pareto_set_.params[0])[0]
    scale = np.max(np.linalg.norm(autograd.jacobian(fun)(est.pareto_set_.params[0]), axis=1))
    assert np.linalg.norm(grad) <= 1e-6 * scale


def test_estimator_single_task():
    from sklearn.exceptions import ConvergenceWarning as SklearnConvergenceWarning

    X, Y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("error", SklearnConvergenceWarning)
        est = _estimator().fit(X, Y[:, 0])
    assert est.pareto_set_.n_points == 1 and est.n_tasks_ == 1
    np.testing.assert_array_equal(est.pareto_weights_, [[1.0]])
    grad = autograd.grad(lambda z: est.pareto_set_.fun(z)[0])(est.pareto_set_.params[0])
    assert np.linalg.norm(grad) <= 1e-6
    with pytest.warns(UserWarning, match="single task"):
        est.expand(X, Y[:, 0])
    assert est.pareto_set_.n_points == 1


def test_estimator_single_feature():
    X, Y = _data(n_features=1)
    est = _estimator(n_steps=2, tol=1e-8).fit(X, Y)
    assert est.pareto_set_.n_points >= 3
    assert np.all(est.pareto_set_.residuals <= 1e-8)
    for x, w in zip(est.pareto_set_.params, est.pareto_set_.weights):
        jac = autograd.jacobian(est.pareto_set_.fun)(x)
        assert np.linalg.norm(jac.T @ w) <= 1e-8 * np.max(np.linalg.norm(jac, axis=1))


@pytest.mark.parametrize("case", [
    "empty X", "no features", "string X", "complex X", "complex Y",
    "mismatched X/Y in fit", "3-D Y", "overflowing losses", "string Y regression",
])
def test_estimator_data_errors_name_the_argument(case):
    X, Y = _data()
    X_bad, Y_bad, argument = {
        "empty X": (X[:0], Y[:0], "X"),
        "no features": (X[:, :0], Y, "X"),
        "string X": (np.full(X.shape, "a"), Y, "X"),
        "complex X": (X + 1j, Y, "X"),
        "complex Y": (X, Y + 1j, "Y"),
        "mismatched X/Y in fit": (X, Y[:-1], "Y"),
        "3-D Y": (X, Y[:, :, None], "Y"),
        "overflowing losses": (X, Y * 1e200, "Y"),
        "string Y regression": (X, np.full(Y.shape, "a"), "Y"),
    }[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        _raises_naming_data(argument, _estimator().fit, X_bad, Y_bad)


# -- the estimator: nothing lost when expand is interrupted -----------------------

@pytest.fixture(scope="module")
def expanded_reference():
    """An estimator fitted with one level, its point count then, and 3 more levels."""
    X, Y = _data()
    reference = _estimator(n_steps=1, tol=1e-8).fit(X, Y)
    before = reference.pareto_set_.n_points
    reference.expand(X, Y, n_steps=3)
    return reference, before


@pytest.mark.parametrize("error, fail_after", [(KeyboardInterrupt, 0),
                                               (KeyboardInterrupt, 2), (RuntimeError, 5)])
def test_estimator_expand_interrupted_keeps_accepted_points(monkeypatch, expanded_reference,
                                                            error, fail_after):
    import skpareto._explore as explore_module

    X, Y = _data()
    reference, before = expanded_reference
    est = _estimator(n_steps=1, tol=1e-8).fit(X, Y)
    original = explore_module._correct
    calls = [0]

    def interrupted(*args, **kwargs):
        calls[0] += 1
        if calls[0] > fail_after:
            raise error("injected")
        return original(*args, **kwargs)

    monkeypatch.setattr(explore_module, "_correct", interrupted)
    with pytest.raises(error):
        est.expand(X, Y, n_steps=3)
    monkeypatch.setattr(explore_module, "_correct", original)
    pset = est.pareto_set_
    _assert_valid(pset)
    p = pset.n_points
    assert before <= p < reference.pareto_set_.n_points
    for name in ("params", "weights", "front", "parents"):
        np.testing.assert_array_equal(getattr(pset, name),
                                      getattr(reference.pareto_set_, name)[:p])
    # the estimator still works on the kept set, and expanding again completes it
    np.testing.assert_array_equal(est.params_at(pset.weights[-1]), pset.params[-1])
    done = int(np.max(_levels(pset.parents))) - 1  # levels of expand completed (fit: 1)
    est.expand(X, Y, n_steps=3 - done)
    np.testing.assert_array_equal(est.pareto_set_.params, reference.pareto_set_.params)
    np.testing.assert_array_equal(est.pareto_front_, reference.pareto_front_)
