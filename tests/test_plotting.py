"""skpareto.plotting on a headless backend."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from skpareto import ParetoSet, explore  # noqa: E402
from skpareto.plotting import (plot_front, plot_front_3d, plot_parallel,  # noqa: E402
                               plot_tradeoff, plot_weights, trace_chains)
from skpareto.problems import DTLZ2, ConvexQuadratic, FonsecaFleming  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def fonseca():
    problem = FonsecaFleming(6)
    pset = explore(problem.fun, problem.x0, tol=1e-10)
    return problem, pset


@pytest.fixture(scope="module")
def dtlz2():
    problem = DTLZ2(5)
    pset = explore(problem.fun, problem.x0, n_steps=2, tol=1e-10)
    return problem, pset


def test_plot_front_draws_the_true_continuous_front(fonseca):
    problem, pset = fonseca
    u = np.linspace(-1, 1, 50)
    reference = np.stack([1 - np.exp(-(u - 1) ** 2), 1 - np.exp(-(u + 1) ** 2)], axis=1)
    test_front = pset.front + 0.01
    ax = plot_front(pset, reference=reference, test_front=test_front, n_samples=300)
    lines = ax.get_lines()
    curve = np.vstack([line.get_xydata() for line in lines
                       if line.get_label() in ("continuous set", "_child0")][:1])
    # the curve is the objective along the pieces, in order: every point is on the
    # analytic front (u in [-1, 1]) and f1 increases monotonically along it
    weights, pieces = pset.trace(300)
    np.testing.assert_allclose(curve, pset.front_at(weights, piece=pieces), rtol=0, atol=0)
    u_of = 1.0 - np.sqrt(-np.log(1.0 - curve[:, 0]))  # invert f1 on u <= 1
    np.testing.assert_allclose(curve[:, 1], 1 - np.exp(-(u_of + 1) ** 2), rtol=0, atol=1e-8)
    assert np.all(np.diff(curve[:, 0]) >= 0)
    labels = [line.get_label() for line in lines]
    assert "reference" in labels and "held-out losses" in labels
    assert f"explored points ({pset.n_points})" in labels
    # an axes given is used and returned
    fig, given = plt.subplots()
    assert plot_front(pset, ax=given) is given


@pytest.fixture(scope="module")
def two_chains():
    """A convex quadratic's set cut in two chains: the parent link of a middle point dropped."""
    problem = ConvexQuadratic(n=4, m=2, random_state=0)
    pset = explore(problem.fun, problem.x0, tol=1e-12)
    order = np.argsort(pset.weights[:, 0])
    cut = order[len(order) // 2]
    parents = pset.parents.copy()
    child_of_cut = np.flatnonzero(parents == cut)
    # drop the edge between the cut point and one neighbour: its parent or a child
    if parents[cut] >= 0:
        parents[cut] = -1
    else:
        parents[child_of_cut[0]] = -1
    split = ParetoSet(pset.params, pset.front, pset.weights, parents, fun=problem.fun)
    return problem, pset, split


def test_trace_chains_splits_only_between_chains(fonseca, two_chains):
    _, pset = fonseca
    # one chain: every sample of trace, in one piece, even where a short piece gets none
    (only,) = trace_chains(pset, n_samples=300)
    weights, pieces = pset.trace(300)
    np.testing.assert_array_equal(only[0], weights)
    np.testing.assert_array_equal(only[1], pieces)
    _, whole, split = two_chains
    assert len(trace_chains(whole, 200)) == 1
    chains = trace_chains(split, 200)
    assert len(chains) == 2
    assert sum(len(w) for w, _ in chains) == 200
    # the samples of a chain run over consecutive pieces, each starting where the one
    # before ends, and the two chains share no point
    ends = split.pieces
    for _, p in chains:
        assert np.all(np.diff(p) >= 0)
        run = ends[p.min():p.max() + 1]
        np.testing.assert_array_equal(run[1:, 0], run[:-1, 1])
    points = [set(ends[p.min():p.max() + 1].ravel()) for _, p in chains]
    assert not points[0] & points[1]
    with pytest.raises(ValueError, match="2 tasks"):
        trace_chains(ParetoSet(np.zeros((1, 2)), np.zeros((1, 3)), [[0.2, 0.3, 0.5]]))


def test_plot_front_breaks_between_chains_and_draws_held_out_models(two_chains):
    problem, _, split = two_chains

    def shifted(x):  # "held-out" objectives: the training ones plus a constant
        return problem.fun(x) + 0.5

    ax = plot_front(split, test_fun=shifted, n_samples=200)
    lines = ax.get_lines()
    train = [line for line in lines if line.get_color() == "C0" and line.get_linestyle() == "-"]
    test = [line for line in lines if line.get_color() == "C1" and line.get_linestyle() == "-"]
    assert len(train) == len(test) == 2  # one line per chain, none across the cut
    for a, b in zip(train, test):
        np.testing.assert_allclose(b.get_xydata(), a.get_xydata() + 0.5, rtol=1e-13)
    for (w, p), line in zip(trace_chains(split, 200), train):
        np.testing.assert_allclose(line.get_xydata(), split.front_at(w, piece=p), rtol=1e-13)
    points = next(line for line in lines
                  if line.get_label() == f"explored points ({split.n_points}), held-out data")
    np.testing.assert_allclose(points.get_xydata(), split.front + 0.5, rtol=1e-13)
    # without the objective: the explored points of each chain, joined
    loaded = ParetoSet(split.params, split.front, split.weights, split.parents)
    joined = [line.get_xydata() for line in plot_front(loaded).get_lines()[:2]]
    assert sum(len(c) for c in joined) == split.n_points


def test_plot_front_without_the_objective_joins_the_explored_points(fonseca):
    _, pset = fonseca
    loaded = ParetoSet(pset.params, pset.front, pset.weights, pset.parents)
    ax = plot_front(loaded)
    curve = ax.get_lines()[0].get_xydata()
    assert len(curve) == pset.n_points  # one chain through every explored point
    assert {tuple(p) for p in curve} == {tuple(p) for p in pset.front}


def test_plot_front_3d_writes_a_png(tmp_path, dtlz2):
    problem, pset = dtlz2
    octant = np.abs(np.random.default_rng(0).normal(size=(200, 3)))
    ax = plot_front_3d(pset, resolution=3,
                       reference_points=octant / np.linalg.norm(octant, axis=1)[:, None])
    assert ax.name == "3d"
    path = tmp_path / "dtlz2.png"
    ax.figure.savefig(path, dpi=60)
    assert path.stat().st_size > 2000
    image = plt.imread(path)
    assert image.ndim == 3 and image[..., :3].std() > 0.01  # not a blank canvas
    # the surface: one small triangle per subdivision of every 3-vertex piece
    surface = ax.collections[0]
    n_pieces = sum(len(set(p)) == 3 for p in pset.pieces)
    assert len(surface.get_paths()) == 9 * n_pieces
    with pytest.raises(ValueError, match="3 tasks"):
        plot_front_3d(ParetoSet(np.zeros((1, 2)), np.zeros((1, 2)), [[0.5, 0.5]]))
    with pytest.raises(ValueError, match="2 tasks"):
        plot_front(pset)


def test_plot_weights_two_and_three_tasks(fonseca, dtlz2):
    _, pset = fonseca
    ax = plot_weights(pset, n_samples=200)
    line = ax.get_lines()[0].get_xydata()
    weights, pieces = pset.trace(200)
    np.testing.assert_allclose(line[:, 0], weights[:, 0])
    np.testing.assert_allclose(line[:, 1], pset.front_at(weights, piece=pieces)[:, 0])
    _, pset3 = dtlz2
    ax = plot_weights(pset3, task=2)
    np.testing.assert_allclose(ax.collections[0].get_array(), pset3.front[:, 2])
    with pytest.raises(ValueError, match="task"):
        plot_weights(pset3, task=3)


def test_plot_tradeoff_along_the_slider():
    problem = ConvexQuadratic(n=5, m=2, random_state=0)
    pset = explore(problem.fun, problem.x0, tol=1e-12)
    rep = pset.reparameterize()
    ax = plot_tradeoff(pset, reparameterization=rep, n_samples=50)
    t, loss0 = ax.get_lines()[0].get_xydata().T
    expected = [problem.fun(x)[0] for x in rep.inverse_transform(t[:, None])]
    np.testing.assert_allclose(loss0, expected, rtol=1e-13)
    assert t.min() == rep.coordinates_.min() and t.max() == rep.coordinates_.max()
    assert "% of the variance" in ax.get_xlabel()
    with pytest.raises(ValueError, match="component"):
        plot_tradeoff(pset, component=1)
    with pytest.raises(ValueError, match="objective"):
        plot_tradeoff(ParetoSet(pset.params, pset.front, pset.weights))


def test_estimator_plot_front_with_held_out_losses(tmp_path):
    from skpareto import ParetoExplorer
    from skpareto.datasets import make_conflicting_regression

    X, Y = make_conflicting_regression(120, n_features=3, conflict=0.8, random_state=0)
    est = ParetoExplorer(hidden_layer_sizes=(1,), n_steps=2, step_size=0.05,
                         max_iter=2000, random_state=0).fit(X[:80], Y[:80])
    ax = est.plot_front(X[80:], Y[80:])
    held_out = ax.lines[-1].get_xydata()
    # the second series is the true loss of every explored model on the held-out rows (of
    # the features and targets standardized by the training rows, as the estimator fits them)
    Z = (Y[80:] - Y[:80].mean(axis=0)) / Y[:80].std(axis=0)
    fun = est._net.objective((X[80:] - X[:80].mean(axis=0)) / X[:80].std(axis=0),
                             [Z[:, 0], Z[:, 1]], est.loss_, est.alpha)
    order = np.argsort(est.pareto_weights_[:, 0], kind="stable")
    expected = np.stack([fun(p) for p in est.pareto_set_.params[order]])
    np.testing.assert_allclose(held_out, expected, rtol=1e-12)
    path = tmp_path / "front.png"
    ax.figure.savefig(path)
    assert path.stat().st_size > 1000
    with pytest.raises(ValueError, match="X and y go together"):
        est.plot_front(X[80:])


def test_plot_parallel_four_tasks(tmp_path):
    problem = ConvexQuadratic(n=6, m=4, random_state=0)
    pset = explore(problem.fun, problem.x0, n_steps=1, step_size=0.1, tol=1e-10)
    reference = problem.pareto_front(35)
    ax = plot_parallel(pset, reference=reference, task=1)
    ref_lines, lines = ax.collections[-2:]
    assert len(ref_lines.get_segments()) == len(reference) == 35
    segments = np.stack(lines.get_segments())  # (points, tasks, 2): one line per point
    assert segments.shape == (pset.n_points, 4, 2)
    np.testing.assert_array_equal(segments[:, :, 0], np.tile(np.arange(4.0), (pset.n_points, 1)))
    # each axis is one task's loss scaled to [0, 1] over the points drawn
    both = np.vstack([pset.front, reference])
    low, high = both.min(axis=0), both.max(axis=0)
    np.testing.assert_allclose(segments[:, :, 1], (pset.front - low) / (high - low),
                               rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(np.stack(ref_lines.get_segments())[:, :, 1],
                               (reference - low) / (high - low), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(lines.get_array(), pset.weights[:, 1])
    assert [t.get_text().split("\n")[0] for t in ax.get_xticklabels()] == [
        "task 0", "task 1", "task 2", "task 3"]
    path = tmp_path / "parallel.png"
    ax.figure.savefig(path, dpi=60)
    image = plt.imread(path)
    assert image[..., :3].std() > 0.01  # not a blank canvas
    # raw losses on request
    raw = plot_parallel(pset, normalize=False).collections[-1]
    np.testing.assert_allclose(np.stack(raw.get_segments())[:, :, 1], pset.front, rtol=1e-15)
    with pytest.raises(ValueError, match="task"):
        plot_parallel(pset, task=4)
    with pytest.raises(ValueError, match="reference"):
        plot_parallel(pset, reference=reference[:, :3])


@pytest.mark.parametrize("plot, m", [
    (plot_front, 2), (plot_front_3d, 3), (plot_weights, 2), (plot_weights, 3),
    (plot_parallel, 3), (trace_chains, 2),
])
def test_plots_of_an_empty_set_say_so(plot, m):
    with pytest.raises(ValueError, match="pareto_set is empty"):
        plot(ParetoSet.empty(2, m))


def test_plot_tradeoff_of_an_empty_set_says_so():
    with pytest.raises(ValueError, match="pareto_set is empty"):
        plot_tradeoff(ParetoSet.empty(2, 2, fun=ConvexQuadratic(n=2, m=2).fun))


@pytest.mark.parametrize("kwargs, message", [
    (dict(reference=np.zeros((4, 3))), r"reference must have shape \(r, 2\)"),
    (dict(reference=np.zeros(2)), r"reference must have shape \(r, 2\)"),
    (dict(test_front=np.zeros((4, 3))), r"test_front must have shape \(r, 2\)"),
])
def test_plot_front_checks_the_shape_of_other_fronts(fonseca, kwargs, message):
    _, pset = fonseca
    with pytest.raises(ValueError, match=message):
        plot_front(pset, **kwargs)
