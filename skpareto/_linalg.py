"""Linear algebra of both stages: Hessian and bordered operators, and their solver.

Everything here is matrix-free: an operator applies ``sum_i w_i Hess f_i``
through autograd Hessian-vector products (see :func:`skpareto._hvp.hessian_operator`)
and counts them, and :func:`minres_solve` solves with it by MINRES, stopping
at the *true* relative residual. For small problems :class:`DenseHessian` forms
the matrix once from ``n`` products, and :func:`solve` solves it, and the bordered
systems built on it (:class:`DenseSystem`), directly.
"""

import numpy as np
from scipy.linalg import lapack
from scipy.optimize import brentq
from scipy.sparse.linalg import LinearOperator, minres

from ._weights import _NORM_RANGE, _by_power_of_two, safe_norm
from .exceptions import NonFiniteError

__all__ = ["HessianOperator", "DenseHessian", "DenseSystem", "bordered_operator",
           "minres_solve", "solve"]


class HessianOperator(LinearOperator):
    """``sum_i w_i Hess f_i(x) + damping * I`` as a LinearOperator counting its matvecs.

    Parameters
    ----------
    hvp : callable
        ``v -> H v`` for the undamped Hessian, linearized once.
    n : int
        Dimension.
    damping : float
        Added to the diagonal.
    grad : ndarray of shape (n,)
        Gradient of the weighted objective at the linearization point.

    Raises
    ------
    NonFiniteError
        Where the gradient or a product is not finite (the point lies where
        the objectives overflow): no solver is given NaN.
    """

    def __init__(self, hvp, n, damping, grad):
        if not np.all(np.isfinite(grad)):
            raise NonFiniteError("the weighted gradient is not finite at x.")
        super().__init__(dtype=np.float64, shape=(n, n))
        self._hvp = hvp
        self.damping = float(damping)
        self.grad = grad
        self.n_matvec = 0

    def _matvec(self, v):
        self.n_matvec += 1
        v = np.asarray(v, dtype=np.float64).reshape(-1)
        with np.errstate(all="ignore"):  # (reported by _finite)
            product = np.asarray(self._hvp(v), dtype=np.float64)
        return _finite(product) + self.damping * v

    def _adjoint(self):
        return self  # symmetric


class DenseHessian(HessianOperator):
    """A :class:`HessianOperator` formed as a matrix from ``n`` products, for small ``n``.

    Once formed, products cost no more autograd calls and :func:`solve`
    uses a direct solver: exact, and cheaper than Krylov iterations
    whenever these would take more than about ``n`` products. With
    ``block``, ``hvp`` takes ``(k, n)`` blocks of directions (an objective's
    written-out products, see :func:`skpareto._hvp.hessian_operator`), and
    the matrix is formed ``_BLOCK`` columns at a time (``blocked``).
    """

    def __init__(self, hvp, n, damping, grad, block=False):
        super().__init__(hvp, n, damping, grad)
        eye = np.eye(n)
        with np.errstate(all="ignore"):  # (reported by _finite)
            if block:
                columns = np.concatenate([_finite(np.asarray(hvp(eye[i:i + _BLOCK]),
                                                             np.float64))
                                          for i in range(0, n, _BLOCK)])
            else:
                columns = [_finite(np.asarray(hvp(e), dtype=np.float64)) for e in eye]
        self.n_matvec = n
        self.blocked = block
        matrix = np.array(columns)
        self.matrix = 0.5 * (matrix + matrix.T) + self.damping * np.eye(n)
        self.system = DenseSystem(self.matrix)

    def _matvec(self, v):
        return self.matrix @ np.asarray(v, dtype=np.float64).reshape(-1)


