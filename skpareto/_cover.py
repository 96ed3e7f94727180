"""Covering the whole set from its roots, into one :class:`ParetoSet`.

Two tasks: every root is followed both ways by :func:`skpareto._continuation.trace`.
More tasks: the front coordinates around a root are covered by a lattice;
where the lattice leaves the simplex (a weight would turn negative), the set's
boundary -- the Pareto set of the other objectives -- is covered the same way,
one dimension lower. Independent branches, and the nodes of a lattice ring (one
job per parent, whose tangents its nodes share), are solved in parallel with
joblib, in a fixed order, so results do not depend on ``n_jobs``.
"""

import dataclasses
import itertools
import math
import warnings

import numpy as np
from joblib import Parallel, delayed

from ._continuation import (_CHORD_RESIDUAL, _END_BALANCE, _TIGHT_RTOL, Context, End, Point,
                            Tangent, point_from_result, piece_residual, piece_tests, trace,
                            tangents, correct, end_point)
from ._hvp import value_and_jacobian
from ._options import DENSE_PROBE_MAX_N, DENSE_PROBE_SHARE
from ._paretoset import ParetoSet
from ._stationary import (find_stationary, front_coordinates, minimize_task, minimum_of_every,
                          point_residual, scaled_residual)
from ._utils import Result, Status, log
from ._weights import lattice_size, onto_plane, onto_simplex, simplex_lattice, zero_sum_basis
from .exceptions import ConvergenceWarning, NonFiniteError

__all__ = ["grow", "add_branch", "add_root", "refine", "directions", "point_of", "find_point",
           "own_parameters", "face_end", "rays"]

# a lattice node whose correction moved farther than this many lattice steps from its
# prediction is not trusted
_LATTICE_TRUST = 1.0
# a lattice step whose corrector fails is taken in halves, down to 1/2**this of it (a
# network's corrector may converge only from a quarter of the step the weights allow)
_LATTICE_HALVINGS = 2
# a two-task branch traced back over a gap its jump left takes at most this many steps
# (one whose weights move away from the gap would go on to the end of another branch)
_BACK_STEPS = 10
# a lattice point where the weights change slowly and one weight is below this fraction of
# step_size solves the face without that task directly (see _faces_near)
_FACE_REACH = 1.0
# along a lattice axis where the weights change by less than _FLAT_RATE step_size over a
# move of the largest objective at the root (a flat front: DTLZ1's plane, with constant
# weights), nodes are _FLAT_STEP of that objective apart, with no stride growth: the
# weights' rate would put them arbitrarily far. (Flat at rate 1: a weakly regularized
# three-label net, whose weights change slowly, lost a quarter of its coverage)
_FLAT_STEP = 0.1
_FLAT_RATE = 1e-6
# the longest stride looked along for a node that steps over another (see _stepped_over)
_MAX_STRIDE = 64
# a point farther than this many steps from a lattice's root along an axis is none of its
# nodes, and no stride is longer: the nodes stay well within int64 (capped at _MAX_STRIDE,
# DTLZ4's lattice from x = 0.5, whose weights stay constant over long stretches, covered
# 13.4 % of the grid at the budget against 19.5 %)
_FAR_NODE = 2 ** 31
# two tasks: weights every 0.005 where gaps in the covered weights are looked for, and at
# most this many stage-1 seeds in them per call
_GAP_GRID = 201
_GAP_SEEDS = 20
# a start's lattice stalls (see _Stall) where, over its last _STALL_WINDOW of max_points
# (at least _STALL_MIN_WINDOW points: over fewer, a grid's coverage moves in jumps), it
# covers the weights of a simplex grid of about _STALL_GRID at less than _STALL_SLOWER of
# its mean rate, while more than _STALL_UNCOVERED of the grid is uncovered (smaller holes
# border its nodes: a 60-row three-task net's lattice paused with 4 % uncovered left them,
# unpaused it covered them), and at that rate the rest of the budget would cover less
# than _STALL_SHORT of what is left. A lattice that enters the strip along a face where
# the weights change slowly covers at about half its mean rate and still covers: at
# half of what is left, a linear three-target regression's paused there at 427 points
# (rate 0.47 of the mean, the budget left 0.48 of the rest), the seeds' pieces bridged
# the strip, and 57.2 % of random weights were covered (72.8 % at a quarter, with 30 %
# fewer gradient-equivalents; a weak three-label net's, 0.41 and 0.19, still pauses)
_STALL_GRID = 231
_STALL_WINDOW = 0.125
_STALL_MIN_WINDOW = 50
_STALL_SLOWER = 0.5
_STALL_SHORT = 0.25
_STALL_UNCOVERED = 0.1
# a seed's lattice, which starts where the weights are not covered, stalls only where it
# covers no new weight at all, over a shorter window: one on a face of a three-target
# network covered its curve, then took 205 points without covering another weight (a
# seed's lattice that covers slowly still covers: paused by the first lattice's test, the
# 60-row three-task nets of the slow tests fell from 93.9 / 95.7 to 88.7 / 90.0 %)
_SEED_STALL_WINDOW = 0.05
# a lattice stops once the set covers every weight of a simplex grid of _STALL_GRID weights
# and of a finer one of about _COVERED_GRID (see _Covered), checked from as many points as
# the simplex lattice of spacing step_size has nodes, each time the set grew by
# _COVERED_GROWTH of its points
_COVERED_GRID = 900
_COVERED_GROWTH = 0.25
# three tasks: a piece whose vertices' weights lie more than _REFINE_WIDTH step_size apart
# (the lattice's own triangles span about one step; wider ones bridge what it left out) is
# checked at its centroid, and solved there where the interpolated model's relative residual
# exceeds the chord's (see refine), over at most _REFINE_PASSES passes
_REFINE_WIDTH = 2.0
_REFINE_PASSES = 4
# ... adding at most this fraction of the set's points (each costs about what an explored
# point does: a three-label log-loss net's 330 points took 119 more and 54 % more time)
_REFINE_SHARE = 0.25
# a checked piece whose centroid model fixed-weight Newton improves by more than this
# fraction of the weighted loss is left out of the set, as is one from whose centroid it
# does not converge to _GAP_TOL within _GAP_REACH of the piece's extent in the parameters
# (see _exclude_poor; at ctx.tol and within the whole extent, three conflicting
# regressions cost 7-10 % more gradient-equivalents, and 2 of 43 to 7 of 162 pieces
# checked went the other way, for the same accuracy)
_PIECE_GAP = 1e-2
_GAP_TOL = 1e-3
_GAP_REACH = 0.5
# four tasks and more: only the pieces wider than this many step_size in the weights with a
# centroid residual above this are solved (a four-target net: 86 of the 89 pieces off by
# more than _PIECE_GAP among 3,253 wider than _REFINE_WIDTH steps; five convex quadratics:
# 2,632 of 9,051 above _CHORD_RESIDUAL: solving them all, with a second fill, took 2.6
# times the gradient-equivalents)
_MORE_TASKS_WIDTH = 4.0
_MORE_TASKS_RESIDUAL = 0.05
# ... and those wider than _REFINE_WIDTH steps that join an edge's point to one inside with
# a centroid residual above this (see _bridges_boundary)
_BRIDGE_RESIDUAL = 0.2
# a root's front has fewer than m - 1 dimensions where a singular value of jac.T @ Z is
# below this fraction of the largest (the tasks' gradients are dependent along the set:
# Viennet's two radial objectives, duplicated tasks)
_DEGENERATE = 1e-6
# a lattice axis along which every objective changes the same way, to this fraction of the
# largest change, is no direction of the front (see _one_signed)
_ONE_SIGNED = 1e-3
# L-BFGS iterations for a zero-weight task's own parameters (see _fit_free)
_FREE_ITER = 50
# ... and how far (relative) those parameters are moved to tell them from a penalized one
_FREE_PROBE = 1e-3
# rays toward the faces (see rays): one per band of this many steps of the two other tasks'
# ratio, from a point within _RAY_REACH steps of the face; the face's task's weight divided
# by _RAY_RATIO at each point, down to _RAY_FIRST, at most _RAY_LEVELS points a ray
_RAY_BAND = 1.0
_RAY_REACH = 3.0
_RAY_RATIO = 2.0
_RAY_FIRST = 2.5e-3
_RAY_LEVELS = 8


def point_of(pset, i, fun):
    """The continuation's view of point ``i`` (its objectives and Jacobian from ``fun``)."""
    values, jac = value_and_jacobian(fun, pset.params[i])
    pset.add_cost(n_grad=len(values))
    return Point(pset.params[i], values, jac, pset.weights[i], pset.residuals[i])


def directions(pset, index):
    """Directions along the front coordinate in which point ``index`` still has to go (m = 2)."""
    c = front_coordinates(pset.front[index])[0]
    done = {float(np.sign(front_coordinates(pset.front[int(j)])[0] - c))
            for j in pset.neighbours(index)}
    return [s for s in (1.0, -1.0) if s not in done]


def grow(pset, ctx, limits, indices, *, key, n_jobs, progress, until=None, pause=False,
         ends=None, seed=False, component=False):
    """Explore from the points ``indices`` of ``pset`` until the set ends or a budget stops.

    Two tasks: ``until`` (weights, shape (2,) or (k, 2)) also stops the
    branches from the points once a step covers them. More tasks, with
    ``pause``: a lattice that stalls (see :class:`_Stall`; a ``seed``'s) stops early, to
    leave the budget to stage-1 seeds where the weights are not covered; with
    ``ends`` (:class:`skpareto._explore._Ends`), a lattice grows to
    ``ends.top(pset)`` points, and calls ``ends.seed(pset)`` once it has
    (the single-task ends it left). With ``component`` (more tasks), each
    lattice is of another component of the set than the points before (a
    better single-task end, see :func:`skpareto._explore._ends_from_start`,
    or a start of ``x0``'s rows not on the set explored):
    it grows until its own points cover the simplex, not the whole set's,
    and never stalls. Returns the roots of the lattices that paused; they go
    on when grown again.
    """
    if pset.n_tasks == 1:
        pset.mark_expanded(indices)
        return []
    if pset.n_tasks == 2:
        _grow_curves(pset, ctx, limits, indices, key, n_jobs, progress, until)
        return []
    # each lattice goes on from its root, with the nodes solved already
    return [root for root in sorted({_root_of(pset, int(i)) for i in indices})
            if _grow_lattice(pset, ctx, limits, root, key + (root,), n_jobs, progress,
                             _Stall(pset, limits, seed) if pause and not component else None,
                             ends, component)]


def _root_of(pset, i):
    while pset.parents[i] >= 0:
        i = int(pset.parents[i])
    return i


def _grow_curves(pset, ctx, limits, indices, key, n_jobs, progress, until=None):
    first = pset.n_points
    _trace_from(pset, ctx, limits, indices, key, n_jobs, progress,
                until=None if until is None else {int(i): until for i in indices})
    # a branch whose steps shrank to nothing re-solved beyond that point and went on from
    # there, a new root (see trace), often on another branch of the set (a network's
    # minima): traced back from that root until its weights pass those of the point
    # before the jump, the gap in the weights closes (a branch back may jump too). Not on
    # a face of three tasks or more (limits say so): there the lattice's triangles reach
    # the face's gaps, and traced-back branches cost points without covering more (a
    # three-label log-loss net, alpha 1e-5: 981 points, 50 % covered; 843, 57 % without)
    back_steps = limits.get("back_steps", _BACK_STEPS)
    back = dict(limits, n_steps=min(limits["n_steps"], back_steps))
    while back_steps:
        jumped = [i for i in range(first, pset.n_points) if pset.parents[i] < 0
                  and not pset.contains(0.5 * (pset.weights[i - 1] + pset.weights[i]))]
        if not jumped or pset.n_points >= limits["max_points"]:
            return
        first = pset.n_points
        _trace_from(pset, ctx, back, jumped, key + (first,), n_jobs, progress,
                    until={i: pset.weights[i - 1] for i in jumped})


