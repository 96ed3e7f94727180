"""Reference cases, their export, and the verify workflow with an independent implementation.

``_Independent`` below is a second implementation of the method in plain NumPy,
written from the exported JSON description only (no autograd, no skpareto):
hand-written backpropagation for the gradients, complex-step differentiation of
those gradients for Hessian-vector products, dense solves. Its results must
verify; its deliberate mistakes must fail with the right diagnosis.
"""

import importlib.util
import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from benchmarks import bench_verify_corruptions as bench
from skpareto._verify import main_verify
from skpareto.__main__ import main as cli
from skpareto.testing import (
    CASE_ARRAYS,
    RESULT_ARRAYS,
    check_case_results,
    export_case,
    make_reference_case,
    reference_cases,
)

CASES = list(reference_cases())


class _Independent:
    """A plain-NumPy implementation of the method for an exported case."""

    def __init__(self, npz_path, json_path):
        with np.load(npz_path, allow_pickle=False) as data:
            self.arrays = {name: data[name] for name in data.files}
        self.meta = json.loads(json_path.read_text())
        self.model = self.meta["model"]
        self.m = self.meta["m"]

    def gradients(self, x):
        """(m, n) gradients at x (real or complex x, for the complex step)."""
        if self.model["type"] == "quadratic":
            A, c = self.arrays["hessians"], self.arrays["centers"]
            return np.stack([A[i] @ (x - c[i]) for i in range(self.m)])
        return self._network_gradients(x)

    def _unpack(self, x):
        return {row["name"]: x[row["start"]:row["stop"]].reshape(row["shape"])
                for row in self.model["layout"]}

    def _network_gradients(self, x):
        p = self._unpack(x)
        X, T = self.arrays["X"], self.arrays["targets"]
        penalty, n_rows = self.model["penalty"], len(X)
        h = np.tanh(X @ p["trunk.0.weight"] + p["trunk.0.bias"])
        weights = [name for name in p if name.endswith(".weight")]
        grads = []
        for k in range(self.m):
            g = {name: penalty * p[name] if name in weights else np.zeros_like(p[name])
                 for name in p}
            r = (h @ p[f"head.{k}.weight"] + p[f"head.{k}.bias"])[:, 0] - T[:, k]
            r = r / n_rows
            g[f"head.{k}.weight"] = g[f"head.{k}.weight"] + h.T @ r[:, None]
            g[f"head.{k}.bias"] = g[f"head.{k}.bias"] + np.array([r.sum()])
            dz = (r[:, None] @ p[f"head.{k}.weight"].T) * (1.0 - h ** 2)
            g["trunk.0.weight"] = g["trunk.0.weight"] + X.T @ dz
            g["trunk.0.bias"] = g["trunk.0.bias"] + dz.sum(axis=0)
            grads.append(np.concatenate([g[row["name"]].ravel()
                                         for row in self.model["layout"]]))
        return np.stack(grads)

    def hvp(self, x, weights, v, step=1e-30):
        """H v by a complex step on the weighted gradient: exact to rounding."""
        return weights @ self.gradients(x + 1j * step * v).imag / step

    def hessian(self, x, weights):
        return np.stack([self.hvp(x, weights, e) for e in np.eye(x.size)])

    @staticmethod
    def min_norm_weights(jac):
        """Interior min-norm weights: the KKT system with every task active."""
        m = len(jac)
        kkt = np.block([[jac @ jac.T, np.ones((m, 1))], [np.ones((1, m)), np.zeros((1, 1))]])
        return np.linalg.solve(kkt, np.r_[np.zeros(m), 1.0])[:m]

    def results(self, mistake=None):
        a = self.arrays
        x, w, betas = a["x"], a["weights"], a["betas"]
        jac = self.gradients(x)
        hess = self.hessian(x, w)
        if mistake == "damping":
            hess = hess + 0.1 * np.eye(x.size)
        directions = np.linalg.solve(hess, jac.T @ betas.T).T
        if mistake == "normalized":
            directions /= np.linalg.norm(directions, axis=1, keepdims=True)
        hvp_weights = np.ones(self.m) if mistake == "unweighted" else w
        products = np.stack([self.hvp(x, hvp_weights, u) for u in a["hvp_probe"]])
        corrected = a["predicted_x"].copy()
        for _ in range(0 if mistake == "no_correction" else 8):
            grad = a["predicted_weights"] @ self.gradients(corrected)
            corrected -= np.linalg.solve(self.hessian(corrected, a["predicted_weights"]), grad)
        return dict(case=a["case"], jacobian=jac, weights=self.min_norm_weights(jac),
                    hvp=products, directions=directions, corrected_x=corrected)


