"""Tools to verify an implementation of the method against skpareto's reference.

An implementation of continuous Pareto exploration (in PyTorch, JAX, C++ ...)
produces, at a Pareto-stationary point ``x`` of ``m`` objectives, the weights
``alpha`` with ``J(x)^T alpha = 0`` and the tangent directions
``v = H^{-1} J^T beta`` of the Pareto set. This module checks both against
exact references computed here with dense linear algebra on small analytic
problems (:mod:`skpareto.problems`):

- :func:`reference_problems` lists the analytic problems, by name, with the
  sizes they are defined for; :func:`make_reference_problem` builds one.
- :func:`check_pareto_stationary` / :func:`assert_pareto_stationary`: the
  min-norm weights of a Jacobian and the stationarity residual.
- :func:`check_tangent_directions` / :func:`assert_tangent_directions`: the
  principal angles between the span of given directions and the exact
  tangent space (and, with ``betas``, the error of each direction).
- :func:`export_verification` writes arrays from another implementation to
  a ``.npz`` file that ``python -m skpareto verify FILE.npz`` checks.

The ``assert_*`` functions raise :class:`AssertionError` and are meant for
pytest.
"""

import numbers
from typing import NamedTuple

import autograd
import autograd.numpy as anp
import numpy as np
from scipy.linalg import subspace_angles

from ._hvp import check_point, value_and_jacobian
from ._weights import _check_jac, check_weights, min_norm_weights, zero_sum_basis
from .problems import DTLZ2, ConvexQuadratic, FonsecaFleming, Problem

__all__ = [
    "reference_problems",
    "make_reference_problem",
    "check_pareto_stationary",
    "assert_pareto_stationary",
    "check_tangent_directions",
    "assert_tangent_directions",
    "exact_tangent_directions",
    "export_verification",
    "VERIFICATION_FORMAT",
]


class ReferenceSpec(NamedTuple):
    """How to build one analytic reference problem.

    Attributes
    ----------
    name : str
        Identifier used in verification files.
    cls : type
        The :class:`skpareto.problems.Problem` subclass.
    m : int or None
        Number of objectives; None if chosen by the caller (quadratics).
    min_n : int
        Smallest number of parameters the problem is defined for.
    sizes : tuple of int
        Sizes ``n`` the reference tests use (any ``n >= min_n`` is valid).
    description : str
        One line about the problem.
    """

    name: str
    cls: type
    m: object
    min_n: int
    sizes: tuple
    description: str


_SPECS = (
    ReferenceSpec("quadratic", ConvexQuadratic, None, 1, (1, 2, 5, 10, 30),
                  "convex quadratics 1/2 (x - c_i)^T A_i (x - c_i); parameters m "
                  "(default 2) and random_state (default 0) fix A_i and c_i"),
    ReferenceSpec("fonseca_fleming", FonsecaFleming, 2, 1, (1, 2, 5, 10),
                  "two Gaussian wells, concave front; set x = t * 1, |t| <= 1/sqrt(n)"),
    ReferenceSpec("dtlz2", DTLZ2, 3, 3, (3, 4, 6, 10),
                  "three objectives, front on the unit sphere; set x_k = 1/2 for k >= 3"),
)


def reference_problems():
    """The analytic reference problems, by name, with the sizes they take.

    Returns
    -------
    problems : dict of str to ReferenceSpec
        ``{"quadratic": ..., "fonseca_fleming": ..., "dtlz2": ...}``. Each
        entry gives the class, the number of objectives ``m`` (None where the
        caller chooses it), the smallest ``n``, the sizes used by skpareto's
        own tests and a description. Build one with
        :func:`make_reference_problem`.

    Examples
    --------
    >>> from skpareto.testing import reference_problems
    >>> sorted(reference_problems())
    ['dtlz2', 'fonseca_fleming', 'quadratic']
    >>> reference_problems()["dtlz2"].min_n
    3
    """
    return {spec.name: spec for spec in _SPECS}


