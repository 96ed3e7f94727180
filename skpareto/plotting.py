"""Plots of explored Pareto sets (matplotlib, imported only when a plot is drawn).

Every function takes ``ax=None`` (draw on a new figure) and returns the Axes.
"""

import numpy as np

__all__ = ["plot_front", "plot_front_3d", "plot_weights", "plot_tradeoff", "plot_parallel"]


def _axes(ax, projection=None):
    import matplotlib.pyplot as plt

    if ax is not None:
        return ax
    fig = plt.figure()
    return fig.add_subplot(projection=projection)


def _check_tasks(pareto_set, allowed, name="pareto_set"):
    if pareto_set.n_tasks not in allowed:
        raise ValueError(f"{name} must have {' or '.join(map(str, allowed))} tasks, "
                         f"got {pareto_set.n_tasks}.")


def _curve(pareto_set, n_samples):
    """Front along each chain of pieces: a list of (k, 2) arrays in set order.

    True losses from ``front_at`` when the set has its objective, otherwise
    the explored front joined piece by piece.
    """
    weights, pieces = pareto_set.trace(n_samples)
    if pareto_set.fun is not None:
        front = pareto_set.front_at(weights, piece=pieces)
    else:
        front = None
    # split where consecutive pieces are not neighbours (a new chain starts)
    all_pieces = pareto_set.pieces
    breaks = [0]
    for k in range(1, len(pieces)):
        a, b = all_pieces[pieces[k - 1]], all_pieces[pieces[k]]
        if pieces[k] != pieces[k - 1] and a[1] != b[0]:
            breaks.append(k)
    breaks.append(len(pieces))
    if front is not None:
        return [front[a:b] for a, b in zip(breaks[:-1], breaks[1:]) if b > a]
    chains = []
    for a, b in zip(breaks[:-1], breaks[1:]):
        used = np.unique(pieces[a:b])
        idx = [all_pieces[used[0], 0]] + [all_pieces[s, 1] for s in used]
        chains.append(pareto_set.front[idx])
    return chains


def plot_front(pareto_set, ax=None, *, reference=None, test_front=None, n_samples=2000,
               labels=None, color="C0"):
    """Front of a two-task set: the continuous curve and the explored points.

    Parameters
    ----------
    pareto_set : ParetoSet
        A set with two tasks.
    ax : matplotlib Axes, default=None
    reference : array-like of shape (r, 2), default=None
        A reference front (e.g. the analytic one), drawn as a dashed line.
    test_front : array-like of shape (q, 2), default=None
        Losses of the same models on held-out data (e.g. at the explored
        points, in set order), drawn as a second series.
    n_samples : int, default=2000
        Points of the continuous curve (:meth:`ParetoSet.trace`). With the
        objective set, the curve is the true losses from ``front_at``;
        without it, the explored points joined piece by piece.
    labels : sequence of 2 str, default=None
        Axis labels; default "task 0 loss", "task 1 loss".
    color : str, default="C0"

    Returns
    -------
    ax : matplotlib Axes
    """
    _check_tasks(pareto_set, (2,))
    ax = _axes(ax)
    for k, chain in enumerate(_curve(pareto_set, n_samples)):
        ax.plot(chain[:, 0], chain[:, 1], "-", color=color, lw=1.5,
                label="continuous set" if k == 0 else None)
    ax.plot(pareto_set.front[:, 0], pareto_set.front[:, 1], "o", color=color, ms=3,
            label=f"explored points ({pareto_set.n_points})")
    if reference is not None:
        reference = np.asarray(reference, dtype=float)
        ax.plot(reference[:, 0], reference[:, 1], "k--", lw=1, label="reference")
    if test_front is not None:
        test_front = np.asarray(test_front, dtype=float)
        ax.plot(test_front[:, 0], test_front[:, 1], ".-", color="C1", lw=1, ms=3,
                label="held-out losses")
    labels = labels or ("task 0 loss", "task 1 loss")
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.legend(loc="best", fontsize="small")
    return ax


def _lattice(m, resolution):
    """Barycentric lattice of a simplex and its small simplices (m = 3)."""
    r = int(resolution)
    nodes = [(i, j, r - i - j) for i in range(r + 1) for j in range(r + 1 - i)]
    index = {node: k for k, node in enumerate(nodes)}
    triangles = []
    for i in range(r):
        for j in range(r - i):
            triangles.append((index[(i, j, r - i - j)], index[(i + 1, j, r - i - j - 1)],
                              index[(i, j + 1, r - i - j - 1)]))
            if i + j < r - 1:
                triangles.append((index[(i + 1, j, r - i - j - 1)],
                                  index[(i + 1, j + 1, r - i - j - 2)],
                                  index[(i, j + 1, r - i - j - 1)]))
    return np.asarray(nodes, float) / r, np.asarray(triangles)