def _trace_from(pset, ctx, limits, indices, key, n_jobs, progress, until=None):
    until = until or {}
    jobs = [(int(i), s) for i in indices for s in directions(pset, int(i))]
    steps = min(limits["n_steps"], limits["max_points"] - pset.n_points)
    if not jobs or steps <= 0:
        if not jobs:
            pset.mark_expanded(indices)
        return
    known = (pset.params.copy(), pset.front.copy())
    starts = {i: point_of(pset, i, ctx.fun) for i, _ in jobs}
    open_starts = set()
    if n_jobs in (None, 1):  # in process: points land in the set as they are accepted
        for i, s in jobs:
            room = min(limits["n_steps"], limits["max_points"] - pset.n_points)
            if room <= 0:
                open_starts.add(i)
                continue
            sink = _Sink(pset, i, limits)
            branch = trace(ctx, starts[i], s, known=known, key=key + (i, int(s > 0)),
                           max_steps=room, until=until.get(i), sink=sink)
            sink.finish(branch)
            _say_runaway(branch, progress)
            if branch.points and not sink.added:
                open_starts.add(i)  # max_points dropped the whole branch
            progress.update(pset)
    else:
        branches = Parallel(n_jobs=n_jobs)(
            delayed(trace)(ctx, starts[i], s, known=known, key=key + (i, int(s > 0)),
                           max_steps=steps, until=until.get(i)) for i, s in jobs)
        for (i, _), branch in zip(jobs, branches):
            if not add_branch(pset, i, branch, limits) and branch.points:
                open_starts.add(i)
            _say_runaway(branch, progress)
            progress.update(pset)
    pset.mark_expanded(sorted({i for i, _ in jobs} - open_starts))


def _say_runaway(branch, progress):
    """At ``verbose >= 1``, where a branch ran away: the set is unbounded there, and the
    weights beyond its last point stay uncovered (an end no other message names)."""
    if branch.end == End.DIVERGED and branch.points:
        last = branch.points[-1]
        log(progress.verbose, 1, f"the set runs away past weights {np.round(last.weights, 4)} "
                                 f"(|x| = {np.linalg.norm(last.x):.3g}): it is unbounded "
                                 "there, and the weights beyond are not covered")


class _Sink:
    """Adds a branch's points to the set as the tracer accepts them (see :func:`add_branch`)."""

    def __init__(self, pset, start, limits):
        self.pset, self.limits = pset, limits
        self.index = {-1: start}
        self.added = []

    def __call__(self, point, parent):
        if self.pset.n_points >= self.limits["max_points"] or (
                parent is not None and parent not in self.index):
            return
        k = len(self.index) - 1
        self.index[k] = self.pset.add_point(
            point.x, point.values, point.weights,
            parent=-1 if parent is None else self.index[parent], residual=point.residual,
            n_grad=point.n_grad, n_hvp=point.n_hvp)
        self.added.append(self.index[k])

    def finish(self, branch):
        """The branch's bookkeeping once it ended: wasted work, links, open ends."""
        _finish(self.pset, branch, self.added)


def add_branch(pset, start, branch, limits):
    """Append a branch's points in order; its last point stays open if a budget stopped it.

    Returns the number of points added (``max_points`` may drop the rest).
    """
    sink = _Sink(pset, start, limits)
    for point, parent in zip(branch.points, branch.parents):
        sink(point, parent)
    _finish(pset, branch, sink.added)
    return len(sink.added)


def _finish(pset, branch, added):
    pset.add_cost(branch.n_grad, branch.n_hvp)
    if branch.collision is not None and added:
        pset.add_link(added[-1], branch.collision)
    finished = branch.end != End.BUDGET and len(added) == len(branch.points)
    pset.mark_expanded(added[:-1] + (added[-1:] if finished else []))


# -- more than two tasks: a lattice in the front coordinates ---------------------------------


def _solve_node(ctx, parent, step, target, key, halvings=_LATTICE_HALVINGS, tangent=None,
                tight=False):
    """Predict the node at front coordinates ``target`` from the solved ``parent``; correct.

    ``step`` is the change of the front coordinates from the parent. Returns
    ``(kind, results, cost)``: kind ``"point"`` with the node's result (where
    the whole step fails, along a tangent solved tightly if the loose one was
    off, it is taken in two halves, each halved again as needed up to
    ``halvings`` times), ``"outside"`` (the weights leave the simplex there:
    the boundary lies in between, and the one result is the end point solved
    at the boundary weights, or None), ``"same"`` (the set does not move along
    the step: the corrector came back to the parent) or ``"failed"``.
    ``tangent``: the parent's :class:`skpareto._continuation.Tangent`, if solved
    already; else it is solved, tightly with ``tight``.
    """
    cost = dict(n_grad=0, n_hvp=0)
    if tangent is None:
        tangent, cost = _tangent(ctx, parent, key + (0,), tight)
    directions_, rates = tangent.value
    dx, dw = step @ directions_, step @ rates
    w_pred = onto_plane(parent.weights + dw)
    length = max(np.linalg.norm(dx), 1e-300)
    if np.min(w_pred) < 0.0:
        falling = dw < 0
        theta = float(np.min(parent.weights[falling] / -dw[falling]))
        w_end = parent.weights + theta * dw
        w_end = onto_simplex(np.where(w_end <= 1e-12, 0.0, w_end))
        res = end_point(ctx, parent.x + theta * dx, w_end, 2.0 * length, key + (1,))
        # a parent on the boundary already (theta = 0, a root at a vertex, say): the step
        # runs along the face of its own tasks and those whose weights it raises
        rising = (w_end > 0) | ((parent.weights <= 0) & (dw > 0) & (theta <= 0.0))
        return "outside", [_on_face(res, rising)], cost
    res = correct(ctx, parent.x + dx, w_pred, target, _LATTICE_TRUST * length, key + (1,))
    if res is not None and res.status == Status.LEFT_SIMPLEX:
        w_end = onto_simplex(res.weights)
        end = end_point(ctx, res.x, w_end, 2.0 * length, key + (2,))
        _charge(cost, res)
        return "outside", [_on_face(end, w_end > 0)], cost
    if res is not None and res.success and np.allclose(res.weights, parent.weights,
                                                       rtol=0, atol=1e-12) \
            and np.allclose(res.x, parent.x, rtol=1e-12, atol=1e-300):
        _charge(cost, res)
        return "same", [], cost  # an axis along which the set does not move (n < m - 1)
    if res is not None and res.success and ctx.admits(res) and np.linalg.norm(
            res.x - parent.x - dx) <= _LATTICE_TRUST * length:
        return "point", [res], cost
    _charge(cost, res)
    changed, n_grad, n_hvp = tangent.tighten(ctx, parent, step, key + (5,))
    _charge(cost, dict(n_grad=n_grad, n_hvp=n_hvp))
    if changed:
        kind, found, more = _solve_node(ctx, parent, step, target, key + (6,), halvings,
                                        tangent)
        _charge(cost, more)
        return kind, found, cost
    if not halvings:
        return "failed", [], cost
    # two half steps, the second from the midpoint, before giving the node up; the first
    # from the same parent, along the same tangent
    kind, first, more = _solve_node(ctx, parent, 0.5 * step, target - 0.5 * step,
                                    key + (3,), halvings - 1, tangent)
    _charge(cost, more)
    if kind != "point":
        return kind if kind == "outside" else "failed", first, cost
    kind, second, more = _solve_node(ctx, point_from_result(first[0]), 0.5 * step, target,
                                     key + (4,), halvings - 1, tight=tight or tangent.changed)
    _charge(cost, more)
    # the midpoint was a stepping stone: a lattice of even spacing keeps only the nodes
    # (kept, the points between crowd the hard parts of a network's set and spend the budget)
    _charge(cost, first[0])
    return kind, second, cost


def _solve_children(ctx, parent, steps, targets, keys, tight=False):
    """:func:`_solve_node` for the nodes ``targets`` of one parent, its tangents solved once
    (tightly with ``tight``).

    The first node's cost includes them. With a sampled Hessian they are
    solved with the first node's sample. Returns the nodes' results and
    whether solving the tangents again after a failed step changed them.
    """
    tangent, cost = _tangent(ctx, parent, keys[0] + (0,), tight)
    results = [_solve_node(ctx, parent, step, target, key, tangent=tangent, tight=tight)
               for step, target, key in zip(steps, targets, keys)]
    _charge(results[0][2], cost)
    return results, tangent.changed


def _tangent(ctx, parent, key, tight):
    """The parent's :class:`skpareto._continuation.Tangent` (solved to ``_TIGHT_RTOL``
    with ``tight``, else as the predictor's) and its cost."""
    directions_, rates, n_grad, n_hvp = tangents(ctx, parent, key,
                                                 _TIGHT_RTOL if tight else None)
    return Tangent(directions_, rates, tight), dict(n_grad=n_grad, n_hvp=n_hvp)


def _on_face(res, tasks):
    """``res`` (or None) with ``face``: the tasks of the face of the simplex it lies on."""
    if res is not None:
        res["face"] = tuple(int(i) for i in np.flatnonzero(tasks))
    return res


def _charge(cost, work):
    """Add the work of a result (or a cost dict) to ``cost``."""
    if work is not None:
        cost["n_grad"] += work["n_grad"]
        cost["n_hvp"] += work["n_hvp"]


def _dependence(jac):
    """``(basis, rank, vt)``: the zero-sum basis ``Z`` (m, m - 1), the rank of
    ``B = jac.T @ Z`` (singular values above ``_DEGENERATE`` of the largest) and its right
    singular vectors, rows (m - 1, m - 1), the leading ``rank`` of them those along which
    the front moves."""
    m = jac.shape[0]
    basis = zero_sum_basis(m).T
    # (with fewer parameters than m - 1, B has fewer singular values than columns)
    _, sv, vt = np.linalg.svd(jac.T @ basis, full_matrices=True)
    rank = int(np.sum(sv > _DEGENERATE * sv[0])) if sv.size and sv[0] > 0 else 0
    return basis, rank, vt


def _front_basis(jac):
    """Front coordinates for a set whose front has fewer than ``m - 1`` dimensions, or None.

    Where the tasks' gradients are dependent along the set (``B = jac.T @ Z``
    of rank ``r < m - 1``), the front moves only along ``r`` directions of the
    front coordinates and the weights also move without the point (along the
    null space of ``B``). The bordered systems of every front coordinate are
    singular there; those of the ``r`` coordinates along which it moves (the
    columns of ``Z`` times ``B``'s leading right singular vectors) are not.
    """
    basis, rank, vt = _dependence(jac)
    if not 0 < rank < basis.shape[1]:
        return None
    return basis @ vt[:rank].T


def _add_fiber(pset, ctx, index, point, max_points):
    """Where point ``index`` is stationary for a polytope of weights, add its vertices.

    With the tasks' gradients dependent (``jac.T @ Z`` has a null space of
    dimension ``k >= 1``, see :func:`_front_basis`) the point is stationary for
    every weight of a ``k``-dimensional polytope across the simplex (a segment
    for ``k = 1``), not only for its own. The polytope's vertices, on the
    simplex's boundary (``k`` weights zero), become points of the set at the
    same parameters, so that the pieces of the continuous set cover the
    weights of every polytope along the front, while the set has fewer than
    ``max_points``. Returns their indices.
    """
    m = pset.n_tasks
    basis, rank, vt = _dependence(point.jac)
    if not 0 < rank < m - 1:
        return []
    null = basis @ vt[rank:].T  # (m, k): the directions of the weights the point keeps
    w = point.weights
    vertices = []
    for zero in itertools.combinations(range(m), null.shape[1]):
        rows = null[list(zero)]
        if abs(np.linalg.det(rows)) <= 1e-12:
            continue
        vertex = w + null @ np.linalg.solve(rows, -w[list(zero)])
        if vertex.min() >= -1e-9 and np.abs(vertex - w).max() > 1e-3 * ctx.step_size \
                and not any(np.abs(vertex - v).max() <= 1e-9 for v in vertices):
            vertices.append(vertex)
    added = []
    for vertex in vertices:
        vertex = onto_simplex(np.where(vertex <= 1e-12, 0.0, vertex))
        residual = scaled_residual(point.jac, vertex, ctx.scales)
        if residual <= ctx.tol and pset.n_points < max_points:
            added.append(pset.add_point(point.x, point.values, vertex, parent=index,
                                        residual=residual))
    pset.mark_expanded(added)
    return added


