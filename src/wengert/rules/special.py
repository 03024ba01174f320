"""scipy.special with derivatives: logsumexp, softmax, log_softmax, expit, logit,
xlogy, xlog1py and entr.

Each is a primitive, because the composite formula loses precision, overflows or
gives nan: logsumexp and the softmaxes subtract the maximum before exponentiating,
expit picks the form with exp of a non-positive number, logit switches to
2 atanh(2p - 1) near p = 1/2, and xlogy is 0 where x is 0 (0 * log 0 would be nan).
The forward passes use numpy only; scipy is not imported. Quotients in the rules go
through the ``divide`` primitive, so a Python float gives numpy's inf where Python's
``/`` would raise ZeroDivisionError.

>>> import wengert as wg, wengert.scipy.special as wsp, numpy as np
>>> wg.grad(wsp.logsumexp)(np.array([0.0, 0.0]))
array([0.5, 0.5])
"""

import math

import numpy as np

from .. import backend
from ..backend import any_kind, scalar_or_array
from ..core.primitive import Primitive
from ..core.trace import is_boxed, unbox_all
from ._base import (anywhere, binary, example_axes, match, normalize_axis, per_example,
                    reduction, shape, to_front, unary, unbroadcast)
from .arithmetic import divide
from .elementwise import exp, log, log1p
from .indexing import _where
from .reductions import _restore, _sum

# ---------------------------------------------------------------- logsumexp


def _lse_impl(a, b=None, sign=None, *, axis=None, keepdims=False):
    scalar = type(a) is float and (b is None or type(b) in (float, int))
    m, s = _shifted_sum(a, b, axis, keepdims)
    if sign is not None:  # return_sign: log |sum|, the sign goes out on its own
        s = np.abs(s)
    with np.errstate(divide="ignore"):  # log(0) = -inf, as scipy gives
        out = np.log(s) + m
    return float(out) if scalar else out


def _lse_foreign(a, b=None, sign=None, *, axis=None, keepdims=False):
    """logsumexp for an array of another library: the same shifted sum, with the
    maximum taken by the array's own library (numpy's ``initial=`` is numpy's)."""
    m, s = _shifted_sum(a, b, axis, keepdims)
    if sign is not None:
        s = np.abs(s)
    return np.log(s) + m


def _shifted_sum(a, b, axis, keepdims):
    """``(m, s)``: the shift m (the largest term that counts) and the sum s of
    b exp(a - m) over ``axis``, m of s's shape; the log-sum-exp is log(s) + m."""
    a = backend.asarray(a)
    if a.dtype.kind not in "fc":
        a = a.astype(np.float64)
    # shift by the largest term that counts (b == 0 removes a term), 0 if none is finite
    counted = a if b is None else np.where(np.broadcast_to(b, a.shape) != 0, a, -np.inf)
    if type(counted) is np.ndarray:
        m = np.max(counted, axis=axis, keepdims=True, initial=-np.inf)
    else:  # another library's array: its own max (no initial=; an empty group is -inf)
        m = _max_or_minus_inf(counted, axis)
    m = np.where(np.isfinite(m), m, 0.0)
    e = np.exp(counted - m)
    if b is not None:
        e = b * e
    s = np.sum(e, axis=axis, keepdims=keepdims)
    if not keepdims:
        m = np.reshape(m, np.shape(s))
    return m, s


def _max_or_minus_inf(x, axis):
    axes = tuple(range(x.ndim)) if axis is None else \
        (axis if isinstance(axis, tuple) else (axis,))
    if any(x.shape[i] == 0 for i in axes):
        kept = tuple(1 if i in axes else n for i, n in enumerate(x.shape))
        return backend.namespace(x).full(kept, -np.inf, dtype=x.dtype)
    return np.max(x, axis=axis, keepdims=True)


def _softmax_weights(a, ans, axis, keepdims, sign=None):
    """exp(a - ans) with ans broadcast back over the reduced axes: the softmax of
    ``a`` when there are no weights (with weights b the callers multiply by b). With
    return_sign, ans = log |S| and d ans = d S / S brings in the sign of S (a plain
    array with the reduced axes kept), which is constant where S is not 0."""
    w = exp(a - _restore(ans, a, axis, keepdims))
    return w if sign is None else w * sign