def plot_front_3d(pareto_set, ax=None, *, resolution=3, reference_points=None, cmap="viridis"):
    """Front of a three-task set as a triangulated surface.

    Each piece (simplex of the explored weights) is subdivided ``resolution``
    times; with the objective set, the surface nodes are the true losses
    from ``front_at``, otherwise ``resolution`` is 1 and the nodes are the
    explored points.

    Parameters
    ----------
    pareto_set : ParetoSet
        A set with three tasks.
    ax : matplotlib 3-D Axes, default=None
    resolution : int, default=3
        Subdivisions of each piece.
    reference_points : array-like of shape (r, 3), default=None
        Points of a reference front, drawn as small dots.
    cmap : str, default="viridis"

    Returns
    -------
    ax : matplotlib Axes (3-D)
    """
    _check_tasks(pareto_set, (3,))
    if int(resolution) != resolution or resolution < 1:
        raise ValueError(f"resolution must be a positive integer, got {resolution!r}.")
    ax = _axes(ax, projection="3d")
    pieces = pareto_set.pieces
    pieces = pieces[[len(set(p)) == 3 for p in pieces]]
    if pareto_set.fun is None:
        resolution = 1
    bary, small = _lattice(3, resolution)
    points, triangles = [], []
    for s, piece in enumerate(pieces):
        w = bary @ pareto_set.weights[piece]
        if pareto_set.fun is None:
            f = bary @ pareto_set.front[piece]
        else:
            f = pareto_set.front_at(w / w.sum(axis=1, keepdims=True),
                                    piece=np.full(len(w), s))
        triangles.append(small + len(points) * len(bary))
        points.append(f)
    if points:
        points = np.vstack(points)
        triangles = np.vstack(triangles)
        ax.plot_trisurf(points[:, 0], points[:, 1], points[:, 2], triangles=triangles,
                        cmap=cmap, linewidth=0.1, alpha=0.85)
    front = pareto_set.front
    ax.scatter(front[:, 0], front[:, 1], front[:, 2], color="k", s=4, label="explored points")
    if reference_points is not None:
        ref = np.asarray(reference_points, dtype=float)
        if ref.ndim != 2 or ref.shape[1] != 3:
            raise ValueError(f"reference_points must have shape (r, 3), got {ref.shape}.")
        ax.scatter(ref[:, 0], ref[:, 1], ref[:, 2], color="C3", s=1, alpha=0.3,
                   label="reference")
    ax.set_xlabel("task 0 loss")
    ax.set_ylabel("task 1 loss")
    ax.set_zlabel("task 2 loss")
    return ax


def plot_weights(pareto_set, ax=None, *, task=0, n_samples=500):
    """The map from weights to losses.

    Two tasks: each loss against the first task's weight, along every piece
    (where the weights fold the map is multivalued and shows as a loop).
    Three tasks or more: the explored weights (first two coordinates)
    coloured by the loss of ``task``.

    Parameters
    ----------
    pareto_set : ParetoSet
    ax : matplotlib Axes, default=None
    task : int, default=0
        Loss shown by colour when there are three tasks or more.
    n_samples : int, default=500
        Samples along a two-task set (true losses when ``fun`` is set).

    Returns
    -------
    ax : matplotlib Axes
    """
    if not 0 <= task < pareto_set.n_tasks:
        raise ValueError(f"task must be in [0, {pareto_set.n_tasks}), got {task!r}.")
    ax = _axes(ax)
    if pareto_set.n_tasks == 2:
        weights, pieces = pareto_set.trace(n_samples)
        if pareto_set.fun is not None:
            front = pareto_set.front_at(weights, piece=pieces)
        else:
            order = np.argsort(pareto_set.weights[:, 0], kind="stable")
            weights, front = pareto_set.weights[order], pareto_set.front[order]
        for i in range(2):
            ax.plot(weights[:, 0], front[:, i], "-", color=f"C{i}", label=f"task {i} loss")
            ax.plot(pareto_set.weights[:, 0], pareto_set.front[:, i], "o", color=f"C{i}", ms=3)
        ax.set_xlabel("weight of task 0")
        ax.set_ylabel("loss")
        ax.legend(loc="best", fontsize="small")
        return ax
    sc = ax.scatter(pareto_set.weights[:, 0], pareto_set.weights[:, 1],
                    c=pareto_set.front[:, task], cmap="viridis", s=12)
    ax.figure.colorbar(sc, ax=ax, label=f"task {task} loss")
    ax.set_xlabel("weight of task 0")
    ax.set_ylabel("weight of task 1")
    return ax


