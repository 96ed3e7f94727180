"""
Verifying another implementation's tangent directions
=====================================================

Suppose you implemented the method yourself (in PyTorch, JAX, C++ ...). The
tangent directions of the Pareto set, ``v = H^-1 J^T beta``, are easy to get
subtly wrong: a Hessian of the wrong weighted sum, a missing solve, a sign.
:mod:`skpareto.testing` checks them on analytic problems whose Pareto set is
known exactly.

Here "another implementation" is a few lines of plain NumPy that build the
Hessian by finite differences of gradients, plus two buggy variants.
"""

# %%
# An analytic problem and a point of its Pareto set
# -------------------------------------------------
# For convex quadratics ``f_i = 1/2 (x - c_i)^T A_i (x - c_i)`` the Pareto set
# is ``x(w) = (sum_i w_i A_i)^-1 sum_i w_i A_i c_i``.
import os
import tempfile

import numpy as np

from skpareto.__main__ import main as skpareto_cli
from skpareto.testing import (check_tangent_directions, export_verification,
                              make_reference_problem)

small = os.environ.get("SKPARETO_EXAMPLE_SMALL") == "1"
n = 8 if small else 20
problem = make_reference_problem("quadratic", n, m=3, random_state=0)
weights = np.array([0.5, 0.3, 0.2])
x = problem.pareto_set(weights)


# %%
# The implementation under test
# -----------------------------
# Gradients are exact here (the user's autodiff); the Hessian of the weighted
# sum comes from central differences of the gradient, and the directions from
# a dense solve.
def gradients(z):
    return np.stack([A @ (z - c) for A, c in zip(problem.A, problem.c)])


def their_tangents(z, w, eps=1e-5, bug=None):
    m = len(w)
    hess = np.empty((n, n))
    for k in range(n):
        e = np.zeros(n)
        e[k] = eps
        hess[:, k] = w @ (gradients(z + e) - gradients(z - e)) / (2 * eps)
    if bug == "uniform Hessian":  # forgot the weights in H
        hess = np.mean([A for A in problem.A], axis=0)
    # zero-sum betas: the differences of consecutive unit vectors
    betas = np.eye(m)[:-1] - np.eye(m)[1:]
    rhs = gradients(z).T @ betas.T
    directions = np.linalg.solve(hess, rhs).T
    if bug == "no solve":  # used J^T beta itself
        directions = rhs.T
    return directions, betas


# %%
# Checking the directions
# -----------------------
# ``check_tangent_directions`` compares the span of the directions with the
# exact tangent space (principal angles) and, given the betas, every
# direction with its exact value; a failed check names the likely cause.
for bug in (None, "uniform Hessian", "no solve"):
    directions, betas = their_tangents(x, weights, bug=bug)
    check = check_tangent_directions(problem, x, directions, betas, tol=1e-6,
                                     weights=weights)
    print(f"{bug or 'correct':>16}: largest angle {check.max_angle:.2e} rad, "
          f"largest direction error {np.max(check.errors):.2e} -> "
          f"{'PASS' if check.passed else 'FAIL'}")
    if not check.passed:
        print(f"{'':>18}{check.cause}: {check.diagnosis}")

# %%
# The same check from the command line
# ------------------------------------
# Export the arrays to a ``.npz`` file, and anyone can run
# ``python -m skpareto verify FILE.npz``; it prints a report and exits with 0
# on a pass, 1 on a mismatch and 2 on a malformed file. For an implementation
# in another framework, the reference cases of the verification guide
# (``python -m skpareto export CASE PATH``) hold everything it needs.
directions, betas = their_tangents(x, weights)
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "their_result.npz")
    export_verification(path, "quadratic", n, x, weights, directions, betas=betas,
                        m=3, random_state=0)
    status = skpareto_cli(["verify", path])  # the same as the shell command
print("exit status:", status)