class DenseSystem:
    """A symmetric matrix for :func:`solve`, with the factorizations its solves need, each
    formed once.

    A system solved several times -- a trust region's retries at shorter radii, the
    tangents' unit right-hand sides -- pays for one LU factorization and, where a solve
    needs it (an ill-conditioned matrix, a step longer than its radius), one
    eigendecomposition, which costs several LU factorizations.

    Parameters
    ----------
    matrix : ndarray of shape (k, k)
        Symmetric.
    border : int, default=0
        Its last ``border`` rows and columns border the block before them
        (:func:`bordered_operator`). Where the matrix is not well conditioned
        only because the border is on another scale than the block (task
        gradients on scales far apart, their difference 1e-4 against a
        Hessian of 1e4: an eigenvalue of 1e-15 of the largest), LU solves the
        matrix with each border column scaled to the block's norm.
    """

    def __init__(self, matrix, border=0):
        self.matrix = matrix
        self.border = border
        self._lu = self._eigen = self._head = self._scaled = None

    @property
    def well_conditioned(self):
        """Whether the matrix is solved by LU: nonsingular, and LAPACK's estimate of its
        reciprocal condition number (1-norm) at least ``_LU_RCOND``."""
        if self._lu is None:  # LAPACK itself: scipy.linalg.lu_factor warns on a singular matrix
            getrf, gecon, getrs = lapack.get_lapack_funcs(("getrf", "gecon", "getrs"),
                                                          (self.matrix,))
            lu, piv, info = getrf(self.matrix)
            if info == 0:
                rcond, info = gecon(lu, np.linalg.norm(self.matrix, 1), norm="1")
            self._lu = (getrs, lu, piv) if info == 0 and rcond >= _LU_RCOND else False
        return self._lu is not False

    def direct(self, rhs):
        """The solution by LU, or None where the matrix is not :attr:`well_conditioned`
        enough for it to be the minimum-norm solution :func:`solve` promises (a bordered
        matrix: nor with its border scaled, :meth:`_border_scaled`)."""
        if not self.well_conditioned:
            return self._border_scaled(rhs)
        getrs, lu, piv = self._lu
        v, info = getrs(lu, piv, rhs)
        return v if info == 0 else None

    def _border_scaled(self, rhs):
        """The LU solution with the border's columns (and rows) scaled to the block's norm,
        or None where that matrix is not well conditioned either (a singular block, a fold
        of the weights). With ``S`` the scaling, ``A v = rhs`` is ``(S A S) S^-1 v = S rhs``."""
        k = self.border
        if not k:
            return None
        if self._scaled is None:
            block = np.linalg.norm(self.matrix[:-k, :-k], 1)
            sizes = np.linalg.norm(self.matrix[:-k, -k:], 1, axis=0)
            self._scaled = False
            if block > 0 and np.all(sizes > 0):
                scale = np.concatenate([np.ones(len(self.matrix) - k), block / sizes])
                system = DenseSystem(self.matrix * scale[:, None] * scale[None, :])
                if system.well_conditioned:
                    self._scaled = (system, scale)
        if self._scaled is False:
            return None
        system, scale = self._scaled
        v = system.direct(scale * rhs)
        return None if v is None else scale * v

    def damped_head(self, rhs, head):
        """:func:`_damped_head` for ``A^2`` and ``A rhs``, ``A`` the matrix scaled so its
        largest eigenvalue is at most 1, its eigenvalues below ``_RCOND`` dropped where it
        is not :attr:`well_conditioned`. Kept for the next call with the same ``rhs`` and
        ``head`` (a trust region's retry at a shorter radius)."""
        if self._head is not None and self._head[0] == head and np.array_equal(
                self._head[1], rhs):
            return self._head[2]
        if self.well_conditioned:  # the 1-norm bounds a symmetric matrix's eigenvalues
            scale = np.linalg.norm(self.matrix, 1)
            matrix = self.matrix / scale
        else:
            values, vectors = self.eigen()
            scale = np.max(np.abs(values))
            matrix = (vectors * (values / scale)) @ vectors.T
        self._head = (head, rhs.copy(),
                      _damped_head(matrix @ matrix, matrix @ (rhs / scale), head))
        return self._head[2]

    def eigen(self):
        """``(values, vectors)`` of the matrix, the eigenvalues below ``_RCOND`` of the
        largest dropped."""
        if self._eigen is None:
            values, vectors = np.linalg.eigh(self.matrix)
            keep = np.abs(values) > _RCOND * np.max(np.abs(values))
            self._eigen = values[keep], vectors[:, keep]
        return self._eigen


