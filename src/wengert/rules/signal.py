"""1-d signal functions of numpy: convolve and correlate (one bilinear primitive),
interp, polyval and polyfit (composites: gathers, where, arithmetic, lstsq), and
searchsorted (plain integer positions).

convolve's VJPs are convolutions again: for ``y = convolve(a, v, 'full')``,
``dy/da`` is the transpose of a Toeplitz matrix, so the cotangent of ``a`` is
``convolve(g, v[::-1], 'valid')`` (HIPS autograd's convention for complex values:
the transpose, no conjugate), and the cotangent of ``v`` likewise; the modes 'same'
and 'valid' are slices of 'full', so their cotangents are first scattered back into
the full length.
"""

import numpy as np

from ..core.primitive import Primitive
from ..core.trace import is_boxed, unbox_all
from ._base import example, nondiff, per_example, shape, to_front, unbroadcast
from .arithmetic import divide, multiply
from .complex import conj
from .indexing import _getitem, _where, getitem_, untake
from .linalg import _matmul, loop_examples
from .shape import _concatenate, _reshape

_MODES = ("full", "same", "valid")


def _mode(who, mode):
    # numpy also reads the integers 0, 1, 2 as valid, same, full
    mode = {0: "valid", 1: "same", 2: "full"}.get(mode, mode)
    if mode not in _MODES:
        raise ValueError(f"{who}: mode must be 'full', 'same' or 'valid', got {mode!r}")
    return mode


def _window(n, m, mode):
    """The slice of the full convolution (length n + m - 1) that ``mode`` keeps, as
    numpy.convolve keeps it."""
    lo, hi = (n, m) if n <= m else (m, n)
    if mode == "full":
        return slice(0, n + m - 1)
    if mode == "same":
        start = (lo - 1) // 2
        return slice(start, start + hi)
    return slice(lo - 1, hi)


def _reverse(x):
    return _getitem(x, idx=slice(None, None, -1))


def _full_cotangent(g, a, v, mode):
    n, m = shape(a)[0], shape(v)[0]
    if mode == "full":
        return g
    return untake(g, idx=_window(n, m, mode), shape=(n + m - 1,))


def _vjp_a(g, ans, a, v, *, mode):
    return unbroadcast(_convolve(_full_cotangent(g, a, v, mode), _reverse(v), mode="valid"), a)


def _vjp_v(g, ans, a, v, *, mode):
    return unbroadcast(_convolve(_full_cotangent(g, a, v, mode), _reverse(a), mode="valid"), v)


def _convolve_impl(a, v, *, mode):
    return np.convolve(a, v, mode=mode)


_convolve = Primitive("convolve", _convolve_impl, vjps=(_vjp_a, _vjp_v),
                      doc="numpy.convolve of two 1-d arrays as a primitive (bilinear).")
_convolve.jvps = (lambda t, ans, a, v, *, mode: _convolve(t, v, mode=mode),
                  lambda t, ans, a, v, *, mode: _convolve(a, t, mode=mode))

# Under vmap the convolution is a matrix product: full[k] = sum_i s[i] l[k - i] for
# the shorter operand s and the longer l, so with T[i, k] = l[k - i] (zero outside
# l; T gathered from l with a constant index, over the columns k the mode keeps)
# the result is s @ T, for each example when both are batched. T has
# len(s) x len(output) entries per example of l; beyond this many in all, the
# batch runs example by example.
_TOEPLITZ_MAX = 1 << 22


def _batch_convolve(vals, dims, *, mode):
    (a, v), (da, dv) = vals, dims
    (a, da), (v, dv) = ((to_front(x, d), 0) if d is not None else (x, None)
                        for x, d in ((a, da), (v, dv)))
    n, m = shape(a)[-1], shape(v)[-1]
    (short, ds), (long, dl) = ((a, da), (v, dv)) if n <= m else ((v, dv), (a, da))
    ls, ll = min(n, m), max(n, m)
    cols = np.arange(n + m - 1)[_window(n, m, mode)]
    size = 1 if dl is None else shape(long)[0]
    if size * ls * len(cols) > _TOEPLITZ_MAX:
        return loop_examples(_convolve, vals, dims, {"mode": mode})
    lag = cols[None, :] - np.arange(ls)[:, None]
    index = np.where((lag >= 0) & (lag < ll), lag, ll)  # ll: the zero appended to l
    zero = np.zeros(shape(long)[:-1] + (1,), dtype=np.asarray(unbox_all(long)).dtype)
    toeplitz = _getitem(_concatenate(long, zero, axis=-1), idx=(Ellipsis, index))
    if ds is not None and dl is not None:  # a row per example, matched with its T
        s = shape(short)
        return _reshape(_matmul(_reshape(short, newshape=(s[0], 1, s[1])), toeplitz),
                        newshape=(s[0], len(cols))), 0
    return _matmul(short, toeplitz), 0


_convolve.batch = _batch_convolve


