"""Smooth elementwise functions: each states its derivative once, as a function of
the input ``x`` and the output ``ans``, and ``unary`` makes both rules from it.

Quotients in the rules go through the ``divide`` primitive rather than Python's
``/``: on Python floats ``1.0 / 0.0`` raises, where numpy (and so ``divide``) gives
inf, the same answer as for a 0-d array."""

import math

import numpy as np

from ..backend import scalar_or_array
from ..core.primitive import Primitive
from ..core.trace import unbox_all
from ._base import nondiff, unary
from .arithmetic import divide
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
def _abs_denominator(ans):
    return _where(np.equal(unbox_all(ans), 0), 1.0, ans)


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
           "floor", "ceil", "rint", "round", "trunc", "isnan", "isinf", "isfinite"]
