"""Tangent directions of the Pareto set, Hessian-free (stage 2 of the method)."""

import warnings

import numpy as np

from ._hvp import check_point, hessian_operator, value_and_jacobian
from ._linalg import bordered_operator, minres_solve, solve
from ._utils import Result
from ._validation import check_callable, check_int, check_real
from ._weights import check_weights, min_norm_weights, zero_sum_basis
from .exceptions import ConvergenceWarning

__all__ = ["tangent_directions", "front_tangents"]


def tangent_directions(fun, x, weights=None, betas=None, *, rtol=1e-10,
                       maxiter=None, damping=0.0, hess_fun=None):
    """Directions in which the Pareto set continues from a stationary point.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (m,)`` objectives, written with ``autograd.numpy``.
    x : array-like of shape (n,)
        A Pareto-stationary point.
    weights : array-like of shape (m,), default=None
        Weights ``alpha`` with ``jac.T @ alpha = 0`` at ``x``. Default: the
        min-norm weights :func:`min_norm_weights` of the Jacobian at ``x``.
    betas : array-like of shape (k, m), default=None
        Right-hand-side combinations. Default: an orthonormal basis of the
        zero-sum subspace (m - 1 directions), which spans the tangent space.
    rtol : float, default=1e-10
        Relative tolerance of MINRES.
    maxiter : int, default=None
        Maximum MINRES iterations per direction, one Hessian-vector product
        each, plus a few to check the residual
        (see :func:`skpareto._linalg.minres_solve`);
        None: 5 n.
    damping : float, default=0.0
        Solve with ``H + damping * I`` instead of ``H``.
    hess_fun : callable, default=None
        Objective whose Hessian is used, if not ``fun``; for the paper's
        sample-based system pass the same losses on a random subset of rows.
        The Jacobian always comes from ``fun``.

    Returns
    -------
    result : Result
        Bunch with fields

        - ``directions`` (k, n): tangent directions ``v_j``, solving
          ``H v_j = jac.T @ beta_j``.
        - ``betas`` (k, m): the combinations used. Along ``v_j`` the weights
          change by ``-beta_j`` (first order).
        - ``weights`` (m,): the weights ``alpha`` defining ``H``.
        - ``front_directions`` (k, m): ``jac @ v_j``, the first-order change
          of the objectives.
        - ``residuals`` (k,): ``||H v_j - jac.T beta_j|| / ||jac.T beta_j||``.
        - ``objectives`` (m,), ``jac`` (m, n): objectives and Jacobian at ``x``.
        - ``n_hvp``: Hessian-vector products spent (including those that
          check MINRES's residual).

    Raises
    ------
    ValueError
        If ``x``, ``weights``, ``betas`` or ``hess_fun`` are malformed,
        ``hess_fun`` returns another number of objectives than ``fun``, or
        ``fun`` returns non-finite values.

    Warns
    -----
    ConvergenceWarning
        When a residual exceeds ``max(10 * rtol, 1e-12)``; the direction is
        still returned and its residual recorded.

    Notes
    -----
    Differentiating the stationarity condition ``sum_i alpha_i grad f_i = 0``
    along the set gives ``H dx = -jac.T d_alpha`` with
    ``H = sum_i alpha_i Hess f_i``. Taking ``d_alpha = -beta`` yields
    ``v = H^{-1} jac.T beta``. ``H`` is applied through autograd
    Hessian-vector products, linearized once at ``x``; no n x n matrix is
    formed. MINRES accepts indefinite ``H``.

    References
    ----------
    .. [1] Ma, Du, Matusik, "Efficient Continuous Pareto Exploration in
       Multi-Task Learning", ICML 2020, Section 4.

    Examples
    --------
    >>> import autograd.numpy as anp
    >>> from skpareto import tangent_directions
    >>> def fun(x):
    ...     return anp.array([anp.sum((x - 1.0) ** 2), anp.sum((x + 1.0) ** 2)])
    >>> res = tangent_directions(fun, anp.zeros(2))
    >>> res.directions.shape, res.weights
    ((1, 2), array([0.5, 0.5]))
    """
    x = check_point(x)
    values, jac = value_and_jacobian(fun, x)
    m = values.size
    alpha = min_norm_weights(jac) if weights is None else check_weights(weights, m)
    betas = zero_sum_basis(m) if betas is None else check_betas(betas, m)
    check_real(rtol, "rtol", low=0.0)
    check_int(maxiter, "maxiter", low=1, allow_none=True)
    check_real(damping, "damping", low=0.0, closed="left")
    check_callable(hess_fun, "hess_fun", "x -> (m,) objectives")

    op = hessian_operator(fun if hess_fun is None else hess_fun, x, alpha,
                          damping=damping, name="fun" if hess_fun is None else "hess_fun")
    # stacked after the solves, so that no (k, n) block is alive during them
    solved = [minres_solve(op, jac.T @ beta, rtol=rtol, maxiter=maxiter) for beta in betas]
    directions = np.array([v for v, _ in solved]).reshape(len(betas), x.size)
    residuals = np.array([r for _, r in solved], dtype=np.float64)
    bad = residuals > max(10.0 * rtol, 1e-12)
    if np.any(bad):
        warnings.warn(
            f"MINRES did not reach rtol={rtol:g} for {bad.sum()} of {len(bad)} "
            f"tangent directions (worst relative residual {residuals.max():.3g}); "
            "increase maxiter or damping. Residuals are kept in the result.",
            ConvergenceWarning, stacklevel=2,
        )
    return Result(directions=directions, betas=betas, weights=alpha,
                  front_directions=directions @ jac.T, residuals=residuals,
                  objectives=values, jac=jac, n_hvp=op.n_matvec)


