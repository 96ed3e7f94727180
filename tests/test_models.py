"""SharedTrunkNet: layout, forward pass, losses and gradients against independent references."""

import numpy as np
import pytest
from autograd import jacobian
from sklearn.metrics import log_loss as sk_log_loss

from skpareto._models import SharedTrunkNet

ACT = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0), "identity": lambda z: z}


def _manual_outputs(net, x, X):
    """Forward pass from explicit slicing, independent of unpack()."""
    sizes = (net.n_features,) + net.hidden_layer_sizes
    pos, h = 0, X
    for a, b in zip(sizes[:-1], sizes[1:]):
        W = x[pos:pos + a * b].reshape(a, b)
        pos += a * b
        h = ACT[net.activation](h @ W + x[pos:pos + b])
        pos += b
    outs = []
    for k in net.head_sizes:
        W = x[pos:pos + sizes[-1] * k].reshape(sizes[-1], k)
        pos += sizes[-1] * k
        outs.append(h @ W + x[pos:pos + k])
        pos += k
    assert pos == x.size
    return outs


@pytest.mark.parametrize("hidden", [(), (3,), (4, 2)])
@pytest.mark.parametrize("activation", ["tanh", "relu", "identity"])
def test_layout_and_forward(hidden, activation):
    rng = np.random.default_rng(0)
    net = SharedTrunkNet(5, hidden, (1, 3), activation)
    sizes = (5,) + hidden
    expected = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
    expected += (sizes[-1] + 1) * 1 + (sizes[-1] + 1) * 3
    assert net.n_params == expected
    x = rng.normal(size=net.n_params)
    np.testing.assert_array_equal(net.pack(net.unpack(x)), x)
    X = rng.normal(size=(7, 5))
    for out, ref in zip(net.outputs(x, X), _manual_outputs(net, x, X)):
        np.testing.assert_allclose(out, ref, rtol=1e-14, atol=1e-14)


def test_objective_matches_numpy_and_sklearn_losses():
    rng = np.random.default_rng(1)
    net = SharedTrunkNet(4, (3,), (1, 3), "tanh")
    X = rng.normal(size=(30, 4))
    y_reg = rng.normal(size=30)
    y_cls = rng.integers(0, 3, size=30)
    alpha = 0.3
    fun = net.objective(X, [y_reg, y_cls], ["squared_error", "log_loss"], alpha)
    x = rng.normal(size=net.n_params)
    out_reg, out_cls = _manual_outputs(net, x, X)
    # penalty over weight matrices only: trunk W (4x3), head W (3x1), head W (3x3)
    layers = net.unpack(x)
    penalty = 0.5 * alpha * sum(np.sum(W ** 2) for W, _ in layers)
    proba = np.exp(out_cls - out_cls.max(axis=1, keepdims=True))
    proba /= proba.sum(axis=1, keepdims=True)
    expected = [0.5 * np.mean((out_reg[:, 0] - y_reg) ** 2) + penalty,
                sk_log_loss(y_cls, proba, labels=[0, 1, 2]) + penalty]
    np.testing.assert_allclose(fun(x), expected, rtol=1e-12)
    # biases do not enter the penalty: shifting the trunk bias changes nothing else
    x_shift = x.copy()
    fun0 = net.objective(X, [y_reg, y_cls], ["squared_error", "log_loss"], 0.0)
    fun1 = net.objective(X, [y_reg, y_cls], ["squared_error", "log_loss"], 1.0)
    np.testing.assert_allclose(fun1(x_shift) - fun0(x_shift), 0.5 * sum(
        np.sum(W ** 2) for W, _ in layers) * np.ones(2), rtol=1e-12)


def test_objective_jacobian_matches_finite_differences():
    rng = np.random.default_rng(2)
    net = SharedTrunkNet(3, (4,), (1, 2), "tanh")
    X = rng.normal(size=(20, 3))
    fun = net.objective(X, [rng.normal(size=20), rng.integers(0, 2, 20)],
                        ["squared_error", "log_loss"], 0.1)
    x = rng.normal(size=net.n_params)
    jac = jacobian(fun)(x)
    h = 1e-6
    fd = np.stack([(fun(x + h * e) - fun(x - h * e)) / (2 * h)
                   for e in np.eye(net.n_params)], axis=1)
    np.testing.assert_allclose(jac, fd, rtol=1e-6, atol=1e-8)


