"""Spec table for rules/reductions.py (sum, prod, max, min, cumsum and the composites
mean, var, std, cumprod, argmax) and for wengert.scipy.special (logsumexp, expit,
logit, whose reduction and elementwise rules live there).

Each reduction is swept over the shapes (), (3,), (2, 3) and every axis that shape
allows (None, 0, 1, -1, a tuple) with keepdims False and True. The linear and
piecewise-linear ones (sum, cumsum, max, min) are followed by ``sin`` so that order
2 checks a nonzero second derivative. max and min get distinct values (``D``): at a
tie they have a kink and central differences mean nothing there.
"""

import numpy as np

import wengert.numpy as wnp
import wengert.scipy.special as wsp

from .spec import UNARY_SHAPES, Case, D, R, U


def _shape_id(shape):
    return "x".join(map(str, shape)) if shape else "scalar"


def _axes(shape):
    """The axis options a reduction over ``shape`` is swept over."""
    nd = len(shape)
    out = [None]
    if nd >= 1:
        out += [0, -1]
    if nd >= 2:
        out += [1, (0, 1)]
    return out


def _axis_id(axis):
    if axis is None:
        return "None"
    if isinstance(axis, tuple):
        return "(" + ",".join(map(str, axis)) + ")"
    return str(axis)


def _then_sin(f):
    def g(*xs):
        return wnp.sin(f(*xs))
    return g


def _sweep(prim, label, reduce, gen, smooth=True):
    """Cases for ``reduce(x, axis=..., keepdims=...)`` over the shapes and options."""
    cases = []
    for shape in UNARY_SHAPES:
        for axis in _axes(shape):
            for keepdims in (False, True):
                def f(x, axis=axis, keepdims=keepdims):
                    return reduce(x, axis=axis, keepdims=keepdims)
                fun = f if smooth else _then_sin(f)
                fun.__name__ = label
                cases.append(Case(prim, fun, (gen(*shape),),
                                  id=f"{prim}-{label}-{_shape_id(shape)}-axis{_axis_id(axis)}"
                                     f"-keepdims{keepdims}"))
    return cases


def _with_zeros(*shape):
    """Normal values with one zero, and in the matrix case a second zero in another
    column (prod's derivative is the product of the others: no division allowed)."""
    v = np.array(R(*shape))
    flat = v.reshape(-1)
    flat[0] = 0.0
    if v.ndim == 2:
        flat[-1] = 0.0
    return v


def _two_zeros(n):
    v = R(n)
    v[1] = v[3] = 0.0
    return v


def _probabilities(*shape):
    v = (np.asarray(U(*shape)) + 1.0) / 2.0  # in (0.05, 0.95)
    return float(v) if shape == () else v


CASES = []

# ------------------------------------------------------------------ sum and composites
CASES += _sweep("sum", "sum", wnp.sum, R, smooth=False)
CASES += _sweep("sum", "mean", wnp.mean, R, smooth=False)
CASES += _sweep("sum", "var", wnp.var, R)
CASES += [
    Case("sum", lambda x: wnp.std(x, axis=1), (R(2, 3),), id="sum-std-2x3-axis1"),
    Case("sum", lambda x: wnp.std(x), (R(3),), id="sum-std-3-axisNone"),
    Case("sum", lambda x: wnp.var(x, axis=0, ddof=1), (R(3, 2),), id="sum-var-ddof1-3x2"),
    Case("sum", lambda x: wnp.sin(x.sum(axis=(0, 1))), (R(2, 3),), id="sum-method-axis-tuple"),
    Case("sum", lambda x: wnp.sin(x.mean(0)), (R(2, 3),), id="sum-mean-method"),
]

