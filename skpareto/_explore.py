"""Stage 2 as the user calls it: ``explore`` and ``expand_set``.

These functions validate, run stage 1 from each start
(:func:`skpareto.find_stationary`), and hand the roots to the continuation
(:mod:`skpareto._continuation`), which grows one :class:`ParetoSet` in place.
"""

import dataclasses
import warnings

import autograd.numpy as anp
import numpy as np
from scipy.stats import qmc

from ._continuation import (_END_BALANCE, Context, end_point, piece_tests, point_from_result,
                            trace)
from ._cover import (_cover_faces, _face_point, _found_at, _may_form, _represented, _seed,
                     _seed_gaps, _share, _stage_one_options, add_branch, add_root, face_end,
                     faces_go_on, grow, own_parameters, point_of, rays, refine, settle_hessian)
from ._cover import directions as directions_of
from ._hvp import check_point, hessian_operator, value_and_jacobian
from ._options import SolverOptions
from ._paretoset import ParetoSet
from ._stationary import (_KINK, _minimize, _strictly_inside, _weighted, at_bounds,
                          find_stationary, minimize_task, scaled_residual)
from ._utils import Progress, Result, Status, log
from ._validation import (check_bounds, check_callable, check_int, check_n_jobs, check_real,
                          check_verbose)
from ._weights import (_CHART_RANGE, check_weights, gradient_scale, lattice_divisions,
                       lattice_size, objective_scales, safe_norm, scaled_weights,
                       shown_weights, simplex_lattice, zero_sum_basis)
from .exceptions import ConvergenceWarning, NonFiniteError, StationarityError
from .metrics import non_dominated

__all__ = ["explore", "expand_set", "explore_starts", "solver_context"]

# default largest change of a weight between neighbouring points, for two and three tasks;
# with more the number of points grows with the power m - 1 of its inverse, and the
# default grows as (m - 1) / 2 to keep them to a few hundred
_STEP_SIZE = 0.05
# ... which is not enough from five tasks on: there the default is at least the spacing of
# the finest simplex lattice of at most this many weights (see _default_step)
_LATTICE_WEIGHTS = 250
_MAX_POINTS = 1000
# more tasks: the set is started again at the weights of a simplex lattice of about this many
# that it does not cover (28 for three tasks: steps of a sixth; 20 for four: a third)
_SEEDS = 28
# ... then at the weights inside the simplex of a finer one of about this many (steps of a
# tenth for three tasks) that it still does not cover: a three-label log-loss net's set
# left a wedge between the coarse seeds (87.9 % of the weights covered, 97.0 % with these)
_FINE_SEEDS = 66
# from this many tasks on, a lattice keeps a share of max_points for the single-task ends
# it does not reach (see _Ends)
_ENDS_TASKS = 4
# a weight this close to 1: the set reaches that single-task end
_EXACT_END = 1e-9
# three tasks or more: the seeds leave this share of max_points to solving the weights of a
# step's simplex lattice that the set leaves uncovered (see _fill) ...
_FILL_SHARE = 0.1
# ... of which at most this many are tried, and four tasks or more no more once this many
# in a row kept nothing: each try takes the set's pieces again, in m - 1 dimensions (a
# five-target regression's 1,000 points: 63 s -> 26.6 s, the same coverage; three targets,
# pieces in the plane, left 20.3 % of the weights uncovered against 16.9 % with every try)
_FILL_TRIES = 60
_FILL_MISSES = 10
# three tasks: the lattices, seeds and fill leave this share of max_points to the rays toward
# the faces (see skpareto._cover.rays); what the rays leave, the lattices take again
_RAY_SHARE = 0.15
# a task minimized alone from the start is explored from where it beats the set's best
# value of that task by more than this fraction of the task's range over the set
_BETTER_END = 0.1
# ... and kept where every piece they make has a relative residual below this at its
# centroid, or else reaches the set by Newton from there within this fraction of its extent
# (see _interpolates)
_FILL_RESIDUAL = 0.05
_FILL_REACH = 0.1
# with a finite box, each task is minimized alone from this many points spread over it, for
# components of the set no start reached (see _ends_in_box)
_BOX_STARTS = 8
# ... of which a task makes no more once this many first ones end at one point of the front
# (two: with 3 sin(3 x_0) added to a quadratic in [-3, 3]^2 both ended in the basin of
# f_1 = 2.92, the third and five others in that of -2.83)
_AGREEING_RUNS = 3
# the weights whose minima in the box _beyond_faces looks for faces at: this many, evenly
# spaced, at most _FACE_TRIES of them; a point of a face's set collides with the set's (and is
# dropped) only within _SAME of it, relative
_FACE_GRID = 101
_FACE_TRIES = 12
_SAME = 1e-9


