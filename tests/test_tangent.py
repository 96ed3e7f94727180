"""tangent_directions against dense solves, the analytic Pareto set and finite differences."""

import warnings

import autograd
import numpy as np
import pytest
from scipy.linalg import subspace_angles
from scipy.sparse.linalg import LinearOperator, minres

import skpareto._hvp
from skpareto import tangent_directions
from skpareto._linalg import HessianOperator, minres_solve
from skpareto._weights import zero_sum_basis
from skpareto.exceptions import ConvergenceWarning
from skpareto.problems import ConvexQuadratic

ANGLE_TOL = 1e-8        # largest principal angle between spans (radians)
FD_TOL = 1e-7           # central differences, h = 1e-5: O(h^2) + O(eps / h)
DENSE_TOL = 1e-6        # relative error against numpy.linalg.solve
ORTHO_TOL = 1e-8        # |alpha^T J v| / (max_i ||grad f_i|| ||v||)


def analytic_set(problem, w):
    """x(w) = (sum w_i A_i)^-1 sum w_i A_i c_i, computed here independently."""
    H = np.einsum("i,ijk->jk", w, problem.A)
    return np.linalg.solve(H, np.einsum("i,ijk,ik->j", w, problem.A, problem.c))


def dense_hessian(fun, x, weights):
    return autograd.hessian(lambda z: np.asarray(weights) @ fun(z))(x)


def relative_error(a, b):
    return np.linalg.norm(a - b, axis=-1) / np.linalg.norm(b, axis=-1)


def check_orthogonal(res):
    scale = np.max(np.linalg.norm(res.jac, axis=1)) * np.linalg.norm(res.directions, axis=1)
    assert np.all(np.abs(res.front_directions @ res.weights) <= ORTHO_TOL * scale)


QUADRATICS = [(2, 5), (2, 50), (3, 12), (3, 50), (4, 30), (4, 50)]


@pytest.mark.parametrize("m, n", QUADRATICS)
def test_quadratic_span_and_finite_differences(m, n):
    problem = ConvexQuadratic(n, m, condition=100.0, random_state=10 * m + n)
    w = np.random.default_rng(n).dirichlet(np.ones(m))
    x = analytic_set(problem, w)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        res = tangent_directions(problem.fun, x)
    # default weights: the min-norm weights, which are w at x(w)
    np.testing.assert_allclose(res.weights, w, atol=1e-10)
    np.testing.assert_allclose(res.betas, zero_sum_basis(m), atol=0)
    assert res.directions.shape == (m - 1, n) and res.front_directions.shape == (m - 1, m)
    H = np.einsum("i,ijk->jk", w, problem.A)
    grads = np.einsum("ijk,ik->ij", problem.A, x[None, :] - problem.c)
    np.testing.assert_allclose(res.jac, grads, rtol=1e-12, atol=1e-12)
    reference = np.linalg.solve(H, grads.T @ zero_sum_basis(m).T)
    assert np.max(subspace_angles(res.directions.T, reference)) <= ANGLE_TOL
    assert np.all(relative_error(res.directions, reference.T) <= ANGLE_TOL)
    # d alpha = -beta: the direction is the derivative of x(w) along -beta
    h = 1e-5
    for v, beta in zip(res.directions, res.betas):
        fd = (analytic_set(problem, w - h * beta) - analytic_set(problem, w + h * beta)) / (2 * h)
        assert relative_error(v, fd) <= FD_TOL
    np.testing.assert_allclose(res.front_directions, res.directions @ grads.T, rtol=1e-12,
                               atol=1e-14 * np.abs(res.front_directions).max())
    check_orthogonal(res)
    assert np.all(res.residuals <= 1e-10)


def test_quadratic_explicit_betas_and_weights():
    problem = ConvexQuadratic(20, 3, condition=50.0, random_state=5)
    w = np.array([0.2, 0.5, 0.3])
    x = analytic_set(problem, w)
    betas = np.array([[1.0, -1.0, 0.0], [0.3, 0.3, -0.6], [2.0, 0.0, -2.0]])
    res = tangent_directions(problem.fun, x, weights=w, betas=betas, rtol=1e-12)
    np.testing.assert_array_equal(res.weights, w)
    np.testing.assert_array_equal(res.betas, betas)
    reference = -problem.set_derivative(w).T @ betas.T  # dx along d alpha = -beta
    assert np.all(relative_error(res.directions, reference.T) <= 1e-9)
    check_orthogonal(res)


def test_network_matches_dense_solve(saddle_net):
    fun, x, w = saddle_net["fun"], saddle_net["x"], saddle_net["weights"]
    H = dense_hessian(fun, x, w)
    eig = np.linalg.eigvalsh(H)
    assert eig.min() < -1e-3 * eig.max() and eig.max() > 0  # really indefinite
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        res = tangent_directions(fun, x, weights=w)
    reference = np.linalg.solve(H, res.jac.T @ res.betas.T).T
    assert np.all(relative_error(res.directions, reference) <= DENSE_TOL)
    check_orthogonal(res)
    # the residuals field is the true relative residual of the dense system
    rhs = res.betas @ res.jac
    recomputed = relative_error(res.directions @ H, rhs)
    np.testing.assert_allclose(res.residuals, recomputed, rtol=1e-3, atol=1e-14)
    assert np.all(res.residuals <= 1e-10)


