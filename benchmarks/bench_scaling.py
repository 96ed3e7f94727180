"""Cost of the hot path against the number of parameters, and the sampled Hessian.

Four measurements on two-task shared-trunk networks (tanh, 64 inputs, two
hidden layers of width h, one linear head per task), BLAS limited to one
thread so the figures do not depend on what else runs on the machine:

1. HVP / gradient time ratio at about 80,000 parameters (2,000 rows).
2. One tangent direction (MINRES maxiter 50) at about 1,000,000 parameters,
   the Jacobian on all rows and the Hessian on ``hvp_subsample = 256`` rows:
   seconds and peak traced memory (tracemalloc) against the size of the
   parameter vector.
3. Time per continuation step against parameters from 1e4 to 1e6, and its
   log-log slope: the tangent of the set (the bordered system
   ``[[H, J^T Z], [Z^T J, 0]]`` by MINRES, exactly ``k`` iterations) plus one
   step of the bordered Newton corrector (:func:`arclength_correct`, MINRES
   with ``k`` iterations per solve). Before the continuation engine this was
   the tangent ``H^-1 J^T beta`` plus one fixed-weight Newton step; the
   bordered systems are their equivalent now.
4. Accuracy against cost of subsampling: relative direction error against the
   full-Hessian direction (both solved to rtol 1e-10) and time, against the
   rows used, undamped and with damping 0.1 (the paper's fast setting).

Run ``python -m benchmarks.bench_scaling`` (quick) or with ``--full``.
"""

import os
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
from autograd import grad
from threadpoolctl import threadpool_limits

from skpareto import SolverOptions
from skpareto._hvp import hessian_operator, value_and_jacobian
from skpareto._linalg import minres_solve
from skpareto._models import SharedTrunkNet
from skpareto._stationary import arclength_correct
from skpareto._tangent import front_tangents, tangent_directions
from skpareto.exceptions import ConvergenceWarning

if __package__ in (None, ""):  # run as a script: make the `benchmarks` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import (describe_machine, report_load, save_json,  # noqa: E402
                                time_calls, timed)

N_FEATURES = 64


def make_problem(width, n_rows, seed=0):
    """Two regression tasks on a shared trunk (width, width); returns (net, data, x)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, N_FEATURES))
    targets = [np.tanh(X[:, 0] + 0.5 * X[:, 1]), np.tanh(X[:, 0] - X[:, 2])]
    net = SharedTrunkNet(N_FEATURES, (width, width), (1, 1))
    return net, (X, targets), net.init_params(seed)


def objective(net, data, rows=None):
    X, targets = data
    if rows is not None:
        X, targets = X[rows], [t[rows] for t in targets]
    return net.objective(X, targets, ["squared_error"] * 2, alpha=1e-4)


def sampler(net, data, n_sub):
    """``hess_sampler`` for explore: the objective on ``n_sub`` random rows."""
    n_rows = data[0].shape[0]

    def hess_sampler(rng):
        return objective(net, data, rng.choice(n_rows, size=n_sub, replace=False))

    return hess_sampler


def hvp_ratio(width=250, n_rows=2000, repeat=5):
    net, data, x = make_problem(width, n_rows)
    fun = objective(net, data)
    w = np.array([0.5, 0.5])
    g = grad(lambda z: w @ fun(z))
    op = hessian_operator(fun, x, w)
    v = np.random.default_rng(1).normal(size=x.size)
    # interleaved, so that the three see the same load; best of each
    t_grad, t_lin, t_hvp = [], [], []
    for _ in range(repeat):
        t_grad.append(timed(lambda: g(x))[0])
        t_lin.append(timed(lambda: hessian_operator(fun, x, w))[0])
        t_hvp.append(timed(lambda: op.matvec(v))[0])
    t_grad, t_lin, t_hvp = min(t_grad), min(t_lin), min(t_hvp)
    return dict(n_params=net.n_params, n_rows=n_rows, grad_s=t_grad, linearize_s=t_lin,
                hvp_s=t_hvp, hvp_over_grad=t_hvp / t_grad)


def one_direction(width=960, n_rows=2048, n_sub=256, maxiter=50):
    net, data, x = make_problem(width, n_rows)
    fun = objective(net, data)
    hess_fun = sampler(net, data, n_sub)(np.random.default_rng(0))
    vector_bytes = 8 * net.n_params
    tracemalloc.start()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = tangent_directions(fun, x, np.array([0.5, 0.5]), rtol=1e-12, maxiter=maxiter,
                                 damping=0.1, hess_fun=hess_fun)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    # the same work in its two phases: Jacobian on all rows, then the sampled solve
    n_hvp, residual = int(res.n_hvp), float(res.residuals[0])
    del res
    w = np.array([0.5, 0.5])
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    _, jac = value_and_jacobian(fun, x)
    peak_jac = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    op = hessian_operator(hess_fun, x, w, damping=0.1)
    minres_solve(op, jac.T @ np.array([1.0, -1.0]) / np.sqrt(2), rtol=1e-12, maxiter=maxiter)
    peak_solve = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    data_bytes = data[0].nbytes
    return dict(n_params=net.n_params, n_rows=n_rows, hvp_subsample=n_sub, maxiter=maxiter,
                seconds=seconds, n_hvp=n_hvp, residual=residual, peak_mb=peak / 2**20,
                vector_mb=vector_bytes / 2**20, peak_over_vector=peak / vector_bytes,
                jacobian_peak_over_vector=peak_jac / vector_bytes,
                solve_peak_over_vector=peak_solve / vector_bytes, data_mb=data_bytes / 2**20)


def expansion_step(fun, x, weights, k):
    """The set's tangent (bordered MINRES, k iterations), then one bordered Newton step."""
    _, jac = value_and_jacobian(fun, x)
    op = hessian_operator(fun, x, weights)
    directions, rates, _ = front_tangents(op, jac, rtol=1e-14, maxiter=k)
    v = directions[0]
    scale = 1e-3 / np.linalg.norm(v)
    options = SolverOptions(minres_rtol=1e-14, minres_maxiter=k, hessian="matvec",
                            inexact=False)
    arclength_correct(fun, x + scale * v, weights + scale * rates[0], tol=1e-300,
                      options=options, max_iter=1, contract=False)


