"""The rest of wengert.scipy.special: the gamma and beta families, the incomplete
gamma and beta functions and their inverses, the normal distribution's inverses,
softmax, the x log y family and the Bessel functions. Values against scipy, derivatives against closed
forms, against scipy's own derivative functions (ivp, jvp, yvp) and against HIPS
autograd where it has the function; the refusals (derivatives with no exact rule,
bad input, scipy missing). check_grads at order 2 in both modes runs on every
primitive in tests/rules/specs_special_more.py."""

import math
import sys

import numpy as np
import pytest

import wengert as wg
import wengert.scipy.special as wsp

sc = pytest.importorskip("scipy.special")
st = pytest.importorskip("scipy.stats")

rng = np.random.default_rng(1)
EULER = 0.5772156649015329

# ------------------------------------------------------------------ values

POS = np.array([0.3, 1.7, 4.2, 9.5])
REAL = np.array([-3.5, -0.7, 0.4, 2.2, 6.0])
UNIT = np.array([0.02, 0.3, 0.5, 0.77, 0.98])

# name, arguments (the last one varies); every one is compared with scipy
VALUES = [
    ("gamma", (np.array([-2.5, -0.5, 0.3, 1.0, 4.5, 30.0]),)),
    ("rgamma", (np.array([-3.0, -2.5, -0.5, 0.0, 0.3, 4.5, 200.0]),)),
    ("gammasgn", (np.array([-2.5, -1.5, -0.5, 0.5, 3.0]),)),
    ("beta", (POS[:, None], POS)),
    ("betaln", (POS[:, None], POS * 10)),
    ("betainc", (2.5, np.array([[0.7], [3.0]]), UNIT)),
    ("gammainc", (POS[:, None], POS)),
    ("gammaincc", (POS[:, None], POS)),
    ("gammaincinv", (POS[:, None], np.array([0.0, 1e-300, 1e-9, 0.3, 0.5, 0.98, 1.0]))),
    ("gammainccinv", (POS[:, None], np.array([0.0, 1e-300, 1e-9, 0.3, 0.5, 0.98, 1.0]))),
    ("betaincinv", (POS[:, None, None], np.array([[0.7], [3.0]]),
                    np.array([0.0, 1e-200, 1e-9, 0.3, 0.5, 0.98, 1.0]))),
    ("betainccinv", (POS[:, None, None], np.array([[0.7], [3.0]]),
                     np.array([0.0, 1e-200, 1e-9, 0.3, 0.5, 0.98, 1.0]))),
    ("erfcinv", (np.array([1e-10, 0.1, 1.0, 1.5, 1.999]),)),
    ("log_ndtr", (np.array([-40.0, -5.0, -0.3, 0.0, 2.0, 9.0]),)),
    ("ndtri", (np.array([1e-12, 0.01, 0.5, 0.75, 0.999]),)),
    ("xlogy", (REAL[:, None], np.array([0.0, 0.5, 3.0]))),
    ("xlog1py", (REAL[:, None], np.array([-0.5, 0.0, 3.0]))),
    ("entr", (np.array([-1.0, 0.0, 1e-300, 0.5, 1.0, 4.0]),)),
    ("i0", (REAL,)), ("i1", (REAL,)), ("i0e", (REAL * 100,)), ("i1e", (REAL * 100,)),
    ("iv", (np.array([[0.0], [1.0], [2.5]]), POS)),
    ("iv", (np.array([[0.0], [1.0], [3.0]]), REAL)),
    ("ive", (np.array([[0.0], [1.0], [2.5]]), POS * 100)),
    ("j0", (REAL,)), ("j1", (REAL,)), ("jn", (np.array([[0], [1], [4]]), REAL)),
    ("y0", (POS,)), ("y1", (POS,)), ("yn", (np.array([[0], [1], [4]]), POS)),
]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name, args", VALUES, ids=[f"{n}-{i}" for i, (n, _) in
                                                   enumerate(VALUES)])
def test_values_match_scipy(name, args):
    want = getattr(sc, name)(*args)
    got = getattr(wsp, name)(*args)
    assert np.shape(got) == np.shape(want)
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)
    # one element at a time, as Python floats (the scalar paths)
    for point in zip(*(np.ravel(v) for v in np.broadcast_arrays(*args))):
        point = [float(p) for p in point]
        np.testing.assert_allclose(getattr(wsp, name)(*point), getattr(sc, name)(*point),
                                   rtol=1e-14, atol=0)