def test_network_hess_fun_uses_that_hessian(saddle_net):
    fun, sub_fun = saddle_net["fun"], saddle_net["sub_fun"]
    x, w = saddle_net["x"], saddle_net["weights"]
    H_sub = dense_hessian(sub_fun, x, w)
    res = tangent_directions(fun, x, weights=w, hess_fun=sub_fun, rtol=1e-12)
    reference = np.linalg.solve(H_sub, res.jac.T @ res.betas.T).T
    assert np.all(relative_error(res.directions, reference) <= DENSE_TOL)
    # and it is really a different system from the full one
    full = np.linalg.solve(dense_hessian(fun, x, w), res.jac.T @ res.betas.T).T
    assert np.all(relative_error(res.directions, full) > 1e-3)


@pytest.mark.parametrize("damping", [0.1, 2.0])
def test_network_damping(saddle_net, damping):
    fun, x, w = saddle_net["fun"], saddle_net["x"], saddle_net["weights"]
    H = dense_hessian(fun, x, w) + damping * np.eye(x.size)
    res = tangent_directions(fun, x, weights=w, damping=damping, rtol=1e-12)
    reference = np.linalg.solve(H, res.jac.T @ res.betas.T).T
    assert np.all(relative_error(res.directions, reference) <= DENSE_TOL)


def _counting(linearize, calls):
    """A linearization ``x -> (hvp, grad)`` whose products add to ``calls[0]``."""
    def counted_linearize(*args):
        hvp, grad = linearize(*args)

        def counted(v):
            calls[0] += 1
            return hvp(v)

        return counted, grad
    return counted_linearize


