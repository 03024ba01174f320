"""scipy.special with derivatives: logsumexp, expit and logit.

Each is a primitive, because the composite formula loses precision or overflows:
logsumexp subtracts the maximum before exponentiating, expit picks the form with
exp of a non-positive number, and logit switches to 2 atanh(2p - 1) near p = 1/2.
The forward passes use numpy only; scipy is not imported. Quotients in the rules go
through the ``divide`` primitive, so a Python float gives numpy's inf where Python's
``/`` would raise ZeroDivisionError.

>>> import wengert as wg, wengert.scipy.special as wsp, numpy as np
>>> wg.grad(wsp.logsumexp)(np.array([0.0, 0.0]))
array([0.5, 0.5])
"""

import math

import numpy as np

from ..backend import scalar_or_array
from ..core.primitive import Primitive
from ..core.trace import is_boxed
from ._base import match, normalize_axis, shape, unary, unbroadcast
from .arithmetic import divide
from .elementwise import exp
from .reductions import _restore, _sum

# ---------------------------------------------------------------- logsumexp


def _lse_impl(a, b=None, *, axis=None, keepdims=False):
    scalar = type(a) is float and (b is None or type(b) in (float, int))
    a = np.asarray(a)
    if a.dtype.kind not in "fc":
        a = a.astype(np.float64)
    # shift by the largest term that counts (b == 0 removes a term), 0 if none is finite
    counted = a if b is None else np.where(np.broadcast_to(b, a.shape) != 0, a, -np.inf)
    m = np.max(counted, axis=axis, keepdims=True, initial=-np.inf)
    m = np.where(np.isfinite(m), m, 0.0)
    e = np.exp(counted - m)
    if b is not None:
        e = b * e
    s = np.sum(e, axis=axis, keepdims=keepdims)
    if not keepdims:
        m = np.reshape(m, np.shape(s))
    with np.errstate(divide="ignore"):  # log(0) = -inf, as scipy gives
        out = np.log(s) + m
    return float(out) if scalar else out


def _softmax_weights(a, ans, axis, keepdims):
    """exp(a - ans) with ans broadcast back over the reduced axes: the softmax of
    ``a`` when there are no weights (with weights b the callers multiply by b)."""
    return exp(a - _restore(ans, a, axis, keepdims))


def _lse_vjp_a(g, ans, a, b=None, *, axis=None, keepdims=False):
    w = _softmax_weights(a, ans, axis, keepdims)
    if b is not None:
        w = b * w
    return _restore(g, a, axis, keepdims) * w


def _lse_vjp_b(g, ans, a, b, *, axis=None, keepdims=False):
    w = _softmax_weights(a, ans, axis, keepdims)
    return unbroadcast(_restore(g, a, axis, keepdims) * w, b)


def _lse_jvp_a(t, ans, a, b=None, *, axis=None, keepdims=False):
    w = _softmax_weights(a, ans, axis, keepdims)
    if b is not None:
        w = b * w
    return _sum(t * w, axis=axis, keepdims=keepdims)


def _lse_jvp_b(t, ans, a, b, *, axis=None, keepdims=False):
    w = _softmax_weights(a, ans, axis, keepdims)
    return _sum(match(t, w) * w, axis=axis, keepdims=keepdims)


# ans = log sum_i b_i exp(a_i): d ans / d a_i = b_i exp(a_i - ans), d ans / d b_i = exp(a_i - ans)
_logsumexp = Primitive(
    "logsumexp", _lse_impl,
    jvps=(_lse_jvp_a, _lse_jvp_b),
    vjps=(_lse_vjp_a, _lse_vjp_b))


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    """scipy.special.logsumexp: log(sum(b * exp(a))) over ``axis``, computed without
    overflow. Differentiable in ``a`` and ``b``; the gradient in ``a`` is the
    softmax of ``a`` (weighted by ``b``).

    >>> import wengert.scipy.special as wsp, numpy as np
    >>> print(wsp.logsumexp(np.array([1000.0, 1000.0])))  # 1000 + log 2, no overflow
    1000.6931471805599
    """
    if return_sign:
        raise NotImplementedError("logsumexp: return_sign=True is not supported by "
                                  "wengert.scipy.special")
    if not is_boxed(a) and not isinstance(a, (float, np.ndarray, np.generic)):
        a = np.asarray(a)
    if axis is not None:
        axis = normalize_axis("logsumexp", axis, len(shape(a)), shape(a))
    if b is None:
        return _logsumexp(a, axis=axis, keepdims=keepdims)
    if not is_boxed(b) and not isinstance(b, (float, np.ndarray, np.generic)):
        b = np.asarray(b)
    try:
        fits = np.broadcast_shapes(shape(b), shape(a)) == shape(a)
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"logsumexp: b of shape {shape(b)} does not broadcast to the "
                         f"shape {shape(a)} of a")
    return _logsumexp(a, b, axis=axis, keepdims=keepdims)


# ---------------------------------------------------------------- expit and logit


def _expit_float(x):
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _expit_np(x):
    x = np.asarray(x)
    e = np.exp(-np.abs(x))  # never overflows
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))[()]


def _logit_float(p):
    if 0.25 <= p <= 0.75:
        return 2.0 * math.atanh(2.0 * p - 1.0)  # 2p - 1 is exact here: no cancellation
    return math.log(p) - math.log1p(-p)  # ValueError outside (0, 1): numpy's answer


def _logit_np(p):
    p = np.asarray(p)
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

__all__ = ["logsumexp", "expit", "logit"]
