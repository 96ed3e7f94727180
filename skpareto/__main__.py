"""Command line: ``python -m skpareto {demo,export,verify} ...``.

``demo`` fits :class:`skpareto.ParetoExplorer` on a bundled two-task data set,
explores its Pareto set, prints a summary table and writes ``front.png``,
``front.csv`` and ``summary.json``. ``export`` writes a reference
case and ``verify`` checks another implementation's results on it (see
:mod:`skpareto._verify`).
"""

import argparse
import csv
import json
import os
import sys
import tempfile
import time
import warnings

import numpy as np

from . import _verify
from ._utils import log

PROG = "python -m skpareto"

# Settings of the demo (measured: see the documentation and tests/test_cli.py).
# MultiDigits with 8 tanh units and alpha 3e-2: the local set around each start spans only
# about 0.07 of the task-0 weight (the weighted-sum solutions fold there), so the estimator
# stitches local sets from seven stage-1 starts (task-0 weight 0.5, 0.4, ..., 0.2, 0.6, ...,
# 0.8, each warm-started from its neighbour). Half the rows are held out, so test accuracies
# differ by more than their noise along the front.
_SPREAD = [[0.4, 0.6], [0.3, 0.7], [0.2, 0.8], [0.6, 0.4], [0.7, 0.3], [0.8, 0.2]]
DATASETS = {
    "multi-digits": dict(n_samples=1600, test_size=0.5, hidden_layer_sizes=(8,),
                         loss="log_loss", alpha=3e-2, tol=1e-4, max_iter=3000,
                         step_size=0.02, minres_maxiter=200, start_weights=_SPREAD,
                         n_jobs=2, task_names=("left digit", "right digit"),
                         score_name="accuracy"),
    "conflicting-regression": dict(n_samples=400, test_size=0.25, hidden_layer_sizes=(2,),
                                   loss="squared_error", alpha=1e-3, tol=1e-6,
                                   max_iter=3000, step_size=0.05, minres_maxiter=200,
                                   task_names=("task 0", "task 1"), score_name="R^2"),
}
# the monotone trade-off is checked on the continuous set at these task-0 weights (those
# it contains): test scores, their rank correlation with the weight, and the stationarity
# residual of the interpolated model there
_CHECK_WEIGHTS = np.linspace(0.2, 0.8, 13)


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
        "demo", help="explore the Pareto front of a two-task network and draw it",
        description="Fit skpareto.ParetoExplorer (a shared-trunk network, one head per "
                    "task) on a train split, explore its continuous Pareto set, print "
                    "progress and a summary table (weights, per-task test scores and "
                    "losses), and write front.png (the continuous front with the explored "
                    "points, train and test), front.csv (one row per explored point) and "
                    "summary.json into --out.")
    demo.add_argument("--dataset", choices=sorted(DATASETS), default="multi-digits",
                      help="multi-digits: two overlaid 8x8 digits, classify the left and "
                           "the right one (default); conflicting-regression: two "
                           "regression tasks that compete for a narrow shared trunk")
    demo.add_argument("--out", default="skpareto-demo", metavar="DIR",
                      help="output directory, created if missing (default ./skpareto-demo)")
    demo.add_argument("--n-steps", type=_non_negative_int, default=4, metavar="N",
                      help="breadth-first expansion levels around each stage-1 start "
                           "(default 4)")
    demo.add_argument("--n-samples", type=_positive_int, default=None, metavar="N",
                      help="rows generated (default 1600 for multi-digits, half of "
                           "them for training; 400 for conflicting-regression, 75%% for "
                           "training)")
    demo.add_argument("--random-state", type=_non_negative_int, default=0, metavar="S",
                      help="seed of the data, the split and the network (default 0)")
    demo.add_argument("--quiet", action="store_true",
                      help="no progress on stderr (the summary table is still printed)")
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


def _load(name, n_samples, test_size, random_state):
    from sklearn.model_selection import train_test_split

    from .datasets import make_conflicting_regression, make_multi_digits

    if name == "multi-digits":
        X, Y = make_multi_digits(n_samples, random_state=random_state, return_X_y=True)
    else:
        X, Y = make_conflicting_regression(n_samples, n_features=4, n_tasks=2, conflict=0.6,
                                           noise=0.1, random_state=random_state)
    return train_test_split(X, Y, test_size=test_size, random_state=random_state)


