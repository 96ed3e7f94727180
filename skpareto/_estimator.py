"""ParetoExplorer: the scikit-learn estimator over the exploration core.

It validates data, builds the task objectives of a shared-trunk network
(:class:`skpareto._models.SharedTrunkNet`), and calls the core
(:func:`skpareto._explore.explore_starts`, :func:`skpareto.expand_set`), which
does not import scikit-learn.
"""

import numbers
import threading
import warnings
from contextlib import contextmanager

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning as SklearnConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import check_random_state
from scipy.special import softmax
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from ._explore import _MAX_POINTS, expand_set, explore_starts, solver_context
from ._models import ACTIVATIONS, LOSSES, SharedTrunkNet
from ._options import SolverOptions
from ._validation import (ArgumentError, check_choice, check_int, check_n_jobs, check_real,
                          check_verbose)
from ._weights import check_weights, onto_simplex, shown_weights
from .exceptions import ConvergenceWarning, NonFiniteError, StationarityError
from .metrics import _unchecked_residual

__all__ = ["ParetoExplorer"]


_BLAS = {"lock": threading.Lock(), "users": 0, "limiter": None}
# what scikit-learn's validate_data sets in a fit, and what fit sets once it has explored
_FEATURE_ATTRIBUTES = ("n_features_in_", "feature_names_in_")
_FITTED_ATTRIBUTES = ("pareto_set_", "pareto_front_", "pareto_weights_", "n_iter_")
# the parameters that define the objectives: expand continues fit's set only with fit's
_OBJECTIVE_PARAMS = ("hidden_layer_sizes", "activation", "loss", "alpha")


def _as_key(value):
    """A parameter's value in a form that compares by content (a list as the tuple)."""
    return tuple(value) if isinstance(value, list) else value


@contextmanager
def _one_blas_thread():
    """BLAS on one thread while any fit or prediction of this process runs.

    threadpoolctl's limits are process-wide: each context restores the
    limits it found on leaving, and of two fits in threads (joblib's
    threading backend) the one leaving last restored the first's limit of
    one thread, for the rest of the process. Counted instead: the first to
    enter sets the limit, the last to leave restores what the process had.
    """
    with _BLAS["lock"]:
        if not _BLAS["users"]:
            _BLAS["limiter"] = threadpool_limits(1, "blas")
        _BLAS["users"] += 1
    try:
        yield
    finally:
        with _BLAS["lock"]:
            _BLAS["users"] -= 1
            if not _BLAS["users"]:
                _BLAS["limiter"].restore_original_limits()
                _BLAS["limiter"] = None


