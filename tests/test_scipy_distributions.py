"""wengert.scipy.stats distributions against scipy.stats: values (broadcasting,
out-of-support points, invalid parameters, nan, the types scipy returns), the
same values under tracing, derivatives by check_grads (forward and reverse, order
2) in the data and in every continuous parameter, closed forms, the refusals where
no exact rule exists, and HIPS autograd where it has the distribution."""

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
import wengert.scipy.stats as wst

sc = pytest.importorskip("scipy.special")
st = pytest.importorskip("scipy.stats")

RTOL = 1e-12
# scipy's own warnings (divide by zero for scale 0 and such) are not under test
pytestmark = [pytest.mark.filterwarnings("ignore::RuntimeWarning"),
              pytest.mark.filterwarnings("ignore::FutureWarning")]
GRAD = dict(modes=("fwd", "rev"), order=2)


def close(ours, ref, rtol=RTOL):
    """Same values (nan where nan, infinities of the same sign), same shape, and the
    same kind of result: a numpy float64 scalar where scipy gives one."""
    assert np.shape(ours) == np.shape(ref)
    assert isinstance(ours, np.ndarray) == isinstance(ref, np.ndarray), (type(ours), type(ref))
    if not isinstance(ref, np.ndarray):
        assert isinstance(ours, np.float64), type(ours)
    np.testing.assert_allclose(ours, ref, rtol=rtol, atol=0, equal_nan=True)


def traced(f, x, *consts):
    """f's value with its first argument traced (forward mode)."""
    x = np.asarray(x, dtype=float)
    return wg.jvp(lambda x: f(x, *consts), (x,), (np.zeros_like(x),))[0]


# ------------------------------------------------------------------ continuous values

XR = np.array([-np.inf, -30.0, -2.5, -0.4, 0.0, 0.3, 1.7, 6.0, 40.0, np.inf, np.nan])
XP = np.array([-1.0, 0.0, 0.2, 1.0, 2.5, 9.0, 60.0, np.inf, np.nan])
XU = np.array([-0.5, 0.0, 1e-3, 0.2, 0.5, 0.9, 1.0, 1.5, np.nan])
Q = np.array([-0.1, 0.0, 1e-8, 0.02, 0.3, 0.7, 0.98, 1.0, 1.2, np.nan])
COL = np.array([[0.6], [1.0], [2.5], [-1.0], [0.0], [np.nan]])

# name, shape arguments (columns broadcast against the data row), data
CONTINUOUS = [
    ("norm", (), XR),
    ("t", (np.array([[0.7], [1.0], [3.0], [250.0], [3e3], [np.inf], [-1.0], [0.0]]),), XR),
    ("gamma", (COL,), XP),
    ("chi2", (COL * 2,), XP),
    ("beta", (COL, np.array([[0.5], [1.0], [3.0], [2.0], [1.0], [1.0]])), XU),
    ("expon", (), XP),
    ("uniform", (), XU),
    ("laplace", (), XR),
    ("cauchy", (), XR),
    ("logistic", (), XR),
    ("lognorm", (COL,), XP),
]
METHODS = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"]
QUANTILES = {name: ["ppf", "isf"] for name in (
    "norm", "t", "gamma", "chi2", "beta", "expon", "uniform", "laplace", "cauchy", "logistic",
    "lognorm")}
CASES = [(n, s, x, m) for n, s, x in CONTINUOUS for m in METHODS + QUANTILES.get(n, [])]


def _ids(case):
    return f"{case[0]}.{case[3]}"


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_continuous_values_match_scipy(case):
    name, shapes, x, method = case
    ours, ref = getattr(getattr(wst, name), method), getattr(getattr(st, name), method)
    if method in ("ppf", "isf"):
        x = Q
        if name == "logistic":  # scipy's logit loses digits near 1/2, wengert's does not
            x = x[np.abs(x - 0.5) > 0.1]
    close(ours(x, *shapes), ref(x, *shapes))
    # loc and scale by keyword and by position, broadcast, with invalid scales
    kw = dict(loc=np.array([0.5, -1.0, np.nan])[:, None, None, None],
              scale=np.array([2.0, 0.5, -1.0, 0.0, np.nan])[:, None, None])
    close(ours(x, *shapes, **kw), ref(x, *shapes, **kw))
    close(ours(x, *shapes, 0.25, 1.5), ref(x, *shapes, 0.25, 1.5))
    # one point: a numpy float64, as scipy gives; under tracing the same value
    pick = tuple(np.ravel(s)[0] for s in shapes)
    for xi in np.ravel(x)[:6]:
        close(ours(float(xi), *pick, loc=0.1), ref(float(xi), *pick, loc=0.1))
    np.testing.assert_allclose(traced(lambda *a: ours(*a, loc=0.5, scale=2.0), x, *shapes),
                               ref(x, *shapes, loc=0.5, scale=2.0), rtol=RTOL, equal_nan=True)


def test_continuous_values_across_the_range():
    # a dense sweep where the formulas switch branches (t's cdf, the cauchy and
    # logistic pieces, the t density for large degrees of freedom)
    x = np.concatenate([-np.geomspace(1e-3, 700, 40), np.geomspace(1e-3, 700, 40)])
    for df in (0.3, 1.0, 2.0, 4.5, 13.0, 40.0, 120.0, 3e4):
        for m in ("logpdf", "cdf", "sf", "logcdf", "logsf"):
            close(getattr(wst.t, m)(x, df), getattr(st.t, m)(x, df), rtol=1e-11)
    for name in ("cauchy", "logistic", "laplace"):
        for m in METHODS:
            close(getattr(getattr(wst, name), m)(x), getattr(getattr(st, name), m)(x))
    # one deliberate difference: scipy's laplace.logpdf is log(exp(-|x|) / 2), -inf
    # once exp underflows; wengert's is -|x| - log 2 throughout
    assert st.laplace.logpdf(800.0) == -np.inf
    assert wst.laplace.logpdf(800.0) == -800.0 - np.log(2)
    # the t density for very many degrees of freedom (scipy's betaln loses digits there)
    for df in (1e5, 1e6, 1e9):
        close(wst.t.logpdf(x, df), st.t.logpdf(x, df))
    u = np.linspace(0.001, 0.999, 61)
    for a, b in ((0.4, 0.7), (2.0, 5.0), (30.0, 0.9)):
        for m in METHODS:
            close(getattr(wst.beta, m)(u, a, b), getattr(st.beta, m)(u, a, b), rtol=1e-11)


