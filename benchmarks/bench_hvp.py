"""Cost of a Hessian-vector product and of a tangent direction, in gradients.

A two-task shared-trunk tanh network (64 inputs, hidden layers (300, 200), one
linear head per task: 80,102 parameters), 2,000 rows, float64, squared error,
at its random initialization (timing does not depend on stationarity). BLAS is
limited to one thread so the ratios do not depend on the machine's load.
Timings are medians of interleaved repeats and are reported as ratios to one
gradient of the weighted objective, measured in the same run:

- one HVP (an already linearized operator) / one gradient (target <= 2.0);
- linearization (``hessian_operator``: one traced forward and backward pass) /
  one gradient;
- one tangent direction with MINRES ``maxiter=50`` (Jacobian, linearization
  and every HVP included) / one gradient.

Writes ``benchmarks/results/hvp.json``. Run ``python -m benchmarks hvp`` or
``python -m benchmarks.bench_hvp [--full]``.
"""

import sys
import warnings
from pathlib import Path

import numpy as np
from autograd import value_and_grad
from threadpoolctl import threadpool_limits

from skpareto._hvp import hessian_operator
from skpareto._models import SharedTrunkNet
from skpareto._tangent import tangent_directions
from skpareto.exceptions import ConvergenceWarning

if __package__ in (None, ""):  # run as a script: make the `benchmarks` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import describe_machine, save_json, timed  # noqa: E402

N_FEATURES, HIDDEN, N_ROWS, N_TASKS = 64, (300, 200), 2000, 2


def make_problem(seed=0):
    rng = np.random.default_rng(seed)
    net = SharedTrunkNet(N_FEATURES, HIDDEN, [1] * N_TASKS, "tanh")
    X = rng.normal(size=(N_ROWS, N_FEATURES))
    targets = [np.tanh(X @ rng.normal(size=N_FEATURES) / 8.0) for _ in range(N_TASKS)]
    fun = net.objective(X, targets, ["squared_error"] * N_TASKS)
    return net, fun, net.init_params(seed)


def measure(quick=True):
    net, fun, x = make_problem()
    weights = np.full(N_TASKS, 1.0 / N_TASKS)
    weighted_grad = value_and_grad(lambda z: weights @ fun(z))
    v = np.random.default_rng(1).normal(size=x.size)
    repeats = 7 if quick else 25
    times = {"gradient": [], "hvp": [], "linearization": []}
    op = hessian_operator(fun, x, weights)
    weighted_grad(x)  # warm-up
    op.matvec(v)
    for _ in range(repeats):  # interleaved, so drifts in load hit all alike
        times["gradient"].append(timed(lambda: weighted_grad(x))[0])
        times["hvp"].append(timed(lambda: op.matvec(v))[0])
        elapsed, op = timed(lambda: hessian_operator(fun, x, weights))
        times["linearization"].append(elapsed)
    n_tangent = 2 if quick else 5
    times["tangent_maxiter50"] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 50 steps do not converge
        for _ in range(n_tangent):
            times["gradient"].append(timed(lambda: weighted_grad(x))[0])
            elapsed, res = timed(lambda: tangent_directions(fun, x, weights, maxiter=50))
            times["tangent_maxiter50"].append(elapsed)
    median = {key: float(np.median(val)) for key, val in times.items()}
    grad_time = median["gradient"]
    return {
        "n_params": net.n_params, "n_rows": N_ROWS, "n_tasks": N_TASKS,
        "hidden_layer_sizes": list(HIDDEN), "dtype": "float64", "blas_threads": 1,
        "repeats": repeats, "median_seconds": median,
        "ratios": {
            "hvp_over_gradient": median["hvp"] / grad_time,
            "linearization_over_gradient": median["linearization"] / grad_time,
            "tangent_maxiter50_over_gradient": median["tangent_maxiter50"] / grad_time,
        },
        "tangent_n_hvp": int(res.n_hvp), "tangent_residual": float(res.residuals[0]),
        "seconds": times,
    }


def main(quick=True):
    machine = describe_machine("hvp")
    with threadpool_limits(1):
        out = measure(quick=quick)
    out["machine"] = machine
    med, ratio = out["median_seconds"], out["ratios"]
    print(f"shared-trunk net: {out['n_params']} parameters, {out['n_rows']} rows, "
          f"{out['n_tasks']} tasks, float64, 1 BLAS thread, {out['repeats']} repeats")
    print(f"  one gradient            {1e3 * med['gradient']:8.2f} ms")
    print(f"  one HVP                 {1e3 * med['hvp']:8.2f} ms   "
          f"ratio {ratio['hvp_over_gradient']:.2f} (target <= 2.0)")
    print(f"  linearization           {1e3 * med['linearization']:8.2f} ms   "
          f"ratio {ratio['linearization_over_gradient']:.2f}")
    print(f"  tangent, maxiter=50     {1e3 * med['tangent_maxiter50']:8.2f} ms   "
          f"ratio {ratio['tangent_maxiter50_over_gradient']:.1f} "
          f"({out['tangent_n_hvp']} HVPs, residual {out['tangent_residual']:.2e})")
    path = save_json("hvp.json", out)
    print(f"  wrote {path}")
    return out


if __name__ == "__main__":
    main(quick="--full" not in sys.argv)
