"""Command line: ``python -m skpareto {demo,export,verify} ...``.

``demo`` fits :class:`skpareto.ParetoExplorer` on a bundled two-task data set,
explores its whole Pareto set, prints a table of trade-offs and writes
``front.png``, ``front.csv`` and ``summary.json``. ``export`` writes a
reference case and ``verify`` checks another implementation's results on it
(see :mod:`skpareto._verify`).
"""

import argparse
import csv
import json
import math
import os
import sys
import tempfile
import time
import warnings
from fractions import Fraction

import numpy as np

from . import _verify
from ._utils import log

PROG = "python -m skpareto"

# The demo fits with the estimator's defaults except where its data differ from what they
# suit. MultiDigits: classification, and a trunk narrower with a penalty stronger than the
# defaults, since 800 training rows cannot support 16 units and a weakly penalized trunk
# makes the set fold more often, which costs more to follow; half the rows are held out so
# that test accuracies differ by more than their noise along the set. The regression's
# targets are read off three tanh features: a trunk of two units must trade the tasks off.
DATASETS = {
    "multi-digits": dict(n_samples=1600, test_size=0.5, tasks=("left digit", "right digit"),
                         settings=dict(loss="log_loss", hidden_layer_sizes=(8,), alpha=3e-2)),
    "conflicting-regression": dict(n_samples=400, test_size=0.25,
                                   tasks=("first target", "second target"),
                                   settings=dict(hidden_layer_sizes=(2,), alpha=1e-3)),
}
# the trade-offs the picture, the table and the summary name: weight of task 0, name
# ({0}, {1}: the tasks), marker
MARKS = ((0.0, "{1} only", "*"), (0.5, "equal weights", "D"),
         (2 / 3, "{0} twice as important", "s"), (1.0, "{0} only", "*"))
# rows of the printed table: task-0 weights 0, 0.1, ..., 1 and the named ones
_TABLE_WEIGHTS = np.union1d(np.linspace(0.0, 1.0, 11), [w0 for w0, _, _ in MARKS])


def _int_at_least(low, description):
    """An argparse type: an integer ``>= low``, with a message naming what is allowed."""

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if value < low:
            raise argparse.ArgumentTypeError(f"expected a {description} integer, got {text!r}")
        return value

    return parse


_positive_int = _int_at_least(1, "positive")
_non_negative_int = _int_at_least(0, "non-negative")


