"""An objective written with plain numpy gets an error that says to use autograd.numpy."""

import warnings

import autograd.numpy as anp
import numpy as np
import pytest
from scipy.special import logsumexp

import skpareto
from skpareto._hvp import value_and_jacobian


def plain_numpy(x):
    return np.array([np.sum((x - 1.0) ** 2), np.sum((x + 1.0) ** 2)])


def returns_a_list(x):
    return [anp.sum((x - 1.0) ** 2), anp.sum((x + 1.0) ** 2)]


def plain_scipy(x):  # fails inside fun: scipy calls x.exp() on autograd's ArrayBox
    return anp.array([logsumexp(x), anp.sum(x ** 2)])


def to_float(x):  # fails inside fun: float() of a traced value
    return anp.array([float(x[0]), anp.sum(x ** 2)])


HINT = r"autograd\.numpy.*import autograd\.numpy as anp.*anp\.array\(\[f0, f1"


@pytest.mark.parametrize("fun, error, match", [
    (plain_numpy, ValueError, "dtype object"),
    (returns_a_list, ValueError, "got a list"),
    (plain_scipy, TypeError, "ArrayBox"),
    (to_float, TypeError, "ArrayBox"),
], ids=["plain-numpy", "list", "scipy-inside", "float-inside"])
def test_plain_numpy_objective_gets_the_autograd_hint(fun, error, match):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # autograd: "Output seems independent"
        with pytest.raises(error, match=match) as info:
            value_and_jacobian(fun, np.zeros(3))
        assert info.match(HINT)
        # the public entry point reports the same
        with pytest.raises(error, match=HINT):
            skpareto.explore(fun, np.zeros(3), n_steps=1)


def test_other_errors_pass_unchanged():
    def broken(x):
        raise TypeError("an unrelated bug")

    with pytest.raises(TypeError, match="^an unrelated bug$"):
        value_and_jacobian(broken, np.zeros(3))
    with pytest.raises(ValueError, match="1-D array of objectives"):
        value_and_jacobian(lambda x: anp.sum(x ** 2), np.zeros(3))


def test_the_autograd_version_works():
    def fun(x):
        return anp.array([anp.sum((x - 1.0) ** 2), anp.sum((x + 1.0) ** 2)])

    values, jac = value_and_jacobian(fun, np.zeros(3))
    np.testing.assert_allclose(values, [3.0, 3.0], rtol=0, atol=0)
    np.testing.assert_allclose(jac, [[-2.0] * 3, [2.0] * 3], rtol=0, atol=0)
