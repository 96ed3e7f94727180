"""``python -m skpareto {export,verify}``: reference cases out, results back in.

``export CASE PATH`` writes a reference case (:func:`skpareto.testing.export_case`).
``verify RESULTS.npz`` checks another implementation's results on it: the file
names the case and holds any of the arrays of
:data:`skpareto.testing.RESULT_ARRAYS`; the case is rebuilt from its name and
every result is compared with its exact reference, with a diagnosis of what
is wrong. ``verify`` also reads the older files of
:func:`skpareto.testing.export_verification` (an analytic problem, a point,
its weights and directions). Exit status: 0 pass, 1 mismatch, 2 malformed
file (with a one-line reason naming the missing or bad array).
"""

import argparse
import sys
import textwrap
import zipfile

import numpy as np

from ._hvp import value_and_jacobian
from ._validation import ArgumentError
from .metrics import _unchecked_residual
from .problems import ConvexQuadratic
from .testing import (
    RESULT_ARRAYS,
    check_case_results,
    check_pareto_stationary,
    check_tangent_directions,
    export_case,
    make_reference_case,
    make_reference_problem,
    reference_cases,
)

__all__ = ["main_verify", "main_export", "add_parser", "add_export_parser", "MalformedFile"]

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
        hint = (" (transposed?)" if value.ndim == 2 and len(shape) == 2
                and value.shape[::-1] == tuple(shape) else "")
        raise MalformedFile(f"array '{name}' must have shape {want}, got {value.shape}{hint}")
    value = value.astype(np.float64)
    if not np.all(np.isfinite(value)):
        raise MalformedFile(f"array '{name}' contains NaN or infinite values")
    return value


def _string(arrays, name):
    value = _require(arrays, name)
    if value.dtype.kind not in "US" or value.size != 1:
        raise MalformedFile(f"array '{name}' must be one string, got dtype {value.dtype} "
                            f"shape {value.shape}")
    value = value.reshape(())[()]
    return value.decode() if isinstance(value, bytes) else str(value)


def _parse_results(arrays):
    """The case and the results dict from the arrays of a results file, or MalformedFile."""
    name = _string(arrays, "case")
    if name not in reference_cases():
        raise MalformedFile(f"array 'case' must name a reference case "
                            f"({', '.join(reference_cases())}), got {name!r}")
    unknown = sorted(set(arrays) - set(RESULT_ARRAYS))
    if unknown:
        raise MalformedFile(f"unknown array '{unknown[0]}' (a results file holds "
                            f"{', '.join(RESULT_ARRAYS)})")
    case = make_reference_case(name)
    n, m = case.n, case.m
    results = {}
    betas = _real(arrays, "betas", (None, m), required=False)
    if betas is not None:
        results["betas"] = betas
    k = len(case.betas if betas is None else betas)
    shapes = dict(directions=(k, n), hvp=(len(case.hvp_probe), n), jacobian=(m, n),
                  weights=(m,), corrected_x=(n,))
    for key, shape in shapes.items():
        value = _real(arrays, key, shape, required=False)
        if value is not None:
            results[key] = value
    if "betas" in results and "directions" not in results:
        raise MalformedFile("array 'betas' given without 'directions'")
    if not results:
        raise MalformedFile(f"no results: the file must hold at least one of "
                            f"{', '.join(shapes)}")
    if "directions" in results and not np.any(results["directions"]):
        raise MalformedFile("array 'directions' must hold at least one non-zero direction")
    return case, results


def _parse(arrays):
    """Problem, x, weights, directions, betas from the arrays, or MalformedFile."""
    name = _string(arrays, "problem")
    n = _scalar_int(arrays, "n")
    m = _scalar_int(arrays, "m", required=False)
    seed = _scalar_int(arrays, "random_state", required=False)
    try:
        problem = make_reference_problem(name, n, m=m, random_state=seed)
    except ArgumentError as exc:  # the arguments are the file's arrays, but name is problem
        bad = "problem" if exc.argument == "name" else exc.argument
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


def _fmt(values, digits=4):
    """Values in e-notation with ``digits`` significant digits."""
    return np.array2string(np.asarray(values), separator=", ",
                           formatter={"float_kind": lambda v: f"{v:.{digits - 1}e}"})


