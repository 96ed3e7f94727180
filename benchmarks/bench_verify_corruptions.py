"""Deliberately wrong implementations against the reference cases: the corruption tables.

For every case of :func:`skpareto.testing.reference_cases` this builds the
results of implementations with one known mistake each (no alpha weighting of
``H``, damping, a truncated MINRES, no solve, a sign, normalized directions,
float32 arithmetic, ...), checks them with
:func:`skpareto.testing.check_case_results` and tabulates whether each was
caught and which cause the diagnosis names. A second table holds mistakes the
diagnoses were not designed for (held out): they must be caught, whatever
cause is named.

Writes the tables to ``doc/verification_corruptions.rst`` (committed; the
verification guide includes it) and prints them. ``tests/test_verify_cases.py``
rebuilds the tables and compares them with that file.
"""

import sys
from pathlib import Path
from typing import Callable, NamedTuple

import numpy as np

if __package__ in (None, ""):  # run as a script: make the `benchmarks` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import autograd  # noqa: E402
import autograd.numpy as anp  # noqa: E402
from scipy.sparse.linalg import minres  # noqa: E402

from skpareto import min_norm_weights  # noqa: E402
from skpareto._hvp import value_and_jacobian  # noqa: E402
from skpareto._models import SharedTrunkNet  # noqa: E402
from skpareto.testing import (  # noqa: E402
    check_case_results,
    make_reference_case,
    reference_cases,
)

DOC_TABLES = Path(__file__).resolve().parents[1] / "doc" / "verification_corruptions.rst"


class Corruption(NamedTuple):
    """One wrong implementation: what it computes and the cause a check must name.

    ``make(case, impl)`` returns the wrong array, or None where the mistake
    changes nothing on that case (with ``why_na`` saying why).
    """

    label: str
    result: str  # the array of RESULT_ARRAYS it corrupts
    cause: object  # str, or None for a held-out mistake
    make: Callable
    why_na: str = ""


class _Exact:
    """A correct float64 implementation by dense linear algebra, to corrupt.

    ``x`` moves the point the derivatives are taken at (default the case's).
    """

    def __init__(self, case, x=None):
        self.case = case
        x = case.x if x is None else x
        self.jac = value_and_jacobian(case.fun, x)[1]
        hess = np.asarray(autograd.jacobian(autograd.jacobian(case.fun))(x))
        self.task_hessians = hess.reshape(case.m, case.n, case.n)

    def hessian(self, weights):
        return np.tensordot(weights, self.task_hessians, axes=1)

    def rhs(self, betas=None):
        return self.jac.T @ (self.case.betas if betas is None else betas).T  # (n, k)

    def directions(self, hess, betas=None):
        return np.linalg.solve(hess, self.rhs(betas)).T


def _minres(impl, **options):
    hess = impl.hessian(impl.case.weights)
    return np.array([minres(hess, b, **options)[0] for b in impl.rhs().T])


def _float32_directions(case, impl):
    hess = impl.hessian(case.weights).astype(np.float32)
    rhs = impl.jac.astype(np.float32).T @ case.betas.astype(np.float32).T
    return np.linalg.solve(hess, rhs).T.astype(np.float64)


def _network_fun(case, rows):
    """The network case's objectives on a subset of its rows."""
    model = case.model
    net = SharedTrunkNet(model["n_features"], model["hidden_layer_sizes"],
                         model["head_sizes"], model["activation"])
    X, targets = case.data["X"][rows], case.data["targets"][rows]
    return net, net.objective(X, [targets[:, 0], targets[:, 1]], ["squared_error"] * 2,
                              alpha=model["penalty"])


