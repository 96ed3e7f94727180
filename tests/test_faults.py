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


_CALLS = [
    lambda fun, x: explore(fun, x),
    lambda fun, x: find_stationary(fun, x),
    lambda fun, x: tangent_directions(fun, x),
]


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning",
                            "ignore:invalid value:RuntimeWarning")
@pytest.mark.parametrize("fun, x", [(_nan_second, np.ones(2)), (_log_at_edge, np.zeros(2)),
                                    (_sqrt_at_zero, np.zeros(2))])
@pytest.mark.parametrize("call", _CALLS)
def test_nonfinite_objective_output(call, fun, x):
    message = _raises(NonFiniteError, "fun", call, fun, x)
    assert "non-finite" in message
    if call is _CALLS[0]:  # explore names the start
        assert message.startswith("x0, the start:")
    assert issubclass(NonFiniteError, ValueError)


def test_nonfinite_objective_during_expansion_ends_the_set_there():
    # finite on the stage-1 point and its left, NaN to the right of x = 0.25: the set ends
    # before the NaN region, nothing NaN is kept, and the left side is explored to its end
    def fun(x):
        values = two_wells(x)
        return anp.where(x[0] > 0.25, anp.nan, 1.0) * values

    x = np.zeros(2)  # stationary for (1/2, 1/2)
    pset = ParetoSet(x[None], fun(x)[None], [[0.5, 0.5]], fun=fun)
    expand_set(pset, fun, tol=1e-12)
    assert pset.n_points >= 3
    assert np.all(np.isfinite(pset.params)) and np.all(np.isfinite(pset.front))
    assert 0.2 <= pset.params[:, 0].max() <= 0.25
    # the kept points are on the analytic set x = t (1, 1), weights ((1 + t) / 2, ...)
    np.testing.assert_allclose(pset.params[:, 0], pset.params[:, 1], atol=1e-12)
    np.testing.assert_allclose(pset.weights[:, 0], (1 + pset.params[:, 0]) / 2, atol=1e-12)
    assert pset.weights[:, 0].min() == 0.0
    np.testing.assert_allclose(pset.params[np.argmin(pset.weights[:, 0])], [-1.0, -1.0],
                               atol=1e-12)


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
        pset = explore(_same, x)
    np.testing.assert_array_equal(res.directions, np.zeros((1, 3)))
    np.testing.assert_array_equal(res.residuals, [0.0])
    # the one point, a strict minimum of both: held at the weights of stage 1 and at each
    # task's own, so that it covers every weight
    np.testing.assert_array_equal(pset.params, np.zeros((3, 3)))
    np.testing.assert_array_equal(pset.residuals, 0.0)
    np.testing.assert_array_equal(np.sort(pset.weights[:, 0]), [0.0, 0.5, 1.0])
    assert pset.contains(np.c_[np.linspace(0, 1, 11), np.linspace(1, 0, 11)]).all()


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
        pset = explore(_same, x, tol=1e-12)
    assert len(np.unique(pset.params, axis=0)) == 1  # one point, for every weight
    np.testing.assert_allclose(pset.params[0], 0.0, atol=1e-10)
    assert pset.contains([0.9, 0.1]) and pset.contains([0.0, 1.0])


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
    # the continuation follows the stationary set x = (t, 0) of an indefinite weighted
    # Hessian, stationary for alpha_1 = (1 + t) / 2, from t = -1 (alpha_1 = 0) to t = 1
    pset = ParetoSet(x[None], _indefinite(x)[None], [[0.5, 0.5]], fun=_indefinite)
    expand_set(pset, _indefinite, tol=1e-12)
    np.testing.assert_allclose(pset.params[:, 1], 0.0, atol=1e-14)
    np.testing.assert_allclose(pset.weights[:, 0], (1 + pset.params[:, 0]) / 2, atol=1e-12)
    assert pset.weights[:, 0].min() == 0.0 and pset.weights[:, 0].max() == 1.0
    np.testing.assert_allclose(np.sort(pset.params[:, 0])[[0, -1]], [-1.0, 1.0], atol=1e-12)


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
    gaps = np.linalg.norm(pset.params[:, None] - pset.params[None], axis=2)
    assert gaps[np.triu_indices(pset.n_points, 1)].min() > 1e-6  # no point twice
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
    pset = explore(_one_task, np.zeros(3), tol=1e-12)
    assert pset.n_points == 1 and pset.n_tasks == 1
    np.testing.assert_allclose(pset.params[0], 2.0, atol=1e-12)
    np.testing.assert_array_equal(pset.weights, [[1.0]])
    # the residual of a single objective is its gradient norm
    assert pset.residuals[0] == pytest.approx(2.0 * np.linalg.norm(pset.params[0] - 2.0),
                                              abs=1e-15)
    assert pset.residuals[0] <= 1e-12
    _raises(ValueError, "weights", tangent_directions, _one_task, np.zeros(3), [0.5, 0.5])


