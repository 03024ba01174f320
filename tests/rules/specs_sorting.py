"""Spec table for rules/sorting.py (sort, partition, take_along_axis: each one getitem
with an advanced index, so the rows are filed under getitem) and for index_update,
the primitive behind ``x[idx] = y`` (rules/indexing.py; its rows live here, next to
the other rows written with it, and tests/test_assignment.py tests the operator).

sort and partition get distinct values (``D``): at a tie the sorted values have a
kink and central differences mean nothing there. Every function ends in ``sin`` so
that order 2 checks a nonzero second derivative of these linear maps.
"""

import numpy as np

import wengert.numpy as wnp
from wengert.rules.indexing import index_update

from .spec import D, R, labelled

_case = labelled

_MASK = np.array([[True, False, True], [False, True, True]])


def _assigned(idx):
    """``x`` with ``x[idx] = y``, written with the operator on a copy of x (the plain
    call in the numeric check must not write into its argument)."""
    def f(x, y):
        z = x + 0.0
        z[idx] = y
        return z
    return f


def _added(idx):
    def f(x, y):
        z = x + 0.0
        z[idx] += y
        return z
    return f


CASES = [
    # sort: last axis, each axis, flattened, along a length-1 axis, descending by -x
    _case("getitem", "sort-vector", wnp.sort, D(5)),
    _case("getitem", "sort-matrix-last", wnp.sort, D(3, 4)),
    _case("getitem", "sort-axis0", lambda x: wnp.sort(x, axis=0), D(3, 4)),
    _case("getitem", "sort-axis1-3d", lambda x: wnp.sort(x, axis=1), D(2, 3, 2)),
    _case("getitem", "sort-axis-None", lambda x: wnp.sort(x, axis=None), D(2, 3)),
    _case("getitem", "sort-length-1-axis", lambda x: wnp.sort(x, axis=0), D(1, 3)),
    _case("getitem", "sort-stable", lambda x: wnp.sort(x, kind="stable"), D(2, 3)),
    _case("getitem", "sort-descending", lambda x: -wnp.sort(-x, axis=0), D(3, 2)),
    _case("getitem", "sort-numpy-protocol", lambda x: np.sort(x * x, axis=-1), D(2, 3)),
    _case("getitem", "sort-then-weights",
          lambda x: wnp.sort(x) * np.array([1.0, 2.0, 3.0]), D(2, 3)),

    # partition: the kth element in place, the rest on their sides
    _case("getitem", "partition-kth", lambda x: wnp.partition(x, 2)[2], D(5)),
    _case("getitem", "partition-axis0", lambda x: wnp.partition(x, 1, axis=0), D(3, 2)),
    _case("getitem", "partition-kths", lambda x: wnp.partition(x, [0, 3]), D(2, 5)),

    # take_along_axis: repeated indices, broadcasting indices, axis None
    _case("getitem", "take-along-repeat",
          lambda x: wnp.take_along_axis(x, np.array([[2, 2], [0, 1]]), axis=1), R(2, 3)),
    _case("getitem", "take-along-axis0",
          lambda x: wnp.take_along_axis(x, np.array([[1, 0, 1]]), axis=0), R(2, 3)),
    _case("getitem", "take-along-broadcast",
          lambda x: wnp.take_along_axis(x, np.array([[0], [2]]), axis=-1), R(2, 3)),
    _case("getitem", "take-along-None",
          lambda x: wnp.take_along_axis(x, np.array([5, 0, 5]), axis=None), R(2, 3)),
    _case("getitem", "take-along-argsort",
          lambda x: wnp.take_along_axis(x, wnp.argsort(x, axis=0), axis=0), D(3, 2)),

    # index_update called directly: basic, slices with broadcasting, masks, arrays
    _case("index_update", "int",
          lambda x, y: index_update(x, y, idx=1), R(3), R()),
    _case("index_update", "slice-broadcast",
          lambda x, y: index_update(x, y, idx=(slice(1, 3),)), R(4, 2), R(2)),
    _case("index_update", "mask",
          lambda x, y: index_update(x, y, idx=_MASK), R(2, 3), R(4)),
    _case("index_update", "mask-scalar-y",
          lambda x, y: index_update(x, y, idx=_MASK), R(2, 3), R()),
    _case("index_update", "array-repeat-last-wins",
          lambda x, y: index_update(x, y, idx=np.array([0, 2, 0])), R(3), R(3)),
    _case("index_update", "rows-cols-repeat",
          lambda x, y: index_update(x, y, idx=(np.array([0, 1, 0]), np.array([2, 0, 2]))),
          R(2, 3), R(3)),
    _case("index_update", "array-rows-broadcast-y",
          lambda x, y: index_update(x, y, idx=np.array([1, 1])), R(2, 3), R(3)),
    _case("index_update", "y-extra-leading-axis",
          lambda x, y: index_update(x, y, idx=slice(0, 2)), R(3), R(1, 2)),
    _case("index_update", "0d-x", lambda x, y: index_update(x, y, idx=()), R(), R()),
    _case("index_update", "constant-x",
          lambda y: index_update(np.ones(3), y, idx=slice(1, None)), R(2)),
    _case("index_update", "constant-y",
          lambda x: index_update(x, np.ones(3), idx=0), R(2, 3)),

    # the operator form x[idx] = y and x[idx] += y (Box.__setitem__)
    _case("index_update", "setitem-int", _assigned(0), R(3), R()),
    _case("index_update", "setitem-slice-broadcast", _assigned(np.s_[1:3]), R(4, 2), R()),
    _case("index_update", "setitem-list", _assigned([0, 2]), R(3), R(2)),
    _case("index_update", "setitem-mask", _assigned(_MASK), R(2, 3), R(4)),
    _case("index_update", "setitem-iadd-mask", _added(_MASK), R(2, 3), R(4)),
    _case("index_update", "setitem-iadd-repeat", _added([1, 1]), R(3), R(2)),
    _case("index_update", "setitem-mixed", _assigned(np.s_[:, [2, 0]]), R(2, 3), R(2, 1)),
]