def explore(fun, x0, weights=None, *, tol=1e-8, step_size=None, n_steps=None,
            max_points=None, bounds=None, options=None, random_state=None, n_jobs=None,
            verbose=0):
    """Explore the Pareto set of ``fun`` continuously from a start point.

    Stage 1 (:func:`find_stationary`) reaches a Pareto-stationary point from
    ``x0``; stage 2 follows the set from it in both directions, by
    continuation along the front, until the set ends: where a task's weight
    reaches zero, where the set leaves ``bounds``, where it meets points
    found before, or where it runs away (an unbounded set; ``verbose``
    says so). Unless ``n_steps`` or ``max_points`` stop it first, the
    parts of the simplex the set does not reach get starts of their own, and
    each task minimized alone from ``x0`` is explored from where it finds a
    clearly better single-task point than the set's end (another component
    of the set); with a finite box, also from points spread over it, where
    it finds one that no point of the set dominates. The explored points and
    the pieces between them form a continuous set (:class:`ParetoSet`).

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (m,)`` objectives written with ``autograd.numpy``.
    x0 : array-like of shape (n,) or (k, n)
        Starting point, or ``k`` starting points: the set is explored from
        each in turn, and a start that lands on a part of the set already
        explored adds nothing.
    weights : array-like of shape (m,) or (k, m), default=None
        Trade-off of stage 1 (the weighted sum L-BFGS minimizes), one row per
        start; default uniform (in the scaled objectives, where the set is
        explored in them: see ``tol``).
    tol : float, default=1e-8
        Relative stationarity residual ``||J^T w|| / max_i ||grad f_i||``
        every point must reach. Where the tasks' gradients lie more than ten
        times apart (at ``x0`` or at the first stage-1 point), the set is
        explored in the objectives divided by each task's gradient scale
        (``ParetoSet.objective_scales``): in the weights as given it lies in a
        corner of the simplex, and against the largest gradient a task of
        small gradients would pass far from its own minimum. Every point is
        then measured against both (``ParetoSet.task_scales``, see
        :func:`skpareto._weights.residual_scale`), and the residual recorded
        is the larger of the two; the weights stay those of the objectives as
        given.
    step_size : float, default=None
        Largest change of any task's weight between neighbouring points
        (for three tasks or more: the lattice spacing at the start, which
        doubles where the weights change by less than half of it); the
        continuation takes shorter steps where the set curves. None: 0.05
        for two and three tasks, ``0.025 (m - 1)`` for four, and for more the
        larger of that and ``1 / k`` for the largest ``k`` whose simplex
        lattice of spacing ``1 / k`` has at most 250 weights (1/6 for five
        tasks, 1/4 for six and seven, 1/3 for eight to ten): the number of
        points grows with the power ``m - 1`` of the inverse.
    n_steps : int, default=None
        Largest number of steps from each start in each direction (two
        tasks) or lattice rings (more); 0: stage 1 only; None: until the set
        ends.
    max_points : int, default=None
        Stop once the set holds this many points; None: 1000. Where it
        ends the exploration short of the simplex, a ConvergenceWarning says
        how much of it is left (:func:`expand_set` goes on).
    bounds : tuple of array-like, default=None
        ``(lower, upper)``, scalars or arrays of shape (n,): the set ends
        where it leaves this box (for two tasks, on the face it crosses, to
        1e-10 relative; ``x0`` must lie inside). A point solved
        outside it by rounding only (1e-12, relative) is moved onto its face:
        a set whose parts lie on the box's faces, as DTLZ2's edges in
        ``[0, 1]^n``, is followed along them. A set held on a face of the box
        (ZDT's, whose distance variables are at 0), where no point is
        stationary, is followed on that face, with the coordinates that every
        task pushes out of the box held at their bounds (see the user guide,
        *Sets on the box's boundary*); :func:`expand_set` does not go on from
        such a set. A finite box is also where each task is minimized alone
        from 8 points spread over it (a fixed Halton sequence), for parts of
        the set no start leads to (ZDT3's five pieces). Where stage 1 from
        ``x0`` ends on the box's boundary and no face holds a set, it starts
        again from the box's centre. With two tasks, where the set meets a
        face on which one task pulls a coordinate out of the box and the other
        in, it goes on along the face (and at a corner, one point holds a
        segment of weights) for the weights it leaves uncovered (the user
        guide, *Two tasks pulling a held coordinate both ways*).
    options : SolverOptions, default=None
        Stage-1 method, corrector and linear-solver settings
        (:class:`SolverOptions`).
    random_state : int or None, default=None
        Seed of ``options.hess_sampler``: the generator of each Hessian site
        is seeded from ``numpy.random.SeedSequence(random_state,
        spawn_key=key)`` with a key fixed by the start, the branch and the
        step, so results do not depend on ``n_jobs`` or the joblib backend.
        None draws fresh entropy once per call. Unused without a sampler.
    n_jobs : int, default=None
        Parallel jobs (:class:`joblib.Parallel`) for the independent branches
        (both directions of each start, the nodes of a lattice ring), so
        ``joblib.parallel_backend("dask")`` distributes them. Results do not
        depend on ``n_jobs``; ``fun`` is shipped to the workers with
        cloudpickle. On small problems, starting workers costs more than it
        saves.
    verbose : int or bool, default=0
        Progress on stderr: 1 one line with elapsed time, points, weight
        coverage and an estimate of what remains, and at the end how many
        points others of the set dominate (it is Pareto-stationary), and,
        where ``max_points`` stopped the exploration short of the simplex, how
        much of it is left uncovered; 2 every branch.

    Returns
    -------
    pareto_set : ParetoSet
        The explored points, their weights, front, residuals and costs.

    Raises
    ------
    ValueError
        On malformed arguments, or if ``fun`` is not finite at ``x0``.
    StationarityError
        If stage 1 reaches no point stationary to ``tol`` from any start (nor,
        with ``bounds``, a face of the box that holds the set): no set is
        presented that is not one.

    Warns
    -----
    ConvergenceWarning
        Where ``max_points`` ends the exploration short of the simplex (how
        much of a grid of weights is left uncovered), or where no step from
        the stage-1 point converged.

    Notes
    -----
    The continuation follows the front coordinates ``Z.T f`` (``Z`` an
    orthonormal zero-sum basis): on a Pareto front they never fold, so the
    set is followed through folds of its weights, on concave fronts and on
    degenerate sets. Each step predicts along the tangent of the set (or
    the secant of the last two points), corrects with bordered
    Newton-MINRES (:func:`~skpareto._stationary.arclength_correct`), and
    lengthens or shortens the next step by how the corrector converged and by
    the residual at the midpoint of the step's chord (the continuous set
    there).
    Where a local branch of the set ends (its front turns back), the point
    is re-solved beyond the end with L-BFGS, and the continuation goes on
    from the branch it reaches. Unless ``n_steps`` or ``max_points`` stops
    it, the parts of the set not reached get starts of their own, warm
    started from the nearest point: the single-task ends (from four tasks on,
    a share of ``max_points`` is kept for them), then the weights of a coarse
    simplex lattice the set does not cover (three tasks or more); with a
    tenth of ``max_points`` kept from those, the weights of a lattice of
    ``step_size`` spacing still uncovered are solved where they are, each
    with a ring of the set around it, kept where its pieces interpolate the
    set. For three tasks, the faces (two-task curves, each within its share
    of ``max_points`` before) whose weights have gaps go on with what the
    rest of the set left; then the pieces of the continuous set wider than two
    steps of the weights that interpolate it poorly at their centroid are
    solved there; those whose model there is more than 1 % of the weighted
    loss from the set's, or from where fixed-weight Newton does not reach
    the set, are left out of it (``ParetoSet.excluded``), and the fill runs
    again for the weights they alone covered. From four tasks on, the
    pieces wider than four steps are checked so, and left out, not solved.
    See the user guide for the details.

    References
    ----------
    .. [1] Ma, Du, Matusik, "Efficient Continuous Pareto Exploration in
       Multi-Task Learning", ICML 2020, Algorithm 1.
    .. [2] Martin, Schuetze, "Pareto Tracer: a predictor-corrector method for
       multi-objective optimization problems", Engineering Optimization 50
       (2018).

    Examples
    --------
    >>> from skpareto import explore
    >>> from skpareto.problems import ConvexQuadratic
    >>> problem = ConvexQuadratic(n=4, m=2, random_state=0)
    >>> pset = explore(problem.fun, problem.x0)
    >>> float(pset.weights[:, 0].min()), float(pset.weights[:, 0].max())
    (0.0, 1.0)
    """
    check_callable(fun, "fun", "x -> (m,) objectives", allow_none=False)
    options = SolverOptions() if options is None else options
    verbose = check_verbose(verbose)
    n_jobs = check_n_jobs(n_jobs)
    starts = np.atleast_2d(np.asarray(x0)) if np.ndim(x0) == 2 else None
    x0 = check_point(x0 if starts is None else starts[0], "x0")
    starts = [x0] if starts is None else [check_point(s, "x0") for s in starts]
    try:
        values, _ = value_and_jacobian(fun, x0)
    except NonFiniteError as exc:
        raise NonFiniteError(f"x0, the start: {exc} Start where the objectives and their "
                             "gradients are finite (|x| ** 0.8 or a norm, say, has no "
                             "gradient at 0).") from None
    m = values.size
    per_start = _start_weights(weights, m, len(starts))
    ctx, limits = solver_context(fun, m, x0.size, tol, step_size, n_steps, max_points, bounds,
                                 options, random_state)
    for k, start in enumerate(starts):
        if not ctx.inside(start):
            raise ValueError(f"x0 must lie inside bounds; start {k} does not.")
    # with bounds, stage 1's warnings wait: a set on the box's face is explored anew (below)
    with warnings.catch_warnings(record=ctx.bounds is not None) as caught:
        if caught is not None:
            warnings.simplefilter("always")
        pset, failures, _ = explore_starts(fun, starts, per_start, ctx, limits, n_jobs=n_jobs,
                                           verbose=verbose)
    # explore's own settings, for its calls on the box's faces and from its centre
    settings = dict(tol=tol, step_size=step_size, n_steps=n_steps, options=options,
                    random_state=random_state, n_jobs=n_jobs, verbose=verbose)
    found = None
    on_boundary = False  # stage 1 ended on the box's boundary (or outside it)
    if pset.n_points == 0:
        worst = min(failures, key=lambda r: r.residual)
        on_boundary = (ctx.bounds is not None and worst.x is not None
                       and not _strictly_inside(worst.x, ctx.bounds))
        # (whatever stopped stage 1: MGDA's descent on ZDT1 ends inside the box, at x_0 = 0
        # where sqrt's gradient is infinite)
        found = (None if ctx.bounds is None else
                 _BoxFace.of(fun, starts[0], per_start[0], ctx.bounds, options.max_iter))
    if found is not None:
        # the set lies on the box's face (ZDT's): followed in the coordinates off it
        face = found
        log(verbose, 1, f"stage 1 ended on the box's boundary, {face.fixed.sum()} coordinates "
                        "at their bounds: the set is followed with them held there")
        try:
            # from every start's free coordinates (x0's rows: the pieces of ZDT3's front they
            # lead to), inside the box
            reduced = explore(face, np.array([start[face.free] for start in starts]), weights,
                              max_points=max_points,
                              bounds=(ctx.bounds[0][face.free], ctx.bounds[1][face.free]),
                              **settings)
            on_face = face.embed(reduced, spent=(pset.total_grad, pset.total_hvp))
        except (NonFiniteError, StationarityError):  # no set there either: stage 1's error
            on_face = None
        if on_face is not None and on_face.n_points:
            return _beyond_faces(on_face, fun, ctx, limits, settings)
    centre = _box_centre(ctx.bounds, starts) if on_boundary else None
    if centre is not None:
        # stage 1 ended on the box's boundary from x0 (MGDA's descent held at a face of
        # DTLZ2 where an objective vanishes, its polish then outside the box): the set is
        # inside the box, and the centre reaches it
        log(verbose, 1, "stage 1 ended on the box's boundary from x0: starting again from "
                        "the box's centre")
        try:  # all of it: a set on a face of the box found from there too (ZDT2's)
            retry = explore(fun, centre, per_start[0], max_points=max_points, bounds=bounds,
                            **settings)
        except (NonFiniteError, StationarityError):  # x0's failure says more
            retry = None
        if retry is not None and retry.n_points:
            retry.add_cost(pset.total_grad, pset.total_hvp)
            return retry
    if pset.n_points == 0 and on_boundary:
        # stage 1 ended at a KKT point of the box whose tasks pull the held coordinates both
        # ways: the set lies on faces, each followed as the weights reach it
        on_faces = _beyond_faces(pset, fun, ctx, limits, settings, start=starts[0])
        if on_faces.n_points:
            return on_faces
    # (each once, as the default filter shows them)
    for w in {(w.category, str(w.message), w.filename, w.lineno): w
              for w in caught or ()}.values():
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if pset.n_points == 0:
        on_bound = (" That point lies on or outside bounds, and no face of the box holds "
                    "a set to follow: explore follows sets inside the box, or on a face of "
                    "it out of which every task's gradient points in the coordinates held "
                    "(as ZDT's sets)." if on_boundary else "")
        mgda = "" if worst.get("method") == "mgda" else "options=SolverOptions(method='mgda'), "
        if on_bound:  # the box given is why: only another start (inside) can help; MGDA
            # descends to the same boundary (ZDT1: then to x0 = 0, where sqrt's gradient is
            # infinite, and its error read as unrelated)
            advice = " Another x0 may reach a part of the set inside the box."
        elif worst.residual <= tol or worst.status in (Status.DIVERGED, Status.NON_FINITE):
            # stationary, but every task still descends from there; or no end to descend
            # (Kursawe's |x|**0.8 from x0 = 0.1: stage 1 ended at the kink x = 0)
            advice = (" Where the problem has a box outside which the objectives fall without "
                      "end, pass it as bounds=(lower, upper); where they have a kink there "
                      f"(|x|**p at 0, p < 1), or else, try {mgda}another x0.")
        else:
            advice = (" Try more iterations (options=SolverOptions(max_iter=...)), "
                      f"{mgda}a looser tol, or another x0.")
        # a residual within tol is a point that is stationary but not usable (on the box's
        # bound, a saddle): "no stationary point ... the best residual was 2.5e-17" read as
        # a contradiction
        best = (f"the best point reached is stationary (relative residual "
                f"{worst.residual:.3g}) but not usable: {worst.message}"
                if worst.residual <= tol else
                f"the best relative residual was {worst.residual:.3g} ({worst.message})")
        raise StationarityError(
            f"stage 1 reached no usable Pareto-stationary point to tol={tol:g} from "
            f"{'x0' if len(starts) == 1 else 'any start'}: {best}.{on_bound}{advice}")
    if ctx.bounds is not None:
        pset = _beyond_faces(pset, fun, ctx, limits, settings)
    return pset


