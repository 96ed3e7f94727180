"""The command line: ``python -m skpareto demo`` end to end, errors and help."""

import csv
import json
import subprocess
import sys

import numpy as np
import pytest

from skpareto.__main__ import build_parser, main


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "nested" / "out"  # created by the demo
    status = main(["demo", "--out", str(out), "--n-steps", "1", "--n-samples", "240",
                   "--random-state", "0", "--quiet"])
    return status, out


def _read_csv(path):
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    return rows


def test_demo_writes_its_files(demo_run, capsys):
    status, out = demo_run
    assert status == 0
    assert sorted(p.name for p in out.iterdir()) == ["front.csv", "front.png", "summary.json"]
    png = (out / "front.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000


def test_demo_csv_and_summary_agree(demo_run):
    _, out = demo_run
    rows = _read_csv(out / "front.csv")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["dataset"] == "multi-digits"
    assert summary["n_train"] + summary["n_test"] == 240
    assert len(rows) == summary["n_points"] >= 1
    weights = np.array([[float(r["weight_0"]), float(r["weight_1"])] for r in rows])
    front = np.array([[float(r["train_objective_0"]), float(r["train_objective_1"])]
                      for r in rows])
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-9)
    assert np.all(np.diff(weights[:, 0]) >= 0)  # rows in the order of the first weight
    # non-dominance recomputed here, pair by pair
    flags = []
    for i in range(len(front)):
        dominated = any(np.all(front[j] <= front[i]) and np.any(front[j] < front[i])
                        for j in range(len(front)))
        flags.append(int(not dominated))
    assert [int(r["non_dominated"]) for r in rows] == flags
    assert summary["n_non_dominated"] == sum(flags)
    assert summary["weight_0_range"] == pytest.approx([weights[:, 0].min(),
                                                       weights[:, 0].max()], rel=1e-8)
    acc = np.array([[float(r["test_accuracy_0"]), float(r["test_accuracy_1"])]
                    for r in rows])
    assert np.all((acc >= 0) & (acc <= 1))
    # the uniform-weight model: the stage-1 point, well above chance (10%)
    uniform = summary["uniform_weights"]["test_scores"]
    assert uniform is not None and min(uniform) > 0.2
    assert summary["max_residual"] == pytest.approx(
        max(float(r["residual"]) for r in rows), rel=1e-3)
    # the monotone check on the continuous set: weights of the fixed grid it contains
    check = summary["continuous_front_check"]
    grid = np.linspace(0.2, 0.8, 13)
    w = np.array(check["weights"]).reshape(-1, 2)
    assert len(w) == len(check["test_scores"]) == len(check["residuals"])
    assert np.all(np.min(np.abs(w[:, :1] - grid), axis=1) <= 1e-12)
    assert np.all((w[:, 0] >= weights[:, 0].min()) & (w[:, 0] <= weights[:, 0].max()))
    assert all(r >= 0 for r in check["residuals"])


def test_demo_prints_a_summary_table(tmp_path, capsys):
    status = main(["demo", "--dataset", "conflicting-regression", "--out", str(tmp_path),
                   "--n-steps", "2", "--n-samples", "120", "--quiet"])
    assert status == 0
    text = capsys.readouterr().out
    assert "w_0" in text and "test R^2 0" in text and "explored points" in text
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["score"] == "R^2" and summary["n_points"] >= 3


def test_unwritable_out_is_one_line_and_exit_2(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    status = main(["demo", "--out", str(blocker / "sub"), "--quiet"])
    assert status == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "cannot write" in lines[0] and "a-file" in lines[0]


@pytest.mark.parametrize("argv", [
    [],
    ["nonsense"],
    ["demo", "--dataset", "mnist"],
    ["demo", "--n-steps", "-1"],
    ["demo", "--n-steps", "two"],
    ["demo", "--n-samples", "0"],
    ["demo", "--random-state", "x"],
    ["demo", "--unknown-flag"],
])
def test_bad_arguments_are_argparse_errors(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_help_documents_every_subcommand():
    proc = subprocess.run([sys.executable, "-m", "skpareto", "--help"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0
    for command in ("demo", "export", "verify"):
        assert command in proc.stdout
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) == {"demo", "export", "verify"}
    demo_help = sub.choices["demo"].format_help()
    for option in ("--dataset", "--out", "--n-steps", "--n-samples", "--random-state",
                   "--quiet", "front.png", "summary.json"):
        assert option in demo_help
