"""Warnings and errors raised by skpareto.

The core mathematics does not import scikit-learn, so it defines its own
:class:`ConvergenceWarning`. :class:`skpareto.ParetoExplorer` re-issues it as
:class:`sklearn.exceptions.ConvergenceWarning` at the estimator boundary.
"""

__all__ = ["ConvergenceWarning", "NonFiniteError", "StationarityError"]


class ConvergenceWarning(UserWarning):
    """An iterative solver stopped before reaching its tolerance.

    The result it returns is kept, together with the residual it reached.
    """


class NonFiniteError(ValueError):
    """An objective or its gradient is NaN or infinite at the point evaluated."""


class StationarityError(RuntimeError):
    """No Pareto-stationary point was reached, so there is no set to return.

    Raised by :func:`skpareto.explore` when stage 1 ends above the tolerance
    from every start: presenting that point as a Pareto set would be wrong.
    The message gives the residual reached and what to try.
    :meth:`skpareto.ParetoExplorer.fit` instead keeps the best model reached
    as a one-point set with its residual and warns (a model is still a model);
    it raises this only where no start reached a model it can use (objectives
    not finite anywhere on the way).
    """