def build_parser():
    """The argument parser of ``python -m skpareto`` with every sub-command."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Continuous Pareto exploration for multi-task learning (Ma, Du and "
                    "Matusik, ICML 2020). Sub-commands: 'demo' explores the trade-off "
                    "between two tasks on bundled data and draws it; 'export' writes a "
                    "reference case for another implementation and 'verify' checks its "
                    "results. Run "
                    f"'{PROG} COMMAND --help' for the options of each.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = sub.add_parser(
        "demo", help="explore the whole Pareto front of a two-task network and draw it",
        description="Fit skpareto.ParetoExplorer (a shared-trunk network, one head per "
                    "task) on a train split and follow its Pareto set of trade-offs from "
                    "one task alone to the other. Print a table of trade-offs (test scores "
                    "and losses at task-0 weights 0, 0.1, ..., 1 and 2/3) and write into "
                    "--out: front.png (the front of training losses and of the same models "
                    "on test data; the test score of each task against the weight of task "
                    "0, with chance levels and the named trade-offs marked), front.csv "
                    "(one row per explored model) and summary.json.")
    demo.add_argument("--dataset", choices=sorted(DATASETS), default="multi-digits",
                      help="multi-digits: two overlaid 8x8 digits, classify the left and "
                           "the right one (default); conflicting-regression: two "
                           "regression tasks that compete for a narrow shared trunk")
    demo.add_argument("--out", default="skpareto-demo", metavar="DIR",
                      help="output directory, created if missing (default ./skpareto-demo)")
    demo.add_argument("--n-samples", type=_positive_int, default=None, metavar="N",
                      help="rows generated (default 1600 for multi-digits, half of "
                           "them for training; 400 for conflicting-regression, 75%% for "
                           "training)")
    demo.add_argument("--random-state", type=_non_negative_int, default=0, metavar="S",
                      help="seed of the data, the split and the network (default 0)")
    demo.add_argument("--quiet", action="store_true",
                      help="no progress on stderr (warnings and the table still show)")
    demo.set_defaults(func=_run_demo)
    _verify.add_export_parser(sub)
    _verify.add_parser(sub)
    return parser


def main(argv=None):
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    return args.func(args)


# -- the demo -----------------------------------------------------------------


def _prepare_out(path):
    """Create ``path`` and check it is writable; return an error message or None."""
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".skpareto-write-test"):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return f"{PROG} demo: error: cannot write to output directory {path!r}: {reason}"
    return None


def _load(dataset, n_samples, random_state):
    """Train and test splits of the data set: X_train, X_test, Y_train, Y_test."""
    from sklearn.model_selection import train_test_split

    from .datasets import make_conflicting_regression, make_multi_digits

    spec = DATASETS[dataset]
    n_samples = spec["n_samples"] if n_samples is None else n_samples
    if dataset == "multi-digits":
        X, Y = make_multi_digits(n_samples, random_state=random_state, return_X_y=True)
    else:
        X, Y = make_conflicting_regression(n_samples, n_features=4, n_tasks=2, conflict=0.6,
                                           noise=0.1, random_state=random_state)
    return train_test_split(X, Y, test_size=spec["test_size"], random_state=random_state)


def _fit(dataset, X, Y, random_state, verbose):
    """The fitted estimator and the messages of the warnings it raised (also on stderr)."""
    from ._estimator import ParetoExplorer

    est = ParetoExplorer(random_state=random_state, verbose=verbose,
                         **DATASETS[dataset]["settings"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X, Y)
    for w in caught:
        print(f"{PROG} demo: {w.category.__name__}: {w.message}", file=sys.stderr)
    return est, [str(w.message) for w in caught]


def _chance(est, Y):
    """Per task, the loss and the score of a model that ignores its input, and what it is.

    A network whose weight matrices are zero (no penalty) predicts a constant:
    for ``"log_loss"`` the uniform distribution, whose loss is log(classes)
    and whose accuracy is 1 / classes; for ``"squared_error"`` the mean, with
    half the variance as loss (of the standardized targets) and R^2 0.
    """
    chance = dict(loss=[], score=[], guess=[], loss_text=[])
    for j, name in enumerate(est.loss_):
        if name == "log_loss":
            k = len(est.classes_[j])
            chance["loss"].append(math.log(k))
            chance["score"].append(1.0 / k)
            chance["guess"].append(f"a uniform guess over {k} classes")
            chance["loss_text"].append(f"log {k} = {math.log(k):.2f}")
        else:
            # the estimator's losses are of the targets standardized on its training rows
            chance["loss"].append(0.5 * float(np.var(Y[:, j])) / est._y_scale[j] ** 2)
            chance["score"].append(0.0)
            chance["guess"].append("predicting the mean")
            chance["loss_text"].append(f"{chance['loss'][-1]:.2f}")
    return chance


def _served(pset, weights, params):
    """Whether ``params`` (one row per weight) is the model predict_at gives at each weight.

    Where the weights fold, or chains overlap, several models of the set
    share a weight; predict_at gives the one of lowest weighted loss.
    """
    return np.all(np.isclose(pset.params_at(weights), params, rtol=1e-9, atol=1e-12), axis=1)


def _scores_along(est, X, Y, n_samples=300):
    """Test scores along each chain of the set, NaN where predict_at gives another model."""
    from .plotting import trace_chains

    pset = est.pareto_set_
    chains = []
    for w, piece in trace_chains(pset, n_samples):
        scores = np.full((len(w), 2), np.nan)
        served = _served(pset, w, pset.params_at(w, piece=piece))
        if served.any():  # a chain over weights that others serve has no scores of its own
            scores[served] = [est.task_scores(X, Y, weights=v) for v in w[served]]
        chains.append((w[:, 0], scores))
    return chains


def _evaluate(est, X, Y, tasks):
    """Per explored model and at the table's weights: test objectives and scores."""
    from ._hvp import value_and_jacobian
    from .metrics import non_dominated, stationarity_residual
    from .plotting import _point_chains

    pset = est.pareto_set_
    test_fun = est.task_objectives(X, Y)
    points = dict(test=np.stack([np.asarray(test_fun(x)) for x in pset.params]),
                  scores=np.stack([est.task_scores(X, Y, weights=w) for w in pset.weights]),
                  served=_served(pset, pset.weights, pset.params),
                  chain=_point_chains(pset), non_dominated=non_dominated(pset.front))
    names = {w0: label.format(*tasks) for w0, label, _ in MARKS}
    rows = []
    for w0 in _TABLE_WEIGHTS:
        w = np.array([w0, 1.0 - w0])
        row = dict(name=names.get(w0, ""), weights=w.tolist(), covered=bool(pset.contains(w)))
        if row["covered"]:
            x = est.params_at(w)
            values, jac = value_and_jacobian(pset.fun, x)
            row.update(test_scores=est.task_scores(X, Y, weights=w).tolist(),
                       train_objectives=values.tolist(),
                       test_objectives=np.asarray(test_fun(x)).tolist(),
                       residual=float(stationarity_residual(jac, w)))
        rows.append(row)
    return points, rows


