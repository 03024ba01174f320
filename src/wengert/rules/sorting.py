"""Sorting and selection along an axis: sort, partition and take_along_axis.

No new primitives: the permutation (argsort or argpartition of the plain values) is a
constant, and the value is a gather of ``a`` at that permutation, one ``getitem``
with an advanced index. Its VJP scatters the cotangent back (``untake``) and both
differentiate again. Where values tie, the derivative follows the order that
argsort chose (any choice is a one-sided derivative of a kink).
"""

import numpy as np

from ..core.trace import Box, is_boxed, unbox_all
from ._base import batch_traces, batched, example, normalize_axis, per_example, shape
from .indexing import _getitem, _plain_index, getitem_
from .shape import _reshape


def _along_axis_index(indices, axis, arr_shape):
    """The advanced index that reads ``indices`` along ``axis`` and keeps every other
    position: the index tuple behind numpy.take_along_axis (the aranges broadcast
    against ``indices``)."""
    nd = len(arr_shape)
    idx = []
    for d in range(nd):
        if d == axis:
            idx.append(indices)
        else:
            ones = [1] * nd
            ones[d] = arr_shape[d]
            idx.append(np.arange(arr_shape[d]).reshape(ones))
    return tuple(idx)


def _flat(a):
    return _reshape(a, newshape=(-1,))


def take_along_axis(arr, indices, axis=-1):
    """numpy.take_along_axis, differentiable in ``arr`` (the indices are constants;
    repeated indices add up in the derivative).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> x = wnp.array([[3.0, 1.0], [2.0, 5.0]])
    >>> wg.grad(lambda x: wnp.sum(wnp.take_along_axis(x, wnp.array([[1, 1], [0, 1]]),
    ...                                               axis=1)))(x)
    array([[0., 2.],
           [1., 1.]])
    """
    if not batch_traces((indices,)):
        indices = _plain_index(indices)
        if not is_boxed(arr):
            return np.take_along_axis(arr, indices, axis)
        indices = np.asarray(indices)
    else:
        indices = batched(indices)
    i_shape, i_dtype = shape(indices), np.result_type(example(indices))
    if i_dtype.kind not in "iu":
        raise IndexError(f"take_along_axis: indices must be an integer array, got dtype "
                         f"{i_dtype}")
    if axis is None:
        if len(i_shape) != 1:
            raise ValueError(f"take_along_axis: with axis=None, indices must be 1-d (the "
                             f"input is flattened), got shape {i_shape}")
        arr, axis = _flat(arr), 0
    arr_shape = shape(arr)
    if len(i_shape) != len(arr_shape):
        raise ValueError(f"take_along_axis: indices of shape {i_shape} and arr of "
                         f"shape {arr_shape} must have the same number of dimensions")
    axis = normalize_axis("take_along_axis", axis, len(arr_shape), arr_shape)
    return getitem_(arr, _along_axis_index(indices, axis, arr_shape))


def _order(np_fn, a, axis, *args, **kwargs):
    """``np_fn(values, *args, axis=axis, **kwargs)`` (argsort, argpartition) on the
    values of ``a``: per example under vmap, the axis counted from the end so that
    the batch axes in front are left alone."""
    nd = len(shape(a))
    return per_example(lambda v, k: np_fn(v, *args, axis=axis - nd, **kwargs), a,
                       lead=True)


def _no_order(who, order):
    if order is not None:
        raise TypeError(f"{who}: order= sorts structured arrays by field, and a traced "
                        f"value is never structured; leave order=None")


def sort(a, axis=-1, kind=None, order=None, *, stable=None):
    """numpy.sort, differentiable: each output element takes the derivative of the
    input element it copies (axis=None sorts the flattened array).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> def f(x):
    ...     s = wnp.sort(x)
    ...     return 10.0 * s[0] + s[2]
    >>> wg.grad(f)(wnp.array([2.0, -1.0, 5.0]))
    array([ 0., 10.,  1.])
    """
    if not is_boxed(a):
        return np.sort(a, axis=axis, kind=kind, order=order, stable=stable)
    _no_order("sort", order)
    if axis is None:
        a, axis = _flat(a), 0
    a_shape = shape(a)
    axis = normalize_axis("sort", axis, len(a_shape), a_shape)
    perm = _order(np.argsort, a, axis, kind=kind, stable=stable)
    return getitem_(a, _along_axis_index(perm, axis, a_shape))


