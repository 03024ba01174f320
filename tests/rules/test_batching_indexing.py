"""vmap of indexing, masks and orderings against a Python loop: getitem, untake and
index_update with indices that are the same for every example or differ between
them (in every position numpy's advanced indexing distinguishes), constants computed
from the data (argmax, argsort, masks), and the shapes a function sees."""

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
from wengert.core.batching import looped
from wengert.rules.indexing import getitem_, setitem_

B = 3
RNG = np.random.default_rng(7)


def _loop(fun, args, axes):
    return np.stack([np.asarray(fun(*[a if ax is None else np.take(a, k, axis=ax)
                                      for a, ax in zip(args, axes)]))
                     for k in range(B)])


def _same(got, want):
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-12, atol=1e-12)


# index patterns on an example of shape (4, 5, 6): basic parts, arrays adjacent and
# separated (numpy moves the axes of separated ones to the front), None and Ellipsis
# among them, integers that count as advanced next to an array, boolean masks
_X = (4, 5, 6)
_I = np.array([[0, 3], [2, 2]])
_J = np.array([4, 1])
PATTERNS = {
    "slice": lambda i: (slice(1, 3),),
    "int-slice": lambda i: (2, slice(None, None, -1)),
    "ellipsis-int": lambda i: (Ellipsis, 1),
    "newaxis": lambda i: (None, slice(0, 2), None),
    "array-first": lambda i: (i,),
    "array-middle": lambda i: (slice(None), i),
    "array-last": lambda i: (Ellipsis, i),
    "arrays-adjacent": lambda i: (slice(None), i, _J[:, None][:1]),
    "arrays-separated": lambda i: (i, slice(None), _J[:1]),
    "int-array-separated": lambda i: (1, slice(1, 4), i),
    "array-newaxis-array": lambda i: (i, None, _J[:1]),
    "ellipsis-between": lambda i: (i, Ellipsis, _J[:1]),
    "mask-then-array": lambda i: (np.array([True, False, False, True]), slice(None), i[0]),
}


@pytest.mark.parametrize("name", sorted(PATTERNS))
@pytest.mark.parametrize("which", ["x", "index", "both"])
def test_getitem_matches_a_loop(name, which):
    """x batched, the index batched (each example its own indices), or both; the
    gradient (untake) and an assignment (index_update) as well."""
    make = PATTERNS[name]
    xs = RNG.standard_normal((B,) + _X)
    idx = np.stack([(_I + k) % 4 for k in range(B)])  # valid along any axis here

    # the functional forms of x[idx] and x[idx] = y: a plain x (the same for every
    # example) cannot be indexed by a traced index with numpy's own operator
    def get(x, i):
        return getitem_(x, make(i))

    def grad(x, i):
        return wg.grad(lambda x: wnp.sum(wnp.sin(get(x, i))))(x)

    def put(x, i):
        return setitem_(x, 2.0 * wnp.cos(get(x, i)), make(i))

    x_axis, i_axis = {"x": (0, None), "index": (None, 0), "both": (0, 0)}[which]
    x_arg = xs if x_axis == 0 else xs[0]
    i_arg = idx if i_axis == 0 else idx[0]
    for fun in (get, grad, put):
        got = wg.vmap(fun, in_axes=(x_axis, i_axis))(x_arg, i_arg)
        _same(got, _loop(fun, [x_arg, i_arg], [x_axis, i_axis]))


def test_getitem_nested_and_on_the_last_axis():
    xs = RNG.standard_normal((2, B, 4, 5))
    idx = np.stack([np.stack([np.array([k, j % 4, 3]) for k in range(B)]) for j in range(2)])

    def f(x, i):
        return x[1:, i] * x[0, i]

    got = wg.vmap(wg.vmap(f))(xs, idx)
    want = np.stack([_loop(f, [xs[j], idx[j]], [0, 0]) for j in range(2)])
    _same(got, want)
    moved = wg.vmap(f, in_axes=(-1, 0))(np.moveaxis(xs[0], 0, -1), idx[0])
    _same(moved, _loop(f, [xs[0], idx[0]], [0, 0]))


