"""``python -m skpareto verify FILE.npz``: check another implementation's results.

The file (see :func:`skpareto.testing.export_verification`) names a reference
problem and its size and holds a point ``x``, its weights and tangent
directions computed elsewhere. Everything is recomputed here with dense
linear algebra and compared. Exit status: 0 pass, 1 mismatch, 2 malformed
file (with a one-line reason naming the missing or bad array).
"""

import sys
import zipfile

import numpy as np

from ._hvp import value_and_jacobian
from .metrics import stationarity_residual
from .problems import ConvexQuadratic
from .testing import check_pareto_stationary, check_tangent_directions, make_reference_problem

__all__ = ["main_verify", "add_parser", "MalformedFile"]

EXIT_PASS, EXIT_MISMATCH, EXIT_MALFORMED = 0, 1, 2


class MalformedFile(ValueError):
    """A verification file lacks an array or holds a bad one."""


def _read(path):
    """All arrays of the ``.npz`` file as a dict, without unpickling anything."""
    try:
        data = np.load(path, allow_pickle=False)
        if not isinstance(data, np.lib.npyio.NpzFile):
            raise MalformedFile("not an .npz archive (a single .npy array)")
        with data:
            arrays = {}
            for name in data.files:
                try:
                    arrays[name] = data[name]
                except ValueError as exc:  # object arrays need pickle
                    raise MalformedFile(f"array '{name}' cannot be read without "
                                        f"pickle: {exc}") from exc
                except (OSError, EOFError, zipfile.BadZipFile) as exc:
                    raise MalformedFile(f"array '{name}' is damaged: {exc}") from exc
            return arrays
    except MalformedFile:
        raise
    except FileNotFoundError as exc:
        raise MalformedFile(f"no such file: {path}") from exc
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise MalformedFile(f"not a readable .npz file ({exc})") from exc


def _require(arrays, name):
    if name not in arrays:
        raise MalformedFile(f"missing array '{name}' (the file has: "
                            f"{', '.join(sorted(arrays)) or 'nothing'})")
    return arrays[name]


def _scalar_int(arrays, name, required=True):
    if not required and name not in arrays:
        return None
    value = _require(arrays, name)
    if value.dtype.kind not in "iu" or value.size != 1:
        raise MalformedFile(f"array '{name}' must be one integer, got dtype {value.dtype} "
                            f"shape {value.shape}")
    return int(value.reshape(()))


def _real(arrays, name, shape, required=True):
    """A finite float64 array of the given shape (None entries: any length)."""
    if not required and name not in arrays:
        return None
    value = _require(arrays, name)
    if value.dtype.kind not in "biuf":
        raise MalformedFile(f"array '{name}' must hold real numbers, got dtype {value.dtype}")
    want = tuple("k" if s is None else s for s in shape)
    if value.ndim != len(shape) or any(s is not None and s != t
                                       for s, t in zip(shape, value.shape)):
        raise MalformedFile(f"array '{name}' must have shape {want}, got {value.shape}")
    value = value.astype(np.float64)
    if not np.all(np.isfinite(value)):
        raise MalformedFile(f"array '{name}' contains NaN or infinite values")
    return value


def _parse(arrays):
    """Problem, x, weights, directions, betas from the arrays, or MalformedFile."""
    name = _require(arrays, "problem")
    if name.dtype.kind not in "US" or name.size != 1:
        raise MalformedFile(f"array 'problem' must be one string, got dtype {name.dtype} "
                            f"shape {name.shape}")
    name = name.reshape(())[()]
    name = name.decode() if isinstance(name, bytes) else str(name)
    n = _scalar_int(arrays, "n")
    m = _scalar_int(arrays, "m", required=False)
    seed = _scalar_int(arrays, "random_state", required=False)
    try:
        problem = make_reference_problem(name, n, m=m, random_state=seed)
    except ValueError as exc:
        bad = next((a for a in ("random_state", "m", "n") if str(exc).startswith(a + " ")),
                   "problem")
        raise MalformedFile(f"array '{bad}': {exc}") from exc
    x = _real(arrays, "x", (problem.n,))
    weights = _real(arrays, "weights", (problem.m,))
    if np.any(weights < 0) or abs(weights.sum() - 1.0) > 1e-8:
        raise MalformedFile(f"array 'weights' must be a point of the simplex (non-negative, "
                            f"sum 1), got {np.array2string(weights, precision=6)}")
    directions = _real(arrays, "directions", (None, problem.n))
    if directions.shape[0] == 0 or not np.any(directions):
        raise MalformedFile("array 'directions' must hold at least one non-zero direction")
    betas = _real(arrays, "betas", (directions.shape[0], problem.m), required=False)
    return problem, x, weights, directions, betas


def _distance_to_set(problem, x, weights):
    """Distance of ``x`` to the analytic set (to ``x(weights)`` for quadratics)."""
    if isinstance(problem, ConvexQuadratic):
        target = problem.pareto_set(weights)
        return float(np.linalg.norm(x - target) / max(1.0, np.linalg.norm(target)))
    return float(problem.distance_to_set(x))


def _fmt(values):
    return np.array2string(np.asarray(values), precision=3, separator=", ",
                           formatter={"float_kind": lambda v: f"{v:.3e}"})