def _as_1d(who, x):
    """A traced argument as numpy.convolve reads it: a 0-d value is one sample."""
    s = shape(x)
    if len(s) == 0:
        return _reshape(x, newshape=(1,))
    if len(s) != 1:
        raise ValueError(f"{who}: object too deep for desired array (shape {s}; 1-d only)")
    return x


def convolve(a, v, mode="full"):
    """numpy.convolve, differentiable in both arguments (real or complex).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda a: wnp.sum(wnp.convolve(a, wnp.array([1.0, 2.0]))))(wnp.ones(3))
    array([3., 3., 3.])
    """
    if not is_boxed(a) and not is_boxed(v):
        return np.convolve(a, v, mode=mode)
    mode = _mode("convolve", mode)
    np.convolve(example(a), example(v), mode=mode)  # numpy's checks (empty input)
    return _convolve(_as_1d("convolve", a), _as_1d("convolve", v), mode=mode)


def correlate(a, v, mode="valid"):
    """numpy.correlate, ``c[k] = sum_n a[n + k] conj(v[n])``: a convolution with
    ``conj(v[::-1])``, differentiable in both arguments.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda v: wnp.correlate(wnp.array([1.0, 2.0, 3.0]), v)[0])(wnp.ones(3))
    array([1., 2., 3.])
    """
    if not is_boxed(a) and not is_boxed(v):
        return np.correlate(a, v, mode=mode)
    mode = _mode("correlate", mode)
    np.correlate(example(a), example(v), mode=mode)  # numpy's checks
    a, v = _as_1d("correlate", a), _as_1d("correlate", v)
    n, m = shape(a)[0], shape(v)[0]
    w = _reverse(v)
    if np.iscomplexobj(unbox_all(v)):
        w = conj(w)
    if mode == "same" and n < m:
        # numpy centres 'same' from the other end when v is the longer one
        full = _convolve(a, w, mode="full")
        start = n // 2
        return _getitem(full, idx=slice(start, start + m))
    return _convolve(a, w, mode=mode)


# ------------------------------------------------------------------------ interp

def interp(x, xp, fp, left=None, right=None, period=None):
    """numpy.interp, differentiable in ``x`` (the slope of the segment it falls in;
    0 outside the table, where ``left``/``right`` hold) and in ``fp`` (linear: the
    hat-function weights of the two neighbouring points), and in traced ``left`` and
    ``right``. ``xp`` is a constant: a traced ``xp`` is refused.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> xp, fp = wnp.array([0.0, 1.0, 3.0]), wnp.array([0.0, 2.0, 3.0])
    >>> wg.grad(lambda x: wnp.interp(x, xp, fp))(2.0)
    np.float64(0.5)
    >>> wg.grad(lambda fp: wnp.interp(0.25, xp, fp))(fp)
    array([0.75, 0.25, 0.  ])
    """
    if is_boxed(xp):
        raise NotImplementedError("interp: no derivative in xp (the table's abscissae are "
                                  "constants in wengert); pass a plain array")
    if not any(is_boxed(t) for t in (x, fp, left, right)):
        return np.interp(x, xp, fp, left=left, right=right, period=period)
    # numpy's checks (lengths, period 0, 1-d tables) and the output's shape
    plain = np.interp(example(x), xp, example(fp), left=example(left),
                      right=example(right), period=period)
    xp = np.asarray(xp, dtype=np.float64)
    if period is not None:
        # numpy's normalisation: everything modulo the period, the table sorted and
        # padded by one point on each side, no left/right
        from .arithmetic import mod
        period = abs(period)
        x = mod(x, period) if is_boxed(x) else np.mod(x, period)
        xp = np.mod(xp, period)
        order = np.argsort(xp)
        xp = xp[order]
        fp = _getitem(fp, idx=order) if is_boxed(fp) else np.asarray(fp)[order]
        xp = np.concatenate((xp[-1:] - period, xp, xp[0:1] + period))
        if is_boxed(fp):
            fp = _concatenate(_getitem(fp, idx=slice(-1, None)), fp,
                              _getitem(fp, idx=slice(0, 1)), axis=0)
        else:
            fp = np.concatenate((fp[-1:], fp, fp[0:1]))
        left = right = None
    k = xp.shape[0]

    def where_x_falls(xv):
        # the segment [xp[j], xp[j + 1]] holding each x, and where x is at the end,
        # beyond it, before the start or nan (each example's own under vmap)
        xv = np.asarray(xv, dtype=np.float64)
        j = np.clip(np.searchsorted(xp, xv, side="right") - 1, 0, max(k - 2, 0))
        return (j, xp[np.minimum(j + 1, k - 1)] - xp[j], xp[j], xv == xp[-1], xv > xp[-1],
                xv < xp[0], np.isnan(xv))
    j, width, start, at_end, beyond, before, nan = per_example(where_x_falls, x,
                                                               aligned=True)
    last = _take(fp, k - 1)
    first = _take(fp, 0)
    if k == 1:
        res = _where(np.ones(shape(x), dtype=bool), last, 0.0 * x)
    else:
        # numpy's formula on the segment: slope * (x - xp[j]) + fp[j]
        f_lo, f_hi = _take(fp, j), _take(fp, j + 1)
        slope = divide(f_hi - f_lo, width)
        res = multiply(slope, x - start) + f_lo
        if _any(at_end):
            res = _where(at_end, last, res)
    right_v = last if right is None else right
    left_v = first if left is None else left
    if _any(beyond):
        res = _where(beyond, right_v, res)
    if _any(before):
        res = _where(before, left_v, res)
    if _any(nan):
        res = _where(nan, np.nan, res)
    if np.shape(plain) != shape(res):
        res = _reshape(res, newshape=np.shape(plain))
    return res


