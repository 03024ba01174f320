"""Spec table for rules/arithmetic.py: every binary primitive over the broadcasting
pairs of spec.BINARY_SHAPES (both orders of each pair), plus operator spellings and
Python-float constants mixed with arrays.

Shape ``()`` gives a Python float, so pairs with ``()`` mix a float with an array.
"""

import wengert.numpy as wnp

from .spec import BINARY_SHAPES, Case, D, P, R


def _shift(gen, offset):
    def g(*shape):
        return gen(*shape) + offset
    return g


# primitive name -> (generator for x, generator for y)
DOMAINS = {
    "add": (R, R),
    "subtract": (R, R),
    "multiply": (R, R),
    "divide": (R, D),  # denominator away from 0
    "power": (P, R),  # traced exponent: d/dy x**y = log(x) x**y needs x > 0
    # D draws multiples of 0.7; adding 0.35 to y's keeps x != y everywhere (no ties)
    "maximum": (D, _shift(D, 0.35)),
    "minimum": (D, _shift(D, 0.35)),
    "hypot": (D, D),  # away from the origin, where hypot has a cone point
    "arctan2": (D, D),  # likewise for the angle
    "mod": (R, P),  # piecewise linear; the fixed draws sit well away from the jumps
}


def _shape_id(shape):
    return "x".join(map(str, shape)) if shape else "scalar"


def _pairs():
    """Each broadcasting pair in both orders (x smaller, then y smaller)."""
    seen = []
    for sx, sy in BINARY_SHAPES:
        for pair in ((sx, sy), (sy, sx)):
            if pair not in seen:
                seen.append(pair)
    return seen


CASES = []
for _name, (_gx, _gy) in DOMAINS.items():
    _fun = getattr(wnp, _name)
    for _sx, _sy in _pairs():
        CASES.append(Case(_name, _fun, (_gx(*_sx), _gy(*_sy)),
                          id=f"{_name}-{_shape_id(_sx)}-{_shape_id(_sy)}"))


def _named(name, fun):
    fun.__name__ = name
    return fun


# Operators on traced values, and one traced argument against a Python-float constant
# (on either side), which only one of the two rules sees.
_ONE_TRACED = [
    ("add", "x+2.5", lambda x: x + 2.5, R),
    ("add", "2.5+x", lambda x: 2.5 + x, R),
    ("subtract", "x-2.5", lambda x: x - 2.5, R),
    ("subtract", "2.5-x", lambda x: 2.5 - x, R),
    ("multiply", "x*2.5", lambda x: x * 2.5, R),
    ("multiply", "2.5*x", lambda x: 2.5 * x, R),
    ("divide", "x/2.5", lambda x: x / 2.5, R),
    ("divide", "2.5/x", lambda x: 2.5 / x, D),
    ("power", "x**3.0", lambda x: x ** 3.0, R),  # a constant exponent allows x < 0
    ("power", "x**2-int", lambda x: x ** 2, R),
    ("power", "x**0.5", lambda x: x ** 0.5, P),
    ("power", "x**-1.5", lambda x: x ** -1.5, P),
    ("power", "2.5**x", lambda x: 2.5 ** x, R),
    ("maximum", "maximum(x,0.1)", lambda x: wnp.maximum(x, 0.1), D),
    ("minimum", "minimum(0.1,x)", lambda x: wnp.minimum(0.1, x), D),
    ("hypot", "hypot(x,1.5)", lambda x: wnp.hypot(x, 1.5), R),
    ("arctan2", "arctan2(1.5,x)", lambda x: wnp.arctan2(1.5, x), R),
    ("arctan2", "arctan2(x,-1.5)", lambda x: wnp.arctan2(x, -1.5), R),
]
for _prim, _label, _f, _gen in _ONE_TRACED:
    for _shape in ((), (2, 3)):
        CASES.append(Case(_prim, _named(_label, _f), (_gen(*_shape),),
                          id=f"{_prim}-{_label}-{_shape_id(_shape)}"))

_BOTH_TRACED = [
    ("add", "x+y", lambda x, y: x + y, R, R),
    ("subtract", "x-y", lambda x, y: x - y, R, R),
    ("multiply", "x*y", lambda x, y: x * y, R, R),
    ("divide", "x/y", lambda x, y: x / y, R, D),
    ("power", "x**y", lambda x, y: x ** y, P, R),
]
for _prim, _label, _f, _gx, _gy in _BOTH_TRACED:
    for _sx, _sy in (((2, 3), (2, 3)), ((1, 3), (2, 1)), ((), (3,))):
        CASES.append(Case(_prim, _named(_label, _f), (_gx(*_sx), _gy(*_sy)),
                          id=f"{_prim}-{_label}-{_shape_id(_sx)}-{_shape_id(_sy)}"))

# The same traced value on both sides: the two rules' contributions must add up.
CASES += [
    Case("multiply", lambda x: x * x, (R(3),), id="multiply-x*x-3"),
    Case("divide", lambda x: x / (x * x + 1.0), (R(3),), id="divide-x/(x*x+1)-3"),
    Case("power", lambda x: x ** x, (P(3),), id="power-x**x-3"),
    Case("subtract", lambda x: x - x * 0.5, (R(2, 3),), id="subtract-x-x*0.5-2x3"),
]

# ------------------------------------------------ issue 8: fmax, fmin, logaddexp, copysign
import numpy as np  # noqa: E402

from .spec import labelled  # noqa: E402

_MORE = {
    "fmax": (D, _shift(D, 0.35)),
    "fmin": (D, _shift(D, 0.35)),
    "logaddexp": (R, R),
    "logaddexp2": (R, R),
    "copysign": (D, D),  # y's sign never flips under the small steps of the check
}
for _name, (_gx, _gy) in _MORE.items():
    _fun = getattr(wnp, _name)
    for _sx, _sy in _pairs():
        CASES.append(Case(_name, _fun, (_gx(*_sx), _gy(*_sy)),
                          id=f"{_name}-{_shape_id(_sx)}-{_shape_id(_sy)}"))

_NAN_X = np.array([np.nan, 0.7, -1.4, np.nan])
_NAN_Y = np.array([0.35, np.nan, 2.45, -0.35])
CASES += [
    # past a nan the other input takes the whole derivative
    labelled("fmax", "nan", wnp.fmax, _NAN_X, _NAN_Y),
    labelled("fmin", "nan", wnp.fmin, _NAN_X, _NAN_Y),
    Case("logaddexp", lambda x: wnp.logaddexp(x, x * 0.5), (R(3) * 300.0,),
         id="logaddexp-large-3"),
    Case("logaddexp2", lambda x: wnp.logaddexp2(1.5, x), (R(2, 3),), id="logaddexp2-const-2x3"),
    Case("copysign", lambda x: wnp.copysign(x, -1.0) * x, (D(3),), id="copysign-const-3"),
    Case("fmax", lambda x: wnp.fmax(x, 0.1) * x, (D(2, 3),), id="fmax-const-2x3"),
]
