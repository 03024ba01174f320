"""Spec table for the rest of wengert.scipy.special: softmax, log_softmax, the
x log y family and logsumexp's sign (rules/special.py)."""

import numpy as np

import wengert.numpy as wnp
import wengert.scipy.special as wsp

from .spec import BINARY_SHAPES, UNARY_SHAPES, Case, P, R, U

CASES = []


def _sid(shape):
    return "x".join(map(str, shape)) or "scalar"


def _unit(*shape):
    """Values in (0.05, 0.95): probabilities."""
    return (U(*shape) + 1.0) / 2.0


def _nonzero(*shape):
    """Standard normal values kept at least 0.2 from 0, where i0e, i1e and ive have
    the kink of exp(-|x|)."""
    v = R(*shape)
    v = np.where(np.abs(v) < 0.2, np.copysign(0.2, v) + v, v)
    return float(v) if shape == () else v


def _unary(name, gen, fun=None):
    fun = fun or getattr(wsp, name)
    for shape in UNARY_SHAPES:
        CASES.append(Case(name, fun, (gen(*shape),), id=f"{name}-{_sid(shape)}"))


def _binary(name, gen_x, gen_y):
    fun = getattr(wsp, name)
    for sx, sy in BINARY_SHAPES:
        CASES.append(Case(name, fun, (gen_x(*sx), gen_y(*sy)),
                          id=f"{name}-{_sid(sx)}-{_sid(sy)}"))


# ------------------------------------------------------------------ rules/special.py
for _name, _fun in [("softmax", wsp.softmax), ("log_softmax", wsp.log_softmax)]:
    for _shape, _axis in [((), None), ((3,), None), ((3,), 0), ((2, 3), None), ((2, 3), 0),
                          ((2, 3), 1), ((2, 3), -1), ((2, 3, 2), (0, 2))]:
        # a weighted sum: the sum of a softmax is constant, its order-2 check would be empty
        CASES.append(Case(_name, lambda x, a=_axis, f=_fun, w=R(*_shape):
                          wnp.sum(wnp.sin(f(x, axis=a) * 3.0 + w)),
                          (R(*_shape),), id=f"{_name}-{_sid(_shape)}-axis{_axis}"))
_binary("xlogy", R, P)
_binary("xlog1py", R, U)
CASES += [
    Case("xlogy", lambda y: wsp.xlogy(np.array([0.0, 1.5, 0.0]), y), (P(3),),
         id="xlogy-zero-x-3"),
    Case("xlog1py", lambda y: wsp.xlog1py(np.array([0.0, -2.0]), y), (U(2),),
         id="xlog1py-zero-x-2"),
]
_unary("entr", P)
CASES += [
    Case("logsumexp", lambda a, b: wsp.logsumexp(a, b=b, return_sign=True)[0],
         (R(4), np.array([1.0, -3.0, 0.5, -0.2])), id="logsumexp-return_sign-negative-4"),
    Case("logsumexp", lambda a, b: wsp.logsumexp(a, axis=1, b=b, keepdims=True,
                                                 return_sign=True)[0],
         (R(2, 3), np.array([[2.0, -0.5, 1.0], [-1.0, 0.3, -0.4]])),
         id="logsumexp-return_sign-2x3-axis1-keepdims"),
]
