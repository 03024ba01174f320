"""wengert.numpy.fft: values equal numpy's, gradients equal closed forms (Parseval,
the DFT matrix and its plain transpose), plain-numpy code differentiates, and bad
arguments raise errors that name the function."""

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
from wengert.core.trace import Box

F = wnp.fft
_rng = np.random.default_rng(7)
X = _rng.standard_normal((3, 6))
Z = X + 1j * _rng.standard_normal((3, 6))
X3 = _rng.standard_normal((2, 3, 4))

_VALUE_CASES = [
    ("fft", X, {}), ("fft", Z, {"n": 8, "axis": 0}), ("fft", Z, {"n": 4, "norm": "ortho"}),
    ("fft", [1.0, 2.0, 3.0], {}), ("fft", np.arange(5), {"norm": "forward"}),
    ("ifft", Z, {}), ("ifft", X, {"n": 9, "norm": "forward"}), ("ifft", Z, {"axis": 0}),
    ("fft2", Z, {}), ("fft2", X, {"s": (5, 3), "norm": "ortho"}), ("ifft2", Z, {"s": (2, 7)}),
    ("fftn", X3, {}), ("fftn", Z, {"axes": (1,)}), ("fftn", X3, {"s": (3, 2), "axes": (2, 0)}),
    ("fftn", Z, {"s": (4, 3), "axes": (1, 1)}), ("fftn", X, {"axes": ()}),
    ("ifftn", X3, {"norm": "ortho"}), ("ifftn", Z, {"s": (-1, 4), "axes": (0, 1)}),
    ("rfft", X, {}), ("rfft", X, {"n": 7, "axis": 0}), ("rfft", X, {"n": 3, "norm": "ortho"}),
    ("irfft", Z, {}), ("irfft", Z, {"n": 7}), ("irfft", Z, {"n": 3, "axis": 0}),
    ("irfft", X, {"norm": "forward"}),
    ("rfft2", X, {}), ("rfftn", X3, {"s": (4, 5), "axes": (0, 2)}), ("rfftn", X3, {}),
    ("irfft2", Z, {}), ("irfftn", Z, {"s": (2, 9), "axes": (0, 1), "norm": "ortho"}),
    ("hfft", Z, {"n": 9}), ("ihfft", X, {"norm": "forward"}),
    ("fftshift", X, {}), ("fftshift", X3, {"axes": 1}), ("fftshift", Z, {"axes": (0, 1, 1)}),
    ("ifftshift", X3, {}), ("ifftshift", Z, {"axes": [-1]}),
]


@pytest.mark.parametrize("name, a, kwargs", _VALUE_CASES,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(_VALUE_CASES)])
def test_values_equal_numpy(name, a, kwargs):
    got = getattr(F, name)(a, **kwargs)
    want = getattr(np.fft, name)(a, **kwargs)
    assert type(got) is np.ndarray and got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("name", ["fft", "ifft", "rfft", "fft2", "rfftn", "irfft"])
def test_float32_stays_single_precision(name):
    x = X.astype(np.float32)
    out = getattr(F, name)(x)
    assert out.dtype == getattr(np.fft, name)(x).dtype
    g = wg.grad(lambda x: wnp.sum(wnp.abs(getattr(F, name)(x)) ** 2))(x)
    assert g.dtype == np.float32


def test_frequencies_equal_numpy():
    np.testing.assert_array_equal(F.fftfreq(7, 0.5), np.fft.fftfreq(7, 0.5))
    np.testing.assert_array_equal(F.rfftfreq(8, 2.0), np.fft.rfftfreq(8, 2.0))
    # a traced spacing d: fftfreq(n, d) = fftfreq(n) / d
    got = wg.grad(lambda d: wnp.sum(F.fftfreq(5, d) ** 2))(0.5)
    assert got == pytest.approx(-2 * np.sum(np.fft.fftfreq(5) ** 2) / 0.5 ** 3, rel=1e-14)


# ----------------------------------------------------------------------- closed forms

@pytest.mark.parametrize("n", [1, 4, 5])
def test_parseval_real_input(n):
    # sum |fft x|^2 = n sum x^2, so the gradient is 2 n x
    x = _rng.standard_normal(n)
    g = wg.grad(lambda x: wnp.sum(wnp.abs(F.fft(x)) ** 2))(x)
    assert np.isrealobj(g)
    np.testing.assert_allclose(g, 2 * n * x, rtol=1e-13, atol=1e-13)


