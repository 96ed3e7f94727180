"""The command line: ``python -m skpareto demo`` end to end, errors and help."""

import csv
import json
import subprocess
import sys

import numpy as np
import pytest

from skpareto.__main__ import build_parser, main, run_demo


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """The default demo (MultiDigits) on few rows; run_demo is what ``demo`` runs."""
    out = tmp_path_factory.mktemp("demo")
    summary = run_demo(out=str(out), n_samples=240, random_state=0, verbose=0)
    return summary, out


def _read_csv(path):
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    return rows


def test_demo_writes_its_files(demo_run):
    summary, out = demo_run
    assert sorted(p.name for p in out.iterdir()) == ["front.csv", "front.png", "summary.json"]
    png = (out / "front.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    on_disk = json.loads((out / "summary.json").read_text())
    assert on_disk == json.loads(json.dumps({k: v for k, v in summary.items()
                                             if k != "figure"}))


def test_demo_covers_the_whole_trade_off(demo_run):
    summary, out = demo_run
    assert summary["weight_0_range"] == [0.0, 1.0]  # both single-task ends are models
    assert summary["weight_0_covered"] > 0.75
    assert "start_weights" not in (out / "summary.json").read_text()
    named = {r["name"]: r for r in summary["trade_offs"] if r["name"]}
    assert set(named) == {"right digit only", "equal weights", "left digit twice as important",
                          "left digit only"}
    assert named["left digit twice as important"]["weights"] == pytest.approx([2 / 3, 1 / 3])
    for name in ("right digit only", "left digit only"):
        assert named[name]["covered"]
    # each task alone beats chance (10 classes) on its own digit, not on the other one
    assert named["left digit only"]["test_scores"][0] > 0.2
    assert named["right digit only"]["test_scores"][1] > 0.2
    assert summary["chance"]["score"] == [0.1, 0.1]
    assert summary["chance"]["loss"] == pytest.approx([np.log(10)] * 2, rel=1e-15)
    assert summary["seconds_total"] >= summary["seconds_fit"] > 0


def test_demo_csv_and_summary_agree(demo_run):
    summary, out = demo_run
    rows = _read_csv(out / "front.csv")
    assert summary["dataset"] == "multi-digits"
    assert summary["n_train"] + summary["n_test"] == 240
    assert len(rows) == summary["n_points"] >= 2
    weights = np.array([[float(r["weight_0"]), float(r["weight_1"])] for r in rows])
    front = np.array([[float(r["train_objective_0"]), float(r["train_objective_1"])]
                      for r in rows])
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-9)
    assert np.all(np.diff(weights[:, 0]) >= 0)  # rows in the order of the first weight
    assert summary["weight_0_range"] == pytest.approx([weights[:, 0].min(),
                                                       weights[:, 0].max()], rel=1e-8)
    assert {int(r["chain"]) for r in rows} == set(range(summary["n_chains"]))
    # non-dominance recomputed here, pair by pair
    flags = []
    for i in range(len(front)):
        dominated = any(np.all(front[j] <= front[i]) and np.any(front[j] < front[i])
                        for j in range(len(front)))
        flags.append(int(not dominated))
    assert [int(r["non_dominated"]) for r in rows] == flags
    assert summary["n_non_dominated"] == sum(flags)
    assert summary["max_residual"] == pytest.approx(
        max(float(r["residual"]) for r in rows), rel=1e-3)
    acc = np.array([[float(r["test_accuracy_0"]), float(r["test_accuracy_1"])]
                    for r in rows])
    assert np.all((acc >= 0) & (acc <= 1))
    # the single-task ends are explored models: the table's ends are theirs
    named = {r["name"]: r for r in summary["trade_offs"] if r["name"]}
    for name, w0 in (("left digit only", 1.0), ("right digit only", 0.0)):
        (end,) = [r for r in rows if float(r["weight_0"]) == w0 and r["served"] == "1"]
        assert [float(end["test_accuracy_0"]), float(end["test_accuracy_1"])] == \
            pytest.approx(named[name]["test_scores"], abs=1e-6)
        assert [float(end["test_objective_0"]), float(end["test_objective_1"])] == \
            pytest.approx(named[name]["test_objectives"], rel=1e-9)


def test_demo_figure_marks_chance_and_the_named_trade_offs(demo_run):
    summary, _ = demo_run
    ax_front, ax_score = summary["figure"].axes
    assert "lower is better" in ax_front.get_xlabel()
    assert "lower is better" in ax_front.get_ylabel()
    assert "higher is better" in ax_score.get_ylabel()
    assert ax_score.get_xlabel().startswith("weight w of the left digit")
    # chance: the loss of a uniform guess on both axes of the front, accuracy 0.1
    dashed = [line for line in ax_front.get_lines() if line.get_linestyle() == "--"]
    assert {round(float(line.get_xdata()[0]), 12) for line in dashed
            if np.ptp(line.get_xdata()) == 0} == {round(np.log(10), 12)}
    assert {round(float(line.get_ydata()[0]), 12) for line in dashed
            if np.ptp(line.get_ydata()) == 0} == {round(np.log(10), 12)}
    assert any(line.get_linestyle() == "--" and np.all(np.asarray(line.get_ydata()) == 0.1)
               for line in ax_score.get_lines())
    texts = " ".join(t.get_text() for t in ax_score.texts)
    assert "chance: accuracy 0.1" in texts
    twice = next(r for r in summary["trade_offs"] if r["name"] == "left digit twice as important")
    a, b = twice["test_scores"]
    assert f"left digit twice as important\nw = 2/3\nleft digit {a:.2f}\nright digit {b:.2f}" \
        in texts
    for name in ("equal weights", "left digit only", "right digit only"):
        assert name in texts
    # the training front breaks between chains: one blue line per chain that got samples
    train = [line for line in ax_front.get_lines()
             if line.get_color() == "C0" and line.get_linestyle() == "-"]
    assert 1 <= len(train) <= summary["n_chains"]


def test_demo_prints_a_table_of_trade_offs(tmp_path, capsys):
    status = main(["demo", "--dataset", "conflicting-regression", "--out",
                   str(tmp_path / "new"), "--n-samples", "120", "--quiet"])
    assert status == 0
    text = capsys.readouterr().out
    assert "first target twice as important" in text and "test R^2 0" in text
    assert "explored models" in text and "Fitted in" in text
    summary = json.loads((tmp_path / "new" / "summary.json").read_text())
    assert summary["score"] == "R^2" and summary["n_points"] >= 3
    assert summary["chance"]["score"] == [0.0, 0.0]


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
    ["demo", "--n-samples", "-1"],
    ["demo", "--n-samples", "two"],
    ["demo", "--n-samples", "0"],
    ["demo", "--n-steps", "2"],  # removed: the demo explores the whole set
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
    for option in ("--dataset", "--out", "--n-samples", "--random-state", "--quiet",
                   "front.png", "front.csv", "summary.json"):
        assert option in demo_help