def _finite(product):
    if not np.all(np.isfinite(product)):
        raise NonFiniteError("a Hessian-vector product is not finite at x.")
    return product


def bordered_operator(op, border):
    """``[[op, border], [border.T, 0]]``: symmetric, of size ``n + k``.

    Parameters
    ----------
    op : HessianOperator
        The ``(n, n)`` block; its products are counted in ``op.n_matvec``.
    border : ndarray of shape (n, k)

    Returns
    -------
    operator : LinearOperator or DenseSystem
        A :class:`DenseSystem` when ``op`` is dense, else a LinearOperator.
    """
    n, k = border.shape
    if isinstance(op, DenseHessian):
        return DenseSystem(np.block([[op.matrix, border], [border.T, np.zeros((k, k))]]), k)

    def matvec(v):
        v = np.asarray(v, dtype=np.float64).reshape(-1)
        top = op.matvec(v[:n]) + border @ v[n:]
        return np.concatenate([top, border.T @ v[:n]])

    return LinearOperator((n + k, n + k), matvec=matvec, rmatvec=matvec, dtype=np.float64)


def solve(op, rhs, *, rtol, maxiter, radius=np.inf, head=None):
    """Solve ``op @ v = rhs``: directly for a matrix, by :func:`minres_solve` otherwise.

    A singular matrix is solved in the least-squares sense (minimum norm),
    as MINRES does for a consistent right-hand side. Where the solution's
    first ``head`` entries (default all) are longer than ``radius``, the step
    of least residual whose head is that long is returned (for a matrix; see
    :func:`minres_solve` for its Krylov counterpart).

    Returns
    -------
    v : ndarray
    residual : float
        ``||op v - rhs|| / ||rhs||`` (0 for a zero ``rhs``).
    """
    system = (op.system if isinstance(op, DenseHessian)
              else DenseSystem(op) if isinstance(op, np.ndarray) else op)
    if not isinstance(system, DenseSystem):
        return minres_solve(op, rhs, rtol=rtol, maxiter=maxiter, radius=radius, head=head)
    size = np.max(np.abs(rhs)) if rhs.size else 0.0  # norms without overflow
    if size == 0.0:
        return np.zeros_like(rhs), 0.0
    norm = np.linalg.norm(rhs / size)
    v = system.direct(rhs)
    if v is None:
        # symmetric: the minimum-norm solution from the eigendecomposition, dropping the
        # directions a singular matrix has (e.g. parameters no loss depends on), as MINRES
        # would for a consistent right-hand side
        values, vectors = system.eigen()
        v = vectors @ ((vectors.T @ rhs) / values)
    if np.linalg.norm(v[:head]) > radius:
        v = _within(system, rhs, radius, head)
    return v, float(np.linalg.norm((system.matrix @ v - rhs) / size) / norm)


