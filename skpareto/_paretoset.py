"""ParetoSet: explored points of a Pareto set and the continuous set they span."""

import hashlib
import itertools
import zipfile

import numpy as np

from ._validation import check_real
from ._weights import (check_weights, onto_simplex, scaled_weights, shown_weights,
                       simplex_lattice, zero_sum_basis)
from .metrics import non_dominated

__all__ = ["ParetoSet", "SetParameterization"]

_FORMAT = "skpareto.ParetoSet"
_FORMAT_VERSION = 5
# (name, dtype kind, ndim) of every array a saved file holds (version 1: all but "excluded",
# "task_scales", "objective_scales" and "held", version 2 also without "task_scales", version 3
# without "objective_scales", version 4 without "held"; an empty one holds None)
_ARRAYS = (("params", "f", 2), ("front", "f", 2), ("weights", "f", 2), ("parents", "i", 1),
           ("residuals", "f", 1), ("n_grad", "i", 1), ("n_hvp", "i", 1),
           ("expanded", "b", 1), ("links", "i", 2), ("excluded", "i", 2), ("totals", "i", 1),
           ("task_scales", "f", 1), ("objective_scales", "f", 1), ("held", "i", 1))
_SINCE_VERSION = {"excluded": 2, "task_scales": 3, "objective_scales": 4, "held": 5}
# barycentric coordinates down to -_BARY_TOL count as inside a piece
_BARY_TOL = 1e-9
# coverage() reports the covered share of a simplex lattice of at most this many weights
_COVERAGE_GRID = 231
# a Delaunay simplex is a piece only if its edges are at most this many times the
# explored steps at their ends in front coordinates (no bridges across unexplored gaps;
# between a lattice's last nodes and a face traced along it, edges reach 2.9 steps)
_EDGE_FACTOR = 3.0
# ... and in parameter space at most this many times the longest explored step at either
# end (a jump between branches of a network's set is many steps long)
_BRIDGE_FACTOR = 4.0
# ... unless its edges are at most this many times those steps in parameter space, however
# long in the front: there it interpolates as the explored steps do
_NEAR_FACTOR = 2.0
# points farther than this many median explored steps from the median point (in the
# front) are triangulated apart from the rest (see _near)
_FAR_STEPS = 1e6
# points in no piece are left out and the rest triangulated again, at most this many times
_RETRIANGULATE = 2
# |det| of a piece's vertex weights (with a row of ones) below this: no area to
# interpolate in ((m - 1)! times its volume in weight space)
_DEGENERATE = 1e-12
# vertex weights of a degenerate piece closer than this (relative singular value) are one
# vertex: a face triangle of a four-target net joined task 3's end to task 0's end and to a
# point 3e-9 from it, and at a finer cut-off the coordinates of task 3's end were rounding
# amplified by 1e9 (NaN or -7e-8: that end was not covered)
_SAME_WEIGHTS = 1e-6
# of three tasks and more, params_at ranks the pieces that hold a weight by their weighted loss
# plus this many times their bend (see _bend): a chord below a concave front by about its bend
# ranks as the front above it would (at 2, two components of a set over the same weights
# whose losses differ by 0.02 were ranked the other way)
_BENT = 1.0
# contains and params_at locate weights in chunks of this many rows
_CHUNK = 64
# params_at takes a piece that joins two points of an edge of the weight simplex past this
# many explored points of it only where no other piece holds the weights (_skips_edge_points)
_SKIPPED = 2
# add_point takes weights this far off the simplex as a solve's rounding (and puts them
# onto it); farther off they are an error
_WEIGHT_ROUNDING = 1e-6
# more points than this of fronts of more dimensions than this (seven tasks) are triangulated
# around each point, of this many times d + 1 nearest points (see _local_simplices)
_GLOBAL_POINTS = 200
_GLOBAL_DIMENSIONS = 6
_LOCAL_POINTS = 3
# the smallest second moment of the explored steps, relative to the largest, that
# _isotropic scales up to the largest
_ISOTROPIC_FLOOR = 1e-8
# ... for fronts of at most this many dimensions (five tasks): a Delaunay triangulation costs
# more with each dimension, and a second one made seven tasks' explorations 3.5 times slower
_ISOTROPIC_DIMENSIONS = 4


def _weight_text(value, digits=6):
    """A weight for a message, to ``digits`` significant digits, but never rounded onto 0 or
    1 unless it is one: a set that ends at 1 - 2e-9 does not contain weight 1, and
    "[1, 1]" said it did."""
    text = f"{value:.{digits}g}"
    if text == "1" and value < 1:
        return f"1 - {1 - value:.2g}"
    if text == "0" and value > 0:
        return f"{value:.2g}"
    return text