# q across (0, 1): down to 1e-100 in the lower tail, 1 - q down to 1e-16 (the spacing
# of doubles below 1), and the centre
QSWEEP = np.concatenate([np.geomspace(1e-100, 0.49, 70), [0.5],
                         1 - np.geomspace(1e-16, 0.49, 50)])


def test_quantile_values_across_the_range():
    # ppf and isf of the distributions whose quantiles invert an incomplete gamma or
    # beta function, against scipy over the whole range of q and of the parameters
    for df in (0.3, 1.0, 2.0, 3.0, 4.5, 13.0, 40.0, 250.0, 3e3, 1e5, 1e9, np.inf):
        for m in ("ppf", "isf"):
            got, ref = getattr(wst.t, m)(QSWEEP, df), getattr(st.t, m)(QSWEEP, df)
            # beyond 1e150 scipy answers sqrt(df / 2.2e-308) (see the far tails below)
            ok = np.abs(ref) < 1e150
            assert ok.sum() > 100 or df < 1
            close(got[ok], ref[ok])
    for a in (0.05, 0.3, 1.0, 2.5, 10.0, 150.0, 1e4):
        for m in ("ppf", "isf"):
            close(getattr(wst.gamma, m)(QSWEEP, a), getattr(st.gamma, m)(QSWEEP, a))
            close(getattr(wst.chi2, m)(QSWEEP, 2 * a), getattr(st.chi2, m)(QSWEEP, 2 * a))
    # scipy's beta.ppf (Boost's ibeta_inv) goes wrong below q = 3e-99 at a = 2, b = 5
    # (by 80% at 1e-100); betaincinv, and so wengert, does not (checked below)
    q = QSWEEP[QSWEEP > 1e-90]
    for a, b in ((0.05, 0.3), (0.4, 0.7), (1.0, 1.0), (2.0, 5.0), (30.0, 0.9), (0.5, 200.0)):
        for m in ("ppf", "isf"):
            close(getattr(wst.beta, m)(q, a, b), getattr(st.beta, m)(q, a, b))
    # the first term of the series I_x(a, b) = x^a / (a B(a, b)) (1 + O(x)), in the
    # far tail: x = (q a B(a, b))^(1/a) (below q = 5.8e-187 betaincinv, and so wengert,
    # gives nan at these a and b); likewise P(a, x) = x^a / Gamma(a + 1) (1 + O(x))
    q = np.array([1e-180, 1e-140, 1e-100])
    close(wst.beta.ppf(q, 2.0, 5.0), np.sqrt(q * 2.0 * sc.beta(2.0, 5.0)), rtol=1e-14)
    close(wst.beta.isf(q, 5.0, 2.0), np.ones(3))  # 1 - 2.6e-51, ...
    q = np.array([1e-300, 1e-200, 1e-100])
    close(wst.gamma.ppf(q, 2.0), np.sqrt(2.0 * q), rtol=1e-13)
    # the ends of the support at q = 0 and 1, moved by loc and scale
    q = np.array([0.0, 1.0])
    for name, shapes in (("t", (2.0,)), ("gamma", (2.0,)), ("chi2", (3.0,)),
                         ("beta", (2.0, 3.0))):
        for m in ("ppf", "isf"):
            got = getattr(getattr(wst, name), m)(q, *shapes, loc=1.0, scale=2.0)
            close(got, getattr(getattr(st, name), m)(q, *shapes, loc=1.0, scale=2.0))
    assert list(wst.beta.ppf(q, 2.0, 3.0, 1.0, 2.0)) == [1.0, 3.0]
    assert list(wst.t.isf(q, 2.0)) == [np.inf, -np.inf]


def test_t_quantile_in_the_far_tails():
    # below q = 1e-100 scipy's stdtrit loses its way for some df: at df = 3 and
    # q = 1e-236 it is off by a factor of 2, and where df / (df + t^2) is below the
    # doubles it answers sqrt(df / 2.2e-308) whatever q is. There the cdf of the
    # quantile must give q back, to the condition number of the inversion (about df,
    # the tail being x^-df) ...
    q = np.geomspace(1e-300, 1e-100, 25)
    for df in (3.0, 4.5, 13.0):
        x = wst.t.ppf(q, df)
        np.testing.assert_allclose(wst.t.cdf(x, df), q, rtol=4e-15 * df)
        np.testing.assert_array_equal(wst.t.isf(q, df), -x)
    # ... df = 1 is the Cauchy distribution, ppf(q) = -1 / tan(pi q), and df = 2 has
    # ppf(q) = (2q - 1) / sqrt(2 q (1 - q)) ...
    np.testing.assert_allclose(wst.t.ppf(q, 1.0), -1 / (np.pi * q), rtol=1e-14)
    np.testing.assert_allclose(wst.t.ppf(q, 2.0), -1 / np.sqrt(2 * q), rtol=1e-14)
    # ... and below df = 2 the tail series' leading term, P(T < t) = (df/(df + t^2))^a /
    # (2 a B(a, 1/2)) (a = df/2) to a relative O(1e-290) there, gives the quantile; the
    # quantiles beyond the doubles are -inf
    with np.errstate(over="ignore"):
        for df in (0.3, 0.7, 1.0, 1.5):
            a = df / 2
            want = -np.exp(0.5 * np.log(df) - (np.log(2 * q) + np.log(a) + sc.betaln(a, 0.5))
                           / df)
            got = wst.t.ppf(q, df)
            close(got, want)
            assert np.isneginf(got).any() == (df < 1)