def make_reference_problem(name, n, *, m=None, random_state=None):
    """Build a reference problem from its name and size.

    Parameters
    ----------
    name : str
        A key of :func:`reference_problems`.
    n : int
        Number of parameters (at least the problem's ``min_n``).
    m : int, default=None
        Number of objectives of ``"quadratic"`` (default 2); must be None or
        equal to the fixed ``m`` of the other problems.
    random_state : int, default=None
        Seed of ``"quadratic"`` (default 0, so that a name and a size fix the
        problem); ignored by the other, deterministic, problems.

    Returns
    -------
    problem : skpareto.problems.Problem

    Raises
    ------
    ValueError
        If ``name`` is unknown or ``n``, ``m`` or ``random_state`` is invalid.

    Examples
    --------
    >>> from skpareto.testing import make_reference_problem
    >>> make_reference_problem("quadratic", 4, m=3)
    ConvexQuadratic(n=4, m=3)
    """
    specs = reference_problems()
    if name not in specs:
        raise ValueError(f"name must be one of {sorted(specs)}, got {name!r}.")
    spec = specs[name]
    if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n < spec.min_n:
        raise ValueError(f"n must be an integer >= {spec.min_n} for {name!r}, got {n!r}.")
    if spec.m is None:
        m = 2 if m is None else m
        if not isinstance(m, numbers.Integral) or isinstance(m, bool) or m < 2:
            raise ValueError(f"m must be an integer >= 2, got {m!r}.")
        seed = 0 if random_state is None else random_state
        if not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"random_state must be a non-negative integer, got {seed!r}.")
        return spec.cls(n=int(n), m=int(m), random_state=int(seed))
    if m is not None and m != spec.m:
        raise ValueError(f"m must be {spec.m} (or None) for {name!r}, got {m!r}.")
    return spec.cls(n=int(n))


# -- Pareto stationarity --------------------------------------------------------


class _StationarityPair(NamedTuple):
    residual: float
    alpha: np.ndarray


class StationarityCheck(_StationarityPair):
    """``(residual, alpha)`` of :func:`check_pareto_stationary`.

    Unpacks as a pair. Also carries ``passed`` (bool), ``tolerance`` (the
    bound ``atol + rtol * scale`` the residual was compared with),
    ``relative_residual`` (``residual / scale``) and ``scale``
    (``max_i ||grad f_i||``).
    """


def check_pareto_stationary(jac, atol=1e-10, rtol=1e-8):
    """Min-norm weights of a Jacobian and its Pareto-stationarity residual.

    Parameters
    ----------
    jac : array-like of shape (m, n)
        Jacobian of the objectives at the point: row ``i`` is the gradient of
        ``f_i``.
    atol : float, default=1e-10
        Absolute tolerance on the residual.
    rtol : float, default=1e-8
        Tolerance relative to the largest gradient norm.

    Returns
    -------
    result : StationarityCheck
        A pair ``(residual, alpha)``: ``alpha`` (m,) minimizes
        ``||jac.T @ alpha||`` on the simplex and ``residual`` is that minimum.
        ``result.passed`` is ``residual <= atol + rtol * max_i ||jac[i]||``.

    Raises
    ------
    ValueError
        If ``jac`` is not a finite real 2-D array, or a tolerance is negative.

    Notes
    -----
    The point is Pareto-stationary when some convex combination of the task
    gradients vanishes (no direction decreases every objective), that is
    when ``min_{alpha in simplex} ||J^T alpha|| = 0``.

    Examples
    --------
    >>> from skpareto.testing import check_pareto_stationary
    >>> residual, alpha = check_pareto_stationary([[1.0, 2.0], [-2.0, -4.0]])
    >>> bool(residual < 1e-15), alpha.round(4).tolist()
    (True, [0.6667, 0.3333])
    """
    jac = _check_jac(jac)
    _check_tolerance(atol, "atol")
    _check_tolerance(rtol, "rtol")
    alpha = min_norm_weights(jac)
    residual = float(np.linalg.norm(jac.T @ alpha))
    scale = float(np.max(np.linalg.norm(jac, axis=1)))
    out = StationarityCheck(residual, alpha)
    out.scale = scale
    out.tolerance = atol + rtol * scale
    out.relative_residual = residual / scale if scale > 0 else 0.0
    out.passed = bool(residual <= out.tolerance)
    return out


def assert_pareto_stationary(jac, atol=1e-10, rtol=1e-8):
    """Assert that a Jacobian is Pareto-stationary (for pytest).

    Parameters
    ----------
    jac : array-like of shape (m, n)
    atol, rtol : float
        As in :func:`check_pareto_stationary`.

    Returns
    -------
    alpha : ndarray of shape (m,)
        The min-norm weights.

    Raises
    ------
    AssertionError
        With the residual, the tolerance and the weights, if not stationary.
    """
    result = check_pareto_stationary(jac, atol=atol, rtol=rtol)
    if not result.passed:
        raise AssertionError(
            f"not Pareto-stationary: ||J^T alpha|| = {result.residual:.3e} > "
            f"{result.tolerance:.3e} (relative {result.relative_residual:.3e}) "
            f"with min-norm alpha = {np.array2string(result.alpha, precision=6)}")
    return result.alpha


