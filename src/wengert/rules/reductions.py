"""Reductions: sum, prod, max and min (primitives over ``axis``/``keepdims``), the
linear scan cumsum, and what is built on them (mean, var, std, cumprod, argmax, ptp,
average, the nan-reductions, and median and the quantiles, which gather order
statistics with getitem). ``where=`` and ``initial=`` work as in numpy: elements
masked out, and an ``initial`` that wins, get no derivative."""

import builtins

import math

import numpy as np

from ..core.primitive import Primitive
from ..core.trace import Box, is_boxed, unbox_all
from ._base import (batch_traces, batched, example, float_dtype, full_like_kind, kind_like,
                    linear, no_out, nondiff, normalize_axis, per_example, shape, reduction)
from ._base import to_front as _to_front
from .arithmetic import multiply
from .indexing import _getitem, _where, getitem_
from .shape import _concatenate, _inverse_perm, _reshape, _transpose


def _reduced_axes(who, axis, ndim):
    """The axes a reduction over ``axis`` removes, as a tuple (all of them for None)."""
    if axis is None:
        return tuple(range(ndim))
    axes = normalize_axis(who, axis, ndim)
    return axes if isinstance(axes, tuple) else (axes,)


def _checked_axis(who, a, axis):
    """A reduction's ``axis`` option, checked against ``a`` and made non-negative
    (None stays None, a list becomes a tuple). numpy lets a 0-d array reduce over
    axis 0 or -1 as over no axis at all; so does this."""
    if axis is None:
        return None
    shp = shape(a)
    if not shp and isinstance(axis, (int, np.integer)) and axis in (0, -1):
        return ()
    return normalize_axis(who, _axis(axis), len(shp), shp)


def _restore(g, x, axis, keepdims, who="sum"):
    """Broadcast a reduced cotangent ``g`` back to the shape of ``x``."""
    from .shape import _broadcast_to
    x_shape = shape(x)
    g = kind_like(g, x)
    if not keepdims:
        axes = _reduced_axes(who, axis, len(x_shape))
        kept = tuple(1 if i in axes else n for i, n in enumerate(x_shape))
        g = _reshape(g, newshape=kept)
    return _broadcast_to(g, shape=x_shape)


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


# ---------------------------------------------------------------- sum (linear)

def _sum_impl(x, axis=None, keepdims=False, dtype=None):
    return np.sum(x, axis=axis, keepdims=keepdims, dtype=dtype)


_sum = Primitive(
    "sum", _sum_impl,
    jvps=(lambda t, ans, x, **p: _sum(t, **p),),
    vjps=(lambda g, ans, x, axis=None, keepdims=False, dtype=None:
          _restore(g, x, axis, keepdims),))


_NoValue = np._NoValue  # numpy's "not given", for initial= and where=


def _extras(**kwargs):
    """The keyword options that were given (numpy's own default is "not given")."""
    return {k: v for k, v in kwargs.items() if v is not _NoValue}


def _mask(where):
    """A ``where=`` mask as a boolean constant (one per example under vmap)."""
    return _const(lambda m: np.asarray(m, dtype=bool), where)


def _const(fn, *args):
    """``fn`` (elementwise, numpy broadcasting) of the values of ``args``: a constant,
    computed per example under vmap."""
    return per_example(fn, *args, aligned=True)


def _anywhere(c):
    """Whether a constant mask holds anywhere (in any example)."""
    return bool(np.any(unbox_all(c)))


def _checks(np_fn, *args, **kwargs):
    """numpy's own function on one example, for its checks and warnings."""
    return np_fn(*(example(a) for a in args), **{k: example(v) for k, v in kwargs.items()})


def _plain_reduce(np_fn, a, axis, keepdims=False, where=_NoValue, **kwargs):
    """``np_fn(values of a, axis=axis, ...)`` (a numpy reduction: sum, nanvar, ...)
    as a constant, one call on the whole batch under vmap with the axes counted
    past the batch axes; ``where=`` broadcast to ``a`` first."""
    nd = len(shape(a))
    axes = _reduced_axes("reduction", _axis(axis), nd)

    def run(v, *rest):
        k, v = rest[-1], np.asarray(v)
        extra = {}
        if len(rest) == 2:
            w = np.asarray(rest[0])
            w = w.reshape(w.shape[:k] + (1,) * (v.ndim - w.ndim) + w.shape[k:])
            extra["where"] = np.broadcast_to(w, v.shape)
        return np_fn(v, axis=tuple(k + i for i in axes), keepdims=keepdims, **extra,
                     **kwargs)

    return per_example(run, a, *(() if where is _NoValue else (where,)), lead=True)


def _masked(a, where, fill):
    """``a`` with ``fill`` where the ``where=`` mask is False (a constant there, so
    those elements get no derivative); ``a`` itself when no mask was given."""
    if where is _NoValue:
        return a
    mask = _mask(where)
    return a if np.all(unbox_all(mask)) else _where(mask, a, fill)


def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=_NoValue,
        where=_NoValue):
    """numpy.sum; elements masked out by ``where=`` get no derivative.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda x: wnp.sum(x * x))(wnp.array([1.0, 2.0]))
    array([2., 4.])
    >>> wg.grad(lambda x: wnp.sum(x, where=x > 1.5, initial=1.0))(wnp.array([1.0, 2.0]))
    array([0., 1.])
    """
    no_out("sum", out)
    extras = _extras(initial=initial, where=where)
    if not extras:
        return _sum(a, axis=_checked_axis("sum", a, axis), keepdims=keepdims, dtype=dtype)
    if not is_boxed(a):
        return np.sum(a, axis=_axis(axis), dtype=dtype, keepdims=keepdims, **extras)
    _checks(np.sum, a, axis=_axis(axis), keepdims=keepdims, **extras)  # numpy's checks
    x = _masked(a, where, 0.0)
    r = _sum(x, axis=_checked_axis("sum", x, axis), keepdims=keepdims, dtype=dtype)
    return r if initial is _NoValue else r + initial


# ---------------------------------------------------------------- prod

def _pairwise_others(rows):
    """For ``rows`` of shape (n, ...), the product over axis 0 of every row but the
    one in place: out[i] = prod_{j != i} rows[j], with no division, so zeros are fine.

    Multiply the rows pairwise in a tree (log2 n levels), then run the tree backwards
    from 1: at a node a*b the left child gets (what came down) * b and the right
    child (what came down) * a. Only multiply, slicing and concatenation are used,
    so the result is differentiable again (the tree of JAX's _reduce_prod_tree,
    read backwards)."""
    n = shape(rows)[0]
    rest = shape(rows)[1:]
    dt = float_dtype(rows)  # ones of float64 would make a float32 derivative float64
    if n <= 1:
        return full_like_kind((n,) + rest, 1, dt, rows)
    levels = []
    x = rows
    while n > 1:
        if n % 2:  # pad to an even count with a row of ones
            x = _concatenate(x, full_like_kind((1,) + rest, 1, dt, rows), axis=0)
        a = _getitem(x, idx=slice(0, None, 2))
        b = _getitem(x, idx=slice(1, None, 2))
        levels.append((a, b, n))
        x = multiply(a, b)
        n = (n + 1) // 2
    down = full_like_kind((1,) + rest, 1, dt, rows)
    for a, b, n in reversed(levels):
        left, right = multiply(down, b), multiply(down, a)
        # interleave: left children are the even rows, right children the odd ones
        pair = _concatenate(_reshape(left, newshape=(shape(left)[0], 1) + rest),
                            _reshape(right, newshape=(shape(right)[0], 1) + rest), axis=1)
        down = _reshape(pair, newshape=(2 * shape(left)[0],) + rest)
        if shape(down)[0] != n:
            down = _getitem(down, idx=slice(0, n))
    return down


def _prod_others(x, axis):
    """Shaped like ``x``: each element's partial derivative of prod(x, axis), that
    is the product of the other elements reduced with it."""
    x_shape = shape(x)
    nd = len(x_shape)
    axes = _reduced_axes("prod", axis, nd)
    if nd == 0:
        return 1.0
    keep = tuple(i for i in range(nd) if i not in axes)
    perm = tuple(axes) + keep  # reduced axes first, flattened into one
    n = int(np.prod([x_shape[i] for i in axes]))
    rows = _reshape(_transpose(x, axes=perm),
                    newshape=(n,) + tuple(x_shape[i] for i in keep))
    others = _reshape(_pairwise_others(rows), newshape=tuple(x_shape[i] for i in perm))
    return _transpose(others, axes=_inverse_perm(perm))