@contextmanager
def _sklearn_convergence_warnings():
    """Solver context: BLAS on one thread, core warnings re-issued as scikit-learn's.

    The matrix products of a small network are too small to gain from BLAS
    threads, and on a busy machine threads make them many times slower (the
    scaling guide has the measurement; parallelism comes from ``n_jobs``). The core's
    ConvergenceWarnings become one :class:`sklearn.exceptions.ConvergenceWarning`
    per call, which gives each distinct message; other warnings pass through unchanged.
    Yields a list: a message appended to it replaces the core's (a fit that explored
    nothing says so once, not also in stage 1's words).
    """
    instead = []
    with warnings.catch_warnings(record=True) as caught, _one_blas_thread():
        warnings.simplefilter("always")
        yield instead
    core = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    for w in caught:
        if not issubclass(w.category, ConvergenceWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if instead:
        for text in instead:
            warnings.warn(text, SklearnConvergenceWarning, stacklevel=4)
    elif core:  # each distinct message once: "(and 1 more)" told the user nothing
        texts = list(dict.fromkeys(str(w.message).rstrip(".") for w in core))
        more = f" (also: {'; '.join(texts[1:])})" if len(texts) > 1 else ""
        warnings.warn(f"{texts[0]}{more}. The points found are kept; their "
                      "stationarity residuals are in pareto_set_.residuals.",
                      SklearnConvergenceWarning, stacklevel=4)


def _has_log_loss_task(estimator):
    """``predict_proba`` exists when some task is a classification (``"log_loss"``)."""
    names = estimator._loss_names()
    if not names or "log_loss" not in names:
        raise AttributeError("predict_proba needs a task with loss='log_loss'; this "
                             f"estimator has loss={estimator.loss!r}.")
    return True


class ParetoExplorer(BaseEstimator):
    """Multi-task network whose Pareto set of trade-offs is explored continuously.

    A shared trunk of dense layers feeds one linear head per task (per column
    of ``y``). Fitting reaches one Pareto-stationary model (stage 1), then
    follows the set of Pareto-stationary models from it until the set ends
    (stage 2), the method of Ma, Du and Matusik (ICML 2020) with the
    continuation of :func:`skpareto.explore`: Hessian-free tangents of the
    set, predictor steps along them and bordered Newton-MINRES correctors back
    to stationarity. Afterwards any explored trade-off is available without
    retraining (:meth:`predict_at`).

    The exploration settings have the names, meanings and defaults of
    :func:`skpareto.explore` and :class:`skpareto.SolverOptions`, except
    where said below.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(16,)
        Widths of the shared trunk; ``()`` gives linear heads that share
        nothing but the penalty.
    activation : {"tanh", "relu", "identity"}, default="tanh"
        Activation of the trunk. The Newton steps need second derivatives:
        ``"relu"`` has a zero Hessian almost everywhere in its own layer, so
        ``"tanh"`` is the better choice here. With ``"identity"`` the
        single-task ends of two-task sets ran off on three of four held-out
        data sets (parameters 200 to 2,000 times their norm inside the set,
        the other task's score far below chance), passing ``tol`` only
        against that task's huge gradient (see the user guide, "What the
        defaults do not reach").
    loss : {"squared_error", "log_loss"} or list of those, default="squared_error"
        Loss per task: half the mean squared error of the standardized
        column (regression; scored by R^2; see Notes) or the softmax
        cross-entropy (classification; the column holds class labels of any
        hashable type; scored by accuracy). A string applies to every task.
    alpha : float, default=1e-2
        L2 penalty ``alpha / 2 * ||W||^2`` on all weight matrices (not the
        biases), added to every task's objective (whose losses are means over
        rows). Second-order steps need a well-conditioned Hessian; weak
        penalties make the set fold more often and cost more to follow.
    weights : array-like of shape (n_tasks,), default=None
        Trade-off of stage 1 and the model used by :meth:`predict`. Default
        uniform (of the losses divided by their gradient scales where these
        lie more than ten times apart, see :func:`skpareto.explore`).
        A point of the probability simplex.
    tol : float, default=1e-3
        Relative Pareto-stationarity residual
        ``||J^T w|| / max_i ||grad f_i||`` every point must reach (tasks
        whose gradients lie more than ten times apart are each measured
        against their own scale too, as in :func:`skpareto.explore`). Looser
        than :func:`skpareto.explore`'s 1e-8: a network's losses are
        themselves estimates from finite data, and on an ill-conditioned
        network (a weak ``alpha``) Newton converges only linearly below
        about 1e-3, so that most lattice steps of three tasks fail at 1e-4
        (see the user guide, "Tolerance of the networks", which also gives
        how much less converged the models are than at 1e-4: pass
        ``tol=1e-4`` for those).
    step_size : float, default=None
        Largest change of any task's weight between neighbouring models
        (see :func:`skpareto.explore`).
    n_steps : int, default=None
        Largest number of steps from each start in each direction (two
        tasks) or lattice rings (more); None: until the set ends.
    max_points : int, default=None
        Largest number of explored models; None: 1000, and each
        :meth:`expand` up to 1000 more. An int counts the set's models in
        all: raise it before :meth:`expand` to add more. Where it ends
        :meth:`fit` short of the whole trade-off, a ConvergenceWarning says
        how much of it is left.
    method, corrector, max_iter, newton_steps, minres_rtol, minres_maxiter, \
damping, hessian, inexact
        Solver settings, as in :class:`skpareto.SolverOptions`.
    hvp_subsample : int, float or None, default=None
        Rows used for the Hessian-vector products (the paper's sample-based
        system): an int is a number of rows, a float in (0, 1] a fraction;
        drawn without replacement with ``random_state``. The Jacobian and the
        stationarity test always use every row. None uses every row. It pays
        only where the rows are many (see *Scaling out* in the docs): each
        sample's Hessian is another than the one a point is checked with, so
        the correctors converge slowly and steps fail; on 100 rows, half of
        them made a default two-task fit 90x slower (0.5 -> 45 s) and left
        the trade-off in pieces.
    start_weights : array-like of shape (n_starts, n_tasks), default=None
        Further stage-1 trade-offs. After the set from the ``weights`` model
        is explored, stage 1 runs at each row in turn and the set is
        explored from it too, unless it lands on a part explored already.
        Rarely needed: the continuation follows the set until it ends.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial network and the Hessian subsample.
    n_jobs : int, default=None
        Parallel jobs (joblib) for independent branches of the exploration
        (None: one, unless a ``joblib.parallel_backend`` context says
        otherwise; -1: every core).
    verbose : int or bool, default=0
        Progress on stderr (see :func:`skpareto.explore`); True is 1.

    Attributes
    ----------
    pareto_set_ : ParetoSet
        The explored models (parameters, weights, front, residuals, costs)
        and the continuous set between them. With a single task it holds one
        point and its residual is the gradient norm.
    pareto_front_ : ndarray of shape (n_points, n_tasks)
        Training objectives (mean loss plus penalty) of the explored models,
        regression losses of the standardized targets (see Notes).
    pareto_weights_ : ndarray of shape (n_points, n_tasks)
        Weights for which each model is stationary.
    n_iter_ : int
        Stage-1 iterations (L-BFGS or MGDA, plus Newton polish steps),
        summed over the starts.
    n_tasks_ : int
        Number of tasks (columns of ``y``).
    loss_ : list of str
        Loss of each task.
    classes_ : ndarray or list
        With one task fitted on a 1-D ``y``: its class labels (classification
        only). Otherwise (several tasks, or a 2-D ``y`` of one column): one
        entry per task, the class labels or None for a regression task, as
        :meth:`predict_proba` returns one array per task.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only if ``X`` has string feature names.

    Notes
    -----
    Estimator type: a regressor when every task uses ``"squared_error"``, a
    classifier when every task uses ``"log_loss"``, neither for a mix (the
    score is then the mean of per-task R^2 and accuracies, which
    :func:`sklearn.base.is_classifier` and ``is_regressor`` do not describe).

    Each regression target (``"squared_error"`` column) is standardized
    with its training mean and standard deviation before fitting, and
    predictions are in its own units again. The losses, the front and so the
    weights are those of the standardized targets: a weight trades the tasks'
    shares of unexplained variance, whatever their units, and the penalty
    ``alpha`` is as strong for every task. Raw targets made the trade-off a
    matter of units: two targets 1,000 times apart in scale put the whole
    set within 1e-6 of one task's weight (stage 1 reached no stationary
    model), and targets of scale 100, or with a mean of 5e4, cost 30 to 90
    times the time of standardized ones for the same set.

    The features are standardized too, each column by its training mean and
    standard deviation (a constant column is only centred), and every method
    that takes ``X`` does the same with the training columns' figures: the
    parameters (``pareto_set_.params``, :meth:`params_at`) are those of the
    network on the standardized features, and the penalty ``alpha`` weighs
    every feature's weights alike. Raw features in their own units left the
    tanh units saturated and the Hessian ill-conditioned: on scikit-learn's
    breast cancer data (features up to 2,500), two classification tasks or a
    classification and a regression, stage 1 reached no stationary model in
    its 1,000 iterations (one model, the set unexplored) or the set cost 19
    times the time it costs on standardized features; on the wine data
    (three tasks) 3.4 times. A scikit-learn ``StandardScaler`` before the
    estimator in a pipeline is then, up to rounding, the identity.

    If stage 1 reaches no model stationary to ``tol``, the best model it
    reached is kept as the only point of ``pareto_set_`` (its residual
    recorded), nothing is explored from it, and a
    :class:`sklearn.exceptions.ConvergenceWarning` says so, as scikit-learn's
    own estimators do when their solver stops early. The core's other
    :class:`skpareto.ConvergenceWarning` are re-issued as scikit-learn's.

    While fitting, BLAS runs on one thread (:mod:`threadpoolctl`): the
    products of a small network do not gain from threads, and on a busy
    machine threads made them many times slower.

    References
    ----------
    .. [1] Ma, Du, Matusik, "Efficient Continuous Pareto Exploration in
       Multi-Task Learning", ICML 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from skpareto import ParetoExplorer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 3))
    >>> y = np.column_stack([np.tanh(X[:, 0]), np.tanh(X[:, 1] - X[:, 0])])
    >>> est = ParetoExplorer(hidden_layer_sizes=(2,), random_state=0).fit(X, y)
    >>> est.predict(X).shape
    (60, 2)
    >>> est.pareto_weights_.shape[1]
    2
    """

    def __init__(self, hidden_layer_sizes=(16,), activation="tanh", loss="squared_error",
                 alpha=1e-2, weights=None, tol=1e-3, step_size=None, n_steps=None,
                 max_points=None, method="auto", corrector="arclength", max_iter=1000,
                 newton_steps=4, minres_rtol=1e-10, minres_maxiter=None, damping=0.0,
                 hessian="auto", inexact=True, hvp_subsample=None, start_weights=None,
                 random_state=None, n_jobs=None, verbose=0):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.loss = loss
        self.alpha = alpha
        self.weights = weights
        self.tol = tol
        self.step_size = step_size
        self.n_steps = n_steps
        self.max_points = max_points
        self.method = method
        self.corrector = corrector
        self.max_iter = max_iter
        self.newton_steps = newton_steps
        self.minres_rtol = minres_rtol
        self.minres_maxiter = minres_maxiter
        self.damping = damping
        self.hessian = hessian
        self.inexact = inexact
        self.hvp_subsample = hvp_subsample
        self.start_weights = start_weights
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def __sklearn_is_fitted__(self):
        # not n_features_in_, which validating the data of a fit that failed later sets
        return hasattr(self, "pareto_set_")

    # -- tags ---------------------------------------------------------------

    def _loss_names(self):
        """The ``loss`` parameter as a list when it is valid, else None."""
        if isinstance(self.loss, str):
            return [self.loss] if self.loss in LOSSES else None
        try:
            names = list(self.loss)
        except TypeError:
            return None
        ok = names and all(isinstance(n, str) and n in LOSSES for n in names)
        return names if ok else None

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        names = self._loss_names() or []
        tags.target_tags.required = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        if names and all(n == "squared_error" for n in names):
            from sklearn.utils import RegressorTags

            tags.estimator_type = "regressor"
            tags.regressor_tags = RegressorTags()
        elif names and all(n == "log_loss" for n in names):
            from sklearn.utils import ClassifierTags

            tags.estimator_type = "classifier"
            tags.classifier_tags = ClassifierTags()
        return tags

    # -- validation ---------------------------------------------------------

    # the settings SolverOptions validates itself, under the same names
    _SOLVER_SETTINGS = ("method", "corrector", "max_iter", "newton_steps", "minres_rtol",
                        "minres_maxiter", "damping", "hessian", "inexact")

    def _check_params(self, n_samples, n_tasks):
        """Validate the hyper-parameters; return them in canonical form."""
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral) and not isinstance(sizes, (bool, np.bool_)):
            sizes = (sizes,)
        try:
            sizes = tuple(sizes)
        except TypeError:
            sizes = None
        # (a bool is an Integral: True was taken as a trunk of one unit)
        if sizes is None or not all(isinstance(h, numbers.Integral)
                                    and not isinstance(h, (bool, np.bool_)) and h >= 1
                                    for h in sizes):
            raise ValueError("hidden_layer_sizes must be a tuple of positive integers, "
                             f"got {self.hidden_layer_sizes!r}.")
        check_choice(self.activation, "activation", tuple(sorted(ACTIVATIONS)))
        names = self._loss_names()
        if names is None:
            raise ValueError(f"loss must be one of {sorted(LOSSES)} or a list of those, "
                             f"got {self.loss!r}.")
        if len(names) == 1:
            names = names * n_tasks
        elif len(names) != n_tasks:
            raise ValueError(f"loss must give one loss per task: y has {n_tasks} columns, "
                             f"loss has {len(names)} entries.")
        check_real(self.alpha, "alpha", low=0.0, closed="left")
        check_real(self.tol, "tol", low=0.0, high=1.0)
        check_real(self.step_size, "step_size", low=0.0, high=1.0, closed="right",
                   allow_none=True)
        check_int(self.n_steps, "n_steps", low=0, allow_none=True)
        check_int(self.max_points, "max_points", low=1, allow_none=True)
        try:  # numpy's messages do not name it
            check_random_state(self.random_state)
        except ValueError as exc:
            raise ArgumentError("random_state", "random_state must be None, an int in "
                                f"[0, 2**32 - 1] or a numpy RandomState, got "
                                f"{self.random_state!r}.") from exc
        SolverOptions(**{name: getattr(self, name) for name in self._SOLVER_SETTINGS})
        # None: uniform, in the objectives the set is explored in (see skpareto.explore)
        weights = (None if self.weights is None
                   else check_weights(self.weights, n_tasks, "weights"))
        if self.start_weights is not None:
            check_weights(self.start_weights, n_tasks, "start_weights", allow_2d=True)
        return sizes, names, weights, self._hvp_rows(n_samples)

    def _run_settings(self):
        """``(n_jobs, verbose)``, validated (``verbose`` given as an int)."""
        return check_n_jobs(self.n_jobs), check_verbose(self.verbose)

    def _hvp_rows(self, n_samples):
        """Rows of the Hessian subsample."""
        sub = self.hvp_subsample
        if sub is None:
            return n_samples
        if isinstance(sub, numbers.Integral) and not isinstance(sub, bool) and sub >= 1:
            return min(int(sub), n_samples)
        if isinstance(sub, numbers.Real) and not isinstance(sub, bool) and 0.0 < sub <= 1.0:
            return max(1, int(round(sub * n_samples)))
        raise ValueError("hvp_subsample must be None, a positive int (rows) or a float "
                         f"in (0, 1] (fraction of rows), got {sub!r}.")

    @staticmethod
    def _encode_targets(y, names):
        """Per-task float targets (standardized) or class codes, each head's size and
        initial bias, and each target's centre and scale (None for a classification
        task)."""
        targets, classes, head_sizes, biases, centers, scales = [], [], [], [], [], []
        for j, name in enumerate(names):
            col = y[:, j]
            if name == "squared_error":
                try:
                    t = np.asarray(col, dtype=np.float64)
                except (TypeError, ValueError) as exc:
                    raise ValueError(f"y column {j} must hold numbers for loss "
                                     f"'squared_error': {exc}") from exc
                if not np.all(np.isfinite(t)):
                    raise ValueError(f"y column {j} contains NaN or infinite values.")
                center, scale = _center_and_scale(t)
                centers.append(center)
                scales.append(scale)
                targets.append((t - center) / scale)
                classes.append(None)
                head_sizes.append(1)
                biases.append(0.0)
            else:
                centers.append(None)
                scales.append(None)
                col = _column(y, j)
                try:
                    check_classification_targets(col)
                except ValueError as exc:  # (its text, which sklearn's checks look for, kept)
                    raise ValueError(f"y column {j} must hold class labels for loss "
                                     f"'{name}': {exc}") from exc
                labels, codes = np.unique(col, return_inverse=True)
                if len(labels) < 2:
                    raise ValueError(f"y column {j} has one class ({labels[0]}); "
                                     "loss 'log_loss' needs at least 2 classes.")
                targets.append(codes.astype(np.intp))
                classes.append(labels)
                head_sizes.append(len(labels))
                freq = np.bincount(codes, minlength=len(labels)) / len(codes)
                biases.append(np.log(freq) - np.log(freq).mean())
        return targets, classes, head_sizes, biases, centers, scales

    def _validate_fit_data(self, X, y):
        """validate_data for X, then y on its own, so each error names its argument."""
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the "
                             "target y is None.")
        try:
            X = validate_data(self, X, dtype=np.float64)
        except ValueError as exc:
            raise ValueError(f"X: {exc}") from exc
        y = _check_y(y)
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"X and y have different numbers of rows: {X.shape[0]} and "
                             f"{y.shape[0]}.")
        return X, y

    def _validate_y(self, y, n_samples):
        y = _check_y(y)
        if y.ndim == 1:
            y = y[:, None]
        if y.ndim != 2 or y.shape[0] != n_samples:
            raise ValueError(f"y must have shape ({n_samples},) or ({n_samples}, n_tasks), "
                             f"got {y.shape}.")
        return y

    # -- fitting ------------------------------------------------------------

    def _objectives(self, X, targets):
        """Task objectives on ``(X, targets)`` and their HVP counterpart (or None)."""
        alpha = self._objective_params["alpha"]
        fun = self._net.objective(X, targets, self.loss_, alpha)
        if self._n_hvp_rows >= X.shape[0]:
            return fun, None
        rows = check_random_state(self.random_state).choice(
            X.shape[0], self._n_hvp_rows, replace=False)
        rows.sort()
        hess_fun = self._net.objective(X[rows], [t[rows] for t in targets], self.loss_, alpha)
        return fun, hess_fun

    def _encode_with_fitted_classes(self, y):
        """Targets of ``y`` in the encoding fixed by :meth:`fit`."""
        targets = []
        for j, (name, labels) in enumerate(zip(self.loss_, self._classes)):
            if name == "squared_error":
                t = ((np.asarray(y[:, j], dtype=np.float64) - self._y_center[j])
                     / self._y_scale[j])
            else:
                col = _column(y, j)
                codes = np.clip(np.searchsorted(labels, col), 0, len(labels) - 1)
                if np.any(labels[codes] != col):
                    raise ValueError(f"y column {j} holds labels not seen in fit; "
                                     f"known: {labels.tolist()}.")
                t = codes.astype(np.intp)
            targets.append(t)
        return targets

    def _options(self, hess_fun):
        settings = {name: getattr(self, name) for name in self._SOLVER_SETTINGS}
        return SolverOptions(hess_fun=hess_fun, **settings)

    def _context(self, fun, hess_fun, n_params):
        return solver_context(fun, self.n_tasks_, n_params, self.tol, self.step_size,
                              self.n_steps, self.max_points, None, self._options(hess_fun),
                              None)

    def fit(self, X, y):
        """Reach a Pareto-stationary model, then explore the set from it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            One column per task: numbers for ``"squared_error"`` tasks, class
            labels for ``"log_loss"`` tasks.

        Returns
        -------
        self : ParetoExplorer
            Fitted estimator.

        Raises
        ------
        ValueError
            On NaN/inf, wrong shapes or bad parameters (the message names the
            argument): a refit refused so leaves the last fit as it was. Where
            the training losses are not finite for the models reached (the
            estimator is then unfitted).
        skpareto.StationarityError
            If no start reaches a model with finite losses (the estimator is
            then unfitted).

        Warns
        -----
        sklearn.exceptions.ConvergenceWarning
            If stage 1 reaches no stationary model (then the best model reached
            is kept as a one-point set, with its residual, and nothing is
            explored) or some solves stop early.
        """
        # bad input loses nothing: a refit refused leaves the last fit as it was (validate_data
        # sets the features' count and names before y or the parameters are checked)
        last = {name: self.__dict__.pop(name) for name in _FEATURE_ATTRIBUTES
                if name in self.__dict__}
        try:
            X, y = self._validate_fit_data(X, y)
            y_ndim = np.ndim(y)
            y = self._validate_y(y, X.shape[0])
            n_tasks = y.shape[1]
            sizes, names, weights, n_sub = self._check_params(X.shape[0], n_tasks)
            n_jobs, verbose = self._run_settings()
            targets, classes, head_sizes, biases, centers, scales = self._encode_targets(
                y, names)
        except BaseException:  # an interruption too: validate_data may have set them
            for name in _FEATURE_ATTRIBUTES:
                self.__dict__.pop(name, None)
            self.__dict__.update(last)
            raise
        # from here a fit that fails leaves the estimator unfitted, not a new task count over
        # the last fit's set (predict dropped a task)
        for name in _FITTED_ATTRIBUTES:
            self.__dict__.pop(name, None)
        self._y_ndim = y_ndim
        self.n_tasks_ = n_tasks
        self.loss_ = names
        self._y_center, self._y_scale = centers, scales
        self._x_center, self._x_scale = _feature_centers_and_scales(X)
        X = self._standardized(X)
        self._classes = classes
        if all(name == "log_loss" for name in names) and n_tasks == 1 and self._y_ndim == 1:
            self.classes_ = classes[0]
        elif any(name == "log_loss" for name in names):
            self.classes_ = classes
        elif hasattr(self, "classes_"):
            del self.classes_
        self._net = SharedTrunkNet(X.shape[1], sizes, head_sizes, self.activation)
        self._objective_params = {name: _as_key(getattr(self, name))
                                  for name in _OBJECTIVE_PARAMS}
        self._n_hvp_rows = n_sub
        rng = check_random_state(self.random_state)
        x0 = self._net.init_params(rng, head_biases=biases)
        fun, hess_fun = self._objectives(X, targets)
        rows = [weights] + ([] if self.start_weights is None or n_tasks < 2 else list(
            np.atleast_2d(check_weights(self.start_weights, n_tasks, "start_weights",
                                        allow_2d=True))))
        ctx, limits = self._context(fun, hess_fun, x0.size)
        with _sklearn_convergence_warnings() as instead, _name_nonfinite():
            pset, failures, n_iter = explore_starts(
                fun, [x0] * len(rows), rows, ctx, limits, n_jobs=n_jobs, verbose=verbose)
            if pset.n_points == 0:
                pset = self._unexplored(pset, failures, instead)
        self.pareto_set_ = pset
        self.n_iter_ = max(int(n_iter), 1)
        self._set_front_attributes()
        return self

    def _unexplored(self, pset, failures, warn):
        """No start reached tol: keep the best model reached, explore nothing, and say so
        (append the warning's message to the list ``warn``)."""
        usable = [r for r in failures if r.objectives is not None]
        if not usable:
            raise StationarityError(f"stage 1 did not reach a usable model: "
                                    f"{failures[0].message}.")
        best = min(usable, key=lambda r: r.residual)
        weights, residual = best.weights, best.residual
        if np.min(weights) < 0:  # a polish that left the simplex: back onto it
            weights = onto_simplex(weights)
            residual = _unchecked_residual(best.jac, weights)
        pset.add_point(best.x, best.objectives, weights, residual=residual)
        pset.mark_expanded([0])
        if best.residual <= self.tol:  # stationary, but a saddle: more iterations stay there
            failed = "reached no usable model"
            advice = "Another random_state or a larger alpha may reach one"
        else:
            failed = f"did not reach tol={self.tol:g}"
            advice = ("Increase max_iter or alpha, loosen tol, or use activation='tanh': "
                      "relu's derivative jumps, and where the loss's minima lie on its kinks "
                      "no model is stationary" if self.activation == "relu" else
                      "Increase max_iter or alpha, or loosen tol")
        warn.append(
            f"stage 1 {failed} (relative stationarity residual {residual:.3g}, "
            f"{best.message}): the model is kept, and no Pareto set was explored from it. "
            f"{advice}.")
        return pset

    def _set_front_attributes(self):
        self.pareto_front_ = self.pareto_set_.front.copy()
        self.pareto_weights_ = self.pareto_set_.weights.copy()

    def expand(self, X, y, n_steps=None, *, toward=None):
        """Explore further: unfinished branches, or toward a trade-off not yet covered.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The training inputs used in :meth:`fit`.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            The training targets used in :meth:`fit`.
        n_steps : int, default=None
            Steps per branch; default the ``n_steps`` parameter, or with
            ``toward`` as many as it takes.
        toward : array-like of shape (n_tasks,), default=None
            Weights to reach: grow the set until :meth:`predict_at` can use
            them (see :func:`~skpareto.expand_set`). None: continue every
            branch a budget stopped, then start again where the weights are
            not covered, as :meth:`fit` does.

        Returns
        -------
        self : ParetoExplorer

        Raises
        ------
        ValueError
            If ``X, y`` are not the training data (the losses of the set's
            first model on them differ from those :meth:`fit` recorded), a
            parameter that defines the objectives (``hidden_layer_sizes``,
            ``activation``, ``loss``, ``alpha``) changed since :meth:`fit`, or
            ``n_steps``, ``n_jobs`` or ``verbose`` is not valid.

        Warns
        -----
        UserWarning
            With a single task: its set is one point, there is nothing to expand.
            Where the set holds ``max_points`` models already: nothing is added
            until it is raised (``set_params(max_points=...)``).
        """
        check_is_fitted(self)
        changed = [name for name, value in self._objective_params.items()
                   if _as_key(getattr(self, name)) != value]
        if changed:  # else a changed alpha read as other data, a changed layout ignored
            said = "; ".join(f"{name} is {getattr(self, name)!r}, "
                             f"{self._objective_params[name]!r} in fit" for name in changed)
            raise ValueError(f"{said}: expand continues the set that fit explored, for fit's "
                             f"objectives. Set {'it' if len(changed) == 1 else 'them'} back, "
                             f"or fit again.")
        X = self._check_X(X)
        y = self._validate_y(y, X.shape[0])
        self._check_n_tasks(y)
        check_int(n_steps, "n_steps", low=0, allow_none=True)
        n_jobs, verbose = self._run_settings()
        if toward is not None:  # checked before anything returns early
            toward = check_weights(toward, self.n_tasks_, "toward")
        fun, hess_fun = self._objectives(X, self._encode_with_fitted_classes(y))
        self._check_same_objectives(fun)
        if self.n_tasks_ < 2:
            warnings.warn("a single task has a one-point Pareto set: nothing to expand.",
                          UserWarning, stacklevel=2)
            return self
        self.pareto_set_.fun = fun
        if n_steps is None and toward is None:
            n_steps = self.n_steps
        if self._raised_max_points(toward is not None) is not None:
            warnings.warn(f"the set holds max_points={self.max_points} models already: nothing "
                          f"to expand. Raise it first, e.g. {self._expand_call(toward)}.",
                          UserWarning, stacklevel=2)
            return self
        try:
            with _sklearn_convergence_warnings(), _name_nonfinite():
                if n_steps != 0:
                    expand_set(self.pareto_set_, fun, toward=toward, tol=self.tol,
                               step_size=self.step_size, n_steps=n_steps,
                               max_points=self.max_points, options=self._options(hess_fun),
                               n_jobs=n_jobs, verbose=verbose)
        finally:  # an interruption keeps the points found so far: show them
            self._set_front_attributes()
        return self

    def _raised_max_points(self, toward=False):
        """Where the set holds ``max_points`` models (nothing more is explored), a
        ``max_points`` to suggest: room for as many again as it holds (twice max_points alone
        was below what a set fitted with a larger one held); else None. ``toward`` a
        trade-off, room for the default budget at least: that expansion stops where it
        reaches the weights, and a set fitted with ``max_points=8`` took three doublings to
        reach the end of its weights."""
        if self.max_points is None or self.pareto_set_.n_points < self.max_points:
            return None
        more = max(self.max_points, _MAX_POINTS) if toward else self.max_points
        return max(2 * self.max_points, self.pareto_set_.n_points + more)

    def _expand_call(self, toward=None):
        """The call a message suggests to explore further (toward the weights ``toward``),
        raising ``max_points`` first where the set holds that many models."""
        raised = self._raised_max_points(toward is not None)
        first = "" if raised is None else f".set_params(max_points={raised})"
        then = "" if toward is None else f", toward={shown_weights(toward)}"
        return f"est{first}.expand(X, y{then})"

    def _check_same_objectives(self, fun):
        """Raise unless ``fun`` gives the set's first point the losses :meth:`fit` recorded:
        a set continued on other data would mix models stationary for other objectives."""
        recorded = self.pareto_set_.front[0]
        values = np.asarray(fun(self.pareto_set_.params[0]), dtype=np.float64)
        if not np.allclose(values, recorded, rtol=1e-8, atol=0.0):
            raise ValueError(f"X, y must be the training data fit was given: the losses of the "
                             f"set's first model on them are {np.round(values, 6)}, not "
                             f"{np.round(recorded, 6)} as in fit. To explore other data, fit "
                             "again.")

    # -- the explored set ---------------------------------------------------

    def task_objectives(self, X, y):
        """The objectives of :meth:`fit` on other data, as a function of the parameters.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            Targets; class labels must be among those seen in :meth:`fit`.

        Returns
        -------
        fun : callable
            ``fun(params) -> (n_tasks,)``: each task's mean loss on ``(X, y)``
            (features and regression targets standardized as in :meth:`fit`)
            plus the L2 penalty, for a flat parameter vector such as a row of
            ``pareto_set_.params`` or :meth:`params_at`. Written with
            ``autograd.numpy``, so it can be differentiated.
        """
        check_is_fitted(self)
        X = self._check_X(X)
        y = self._validate_y(y, X.shape[0])
        self._check_n_tasks(y)
        return self._net.objective(X, self._encode_with_fitted_classes(y), self.loss_,
                                   self._objective_params["alpha"])

    def plot_front(self, X=None, y=None, *, ax=None, **kwargs):
        """Plot the explored front of a two-task fit.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), default=None
            Held-out data; with ``y``, the losses of the explored models on it
            are drawn as a second series, in the order of the first task's weight.
        y : array-like of shape (n_samples, 2), default=None
            Targets of ``X``.
        ax : matplotlib Axes, default=None
            Axes to draw on; default a new figure.
        **kwargs
            Passed to :func:`skpareto.plotting.plot_front` (``reference``,
            ``n_samples``, ``labels``, ``color``).

        Returns
        -------
        ax : matplotlib Axes

        Raises
        ------
        ValueError
            If the fit does not have two tasks, or only one of ``X`` and ``y``
            is given.
        """
        from .plotting import plot_front

        check_is_fitted(self)
        test_front = None
        if (X is None) != (y is None):
            raise ValueError("X and y go together: pass both to draw held-out losses, "
                             "or neither.")
        if X is not None:
            fun = self.task_objectives(X, y)
            order = np.argsort(self.pareto_set_.weights[:, 0], kind="stable")
            test_front = np.stack([np.asarray(fun(p)) for p in self.pareto_set_.params[order]])
        return plot_front(self.pareto_set_, ax=ax, test_front=test_front, **kwargs)

    def params_at(self, weights):
        """Flat parameter vector of the model at a trade-off on the explored set.

        Parameters
        ----------
        weights : array-like of shape (n_tasks,) or (q, n_tasks)
            Points of the probability simplex inside the explored region.

        Returns
        -------
        params : ndarray of shape (n_params,) or (q, n_params)

        Raises
        ------
        ValueError
            If ``weights`` is malformed or outside the explored region (the
            message says which region is covered).
        NotFittedError
            Before :meth:`fit`.
        """
        check_is_fitted(self)
        if self.n_tasks_ == 1:
            w = check_weights(weights, 1, "weights", allow_2d=True)
            params = self.pareto_set_.params[0]
            return params.copy() if w.ndim == 1 else np.tile(params, (w.shape[0], 1))
        w = check_weights(weights, self.n_tasks_, "weights", allow_2d=True)
        inside = self.pareto_set_.contains(w)
        if not np.all(inside):
            bad = w if w.ndim == 1 else w[int(np.argmin(inside))]
            raise ValueError(f"weights {bad} are outside the explored region: "
                             f"{self.pareto_set_.coverage()}; explore toward them first: "
                             f"{self._expand_call(bad)}.")
        return self.pareto_set_.params_at(w)

    def _outputs(self, params, X):
        """The network's outputs, BLAS on one thread (see the class Notes)."""
        with _one_blas_thread():
            return [np.asarray(out, dtype=np.float64) for out in self._net.outputs(params, X)]

    def _predict_params(self, X, params):
        outputs = self._outputs(params, X)
        columns = []
        for out, name, labels, center, scale in zip(outputs, self.loss_, self._classes,
                                                    self._y_center, self._y_scale):
            if name == "squared_error":
                columns.append(np.asarray(out[:, 0], dtype=np.float64) * scale + center)
            else:
                columns.append(labels[np.argmax(out, axis=1)])
        if len(columns) == 1 and self._y_ndim == 1:
            return columns[0]
        dtype = np.result_type(*[c.dtype for c in columns]) if all(
            c.dtype.kind in "biuf" for c in columns) else object
        return np.column_stack([c.astype(dtype) for c in columns])

    def _check_X(self, X):
        """``X`` validated against the fit's, its features standardized as in :meth:`fit`."""
        check_is_fitted(self)
        return self._standardized(validate_data(self, X, reset=False, dtype=np.float64))

    def _standardized(self, X):
        """The features of ``X`` standardized by the training columns' means and deviations."""
        return (X - self._x_center) / self._x_scale

    def predict(self, X):
        """Predict with the stage-1 model (the trade-off given by ``weights``).

        Stage 1 reaches ``weights`` by L-BFGS on the weighted sum; where that
        fails, its fallback (MGDA) reaches a stationary point of other weights,
        which ``pareto_set_.weights[0]`` gives (a relu network of two friedman
        targets: 0.70 for task 0 of the uniform weights asked). For a given
        trade-off use :meth:`predict_at`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_tasks)
            Shaped like the ``y`` given to :meth:`fit`: numbers for
            regression tasks, class labels for classification tasks.
        """
        X = self._check_X(X)
        return self._predict_params(X, self.pareto_set_.params[0])

    def predict_at(self, X, weights):
        """Predict with the model at any trade-off on the explored set.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        weights : array-like of shape (n_tasks,) or (q, n_tasks)
            Trade-off(s) inside the explored region.

        Returns
        -------
        y : ndarray
            As :meth:`predict` for weights of shape (n_tasks,); stacked along
            a new first axis of length q for weights of shape (q, n_tasks).

        Raises
        ------
        NotFittedError
            Before :meth:`fit`.
        ValueError
            For malformed weights or weights outside the explored region.
        """
        X = self._check_X(X)
        params = self.params_at(weights)
        if params.ndim == 1:
            return self._predict_params(X, params)
        if not len(params):
            raise ValueError(f"weights must hold at least one row of {self.n_tasks_} weights, "
                             f"got shape {np.shape(weights)}.")
        return np.stack([self._predict_params(X, p) for p in params])

    def task_scores(self, X, y, weights=None):
        """Per-task score: R^2 for regression tasks, accuracy for classification.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
        weights : array-like of shape (n_tasks,), default=None
            Trade-off to score; default the :meth:`predict` model.

        Returns
        -------
        scores : ndarray of shape (n_tasks,)
        """
        X = self._check_X(X)
        y = self._validate_y(y, X.shape[0])
        self._check_n_tasks(y)
        params = self.pareto_set_.params[0] if weights is None else self.params_at(
            check_weights(weights, self.n_tasks_, "weights"))
        pred = self._predict_params(X, params).reshape(X.shape[0], -1)
        scores = np.empty(self.n_tasks_)
        for j, name in enumerate(self.loss_):
            if name == "squared_error":
                scores[j] = r2_score(np.asarray(y[:, j], dtype=np.float64),
                                     pred[:, j].astype(np.float64))
            else:
                scores[j] = accuracy_score(_column(y, j), _column(pred, j))
        return scores

    def score(self, X, y, sample_weight=None):
        """Mean over tasks of R^2 (regression tasks) and accuracy (classification).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
        sample_weight : None
            Not supported; must be None.

        Returns
        -------
        score : float
        """
        if sample_weight is not None:
            raise ValueError("sample_weight is not supported by ParetoExplorer.")
        return float(np.mean(self.task_scores(X, y)))

    def _check_n_tasks(self, y):
        if y.shape[1] != self.n_tasks_:
            raise ValueError(f"y has {y.shape[1]} columns but the estimator was fitted "
                             f"on {self.n_tasks_} tasks.")

    # -- class probabilities and held-out fronts ------------------------------

    def _proba_params(self, X, params):
        """Class probabilities of each task for one parameter vector (None: regression)."""
        probas = [softmax(out, axis=1) if name == "log_loss" else None
                  for out, name in zip(self._outputs(params, X), self.loss_)]
        if len(probas) == 1 and self._y_ndim == 1:
            return probas[0]
        return probas

    @available_if(_has_log_loss_task)
    def predict_proba(self, X):
        """Class probabilities of the :meth:`predict` model, per classification task.

        As :class:`sklearn.multioutput.MultiOutputClassifier`: one array per
        task. Only estimators with a ``"log_loss"`` task have this method.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes) or list of n_tasks such arrays
            The softmax of each head, columns in the order of the task's
            classes (``classes_``). A single task fitted on a 1-D ``y`` gives
            the array itself, as any classifier; otherwise a list with one
            entry per task, which is None for a ``"squared_error"`` task (as
            its entry of ``classes_``).

        Raises
        ------
        NotFittedError
            Before :meth:`fit`.

        Examples
        --------
        >>> import numpy as np
        >>> from skpareto import ParetoExplorer
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(80, 3))
        >>> y = np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")
        >>> est = ParetoExplorer(loss="log_loss", hidden_layer_sizes=(2,),
        ...                      max_iter=200, random_state=0).fit(X, y)
        >>> proba = est.predict_proba(X[:3])
        >>> proba.shape, est.classes_.tolist()
        ((3, 2), ['no', 'yes'])
        >>> bool(np.allclose(proba.sum(axis=1), 1.0))
        True
        """
        X = self._check_X(X)
        return self._proba_params(X, self.pareto_set_.params[0])

    @available_if(_has_log_loss_task)
    def predict_proba_at(self, X, weights):
        """Class probabilities of the model at any trade-off on the explored set.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        weights : array-like of shape (n_tasks,) or (q, n_tasks)
            Trade-off(s) inside the explored region.

        Returns
        -------
        proba : ndarray or list
            As :meth:`predict_proba` for weights of shape (n_tasks,); for
            weights of shape (q, n_tasks) each array gains a first axis of
            length q, one entry per row of ``weights``.

        Raises
        ------
        NotFittedError
            Before :meth:`fit`.
        ValueError
            For malformed weights or weights outside the explored region.

        Examples
        --------
        >>> import numpy as np
        >>> from skpareto import ParetoExplorer
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(80, 3))
        >>> Y = np.column_stack([X[:, 0] > 0, X[:, 1] - X[:, 0] > 0]).astype(int)
        >>> est = ParetoExplorer(loss="log_loss", hidden_layer_sizes=(2,), n_steps=1,
        ...                      max_iter=200, tol=1e-5, random_state=0).fit(X, Y)
        >>> w = est.pareto_weights_.mean(axis=0)  # inside the explored region
        >>> [p.shape for p in est.predict_proba_at(X[:3], w)]
        [(3, 2), (3, 2)]
        """
        X = self._check_X(X)
        params = self.params_at(weights)
        if params.ndim == 1:
            return self._proba_params(X, params)
        per_row = [self._proba_params(X, p) for p in params]
        if not isinstance(per_row[0], list):
            return np.stack(per_row)
        return [None if task[0] is None else np.stack(task) for task in zip(*per_row)]

    def held_out_front(self, X, y):
        """Losses of every explored model on other data: the front they reach there.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            Targets; class labels must be among those seen in :meth:`fit`.

        Returns
        -------
        front : ndarray of shape (n_points, n_tasks)
            Row ``i``: each task's mean loss on ``(X, y)`` (half the squared
            error of the targets standardized as in :meth:`fit`, or the
            cross-entropy) of the model ``pareto_set_.params[i]``,
            whose trade-off is ``pareto_weights_[i]``. Unlike
            :attr:`pareto_front_` and :meth:`task_objectives` it leaves out
            the L2 penalty, so fits with different ``alpha`` compare.

        See Also
        --------
        skpareto.metrics.front_hypervolume_scorer : its hypervolume, as a
            scorer for model selection.

        Examples
        --------
        >>> from skpareto import ParetoExplorer
        >>> from skpareto.datasets import make_conflicting_regression
        >>> X, Y = make_conflicting_regression(120, n_features=3, random_state=0)
        >>> est = ParetoExplorer(hidden_layer_sizes=(2,), n_steps=1, max_iter=300,
        ...                      random_state=0).fit(X[:80], Y[:80])
        >>> est.held_out_front(X[80:], Y[80:]).shape == est.pareto_front_.shape
        True
        """
        X = self._check_X(X)
        y = self._validate_y(y, X.shape[0])
        self._check_n_tasks(y)
        fun = self._net.objective(X, self._encode_with_fitted_classes(y), self.loss_, 0.0)
        with _one_blas_thread():
            return np.stack([np.asarray(fun(params), dtype=np.float64)
                             for params in self.pareto_set_.params])


