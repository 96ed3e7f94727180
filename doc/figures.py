"""Figures of the user guide, drawn by the library while the documentation builds.

``conf.py`` calls :func:`make_all` when Sphinx starts, so the pictures always
show what the code does now; none is committed. Each function draws one
figure into ``doc/generated``. Run alone with ``python doc/figures.py``.
"""

import sys
import time
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from threadpoolctl import threadpool_limits

from skpareto import ParetoExplorer, expand_set, explore, tangent_directions
from skpareto._stationary import arclength_correct
from skpareto.datasets import make_multi_digits
from skpareto.plotting import trace_chains
from skpareto.problems import ConvexQuadratic, FonsecaFleming

OUT = Path(__file__).resolve().parent / "generated"


def _figure(width, height, ncols):
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.subplots(1, ncols)


def _coordinate(front):
    """Position along a two-task front: ``(f_0 - f_1) / sqrt(2)``, monotone on a front."""
    front = np.asarray(front, dtype=float)
    return (front[..., 0] - front[..., 1]) / np.sqrt(2.0)


def _fonseca_curve(problem, n=801):
    """The analytic set of Fonseca-Fleming, from u = 1 (task 0 alone) to u = -1."""
    u = np.linspace(1.0, -1.0, n)
    front = np.column_stack([1 - np.exp(-(u - 1) ** 2), 1 - np.exp(-(u + 1) ** 2)])
    weights = np.array([problem.weights_of_t(ui / np.sqrt(problem.n)) for ui in u])
    return u, front, weights


def _folds(values):
    """Indices where a sequence turns back (local extrema inside it)."""
    d = np.diff(values)
    return np.flatnonzero(d[:-1] * d[1:] < 0) + 1


# -- theory -------------------------------------------------------------------