def test_python_floats_stay_python_floats():
    # where the math module (or plain arithmetic) has the function
    for f, x in [(wsp.gamma, 2.5), (wsp.rgamma, 2.5), (wsp.xlogy, (2.0, 3.0)),
                 (wsp.xlog1py, (2.0, 3.0)), (wsp.entr, 0.5), (wsp.softmax, 2.0),
                 (wsp.log_softmax, 2.0), (wsp.multigammaln, (3.0, 2))]:
        out = f(*x) if isinstance(x, tuple) else f(x)
        assert type(out) is float, (f, type(out))


@pytest.mark.parametrize("d", [1, 2, 3, 5])
def test_multigammaln_matches_scipy(d):
    a = np.array([3.1, 4.0, 7.5])
    np.testing.assert_allclose(wsp.multigammaln(a, d), sc.multigammaln(a, d), rtol=1e-14)
    assert wsp.multigammaln(3.1, d) == pytest.approx(float(sc.multigammaln(3.1, d)),
                                                     rel=1e-14)


@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 1)])
def test_softmax_and_log_softmax_match_scipy(axis):
    x = rng.standard_normal((3, 4)) * 30
    np.testing.assert_allclose(wsp.softmax(x, axis=axis), sc.softmax(x, axis=axis),
                               rtol=1e-14, atol=0)
    np.testing.assert_allclose(wsp.log_softmax(x, axis=axis), sc.log_softmax(x, axis=axis),
                               rtol=1e-14, atol=0)
    assert wsp.softmax(x.tolist(), axis=axis).shape == x.shape


def test_softmax_extremes():
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        np.testing.assert_array_equal(wsp.softmax(np.array([1000.0, 1000.0])), [0.5, 0.5])
        np.testing.assert_allclose(wsp.log_softmax(np.array([1000.0, 0.0])), [0.0, -1000.0])
    np.testing.assert_array_equal(wsp.log_softmax(np.array([-np.inf, 0.0])), [-np.inf, 0.0])
    assert wsp.softmax(np.float32([1.0, 2.0])).dtype == np.float32


def test_xlogy_at_zero():
    assert wsp.xlogy(0.0, 0.0) == 0.0 and wsp.xlog1py(0.0, -1.0) == 0.0
    np.testing.assert_array_equal(wsp.xlogy(np.zeros(3), np.array([0.0, 2.0, -1.0])), 0.0)
    assert np.isnan(wsp.xlogy(0.0, np.nan)) and np.isnan(wsp.xlogy(1.0, -1.0))
    assert wsp.entr(0.0) == 0.0 and wsp.entr(-1.0) == -np.inf


# ------------------------------------------------------------------ closed forms

def _d(f, order=1):
    return wg.elementwise_grad(f) if order == 1 else _d(wg.elementwise_grad(f), order - 1)


def test_gamma_derivatives():
    x = np.array([-1.5, 0.3, 1.0, 4.5])
    np.testing.assert_allclose(_d(wsp.gamma)(x), sc.gamma(x) * sc.digamma(x), rtol=1e-13)
    np.testing.assert_allclose(_d(wsp.gamma, 2)(x), sc.gamma(x) * (
        sc.digamma(x) ** 2 + sc.polygamma(1, x)), rtol=1e-12)
    assert wg.grad(wsp.gamma)(2.0) == pytest.approx(1.0 - EULER, rel=1e-14)
    np.testing.assert_allclose(_d(wsp.rgamma)(x), -sc.digamma(x) / sc.gamma(x), rtol=1e-13)


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_rgamma_derivatives_at_the_poles(n):
    # 1/Gamma is entire: at -n its derivative is (-1)^n n!, and at 0 the second is 2 gamma
    want = (-1) ** n * math.factorial(n)
    assert wg.grad(wsp.rgamma)(-float(n)) == pytest.approx(want, rel=1e-14)
    np.testing.assert_allclose(_d(wsp.rgamma)(np.array([-float(n)])), [want], rtol=1e-14)
    _, t = wg.jvp(wsp.rgamma, (-float(n),), (1.0,))
    assert t == pytest.approx(want, rel=1e-14)
    wg.check_grads(wsp.rgamma, order=2)(-float(n))
    if n == 0:
        assert wg.derivative(wsp.rgamma, order=2)(0.0) == pytest.approx(2 * EULER, rel=1e-13)


def test_gammasgn_is_a_plain_constant():
    # piecewise constant: a product with it differentiates as with a number
    assert wg.grad(lambda x: wsp.gammasgn(x) * x)(-0.5) == -1.0
    out = wsp.gammasgn(np.array([-0.5, 2.0]))
    assert isinstance(out, np.ndarray) and list(out) == [-1.0, 1.0]


