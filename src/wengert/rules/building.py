"""Building arrays: constants shaped like a value, arrays assembled from lists that
hold traced values (``array([x, 2 * x])``), the index tricks ``r_`` and ``c_``,
padding, diagonals and triangles, grids, ranges with traced end points, finite
differences, cross products and ``select``.

Each is composed from existing primitives (concatenate, getitem and its adjoint
untake, where, reshape, broadcast_to, tensordot and arithmetic), exactly, so its
derivatives are those primitives' rules and differentiate again. With nothing traced
each calls numpy's own function: plain values, dtypes and errors are numpy's.
"""

import builtins
import operator
import sys

import numpy as np

from .. import backend
from ..core.trace import Box, unbox_all
from ._base import example, normalize_axis, per_example, shape
from .arithmetic import add, divide, multiply, power, subtract
from .complex import astype
from .indexing import _condition, _getitem, _where, getitem_, index_update, setitem_, untake
from .shape import (_along, _arrays, _atleast, _gather, _index_map, _reshape, _traced,
                    broadcast_arrays, broadcast_to, concatenate, expand_dims, flip,
                    moveaxis, ravel, squeeze, stack, transpose)


def _dtype(x):
    return backend.dtype_of(unbox_all(x))


def _cast(x, dtype):
    if dtype is None or np.dtype(dtype) == _dtype(x):
        return x
    return astype(x, dtype)


def _plain(x):
    """``x`` with every traced value in it (lists and tuples searched) replaced by
    its value (one example's under vmap: for shapes, dtypes and numpy's checks)."""
    if isinstance(x, Box):
        return example(x)
    if isinstance(x, (list, tuple)):
        return type(x)(_plain(i) for i in x)
    return x


# ------------------------------------------------------------ constants like a value

def zeros_like(a, *args, **kwargs):
    """numpy.zeros_like: a constant, so a traced ``a`` gives a plain array."""
    return np.zeros_like(_plain(a), *args, **kwargs)


def ones_like(a, *args, **kwargs):
    """numpy.ones_like: a constant, so a traced ``a`` gives a plain array."""
    return np.ones_like(_plain(a), *args, **kwargs)


def empty_like(a, *args, **kwargs):
    """numpy.empty_like: a constant, so a traced ``a`` gives a plain array."""
    return np.empty_like(_plain(a), *args, **kwargs)


def _filled(fill_value, out_shape, dtype):
    """``fill_value`` (traced) broadcast to ``out_shape`` as ``dtype``."""
    if np.dtype(dtype).kind not in "fc":  # an integer result has no derivative
        return per_example(lambda f: np.full(out_shape, f, dtype=dtype), fill_value)
    return broadcast_to(_cast(fill_value, dtype), out_shape)


def full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None, **kwargs):
    """numpy.full_like: plain for a plain ``fill_value`` (whatever ``a`` is); a
    traced ``fill_value`` is broadcast, so the result is differentiable in it.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda v: wnp.sum(wnp.full_like(wnp.zeros((3, 2)), v)))(wnp.ones(2))
    array([3., 3.])
    """
    if not isinstance(fill_value, Box):
        return np.full_like(_plain(a), _plain(fill_value), dtype=dtype, order=order,
                            subok=subok, shape=shape, **kwargs)
    base = np.asarray(_plain(a))
    out_shape = base.shape if shape is None else (
        (shape,) if isinstance(shape, int) else tuple(shape))
    return _filled(fill_value, out_shape, base.dtype if dtype is None else dtype)


def full(shape, fill_value, dtype=None, order="C", **kwargs):
    """numpy.full; differentiable in a traced ``fill_value`` (broadcast to ``shape``)."""
    if not isinstance(fill_value, Box):
        return np.full(shape, _plain(fill_value), dtype=dtype, order=order, **kwargs)
    out_shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return _filled(fill_value, out_shape, _dtype(fill_value) if dtype is None else dtype)


# --------------------------------------------------------- arrays from traced pieces

def _build(obj):
    """A (nested) list or tuple holding traced values as one array: the pieces
    stacked level by level. A piece without traced values is numpy's array of it."""
    if isinstance(obj, Box):
        return obj
    if isinstance(obj, (list, tuple)) and _traced(*obj):
        parts = [_build(o) for o in obj]
        shapes = {shape(p) for p in parts}
        if len(shapes) > 1:
            raise ValueError(f"array: setting an array element with a sequence. The pieces "
                             f"of a level have different shapes {sorted(shapes)} (an "
                             f"inhomogeneous shape), so they do not stack into one array")
        return stack(parts)
    return np.asarray(obj)