def theory_step(path):
    """Tangent, predictor and corrector on a two-parameter quadratic; a fold of the weights."""
    # two wells at (1, 0) and (-1, 0), elongated across each other: the set bends
    turn = [[[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]] for a in (0.6, -0.6)]
    problem = ConvexQuadratic(hessians=[r @ np.diag([1.0, 8.0]) @ np.transpose(r)
                                        for r in np.array(turn)],
                              centers=[[1.0, 0.0], [-1.0, 0.0]])
    grid = np.linspace(0.0, 1.0, 201)
    curve = np.array([problem.pareto_set([w, 1 - w]) for w in grid])
    front = np.array([problem.fun(x) for x in curve])
    w = np.array([0.5, 0.5])
    x = problem.pareto_set(w)
    tangent = tangent_directions(problem.fun, x, w)
    v, beta, dfront = tangent.directions[0], tangent.betas[0], tangent.front_directions[0]
    t = 0.7 / np.linalg.norm(v) * np.sign(-beta[0])  # a long step toward task 0's end
    x_pred, w_pred = x + t * v, w - t * beta
    target = _coordinate(problem.fun(x) + t * dfront)
    path_x = [x_pred] + [arclength_correct(problem.fun, x_pred, w_pred, np.array([target]),
                                           tol=1e-12, max_iter=k, contract=False).x
                         for k in (1, 2, 3)]
    path_x = np.array(path_x)
    fig, (ax_x, ax_f, ax_w) = _figure(14, 4.6, 3)

    # (a) parameters: level sets, the set, the tangent step and the corrector
    lo, hi = curve.min(0) - 0.8, curve.max(0) + 0.8
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], 200), np.linspace(lo[1], hi[1], 200))
    values = np.array([problem.fun(p) for p in np.column_stack([g0.ravel(), g1.ravel()])])
    for i, color in enumerate(("C0", "C3")):
        ax_x.contour(g0, g1, values[:, i].reshape(g0.shape), levels=8, colors=color,
                     linewidths=0.5, alpha=0.5)
    ax_x.plot(*curve.T, "k-", lw=2, label="Pareto set x(w)")
    ax_x.plot(*x, "ko", ms=7, label="stationary point x*, weights w = (½, ½)")
    ax_x.annotate("", x_pred, x, arrowprops=dict(arrowstyle="->", color="C2", lw=2))
    ax_x.plot(*x_pred, "o", color="C2", ms=7, label="predictor x* + t v (tangent v)")
    ax_x.plot(*path_x.T, ".--", color="C1", lw=1.5, label="corrector (Newton steps)")
    ax_x.plot(*path_x[-1], "o", color="C1", ms=7)
    ax_x.set_aspect("equal")
    ax_x.set_xlim(lo[0], hi[0])
    ax_x.set_ylim(lo[1], hi[1])
    ax_x.set_xlabel("parameter x₀")
    ax_x.set_ylabel("parameter x₁")
    ax_x.set_title("(a) parameters: level sets of f₀ (blue), f₁ (red)", fontsize="medium")
    ax_x.legend(loc="upper center", fontsize="small")

    # (b) objectives: the front, the tangent and the corrector at the same position
    f_path = np.array([problem.fun(p) for p in path_x])
    f0 = problem.fun(x)
    ax_f.plot(*front.T, "k-", lw=2, label="Pareto front f(x(w))")
    ax_f.plot(*f0, "ko", ms=7)
    aim = f0 + t * dfront  # the predictor's position on the tangent: c + h
    ax_f.plot(*np.array([f0 - 0.3 * t * dfront, f0 + 1.3 * t * dfront]).T, "-", color="C2",
              lw=1, label="tangent of the front, J v")
    ax_f.plot(*aim, "o", color="C2", mfc="w", ms=7, label="predicted position c + h")
    ax_f.plot(*f_path[0], "o", color="C2", ms=7, label="f at the predictor")
    ax_f.plot(*f_path.T, ".--", color="C1", lw=1.5, label="corrector")
    ax_f.plot(*f_path[-1], "o", color="C1", ms=7)
    diag = np.array([-0.5, 1.5]) * np.linalg.norm(f_path[-1] - aim)
    ax_f.plot(aim[0] + diag, aim[1] + diag, ":", color="0.4",
              label="same position c = (f₀ − f₁)/√2")
    top = 1.6 * max(f_path.max(), f0.max())
    ax_f.set_xlim(-0.1 * top, top)
    ax_f.set_ylim(-0.1 * top, top)
    ax_f.set_xlabel("f₀ (lower is better)")
    ax_f.set_ylabel("f₁ (lower is better)")
    ax_f.set_title("(b) objectives: the corrector keeps c fixed", fontsize="medium")
    ax_f.legend(loc="upper right", fontsize="small")

    # (c) a fold of the weights: fixing the weights has no nearby solution, fixing c has one
    ff = FonsecaFleming(2)
    _, ff_front, ff_w = _fonseca_curve(ff)
    c = _coordinate(ff_front)
    folds = _folds(ff_w[:, 0])
    k = folds[0] - 40  # a point of the set before the first fold
    slope = np.gradient(ff_w[:, 0], c)[k]
    h = 2.2 * (c[folds[0]] - c[k])
    ax_w.plot(c, ff_w[:, 0], "k-", lw=2, label="Fonseca-Fleming: w₀ along the set")
    ax_w.plot(c[folds], ff_w[folds, 0], "s", color="C3", ms=8, label="folds: w₀ turns back")
    ax_w.plot(c[k], ff_w[k, 0], "ko", ms=7)
    pred = (c[k] + h, ff_w[k, 0] + slope * h)
    ax_w.annotate("", pred, (c[k], ff_w[k, 0]),
                  arrowprops=dict(arrowstyle="->", color="C2", lw=2))
    ax_w.plot(*pred, "o", color="C2", ms=7, label="predictor past the fold")
    ax_w.axhline(pred[1], color="C4", ls="--", lw=1,
                 label="fixed weights: no set point nearby")
    ax_w.axvline(pred[0], color="C1", ls="--", lw=1, label="fixed c: one set point")
    ax_w.plot(pred[0], np.interp(pred[0], c, ff_w[:, 0]), "o", color="C1", ms=7)
    ax_w.set_xlabel("position along the front, c = (f₀ − f₁)/√2")
    ax_w.set_ylabel("weight w₀ of task 0")
    ax_w.set_title("(c) why the corrector fixes c, not w", fontsize="medium")
    ax_w.legend(loc="upper left", fontsize="small")
    fig.savefig(path, dpi=90)


# -- covering the whole front ---------------------------------------------------