def check_betas(betas, m, name="betas"):
    """Validate right-hand-side combinations: a finite real array of shape (k, m)."""
    betas = np.asarray(betas)
    if betas.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold real numbers, got dtype {betas.dtype}.")
    betas = betas.astype(np.float64)
    if betas.ndim == 1:
        betas = betas[None, :]
    if betas.ndim != 2 or betas.shape[1] != m or not np.all(np.isfinite(betas)):
        raise ValueError(f"{name} must be a finite array of shape (k, {m}); "
                         f"got shape {betas.shape}.")
    return betas


def front_tangents(op, jac, *, rtol, maxiter, basis=None):
    """The set's tangents per unit of front coordinates, from the bordered system.

    Solves ``[[H_w, B], [B.T, 0]] [v_j; mu_j] = [0; e_j]`` with
    ``B = jac.T @ Z`` for each unit vector ``e_j`` of the ``m - 1`` front
    coordinates (:func:`skpareto._stationary.front_coordinates`): along
    ``v_j`` the objectives change by ``jac @ v_j`` with ``Z.T jac v_j = e_j``
    and the weights by ``Z @ mu_j``, to first order. Unlike
    ``H_w^{-1} jac.T beta`` (:func:`tangent_directions`), this stays defined
    where the weights fold along the set.

    Parameters
    ----------
    op : skpareto._linalg.HessianOperator
        ``H_w`` at the point, for its weights ``w``.
    jac : ndarray of shape (m, n)
        Jacobian at the point.
    rtol, maxiter
        Of each solve.
    basis : ndarray of shape (m, r), default=None
        Orthonormal zero-sum columns ``Z``: the front coordinates are
        ``basis.T @ f``. Default all ``m - 1`` of them; fewer on a set whose
        front has fewer dimensions (see :func:`skpareto._cover._front_basis`).

    Returns
    -------
    directions : ndarray of shape (r, n)
    weight_rates : ndarray of shape (r, m)
        Change of the weights per unit of each front coordinate.
    residuals : ndarray of shape (r,)
    """
    m, n = jac.shape
    basis = zero_sum_basis(m).T if basis is None else basis
    r = basis.shape[1]
    system = bordered_operator(op, jac.T @ basis)
    rows = []
    for e in np.eye(r):
        sol, res = solve(system, np.concatenate([np.zeros(n), e]), rtol=rtol, maxiter=maxiter)
        rows.append((sol[:n], basis @ sol[n:], res))
    return (np.array([row[0] for row in rows]).reshape(r, n),
            np.array([row[1] for row in rows]).reshape(r, m),
            np.array([row[2] for row in rows]))