def _within(system, rhs, radius, head):
    """The step of least residual whose first ``head`` entries are ``radius`` long.

    Minimizes ``||A v - rhs||`` for the matrix ``A`` of ``system`` (its directions
    of eigenvalues below ``_RCOND`` dropped, as :func:`solve` does) subject to
    ``||v[:head]|| <= radius``: ``(A^2 + mu P) v = A rhs`` (Levenberg-Marquardt on the
    head, ``P`` its projection; for the whole vector in the eigenbasis, for a head by
    :func:`_damped_head`, neither with a solve per ``mu``) with ``mu`` found by Brent's
    method on ``log(mu)``, the head's length falling as ``mu`` grows. Scaling the Newton
    step back would keep its direction, which near a singular matrix lies along the
    smallest eigenvalues; this damps them first, as MINRES's early iterates do
    (:func:`minres_solve`).
    """
    if radius <= 0.0:
        return np.zeros(rhs.size)
    if head is None or head >= rhs.size:
        values, vectors = system.eigen()
        scale = np.max(np.abs(values))  # the same step for A / scale, without overflow in A^2
        values = values / scale
        rates = values * (vectors.T @ rhs) / scale

        def step(mu):
            return vectors @ (rates / (values ** 2 + mu))

        def length(mu):  # vectors orthonormal
            return np.linalg.norm(rates / (values ** 2 + mu))
    else:
        step, length = system.damped_head(rhs, head)

    def excess(log_mu):
        return length(np.exp(log_mu)) / radius - 1.0

    high = 1.0  # A scaled: its largest eigenvalue is at most 1
    bottom = excess(np.log(high))
    for _ in range(100):  # (a radius below rounding: the end rescales the longest mu's step)
        if bottom <= 0.0:
            break
        high *= 4.0
        bottom = excess(np.log(high))
    low = 1e-12 * high
    top = excess(np.log(low))
    for _ in range(10):  # a head longer than the radius at mu = low, or mu below rounding
        if top > 0.0:
            break
        low *= 1e-6
        top = excess(np.log(low))
    if top <= 0.0 or bottom >= 0.0:  # no sign change: the end nearest the radius
        mu = low if top <= 0.0 else high
    else:
        mu = np.exp(brentq(excess, np.log(low), np.log(high), xtol=1e-7))
    v = step(mu)
    reach = np.linalg.norm(v[:head])
    # onto the boundary, exactly (a head that rounds to zero: the tail alone moves)
    return v * (radius / reach) if reach > 0.0 else v


def _damped_head(gram, target, head):
    """``step(mu)``, the solution of ``(gram + mu P) v = target`` (``P`` the projection
    on the first ``head`` entries, see :func:`_within`), and ``length(mu)``, the length of
    its head.

    The tail (the border's ``k`` entries, ``P`` zero on them) is eliminated:
    ``(S + mu I) a = s`` for the head ``a``, with ``S`` the Schur complement of the
    tail's block of ``gram`` (positive semidefinite), so one eigendecomposition of ``S``
    serves every ``mu``, and a length costs no solve. A tail block that is singular to
    rounding (a border of deficient rank) is solved as the whole system for each ``mu``.
    """
    tail = gram[head:, head:]
    if np.linalg.cond(tail) < _TAIL_COND:
        cross = gram[:head, head:]
        schur = gram[:head, :head] - cross @ np.linalg.solve(tail, cross.T)
        sigma, q = np.linalg.eigh(0.5 * (schur + schur.T))
        sigma = np.maximum(sigma, 0.0)  # semidefinite: a negative value is rounding
        proj = q.T @ (target[:head] - cross @ np.linalg.solve(tail, target[head:]))

        def step(mu):
            a = q @ (proj / (sigma + mu))
            return np.concatenate([a, np.linalg.solve(tail, target[head:] - cross.T @ a)])

        def length(mu):
            return np.linalg.norm(proj / (sigma + mu))

        return step, length
    penalty = np.zeros(len(target))
    penalty[:head] = 1.0

    def step(mu):
        try:
            return np.linalg.solve(gram + np.diag(mu * penalty), target)
        except np.linalg.LinAlgError:
            return np.linalg.lstsq(gram + np.diag(mu * penalty), target, rcond=None)[0]

    return step, lambda mu: np.linalg.norm(step(mu)[:head])