def cover_fonseca(path):
    """Fonseca-Fleming from one start: the whole set, through both folds of the weights."""
    problem = FonsecaFleming(10)
    pset = explore(problem.fun, problem.x0)
    chain = np.argsort(_coordinate(pset.front))  # one chain: in order along the front
    _, front, weights = _fonseca_curve(problem)
    c, c_pts = _coordinate(front), _coordinate(pset.front[chain])
    folds = _folds(weights[:, 0])
    start = int(np.flatnonzero(pset.parents < 0)[0])
    fig, (ax_f, ax_w, ax_h) = _figure(14, 4.4, 3)
    ax_f.plot(*front.T, "-", color="0.7", lw=4, label="exact front")
    ax_f.plot(*pset.front[chain].T, ".-", color="C0", ms=5, lw=1,
              label=f"explored ({pset.n_points} points)")
    ax_f.plot(*pset.front[start], "*", color="C1", ms=14, mec="k", label="stage-1 start")
    ax_f.plot(*front[folds].T, "s", color="C3", ms=8, label="folds of the weights")
    ax_f.set_xlabel("f₀ (lower is better)")
    ax_f.set_ylabel("f₁ (lower is better)")
    ax_f.set_title("(a) the concave front, end to end", fontsize="medium")
    ax_f.legend(loc="lower left", fontsize="small")

    ax_w.plot(c, weights[:, 0], "-", color="0.7", lw=4, label="exact")
    ax_w.plot(c_pts, pset.weights[chain, 0], ".-", color="C0", ms=5, lw=1, label="explored")
    ax_w.plot(_coordinate(pset.front[start]), pset.weights[start, 0], "*", color="C1",
              ms=14, mec="k")
    ax_w.plot(c[folds], weights[folds, 0], "s", color="C3", ms=8, label="folds")
    ax_w.set_xlabel("position along the front, c = (f₀ − f₁)/√2")
    ax_w.set_ylabel("weight w₀ of task 0")
    ax_w.set_title("(b) the weights fold twice; c never does", fontsize="medium")
    ax_w.legend(loc="upper right", fontsize="small")

    # step-length control: steps along the front against how fast the front turns there
    steps = np.linalg.norm(np.diff(pset.front[chain], axis=0), axis=1)
    mid = 0.5 * (c_pts[1:] + c_pts[:-1])
    angle = np.unwrap(np.arctan2(*np.gradient(front, axis=0).T[::-1]))
    curvature = np.abs(np.diff(angle)) / np.linalg.norm(np.diff(front, axis=0), axis=1)
    ax_h.semilogy(mid, steps, "o", color="C0", ms=4, label="step between neighbours")
    ax_h.semilogy(0.5 * (c[1:] + c[:-1]), 1.0 / curvature, "-", color="C3", lw=1,
                  label="radius of curvature of the front")
    ax_h.set_xlabel("position along the front, c")
    ax_h.set_ylabel("length along the front")
    ax_h.set_title("(c) steps shorten where the front bends", fontsize="medium")
    ax_h.legend(loc="lower center", fontsize="small")
    fig.savefig(path, dpi=90)


def _covered(pset, n=2001):
    """The task-0 weight intervals a two-task set covers, as (start, stop) pairs."""
    grid = np.linspace(0.0, 1.0, n)
    inside = np.concatenate([[False], pset.contains(np.column_stack([grid, 1 - grid])),
                             [False]])
    edges = np.flatnonzero(np.diff(inside.astype(int)))
    return [(grid[i], grid[j - 1]) for i, j in zip(edges[::2], edges[1::2])]


