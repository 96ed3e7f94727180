"""HVP cost: autograd (skpareto's operator) against PyTorch CPU double backward.

Optional: skipped with a message when ``torch`` does not import. The same
shared-trunk tanh network and weighted log-loss on MultiDigits in both, the
same float64 parameters, PyTorch and NumPy's BLAS on one thread; checks that
both HVPs agree, then times each (median of repeats, interleaved in one run)
and reports the ratio to one gradient of the same framework and the ratio
autograd/torch.

Writes ``results/torch_hvp.json``.
"""

import sys
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

if __package__ in (None, ""):  # run as a script: make the `benchmarks` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import describe_machine, save_json, time_calls  # noqa: E402


def _median_time(fn, repeats):
    return float(np.median(time_calls(fn, repeats)))


def main(quick=True):
    try:
        import torch
    except ImportError:
        print("torch HVP benchmark skipped: torch is not installed")
        return None
    # NumPy's BLAS on one thread as well: with its default threads on a shared 2-core
    # machine, one run in three timed autograd 5-40x slower
    with threadpool_limits(1):
        return _compare(torch, quick)


def _compare(torch, quick):
    from autograd import grad

    from skpareto._hvp import hessian_operator
    from skpareto._models import SharedTrunkNet
    from skpareto.datasets import make_multi_digits

    torch.set_num_threads(1)
    machine = describe_machine("torch_hvp")
    n_rows, hidden = (500, (32,)) if quick else (2000, (128,))
    X, Y = make_multi_digits(n_rows, random_state=0, return_X_y=True)
    net = SharedTrunkNet(X.shape[1], hidden, (10, 10))
    fun = net.objective(X, [Y[:, 0], Y[:, 1]], ["log_loss", "log_loss"])
    w = np.array([0.4, 0.6])
    x = net.init_params(0)
    v = np.random.default_rng(0).normal(size=net.n_params)

    op = hessian_operator(fun, x, w)
    g_ag = grad(lambda z: w @ fun(z))

    Xt = torch.as_tensor(X)
    Yt = [torch.as_tensor(Y[:, j]) for j in range(2)]
    wt = torch.as_tensor(w)
    layers = [(s, wend, e, shape) for (s, wend, e), shape in zip(net._offsets, net._shapes)]

    def torch_loss(p):
        def layer(i):
            s, wend, e, shape = layers[i]
            return p[s:wend].reshape(shape), p[wend:e]
        W, b = layer(0)
        h = torch.tanh(Xt @ W + b)
        losses = []
        for j in range(2):
            W, b = layer(1 + j)
            losses.append(torch.nn.functional.cross_entropy(h @ W + b, Yt[j]))
        return wt @ torch.stack(losses)

    xt = torch.as_tensor(x).requires_grad_(True)
    vt = torch.as_tensor(v)

    def torch_hvp():
        (g,) = torch.autograd.grad(torch_loss(xt), xt, create_graph=True)
        (hv,) = torch.autograd.grad(g @ vt, xt)
        return hv

    def torch_grad():
        (g,) = torch.autograd.grad(torch_loss(xt), xt)
        return g

    hv_ag = op.matvec(v)
    hv_t = torch_hvp().numpy()
    agreement = float(np.linalg.norm(hv_ag - hv_t) / np.linalg.norm(hv_t))
    repeats = 15 if quick else 40
    t = dict(autograd_hvp=[], autograd_grad=[], torch_hvp=[], torch_grad=[])
    for _ in range(3):  # interleave so that load changes hit both frameworks
        t["autograd_hvp"].append(_median_time(lambda: op.matvec(v), repeats))
        t["autograd_grad"].append(_median_time(lambda: g_ag(x), repeats))
        t["torch_hvp"].append(_median_time(torch_hvp, repeats))
        t["torch_grad"].append(_median_time(torch_grad, repeats))
    t = {k: float(np.median(val)) for k, val in t.items()}
    summary = dict(n_params=net.n_params, n_rows=n_rows, hidden=list(hidden),
                   torch_version=torch.__version__, torch_threads=1, blas_threads=1,
                   relative_difference=agreement,
                   autograd_hvp_over_grad=t["autograd_hvp"] / t["autograd_grad"],
                   torch_hvp_over_grad=t["torch_hvp"] / t["torch_grad"],
                   autograd_over_torch_hvp=t["autograd_hvp"] / t["torch_hvp"],
                   autograd_over_torch_grad=t["autograd_grad"] / t["torch_grad"],
                   seconds=t, machine=machine)
    print(f"HVP {net.n_params} params, {n_rows} rows: autograd vs torch differ by {agreement:.1e}; "
          f"HVP/grad autograd {summary['autograd_hvp_over_grad']:.2f}, torch "
          f"{summary['torch_hvp_over_grad']:.2f}; autograd/torch HVP "
          f"{summary['autograd_over_torch_hvp']:.2f}, grad {summary['autograd_over_torch_grad']:.2f}")
    save_json("torch_hvp.json", summary)
    return summary


if __name__ == "__main__":
    main(quick="--full" not in sys.argv)
