"""skpareto._linalg and the bordered tangents of the continuation, against dense references.

The references are formed here independently: autograd's dense Hessian, numpy's
direct solvers, and the derivative of the analytic Pareto set of a convex quadratic.
"""

import warnings

import autograd
import numpy as np
import pytest
from scipy.sparse.linalg import LinearOperator

from skpareto import tangent_directions
from skpareto._hvp import hessian_operator, value_and_jacobian
from skpareto._linalg import (DenseHessian, DenseSystem, HessianOperator, bordered_operator,
                              minres_solve, solve)
from skpareto._tangent import front_tangents
from skpareto._weights import zero_sum_basis
from skpareto.problems import ConvexQuadratic


def _dense_hessian(fun, x, w):
    return autograd.hessian(lambda z: np.asarray(w) @ fun(z))(x)


def _bordered(hess, border):
    k = border.shape[1]
    return np.block([[hess, border], [border.T, np.zeros((k, k))]])


# -- operators ----------------------------------------------------------------------------


@pytest.mark.parametrize("damping", [0.0, 0.3])
def test_dense_hessian_is_the_autograd_hessian(saddle_net, damping):
    fun, x, w = saddle_net["fun"], saddle_net["x"], saddle_net["weights"]
    op = hessian_operator(fun, x, w, damping=damping, dense=True)
    assert isinstance(op, DenseHessian) and op.shape == (x.size, x.size)
    reference = _dense_hessian(fun, x, w) + damping * np.eye(x.size)
    np.testing.assert_allclose(op.matrix, reference, rtol=0,
                               atol=1e-12 * np.abs(reference).max())
    np.testing.assert_array_equal(op.matrix, op.matrix.T)
    # forming it costs n products; applying it afterwards costs none
    assert op.n_matvec == x.size
    v = np.random.default_rng(0).normal(size=x.size)
    np.testing.assert_allclose(op.matvec(v), reference @ v, rtol=1e-10,
                               atol=1e-12 * np.abs(reference @ v).max())
    assert op.n_matvec == x.size
    np.testing.assert_allclose(op.grad, autograd.grad(lambda z: w @ fun(z))(x), rtol=1e-12,
                               atol=1e-15)


def test_bordered_operator_matrix_free_and_dense(saddle_net):
    fun, x, w = saddle_net["fun"], saddle_net["x"], saddle_net["weights"]
    _, jac = value_and_jacobian(fun, x)
    border = jac.T @ zero_sum_basis(len(w)).T
    reference = _bordered(_dense_hessian(fun, x, w), border)
    op = hessian_operator(fun, x, w)
    system = bordered_operator(op, border)
    assert isinstance(system, LinearOperator) and system.shape == reference.shape
    v = np.random.default_rng(1).normal(size=reference.shape[0])
    np.testing.assert_allclose(system.matvec(v), reference @ v, rtol=1e-10,
                               atol=1e-12 * np.abs(reference @ v).max())
    np.testing.assert_allclose(system.rmatvec(v), reference @ v, rtol=1e-10,
                               atol=1e-12 * np.abs(reference @ v).max())
    assert op.n_matvec == 2  # the products of the Hessian block are counted
    dense = bordered_operator(hessian_operator(fun, x, w, dense=True), border)
    assert isinstance(dense, DenseSystem)
    np.testing.assert_allclose(dense.matrix, reference, rtol=0,
                               atol=1e-12 * np.abs(reference).max())


# -- solve and minres_solve -------------------------------------------------------------------


def _operator(a):
    return HessianOperator(lambda v: a @ v, len(a), 0.0, np.zeros(len(a)))


def test_solve_dense_is_direct_and_singular_is_least_squares():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(6, 6))
    a = a + a.T
    rhs = rng.normal(size=6)
    v, residual = solve(a, rhs, rtol=1e-3, maxiter=1)  # rtol, maxiter: unused by a matrix
    np.testing.assert_allclose(v, np.linalg.solve(a, rhs), rtol=1e-12)
    assert residual <= 1e-13
    singular = np.diag([2.0, 1.0, 0.0])
    v, residual = solve(singular, np.array([2.0, 1.0, 1.0]), rtol=1e-10, maxiter=None)
    np.testing.assert_allclose(v, [1.0, 1.0, 0.0], atol=1e-15)  # minimum norm
    assert residual == pytest.approx(1.0 / np.sqrt(6.0), rel=1e-12)
    assert solve(a, np.zeros(6), rtol=1e-10, maxiter=None)[1] == 0.0


