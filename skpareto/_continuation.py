"""Continuation along the Pareto set: predictor, corrector and step-length control.

The set is followed in its *front coordinates* ``c = Z.T f`` (``Z`` an
orthonormal zero-sum basis of R^m, see
:func:`skpareto._stationary.front_coordinates`). On a Pareto front these
coordinates never fold, whatever the weights do, so they parameterize the set
through folds of the weights, on concave fronts and on degenerate sets whose
weights do not change. A step aims at ``c + h``:

- **predictor**: the tangent per unit ``c`` from the bordered system
  ``[[H_w, B], [B.T, 0]]`` (:func:`skpareto._tangent.front_tangents`), or the
  secant through the last two points of the branch (free, second order);
- **corrector**: the bordered Newton corrector
  (:func:`skpareto._stationary.arclength_correct`) at the target ``c + h``;
- **step length** ``h``: grown after a corrector that converged in few Newton
  steps and moved the point little, shortened (and retried) after one that
  struggled or failed, capped so that no weight changes by more than
  ``step_size`` per step, and sized so that the midpoint of the step's chord
  (the piece of the continuous set there) stays stationary to
  ``_CHORD_RESIDUAL``, its residual growing as ``h**2``.

A branch ends where the weights reach the simplex boundary (the end point is
solved at the boundary weights; a singular end is approached to within
``_END_GAP`` of its weights), where the point leaves the box ``bounds`` (its
last point solved on the face it crosses, to ``_BOX_REACH``), where it meets
points already found, or where the branch itself turns back
(a cusp of the front: the corrector's system becomes singular and the steps
shrink). There the continuation re-solves beyond the cusp
(:func:`skpareto._stationary.resolve`) and, if that lands on the front further
on, continues from the new branch.

For ``m >= 3`` the front coordinates are covered by a lattice of spacing
``h``: every node is corrected from the prediction of a solved neighbour, and
the boundary of the set (where a weight reaches zero) is traced as the Pareto
set of the remaining objectives.
"""

import dataclasses
import enum
from typing import Callable, Optional

import numpy as np

from ._hvp import hessian_operator, value_and_jacobian
from ._options import SolverOptions
from ._stationary import (CORRECTORS, _hessian_name, front_coordinates, newton_correct,
                          point_residual, resolve)
from ._tangent import front_tangents
from ._utils import Status
from ._weights import onto_simplex, safe_norm, zero_sum_basis
from .exceptions import NonFiniteError
from .metrics import _unchecked_residual

__all__ = ["End", "Context", "Point", "Tangent", "trace", "point_from_result", "tangents",
           "tight_tangents", "correct", "end_point", "piece_residual", "piece_tests"]


# relative MINRES residual of predictor tangents with inexact solves: the corrector
# removes the predictor's error anyway
_PREDICTOR_RTOL = 1e-2
# ... unless the Hessian is nearly singular: then a residual of 1e-2 can leave the tangent
# wrong by half (an error along an eigenvalue 1e-5 of 2.4 barely moves the residual), the
# corrector fails and the steps shrink. A step that fails from a loose tangent solves it
# again to this residual and is retried whole if the prediction moved by more than
# _TANGENT_CHANGE of its length (a weak three-label net: 89 % wrong; 1 Newton step after)
_TIGHT_RTOL = 1e-6
_TANGENT_CHANGE = 0.1
# a corrected point farther than this many step lengths from its prediction is rejected
# (it may have jumped to another branch)
_TRUST = 1.0
# growth and shrink limits of the step length per step
_GROW, _SHRINK = 2.0, 0.5
# growth of the step length after a corrector that took this many Newton steps (an
# inexact corrector converges in about three from a good prediction; the longest take
# newton_steps and keep the step as it is)
_GROWTH = {0: _GROW, 1: _GROW, 2: _GROW, 3: 1.5}
# after a failure, the step grows back to at most this fraction of the step that failed
# (then the limit relaxes by the slowest growth per success)
_RETRY = 0.8
# a neighbour whose weights differ by more than this many times step_size is rejected:
# the cap is set on the predicted weights, the corrector's may differ to second order
_WEIGHT_SLACK = 1.25
# this many failed correctors in a row from one point, each after halving the step,
# mean the branch ends there (a cusp or a singular point)
_MAX_FAILURES = 5
# the smallest step, as a fraction of the longest step of the branch, that still
# approaches the simplex boundary or a bound
_MIN_STEP_RATIO = 1.0 / 32
# ... before the branch (or the new branch past a jump) has taken a step, its longest step
# is only the first one tried, sized by the weight cap: where the set moves far in the
# parameters for a small change of the weights (a weakly regularized net's, 34 per unit
# weight), its first corrector converged only at 1/32 of that guess, after the fifth
# failure, and the branch jumped away, leaving a gap in the weights
_FIRST_FAILURES = 8
_MIN_FIRST_RATIO = 1.0 / 256
# an end point solved where the steps shrank to nothing near the boundary may lie this many
# of the branch's last steps away
_END_REACH = 4.0
# ... and where that end is singular, the branch approaches it to within this of its weights
_END_GAP = 1e-3
# the first step of a branch: this fraction of the weight cap
_FIRST_STEP = 0.5
# the relative residual the midpoint of a step's chord (the continuous set's parameters
# there) should keep: the residual grows as the square of the step, and the next step is
# sized to meet it, as an ODE solver's error control does; a step above it is retried
# shorter (at most _CHORD_RETRIES times from a point). Where the set curves in the
# parameters (a Rosenbrock valley against a sphere) steps capped by the weights alone left
# midpoints at residuals of 0.08 to 0.17
_CHORD_RESIDUAL = 0.02
_CHORD_RETRIES = 3
# ... down to this fraction of the longest step of the branch: near a face of a weakly
# regularized network (a head switching off) the midpoints stay off however short the
# steps, which halved toward the end without reaching it
_CHORD_FLOOR = 1.0 / 8
# a step sized by its chord aims at this fraction of the size that would meet it
_CHORD_SAFETY = 0.9
# the piece from a branch's last point to an end it lands on is bisected where its midpoint's
# weighted gradients cancel to less than this (piece_tests): its interior chords, 0.008 at
# most on an ill-conditioned quadratic (condition 1e3), the landing's 0.13 and 0.24 with its
# model a tenth of the set's length off
_END_BALANCE = 0.05
# ... and its point taken where it lies farther than this share of the chord from the model
# (near a weakly regularized net's ends the weighted gradients of a good piece cancel to only
# 0.12), the halves bisected again, this many times at most
_END_SAG = 0.1
_END_BISECTIONS = 3
# a corrector with a damped or sampled Hessian (linear convergence) may take this many
# times newton_steps
_LINEAR_STEPS = 5
# a solved point outside the box by no more than this (relative) lies on its face: DTLZ2's
# edges lie on the faces of its box [0, 1]^n, its correctors reached x_1 = -1e-17 there, and
# the edge without task 1 was not traced (its model, the point at task 2's end, was up to
# 0.94 off the front)
_BOX_SLACK = 1e-12
# a branch that leaves the box lands on its face to within this (relative), in at most this
# many corrector trials
_BOX_REACH = 1e-10
_BOX_TRIALS = 12
# a branch that goes this many times farther from its start than the start is from the
# origin (plus one) runs away: the objectives have no bounded set there
_RUNAWAY = 100.0