def test_beta_family_derivatives():
    a, b = np.array([0.5, 2.0, 7.0]), np.array([1.5, 0.8, 3.0])
    ga, gb = wg.grad(lambda a, b: np.sum(wsp.betaln(a, b)), argnums=(0, 1))(a, b)
    np.testing.assert_allclose(ga, sc.digamma(a) - sc.digamma(a + b), rtol=1e-13)
    np.testing.assert_allclose(gb, sc.digamma(b) - sc.digamma(a + b), rtol=1e-13)
    ga = wg.elementwise_grad(lambda a: wsp.beta(a, b))(a)
    np.testing.assert_allclose(ga, sc.beta(a, b) * (sc.digamma(a) - sc.digamma(a + b)),
                               rtol=1e-13)
    # d/dx of the regularized incomplete beta function is the beta density
    x = np.array([0.0, 0.1, 0.5, 0.93])
    np.testing.assert_allclose(wg.elementwise_grad(lambda x: wsp.betainc(a[:, None], 1.0, x))(x),
                               np.sum(st.beta.pdf(x, a[:, None], 1.0), axis=0), rtol=1e-12)
    np.testing.assert_allclose(_d(lambda x: wsp.betainc(2.5, 1.5, x), 2)(x[1:]),
                               st.beta.pdf(x[1:], 2.5, 1.5) * (1.5 / x[1:] - 0.5 / (1 - x[1:])),
                               rtol=1e-12)


def test_gammainc_derivatives():
    a, x = np.array([0.5, 1.0, 3.5]), np.array([0.2, 1.0, 6.0])
    np.testing.assert_allclose(wg.elementwise_grad(lambda x: wsp.gammainc(a, x))(x),
                               st.gamma.pdf(x, a), rtol=1e-13)
    np.testing.assert_allclose(wg.elementwise_grad(lambda x: wsp.gammaincc(a, x))(x),
                               -st.gamma.pdf(x, a), rtol=1e-13)
    assert wg.grad(lambda x: wsp.gammainc(1.0, x))(0.0) == 1.0  # e^-x at 0


def test_multigammaln_derivative():
    a = np.array([2.1, 4.0])
    want = sum(sc.digamma(a - j / 2) for j in range(3))
    np.testing.assert_allclose(wg.elementwise_grad(lambda a: wsp.multigammaln(a, 3))(a), want,
                               rtol=1e-13)
    wg.check_grads(lambda a: wsp.multigammaln(a, 3), order=2)(a)


def test_normal_inverses_derivatives():
    x = np.array([-30.0, -2.0, 0.0, 1.5, 8.0])
    np.testing.assert_allclose(_d(wsp.log_ndtr)(x), np.exp(st.norm.logpdf(x) - sc.log_ndtr(x)),
                               rtol=1e-12)
    # far in the tails: h = pdf / cdf and the second derivative -h (x + h), no overflow
    x = np.array([-40.0, -30.0, 9.0])
    h = np.exp(st.norm.logpdf(x) - sc.log_ndtr(x))
    with np.errstate(all="raise"):
        np.testing.assert_allclose(_d(wsp.log_ndtr)(x), h, rtol=1e-13)
        np.testing.assert_allclose(_d(wsp.log_ndtr, 2)(x), -h * (x + h), rtol=1e-9)
    p = np.array([1e-8, 0.2, 0.5, 0.9])
    np.testing.assert_allclose(_d(wsp.ndtri)(p), 1 / st.norm.pdf(sc.ndtri(p)), rtol=1e-12)
    # ndtri inverts ndtr: the chain rule gives 1
    np.testing.assert_allclose(_d(lambda p: wsp.ndtr(wsp.ndtri(p)))(p[1:]), 1.0, rtol=1e-12)
    y = np.array([0.05, 1.0, 1.7])
    np.testing.assert_allclose(_d(wsp.erfcinv)(y), -math.sqrt(math.pi) / 2 * np.exp(
        sc.erfcinv(y) ** 2), rtol=1e-13)
    np.testing.assert_allclose(_d(lambda y: wsp.erfc(wsp.erfcinv(y)))(y), 1.0, rtol=1e-12)


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_softmax_jacobian_is_diag_s_minus_s_sT(axis):
    x = rng.standard_normal((2, 3))
    s = sc.softmax(x, axis=axis).ravel()
    # which group (reduced together) each of the 6 entries falls in
    group = {None: np.zeros((2, 3), int), 0: np.broadcast_to(np.arange(3), (2, 3)),
             1: np.broadcast_to(np.arange(2)[:, None], (2, 3))}[axis].ravel()
    same = group[:, None] == group[None, :]
    for jac in (wg.jacfwd, wg.jacrev):
        J = jac(lambda x: wsp.softmax(x, axis=axis))(x).reshape(6, 6)
        L = jac(lambda x: wsp.log_softmax(x, axis=axis))(x).reshape(6, 6)
        np.testing.assert_allclose(J, np.where(same, np.diag(s) - np.outer(s, s), 0.0),
                                   atol=1e-15)
        np.testing.assert_allclose(L, np.where(same, np.eye(6) - s[None, :], 0.0),
                                   atol=1e-15)