class ParetoSet:
    """Points of a Pareto set found by exploration, and the continuous set between them.

    Parameters
    ----------
    params : array-like of shape (p, n)
        Explored parameter vectors (finite).
    front : array-like of shape (p, m)
        Objectives at each point (finite).
    weights : array-like of shape (p, m)
        Weights on the simplex (non-negative, each row summing to one) for
        which each point is stationary.
    parents : array-like of int, shape (p,), default=None
        Index of the point each one was expanded from; -1 for a root.
    residuals : array-like of shape (p,), default=None
        Relative stationarity residual each point reached (at a minimum of
        every objective, where every gradient vanished, against the largest
        gradient at the start: see :func:`~skpareto.find_stationary`).
    n_grad, n_hvp : array-like of int, shape (p,), default=None
        Gradients and Hessian-vector products spent to find each point.
    expanded : array-like of bool, shape (p,), default=None
        Whether a point's neighbours have been explored already.
    fun : callable, default=None
        The objective, needed by :meth:`front_at`. It is not saved or pickled.
    links : array-like of int, shape (k, 2), default=None
        Extra edges of the set besides parent-child ones: pairs of neighbouring
        points joined by :meth:`merge` where two local sets meet.
    excluded : array-like of int, shape (k, m), default=None
        Simplices of the triangulation (m >= 3; vertex indices) that are not
        pieces of the set: exploration found that they interpolate it poorly
        (see :meth:`exclude`).
    task_scales : array-like of shape (m,), default=None
        Each task's own gradient scale that the residuals measure it against
        as well (see :func:`skpareto.explore`, ``tol``; a set explored now
        has them where it has ``objective_scales``, and the same); an
        expansion measures them the same way. None: the relative residual
        alone.
    objective_scales : array-like of shape (m,), default=None
        Where exploration divided each objective by a scale of its own (tasks
        whose gradients lie orders of magnitude apart, see
        :func:`skpareto.explore`), those scales: the set was explored, and its
        pieces are triangulated and weights located in them, in the weights
        of the scaled objectives, ``w * objective_scales`` normalized (the
        weights themselves stay those of the objectives as given). None: in
        the weights as given.

    Attributes
    ----------
    n_points : int
    n_params : int
    n_tasks : int
    total_grad, total_hvp : int
        Work spent by exploration, including rejected steps.
    pieces : ndarray of int, shape (s, m)
        The continuous pieces of the set, as indices of explored points: the
        segments of the chains of neighbours for m = 2, for m >= 3 simplices
        of a triangulation of the explored points' front coordinates (see
        Notes); the weights are interpolated over each.

    Notes
    -----
    **Pieces for two tasks.** The explored points form a graph whose edges are
    the parent-child steps of exploration and the ``links`` added by
    :meth:`merge`; consecutive points along a path of this graph are
    neighbours along the set. Each edge is a piece: the segment between two
    points, interpolated linearly in the first weight. Weights need not be
    monotone along the set: on Fonseca-Fleming they fold twice (where the
    front changes from convex to concave), so one weight can lie in several
    pieces. :meth:`params_at` then takes the piece with the lowest weighted
    loss ``w . f``, with ``f`` interpolated from the explored front (the one a
    weighted-sum training at ``w`` would prefer), and the first in ``pieces``
    order on ties. A concave part of a front is a maximum of the weighted loss
    along the set, so it is never chosen this way: reach it with the
    ``piece`` argument, or walk the whole set with :meth:`trace`.

    **Pieces for three tasks or more.** A Delaunay triangulation of the front
    coordinates of the explored points (they do not fold where the weights
    do), without the simplices whose edges are longer than three times the
    longest explored step at their ends in the front, or four times in the
    parameters (they would bridge unexplored gaps, or two branches of the
    set), unless no edge is longer than twice that step in the parameters
    (where the front stretches near a face, such simplices interpolate as
    well as the explored steps); a point in no simplex is left out and the
    rest triangulated again.
    Branches explored from different roots and not joined are triangulated
    on their own too (their fronts may lie over each other). Up to five
    tasks, the simplices of a second triangulation, in front coordinates
    scaled so that the explored steps favour no direction, are pieces too
    where they are small in the weights (stretched fronts); beyond seven
    tasks and 200 points each point's star comes from a triangulation of its
    nearest points. Weights are interpolated linearly in each simplex, so a
    simplex whose weights fold over another's is represented only by the one
    :meth:`params_at` chooses: the lowest weighted loss plus the piece's
    bend, how far its interpolated front lies off the tangent planes of its
    vertices (``max_k |w_k . (f - f_k)|``; on a concave front a chord lies
    below the front by about that, and the loss alone preferred it). A piece that
    joins two points of an edge of the weight simplex past explored steps
    along that edge (a chord across a curve of two tasks) is chosen only at
    weights no other piece holds. The
    simplices in ``excluded`` are not pieces:
    exploration solved the set at their centroid and found their model poor
    (see :func:`skpareto.explore`).
    """

    def __init__(self, params, front, weights, parents=None, residuals=None,
                 n_grad=None, n_hvp=None, expanded=None, fun=None, links=None, excluded=None,
                 task_scales=None, objective_scales=None):
        self.params = np.asarray(params, dtype=np.float64)
        self.front = np.asarray(front, dtype=np.float64)
        if self.params.ndim != 2 or self.front.ndim != 2 or len(self.front) != len(self.params):
            raise ValueError(f"params and front must be 2-D with one row per point, got "
                             f"shapes {self.params.shape} and {self.front.shape}.")
        for name in ("params", "front"):
            if not np.all(np.isfinite(getattr(self, name))):
                raise ValueError(f"{name} contains NaN or infinite values.")
        weights = np.asarray(weights, dtype=np.float64)
        if weights.ndim == 1 and weights.size == self.front.size:  # a flat stack of rows
            weights = weights.reshape(self.front.shape)
        # checked on the simplex (to a solve's rounding), kept as given (a file's checksum)
        check_weights(weights, self.front.shape[1], allow_2d=True, rounding=_WEIGHT_ROUNDING)
        if weights.shape != self.front.shape:
            raise ValueError(f"weights must have shape {self.front.shape}, one row per point "
                             f"and one column per task; got shape {weights.shape}.")
        self.weights = weights
        p = len(self.params)
        self.parents = (np.full(p, -1) if parents is None else np.asarray(parents)).astype(np.int64)
        self.residuals = (np.zeros(p) if residuals is None
                          else np.asarray(residuals, dtype=np.float64))
        self.n_grad = (np.zeros(p) if n_grad is None else np.asarray(n_grad)).astype(np.int64)
        self.n_hvp = (np.zeros(p) if n_hvp is None else np.asarray(n_hvp)).astype(np.int64)
        self.expanded = (np.zeros(p, bool) if expanded is None
                         else np.asarray(expanded, dtype=bool))
        self.links = (np.zeros((0, 2), np.int64) if links is None
                      else np.asarray(links, dtype=np.int64).reshape(-1, 2))
        m = self.front.shape[1]
        self.excluded = (np.zeros((0, m), np.int64) if excluded is None
                         else np.sort(np.asarray(excluded, dtype=np.int64).reshape(-1, m), axis=1))
        self.task_scales = (None if task_scales is None
                            else np.asarray(task_scales, dtype=np.float64))
        self.objective_scales = (None if objective_scales is None
                                 else np.asarray(objective_scales, dtype=np.float64))
        self.total_grad = int(self.n_grad.sum())
        self.total_hvp = int(self.n_hvp.sum())
        self.fun = fun
        # the engine's lattices that a budget stopped, by root, to go on as one call would
        # (see skpareto._cover._grow_lattice); not saved: a set loaded goes on from its points
        self._lattices = {}
        # the coordinates held at a bound where the set lies on a face of the box (see
        # skpareto.explore's bounds; expand_set does not go on from such a set)
        self._held = np.zeros(0, np.int64)
        self._check_consistent()

    @classmethod
    def empty(cls, n_params, n_tasks, fun=None, task_scales=None, objective_scales=None):
        """A set with no points, for ``n_params`` parameters and ``n_tasks`` tasks.

        Parameters
        ----------
        n_params, n_tasks : int
            Number of parameters and of tasks.
        fun : callable, default=None
            The objectives ``x -> (n_tasks,)``, kept as :attr:`fun`.
        task_scales, objective_scales : array-like of shape (n_tasks,), default=None
            See :class:`ParetoSet`.

        Returns
        -------
        pset : ParetoSet
        """
        return cls(np.zeros((0, n_params)), np.zeros((0, n_tasks)), np.zeros((0, n_tasks)),
                   fun=fun, task_scales=task_scales, objective_scales=objective_scales)

    def _check_consistent(self):
        p = len(self.params)
        for name in ("parents", "residuals", "n_grad", "n_hvp", "expanded"):
            if getattr(self, name).shape != (p,):
                raise ValueError(f"{name} must have shape ({p},), "
                                 f"got {getattr(self, name).shape}.")
        if np.any((self.parents < -1) | (self.parents >= p)):
            raise ValueError(f"parents must be -1 or indices of points (< {p}).")
        for name in ("task_scales", "objective_scales"):
            scales = getattr(self, name)
            if scales is not None and (scales.shape != (self.front.shape[1],)
                                       or not np.all(np.isfinite(scales) & (scales > 0))):
                raise ValueError(f"{name} must hold {self.front.shape[1]} positive finite "
                                 f"numbers, one per task, got {scales!r}.")
        if self.links.size and (self.links.min() < 0 or self.links.max() >= p):
            raise ValueError(f"links must hold indices of points (< {p}).")
        if self.excluded.size and (self.excluded.min() < 0 or self.excluded.max() >= p):
            raise ValueError(f"excluded must hold indices of points (< {p}).")

    @property
    def n_points(self):
        return self.params.shape[0]

    @property
    def n_params(self):
        return self.params.shape[1]

    @property
    def n_tasks(self):
        return self.front.shape[1]

    def __len__(self):
        return self.n_points

    def __repr__(self):
        return (f"ParetoSet(n_points={self.n_points}, n_tasks={self.n_tasks}, "
                f"n_params={self.n_params})")

    def __getstate__(self):
        state = self.__dict__.copy()
        state["fun"] = None  # objectives often close over data; never pickle them
        state.pop("_cache", None)
        state.pop("_lattices", None)
        return state

    def __setstate__(self, state):
        # sets pickled before pieces could be excluded
        state.setdefault("excluded", np.zeros((0, state["front"].shape[1]), np.int64))
        state.setdefault("task_scales", None)  # and before their residuals had scales
        state.setdefault("objective_scales", None)  # or their objectives
        state.setdefault("_held", np.zeros(0, np.int64))  # or their faces of a box
        self.__dict__.update(state)
        self._lattices = {}

    def _chart(self, weights):
        """``weights`` (rows) in the weights the set is triangulated in: those of the
        objectives divided by :attr:`objective_scales` (normalized ``w * scales``)."""
        if self.objective_scales is None:
            return weights
        return scaled_weights(weights, self.objective_scales)

    def _chart_front(self):
        """The front of the objectives divided by :attr:`objective_scales`."""
        if self.objective_scales is None:
            return self.front
        return self.front / self.objective_scales

    def _chart_weights(self):
        """The explored points' weights in :meth:`_chart` (as cheap to form as a cache key)."""
        return self._chart(self.weights)

    def add_point(self, x, objectives, weights, *, parent=-1, residual=0.0, n_grad=0,
                  n_hvp=0):
        """Add one explored point and the work spent to find it.

        Parameters
        ----------
        x : ndarray of shape (n,)
        objectives : ndarray of shape (m,)
        weights : ndarray of shape (m,)
            Weights on the simplex for which ``x`` is stationary (off it by
            rounding, up to 1e-6, they are put onto it).
        parent : int, default=-1
            The neighbour it was continued from (-1: a root, e.g. a stage-1
            point); the two become a piece of the continuous set.
        residual : float, default=0.0
            Relative stationarity residual reached.
        n_grad, n_hvp : int, default=0
            Gradients and Hessian-vector products it cost; added to the totals.

        Returns
        -------
        index : int
            Index of the new point.

        Notes
        -----
        The set is replaced in one assignment, so an interruption (such as
        KeyboardInterrupt) leaves it either with or without the point, valid
        either way.
        """
        p = self.n_points
        x = np.asarray(x, dtype=np.float64).reshape(-1)
        objectives = np.asarray(objectives, dtype=np.float64).reshape(-1)
        weights = np.asarray(weights, dtype=np.float64).reshape(-1)
        if p and (x.size != self.n_params or objectives.size != self.n_tasks
                  or weights.size != self.n_tasks):
            raise ValueError(f"a point of this set has {self.n_params} parameters and "
                             f"{self.n_tasks} objectives and weights.")
        if not -1 <= int(parent) < p:
            raise ValueError(f"parent must be -1 or the index of a point (< {p}), "
                             f"got {parent}.")
        # a solve's rounding: exactly onto the simplex, as contains needs
        weights = onto_simplex(check_weights(weights, self.n_tasks, rounding=_WEIGHT_ROUNDING))
        new = dict(params=np.vstack([self.params, x[None, :]]),
                   front=np.vstack([self.front, objectives[None, :]]),
                   weights=np.vstack([self.weights, weights[None, :]]),
                   parents=np.append(self.parents, int(parent)),
                   residuals=np.append(self.residuals, float(residual)),
                   n_grad=np.append(self.n_grad, int(n_grad)),
                   n_hvp=np.append(self.n_hvp, int(n_hvp)),
                   expanded=np.append(self.expanded, False),
                   total_grad=self.total_grad + int(n_grad),
                   total_hvp=self.total_hvp + int(n_hvp))
        # one C-level update: a KeyboardInterrupt arrives before or after it, never inside
        self.__dict__.update(new)
        return p

    def _subset(self, indices):
        """The set of the points ``indices`` alone (their steps and links among them; the
        pieces excluded among them stay excluded), without costs beyond the points' own."""
        indices = np.asarray(indices, dtype=np.int64)
        index = np.full(self.n_points, -1, np.int64)
        index[indices] = np.arange(len(indices))
        parents = self.parents[indices]
        parents = np.where(parents >= 0, index[np.maximum(parents, 0)], -1)
        return ParetoSet(self.params[indices], self.front[indices], self.weights[indices],
                         parents=parents, residuals=self.residuals[indices],
                         n_grad=self.n_grad[indices], n_hvp=self.n_hvp[indices],
                         expanded=self.expanded[indices], fun=self.fun,
                         links=_reindexed(self.links, index),
                         excluded=_reindexed(self.excluded, index), task_scales=self.task_scales,
                         objective_scales=self.objective_scales)

    def _drop_last(self, count):
        """Remove the last ``count`` points, which must have no children among the points
        kept, with their links, and their work from the totals (a caller that gives them
        up charges it with :meth:`add_cost`)."""
        keep = self.n_points - int(count)
        if count < 0 or keep < 0:
            raise ValueError(f"count must lie in [0, {self.n_points}], got {count}.")
        if np.any(self.parents[:keep] >= keep):
            raise ValueError("the points to drop have children among those kept.")
        self.__dict__.update(links=self.links[np.all(self.links < keep, axis=1)],
                             excluded=self.excluded[np.all(self.excluded < keep, axis=1)])
        self.__dict__.update(params=self.params[:keep], front=self.front[:keep],
                             weights=self.weights[:keep], parents=self.parents[:keep],
                             residuals=self.residuals[:keep], n_grad=self.n_grad[:keep],
                             n_hvp=self.n_hvp[:keep], expanded=self.expanded[:keep],
                             total_grad=self.total_grad - int(self.n_grad[keep:].sum()),
                             total_hvp=self.total_hvp - int(self.n_hvp[keep:].sum()))

    def add_cost(self, n_grad=0, n_hvp=0, point=None):
        """Count work that produced no point (rejected steps) or more work on a point.

        Parameters
        ----------
        n_grad, n_hvp : int, default=0
            Gradients and Hessian-vector products.
        point : int, default=None
            Charge them to this point's own counters as well.
        """
        if point is not None:
            self.n_grad[point] += int(n_grad)
            self.n_hvp[point] += int(n_hvp)
        self.total_grad += int(n_grad)
        self.total_hvp += int(n_hvp)

    def add_link(self, i, j):
        """Join points ``i`` and ``j`` as neighbours (a piece), besides parent-child steps.

        A pair joined by a link already is left as it is: a face's curve is
        copied out of the set with its links and merged back each time a
        lattice reaches it, and each merge added the copied links again (a
        three-task quadratic on scales 1e4, 1, 1e-4 ended with 524,327 links,
        37 of them distinct, and spent 93 % of its time on them).

        Parameters
        ----------
        i, j : int
            Indices of points of the set.
        """
        p, i, j = self.n_points, int(i), int(j)
        if not (0 <= i < p and 0 <= j < p):
            raise ValueError(f"links must join indices of points (< {p}), got ({i}, {j}).")
        if not np.any(np.all(np.sort(self.links, axis=1) == sorted((i, j)), axis=1)):
            self.links = np.vstack([self.links, [[i, j]]])

    def exclude(self, pieces):
        """Leave simplices out of the continuous set (three tasks or more).

        Parameters
        ----------
        pieces : array-like of int, shape (k, m)
            Vertex indices of pieces (in any order) found to interpolate the
            set poorly: the weights they alone covered are no longer covered.
        """
        if self.n_tasks < 3:
            raise ValueError("only the pieces of three tasks or more can be excluded: those of "
                             "two are the explored steps.")
        pieces = np.sort(np.asarray(pieces, dtype=np.int64).reshape(-1, self.n_tasks), axis=1)
        if pieces.size and (pieces.min() < 0 or pieces.max() >= self.n_points):
            raise ValueError(f"pieces must hold indices of points (< {self.n_points}).")
        self.excluded = np.unique(np.vstack([self.excluded, pieces]), axis=0)

    def mark_expanded(self, indices, expanded=True):
        """Record whether exploration from these points is finished.

        Parameters
        ----------
        indices : array-like of int
            Indices of points of the set.
        expanded : bool, default=True
            Finished (:func:`~skpareto.expand_set` does not go on from them) or
            not.
        """
        self.expanded[np.asarray(indices, dtype=np.int64)] = bool(expanded)

    # -- the continuous set -------------------------------------------------

    def _edges(self):
        """Undirected neighbour pairs (parent-child steps and links), (e, 2)."""
        child = np.flatnonzero(self.parents >= 0)
        edges = np.vstack([np.stack([self.parents[child], child], axis=1), self.links])
        edges = np.sort(edges.astype(np.int64), axis=1)
        edges = edges[edges[:, 0] != edges[:, 1]]
        return np.unique(edges, axis=0) if len(edges) else edges.reshape(0, 2)

    def _nearest_in_weights(self, weights):
        """Index of the point whose weights are nearest ``weights`` (largest difference of a
        task's weight): where a solve at ``weights`` is warm started."""
        return int(np.argmin(np.abs(self.weights - weights).max(axis=1)))

    def neighbours(self, index):
        """Indices of the points joined to point ``index`` by a piece edge.

        Parameters
        ----------
        index : int
            Index of a point of the set.

        Returns
        -------
        neighbours : ndarray of int
        """
        edges = self._edges()
        return np.concatenate([edges[edges[:, 0] == index, 1], edges[edges[:, 1] == index, 0]])

    def _chains(self):
        """The m = 2 set as paths of neighbours: a list of index arrays."""
        p = self.n_points
        adjacency = [[] for _ in range(p)]
        for i, j in self._edges():
            adjacency[i].append(int(j))
            adjacency[j].append(int(i))
        degree = np.array([len(a) for a in adjacency])
        used = set()
        chains = []

        def walk(start, nxt):
            path = [start, nxt]
            used.add(frozenset((start, nxt)))
            while degree[path[-1]] == 2:
                a, b = adjacency[path[-1]]
                step = b if a == path[-2] else a
                edge = frozenset((path[-1], step))
                if edge in used:
                    break
                used.add(edge)
                path.append(step)
            return path

        for start in [i for i in range(p) if degree[i] != 2] + list(range(p)):
            if degree[start] == 0:
                if not any(start in c for c in chains):
                    chains.append([start])
                continue
            for nxt in adjacency[start]:
                if frozenset((start, nxt)) not in used:
                    chains.append(walk(start, nxt))
        # orient and order chains by the first objective, for a stable layout
        chains = [c[::-1] if self.front[c[-1], 0] < self.front[c[0], 0] else c
                  for c in chains]
        chains.sort(key=lambda c: self.front[c[0], 0])
        return [np.asarray(c, dtype=np.int64) for c in chains]

    def _delaunay_pieces(self):
        m = self.n_tasks
        # the front coordinates never fold on a Pareto front (the weights may): triangulate
        # there, where the exploration's lattice lives
        coords = self._chart_front() @ zero_sum_basis(m).T
        edges = self._edges()
        steps = (_longest_step(edges, coords, self.n_points),
                 _longest_step(edges, self.params, self.n_points))
        # the points far out in the front (see _near) are triangulated on their own
        near = _near(coords, steps[0])
        # points at the same parameters with other weights (stationary for a segment of
        # weights: a front of fewer dimensions, see skpareto._cover._add_fiber) are one
        # point of the front: they are joined by _segment_pieces instead
        group = np.unique(self.params, axis=0, return_inverse=True)[1].ravel()
        weights = self._chart_weights()
        spread = np.zeros((group.max() + 1, m))
        np.maximum.at(spread, group, weights)
        low = np.ones_like(spread)
        np.minimum.at(low, group, weights)
        fibered = (spread - low).max(axis=1)[group] > _WEIGHT_ROUNDING
        simplices = [self._triangulate(np.flatnonzero(near & ~fibered), coords, steps, edges)]
        if np.sum(~near & ~fibered) > m:
            simplices.append(self._triangulate(np.flatnonzero(~near & ~fibered), coords, steps,
                                               edges))
        if fibered.any():
            simplices.append(self._segment_pieces(edges, group, fibered))
        # branches of the set explored from different roots and not joined may lie over
        # each other in the front, apart in the parameters: together they give triangles
        # that bridge the branches (dropped); each alone gives its own
        components = _components(edges, self.n_points)
        if len(components) > 1:
            simplices += [self._triangulate(c[side[c]], coords, steps, edges)
                          for c in components for side in (near & ~fibered, ~near & ~fibered)
                          if side[c].sum() > m]
        simplices.append(self._face_pieces(coords, steps, fibered, edges))
        simplices = np.unique(np.sort(np.vstack(simplices), axis=1), axis=0)
        # the explored steps along a face of the simplex (a zero weight) are pieces too:
        # the triangles around them need not follow the face
        w = self.weights
        on_face = np.any((w[edges[:, 0]] == 0) & (w[edges[:, 1]] == 0), axis=1)
        segments = np.column_stack([edges[on_face]] + [edges[on_face, 1]] * (m - 2))
        # every point covers its own weights, also where its pieces are too thin to give it
        # coordinates to rounding (a four-target net's face triangle joined task 3's end to
        # two points 3e-9 apart in the weights: that end was not covered) or it is in none
        single = np.repeat(np.arange(self.n_points)[:, None], m, axis=1)
        return np.vstack([simplices, segments.reshape(-1, m), single]).astype(np.int64)

    def _face_pieces(self, coords, steps, fibered, edges):
        """Four tasks or more: each face of three tasks or more, triangulated on its own.

        The points of a face (the weights of the other tasks zero) lie on a set
        of lower dimension, which the whole set's triangulation gives no volume:
        a network's lattice stays off the faces (its weights approach them
        slowly) and its faces were covered only where the lattice's simplices
        touched them (a four-target net: none of the 220 weights of a grid on the
        faces). Each face's points are triangulated in the face's own front
        coordinates (and in them made isotropic, see :meth:`_triangulate`), with
        the same tests as the whole set's (see :meth:`_spans_no_gap`); a piece
        repeats its last vertex up to ``m``.
        """
        from scipy.spatial import QhullError

        m = self.n_tasks
        out = [np.zeros((0, m), np.int64)]
        if m < 4:
            return out[0]  # the faces of three tasks are curves: their explored steps
        support = self.weights > 0
        for face in {tuple(np.flatnonzero(row)) for row in support if 3 <= row.sum() < m}:
            k = len(face)
            others = np.setdiff1d(np.arange(m), face)
            points = np.flatnonzero(~support[:, others].any(axis=1) & ~fibered)
            if len(points) <= k:
                continue
            local = self._chart_front()[:, face] @ zero_sum_basis(k).T
            for layout, reach in self._layouts(local, points, edges, face):
                try:
                    simplices = points[_delaunay(layout[points])]  # (t, k)
                except (QhullError, ValueError):  # too few points, or of lower dimension
                    continue
                keep = (self._regular_in_weights(simplices, face)
                        & self._spans_no_gap(simplices, coords, *steps)
                        & self._within_reach(simplices, reach))
                simplices = simplices[keep]
                out.append(np.column_stack([simplices] + [simplices[:, -1]] * (m - k)))
        return np.vstack(out)

    def _segment_pieces(self, edges, group, fibered):
        """Simplices between the segments of weights of neighbouring points.

        ``group``: an id per point, the same for points at the same parameters;
        ``fibered``: the points whose group spans weights. The points of a group
        and of each explored neighbour's group (for three tasks: the pair; for more,
        the group's whole neighbourhood) are triangulated in the weights. Not all
        of them at once: the weights may fold along the set, and segments of
        points far apart would then be joined (a set on a line through three
        concave tasks' minima: a model of residual 0.49 for the weights it was given).
        """
        from scipy.spatial import QhullError

        m = self.n_tasks
        members, near = {}, {}
        for i in np.flatnonzero(fibered):
            members.setdefault(group[i], []).append(i)
        for a, b in edges:
            if fibered[a] and fibered[b] and group[a] != group[b]:
                near.setdefault(group[a], set()).add(group[b])
                near.setdefault(group[b], set()).add(group[a])
        if m == 3:
            sets = {tuple(sorted((g, h))) for g in near for h in near[g]}
        else:
            sets = {(g, *sorted(near[g])) for g in near}
        # a group with no fibered neighbour (a critical point of every objective, see
        # skpareto._cover.add_root) spans its weights alone
        sets |= {(g,) for g in members if g not in near}
        out = [np.zeros((0, m), np.int64)]
        for gs in sets:
            points = np.array([i for g in gs for i in members[g]])
            try:
                simplices = points[_delaunay(self._chart_weights()[points, : m - 1])]
            except (QhullError, ValueError):  # too few points, or on a lower-dimensional set
                continue
            out.append(simplices[self._regular_in_weights(simplices)])
        return np.vstack(out)

    def _triangulate(self, points, coords, steps, edges):
        """The Delaunay simplices of ``points`` (indices) that are pieces.

        ``coords``: the front coordinates of all points; ``steps``: the longest
        explored step at each point, in the front and in the parameters;
        ``edges``: the explored steps. The points are triangulated in ``coords``,
        and (fronts of up to ``_ISOTROPIC_DIMENSIONS``) again in them made
        isotropic by the explored steps between them (:func:`_isotropic`); those
        simplices are pieces too where no two vertices are farther apart in the
        weights than :func:`_reach` of these steps: where a lattice's steps
        changed the weights by far more than its step (one task scaled by 1e4:
        steps of 0.5), the isotropic triangles over them interpolated with
        relative residuals to 0.15 (0.018 without).
        """
        out = []
        tasks = range(self.n_tasks) if self.n_tasks == 3 else ()
        for layout, reach in self._layouts(coords, points, edges, tasks):
            simplices = self._triangulate_in(points, layout, coords, steps)
            out.append(simplices[self._within_reach(simplices, reach)])
        return np.vstack(out)

    def _layouts(self, coords, points, edges, tasks=()):
        """``(layout, reach)`` pairs to triangulate ``points`` in: ``coords`` (any reach), and
        for up to ``_ISOTROPIC_DIMENSIONS`` also ``coords`` made isotropic by the explored steps
        between the points (:func:`_isotropic`), for pieces within :func:`_reach` of them;
        with three ``tasks`` (the set's or a face's), also their weights, for pieces within
        :func:`_reach` of the explored steps there.

        Where one of three tasks has a small weight, a network's front runs far out in
        that task (its head is let go) while the other two stay near their best: the
        front is nearly a curve there, and its triangles joined points far apart along
        the face (a three-target regression: a piece from weights (0.03, 0.97, 0.01) to
        (0.88, 0.10, 0.01), its model 57 % of the weighted loss off). In the weights the
        same points give the triangles of their neighbours; the tests of a piece still
        hold them to the explored steps in the front and the parameters, and where
        pieces overlap the weights choose the one of lower loss (:meth:`_locate`).
        """
        layouts = [(coords, np.inf)]
        isotropic = coords.shape[1] <= _ISOTROPIC_DIMENSIONS
        if not isotropic and len(tasks) != 3:
            return layouts
        within = edges[np.isin(edges, points).all(axis=1)]
        weights = self._chart_weights()
        # (the points of a face weigh the tasks off it zero: the reach over all weights is
        # the reach over the face's)
        reach = _reach(within, weights)
        if isotropic:
            layouts.append((_isotropic(coords, within), reach))
        if len(tasks) == 3:
            layouts.append((weights[:, list(tasks)[:2]], reach))
        return layouts

    def _within_reach(self, simplices, reach):
        """Simplices whose vertices are at most ``reach`` apart in the weights."""
        if np.isinf(reach):
            return np.ones(len(simplices), bool)
        w = self._chart_weights()[simplices]  # (s, k, m)
        return np.all(np.linalg.norm(w[:, :, None] - w[:, None, :], axis=3) <= reach,
                      axis=(1, 2))

    def _triangulate_in(self, points, layout, coords, steps):
        """The Delaunay simplices of ``points`` in ``layout`` that pass the tests of a piece.

        A point in no kept simplex is left out and the rest triangulated again.
        More than ``_GLOBAL_POINTS`` points of a front of more than
        ``_GLOBAL_DIMENSIONS`` are triangulated around each point instead
        (:func:`_local_simplices`).
        """
        from scipy.spatial import QhullError

        m = self.n_tasks
        if layout.shape[1] > _GLOBAL_DIMENSIONS and len(points) > _GLOBAL_POINTS:
            simplices = _local_simplices(points, layout)
            return simplices[self._spans_no_gap(simplices, coords, *steps)
                             & self._regular_in_weights(simplices)]
        for _ in range(_RETRIANGULATE + 1):
            try:
                simplices = points[_delaunay(layout[points])]
            except (QhullError, ValueError):  # too few points, or on a lower-dimensional set
                return np.zeros((0, m), np.int64)
            kept = (self._spans_no_gap(simplices, coords, *steps)
                    & self._regular_in_weights(simplices))
            # a point in no kept simplex (a lone root on another branch whose front lies
            # among the lattice's, say) only breaks the triangles of its neighbours
            stray = np.setdiff1d(points, simplices[kept].ravel())
            simplices = simplices[kept]
            if not len(stray):
                break
            points = np.setdiff1d(points, stray)
        return simplices

    def _spans_no_gap(self, simplices, coords, local_front, local_params):
        """Simplices whose edges are short next to the explored steps at their vertices.

        An edge may be ``_EDGE_FACTOR`` times the longest explored step at
        either end in front coordinates (a lattice's axes may have steps of
        different lengths), and ``_BRIDGE_FACTOR`` times in the parameters (no
        bridge to another branch of the set, where the front is continuous but
        the parameters jump; the steps themselves are long where the
        parameterization of the set is stretched, as near the vertices of
        DTLZ2's sphere). A simplex whose edges are at most ``_NEAR_FACTOR`` times
        the longest explored steps at both of their ends in the parameters is kept
        however long in the front: where the front stretches near a face, its
        triangles interpolate as well as the explored steps. Both ends, since a
        step along which the front does not move (a set flat along some
        parameters, as unboxed DTLZ5's along x1) can be long: one of 18 made its
        end's edges to another branch, 36 long and far in the front, look near.
        ``local_front`` and ``local_params``: the longest explored step at each
        point (:func:`_longest_step`; the median one where none).
        """
        m = simplices.shape[1]
        short = np.ones(len(simplices), bool)  # in the front and in the parameters
        near = np.ones(len(simplices), bool)  # in the parameters, as explored steps
        for a in range(m):
            for b in range(a + 1, m):
                i, j = simplices[:, a], simplices[:, b]
                edge = np.linalg.norm(self.params[i] - self.params[j], axis=1)
                short &= (np.linalg.norm(coords[i] - coords[j], axis=1)
                          <= _EDGE_FACTOR * np.maximum(local_front[i], local_front[j]))
                short &= edge <= _BRIDGE_FACTOR * np.maximum(local_params[i], local_params[j])
                near &= edge <= _NEAR_FACTOR * np.minimum(local_params[i], local_params[j])
        return short | near

    def _regular_in_weights(self, simplices, tasks=None):
        """Simplices whose vertex weights span a piece of the simplex (interpolation needs it);
        with ``tasks``, of the face of those tasks (one vertex per task)."""
        tasks = list(range(self.n_tasks)) if tasks is None else list(tasks)
        weights = self._chart_weights()[simplices][:, :, tasks]
        return np.abs(np.linalg.det(_affine(weights))) > _DEGENERATE

    def _pieces(self):
        key = (self.n_points, self.links.tobytes(), self.parents.tobytes(),
               self.weights.tobytes(), self.excluded.tobytes(),
               None if self.objective_scales is None else self.objective_scales.tobytes())
        cache = getattr(self, "_cache", None)
        if cache is not None and cache[0] == key:
            return cache[1]
        if self.n_tasks == 2:
            pieces = []
            for chain in self._chains():
                if len(chain) == 1:
                    pieces.append([chain[0], chain[0]])
                pieces.extend(zip(chain[:-1], chain[1:]))
            pieces = np.asarray(pieces, dtype=np.int64).reshape(-1, 2)
        elif self.n_tasks == 1:
            pieces = np.arange(self.n_points)[:, None]
        else:
            # a front run off toward an unattained minimum (1e160) overflows the squares of
            # its distances: infinitely far, which is what the tests of a piece need to know
            with np.errstate(over="ignore"):
                pieces = self._delaunay_pieces()
            if len(self.excluded):
                pieces = pieces[~_rows_in(np.sort(pieces, axis=1), self.excluded)]
        self._cache = (key, pieces, {})
        return pieces

    def _derived(self, name, make):
        """``make(pieces)``, formed once per set of pieces (cached with them)."""
        pieces = self._pieces()
        store = self._cache[2]
        if name not in store:
            store[name] = make(pieces)
        return store[name]

    def _boxes(self):
        """The pieces' :class:`_Coordinates` and boxes of vertex weights, formed once per set.

        Returns ``(coordinates, lo, hi, by_lo)``: the boxes are widened by more than the
        coordinates' tolerance allows, so weights outside a piece's box are outside it;
        ``by_lo`` orders the pieces by the lower end of their box in task 0's weight.
        """
        def make(pieces):
            vertices = self._chart_weights()[pieces]
            margin = self.n_tasks * _BARY_TOL + 1e-9
            lo = vertices.min(axis=1) - margin
            return (_Coordinates(vertices), lo, vertices.max(axis=1) + margin,
                    np.argsort(lo[:, 0], kind="stable"))
        return self._derived("boxes", make)

    def _chords(self):
        """Which pieces join two points of an edge of the weight simplex past explored steps
        along it (see :func:`_skips_edge_points`); only :meth:`params_at` asks."""
        return self._derived("chords", lambda pieces: _skips_edge_points(
            pieces, self._chart_weights(), self._edges()))

    @property
    def pieces(self):
        return self._pieces().copy()

    def coverage(self):
        """Describe the region of weights the continuous set covers.

        Returns
        -------
        description : str
            For two tasks, the union of the first task's weight intervals of
            all pieces; otherwise the range of each weight over the explored
            points, the number of simplices and the share of a simplex lattice
            of at most 231 weights (:func:`skpareto._weights.simplex_lattice`;
            231 is the grid of step 0.05 for three tasks) that they cover: each
            weight's range alone does not show the holes between them.
        """
        if self.n_tasks == 1:
            return "one task: its weight is 1"
        if self.n_points == 0:
            return "no weights: the set holds no points"
        pieces = self._pieces()
        if self.n_tasks == 2:
            lo = self.weights[pieces, 0].min(axis=1)
            hi = self.weights[pieces, 0].max(axis=1)
            order = np.argsort(lo)
            intervals = []
            for a, b in zip(lo[order], hi[order]):
                if intervals and a <= intervals[-1][1] + 1e-12:
                    intervals[-1][1] = max(intervals[-1][1], b)
                else:
                    intervals.append([a, b])
            text = " U ".join(f"[{_weight_text(a)}, {_weight_text(b)}]" for a, b in intervals)
            return f"the first task's weight must lie in {text}"
        ranges = ", ".join(f"w{i} in [{_weight_text(a, 4)}, {_weight_text(b, 4)}]" for i, (a, b) in
                           enumerate(zip(self.weights.min(0), self.weights.max(0))))
        share, size = self._grid_share()
        return (f"weights must lie in one of the {len(pieces)} simplices of the explored "
                f"weights ({ranges}; {share:.1%} of a grid of {size} weights covered); see "
                "ParetoSet.contains")

    def _grid_share(self, scales=None):
        """``(share, size)``: the share of a simplex lattice of ``size`` weights (at most
        ``_COVERAGE_GRID``) the continuous set covers; with ``scales``, a lattice of the
        weights of the objectives times them (the set is in those divided by them)."""
        grid = simplex_lattice(self.n_tasks, _COVERAGE_GRID)
        inside = self.contains(grid if scales is None else scaled_weights(grid, scales))
        return float(np.mean(inside)), len(grid)

    def _locate(self, w, piece=None):
        """Piece index and vertex coordinates for each weight row of ``w``."""
        pieces = self._pieces()
        if piece is not None:
            piece = np.asarray(piece)
            if piece.dtype.kind not in "iu" or np.any((piece < 0) | (piece >= len(pieces))):
                raise ValueError(f"piece must hold indices of pieces in [0, {len(pieces)}), "
                                 f"got {piece!r}.")
            if piece.ndim > 1 or (piece.ndim == 1 and piece.shape != (len(w),)):
                raise ValueError(f"piece must be one index, or one per row of weights "
                                 f"(shape ({len(w)},)); got shape {piece.shape}.")
            piece = np.broadcast_to(piece, (len(w),))
            bary = self._boxes()[0](self._chart(w), piece)
            bad = ~np.all(bary >= -_BARY_TOL, axis=1)
            if np.any(bad):
                k = int(np.argmax(bad))
                lo = self.weights[pieces[piece[k]]].min(0)
                hi = self.weights[pieces[piece[k]]].max(0)
                raise ValueError(f"weights {w[k]} are outside piece {piece[k]}, whose "
                                 f"weights range from {lo} to {hi}.")
            return piece, bary
        chosen = np.zeros(len(w), dtype=np.int64)
        coords = np.zeros((len(w), self.n_tasks))
        found = np.zeros(len(w), dtype=bool)
        chords = self._chords()
        for rows, near, bary in self._near_pieces(self._chart(w)):
            inside = np.all(bary >= -_BARY_TOL, axis=1)
            rows, near, bary = rows[inside], near[inside], bary[inside]
            found[rows] = True
            if not len(rows):
                continue
            # a chord across an edge's explored steps only where no other piece holds the row
            chord = chords[near]
            if chord.any():
                keep = ~chord | ~np.isin(rows, rows[~chord])
                rows, near, bary = rows[keep], near[keep], bary[keep]
            fronts = self.front[pieces[near]]
            point = np.einsum("pk,pkm->pm", bary, fronts)  # the interpolated front
            loss = np.einsum("pm,pm->p", w[rows], point)
            if self.n_tasks > 2:
                loss = loss + _BENT * _bend(point, fronts, self.weights[pieces[near]])
            # the pairs come row by row: each row's lowest loss, and the lowest piece index
            # among the losses equal to it
            starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
            best = np.repeat(np.minimum.reduceat(loss, starts), np.diff(np.r_[starts, len(rows)]))
            tie = np.flatnonzero(loss <= best + 1e-12 * np.maximum(np.abs(best), 1.0))
            first = tie[np.unique(rows[tie], return_index=True)[1]]
            chosen[rows[first]] = near[first]
            coords[rows[first]] = bary[first]
        if not np.all(found):
            bad = w[int(np.argmin(found))]
            # a set on a box face is not expanded (expand_set raises for it)
            how = ("" if len(self._held) else "; explore toward them first: "
                   f"expand_set(pareto_set, fun, toward={shown_weights(bad)})")
            raise ValueError(f"weights {bad} are outside the explored region: "
                             f"{self.coverage()}{how}.")
        return chosen, coords

    def contains(self, weights):
        """Whether weights lie in the region the continuous set covers.

        Parameters
        ----------
        weights : array-like of shape (m,) or (q, m)

        Returns
        -------
        inside : bool or ndarray of bool, shape (q,)
        """
        w = check_weights(weights, self.n_tasks, allow_2d=True)
        inside = self._inside(np.atleast_2d(w))
        return bool(inside[0]) if w.ndim == 1 else inside

    def _inside(self, w):
        """:meth:`contains` for rows ``w``."""
        inside = np.zeros(len(w), dtype=bool)
        for rows, _, bary in self._near_pieces(self._chart(w)):
            inside[rows[np.all(bary >= -_BARY_TOL, axis=1)]] = True
        return inside

    def _near_pieces(self, w):
        """Each row of ``w`` with the pieces whose box of vertex weights (widened by more
        than the coordinates' tolerance allows) holds it, in chunks of ``_CHUNK`` rows.

        Yields ``(rows, near, bary)``: pairs of a row index into ``w`` and a piece
        index (by row, then by piece), and the row's coordinates in the piece,
        (pairs, m). Only weights in a piece's box can be inside it, a few pieces
        each, where the coordinates of every weight in every piece would be (q, s,
        m) floats: 200 MB for 1,000 weights in the 5,000 pieces of a five-task set.
        """
        coordinates, lo, hi, by_lo = self._boxes()
        # chunks of rows close in task 0's weight meet few pieces' boxes: those whose lower
        # end (in the pieces ordered by it) is below the chunk's highest weight, and whose
        # upper end is above its lowest
        order = np.argsort(w[:, 0], kind="stable")
        lowest = lo[by_lo, 0]
        for start in range(0, len(w), _CHUNK):
            index = order[start:start + _CHUNK]
            chunk = w[index]
            some = by_lo[:np.searchsorted(lowest, chunk[-1, 0], side="right")]
            some = np.sort(some[hi[some, 0] >= chunk[0, 0]])
            held = np.ones((len(chunk), len(some)), dtype=bool)
            for k in range(self.n_tasks):  # a task at a time: (chunk, s), not (chunk, s, m)
                held &= (chunk[:, k, None] >= lo[some, k]) & (chunk[:, k, None] <= hi[some, k])
            rows, near = np.nonzero(held)
            yield index[rows], some[near], coordinates(chunk[rows], some[near])

    def params_at(self, weights, piece=None):
        """Parameters of the continuous set at given trade-offs.

        Parameters
        ----------
        weights : array-like of shape (m,) or (q, m)
            Points of the simplex inside the explored region.
        piece : int or array-like of int, shape (q,), default=None
            Index into :attr:`pieces` of the piece to interpolate in. Default:
            among the pieces containing the weights, the one with the lowest
            weighted loss (see Notes of :class:`ParetoSet`).

        Returns
        -------
        params : ndarray of shape (n,) or (q, n)
            Convex combination of the explored points of the piece containing
            each weight, with barycentric coefficients in weight space.

        Raises
        ------
        ValueError
            If ``weights`` is malformed or outside the explored region (or the
            given piece); the message says which region is covered and the call
            of :func:`expand_set` that explores toward the weights.
        """
        w = check_weights(weights, self.n_tasks, allow_2d=True)
        single = w.ndim == 1
        w2 = np.atleast_2d(w)
        chosen, bary = self._locate(w2, piece)
        bary = np.clip(bary, 0.0, None)
        bary /= bary.sum(axis=1, keepdims=True)
        vertices = self._pieces()[chosen]  # (q, k)
        # at an explored point's weights, return its parameters exactly (no rounding)
        hit = np.all(self.weights[vertices] == w2[:, None, :], axis=2)  # (q, k)
        rows = hit.any(axis=1)
        bary[rows] = np.eye(vertices.shape[1])[np.argmax(hit[rows], axis=1)]
        out = np.einsum("qk,qkn->qn", bary, self.params[vertices])
        return out[0] if single else out

    def front_at(self, weights, piece=None):
        """True objectives at :meth:`params_at` (not interpolated losses).

        Parameters
        ----------
        weights : array-like of shape (m,) or (q, m)
        piece : int or array-like of int, default=None
            As in :meth:`params_at`.

        Returns
        -------
        front : ndarray of shape (m,) or (q, m)

        Raises
        ------
        ValueError
            If ``fun`` is not set (e.g. after loading), or as :meth:`params_at`.
        """
        if self.fun is None:
            raise ValueError("front_at needs the objective: set pareto_set.fun = fun first.")
        params = self.params_at(weights, piece)
        if params.ndim == 1:
            return np.asarray(self.fun(params), dtype=np.float64)
        return np.stack([np.asarray(self.fun(x), dtype=np.float64) for x in params])

    def trace(self, n_samples=2000):
        """Weights spread evenly along the whole continuous set of two tasks.

        Where the weights fold, one weight belongs to several pieces, so a
        grid of weights alone does not describe the set. This walks the
        chains of pieces instead, at equal steps of parameter-space length.

        Parameters
        ----------
        n_samples : int, default=2000
            Number of samples (at least 2).

        Returns
        -------
        weights : ndarray of shape (q, 2)
            Interpolated weights of each sample.
        pieces : ndarray of int, shape (q,)
            The piece of each sample: pass both to :meth:`params_at` or
            :meth:`front_at` as ``(weights, piece=pieces)``. Samples are in
            order along each chain, chains in the order of their first loss.

        Raises
        ------
        ValueError
            If the set has not two tasks, or ``n_samples < 2``.
        """
        if self.n_tasks != 2:
            raise ValueError(f"trace is defined for two tasks, this set has {self.n_tasks}.")
        if not _is_integer(n_samples) or n_samples < 2:
            raise ValueError(f"n_samples must be an integer >= 2, got {n_samples!r}.")
        pieces = self._pieces()
        # in the weights the set is triangulated in: explored in scaled objectives, a set's
        # weights as given can change by 1e-12 along a whole piece
        chart = self._chart_weights()
        length = np.linalg.norm(self.params[pieces[:, 1]] - self.params[pieces[:, 0]], axis=1)
        wspan = np.abs(chart[pieces[:, 1], 0] - chart[pieces[:, 0], 0])
        length = np.where(wspan > 1e-12, length, 0.0)  # weights cannot place points there
        usable = np.flatnonzero(wspan > 1e-12)
        if len(usable) == 0:
            return self.weights[pieces[:, 0]].copy(), np.arange(len(pieces))
        cum = np.concatenate([[0.0], np.cumsum(length[usable])])
        s = np.linspace(0.0, cum[-1], int(n_samples))
        k = np.clip(np.searchsorted(cum, s, side="right") - 1, 0, len(usable) - 1)
        frac = np.clip((s - cum[k]) / np.where(length[usable][k] > 0, length[usable][k], 1.0),
                       0.0, 1.0)
        idx = usable[k]
        w = (1.0 - frac)[:, None] * chart[pieces[idx, 0]] + frac[:, None] * chart[pieces[idx, 1]]
        if self.objective_scales is not None:
            w = scaled_weights(w, self.objective_scales, inverse=True)
        return w, idx

    # -- stitching ------------------------------------------------------------

    def _steps(self):
        """Parameter and front lengths of the neighbour edges, (e,) each."""
        edges = self._edges()
        dx = np.linalg.norm(self.params[edges[:, 0]] - self.params[edges[:, 1]], axis=1)
        df = np.linalg.norm(self.front[edges[:, 0]] - self.front[edges[:, 1]], axis=1)
        return dx, df

    def _represents(self, x, f, w, tol, front_tol):
        """Whether the point (x, f, w) is already part of this set within tolerance."""
        if np.min(np.linalg.norm(self.params - x, axis=1)) <= tol:
            return True
        if np.min(np.linalg.norm(self.front - f, axis=1)) <= front_tol:
            return True
        pieces = self._pieces()
        for _, near, bary in self._near_pieces(w[None, :]):
            inside = np.all(bary >= -_BARY_TOL, axis=1)
            for s, b in zip(near[inside], bary[inside]):
                b = np.clip(b, 0.0, None)
                b /= b.sum()
                if (np.linalg.norm(b @ self.params[pieces[s]] - x) <= tol
                        or np.linalg.norm(b @ self.front[pieces[s]] - f) <= front_tol):
                    return True
        return False

    def merge(self, other, *, tol=None, front_tol=None):
        """Stitch another set of the same problem into this one.

        Parameters
        ----------
        other : ParetoSet
            Set explored from another start, with the same numbers of tasks
            and parameters.
        tol : float, default=None
            Points of ``other`` within ``tol`` (parameter space) of an
            explored point of this set, or of the interpolated set at their
            own weights, collide with this set and are dropped. Default: a
            quarter of the median step between neighbours of both sets.
        front_tol : float, default=None
            The same test on the objectives; default a quarter of the
            median front step between neighbours.

        Returns
        -------
        merged : ParetoSet
            This set's points, then the points of ``other`` that do not
            collide with it, without the points dominated by any other point
            of the union. Parents are re-indexed (a point whose parent was
            dropped becomes a root); where a point of ``other`` lost a
            neighbour to a collision, a link joins it to the nearest point of
            this set, so the merged pieces leave no gap where the two local
            sets overlapped. Work counters are summed, including the work
            spent on dropped points. ``fun`` is this set's, else ``other``'s;
            ``task_scales`` this set's.

        Raises
        ------
        ValueError
            If ``other`` is not a ParetoSet of the same shape, or a tolerance
            is not positive.

        Notes
        -----
        Collisions are decided with this set's pieces, so this set has
        priority where the two overlap: what ``other`` adds is the part of the
        set (weights or front) this one does not represent yet.
        """
        if not isinstance(other, ParetoSet):
            raise ValueError(f"other must be a ParetoSet, got {type(other).__name__}.")
        if other.n_tasks != self.n_tasks or other.n_params != self.n_params:
            raise ValueError(f"other must have {self.n_tasks} tasks and {self.n_params} "
                             f"parameters, got {other.n_tasks} and {other.n_params}.")
        steps = [np.concatenate(s) for s in zip(self._steps(), other._steps())]
        scale = [np.median(s) if len(s) and np.median(s) > 0 else None for s in steps]
        tol = _check_tol(tol, "tol", scale[0], self.params, other.params)
        front_tol = _check_tol(front_tol, "front_tol", scale[1], self.front, other.front)
        p = self.n_points
        keep = np.array([not (p and self._represents(other.params[j], other.front[j],
                                                     other.weights[j], tol, front_tol))
                         for j in range(other.n_points)], dtype=bool)
        new_index = np.full(other.n_points, -1, np.int64)
        new_index[keep] = p + np.arange(keep.sum())
        links = [self.links, _reindexed(other.links, new_index)]
        for a, b in other._edges():
            if keep[a] != keep[b] and p:
                lost, kept = (a, b) if keep[b] else (b, a)
                gaps = np.linalg.norm(self.params - other.params[kept], axis=1)
                near = int(np.argmin(gaps))
                reach = np.linalg.norm(other.params[lost] - other.params[kept]) + tol
                if gaps[near] <= reach + (scale[0] or 0.0):
                    links.append(np.array([[near, new_index[kept]]]))
        links = np.vstack(links)
        if self.n_tasks == 2 and p and keep.any() and scale[0] is not None:
            links = np.vstack([links, self._bridges(other, keep, new_index, links,
                                                    1.5 * scale[0])])
        other_parents = np.where(other.parents >= 0, new_index[np.maximum(other.parents, 0)], -1)
        merged = dict(
            params=np.vstack([self.params, other.params[keep]]),
            front=np.vstack([self.front, other.front[keep]]),
            weights=np.vstack([self.weights, other.weights[keep]]),
            parents=np.concatenate([self.parents, other_parents[keep]]),
            residuals=np.concatenate([self.residuals, other.residuals[keep]]),
            n_grad=np.concatenate([self.n_grad, other.n_grad[keep]]),
            n_hvp=np.concatenate([self.n_hvp, other.n_hvp[keep]]),
            expanded=np.concatenate([self.expanded, other.expanded[keep]]))
        # drop the dominated points of the union and re-index once more
        alive = non_dominated(merged["front"])
        index = np.full(len(alive), -1, np.int64)
        index[alive] = np.arange(alive.sum())
        parents = merged["parents"]
        merged["parents"] = np.where(parents >= 0, index[np.maximum(parents, 0)], -1)
        merged = {k: v[alive] for k, v in merged.items()}
        excluded = np.vstack([self.excluded, _reindexed(other.excluded, new_index)])
        result = ParetoSet(**merged, links=_reindexed(links, index),
                           excluded=_reindexed(excluded, index),
                           fun=self.fun if self.fun is not None else other.fun,
                           task_scales=self.task_scales,
                           objective_scales=self.objective_scales)
        result.total_grad = self.total_grad + other.total_grad
        result.total_hvp = self.total_hvp + other.total_hvp
        return result

    def _bridges(self, other, keep, new_index, links, reach):
        """Links between chain ends of the two sets that lie within ``reach`` (m = 2).

        Two explorations that stopped short of each other leave a gap of
        about one step between their chain ends; it is bridged like any
        other piece. Each end is used once, closest pairs first.
        """
        p = self.n_points
        degree = np.zeros(p + int(keep.sum()), np.int64)
        edges = [self._edges(), new_index[other._edges()], links]
        for e in edges:
            e = e[np.all(e >= 0, axis=1)]
            np.add.at(degree, e.ravel(), 1)
        ends_self = np.flatnonzero(degree[:p] <= 1)
        ends_other = p + np.flatnonzero(degree[p:] <= 1)
        params = np.vstack([self.params, other.params[keep]])
        gaps = np.linalg.norm(params[ends_self][:, None] - params[ends_other][None], axis=2)
        bridges = []
        for flat in np.argsort(gaps, axis=None):
            a, b = np.unravel_index(flat, gaps.shape)
            if gaps[a, b] > reach:
                break
            if np.isfinite(gaps[a, b]):
                bridges.append([ends_self[a], ends_other[b]])
                gaps[a, :] = np.inf
                gaps[:, b] = np.inf
        return np.asarray(bridges, np.int64).reshape(-1, 2)

    # -- low-dimensional reparameterization -----------------------------------

    def reparameterize(self, n_components=None, center=None):
        """A slider ``t`` in R^k through the set, from an SVD of the explored offsets.

        Parameters
        ----------
        n_components : int, default=None
            ``k``; default ``n_tasks - 1`` (the dimension of the set).
        center : array-like of shape (n,), default=None
            Origin of the offsets, e.g. the first stationary point x*;
            default the mean of the explored points.

        Returns
        -------
        reparameterization : SetParameterization
            Maps ``t`` to parameters and back, with ``explained_variance_ratio_``.

        Raises
        ------
        ValueError
            If ``n_components`` is not in ``[1, min(p, n)]`` or ``center`` has
            the wrong shape or is not finite.
        """
        if n_components is None:
            n_components = max(self.n_tasks - 1, 1)
        return SetParameterization(self.params, n_components,
                                   center)

    # -- persistence -------------------------------------------------------------

    def _arrays(self):
        return dict(params=self.params, front=self.front, weights=self.weights,
                    parents=self.parents, residuals=self.residuals, n_grad=self.n_grad,
                    n_hvp=self.n_hvp, expanded=self.expanded, links=self.links,
                    excluded=self.excluded,
                    totals=np.array([self.total_grad, self.total_hvp], np.int64),
                    task_scales=np.zeros(0) if self.task_scales is None else self.task_scales,
                    objective_scales=(np.zeros(0) if self.objective_scales is None
                                      else self.objective_scales),
                    # the coordinates held on a face of the box (see skpareto.explore's bounds)
                    held=self._held)

    def save(self, path):
        """Write the set to a NumPy ``.npz`` file (no pickle; ``fun`` is not saved).

        Parameters
        ----------
        path : str or path-like
            File to write, used exactly as given (no suffix is added).

        Notes
        -----
        The file holds the arrays, a format name and version, and a SHA-256
        checksum of the arrays (dtype, shape and bytes), which :meth:`load`
        verifies.
        """
        arrays = self._arrays()
        header = np.array([_FORMAT, str(_FORMAT_VERSION), _checksum(arrays)])
        with open(path, "wb") as fh:
            np.savez(fh, header=header, **arrays)

    @classmethod
    def load(cls, path, fun=None):
        """Read a set written by :meth:`save`.

        Parameters
        ----------
        path : str or path-like
        fun : callable, default=None
            The objective, for :meth:`front_at` (it is not stored in files).

        Returns
        -------
        pareto_set : ParetoSet

        Raises
        ------
        OSError
            If the file cannot be read.
        ValueError
            If the file is not a ParetoSet file of a known version, is
            truncated, has arrays of the wrong type or shape, or its contents
            do not match the stored checksum.
        """
        try:
            with np.load(path, allow_pickle=False) as data:
                contents = {key: data[key] for key in data.files}
        except (zipfile.BadZipFile, EOFError, KeyError, ValueError) as exc:
            raise ValueError(f"{path!s} is not a readable ParetoSet file: {exc}") from exc
        if not isinstance(contents, dict) or "header" not in contents:
            raise ValueError(f"{path!s} is not a ParetoSet file (no header).")
        header = contents.pop("header")
        if header.shape != (3,) or header.dtype.kind != "U" or header[0] != _FORMAT:
            raise ValueError(f"{path!s} is not a ParetoSet file (bad header).")
        if header[1] not in [str(v) for v in range(1, _FORMAT_VERSION + 1)]:
            raise ValueError(f"{path!s} has ParetoSet format version {header[1]}; this "
                             f"version of skpareto reads versions 1 to {_FORMAT_VERSION}.")
        arrays = [a for a in _ARRAYS if int(header[1]) >= _SINCE_VERSION.get(a[0], 1)]
        expected = {name for name, _, _ in arrays}
        if set(contents) != expected:
            raise ValueError(f"{path!s}: arrays {sorted(set(contents) ^ expected)} are "
                             f"missing or unexpected.")
        for name, kind, ndim in arrays:
            a = contents[name]
            if a.dtype.kind != kind or a.ndim != ndim:
                raise ValueError(f"{path!s}: array {name!r} must be {ndim}-D of kind "
                                 f"{kind!r}, got {a.ndim}-D {a.dtype}.")
        if _checksum(contents) != header[2]:
            raise ValueError(f"{path!s}: the arrays do not match the stored checksum "
                             f"(the file was modified or damaged).")
        p, m = contents["front"].shape
        if (contents["params"].shape[0] != p or contents["weights"].shape != (p, m)
                or contents["links"].shape[1:] != (2,) or contents["totals"].shape != (2,)
                or contents.get("excluded", np.zeros((0, m))).shape[1:] != (m,)):
            raise ValueError(f"{path!s}: inconsistent array shapes.")
        totals = contents.pop("totals")
        held = contents.pop("held", np.zeros(0, np.int64))
        scales = {name: contents.pop(name, np.zeros(0))
                  for name in ("task_scales", "objective_scales")}
        pset = cls(**contents, fun=fun,  # checked
                   **{name: a if a.size else None for name, a in scales.items()})
        pset.total_grad, pset.total_hvp = int(totals[0]), int(totals[1])
        pset._held = held
        return pset