def main_verify(path, *, angle_tol=1e-6, stationarity_tol=1e-6, set_tol=1e-6, out=None,
                err=None):
    """Check the arrays of a verification file and print a pass/fail report.

    Parameters
    ----------
    path : str or path-like
        A ``.npz`` file in the format of
        :func:`skpareto.testing.export_verification`.
    angle_tol : float, default=1e-6
        Largest principal angle (radians) between the file's directions and
        the exact tangent space, and largest relative error of a direction
        when ``betas`` are given.
    stationarity_tol : float, default=1e-6
        Largest relative residual ``||J^T w|| / max_i ||grad f_i||`` at ``x``
        with the file's weights.
    set_tol : float, default=1e-6
        Largest distance of ``x`` from the analytic Pareto set (relative to
        ``max(1, ||x(w)||)`` for quadratics, where it is ``||x - x(w)||``).
    out, err : file-like, default=None
        Streams of the report and of the malformed-file reason (default
        stdout and stderr).

    Returns
    -------
    status : int
        0 if every check passes, 1 on a mismatch, 2 if the file is malformed.
    """
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    try:
        problem, x, weights, directions, betas = _parse(_read(path))
    except MalformedFile as exc:
        print(f"skpareto verify: malformed file {path}: {exc}", file=err)
        return EXIT_MALFORMED

    def line(label, text, ok=None):
        status = "" if ok is None else ("  PASS" if ok else "  FAIL")
        print(f"  {label:<24} {text}{status}", file=out)

    print(f"skpareto verify {path}", file=out)
    extra = (f", random_state={problem.random_state}"
             if isinstance(problem, ConvexQuadratic) else "")
    line("problem", f"{problem.name} (n={problem.n}, m={problem.m}{extra})")
    results = []
    _, jac = value_and_jacobian(problem.fun, x)
    residual = stationarity_residual(jac, weights)
    results.append(residual <= stationarity_tol)
    line("stationarity", f"||J^T w|| / max ||grad f_i|| = {residual:.3e} "
                         f"(tol {stationarity_tol:.1e})", results[-1])
    reference = check_pareto_stationary(jac)
    line("min-norm weights here", f"{_fmt(reference.alpha)}, yours {_fmt(weights)} "
                                  f"(relative residual {reference.relative_residual:.3e})")
    distance = _distance_to_set(problem, x, weights)
    results.append(distance <= set_tol)
    line("distance to the set", f"{distance:.3e} (tol {set_tol:.1e})", results[-1])
    try:
        check = check_tangent_directions(problem, x, directions, betas, angle_tol,
                                         weights=weights)
    except ValueError as exc:  # singular Hessian: no unique tangent space to compare
        results.append(False)
        line("tangent space", f"cannot be compared: {exc}", False)
    else:
        # without betas the directions must span the whole tangent space
        rank_ok = (check.rank == check.dimension if betas is None
                   else check.rank <= check.dimension)
        results.append(check.max_angle <= angle_tol and rank_ok)
        line("tangent space", f"{len(directions)} directions of rank {check.rank}, "
                              f"exact dimension {check.dimension}", None)
        line("principal angles", f"{_fmt(check.angles)} rad, max {check.max_angle:.3e} "
                                 f"(tol {angle_tol:.1e})", results[-1])
        if check.errors is not None:
            results.append(bool(np.max(check.errors) <= angle_tol))
            line("direction errors", f"{_fmt(check.errors)} (relative, tol {angle_tol:.1e})",
                 results[-1])
        if not check.passed:
            line("reason", check.message)
    passed = all(results)
    print(f"result: {'PASS' if passed else 'FAIL'} "
          f"({sum(results)} of {len(results)} checks passed)", file=out)
    return EXIT_PASS if passed else EXIT_MISMATCH


def _run(args):
    return main_verify(args.file, angle_tol=args.angle_tol,
                       stationarity_tol=args.stationarity_tol, set_tol=args.set_tol)


def add_parser(subparsers):
    """Add the ``verify`` subcommand to an :mod:`argparse` subparsers object.

    The subcommand's handler is stored as the ``func`` default: call
    ``args.func(args)`` to run it; it returns the exit status.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        From ``parser.add_subparsers()``.

    Returns
    -------
    parser : argparse.ArgumentParser
        The ``verify`` subparser.
    """
    parser = subparsers.add_parser(
        "verify", help="check another implementation's results stored in a .npz file",
        description="Recompute the stationarity, the distance to the analytic Pareto set "
                    "and the tangent space of a reference problem at the point stored in "
                    "FILE (see skpareto.testing.export_verification) and compare. Exit "
                    "status: 0 pass, 1 mismatch, 2 malformed file.")
    parser.add_argument("file", help="the .npz file")
    parser.add_argument("--angle-tol", type=float, default=1e-6,
                        help="largest principal angle in radians (default 1e-6)")
    parser.add_argument("--stationarity-tol", type=float, default=1e-6,
                        help="largest relative stationarity residual (default 1e-6)")
    parser.add_argument("--set-tol", type=float, default=1e-6,
                        help="largest distance to the analytic set (default 1e-6)")
    parser.set_defaults(func=_run)
    return parser