def _prod_impl(x, axis=None, keepdims=False, dtype=None):
    return np.prod(x, axis=axis, keepdims=keepdims, dtype=dtype)


# d prod / d x_i = prod_{j != i} x_j, computed without dividing by x_i (exact at zeros)
_prod = Primitive(
    "prod", _prod_impl,
    jvps=(lambda t, ans, x, axis=None, keepdims=False, dtype=None:
          _sum(multiply(t, _prod_others(x, axis)), axis=axis, keepdims=keepdims),),
    vjps=(lambda g, ans, x, axis=None, keepdims=False, dtype=None:
          multiply(_restore(g, x, axis, keepdims, "prod"), _prod_others(x, axis)),))


def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=_NoValue,
         where=_NoValue):
    """numpy.prod; the derivative is right where elements are zero, and elements
    masked out by ``where=`` get none.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(wnp.prod)(wnp.array([2.0, 0.0, 3.0]))
    array([0., 6., 0.])
    """
    no_out("prod", out)
    extras = _extras(initial=initial, where=where)
    if not extras:
        return _prod(a, axis=_checked_axis("prod", a, axis), keepdims=keepdims, dtype=dtype)
    if not is_boxed(a):
        return np.prod(a, axis=_axis(axis), dtype=dtype, keepdims=keepdims, **extras)
    _checks(np.prod, a, axis=_axis(axis), keepdims=keepdims, **extras)  # numpy's checks
    x = _masked(a, where, 1.0)
    r = _prod(x, axis=_checked_axis("prod", x, axis), keepdims=keepdims, dtype=dtype)
    return r if initial is _NoValue else r * initial


# ---------------------------------------------------------------- max and min

def _tie_weights(who, x, ans, axis, keepdims):
    """1/k on each of the k elements that attain the extremum of their group, 0
    elsewhere: the cotangent is shared evenly among ties (as JAX and autograd do).
    Piecewise constant, so a plain array, in x's float dtype."""
    dt = float_dtype(x)
    axes = _reduced_axes(who, axis, len(shape(x)))

    def weights(x, ans, k):  # k leading batch axes (vmap)
        ax = tuple(k + a for a in axes)
        hit = np.equal(x, ans if keepdims else np.expand_dims(ans, ax))
        count = np.sum(hit, axis=ax, keepdims=True)
        return (hit / np.maximum(count, 1)).astype(dt)  # a group of NaNs: no derivative

    return per_example(weights, x, ans, lead=True)


def _extremum(name, np_fn):
    def impl(x, axis=None, keepdims=False):
        return np_fn(x, axis=axis, keepdims=keepdims)

    # linear with fixed weights around the current point: JVP sum(w t), VJP w g
    return Primitive(
        name, impl,
        jvps=(lambda t, ans, x, axis=None, keepdims=False:
              _sum(multiply(t, _tie_weights(name, x, ans, axis, keepdims)),
                   axis=axis, keepdims=keepdims),),
        vjps=(lambda g, ans, x, axis=None, keepdims=False:
              multiply(_restore(g, x, axis, keepdims, name),
                       _tie_weights(name, x, ans, axis, keepdims)),))


_max = _extremum("max", np.max)
_min = _extremum("min", np.min)


def _extremum_call(who, prim, np_fn, a, axis, keepdims, initial, where):
    extras = _extras(initial=initial, where=where)
    if not extras:
        return prim(a, axis=_checked_axis(who, a, axis), keepdims=keepdims)
    if not is_boxed(a):
        return np_fn(a, axis=_axis(axis), keepdims=keepdims, **extras)
    # numpy's checks (where= needs initial= for a group that may be empty)
    _checks(np_fn, a, axis=_axis(axis), keepdims=keepdims, **extras)
    x = _masked(a, where, -np.inf if who == "max" else np.inf)
    r = prim(x, axis=_checked_axis(who, x, axis), keepdims=keepdims)
    if initial is _NoValue:
        return r
    # initial takes part in the comparison; where it wins the result is that
    # constant, with no derivative (a tie stays with a's element)
    beaten = _const(np.less if who == "max" else np.greater, r, initial)
    return _where(beaten, initial, r) if _anywhere(beaten) else r


def max(a, axis=None, out=None, keepdims=False, initial=_NoValue, where=_NoValue):
    """numpy.max; tied maxima share the derivative evenly, and where ``initial``
    wins (or ``where=`` masks an element out) there is none.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(wnp.max)(wnp.array([1.0, 3.0, 3.0]))
    array([0. , 0.5, 0.5])
    """
    no_out("max", out)
    return _extremum_call("max", _max, np.max, a, axis, keepdims, initial, where)


def min(a, axis=None, out=None, keepdims=False, initial=_NoValue, where=_NoValue):
    """numpy.min; tied minima share the derivative evenly.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(wnp.min)(wnp.array([1.0, 3.0, -2.0]))
    array([0., 0., 1.])
    """
    no_out("min", out)
    return _extremum_call("min", _min, np.min, a, axis, keepdims, initial, where)


def ptp(a, axis=None, out=None, keepdims=False):
    """numpy.ptp: max - min along ``axis``.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(wnp.ptp)(wnp.array([1.0, 3.0, -2.0]))
    array([ 0.,  1., -1.])
    """
    no_out("ptp", out)
    if not is_boxed(a):
        return np.ptp(a, axis=_axis(axis), keepdims=keepdims)
    return max(a, axis=axis, keepdims=keepdims) - min(a, axis=axis, keepdims=keepdims)


amax = max
amin = min
argmax = nondiff("argmax", np.argmax, along=True)
argmin = nondiff("argmin", np.argmin, along=True)
argsort = nondiff("argsort", np.argsort, along=True, axis=-1)
all = nondiff("all", np.all, along=True)
any = nondiff("any", np.any, along=True)
nonzero = nondiff("nonzero", np.nonzero)
count_nonzero = nondiff("count_nonzero", np.count_nonzero, along=True)


# ---------------------------------------------------------------- cumulative ops

def _along(axis, index):
    """An index tuple that applies ``index`` on (non-negative) ``axis``."""
    return (slice(None),) * axis + (index,)


def _reverse(x, axis):
    return _getitem(x, idx=_along(normalize_axis("cumsum", axis, len(shape(x))),
                                  slice(None, None, -1)))


# cumsum is linear; its VJP is the cumulative sum taken from the other end
_cumsum = linear(
    "cumsum", lambda x, *, axis: np.cumsum(x, axis=axis),
    lambda g, ans, x, *, axis: _reverse(_cumsum(_reverse(g, axis), axis=axis), axis))


def _batch_cumsum(vals, dims, axis):
    x = _to_front(vals[0], dims[0])
    return _cumsum(x, axis=axis % (len(shape(x)) - 1) + 1), 0


_cumsum.batch = _batch_cumsum


def _flat_axis(who, a, axis):
    """numpy's axis=None for scans: the flattened array along axis 0; otherwise
    ``a`` and its axis, checked and made non-negative."""
    if axis is None:
        return _reshape(a, newshape=(-1,)), 0
    return a, normalize_axis(who, axis, len(shape(a)), shape(a))


def cumsum(a, axis=None, dtype=None, out=None):
    """numpy.cumsum.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda x: wnp.sum(wnp.cumsum(x)))(wnp.ones(3))
    array([3., 2., 1.])
    """
    no_out("cumsum", out)
    if dtype is not None and not is_boxed(a):
        a = np.asarray(a, dtype=dtype)
    a, axis = _flat_axis("cumsum", a, axis)
    return _cumsum(a, axis=axis)


