"""Data sets for multi-task learning with conflicting tasks.

:func:`make_multi_digits` is a small MultiMNIST-style two-task classification
set built from scikit-learn's bundled 8x8 digits (no download);
:func:`make_conflicting_regression` is a synthetic multi-task regression whose
tasks compete for a shared trunk by a controllable amount.

This module is a leaf: it uses :mod:`sklearn.datasets` and
:mod:`sklearn.utils` only, and nothing in the core imports it.
"""

import numbers

import numpy as np
from sklearn.datasets import load_digits
from sklearn.utils import Bunch, check_random_state

__all__ = ["make_multi_digits", "make_conflicting_regression"]

_CANVAS = 12  # side of the MultiDigits canvas, in pixels
_DIGIT = 8  # side of one scikit-learn digit
_JITTER = 2  # offsets 0..1 (left) and CANVAS-DIGIT-1..CANVAS-DIGIT (right)

_MULTI_DIGITS_DESCR = """\
MultiDigits: a MultiMNIST-style two-task data set
--------------------------------------------------

Each image is a {canvas}x{canvas} canvas holding two of scikit-learn's 8x8
handwritten digits (``sklearn.datasets.load_digits``, 1,797 images, pixel
values 0..16). The *left* digit is placed up-left (row and column offsets drawn
from {{0, 1}}), the *right* digit down-right (offsets drawn from {{3, 4}}), and
the two are combined by a pixel-wise maximum, so they overlap in the centre of
the canvas. Pixel values are scaled to [0, 1].

Task 0 classifies the left digit and task 1 the right digit (10 classes each).
Both digits of a row are drawn independently and uniformly from the 1,797
source images, so a source image can appear in many rows, in either position;
a train/test split of the rows therefore shares source images (not their
combinations or offsets) between train and test.

:Number of instances: {n_samples}
:Number of features: {n_features} (the canvas, row-major)
:Targets: (n_samples, 2) integer labels 0..9: left digit, right digit

The construction follows MultiMNIST (Sabour, Frosst and Hinton, "Dynamic
Routing Between Capsules", NeurIPS 2017), as used for multi-task learning by
Sener and Koltun (NeurIPS 2018) and Ma, Du and Matusik (ICML 2020), at the
scale of the 8x8 digits.
"""


def _check_positive_int(value, name):
    if (isinstance(value, bool) or not isinstance(value, numbers.Integral)
            or value < 1):
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def make_multi_digits(n_samples=2000, *, random_state=None, return_X_y=False):
    """Two overlaid handwritten digits: classify the left one and the right one.

    A MultiMNIST-style two-task data set built from
    :func:`sklearn.datasets.load_digits` (bundled with scikit-learn, no
    download). Two 8x8 digits are placed on a 12x12 canvas, the left one
    up-left and the right one down-right with random offsets, and combined by
    a pixel-wise maximum so that they overlap.

    Parameters
    ----------
    n_samples : int, default=2000
        Number of images.
    random_state : int, RandomState instance or None, default=None
        Seeds the choice of digits and offsets; an int gives the same data on
        every call.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With fields

        data : ndarray of shape (n_samples, 144)
            Flattened canvases, values in [0, 1].
        target : ndarray of shape (n_samples, 2)
            Labels 0..9 of the left digit (column 0) and the right digit
            (column 1).
        images : ndarray of shape (n_samples, 12, 12)
            The canvases.
        source : ndarray of shape (n_samples, 2)
            Indices into ``load_digits()`` of the left and right digit.
        offsets : ndarray of shape (n_samples, 4)
            Row and column offsets of the left digit, then of the right digit.
        DESCR : str
            Description of the data set.
    (data, target) : tuple
        If ``return_X_y`` is True.

    Raises
    ------
    ValueError
        If ``n_samples`` is not a positive integer.

    See Also
    --------
    make_conflicting_regression : A synthetic multi-task regression.

    References
    ----------
    .. [1] Sabour, Frosst, Hinton, "Dynamic Routing Between Capsules",
       NeurIPS 2017 (MultiMNIST).
    .. [2] Ma, Du, Matusik, "Efficient Continuous Pareto Exploration in
       Multi-Task Learning", ICML 2020.

    Examples
    --------
    >>> from skpareto.datasets import make_multi_digits
    >>> digits = make_multi_digits(n_samples=5, random_state=0)
    >>> digits.data.shape, digits.target.shape, digits.images.shape
    ((5, 144), (5, 2), (5, 12, 12))
    """
    n_samples = _check_positive_int(n_samples, "n_samples")
    rng = check_random_state(random_state)
    digits = load_digits()
    glyphs = digits.images / 16.0
    source = rng.randint(0, len(glyphs), size=(n_samples, 2))
    low = rng.randint(0, _JITTER, size=(n_samples, 2))
    high = _CANVAS - _DIGIT - rng.randint(0, _JITTER, size=(n_samples, 2))
    offsets = np.hstack([low, high])

    images = np.zeros((n_samples, _CANVAS, _CANVAS))
    rows = np.arange(n_samples)[:, None, None]
    grid = np.arange(_DIGIT)
    for k, (r, c) in enumerate([(low[:, 0], low[:, 1]), (high[:, 0], high[:, 1])]):
        ii = r[:, None, None] + grid[None, :, None]
        jj = c[:, None, None] + grid[None, None, :]
        images[rows, ii, jj] = np.maximum(images[rows, ii, jj], glyphs[source[:, k]])

    data = images.reshape(n_samples, -1)
    target = digits.target[source].astype(np.int64)
    if return_X_y:
        return data, target
    descr = _MULTI_DIGITS_DESCR.format(canvas=_CANVAS, n_samples=n_samples,
                                       n_features=data.shape[1])
    return Bunch(data=data, target=target, images=images, source=source,
                 offsets=offsets, target_names=["left digit", "right digit"],
                 DESCR=descr)


