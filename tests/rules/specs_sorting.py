"""Spec table for rules/sorting.py (sort, partition, take_along_axis: each one getitem
with an advanced index, so the rows are filed under getitem).

sort and partition get distinct values (``D``): at a tie the sorted values have a
kink and central differences mean nothing there. Every function ends in ``sin`` so
that order 2 checks a nonzero second derivative of these linear maps.
"""

import numpy as np

import wengert.numpy as wnp

from .spec import D, R, labelled

_case = labelled

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
]
