"""Indexing and selection: getitem (basic and advanced), its adjoint untake, where,
and the composites clip and take."""

import numpy as np

from .. import backend
from ..core.primitive import Primitive
from ..core.trace import Box, is_boxed, unbox_all
from ._base import (_has_batch, batch_traces, batched, match, no_out, normalize_axis,
                    per_example, per_example_call, shape, to_front, unbroadcast)


class _Slot:
    """A place in the ``idx`` of getitem, untake or index_update filled by the k-th
    index-array argument after the array operands: an index that vmap batches (one
    index per example) travels as an argument, so the batching rule sees it."""

    __slots__ = ("k",)

    def __init__(self, k):
        self.k = k

    def __eq__(self, other):
        return isinstance(other, _Slot) and other.k == self.k

    def __hash__(self):
        return hash(("_Slot", self.k))

    def __repr__(self):
        return f"<index argument {self.k}>"


def _fill(idx, arrays):
    """``idx`` with its slots replaced by the index arrays."""
    if not arrays:
        return idx
    if isinstance(idx, tuple):
        return tuple(arrays[i.k] if isinstance(i, _Slot) else i for i in idx)
    return arrays[idx.k] if isinstance(idx, _Slot) else idx


def _untake_impl(g, *arrays, idx, shape):
    dtype = np.result_type(g)
    if dtype.kind not in "fc":  # keep float32 float32; integers scatter into floats
        dtype = np.dtype(np.float64)
    out = np.zeros(shape, dtype=dtype)
    np.add.at(out, _fill(idx, arrays), g)  # unbuffered: repeated indices accumulate
    return out


# untake scatters g into zeros of ``shape`` at ``idx``; it is linear in g, the VJP
# of getitem, and getitem is its VJP
untake = Primitive(
    "untake", _untake_impl,
    jvps=(lambda t, ans, g, *arrays, idx, shape: untake(t, *arrays, idx=idx, shape=shape),),
    vjps=(lambda ct, ans, g, *arrays, idx, shape: _getitem(ct, *arrays, idx=idx),))

def _getitem_impl(x, *arrays, idx):
    if type(x) not in backend.PLAIN and backend.kind(x) != "numpy" \
            or arrays and backend.foreign(arrays):
        from ._kinds import other_kind  # an array of another library: checked first
        return other_kind(_getitem, (x,) + arrays, {"idx": idx})
    # np.asarray: a Python float indexes like a 0-d array (x[()], x[None], x[...])
    return np.asarray(x)[_fill(idx, arrays)]


_getitem_impl.checks_kind = True
_getitem = Primitive(
    "getitem", _getitem_impl,
    jvps=(lambda t, ans, x, *arrays, idx: _getitem(t, *arrays, idx=idx),),
    vjps=(lambda g, ans, x, *arrays, idx: untake(g, *arrays, idx=idx, shape=shape(x)),))


# ------------------------------------------- getitem and untake on other libraries

def _getitem_foreign(x, *arrays, idx):
    """getitem for an array of another library: its own indexing (Dask: basic
    indices, and an integer array or a boolean mask on one axis)."""
    return x[_fill(idx, arrays)]


def _untake_foreign(g, *arrays, idx, shape):
    """untake for an array of another library: zeros of ``shape`` of the kind of
    ``g``, with ``g`` added in at ``idx``. CuPy scatters with repeats accumulating
    (``add.at``); Dask assigns into a lazy array of zeros, which needs the
    positions to be distinct, so repeated integer indices are summed first."""
    k = backend.kind(g)
    xp = backend.namespace(g)
    dtype = np.dtype(g.dtype)
    if dtype.kind not in "fc":
        dtype = np.dtype(np.float64)
    full = _fill(idx, arrays)
    if k != "dask":
        out = xp.zeros(shape, dtype=dtype)
        at = getattr(xp.add, "at", None)
        if at is not None:
            at(out, full, g)
        else:  # CuPy before ufunc.at: its scatter_add
            import cupyx
            cupyx.scatter_add(out, full, g)
        return out
    parts, g = _assignable(full if isinstance(full, tuple) else (full,), g, shape)
    out = xp.zeros(shape, dtype=dtype, chunks=g.chunks if tuple(g.shape) == tuple(shape)
                   else "auto")
    out[parts] = g
    return out


