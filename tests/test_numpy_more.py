"""The rest of numpy's elementwise functions, reductions and 1-d signal functions
(issue 8, point 1, with point 2's std/var fix): values against numpy for plain and
traced inputs, derivatives against closed forms and against HIPS autograd where it
has the function, the nan conventions, and the refusals. check_grads at order 2 in
both modes runs on every new primitive through tests/rules/specs_*.py."""

import math

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp

rng = np.random.default_rng(8)

REAL = np.array([-2.3, -0.7, 0.4, 1.1, 3.2])
Z = np.array([1.0 + 2.0j, -0.5 + 0.3j, -1.5 - 0.2j, 0.7 - 1.1j])
WITH_NAN = np.array([[1.5, np.nan, -0.3, 2.2], [np.nan, 0.8, 4.1, -1.9],
                     [0.2, -0.6, np.nan, 1.4]])
M = rng.standard_normal((4, 5))
T3 = rng.standard_normal((2, 3, 4))
MASK = rng.random((4, 5)) < 0.7
MASK[:, 0] = True  # every row and column keeps an element
XP = np.array([-1.0, 0.0, 0.5, 2.0, 3.5])
FP = np.array([0.3, -1.2, 0.8, 2.5, 1.0])
XQ = np.array([-2.0, -1.0, -0.3, 0.0, 0.25, 1.3, 2.0, 3.5, 4.0])


def _entry(name, *args, traced=None, **kwargs):
    """A value case: ``name(*args, **kwargs)`` in wengert.numpy against numpy;
    ``traced`` lists the argument positions traced in the traced run (default: the
    float and complex arrays and floats)."""
    label = "-".join([name] + [f"{k}={v}" for k, v in kwargs.items()
                               if not isinstance(v, np.ndarray)])
    return pytest.param(name, args, kwargs, traced, id=label)