class End(enum.IntEnum):
    """Why a branch of the continuation stopped."""

    SIMPLEX = 0  # the weights reached the simplex boundary (a singular end: within _END_GAP)
    BOUNDS = 1  # the point reached the box bounds
    COLLISION = 2  # it met points found before
    SINGULAR = 3  # the branch ends (a cusp) and no re-solve continued it
    BUDGET = 4  # n_steps or max_points reached
    NON_FINITE = 5  # the objectives are not finite further on
    REACHED = 6  # the weights asked for (``until``) are covered
    DIVERGED = 7  # the points run away (no bounded set there)


@dataclasses.dataclass(frozen=True)
class Context:
    """What every step of one exploration needs."""

    fun: Callable
    tol: float
    options: SolverOptions
    step_size: float  # largest change of a weight per step
    bounds: Optional[tuple] = None  # (lower, upper), each (n,), or None
    entropy: Optional[int] = None  # seed of hess_sampler
    # (m, r) orthonormal zero-sum columns: the front coordinates basis.T @ f of a set whose
    # front has r < m - 1 dimensions (see skpareto._cover._front_basis); None: all m - 1
    basis: Optional[np.ndarray] = None
    # the objectives are the problem's own, not a face's (of a set of more tasks): a set of two
    # tasks bisects the pieces to the ends its branches land on (_Tracer._fill_to), a set of
    # three follows its edges before it stops covered (skpareto._cover._Covered). Not on the
    # faces of more tasks, where budget-bound lattices lost coverage and accuracy to the
    # points these took (five quadratics, a Rosenbrock valley against two spheres)
    whole: bool = False
    # (m,) each task's own gradient scale, that the correctors' residual measures it against
    # as well (skpareto._weights.residual_scale; set where the set is explored in its scaled
    # objectives, skpareto._explore._Chart); None: the largest gradient only
    scales: Optional[np.ndarray] = None

    def hess_fun(self, key):
        """Hessian objective of one site: fixed, or sampled with a seed from ``key``."""
        options = self.options
        if options.hess_sampler is None:
            return options.hess_fun
        seed = np.random.SeedSequence(self.entropy, spawn_key=tuple(int(k) for k in key))
        return options.hess_sampler(np.random.default_rng(seed))

    def hessian_source(self, key):
        """The objective whose Hessian a site uses: :meth:`hess_fun`'s, else ``fun``."""
        sampled = self.hess_fun(key)
        return self.fun if sampled is None else sampled

    def coords(self, values):
        """Front coordinates of ``values`` (m,) or (p, m) in this context's basis."""
        if self.basis is None:
            return front_coordinates(values)
        return np.asarray(values, dtype=np.float64) @ self.basis

    def inside(self, x):
        if self.bounds is None:
            return True
        lower, upper = self.bounds
        return bool(np.all(x >= lower) and np.all(x <= upper))

    def admits(self, res):
        """Whether the solved point ``res.x`` lies in the box, to rounding (``_BOX_SLACK``);
        one outside by no more is moved onto the box's face and evaluated there (admitted if
        its derivatives are finite there and it stays stationary to ``tol``)."""
        if self.bounds is None or self.inside(res.x):
            return True
        lower, upper = self.bounds
        slack = _BOX_SLACK * (1.0 + np.abs(res.x))
        if not (np.all(res.x >= lower - slack) and np.all(res.x <= upper + slack)):
            return False
        x = np.clip(res.x, lower, upper)
        # (pymoo's DTLZ1, a product: autograd's gradient is NaN at a factor of exactly zero,
        # finite at the -6e-27 the corrector reached; the Jacobian of the point outside was
        # kept, and the next step from the face's point raised NonFiniteError from explore)
        try:
            values, jac = value_and_jacobian(self.fun, x)
        except NonFiniteError:
            return False
        residual = point_residual(jac, res.weights, self.scales, res.get("critical_scale"))
        if not residual <= max(self.tol, res.residual):
            return False
        res.update(x=x, objectives=values, jac=jac, residual=residual,
                   n_grad=res.n_grad + len(values))
        return True


