"""Spec table for rules/indexing.py: getitem with basic and advanced indices, its
adjoint untake (called directly, with repeated indices), where, and the composites
clip (two wheres) and take (a getitem).

getitem, untake and where are linear in their array inputs, so each function is
followed by ``sin``: order 2 then checks a nonzero second derivative. Basic slicing
rows are in specs_shape.py.
"""

import numpy as np

import wengert.numpy as wnp
from wengert.rules.indexing import untake

from .spec import D, R, labelled


_case = labelled


_MASK = np.array([[True, False, True], [False, True, True]])

CASES = [
    # basic indices, including the ones that add axes
    _case("getitem", "int-scalar-out", lambda x: x[2], R(3)),
    _case("getitem", "neg-int", lambda x: x[-1], R(2, 3)),
    _case("getitem", "none-front", lambda x: x[None], R(2, 3)),
    _case("getitem", "none-int-slice", lambda x: x[0, None, 1:], R(2, 3)),
    _case("getitem", "ellipsis-none", lambda x: x[..., None], R(2, 3)),
    _case("getitem", "ellipsis-only", lambda x: x[...], R(2, 3)),
    _case("getitem", "empty-tuple-0d", lambda x: wnp.getitem_(x, ()), R()),
    _case("getitem", "none-on-float", lambda x: wnp.getitem_(x, None), R()),
    _case("getitem", "step-neg", lambda x: x[::-2, 1:], R(3, 3)),
    # advanced indices: integer arrays and lists, repeats, masks, mixed with slices
    _case("getitem", "int-list-repeat", lambda x: x[[0, 2, 2, 0]], R(3)),
    _case("getitem", "int-array-repeat-2d", lambda x: x[np.array([[1, 1], [0, 1]])], R(2, 3)),
    _case("getitem", "rows-cols-pairs", lambda x: x[[0, 1, 1], [2, 2, 0]], R(2, 3)),
    _case("getitem", "slice-then-array", lambda x: x[:, [2, 0, 2]], R(2, 3)),
    _case("getitem", "array-then-slice", lambda x: x[np.array([1, 1]), 1:], R(2, 3)),
    _case("getitem", "neg-index-array", lambda x: x[np.array([-1, -3, -1])], R(3)),
    _case("getitem", "bool-mask-2d", lambda x: x[_MASK], R(2, 3)),
    _case("getitem", "bool-mask-rows", lambda x: x[np.array([False, True])], R(2, 3)),
    _case("getitem", "bool-list-cols", lambda x: x[:, [True, False, True]], R(2, 3)),
    _case("getitem", "mask-from-values", lambda x: x[x > 0.0], D(2, 3)),
    _case("getitem", "ellipsis-array", lambda x: x[..., np.array([0, 0])], R(2, 2, 3)),
    _case("getitem", "gather-twice", lambda x: x[[1, 0]][:, [0, 0, 2]], R(2, 3)),
    _case("getitem", "iterate", lambda x: wnp.stack([r * r for r in x]), R(2, 3)),
    _case("getitem", "take-axis-None", lambda x: wnp.take(x, [5, 0, 5]), R(2, 3)),
    _case("getitem", "take-axis-1", lambda x: wnp.take(x, np.array([2, 2, 1]), axis=1),
          R(2, 3)),
    _case("getitem", "take-axis-minus2", lambda x: wnp.take(x, [1], axis=-2), R(2, 3)),

    # untake, the scatter-add that is getitem's VJP
    _case("untake", "repeat", lambda g: untake(g, idx=np.array([0, 2, 2, 0]), shape=(3,)),
          R(4)),
    _case("untake", "rows-cols", lambda g: untake(g, idx=(np.array([0, 1, 1]),
                                                          np.array([2, 2, 2])), shape=(2, 3)),
          R(3)),
    _case("untake", "mask", lambda g: untake(g, idx=_MASK, shape=(2, 3)), R(4)),
    _case("untake", "slice-none", lambda g: untake(g, idx=(slice(1, None), None),
                                                   shape=(3, 2)), R(2, 1, 2)),
    _case("untake", "scalar-int", lambda g: untake(g, idx=1, shape=(3,)), R()),

    # where: differentiable in both branches, broadcasting, constants in either place
    _case("where", "same-shape", lambda x, y: wnp.where(_MASK, x, y), R(2, 3), R(2, 3)),
    _case("where", "broadcast", lambda x, y: wnp.where(_MASK, x, y), R(3), R(2, 1)),
    _case("where", "scalar-branch", lambda x, y: wnp.where(x > 0.0, x, y), D(2, 3), R()),
    _case("where", "constant-else", lambda x: wnp.where(x > 0.0, x * x, 0.0), D(3)),
    _case("where", "constant-then", lambda x: wnp.where(x > 0.0, 1.0, x), D(2, 3)),

    # clip: two wheres; D keeps every value away from the bounds (a kink there)
    _case("where", "clip-scalars", lambda x: wnp.clip(x, -1.0, 1.05) * x, D(2, 3)),
    _case("where", "clip-low-only", lambda x: wnp.clip(x, -1.0, None) * x, D(3)),
    _case("where", "clip-high-only", lambda x: wnp.clip(x, a_max=0.35) * x, D(3)),
    _case("where", "clip-array-bounds", lambda x, lo, hi: wnp.clip(x, lo, hi),
          D(2, 3), np.array([-1.05, -0.35, -0.35]), np.array([[1.05], [0.35]])),
    _case("where", "clip-traced-scalar-bounds", lambda x, lo, hi: wnp.clip(x, lo, hi),
          D(2, 3), -1.05, 1.05),
    _case("where", "clip-method", lambda x: x.clip(-1.05, 0.35) * x, D(2, 3)),
    _case("where", "clip-scalar", lambda x: wnp.clip(x, -1.05, 1.05), R()),
]