def partition(a, kth, axis=-1, kind="introselect", order=None):
    """numpy.partition, differentiable like sort: the element at position ``kth`` is
    where sort would put it, smaller ones before it and larger ones after, in an
    unspecified order (the derivative follows the elements wherever they land).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda x: wnp.partition(x, 1)[1])(wnp.array([4.0, 1.0, 3.0]))
    array([0., 0., 1.])
    """
    kth = _plain_index(kth)
    if not is_boxed(a):
        return np.partition(a, kth, axis=axis, kind=kind, order=order)
    _no_order("partition", order)
    if axis is None:
        a, axis = _flat(a), 0
    a_shape = shape(a)
    axis = normalize_axis("partition", axis, len(a_shape), a_shape)
    perm = _order(np.argpartition, a, axis, kth, kind=kind)
    return getitem_(a, _along_axis_index(perm, axis, a_shape))


def argpartition(a, kth, axis=-1, kind="introselect", order=None):
    """numpy.argpartition on the plain values: integer positions, no derivative.

    >>> import wengert.numpy as wnp
    >>> int(wnp.argpartition(wnp.array([4.0, 1.0, 3.0]), 0)[0])
    1
    """
    if batch_traces((a,)):
        if axis is None:
            a, axis = _flat(a), 0
        axis = normalize_axis("argpartition", axis, len(shape(a)), shape(a))
        return _order(np.argpartition, a, axis, _plain_index(kth), kind=kind, order=order)
    return np.argpartition(unbox_all(a), _plain_index(kth), axis=axis, kind=kind,
                           order=order)


def sort_complex(a):
    """numpy.sort_complex: sorted along the last axis by real part, then imaginary
    part, as a complex array; each element keeps the derivative of the one it copies.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda x: wnp.sort_complex(x)[0].real)(wnp.array([3.0, 1.0]))
    array([0., 1.])
    """
    if not is_boxed(a):
        return np.sort_complex(a)
    from .complex import astype
    av = example(a)
    if np.ndim(av) == 0:
        np.sort_complex(av)  # numpy's error for a 0-d array
    a_shape = shape(a)
    axis = len(a_shape) - 1
    b = getitem_(a, _along_axis_index(_order(np.argsort, a, axis), axis, a_shape))
    want = np.sort_complex(np.zeros((1,), dtype=np.result_type(av))).dtype
    return b if np.result_type(av) == want else astype(b, want)


# ------------------------------------------------------------ unique and the set ops
#
# Every output value of these is an element of the input (of ar1 or ar2 for the set
# operations), so it is a gather at numpy's index of that element: its first
# occurrence (numpy's return_index where it gives one). Counts, inverse indices and
# indices are plain integers. Where the values are not distinct a gather is a
# convention (one-sided, like the derivative of a sort at a tie): the first occurrence
# takes the whole derivative and the other copies none.

def _first_index(values, flat):
    """For each of ``values`` (elements of the 1-d array ``flat``) the position of
    its first occurrence in ``flat``; the k-th nan of ``values`` takes the k-th nan of
    ``flat`` (numpy keeps nans apart where equal_nan is False)."""
    values = np.asarray(values)
    u, first = np.unique(flat, return_index=True)
    pos = np.minimum(np.searchsorted(u, values), max(len(u) - 1, 0))
    idx = first[pos] if len(u) else np.zeros(values.shape, dtype=np.intp)
    if flat.dtype.kind in "fc":
        nan_out = np.isnan(values)
        if nan_out.any():
            nan_in = np.flatnonzero(np.isnan(flat))
            k = int(nan_out.sum())
            idx[nan_out] = nan_in[np.minimum(np.arange(k), len(nan_in) - 1)]
    return idx.astype(np.intp)


def _gather_flat(a, values):
    """The gather of the flattened traced ``a`` that reproduces ``values`` (each
    example's from its own values under vmap)."""
    flat = _flat(a)
    return getitem_(flat, per_example(
        lambda v, f: _first_index(v, np.asarray(f)), values, flat))