def _break_chains(rows, pset, pieces):
    """``rows`` along :meth:`ParetoSet.trace`, with a NaN row where a new chain starts.

    Local sets stitched from several starts form separate chains of pieces;
    the NaN rows keep a line plot from joining them.
    """
    ends = pset.pieces
    new = [k for k in range(1, len(pieces))
           if pieces[k] != pieces[k - 1] and ends[pieces[k - 1], 1] != ends[pieces[k], 0]]
    return np.insert(rows.astype(float), new, np.nan, axis=0)


def _scores(est, X, Y, weights):
    """Per-task test scores (accuracy or R^2) at each row of ``weights``: (q, m)."""
    from sklearn.metrics import accuracy_score, r2_score

    pred = est.predict_at(X, weights)  # (q, N, m)
    out = np.empty((len(weights), Y.shape[1]))
    for k in range(len(weights)):
        for j, loss in enumerate(est.loss_):
            if loss == "log_loss":
                out[k, j] = accuracy_score(Y[:, j], pred[k][:, j])
            else:
                out[k, j] = r2_score(Y[:, j], pred[k][:, j].astype(float))
    return out


def _spearman(a, b):
    """Rank correlation of two 1-d arrays (average ranks for ties)."""
    from scipy.stats import spearmanr

    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return 0.0
    return float(spearmanr(a, b).statistic)


def _draw(path, pset, curve, test_curve, curve_scores, points_test, point_scores,
          order, task_names, score_name, title):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from .plotting import plot_front

    fig = Figure(figsize=(11, 4.6), layout="constrained")
    FigureCanvasAgg(fig)
    ax_front, ax_score = fig.subplots(1, 2)
    plot_front(pset, ax=ax_front, labels=[f"{t} loss" for t in task_names], color="C0")
    ax_front.plot(test_curve[:, 0], test_curve[:, 1], "-", color="C1", lw=1.5,
                  label="same models, test data")
    ax_front.plot(points_test[:, 0], points_test[:, 1], "o", color="C1", ms=3)
    ax_front.plot(curve[:, 0], curve[:, 1], alpha=0)  # keep the train curve in view
    ax_front.legend(loc="upper right", fontsize="small")
    ax_front.set_title("Pareto front: training objectives (blue), test (orange)",
                       fontsize="medium")

    w0 = curve_scores["weights"][:, 0]
    pw0 = pset.weights[order, 0]
    for j, name in enumerate(task_names):
        ax_score.plot(w0, curve_scores["scores"][:, j], "-", color=f"C{j + 2}",
                      label=f"{name}, continuous set")
        ax_score.plot(pw0, point_scores[order, j], "o", color=f"C{j + 2}", ms=3,
                      label=f"{name}, explored points")
    ax_score.axvline(0.5, color="0.6", lw=0.8, ls=":")
    ax_score.set_xlabel(f"weight of the {task_names[0]} task")
    ax_score.set_ylabel(f"test {score_name}")
    ax_score.set_title(f"Test {score_name} along the front", fontsize="medium")
    ax_score.legend(loc="best", fontsize="small")
    fig.suptitle(title, fontsize="medium")
    fig.savefig(path, dpi=110)