def add_root(pset, ctx, root, max_points):
    """Add the stage-1 point ``root`` (a result) to the set; returns its index.

    Three tasks or more, at weights with zeros: with the zero-weight tasks'
    own parameters at their best first (:func:`_fit_free`).

    Where every task's gradient vanishes there, the tasks' gradients have no
    direction along which the front moves, and the point is stationary for
    every weight. Where it is also a minimum of every objective
    (:func:`skpareto._stationary.minimum_of_every`: tasks that are multiples
    of one objective at its minimum, or tasks on parameters of their own) it
    is the whole local set: it is
    added at each single-task vertex too (as in :func:`_add_fiber`), so that
    the pieces between cover the simplex (the set covered its one weight).
    """
    m = pset.n_tasks
    # a root on the boundary: its lattice goes inward from the limit. Not at a critical point
    # of every objective: each task's parameters are stationary there already, and measured
    # against gradients of 1e-20 the fit's relative residual was 0.34 for a root of
    # critical residual 6e-32, and kept so (DTLZ4 from a random start)
    if m > 2 and root.get("critical_scale") is None:
        root = Result(root)
        root.x, root.objectives, root.jac, root.residual, n_grad = _fit_free(
            ctx, root.x, root.weights, root.objectives, root.jac, root.residual)
        root.n_grad += n_grad
    index = pset.add_point(root.x, root.objectives, root.weights, residual=root.residual,
                           n_grad=root.n_grad, n_hvp=root.n_hvp)
    scale = root.get("critical_scale")  # every gradient vanished against the start's
    if m < 2 or pset.n_points + m > max_points or (scale is None and _dependence(root.jac)[1]):
        return index
    vertices = np.eye(m)
    residuals = [point_residual(root.jac, w, ctx.scales, scale) for w in vertices]
    if max(residuals) > ctx.tol:
        return index
    minimum = root.get("minimum_of_every")  # stage 1's verdict, where it asked
    if minimum is None:
        minimum, n_grad, n_hvp = minimum_of_every(ctx.fun, root.x, m, ctx.options)
        pset.add_cost(n_grad=n_grad, n_hvp=n_hvp, point=index)
    if minimum:
        pset.mark_expanded([pset.add_point(root.x, root.objectives, w, parent=index,
                                           residual=r) for w, r in zip(vertices, residuals)])
    return index


def own_parameters(jac):
    """Which parameters are one task's alone: ``(m, n)``, a column of ``jac`` nonzero in that
    task's row only (a network head's output bias, say)."""
    nonzero = jac != 0
    return nonzero & (nonzero.sum(axis=0) == 1)


def shared_parameters(jac):
    """Which parameters the other tasks see only through a term they all share: ``(m, n)``,
    a column of ``jac`` whose rows other than ``k`` (two or more) are equal and nonzero, and
    whose row ``k`` is not (a network head's weights under an L2 penalty added to every
    task's loss)."""
    shared = np.zeros(jac.shape, bool)
    if jac.shape[0] < 3:
        return shared
    for k in range(jac.shape[0]):
        other = jac[1 if k == 0 else 0]  # (the others' row, where they are alike)
        shared[k] = _others_alike(jac, k) & (other != 0) & (jac[k] != other)
    return shared


def _others_alike(jac, k):
    """The columns of ``jac`` whose rows other than ``k`` (two or more) are all equal."""
    rest = np.delete(jac, k, axis=0)
    return np.all(rest == rest[0], axis=0) if len(rest) > 1 else np.zeros(jac.shape[1], bool)


def _fit_free(ctx, x, weights, values, jac, residual):
    """``x`` with the parameters of each zero-weight task's own (:func:`own_parameters`) at
    that task's best, and those the other tasks see only through a shared term
    (:func:`shared_parameters`) at that term's best, the rest held: ``(x, values, jac,
    residual, n_grad)``; the point as given (``residual`` its residual) where none moved or
    the fit is rejected, ``n_grad`` the gradients spent either way.

    At weights giving a task none, its own parameters are free: stage 1 and
    the correctors leave them where they start, and a lattice's tangents
    there move them at will (a weakly regularized four-target regression's
    face root: an output bias moved 420, its task's loss 8.8e4). Their
    values in the limit of the set as the weight falls to zero are that
    task's best; the other tasks do not depend on them, so the point stays
    stationary for ``weights`` (kept only if no task of nonzero weight rises
    and its residual stays within ``ctx.tol`` or what it was), within the box
    ``ctx.bounds`` if given.
    The task's head weights are held by the penalty alone there, which the
    residual weighs against the other tasks' large gradients: at ``tol=1e-3``
    linnerud's face models kept heads that predicted the task off the face
    worse than its mean (R^2 to -0.19, 14 of 212 below -0.01); first minimized
    at the face's weights (the penalty: to zero), then the bias at the task's
    best, they give the limit of the set, R^2 0. The task's own loss may rise
    on the way (a head that fitted it): held to it, the fit was rejected at
    some of a face's points and not at their neighbours, and the pieces between
    were poor (a held-out three-target regression: 61 pieces left out against
    36, 30 % of the weights near the faces covered against 57 %).
    """
    # the parameters the other tasks see alike (not at all, or through one shared term);
    # which of them are the task's own and which a shared term's is told where they are moved
    # a little: a head weight the penalty put at exactly zero (no penalty gradient) looks like
    # the task's own at the point, its bias at the task's best like no task's
    alike = np.array([_others_alike(jac, k) for k in range(len(values))])
    tasks = [i for i in np.flatnonzero(weights <= 0) if alike[i].any()]
    unmoved = x, values, jac, residual, 0
    if not tasks:
        return unmoved
    y, n_grad = x, 0
    moved = x + _FREE_PROBE * (1.0 + np.abs(x)) * alike[tasks].any(axis=0)
    try:
        probe = value_and_jacobian(ctx.fun, moved)[1]
        n_grad += len(values)
    except NonFiniteError:
        probe = jac
    own, shared = own_parameters(probe) & alike, shared_parameters(probe) & alike
    for i in tasks:
        for target, free in ((weights, shared[i]), (i, own[i])):
            if free.any():
                reached, _, used = minimize_task(ctx.fun, y, target, _FREE_ITER, ctx.bounds,
                                                 free=np.flatnonzero(free))
                n_grad += used
                y = y if reached is None else reached
    new_values, new_jac = value_and_jacobian(ctx.fun, y)
    n_grad += len(new_values)
    new_residual = scaled_residual(new_jac, weights, ctx.scales)
    weighted = weights > 0  # (the zero-weight tasks' own losses may rise toward the limit)
    if not (np.all(np.isfinite(new_values)) and np.all(new_values[weighted] <= values[weighted])
            and new_residual <= max(ctx.tol, scaled_residual(jac, weights, ctx.scales))):
        return x, values, jac, residual, n_grad
    return y, new_values, new_jac, new_residual, n_grad


def _lattice(ctx, root, key):
    """The lattice's axes in front coordinates, as columns of a matrix.

    Along each axis one lattice step changes the weights by ``step_size``
    (at the root): the axes are the principal directions of the change of
    the weights per unit of front coordinates, each scaled by the inverse of
    its rate. Along an axis where the weights change by less than
    ``_FLAT_RATE * step_size`` over a move as large as the largest objective
    (a flat front: a plane of constant weights), a step is ``_FLAT_STEP`` of
    that objective instead. Returns the axes, which of them are flat, and which
    of those change every objective the same way (see :func:`_one_signed`;
    not so the others: at a single task's minimum, its vertex of the simplex,
    the front leaves with that task's objective still to first order and the
    others falling).
    """
    directions_, rates, n_grad, n_hvp = tangents(ctx, root, key)
    root.n_grad += n_grad
    root.n_hvp += n_hvp
    change, rate, axes = np.linalg.svd(rates.T, full_matrices=False)  # rates.T = U S V^T
    rate = rate * np.abs(change).max(axis=0)  # the largest change of one weight per unit
    scale = np.max(np.abs(root.values)) or 1.0
    flat = rate * scale < _FLAT_RATE * ctx.step_size
    lengths = np.where(flat, _FLAT_STEP * scale, ctx.step_size / np.where(flat, 1.0, rate))
    moves = root.jac @ (axes @ directions_).T  # (m, axes): each axis's change of the objectives
    return axes.T * lengths, flat, flat & _one_signed(moves)


def _one_signed(moves):
    """Which columns of ``moves`` (the objectives' changes along lattice axes) change every
    objective the same way, to ``_ONE_SIGNED`` of the largest change.

    A Pareto front never moves so at constant weights: along such an axis
    one point dominates the next. A root on a face can have one, where
    parameters that only the tasks of zero weight depend on are free (a
    network's output bias of such a task): the front moves along it in
    those tasks alone, with constant weights (a flat axis). The seeds at
    face weights of a three-target regression and of linnerud grew their
    lattices along it, the zero-weight task's loss rising from 0.53 to 327
    (10 to 14 % of the budget on points dominated by the face's own).
    """
    size = np.abs(moves).max(axis=0)
    return ((moves >= -_ONE_SIGNED * size).all(axis=0)
            | (moves <= _ONE_SIGNED * size).all(axis=0)) & (size > 0)


class _Stall:
    """Whether a lattice has stalled: more than ``_STALL_UNCOVERED`` of the simplex's weights
    are uncovered, and over its last ``_STALL_WINDOW`` of ``max_points`` (at least
    ``_STALL_MIN_WINDOW`` points) it covered new ones at less than ``_STALL_SLOWER`` of its
    mean rate so far, a rate at which the rest of the budget would cover less than
    ``_STALL_SHORT`` of those left (a budget only too small for the set, at a steady rate,
    is no stall).
    With ``idle``, a lattice that covered no new weight at all since it started has
    stalled too (not one along a plane of constant weights, which covers none). A
    ``seed``'s lattice stalls only so, over ``_SEED_STALL_WINDOW`` of ``max_points``.

    A network's lattice can stop short of part of the simplex (its correctors fail
    where its branch of minima ends) and spend the rest of the budget where the
    weights change slowly, on weights it covers already; stage 1 at the weights
    it leaves uncovered (the seeds of :func:`skpareto._explore._seed_inside`)
    reaches the rest only while budget is left.
    """

    def __init__(self, pset, limits, seed=False):
        self.grid = simplex_lattice(pset.n_tasks, _STALL_GRID)
        self.max_points = limits["max_points"]
        self.seed = seed
        share = _SEED_STALL_WINDOW if seed else _STALL_WINDOW
        self.window = max(share * self.max_points, _STALL_MIN_WINDOW)
        self.history = []  # (points, share of the grid uncovered)

    def __call__(self, pset, idle=False):
        n = pset.n_points
        if self.history and n - self.history[-1][0] < 0.25 * self.window:
            return False
        uncovered = 1.0 - float(np.mean(pset.contains(self.grid)))
        self.history.append((n, uncovered))
        before = [(n0, u0) for n0, u0 in self.history if n - n0 >= self.window]
        if not before or uncovered <= _STALL_UNCOVERED:
            return False
        n0, u0 = before[-1]
        rate = (u0 - uncovered) / (n - n0)
        first, u_first = self.history[0]
        mean = (u_first - uncovered) / max(n - first, 1)
        slowed = (not self.seed and rate < _STALL_SLOWER * mean) or (idle and mean <= 0.0)
        return slowed and rate * (self.max_points - n) < _STALL_SHORT * uncovered