def test_shape_arguments_by_keyword_and_errors():
    assert wst.gamma.logpdf(1.5, a=2.0) == st.gamma.logpdf(1.5, a=2.0)
    assert wst.beta.cdf(0.3, 2.0, b=3.0, scale=2.0) == pytest.approx(
        st.beta.cdf(0.3, 2.0, b=3.0, scale=2.0), rel=1e-14)
    with pytest.raises(TypeError, match="missing"):
        wst.gamma.logpdf(1.0)
    with pytest.raises(TypeError):
        wst.norm.logpdf(1.0, 0.0, 1.0, 2.0)
    with pytest.raises(TypeError):
        wst.norm.logpdf(1.0, 0.0, loc=1.0)
    with pytest.raises(TypeError):
        wst.norm.logpdf(1.0, mu=1.0)


def test_frozen_distributions():
    x = np.array([0.3, 1.2, 2.5])
    close(wst.gamma(2.5, scale=1.5).logcdf(x), st.gamma(2.5, scale=1.5).logcdf(x))
    close(wst.norm(1.0, 2.0).ppf(0.3), st.norm(1.0, 2.0).ppf(0.3))
    close(wst.t(3.0, 1.0, 2.0).isf(x / 4), st.t(3.0, 1.0, 2.0).isf(x / 4))
    close(wst.beta(2.0, 3.0).ppf(0.3), st.beta(2.0, 3.0).ppf(0.3))
    close(wst.poisson(2.5, loc=1).ppf(x / 3), st.poisson(2.5, loc=1).ppf(x / 3))
    close(wst.poisson(2.5).pmf(x.round()), st.poisson(2.5).pmf(x.round()))
    close(wst.multivariate_normal(MEAN, COV).logpdf(XS),
          st.multivariate_normal(MEAN, COV).logpdf(XS))
    close(wst.dirichlet(ALPHA).pdf(XD), st.dirichlet(ALPHA).pdf(XD))
    close(wst.multinomial(6, [0.2, 0.8]).pmf([1, 5]), st.multinomial(6, [0.2, 0.8]).pmf([1, 5]))
    g = wg.grad(lambda m: wnp.sum(wst.norm(m, 2.0).logpdf(x)))(1.0)
    assert g == pytest.approx(np.sum(x - 1.0) / 4.0, rel=1e-14)
    with pytest.raises(TypeError, match="missing"):
        wst.beta(2.0)
    with pytest.raises(AttributeError):
        wst.norm().logpmf


def test_float32_and_integer_data_give_float64_as_scipy():
    x = np.array([0.5, 1.5], dtype=np.float32)
    assert wst.norm.logpdf(x).dtype == st.norm.logpdf(x).dtype == np.float64
    close(wst.poisson.logpmf(np.array([0, 3]), 2.0), st.poisson.logpmf(np.array([0, 3]), 2.0))
    close(wst.expon.logpdf(2), st.expon.logpdf(2))


# ------------------------------------------------------------------ continuous derivatives

# name, shape arguments at an interior point, data inside the support, the methods
# whose shape derivatives have no closed form (checked in x, loc, scale only)
POINTS = [
    ("norm", (), np.array([-1.2, 0.3, 2.0]), ()),
    ("t", (3.5,), np.array([-1.2, 0.3, 2.0]), ("cdf", "logcdf", "sf", "logsf")),
    ("gamma", (2.5,), np.array([0.8, 2.0, 4.5]), ("cdf", "logcdf", "sf", "logsf")),
    ("chi2", (3.0,), np.array([0.8, 2.0, 4.5]), ("cdf", "logcdf", "sf", "logsf")),
    ("beta", (2.0, 3.5), np.array([0.5, 0.8, 1.1]), ("cdf", "logcdf", "sf", "logsf")),
    ("expon", (), np.array([0.5, 1.0, 2.5]), ()),
    ("uniform", (), np.array([0.4, 0.9, 1.3]), ()),
    ("laplace", (), np.array([-1.2, 0.5, 2.0]), ()),
    ("cauchy", (), np.array([-3.0, 0.5, 2.0]), ()),
    ("logistic", (), np.array([-3.0, 0.5, 2.0]), ()),
    ("lognorm", (0.8,), np.array([0.5, 1.0, 2.5]), ()),
]
GRAD_CASES = [(n, s, x, m, fixed) for n, s, x, fixed in POINTS for m in METHODS]


@pytest.mark.parametrize("case", GRAD_CASES, ids=lambda c: f"{c[0]}.{c[3]}")
def test_continuous_derivatives(case):
    name, shapes, x, method, fixed = case
    f = getattr(getattr(wst, name), method)
    loc, scale = 0.2, 1.3
    if method in fixed:
        wg.check_grads(lambda x, l, s: f(x, *shapes, loc=l, scale=s), **GRAD)(x, loc, scale)
    else:
        wg.check_grads(lambda x, l, s, *p: f(x, *p, loc=l, scale=s), **GRAD)(
            x, loc, scale, *shapes)