def _bend(point, fronts, weights):
    """How far a piece's interpolated front point lies off the front's tangent planes at the
    piece's vertices: ``max_k |w_k . (f - f_k)|``, for the points ``f`` (pairs, m) of
    pieces with vertex fronts ``fronts`` and weights ``weights`` (pairs, m, m).

    A point's weights are the normal of the front there, so a piece that follows
    the front stays near every vertex's tangent plane, and a long chord of a
    curved front does not: by about its curvature times its squared length, the
    same order by which its weighted loss is off. On a concave front the chord
    lies below the front and its loss is the lower: the lowest loss alone chose
    chords of DTLZ2 (a front 0.009 off where a piece of the same weights was
    within 0.002).
    """
    return np.max(np.abs(np.einsum("pkm,pkm->pk", weights, point[:, None, :] - fronts)), axis=1)


def _reindexed(rows, index):
    """Rows of point indices mapped through ``index`` (-1: a point dropped), without the rows
    that lost a point."""
    rows = index[rows]
    return rows[np.all(rows >= 0, axis=1)]


def _rows_in(rows, table):
    """Whether each row of ``rows`` is a row of ``table`` (integer arrays of equal width)."""
    both = np.vstack([table, rows])
    _, inverse = np.unique(both, axis=0, return_inverse=True)
    return np.isin(inverse.ravel()[len(table):], inverse.ravel()[: len(table)])


