"""RQ1: accuracy of the first-order tangent expansion.

At a Pareto-stationary point ``x*`` with weights ``alpha``, a tangent direction
``v`` (``H v = J^T beta``) predicts that moving the weights to
``alpha - s beta / ||v||`` changes the losses by ``s J v / ||v||``. We compare
this prediction with the change obtained by re-solving at the new weights
(analytic Pareto set for the convex quadratic and Fonseca-Fleming; a tight
Newton-MINRES solve from the predicted point for the MultiDigits network) and
fit the log-log slope of the error against ``s``; a second-order error has
slope 2.

Writes ``results/rq1_accuracy.csv``, ``results/rq1_accuracy.json`` and
``results/rq1_accuracy.png``.
"""

import sys
import time
import warnings
from pathlib import Path

import numpy as np

from skpareto import SolverOptions, find_stationary, tangent_directions
from skpareto._stationary import newton_correct
from skpareto.problems import ConvexQuadratic, FonsecaFleming

if __package__ in (None, ""):  # run as a script: make the `benchmarks` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import (describe_machine, pyplot, results_path,  # noqa: E402
                                save_figure, save_json)
from benchmarks.baselines import multi_digits_problem


def _fonseca_set(problem, t0):
    """Pareto set of Fonseca-Fleming near ``t0``, as a function of the weights.

    ``problem.pareto_set(w)`` brackets the whole set, where the weights are not
    monotone (folds at ``u ~ +-0.7``), and can return another branch; here the
    root is bracketed within ``0.1 / sqrt(n)`` of ``t0`` (monotone there).
    """
    from scipy.optimize import brentq

    half = 0.1 * problem.a

    def set_of(w):
        t = brentq(lambda t: problem.weights_of_t(t)[0] - w[0], t0 - half, t0 + half,
                   xtol=1e-15, rtol=4 * np.finfo(float).eps)
        return problem.set_at(t)

    return set_of


def _analytic_case(problem, x_star, weights, set_of=None):
    set_of = problem.pareto_set if set_of is None else set_of
    tangent = tangent_directions(problem.fun, x_star, weights, rtol=1e-12)
    v, beta = tangent.directions[0], tangent.betas[0]
    norm = np.linalg.norm(v)
    f_star = tangent.objectives

    def resolve(s):
        w = weights - s * beta / norm
        return np.asarray(problem.fun(set_of(w / w.sum())))

    return f_star, tangent.front_directions[0] / norm, resolve, tangent


def _net_case(quick):
    fun, x0, info = multi_digits_problem(quick)
    exact = SolverOptions.reference(minres_rtol=1e-12, max_iter=5000)
    start = find_stationary(fun, x0, tol=1e-10, options=exact)
    tangent = tangent_directions(fun, start.x, start.weights, rtol=1e-12)
    v, beta = tangent.directions[0], tangent.betas[0]
    norm = np.linalg.norm(v)
    f_star = tangent.objectives

    def resolve(s):
        w = start.weights - s * beta / norm
        res = newton_correct(fun, start.x + s * v / norm, w / w.sum(), tol=1e-11,
                             options=exact, max_iter=30)
        return np.asarray(res.objectives) if res.residual < 1e-9 else None

    return f_star, tangent.front_directions[0] / norm, resolve, tangent, info, start


def _fit_slope(steps, errors, floor):
    keep = np.isfinite(errors) & (errors > floor)
    if keep.sum() < 3:
        return float("nan")
    return float(np.polyfit(np.log(steps[keep]), np.log(errors[keep]), 1)[0])


def main(quick=True):
    summary = dict(machine=describe_machine("rq1"))
    t_start = time.perf_counter()
    cases = {}
    quad = ConvexQuadratic(n=10, m=2, condition=10.0, random_state=0)
    w_q = np.array([0.5, 0.5])
    cases["convex_quadratic"] = _analytic_case(quad, quad.pareto_set(w_q), w_q)[:3]
    ff = FonsecaFleming(n=10)
    t = 0.3 / np.sqrt(ff.n)
    cases["fonseca_fleming"] = _analytic_case(ff, ff.set_at(t), ff.weights_of_t(t),
                                              _fonseca_set(ff, t))[:3]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f_star, df, resolve, tangent, info, start = _net_case(quick)
    cases["multi_digits"] = (f_star, df, resolve)
    n_s = 9 if quick else 17
    rows = []
    for name, (f_star, df, resolve) in cases.items():
        steps = np.geomspace(1e-3, 3e-1, n_s) if name != "fonseca_fleming" \
            else np.geomspace(1e-4, 3e-2, n_s)
        errors = np.full(n_s, np.nan)
        changes = np.full(n_s, np.nan)
        for k, s in enumerate(steps):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                f_new = resolve(s)
            if f_new is None:
                continue
            true = f_new - f_star
            errors[k] = np.linalg.norm(true - s * df)
            changes[k] = np.linalg.norm(true)
            rows.append((name, s, changes[k], errors[k], errors[k] / changes[k]))
        slope = _fit_slope(steps, errors, floor=1e-13 * np.linalg.norm(f_star))
        summary[name] = dict(slope=slope, min_step=float(steps[0]), max_step=float(steps[-1]),
                             rel_error_at_max_step=float(errors[-1] / changes[-1]),
                             rel_error_at_min_step=float(errors[0] / changes[0]))
        print(f"RQ1 {name:17s} slope {slope:5.2f}  rel. error {errors[0] / changes[0]:.1e} "
              f"at s={steps[0]:.0e}, {errors[-1] / changes[-1]:.1e} at s={steps[-1]:.0e}")
    summary["multi_digits"].update(n_params=info["n_params"], n_rows=info["n_rows"],
                                   stationary_residual=float(start.residual),
                                   tangent_residual=float(tangent.residuals[0]),
                                   tangent_n_hvp=int(tangent.n_hvp))
    summary["seconds"] = time.perf_counter() - t_start
    with open(results_path("rq1_accuracy.csv"), "w") as fh:
        fh.write("problem,step,true_change,error,relative_error\n")
        fh.writelines(f"{r[0]},{r[1]:.6e},{r[2]:.6e},{r[3]:.6e},{r[4]:.6e}\n" for r in rows)
    save_json("rq1_accuracy.json", summary)
    _plot(rows, summary)
    return summary


def _plot(rows, summary):
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(4.5, 3.2), dpi=100)
    for name in dict.fromkeys(r[0] for r in rows):
        s = np.array([r[1] for r in rows if r[0] == name])
        e = np.array([r[3] for r in rows if r[0] == name])
        ax.loglog(s, e, "o-", ms=3, label=f"{name} (slope {summary[name]['slope']:.2f})")
    s = np.geomspace(1e-4, 3e-1, 2)
    ax.loglog(s, 1e-1 * s ** 2, "k:", lw=1, label="slope 2")
    ax.set_xlabel("step size s (parameter space)")
    ax.set_ylabel("|J v s - true change|")
    ax.legend(fontsize=7)
    save_figure(fig, "rq1_accuracy.png")


if __name__ == "__main__":
    main(quick="--full" not in sys.argv)
