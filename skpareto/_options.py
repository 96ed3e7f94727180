"""The solver settings of every stage, as one frozen object."""

import dataclasses
from typing import Callable, Optional

from ._validation import check_bool, check_callable, check_choice, check_int, check_real

__all__ = ["SolverOptions"]

METHODS = ("auto", "lbfgs", "mgda")
CORRECTORS = ("arclength", "newton")
HESSIANS = ("auto", "dense", "matvec")


@dataclasses.dataclass(frozen=True)
class SolverOptions:
    """How :func:`skpareto.explore` solves: stage 1, correctors and linear systems.

    One object holds the settings every stage shares, so that they are
    passed once (``explore(fun, x0, options=SolverOptions(damping=0.1))``)
    and mean the same everywhere. :class:`skpareto.ParetoExplorer` takes the
    same settings as hyper-parameters of the same names. The defaults suit
    both small analytic problems and networks; :meth:`reference` is the
    accurate setting that other implementations are checked against.

    Parameters
    ----------
    method : {"auto", "lbfgs", "mgda"}, default="auto"
        Stage 1. ``"lbfgs"`` minimizes the weighted sum ``weights @ f`` with
        L-BFGS; ``"mgda"`` takes multiple-gradient descent steps (which also
        reach points a weighted sum cannot: concave fronts, unbounded
        weighted sums). ``"auto"`` runs L-BFGS and falls back to MGDA when
        L-BFGS runs away or ends far from stationarity. Every method ends
        with the bordered Newton polish of the corrector.
    corrector : {"arclength", "newton"}, default="arclength"
        ``"arclength"``: Newton on the point and its weights together, with
        the position along the set fixed by the front (a bordered system,
        nonsingular where the weights fold along the set). ``"newton"``:
        Newton at the predicted weights held fixed (the paper's corrector;
        it stops where the weights fold).
    max_iter : int, default=1000
        Stage-1 iterations (L-BFGS iterations or MGDA steps); also the
        iteration limit of the L-BFGS re-solve that jumps over the end of a
        local branch of the set.
    newton_steps : int, default=4
        Newton steps a corrector may take before the step is shortened.
    minres_rtol : float, default=1e-10
        Relative residual of every MINRES solve with ``inexact=False``, and
        the tightest any solve asks for with ``inexact=True``.
    minres_maxiter : int or None, default=None
        MINRES iterations per linear solve (one Hessian-vector product each,
        plus a few residual checks). None: ``5 n``.
    damping : float, default=0.0
        Solve with ``H + damping * I`` instead of ``H``.
    hessian : {"auto", "dense", "matvec"}, default="auto"
        ``"matvec"`` applies the Hessian by autograd products inside MINRES;
        ``"dense"`` forms it from ``n`` products once per point and solves
        directly, which is exact and cheaper for small ``n``. ``"auto"``
        forms it when ``n <= 32`` (further for objectives that say how far
        their own products pay, such as the estimator's networks), and up to
        ``n = 1000`` where MINRES needs more than ``n / 2`` products to solve
        the tangents at the set's first point tightly (an ill-conditioned
        Hessian, whose products' tangents are loose as well as dear), or at a
        later stage-1 point for the part of the set followed from it. The
        tangents of an objective with products of its own (the estimator's
        networks), three tasks or more, are solved with a matrix formed in blocks
        up to ``n = 150`` whatever the number of rows (see
        :meth:`dense_tangents_for`).
    inexact : bool, default=True
        Solve each Newton step only as accurately as its residual needs (a
        forcing sequence) and predict along a secant where one is known
        instead of solving for a tangent. Accepted points still reach
        ``tol``. False solves a tangent at every point and every system to
        ``minres_rtol``: the accurate reference, the paper's Algorithm 1.
    hess_fun : callable or None, default=None
        Objective whose Hessian is used everywhere instead of ``fun``'s (one
        fixed sample-based system); the Jacobian always comes from ``fun``.
        Exclusive with ``hess_sampler``.
    hess_sampler : callable or None, default=None
        The paper's sample-based Hessian with a fresh sample per solve:
        ``hess_sampler(rng) -> objective`` evaluating the losses on rows drawn
        with the :class:`numpy.random.Generator` ``rng``. Seeded per Hessian
        site from ``random_state`` (see :func:`skpareto.explore`).

    Examples
    --------
    >>> from skpareto import SolverOptions
    >>> SolverOptions(damping=0.1).damping
    0.1
    >>> SolverOptions.reference().inexact
    False
    """

    method: str = "auto"
    corrector: str = "arclength"
    max_iter: int = 1000
    newton_steps: int = 4
    minres_rtol: float = 1e-10
    minres_maxiter: Optional[int] = None
    damping: float = 0.0
    hessian: str = "auto"
    inexact: bool = True
    hess_fun: Optional[Callable] = None
    hess_sampler: Optional[Callable] = None

    def __post_init__(self):
        check_choice(self.method, "method", METHODS)
        check_choice(self.corrector, "corrector", CORRECTORS)
        check_int(self.max_iter, "max_iter", low=1)
        check_int(self.newton_steps, "newton_steps", low=1)
        check_real(self.minres_rtol, "minres_rtol", low=0.0, high=1.0)
        check_int(self.minres_maxiter, "minres_maxiter", low=1, allow_none=True)
        check_real(self.damping, "damping", low=0.0, closed="left")
        check_choice(self.hessian, "hessian", HESSIANS)
        check_bool(self.inexact, "inexact")
        check_callable(self.hess_fun, "hess_fun", "x -> (m,) objectives")
        check_callable(self.hess_sampler, "hess_sampler", "rng -> objective")
        if self.hess_fun is not None and self.hess_sampler is not None:
            raise ValueError("hess_fun and hess_sampler are exclusive; pass only one.")

    @classmethod
    def reference(cls, **changes):
        """The accurate setting: every system solved to ``minres_rtol``, a tangent at every point.

        Parameters
        ----------
        **changes
            Fields to set otherwise.

        Returns
        -------
        options : SolverOptions
        """
        return cls(**dict(dict(inexact=False), **changes))

    def replace(self, **changes):
        """A copy with some fields changed (the object itself is frozen).

        Parameters
        ----------
        **changes
            Fields and their new values, validated as by the constructor.

        Returns
        -------
        options : SolverOptions
        """
        return dataclasses.replace(self, **changes)

    @property
    def exact_hessian(self):
        """Whether Hessians are exact (no damping, no sampled rows): Newton converges fast."""
        return self.hess_fun is None and self.hess_sampler is None and not self.damping

    def dense_for(self, n, fun=None):
        """Whether to form ``n x n`` Hessians for a problem of ``n`` parameters, of the
        objective ``fun``: up to ``DENSE_MAX_N``, or up to ``fun.dense_max_n`` where the
        objective says how far its own products pay (see :func:`dense_max_n`).

        Parameters
        ----------
        n : int
            Number of parameters.
        fun : callable, default=None
            The objective, read for a ``dense_max_n`` attribute.

        Returns
        -------
        dense : bool
        """
        if self.hessian != "auto":
            return self.hessian == "dense"
        return n <= getattr(fun, "dense_max_n", DENSE_MAX_N)

    def dense_tangents_for(self, n, m, fun=None):
        """Whether to solve the tangents at a point with a formed ``n x n`` Hessian: where
        :meth:`dense_for` forms every Hessian, and with ``"auto"``, three tasks or more,
        where ``fun`` writes out its products (``weighted_hvp``, formed in blocks) up to
        ``DENSE_TANGENTS_MAX_N`` parameters.

        A tangent solve is a bordered system with ``m - 1`` right-hand sides,
        solved again tightly where a step along it failed; on the estimator's
        networks MINRES took 2 to 5 ``n`` products for each at the tight
        tolerance (5 ``n`` is its budget), while the matrix, formed 32 columns
        at a time, took the time of 93 and 136 products (147 parameters, 90 and
        250 rows). The corrector's steps, one right-hand side each, keep
        :meth:`dense_for`'s rule, and so do two tasks, whose branches predict
        along secants and solve few tangents (measured: two-target networks
        0.7 -> 1.1 s, 18.1 -> 12.6 s and 22.0 -> 17.0 s, and a branch toward
        a log-loss task's end stopped where its end no longer joined it).

        Parameters
        ----------
        n : int
            Number of parameters.
        m : int
            Number of tasks.
        fun : callable, default=None
            The objective whose Hessian the tangents take.

        Returns
        -------
        dense : bool
        """
        if self.dense_for(n, fun):
            return True
        return (self.hessian == "auto" and m >= 3
                and getattr(fun, "weighted_hvp", None) is not None and n <= DENSE_TANGENTS_MAX_N)


