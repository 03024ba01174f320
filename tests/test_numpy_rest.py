"""The rest of numpy (issue 8, point 1): the names that wengert.numpy still served
through its refusing fallback, each given its own treatment.

* Differentiable, in both modes: numpy 2's aliases (acos ... atanh, atan2, pow,
  positive), float_power, fmod, ldexp (in x), modf (its fractional part), divmod (its
  remainder), unwrap; cumulative_sum/prod, nancumsum/prod, nanmedian, nanquantile,
  nanpercentile, trapezoid, cov, corrcoef; bincount and the histograms in their
  weights (and the edges in the data's range); vecdot, matvec, vecmat; poly,
  polyadd, polysub, polymul, polyder, polyint, polydiv, roots; sort_complex, unique
  and unique_*, intersect1d, union1d, setdiff1d, setxor1d (gathers at numpy's
  indices); the in-place writers copyto, place, put, putmask, fill_diagonal and
  put_along_axis, which change a traced destination as numpy changes an array.
* Plain (explicit table entries that accept traced values): frexp, nextafter,
  kaiser, asmatrix, bmat, nested_iters.

Values are numpy's for plain and traced inputs; derivatives are checked against
central differences (order 2, both modes), closed forms and, where autograd has the
function, HIPS autograd.
"""

import warnings

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
from wengert.core.trace import Box, unbox_all

_rng = np.random.default_rng(80)


def R(*shape):
    return _rng.standard_normal(shape)


def P(*shape):
    """Positive values in (0.5, 2)."""
    return _rng.uniform(0.5, 2.0, shape)


def U(*shape):
    """Values in (-0.9, 0.9)."""
    return _rng.uniform(-0.9, 0.9, shape)


def D(*shape):
    """Distinct values well apart (no ties for sorts and set operations)."""
    n = int(np.prod(shape))
    return ((_rng.permutation(n) + 1.0) * 0.7 * np.where(_rng.random(n) < 0.5, -1, 1)
            ).reshape(shape)


def case(label, f, *args):
    return pytest.param(f, args, id=label)


def _with_nans(x, where):
    x = np.array(x, dtype=float)
    x[where] = np.nan
    return x


# f(m, *xs) for m = numpy, wengert.numpy (and autograd.numpy): CASES are checked for
# values and derivatives, VALUES (repeated elements, where a gather is a convention
# that central differences cannot see) for values only
CASES = []
VALUES = []


# ================================================================ elementwise

CASES += [
    case("acos", lambda m, x: m.acos(x), U(2, 3)),
    case("acosh", lambda m, x: m.acosh(x), 1.0 + P(3)),
    case("asin", lambda m, x: m.asin(x), U(3)),
    case("asinh", lambda m, x: m.asinh(x), R(3)),
    case("atan", lambda m, x: m.atan(x), R(2, 2)),
    case("atanh", lambda m, x: m.atanh(x), U(3)),
    case("atan2", lambda m, x, y: m.atan2(x, y), R(2, 3), R(3)),
    case("pow", lambda m, x, y: m.pow(x, y), P(3), R(3)),
    case("positive", lambda m, x: m.positive(x), R(2, 3)),
    case("float_power", lambda m, x, y: m.float_power(x, y), P(2, 3), R(3)),
    case("float_power-int-exponent", lambda m, x: m.float_power(x, 3), R(4)),
    case("fmod", lambda m, x, y: m.fmod(x, y), 3.0 * R(2, 3), P(3)),
    case("fmod-negative-divisor", lambda m, x, y: m.fmod(x, -y), 3.0 * R(4), P(4)),
    case("fmod-scalars", lambda m, x, y: m.fmod(x, y), 2.7, 0.8),
    case("ldexp", lambda m, x: m.ldexp(x, np.array([1, -2, 3])), R(2, 3)),
    case("ldexp-scalar-exponent", lambda m, x: m.ldexp(x, 5), R(3)),
    case("modf", lambda m, x: m.modf(x), 3.0 * R(2, 3)),
    case("divmod", lambda m, x, y: m.divmod(x, y), 3.0 * R(4), P(4)),
    case("unwrap", lambda m, p: m.unwrap(p),
         np.array([0.1, 1.9, 3.8, 5.9, 8.2, 1.3, 3.1]) + 0.01 * R(7)),
    case("unwrap-axis0-period", lambda m, p: m.unwrap(p, axis=0, period=4.0),
         np.cumsum(1.5 * P(5, 2), axis=0) % 4.0),
    case("unwrap-discont", lambda m, p: m.unwrap(p, discont=4.0),
         np.array([0.0, 3.5, 7.0, 2.0, 5.0])),
]
VALUES += [
    case("float_power-float32", lambda m, x: m.float_power(x, 2.5), P(3).astype(np.float32)),
    case("modf-integers-and-infinities", lambda m, x: m.modf(x),
         np.array([-2.0, -0.5, 0.0, 3.0, np.inf, -np.inf, np.nan])),
    case("ldexp-huge-exponent", lambda m, x: m.ldexp(x, np.array([1100, -1100])),
         np.array([1e-300, 1e300])),
    case("fmod-float32", lambda m, x: m.fmod(x, np.float32(0.7)), R(4).astype(np.float32)),
]


def test_aliases_are_numpys_functions_of_the_other_name():
    for new, old in [("acos", "arccos"), ("acosh", "arccosh"), ("asin", "arcsin"),
                     ("asinh", "arcsinh"), ("atan", "arctan"), ("atanh", "arctanh"),
                     ("atan2", "arctan2"), ("pow", "power")]:
        assert getattr(wnp, new) is getattr(wnp, old), new