def _each(np_fn, *args):
    """numpy's ``np_fn`` on the values of ``args``: per example under vmap (the
    examples' results must have one shape), a tuple's fields each batched."""
    return per_example(np_fn, *args)


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None,
           *, equal_nan=True, sorted=True):
    """numpy.unique: the values are a gather of ``ar`` at numpy's ``return_index``
    (first occurrences; rows or slices along ``axis``), differentiable; the index,
    inverse and counts are plain.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda x: wnp.sum(wnp.unique(x)))(wnp.array([2.0, 1.0, 2.0]))
    array([1., 1., 0.])
    """
    if not is_boxed(ar):
        return np.unique(ar, return_index=return_index, return_inverse=return_inverse,
                         return_counts=return_counts, axis=axis, equal_nan=equal_nan,
                         sorted=sorted)
    out = _each(lambda av: np.unique(av, return_index=True, return_inverse=return_inverse,
                                     return_counts=return_counts, axis=axis,
                                     equal_nan=equal_nan, sorted=sorted), ar)
    index = out[1]
    if axis is None:
        values = getitem_(_flat(ar), index)
    else:
        ax = normalize_axis("unique", axis, len(shape(ar)), shape(ar))
        values = getitem_(ar, (slice(None),) * ax + (index,))
    rest = [index] if return_index else []
    rest += list(out[2:])
    return (values, *rest) if rest else values


def unique_values(x):
    """numpy.unique_values (numpy 2): the distinct values in numpy's order, a gather
    of the first occurrences."""
    if not is_boxed(x):
        return np.unique_values(x)
    return _gather_flat(x, _each(np.unique_values, x))


def _unique_result(np_fn, x):
    r = np_fn(example(x))  # for the result's type
    fields = _each(lambda v: tuple(np_fn(v)), x)
    return type(r)(_gather_flat(x, fields[0]), *fields[1:])


def unique_counts(x):
    """numpy.unique_counts (numpy 2): values (a differentiable gather) and counts."""
    if not is_boxed(x):
        return np.unique_counts(x)
    return _unique_result(np.unique_counts, x)


def unique_inverse(x):
    """numpy.unique_inverse (numpy 2): values (a differentiable gather) and the
    inverse indices."""
    if not is_boxed(x):
        return np.unique_inverse(x)
    return _unique_result(np.unique_inverse, x)


def unique_all(x):
    """numpy.unique_all (numpy 2): values (a gather at the returned indices, so
    differentiable), indices, inverse indices and counts."""
    if not is_boxed(x):
        return np.unique_all(x)
    r = np.unique_all(example(x))  # for the result's type
    fields = _each(lambda v: tuple(np.unique_all(v)), x)
    return type(r)(getitem_(_flat(x), fields[1]), *fields[1:])


def _set_op(np_fn, ar1, ar2, *args, first_only=False):
    """A set operation's values as a gather: each at its first occurrence in
    ``concatenate(ravel(ar1), ravel(ar2))`` (in ar1 alone for setdiff1d)."""
    values = _each(lambda a, b: np_fn(a, b, *args), ar1, ar2)
    if first_only:
        if not is_boxed(ar1):
            return values
        return _gather_flat(ar1, values)
    from .shape import _concatenate
    pieces = [_flat(a) if is_boxed(a) else np.ravel(a) for a in (ar1, ar2)]
    return _gather_flat(_concatenate(*pieces, axis=0), values)


def intersect1d(ar1, ar2, assume_unique=False, return_indices=False):
    """numpy.intersect1d: each common value is a gather of ``ar1`` (at numpy's
    ``ar1_indices``, the first occurrence there), so its derivative goes to ar1 and
    none to ar2's equal copy; the indices are plain.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda x: wnp.sum(wnp.intersect1d(x, [2.0, 5.0])))(wnp.array([5.0, 1.0, 5.0]))
    array([1., 0., 0.])
    """
    if not (is_boxed(ar1) or is_boxed(ar2)):
        return np.intersect1d(ar1, ar2, assume_unique=assume_unique,
                              return_indices=return_indices)
    if return_indices:
        values, i1, i2 = _each(lambda a, b: np.intersect1d(
            a, b, assume_unique=assume_unique, return_indices=True), ar1, ar2)
        if is_boxed(ar1):
            values = getitem_(_flat(ar1), i1)
            want = np.result_type(unbox_all(ar1), unbox_all(ar2))
            if np.result_type(unbox_all(values)) != want:
                from .complex import astype
                values = astype(values, want)
        return values, i1, i2
    return _set_op(np.intersect1d, ar1, ar2, assume_unique)