def _beyond_faces(pset, fun, ctx, limits, settings, start=None):
    """``pset`` (two tasks) with the parts of the set on the box's faces and corners that its
    weights reach.

    Where the set leaves the box through a face, the weights beyond are those
    of points on the face whose weighted gradients point out of it (KKT
    points of the box), in coordinates that one task pulls out and the other
    in: not a face out of which every task pushes (:meth:`_BoxFace.of`), and
    the set ended there. Two quadratics whose minimizers lie outside
    ``[-1, 1]^2``: 4 or 5 points, 8 % of the weights, silently; where stage 1
    ended on such a face, StationarityError (5 of 12 random convex pairs in a
    box). For the weight of a grid that
    the set leaves uncovered farthest from those it covers (and from the
    simplex's vertices, where a face's set was one point), the weighted sum
    is minimized in the box (L-BFGS-B from the point of the set of the
    nearest weights); where the minimum lies on a face not followed yet, in
    one of whose held coordinates the tasks pull both ways, the set is
    explored on it (:class:`_BoxFace`, with the rest of
    ``max_points``) and the points where it is still the box's KKT face are
    merged into the set (only a point found twice collides: near a corner
    the face's points lie 1e-5 from the set's end, their weights 0.86 to 1
    against its 0.84); at a corner, the one point holds the segment of
    weights for which it is a KKT point (:func:`_add_corner`). Then the grid
    is looked at again, at most ``_FACE_TRIES`` times. An empty ``pset``: the
    minimizations start from ``start``, the first at equal weights.

    Not for three tasks yet: on random quadratics in a box the merged sets
    covered 25 -> 100 % and 12 -> 25 % of a 231-weight grid, but the set's
    weighted loss at covered weights was up to 0.35 above the box's minimum
    (1e-3 before): pieces across a face's edge, and a face's set of fewer
    dimensions than its tasks', whose segments of weights at one point the
    KKT test does not cut. ``settings``: :func:`explore`'s, for the faces' own.
    """
    if pset.n_tasks != 2 or not np.isinf(limits["n_steps"]) or (start is None
                                                                and not pset.n_points):
        return pset
    lower, upper = ctx.bounds
    grid = simplex_lattice(2, _FACE_GRID)
    norms = None  # the tasks' gradient norms, for the minimizations: once one is needed
    tried, faces = set(), set()
    for _ in range(_FACE_TRIES):
        covered = pset.contains(grid) if pset.n_points else np.zeros(len(grid), bool)
        open_ = np.array([k for k in np.flatnonzero(~covered) if k not in tried], np.int64)
        room = limits["max_points"] - pset.n_points
        if not len(open_) or room <= 0:
            break
        # the open weight farthest from those covered and from the simplex's boundary: inside
        # the widest gap (at its vertex, a task's minimum, the face's set was one point)
        depth = 2.0 * grid[open_].min(axis=1)
        if covered.any():
            depth = np.minimum(depth, np.min(np.abs(grid[open_][:, None]
                                                    - grid[covered][None]).sum(axis=2), axis=1))
        k = int(open_[np.argmax(depth)])
        tried.add(k)
        w = grid[k]
        near = (pset.params[np.argmin(np.abs(pset.weights - w).sum(axis=1))] if pset.n_points
                else start)
        if norms is None:
            norms = safe_norm(value_and_jacobian(fun, pset.params[0] if pset.n_points
                                                 else start)[1], axis=1)
        try:
            x, status, _, n_grad, _ = _minimize(fun, near, _weighted(fun, w), 0.0,
                                                ctx.options.max_iter, norms,
                                                list(zip(lower, upper)))
        except NonFiniteError:
            continue
        pset.add_cost(n_grad=n_grad)
        if status in (Status.DIVERGED, Status.NON_FINITE):
            continue
        at_lower, at_upper = at_bounds(x, ctx.bounds)
        held = at_lower | at_upper
        face = (tuple(np.flatnonzero(at_lower)), tuple(np.flatnonzero(at_upper)))
        if not held.any() or face in faces:
            continue
        x = np.clip(x, lower, upper)
        try:
            values, jac = value_and_jacobian(fun, x)
        except NonFiniteError:
            continue
        pset.add_cost(n_grad=2)
        slack = 1e-8 * np.max(np.abs(jac))
        if not np.any(np.any(jac[:, held] > slack, axis=0) & np.any(jac[:, held] < -slack, axis=0)):
            # every task pushes out of the box in every held coordinate: a face that stage 1
            # finds where it holds the set (_BoxFace.of); from here, on a concave front (the
            # weighted sums' minima jump to its far end), a face beyond the set's end
            continue
        if held.all():  # a corner of the box: one point for a range of weights
            faces.add(face)
            _add_corner(pset, x, values, jac, at_lower)
            continue
        on = _BoxFace(fun, at_lower, at_upper, ctx.bounds)
        log(settings["verbose"], 1, f"the set does not cover weights {shown_weights(w)}, "
                                    f"whose minimum in the box holds {held.sum()} coordinates "
                                    "at their bounds: following the set on that face")
        with warnings.catch_warnings(record=True) as notes:
            warnings.simplefilter("always")
            try:
                # (stage 1 at the face's own weights, not w: at a vertex x is that task's
                # minimum, where its gradient says nothing of its scale; see _Chart.of)
                reduced = explore(on, x[on.free], max_points=room,
                                  bounds=(lower[on.free], upper[on.free]), **settings)
            except (NonFiniteError, StationarityError):
                reduced = None
        _face_notes(notes, reduced is not None and reduced.n_points >= room,
                    settings["verbose"])
        if reduced is None:
            continue
        beyond = on.embed(reduced)
        if beyond.n_points:
            beyond.mark_expanded(range(beyond.n_points))  # (expand_set: not from a face)
            # only a point found twice collides: near a corner of the box the face's points
            # lie within 1e-5 of the set's end, their weights 0.86 to 1 against its 0.84
            on_face_of = pset._held  # a set on a face stays one (expand_set does not go on)
            pset = beyond if not pset.n_points else pset.merge(
                beyond, tol=_SAME * (1.0 + np.abs(pset.params).max()),
                front_tol=_SAME * (1.0 + np.abs(pset.front).max()))
            if len(on_face_of):
                pset._held = on_face_of
            faces.add(face)
    return pset


def _face_notes(notes, budget, verbose):
    """Re-issue the warnings ``notes`` of a face's own exploration in
    :func:`_beyond_faces`, but its ConvergenceWarnings only where its budget ended it
    (``budget``: the user's to raise); else they are logged at ``verbose >= 1``.

    The others (a start the face's set could not be followed from, a solve that
    stopped early) are about a part of the set that the merged set shows: one
    pair of convex quadratics in a box warned that "the set could not be
    followed from the stage-1 point" where the merged set covered 99 % of the
    weights, every point at tol.
    """
    for note in notes:
        if budget or not issubclass(note.category, ConvergenceWarning):
            warnings.warn_explicit(note.message, note.category, note.filename, note.lineno)
        else:
            log(verbose, 1, f"on that face: {note.message}")


def _add_corner(pset, x, values, jac, at_lower):
    """Add the corner ``x`` of the box, its objectives ``values`` and Jacobian ``jac``, to
    ``pset`` (two tasks) for the weights at which it is a KKT point: a segment of weights at
    one point, its ends two points with the same ``x`` (joined to a point of the set at
    ``x``, where there is one)."""
    # the weighted derivative w_0 g_0 + (1 - w_0) g_1 in each coordinate points out of the box:
    # >= 0 at a lower bound, <= 0 at an upper; each a bound on w_0
    sign = np.where(at_lower, 1.0, -1.0)
    base, slope = sign * jac[1], sign * (jac[0] - jac[1])  # base + slope w_0 >= 0
    low, high = 0.0, 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        limit = -base / slope
    low = max([low, *limit[slope > 0]])
    high = min([high, *limit[slope < 0]])
    if not low <= high or np.any((slope == 0) & (base < 0)):
        return
    same = np.flatnonzero(np.all(np.abs(pset.params - x) <= _SAME * (1.0 + np.abs(x)), axis=1))
    parent = -1
    for w0 in (low, high):
        w = np.array([w0, 1.0 - w0])
        known = [j for j in same if abs(pset.weights[j, 0] - w0) <= 1e-9]
        if known:
            parent = known[0]
            continue
        if parent < 0 and len(same):
            parent = int(same[0])
        parent = pset.add_point(x, values, w, parent=parent, residual=0.0)
    pset.mark_expanded(np.flatnonzero(np.all(pset.params == x, axis=1)))


def _box_centre(bounds, starts):
    """The centre of the box ``bounds``, None where it is one of ``starts``. Coordinates
    without both bounds keep the first start's."""
    lower, upper = bounds
    finite = np.isfinite(lower) & np.isfinite(upper)
    middle = 0.5 * (np.where(finite, lower, 0.0) + np.where(finite, upper, 0.0))
    centre = np.where(finite, middle, starts[0])
    if any(np.array_equal(centre, start) for start in starts):
        return None
    return centre


class _BoxFace:
    """``fun`` on a face of the box: the coordinates ``at_lower`` and ``at_upper`` (masks) held at
    those bounds, a function of the others (``free``).

    A Pareto set can lie on the box's boundary, as ZDT's sets (``x_k = 0`` for ``k >= 1``):
    there the weighted gradients cancel in the free coordinates only, and in each fixed one
    point out of the box (a KKT point). Stage 1 with bounds ends on such a face; the set is
    followed in the free coordinates, each point checked to remain a KKT point of the box
    (:meth:`embed`).
    """

    def __init__(self, fun, at_lower, at_upper, bounds):
        fixed = at_lower | at_upper
        self.fun = fun
        self.fixed = fixed
        self.at_lower = at_lower[fixed]  # of the fixed coordinates, which are at a lower bound
        values = np.where(at_lower, bounds[0], bounds[1])
        self.free = np.flatnonzero(~fixed)
        self.embedding = np.eye(fixed.size)[:, self.free]  # (n, free): differentiable
        self.offset = np.where(fixed, values, 0.0)

    @classmethod
    def of(cls, fun, x0, weights, bounds, max_iter):
        """The face of the box that the set lies on; None where no coordinate (or every one) is
        held.

        The weighted sum is minimized in the box (L-BFGS-B from ``x0``) at ``weights``
        (default equal) and at ``m`` more, each halfway from the centre of the simplex to a
        vertex: a coordinate is held at a bound where every minimum lies on it and every
        task's gradient points out of the box there (each task alone would keep it there).
        Several weights, because on a concave front the weighted sum reaches only its ends,
        where the coordinate the trade-off moves lies on a bound too (ZDT2's ``x_0``: at 1 or
        0 as the weights tip).
        """
        lower, upper = bounds
        jac0 = value_and_jacobian(fun, x0)[1]
        m, norms = len(jac0), safe_norm(jac0, axis=1)
        centre = np.full(m, 1.0 / m)
        first = centre if weights is None else np.asarray(weights, dtype=np.float64)
        held_lower = held_upper = None  # over the minima reached
        for w in (first, *(0.5 * (centre + np.eye(m)))):
            try:
                # stage 1's L-BFGS-B, which steps back from where a gradient is infinite
                # (ZDT3's sqrt at x_0 = 0: scipy's own line search stopped at x0)
                x, status = _minimize(fun, x0, _weighted(fun, w), 0.0, max_iter, norms,
                                      list(zip(lower, upper)))[:2]
                _, jac = value_and_jacobian(fun, x)
            except NonFiniteError:
                continue
            if status in (Status.DIVERGED, Status.NON_FINITE):
                continue
            slack = 1e-8 * np.max(np.abs(jac), axis=1, keepdims=True)
            on_lower, on_upper = at_bounds(x, bounds)
            on_lower &= np.all(jac >= -slack, axis=0)
            on_upper &= np.all(jac <= slack, axis=0)
            held_lower = on_lower if held_lower is None else held_lower & on_lower
            held_upper = on_upper if held_upper is None else held_upper & on_upper
        if held_lower is None:
            return None
        at_lower, at_upper = held_lower, held_upper & ~held_lower
        if not (at_lower | at_upper).any() or (at_lower | at_upper).all():
            return None
        return cls(fun, at_lower, at_upper, bounds)

    def full(self, z):
        return self.offset + anp.dot(self.embedding, z)

    def __call__(self, z):
        return self.fun(self.full(z))

    def _outward(self, jac, weights):
        """Whether the weighted gradient points out of the box in each fixed coordinate (its
        multiplier nonnegative, to rounding of the gradient's size)."""
        grad = (weights @ jac)[self.fixed]
        slack = 1e-8 * np.max(np.abs(jac))
        return np.where(self.at_lower, grad >= -slack, grad <= slack)

    def embed(self, reduced, spent=(0, 0)):
        """The set ``reduced`` of the free coordinates as points of ``fun``: those at which the
        face is still the box's KKT face (the set leaves it where a fixed coordinate's
        multiplier turns negative). ``spent``: work before, ``(n_grad, n_hvp)``, added to the
        set's totals."""
        params = self.offset + reduced.params @ self.embedding.T
        keep = [i for i, x in enumerate(params)
                if self._outward(value_and_jacobian(self.fun, x)[1], reduced.weights[i]).all()]
        pset = reduced if len(keep) == reduced.n_points else reduced._subset(keep)
        pset.total_grad = reduced.total_grad + spent[0] + len(params) * reduced.n_tasks
        pset.total_hvp = reduced.total_hvp + spent[1]
        pset.params = params[keep]
        pset.fun = self.fun
        pset._cache, pset._lattices = None, {}  # (of the free coordinates)
        pset._held = np.flatnonzero(self.fixed)  # (see expand_set)
        return pset


