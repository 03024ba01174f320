"""Binary arithmetic with numpy broadcasting: add, subtract, multiply, divide,
power (with a traced exponent), maximum, minimum, fmax, fmin, logaddexp, logaddexp2,
hypot, arctan2, copysign, and the comparisons and heaviside (not differentiable:
plain results)."""

import math

import numpy as np

from .. import backend
from ..backend import scalar_or_array
from ..core.primitive import Primitive
from ..core.trace import Box, unbox_all
from ._base import _PY, binary, float_dtype, match, nondiff, per_example, unbroadcast


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
    return log(where(_per_example(lambda v: v == 0, x), 1.0, x))


def _power_dx(x, y, ans):
    # y x^(y-1); a constant exponent 0 gives exactly 0 (x^-1 would be inf at x = 0,
    # and 0 * inf is nan: the third derivative of x**2 at 0 must be 0)
    if not isinstance(y, Box):
        if type(y) not in backend.PLAIN and backend.kind(y) == "dask":  # lazy: unknown
            from .indexing import where
            return where(y == 0, 0.0, y * power(x, y - 1))
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


def _per_example(fn, *args):
    """An elementwise constant from traced data: under vmap each example's own,
    batched as the data is (plain values, the common case in a rule, go straight)."""
    for a in args:
        if isinstance(a, Box):
            return per_example(fn, *args, aligned=True)
    return fn(*args)


def _share(a, b, ans):
    # maximum/minimum: the derivative goes to the input that won; ties split evenly
    # (in ans's float dtype: the quotient of booleans alone would be float64)
    dtype = float_dtype(ans)
    return _per_example(
        lambda a, b, ans: (np.equal(a, ans) / (1.0 + np.equal(a, b))).astype(dtype),
        a, b, ans)


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

# fmax/fmin: maximum and minimum that pass over a nan (the other input wins, so the
# derivative goes to it: _share compares each input with the answer, and nan equals
# nothing); where both are nan neither gets a derivative
fmax = binary("fmax", np.fmax,
              dx=lambda x, y, ans: _share(x, y, ans),
              dy=lambda x, y, ans: _share(y, x, ans))
fmin = binary("fmin", np.fmin,
              dx=lambda x, y, ans: _share(x, y, ans),
              dy=lambda x, y, ans: _share(y, x, ans))


def _exp(x):
    from .elementwise import exp
    return exp(x)


def _exp2(x):
    from .elementwise import exp2
    return exp2(x)


# log(e^x + e^y): the partials are the softmax weights e^(x - ans), e^(y - ans), which
# never overflow (x - ans <= 0); base 2 likewise with 2^(x - ans)
logaddexp = binary("logaddexp", np.logaddexp,
                   dx=lambda x, y, ans: _exp(x - ans),
                   dy=lambda x, y, ans: _exp(y - ans))
logaddexp2 = binary("logaddexp2", np.logaddexp2,
                    dx=lambda x, y, ans: _exp2(x - ans),
                    dy=lambda x, y, ans: _exp2(y - ans))


def _same_sign(x, y):
    # d copysign(x, y) / dx: +1 where x already has y's sign bit, -1 where it flips
    dtype = float_dtype(x)
    return _per_example(
        lambda x, y: np.where(np.equal(np.signbit(x), np.signbit(y)), 1.0, -1.0).astype(dtype),
        x, y)


# |x| with the sign of y: piecewise +-x in x, piecewise constant in y (no derivative
# there, as for sign)
copysign = binary("copysign", scalar_or_array(np.copysign, math.copysign),
                  dx=lambda x, y, ans: _same_sign(x, y),
                  dy=lambda x, y, ans: 0.0)
heaviside = nondiff("heaviside", np.heaviside)

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
             dy=lambda x, y, ans: _per_example(lambda x, y: -np.floor_divide(x, y), x, y))
remainder = mod

__all__ = ["add", "subtract", "multiply", "divide", "true_divide", "power", "maximum",
           "minimum", "fmax", "fmin", "logaddexp", "logaddexp2", "copysign", "heaviside",
           "hypot", "arctan2", "less", "less_equal", "greater", "greater_equal",
           "equal", "not_equal", "floor_divide", "mod", "remainder"]