def minres_solve(op, rhs, *, rtol, maxiter, radius=np.inf, head=None):
    """Solve ``op @ v = rhs`` with MINRES and return ``(v, relative_residual)``.

    The residual returned is the true ``||op v - rhs|| / ||rhs||``, not
    MINRES's estimate. A zero ``rhs`` gives ``v = 0`` and residual 0.

    SciPy's MINRES stops on ``||r|| <= rtol ||op|| ||v||`` or on its
    least-squares test ``||op r|| <= rtol ||op|| ||r||``. For an
    ill-conditioned ``op`` either can pass long before ``||r|| / ||rhs||``
    reaches ``rtol``, and restarting from the residual throws away the
    Krylov space built so far. So SciPy's tests are switched off
    (``rtol=0``) and a callback stops MINRES once the true residual of its
    iterate meets ``rtol`` (see :class:`_Monitor`; a check costs one
    matvec). A run that ends otherwise -- ``maxiter`` (the budget of all
    runs together; None: ``5 n``) or SciPy's breakdown tests -- is
    restarted on the residual equation ``op @ dv = rhs - op @ v`` with
    ``v += dv`` (iterative refinement, at most 3 restarts), which recovers
    accuracy lost to rounding.

    With a finite ``radius`` the solve is a trust-region step: MINRES stops
    at the first iterate whose first ``head`` entries (default all) are
    longer than ``radius``, scaled back to that length. Near a singular
    ``op`` the exact solution is dominated by its smallest eigenvalues, and a
    Newton step that long would leave the region where the linear model
    holds; MINRES's early iterates stay in the span of the large ones.

    SciPy's MINRES is not scale-free (it takes quantities below its machine
    epsilon for zero, and squares overflow): a right-hand side whose norm's
    squares leave the float range is solved scaled, and a solve that misses
    ``rtol`` where the operator's norm lies outside ``_OPERATOR_RANGE`` is
    run again with the operator scaled to about one, each by a power of two.
    """
    peak = np.max(np.abs(rhs))
    if peak == 0.0:
        return np.zeros_like(rhs), 0.0
    if not _NORM_RANGE[0] <= peak <= _NORM_RANGE[1]:  # its norm's squares under/overflow
        scale = _by_power_of_two(1.0, peak)  # (a power of two: exact)
        v, residual = minres_solve(op, scale * rhs, rtol=rtol, maxiter=maxiter,
                                   radius=radius * scale, head=head)
        return v / scale, residual
    with np.errstate(over="ignore", invalid="ignore"):  # (an operator too large: below)
        v, residual, residual_vec = _minres_runs(op, rhs, rtol, maxiter, radius, head)
    if not residual <= rtol:
        # SciPy's MINRES takes quantities below its machine epsilon for zero, absolutely: an
        # operator of norm 1e-20 (objectives scaled by 1e-20) stopped it at residual 1;
        # one of 1e200 overflowed.
        # Its size, from the last iterate (op v = rhs - residual, no product more), or
        # where that is zero (op v below the float range) from one product
        length = safe_norm(v)
        size = safe_norm(rhs - residual_vec) / length if length > 0 else 0.0
        if not 0.0 < size < np.inf:
            size = safe_norm(op.matvec(rhs / np.linalg.norm(rhs)))
        if 0.0 < size and not _OPERATOR_RANGE[0] <= size <= _OPERATOR_RANGE[1]:
            scale = _by_power_of_two(1.0, size)  # (scale op) y = rhs: v = scale y
            y, scaled, _ = _minres_runs(_Scaled(op, scale), rhs, rtol, maxiter,
                                        radius / scale, head)
            if scaled < residual:
                v, residual = scale * y, scaled
    return v, float(residual)


def _minres_runs(op, rhs, rtol, maxiter, radius, head):
    """:func:`minres_solve`'s runs: ``(v, relative residual, residual vector)``."""
    norm = np.linalg.norm(rhs)
    budget = 5 * rhs.size if maxiter is None else int(maxiter)
    used = 0
    v = None  # allocated by the first run: one vector fewer alive during it
    residual_vec = rhs
    for _ in range(_MAX_RESTARTS + 1):
        monitor = _Monitor(op, residual_vec, rtol * norm, radius, head, v)
        try:
            dv, _ = minres(op, residual_vec, rtol=0.0, maxiter=budget - used,
                           callback=monitor)
            reached = False
        except _Reached:
            dv, reached = monitor.x, True
        used += monitor.iterations
        if v is None:
            v = dv
        else:
            v += dv
        # the residual of v + dv on rhs is that of dv on residual_vec
        if monitor.truncated:
            length = np.linalg.norm(v[:head])
            v *= radius / length
            residual_vec = rhs - op.matvec(v)
        else:
            residual_vec = monitor.residual_vec if reached else rhs - op.matvec(v)
        residual = np.linalg.norm(residual_vec) / norm
        if (residual <= rtol or used >= budget or monitor.iterations == 0
                or monitor.truncated):
            break
    return v, float(residual), residual_vec


