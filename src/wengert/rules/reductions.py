"""Reductions: sum (a primitive) and what is built on it."""

import numpy as np

from ..core.primitive import Primitive
from ._base import shape


def _normalize_axis(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int):
        axis = (axis,)
    return tuple(a % ndim if ndim else a for a in axis)


def _restore(g, x, axis, keepdims):
    """Broadcast a reduced cotangent ``g`` back to the shape of ``x``."""
    from .shape import _broadcast_to, _reshape
    x_shape = shape(x)
    if not keepdims:
        axes = _normalize_axis(axis, len(x_shape))
        kept = tuple(1 if i in axes else n for i, n in enumerate(x_shape))
        g = _reshape(g, newshape=kept)
    return _broadcast_to(g, shape=x_shape)


def _sum_impl(x, axis=None, keepdims=False, dtype=None):
    return np.sum(x, axis=axis, keepdims=keepdims, dtype=dtype)


_sum = Primitive(
    "sum", _sum_impl,
    jvps=(lambda t, ans, x, **p: _sum(t, **p),),
    vjps=(lambda g, ans, x, axis=None, keepdims=False, dtype=None:
          _restore(g, x, axis, keepdims),))


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def sum(a, axis=None, dtype=None, out=None, keepdims=False):
    """numpy.sum."""
    _no_out("sum", out)
    return _sum(a, axis=_axis(axis), keepdims=keepdims, dtype=dtype)


def _count(a, axis):
    shp = shape(a)
    if axis is None:
        return int(np.prod(shp)) if shp else 1
    return int(np.prod([shp[i] for i in _normalize_axis(_axis(axis), len(shp))]))


def mean(a, axis=None, dtype=None, out=None, keepdims=False):
    """numpy.mean (sum divided by the count)."""
    _no_out("mean", out)
    return sum(a, axis=axis, keepdims=keepdims) / float(_count(a, axis))


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    """numpy.var: mean squared deviation (divided by N - ddof)."""
    _no_out("var", out)
    d = a - mean(a, axis=axis, keepdims=True)
    return sum(d * d, axis=axis, keepdims=keepdims) / float(_count(a, axis) - ddof)


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    """numpy.std: the square root of var."""
    from .elementwise import sqrt
    return sqrt(var(a, axis=axis, out=out, ddof=ddof, keepdims=keepdims))


def _no_out(who, out):
    if out is not None:
        raise TypeError(f"{who}: out= is not supported by wengert.numpy (results are new "
                        f"arrays, so they can be differentiated)")


__all__ = ["sum", "mean", "var", "std"]