def test_penalty_hessian_is_alpha_on_weight_entries():
    # the L2 penalty's gradient is a custom autograd primitive; its second derivative, in
    # the Hessian-vector products and in the dense Hessian, must be alpha on the entries
    # of weight matrices and 0 on biases (the penalty is added to every task)
    from autograd import hessian

    from skpareto._hvp import hessian_operator

    rng = np.random.default_rng(3)
    net = SharedTrunkNet(3, (4, 2), (1, 1), "tanh")
    X = rng.normal(size=(15, 3))
    targets = [rng.normal(size=15), rng.normal(size=15)]
    alpha = 0.7
    with_penalty = net.objective(X, targets, ["squared_error"] * 2, alpha)
    without = net.objective(X, targets, ["squared_error"] * 2, 0.0)
    x = rng.normal(size=net.n_params)
    mask = net.pack([(np.ones_like(W), np.zeros_like(b)) for W, b in net.unpack(x)])
    w = np.array([0.3, 0.7])
    v = rng.normal(size=net.n_params)
    difference = (hessian_operator(with_penalty, x, w).matvec(v)
                  - hessian_operator(without, x, w).matvec(v))
    np.testing.assert_allclose(difference, alpha * mask * v, rtol=1e-10, atol=1e-12)
    dense = (hessian(lambda z: w @ with_penalty(z))(x) - hessian(lambda z: w @ without(z))(x))
    np.testing.assert_allclose(dense, np.diag(alpha * mask), atol=1e-12)


def test_init_params_glorot_and_head_biases():
    net = SharedTrunkNet(6, (4,), (1, 3), "tanh")
    x = net.init_params(0, head_biases=[2.5, [0.1, -0.2, 0.1]])
    layers = net.unpack(x)
    for (W, _), (a, b) in zip(layers, [(6, 4), (4, 1), (4, 3)]):
        assert np.all(np.abs(W) <= np.sqrt(6.0 / (a + b)))
    np.testing.assert_array_equal(layers[0][1], np.zeros(4))
    np.testing.assert_array_equal(layers[1][1], [2.5])
    np.testing.assert_array_equal(layers[2][1], [0.1, -0.2, 0.1])
    np.testing.assert_array_equal(net.init_params(0), net.init_params(0))
    rs = np.random.RandomState(3)
    assert not np.array_equal(net.init_params(rs), net.init_params(rs))


@pytest.mark.parametrize("kwargs, match", [
    (dict(activation="sigmoid"), "activation"),
    (dict(hidden_layer_sizes=(0,)), "hidden_layer_sizes"),
])
def test_bad_layout(kwargs, match):
    args = dict(n_features=3, hidden_layer_sizes=(2,), head_sizes=(1,), activation="tanh")
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        SharedTrunkNet(**args)


def test_bad_objective_arguments():
    net = SharedTrunkNet(3, (2,), (1, 1))
    X = np.zeros((4, 3))
    with pytest.raises(ValueError, match="losses"):
        net.objective(X, [np.zeros(4)] * 2, ["squared_error", "hinge"])
    with pytest.raises(ValueError, match="one entry per head"):
        net.objective(X, [np.zeros(4)], ["squared_error"])
    with pytest.raises(ValueError, match="head_biases"):
        net.init_params(0, head_biases=[0.0])


def test_tanh_second_derivatives_and_saturation():
    from autograd import grad, hessian

    net = SharedTrunkNet(2, (3,), (1,), "tanh")
    rng = np.random.default_rng(4)
    X = rng.normal(size=(10, 2))
    fun = net.objective(X, [rng.normal(size=10)], ["squared_error"])
    x = rng.normal(size=net.n_params)
    hess = hessian(lambda z: fun(z)[0])(x)
    g = grad(lambda z: fun(z)[0])
    h = 1e-5
    fd = np.stack([(g(x + h * e) - g(x - h * e)) / (2 * h) for e in np.eye(net.n_params)])
    np.testing.assert_allclose(hess, fd, rtol=1e-5, atol=1e-7)
    # saturated units: finite zero gradient through them, no overflow warning
    x_big = x.copy()
    x_big[:6] = 1e4
    with np.errstate(over="raise"):
        assert np.all(np.isfinite(g(x_big)))


