"""Regressions in the rule families outside the systematic sweep.

Argument checks shared by the families (rules/_base.py): an axis out of range is
numpy's AxisError, never wrapped around; a repeated axis is a ValueError; each names
the function. Every bad call below is one numpy itself refuses. Then rules that the
real-valued sweep cannot reach: absolute on complex input."""

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
import wengert.scipy.special as wsp
from wengert.rules._base import AxisError, normalize_axis

# (label, wengert call, numpy call): numpy raises AxisError for each
_OUT_OF_RANGE = [
    ("expand_dims", lambda m, x: m.expand_dims(x, 5), (2,)),
    ("expand_dims", lambda m, x: m.expand_dims(x, -3), (2,)),
    ("expand_dims", lambda m, x: m.expand_dims(x, (0, 3)), (2,)),
    ("transpose", lambda m, x: m.transpose(x, (0, 3)), (1, 2)),
    ("transpose", lambda m, x: m.transpose(x, (-3, 0)), (1, 2)),
    ("swapaxes", lambda m, x: m.swapaxes(x, 0, 3), (2,)),
    ("swapaxes", lambda m, x: m.swapaxes(x, -2, 0), (2,)),
    ("moveaxis", lambda m, x: m.moveaxis(x, 2, 0), (2, 3)),
    ("moveaxis", lambda m, x: m.moveaxis(x, 0, -3), (2, 3)),
    ("stack", lambda m, x: m.stack([x, x], axis=2), (2,)),
    ("stack", lambda m, x: m.stack([x, x], axis=-3), (2,)),
    ("concatenate", lambda m, x: m.concatenate([x, x], axis=1), (2,)),
    ("concatenate", lambda m, x: m.concatenate([x, x], axis=-2), (2,)),
    ("squeeze", lambda m, x: m.squeeze(x, axis=2), (1, 2)),
    ("sum", lambda m, x: m.sum(x, axis=2), (2, 3)),
    ("sum", lambda m, x: m.sum(x, axis=(0, -3)), (2, 3)),
    ("prod", lambda m, x: m.prod(x, axis=-3), (2, 3)),
    ("max", lambda m, x: m.max(x, axis=2), (2, 3)),
    ("min", lambda m, x: m.min(x, axis=2), (2, 3)),
    ("mean", lambda m, x: m.mean(x, axis=2), (2, 3)),
    ("var", lambda m, x: m.var(x, axis=-3), (2, 3)),
    ("cumsum", lambda m, x: m.cumsum(x, axis=1), (3,)),
    ("cumprod", lambda m, x: m.cumprod(x, axis=-2), (3,)),
    ("take", lambda m, x: m.take(x, [0], axis=2), (2, 3)),
    ("diagonal", lambda m, x: m.diagonal(x, 0, 0, 5), (2, 3)),
]


def _params(rows):
    seen = {}
    out = []
    for who, call, shp in rows:
        seen[who] = seen.get(who, 0) + 1
        out.append(pytest.param(who, call, shp, id=f"{who}-{seen[who]}"))
    return out


@pytest.mark.parametrize("who, call, shp", _params(_OUT_OF_RANGE))
def test_axis_out_of_range_is_axis_error(who, call, shp):
    x = np.ones(shp)
    with pytest.raises(AxisError):  # numpy refuses it too
        call(np, x)
    with pytest.raises(AxisError, match=rf"^{who}: axis -?\d+ is out of bounds for "):
        call(wnp, x)


@pytest.mark.parametrize("who, call, shp", _params(_OUT_OF_RANGE))
def test_axis_out_of_range_is_axis_error_when_traced(who, call, shp):
    with pytest.raises(AxisError, match=rf"^{who}: "):
        wg.grad(lambda x: wnp.sum(call(wnp, x)))(np.ones(shp))


def test_axis_error_names_the_shape():
    with pytest.raises(AxisError, match=r"transpose: axis 3 .* shape \(1, 2\)"):
        wnp.transpose(np.ones((1, 2)), (0, 3))
    with pytest.raises(AxisError, match=r"expand_dims: axis 5 .* 2 dimensions "
                                        r"\(input shape \(2,\)\)"):
        wnp.expand_dims(np.ones(2), 5)


