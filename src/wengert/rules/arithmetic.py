"""Binary arithmetic with numpy broadcasting: add, subtract, multiply, divide,
power (with a traced exponent), maximum, minimum, hypot, arctan2, and the
comparisons (not differentiable: plain results)."""

import math

import numpy as np

from ..backend import scalar_or_array
from ..core.primitive import Primitive
from ..core.trace import Box, unbox_all
from ._base import _PY, binary, float_dtype, match, nondiff, unbroadcast


add = Primitive(
    "add", scalar_or_array(np.add, lambda x, y: x + y),
    jvps=(lambda t, ans, x, y: match(t, ans),
          lambda t, ans, x, y: match(t, ans)),
    vjps=(lambda g, ans, x, y: unbroadcast(g, x),
          lambda g, ans, x, y: unbroadcast(g, y)))

subtract = Primitive(
    "subtract", scalar_or_array(np.subtract, lambda x, y: x - y),
    jvps=(lambda t, ans, x, y: match(t, ans),
          lambda t, ans, x, y: match(-t, ans)),
    vjps=(lambda g, ans, x, y: unbroadcast(g, x),
          lambda g, ans, x, y: unbroadcast(-g, y)))

multiply = Primitive(
    "multiply", scalar_or_array(np.multiply, lambda x, y: x * y),
    jvps=(lambda t, ans, x, y: match(t * y, ans),
          lambda t, ans, x, y: match(x * t, ans)),
    vjps=(lambda g, ans, x, y: unbroadcast(g * y, x),
          lambda g, ans, x, y: unbroadcast(x * g, y)))

# d(x/y) = dx / y - x dy / y^2 = (dx - ans dy) / y
divide = Primitive(
    "divide", scalar_or_array(np.true_divide, lambda x, y: x / y),
    jvps=(lambda t, ans, x, y: match(divide(t, y), ans),
          lambda t, ans, x, y: match(divide(-t * ans, y), ans)),
    vjps=(lambda g, ans, x, y: unbroadcast(divide(g, y), x),
          lambda g, ans, x, y: unbroadcast(divide(-g * ans, y), y)))
true_divide = divide


def _log_or_zero(x):
    # d(x**y)/dy = log(x) x**y; where x == 0 the product is 0 (for y > 0), so use log(1)
    from .elementwise import log
    plain = unbox_all(x)
    if type(plain) in _PY:
        return log(x) if plain != 0 else 0.0
    from .indexing import where
    return log(where(plain == 0, 1.0, x))


def _power_dx(x, y, ans):
    # y x^(y-1); a constant exponent 0 gives exactly 0 (x^-1 would be inf at x = 0,
    # and 0 * inf is nan: the third derivative of x**2 at 0 must be 0)
    if not isinstance(y, Box):
        plain = np.asarray(y)
        if not plain.any():
            return 0.0
        if not plain.all():
            from .indexing import where
            return where(plain == 0, 0.0, y * power(x, y - 1))
    return y * power(x, y - 1)


power = binary(
    "power", scalar_or_array(np.power, math.pow),
    dx=_power_dx,
    dy=lambda x, y, ans: ans * _log_or_zero(x))


def _share(a, b, ans):
    # maximum/minimum: the derivative goes to the input that won; ties split evenly
    # (in ans's float dtype: the quotient of booleans alone would be float64)
    a, b, ans = unbox_all(a), unbox_all(b), unbox_all(ans)
    return (np.equal(a, ans) / (1.0 + np.equal(a, b))).astype(float_dtype(ans))


maximum = binary("maximum", np.maximum,
                 dx=lambda x, y, ans: _share(x, y, ans),
                 dy=lambda x, y, ans: _share(y, x, ans))
minimum = binary("minimum", np.minimum,
                 dx=lambda x, y, ans: _share(x, y, ans),
                 dy=lambda x, y, ans: _share(y, x, ans))
hypot = binary("hypot", scalar_or_array(np.hypot, math.hypot),
               dx=lambda x, y, ans: divide(x, ans),
               dy=lambda x, y, ans: divide(y, ans))
# arctan2(x1, x2) is the angle of the point (x2, x1)
arctan2 = binary("arctan2", scalar_or_array(np.arctan2, math.atan2),
                 dx=lambda x, y, ans: divide(y, x * x + y * y),
                 dy=lambda x, y, ans: divide(-x, x * x + y * y))

less = nondiff("less", np.less)
less_equal = nondiff("less_equal", np.less_equal)
greater = nondiff("greater", np.greater)
greater_equal = nondiff("greater_equal", np.greater_equal)
equal = nondiff("equal", np.equal)
not_equal = nondiff("not_equal", np.not_equal)
floor_divide = nondiff("floor_divide", np.floor_divide)
# x mod y = x - y floor(x / y): slope 1 in x and -floor(x / y) in y (between jumps)
mod = binary("mod", np.mod,
             dx=lambda x, y, ans: 1.0,
             dy=lambda x, y, ans: -np.floor_divide(unbox_all(x), unbox_all(y)))
remainder = mod

__all__ = ["add", "subtract", "multiply", "divide", "true_divide", "power", "maximum",
           "minimum", "hypot", "arctan2", "less", "less_equal", "greater", "greater_equal",
           "equal", "not_equal", "floor_divide", "mod", "remainder"]