def union1d(ar1, ar2):
    """numpy.union1d: the distinct values of both, each a gather at its first
    occurrence (in ar1 where it is there, else in ar2)."""
    if not (is_boxed(ar1) or is_boxed(ar2)):
        return np.union1d(ar1, ar2)
    return _set_op(np.union1d, ar1, ar2)


def setdiff1d(ar1, ar2, assume_unique=False):
    """numpy.setdiff1d: the values of ar1 not in ar2, gathers of ar1 (ar2 only decides
    which: no derivative)."""
    if not (is_boxed(ar1) or is_boxed(ar2)):
        return np.setdiff1d(ar1, ar2, assume_unique=assume_unique)
    return _set_op(np.setdiff1d, ar1, ar2, assume_unique, first_only=True)


def setxor1d(ar1, ar2, assume_unique=False):
    """numpy.setxor1d: the values in exactly one of ar1 and ar2, each a gather of the
    array that holds it."""
    if not (is_boxed(ar1) or is_boxed(ar2)):
        return np.setxor1d(ar1, ar2, assume_unique=assume_unique)
    return _set_op(np.setxor1d, ar1, ar2, assume_unique)


# ------------------------------------------------------------ in-place writers
#
# copyto, place, put, putmask, fill_diagonal and put_along_axis write into their
# first argument. A traced destination is changed as numpy changes an array: the
# write is ``dst[index] = values`` on the traced value (Box.__setitem__, the
# index_update primitive), so every name bound to it, and the arrays it is a view of,
# see the new values, and the derivative flows through the written and the kept
# elements alike. A plain destination is numpy's; a traced value cannot be written
# into it without losing its derivative, so that is refused, as assignment refuses it.

def _refuse_plain_destination(who):
    raise TypeError(
        f"{who}: a traced value cannot be written into a plain ndarray without dropping "
        f"its derivative; make the destination traced first (for example "
        f"dst = wnp.zeros(n) + 0.0 * value, then write into it), or build the result "
        f"with wnp.where / wnp.concatenate")


def _plain_copy(a):
    return np.array(example(a), copy=True)  # one example's values, for numpy's checks


def _cycled(values, n):
    """The first ``n`` elements of ``values`` repeated cyclically, flattened (numpy's
    reading of a short ``values`` in put, place, putmask and flat assignment)."""
    flat = _flat(values) if is_boxed(values) else np.ravel(values)
    m = shape(flat)[0]
    take = np.arange(n) % m if m else np.zeros(0, dtype=np.intp)
    return _getitem(flat, idx=take) if is_boxed(flat) else flat[take]


def _flat_write(dst, positions, values):
    """``dst.flat[positions] = values`` (values cycled) on a traced ``dst``; the
    positions may differ between the examples of a vmap (not their number)."""
    positions = per_example(lambda p: np.asarray(p, dtype=np.intp).ravel(), positions)
    n = shape(positions)[0]
    if n == 0:
        return
    d_shape = shape(dst)
    dst[per_example(lambda p: np.unravel_index(p, d_shape), positions)] = _cycled(values, n)


def copyto(dst, src, casting="same_kind", where=True):
    """numpy.copyto: ``dst[...] = src`` (broadcast) where ``where`` holds; a traced
    dst is changed in place, differentiably.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> def f(x):
    ...     y = x * 1.0
    ...     wnp.copyto(y, 2.0 * x, where=x > 0)
    ...     return wnp.sum(y)
    >>> wg.grad(f)(wnp.array([-1.0, 1.0]))
    array([1., 2.])
    """
    if not is_boxed(dst):
        if is_boxed(src):
            _refuse_plain_destination("copyto")
        return np.copyto(dst, src, casting=casting, where=unbox_all(where))
    # numpy's checks (casting, broadcasting) on a copy of one example's values
    np.copyto(_plain_copy(dst), example(src), casting=casting, where=example(where))
    mask = per_example(lambda m, d: np.broadcast_to(np.asarray(m, dtype=bool), np.shape(d)),
                       where, dst, aligned=True)
    if np.all(unbox_all(mask)):
        dst[...] = src
    elif np.any(unbox_all(mask)):
        from .indexing import _where
        dst[...] = _where(mask, src, dst)