def cumprod(a, axis=None, dtype=None, out=None):
    """numpy.cumprod. On traced values it is a scan of multiplies (Hillis-Steele:
    log2 n rounds of x[d:] * x[:-d]), so every derivative is right at zeros too;
    the traced value may then differ from numpy's by rounding.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda x: wnp.cumprod(x)[-1])(wnp.array([2.0, 0.0, 3.0]))
    array([0., 6., 0.])
    """
    no_out("cumprod", out)
    a, axis = _flat_axis("cumprod", a, axis)
    if not is_boxed(a):
        return np.cumprod(a, axis=axis, dtype=dtype)
    n = shape(a)[axis]
    d = 1
    while d < n:
        head = _getitem(a, idx=_along(axis, slice(0, d)))
        tail = multiply(_getitem(a, idx=_along(axis, slice(d, None))),
                        _getitem(a, idx=_along(axis, slice(0, n - d))))
        a = _concatenate(head, tail, axis=axis)
        d *= 2
    return a


# ---------------------------------------------------------------- composites on sum

def _count(who, a, axis):
    shp = shape(a)
    if axis is None:
        return math.prod(shp)
    return math.prod(shp[i] for i in _reduced_axes(who, _axis(axis), len(shp)))


def _where_counts(a, axis, where, keepdims):
    """Per output element, how many elements of ``a`` the ``where=`` mask keeps (a
    plain integer array)."""
    return _plain_reduce(lambda v, axis, keepdims, where: np.sum(where, axis=axis,
                                                                 keepdims=keepdims),
                         a, axis, keepdims, _mask(where))


def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=_NoValue):
    """numpy.mean (sum divided by the count; with ``where=``, of the kept elements)."""
    no_out("mean", out)
    if where is _NoValue:
        n = _count("mean", a, axis)
        return sum(a, axis=axis, keepdims=keepdims) / float(n)
    if not is_boxed(a):
        return np.mean(a, axis=_axis(axis), dtype=dtype, keepdims=keepdims, where=where)
    return (sum(a, axis=axis, keepdims=keepdims, where=where)
            / _where_counts(a, axis, where, keepdims))


def _var_and_counts(who, a, axis, ddof, keepdims, where, mean_):
    """numpy's var (mean squared deviation divided by max(N - ddof, 0)) and N, the
    count behind each output element (an int, or an array with ``where=``)."""
    if where is _NoValue:
        n = _count(who, a, axis)
        n_keep = float(n)
    else:
        n = _where_counts(a, axis, where, keepdims)
        n_keep = _where_counts(a, axis, where, True)
    if mean_ is _NoValue:
        mean_ = sum(a, axis=axis, keepdims=True, where=where) / n_keep
    d = a - mean_
    ss = sum(d * d, axis=axis, keepdims=keepdims, where=where)
    if where is _NoValue:
        return ss / float(builtins.max(n - ddof, 0)), n
    return ss / np.maximum(n - ddof, 0), n


def _ddof(who, ddof, correction):
    if correction is _NoValue:
        return ddof
    if ddof != 0:
        raise ValueError(f"{who}: ddof and correction can't be given together")
    return correction


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=_NoValue,
        mean=_NoValue, correction=_NoValue):
    """numpy.var: mean squared deviation (divided by N - ddof; ``correction`` is
    another name for ddof). Of a single element it is 0, with derivative 0."""
    no_out("var", out)
    ddof = _ddof("var", ddof, correction)
    if not is_boxed(a) and _extras(where=where, mean=mean):
        return np.var(a, axis=_axis(axis), dtype=dtype, ddof=ddof, keepdims=keepdims,
                      **_extras(where=where, mean=mean))
    return _var_and_counts("var", a, axis, ddof, keepdims, where, mean)[0]


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=_NoValue,
        mean=_NoValue, correction=_NoValue):
    """numpy.std: the square root of var. Over a single element (ddof < 1) it is 0
    whatever that element is, so its derivative is 0 there (sqrt alone would give
    0 * inf = nan).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(wnp.std)(wnp.array([2.0]))
    array([0.])
    """
    from .elementwise import sqrt
    no_out("std", out)
    ddof = _ddof("std", ddof, correction)
    if not is_boxed(a) and _extras(where=where, mean=mean):
        return np.std(a, axis=_axis(axis), dtype=dtype, ddof=ddof, keepdims=keepdims,
                      **_extras(where=where, mean=mean))
    v, n = _var_and_counts("std", a, axis, ddof, keepdims, where, mean)
    single = _const(lambda n: np.logical_and(np.equal(n, 1), np.greater(n - ddof, 0)), n)
    if mean is not _NoValue or not is_boxed(v) or not _anywhere(single):
        return sqrt(v)
    # where one element is reduced, v = 0 identically: the constant 0 is the answer,
    # and sqrt sees 1 there so that its derivative is finite in the branch not taken
    return _where(single, 0.0, sqrt(_where(single, 1.0, v)))


# ---------------------------------------------------------------- nan-reductions

def _nan_filled(a, fill):
    """``a`` with ``fill`` in place of its nans (constants there: no derivative) and
    the mask of the numbers."""
    ok = _const(lambda v: ~np.isnan(v), a)
    return (a if np.all(unbox_all(ok)) else _where(ok, a, fill)), ok


def _and_where(ok, where):
    return ok if where is _NoValue else _const(np.logical_and, ok, _mask(where))


def nansum(a, axis=None, dtype=None, out=None, keepdims=False, initial=_NoValue,
           where=_NoValue):
    """numpy.nansum: nan counts as 0, and gets derivative 0.

    >>> import numpy as np, wengert as wg, wengert.numpy as wnp
    >>> wg.grad(wnp.nansum)(np.array([1.0, np.nan, 3.0]))
    array([1., 0., 1.])
    """
    if not is_boxed(a):
        return np.nansum(a, axis=_axis(axis), dtype=dtype, out=out, keepdims=keepdims,
                         **_extras(initial=initial, where=where))
    no_out("nansum", out)
    x, _ = _nan_filled(a, 0.0)
    return sum(x, axis=axis, dtype=dtype, keepdims=keepdims, initial=initial, where=where)


def nanprod(a, axis=None, dtype=None, out=None, keepdims=False, initial=_NoValue,
            where=_NoValue):
    """numpy.nanprod: nan counts as 1, and gets derivative 0."""
    if not is_boxed(a):
        return np.nanprod(a, axis=_axis(axis), dtype=dtype, out=out, keepdims=keepdims,
                          **_extras(initial=initial, where=where))
    no_out("nanprod", out)
    x, _ = _nan_filled(a, 1.0)
    return prod(x, axis=axis, dtype=dtype, keepdims=keepdims, initial=initial, where=where)


def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=_NoValue):
    """numpy.nanmean: the mean of the numbers (nan for a slice of nans only, with
    numpy's warning); nans get derivative 0."""
    if not is_boxed(a):
        return np.nanmean(a, axis=_axis(axis), dtype=dtype, out=out, keepdims=keepdims,
                          **_extras(where=where))
    no_out("nanmean", out)
    _checks(np.nanmean, a, axis=_axis(axis), keepdims=keepdims, **_extras(where=where))
    x, ok = _nan_filled(a, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):  # numpy warned above
        return mean(x, axis=axis, keepdims=keepdims, where=_and_where(ok, where))


def _nan_moment(who, np_fn, fn, a, axis, dtype, out, ddof, keepdims, where, mean_,
                correction):
    if not is_boxed(a):
        return np_fn(a, axis=_axis(axis), dtype=dtype, out=out, ddof=ddof,
                     keepdims=keepdims, **_extras(where=where, mean=mean_,
                                                  correction=correction))
    no_out(who, out)
    _checks(np_fn, a, axis=_axis(axis), ddof=ddof, keepdims=keepdims,
            **_extras(where=where, mean=mean_, correction=correction))
    plain = _plain_reduce(np_fn, a, axis, keepdims, where,
                          **_extras(ddof=ddof, mean=mean_, correction=correction))
    ddof = _ddof(who, ddof, correction)
    x, ok = _nan_filled(a, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):  # numpy warned above
        r = fn(x, axis=axis, ddof=ddof, keepdims=keepdims, where=_and_where(ok, where),
               mean=mean_)
    bad = _const(np.isnan, plain)  # too few numbers (N - ddof <= 0): nan, as numpy gives
    return _where(bad, np.nan, r) if _anywhere(bad) else r


