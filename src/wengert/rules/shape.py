"""Shape manipulation: linear primitives (the JVP applies the primitive to the
tangent) whose VJP undoes the rearrangement. Options are keywords."""

import builtins
import operator
import warnings

import numpy as np

from .. import backend
from ..core.primitive import Primitive
from ..core.trace import Box, unbox_all
from ._base import (AxisError, example, linear, normalize_axis, per_example,
                    per_example_call, per_operand, shape, to_front, unbroadcast)

def _reshape_impl(x, *, newshape, order="C"):
    if type(x) not in backend.PLAIN and backend.kind(x) != "numpy":  # another library's
        from ._kinds import other_kind
        return other_kind(_reshape, (x,), {"newshape": newshape, "order": order})
    return np.reshape(x, newshape, order=order)


_reshape_impl.checks_kind = True
_reshape = linear(
    "reshape", _reshape_impl,
    lambda g, ans, x, *, newshape, order="C": _reshape(g, newshape=shape(x), order=order))


def _reshape_foreign(x, *, newshape, order="C"):
    """reshape for an array of another library (its own reshape, which takes no
    ``order``). Dask reshapes only by merging or splitting axes: a reshape that does
    neither goes through the flat array (a merge, then a split)."""
    if order != "C":
        raise backend.unsupported("reshape", backend.kind(x), f"order={order!r}")
    try:
        return x.reshape(newshape)
    except NotImplementedError:
        if backend.kind(x) != "dask":
            raise
        return x.reshape(-1).reshape(newshape)


_reshape.foreign = _reshape_foreign

_broadcast_to = linear(
    "broadcast_to", lambda x, *, shape: np.broadcast_to(x, shape),
    lambda g, ans, x, *, shape: unbroadcast(g, x))


def _inverse_perm(axes):
    return tuple(int(i) for i in np.argsort(axes))


_transpose = linear(
    "transpose", lambda x, *, axes=None: np.transpose(x, axes),
    lambda g, ans, x, *, axes=None: _transpose(g, axes=None if axes is None else _inverse_perm(axes)))


# batching (vmap): each runs once on the batch, the batch axis in front
def _batch_reshape(vals, dims, newshape, order="C"):
    x = to_front(vals[0], dims[0])
    n = shape(x)[0]
    if order != "C":  # an F-order reshape would mix the batch axis in: one at a time
        return _loop_reshape(x, n, newshape, order), 0
    example = tuple(newshape) if isinstance(newshape, (tuple, list)) else (newshape,)
    return _reshape(x, newshape=(n,) + example), 0


def _loop_reshape(x, n, newshape, order):
    from ..core.batching import loop_rule
    return loop_rule(_reshape, [x], [0], {"newshape": newshape, "order": order}, n)[0]


def _batch_transpose(vals, dims, axes=None):
    x = to_front(vals[0], dims[0])
    nd = len(shape(x)) - 1
    axes = tuple(reversed(range(nd))) if axes is None else tuple(a % nd for a in axes)
    return _transpose(x, axes=(0,) + tuple(a + 1 for a in axes)), 0


def _batch_broadcast_to(vals, dims, **params):
    target = tuple(params["shape"])
    x = to_front(vals[0], dims[0])
    xs = shape(x)
    x = _reshape(x, newshape=xs[:1] + (1,) * (len(target) - len(xs) + 1) + xs[1:])
    return _broadcast_to(x, shape=xs[:1] + target), 0


def _batch_concatenate(vals, dims, axis=0):
    n = next(shape(v)[d] for v, d in zip(vals, dims) if d is not None)
    parts = []
    for v, d in zip(vals, dims):
        if d is None:  # the same for every example: repeated along a new batch axis
            v = _broadcast_to(_reshape(v, newshape=(1,) + shape(v)),
                              shape=(n,) + shape(v))
        else:
            v = to_front(v, d)
        parts.append(v)
    ax = normalize_axis("concatenate", axis, len(shape(parts[0])) - 1)
    return _concatenate(*parts, axis=ax + 1), 0


_reshape.batch = _batch_reshape
_transpose.batch = _batch_transpose
_broadcast_to.batch = _batch_broadcast_to


def _concat_impl(*xs, axis=0):
    return np.concatenate(xs, axis=axis)


