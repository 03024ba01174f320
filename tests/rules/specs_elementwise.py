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

# ------------------------------------------------ issue 8: more of numpy's elementwise
from wengert.rules.elementwise import numpy_i1  # noqa: E402  (I1, numpy.i0's derivative)

from .spec import labelled  # noqa: E402


def _near_zero(*shape):
    # sinc' takes its series inside |x| < 0.1
    return U(*shape) * 0.09


for _name, _fun, _gen in [("exp2", wnp.exp2, R), ("sinc", wnp.sinc, R),
                          ("numpy_i0", wnp.i0, R), ("numpy_i1", numpy_i1, R)]:
    for _shape in UNARY_SHAPES:
        CASES.append(Case(_name, _fun, (_gen(*_shape),), id=f"{_name}-{_shape_id(_shape)}"))
    CASES.append(Case(_name, _fun, (np.asarray(_gen()),), id=f"{_name}-0d-array"))
CASES += [
    Case("sinc", wnp.sinc, (_near_zero(4),), id="sinc-series-4"),
    Case("sinc", wnp.sinc, (np.array([0.0, 0.05, -0.3, 1.7, -0.1]),), id="sinc-both-sides-5"),
    Case("sinc", wnp.sinc, (0.0,), id="sinc-at-0"),
    # |x| >= 30: I1 by its asymptotic series
    Case("numpy_i0", wnp.i0, (np.array([-35.0, 12.0, 40.0, 29.5]),), id="numpy_i0-large-4"),
    Case("numpy_i1", numpy_i1, (np.array([0.0, 0.4, -1.3]),), id="numpy_i1-at-0-3"),
    Case("absolute", wnp.fabs, (D(2, 3),), id="absolute-fabs-2x3"),
    Case("absolute", wnp.fabs, (D(),), id="absolute-fabs-scalar"),
    labelled("multiply", "deg2rad", wnp.deg2rad, R(3) * 90.0),
    labelled("multiply", "radians", wnp.radians, R()),
    labelled("multiply", "rad2deg", wnp.rad2deg, R(2, 3) * 0.1),
    labelled("multiply", "degrees", wnp.degrees, R(3) * 0.1),
    labelled("where", "nan_to_num", wnp.nan_to_num, np.array([0.5, np.nan, np.inf, -1.2])),
    labelled("where", "nan_to_num-options",
             lambda x: wnp.nan_to_num(x, nan=1.0, posinf=2.0, neginf=-2.0),
             np.array([[0.5, -np.inf], [np.nan, 0.3]])),
    Case("arctan2", wnp.angle, (R(3) + 1j * R(3),), id="arctan2-angle-complex-3"),
    Case("arctan2", lambda z: wnp.angle(z, deg=True) * 0.01, (R(2, 3) + 1j * R(2, 3),),
         id="arctan2-angle-deg-2x3"),
]

# ------------------------------------------------ numpy 2's names, fmod, ldexp, modf
from .spec import BINARY_SHAPES  # noqa: E402


def _fmod_args(sx, sy):
    """x of shape sx and y of shape sy (positive) with x / y at least 0.05 away from
    an integer everywhere: fmod jumps there, and central differences must not
    straddle a jump."""
    y = P(*sy)
    while True:
        x = 3.0 * R(*sx)
        q = np.asarray(x) / y
        if np.all(np.abs(q - np.round(q)) > 0.05):
            return x, y


for _sx, _sy in BINARY_SHAPES:
    CASES.append(Case("fmod", wnp.fmod, _fmod_args(_sx, _sy),
                      id=f"fmod-{_shape_id(_sx)}-{_shape_id(_sy)}"))
CASES += [
    Case("fmod", lambda x, y: wnp.fmod(x, -y), (np.array([2.45, -1.3, 0.35]), P(3)),
         id="fmod-negative-divisor-3"),
    Case("fmod", lambda x, y: wnp.fmod(wnp.sin(x) * 4.0, y) * y, (np.array([0.3, 1.1]),
                                                                 np.array([0.7, 1.9])),
         id="fmod-composed-2"),
    labelled("multiply", "ldexp", lambda x: wnp.ldexp(x, np.array([1, -3, 4])), R(2, 3)),
    labelled("multiply", "positive", wnp.positive, R(3)),
    labelled("subtract", "modf", lambda x: wnp.modf(x)[0], np.array([-2.3, 0.4, 3.7])),
    labelled("mod", "divmod", lambda x, y: wnp.divmod(x, y)[1], np.array([2.3, -1.7]),
             np.array([0.9, 1.3])),
    labelled("add", "unwrap", wnp.unwrap, np.array([0.1, 3.3, 6.0, 0.2])),
    labelled("power", "float_power", wnp.float_power, P(3), R(3)),
]