def test_a_border_on_another_scale_than_its_block_is_solved_not_dropped():
    # a Hessian of 1e4 bordered by a gradient difference of 1e-4: the bordered matrix has an
    # eigenvalue 1e-15 of its largest, below what the eigendecomposition keeps
    rng = np.random.default_rng(4)
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    hess = (q * np.array([1e4, 2e4, 3e4])) @ q.T
    border = 1e-4 * rng.normal(size=(3, 1))
    system = bordered_operator(DenseHessian(lambda v: hess @ v, 3, 0.0, np.zeros(3)), border)
    assert not system.well_conditioned
    rhs = np.array([0.0, 0.0, 0.0, 1.0])
    v, residual = solve(system, rhs, rtol=1e-10, maxiter=None)
    # exact: v = -H^-1 b mu, b.T v = 1, so mu = -1 / (b.T H^-1 b)
    inv_b = np.linalg.solve(hess, border[:, 0])
    mu = -1.0 / (border[:, 0] @ inv_b)
    np.testing.assert_allclose(v, np.append(-inv_b * mu, mu), rtol=1e-9)
    assert residual <= 1e-6  # H v and b mu cancel from 1e8: rounding of 3e-8 measured
    # a singular block stays least squares: scaling the border does not make it solvable
    singular = np.diag([1e4, 1e4, 0.0])
    system = bordered_operator(DenseHessian(lambda v: singular @ v, 3, 0.0, np.zeros(3)),
                               np.array([[1e-4], [0.0], [0.0]]))
    v, _ = solve(system, np.array([0.0, 0.0, 1.0, 1.0]), rtol=1e-10, maxiter=None)
    assert np.all(np.isfinite(v)) and abs(v[2]) <= 1e-12


@pytest.mark.parametrize("dense", [True, False])
def test_solve_truncates_to_the_radius_on_the_head(dense):
    rng = np.random.default_rng(3)
    q, _ = np.linalg.qr(rng.normal(size=(30, 30)))
    a = (q * np.logspace(-4, 0, 30)) @ q.T
    rhs = rng.normal(size=30)
    free, _ = solve(a if dense else _operator(a), rhs, rtol=1e-12, maxiter=None)
    radius = 0.01 * np.linalg.norm(free[:20])
    v, residual = solve(a if dense else _operator(a), rhs, rtol=1e-12, maxiter=None,
                        radius=radius, head=20)
    assert np.linalg.norm(v[:20]) == pytest.approx(radius, rel=1e-12)
    np.testing.assert_allclose(residual, np.linalg.norm(a @ v - rhs) / np.linalg.norm(rhs),
                               rtol=1e-10)
    assert residual > 1e-3  # a truncated step does not solve the system



@pytest.mark.parametrize("head", [6, 8])
def test_a_truncated_dense_step_has_the_least_residual_within_the_radius(head):
    # an indefinite matrix with a nearly singular direction: the Newton step lies along it.
    # Scaled back to the radius it barely lowers the residual; the step of least residual
    # within the radius (checked against SLSQP on the constrained least squares) does.
    # head = 8, the whole step: solved in the eigenbasis, without a linear solve per mu
    from scipy.optimize import minimize

    rng = np.random.default_rng(5)
    q, _ = np.linalg.qr(rng.normal(size=(8, 8)))
    a = (q * np.array([1e-6, -0.5, 0.8, 1.0, 1.5, -2.0, 3.0, 4.0])) @ q.T
    rhs = q @ np.r_[1e-3, rng.normal(size=7)]
    newton, _ = solve(a, rhs, rtol=0.0, maxiter=None)
    radius = 2.0
    assert np.linalg.norm(newton[:head]) > 100 * radius
    v, residual = solve(a, rhs, rtol=0.0, maxiter=None, radius=radius, head=head)
    assert np.linalg.norm(v[:head]) == pytest.approx(radius, rel=1e-12)
    scaled = newton * radius / np.linalg.norm(newton[:head])
    assert np.linalg.norm(a @ scaled - rhs) > 0.99 * np.linalg.norm(rhs)
    assert residual < 0.25
    best = min((minimize(lambda s: np.sum((a @ s - rhs) ** 2), start, method="SLSQP",
                         constraints=[{"type": "ineq",
                                       "fun": lambda s: radius ** 2 - s[:head] @ s[:head]}],
                         options=dict(ftol=1e-14, maxiter=500))
                for start in (np.zeros(8), scaled, v)), key=lambda r: r.fun)
    reference = np.sqrt(best.fun) / np.linalg.norm(rhs)
    assert residual <= reference * (1 + 1e-6) + 1e-12


