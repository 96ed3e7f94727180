"""
Verifying a PyTorch implementation on a reference case
======================================================

A second implementation of the method, in PyTorch, checked against skpareto's
exact references. Everything the PyTorch side needs comes from the exported
files: the network's architecture and flat parameter layout from the JSON
description, its data, the point and the probes from the ``.npz``. skpareto
only writes the case and reads the results back.

The example needs ``torch`` (CPU is enough) and says so, and stops, where it is
not installed. Run it as a script: ``python examples/verify_with_pytorch.py``.
"""

import json
import os
import sys
import tempfile

import numpy as np
from scipy.sparse.linalg import LinearOperator, minres

try:
    import torch
except ImportError:
    torch = None

from skpareto.__main__ import main as skpareto_cli

if torch is None:
    print("PyTorch is not installed: the PyTorch verification example is skipped.")
    sys.exit(0)

# %%
# Export the case
# ---------------
# ``python -m skpareto export network DIR/case`` does the same from a shell.
workdir = tempfile.mkdtemp()
skpareto_cli(["export", "network", os.path.join(workdir, "case")])
meta = json.load(open(os.path.join(workdir, "case.json")))
case = np.load(os.path.join(workdir, "case.npz"))
model, n, m = meta["model"], meta["n"], meta["m"]
print(meta["description"])
print("objective:", model["objective"])

# %%
# The PyTorch implementation, from the JSON description
# -----------------------------------------------------
# The flat vector holds every weight matrix ``W`` (inputs x outputs, row-major)
# and bias in the order of ``layout``; ``torch.nn.functional.linear`` wants
# the weight as (outputs x inputs), that is ``W.T``.
torch.set_default_dtype(torch.float64)
X = torch.as_tensor(case["X"])
targets = torch.as_tensor(case["targets"])
layout = model["layout"]


def objectives(x):
    p = {row["name"]: x[row["start"]:row["stop"]].reshape(row["shape"]) for row in layout}
    h = torch.tanh(torch.nn.functional.linear(X, p["trunk.0.weight"].T, p["trunk.0.bias"]))
    penalty = 0.5 * model["penalty"] * sum((p[row["name"]] ** 2).sum() for row in layout
                                           if row["name"].endswith(".weight"))
    losses = []
    for k in range(m):
        out = torch.nn.functional.linear(h, p[f"head.{k}.weight"].T, p[f"head.{k}.bias"])
        losses.append(0.5 * ((out[:, 0] - targets[:, k]) ** 2).mean() + penalty)
    return torch.stack(losses)


def jacobian(x):
    x = torch.as_tensor(x).requires_grad_(True)
    f = objectives(x)
    return torch.stack([torch.autograd.grad(f[i], x, retain_graph=True)[0]
                        for i in range(m)]).numpy()


def hessian_operator(x, weights, damping=0.0):
    """``sum_i w_i Hess f_i(x) + damping I`` by double backward, for SciPy."""
    x = torch.as_tensor(x).requires_grad_(True)
    (grad,) = torch.autograd.grad(torch.as_tensor(weights) @ objectives(x), x,
                                  create_graph=True)

    def matvec(v):
        (hv,) = torch.autograd.grad(grad, x, torch.as_tensor(v).reshape(-1), retain_graph=True)
        return hv.detach().numpy() + damping * np.ravel(v)

    return LinearOperator((n, n), matvec=matvec, dtype=np.float64), grad.detach().numpy()


def min_norm_weights(jac):
    """Two tasks: the closed form of argmin ||J^T alpha|| on the simplex."""
    diff = jac[0] - jac[1]
    a = np.clip(-(diff @ jac[1]) / (diff @ diff), 0.0, 1.0)
    return np.array([a, 1.0 - a])


def tangent_directions(x, weights, betas, **solver):
    op, _ = hessian_operator(x, weights, solver.pop("damping", 0.0))
    rhs = jacobian(x).T @ betas.T
    return np.array([minres(op, b, **solver)[0] for b in rhs.T])


def correct(x, weights, steps=6):
    """Newton's method on weights @ f, each step a tight MINRES solve."""
    for _ in range(steps):
        op, grad = hessian_operator(x, weights)
        x = x - minres(op, grad, rtol=1e-13, maxiter=20 * n)[0]
    return x


# %%
# Compute the results and verify them
# -----------------------------------
x, weights, betas = case["x"], case["weights"], case["betas"]
op, _ = hessian_operator(x, weights)
results = dict(
    case=case["case"],
    jacobian=jacobian(x),
    weights=min_norm_weights(jacobian(x)),
    hvp=np.array([op.matvec(u) for u in case["hvp_probe"]]),
    directions=tangent_directions(x, weights, betas, rtol=1e-13, maxiter=20 * n),
    corrected_x=correct(case["predicted_x"], case["predicted_weights"]),
)
path = os.path.join(workdir, "results.npz")
np.savez(path, **results)
status = skpareto_cli(["verify", path])
print("exit status:", status)

# %%
# The same solve at the paper's settings
# --------------------------------------
# SciPy's MINRES with ``rtol=1e-5, maxiter=50`` reports success (``info == 0``)
# here, yet the directions are far from ``H^-1 J^T beta``: SciPy's test is
# relative to ``||H|| ||v||``, not to ``||J^T beta||``. With damping 0.1 they
# solve another system.
for damping in (0.0, 0.1):
    fast = dict(results, directions=tangent_directions(x, weights, betas, rtol=1e-5,
                                                       maxiter=50, damping=damping))
    np.savez(path, **fast)
    print(f"\nMINRES rtol 1e-5, maxiter 50, damping {damping}:")
    print("exit status:", skpareto_cli(["verify", path]))
