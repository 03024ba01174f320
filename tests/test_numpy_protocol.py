"""A function written with plain ``import numpy as np`` is differentiable: traced
values implement numpy's __array_ufunc__ / __array_function__ and dispatch to the
same primitives as wengert.numpy."""

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp

X = np.array([0.1, -0.4, 0.7])


def with_numpy(x):
    return np.sum(np.sin(x) * np.exp(x) + np.tanh(x) ** 2) / np.float64(2.0) \
        + np.dot(x, x) + np.mean(np.concatenate([x, x * 2.0])) + np.max(x)


def with_wengert(x):
    return wnp.sum(wnp.sin(x) * wnp.exp(x) + wnp.tanh(x) ** 2) / 2.0 \
        + wnp.dot(x, x) + wnp.mean(wnp.concatenate([x, x * 2.0])) + wnp.max(x)


def test_a_numpy_function_has_the_same_gradient_as_its_wengert_twin():
    np.testing.assert_allclose(wg.grad(with_numpy)(X), wg.grad(with_wengert)(X),
                               rtol=1e-14)
    wg.check_grads(with_numpy, modes=("fwd", "rev"), order=2)(X)


@pytest.mark.parametrize("fun", [
    lambda x: np.ones(3) * x,                 # ndarray on the left of an operator
    lambda x: np.float64(3.0) * x,            # numpy scalar on the left
    lambda x: np.where(x > 0, x, 0.1 * x),    # where with a traced branch
    lambda x: np.clip(x, -0.2, 0.5) * x,
    lambda x: np.reshape(x, (3, 1)) @ np.reshape(x, (1, 3)),
], ids=["ndarray-left", "numpy-scalar-left", "where", "clip", "reshape-matmul"])
def test_numpy_entry_points_on_traced_values(fun):
    wg.check_grads(fun, modes=("fwd", "rev"), order=2)(X)


def test_comparisons_through_numpy_give_plain_booleans():
    seen = []
    wg.grad(lambda x: (seen.append(np.greater(x, 0.0)), np.sum(x))[1])(X)
    assert isinstance(seen[0], np.ndarray) and seen[0].dtype == bool


@pytest.mark.parametrize("fun, message", [
    (lambda x: np.add.reduce(x), "numpy.add.reduce has no derivative rule"),
    (lambda x: np.sin(x, out=np.empty(3)).sum(), "out= is not supported"),
    (lambda x: np.sum(np.lib.stride_tricks.sliding_window_view(x, 2)),
     "numpy.lib.stride_tricks.sliding_window_view has no derivative rule"),
])
def test_numpy_without_a_rule_is_a_clear_error(fun, message):
    with pytest.raises(TypeError, match=message):
        wg.grad(fun)(X)