def test_single_parameter():
    problem = ConvexQuadratic(n=1, m=2, random_state=4)
    pset = explore(problem.fun, problem.x0, tol=1e-12)
    lo, hi = np.sort(problem.c[:, 0])
    assert pset.n_params == 1 and pset.n_points > 3
    assert np.all((pset.params >= lo - 1e-12) & (pset.params <= hi + 1e-12))
    # the set is the segment between the two minimizers, both ends included
    np.testing.assert_allclose([pset.params.min(), pset.params.max()], [lo, hi], atol=1e-12)
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
#
# In serial mode the continuation adds each point to the set as it is accepted, and
# ParetoSet.add_point replaces the arrays in one assignment. So whatever interrupts
# expand_set (KeyboardInterrupt, an exception in the objective, in the corrector or in
# add_point itself), the set stays valid and holds a prefix of the points of the
# uninterrupted run, in the same order.

_ARRAYS = ("params", "front", "weights", "parents", "residuals", "n_grad", "n_hvp",
           "expanded")
_PREFIX = ("params", "front", "weights", "parents", "residuals", "n_grad", "n_hvp")


def _assert_valid(pset):
    p = pset.n_points
    for name in _ARRAYS:
        assert len(getattr(pset, name)) == p, name
    assert np.all(pset.parents < np.arange(p))
    assert pset.total_grad >= pset.n_grad.sum() and pset.total_hvp >= pset.n_hvp.sum()
    pset.pieces  # the continuous set can be built from it
    if p:
        pset.params_at(pset.weights[-1])


def _assert_prefix(pset, reference):
    p = pset.n_points
    assert 1 <= p <= reference.n_points
    for name in _PREFIX:
        np.testing.assert_array_equal(getattr(pset, name), getattr(reference, name)[:p],
                                      err_msg=name)


def _root(problem, w):
    x = problem.pareto_set(w)
    return ParetoSet(x[None], problem.fun(x)[None], np.asarray(w, float)[None],
                     fun=problem.fun)


_EXPAND = dict(tol=1e-12)


def _reference_run(problem, w, **kwargs):
    pset = _root(problem, w)
    expand_set(pset, problem.fun, **dict(_EXPAND, **kwargs))
    return pset


class _Boom(RuntimeError):
    pass


@pytest.mark.parametrize("m, fail_after", [(2, 3), (2, 40), (2, 100), (3, 40), (3, 150)])
def test_exception_in_objective_keeps_accepted_points(m, fail_after):
    problem = ConvexQuadratic(n=5, m=m, random_state=7)
    w = np.full(m, 1.0 / m)
    budget = dict(max_points=40) if m == 3 else {}
    reference = _reference_run(problem, w, **budget)
    calls = [0]

    def fragile(x):
        calls[0] += 1
        if calls[0] > fail_after:
            raise _Boom("injected")
        return problem.fun(x)

    pset = _root(problem, w)
    with pytest.raises(_Boom):
        expand_set(pset, fragile, **dict(_EXPAND, **budget))
    _assert_valid(pset)
    assert pset.n_points < reference.n_points
    _assert_prefix(pset, reference)
    if m == 2:
        # expanding again goes on from the points kept, to the whole set
        expand_set(pset, problem.fun, **_EXPAND)
        _assert_valid(pset)
        assert pset.weights[:, 0].min() == 0.0 and pset.weights[:, 0].max() == 1.0
        for x, wi in zip(pset.params, pset.weights):
            np.testing.assert_allclose(x, problem.pareto_set(wi), atol=1e-9)


@pytest.mark.parametrize("error", [KeyboardInterrupt, _Boom])
@pytest.mark.parametrize("fail_after", [1, 4, 12])
def test_interrupt_in_corrector_keeps_accepted_points(monkeypatch, fail_after, error):
    import skpareto._continuation as continuation

    problem = ConvexQuadratic(n=4, m=2, random_state=8)
    w = np.array([0.5, 0.5])
    reference = _reference_run(problem, w)
    original = continuation.correct
    calls = [0]

    def interrupted(*args, **kwargs):
        calls[0] += 1
        if calls[0] > fail_after:
            raise error()
        return original(*args, **kwargs)

    monkeypatch.setattr(continuation, "correct", interrupted)
    pset = _root(problem, w)
    with pytest.raises(error):
        expand_set(pset, problem.fun, **_EXPAND)
    assert calls[0] == fail_after + 1
    monkeypatch.setattr(continuation, "correct", original)
    _assert_valid(pset)
    assert pset.n_points < reference.n_points
    _assert_prefix(pset, reference)
    # the points accepted before the interruption are all there: one per corrector call
    # that converged (the first calls of a quadratic all do)
    assert pset.n_points >= 1 + min(fail_after, 1)
    expand_set(pset, problem.fun, **_EXPAND)
    _assert_valid(pset)
    assert pset.weights[:, 0].min() == 0.0 and pset.weights[:, 0].max() == 1.0


@pytest.mark.parametrize("fail_at, after_update",
                         [(k, False) for k in range(1, 9)] + [(None, True)],
                         ids=[f"op{k}" for k in range(1, 9)] + ["stored"])