def _components(edges, n):
    """The connected components (index arrays) of ``n`` points joined by ``edges``."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return [np.flatnonzero(labels == k) for k in np.unique(labels)]


def _near(coords, steps):
    """The points within ``_FAR_STEPS`` median explored ``steps`` of the median point.

    A branch run off toward a task whose minimum is not attained can carry another
    objective to 1e94 where the explored steps are 0.1; in float64 a Delaunay
    triangulation of both loses every simplex of the steps. A simplex joining a
    near point to a far one would not be a piece anyway (an edge of about
    ``_FAR_STEPS`` steps).
    """
    scale = _FAR_STEPS * np.median(steps)
    if not scale > 0.0:  # no explored steps (or all of length zero): nothing to resolve
        return np.ones(len(coords), bool)
    return np.linalg.norm(coords - np.median(coords, axis=0), axis=1) <= scale


def _delaunay(points):
    """The Delaunay simplices (rows of indices) of ``points``, without Qhull's point at
    infinity: scipy passes Qhull ``Qz``, which adds one, and on a nearly collinear set (a
    three-task front along a curve) it was left in simplices, one index past the points."""
    from scipy.spatial import Delaunay

    simplices = Delaunay(points).simplices
    return simplices[np.all(simplices < len(points), axis=1)]


def _local_simplices(points, layout):
    """The Delaunay simplices around each of ``points``, of it and its nearest points.

    In many dimensions one triangulation of all points has too many simplices:
    a thousand points of a seven-dimensional front (eight tasks) have about
    three million, 40 s of Qhull alone, and the exploration, which asks for
    the pieces as it goes, stopped unfinished after 11 minutes. Each point's
    star is taken from a triangulation of its ``_LOCAL_POINTS * (d + 1)``
    nearest points (in ``layout``) instead: the stars need not fit together
    exactly, and pieces may overlap, which the interpolation allows.
    """
    from scipy.spatial import QhullError, cKDTree

    d = layout.shape[1]
    if len(points) <= d:
        return np.zeros((0, d + 1), np.int64)
    k = min(len(points), _LOCAL_POINTS * (d + 1))
    nearest = cKDTree(layout[points]).query(layout[points], k)[1]
    out = [np.zeros((0, d + 1), np.int64)]
    for centre, near in zip(points, points[nearest]):
        try:
            simplices = near[_delaunay(layout[near])]
        except (QhullError, ValueError):  # on a lower-dimensional set
            continue
        out.append(simplices[(simplices == centre).any(axis=1)])
    return np.unique(np.sort(np.vstack(out), axis=1), axis=0)


def _isotropic(coords, edges):
    """Front coordinates mapped linearly so that the explored steps ``edges`` favour no
    direction.

    The axes of a lattice can differ in length by orders of magnitude (tasks
    of very different curvature: three quadratics of a shared metric with
    eigenvalues 1 and 100 gave axes 100 times apart), and the Delaunay
    triangles of so stretched points are slivers joining points many steps
    apart, which the gap tests drop (that set: 40.7 % of the weights covered,
    all its points exact). Scaled by the inverse square root of the second
    moment of the steps (a direction with less than 1e-4 of the largest
    spread is scaled as one of 1e-4), a lattice's cells are about square.
    """
    if len(edges) < coords.shape[1]:
        return coords
    steps = coords[edges[:, 0]] - coords[edges[:, 1]]
    spread, directions = np.linalg.eigh(steps.T @ steps / len(steps))
    if not spread.max() > 0:
        return coords
    return coords @ (directions / np.sqrt(np.maximum(spread, _ISOTROPIC_FLOOR * spread.max())))


def _reach(edges, weights):
    """``_EDGE_FACTOR`` times the median explored step in the weights (inf if none)."""
    if not len(edges):
        return np.inf
    return _EDGE_FACTOR * float(np.median(np.linalg.norm(
        weights[edges[:, 0]] - weights[edges[:, 1]], axis=1)))


def _longest_step(edges, points, n):
    """The longest edge at each of ``n`` points (rows of ``points``); the median where none."""
    if not len(edges):
        return np.full(n, np.inf)
    lengths = np.linalg.norm(points[edges[:, 0]] - points[edges[:, 1]], axis=1)
    local = np.zeros(n)
    np.maximum.at(local, edges[:, 0], lengths)
    np.maximum.at(local, edges[:, 1], lengths)
    local[local == 0] = np.median(lengths)
    return local


def _skips_edge_points(pieces, weights, edges):
    """Which pieces join two points of one edge of the weight simplex (two tasks' curve)
    past ``_SKIPPED`` or more of that edge's points that explored steps along it join
    (``edges``: the explored steps, pairs of point indices).

    Weights on the edge are interpolated between those two points alone: a chord across
    the curve's explored steps, each a piece of its own. DTLZ2 with its objectives scaled
    by 1, 10 and 100: a triangle joined the points of task-0 weights 0.922 and 0 on the
    edge without task 2 past 21 explored points, and at weights (0.70, 0.30, 0), where its
    model had the lowest weighted loss, it was 9.1 % off the set. One point between may be
    the other side of a fold of the weights along the curve. Only the points of the two
    points' own component (joined by explored steps) count: another component's curve
    along the same edge (two basins, each with a set over every weight) is no part of
    theirs, and its points between made the pieces along the better one chords (their
    models given up for the worse component's, 0.16 higher in weighted loss).
    """
    m = weights.shape[1]
    skips = np.zeros(len(pieces), dtype=bool)
    if m < 3 or not len(pieces) or not len(edges):
        return skips
    support = weights > 0
    label = np.zeros(len(weights), np.int64)
    for k, members in enumerate(_components(edges, len(weights))):
        label[members] = k
    for i, j in itertools.combinations(range(m), 2):
        on_edge = ~np.any(np.delete(support, [i, j], axis=1), axis=1)
        stepped = np.unique(edges[on_edge[edges].all(axis=1)])
        for component in np.unique(label[stepped]):
            along = np.sort(weights[stepped[label[stepped] == component], i])
            if len(along) < _SKIPPED + 2:
                continue
            mine = on_edge & (label == component)
            for a, b in itertools.combinations(range(m), 2):
                p, q = pieces[:, a], pieces[:, b]
                both = mine[p] & mine[q]
                lo = np.minimum(weights[p, i], weights[q, i])[both]
                hi = np.maximum(weights[p, i], weights[q, i])[both]
                between = (np.searchsorted(along, hi - _SAME_WEIGHTS, side="right")
                           - np.searchsorted(along, lo + _SAME_WEIGHTS, side="left"))
                skips[np.flatnonzero(both)[between >= _SKIPPED]] = True
    return skips


def _affine(vertices):
    """Each piece's matrix ``(s, m, m)`` from its vertex weights ``vertices`` (s, m, m): the
    first ``m - 1`` tasks' weights as columns over a row of ones. It maps barycentric
    coordinates to those weights and their sum."""
    s, k, m = vertices.shape
    return np.concatenate([vertices[:, :, : m - 1].transpose(0, 2, 1), np.ones((s, 1, k))],
                          axis=1)


class _Coordinates:
    """Barycentric coordinates in pieces, from matrices formed once for all weights.

    Parameters
    ----------
    vertices : ndarray of shape (s, m, m)
        Each piece's vertex weights.

    Degenerate pieces (vertices with affinely dependent weights, ``|det|``
    below ``_DEGENERATE``) are the convex hull of their distinct vertex
    weights (a point, a segment, or a triangle on a face of four tasks, say;
    weights closer than ``_SAME_WEIGHTS`` are one vertex): weights within
    1e-9 of it get the minimum-norm barycentric coordinates there (split
    evenly between vertices of equal weights); NaN elsewhere.
    """

    def __init__(self, vertices):
        s, k, m = vertices.shape
        mat = _affine(vertices)
        # weights are O(1): |det| is (m-1)! times the volume of the piece in weight space
        self.regular = np.abs(np.linalg.det(mat)) > _DEGENERATE
        self.inverse = np.full((s, m, m), np.nan)
        if np.any(self.regular):
            self.inverse[self.regular] = np.linalg.inv(mat[self.regular])
        degenerate = ~self.regular
        # the hull's system: weights and a row of ones, (s, m + 1, k)
        self.system = np.concatenate([vertices.transpose(0, 2, 1), np.ones((s, 1, k))], axis=1)
        self.pseudo = np.full((s, k, m + 1), np.nan)
        if np.any(degenerate):
            self.pseudo[degenerate] = np.linalg.pinv(self.system[degenerate],
                                                     rcond=_SAME_WEIGHTS)

    def __call__(self, w, index):
        """Coordinates (p, m) of each weight row of ``w`` (p, m) in the piece ``index[p]``."""
        m = w.shape[1]
        regular = self.regular[index]
        bary = np.full((len(w), m), np.nan)
        if np.any(regular):
            rhs = np.concatenate([w[regular, : m - 1], np.ones((regular.sum(), 1))], axis=1)
            bary[regular] = np.einsum("pij,pj->pi", self.inverse[index[regular]], rhs)
        if not np.all(regular):
            rest = ~regular
            rhs = np.concatenate([w[rest], np.ones((rest.sum(), 1))], axis=1)  # (p', m + 1)
            lam = np.einsum("pij,pj->pi", self.pseudo[index[rest]], rhs)
            miss = np.abs(np.einsum("pij,pj->pi", self.system[index[rest]], lam) - rhs)
            lam[miss.max(axis=1) > 1e-9] = np.nan
            bary[rest] = lam
        return bary


def _checksum(arrays):
    digest = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}:{a.dtype.str}:{a.shape};".encode())
        digest.update(a.tobytes())
    return digest.hexdigest()


def _check_tol(tol, name, scale, *arrays):
    if tol is None:
        if scale is not None:
            return 0.25 * scale
        size = max(np.abs(a).max() if a.size else 0.0 for a in arrays)
        return 1e-8 * (1.0 + size)
    return check_real(tol, name, low=0.0, allow_none=True)


def _is_integer(value):
    """Whether ``value`` is a number with an integer value (``2`` or ``2.0``, not ``"2"``)."""
    return (isinstance(value, (int, float, np.integer, np.floating))
            and not isinstance(value, (bool, np.bool_)) and np.isfinite(value)
            and int(value) == value)


class SetParameterization:
    """Low-dimensional coordinates ``t`` of a Pareto set: ``x ~ center + t @ components``.

    Built by :meth:`ParetoSet.reparameterize`.

    Parameters
    ----------
    params : array-like of shape (p, n)
        Explored points.
    n_components : int
        Number of slider coordinates ``k``.
    center : array-like of shape (n,), default=None
        Origin of the offsets; default the mean of ``params``.

    Attributes
    ----------
    center_ : ndarray of shape (n,)
    components_ : ndarray of shape (k, n)
        Orthonormal directions (right singular vectors of the offsets).
    singular_values_ : ndarray of shape (k,)
    explained_variance_ratio_ : ndarray of shape (k,)
        Share of the offsets' total sum of squares each component explains.
    coordinates_ : ndarray of shape (p, k)
        Slider coordinates of the explored points.

    Notes
    -----
    With ``D = params - center`` and ``D = U S V^T``, ``components_`` are the
    first ``k`` rows of ``V^T`` and the ratio is ``s_i^2 / sum(S^2)``. The
    SVD of the thin ``p x n`` matrix costs ``O(p^2 n)``; no ``n x n`` matrix is
    formed.
    """

    def __init__(self, params, n_components, center=None):
        params = np.asarray(params, dtype=np.float64)
        p, n = params.shape
        if not _is_integer(n_components) or not 1 <= n_components <= min(p, n):
            raise ValueError(f"n_components must be an integer in [1, {min(p, n)}], "
                             f"got {n_components!r}.")
        k = int(n_components)
        if center is None:
            center = params.mean(axis=0)
        center = np.asarray(center, dtype=np.float64)
        if center.shape != (n,):
            raise ValueError(f"center must have shape ({n},), got {center.shape}.")
        if not np.all(np.isfinite(center)):
            raise ValueError("center contains NaN or infinite values.")
        _, s, vt = np.linalg.svd(params - center, full_matrices=False)
        total = np.sum(s ** 2)
        self.center_ = center
        self.components_ = vt[:k]
        self.singular_values_ = s[:k]
        self.explained_variance_ratio_ = s[:k] ** 2 / total if total > 0 else np.zeros(k)
        self.coordinates_ = self.transform(params)

    @property
    def n_components(self):
        return self.components_.shape[0]

    def transform(self, params):
        """Slider coordinates of parameters: ``(params - center_) @ components_.T``.

        Parameters
        ----------
        params : array-like of shape (n,) or (q, n)

        Returns
        -------
        t : ndarray of shape (k,) or (q, k)
        """
        params = np.asarray(params, dtype=np.float64)
        if params.shape[-1:] != self.center_.shape or params.ndim > 2:
            raise ValueError(f"params must have shape ({len(self.center_)},) or "
                             f"(q, {len(self.center_)}), got {params.shape}.")
        return (params - self.center_) @ self.components_.T

    def inverse_transform(self, t):
        """Parameters at slider coordinates: ``center_ + t @ components_``.

        Parameters
        ----------
        t : array-like of shape (k,) or (q, k)

        Returns
        -------
        params : ndarray of shape (n,) or (q, n)
        """
        t = np.asarray(t, dtype=np.float64)
        if t.shape[-1:] != (self.n_components,) or t.ndim > 2:
            raise ValueError(f"t must have shape ({self.n_components},) or "
                             f"(q, {self.n_components}), got {t.shape}.")
        return self.center_ + t @ self.components_
