"""Shared-trunk networks on one flat parameter vector, and per-task losses.

A trunk of dense layers is shared by all tasks; each task has a linear head.
All weights live in one float64 vector, as in scikit-learn's MLP, so that the
objectives are plain functions of ``x`` for autograd and SciPy.
"""

import autograd.numpy as anp
import numpy as np
from autograd.scipy.special import logsumexp

__all__ = ["SharedTrunkNet", "ACTIVATIONS", "LOSSES"]

ACTIVATIONS = {
    "tanh": anp.tanh,
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
        """List of ``(W, b)`` per layer: the trunk's, then one per head."""
        return [(x[s:w].reshape(shape), x[w:e])
                for (s, w, e), shape in zip(self._offsets, self._shapes)]

    def pack(self, layers):
        """Inverse of :meth:`unpack`."""
        return np.concatenate([np.concatenate([np.ravel(W), np.ravel(b)])
                               for W, b in layers])

    def init_params(self, random_state):
        """Glorot-uniform weights and zero biases, as scikit-learn's MLP."""
        rng = np.random.default_rng(random_state) if not isinstance(
            random_state, np.random.RandomState) else random_state
        layers = []
        for fan_in, fan_out in self._shapes:
            bound = np.sqrt(6.0 / (fan_in + fan_out))
            layers.append((rng.uniform(-bound, bound, (fan_in, fan_out)), np.zeros(fan_out)))
        return self.pack(layers)

    def trunk(self, x, X):
        """Shared features of the rows ``X``."""
        act = ACTIVATIONS[self.activation]
        layers = self.unpack(x)
        h = X
        for W, b in layers[:len(self.hidden_layer_sizes)]:
            h = act(anp.dot(h, W) + b)
        return h

    def outputs(self, x, X):
        """One output array per task: ``(N, head_size)`` each."""
        h = self.trunk(x, X)
        heads = self.unpack(x)[len(self.hidden_layer_sizes):]
        return [anp.dot(h, W) + b for W, b in heads]

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
        loss_fns = [LOSSES[name] for name in losses]
        weight_mask = np.zeros(self.n_params)
        for s, w, _ in self._offsets:
            weight_mask[s:w] = 1.0

        def fun(x):
            outs = self.outputs(x, X)
            penalty = 0.5 * alpha * anp.sum(weight_mask * x ** 2) if alpha else 0.0
            return anp.stack([loss(out, t) + penalty
                              for loss, out, t in zip(loss_fns, outs, targets)])

        return fun
