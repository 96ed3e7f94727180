"""
Quickstart: the trade-off between two regression tasks
======================================================

Two regression tasks share a narrow network trunk and compete for it.
:class:`skpareto.ParetoExplorer` fits one Pareto-stationary model, explores
the continuous Pareto set from it to both single-task ends, and then predicts
at any trade-off between the tasks without retraining.
"""

# %%
# Data: two tasks that conflict through a shared trunk
# ----------------------------------------------------
# :func:`skpareto.datasets.make_conflicting_regression` reads both targets off
# one layer of tanh features; ``conflict`` sets how different the tasks are
# (0: identical, 1: uncorrelated).
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split

from skpareto import ParetoExplorer
from skpareto.datasets import make_conflicting_regression
from skpareto.plotting import plot_front, plot_weights

small = os.environ.get("SKPARETO_EXAMPLE_SMALL") == "1"
X, Y = make_conflicting_regression(n_samples=150 if small else 400, n_features=4,
                                   n_tasks=2, conflict=0.8, noise=0.1, random_state=0)
X_train, X_test, Y_train, Y_test = train_test_split(X, Y, random_state=0)
print("correlation of the two targets:", np.corrcoef(Y.T)[0, 1].round(3))

# %%
# Fit and explore
# ---------------
# Three tanh features generate the targets; a trunk of two tanh units cannot
# serve both tasks fully. ``fit`` reaches the model for uniform weights
# (stage 1), then follows the Pareto set from it in both directions until each
# task is alone (stage 2).
est = ParetoExplorer(hidden_layer_sizes=(2,), alpha=1e-3, random_state=0)
est.fit(X_train, Y_train)
pset = est.pareto_set_
print(f"{pset.n_points} explored points; {pset.coverage()}; "
      f"largest stationarity residual {pset.residuals.max():.1e}")

# %%
# The front and the weights
# -------------------------
# The continuous curve is made of the true training losses of models
# interpolated between neighbouring explored points; it breaks where the set
# jumps from one branch to another.
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
plot_front(pset, ax=ax0)
plot_weights(pset, ax=ax1)
ax0.set_title("training objectives")
ax1.set_title("losses against the weight of task 0")

# %%
# Any trade-off, no retraining
# ----------------------------
# ``predict_at`` evaluates the model of the continuous set at given weights;
# ``task_scores`` gives the test R^2 of each task there.
for w0 in np.linspace(0.0, 1.0, 5):
    if not pset.contains([w0, 1 - w0]):
        print(f"weights ({w0:.3f}, {1 - w0:.3f}): between two branches of the set")
        continue
    r2 = est.task_scores(X_test, Y_test, weights=[w0, 1 - w0])
    print(f"weights ({w0:.3f}, {1 - w0:.3f}): test R^2 {r2[0]:.3f} (task 0), "
          f"{r2[1]:.3f} (task 1)")
plt.show()