VALUES = [
    # -------------------------------------------------------------- elementwise
    _entry("nan_to_num", np.array([1.0, np.nan, np.inf, -np.inf, -2.0])),
    _entry("nan_to_num", np.array([1.0, np.nan, np.inf, -np.inf]), nan=2.0, posinf=9.0,
           neginf=-9.0),
    _entry("nan_to_num", np.array([1.0 + np.nan * 1j, np.inf - 2.0j, 3.0 + 1.0j])),
    _entry("nan_to_num", 2.5),
    _entry("real_if_close", np.array([1.0 + 1e-16j, 2.0 - 1e-17j])),
    _entry("real_if_close", np.array([1.0 + 1e-3j, 2.0 + 0j])),
    _entry("real_if_close", REAL),
    _entry("angle", Z), _entry("angle", Z, deg=True), _entry("angle", REAL),
    _entry("angle", 1.0 - 1.0j),
    _entry("fabs", REAL), _entry("fabs", -2.5),
    _entry("fmax", np.array([1.0, np.nan, 3.0, np.nan, 2.0]),
           np.array([0.5, 2.0, np.nan, np.nan, 2.0])),
    _entry("fmin", np.array([1.0, np.nan, 3.0, np.nan, 2.0]),
           np.array([0.5, 2.0, np.nan, np.nan, 2.0])),
    _entry("fmax", REAL[:, None], REAL), _entry("fmin", REAL[:, None], REAL),
    _entry("logaddexp", REAL[:, None], REAL), _entry("logaddexp", 800.0, 799.0),
    _entry("logaddexp2", REAL[:, None], REAL), _entry("logaddexp2", 0.5, -1.5),
    _entry("exp2", REAL), _entry("exp2", 0.3),
    _entry("sinc", np.array([-2.5, -1.0, 0.0, 1e-9, 0.05, 0.3, 4.0])), _entry("sinc", 0.3),
    _entry("i0", REAL), _entry("i0", np.array([0.0, 15.0, -40.0, 300.0])),
    _entry("deg2rad", REAL * 90), _entry("rad2deg", REAL), _entry("degrees", REAL),
    _entry("radians", REAL * 90), _entry("deg2rad", 45.0),
    _entry("heaviside", np.array([-1.0, 0.0, 2.0]), 0.5),
    _entry("copysign", REAL[:, None], REAL), _entry("copysign", 2.0, -0.0),
    _entry("hypot", REAL[:, None], REAL), _entry("arctan2", REAL[:, None], REAL),
    # -------------------------------------------------------------- reductions
    _entry("median", M), _entry("median", M, axis=0), _entry("median", M, axis=1),
    _entry("median", M, axis=-1, keepdims=True), _entry("median", T3, axis=(0, 2)),
    _entry("median", WITH_NAN, axis=1), _entry("median", 2.5),
    _entry("quantile", M, 0.3), _entry("quantile", M, 0.3, axis=1),
    _entry("quantile", M, np.array([0.0, 0.1, 0.5, 0.77, 1.0]), axis=0, keepdims=True),
    _entry("quantile", T3, np.array([0.2, 0.9]), axis=(1, 2)),
    _entry("quantile", WITH_NAN, 0.4, axis=0),
    *[_entry("quantile", M, np.array([0.0, 0.05, 0.3, 0.5, 0.64, 0.97, 1.0]), axis=1,
             method=m)
      for m in ["inverted_cdf", "averaged_inverted_cdf", "closest_observation",
                "interpolated_inverted_cdf", "hazen", "weibull", "linear", "median_unbiased",
                "normal_unbiased", "lower", "higher", "midpoint", "nearest"]],
    _entry("percentile", M, 30.0), _entry("percentile", M, np.array([10.0, 50.0, 90.0]),
                                         axis=1, keepdims=True),
    _entry("percentile", M, 62.5, axis=0, method="hazen"),
    _entry("average", M), _entry("average", M, axis=1, weights=np.arange(1.0, 6.0)),
    _entry("average", M, axis=0, weights=rng.random((4, 5)) + 0.1, returned=True),
    _entry("average", M, axis=1, returned=True, keepdims=True),
    _entry("average", T3, axis=(2, 0), weights=rng.random((4, 2)) + 0.1),
    _entry("nansum", WITH_NAN), _entry("nansum", WITH_NAN, axis=1),
    _entry("nanmean", WITH_NAN, axis=0), _entry("nanmean", WITH_NAN, keepdims=True),
    _entry("nanvar", WITH_NAN, axis=1), _entry("nanvar", WITH_NAN, ddof=1),
    _entry("nanstd", WITH_NAN, axis=0), _entry("nanstd", WITH_NAN, axis=1, ddof=1),
    _entry("nanmax", WITH_NAN, axis=1), _entry("nanmin", WITH_NAN, axis=0),
    _entry("nanmax", WITH_NAN), _entry("nanmin", WITH_NAN, keepdims=True),
    _entry("nanprod", WITH_NAN, axis=1), _entry("nanprod", WITH_NAN),
    *[_entry(f, T3, axis=a) for f in ("cumsum", "cumprod") for a in (None, 0, 1, 2, -1)],
    _entry("sum", M, where=MASK), _entry("sum", M, axis=1, where=MASK, initial=2.0),
    _entry("prod", M, axis=0, where=MASK), _entry("prod", M, initial=0.5),
    _entry("mean", M, axis=1, where=MASK), _entry("mean", M, where=MASK[0]),
    _entry("var", M, axis=0, where=MASK), _entry("std", M, axis=1, where=MASK, ddof=1),
    _entry("max", M, axis=1, where=MASK, initial=-5.0), _entry("max", M, initial=0.5),
    _entry("min", M, axis=0, where=MASK, initial=5.0), _entry("min", M, axis=1, initial=-0.5),
    _entry("ptp", M), _entry("ptp", M, axis=1), _entry("ptp", T3, axis=(0, 2), keepdims=True),
    _entry("var", M, axis=1, correction=1),
    # -------------------------------------------------------------- signal
    *[_entry(f, a, v, mode=mode)
      for f in ("convolve", "correlate")
      for a, v in [(REAL, FP[:3]), (FP[:3], REAL), (REAL[:4], FP), (Z, REAL[:2]),
                   (REAL[:3], Z), (Z[:1], Z)]
      for mode in ("full", "same", "valid")],
    _entry("interp", XQ, XP, FP, traced=(0, 2)),
    _entry("interp", XQ, XP, FP, left=-7.0, right=7.0, traced=(0, 2)),
    _entry("interp", XQ * 3.0, XP, FP, period=4.0, traced=(0, 2)),
    _entry("interp", XQ, XP, FP * (1 + 0.5j), traced=(0, 2)),
    _entry("interp", 0.7, XP, FP, traced=(0, 2)),
    _entry("interp", np.array([np.nan, 0.2]), XP, FP, traced=(0, 2)),
    _entry("polyval", np.array([1.5, -2.0, 0.3, 4.0]), REAL),
    _entry("polyval", np.array([1.5, -2.0, 0.3]), 0.7),
    _entry("polyval", np.array([2.0 + 1j, -1.0]), Z),
    _entry("polyfit", XQ, np.sin(XQ), 2), _entry("polyfit", XQ, np.stack([np.sin(XQ), np.exp(XQ / 3)], 1), 3),
    _entry("polyfit", XQ, np.cos(XQ), 1, w=np.linspace(0.5, 2.0, 9)),
    _entry("polyfit", XQ, np.cos(XQ), 2, full=True),
    _entry("polyfit", XQ, np.cos(XQ), 2, cov=True),
    _entry("polyfit", XQ, np.stack([np.sin(XQ), np.exp(XQ / 3)], 1), 1, cov="unscaled"),
    _entry("searchsorted", XP, XQ, traced=()), _entry("searchsorted", XP, XQ, side="right",
                                                      traced=()),
]