def _verify(path, **kwargs):
    out, err = io.StringIO(), io.StringIO()
    status = main_verify(path, out=out, err=err, **kwargs)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module", params=CASES)
def exported(request, tmp_path_factory):
    path = tmp_path_factory.mktemp("case") / request.param
    npz_path, json_path = export_case(request.param, path)
    return request.param, _Independent(npz_path, json_path)


def test_independent_implementation_verifies(exported, tmp_path):
    name, impl = exported
    np.savez(tmp_path / "results.npz", **impl.results())
    status, out, err = _verify(tmp_path / "results.npz")
    assert status == 0, out
    assert err == "" and "result: PASS (5 of 5 checks passed)" in out
    for label in ("Jacobian", "min-norm weights", "Hessian-vector products",
                  "tangent directions", "corrected point"):
        assert f"{label:<24} PASS" in out


@pytest.mark.parametrize("mistake, check, cause", [
    ("normalized", "tangent directions", "normalized"),
    ("damping", "tangent directions", "damping"),
    ("unweighted", "Hessian-vector products", "unweighted"),
    ("no_correction", "corrected point", "not_stationary"),
])
def test_independent_mistakes_fail_with_their_diagnosis(exported, tmp_path, mistake, check,
                                                        cause):
    name, impl = exported
    np.savez(tmp_path / "results.npz", **impl.results(mistake))
    status, out, _ = _verify(tmp_path / "results.npz")
    assert status == 1
    assert "result: FAIL (4 of 5 checks passed)" in out
    assert f"{check:<24} FAIL" in out and f"cause: {cause};" in out


# -- the cases ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", CASES)
def test_case_is_exactly_stationary_and_consistent(name):
    case = make_reference_case(name)
    scale = np.max(np.linalg.norm(case.jacobian, axis=1))
    assert np.linalg.norm(case.jacobian.T @ case.weights) <= 1e-13 * scale
    assert np.all(case.weights > 0.1) and abs(case.weights.sum() - 1.0) <= 1e-15
    # asymmetric weights: a permutation of them, or uniform ones, are other weights
    assert np.min(np.abs(np.diff(np.sort(case.weights)))) > 0.05
    np.testing.assert_allclose(case.betas.sum(axis=1), 0.0, atol=1e-15)
    # the references agree with the checks' dense references
    checks = check_case_results(case, dict(jacobian=case.jacobian, weights=case.weights,
                                           hvp=case.hvp, directions=case.directions,
                                           corrected_x=case.corrected_x))
    assert all(checks.values()), checks
    assert checks["directions"].error <= 1e-14 and checks["hvp"].error <= 1e-14
    assert checks["corrected_x"].error <= 1e-13
    # a predicted point that is not already corrected
    assert not check_case_results(case, {"corrected_x": case.predicted_x})["corrected_x"]


@pytest.mark.parametrize("name", CASES)
def test_case_has_no_blind_spot(name):
    # distinct eigenvalues of H and J^T beta along every eigenvector: no invariant
    # subspace of H holds J^T beta, so a missing or truncated solve changes v
    case = make_reference_case(name)
    assert case.certificate["min_relative_eigengap"] > 1e-6
    assert case.certificate["min_eigencomponent"] > 1e-4
    assert case.certificate["positive_definite"]
    rhs = case.jacobian.T @ case.betas.T
    for v, b in zip(case.directions, rhs.T):
        cos = abs(v @ b) / (np.linalg.norm(v) * np.linalg.norm(b))
        assert cos < np.cos(np.radians(5.0))  # v and J^T beta differ by > 5 degrees
    # lengths far from one: a normalized direction is visibly wrong
    norms = np.linalg.norm(case.directions, axis=1)
    assert np.all((norms < 0.5) | (norms > 2.0))


