"""Shape manipulation: linear primitives (the JVP applies the primitive to the
tangent) whose VJP undoes the rearrangement. Options are keywords."""

import builtins

import numpy as np

from ..core.primitive import Primitive
from ._base import linear, normalize_axis, per_operand, shape, unbroadcast

_reshape = linear(
    "reshape", lambda x, *, newshape, order="C": np.reshape(x, newshape, order=order),
    lambda g, ans, x, *, newshape, order="C": _reshape(g, newshape=shape(x), order=order))

_broadcast_to = linear(
    "broadcast_to", lambda x, *, shape: np.broadcast_to(x, shape),
    lambda g, ans, x, *, shape: unbroadcast(g, x))


def _inverse_perm(axes):
    return tuple(int(i) for i in np.argsort(axes))


_transpose = linear(
    "transpose", lambda x, *, axes=None: np.transpose(x, axes),
    lambda g, ans, x, *, axes=None: _transpose(g, axes=None if axes is None else _inverse_perm(axes)))


def _concat_impl(*xs, axis=0):
    return np.concatenate(xs, axis=axis)


def _concat_vjp(k, g, ans, *xs, axis=0):
    """Input k's piece of ``g`` along ``axis`` (the VJP of concatenate)."""
    from .indexing import _getitem
    ax = normalize_axis("concatenate", axis, len(shape(g)))
    start = builtins.sum(shape(x)[ax] for x in xs[:k])
    idx = (slice(None),) * ax + (slice(start, start + shape(xs[k])[ax]),)
    return _getitem(g, idx=idx)


def _concat_jvp(tangents, ans, *xs, axis=0):
    from ..backend import zeros_like
    from ..core.trace import unbox_all
    ts = [zeros_like(np.asarray(unbox_all(x), dtype=np.result_type(unbox_all(ans))))
          if t is None else t for t, x in zip(tangents, xs)]
    return _concatenate(*ts, axis=axis)


_concatenate = Primitive(
    "concatenate", _concat_impl,
    jvp=_concat_jvp,
    vjps=per_operand(_concat_vjp))


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


__all__ = ["reshape", "transpose", "broadcast_to", "concatenate", "stack", "expand_dims",
           "squeeze", "ravel", "swapaxes", "moveaxis"]