_LABELS = {"jacobian": "Jacobian", "weights": "min-norm weights",
           "hvp": "Hessian-vector products", "directions": "tangent directions",
           "corrected_x": "corrected point"}


def _report_case(case, checks, precision, out):
    """Print one block per check; return the list of pass flags."""
    print(f"  case: {case.name} (n={case.n}, m={case.m}), {precision} tolerances",
          file=out)
    for key, check in checks.items():
        verdict = "PASS" if check.passed else "FAIL"
        print(f"  {_LABELS[key]:<24} {verdict}  error {check.error!r} (tol {check.tol!r})",
              file=out)
        if key == "directions" and check.errors is not None:
            print(f"  {'':<24}       degrees from the exact directions "
                  f"{_fmt(check.direction_angles)}; true residuals ||H v - J^T beta|| / "
                  f"||J^T beta|| {_fmt(check.residuals)}", file=out)
        if not check.passed:
            print(f"  {'':<24}       cause: {check.cause}; {check.diagnosis}", file=out)
    return [check.passed for check in checks.values()]


def main_verify(path, *, precision="float64", angle_tol=1e-6, stationarity_tol=1e-6,
                set_tol=1e-6, out=None, err=None):
    """Check the arrays of a results file and print a report with diagnoses.

    Parameters
    ----------
    path : str or path-like
        A ``.npz`` results file on a reference case (array ``case`` and any
        of :data:`skpareto.testing.RESULT_ARRAYS`), or a file of
        :func:`skpareto.testing.export_verification` (array ``problem``).
    precision : {"float64", "float32"}, default="float64"
        Arithmetic of the implementation: selects the tolerances of a
        results file (:func:`skpareto.testing.default_tolerances`).
    angle_tol : float, default=1e-6
        Largest principal angle (radians) between the file's directions and
        the exact tangent space, and largest relative error of a direction
        when ``betas`` are given (files of ``export_verification`` only, as the
        next two).
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
        arrays = _read(path)
        if "case" in arrays or "problem" not in arrays:
            if "case" not in arrays:
                raise MalformedFile("missing array 'case' (the name of a reference case; "
                                    "a file of export_verification has 'problem' instead)")
            case, results = _parse_results(arrays)
        else:
            case = None
            problem, x, weights, directions, betas = _parse(arrays)
    except MalformedFile as exc:
        print(f"skpareto verify: malformed file {path}: {exc}", file=err)
        return EXIT_MALFORMED
    if case is not None:
        print(f"skpareto verify {path}", file=out)
        results = _report_case(case, check_case_results(case, results, precision=precision),
                               precision, out)
        return _summary(results, out)

    def line(label, text, ok=None):
        status = "" if ok is None else ("  PASS" if ok else "  FAIL")
        print(f"  {label:<24} {text}{status}", file=out)

    print(f"skpareto verify {path}", file=out)
    extra = (f", random_state={problem.random_state}"
             if isinstance(problem, ConvexQuadratic) else "")
    line("problem", f"{problem.name} (n={problem.n}, m={problem.m}{extra})")
    results = []
    _, jac = value_and_jacobian(problem.fun, x)
    residual = _unchecked_residual(jac, weights)
    results.append(residual <= stationarity_tol)
    line("stationarity", f"||J^T w|| / max ||grad f_i|| = {residual:.3e} "
                         f"(tol {stationarity_tol:.1e})", results[-1])
    reference = check_pareto_stationary(jac)
    # full precision: weights that decide a stationarity failure may differ in the 8th digit
    line("min-norm weights here", f"{_fmt(reference.alpha, 17)}, yours {_fmt(weights, 17)} "
                                  f"(relative residual {reference.relative_residual:.3e})")
    distance = _distance_to_set(problem, x, weights)
    results.append(distance <= set_tol)
    line("distance to the set", f"{distance:.3e} (tol {set_tol:.1e})", results[-1])
    try:
        check = check_tangent_directions(problem, x, directions, betas, tol=angle_tol,
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
            line("reason", f"{check.cause}: {check.diagnosis}")
    return _summary(results, out)


def _summary(results, out):
    passed = all(results)
    print(f"result: {'PASS' if passed else 'FAIL'} "
          f"({sum(results)} of {len(results)} checks passed)", file=out)
    return EXIT_PASS if passed else EXIT_MISMATCH


def _run(args):
    return main_verify(args.file, precision=args.precision, angle_tol=args.angle_tol,
                       stationarity_tol=args.stationarity_tol, set_tol=args.set_tol)


def _table(rows):
    """``name  text`` rows, the text wrapped under itself."""
    width = max(map(len, rows)) + 4
    return [textwrap.fill(text, 79, initial_indent=f"  {name:<{width - 2}}",
                          subsequent_indent=" " * width) for name, text in rows.items()]


def _paragraphs(*texts):
    return "\n\n".join(textwrap.fill(text, 79) for text in texts)


def _listing():
    """The cases and the arrays of a results file, for ``--help``."""
    lines = ["reference cases (write one with: python -m skpareto export CASE PATH):"]
    lines += _table(reference_cases())
    lines += ["", "a results file (.npz, e.g. numpy.savez) holds 'case' and at least one of "
              "the others:"]
    lines += _table(RESULT_ARRAYS)
    lines += ["", _paragraphs(
        "Arrays are float64 (float32 values are accepted and diagnosed); k = m - 1 "
        "directions, p = 2 probe vectors. The case's JSON file describes the problem, the "
        "parameter layout and every array.",
        "Also accepted: a file of skpareto.testing.export_verification (array 'problem': "
        "an analytic problem, a point, its weights and directions).",
        "exit status: 0 pass, 1 mismatch, 2 malformed file")]
    return "\n".join(lines)


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
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=_paragraphs(
            "Check another implementation's results on a reference case: the case is "
            "rebuilt from its name, every result given (Jacobian, min-norm weights, "
            "Hessian-vector products, tangent directions, corrected point) is compared "
            "with its exact dense reference, and a failed check names the likely cause "
            "(sign, scale, normalization, damping, H not weighted by alpha, an unconverged "
            "solve, float32, ...)."),
        epilog=_listing())
    parser.add_argument("file", help="the .npz results file")
    parser.add_argument("--precision", choices=["float64", "float32"], default="float64",
                        help="arithmetic of the implementation; float32 loosens the "
                             "tolerances to what float32 reaches (default float64)")
    parser.add_argument("--angle-tol", type=float, default=1e-6,
                        help="files of export_verification: largest principal angle in "
                             "radians (default 1e-6)")
    parser.add_argument("--stationarity-tol", type=float, default=1e-6,
                        help="files of export_verification: largest relative stationarity "
                             "residual (default 1e-6)")
    parser.add_argument("--set-tol", type=float, default=1e-6,
                        help="files of export_verification: largest distance to the "
                             "analytic set (default 1e-6)")
    parser.set_defaults(func=_run)
    return parser


def main_export(case, path, *, out=None):
    """Write a reference case to ``PATH.npz`` and ``PATH.json``; print where.

    Returns
    -------
    status : int
        0.
    """
    out = sys.stdout if out is None else out
    npz_path, json_path = export_case(case, path)
    print(f"wrote {npz_path} (arrays) and {json_path} (their description)", file=out)
    return EXIT_PASS


def add_export_parser(subparsers):
    """Add the ``export`` subcommand to an :mod:`argparse` subparsers object.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction

    Returns
    -------
    parser : argparse.ArgumentParser
    """
    cases = reference_cases()
    parser = subparsers.add_parser(
        "export", help="write a reference case (.npz arrays + .json description)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=_paragraphs(
            "Write a reference case for another implementation: PATH.npz holds the "
            "problem's arrays, the Pareto-stationary point and the exact references there; "
            "PATH.json describes the problem (for the network: architecture and flat "
            "parameter layout), every array, what to compute and write back, and the "
            "tolerances. Check the results with 'python -m skpareto verify'."),
        epilog="\n".join(["cases:"] + _table(cases)))
    parser.add_argument("case", choices=list(cases), metavar="CASE",
                        help=f"one of {', '.join(cases)}")
    parser.add_argument("path", metavar="PATH",
                        help="output path without suffix (.npz and .json are added)")
    parser.set_defaults(func=lambda args: main_export(args.case, args.path))
    return parser