# the shape parameters at which the quantiles are differentiated, and whether they are
# differentiable there (not where the quantile inverts an incomplete function)
QPOINTS = {"lognorm": ((0.8,), True), "t": ((3.5,), False), "gamma": ((2.5,), False),
           "chi2": ((3.0,), False), "beta": ((2.0, 3.5), False)}


@pytest.mark.parametrize("name", sorted(QUANTILES))
def test_quantile_derivatives(name):
    shapes, free = QPOINTS.get(name, ((), True))
    q = np.array([0.1, 0.35, 0.8])
    for m in QUANTILES[name]:
        f = getattr(getattr(wst, name), m)
        if free:
            wg.check_grads(lambda q, l, s, *p: f(q, *p, loc=l, scale=s), **GRAD)(
                q, 0.2, 1.3, *shapes)
        else:
            wg.check_grads(lambda q, l, s: f(q, *shapes, loc=l, scale=s), **GRAD)(q, 0.2, 1.3)
    # the quantile inverts the cdf: d ppf / dq = 1 / pdf(ppf(q)), d isf / dq = -1 / pdf,
    # also far in the tails
    dist = getattr(wst, name)
    q = np.array([1e-10, 0.1, 0.35, 0.8, 1 - 1e-10])
    for m, sign in (("ppf", 1), ("isf", -1)):
        f = getattr(dist, m)
        g = wg.elementwise_grad(lambda q: f(q, *shapes, loc=0.2, scale=1.3))(q)
        np.testing.assert_allclose(g, sign / dist.pdf(f(q, *shapes, loc=0.2, scale=1.3),
                                                      *shapes, loc=0.2, scale=1.3), rtol=1e-10)
    # in loc and scale: 1 and the standard quantile
    for m in ("ppf", "isf"):
        f = getattr(dist, m)
        gl, gs = wg.grad(lambda l, s: wnp.sum(f(q, *shapes, loc=l, scale=s)), argnums=(0, 1))(
            0.2, 1.3)
        assert gl == pytest.approx(len(q), rel=1e-14)
        assert gs == pytest.approx(np.sum(f(q, *shapes)), rel=1e-13)


def test_quantile_second_derivatives_closed_forms():
    # ppf'' = -pdf'(x) / pdf(x)^3 at x = ppf(q); pdf'/pdf is (a - 1)/x - 1 for gamma,
    # (a - 1)/x - (b - 1)/(1 - x) for beta, -(df + 1) x / (df + x^2) for t
    q = np.array([1e-6, 0.1, 0.5, 0.8, 1 - 1e-6])
    d2 = wg.elementwise_grad(wg.elementwise_grad(lambda q: wst.gamma.ppf(q, 2.5)))(q)
    x = st.gamma.ppf(q, 2.5)
    np.testing.assert_allclose(d2, -(1.5 / x - 1) / st.gamma.pdf(x, 2.5) ** 2, rtol=1e-9)
    d2 = wg.elementwise_grad(wg.elementwise_grad(lambda q: wst.beta.isf(q, 2.0, 0.7)))(q)
    x = st.beta.isf(q, 2.0, 0.7)
    np.testing.assert_allclose(d2, -(1 / x + 0.3 / (1 - x)) / st.beta.pdf(x, 2.0, 0.7) ** 2,
                               rtol=1e-9)
    for df in (1.0, 3.5, 40.0):
        d1 = wg.elementwise_grad(lambda q: wst.t.ppf(q, df))(q)
        d2 = wg.elementwise_grad(wg.elementwise_grad(lambda q: wst.t.ppf(q, df)))(q)
        x = st.t.ppf(q, df)
        np.testing.assert_allclose(d1, 1 / st.t.pdf(x, df), rtol=1e-10)
        np.testing.assert_allclose(d2, (df + 1) * x / (df + x * x) / st.t.pdf(x, df) ** 2,
                                   rtol=1e-9, atol=1e-13)
    # at q = 1/2 (where the t quantile is 0 and odd about it): 1 / pdf(0), then 0, in
    # both modes
    for df in (1.0, 3.5):
        assert wg.derivative(lambda q: wst.t.ppf(q, df))(0.5) == pytest.approx(
            1 / st.t.pdf(0.0, df), rel=1e-14)
        assert wg.derivative(lambda q: wst.t.ppf(q, df), order=2)(0.5) == 0.0
        _, t = wg.jvp(lambda q: wst.t.isf(q, df), (0.5,), (1.0,))
        assert t == pytest.approx(-1 / st.t.pdf(0.0, df), rel=1e-14)
        wg.check_grads(lambda q: wst.t.ppf(q, df), **GRAD)(np.array([0.5, 0.5 - 1e-9]))


def test_derivatives_at_points_where_a_piece_or_branch_ends():
    # t's cdf at 0 (the incomplete beta's derivative alone would give 0 * inf there),
    # the cauchy quantile at 1/2, the logistic and laplace pieces at 0
    for df in (1.0, 3.5):
        d = wg.derivative(lambda x: wst.t.cdf(x, df))
        assert d(0.0) == pytest.approx(st.t.pdf(0.0, df), rel=1e-13)
        assert wg.derivative(lambda x: wst.t.cdf(x, df), order=2)(0.0) == 0.0
    assert wg.derivative(wst.cauchy.ppf)(0.5) == pytest.approx(np.pi, rel=1e-15)
    assert wg.derivative(wst.logistic.logpdf, order=2)(0.0) == pytest.approx(-0.5, rel=1e-15)
    assert wg.derivative(wst.laplace.cdf)(0.0) == pytest.approx(0.5, rel=1e-15)
    assert wg.derivative(wst.cauchy.logpdf, order=2)(0.0) == pytest.approx(-2.0, rel=1e-15)


