"""n_jobs and joblib backends: explore gives bitwise the same set in parallel."""

import cloudpickle
import joblib
import numpy as np
import pytest

from skpareto import SolverOptions, explore
from skpareto._models import SharedTrunkNet
from skpareto.problems import ConvexQuadratic, FonsecaFleming
from test_subsample import SAMPLED, make_ridge_tasks


def _same_points(a, b):
    assert a.n_points == b.n_points
    for name in ("params", "front", "weights", "parents", "residuals", "expanded", "links"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def _same_counts(a, b):
    for name in ("n_grad", "n_hvp"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert (a.total_grad, a.total_hvp) == (b.total_grad, b.total_hvp)


def _same_set(a, b):
    _same_points(a, b)
    _same_counts(a, b)


def _net_problem(n_rows=200, seed=0):
    """A small two-task shared-trunk network, and a row sampler for its Hessian."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, 3))
    targets = [np.tanh(X[:, 0]), np.tanh(X[:, 0] - X[:, 1])]
    net = SharedTrunkNet(3, (4,), (1, 1))
    losses = ["squared_error"] * 2
    fun = net.objective(X, targets, losses, alpha=1e-2)

    def hess_sampler(rng):
        rows = rng.choice(n_rows, size=n_rows // 2, replace=False)
        return net.objective(X[rows], [t[rows] for t in targets], losses, alpha=1e-2)

    return fun, hess_sampler, net.init_params(0)


QUAD = dict(n_steps=3, tol=1e-10)
NET = dict(n_steps=2, tol=1e-6, options=SolverOptions(minres_rtol=1e-6, minres_maxiter=100,
                                                      max_iter=3000))


@pytest.fixture(scope="module")
def quadratic():
    problem = ConvexQuadratic(n=6, m=3, random_state=1)
    return problem, explore(problem.fun, problem.x0, n_jobs=1, **QUAD)


@pytest.fixture(scope="module")
def fonseca():
    # the defaults on a two-task set with folds: both directions run in parallel
    problem = FonsecaFleming(n=10)
    return problem, explore(problem.fun, np.linspace(-0.2, 0.25, 10))


@pytest.fixture(scope="module")
def network():
    fun, sampler, x0 = _net_problem()
    return fun, sampler, x0, explore(fun, x0, n_jobs=1, **NET)


@pytest.fixture(scope="module")
def sampled():
    fun, sampler, _, x0 = make_ridge_tasks(m=2)
    options = dict(SAMPLED, options=SolverOptions(hess_sampler=sampler(60)), random_state=4)
    return fun, x0, options, explore(fun, x0, n_jobs=1, **options)


def test_quadratic_set_is_large_enough(quadratic):
    _, pset = quadratic
    assert pset.n_points >= 10  # several lattice nodes per ring


def test_loky_equals_serial(quadratic):
    problem, serial = quadratic
    _same_set(serial, explore(problem.fun, problem.x0, n_jobs=2, **QUAD))


def test_two_task_defaults_loky_equals_serial(fonseca):
    problem, serial = fonseca
    assert serial.n_points >= 20
    _same_points(serial, explore(problem.fun, np.linspace(-0.2, 0.25, 10), n_jobs=2))


def test_two_task_work_counts_do_not_depend_on_n_jobs(fonseca):
    problem, serial = fonseca
    _same_counts(serial, explore(problem.fun, np.linspace(-0.2, 0.25, 10), n_jobs=2))


def test_network_loky_equals_serial(network):
    fun, _, x0, serial = network
    assert serial.n_points >= 3
    _same_points(serial, explore(fun, x0, n_jobs=2, **NET))


def test_sampled_loky_equals_serial(sampled):
    fun, x0, options, serial = sampled
    assert serial.n_points >= 10
    _same_points(serial, explore(fun, x0, n_jobs=2, **options))


def test_objective_closures_pickle(network):
    fun, sampler, x0, _ = network
    fun2, sampler2 = cloudpickle.loads(cloudpickle.dumps((fun, sampler)))
    np.testing.assert_array_equal(fun2(x0), fun(x0))
    sub = sampler(np.random.default_rng(3))
    sub2 = sampler2(np.random.default_rng(3))
    np.testing.assert_array_equal(sub2(x0), sub(x0))
    assert not np.array_equal(sub(x0), fun(x0))  # a real subsample


def test_threading_backend_equals_serial(quadratic, fonseca):
    problem, serial = quadratic
    with joblib.parallel_backend("threading", n_jobs=2):
        _same_set(serial, explore(problem.fun, problem.x0, **QUAD))
    problem, serial = fonseca
    with joblib.parallel_backend("threading", n_jobs=2):
        _same_points(serial, explore(problem.fun, np.linspace(-0.2, 0.25, 10), n_jobs=2))


def test_dask_local_cluster_equals_serial(quadratic, sampled):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=40) as cluster, \
            distributed.Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        problem, serial = quadratic
        with distributed.get_task_stream(client) as tasks, joblib.parallel_backend("dask"):
            pset = explore(problem.fun, problem.x0, **QUAD)
        assert len(tasks.data) > 0  # the lattice nodes ran on the workers
        _same_set(serial, pset)
        fun, x0, options, serial = sampled
        with joblib.parallel_backend("dask"):
            pset = explore(fun, x0, **options)
        _same_points(serial, pset)



def test_fits_in_threads_leave_blas_threads_as_they_found_them(monkeypatch):
    # each fit held BLAS to one thread and restored the count it found on leaving: of two
    # fits in threads, the last to leave restored the first's limit of one, and the process
    # ran on one BLAS thread from then on. One limit now, set by the first to enter and
    # restored by the last to leave (threadpoolctl replaced by a recorder: what OpenBLAS
    # reports from threads is not reliable enough to assert on)
    import threading

    import skpareto._estimator as estimator

    calls = []

    class Recorder:
        def __init__(self, limits, user_api):
            calls.append(("limit", limits, user_api))

        def restore_original_limits(self):
            calls.append(("restore",))

    monkeypatch.setattr(estimator, "threadpool_limits", Recorder)
    entered, leave_first, first_left = threading.Event(), threading.Event(), threading.Event()

    def first():
        with estimator._one_blas_thread():
            entered.set()
            leave_first.wait(10)
        first_left.set()

    def second():
        entered.wait(10)
        with estimator._one_blas_thread():
            leave_first.set()
            first_left.wait(10)
            calls.append(("second still inside",))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert calls == [("limit", 1, "blas"), ("second still inside",), ("restore",)]
    assert estimator._BLAS["users"] == 0 and estimator._BLAS["limiter"] is None
