"""Linear algebra of both stages: Hessian and bordered operators, and their solver.

Everything here is matrix-free: an operator applies ``sum_i w_i Hess f_i``
through autograd Hessian-vector products (see :func:`skpareto._hvp.hessian_operator`)
and counts them, and :func:`minres_solve` solves with it by MINRES, stopping
at the *true* relative residual. For small problems :class:`DenseHessian` forms
the matrix once from ``n`` products and solves exactly; :func:`hessian_for`
chooses between them.
"""

import numpy as np
from scipy.optimize import brentq
from scipy.sparse.linalg import LinearOperator, minres

from .exceptions import NonFiniteError

__all__ = ["HessianOperator", "DenseHessian", "bordered_operator", "minres_solve",
           "solve"]


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
        return _finite(np.asarray(self._hvp(v), dtype=np.float64)) + self.damping * v

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
        if block:
            columns = np.concatenate([_finite(np.asarray(hvp(eye[i:i + _BLOCK]), np.float64))
                                      for i in range(0, n, _BLOCK)])
        else:
            columns = [_finite(np.asarray(hvp(e), dtype=np.float64)) for e in eye]
        self.n_matvec = n
        self.blocked = block
        matrix = np.array(columns)
        self.matrix = 0.5 * (matrix + matrix.T) + self.damping * np.eye(n)

    def _matvec(self, v):
        return self.matrix @ np.asarray(v, dtype=np.float64).reshape(-1)


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
    operator : LinearOperator or ndarray
        A dense matrix when ``op`` is dense, else a LinearOperator.
    """
    n, k = border.shape
    if isinstance(op, DenseHessian):
        return np.block([[op.matrix, border], [border.T, np.zeros((k, k))]])

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
    matrix = op.matrix if isinstance(op, DenseHessian) else op
    if not isinstance(matrix, np.ndarray):
        return minres_solve(op, rhs, rtol=rtol, maxiter=maxiter, radius=radius, head=head)
    size = np.max(np.abs(rhs)) if rhs.size else 0.0  # norms without overflow
    if size == 0.0:
        return np.zeros_like(rhs), 0.0
    norm = np.linalg.norm(rhs / size)
    # symmetric: the minimum-norm solution from the eigendecomposition, dropping the
    # directions a singular matrix has (e.g. parameters no loss depends on), as MINRES
    # would for a consistent right-hand side
    values, vectors = np.linalg.eigh(matrix)
    keep = np.abs(values) > _RCOND * np.max(np.abs(values))
    values, vectors = values[keep], vectors[:, keep]
    coef = vectors.T @ rhs
    v = vectors @ (coef / values)
    if np.linalg.norm(v[:head]) > radius:
        v = _within(vectors, values, coef, radius, head)
    return v, float(np.linalg.norm((matrix @ v - rhs) / size) / norm)


def _within(vectors, values, coef, radius, head):
    """The step of least residual whose first ``head`` entries are ``radius`` long.

    Minimizes ``||A v - rhs||`` for ``A = vectors diag(values) vectors.T`` (``coef =
    vectors.T rhs``) subject to ``||v[:head]|| <= radius``: ``(A^2 + mu P) v = A rhs``
    (Levenberg-Marquardt on the head, ``P`` its projection; for the whole vector, in
    the eigenbasis without a solve) with ``mu`` found by Brent's method on ``log(mu)``,
    the head's length falling as ``mu`` grows. Scaling the Newton step back would keep
    its direction, which near a singular matrix lies along the smallest eigenvalues;
    this damps them first, as MINRES's early iterates do (:func:`minres_solve`).
    """
    scale = np.max(np.abs(values))  # the same step for A / scale, without overflow in A^2
    values, coef = values / scale, coef / scale
    if radius <= 0.0:
        return np.zeros(vectors.shape[0])
    if head is None or head >= vectors.shape[0]:
        def step(mu):
            return vectors @ (values * coef / (values ** 2 + mu))
    else:
        target = vectors @ (values * coef)
        gram = (vectors * values ** 2) @ vectors.T
        penalty = np.zeros(len(target))
        penalty[:head] = 1.0

        def step(mu):
            try:
                return np.linalg.solve(gram + np.diag(mu * penalty), target)
            except np.linalg.LinAlgError:
                return np.linalg.lstsq(gram + np.diag(mu * penalty), target, rcond=None)[0]

    def excess(log_mu):
        return np.linalg.norm(step(np.exp(log_mu))[:head]) / radius - 1.0

    high = 1.0  # values scaled: the largest is 1
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
    return v * (radius / np.linalg.norm(v[:head]))  # onto the boundary, exactly


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
    """
    norm = np.linalg.norm(rhs)
    if norm == 0.0:
        return np.zeros_like(rhs), 0.0
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
    return v, float(residual)


_MAX_RESTARTS = 3
# eigenvalues below this fraction of the largest are treated as zero by the dense solve
_RCOND = 1e-12
# directions per block product of a DenseHessian: on the estimator's small networks a block of
# 32 costs about 0.06-0.6 of a single product per direction (benchmarks/bench_dense.py)
_BLOCK = 32


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
