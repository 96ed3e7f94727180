"""Shared-trunk networks on one flat parameter vector, and per-task losses.

A trunk of dense layers is shared by all tasks; each task has a linear head.
All weights live in one float64 vector, as in scikit-learn's MLP, so that the
objectives are plain functions of ``x`` for autograd and SciPy.
"""

import autograd.numpy as anp
import numpy as np
from autograd.extend import defvjp, primitive
from autograd.scipy.special import logsumexp

from ._options import dense_max_n

__all__ = ["SharedTrunkNet", "ACTIVATIONS", "LOSSES"]


@primitive
def _tanh(z):
    return np.tanh(z)


# derivative from the output, 1 - tanh^2: autograd's own (1 / cosh^2) overflows
# for |z| > 710 and warns, although the product is a harmless 0; differentiable
# again, so Hessian-vector products work through it
defvjp(_tanh, lambda ans, z: lambda g: g * (1.0 - ans ** 2))


@primitive
def _sum_of_squares(W):
    return np.vdot(W, W)


# one W-sized array in the backward pass; anp.sum(W * W) makes three (its gradient
# broadcasts g to W's shape first), and a traced gradient keeps them all
defvjp(_sum_of_squares, lambda ans, W: lambda g: (2.0 * g) * W)

ACTIVATIONS = {
    "tanh": _tanh,
    "relu": lambda z: anp.maximum(z, 0.0),
    "identity": lambda z: z,
}


def squared_error(output, target):
    """Mean over rows of half the squared error; ``output`` (N, 1), ``target`` (N,)."""
    return 0.5 * anp.mean((output[:, 0] - target) ** 2)


def log_loss(output, target):
    """Mean softmax cross-entropy; ``output`` (N, k) logits, ``target`` (N,) class codes."""
    picked = output[np.arange(output.shape[0]), target]
    return anp.mean(logsumexp(output, axis=1) - picked)


LOSSES = {"squared_error": squared_error, "log_loss": log_loss}