_MAX_RESTARTS = 3
# a MINRES solve that missed rtol is tried again with the operator scaled to about one where
# its norm (estimated from the last iterate) lies outside this range (large: its squares
# overflow beyond about 1e150; a network's Hessian is near one, and a failed solve there is
# not tried twice)
_OPERATOR_RANGE = (2.0 ** -30, 2.0 ** 100)
# eigenvalues below this fraction of the largest are treated as zero by the dense solve
_RCOND = 1e-12
# a dense solve by LU where LAPACK's estimate of the reciprocal condition number (1-norm) is
# at least this: within a factor n of the 2-norm's, so no eigenvalue falls below _RCOND and the
# solution is the eigendecomposition's to rounding, for a fraction of its cost
_LU_RCOND = 1e-8
# a truncated dense step eliminates the border's block of A^2 below this condition number
_TAIL_COND = 1e10
# directions per block product of a DenseHessian: on the estimator's small networks a block of
# 32 costs about 0.06-0.6 of a single product per direction (benchmarks/bench_dense.py)
_BLOCK = 32


class _Scaled(LinearOperator):
    """``scale * op`` (a power of two: exact), counting its products on ``op``."""

    def __init__(self, op, scale):
        super().__init__(dtype=np.float64, shape=op.shape)
        self.op, self.scale = op, scale

    def _matvec(self, v):
        return self.scale * self.op.matvec(v)

    def _adjoint(self):
        return self  # symmetric


class _Reached(Exception):
    """Raised by :class:`_Monitor` to stop MINRES at the target residual."""


class _Monitor:
    """MINRES callback checking the true residual ``||rhs - op x_k||`` at checkpoints.

    A check costs one matvec, so checks are spaced by extrapolating the rate
    at which the log-residual fell between the last two (MINRES's residual
    never grows): the next check is where that rate meets ``target``, but no
    later than twice the current iteration count and no sooner than a tenth
    of it later. A run that slows down is checked at least once per doubling
    of its length. Raises :class:`_Reached` once ``||rhs - op x_k|| <= target``,
    keeping ``x`` (that iterate) and ``residual_vec`` (its residual), or once
    the iterate (plus ``offset``, the solution of earlier runs) is longer than
    ``radius`` in its first ``head`` entries (``truncated``).
    """

    def __init__(self, op, rhs, target, radius=np.inf, head=None, offset=None):
        self.op, self.rhs, self.target = op, rhs, target
        self.radius, self.head, self.offset = radius, head, offset
        self.truncated = False
        self.iterations = 0
        self.next_check = 2
        self.last = (0, np.log(np.linalg.norm(rhs)))  # (iteration, log residual)
        self.x = self.residual_vec = None

    def __call__(self, xk):
        self.iterations = k = self.iterations + 1
        if np.isfinite(self.radius):
            part = xk[:self.head] if self.offset is None else (xk + self.offset)[:self.head]
            if np.linalg.norm(part) > self.radius:
                self.x, self.truncated = xk, True
                raise _Reached
        if k < self.next_check:
            return
        residual_vec = self.rhs - self.op.matvec(xk)
        norm = np.linalg.norm(residual_vec)
        if norm <= self.target:
            self.x, self.residual_vec = xk, residual_vec
            raise _Reached
        k0, log0 = self.last
        self.last = (k, np.log(norm))
        rate = (self.last[1] - log0) / (k - k0)  # per iteration; < 0 while converging
        gap = k
        if rate < 0 and self.target > 0:  # (a zero target runs MINRES to maxiter)
            gap = min(gap, int(np.ceil((np.log(self.target) - self.last[1]) / rate)))
        self.next_check = k + max(1, k // 10, gap)
