"""wengert.scipy.special: logsumexp, expit and logit against closed forms (and
against scipy itself where it is installed), their derivatives, and the large
inputs that a naive formula overflows on."""

import math

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
import wengert.scipy
import wengert.scipy.special as wsp

rng = np.random.default_rng(0)


def _softmax(x, axis=None):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def test_package_imports_special():
    assert wengert.scipy.special is wsp


# ---------------------------------------------------------------- logsumexp values

@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_logsumexp_closed_form(axis, keepdims):
    x = rng.standard_normal((3, 4))
    expected = np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))
    out = wsp.logsumexp(x, axis=axis, keepdims=keepdims)
    assert np.shape(out) == np.shape(expected)
    np.testing.assert_allclose(out, expected, rtol=1e-13)


def test_logsumexp_scalars_and_lists():
    assert wsp.logsumexp(2.0) == 2.0
    assert type(wsp.logsumexp(2.0)) is float
    assert wsp.logsumexp([0.0, 0.0]) == pytest.approx(math.log(2.0), rel=1e-15)
    assert wsp.logsumexp([1, 2]) == pytest.approx(math.log(math.e + math.e ** 2), rel=1e-15)


def test_logsumexp_weights():
    x = rng.standard_normal((2, 3))
    b = rng.uniform(0.5, 2.0, (2, 3))
    np.testing.assert_allclose(wsp.logsumexp(x, b=b), np.log(np.sum(b * np.exp(x))),
                               rtol=1e-13)
    np.testing.assert_allclose(wsp.logsumexp(x, axis=1, b=b[0]),
                               np.log(np.sum(b[0] * np.exp(x), axis=1)), rtol=1e-13)
    # a zero weight removes its term, however large
    assert wsp.logsumexp(np.array([1e4, 0.0]), b=np.array([0.0, 1.0])) == 0.0
    with pytest.raises(ValueError, match="logsumexp: b of shape"):
        wsp.logsumexp(x, b=np.ones((4, 2, 3)))


def test_logsumexp_large_inputs_do_not_overflow():
    # an overflow, a division by zero or an invalid operation fails the test
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = wsp.logsumexp(np.array([1000.0, 1000.0]))
        assert out == pytest.approx(1000.0 + math.log(2.0), rel=1e-15)
        assert wsp.logsumexp(np.array([-1000.0, -1000.0])) == pytest.approx(
            -1000.0 + math.log(2.0), rel=1e-15)
        g = wg.grad(wsp.logsumexp)(np.array([1000.0, 1000.0]))
        # exp(x - ans) carries ans's rounding (one ulp of 1000, about 1e-13)
        np.testing.assert_allclose(g, [0.5, 0.5], rtol=1e-12)
        big = np.array([[1000.0, 999.0], [-1000.0, 5.0]])
        np.testing.assert_allclose(wsp.logsumexp(big, axis=1),
                                   [1000.0 + math.log1p(math.exp(-1.0)), 5.0], rtol=1e-15)


def test_logsumexp_infinities():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert wsp.logsumexp(np.array([-np.inf, -np.inf])) == -np.inf
        assert wsp.logsumexp(np.array([-np.inf, 0.0])) == 0.0
        assert wsp.logsumexp(np.array([np.inf, 0.0])) == np.inf
        assert wsp.logsumexp(np.zeros(0)) == -np.inf


def test_logsumexp_return_sign():
    # (log |sum|, sign); the full checks are in tests/test_scipy_special_more.py
    out, sign = wsp.logsumexp(np.ones(2), return_sign=True)
    assert out == pytest.approx(1.0 + math.log(2.0), rel=1e-15) and sign == 1.0
    with pytest.raises(TypeError, match="return_sign=True needs real a and b"):
        wsp.logsumexp(np.ones(2, dtype=complex), return_sign=True)


