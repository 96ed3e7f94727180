"""``python -m skpareto verify FILE.npz``: pass, mismatch and malformed files."""

import io
import os
import subprocess
import sys

import numpy as np
import pytest

from skpareto import tangent_directions
from skpareto._verify import add_parser, main_verify
from skpareto.testing import export_verification, make_reference_problem


def _arrays(name="quadratic", n=5, m=None):
    """Arrays of a correct file: a point of the analytic set, MINRES directions."""
    problem = make_reference_problem(name, n, m=m)
    if name == "fonseca_fleming":
        t = -0.4 * problem.a
        x, w = problem.set_at(t), problem.weights_of_t(t)
    else:
        w = np.arange(1.0, problem.m + 1.0)
        w /= w.sum()
        x = problem.pareto_set(w)
    res = tangent_directions(problem.fun, x, w, rtol=1e-12)
    arrays = dict(problem=np.array(name), n=np.array(n), x=x, weights=w,
                  directions=res.directions, betas=res.betas)
    if name == "quadratic":
        arrays.update(m=np.array(problem.m), random_state=np.array(0))
    return arrays


def _run(path, **kwargs):
    out, err = io.StringIO(), io.StringIO()
    status = main_verify(path, out=out, err=err, **kwargs)
    return status, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("name, n, m", [("quadratic", 5, 2), ("quadratic", 8, 4),
                                        ("fonseca_fleming", 6, None), ("dtlz2", 5, None)])
def test_correct_file_passes(tmp_path, name, n, m):
    arrays = _arrays(name, n, m)
    path = tmp_path / "ok.npz"
    export_verification(path, name, n, arrays["x"], arrays["weights"], arrays["directions"],
                        betas=arrays["betas"], m=m)
    status, out, err = _run(path)
    assert status == 0, out
    assert err == ""
    assert "result: PASS" in out and "FAIL" not in out
    assert "principal angles" in out and "direction errors" in out


def test_betas_are_optional(tmp_path):
    arrays = _arrays()
    del arrays["betas"]
    np.savez(tmp_path / "f.npz", **arrays)
    status, out, _ = _run(tmp_path / "f.npz")
    assert status == 0 and "direction errors" not in out


@pytest.mark.parametrize("theta", [1e-4, 0.5])
def test_rotated_direction_is_a_mismatch(tmp_path, theta):
    arrays = _arrays("fonseca_fleming", 4)
    v = arrays["directions"][0]
    u = np.zeros_like(v)
    u[0], u[1] = 1.0, -1.0  # orthogonal to the set direction (1, ..., 1)
    u -= (u @ v) / (v @ v) * v
    rotated = np.cos(theta) * v / np.linalg.norm(v) + np.sin(theta) * u / np.linalg.norm(u)
    arrays["directions"] = rotated[None, :]
    del arrays["betas"]
    np.savez(tmp_path / "f.npz", **arrays)
    status, out, _ = _run(tmp_path / "f.npz")
    assert status == 1
    assert f"max {theta:.3e}" in out  # the printed angle is the rotation
    assert "result: FAIL" in out


def test_angle_tolerance_option(tmp_path):
    arrays = _arrays()
    arrays["directions"] = arrays["directions"] * (1 + 1e-3 * np.arange(5))
    del arrays["betas"]
    np.savez(tmp_path / "f.npz", **arrays)
    assert _run(tmp_path / "f.npz")[0] == 1
    assert _run(tmp_path / "f.npz", angle_tol=1e-2)[0] == 0


def test_point_off_the_set_is_a_mismatch(tmp_path):
    arrays = _arrays("dtlz2", 5)
    arrays["x"] = arrays["x"] + 1e-3  # x_k != 1/2: off the set and not stationary
    np.savez(tmp_path / "f.npz", **arrays)
    status, out, _ = _run(tmp_path / "f.npz")
    assert status == 1
    assert "distance to the set" in out and "FAIL" in out


def test_wrong_weights_are_a_mismatch(tmp_path):
    arrays = _arrays("quadratic", 5)
    arrays["weights"] = np.array([0.5, 0.5])  # x is stationary for (1/3, 2/3)
    np.savez(tmp_path / "f.npz", **arrays)
    status, out, _ = _run(tmp_path / "f.npz")
    assert status == 1
    assert "stationarity" in out and "FAIL" in out
    assert "3.3333333333333" in out  # the weights at full precision


