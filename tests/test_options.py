"""SolverOptions, Result and Status, and the one vocabulary of explore and ParetoExplorer."""

import dataclasses
import inspect
import pickle

import numpy as np
import pytest

import skpareto
from skpareto import ParetoExplorer, SolverOptions, expand_set, explore
from skpareto._utils import Result, Status

# -- SolverOptions ----------------------------------------------------------------------

_FIELDS = {f.name: f for f in dataclasses.fields(SolverOptions)}


def test_fields_and_defaults():
    assert list(_FIELDS) == ["method", "corrector", "max_iter", "newton_steps", "minres_rtol",
                             "minres_maxiter", "damping", "hessian", "inexact", "hess_fun",
                             "hess_sampler"]
    options = SolverOptions()
    assert (options.method, options.corrector, options.hessian) == ("auto", "arclength", "auto")
    assert (options.max_iter, options.newton_steps, options.minres_maxiter) == (1000, 4, None)
    assert (options.minres_rtol, options.damping, options.inexact) == (1e-10, 0.0, True)
    assert options.hess_fun is None and options.hess_sampler is None
    assert skpareto.SolverOptions is SolverOptions and "SolverOptions" in skpareto.__all__


def _rows(n):
    return lambda x: x[:n]


# every field, with values it must refuse; the message must name the field
BAD = [
    ("method", ["sgd", "LBFGS", None, 1]),
    ("corrector", ["mgda", "lbfgs", None]),
    ("max_iter", [0, -1, 1.5, True, "10", None]),
    ("newton_steps", [0, 2.0, False]),
    ("minres_rtol", [-1e-3, 1.0, 2.0, np.nan, np.inf, "1e-8", True]),
    ("minres_maxiter", [0, -5, 3.5]),
    ("damping", [-0.1, np.nan, np.inf, "0.1"]),
    ("hessian", ["full", "sparse", None]),
    ("inexact", ["yes", 1, 0, None]),
    ("hess_fun", ["rows", 3]),
    ("hess_sampler", ["rows", 3]),
]


@pytest.mark.parametrize("name, value", [(name, v) for name, values in BAD for v in values],
                         ids=[f"{name}={v!r}" for name, values in BAD for v in values])
def test_each_bad_field_raises_value_error_naming_it(name, value):
    with pytest.raises(ValueError, match=rf"\b{name}\b") as info:
        SolverOptions(**{name: value})
    assert info.value.argument == name  # an ArgumentError: a ValueError naming the field


def test_every_field_has_a_bad_value_case():
    assert {name for name, _ in BAD} == set(_FIELDS)


@pytest.mark.parametrize("name, value", [
    ("method", "lbfgs"), ("method", "mgda"), ("corrector", "newton"), ("max_iter", 1),
    ("newton_steps", 1), ("minres_rtol", 1e-14), ("minres_rtol", 0.5), ("minres_maxiter", 1),
    ("damping", 0.0), ("damping", 3.0), ("hessian", "dense"), ("hessian", "matvec"),
    ("inexact", False), ("inexact", np.bool_(True)), ("max_iter", np.int64(5)),
    ("hess_fun", _rows(2)), ("hess_sampler", lambda rng: _rows(2)),
])
def test_good_values_are_kept(name, value):
    assert getattr(SolverOptions(**{name: value}), name) == value


def test_hess_fun_and_hess_sampler_are_exclusive():
    with pytest.raises(ValueError, match="hess_fun and hess_sampler"):
        SolverOptions(hess_fun=_rows(2), hess_sampler=lambda rng: _rows(2))