class _Covered:
    """Whether the set covers the whole simplex: every weight of a grid of ``_STALL_GRID``
    weights, then of a finer one of about ``_COVERED_GRID``.

    Checked once the set has as many points as the simplex lattice of spacing
    ``step_size`` has nodes (it covers no less before), then each time it grew
    by ``_COVERED_GROWTH`` of its points. Beyond, a lattice adds points only at
    weights covered already, where its rings go on along the front (five convex
    quadratics: 1,000 points, the budget, and 942 with the stop, every weight
    covered either way).
    """

    def __init__(self, pset, step_size, edges=False, own=None):
        m = pset.n_tasks
        self.grids = [simplex_lattice(m, q) for q in (_STALL_GRID, _COVERED_GRID)]
        self.next = lattice_size(m, step_size)
        self.step_size = step_size
        self.edges = edges and m == 3
        self.own = own  # the points of one lattice (a set that grows), if they alone count

    def __call__(self, pset):
        n = pset.n_points if self.own is None else len(self.own)
        if n < self.next:
            return False
        self.next = int(n * (1.0 + _COVERED_GROWTH)) + 1
        if self.own is not None:
            pset = pset._subset(sorted(self.own))
        return (all(pset.contains(grid).all() for grid in self.grids)
                and (not self.edges or self._edges_followed(pset)))

    def _edges_followed(self, pset):
        """Three tasks (the problem's own, ``edges``): whether every edge of the simplex has
        points along it no farther apart in the weights than ``_REFINE_WIDTH`` steps.

        The triangulation covers an edge the lattice has not reached with pieces
        from its ends: three convex quadratics (n = 4) stopped covered at 293
        points with no point on the edge without task 2 between its task-0
        weights 0 and 0.6, and the models there were up to 3 % of the set's size
        off; the lattice went on to 461 points and to 0.05 %.
        """
        weights = pset.weights
        for k in range(3):
            on_edge = weights[weights[:, k] == 0, (k + 1) % 3]
            if len(on_edge) < 2 or (np.diff(np.sort(on_edge)).max()
                                    > _REFINE_WIDTH * self.step_size):
                return False
        return True


@dataclasses.dataclass
class _Paused:
    """Where a budget (or a stall) stopped a lattice: what it goes on from, in
    :attr:`ParetoSet._lattices` by its root.

    ``ring`` holds the last level's new nodes in the order solved, ``pending``
    the steps ``(node, new)`` of that level the budget left out, ``tried`` the
    nodes stepped to (or over) so far, ``reached`` the end result on each face
    the lattice reached (of least residual, with its inner point), ``own`` its
    points, ``level`` the next level's number.
    """

    ring: list
    pending: list
    tried: set
    tight: bool
    reached: dict
    own: set
    level: int


def _grow_lattice(pset, ctx, limits, root_index, key, n_jobs, progress, stall=None,
                  ends=None, component=False):
    """Cover the set around the point ``root_index`` by a lattice (see :func:`_lattice`),
    going on from the nodes solved before, until the set covers the simplex (see
    :class:`_Covered`; with ``component``, until this lattice's points do). Returns whether
    ``stall`` stopped it."""
    root = point_of(pset, root_index, ctx.fun)
    ctx = dataclasses.replace(ctx, basis=_front_basis(root.jac))
    axes, flat, dominated = _lattice(ctx, root, key + (0,))
    # along a flat axis the weights never change: no strides; along a dominated one, no step
    # (stride 0: a node's neighbours along it are itself)
    widest = np.where(dominated, 0, np.where(flat, 1, np.inf))
    origin = ctx.coords(root.values)
    # node -> (index in pset, Point or None, stride: lattice steps to the next node per axis)
    unit = np.where(dominated, 0, 1)
    solved = {(0,) * len(axes): (root_index, root, unit)}
    # the nodes of this lattice solved before (a set that a budget stopped)
    # (a front run off to 1e94 overflows there: no node of this lattice, as NaN says; and
    # offsets past _FAR_NODE are whole numbers to 1e-6 by rounding alone -- a point of
    # another lattice, seen through axes of 1e-20, whose node overflowed the next step's)
    with np.errstate(over="ignore", invalid="ignore"):
        offsets = np.linalg.solve(axes, (ctx.coords(pset.front) - origin).T).T
        nodes = np.round(offsets)
        on_lattice = (np.all((np.abs(offsets - nodes) <= 1e-6) & (np.abs(nodes) <= _FAR_NODE),
                             axis=1)
                      & (pset.weights.min(1) > 0))
    node_of = {root_index: (0,) * len(axes)}  # index in pset -> node, of the points solved before
    for i in np.flatnonzero(on_lattice):
        node = tuple(int(k) for k in nodes[i])
        if node not in solved:
            # strides replayed from the parent's, as they grew: a lattice resumed with unit
            # strides would fill in every node its strides stepped over
            j = int(pset.parents[i])
            parent = node_of.get(j)
            if parent is not None and np.count_nonzero(np.subtract(node, parent)) != 1:
                parent = None  # not a lattice step (a point of another lattice, say)
            stride = unit if parent is None else _stride(
                ctx, solved[parent][2], parent, node, pset.weights[i] - pset.weights[j], widest)
            solved[node] = (int(i), None, stride)
            node_of[int(i)] = node
    own = {index for index, _, _ in solved.values()}  # the points this lattice solved
    paused = pset._lattices.pop(root_index, None)
    if paused is not None and all(node in solved for node in
                                  paused.ring + [node for node, _ in paused.pending]):
        # as one call would go on: from the last level's new nodes, in the order solved, and
        # the steps of that level the budget left out (from every node solved, a node is
        # claimed by another parent than in one call, with another stride)
        ring, pending, tried = list(paused.ring), list(paused.pending), paused.tried | set(solved)
        tight, reached, first = paused.tight, dict(paused.reached), paused.level
        own |= paused.own
    else:  # a set loaded or built from points: every node solved may step on
        ring, pending, tried = sorted(solved), [], set(solved)
        # once a loose tangent was far off, every later tangent of the lattice is solved
        # tightly: the Hessian is nearly singular there, and the loose ones would be off too
        tight, reached, first = False, {}, 0
        if ctx.basis is not None and len(solved) == 1:
            own.update(_add_fiber(pset, ctx, root_index, root, limits["max_points"]))
    covered = _Covered(pset, ctx.step_size, edges=ctx.whole, own=own if component else None)
    top = (lambda _: limits["max_points"]) if ends is None else ends.top
    # the faces a lattice reaches take their share of what the ends leave (top keeps it
    # for them until they have points)
    face_top = top if ends is None else (lambda pset: ends.top(pset, faces=False))
    faces = set()  # the faces covered (or being covered) from this lattice in this call

    def cover_faces(outside):
        for res, inner in outside:
            if res.face not in reached or res.residual < reached[res.face][0].residual:
                reached[res.face] = (res, inner)
        # a face is covered as soon as the lattice reaches it: it is one dimension lower,
        # and a lattice stopped by max_points would otherwise leave every face out
        before = pset.n_points
        _cover_faces(pset, ctx, limits, outside, key, n_jobs, progress, faces, face_top(pset),
                     own if component else None)
        if component:
            own.update(range(before, pset.n_points))
        if ctx.basis is not None:  # the faces' points have segments of weights too
            for index in range(before, pset.n_points):
                if not np.all(pset.params[:index] == pset.params[index], axis=1).any():
                    own.update(_add_fiber(pset, ctx, index, point_of(pset, index, ctx.fun),
                                          limits["max_points"]))

    # the faces a budget stopped in go on from their open ends (their gaps, see _cover_faces)
    cover_faces(list(reached.values()))
    stalled, level = False, first - 1
    for level in range(first, first + int(min(limits["n_steps"], 10 ** 6))):
        carry = []  # the new nodes of a level the budget stopped, which its rest joins
        if pending:
            jobs, pending, carry = pending, [], ring
        else:
            jobs, seen = [], set()
            for node in ring:
                for new in _next_nodes(node, solved[node][2]):
                    if new in tried or new in seen:
                        continue
                    if _stepped_over(new, solved):
                        tried.add(new)  # for good: strides do not change once solved
                        continue
                    seen.add(new)
                    jobs.append((node, new))
        room = top(pset) - pset.n_points
        if room <= 0 and ends is not None and not ends.done:
            ends.seed(pset)
            room = top(pset) - pset.n_points
        if not jobs or room <= 0:
            pending, ring = jobs, carry
            break
        # the nodes max_points leaves out stay untried: their parents stay open, and the
        # lattice goes on from them when the set is expanded
        jobs, pending = jobs[:room], jobs[room:]
        tried.update(new for _, new in jobs)
        for node in {node for node, _ in jobs if solved[node][1] is None}:
            index, _, stride = solved[node]
            solved[node] = (index, point_of(pset, index, ctx.fun), stride)
        children = {}  # parent node -> its jobs' indices
        for k, (node, _) in enumerate(jobs):
            children.setdefault(node, []).append(k)
        groups = Parallel(n_jobs=n_jobs)(
            delayed(_solve_children)(ctx, solved[node][1],
                                     [axes @ np.subtract(jobs[k][1], node) for k in ks],
                                     [origin + axes @ np.asarray(jobs[k][1], float) for k in ks],
                                     [key + (level + 1, len(tried), k) for k in ks], tight)
            for node, ks in children.items())
        results = [None] * len(jobs)
        for ks, (group, changed) in zip(children.values(), groups):
            tight |= changed
            for k, result in zip(ks, group):
                results[k] = result
        # outside: end results on a face, with their inner point or -1
        ring, outside = list(carry), []
        added = []
        for (node, new), (kind, found, cost) in zip(jobs, results):
            index = solved[node][0]
            pset.add_cost(cost["n_grad"], cost["n_hvp"])
            if kind == "point":
                res = found[0]
                index = pset.add_point(res.x, res.objectives, res.weights, parent=index,
                                       residual=res.residual, n_grad=res.n_grad,
                                       n_hvp=res.n_hvp)
                own.add(index)
                solved[new] = (index, point_from_result(res),
                               _stride(ctx, solved[node][2], node, new,
                                       res.weights - solved[node][1].weights, widest))
                if ctx.basis is not None:
                    own.update(_add_fiber(pset, ctx, index, solved[new][1],
                                          limits["max_points"]))
                if solved[new][2].max() > 1:  # the weights change slowly here
                    added.append(index)
                met = _collision(pset, own, index, solved[node][1].x)
                if met is None:
                    ring.append(new)
                else:  # the set is explored beyond: another root's lattice, or a face
                    pset.add_link(index, met)
                    pset.mark_expanded([index])
            else:
                for res in found:
                    if res is not None:
                        pset.add_cost(res.n_grad, res.n_hvp)
                if (kind == "outside" and found and found[0] is not None
                        and found[0].success and ctx.admits(found[0])):
                    outside.append((found[0], index))
                tried.discard(new) if kind == "failed" else None
        progress.update(pset)
        pset.mark_expanded([index for node, (index, _, stride) in solved.items()
                            if tried.issuperset(_next_nodes(node, stride))])
        cover_faces(outside + _faces_near(pset, ctx, added, faces, outside,
                                          key + (level + 1, 0)))
        if stall is not None and stall(pset, idle=not flat.any()):
            stalled = True
            break
        if covered(pset):  # nothing left to reach: the lattice's open nodes are done
            pset.mark_expanded(sorted(own))
            ring, pending = [], []
            break
    pset._lattices[root_index] = _Paused(ring, pending, tried, tight, reached, own, level + 1)
    return stalled


def _faces_near(pset, ctx, indices, done, outside, key):
    """End points on the faces that the points ``indices`` lie within a step of.

    ``indices``: new lattice points where the weights change slowly (the
    stride grew). A weight below ``step_size`` is within a lattice step of
    the face without that task, in the weights, but the lattice reaches the
    face only where the weights keep changing at their rate at the root. On a
    weakly regularized network they approach the face over a long stretch of
    the front (a task's head stays fitted until its weight is about the
    penalty), and the lattice spent the budget there without reaching any
    face. So the face's point at the node's other weights is solved
    directly, once per face, unless the lattice reached that face already.
    Where the weights keep their rate the lattice reaches the face itself,
    from a root nearer the face's middle (a face lattice rooted near a corner
    covers less).
    """
    reached = set(done) | {res.face for res, _ in outside}
    found = []
    for index in indices:
        w = pset.weights[index]
        small = w < _FACE_REACH * ctx.step_size
        face = tuple(int(i) for i in np.flatnonzero(~small))
        if not small.any() or not face or face in reached:
            continue
        reached.add(face)
        w_end = np.where(small, 0.0, w)
        end = face_end(pset, ctx, pset.params[index], w_end / w_end.sum(), face,
                       key + (index,))
        if end is not None:
            found.append(end)
    return found