def expand_set(pareto_set, fun, *, toward=None, tol=1e-8, step_size=None, n_steps=None,
               max_points=None, bounds=None, options=None, random_state=None, n_jobs=None,
               verbose=0):
    """Continue exploring a :class:`ParetoSet` in place, from where it stopped.

    Branches that stopped on a budget (``n_steps``, ``max_points``) go on
    from their last point; branches that ended (the weights reached the
    simplex boundary, a bound, a singular end) stay ended. With three tasks
    or more, a lattice goes on from its last ring, with the steps the budget
    left out, as one call would have; a set pickled or loaded from a file
    keeps its points, not where its lattices stopped, and they go on from
    every point not yet expanded. Then, unless a
    budget stops it, stage 1 starts again where the weights are not covered,
    as in :func:`explore` (the single-task ends and the gaps between branches
    for two tasks, a coarse simplex lattice for more).

    Parameters
    ----------
    pareto_set : ParetoSet
        Set to grow; modified in place and returned.
    fun : callable
        The objectives.
    toward : array-like of shape (m,), default=None
        Weights to reach, until the set covers them
        (:meth:`ParetoSet.contains`). Two tasks: the set is continued from
        its end nearest to them in weight, in the direction that approaches
        them. Where that does not reach them (or with more tasks), the set's
        point at these weights is solved directly from the point of nearest
        weights (fixed-weight Newton, else stage 1 there) and the set is
        followed one step around it (two tasks: one step each way; more: one
        lattice ring). None: continue every unfinished branch.
    tol, step_size, n_steps, bounds, options, random_state, n_jobs, verbose
        As in :func:`explore`.
    max_points : int, default=None
        Stop once the set holds this many points, counting those it holds
        already; None: 1000 more than it holds.

    Returns
    -------
    pareto_set : ParetoSet

    Raises
    ------
    ValueError
        If ``pareto_set`` is not a ParetoSet or is empty (explore it first),
        lies on a face of the box (see ``bounds`` of :func:`explore`), or
        ``fun`` does not return one objective per task of the set.

    Warns
    -----
    ConvergenceWarning
        Where the set does not reach ``toward``, or (without it) where
        ``max_points`` ends the expansion short of the simplex, as in
        :func:`explore`.
    """
    if not isinstance(pareto_set, ParetoSet):
        raise ValueError(f"pareto_set must be a ParetoSet, got {type(pareto_set).__name__}.")
    if not pareto_set.n_points:
        raise ValueError("pareto_set is empty: there is no point to continue from. Explore "
                         "the set first (explore(fun, x0)), then expand it.")
    check_callable(fun, "fun", "x -> (m,) objectives", allow_none=False)
    shape = np.shape(fun(pareto_set.params[0]))
    if shape != (pareto_set.n_tasks,):
        raise ValueError(f"fun must return the set's {pareto_set.n_tasks} objectives, one per "
                         f"task; at the set's first point it returns shape {shape}.")
    options = SolverOptions() if options is None else options
    verbose = check_verbose(verbose)
    n_jobs = check_n_jobs(n_jobs)
    pset = pareto_set
    if len(pset._held):
        raise ValueError("pareto_set lies on a face of the box, its coordinates "
                         f"{pset._held.tolist()} held at their bounds: expand_set does not "
                         "go on from it; call explore again with a larger max_points.")
    if pset.fun is None:  # e.g. loaded from a file: front_at needs it too
        pset.fun = fun
    m = pset.n_tasks
    target = None if toward is None else check_weights(toward, m, "toward")
    ctx, limits = solver_context(fun, m, pset.n_params, tol, step_size, n_steps, max_points,
                                 bounds, options, random_state)
    if pset.objective_scales is None:
        _expand(pset, ctx, limits, max_points, target, n_jobs, verbose)
    else:  # explored in its scaled objectives: go on there
        chart = _Chart(fun, pset.objective_scales)
        chart.enter(pset)
        try:
            _expand(pset, chart.context(ctx), limits, max_points,
                    None if target is None else scaled_weights(target, chart.scales), n_jobs,
                    verbose, chart.scales)
        finally:  # an interruption keeps the points found so far, as the set's own
            chart.leave(pset)
    if target is not None and not pset.contains(target):
        spent = ("; max_points is reached, pass a larger one"
                 if pset.n_points >= limits["max_points"] else "")
        warnings.warn(f"expand_set stopped before reaching weights {target}: "
                      f"{pset.coverage()}{spent}.", ConvergenceWarning, stacklevel=2)
    elif target is None:  # (in the weights as given, as explore's)
        _coverage_note(pset, limits, verbose, stacklevel=3)
    return pset


def _expand(pset, ctx, limits, max_points, target, n_jobs, verbose, scales=None):
    """:func:`expand_set` on validated arguments (``target``: ``toward``, or None), the set
    in the objectives divided by ``scales`` if given."""
    ctx = dataclasses.replace(ctx, scales=pset.task_scales)
    if pset.n_points and _may_form(ctx, pset.n_params):
        try:
            ctx = settle_hessian(pset, ctx, point_of(pset, 0, ctx.fun))
        except NonFiniteError:
            pass
    progress = Progress(verbose, scales)
    if max_points is None:  # a set stopped by the default budget goes on
        limits["max_points"] += pset.n_points
    if target is not None:
        if not pset.contains(target):
            _toward(pset, ctx, limits, target, n_jobs, progress)
    else:
        open_points = np.flatnonzero(~pset.expanded)
        key = pset.n_points
        grow(pset, ctx, limits, open_points, key=(key,), n_jobs=n_jobs, progress=progress)
        # as explore does: a resumed set ends as one call's would
        _seed_uncovered(pset, ctx, limits, key + 1, n_jobs, progress, verbose)
        if np.isinf(limits["n_steps"]):
            faces_go_on(pset, ctx, limits, (key + 3,), n_jobs, progress)
            refine(pset, ctx, limits, (key + 2,), n_jobs, progress)
    progress.close(pset)
    return pset


def explore_starts(fun, starts, weights, ctx, limits, *, n_jobs, verbose):
    """Stage 1 from each start, then the continuation from each new root: the one multi-start path.

    A start that lands on a part of the set explored already adds nothing.
    Returns ``(pareto_set, failures, n_iter)``: the set (empty if no start
    reached ``ctx.tol``), the stage-1 results that did not, and the stage-1
    iterations summed over the starts.
    """
    on_face = isinstance(fun, _BoxFace)  # (the inner explore of a set on the box's face)
    pset = chart = None
    progress = Progress(verbose)
    failures, stuck, paused, n_iter = [], [], [], 0
    ends = _Ends(ctx, limits, len(starts), n_jobs, progress, verbose)
    for k, (start, w) in enumerate(zip(starts, weights)):
        if chart is not None and w is not None:
            w = scaled_weights(w, chart.scales)
        root = find_stationary(fun, start, w, tol=ctx.tol,
                               options=_stage_one_options(ctx, (k, 0, 0, 0)),
                               bounds=ctx.bounds, verbose=max(verbose - 1, 0),
                               scales=ctx.scales)
        n_iter += root.nit
        if pset is None:
            pset = ParetoSet.empty(start.size, len(root.weights), fun=fun)
        if not root.success:
            failures.append(root)
            pset.add_cost(root.n_grad, root.n_hvp)
            continue
        if not pset.n_points:
            # tasks of scales far apart: the set is explored in their scaled objectives
            chart = _Chart.of(fun, root)
            if chart is not None:  # every later solve measures each task on its own scale too
                charted = chart.context(ctx)
                given = Result(root)  # (chart.root converts root in place)
                growth = gradient_scale(root.jac) / np.max(root.start_norms)
                root = _chart_root(pset, charted, chart.root(root), w, (k, 0, 0, 2))
                _polish(charted, root, (k, 0, 0, 1))
                if root.residual > len(root.weights) * ctx.tol:
                    # stationary only against the largest task gradient (a root within tol
                    # is within m tol on the tasks' own scales): no point of the set. One
                    # that grew without bound: a pole where the objective falls without end
                    # (log(x0 + 0.5) at x0 = -0.5 + 1e-14, 1e15 times the start's); or a
                    # plateau, every gradient vanishing at its own rate (exp(-700)).
                    # Recorded in the objectives as given, with that residual
                    kink = growth >= _KINK
                    given.update(status=Status.NON_FINITE if kink else Status.MAX_ITER,
                                 success=False, residual=root.residual, n_grad=root.n_grad,
                                 n_hvp=root.n_hvp,
                                 message=(f"stationary only against a task gradient "
                                          f"{growth:.3g} times the largest at the start (a "
                                          f"kink, or a pole where an objective falls without "
                                          f"end)" if kink else "stationary only against the "
                                          "largest task gradient")
                                 + f"; on each task's own scale its relative residual is "
                                   f"{root.residual:.3g}")
                    failures.append(given)
                    pset.add_cost(root.n_grad, root.n_hvp)
                    chart = None
                    continue
                fun, ctx = chart.fun, charted
                pset.fun, pset.task_scales = fun, ctx.scales
                progress.scales = chart.scales
            ctx = settle_hessian(pset, ctx, point_from_result(root))
            ends.ctx = ctx
        if pset.n_points and _represented(pset, root, ctx.step_size):
            log(verbose, 2, f"start {k} lands on the set explored already")
            pset.add_cost(root.n_grad, root.n_hvp)
            continue
        # a start from another x0 (the user's rows), not on the set explored already, may be
        # on another component of it, which its lattice covers as its own (it would stop at
        # once: the set covers the simplex). Not the estimator's start_weights from one x0:
        # on a 30-row three-target net each grew over the simplex again (1,000 points, the
        # budget, against 400, for 1 % less coverage)
        component = pset.n_points > 0 and not any(np.array_equal(start, other)
                                                  for other in starts[:k])
        index = add_root(pset, ctx, root, limits["max_points"])
        # a lattice that stalls leaves the budget to the seeds of _seed_uncovered first
        paused += grow(pset, ctx, limits, [index], key=(k,), n_jobs=n_jobs, progress=progress,
                       pause=np.isinf(limits["n_steps"]), ends=ends, component=component)
        # no step from the root, though the budgets allowed one (n_steps=0 or max_points=1
        # stopped it, not the steps)
        if (pset.n_points == index + 1 and limits["n_steps"] > 0
                and pset.n_points < limits["max_points"] and _front_moves(root.jac)):
            stuck.append(root)
    if pset.n_points:
        # within what the lattices may grow to: the points kept for the ends stay theirs (not
        # the rays': a component with a better end comes first)
        room = dict(limits, max_points=ends.top(pset, rays=False))
        n_iter += _ends_from_start(pset, ctx, room, starts[0], (len(starts), 3), n_jobs,
                                   progress, verbose, paused)
        n_iter += _ends_in_box(pset, ctx, room, (len(starts), 7), n_jobs, progress, verbose,
                               paused)
        ends.seed(pset)  # unless a lattice did
        # (the seeds are not held back for faces: their lattices reach them)
        held = ends.top(pset, faces=False)
        fill = int(_FILL_SHARE * limits["max_points"]) if pset.n_tasks > 2 else 0
        n_iter += _seed_uncovered(pset, ctx, dict(limits, max_points=held - fill),
                                  len(starts), n_jobs, progress, verbose)
        if fill:  # then the seeds the fill's share stopped go on
            _fill(pset, ctx, dict(limits, max_points=held), n_jobs, progress, verbose)
            n_iter += _seed_uncovered(pset, ctx, dict(limits, max_points=held), len(starts),
                                      n_jobs, progress, verbose)
        if pset.n_tasks == 3 and not ends.rayed:
            # with the room the lattices and seeds left (and their share), not the ends'
            ends.rayed = True
            added = rays(pset, ctx, limits, (len(starts), 4), n_jobs, progress,
                         top=ends.top(pset))
            log(verbose, 2, f"{added} points on rays toward the faces")
        if pset.n_points >= held:  # the ends the budget left out
            ends.seed(pset, ran_out=True)
            if pset.n_points < limits["max_points"]:  # points the ends did not take
                grow(pset, ctx, limits, np.flatnonzero(~pset.expanded),
                     key=(len(starts), 2), n_jobs=n_jobs, progress=progress)
        n_iter += ends.n_iter
        if paused and pset.n_points < limits["max_points"]:
            log(verbose, 2, "the lattices that paused for the seeds go on")
            grow(pset, ctx, limits, paused, key=(len(starts), 0), n_jobs=n_jobs,
                 progress=progress)
        if np.isinf(limits["n_steps"]):
            faces_go_on(pset, ctx, limits, (len(starts), 6), n_jobs, progress)
            refine(pset, ctx, limits, (len(starts), 1), n_jobs, progress)
            # the weights only poor pieces covered (from four tasks on, a ring re-triangulates
            # the set around it and most rings uncover weights: five convex quadratics took
            # 38 % more time for rings not kept)
            if len(pset.excluded) and pset.n_tasks == 3:
                # the seeds again first: pieces left out may have been all that covered a
                # face (three spheres on scales 1, 30, 1/30: the curve without task 1 was
                # never traced, and its weights went from covered by models 0.7 off to
                # uncovered, 77 % of random weights covered; 90 % so, within 0.083), and
                # the new pieces checked as the others were
                before = pset.n_points
                n_iter += _seed_uncovered(pset, ctx, limits, len(starts) + 1, n_jobs,
                                          progress, verbose)
                if pset.n_points > before:
                    refine(pset, ctx, limits, (len(starts), 2), n_jobs, progress)
                _fill(pset, ctx, limits, n_jobs, progress, verbose)
    if chart is not None:
        chart.leave(pset)
        progress.scales = None
    if stuck and pset.n_points == len(stuck):
        warnings.warn(f"the set could not be followed from the stage-1 point at weights "
                      f"{np.round(stuck[0].weights, 4)}: no step from it converged. Try a "
                      "smaller step_size, a looser tol, or another start.",
                      ConvergenceWarning, stacklevel=3)
    if pset is not None and pset.n_points:  # (else an error, or the estimator's warning)
        progress.close(pset)
        _coverage_note(pset, limits, verbose, on_face=on_face)
    return pset, failures, n_iter