def cover_toward(path):
    """``expand_set(..., toward=...)``: continue a partial set until it covers a trade-off."""
    problem = ConvexQuadratic(n=4, m=2, random_state=0)
    pset = explore(problem.fun, problem.x0, max_points=9)
    before, covered = pset.n_points, _covered(pset)
    target = np.array([0.9, 0.1])
    expand_set(pset, problem.fun, toward=target)
    exact = np.array([problem.fun(problem.pareto_set([w, 1 - w]))
                      for w in np.linspace(0, 1, 201)])
    fig, (ax_f, ax_w) = _figure(11, 4.2, 2)
    ax_f.plot(*exact.T, "-", color="0.7", lw=4, label="exact front")
    ax_f.plot(*pset.front[:before].T, "o", color="0.3", ms=5,
              label=f"explore(..., max_points={before})")
    ax_f.plot(*pset.front[before:].T, "o", color="C0", ms=5,
              label=f"expand_set(..., toward=w): {pset.n_points - before} more points")
    ax_f.plot(*problem.fun(problem.pareto_set(target)), "*", color="C1", ms=15, mec="k",
              label=f"the trade-off asked for, w = {tuple(target.tolist())}")
    ax_f.set_xlabel("f₀ (lower is better)")
    ax_f.set_ylabel("f₁ (lower is better)")
    ax_f.legend(loc="upper right", fontsize="small")
    ax_f.set_title("(a) objectives", fontsize="medium")
    for row, (intervals, color, label) in enumerate([(covered, "0.3", "before"),
                                                     (_covered(pset), "C0", "after")]):
        for k, (lo, hi) in enumerate(intervals):
            ax_w.hlines(1 - row, lo, hi, color=color, lw=10,
                        label=f"covered {label}" if k == 0 else None)
    ax_w.plot(target[0], 0.5, "*", color="C1", ms=15, mec="k", label="w asked for")
    ax_w.set_xlim(-0.02, 1.02)
    ax_w.set_ylim(-0.8, 1.8)
    ax_w.set_yticks([])
    ax_w.set_xlabel("weight w₀ of task 0")
    ax_w.legend(loc="upper left", fontsize="small")
    ax_w.set_title("(b) the weights the continuous set covers", fontsize="medium")
    fig.savefig(path, dpi=90)


def cover_network(path):
    """A network's set: chains joined where the continuation goes on, jumps where it re-solves."""
    X, Y = make_multi_digits(400, random_state=0, return_X_y=True)
    est = ParetoExplorer(loss="log_loss", hidden_layer_sizes=(8,), alpha=3e-2,
                         random_state=0).fit(X, Y)
    pset = est.pareto_set_
    chains = trace_chains(pset, 2000)
    roots = np.flatnonzero(pset.parents < 0)
    fig, (ax_f, ax_w) = _figure(12, 4.6, 2)
    for k, (w, piece) in enumerate(chains):
        front = pset.front_at(w, piece=piece)
        color = ("C0", "C1", "C2")[k % 3]
        ax_f.plot(*front.T, "-", color=color, lw=3, solid_capstyle="butt")
        ax_w.plot(_coordinate(front), w[:, 0], "-", color=color, lw=3, solid_capstyle="butt")
    ax_f.plot(*pset.front[roots].T, "x", color="k", ms=8, mew=2,
              label="where a chain starts: stage 1, a re-solve, a single-task end")
    ax_w.plot(_coordinate(pset.front[roots]), pset.weights[roots, 0], "x", color="k", ms=8,
              mew=2)
    ax_f.set_xlabel("left-digit training loss (lower is better)")
    ax_f.set_ylabel("right-digit training loss (lower is better)")
    ax_f.legend(loc="upper right", fontsize="small")
    ax_f.set_title(f"(a) MultiDigits: {pset.n_points} models in {len(chains)} chains "
                   "(alternating colours)", fontsize="medium")
    ax_w.set_xlabel("position along the front, c = (f₀ − f₁)/√2")
    ax_w.set_ylabel("weight w₀ of the left digit")
    ax_w.set_title("(b) the weights along the set, chain by chain", fontsize="medium")
    fig.savefig(path, dpi=90)


FIGURES = (theory_step, cover_fonseca, cover_toward, cover_network)


def make_all(out=OUT, verbose=True):
    """Draw every figure into ``out`` (created if missing)."""
    out = Path(out)
    out.mkdir(exist_ok=True)
    for draw in FIGURES:
        start = time.perf_counter()
        # small problems gain nothing from BLAS threads and lose much on a busy machine
        with threadpool_limits(1, "blas"):
            draw(out / f"{draw.__name__}.png")
        if verbose:
            print(f"doc/figures.py: {draw.__name__}.png in {time.perf_counter() - start:.1f} s",
                  file=sys.stderr)


if __name__ == "__main__":
    make_all()