@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_logsumexp_matches_scipy(axis, keepdims):
    special = pytest.importorskip("scipy.special")
    x = rng.standard_normal((3, 4)) * 10
    b = rng.uniform(0.1, 2.0, (3, 4))
    np.testing.assert_allclose(wsp.logsumexp(x, axis=axis, keepdims=keepdims),
                               special.logsumexp(x, axis=axis, keepdims=keepdims),
                               rtol=1e-13)
    np.testing.assert_allclose(wsp.logsumexp(x, axis=axis, b=b, keepdims=keepdims),
                               special.logsumexp(x, axis=axis, b=b, keepdims=keepdims),
                               rtol=1e-13)


# ---------------------------------------------------------------- logsumexp derivatives

@pytest.mark.parametrize("axis", [None, 0, 1])
def test_logsumexp_gradient_is_softmax(axis):
    x = rng.standard_normal((3, 4))
    u = rng.standard_normal(np.shape(np.sum(x, axis=axis)))
    out, f_vjp = wg.vjp(lambda x: wsp.logsumexp(x, axis=axis), x)
    (g,) = f_vjp(u)
    u_back = u if axis is None else np.expand_dims(u, axis)
    np.testing.assert_allclose(g, u_back * _softmax(x, axis), rtol=1e-13)
    # forward mode: the tangent is the softmax-weighted sum of the input tangent
    t = rng.standard_normal(x.shape)
    _, t_out = wg.jvp(lambda x: wsp.logsumexp(x, axis=axis), (x,), (t,))
    np.testing.assert_allclose(t_out, np.sum(t * _softmax(x, axis), axis=axis), rtol=1e-13)


def test_logsumexp_hessian():
    # d^2 lse = diag(p) - p p^T, p = softmax(x)
    x = rng.standard_normal(4)
    p = _softmax(x)
    np.testing.assert_allclose(wg.hessian(wsp.logsumexp)(x), np.diag(p) - np.outer(p, p),
                               atol=1e-14)
    np.testing.assert_allclose(wg.jacrev(wg.jacrev(wsp.logsumexp))(x),
                               np.diag(p) - np.outer(p, p), atol=1e-14)


def test_logsumexp_weight_gradient():
    # d/db log sum b e^x = e^x / sum b e^x
    x = rng.standard_normal(3)
    b = rng.uniform(0.5, 2.0, 3)
    g = wg.grad(lambda b: wsp.logsumexp(x, b=b))(b)
    np.testing.assert_allclose(g, np.exp(x) / np.sum(b * np.exp(x)), rtol=1e-13)


@pytest.mark.parametrize("axis", [None, 0, -1, (0, 1)])
def test_logsumexp_check_grads(axis):
    x = rng.standard_normal((2, 3))
    b = rng.uniform(0.5, 2.0, (2, 3))
    wg.check_grads(lambda x: wsp.logsumexp(x, axis=axis), order=3)(x)
    wg.check_grads(lambda x, b: wsp.logsumexp(x, axis=axis, b=b), order=2)(x, b)


def test_logsumexp_composes_with_wnp():
    # log-softmax written with logsumexp sums to a constant in probability space
    x = rng.standard_normal(5)
    log_p = wg.jacobian(lambda x: x - wsp.logsumexp(x))(x)
    np.testing.assert_allclose(log_p, np.eye(5) - _softmax(x)[None, :], atol=1e-14)
    wg.check_grads(lambda x: wnp.sum(wnp.exp(x - wsp.logsumexp(x, axis=1, keepdims=True))
                                     * x), order=2)(rng.standard_normal((2, 3)))


# ---------------------------------------------------------------- expit and logit

