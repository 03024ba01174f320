"""Sorting and selection along an axis: sort, partition and take_along_axis.

No new primitives: the permutation (argsort or argpartition of the plain values) is a
constant, and the value is a gather of ``a`` at that permutation, one ``getitem``
with an advanced index. Its VJP scatters the cotangent back (``untake``) and both
differentiate again. Where values tie, the derivative follows the order that
argsort chose (any choice is a one-sided derivative of a kink).
"""

import numpy as np

from ..core.trace import is_boxed, unbox_all
from ._base import normalize_axis, shape
from .indexing import _getitem, _plain_index
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
    indices = _plain_index(indices)
    if not is_boxed(arr):
        return np.take_along_axis(arr, indices, axis)
    indices = np.asarray(indices)
    if indices.dtype.kind not in "iu":
        raise IndexError(f"take_along_axis: indices must be an integer array, got dtype "
                         f"{indices.dtype}")
    if axis is None:
        if indices.ndim != 1:
            raise ValueError(f"take_along_axis: with axis=None, indices must be 1-d (the "
                             f"input is flattened), got shape {indices.shape}")
        arr, axis = _flat(arr), 0
    arr_shape = shape(arr)
    if indices.ndim != len(arr_shape):
        raise ValueError(f"take_along_axis: indices of shape {indices.shape} and arr of "
                         f"shape {arr_shape} must have the same number of dimensions")
    axis = normalize_axis("take_along_axis", axis, len(arr_shape), arr_shape)
    return _getitem(arr, idx=_along_axis_index(indices, axis, arr_shape))


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
    perm = np.argsort(unbox_all(a), axis=axis, kind=kind, stable=stable)
    return _getitem(a, idx=_along_axis_index(perm, axis, a_shape))


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
    perm = np.argpartition(unbox_all(a), kth, axis=axis, kind=kind)
    return _getitem(a, idx=_along_axis_index(perm, axis, a_shape))


def argpartition(a, kth, axis=-1, kind="introselect", order=None):
    """numpy.argpartition on the plain values: integer positions, no derivative.

    >>> import wengert.numpy as wnp
    >>> int(wnp.argpartition(wnp.array([4.0, 1.0, 3.0]), 0)[0])
    1
    """
    return np.argpartition(unbox_all(a), _plain_index(kth), axis=axis, kind=kind,
                           order=order)


__all__ = ["sort", "partition", "argpartition", "take_along_axis"]