def _check_tolerance(value, name):
    if not isinstance(value, numbers.Real) or not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a non-negative finite number, got {value!r}.")


# -- tangent directions ---------------------------------------------------------


def _check_problem(problem, x):
    """The problem, and ``x`` as a finite float64 vector of its size."""
    if not isinstance(problem, Problem):
        raise ValueError(
            "problem must be a skpareto.problems.Problem (see make_reference_problem), "
            f"got {type(problem).__name__}.")
    x = check_point(x)
    if x.size != problem.n:
        raise ValueError(f"x must have shape ({problem.n},) for {problem!r}, got {x.shape}.")
    return problem, x


def _dense_hessian(problem, x, weights):
    """``sum_i w_i Hess f_i(x)`` as a dense matrix, from autograd.hessian."""
    weights = np.asarray(weights, dtype=np.float64)
    hess = autograd.hessian(lambda z: anp.dot(weights, problem.fun(z)))(x)
    return np.asarray(hess, dtype=np.float64).reshape(x.size, x.size)


def exact_tangent_directions(problem, x, weights=None, betas=None):
    """Exact tangent directions ``H^{-1} J^T beta`` by a dense solve.

    For small reference problems only: forms the ``n x n`` Hessian with
    :func:`autograd.hessian` and solves with :func:`numpy.linalg.solve`.

    Parameters
    ----------
    problem : skpareto.problems.Problem
    x : array-like of shape (n,)
        The point.
    weights : array-like of shape (m,), default=None
        Weights defining ``H = sum_i w_i Hess f_i(x)``; default the min-norm
        weights of the Jacobian at ``x``.
    betas : array-like of shape (k, m), default=None
        Right-hand sides; default the orthonormal zero-sum basis
        (:func:`skpareto._weights.zero_sum_basis`), whose m - 1 directions
        span the tangent space.

    Returns
    -------
    directions : ndarray of shape (k, n)
    weights : ndarray of shape (m,)

    Raises
    ------
    ValueError
        If an argument is malformed, or ``H`` is singular at ``x`` (no unique
        tangent space).
    """
    problem, x = _check_problem(problem, x)
    _, jac = value_and_jacobian(problem.fun, x)
    m = jac.shape[0]
    weights = min_norm_weights(jac) if weights is None else check_weights(weights, m)
    betas = zero_sum_basis(m) if betas is None else _check_betas(betas, m)
    hess = _dense_hessian(problem, x, weights)
    try:
        directions = np.linalg.solve(hess, jac.T @ betas.T).T
    except np.linalg.LinAlgError as exc:
        raise ValueError(f"the weighted Hessian is singular at x ({exc}); "
                         "the tangent space is not unique there.") from exc
    return directions, weights


def _check_betas(betas, m):
    arr = np.asarray(betas)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"betas must hold real numbers, got dtype {arr.dtype}.")
    arr = np.atleast_2d(arr.astype(np.float64))
    if arr.ndim != 2 or arr.shape[1] != m or not np.all(np.isfinite(arr)):
        raise ValueError(f"betas must be a finite array of shape (k, {m}), got shape "
                         f"{np.shape(betas)}.")
    return arr