def test_derivatives_are_zero_outside_the_support_and_never_nan():
    x = np.array([-1.0, 0.5, 2.0])
    for f in (wst.gamma.logpdf, wst.gamma.pdf, wst.gamma.cdf, wst.gamma.logsf):
        g = wg.elementwise_grad(lambda x: f(x, 2.0, scale=1.5))(x)
        assert np.isfinite(g).all() and g[0] == 0.0
    g = wg.grad(lambda a: wnp.sum(wst.gamma.logpdf(2.0, a)))(np.array([-1.0, 2.0]))
    assert g[0] == 0.0 and np.isfinite(g[1])
    g = wg.grad(lambda s: wnp.sum(wst.norm.logpdf(1.0, 0.0, s)))(np.array([-1.0, 0.0, 2.0]))
    np.testing.assert_array_equal(g[:2], 0.0)


def test_norm_closed_forms():
    x, mu, s = np.array([-1.0, 0.5, 3.0]), 0.7, 1.9
    gx, gmu, gs = wg.grad(lambda x, m, s: wnp.sum(wst.norm.logpdf(x, m, s)), argnums=(0, 1, 2))(
        x, mu, s)
    np.testing.assert_allclose(gx, -(x - mu) / s ** 2, rtol=1e-14)
    assert gmu == pytest.approx(np.sum((x - mu) / s ** 2), rel=1e-14)
    assert gs == pytest.approx(np.sum(-1 / s + (x - mu) ** 2 / s ** 3), rel=1e-14)
    np.testing.assert_allclose(wg.elementwise_grad(wst.norm.cdf)(x), st.norm.pdf(x), rtol=1e-14)
    np.testing.assert_allclose(wg.elementwise_grad(wst.norm.logsf)(x),
                               -st.norm.pdf(x) / st.norm.sf(x), rtol=1e-13)


def test_shape_parameter_closed_forms():
    x = np.array([0.4, 1.5, 3.0])
    np.testing.assert_allclose(wg.elementwise_grad(lambda a: wst.gamma.logpdf(x, a))(2.5 + 0 * x),
                               np.log(x) - sc.digamma(2.5), rtol=1e-13)
    np.testing.assert_allclose(wg.elementwise_grad(lambda x: wst.gamma.cdf(x, 2.5))(x),
                               st.gamma.pdf(x, 2.5), rtol=1e-13)
    u = np.array([0.2, 0.5, 0.9])
    np.testing.assert_allclose(
        wg.elementwise_grad(lambda a: wst.beta.logpdf(u, a, 3.0))(2.0 + 0 * u),
        np.log(u) - sc.digamma(2.0) + sc.digamma(5.0), rtol=1e-13)
    np.testing.assert_allclose(wg.elementwise_grad(lambda x: wst.t.cdf(x, 3.5))(x),
                               st.t.pdf(x, 3.5), rtol=1e-12)
    np.testing.assert_allclose(wg.elementwise_grad(lambda x: wst.beta.sf(x, 2.0, 3.0))(u),
                               -st.beta.pdf(u, 2.0, 3.0), rtol=1e-12)


@pytest.mark.parametrize("call, arg", [
    (lambda a: wst.gamma.cdf(1.5, a), "a"), (lambda a: wst.chi2.sf(1.5, a), "a"),
    (lambda a: wst.beta.cdf(0.3, a, 2.0), "a"), (lambda b: wst.beta.logsf(0.3, 2.0, b), "b"),
    (lambda d: wst.t.cdf(0.7, d), "b"), (lambda d: wst.t.logsf(-3.0, d), "a"),
    (lambda n: wst.nbinom.cdf(3, n, 0.4), "a"),
    (lambda a: wst.gamma.ppf(0.3, a), "a"), (lambda a: wst.gamma.isf(0.3, a), "a"),
    (lambda d: wst.chi2.ppf(0.3, d), "a"), (lambda d: wst.chi2.isf(0.3, d), "a"),
    (lambda a: wst.beta.ppf(0.3, a, 2.0), "a"), (lambda b: wst.beta.isf(0.3, 2.0, b), "b"),
    (lambda d: wst.t.ppf(0.3, d), "b"), (lambda d: wst.t.isf(1e-3, d), "a")])
def test_no_closed_form_refuses_in_both_modes(call, arg):
    # the message names the incomplete function's argument the parameter reaches
    with pytest.raises(NotImplementedError, match=f"no derivative in {arg}.*reverse-mode"):
        wg.grad(call)(2.5)
    with pytest.raises(NotImplementedError, match=f"no derivative in {arg}.*forward-mode"):
        wg.jvp(call, (2.5,), (1.0,))


# ------------------------------------------------------------------ discrete

K = np.array([-1.0, 0.0, 1.0, 2.0, 2.5, 4.0, 7.0, 30.0, np.inf, -np.inf, np.nan])
UNITC = np.array([[0.0], [0.15], [0.5], [0.9], [1.0], [-0.1], [1.2], [np.nan]])
DISCRETE = [
    ("poisson", (np.array([[0.0], [0.4], [3.0], [12.0], [-1.0], [np.nan]]),)),
    ("binom", (np.array([[0.0], [4.0], [7.0], [30.0], [2.5], [-1.0]])[:, :, None], UNITC)),
    ("bernoulli", (UNITC,)),
    ("geom", (UNITC,)),
    ("nbinom", (np.array([[0.5], [1.0], [4.0], [0.0], [-1.0]])[:, :, None], UNITC)),
]
DMETHODS = ["logpmf", "pmf", "cdf", "logcdf", "sf", "logsf"]


@pytest.mark.parametrize("case", [(n, s, m) for n, s in DISCRETE for m in DMETHODS],
                         ids=lambda c: f"{c[0]}.{c[2]}")