def _differentiable(a):
    return type(a) in (float, complex) or (isinstance(a, np.ndarray) and a.dtype.kind in "fc")


def _traced_value(f, args, kwargs, traced):
    if traced is None:
        traced = [i for i, a in enumerate(args) if _differentiable(a)]

    def g(*xs):
        full = list(args)
        for i, x in zip(traced, xs):
            full[i] = x
        return f(*full, **kwargs)

    if not traced:
        return g()
    out, _ = wg.vjp(g, *[args[i] for i in traced])
    return out


def _same(got, want):
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for a, b in zip(got, want):
            _same(a, b)
        return
    assert np.shape(got) == np.shape(want)
    assert np.iscomplexobj(got) == np.iscomplexobj(want)
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-300, equal_nan=True)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name, args, kwargs, traced", VALUES)
def test_values_match_numpy(name, args, kwargs, traced):
    want = getattr(np, name)(*args, **kwargs)
    _same(getattr(wnp, name)(*args, **kwargs), want)
    _same(_traced_value(getattr(wnp, name), args, kwargs, traced), want)


def test_plain_calls_return_numpy_values():
    assert isinstance(wnp.median(M), np.floating)
    assert type(wnp.exp2(0.5)) is float  # a Python float in, a Python float out
    assert isinstance(wnp.interp(0.7, XP, FP), np.floating)


# ------------------------------------------------------------------ std and var: point 2

@pytest.mark.parametrize("f", [wnp.std, wnp.var, wnp.nanstd, wnp.nanvar])
def test_std_var_of_a_single_value_have_derivative_zero(f):
    for x in (np.array([2.0]), 2.0, np.array([[1.5]])):
        assert np.all(wg.grad(f)(x) == 0.0)
        assert wg.jvp(f, (x,), (np.ones_like(x),))[1] == 0.0
        assert np.all(wg.grad(wg.grad(f))(x) == 0.0)
    # an axis of length 1 with ddof=0, both modes and second order
    x = rng.standard_normal((3, 1))
    g = wg.grad(lambda x: wnp.sum(wnp.sin(f(x, axis=1))))(x)
    np.testing.assert_equal(g, np.zeros((3, 1)))
    _, t = wg.jvp(lambda x: f(x, axis=1, keepdims=True), (x,), (np.ones((3, 1)),))
    np.testing.assert_equal(t, np.zeros((3, 1)))
    h = wg.jacobian(wg.grad(lambda x: wnp.sum(f(x, axis=-1))))(x)
    np.testing.assert_equal(h, np.zeros((3, 1, 3, 1)))


def test_std_of_a_length_one_slice_among_others():
    # where= leaves one element in the first row: its std is 0 with derivative 0,
    # the other rows are differentiated as usual
    x = rng.standard_normal((2, 3))
    where = np.array([[True, False, False], [True, True, True]])
    g = wg.grad(lambda x: wnp.sum(wnp.std(x, axis=1, where=where)))(x)
    np.testing.assert_equal(g[0], 0.0)
    d = x[1] - x[1].mean()
    np.testing.assert_allclose(g[1], d / (3 * np.std(x[1])), rtol=1e-13)
    # nanstd: one number left in a column
    y = np.array([[1.0, np.nan], [np.nan, 2.0], [3.0, 0.5]])
    g = wg.grad(lambda y: wnp.sum(wnp.nanstd(y, axis=0)))(np.array([[1.0], [np.nan], [np.nan]]))
    np.testing.assert_equal(g, [[0.0], [0.0], [0.0]])
    assert np.all(np.isfinite(wg.grad(lambda y: wnp.sum(wnp.nanstd(y, axis=0)))(y)))