def _assignable(parts, g, shape):
    """An index Dask can assign through, and ``g`` to match: the Ellipsis written
    out, None's axes taken off ``g``, a boolean mask made its positions, and an
    integer array with repeats replaced by its distinct values, the rows of ``g`` of
    each repeated value summed (a product with a 0/1 matrix, built in numpy: an
    index is a constant). Anything else (an index array that is itself lazy, two
    index arrays, or one with an integer) raises NotImplementedError."""
    ndim = len(shape)
    used = sum(1 if p is not None and p is not Ellipsis else 0 for p in parts
               if not (isinstance(p, np.ndarray) and p.dtype == bool))
    used += sum(p.ndim for p in parts if isinstance(p, np.ndarray) and p.dtype == bool)
    out, g_axis, drop, arrays = [], 0, [], []
    for p in parts:
        if p is Ellipsis:
            n = ndim - used
            out.extend([slice(None)] * n)
            g_axis += n
        elif p is None:
            drop.append(g_axis)
            g_axis += 1
        elif isinstance(p, slice):
            out.append(p)
            g_axis += 1
        elif isinstance(p, (int, np.integer)):
            out.append(p)
        else:
            if backend.kind(p) != backend.NUMPY and not isinstance(p, list):
                raise backend.unsupported("untake", "dask", "an index that is itself a "
                                          "lazy array (compute it first)")
            p = np.asarray(p)
            if p.dtype == bool:
                if p.ndim != 1:
                    raise backend.unsupported("untake", "dask", "a boolean mask over "
                                              "more than one axis")
                p = np.flatnonzero(p)
            if p.ndim != 1 or arrays:
                raise backend.unsupported("untake", "dask", "more than one index array, "
                                          "or one with more than one axis")
            arrays.append(len(out))
            out.append(p)
            g_axis += 1
    if drop:
        keep = tuple(n for i, n in enumerate(g.shape) if i not in drop)
        g = g.reshape(keep)
    if arrays:
        if any(isinstance(q, (int, np.integer)) for q in out):
            raise backend.unsupported("untake", "dask", "an index array together with "
                                      "an integer index")
        pos = arrays[0]
        axis = pos  # slices before it keep their axes, in order
        p = np.where(out[pos] < 0, out[pos] + shape[pos], out[pos])
        distinct, inverse = np.unique(p, return_inverse=True)
        if len(distinct) < len(p):
            sums = (inverse[None, :] == np.arange(len(distinct))[:, None]).astype(g.dtype)
            xp = backend.namespace(g)
            g = xp.moveaxis(xp.tensordot(sums, g, axes=([1], [axis])), 0, axis)
        out[pos] = distinct
    return tuple(out), g


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

_getitem.foreign = _getitem_foreign
untake.foreign = _untake_foreign


def where(condition, x=None, y=None):
    """numpy.where; differentiable in ``x`` and ``y`` (the condition is a constant).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda x: wnp.sum(wnp.where(x > 0, x, 0.0)))(wnp.array([-1.0, 2.0]))
    array([0., 1.])
    """
    if x is None and y is None:
        return per_example(np.nonzero, condition) if batch_traces((condition,)) \
            else np.where(unbox_all(condition))
    return _where(_condition(condition), x, y)


def _condition(c):
    """A condition as a constant: per example under vmap, else a plain array (an
    array of another library as it is)."""
    c = batched(c)
    return c if isinstance(c, Box) or backend.kind(c) != backend.NUMPY else np.asarray(c)


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


def _split_index(idx):
    """``(template, arrays)``: the index as constants, with each part that vmap
    batches (an index computed per example) moved to ``arrays`` and a slot left in
    its place. A batched boolean mask becomes the integer positions of its True
    entries, which must be as many in every example."""
    if not _has_batch((idx,)):
        return _plain_index(idx), ()
    arrays = []
    parts = []
    for i in (idx if isinstance(idx, tuple) else (idx,)):
        if isinstance(i, list) and batch_traces(i):
            i = per_example_call(np.asarray, (i,), {})
        if not isinstance(i, Box):
            parts.append(_plain_index(i))
            continue
        i = batched(i)
        if not isinstance(i, Box):
            parts.append(i)
            continue
        if np.result_type(unbox_all(i)).kind == "b":
            if not shape(i):
                raise IndexError("a boolean scalar index that vmap batches is not "
                                 "supported: use wnp.where")
            i = per_example(np.nonzero, i)
        else:
            i = (i,)
        for a in i:
            arrays.append(a)
            parts.append(_Slot(len(arrays) - 1))
    template = tuple(parts) if isinstance(idx, tuple) or len(parts) > 1 else parts[0]
    return template, tuple(arrays)