def test_cases_are_deterministic_and_copied():
    first = make_reference_case("network")
    first.x[:] = 0.0
    second = make_reference_case("network")
    assert np.any(second.x != 0.0)
    for name in CASE_ARRAYS:
        assert second[name].dtype == np.float64


def test_make_reference_case_rejects_unknown_names():
    with pytest.raises(ValueError, match="^name must be one of"):
        make_reference_case("fonseca_fleming")


def test_export_writes_plain_arrays_and_a_description(tmp_path):
    npz_path, json_path = export_case(make_reference_case("network"), tmp_path / "c.npz")
    assert npz_path.name == "c.npz" and json_path.name == "c.json"
    with np.load(npz_path, allow_pickle=False) as data:
        assert set(data.files) == set(CASE_ARRAYS) | {"case", "X", "targets"}
        assert str(data["case"]) == "network"
        assert all(data[k].dtype == np.float64 for k in data.files if k != "case")
    meta = json.loads(json_path.read_text())
    assert meta["case"] == "network" and meta["n"] == 44 and meta["m"] == 2
    layout = meta["model"]["layout"]
    assert layout[0]["start"] == 0 and layout[-1]["stop"] == meta["n"]
    assert all(a["stop"] == b["start"] for a, b in zip(layout, layout[1:]))
    assert set(meta["arrays"]) == set(data.files) - {"case"}
    assert set(meta["results_arrays"]) == set(RESULT_ARRAYS)
    assert meta["tolerances"]["float32"]["directions"] > meta["tolerances"]["float64"][
        "directions"]


def test_export_command(tmp_path, capsys):
    assert cli(["export", "rotated_quadratic_m3", str(tmp_path / "q3")]) == 0
    assert "q3.npz" in capsys.readouterr().out
    with np.load(tmp_path / "q3.npz") as data:
        assert data["hessians"].shape == (3, 10, 10)
    assert json.loads((tmp_path / "q3.json").read_text())["model"]["type"] == "quadratic"


