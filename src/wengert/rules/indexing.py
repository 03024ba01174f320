"""Indexing and selection: getitem (basic and advanced), its adjoint untake, where,
and the composites clip and take."""

import numpy as np

from ..core.primitive import Primitive
from ..core.trace import is_boxed, unbox_all
from ._base import match, no_out, normalize_axis, shape, unbroadcast


def _untake_impl(g, *, idx, shape):
    dtype = np.result_type(g)
    if dtype.kind not in "fc":  # keep float32 float32; integers scatter into floats
        dtype = np.dtype(np.float64)
    out = np.zeros(shape, dtype=dtype)
    np.add.at(out, idx, g)  # unbuffered: repeated indices accumulate
    return out


# untake scatters g into zeros of ``shape`` at ``idx``; it is linear in g, the VJP
# of getitem, and getitem is its VJP
untake = Primitive(
    "untake", _untake_impl,
    jvps=(lambda t, ans, g, *, idx, shape: untake(t, idx=idx, shape=shape),),
    vjps=(lambda ct, ans, g, *, idx, shape: _getitem(ct, idx=idx),))

# np.asarray: a Python float indexes like a 0-d array (x[()], x[None], x[...])
_getitem = Primitive(
    "getitem", lambda x, *, idx: np.asarray(x)[idx],
    jvps=(lambda t, ans, x, *, idx: _getitem(t, idx=idx),),
    vjps=(lambda g, ans, x, *, idx: untake(g, idx=idx, shape=shape(x)),))


def _where_impl(cond, x, y):
    out = np.where(cond, x, y)
    return out[()] if out.ndim == 0 else out  # scalars in, a scalar out


_where = Primitive(
    "where", _where_impl,
    jvps=(None,
          lambda t, ans, c, x, y: match(_where(c, t, 0.0), ans),
          lambda t, ans, c, x, y: match(_where(c, 0.0, t), ans)),
    vjps=(None,
          lambda g, ans, c, x, y: unbroadcast(_where(c, g, 0.0), x),
          lambda g, ans, c, x, y: unbroadcast(_where(c, 0.0, g), y)))


def where(condition, x=None, y=None):
    """numpy.where; differentiable in ``x`` and ``y`` (the condition is a constant).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda x: wnp.sum(wnp.where(x > 0, x, 0.0)))(wnp.array([-1.0, 2.0]))
    array([0., 1.])
    """
    if x is None and y is None:
        return np.where(unbox_all(condition))
    return _where(np.asarray(unbox_all(condition)), x, y)


def _plain_index(idx):
    """An index with every traced part replaced by its value (indices are constants).
    Lists become arrays (advanced indexing, as numpy reads a list index)."""
    if isinstance(idx, tuple):
        return tuple(_plain_index(i) for i in idx)
    if isinstance(idx, list):
        return np.asarray(_plain_nested(idx))
    return unbox_all(idx)


def _plain_nested(seq):
    if isinstance(seq, (list, tuple)):
        return [_plain_nested(i) for i in seq]
    return unbox_all(seq)


def getitem_(x, idx):
    """``x[idx]`` for basic indices (integers, slices, None, Ellipsis) and advanced
    ones (integer arrays or lists, boolean masks); the operator form. Repeated
    indices add up in the derivative.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda x: wnp.sum(x[[0, 0, 2]]))(wnp.zeros(3))
    array([2., 0., 1.])
    """
    return _getitem(x, idx=_plain_index(idx))


def take(a, indices, axis=None, out=None, mode="raise"):
    """numpy.take (a getitem along one axis).

    >>> import wengert.numpy as wnp
    >>> wnp.take(wnp.array([[1.0, 2.0], [3.0, 4.0]]), [1, 1], axis=1)
    array([[2., 2.],
           [4., 4.]])
    """
    no_out("take", out)
    if mode != "raise":
        raise TypeError(f"take: mode={mode!r} is not supported by wengert.numpy (only "
                        f"'raise')")
    indices = _plain_index(indices)
    if isinstance(indices, (list, tuple)):
        indices = np.asarray(indices)
    if axis is None:
        from .shape import _reshape
        return _getitem(_reshape(a, newshape=(-1,)), idx=indices)
    axis = normalize_axis("take", axis, len(shape(a)), shape(a))
    return _getitem(a, idx=(slice(None),) * axis + (indices,))