def getitem_(x, idx, split=False):
    """``x[idx]`` for basic indices (integers, slices, None, Ellipsis) and advanced
    ones (integer arrays or lists, boolean masks); the operator form. Repeated
    indices add up in the derivative.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda x: wnp.sum(x[[0, 0, 2]]))(wnp.zeros(3))
    array([2., 0., 1.])
    """
    template, arrays = idx if split else _split_index(idx)
    return _getitem(x, *arrays, idx=template)


def setitem_(x, y, idx, split=False):
    """The array ``x`` with ``x[idx] = y`` (a new array): the functional form of
    assignment, with ``idx`` as an operator receives it (``split``: as _split_index
    gives it)."""
    if split:
        return index_update(x, y, *idx[1], idx=idx[0])
    if isinstance(idx, Box) and batch_traces((idx,)) and shape(idx) == shape(x) \
            and np.result_type(unbox_all(idx)).kind == "b" and not shape(y):
        return _where(batched(idx), y, x)  # a mask that differs between examples
    template, arrays = _split_index(idx)
    return index_update(x, y, *arrays, idx=template)


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
    if isinstance(indices, (list, tuple)):
        indices = list(indices)
    if axis is None:
        from .shape import _reshape
        return getitem_(_reshape(a, newshape=(-1,)), indices)
    axis = normalize_axis("take", axis, len(shape(a)), shape(a))
    return getitem_(a, (slice(None),) * axis + (indices,))


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
        x = _where(per_example(np.less, x, lo, aligned=True), lo, x)
    if hi is not None:
        x = _where(per_example(np.greater, x, hi, aligned=True), hi, x)
    return x


__all__ = ["where", "getitem_", "take", "clip"]


# ------------------------------------------------------------ assignment: index_update

def _index_update_impl(x, y, *arrays, idx):
    # a copy: the array a caller passed in is never written to
    out = np.array(x)
    out[_fill(idx, arrays)] = y
    return out


def _last_writes(x_shape, idx, arrays=()):
    """A mask over ``x[idx]``: True where that element's write is the one numpy keeps
    when an advanced index names a position more than once; ``None`` when no position
    is written twice. numpy itself decides (the same assignment of element numbers),
    so the derivative follows whatever value the forward pass kept. With index
    arrays that vmap batches, one mask per example."""
    if arrays:
        return per_example(lambda *a: _won(x_shape, _fill(idx, a), True), *arrays)
    return _won(x_shape, idx, False)


def _won(x_shape, idx, always):
    parts = idx if isinstance(idx, tuple) else (idx,)
    if not any(isinstance(p, (list, np.ndarray)) and np.asarray(p).dtype.kind in "iu"
               for p in parts) and not always:
        return None  # slices, integers and masks never name a position twice
    ids = np.full(x_shape, -1, dtype=np.intp)
    sub_shape = ids[idx].shape
    order = np.arange(int(np.prod(sub_shape)), dtype=np.intp).reshape(sub_shape)
    ids[idx] = order
    won = ids[idx] == order
    return None if won.all() and not always else won


def _index_update_vjp_y(g, ans, x, y, *arrays, idx):
    # the written elements' cotangents, only for the writes that were kept, summed
    # back over the axes that broadcasting y added
    g_y = _getitem(g, *arrays, idx=idx)
    won = _last_writes(shape(x), idx, arrays)
    if won is not None:
        g_y = _where(won, g_y, 0.0)
    extra = len(shape(y)) - len(shape(g_y))
    if extra > 0:  # numpy accepts y with more leading axes of length 1
        from .shape import _reshape
        g_y = _reshape(g_y, newshape=(1,) * extra + shape(g_y))
    return unbroadcast(g_y, y)


def _index_update_jvp(tangents, ans, x, y, *arrays, idx):
    t_x, t_y = tangents[:2]
    if t_x is None:
        t_x = np.zeros(shape(ans), dtype=np.result_type(unbox_all(ans)))
    return index_update(t_x, 0.0 if t_y is None else t_y, *arrays, idx=idx)