@dataclasses.dataclass
class Point:
    """One point of the set with what the next step reuses, and the work it cost."""

    x: np.ndarray
    values: np.ndarray
    jac: np.ndarray
    weights: np.ndarray
    residual: float
    n_grad: int = 0
    n_hvp: int = 0

    @property
    def coords(self):
        return front_coordinates(self.values)


def point_from_result(res):
    return Point(res.x, res.objectives, res.jac, res.weights, res.residual, res.n_grad,
                 res.n_hvp)


@dataclasses.dataclass
class Branch:
    """The result of :func:`trace`: new points in order, where each continues from, why it ended."""

    points: list = dataclasses.field(default_factory=list)
    parents: list = dataclasses.field(default_factory=list)  # -1: the start, None: a new root
    end: End = End.BUDGET
    collision: Optional[int] = None  # index of a known point met at the end
    n_grad: int = 0  # work of rejected attempts
    n_hvp: int = 0


def tangents(ctx, point, key, rtol=None):
    """``(directions, rates, n_grad, n_hvp)``: change of x (m - 1, n) and of the weights
    (m - 1, m) per unit of each front coordinate, and the work it took.

    ``rtol``: of the MINRES solves; default the predictor's (loose with
    ``inexact``, else ``minres_rtol``).
    """
    options = ctx.options
    source = ctx.hessian_source(key)
    op = hessian_operator(source, point.x, point.weights, damping=options.damping,
                          dense=options.dense_tangents_for(point.x.size, point.values.size, source),
                          name=_hessian_name(options, source is ctx.fun))
    if rtol is None:
        rtol = _PREDICTOR_RTOL if options.inexact else options.minres_rtol
    directions, rates, _ = front_tangents(op, point.jac, rtol=max(rtol, options.minres_rtol),
                                          maxiter=options.minres_maxiter, basis=ctx.basis)
    return directions, rates, 1, op.n_matvec


def tight_tangents(ctx, point, key, loose, step):
    """The tangents again, solved to ``_TIGHT_RTOL``, after a step along ``loose`` failed.

    ``loose``: ``(directions, rates)`` as :func:`tangents` solved them;
    ``step``: the failed step in front coordinates. Returns ``(tangent,
    n_grad, n_hvp)``; ``tangent`` is None where the loose one was solved as
    tightly (dense or ``inexact=False``) or predicts ``step`` to within
    ``_TANGENT_CHANGE`` of its length: only the step length can help then.
    """
    options = ctx.options
    if not options.inexact or options.minres_rtol >= _PREDICTOR_RTOL \
            or options.dense_tangents_for(point.x.size, point.values.size,
                                          ctx.hessian_source(key)):
        return None, 0, 0
    directions, rates, n_grad, n_hvp = tangents(ctx, point, key, rtol=_TIGHT_RTOL)
    before, after = step @ loose[0], step @ directions
    if np.linalg.norm(after - before) <= _TANGENT_CHANGE * np.linalg.norm(after):
        return None, n_grad, n_hvp
    return (directions, rates), n_grad, n_hvp


class Tangent:
    """Tangents ``(directions, rates)`` at a point, as :func:`tangents` solved them.

    ``tight``: solved tightly (to ``_TIGHT_RTOL``) from the start, or again
    after a step along them failed (see :func:`tight_tangents`), or found as
    good then; ``changed``: that second solve changed them.
    """

    def __init__(self, directions, rates, tight=False):
        self.value, self.tight, self.changed = (directions, rates), tight, False

    def tighten(self, ctx, point, step, key):
        """Solve them again tightly, once, after ``step`` failed: ``(changed, n_grad,
        n_hvp)``, whether that changed the prediction of ``step``, and the work."""
        if self.tight:
            return False, 0, 0
        self.tight = True
        tangent, n_grad, n_hvp = tight_tangents(ctx, point, key, self.value, step)
        if tangent is not None:
            self.value, self.changed = tangent, True
        return self.changed, n_grad, n_hvp