# ------------------------------------------------------------------ prod
CASES += _sweep("prod", "prod", wnp.prod, R)
CASES += [
    Case("prod", wnp.prod, (_with_zeros(5),), id="prod-one-zero-5"),
    Case("prod", wnp.prod, (_two_zeros(5),), id="prod-two-zeros-5"),
    Case("prod", lambda x: wnp.prod(x, axis=0), (_with_zeros(3, 2),), id="prod-zeros-3x2-axis0"),
    Case("prod", lambda x: wnp.prod(x, axis=1, keepdims=True), (_with_zeros(2, 3),),
         id="prod-zeros-2x3-axis1-keepdims"),
    Case("prod", lambda x: wnp.prod(x, axis=(0, 2)), (R(2, 3, 3),), id="prod-2x3x3-axis(0,2)"),
    Case("prod", lambda x: wnp.prod(x), (R(7),), id="prod-odd-length-7"),
    Case("prod", lambda x: wnp.prod(x, axis=1), (R(2, 1),), id="prod-length-1-2x1"),
    Case("prod", lambda x: x.prod(axis=-1), (R(2, 3),), id="prod-method"),
]

# ------------------------------------------------------------------ max and min
CASES += _sweep("max", "max", wnp.max, D, smooth=False)
CASES += _sweep("min", "min", wnp.min, D, smooth=False)
CASES += [
    Case("max", lambda x: wnp.sin(wnp.amax(x, axis=0)), (D(3, 2),), id="max-amax-3x2"),
    Case("min", lambda x: wnp.sin(wnp.amin(x, axis=1)), (D(3, 2),), id="min-amin-3x2"),
    Case("max", lambda x: wnp.sin(x.max(axis=(0, 2))), (D(2, 3, 2),), id="max-method-2x3x2"),
    Case("min", lambda x: wnp.sin(x.min()), (D(2, 3),), id="min-method-2x3"),
    # max is the logsumexp limit: a smooth function of it still checks at order 2
    Case("max", lambda x: wnp.max(x * x, axis=1) * wnp.sum(x), (D(2, 3),),
         id="max-of-square-times-sum-2x3"),
]

# ------------------------------------------------------------------ cumulative ops
for _shape, _axis in [((3,), None), ((3,), 0), ((3,), -1), ((2, 3), None), ((2, 3), 0),
                      ((2, 3), 1), ((2, 3), -1), ((), None)]:
    CASES.append(Case("cumsum", _then_sin(lambda x, a=_axis: wnp.cumsum(x, axis=a)),
                      (R(*_shape),), id=f"cumsum-{_shape_id(_shape)}-axis{_axis_id(_axis)}"))
    # cumprod is a scan of multiplies on traced values (of a single element: a reshape)
    _prim = "multiply" if _shape else "reshape"
    CASES.append(Case(_prim, lambda x, a=_axis: wnp.cumprod(x, axis=a), (R(*_shape),),
                      id=f"{_prim}-cumprod-{_shape_id(_shape)}-axis{_axis_id(_axis)}"))
CASES += [
    Case("cumsum", lambda x: wnp.sin(x.cumsum(axis=0)), (R(4, 2),), id="cumsum-method-4x2"),
    Case("multiply", lambda x: wnp.cumprod(x), (_with_zeros(6),), id="multiply-cumprod-zeros-6"),
    Case("multiply", lambda x: wnp.cumprod(x, axis=1), (_with_zeros(2, 5),),
         id="multiply-cumprod-zeros-2x5-axis1"),
]

# ------------------------------------------------------------------ argmax/argmin pick
CASES += [
    Case("getitem", lambda x: wnp.sin(x[wnp.argmax(x)]), (D(4),), id="getitem-at-argmax-4"),
    Case("getitem", lambda x: wnp.sin(x[wnp.argmin(x, axis=0), [0, 1, 2]]), (D(2, 3),),
         id="getitem-at-argmin-axis0-2x3"),
]

