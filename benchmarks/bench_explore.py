"""Cost of exploring a Pareto set against retraining from scratch at the same weights.

For each case, :func:`skpareto.explore` runs once and follows the set until it
ends (the continuation goes both ways from stage 1 until the weights reach 0
and 1, and seeds the single-task ends it did not reach); then, at the weights
of every point (``--full``) or of a stratified sample (quick: the middle point
of each of a few equal slices of the set in weight order), a weighted sum is
minimized from the same ``x0`` with L-BFGS until the relative stationarity
residual ``||J^T w|| / max_i ||grad f_i||`` reaches the tolerance exploration
used (the gradient norms of the explored point set the scale, so the stopping
test costs one weighted gradient per iteration and nothing more).

Cost unit: **gradient-equivalents** = gradients ``n_grad`` + 2 x Hessian-vector
products ``n_hvp`` (see :mod:`benchmarks.baselines`). Exploration cost per
point is ``(total_grad + 2 total_hvp) / n_points``: stage 1, the single-task
seeds and every rejected step included; stage 2 alone (everything but the
root's stage 1, per point after the first) is also reported. Seconds are wall
clock and CPU of this process (BLAS on one thread), ratios within one run.

What changed with the continuation engine: the old cases ran a number of
breadth-first levels (``n_steps``) from stage 1; the continuation has no
levels and follows the set to its ends, so every case now measures the whole
set at the default spacing (``step_size`` 0.05 in weight) and, on the network,
also at half of it. The old comparison of the exact setting with
``inexact=True`` (a secant/extrapolated predictor and forcing-sequence Newton
against a tangent solve at every point) is the comparison of
``SolverOptions.reference()`` with the default ``SolverOptions()``; the
corrector is the bordered (arclength) Newton in both. The draws of the network
over several seeds (the figure to judge the cost target by) moved to
``bench_issue17.py`` (issue 17, measurement a), which imports
:func:`network_problem`, :func:`retrain` and :func:`run_case` from here.

Run: ``python -m benchmarks.bench_explore [--full]``.
"""

import sys
import warnings
from pathlib import Path

import numpy as np
from autograd import value_and_grad
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from skpareto import SolverOptions, explore
from skpareto._hvp import value_and_jacobian
from skpareto._models import SharedTrunkNet
from skpareto.datasets import make_conflicting_regression
from skpareto.exceptions import ConvergenceWarning
from skpareto.problems import ConvexQuadratic

if __package__ in (None, ""):  # run as a script: make the `benchmarks` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import clocked, describe_machine, save_json  # noqa: E402


def retrain(fun, x0, weights, tol, scale, max_iter):
    """Weighted-sum L-BFGS from ``x0`` until ``||grad|| <= tol * scale``; counts gradients.

    Returns ``(gradients, relative residual reached)``.
    """
    w = np.asarray(weights, dtype=float)
    objective = value_and_grad(lambda z: w @ fun(z))
    count, best = [0], [np.inf]

    def value_grad(z):
        count[0] += 1
        f, g = objective(z)
        g = np.asarray(g, dtype=float)
        best[0] = min(best[0], np.linalg.norm(g) / scale)
        return float(f), g

    def callback(intermediate_result):
        if best[0] <= tol:
            raise StopIteration

    minimize(value_grad, x0, jac=True, method="L-BFGS-B", callback=callback,
             options=dict(maxiter=max_iter, gtol=0.0, ftol=0.0, maxcor=20))
    return count[0], best[0]


def stratified(pset, n_retrain):
    """Indices of the middle point of each of ``n_retrain`` equal slices in weight order.

    Retraining costs less near single-task weights, so the set's ends alone
    would flatter retraining; None (or more than the points) gives every point.
    """
    p = pset.n_points
    order = np.argsort(pset.weights[:, 0], kind="stable")
    if n_retrain is None or n_retrain >= p:
        return order
    return order[((np.arange(n_retrain) + 0.5) * p / n_retrain).astype(int)]


def retrain_at(fun, x0, pset, picks, tol, max_iter=5000):
    """Retrain from ``x0`` at the weights of the points ``picks``; per-point gradients,
    residuals reached and wall/CPU seconds in total."""
    grads, residuals, wall, cpu = [], [], 0.0, 0.0
    for i in picks:
        _, jac = value_and_jacobian(fun, pset.params[i])
        scale = np.max(np.linalg.norm(jac, axis=1))
        dw, dc, (n, res) = clocked(lambda: retrain(fun, x0, pset.weights[i], tol, scale,
                                                   max_iter))
        wall, cpu = wall + dw, cpu + dc
        grads.append(n)
        residuals.append(res)
    return np.array(grads), np.array(residuals), wall, cpu


def explore_cost(pset):
    """Gradient-equivalents of a set: total, stage 1 (the root), per point, per new point."""
    p = pset.n_points
    total = int(pset.total_grad + 2 * pset.total_hvp)
    stage1 = int(pset.n_grad[0] + 2 * pset.n_hvp[0])  # the root: stage 1 from x0
    return dict(total=total, stage1=stage1, per_point=total / p,
                per_new_point=(total - stage1) / (p - 1) if p > 1 else float("nan"))


# explorations shared by the benchmarks of one process (python -m benchmarks), by key
_EXPLORED = {}