def correct(ctx, x, weights, target, max_step, key, corrector=None):
    """The corrector of ``ctx.options`` from a prediction; non-finite objectives fail it.

    With a damped or sampled Hessian Newton converges linearly, not
    quadratically: the corrector then gets five times ``newton_steps`` and no
    test of contraction.
    """
    options = ctx.options
    corrector = corrector or CORRECTORS[options.corrector]
    extra = {}
    if not options.exact_hessian:
        extra["max_iter"] = _LINEAR_STEPS * options.newton_steps
        if corrector is CORRECTORS["arclength"]:
            extra["contract"] = False
    if ctx.basis is not None and corrector is CORRECTORS["arclength"]:
        extra["basis"] = ctx.basis
    if ctx.scales is not None:
        extra["scales"] = ctx.scales
    try:
        return corrector(ctx.fun, x, weights, target, tol=ctx.tol, options=options,
                         hess_fun=None if key is None else ctx.hess_fun(key),
                         max_step=max_step, **extra)
    except NonFiniteError:
        return None


def piece_residual(ctx, params, weights):
    """The relative stationarity residual of the continuous set's model at the centre of a
    piece: at the mean of its points ``params`` (rows) for the mean of their ``weights``;
    one Jacobian. Infinite where the objectives are not finite there."""
    return piece_tests(ctx, params, weights)[0]


def piece_tests(ctx, params, weights):
    """:func:`piece_residual` and how far the weighted gradients there are from cancelling,
    ``||J^T w|| / sum_i w_i ||grad f_i||`` (0 where they cancel, 1 where they all point one
    way), from one Jacobian; both infinite where the objectives are not finite there.

    Unlike the relative residual (against the largest gradient, which a task of
    small weight may hold) the second does not fall with the weights of the tasks
    that dominate the gradients.
    """
    try:
        _, jac = value_and_jacobian(ctx.fun, params.mean(axis=0))
    except NonFiniteError:
        return np.inf, np.inf
    w = weights.mean(axis=0)
    return _unchecked_residual(jac, w), _balance(jac, w)


def _balance(jac, weights):
    """``||J^T w|| / sum_i w_i ||grad f_i||`` (see :func:`piece_tests`); 0 where every
    weighted gradient vanishes."""
    total = weights @ safe_norm(jac, axis=1)
    return float(safe_norm(jac.T @ weights) / total) if total > 0 else 0.0


def end_point(ctx, x, weights, max_step, key, far=False, confine=False):
    """The end of the set at boundary ``weights`` (some zero), by fixed-weight Newton.

    ``far``: ``x`` is a point of the set some way off, not a prediction of the
    end (Newton starts in its linear phase: five times ``newton_steps``);
    ``confine``: Newton's steps stay within ``max_step`` of ``x`` (see
    :func:`~skpareto._stationary.newton_correct`) instead of giving up there.
    """
    max_iter = _LINEAR_STEPS * ctx.options.newton_steps if far else None
    try:
        res = newton_correct(ctx.fun, x, weights, tol=ctx.tol, options=ctx.options,
                             hess_fun=ctx.hess_fun(key), max_step=max_step, max_iter=max_iter,
                             confine=confine, scales=ctx.scales)
    except NonFiniteError:
        return None
    return res