def test_expit_values():
    assert wsp.expit(0.0) == 0.5
    assert type(wsp.expit(0.0)) is float
    x = np.array([-745.0, -40.0, -1.0, 0.0, 2.5, 40.0, 800.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = wsp.expit(x)
    np.testing.assert_allclose(out[1:-1], 1.0 / (1.0 + np.exp(-x[1:-1])), rtol=1e-15)
    assert out[-1] == 1.0 and 0.0 <= out[0] < 1e-300
    assert wsp.expit(-40.0) == pytest.approx(math.exp(-40.0) / (1 + math.exp(-40.0)),
                                             rel=1e-15)
    assert wsp.expit(np.float32(1.0)).dtype == np.float32


def test_logit_values():
    assert wsp.logit(0.5) == 0.0
    assert type(wsp.logit(0.25)) is float
    p = np.array([1e-300, 1e-8, 0.3, 0.5 + 1e-9, 0.9, 1 - 1e-12])
    np.testing.assert_allclose(wsp.logit(p), np.log(p) - np.log1p(-p), rtol=1e-6)
    # near 1/2 the value is 4 (p - 1/2) + O((p - 1/2)^3), kept to full precision
    assert wsp.logit(0.5 + 1e-9) == pytest.approx(4e-9, rel=1e-12)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = wsp.logit(np.array([0.0, 1.0, 1.5, -0.5]))
    assert out[0] == -np.inf and out[1] == np.inf and np.isnan(out[2:]).all()
    assert wsp.logit(0.0) == -np.inf and wsp.logit(1.0) == np.inf


def test_logit_inverts_expit():
    x = np.linspace(-30.0, 10.0, 41)  # past 10, expit rounds to 1 too coarsely
    np.testing.assert_allclose(wsp.logit(wsp.expit(x)), x, rtol=1e-8, atol=1e-12)
    p = np.linspace(0.01, 0.99, 50)
    np.testing.assert_allclose(wsp.expit(wsp.logit(p)), p, rtol=1e-14)


def test_expit_logit_match_scipy():
    special = pytest.importorskip("scipy.special")
    x = rng.standard_normal(20) * 20
    np.testing.assert_allclose(wsp.expit(x), special.expit(x), rtol=1e-14)
    p = rng.uniform(0.0, 1.0, 20)
    np.testing.assert_allclose(wsp.logit(p), special.logit(p), rtol=1e-12)


def test_expit_derivatives():
    assert wg.grad(wsp.expit)(0.0) == 0.25
    x = rng.standard_normal(5) * 3
    s = 1.0 / (1.0 + np.exp(-x))
    np.testing.assert_allclose(wg.elementwise_grad(wsp.expit)(x), s * (1 - s), rtol=1e-14)
    # second derivative: s (1 - s) (1 - 2 s)
    np.testing.assert_allclose(wg.elementwise_grad(wg.elementwise_grad(wsp.expit))(x),
                               s * (1 - s) * (1 - 2 * s), rtol=1e-12, atol=1e-15)
    wg.check_grads(wsp.expit, order=3)(x)


def test_logit_derivatives():
    assert wg.grad(wsp.logit)(0.5) == 4.0
    p = rng.uniform(0.05, 0.95, 5)
    np.testing.assert_allclose(wg.elementwise_grad(wsp.logit)(p), 1 / (p * (1 - p)),
                               rtol=1e-14)
    # second derivative: (2 p - 1) / (p (1 - p))^2
    np.testing.assert_allclose(wg.elementwise_grad(wg.elementwise_grad(wsp.logit))(p),
                               (2 * p - 1) / (p * (1 - p)) ** 2, rtol=1e-12)
    wg.check_grads(wsp.logit, order=3)(p)
    # the chain rule through the inverse pair gives 1
    np.testing.assert_allclose(wg.elementwise_grad(lambda x: wsp.logit(wsp.expit(x)))(
        np.array([-3.0, 0.0, 2.0])), 1.0, rtol=1e-12)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("p", [0.0, 1.0])
def test_logit_derivative_at_the_ends_follows_numpy(p):
    # a Python float gives numpy's inf, as a 0-d array does, not ZeroDivisionError
    with np.errstate(all="ignore"):
        for order in (1, 2):
            want = wg.derivative(wsp.logit, order=order)(np.asarray(p))
            got = wg.derivative(wsp.logit, order=order)(p)
            np.testing.assert_equal(float(got), float(want))
    assert wg.grad(wsp.logit)(p) == np.inf