def test_discrete_values_match_scipy(case):
    name, shapes, method = case
    ours, ref = getattr(getattr(wst, name), method), getattr(getattr(st, name), method)
    close(ours(K, *shapes), ref(K, *shapes))
    close(ours(K, *shapes, loc=1.0), ref(K, *shapes, loc=1.0))
    pick = tuple(np.ravel(s)[2] for s in shapes)
    for k in (0, 1.0, 3, 2.5, -2):
        close(ours(k, *pick), ref(k, *pick))
    np.testing.assert_allclose(traced(lambda p: ours(K, *shapes[:-1], p), shapes[-1]),
                               ref(K, *shapes), rtol=RTOL, equal_nan=True)


DPOINTS = [("poisson", (2.7,)), ("binom", (9.0, 0.35)), ("bernoulli", (0.35,)),
           ("geom", (0.35,)), ("nbinom", (2.5, 0.35))]


@pytest.mark.parametrize("case", [(n, s, m) for n, s in DPOINTS for m in DMETHODS],
                         ids=lambda c: f"{c[0]}.{c[2]}")
def test_discrete_derivatives_in_the_parameters(case):
    name, shapes, method = case
    f = getattr(getattr(wst, name), method)
    k = np.array([0.0, 1.0, 3.0, 6.0]) if name != "geom" else np.array([1.0, 2.0, 5.0])
    if name == "bernoulli":  # its sf is 0 at 1 (logsf -inf: no differences there)
        k = np.array([0.0]) if method in ("sf", "logsf") else np.array([0.0, 1.0])
    if name == "binom":  # n is an integer: a constant
        wg.check_grads(lambda p: f(k, shapes[0], p), **GRAD)(shapes[1])
    elif name == "nbinom" and method in ("cdf", "logcdf", "sf", "logsf"):
        wg.check_grads(lambda p: f(k, shapes[0], p), **GRAD)(shapes[1])
    else:
        wg.check_grads(lambda *p: f(k, *p), **GRAD)(*shapes)


def test_discrete_closed_forms_and_the_count_is_a_constant():
    k = np.array([0.0, 2.0, 5.0])
    g = wg.elementwise_grad(lambda m: wst.poisson.logpmf(k, m))(2.0 + 0 * k)
    np.testing.assert_allclose(g, k / 2.0 - 1, rtol=1e-14)
    np.testing.assert_allclose(wg.elementwise_grad(lambda m: wst.poisson.cdf(k, m))(2.0 + 0 * k),
                               -st.poisson.pmf(k, 2.0), rtol=1e-13)
    p = 0.3 + 0 * k
    np.testing.assert_allclose(wg.elementwise_grad(lambda p: wst.binom.logpmf(k, 6, p))(p),
                               k / 0.3 - (6 - k) / 0.7, rtol=1e-13)
    # d/dp of the binomial cdf is -n times the pmf of k in n - 1 trials
    np.testing.assert_allclose(wg.elementwise_grad(lambda p: wst.binom.cdf(k, 6, p))(p),
                               -6 * st.binom.pmf(k, 5, 0.3), rtol=1e-12)
    # k (and loc) are discrete: the functions are piecewise constant in them
    assert wg.grad(lambda k: wst.poisson.logpmf(k, 2.0))(3.0) == 0.0
    assert wg.grad(lambda k: wst.binom.cdf(k, 5, 0.3))(2.0) == 0.0


QD = np.array([-0.1, 0.0, 1e-12, 0.01, 0.2, 0.5, 0.77, 0.999, 1 - 1e-12, 1.0, 1.5, np.nan])


@pytest.mark.parametrize("case", [(n, s, m) for n, s in DISCRETE for m in ("ppf", "isf")],
                         ids=lambda c: f"{c[0]}.{c[2]}")
def test_discrete_quantiles_match_scipy(case):
    name, shapes, method = case
    ours, ref = getattr(getattr(wst, name), method), getattr(getattr(st, name), method)
    close(ours(QD, *shapes), ref(QD, *shapes))
    close(ours(QD, *shapes, loc=2.0), ref(QD, *shapes, loc=2.0))
    close(ours(QD, *shapes, loc=np.array([[1.0], [np.nan]])[..., None, None, None]),
          ref(QD, *shapes, loc=np.array([[1.0], [np.nan]])[..., None, None, None]))
    pick = tuple(np.ravel(s)[2] for s in shapes)
    # at the cdf's (sf's) own values, where the quantile steps
    k = np.arange(-1.0, 12.0)
    at = getattr(st, name).cdf(k, *pick) if method == "ppf" else getattr(st, name).sf(k, *pick)
    close(ours(at, *pick), ref(at, *pick))
    close(ours(np.nextafter(at, 2.0), *pick), ref(np.nextafter(at, 2.0), *pick))
    for q in (0.0, 0.3, 1.0, 0.9999):
        close(ours(q, *pick), ref(q, *pick))
    close(ours(0.3, *pick, **{"loc": 1}), ref(0.3, *pick, loc=1))
    with pytest.raises(TypeError, match="missing"):
        ours(0.3)


def test_discrete_quantiles_are_piecewise_constant():
    # a step function of q and of every parameter: derivative 0 (almost everywhere,
    # and wengert gives 0 at the steps too), in both modes; the values stay plain
    q = np.array([0.1, 0.5, 0.9])
    for name, shapes in DPOINTS:
        for m in ("ppf", "isf"):
            f = getattr(getattr(wst, name), m)
            np.testing.assert_array_equal(wg.elementwise_grad(lambda q: f(q, *shapes))(q), 0.0)
            n = len(shapes) + 1
            grads = wg.grad(lambda *a: wnp.sum(f(q, *a[:-1], loc=a[-1])),
                            argnums=tuple(range(n)))(*shapes, 1.0)
            assert all(g == 0.0 for g in grads), (name, m, grads)
            _, t = wg.jvp(lambda q: f(q, *shapes), (q,), (np.ones(3),))
            np.testing.assert_array_equal(t, 0.0)
            out = f(q, *shapes)
            assert type(out) is np.ndarray
            np.testing.assert_array_equal(out, getattr(getattr(st, name), m)(q, *shapes))


