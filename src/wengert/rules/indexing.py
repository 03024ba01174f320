"""Indexing and selection: getitem (basic and advanced), its adjoint untake, where."""

import numpy as np

from ..core.primitive import Primitive
from ..core.trace import unbox_all
from ._base import match, shape, unbroadcast


def _untake_impl(g, *, idx, shape):
    out = np.zeros(shape, dtype=np.result_type(g, np.float64))
    np.add.at(out, idx, g)  # repeated indices accumulate
    return out


# untake is linear in g: the VJP of getitem, and getitem is its VJP
untake = Primitive(
    "untake", _untake_impl,
    jvps=(lambda t, ans, g, *, idx, shape: untake(t, idx=idx, shape=shape),),
    vjps=(lambda ct, ans, g, *, idx, shape: _getitem(ct, idx=idx),))

_getitem = Primitive(
    "getitem", lambda x, *, idx: x[idx],
    jvps=(lambda t, ans, x, *, idx: _getitem(t, idx=idx),),
    vjps=(lambda g, ans, x, *, idx: untake(g, idx=idx, shape=shape(x)),))


def _where_impl(cond, x, y):
    return np.where(cond, x, y)


_where = Primitive(
    "where", _where_impl,
    jvps=(None,
          lambda t, ans, c, x, y: match(_where(c, t, 0.0), ans),
          lambda t, ans, c, x, y: match(_where(c, 0.0, t), ans)),
    vjps=(None,
          lambda g, ans, c, x, y: unbroadcast(_where(c, g, 0.0), x),
          lambda g, ans, c, x, y: unbroadcast(_where(c, 0.0, g), y)))


def where(condition, x=None, y=None):
    """numpy.where; differentiable in ``x`` and ``y`` (the condition is a constant)."""
    if x is None and y is None:
        return np.where(unbox_all(condition))
    return _where(np.asarray(unbox_all(condition)), x, y)


def _plain_index(idx):
    """An index with every traced part replaced by its value (indices are constants)."""
    if isinstance(idx, tuple):
        return tuple(_plain_index(i) for i in idx)
    if isinstance(idx, list):
        return np.asarray([unbox_all(i) for i in idx])
    return unbox_all(idx)


def getitem_(x, idx):
    """``x[idx]`` for basic and advanced indices (the operator form)."""
    return _getitem(x, idx=_plain_index(idx))


__all__ = ["where", "getitem_"]
