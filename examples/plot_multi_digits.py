"""
MultiDigits: reading the left digit or the right one
====================================================

Two handwritten digits overlap on one small canvas; one task reads the left
digit, the other the right one. A shared trunk too narrow for both must trade
them off. We explore that trade-off and look at how the predictions on a few
test images change as we move along the Pareto front, without retraining.
"""

# %%
# The data
# --------
# :func:`skpareto.datasets.make_multi_digits` overlays two of scikit-learn's
# 8x8 digits on a 12x12 canvas, the left one up-left and the right one
# down-right, with a pixel-wise maximum.
import os
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
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
# Eight shared tanh units, one softmax head per task. A few of the Newton
# correctors do not reach the tolerance; the estimator warns, keeps the
# points it accepted and reports every point's residual.
est = ParetoExplorer(hidden_layer_sizes=(8,), loss="log_loss", alpha=1e-2, tol=1e-4,
                     max_iter=3000, n_steps=2 if small else 6, step_size=0.05,
                     random_state=0)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    warnings.simplefilter("ignore", RuntimeWarning)
    est.fit(X_train, Y_train)
pset = est.pareto_set_
lo, hi = pset.weights[:, 0].min(), pset.weights[:, 0].max()
print(f"{pset.n_points} explored points; weight of the left-digit task in "
      f"[{lo:.3f}, {hi:.3f}]; largest residual {pset.residuals.max():.1e}")

# %%
# Test accuracy of each task along the front
# ------------------------------------------
grid = np.linspace(lo, hi, 25)
weights = np.column_stack([grid, 1 - grid])
pred = est.predict_at(X_test, weights)  # (25, n_test, 2)
accuracy = (pred == Y_test[None]).mean(axis=1)
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
plot_front(pset, ax=ax0, labels=["left-digit loss", "right-digit loss"])
ax1.plot(grid, accuracy[:, 0], label="left digit")
ax1.plot(grid, accuracy[:, 1], label="right digit")
ax1.set_xlabel("weight of the left-digit task")
ax1.set_ylabel("test accuracy")
ax1.legend()
print("test accuracy at the two ends:", accuracy[[0, -1]].round(3).tolist())

# %%
# How the predictions change
# --------------------------
# Each column is one trade-off; each row one test image. A prediction is
# green when right and red when wrong.
show = np.column_stack([np.linspace(lo, hi, 3), 1 - np.linspace(lo, hi, 3)])
pred = est.predict_at(X_test[:5], show)  # (3, 5, 2)
fig, axes = plt.subplots(5, 3, figsize=(6, 9), layout="constrained")
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
