"""Smooth elementwise functions: each states its derivative once, as a function of
the input ``x`` and the output ``ans``, and ``unary`` makes both rules from it.

Quotients in the rules go through the ``divide`` primitive rather than Python's
``/``: on Python floats ``1.0 / 0.0`` raises, where numpy (and so ``divide``) gives
inf, the same answer as for a 0-d array."""

import builtins
import math

import numpy as np

from .. import backend
from ..backend import scalar_or_array
from ..core.primitive import Primitive
from ..core.trace import unbox_all
from ..core.trace import is_boxed
from ._base import (anywhere, binary, everywhere, example, float_dtype, no_out, nondiff,
                    per_example, unary)
from .arithmetic import arctan2, divide, multiply, power
from .complex import conj, real
from .indexing import _where

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


def _cbrt(x):
    return math.copysign(abs(x) ** (1.0 / 3.0), x)


def _sq(x):
    return x * x


exp = unary("exp", scalar_or_array(np.exp, math.exp), lambda x, ans: ans)
expm1 = unary("expm1", scalar_or_array(np.expm1, math.expm1), lambda x, ans: ans + 1.0)
log = unary("log", scalar_or_array(np.log, math.log), lambda x, ans: divide(1.0, x))
log1p = unary("log1p", scalar_or_array(np.log1p, math.log1p), lambda x, ans: divide(1.0, x + 1.0))
log2 = unary("log2", scalar_or_array(np.log2, math.log2), lambda x, ans: divide(1.0, x * _LN2))
log10 = unary("log10", scalar_or_array(np.log10, math.log10), lambda x, ans: divide(1.0, x * _LN10))

sin = unary("sin", scalar_or_array(np.sin, math.sin), lambda x, ans: cos(x))
cos = unary("cos", scalar_or_array(np.cos, math.cos), lambda x, ans: -sin(x))
tan = unary("tan", scalar_or_array(np.tan, math.tan), lambda x, ans: 1.0 + ans * ans)
arcsin = unary("arcsin", scalar_or_array(np.arcsin, math.asin),
               lambda x, ans: divide(1.0, sqrt(1.0 - x * x)))
arccos = unary("arccos", scalar_or_array(np.arccos, math.acos),
               lambda x, ans: divide(-1.0, sqrt(1.0 - x * x)))
arctan = unary("arctan", scalar_or_array(np.arctan, math.atan),
               lambda x, ans: divide(1.0, 1.0 + x * x))

sinh = unary("sinh", scalar_or_array(np.sinh, math.sinh), lambda x, ans: cosh(x))
cosh = unary("cosh", scalar_or_array(np.cosh, math.cosh), lambda x, ans: sinh(x))
tanh = unary("tanh", scalar_or_array(np.tanh, math.tanh), lambda x, ans: 1.0 - ans * ans)
arcsinh = unary("arcsinh", scalar_or_array(np.arcsinh, math.asinh),
                lambda x, ans: divide(1.0, sqrt(x * x + 1.0)))
arccosh = unary("arccosh", scalar_or_array(np.arccosh, math.acosh),
                lambda x, ans: divide(1.0, sqrt(x * x - 1.0)))
arctanh = unary("arctanh", scalar_or_array(np.arctanh, math.atanh),
                lambda x, ans: divide(1.0, 1.0 - x * x))

sqrt = unary("sqrt", scalar_or_array(np.sqrt, math.sqrt), lambda x, ans: divide(0.5, ans))
cbrt = unary("cbrt", scalar_or_array(np.cbrt, _cbrt), lambda x, ans: divide(1.0, 3.0 * ans * ans))
square = unary("square", scalar_or_array(np.square, _sq), lambda x, ans: 2.0 * x)
reciprocal = unary("reciprocal", scalar_or_array(np.reciprocal, lambda x: 1.0 / x),
                   lambda x, ans: -(ans * ans))


# |x|' = sign(x) on real x (0 at 0, the subgradient numpy's sign gives). On complex
# z, HIPS autograd's convention (rules/complex.py) gives the VJP g conj(z) / |z| and
# the JVP Re(conj(z) t) / |z|, a real tangent for the real output; both 0 at z = 0,
# where conj(z) = 0 is divided by 1 instead of |z| = 0 (no nan to differentiate).
def _const(fn, *args):
    """``fn`` (elementwise) of the values of ``args``: a constant mask or value,
    computed per example under vmap."""
    return per_example(fn, *args, aligned=True)


def _anywhere(c):
    return anywhere(c)


