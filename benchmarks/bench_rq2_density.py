"""RQ2: density and diversity of the explored front at equal cost.

For each problem and method: hypervolume and number of distinct
Pareto-optimal points against total gradient-equivalents (see
:mod:`benchmarks.baselines` for the cost unit: gradient = 1, forward pass = 1,
HVP = 2). ``explore`` runs with its default settings at growing budgets
``n_steps`` (steps per direction from each start for two tasks, lattice rings
for three; each budget a fresh run, the single-task seeds included) and once
without a budget, to the end of the set; the baselines at several numbers of
runs K. (Before the continuation engine ``explore`` was recorded after every
breadth-first level; the budgets are the equivalent.)

- A point counts as Pareto-optimal when it is within 1e-3 of the analytic set
  (Fonseca-Fleming; DTLZ2, also inside its box ``0 <= x1, x2 <= 1``) or, for
  the networks, when its relative min-norm stationarity residual is below 1e-3.
- Hypervolume is exact (:func:`skpareto.metrics.hypervolume`) over the
  Pareto-optimal points; reference ``(1, ..., 1)`` for the analytic problems,
  for the networks the nadir of every method's Pareto-optimal points plus 10%
  of their range (one reference per problem, shared by all methods).
- ``hypervolume_all_points`` (networks only): the same over every finite
  point a method returned, converged or not (same reference).
- Distinct: non-dominated Pareto-optimal points at least 1% of the front's
  range apart (greedy, in objectives scaled by the reference box).

Writes ``results/rq2_density.csv``, ``results/rq2_density.json`` and
``results/rq2_density.png``.
"""

import sys
import time
import warnings
from pathlib import Path

import numpy as np

from skpareto import explore
from skpareto.metrics import hypervolume, non_dominated
from skpareto.problems import DTLZ2, FonsecaFleming

if __package__ in (None, ""):  # run as a script: make the `benchmarks` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import (cached, describe_machine, pyplot,  # noqa: E402
                                results_path, save_figure, save_json)
from benchmarks.baselines import (HVP_COST, epo_search, linear_scalarization,
                                  mgda_restarts, multi_digits_problem, pareto_mtl,
                                  preference_vectors, regression_problem, simplex_grid)

METHODS = ["explore", "linear_scalarization", "mgda", "pareto_mtl", "epo"]


def _problems(quick):
    ff, dt = FonsecaFleming(n=10), DTLZ2(n=6)

    def ff_valid(params, front):
        return np.array([ff.distance_to_set(x) < 1e-3 for x in params])

    def dt_valid(params, front):
        return np.array([dt.distance_to_set(x) < 1e-3 and 0 <= x[0] <= 1 and 0 <= x[1] <= 1
                         for x in params])

    md_fun, md_x0, md_info = multi_digits_problem(quick)
    rg_fun, rg_x0, rg_info = regression_problem(quick)
    stationary = dict(kind="residual", threshold=1e-3)
    return [
        dict(name="fonseca_fleming", fun=ff.fun, x0=ff.x0, m=2, valid=ff_valid, ref=np.ones(2),
             exact_hv=ff.hypervolume, start_scale=1.0 / np.sqrt(ff.n),
             explore=dict(tol=1e-8), budgets=[1, 2, 4, 8],
             Ks=[3, 5, 9] if quick else [3, 5, 9, 17, 33],
             lr=0.1, n_iter=200 if quick else 500, lbfgs_iter=500),
        dict(name="dtlz2", fun=dt.fun, x0=dt.x0, m=3, valid=dt_valid, ref=np.ones(3),
             exact_hv=dt.hypervolume, start_scale=0.2,
             explore=dict(tol=1e-8), budgets=[1, 2, 3, 5],
             Ks=[3, 6, 10] if quick else [3, 6, 10, 15, 28, 45],
             lr=0.1, n_iter=200 if quick else 500, lbfgs_iter=500),
        dict(name="multi_digits", fun=md_fun, x0=md_x0, m=2, valid=stationary, ref=None,
             exact_hv=None, start_scale=0.1, info=md_info,
             explore=dict(tol=1e-5), budgets=[1, 2, 4, 8],
             Ks=[3, 5] if quick else [3, 5, 9],
             lr=0.5, n_iter=600 if quick else 2000, lbfgs_iter=2000 if quick else 5000),
        dict(name="regression", fun=rg_fun, x0=rg_x0, m=2, valid=stationary, ref=None,
             exact_hv=None, start_scale=0.3, info=rg_info,
             explore=dict(tol=1e-6), budgets=[1, 2, 4, 8],
             Ks=[3, 5, 9] if quick else [3, 5, 9, 17],
             lr=0.5, n_iter=300 if quick else 1000, lbfgs_iter=1000),
    ]