def test_frozen_replace_and_reference():
    options = SolverOptions(damping=0.1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.damping = 0.2
    changed = options.replace(method="mgda")
    assert (changed.method, changed.damping, options.method) == ("mgda", 0.1, "auto")
    with pytest.raises(ValueError, match="method"):
        options.replace(method="adam")  # replace validates like the constructor
    reference = SolverOptions.reference()
    assert reference.inexact is False
    assert reference == SolverOptions(inexact=False)
    assert SolverOptions.reference(damping=0.5) == SolverOptions(inexact=False, damping=0.5)
    # the reference setting is exact unless told otherwise
    assert SolverOptions.reference(inexact=True) == SolverOptions()


def test_exact_hessian_and_dense_for():
    assert SolverOptions().exact_hessian
    assert not SolverOptions(damping=1e-3).exact_hessian
    assert not SolverOptions(hess_fun=_rows(2)).exact_hessian
    assert not SolverOptions(hess_sampler=lambda rng: _rows(2)).exact_hessian
    auto = SolverOptions()
    assert auto.dense_for(32) and not auto.dense_for(33)
    assert SolverOptions(hessian="dense").dense_for(10_000)
    assert not SolverOptions(hessian="matvec").dense_for(1)


def test_an_objective_with_its_own_products_says_how_far_dense_pays():
    from skpareto._models import SharedTrunkNet
    from skpareto._options import DENSE_MAX_N, DENSE_MAX_N_WRITTEN, dense_max_n

    # blocks of products are cheap over few rows: dense up to DENSE_MAX_N_WRITTEN; over
    # many, no further than any objective; in between, by rows times parameters
    assert dense_max_n(13) == DENSE_MAX_N_WRITTEN and dense_max_n(0) == DENSE_MAX_N_WRITTEN
    assert dense_max_n(10 ** 6) == DENSE_MAX_N
    assert DENSE_MAX_N < dense_max_n(100) < DENSE_MAX_N_WRITTEN
    net = SharedTrunkNet(3, (16,), (1, 1))  # 98 parameters
    rng = np.random.default_rng(0)
    few, many = (net.objective(rng.normal(size=(rows, 3)), [np.zeros(rows)] * 2,
                               ["squared_error"] * 2) for rows in (20, 400))
    auto = SolverOptions()
    assert auto.dense_for(net.n_params, few) and not auto.dense_for(net.n_params, many)
    assert not auto.dense_for(net.n_params) and not auto.dense_for(33, _rows(2))
    assert not SolverOptions(hessian="matvec").dense_for(net.n_params, few)


def test_options_pickle_and_compare():
    options = SolverOptions(method="mgda", damping=0.25, minres_maxiter=7)
    assert pickle.loads(pickle.dumps(options)) == options
    assert hash(options) == hash(SolverOptions(method="mgda", damping=0.25, minres_maxiter=7))


def test_explore_refuses_options_of_another_type():
    import autograd.numpy as anp

    def fun(x):
        return anp.array([anp.sum((x - 1.0) ** 2), anp.sum((x + 1.0) ** 2)])

    for bad in ({"method": "mgda"}, "mgda", SolverOptions):
        with pytest.raises(ValueError, match="options"):
            explore(fun, np.zeros(2), options=bad)


# -- Result and Status --------------------------------------------------------------------


def test_status_codes():
    assert issubclass(Status, int)
    assert Status.CONVERGED == 0  # success, as scipy.optimize codes it
    names = {s.name for s in Status}
    assert names >= {"CONVERGED", "MAX_ITER", "LINE_SEARCH", "TRUST_REGION", "LEFT_SIMPLEX",
                     "SINGULAR", "NON_FINITE", "DIVERGED", "OUT_OF_BOUNDS", "SADDLE"}
    assert len({int(s) for s in Status}) == len(Status)
    assert pickle.loads(pickle.dumps(Status.SINGULAR)) is Status.SINGULAR


def test_result_is_a_documented_bunch():
    res = Result(x=np.arange(3.0), status=Status.MAX_ITER, success=False, message="max iter")
    assert res.x is res["x"] and res.status == Status.MAX_ITER
    res.nit = 4
    assert res["nit"] == 4
    del res.nit
    assert "nit" not in res
    with pytest.raises(AttributeError):
        res.nit
    assert sorted(dir(res)) == ["message", "status", "success", "x"]
    text = repr(res)
    assert "message: 'max iter'" in text and "status:" in text
    assert repr(Result()) == "Result()"
    again = pickle.loads(pickle.dumps(res))
    assert type(again) is Result and again.status is Status.MAX_ITER
    np.testing.assert_array_equal(again.x, res.x)


# -- one vocabulary: explore + SolverOptions and ParetoExplorer ---------------------------

# the names explore/SolverOptions and ParetoExplorer share whose defaults differ, and why
DIFFERENT_DEFAULTS = {
    # a network's losses are estimates from finite data, and Newton converges only linearly
    # below about 1e-3 on ill-conditioned networks; analytic problems are solved to rounding
    "tol": (1e-8, 1e-3),
}
# names of one side only, and why
ONLY_EXPLORE = {
    "fun": "the estimator builds the objectives from X and y",
    "x0": "the estimator draws the initial network from random_state",
    "bounds": "network parameters are unconstrained",
    "options": "the estimator takes the SolverOptions fields as hyper-parameters",
    "hess_fun": "the estimator builds the Hessian objective from hvp_subsample",
    "hess_sampler": "the estimator builds the Hessian objective from hvp_subsample",
}
ONLY_ESTIMATOR = {
    "hidden_layer_sizes": "the model", "activation": "the model", "loss": "the model",
    "alpha": "the model's penalty",
    "hvp_subsample": "rows of the sample-based Hessian (hess_fun of the core)",
    "start_weights": "further stage-1 trade-offs (explore takes several x0 and weights)",
}


def _explore_vocabulary():
    defaults = {name: p.default for name, p in inspect.signature(explore).parameters.items()}
    defaults.update({name: f.default for name, f in _FIELDS.items()})
    return defaults


def test_explore_and_estimator_share_names_and_defaults():
    core = _explore_vocabulary()
    estimator = ParetoExplorer().get_params()
    shared = set(core) & set(estimator)
    assert shared >= {"weights", "tol", "step_size", "n_steps", "max_points", "method",
                      "corrector", "max_iter", "newton_steps", "minres_rtol",
                      "minres_maxiter", "damping", "hessian", "inexact", "random_state",
                      "n_jobs", "verbose"}
    differing = {name: (core[name], estimator[name]) for name in shared
                 if core[name] != estimator[name]
                 or type(core[name]) is not type(estimator[name])}
    assert differing == DIFFERENT_DEFAULTS
    assert set(core) - set(estimator) == set(ONLY_EXPLORE)
    assert set(estimator) - set(core) == set(ONLY_ESTIMATOR)


def test_expand_set_speaks_the_vocabulary_of_explore():
    core = inspect.signature(explore).parameters
    params = inspect.signature(expand_set).parameters
    assert list(params)[:2] == ["pareto_set", "fun"]
    for name, p in list(params.items())[2:]:
        assert p.kind is inspect.Parameter.KEYWORD_ONLY, name
        if name == "toward":
            assert p.default is None
            continue
        assert name in core and p.default == core[name].default, name
    assert set(core) - set(params) == {"x0", "weights"}


def test_the_estimator_builds_its_options_from_its_parameters():
    # each solver setting of the estimator reaches SolverOptions under its own name
    est = ParetoExplorer(method="mgda", corrector="newton", max_iter=7, newton_steps=3,
                         minres_rtol=1e-6, minres_maxiter=9, damping=0.5, hessian="matvec",
                         inexact=False)
    options = est._options(None)
    for name in ("method", "corrector", "max_iter", "newton_steps", "minres_rtol",
                 "minres_maxiter", "damping", "hessian", "inexact"):
        assert getattr(options, name) == est.get_params()[name], name