def _concat_vjp(k, g, ans, *xs, axis=0):
    """Input k's piece of ``g`` along ``axis`` (the VJP of concatenate)."""
    from .indexing import _getitem
    ax = normalize_axis("concatenate", axis, len(shape(g)))
    start = builtins.sum(shape(x)[ax] for x in xs[:k])
    idx = (slice(None),) * ax + (slice(start, start + shape(xs[k])[ax]),)
    # a real input joined with complex ones gets the real part of its piece
    return unbroadcast(_getitem(g, idx=idx), xs[k])


def _concat_jvp(tangents, ans, *xs, axis=0):
    dt = np.result_type(unbox_all(ans))
    ts = [_zeros_like_in(x, dt) if t is None else t for t, x in zip(tangents, xs)]
    return _concatenate(*ts, axis=axis)


def _zeros_like_in(x, dt):
    """Zeros shaped like ``x`` (one example under vmap) in dtype ``dt``, of the kind
    of ``x``'s arrays (a Dask array's zeros are a Dask array)."""
    plain = unbox_all(x)
    if backend.kind(plain) == backend.NUMPY or shape(x) != backend.shape(plain):
        return np.zeros(shape(x), dtype=dt)
    return backend.namespace(plain).zeros_like(plain, dtype=dt)


_concatenate = Primitive(
    "concatenate", _concat_impl,
    jvp=_concat_jvp,
    vjps=per_operand(_concat_vjp))
_concatenate.batch = _batch_concatenate


def concatenate(arrays, axis=0):
    """numpy.concatenate, differentiable in every array."""
    if axis is None:
        return _concatenate(*[_reshape(a, newshape=(-1,)) for a in arrays], axis=0)
    arrays = list(arrays)
    if not arrays:
        raise ValueError("concatenate: need at least one array to concatenate")
    shp = shape(arrays[0])
    if not shp:
        raise ValueError("concatenate: zero-dimensional arrays cannot be concatenated "
                         "(use stack)")
    return _concatenate(*arrays, axis=normalize_axis("concatenate", axis, len(shp), shp))


def _seq(axis):
    """An axis option as a tuple of axes (one int or a sequence)."""
    return tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)


def expand_dims(x, axis):
    """numpy.expand_dims (a reshape)."""
    shp = shape(x)
    axes = _seq(axis)
    axes = sorted(normalize_axis("expand_dims", axes, len(shp) + len(axes), shp))
    new = list(shp)
    for a in axes:
        new.insert(a, 1)
    return _reshape(x, newshape=tuple(new))


def squeeze(x, axis=None):
    """numpy.squeeze (a reshape)."""
    shp = shape(x)
    if axis is None:
        new = tuple(n for n in shp if n != 1)
    else:
        axes = normalize_axis("squeeze", _seq(axis), len(shp), shp)
        for a in axes:
            if shp[a] != 1:
                raise ValueError(f"squeeze: cannot select axis {a} of size {shp[a]} "
                                 f"(shape {shp}); only axes of size 1 can be squeezed")
        new = tuple(n for i, n in enumerate(shp) if i not in axes)
    return _reshape(x, newshape=new)


def ravel(x, order="C"):
    """numpy.ravel (a reshape)."""
    return _reshape(x, newshape=(-1,), order=order)


def stack(arrays, axis=0):
    """numpy.stack: expand each array at ``axis`` and concatenate."""
    arrays = list(arrays)
    if not arrays:
        raise ValueError("stack: need at least one array to stack")
    shp = shape(arrays[0])
    axis = normalize_axis("stack", axis, len(shp) + 1, shp)
    return _concatenate(*[expand_dims(a, axis) for a in arrays], axis=axis)


def swapaxes(x, axis1, axis2):
    """numpy.swapaxes (a transpose)."""
    shp = shape(x)
    a1, a2 = (normalize_axis("swapaxes", a, len(shp), shp) for a in (axis1, axis2))
    perm = list(range(len(shp)))
    perm[a1], perm[a2] = perm[a2], perm[a1]
    return _transpose(x, axes=tuple(perm))


