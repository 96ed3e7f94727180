"""Warnings and errors raised by skpareto.

The core mathematics does not import scikit-learn, so it defines its own
:class:`ConvergenceWarning`. :class:`skpareto.ParetoExplorer` re-issues it as
:class:`sklearn.exceptions.ConvergenceWarning` at the estimator boundary.
"""

__all__ = ["ConvergenceWarning", "NonFiniteError"]


class ConvergenceWarning(UserWarning):
    """An iterative solver stopped before reaching its tolerance.

    The result it returns is kept, together with the residual it reached.
    """


class NonFiniteError(ValueError):
    """An objective or its gradient is NaN or infinite at the point evaluated."""
