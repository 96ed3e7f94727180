"""Dense Hessians against Hessian-vector products: where ``hessian="auto"`` should switch.

``SolverOptions(hessian="dense")`` forms the weighted Hessian from ``n``
Hessian-vector products at every linearization and solves directly;
``"matvec"`` applies it inside MINRES, one product per iteration. Dense wins
while a Krylov solve takes more than about ``n`` products (and autograd's
per-call overhead dominates them); ``"auto"`` forms it up to
``skpareto._options.DENSE_MAX_N`` parameters. This measures both on whole
explorations: CPU seconds and gradient-equivalents (``n_grad + 2 n_hvp``) per
explored point and for the whole set, the points and the largest residual
reached, on

- ``ConvexQuadratic(n, m=2, condition=100, random_state=0)`` for n = 8 ... 512,
  ``explore(fun, x0)`` at its default tolerance 1e-8;
- a two-task regression network (``make_conflicting_regression(200,
  n_features=5, conflict=0.7)``, one tanh layer of h units: n = 8 h + 2
  parameters, h = 2 ... 32, and 64 with ``--full``) at the estimator's tolerance
  1e-4, which the default inexact solves exploit most;
- the same network on 40 rows (``network_40``), where its written-out products
  (:class:`skpareto._models.SharedTrunkNet`), formed in blocks of directions,
  cost a fraction of a single product each: ``"auto"`` forms the Hessian of such
  an objective up to ``skpareto._options.dense_max_n(rows)`` parameters.

Both modes follow the same set from end to end, but not with the same number
of points: the step control lengthens or shortens steps by how the corrector
converged, and inexact MINRES corrections converge differently from direct
solves. Per point, the mode that takes more, shorter steps looks cheaper for
the same set; so the crossover is taken on the whole set (the work to explore
it, which is what a user waits for): the smallest n from which matvec is at
least as fast as dense at every larger n measured (CPU seconds, BLAS on one
thread). The per-point crossover is reported too.

Writes ``results/dense.json`` and ``results/dense.png``. Run
``python -m benchmarks dense [--full]``.
"""

import sys
import warnings
from pathlib import Path

from matplotlib.ticker import NullFormatter
from threadpoolctl import threadpool_limits

from skpareto import SolverOptions, explore
from skpareto._models import SharedTrunkNet
from skpareto._options import DENSE_MAX_N, dense_max_n
from skpareto.datasets import make_conflicting_regression
from skpareto.exceptions import ConvergenceWarning
from skpareto.problems import ConvexQuadratic

if __package__ in (None, ""):  # run as a script: make the `benchmarks` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import (clocked, describe_machine, pyplot,  # noqa: E402
                                save_figure, save_json)

MODES = ("dense", "matvec")


def quadratic(n):
    problem = ConvexQuadratic(n=n, m=2, condition=100.0, random_state=0)
    return problem.fun, problem.x0


def network(width, seed=0, rows=200):
    X, Y = make_conflicting_regression(rows, n_features=5, conflict=0.7, random_state=seed)
    net = SharedTrunkNet(5, (width,), (1, 1), activation="tanh")
    fun = net.objective(X, [Y[:, 0], Y[:, 1]], ["squared_error"] * 2, alpha=1e-2)
    return fun, net.init_params(seed)


def measure(fun, x0, tol):
    row = dict(n=int(x0.size))
    for mode in MODES:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            wall, cpu, pset = clocked(lambda: explore(
                fun, x0, tol=tol, options=SolverOptions(hessian=mode)))
        p = pset.n_points
        grad_eq = int(pset.total_grad + 2 * pset.total_hvp)
        row[mode] = dict(n_points=int(p), cpu_seconds=cpu, wall_seconds=wall, grad_eq=grad_eq,
                         cpu_seconds_per_point=cpu / p, grad_eq_per_point=grad_eq / p,
                         hvp_per_point=pset.total_hvp / p,
                         weight_range=[float(pset.weights[:, 0].min()),
                                       float(pset.weights[:, 0].max())],
                         max_residual=float(pset.residuals.max()),
                         convergence_warnings=len(caught))
    for key in ("cpu_seconds", "grad_eq", "cpu_seconds_per_point", "grad_eq_per_point"):
        row[f"{key}_matvec_over_dense"] = row["matvec"][key] / row["dense"][key]
    return row