# ------------------------------------------------------------------ wengert.scipy.special
CASES += _sweep("logsumexp", "logsumexp", wsp.logsumexp, R)
CASES += [
    Case("logsumexp", lambda x, b: wsp.logsumexp(x, b=b), (R(3), U(3) + 1.0),
         id="logsumexp-b-3"),
    Case("logsumexp", lambda x, b: wsp.logsumexp(x, axis=1, b=b), (R(2, 3), U(3) + 1.0),
         id="logsumexp-b-broadcast-2x3-axis1"),
    Case("logsumexp", lambda x, b: wsp.logsumexp(x, axis=0, b=b, keepdims=True),
         (R(2, 3), U(2, 3) + 1.0), id="logsumexp-b-2x3-axis0-keepdims"),
    Case("logsumexp", lambda x: wsp.logsumexp(x, b=np.array([0.5, 2.0, 1.0])), (R(3),),
         id="logsumexp-constant-b-3"),
    Case("logsumexp", lambda x: wsp.logsumexp(x, axis=-1), (R(3) * 30.0 + 500.0,),
         id="logsumexp-large-3"),
    Case("logsumexp", lambda x: wsp.logsumexp(x, axis=(0, 2)), (R(2, 3, 2),),
         id="logsumexp-2x3x2-axis(0,2)"),
]
for _name, _gen in [("expit", R), ("logit", _probabilities)]:
    _fun = getattr(wsp, _name)
    for _shape in UNARY_SHAPES:
        CASES.append(Case(_name, _fun, (_gen(*_shape),), id=f"{_name}-{_shape_id(_shape)}"))
    CASES.append(Case(_name, _fun, (np.asarray(_gen()),), id=f"{_name}-0d-array"))
CASES += [
    Case("expit", wsp.expit, (np.array([-40.0, -3.0, 3.0, 40.0]),), id="expit-tails-4"),
    Case("logit", wsp.logit, (np.array([0.02, 0.3, 0.5, 0.7, 0.98]),), id="logit-tails-5"),
    Case("logit", lambda x: wsp.logit(wsp.expit(x)), (R(3),), id="logit-of-expit-3"),
]

# ------------------------------------------------ issue 8: order statistics, nan-reductions,
# where=/initial=, average, ptp, std of one element
from .spec import P, labelled  # noqa: E402


def _nan_matrix():
    v = np.array(R(3, 4))
    v[0, 1] = v[1, 0] = v[2, 3] = np.nan
    return v


# median and the quantiles gather order statistics (getitem); distinct values, no ties
CASES += _sweep("getitem", "median", wnp.median, D, smooth=False)
CASES += [
    Case("getitem", _then_sin(lambda x: wnp.median(x, axis=(0, 2))), (D(2, 3, 2),),
         id="getitem-median-2x3x2-axis(0,2)"),
    Case("getitem", _then_sin(lambda x: wnp.median(x, axis=1)), (D(3, 4),),
         id="getitem-median-even-3x4-axis1"),
]
for _method in ("linear", "hazen", "weibull", "median_unbiased", "normal_unbiased",
                "interpolated_inverted_cdf", "lower", "nearest", "midpoint",
                "averaged_inverted_cdf", "inverted_cdf"):
    CASES.append(Case("getitem", _then_sin(
        lambda x, m=_method: wnp.quantile(x, np.array([0.13, 0.58, 0.91]), axis=1, method=m)),
        (D(2, 7),), id=f"getitem-quantile-{_method}-2x7-axis1"))
CASES += [
    # traced q (away from the knots of the virtual index 6q)
    labelled("getitem", "quantile-traced-q", lambda x, q: wnp.quantile(x, q),
             D(7), np.array([0.1, 0.45, 0.9])),
    labelled("getitem", "quantile-traced-q-scalar", lambda x, q: wnp.quantile(x, q, axis=0),
             D(5, 2), 0.3),
    labelled("getitem", "quantile-keepdims", lambda x: wnp.quantile(x, 0.3, axis=0,
                                                                    keepdims=True), D(4, 3)),
    labelled("getitem", "percentile-traced-q", lambda x, q: wnp.percentile(x, q, axis=-1),
             D(3, 6), np.array([12.0, 71.0])),
]

# nan-reductions: nans are constants (where); the numbers are differentiated
for _name in ("nansum", "nanmean", "nanvar", "nanstd", "nanprod", "nanmax", "nanmin"):
    _f = getattr(wnp, _name)
    for _axis in (None, 0, 1):
        CASES.append(labelled("where", f"{_name}-axis{_axis_id(_axis)}",
                              lambda x, f=_f, a=_axis: f(x, axis=a), _nan_matrix()))