def step_scaling(widths, n_rows=1024, k=10, repeat=2):
    rows = []
    w = np.array([0.5, 0.5])
    for width in widths:
        net, data, x = make_problem(width, n_rows)
        fun = objective(net, data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            seconds = min(time_calls(lambda: expansion_step(fun, x, w, k), repeat))
        rows.append(dict(width=width, n_params=net.n_params, seconds=seconds))
    n = np.log([r["n_params"] for r in rows])
    t = np.log([r["seconds"] for r in rows])
    slope = float(np.polyfit(n, t, 1)[0])
    return dict(n_rows=n_rows, minres_iterations=k, steps=rows, loglog_slope=slope)


def subsample_tradeoff(width=40, n_rows=2000, subsamples=(64, 256, 1000, 2000), n_seeds=5,
                       maxiter=500):
    """Direction error of the sampled system against the full one, and its time."""
    from skpareto._stationary import find_stationary

    net, data, x0 = make_problem(width, n_rows)
    fun = objective(net, data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = find_stationary(fun, x0, tol=1e-6, options=SolverOptions(
            max_iter=1000, minres_rtol=1e-8, minres_maxiter=maxiter))
    x, w = start.x, start.weights
    out = []
    warnings.simplefilter("ignore", ConvergenceWarning)  # residuals are reported instead
    for damping in (0.0, 0.1):
        options = dict(rtol=1e-10, maxiter=maxiter, damping=damping)
        ref = tangent_directions(fun, x, w, **options).directions[0]
        for n_sub in subsamples:
            errors, times = [], []
            for seed in range(n_seeds if n_sub < n_rows else 1):
                hess_fun = sampler(net, data, n_sub)(np.random.default_rng(seed))
                t0 = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    res = tangent_directions(fun, x, w, hess_fun=hess_fun, **options)
                times.append(time.perf_counter() - t0)
                v = res.directions[0]
                errors.append(np.linalg.norm(v - ref) / np.linalg.norm(ref))
            out.append(dict(damping=damping, rows=n_sub, fraction=n_sub / n_rows,
                            direction_error=float(np.median(errors)),
                            seconds=float(np.median(times)), n_hvp=int(res.n_hvp),
                            solve_residual=float(res.residuals[0])))
    return dict(n_params=net.n_params, n_rows=n_rows, stationarity=float(start.residual),
                weights=w.tolist(), table=out)


def main(quick=True):
    results = {"quick": quick, "load_average": os.getloadavg(),
               "machine": describe_machine("scaling")}
    with threadpool_limits(1):
        r = results["hvp_ratio"] = hvp_ratio(repeat=3 if quick else 7)
        print(f"[scaling] HVP/gradient on {r['n_params']} parameters, {r['n_rows']} rows: "
              f"gradient {r['grad_s'] * 1e3:.1f} ms, linearize {r['linearize_s'] * 1e3:.1f} ms, "
              f"HVP {r['hvp_s'] * 1e3:.1f} ms, ratio {r['hvp_over_grad']:.2f}")
        r = results["one_direction"] = one_direction()
        print(f"[scaling] one direction on {r['n_params']} parameters (Jacobian on "
              f"{r['n_rows']} rows, Hessian on {r['hvp_subsample']}, MINRES maxiter "
              f"{r['maxiter']}): {r['seconds']:.1f} s, {r['n_hvp']} HVPs, peak traced memory "
              f"{r['peak_mb']:.0f} MB = {r['peak_over_vector']:.1f} x the parameter vector "
              f"({r['vector_mb']:.1f} MB; the data alone is {r['data_mb']:.1f} MB); by phase: "
              f"Jacobian on all rows {r['jacobian_peak_over_vector']:.1f} x, sampled "
              f"Hessian + MINRES {r['solve_peak_over_vector']:.1f} x")
        widths = (72, 130, 250, 500, 960) if not quick else (72, 250, 960)
        r = results["step_scaling"] = step_scaling(widths, repeat=1 if quick else 3)
        for row in r["steps"]:
            print(f"[scaling] continuation step, {row['n_params']:>8d} parameters: "
                  f"{row['seconds']:.3f} s")
        print(f"[scaling] log-log slope of time per continuation step against parameters: "
              f"{r['loglog_slope']:.2f}")
        r = results["subsample"] = subsample_tradeoff(
            n_seeds=3 if quick else 10,
            subsamples=(64, 256, 1000, 2000) if quick else (32, 64, 128, 256, 500, 1000, 1500,
                                                            2000))
        print(f"[scaling] sampled Hessian on {r['n_params']} parameters, {r['n_rows']} rows "
              f"(stationarity {r['stationarity']:.1e}):")
        for row in r["table"]:
            print(f"[scaling]   damping {row['damping']:.1f}, {row['rows']:>5d} rows: direction "
                  f"error {row['direction_error']:.3g}, {row['seconds']:.3f} s, "
                  f"{row['n_hvp']} HVPs (MINRES residual {row['solve_residual']:.1e})")
    results["load_average_end"] = report_load("scaling", results["load_average"])
    save_json("scaling.json", results)
    return results


if __name__ == "__main__":
    main(quick="--full" not in sys.argv)