# ------------------------------------------------------------------ multivariate normal

rng = np.random.default_rng(0)
A = rng.normal(size=(3, 3))
COV = A @ A.T + 3 * np.eye(3)
MEAN = np.array([0.3, -1.0, 2.0])
XS = rng.normal(size=(4, 3))


@pytest.mark.parametrize("method", ["logpdf", "pdf"])
def test_mvn_values_match_scipy(method):
    ours, ref = getattr(wst.multivariate_normal, method), getattr(st.multivariate_normal, method)
    cases = [(XS, MEAN, COV), (XS[0], MEAN, COV), (XS[None, :1], MEAN, COV),
             (XS.reshape(2, 2, 3), MEAN, COV), (XS, None, COV), (XS, MEAN, 2.5),
             (XS, MEAN, np.array([1.0, 2.0, 0.5])), (np.array([0.3, 1.0, -2.0]), 1.0, 4.0),
             (0.7, None, 2.0), (np.array([[0.3], [1.2]]), [0.5], [[2.0]])]
    for x, m, c in cases:
        close(ours(x, m, c), ref(x, m, c))
        close(ours(x, mean=m, cov=c), ref(x, mean=m, cov=c))
    close(ours(XS[:, :1]), ref(XS[:, :1]))
    with pytest.raises(ValueError):  # points of length 3, a distribution of dimension 1
        ours(XS)
    # scipy reads the lower triangle: so does wengert
    skew = np.tril(COV) + np.triu(rng.normal(size=(3, 3)), 1)
    close(ours(XS, MEAN, skew), ref(XS, MEAN, skew))
    np.testing.assert_allclose(traced(ours, XS, MEAN, COV), ref(XS, MEAN, COV), rtol=RTOL)
    np.testing.assert_allclose(traced(lambda c: ours(XS, MEAN, c), COV), ref(XS, MEAN, COV),
                               rtol=RTOL)


def test_mvn_refuses_what_scipy_refuses():
    with pytest.raises(np.linalg.LinAlgError, match="positive definite"):
        wst.multivariate_normal.logpdf(XS, MEAN, np.diag([1.0, 1.0, 0.0]))
    with pytest.raises(ValueError, match="positive semidefinite"):
        wst.multivariate_normal.logpdf(XS, MEAN, np.diag([1.0, 1.0, -1.0]))
    with pytest.raises(ValueError, match="length 2"):
        wst.multivariate_normal.logpdf(XS, np.zeros(2), COV)
    with pytest.raises(ValueError):
        wst.multivariate_normal.logpdf(XS, MEAN, np.eye(2))


def test_mvn_derivatives():
    f = wst.multivariate_normal.logpdf
    wg.check_grads(f, **GRAD)(XS, MEAN, COV)
    wg.check_grads(wst.multivariate_normal.pdf, **GRAD)(XS[:2] * 0.3, MEAN * 0.3, COV)
    wg.check_grads(lambda x, s: f(x, None, s), **GRAD)(XS[0], 2.0)
    P = np.linalg.inv(COV)
    d = XS - MEAN
    gx, gm, gc = wg.grad(lambda x, m, c: wnp.sum(f(x, m, c)), argnums=(0, 1, 2))(XS, MEAN, COV)
    np.testing.assert_allclose(gx, -d @ P, rtol=1e-12)          # d/dx = -Sigma^-1 (x - mu)
    np.testing.assert_allclose(gm, (d @ P).sum(0), rtol=1e-12)  # d/dmu = Sigma^-1 (x - mu)
    # d/dSigma = (Sigma^-1 d d^T Sigma^-1 - Sigma^-1) / 2 per point, read (as numpy's
    # cholesky reads cov) from the lower triangle: off the diagonal both entries' sum
    full = 0.5 * sum(np.outer(P @ v, P @ v) - P for v in d)
    np.testing.assert_allclose(gc, np.tril(full + full.T, -1) + np.diag(np.diag(full)),
                               rtol=1e-12, atol=1e-14)


# ------------------------------------------------------------------ dirichlet

ALPHA = np.array([0.7, 2.0, 3.5])
XD = np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]]).T  # each column a point


@pytest.mark.parametrize("method", ["logpdf", "pdf"])
def test_dirichlet_values_match_scipy(method):
    ours, ref = getattr(wst.dirichlet, method), getattr(st.dirichlet, method)
    for x in (XD, XD[:, 0], XD[:2], XD[:2, 0], XD[:, :1], np.array([0.0, 0.4, 0.6])[:, None]):
        a = ALPHA if x[0].all() else np.array([1.5, 2.0, 3.5])
        close(ours(x, a), ref(x, a))
    np.testing.assert_allclose(traced(ours, XD, ALPHA), ref(XD, ALPHA), rtol=RTOL)
    np.testing.assert_allclose(traced(lambda a: ours(XD, a), ALPHA), ref(XD, ALPHA), rtol=RTOL)


def test_dirichlet_refuses_what_scipy_refuses():
    for x, a in ((XD, -ALPHA), (XD, ALPHA[:, None]), (XD[:1], ALPHA),
                 (np.array([-0.1, 0.5, 0.6]), ALPHA), (np.array([0.0, 0.4, 0.6]), ALPHA),
                 (np.array([0.3, 0.3, 0.3]), ALPHA), (np.array([1.2, -0.2]), ALPHA)):
        with pytest.raises(ValueError) as ours:
            wst.dirichlet.logpdf(x, a)
        with pytest.raises(ValueError) as ref:
            st.dirichlet.logpdf(x, a)
        assert str(ours.value) == str(ref.value)