def test_parseval_complex_input_and_norms():
    # in the convention a real function's gradient is d/da - 1j d/db: 2 conj(z) for |z|^2
    z = Z[0]
    n = z.size
    for norm, scale in [(None, n), ("ortho", 1.0), ("forward", 1.0 / n)]:
        for f in (F.fft, F.ifft):
            g = wg.grad(lambda z, f=f, norm=norm: wnp.sum(wnp.abs(f(z, norm=norm)) ** 2))(z)
            s = scale if f is F.fft else 1.0 / scale  # ifft's scaling is 1 / (n fft's)
            np.testing.assert_allclose(g, 2 * s * np.conj(z), rtol=1e-13)


@pytest.mark.parametrize("n", [5, 6])
def test_parseval_rfft_counts_each_bin_twice(n):
    # sum_k w_k |rfft(x)_k|^2 = n sum x^2, w = 1 at bin 0 (and n/2), 2 elsewhere
    x = _rng.standard_normal(n)
    w = np.full(n // 2 + 1, 2.0)
    w[0] = 1.0
    if n % 2 == 0:
        w[-1] = 1.0
    g = wg.grad(lambda x: wnp.sum(w * wnp.abs(F.rfft(x)) ** 2))(x)
    np.testing.assert_allclose(g, 2 * n * x, rtol=1e-13)


def test_parseval_irfft_ignores_the_imaginary_part_of_real_bins():
    # sum irfft(z)^2 = (1/n) sum_k w_k |z_k|^2 with Im z_0 and Im z_{n/2} dropped
    n = 6
    z = Z[0, : n // 2 + 1]
    w = np.array([1.0, 2.0, 2.0, 1.0])
    g = wg.grad(lambda z: wnp.sum(F.irfft(z) ** 2))(z)
    want = 2 / n * w * np.conj(z)
    want[[0, -1]] = want[[0, -1]].real
    np.testing.assert_allclose(g, want, rtol=1e-13, atol=1e-15)


def test_hessian_of_parseval():
    x = X[0]
    h = wg.hessian(lambda x: wnp.sum(wnp.abs(F.fft(x)) ** 2))(x)
    np.testing.assert_allclose(h, 2 * x.size * np.eye(x.size), atol=1e-12)


@pytest.mark.parametrize("norm", [None, "ortho", "forward"])
@pytest.mark.parametrize("name", ["fft", "ifft"])
def test_vjp_is_the_plain_transpose_of_the_dft_matrix(name, norm):
    n = 5
    m = getattr(np.fft, name)(np.eye(n), axis=0, norm=norm)  # column j: transform of e_j
    z, u = Z[1, :n], Z[2, :n]
    np.testing.assert_allclose(wg.jacfwd(lambda z: getattr(F, name)(z, norm=norm))(X[0, :n]),
                               m, rtol=1e-13, atol=1e-14)
    _, f_vjp = wg.vjp(lambda z: getattr(F, name)(z, norm=norm), z)
    np.testing.assert_allclose(f_vjp(u)[0], m.T @ u, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("n_in, n", [(5, 5), (6, 6), (4, 7), (6, 3)])
def test_rfft_vjp_against_its_matrix(n_in, n):
    x = X[0, :n_in]
    m = np.fft.rfft(np.eye(n_in), n=n, axis=0)  # (n//2 + 1, n_in)
    u = Z[1, : n // 2 + 1]
    _, f_vjp = wg.vjp(lambda x: F.rfft(x, n=n), x)
    (g,) = f_vjp(u)
    assert np.isrealobj(g)
    np.testing.assert_allclose(g, np.real(m.T @ u), rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("m_in, n", [(4, 6), (4, 7), (3, 9), (5, 4)])
def test_irfft_vjp_against_its_matrix(m_in, n):
    # irfft is real-linear in (Re z, Im z): one matrix for each part; in the pairing
    # sum(real(a b)) the transpose is zbar = M_re^T g - 1j M_im^T g
    z = Z[0, :m_in]
    g = np.random.default_rng(n).standard_normal(n)
    m_re = np.fft.irfft(np.eye(m_in), n=n, axis=0)          # d out / d Re z
    m_im = np.fft.irfft(1j * np.eye(m_in), n=n, axis=0)     # d out / d Im z
    _, f_vjp = wg.vjp(lambda z: F.irfft(z, n=n), z)
    np.testing.assert_allclose(f_vjp(g)[0], m_re.T @ g - 1j * (m_im.T @ g), rtol=1e-13,
                               atol=1e-14)


def test_shifts_are_each_others_transpose():
    x = X3
    u = _rng.standard_normal(x.shape)
    for f, inv in [(F.fftshift, np.fft.ifftshift), (F.ifftshift, np.fft.fftshift)]:
        _, f_vjp = wg.vjp(lambda x, f=f: f(x, axes=(0, 2)), x)
        np.testing.assert_array_equal(f_vjp(u)[0], inv(u, axes=(0, 2)))


def test_fft_roundtrip_is_the_identity():
    z = Z
    j = wg.jacfwd(lambda z: F.ifft2(F.fft2(z, norm="ortho"), norm="ortho"))(X)
    np.testing.assert_allclose(j.reshape(z.size, z.size), np.eye(z.size), atol=1e-13)
    g = wg.grad(lambda x: wnp.sum(F.irfft(F.rfft(x), n=6) * X))(X)
    np.testing.assert_allclose(g, X, atol=1e-13)


# ------------------------------------------------------------------- plain numpy code

def _power_spectrum(x):
    spec = np.fft.fftshift(np.fft.fft(x, n=8))
    half = np.fft.irfft(np.fft.rfft(x), n=x.shape[-1])
    return np.sum(np.abs(spec) ** 2) + np.sum(half * np.fft.ifft(x).real)


def _power_spectrum_wnp(x):
    spec = F.fftshift(F.fft(x, n=8))
    half = F.irfft(F.rfft(x), n=x.shape[-1])
    return wnp.sum(wnp.abs(spec) ** 2) + wnp.sum(half * F.ifft(x).real)


def test_plain_numpy_code_differentiates():
    x = X[0]
    assert _power_spectrum(x) == pytest.approx(_power_spectrum_wnp(x), rel=1e-14)
    got = wg.grad(_power_spectrum)(x)
    np.testing.assert_allclose(got, wg.grad(_power_spectrum_wnp)(x), rtol=1e-13)
    wg.check_grads(_power_spectrum, modes=("fwd", "rev"), order=2)(x)


def test_plain_numpy_fftn_and_shift_on_a_traced_value():
    def f(x):
        return np.real(np.fft.ifftshift(np.fft.fftn(x, s=(4, 4), axes=(0, 1)), axes=0))

    wg.check_grads(f, modes=("fwd", "rev"), order=2)(X[:, :4])
    out = wg.vjp(f, X[:, :4])[0]
    np.testing.assert_allclose(out, f(X[:, :4]), rtol=1e-14)


def test_traced_calls_return_traced_values_plain_calls_plain_ones():
    seen = []
    wg.grad(lambda x: seen.append(F.fft(x)) or wnp.sum(wnp.abs(seen[-1])))(X[0])
    assert isinstance(seen[0], Box)
    assert not isinstance(F.rfft(X), Box)


# ----------------------------------------------------------------------------- errors

def test_bad_norm_names_the_function():
    with pytest.raises(ValueError, match="fft2: norm must be"):
        F.fft2(X, norm="unitary")


@pytest.mark.parametrize("call", [lambda: F.fft(X, n=0), lambda: F.irfft(X, n=-3),
                                  lambda: F.fftn(X, s=(2, 0), axes=(0, 1))])
def test_bad_sizes(call):
    with pytest.raises(ValueError, match="invalid number of FFT data points"):
        call()


def test_s_and_axes_of_different_lengths():
    with pytest.raises(ValueError, match="fftn: s .* and axes .* different lengths"):
        F.fftn(X, s=(2, 3), axes=(0,))


def test_rfft_refuses_complex_input_traced_or_not():
    with pytest.raises(TypeError, match="rfft: the input must be real"):
        F.rfft(Z)
    with pytest.raises(TypeError, match="rfftn: the input must be real"):
        wg.grad(lambda z: wnp.sum(wnp.abs(F.rfftn(z))))(Z)


def test_axis_out_of_range_and_out():
    with pytest.raises(np.exceptions.AxisError if hasattr(np, "exceptions") else np.AxisError,
                       match="ifft: axis 2 is out of bounds"):
        F.ifft(X, axis=2)
    with pytest.raises(TypeError, match="out= is not supported"):
        F.fft(X, out=np.empty(X.shape, complex))
