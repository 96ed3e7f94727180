"""Reference cases: portable Pareto-stationary points to verify any implementation at.

A case is a small problem (its parameters and data in plain arrays), an
exactly Pareto-stationary point of it, and the exact quantities an
implementation of the method computes there: objectives, Jacobian, min-norm
weights, Hessian-vector products, tangent directions and a corrected point.
:func:`export_case` writes it as a ``.npz`` file with a JSON description that
a PyTorch or JAX user can follow without reading skpareto's source;
``python -m skpareto verify`` reads their results back.

Every case is built so that its checks have no blind spot: the eigenvalues of
the weighted Hessian ``H`` are distinct and every ``J^T beta`` has a component
along each eigenvector, so no invariant subspace of ``H`` contains it. Then a
missing solve, damping, another weighting of ``H`` or a truncated Krylov solve
all change the direction (on Fonseca-Fleming and DTLZ2 they do not).
"""

import functools
import json
from pathlib import Path

import autograd
import autograd.numpy as anp
import numpy as np
from scipy.optimize import minimize

from ._checks import (
    EPS,
    check_corrected_point,
    check_hvp,
    check_jacobian,
    check_min_norm_weights,
    check_tangent_directions,
    default_tolerances,
)
from ._hvp import value_and_jacobian
from ._models import SharedTrunkNet
from ._utils import Result
from ._weights import min_norm_weights, zero_sum_basis

__all__ = ["ReferenceCase", "reference_cases", "make_reference_case", "export_case",
           "check_case_results", "CASE_ARRAYS", "RESULT_ARRAYS", "FORMAT_VERSION"]

FORMAT_VERSION = 1

CASE_ARRAYS = {
    "x": "(n,) the Pareto-stationary point, parameters in the flat layout of the JSON",
    "weights": "(m,) alpha: the min-norm weights at x, on the probability simplex; "
               "J^T alpha = 0",
    "betas": "(k, m) zero-sum combinations, one per direction (an orthonormal basis of the "
             "zero-sum vectors, k = m - 1)",
    "objectives": "(m,) f_i(x)",
    "jacobian": "(m, n) J: row i is the gradient of f_i at x",
    "hvp_probe": "(p, n) probe vectors u_j",
    "hvp": "(p, n) H u_j with H = sum_i alpha_i Hess f_i(x)",
    "directions": "(k, n) the exact tangent directions v_j = H^-1 J^T beta_j",
    "predicted_x": "(n,) a predictor step x + t v_0",
    "predicted_weights": "(m,) its weights alpha - t beta_0",
    "corrected_x": "(n,) the point near predicted_x that is stationary for "
                   "predicted_weights (what an exact corrector returns)",
}
"""Arrays of every case file (``.npz``), with their shapes and meanings."""

RESULT_ARRAYS = {
    "case": "0-d string, required: the case's name (a key of reference_cases())",
    "directions": "(k, n) your tangent directions for the case's betas, in their order, "
                  "NOT normalized: v_j = H^-1 J^T beta_j",
    "betas": "(k, m), optional: the betas of your directions if not the case's",
    "hvp": "(p, n) your H u_j for the case's hvp_probe (H weighted by the case's weights)",
    "jacobian": "(m, n) your Jacobian at x",
    "weights": "(m,) your min-norm weights at x",
    "corrected_x": "(n,) your corrector's point from predicted_x at predicted_weights",
}
"""Arrays of a results file: ``case`` and at least one of the others."""


class ReferenceCase(Result):
    """A reference case: a problem, a stationary point and the exact quantities there.

    A bunch (keys are attributes) made by :func:`make_reference_case`. Keys:
    ``name``, ``description``, ``fun`` (the objectives, an autograd
    callable ``x -> (m,)``), ``n``, ``m``, every array of
    :data:`CASE_ARRAYS`, ``data`` (the problem's own arrays: ``hessians``
    and ``centers`` of a quadratic, ``X`` and ``targets`` of a network),
    ``step`` (the ``t`` of the predictor step), ``model`` (the problem and
    the parameter layout, as written to JSON),
    ``condition`` (of ``H``) and ``certificate`` (why the case has no blind
    spot: the smallest relative eigenvalue gap of ``H`` and the smallest
    component of a normalized ``J^T beta`` along an eigenvector).
    """