def test_a_traced_index_into_a_shared_array():
    table = RNG.standard_normal((5, 2))
    idx = np.array([4, 0, 2])
    _same(wg.vmap(lambda i: wnp.take(wnp.asarray(table) * 1.0, i, axis=0))(idx), table[idx])
    # the gradient of a lookup scatters into the right row of each example's table
    g = wg.vmap(wg.grad(lambda t, i: wnp.sum(t[i] ** 2)), in_axes=(None, 0))(table, idx)
    _same(g, _loop(wg.grad(lambda t, i: wnp.sum(t[i] ** 2)), [table, idx], [None, 0]))


def test_orderings_and_masks_from_the_data_are_per_example():
    xs = RNG.standard_normal((B, 6))
    for fun in (lambda x: x[wnp.argmax(x)],
                lambda x: wnp.sort(x)[::2],
                lambda x: wnp.take_along_axis(x, wnp.argsort(x), axis=0),
                lambda x: wnp.where(x > 0, x, -x),
                lambda x: wnp.clip(x, None, 0.1),
                lambda x: wnp.median(x),
                lambda x: wnp.quantile(x, 0.3),
                lambda x: wnp.nansum(wnp.where(x > 0.5, np.nan, x)),
                lambda x: wnp.partition(x, 2)[2],
                lambda x: wnp.max(x, where=x < 0.5, initial=-10.0)):
        _same(wg.vmap(fun)(xs), _loop(fun, [xs], [0]))


def test_max_splits_ties_within_each_example():
    xs = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0], [5.0, 0.0, 1.0]])
    g = wg.vmap(wg.grad(wnp.max))(xs)
    _same(g, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3], [1, 0, 0]])


def test_a_mask_assignment_differs_between_examples():
    xs = np.array([[1.0, -2.0, 3.0], [-1.0, -2.0, -3.0], [0.5, 0.5, -0.5]])

    def f(x):
        z = x * 1.0
        z[x < 0] = 0.0
        return z

    _same(wg.vmap(f)(xs), np.maximum(xs, 0.0))
    # a selection needs one count per example: a clear error otherwise
    with pytest.raises(ValueError, match="different shapes"):
        wg.vmap(lambda x: x[x > 0])(xs)
    _same(wg.vmap(lambda x: x[x > -10.0])(xs), xs)


def test_data_dependent_shapes_are_refused_with_a_clear_error():
    xs = np.array([[0.0, 1.0, 2.0, 0.0], [0.0, 0.0, 3.0, 0.0]])
    with pytest.raises(ValueError, match="trim_zeros under vmap"):
        wg.vmap(lambda x: wnp.trim_zeros(x * 1.0))(xs)
    same_length = np.array([[0.0, 1.0, 2.0, 0.0], [3.0, 4.0, 0.0, 0.0]])
    _same(wg.vmap(lambda x: wnp.trim_zeros(x * 1.0))(same_length), [[1, 2], [3, 4]])


def test_a_function_sees_one_example():
    xs = np.ones((B, 4, 2))
    assert wg.vmap(lambda x: x * x.shape[0] + x.ndim + x.size + len(x))(xs).shape == (B, 4, 2)
    _same(wg.vmap(lambda x: x * x.shape[0] + x.ndim + x.size + len(x))(xs),
          np.full((B, 4, 2), 4 + 2 + 8 + 4))
    _same(wg.vmap(lambda x: x + wnp.zeros_like(x))(xs), xs)
    nz = wg.vmap(lambda x: wnp.nonzero(x > 0.5)[0])(np.eye(3))
    _same(nz, [[0], [1], [2]])


def test_indexing_primitives_batch_by_rules_of_their_own():
    names = looped()
    for name in ("getitem", "untake", "index_update", "cumsum"):
        assert name not in names


@pytest.mark.parametrize("fun", [
    lambda x: wnp.argmax(x), lambda x: wnp.argmax(x, axis=0, keepdims=True),
    lambda x: wnp.argmin(x, axis=-1), lambda x: wnp.argsort(x),
    lambda x: wnp.argsort(x, axis=None), lambda x: wnp.all(x > -0.5, axis=1),
    lambda x: wnp.any(x > 1.0, keepdims=True), lambda x: wnp.count_nonzero(x > 0, axis=0),
    lambda x: wnp.floor(x * 3), lambda x: wnp.isnan(wnp.sqrt(wnp.abs(x)) - x),
    lambda x: x > x[0],
    lambda x: wnp.searchsorted(wnp.sort(x[0]), x[1])])
