"""Plots of explored Pareto sets (matplotlib, imported only when a plot is drawn).

Every function takes ``ax=None`` (draw on a new figure) and returns the Axes.
"""

import numpy as np

__all__ = ["plot_front", "plot_front_3d", "plot_weights", "plot_tradeoff", "plot_parallel",
           "trace_chains"]


def _axes(ax, projection=None):
    import matplotlib.pyplot as plt

    if ax is not None:
        return ax
    fig = plt.figure()
    return fig.add_subplot(projection=projection)


def _check_tasks(pareto_set, allowed=None, name="pareto_set"):
    """ValueError naming ``name`` unless the set holds points (and has ``allowed`` tasks)."""
    if allowed is not None and pareto_set.n_tasks not in allowed:
        raise ValueError(f"{name} must have {' or '.join(map(str, allowed))} tasks, "
                         f"got {pareto_set.n_tasks}.")
    if not pareto_set.n_points:
        raise ValueError(f"{name} is empty: there is nothing to plot. Explore the set first "
                         f"(explore(fun, x0)).")


def _check_reference(reference, m, name="reference"):
    """``reference`` as a float array of shape (r, m), or ValueError naming ``name``."""
    reference = np.asarray(reference, dtype=float)
    if reference.ndim != 2 or reference.shape[1] != m:
        raise ValueError(f"{name} must have shape (r, {m}), got {reference.shape}.")
    return reference


def _chain_of_pieces(pareto_set):
    """Chain index of each piece of a two-task set, (s,).

    :attr:`ParetoSet.pieces` lists the segments of each chain of neighbours
    one after the other, so a chain starts where a piece does not begin at
    the point the previous piece ended at.
    """
    pieces = pareto_set.pieces
    starts = np.ones(len(pieces), dtype=bool)
    starts[1:] = pieces[1:, 0] != pieces[:-1, 1]
    return np.cumsum(starts) - 1


def trace_chains(pareto_set, n_samples=2000):
    """Samples along a two-task set, split where one chain of neighbours ends.

    The continuous set of two tasks is made of chains: paths of neighbouring
    points joined by pieces. Where exploration started again (a new start, a
    re-solve over the end of a local branch), a new chain begins and there is
    no piece across the jump, so a line drawn through the samples of
    :meth:`ParetoSet.trace` must break there. Draw one line per chain.

    Parameters
    ----------
    pareto_set : ParetoSet
        A set with two tasks.
    n_samples : int, default=2000
        Samples over the whole set, as in :meth:`ParetoSet.trace`; a chain
        gets a share in proportion to its length in parameter space.

    Returns
    -------
    chains : list of (weights, pieces)
        One entry per chain that received samples, in set order:
        ``weights`` (k, 2) and ``pieces`` (k,), to pass to
        :meth:`ParetoSet.params_at` or :meth:`ParetoSet.front_at` as
        ``(weights, piece=pieces)``.

    Examples
    --------
    >>> from skpareto import explore
    >>> from skpareto.plotting import trace_chains
    >>> from skpareto.problems import ConvexQuadratic
    >>> problem = ConvexQuadratic(n=4, m=2, random_state=0)
    >>> pset = explore(problem.fun, problem.x0)
    >>> [len(w) for w, _ in trace_chains(pset, n_samples=50)]  # one chain
    [50]
    """
    _check_tasks(pareto_set, (2,))
    weights, pieces = pareto_set.trace(n_samples)
    chain = _chain_of_pieces(pareto_set)[pieces]
    cuts = np.flatnonzero(np.diff(chain)) + 1
    return list(zip(np.split(weights, cuts), np.split(pieces, cuts)))


def _chain_points(pareto_set):
    """Explored points of each chain of a two-task set, in order: a list of index arrays."""
    pieces = pareto_set.pieces
    chain = _chain_of_pieces(pareto_set)
    return [np.concatenate([pieces[chain == c][:1, 0], pieces[chain == c][:, 1]])
            for c in range(chain.max() + 1 if len(chain) else 0)]


def _point_chains(pareto_set):
    """Chain index of each explored point of a two-task set (the first chain holding it)."""
    chains = np.full(pareto_set.n_points, -1)
    for c, idx in reversed(list(enumerate(_chain_points(pareto_set)))):
        chains[idx] = c
    return chains