def test_keyboard_interrupt_inside_add_point_leaves_a_valid_set(monkeypatch, fail_at,
                                                               after_update):
    # interrupt add_point of the second new point at its fail_at-th array operation (it
    # makes 8: three vstack, five append), or once it has stored the point
    import skpareto._paretoset as paretoset_module

    problem = ConvexQuadratic(n=3, m=2, random_state=9)
    reference = _reference_run(problem, [0.5, 0.5])
    pset = _root(problem, [0.5, 0.5])
    original_add = ParetoSet.add_point
    state = {"calls": 0, "inside": False, "ops": 0}

    def counting(op):
        def wrapper(*args, **kwargs):
            if state["inside"] and state["calls"] == 2 and not after_update:
                state["ops"] += 1
                if state["ops"] == fail_at:
                    raise KeyboardInterrupt
            return op(*args, **kwargs)
        return wrapper

    def tracked_add(self, *args, **kwargs):
        state["calls"] += 1
        state["inside"] = True
        try:
            index = original_add(self, *args, **kwargs)
        finally:
            state["inside"] = False
        if after_update and state["calls"] == 2:
            raise KeyboardInterrupt
        return index

    fake_np = type("fake_np", (), {})()
    for name in dir(np):
        if not name.startswith("__"):
            setattr(fake_np, name, getattr(np, name))
    fake_np.vstack, fake_np.append = counting(np.vstack), counting(np.append)
    monkeypatch.setattr(paretoset_module, "np", fake_np)
    monkeypatch.setattr(ParetoSet, "add_point", tracked_add)
    with pytest.raises(KeyboardInterrupt):
        expand_set(pset, problem.fun, **_EXPAND)
    monkeypatch.undo()
    _assert_valid(pset)
    # the root and the first new point, whole; the second too once it was stored
    assert pset.n_points == (3 if after_update else 2)
    _assert_prefix(pset, reference)
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
    # with one task the residual is the gradient norm, and it reaches tol
    assert np.linalg.norm(grad) <= est.tol
    assert est.pareto_set_.residuals[0] == pytest.approx(np.linalg.norm(grad), rel=1e-6)
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
    "mismatched X/Y in fit", "3-D Y", "string Y regression",
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
        "string Y regression": (X, np.full(Y.shape, "a"), "Y"),
    }[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        _raises_naming_data(argument, _estimator().fit, X_bad, Y_bad)


def test_estimator_losses_not_finite_name_the_data():
    # the estimator standardizes X and the regression targets, so data no longer overflow
    # the losses (inputs of 1e200 did, through a linear trunk); a fit whose losses are not
    # finite still says so as a ValueError naming X and y
    from skpareto._estimator import _name_nonfinite
    from skpareto.exceptions import NonFiniteError

    with pytest.raises(ValueError, match="not finite for these X and y.*increase alpha"):
        with _name_nonfinite():
            raise NonFiniteError("the objectives are not finite")


# -- the estimator: nothing lost when expand is interrupted -----------------------

@pytest.fixture(scope="module")
def expanded_reference():
    """An estimator fitted with one step each way, its point count then, and the rest."""
    X, Y = _data()
    reference = _estimator(n_steps=1, tol=1e-8).fit(X, Y)
    before = reference.pareto_set_.n_points
    reference.expand(X, Y, n_steps=3)
    return reference, before


@pytest.mark.parametrize("error, fail_after", [(KeyboardInterrupt, 0),
                                               (KeyboardInterrupt, 2), (RuntimeError, 5)])
def test_estimator_expand_interrupted_keeps_accepted_points(monkeypatch, expanded_reference,
                                                            error, fail_after):
    import skpareto._continuation as continuation

    X, Y = _data()
    reference, before = expanded_reference
    est = _estimator(n_steps=1, tol=1e-8).fit(X, Y)
    original = continuation.correct
    calls = [0]

    def interrupted(*args, **kwargs):
        calls[0] += 1
        if calls[0] > fail_after:
            raise error("injected")
        return original(*args, **kwargs)

    monkeypatch.setattr(continuation, "correct", interrupted)
    with pytest.raises(error):
        est.expand(X, Y, n_steps=3)
    monkeypatch.setattr(continuation, "correct", original)
    pset = est.pareto_set_
    _assert_valid(pset)
    p = pset.n_points
    assert before <= p < reference.pareto_set_.n_points
    _assert_prefix(pset, reference.pareto_set_)
    # the fitted attributes show the points kept
    np.testing.assert_array_equal(est.pareto_front_, pset.front)
    np.testing.assert_array_equal(est.pareto_weights_, pset.weights)
    # the estimator still works on the kept set, and expanding again goes on
    np.testing.assert_array_equal(est.params_at(pset.weights[-1]), pset.params[-1])
    est.expand(X, Y, n_steps=3)
    assert est.pareto_set_.n_points > p
    assert np.all(est.pareto_set_.residuals <= 1e-8)