def test_aliases_match_autograd():
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    x = U(4)
    for new, old in [("acos", "arccos"), ("asin", "arcsin"), ("atan", "arctan"),
                     ("atanh", "arctanh"), ("asinh", "arcsinh")]:
        got = wg.grad(lambda v: wnp.sum(getattr(wnp, new)(v) ** 2))(x)
        want = autograd.grad(lambda v: anp.sum(getattr(anp, old)(v) ** 2))(x)
        np.testing.assert_allclose(got, want, rtol=1e-13, err_msg=new)
    got = wg.grad(lambda v: wnp.sum(wnp.acosh(1.5 + v * v)))(x)
    want = autograd.grad(lambda v: anp.sum(anp.arccosh(1.5 + v * v)))(x)
    np.testing.assert_allclose(got, want, rtol=1e-13)


def test_positive_is_a_new_array():
    def f(x):
        y = wnp.positive(x)
        y[0] = 10.0 * x[1]
        return wnp.sum(x) + 100.0 * wnp.sum(y)
    # x itself keeps its first element: d/dx0 is 1 (from sum(x)), not 100
    np.testing.assert_allclose(wg.grad(f)(np.array([1.0, 2.0, 3.0])), [1.0, 1101.0, 101.0])


def test_fmod_partials():
    x, y = np.array([5.5, -5.5, 0.3, -7.0]), np.array([2.0, 2.0, 0.7, 2.5])
    gx, gy = wg.grad(lambda x, y: wnp.sum(wnp.fmod(x, y)), (0, 1))(x, y)
    np.testing.assert_array_equal(gx, np.ones(4))
    np.testing.assert_array_equal(gy, -np.trunc(x / y))  # fmod = x - y trunc(x / y)
    # numpy's remainder has floor where fmod has trunc
    assert not np.array_equal(gy, wg.grad(lambda y: wnp.sum(wnp.mod(x, y)))(y))


def test_ldexp_scales_by_a_power_of_two():
    x, n = R(3), np.array([3, -4, 10])
    np.testing.assert_array_equal(wg.jacobian(lambda v: wnp.ldexp(v, n))(x),
                                  np.diag(2.0 ** n))
    got, jac = wg.jvp(lambda v: wnp.ldexp(v, n), (x,), (np.ones(3),))
    np.testing.assert_array_equal(got, np.ldexp(x, n))  # exact
    with pytest.raises(TypeError):
        wg.grad(lambda v: wnp.sum(wnp.ldexp(v, 1.5)))(x)  # numpy's: no float exponent


def test_modf_fraction_has_derivative_one_and_integral_part_is_plain():
    x = np.array([-2.5, 0.25, 3.75])
    seen = {}

    def f(v):
        frac, whole = wnp.modf(v)
        seen["whole"] = whole
        return wnp.sum(frac * frac)

    np.testing.assert_allclose(wg.grad(f)(x), 2 * np.modf(x)[0])
    assert not isinstance(seen["whole"], Box)
    np.testing.assert_array_equal(seen["whole"], np.modf(x)[1])


def test_divmod_quotient_is_plain():
    seen = {}

    def f(x):
        q, r = wnp.divmod(x, 0.75)
        seen["q"] = q
        return wnp.sum(r)

    x = np.array([1.0, -2.0, 3.3])
    np.testing.assert_array_equal(wg.grad(f)(x), np.ones(3))
    assert not isinstance(seen["q"], Box)
    np.testing.assert_array_equal(seen["q"], np.floor_divide(x, 0.75))


def test_unwrap_derivative_is_the_identity():
    p = np.array([0.0, 3.0, 6.1, 9.5, 2.0, -4.0])
    np.testing.assert_array_equal(wg.jacobian(wnp.unwrap)(p), np.eye(6))
    p2 = np.array([[0.0, 5.0], [6.0, 1.0], [12.5, -3.0]])
    jac = wg.jacobian(lambda v: wnp.unwrap(v, axis=0))(p2)
    np.testing.assert_array_equal(jac.reshape(6, 6), np.eye(6))


# ================================================================ reductions

_NANS = _with_nans(R(3, 5), ([0, 1, 1, 2], [1, 0, 4, 2]))
_ALL_NAN_ROW = _with_nans(R(3, 4), ([1, 1, 1, 1, 0], [0, 1, 2, 3, 2]))
_X5 = np.array([0.0, 0.3, 1.1, 1.5, 2.6])