def _abs_denominator(ans):
    return _where(_const(lambda a: np.equal(a, 0), ans), 1.0, ans)


def _abs_jvp(t, ans, x):
    if not np.iscomplexobj(unbox_all(x)):
        return t * sign(x)
    return divide(real(conj(x) * t), _abs_denominator(ans))


def _abs_vjp(g, ans, x):
    if not np.iscomplexobj(unbox_all(x)):
        return g * sign(x)
    return divide(g * conj(x), _abs_denominator(ans))


absolute = Primitive("absolute", scalar_or_array(np.abs, abs),
                     jvps=(_abs_jvp,), vjps=(_abs_vjp,))
abs = absolute

negative = Primitive(
    "negative", scalar_or_array(np.negative, lambda x: -x),
    jvps=(lambda t, ans, x: negative(t),),
    vjps=(lambda g, ans, x: negative(g),))

exp2 = unary("exp2", scalar_or_array(np.exp2, lambda x: 2.0 ** x), lambda x, ans: ans * _LN2)

_DEG = 180.0 / math.pi
_RAD = math.pi / 180.0


def deg2rad(x, /, out=None):
    """numpy.deg2rad: ``x * pi / 180``.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> print(round(float(wg.grad(wnp.deg2rad)(90.0)) * 180.0, 12))
    3.14159265359
    """
    no_out("deg2rad", out)
    if not is_boxed(x):
        return np.deg2rad(x) if type(x) is not float else x * _RAD
    return multiply(x, _RAD)


def rad2deg(x, /, out=None):
    """numpy.rad2deg: ``x * 180 / pi``."""
    no_out("rad2deg", out)
    if not is_boxed(x):
        return np.rad2deg(x) if type(x) is not float else x * _DEG
    return multiply(x, _DEG)


radians = deg2rad
degrees = rad2deg


def fabs(x, /, out=None):
    """numpy.fabs: the absolute value of real input (complex input is refused, as
    numpy refuses it); the derivative is sign(x), 0 at 0."""
    no_out("fabs", out)
    if np.iscomplexobj(unbox_all(x)):
        raise TypeError("fabs: complex input is not supported (numpy's fabs has no complex "
                        "loop; use absolute)")
    if not is_boxed(x):
        return np.fabs(x)
    return absolute(x)


# ------------------------------------------------------------------- sinc

# sinc(x) = sin(pi x) / (pi x) = sum_k (-1)^k (pi x)^(2k) / (2k + 1)!; its derivative
# (cos(pi x) - sinc(x)) / x loses digits to cancellation near 0, so |x| < 0.1 takes
# the series of the derivative, x * sum_k c_k x^(2k) (error below 1e-25 with the
# terms kept), a polynomial that differentiates again to any order
_SINC_SERIES = 0.1
_SINC_D = [(-1) ** k * 2 * k * math.pi ** (2 * k) / math.factorial(2 * k + 1)
           for k in range(1, 10)]


def _sinc_deriv(x, ans):
    small = _const(lambda v: np.abs(v) < _SINC_SERIES, x)
    x2 = x * x
    series = 0.0
    for c in reversed(_SINC_D):  # Horner in x^2
        series = series * x2 + c
    series = series * x
    if everywhere(small):
        return series
    # away from 0: the closed form, with 1 in place of x where the series is used so
    # that the branch not taken holds no 0/0 (a nan would leak into its derivative)
    safe = _where(small, 1.0, x)
    closed = divide(cos(math.pi * safe) - sinc(safe), safe)
    if not _anywhere(small):
        return closed
    return _where(small, series, closed)


sinc = unary("sinc", np.sinc, _sinc_deriv,
             doc="numpy.sinc, sin(pi x) / (pi x) (1 at 0); every derivative is exact at 0.")


# ------------------------------------------------------------------- i0 (numpy's)

def _i1_series(x):
    # I1(x) = sum_k (x/2)^(2k+1) / (k! (k+1)!): positive terms, no cancellation
    h = x / 2.0
    h2 = h * h
    term = h.copy()
    total = h.copy()
    k = 0
    while True:
        k += 1
        term = term * h2 / (k * (k + 1))
        total = total + term
        if k > 8 and np.all(np.abs(term) <= 1e-17 * np.abs(total)):
            return total


def _i1_asymptotic(x):
    # I1(x) ~ e^x / sqrt(2 pi x) sum_k (-1)^k prod_{j<=k} (4 - (2j - 1)^2) / (k! (8x)^k)
    # for x >= 30: 30 terms leave a relative error near 1e-17
    total = np.ones_like(x)
    term = np.ones_like(x)
    for k in range(1, 30):
        term = term * -(4.0 - (2 * k - 1) ** 2) / (k * 8.0 * x)
        total = total + term
    with np.errstate(over="ignore"):
        half = np.exp(x / 2.0)  # e^x in two halves: no overflow before the result's own
        return half * (total / np.sqrt(2.0 * math.pi * x)) * half


