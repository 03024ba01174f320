"""Real inputs that meet complex values get real gradients (HIPS autograd's
convention), at first and second order."""

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp


def test_real_input_through_a_complex_product_has_a_real_gradient():
    g = wg.grad(lambda x: wnp.real(wnp.sin(x) * (1 + 1j)))(0.3)
    assert np.isrealobj(g) and g == pytest.approx(np.cos(0.3), rel=1e-15)


def test_abs_of_a_complex_number_built_from_real_parts():
    x, y = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    gx, gy = wg.grad(lambda x, y: wnp.sum(wnp.abs(x + 1j * y)), argnums=(0, 1))(x, y)
    r = np.hypot(x, y)
    assert np.isrealobj(gx) and np.isrealobj(gy)
    np.testing.assert_allclose(gx, x / r, rtol=1e-14)
    np.testing.assert_allclose(gy, y / r, rtol=1e-14)


def test_reverse_over_reverse_through_complex_values():
    # f(w) = re(w)^2 im(w), so re(grad f) = 2 re(w) im(w); in the convention the
    # gradient of a real function of w = a + ib is d/da - 1j d/db, computed here from
    # the same function of the two real parts
    z = 0.3 + 0.5j
    got = wg.grad(lambda w: wnp.real(wg.grad(lambda w: wnp.real(w) ** 2 * wnp.imag(w))(w)))(z)
    a, b = z.real, z.imag
    h = wg.grad(lambda a, b: 2.0 * a * b, argnums=(0, 1))(a, b)
    assert got == pytest.approx(h[0] - 1j * h[1], rel=1e-14)