def dense_max_n(n_rows):
    """Up to how many parameters forming the Hessian pays, for written-out products over
    ``n_rows`` rows, formed in blocks of directions (see :class:`skpareto._linalg.DenseHessian`).

    A block's product costs a fraction of a single one where the rows are few
    (Python's overhead per product dominates), and a direct solve's ``n^3``
    grows: dense up to ``DENSE_ROWS_TIMES_N / n_rows`` parameters, at least
    ``DENSE_MAX_N``, at most ``DENSE_MAX_N_WRITTEN``.
    """
    return int(max(DENSE_MAX_N, min(DENSE_MAX_N_WRITTEN, DENSE_ROWS_TIMES_N // max(n_rows, 1))))


# "auto" forms the Hessian up to this many parameters; benchmarks/bench_dense.py measures
# the crossover against MINRES. Not higher, though an ill-conditioned quadratic's whole set
# is faster dense up to 128 with LU solves: where MINRES needs few products (Fonseca-Fleming,
# DTLZ2 with 40 variables) n autograd products per matrix cost 2.5x the time
DENSE_MAX_N = 32
# above it, up to this many parameters, an exploration forms them too where MINRES solves the
# tangents at its first root tightly in more than this share of the products the matrix takes
# (see skpareto._cover.settle_hessian). Random quadratics, two tasks, n = 50 or 100:
# condition 1e6 (135 products for n = 50) 478 to 558 points in 84 to 214 s with products, 64
# or 65 in 3 to 8 s formed; 1e4 (100 for n = 100) 233 points in 32.1 s, 46 in 3.3 s; 1e3
# (55 for n = 50) 89 in 4.3 s, 36 in 3.2 s (three tasks: 39.7 s and 98.0 % covered, 15.7 s
# and 99.7 %); 10 (22 for n = 100) 0.6 s and 0.5 s. Fonseca-Fleming and DTLZ2 with 40
# variables take 3 and 12 products: left to them
# (1000: one task of condition 1e6 against a sphere, n = 300, 172 s and 97 % of the weights
# uncovered with products, 30 s and all formed; n = 600 39 s)
DENSE_PROBE_MAX_N = 1000
DENSE_PROBE_SHARE = 0.5
# with products written out and formed in blocks, up to this many parameters and rows times
# parameters (tanh networks, two tasks, at the estimator's tolerance: dense 1.7-3.4x faster
# at 2,640-5,280, 0.5x at 13,200 and at 258 parameters; benchmarks/bench_dense.py). Not
# moved with LU solves: dense then won at 13,200 rows times parameters in the benchmark but
# lost at 12,120 (101 parameters) on a regression it does not contain
DENSE_MAX_N_WRITTEN = 150
DENSE_ROWS_TIMES_N = 8000
# the tangents of three tasks or more, formed in blocks of written-out products, up to this
# many parameters. Default three-target fits of 211 to 259 parameters (four data sets, 1,000
# points each, the budget): 1.8 to 5.0x faster than MINRES (which took about 7 n products a
# tangent), coverage of random weights -8.4 to +12.8 points (mean +0.2), of the grid -2.6 to
# +6.5; four targets, 164 parameters, 3.0x; 1,091 parameters: 386 s against more than 900 s.
# See the results page, "Networks' tangents above 150 parameters"
DENSE_TANGENTS_MAX_N = 1000