def _spearman(a, b):
    """Rank correlation of two 1-d arrays, or None if either is constant or too short."""
    from scipy.stats import spearmanr

    if len(a) < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return None
    return float(spearmanr(a, b).statistic)


def _draw(path, est, X, Y, along, rows, chance, tasks, score_name):
    """front.png: the front (train and test) and the test scores against the weight."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from .plotting import plot_front

    pset = est.pareto_set_
    fig = Figure(figsize=(13, 6), layout="constrained")
    FigureCanvasAgg(fig)
    ax_front, ax_score = fig.subplots(1, 2)
    plot_front(pset, ax=ax_front, test_fun=est.task_objectives(X, Y), n_samples=400,
               labels=[f"{t} loss (lower is better)" for t in tasks])
    guess = (f"chance: {chance['guess'][0]}, loss "
             + " / ".join(dict.fromkeys(chance["loss_text"])))
    ax_front.axvline(chance["loss"][0], color="0.5", ls="--", lw=1)
    ax_front.axhline(chance["loss"][1], color="0.5", ls="--", lw=1)
    ax_front.legend(handles=[
        Line2D([], [], color="C0", marker="o", ms=3, label="training data"),
        Line2D([], [], color="C1", marker="o", ms=3, label="test data, same models"),
        Line2D([], [], color="0.5", ls="--", label=guess)],
        loc="lower left", fontsize="small")
    ax_front.set_title("Pareto front: each dot is an explored model, each line the models "
                       "in between", fontsize="medium")
    alone = {r["weights"][0]: r["test_scores"] for r in rows if r["covered"]}
    for j, (name, color) in enumerate(zip(tasks, ("C2", "C3"))):
        for w0, scores in along:
            ax_score.plot(w0, scores[:, j], "-", color=color, lw=1.5)
        if 1.0 - j in alone:  # the task's name above its curve where it counts alone
            ax_score.annotate(name, (1.0 - j, alone[1.0 - j][j]), xytext=(0, 12),
                              textcoords="offset points", color=color, weight="bold",
                              ha="right" if j == 0 else "left")
    level = chance["score"][0]
    ax_score.axhline(level, color="0.5", ls="--", lw=1)
    ax_score.annotate(f"chance: {score_name} {level:.2g}, {chance['guess'][0]}",
                      (0.45, level), xytext=(0, -3), textcoords="offset points", ha="center",
                      va="top", color="0.35", fontsize="small")
    for row in rows:
        _mark(ax_front, ax_score, row, tasks)
    ax_score.set_xlim(-0.03, 1.03)
    ax_score.set_ylim(min(0.0, level) - 0.02, 1.0)
    ax_score.set_xlabel(f"weight w of the {tasks[0]} (the {tasks[1]} gets 1 - w)")
    ax_score.set_ylabel(f"test {score_name} (higher is better)")
    ax_score.set_title(f"Test {score_name} of each task against the weight w",
                       fontsize="medium")
    fig.suptitle(f"skpareto demo: {pset.n_points} models along one Pareto set, from the "
                 f"{tasks[1]} alone (w = 0) to the {tasks[0]} alone (w = 1)")
    loss = "mean cross-entropy" if score_name == "accuracy" else "half the mean squared error"
    fig.supxlabel(f"Losses are the {loss} plus the L2 penalty of the network. "
                  "A line breaks where one branch of the set ends and another one begins.",
                  fontsize="small", color="0.3")
    fig.savefig(path, dpi=100)
    return fig


# where the name of a marked trade-off goes, from its model on the front (offset in points)
_TEXT_OFFSETS = {0.0: (-20, 60), 0.5: (60, 50), 2 / 3: (140, 10), 1.0: (110, -10)}


def _mark(ax_front, ax_score, row, tasks):
    """A named trade-off on both panels, with its test scores written beside it."""
    if not (row["name"] and row["covered"]):
        return
    w0 = row["weights"][0]
    fraction = Fraction(w0).limit_denominator(12)
    marker = next(m for weight, _, m in MARKS if weight == w0)
    style = dict(marker=marker, ms=12 if marker == "*" else 7, mec="k",
                 mfc="gold", ls="none", zorder=5)
    ax_front.plot(*row["test_objectives"], **style)
    ax_front.plot(*row["train_objectives"], **style)
    ax_front.annotate(f"{row['name']}\n(w = {fraction})", row["train_objectives"],
                      xytext=_TEXT_OFFSETS.get(w0, (40, 40)), textcoords="offset points",
                      fontsize="small", ha="center", va="center",
                      arrowprops=dict(arrowstyle="-", color="0.4", lw=0.8, shrinkB=6))
    a, b = row["test_scores"]
    ax_score.plot([w0, w0], [a, b], **style)
    ax_score.axvline(w0, color="0.75", lw=0.8, ls=":", zorder=0)
    ends = w0 in (0.0, 1.0)
    ha = "left" if w0 < 0.25 else "right" if (w0 > 0.75 or w0 == 0.5) else "left"
    ax_score.annotate(f"{row['name']}\nw = {fraction}\n{tasks[0]} {a:.2f}\n{tasks[1]} {b:.2f}",
                      (w0, 0.45 if ends else 0.98), xytext=(5 if ha == "left" else -5, 0),
                      textcoords="offset points", ha=ha, va="center" if ends else "top",
                      fontsize="small")


def _write_csv(path, pset, points, score_name):
    key = score_name.replace("^", "").lower()
    order = np.argsort(pset.weights[:, 0], kind="stable")
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["point", "chain", "weight_0", "weight_1", "train_objective_0",
                         "train_objective_1", "test_objective_0", "test_objective_1",
                         f"test_{key}_0", f"test_{key}_1", "served", "residual",
                         "non_dominated"])
        for i in order:
            writer.writerow([int(i), int(points["chain"][i]),
                             *(f"{v:.10g}" for v in pset.weights[i]),
                             *(f"{v:.10g}" for v in pset.front[i]),
                             *(f"{v:.10g}" for v in points["test"][i]),
                             *(f"{v:.6g}" for v in points["scores"][i]),
                             int(points["served"][i]), f"{pset.residuals[i]:.3e}",
                             int(points["non_dominated"][i])])


def _summary(dataset, est, splits, points, rows, chance, warned, seconds):
    pset = est.pareto_set_
    grid = np.linspace(0.0, 1.0, 1001)
    covered = pset.contains(np.column_stack([grid, 1.0 - grid]))
    table = [r for r in rows if r["covered"]]
    w0 = [r["weights"][0] for r in table]
    return {
        "dataset": dataset, "tasks": list(DATASETS[dataset]["tasks"]),
        "score": _score_name(est), "n_train": len(splits[0]), "n_test": len(splits[1]),
        "n_params": pset.n_params,
        "settings": {k: list(v) if isinstance(v, tuple) else v
                     for k, v in DATASETS[dataset]["settings"].items()},
        "n_points": pset.n_points, "n_chains": int(points["chain"].max()) + 1,
        "n_non_dominated": int(points["non_dominated"].sum()),
        "weight_0_range": [float(pset.weights[:, 0].min()), float(pset.weights[:, 0].max())],
        "weight_0_covered": float(covered.mean()), "coverage": pset.coverage(),
        "max_residual": float(pset.residuals.max()),
        "total_gradients": pset.total_grad, "total_hvp": pset.total_hvp,
        "chance": chance,
        "trade_offs": rows,
        "spearman_weight_0_vs_test_score": [
            _spearman(w0, [r["test_scores"][j] for r in table]) for j in range(2)],
        "seconds_fit": round(seconds[0], 2), "seconds_total": round(seconds[1], 2),
        "warnings": warned, "files": ["front.png", "front.csv", "summary.json"],
    }


def _score_name(est):
    return "accuracy" if est.loss_[0] == "log_loss" else "R^2"


def _print_table(summary, out):
    short = "acc" if summary["score"] == "accuracy" else summary["score"]
    header = ["trade-off", "w_0", "w_1", f"test {short} 0", f"test {short} 1",
              "test loss 0", "test loss 1", "residual"]
    lines = []
    for r in summary["trade_offs"]:
        cells = [r["name"], f"{r['weights'][0]:.3f}", f"{r['weights'][1]:.3f}"]
        if r["covered"]:
            cells += [f"{v:.3f}" for v in r["test_scores"]]
            cells += [f"{v:.4f}" for v in r["test_objectives"]] + [f"{r['residual']:.1e}"]
        else:
            cells += ["not covered"] + [""] * 4
        lines.append(cells)
    widths = [max(len(h), *(len(c[k]) for c in lines)) for k, h in enumerate(header)]
    print(f"Trade-offs between task 0 ({summary['tasks'][0]}) and task 1 "
          f"({summary['tasks'][1]}), {summary['dataset']}:")
    for cells in [header, ["-" * w for w in widths]] + lines:
        print("  ".join([cells[0].ljust(widths[0])]
                        + [c.rjust(w) for c, w in zip(cells[1:], widths[1:])]))
    print(f"{summary['n_points']} explored models in {summary['n_chains']} chains cover "
          f"{100 * summary['weight_0_covered']:.0f}% of the task-0 weights "
          f"({summary['coverage']}); chance {short}: {summary['chance']['score'][0]:.2g}; "
          f"max stationarity residual {summary['max_residual']:.1e}")
    print(f"Fitted in {summary['seconds_fit']:.1f} s; wrote front.png, front.csv, "
          f"summary.json to {out} in {summary['seconds_total']:.1f} s")


def run_demo(dataset="multi-digits", out="skpareto-demo", n_samples=None, random_state=0,
             verbose=1):
    """Fit, explore, evaluate on test data, draw and summarize; return the summary.

    Parameters
    ----------
    dataset : {"multi-digits", "conflicting-regression"}, default="multi-digits"
    out : str, default="skpareto-demo"
        Existing writable directory for ``front.png``, ``front.csv`` and
        ``summary.json``.
    n_samples : int, default=None
        Rows generated; default per data set.
    random_state : int, default=0
    verbose : int, default=1
        Progress on stderr.

    Returns
    -------
    summary : dict
        What ``summary.json`` holds, plus ``"figure"``: the matplotlib
        Figure saved as ``front.png``.
    """
    from threadpoolctl import threadpool_limits

    t_start = time.perf_counter()
    tasks = DATASETS[dataset]["tasks"]
    X_train, X_test, Y_train, Y_test = _load(dataset, n_samples, random_state)
    log(verbose, 1, f"demo: {dataset}, {len(X_train)} training and {len(X_test)} test "
                    f"rows, {X_train.shape[1]} features, 2 tasks")
    est, warned = _fit(dataset, X_train, Y_train, random_state, verbose)
    t_fit = time.perf_counter() - t_start
    log(verbose, 1, f"explored {est.pareto_set_.n_points} models in {t_fit:.1f} s; "
                    "evaluating them on the test data")
    # as while fitting: a small network's products gain nothing from BLAS threads, and
    # on a busy machine threads make them several times slower
    with threadpool_limits(1, "blas"):
        points, rows = _evaluate(est, X_test, Y_test, tasks)
        chance = _chance(est, Y_test)
        along = _scores_along(est, X_test, Y_test)
        figure = _draw(os.path.join(out, "front.png"), est, X_test, Y_test, along, rows,
                       chance, tasks, _score_name(est))
    _write_csv(os.path.join(out, "front.csv"), est.pareto_set_, points, _score_name(est))
    summary = _summary(dataset, est, (X_train, X_test), points, rows, chance, warned,
                       (t_fit, time.perf_counter() - t_start))
    with open(os.path.join(out, "summary.json"), "w") as fh:
        json.dump(summary, fh, indent=2)
    _print_table(summary, out)
    return dict(summary, figure=figure)


def _run_demo(args):
    message = _prepare_out(args.out)
    if message is not None:
        print(message, file=sys.stderr)
        return 2
    run_demo(dataset=args.dataset, out=args.out, n_samples=args.n_samples,
             random_state=args.random_state, verbose=0 if args.quiet else 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