CASES += [
    case("cumulative_sum", lambda m, x: m.cumulative_sum(x), R(5)),
    case("cumulative_sum-initial-axis1",
         lambda m, x: m.cumulative_sum(x, axis=1, include_initial=True), R(2, 3)),
    case("cumulative_sum-0d", lambda m, x: m.cumulative_sum(x, include_initial=True),
         np.float64(0.7)),
    case("cumulative_prod", lambda m, x: m.cumulative_prod(x, axis=0), R(3, 2)),
    case("cumulative_prod-initial",
         lambda m, x: m.cumulative_prod(x, axis=-1, include_initial=True), R(2, 4)),
    case("nancumsum", lambda m, x: m.nancumsum(x), _NANS),
    case("nancumsum-axis1", lambda m, x: m.nancumsum(x, axis=1), _NANS),
    case("nancumprod-axis0", lambda m, x: m.nancumprod(x, axis=0), _NANS),
    case("nanmedian", lambda m, x: m.nanmedian(x), _NANS),
    case("nanmedian-axis1", lambda m, x: m.nanmedian(x, axis=1), _NANS),
    case("nanmedian-keepdims", lambda m, x: m.nanmedian(x, axis=0, keepdims=True), _NANS),
    case("nanquantile", lambda m, x: m.nanquantile(x, [0.1, 0.5, 0.8], axis=1), _NANS),
    case("nanquantile-traced-q", lambda m, x, q: m.nanquantile(x, q, axis=0),
         _NANS, np.array([0.2, 0.7])),
    case("nanquantile-hazen", lambda m, x: m.nanquantile(x, 0.35, method="hazen"), _NANS),
    case("nanquantile-lower", lambda m, x: m.nanquantile(x, 0.3, axis=1, method="lower"),
         _NANS),
    case("nanpercentile", lambda m, x: m.nanpercentile(x, [25, 90], axis=1), _NANS),
    case("nanpercentile-traced-q", lambda m, x, q: m.nanpercentile(x, q), _NANS, 37.0),
    case("trapezoid", lambda m, y: m.trapezoid(y), R(5)),
    case("trapezoid-x", lambda m, y, x: m.trapezoid(y, x), R(5), _X5 + 0.01 * R(5)),
    case("trapezoid-x-axis0", lambda m, y, x: m.trapezoid(y, x, axis=0), R(5, 2), _X5),
    case("trapezoid-x-2d", lambda m, y, x: m.trapezoid(y, x), R(2, 4),
         np.cumsum(P(2, 4), axis=1)),
    case("trapezoid-dx", lambda m, y, dx: m.trapezoid(y, dx=dx), R(2, 4), 0.3),
    case("cov", lambda m, x: m.cov(x), R(3, 5)),
    case("cov-1d", lambda m, x: m.cov(x), R(5)),
    case("cov-y-columns", lambda m, x, y: m.cov(x, y, rowvar=False), R(5, 2), R(5)),
    case("cov-bias", lambda m, x: m.cov(x, bias=True), R(2, 4)),
    case("cov-ddof", lambda m, x: m.cov(x, ddof=0), R(2, 4)),
    case("cov-aweights", lambda m, x, w: m.cov(x, aweights=w), R(2, 5), P(5)),
    case("cov-fweights-aweights-ddof",
         lambda m, x, w: m.cov(x, fweights=[1, 2, 1, 3, 1], aweights=w, ddof=2),
         R(2, 5), P(5)),
    case("cov-complex", lambda m, x, y: m.cov(x + 1j * y), R(2, 4), R(2, 4)),
    case("corrcoef", lambda m, x: m.corrcoef(x), R(3, 5)),
    case("corrcoef-xy", lambda m, x, y: m.corrcoef(x, y), R(5), R(5)),
    case("corrcoef-columns", lambda m, x: m.corrcoef(x, rowvar=False), R(6, 2)),
    case("corrcoef-one-variable", lambda m, x: m.corrcoef(x), R(4)),
    case("bincount-weights", lambda m, w: m.bincount([0, 3, 3, 1, 0], w), R(5)),
    case("bincount-minlength", lambda m, w: m.bincount(np.array([2, 0]), w, minlength=5),
         R(2)),
    case("histogram-weights", lambda m, w: m.histogram(_X5 * 3.0, 3, weights=w), R(5)),
    case("histogram-weights-density",
         lambda m, a, w: m.histogram(a, 4, weights=w, density=True), R(20), P(20)),
    case("histogram-edges", lambda m, a: m.histogram(a, 4), R(20)),
    case("histogram-auto-density", lambda m, a: m.histogram(a, "auto", density=True),
         R(30)),
    case("histogram-given-edges", lambda m, a, w: m.histogram(a, [-1.0, 0.0, 0.4, 2.0],
                                                              weights=w), R(20), P(20)),
    case("histogram-range", lambda m, a, w: m.histogram(a, 5, range=(-1.0, 1.0),
                                                        weights=w), R(20), P(20)),
    case("histogram_bin_edges", lambda m, a: m.histogram_bin_edges(a, 6), R(10)),
    case("histogram_bin_edges-fd", lambda m, a: m.histogram_bin_edges(a, "fd"), R(30)),
    case("histogram2d", lambda m, x, y, w: m.histogram2d(x, y, 3, weights=w), R(15), R(15),
         P(15)),
    case("histogram2d-density", lambda m, x, y: m.histogram2d(x, y, [2, 3], density=True),
         R(15), R(15)),
    case("histogramdd", lambda m, s, w: m.histogramdd(s, (2, 3, 2), weights=w,
                                                      density=True), R(20, 3), P(20)),
    case("histogramdd-list", lambda m, x, y: m.histogramdd([x, y], 3), R(12), R(12)),
]
VALUES += [
    case("nanmedian-all-nan-row", lambda m, x: m.nanmedian(x, axis=1), _ALL_NAN_ROW),
    case("nancumprod", lambda m, x: m.nancumprod(x), _NANS),
    case("cumulative_sum-dtype", lambda m, x: m.cumulative_sum(x, dtype=np.float32), R(4)),
    case("bincount-float32-weights",
         lambda m, w: m.bincount([1, 1, 0], w), R(3).astype(np.float32)),
    case("histogram-large", lambda m, a, w: m.histogram(a, 7, weights=w), R(70000), P(70000)),
    case("histogram-equal-values", lambda m, a: m.histogram(a, 3), np.full(4, 2.5)),
]


def test_nan_functions_warn_as_numpy_does():
    with pytest.warns(RuntimeWarning, match="All-NaN slice"):
        wg.grad(lambda x: wnp.nansum(wnp.nanmedian(x, axis=1)))(_ALL_NAN_ROW)