def crossover(rows, key="cpu_seconds_matvec_over_dense"):
    """Smallest n from which matvec is at least as fast as dense at every larger n (None)."""
    found = None
    for row in reversed(rows):
        if row[key] <= 1.0:
            found = row["n"]
        else:
            break
    return found


def report(family, row):
    d, v = row["dense"], row["matvec"]
    print(f"[dense] {family:9s} n={row['n']:4d}: dense {d['n_points']:3d} points "
          f"{1e3 * d['cpu_seconds_per_point']:8.1f} ms/point {d['grad_eq_per_point']:7.0f} "
          f"grad-eq/point (res {d['max_residual']:.0e}) | matvec {v['n_points']:3d} points "
          f"{1e3 * v['cpu_seconds_per_point']:8.1f} ms/point {v['grad_eq_per_point']:7.0f} "
          f"grad-eq/point (res {v['max_residual']:.0e}) | matvec/dense, whole set: time "
          f"{row['cpu_seconds_matvec_over_dense']:.2f}, grad-eq "
          f"{row['grad_eq_matvec_over_dense']:.2f}; per point: time "
          f"{row['cpu_seconds_per_point_matvec_over_dense']:.2f}", flush=True)


def main(quick=True):
    info = describe_machine("dense")
    sizes = (8, 16, 32, 64, 128, 256, 512)
    widths = (1, 2, 4, 8, 16, 32) if quick else (1, 2, 4, 8, 16, 32, 64)
    # where "auto" forms the Hessian, per family
    auto = dict(quadratic=DENSE_MAX_N, network=dense_max_n(200), network_40=dense_max_n(40))
    out = dict(machine=info, quick=quick, auto_up_to=auto, quadratic=[], network=[],
               network_40=[])
    with threadpool_limits(1):
        for n in sizes:
            out["quadratic"].append(measure(*quadratic(n), tol=1e-8))
            report("quadratic", out["quadratic"][-1])
        for width in widths:
            out["network"].append(measure(*network(width), tol=1e-4))
            report("network", out["network"][-1])
        for width in widths[1:]:
            out["network_40"].append(measure(*network(width, rows=40), tol=1e-4))
            report("network_40", out["network_40"][-1])
    for family in ("quadratic", "network", "network_40"):
        rows = out[family]
        found = out[f"{family}_crossover"] = {
            key: crossover(rows, f"{key}_matvec_over_dense")
            for key in ("cpu_seconds", "grad_eq", "cpu_seconds_per_point")}
        print(f"[dense] {family}: matvec at least as fast as dense for the whole set from "
              f"n = {found['cpu_seconds']} on (in gradient-equivalents from n = "
              f"{found['grad_eq']}; per point in time from n = "
              f"{found['cpu_seconds_per_point']}); \"auto\" dense up to n = {auto[family]}")
    save_json("dense.json", out)
    _plot(out)
    return out


def _plot(out):
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(10.0, 3.0), dpi=80)
    for ax, family in zip(axes, ("quadratic", "network", "network_40")):
        n = [r["n"] for r in out[family]]
        for mode, marker in zip(MODES, "os"):
            ax.loglog(n, [r[mode]["cpu_seconds"] for r in out[family]], marker + "-", ms=4,
                      label=f'hessian="{mode}"')
        ax.axvline(out["auto_up_to"][family], color="k", ls=":", lw=1, label='"auto" up to')
        ax.xaxis.set_minor_formatter(NullFormatter())  # (labels of 2x10^1 ... overlap)
        ax.set_xlabel("parameters n")
        ax.set_title(f"{family}: whole set", fontsize=9)
    axes[0].set_ylabel("CPU seconds")
    axes[0].legend(fontsize=7)
    save_figure(fig, "dense.png")


if __name__ == "__main__":
    main(quick="--full" not in sys.argv)
