"""ParetoExplorer: scikit-learn conventions, bad input, and the explored set on a network."""

import ast
import pickle
import warnings

import numpy as np
import pytest
from autograd import value_and_grad
from scipy.optimize import minimize
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning as SklearnConvergenceWarning
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from skpareto import ConvergenceWarning, ParetoExplorer, StationarityError
from skpareto import _estimator
from skpareto._hvp import value_and_jacobian
from skpareto._models import SharedTrunkNet
from skpareto.datasets import make_conflicting_regression
from skpareto.metrics import stationarity_residual

# small budgets keep the ~100 common checks fast; everything else is the default
BUDGET = dict(hidden_layer_sizes=(4,), max_iter=50, tol=1e-4, n_steps=1, minres_maxiter=10,
              random_state=0)
CHECKED = [ParetoExplorer(**BUDGET), ParetoExplorer(loss="log_loss", **BUDGET)]


@parametrize_with_checks(CHECKED)
def test_sklearn_compatible(estimator, check):
    with warnings.catch_warnings():
        # short budgets on the checks' data leave some points above tol
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        check(estimator)


# -- the explored set on a regression whose tasks conflict in the trunk -------

TOL = 1e-8
SETTINGS = dict(hidden_layer_sizes=(2,), tol=TOL, random_state=0)


@pytest.fixture(scope="module")
def data():
    # three tanh features generate the targets; a trunk of two cannot serve both tasks
    return make_conflicting_regression(150, 4, 2, conflict=0.8, noise=0.1, random_state=0)


@pytest.fixture(scope="module")
def fitted(data):
    X, Y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)  # tangent MINRES notes
        return ParetoExplorer(**SETTINGS).fit(X, Y)


def _standardized(Y, Y_fit=None):
    """Features or regression targets as the estimator fits them: standardized by the
    training columns (``Y_fit``, if ``Y`` are others)."""
    Y_fit = Y if Y_fit is None else Y_fit
    return (Y - Y_fit.mean(axis=0)) / Y_fit.std(axis=0)


def _objective(est, X, Y, X_fit=None, Y_fit=None):
    """The training objectives, rebuilt from the layout alone (not pareto_set_.fun);
    ``X_fit, Y_fit``: the training data, if ``X, Y`` are others."""
    net = SharedTrunkNet(X.shape[1], SETTINGS["hidden_layer_sizes"], (1, 1), "tanh")
    assert net.n_params == est.pareto_set_.n_params
    Z = _standardized(Y, Y_fit)
    return net.objective(_standardized(X, X_fit), [Z[:, 0], Z[:, 1]], ["squared_error"] * 2,
                         est.alpha)


def _forward(params, X, Y):
    """Numpy forward pass of the (2,)-trunk, two-head network on the training data ``X, Y``,
    in the units of the targets."""
    W1, b1 = params[:8].reshape(4, 2), params[8:10]
    h = np.tanh(_standardized(X) @ W1 + b1)
    out = np.column_stack([h @ params[10:12] + params[12], h @ params[13:15] + params[15]])
    return out * Y.std(axis=0) + Y.mean(axis=0)


def test_explored_points_are_pareto_stationary(fitted, data):
    X, Y = data
    fun = _objective(fitted, X, Y)
    pset = fitted.pareto_set_
    assert pset.n_points >= 9
    # the defaults explore the whole trade-off, from one task alone to the other
    assert pset.weights[:, 0].min() == 0.0 and pset.weights[:, 0].max() == 1.0
    assert pset.contains(np.array([[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]])).all()
    for x, w, front in zip(pset.params, pset.weights, fitted.pareto_front_):
        values, jac = value_and_jacobian(fun, x)
        np.testing.assert_allclose(values, front, rtol=1e-12)
        assert stationarity_residual(jac, w) <= 1e-6
        assert stationarity_residual(jac) <= 1e-6
    np.testing.assert_array_equal(fitted.pareto_weights_, pset.weights)
    # the tasks conflict: the front spans a real trade-off
    assert np.all(np.ptp(fitted.pareto_front_, axis=0) > 0.005)


def test_targets_in_any_units_give_the_same_set(data):
    # the losses are those of the standardized targets, so units do not move the set: raw,
    # a target 1,000 times another's put the whole set within 1e-6 of one task's weight
    # (stage 1 reached no stationary model), and a mean of 5e4 cost 90 times the time
    X, Y = data
    scale, shift = np.array([1.0, 1e6]), np.array([0.0, 5e4])
    settings = dict(SETTINGS, n_steps=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        est = ParetoExplorer(**settings).fit(X, Y)
        moved = ParetoExplorer(**settings).fit(X, Y * scale + shift)
    assert moved.pareto_set_.n_points == est.pareto_set_.n_points >= 5
    np.testing.assert_allclose(moved.pareto_weights_, est.pareto_weights_, rtol=0, atol=1e-6)
    np.testing.assert_allclose(moved.pareto_front_, est.pareto_front_, rtol=1e-6)
    w = est.pareto_weights_.mean(axis=0)
    np.testing.assert_allclose(moved.predict_at(X, w), est.predict_at(X, w) * scale + shift,
                               rtol=1e-6)


def test_features_in_any_units_give_the_same_set(data):
    # the network sees the features standardized by the training columns, so units and
    # offsets do not move the set, and every method standardizes X as fit did
    X, Y = data
    scale, shift = np.array([1e200, 1e3, 1e-2, 50.0]), np.array([0.0, 5e4, -3.0, 1.0])
    settings = dict(SETTINGS, n_steps=2)
    est = ParetoExplorer(**settings).fit(X, Y)
    moved = ParetoExplorer(**settings).fit(X * scale + shift, Y)
    assert moved.pareto_set_.n_points == est.pareto_set_.n_points >= 5
    np.testing.assert_allclose(moved.pareto_weights_, est.pareto_weights_, rtol=0, atol=1e-6)
    np.testing.assert_allclose(moved.pareto_front_, est.pareto_front_, rtol=1e-6)
    w = est.pareto_weights_.mean(axis=0)
    np.testing.assert_allclose(moved.predict_at(X[:20] * scale + shift, w),
                               est.predict_at(X[:20], w), rtol=1e-6)
    np.testing.assert_allclose(moved.held_out_front(X[:20] * scale + shift, Y[:20]),
                               est.held_out_front(X[:20], Y[:20]), rtol=1e-6)


def test_features_in_their_own_units_give_the_whole_set():
    # breast cancer's features as given (up to 2,500): stage 1 reached no stationary model in
    # its 1,000 iterations, and the fit was that one model, the trade-off unexplored
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    Y = np.column_stack([y, X[:, 0]])  # malignancy, and the mean radius from the other features
    with warnings.catch_warnings():
        warnings.simplefilter("error", SklearnConvergenceWarning)
        est = ParetoExplorer(loss=["log_loss", "squared_error"], random_state=0).fit(
            X[::2, 1:], Y[::2])
    pset = est.pareto_set_
    assert pset.weights[:, 0].min() == 0.0 and pset.weights[:, 0].max() == 1.0
    assert np.all(pset.residuals <= est.tol)
    # held out: accuracy at task 0's end, R^2 at task 1's
    assert est.task_scores(X[1::2, 1:], Y[1::2], weights=[0.9, 0.1])[0] >= 0.9
    assert est.task_scores(X[1::2, 1:], Y[1::2], weights=[0.1, 0.9])[1] >= 0.9


def test_predict_at_losses_move_with_the_weights(fitted, data):
    X, Y = data
    w1 = np.sort(fitted.pareto_weights_[:, 0])
    grid = np.linspace(w1[0], w1[-1], 5)
    weights = np.column_stack([grid, 1 - grid])
    pred = fitted.predict_at(X, weights)
    assert pred.shape == (5, X.shape[0], 2)
    for p, w in zip(pred, weights):
        np.testing.assert_allclose(p, _forward(fitted.params_at(w), X, Y), rtol=1e-12, atol=1e-12)
    # the training objectives (each task's loss plus the shared penalty) trade off: task 0
    # improves as its weight grows, task 1 worsens (the losses alone need not, since the
    # penalty moves too)
    fun = _objective(fitted, X, Y)
    objectives = np.array([fun(fitted.params_at(w)) for w in weights])
    assert np.all(np.diff(objectives[:, 0]) < 0)
    assert np.all(np.diff(objectives[:, 1]) > 0)


def test_each_task_is_fitted_best_at_its_own_end_when_the_budget_runs_out():
    # three targets, 40 points: the first lattice spent them all before any single-task end,
    # and predict_at raised at each; a point is now kept back for each end
    from sklearn.datasets import make_regression

    X, Y = make_regression(60, 4, n_targets=3, noise=5.0, random_state=0)
    est = ParetoExplorer(hidden_layer_sizes=(4,), max_points=40, random_state=0).fit(X, Y)
    assert est.pareto_set_.n_points == 40
    errors = np.array([((est.predict_at(X, end) - Y) ** 2).mean(axis=0) for end in np.eye(3)])
    # row: the end of a task; column: a task's training error there (MSE 42-83 at its own
    # end against 7,000-10,000 elsewhere)
    np.testing.assert_array_equal(errors.argmin(axis=0), [0, 1, 2])


def test_interpolated_model_is_near_optimal(fitted, data):
    X, Y = data
    fun = _objective(fitted, X, Y)
    order = np.argsort(fitted.pareto_weights_[:, 0])
    mid = len(order) // 2
    w = 0.5 * (fitted.pareto_weights_[order[mid]] + fitted.pareto_weights_[order[mid + 1]])
    x = fitted.params_at(w)
    weighted = value_and_grad(lambda z: w @ fun(z))
    start = float(weighted(x)[0])
    res = minimize(lambda z: tuple(np.asarray(v) for v in weighted(z)), x, jac=True,
                   method="L-BFGS-B", options=dict(maxiter=200, gtol=1e-12, ftol=0))
    assert res.fun <= start
    assert np.linalg.norm(res.x - x) < np.linalg.norm(
        fitted.pareto_set_.params[order[mid]] - fitted.pareto_set_.params[order[mid + 1]])
    assert (start - res.fun) / start <= 1e-4


def test_fit_is_deterministic_and_pickles(fitted, data):
    X, Y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        again = ParetoExplorer(**SETTINGS).fit(X, Y)
    np.testing.assert_array_equal(again.pareto_front_, fitted.pareto_front_)
    restored = pickle.loads(pickle.dumps(fitted))
    assert restored.pareto_set_.fun is None  # the objective (closing over X, Y) is dropped
    w = fitted.pareto_weights_[:3]
    np.testing.assert_array_equal(restored.predict_at(X, w), fitted.predict_at(X, w))
    np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))