def test_verify_help_lists_the_cases_and_the_arrays():
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(__file__)))
    proc = subprocess.run([sys.executable, "-m", "skpareto", "verify", "--help"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0
    for word in CASES + list(RESULT_ARRAYS) + ["--precision", "exit status"]:
        assert word in proc.stdout, word


# -- results files -----------------------------------------------------------------------


def _write(tmp_path, **arrays):
    np.savez(tmp_path / "r.npz", **arrays)
    return tmp_path / "r.npz"


@pytest.mark.parametrize("arrays, message", [
    (dict(case=np.array("sphere"), directions=np.ones((1, 8))), "'case' must name"),
    (dict(case=np.array(["network", "network"]), jacobian=np.ones((2, 44))),
     "'case' must be one string"),
    (dict(case=np.array("network")), "no results"),
    (dict(case=np.array("network"), direction=np.ones((1, 44))), "unknown array 'direction'"),
    (dict(case=np.array("network"), jacobian=np.ones((44, 2))), "(transposed?)"),
    (dict(case=np.array("network"), directions=np.ones((2, 44))),
     "'directions' must have shape (1, 44)"),
    (dict(case=np.array("network"), weights=np.array([0.5, np.nan])),
     "'weights' contains NaN"),
    (dict(case=np.array("network"), directions=np.zeros((1, 44))), "non-zero"),
    (dict(case=np.array("network"), betas=np.ones((1, 2))), "'betas' given without"),
    (dict(jacobian=np.ones((2, 44))), "missing array 'case'"),
])
def test_malformed_results_name_the_array(tmp_path, arrays, message):
    status, out, err = _verify(_write(tmp_path, **arrays))
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and message in err


def test_results_for_own_betas_are_checked_against_them(tmp_path):
    case = make_reference_case("rotated_quadratic_m3")
    betas = np.array([[1.0, -1.0, 0.0]])
    exact = np.linalg.solve(bench._Exact(case).hessian(case.weights),
                            case.jacobian.T @ betas[0])[None]
    path = _write(tmp_path, case=np.array(case.name), directions=exact, betas=betas)
    assert _verify(path)[0] == 0
    path = _write(tmp_path, case=np.array(case.name), directions=exact, betas=-betas)
    status, out, _ = _verify(path)
    assert status == 1 and "cause: sign;" in out
    # without betas the directions must be one per row of the case's betas
    path = _write(tmp_path, case=np.array(case.name), directions=exact)
    assert _verify(path)[0] == 2


def test_float32_results_pass_with_the_float32_tolerances(tmp_path):
    case = make_reference_case("network")
    impl = bench._Exact(case)
    results = {c.result: c.make(case, impl) for c in bench.DIRECTIONS + bench.BUILDING_BLOCKS
               if c.cause == "float32"}
    path = _write(tmp_path, case=np.array(case.name), **results)
    status, out, _ = _verify(path)
    assert status == 1 and out.count("cause: float32;") == 5
    status, out, _ = _verify(path, precision="float32")
    assert status == 0, out


# -- the corruption tables and the MINRES pitfall ------------------------------------------


def test_corruption_tables_are_current_and_every_mistake_is_caught():
    results = bench.run(bench.DIRECTIONS + bench.BUILDING_BLOCKS + bench.HELD_OUT)
    for corruption in bench.DIRECTIONS + bench.BUILDING_BLOCKS + bench.HELD_OUT:
        for name in CASES:
            text = bench.cell(corruption, results[corruption.label, name])
            if corruption.cause is not None or not text.startswith("n/a"):
                assert text.startswith("caught"), (corruption.label, name, text)
            if corruption.cause is not None:
                assert text == f"caught: {corruption.cause}", (corruption.label, name, text)
    # the documentation shows these tables: regenerate them with `make bench`
    assert bench.DOC_TABLES.read_text() == bench.tables(results)


def test_scipy_minres_reports_success_far_from_the_solution():
    # the paper's settings: SciPy's test is relative to ||A|| ||x||, not to ||b||
    from scipy.sparse.linalg import minres

    case = make_reference_case("network")
    hess = bench._Exact(case).hessian(case.weights)
    rhs = case.jacobian.T @ case.betas[0]
    v, info = minres(hess, rhs, rtol=1e-5, maxiter=50)
    true = np.linalg.norm(hess @ v - rhs) / np.linalg.norm(rhs)
    cos = v @ case.directions[0] / (np.linalg.norm(v) * np.linalg.norm(case.directions[0]))
    assert info == 0
    assert 1e-3 < true < 1e-2 and np.degrees(np.arccos(cos)) > 5.0
    check = check_case_results(case, {"directions": v[None]})["directions"]
    assert check.cause == "unconverged" and f"{true:.3g}" in check.diagnosis


# -- the PyTorch example (a held-out implementation) ----------------------------------------

EXAMPLE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "examples",
                       "verify_with_pytorch.py")


def _run_example(tmp_path, prelude=""):
    code = f"{prelude}\nimport runpy\nrunpy.run_path({EXAMPLE!r}, run_name='__main__')"
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(__file__)))
    return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)


# a finder that refuses torch, as if it were not installed (a None entry in sys.modules
# would also hide it, but SciPy's array-API detection then fails on it)
_NO_TORCH = """
import sys
class NoTorch:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "torch":
            raise ImportError("No module named 'torch'")
sys.meta_path.insert(0, NoTorch())
"""


def test_pytorch_example_is_skipped_cleanly_without_torch(tmp_path):
    proc = _run_example(tmp_path, prelude=_NO_TORCH)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "PyTorch is not installed" in proc.stdout and proc.stderr == ""


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="needs torch")
def test_pytorch_example_verifies(tmp_path):
    proc = _run_example(tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.count("result: PASS (5 of 5 checks passed)") == 1
    assert proc.stdout.count("result: FAIL (4 of 5 checks passed)") == 2
    assert proc.stdout.count("cause: unconverged;") == 2
    assert "damping lambda≈0.1" in proc.stdout


def test_the_guide_documents_every_array_and_cause():
    from skpareto.testing import CAUSES

    guide = open(os.path.join(os.path.dirname(os.path.dirname(__file__)), "doc",
                              "verification.rst")).read()
    for name in list(CASE_ARRAYS) + list(RESULT_ARRAYS) + list(CAUSES) + CASES:
        assert f"``{name}``" in guide, name