def test_std_keeps_its_derivative_elsewhere():
    x = rng.standard_normal(6)
    np.testing.assert_allclose(wg.grad(wnp.std)(x), (x - x.mean()) / (6 * np.std(x)),
                               rtol=1e-13)
    np.testing.assert_allclose(wg.grad(lambda x: wnp.std(x, ddof=1))(x),
                               (x - x.mean()) / (5 * np.std(x, ddof=1)), rtol=1e-13)


# ------------------------------------------------------------------ closed forms

def test_median_of_an_odd_length_vector_is_one_hot():
    x = np.array([3.0, -1.0, 7.0, 0.5, 2.0])
    np.testing.assert_equal(wg.grad(wnp.median)(x), [0.0, 0.0, 0.0, 0.0, 1.0])
    _, t = wg.jvp(wnp.median, (x,), (np.arange(5.0),))
    assert t == 4.0


def test_median_of_an_even_length_vector_splits_between_the_middle_two():
    x = np.array([3.0, -1.0, 7.0, 0.5])
    np.testing.assert_equal(wg.grad(wnp.median)(x), [0.5, 0.0, 0.0, 0.5])
    g = wg.grad(lambda x: wnp.sum(wnp.median(x, axis=0)))(M)
    np.testing.assert_equal(g.sum(axis=0), np.ones(5))


def test_quantile_derivative_follows_the_interpolation_weights():
    x = rng.standard_normal(9)
    s = np.sort(x)
    order = np.argsort(x)
    for q in (0.0, 0.3, 0.55, 1.0):
        v = 8 * q
        lo = int(np.floor(v))
        hi = min(lo + 1, 8)
        gamma = v - lo
        want = np.zeros(9)
        want[order[lo]] += 1.0 - gamma
        want[order[hi]] += gamma
        np.testing.assert_allclose(wg.grad(lambda x: wnp.quantile(x, q))(x), want,
                                   atol=1e-15)
        if 0.0 < q < 1.0:  # in q: the slope between the two order statistics
            dq = wg.grad(lambda q: wnp.quantile(x, q))(q)
            assert dq == pytest.approx(8 * (s[hi] - s[lo]), rel=1e-13)
    # percentile: q in percent
    dp = wg.grad(lambda p: wnp.percentile(x, p))(30.0)
    assert dp == pytest.approx(8 * (s[3] - s[2]) / 100.0, rel=1e-13)


def test_quantile_in_an_array_of_q_both_modes():
    x = rng.standard_normal((3, 7))
    q = np.array([0.1, 0.45, 0.9])  # away from the knots of q (multiples of 1/6)
    f = lambda x, q: wnp.quantile(x, q, axis=1)  # noqa: E731
    wg.check_grads(f, modes=("fwd", "rev"), order=2)(x, q)


def test_discrete_quantile_methods_pick_one_element():
    x = rng.standard_normal(8)
    for method in ("lower", "higher", "nearest", "inverted_cdf", "closest_observation"):
        g = wg.grad(lambda x: wnp.quantile(x, 0.4, method=method))(x)
        assert sorted(g) == [0.0] * 7 + [1.0]
        assert x[g == 1.0][0] == np.quantile(x, 0.4, method=method)


def test_interp_derivative_in_fp_is_the_hat_function():
    # interp is linear in fp: d/dfp_k is interp of the k-th unit vector
    J = wg.jacobian(lambda fp: wnp.interp(XQ, XP, fp))(FP)
    want = np.stack([np.interp(XQ, XP, e) for e in np.eye(5)], axis=1)
    np.testing.assert_allclose(J, want, rtol=1e-14, atol=1e-15)
    _, t = wg.jvp(lambda fp: wnp.interp(XQ, XP, fp), (FP,), (np.eye(5)[2],))
    np.testing.assert_allclose(t, want[:, 2], atol=1e-15)


def test_interp_derivative_in_x_is_the_slope():
    x = np.array([-3.0, -0.5, 0.2, 1.0, 3.0, 9.0])
    slopes = np.diff(FP) / np.diff(XP)
    want = np.array([0.0, slopes[0], slopes[1], slopes[2], slopes[3], 0.0])
    np.testing.assert_allclose(wg.elementwise_grad(lambda x: wnp.interp(x, XP, FP))(x), want,
                               rtol=1e-14)
    # with period the pattern repeats: the slope of np.interp by central differences
    # (at points away from the knots, which fall at 4, 0, 0.5, 2 and 3.5 modulo 5)
    x = np.array([-2.7, -0.5, 0.2, 1.0, 3.0, 8.6])
    f = lambda x: wnp.interp(x, XP, FP, period=5.0)  # noqa: E731
    h = 1e-6
    for shift in (0.0, 5.0, -10.0):
        want = (np.interp(x + shift + h, XP, FP, period=5.0)
                - np.interp(x + shift - h, XP, FP, period=5.0)) / (2 * h)
        np.testing.assert_allclose(wg.elementwise_grad(f)(x + shift), want, rtol=1e-7)


