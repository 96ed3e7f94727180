"""RQ4: low-dimensional reparameterization of explored Pareto sets.

Explores the two-task MultiDigits network and the conflicting regression
network, then reports the fraction of the variance of the explored parameter
vectors that 1..k principal components explain, and how well the k-component
reconstruction reproduces the losses (``max |f(x_k) - f(x)| / range(f)`` over
the explored points). Uses ``ParetoSet.reparameterize`` where it exists and
cross-checks it against a direct SVD of the centred parameters.

Writes ``results/rq4_reparam.csv``, ``results/rq4_reparam.json`` and
``results/rq4_reparam.png``.
"""

import sys
import time
import warnings
from pathlib import Path

import numpy as np

from skpareto import explore

if __package__ in (None, ""):  # run as a script: make the `benchmarks` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import pyplot, results_path, save_figure, save_json
from benchmarks.baselines import multi_digits_problem, regression_problem

K_MAX = 5


def _svd_ratio(params):
    centred = params - params.mean(axis=0)
    _, sing, vt = np.linalg.svd(centred, full_matrices=False)
    var = sing ** 2
    return var / var.sum(), vt


def _explored(quick):
    md_fun, md_x0, md_info = multi_digits_problem(quick)
    rg_fun, rg_x0, rg_info = regression_problem(quick)
    return [
        ("multi_digits", md_fun, md_info, lambda: explore(
            md_fun, md_x0, n_steps=4 if quick else 10, step_size=0.3, tol=1e-5, rtol=1e-6,
            maxiter=100, max_iter=2000)),
        ("regression", rg_fun, rg_info, lambda: explore(
            rg_fun, rg_x0, n_steps=6 if quick else 12, step_size=0.3, tol=1e-6, rtol=1e-8,
            maxiter=200, max_iter=3000)),
    ]


def main(quick=True):
    rows, summary = [], {}
    for name, fun, info, run in _explored(quick):
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pset = run()
        params = pset.params
        ratio, vt = _svd_ratio(params)
        source = "svd"
        if hasattr(pset, "reparameterize") and pset.n_points > 1:
            rep = pset.reparameterize(min(K_MAX, pset.n_points - 1))
            theirs = np.asarray(rep.explained_variance_ratio_)
            diff = float(np.max(np.abs(theirs - ratio[:len(theirs)])))
            source = f"ParetoSet.reparameterize (max diff to SVD {diff:.1e})"
        mean = params.mean(axis=0)
        span = np.ptp(pset.front, axis=0)
        entry = dict(n_points=pset.n_points, n_params=pset.n_params, source=source,
                     explained_variance_ratio=[], cumulative=[], loss_error=[],
                     seconds=None, info={k: (list(v) if isinstance(v, tuple) else v)
                                         for k, v in info.items()})
        for k in range(1, min(K_MAX, pset.n_points - 1) + 1):
            basis = vt[:k]
            recon = mean + (params - mean) @ basis.T @ basis
            fronts = np.array([np.asarray(fun(x)) for x in recon])
            err = float(np.max(np.abs(fronts - pset.front) / np.maximum(span, 1e-300)))
            cum = float(ratio[:k].sum())
            entry["explained_variance_ratio"].append(float(ratio[k - 1]))
            entry["cumulative"].append(cum)
            entry["loss_error"].append(err)
            rows.append((name, k, ratio[k - 1], cum, err))
            print(f"RQ4 {name:13s} k={k}: explained {ratio[k - 1]:.4f} (cumulative {cum:.4f}), "
                  f"loss error {err:.2e} of the front's range")
        entry["seconds"] = time.perf_counter() - t0
        summary[name] = entry
    with open(results_path("rq4_reparam.csv"), "w") as fh:
        fh.write("problem,k,explained_variance_ratio,cumulative,relative_loss_error\n")
        fh.writelines(f"{r[0]},{r[1]},{r[2]:.6e},{r[3]:.6e},{r[4]:.6e}\n" for r in rows)
    save_json("rq4_reparam.json", summary)
    _plot(summary)
    return summary


def _plot(summary):
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(4.0, 3.0), dpi=80)
    for name, e in summary.items():
        k = np.arange(1, len(e["cumulative"]) + 1)
        ax.plot(k, e["cumulative"], "o-", label=f"{name} ({e['n_points']} points)")
    ax.set_xlabel("components k")
    ax.set_ylabel("cumulative explained variance")
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=7)
    save_figure(fig, "rq4_reparam.png")


if __name__ == "__main__":
    main(quick="--full" not in sys.argv)