@contextmanager
def _name_nonfinite():
    """Non-finite objectives during fitting come from the data: say so, naming X and y."""
    try:
        yield
    except NonFiniteError as exc:
        raise ValueError(f"the training losses are not finite for these X and y ({exc}); "
                         "increase alpha.") from exc


def _center_and_scale(t):
    """Mean and standard deviation of a column, without overflow; scale 1 if constant."""
    center = np.mean(t / 2.0) * 2.0  # finite for values up to the largest float
    size = np.max(np.abs(t - center))
    if not size > 1e-12 * max(abs(center), 1e-300):  # constant: centred only
        return center, 1.0
    return center, float(np.std((t - center) / size) * size)


def _feature_centers_and_scales(X):
    """Each column's mean and standard deviation (see :func:`_center_and_scale`), as arrays."""
    centers, scales = zip(*(_center_and_scale(col) for col in X.T))
    return np.array(centers), np.array(scales)


def _check_y(y):
    """``y`` as an array (labels keep their dtype), NaN and infinite values refused; errors
    name ``y``."""
    if y is None:
        raise ValueError("y is None: the targets are required.")
    try:
        return check_array(y, ensure_2d=False, dtype=None, input_name="y")
    except ValueError as exc:
        raise ValueError(f"y: {exc}") from exc


def _column(y, j):
    """Column ``j`` of ``y``; a column of an object array gets its own dtype, if its labels
    are of one kind (strings, or numbers): numpy would turn ``[1, "no"]`` into strings, and
    predict ``"1"`` for the label ``1``."""
    col = y[:, j]
    if col.dtype != object:
        return col
    kinds = {"string" if isinstance(v, str) else
             "number" if isinstance(v, (numbers.Number, np.number, np.bool_)) else
             type(v).__name__ for v in col}
    if len(kinds) > 1:
        raise ValueError(f"y column {j} mixes labels of kinds {sorted(kinds)}; give labels "
                         "of one kind (all strings, or all numbers).")
    return np.asarray(col.tolist())
