"""ParetoExplorer with scikit-learn's model selection: class probabilities, log-loss
scoring, the held-out front and its hypervolume as a scorer, pipelines."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning as SklearnConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skpareto import ParetoExplorer
from skpareto.datasets import make_conflicting_regression
from skpareto.metrics import front_hypervolume_scorer, hypervolume

SMALL = dict(hidden_layer_sizes=(3,), max_iter=300, tol=1e-5, random_state=0)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        # short budgets leave some points above tol; the tests check other things
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        yield


def _labels(n=150, seed=0):
    """Two classification tasks on shared features: 3 classes and 2 classes."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    Y = np.column_stack([np.digitize(X[:, 0] + 0.5 * X[:, 1], [-0.5, 0.5]),
                         X[:, 1] - X[:, 0] > 0]).astype(int)
    return X, Y


def _penalty(est, params):
    return 0.5 * est.alpha * sum(np.sum(W ** 2) for W, _ in est._net.unpack(params))


def test_predict_proba_single_task_is_an_array_like_any_classifier():
    X, Y = _labels()
    y = np.array(["a", "b", "c"])[Y[:, 0]]
    est = ParetoExplorer(loss="log_loss", **SMALL).fit(X, y)
    proba = est.predict_proba(X)
    assert isinstance(proba, np.ndarray) and proba.shape == (150, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(est.classes_[np.argmax(proba, axis=1)], est.predict(X))
    # columns follow classes_: the mean log-loss of the probabilities is the training
    # objective without its penalty
    params = est.pareto_set_.params[0]
    assert log_loss(y, proba, labels=est.classes_) == pytest.approx(
        est.pareto_front_[0, 0] - _penalty(est, params), rel=1e-10)
    np.testing.assert_array_equal(est.predict_proba_at(X, [1.0]), proba)
    # a 2-D y of one column is a multi-output fit: a list of one array
    est2 = ParetoExplorer(loss="log_loss", **SMALL).fit(X, y[:, None])
    proba2 = est2.predict_proba(X)
    assert isinstance(proba2, list) and len(proba2) == 1
    np.testing.assert_array_equal(proba2[0], proba)


def test_predict_proba_two_tasks_follows_multi_output_classifier():
    X, Y = _labels()
    est = ParetoExplorer(loss="log_loss", n_steps=2, **SMALL).fit(X, Y)
    proba = est.predict_proba(X)
    assert [p.shape for p in proba] == [(150, 3), (150, 2)]
    pred = est.predict(X)
    for j, p in enumerate(proba):
        np.testing.assert_array_equal(est.classes_[j][np.argmax(p, axis=1)], pred[:, j])
    # at any trade-off of the explored pieces, and stacked over several
    w = est.pareto_weights_
    pieces = est.pareto_set_.pieces
    pieces = pieces[pieces[:, 0] != pieces[:, 1]]
    assert len(pieces) >= 2
    inside = w[pieces[:2]].mean(axis=1)
    stacked = est.predict_proba_at(X, inside)
    assert [p.shape for p in stacked] == [(2, 150, 3), (2, 150, 2)]
    labels = est.predict_at(X, inside)
    for i in range(2):
        one = est.predict_proba_at(X, inside[i])
        for j in range(2):
            np.testing.assert_array_equal(stacked[j][i], one[j])
            np.testing.assert_array_equal(est.classes_[j][np.argmax(one[j], axis=1)],
                                          labels[i][:, j])
    # the explored models' probabilities have the held-out front's log-losses
    front = est.held_out_front(X, Y)
    for k in range(2):
        for j in range(2):
            p = est._proba_params(est._check_X(X), est.pareto_set_.params[k])[j]
            assert log_loss(Y[:, j], p) == pytest.approx(front[k, j], rel=1e-10)


def test_predict_proba_with_a_regression_task_and_without_classification():
    X, Y = _labels()
    mixed = np.column_stack([Y[:, 0], X[:, 1] ** 2]).astype(object)
    est = ParetoExplorer(loss=["log_loss", "squared_error"], n_steps=1, **SMALL).fit(X, mixed)
    proba = est.predict_proba(X)
    assert len(proba) == 2 and proba[1] is None and proba[0].shape == (150, 3)
    stacked = est.predict_proba_at(X, est.pareto_weights_[:1])
    assert stacked[1] is None and stacked[0].shape == (1, 150, 3)
    regressor = ParetoExplorer(n_steps=1, **SMALL)
    assert not hasattr(regressor, "predict_proba")
    with pytest.raises(AttributeError, match="predict_proba_at") as info:
        regressor.fit(X, Y.astype(float)).predict_proba_at(X, [0.5, 0.5])
    # scikit-learn's available_if names the method; the reason is the cause
    assert "loss='log_loss'" in str(info.value.__cause__)


def test_cross_val_score_with_neg_log_loss():
    X, Y = _labels()
    y = Y[:, 0]
    est = ParetoExplorer(loss="log_loss", **SMALL)
    cv = KFold(3, shuffle=True, random_state=0)
    scores = cross_val_score(est, X, y, cv=cv, scoring="neg_log_loss", error_score="raise")
    expected = []
    for train, test in cv.split(X):
        fitted = ParetoExplorer(loss="log_loss", **SMALL).fit(X[train], y[train])
        expected.append(-log_loss(y[test], fitted.predict_proba(X[test]), labels=[0, 1, 2]))
    np.testing.assert_allclose(scores, expected, rtol=1e-12)
    assert np.all(scores > -np.log(3))  # better than uniform probabilities


def test_held_out_front_on_the_training_data_is_the_front_without_the_penalty():
    X, Y = make_conflicting_regression(120, 3, conflict=0.8, random_state=0)
    est = ParetoExplorer(n_steps=2, **SMALL).fit(X, Y)
    front = est.held_out_front(X, Y)
    assert front.shape == est.pareto_front_.shape and est.pareto_front_.shape[0] >= 3
    penalties = [_penalty(est, p) for p in est.pareto_set_.params]
    np.testing.assert_allclose(front + np.array(penalties)[:, None], est.pareto_front_,
                               rtol=1e-12)
    with pytest.raises(ValueError, match="columns"):
        est.held_out_front(X, Y[:, :1])


def test_front_hypervolume_scorer_in_a_grid_search():
    X, Y = make_conflicting_regression(160, 3, conflict=0.8, random_state=1)
    reference = [0.5, 0.5]  # the loss of predicting the mean of a standardized target
    scorer = front_hypervolume_scorer(reference=reference)
    cv = KFold(2, shuffle=True, random_state=0)
    base = ParetoExplorer(n_steps=2, step_size=0.1, **SMALL)
    search = GridSearchCV(base, {"alpha": [1e-3, 1.0]}, scoring=scorer, cv=cv,
                          error_score="raise").fit(X, Y)
    # the score of a split is the hypervolume of that split's held-out front
    train, test = next(cv.split(X))
    fitted = ParetoExplorer(n_steps=2, step_size=0.1, alpha=1e-3, **SMALL).fit(
        X[train], Y[train])
    front = fitted.held_out_front(X[test], Y[test])
    assert search.cv_results_["split0_test_score"][0] == pytest.approx(
        hypervolume(front, reference), rel=1e-12)
    assert search.cv_results_["split0_test_score"][0] > 0
    assert search.best_params_ == {"alpha": 1e-3}  # alpha=1 flattens the network

    # through a pipeline: scored on the transformed rows by its last step
    pipe = make_pipeline(StandardScaler(), base)
    search = GridSearchCV(pipe, {"paretoexplorer__alpha": [1e-3]}, scoring=scorer, cv=cv,
                          error_score="raise").fit(3.0 * X + 1.0, Y)
    fitted_pipe = make_pipeline(StandardScaler(), ParetoExplorer(
        n_steps=2, step_size=0.1, alpha=1e-3, **SMALL)).fit(3.0 * X[train] + 1.0, Y[train])
    front = fitted_pipe[-1].held_out_front(fitted_pipe[:-1].transform(3.0 * X[test] + 1.0),
                                           Y[test])
    assert search.cv_results_["split0_test_score"][0] == pytest.approx(
        hypervolume(front, reference), rel=1e-12)


@pytest.mark.parametrize("reference", [[[1.0, 1.0]], [], [1.0, np.nan]])
def test_front_hypervolume_scorer_reference_must_be_a_point(reference):
    with pytest.raises(ValueError, match="reference"):
        front_hypervolume_scorer(reference)


def test_front_hypervolume_scorer_names_what_it_scores():
    # another estimator failed with an AttributeError from inside the scorer
    from sklearn.linear_model import Ridge

    X, Y = make_conflicting_regression(40, 3, random_state=0)
    scorer = front_hypervolume_scorer([0.5, 0.5])
    for estimator in (Ridge().fit(X, Y), make_pipeline(StandardScaler(), Ridge()).fit(X, Y)):
        with pytest.raises(ValueError, match="ParetoExplorer.*got Ridge"):
            scorer(estimator, X, Y)