def _lse_vjp_a(g, ans, a, b=None, sign=None, *, axis=None, keepdims=False):
    w = _softmax_weights(a, ans, axis, keepdims, sign)
    if b is not None:
        w = b * w
    return _restore(g, a, axis, keepdims) * w


def _lse_vjp_b(g, ans, a, b, sign=None, *, axis=None, keepdims=False):
    w = _softmax_weights(a, ans, axis, keepdims, sign)
    return unbroadcast(_restore(g, a, axis, keepdims) * w, b)


def _lse_jvp_a(t, ans, a, b=None, sign=None, *, axis=None, keepdims=False):
    w = _softmax_weights(a, ans, axis, keepdims, sign)
    if b is not None:
        w = b * w
    return _sum(t * w, axis=axis, keepdims=keepdims)


def _lse_jvp_b(t, ans, a, b, sign=None, *, axis=None, keepdims=False):
    w = _softmax_weights(a, ans, axis, keepdims, sign)
    return _sum(match(t, w) * w, axis=axis, keepdims=keepdims)


# ans = log sum_i b_i exp(a_i): d ans / d a_i = b_i exp(a_i - ans), d ans / d b_i = exp(a_i - ans)
# (the third argument, return_sign's sign of the sum, is a constant)
_logsumexp = Primitive(
    "logsumexp", _lse_impl,
    jvps=(_lse_jvp_a, _lse_jvp_b),
    vjps=(_lse_vjp_a, _lse_vjp_b))


def _lse_batch(vals, dims, axis=None, keepdims=False):
    """vmap: one call on the whole batch, every batched argument's batch axis in
    front (a repeated when only b or the sign differ between examples), b and the
    sign raised to a's rank, the reduced axes shifted past the batch axis."""
    size = next(shape(v)[d] for v, d in zip(vals, dims) if d is not None)
    a, da = vals[0], dims[0]
    nd = len(shape(a)) - (da is not None)
    if da is None:
        from .shape import _broadcast_to, _reshape
        a = _broadcast_to(_reshape(a, newshape=(1,) + shape(a)), shape=(size,) + shape(a))
    else:
        a = to_front(a, da)
    rest = []
    for v, d in zip(vals[1:], dims[1:]):
        if d is not None:
            from .shape import _reshape
            v = to_front(v, d)
            s = shape(v)
            v = _reshape(v, newshape=s[:1] + (1,) * (nd + 1 - len(s)) + s[1:])
        rest.append(v)
    return _logsumexp(a, *rest, axis=example_axes(axis, nd, "logsumexp"),
                      keepdims=keepdims), 0


_logsumexp.batch = _lse_batch
_logsumexp.foreign = _lse_foreign


def _sign_of_sum(a, b, axis):
    """The sign of sum(b exp(a)) over ``axis`` (kept), per example under vmap."""
    nd = len(shape(a))

    def sign(a, *rest):
        k, b = rest[-1], (rest[0] if len(rest) == 2 else None)
        a = backend.asarray(a)
        if b is not None:
            b = backend.asarray(b)
            b = b.reshape(b.shape[:k] + (1,) * (a.ndim - b.ndim) + b.shape[k:])
        axes = tuple(range(k, k + nd)) if axis is None else k + axis
        return np.sign(_shifted_sum(a, b, axes, True)[1])

    return per_example(sign, *((a,) if b is None else (a, b)), lead=True)