def place(arr, mask, vals):
    """numpy.place: the positions where ``mask`` is True take ``vals`` in order
    (repeated when short); a traced arr is changed in place."""
    if not is_boxed(arr):
        if is_boxed(vals):
            _refuse_plain_destination("place")
        return np.place(arr, unbox_all(mask), vals)
    np.place(_plain_copy(arr), example(mask), example(vals))  # numpy's checks
    _flat_write(arr, per_example(lambda m: np.flatnonzero(np.asarray(m)), mask), vals)


def put(a, ind, v, mode="raise"):
    """numpy.put: ``a.flat[ind] = v`` (v repeated when short; ``mode`` 'raise',
    'wrap' or 'clip' for out-of-range indices); a traced a is changed in place."""
    if not is_boxed(a):
        if is_boxed(v):
            _refuse_plain_destination("put")
        return np.put(a, np.asarray(unbox_all(ind)), v, mode=mode)
    np.put(_plain_copy(a), np.asarray(example(ind)), example(v), mode=mode)  # checks
    size = int(np.prod(shape(a)))
    if int(np.prod(shape(ind))) == 0:
        return

    def wrapped(ind):
        ind = np.asarray(ind).ravel().astype(np.intp)
        return np.clip(ind, 0, size - 1) if mode == "clip" else ind % size
    _flat_write(a, per_example(wrapped, ind), v)


def putmask(a, mask, values):
    """numpy.putmask: ``a.flat[n] = values.flat[n % len(values)]`` where ``mask``
    holds; a traced a is changed in place."""
    if not is_boxed(a):
        if is_boxed(values):
            _refuse_plain_destination("putmask")
        return np.putmask(a, unbox_all(mask), values)
    np.putmask(_plain_copy(a), example(mask), example(values))  # numpy's checks
    pos = per_example(lambda m: np.flatnonzero(np.asarray(m)), mask)
    if shape(pos)[0] == 0:
        return
    flat = _flat(values) if is_boxed(values) else np.ravel(values)
    m, a_shape = shape(flat)[0], shape(a)
    take = per_example(lambda p: p % m, pos)
    a[per_example(lambda p: np.unravel_index(p, a_shape), pos)] = (
        getitem_(flat, take) if is_boxed(flat) or is_boxed(take) else flat[take])


def fill_diagonal(a, val, wrap=False):
    """numpy.fill_diagonal: the main diagonal (every index equal; a tall matrix wraps
    with ``wrap``) takes ``val``, repeated when short; a traced a is changed in place."""
    if not is_boxed(a):
        if is_boxed(val):
            _refuse_plain_destination("fill_diagonal")
        return np.fill_diagonal(a, val, wrap=wrap)
    probe = np.zeros(shape(a), dtype=np.intp)
    np.fill_diagonal(probe, 1, wrap=wrap)  # numpy's checks, and numpy's positions
    _flat_write(a, np.flatnonzero(probe), val)


def put_along_axis(arr, indices, values, axis):
    """numpy.put_along_axis: ``arr[along-axis index] = values`` (broadcast); a traced
    arr is changed in place (axis=None: the flat positions)."""
    if not is_boxed(arr):
        if is_boxed(values):
            _refuse_plain_destination("put_along_axis")
        return np.put_along_axis(arr, _plain_index(indices), values, axis)
    np.put_along_axis(_plain_copy(arr), np.asarray(example(indices)), example(values),
                      axis)  # numpy's checks
    indices = batched(indices) if batch_traces((indices,)) else np.asarray(
        _plain_index(indices))
    a_shape = shape(arr)
    if axis is None:
        size = int(np.prod(a_shape))
        arr[per_example(lambda i: np.unravel_index(np.arange(size)[i], a_shape),
                        indices)] = values
        return
    axis = normalize_axis("put_along_axis", axis, len(a_shape), a_shape)
    arr[_along_axis_index(indices, axis, a_shape)] = values


__all__ = ["sort", "partition", "argpartition", "take_along_axis", "sort_complex",
           "unique", "unique_values", "unique_counts", "unique_inverse", "unique_all",
           "intersect1d", "union1d", "setdiff1d", "setxor1d", "copyto", "place", "put",
           "putmask", "fill_diagonal", "put_along_axis"]