def test_xlogy_derivatives():
    x, y = np.array([0.0, 2.0, -1.5]), np.array([0.0, 3.0, 0.5])
    gx, gy = wg.grad(lambda x, y: np.sum(wsp.xlogy(x, y)), argnums=(0, 1))(x[1:], y[1:])
    np.testing.assert_allclose(gx, np.log(y[1:]), rtol=1e-15)
    np.testing.assert_allclose(gy, x[1:] / y[1:], rtol=1e-15)
    # at x = 0 the function is 0 for every y: its derivative in y is 0, also at y = 0
    for y0 in (0.0, 2.0):
        assert wg.grad(wsp.xlogy, argnums=1)(0.0, y0) == 0.0
        assert wg.derivative(lambda y: wsp.xlogy(0.0, y), order=2)(y0) == 0.0
        assert wg.grad(wsp.xlog1py, argnums=1)(0.0, y0 - 1.0) == 0.0
        _, t = wg.jvp(lambda y: wsp.xlogy(0.0, y), (y0,), (1.0,))
        assert t == 0.0
    np.testing.assert_array_equal(wg.elementwise_grad(lambda y: wsp.xlogy(0.0, y))(y), 0.0)
    np.testing.assert_allclose(wg.grad(wsp.xlog1py)(2.0, 0.5), math.log1p(0.5), rtol=1e-15)
    np.testing.assert_allclose(_d(wsp.entr)(np.array([0.5, 2.0])), -np.log([0.5, 2.0]) - 1,
                               rtol=1e-15)
    with np.errstate(divide="ignore"):
        assert wg.grad(wsp.entr)(0.0) == np.inf  # numpy's answer, as a Python float too


BESSEL_X = np.array([-4.5, -0.8, 0.6, 3.0, 11.0])


@pytest.mark.parametrize("v", [0, 1, 2, 3.5])
def test_bessel_i_derivatives_match_ivp(v):
    x = BESSEL_X if float(v).is_integer() else np.abs(BESSEL_X)
    for order in (1, 2):
        np.testing.assert_allclose(_d(lambda x: wsp.iv(v, x), order)(x), sc.ivp(v, x, order),
                                   rtol=1e-12)
        # ive = iv exp(-|x|); d ive = (ivp - sign(x) iv) exp(-|x|)
    np.testing.assert_allclose(_d(lambda x: wsp.ive(v, x))(x),
                               (sc.ivp(v, x) - np.sign(x) * sc.iv(v, x)) * np.exp(-np.abs(x)),
                               rtol=1e-12)
    if v in (0, 1):
        f, fe = getattr(wsp, f"i{v}"), getattr(wsp, f"i{v}e")
        for order in (1, 2):
            np.testing.assert_allclose(_d(f, order)(x), sc.ivp(v, x, order), rtol=1e-12)
        np.testing.assert_allclose(_d(fe)(x), _d(lambda x: wsp.ive(v, x))(x), rtol=1e-13)
    assert wg.grad(wsp.i0)(0.0) == 0.0 and wg.grad(wsp.i1)(0.0) == 0.5