def test_interp_traced_left_and_right():
    g = wg.grad(lambda lr: wnp.sum(wnp.interp(XQ, XP, FP, left=lr[0], right=lr[1])),
                )(np.array([1.0, 2.0]))
    np.testing.assert_equal(g, [np.sum(XQ < XP[0]), np.sum(XQ > XP[-1])])


def test_polyval_derivatives():
    p = np.array([1.5, -2.0, 0.3, 4.0])
    x = REAL
    dx = wg.elementwise_grad(lambda x: wnp.polyval(p, x))(x)
    np.testing.assert_allclose(dx, np.polyval(np.polyder(p), x), rtol=1e-13)
    J = wg.jacobian(lambda p: wnp.polyval(p, x))(p)
    np.testing.assert_allclose(J, np.vander(x, 4), rtol=1e-14)


def test_polyfit_is_linear_in_y_through_the_pseudo_inverse():
    J = wg.jacobian(lambda y: wnp.polyfit(XQ, y, 3))(np.sin(XQ))
    np.testing.assert_allclose(J, np.linalg.pinv(np.vander(XQ, 4)), rtol=1e-10, atol=1e-13)
    # in x and in the weights: central differences, both modes, second order
    w = np.linspace(0.5, 2.0, 9)
    wg.check_grads(lambda x, y, w: wnp.polyfit(x, y, 2, w=w), modes=("fwd", "rev"),
                   order=2)(XQ, np.cos(XQ), w)
    wg.check_grads(lambda x, y: wnp.polyfit(x, y, 2, cov=True)[1], modes=("fwd", "rev"),
                   order=2)(XQ, np.cos(XQ))


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("na, nv", [(5, 3), (3, 5), (4, 4), (1, 3), (6, 2)])
@pytest.mark.parametrize("f", ["convolve", "correlate"])
def test_convolve_and_correlate_are_the_right_linear_maps(f, na, nv, mode):
    a = rng.standard_normal(na) + 1j * rng.standard_normal(na)
    v = rng.standard_normal(nv) + 1j * rng.standard_normal(nv)
    fn = getattr(wnp, f)
    # columns of the Jacobian in a, by forward mode
    Ja = np.stack([getattr(np, f)(e, v, mode) for e in np.eye(na)], axis=1)
    for i in range(na):
        _, t = wg.jvp(lambda a: fn(a, v, mode), (a,), (np.eye(na)[i] + 0j,))
        np.testing.assert_allclose(t, Ja[:, i], atol=1e-14)
    # reverse mode: the transpose (HIPS autograd's convention, no conjugate)
    out, back = wg.vjp(lambda a, v: fn(a, v, mode), a, v)
    g = rng.standard_normal(len(out)) + 1j * rng.standard_normal(len(out))
    ga, gv = back(g)
    np.testing.assert_allclose(ga, Ja.T @ g, atol=1e-13)
    if f == "convolve":  # symmetric in a and v up to the mode's slice
        Jv = np.stack([np.convolve(a, e, mode) for e in np.eye(nv)], axis=1)
        np.testing.assert_allclose(gv, Jv.T @ g, atol=1e-13)


def test_convolve_real_input_gets_a_real_gradient():
    a, v = REAL, np.array([1.0 + 0.5j, -0.3j])
    g = wg.grad(lambda a: wnp.real(wnp.sum(wnp.convolve(a, v))))(a)
    assert np.isrealobj(g)
    np.testing.assert_allclose(g, np.full(5, np.sum(v).real), rtol=1e-14)


def test_average_derivatives():
    a = rng.standard_normal(5)
    w = rng.random(5) + 0.2
    avg = np.average(a, weights=w)
    ga, gw = wg.grad(lambda a, w: wnp.average(a, weights=w), argnums=(0, 1))(a, w)
    np.testing.assert_allclose(ga, w / w.sum(), rtol=1e-14)
    np.testing.assert_allclose(gw, (a - avg) / w.sum(), rtol=1e-13)
    # returned: the sum of the weights, differentiable too
    gw2 = wg.grad(lambda w: wnp.average(a, weights=w, returned=True)[1])(w)
    np.testing.assert_allclose(gw2, np.ones(5))
    with pytest.raises(ZeroDivisionError):
        wg.grad(lambda w: wnp.average(a, weights=w))(np.zeros(5))


