"""from_pymoo: pymoo's problems evaluated and differentiated through its autograd backend."""

import numpy as np
import pytest

pymoo = pytest.importorskip("pymoo")

from pymoo import gradient  # noqa: E402
from pymoo.gradient.automatic import AutomaticDifferentiation  # noqa: E402
from pymoo.problems import get_problem  # noqa: E402

from skpareto import SolverOptions, explore  # noqa: E402
from skpareto._hvp import hessian_operator, value_and_jacobian  # noqa: E402
from skpareto.metrics import igd, stationarity_residual  # noqa: E402
from skpareto.problems import DTLZ2, from_pymoo  # noqa: E402

PROBLEMS = [("zdt1", dict(n_var=6)), ("zdt2", dict(n_var=6)),
            ("dtlz2", dict(n_var=6, n_obj=3)), ("dtlz2", dict(n_var=7, n_obj=4))]


def _points(problem, seed, size=4):
    # inside the box, away from its faces (ZDT takes a square root of f1 / g)
    rng = np.random.default_rng(seed)
    return rng.uniform(0.1, 0.9, size=(size, problem.n_var))


@pytest.mark.parametrize("name, kwargs", PROBLEMS, ids=lambda v: str(v))
def test_values_and_gradients_match_pymoo(name, kwargs):
    problem = get_problem(name, **kwargs)
    objective = from_pymoo(problem)
    assert (objective.n, objective.m) == (problem.n_var, problem.n_obj)
    np.testing.assert_array_equal(objective.bounds[0], problem.xl)
    np.testing.assert_array_equal(objective.bounds[1], problem.xu)
    np.testing.assert_array_equal(objective.x0, 0.5 * (problem.xl + problem.xu))
    pymoo_ad = AutomaticDifferentiation(problem)
    h = 1e-6
    for x in _points(problem, seed=len(name)):
        values, jac = value_and_jacobian(objective.fun, x)
        np.testing.assert_allclose(values, problem.evaluate(x), rtol=1e-14, atol=1e-15)
        # pymoo's own autograd gradients
        _, dF = pymoo_ad.evaluate(x[None, :], return_values_of=["F", "dF"])
        np.testing.assert_allclose(jac, dF[0], rtol=1e-12, atol=1e-14)
        # central differences of pymoo's plain-numpy evaluation
        eye = np.eye(len(x))
        fd = np.stack([(problem.evaluate(x + h * e) - problem.evaluate(x - h * e)) / (2 * h)
                       for e in eye], axis=1)
        np.testing.assert_allclose(jac, fd, rtol=1e-6, atol=1e-8)
    assert gradient.active_backend == "numpy"  # pymoo's switch is put back


@pytest.mark.parametrize("name, kwargs", PROBLEMS[1:3], ids=lambda v: str(v))
def test_hessian_vector_products_through_pymoo(name, kwargs):
    problem = get_problem(name, **kwargs)
    objective = from_pymoo(problem)
    x = _points(problem, seed=1, size=1)[0]
    w = np.full(objective.m, 1.0 / objective.m)
    op = hessian_operator(objective.fun, x, w)
    v = np.random.default_rng(2).normal(size=objective.n)
    h = 1e-5

    def grad(z):
        return w @ value_and_jacobian(objective.fun, z)[1]

    fd = (grad(x + h * v) - grad(x - h * v)) / (2 * h)
    np.testing.assert_allclose(op.matvec(v), fd, rtol=1e-6, atol=1e-7)


def test_the_backend_a_user_chose_is_kept():
    objective = from_pymoo(get_problem("zdt1", n_var=3))
    gradient.activate("autograd")
    try:
        value_and_jacobian(objective.fun, objective.x0)
        assert gradient.active_backend == "autograd"
    finally:
        gradient.deactivate()


def test_pareto_front_delegates_to_pymoo():
    zdt = from_pymoo(get_problem("zdt1", n_var=5))
    front = zdt.pareto_front(11)
    np.testing.assert_allclose(front[:, 1], 1 - np.sqrt(np.linspace(0, 1, 11)), rtol=1e-15)
    assert zdt.pareto_front(3).shape == (3, 2)  # pymoo's cache does not keep the first
    dtlz = from_pymoo(get_problem("dtlz2", n_var=6, n_obj=3))
    np.testing.assert_allclose(dtlz.pareto_front(30), DTLZ2(6).pareto_front(30), atol=1e-15)
    with pytest.raises(ValueError, match="n_points"):
        zdt.pareto_front(1)


@pytest.mark.parametrize("options", [None, SolverOptions(method="mgda")],
                         ids=["defaults", "mgda"])
def test_exploring_pymoo_dtlz2_reaches_its_front(options):
    objective = from_pymoo(get_problem("dtlz2", n_var=5, n_obj=3))
    pset = explore(objective.fun, objective.x0, n_steps=3, tol=1e-10, bounds=objective.bounds,
                   options=options)
    assert pset.n_points >= 10
    np.testing.assert_allclose(np.linalg.norm(pset.front, axis=1), 1.0, rtol=0, atol=1e-9)
    for x, w in zip(pset.params, pset.weights):
        _, jac = value_and_jacobian(objective.fun, x)
        assert stationarity_residual(jac, w) <= 1e-8
    lo, hi = objective.bounds
    assert np.all((pset.params >= lo) & (pset.params <= hi))
    # the explored patch lies on pymoo's front: each point is near a reference point
    reference = objective.pareto_front(5000)
    assert igd(reference, pset.front) <= 0.02


def test_a_front_pymoo_cannot_download_is_not_implemented(monkeypatch):
    objective = from_pymoo(get_problem("dtlz5", n_obj=3))  # pymoo downloads its front

    def offline(*args, **kwargs):
        raise OSError("no network")

    monkeypatch.setattr(objective.problem, "_calc_pareto_front", offline)
    with pytest.raises(NotImplementedError, match="download"):
        objective.pareto_front(10)


def test_bad_problems():
    from pymoo.core.problem import Problem

    with pytest.raises(TypeError, match="problem"):
        from_pymoo(DTLZ2())
    with pytest.raises(ValueError, match="constraints"):
        from_pymoo(get_problem("bnh"))

    class Unbounded(Problem):
        def __init__(self):
            super().__init__(n_var=2, n_obj=2)

        def _evaluate(self, x, out, *args, **kwargs):
            out["F"] = np.column_stack([np.sum(x ** 2, axis=1), np.sum((x - 1) ** 2, axis=1)])

    objective = from_pymoo(Unbounded())
    assert objective.bounds is None
    np.testing.assert_array_equal(objective.x0, [0.0, 0.0])
    with pytest.raises(NotImplementedError, match="no Pareto front"):
        objective.pareto_front(10)
    # written with plain numpy, not pymoo's toolbox: the error says what to use
    with pytest.warns(UserWarning, match="independent"), \
            pytest.raises(ValueError, match="autograd.numpy"):
        value_and_jacobian(objective.fun, objective.x0)