def make_conflicting_regression(n_samples=200, n_features=5, n_tasks=2, conflict=0.5,
                                *, noise=0.0, random_state=None):
    """Multi-task regression whose tasks conflict through a shared trunk.

    All targets are linear read-outs of one shared layer of tanh features,
    ``Z = tanh(X W + b)`` with ``n_tasks + 1`` units. Each task reads the
    features along a head direction ``u_i`` in a whitened feature space,
    ``u_i = sqrt(1 - conflict) a + sqrt(conflict) e_i``, with ``a, e_1, ...,
    e_m`` orthonormal: a common part ``a`` and a private part ``e_i``. The
    noise-free targets are centred, have unit variance and pairwise sample
    correlation exactly ``1 - conflict``. A shared-trunk model whose trunk is
    too narrow to hold every task's features must trade the tasks off, and the
    more so the larger ``conflict``.

    Parameters
    ----------
    n_samples : int, default=200
        Number of rows.
    n_features : int, default=5
        Number of input features (standard normal).
    n_tasks : int, default=2
        Number of targets (columns of ``Y``).
    conflict : float in [0, 1], default=0.5
        0: identical tasks (no trade-off); 1: tasks with uncorrelated
        noise-free targets that share only the input layer.
    noise : float, default=0.0
        Standard deviation of Gaussian noise added to each target.
    random_state : int, RandomState instance or None, default=None
        Seeds the inputs, the feature layer, the heads and the noise.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_tasks)

    Raises
    ------
    ValueError
        If an argument is out of range; the message names it.

    See Also
    --------
    make_multi_digits : A two-task classification set.

    Notes
    -----
    With ``Z_c`` the column-centred features and ``Z_c = Q R`` its thin QR
    factorization (Q has orthonormal columns), the noise-free targets are
    ``y_i = sqrt(n) Q u_i``, a linear function of ``Z`` (the head ``R^-1 u_i``
    plus an intercept). Then ``y_i^T y_j / n = u_i^T u_j = 1 - conflict`` for
    ``i != j`` and ``||y_i||^2 / n = 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from skpareto.datasets import make_conflicting_regression
    >>> X, Y = make_conflicting_regression(500, 4, 2, conflict=0.3, random_state=0)
    >>> X.shape, Y.shape
    ((500, 4), (500, 2))
    >>> round(float(np.corrcoef(Y.T)[0, 1]), 6)
    0.7
    """
    n_samples = _check_positive_int(n_samples, "n_samples")
    n_features = _check_positive_int(n_features, "n_features")
    n_tasks = _check_positive_int(n_tasks, "n_tasks")
    if not isinstance(conflict, numbers.Real) or not 0.0 <= conflict <= 1.0:
        raise ValueError(f"conflict must be a number in [0, 1], got {conflict!r}.")
    if not isinstance(noise, numbers.Real) or not noise >= 0.0 or not np.isfinite(noise):
        raise ValueError(f"noise must be a non-negative number, got {noise!r}.")
    n_hidden = n_tasks + 1
    if n_samples <= n_hidden:
        raise ValueError(f"n_samples must exceed n_tasks + 1 = {n_hidden}, got {n_samples}.")
    rng = check_random_state(random_state)

    X = rng.standard_normal((n_samples, n_features))
    W = rng.standard_normal((n_features, n_hidden)) * (1.5 / np.sqrt(n_features))
    b = rng.uniform(-0.5, 0.5, n_hidden)
    Z = np.tanh(X @ W + b)
    Q, _ = np.linalg.qr(Z - Z.mean(axis=0))

    basis, _ = np.linalg.qr(rng.standard_normal((n_hidden, n_hidden)))
    common, private = basis[:, 0], basis[:, 1:]
    heads = np.sqrt(1.0 - conflict) * common[:, None] + np.sqrt(conflict) * private
    Y = np.sqrt(n_samples) * (Q @ heads)
    if noise > 0:
        Y = Y + noise * rng.standard_normal(Y.shape)
    return X, Y