def _half_rows_hessian(case):
    """``H`` of the network case from the first half of its rows, or None."""
    if case.model["type"] != "shared_trunk_network":
        return None
    _, half = _network_fun(case, slice(0, len(case.data["X"]) // 2))
    weighted = lambda z: anp.dot(case.weights, half(z))  # noqa: E731
    return np.asarray(autograd.hessian(weighted)(case.x))


def _half_rows_directions(case, impl):
    hess = _half_rows_hessian(case)
    return None if hess is None else impl.directions(hess)


def _half_rows_hvp(case, impl):
    hess = _half_rows_hessian(case)
    return None if hess is None else case.hvp_probe @ hess


def _rounded_x_directions(case, impl):
    """Exact float64 directions at the point rounded to float32 (read as float32)."""
    moved = _Exact(case, case.x.astype(np.float32).astype(np.float64))
    return moved.directions(moved.hessian(case.weights))


def _gauss_newton_directions(case, impl):
    """Directions with the Gauss-Newton matrix, dropping the residuals' curvature."""
    if case.model["type"] != "shared_trunk_network":
        return None
    net, _ = _network_fun(case, slice(None))
    n_rows = len(case.data["X"])
    gn = np.zeros((case.n, case.n))
    for k, w_k in enumerate(case.weights):
        jout = autograd.jacobian(lambda z, k=k: net.outputs(z, case.data["X"])[k][:, 0])(
            case.x)
        gn += w_k * jout.T @ jout / n_rows
    mask = np.concatenate([np.r_[np.ones(W.size), np.zeros(b.size)]
                           for W, b in net.unpack(case.x)])
    return impl.directions(gn + case.model["penalty"] * np.diag(mask))


def _layout_transposed(case, impl):
    """The Jacobian in another flat layout: every weight matrix stored transposed."""
    perm = np.arange(case.n)
    if case.model["type"] == "shared_trunk_network":
        for row in case.model["layout"]:
            if row["name"].endswith(".weight"):
                a, b = row["shape"]
                block = np.arange(row["start"], row["stop"]).reshape(a, b)
                perm[row["start"]:row["stop"]] = block.T.ravel()
    else:  # the parameters of a quadratic have no matrices: reverse their order
        perm = perm[::-1]
    return impl.jac[:, perm]


def _one_newton_step(case, impl):
    """A corrector stopped after one Newton step (exact on a quadratic)."""
    if case.model["type"] == "quadratic":
        return None
    weighted = lambda z: anp.dot(case.predicted_weights, case.fun(z))  # noqa: E731
    x = case.predicted_x
    return x - np.linalg.solve(autograd.hessian(weighted)(x), autograd.grad(weighted)(x))


DIRECTIONS = [
    Corruption("H not weighted by alpha (sum of the task Hessians)", "directions",
               "unweighted",
               lambda case, impl: impl.directions(impl.task_hessians.sum(axis=0))),
    Corruption("damping 0.1: (H + 0.1 I) v = J^T beta", "directions", "damping",
               lambda case, impl: impl.directions(impl.hessian(case.weights)
                                                  + 0.1 * np.eye(case.n))),
    Corruption("SciPy MINRES stopped after 3 iterations", "directions", "unconverged",
               lambda case, impl: _minres(impl, maxiter=3, rtol=1e-14)),
    Corruption("no solve: v = J^T beta", "directions", "no_solve",
               lambda case, impl: impl.rhs().T),
    Corruption("wrong sign: -H^-1 J^T beta", "directions", "sign",
               lambda case, impl: -case.directions),
    Corruption("normalized to unit length", "directions", "normalized",
               lambda case, impl: case.directions
               / np.linalg.norm(case.directions, axis=1, keepdims=True)),
    Corruption("float32 arithmetic (J, H and the solve)", "directions", "float32",
               _float32_directions),
]

BUILDING_BLOCKS = [
    Corruption("Jacobian: gradients of -f", "jacobian", "sign",
               lambda case, impl: -impl.jac),
    Corruption("Jacobian: a factor 2 in the loss (the 1/2 dropped)", "jacobian", "scale",
               lambda case, impl: 2.0 * impl.jac),
    Corruption("Jacobian: tasks in another order", "jacobian", "permuted",
               lambda case, impl: impl.jac[::-1]),
    Corruption("Jacobian: another parameter layout (weight matrices transposed)",
               "jacobian", "permuted", _layout_transposed),
    Corruption("Jacobian: float32", "jacobian", "float32",
               lambda case, impl: impl.jac.astype(np.float32).astype(np.float64)),
    Corruption("HVP: H not weighted by alpha", "hvp", "unweighted",
               lambda case, impl: case.hvp_probe @ impl.task_hessians.sum(axis=0)),
    Corruption("HVP: damping 0.1", "hvp", "damping",
               lambda case, impl: case.hvp + 0.1 * case.hvp_probe),
    Corruption("HVP: sign flipped", "hvp", "sign", lambda case, impl: -case.hvp),
    Corruption("HVP: float32", "hvp", "float32",
               lambda case, impl: (case.hvp_probe.astype(np.float32)
                                   @ impl.hessian(case.weights).astype(np.float32))
               .astype(np.float64)),
    Corruption("weights: tasks in another order", "weights", "permuted",
               lambda case, impl: case.weights[::-1]),
    Corruption("weights: not normalized (twice alpha)", "weights", "scale",
               lambda case, impl: 2.0 * case.weights),
    Corruption("weights: uniform 1/m", "weights", "suboptimal",
               lambda case, impl: np.full(case.m, 1.0 / case.m)),
    Corruption("weights: float32", "weights", "float32",
               lambda case, impl: min_norm_weights(impl.jac.astype(np.float32))
               .astype(np.float32).astype(np.float64)),
    Corruption("corrected point: no correction (the predicted point)", "corrected_x",
               "not_stationary", lambda case, impl: case.predicted_x),
    Corruption("corrected point: corrected for the old weights alpha", "corrected_x",
               "wrong_weights", lambda case, impl: case.x),
    Corruption("corrected point: float32", "corrected_x", "float32",
               lambda case, impl: case.corrected_x.astype(np.float32).astype(np.float64)),
]

HELD_OUT = [
    Corruption("H weighted by alpha + 0.01 beta_0", "directions", None,
               lambda case, impl: impl.directions(impl.hessian(case.weights
                                                               + 0.01 * case.betas[0]))),
    Corruption("betas with their entries reversed", "directions", None,
               lambda case, impl: impl.directions(impl.hessian(case.weights),
                                                  case.betas[:, ::-1])),
    Corruption("x rounded to float32, then exact float64", "directions", None,
               _rounded_x_directions),
    Corruption("H from half the data rows", "directions", None, _half_rows_directions,
               "no data rows"),
    Corruption("Gauss-Newton matrix instead of H", "directions", None,
               _gauss_newton_directions, "Gauss-Newton is H on a quadratic"),
    Corruption("HVP from half the data rows", "hvp", None, _half_rows_hvp, "no data rows"),
    Corruption("corrected point: one Newton step", "corrected_x", None, _one_newton_step,
               "one Newton step is exact on a quadratic"),
]


def run(corruptions, cases=None):
    """``{(label, case name): CheckResult or None}`` for every corruption and case."""
    cases = list(reference_cases()) if cases is None else cases
    out = {}
    for name in cases:
        case = make_reference_case(name)
        impl = _Exact(case)
        for corruption in corruptions:
            wrong = corruption.make(case, impl)
            out[corruption.label, name] = (
                None if wrong is None
                else check_case_results(case, {corruption.result: wrong})[corruption.result])
    return out


def cell(corruption, result):
    """The text of one table cell."""
    if result is None:
        return f"n/a ({corruption.why_na})"
    if result.passed:
        return "MISSED"
    if corruption.cause is None or result.cause == corruption.cause:
        return f"caught: {result.cause}"
    return f"caught, but named {result.cause} (expected {corruption.cause})"


def _list_table(title, corruptions, results, cases, first="wrong implementation"):
    lines = [f".. list-table:: {title}", "   :header-rows: 1", "   :widths: auto", "",
             f"   * - {first}"]
    lines += [f"     - ``{name}``" for name in cases]
    for corruption in corruptions:
        lines.append(f"   * - {corruption.label}")
        lines += [f"     - {cell(corruption, results[corruption.label, name])}"
                  for name in cases]
    return lines + [""]


def tables(results=None):
    """The rst of the three tables (computed unless ``results`` are given)."""
    cases = list(reference_cases())
    if results is None:
        results = run(DIRECTIONS + BUILDING_BLOCKS + HELD_OUT, cases)
    lines = [".. This file is generated by benchmarks/bench_verify_corruptions.py "
             "(make bench); do not edit.", ""]
    lines += _list_table("Tangent directions: each mistake is caught and named",
                         DIRECTIONS, results, cases)
    lines += _list_table("Building blocks: Jacobian, Hessian-vector products, min-norm "
                         "weights, corrected point", BUILDING_BLOCKS, results, cases)
    lines += _list_table("Held-out mistakes (the diagnoses were not designed for them): "
                         "each is caught", HELD_OUT, results, cases)
    return "\n".join(lines)


def main(quick=True):
    text = tables()
    DOC_TABLES.write_text(text)
    print(text)
    print(f"wrote {DOC_TABLES}")
    return text


if __name__ == "__main__":
    main()