def _curves(pareto_set, n_samples, fun):
    """One (k, 2) array of losses per chain: ``fun`` along the continuous set.

    Without ``fun``, the explored front joined piece by piece.
    """
    if fun is None:
        return [pareto_set.front[idx] for idx in _chain_points(pareto_set)]
    return [np.stack([np.asarray(fun(x), dtype=float)
                      for x in pareto_set.params_at(w, piece=p)])
            for w, p in trace_chains(pareto_set, n_samples)]


def plot_front(pareto_set, ax=None, *, reference=None, test_front=None, test_fun=None,
               n_samples=2000, labels=None, color="C0"):
    """Front of a two-task set: the continuous curve and the explored points.

    The curve breaks between chains of neighbours (:func:`trace_chains`):
    no line is drawn across a jump of the set.

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
    test_fun : callable, default=None
        ``test_fun(x) -> (2,)``: the objectives on held-out data. The same
        models (the continuous set and the explored points) are drawn a
        second time, at their held-out losses, in orange ("C1").
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

    Raises
    ------
    ValueError
        If ``pareto_set`` has not two tasks or is empty, or ``reference`` or
        ``test_front`` has not two columns.
    """
    _check_tasks(pareto_set, (2,))
    if reference is not None:
        reference = _check_reference(reference, 2)
    if test_front is not None:
        test_front = _check_reference(test_front, 2, "test_front")
    ax = _axes(ax)
    series = [(pareto_set.fun, pareto_set.front, color, "")]
    if test_fun is not None:
        held_out = np.stack([np.asarray(test_fun(x), dtype=float) for x in pareto_set.params])
        series.append((test_fun, held_out, "C1", ", held-out data"))
    for fun, points, c, suffix in series:
        for k, chain in enumerate(_curves(pareto_set, n_samples, fun)):
            ax.plot(chain[:, 0], chain[:, 1], "-", color=c, lw=1.5,
                    label=f"continuous set{suffix}" if k == 0 else None)
        ax.plot(points[:, 0], points[:, 1], "o", color=c, ms=3,
                label=f"explored points ({pareto_set.n_points}){suffix}")
    if reference is not None:
        ax.plot(reference[:, 0], reference[:, 1], "k--", lw=1, label="reference")
    if test_front is not None:
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
    for piece in pieces:
        if pareto_set.fun is None:
            f = bary @ pareto_set.front[piece]
        else:  # the interpolated models of the piece (ParetoSet.params_at), evaluated
            f = np.stack([np.asarray(pareto_set.fun(x), dtype=float)
                          for x in bary @ pareto_set.params[piece]])
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

    Two tasks: each loss against the first task's weight, along every chain
    of pieces (where the weights fold the map is multivalued and shows as a
    loop; separate chains are separate lines).
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
    _check_tasks(pareto_set)
    if not 0 <= task < pareto_set.n_tasks:
        raise ValueError(f"task must be in [0, {pareto_set.n_tasks}), got {task!r}.")
    ax = _axes(ax)
    if pareto_set.n_tasks == 2:
        if pareto_set.fun is not None:
            chains = [(w[:, 0], pareto_set.front_at(w, piece=p))
                      for w, p in trace_chains(pareto_set, n_samples)]
        else:
            chains = [(pareto_set.weights[idx, 0], pareto_set.front[idx])
                      for idx in _chain_points(pareto_set)]
        for i in range(2):
            for k, (w0, front) in enumerate(chains):
                ax.plot(w0, front[:, i], "-", color=f"C{i}",
                        label=f"task {i} loss" if k == 0 else None)
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
        If ``pareto_set`` is empty, ``fun`` is not set or ``component`` is
        out of range.
    """
    _check_tasks(pareto_set)
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
        If ``pareto_set`` is empty, ``task`` is out of range or ``reference``
        has the wrong number of columns.

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
    _check_tasks(pareto_set)
    if isinstance(task, bool) or not isinstance(task, (int, np.integer)) or not 0 <= task < m:
        raise ValueError(f"task must be an integer in [0, {m}), got {task!r}.")
    front = pareto_set.front
    drawn = front
    if reference is not None:
        reference = _check_reference(reference, m)
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