def run_case(name, fun, x0, explore_kwargs, n_retrain, max_iter=5000, key=None):
    """Explore once, retrain at a stratified sample; the row of figures and the set.

    With a ``key``, an exploration already run under that key in this process
    is reused (its seconds are those measured then).
    """
    if key is None or key not in _EXPLORED:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            explored = clocked(lambda: explore(fun, x0, **explore_kwargs))
        if key is not None:
            _EXPLORED[key] = explored
    wall, cpu, pset = explored if key is None else _EXPLORED[key]
    tol = explore_kwargs["tol"]
    cost = explore_cost(pset)
    picks = stratified(pset, n_retrain)
    grads, residuals, r_wall, r_cpu = retrain_at(fun, x0, pset, picks, tol, max_iter)
    options = explore_kwargs.get("options") or SolverOptions()
    p = pset.n_points
    row = dict(
        case=name, n_params=int(x0.size), n_points=int(p), tol=tol,
        step_size=explore_kwargs.get("step_size"), inexact=bool(options.inexact),
        settings=repr(options),
        weight_range=[float(pset.weights[:, 0].min()), float(pset.weights[:, 0].max())],
        max_residual=float(pset.residuals.max()),
        total_grad=int(pset.total_grad), total_hvp=int(pset.total_hvp),
        explore_grad_eq=cost["total"], stage1_grad_eq=cost["stage1"],
        explore_grad_eq_per_point=cost["per_point"],
        stage2_grad_eq_per_new_point=cost["per_new_point"],
        explore_seconds=wall, explore_cpu_seconds=cpu, points_per_second=p / wall,
        retrain_points=int(len(picks)), retrain_reached_tol=int(np.sum(residuals <= tol)),
        retrain_max_residual=float(residuals.max()),
        retrain_grad_eq=grads.tolist(),
        retrain_grad_eq_per_point=float(grads.mean()),
        retrain_seconds_per_point=r_wall / len(picks),
        retrain_cpu_seconds_per_point=r_cpu / len(picks),
    )
    row["ratio_grad_eq"] = row["retrain_grad_eq_per_point"] / cost["per_point"]
    row["ratio_grad_eq_stage2"] = row["retrain_grad_eq_per_point"] / cost["per_new_point"]
    row["ratio_cpu_time"] = row["retrain_cpu_seconds_per_point"] / (cpu / p)
    # the whole exploration in units of one training from scratch (the mean retraining)
    row["explore_in_trainings"] = cost["total"] / row["retrain_grad_eq_per_point"]
    return row, pset


# the key of the network's default exploration (seed 0, tol 1e-4), shared with bench_issue17
NETWORK_DEFAULT_KEY = ("network", 0, 1e-4, "default")


def network_problem(seed=0):
    """The 2,162-parameter two-task regression network; ``seed`` draws its data and start."""
    X, Y = make_conflicting_regression(500, 10, 2, conflict=0.7, noise=0.1, random_state=seed)
    net = SharedTrunkNet(10, (40, 40), (1, 1), activation="tanh")
    fun = net.objective(X, [Y[:, 0], Y[:, 1]], ["squared_error"] * 2, alpha=1e-2)
    return fun, net.init_params(seed)


def report(r):
    print(f"{r['case']}: n={r['n_params']}, {r['n_points']} points, task-0 weights "
          f"[{r['weight_range'][0]:.3f}, {r['weight_range'][1]:.3f}], max residual "
          f"{r['max_residual']:.1e}\n"
          f"  explore: {r['explore_grad_eq']} grad-eq in {r['explore_cpu_seconds']:.1f} s CPU "
          f"({r['explore_seconds']:.1f} s wall); {r['explore_grad_eq_per_point']:.0f} "
          f"grad-eq/point (stage 2 alone {r['stage2_grad_eq_per_new_point']:.0f}/new point; "
          f"stage 1 {r['stage1_grad_eq']})\n"
          f"  retrain: {r['retrain_grad_eq_per_point']:.0f} grad-eq/point "
          f"({r['retrain_reached_tol']}/{r['retrain_points']} reached tol, worst "
          f"{r['retrain_max_residual']:.1e})\n"
          f"  retrain / explore per point: {r['ratio_grad_eq']:.2f}x grad-eq "
          f"({r['ratio_grad_eq_stage2']:.2f}x stage 2 alone), {r['ratio_cpu_time']:.2f}x CPU "
          f"time; the whole set costs {r['explore_in_trainings']:.1f} trainings", flush=True)


def main(quick=True):
    info = describe_machine("explore")
    quad = ConvexQuadratic(n=200, m=2, condition=100.0, random_state=0)
    fun_net, x0_net = network_problem()
    n_retrain = 4 if quick else None
    cases = [
        ("quadratic n=200, tol 1e-8, reference", quad.fun, quad.x0,
         dict(tol=1e-8, options=SolverOptions.reference()), None),
        ("quadratic n=200, tol 1e-8, default", quad.fun, quad.x0, dict(tol=1e-8), None),
        ("network, tol 1e-6, reference", fun_net, x0_net,
         dict(tol=1e-6, options=SolverOptions.reference()), None),
        ("network, tol 1e-4, default", fun_net, x0_net, dict(tol=1e-4), NETWORK_DEFAULT_KEY),
    ]
    if not quick:
        cases += [
            ("network, tol 1e-4, reference", fun_net, x0_net,
             dict(tol=1e-4, options=SolverOptions.reference()), None),
            ("network, tol 1e-4, default, step 0.025", fun_net, x0_net,
             dict(tol=1e-4, step_size=0.025), None),
            ("network, tol 1e-4, default, step 0.1", fun_net, x0_net,
             dict(tol=1e-4, step_size=0.1), None),
        ]
    rows = []
    with threadpool_limits(limits=1):
        for name, fun, x0, kwargs, key in cases:
            row, _ = run_case(name, fun, x0, kwargs, n_retrain, key=key)
            rows.append(row)
            report(row)
    save_json("bench_explore.json", dict(machine=info, quick=quick, rows=rows))
    return rows


if __name__ == "__main__":
    main(quick="--full" not in sys.argv)
