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

Each for autograd's products (``make_hvp`` on the objective, what any
``autograd.numpy`` objective gets) and for the network's own written-out ones
(``fun.weighted_hvp``, which the estimator's networks give the engine), against
the same autograd gradient.

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
    by_autograd = (lambda f: lambda z: f(z))(fun)  # the same objective, autograd's products
    weights = np.full(N_TASKS, 1.0 / N_TASKS)
    weighted_grad = value_and_grad(lambda z: weights @ fun(z))
    v = np.random.default_rng(1).normal(size=x.size)
    repeats = 7 if quick else 25
    kinds = {"autograd": by_autograd, "own": fun}
    times = {"gradient": []}
    ops = {}
    for kind, f in kinds.items():
        times.update({f"hvp_{kind}": [], f"linearization_{kind}": []})
        ops[kind] = hessian_operator(f, x, weights)
        ops[kind].matvec(v)  # warm-up
    weighted_grad(x)
    for _ in range(repeats):  # interleaved, so drifts in load hit all alike
        times["gradient"].append(timed(lambda: weighted_grad(x))[0])
        for kind, f in kinds.items():
            times[f"hvp_{kind}"].append(timed(lambda: ops[kind].matvec(v))[0])
            elapsed, ops[kind] = timed(lambda: hessian_operator(f, x, weights))
            times[f"linearization_{kind}"].append(elapsed)
    agree = float(np.linalg.norm(ops["own"].matvec(v) - ops["autograd"].matvec(v))
                  / np.linalg.norm(ops["autograd"].matvec(v)))
    n_tangent = 2 if quick else 5
    results = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 50 steps do not converge
        for kind, f in kinds.items():
            times[f"tangent_maxiter50_{kind}"] = []
            for _ in range(n_tangent):
                times["gradient"].append(timed(lambda: weighted_grad(x))[0])
                elapsed, results[kind] = timed(
                    lambda: tangent_directions(f, x, weights, maxiter=50))
                times[f"tangent_maxiter50_{kind}"].append(elapsed)
    median = {key: float(np.median(val)) for key, val in times.items()}
    grad_time = median["gradient"]
    ratios = {}
    for kind in kinds:
        for what in ("hvp", "linearization", "tangent_maxiter50"):
            ratios[f"{what}_{kind}_over_gradient"] = median[f"{what}_{kind}"] / grad_time
    return {
        "n_params": net.n_params, "n_rows": N_ROWS, "n_tasks": N_TASKS,
        "hidden_layer_sizes": list(HIDDEN), "dtype": "float64", "blas_threads": 1,
        "repeats": repeats, "median_seconds": median, "ratios": ratios,
        "own_against_autograd_relative_difference": agree,
        "tangent_n_hvp": {kind: int(res.n_hvp) for kind, res in results.items()},
        "tangent_residual": {kind: float(res.residuals[0]) for kind, res in results.items()},
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
    print(f"  one gradient (autograd)           {1e3 * med['gradient']:8.2f} ms")
    for kind in ("autograd", "own"):
        print(f"  one HVP ({kind})                 {1e3 * med[f'hvp_{kind}']:8.2f} ms   ratio "
              f"{ratio[f'hvp_{kind}_over_gradient']:.2f} (target <= 2.0)")
        print(f"  linearization ({kind})           {1e3 * med[f'linearization_{kind}']:8.2f} ms   "
              f"ratio {ratio[f'linearization_{kind}_over_gradient']:.2f}")
        print(f"  tangent, maxiter=50 ({kind})     "
              f"{1e3 * med[f'tangent_maxiter50_{kind}']:8.2f} ms   ratio "
              f"{ratio[f'tangent_maxiter50_{kind}_over_gradient']:.1f} "
              f"({out['tangent_n_hvp'][kind]} HVPs, residual "
              f"{out['tangent_residual'][kind]:.2e})")
    print(f"  own products against autograd's: relative difference "
          f"{out['own_against_autograd_relative_difference']:.1e}")
    path = save_json("hvp.json", out)
    print(f"  wrote {path}")
    return out


if __name__ == "__main__":
    main(quick="--full" not in sys.argv)
