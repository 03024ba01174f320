"""sort, partition, argpartition and take_along_axis (rules/sorting.py): values equal
numpy's, plain calls stay plain, golden derivatives, ties, nesting, the numpy protocol
and the errors. The derivative sweep over shapes and axes is in
tests/rules/specs_sorting.py."""

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
from wengert.core.trace import Box

X = np.array([[0.3, -1.2, 2.5, 0.9],
              [1.7, 0.4, -0.8, -2.1],
              [-0.5, 2.2, 1.1, 0.6]])


def _traced_value(f, *args):
    """f's value computed on traced inputs (the forward pass of a VJP)."""
    return wg.vjp(f, *args)[0]


@pytest.mark.parametrize("axis", [-1, 0, 1, None])
def test_sort_value_matches_numpy_traced_and_plain(axis):
    want = np.sort(X, axis=axis)
    plain = wnp.sort(X, axis=axis)
    assert type(plain) is np.ndarray
    np.testing.assert_array_equal(plain, want)
    traced = _traced_value(lambda x: wnp.sort(x, axis=axis), X)
    np.testing.assert_array_equal(traced, want)


@pytest.mark.parametrize("kind", ["quicksort", "mergesort", "heapsort", "stable"])
def test_sort_kinds_agree(kind):
    np.testing.assert_array_equal(_traced_value(lambda x: wnp.sort(x, kind=kind), X),
                                  np.sort(X))


def test_sort_gradient_is_the_weights_sent_back():
    # d/dx sum(w * sort(x)) puts w[k] on the element that lands at position k
    x = np.array([0.5, -2.0, 3.0, 1.0])
    w = np.array([1.0, 10.0, 100.0, 1000.0])
    g = wg.grad(lambda x: wnp.sum(w * wnp.sort(x)))(x)
    np.testing.assert_array_equal(g, [10.0, 1.0, 1000.0, 100.0])


def test_sort_jvp_carries_tangents_in_sorted_order():
    x = np.array([0.5, -2.0, 3.0])
    t = np.array([1.0, 2.0, 3.0])
    out, t_out = wg.jvp(wnp.sort, (x,), (t,))
    np.testing.assert_array_equal(out, [-2.0, 0.5, 3.0])
    np.testing.assert_array_equal(t_out, [2.0, 1.0, 3.0])


def test_sort_at_a_tie_follows_argsort_order():
    # a tie is a kink; the derivative goes to the element that argsort put first
    # (stable: the earlier one), as one of the one-sided derivatives
    g = wg.grad(lambda x: wnp.sort(x, kind="stable")[0])(np.array([1.0, 1.0, 2.0]))
    np.testing.assert_array_equal(g, [1.0, 0.0, 0.0])


def test_sort_hessian_agrees_with_jacrev_of_jacrev_and_jacfwd():
    w = np.array([1.0, -2.0, 3.0, 0.5])

    def f(x):
        return wnp.sum(w * wnp.sort(x) ** 3)

    x = np.array([0.4, -1.1, 2.0, 0.9])
    h = wg.hessian(f)(x)
    np.testing.assert_allclose(h, wg.jacrev(wg.jacrev(f))(x), rtol=1e-12)
    np.testing.assert_allclose(h, wg.jacfwd(wg.grad(f))(x), rtol=1e-12)
    # the Hessian is diagonal: 6 * w[rank(x_i)] * x_i
    rank = np.argsort(np.argsort(x))
    np.testing.assert_allclose(h, np.diag(6.0 * w[rank] * x), rtol=1e-12)


def test_sort_complex_values_sort_like_numpy():
    z = np.array([1.0 + 2.0j, -1.0 + 0.5j, 0.5 - 1.0j])
    np.testing.assert_array_equal(_traced_value(wnp.sort, z), np.sort(z))
    wg.check_grads(lambda z: wnp.sin(wnp.sort(z)), modes=("fwd", "rev"), order=2)(z)


def test_sort_inside_other_transforms_sorts_the_current_values():
    # the permutation is recomputed at every call, from the values of that call
    def f(x):
        return wnp.sort(x)[-1]  # the max

    for x in (np.array([3.0, 1.0, 2.0]), np.array([1.0, 3.0, 2.0])):
        g = wg.grad(f)(x)
        np.testing.assert_array_equal(g, (x == x.max()).astype(float))