def _any(mask):
    return bool(np.any(unbox_all(mask)))


def _take(fp, j):
    """fp[j] for a table fp and positions j (under vmap j may differ between
    examples: getitem takes it as an argument then)."""
    if is_boxed(fp) or is_boxed(j):
        return getitem_(fp, j)
    return np.asarray(fp)[j]


# ------------------------------------------------------------------------ polyval

def polyval(p, x):
    """numpy.polyval by numpy's Horner loop (the same arithmetic), differentiable in
    the coefficients ``p`` and in ``x``.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda x: wnp.polyval(wnp.array([1.0, 0.0, -2.0]), x))(3.0)  # 2x
    np.float64(6.0)
    """
    if not is_boxed(p) and not is_boxed(x) and not (
            isinstance(p, (list, tuple)) and any(is_boxed(c) for c in p)):
        return np.polyval(p, x)
    if isinstance(p, np.poly1d):
        p = p.coeffs
    if isinstance(p, (list, tuple)):
        coeffs = list(p)
    else:
        coeffs = [_getitem(p, idx=i) if is_boxed(p) else np.asarray(p)[i]
                  for i in range(shape(p)[0])]
    y = np.zeros(shape(x), dtype=np.asarray(unbox_all(x)).dtype)  # one example's shape
    for c in coeffs:
        y = y * x + c
    return y


# ------------------------------------------------------------------------ polyfit

def polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    """numpy.polyfit by numpy's steps: the Vandermonde matrix of ``x`` (weighted by
    ``w``), its columns scaled to unit norm, and lstsq; differentiable in ``x``,
    ``y`` and ``w`` (through wengert's lstsq, while the fit keeps its rank), with
    ``full`` and ``cov`` as numpy gives them.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> x = wnp.array([0.0, 1.0, 2.0])
    >>> g = wg.grad(lambda y: wnp.polyfit(x, y, 1)[0])(wnp.array([1.0, 3.0, 2.0]))
    >>> print(g.round(12) + 0.0)  # the slope's weights: (x - mean x) / sum (x - mean x)^2
    [-0.5  0.   0.5]
    """
    if not any(is_boxed(t) for t in (x, y, w)):
        return np.polyfit(x, y, deg, rcond=rcond, full=full, w=w, cov=cov)
    from .decompositions import inv, lstsq
    from .elementwise import sqrt
    from .linalg import dot, outer
    from .reductions import sum as sum_
    from .shape import stack, transpose
    # numpy's checks and warnings (degree, shapes, rank, too few points for cov)
    np.polyfit(example(x), example(y), deg, rcond=rcond, full=full,
               w=example(w), cov=cov)
    order = int(deg) + 1
    n = shape(x)[0]
    if rcond is None:
        rcond = n * np.finfo(np.result_type(unbox_all(x), np.float64)).eps
    # vander(x, order), the powers built by repeated multiplication as numpy builds them
    cols = [np.ones(n)]
    for _ in range(order - 1):
        cols.append(cols[-1] * x)
    lhs = stack(cols[::-1], axis=1) if is_boxed(x) else np.stack(
        [np.asarray(c, dtype=float) for c in cols[::-1]], axis=1)
    rhs = y
    if w is not None:
        lhs = lhs * _reshape(w, newshape=(n, 1)) if is_boxed(w) else \
            lhs * np.asarray(w, dtype=float)[:, None]
        w_col = _reshape(w, newshape=(n, 1)) if is_boxed(w) else \
            np.asarray(w, dtype=float)[:, None]
        rhs = rhs * (w_col if len(shape(rhs)) == 2 else w)
    scale = sqrt(sum_(lhs * lhs, axis=0))
    lhs = lhs / scale
    c, resids, rank, sv = lstsq(lhs, rhs, rcond)
    c = transpose(transpose(c) / scale)
    if full:
        return c, resids, rank, sv, rcond
    if not cov:
        return c
    vbase = inv(dot(transpose(lhs), lhs)) / outer(scale, scale)
    fac = 1.0 if cov == "unscaled" else resids / float(n - order)
    if len(shape(y)) == 1:
        return c, vbase * fac
    return c, _reshape(vbase, newshape=shape(vbase) + (1,)) * fac


searchsorted = nondiff("searchsorted", np.searchsorted)

__all__ = ["convolve", "correlate", "interp", "polyval", "polyfit", "searchsorted"]