def test_a_slice_of_nans_is_nan_and_the_others_differentiate():
    x = _ALL_NAN_ROW
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        g = wg.grad(lambda x: wnp.nansum(wnp.nanmedian(x, axis=1)))(x)
    want = np.zeros_like(x)
    for i in (0, 2):
        numbers = np.flatnonzero(~np.isnan(x[i]))
        order = numbers[np.argsort(x[i, numbers])]
        k = len(order)
        want[i, order[(k - 1) // 2]] += 0.5 if k % 2 == 0 else 1.0
        if k % 2 == 0:
            want[i, order[k // 2]] += 0.5
    np.testing.assert_array_equal(g, want)  # the row of nans: derivative 0


def test_cumulative_sum_needs_an_axis_beyond_1d():
    with pytest.raises(ValueError, match="axis"):
        wg.grad(lambda x: wnp.sum(wnp.cumulative_sum(x)))(R(2, 2))


def test_nan_reductions_closed_forms():
    x = np.array([4.0, np.nan, 1.0, 3.0, 7.0])
    np.testing.assert_array_equal(wg.grad(wnp.nanmedian)(x), [0.5, 0, 0, 0.5, 0])
    # linear: virtual index (4 - 1) * 0.5 = 1.5 among [1, 3, 4, 7]
    np.testing.assert_allclose(wg.grad(lambda v: wnp.nanquantile(v, 0.5))(x),
                               [0.5, 0, 0, 0.5, 0])
    np.testing.assert_allclose(wg.grad(lambda q: wnp.nanquantile(x, q))(0.5), 3 * (4 - 3))
    np.testing.assert_array_equal(wg.grad(lambda v: wnp.sum(wnp.nancumsum(v)))(x),
                                  [5, 0, 3, 2, 1])


def test_trapezoid_of_a_linear_function_is_exact():
    x = np.array([0.0, 0.4, 1.1, 1.5, 3.0])
    a, b = 1.7, -0.3
    y = a * x + b
    got = wnp.trapezoid(y, x)
    np.testing.assert_allclose(got, a * (x[-1] ** 2 - x[0] ** 2) / 2 + b * (x[-1] - x[0]),
                               rtol=1e-14)
    gy, gx = wg.grad(lambda y, x: wnp.trapezoid(y, x), (0, 1))(y, x)
    # the weights of the rule, and d/dx_i: (y_{i-1} - y_{i+1}) / 2 (ends: -+ the mean)
    np.testing.assert_allclose(gy, np.r_[x[1] - x[0], x[2:] - x[:-2], x[-1] - x[-2]] / 2)
    want_x = np.r_[-(y[0] + y[1]) / 2, (y[:-2] - y[2:]) / 2, (y[-2] + y[-1]) / 2]
    np.testing.assert_allclose(gx, want_x, rtol=1e-14)
    # uniform spacing: dx is the integral divided by dx
    np.testing.assert_allclose(wg.grad(lambda d: wnp.trapezoid(y, dx=d))(0.5),
                               np.trapezoid(y))


def test_cov_of_two_columns():
    x, y = R(6), R(6)
    n = 6
    xc, yc = x - x.mean(), y - y.mean()
    np.testing.assert_allclose(wnp.cov(x, y)[0, 1], xc @ yc / (n - 1), rtol=1e-14)
    gx, gy = wg.grad(lambda x, y: wnp.cov(x, y)[0, 1], (0, 1))(x, y)
    np.testing.assert_allclose(gx, yc / (n - 1), rtol=1e-13)
    np.testing.assert_allclose(gy, xc / (n - 1), rtol=1e-13)
    np.testing.assert_allclose(wg.grad(lambda x: wnp.cov(x, bias=True))(x), 2 * xc / n,
                               rtol=1e-13)
    # two columns of one array, rowvar=False: the same covariance
    np.testing.assert_allclose(
        wg.grad(lambda y: wnp.cov(wnp.stack([x, y], 1), rowvar=False)[1, 0])(y),
        xc / (n - 1), rtol=1e-13)


def test_corrcoef_is_invariant_to_shift_and_scale():
    x, y = R(6), R(6)
    g = wg.grad(lambda y: wnp.corrcoef(x, y)[0, 1])(y)
    assert abs(g @ np.ones(6)) < 1e-14  # shift
    assert abs(g @ y) < 1e-14  # scale
    # at a perfect correlation the coefficient is at its maximum: gradient 0
    np.testing.assert_allclose(wg.grad(lambda y: wnp.corrcoef(x, y)[0, 1])(2 * x + 1.0),
                               np.zeros(6), atol=1e-14)


def test_weighted_counts_are_scatter_adds():
    idx = np.array([0, 3, 3, 1, 0])
    jac = wg.jacobian(lambda w: wnp.bincount(idx, w))(R(5))
    np.testing.assert_array_equal(jac, (idx[None, :] == np.arange(4)[:, None]) * 1.0)
    a = np.array([0.1, 0.5, 0.2, 0.9, 0.6, 1.0])
    jac = wg.jacobian(lambda w: wnp.histogram(a, 2, weights=w)[0])(P(6))
    np.testing.assert_array_equal(jac, [[1, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1]])
    # unweighted counts are plain integers, as numpy's
    seen = {}

    def f(a):
        seen["n"], edges = wnp.histogram(a, 3)
        return wnp.sum(edges)

    np.testing.assert_allclose(wg.grad(f)(a), [2, 0, 0, 0, 0, 2])  # sum(1 - k/3), sum(k/3)
    assert not isinstance(seen["n"], Box) and seen["n"].dtype == np.intp


def test_histogram_edges_follow_the_data_range():
    a = np.array([0.5, 2.0, -1.0, 1.0])
    # edges = linspace(min, max, 5): d edge_k / d min = 1 - k/4, d / d max = k/4
    jac = wg.jacobian(lambda a: wnp.histogram_bin_edges(a, 4))(a)
    k = np.arange(5) / 4
    np.testing.assert_allclose(jac[:, 2], 1 - k)
    np.testing.assert_allclose(jac[:, 1], k)
    np.testing.assert_array_equal(jac[:, [0, 3]], 0)
    # edges given as numbers, or a range: constants
    assert np.all(wg.jacobian(lambda a: wnp.histogram_bin_edges(a, 4, range=(-2, 2)))(a)
                  == 0)


# ================================================================ products

_A = R(2, 3, 4)
CASES += [
    case("vecdot", lambda m, x, y: m.vecdot(x, y), R(2, 3), R(3)),
    case("vecdot-complex", lambda m, x, y: m.vecdot(x, y), R(3) + 1j * R(3), R(2, 3)),
    case("vecdot-axis", lambda m, x, y: m.vecdot(x, y, axis=0), R(3, 2), R(3, 2)),
    case("vecdot-keepdims", lambda m, x, y: m.vecdot(x, y, axis=1, keepdims=True),
         R(2, 3, 2), R(2, 3, 2)),
    case("vecdot-axes", lambda m, x, y: m.vecdot(x, y, axes=[(0,), (1,)]), R(3, 2),
         R(2, 3)),
    case("matvec", lambda m, a, v: m.matvec(a, v), _A, R(4)),
    case("matvec-batched-vector", lambda m, a, v: m.matvec(a, v), R(3, 4), R(2, 4)),
    case("matvec-axes", lambda m, a, v: m.matvec(a, v, axes=[(0, 1), (0,), (0,)]),
         R(3, 4, 2), R(4)),
    case("matvec-complex", lambda m, a, v: m.matvec(a + 1j, v), R(2, 2), R(2)),
    case("vecmat", lambda m, v, a: m.vecmat(v, a), R(3), _A),
    case("vecmat-complex", lambda m, v, w, a: m.vecmat(v + 1j * w, a), R(3), R(3), R(3, 2)),
    case("vecmat-axes", lambda m, v, a: m.vecmat(v, a, axes=[(0,), (0, 2), (1,)]), R(3),
         R(3, 2, 4)),
]


def test_matvec_and_vecmat_jacobians():
    a, v = R(3, 4), R(4)
    np.testing.assert_allclose(wg.jacobian(lambda v: wnp.matvec(a, v))(v), a)
    u = R(3) + 1j * R(3)
    got = wg.jvp(lambda a: wnp.vecmat(u, a), (a,), (np.ones((3, 4)),))[1]
    np.testing.assert_allclose(got, np.full(4, np.sum(np.conj(u))))
    np.testing.assert_allclose(wg.grad(lambda x: wnp.vecdot(x, v))(R(4)), v)


def test_vecdot_is_numpy_linalg_vecdot_too():
    x, y = R(2, 3), R(2, 3)
    np.testing.assert_allclose(wnp.linalg.vecdot(x, y, axis=0), np.linalg.vecdot(x, y, axis=0))
    np.testing.assert_allclose(wg.grad(lambda x: wnp.sum(wnp.linalg.vecdot(x, y)))(x), y)


# ================================================================ polynomials

CASES += [
    case("polyadd", lambda m, a, b: m.polyadd(a, b), R(3), R(5)),
    case("polyadd-scalar", lambda m, a, b: m.polyadd(a, b), R(4), 0.5),
    case("polysub", lambda m, a, b: m.polysub(a, b), R(5), R(2)),
    case("polymul", lambda m, a, b: m.polymul(a, b), R(3), R(4)),
    case("polyder", lambda m, p: m.polyder(p), R(5)),
    case("polyder-m3", lambda m, p: m.polyder(p, 3), R(5)),
    case("polyint", lambda m, p: m.polyint(p), R(4)),
    case("polyint-m2-k", lambda m, p, k: m.polyint(p, 2, k=k), R(3), R(2)),
    case("polyint-scalar-k", lambda m, p, k: m.polyint(p, 3, k=k), R(3), 0.4),
    case("polydiv", lambda m, u, v: m.polydiv(u, v), R(5), R(3)),
    case("polydiv-shorter", lambda m, u, v: m.polydiv(u, v), R(2), R(4)),
    case("polydiv-complex", lambda m, u, v, w: m.polydiv(u, v + 1j * w), R(4), R(2), R(2)),
    case("poly", lambda m, r: m.poly(r), R(4)),
    case("poly-matrix", lambda m, a: m.poly(a), R(3, 3)),
    case("poly-conjugate-pair", lambda m, x, y: m.poly(m.stack([x + 1j * y, x - 1j * y])),
         0.3, 1.2),
    case("roots", lambda m, p: m.roots(p), np.poly([0.5, -1.0, 2.0]) + 0.01 * R(4)),
    case("roots-complex", lambda m, p: m.roots(p), R(5)),
]

# coefficients that numpy strips (poly1d's leading zeros, roots' zeros at both ends)
# change the length of the result when moved off zero: values only
VALUES += [
    case("polymul-leading-zero", lambda m, a, b: m.polymul(a, b), np.r_[0.0, R(2)], R(3)),
    case("roots-stripped-zeros", lambda m, p: m.roots(p),
         np.r_[0.0, np.poly([1.5, -0.5]), 0.0, 0.0]),
]


def test_roots_derivative_by_implicit_differentiation():
    # p(r) = 0 for each root: dp(r) + p'(r) dr = 0
    for p in (np.poly([0.5, -1.0, 2.0, 3.0]), R(5)):
        dp = R(len(p))
        r, dr = wg.jvp(wnp.roots, (p,), (dp,))
        np.testing.assert_allclose(r, np.roots(p))
        want = -np.polyval(dp, r) / np.polyval(np.polyder(p), r)
        np.testing.assert_allclose(dr, want, rtol=1e-9, atol=1e-12)


def test_polydiv_rebuilds_the_dividend():
    u, v = R(6), R(3)

    def rebuilt(u, v):
        q, r = wnp.polydiv(u, v)
        return wnp.polyadd(wnp.polymul(q, v), r)

    np.testing.assert_allclose(rebuilt(u, v), u, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(wg.jacobian(lambda u: rebuilt(u, v))(u), np.eye(6),
                               atol=1e-12)
    np.testing.assert_allclose(wg.jacobian(lambda v: rebuilt(u, v))(v), np.zeros((6, 3)),
                               atol=1e-11)


def test_poly_coefficients_in_the_roots():
    # d/dr_k prod_j (x - r_j) = -prod_{j != k} (x - r_j)
    r = np.array([0.5, -1.0, 2.0])
    jac = wg.jacobian(wnp.poly)(r)
    for k in range(3):
        np.testing.assert_allclose(jac[:, k], np.r_[0.0, -np.poly(np.delete(r, k))],
                                   atol=1e-14)


def test_polyder_undoes_polyint():
    p = R(4)
    np.testing.assert_allclose(wg.jacobian(lambda p: wnp.polyder(wnp.polyint(p, 2), 2))(p),
                               np.eye(4), rtol=1e-14)


def test_poly1d_in_gives_arrays_when_traced_and_poly1d_when_plain():
    q = np.poly1d([1.0, 2.0])
    assert isinstance(wnp.polyadd(q, [1.0]), np.poly1d)
    g = wg.grad(lambda a: wnp.sum(wnp.polymul(q, a)))(np.array([1.0, 1.0]))
    np.testing.assert_allclose(g, [3.0, 3.0])


# ================================================================ sorting and sets

_REP = np.array([3.0, 1.0, 2.0, 3.0, 1.0, 5.0])
_REP_NAN = np.array([3.0, np.nan, 1.0, np.nan, 3.0])
_B = np.array([5.0, 1.0, 1.5, 7.0])

CASES += [
    case("sort_complex", lambda m, x: m.sort_complex(x), D(2, 3)),
    case("sort_complex-complex", lambda m, x, y: m.sort_complex(x + 1j * y), D(4), R(4)),
    case("unique-distinct", lambda m, x: m.unique(x, return_index=True, return_inverse=True,
                                                  return_counts=True), D(5)),
    case("unique-axis-distinct", lambda m, x: m.unique(x, axis=0), D(3, 2)),
    case("unique_values", lambda m, x: m.unique_values(x), D(2, 3)),
    case("unique_counts", lambda m, x: m.unique_counts(x), D(4)),
    case("unique_inverse", lambda m, x: m.unique_inverse(x), D(4)),
    case("unique_all", lambda m, x: m.unique_all(x), D(5)),
    case("union1d", lambda m, x, y: m.union1d(x, y), D(3), D(2) + 20.0),
    case("setxor1d", lambda m, x, y: m.setxor1d(x, y), D(3), D(2, 2) + 20.0),
    case("setdiff1d", lambda m, x: m.setdiff1d(x, _B), D(4)),
    case("intersect1d", lambda m, x: m.intersect1d(x * 0.0 + _B, [7.0, 1.5]), R(4)),
]
VALUES += [
    case("unique-repeated", lambda m, x: m.unique(x, return_index=True, return_inverse=True,
                                                  return_counts=True), _REP),
    case("unique-axis", lambda m, x: m.unique(x, axis=0, return_counts=True),
         np.array([[1.0, 2.0], [0.0, 1.0], [1.0, 2.0]])),
    case("unique-nan", lambda m, x: m.unique(x), _REP_NAN),
    case("unique-nan-apart", lambda m, x: m.unique(x, equal_nan=False), _REP_NAN),
    case("unique-unsorted", lambda m, x: m.unique(x, sorted=False), _REP),
    case("unique_values-nan", lambda m, x: m.unique_values(x), _REP_NAN),
    case("unique_counts-nan", lambda m, x: m.unique_counts(x), _REP_NAN),
    case("unique_inverse-2d", lambda m, x: m.unique_inverse(x), _REP.reshape(2, 3)),
    case("unique_all-nan", lambda m, x: m.unique_all(x), _REP_NAN),
    case("intersect1d-repeated", lambda m, x, y: m.intersect1d(x, y), _REP, _B),
    case("intersect1d-indices", lambda m, x, y: m.intersect1d(x, y, return_indices=True),
         _REP, _B),
    case("intersect1d-mixed-types", lambda m, x: m.intersect1d(x, [1, 5, 9]), _REP),
    case("union1d-repeated", lambda m, x, y: m.union1d(x, y), _REP, _B),
    case("setdiff1d-repeated", lambda m, x, y: m.setdiff1d(x, y), _REP, _B),
    case("setxor1d-repeated", lambda m, x, y: m.setxor1d(x, y), _REP, _B),
    case("setxor1d-nans", lambda m, x, y: m.setxor1d(x, y), _REP_NAN, np.array([np.nan, 2.0])),
]


def test_unique_derivative_goes_to_first_occurrences():
    g = wg.grad(lambda x: wnp.sum(wnp.unique(x) * np.arange(4.0)))(_REP)
    np.testing.assert_array_equal(g, [2.0, 0.0, 1.0, 0.0, 0.0, 3.0])
    r = np.unique_all(_REP)
    g = wg.grad(lambda x: wnp.sum(wnp.unique_all(x).values * np.arange(4.0)))(_REP)
    want = np.zeros(6)
    want[r.indices] = np.arange(4.0)
    np.testing.assert_array_equal(g, want)


def test_set_operations_gather_from_the_first_occurrence():
    a, b = _REP, _B  # a = [3, 1, 2, 3, 1, 5], b = [5, 1, 1.5, 7]
    # intersect1d: 1 and 5 from a (their first occurrences), b's copies get nothing
    ga, gb = wg.grad(lambda a, b: wnp.sum(wnp.intersect1d(a, b)), (0, 1))(a, b)
    np.testing.assert_array_equal(ga, [0, 1, 0, 0, 0, 1])
    np.testing.assert_array_equal(gb, [0, 0, 0, 0])
    # setdiff1d: 2 and 3, values of a only
    ga, gb = wg.grad(lambda a, b: wnp.sum(wnp.setdiff1d(a, b)), (0, 1))(a, b)
    np.testing.assert_array_equal(ga, [1, 0, 1, 0, 0, 0])
    np.testing.assert_array_equal(gb, 0)
    # union1d: a's first occurrences, then what only b holds (1.5 and 7)
    ga, gb = wg.grad(lambda a, b: wnp.sum(wnp.union1d(a, b)), (0, 1))(a, b)
    np.testing.assert_array_equal(ga, [1, 1, 1, 0, 0, 1])
    np.testing.assert_array_equal(gb, [0, 0, 1, 1])
    # setxor1d: 2, 3 from a and 1.5, 7 from b
    ga, gb = wg.grad(lambda a, b: wnp.sum(wnp.setxor1d(a, b)), (0, 1))(a, b)
    np.testing.assert_array_equal(ga, [1, 0, 1, 0, 0, 0])
    np.testing.assert_array_equal(gb, [0, 0, 1, 1])


def test_counts_and_indices_are_plain():
    seen = {}

    def f(x):
        out = wnp.unique(x, return_index=True, return_inverse=True, return_counts=True)
        seen["rest"] = out[1:]
        seen["counts"] = wnp.unique_counts(x).counts
        return wnp.sum(out[0])

    wg.grad(f)(_REP)
    for r in list(seen["rest"]) + [seen["counts"]]:
        assert not isinstance(r, Box) and r.dtype.kind == "i"


# ------------------------------------------------------------ in-place writers

_X = R(3, 4)
_IDX = np.array([[1], [0], [3]])
WRITERS = [
    pytest.param(lambda m, y, v: m.copyto(y, v), R(4), id="copyto"),
    pytest.param(lambda m, y, v: m.copyto(y, v, where=_X > 0), R(3, 1), id="copyto-where"),
    pytest.param(lambda m, y, v: m.place(y, _X > 0, v), R(2), id="place"),
    pytest.param(lambda m, y, v: m.put(y, [0, 5, -1, 5], v), R(3), id="put"),
    pytest.param(lambda m, y, v: m.put(y, [0, 50, -3], v, mode="clip"), R(3), id="put-clip"),
    pytest.param(lambda m, y, v: m.put(y, [0, 50, -3], v, mode="wrap"), R(3), id="put-wrap"),
    pytest.param(lambda m, y, v: m.putmask(y, _X > 0, v), R(5), id="putmask"),
    pytest.param(lambda m, y, v: m.fill_diagonal(y, v), R(2), id="fill_diagonal"),
    pytest.param(lambda m, y, v: m.fill_diagonal(y, v, wrap=True), 2.5,
                 id="fill_diagonal-scalar"),
    pytest.param(lambda m, y, v: m.put_along_axis(y, _IDX, v, axis=1), R(3, 1),
                 id="put_along_axis"),
    pytest.param(lambda m, y, v: m.put_along_axis(y, np.array([1, 7]), v, axis=None), R(2),
                 id="put_along_axis-flat"),
]


def _written(write):
    """``write`` into a traced copy of x, read through another name for it."""
    def f(x, v):
        y = x * 1.0
        alias = y
        assert write(wnp, y, v) is None
        return alias
    return f


@pytest.mark.parametrize("write, v", WRITERS)
def test_writers_change_a_traced_destination_as_numpy_does(write, v):
    want = _X.copy()
    write(np, want, v)
    f = _written(write)
    for x_ in (f(_X, v), wg.vjp(f, _X, v)[0], wg.jvp(f, (_X, v), (_X, np.ones_like(v)))[0]):
        np.testing.assert_array_equal(x_, want)
    wg.check_grads(lambda x, v: wnp.sum(wnp.sin(1.3 * f(x, v))), modes=("fwd", "rev"),
                   order=2)(_X, v)


@pytest.mark.parametrize("write, v", WRITERS)
def test_writers_on_plain_arrays_are_numpys(write, v):
    got, want = _X.copy(), _X.copy()
    write(wnp, got, v)
    write(np, want, v)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("write, v", WRITERS)
def test_writers_refuse_a_traced_value_into_a_plain_array(write, v):
    with pytest.raises(TypeError, match="plain ndarray"):
        wg.grad(lambda v: (write(wnp, _X.copy(), v), wnp.sum(v))[1])(v)


def test_writers_through_numpys_own_functions_and_views():
    def f(x):
        y = x * 1.0
        row = y[0]  # a view: it sees the writes
        np.fill_diagonal(y, 0.0)
        np.copyto(y, 1.0, where=_X < -1.0)
        np.put(y, [1], 3.0 * x[1, 1])
        return wnp.sum(row * row)

    x = _X
    y = x.copy()
    np.fill_diagonal(y, 0.0)
    np.copyto(y, 1.0, where=_X < -1.0)
    np.put(y, [1], 3.0 * x[1, 1])
    np.testing.assert_allclose(f(x), np.sum(y[0] ** 2))
    g = wg.grad(f)(x)
    want = np.zeros_like(x)
    want[0] = 2 * y[0] * (y[0] == x[0])
    want[1, 1] = 2 * y[0, 1] * 3.0
    np.testing.assert_allclose(g, want)


# ================================================================ the namespace

DIFFERENTIABLE = [
    "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "pow", "positive",
    "float_power", "fmod", "ldexp", "modf", "divmod", "cumulative_sum", "cumulative_prod",
    "nancumsum", "nancumprod", "nanmedian", "nanpercentile", "nanquantile", "trapezoid",
    "cov", "corrcoef", "vecdot", "matvec", "vecmat", "poly", "polyadd", "polysub",
    "polymul", "polyder", "polyint", "polydiv", "roots", "unwrap", "sort_complex", "unique",
    "unique_values", "unique_counts", "unique_inverse", "unique_all", "intersect1d",
    "union1d", "setdiff1d", "setxor1d", "histogram", "histogram2d", "histogramdd",
    "histogram_bin_edges", "bincount", "copyto", "place", "put", "putmask",
    "fill_diagonal", "put_along_axis"]
PLAIN = ["frexp", "nextafter", "kaiser", "asmatrix", "bmat", "nested_iters"]


@pytest.mark.parametrize("name", DIFFERENTIABLE + PLAIN)
def test_no_longer_served_by_the_fallback(name):
    if not hasattr(np, name):
        pytest.skip(f"numpy {np.__version__} has no {name}")
    assert name in vars(wnp), f"wengert.numpy.{name} comes from the fallback"
    assert not getattr(getattr(wnp, name), "__wengert_fallback__", False)


def test_no_public_numpy_name_is_left_to_the_fallback():
    from wengert.numpy import _namespace
    left = [n for n in _namespace.public_names()
            if getattr(getattr(wnp, n), "__wengert_fallback__", False)]
    assert not left, f"numpy names still refused on traced values: {left}"


@pytest.mark.parametrize("mode", ["rev", "fwd"])
def test_plain_functions_accept_traced_values(mode):
    x = np.array([0.75, 1.5, 3.0, 4.0])
    uses = {
        "frexp": lambda v: wnp.frexp(v),
        "nextafter": lambda v: wnp.nextafter(v, 10.0),
        "kaiser": lambda v: wnp.kaiser(4, v[2]),
        "asmatrix": lambda v: wnp.asmatrix(v),
        "bmat": lambda v: wnp.bmat([[v[:2].reshape(1, 2), v[2:].reshape(1, 2)]]),
        "nested_iters": lambda v: [list(it) for it in wnp.nested_iters(
            v.reshape(2, 2), [[0], [1]])[1:]],
    }
    got = {}

    def f(v):
        for name, use in uses.items():
            out = use(v)
            leaves = out if isinstance(out, tuple) else [out]
            for leaf in leaves:
                assert not isinstance(leaf, Box), name
            got[name] = out
        return wnp.sum(v)

    if mode == "rev":
        wg.grad(f)(x)
    else:
        wg.jvp(f, (x,), (np.ones_like(x),))
    np.testing.assert_array_equal(got["frexp"][0], np.frexp(x)[0])
    np.testing.assert_array_equal(got["frexp"][1], np.frexp(x)[1])
    np.testing.assert_array_equal(got["nextafter"], np.nextafter(x, 10.0))
    np.testing.assert_array_equal(got["kaiser"], np.kaiser(4, 3.0))
    assert isinstance(got["asmatrix"], np.matrix)
    np.testing.assert_array_equal(got["bmat"], np.bmat([[x[:2].reshape(1, 2),
                                                         x[2:].reshape(1, 2)]]))


# ================================================================ the sweeps

def _leaves(out):
    if type(out).__name__ == "SequenceBox":  # autograd's traced list or tuple
        return [out[i] for i in range(len(out))]
    if isinstance(out, (list, tuple)):
        return [leaf for o in out for leaf in _leaves(o)]
    return [out]


def _numpy(f, args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return f(np, *args)


def _assert_same(got, want, exact):
    if isinstance(want, tuple) and type(want) is not tuple:  # numpy's named tuples
        assert type(got) is type(want), (type(got), type(want))
    got, want = _leaves(got), _leaves(want)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert not isinstance(g, Box)
        assert np.shape(g) == np.shape(w)
        assert np.result_type(g) == np.result_type(w), (np.result_type(g), np.result_type(w))
        if exact:
            np.testing.assert_array_equal(g, w)
        else:
            np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("f, args", CASES + VALUES)
def test_plain_values_are_numpys(f, args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got = f(wnp, *args)
    _assert_same(got, _numpy(f, args), exact=True)


@pytest.mark.parametrize("f, args", CASES + VALUES)
def test_traced_values_are_numpys(f, args):
    want = _numpy(f, args)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        rev, _ = wg.vjp(lambda *xs: f(wnp, *xs), *args)
        tangents = tuple(np.ones_like(a) if np.ndim(a) else 1.0 for a in args)
        fwd, _ = wg.jvp(lambda *xs: f(wnp, *xs), args, tangents)
    _assert_same(rev, want, exact=False)
    _assert_same(fwd, want, exact=False)


def _kind(o):
    dt = getattr(o, "dtype", None)
    return (dt if dt is not None else np.asarray(o).dtype).kind


def _scalar(m, out):
    """A scalar with a nonzero second derivative in every float output element (the
    integer outputs, counts and indices, are constants)."""
    total = 0.0
    for k, o in enumerate(_leaves(out)):
        if _kind(o) == "c":
            total = total + m.sum(m.sin(m.real(o) * (1.0 + 0.1 * k)) + m.cos(m.imag(o)))
        elif _kind(o) == "f":
            total = total + m.sum(m.sin(o * (1.0 + 0.1 * k)))
    return total


@pytest.mark.parametrize("f, args", CASES)
def test_derivatives_check(f, args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        wg.check_grads(lambda *xs: _scalar(wnp, f(wnp, *xs)), modes=("fwd", "rev"),
                       order=2)(*args)


# cases where HIPS autograd's own gradient is wrong (central differences agree with
# wengert's in test_derivatives_check)
AUTOGRAD_WRONG = {
    "histogram": "autograd declares numpy.histogram non-differentiable (gradient 0), "
                 "wrong in the weights and in the edges' range",
}


@pytest.mark.parametrize("f, args", CASES)
def test_gradients_match_autograd(f, args, request):
    label = request.node.callspec.id
    for prefix, reason in AUTOGRAD_WRONG.items():
        if label.startswith(prefix):
            pytest.skip(reason)
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    argnums = tuple(range(len(args)))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = autograd.grad(lambda *xs: _scalar(anp, f(anp, *xs)), argnums)(*args)
    except Exception as e:  # autograd has no rule for the function, or not this option
        pytest.skip(f"autograd cannot differentiate this case: {type(e).__name__}: {e}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got = wg.grad(lambda *xs: _scalar(wnp, f(wnp, *xs)), argnums)(*args)
    for g, w in zip(_leaves(got), _leaves(want)):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