def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=_NoValue,
           mean=_NoValue, correction=_NoValue):
    """numpy.nanvar: the variance of the numbers; nans get derivative 0."""
    return _nan_moment("nanvar", np.nanvar, var, a, axis, dtype, out, ddof, keepdims,
                       where, mean, correction)


def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=_NoValue,
           mean=_NoValue, correction=_NoValue):
    """numpy.nanstd: the standard deviation of the numbers; nans get derivative 0
    (and so does a slice with a single number)."""
    return _nan_moment("nanstd", np.nanstd, std, a, axis, dtype, out, ddof, keepdims,
                       where, mean, correction)


def _nan_extremum(who, np_fn, fn, fill, a, axis, out, keepdims, initial, where):
    if not is_boxed(a):
        return np_fn(a, axis=_axis(axis), out=out, keepdims=keepdims,
                     **_extras(initial=initial, where=where))
    no_out(who, out)
    _checks(np_fn, a, axis=_axis(axis), keepdims=keepdims,
            **_extras(initial=initial, where=where))  # numpy's checks and warning
    plain = _plain_reduce(np_fn, a, axis, keepdims, where, **_extras(initial=initial))
    x, ok = _nan_filled(a, fill)
    r = fn(x, axis=axis, keepdims=keepdims, initial=initial, where=where)
    bad = _const(np.isnan, plain)  # a slice of nans only
    return _where(bad, np.nan, r) if _anywhere(bad) else r


def nanmax(a, axis=None, out=None, keepdims=False, initial=_NoValue, where=_NoValue):
    """numpy.nanmax: the largest number, nans ignored (and given derivative 0)."""
    return _nan_extremum("nanmax", np.nanmax, max, -np.inf, a, axis, out, keepdims,
                         initial, where)


def nanmin(a, axis=None, out=None, keepdims=False, initial=_NoValue, where=_NoValue):
    """numpy.nanmin: the smallest number, nans ignored (and given derivative 0)."""
    return _nan_extremum("nanmin", np.nanmin, min, np.inf, a, axis, out, keepdims,
                         initial, where)


# ---------------------------------------------------------------- average

def average(a, axis=None, weights=None, returned=False, *, keepdims=_NoValue):
    """numpy.average, differentiable in ``a`` and in ``weights``: sum(a w) / sum(w)
    along ``axis``; with ``returned`` also sum(w) (the count without weights), as
    numpy returns it.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda w: wnp.average(wnp.array([1.0, 3.0]), weights=w))(wnp.array([1.0, 1.0]))
    array([-0.5,  0.5])
    """
    kd = _extras(keepdims=keepdims)
    if not is_boxed(a) and not is_boxed(weights):
        return np.average(a, axis=_axis(axis), weights=weights, returned=returned, **kd)
    # numpy's checks (shapes, weights summing to zero)
    _checks(np.average, a, axis=_axis(axis), weights=weights, **kd)
    keep = bool(kd.get("keepdims", False))
    a_shape = shape(a)
    if weights is None:
        avg = mean(a, axis=axis, keepdims=keep)
        scl = float(np.prod(a_shape) / np.prod(shape(avg))) if a_shape else 1.0
        scl = np.full(shape(avg), scl, dtype=float_dtype(avg))
        return (avg, scl[()] if scl.ndim == 0 else scl) if returned else avg
    w = weights
    w_shape = shape(w)
    if w_shape != a_shape:
        axes = _reduced_axes("average", _axis(axis), len(a_shape))
        order = tuple(int(i) for i in np.argsort(axes))
        if order != tuple(range(len(order))):
            w = _transpose(w, axes=order)
        w = _reshape(w, newshape=tuple(n if i in axes else 1 for i, n in enumerate(a_shape)))
    scl = sum(w, axis=axis, keepdims=keep)
    avg = sum(multiply(a, w), axis=axis, keepdims=keep) / scl
    if not returned:
        return avg
    if shape(scl) != shape(avg):
        from .shape import _broadcast_to
        scl = _broadcast_to(scl, shape=shape(avg))
    return avg, scl


# ---------------------------------------------------------------- quantiles

# numpy's methods with a continuous virtual index n q + alpha + q (1 - alpha - beta) - 1
# (Hyndman and Fan); linear is (n - 1) q, written as numpy writes it
_HF = {"interpolated_inverted_cdf": (0.0, 1.0), "hazen": (0.5, 0.5), "weibull": (0.0, 0.0),
       "median_unbiased": (1 / 3.0, 1 / 3.0), "normal_unbiased": (3 / 8.0, 3 / 8.0)}
_DISCRETE = ("inverted_cdf", "closest_observation", "lower", "higher", "nearest")


def _discrete_index(method, n, q):
    """The order statistic a discrete method picks, as numpy picks it."""
    if method == "lower":
        return np.floor((n - 1) * q).astype(np.intp)
    if method == "higher":
        return np.ceil((n - 1) * q).astype(np.intp)
    if method == "nearest":
        return np.around((n - 1) * q).astype(np.intp)
    if method == "inverted_cdf":
        index = n * q - 1
        prev = np.floor(index)
        res = np.where(index - prev == 0, prev, prev + 1)
    else:  # closest_observation: the nearest even order statistic (1-based) at a tie
        index = n * q - 1 - 0.5
        prev = np.floor(index)
        res = np.where((index - prev == 0) & (prev % 2 == 1), prev, prev + 1)
    return np.maximum(res, 0).astype(np.intp)


def _virtual_index(method, n, q):
    """numpy's virtual index of the quantile ``q`` among ``n`` sorted values (traced
    in q for the continuous methods)."""
    if method == "linear":
        return (n - 1) * q
    if method in _HF:
        alpha, beta = _HF[method]
        return n * q + (alpha + q * (1 - alpha - beta)) - 1
    if method == "averaged_inverted_cdf":
        return n * q - 1
    if method == "midpoint":
        return 0.5 * (np.floor((n - 1) * q) + np.ceil((n - 1) * q))
    raise ValueError(f"quantile: {method!r} is not a valid method")


def _interpolation(method, n, q):
    """``(previous, next, gamma)``: the two order statistics numpy interpolates
    between and the weight of the second, as numpy computes them; gamma is traced
    where ``q`` is (the derivative in q) and plain otherwise. The counts ``n`` and
    ``q`` may differ between the examples of a vmap: the indices are then computed
    per example."""
    prev, nxt, prev_for_gamma, gamma = _const(
        lambda n, q: _interpolation_plain(method, n, np.asarray(q, dtype=float)), n, q)
    if method not in ("averaged_inverted_cdf", "midpoint"):
        gamma = _virtual_index(method, n, q) - prev_for_gamma
    return prev, nxt, gamma


def _interpolation_plain(method, n, q_plain):
    v_plain = np.asarray(_virtual_index(method, n, q_plain), dtype=float)
    prev = np.array(np.floor(v_plain))
    nxt = np.array(prev + 1)
    last = np.broadcast_to(np.asarray(n) - 1, v_plain.shape)  # n: a count per group too
    above = v_plain >= last
    prev[above] = nxt[above] = last[above]
    below = v_plain < 0
    prev[below] = nxt[below] = 0
    nans = np.isnan(v_plain)
    prev[nans] = nxt[nans] = last[nans]
    if above.any():  # numpy marks these -1 (the last element); gamma is taken from that
        prev_for_gamma = np.where(above, -1.0, prev)
    else:
        prev_for_gamma = prev
    if method == "averaged_inverted_cdf":
        gamma = np.where(v_plain - prev_for_gamma == 0, 0.5, 1.0)
    elif method == "midpoint":
        gamma = np.where(v_plain % 1 == 0, 0.0, 0.5)
    else:
        gamma = np.zeros(v_plain.shape)
    return prev.astype(np.intp), nxt.astype(np.intp), prev_for_gamma, gamma


def _rows(who, a, axis):
    """``a`` as a 2-d (groups, n) array, the reduced axes last and merged, with the
    shape of the groups and the shape keepdims would give."""
    a_shape = shape(a)
    nd = len(a_shape)
    axes = _reduced_axes(who, _axis(axis), nd)
    keep = tuple(i for i in range(nd) if i not in axes)
    perm = keep + axes
    x = a if perm == tuple(range(nd)) else _transpose(a, axes=perm)
    groups = tuple(a_shape[i] for i in keep)
    n = int(np.prod([a_shape[i] for i in axes], dtype=np.int64))
    x = _reshape(x, newshape=(int(np.prod(groups, dtype=np.int64)), n))
    kept = tuple(1 if i in axes else a_shape[i] for i in range(nd))
    return x, groups, kept, n