def _table(rows, header):
    widths = [max(len(h), *(len(r[k]) for r in rows)) for k, h in enumerate(header)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(header, widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in rows]
    return "\n".join(lines)


def run_demo(dataset="multi-digits", out="skpareto-demo", n_steps=4, n_samples=None,
             random_state=0, verbose=1):
    """Fit, explore, summarize and draw; return the summary dictionary.

    Parameters
    ----------
    dataset : {"multi-digits", "conflicting-regression"}, default="multi-digits"
    out : str, default="skpareto-demo"
        Existing writable directory for ``front.png``, ``front.csv`` and
        ``summary.json``.
    n_steps : int, default=4
        Expansion levels around each stage-1 start.
    n_samples : int, default=None
        Rows generated (75% train); default per data set.
    random_state : int, default=0
    verbose : int, default=1
        Progress on stderr.

    Returns
    -------
    summary : dict
        What ``summary.json`` holds.
    """
    import skpareto
    from sklearn.exceptions import ConvergenceWarning

    from ._hvp import value_and_jacobian
    from .metrics import non_dominated, stationarity_residual

    settings = dict(DATASETS[dataset])
    task_names = settings.pop("task_names")
    score_name = settings.pop("score_name")
    n_samples = settings.pop("n_samples") if n_samples is None else n_samples
    settings.pop("n_samples", None)
    test_size = settings.pop("test_size")
    t_start = time.perf_counter()
    X_train, X_test, Y_train, Y_test = _load(dataset, n_samples, test_size, random_state)
    log(verbose, 1, f"demo: {dataset}, {len(X_train)} training and {len(X_test)} test rows, "
                    f"{X_train.shape[1]} features, 2 tasks")
    est = skpareto.ParetoExplorer(n_steps=n_steps, random_state=random_state,
                                  verbose=verbose, **settings)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow in rejected trial steps
        est.fit(X_train, Y_train)
    for w in caught:
        log(verbose, 1, f"warning: {w.message}")
    t_fit = time.perf_counter() - t_start
    pset = est.pareto_set_
    log(verbose, 1, f"explored {pset.n_points} points in {t_fit:.1f} s "
                    f"({pset.total_grad} gradients, {pset.total_hvp} Hessian-vector products)")

    # the explored points, in the order of the first task's weight
    order = np.argsort(pset.weights[:, 0], kind="stable")
    test_fun = est.task_objectives(X_test, Y_test)
    points_test = np.stack([np.asarray(test_fun(x)) for x in pset.params])
    point_scores = _scores(est, X_test, Y_test, pset.weights)
    nd = non_dominated(pset.front)

    # the continuous set between them
    if pset.n_points > 1:
        weights, pieces = pset.trace(200)
        params = pset.params_at(weights, piece=pieces)
        curve = np.stack([np.asarray(pset.fun(x)) for x in params])
        test_curve = _break_chains(np.stack([np.asarray(test_fun(x)) for x in params]),
                                   pset, pieces)
        grid = np.linspace(pset.weights[:, 0].min(), pset.weights[:, 0].max(), 60)
        grid = np.column_stack([grid, 1.0 - grid])
        inside = pset.contains(grid)
        scores = np.full((len(grid), 2), np.nan)  # NaN breaks the line where no set is
        scores[inside] = _scores(est, X_test, Y_test, grid[inside])
        curve_scores = {"weights": grid, "scores": scores}
    else:
        curve, test_curve = pset.front, points_test
        curve_scores = {"weights": pset.weights, "scores": point_scores}

    uniform = np.full(2, 0.5)
    at_uniform = (est.task_scores(X_test, Y_test, weights=uniform)
                  if pset.contains(uniform) else None)
    train_uniform = (est.task_scores(X_train, Y_train, weights=uniform)
                     if pset.contains(uniform) else None)
    w_sorted = pset.weights[order, 0]
    rho = [_spearman(w_sorted, point_scores[order, j]) for j in range(2)]
    # monotone trade-off: test scores of the continuous set at fixed task-0 weights
    check = np.column_stack([_CHECK_WEIGHTS, 1.0 - _CHECK_WEIGHTS])
    check = check[pset.contains(check)] if pset.n_points > 1 else check[:0]
    check_scores = _scores(est, X_test, Y_test, check) if len(check) else np.empty((0, 2))
    check_residuals = [float(stationarity_residual(value_and_jacobian(pset.fun, x)[1], w))
                       for w, x in zip(check, pset.params_at(check))] if len(check) else []
    check_rho = [_spearman(check[:, 0], check_scores[:, j]) if len(check) > 2 else None
                 for j in range(2)]

    # files
    title = (f"skpareto demo: {dataset}, {pset.n_points} explored points, "
             f"{pset.n_params} parameters")
    _draw(os.path.join(out, "front.png"), pset, curve, test_curve, curve_scores,
          points_test, point_scores, order, task_names, score_name, title)
    with open(os.path.join(out, "front.csv"), "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["point", "parent", "weight_0", "weight_1", "train_objective_0",
                         "train_objective_1", "test_objective_0", "test_objective_1",
                         f"test_{score_name.replace('^', '')}_0".lower(),
                         f"test_{score_name.replace('^', '')}_1".lower(),
                         "residual", "non_dominated"])
        for i in order:
            writer.writerow([int(i), int(pset.parents[i]),
                             *(f"{v:.10g}" for v in pset.weights[i]),
                             *(f"{v:.10g}" for v in pset.front[i]),
                             *(f"{v:.10g}" for v in points_test[i]),
                             *(f"{v:.6g}" for v in point_scores[i]),
                             f"{pset.residuals[i]:.3e}", int(nd[i])])
    t_total = time.perf_counter() - t_start
    summary = {
        "dataset": dataset,
        "tasks": list(task_names),
        "score": score_name,
        "n_train": int(len(X_train)),
        "n_test": int(len(X_test)),
        "n_params": int(pset.n_params),
        "estimator": {k: (list(v) if isinstance(v, tuple) else v)
                      for k, v in est.get_params().items() if k != "weights"},
        "n_points": int(pset.n_points),
        "n_non_dominated": int(nd.sum()),
        "weight_0_range": [float(pset.weights[:, 0].min()), float(pset.weights[:, 0].max())],
        "max_residual": float(pset.residuals.max()),
        "total_gradients": int(pset.total_grad),
        "total_hvp": int(pset.total_hvp),
        "uniform_weights": {
            "weights": uniform.tolist(),
            "test_scores": None if at_uniform is None else at_uniform.tolist(),
            "train_scores": None if train_uniform is None else train_uniform.tolist(),
        },
        "test_score_range": [[float(point_scores[:, j].min()), float(point_scores[:, j].max())]
                             for j in range(2)],
        "spearman_weight_0_vs_test_score": rho,
        "continuous_front_check": {
            "weights": check.tolist(),
            "test_scores": check_scores.tolist(),
            "residuals": check_residuals,
            "spearman_weight_0_vs_test_score": check_rho,
        },
        "seconds_fit": round(t_fit, 2),
        "seconds_total": round(t_total, 2),
        "warnings": [str(w.message) for w in caught],
        "files": ["front.png", "front.csv", "summary.json"],
    }
    with open(os.path.join(out, "summary.json"), "w") as fh:
        json.dump(summary, fh, indent=2)

    # the table: a handful of points spread along the front
    picks = order[np.unique(np.round(np.linspace(0, len(order) - 1, min(9, len(order))))
                            .astype(int))]
    short = score_name if score_name != "accuracy" else "acc"
    header = ["w_0", "w_1", f"test {short} 0", f"test {short} 1", "test loss 0",
              "test loss 1", "residual"]
    rows = [[f"{pset.weights[i, 0]:.3f}", f"{pset.weights[i, 1]:.3f}",
             f"{point_scores[i, 0]:.3f}", f"{point_scores[i, 1]:.3f}",
             f"{points_test[i, 0]:.4f}", f"{points_test[i, 1]:.4f}",
             f"{pset.residuals[i]:.1e}"] for i in picks]
    print(f"Explored Pareto set ({dataset}: task 0 = {task_names[0]}, "
          f"task 1 = {task_names[1]})")
    print(_table(rows, header))
    print(f"{pset.n_points} explored points ({int(nd.sum())} non-dominated), task-0 weight "
          f"from {pset.weights[:, 0].min():.3f} to {pset.weights[:, 0].max():.3f}; "
          f"max stationarity residual {pset.residuals.max():.1e}")
    if at_uniform is not None:
        print(f"At uniform weights (0.5, 0.5): test {score_name} {at_uniform[0]:.3f} "
              f"({task_names[0]}), {at_uniform[1]:.3f} ({task_names[1]})")
    print(f"Rank correlation of the task-0 weight with the test {score_name}: "
          f"{rho[0]:+.2f} (task 0), {rho[1]:+.2f} (task 1) over the explored points")
    if len(check) > 2:
        print(f"Continuous front at task-0 weights {np.round(check[:, 0], 2).tolist()}: "
              f"test {score_name} {np.round(check_scores[:, 0], 3).tolist()} (task 0), "
              f"{np.round(check_scores[:, 1], 3).tolist()} (task 1); rank correlation "
              f"{check_rho[0]:+.2f}, {check_rho[1]:+.2f}; stationarity residual of the "
              f"interpolated models <= {max(check_residuals):.1e}")
    print(f"Wrote front.png, front.csv, summary.json to {out} in {t_total:.1f} s")
    return summary


def _run_demo(args):
    message = _prepare_out(args.out)
    if message is not None:
        print(message, file=sys.stderr)
        return 2
    run_demo(dataset=args.dataset, out=args.out, n_steps=args.n_steps,
             n_samples=args.n_samples, random_state=args.random_state,
             verbose=0 if args.quiet else 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