@pytest.mark.parametrize("activation", ["tanh", "relu", "identity"])
@pytest.mark.parametrize("hidden", [(), (5,), (4, 3)])
@pytest.mark.parametrize("losses", [("squared_error", "squared_error"),
                                    ("log_loss", "squared_error", "log_loss")])
@pytest.mark.parametrize("alpha", [0.0, 0.3])
def test_written_out_derivatives_are_autograds(activation, hidden, losses, alpha):
    # the network's own weighted gradient and Hessian-vector products (Pearlmutter's
    # R-operator, used by hessian_operator instead of autograd's) against autograd's dense
    # Hessian of weights @ fun, to rounding (relative 1e-12)
    import autograd.numpy as anp
    from autograd import grad, hessian
    from skpareto._hvp import hessian_operator

    rng = np.random.default_rng(len(hidden) + 3 * len(losses))
    heads = [1 if name == "squared_error" else 3 for name in losses]
    net = SharedTrunkNet(4, hidden, heads, activation)
    X = rng.normal(size=(11, 4))
    targets = [rng.normal(size=11) if name == "squared_error" else rng.integers(0, 3, 11)
               for name in losses]
    fun = net.objective(X, targets, list(losses), alpha)
    x = rng.normal(size=net.n_params)
    w = rng.dirichlet(np.ones(len(losses)))
    reference = hessian(lambda z: anp.dot(w, fun(z)))(x)
    hvp, g = fun.weighted_hvp(x, w)
    np.testing.assert_allclose(g, grad(lambda z: anp.dot(w, fun(z)))(x), rtol=0,
                               atol=1e-12 * np.abs(g).max())
    columns = np.array([hvp(e) for e in np.eye(net.n_params)]).T
    scale = np.abs(reference).max()
    np.testing.assert_allclose(columns, reference, rtol=0, atol=1e-12 * scale)
    block = rng.normal(size=(3, net.n_params))  # a block of directions: their products
    np.testing.assert_allclose(hvp(block), block @ reference, rtol=0,
                               atol=1e-12 * scale * np.abs(block).sum(axis=1).max())
    dense = hessian_operator(fun, x, w, dense=True)  # the engine takes these products
    np.testing.assert_allclose(dense.matrix, reference, rtol=0, atol=1e-12 * scale)
    # and the objectives and Jacobian, against autograd's on the same function
    values, jac = fun.value_and_jacobian(x)
    np.testing.assert_allclose(values, fun(x), rtol=1e-13, atol=0)
    np.testing.assert_allclose(jac, jacobian(fun)(x), rtol=0, atol=1e-12 * np.abs(jac).max())


def test_a_face_of_the_network_keeps_its_written_out_derivatives():
    # the continuation explores faces of the simplex with the objectives of their tasks;
    # those keep the network's own Jacobian and products (autograd's, on a network of five
    # tasks, took 85 % of a fit), equal to autograd's on the restricted objectives
    import autograd.numpy as anp
    from autograd import hessian
    from skpareto._cover import _restrict

    rng = np.random.default_rng(7)
    losses = ["squared_error", "log_loss", "squared_error", "squared_error", "log_loss"]
    net = SharedTrunkNet(3, (4,), [1 if name == "squared_error" else 2 for name in losses])
    X = rng.normal(size=(9, 3))
    targets = [rng.normal(size=9) if name == "squared_error" else rng.integers(0, 2, 9)
               for name in losses]
    fun = net.objective(X, targets, losses, 0.1)
    face = (1, 3, 4)
    restricted = _restrict(_restrict(fun, (0,) + face), (1, 2, 3))  # a face of a face
    x = rng.normal(size=net.n_params)
    w = np.array([0.2, 0.5, 0.3])
    values, jac = restricted.value_and_jacobian(x)
    np.testing.assert_allclose(values, fun(x)[list(face)], rtol=1e-13)
    np.testing.assert_allclose(jac, jacobian(fun)(x)[list(face)], rtol=0,
                               atol=1e-12 * np.abs(jac).max())
    hvp, _ = restricted.weighted_hvp(x, w)
    reference = hessian(lambda z: anp.dot(w, fun(z)[list(face)]))(x)
    columns = np.array([hvp(e) for e in np.eye(net.n_params)]).T
    np.testing.assert_allclose(columns, reference, rtol=0, atol=1e-12 * np.abs(reference).max())