def array(object, dtype=None, *, copy=True, order="K", subok=False, ndmin=0, **kwargs):
    """numpy.array; also builds from (nested) lists and tuples that hold traced values,
    which it stacks, as HIPS autograd and JAX do. Plain input gives numpy's own result.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.derivative(lambda x: wnp.array([x, 2.0 * x, 1.0]))(0.5)
    array([1., 2., 0.])
    """
    if not _traced(object):
        return np.array(object, dtype=dtype, copy=copy, order=order, subok=subok,
                        ndmin=ndmin, **kwargs)
    if isinstance(object, Box):
        out = object
        if copy and (dtype is None or np.dtype(dtype) == _dtype(out)):
            out = _reshape(out, newshape=shape(out))  # a new value, as numpy copies
    else:
        out = _build(object)
    out = _cast(out, dtype)
    extra = ndmin - len(shape(out))
    if extra > 0:
        out = _reshape(out, newshape=(1,) * extra + shape(out))
    return out


def asarray(a, dtype=None, order=None, **kwargs):
    """numpy.asarray: a traced value as it is (cast if ``dtype`` differs); a list
    holding traced values is stacked as ``array`` does."""
    if not _traced(a):
        return np.asarray(a, dtype=dtype, order=order, **kwargs)
    return array(a, dtype=dtype, copy=kwargs.get("copy"))


def asanyarray(a, dtype=None, order=None, **kwargs):
    """numpy.asanyarray (asarray: traced values have no subclasses)."""
    if not _traced(a):
        return np.asanyarray(a, dtype=dtype, order=order, **kwargs)
    return array(a, dtype=dtype, copy=kwargs.get("copy"))


def ascontiguousarray(a, dtype=None, **kwargs):
    """numpy.ascontiguousarray: at least 1-d, as numpy makes it (a copy when the
    input is not C-contiguous, as numpy's is)."""
    if not _traced(a):
        return np.ascontiguousarray(a, dtype=dtype, **kwargs)
    plain = unbox_all(a) if isinstance(a, Box) else a
    contiguous = isinstance(plain, np.ndarray) and plain.flags.c_contiguous
    return array(a, dtype=dtype, copy=None if contiguous else True, ndmin=1)


def asfortranarray(a, dtype=None, **kwargs):
    """numpy.asfortranarray: at least 1-d (memory order is not traced)."""
    if not _traced(a):
        return np.asfortranarray(a, dtype=dtype, **kwargs)
    return array(a, dtype=dtype, copy=None, ndmin=1)


def asarray_chkfinite(a, dtype=None, order=None):
    """numpy.asarray_chkfinite: asarray, refusing infinities and nan."""
    if not _traced(a):
        return np.asarray_chkfinite(a, dtype=dtype, order=order)
    out = asarray(a, dtype=dtype)
    v = np.asarray(unbox_all(out))
    if v.dtype.char in np.typecodes["AllFloat"] and not np.isfinite(v).all():
        raise ValueError("array must not contain infs or NaNs")
    return out


def require(a, dtype=None, requirements=None, *, like=None):
    """numpy.require: memory requirements do not apply to traced values."""
    if not _traced(a):
        return np.require(a, dtype=dtype, requirements=requirements,
                          **({} if like is None else {"like": like}))
    return asanyarray(a, dtype=dtype)


def copy(a, order="K", subok=False):
    """numpy.copy: a new value (a write into it leaves ``a`` alone)."""
    if not _traced(a):
        return np.copy(a, order=order, subok=subok)
    return array(a, copy=True)


# ----------------------------------------------------------------- r_ and c_

class _Concatenator:
    """numpy's ``r_``/``c_`` (numpy.lib's AxisConcatenator), accepting traced pieces:
    with none the index goes to numpy's own object, else numpy's steps are followed
    with wengert's array and concatenate."""

    def __init__(self, np_obj, axis=0, ndmin=1, trans1d=-1):
        self._np = np_obj
        self.axis, self.ndmin, self.trans1d = axis, ndmin, trans1d

    def __len__(self):
        return 0

    def __getitem__(self, key):
        if isinstance(key, str):  # the matrix builder reads the caller's names
            frame = sys._getframe(1)
            return np.bmat(key, frame.f_globals, frame.f_locals)
        if not _traced(key):
            return self._np[key]
        if not isinstance(key, tuple):
            key = (key,)
        trans1d, ndmin, axis = self.trans1d, self.ndmin, self.axis
        objs, types = [], []
        for k, item in enumerate(key):
            scalar = False
            if isinstance(item, slice):
                new = np.r_[item]  # numbers only: numpy's own range
                if ndmin > 1:
                    new = np.array(new, copy=None, ndmin=ndmin)
                    if trans1d != -1:
                        new = new.swapaxes(-1, trans1d)
            elif isinstance(item, str):
                if k != 0:
                    raise ValueError("special directives must be the first entry.")
                if item in ("r", "c"):
                    raise NotImplementedError(
                        f"the {item!r} directive builds a numpy.matrix, which wengert does "
                        f"not trace; concatenate traced values without it")
                try:
                    if "," in item:
                        vec = item.split(",")
                        axis, ndmin = [int(v) for v in vec[:2]]
                        if len(vec) == 3:
                            trans1d = int(vec[2])
                    else:
                        axis = int(item)
                except (ValueError, TypeError) as e:
                    raise ValueError(f"unknown special directive {item!r}") from e
                continue
            elif type(item) in np.ScalarType:
                scalar = True
                new = item
            else:
                item_ndim = len(shape(item)) if isinstance(item, Box) else np.ndim(item)
                new = array(item, copy=None, ndmin=ndmin)
                if trans1d != -1 and item_ndim < ndmin:
                    k2 = ndmin - item_ndim
                    k1 = trans1d + k2 + 1 if trans1d < 0 else trans1d
                    defaxes = list(range(ndmin))
                    new = transpose(new, defaxes[:k1] + defaxes[k2:] + defaxes[k1:k2])
            objs.append(new)
            types.append(item if scalar else _dtype(new))
        if types:
            final = np.result_type(*types)
            objs = [array(o, copy=None, ndmin=ndmin, dtype=final) for o in objs]
        return concatenate(objs, axis=axis)