class _Scaled:
    """``fun`` with each objective divided by its scale (picklable, for ``n_jobs``), with
    ``fun``'s written-out derivatives where it has them (see
    :func:`skpareto._hvp.value_and_jacobian`): without them a network's exploration ran
    through autograd, about a hundred times slower per point."""

    def __init__(self, fun, scales):
        self.fun = fun
        self.scales = scales
        if getattr(fun, "value_and_jacobian", None) is not None:
            self.value_and_jacobian = self._value_and_jacobian
        if getattr(fun, "weighted_hvp", None) is not None:
            self.weighted_hvp = self._weighted_hvp
        if hasattr(fun, "dense_max_n"):
            self.dense_max_n = fun.dense_max_n

    def __call__(self, x):
        return self.fun(x) / self.scales

    def _value_and_jacobian(self, x):
        values, jac = self.fun.value_and_jacobian(x)
        return values / self.scales, jac / self.scales[:, None]

    def _weighted_hvp(self, x, weights):
        # sum_i w_i f_i / s_i is fun's objective at the weights w / s
        return self.fun.weighted_hvp(x, np.asarray(weights) / self.scales)


class _ScaledSampler:
    """``sampler(rng)``'s objective divided by the scales (see :class:`_Scaled`)."""

    def __init__(self, sampler, scales):
        self.sampler = sampler
        self.scales = scales

    def __call__(self, rng):
        return _Scaled(self.sampler(rng), self.scales)


def _gradient_reach(fun, root, norms):
    """Each task's Hessian along the largest task's gradient at ``root`` (by ``norms``),
    times the length over which the fastest-turning task's gradient changes by that
    gradient's size: the size each task's gradient reaches over that length, at most the
    largest gradient's. None where that gradient vanishes at ``root`` or a product is not
    finite. Adds its ``m`` products to ``root.n_hvp``.

    The length is not the largest task's own: that task may be linear along its gradient
    (DTLZ1's third, ``(1 - x_0) (1 + g) / 2``, turned 0.055 against the others' 63 at a
    local front), and over its length, far outside the box, the others' reach was 3e8
    times their gradients: charted so, the set was one point."""
    top = int(np.argmax(norms))
    size = float(np.linalg.norm(root.jac[top]))
    if not size > 0.0:
        return None
    direction = root.jac[top] / size
    m = len(norms)
    try:
        turns = np.array([np.linalg.norm(hessian_operator(fun, root.x, np.eye(m)[k])
                                         .matvec(direction)) for k in range(m)])
    except NonFiniteError:
        return None
    root.update(n_hvp=root.n_hvp + m)
    if not (np.all(np.isfinite(turns)) and turns.max() > 0.0):
        return None
    return turns * (size / turns.max())


class _Chart:
    """The objectives divided by scales of their own (:func:`~skpareto._weights.
    objective_scales`), which the set is explored in, and a set's weights and front between
    them and the objectives as given (``ParetoSet.objective_scales``).

    The weights of the objectives as given map to the scaled ones' by
    :func:`~skpareto._weights.scaled_weights`.

    The residual of a point is measured in both: the relative residual of the scaled
    objectives, and of the objectives as given (which :func:`skpareto.metrics.
    stationarity_residual` measures), the larger recorded: ``residual_scales`` in the
    scaled objectives (``ctx.scales``), ``scales`` in the objectives as given
    (``ParetoSet.task_scales``; see :func:`skpareto._weights.residual_scale`).
    """

    def __init__(self, fun, scales):
        self.raw = fun
        self.scales = scales
        self.residual_scales = 1.0 / scales
        self.fun = _Scaled(fun, scales)

    @classmethod
    def of(cls, fun, root):
        """The chart of the tasks' gradients at ``root``'s start and at ``root``, or None.

        A task whose gradient is small at both may sit at its own minimum there,
        where the gradient says nothing of its scale (from within 1e-8 of task 1's
        minimum at weights (0, 1), two spheres of one scale were charted 1e-10
        apart and the set was one point; a face's set from a task's minimum on
        it, the same). So where the norms call for a chart, a task whose gradient
        is more than ``_CHART_RANGE`` times below its reach is measured by that:
        its gradient's size at the distance over which the fastest-turning
        task's gradient changes by the largest task's gradient size (each
        Hessian along that gradient, at ``root``; ``m`` products, charged to
        ``root``; see :func:`_gradient_reach`). Tasks of scales far apart keep
        theirs, since their Hessians are as far apart.
        """
        norms = [root.start_norms, safe_norm(root.jac, axis=1)]
        if objective_scales(norms) is None:
            return None
        largest = np.max(norms, axis=0)
        reach = _gradient_reach(fun, root, largest)
        if reach is not None:
            # only a gradient far below its reach stands for it: elsewhere the norms do
            # (Viennet's third task, 0.25 against a reach of 0.30, charted by its norm:
            # by its reach, 97 % of the weights covered, not all)
            norms.append(np.where(reach > _CHART_RANGE * largest, reach, 0.0))
        scales = objective_scales(norms)
        return None if scales is None else cls(fun, scales)

    def context(self, ctx):
        """``ctx`` for the scaled objectives (and Hessian objectives)."""
        options = ctx.options
        options = options.replace(
            hess_fun=None if options.hess_fun is None else _Scaled(options.hess_fun, self.scales),
            hess_sampler=(None if options.hess_sampler is None
                          else _ScaledSampler(options.hess_sampler, self.scales)))
        return dataclasses.replace(ctx, fun=self.fun, options=options, scales=self.residual_scales)

    def root(self, root):
        """A stage-1 result of the objectives as given, as one of the scaled objectives (its
        residual measured on them)."""
        jac = root.jac / self.scales[:, None]
        weights = scaled_weights(root.weights, self.scales)
        root.update(objectives=root.objectives / self.scales, jac=jac, weights=weights,
                    start_norms=root.start_norms / self.scales,
                    residual=scaled_residual(jac, weights, self.residual_scales))
        return root

    def enter(self, pset):
        """Put ``pset`` (of the objectives as given, with these scales) in place into the
        scaled objectives' weights and front, as exploration wrote it."""
        pset.__dict__.update(weights=scaled_weights(pset.weights, self.scales),
                             front=pset.front / self.scales, fun=self.fun,
                             task_scales=self.residual_scales, objective_scales=None)

    def leave(self, pset):
        """Put ``pset`` (explored in the scaled objectives) in place back into the weights
        and front of the objectives as given, with these scales: its pieces stay those
        explored."""
        pset.__dict__.update(weights=scaled_weights(pset.weights, self.scales, inverse=True),
                             front=pset.front * self.scales, fun=self.raw,
                             task_scales=self.scales, objective_scales=self.scales)


def _chart_root(pset, ctx, root, weights, key):
    """The first root in the scaled objectives (``root``, converted): with default stage-1
    ``weights`` (None), solved again from there at their uniform weights, where a lattice
    reaches the whole simplex soonest (three spheres on scales 1, 100, 0.01: 688 points
    from the converted root, in the corner of task 1, 299 from the centre, both covering
    every weight)."""
    if weights is not None:
        return root
    again = find_stationary(ctx.fun, root.x, None, tol=ctx.tol,
                            options=_stage_one_options(ctx, key), bounds=ctx.bounds,
                            scales=ctx.scales)
    if not again.success:
        pset.add_cost(again.n_grad, again.n_hvp)
        return root
    pset.add_cost(root.n_grad, root.n_hvp)
    return again


def _polish(ctx, root, key):
    """``root`` polished to ``ctx.scales`` (the tasks' own scales) on its weights where it is
    not stationary on them (at most ``m`` times ``tol`` off)."""
    if scaled_residual(root.jac, root.weights, ctx.scales) > ctx.tol:
        fixed = end_point(ctx, root.x, root.weights, np.inf, key)
        if fixed is not None and fixed.success:
            root.update({name: fixed[name] for name in ("x", "objectives", "jac", "residual")},
                        n_grad=root.n_grad + fixed.n_grad, n_hvp=root.n_hvp + fixed.n_hvp)
        else:  # the point as it is, its residual as it is measured now
            root.update(residual=scaled_residual(root.jac, root.weights, ctx.scales))