def test_constants_from_the_data_match_a_loop(fun):
    xs = RNG.standard_normal((B, 3, 4))
    _same(wg.vmap(fun)(xs), _loop(fun, [xs], [0]))
    _same(wg.vmap(fun, in_axes=-1)(np.moveaxis(xs, 0, -1)), _loop(fun, [xs], [0]))


def _put(writer):
    def f(x):
        y = x * 1.0
        writer(y, x)
        return y
    return f


# composites whose constants (positions, counts, orders, trims) come from the data;
# the data below give every example results of one shape
XS = np.array([[3.0, 1.0, 3.0, 2.0], [5.0, 2.0, 5.0, 1.0], [2.0, 7.0, 7.0, 1.0]])
COMPOSITES = {
    "unique": lambda x: wnp.unique(x),
    "unique-index": lambda x: wnp.unique(x, return_index=True)[1],
    "unique_counts": lambda x: wnp.unique_counts(x).counts,
    "intersect1d": lambda x: wnp.intersect1d(x, np.array([1.0, 2.0, 3.0, 5.0, 7.0])),
    "copyto-where": _put(lambda y, x: wnp.copyto(y, 2.0 * x, where=x > 2)),
    "place": _put(lambda y, x: wnp.place(y, x > 2.5, -x[:2])),
    "put-argmax": _put(lambda y, x: wnp.put(y, wnp.argmax(x), 10.0)),
    "putmask": _put(lambda y, x: wnp.putmask(y, x < 2.5, x * 3)),
    "put_along_axis": _put(lambda y, x: wnp.put_along_axis(y, wnp.argsort(x)[:2], 0.0,
                                                           axis=0)),
    "choose": lambda x: wnp.choose((x > 2).astype(int), [x, -x]),
    "compress": lambda x: wnp.compress(x > 2.5, x),
    "repeat": lambda x: wnp.repeat(x, (x > 2.5).astype(int) + 1),
    "roll": lambda x: wnp.roll(x, wnp.argmax(x)),
    "delete": lambda x: wnp.delete(x, wnp.argmin(x)),
    "insert": lambda x: wnp.insert(x, wnp.argmax(x), 9.0),
    "bincount": lambda x: wnp.bincount(x.astype(int), minlength=8),
    "bincount-weights": lambda x: wnp.bincount(np.array([0, 1, 1, 3]), x),
    "histogram": lambda x: wnp.histogram(x, bins=3, weights=x * 2)[0],
    "histogram-edges": lambda x: wnp.histogram(x, bins=3, density=True)[1],
    "cov": lambda x: wnp.cov(x.reshape(2, 2)),
    "polydiv": lambda x: wnp.polydiv(x, np.array([1.0, 2.0]))[1],
    "poly": lambda x: wnp.poly(x),
    "nanpercentile": lambda x: wnp.nanpercentile(wnp.where(x > 4, np.nan, x), 30),
    "flatnonzero": lambda x: wnp.flatnonzero(x > 2.5),
    "frexp": lambda x: wnp.frexp(x)[1],
}


@pytest.mark.parametrize("name", sorted(COMPOSITES))
def test_composites_with_constants_from_the_data(name):
    fun = COMPOSITES[name]
    _same(wg.vmap(fun)(XS), _loop(fun, [XS], [0]))


def test_results_whose_shape_differs_between_examples_are_refused():
    xs = np.array([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [0.0, 0.0, 0.0, 1.0]])
    for fun in (lambda x: wnp.unique(x * np.array([1.0, 1.0, 1.0, 0.0])),
                lambda x: wnp.compress(x > 2, x), lambda x: wnp.flatnonzero(x > 2),
                lambda x: wnp.roots(x[:3]), lambda x: wnp.polymul(x, x)):
        with pytest.raises(ValueError, match="under vmap"):
            wg.vmap(fun)(xs)