r_ = _Concatenator(np.r_)
c_ = _Concatenator(np.c_, axis=-1, ndmin=2, trans1d=0)


# ---------------------------------------------------------------------------- pad

_GATHER_MODES = ("edge", "reflect", "symmetric", "wrap")
_STAT_MODES = ("maximum", "minimum", "mean", "median")


def _pairs(who, x, ndim):
    """numpy's ``_as_pairs`` for values that may be traced: one (before, after) pair
    per axis, each entry a number or a traced scalar."""
    if x is None:
        return ((None, None),) * ndim
    if not _traced(x):
        a = np.array(x)
        if a.ndim < 3:
            if a.size == 1:
                return ((a.ravel()[0],) * 2,) * ndim
            if a.size == 2 and a.shape != (2, 1):
                a = a.ravel()
                return ((a[0], a[1]),) * ndim
        return [tuple(p) for p in np.broadcast_to(a, (ndim, 2))]
    b = array(x)
    s = shape(b)
    if len(s) < 3 and int(np.prod(s)) == 1:
        v = _reshape(b, newshape=())
        return ((v, v),) * ndim
    if len(s) < 3 and int(np.prod(s)) == 2 and s != (2, 1):
        b = _reshape(b, newshape=(2,))
        return ((_getitem(b, idx=0), _getitem(b, idx=1)),) * ndim
    b = broadcast_to(b, (ndim, 2))
    return [(_getitem(b, idx=(i, 0)), _getitem(b, idx=(i, 1))) for i in range(ndim)]