@pytest.mark.parametrize("name", ["nansum", "nanmean", "nanvar", "nanstd", "nanmax", "nanmin",
                                  "nanprod"])
def test_nan_entries_get_zero_derivative(name):
    f = getattr(wnp, name)
    full = {"nansum": np.sum, "nanmean": np.mean, "nanvar": np.var, "nanstd": np.std,
            "nanmax": np.max, "nanmin": np.min, "nanprod": np.prod}[name]
    x = WITH_NAN
    g = wg.grad(lambda x: wnp.sum(f(x, axis=1)))(x)
    nan = np.isnan(x)
    np.testing.assert_equal(g[nan], 0.0)
    assert np.all(np.isfinite(g))
    # each row's derivative is that of the plain reduction over its numbers
    fw = getattr(wnp, full.__name__)
    for i in range(3):
        row = x[i][~nan[i]]
        np.testing.assert_allclose(g[i][~nan[i]], wg.grad(fw)(row), rtol=1e-13)
    _, t = wg.jvp(lambda x: f(x, axis=1), (x,), (np.where(nan, 1.0, 0.0),))
    np.testing.assert_equal(t, np.zeros(3))


def test_all_nan_slices():
    x = np.array([[np.nan, np.nan], [1.0, 2.0]])
    with pytest.warns(RuntimeWarning):
        got = wnp.nanmax(x, axis=1)
    np.testing.assert_equal(got, [np.nan, 2.0])
    with pytest.warns(RuntimeWarning):
        g = wg.grad(lambda x: wnp.sum(wnp.nanmax(x, axis=1)[1:]))(x)
    np.testing.assert_equal(g, [[0.0, 0.0], [0.0, 1.0]])
    np.testing.assert_equal(wg.grad(lambda x: wnp.sum(wnp.nansum(x, axis=1)))(x),
                            [[0.0, 0.0], [1.0, 1.0]])


def test_where_masks_the_derivative():
    g = wg.grad(lambda x: wnp.sum(x, where=MASK))(M)
    np.testing.assert_equal(g, MASK.astype(float))
    g = wg.grad(lambda x: wnp.prod(x, axis=1, where=MASK, initial=2.0).sum())(M)
    np.testing.assert_equal(g[~MASK], 0.0)
    g = wg.grad(lambda x: wnp.mean(x, axis=0, where=MASK).sum())(M)
    np.testing.assert_allclose(g, MASK / MASK.sum(axis=0), rtol=1e-15)


def test_max_min_initial_takes_the_derivative_when_it_wins():
    x = np.array([0.5, -1.0, 0.2])
    np.testing.assert_equal(wg.grad(lambda x: wnp.max(x, initial=1.0))(x), [0.0, 0.0, 0.0])
    np.testing.assert_equal(wg.grad(lambda x: wnp.max(x, initial=0.0))(x), [1.0, 0.0, 0.0])
    np.testing.assert_equal(wg.grad(lambda x: wnp.min(x, initial=0.0, where=x > 0))(x),
                            [0.0, 0.0, 0.0])
    np.testing.assert_equal(wg.grad(lambda x: wnp.min(x, initial=9.0, where=x > 0))(x),
                            [0.0, 0.0, 1.0])
    with pytest.raises(ValueError):
        wg.grad(lambda x: wnp.max(x, where=x > 0))(x)  # numpy needs initial= here


def test_ptp_derivative():
    x = np.array([[0.5, -1.0, 2.0], [3.0, 1.0, -4.0]])
    np.testing.assert_equal(wg.grad(lambda x: wnp.ptp(x))(x),
                            [[0.0, 0.0, 0.0], [1.0, 0.0, -1.0]])


def test_cumprod_with_zeros_on_every_axis():
    x = rng.standard_normal((3, 4, 2))
    x[1, 2, 0] = 0.0
    x[0, 0, 1] = 0.0
    for axis in (None, 0, 1, 2, -2):
        f = lambda x, a=axis: wnp.cumprod(x, axis=a)  # noqa: E731
        wg.check_grads(f, modes=("fwd", "rev"), order=2)(x)
        wg.check_grads(lambda x, a=axis: wnp.sin(wnp.cumsum(x, axis=a)),
                       modes=("fwd", "rev"), order=2)(x)


