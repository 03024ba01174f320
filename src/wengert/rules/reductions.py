"""Reductions: sum, prod, max and min (primitives over ``axis``/``keepdims``), the
linear scan cumsum, and what is built on them (mean, var, std, cumprod, argmax)."""

import numpy as np

from ..core.primitive import Primitive
from ..core.trace import is_boxed, unbox_all
from ._base import float_dtype, linear, no_out, nondiff, normalize_axis, shape
from .arithmetic import multiply
from .indexing import _getitem
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


def sum(a, axis=None, dtype=None, out=None, keepdims=False):
    """numpy.sum.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda x: wnp.sum(x * x))(wnp.array([1.0, 2.0]))
    array([2., 4.])
    """
    no_out("sum", out)
    return _sum(a, axis=_checked_axis("sum", a, axis), keepdims=keepdims, dtype=dtype)


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
        return np.ones((n,) + rest, dtype=dt)
    levels = []
    x = rows
    while n > 1:
        if n % 2:  # pad to an even count with a row of ones
            x = _concatenate(x, np.ones((1,) + rest, dtype=dt), axis=0)
        a = _getitem(x, idx=slice(0, None, 2))
        b = _getitem(x, idx=slice(1, None, 2))
        levels.append((a, b, n))
        x = multiply(a, b)
        n = (n + 1) // 2
    down = np.ones((1,) + rest, dtype=dt)
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


def prod(a, axis=None, dtype=None, out=None, keepdims=False):
    """numpy.prod; the derivative is right where elements are zero.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(wnp.prod)(wnp.array([2.0, 0.0, 3.0]))
    array([0., 6., 0.])
    """
    no_out("prod", out)
    return _prod(a, axis=_checked_axis("prod", a, axis), keepdims=keepdims, dtype=dtype)


# ---------------------------------------------------------------- max and min

def _tie_weights(who, x, ans, axis, keepdims):
    """1/k on each of the k elements that attain the extremum of their group, 0
    elsewhere: the cotangent is shared evenly among ties (as JAX and autograd do).
    Piecewise constant, so a plain array, in x's float dtype."""
    dt = float_dtype(x)
    x = np.asarray(unbox_all(x))
    ans = np.asarray(unbox_all(ans))
    axes = _reduced_axes(who, axis, x.ndim)
    if not keepdims:
        ans = np.expand_dims(ans, axes)
    hit = np.equal(x, ans)
    count = np.sum(hit, axis=axes, keepdims=True)
    return (hit / np.maximum(count, 1)).astype(dt)  # a group of NaNs gets no derivative


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


def _no_extras(who, out, initial, where):
    no_out(who, out)
    if initial is not None or where is not None:
        raise TypeError(f"{who}: initial= and where= are not supported by wengert.numpy")


def max(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """numpy.max; tied maxima share the derivative evenly.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(wnp.max)(wnp.array([1.0, 3.0, 3.0]))
    array([0. , 0.5, 0.5])
    """
    _no_extras("max", out, initial, where)
    return _max(a, axis=_checked_axis("max", a, axis), keepdims=keepdims)


def min(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """numpy.min; tied minima share the derivative evenly.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(wnp.min)(wnp.array([1.0, 3.0, -2.0]))
    array([0., 0., 1.])
    """
    _no_extras("min", out, initial, where)
    return _min(a, axis=_checked_axis("min", a, axis), keepdims=keepdims)


amax = max
amin = min
argmax = nondiff("argmax", np.argmax)
argmin = nondiff("argmin", np.argmin)
argsort = nondiff("argsort", np.argsort)
all = nondiff("all", np.all)
any = nondiff("any", np.any)
nonzero = nondiff("nonzero", np.nonzero)
count_nonzero = nondiff("count_nonzero", np.count_nonzero)


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
        return int(np.prod(shp)) if shp else 1
    return int(np.prod([shp[i] for i in _reduced_axes(who, _axis(axis), len(shp))]))


def mean(a, axis=None, dtype=None, out=None, keepdims=False):
    """numpy.mean (sum divided by the count)."""
    no_out("mean", out)
    n = _count("mean", a, axis)
    return sum(a, axis=axis, keepdims=keepdims) / float(n)


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    """numpy.var: mean squared deviation (divided by N - ddof)."""
    no_out("var", out)
    n = _count("var", a, axis)
    d = a - mean(a, axis=axis, keepdims=True)
    return sum(d * d, axis=axis, keepdims=keepdims) / float(n - ddof)


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    """numpy.std: the square root of var."""
    from .elementwise import sqrt
    no_out("std", out)
    return sqrt(var(a, axis=axis, out=out, ddof=ddof, keepdims=keepdims))


__all__ = ["sum", "mean", "var", "std", "prod", "max", "amax", "min", "amin", "argmax",
           "argmin", "argsort", "all", "any", "nonzero", "count_nonzero", "cumsum", "cumprod"]