def _numpy_i1_impl(x):
    """I1, the modified Bessel function of order 1 (numpy has only i0): the power
    series for |x| < 30, the asymptotic series beyond, odd in x."""
    x = np.asarray(x, dtype=np.result_type(x, np.float64))
    ax = np.abs(x)
    out = np.empty_like(ax)
    small = ax < 30.0
    if np.any(small):
        out[small] = _i1_series(ax[small])
    if not np.all(small):
        out[~small] = _i1_asymptotic(ax[~small])
    out = np.copysign(out, x)
    return out[()] if out.ndim == 0 else out


# I1'(x) = sum_k (2k + 1) x^(2k) / (2^(2k+1) k! (k+1)!) for |x| < 1 (the last term
# kept is below 1e-20): a polynomial, exact at 0 to every order; beyond, I0 - I1 / x
_I1_SERIES = 1.0
_I1_D = [(2 * k + 1) / (2.0 ** (2 * k + 1) * math.factorial(k) * math.factorial(k + 1))
         for k in range(11)]


def _i1_deriv(x, ans):
    small = _const(lambda v: np.abs(v) < _I1_SERIES, x)
    x2 = x * x
    series = 0.0
    for c in reversed(_I1_D):  # Horner in x^2
        series = series * x2 + c
    if everywhere(small):
        return series
    # 1 in place of x where the series is used: no 0/0 in the branch not taken
    safe = _where(small, 1.0, x) if _anywhere(small) else x
    closed = numpy_i0(safe) - divide(numpy_i1(safe), safe)
    if not _anywhere(small):
        return closed
    return _where(small, series, closed)


numpy_i1 = unary("numpy_i1", _numpy_i1_impl, _i1_deriv,
                 doc="I1, the derivative of numpy.i0 (numpy has no i1 of its own).")
numpy_i0 = unary("numpy_i0", np.i0, lambda x, ans: numpy_i1(x),
                 doc="numpy.i0 as a primitive; its derivative is I1.")


def i0(x):
    """numpy.i0, the modified Bessel function of the first kind of order 0 (real
    input, numpy's own values); the derivative is I1.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> print(round(float(wg.grad(wnp.i0)(1.0)), 12))  # I1(1)
    0.565159103992
    """
    return numpy_i0(x)


# ------------------------------------------------- nan_to_num, real_if_close, angle

def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """numpy.nan_to_num: finite entries keep their value and derivative; the
    replaced ones (nan, +-inf) are constants, with derivative 0. Complex input is
    treated part by part, as numpy does.

    >>> import numpy as np, wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda x: wnp.sum(wnp.nan_to_num(x)))(np.array([1.0, np.nan, np.inf]))
    array([1., 0., 0.])
    """
    if not is_boxed(x):
        return np.nan_to_num(x, copy=copy, nan=nan, posinf=posinf, neginf=neginf)
    if np.iscomplexobj(unbox_all(x)):
        from .complex import imag
        re = nan_to_num(real(x), nan=nan, posinf=posinf, neginf=neginf)
        im = nan_to_num(imag(x), nan=nan, posinf=posinf, neginf=neginf)
        return re + im * 1j
    finite = _const(np.isfinite, x)
    if everywhere(finite):
        return x
    fixed = _const(lambda v: np.nan_to_num(v, nan=nan, posinf=posinf, neginf=neginf), x)
    return _where(finite, x, fixed)


def real_if_close(a, tol=100):
    """numpy.real_if_close: the real part of ``a`` when every imaginary part is within
    ``tol`` machine epsilons of 0 (the decision is made on the values), else ``a``."""
    if not is_boxed(a):
        return np.real_if_close(a, tol=tol)
    av = unbox_all(a)
    if not np.iscomplexobj(av):
        return a
    # one decision for the whole batch under vmap: the result's dtype is one dtype
    return a if np.iscomplexobj(np.real_if_close(av, tol=tol)) else real(a)


def angle(z, deg=False):
    """numpy.angle: the argument of ``z``, arctan2(imag(z), real(z)) (in degrees with
    ``deg``). On real input it is 0 or pi, with derivative 0.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> print(complex(wg.grad(wnp.angle)(1.0j)).real)  # d/dx of arctan2(y, x) at (0, 1)
    -1.0
    """
    if not is_boxed(z):
        return np.angle(z, deg=deg)
    from .arithmetic import arctan2
    from .complex import imag
    a = arctan2(imag(z), real(z))
    return multiply(a, _DEG) if deg else a