def _quadratic(n, m, seed, weights):
    """Rotated quadratics ``1/2 (x - c_i)^T A_i (x - c_i)``: distinct curvatures per task."""
    rng = np.random.default_rng(seed)
    hessians = np.empty((m, n, n))
    for i in range(m):
        q, _ = np.linalg.qr(rng.normal(size=(n, n)))
        # distinct eigenvalues, spread over one to two decades, in another basis per task
        eig = np.geomspace(1.0, 10.0 + 10.0 * i, n) * rng.uniform(0.9, 1.1, n)
        hessians[i] = (q * eig) @ q.T
    centers = 3.0 * rng.normal(size=(m, n))

    def fun(x):
        diff = x[None, :] - centers
        return 0.5 * anp.einsum("ij,ijk,ik->i", diff, hessians, diff)

    def stationary(w, start):
        h = np.einsum("i,ijk->jk", w, hessians)
        return np.linalg.solve(h, np.einsum("i,ijk,ik->j", w, hessians, centers))

    model = {
        "type": "quadratic",
        "objective": "f_i(x) = 1/2 (x - centers[i])^T hessians[i] (x - centers[i])",
        "arrays": {"hessians": f"({m}, {n}, {n}) symmetric positive definite A_i",
                   "centers": f"({m}, {n}) c_i"},
    }
    return fun, stationary(weights, None), stationary, dict(hessians=hessians,
                                                            centers=centers), model


def _layout(net):
    """The flat parameter layout of a shared-trunk network, for the JSON file."""
    names = [f"trunk.{i}" for i in range(len(net.hidden_layer_sizes))]
    names += [f"head.{j}" for j in range(len(net.head_sizes))]
    rows = []
    for name, (start, w_end, end), shape in zip(names, net._offsets, net._shapes):
        rows.append({"name": f"{name}.weight", "shape": list(shape), "start": start,
                     "stop": w_end, "order": "row-major: W[a, b] = x[start + a * "
                     f"{shape[1]} + b] maps input a to output b; torch.nn.Linear("
                     f"{shape[0]}, {shape[1]}).weight is W.T"})
        rows.append({"name": f"{name}.bias", "shape": [shape[1]], "start": w_end,
                     "stop": end, "order": "b[b] = x[start + b]"})
    return rows


