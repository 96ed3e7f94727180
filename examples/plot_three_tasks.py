"""
Three tasks: the Pareto front as a surface
==========================================

With three objectives the Pareto set is two-dimensional. :func:`skpareto.explore`
covers it with a lattice of points, each corrected from a solved neighbour,
and the continuous set is a triangulation of the explored weights. On DTLZ2
the exact front is the positive octant of the unit sphere, so we can see how
well the surface fits.
"""

# %%
# Explore DTLZ2
# -------------
# A weighted sum is unbounded below on unconstrained DTLZ2: stage 1 notices
# L-BFGS running away and falls back to multiple-gradient descent
# (``method="auto"``, the default of :class:`skpareto.SolverOptions`). The set
# is then covered by a lattice of front coordinates and its boundary, the
# Pareto sets of two of the three objectives, one dimension lower.
import os

import matplotlib.pyplot as plt
import numpy as np

from skpareto import explore
from skpareto.metrics import hypervolume
from skpareto.plotting import plot_front_3d
from skpareto.problems import DTLZ2

small = os.environ.get("SKPARETO_EXAMPLE_SMALL") == "1"
problem = DTLZ2(n=6)
pset = explore(problem.fun, problem.x0, n_steps=2 if small else None, tol=1e-10)
radius = np.linalg.norm(pset.front, axis=1)
print(f"{pset.n_points} points, distance from the unit sphere at most "
      f"{np.abs(radius - 1).max():.1e}")
print(f"hypervolume of the explored points {hypervolume(pset.front, [1, 1, 1]):.4f} "
      f"(whole front {problem.hypervolume:.4f})")

# %%
# The continuous set between the points
# -------------------------------------
# Inside each triangle of explored weights the parameters are interpolated
# barycentrically; ``front_at`` evaluates the true objectives there.
w = np.array([0.2, 0.3, 0.5])
if pset.contains(w):
    f = pset.front_at(w)
    print(f"at weights {w}: objectives {f.round(4)}, radius {np.linalg.norm(f):.6f}")

# %%
# The surface, with points of the exact front for reference.
u, v = np.meshgrid(np.linspace(0, np.pi / 2, 15), np.linspace(0, np.pi / 2, 15))
sphere = np.column_stack([(np.cos(u) * np.cos(v)).ravel(), (np.cos(u) * np.sin(v)).ravel(),
                          np.sin(u).ravel()])
fig = plt.figure(figsize=(6, 5))
ax = fig.add_subplot(projection="3d")
plot_front_3d(pset, ax=ax, resolution=2, reference_points=sphere)
ax.view_init(elev=25, azim=40)
plt.show()