def test_axis_error_is_a_value_error_and_an_index_error():
    # code that catches numpy's error by either base keeps working
    assert issubclass(AxisError, ValueError) and issubclass(AxisError, IndexError)


def test_logsumexp_and_tensordot_axes_are_checked():
    with pytest.raises(AxisError, match=r"^logsumexp: axis 2"):
        wsp.logsumexp(np.ones((2, 3)), axis=2)
    with pytest.raises(AxisError, match=r"^tensordot \(a\): axis 2"):
        wnp.tensordot(np.ones((2, 3)), np.ones((3, 2)), axes=([2], [0]))
    with pytest.raises(ValueError, match=r"^tensordot \(b\): axes \(0, -2\) repeat"):
        wnp.tensordot(np.ones((2, 2)), np.ones((2, 2)), axes=([0, 1], [0, -2]))


# ------------------------------------------------------------------ repeated axes

_REPEATED = [
    ("transpose", lambda m, x: m.transpose(x, (0, -2)), (2, 3)),
    ("transpose", lambda m, x: m.transpose(x, (1, 1, 0)), (2, 3, 4)),
    ("expand_dims", lambda m, x: m.expand_dims(x, (0, -3)), (2,)),
    ("squeeze", lambda m, x: m.squeeze(x, (0, 0)), (1, 1)),
    ("moveaxis", lambda m, x: m.moveaxis(x, (0, 0), (1, 0)), (2, 3)),
    ("sum", lambda m, x: m.sum(x, axis=(0, -2)), (2, 3)),
    ("diagonal", lambda m, x: m.diagonal(x, 0, 1, -1), (2, 3)),
]


@pytest.mark.parametrize("who, call, shp", _params(_REPEATED))
def test_repeated_axis_is_value_error(who, call, shp):
    x = np.ones(shp)
    with pytest.raises(ValueError):  # numpy refuses it too
        call(np, x)
    with pytest.raises(ValueError, match=rf"^{who}: axes .* repeat an axis"):
        call(wnp, x)


def test_transpose_needs_one_axis_per_dimension():
    with pytest.raises(ValueError):
        np.transpose(np.ones((2, 3)), (0,))
    with pytest.raises(ValueError, match=r"^transpose: axes \(0,\) do not match .* \(2, 3\)"):
        wnp.transpose(np.ones((2, 3)), (0,))


def test_moveaxis_source_and_destination_lengths_must_match():
    with pytest.raises(ValueError, match=r"^moveaxis: source .* different numbers"):
        wnp.moveaxis(np.ones((2, 3)), (0, 1), (1,))


def test_concatenate_of_0d_arrays_is_refused():
    with pytest.raises(ValueError, match=r"^concatenate: zero-dimensional"):
        wnp.concatenate([np.ones(()), np.ones(())])


# ------------------------------------------------------------ valid axes still work

_VALID = [
    lambda m, x: m.expand_dims(x, -1),
    lambda m, x: m.expand_dims(x, (0, -1)),
    lambda m, x: m.transpose(x, (-1, 0, 1)),
    lambda m, x: m.swapaxes(x, -1, 0),
    lambda m, x: m.moveaxis(x, -1, 0),
    lambda m, x: m.moveaxis(x, (0, -1), (-1, 0)),
    lambda m, x: m.stack([x, x], axis=-1),
    lambda m, x: m.stack([x, x], axis=3),
    lambda m, x: m.concatenate([x, x], axis=-2),
    lambda m, x: m.squeeze(m.expand_dims(x, 1), axis=-3),
    lambda m, x: m.sum(x, axis=(-1, 0)),
    lambda m, x: m.max(x, axis=-2, keepdims=True),
    lambda m, x: m.cumsum(x, axis=-1),
    lambda m, x: m.take(x, [1, 0], axis=-2),
    lambda m, x: m.diagonal(x, 0, -1, 0),
]


