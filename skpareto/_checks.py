"""Checks of another implementation's results against exact dense references.

Each check takes the objectives ``fun`` (any autograd callable ``x -> (m,)``)
and a point ``x``, recomputes the quantity exactly with dense linear algebra
(:func:`autograd.jacobian`, :func:`numpy.linalg.solve`) and compares. When the
comparison fails, the check tries the mistakes implementations make (a sign,
a scale, damping, another weighting of the Hessian, an unconverged solve,
single precision) and names the one the numbers are consistent with.

Dense references are for small problems only: ``n <= MAX_DENSE_N``.
"""

import itertools

import autograd
import numpy as np
from scipy.linalg import subspace_angles

from ._hvp import value_and_jacobian
from ._utils import Result
from ._weights import check_weights, min_norm_weights, zero_sum_basis

__all__ = [
    "CheckResult",
    "CAUSES",
    "MAX_DENSE_N",
    "check_jacobian",
    "check_hvp",
    "check_min_norm_weights",
    "check_tangent_directions",
    "check_corrected_point",
    "exact_tangent_directions",
    "default_tolerances",
]

MAX_DENSE_N = 5000
"""Largest number of parameters the dense references accept (an n x n Hessian per task)."""

EPS = {"float64": float(np.finfo(np.float64).eps), "float32": float(np.finfo(np.float32).eps)}

CAUSES = {
    "ok": "agrees with the exact reference within the tolerance",
    "float32": "agrees within what float32 arithmetic reaches, not within the float64 "
               "tolerance",
    "sign": "the sign is flipped",
    "normalized": "normalized to unit norm (directions must keep their length)",
    "scale": "off by a constant factor",
    "damping": "consistent with H + lambda I instead of H",
    "unweighted": "consistent with the task Hessians summed (or averaged) instead of "
                  "weighted by alpha",
    "wrong_weights": "consistent with H or the stationarity test weighted by other weights "
                     "(another task order, one task, ...)",
    "no_solve": "the directions are J^T beta itself: no solve with H",
    "unconverged": "consistent with an iterative solve stopped early",
    "inaccurate": "close to the exact value but not within the tolerance (a solve not run "
                  "to a small enough true residual, or perturbed inputs)",
    "permuted": "the right numbers in another order (tasks, directions or parameters)",
    "not_simplex": "weights off the probability simplex",
    "suboptimal": "weights with a larger ||J^T w|| than the minimum",
    "not_stationary": "the point is not Pareto-stationary for any weights",
    "other_point": "stationary, but another point than the expected one",
    "unknown": "matches none of the mistakes skpareto knows",
}
"""The ``cause`` a failed check names, with what it means."""

# float64 tolerances are what an exact float64 implementation passes with room to spare;
# float32 ones what float32 arithmetic reaches (directions: scaled by the condition number)
_TOLERANCES = {
    "float64": dict(jacobian=1e-10, hvp=1e-10, weights=1e-10, directions=1e-9,
                    stationarity=1e-10, distance=1e-6),
    "float32": dict(jacobian=1e-4, hvp=1e-4, weights=1e-4, directions=1e-4,
                    stationarity=1e-3, distance=1e-2),
}


def default_tolerances(precision="float64", condition=1.0):
    """Tolerances of the checks for an implementation in ``precision``.

    Parameters
    ----------
    precision : {"float64", "float32"}, default="float64"
        Arithmetic of the implementation under test.
    condition : float, default=1.0
        Condition number of the weighted Hessian at the point; the error of a
        solved direction grows with it.

    Returns
    -------
    tolerances : dict of str to float
        ``jacobian``, ``hvp`` (relative errors), ``weights`` (largest
        absolute error), ``directions`` (relative error of a direction, or
        principal angle in radians), ``stationarity`` (relative residual
        ``||J^T w|| / max_i ||grad f_i||``), ``distance`` (relative distance
        of a corrected point to the expected one).

    Notes
    -----
    A direction solved exactly in precision ``p`` has a relative error of
    about ``condition * eps_p``. The direction tolerance is
    ``max(1e-9, 100 condition eps)`` in float64 and
    ``max(1e-4, 10 condition eps)`` in float32.

    Examples
    --------
    >>> from skpareto.testing import default_tolerances
    >>> default_tolerances("float32", condition=1e4)["directions"]
    0.011920928955078125
    """
    _check_precision(precision)
    if isinstance(condition, bool) or not isinstance(condition, (int, float, np.number)) \
            or not condition >= 1.0 or not np.isfinite(condition):
        raise ValueError(f"condition must be a finite number >= 1, got {condition!r}.")
    tol = dict(_TOLERANCES[precision])
    factor = 100.0 if precision == "float64" else 10.0
    tol["directions"] = max(tol["directions"], factor * condition * EPS[precision])
    return tol


class CheckResult(Result):
    """Outcome of a check: true if it passed, with the numbers and a diagnosis.

    A bunch (keys are attributes) whose truth value is ``passed``. Every
    result has ``check`` (its name), ``passed``, ``cause`` (a key of
    :data:`CAUSES`; ``"ok"`` if passed), ``diagnosis`` (a sentence),
    ``error`` and ``tol`` (the deciding number and its bound, full
    precision); the check's documentation lists the others.
    """

    def __bool__(self):
        return bool(self["passed"])

    def __repr__(self):
        shown = ", ".join(f"{key}={self[key]!r}" for key in
                          ("check", "passed", "cause", "error", "tol", "diagnosis"))
        return f"CheckResult({shown})"

    def __str__(self):
        verdict = "PASS" if self.passed else f"FAIL ({self.cause})"
        return (f"{self.check}: {verdict}; error {_full(self.error)} (tol {self.tol:.3g})\n"
                f"  {self.diagnosis}")


def _result(check, passed, cause, diagnosis, error, tol, **fields):
    return CheckResult(check=check, passed=bool(passed), cause=cause if not passed else "ok",
                       diagnosis=diagnosis, error=float(error), tol=float(tol), **fields)


# -- validation -------------------------------------------------------------------------