def test_a_dense_system_solves_by_lu_where_conditioned_and_decomposes_once(monkeypatch):
    # well conditioned: LU, the unique solution (numpy's); an eigenvalue 1e-14 of the
    # largest: not by LU but by the eigendecomposition, that direction dropped (minimum norm).
    # Solves with other right-hand sides and radii reuse both factorizations
    rng = np.random.default_rng(6)
    q, _ = np.linalg.qr(rng.normal(size=(10, 10)))
    spectrum = np.array([-3.0, -1.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0])
    calls = []
    eigh = np.linalg.eigh
    monkeypatch.setattr(np.linalg, "eigh", lambda a: calls.append(a.shape) or eigh(a))
    good = DenseSystem((q * spectrum) @ q.T)
    rhs = rng.normal(size=10)
    v, residual = solve(good, rhs, rtol=0.0, maxiter=None)
    assert good.well_conditioned and not calls
    np.testing.assert_allclose(v, np.linalg.solve(good.matrix, rhs), rtol=1e-12)
    assert residual <= 1e-14
    spectrum[2] = 1e-14
    bad = DenseSystem((q * spectrum) @ q.T)
    for k in range(3):
        v, _ = solve(bad, rhs + k, rtol=0.0, maxiter=None)
        coef = q.T @ (rhs + k)
        coef[2] = 0.0
        np.testing.assert_allclose(v, q @ (coef / np.where(coef == 0, 1.0, spectrum)),
                                   rtol=1e-10, atol=1e-12)
        solve(bad, rhs, rtol=0.0, maxiter=None, radius=0.1 / (k + 1), head=8)
    assert not bad.well_conditioned and calls.count((10, 10)) == 1
    assert calls.count((8, 8)) == 1  # three radii, one right-hand side


@pytest.mark.parametrize("rank", [2, 1])
def test_damped_head_is_the_damped_system_solved_whole(rank):
    # the head's step with the border's block eliminated, against numpy on the whole
    # (gram + mu P) system for mu across twelve decades; a border of deficient rank
    # (a singular tail block) is solved whole
    from skpareto._linalg import _damped_head

    rng = np.random.default_rng(7)
    head, k = 9, 2
    a = rng.normal(size=(head, head))
    border = rng.normal(size=(head, rank)) @ rng.normal(size=(rank, k))
    matrix = _bordered(a + a.T, border) / 10.0
    gram, target = matrix @ matrix, matrix @ rng.normal(size=head + k)
    step, length = _damped_head(gram, target, head)
    penalty = np.r_[np.ones(head), np.zeros(k)]
    for mu in np.logspace(-8, 3, 12):
        whole = np.linalg.lstsq(gram + np.diag(mu * penalty), target, rcond=None)[0]
        v = step(mu)
        np.testing.assert_allclose(v[:head], whole[:head], rtol=1e-6,
                                   atol=1e-9 * np.abs(whole[:head]).max())
        if rank == k:  # a singular tail leaves the tail undetermined
            np.testing.assert_allclose(v, whole, rtol=1e-6, atol=1e-9 * np.abs(whole).max())
        assert length(mu) == pytest.approx(np.linalg.norm(whole[:head]), rel=1e-6)


def test_minres_solve_on_a_dense_hessian_agrees_with_the_direct_solve(saddle_net):
    fun, x, w = saddle_net["fun"], saddle_net["x"], saddle_net["weights"]
    rhs = np.random.default_rng(4).normal(size=x.size)
    direct, _ = solve(hessian_operator(fun, x, w, dense=True), rhs, rtol=0.0, maxiter=None)
    krylov, residual = minres_solve(hessian_operator(fun, x, w), rhs, rtol=1e-12,
                                    maxiter=None)
    assert residual <= 1e-12
    np.testing.assert_allclose(krylov, direct, rtol=0, atol=1e-8 * np.abs(direct).max())


# -- front_tangents ---------------------------------------------------------------------------


@pytest.mark.parametrize("m, n", [(2, 6), (3, 8), (4, 12)])
@pytest.mark.parametrize("dense", [True, False])
def test_front_tangents_are_the_analytic_set_per_unit_front(m, n, dense):
    # x(w) of a convex quadratic moves by D^T d for a zero-sum change d of the weights
    # (D = set_derivative), its front coordinates by Z^T J D^T d; per unit of the front
    # coordinates, d = Z M^-1 with M = Z^T J D^T Z
    problem = ConvexQuadratic(n=n, m=m, condition=30.0, random_state=m + n)
    w = np.random.default_rng(m).dirichlet(np.ones(m))
    x = problem.pareto_set(w)
    _, jac = value_and_jacobian(problem.fun, x)
    z = zero_sum_basis(m).T
    d_set = problem.set_derivative(w)
    dw_ref = z @ np.linalg.inv(z.T @ jac @ d_set.T @ z)  # (m, m - 1): columns per unit c_j
    dx_ref = d_set.T @ dw_ref
    op = hessian_operator(problem.fun, x, w, dense=dense)
    directions, rates, residuals = front_tangents(op, jac, rtol=1e-12, maxiter=None)
    assert directions.shape == (m - 1, n) and rates.shape == (m - 1, m)
    np.testing.assert_allclose(directions, dx_ref.T, rtol=0, atol=1e-8 * np.abs(dx_ref).max())
    np.testing.assert_allclose(rates, dw_ref.T, rtol=0, atol=1e-8 * np.abs(dw_ref).max())
    np.testing.assert_allclose(rates.sum(axis=1), 0.0, atol=1e-12)  # on the simplex plane
    # each moves the front coordinates by a unit vector
    np.testing.assert_allclose(z.T @ jac @ directions.T, np.eye(m - 1), atol=1e-8)
    assert np.all(residuals <= 1e-10)