def _check_directions(directions, n):
    arr = np.asarray(directions)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"directions must hold real numbers, got dtype {arr.dtype}.")
    arr = np.atleast_2d(arr.astype(np.float64))
    if arr.ndim != 2 or arr.shape[1] != n or arr.shape[0] == 0:
        raise ValueError(f"directions must have shape (k, {n}) with k >= 1, got shape "
                         f"{np.shape(directions)}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError("directions contains NaN or infinite values.")
    return arr


def _orthonormal_span(rows, rcond=1e-8):
    """Orthonormal basis (n, r) of the span of ``rows`` (k, n), and the rank r."""
    u, s, vt = np.linalg.svd(rows, full_matrices=False)
    if s.size == 0 or s[0] == 0.0:
        return np.zeros((rows.shape[1], 0)), 0
    rank = int(np.sum(s > rcond * s[0]))
    return vt[:rank].T, rank


class _TangentPair(NamedTuple):
    angles: np.ndarray
    errors: object


class TangentCheck(_TangentPair):
    """``(angles, errors)`` of :func:`check_tangent_directions`.

    Unpacks as a pair: the principal angles (radians, descending) between the
    span of the given directions and the exact tangent space, and the
    relative error of each direction (None without ``betas``). Also carries
    ``passed``, ``max_angle``, ``rank`` (of the given directions),
    ``dimension`` (of the exact tangent space, m - 1), ``weights`` (defining
    ``H``), ``exact`` (the exact directions: one per beta, or the zero-sum
    basis's) and ``message`` (why the check failed, or "").
    """


def check_tangent_directions(problem, x, directions, betas=None, tol=1e-6, *,
                             weights=None):
    """Compare tangent directions with the exact tangent space of the Pareto set.

    Parameters
    ----------
    problem : skpareto.problems.Problem
        A reference problem (:func:`make_reference_problem`).
    x : array-like of shape (n,)
        The Pareto-stationary point the directions were computed at.
    directions : array-like of shape (k, n)
        Directions to check. Without ``betas`` their span must be the whole
        tangent space (rank m - 1; signs and scaling are free).
    betas : array-like of shape (k, m), default=None
        The zero-sum combinations the directions were computed for
        (``v_j = H^{-1} J^T beta_j``). If given, every direction is also
        compared with its exact value, and ``k`` may be smaller than m - 1.
    tol : float, default=1e-6
        Largest principal angle (radians) and largest relative error of a
        direction accepted.
    weights : array-like of shape (m,), default=None
        Weights defining ``H = sum_i w_i Hess f_i(x)``; default the min-norm
        weights at ``x``.

    Returns
    -------
    result : TangentCheck
        A pair ``(angles, errors)``; ``result.passed`` tells whether every
        angle and error is within ``tol`` and the dimensions agree.

    Raises
    ------
    ValueError
        If an argument is malformed, or the Hessian is singular at ``x``.

    Notes
    -----
    The exact space: for :class:`~skpareto.problems.ConvexQuadratic` the span
    of the analytic derivative ``dx/dw`` of the set ``x(w)``
    (``set_derivative``, at ``weights``); for the other problems
    ``H^{-1} J^T Z`` with the dense Hessian of :func:`autograd.hessian` and
    ``Z`` a basis of the zero-sum vectors. Angles come from
    :func:`scipy.linalg.subspace_angles`.

    Examples
    --------
    >>> import numpy as np
    >>> from skpareto import tangent_directions
    >>> from skpareto.testing import check_tangent_directions, make_reference_problem
    >>> problem = make_reference_problem("quadratic", 5, m=3)
    >>> x = problem.pareto_set([0.2, 0.3, 0.5])
    >>> res = tangent_directions(problem.fun, x, [0.2, 0.3, 0.5])
    >>> check_tangent_directions(problem, x, res.directions, weights=[0.2, 0.3, 0.5]).passed
    True
    """
    problem, x = _check_problem(problem, x)
    directions = _check_directions(directions, x.size)
    _check_tolerance(tol, "tol")
    _, jac = value_and_jacobian(problem.fun, x)
    m = jac.shape[0]
    if betas is not None:
        betas = _check_betas(betas, m)
        if betas.shape[0] != directions.shape[0]:
            raise ValueError(f"betas must have one row per direction ({directions.shape[0]}), "
                             f"got {betas.shape[0]}.")
    weights = min_norm_weights(jac) if weights is None else check_weights(weights, m)
    if isinstance(problem, ConvexQuadratic):
        exact_space = problem.set_derivative(weights)
        exact, _ = exact_tangent_directions(problem, x, weights, betas)
    else:
        exact, _ = exact_tangent_directions(problem, x, weights, betas)
        exact_space = (exact if betas is None
                       else exact_tangent_directions(problem, x, weights)[0])
    basis, dimension = _orthonormal_span(exact_space)
    user, rank = _orthonormal_span(directions)
    if rank == 0:
        raise ValueError("directions must not all be zero.")
    angles = np.sort(subspace_angles(user, basis))[::-1] if dimension else np.array([])
    errors = None
    if betas is not None:
        norms = np.linalg.norm(exact, axis=1)
        errors = np.linalg.norm(directions - exact, axis=1) / np.where(norms > 0, norms, 1.0)
    max_angle = float(angles.max()) if angles.size else 0.0
    messages = []
    if betas is None and rank != dimension:
        messages.append(f"directions span {rank} dimensions, the tangent space {dimension}")
    if betas is not None and rank > dimension:
        messages.append(f"directions span {rank} dimensions, more than the tangent "
                        f"space ({dimension})")
    if max_angle > tol:
        messages.append(f"largest principal angle {max_angle:.3e} rad > tol {tol:.3e}")
    if errors is not None and np.max(errors) > tol:
        worst = int(np.argmax(errors))
        messages.append(f"direction {worst} has relative error {errors[worst]:.3e} > "
                        f"tol {tol:.3e}")
    out = TangentCheck(angles, errors)
    out.max_angle = max_angle
    out.rank = rank
    out.dimension = dimension
    out.weights = weights
    out.exact = exact
    out.message = "; ".join(messages)
    out.passed = not messages
    return out


def assert_tangent_directions(problem, x, directions, betas=None, tol=1e-6, *,
                              weights=None):
    """Assert that directions span the exact tangent space (for pytest).

    Parameters
    ----------
    problem, x, directions, betas, tol, weights
        As in :func:`check_tangent_directions`.

    Returns
    -------
    result : TangentCheck

    Raises
    ------
    AssertionError
        Saying which angle, error or dimension is off.
    """
    result = check_tangent_directions(problem, x, directions, betas, tol, weights=weights)
    if not result.passed:
        raise AssertionError(f"tangent directions do not match the exact tangent space: "
                             f"{result.message}")
    return result


# -- exchange format ------------------------------------------------------------

VERIFICATION_FORMAT = {
    "problem": "0-d unicode string: a key of reference_problems()",
    "n": "0-d integer: number of parameters",
    "m": "0-d integer, optional: number of objectives (quadratic only, default 2)",
    "random_state": "0-d integer, optional: seed of the quadratic (default 0)",
    "x": "float array (n,): the Pareto-stationary point",
    "weights": "float array (m,): its weights on the simplex",
    "directions": "float array (k, n): tangent directions",
    "betas": "float array (k, m), optional: the zero-sum combination of each direction",
}
"""Arrays of a verification file (a ``.npz`` written by :func:`numpy.savez`)."""


def export_verification(path, problem_name, n, x, weights, directions, *, betas=None,
                        m=None, random_state=None):
    """Write another implementation's results for ``python -m skpareto verify``.

    Parameters
    ----------
    path : str or path-like
        Output file; NumPy appends ``.npz`` if missing.
    problem_name : str
        A key of :func:`reference_problems`.
    n : int
        Number of parameters of the problem.
    x : array-like of shape (n,)
        The Pareto-stationary point found.
    weights : array-like of shape (m,)
        The weights it is stationary for.
    directions : array-like of shape (k, n)
        Tangent directions computed there.
    betas : array-like of shape (k, m), default=None
        The zero-sum ``beta`` of each direction, if known: each direction is
        then also checked individually.
    m, random_state : int, default=None
        Identify a ``"quadratic"`` problem (default ``m=2``, ``random_state=0``);
        build it here with :func:`make_reference_problem` to get its ``A_i``
        (``problem.A``) and ``c_i`` (``problem.c``).

    Raises
    ------
    ValueError
        If an argument does not fit the problem; nothing is written then.

    Notes
    -----
    The file holds plain arrays only (it loads with ``allow_pickle=False``):

    ============ ======================================================
    array        contents
    ============ ======================================================
    problem      0-d unicode string, a key of :func:`reference_problems`
    n            0-d integer
    m            0-d integer (optional; quadratic only)
    random_state 0-d integer (optional; quadratic only)
    x            float64 (n,)
    weights      float64 (m,), a point of the probability simplex
    directions   float64 (k, n)
    betas        float64 (k, m) (optional)
    ============ ======================================================

    Any program that writes these arrays with ``numpy.savez`` (or an
    equivalent ``.npz`` writer) produces a valid file.

    Examples
    --------
    >>> import os, tempfile
    >>> from skpareto import tangent_directions
    >>> from skpareto.testing import export_verification, make_reference_problem
    >>> problem = make_reference_problem("quadratic", 3)
    >>> x = problem.pareto_set([0.4, 0.6])
    >>> res = tangent_directions(problem.fun, x, [0.4, 0.6])
    >>> path = os.path.join(tempfile.mkdtemp(), "mine.npz")
    >>> export_verification(path, "quadratic", 3, x, [0.4, 0.6], res.directions)
    """
    problem = make_reference_problem(problem_name, n, m=m, random_state=random_state)
    x = check_point(x)
    if x.size != problem.n:
        raise ValueError(f"x must have shape ({problem.n},), got {x.shape}.")
    weights = check_weights(weights, problem.m)
    directions = _check_directions(directions, problem.n)
    arrays = dict(problem=np.array(str(problem_name)), n=np.array(int(n)), x=x,
                  weights=weights, directions=directions)
    if betas is not None:
        betas = _check_betas(betas, problem.m)
        if betas.shape[0] != directions.shape[0]:
            raise ValueError(f"betas must have one row per direction ({directions.shape[0]}), "
                             f"got {betas.shape[0]}.")
        arrays["betas"] = betas
    if problem_name == "quadratic":
        arrays["m"] = np.array(problem.m)
        arrays["random_state"] = np.array(problem.random_state)
    np.savez(path, **arrays)
