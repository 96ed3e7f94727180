"""
MultiDigits: reading the left digit or the right one
====================================================

Two handwritten digits overlap on one small canvas; one task reads the left
digit, the other the right one. A shared trunk too narrow for both must trade
them off. We explore the whole trade-off, from one digit alone to the other,
and look at how the predictions on a few test images change as we move along
the Pareto front, without retraining.
"""

# %%
# The data
# --------
# :func:`skpareto.datasets.make_multi_digits` overlays two of scikit-learn's
# 8x8 digits on a 12x12 canvas, the left one up-left and the right one
# down-right, with a pixel-wise maximum.
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split

from skpareto import ParetoExplorer
from skpareto.datasets import make_multi_digits
from skpareto.plotting import plot_front

small = os.environ.get("SKPARETO_EXAMPLE_SMALL") == "1"
digits = make_multi_digits(n_samples=300 if small else 800, random_state=0)
X_train, X_test, Y_train, Y_test, img_train, img_test = train_test_split(
    digits.data, digits.target, digits.images, random_state=0)

fig, axes = plt.subplots(1, 6, figsize=(9, 1.9))
for ax, image, (left, right) in zip(axes, img_test, Y_test):
    ax.imshow(image, cmap="gray_r")
    ax.set_title(f"left {left}, right {right}", fontsize="small")
    ax.axis("off")

# %%
# Fit and explore
# ---------------
# Eight shared tanh units, one softmax head per task, and the estimator's
# defaults otherwise, except a penalty stronger than the default: with a few
# hundred training rows a weakly penalized trunk overfits, and its Pareto set
# folds more often, which costs more to follow. ``fit`` reaches the model for
# equal weights, then follows the set both ways until each task is alone; a
# network's set is made of short branches, and the fit re-solves over the end
# of each to the next one.
est = ParetoExplorer(hidden_layer_sizes=(8,), loss="log_loss", alpha=3e-2, random_state=0)
est.fit(X_train, Y_train)
pset = est.pareto_set_
print(f"{pset.n_points} explored models; {pset.coverage()}; largest stationarity "
      f"residual {pset.residuals.max():.1e}")

# %%
# The front, and the test accuracy of each task along it
# ------------------------------------------------------
# Left: the training losses of the explored models (blue) and of the same
# models on the test rows (orange); each line is one chain of neighbouring
# models, and it breaks where the set jumps to another branch. Right: the test
# accuracy of the model :meth:`~skpareto.ParetoExplorer.predict_at` gives for
# each weight of the left digit (gaps where no explored model has that weight).
grid = np.linspace(0.0, 1.0, 101)
weights = np.column_stack([grid, 1 - grid])
inside = pset.contains(weights)
accuracy = np.full((len(grid), 2), np.nan)
accuracy[inside] = (est.predict_at(X_test, weights[inside]) == Y_test[None]).mean(axis=1)
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
plot_front(pset, ax=ax0, test_fun=est.task_objectives(X_test, Y_test), n_samples=300,
           labels=["left-digit loss (lower is better)", "right-digit loss (lower is better)"])
ax1.plot(grid, accuracy[:, 0], label="left digit")
ax1.plot(grid, accuracy[:, 1], label="right digit")
ax1.axhline(0.1, color="0.5", ls="--", lw=1, label="chance (10 classes)")
ax1.set_xlabel("weight of the left digit (the right digit gets 1 - weight)")
ax1.set_ylabel("test accuracy (higher is better)")
ax1.legend()
print("test accuracy, left digit alone:", accuracy[-1].round(3).tolist(),
      "right digit alone:", accuracy[0].round(3).tolist())

# %%
# How the predictions change
# --------------------------
# Each column is one trade-off; each row one test image. A prediction is
# green when right and red when wrong.
show = np.array([[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]])
show = show[pset.contains(show)]
pred = est.predict_at(X_test[:5], show)  # (3, 5, 2)
fig, axes = plt.subplots(5, len(show), figsize=(2 * len(show), 9), layout="constrained",
                         squeeze=False)
for col, w in enumerate(show):
    for row in range(5):
        ax = axes[row, col]
        ax.imshow(img_test[row], cmap="gray_r")
        ax.axis("off")
        left, right = pred[col, row]
        ok = pred[col, row] == Y_test[row]
        ax.text(0.02, 0.98, str(left), color="green" if ok[0] else "red",
                transform=ax.transAxes, va="top", fontsize=14, weight="bold")
        ax.text(0.98, 0.02, str(right), color="green" if ok[1] else "red",
                transform=ax.transAxes, ha="right", fontsize=14, weight="bold")
    axes[0, col].set_title(f"weights ({w[0]:.2f}, {w[1]:.2f})", fontsize="small")
plt.show()
