"""Spec table for rules/shape.py: the linear primitives reshape, transpose,
broadcast_to and concatenate, and the composites built on them (stack, expand_dims,
squeeze, ravel, swapaxes, moveaxis, ``.T``, array methods), filed under the primitive
they use. Basic slicing is filed under getitem.

The functions multiply by a fixed array of the output's shape where that helps: a
shape primitive is linear, so without a nonlinear step its second derivative is zero
and order 2 would only check zeros against zeros.
"""

import numpy as np

import wengert.numpy as wnp

from .spec import R, labelled


_case = labelled


CASES = [
    # reshape
    _case("reshape", "to-3x2", lambda x: wnp.reshape(x, (3, 2)), R(2, 3)),
    _case("reshape", "to-minus1", lambda x: wnp.reshape(x, -1), R(2, 3)),
    _case("reshape", "to-2x1x3", lambda x: wnp.reshape(x, (2, 1, 3)), R(6)),
    _case("reshape", "scalar-to-1x1", lambda x: wnp.reshape(x, (1, 1)), R()),
    _case("reshape", "order-F", lambda x: wnp.reshape(x, (3, 2), order="F"), R(2, 3)),
    _case("reshape", "method", lambda x: x.reshape(3, 2), R(2, 3)),
    _case("reshape", "method-tuple", lambda x: x.reshape((2, 2, 3)), R(3, 4)),
    _case("reshape", "flatten-method", lambda x: x.flatten(), R(2, 3)),
    _case("reshape", "ravel", wnp.ravel, R(2, 3)),
    _case("reshape", "ravel-method", lambda x: x.ravel(), R(3, 2)),
    _case("reshape", "expand_dims-0", lambda x: wnp.expand_dims(x, 0), R(2, 3)),
    _case("reshape", "expand_dims-minus1", lambda x: wnp.expand_dims(x, -1), R(2, 3)),
    _case("reshape", "expand_dims-0-2", lambda x: wnp.expand_dims(x, (0, 2)), R(3)),
    _case("reshape", "expand_dims-scalar", lambda x: wnp.expand_dims(x, 0), R()),
    _case("reshape", "squeeze-all", wnp.squeeze, R(1, 3, 1)),
    _case("reshape", "squeeze-axis", lambda x: wnp.squeeze(x, axis=2), R(2, 3, 1)),
    _case("reshape", "squeeze-method", lambda x: x.squeeze(), R(1, 3)),

    # transpose
    _case("transpose", "axes-None", wnp.transpose, R(2, 3)),
    _case("transpose", "axes-None-3d", wnp.transpose, R(2, 3, 4)),
    _case("transpose", "axes-1-2-0", lambda x: wnp.transpose(x, (1, 2, 0)), R(2, 3, 4)),
    _case("transpose", "axes-list", lambda x: wnp.transpose(x, [0, 2, 1]), R(2, 3, 4)),
    _case("transpose", "vector", wnp.transpose, R(3)),
    _case("transpose", "axes-negative", lambda x: wnp.transpose(x, (-1, 0, 1)), R(2, 3, 4)),
    _case("transpose", "method-negative", lambda x: x.transpose(0, -1, -2), R(2, 3, 4)),
    _case("transpose", "dot-T", lambda x: x.T, R(2, 3)),
    _case("transpose", "dot-mT", lambda x: x.mT, R(4, 2, 3)),
    _case("transpose", "method-perm", lambda x: x.transpose(2, 0, 1), R(2, 3, 4)),
    _case("transpose", "swapaxes", lambda x: wnp.swapaxes(x, 0, 2), R(2, 3, 4)),
    _case("transpose", "swapaxes-neg", lambda x: wnp.swapaxes(x, -1, -2), R(2, 3)),
    _case("transpose", "swapaxes-method", lambda x: x.swapaxes(0, 1), R(2, 3)),
    _case("transpose", "moveaxis-0-to-minus1", lambda x: wnp.moveaxis(x, 0, -1), R(2, 3, 4)),
    _case("transpose", "moveaxis-multi",
          lambda x: wnp.moveaxis(x, (0, 1), (2, 0)), R(2, 3, 4)),

    # broadcast_to
    _case("broadcast_to", "3-to-2x3", lambda x: wnp.broadcast_to(x, (2, 3)), R(3)),
    _case("broadcast_to", "1x3-to-4x3", lambda x: wnp.broadcast_to(x, (4, 3)), R(1, 3)),
    _case("broadcast_to", "2x1-to-2x3", lambda x: wnp.broadcast_to(x, (2, 3)), R(2, 1)),
    _case("broadcast_to", "scalar-to-2x3", lambda x: wnp.broadcast_to(x, (2, 3)), R()),
    _case("broadcast_to", "int-shape", lambda x: wnp.broadcast_to(x, 4), R(1)),
    _case("broadcast_to", "same-shape", lambda x: wnp.broadcast_to(x, (2, 3)), R(2, 3)),

    # concatenate (and stack, which concatenates expanded arrays)
    _case("concatenate", "axis-0", lambda x, y: wnp.concatenate([x, y], axis=0),
          R(2, 3), R(4, 3)),
    _case("concatenate", "axis-1", lambda x, y: wnp.concatenate((x, y), axis=1),
          R(2, 3), R(2, 1)),
    _case("concatenate", "axis-minus1", lambda x, y, z: wnp.concatenate([x, y, z], axis=-1),
          R(2, 3), R(2, 2), R(2, 1)),
    _case("concatenate", "vectors", lambda x, y: wnp.concatenate([x, y]), R(3), R(2)),
    _case("concatenate", "axis-None", lambda x, y: wnp.concatenate([x, y], axis=None),
          R(2, 2), R(3)),
    _case("concatenate", "same-twice", lambda x: wnp.concatenate([x, x * x], axis=0),
          R(2, 3)),
    _case("concatenate", "with-constant",
          lambda x: wnp.concatenate([x, np.ones((1, 3))], axis=0), R(2, 3)),
    _case("concatenate", "stack-axis-0", lambda x, y: wnp.stack([x, y]), R(2, 3), R(2, 3)),
    _case("concatenate", "stack-axis-minus1", lambda x, y: wnp.stack([x, y], axis=-1),
          R(2, 3), R(2, 3)),
    _case("concatenate", "stack-axis-1", lambda x, y, z: wnp.stack((x, y, z), axis=1),
          R(3), R(3), R(3)),
    _case("concatenate", "stack-scalars", lambda x, y: wnp.stack([x, y]), R(), R()),

    # basic slicing (getitem under the operator)
    _case("getitem", "slice-1:", lambda x: x[1:], R(4)),
    _case("getitem", "slice-step-2", lambda x: x[:, ::2], R(2, 5)),
    _case("getitem", "reverse", lambda x: x[::-1], R(2, 3)),
    _case("getitem", "int-row", lambda x: x[0], R(2, 3)),
    _case("getitem", "int-int", lambda x: x[1, 2], R(2, 3)),
    _case("getitem", "ellipsis", lambda x: x[..., 1], R(2, 3, 4)),
    _case("getitem", "newaxis", lambda x: x[:, None, 1:], R(2, 3)),
    _case("getitem", "negative-slice", lambda x: x[-2:, :-1], R(3, 3)),
    _case("getitem", "slices-overlap", lambda x: x[1:] * x[:-1], R(5)),

    # numpy's stacking functions (concatenate of reshaped pieces)
    _case("concatenate", "hstack-1d", lambda x, y: wnp.hstack([x, y]), R(3), R(2)),
    _case("concatenate", "hstack-2d", lambda x, y: wnp.hstack((x, y)), R(2, 3), R(2, 1)),
    _case("concatenate", "hstack-scalars", lambda x, y: wnp.hstack([x, y]), R(), R()),
    _case("concatenate", "vstack", lambda x, y: wnp.vstack([x, y]), R(3), R(2, 3)),
    _case("concatenate", "dstack", lambda x, y: wnp.dstack([x, y]), R(2, 3), R(2, 3)),
    _case("concatenate", "column_stack", lambda x, y: wnp.column_stack([x, y]), R(3),
          R(3, 2)),
    _case("concatenate", "append-flat", lambda x, y: wnp.append(x, y), R(2, 3), R(2)),
    _case("concatenate", "append-axis1", lambda x, y: wnp.append(x, y, axis=1), R(2, 3),
          R(2, 2)),
    _case("concatenate", "concat", lambda x, y: wnp.concat([x, y], axis=1), R(2, 1),
          R(2, 2)),
    _case("reshape", "atleast_1d", wnp.atleast_1d, R()),
    _case("reshape", "atleast_2d", wnp.atleast_2d, R(3)),
    _case("reshape", "atleast_3d-1d", wnp.atleast_3d, R(3)),
    _case("reshape", "atleast_3d-2d", wnp.atleast_3d, R(2, 3)),

    # splitting (getitem slices)
    _case("getitem", "split", lambda x: wnp.concatenate(wnp.split(x, 3)[::-1]), R(6)),
    _case("getitem", "split-indices", lambda x: wnp.split(x, [1, 3], axis=1)[1], R(2, 5)),
    _case("getitem", "array_split", lambda x: wnp.stack(wnp.array_split(x, 3)[:2]), R(8)),
    _case("getitem", "hsplit", lambda x: wnp.hsplit(x, 2)[1], R(3, 4)),
    _case("getitem", "vsplit", lambda x: wnp.vsplit(x, [1])[1], R(3, 2)),
    _case("getitem", "dsplit", lambda x: wnp.dsplit(x, 2)[0], R(2, 2, 4)),
    _case("getitem", "unstack", lambda x: wnp.unstack(x, axis=1)[2], R(2, 3)),

    # tiling (broadcast), repeating and rolling (gathers)
    _case("broadcast_to", "tile-int", lambda x: wnp.tile(x, 2), R(3)),
    _case("broadcast_to", "tile-more-reps", lambda x: wnp.tile(x, (2, 1, 2)), R(2, 3)),
    _case("broadcast_to", "tile-fewer-reps", lambda x: wnp.tile(x, 2), R(2, 3)),
    _case("broadcast_to", "tile-scalar", lambda x: wnp.tile(x, (2, 2)), R()),
    _case("getitem", "repeat-flat", lambda x: wnp.repeat(x, 2), R(2, 3)),
    _case("getitem", "repeat-array", lambda x: wnp.repeat(x, [1, 0, 2], axis=0), R(3, 2)),
    _case("getitem", "repeat-axis-minus1", lambda x: wnp.repeat(x, 3, axis=-1), R(2, 2)),
    _case("getitem", "roll-flat", lambda x: wnp.roll(x, -1), R(2, 3)),
    _case("getitem", "roll-axes", lambda x: wnp.roll(x, (1, -2), axis=(0, 1)), R(3, 4)),
    _case("getitem", "roll-same-axis", lambda x: wnp.roll(x, (1, 2), axis=(1, 1)), R(2, 5)),

    # axes and flips
    _case("transpose", "rollaxis", lambda x: wnp.rollaxis(x, 2), R(2, 3, 4)),
    _case("transpose", "rollaxis-start", lambda x: wnp.rollaxis(x, 0, 2), R(2, 3, 4)),
    _case("transpose", "permute_dims", lambda x: wnp.permute_dims(x, (2, 0, 1)), R(2, 3, 4)),
    _case("transpose", "matrix_transpose", wnp.matrix_transpose, R(2, 3, 4)),
    _case("getitem", "flip-all", wnp.flip, R(2, 3)),
    _case("getitem", "flip-axes", lambda x: wnp.flip(x, (0, 2)), R(2, 3, 2)),
    _case("getitem", "fliplr", wnp.fliplr, R(2, 3)),
    _case("getitem", "flipud", wnp.flipud, R(3)),
    _case("getitem", "rot90-k2", lambda x: wnp.rot90(x, 2), R(2, 3)),
    _case("transpose", "rot90", wnp.rot90, R(2, 3)),
    _case("transpose", "rot90-k3-axes", lambda x: wnp.rot90(x, 3, axes=(1, 2)), R(2, 3, 4)),
    _case("broadcast_to", "broadcast_arrays",
          lambda x, y: wnp.stack(wnp.broadcast_arrays(x, y)), R(3), R(2, 1)),

    # assembling, deleting, inserting and selecting
    _case("concatenate", "block", lambda x, y: wnp.block([[x, y], [y, x]]), R(2, 2), R(2, 2)),
    _case("concatenate", "block-mixed-ndim", lambda x, y: wnp.block([[x], [y]]), R(3),
          R(2, 3)),
    _case("getitem", "delete", lambda x: wnp.delete(x, [0, 2], axis=1), R(2, 4)),
    _case("getitem", "delete-flat", lambda x: wnp.delete(x, slice(1, None, 2)), R(2, 3)),
    _case("where", "insert", lambda x, v: wnp.insert(x, [1, 1], v, axis=1), R(2, 3), R(2)),
    _case("getitem", "insert-constant", lambda x: wnp.insert(x, 1, 5.0), R(4)),
    _case("getitem", "resize", lambda x: wnp.resize(x, (3, 4)), R(5)),
    _case("getitem", "compress", lambda x: wnp.compress([True, False, True], x, axis=0),
          R(3, 2)),
    _case("getitem", "extract", lambda x: wnp.extract(np.array([[1, 0, 1], [0, 1, 1]]), x),
          R(2, 3)),
    _case("getitem", "choose", lambda x, y: wnp.choose(np.array([[0], [1]]), (x, y)), R(3),
          R(2, 3)),
    _case("getitem", "trim_zeros",
          lambda x: wnp.trim_zeros(x * np.array([0.0, 1.0, 1.0, 0.0])), R(4)),
]