def _as_array(x):
    """A traced value, a float or an array (of any library) as it is; a list or an
    int as an array."""
    if not is_boxed(x) and not isinstance(x, (float, np.ndarray, np.generic)):
        return backend.asarray(x)
    return x


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    """scipy.special.logsumexp: log(sum(b * exp(a))) over ``axis``, computed without
    overflow. Differentiable in ``a`` and ``b``; the gradient in ``a`` is the
    softmax of ``a`` (weighted by ``b``). With ``return_sign`` (real a and b only)
    it returns ``(log |sum|, sign of the sum)``, the first differentiable, the
    second a plain constant (0 where the sum is 0, and the log is -inf).

    >>> import wengert.scipy.special as wsp, numpy as np
    >>> print(wsp.logsumexp(np.array([1000.0, 1000.0])))  # 1000 + log 2, no overflow
    1000.6931471805599
    >>> wsp.logsumexp([0.0, 1.0], b=[1.0, -1.0], return_sign=True)[1]
    np.float64(-1.0)
    """
    a = _as_array(a)
    if axis is not None:
        axis = normalize_axis("logsumexp", axis, len(shape(a)), shape(a))
    if b is not None:
        b = _as_array(b)
        try:
            fits = np.broadcast_shapes(shape(b), shape(a)) == shape(a)
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(f"logsumexp: b of shape {shape(b)} does not broadcast to the "
                             f"shape {shape(a)} of a")
    args = (a,) if b is None else (a, b)
    if not return_sign:
        return _logsumexp(*args, axis=axis, keepdims=keepdims)
    plain = [unbox_all(x) for x in args] + [None] * (2 - len(args))
    if any(np.iscomplexobj(x) for x in plain):
        raise TypeError("logsumexp: return_sign=True needs real a and b (the sign of a "
                        "complex sum is a phase, which wengert does not return); got "
                        "complex input")
    sign = _sign_of_sum(a, b, axis)
    out = _logsumexp(a, b, sign, axis=axis, keepdims=keepdims)
    if type(unbox_all(out)) is float:
        return out, float(sign)
    return out, (sign if keepdims else np.reshape(sign, shape(out))[()])


# ---------------------------------------------------------------- expit and logit


def _expit_float(x):
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@any_kind
def _expit_np(x):
    fast = _scipy_expit()
    if fast is not None and type(x) is np.ndarray and x.dtype.kind == "f":
        return fast(x)  # one pass in C, the same values
    x = backend.asarray(x)
    e = np.exp(-np.abs(x))  # never overflows
    r = 1.0 / (1.0 + e)
    return np.where(x >= 0, r, e * r)[()]


_scipy = []


def _scipy_expit():
    """scipy.special.expit where scipy is installed (an optional extra), else None;
    looked up on first use, so importing wengert never imports scipy."""
    if not _scipy:
        try:
            from scipy.special import expit as fast
        except ImportError:
            fast = None
        _scipy.append(fast)
    return _scipy[0]


def _logit_float(p):
    if 0.25 <= p <= 0.75:
        return 2.0 * math.atanh(2.0 * p - 1.0)  # 2p - 1 is exact here: no cancellation
    return math.log(p) - math.log1p(-p)  # ValueError outside (0, 1): numpy's answer


@any_kind
def _logit_np(p):
    p = backend.asarray(p)
    with np.errstate(divide="ignore", invalid="ignore"):  # logit(0) = -inf, as scipy
        mid = 2 * np.arctanh(2 * p - 1)
        tails = np.log(p) - np.log1p(-p)
    return np.where((p >= 0.25) & (p <= 0.75), mid, tails)[()]


expit = unary("expit", scalar_or_array(_expit_np, _expit_float, "expit"),
              lambda x, ans: ans * (1.0 - ans),
              doc="""scipy.special.expit, the logistic sigmoid 1 / (1 + exp(-x)).

    >>> import wengert as wg, wengert.scipy.special as wsp
    >>> wg.grad(wsp.expit)(0.0)
    0.25
    """)

logit = unary("logit", scalar_or_array(_logit_np, _logit_float, "logit"),
              lambda x, ans: divide(1.0, x * (1.0 - x)),
              doc="""scipy.special.logit, log(p / (1 - p)), the inverse of expit.

    >>> import wengert as wg, wengert.scipy.special as wsp
    >>> wg.grad(wsp.logit)(0.5)
    4.0
    """)

# ---------------------------------------------------------------- softmax, log_softmax


def _shift(x, axis):
    x = backend.asarray(x)
    return x, np.max(x, axis=axis, keepdims=True)


def _softmax_impl(x, *, axis=None):
    scalar = type(x) is float
    x, m = _shift(x, axis)
    e = np.exp(x - m)
    out = e / np.sum(e, axis=axis, keepdims=True)
    return float(out) if scalar else out


def _log_softmax_impl(x, *, axis=None):
    scalar = type(x) is float
    x, m = _shift(x, axis)
    m = np.where(np.isfinite(m), m, 0)  # as scipy: -inf entries stay -inf, no nan
    shifted = x - m
    with np.errstate(divide="ignore"):
        out = shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
    return float(out) if scalar else out


def _softmax_rule(u, ans, x, *, axis=None):
    # J = diag(s) - s s^T over each group reduced together: symmetric, so the JVP
    # (u a tangent) and the VJP (u a cotangent) are the same map
    return ans * (u - _sum(ans * u, axis=axis, keepdims=True))