def _coverage_note(pset, limits, verbose, stacklevel=4, on_face=False):
    """Say how much of the simplex (the grid of :meth:`ParetoSet.coverage`) the set leaves
    uncovered, if any, and at ``verbose >= 1`` how many points other points of the set
    dominate, if any.

    Where ``max_points`` ended the exploration (not a finite ``n_steps``), the set is
    part of the trade-off and :func:`expand_set` goes on from where it stopped: a
    ConvergenceWarning says so (at ``stacklevel``: the user's call of :func:`explore` or
    :func:`expand_set`), as a solver's iteration limit does (DTLZ4, angles
    x ** 10, from x = 0.5: 1,000 points and 19.5 % of the weights, silently at the
    default verbose; a four-target network's fit 27 %). Else the set ends there
    (bounds, a degenerate or unbounded part) as far as these starts reach it (DTLZ4 with
    alpha = 10 from one start: 37 % of the grid, and "done" said nothing).
    ``on_face``: the set is one on a face of the box, explored by an inner
    :func:`explore` (one more level of the stack), which :func:`expand_set` does
    not go on from.
    """
    stopped = pset.n_points >= limits["max_points"]
    if pset.n_tasks < 2 or (verbose < 1 and not stopped):
        return  # (the grid share costs a triangulation where a chart left the set)
    share, size = pset._grid_share()
    uncovered = f"{1.0 - share:.1%} of a grid of {size} weights uncovered"
    if stopped and share < 1.0:
        remedy = ("call explore again with a larger max_points (expand_set does not go on "
                  "from a set on a face of the box)" if on_face else
                  "expand_set goes on from the set (ParetoExplorer.expand, with max_points "
                  "raised)")
        message = (f"max_points={limits['max_points']} ended the exploration with "
                   f"{uncovered}: {remedy}")
        if np.isinf(limits["n_steps"]):
            warnings.warn(message + ".", ConvergenceWarning, stacklevel=stacklevel + on_face)
        else:
            log(verbose, 1, message)
    if verbose < 1:
        return
    # the set is Pareto-stationary: a branch of it may be dominated (Viennet's problem, see
    # the user guide's limitations), and a user reading the front as the Pareto front is
    # not told otherwise
    dominated = int(np.sum(~non_dominated(pset.front)))
    if dominated:
        log(verbose, 1, f"{dominated} of {pset.n_points} points are dominated by others of "
                        "the set (stationary, not Pareto optimal): "
                        "skpareto.metrics.non_dominated(front) selects the others")
    if share < 1.0 and not stopped:
        if np.isinf(limits["n_steps"]):
            log(verbose, 1, f"the set leaves {uncovered}: it ends there as far as these "
                            "starts reach (another x0, or expand_set with toward=weights, "
                            "may reach more)")
        else:  # (the seeds that would have gone on do not run under a finite n_steps)
            log(verbose, 1, f"n_steps={int(limits['n_steps'])} ended the exploration (or the "
                            f"set ends) with {uncovered}: expand_set goes on from the set")


def _seed_uncovered(pset, ctx, limits, key, n_jobs, progress, verbose):
    """Unless a budget limits the set, the parts it did not reach get starts of their own.

    Returns the stage-1 iterations spent.
    """
    if pset.n_tasks == 1 or not np.isinf(limits["n_steps"]) \
            or pset.n_points >= limits["max_points"]:
        return 0
    if pset.n_tasks > 2:
        return _seed_inside(pset, ctx, limits, key, n_jobs, progress, verbose)
    n_iter = _seed_ends(pset, ctx, limits, key, n_jobs, progress, verbose)
    return n_iter + _seed_gaps(pset, ctx, limits, (key + 2,), n_jobs, progress, verbose)


def _seed_ends(pset, ctx, limits, key, n_jobs, progress, verbose, share=None,
               short=_EXACT_END, alone=False):
    """Where the set stops short of a single-task end (by more than ``short`` in the
    task's weight), start again from that end.

    The continuation goes over the end of a local branch by re-solving beyond
    it; where that fails the rest of the set is still reachable from the
    other side. Stage 1 minimizes the one task alone, warm started from the
    nearest point found, and the set is followed from there until it meets
    the points found before, or (more tasks) it has ``share`` more points.
    With ``alone`` the end is kept as a point of its own, not grown from.
    Returns the stage-1 iterations spent.
    """
    m = pset.n_tasks
    n_iter = 0
    # two tasks: an end near the set's last point (represented) but at weights it does not
    # cover is kept where a piece joins it to that point (see skpareto._cover._joined)
    kept = dict(new=lambda root: False, alone=True) if alone else (
        dict(alone=True) if m == 2 else {})
    for task in range(m):
        if _ends_reached(pset, short)[task]:  # again for each: a start may reach the next
            continue
        log(verbose, 2, f"the set stops at weight {pset.weights[:, task].max():.3f} of task "
                        f"{task}: starting again from task {task} alone")
        room = limits if share is None else dict(
            limits, max_points=min(limits["max_points"], pset.n_points + share))
        n_iter += _seed(pset, ctx, room, np.eye(m)[task], (key + task,), n_jobs, progress,
                        verbose, **kept)
    return n_iter


def _ends_from_start(pset, ctx, limits, start, key, n_jobs, progress, verbose, paused):
    """Each task whose single-task end the set reaches, minimized alone from ``start``
    (L-BFGS); where that goes lower than the set's best value of the task by more
    than ``_BETTER_END`` of its range over the set, stage 1 for the task alone runs
    from where it ended, and the set is explored from that root too.

    The set followed from one stage-1 point is one component of the
    stationary set, and it can span every weight while another component
    holds better models: f1 = |x|^2 against a quadratic in x0 with a bump
    at x0 = 1 has stationary points at x0 in [0, 0.73] and [0.94, 2]; from
    x0 = 1.6 stage 1 reached the first, which ends at a local minimum of task
    1 (1.85, where its minimum is 0), and the weights were all covered. A
    lower end found from the start itself is no point of the set followed
    so far. An end the set does not reach has starts of its own
    (:func:`_seed_ends`); compared with a set that holds few points (a
    three-target net whose stage-1 point sits where no lattice step
    converges), every lower end found was explored, and one such lattice ran
    away to losses of 3.6e6 with the whole budget. Not with a finite
    ``n_steps``, like the other seeds. Returns the stage-1 iterations spent.
    """
    m = pset.n_tasks
    if m < 2 or not np.isinf(limits["n_steps"]):
        return 0
    n_iter = 0
    for task in np.flatnonzero(_ends_reached(pset, _EXACT_END)):
        values = pset.front[:, task]
        margin = _BETTER_END * np.ptp(values)
        if margin <= 0:  # no range to judge by (one point: softplus far out, where the
            continue     # tasks fall forever, gave dominated points 1e-9 lower)
        # L-BFGS on the task alone first; stage 1 (from where it ended) only where that goes
        # lower: stage 1 at a vertex can be dear where it fails (Fonseca-Fleming's task
        # alone: 120 gradients and 522 Hessian products, for a point it had already)
        reached, seen, n_grad = minimize_task(ctx.fun, start, task, ctx.options.max_iter,
                                              ctx.bounds)
        pset.add_cost(n_grad=n_grad)
        # (run away: the task alone has no minimum near the start, as DTLZ2's outside its box)
        if reached is None or not np.nanmin(seen, initial=np.inf) < values.min() - margin:
            continue

        def better(root, task=task, best=values.min(), margin=margin):
            return (root.objectives[task] < best - margin
                    and not _represented(pset, root, ctx.step_size))

        n_iter += _explore_end(pset, ctx, limits, task, reached, better, key + (task,),
                               n_jobs, progress, verbose, paused,
                               f"stage 1 for task {task} alone from the start reached "
                               f"{{value:.4g}}, below the set's {values.min():.4g}")
    return n_iter


def _ends_in_box(pset, ctx, limits, key, n_jobs, progress, verbose, paused):
    """With a finite box: each task minimized alone from ``_BOX_STARTS`` points spread over
    it (a Halton sequence, the same for every call); the set is explored from each
    single-task point that no point of the set dominates, nor is within ``_BETTER_END``
    of the set's range of dominating.

    The continuation follows one component of the stationary set from each
    root, and one component can span every weight while others hold Pareto
    optimal models: ZDT3's front lies in five pieces along ``x_0``, and from
    the box's centre the set held the first two (each task minimized alone
    from there ends in them), its weights all covered, against pymoo's front
    an IGD of 0.42. Each other piece ends at a local minimum of task 1, which
    L-BFGS reaches from some point of the box. Where the objectives have
    local fronts (DTLZ3's), the minima on them are dominated by the set's and
    add nothing. A task whose first three runs end at one point of the front
    gets no more runs (``_AGREEING_RUNS``). Not with a finite ``n_steps``, like
    the other seeds.
    Returns the stage-1 iterations spent.
    """
    m = pset.n_tasks
    if (ctx.bounds is None or m < 2 or not np.isinf(limits["n_steps"])
            or not np.all(np.isfinite(ctx.bounds))):
        return 0
    if np.any(np.ptp(pset.front, axis=0) <= 0):
        # no range to judge domination by: a set of one point (DTLZ4 with angles x ** 100,
        # every gradient 1e-52 at the start, explored in objectives scaled by 1e20: from the
        # box 17 points, none on the front, and copies of them)
        return 0
    lower, upper = ctx.bounds
    # (the sequence's first point is the box's lower corner)
    spread = qmc.Halton(d=lower.size, scramble=False).random(_BOX_STARTS + 1)[1:]
    n_iter = 0
    for task in range(m):
        minima = []  # the objectives at the minima the task's runs reached
        for k, start in enumerate(lower + spread * (upper - lower)):
            if pset.n_points >= limits["max_points"]:
                return n_iter
            if len(minima) == _AGREEING_RUNS and all(
                    np.allclose(minima[0], other, rtol=1e-6,
                                atol=1e-6 * np.ptp(pset.front, axis=0))
                    for other in minima[1:]):
                # the first spread runs at one point of the front: a task of one minimum (a
                # convex one), whose other runs add nothing but their cost (a least-squares
                # pair in a box: 0.5 -> 2.8 s with all 16). Not where only the task's value
                # agrees: DTLZ7's f_0 = x_0 is 0 on an edge of each of its four pieces. Where
                # they disagree the task has several minima, and every run is made
                break
            reached, _, n_grad = minimize_task(ctx.fun, start, task, ctx.options.max_iter,
                                               ctx.bounds)
            pset.add_cost(n_grad=n_grad)
            if reached is None:
                continue
            with np.errstate(all="ignore"):  # (only its values: no backward pass)
                values = np.asarray(ctx.fun(reached), dtype=np.float64)
            pset.add_cost(n_grad=1)
            if not np.all(np.isfinite(values)):
                continue
            minima.append(values)
            if _dominated(pset.front, values):
                continue

            def new(root):
                return (not _dominated(pset.front, root.objectives)
                        and not _represented(pset, root, ctx.step_size))

            n_iter += _explore_end(pset, ctx, limits, task, reached, new, key + (k, task),
                                   n_jobs, progress, verbose, paused,
                                   f"task {task} alone from point {k} of the box reached "
                                   "{value:.4g}, where no point of the set dominates it")
    return n_iter