@pytest.mark.parametrize("products", ["autograd", "own"])
def test_n_hvp_counts_matvecs(monkeypatch, saddle_net, products):
    # the network's own products (its weighted_hvp) or autograd's for any objective
    calls = [0]
    fun = saddle_net["fun"]
    if products == "own":
        own = fun.weighted_hvp
        monkeypatch.setattr(fun, "weighted_hvp", _counting(own, calls))
    else:
        make_hvp = skpareto._hvp.make_hvp
        monkeypatch.setattr(skpareto._hvp, "make_hvp",
                            lambda f: _counting(make_hvp(f), calls))
        fun = (lambda f: lambda z: f(z))(fun)  # without the network's own products
    x, w = saddle_net["x"], saddle_net["weights"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for maxiter in (3, None):
            calls[0] = 0
            res = tangent_directions(fun, x, weights=w, maxiter=maxiter)
            assert res.n_hvp == calls[0] > 0
            if maxiter is not None:  # maxiter MINRES steps, their residual checkpoints
                k = len(res.betas)  # (at most one per step) and one final residual each
                assert k * (maxiter + 1) <= res.n_hvp <= k * (2 * maxiter + 1)


def test_maxiter_one_warns_and_keeps_residual():
    problem = ConvexQuadratic(30, 3, condition=1e6, random_state=0)
    w = np.array([0.3, 0.3, 0.4])
    x = analytic_set(problem, w)
    with pytest.warns(ConvergenceWarning, match="increase maxiter"):
        res = tangent_directions(problem.fun, x, weights=w, maxiter=1)
    H = np.einsum("i,ijk->jk", w, problem.A)
    rhs = res.betas @ res.jac
    recomputed = relative_error(res.directions @ H, rhs)
    assert np.all(res.residuals > 1e-3)
    np.testing.assert_allclose(res.residuals, recomputed, rtol=1e-10)
    assert res.n_hvp == 2 * len(res.betas)


@pytest.mark.parametrize("kwargs, name", [
    (dict(x=np.array([np.nan, 0.0])), "x"),
    (dict(x=np.zeros((2, 2))), "x"),
    (dict(weights=[0.7, 0.7]), "weights"),
    (dict(weights=[1.0]), "weights"),
    (dict(betas=np.ones((1, 3))), "betas"),
    (dict(betas=[[np.inf, 1.0]]), "betas"),
    (dict(rtol=0.0), "rtol"),
    (dict(maxiter=0), "maxiter"),
    (dict(damping=-1.0), "damping"),
    (dict(hess_fun=3), "hess_fun must be callable"),
    (dict(hess_fun=lambda x: autograd.numpy.stack([autograd.numpy.sum(x ** 2)] * 3)),
     r"hess_fun must return 2 objectives"),
])
def test_bad_arguments(kwargs, name):
    def fun(x):
        return autograd.numpy.stack([autograd.numpy.sum((x - 1.0) ** 2),
                                     autograd.numpy.sum((x + 1.0) ** 2)])
    args = dict(x=np.zeros(2))
    args.update(kwargs)
    x = args.pop("x")
    with pytest.raises(ValueError, match=name):
        tangent_directions(fun, x, **args)


@pytest.mark.parametrize("rtol", [0.4, 1e-2, 1e-4])
def test_minres_solve_reaches_rtol_on_an_ill_conditioned_system(rtol):
    # condition 1e4 and a right-hand side weighted towards the small eigenvalues: there
    # SciPy's MINRES stops on its least-squares test (||A r|| <= rtol ||A|| ||r||) before
    # it reduces ||r|| by rtol (at rtol=0.4, not at all); the restarts must tighten until
    # the true residual meets rtol
    rng = np.random.default_rng(0)
    n = 200
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    eigenvalues = np.logspace(-2, 2, n)
    a = (q * eigenvalues) @ q.T
    rhs = q @ (rng.standard_normal(n) / np.sqrt(eigenvalues))
    op = LinearOperator((n, n), matvec=lambda v: a @ v, dtype=float)
    v, residual = minres_solve(op, rhs, rtol=rtol, maxiter=2 * n)
    true = np.linalg.norm(a @ v - rhs) / np.linalg.norm(rhs)
    assert true <= rtol
    np.testing.assert_allclose(residual, true, rtol=1e-6)


@pytest.mark.parametrize("rtol", [0.3, 1e-2, 1e-6])
def test_minres_solve_costs_about_one_uninterrupted_minres_run(rtol):
    # an indefinite system of condition 100 whose right-hand side leans on its small
    # eigenvalues: SciPy's own tests stop MINRES early there, and restarting from the
    # residual (as an earlier version did) rebuilt the Krylov space again and again. The
    # reference is the number of iterations k one MINRES run needs to reach rtol by the
    # true residual (recorded at every iteration, outside the solver); each checkpoint
    # costs one matvec, and the rate extrapolation puts the last one close to k
    rng = np.random.default_rng(1)
    n = 300
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    eigenvalues = np.logspace(-1, 1, n) * np.where(rng.random(n) < 0.2, -1.0, 1.0)
    a = (q * eigenvalues) @ q.T
    rhs = q @ (rng.standard_normal(n) / np.sqrt(np.abs(eigenvalues)))
    history = []
    minres(a, rhs, rtol=1e-15, maxiter=5 * n,
           callback=lambda x: history.append(np.linalg.norm(a @ x - rhs)))
    reached = np.array(history) <= rtol * np.linalg.norm(rhs)
    assert reached.any()
    k = 1 + int(np.argmax(reached))
    op = HessianOperator(lambda v: a @ v, n, 0.0, np.zeros(n))
    v, residual = minres_solve(op, rhs, rtol=rtol, maxiter=5 * n)
    assert np.linalg.norm(a @ v - rhs) / np.linalg.norm(rhs) <= rtol
    assert k <= op.n_matvec <= 1.5 * k + np.log2(k) + 3


def test_minres_solve_with_zero_rtol_runs_to_maxiter():
    # rtol=0 can never be met: MINRES runs its maxiter iterations (checked now and then)
    # and the true residual of the result is returned
    rng = np.random.default_rng(2)
    a = np.diag(np.logspace(-2, 1, 40))
    rhs = rng.standard_normal(40)
    op = HessianOperator(lambda v: a @ v, 40, 0.0, np.zeros(40))
    v, residual = minres_solve(op, rhs, rtol=0.0, maxiter=25)
    np.testing.assert_allclose(residual, np.linalg.norm(a @ v - rhs) / np.linalg.norm(rhs),
                               rtol=1e-10)
    assert 0 < residual < 1
    assert 26 <= op.n_matvec <= 25 + 10


def test_tangent_memory_is_a_small_multiple_of_the_parameter_vector():
    # issue target: a tangent solve holds < 20 parameter vectors at its peak (Jacobian on
    # all rows, then the traced Hessian on a row sample, MINRES's vectors and the
    # direction); 18.0 measured here, 18.7 at 986,882 parameters (bench_scaling)
    import tracemalloc

    from skpareto._models import SharedTrunkNet

    rng = np.random.default_rng(0)
    X = rng.normal(size=(512, 64))
    targets = [np.tanh(X[:, 0]), np.tanh(X[:, 1] - X[:, 2])]
    net = SharedTrunkNet(64, (300, 300), (1, 1))
    fun = net.objective(X, targets, ["squared_error"] * 2, alpha=1e-4)
    sample = net.objective(X[:64], [t[:64] for t in targets], ["squared_error"] * 2,
                           alpha=1e-4)
    x = net.init_params(0)
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            res = tangent_directions(fun, x, [0.5, 0.5], maxiter=20, damping=0.1,
                                     hess_fun=sample)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert res.n_hvp >= 20
    assert peak / x.nbytes < 20.0