def _stat(mode, chunk, ax):
    """numpy's statistic of ``chunk`` along ``ax`` (kept as an axis of length 1)."""
    from .reductions import max as max_, mean, min as min_
    if mode == "maximum":
        return max_(chunk, axis=ax, keepdims=True)
    if mode == "minimum":
        return min_(chunk, axis=ax, keepdims=True)
    if mode == "mean":
        return mean(chunk, axis=ax, keepdims=True)
    from .sorting import sort
    s = sort(chunk, axis=ax)
    n = shape(s)[ax]
    mid = _getitem(s, idx=_along(ax, slice(n // 2, n // 2 + 1)))
    if n % 2:
        return mid
    low = _getitem(s, idx=_along(ax, slice(n // 2 - 1, n // 2)))
    return divide(add(low, mid), 2.0)


def _pad_axis(x, ax, before, after, mode, opts):
    """``x`` padded along ``ax`` alone (numpy pads the axes one after the other)."""
    shp = shape(x)
    n = shp[ax]
    dt = _dtype(x)

    def block(value, width):
        blk_shape = shp[:ax] + (width,) + shp[ax + 1:]
        if isinstance(value, Box):
            return broadcast_to(_cast(value, dt), blk_shape)
        return np.full(blk_shape, 0 if value is None else value, dtype=dt)

    def part(index):
        return _getitem(x, idx=_along(ax, index))

    if mode in ("constant", "empty"):
        left, right = (block(v, w) for v, w in zip(opts, (before, after)))
    elif mode == "linear_ramp":
        edges = (squeeze(part(slice(0, 1)), ax), squeeze(part(slice(n - 1, n)), ax))
        left, right = (_cast(linspace(end, edge, num=w, endpoint=False, axis=ax), dt)
                       for end, edge, w in zip(opts, edges, (before, after)))
        right = flip(right, ax)
    elif mode in _STAT_MODES:
        lengths = [n if v is None or n < v else int(np.round(v)) for v in opts]
        if 0 in lengths and mode in ("maximum", "minimum"):
            raise ValueError("stat_length of 0 yields no value for padding")
        lstat = _stat(mode, part(slice(0, lengths[0])), ax)
        rstat = lstat if lengths[0] == lengths[1] == n else \
            _stat(mode, part(slice(n - lengths[1], n)), ax)
        left, right = (broadcast_to(s, shp[:ax] + (w,) + shp[ax + 1:])
                       for s, w in zip((lstat, rstat), (before, after)))
    else:  # reflect or symmetric, odd: linear in x, the map numpy applies to eye(n)
        from .linalg import tensordot
        weights = np.pad(np.eye(n, dtype=dt), ((before, after), (0, 0)), mode=mode,
                         reflect_type="odd")
        return moveaxis(tensordot(weights, x, axes=([1], [ax])), 0, ax)
    return concatenate([left, x, right], axis=ax)


def pad(array, pad_width, mode="constant", **kwargs):
    """numpy.pad, differentiable in every mode but a callable one: in ``array`` and in
    traced ``constant_values`` or ``end_values``. The copying modes (edge, reflect,
    symmetric, wrap) gather from numpy's own padding of the map of element positions;
    the others follow numpy's axis-by-axis construction.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda x: wnp.sum(wnp.pad(x, 2, mode="edge")))(wnp.ones(3))
    array([3., 1., 3.])
    """
    if not _traced(array, *kwargs.values()):
        return np.pad(array, pad_width, mode=mode, **kwargs)
    if callable(mode):
        raise NotImplementedError("numpy.pad with a callable mode has no derivative rule "
                                  "in wengert")
    x = array if isinstance(array, Box) else np.asarray(array)
    shp = shape(x)
    nd = len(shp)
    # numpy's own checks of the arguments and of the result's shape, on positions
    plain_kwargs = {k: _plain(v) for k, v in kwargs.items()}
    positions = np.pad(_index_map(x), pad_width, mode=mode, **plain_kwargs)
    if mode in _GATHER_MODES and kwargs.get("reflect_type", "even") == "even":
        return _gather(x, positions)
    widths = [(int(b), int(a)) for b, a in _pairs("pad", np.round(np.asarray(pad_width)), nd)]
    if mode in ("constant", "empty"):
        opts = _pairs("pad", kwargs.get("constant_values", 0), nd)
    elif mode == "linear_ramp":
        opts = _pairs("pad", kwargs.get("end_values", 0), nd)
    elif mode in _STAT_MODES:
        opts = _pairs("pad", kwargs.get("stat_length"), nd)
    else:
        opts = [None] * nd
    for ax in range(nd):
        before, after = widths[ax]
        if before or after:
            x = _pad_axis(x, ax, before, after, mode, opts[ax])
    return x


# ----------------------------------------------------- diagonals and triangles

def diag(v, k=0):
    """numpy.diag: a 1-d ``v`` placed on diagonal ``k`` of a square matrix (untake),
    or diagonal ``k`` of a 2-d ``v`` (getitem)."""
    if not _traced(v):
        return np.diag(v, k)
    s = shape(v)
    k = operator.index(k)
    if len(s) == 1:
        n = s[0] + builtins.abs(k)
        j = np.arange(s[0])
        idx = (j + builtins.max(-k, 0), j + builtins.max(k, 0))
        return untake(v, idx=idx, shape=(n, n))
    if len(s) == 2:
        rows, cols = s
        m = builtins.max(0, builtins.min(rows - builtins.max(-k, 0), cols - builtins.max(k, 0)))
        j = np.arange(m)
        return _getitem(v, idx=(j + builtins.max(-k, 0), j + builtins.max(k, 0)))
    raise ValueError("Input must be 1- or 2-d.")


def diagflat(v, k=0):
    """numpy.diagflat: the flattened ``v`` on diagonal ``k``."""
    if not _traced(v):
        return np.diagflat(v, k)
    return diag(ravel(v), k)


def _triangle(m, k, lower):
    s = shape(m)
    mask = np.tri(*s[-2:], k=k if lower else k - 1, dtype=bool)
    zero = np.zeros(1, dtype=_dtype(m))
    return _where(mask, m, zero) if lower else _where(mask, zero, m)


def tril(m, k=0):
    """numpy.tril: the elements on and below diagonal ``k`` (a where)."""
    if not _traced(m):
        return np.tril(m, k)
    return _triangle(m, operator.index(k), True)


def triu(m, k=0):
    """numpy.triu: the elements on and above diagonal ``k`` (a where)."""
    if not _traced(m):
        return np.triu(m, k)
    return _triangle(m, operator.index(k), False)


# ---------------------------------------------------------------- grids and ranges

def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    """numpy.meshgrid (reshapes and broadcasts)."""
    if not _traced(*xi):
        return np.meshgrid(*xi, copy=copy, sparse=sparse, indexing=indexing)
    if indexing not in ("xy", "ij"):
        raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
    nd = len(xi)
    ones = (1,) * nd
    shapes = [ones[:i] + (-1,) + ones[i + 1:] for i in range(nd)]
    if indexing == "xy" and nd > 1:
        shapes[0], shapes[1] = (1, -1) + ones[2:], (-1, 1) + ones[2:]
    out = [_reshape(x, newshape=s) for x, s in zip(_arrays(xi), shapes)]
    if not sparse:
        out = broadcast_arrays(*out)
    return tuple(out)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, **kwargs):
    """numpy.linspace, differentiable in traced ``start`` and ``stop`` (scalars or
    arrays): numpy's own steps, ``start + i * step`` with the last point set to
    ``stop`` (index_update).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.derivative(lambda b: wnp.linspace(0.0, b, 5))(1.0)
    array([0.  , 0.25, 0.5 , 0.75, 1.  ])
    """
    if not _traced(start, stop):
        return np.linspace(start, stop, num, endpoint=endpoint, retstep=retstep,
                           dtype=dtype, axis=axis, **kwargs)
    # lists as arrays; Python numbers stay weakly typed, as numpy's converter keeps them
    start, stop = (np.asarray(v) if isinstance(v, (list, tuple)) else v
                   for v in (start, stop))
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    div = num - 1 if endpoint else num
    dt = np.result_type(unbox_all(start), unbox_all(stop), 1.0)
    delta = _cast(subtract(stop, start), dt)
    y = np.arange(0, num, dtype=dt).reshape((-1,) + (1,) * len(shape(delta)))
    if div > 0:
        step = divide(delta, div)
        # numpy scales by delta where any step of the example is 0 (per example)
        tiny = per_example(lambda s: np.any(np.asarray(s) == 0), step)
        if np.all(unbox_all(tiny)):
            y = multiply(y / div, delta)
        elif np.any(unbox_all(tiny)):
            y = _where(tiny, multiply(y / div, delta), multiply(y, step))
        else:
            y = multiply(y, step)
    else:
        step = np.nan
        y = multiply(y, delta)
    y = add(y, start)
    if endpoint and num > 1:
        y = index_update(y, stop, idx=(-1, Ellipsis))
    if axis != 0:
        y = moveaxis(y, 0, axis)
    if dtype is not None:
        if np.issubdtype(dtype, np.integer):
            y = per_example(np.floor, y, aligned=True)
        y = _cast(y, dtype)
    return (y, step) if retstep else y


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    """numpy.logspace: ``base ** linspace(start, stop)``, differentiable in traced
    ``start``, ``stop`` and ``base``."""
    if not _traced(start, stop, base):
        return np.logspace(start, stop, num, endpoint=endpoint, base=base, dtype=dtype,
                           axis=axis)
    if not isinstance(base, (float, int)) and len(shape(base)):
        nd = len(np.broadcast_shapes(shape(start), shape(stop), shape(base)))
        start, stop, base = (array(a, copy=None, ndmin=nd) for a in (start, stop, base))
        base = expand_dims(base, axis)
    y = power(base, linspace(start, stop, num=num, endpoint=endpoint, axis=axis))
    return y if dtype is None else _cast(y, dtype)


# --------------------------------------------------------- finite differences

_NO_VALUE = object()


def diff(a, n=1, axis=-1, prepend=_NO_VALUE, append=_NO_VALUE):
    """numpy.diff: differences of neighbours along ``axis``, ``n`` times, after
    ``prepend`` and ``append`` (which may be traced too)."""
    kw = {k: v for k, v in (("prepend", prepend), ("append", append)) if v is not _NO_VALUE}
    if not _traced(a, *kw.values()):
        return np.diff(a, n=n, axis=axis, **kw)
    if n == 0:
        return a
    if n < 0:
        raise ValueError("order must be non-negative but got " + repr(n))
    a = _arrays([a])[0]
    shp = shape(a)
    if not shp:
        raise ValueError("diff requires input that is at least one dimensional")
    ax = normalize_axis("diff", axis, len(shp), shp)
    pieces = []
    for key in ("prepend", "append"):
        if key in kw:
            v = _arrays([kw[key]])[0]
            if not shape(v):
                v = broadcast_to(v, shp[:ax] + (1,) + shp[ax + 1:])
            pieces.append(v)
        if key == "prepend":
            pieces.append(a)
    if len(pieces) > 1:
        a = concatenate(pieces, axis=ax)
    if _dtype(a) == np.bool_:
        raise NotImplementedError("numpy.diff of a boolean array is not traced")
    for _ in range(n):
        a = subtract(_getitem(a, idx=_along(ax, slice(1, None))),
                     _getitem(a, idx=_along(ax, slice(None, -1))))
    return a


def gradient(f, *varargs, axis=None, edge_order=1):
    """numpy.gradient: second-order central differences inside, first- or
    second-order one-sided ones at the ends, with numpy's formulas for uniform and
    coordinate spacings; differentiable in ``f`` and in traced spacings.

    >>> import wengert.numpy as wnp
    >>> wnp.gradient(wnp.array([1.0, 2.0, 4.0, 7.0]))
    array([1. , 1.5, 2.5, 3. ])
    """
    if not _traced(f, *varargs):
        return np.gradient(f, *varargs, axis=axis, edge_order=edge_order)
    f = _arrays([f])[0]
    shp = shape(f)
    nd = len(shp)
    axes = tuple(range(nd)) if axis is None else (
        normalize_axis("gradient", axis, nd, shp) if isinstance(axis, (tuple, list))
        else (normalize_axis("gradient", axis, nd, shp),))
    n = len(varargs)
    if n == 0:
        dx = [1.0] * len(axes)
    elif n == 1 and not shape(varargs[0]):
        dx = list(varargs) * len(axes)
    elif n == len(axes):
        dx = list(varargs)
        for i, distances in enumerate(dx):
            distances = _arrays([distances])[0]
            ds = shape(distances)
            if not ds:
                continue
            if len(ds) != 1:
                raise ValueError("distances must be either scalars or 1d")
            if ds[0] != shp[axes[i]]:
                raise ValueError("when 1d, distances must match the length of the "
                                 "corresponding dimension")
            if np.issubdtype(_dtype(distances), np.integer):
                distances = _cast(distances, np.float64)
            diffx = diff(distances)
            even = per_example(lambda d: bool((np.asarray(d) == np.asarray(d)[0]).all()),
                               diffx)
            dx[i] = _getitem(diffx, idx=0) if np.all(unbox_all(even)) else diffx
    else:
        raise TypeError("invalid number of arguments")
    if edge_order > 2:
        raise ValueError("'edge_order' greater than 2 not supported")
    if np.issubdtype(_dtype(f), np.integer) or _dtype(f).kind not in "fc":
        f = _cast(f, np.float64)

    outvals = []
    for ax, h in zip(axes, dx):
        if shp[ax] < edge_order + 1:
            raise ValueError("Shape of array too small to calculate a numerical gradient, "
                             "at least (edge_order + 1) elements are required.")

        def at(start, stop, f=f, ax=ax):
            return _getitem(f, idx=_along(ax, slice(start, stop)))

        uniform = not shape(h)
        if uniform:
            inner = divide(subtract(at(2, None), at(None, -2)), multiply(2.0, h))
        else:
            dx1, dx2 = _getitem(h, idx=slice(0, -1)), _getitem(h, idx=slice(1, None))
            a = divide(-dx2, multiply(dx1, add(dx1, dx2)))
            b = divide(subtract(dx2, dx1), multiply(dx1, dx2))
            c = divide(dx1, multiply(dx2, add(dx1, dx2)))
            bshape = tuple(-1 if i == ax else 1 for i in range(nd))
            a, b, c = (_reshape(w, newshape=bshape) for w in (a, b, c))
            inner = add(add(multiply(a, at(None, -2)), multiply(b, at(1, -1))),
                        multiply(c, at(2, None)))
        first, last = at(0, 1), at(-1, None)
        if edge_order == 1:
            d0 = h if uniform else _getitem(h, idx=0)
            dn = h if uniform else _getitem(h, idx=-1)
            lo = divide(subtract(at(1, 2), first), d0)
            hi = divide(subtract(last, at(-2, -1)), dn)
        else:
            if uniform:
                a, b, c = divide(-1.5, h), divide(2.0, h), divide(-0.5, h)
            else:
                dx1, dx2 = _getitem(h, idx=0), _getitem(h, idx=1)
                a = divide(-add(multiply(2.0, dx1), dx2), multiply(dx1, add(dx1, dx2)))
                b = divide(add(dx1, dx2), multiply(dx1, dx2))
                c = divide(-dx1, multiply(dx2, add(dx1, dx2)))
            lo = add(add(multiply(a, first), multiply(b, at(1, 2))), multiply(c, at(2, 3)))
            if uniform:
                a, b, c = divide(0.5, h), divide(-2.0, h), divide(1.5, h)
            else:
                dx1, dx2 = _getitem(h, idx=-2), _getitem(h, idx=-1)
                a = divide(dx2, multiply(dx1, add(dx1, dx2)))
                b = divide(-add(dx2, dx1), multiply(dx1, dx2))
                c = divide(add(multiply(2.0, dx2), dx1), multiply(dx2, add(dx1, dx2)))
            hi = add(add(multiply(a, at(-3, -2)), multiply(b, at(-2, -1))),
                     multiply(c, last))
        outvals.append(_cast(concatenate([lo, inner, hi], axis=ax), _dtype(f)))
    return outvals[0] if len(axes) == 1 else tuple(outvals)


# --------------------------------------------------------------- cross and select

def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """numpy.cross of 3-vectors (and numpy's deprecated 2-vectors), products of the
    components along the vector axes."""
    if not _traced(a, b):
        return np.cross(a, b, axisa, axisb, axisc, axis)
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = _arrays([a, b])
    if not shape(a) or not shape(b):
        raise ValueError("At least one array has zero dimension")
    a = moveaxis(a, axisa, -1)
    b = moveaxis(b, axisb, -1)
    na, nb = shape(a)[-1], shape(b)[-1]
    if na not in (2, 3) or nb not in (2, 3):
        raise ValueError("incompatible dimensions for cross product\n"
                         "(dimension must be 2 or 3)")
    if na == 2 or nb == 2:
        import warnings
        warnings.warn("Arrays of 2-dimensional vectors are deprecated. Use arrays of "
                      "3-dimensional vectors instead. (deprecated in NumPy 2.0)",
                      DeprecationWarning, stacklevel=2)
    dtype = np.promote_types(_dtype(a), _dtype(b))
    a, b = _cast(a, dtype), _cast(b, dtype)
    a0, a1, b0, b1 = (_getitem(v, idx=(Ellipsis, i)) for v, i in
                      ((a, 0), (a, 1), (b, 0), (b, 1)))
    cp2 = subtract(multiply(a0, b1), multiply(a1, b0))
    if na == 2 and nb == 2:
        return cp2
    a2 = _getitem(a, idx=(Ellipsis, 2)) if na == 3 else None
    b2 = _getitem(b, idx=(Ellipsis, 2)) if nb == 3 else None
    if na == 2:
        cp0, cp1 = multiply(a1, b2), -multiply(a0, b2)
    elif nb == 2:
        cp0, cp1 = -multiply(a2, b1), multiply(a2, b0)
    else:
        cp0 = subtract(multiply(a1, b2), multiply(a2, b1))
        cp1 = subtract(multiply(a2, b0), multiply(a0, b2))
    out_shape = np.broadcast_shapes(shape(a0), shape(b0))
    cp = stack([broadcast_to(c, out_shape) for c in (cp0, cp1, cp2)], axis=-1)
    return moveaxis(cp, -1, normalize_axis("cross", axisc, len(out_shape) + 1))


def select(condlist, choicelist, default=0):
    """numpy.select: a chain of where from the last condition to the first,
    differentiable in the choices and in a traced ``default``."""
    if not _traced(*condlist, *choicelist, default):
        return np.select(condlist, choicelist, default)
    if len(condlist) != len(choicelist):
        raise ValueError("list of cases must be same length as list of conditions")
    if len(condlist) == 0:
        raise ValueError("select with an empty condition list is not possible")
    conds = [_condition(c) for c in condlist]  # per example under vmap
    for i, c in enumerate(conds):
        if np.result_type(example(c)).type is not np.bool_:
            raise TypeError(f"invalid entry {i} in condlist: should be boolean ndarray")
    choices = _arrays(list(choicelist) + [default])
    dtype = np.result_type(*(np.asarray(example(c)) for c in choices))
    out_shape = np.broadcast_shapes(*(shape(c) for c in conds),
                                    *(shape(c) for c in choices))
    result = broadcast_to(choices[-1], out_shape)
    for cond, choice in zip(conds[::-1], choices[-2::-1]):
        result = _where(cond, choice, result)
    return _cast(result, dtype)


def ediff1d(ary, to_end=None, to_begin=None):
    """numpy.ediff1d: differences of the flattened array, with ``to_begin`` and
    ``to_end`` (cast to its dtype) around them."""
    if not _traced(ary, to_end, to_begin):
        return np.ediff1d(ary, to_end=to_end, to_begin=to_begin)
    flat = ravel(_arrays([ary])[0])
    dt = _dtype(flat)
    ends = []
    for extra in (to_begin, to_end):
        if extra is not None:
            extra = _arrays([extra])[0]
            if not np.can_cast(_dtype(extra), dt, casting="same_kind"):
                raise TypeError("dtype of `to_begin` or `to_end` must be compatible with "
                                "input `ary` under the `same_kind` rule.")
            extra = _cast(ravel(extra), dt)
        ends.append(extra)
    pieces = [ends[0],
              subtract(_getitem(flat, idx=slice(1, None)), _getitem(flat, idx=slice(None, -1))),
              ends[1]]
    pieces = [p for p in pieces if p is not None]
    return concatenate(pieces) if len(pieces) > 1 else pieces[0]


def vander(x, N=None, increasing=False):
    """numpy.vander: the columns 1, x, x*x, ... by numpy's running products."""
    if not _traced(x):
        return np.vander(x, N, increasing)
    x = _arrays([x])[0]
    if len(shape(x)) != 1:
        raise ValueError("x must be a one-dimensional array or sequence.")
    n = shape(x)[0] if N is None else operator.index(N)
    dt = np.promote_types(_dtype(x), int)
    cols = []
    for k in range(n):
        cols.append(np.ones(shape(x), dt) if k == 0 else
                    _cast(x, dt) if k == 1 else multiply(cols[-1], x))
    if not cols:
        return np.zeros((shape(x)[0], 0), dt)
    out = stack(cols, axis=1)
    return out if increasing else flip(out, 1)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """numpy.geomspace for real end points (traced too): numpy's logspace of the
    log10 of the end points (sign taken out), with the ends set to start and stop."""
    if not _traced(start, stop):
        return np.geomspace(start, stop, num, endpoint=endpoint, dtype=dtype, axis=axis)
    from .elementwise import log10
    start, stop = _arrays([start, stop])
    if np.iscomplexobj(unbox_all(start)) or np.iscomplexobj(unbox_all(stop)):
        raise NotImplementedError("numpy.geomspace of complex traced end points has no "
                                  "derivative rule in wengert")
    s0, s1 = np.asarray(unbox_all(start)), np.asarray(unbox_all(stop))
    if np.any(s0 == 0) or np.any(s1 == 0):
        raise ValueError("Geometric sequence cannot include zero")
    dt = np.result_type(s0 * 1.0, s1 * 1.0, float(num), np.zeros((), dtype))
    start, stop = _cast(start, dt), _cast(stop, dt)
    # the sign of start, broadcast against stop (per example under vmap)
    sign = per_example(lambda a, b: np.sign(a) + 0 * np.sign(b), start, stop, aligned=True)
    start, stop = multiply(start, sign), multiply(stop, sign)
    out = logspace(log10(start), log10(stop), num=num, endpoint=endpoint, base=10.0)
    if num > 0:
        out = index_update(out, start, idx=0)
        if num > 1 and endpoint:
            out = index_update(out, stop, idx=-1)
    out = multiply(out, sign)
    if axis != 0:
        out = moveaxis(out, 0, axis)
    return out if dtype is None else _cast(out, dtype)


def apply_along_axis(func1d, axis, arr, *args, **kwargs):
    """numpy.apply_along_axis: ``func1d`` on each 1-d slice along ``axis``, the
    results stacked where numpy places them; differentiable when ``func1d`` is."""
    if not _traced(arr, *args, *kwargs.values()):
        return np.apply_along_axis(func1d, axis, arr, *args, **kwargs)
    arr = _arrays([arr])[0]
    shp = shape(arr)
    ax = normalize_axis("apply_along_axis", axis, len(shp), shp)
    moved = moveaxis(arr, ax, -1)
    outer = shape(moved)[:-1]
    if not builtins.all(outer):
        raise ValueError("Cannot apply_along_axis when any iteration dimensions are 0")
    results = [asanyarray(func1d(_getitem(moved, idx=ind + (Ellipsis,)), *args, **kwargs))
               for ind in np.ndindex(*outer)]
    res_shape = shape(results[0])
    buff = _reshape(stack(results), newshape=outer + res_shape)
    n, r = len(outer) + len(res_shape), len(res_shape)
    dims = list(range(n))
    return transpose(buff, dims[:ax] + dims[n - r:] + dims[ax:n - r])


def apply_over_axes(func, a, axes):
    """numpy.apply_over_axes: ``func(a, axis)`` for each axis in turn, the reduced
    axis kept."""
    if not _traced(a):
        return np.apply_over_axes(func, a, axes)
    val = _arrays([a])[0]
    n = len(shape(val))
    if np.ndim(axes) == 0:
        axes = (axes,)
    for axis in axes:
        if axis < 0:
            axis = n + axis
        res = func(val, axis)
        if len(shape(res)) != len(shape(val)):
            res = expand_dims(res, axis)
            if len(shape(res)) != len(shape(val)):
                raise ValueError("function is not returning an array of the correct shape")
        val = res
    return val


def piecewise(x, condlist, funclist, *args, **kw):
    """numpy.piecewise: each function evaluated on the elements its condition
    selects and written there (index_update); differentiable in ``x`` where the
    functions are."""
    if not _traced(x, *args, *kw.values()):
        return np.piecewise(x, _plain(condlist), funclist, *args, **kw)
    x = _arrays([x])[0]
    nd = len(shape(x))
    n2 = len(funclist)
    if np.isscalar(condlist) or (
            not isinstance(condlist[0], (list, np.ndarray, Box)) and nd != 0):
        condlist = [condlist]
    # the conditions as boolean masks of x's shape (per example under vmap)
    conds = [per_example(lambda c, v: np.broadcast_to(np.asarray(c, dtype=bool), v.shape),
                         c, x, aligned=True) for c in condlist]
    n = len(conds)
    if n == n2 - 1:
        conds.append(per_example(lambda *cs: ~np.any(cs, axis=0), *conds, aligned=True))
        n += 1
    elif n != n2:
        raise ValueError(f"with {n} condition(s), either {n} or {n + 1} functions are "
                         f"expected")
    y = np.zeros(shape(x), dtype=_dtype(x))
    for cond, func in zip(conds, funclist):
        if not callable(func):
            y = setitem_(y, func, cond)
        else:
            vals = getitem_(x, cond)
            if int(np.prod(shape(vals))) > 0:
                y = setitem_(y, func(vals, *args, **kw), cond)
    return y


__all__ = ["zeros_like", "ones_like", "empty_like", "full_like", "full", "array", "asarray",
           "asanyarray", "ascontiguousarray", "asfortranarray", "asarray_chkfinite",
           "require", "copy", "r_", "c_", "pad", "diag", "diagflat", "tril", "triu",
           "meshgrid", "linspace", "logspace", "diff", "gradient", "cross", "select",
           "ediff1d", "vander", "geomspace", "apply_along_axis", "apply_over_axes",
           "piecewise"]