def face_end(pset, ctx, x, weights, face, key):
    """The face's point at ``weights`` from ``x`` (:func:`_face_point`), its work charged
    to ``pset``, as an end for :func:`_cover_faces`: ``(result, -1)``, or None where it
    failed. No parent: the jump is not an explored step, and a step that long would let
    the triangles of the continuous set bridge the strip it jumped over."""
    res = _face_point(ctx, x, weights, face, key)
    pset.add_cost(res.n_grad, res.n_hvp)
    return (res, -1) if res.success and ctx.admits(res) else None


def _face_point(ctx, x, weights, face, key):
    """The set of the objectives ``face`` at the face's part of ``weights``, from ``x``.

    Newton at the face's weights first: it stays on the part of the set
    nearest ``x`` (on networks another minimum may lie as near). Far from the
    face it may stall in its linear phase; then stage 1 (L-BFGS on the
    face's weighted sum, then the Newton polish: a warm-started training).
    The result is embedded in the whole problem: all objectives, the
    Jacobian, zero weights off the face; its cost includes a failed Newton's.
    """
    index = list(face)
    sub = _face_context(ctx, face)
    w = weights[index]
    res = end_point(sub, x, w, np.inf, key, far=True)
    if res is None or not res.success:
        spent = (0, 0) if res is None else (res.n_grad, res.n_hvp)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # a failure is only not taken
            res = find_stationary(sub.fun, x, w, tol=ctx.tol,
                                  options=_stage_one_options(sub, key), bounds=ctx.bounds,
                                  scales=sub.scales)
        res.update(n_grad=res.n_grad + spent[0], n_hvp=res.n_hvp + spent[1])
    if res.success:
        values, jac = value_and_jacobian(ctx.fun, res.x)
        full = np.zeros(len(weights))
        full[index] = res.weights
        res.update(objectives=values, jac=jac, weights=full, n_grad=res.n_grad + len(values),
                   face=tuple(face))
    return res


def _collision(pset, own, index, previous):
    """A point not of this lattice within half the step from ``previous`` of point ``index``."""
    others = np.setdiff1d(np.arange(pset.n_points), list(own))
    if not len(others):
        return None
    x = pset.params[index]
    gaps = np.linalg.norm(pset.params[others] - x, axis=1)
    near = int(np.argmin(gaps))
    return int(others[near]) if gaps[near] <= 0.5 * np.linalg.norm(x - previous) else None


def _next_nodes(node, stride):
    """The lattice nodes a node steps to: ``stride[j]`` nodes away along axis j, both ways."""
    return [tuple(k + sign * stride[j] * (i == j) for i, k in enumerate(node))
            for j in range(len(node)) for sign in (1, -1)]


def _stepped_over(node, solved):
    """Whether a solved node's stride steps over ``node`` along an axis: ``node`` lies
    between it and the next node it steps to, where the weights change slowly.

    Such a node is not solved from a neighbour along another axis either: those unit
    steps solved every node the strides stepped over, and a 60-row three-target net
    crowded 217 of its 1,000 points within 0.005 of another's weights near the vertices
    (79.4 % of random weights covered; 90.4 % without them).
    """
    for j in range(len(node)):
        for sign in (1, -1):
            for k in range(1, _MAX_STRIDE + 1):
                entry = solved.get(tuple(c - sign * k * (i == j) for i, c in enumerate(node)))
                if entry is not None:
                    if entry[2][j] > k:
                        return True
                    break
    return False


def _stride(ctx, stride, node, new, change, widest):
    """A new node's stride: the parent's (``stride``, at ``node``), doubled along the step's
    axis where the weights changed (by ``change``) less than half ``step_size`` along it
    (halved where by more than twice), up to ``widest`` along each axis and at most
    ``_FAR_NODE``.

    A lattice even in the front coordinates crowds the weights where they change slowly
    along the set (near the simplex's boundary, on networks): there it steps over nodes, so
    that points stay about ``step_size`` apart in the weights, as the m = 2 tracer's do.
    """
    stride = stride.copy()
    axis = int(np.flatnonzero(np.subtract(new, node))[0])
    change = np.max(np.abs(change))
    if change < 0.5 * ctx.step_size and 2 * stride[axis] <= min(widest[axis], _FAR_NODE):
        stride[axis] *= 2
    elif change > 2.0 * ctx.step_size and stride[axis] > 1:
        stride[axis] //= 2
    return stride


def _cover_faces(pset, ctx, limits, outside, key, n_jobs, progress, done, top=None,
                 own=None):
    """Cover the boundary of the set: for each face (a zero weight) not in ``done`` (which
    grows), the set of the others; on a face of two tasks, with stage 1 in the gaps of its
    weights too (:func:`_seed_gaps`; a 60-row three-task net: 92 % -> 99 % covered). The set
    grows to at most ``top`` points (default ``max_points``). With ``own`` (the points of
    a lattice of another component, see :func:`grow`), only those count as the face's
    points already explored."""
    m = pset.n_tasks
    top = limits["max_points"] if top is None else top
    for res, inner in sorted(outside, key=lambda item: item[0].residual):
        face = res.face
        if len(face) == m or face in done or pset.n_points >= top:
            continue
        done.add(face)
        if len(face) == 1:  # a single task's minimum: one point
            if find_point(pset, res.x) is None:
                _add_embedded(pset, ctx, res, inner, face)
            continue
        sub, roots, known = _sub_set(pset, ctx, res, face, own)
        until = None
        if known:  # a curve with points already: only its gaps are left
            roots, until, covered = _toward_gaps(sub, roots, ctx.step_size)
            if covered:
                continue
        # the points the face holds count toward its share: every lattice (and seed) that
        # reached a face gave it a share anew, and where the face curves are long in the
        # parameters for a little of the weights (a weakly regularized net) the faces took
        # most of the budget (see the user guide). With three tasks and no n_steps, what the
        # rest of the set leaves goes to the faces' gaps at the end (faces_go_on)
        room = min(top - pset.n_points,
                   _share(len(face), m, ctx.step_size, limits["max_points"]) - known)
        if room <= 0:
            continue
        _trace_face(pset, ctx, limits, sub, roots, until, known, room, inner, face, key,
                    n_jobs, progress)


def faces_go_on(pset, ctx, limits, key, n_jobs, progress):
    """Three tasks: the faces traced already (two points inside them or more) whose weights
    have gaps go on from the ends that border them (and stage 1 in the gaps), with the
    room the rest of the set left. Called only without ``n_steps``.

    A lattice that reaches a face traces it within its share (see
    :func:`_cover_faces`); where the set is its faces (Viennet's, whose weight map is
    degenerate inside the simplex) those shares left the face without task 0
    uncovered beyond task-1 weight 0.93, with 190 points of the 1,000 spent.
    """
    m = pset.n_tasks
    if m != 3:
        return
    for face in itertools.combinations(range(m), 2):
        if pset.n_points >= limits["max_points"]:
            return
        sub, roots, known = _sub_set(pset, ctx, None, face)
        if sub is None:  # not traced (a face solved at its middle weights is, see
            continue  # skpareto._explore._Ends)
        roots, until, covered = _toward_gaps(sub, roots, ctx.step_size)
        if not covered:
            _trace_face(pset, ctx, limits, sub, roots, until, known,
                        limits["max_points"] - pset.n_points, -1, face, key, n_jobs, progress)


def _trace_face(pset, ctx, limits, sub, roots, until, known, room, inner, face, key, n_jobs,
                progress):
    """Grow the face's set ``sub`` (``known`` of its points in ``pset``) by at most ``room``
    points from ``roots``, and merge it into ``pset``."""
    m = pset.n_tasks
    sub_ctx = _face_context(ctx, face)
    sub_limits = dict(limits, max_points=room + known, back_steps=0)
    part = progress.of_part(pset, face)
    if roots:
        grow(sub, sub_ctx, sub_limits, roots, key=key + (m,) + face, n_jobs=n_jobs,
             progress=part, until=until)
    if len(face) == 2 and np.isinf(limits["n_steps"]):  # as a two-task set's own
        _seed_gaps(sub, sub_ctx, sub_limits, key + (m + 1,) + face, n_jobs, part)
    _merge_face(pset, ctx, sub, inner, face)
    progress.update(pset)


def _share(k, m, step_size, max_points):
    """A face of ``k`` of the ``m`` tasks' share of ``max_points``: as many as the nodes of
    its simplex lattice of spacing ``step_size`` are of the whole simplex's.

    Without a share, the first face a lattice reaches takes what is left of the
    budget where it is costly: a five-target network's lattice reached a face
    of three tasks after 81 points, and that face took 772 of the 1,000 (its
    weights crowd near its vertices); no weight inside the simplex was covered.
    """
    return math.ceil(max_points * lattice_size(k, step_size) / lattice_size(m, step_size))


def _toward_gaps(sub, ends, step_size):
    """The open ends of a two-task set that border gaps in its weights, and where to stop.

    Another root's lattice that reaches a face finds it covered, wholly or
    but for gaps. Followed from every open end of its pieces, on a network
    whose set runs on several branches of minima, a branch that meets none
    of the known points sweeps the face again (a three-label log-loss net:
    one face took 536 of 1,000 points, its weights covered by the first 90).
    So only the ends within ``step_size`` of a gap go on; where ends border
    a gap on both sides, each stops once it covers the gap's middle. Returns
    ``(ends, until, covered)``; ``until`` is None without such gaps,
    ``covered`` says there are no gaps.
    """
    grid, gaps = _gaps(sub)
    w = sub.weights[np.asarray(ends, dtype=int), 0]
    near = np.zeros(len(ends), dtype=bool)
    middles = []
    for lo, hi in gaps:
        below = np.abs(w - grid[lo]) <= step_size
        above = np.abs(w - grid[hi - 1]) <= step_size
        near |= below | above
        if below.any() and above.any():
            middles.append(0.5 * (grid[lo] + grid[hi - 1]))
    until = np.c_[middles, 1.0 - np.array(middles)] if middles else None
    return [j for j, keep in zip(ends, near) if keep], until, not gaps


def _gaps(pset):
    """The two-task weights grid and its runs ``(lo, hi)`` (grid indices, ``hi``
    excluded) of weights that ``pset`` does not cover.

    The grid is ``_GAP_GRID`` even weights and the midpoints between the
    points' consecutive task-0 weights: a gap between two points is a gap at
    its midpoint, however narrow (a weakly regularized net's branches, folding
    at task-0 weights 0.92546 and 0.92865, left one between two weights of the
    even grid).
    """
    weights = np.unique(pset.weights[:, 0])
    grid = np.union1d(np.linspace(0.0, 1.0, _GAP_GRID), 0.5 * (weights[1:] + weights[:-1]))
    covered = pset.contains(np.c_[grid, 1.0 - grid])
    edges = np.flatnonzero(np.diff(np.r_[True, covered, True].astype(int)))
    return grid, list(zip(edges[::2], edges[1::2]))


def _restrict(fun, face):
    """The objectives ``face`` of ``fun``, with its written-out derivatives if it has them
    (see :func:`skpareto._hvp.hessian_operator`)."""
    index = np.asarray(face)

    def restricted(x):
        return fun(x)[index]

    own_jacobian = getattr(fun, "value_and_jacobian", None)
    if own_jacobian is not None:
        def value_and_jacobian(x):
            values, jac = own_jacobian(x)
            return values[index], jac[index]

        restricted.value_and_jacobian = value_and_jacobian
    own_hvp = getattr(fun, "weighted_hvp", None)
    if own_hvp is not None:
        size = []  # fun's number of objectives, from its first evaluation

        def weighted_hvp(x, weights):
            if not size:
                size.append(len(fun(x)))
            embedded = np.zeros(size[0])  # the tasks off the face weigh nothing
            embedded[index] = weights
            return own_hvp(x, embedded)

        restricted.weighted_hvp = weighted_hvp
    if hasattr(fun, "dense_max_n"):
        restricted.dense_max_n = fun.dense_max_n
    return restricted