def test_fmax_fmin_follow_the_number_past_a_nan():
    x = np.array([np.nan, 1.0, 3.0, np.nan])
    y = np.array([2.0, np.nan, 1.0, np.nan])
    gx, gy = wg.grad(lambda x, y: wnp.sum(wnp.fmax(x, y)), argnums=(0, 1))(x, y)
    np.testing.assert_equal(gx, [0.0, 1.0, 1.0, 0.0])
    np.testing.assert_equal(gy, [1.0, 0.0, 0.0, 0.0])
    gx, gy = wg.grad(lambda x, y: wnp.sum(wnp.fmin(x, y)), argnums=(0, 1))(x, y)
    np.testing.assert_equal(gx, [0.0, 1.0, 0.0, 0.0])
    np.testing.assert_equal(gy, [1.0, 0.0, 1.0, 0.0])
    # a tie splits evenly, as maximum does
    assert wg.grad(lambda x: wnp.fmax(x, 1.0))(1.0) == 0.5


def test_logaddexp_derivatives_are_softmax_weights():
    x, y = 800.0, 799.0
    gx, gy = wg.grad(lambda x, y: wnp.logaddexp(x, y), argnums=(0, 1))(x, y)
    assert gx == pytest.approx(1 / (1 + math.exp(-1.0)), rel=1e-15)
    assert gx + gy == pytest.approx(1.0, rel=1e-15)
    gx, gy = wg.grad(lambda x, y: wnp.logaddexp2(x, y), argnums=(0, 1))(1.0, 3.0)
    assert gx == pytest.approx(2.0 / 10.0, rel=1e-15)
    assert gy == pytest.approx(8.0 / 10.0, rel=1e-15)


def test_sinc_derivatives_at_zero():
    d = wg.grad
    assert d(wnp.sinc)(0.0) == 0.0
    assert d(d(wnp.sinc))(0.0) == pytest.approx(-math.pi ** 2 / 3, rel=1e-14)
    assert d(d(d(wnp.sinc)))(0.0) == pytest.approx(0.0, abs=1e-14)
    assert d(d(d(d(wnp.sinc))))(0.0) == pytest.approx(math.pi ** 4 / 5, rel=1e-12)
    # both sides of the switch between the series and the closed form agree
    for x in (0.0999, 0.1001, -0.1, 0.35):
        want = (math.cos(math.pi * x) - np.sinc(x)) / x
        assert d(wnp.sinc)(x) == pytest.approx(want, rel=1e-9)


def test_i0_derivative_is_i1():
    sc = pytest.importorskip("scipy.special")
    x = np.array([-50.0, -12.0, -3.0, -0.5, 0.0, 1e-3, 0.7, 2.5, 8.0, 29.9, 30.1, 120.0, 700.0])
    np.testing.assert_allclose(wg.elementwise_grad(wnp.i0)(x), sc.i1(x), rtol=1e-13)
    # i1' = i0 - i1 / x (1/2 at 0)
    want = np.where(x == 0, 0.5, sc.i0(x) - sc.i1(x) / np.where(x == 0, 1.0, x))
    np.testing.assert_allclose(wg.elementwise_grad(wg.elementwise_grad(wnp.i0))(x), want,
                               rtol=1e-12)


def test_angle_derivative():
    z = 1.0 + 2.0j
    # angle = arctan2(y, x): d/dx = -y/r^2, d/dy = x/r^2; the gradient of a real
    # function of z = x + iy is d/dx - 1j d/dy
    g = wg.grad(wnp.angle)(z)
    assert g == pytest.approx(-2.0 / 5.0 - 1j * 1.0 / 5.0, rel=1e-14)
    assert wg.grad(lambda x: wnp.angle(x, deg=True))(-2.0) == 0.0


def test_nan_to_num_derivative():
    x = np.array([1.0, np.nan, np.inf, -np.inf, -2.0])
    np.testing.assert_equal(wg.grad(lambda x: wnp.sum(wnp.nan_to_num(x)))(x),
                            [1.0, 0.0, 0.0, 0.0, 1.0])