@pytest.mark.parametrize("call", _VALID)
def test_valid_negative_axes_match_numpy(call):
    x = np.arange(24.0).reshape(2, 3, 4)
    want = call(np, x)
    got = call(wnp, x)
    assert np.shape(got) == np.shape(want)
    np.testing.assert_array_equal(got, want)
    wg.grad(lambda x: wnp.sum(wnp.sin(call(wnp, x))))(x)  # and the traced call works


def test_0d_reduction_over_axis_0_is_allowed_as_numpy_does():
    # numpy's leniency: a 0-d array reduces over axis 0 or -1 as over no axis
    for f in ("sum", "prod", "max", "min"):
        assert getattr(wnp, f)(np.asarray(2.0), axis=0) == getattr(np, f)(np.asarray(2.0), 0)
        assert wg.grad(lambda x, f=f: getattr(wnp, f)(x, axis=-1))(2.0) == 1.0
    with pytest.raises(AxisError, match="^sum: axis 1"):
        wnp.sum(np.asarray(2.0), axis=1)


def test_normalize_axis_directly():
    assert normalize_axis("f", -1, 3) == 2
    assert normalize_axis("f", [0, -1], 3) == (0, 2)
    assert normalize_axis("f", np.int64(-2), 2) == 0
    with pytest.raises(TypeError, match=r"^f: an axis must be an integer, got 1.0"):
        normalize_axis("f", 1.0, 2)
    with pytest.raises(TypeError, match="an axis must be an integer"):
        normalize_axis("f", True, 2)


# ------------------------------------------- absolute on complex input (HIPS convention)
# For a real function of complex z = x + iy, grad returns df/dx - i df/dy (the VJP of
# real is g, of imag -1j g); so grad |z| = conj(z) / |z| and the JVP along t is
# Re(conj(z) t) / |z|, a real tangent.

_Z = np.array([0.3 + 0.5j, -1.2 + 0.7j, 2.0 - 1.0j, 0.0 + 0.0j])


def test_abs_squared_of_complex_matches_real_and_imag_parts():
    got = wg.grad(lambda z: wnp.sum(wnp.abs(z) ** 2))(_Z)
    want = wg.grad(lambda z: wnp.sum(wnp.real(z) ** 2 + wnp.imag(z) ** 2))(_Z)
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)
    np.testing.assert_allclose(got, 2 * np.conj(_Z), rtol=1e-14, atol=0)


def test_abs_of_complex_vjp_is_conj_z_over_abs_and_0_at_0():
    got = wg.grad(lambda z: wnp.sum(wnp.abs(z)))(_Z)
    want = np.conj(_Z) / np.where(_Z == 0, 1.0, np.abs(_Z))
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)
    assert got[-1] == 0 and not np.isnan(got).any()
    assert wg.grad(wnp.abs)(3.0 + 4.0j) == pytest.approx(0.6 - 0.8j)  # a Python complex


def test_abs_of_complex_jvp_is_real_and_matches_central_differences():
    z, h = _Z[:3], 1e-6
    for t in (np.ones(3, complex), 1j * np.ones(3), np.array([1 + 2j, 0.5 - 1j, -1 + 1j])):
        _, tangent = wg.jvp(wnp.abs, (z,), (t,))
        assert not np.iscomplexobj(tangent)
        numeric = (np.abs(z + h * t) - np.abs(z - h * t)) / (2 * h)
        np.testing.assert_allclose(tangent, numeric, rtol=1e-8)
        # the JVP and the VJP describe the same derivative: J t = Re(vjp(1) t)
        np.testing.assert_allclose(tangent, np.real(wg.grad(lambda z: wnp.sum(wnp.abs(z)))(z)
                                                    * t), rtol=1e-14)
    assert wg.jvp(wnp.abs, (_Z,), (np.ones(4, complex),))[1][-1] == 0.0


def test_abs_of_complex_differentiates_again():
    # forward over reverse: the VJP's own rules (where, divide, conj) are traced
    t = np.array([1.0, 1j, 1 - 1j, 0.5])
    routes = [lambda z: wnp.sum(wnp.abs(z) ** 3),
              lambda z: wnp.sum(wnp.sqrt(wnp.real(z) ** 2 + wnp.imag(z) ** 2) ** 3)]
    with np.errstate(all="ignore"):  # the sqrt route is nan at 0; compared without it
        got, want = (wg.jvp(wg.grad(f), (_Z,), (t,))[1] for f in routes)
    np.testing.assert_allclose(got[:3], want[:3], rtol=1e-13)
    assert got[-1] == 0  # 3 |z| conj(z) is flat at 0