def test_dirichlet_derivatives():
    wg.check_grads(wst.dirichlet.logpdf, **GRAD)(XD[:2], ALPHA)
    wg.check_grads(wst.dirichlet.pdf, **GRAD)(XD[:2, 0], ALPHA)
    g = wg.grad(wst.dirichlet.logpdf, argnums=1)(XD[:, 0], ALPHA)
    np.testing.assert_allclose(g, np.log(XD[:, 0]) + sc.digamma(ALPHA.sum()) - sc.digamma(ALPHA),
                               rtol=1e-13)
    # with k - 1 coordinates the last is 1 - their sum
    g = wg.grad(wst.dirichlet.logpdf)(XD[:2, 0], ALPHA)
    np.testing.assert_allclose(g, (ALPHA[:2] - 1) / XD[:2, 0] - (ALPHA[2] - 1) / XD[2, 0],
                               rtol=1e-13)


# ------------------------------------------------------------------ multinomial


@pytest.mark.parametrize("method", ["logpmf", "pmf"])
def test_multinomial_values_match_scipy(method):
    ours, ref = getattr(wst.multinomial, method), getattr(st.multinomial, method)
    p = np.array([0.2, 0.3, 0.5])
    x = np.array([[1, 2, 3], [0, 0, 6], [1, 1, 1], [-1, 3, 4], [1.5, 1.5, 3], [6, 0, 0]])
    for args in ((x, 6, p), (x[0], 6, p), (x, np.array([[6], [5]]), p),
                 (x, 6, np.array([[0.2, 0.3, 0.5], [0.0, 0.5, 0.5], [0.3, 0.3, 1.2],
                                  [0.5, 0.7, -0.2]])[:, None]),
                 (x[:2], -1, p), (x[1], 6, np.array([0.0, 0.4, 0.6]))):
        close(ours(*args), ref(*args))
    with pytest.warns(FutureWarning):  # scipy warns when it adjusts p
        ref(x, 6, np.array([0.2, 0.3, 0.4]))
    close(ours(x, 6, np.array([0.2, 0.3, 0.4])), ref(x, 6, np.array([0.2, 0.3, 0.4])))
    np.testing.assert_allclose(traced(lambda p: ours(x, 6, p), p), ref(x, 6, p), rtol=RTOL)


def test_multinomial_derivatives():
    x = np.array([[1, 2, 3], [0, 0, 6], [4, 1, 1]])
    theta = np.array([0.3, -0.2, 0.5])
    for f in (wst.multinomial.logpmf, wst.multinomial.pmf):
        wg.check_grads(lambda t: f(x, 6, wnp.exp(t) / wnp.sum(wnp.exp(t))), **GRAD)(theta)
    # d/dp_j of log P = x_j / p_j, with p's last entry 1 - the others' sum when the
    # entries do not sum to 1 (as scipy reads them)
    p = np.array([0.2, 0.3, 0.5])
    np.testing.assert_allclose(wg.grad(lambda p: wst.multinomial.logpmf(x[0], 6, p))(p),
                               x[0] / p, rtol=1e-14)


# ------------------------------------------------------------------ autograd


def test_against_autograd():
    ag = pytest.importorskip("autograd")
    ast = pytest.importorskip("autograd.scipy.stats")
    x = np.array([0.4, 1.1, 2.6])

    def both(ours, theirs, args, argnums):
        for i in argnums:
            g = wg.grad(lambda *a: wnp.sum(ours(*a)), argnums=i)(*args)
            h = ag.grad(lambda *a: ag.numpy.sum(theirs(*a)), argnum=i)(*args)
            np.testing.assert_allclose(g, h, rtol=1e-10, atol=1e-14)

    for m in ("logpdf", "pdf", "cdf", "logcdf"):
        both(getattr(wst.norm, m), getattr(ast.norm, m), (x, 0.3, 1.7), (0, 1, 2))
    both(wst.t.logpdf, ast.t.logpdf, (x, 3.5, 0.3, 1.7), (0, 1, 2, 3))
    both(wst.t.cdf, ast.t.cdf, (x, 3.5, 0.3, 1.7), (0, 2))  # autograd: x and loc only
    both(wst.gamma.logpdf, ast.gamma.logpdf, (x, 2.5), (0, 1))
    both(wst.beta.logpdf, ast.beta.logpdf, (x / 3, 2.0, 3.5), (0, 1, 2))
    both(wst.chi2.logpdf, ast.chi2.logpdf, (x, 3.0), (0,))
    k = np.array([0.0, 2.0, 5.0])
    both(wst.poisson.logpmf, ast.poisson.logpmf, (k, 2.5), (1,))
    both(wst.poisson.cdf, ast.poisson.cdf, (k, 2.5), (1,))
    both(wst.dirichlet.logpdf, ast.dirichlet.logpdf, (XD[:, 0], ALPHA), (0, 1))
    both(wst.multivariate_normal.logpdf, ast.multivariate_normal.logpdf, (XS, MEAN, COV), (0, 1))
    g = wg.grad(lambda c: wnp.sum(wst.multivariate_normal.logpdf(XS, MEAN, c)))(COV)
    h = ag.grad(lambda c: ag.numpy.sum(ast.multivariate_normal.logpdf(XS, MEAN, c)))(COV)
    # autograd's is the symmetric gradient; wengert's is that of the lower-triangle reading
    np.testing.assert_allclose(g, np.tril(h + h.T, -1) + np.diag(np.diag(h)), rtol=1e-10,
                               atol=1e-14)