def test_copysign_and_heaviside():
    x = np.array([-1.5, 2.0, 0.5])
    y = np.array([1.0, -1.0, -0.0])
    gx, gy = wg.grad(lambda x, y: wnp.sum(wnp.copysign(x, y)), argnums=(0, 1))(x, y)
    np.testing.assert_equal(gx, [-1.0, -1.0, -1.0])
    np.testing.assert_equal(gy, [0.0, 0.0, 0.0])
    h = wg.grad(lambda x: wnp.sum(x * wnp.heaviside(x, 0.5)))(x)
    np.testing.assert_equal(h, [0.0, 1.0, 1.0])


def test_degrees_radians():
    assert wg.grad(wnp.deg2rad)(3.0) == pytest.approx(math.pi / 180, rel=1e-15)
    assert wg.grad(wnp.degrees)(3.0) == pytest.approx(180 / math.pi, rel=1e-15)
    assert wg.grad(wnp.exp2)(3.0) == pytest.approx(8 * math.log(2), rel=1e-15)


def test_searchsorted_is_plain():
    out = wg.grad(lambda x: wnp.sum(x * wnp.searchsorted(XP, x)))(XQ)
    np.testing.assert_equal(out, np.searchsorted(XP, XQ))


# ------------------------------------------------------------------ refusals

def test_refusals():
    with pytest.raises(TypeError):
        wnp.fabs(Z)  # numpy's fabs has no complex loop
    with pytest.raises(NotImplementedError, match="xp"):
        wg.grad(lambda xp: wnp.sum(wnp.interp(XQ, xp, FP)))(XP)
    with pytest.raises(TypeError, match="out="):
        wg.grad(lambda x: wnp.median(x, out=np.zeros(())))(M)
    with pytest.raises(ValueError):
        wg.grad(lambda x: wnp.quantile(x, 1.5))(REAL)
    with pytest.raises(ValueError):
        wg.grad(lambda x: wnp.sum(wnp.convolve(x, np.zeros(0))))(REAL)


# ------------------------------------------------------------------ against autograd

def _autograd_cases():
    return [
        ("nan_to_num", lambda np_: np_.nan_to_num, np.array([1.0, np.inf, 2.0, -3.0])),
        ("fabs", lambda np_: np_.fabs, REAL),
        ("exp2", lambda np_: np_.exp2, REAL),
        ("sinc", lambda np_: np_.sinc, np.array([-2.5, -1.0, 0.3, 0.05, 4.0])),
        ("deg2rad", lambda np_: np_.deg2rad, REAL),
        ("rad2deg", lambda np_: np_.rad2deg, REAL),
        ("degrees", lambda np_: np_.degrees, REAL),
        ("radians", lambda np_: np_.radians, REAL),
        ("fmax", lambda np_: (lambda x: np_.fmax(x, 0.3)), REAL),
        ("fmin", lambda np_: (lambda x: np_.fmin(0.3, x)), REAL),
        ("logaddexp", lambda np_: (lambda x: np_.logaddexp(x, x[::-1] * 2.0)), REAL),
        ("logaddexp2", lambda np_: (lambda x: np_.logaddexp2(x * 3.0, x[::-1])), REAL),
        ("std", lambda np_: (lambda x: np_.std(x, axis=1)), M),
        ("var", lambda np_: (lambda x: np_.var(x, axis=0, ddof=1)), M),
        ("cumsum", lambda np_: (lambda x: np_.cumsum(x, axis=1)), M),
        ("real_if_close", lambda np_: (lambda x: np_.real_if_close(x + 0j)), REAL),
        ("angle", lambda np_: (lambda x: np_.angle(x * (1.0 + 1.0j) + 0.5j)), REAL),
    ]


@pytest.mark.parametrize("name, make, x", _autograd_cases(), ids=[c[0] for c in _autograd_cases()])
def test_gradients_match_autograd(name, make, x):
    ag = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    want = ag.grad(lambda x: anp.sum(anp.sin(make(anp)(x))))(x)
    got = wg.grad(lambda x: wnp.sum(wnp.sin(make(wnp)(x))))(x)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("mode", ["full", "valid"])
def test_convolve_matches_autograd(mode):
    ag = pytest.importorskip("autograd")
    asig = pytest.importorskip("autograd.scipy.signal")
    anp = pytest.importorskip("autograd.numpy")
    a, v = rng.standard_normal(7), rng.standard_normal(3)
    want = ag.grad(lambda a, v: anp.sum(anp.sin(asig.convolve(a, v, mode=mode))),
                   argnum=1)(a, v)
    got = wg.grad(lambda a, v: wnp.sum(wnp.sin(wnp.convolve(a, v, mode))), argnums=1)(a, v)
    np.testing.assert_allclose(got, want, rtol=1e-12)