@pytest.mark.parametrize("n", [0, 1, 2, 5])
def test_bessel_j_y_derivatives_match_jvp_yvp(n):
    x = BESSEL_X
    for order in (1, 2):
        np.testing.assert_allclose(_d(lambda x: wsp.jn(n, x), order)(x), sc.jvp(n, x, order),
                                   rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(_d(lambda x: wsp.yn(n, np.abs(x)), order)(np.abs(x)),
                                   sc.yvp(n, np.abs(x), order), rtol=1e-12)
    if n in (0, 1):
        for order in (1, 2):
            np.testing.assert_allclose(_d(getattr(wsp, f"j{n}"), order)(x), sc.jvp(n, x, order),
                                       rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(_d(getattr(wsp, f"y{n}"), order)(np.abs(x)),
                                       sc.yvp(n, np.abs(x), order), rtol=1e-12)
    assert wg.grad(wsp.j0)(0.0) == 0.0


def test_bessel_order_broadcasts():
    v = np.array([[0.0], [1.0], [2.0]])
    x = np.array([0.5, 1.5])
    g = wg.grad(lambda x: np.sum(wsp.iv(v, x)))(x)
    np.testing.assert_allclose(g, np.sum(sc.ivp(v, x), axis=0), rtol=1e-13)
    _, t = wg.jvp(lambda x: wsp.jn(np.array([[0], [3]]), x), (x,), (np.ones(2),))
    np.testing.assert_allclose(t, sc.jvp(np.array([[0], [3]]), x), rtol=1e-13)


# ------------------------------------------------------------------ logsumexp's sign

@pytest.mark.parametrize("axis", [None, 0, 1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_logsumexp_return_sign_matches_scipy(axis, keepdims):
    a = rng.standard_normal((3, 4))
    b = rng.uniform(-2.0, 1.0, (3, 4))
    out, sign = wsp.logsumexp(a, axis=axis, b=b, keepdims=keepdims, return_sign=True)
    want, want_sign = sc.logsumexp(a, axis=axis, b=b, keepdims=keepdims, return_sign=True)
    assert np.shape(out) == np.shape(want) and np.shape(sign) == np.shape(want_sign)
    np.testing.assert_allclose(out, want, rtol=1e-13)
    np.testing.assert_array_equal(sign, want_sign)
    out, sign = wsp.logsumexp(a, axis=axis, keepdims=keepdims, return_sign=True)
    np.testing.assert_array_equal(sign, 1.0)


def test_logsumexp_return_sign_special_values():
    assert wsp.logsumexp([0.0, 0.0], b=[1.0, -1.0], return_sign=True) == (-np.inf, 0.0)
    out, sign = wsp.logsumexp(2.0, return_sign=True)
    assert (out, sign) == (2.0, 1.0) and type(out) is float and type(sign) is float
    out, sign = wsp.logsumexp([1.0, 2.0], b=[1.0, -2.0], return_sign=True)
    assert sign == -1.0
    assert out == pytest.approx(math.log(2 * math.e ** 2 - math.e), rel=1e-15)


def test_logsumexp_return_sign_derivatives():
    # out = log|S|, S = sum b e^a: d out / d a = b e^a / S, d out / d b = e^a / S
    a = rng.standard_normal(4)
    b = np.array([1.0, -3.0, 0.5, -0.2])
    S = np.sum(b * np.exp(a))
    ga, gb = wg.grad(lambda a, b: wsp.logsumexp(a, b=b, return_sign=True)[0],
                     argnums=(0, 1))(a, b)
    np.testing.assert_allclose(ga, b * np.exp(a) / S, rtol=1e-13)
    np.testing.assert_allclose(gb, np.exp(a) / S, rtol=1e-13)
    _, t = wg.jvp(lambda a: wsp.logsumexp(a, b=b, return_sign=True)[0], (a,), (np.ones(4),))
    assert t == pytest.approx(np.sum(b * np.exp(a)) / S, rel=1e-13)
    wg.check_grads(lambda a, b: wsp.logsumexp(a, b=b, axis=0, return_sign=True)[0],
                   order=2)(rng.standard_normal((3, 2)), np.array([[1.0], [-2.0], [0.5]]))


# ------------------------------------------------------------------ against autograd

AG_UNARY = [("gamma", POS), ("rgamma", REAL), ("gammaln", POS), ("erfcinv", UNIT * 1.5),
            ("i0", REAL), ("i1", REAL), ("j0", REAL), ("j1", REAL), ("y0", POS),
            ("y1", POS)]


@pytest.mark.parametrize("name, x", AG_UNARY, ids=[n for n, _ in AG_UNARY])
def test_unary_derivatives_match_autograd(name, x):
    ag = pytest.importorskip("autograd")
    asp = pytest.importorskip("autograd.scipy.special")
    want = ag.elementwise_grad(getattr(asp, name))(x)
    np.testing.assert_allclose(wg.elementwise_grad(getattr(wsp, name))(x), want, rtol=1e-12)


AG_ORDERED = [("iv", 1.5, POS), ("iv", 2, REAL), ("ive", 1.5, POS), ("ive", 2, REAL),
              ("jn", 3, REAL), ("yn", 2, POS), ("gammainc", 2.5, POS), ("gammaincc", 2.5, POS),
              ("multigammaln", None, POS + 2)]


@pytest.mark.parametrize("name, c, x", AG_ORDERED, ids=[f"{n}-{c}" for n, c, _ in AG_ORDERED])
def test_derivatives_with_a_constant_match_autograd(name, c, x):
    ag = pytest.importorskip("autograd")
    asp = pytest.importorskip("autograd.scipy.special")
    if name == "multigammaln":
        want = ag.elementwise_grad(lambda x: asp.multigammaln(x, 3))(x)
        got = wg.elementwise_grad(lambda x: wsp.multigammaln(x, 3))(x)
    else:
        want = ag.elementwise_grad(lambda x: getattr(asp, name)(c, x))(x)
        got = wg.elementwise_grad(lambda x: getattr(wsp, name)(c, x))(x)
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_beta_family_matches_autograd():
    ag = pytest.importorskip("autograd")
    asp = pytest.importorskip("autograd.scipy.special")
    a, b = np.array([0.5, 2.0, 7.0]), np.array([1.5, 0.8, 3.0])
    for name in ("beta", "betaln"):
        for k in (0, 1):
            want = ag.grad(lambda a, b: ag.numpy.sum(getattr(asp, name)(a, b)), k)(a, b)
            got = wg.grad(lambda a, b: np.sum(getattr(wsp, name)(a, b)), argnums=k)(a, b)
            np.testing.assert_allclose(got, want, rtol=1e-12)
    x = np.array([0.1, 0.5, 0.9])
    want = ag.elementwise_grad(lambda x: asp.betainc(a, b, x))(x)
    np.testing.assert_allclose(wg.elementwise_grad(lambda x: wsp.betainc(a, b, x))(x), want,
                               rtol=1e-12)


def test_logsumexp_matches_autograd():
    ag = pytest.importorskip("autograd")
    asp = pytest.importorskip("autograd.scipy.special")
    a, b = rng.standard_normal((2, 3)), rng.uniform(0.5, 2.0, (2, 3))
    want = ag.grad(lambda a: ag.numpy.sum(asp.logsumexp(a, axis=1, b=b) ** 2))(a)
    got = wg.grad(lambda a: np.sum(wsp.logsumexp(a, axis=1, b=b) ** 2))(a)
    np.testing.assert_allclose(got, want, rtol=1e-13)


def test_incomplete_inverses_derivatives():
    # an inverse's derivative is 1 over the function's derivative at the inverse: the
    # density, with the sign of the function (the upper functions decrease); the second
    # derivative is -f'(x) / f(x)^3 with f that derivative
    a, y = np.array([0.4, 1.0, 3.5, 40.0]), np.array([1e-6, 0.2, 0.5, 0.97])
    x = sc.gammaincinv(a, y)
    pdf = st.gamma.pdf(x, a)
    np.testing.assert_allclose(_d(lambda y: wsp.gammaincinv(a, y))(y), 1 / pdf, rtol=1e-12)
    np.testing.assert_allclose(_d(lambda y: wsp.gammaincinv(a, y), 2)(y),
                               -((a - 1) / x - 1) / pdf ** 2, rtol=1e-11)
    xc = sc.gammainccinv(a, y)
    pdfc = st.gamma.pdf(xc, a)
    np.testing.assert_allclose(_d(lambda y: wsp.gammainccinv(a, y))(y), -1 / pdfc, rtol=1e-12)
    np.testing.assert_allclose(_d(lambda y: wsp.gammainccinv(a, y), 2)(y),
                               -((a - 1) / xc - 1) / pdfc ** 2, rtol=1e-11)
    b = np.array([2.0, 0.6, 1.0, 7.5])
    for f, sign in ((sc.betaincinv, 1), (sc.betainccinv, -1)):
        x = f(a, b, y)
        pdf = st.beta.pdf(x, a, b)
        w = getattr(wsp, f.__name__)
        np.testing.assert_allclose(_d(lambda y: w(a, b, y))(y), sign / pdf, rtol=1e-12)
        np.testing.assert_allclose(_d(lambda y: w(a, b, y), 2)(y),
                                   -((a - 1) / x - (b - 1) / (1 - x)) / pdf ** 2, rtol=1e-10)
    # composed with the function they invert, the chain rule gives 1 (and 0 next)
    a, b = 2.5, 0.8
    for f, inv, args in ((wsp.gammainc, wsp.gammaincinv, (a,)),
                         (wsp.gammaincc, wsp.gammainccinv, (a,)),
                         (wsp.betainc, wsp.betaincinv, (a, b)),
                         (lambda a, b, x: 1 - wsp.betainc(a, b, x), wsp.betainccinv, (a, b))):
        np.testing.assert_allclose(_d(lambda y: f(*args, inv(*args, y)))(y), 1.0, rtol=1e-10)
        np.testing.assert_allclose(_d(lambda y: f(*args, inv(*args, y)), 2)(y[1:]), 0.0,
                                   atol=1e-8)
    # exponential (a = 1): x = -log(1 - y), dx/dy = 1 / (1 - y), in both modes
    assert wg.grad(lambda y: wsp.gammaincinv(1.0, y))(0.75) == pytest.approx(4.0, rel=1e-13)
    _, t = wg.jvp(lambda y: wsp.gammainccinv(1.0, y), (0.25,), (1.0,))
    assert t == pytest.approx(-4.0, rel=1e-13)
    # uniform (a = b = 1): the identity
    assert wg.derivative(lambda y: wsp.betaincinv(1.0, 1.0, y))(0.3) == pytest.approx(1.0)
    wg.check_grads(lambda y: wsp.betaincinv(a, b, y), modes=("fwd", "rev"), order=2)(y[1:])


def test_incomplete_inverses_at_the_ends():
    # at y = 0 and 1 the inverses reach the ends of the support: the density there is 0
    # or infinite, so the derivative is infinite or 0 (never nan), as 1 / density says
    with np.errstate(divide="ignore"):
        assert wg.grad(lambda y: wsp.gammaincinv(2.0, y))(0.0) == np.inf   # density 0
        assert wg.grad(lambda y: wsp.gammaincinv(0.5, y))(0.0) == 0.0      # density inf
        assert wg.grad(lambda y: wsp.gammaincinv(1.0, y))(0.0) == 1.0      # density 1
        assert wg.grad(lambda y: wsp.betaincinv(2.0, 3.0, y))(1.0) == np.inf
        assert wg.grad(lambda y: wsp.betainccinv(0.5, 0.5, y))(1.0) == 0.0


# ------------------------------------------------------------------ refusals

@pytest.mark.parametrize("name, args, which, pos", [
    ("betainc", (2.0, 3.0, 0.4), "a", 0), ("betainc", (2.0, 3.0, 0.4), "b", 1),
    ("gammainc", (2.0, 0.4), "a", 0), ("gammaincc", (2.0, 0.4), "a", 0),
    ("gammaincinv", (2.0, 0.4), "a", 0), ("gammainccinv", (2.0, 0.4), "a", 0),
    ("betaincinv", (2.0, 3.0, 0.4), "a", 0), ("betaincinv", (2.0, 3.0, 0.4), "b", 1),
    ("betainccinv", (2.0, 3.0, 0.4), "a", 0), ("betainccinv", (2.0, 3.0, 0.4), "b", 1),
    ("iv", (1.5, 0.4), "v", 0), ("ive", (1.5, 0.4), "v", 0),
    ("jn", (1.0, 0.4), "n", 0), ("yn", (1.0, 0.4), "n", 0)])
def test_derivatives_with_no_exact_rule_are_refused(name, args, which, pos):
    f = getattr(wsp, name)
    with pytest.raises(NotImplementedError, match=rf"{name}.* {which} \(argument {pos}\).*"
                                                  r"reverse-mode"):
        wg.grad(f, argnums=pos)(*args)
    with pytest.raises(NotImplementedError, match=rf"{name}.* {which} \(argument {pos}\).*"
                                                  r"forward-mode"):
        wg.jvp(lambda t: f(*args[:pos], t, *args[pos + 1:]), (args[pos],), (1.0,))


def test_bad_input_is_refused():
    with pytest.raises(TypeError, match="logsumexp: return_sign=True.*complex"):
        wsp.logsumexp(np.array([1.0 + 1j, 2.0]), return_sign=True)
    with pytest.raises(TypeError, match="logsumexp: return_sign=True.*complex"):
        wsp.logsumexp(np.ones(2), b=np.array([1j, 1.0]), return_sign=True)
    with pytest.raises(ValueError, match=r"multigammaln.*a > \(d - 1\) / 2"):
        wsp.multigammaln(np.array([3.0, 0.9]), 3)
    with pytest.raises(ValueError, match="multigammaln.*positive integer"):
        wsp.multigammaln(3.0, 2.5)
    with pytest.raises(ValueError, match="multigammaln.*positive integer"):
        wsp.multigammaln(3.0, 0)
    for f in (wsp.softmax, wsp.log_softmax):
        with pytest.raises(np.exceptions.AxisError, match="softmax: axis 2"):
            f(np.ones((2, 3)), axis=2)


def test_without_scipy(monkeypatch):
    # scipy is an optional extra: what needs it says so; what does not keeps working
    for mod in [m for m in sys.modules if m == "scipy" or m.startswith("scipy.")]:
        monkeypatch.delitem(sys.modules, mod)
    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.setitem(sys.modules, "scipy.special", None)
    for call in (lambda: wsp.gamma(np.ones(2)), lambda: wsp.i0(1.0),
                 lambda: wsp.jn(1, np.ones(2)), lambda: wsp.betainc(1.0, 2.0, 0.5),
                 lambda: wsp.gammasgn(1.5), lambda: wsp.ndtri(0.3),
                 lambda: wsp.gammaincinv(1.0, 0.5), lambda: wsp.betainccinv(1.0, 2.0, 0.5)):
        with pytest.raises(ImportError, match=r"needs scipy.*pip install 'wengert\[scipy\]'"):
            call()
    assert wsp.gamma(5.0) == 24.0 and wsp.rgamma(5.0) == 1 / 24.0
    assert wsp.multigammaln(3.0, 2) == pytest.approx(1.5501949939575645, rel=1e-14)
    with pytest.raises(ImportError, match="digamma needs scipy"):  # gamma' = gamma digamma
        wg.grad(wsp.gamma)(3.0)
    np.testing.assert_allclose(wsp.xlogy(np.array([0.0, 2.0]), np.array([0.0, 3.0])),
                               [0.0, 2 * math.log(3.0)])
    np.testing.assert_allclose(wsp.softmax(np.zeros(2)), [0.5, 0.5])
    assert wsp.entr(np.array([1.0]))[0] == 0.0
    assert wsp.logsumexp(np.zeros(2), return_sign=True)[1] == 1.0


# ------------------------------------------------------------------ edges: floats as numpy

_EDGES = [("entr-at-0", wsp.entr, 0.0), ("xlogy-y-at-0", lambda y: wsp.xlogy(2.0, y), 0.0),
          ("xlogy-x-at-0-y-0", lambda x: wsp.xlogy(x, 0.0), 0.0),
          ("xlog1py-y-at-minus1", lambda y: wsp.xlog1py(2.0, y), -1.0),
          ("ndtri-at-0", wsp.ndtri, 0.0), ("ndtri-at-1", wsp.ndtri, 1.0),
          ("erfcinv-at-0", wsp.erfcinv, 0.0), ("erfcinv-at-2", wsp.erfcinv, 2.0),
          ("gamma-at-0", wsp.gamma, 0.0), ("gamma-at-minus-1", wsp.gamma, -1.0),
          ("gamma-overflow", wsp.gamma, 200.0), ("rgamma-overflow", wsp.rgamma, 200.0),
          ("rgamma-at-minus-3", wsp.rgamma, -3.0), ("log_ndtr-at-minus-inf", wsp.log_ndtr, -np.inf),
          ("log_ndtr-far", wsp.log_ndtr, -1e200), ("i0e-at-0", wsp.i0e, 0.0),
          ("ive-at-0", lambda x: wsp.ive(1.0, x), 0.0), ("y0-at-0", wsp.y0, 0.0),
          ("betainc-at-0", lambda x: wsp.betainc(0.5, 2.0, x), 0.0),
          ("betainc-at-1", lambda x: wsp.betainc(2.0, 0.5, x), 1.0),
          ("gammainc-at-0", lambda x: wsp.gammainc(0.5, x), 0.0),
          ("gammaincinv-at-0", lambda y: wsp.gammaincinv(2.0, y), 0.0),
          ("gammaincinv-at-1", lambda y: wsp.gammaincinv(2.0, y), 1.0),
          ("gammainccinv-at-0", lambda y: wsp.gammainccinv(0.5, y), 0.0),
          ("betaincinv-at-0", lambda y: wsp.betaincinv(0.5, 2.0, y), 0.0),
          ("betainccinv-at-1", lambda y: wsp.betainccinv(2.0, 3.0, y), 1.0),
          ("multigammaln-overflow", lambda a: wsp.multigammaln(a, 2), 1e308)]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("fun, x", [pytest.param(f, x, id=i) for i, f, x in _EDGES])
def test_float_edge_matches_0d_array(fun, x):
    """At a domain boundary a Python float gives what a 0-d array gives (numpy's inf or
    nan), value and derivatives, never a Python arithmetic error."""
    with np.errstate(all="ignore"):
        for order in (0, 1, 2):
            f = fun if order == 0 else wg.derivative(fun, order=order)
            want, got = f(np.asarray(x)), f(x)
            np.testing.assert_equal(np.asarray(got, dtype=float),
                                    np.asarray(want, dtype=float))
