"""Spec table for rules/elementwise.py: every smooth unary primitive over the unary
shapes, with inputs drawn inside the function's domain.

Shape ``()`` gives a Python float (``R()`` and friends return one), so the scalar
fast path of each forward implementation is covered as well as the array path; one
extra row per primitive feeds a 0-d numpy array.
"""

import numpy as np

import wengert.numpy as wnp

from .spec import UNARY_SHAPES, Case, D, P, R, U


def _one_plus_p(*shape):
    return 1.0 + P(*shape)  # arccosh: domain x > 1, kept away from the branch point


def _small_r(*shape):
    # tan: inside (-pi/2, pi/2) with room, so tan' = 1 + tan^2 stays moderate
    return U(*shape)


# primitive name -> generator of inputs inside its domain
DOMAINS = {
    "exp": R, "expm1": R, "log": P, "log1p": U, "log2": P, "log10": P,
    "sin": R, "cos": R, "tan": _small_r, "arcsin": U, "arccos": U, "arctan": R,
    "sinh": R, "cosh": R, "tanh": R, "arcsinh": R, "arccosh": _one_plus_p, "arctanh": U,
    "sqrt": P, "cbrt": D,  # cbrt' blows up at 0: D keeps |x| >= 0.7
    "square": R, "reciprocal": D, "absolute": D,  # D: no 0, where |x| has a kink
    "negative": R,
}


def _shape_id(shape):
    return "x".join(map(str, shape)) if shape else "scalar"


CASES = []
for _name, _gen in DOMAINS.items():
    _fun = getattr(wnp, _name)
    for _shape in UNARY_SHAPES:
        CASES.append(Case(_name, _fun, (_gen(*_shape),), id=f"{_name}-{_shape_id(_shape)}"))
    # a 0-d array takes the numpy path, unlike the Python float above
    CASES.append(Case(_name, _fun, (np.asarray(_gen()),), id=f"{_name}-0d-array"))

# The operator and alias spellings reach the same primitives.
CASES += [
    Case("negative", lambda x: -x, (R(2, 3),), id="negative-operator-2x3"),
    Case("absolute", lambda x: abs(x), (D(3),), id="absolute-builtin-abs-3"),
    Case("absolute", wnp.abs, (D(2, 3),), id="absolute-alias-abs-2x3"),
    # a composition: the rules' own outputs are traced again at order 2
    Case("tanh", lambda x: wnp.tanh(wnp.sin(x) * wnp.exp(x)), (R(3),),
         id="tanh-of-sin-times-exp-3"),
]