def _network(seed, weights, n_rows=40, n_features=4, hidden=6, penalty=1e-2, noise=0.1):
    """A shared-trunk tanh network trained at ``weights`` to a minimum of their weighted sum.

    The targets come from a wider teacher network whose two heads read disjoint
    halves of its hidden units, plus noise, so that the tasks compete for the
    student's narrower trunk.
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, n_features))
    teacher = SharedTrunkNet(n_features, (8,), [1, 1], "tanh")
    layers = teacher.unpack(1.5 * teacher.init_params(rng))
    layers[1][0][4:] = 0.0
    layers[2][0][:4] = 0.0
    targets = np.column_stack([np.asarray(out)[:, 0] for out in
                               teacher.outputs(teacher.pack(layers), X)])
    targets = targets + noise * rng.normal(size=targets.shape)
    net = SharedTrunkNet(n_features, (hidden,), [1, 1], "tanh")
    fun = net.objective(X, [targets[:, 0], targets[:, 1]], ["squared_error"] * 2,
                        alpha=penalty)
    start = net.init_params(rng)

    def stationary(w, x0):
        weighted = autograd.value_and_grad(lambda z: anp.dot(w, fun(z)))
        if x0 is None:  # near the minimum; Newton's method takes it to rounding level
            x0 = minimize(weighted, start, jac=True, method="L-BFGS-B",
                          options=dict(maxiter=20000, gtol=1e-6, ftol=0.0)).x
        return _newton(fun, w, x0)

    model = {
        "type": "shared_trunk_network",
        "n_features": n_features,
        "hidden_layer_sizes": [hidden],
        "activation": "tanh",
        "head_sizes": [1, 1],
        "forward": "h = tanh(X @ W_trunk + b_trunk); out_k = h @ W_head_k + b_head_k "
                   "(shape (N, 1))",
        "objective": f"f_k(x) = mean over the N = {n_rows} rows of 1/2 (out_k[:, 0] - "
                     f"targets[:, k])^2 + {penalty!r} / 2 * (||W_trunk||^2 + sum_j "
                     "||W_head_j||^2) (the penalty covers every weight matrix, no bias, "
                     "and is added to every task)",
        "penalty": penalty,
        "layout": _layout(net),
        "arrays": {"X": f"({n_rows}, {n_features}) inputs",
                   "targets": f"({n_rows}, 2) targets[:, k] of task k"},
    }
    return fun, stationary(weights, None), stationary, dict(X=X, targets=targets), model


def _newton(fun, w, x, max_iter=30):
    """Newton's method with the dense Hessian on ``w @ fun``, to rounding level.

    Two more steps after a step of 1e-12 relative: convergence is quadratic,
    so they reach the rounding floor.
    """
    weighted = lambda z: anp.dot(w, fun(z))  # noqa: E731
    grad, hess = autograd.grad(weighted), autograd.hessian(weighted)
    polish = 2
    for _ in range(max_iter):
        step = np.linalg.solve(hess(x), grad(x))
        x = x - step
        if np.linalg.norm(step) <= 1e-12 * max(1.0, np.linalg.norm(x)):
            polish -= 1
            if polish < 0:
                return x
    raise RuntimeError("Newton's method did not converge on a reference case.")


_SPECS = {
    "rotated_quadratic_m2": (
        "two convex quadratics in 8 parameters, rotated, with distinct curvatures",
        lambda w: _quadratic(8, 2, 18, w), (0.3, 0.7)),
    "rotated_quadratic_m3": (
        "three convex quadratics in 10 parameters, rotated, with distinct curvatures",
        lambda w: _quadratic(10, 3, 17, w), (0.2, 0.3, 0.5)),
    "network": (
        "a shared-trunk tanh network (4 inputs, 6 hidden units, two regression heads, "
        "44 parameters) trained on 40 rows to a minimum of 0.3 f_0 + 0.7 f_1",
        lambda w: _network(2, w), (0.3, 0.7)),
}


def reference_cases():
    """The reference cases, by name, with a description of each.

    Returns
    -------
    cases : dict of str to str

    Examples
    --------
    >>> from skpareto.testing import reference_cases
    >>> sorted(reference_cases())
    ['network', 'rotated_quadratic_m2', 'rotated_quadratic_m3']
    """
    return {name: spec[0] for name, spec in _SPECS.items()}


def make_reference_case(name):
    """Build a reference case: a problem, a stationary point and exact references there.

    Parameters
    ----------
    name : str
        A key of :func:`reference_cases`.

    Returns
    -------
    case : ReferenceCase

    Raises
    ------
    ValueError
        If ``name`` is unknown.

    Notes
    -----
    The point is Pareto-stationary to rounding level: the quadratics' set is
    known in closed form, and the network is trained with L-BFGS and
    finished with Newton's method on the dense Hessian. The directions,
    products and corrected point come from dense solves. A name fixes the
    case: building it again gives the same arrays up to rounding.

    Examples
    --------
    >>> from skpareto.testing import make_reference_case
    >>> case = make_reference_case("rotated_quadratic_m3")
    >>> case.n, case.m, case.directions.shape
    (10, 3, (2, 10))
    """
    if name not in _SPECS:
        raise ValueError(f"name must be one of {sorted(_SPECS)}, got {name!r}.")
    built = _build(name)
    return ReferenceCase({key: (value.copy() if isinstance(value, np.ndarray) else value)
                          for key, value in built.items()})


@functools.lru_cache(maxsize=None)
def _build(name):
    description, make, construction_weights = _SPECS[name]
    fun, x, stationary, data, model = make(np.array(construction_weights))
    values, jac = value_and_jacobian(fun, x)
    m, n = jac.shape
    weights = min_norm_weights(jac)
    betas = zero_sum_basis(m)
    task_hessians = np.asarray(autograd.jacobian(autograd.jacobian(fun))(x)).reshape(m, n, n)
    hess = np.tensordot(weights, 0.5 * (task_hessians + task_hessians.transpose(0, 2, 1)), 1)
    rhs = jac.T @ betas.T
    directions = np.linalg.solve(hess, rhs).T
    probe = np.random.default_rng(len(name)).normal(size=(2, n))
    # a step small enough for Newton's method from the predicted point (the network's
    # set bends quickly), large enough that the predicted point is not stationary
    t = 0.002 / np.max(np.abs(betas[0]))
    predicted_weights = weights - t * betas[0]
    predicted_x = x + t * directions[0]
    corrected_x = stationary(predicted_weights, predicted_x)
    eig, vecs = np.linalg.eigh(hess)
    gaps = np.diff(eig) / np.max(np.abs(eig))
    components = np.abs(vecs.T @ rhs) / np.linalg.norm(rhs, axis=0)
    condition = float(np.max(np.abs(eig)) / np.min(np.abs(eig)))
    return dict(
        name=name, description=description, fun=fun, n=n, m=m, x=x, weights=weights,
        betas=betas, objectives=values, jacobian=jac, hvp_probe=probe, hvp=probe @ hess,
        directions=directions, step=t, predicted_x=predicted_x,
        predicted_weights=predicted_weights, corrected_x=corrected_x, data=data, model=model,
        condition=condition,
        certificate=dict(min_relative_eigengap=float(gaps.min()),
                         min_eigencomponent=float(components.min()),
                         positive_definite=bool(eig.min() > 0)))


def _describe(case):
    """The JSON description of a case."""
    n, m, k, p = case.n, case.m, len(case.betas), len(case.hvp_probe)
    tol64 = default_tolerances("float64", case.condition)
    tol32 = default_tolerances("float32", case.condition)
    return {
        "format": "skpareto reference case",
        "format_version": FORMAT_VERSION,
        "case": case.name,
        "description": case.description,
        "n": n, "m": m, "k": k, "p": p,
        "model": case.model,
        "arrays": {name: {"shape": list(np.shape(case[name])), "meaning": meaning}
                   for name, meaning in CASE_ARRAYS.items()} | {
                       name: {"shape": list(np.shape(value)),
                              "meaning": case.model["arrays"][name]}
                       for name, value in case.data.items()},
        "definitions": {
            "weights": "alpha = argmin over the probability simplex of ||J^T alpha||; x is "
                       "Pareto-stationary: J^T alpha = 0 to rounding level",
            "H": "H = sum_i alpha_i Hess f_i(x), the Hessian of alpha @ f, no damping",
            "betas": "zero-sum rows (sum_i beta_i = 0); along v the weights change by "
                     "-beta (first order)",
            "directions": "v_j solves H v_j = J^T beta_j; signs and lengths matter: do not "
                          "normalize, do not negate",
            "corrected_x": f"t = {case.step!r}; predicted_x = x + t v_0, predicted_weights "
                           "= alpha - t beta_0; corrected_x is the point near predicted_x "
                           "that is stationary for predicted_weights (Newton's method on "
                           "predicted_weights @ f converges to it from predicted_x)",
        },
        "to_do": [
            "rebuild the objectives from 'model' and the arrays, in float64",
            "at x compute what you want to check: jacobian, min-norm weights, H u_j for "
            "hvp_probe, directions for betas, and corrected_x from predicted_x",
            "write them to a .npz results file: " + ", ".join(
                f"'{name}' {meaning}" for name, meaning in RESULT_ARRAYS.items()),
            "run: python -m skpareto verify RESULTS.npz [--precision float32]",
        ],
        "results_arrays": RESULT_ARRAYS,
        "tolerances": {"float64": tol64, "float32": tol32},
        "condition_number_of_H": case.condition,
        "attainable_direction_error": {p_: case.condition * EPS[p_] for p_ in EPS},
        "no_blind_spot": case.certificate,
    }


def export_case(case, path):
    """Write a reference case to ``PATH.npz`` and its description to ``PATH.json``.

    Parameters
    ----------
    case : str or ReferenceCase
        A key of :func:`reference_cases`, or a case.
    path : str or path-like
        Output path; a ``.npz`` or ``.json`` suffix is replaced.

    Returns
    -------
    npz_path, json_path : pathlib.Path

    Notes
    -----
    The ``.npz`` holds float64 arrays and the case's name as a 0-d string
    array, nothing that needs pickle: every array of :data:`CASE_ARRAYS` and
    the problem's own (``hessians``, ``centers`` or ``X``, ``targets``). The
    JSON describes the problem (objective formula; for the network the
    architecture and the flat parameter layout, one row per weight matrix
    and bias), every array, the definitions, what to write back
    (:data:`RESULT_ARRAYS`) and the tolerances.

    Examples
    --------
    >>> import json, tempfile, os
    >>> from skpareto.testing import export_case
    >>> npz, desc = export_case("network", os.path.join(tempfile.mkdtemp(), "case"))
    >>> json.loads(desc.read_text())["model"]["layout"][0]["name"]
    'trunk.0.weight'
    """
    if isinstance(case, str):
        case = make_reference_case(case)
    path = Path(path)
    if path.suffix in (".npz", ".json"):
        path = path.with_suffix("")
    npz_path, json_path = Path(f"{path}.npz"), Path(f"{path}.json")
    arrays = {name: np.asarray(case[name], dtype=np.float64) for name in CASE_ARRAYS}
    arrays.update({name: np.asarray(value, dtype=np.float64)
                   for name, value in case.data.items()})
    np.savez(npz_path, case=np.array(case.name), **arrays)
    json_path.write_text(json.dumps(_describe(case), indent=2) + "\n")
    return npz_path, json_path


def check_case_results(case, results, *, precision="float64"):
    """Check another implementation's results on a reference case.

    Parameters
    ----------
    case : str or ReferenceCase
        A key of :func:`reference_cases`, or a case.
    results : mapping
        Any of the arrays of :data:`RESULT_ARRAYS` but ``case``:
        ``directions`` (for the case's ``betas``, or for ``results["betas"]``),
        ``hvp`` (for its ``hvp_probe``), ``jacobian``, ``weights`` and
        ``corrected_x`` (from its ``predicted_x``, for its
        ``predicted_weights``). At least one.
    precision : {"float64", "float32"}, default="float64"
        Arithmetic of the implementation; selects the tolerances.

    Returns
    -------
    checks : dict of str to CheckResult
        One entry per result given, in the order jacobian, weights, hvp,
        directions, corrected_x.

    Raises
    ------
    ValueError
        If ``results`` holds none of the arrays, an unknown one, or one of a
        wrong shape (the message names it).

    Examples
    --------
    >>> from skpareto.testing import check_case_results, make_reference_case
    >>> case = make_reference_case("rotated_quadratic_m2")
    >>> checks = check_case_results(case, {"directions": -case.directions})
    >>> checks["directions"].cause
    'sign'
    """
    if isinstance(case, str):
        case = make_reference_case(case)
    known = set(RESULT_ARRAYS) - {"case"}
    unknown = sorted(set(results) - known)
    if unknown:
        raise ValueError(f"results hold an unknown array {unknown[0]!r}; known: "
                         f"{', '.join(sorted(known))}.")
    if not set(results) - {"betas"}:
        raise ValueError("results must hold at least one of "
                         f"{', '.join(sorted(known - {'betas'}))}.")
    fun, x, w = case.fun, case.x, case.weights
    checks = {}
    if "jacobian" in results:
        checks["jacobian"] = check_jacobian(fun, x, results["jacobian"], precision=precision)
    if "weights" in results:
        checks["weights"] = check_min_norm_weights(fun, x, results["weights"],
                                                   precision=precision)
    if "hvp" in results:
        checks["hvp"] = check_hvp(fun, x, case.hvp_probe, results["hvp"], weights=w,
                                  precision=precision)
    if "directions" in results:
        checks["directions"] = check_tangent_directions(
            fun, x, results["directions"], results.get("betas", case.betas), weights=w,
            precision=precision)
    if "corrected_x" in results:
        checks["corrected_x"] = check_corrected_point(
            fun, results["corrected_x"], case.predicted_weights, expected=case.corrected_x,
            precision=precision)
    return checks