@pytest.mark.parametrize("penalized", [False, True])
def test_stage_ones_scalarizations_take_the_written_out_products(penalized):
    # trust-region Newton in stage 1 (and the re-solves' penalized sums) multiply by the
    # Hessian of w.f (+ rho/2 |Z.T f - target|^2, whose Hessian adds rho J.T Z Z.T J):
    # from the network's own products, equal to autograd's of the scalarization
    from autograd import make_hvp
    from skpareto._stationary import _own_products, _penalized, _weighted

    rng = np.random.default_rng(8)
    net = SharedTrunkNet(3, (4,), [1, 1, 1])
    X = rng.normal(size=(10, 3))
    fun = net.objective(X, [rng.normal(size=10) for _ in range(3)], ["squared_error"] * 3,
                        0.05)
    w = np.array([0.5, 0.2, 0.3])
    scalar = _penalized(fun, w, np.array([0.3, -0.1]), 2.0) if penalized else _weighted(fun, w)
    x, v = rng.normal(size=net.n_params), rng.normal(size=net.n_params)
    reference = make_hvp(scalar.function)(x)[0](v)
    np.testing.assert_allclose(_own_products(fun, scalar, x)(v), reference, rtol=0,
                               atol=1e-12 * np.abs(reference).max())


def test_written_out_relu_splits_a_tie_as_autograd_does():
    # rows of zeros and zero trunk biases: pre-activations exactly 0, where autograd's
    # maximum(z, 0) gives each side half the derivative; the written-out one must agree
    import autograd.numpy as anp
    from autograd import hessian

    net = SharedTrunkNet(3, (4,), [1, 1], "relu")
    X = np.zeros((5, 3))
    X[0] = 1.0
    fun = net.objective(X, [np.ones(5), np.zeros(5)], ["squared_error"] * 2, 0.1)
    x = np.random.default_rng(0).normal(size=net.n_params)
    x[12:16] = 0.0  # the trunk's biases
    _, jac = fun.value_and_jacobian(x)
    np.testing.assert_allclose(jac, jacobian(fun)(x), rtol=0, atol=1e-14)
    w = np.array([0.3, 0.7])
    hvp, _ = fun.weighted_hvp(x, w)
    reference = hessian(lambda z: anp.dot(w, fun(z)))(x)
    np.testing.assert_allclose(np.array([hvp(e) for e in np.eye(net.n_params)]).T, reference,
                               rtol=0, atol=1e-14)


def test_an_activation_not_written_out_gets_autograds_derivatives(monkeypatch):
    # the written-out derivatives know three activations; a fourth added to ACTIVATIONS
    # must not be differentiated as one of them
    import skpareto._models as models

    monkeypatch.setitem(models.ACTIVATIONS, "softplus", lambda z: np.logaddexp(0.0, z))
    net = SharedTrunkNet(2, (3,), [1, 1], "softplus")
    fun = net.objective(np.ones((4, 2)), [np.zeros(4), np.ones(4)], ["squared_error"] * 2)
    assert not hasattr(fun, "weighted_hvp") and not hasattr(fun, "value_and_jacobian")
    assert hasattr(SharedTrunkNet(2, (3,), [1, 1], "tanh").objective(
        np.ones((4, 2)), [np.zeros(4), np.ones(4)], ["squared_error"] * 2), "weighted_hvp")
