"""hessian_operator and value_and_jacobian against dense autograd derivatives."""

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

from skpareto._hvp import check_point, hessian_operator, value_and_jacobian
from skpareto.exceptions import NonFiniteError

RTOL = 1e-12


@pytest.mark.parametrize("damping", [0.0, 0.5])
def test_operator_is_dense_hessian(saddle_net, damping):
    fun, x, w = saddle_net["fun"], saddle_net["x"], saddle_net["weights"]
    op = hessian_operator(fun, x, w, damping=damping)
    assert op.dtype == np.float64 and op.shape == (x.size, x.size)
    H = autograd.hessian(lambda z: w @ fun(z))(x) + damping * np.eye(x.size)
    rng = np.random.default_rng(0)
    u, v = rng.normal(size=(2, x.size))
    Hv, Hu = op.matvec(v), op.matvec(u)
    assert Hv.dtype == np.float64
    np.testing.assert_allclose(Hv, H @ v, rtol=RTOL, atol=RTOL * np.abs(H @ v).max())
    # symmetric: u.Hv == v.Hu, and the adjoint is the operator itself
    assert abs(u @ Hv - v @ Hu) <= RTOL * np.linalg.norm(u) * np.linalg.norm(Hv)
    np.testing.assert_allclose(op.rmatvec(v), Hv, rtol=0, atol=0)
    # the weighted gradient at x, and the matvec count
    grad = autograd.grad(lambda z: w @ fun(z))(x)
    np.testing.assert_allclose(op.grad, grad, rtol=RTOL, atol=1e-15)
    assert op.n_matvec == 3
    np.testing.assert_allclose(op.matmat(np.stack([u, v], axis=1)), H @ np.stack([u, v], 1),
                               rtol=RTOL, atol=RTOL * np.abs(H).max())


def test_operator_float64_from_float32_objective():
    def fun(x):
        return anp.stack([anp.sum(x ** 4), anp.sum(anp.cos(x))]).astype(np.float32)

    x = np.linspace(-1.0, 1.0, 5)
    op = hessian_operator(fun, x, np.array([0.25, 0.75]))
    out = op.matvec(np.ones(5, dtype=np.float32))
    assert out.dtype == np.float64 and op.dtype == np.float64


def test_value_and_jacobian(saddle_net):
    fun, x = saddle_net["fun"], saddle_net["x"]
    values, jac = value_and_jacobian(fun, x)
    np.testing.assert_allclose(values, fun(x), rtol=RTOL)
    np.testing.assert_allclose(jac, autograd.jacobian(fun)(x), rtol=RTOL, atol=1e-15)
    # against central differences too
    h, e = 1e-6, np.eye(x.size)
    fd = np.stack([(fun(x + h * e[j]) - fun(x - h * e[j])) / (2 * h) for j in range(x.size)], 1)
    np.testing.assert_allclose(jac, fd, rtol=0, atol=1e-7 * np.abs(jac).max())


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_non_finite_raises():
    with pytest.raises(NonFiniteError, match="non-finite objectives"):
        value_and_jacobian(lambda x: anp.stack([anp.log(x[0]), x[1]]), np.array([-1.0, 0.0]))
    with pytest.raises(NonFiniteError, match="gradients"):
        value_and_jacobian(lambda x: anp.stack([anp.sqrt(x[0]), x[1]]), np.array([0.0, 0.0]))
    with pytest.raises(ValueError, match="fun must return a 1-D"):
        value_and_jacobian(lambda x: anp.sum(x), np.ones(2))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("dense", [False, True])
def test_a_hessian_that_is_not_finite_raises(dense):
    # log-sum-exp where every exp underflows: finite objectives, NaN second derivatives
    def fun(x):
        return anp.stack([anp.log(anp.sum(anp.exp(x))), anp.sum(x ** 2)])

    x = np.full(3, -800.0)
    with pytest.raises(NonFiniteError, match="not finite"):
        op = hessian_operator(fun, x, np.array([0.5, 0.5]), dense=dense)
        op.matvec(np.ones(3))
    # the same objectives where they are finite give a finite operator
    op = hessian_operator(fun, np.zeros(3), np.array([0.5, 0.5]), dense=dense)
    assert np.all(np.isfinite(op.matvec(np.ones(3))))


@pytest.mark.parametrize("x", [[np.nan], [np.inf, 1.0], [], [[1.0]], ["a"], [1j]])
def test_check_point_rejects(x):
    with pytest.raises(ValueError, match="point"):
        check_point(x, name="point")