def _check_precision(precision):
    if precision not in EPS:
        raise ValueError(f"precision must be one of {sorted(EPS)}, got {precision!r}.")


def _check_tol(tol, name="tol"):
    if isinstance(tol, bool) or not isinstance(tol, (int, float, np.floating, np.integer)) \
            or not np.isfinite(tol) or tol < 0:
        raise ValueError(f"{name} must be a non-negative finite number, got {tol!r}.")
    return float(tol)


def _as_real(value, name, shape):
    """``value`` as a finite float64 array of ``shape`` (None: any positive length)."""
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold real numbers, got dtype {arr.dtype}.")
    arr = arr.astype(np.float64)
    if len(shape) == 2 and arr.ndim == 1:
        arr = arr[None, :]  # one row
    if arr.ndim != len(shape) or arr.size == 0 or any(
            s is not None and s != t for s, t in zip(shape, arr.shape)):
        want = ", ".join("k" if s is None else str(s) for s in shape)
        want = f"({want},)" if len(shape) == 1 else f"({want})"
        raise ValueError(f"{name} must have shape {want}, got shape {np.shape(value)}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    return arr


def _full(value):
    """A float at full precision (17 significant digits)."""
    return f"{float(value):.17g}"


def _fmt(values, digits=17):
    return "[" + ", ".join(f"{float(v):.{digits}g}" for v in np.ravel(values)) + "]"


def _is_float32(values):
    """Whether every value is a float32 number (what a float32 implementation writes)."""
    values = np.asarray(values, dtype=np.float64)
    with np.errstate(over="ignore"):
        return bool(np.all(values.astype(np.float32).astype(np.float64) == values))


def _float32_note(single):
    return "; every value is a float32 number" if single else ""


def _float32(error, reached, tol, what="agrees to", extra=""):
    """The float32 diagnosis: ``error`` within what float32 reaches, not within ``tol``."""
    return "float32", (f"float32 precision: {what} {error:.3g}, within what float32 reaches "
                       f"({reached:.3g}) but not within tol {tol:.3g}; check with "
                       f"precision='float32' (--precision float32 on the command line){extra}")


# -- the dense reference ------------------------------------------------------------------


class _Dense:
    """Exact derivatives of ``fun`` at ``x``: objectives, Jacobian, task Hessians."""

    def __init__(self, fun, x):
        if not callable(fun):
            raise ValueError("fun must be a callable x -> (m,) objectives written with "
                             f"autograd.numpy, got {type(fun).__name__}.")
        x = _as_real(x, "x", (None,))
        if x.size > MAX_DENSE_N:
            raise ValueError(
                f"x has {x.size} parameters; the dense references form an n x n Hessian "
                f"per task and are limited to n <= {MAX_DENSE_N}. Check a smaller model.")
        self.fun, self.x = fun, x
        self.values, self.jac = value_and_jacobian(fun, x)
        self.m, self.n = self.jac.shape
        self._task_hessians = None
        self._eigh = {}

    @property
    def task_hessians(self):
        """``(m, n, n)``: the Hessian of each objective."""
        if self._task_hessians is None:
            hess = np.asarray(autograd.jacobian(autograd.jacobian(self.fun))(self.x),
                              dtype=np.float64).reshape(self.m, self.n, self.n)
            self._task_hessians = 0.5 * (hess + hess.transpose(0, 2, 1))
        return self._task_hessians

    def hessian(self, weights):
        return np.tensordot(weights, self.task_hessians, axes=1)

    def eigh(self, weights):
        key = tuple(np.asarray(weights, dtype=np.float64))
        if key not in self._eigh:
            self._eigh[key] = np.linalg.eigh(self.hessian(weights))
        return self._eigh[key]

    def condition(self, weights):
        eig = np.abs(self.eigh(weights)[0])
        return float(eig.max() / eig.min()) if eig.min() > 0 else np.inf

    def solve(self, weights, rhs):
        """``H^{-1} rhs`` for ``rhs`` (n, k), or ValueError if ``H`` is singular."""
        if self.condition(weights) > 0.1 / EPS["float64"]:
            raise ValueError(
                f"the weighted Hessian is singular at x (condition number "
                f"{self.condition(weights):.3g}); the tangent space is not unique there.")
        try:
            return np.linalg.solve(self.hessian(weights), rhs)
        except np.linalg.LinAlgError as exc:
            raise ValueError(f"the weighted Hessian is singular at x ({exc}); the tangent "
                             "space is not unique there.") from exc


def _weights_or_alpha(dense, weights):
    if weights is None:
        return min_norm_weights(dense.jac)
    return check_weights(weights, dense.m)


def _check_betas(betas, m, k=None):
    betas = _as_real(betas, "betas", (None, m))
    if k is not None and betas.shape[0] != k:
        raise ValueError(f"betas must have one row per direction ({k}), got {betas.shape[0]}.")
    return betas


# -- naming what went wrong ---------------------------------------------------------------


def _name_weights(c, w, ptol, total=1.0):
    """(cause, phrase) for Hessian weights ``total * c`` (``c`` sums to one) against ``w``."""
    m = w.size
    if np.max(np.abs(c - w)) <= ptol:
        return None, ""
    if np.max(np.abs(c - 1.0 / m)) <= ptol:
        which = "sum" if abs(total - m) <= ptol * m else "mean"
        return "unweighted", (f"consistent with H not weighted by alpha: the {which} of the "
                              f"task Hessians instead of sum_i alpha_i Hess f_i, alpha = "
                              f"{_fmt(w, 6)}")
    for perm in itertools.permutations(range(m)):
        if list(perm) != list(range(m)) and np.max(np.abs(c - w[list(perm)])) <= ptol:
            return "wrong_weights", (f"consistent with H weighted by alpha in another task "
                                     f"order, {_fmt(w[list(perm)], 6)} instead of "
                                     f"{_fmt(w, 6)}")
    for i in range(m):
        if np.max(np.abs(c - np.eye(m)[i])) <= ptol:
            return "wrong_weights", f"consistent with the Hessian of task {i} alone"
    return "wrong_weights", (f"consistent with H = sum_i c_i Hess f_i with c = {_fmt(c, 6)} "
                             f"instead of alpha = {_fmt(w, 6)}")


_SIGN_PHRASES = {
    "directions": "v = H^-1 J^T beta, not -H^-1 J^T beta",
    "products": "the products are -H u",
    "gradients": "the gradients of -f",
}


def _name_scales(scales, ptol, what, norms=None):
    """(cause, phrase) for ``what`` that are ``scales`` times the expected ones.

    ``norms`` (of the directions, if ``what`` is directions) tell a
    normalization from another factor.
    """
    scales = np.asarray(scales, dtype=np.float64)
    if np.all(np.abs(scales - 1.0) <= ptol):
        return None, ""
    if np.all(np.abs(scales + 1.0) <= ptol):
        return "sign", f"sign flipped ({_SIGN_PHRASES[what]})"
    sign = " and sign flipped" if np.all(scales < 0) else ""
    amount = (f"scaled by {scales[0]:.4g}" if np.ptp(scales) <= ptol * np.max(np.abs(scales))
              else f"scaled by {_fmt(scales, 4)} (one factor per row)")
    if norms is not None and np.all(np.abs(norms - 1.0) <= 1e-5):
        return "normalized", (f"normalized to unit norm{sign}: {amount} (directions must not "
                              "be normalized; v = H^-1 J^T beta has its own length)")
    return "scale", amount + sign


def _fit_hessian_model(task_hessians, d, rhs):
    """Least-squares ``(c, lam, gamma)`` with ``(sum_i c_i H_i + lam I) d_j = rhs_j gamma_j``.

    Homogeneous in the unknowns: the smallest right singular vector of the
    system with its columns scaled to unit norm. Returns ``c`` (m,), ``lam``,
    ``gamma`` (k, q), the relative residual of the best fit and of the
    second best (a large gap means the fit is unique).
    """
    m = task_hessians.shape[0]
    k, n = d.shape
    q = rhs.shape[2]
    cols = [np.einsum("ab,jb->ja", hess, d).ravel() for hess in task_hessians]
    cols.append(d.ravel())
    for j in range(k):
        for col_rhs in rhs[j].T:
            col = np.zeros(k * n)
            col[j * n:(j + 1) * n] = -col_rhs
            cols.append(col)
    system = np.column_stack(cols)
    if system.shape[0] <= system.shape[1]:  # fewer equations than unknowns: any fit fits
        return None, None, None, np.inf, np.inf
    norms = np.linalg.norm(system, axis=0)
    norms[norms == 0] = 1.0
    _, s, vt = np.linalg.svd(system / norms, full_matrices=False)
    z = vt[-1] / norms
    second = s[-2] if s.size > 1 else np.inf
    return z[:m], z[m], z[m + 1:].reshape(k, q), float(s[-1]), float(second)


def _krylov_dimension(hess, rhs, d, exact, tol, max_dim):
    """Smallest dimension of ``K(hess, rhs)`` within ``tol`` of ``d`` that misses ``exact``.

    None if no Krylov space of at most ``max_dim`` dimensions holds ``d``,
    or the first that does also holds the exact solution (a converged solve).
    """
    def off(vec, basis):
        return np.linalg.norm(vec - basis @ (basis.T @ vec)) / np.linalg.norm(vec)

    basis, _ = np.linalg.qr(rhs)
    block = basis
    while basis.shape[1] <= max_dim:
        if off(d, basis) <= tol:
            return basis.shape[1] if off(exact, basis) > 10.0 * tol else None
        new = hess @ block
        for _ in range(2):  # Gram-Schmidt twice keeps the basis orthonormal
            new -= basis @ (basis.T @ new)
        u, s, _ = np.linalg.svd(new, full_matrices=False)
        keep = s > 1e-10 * max(1.0, np.linalg.norm(hess, 2))
        if not np.any(keep):
            return None  # an invariant subspace: every larger space is the same
        block = u[:, keep]
        basis = np.hstack([basis, block])
    return None


def _describe_model(dense, w, c, lam, ptol, unit_lambda, scales):
    """Causes and phrases of a fitted ``(sum_i c_i H_i + lam I) v = s J^T beta``.

    ``c`` is not yet normalized; ``scales`` are the directions' factors ``s``
    for ``c`` summing to one (None without betas): ``1 / s`` is the sum of the
    weights the implementation used if it solved without a factor.
    """
    found = []
    hc = np.tensordot(c, dense.task_hessians, axes=1)
    if np.linalg.norm(hc) <= ptol * abs(lam) * np.sqrt(dense.n):
        return [("no_solve", "the directions are J^T beta itself (up to a factor), not "
                             "H^-1 J^T beta: no solve")]
    total = c.sum()
    if abs(total) <= 1e-8 * np.sum(np.abs(c)):
        total = np.sum(np.abs(c))
    c, lam = c / total, lam / total
    used = 1.0 / np.mean(scales) if scales is not None else 1.0
    cause, phrase = _name_weights(c, w, ptol, used)
    if cause:
        found.append((cause, phrase))
    if abs(lam) > ptol * unit_lambda:
        found.append(("damping", f"consistent with damping lambda≈{lam:.4g} (a solve with "
                                 f"H + {lam:.4g} I)"))
    return found


def _diagnose_directions(dense, w, d, betas, exact, tol, single, tol32):
    """(cause, diagnosis) of directions that fail against the exact ones.

    In order: float32 rounding; a fitted ``(sum_i c_i H_i + lam I) v ∝ J^T beta``
    (damping, other weights, no solve, a scale or a sign); a small Krylov
    space (a truncated iterative solve); closeness (an inaccurate solve).
    """
    note = _float32_note(single)
    if betas is not None:
        rhs = (dense.jac.T @ betas.T).T[:, :, None]
        errors = np.linalg.norm(d - exact, axis=1) / np.linalg.norm(exact, axis=1)
        if single and np.max(errors) <= tol32:
            return _float32(np.max(errors), tol32, tol)
    else:
        rhs = np.repeat((dense.jac.T @ zero_sum_basis(dense.m).T)[None], len(d), axis=0)
    for diagnose in (_diagnose_by_fit, _diagnose_by_krylov):
        found = diagnose(dense, w, d, betas, exact, rhs, single)
        if found:
            return found[0], found[1] + note
    if betas is None:
        return "unknown", "the span matches none of the known mistakes" + note
    found = _diagnose_by_factor(d, exact, single)
    if found:
        return found[0], found[1] + note
    angles = _angles_deg(d, exact)
    true = _true_residuals(dense.hessian(w), d, rhs)
    if np.max(angles) < 1.0:
        return "inaccurate", (
            f"close to the exact directions (within {np.max(angles):.3g} degrees, relative "
            f"error {np.max(errors):.3g}) but not within tol {tol:.3g}: true residual "
            f"||H v - J^T beta|| / ||J^T beta|| = {np.max(true):.3g}; solve to a smaller "
            "true residual (SciPy's minres info == 0 does not ensure one), or check that the "
            "inputs (x, J) are the case's at full precision" + note)
    return "unknown", (f"matches none of the known mistakes: {np.max(angles):.3g} degrees from "
                       f"the exact direction, relative error {np.max(errors):.3g}, true "
                       f"residual {np.max(true):.3g}" + note)


def _diagnose_by_fit(dense, w, d, betas, exact, rhs, single, fit_tol=None):
    """(cause, phrase) if ``(sum_i c_i H_i + lam I) v_j ∝ J^T beta_j`` fits, else None.

    The fit must leave a relative residual of at most ``fit_tol`` (default: what
    rounding leaves) and be unique.
    """
    c, lam, gamma, residual, second = _fit_hessian_model(dense.task_hessians, d, rhs)
    if fit_tol is None:
        fit_tol = 1e-3 if single else 1e-7
    if residual > fit_tol or second <= 1e3 * residual:
        return None
    ptol = max(1e-6, 10.0 * residual / second)
    unit = float(np.max(np.abs(dense.eigh(w)[0])))
    scales = gamma[:, 0] / (c.sum() or 1.0) if betas is not None else None
    found = _describe_model(dense, w, c, lam, ptol, unit, scales)
    if scales is not None and not (found and found[0][0] in ("no_solve", "unweighted")):
        cause, phrase = _name_scales(scales, ptol, "directions", np.linalg.norm(d, axis=1))
        if cause:
            found.append((cause, phrase))
    return (found[0][0], "; ".join(p for _, p in found)) if found else None


def _diagnose_by_factor(d, exact, single, max_directions=6):
    """(cause, phrase) if each direction is an exact one times a factor, to rounding: its own
    row's (a sign, a scale, a normalization) or another row's (directions in another order,
    up to ``max_directions`` of them); else None.

    :func:`_diagnose_by_fit` names these too, but its model has ``m + 1 + k``
    unknowns: with no more equations (``k n``; two tasks and four parameters,
    say) it fits anything, and a normalized direction was called inaccurate.
    """
    fit_tol = 1e-3 if single else 1e-7

    def factors(target):
        scales = np.sum(d * target, axis=1) / np.sum(target * target, axis=1)
        off = (np.linalg.norm(d - scales[:, None] * target, axis=1)
               / np.linalg.norm(d, axis=1))
        return scales, float(np.max(off))

    scales, off = factors(exact)
    if off <= fit_tol:
        cause, phrase = _name_scales(scales, max(1e-6, 10.0 * off), "directions",
                                     np.linalg.norm(d, axis=1))
        return (cause, phrase) if cause else None
    k = len(d)
    if not 1 < k <= max_directions:
        return None
    for order in itertools.permutations(range(k)):
        scales, off = factors(exact[list(order)])
        if off <= fit_tol and np.all(np.abs(scales - 1.0) <= max(1e-6, 10.0 * off)):
            return "permuted", (f"the exact directions in another order: those of betas "
                                f"rows {list(order)}, in that order")
    return None


def _diagnose_by_krylov(dense, w, d, betas, exact, rhs, single):
    """(cause, phrase) if every direction lies in a small Krylov space of H, else None."""
    hess = dense.hessian(w)
    basis, _ = np.linalg.qr(exact.T)
    dims = []
    for j, direction in enumerate(d):
        # span mode: the exact space's component nearest the direction is its solution
        target = exact[j] if betas is not None else basis @ (basis.T @ direction)
        dims.append(_krylov_dimension(hess, rhs[j], direction, target,
                                      1e-3 if single else 1e-8, min(dense.n - 1, 500)))
    if any(dim is None for dim in dims):
        return None
    dim = max(dims)
    residual = ("" if betas is None else
                f"; true residual ||H v - J^T beta|| / ||J^T beta|| = "
                f"{np.max(_true_residuals(hess, d, rhs)):.3g}")
    # a truncated solve of another system (damped, other weights) fits that system loosely
    also = _diagnose_by_fit(dense, w, d, betas, exact, rhs, single, fit_tol=1e-3)
    also = f"; loosely, also {also[1]}" if also and also[0] in (
        "damping", "unweighted", "wrong_weights") else ""
    return "unconverged", (
        f"consistent with an unconverged solve: the directions lie in a Krylov space of H "
        f"of dimension {dim} (about {dim // rhs.shape[2]} MINRES/CG iterations from zero) "
        f"that does not hold the solution" + residual + also)


def _true_residuals(hess, d, rhs):
    """``||H v_j - b_j|| / ||b_j||`` for directions with one right-hand side each."""
    b = rhs[:, :, 0]
    return np.linalg.norm(d @ hess - b, axis=1) / np.linalg.norm(b, axis=1)


def _angles_deg(d, exact):
    cos = np.abs(np.sum(d * exact, axis=1)) / (np.linalg.norm(d, axis=1)
                                               * np.linalg.norm(exact, axis=1))
    return np.degrees(np.arccos(np.clip(cos, 0.0, 1.0)))


def _orthonormal_span(rows, rcond=1e-8):
    """Orthonormal basis (n, r) of the span of ``rows`` (k, n), and the rank r."""
    _, s, vt = np.linalg.svd(rows, full_matrices=False)
    if s.size == 0 or s[0] == 0.0:
        return np.zeros((rows.shape[1], 0)), 0
    rank = int(np.sum(s > rcond * s[0]))
    return vt[:rank].T, rank


# -- the checks -------------------------------------------------------------------------


def exact_tangent_directions(fun, x, weights=None, betas=None):
    """Exact tangent directions ``H^{-1} J^T beta`` by a dense solve.

    For small problems only: forms the ``n x n`` Hessian of every objective
    with :func:`autograd.jacobian` and solves with :func:`numpy.linalg.solve`.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (m,)`` written with ``autograd.numpy`` (a
        :class:`~skpareto.problems.Problem` is one too).
    x : array-like of shape (n,)
        The point, ``n <= MAX_DENSE_N``.
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
        If an argument is malformed, ``n`` is too large, or ``H`` is singular
        at ``x`` (no unique tangent space).
    """
    dense = _Dense(fun, x)
    weights = _weights_or_alpha(dense, weights)
    betas = zero_sum_basis(dense.m) if betas is None else _check_betas(betas, dense.m)
    return dense.solve(weights, dense.jac.T @ betas.T).T, weights


def check_jacobian(fun, x, jacobian, *, tol=None, precision="float64"):
    """Compare a Jacobian with the exact one.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (m,)`` objectives written with ``autograd.numpy``.
    x : array-like of shape (n,)
        The point.
    jacobian : array-like of shape (m, n)
        The Jacobian to check: row ``i`` is the gradient of ``f_i``.
    tol : float, default=None
        Largest relative error ``||jacobian - J||_F / ||J||_F``; default from
        :func:`default_tolerances` for ``precision``.
    precision : {"float64", "float32"}, default="float64"
        Arithmetic of the implementation under test.

    Returns
    -------
    result : CheckResult
        Also ``row_errors`` (m,) (relative, per task), ``row_scales`` (m,)
        (the least-squares factor of each row against the exact one) and
        ``exact`` (m, n).

    Examples
    --------
    >>> import autograd.numpy as anp
    >>> from skpareto.testing import check_jacobian
    >>> fun = lambda x: anp.array([anp.sum(x ** 2), anp.sum(x)])
    >>> bool(check_jacobian(fun, [1.0, 2.0], [[2.0, 4.0], [1.0, 1.0]]))
    True
    >>> result = check_jacobian(fun, [1.0, 2.0], [[-2.0, -4.0], [-1.0, -1.0]])
    >>> bool(result), result.cause
    (False, 'sign')
    """
    _check_precision(precision)
    x = _as_real(x, "x", (None,))
    _, exact = value_and_jacobian(_callable(fun), x)
    m, n = exact.shape
    jac = _as_real(jacobian, "jacobian", (m, n))
    tol = default_tolerances(precision)["jacobian"] if tol is None else _check_tol(tol)
    norm = np.linalg.norm(exact)
    error = np.linalg.norm(jac - exact) / norm if norm > 0 else np.linalg.norm(jac)
    row_norms = np.linalg.norm(exact, axis=1)
    safe = np.where(row_norms > 0, row_norms, 1.0)
    row_errors = np.linalg.norm(jac - exact, axis=1) / safe
    row_scales = np.sum(jac * exact, axis=1) / safe ** 2
    passed = error <= tol
    cause, diagnosis = "ok", f"agrees to {error:.3g} (tol {tol:.3g})"
    if not passed:
        cause, diagnosis = _diagnose_rows(jac, exact, row_scales, tol, "jacobian")
    return _result("jacobian", passed, cause, diagnosis, error, tol, row_errors=row_errors,
                   row_scales=row_scales, exact=exact)


def _callable(fun):
    if not callable(fun):
        raise ValueError("fun must be a callable x -> (m,) objectives written with "
                         f"autograd.numpy, got {type(fun).__name__}.")
    return fun


def _diagnose_rows(values, exact, scales, tol, what):
    """(cause, diagnosis) of rows (tasks) of ``values`` that differ from ``exact``."""
    single = _is_float32(values)
    note = _float32_note(single)
    norm = np.linalg.norm(exact)
    error = np.linalg.norm(values - exact) / norm
    if single and error <= _TOLERANCES["float32"][what]:
        return _float32(error, _TOLERANCES["float32"][what], tol)
    ptol = max(1e-6, 10.0 * tol)
    scaled = np.linalg.norm(values - scales[:, None] * exact) <= ptol * norm
    common = scaled and np.ptp(scales) <= ptol * np.max(np.abs(scales))
    if common:
        cause, phrase = _name_scales(scales, ptol, "gradients")
        return cause, phrase + note
    # before other factors per row: at a stationary point with m = 2 the two gradients
    # are antiparallel, so swapped rows are also rows scaled by negative factors
    m = exact.shape[0]
    for perm in itertools.permutations(range(m)):
        if list(perm) != list(range(m)) and \
                np.linalg.norm(values - exact[list(perm)]) <= ptol * norm:
            order = ", ".join(f"row {i} holds task {t}" for i, t in enumerate(perm))
            return "permuted", f"the rows are the tasks in another order: {order}" + note
    if scaled:
        return "scale", _name_scales(scales, ptol, "gradients")[1] + note
    if np.allclose(np.sort(values, axis=1), np.sort(exact, axis=1), rtol=ptol,
                   atol=ptol * np.max(np.abs(exact))):
        return "permuted", ("every row holds the right numbers in another order: the flat "
                            "parameter layout differs (see the case's layout; a "
                            "torch.nn.Linear stores its weight matrix transposed)" + note)
    return "unknown", (f"matches none of the known mistakes (relative error {error:.3g}, "
                       f"row factors {_fmt(scales, 4)})" + note)


def check_hvp(fun, x, vectors, products, *, weights=None, tol=None, precision="float64"):
    """Compare Hessian-vector products with the exact ones.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (m,)`` objectives written with ``autograd.numpy``.
    x : array-like of shape (n,)
        The point, ``n <= MAX_DENSE_N``.
    vectors : array-like of shape (p, n)
        The probe vectors ``u_j``.
    products : array-like of shape (p, n)
        The products to check, ``H u_j`` with ``H = sum_i w_i Hess f_i(x)``.
    weights : array-like of shape (m,), default=None
        The weights ``w`` of ``H``; default the min-norm weights at ``x``.
    tol : float, default=None
        Largest relative error ``||product_j - H u_j|| / ||H u_j||``; default
        from :func:`default_tolerances`.
    precision : {"float64", "float32"}, default="float64"

    Returns
    -------
    result : CheckResult
        Also ``errors`` (p,), ``exact`` (p, n) and ``weights`` (m,).

    Notes
    -----
    A failed check fits ``products ≈ (sum_i c_i Hess f_i + lambda I) vectors``
    by least squares and names what the fit shows: a scale or sign, damping
    ``lambda``, or weights ``c`` other than ``w``.

    Examples
    --------
    >>> from skpareto.testing import check_hvp, make_reference_case
    >>> case = make_reference_case("rotated_quadratic_m2")
    >>> u, w = case.hvp_probe, case.weights
    >>> bool(check_hvp(case.fun, case.x, u, case.hvp, weights=w))
    True
    >>> check_hvp(case.fun, case.x, u, case.hvp + 0.1 * u, weights=w).diagnosis
    'consistent with damping lambda≈0.1 (products of H + 0.1 I)'
    """
    _check_precision(precision)
    x = _as_real(x, "x", (None,))
    vectors = _as_real(vectors, "vectors", (None, x.size))
    products = _as_real(products, "products", (vectors.shape[0], x.size))
    tol = default_tolerances(precision)["hvp"] if tol is None else _check_tol(tol)
    dense = _Dense(fun, x)
    w = _weights_or_alpha(dense, weights)
    exact = vectors @ dense.hessian(w)
    norms = np.linalg.norm(exact, axis=1)
    errors = np.linalg.norm(products - exact, axis=1) / np.where(norms > 0, norms, 1.0)
    error = float(np.max(errors))
    passed = error <= tol
    cause, diagnosis = "ok", f"agrees to {error:.3g} (tol {tol:.3g})"
    if not passed:
        cause, diagnosis = _diagnose_hvp(dense, w, vectors, products, error, tol)
    return _result("hvp", passed, cause, diagnosis, error, tol, errors=errors, exact=exact,
                   weights=w)


def _diagnose_hvp(dense, w, vectors, products, error, tol):
    single = _is_float32(products)
    note = _float32_note(single)
    if single and error <= _TOLERANCES["float32"]["hvp"]:
        return _float32(error, _TOLERANCES["float32"]["hvp"], tol)
    cols = [vectors @ hess for hess in dense.task_hessians] + [vectors]
    system = np.column_stack([col.ravel() for col in cols])
    coef, *_ = np.linalg.lstsq(system, products.ravel(), rcond=None)
    residual = np.linalg.norm(system @ coef - products.ravel()) / np.linalg.norm(products)
    # the weights and the damping can be told apart only if the columns are independent
    s = np.linalg.svd(system / np.linalg.norm(system, axis=0), compute_uv=False)
    if residual <= (1e-3 if single else 1e-7) and s[-1] > 1e-6 * s[0]:
        ptol = max(1e-6, 1e3 * residual)
        c, lam = coef[:-1], coef[-1]
        found = []
        total = c.sum()
        cause, phrase = _name_weights(c / total, w, ptol, total)
        if cause:
            found.append((cause, phrase))
        unit = float(np.max(np.abs(dense.eigh(w)[0])))
        if abs(lam / total) > ptol * unit:
            found.append(("damping", f"consistent with damping lambda≈{lam / total:.4g} "
                                     f"(products of H + {lam / total:.4g} I)"))
        # the sum of the task Hessians is named by the weights, not as a factor m
        cause, phrase = _name_scales(np.array([total]), ptol, "products")
        if cause and not (found and found[0][0] == "unweighted"):
            found.append((cause, phrase))
        if found:
            return found[0][0], "; ".join(p for _, p in found) + note
    return "unknown", (f"matches none of the known mistakes (relative error {error:.3g}; "
                       f"no H = sum_i c_i Hess f_i + lambda I explains the products)" + note)


def check_min_norm_weights(fun, x, weights, *, tol=None, precision="float64"):
    """Compare weights with the min-norm weights of the Jacobian at ``x``.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (m,)`` objectives written with ``autograd.numpy``.
    x : array-like of shape (n,)
        The point.
    weights : array-like of shape (m,)
        The weights to check (they are diagnosed, not rejected, when off the
        simplex).
    tol : float, default=None
        Largest ``max_i |weights_i - alpha_i|``; default from
        :func:`default_tolerances`.
    precision : {"float64", "float32"}, default="float64"

    Returns
    -------
    result : CheckResult
        Also ``alpha`` (m,), the exact min-norm weights
        (:func:`skpareto.min_norm_weights`), ``residual`` and
        ``min_residual``: ``||J^T w|| / max_i ||grad f_i||`` for the given
        weights and for ``alpha``.

    Notes
    -----
    ``alpha`` minimizes ``||J^T alpha||`` over the probability simplex. Where
    the minimizer is not unique, weights with a residual within ``tol`` of
    the minimum also pass.

    Examples
    --------
    >>> import autograd.numpy as anp
    >>> from skpareto.testing import check_min_norm_weights
    >>> fun = lambda x: anp.array([(x[0] - 1) ** 2, 2 * (x[0] + 1) ** 2])
    >>> result = check_min_norm_weights(fun, [0.0], [1 / 3, 2 / 3])
    >>> bool(result), result.cause
    (False, 'permuted')
    """
    _check_precision(precision)
    x = _as_real(x, "x", (None,))
    _, jac = value_and_jacobian(_callable(fun), x)
    m = jac.shape[0]
    w = _as_real(weights, "weights", (m,))
    tol = default_tolerances(precision)["weights"] if tol is None else _check_tol(tol)
    alpha = min_norm_weights(jac)
    scale = float(np.max(np.linalg.norm(jac, axis=1))) or 1.0
    residual = float(np.linalg.norm(jac.T @ w) / scale)
    min_residual = float(np.linalg.norm(jac.T @ alpha) / scale)
    error = float(np.max(np.abs(w - alpha)))
    on_simplex = np.all(w >= -tol) and abs(w.sum() - 1.0) <= max(tol, 1e-12)
    passed = on_simplex and (error <= tol or residual <= min_residual + tol)
    cause, diagnosis = "ok", f"agrees to {error:.3g} (tol {tol:.3g})"
    if not passed:
        cause, diagnosis = _diagnose_weights(w, alpha, residual, min_residual, on_simplex,
                                             error, tol)
    return _result("min_norm_weights", passed, cause, diagnosis, error, tol, alpha=alpha,
                   residual=residual, min_residual=min_residual)


def _diagnose_weights(w, alpha, residual, min_residual, on_simplex, error, tol):
    single = _is_float32(w)
    both = f"yours {_fmt(w)}, alpha {_fmt(alpha)}"
    tol32 = _TOLERANCES["float32"]["weights"]
    # float32 weights sum to one only within float32 rounding: test before the simplex
    if single and error <= tol32 and abs(w.sum() - 1.0) <= tol32:
        return _float32(error, tol32, tol, extra=f" ({both})")
    if not on_simplex:
        total = w.sum()
        if total > 0 and np.all(w >= 0) and np.max(np.abs(w / total - alpha)) <= max(tol, 1e-6):
            return "scale", (f"not normalized: they sum to {_full(total)}; divided by their "
                             f"sum they agree with alpha ({both})")
        return "not_simplex", (f"not a point of the probability simplex (sum "
                               f"{_full(total)}, smallest {_full(w.min())}; {both})")
    m = w.size
    for perm in itertools.permutations(range(m)):
        if list(perm) != list(range(m)) and np.max(np.abs(w - alpha[list(perm)])) <= tol:
            return "permuted", f"alpha in another task order ({both})"
    return "suboptimal", (f"||J^T w|| / max_i ||grad f_i|| = {_full(residual)} exceeds the "
                          f"minimum {_full(min_residual)}: the min-norm problem was not "
                          f"solved to the end ({both})")


def check_tangent_directions(fun, x, directions, betas=None, *, weights=None, tol=None,
                             precision="float64"):
    """Compare tangent directions with the exact ``H^{-1} J^T beta``.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (m,)`` objectives written with ``autograd.numpy``; a
        :class:`~skpareto.problems.Problem` is one too.
    x : array-like of shape (n,)
        The Pareto-stationary point the directions were computed at,
        ``n <= MAX_DENSE_N``.
    directions : array-like of shape (k, n)
        Directions to check. Without ``betas`` their span must be the whole
        tangent space (rank m - 1; signs and lengths are free, so a sign or a
        normalization cannot be seen).
    betas : array-like of shape (k, m), default=None
        The zero-sum combinations the directions were computed for,
        ``v_j = H^{-1} J^T beta_j``. Then every direction is compared with its
        exact value (sign and length included), and ``k`` may be below m - 1.
    weights : array-like of shape (m,), default=None
        Weights defining ``H = sum_i w_i Hess f_i(x)``; default the min-norm
        weights at ``x``.
    tol : float, default=None
        Largest relative error of a direction (with ``betas``) or largest
        principal angle in radians (without); default from
        :func:`default_tolerances` for ``precision`` and the condition number
        of ``H``.
    precision : {"float64", "float32"}, default="float64"
        Arithmetic of the implementation under test.

    Returns
    -------
    result : CheckResult
        ``error`` is the largest relative error (with ``betas``) or principal
        angle. Also ``errors`` (k,) or None, ``angles`` (principal angles
        between the spans, radians, descending), ``max_angle``,
        ``direction_angles`` (k,) (degrees between each direction and its
        exact value, sign ignored) or None, ``residuals`` (k,) or None (the
        true residuals ``||H v_j - J^T beta_j|| / ||J^T beta_j||``),
        ``scales`` (k,) or None (the least-squares factor of each direction
        against the exact one), ``rank``, ``dimension`` (m - 1),
        ``weights``, ``exact`` (the exact directions), ``condition`` (of
        ``H``) and ``attainable`` (``condition * eps`` per precision: the
        error an exact solve in that arithmetic makes).

    Raises
    ------
    ValueError
        If an argument is malformed, ``n`` is too large, or ``H`` is
        singular at ``x``.

    Notes
    -----
    A failed check fits ``(sum_i c_i Hess f_i + lambda I) v_j ∝ J^T beta_j``
    to the directions and names what the fit shows (damping, other weights,
    no solve at all, a scale or a sign); failing that it tests whether the
    directions lie in a small Krylov space of ``H``, the mark of an
    iterative solve stopped early.

    Examples
    --------
    >>> import numpy as np
    >>> from skpareto import tangent_directions
    >>> from skpareto.testing import check_tangent_directions, make_reference_case
    >>> case = make_reference_case("rotated_quadratic_m2")
    >>> res = tangent_directions(case.fun, case.x, case.weights, case.betas, rtol=1e-14)
    >>> bool(check_tangent_directions(case.fun, case.x, res.directions, case.betas,
    ...                               weights=case.weights))
    True
    >>> unit = res.directions / np.linalg.norm(res.directions, axis=1, keepdims=True)
    >>> check_tangent_directions(case.fun, case.x, unit, case.betas,
    ...                          weights=case.weights).cause
    'normalized'
    """
    _check_precision(precision)
    x = _as_real(x, "x", (None,))
    d = _as_real(directions, "directions", (None, x.size))
    if tol is not None:
        tol = _check_tol(tol)
    dense = _Dense(fun, x)
    if betas is not None:
        betas = _check_betas(betas, dense.m, d.shape[0])
    w = _weights_or_alpha(dense, weights)
    basis_betas = zero_sum_basis(dense.m)
    exact_span = dense.solve(w, dense.jac.T @ basis_betas.T).T
    exact = exact_span if betas is None else dense.solve(w, dense.jac.T @ betas.T).T
    condition = dense.condition(w)
    tol = default_tolerances(precision, condition)["directions"] if tol is None else tol
    tol32 = default_tolerances("float32", condition)["directions"]
    basis, dimension = _orthonormal_span(exact_span)
    user, rank = _orthonormal_span(d)
    if rank == 0:
        raise ValueError("directions must not all be zero.")
    angles = np.sort(subspace_angles(user, basis))[::-1] if dimension else np.array([])
    max_angle = float(angles.max()) if angles.size else 0.0
    fields = dict(angles=angles, max_angle=max_angle, rank=rank, dimension=dimension,
                  weights=w, exact=exact, condition=condition,
                  attainable={p: condition * EPS[p] for p in EPS}, errors=None,
                  direction_angles=None, residuals=None, scales=None)
    problems = []
    if betas is None:
        error = max_angle
        if rank != dimension:
            problems.append(("unknown", f"the directions span {rank} dimensions, the tangent "
                                        f"space {dimension}"))
    else:
        norms = np.linalg.norm(exact, axis=1)
        errors = np.linalg.norm(d - exact, axis=1) / norms
        error = float(np.max(errors))
        fields.update(errors=errors, direction_angles=_angles_deg(d, exact),
                      residuals=_true_residuals(dense.hessian(w), d,
                                                (dense.jac.T @ betas.T).T[:, :, None]),
                      scales=np.sum(d * exact, axis=1) / norms ** 2)
        if rank > dimension:
            problems.append(("unknown", f"the directions span {rank} dimensions, more than "
                                        f"the tangent space ({dimension})"))
    if error > tol and not problems:
        problems.append(_diagnose_directions(dense, w, d, betas, exact, tol,
                                             _is_float32(d), tol32))
    passed = not problems
    if passed:
        what = "relative error" if betas is not None else "largest principal angle"
        diagnosis = f"agrees: {what} {error:.3g} (tol {tol:.3g})"
        cause = "ok"
    else:
        cause, diagnosis = problems[0]
    return _result("tangent_directions", passed, cause, diagnosis, error, tol, **fields)


def check_corrected_point(fun, x, weights, *, expected=None, tol=None, precision="float64"):
    """Check that a corrected point is Pareto-stationary for the weights it claims.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (m,)`` objectives written with ``autograd.numpy``.
    x : array-like of shape (n,)
        The point a corrector returned.
    weights : array-like of shape (m,)
        The weights it claims ``x`` is stationary for (a point of the
        probability simplex).
    expected : array-like of shape (n,), default=None
        The exact corrected point, if known: ``x`` must also be near it.
    tol : float, default=None
        Largest relative stationarity residual
        ``||J^T w|| / max_i ||grad f_i||``; default from
        :func:`default_tolerances`. The distance to ``expected``, relative
        to its norm, is held to the ``distance`` tolerance of ``precision``.
    precision : {"float64", "float32"}, default="float64"

    Returns
    -------
    result : CheckResult
        ``error`` is the residual for ``weights``. Also ``min_residual`` (the
        residual for the min-norm weights ``alpha``, the smallest any weights
        reach), ``alpha`` (m,) and ``distance`` (relative, or None).

    Examples
    --------
    >>> import autograd.numpy as anp
    >>> from skpareto.testing import check_corrected_point
    >>> fun = lambda x: anp.array([(x[0] - 1) ** 2, (x[0] + 1) ** 2])
    >>> bool(check_corrected_point(fun, [0.5], [0.75, 0.25]))
    True
    >>> check_corrected_point(fun, [0.5], [0.5, 0.5]).cause
    'wrong_weights'
    """
    _check_precision(precision)
    x = _as_real(x, "x", (None,))
    _, jac = value_and_jacobian(_callable(fun), x)
    w = check_weights(weights, jac.shape[0])
    tols = default_tolerances(precision)
    tol = tols["stationarity"] if tol is None else _check_tol(tol)
    scale = float(np.max(np.linalg.norm(jac, axis=1))) or 1.0
    error = float(np.linalg.norm(jac.T @ w) / scale)
    alpha = min_norm_weights(jac)
    min_residual = float(np.linalg.norm(jac.T @ alpha) / scale)
    distance = None
    if expected is not None:
        expected = _as_real(expected, "expected", (x.size,))
        distance = float(np.linalg.norm(x - expected) / max(np.linalg.norm(expected), 1e-300))
    passed = error <= tol and (distance is None or distance <= tols["distance"])
    cause, diagnosis = "ok", f"stationary: residual {error:.3g} (tol {tol:.3g})"
    if not passed:
        single = _is_float32(x)
        note = _float32_note(single)
        both = f"claimed {_fmt(w)}, min-norm alpha {_fmt(alpha)}"
        reached = _TOLERANCES["float32"]["stationarity"]
        if error > tol and single and error <= reached:
            cause, diagnosis = _float32(error, reached, tol, what="residual")
        elif error > tol and min_residual <= tol:
            perm = next((p for p in itertools.permutations(range(w.size))
                         if np.max(np.abs(w[list(p)] - alpha)) <= 1e-6), None)
            order = " (the claimed weights in another task order)" if perm else ""
            cause, diagnosis = "wrong_weights", (
                f"x is Pareto-stationary (min-norm residual {min_residual:.3g}) but for other "
                f"weights than it claims{order}: residual {_full(error)} with the claimed "
                f"weights; {both}" + note)
        elif error > tol:
            cause, diagnosis = "not_stationary", (
                f"x is not Pareto-stationary for any weights (min-norm residual "
                f"{min_residual:.3g}, residual with the claimed weights {_full(error)}): "
                f"the corrector stopped early; {both}" + note)
        else:
            cause, diagnosis = "other_point", (
                f"stationary for the weights (residual {error:.3g}) but at relative distance "
                f"{distance:.3g} from the expected point (tol {tols['distance']:.3g}): "
                "another stationary point" + note)
    return _result("corrected_point", passed, cause, diagnosis, error, tol,
                   min_residual=min_residual, alpha=alpha, distance=distance)