class SharedTrunkNet:
    """Layout of a shared-trunk network: offsets into one flat parameter vector.

    Parameters
    ----------
    n_features : int
        Input dimension.
    hidden_layer_sizes : tuple of int
        Widths of the shared trunk (may be empty: linear heads on the inputs).
    head_sizes : sequence of int
        Output width of each task's head (1 for regression, the number of
        classes for classification).
    activation : {"tanh", "relu", "identity"}
        Activation of the trunk.

    Attributes
    ----------
    n_params : int
        Length of the flat parameter vector.
    """

    def __init__(self, n_features, hidden_layer_sizes, head_sizes, activation="tanh"):
        self.n_features = int(n_features)
        self.hidden_layer_sizes = tuple(int(h) for h in hidden_layer_sizes)
        self.head_sizes = tuple(int(k) for k in head_sizes)
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, "
                             f"got {activation!r}.")
        if any(h < 1 for h in self.hidden_layer_sizes + self.head_sizes):
            raise ValueError("hidden_layer_sizes and head_sizes must be positive integers, "
                             f"got {self.hidden_layer_sizes} and {self.head_sizes}.")
        self.activation = activation
        sizes = (self.n_features,) + self.hidden_layer_sizes
        shapes = [(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
        shapes += [(sizes[-1], k) for k in self.head_sizes]
        self._shapes = shapes
        self._offsets = []  # (weight start, weight end, bias end) per layer
        start = 0
        for fan_in, fan_out in shapes:
            w_end = start + fan_in * fan_out
            self._offsets.append((start, w_end, w_end + fan_out))
            start = w_end + fan_out
        self.n_params = start

    def unpack(self, x):
        """List of ``(W, b)`` per layer: the trunk's, then one per head (views of ``x``;
        an ``x`` of shape ``(k, n_params)`` gives ``k`` of each, along a first axis)."""
        lead = x.shape[:-1]
        return [(x[..., s:w].reshape(lead + shape), x[..., w:e])
                for (s, w, e), shape in zip(self._offsets, self._shapes)]

    def pack(self, layers):
        """Inverse of :meth:`unpack`."""
        return np.concatenate([np.concatenate([np.ravel(W), np.ravel(b)])
                               for W, b in layers])

    def init_params(self, random_state, head_biases=None):
        """Glorot-uniform weights and zero biases, as scikit-learn's MLP.

        Parameters
        ----------
        random_state : int, numpy.random.RandomState or numpy.random.Generator
            Source of the random weights.
        head_biases : sequence of array-like, default=None
            Initial bias of each task's head (e.g. the target mean, or the
            log class frequencies); default zeros.

        Returns
        -------
        x : ndarray of shape (n_params,)
        """
        rng = random_state if isinstance(
            random_state, (np.random.RandomState, np.random.Generator)
        ) else np.random.default_rng(random_state)
        layers = []
        for fan_in, fan_out in self._shapes:
            bound = np.sqrt(6.0 / (fan_in + fan_out))
            layers.append((rng.uniform(-bound, bound, (fan_in, fan_out)), np.zeros(fan_out)))
        if head_biases is not None:
            if len(head_biases) != len(self.head_sizes):
                raise ValueError(f"head_biases must have one entry per task "
                                 f"({len(self.head_sizes)}), got {len(head_biases)}.")
            n_trunk = len(self.hidden_layer_sizes)
            for j, bias in enumerate(head_biases):
                W, _ = layers[n_trunk + j]
                layers[n_trunk + j] = (W, np.broadcast_to(
                    np.asarray(bias, dtype=np.float64), (self.head_sizes[j],)).copy())
        return self.pack(layers)

    def trunk(self, x, X):
        """Shared features of the rows ``X``."""
        return self._trunk(self.unpack(x), X)

    def outputs(self, x, X):
        """One output array per task: ``(N, head_size)`` each."""
        return self._outputs(self.unpack(x), X)

    def _trunk(self, layers, X):
        act = ACTIVATIONS[self.activation]
        h = X
        for W, b in layers[:len(self.hidden_layer_sizes)]:
            h = act(anp.dot(h, W) + b)
        return h

    @staticmethod
    def _sum_of_squares(layers):
        # a method, not a module-level call in objective's closure: cloudpickle ships the
        # closure by value, and a copy of the primitive would have no registered VJP
        return sum(_sum_of_squares(W) for W, _ in layers)

    def _outputs(self, layers, X):
        h = self._trunk(layers, X)
        return [anp.dot(h, W) + b for W, b in layers[len(self.hidden_layer_sizes):]]

    def objective(self, X, targets, losses, alpha=0.0):
        """The task objectives ``f(x) -> (m,)``: mean loss per task plus an L2 penalty.

        Parameters
        ----------
        X : ndarray of shape (N, n_features)
        targets : list of m ndarrays of shape (N,)
            Regression targets (float) or class codes (int) per task.
        losses : list of m str
            Keys of :data:`LOSSES`.
        alpha : float
            L2 penalty ``alpha / 2 * ||W||^2`` over all weight matrices (not
            biases), added to every task.

        Returns
        -------
        fun : callable
            Differentiable with autograd.
        """
        unknown = [name for name in losses if name not in LOSSES]
        if unknown:
            raise ValueError(f"losses must be among {sorted(LOSSES)}, got {unknown[0]!r}.")
        if not len(targets) == len(losses) == len(self.head_sizes):
            raise ValueError(f"targets and losses must have one entry per head "
                             f"({len(self.head_sizes)}), got {len(targets)} and {len(losses)}.")
        loss_fns = [LOSSES[name] for name in losses]

        def fun(x):
            # one unpacking for the outputs and the penalty: the penalty's gradient meets
            # the network's at the views of the weight matrices, not as one more x-sized
            # array that a traced gradient (the Hessian-vector products) would keep
            layers = self.unpack(x)
            outs = self._outputs(layers, X)
            penalty = 0.5 * alpha * self._sum_of_squares(layers) if alpha else 0.0
            return anp.stack([loss(out, t) + penalty
                              for loss, out, t in zip(loss_fns, outs, targets)])

        if (self.activation in _Derivatives.written_activations
                and set(losses) <= set(_Derivatives.written_losses)):
            # the engine takes these instead of autograd's (see skpareto._hvp)
            written = _Derivatives(self, X, targets, losses, alpha)
            fun.value_and_jacobian = written.value_and_jacobian
            fun.weighted_hvp = written.weighted_hvp
            fun.dense_max_n = dense_max_n(len(X))
        return fun


class _Derivatives:
    """The objectives of :meth:`SharedTrunkNet.objective` with their derivatives written out.

    ``value_and_jacobian(x)`` and ``weighted_hvp(x, weights) -> (hvp, grad)``
    give what autograd gives for ``fun`` (the same quantities to rounding):
    one forward pass, a backward pass per task or per weighted sum, and per
    Hessian-vector product the directional derivative of both (Pearlmutter's
    R-operator). A few matrix products each, instead of autograd's hundred-odd
    traced operations, whose overhead dominates a small network's derivatives.
    """

    # written out for these activations and losses; others get autograd's
    written_activations = ("tanh", "relu", "identity")
    written_losses = ("squared_error", "log_loss")

    def __init__(self, net, X, targets, losses, alpha):
        self.net = net
        self.X = np.asarray(X, dtype=np.float64)
        self.losses = list(losses)
        self.targets = list(targets)
        self.alpha = float(alpha)
        self.n_trunk = len(net.hidden_layer_sizes)
        # per task: the regression targets, or the classes one-hot
        self.coded = [np.asarray(t, dtype=np.float64) if name == "squared_error"
                      else np.eye(k)[np.asarray(t, dtype=int)]
                      for t, name, k in zip(targets, losses, net.head_sizes)]

    def _forward(self, x, second=False):
        """Layers, each trunk layer's input, the activation's first (and with ``second``
        second) derivative per trunk layer, the trunk's output and each head's output."""
        layers = self.net.unpack(np.asarray(x, dtype=np.float64))
        activation = self.net.activation
        inputs, derivs = [], []
        h = self.X
        for W, b in layers[:self.n_trunk]:
            inputs.append(h)
            z = h @ W + b
            if activation == "tanh":
                h = np.tanh(z)
                first = 1.0 - h ** 2
                derivs.append((first, -2.0 * h * first if second else None))
            elif activation == "relu":
                h = np.maximum(z, 0.0)
                # at z = 0 half, as autograd's maximum(z, 0) splits a tie
                derivs.append(((z > 0) + 0.5 * (z == 0), None))
            else:  # identity (see written_activations)
                h = z
                derivs.append((None, None))
        outs = [h @ V + c for V, c in layers[self.n_trunk:]]
        return layers, inputs, derivs, h, outs

    def _loss_gradient(self, out, name, target, scale):
        """``scale`` times the loss's gradient in the head's output, and what its second
        derivative needs (the softmax probabilities of a log-loss head)."""
        if name == "squared_error":
            if out.shape[1] == 1:
                return scale * (out - target[:, None]), None
            g = np.zeros_like(out)  # (the loss reads the first column only)
            g[:, 0] = scale * (out[:, 0] - target)
            return g, None
        prob = np.exp(out - out.max(axis=1, keepdims=True))
        prob /= prob.sum(axis=1, keepdims=True)
        return scale * (prob - target), prob

    def _backward(self, forward, g_outs, penalty, keep=False):
        """Gradient (packed) of ``sum_j g_outs[j] . out_j + penalty / 2 ||W||^2``; with
        ``keep`` also each trunk layer's backpropagated ``(g_h, g_z)``."""
        layers, inputs, derivs, top, _ = forward
        trunk, heads = layers[:self.n_trunk], layers[self.n_trunk:]
        grads_heads, g_h = [], 0.0
        for (V, _), g in zip(heads, g_outs):
            if g is None:
                grads_heads.append((penalty * V, np.zeros(V.shape[1])))
                continue
            grads_heads.append((top.T @ g + penalty * V, g.sum(axis=0)))
            g_h = g_h + g @ V.T
        grads_trunk, kept = [None] * self.n_trunk, [None] * self.n_trunk
        for layer in range(self.n_trunk - 1, -1, -1):
            W, _ = trunk[layer]
            first = derivs[layer][0]
            g_z = g_h if first is None else g_h * first
            kept[layer] = (g_h, g_z)
            grads_trunk[layer] = (inputs[layer].T @ g_z + penalty * W, g_z.sum(axis=0))
            if layer:
                g_h = g_z @ W.T
        grad = self.net.pack(grads_trunk + grads_heads)
        return (grad, kept) if keep else grad

    def value_and_jacobian(self, x):
        """Objectives ``(m,)`` and their Jacobian ``(m, n)``."""
        forward = self._forward(x)
        layers, outs = forward[0], forward[4]
        n_rows = self.X.shape[0]
        # the values as fun computes them (its losses and penalty, on plain arrays)
        penalty = 0.5 * self.alpha * self.net._sum_of_squares(layers)
        values, rows = [], []
        for j, (out, name, target) in enumerate(zip(outs, self.losses, self.coded)):
            values.append(LOSSES[name](out, self.targets[j]) + penalty)
            g, _ = self._loss_gradient(out, name, target, 1.0 / n_rows)
            g_outs = [g if k == j else None for k in range(len(outs))]
            rows.append(self._backward(forward, g_outs, self.alpha))
        return np.array(values), np.array(rows)

    def weighted_hvp(self, x, weights):
        """``(hvp, grad)`` of ``weights @ fun`` at ``x``: products ``v -> H v``, and the
        gradient. ``hvp`` also takes a block of directions, shape ``(k, n)``, and returns
        their ``k`` products as rows: one pass of matrix products for all of them."""
        weights = np.asarray(weights, dtype=np.float64)
        forward = self._forward(x, second=True)
        layers, inputs, derivs, top, outs = forward
        trunk, heads = layers[:self.n_trunk], layers[self.n_trunk:]
        n_rows, n_trunk = self.X.shape[0], self.n_trunk
        penalty = self.alpha * weights.sum()
        g_outs, probs = [], []
        for out, name, target, w in zip(outs, self.losses, self.coded, weights):
            g, prob = self._loss_gradient(out, name, target, w / n_rows)
            g_outs.append(g)
            probs.append(prob)
        grad, kept = self._backward(forward, g_outs, penalty, keep=True)
        net = self.net

        def hvp(v):
            v = np.asarray(v, dtype=np.float64)
            block = v.reshape(-1, net.n_params)  # (k, n): every array below has k first
            dlayers = net.unpack(block)
            dtrunk, dheads = dlayers[:n_trunk], dlayers[n_trunk:]
            result = np.empty_like(block)  # written through views of its layers
            views = net.unpack(result)
            # forward: the directional derivative of every pre-activation and activation
            r_h = np.zeros((1,) + self.X.shape)
            r_zs, r_inputs = [], []
            for layer, ((W, _), (dW, db)) in enumerate(zip(trunk, dtrunk)):
                r_inputs.append(r_h)
                r_z = inputs[layer] @ dW + db[:, None, :]
                if layer:  # (the data's own derivative is zero)
                    r_z = r_z + r_h @ W
                first = derivs[layer][0]
                r_h = r_z if first is None else first * r_z
                r_zs.append(r_z)
            r_top = r_h
            r_g_h = 0.0
            for j, ((V, _), (dV, dc), g, prob, w) in enumerate(
                    zip(heads, dheads, g_outs, probs, weights)):
                r_out = r_top @ V + top @ dV + dc[:, None, :]
                if prob is None and r_out.shape[-1] == 1:  # squared error
                    r_g = (w / n_rows) * r_out
                elif prob is None:
                    r_g = np.zeros_like(r_out)
                    r_g[..., 0] = (w / n_rows) * r_out[..., 0]
                else:  # the softmax's Jacobian
                    r_g = (w / n_rows) * prob * (
                        r_out - np.sum(prob * r_out, axis=-1, keepdims=True))
                view_V, view_c = views[n_trunk + j]
                view_V[...] = _swap(r_top) @ g + top.T @ r_g + penalty * dV
                view_c[...] = r_g.sum(axis=-2)
                r_g_h = r_g_h + r_g @ V.T + g @ _swap(dV)
            # backward: the directional derivative of the backpropagated gradients
            for layer in range(n_trunk - 1, -1, -1):
                (W, _), (dW, _) = trunk[layer], dtrunk[layer]
                first, second = derivs[layer]
                g_h, g_z = kept[layer]
                r_g_z = r_g_h if first is None else r_g_h * first
                if second is not None:
                    r_g_z = r_g_z + g_h * second * r_zs[layer]
                view_W, view_b = views[layer]
                view_W[...] = inputs[layer].T @ r_g_z + penalty * dW
                view_b[...] = r_g_z.sum(axis=-2)
                if layer:  # (nothing to pass back to the data)
                    view_W += _swap(r_inputs[layer]) @ g_z
                    r_g_h = r_g_z @ W.T + g_z @ _swap(dW)
            return result.reshape(v.shape)

        return hvp, grad


def _swap(a):
    """The matrices of a stack ``a`` (its last two axes) transposed."""
    return np.swapaxes(a, -1, -2)
