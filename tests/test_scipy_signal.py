"""wengert.scipy.signal: convolve and correlate, N-D, modes full/same/valid, methods
direct/fft/auto. Values equal scipy's, derivatives are correlations/convolutions with
the flipped other operand (closed forms, check_grads to order 2 in both modes, HIPS
autograd), bad input is scipy's error, and scipy missing is a clear ImportError."""

import sys

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp

ss = pytest.importorskip("scipy.signal")
wss = pytest.importorskip("wengert.scipy.signal")

rng = np.random.default_rng(23)


def R(*shape):
    return rng.standard_normal(shape)


def C(*shape):
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


SHAPES = [((5,), (3,)), ((3,), (5,)), ((4,), (4,)), ((6,), (1,)), ((4, 5), (2, 3)),
          ((2, 3), (4, 5)), ((3, 4, 2), (2, 2, 2)), ((4, 2), (2, 3))]
MODES = ["full", "same", "valid"]
METHODS = ["direct", "fft", "auto"]


def _valid_ok(s1, s2):
    return all(a >= b for a, b in zip(s1, s2)) or all(a <= b for a, b in zip(s1, s2))


CASES = [(s1, s2, mode, method, kind)
         for s1, s2 in SHAPES for mode in MODES for method in METHODS
         for kind in ("real", "complex", "mixed")
         if mode != "valid" or _valid_ok(s1, s2)]


def _inputs(s1, s2, kind):
    if kind == "real":
        return R(*s1), R(*s2)
    if kind == "complex":
        return C(*s1), C(*s2)
    return R(*s1), C(*s2)


@pytest.mark.parametrize("name", ["convolve", "correlate"])
@pytest.mark.parametrize("s1, s2, mode, method, kind", CASES,
                         ids=[f"{a}-{b}-{m}-{me}-{k}" for a, b, m, me, k in CASES])
def test_values_equal_scipy(name, s1, s2, mode, method, kind):
    x, y = _inputs(s1, s2, kind)
    want = getattr(ss, name)(x, y, mode=mode, method=method)
    got = getattr(wss, name)(x, y, mode=mode, method=method)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    traced = wg.vjp(lambda x, y: getattr(wss, name)(x, y, mode=mode, method=method), x, y)[0]
    np.testing.assert_allclose(traced, want, rtol=1e-10, atol=1e-12)


def test_scalars_and_integers_as_scipy():
    for name in ("convolve", "correlate"):
        for x, y in ((np.array(2.0), np.array(3.0)), (np.array(2.0 + 1j), np.array(1.0 - 2j)),
                     (np.arange(4), np.array([1, 2])), ([1.0, 2.0, 3.0], [0.5, 1.0])):
            want = getattr(ss, name)(x, y)
            got = getattr(wss, name)(x, y)
            np.testing.assert_allclose(got, want)
            assert np.shape(got) == np.shape(want) and np.result_type(got) == want.dtype


SMALL = [((5,), (3,)), ((3,), (4,)), ((3, 4), (2, 2)), ((2, 3), (3, 2))]