class _Tracer:
    """One branch walked from ``start`` in the direction ``sign`` of the front coordinate.

    A class for the state a step leaves to the next (the point, its
    neighbour, the step length and tangent); :func:`trace` drives it.
    """

    def __init__(self, ctx, start, sign, known, key, max_steps, until, sink):
        self.ctx, self.sign, self.key = ctx, float(sign), tuple(key)
        self.until = None if until is None else np.atleast_2d(until)
        self.sink = sink
        self.known_x, self.known_f = known
        self.branch = Branch()
        self.max_steps = max_steps
        self.current, self.previous = start, None
        self.origin = start.x
        self.index = -1  # index of current in branch.points (-1: the start)
        self.h = None  # step length in front coordinates
        self.longest = 0.0  # longest step accepted (or the first tried) on this branch
        self.stepped = False  # a step was accepted since the start or the last jump
        self.tangent = None  # Tangent at current, if solved
        self.attempt = 0
        self.failures = 0  # failed attempts from the current point
        self.ceiling = np.inf  # steps grow only slowly back to one that failed
        self.retries = 0  # steps retried from the current point for their chords
        self.bounded = False  # a landing on the box's face tried from the current point

    # -- bookkeeping --------------------------------------------------------------------

    def _waste(self, res):
        if res is not None:
            self.branch.n_grad += res.n_grad
            self.branch.n_hvp += res.n_hvp

    def _accept(self, point, parent):
        self.failures = 0
        self.retries = 0
        self.bounded = False
        self.branch.points.append(point)
        self.branch.parents.append(parent)
        if self.sink is not None:
            self.sink(point, parent)
        self.previous = self.current if parent is not None else None
        self.current = point
        self.index = len(self.branch.points) - 1
        self.tangent = None

    def _site(self):
        self.attempt += 1
        return self.key + (len(self.branch.points), self.attempt)

    # -- the predictor --------------------------------------------------------------------

    def _direction(self, exact):
        """Tangent at the current point: the secant from the previous point, or solved."""
        cur, prev = self.current, self.previous
        if not exact and prev is not None and self.ctx.options.inexact:
            dc = (cur.coords - prev.coords)[0]
            if dc * self.sign > 0:
                return (cur.x - prev.x) / dc, (cur.weights - prev.weights) / dc, False
        if self.tangent is None:
            v, omega, n_grad, n_hvp = tangents(self.ctx, cur, self._site())
            # charged to the branch: the point it is solved at may be in the set already
            self.branch.n_grad += n_grad
            self.branch.n_hvp += n_hvp
            self.tangent = Tangent(v, omega)
        v, omega = self.tangent.value
        return v[0], omega[0], True

    def _tighten(self, h):
        """Solve the tangent again tightly; whether it changed the prediction of a step ``h``."""
        changed, n_grad, n_hvp = self.tangent.tighten(self.ctx, self.current,
                                                      np.array([self.sign * h]), self._site())
        self.branch.n_grad += n_grad
        self.branch.n_hvp += n_hvp
        return changed

    def _cap(self, v, omega):
        """The longest step the weight cap (and a first-step rule) allows."""
        rate = np.max(np.abs(omega))
        cap = self.ctx.step_size / rate if rate > 0 else np.inf
        self.cap = cap
        if self.h is None:  # first step: half the weight cap, or a front-relative guess
            scale = np.max(np.abs(self.current.values)) or 1.0
            self.h = min(_FIRST_STEP * cap, 0.1 * scale)
            self.longest = max(self.longest, self.h)
        return min(self.h, cap)

    # -- one step ----------------------------------------------------------------------------

    def step(self):
        """Take one step; return an :class:`End` when the branch ends, else None."""
        exact = False
        while True:
            v, omega, solved = self._direction(exact)
            h = self._cap(v, omega)
            # failures shrank the step far below what the branch and the weights allow
            most, ratio = ((_MAX_FAILURES, _MIN_STEP_RATIO) if self.stepped
                           else (_FIRST_FAILURES, _MIN_FIRST_RATIO))
            if self.failures >= most or self.h < ratio * min(self.longest, self.cap):
                return self._jump()
            w_pred = self._predicted_weights(omega, h)
            if np.min(w_pred) < 0.0:
                ended = self._try_end(v, omega, h)
                if ended is not None:
                    return ended
                continue
            res, x_pred, length = self._corrected(v, w_pred, h)
            verdict = self._judge(res, x_pred, length)
            if verdict == "accept":
                floor = _CHORD_FLOOR * max(self.longest, h)
                chord = self._chord(res) if h > floor else np.inf  # h times this meets it
                if chord < 1.0 and self.retries < _CHORD_RETRIES:
                    # converged, but the piece to it would interpolate badly
                    self._waste(res)
                    self.retries += 1
                    self.h = max(h * min(max(_CHORD_SAFETY * chord, 0.25), _CHORD_SAFETY),
                                 floor)
                    continue
                self._grow(res, x_pred, length, h)
                self.stepped = True
                self.h = min(self.h, max(_CHORD_SAFETY * chord * h, _SHRINK * h, floor))
                self._accept(point_from_result(res), self.index)
                return self._after_accept()
            self._waste(res)
            if verdict == "bounds" and not self.bounded:
                self.bounded = True
                if self._to_bounds(res, v, omega, h):
                    return End.BOUNDS
            if verdict == "left":
                ended = self._end_from(res, length)
                if ended is not None:
                    return ended
            if verdict in ("bounds", "non-finite") and h < 4 * _MIN_STEP_RATIO * self.longest:
                if self._end_near():  # a weight falling to zero there: the end lies ahead
                    return End.SIMPLEX
                if self._spent():
                    return End.BUDGET
                return End.BOUNDS if verdict == "bounds" else End.NON_FINITE
            if not solved and self.ctx.options.inexact:
                exact = True  # the secant mispredicted: retry along the tangent
                continue
            if solved and not self.tangent.tight and self._tighten(h):
                continue  # the loose tangent mispredicted: retry along the tight one
            self.failures += 1
            self.ceiling = min(self.ceiling, h)
            self.h = _SHRINK * h

    def _predicted_weights(self, omega, h):
        """The weights a step ``h`` along the rates ``omega`` predicts."""
        w_pred = self.current.weights + self.sign * h * omega
        # onto the simplex's plane: secants repeat the rounding in the weights' sum and,
        # with steps longer than the last, amplify it (tasks on scales 1e6 apart)
        w_pred += (1.0 - w_pred.sum()) / w_pred.size
        return w_pred

    def _corrected(self, v, w_pred, h):
        """``(result, x_pred, length)``: the corrector from the prediction of a step ``h``
        along ``v`` with weights ``w_pred``, its trust region ``_TRUST`` times the step."""
        cur = self.current
        x_pred = cur.x + self.sign * h * v
        length = h * np.linalg.norm(v)
        res = correct(self.ctx, x_pred, w_pred, cur.coords + self.sign * h,
                      _TRUST * length + 0.0, self._site())
        return res, x_pred, length

    def _judge(self, res, x_pred, length):
        if res is None:
            return "non-finite"
        if res.status == Status.LEFT_SIMPLEX:
            return "left"
        if not res.success:
            return "failed"
        if not self.ctx.admits(res):
            return "bounds"
        cur = self.current
        change = res.objectives - cur.values
        progress = change @ zero_sum_basis(len(res.weights))[0]
        if progress * self.sign <= 0:
            return "failed"  # went back: the branch turns
        if np.all(change <= 0) or np.all(change >= 0):
            return "failed"  # one dominates the other: not a Pareto set here
        if np.linalg.norm(res.x - x_pred) > _TRUST * length:
            return "failed"
        if self._beyond_a_step(res.weights):
            return "failed"
        return "accept"

    def _beyond_a_step(self, weights):
        """Whether ``weights`` differ from the current point's by more than a step may change
        them (``_WEIGHT_SLACK`` times ``step_size``)."""
        return np.max(np.abs(weights - self.current.weights)) > _WEIGHT_SLACK * self.ctx.step_size

    def _chord(self, res):
        """How much longer than the step to ``res`` a step may be for the midpoint of its
        chord to be stationary to ``_CHORD_RESIDUAL`` for the midpoint of the weights (the
        continuous set's piece there); one Jacobian (m gradients)."""
        cur = self.current
        residual = piece_residual(self.ctx, np.stack([cur.x, res.x]),
                                  np.stack([cur.weights, res.weights]))
        if np.isfinite(residual):
            self.branch.n_grad += len(cur.weights)
        return np.sqrt(_CHORD_RESIDUAL / max(residual, 1e-300))

    def _grow(self, res, x_pred, length, h):
        """Step control from the Newton steps the corrector took."""
        self.longest = max(self.longest, h)
        # by the Newton steps, the chord steps after them counted as one: they stand for
        # the last Newton step, whose quadratic convergence they trade for cheaper steps
        chords = res.get("n_chord", 0)
        newton = res.nit - chords + (chords > 0)
        self.h = min(h * _GROWTH.get(newton, 1.0), max(h, _RETRY * self.ceiling))
        self.ceiling *= _GROWTH[3]

    def _after_accept(self):
        new = self.current
        if np.linalg.norm(new.x - self.origin) > _RUNAWAY * (1.0 + np.linalg.norm(self.origin)):
            return End.DIVERGED
        if self._spent():
            return End.BUDGET
        # not across a jump (previous is None after one): stopped there, the branches from
        # the gaps of a 60-row three-task net's faces covered 94 % of it, 99 % going on
        if self.until is not None and self.previous is not None:
            before, after = self.previous.weights[0], new.weights[0]
            if np.any((before - self.until[:, 0]) * (after - self.until[:, 0]) <= 0):
                return End.REACHED
        if len(self.known_x):
            gaps = np.linalg.norm(self.known_x - new.x, axis=1)
            near = int(np.argmin(gaps))
            step = np.linalg.norm(new.x - (self.previous.x if self.previous else new.x))
            # within half a step of a known point, or dominated by one near in the front
            if gaps[near] <= 0.5 * step:
                self.branch.collision = near
                return End.COLLISION
        return None

    # -- ends ------------------------------------------------------------------------------------

    def _try_end(self, v, omega, h):
        """The weights leave the simplex within this step: solve the end point at the boundary."""
        cur = self.current
        falling = self.sign * omega < 0
        theta = float(np.min(cur.weights[falling] / (-self.sign * h * omega[falling])))
        w_end = cur.weights + self.sign * theta * h * omega
        w_end = onto_simplex(np.where(w_end <= 1e-12, 0.0, w_end))
        x_guess = cur.x + self.sign * theta * h * v
        length = max(theta * h * np.linalg.norm(v), 1e-300)
        if self._land(end_point(self.ctx, x_guess, w_end, 2.0 * length, self._site())):
            return End.SIMPLEX
        self.h = _SHRINK * theta * h
        if self.h < _MIN_STEP_RATIO * self.longest:
            # the end is where this point is, to within the smallest step; the end point
            # itself may lie farther in the parameters than these steps reach
            self._end_near()
            return End.BUDGET if self._spent() else End.SIMPLEX
        return None

    def _to_bounds(self, res, v, omega, h):
        """A step of length ``h`` converged outside the box: land on the face it crossed.

        The set's point on that face is found by regula falsi (Illinois) on the
        step length, each trial a corrector from the prediction, to within
        ``_BOX_REACH`` inside the face; the last trial inside is taken. Whether it
        landed (else the steps shrink as after any failure). Halving the steps
        instead ended the set up to an eighth of its longest step short of the
        face (two spheres cut at x_0 = 0.37: 7.5e-3 short).
        """
        cur = self.current
        lower, upper = self.ctx.bounds
        below = lower - res.x > res.x - upper
        outside = np.where(below, lower - res.x, res.x - upper)
        j = int(np.argmax(outside / (1.0 + np.abs(res.x))))
        face, side = (lower[j], 1.0) if below[j] else (upper[j], -1.0)
        # aimed at half the reach inside the face: a trial within it is inside
        reach = _BOX_REACH * (1.0 + abs(face))
        aim = face + side * 0.5 * reach
        low, high = (0.0, side * (cur.x[j] - aim)), (h, side * (res.x[j] - aim))
        if low[1] <= 0.5 * reach:
            return False  # on the face already: the set leaves it here, or runs along it
        landed, last = None, 0
        for _ in range(_BOX_TRIALS):
            t = (low[0] * high[1] - high[0] * low[1]) / (high[1] - low[1])
            trial, x_pred, length = self._corrected(v, self._predicted_weights(omega, t), t)
            verdict = self._judge(trial, x_pred, length)
            if verdict not in ("accept", "bounds") or np.min(trial.weights) < 0.0:
                self._waste(trial)
                break
            gap = side * (trial.x[j] - aim)
            if verdict == "accept":
                self._waste(landed)
                landed = trial
            else:
                self._waste(trial)
            if abs(gap) <= 0.5 * reach:
                break
            # Illinois: the end kept twice in a row counts half, so both ends move
            if gap > 0:
                low = (t, gap)
                high = (high[0], high[1] / 2) if last > 0 else high
            else:
                high = (t, gap)
                low = (low[0], low[1] / 2) if last < 0 else low
            last = gap
        if landed is None:
            return False
        end = point_from_result(landed)
        self._fill_to(end, _END_BISECTIONS)
        self._accept(end, self.index)
        return True

    def _end_from(self, res, length):
        """A corrector converged with weights outside the simplex: the end lies in between,
        unless its weights are farther from the current point's than a step may change
        them (:meth:`_beyond_a_step`, as :meth:`_judge` asks of a point): then the
        corrector ran past a fold of the weights onto the end of another part of the set,
        and the step is shorter."""
        w_end = onto_simplex(res.weights)
        if self._beyond_a_step(w_end):
            return None
        if self._land(end_point(self.ctx, res.x, w_end, 2.0 * length, self._site())):
            return End.SIMPLEX
        return None

    def _land(self, res):
        """Take an end point solved at boundary weights; False if it did not converge there."""
        if res is None or not res.success or not self.ctx.admits(res):
            self._waste(res)
            return False
        if self._same_as_current(res):  # the branch starts at the end
            self._waste(res)
        else:
            end = point_from_result(res)
            self._fill_to(end, _END_BISECTIONS)
            self._accept(end, self.index)
        return True

    def _fill_to(self, end, depth):
        """Accept points of the set between the current point and an ``end`` landed on.

        A landing is no step of the step control: its chord is not tested, and
        where the weights change slowly toward an end as the set moves far (an
        ill-conditioned quadratic's, whose last step crossed half the front in
        0.023 of the weights) the piece's model at the midpoint of the weights
        was a tenth of the set's length off. The midpoint is tested against the
        weighted gradients there (:func:`piece_tests`), whose norms stay
        small where the set moves fast, not against the largest gradient; where
        it fails, the point at the midpoint of the weights is solved by
        fixed-weight Newton and, if it lies farther than ``_END_SAG`` of the
        chord from the model, taken, and both halves are tested the same way
        (``depth`` times at most).
        """
        cur = self.current
        if depth == 0 or not self.ctx.whole or self._spent():
            return
        x_mid, w_mid = 0.5 * (cur.x + end.x), 0.5 * (cur.weights + end.weights)
        balance = piece_tests(self.ctx, np.stack([cur.x, end.x]),
                              np.stack([cur.weights, end.weights]))[1]
        if np.isfinite(balance):
            self.branch.n_grad += len(w_mid)
        if balance <= _END_BALANCE:
            return
        chord = np.linalg.norm(end.x - cur.x)
        res = end_point(self.ctx, x_mid, w_mid, chord, self._site(), confine=True)
        if res is None or not res.success or not self.ctx.admits(res):
            self._waste(res)
            return
        mid = point_from_result(res)
        if np.linalg.norm(mid.x - x_mid) <= _END_SAG * chord:
            self._waste(res)  # the piece's model is near the set: no point needed
            return
        self._fill_to(mid, depth - 1)
        self._accept(mid, self.index)
        self._fill_to(end, depth - 1)

    def _end_near(self):
        """Solve the end at the boundary from the current point; whether it continues the branch.

        Near a single-task end a network's set can move while its front barely
        does (a task's head switching off as its weight falls to about the
        penalty): the steps in front coordinates shrink to nothing with the
        weights still short of zero (a two-label iris net stopped at task-0
        weight 0.029, its front 0.004 from the end). Fixed-weight Newton from
        the last point reaches the end, taken if it lies within
        ``_END_REACH`` of the branch's last steps (on the same branch of minima).
        Newton's steps are confined to that reach: where the falling tasks'
        gradients have all but vanished (a head switched off), the Hessian at
        the end's weights is nearly flat, and a free Newton step ran far along
        it (a three-task net: 1.2 from the last point, 0.013 from the one
        before, the task it dropped from 0.15 to 0.55 loss).
        """
        cur, prev = self.current, self.previous
        if prev is None:
            return False
        falling = (cur.weights < prev.weights) & (cur.weights < self.ctx.step_size)
        if not falling.any():
            return False
        w_end = onto_simplex(np.where(falling, 0.0, cur.weights))
        reach = _END_REACH * np.linalg.norm(cur.x - prev.x)
        if self._land(end_point(self.ctx, cur.x, w_end, reach, self._site(), far=True,
                                confine=True)):
            return True
        return self._approach(w_end)

    def _approach(self, w_end):
        """The end at ``w_end`` not solved (singular there): fixed-weight Newton at the
        weights halfway to it from the last point, and again, each confined as in
        :meth:`_end_near`, until the weights are within ``_END_GAP`` of the end or one
        fails (the points taken stay); whether they came within ``_END_GAP``.

        ZDT1's second objective has an infinite derivative at ``x_1 = 0``, where
        task 0's weight reaches 1: the steps shrank to nothing at weight 0.968
        (``x_1 = 2.7e-4``), and the weights from there to 1 were not covered.
        """
        while np.max(np.abs(self.current.weights - w_end)) > _END_GAP:
            if self._spent():
                return False
            cur, prev = self.current, self.previous
            reach = _END_REACH * np.linalg.norm(cur.x - prev.x)
            res = end_point(self.ctx, cur.x, 0.5 * (cur.weights + w_end), reach, self._site(),
                            far=True, confine=True)
            if res is None or not res.success or not self.ctx.admits(res):
                self._waste(res)
                return False
            self._accept(point_from_result(res), self.index)
        return True

    def _spent(self):
        """Whether the branch holds its budget of points (``n_steps``, ``max_points``)."""
        return len(self.branch.points) >= self.max_steps

    def _same_as_current(self, res):
        """Whether an end point is the current point again (the branch starts at the end)."""
        cur = self.current
        return (np.max(np.abs(res.weights - cur.weights)) <= 1e-12
                or np.linalg.norm(res.x - cur.x) <= 1e-12 * (1.0 + np.linalg.norm(cur.x)))

    def _jump(self):
        """The steps shrank to nothing: the branch ends. Where a weight falling along it is
        within ``step_size`` of zero, at the simplex's boundary (:meth:`_end_near`); else
        re-solve beyond it, or stop."""
        if self._end_near():
            return End.SIMPLEX
        if self._spent():  # (an approach to the end stopped by the budget)
            return End.BUDGET
        cur = self.current
        reach = max(self.longest, 1e-12)
        target = cur.coords + self.sign * reach
        try:
            res = resolve(self.ctx.fun, cur.x, cur.weights, target, tol=self.ctx.tol,
                          options=self.ctx.options, hess_fun=self.ctx.hess_fun(self._site()),
                          scales=self.ctx.scales)
        except NonFiniteError:
            return End.SINGULAR
        ahead = ((res.objectives - cur.values) @ zero_sum_basis(len(cur.weights))[0]
                 * self.sign if res.objectives is not None else -1.0)
        if (res.success and ahead > _MIN_STEP_RATIO * reach and self.ctx.admits(res)
                and not np.all(res.objectives >= cur.values)):
            self._accept(point_from_result(res), None)
            self.h = None
            self.longest = 0.0
            self.stepped = False
            return self._after_accept()
        self._waste(res)
        return End.SINGULAR


def trace(ctx, start, sign, *, known=None, key=(), max_steps=np.inf, until=None, sink=None):
    """Follow the set (m = 2) from ``start`` in one direction until it ends.

    Parameters
    ----------
    ctx : Context
    start : Point
        A stationary point (already in the set).
    sign : {1, -1}
        Direction along the front coordinate ``(f_0 - f_1) / sqrt(2)``.
    known : tuple of ndarray, default=None
        ``(params, front)`` of points found before, which the branch stops at.
    key : tuple of int
        Seeds the sampled Hessians of this branch.
    max_steps : int
        Largest number of new points.
    until : ndarray of shape (2,) or (k, 2), default=None
        Stop once a step covers these weights (any of them).
    sink : callable, default=None
        ``sink(point, parent)`` is called with every point as it is accepted
        (``parent``: the index of the point it continues in the branch, -1 the
        start, None a new root), so that an interruption loses none.

    Returns
    -------
    branch : Branch
    """
    if known is None:
        known = (np.zeros((0, start.x.size)), np.zeros((0, len(start.values))))
    tracer = _Tracer(ctx, start, sign, known, key, max_steps, until, sink)
    end = None
    while end is None:
        end = tracer.step()
    tracer.branch.end = end
    return tracer.branch