_softmax = reduction(Primitive("softmax", _softmax_impl, jvps=(_softmax_rule,),
                               vjps=(_softmax_rule,)))

# J = I - 1 s^T: the JVP subtracts the softmax-weighted mean, the VJP s times the sum
_log_softmax = reduction(Primitive(
    "log_softmax", _log_softmax_impl,
    jvps=(lambda t, ans, x, *, axis=None: t - _sum(exp(ans) * t, axis=axis, keepdims=True),),
    vjps=(lambda g, ans, x, *, axis=None: g - exp(ans) * _sum(g, axis=axis, keepdims=True),)))


def _softmax_axis(who, x, axis):
    return None if axis is None else normalize_axis(who, axis, len(shape(x)), shape(x))


def softmax(x, axis=None):
    """scipy.special.softmax: exp(x) / sum(exp(x)) over ``axis`` (all of x for None).

    >>> import wengert.scipy.special as wsp, numpy as np
    >>> wsp.softmax(np.array([0.0, 0.0]))
    array([0.5, 0.5])
    """
    x = _as_array(x)
    return _softmax(x, axis=_softmax_axis("softmax", x, axis))


def log_softmax(x, axis=None):
    """scipy.special.log_softmax: x - logsumexp(x) over ``axis``, without overflow."""
    x = _as_array(x)
    return _log_softmax(x, axis=_softmax_axis("log_softmax", x, axis))


# ---------------------------------------------------------------- xlogy, xlog1py, entr
# x log(y) is 0 where x is 0 (for every y but nan), so also its derivative in y: the
# rule divides x by y with 1 put in for y where x is 0, which keeps 0 / 0 out of the
# derivative and of its derivatives


def _x_times(log_fn, math_log, name):
    @any_kind
    def np_fn(x, y):
        x, y = backend.asarray(x), backend.asarray(y)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = x * log_fn(y)
        return np.where((x == 0) & ~np.isnan(y), 0, out)[()]

    def float_fn(x, y):
        if x == 0 and y == y:
            return 0.0
        return x * math_log(y)  # log of 0 or less raises: numpy's answer is used

    return scalar_or_array(np_fn, float_fn, name)


def _over_where_x_nonzero(x, denominator):
    plain = unbox_all(x)
    if type(plain) in (float, int):
        return divide(x, 1.0 if plain == 0 else denominator)
    zero = per_example(lambda v: np.equal(v, 0), x, aligned=True)  # per example (vmap)
    return divide(x, _where(zero, 1.0, denominator) if anywhere(zero) else denominator)


xlogy = binary("xlogy", _x_times(np.log, math.log, "xlogy"),
               dx=lambda x, y, ans: log(y),
               dy=lambda x, y, ans: _over_where_x_nonzero(x, y),
               doc="""scipy.special.xlogy, x * log(y), and 0 where x is 0.

    >>> import wengert as wg, wengert.scipy.special as wsp
    >>> wsp.xlogy(0.0, 0.0), wg.grad(wsp.xlogy, argnums=1)(0.0, 0.0)
    (0.0, 0.0)
    """)

xlog1py = binary("xlog1py", _x_times(np.log1p, math.log1p, "xlog1py"),
                 dx=lambda x, y, ans: log1p(y),
                 dy=lambda x, y, ans: _over_where_x_nonzero(x, 1.0 + y),
                 doc="scipy.special.xlog1py, x * log1p(y), and 0 where x is 0.")


@any_kind
def _entr_np(x):
    x = backend.asarray(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = -x * np.log(x)
    out = np.where(x == 0, 0, out)
    return np.where(x < 0, -np.inf, out)[()]


def _entr_float(x):
    if x > 0:
        return -x * math.log(x)
    if x == 0:
        return 0.0
    return -math.inf if x < 0 else x  # nan stays nan


# -x log x: derivative -(log x + 1), +inf at 0 (numpy's log(0) = -inf)
entr = unary("entr", scalar_or_array(_entr_np, _entr_float, "entr"),
             lambda x, ans: -(log(x) + 1.0),
             doc="scipy.special.entr: -x log(x) for x > 0, 0 at 0, -inf below.")

__all__ = ["logsumexp", "softmax", "log_softmax", "expit", "logit", "xlogy", "xlog1py",
           "entr"]