# index_update(x, y, idx=i) is x with x[i] replaced by y (broadcast), a new array:
# the functional form of ``x[i] = y``. It is linear in (x, y) together, so its JVP
# applies it to the tangents; x's cotangent is g with the written places zeroed,
# y's is g at those places. A position written twice keeps numpy's choice (the
# last write) and only that write gets a derivative.
index_update = Primitive(
    "index_update", _index_update_impl,
    jvp=_index_update_jvp,
    vjps=(lambda g, ans, x, y, *arrays, idx: index_update(g, 0.0, *arrays, idx=idx),
          _index_update_vjp_y),
    doc="index_update(x, y, *, idx): a copy of x with x[idx] = y (y broadcast), the "
        "primitive behind assignment into a traced array.")


# ---------------------------------------------------------------- batching (vmap)
#
# getitem, untake and index_update run once on the whole batch. The example index
# becomes an index of the batch: with index arrays that are the same for every
# example, a full slice in front of it; with index arrays that differ between
# examples (moved to the front of their batch), an arange over the batch joins them
# as one more index array, so that example b reads with its own indices. numpy puts
# the axes of advanced indices where the first of them stands when they are
# adjacent, in front otherwise; x's batch axis goes where that leaves the batch axis
# of the result in a known place.

def _index_plan(idx, arrays, adims, x_nd, size, x_batched=True):
    """``(template, args, q, r)`` for an example index ``idx`` (its slots name
    ``arrays``, batched along ``adims``) into an array of ``x_nd`` dimensions: the
    index into the batch (x's batch axis at ``q``; ``x_batched`` false: x is the same
    for every example and keeps its shape) with its index arrays, and the axis ``r``
    of the batch in the result. ``None`` for an index this does not cover (a boolean
    scalar), which a per-example loop handles."""
    parts = []
    for i in (idx if isinstance(idx, tuple) else (idx,)):
        if isinstance(i, _Slot):
            parts.append(("b" if adims[i.k] is not None else "a", arrays[i.k], adims[i.k]))
        elif isinstance(i, np.ndarray) and i.dtype.kind == "b":
            if i.ndim == 0:
                return None
            parts.extend(("a", n, None) for n in np.nonzero(i))
        elif isinstance(i, np.ndarray) and i.ndim:
            parts.append(("a", i, None))
        elif i is None or i is Ellipsis or isinstance(i, slice):
            parts.append(("s", i, None))
        elif isinstance(i, (bool, np.bool_)) or not isinstance(i, (int, np.integer,
                                                                    np.ndarray)):
            return None
        else:  # an integer (or a 0-d integer array)
            parts.append(("i", i, None))
    arrays_in = any(kind in "ab" for kind, _, _ in parts)
    adv = [k for k, (kind, _, _) in enumerate(parts)
           if kind in "ab" or (kind == "i" and arrays_in)]
    ell = x_nd - sum(1 for kind, v, _ in parts if kind != "s" or isinstance(v, slice))
    contiguous = bool(adv) and adv == list(range(adv[0], adv[-1] + 1))
    args, template = [], []

    def put(kind, v):
        if kind in "ab" and isinstance(v, Box):
            args.append(v)
            return _Slot(len(args) - 1)
        return v

    def before(p):  # (x axes read, result axes made) by the parts before part p
        q = r = 0
        for _, v, _ in parts[:p]:
            n = ell if v is Ellipsis else 1
            q += 0 if v is None else n
            r += n
        return q, r

    if not any(kind == "b" for kind, _, _ in parts):
        template = [slice(None)] + [put(kind, v) for kind, v, _ in parts]
        nd = len(np.broadcast_shapes(*(shape(parts[k][1]) for k in adv))) if adv else 0
        return tuple(template), tuple(args), 0, 0 if not adv or contiguous else nd
    from .shape import _reshape
    rank = len(np.broadcast_shapes(*(
        shape(v)[:d] + shape(v)[d + 1:] if kind == "b" else shape(v)
        for kind, v, d in (parts[k] for k in adv))))
    for kind, v, d in parts:
        if kind == "b":
            v = to_front(v, d)
            s = shape(v)
            v = _reshape(v, newshape=s[:1] + (1,) * (rank - len(s) + 1) + s[1:])
        template.append(put(kind, v))
    at = adv[0] if contiguous else 0
    q, r = before(at)
    if not x_batched:
        return tuple(template), tuple(args), None, r
    template.insert(at, np.arange(size).reshape((size,) + (1,) * rank))
    return tuple(template), tuple(args), q, r