def _face_context(ctx, face):
    """``ctx`` for the objectives ``face``: its Hessian objective (fixed or sampled) too."""
    options = ctx.options
    if options.hess_sampler is not None:
        sampler = options.hess_sampler
        options = options.replace(hess_sampler=lambda rng: _restrict(sampler(rng), face))
    elif options.hess_fun is not None:
        options = options.replace(hess_fun=_restrict(options.hess_fun, face))
    return Context(_restrict(ctx.fun, face), ctx.tol, options, ctx.step_size, ctx.bounds,
                   ctx.entropy, scales=None if ctx.scales is None else ctx.scales[list(face)])


def _sub_set(pset, ctx, res, face, own=None):
    """A set of the objectives ``face``, the indices of its points to explore from, and how
    many of its points are in ``pset`` already (``(None, [], 0)`` where the face is to be
    explored from ``res`` but that is None).

    A face is explored from the boundary point ``res``, unless it is a curve
    (two tasks) with points of ``pset`` inside it already (a set stopped by a
    budget and resumed, or a face another root reached): then the set holds
    those points, joined as in ``pset``, and the curve goes on from the open
    ends of its pieces (not from the single-task ends) until it meets them.
    """
    sub = ParetoSet.empty(pset.n_params, len(face), fun=_restrict(ctx.fun, face))
    others = np.setdiff1d(np.arange(pset.n_tasks), face)
    on_face = np.flatnonzero(np.all(pset.weights[:, others] == 0, axis=1))
    if own is not None:
        on_face = np.intersect1d(on_face, sorted(own))
    # points inside the face (on its own boundary they belong to smaller faces too)
    inside = np.all(pset.weights[np.ix_(on_face, face)] > 0, axis=1)
    if len(face) > 2 or inside.sum() < 2:
        if res is None:
            return None, [], 0
        w = res.weights[list(face)]
        x, values, residual, n_grad = res.x, res.objectives, res.residual, res.n_grad
        if len(face) > 2:  # the root of a face's lattice: as add_root's
            x, values, _, residual, more = _fit_free(ctx, x, res.weights, values, res.jac,
                                                     residual)
            n_grad += more
        sub.add_point(x, values[list(face)], w / w.sum(), residual=residual,
                      n_grad=n_grad, n_hvp=res.n_hvp)
        _charged_before(sub, res)
        return sub, [0], 0
    index = {}
    for i in on_face:
        parent = index.get(int(pset.parents[i]), -1)
        index[int(i)] = sub.add_point(pset.params[i], pset.front[i, list(face)],
                                      pset.weights[i, list(face)], parent=parent,
                                      residual=pset.residuals[i])
    for a, b in pset.links:
        if int(a) in index and int(b) in index:
            sub.add_link(index[int(a)], index[int(b)])
    ends = [j for j in range(sub.n_points)
            if len(sub.neighbours(j)) < 2 and sub.weights[j].max() < 1.0]
    sub.mark_expanded(sorted(set(range(sub.n_points)) - set(ends)))
    return sub, ends, sub.n_points


def _add_embedded(pset, ctx, res, inner, face):
    """Add a face's point ``res`` (all objectives, its Jacobian) to ``pset``: weights embedded,
    the parameters of the tasks off the face's own at their best (see :func:`_merge_face`)."""
    w = np.zeros(pset.n_tasks)
    w[list(face)] = res.weights[list(face)]
    x, values, _, residual, more = _fit_free(ctx, res.x, w, res.objectives, res.jac,
                                             res.residual)
    pset.add_point(x, values, w, parent=inner, residual=residual, n_grad=res.n_grad + more,
                   n_hvp=res.n_hvp)
    _charged_before(pset, res)


def _charged_before(pset, res):
    """A face's end ``res`` was charged to the totals where it was found (:func:`face_end`,
    a lattice's step that left the simplex): the point made of it holds that work as its
    own, and the totals count it once."""
    pset.add_cost(-res.n_grad, -res.n_hvp)


def _merge_face(pset, ctx, sub, inner, face):
    """Copy a face's points into ``pset``: weights embedded (zeros elsewhere), full objectives,
    and the parameters of the tasks off the face's own (if they have any) at those tasks'
    best (:func:`_fit_free`).

    The face's set is explored without those tasks, so their own parameters
    stay where the face's root left them while the rest moves: on linnerud's
    face without task 0 its output bias was fitted at the root only, and the
    face's models predicted task 0 worse than its mean (training R^2 to
    -0.69, where the limit of the set, the head shrunk by the penalty and the
    bias at its best, gives 0).

    ``inner``: the point of ``pset`` whose step reached the face's first point, its parent
    there (-1: none; a face built from points of ``pset`` has its first point there
    already). The face's other roots (stage 1 in the gaps of its weights) are roots
    in ``pset`` too: joined to ``inner``, a three-target regression's gap seed at task 2's
    end made an explored step of 2.15 in the parameters from a point at task-0 weight 0.83
    on the same face, and that step's piece was 62 % of the weighted loss off.
    """
    mapping = {}
    off = np.setdiff1d(np.arange(pset.n_tasks), face)
    free = None  # whether the tasks off the face have parameters of their own
    added = []  # the face's points new to pset, which carry their work there
    for i in range(sub.n_points):
        x = sub.params[i]
        mapping[i] = find_point(pset, x)  # a vertex another face has already, say
        if mapping[i] is not None:
            continue
        added.append(i)
        w = np.zeros(pset.n_tasks)
        w[list(face)] = sub.weights[i]
        parent = (inner if i == 0 else -1) if sub.parents[i] < 0 else \
            mapping.get(int(sub.parents[i]), -1)
        residual, n_grad = sub.residuals[i], sub.n_grad[i] + 1
        if free is False:
            values = np.asarray(pset.fun(x), dtype=float)
        else:
            values, jac = value_and_jacobian(ctx.fun, x)
            n_grad += len(values) - 1
            free = bool((own_parameters(jac) | shared_parameters(jac))[off].any())
            if free:
                x, values, _, residual, more = _fit_free(ctx, x, w, values, jac, residual)
                n_grad += more
        mapping[i] = pset.add_point(x, values, w, parent=parent, residual=residual,
                                    n_grad=n_grad, n_hvp=sub.n_hvp[i])
    pset.add_cost(sub.total_grad - sub.n_grad[added].sum(),
                  sub.total_hvp - sub.n_hvp[added].sum())
    for a, b in sub.links:
        if mapping.get(int(a)) is not None and mapping.get(int(b)) is not None:
            pset.add_link(mapping[int(a)], mapping[int(b)])
    pset.mark_expanded(list(mapping.values()))


def refine(pset, ctx, limits, key, n_jobs, progress):
    """Three tasks or more: solve the set at the centroids of the wide pieces it interpolates
    poorly (three tasks), and exclude those still poor.

    The lattice's triangles span about a step of the weights, and their
    edges are explored steps whose midpoints the corrector's step control
    keeps near the set. Where the lattice stopped short of a face (strides
    grown where the weights changed slowly, then a step out of the simplex),
    the triangulation bridges the strip left with pieces spanning several
    steps, no edge of them explored: three logistic regressions' set was
    interpolated there with a relative residual of 0.092, a Rosenbrock
    valley against two spheres' of 0.10. Each piece whose vertices' weights
    lie more than ``_REFINE_WIDTH * step_size`` apart is checked at its
    centroid (one Jacobian), and where the residual there exceeds
    ``_CHORD_RESIDUAL`` the point at the centroid's weights is solved by
    fixed-weight Newton from the interpolated model, within the piece's
    extent in the parameters; the pieces are triangulated again and the new
    wide ones and those with a centroid as a vertex checked, up to
    ``_REFINE_PASSES`` times, worst first while ``max_points`` leaves room,
    adding at most ``_REFINE_SHARE`` of the set's points; then, with the room
    left (the problem's own objectives), those whose weighted gradients cancel
    to less than ``_END_BALANCE`` at the centroid (next to a face the residual
    stays small against the large gradient of a task of small weight: three
    quadratics of condition 100, n = 8, had models up to 7.9 % of the set's
    size off there, 1.3 % with these passes). A point that would
    leave weights uncovered that the set covered (the triangulation around
    it changes, and its new pieces may not pass the tests of a piece) is not
    kept (see :func:`_add_keeping_coverage`). A piece whose centroid model
    lowers its weighted loss by more than ``_PIECE_GAP`` under that Newton
    is excluded from the set first (:meth:`ParetoSet.exclude`), so coverage
    is measured without it; the pieces left unsolved are checked by
    :func:`_exclude_poor`. With four tasks and more the pieces are only
    checked and excluded, not solved: they are many more and a centroid says
    less about them (five convex quadratics took the 171 points the budget
    left for no better worst interpolation).
    """
    m = pset.n_tasks
    if m < 3:
        return
    grids = [simplex_lattice(m, q) for q in (_STALL_GRID, _COVERED_GRID)]
    residuals = {}  # the vertices of each piece checked: the residual at its centroid
    good = set()  # ... and of those solved at their centroid within _PIECE_GAP
    excluded = len(pset.excluded)
    top = min(limits["max_points"], pset.n_points + int(_REFINE_SHARE * pset.n_points))
    first = pset.n_points  # the points from here on are centroids: their pieces are checked
    balances = {}  # ... and how far its weighted gradients are from cancelling there
    tried = set()  # the pieces found above a bound (those past the room: _exclude_poor's)

    def solve_pass(level, by_balance):
        """One pass: the checked pieces above the residual's bound (``by_balance``: whose
        weighted gradients cancel to less than ``_END_BALANCE``), worst first, solved at
        their centroids; whether it added points."""
        room = top - pset.n_points
        if room <= 0:
            return False
        found = []
        for vertices, w, x, reach, bound in _checked_pieces(pset, ctx, first):
            if vertices not in residuals:
                residuals[vertices], balances[vertices] = _centroid_tests(pset, ctx, x, w)
            score = (balances[vertices] / _END_BALANCE if by_balance
                     else residuals[vertices] / bound)
            if score > 1.0 and vertices not in tried and vertices not in good:
                found.append((score, w.mean(axis=0), x.mean(axis=0), reach, vertices))
        tried.update(item[-1] for item in found)
        found = sorted(found, key=lambda item: -item[0])[:room]
        if not found:
            return False
        results = Parallel(n_jobs=n_jobs)(
            delayed(end_point)(ctx, x, w, reach, key + (level, k))
            for k, (_, w, x, reach, _) in enumerate(found))
        points, poor = [], []
        for (_, w, x, _, vertices), res in zip(found, results):
            if res is None:
                continue
            if res.success and ctx.admits(res):
                gap = _loss_gap(ctx, x, w, res)
                pset.add_cost(n_grad=1)
                (good.add if gap <= _PIECE_GAP else poor.append)(vertices)
                if find_point(pset, res.x) is None:
                    points.append((res, w))
                    continue
            pset.add_cost(res.n_grad, res.n_hvp)
        # what the set covers without them: a point is not kept if it uncovers more
        pset.exclude(np.reshape(poor, (-1, m)))
        covered = [pset.contains(grid) for grid in grids]
        added = _add_keeping_coverage(pset, ctx, points, grids, covered)
        progress.update(pset)
        return added

    if m == 3:
        for level in range(_REFINE_PASSES):
            if not solve_pass(level, False):
                break
        # then, with the room the residual's passes left (the problem's own tasks), the pieces
        # next to a face whose residual stays small against the large gradient of a task of
        # small weight (not before them: taking their room cost a budget-bound Rosenbrock
        # valley its coverage)
        for level in range(_REFINE_PASSES, 2 * _REFINE_PASSES if ctx.whole else 0):
            if not solve_pass(level, True):
                break
    _exclude_poor(pset, ctx, residuals, balances, good, first, key + (_REFINE_PASSES,), n_jobs)
    if len(pset.excluded) > excluded:
        log(progress.verbose, 2, f"{len(pset.excluded) - excluded} pieces left out of the set: "
                                 f"their models lie more than {_PIECE_GAP:.0%} of the weighted "
                                 "loss from it")