def _order_stats(rows, order, positions):
    """The ``positions``-th smallest element (an int array of shape Q) of every row:
    shape Q + (groups,), one getitem of the traced rows."""
    groups = shape(rows)[0]
    r = np.arange(groups).reshape((1,) * len(shape(positions)) + (-1,))
    cols = per_example(lambda o, p, k: _take_last(o, np.asarray(p)[..., None], k),
                       order, positions, lead=True)
    return getitem_(rows, (r, cols))


def _take_last(order, positions, k):
    """``order[g, positions[..., g]]`` for every group g (the last axis of
    ``positions``), with ``k`` leading batch axes on both: one take_along_axis."""
    q = positions.ndim - k - 1
    o = order.reshape(order.shape[:k] + (1,) * q + order.shape[k:])
    return np.take_along_axis(o, positions[..., None], axis=-1)[..., 0]


def _lerp(lo, hi, t):
    """numpy's lerp, the same arithmetic: from the nearer end."""
    diff = hi - lo
    return _where(_const(lambda t: np.asarray(t) >= 0.5, t),
                  hi - diff * (1.0 - t), lo + diff * t)


def _quantile(who, a, q, axis, keepdims, method, median=False):
    x, groups, kept, n = _rows(who, a, axis)
    order = per_example(lambda v, k: np.argsort(v, axis=-1), x, lead=True)  # nans last
    floats = np.result_type(example(x)).kind in "fc"
    has_nan = _const(lambda v: np.isnan(v).any(axis=-1), x) if floats else None
    q = q if isinstance(q, Box) else np.asarray(q, dtype=float)
    q_shape = shape(q)
    out_shape = q_shape + (kept if keepdims else groups)
    if median:
        lo = _order_stats(x, order, np.asarray((n - 1) // 2))
        if n % 2:
            r = lo
        else:
            r = (lo + _order_stats(x, order, np.asarray(n // 2))) / 2.0
    elif method in _DISCRETE:
        r = _order_stats(x, order, _const(
            lambda q: _discrete_index(method, n, np.asarray(q, dtype=float)), q))
    else:
        prev, nxt, gamma = _interpolation(method, n, q)
        lo = _order_stats(x, order, prev)
        hi = _order_stats(x, order, nxt)
        r = _lerp(lo, hi, _reshape(gamma, newshape=q_shape + (1,)) if is_boxed(gamma)
                  else np.reshape(gamma, q_shape + (1,)))
    if has_nan is not None and _anywhere(has_nan):
        r = _where(has_nan, np.nan, r)
    return _reshape(r, newshape=out_shape)


def _quantile_call(who, np_fn, a, q, axis, out, overwrite_input, method, keepdims, weights,
                   scale=None):
    extras = {} if weights is None else {"weights": weights}
    if not is_boxed(a) and not is_boxed(q) and not is_boxed(weights):
        return np_fn(a, q, axis=_axis(axis), out=out, overwrite_input=overwrite_input,
                     method=method, keepdims=keepdims, **extras)
    no_out(who, out)
    if weights is not None:
        raise NotImplementedError(f"{who}: weights= is not supported on traced values")
    # numpy's checks: the range of q, the method's name, the axes
    _checks(np_fn, a, q, axis=_axis(axis), method=method, keepdims=keepdims)
    if scale is not None:
        q = q / scale if is_boxed(q) else np.true_divide(q, scale)
    return _quantile(who, a, q, axis, keepdims, method)


def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
             keepdims=False, *, weights=None):
    """numpy.quantile, differentiable in ``a`` and in ``q``: the derivative in ``a``
    goes to the two order statistics it interpolates between, with the
    interpolation weights (one of them for the discrete methods), and in ``q`` it is
    the slope between them. Every method but weighted ones; ties follow argsort.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda x: wnp.quantile(x, 0.25))(wnp.array([4.0, 1.0, 3.0]))
    array([0. , 0.5, 0.5])
    """
    return _quantile_call("quantile", np.quantile, a, q, axis, out, overwrite_input, method,
                          keepdims, weights)


def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
               keepdims=False, *, weights=None):
    """numpy.percentile: quantile with ``q`` in percent."""
    return _quantile_call("percentile", np.percentile, a, q, axis, out, overwrite_input,
                          method, keepdims, weights, scale=100.0)


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """numpy.median: the middle order statistic (the mean of the middle two for an
    even count), nan where a slice holds a nan; the derivative is one-hot (or split
    in halves), following argsort at ties.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(wnp.median)(wnp.array([4.0, 1.0, 3.0]))
    array([0., 0., 1.])
    """
    if not is_boxed(a):
        return np.median(a, axis=_axis(axis), out=out, overwrite_input=overwrite_input,
                         keepdims=keepdims)
    no_out("median", out)
    _checks(np.median, a, axis=_axis(axis), keepdims=keepdims)  # numpy's checks
    return _quantile("median", a, 0.5, axis, keepdims, "linear", median=True)


# ---------------------------------------------------------------- nan-quantiles

def _gather_rows(rows, order, positions):
    """``rows[g, order[g, positions[..., g]]]``: for each group g (the last axis of
    ``positions``) its order statistic at that position, one getitem."""
    r = np.arange(shape(rows)[0]).reshape((1,) * (len(shape(positions)) - 1) + (-1,))
    return getitem_(rows, (r, per_example(lambda o, p, k: _take_last(o, np.asarray(p), k),
                                          order, positions, lead=True)))


def _nan_quantile(who, a, q, axis, keepdims, method, median=False):
    """quantile (or median) of the numbers of each group, nans left out as numpy's
    nan-functions leave them out: each group has its own count k, and a group of nans
    only gives nan."""
    x, groups, kept, _ = _rows(who, a, axis)
    # nans sort last: the k numbers come first
    order = per_example(lambda v, k: np.argsort(v, axis=-1), x, lead=True)
    k = _const(lambda v: np.sum(~np.isnan(v), axis=-1), x)
    empty = _const(lambda k: k == 0, k)
    k = _const(lambda k: np.where(k == 0, 1, k), k)  # a group of nans reads its first
    q = q if isinstance(q, Box) else np.asarray(q, dtype=float)
    q_shape = shape(q)
    out_shape = q_shape + (kept if keepdims else groups)
    if median:
        lo = _gather_rows(x, order, _const(lambda k: (k - 1) // 2, k))
        hi = _gather_rows(x, order, _const(lambda k: k // 2, k))
        odd = _const(lambda k: k % 2 == 1, k)
        r = _where(odd, lo, (lo + hi) / 2.0) if not np.all(unbox_all(odd)) else lo
    else:
        qb = _reshape(q, newshape=q_shape + (1,)) if is_boxed(q) else \
            q.reshape(q_shape + (1,))
        if method in _DISCRETE:
            r = _gather_rows(x, order, _const(
                lambda k, q: _discrete_index(method, k, np.asarray(q, dtype=float)), k, qb))
        else:
            prev, nxt, gamma = _interpolation(method, k, qb)
            r = _lerp(_gather_rows(x, order, prev), _gather_rows(x, order, nxt), gamma)
    if _anywhere(empty):
        r = _where(empty, np.nan, r)
    return _reshape(r, newshape=out_shape)


def _nan_quantile_call(who, np_fn, a, q, axis, out, overwrite_input, method, keepdims,
                       weights, scale=None):
    extras = {} if weights is None else {"weights": weights}
    kd = _extras(keepdims=keepdims)
    if not is_boxed(a) and not is_boxed(q) and not is_boxed(weights):
        return np_fn(a, q, axis=_axis(axis), out=out, overwrite_input=overwrite_input,
                     method=method, **kd, **extras)
    no_out(who, out)
    if weights is not None:
        raise NotImplementedError(f"{who}: weights= is not supported on traced values")
    # numpy's checks and its warning for a slice of nans
    _checks(np_fn, a, q, axis=_axis(axis), method=method, **kd)
    if scale is not None:
        q = q / scale if is_boxed(q) else np.true_divide(q, scale)
    return _nan_quantile(who, a, q, axis, bool(kd.get("keepdims", False)), method)


def nanquantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                keepdims=_NoValue, *, weights=None):
    """numpy.nanquantile: quantile of the numbers only, differentiable in ``a`` and
    ``q`` as quantile is (nans get derivative 0; a slice of nans gives nan).

    >>> import numpy as np, wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda x: wnp.nanquantile(x, 0.5))(np.array([4.0, np.nan, 1.0]))
    array([0.5, 0. , 0.5])
    """
    return _nan_quantile_call("nanquantile", np.nanquantile, a, q, axis, out,
                              overwrite_input, method, keepdims, weights)


def nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                  keepdims=_NoValue, *, weights=None):
    """numpy.nanpercentile: nanquantile with ``q`` in percent."""
    return _nan_quantile_call("nanpercentile", np.nanpercentile, a, q, axis, out,
                              overwrite_input, method, keepdims, weights, scale=100.0)


def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=_NoValue):
    """numpy.nanmedian: the median of the numbers of each slice (nan for a slice of
    nans, with numpy's warning); nans get derivative 0.

    >>> import numpy as np, wengert as wg, wengert.numpy as wnp
    >>> wg.grad(wnp.nanmedian)(np.array([4.0, np.nan, 1.0, 3.0]))
    array([0., 0., 0., 1.])
    """
    kd = _extras(keepdims=keepdims)
    if not is_boxed(a):
        return np.nanmedian(a, axis=_axis(axis), out=out, overwrite_input=overwrite_input,
                            **kd)
    no_out("nanmedian", out)
    _checks(np.nanmedian, a, axis=_axis(axis), **kd)  # numpy's checks and warning
    return _nan_quantile("nanmedian", a, 0.5, axis, bool(kd.get("keepdims", False)),
                         "linear", median=True)


# ------------------------------------------------- numpy 2's cumulative functions

def _cumulative(who, np_fn, scan, fill, x, axis, dtype, out, include_initial):
    if not is_boxed(x):
        return np_fn(x, axis=axis, dtype=dtype, out=out, include_initial=include_initial)
    no_out(who, out)
    xv = example(x)
    want = np_fn(xv, axis=axis, dtype=dtype, include_initial=include_initial)  # checks
    if np.ndim(xv) == 0:
        x = _reshape(x, newshape=(1,))
    if axis is None:
        axis = 0
    axis = normalize_axis(who, axis, len(shape(x)), shape(x))
    if dtype is not None and np.dtype(dtype) != np.result_type(xv):
        from .complex import astype
        x = astype(x, dtype)
    r = scan(x, axis=axis)
    if include_initial:
        head = list(shape(r))
        head[axis] = 1
        r = _concatenate(np.full(head, fill, dtype=want.dtype), r, axis=axis)
    return r


def cumulative_sum(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
    """numpy.cumulative_sum (numpy 2): cumsum along ``axis`` (needed beyond 1-d), with
    a leading 0 when ``include_initial``.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda x: wnp.sum(wnp.cumulative_sum(x, include_initial=True)))(wnp.ones(3))
    array([3., 2., 1.])
    """
    return _cumulative("cumulative_sum", np.cumulative_sum, cumsum, 0, x, axis, dtype, out,
                       include_initial)


def cumulative_prod(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
    """numpy.cumulative_prod (numpy 2): cumprod along ``axis`` (needed beyond 1-d),
    with a leading 1 when ``include_initial``; right at zeros, as cumprod is."""
    return _cumulative("cumulative_prod", np.cumulative_prod, cumprod, 1, x, axis, dtype,
                       out, include_initial)


def nancumsum(a, axis=None, dtype=None, out=None):
    """numpy.nancumsum: cumsum with nans counted as 0 (and given derivative 0)."""
    if not is_boxed(a):
        return np.nancumsum(a, axis=axis, dtype=dtype, out=out)
    no_out("nancumsum", out)
    x, _ = _nan_filled(a, 0.0)
    return cumsum(x, axis=axis, dtype=dtype)


def nancumprod(a, axis=None, dtype=None, out=None):
    """numpy.nancumprod: cumprod with nans counted as 1 (and given derivative 0)."""
    if not is_boxed(a):
        return np.nancumprod(a, axis=axis, dtype=dtype, out=out)
    no_out("nancumprod", out)
    x, _ = _nan_filled(a, 1.0)
    return cumprod(x, axis=axis, dtype=dtype)


# ---------------------------------------------------------------- trapezoid

def trapezoid(y, x=None, dx=1.0, axis=-1):
    """numpy.trapezoid: the trapezoidal rule along ``axis``, numpy's arithmetic
    (``sum(d * (y[1:] + y[:-1]) / 2)``), differentiable in ``y``, in the sample
    points ``x`` and in a traced spacing ``dx``.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(wnp.trapezoid)(wnp.ones(4))
    array([0.5, 1. , 1. , 0.5])
    """
    if not any(is_boxed(v) for v in (y, x, dx)):
        return np.trapezoid(y, x=x, dx=dx, axis=axis)
    _checks(np.trapezoid, y, x=x, dx=dx, axis=axis)  # numpy's checks
    if not is_boxed(y):
        y = np.asarray(y)
    nd = len(shape(y))
    ax = normalize_axis("trapezoid", axis, nd, shape(y))
    if x is None:
        d = dx
    else:
        if not is_boxed(x):
            x = np.asarray(x)
        xs = shape(x)
        if len(xs) == 1:
            d = _getitem(x, idx=slice(1, None)) - _getitem(x, idx=slice(None, -1))
            d = _reshape(d, newshape=tuple(xs[0] - 1 if i == ax else 1 for i in range(nd)))
        else:
            xax = normalize_axis("trapezoid", axis, len(xs), xs)
            d = (_getitem(x, idx=_along(xax, slice(1, None)))
                 - _getitem(x, idx=_along(xax, slice(None, -1))))
    y1 = _getitem(y, idx=_along(ax, slice(1, None)))
    y2 = _getitem(y, idx=_along(ax, slice(None, -1)))
    return sum(d * (y1 + y2) / 2.0, axis=ax)


# ---------------------------------------------------------------- cov, corrcoef

def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *,
        dtype=None):
    """numpy.cov by numpy's steps (the weighted mean, the centred product, divided by
    the degrees of freedom), differentiable in ``m``, ``y`` and ``aweights``;
    ``fweights`` are integer counts (constants).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> x = wnp.array([0.0, 1.0, 2.0])
    >>> wg.grad(lambda y: wnp.cov(x, y)[0, 1])(wnp.array([1.0, 3.0, 2.0]))
    array([-0.5,  0. ,  0.5])
    """
    if not any(is_boxed(v) for v in (m, y, aweights)):
        return np.cov(m, y, rowvar=rowvar, bias=bias, ddof=ddof, fweights=fweights,
                      aweights=aweights, dtype=dtype)
    from .complex import astype, conj
    from .linalg import dot
    # numpy's checks (shapes, weights) and its warning for no degrees of freedom
    _checks(np.cov, m, y, rowvar=rowvar, bias=bias, ddof=ddof, fweights=fweights,
            aweights=aweights, dtype=dtype)
    mv, yv = unbox_all(m), unbox_all(y)
    if dtype is None:
        dtype = np.result_type(mv, np.float64) if y is None else \
            np.result_type(mv, yv, np.float64)
    dtype = np.dtype(dtype)

    def rows(v):
        v = astype(v, dtype) if is_boxed(v) else np.asarray(v, dtype=dtype)
        s = shape(v)
        if len(s) < 2:
            v = _reshape(v, newshape=(1,) * (2 - len(s)) + s)
        return v, len(s)

    X, m_nd = rows(m)
    if not rowvar and m_nd != 1:
        X = _transpose(X)
    if shape(X)[0] == 0:
        return np.array([]).reshape(0, 0)
    if y is not None:
        Y, _ = rows(y)
        if not rowvar and shape(Y)[0] != 1:
            Y = _transpose(Y)
        X = _concatenate(X, Y, axis=0)
    if ddof is None:
        ddof = 1 if bias == 0 else 0
    w = None
    if fweights is not None:
        w = _const(lambda f: np.asarray(f, dtype=float), fweights)
    if aweights is not None:
        aw = aweights if is_boxed(aweights) else np.asarray(aweights, dtype=float)
        w = aw if w is None else w * aw
    avg, w_sum = average(X, axis=1, weights=w, returned=True)
    w_sum = _getitem(w_sum, idx=0) if is_boxed(w_sum) else w_sum[0]
    if w is None:
        fact = shape(X)[1] - ddof
    elif ddof == 0:
        fact = w_sum
    elif aweights is None:
        fact = w_sum - ddof
    else:
        fact = w_sum - ddof * sum(w * aw) / w_sum
    if is_boxed(fact) and batch_traces((fact,)):
        low = _const(lambda f: np.less_equal(f, 0), fact)
        if _anywhere(low):
            fact = _where(low, 0.0, fact)  # numpy warned above
    elif np.less_equal(unbox_all(fact), 0):
        fact = 0.0  # numpy warned above
    X = X - _reshape(avg, newshape=(shape(X)[0], 1))
    X_T = _transpose(X) if w is None else _transpose(X * w)
    c = dot(X, conj(X_T) if np.iscomplexobj(unbox_all(X_T)) else X_T)
    from .arithmetic import divide
    with np.errstate(divide="ignore"):
        c = c * divide(1, fact)
    from .shape import squeeze
    return squeeze(c)


def corrcoef(x, y=None, rowvar=True, *, dtype=None):
    """numpy.corrcoef: cov divided by the outer product of the standard deviations,
    clipped to [-1, 1] as numpy clips it (a clipped element is the constant bound).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> x = wnp.array([0.0, 1.0, 2.0])
    >>> print(wg.grad(lambda y: wnp.corrcoef(x, y)[0, 1])(wnp.array([0.0, 2.0, 4.0])))
    [0. 0. 0.]
    """
    if not (is_boxed(x) or is_boxed(y)):
        return np.corrcoef(x, y, rowvar=rowvar, dtype=dtype)
    from .complex import imag, real
    from .elementwise import sqrt
    from .indexing import clip
    from .linalg import diagonal
    c = cov(x, y, rowvar, dtype=dtype)
    if len(shape(c)) != 2:
        return c / c  # numpy's scalar covariance: 1, or nan
    stddev = sqrt(real(diagonal(c)))
    n = shape(stddev)[0]
    c = c / _reshape(stddev, newshape=(n, 1))
    c = c / _reshape(stddev, newshape=(1, n))
    if np.iscomplexobj(unbox_all(c)):
        return clip(real(c), -1, 1) + 1j * clip(imag(c), -1, 1)
    return clip(c, -1, 1)


# ---------------------------------------------------------------- histograms

def _weighted_counts(w, idx, size):
    """numpy.bincount(idx, weights=w, minlength=size) as a scatter-add of ``w``: the
    same sums in the same order (in float64, as bincount accumulates; complex weights,
    which numpy's histogram sums part by part, in complex128), differentiable in w (its
    derivative reads the cotangent at each element's bin)."""
    from .complex import astype
    from .indexing import untake
    from .indexing import _split_index
    wt = np.result_type(unbox_all(w))
    target = np.dtype(np.complex128 if wt.kind == "c" else np.float64)
    if wt != target:
        w = astype(w, target)
    idx = per_example(lambda i: np.asarray(i, dtype=np.intp), idx)
    template, arrays = _split_index(idx)
    return untake(w, *arrays, idx=template, shape=(int(size),))


def bincount(x, /, weights=None, minlength=0):
    """numpy.bincount: how often each integer occurs in ``x`` (plain); with
    ``weights``, their sums per value, differentiable in the weights (a scatter-add).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda w: wnp.bincount([0, 2, 2], w)[2])(wnp.array([1.0, 2.0, 3.0]))
    array([0., 1., 1.])
    """
    if batch_traces((x, weights)):  # vmap: each example's counts (of one length)
        counts = per_example(lambda x: np.bincount(x, minlength=minlength), x)
        if not is_boxed(weights):
            return counts if weights is None else per_example(
                lambda x, w: np.bincount(x, w, minlength=minlength), x, weights)
        _checks(np.bincount, x, weights, minlength=minlength)
        return _weighted_counts(weights, per_example(np.ravel, x), shape(counts)[0])
    x = unbox_all(x)
    if not is_boxed(weights):
        return np.bincount(x, weights, minlength=minlength)
    want = np.bincount(x, unbox_all(weights), minlength=minlength)  # numpy's checks
    return _weighted_counts(weights, np.asarray(x).ravel(), want.shape[0])


def _plain_range(range):
    """A histogram ``range`` (a pair, or a pair per dimension) with traced entries
    replaced by their values."""
    if range is None:
        return None
    return type(range)(_plain_range(r) if isinstance(r, (list, tuple)) else unbox_all(r)
                       for r in range)


def _range_traced(range):
    return range is not None and any(
        _range_traced(r) if isinstance(r, (list, tuple)) else is_boxed(r) for r in range)


def _traced_range(a, range):
    """The outer bin edges numpy uses when it chooses equal bins: ``range`` or the
    data's min and max (widened by 1/2 each way when equal), traced where ``a`` (or
    the range) is."""
    if range is not None:
        first, last = range
    else:
        first, last = min(a), max(a)
    same = _const(np.equal, first, last)
    if batch_traces((same,)):  # per example under vmap
        if _anywhere(same):
            first, last = _where(same, first - 0.5, first), _where(same, last + 0.5, last)
    elif same:
        first, last = first - 0.5, last + 0.5
    return first, last


def _traced_edges(a, bins, range, plain_edges, dtype=None):
    """numpy's bin edges with their derivative: numpy's linspace between the outer
    edges for an int or a named rule (in ``a``'s min and max, or a traced range),
    constants for bins given as edges or an empty ``a``."""
    if np.ndim(bins) != 0 and not isinstance(bins, str):
        return plain_edges
    if range is None and not is_boxed(a):
        return plain_edges
    if range is not None and not any(is_boxed(r) for r in range):
        return plain_edges
    if range is None and np.size(unbox_all(a)) == 0:
        return plain_edges
    from .building import linspace
    first, last = _traced_range(a, range)
    return linspace(first, last, len(plain_edges), endpoint=True, dtype=dtype)


def _flat_weights(a, weights):
    a = _reshape(a, newshape=(-1,)) if is_boxed(a) else np.asarray(a).ravel()
    if weights is not None:
        weights = (_reshape(weights, newshape=(-1,)) if is_boxed(weights)
                   else np.asarray(weights).ravel())
    return a, weights


def histogram_bin_edges(a, bins=10, range=None, weights=None):
    """numpy.histogram_bin_edges; for an int or a named rule the edges are numpy's
    linspace between the data's min and max (or a traced range), so they are
    differentiable in those; edges given as an array are constants."""
    if not is_boxed(a) and not _range_traced(range):
        return np.histogram_bin_edges(a, bins, range=range, weights=unbox_all(weights))
    _no_vmap_of_traced_range("histogram_bin_edges", range)
    plain = np.histogram_bin_edges(example(a), bins, range=_plain_range(range),
                                   weights=example(weights))
    if batch_traces((a,)) and (np.ndim(bins) != 0 or isinstance(bins, str)):
        plain = per_example(lambda a, w: np.histogram_bin_edges(
            a, bins, range=_plain_range(range), weights=w), a, weights)
    a, _ = _flat_weights(a, None)
    return _traced_edges(a, bins, range, plain, dtype=plain.dtype)


def _no_vmap_of_traced_range(who, range):
    if _range_traced(range) and batch_traces((range,)):
        raise NotImplementedError(f"{who}: a range that vmap batches is not supported")


def _bin_index(a, edges, keep):
    """For each kept element of ``a``, its bin as numpy's histogram puts it (bins
    closed on the left, the last one on both sides)."""
    idx = np.searchsorted(edges, a[keep], side="right") - 1
    return np.minimum(idx, len(edges) - 2)


def histogram(a, bins=10, range=None, density=None, weights=None):
    """numpy.histogram. Counts are plain; with ``weights`` the sums per bin are
    differentiable in the weights (a scatter-add, numpy's sums); the edges (and a
    density, through the bin widths) are differentiable in ``a``'s min and max where
    numpy derives equal bins from them.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> f = lambda w: wnp.histogram(wnp.array([0.1, 0.2, 0.9]), 2, weights=w)[0][0]
    >>> wg.grad(f)(wnp.ones(3))
    array([1., 1., 0.])
    """
    if not (is_boxed(a) or is_boxed(weights) or _range_traced(range)):
        return np.histogram(a, bins, range=range, density=density, weights=weights)
    _no_vmap_of_traced_range("histogram", range)
    if batch_traces((a, weights)):
        return _histogram_batched(a, bins, range, density, weights)
    av, wv, rv = unbox_all(a), unbox_all(weights), _plain_range(range)
    n_plain, edges_plain = np.histogram(av, bins, range=rv, density=density, weights=wv)
    a, weights = _flat_weights(a, weights)
    av = np.asarray(unbox_all(a))
    edges = _traced_edges(a, bins, range, edges_plain, dtype=edges_plain.dtype)
    if weights is None or not is_boxed(weights):
        n = np.histogram(av, bins, range=rv, weights=unbox_all(weights))[0]
    else:
        keep = (av >= edges_plain[0]) & (av <= edges_plain[-1])
        w = _getitem(weights, idx=keep) if not keep.all() else weights
        n = _weighted_counts(w, _bin_index(av, edges_plain, keep), len(edges_plain) - 1)
        wt = np.result_type(unbox_all(weights))
        if wt != np.float64:
            from .complex import astype
            n = astype(n, wt)
    if density:
        db = _getitem(edges, idx=slice(1, None)) - _getitem(edges, idx=slice(None, -1)) \
            if is_boxed(edges) else np.diff(edges).astype(float)
        return n / db / sum(n), edges
    return n, edges


def _histogram_batched(a, bins, range, density, weights):
    """histogram under vmap: each example's counts, bins and edges (of one number;
    an element outside the range takes part with weight 0)."""
    rv = _plain_range(range)
    _checks(np.histogram, a, bins, range=rv, density=density, weights=weights)
    a, weights = _flat_weights(a, weights)
    edges_plain = per_example(lambda a: np.histogram_bin_edges(a, bins, range=rv), a)
    edges = _traced_edges(a, bins, range, edges_plain, dtype=np.result_type(
        example(edges_plain)))
    if weights is None or not is_boxed(weights):
        n = per_example(lambda a, e, w: np.histogram(a, e, weights=w)[0], a, edges_plain,
                        weights)
    else:
        keep = per_example(lambda a, e: (a >= e[0]) & (a <= e[-1]), a, edges_plain)
        index = per_example(lambda a, e: np.clip(_bin_index(a, e, slice(None)), 0,
                                                 len(e) - 2), a, edges_plain)
        n = _weighted_counts(_where(keep, weights, 0.0), index, shape(edges_plain)[0] - 1)
        wt = np.result_type(unbox_all(weights))
        if wt != np.float64:
            from .complex import astype
            n = astype(n, wt)
    if density:
        db = _getitem(edges, idx=slice(1, None)) - _getitem(edges, idx=slice(None, -1))
        return n / db / sum(n), edges
    return n, edges


def histogramdd(sample, bins=10, range=None, density=None, weights=None):
    """numpy.histogramdd: counts plain, weighted sums differentiable in the weights,
    and edges (with a density) differentiable in each coordinate's min and max where
    numpy derives equal bins from them, as in histogram."""
    if isinstance(sample, (list, tuple)):
        traced = any(is_boxed(s) for s in sample)
    else:
        traced = is_boxed(sample)
    if not (traced or is_boxed(weights) or _range_traced(range)):
        return np.histogramdd(sample, bins, range=range, density=density, weights=weights)
    if batch_traces((sample, weights, range)):
        raise NotImplementedError("histogramdd and histogram2d under vmap are not "
                                  "supported: call them per example")
    if isinstance(sample, (list, tuple)):
        sv = np.atleast_2d([unbox_all(p) for p in sample]).T
    else:
        sv = np.asarray(unbox_all(sample))
        sv = sv if sv.ndim == 2 else np.atleast_2d(sv).T
    wv, rv = unbox_all(weights), _plain_range(range)
    # numpy's checks (shapes, bins, ranges)
    np.histogramdd(sv, bins, range=rv, density=density, weights=wv)
    edges_plain = np.histogramdd(sv, bins, range=rv, weights=wv)[1]
    if isinstance(sample, (list, tuple)):
        from .shape import stack
        sample = stack([p if is_boxed(p) else np.asarray(p) for p in sample], axis=1)
    elif np.ndim(unbox_all(sample)) != 2:
        sample = _reshape(sample, newshape=sv.shape)  # a 0-d or 1-d sample: one coordinate
    N, D = sv.shape
    try:
        bins_d = list(bins) if len(bins) == D else None
    except TypeError:
        bins_d = D * [bins]
    ranges = (None,) * D if range is None else range
    edges, dedges = [], []
    for i in builtins.range(D):
        col = _getitem(sample, idx=(slice(None), i)) if is_boxed(sample) else sv[:, i]
        e = edges_plain[i]
        if np.ndim(bins_d[i]) == 0 and ((ranges[i] is None and is_boxed(col) and N)
                                        or _range_traced(ranges[i])):
            from .building import linspace
            first, last = _traced_range(col, ranges[i])
            e = linspace(first, last, len(edges_plain[i]))
        edges.append(e)
        dedges.append(_getitem(e, idx=slice(1, None)) - _getitem(e, idx=slice(None, -1))
                      if is_boxed(e) else np.diff(e))
    if not is_boxed(weights):
        hist = np.histogramdd(sv, bins, range=rv, weights=wv)[0]
    else:
        nbin = np.array([len(e) + 1 for e in edges_plain])
        count = []
        for i in builtins.range(D):
            c = np.searchsorted(edges_plain[i], sv[:, i], side="right")
            c[sv[:, i] == edges_plain[i][-1]] -= 1
            count.append(c)
        xy = np.ravel_multi_index(tuple(count), nbin)
        hist = _weighted_counts(weights, xy, nbin.prod())
        hist = _getitem(_reshape(hist, newshape=tuple(nbin)), idx=D * (slice(1, -1),))
    if density:
        s = sum(hist)
        for i in builtins.range(D):
            shp = [1] * D
            shp[i] = len(edges_plain[i]) - 1
            hist = hist / (_reshape(dedges[i], newshape=tuple(shp)) if is_boxed(dedges[i])
                           else np.reshape(dedges[i], shp))
        hist = hist / s
    return hist, edges


def histogram2d(x, y, bins=10, range=None, density=None, weights=None):
    """numpy.histogram2d: histogramdd of the points (x, y)."""
    if not (any(is_boxed(v) for v in (x, y, weights)) or _range_traced(range)):
        return np.histogram2d(x, y, bins, range=range, density=density, weights=weights)
    try:
        N = len(bins)
    except TypeError:
        N = 1
    if N != 1 and N != 2:
        xedges = yedges = np.asarray(bins)
        bins = [xedges, yedges]
    hist, edges = histogramdd([x, y], bins, range, density, weights)
    return hist, edges[0], edges[1]


__all__ = ["sum", "mean", "var", "std", "prod", "max", "amax", "min", "amin", "argmax",
           "argmin", "argsort", "all", "any", "nonzero", "count_nonzero", "cumsum", "cumprod",
           "ptp", "average", "median", "quantile", "percentile", "nansum", "nanprod",
           "nanmean", "nanvar", "nanstd", "nanmax", "nanmin", "nanmedian", "nanquantile",
           "nanpercentile", "cumulative_sum", "cumulative_prod", "nancumsum", "nancumprod",
           "trapezoid", "cov", "corrcoef", "bincount", "histogram", "histogram2d",
           "histogramdd", "histogram_bin_edges"]


# batching (vmap): the batch axis in front, the reduced axes shifted past it
for _prim in (_sum, _prod, _max, _min):
    reduction(_prim)