def clip(a, a_min=None, a_max=None, out=None, *, min=None, max=None):
    """numpy.clip, differentiable in ``a`` and in array or traced bounds. Each output
    element takes its derivative from the value it copies: ``a`` inside the
    interval (bounds included), the bound it was clipped to outside.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda x: wnp.sum(wnp.clip(x, -1.0, 1.0)))(wnp.array([-2.0, 0.5, 3.0]))
    array([0., 1., 0.])
    """
    no_out("clip", out)
    lo = a_min if min is None else min
    hi = a_max if max is None else max
    if lo is None and hi is None:
        raise ValueError("clip: at least one of a_min and a_max must be given")
    if not any(is_boxed(v) for v in (a, lo, hi)):
        return np.clip(a, lo, hi)
    # clip = minimum(maximum(a, lo), hi), written with where so that the derivative
    # at a tie goes whole to a (maximum would split it)
    x = a
    if lo is not None:
        x = _where(np.less(unbox_all(x), unbox_all(lo)), lo, x)
    if hi is not None:
        x = _where(np.greater(unbox_all(x), unbox_all(hi)), hi, x)
    return x


__all__ = ["where", "getitem_", "take", "clip"]


# ------------------------------------------------------------ assignment: index_update

def _index_update_impl(x, y, *, idx):
    # a copy: the array a caller passed in is never written to
    out = np.array(x)
    out[idx] = y
    return out


def _last_writes(x_shape, idx):
    """A mask over ``x[idx]``: True where that element's write is the one numpy keeps
    when an advanced index names a position more than once; ``None`` when no position
    is written twice. numpy itself decides (the same assignment of element numbers),
    so the derivative follows whatever value the forward pass kept."""
    parts = idx if isinstance(idx, tuple) else (idx,)
    if not any(isinstance(p, (list, np.ndarray)) and np.asarray(p).dtype.kind in "iu"
               for p in parts):
        return None  # slices, integers and masks never name a position twice
    ids = np.full(x_shape, -1, dtype=np.intp)
    sub_shape = ids[idx].shape
    order = np.arange(int(np.prod(sub_shape)), dtype=np.intp).reshape(sub_shape)
    ids[idx] = order
    won = ids[idx] == order
    return None if won.all() else won


def _index_update_vjp_y(g, ans, x, y, *, idx):
    # the written elements' cotangents, only for the writes that were kept, summed
    # back over the axes that broadcasting y added
    g_y = _getitem(g, idx=idx)
    won = _last_writes(shape(x), idx)
    if won is not None:
        g_y = _where(won, g_y, 0.0)
    extra = len(shape(y)) - len(shape(g_y))
    if extra > 0:  # numpy accepts y with more leading axes of length 1
        from .shape import _reshape
        g_y = _reshape(g_y, newshape=(1,) * extra + shape(g_y))
    return unbroadcast(g_y, y)


def _index_update_jvp(tangents, ans, x, y, *, idx):
    t_x, t_y = tangents
    if t_x is None:
        t_x = np.zeros(shape(ans), dtype=np.result_type(unbox_all(ans)))
    return index_update(t_x, 0.0 if t_y is None else t_y, idx=idx)


# index_update(x, y, idx=i) is x with x[i] replaced by y (broadcast), a new array:
# the functional form of ``x[i] = y``. It is linear in (x, y) together, so its JVP
# applies it to the tangents; x's cotangent is g with the written places zeroed,
# y's is g at those places. A position written twice keeps numpy's choice (the
# last write) and only that write gets a derivative.
index_update = Primitive(
    "index_update", _index_update_impl,
    jvp=_index_update_jvp,
    vjps=(lambda g, ans, x, y, *, idx: index_update(g, 0.0, idx=idx),
          _index_update_vjp_y),
    doc="index_update(x, y, *, idx): a copy of x with x[idx] = y (y broadcast), the "
        "primitive behind assignment into a traced array.")