def _checked_pieces(pset, ctx, first):
    """``(vertices, weights, params, extent, bound)`` of the pieces :func:`refine` checks: those
    wider than ``_REFINE_WIDTH`` steps of the weights (``_MORE_TASKS_WIDTH`` from four tasks
    on) or with a vertex from ``first`` on (a centroid solved), and from four tasks on the
    narrower ones that :func:`_bridges_boundary`; not a fiber's. With each, ``bound``: the
    centroid residual above which it is solved (``_CHORD_RESIDUAL`` for three tasks,
    ``_MORE_TASKS_RESIDUAL`` from four on, ``_BRIDGE_RESIDUAL`` for a narrow bridge)."""
    m = pset.n_tasks
    width = (_REFINE_WIDTH if m == 3 else _MORE_TASKS_WIDTH) * ctx.step_size
    for piece in pset.pieces:
        vertices = tuple(sorted({int(i) for i in piece}))
        if len(vertices) < m:
            continue
        w, x = pset.weights[list(vertices)], pset.params[list(vertices)]
        reach = np.linalg.norm(x[:, None] - x[None], axis=2)
        if reach[np.triu_indices(m, 1)].min() == 0:  # a fiber's
            continue
        spread = np.abs(w[:, None] - w[None]).max()
        narrow = spread <= width
        if narrow and not any(i >= first for i in vertices) and not (
                m > 3 and spread > _REFINE_WIDTH * ctx.step_size and _bridges_boundary(w)):
            continue  # narrow, and explored
        bound = _CHORD_RESIDUAL if m == 3 else (
            _BRIDGE_RESIDUAL if narrow else _MORE_TASKS_RESIDUAL)
        yield vertices, w, x, reach.max(), bound


def _bridges_boundary(weights):
    """Whether a piece joins a point on an edge of the simplex (two tasks' curve) to one
    inside: four-target net, a piece of 0.29 in the weights from the edge point
    (0.50, 0.50, 0, 0) to the main lattice interpolated the set with a centroid residual of
    0.33, its model 57 % of the weighted loss off; narrower than _MORE_TASKS_WIDTH steps,
    it was not checked. (Any boundary point instead of an edge's: four and five convex
    quadratics spent 16 and 25 % more gradient-equivalents on the pieces' residuals, and
    none was poor.)"""
    zeros = (weights <= 0.0).sum(axis=1)
    return bool(zeros.max() >= weights.shape[1] - 2 and zeros.min() == 0)


def _centroid_tests(pset, ctx, x, w):
    """:func:`skpareto._continuation.piece_tests` of a piece of points ``x`` and weights
    ``w``, charged (inf where not finite: Newton decides)."""
    pset.add_cost(n_grad=pset.n_tasks)
    return piece_tests(ctx, x, w)


def _exclude_poor(pset, ctx, residuals, balances, good, first, key, n_jobs):
    """Leave out of the set the pieces :func:`refine` checks whose centroid model is poor.

    Refine solves the worst pieces while its share of ``max_points`` leaves
    room; the rest stayed pieces, and ``contains`` called their weights
    covered. On a 60-row three-task net whose lattices took the whole budget,
    sliver pieces joined a face point to the main lattice across weight spans
    of 0.8: at weights in them, fixed-weight Newton moved the model 0.25 to
    0.47 of the piece's extent and lowered the weighted loss by up to 45 %.
    Each checked piece whose centroid residual (``residuals``, by vertices;
    computed for the pieces not in it) exceeds its bound (see
    :func:`_checked_pieces`), or (three tasks) whose weighted gradients there
    cancel to less than ``_END_BALANCE`` (``balances``), is solved at its
    centroid's weights by
    fixed-weight Newton from the centroid's model (:func:`_solve_gap`); it
    is excluded (:meth:`ParetoSet.exclude`) unless Newton converges and
    changes the weighted loss by at most ``_PIECE_GAP`` of it. The pieces
    refine solved and found within that (``good``) are not solved again.
    """
    m = pset.n_tasks
    poor = []
    for vertices, w, x, reach, bound in _checked_pieces(pset, ctx, first):
        if vertices not in residuals:  # (both from one Jacobian)
            residuals[vertices], balances[vertices] = _centroid_tests(pset, ctx, x, w)
        off = residuals[vertices] > bound or (m == 3 and balances[vertices] > _END_BALANCE)
        if off and vertices not in good:
            poor.append((vertices, w.mean(axis=0), x.mean(axis=0), reach))
    results = Parallel(n_jobs=n_jobs)(delayed(_solve_gap)(ctx, x, w, reach, key + (k,))
                                      for k, (_, w, x, reach) in enumerate(poor))
    for res in results:
        if res is not None:
            pset.add_cost(res.n_grad + 1, res.n_hvp)
    pset.exclude(np.reshape([v for (v, w, x, _), res in zip(poor, results)
                             if not _loss_gap(ctx, x, w, res) <= _PIECE_GAP], (-1, m)))


def _solve_gap(ctx, x, w, extent, key):
    """Fixed-weight Newton from model ``x`` at weights ``w``, to ``_GAP_TOL`` (or ``ctx.tol``
    if looser) within ``_GAP_REACH * extent`` of it: near the set, the loss still to lose
    below that residual is far below ``_PIECE_GAP``; None where not finite on the way."""
    return end_point(dataclasses.replace(ctx, tol=max(ctx.tol, _GAP_TOL)), x, w,
                     _GAP_REACH * extent, key, far=True)


def _loss_gap(ctx, x, w, res):
    """How much the result ``res`` of fixed-weight Newton from model ``x`` at weights ``w``
    changes the weighted loss, relative to the loss it reaches; inf where it did not
    converge inside the bounds."""
    if res is None or not (res.success and ctx.admits(res)):
        return np.inf
    values = np.asarray(ctx.fun(x), dtype=np.float64)
    if not np.all(np.isfinite(values)):
        return np.inf
    best = float(w @ res.objectives)
    # both ways: Newton (MINRES takes indefinite Hessians) may climb to a saddle between
    # two sheets of minima, from the centroid of a piece bridging them
    return abs(float(w @ values) - best) / max(abs(best), np.finfo(float).tiny)


def _add_keeping_coverage(pset, ctx, points, grids, covered):
    """Add the solved ``points`` (result, weights) to the set as isolated points, but not those
    that leave a weight of ``grids`` uncovered that ``covered`` says the set covered: all of
    them if none does, else each half in turn the same way. Returns how many were kept.

    Isolated (no parent, no links): an explored step as long as the piece it
    splits would let the pieces around its vertices bridge as far, and joined
    so, more weights were left uncovered (a set whose face runs off to 1e94).
    """
    first = pset.n_points
    for res, w in points:
        pset.mark_expanded([pset.add_point(res.x, res.objectives, w, residual=res.residual,
                                           n_grad=res.n_grad, n_hvp=res.n_hvp)])
    if not any(np.any(was & ~pset.contains(grid)) for grid, was in zip(grids, covered)):
        return len(points)
    pset._drop_last(pset.n_points - first)
    if len(points) == 1:
        res = points[0][0]
        pset.add_cost(res.n_grad, res.n_hvp)  # solved, not kept
        return 0
    half = len(points) // 2
    return (_add_keeping_coverage(pset, ctx, points[:half], grids, covered)
            + _add_keeping_coverage(pset, ctx, points[half:], grids, covered))


def _found_at(pset, x, weights):
    """Whether ``pset`` holds a point at ``x`` with ``weights`` (both to rounding): a seed
    that lands there adds nothing, though no piece covers those weights (DTLZ4 with alpha
    = 100: seed after seed landed on the start, stationary for one of two tasks whose
    gradients were 1e-52, and the set was 122 copies of it)."""
    same = _at(pset, x)[1]
    return bool(np.any(np.abs(pset.weights[same] - weights).max(axis=1, initial=0.0) <= 1e-9))


def find_point(pset, x):
    """Index of a point of ``pset`` at ``x`` (to rounding), or None."""
    gaps, same = _at(pset, x)
    return int(np.argmin(gaps)) if same.any() else None


def _at(pset, x):
    """The distances of ``pset``'s points from ``x``, and which of them lie at ``x`` (to
    rounding)."""
    gaps = np.linalg.norm(pset.params - x, axis=1)
    return gaps, gaps <= 1e-8 * (1.0 + np.linalg.norm(x))


# -- stage 1 again where the set leaves weights uncovered -------------------------------


def _seed_gaps(pset, ctx, limits, key, n_jobs, progress, verbose=0):
    """Two tasks: where the weights the set covers leave a gap, start again inside it.

    A network's set can run on several branches of minima, each ending in a
    fold of its weights; the continuation jumps from one to the next and
    traces the new one back, but where a third branch covers the weights
    between two folds, neither reaches it. Stage 1 at the middle of each gap
    (in a grid of ``_GAP_GRID`` weights; the single-task ends are left to
    stage 1 for one task), warm started from the point of nearest weights,
    finds that branch, and the set is followed from it until it covers the
    gap's ends; repeated while gaps remain, up to ``_GAP_SEEDS`` stage-1
    runs. A gap of more than ``step_size`` that runs to a single-task end is
    one too, once stage 1 for that task alone has not reached it (a
    ZDT3-like problem: task 0's minimum lies on a bound where task 1's
    gradient is infinite, and the branch of task-0 weights 0.885 to 1 was
    missing; the last thousandths before a singular end, as Lame 0.5's, are
    not worth the starts: 2.9 -> 13.9 s). ``key`` (a tuple) seeds their
    sampled Hessians. Returns the stage-1 iterations spent.
    """
    tried = set()
    n_iter = 0
    while pset.n_points < limits["max_points"] and len(tried) < _GAP_SEEDS:
        grid, gaps = _gaps(pset)
        size = len(grid)
        gaps = [(lo, hi, 0.5 * (grid[lo] + grid[hi - 1])) for lo, hi in gaps
                if (0 < lo and hi < size
                    or ctx.step_size < grid[hi - 1] - grid[lo] and hi - lo < size)]
        gaps = [gap for gap in gaps if round(gap[2], 9) not in tried]
        if not gaps:
            break
        for lo, hi, middle in gaps:
            w = np.array([middle, 1.0 - middle])
            if (len(tried) >= _GAP_SEEDS or pset.n_points >= limits["max_points"]
                    or pset.contains(w)):  # a seed before covered it
                continue
            tried.add(round(middle, 9))
            log(verbose, 2, f"the set does not cover weights {np.round(w, 3)}: starting there")
            # followed until it covers the gap's ends (those inside the simplex): beyond,
            # the weights are covered
            ends = np.array([[grid[i], 1.0 - grid[i]] for i in (lo - 1, hi)
                             if 0 <= i < size])
            # a root at a point found already (a critical point of every objective,
            # stationary for any weights) is no new branch
            n_iter += _seed(pset, ctx, limits, w, key + (len(tried),), n_jobs, progress,
                            verbose,
                            new=lambda root: not pset.contains(root.weights)
                            and find_point(pset, root.x) is None,
                            until=ends)
    return n_iter


