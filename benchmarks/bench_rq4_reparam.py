"""RQ4: low-dimensional reparameterization of explored Pareto sets.

Explores the two-task MultiDigits network and the conflicting regression
network with the default settings (tolerances 1e-5 and 1e-6, as in
``bench_rq2_density.py``, whose explorations it reuses when run in the same
process): the whole set, to its ends, and a local set around stage 1 (4 steps
each way, ``n_steps=4``; before the continuation engine RQ4 used a band of
breadth-first levels around stage 1, which this replaces). It reports the fraction of the variance of the explored parameter
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

from benchmarks._common import (cached, describe_machine, pyplot,  # noqa: E402
                                results_path, save_figure, save_json)
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
    out = []
    for name, fun, x0, info, tol in (("multi_digits", md_fun, md_x0, md_info, 1e-5),
                                     ("regression", rg_fun, rg_x0, rg_info, 1e-6)):
        settings = dict(tol=tol)
        # the key of bench_rq2_density's run to the end of the same set
        key = ("explore", name, quick, tuple(sorted(settings.items())))
        out.append((f"{name}, whole set", fun, info,
                    lambda fun=fun, x0=x0, key=key, settings=settings: cached(
                        key, lambda: explore(fun, x0, **settings))))
        out.append((f"{name}, local (n_steps=4)", fun, info,
                    lambda fun=fun, x0=x0, settings=settings: explore(fun, x0, n_steps=4,
                                                                      **settings)))
    return out


def main(quick=True):
    rows, summary = [], {}
    machine = describe_machine("rq4")
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
            print(f"RQ4 {name:32s} k={k}: explained {ratio[k - 1]:.4f} (cumulative {cum:.4f}), "
                  f"loss error {err:.2e} of the front's range")
        entry["seconds"] = time.perf_counter() - t0
        summary[name] = entry
    with open(results_path("rq4_reparam.csv"), "w") as fh:
        fh.write("problem,k,explained_variance_ratio,cumulative,relative_loss_error\n")
        fh.writelines(f"{r[0]},{r[1]},{r[2]:.6e},{r[3]:.6e},{r[4]:.6e}\n" for r in rows)
    save_json("rq4_reparam.json", dict(summary, machine=machine))
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