CASES += [
    labelled("where", "nanvar-ddof1-keepdims",
             lambda x: wnp.nanvar(x, axis=1, ddof=1, keepdims=True), _nan_matrix()),
    labelled("where", "nanstd-one-number-left",
             lambda x: wnp.nanstd(x, axis=0), np.array([[1.0, np.nan], [np.nan, 0.3],
                                                       [2.0, np.nan]])),
]

# where= and initial=
_MASK = np.array([[True, False, True, True], [False, True, True, False],
                  [True, True, False, True]])
CASES += [
    labelled("where", "sum-where", lambda x: wnp.sum(x, axis=1, where=_MASK), R(3, 4)),
    labelled("where", "sum-where-initial", lambda x: wnp.sum(x, where=_MASK, initial=1.5),
             R(3, 4)),
    Case("where", lambda x: wnp.prod(x, axis=0, where=_MASK), (R(3, 4),),
         id="where-prod-where-3x4"),
    Case("prod", lambda x: wnp.prod(x, axis=1, initial=2.0), (R(3, 4),),
         id="prod-initial-3x4"),
    labelled("where", "mean-where", lambda x: wnp.mean(x, axis=0, where=_MASK), R(3, 4)),
    Case("where", lambda x: wnp.var(x, axis=1, where=_MASK), (R(3, 4),),
         id="where-var-where-3x4"),
    Case("where", lambda x: wnp.std(x, axis=0, where=_MASK, ddof=1), (R(3, 4),),
         id="where-std-where-ddof1-3x4"),
    labelled("max", "max-where-initial",
             lambda x: wnp.max(x, axis=1, where=_MASK, initial=-3.0), D(3, 4)),
    labelled("min", "min-initial-wins-somewhere",
             lambda x: wnp.min(x, axis=0, initial=-1.0), D(3, 4)),
    labelled("max", "ptp", wnp.ptp, D(3, 4)),
    labelled("max", "ptp-axis1-keepdims", lambda x: wnp.ptp(x, axis=1, keepdims=True), D(3, 4)),
    Case("sum", lambda x: wnp.var(x, axis=1, correction=1), (R(3, 4),),
         id="sum-var-correction-3x4"),
]

# std and var over one element: 0 whatever the element, so derivative 0 (issue 8, point 2)
CASES += [
    Case("sum", lambda x: wnp.std(x, axis=1), (R(3, 1),), id="sum-std-length-1-axis-3x1"),
    Case("sum", lambda x: wnp.std(x) + x, (R(1),), id="sum-std-single-value"),
    Case("sum", lambda x: wnp.var(x, axis=0, keepdims=True) * x, (R(1, 3),),
         id="sum-var-length-1-axis-1x3"),
    Case("sum", lambda x: wnp.std(x) * x, (R(),), id="sum-std-python-float"),
]

# average: differentiable in a and in the weights
CASES += [
    labelled("sum", "average", wnp.average, R(2, 3)),
    labelled("sum", "average-weights", lambda a, w: wnp.average(a, weights=w), R(5), P(5)),
    labelled("sum", "average-weights-axis1", lambda a, w: wnp.average(a, axis=1, weights=w),
             R(3, 4), P(4)),
    labelled("sum", "average-weights-axis(2,0)",
             lambda a, w: wnp.average(a, axis=(2, 0), weights=w), R(2, 3, 4), P(4, 2)),
    Case("sum", lambda a, w: wnp.sin(wnp.average(a, axis=0, weights=w, returned=True)[0])
         * wnp.average(a, axis=0, weights=w, returned=True)[1],
         (R(3, 2), P(3, 2)), id="sum-average-returned-3x2"),
]

# cumsum and cumprod along every axis of a 3-d array
for _axis in (None, 0, 1, 2, -1):
    CASES.append(Case("cumsum", _then_sin(lambda x, a=_axis: wnp.cumsum(x, axis=a)),
                      (R(2, 3, 2),), id=f"cumsum-2x3x2-axis{_axis_id(_axis)}"))
    CASES.append(Case("multiply", lambda x, a=_axis: wnp.cumprod(x, axis=a),
                      (_with_zeros(2, 3, 2),), id=f"multiply-cumprod-zeros-2x3x2-axis{_axis_id(_axis)}"))