def test_abs_of_real_input_keeps_sign():
    x = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(wg.grad(lambda x: wnp.sum(wnp.abs(x)))(x), [-1.0, 0.0, 1.0])
    _, tangent = wg.jvp(wnp.abs, (x,), (np.full(3, 2.0),))
    np.testing.assert_array_equal(tangent, [-2.0, 0.0, 2.0])
    assert wg.grad(wnp.abs)(0.0) == 0.0


# ------------------------------------------------------ float32 stays float32

_F32 = {
    "prod": wnp.prod, "max": wnp.max, "min": wnp.min, "sum": wnp.sum, "mean": wnp.mean,
    "prod-axis0": lambda x: wnp.sum(wnp.prod(x.reshape(3, 2), axis=0)),
    "prod-odd": lambda x: wnp.prod(x[:5]),  # padded with a row of ones
    "prod-length-1": lambda x: wnp.sum(wnp.prod(x.reshape(6, 1), axis=1)),
    "max-axis1-keepdims": lambda x: wnp.sum(wnp.max(x.reshape(2, 3), axis=1, keepdims=True)),
    "min-axis-neg": lambda x: wnp.sum(wnp.min(x.reshape(2, 3), axis=-2)),
    "maximum": lambda x: wnp.sum(wnp.maximum(x, 0.5)),
    "minimum": lambda x: wnp.sum(wnp.minimum(x, x[::-1])),
}


@pytest.mark.parametrize("f", _F32.values(), ids=list(_F32))
def test_float32_derivatives_stay_float32(f):
    x = np.linspace(0.25, 1.5, 6, dtype=np.float32)
    assert wg.grad(f)(x).dtype == np.float32
    _, tangent = wg.jvp(f, (x,), (np.ones(6, np.float32),))
    assert np.result_type(tangent) == np.float32


@pytest.mark.parametrize("f", [wnp.prod, wnp.max, wnp.min, wnp.sum, wnp.mean],
                         ids=["prod", "max", "min", "sum", "mean"])
def test_float32_ones(f):
    assert wg.grad(f)(np.ones(3, np.float32)).dtype == np.float32


# ------------------------------------------------------------ out= is refused, by name

_A = np.ones((2, 2))
_OUT = {
    "sum": lambda o: wnp.sum(_A, out=o), "prod": lambda o: wnp.prod(_A, out=o),
    "max": lambda o: wnp.max(_A, out=o), "min": lambda o: wnp.min(_A, out=o),
    "mean": lambda o: wnp.mean(_A, out=o), "var": lambda o: wnp.var(_A, out=o),
    "std": lambda o: wnp.std(_A, out=o), "cumsum": lambda o: wnp.cumsum(_A, out=o),
    "cumprod": lambda o: wnp.cumprod(_A, out=o), "take": lambda o: wnp.take(_A, [0], out=o),
    "clip": lambda o: wnp.clip(_A, 0.0, 1.0, out=o), "matmul": lambda o: wnp.matmul(_A, _A, out=o),
    "dot": lambda o: wnp.dot(_A, _A, out=o), "einsum": lambda o: wnp.einsum("ij->", _A, out=o),
    "outer": lambda o: wnp.outer(_A, _A, out=o), "trace": lambda o: wnp.trace(_A, out=o),
}


@pytest.mark.parametrize("who", list(_OUT))
def test_out_is_refused_naming_the_function(who):
    with pytest.raises(TypeError, match=rf"^{who}: out= is not supported by wengert.numpy"):
        _OUT[who](np.empty(4))
    _OUT[who](None)  # out=None is numpy's default and fine


def test_take_mode_other_than_raise_is_refused():
    with pytest.raises(TypeError, match=r"^take: mode='clip' is not supported"):
        wnp.take(_A, [5], mode="clip")
