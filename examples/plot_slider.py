"""
A low-dimensional slider through the Pareto set
===============================================

The explored Pareto set of a network lives in a space of many parameters, yet
locally it is close to an affine subspace of dimension m - 1.
:meth:`skpareto.ParetoSet.reparameterize` finds that subspace from an SVD of
the explored points and gives a slider ``t`` that moves the model along the
trade-off.
"""

# %%
# A two-task network and its explored set
# ---------------------------------------
import os

import matplotlib.pyplot as plt
import numpy as np

from skpareto import ParetoExplorer
from skpareto.datasets import make_conflicting_regression
from skpareto.plotting import plot_tradeoff

small = os.environ.get("SKPARETO_EXAMPLE_SMALL") == "1"
X, Y = make_conflicting_regression(n_samples=150 if small else 300, n_features=3,
                                   conflict=0.8, noise=0.05, random_state=1)
est = ParetoExplorer(hidden_layer_sizes=(1,), alpha=1e-3, random_state=0).fit(X, Y)
pset = est.pareto_set_
print(f"{pset.n_points} points in a space of {pset.n_params} parameters")

# %%
# The slider
# ----------
# How much of the spread of the explored parameters one and two components
# explain:
k = min(2, pset.n_points)
rep = pset.reparameterize(n_components=k)
print("explained variance ratio:", np.round(rep.explained_variance_ratio_, 4))

# %%
# One slider value gives a parameter vector, and back.
t = rep.transform(pset.params)
x_back = rep.inverse_transform(t)
print(f"largest reconstruction error of the explored points with {k} components: "
      f"{np.abs(x_back - pset.params).max():.2e}")

# %%
# Moving the slider trades one task for the other:
fig, ax = plt.subplots(figsize=(6, 4))
plot_tradeoff(pset, ax=ax, reparameterization=rep, component=0)
ax.set_title("training losses along the first slider coordinate")
plt.show()