# ---------------------------------------- numpy 2's names, fmod, ldexp, modf, divmod

atan2, pow = arctan2, power  # numpy 2's names
acos, acosh, asin, asinh, atan, atanh = arccos, arccosh, arcsin, arcsinh, arctan, arctanh


def positive(x, /, out=None):
    """numpy.positive: ``+x``, a new array (derivative 1). numpy's checks run on the
    value (a boolean is refused, as numpy refuses it)."""
    no_out("positive", out)
    if not is_boxed(x):
        return np.positive(x)
    np.positive(example(x))
    return multiply(x, 1)  # a new traced value: writing into it leaves x alone


def float_power(x1, x2, /, out=None):
    """numpy.float_power: ``x1 ** x2`` computed in float64 (complex128 for complex
    input), differentiable in both (the power primitive after the cast).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> print(float(wg.grad(lambda x: wnp.float_power(x, 3))(2.0)))
    12.0
    """
    no_out("float_power", out)
    if not (is_boxed(x1) or is_boxed(x2)):
        return np.float_power(x1, x2)
    from .complex import astype
    dt = np.result_type(np.float_power(np.zeros((), np.result_type(unbox_all(x1))),
                                       np.zeros((), np.result_type(unbox_all(x2)))))

    def up(v):
        if is_boxed(v):
            return v if np.result_type(unbox_all(v)) == dt else astype(v, dt)
        return v if type(v) in (int, float) else np.asarray(v, dtype=dt)
    return power(up(x1), up(x2))


def _fmod_quotient(x, y, ans):
    # the integer q with x = q y + fmod(x, y), truncated towards 0; read from the
    # answer, (x - ans) / y rounded, which is right where x / y rounds across an integer
    dt = float_dtype(ans)

    def quotient(x, y, ans):
        with np.errstate(all="ignore"):
            q = np.round(np.divide(np.subtract(x, ans), y))
        return q.astype(dt) if backend.kind(q) != backend.NUMPY else np.asarray(q, dtype=dt)
    return _const(quotient, x, y, ans)


# fmod(x, y) = x - y trunc(x / y) with the sign of x: slope 1 in x and -trunc(x / y)
# in y between its jumps (numpy's remainder has floor in place of trunc)
fmod = binary("fmod", scalar_or_array(np.fmod, math.fmod),
              dx=lambda x, y, ans: 1.0,
              dy=lambda x, y, ans: -_fmod_quotient(x, y, ans),
              doc="numpy.fmod: the C remainder, the sign of the dividend.")