def _dominated(front, values):
    """Whether a point of ``front`` (rows) dominates ``values``, or is within ``_BETTER_END``
    of the front's range in every objective of doing so."""
    margin = _BETTER_END * np.ptp(front, axis=0)
    return bool(np.any(np.all(front <= values + margin, axis=1)))


def _explore_end(pset, ctx, limits, task, start, new, key, n_jobs, progress, verbose, paused,
                 said):
    """Stage 1 for ``task`` alone from ``start``, and the set explored from its root where
    ``new(root)`` (another component of the set), which ``verbose >= 2`` reports as
    ``said`` (its ``{value}`` the root's value of the task); returns the stage-1
    iterations."""
    m = pset.n_tasks
    found = pset.n_points
    n_iter = _seed(pset, ctx, limits, np.eye(m)[task], key, n_jobs, progress, verbose,
                   new=new, start=start, paused=paused)
    if pset.n_points == found:
        return n_iter
    log(verbose, 2, said.format(value=pset.front[found, task]) + ": the set was explored "
                    "from there")
    if m > 2:
        # the end's lattice stopped at once: every step from a vertex leaves the simplex, and
        # the set covers it. Its component is another: from a step inside, a lattice covers
        # it as its own
        n_iter += _seed(pset, ctx, limits,
                        _inward(np.eye(m)[task][None], ctx.step_size, np.ones(m, bool))[0],
                        key + (1,), n_jobs, progress, verbose, new=lambda root: True,
                        start=pset.params[found], paused=paused, component=True)
    return n_iter


def _ends_reached(pset, short):
    """Which single-task ends the set reaches: a point's weight of the task is within
    ``short`` of 1."""
    return pset.weights.max(axis=0) >= 1.0 - short


class _Ends:
    """``_ENDS_TASKS`` tasks or more: while a single-task end is not reached within
    ``step_size``, a lattice leaves a two-task face's share of ``max_points``
    (:func:`skpareto._cover._share`) for each task, until the ends it did not reach have
    had starts of their own (:func:`_seed_ends`), each with that share.

    Without it the first lattice of a network of four targets took the whole
    budget without reaching two of them (largest weights 0.63 and 0.87), and
    the seeds at the ends (:func:`_seed_inside`) had nothing left. With three
    tasks every face is a curve, which the lattice's faces trace to its ends;
    there a share only took points from the lattice (a weakly regularized
    three-task net: 88.7 -> 79.2 % of the grid covered, one end at 0.999).

    With three tasks a lattice keeps a face's share for each face the set has no
    point on; once it has used the rest, each such face is solved at its middle
    weights and traced (three convex quadratics with ``max_points`` 40 to 100:
    the lattice reached no face, and no two-task trade-off had a point).

    Then, three tasks or more, one point is kept back for each end not reached
    exactly; once the lattices and seeds have used the rest, stage 1 for each
    such task alone gives a point of its own there (a three-target regression's
    lattice spent the budget near one face, and a four-target one's reached
    task 2's end within a step, not exactly: ``predict_at`` raised at those
    ends).
    """

    def __init__(self, ctx, limits, key, n_jobs, progress, verbose):
        self.ctx, self.limits, self.key = ctx, limits, key
        self.n_jobs, self.progress, self.verbose = n_jobs, progress, verbose
        self.n_iter = 0
        # the passes done: the shares (more tasks), then the exact ends (three tasks or more),
        # after which nothing is left to do
        self.shared = self.done = not np.isinf(limits["n_steps"])
        self.rayed = self.done or not ctx.whole  # three tasks: the rays' share released

    def share(self, m):
        """The points each end's start may add: a two-task face's share."""
        return _share(2, m, self.ctx.step_size, self.limits["max_points"])

    def top(self, pset, faces=True, rays=True):
        """The points a lattice may grow the set to, for now: all once every end is
        reached; before the shares, a share fewer for each task while an end is not
        reached within a step; else one fewer for each end not reached exactly, and (three
        tasks, with ``faces``) a share fewer for each face the set has no point on. Three
        tasks, with ``rays``, until the rays toward the faces have run, ``_RAY_SHARE`` of
        ``max_points`` fewer as well (see :func:`skpareto._cover.rays`)."""
        m, most = pset.n_tasks, self.limits["max_points"]
        if m == 3 and rays and not self.rayed:
            most -= int(_RAY_SHARE * most)
        if m < 3 or self.done:
            return most
        if m >= _ENDS_TASKS and not self.shared \
                and not _ends_reached(pset, self.ctx.step_size).all():
            return most - m * self.share(m)
        if most <= 2 * m:
            return most
        kept = int(np.sum(~_ends_reached(pset, _EXACT_END)))
        if m == 3 and faces:
            kept += self.share(m) * len(_faces_missing(pset))
        return most - kept

    def seed(self, pset, ran_out=False):
        """Stage 1 at each single-task end the set does not reach: with a share, once
        (more tasks); alone, once the set holds :meth:`top` points or it ``ran_out`` of
        its budget (three tasks or more)."""
        m = pset.n_tasks
        if self.done or m < 3:
            return
        if m >= _ENDS_TASKS and not self.shared:
            self.shared = True
            if pset.n_points >= self.limits["max_points"]:
                return
            # within a step of an end the lattice reached it: a concave four-task problem's
            # lattice ended at weights 0.994, 0.994 and 0.988 of three tasks, and stage 1 for
            # one of them alone ran into a plateau where every gradient vanishes (41.5 ->
            # 28.8 % of random weights covered)
            self.n_iter += _seed_ends(pset, self.ctx, self.limits, self.key, self.n_jobs,
                                      self.progress, self.verbose, share=self.share(m),
                                      short=self.ctx.step_size)
            return
        if ran_out or pset.n_points >= self.top(pset):
            if m == 3:  # within what the ends leave
                self._seed_faces(pset, self.top(pset, faces=False))
            self.done = True
            # not grown from: the lattices the budget stopped go on to them when the set
            # is expanded
            self.n_iter += _seed_ends(pset, self.ctx, self.limits, self.key, self.n_jobs,
                                      self.progress, self.verbose, alone=True)

    def _seed_faces(self, pset, top):
        """Three tasks: each face the set has no point on is solved at its middle weights
        from the point of nearest weights (see :func:`skpareto._cover._face_point`) and
        covered from there as a lattice's faces are, within its share, the set growing to
        at most ``top`` points (none is solved where the set holds that many already)."""
        m = pset.n_tasks
        if pset.n_points >= top:
            return
        outside = []
        for face in _faces_missing(pset):
            w = np.zeros(m)
            w[list(face)] = 1.0 / len(face)
            near = pset._nearest_in_weights(w)
            log(self.verbose, 2, f"the set has no point on the face of tasks {face}: "
                                 "solving it there")
            end = face_end(pset, self.ctx, pset.params[near], w, face, (self.key, 5) + face)
            if end is not None:
                outside.append(end)
        if outside:
            _cover_faces(pset, self.ctx, self.limits, outside, (self.key, 5), self.n_jobs,
                         self.progress, set(), top)


def _faces_missing(pset):
    """Three tasks: the faces (pairs of tasks, the third's weight zero) on which the set has
    no point with both weights positive."""
    w = pset.weights
    missing = []
    for k in range(3):
        face = tuple(i for i in range(3) if i != k)
        if not np.any((w[:, k] == 0) & (w[:, list(face)] > 0).all(axis=1)):
            missing.append(face)
    return missing


def _seed_inside(pset, ctx, limits, key, n_jobs, progress, verbose):
    """More tasks: where the set leaves part of the simplex uncovered, start again there.

    A lattice stops where its correctors fail all around (near a
    bifurcation of a network's set, say), and a root on the simplex's
    boundary covers only its faces. The seeds are the centre of the simplex
    and a coarse simplex lattice (of about ``_SEEDS`` weights), nearest the
    centre first, the vertices (single-task ends) last, then the weights
    inside the simplex of a finer one (about ``_FINE_SEEDS``), nearest the
    centre first; stage 1 runs at each seed the set does not cover yet, warm
    started from the point of nearest weights, and the set is covered from
    there (unless the point stage 1 reaches is represented already). A seed
    on the boundary that gives no weight to a task with parameters of its
    own starts ``step_size`` inside instead (see :func:`_inward`). Returns
    the stage-1 iterations spent.
    """
    m = pset.n_tasks
    centre = np.full(m, 1.0 / m)
    grid = simplex_lattice(m, max(_SEEDS, m))
    fine = simplex_lattice(m, _FINE_SEEDS)
    fine = fine[fine.min(axis=1) > 0]  # the faces have seeds of their own (_seed_gaps)
    grid, fine = (g[np.argsort(np.abs(g - centre).max(axis=1), kind="stable")]
                  for g in (grid, fine))
    # a seed on the boundary moves inside where a task it gives no weight has parameters of
    # its own: they would be free there (see _inward)
    grid = _inward(grid, ctx.step_size,
                   own_parameters(point_of(pset, 0, ctx.fun).jac).any(axis=1))
    n_iter, paused = 0, []
    for k, w in enumerate([centre, *grid, *fine]):
        if pset.n_points >= limits["max_points"]:
            break
        if pset.contains(w):
            continue
        log(verbose, 2, f"the set does not cover weights {np.round(w, 3)}: starting there")
        n_iter += _seed(pset, ctx, limits, w, (key + k,), n_jobs, progress, verbose,
                        paused=paused, alone=True)
    if paused and pset.n_points < limits["max_points"]:
        log(verbose, 2, "the seeds' lattices that paused go on")
        grow(pset, ctx, limits, paused, key=(key, len(grid) + len(fine) + 1), n_jobs=n_jobs,
             progress=progress)
    return n_iter


def _inward(weights, step_size, own):
    """``weights`` (rows) with those that give no weight to a task with parameters of its own
    (``own``, per task) moved ``step_size`` of the way to the simplex's centre.

    Stage 1 at weights with a zero reaches a point at which the parameters
    that only the zero-weight tasks depend on (a network head's output bias,
    which no penalty holds) are wherever the start left them, and its
    lattice's tangents move them freely: a three-target regression's seed at
    (0, 1/3, 2/3) stepped to weights (2e-9, 0.332, 0.668) with task 0's bias
    moved from 0.13 to 25.6 (its loss 327, 144 points of 1,000 like it), a
    weakly regularized one's by 42,389 (loss 9e8). Inside, every weight
    holds those parameters; the lattice from there reaches the face, and
    the face is covered as the Pareto set of its own tasks. (Not where no
    task has parameters of its own: four convex quadratics' seeds moved so
    cost 25 % more gradient-equivalents for 0.5 % less coverage.)
    """
    weights = np.asarray(weights, dtype=float)
    m = weights.shape[1]
    boundary = ((weights <= 0) & own).any(axis=1)
    out = weights.copy()
    out[boundary] = (1.0 - step_size) * weights[boundary] + step_size / m
    return out