def plot_tradeoff(pareto_set, ax=None, *, reparameterization=None, component=0,
                  n_samples=100):
    """Losses along one slider coordinate ``t`` of a low-dimensional reparameterization.

    Parameters
    ----------
    pareto_set : ParetoSet
        Needs its objective ``fun``.
    ax : matplotlib Axes, default=None
    reparameterization : SetParameterization, default=None
        Default ``pareto_set.reparameterize()``.
    component : int, default=0
        The slider coordinate varied (the others stay at 0, the center).
    n_samples : int, default=100
        Values of ``t`` across the range of the explored points.

    Returns
    -------
    ax : matplotlib Axes

    Raises
    ------
    ValueError
        If ``fun`` is not set or ``component`` is out of range.
    """
    if pareto_set.fun is None:
        raise ValueError("plot_tradeoff needs the objective: set pareto_set.fun first.")
    rep = reparameterization or pareto_set.reparameterize()
    if not 0 <= component < rep.n_components:
        raise ValueError(f"component must be in [0, {rep.n_components}), got {component!r}.")
    ax = _axes(ax)
    coords = rep.coordinates_[:, component]
    t = np.linspace(coords.min(), coords.max(), int(n_samples))
    slider = np.zeros((len(t), rep.n_components))
    slider[:, component] = t
    losses = np.stack([np.asarray(pareto_set.fun(x), float)
                       for x in rep.inverse_transform(slider)])
    for i in range(pareto_set.n_tasks):
        ax.plot(t, losses[:, i], "-", color=f"C{i}", label=f"task {i} loss")
        ax.plot(coords, pareto_set.front[:, i], "o", color=f"C{i}", ms=3)
    ratio = rep.explained_variance_ratio_[component]
    ax.set_xlabel(f"slider t[{component}] ({100 * ratio:.1f}% of the variance)")
    ax.set_ylabel("loss")
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_parallel(pareto_set, ax=None, *, reference=None, normalize=True, task=0,
                  cmap="viridis"):
    """Parallel coordinates of the explored front: one line per point, one axis per task.

    For any number of tasks, and the readable plot for more than three: the
    loss of each task on its own vertical axis, each explored point a line
    across them, coloured by the weight of ``task``. Lines that cross between
    two axes trade those tasks off.

    Parameters
    ----------
    pareto_set : ParetoSet
        A set with at least two tasks.
    ax : matplotlib Axes, default=None
    reference : array-like of shape (r, n_tasks), default=None
        A reference front (e.g. :meth:`skpareto.problems.Problem.pareto_front`),
        drawn as thin grey lines behind the explored points.
    normalize : bool, default=True
        Scale each task's losses to [0, 1] over the points drawn (the range of
        each axis is written at its ends); False draws the raw losses on one
        common scale.
    task : int, default=0
        Task whose weight colours the lines.
    cmap : str, default="viridis"

    Returns
    -------
    ax : matplotlib Axes

    Raises
    ------
    ValueError
        If ``task`` is out of range or ``reference`` has the wrong number of
        columns.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skpareto import explore
    >>> from skpareto.plotting import plot_parallel
    >>> from skpareto.problems import ConvexQuadratic
    >>> problem = ConvexQuadratic(n=6, m=4, random_state=0)
    >>> pset = explore(problem.fun, problem.x0, n_steps=1, step_size=0.1)
    >>> ax = plot_parallel(pset, reference=problem.pareto_front(35))
    >>> len(ax.collections[-1].get_segments()) == pset.n_points
    True
    """
    from matplotlib.collections import LineCollection

    m = pareto_set.n_tasks
    if m < 2:
        raise ValueError(f"pareto_set must have at least 2 tasks, got {m}.")
    if isinstance(task, bool) or not isinstance(task, (int, np.integer)) or not 0 <= task < m:
        raise ValueError(f"task must be an integer in [0, {m}), got {task!r}.")
    front = pareto_set.front
    drawn = front
    if reference is not None:
        reference = np.asarray(reference, dtype=float)
        if reference.ndim != 2 or reference.shape[1] != m:
            raise ValueError(f"reference must have shape (r, {m}), got {reference.shape}.")
        drawn = np.vstack([front, reference])
    if normalize:
        low, high = drawn.min(axis=0), drawn.max(axis=0)
        span = np.where(high > low, high - low, 1.0)  # a constant task sits at 0

        def scale(values):
            return (values - low) / span
    else:
        def scale(values):
            return values
    ax = _axes(ax)
    axes_x = np.arange(m, dtype=float)
    if reference is not None:
        ax.add_collection(LineCollection(
            [np.column_stack([axes_x, row]) for row in scale(reference)],
            colors="0.6", linewidths=0.5, alpha=0.5, label="reference"))
    lines = LineCollection([np.column_stack([axes_x, row]) for row in scale(front)],
                           cmap=cmap, linewidths=1.0,
                           label=f"explored points ({pareto_set.n_points})")
    lines.set_array(pareto_set.weights[:, task])
    ax.add_collection(lines)
    ax.figure.colorbar(lines, ax=ax, label=f"weight of task {task}")
    for x in axes_x:
        ax.axvline(x, color="k", lw=0.8)
    ax.set_xlim(-0.1, m - 0.9)
    if normalize:
        ax.set_xticks(axes_x, [f"task {i}\n{lo:.3g} to {hi:.3g}"
                               for i, (lo, hi) in enumerate(zip(low, high))])
        ax.set_ylim(-0.05, 1.05)
        ax.set_ylabel("loss, scaled to its range (under each axis)")
    else:
        ax.set_xticks(axes_x, [f"task {i}" for i in range(m)])
        ax.autoscale_view(scalex=False)
        ax.set_ylabel("loss")
    ax.legend(loc="best", fontsize="small")
    return ax