def _seed(pset, ctx, limits, weights, key, n_jobs, progress, verbose, new=None, until=None,
          paused=None, alone=False, start=None, component=False):
    """Stage 1 at ``weights`` from the point of nearest weights (or from ``start``); grow the
    set from its root.

    ``new(root)`` says whether the root adds to the set (default: it is not
    :func:`_represented`); ``until`` stops its branches (see :func:`grow`);
    ``key`` (a tuple) seeds the sampled Hessians. With a list ``paused``
    (more tasks), a lattice that stalls stops early and its root is appended
    to it. With ``alone``, a root that adds nothing to explore from, but
    lies at weights the set does not cover, is added as a point of its own
    (it covers its weights; a weakly regularized net's single-task end, which
    the set reached to 1e-5, was dropped); two tasks: where a piece joins it
    to the set (:func:`_joined`), else the set is followed from it.
    ``component``: the root is of another component of the set (see
    :func:`grow`). A stage 1 that fails (or a start where the objectives are not
    finite) warns nothing: the seed is only not taken, and the set is whole without it.
    Returns the stage-1 iterations (none once ``max_points`` is reached).
    """
    if pset.n_points >= limits["max_points"]:
        return 0
    if start is None:
        start = pset.params[pset._nearest_in_weights(weights)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            root = find_stationary(pset.fun if ctx.fun is None else ctx.fun, start,
                                   weights, tol=ctx.tol,
                                   options=_stage_one_options(ctx, key + (0, 0, 0)),
                                   bounds=ctx.bounds, verbose=max(verbose - 1, 0),
                                   scales=ctx.scales)
        except NonFiniteError:
            # a start where a gradient is not finite (a spread run's in the box, at
            # Kursawe's kink x = 0) raised out of explore, and the set found was lost
            return 0
    new = new or (lambda root: not _represented(pset, root, ctx.step_size))
    usable = root.success and ctx.admits(root)
    if not usable or not new(root):
        # a point found already adds nothing at its weights; two tasks: nor at others (it is
        # critical for every task, and stands for its own weights only)
        if (not (alone and usable and not pset.contains(root.weights))
                or (find_point(pset, root.x) is not None if pset.n_tasks == 2
                    else _found_at(pset, root.x, root.weights))):
            pset.add_cost(root.n_grad, root.n_hvp)
            return root.nit
        near = _joined(pset, ctx, root)
        if pset.n_tasks > 2 or near is not None:
            # the set around it is explored already: nothing is left to grow from it
            index = add_root(pset, ctx, root, limits["max_points"])
            pset.mark_expanded([index])
            if near is not None:
                pset.add_link(near, index)
            return root.nit
        # two tasks, and no piece to it: the set between is longer than the front made it
        # look (a log-loss task's end 3.2 from the last point in the parameters, that at
        # weight 0.014, dropped: predict_at refused the end); followed, it meets the set
    index = add_root(pset, ctx, root, limits["max_points"])
    # the first root's Hessian may be well conditioned where the seed's is not (a task of
    # condition 1e6 against a sphere: the first root at the sphere's end)
    ctx = settle_hessian(pset, ctx, point_from_result(root))
    stopped = grow(pset, ctx, limits, [index], key=key, n_jobs=n_jobs, progress=progress,
                   until=until, pause=paused is not None, seed=True, component=component)
    if paused is not None:
        paused += stopped
    return root.nit


def settle_hessian(pset, ctx, point):
    """``ctx``, its Hessians formed as matrices where ``"auto"`` chose products but MINRES
    solves the tangents at ``point``, to the tolerance a failed step solves them to
    (``_TIGHT_RTOL``), in more than ``DENSE_PROBE_SHARE`` of the products the matrix takes
    (``n`` for each right-hand side).

    There the Hessian is ill-conditioned: the products' tangents are loose as well as dear,
    and the steps shrink (random quadratics of condition 1e6, n = 50: 478 to 558 points in
    84 to 214 s against 64 or 65 in 3 to 8 s; at the first point the loose solve took 43 and
    56 products, the tight one 135; see ``DENSE_PROBE_SHARE`` for the others measured). Up to
    ``DENSE_PROBE_MAX_N`` parameters (see :func:`_may_form`), decided at the first root
    (:func:`explore`) or the set's first point (:func:`expand_set`) for the whole set, and
    again at each seed's root for what grows from it (:func:`_seed`, in this process), so
    that every branch and every ``n_jobs`` solves alike; in the front coordinates the lattice uses
    (where the tasks' gradients are dependent along the set, the bordered systems of all
    ``m - 1`` are singular, and MINRES ran to its budget on a front of fewer dimensions).
    The probe's work is charged to ``pset``.
    """
    n = point.x.size
    if not _may_form(ctx, n):
        return ctx
    try:
        directions, _, n_grad, n_hvp = tangents(
            dataclasses.replace(ctx, basis=_front_basis(point.jac)), point, (), _TIGHT_RTOL)
    except NonFiniteError:
        return ctx
    pset.add_cost(n_grad, n_hvp)
    if n_hvp <= DENSE_PROBE_SHARE * n * len(directions):
        return ctx
    return dataclasses.replace(ctx, options=ctx.options.replace(hessian="dense"))


def _may_form(ctx, n):
    """Whether :func:`settle_hessian` may form the Hessians of ``ctx`` for ``n``
    parameters: ``"auto"`` chose products, ``n <= DENSE_PROBE_MAX_N``, and they are
    autograd's (not an objective's written-out products, as the estimator's networks, formed
    in blocks: :func:`skpareto._options.dense_max_n` decides there, and for their tangents
    :meth:`SolverOptions.dense_tangents_for`), of ``fun`` itself (not a sampled Hessian)."""
    options = ctx.options
    return not (options.hessian != "auto" or n > DENSE_PROBE_MAX_N
                or options.dense_for(n, ctx.fun)
                or getattr(ctx.fun, "weighted_hvp", None) is not None
                or options.hess_fun is not None or options.hess_sampler is not None)


def _joined(pset, ctx, root):
    """Two tasks: the point of nearest weights to the stage-1 point ``root`` if the piece
    between them interpolates the set (its midpoint's residual within the chord's), else
    None (also for more tasks). ``root`` is no point found already (see :func:`_seed`).

    A network's branch that approaches its single-task end in halving steps
    stops within ``_END_GAP`` of it (the end singular for the branch's
    Newton steps), and stage 1 for the task alone reaches the end next to the
    last point: dropped as a part of the set explored already, it left the
    weights in between uncovered (a two-target regression's set covered
    ``[0.000815, 1]``, and ``predict_at`` raised at task 1 alone).
    """
    if pset.n_tasks != 2 or pset.n_points == 0:
        return None
    near = int(np.argmin(np.abs(pset.weights[:, 0] - root.weights[0])))
    residual = piece_residual(ctx, np.stack([pset.params[near], root.x]),
                              np.stack([pset.weights[near], root.weights]))
    pset.add_cost(n_grad=2)
    return near if residual <= _CHORD_RESIDUAL else None


def _stage_one_options(ctx, site):
    """Stage 1 with a sampled Hessian: one fixed sample, of the Hessian site ``site`` (a
    tuple of ints, see :meth:`Context.hess_fun`), for its Newton polish."""
    options = ctx.options
    if options.hess_sampler is None:
        return options
    return options.replace(hess_fun=ctx.hess_fun(site), hess_sampler=None)


def _represented(pset, root, step_size):
    """Whether a stage-1 point lies on the part of the set explored already.

    It does where a point found is as near in the front (half the median
    step between points) and within ``step_size`` in the weights: at a
    corner of the front many weights share nearly one front point, and the
    set there is not explored until its weights are.
    """
    coords = front_coordinates(pset.front)
    c = front_coordinates(root.objectives)
    with np.errstate(over="ignore"):  # a front run off to 1e94: infinitely far
        steps = np.linalg.norm(np.diff(coords, axis=0), axis=1) if len(coords) > 1 else [0.0]
        near = np.linalg.norm(coords - c, axis=1) <= 0.5 * max(np.median(steps), 0.0)
    near &= np.abs(pset.weights - root.weights).max(axis=1) <= step_size
    return bool(np.any(near)) or find_point(pset, root.x) is not None


# -- rays toward the faces (three tasks) -------------------------------------------------


def rays(pset, ctx, limits, key, n_jobs, progress, top=None):
    """Three tasks: from the points nearest each face, rays of fixed-weight points toward it.

    On a network the weights of a task approach zero over a long stretch of
    the front: its head is let go while the other two tasks stay near their
    best, and the front runs far out in that task (a three-target regression:
    its loss from 0.08 at weight 0.08 to 0.52 at the face, the others'
    within 0.01). A lattice even in the front coordinates crowds the weights
    there and stops short of the faces, and the strip left between was a
    third of the simplex (57 % of random weights covered). The face's own
    points do not bridge it: they can lie on another sheet of minima (at
    weights 0.04 from the face, 1.05 apart in the parameters from the
    lattice's point of nearly the same weights).

    So, for each face and each band of ``_RAY_BAND`` steps of the other two
    tasks' ratio, the point (not on a face) with the least weight of the
    face's task within ``_RAY_REACH`` steps of it starts a ray: that weight
    divided by ``_RAY_RATIO`` again and again down to ``_RAY_FIRST``, the
    ratio kept, each point solved by fixed-weight Newton from the one before
    (the set there moves about evenly per halving of the weight), until a
    weight the set covers already. A ray's points are explored steps from
    its start; their pieces are checked by :func:`refine`. At most ``top``
    points (default ``max_points``), level by level across the rays (see
    :func:`_depths`). Returns how many points were added.
    """
    if pset.n_tasks != 3 or not ctx.whole:
        return 0
    top = limits["max_points"] if top is None else top
    w = pset.weights
    inner = np.flatnonzero(w.min(axis=1) > 0)
    width = _RAY_BAND * ctx.step_size
    bands = np.arange(0.5 * width, 1.0, width)
    found = []  # (band, face, start, weights of the ray), by band, then face
    for k in range(3):
        pair = [i for i in range(3) if i != k]
        near = inner[w[inner, k] <= _RAY_REACH * ctx.step_size]
        ratio = w[near, pair[0]] / w[near][:, pair].sum(axis=1)
        for b, centre in enumerate(bands):
            band = near[np.abs(ratio - centre) <= 0.5 * width]
            if not len(band):
                continue
            start = int(band[np.argmin(w[band, k])])
            levels = w[start, k] / _RAY_RATIO ** np.arange(1, _RAY_LEVELS + 1)
            levels = levels[levels >= _RAY_FIRST]
            weights = np.outer(1.0 - levels, w[start]) / (1.0 - w[start, k])
            weights[:, k] = levels
            found.append((b, k, start, weights))
    if not found:
        return 0
    found.sort(key=lambda ray: ray[:2])
    # each ray up to the first weights the set covers already (one lookup for all of them)
    covered = np.split(pset.contains(np.vstack([ray[3] for ray in found])),
                       np.cumsum([len(ray[3]) for ray in found])[:-1])
    depths = _depths([int(np.argmax(done)) if done.any() else len(done) for done in covered],
                     top - pset.n_points)
    chosen = [(b, k, start, weights[:depth])
              for (b, k, start, weights), depth in zip(found, depths) if depth]
    results = Parallel(n_jobs=n_jobs)(delayed(_ray)(ctx, pset.params[start], weights,
                                                    key + (b, k))
                                      for b, k, start, weights in chosen)
    added = 0
    for (_, _, start, _), ray in zip(chosen, results):
        parent = start
        for res in ray:
            if res is None:
                break
            if not (res.success and ctx.admits(res)):
                pset.add_cost(res.n_grad, res.n_hvp)
                break
            parent = pset.add_point(res.x, res.objectives, res.weights, parent=parent,
                                    residual=res.residual, n_grad=res.n_grad, n_hvp=res.n_hvp)
            pset.mark_expanded([parent])
            added += 1
    progress.update(pset)
    return added


def _depths(lengths, room):
    """How many of its ``lengths`` levels each ray solves within ``room`` points: level by
    level across the rays (every ray's first, then every ray's second, ...), the last level
    reached for the first rays in order.

    Most of a strip's weights lie at its first levels (half of those within 0.1 of a face
    are above 0.05), and a network's rays ask for more than the room: 58 rays of 253
    levels for 150 points, of which the rays in order took all, each to its end, and 24
    rays none.
    """
    lengths = np.asarray(lengths, dtype=int)
    depths = np.zeros_like(lengths)
    for level in range(1, lengths.max(initial=0) + 1):
        if room <= 0:
            break
        taken = np.flatnonzero(lengths >= level)[:room]
        depths[taken] = level
        room -= len(taken)
    return depths


def _ray(ctx, x, weights, key):
    """The results of fixed-weight Newton at each row of ``weights`` in turn, each from the
    point before (from ``x`` first), up to the first that fails (None: not finite)."""
    out = []
    for j, w in enumerate(weights):
        res = end_point(ctx, x, w, np.inf, key + (j,), far=True)
        out.append(res)
        if res is None or not res.success:
            break
        x = res.x
    return out