def test_numpy_functions_dispatch_on_traced_values():
    w = np.arange(1.0, 5.0)
    g = wg.grad(lambda x: np.sum(w * np.sort(x)))(np.array([4.0, 3.0, 2.0, 1.0]))
    np.testing.assert_array_equal(g, w[::-1])
    g = wg.grad(lambda x: np.partition(x, 0)[0])(np.array([4.0, -3.0, 2.0]))
    np.testing.assert_array_equal(g, [0.0, 1.0, 0.0])
    idx = np.array([[1], [0]])
    g = wg.grad(lambda x: np.sum(np.take_along_axis(x, idx, axis=1)))(np.ones((2, 2)))
    np.testing.assert_array_equal(g, [[0.0, 1.0], [1.0, 0.0]])


@pytest.mark.parametrize("kth", [0, 2, -1, [0, 2]])
@pytest.mark.parametrize("axis", [-1, 0, None])
def test_partition_places_kth_like_numpy(kth, axis):
    got = _traced_value(lambda x: wnp.partition(x, kth, axis=axis), X)
    want = np.partition(X, kth, axis=axis)
    ax = 0 if axis is None else axis
    ks = np.atleast_1d(kth)
    np.testing.assert_array_equal(np.take(got, ks, axis=ax), np.take(want, ks, axis=ax))
    # the same multiset on every line: the sorted lines agree
    np.testing.assert_array_equal(np.sort(got, axis=ax), np.sort(want, axis=ax))
    assert type(wnp.partition(X, kth, axis=axis)) is np.ndarray


def test_argpartition_is_plain():
    x = np.array([4.0, 1.0, 3.0])
    seen = []

    def f(x):
        seen.append(wnp.argpartition(x, 1))
        return wnp.sum(x)

    wg.grad(f)(x)
    assert type(seen[0]) is np.ndarray
    np.testing.assert_array_equal(seen[0], np.argpartition(x, 1))


@pytest.mark.parametrize("indices, axis", [
    (np.array([[2, 2, 0], [1, 0, 3], [3, 3, 3]]), 1),
    (np.array([[2, 0, 1, 1]]), 0),
    (np.array([[0], [3], [1]]), -1),
    (np.array([11, 0, 5, 5]), None),
])
def test_take_along_axis_matches_numpy(indices, axis):
    want = np.take_along_axis(X, indices, axis=axis)
    np.testing.assert_array_equal(wnp.take_along_axis(X, indices, axis=axis), want)
    got = _traced_value(lambda x: wnp.take_along_axis(x, indices, axis=axis), X)
    np.testing.assert_array_equal(got, want)
    # repeated indices add up: the gradient of the sum counts how often each is read
    g = wg.grad(lambda x: wnp.sum(wnp.take_along_axis(x, indices, axis=axis)))(X)
    count = np.zeros(X.size)
    flat = np.arange(X.size).reshape(X.shape)
    np.add.at(count, np.take_along_axis(flat, indices, axis=axis).ravel(), 1.0)
    np.testing.assert_array_equal(g, count.reshape(X.shape))


def test_take_along_axis_with_argsort_is_sort():
    def f(x):
        return wnp.take_along_axis(x, wnp.argsort(x, axis=0), axis=0)

    np.testing.assert_array_equal(_traced_value(f, X), np.sort(X, axis=0))
    np.testing.assert_array_equal(wg.jacrev(f)(X),
                                  wg.jacrev(lambda x: wnp.sort(x, axis=0))(X))


# ------------------------------------------------------------------------- errors

def _raises_on_traced(f, x, exc, match):
    with pytest.raises(exc, match=match):
        wg.grad(lambda x: wnp.sum(f(x)))(x)


def test_sort_of_a_0d_value_names_sort():
    _raises_on_traced(wnp.sort, 1.0, np.exceptions.AxisError if hasattr(np, "exceptions")
                      else np.AxisError, "sort: axis -1 is out of bounds")


def test_sort_axis_out_of_bounds():
    _raises_on_traced(lambda x: wnp.sort(x, axis=2), X, ValueError, "sort: axis 2")


def test_sort_and_partition_refuse_order():
    _raises_on_traced(lambda x: wnp.sort(x, order="f"), X, TypeError, "sort: order=")
    _raises_on_traced(lambda x: wnp.partition(x, 1, order="f"), X, TypeError,
                      "partition: order=")


def test_take_along_axis_errors():
    _raises_on_traced(lambda x: wnp.take_along_axis(x, np.array([0, 1]), axis=1), X,
                      ValueError, r"same number of dimensions")
    _raises_on_traced(lambda x: wnp.take_along_axis(x, np.array([[0.0]]), axis=1), X,
                      IndexError, "must be an integer array")
    _raises_on_traced(lambda x: wnp.take_along_axis(x, np.array([[0]]), axis=None), X,
                      ValueError, "axis=None, indices must be 1-d")
    _raises_on_traced(lambda x: wnp.take_along_axis(x, np.array([[0]]), axis=-3), X,
                      ValueError, "take_along_axis: axis -3")
