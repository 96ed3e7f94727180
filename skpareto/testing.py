"""Tools to verify an implementation of the method against skpareto's reference.

An implementation of continuous Pareto exploration (in PyTorch, JAX, C++ ...)
computes, at a Pareto-stationary point ``x`` of ``m`` objectives, a Jacobian,
Hessian-vector products, the min-norm weights ``alpha`` (``J^T alpha = 0``),
the tangent directions ``v = H^{-1} J^T beta`` of the Pareto set and
corrected points. This module checks each against exact references computed
with dense linear algebra, and says what is wrong when a check fails:

- :func:`check_jacobian`, :func:`check_hvp`, :func:`check_min_norm_weights`,
  :func:`check_tangent_directions` and :func:`check_corrected_point` take any
  autograd objective ``fun(x) -> (m,)`` and a point (``n <= MAX_DENSE_N``)
  and return a :class:`CheckResult`: true if the check passed, with the
  deciding numbers at full precision, a ``cause`` (a key of :data:`CAUSES`)
  and a ``diagnosis`` sentence ("sign flipped", "consistent with damping
  lambda≈0.1", ...). :func:`default_tolerances` gives the tolerances for
  float64 and float32 implementations.
- :func:`reference_cases` / :func:`make_reference_case`: small problems
  (rotated quadratics, a shared-trunk network with its data) at exactly
  Pareto-stationary points, built so that the checks have no blind spot.
  :func:`export_case` writes one to ``.npz`` + JSON for another framework;
  ``python -m skpareto verify RESULTS.npz`` checks the results written back.
- :func:`reference_problems` / :func:`make_reference_problem`: the analytic
  problems of :mod:`skpareto.problems` (their sets are known in closed
  form); :func:`export_verification` writes results on them for ``verify``.
- :func:`check_pareto_stationary` / :func:`assert_pareto_stationary`: the
  min-norm weights of a Jacobian and the stationarity residual.

The ``assert_*`` functions raise :class:`AssertionError` and are meant for
pytest.
"""

import numbers
from typing import NamedTuple

import numpy as np

from ._cases import (
    CASE_ARRAYS,
    RESULT_ARRAYS,
    ReferenceCase,
    check_case_results,
    export_case,
    make_reference_case,
    reference_cases,
)
from ._checks import (
    CAUSES,
    MAX_DENSE_N,
    CheckResult,
    _as_real,
    _check_betas,
    check_corrected_point,
    check_hvp,
    check_jacobian,
    check_min_norm_weights,
    check_tangent_directions,
    default_tolerances,
    exact_tangent_directions,
)
from ._validation import ArgumentError, check_int
from ._weights import _check_jac, check_weights, min_norm_weights
from .problems import DTLZ2, ConvexQuadratic, FonsecaFleming

__all__ = [
    "CAUSES",
    "CASE_ARRAYS",
    "CheckResult",
    "MAX_DENSE_N",
    "RESULT_ARRAYS",
    "ReferenceCase",
    "VERIFICATION_FORMAT",
    "assert_pareto_stationary",
    "assert_tangent_directions",
    "check_case_results",
    "check_corrected_point",
    "check_hvp",
    "check_jacobian",
    "check_min_norm_weights",
    "check_pareto_stationary",
    "check_tangent_directions",
    "default_tolerances",
    "exact_tangent_directions",
    "export_case",
    "export_verification",
    "make_reference_case",
    "make_reference_problem",
    "reference_cases",
    "reference_problems",
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
        raise ArgumentError("name", f"name must be one of {sorted(specs)}, got {name!r}.")
    spec = specs[name]
    if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n < spec.min_n:
        raise ArgumentError("n", f"n must be an integer >= {spec.min_n} for {name!r}, "
                                 f"got {n!r}.")
    if spec.m is None:
        m = check_int(2 if m is None else m, "m", low=2)
        seed = check_int(0 if random_state is None else random_state, "random_state", low=0)
        return spec.cls(n=int(n), m=m, random_state=seed)
    if m is not None and m != spec.m:
        raise ArgumentError("m", f"m must be {spec.m} (or None) for {name!r}, got {m!r}.")
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


def assert_tangent_directions(fun, x, directions, betas=None, *, weights=None, tol=None,
                              precision="float64"):
    """Assert that tangent directions match the exact ones (for pytest).

    Parameters
    ----------
    fun, x, directions, betas, weights, tol, precision
        As in :func:`check_tangent_directions`.

    Returns
    -------
    result : CheckResult

    Raises
    ------
    AssertionError
        With the diagnosis (what is off, and the likely cause).
    """
    result = check_tangent_directions(fun, x, directions, betas, weights=weights, tol=tol,
                                      precision=precision)
    if not result.passed:
        raise AssertionError(f"tangent directions do not match the exact ones "
                             f"({result.cause}): {result.diagnosis}")
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
    x = _as_real(x, "x", (problem.n,))
    weights = check_weights(weights, problem.m)
    directions = _as_real(directions, "directions", (None, problem.n))
    arrays = dict(problem=np.array(str(problem_name)), n=np.array(int(n)), x=x,
                  weights=weights, directions=directions)
    if betas is not None:
        arrays["betas"] = _check_betas(betas, problem.m, directions.shape[0])
    if problem_name == "quadratic":
        arrays["m"] = np.array(problem.m)
        arrays["random_state"] = np.array(problem.random_state)
    np.savez(path, **arrays)