def _move(v, src, dst):
    """``v`` with its axis ``src`` moved to ``dst`` (a transpose primitive)."""
    if src == dst:
        return v
    from .shape import _transpose
    axes = [a for a in range(len(shape(v))) if a != src]
    axes.insert(dst, src)
    return _transpose(v, axes=tuple(axes))


def _with_batch_axis(v, d, at, size):
    """``v`` with its batch axis at ``at``: moved from ``d``, or (``d`` None: the
    same for every example) made by repeating ``v``."""
    if d is not None:
        return _move(v, d, at)
    from .shape import _broadcast_to, _reshape
    s = shape(v)
    return _broadcast_to(_reshape(v, newshape=s[:at] + (1,) + s[at:]),
                         shape=s[:at] + (size,) + s[at:])


def _loop(prim, vals, dims, params):
    from ..core.batching import loop_rule
    size = next(shape(v)[d] for v, d in zip(vals, dims) if d is not None)
    return loop_rule(prim, vals, dims, params, size)


def _batch_getitem(vals, dims, idx):
    x, dx = vals[0], dims[0]
    size = next(shape(v)[d] for v, d in zip(vals, dims) if d is not None)
    plan = _index_plan(idx, vals[1:], dims[1:], len(shape(x)) - (dx is not None), size,
                       x_batched=dx is not None)
    if plan is None:
        return _loop(_getitem, vals, dims, {"idx": idx})
    template, args, q, r = plan
    if dx is not None:
        x = _move(x, dx, q)
    return _getitem(x, *args, idx=template), r


def _result_shape(template, args, x_shape):
    """The shape of ``x[template]`` for an x of ``x_shape`` (dummy index arrays)."""
    dummies = [np.zeros(shape(a), dtype=np.intp) for a in args]
    return np.broadcast_to(np.zeros((), np.int8), x_shape)[_fill(template, dummies)].shape


def _batch_untake(vals, dims, idx, shape):
    g, dg = vals[0], dims[0]
    size = next(_shape(v)[d] for v, d in zip(vals, dims) if d is not None)
    plan = _index_plan(idx, vals[1:], dims[1:], len(shape), size)
    if plan is None:
        return _loop(untake, vals, dims, {"idx": idx, "shape": shape})
    template, args, q, r = plan
    out_shape = tuple(shape[:q]) + (size,) + tuple(shape[q:])
    g = _with_batch_axis(g, dg, r, size)
    return untake(g, *args, idx=template, shape=out_shape), q


def _batch_index_update(vals, dims, idx):
    (x, y), (dx, dy) = vals[:2], dims[:2]
    size = next(_shape(v)[d] for v, d in zip(vals, dims) if d is not None)
    x_nd = len(_shape(x)) - (dx is not None)
    plan = _index_plan(idx, vals[2:], dims[2:], x_nd, size)
    if plan is None:
        return _loop(index_update, vals, dims, {"idx": idx})
    template, args, q, r = plan
    x = _with_batch_axis(x, dx, q, size)
    # y as the batch of the examples' y, shaped like the written part of the batch
    from .shape import _reshape
    sub = _result_shape(template, args, _shape(x))
    sub = sub[:r] + sub[r + 1:]
    ys = _shape(y)
    if dy is not None:
        y, ys = to_front(y, dy), ys[:dy] + ys[dy + 1:]
    while len(ys) > len(sub) and ys[0] == 1:  # numpy drops leading axes of length 1
        ys = ys[1:]
    ys = (1,) * (len(sub) - len(ys)) + ys
    if dy is not None:
        y = _move(_reshape(y, newshape=(size,) + ys), 0, r)
    else:
        y = _reshape(y, newshape=ys[:r] + (1,) + ys[r:])
    return index_update(x, y, *args, idx=template), q


_shape = shape
_getitem.batch = _batch_getitem
untake.batch = _batch_untake
index_update.batch = _batch_index_update