def _nested(Ks, m):
    """Weights for the largest K; for each K the rows of a nested coarser grid."""
    grid = simplex_grid(m, Ks[-1])
    subsets = []
    for K in Ks:
        coarse = simplex_grid(m, K)
        idx = [int(np.argmin(np.linalg.norm(grid - w, axis=1))) for w in coarse]
        subsets.append(sorted(set(idx)))
    return grid, subsets


def _run_problem(p, quick):
    """Every method's runs: list of dicts (method, K, cost, seconds, params, front, residuals)."""
    runs = []
    fun, x0 = p["fun"], p["x0"]
    # explore: fresh runs at growing budgets, then to the end of the set
    for budget in p["budgets"] + [None]:
        t0 = time.perf_counter()
        if budget is None:  # shared with bench_rq4 (same problem, same settings)
            pset = cached(("explore", p["name"], quick, tuple(sorted(p["explore"].items()))),
                          lambda: explore(fun, x0, **p["explore"]))
        else:
            pset = explore(fun, x0, n_steps=budget, **p["explore"])
        runs.append(dict(method="explore", K=budget or 0,
                         cost=pset.total_grad + HVP_COST * pset.total_hvp,
                         seconds=time.perf_counter() - t0, params=pset.params.copy(),
                         front=pset.front.copy(), residuals=pset.residuals.copy()))
    m = p["m"]
    # linear scalarization: nested weight grids, one L-BFGS run per weight
    t0 = time.perf_counter()
    grid, subsets = _nested(p["Ks"], m)
    ls = linear_scalarization(fun, x0, grid, max_iter=p["lbfgs_iter"])
    sec = time.perf_counter() - t0
    for K, idx in zip(p["Ks"], subsets):
        runs.append(_subset("linear_scalarization", len(idx), ls, idx, sec * ls.cost[idx].sum() / max(ls.total_cost, 1)))
    # MGDA from K random starts around x0 (prefixes of one random sequence)
    t0 = time.perf_counter()
    rng = np.random.default_rng(0)
    starts = x0 + p["start_scale"] * rng.normal(size=(p["Ks"][-1], len(x0)))
    mg = mgda_restarts(fun, starts, max_iter=p["n_iter"], tol=1e-8)
    sec = time.perf_counter() - t0
    for K in p["Ks"]:
        idx = list(range(K))
        runs.append(_subset("mgda", K, mg, idx, sec * mg.cost[idx].sum() / max(mg.total_cost, 1)))
    # Pareto MTL and EPO: the preference set shapes each subproblem, so one run per K
    Ks_pref = p["Ks"][:2] if quick and p["name"] == "multi_digits" else p["Ks"]
    for K in Ks_pref:
        t0 = time.perf_counter()
        res = pareto_mtl(fun, x0, preference_vectors(m, K), n_iter=p["n_iter"],
                         n_init=max(p["n_iter"] // 10, 5), lr=p["lr"])
        runs.append(_subset("pareto_mtl", len(res.front), res, slice(None),
                            time.perf_counter() - t0))
        t0 = time.perf_counter()
        prefs = 1.0 / np.clip(simplex_grid(m, K), 0.05, None)  # r_i f_i equal: f ~ w
        res = epo_search(fun, x0, prefs / prefs.sum(axis=1, keepdims=True),
                         n_iter=p["n_iter"], lr=p["lr"])
        runs.append(_subset("epo", len(res.front), res, slice(None), time.perf_counter() - t0))
    return runs


def _subset(method, K, res, idx, seconds):
    return dict(method=method, K=K, cost=int(np.sum(res.cost[idx])), seconds=seconds,
                params=res.params[idx], front=res.front[idx], residuals=res.residuals[idx])


def _valid(p, run):
    front = run["front"]
    finite = np.all(np.isfinite(front), axis=1)
    if isinstance(p["valid"], dict):
        ok = run["residuals"] < p["valid"]["threshold"]
    else:
        ok = p["valid"](run["params"], front)
    return ok & finite


def _distinct(front, ref, low):
    if len(front) == 0:
        return 0
    front = front[non_dominated(front)]
    scaled = (front - low) / np.maximum(ref - low, 1e-300)
    kept = []
    for f in scaled[np.argsort(scaled[:, 0])]:
        if all(np.linalg.norm(f - g) >= 1e-2 for g in kept):
            kept.append(f)
    return len(kept)


def main(quick=True):
    rows, summary = [], dict(machine=describe_machine("rq2"))
    t_all = time.perf_counter()
    for p in _problems(quick):
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            runs = _run_problem(p, quick)
        valid_fronts = [r["front"][_valid(p, r)] for r in runs]
        allv = np.vstack([f for f in valid_fronts if len(f)])
        if p["ref"] is None:
            lo, hi = allv.min(axis=0), allv.max(axis=0)
            ref = hi + 0.1 * (hi - lo)
        else:
            ref, lo = p["ref"], np.zeros(p["m"])
        low = allv.min(axis=0) if p["ref"] is None else lo
        best = {}
        for r, vf in zip(runs, valid_fronts):
            hv = hypervolume(vf, ref) if len(vf) else 0.0
            finite = r["front"][np.all(np.isfinite(r["front"]), axis=1)]
            # analytic problems: points off the set can leave the box (DTLZ2's f < 0)
            hv_all = (hypervolume(finite, ref) if len(finite) else 0.0) \
                if p["ref"] is None else float("nan")
            n_distinct = _distinct(vf, ref, low)
            row = dict(problem=p["name"], method=r["method"], K=r["K"], cost=r["cost"],
                       seconds=r["seconds"], n_points=len(r["front"]), n_pareto=len(vf),
                       n_distinct=n_distinct, hypervolume=hv, hypervolume_all_points=hv_all,
                       median_residual=float(np.median(r["residuals"])))
            rows.append(row)
            b = best.get(r["method"])
            if b is None or r["cost"] >= b["cost"]:
                best[r["method"]] = row
        summary[p["name"]] = dict(reference=list(map(float, ref)), exact_hypervolume=p["exact_hv"],
                                  seconds=time.perf_counter() - t0, largest_run=best,
                                  problem_info={k: (list(v) if isinstance(v, tuple) else v)
                                                for k, v in p.get("info", {}).items()})
        for method in METHODS:
            b = best.get(method)
            if b:
                print(f"RQ2 {p['name']:15s} {method:21s} cost {b['cost']:8d}  HV {b['hypervolume']:.4f}"
                      f" (all points {b['hypervolume_all_points']:.4f})"
                      f"  Pareto {b['n_pareto']:3d}/{b['n_points']:3d}  distinct {b['n_distinct']:3d}"
                      f"  median residual {b['median_residual']:.1e}  {b['seconds']:.1f} s")
        _plot_fronts(p, runs, valid_fronts)
    summary["seconds"] = time.perf_counter() - t_all
    keys = list(rows[0])
    with open(results_path("rq2_density.csv"), "w") as fh:
        fh.write(",".join(keys) + "\n")
        for r in rows:
            fh.write(",".join(f"{r[k]:.6g}" if isinstance(r[k], float) else str(r[k]) for k in keys) + "\n")
    save_json("rq2_density.json", summary)
    _plot(rows)
    return summary


def _plot(rows):
    plt = pyplot()
    from matplotlib.ticker import NullFormatter

    problems = list(dict.fromkeys(r["problem"] for r in rows))
    fig, axes = plt.subplots(2, len(problems), figsize=(3.0 * len(problems), 5.0), dpi=80)
    for j, name in enumerate(problems):
        for method in METHODS:
            rr = sorted((r for r in rows if r["problem"] == name and r["method"] == method),
                        key=lambda r: r["cost"])
            if not rr:
                continue
            c = [max(r["cost"], 1) for r in rr]
            axes[0, j].semilogx(c, [r["hypervolume"] for r in rr], "o-", ms=3, label=method)
            axes[1, j].semilogx(c, [r["n_distinct"] for r in rr], "o-", ms=3)
        axes[0, j].set_title(name, fontsize=9)
        axes[1, j].set_xlabel("gradient-equivalents")
        for ax in axes[:, j]:  # decades only: labelled minor ticks overlap on short ranges
            ax.xaxis.set_minor_formatter(NullFormatter())
    axes[0, 0].set_ylabel("hypervolume")
    axes[1, 0].set_ylabel("distinct Pareto points")
    axes[0, 0].legend(fontsize=6)
    save_figure(fig, "rq2_density.png")


def _plot_fronts(p, runs, valid_fronts):
    if p["m"] != 2:
        return
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(3.6, 3.0), dpi=80)
    last = {}
    for r, vf in zip(runs, valid_fronts):
        last[r["method"]] = vf
    for marker, (method, vf) in zip("o^sDv", last.items()):
        ax.plot(vf[:, 0], vf[:, 1], marker, ms=3, ls="none", label=method, alpha=0.7)
    ax.set_xlabel("f1")
    ax.set_ylabel("f2")
    ax.set_title(f"{p['name']}: Pareto-optimal points", fontsize=8)
    ax.legend(fontsize=6)
    save_figure(fig, f"rq2_front_{p['name']}.png")


if __name__ == "__main__":
    main(quick="--full" not in sys.argv)