def test_front_tangents_solve_the_bordered_system_on_a_network(saddle_net):
    fun, x, w = saddle_net["fun"], saddle_net["x"], saddle_net["weights"]
    m = len(w)
    _, jac = value_and_jacobian(fun, x)
    z = zero_sum_basis(m).T
    reference = _bordered(_dense_hessian(fun, x, w), jac.T @ z)
    rhs = np.vstack([np.zeros((x.size, m - 1)), np.eye(m - 1)])
    expected = np.linalg.solve(reference, rhs)  # (n + m - 1, m - 1)
    directions, rates, residuals = front_tangents(hessian_operator(fun, x, w), jac,
                                                  rtol=1e-12, maxiter=None)
    scale = np.abs(expected[:x.size]).max()
    np.testing.assert_allclose(directions, expected[:x.size].T, rtol=0, atol=1e-6 * scale)
    np.testing.assert_allclose(rates, (z @ expected[x.size:]).T, rtol=0,
                               atol=1e-6 * np.abs(z @ expected[x.size:]).max())
    assert np.all(residuals <= 1e-10)


def test_a_truncated_dense_step_does_not_depend_on_the_matrix_scale():
    # Hessians near a kink are astronomically large; the step within the radius must not
    # overflow (squares of 1e200) and is the same as for the matrix scaled down
    rng = np.random.default_rng(6)
    q, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    a = (q * np.array([1e-6, -0.5, 1.0, 2.0, -3.0, 4.0])) @ q.T
    rhs = rng.normal(size=6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v, residual = solve(1e200 * a, 1e200 * rhs, rtol=0.0, maxiter=None, radius=0.5)
    reference, expected = solve(a, rhs, rtol=0.0, maxiter=None, radius=0.5)
    assert np.linalg.norm(v) == pytest.approx(0.5, rel=1e-12)
    np.testing.assert_allclose(v, reference, rtol=1e-9, atol=1e-12)
    assert residual == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("scale", [1e-20, 1e-200, 1e200])
def test_minres_solves_an_operator_on_any_scale(scale):
    # SciPy's MINRES takes quantities below its machine epsilon for zero, absolutely: an
    # operator of norm 1e-20 (objectives scaled by 1e-20) stopped at residual 1 with a
    # solution 1e-20 of the true one; at 1e-200 the norm of the right-hand side underflowed
    # and the solve returned zero with residual 0; an operator of 1e200 overflowed
    rng = np.random.default_rng(3)
    q, _ = np.linalg.qr(rng.normal(size=(30, 30)))
    a = (q * np.linspace(-2.0, 5.0, 30)) @ q.T  # indefinite, as a saddle's Hessian
    rhs = rng.normal(size=30)
    op = LinearOperator((30, 30), matvec=lambda v: (scale * a) @ v, dtype=np.float64)
    v, residual = minres_solve(op, scale * rhs, rtol=1e-10, maxiter=None)
    np.testing.assert_allclose(v, np.linalg.solve(a, rhs), rtol=1e-8, atol=1e-10)
    assert residual <= 1e-10


def test_tangent_directions_do_not_depend_on_the_objectives_scale():
    # n = 40 (the matrix-free path): f scaled by 1e-20 gave directions 1e-18 long, and
    # explore 17 isolated points where scale 1 gives a set covering every weight
    rng = np.random.default_rng(12)
    n = 40
    a = [rng.standard_normal((n + 5, n)) for _ in range(2)]
    b = [rng.standard_normal(n + 5) for _ in range(2)]
    w = np.array([0.3, 0.7])
    h = sum(wi * ai.T @ ai for wi, ai in zip(w, a))
    x = np.linalg.solve(h, sum(wi * ai.T @ bi for wi, ai, bi in zip(w, a, b)))
    results = []
    for scale in (1.0, 1e-20):
        def fun(z, scale=scale):
            return scale * autograd.numpy.array(
                [autograd.numpy.sum((autograd.numpy.dot(ai, z) - bi) ** 2) for ai, bi in zip(a, b)])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            results.append(tangent_directions(fun, x, weights=w))
    np.testing.assert_allclose(results[1].directions, results[0].directions, rtol=1e-7,
                               atol=1e-9)
    assert results[1].residuals.max() <= 1e-8