def test_wrong_beta_scale_is_a_mismatch(tmp_path):
    arrays = _arrays("quadratic", 6, m=3)
    arrays["betas"] = 2.0 * arrays["betas"]
    np.savez(tmp_path / "f.npz", **arrays)
    status, out, _ = _run(tmp_path / "f.npz")
    assert status == 1 and "direction errors" in out


@pytest.mark.parametrize("missing", ["problem", "n", "x", "weights", "directions"])
def test_missing_array_is_malformed(tmp_path, missing):
    arrays = _arrays()
    del arrays[missing]
    np.savez(tmp_path / "f.npz", **arrays)
    status, out, err = _run(tmp_path / "f.npz")
    assert status == 2 and out == ""
    # without 'problem' the file is taken for a results file on a reference case
    expected = "missing array 'case'" if missing == "problem" else f"missing array '{missing}'"
    assert err.count("\n") == 1 and expected in err


@pytest.mark.parametrize("change, bad", [
    (dict(problem=np.array("sphere")), "problem"),
    (dict(problem=np.array(3)), "problem"),
    (dict(n=np.array(5.0)), "n"),
    (dict(n=np.array([5, 5])), "n"),
    (dict(n=np.array(4)), "x"),
    (dict(m=np.array(1)), "m"),
    (dict(random_state=np.array(-2)), "random_state"),
    (dict(x=np.zeros(4)), "x"),
    (dict(x=np.full(5, np.nan)), "x"),
    (dict(x=np.ones(5, dtype=complex)), "x"),
    (dict(weights=np.array([0.5, 0.6])), "weights"),
    (dict(weights=np.array([1.5, -0.5])), "weights"),
    (dict(weights=np.array([0.2, 0.3, 0.5])), "weights"),
    (dict(directions=np.zeros((1, 5))), "directions"),
    (dict(directions=np.ones(5)), "directions"),
    (dict(directions=np.ones((0, 5))), "directions"),
    (dict(directions=np.array([[np.inf] * 5])), "directions"),
    (dict(betas=np.ones((2, 2))), "betas"),
    (dict(betas=np.array([["a", "b"]])), "betas"),
])
def test_bad_array_is_malformed(tmp_path, change, bad):
    arrays = _arrays()
    arrays.update(change)
    np.savez(tmp_path / "f.npz", **arrays)
    status, out, err = _run(tmp_path / "f.npz")
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and f"'{bad}'" in err


def test_object_array_is_malformed_and_never_unpickled(tmp_path):
    arrays = _arrays()
    arrays["directions"] = np.array([arrays["directions"][0], None], dtype=object)
    np.savez(tmp_path / "f.npz", **arrays)  # savez pickles object arrays
    status, _, err = _run(tmp_path / "f.npz")
    assert status == 2 and "'directions'" in err and "pickle" in err


def test_unreadable_files_are_malformed(tmp_path):
    np.savez(tmp_path / "good.npz", **_arrays())
    raw = (tmp_path / "good.npz").read_bytes()
    (tmp_path / "truncated.npz").write_bytes(raw[: len(raw) // 2])
    (tmp_path / "text.npz").write_text("problem=quadratic\n")
    np.save(tmp_path / "single.npy", np.zeros(3))
    for name in ["truncated.npz", "text.npz", "single.npy", "absent.npz"]:
        status, out, err = _run(tmp_path / name)
        assert status == 2 and out == "", name
        assert err.count("\n") == 1, (name, err)


def test_add_parser_wires_the_options(tmp_path):
    import argparse

    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["verify", "f.npz", "--angle-tol", "0.5", "--set-tol", "0.25"])
    assert args.file == "f.npz" and args.angle_tol == 0.5 and args.set_tol == 0.25
    assert args.stationarity_tol == 1e-6 and callable(args.func)


def test_command_line_exit_codes(tmp_path):
    np.savez(tmp_path / "good.npz", **_arrays())
    bad = _arrays()
    del bad["weights"]
    np.savez(tmp_path / "bad.npz", **bad)
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(__file__)))
    codes = {}
    for name in ["good", "bad"]:
        proc = subprocess.run([sys.executable, "-m", "skpareto", "verify",
                               str(tmp_path / f"{name}.npz")], capture_output=True,
                              text=True, env=env, timeout=120)
        codes[name] = proc.returncode
        if name == "good":
            assert "result: PASS" in proc.stdout
        else:
            assert "missing array 'weights'" in proc.stderr
    assert codes == {"good": 0, "bad": 2}