def ldexp(x1, x2, /, out=None):
    """numpy.ldexp: ``x1 * 2**x2`` for integer exponents ``x2`` (constants): the
    derivative in ``x1`` is 2**x2. The product by a power of two is exact, so the
    value is numpy's.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> print(float(wg.grad(lambda x: wnp.ldexp(x, 3))(1.5)))
    8.0
    """
    no_out("ldexp", out)
    if not is_boxed(x1):
        return np.ldexp(x1, unbox_all(x2)) if not is_boxed(x2) else \
            _const(np.ldexp, x1, x2)
    xv = example(x1)
    dt = np.result_type(np.ldexp(np.zeros((), np.result_type(xv)), np.zeros((), np.int64)))
    nv = np.asarray(unbox_all(x2))
    if nv.dtype.kind not in "iub":
        np.ldexp(xv, example(x2))  # numpy's TypeError for a non-integer exponent
    info = np.finfo(dt)
    if nv.size == 0 or (nv.min() >= info.minexp and nv.max() < info.maxexp):
        return multiply(x1, _const(lambda n: np.ldexp(np.ones(np.shape(n), dt), n), x2))
    # 2**n itself would overflow or underflow: two exact halves
    return multiply(multiply(x1, _const(lambda n: np.ldexp(np.ones(np.shape(n), dt),
                                                          n // 2), x2)),
                    _const(lambda n: np.ldexp(np.ones(np.shape(n), dt), n - n // 2), x2))


def modf(x, /, out1=None, out2=None, *, out=None):
    """numpy.modf: ``(fractional part, integral part)``, both with the sign of x. The
    fractional part is x minus a constant (its derivative is 1), the integral part a
    plain array (derivative 0).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> print(float(wg.grad(lambda x: wnp.modf(x)[0])(2.5)))
    1.0
    """
    for o in (out1, out2, out):
        no_out("modf", o)
    if not is_boxed(x):
        return np.modf(x)
    frac_v, whole = _const(np.modf, x)
    # x - trunc(x) is exact; written as -(trunc(x) - x) for a sign bit that is set,
    # so a negative integer gives numpy's -0.0; an infinity's fraction is numpy's +-0
    neg = _const(np.signbit, x)
    frac = x - whole
    if _anywhere(neg):
        frac = _where(neg, -(whole - x), frac)
    inf = _const(np.isinf, x)
    if _anywhere(inf):
        frac = _where(inf, frac_v, frac)
    return frac, whole


def divmod(x1, x2, /, out1=None, out2=None, *, out=None):
    """numpy.divmod: ``(floor_divide(x1, x2), mod(x1, x2))``; the quotient is a plain
    (integer-valued) array, the remainder differentiable as numpy.mod."""
    for o in (out1, out2, out):
        no_out("divmod", o)
    if not (is_boxed(x1) or is_boxed(x2)):
        return np.divmod(x1, x2)
    from .arithmetic import mod
    return _const(np.floor_divide, x1, x2), mod(x1, x2)


def unwrap(p, discont=None, axis=-1, *, period=2 * math.pi):
    """numpy.unwrap: p plus multiples of ``period`` that remove the jumps larger than
    ``discont``. The added multiples are constants, so the derivative is the identity.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda p: wnp.sum(wnp.unwrap(p) ** 2))(wnp.array([0.0, 6.0]))
    array([ 0.        , -0.56637061])
    """
    if not is_boxed(p):
        return np.unwrap(p, discont=discont, axis=axis, period=period)
    from ._base import normalize_axis, shape
    from .indexing import _getitem
    from .shape import _concatenate
    p_shape = shape(p)
    nd = len(p_shape)
    ax = normalize_axis("unwrap", axis, nd, p_shape)
    if discont is None:
        discont = period / 2
    dtype = np.result_type(np.diff(np.zeros(2, np.result_type(example(p)))), period)
    correction = per_example(
        lambda pv, k: _unwrap_correction(pv, ax - nd, discont, period, dtype), p, lead=True)
    if dtype != np.result_type(example(p)):
        from .complex import astype
        p = astype(p, dtype)
    if p_shape[ax] == 0:
        return p
    head = _getitem(p, idx=(slice(None),) * ax + (slice(0, 1),))
    tail = _getitem(p, idx=(slice(None),) * ax + (slice(1, None),)) + correction
    return _concatenate(head, tail, axis=ax)


def _unwrap_correction(pv, ax, discont, period, dtype):
    """numpy's own steps on the values of p, up to the cumulative correction (along
    the axis ``ax`` counted from the end)."""
    dd = np.diff(pv, axis=ax)
    if np.issubdtype(dtype, np.integer):
        interval_high, rem = builtins.divmod(period, 2)
        boundary_ambiguous = rem == 0
    else:
        interval_high = period / 2
        boundary_ambiguous = True
    interval_low = -interval_high
    ddmod = np.mod(dd - interval_low, period) + interval_low
    if boundary_ambiguous:
        np.copyto(ddmod, interval_high, where=(ddmod == interval_low) & (dd > 0))
    ph_correct = ddmod - dd
    np.copyto(ph_correct, 0, where=np.abs(dd) < discont)
    return ph_correct.cumsum(ax)


sign = nondiff("sign", np.sign)
floor = nondiff("floor", np.floor)
ceil = nondiff("ceil", np.ceil)
rint = nondiff("rint", np.rint)
round = nondiff("round", np.round)
trunc = nondiff("trunc", np.trunc)
isnan = nondiff("isnan", np.isnan)
isinf = nondiff("isinf", np.isinf)
isfinite = nondiff("isfinite", np.isfinite)

__all__ = ["exp", "expm1", "log", "log1p", "log2", "log10", "sin", "cos", "tan", "arcsin",
           "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh",
           "sqrt", "cbrt", "square", "reciprocal", "absolute", "abs", "negative", "sign",
           "floor", "ceil", "rint", "round", "trunc", "isnan", "isinf", "isfinite", "exp2",
           "deg2rad", "rad2deg", "radians", "degrees", "fabs", "sinc", "i0", "nan_to_num",
           "real_if_close", "angle", "acos", "acosh", "asin", "asinh", "atan", "atan2",
           "atanh", "pow", "positive", "float_power", "fmod", "ldexp", "modf", "divmod",
           "unwrap"]