def moveaxis(x, source, destination):
    """numpy.moveaxis (a transpose)."""
    shp = shape(x)
    nd = len(shp)
    src = normalize_axis("moveaxis", _seq(source), nd, shp)
    dst = normalize_axis("moveaxis", _seq(destination), nd, shp)
    if len(src) != len(dst):
        raise ValueError(f"moveaxis: source {source} and destination {destination} name "
                         f"different numbers of axes")
    order = [i for i in range(nd) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return _transpose(x, axes=tuple(order))


def reshape(a, newshape=None, order="C", *, shape=None):
    """numpy.reshape."""
    new = shape if shape is not None else newshape
    if new is None:
        raise TypeError("reshape: missing the new shape")
    if isinstance(new, int):
        new = (new,)
    return _reshape(a, newshape=tuple(int(n) for n in new), order=order)


def transpose(a, axes=None):
    """numpy.transpose."""
    if axes is None:
        return _transpose(a, axes=None)
    shp = shape(a)
    perm = normalize_axis("transpose", tuple(axes), len(shp), shp)
    if len(perm) != len(shp):
        raise ValueError(f"transpose: axes {tuple(axes)} do not match an array of shape "
                         f"{shp}: give one axis per dimension")
    return _transpose(a, axes=perm)


def broadcast_to(array, shape):
    """numpy.broadcast_to."""
    return _broadcast_to(array, shape=(shape,) if isinstance(shape, int) else tuple(shape))


# ------------------------------------------------------------------ composites
#
# numpy's stacking, splitting, tiling, rolling and flipping, written with the
# primitives above and getitem (a gather from an index map where the rearrangement
# is not a slice): exact, and differentiable again. With nothing traced each calls
# numpy's own function, so plain values, dtypes and views are numpy's.

def _traced(*objs):
    """Whether a traced value is among ``objs`` (lists and tuples searched too)."""
    for o in objs:
        if isinstance(o, Box):
            return True
        if isinstance(o, (list, tuple)) and _traced(*o):
            return True
    return False


def _arrays(seq):
    """The pieces of a sequence argument: traced values as they are, anything else
    as a numpy array."""
    return [a if isinstance(a, Box) else np.asarray(a) for a in seq]


def _cast(x, dtype):
    from .complex import astype
    if dtype is None or np.dtype(dtype) == backend.dtype_of(unbox_all(x)):
        return x
    return astype(x, dtype)


def _along(ax, index):
    return (slice(None),) * ax + (index,)


def _atleast(x, nd):
    shp = shape(x)
    if len(shp) >= nd:
        return x
    if nd == 1:
        new = (1,)
    elif nd == 2:
        new = (1,) + shp if shp else (1, 1)
    else:
        new = {0: (1, 1, 1), 1: (1,) + shp + (1,), 2: shp + (1,)}[len(shp)]
    return _reshape(x, newshape=new)


def _atleast_nd(fn, nd, arys):
    if not _traced(*arys):
        return fn(*arys)
    res = tuple(_atleast(a if isinstance(a, Box) else np.asarray(a), nd) for a in arys)
    return res[0] if len(res) == 1 else res


def atleast_1d(*arys):
    """numpy.atleast_1d (a reshape)."""
    return _atleast_nd(np.atleast_1d, 1, arys)


def atleast_2d(*arys):
    """numpy.atleast_2d (a reshape)."""
    return _atleast_nd(np.atleast_2d, 2, arys)


def atleast_3d(*arys):
    """numpy.atleast_3d: a 1-d array (n,) becomes (1, n, 1), a 2-d one (m, n, 1)."""
    return _atleast_nd(np.atleast_3d, 3, arys)


def _stacked(who, tup, nd, axis_of, dtype, casting, np_fn):
    tup = list(tup)
    if not _traced(*tup):
        return np_fn(tup, dtype=dtype, casting=casting)
    if not tup:
        raise ValueError(f"{who}: need at least one array to concatenate")
    arrs = [_atleast(a, nd) for a in _arrays(tup)]
    return _cast(concatenate(arrs, axis=axis_of(arrs)), dtype)


def hstack(tup, *, dtype=None, casting="same_kind"):
    """numpy.hstack: concatenate along the second axis (the first for 1-d arrays).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda x: wnp.sum(wnp.hstack([x, 2.0 * x])))(wnp.ones(2))
    array([3., 3.])
    """
    return _stacked("hstack", tup, 1, lambda arrs: 0 if len(shape(arrs[0])) == 1 else 1,
                    dtype, casting, np.hstack)


def vstack(tup, *, dtype=None, casting="same_kind"):
    """numpy.vstack: concatenate along the first axis of at-least-2-d arrays."""
    return _stacked("vstack", tup, 2, lambda arrs: 0, dtype, casting, np.vstack)


def dstack(tup):
    """numpy.dstack: concatenate along the third axis of at-least-3-d arrays."""
    tup = list(tup)
    if not _traced(*tup):
        return np.dstack(tup)
    return concatenate([_atleast(a, 3) for a in _arrays(tup)], axis=2)


def row_stack(tup, *, dtype=None, casting="same_kind"):
    """numpy.row_stack, the deprecated alias of vstack."""
    warnings.warn("`row_stack` alias is deprecated. Use `np.vstack` directly.",
                  DeprecationWarning, stacklevel=2)
    return vstack(tup, dtype=dtype, casting=casting)


def column_stack(tup):
    """numpy.column_stack: 1-d arrays become columns, then concatenate along axis 1."""
    tup = list(tup)
    if not _traced(*tup):
        return np.column_stack(tup)
    cols = []
    for a in _arrays(tup):
        shp = shape(a)
        if len(shp) < 2:
            a = _reshape(a, newshape=(shp[0] if shp else 1, 1))
        cols.append(a)
    return concatenate(cols, axis=1)


def append(arr, values, axis=None):
    """numpy.append: ``arr`` and ``values`` concatenated (both flattened when
    ``axis`` is None)."""
    if not _traced(arr, values):
        return np.append(arr, values, axis=axis)
    arr, values = _arrays([arr, values])
    if axis is None:
        if len(shape(arr)) != 1:
            arr = ravel(arr)
        values = ravel(values)
        axis = len(shape(arr)) - 1
    return concatenate([arr, values], axis=axis)


def concat(arrays, /, axis=0, out=None, *, dtype=None, casting="same_kind"):
    """numpy.concat, the array-API name of concatenate."""
    if not _traced(*arrays):
        return np.concatenate(arrays, axis=axis, out=out, dtype=dtype, casting=casting)
    from ._base import no_out
    no_out("concat", out)
    return _cast(concatenate(_arrays(arrays), axis=axis), dtype)


def array_split(ary, indices_or_sections, axis=0):
    """numpy.array_split: a list of pieces along ``axis`` (sections may differ in
    size by one)."""
    if not _traced(ary):
        return np.array_split(ary, indices_or_sections, axis=axis)
    shp = shape(ary)
    ax = normalize_axis("array_split", axis, len(shp), shp)
    total = shp[ax]
    try:
        n_sections = len(indices_or_sections) + 1
        points = [0] + [int(i) for i in indices_or_sections] + [total]
    except TypeError:
        n_sections = int(indices_or_sections)
        if n_sections <= 0:
            raise ValueError("number sections must be larger than 0.") from None
        each, extras = divmod(total, n_sections)
        sizes = [0] + extras * [each + 1] + (n_sections - extras) * [each]
        points = np.cumsum(sizes).tolist()
    from .indexing import _getitem
    return [_getitem(ary, idx=_along(ax, slice(points[i], points[i + 1])))
            for i in range(n_sections)]


def split(ary, indices_or_sections, axis=0):
    """numpy.split: as array_split, but sections must divide the axis evenly."""
    if not _traced(ary):
        return np.split(ary, indices_or_sections, axis=axis)
    try:
        len(indices_or_sections)
    except TypeError:
        shp = shape(ary)
        n = shp[normalize_axis("split", axis, len(shp), shp)]
        if n % int(indices_or_sections):
            raise ValueError("array split does not result in an equal division") from None
    return array_split(ary, indices_or_sections, axis)


def hsplit(ary, indices_or_sections):
    """numpy.hsplit: split along the second axis (the first for 1-d arrays)."""
    if not _traced(ary):
        return np.hsplit(ary, indices_or_sections)
    nd = len(shape(ary))
    if nd == 0:
        raise ValueError("hsplit only works on arrays of 1 or more dimensions")
    return split(ary, indices_or_sections, 1 if nd > 1 else 0)


def vsplit(ary, indices_or_sections):
    """numpy.vsplit: split along the first axis of an at-least-2-d array."""
    if not _traced(ary):
        return np.vsplit(ary, indices_or_sections)
    if len(shape(ary)) < 2:
        raise ValueError("vsplit only works on arrays of 2 or more dimensions")
    return split(ary, indices_or_sections, 0)


def dsplit(ary, indices_or_sections):
    """numpy.dsplit: split along the third axis of an at-least-3-d array."""
    if not _traced(ary):
        return np.dsplit(ary, indices_or_sections)
    if len(shape(ary)) < 3:
        raise ValueError("dsplit only works on arrays of 3 or more dimensions")
    return split(ary, indices_or_sections, 2)


def unstack(x, /, *, axis=0):
    """numpy.unstack: the slices of ``x`` along ``axis``, as a tuple."""
    if not _traced(x):
        return np.unstack(x, axis=axis)
    from .indexing import _getitem
    shp = shape(x)
    ax = normalize_axis("unstack", axis, len(shp), shp)
    return tuple(_getitem(x, idx=_along(ax, i)) for i in range(shp[ax]))


def tile(A, reps):
    """numpy.tile: each axis of ``A`` interleaved with a new axis of length rep,
    broadcast and merged (a reshape, broadcast_to and reshape).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda x: wnp.sum(wnp.tile(x, (2, 3))))(wnp.ones(2))
    array([6., 6.])
    """
    if not _traced(A):
        return np.tile(A, reps)
    try:
        tup = tuple(operator.index(r) for r in reps)
    except TypeError:
        tup = (operator.index(reps),)
    shp = shape(A)
    c_shape = (1,) * (len(tup) - len(shp)) + shp
    tup = (1,) * (len(c_shape) - len(tup)) + tup
    split_shape = tuple(v for s in c_shape for v in (1, s))
    wide = tuple(v for s, t in zip(c_shape, tup) for v in (t, s))
    out = _broadcast_to(_reshape(A, newshape=split_shape), shape=wide)
    return _reshape(out, newshape=tuple(s * t for s, t in zip(c_shape, tup)))


def repeat(a, repeats, axis=None):
    """numpy.repeat (a gather: numpy repeats the index of each element)."""
    if not _traced(a):
        return np.repeat(a, unbox_all(repeats), axis=axis)
    from .indexing import getitem_
    if axis is None:
        a = ravel(a)
        axis = 0
    shp = shape(a)
    ax = normalize_axis("repeat", axis, len(shp), shp)
    idx = per_example(lambda r: np.repeat(np.arange(shp[ax]), np.asarray(r)), repeats)
    return getitem_(a, _along(ax, idx))


def _gather(x, index_map):
    """The elements of ``x`` at the flat positions ``index_map`` (an integer array,
    its shape the result's; one per example under vmap)."""
    from .indexing import getitem_
    return getitem_(_reshape(x, newshape=(-1,)), index_map)


def _index_map(x):
    shp = shape(x)
    return np.arange(int(np.prod(shp)), dtype=np.intp).reshape(shp)


def roll(a, shift, axis=None):
    """numpy.roll: numpy rolls the map of element positions, and the result gathers
    from it, so every combination of shifts and axes is numpy's.

    >>> import wengert.numpy as wnp
    >>> wnp.roll(wnp.arange(4.0), 1)
    array([3., 0., 1., 2.])
    """
    if not _traced(a):
        return np.roll(a, unbox_all(shift), axis=axis)
    positions = _index_map(a)
    return _gather(a, per_example(lambda s: np.roll(positions, s, axis=axis), shift))


def rollaxis(a, axis, start=0):
    """numpy.rollaxis (a transpose)."""
    if not _traced(a):
        return np.rollaxis(a, axis, start)
    shp = shape(a)
    n = len(shp)
    axis = normalize_axis("rollaxis", axis, n, shp)
    if start < 0:
        start += n
    if not 0 <= start < n + 1:
        raise AxisError(f"'start' arg requires {-n} <= start < {n + 1}, but {start} was "
                        f"passed in")
    if axis < start:
        start -= 1
    axes = list(range(n))
    axes.remove(axis)
    axes.insert(start, axis)
    return _transpose(a, axes=tuple(axes))


def flip(m, axis=None):
    """numpy.flip (a reversing slice)."""
    if not _traced(m):
        return np.flip(m, axis)
    from .indexing import _getitem
    shp = shape(m)
    rev = slice(None, None, -1)
    if axis is None:
        idx = (rev,) * len(shp)
    else:
        axes = normalize_axis("flip", _seq(axis), len(shp), shp)
        idx = tuple(rev if i in axes else slice(None) for i in range(len(shp)))
    return _getitem(m, idx=idx)


def fliplr(m):
    """numpy.fliplr: reverse the second axis."""
    if not _traced(m):
        return np.fliplr(m)
    if len(shape(m)) < 2:
        raise ValueError("Input must be >= 2-d.")
    return flip(m, 1)


def flipud(m):
    """numpy.flipud: reverse the first axis."""
    if not _traced(m):
        return np.flipud(m)
    if len(shape(m)) < 1:
        raise ValueError("Input must be >= 1-d.")
    return flip(m, 0)


def rot90(m, k=1, axes=(0, 1)):
    """numpy.rot90: flips and a transpose, as numpy composes them."""
    if not _traced(m):
        return np.rot90(m, k, axes)
    axes = tuple(axes)
    if len(axes) != 2:
        raise ValueError("len(axes) must be 2.")
    nd = len(shape(m))
    if axes[0] == axes[1] or builtins.abs(axes[0] - axes[1]) == nd:
        raise ValueError("Axes must be different.")
    if axes[0] >= nd or axes[0] < -nd or axes[1] >= nd or axes[1] < -nd:
        raise ValueError(f"Axes={axes} out of range for array of ndim={nd}.")
    k %= 4
    if k == 0:
        return flip(m, ()) if nd else m
    if k == 2:
        return flip(flip(m, axes[0]), axes[1])
    perm = list(range(nd))
    perm[axes[0]], perm[axes[1]] = perm[axes[1]], perm[axes[0]]
    if k == 1:
        return _transpose(flip(m, axes[1]), axes=tuple(perm))
    return flip(_transpose(m, axes=tuple(perm)), axes[1])


def permute_dims(a, /, axes=None):
    """numpy.permute_dims, the array-API name of transpose."""
    if not _traced(a):
        return np.permute_dims(a, axes)
    return transpose(a, axes)


def matrix_transpose(x, /):
    """numpy.matrix_transpose: swap the last two axes."""
    if not _traced(x):
        return np.matrix_transpose(x)
    if len(shape(x)) < 2:
        raise ValueError(f"Input array must be at least 2-dimensional, but it is "
                         f"{len(shape(x))}")
    return swapaxes(x, -1, -2)


def broadcast_arrays(*args, subok=False):
    """numpy.broadcast_arrays: every argument broadcast to the common shape."""
    if not _traced(*args):
        return np.broadcast_arrays(*args, subok=subok)
    args = _arrays(args)
    common = np.broadcast_shapes(*(shape(a) for a in args))
    return tuple(a if shape(a) == common else broadcast_to(a, common) for a in args)


def block(arrays):
    """numpy.block: nested lists concatenated along the last axes, innermost lists
    along the last one, after every piece is raised to the result's ndim."""
    if not _traced(arrays):
        return np.block(arrays)
    np.block(_plain_lists(arrays))  # numpy's own checks of the nesting
    depth, ndim = _block_depth(arrays)
    ndim = builtins.max(depth, ndim)

    def build(obj, level):
        if level < depth:
            return concatenate([build(o, level + 1) for o in obj], axis=-(depth - level))
        a = obj if isinstance(obj, Box) else np.asarray(obj)
        extra = ndim - len(shape(a))
        return _reshape(a, newshape=(1,) * extra + shape(a)) if extra > 0 else a

    return build(arrays, 0)


def _plain_lists(x):
    if isinstance(x, list):
        return [_plain_lists(i) for i in x]
    return example(x)  # one example's value under vmap


def _block_depth(x):
    """(list depth, largest ndim of a piece) of a block argument."""
    if isinstance(x, list):
        parts = [_block_depth(i) for i in x]
        return 1 + parts[0][0], builtins.max(p[1] for p in parts)
    return 0, len(shape(x)) if isinstance(x, Box) else np.ndim(x)


def _positions(who, arr, axis):
    """(arr, axis) with ``axis`` None meaning the flattened array, as numpy's delete,
    insert and compress read it."""
    if axis is None:
        return ravel(arr), 0
    shp = shape(arr)
    return arr, normalize_axis(who, axis, len(shp), shp)


def delete(arr, obj, axis=None):
    """numpy.delete: the kept positions (numpy deletes from a range) gathered."""
    if not _traced(arr):
        return np.delete(arr, unbox_all(obj), axis=axis)
    from .indexing import getitem_
    arr, ax = _positions("delete", arr, axis)
    n = shape(arr)[ax]
    keep = _per_example_obj(lambda o: np.delete(np.arange(n), o), obj)
    return getitem_(arr, _along(ax, keep))


def _plain_index_obj(obj):
    obj = unbox_all(obj)
    return np.asarray([unbox_all(o) for o in obj]) if isinstance(obj, (list, tuple)) else obj


def _per_example_obj(fn, obj):
    """``fn`` of an index argument (an int, slice, array or list of traced ints): per
    example when vmap batches it."""
    if isinstance(obj, (list, tuple)) and _traced(*obj):
        return per_example_call(lambda *o: fn(np.asarray(o[0])), (obj,), {})
    if isinstance(obj, Box):
        return per_example(fn, obj)
    return fn(obj)


def insert(arr, obj, values, axis=None):
    """numpy.insert: numpy inserts into the map of ``arr``'s positions and into a map
    of ``values``' positions, and the result gathers from both (a where)."""
    if not _traced(arr, values):
        return np.insert(arr, unbox_all(obj), values, axis=axis)
    from .indexing import _where
    arr = arr if isinstance(arr, Box) else np.asarray(arr)
    values = values if isinstance(values, Box) else np.asarray(values)
    dt = backend.dtype_of(unbox_all(arr))
    vals = _cast(values, dt)
    arr_map, vals_map = _index_map(arr), _index_map(vals)
    from_arr = _per_example_obj(lambda o: np.insert(arr_map, o, -1, axis=axis), obj)
    from_vals = _per_example_obj(lambda o: np.insert(np.full(arr_map.shape, -1, np.intp), o,
                                                     vals_map, axis=axis), obj)
    taken = per_example(lambda f: f >= 0, from_arr, aligned=True)
    if np.all(unbox_all(taken)):
        return _gather(arr, from_arr)
    if not np.any(unbox_all(taken)):
        return _gather(vals, from_vals)
    return _where(taken, _gather(arr, per_example(lambda f: np.maximum(f, 0), from_arr,
                                                  aligned=True)),
                  _gather(vals, per_example(lambda f: np.maximum(f, 0), from_vals,
                                            aligned=True)))


def resize(a, new_shape):
    """numpy.resize: the flattened ``a`` repeated cyclically into ``new_shape``."""
    if not _traced(a):
        return np.resize(a, new_shape)
    if not builtins.all(shape(a)) and shape(a) != ():
        return np.resize(unbox_all(a), new_shape)  # numpy's zeros
    return _gather(a, np.resize(_index_map(a), new_shape))


def compress(condition, a, axis=None, out=None):
    """numpy.compress: the slices where ``condition`` is true, gathered."""
    if not _traced(a):
        return np.compress(unbox_all(condition), a, axis=axis, out=out)
    from ._base import no_out
    from .indexing import getitem_
    no_out("compress", out)
    a, ax = _positions("compress", a, axis)
    c_shape = shape(condition) if isinstance(condition, Box) else \
        np.shape(_plain_index_obj(condition))
    if len(c_shape) != 1:
        raise ValueError("condition must be a 1-d array")
    n = shape(a)[ax]
    if c_shape[0] > n:
        raise IndexError(f"index {c_shape[0] - 1} is out of bounds for axis {ax} with "
                         f"size {n}")
    return getitem_(a, _along(ax, _per_example_obj(np.flatnonzero, condition)))


def extract(condition, arr):
    """numpy.extract: the elements of the flattened ``arr`` where the flattened
    ``condition`` is nonzero."""
    if not _traced(arr):
        return np.extract(unbox_all(condition), arr)
    from .indexing import getitem_
    return getitem_(ravel(arr), _per_example_obj(lambda c: np.flatnonzero(np.ravel(c)),
                                                 condition))


def choose(a, choices, out=None, mode="raise"):
    """numpy.choose: each element from the choice its index names (a gather from the
    stacked, broadcast choices)."""
    if not _traced(*choices):
        return np.choose(unbox_all(a), choices, out=out, mode=mode)
    from ._base import no_out
    from .indexing import _getitem
    no_out("choose", out)
    from .indexing import getitem_
    values = np.asarray(unbox_all(a))  # every example's
    if values.dtype.kind not in "iub":
        raise TypeError("choose: the index array must hold integers")
    n = len(choices)
    if mode == "raise":
        if values.size and (values.min() < 0 or values.max() >= n):
            raise ValueError("invalid entry in choice array")
    elif mode not in ("wrap", "clip"):
        raise ValueError(f"clipmode must be one of 'clip', 'raise', or 'wrap' (got {mode!r})")
    choices = _arrays(choices)
    common = np.broadcast_shapes(shape(a), *(shape(c) for c in choices))
    stacked = stack([broadcast_to(c, common) for c in choices])

    def index(i):  # numpy's mode, and the index broadcast to the common shape
        i = np.asarray(i)
        i = i % n if mode == "wrap" else np.clip(i, 0, n - 1) if mode == "clip" else i
        return np.broadcast_to(i, common)
    return getitem_(stacked, (_per_example_obj(index, a),) + tuple(np.indices(common)))


def trim_zeros(filt, trim="fb", axis=None):
    """numpy.trim_zeros: a slice, found from the values."""
    if not _traced(filt):
        return np.trim_zeros(filt, trim, **({} if axis is None else {"axis": axis}))
    from .indexing import getitem_
    trim = trim.lower()
    if trim not in {"fb", "bf", "f", "b"}:
        raise ValueError(f"unexpected character(s) in `trim`: {trim!r}")
    shp = shape(filt)
    nd = len(shp)
    axes = tuple(range(nd)) if axis is None else normalize_axis(
        "trim_zeros", _seq(axis), nd, shp)
    if not axes:
        return filt

    def bounds(plain):  # (start, stop) of the kept block along each axis
        nz = np.argwhere(plain)
        if nz.size == 0:
            return np.zeros((2, nd), dtype=np.intp)
        return np.stack([nz.min(axis=0) if "f" in trim else np.zeros(nd, np.intp),
                         nz.max(axis=0) + 1 if "b" in trim else np.asarray(shp)])

    from ._base import batch_traces, per_example
    if not batch_traces((filt,)):
        start, stop = bounds(np.asarray(unbox_all(filt)))
        sl = tuple(slice(start[i], stop[i]) if i in axes else slice(None)
                   for i in range(nd))
        from .indexing import _getitem
        return _getitem(filt, idx=sl)
    # under vmap each example keeps its own block; they must be as long
    se = per_example(bounds, filt)
    raw = np.asarray(unbox_all(se))
    lengths = raw[..., 1, :] - raw[..., 0, :]
    out = filt
    for i in axes:
        n = np.unique(lengths[..., i])
        if n.size > 1:
            raise ValueError(f"trim_zeros under vmap: the examples keep blocks of "
                             f"different lengths {sorted(n.tolist())} along axis {i}, and a "
                             f"batch needs one shape")
        idx = per_example(lambda b, i=i, n=int(n[0]): b[0, i] + np.arange(n), se)
        out = getitem_(out, _along(i, idx))
    return out


__all__ = ["reshape", "transpose", "broadcast_to", "concatenate", "stack", "expand_dims",
           "squeeze", "ravel", "swapaxes", "moveaxis", "atleast_1d", "atleast_2d",
           "atleast_3d", "hstack", "vstack", "dstack", "row_stack", "column_stack",
           "append", "concat", "array_split", "split", "hsplit", "vsplit", "dsplit",
           "unstack", "tile", "repeat", "roll", "rollaxis", "flip", "fliplr", "flipud",
           "rot90", "permute_dims", "matrix_transpose", "broadcast_arrays", "block", "delete",
           "insert", "resize", "compress", "extract", "choose", "trim_zeros"]
