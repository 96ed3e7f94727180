"""skpareto: continuous Pareto exploration for multi-task learning.

The method of Ma, Du and Matusik, "Efficient Continuous Pareto Exploration in
Multi-Task Learning" (ICML 2020): reach a Pareto-stationary point, find the
tangent directions of the Pareto set with Hessian-free MINRES solves, expand
along them with a predictor-corrector, and join the explored points into a
continuous set.
"""

from ._explore import expand_set, explore
from ._options import SolverOptions
from ._paretoset import ParetoSet
from ._stationary import find_stationary
from ._tangent import tangent_directions
from ._weights import min_norm_weights
from .exceptions import ConvergenceWarning, StationarityError

__version__ = "0.1.0.dev0"

__all__ = [
    "ConvergenceWarning",
    "ParetoExplorer",
    "ParetoSet",
    "SolverOptions",
    "StationarityError",
    "expand_set",
    "explore",
    "find_stationary",
    "min_norm_weights",
    "tangent_directions",
]


def __getattr__(name):
    # the estimator imports scikit-learn; load it only when asked for
    if name == "ParetoExplorer":
        from ._estimator import ParetoExplorer

        return ParetoExplorer
    raise AttributeError(f"module 'skpareto' has no attribute {name!r}")