@pytest.mark.parametrize("name", ["convolve", "correlate"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("method", ["direct", "fft"])
@pytest.mark.parametrize("s1, s2", SMALL, ids=[f"{a}-{b}" for a, b in SMALL])
def test_derivatives_order_2(name, mode, method, s1, s2):
    if mode == "valid" and not _valid_ok(s1, s2):
        pytest.skip("no valid output for these shapes")
    f = getattr(wss, name)
    wg.check_grads(lambda x, y: wnp.sin(f(x, y, mode=mode, method=method)),
                   modes=("fwd", "rev"), order=2)(R(*s1), R(*s2))


@pytest.mark.parametrize("name", ["convolve", "correlate"])
@pytest.mark.parametrize("mode", MODES)
def test_complex_derivatives(name, mode):
    f = getattr(wss, name)
    wg.check_grads(lambda x, y: f(x, y, mode=mode), modes=("fwd", "rev"), order=2)(
        C(4, 3), C(2, 2))
    # a real input's cotangent is real
    g = wg.grad(lambda x: wnp.real(wnp.sum(f(x, C(2, 2), mode=mode) * C(1, 1))))(R(4, 3))
    assert np.isrealobj(g)


def test_vjps_are_correlations_with_the_other_operand():
    # <w, x * k> = <x, corr(w, k)>: the gradient in x is a valid correlation with k
    x, k = R(7), R(3)
    for mode, w in (("full", R(9)), ("valid", R(5))):
        g = wg.grad(lambda x: wnp.sum(w * wss.convolve(x, k, mode=mode)))(x)
        np.testing.assert_allclose(g, ss.correlate(w, k, mode="valid" if mode == "full"
                                                   else "full"), rtol=1e-12)
    w = R(9)
    g = wg.grad(lambda k: wnp.sum(w * wss.convolve(x, k)))(k)
    np.testing.assert_allclose(g, ss.correlate(w, x, mode="valid"), rtol=1e-12)
    # correlate(x, k)'s gradient in x is the full convolution with k, cropped
    w = R(9)
    g = wg.grad(lambda x: wnp.sum(w * wss.correlate(x, k)))(x)
    np.testing.assert_allclose(g, ss.convolve(w, k, mode="valid"), rtol=1e-12)
    # forward mode: linear in each operand
    t = R(7)
    np.testing.assert_allclose(wg.jvp(lambda x: wss.convolve(x, k), (x,), (t,))[1],
                               ss.convolve(t, k), rtol=1e-12)


def test_derivatives_match_autograd():
    ag = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    asg = pytest.importorskip("autograd.scipy.signal")
    x, k = R(5, 6), R(3, 2)
    for mode in ("full", "valid"):
        w = R(*ss.convolve(x, k, mode=mode).shape)
        np.testing.assert_allclose(wss.convolve(x, k, mode=mode), asg.convolve(x, k, mode=mode),
                                   rtol=1e-12)
        for i in (0, 1):
            np.testing.assert_allclose(
                wg.grad(lambda x, k: wnp.sum(w * wss.convolve(x, k, mode=mode)), argnums=i)(x, k),
                ag.grad(lambda x, k: anp.sum(w * asg.convolve(x, k, mode=mode)), i)(x, k),
                rtol=1e-12)


def test_errors_are_scipy_s():
    with pytest.raises(ValueError, match="same dimensionality"):
        wss.convolve(np.ones(3), np.ones((2, 2)))
    with pytest.raises(ValueError, match="at least as large"):
        wss.convolve(np.ones((3, 2)), np.ones((2, 3)), mode="valid")
    with pytest.raises(ValueError, match="at least as large"):
        wg.grad(lambda x: wnp.sum(wss.correlate(x, np.ones((2, 3)), mode="valid")))(
            np.ones((3, 2)))
    with pytest.raises(ValueError, match="mode"):
        wss.convolve(np.ones(3), np.ones(2), mode="circular")
    with pytest.raises(ValueError, match="method"):
        wss.correlate(np.ones(3), np.ones(2), method="winograd")


def test_without_scipy(monkeypatch):
    for mod in [m for m in sys.modules if m == "scipy" or m.startswith("scipy.")]:
        monkeypatch.delitem(sys.modules, mod)
    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.setitem(sys.modules, "scipy.signal", None)
    for call in (lambda: wss.convolve(np.ones(3), np.ones(2)),
                 lambda: wss.correlate(np.ones(3), np.ones(2), method="direct"),
                 lambda: wg.grad(lambda x: wnp.sum(wss.convolve(x, np.ones(2))))(np.ones(3))):
        with pytest.raises(ImportError, match=r"needs scipy.*pip install 'wengert\[scipy\]'"):
            call()