def test_task_objectives_on_other_data(fitted, data):
    X, Y = data
    # on the training data they are the training objectives: the explored front
    fun = fitted.task_objectives(X, Y)
    for params, front in zip(fitted.pareto_set_.params, fitted.pareto_front_):
        np.testing.assert_allclose(fun(params), front, rtol=1e-12)
    # on other rows they equal the objectives rebuilt from the layout alone
    X_new, Y_new = X[:40] + 0.1, Y[:40] - 0.2
    reference = _objective(fitted, X_new, Y_new, X_fit=X, Y_fit=Y)
    params = fitted.params_at([0.5, 0.5])
    np.testing.assert_allclose(fitted.task_objectives(X_new, Y_new)(params),
                               reference(params), rtol=1e-12)
    with pytest.raises(ValueError, match="y"):
        fitted.task_objectives(X_new, Y_new[:10])


def test_task_objectives_reject_unseen_labels():
    X, Y = _two_task_labels()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)  # tangent MINRES notes
        est = ParetoExplorer(loss="log_loss", n_steps=1, max_iter=50, tol=1e-2,
                             random_state=0).fit(X, Y)
    fun = est.task_objectives(X, Y)
    np.testing.assert_allclose(fun(est.pareto_set_.params[0]), est.pareto_front_[0],
                               rtol=1e-12)
    Y_bad = Y.copy()
    Y_bad[0, 1] = 7
    with pytest.raises(ValueError, match="not seen in fit"):
        est.task_objectives(X, Y_bad)