def _fill(pset, ctx, limits, n_jobs, progress, verbose):
    """Three tasks or more: solve the weights the lattices and seeds left uncovered.

    The weights of a simplex lattice of ``step_size`` spacing that the set
    does not cover, nearest to a point first, are each solved where they
    are, with a ring of the lattice around them (as
    ``expand_set(toward=...)``), up to ``_FILL_TRIES`` of them (four tasks or
    more: no more after ``_FILL_MISSES`` in a row that kept nothing). A ring is
    kept only if no weight of the lattice covered before is left uncovered
    and every piece it makes interpolates the set (:func:`_interpolates`);
    else its points are dropped (their work is charged). ``expand_set`` does
    not run it: it resumes what a budget stopped.

    A network's set of three tasks lies on sheets that overlap in the
    weights, and stage 1 at a seed between them reaches a sheet explored
    already: the seams stayed uncovered. Run with a tenth of ``max_points``
    that the seeds leave (they go on after it), the share of 500 random
    weights covered went from 57.0 to 69.6 % on a three-target regression,
    48.2 to 60.4 % on another, 43.6 to 50.4 % on a weakly regularized
    three-label net, 69.4 to 71.0 % on linnerud. Kept without the test, the
    rings' pieces bridged to other rings across folds: relative residuals to
    0.16 at the weights they covered (0.064 at worst before; 0.03 with it),
    and to 0.85 on linnerud. Taken from the lattices instead (four tasks or
    more, where the first lattice takes the whole budget and the fill never
    runs), the share lifted a four-target regression from 36.6 to 60.2 %,
    but another fell from 48.2 to 44.4 %: in four dimensions most rings
    (47 of 60) left weights uncovered that the set covered before.
    """
    m = pset.n_tasks
    if m < 3 or not np.isinf(limits["n_steps"]) or pset.n_points >= limits["max_points"]:
        return
    grid = simplex_lattice(m, lattice_size(m, ctx.step_size))
    covered = pset.contains(grid)
    gaps = [np.abs(pset.weights - w).max(axis=1).min() if not c else np.inf
            for w, c in zip(grid, covered)]
    misses = 0
    for k in np.argsort(gaps, kind="stable")[:min(_FILL_TRIES, int(np.sum(~covered)))]:
        if pset.n_points >= limits["max_points"] or (m > 3 and misses >= _FILL_MISSES):
            break
        if covered[k]:  # a ring solved before covered it
            continue
        misses += 1  # (until the ring is kept)
        log(verbose, 2, f"the set does not cover weights {np.round(grid[k], 3)}: "
                        "solving there")
        first = pset.n_points
        with warnings.catch_warnings():  # a weight not solved is only left out
            warnings.simplefilter("ignore", ConvergenceWarning)
            _solve_at(pset, ctx, limits, grid[k], n_jobs, progress)
        if pset.n_points == first:
            continue
        now = pset.contains(grid)
        # a piece with a vertex of the ring is new
        new = [p for p in np.sort(pset.pieces, axis=1) if p[-1] >= first and len(set(p)) == m]
        lost = bool(np.any(covered & ~now))
        if lost or not all(_interpolates(pset, ctx, p, (first, int(k), j))
                           for j, p in enumerate(new)):
            log(verbose, 2, "... not kept: weights uncovered" if lost else
                            "... not kept: a piece's centroid lies off the set")
            cost = pset.n_grad[first:].sum(), pset.n_hvp[first:].sum()
            pset._drop_last(pset.n_points - first)
            pset.add_cost(int(cost[0]), int(cost[1]))
            progress.update(pset)
        else:  # a ring covers around its weights: nothing is left to explore from it
            covered, misses = now, 0
            pset.mark_expanded(range(first, pset.n_points))


def _interpolates(pset, ctx, piece, key):
    """Whether the piece of the points ``piece`` interpolates the set: its model at the
    centroid of the weights is stationary to ``_FILL_RESIDUAL`` with its weighted gradients
    cancelling to ``_END_BALANCE`` (see :func:`skpareto._continuation.piece_tests`), or else
    fixed-weight Newton from there reaches the set within ``_FILL_REACH`` of the piece's
    extent in the parameters.

    The residual, against the largest gradient, stays small next to a face
    where a task of large gradient has a small weight: spheres on scales 1
    to 100 and 0.01 kept rings whose pieces had models 0.5 away (the set
    is 1.7 across) at a centroid residual of 0.015.

    The residual alone holds a weakly regularized network's pieces to more
    than they can give: its Hessian is stiff along some directions, and a
    model 0.04 to 0.4 % of its norm off the set has a relative residual of
    0.1 to 0.4 (a held-out three-target net: the lattice's own pieces,
    median 0.075 at random weights, their weighted losses within 3e-3 of the
    set's). Measured as the distance to the set, its pieces are within 0.04
    of their extent, and those bridging sheets 0.17 to 0.6 away or not
    reached at all (a three-target regression, linnerud).
    """
    x, w = pset.params[piece], pset.weights[piece]
    residual, balance = piece_tests(ctx, x, w)
    pset.add_cost(n_grad=pset.n_tasks)
    if residual <= _FILL_RESIDUAL and balance <= _END_BALANCE:
        return True
    extent = np.linalg.norm(x[:, None] - x[None], axis=2).max()
    res = end_point(ctx, x.mean(axis=0), w.mean(axis=0), _FILL_REACH * extent, key, far=True)
    if res is None:
        return False
    pset.add_cost(res.n_grad, res.n_hvp)
    return bool(res.success)


def _front_moves(jac):
    """Whether the front can move from a point: the task gradients are not all equal.

    Where every gradient is the same (or zero) the set is this one point, and
    a set of one point is no failure to follow it.
    """
    if len(jac) < 2:
        return False
    diffs = jac.T @ zero_sum_basis(len(jac)).T
    return bool(np.linalg.norm(diffs) > 1e-8 * max(gradient_scale(jac), 1e-300))


def _start_weights(weights, m, n_starts):
    if weights is None:
        return [None] * n_starts
    if np.ndim(weights) == 1:
        return [check_weights(weights, m)] * n_starts
    rows = check_weights(weights, m, allow_2d=True)
    if len(rows) != n_starts:
        raise ValueError(f"weights must have shape ({m},) or ({n_starts}, {m}) with one row "
                         f"per start; got {len(rows)} rows.")
    return list(rows)


def solver_context(fun, m, n, tol, step_size, n_steps, max_points, bounds, options, random_state):
    """Validate the shared arguments; return the step context and the budgets."""
    check_callable(fun, "fun", "x -> (m,) objectives", allow_none=False)
    if not isinstance(options, SolverOptions):
        raise ValueError(f"options must be a SolverOptions, got {type(options).__name__}.")
    tol = check_real(tol, "tol", low=0.0, high=1.0)
    step_size = check_real(step_size, "step_size", low=0.0, high=1.0, closed="right",
                           allow_none=True) or _default_step(m)
    n_steps = check_int(n_steps, "n_steps", low=0, allow_none=True)
    max_points = check_int(max_points, "max_points", low=1, allow_none=True) or _MAX_POINTS
    entropy = _entropy(random_state, options)
    ctx = Context(fun, tol, options, step_size, check_bounds(bounds, n), entropy, whole=True)
    return ctx, dict(n_steps=np.inf if n_steps is None else n_steps, max_points=max_points)


def _default_step(m):
    """The default ``step_size`` for ``m`` tasks (see :func:`explore`).

    From five tasks on, ``0.025 (m - 1)`` gives lattices of more nodes than
    the default budget of points: five convex quadratics covered 85 % of the
    weights at 1,000 points (100 % at 1/6), six 39.5 % (86.5 % at 1/4), and
    DTLZ2 with five objectives 61 % (94.5 % at 1/6, in 827 points, the same
    IGD); the interpolated residuals stay of the same order.
    """
    step = _STEP_SIZE * max(1.0, (m - 1) / 2.0)
    if m < 5:
        return step
    return max(step, 1.0 / lattice_divisions(m, _LATTICE_WEIGHTS))


def _entropy(random_state, options):
    random_state = check_int(random_state, "random_state", low=0, allow_none=True)
    if options.hess_sampler is None:
        return None
    if random_state is None:
        return np.random.SeedSequence().entropy
    return random_state


def _toward(pset, ctx, limits, target, n_jobs, progress):
    """Grow the set until it covers the weights ``target`` (see :func:`expand_set`)."""
    if pset.n_tasks == 2:
        _toward_from_ends(pset, ctx, limits, target, progress)
    if not pset.contains(target) and pset.n_points < limits["max_points"]:
        _solve_at(pset, ctx, limits, target, n_jobs, progress)


def _toward_from_ends(pset, ctx, limits, target, progress):
    """Two tasks: continue from the ends of the set, nearest in weight first, until it
    covers ``target``.

    The weights need not approach the target monotonically along the set
    (they fold), so the nearest end is not always the way there: each end is
    followed in turn until one branch covers the target.
    """
    degree = np.array([len(pset.neighbours(i)) for i in range(pset.n_points)])
    ends = np.flatnonzero(degree <= 1)
    order = ends[np.argsort(np.abs(pset.weights[ends, 0] - target[0]), kind="stable")]
    for end in order:
        for sign in directions_of(pset, int(end)):
            room = min(limits["n_steps"], limits["max_points"] - pset.n_points)
            if room <= 0 or pset.contains(target):
                break
            branch = trace(ctx, point_of(pset, int(end), ctx.fun), sign,
                           known=(pset.params.copy(), pset.front.copy()),
                           key=(pset.n_points, int(end), int(sign > 0)), max_steps=room,
                           until=target)
            add_branch(pset, int(end), branch, limits)
            progress.update(pset)
        if pset.contains(target):
            return


def _solve_at(pset, ctx, limits, target, n_jobs, progress):
    """The set's point at the weights ``target``, and one step of the set around it.

    Solved from the point of nearest weights: fixed-weight Newton, else
    stage 1 at ``target`` (a warm-started training, which may end at other
    weights nearby: then Newton at ``target`` from where it ended). The point
    is a new root; the set is followed from it one step each way (two tasks)
    or one lattice ring (more), so it lies in pieces with its neighbours, and
    a later :func:`expand_set` goes on from there.
    """
    m = pset.n_tasks
    nearest = pset._nearest_in_weights(target)
    key = (pset.n_points, nearest)
    res = _face_point(ctx, pset.params[nearest], target, tuple(range(m)), key)
    if res.success and np.any(res.weights != target):
        again = end_point(ctx, res.x, target, np.inf, key + (1,), far=True)
        if again is not None and again.success:
            pset.add_cost(res.n_grad, res.n_hvp)
            values, jac = value_and_jacobian(ctx.fun, again.x)
            again.update(objectives=values, jac=jac, n_grad=again.n_grad + m)
            res = again
    if not res.success or not ctx.admits(res) or _found_at(pset, res.x, res.weights):
        pset.add_cost(res.n_grad, res.n_hvp)
        return
    index = add_root(pset, ctx, res, limits["max_points"])
    progress.update(pset)
    grow(pset, ctx, dict(limits, n_steps=min(limits["n_steps"], 1)), [index], key=key,
         n_jobs=n_jobs, progress=progress)