def test_expand_continues_the_set(data):
    X, Y = data
    settings = dict(SETTINGS, n_steps=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        est = ParetoExplorer(**settings).fit(X, Y)
        n_before = est.pareto_set_.n_points
        before = est.pareto_set_.params.copy()
        est = pickle.loads(pickle.dumps(est)).expand(X, Y, n_steps=2)
    pset = est.pareto_set_
    assert pset.n_points > n_before
    np.testing.assert_array_equal(pset.params[:n_before], before)  # the old points stay
    assert pset.residuals.max() <= TOL
    fun = _objective(est, X, Y)
    for x, w in zip(pset.params, pset.weights):
        assert stationarity_residual(value_and_jacobian(fun, x)[1], w) <= 1e-6
    np.testing.assert_array_equal(est.pareto_front_, pset.front)
    # and n_steps=None goes on until the set ends
    est.set_params(n_steps=None).expand(X, Y)
    assert est.pareto_weights_[:, 0].min() == 0.0 and est.pareto_weights_[:, 0].max() == 1.0


def test_expand_at_max_points_says_to_raise_it(data):
    # expand counts max_points as the set's total: at it, nothing is added, and saying so
    # beats a silent no-op (the coverage note after fit points to expand)
    X, Y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        est = ParetoExplorer(**dict(SETTINGS, max_points=5)).fit(X, Y)
        assert est.pareto_set_.n_points == 5
        with pytest.warns(UserWarning, match=r"max_points=5 models already.*set_params"):
            est.expand(X, Y)
        assert est.pareto_set_.n_points == 5
        # a malformed toward is refused there too (it was accepted with the warning), and
        # a valid one is in the call the warning suggests, with room for the default budget
        with pytest.raises(ValueError, match="toward must sum to one"):
            est.expand(X, Y, toward=[0.5, 0.6])
        with pytest.warns(UserWarning, match=r"set_params\(max_points=1005\)\.expand\(X, y, "
                                             r"toward=\[0\.9, 0\.1\]\)"):
            est.expand(X, Y, toward=[0.9, 0.1])
        est.set_params(max_points=9).expand(X, Y)
        assert est.pareto_set_.n_points == 9
        # lowered below what the set holds: the suggestion leaves room (twice max_points
        # alone, 6, was below the 9 held)
        est.set_params(max_points=3)
        with pytest.warns(UserWarning, match=r"set_params\(max_points=12\)"):
            est.expand(X, Y)


def test_expand_on_other_data_is_refused(data):
    # the set went on from models stationary for the fit's objectives with those of other
    # rows: residuals 0.09-0.49 on the fit's data, the set a mix of two problems
    X, Y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        est = ParetoExplorer(**dict(SETTINGS, n_steps=1)).fit(X[:100], Y[:100])
    n_points = est.pareto_set_.n_points
    with pytest.raises(ValueError, match="X, y must be the training data"):
        est.expand(X[50:], Y[50:], n_steps=1)
    assert est.pareto_set_.n_points == n_points
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        est.expand(X[:100], Y[:100], n_steps=1)  # the same rows as a new array
    assert est.pareto_set_.n_points > n_points


def test_expand_after_the_objectives_changed_names_the_parameter(data):
    # set_params(alpha=...) then expand read as other data ("X, y must be the training
    # data"), and a changed layout, activation or loss went unnoticed
    X, Y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        est = ParetoExplorer(**dict(SETTINGS, n_steps=1)).fit(X, Y)
    n_points, fun = est.pareto_set_.n_points, est.task_objectives(X, Y)
    est.set_params(alpha=0.1)  # the default 0.01 in fit
    with pytest.raises(ValueError, match=r"^alpha is 0\.1, 0\.01 in fit: .*Set it back, or "
                                         r"fit again"):
        est.expand(X, Y, n_steps=1)
    # the fitted set's objectives are fit's
    np.testing.assert_array_equal(est.task_objectives(X, Y)(est.pareto_set_.params[0]),
                                  fun(est.pareto_set_.params[0]))
    est.set_params(alpha=0.01, hidden_layer_sizes=(3,), activation="relu")
    with pytest.raises(ValueError, match=r"hidden_layer_sizes is \(3,\), \(2,\) in fit; "
                                         r"activation is 'relu', 'tanh' in fit.*Set them back"):
        est.expand(X, Y, n_steps=1)
    assert est.pareto_set_.n_points == n_points
    # a list for the tuple is the same layout
    est.set_params(hidden_layer_sizes=list(SETTINGS["hidden_layer_sizes"]), activation="tanh")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        est.expand(X, Y, n_steps=1)
    assert est.pareto_set_.n_points > n_points


def test_expand_steps_add_up_to_fitting_with_the_steps_at_once(data):
    # a resumed branch starts its step-length control afresh, so the points differ from
    # one fit's, but the steps add up: each end goes on by n_steps, on the same set
    X, Y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        est = ParetoExplorer(**dict(SETTINGS, n_steps=1)).fit(X, Y).expand(X, Y, n_steps=2)
        full = ParetoExplorer(**dict(SETTINGS, n_steps=3)).fit(X, Y)
    assert est.pareto_set_.n_points == full.pareto_set_.n_points == 7
    assert len(est.pareto_set_._chains()) == 1
    fun = _objective(est, X, Y)
    for x, w in zip(est.pareto_set_.params, est.pareto_weights_):
        assert stationarity_residual(value_and_jacobian(fun, x)[1], w) <= 1e-6


def test_n_steps_zero_fits_stage_one_only(data):
    X, Y = data
    est = ParetoExplorer(**dict(SETTINGS, n_steps=0)).fit(X, Y)
    assert est.pareto_set_.n_points == 1
    np.testing.assert_allclose(est.pareto_weights_[0], [0.5, 0.5], atol=1e-6)
    n_points = est.expand(X, Y, n_steps=0).pareto_set_.n_points
    assert n_points == 1


def test_interrupted_expand_keeps_and_shows_the_points_found(data, monkeypatch):
    import skpareto._estimator as estimator_module

    X, Y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        est = ParetoExplorer(**dict(SETTINGS, n_steps=1)).fit(X, Y)
    n_before = est.pareto_set_.n_points
    real = estimator_module.expand_set

    def interrupted(pset, fun, **kwargs):
        real(pset, fun, **dict(kwargs, n_steps=1))  # one level lands, then ctrl-C
        raise KeyboardInterrupt

    monkeypatch.setattr(estimator_module, "expand_set", interrupted)
    with warnings.catch_warnings(), pytest.raises(KeyboardInterrupt):
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        est.expand(X, Y, n_steps=3)
    assert est.pareto_set_.n_points > n_before
    np.testing.assert_array_equal(est.pareto_front_, est.pareto_set_.front)
    np.testing.assert_array_equal(est.pareto_weights_, est.pareto_set_.weights)


def test_start_weights_stitch_local_sets(data):
    X, Y = data
    settings = dict(SETTINGS, n_steps=1)
    starts = [[0.2, 0.8], [0.8, 0.2]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        single = ParetoExplorer(**settings).fit(X, Y)
        est = ParetoExplorer(start_weights=starts, **settings).fit(X, Y)
    pset = est.pareto_set_
    # the first start is the same model; the others add the set around their own weights
    np.testing.assert_array_equal(pset.params[0], single.pareto_set_.params[0])
    np.testing.assert_array_equal(est.predict(X), single.predict(X))
    assert est.n_iter_ > single.n_iter_
    for w in starts:
        # (the Newton polish of stage 1 may move the weights by about what L-BFGS left)
        assert np.min(np.abs(pset.weights[:, 0] - w[0])) <= 1e-8
    w1 = pset.weights[:, 0]
    assert w1.min() < 0.2 < 0.8 < w1.max()
    assert np.ptp(single.pareto_weights_[:, 0]) < 0.5 * np.ptp(w1)
    # every stitched point is stationary for the objective rebuilt independently
    fun = _objective(est, X, Y)
    for x, w in zip(pset.params, pset.weights):
        assert stationarity_residual(value_and_jacobian(fun, x)[1], w) <= 1e-6
    # nothing is dominated after stitching, and the weights 0.2 and 0.8 are on the set
    front = pset.front
    for f in front:
        assert not np.any(np.all(front <= f, axis=1) & np.any(front < f, axis=1))
    assert np.all(pset.contains(np.array(starts)))


def test_inexact_false_is_the_same_set(fitted, data):
    X, Y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        exact = ParetoExplorer(inexact=False, **SETTINGS).fit(X, Y)
    assert fitted.get_params()["inexact"] is True
    reference, cheap = exact.pareto_set_, fitted.pareto_set_
    assert max(reference.residuals.max(), cheap.residuals.max()) <= TOL
    for pset in (reference, cheap):
        assert pset.weights[:, 0].min() == 0.0 and pset.weights[:, 0].max() == 1.0
    # the two settings land on other points of the same curve: each lies on the
    # reference's piecewise-linear set at its own weights, to within its interpolation
    # error (a fraction of the length of the piece it falls in); at a single task's end
    # the other head's bias is free (no loss or penalty sees it), so the ends are
    # compared by the one objective they minimize
    pieces = reference.pieces
    ends = cheap.weights.min(axis=1) == 0.0
    for w, f in zip(cheap.weights[ends], cheap.front[ends]):
        np.testing.assert_allclose(w @ reference.front_at(w), w @ f, rtol=1e-8)
    for x, w in zip(cheap.params[~ends], cheap.weights[~ends]):
        chosen, _ = reference._locate(w[None, :])
        a, b = pieces[chosen[0]]
        step = np.linalg.norm(reference.params[a] - reference.params[b])
        assert np.linalg.norm(reference.params_at(w) - x) <= 0.15 * step


@pytest.mark.parametrize("params, name", [
    (dict(start_weights=[[0.5, 0.6]]), "start_weights"),
    (dict(start_weights=[0.2, 0.3, 0.5]), "start_weights"),
    (dict(start_weights=[[-0.1, 1.1]]), "start_weights"),
    (dict(inexact="yes"), "inexact"),
])
def test_bad_start_weights_and_inexact(data, params, name):
    X, Y = data
    with pytest.raises(ValueError, match=name):
        ParetoExplorer(**params).fit(X, Y)


def test_a_fit_that_stops_at_a_saddle_goes_on_to_a_minimum():
    # one log-loss task (breast cancer, the second of 3 stratified folds): L-BFGS stops within
    # tol=1e-3 where the loss still curves down (-2.0e-3; before the features were
    # standardized, on the first fold -1.1e-3 against 0.65 of the Hessian), the fit kept that
    # model and warned that stage 1 "did not reach tol" at a residual below it
    from scipy.sparse.linalg import eigsh
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import StratifiedKFold

    from skpareto._hvp import hessian_operator

    data = load_breast_cancer()
    X, y = data.data, data.target
    train, test = list(StratifiedKFold(3).split(X, y))[1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = ParetoExplorer(loss="log_loss", random_state=0).fit(X[train], y[train])
    pset = est.pareto_set_
    assert pset.residuals[0] <= est.tol
    hessian = hessian_operator(pset.fun, pset.params[0], np.ones(1))
    low = eigsh(hessian, k=1, which="SA", tol=1e-6)[0][0]
    high = eigsh(hessian, k=1, which="LA", tol=1e-6)[0][0]
    assert low >= -1e-6 * high  # a minimum (the saddle's was -1.8e-3 of it)
    assert est.score(X[test], y[test]) >= 0.97
    # the same model again: the direction it left the saddle by came from ARPACK's random
    # start, and the model differed from run to run
    again = ParetoExplorer(loss="log_loss", random_state=0).fit(X[train], y[train])
    np.testing.assert_array_equal(again.pareto_set_.params, pset.params)


def test_stage_one_failure_keeps_the_model_and_warns_like_sklearn(data):
    X, Y = data
    # two iterations and a crippled Newton polish cannot reach 1e-12
    est = ParetoExplorer(hidden_layer_sizes=(2,), max_iter=2, tol=1e-12, hessian="matvec",
                         minres_maxiter=1, newton_steps=1, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X, Y)
    categories = [w.category for w in caught]
    assert SklearnConvergenceWarning in categories
    assert not any(issubclass(c, ConvergenceWarning) for c in categories)
    # said once, in the fit's words (stage 1's own were joined to them: "stage 1 did not
    # reach tol ... (also: stage 1 did not reach tol ...: the model is kept ...)")
    ours = [str(w.message) for w in caught if w.category is SklearnConvergenceWarning]
    assert len(ours) == 1 and ours[0].count("did not reach") == 1
    assert "the model is kept, and no Pareto set was explored" in ours[0]
    # what it found is kept as a one-point set, with its residual; nothing is explored
    pset = est.pareto_set_
    assert pset.n_points == 1 and np.all(pset.expanded)
    assert pset.residuals[0] > 1e-12
    fun = _objective(est, X, Y)
    values, jac = value_and_jacobian(fun, pset.params[0])
    np.testing.assert_allclose(values, est.pareto_front_[0], rtol=1e-12)
    assert stationarity_residual(jac, pset.weights[0]) == pytest.approx(pset.residuals[0],
                                                                       rel=1e-6)
    assert est.predict(X).shape == Y.shape


def test_a_relu_net_that_stage_one_cannot_make_stationary_is_told_to_use_tanh(capsys):
    # a relu trunk whose loss has its minimum on the activation's kinks: no model reaches
    # tol, and the warning says what does; tanh on the same rows covers every weight
    X, Y = make_regression(300, 20, n_targets=2, noise=10.0, random_state=5)
    Y = StandardScaler().fit_transform(Y)
    with pytest.warns(SklearnConvergenceWarning, match="activation='tanh'"):
        est = ParetoExplorer(hidden_layer_sizes=(32,), activation="relu", random_state=0,
                             verbose=1).fit(X, Y)
    assert est.pareto_set_.n_points == 1
    # no progress line said "0 points ... done" of the set that keeps the model (the
    # warning tells what happened)
    assert "done" not in capsys.readouterr().err
    est.set_params(verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est.set_params(activation="tanh").fit(X, Y)
    weights = est.pareto_set_.weights[:, 0]
    assert weights.min() == 0.0 and weights.max() == 1.0
    assert est.pareto_set_.residuals.max() <= est.tol


def test_core_convergence_warnings_become_sklearns(data, monkeypatch):
    # a warning of the core during fit reaches the user as scikit-learn's, once
    import skpareto._estimator as estimator_module

    X, Y = data
    real = estimator_module.explore_starts

    def noisy(*args, **kwargs):
        warnings.warn("a solve stopped early", ConvergenceWarning)
        warnings.warn("and another", ConvergenceWarning)
        return real(*args, **kwargs)

    monkeypatch.setattr(estimator_module, "explore_starts", noisy)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ParetoExplorer(**dict(SETTINGS, n_steps=1)).fit(X, Y)
    ours = [w for w in caught if issubclass(w.category, SklearnConvergenceWarning)]
    assert len(ours) == 1 and "a solve stopped early (also: and another)" in str(ours[0].message)
    assert not any(issubclass(w.category, ConvergenceWarning) for w in caught)


def test_a_kept_stage_one_model_whose_polish_left_the_simplex_has_weights_on_it(monkeypatch):
    # alpha=0 and a separable label (setosa): the log-loss minimum is at infinity, and both
    # stage-1 polishes ended just outside the simplex (weights [1.000022, -2.2e-5]); the model
    # kept was stored with those weights. It now has the nearest weights on the simplex and
    # the residual at them, recomputed here from the objectives' Jacobian. (Stage 1 now
    # reaches tol on these data, so its failure is handed to the fit as it was then.)
    import skpareto._estimator
    from sklearn.datasets import load_iris
    from skpareto._paretoset import ParetoSet
    from skpareto._utils import Result, Status
    from skpareto.metrics import _unchecked_residual

    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    Y = np.column_stack([y == 0, y == 2]).astype(int)

    def failed_stage_one(fun, starts, rows, ctx, limits, n_jobs=None, verbose=0):
        x = starts[0]
        values, jac = value_and_jacobian(fun, x)
        weights = np.array([1.000022, -2.2e-5])
        left = Result(x=x, objectives=values, jac=jac, weights=weights,
                      residual=_unchecked_residual(jac, weights), status=Status.LEFT_SIMPLEX,
                      success=False, message="left simplex")
        return ParetoSet(np.empty((0, x.size)), np.empty((0, 2)), np.empty((0, 2)),
                         fun=fun), [left], 1

    monkeypatch.setattr(skpareto._estimator, "explore_starts", failed_stage_one)
    with pytest.warns(SklearnConvergenceWarning, match="left simplex"):
        est = ParetoExplorer(loss="log_loss", alpha=0.0, random_state=0).fit(X, Y)
    pset = est.pareto_set_
    assert pset.n_points == 1
    w = pset.weights[0]
    assert np.all(w >= 0.0) and w.sum() == pytest.approx(1.0, abs=1e-15)
    _, jac = value_and_jacobian(est.task_objectives(X, Y), pset.params[0])
    assert pset.residuals[0] == pytest.approx(stationarity_residual(jac, w), rel=1e-10)
    assert est.predict_at(X[:3], w).shape == (3, 2)


def test_predict_at_outside_the_explored_region_says_how_to_reach_it(data):
    X, Y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        est = ParetoExplorer(**dict(SETTINGS, n_steps=1)).fit(X, Y)
    target = [0.95, 0.05]
    assert not est.pareto_set_.contains(target)
    with pytest.raises(ValueError, match=r"outside the explored region.*"
                                         r"expand\(X, y, toward=\[0\.95, 0\.05\]\)"):
        est.predict_at(X, target)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SklearnConvergenceWarning)
        est.expand(X, Y, toward=target)
    assert est.pareto_set_.contains(target)
    np.testing.assert_allclose(est.predict_at(X, target), _forward(est.params_at(target), X, Y),
                               rtol=1e-12, atol=1e-12)
    fun = _objective(est, X, Y)
    for x, w in zip(est.pareto_set_.params, est.pareto_weights_):
        assert stationarity_residual(value_and_jacobian(fun, x)[1], w) <= 1e-6


def test_a_refused_refit_leaves_the_last_fit_as_it_was(data):
    # a refit refused while encoding y had set the new task count and target scales over the
    # last fit's set: predict then returned one column of two, or raised a TypeError
    X, Y = data
    est = ParetoExplorer(**dict(SETTINGS, max_points=20)).fit(X, Y)
    state = pickle.dumps(est)
    predicted = est.predict(X[:3])
    words = Y.astype(object)
    words[5, 1] = "n/a"
    refusals = [(X, words, {}), (X[:, :3], words, {}),
                (X, np.c_[Y > 0, np.ones(len(Y))], dict(loss="log_loss")),
                (X, Y, dict(random_state="x")), (X[:, :3], Y, dict(n_jobs=0))]
    for X_bad, Y_bad, params in refusals:
        clone_of_last = pickle.loads(state).set_params(**params)
        with pytest.raises(ValueError):
            clone_of_last.fit(X_bad, Y_bad)
        assert clone_of_last.n_tasks_ == 2 and clone_of_last.n_features_in_ == X.shape[1]
        np.testing.assert_array_equal(clone_of_last.predict(X[:3]), predicted)
    # bad input loses nothing on the estimator itself either
    with pytest.raises(ValueError, match="column 1"):
        est.fit(X[:, :3], words)
    assert est.n_features_in_ == X.shape[1]
    np.testing.assert_array_equal(est.predict(X[:3]), predicted)


def test_a_fit_that_fails_after_its_input_was_accepted_leaves_the_estimator_unfitted(
        data, monkeypatch):
    X, Y = data
    est = ParetoExplorer(**dict(SETTINGS, max_points=20)).fit(X, Y)

    def fails(*args, **kwargs):
        raise StationarityError("no usable model")

    monkeypatch.setattr(_estimator, "explore_starts", fails)
    with pytest.raises(StationarityError):
        est.fit(X[:, :3], Y[:, :1])
    with pytest.raises(NotFittedError):
        est.predict(X[:, :3])
    # none of the last fit's results is left beside the new task count
    assert not any(hasattr(est, name) for name in ("pareto_set_", "pareto_front_",
                                                   "pareto_weights_", "n_iter_"))


def test_verbose_may_be_a_bool_as_in_scikit_learn(data, capsys):
    X, Y = data
    ParetoExplorer(**dict(SETTINGS, max_points=5, verbose=True)).fit(X, Y)
    assert "[skpareto]" in capsys.readouterr().err
    ParetoExplorer(**dict(SETTINGS, max_points=5, verbose=False)).fit(X, Y)
    assert capsys.readouterr().err == ""


def test_stage_one_log_says_why_lbfgs_stopped(data, capsys):
    # one input in every column: L-BFGS's line search fails after a few dozen iterations,
    # which the log called "max iter" with max_iter=1000
    X, Y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        ParetoExplorer(**dict(SETTINGS, max_points=5, max_iter=1000, verbose=2)).fit(
            np.repeat(X[:, :1], X.shape[1], axis=1), Y)
    line = next(line for line in capsys.readouterr().err.splitlines()
                if "stage 1 (lbfgs)" in line)
    iterations = int(line.split(": ")[1].split(" iterations")[0])
    assert iterations < 1000 and line.endswith("line search"), line


def test_single_task_params_at_is_a_copy():
    X, Y = make_conflicting_regression(60, 3, 2, random_state=0)
    est = ParetoExplorer(hidden_layer_sizes=(2,), random_state=0).fit(X, Y[:, 0])
    predicted = est.predict(X[:2])
    est.params_at([1.0])[:] = 0.0
    np.testing.assert_array_equal(est.predict(X[:2]), predicted)


def test_the_suggested_toward_sums_to_one_and_raises_max_points_first():
    # rounded to 6 decimals alone, three weights summed to 1.000001 and the suggested call
    # was refused; at max_points, expand adds nothing until it is raised
    from skpareto._weights import check_weights, shown_weights

    w = [0.39801164483050094, 0.11218566308621611, 0.4898026920832831]
    assert abs(np.round(w, 6).sum() - 1.0) > 1e-8  # the case that was refused
    shown = shown_weights(np.array(w))
    check_weights(shown, 3, "toward")
    assert shown == w  # in full: the call reaches the weights asked for, not rounded ones
    assert shown_weights(np.array([0.8, 0.2])) == [0.8, 0.2]
    X, Y = make_conflicting_regression(100, 3, 3, conflict=0.8, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        est = ParetoExplorer(hidden_layer_sizes=(2,), max_points=30, random_state=0).fit(X, Y)
    grid = np.random.default_rng(0).dirichlet(np.ones(3), 200)
    target = grid[np.argmin(est.pareto_set_.contains(grid))]
    assert not est.pareto_set_.contains(target)
    # room for the default budget: the expansion stops where it reaches the weights (twice
    # max_points took three such calls from max_points=8 on a two-task set)
    with pytest.raises(ValueError, match=r"est\.set_params\(max_points=1030\)\.expand\(X, y, "
                                         r"toward=\[") as info:
        est.predict_at(X, target)
    suggested = ast.literal_eval(str(info.value).split("toward=")[1].rstrip(")."))
    check_weights(suggested, 3, "toward")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.set_params(max_points=1030).expand(X, Y, toward=suggested)  # the call, as told
    assert est.pareto_set_.n_points < 1030
    assert est.predict_at(X[:1], target).shape == (1, 3)  # the weights asked for


# -- classification, single task, tags ---------------------------------------

def _two_task_labels(n=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    Y = np.empty((n, 2), dtype=object)
    Y[:, 0] = np.where(X[:, 0] > 0, "pos", "neg")
    Y[:, 1] = (X[:, 1] > 0.5).astype(int) + (X[:, 1] > -0.5)
    return X, Y


def test_classification_tasks_with_any_labels():
    X, Y = _two_task_labels()
    est = ParetoExplorer(loss="log_loss", n_steps=1, max_iter=200, tol=1e-4,
                         random_state=0).fit(X, Y)
    assert is_classifier(est) and not is_regressor(est)
    np.testing.assert_array_equal(est.classes_[0], ["neg", "pos"])
    np.testing.assert_array_equal(est.classes_[1], [0, 1, 2])
    pred = est.predict(X)
    assert pred.shape == (120, 2)
    assert set(pred[:, 0]) <= {"neg", "pos"} and set(pred[:, 1]) <= {0, 1, 2}
    scores = est.task_scores(X, Y)
    expected = [np.mean(pred[:, j] == Y[:, j]) for j in range(2)]
    np.testing.assert_allclose(scores, expected)
    assert est.score(X, Y) == pytest.approx(np.mean(expected))
    assert min(scores) > 0.9


@pytest.mark.parametrize("labels", [[1, "no"], ["yes", None]])
def test_labels_of_mixed_kinds_are_refused(labels):
    # [1, "no"] became the strings "1" and "no" (predicting "1" for the label 1); None among
    # strings raised numpy's TypeError, naming no argument
    X, Y = _two_task_labels()
    y = np.array(labels * (len(X) // 2), dtype=object)
    with pytest.raises(ValueError, match="y column 0 mixes labels of kinds"):
        ParetoExplorer(loss="log_loss", n_steps=0).fit(X, y)


def test_continuous_targets_for_log_loss_are_refused_naming_the_column():
    # sklearn's "Unknown label type: continuous" named neither y, its column nor the loss
    X, Y = _two_task_labels()
    y = np.c_[Y[:, 0], np.linspace(0.0, 1.0, len(X))]
    with pytest.raises(ValueError, match=r"y column 1 must hold class labels for loss "
                                         r"'log_loss': Unknown label type"):
        ParetoExplorer(loss="log_loss", n_steps=0).fit(X, y)


@pytest.mark.parametrize("case", ["constant targets", "constant features", "one row"])
def test_data_without_a_trade_off_is_one_model_for_every_weight(case):
    # a model best for both tasks: the gradients vanish with no direction of their own
    # (1e-19 to 1e-28, their relative residual 0.27 to 0.996), and fit warned that stage 1
    # did not converge, kept the model at weights nobody asked for, and predict_at refused
    # (0.5, 0.5), the weights predict uses
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 4))
    Y = np.column_stack([X[:, 0] + X[:, 1], X[:, 1] - X[:, 2]])
    if case == "constant targets":
        Y = np.column_stack([np.full(80, 1.0), np.full(80, 2.0)])
    elif case == "constant features":
        X = np.ones((80, 4))
    else:
        X, Y = X[:1], Y[:1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = ParetoExplorer(random_state=0).fit(X, Y)
    assert est.pareto_set_.contains([[0.0, 1.0], [0.3, 0.7], [1.0, 0.0]]).all()
    assert np.ptp(est.pareto_set_.params, axis=0).max() == 0.0  # one model
    np.testing.assert_array_equal(est.predict_at(X, [0.3, 0.7]), est.predict(X))
    target = Y.mean(axis=0) if case != "one row" else Y[0]
    np.testing.assert_allclose(est.predict(X), np.broadcast_to(target, Y.shape), atol=1e-6)


def test_mixed_losses():
    X, Y = _two_task_labels()
    Y[:, 1] = X[:, 1] ** 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        est = ParetoExplorer(loss=["log_loss", "squared_error"], **BUDGET).fit(X, Y)
    assert not is_classifier(est) and not is_regressor(est)
    assert est.classes_[1] is None
    assert est.predict(X).dtype == object


def test_single_task():
    X, Y = make_conflicting_regression(80, 3, 2, random_state=1)
    est = ParetoExplorer(hidden_layer_sizes=(3,), random_state=0).fit(X, Y[:, 0])
    assert est.pareto_set_.n_points == 1 and est.n_tasks_ == 1
    assert est.predict(X).shape == (80,)
    np.testing.assert_array_equal(est.params_at([1.0]), est.pareto_set_.params[0])
    # the simplex lattice of one task is its weight 1 (sizing it looped forever)
    assert est.pareto_set_.coverage() == "one task: its weight is 1"
    assert est.pareto_set_.contains([1.0])
    with pytest.warns(UserWarning, match="single task"):
        est.expand(X, Y[:, 0])
    assert est.pareto_set_.n_points == 1
    # checked as with several tasks, before the warning returns (both were accepted)
    with pytest.raises(ValueError, match="training data"):
        est.expand(X[:10], Y[:10, 0])
    with pytest.raises(ValueError, match=r"toward must have shape \(1,\)"):
        est.expand(X, Y[:, 0], toward=[0.3, 0.3, 0.4])


def test_bad_input(fitted, data):
    X, Y = data
    est = ParetoExplorer(n_steps=1, max_iter=5)
    with pytest.raises(NotFittedError):
        est.predict_at(X, [0.5, 0.5])
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        est.fit(bad, Y)
    bad_y = Y.copy()
    bad_y[0, 1] = np.inf
    with pytest.raises(ValueError, match="infinity|NaN"):
        est.fit(X, bad_y)
    with pytest.raises(ValueError, match="different numbers of rows"):
        est.fit(X, Y[:-1])
    for weights in ([1.0], [-0.5, 1.5], [0.3, 0.3], [np.nan, 1.0]):
        with pytest.raises(ValueError, match="weights"):
            clone(est).set_params(weights=weights).fit(X, Y)
    with pytest.raises(ValueError, match="loss"):
        clone(est).set_params(loss="hinge").fit(X, Y)
    with pytest.raises(ValueError, match="loss"):
        clone(est).set_params(loss=["squared_error"] * 3).fit(X, Y)
    for sizes in ((0,), (2.5,), "a", True, (4, True)):
        with pytest.raises(ValueError, match="hidden_layer_sizes"):
            clone(est).set_params(hidden_layer_sizes=sizes).fit(X, Y)
    for name, value in [("alpha", -1.0), ("tol", 0.0), ("tol", 1.0), ("step_size", -0.1),
                        ("step_size", 1.5), ("n_steps", -1), ("n_steps", 2.5),
                        ("max_points", 0), ("max_iter", 0), ("method", "adam"),
                        ("corrector", "sgd"), ("corrector", "mgda"), ("newton_steps", 0),
                        ("minres_rtol", 2.0), ("minres_maxiter", 0), ("damping", -1.0),
                        ("hessian", "full"), ("inexact", "yes"), ("hvp_subsample", 1.5),
                        ("hvp_subsample", True), ("activation", "sigmoid"),
                        ("verbose", -1), ("verbose", 1.5), ("random_state", "x"),
                        ("random_state", 2 ** 40), ("n_jobs", 0), ("n_jobs", "two"),
                        ("n_jobs", 1.0)]:
        with pytest.raises(ValueError, match=name):
            clone(est).set_params(**{name: value}).fit(X, Y)
    with pytest.raises(ValueError, match="weights"):
        fitted.predict_at(X, [0.5, 0.6])
    with pytest.raises(ValueError, match="at least one row"):
        fitted.predict_at(X, np.zeros((0, 2)))
    with pytest.raises(ValueError, match="columns"):
        fitted.score(X, Y[:, :1])
    # the methods that take y after fit refuse what fit refuses, naming y (held_out_front
    # returned a NaN column, expand blamed the training losses)
    bad_y = Y.copy()
    bad_y[0, 0] = np.nan
    for method in ("held_out_front", "task_objectives", "expand", "score"):
        with pytest.raises(ValueError, match="y: Input y contains NaN"):
            getattr(fitted, method)(X, bad_y)


def test_hvp_subsample_keeps_full_data_stationarity(data):
    X, Y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        est = ParetoExplorer(**dict(SETTINGS, n_steps=2, tol=1e-6, hvp_subsample=75)).fit(X, Y)
    fun = _objective(est, X, Y)
    assert est.pareto_set_.n_points >= 3
    for x, w in zip(est.pareto_set_.params, est.pareto_weights_):
        # the Hessian of half the rows steers the steps; stationarity holds on all rows
        assert stationarity_residual(value_and_jacobian(fun, x)[1], w) <= 1e-6


# -- model selection tools ----------------------------------------------------

def test_pipeline_grid_search_and_cross_validation(data):
    X, Y = data
    X = 3.0 * X + 5.0
    small = dict(hidden_layer_sizes=(2,), n_steps=1, max_iter=400, tol=1e-5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        pipe = make_pipeline(StandardScaler(), ParetoExplorer(**small)).fit(X, Y)
        assert pipe.score(X, Y) > 0.5
        grid = GridSearchCV(ParetoExplorer(**small), {"alpha": [1e-4, 1.0]}, cv=2).fit(X, Y)
        scores = cross_val_score(make_pipeline(StandardScaler(), ParetoExplorer(**small)),
                                 X, Y, cv=3)
    assert grid.best_params_["alpha"] == 1e-4  # a heavy penalty flattens the network
    assert scores.shape == (3,) and np.all(scores > 0.3)


def _simplex_grid(k):
    """Every weight of three tasks with entries i / k."""
    return np.array([(a, b, k - a - b) for a in range(k + 1) for b in range(k + 1 - a)]) / k


def _assert_stationary(est, X, Y, tol, loss="squared_error"):
    """Every point of the set is stationary at its weights, recomputed from the network.
    ``loss``: one for every task, or a list of one per task."""
    losses = [loss] * Y.shape[1] if isinstance(loss, str) else list(loss)
    targets, heads = list(_standardized(Y).T), [1] * Y.shape[1]
    for j, name in enumerate(losses):
        if name == "log_loss":  # one softmax head, over the task's classes in sorted order
            labels, index = np.unique(Y[:, j], return_inverse=True)
            targets[j], heads[j] = index.astype(np.intp), len(labels)
    net = SharedTrunkNet(X.shape[1], est.hidden_layer_sizes, tuple(heads), "tanh")
    fun = net.objective(_standardized(X), targets, losses, est.alpha)
    for x, w in zip(est.pareto_set_.params, est.pareto_weights_):
        assert stationarity_residual(value_and_jacobian(fun, x)[1], w) <= tol


def test_three_task_network_defaults_cover_the_simplex():
    # the default fit, nothing tuned: the lattice, its faces and the seeds together
    X, Y = make_conflicting_regression(30, 2, 3, conflict=0.8, noise=0.1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = ParetoExplorer(hidden_layer_sizes=(2,), random_state=0).fit(X, Y)
    pset = est.pareto_set_
    np.testing.assert_array_equal(est.pareto_weights_.min(axis=0), 0.0)
    np.testing.assert_array_equal(est.pareto_weights_.max(axis=0), 1.0)
    assert pset.contains(_simplex_grid(20)).mean() >= 0.95
    _assert_stationary(est, X, Y, est.tol)


def test_three_label_classifier_defaults_cover_the_simplex():
    # log-loss on three binary labels, nothing tuned
    from sklearn.datasets import make_multilabel_classification
    X, Y = make_multilabel_classification(n_samples=40, n_features=3, n_classes=3,
                                          random_state=0)
    X = StandardScaler().fit_transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = ParetoExplorer(loss="log_loss", hidden_layer_sizes=(2,), random_state=0)
        est.fit(X, Y)
    np.testing.assert_array_equal(est.pareto_weights_.min(axis=0), 0.0)
    np.testing.assert_array_equal(est.pareto_weights_.max(axis=0), 1.0)
    assert est.pareto_set_.contains(_simplex_grid(20)).mean() >= 0.93
    _assert_stationary(est, X, Y, est.tol, loss="log_loss")


def test_weakly_regularized_two_task_network_defaults_cover_every_weight():
    # alpha 1e-5: at places the corrector fails and the branch re-solves beyond, often onto
    # another branch of minima; traced back from there until the weights pass the gap, the
    # set covers every weight (5 pieces without: task-0 weights (0.311, 0.339), (0.541,
    # 0.561), (0.826, 0.840) and (0.890, 0.903) missing)
    X, Y = make_conflicting_regression(80, 4, 2, conflict=0.6, noise=0.2, random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        est = ParetoExplorer(hidden_layer_sizes=(6,), alpha=1e-5, random_state=1).fit(X, Y)
    w0 = np.linspace(0.0, 1.0, 401)
    assert est.pareto_set_.contains(np.column_stack([w0, 1.0 - w0])).all()
    _assert_stationary(est, X, Y, est.tol)


def test_two_task_network_with_a_gap_between_folds_defaults_cover_every_weight():
    # Friedman's regression and a product feature: two branches of minima fold at task-0
    # weights 0.139 and 0.110, a third branch covers the weights between (a re-solve
    # jumped from one to the other over it): stage 1 in the gap reaches it (without,
    # weights 0.11 to 0.135 of this grid were missing)
    from sklearn.datasets import make_friedman1
    X, y = make_friedman1(200, 6, noise=0.5, random_state=1)
    Y = StandardScaler().fit_transform(np.column_stack([y, X[:, 0] * X[:, 1] - X[:, 2]]))
    X = StandardScaler().fit_transform(X)
    est = ParetoExplorer(random_state=0).fit(X, Y)
    w0 = np.linspace(0.0, 1.0, 201)
    assert est.pareto_set_.contains(np.column_stack([w0, 1.0 - w0])).all()
    _assert_stationary(est, X, Y, est.tol)


def test_a_single_task_end_next_to_the_last_point_joins_the_set():
    # the branch approached task 1's end in halving steps and stopped within 1e-3 of it
    # (task-0 weight 0.000815); stage 1 for task 1 alone reached the end next to the last
    # point and was dropped as a part of the set explored already: the set covered
    # [0.000815, 1], and predict_at at task 1 alone raised
    from sklearn.datasets import make_friedman1
    from sklearn.model_selection import train_test_split
    X, y = make_friedman1(n_samples=300, noise=0.5, random_state=0)
    Y = np.column_stack([y, np.sin(y) * 5 + X[:, 5] * 3])
    X, _, Y, _ = train_test_split(X, Y, test_size=0.3, random_state=0)
    est = ParetoExplorer(random_state=0).fit(X, Y)
    w0 = np.linspace(0.0, 1.0, 2001)
    assert est.pareto_set_.contains(np.column_stack([w0, 1.0 - w0])).all()
    assert est.predict_at(X[:3], [0.0, 1.0]).shape == (3, 2)
    _assert_stationary(est, X, Y, est.tol)


def test_two_label_network_whose_front_stops_moving_near_an_end_defaults_reach_it():
    # iris, versicolor and virginica as two labels: below a versicolor weight of about 0.03
    # its head switches off while the front moves by 0.004 only; the steps in front
    # coordinates shrank to nothing and the set stopped at task-0 weight 0.029 (stage 1 at
    # that end found a point near the set's last in the front and within step_size in the
    # weights: dropped as represented). Fixed-weight Newton from the branch's last point now
    # reaches the end
    from sklearn.datasets import load_iris

    from skpareto._stationary import newton_correct
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    Y = np.column_stack([y == 1, y == 2]).astype(int)
    est = ParetoExplorer(loss="log_loss", random_state=0).fit(X, Y)
    pset = est.pareto_set_
    w0 = np.linspace(0.0, 1.0, 401)
    assert pset.contains(np.column_stack([w0, 1.0 - w0])).all()
    _assert_stationary(est, X, Y, est.tol, loss="log_loss")
    # halfway into the end, the continuous set's model has the losses of the stationary
    # point at those weights (Newton from it) to 5e-3 (measured 6e-4)
    end = int(np.argmin(pset.weights[:, 0]))
    (neighbour,) = pset.neighbours(end)
    w = 0.5 * (pset.weights[end] + pset.weights[neighbour])
    x = pset.params_at(w)
    fun = est.task_objectives(X, Y)
    res = newton_correct(fun, x, w, tol=est.tol, max_iter=30)
    assert res.success
    np.testing.assert_allclose(fun(x), res.objectives, atol=5e-3)


def test_weakly_regularized_three_task_network_defaults_reach_every_face():
    # alpha 1e-5: a task's head stays fitted until its weight is about the penalty, so the
    # weights approach each face over a long stretch of the front and the lattice alone
    # spends the budget before reaching any (63 % covered, smallest weights 0.017, 0.002,
    # 0.004 without solving the faces from the lattice points near them)
    X, Y = make_conflicting_regression(40, 3, 3, conflict=0.6, noise=0.2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        est = ParetoExplorer(hidden_layer_sizes=(3,), alpha=1e-5, random_state=1).fit(X, Y)
    w = est.pareto_weights_
    for k in range(3):  # points inside the face without task k, and task k's own end
        assert np.any((w[:, k] == 0) & (w.max(axis=1) < 1))
        assert np.any(w[:, k] == 1)
    assert est.pareto_set_.contains(_simplex_grid(20)).mean() >= 0.8
    _assert_stationary(est, X, Y, est.tol)


def test_a_single_task_end_far_along_the_set_from_its_last_point_is_followed_to_it():
    # a log-loss task on separable labels: the branch stopped at task-0 weight 0.014; stage
    # 1 for task 1 alone reached the end 3.2 from the last point in the parameters, near it
    # in the front, with no piece between them, and was dropped: predict_at refused the end
    rng = np.random.default_rng(3)
    X = rng.normal(size=(150, 3))
    Y = np.c_[1e4 * (X[:, 0] - X[:, 1]) + 0.1 * rng.normal(size=150),
              (X[:, 0] + X[:, 1] > 0).astype(int)]
    est = ParetoExplorer(loss=["squared_error", "log_loss"], hidden_layer_sizes=(8,),
                         random_state=0).fit(X, Y)
    assert est.pareto_weights_[:, 0].min() == 0.0 and est.pareto_weights_[:, 0].max() == 1.0
    assert est.pareto_set_.contains(np.c_[np.linspace(0, 1, 201), 1 - np.linspace(0, 1, 201)]).all()
    est.predict_at(X[:5], [0.0, 1.0])
    _assert_stationary(est, X, Y, est.tol, loss=["squared_error", "log_loss"])


def test_a_lattice_does_not_solve_the_nodes_its_strides_step_over():
    # alpha 1e-5, 50 rows: where the weights change slowly a node's stride steps over the
    # next nodes, but other nodes' unit steps solved them all the same, crowding the weights
    # near the vertices (217 of a 60-row net's 1,000 points within 0.005 of another): the
    # budget ran out with 85.4 % of these random weights covered; not solved, 96.6 %
    X, Y = make_conflicting_regression(50, 4, 3, conflict=0.6, noise=0.2, random_state=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        est = ParetoExplorer(hidden_layer_sizes=(3,), alpha=1e-5, random_state=1).fit(X, Y)
    weights = np.random.default_rng(0).dirichlet(np.ones(3), 500)
    assert est.pareto_set_.contains(weights).mean() >= 0.93
    _assert_stationary(est, X, Y, est.tol)


@pytest.mark.slow
@pytest.mark.parametrize("random_state", [2, 3])
def test_a_stalled_lattice_leaves_budget_for_the_seeds(random_state):
    # 60 rows, hidden (4,), defaults: the first lattice's correctors fail at task-2 weights
    # near 0.4 (its branch of minima ends) and it spent the rest of the 1,000 points on
    # weights it covered (71.9 / 71.0 % of the grid); paused at 654 / 640 points for the
    # seeds, 96.1 / 94.4 % (about 90 s each)
    X, Y = make_conflicting_regression(60, 3, 3, conflict=0.8, noise=0.1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        est = ParetoExplorer(hidden_layer_sizes=(4,), random_state=random_state).fit(X, Y)
    assert est.pareto_set_.contains(_simplex_grid(20)).mean() >= 0.9
    _assert_stationary(est, X, Y, est.tol)


@pytest.mark.slow
def test_a_seed_whose_lattice_covers_nothing_new_pauses_for_the_next():
    # three targets, defaults: the seed on the face without task 0 covered its curve, then
    # spent 529 of the 1,000 points at task-0 weights below 1e-3, covering no new weight
    # (46.3 % of the grid); paused once a window of 50 points shows that, the seeds after
    # it run (75.3 %), and each task is still fitted best at its own end (about 90 s). The
    # fill's rings on the seams between sheets: 57.0 -> 67.0 % of random weights. A face's
    # gap seeds as roots of their own (not joined to the point that reached the face): 80.1
    # -> 87.9 % of a 231-weight grid, 62.8 -> 60.6 % of these random weights, 14 % fewer
    # gradient-equivalents (the models at 302 of the 303 covered ones stationary to 0.05).
    # Lattices that no longer solve the nodes their strides step over: 86.6 -> 77.9 % of
    # the grid, 68.6 -> 59.2 % of these weights (the nodes near the face without task 0
    # covered a band along it), while other three-target nets gained 1 to 13 % of random
    # weights (see the benchmark page): a known loss, not the mechanism tested here
    from sklearn.datasets import make_regression
    from sklearn.model_selection import train_test_split
    X, Y = make_regression(200, 5, n_targets=3, noise=5.0, random_state=3)
    X, X_test, Y, Y_test = train_test_split(X, Y / Y.std(axis=0), test_size=0.3,
                                            random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        est = ParetoExplorer(random_state=0).fit(X, Y)
    assert est.pareto_set_.contains(_simplex_grid(20)).mean() >= 0.75
    weights = np.random.default_rng(1).dirichlet(np.ones(3), 500)
    assert est.pareto_set_.contains(weights).mean() >= 0.55
    errors = np.array([((est.predict_at(X_test, end) - Y_test) ** 2).mean(axis=0)
                       for end in np.eye(3)])
    np.testing.assert_array_equal(errors.argmin(axis=0), [0, 1, 2])
    _assert_stationary(est, X, Y, est.tol)


@pytest.mark.slow
def test_linnerud_defaults_explore_beyond_the_first_point():
    # 13 rows and 115 parameters: the stage-1 model sits near a bifurcation (cloned hidden
    # units) where no lattice step converges; the seeds cover the set from elsewhere. Seeds
    # at face weights walked the output bias of the task without weight (a tenth of the
    # budget, its loss to 10): 77.5 % of this grid; moved inside and not walked, 94.4 %
    from sklearn.datasets import load_linnerud
    from sklearn.model_selection import train_test_split
    X, Y = load_linnerud(return_X_y=True)
    X, _, Y, _ = train_test_split(X, Y, test_size=0.33, random_state=0)
    X, Y = StandardScaler().fit_transform(X), StandardScaler().fit_transform(Y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        est = ParetoExplorer(random_state=0).fit(X, Y)
    np.testing.assert_array_equal(est.pareto_weights_.max(axis=0), 1.0)
    assert est.pareto_set_.contains(_simplex_grid(20)).mean() >= 0.85
    _assert_stationary(est, X, Y, est.tol)


def test_three_tasks():
    X, Y = make_conflicting_regression(150, 4, 3, conflict=0.8, noise=0.1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        est = ParetoExplorer(hidden_layer_sizes=(3,), tol=1e-8, n_steps=1,
                             random_state=0).fit(X, Y)
    net = SharedTrunkNet(4, (3,), (1, 1, 1), "tanh")
    fun = net.objective(_standardized(X), list(_standardized(Y).T), ["squared_error"] * 3,
                        est.alpha)
    assert est.pareto_set_.n_points >= 5  # the root and steps along two tangents
    for x, w in zip(est.pareto_set_.params, est.pareto_weights_):
        assert stationarity_residual(value_and_jacobian(fun, x)[1], w) <= 1e-6
    w = est.pareto_weights_.mean(axis=0)  # inside the explored hull
    params = est.params_at(w)
    outputs = (np.column_stack(net.outputs(params, _standardized(X))) * Y.std(axis=0)
               + Y.mean(axis=0))
    np.testing.assert_allclose(est.predict_at(X, w), outputs, rtol=1e-12)
    assert est.predict_at(X, est.pareto_weights_[:2]).shape == (2, 150, 3)
    with pytest.raises(ValueError, match=r"expand\(X, y, toward=\[1\.0, 0\.0, 0\.0\]\)"):
        est.predict_at(X, [1.0, 0.0, 0.0])
    est.expand(X, Y, toward=[1.0, 0.0, 0.0])  # the first task alone
    params = est.params_at([1.0, 0.0, 0.0])
    assert stationarity_residual(value_and_jacobian(fun, params)[1], [1.0, 0.0, 0.0]) <= 1e-8
    assert est.predict_at(X, [1.0, 0.0, 0.0]).shape == (150, 3)


@pytest.mark.parametrize("m", [3, 4])
def test_models_at_covered_weights_are_as_good_as_trained_ones(m):
    # defaults on nets whose lattices take the whole budget: pieces bridging sheets of the
    # set stayed where refine had no room (three tasks) or never ran (four), and at weights
    # they covered, fixed-weight Newton (the reference, on the objectives, not the set)
    # lowered the model's weighted loss by up to 45 % and 129 %; they are excluded now
    from sklearn.datasets import make_regression

    from skpareto._stationary import newton_correct

    if m == 3:
        X, Y = make_conflicting_regression(60, 3, 3, conflict=0.8, noise=0.1, random_state=0)
    else:
        X, Y = make_regression(80, 5, n_targets=4, noise=10, random_state=0)
    est = ParetoExplorer(hidden_layer_sizes=(4,), random_state=0).fit(X, Y)
    pset = est.pareto_set_
    fun = est.task_objectives(X, Y)
    weights = np.random.default_rng(3).dirichlet(np.ones(m), 300)
    covered = weights[pset.contains(weights)]
    assert len(covered) >= (0.7 if m == 3 else 0.2) * len(weights)
    gaps = []
    for w in covered[:80]:
        x = pset.params_at(w)
        res = newton_correct(fun, x, w, tol=est.tol, max_iter=30)
        if res.success:
            gaps.append((w @ fun(x) - w @ res.objectives) / (w @ res.objectives))
    assert len(gaps) >= 0.9 * min(len(covered), 80)
    assert max(gaps) <= 1e-2, max(gaps)


def test_models_on_a_face_fit_the_tasks_off_it_as_their_weights_fall_to_zero():
    # a three-task face's set is explored without the task off it, whose output bias stayed
    # where the face's root left it while the trunk moved: on linnerud most models at a zero
    # weight predicted that task worse than its mean (training R^2 to -666; 267 of 416
    # below -0.01). Its own parameters are now at its best there, the limit of the set as
    # its weight falls to zero: R^2 0 (the head shrunk to nothing by the penalty). At tol 1e-3
    # a head weight the penalty had put at exactly 0 passed for the task's own and the bias
    # was left unfitted (14 of 212 models below -0.01, to -0.19); now each is at the limit
    from sklearn.datasets import load_linnerud
    from sklearn.metrics import r2_score

    X, Y = load_linnerud(return_X_y=True)
    est = ParetoExplorer(hidden_layer_sizes=(4,), random_state=0).fit(X, Y)
    pset = est.pareto_set_
    scores = [r2_score(Y[:, k], est._predict_params(X, pset.params[i])[:, k])
              for k in range(3) for i in np.flatnonzero(pset.weights[:, k] == 0)]
    assert len(scores) > 100 and min(scores) >= -1e-6
