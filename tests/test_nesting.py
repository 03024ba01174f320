"""Transforms composed with each other: no perturbation confusion, and every route to
a second (or higher) derivative agrees with the closed form."""

import math

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp


# ---------------------------------------------------------------- perturbation confusion
#
# d/dx [ x * d/dy (x + y) ] = d/dx [ x * 1 ] = 1. A library that mixes the two
# perturbations counts d(x + y)/dy as 2 (x and y look like the same variable) and
# answers 2.

def test_perturbation_confusion_reverse_over_reverse():
    assert wg.grad(lambda x: x * wg.grad(lambda y: x + y)(1.0))(1.0) == 1.0


def test_perturbation_confusion_forward_over_forward():
    def outer(x):
        return x * wg.jvp(lambda y: x + y, (1.0,), (1.0,))[1]
    out, t = wg.jvp(outer, (1.0,), (1.0,))
    assert (out, t) == (1.0, 1.0)


def test_perturbation_confusion_mixed_modes():
    inner_rev = lambda x: x * wg.grad(lambda y: x + y)(1.0)
    inner_fwd = lambda x: x * wg.derivative(lambda y: x + y)(1.0)
    assert wg.jvp(inner_rev, (1.0,), (1.0,))[1] == 1.0
    assert wg.grad(inner_fwd)(1.0) == 1.0


def test_perturbation_confusion_derivative_operator():
    # the classic Siskind-Pearlmutter form: D(x -> x * D(y -> x * y)(2))(1) with
    # D(y -> x y) = x, so the outer function is x^2 and the answer 2x = 2
    D = wg.derivative
    assert D(lambda x: x * D(lambda y: x * y)(2.0))(1.0) == 2.0
    assert wg.grad(lambda x: x * wg.grad(lambda y: x * y)(2.0))(1.0) == 2.0


def test_inner_closure_sees_outer_variable_as_constant():
    # d/dx [ d/dy (x * y^2) at y = x ] = d/dx [ 2 x y ]_{y=x} = d/dx 2 x^2 = 4x
    f = lambda x: wg.grad(lambda y: x * y * y)(x)
    assert wg.grad(f)(1.5) == pytest.approx(6.0)
    # d/dx [ x * (d/dy x y^2 at y=x) ] = d/dx 2 x^3 = 6 x^2
    assert wg.grad(lambda x: x * f(x))(1.5) == pytest.approx(13.5)


# ---------------------------------------------------------------- second derivatives agree

def f_vec(x):
    return wnp.sum(wnp.sin(x) * x ** 2) + x[0] * x[1] + wnp.exp(x[1] * x[2])


def hessian_closed_form(x):
    # d2/dxi2 [sin(xi) xi^2] = 2 sin xi + 4 xi cos xi - xi^2 sin xi on the diagonal,
    # plus x0 x1 (1 at [0,1]) and exp(x1 x2): e (x2^2, 1 + x1 x2, x1^2)
    H = np.diag(2 * np.sin(x) + 4 * x * np.cos(x) - x ** 2 * np.sin(x))
    e = math.exp(x[1] * x[2])
    H[0, 1] += 1.0
    H[1, 0] += 1.0
    H[1, 1] += x[2] ** 2 * e
    H[2, 2] += x[1] ** 2 * e
    H[1, 2] += (1 + x[1] * x[2]) * e
    H[2, 1] += (1 + x[1] * x[2]) * e
    return H


X = np.array([0.3, -0.7, 1.1])


def _jvp_of_vjp(f, x):
    def column(v):
        return wg.jvp(lambda y: wg.vjp(f, y)[1](1.0)[0], (x,), (v,))[1]
    return np.stack([column(e) for e in np.eye(len(x))], axis=1)


def _vjp_of_jvp(f, x):
    def row(u):
        return wg.vjp(lambda y: wg.jvp(f, (y,), (u,))[1], x)[1](1.0)[0]
    return np.stack([row(e) for e in np.eye(len(x))], axis=0)


def _grad_of_grad(f, x):
    # grad of each component of the gradient
    return np.stack([wg.grad(lambda y, i=i: wg.grad(f)(y)[i])(x) for i in range(len(x))])


HESSIAN_ROUTES = {
    "hessian": lambda f, x: wg.hessian(f)(x),
    "jacfwd(jacrev)": lambda f, x: wg.jacfwd(wg.jacrev(f))(x),
    "jacrev(jacrev)": lambda f, x: wg.jacrev(wg.jacrev(f))(x),
    "jacrev(jacfwd)": lambda f, x: wg.jacrev(wg.jacfwd(f))(x),
    "jacfwd(jacfwd)": lambda f, x: wg.jacfwd(wg.jacfwd(f))(x),
    "jacobian(jacobian)": lambda f, x: wg.jacobian(wg.jacobian(f))(x),
    "jacobian(grad)": lambda f, x: wg.jacobian(wg.grad(f))(x),
    "jvp_of_vjp": _jvp_of_vjp,
    "vjp_of_jvp": _vjp_of_jvp,
    "grad_of_grad": _grad_of_grad,
    "hvp": lambda f, x: np.stack([wg.hvp(f)(x, e) for e in np.eye(len(x))], axis=1),
}


def test_closed_form_hessian_against_central_differences():
    h = 1e-5
    g = lambda y: np.array([(f_vec(y + h * e) - f_vec(y - h * e)) / (2 * h)
                            for e in np.eye(3)])
    numeric = np.stack([(g(X + h * e) - g(X - h * e)) / (2 * h) for e in np.eye(3)])
    np.testing.assert_allclose(hessian_closed_form(X), numeric, atol=1e-5)


@pytest.mark.parametrize("route", sorted(HESSIAN_ROUTES))
def test_every_route_to_the_hessian_agrees(route):
    H = HESSIAN_ROUTES[route](f_vec, X)
    assert np.shape(H) == (3, 3)
    np.testing.assert_allclose(H, hessian_closed_form(X), rtol=1e-12, atol=1e-13)


def test_hvp_equals_hessian_times_vector():
    rng = np.random.default_rng(0)
    H = wg.hessian(f_vec)(X)
    for _ in range(3):
        v = rng.standard_normal(3)
        np.testing.assert_allclose(wg.hvp(f_vec)(X, v), H @ v, rtol=1e-12, atol=1e-13)


def test_hessian_of_matrix_input_has_shape_in_plus_in():
    x = np.arange(1.0, 7.0).reshape(2, 3) / 4
    H = wg.hessian(lambda a: wnp.sum(a ** 3))(x)
    assert H.shape == (2, 3, 2, 3)
    np.testing.assert_allclose(H.reshape(6, 6), np.diag(6 * x.ravel()), rtol=1e-14)


# ---------------------------------------------------------------- one scalar, every route

def test_scalar_second_derivative_by_every_route():
    # f = x sin x: f'' = 2 cos x - x sin x
    f = lambda x: x * wnp.sin(x)
    x = 0.8
    want = 2 * math.cos(x) - x * math.sin(x)
    routes = {
        "grad(grad)": wg.grad(wg.grad(f))(x),
        "derivative(2)": wg.derivative(f, order=2)(x),
        "jvp(grad)": wg.jvp(wg.grad(f), (x,), (1.0,))[1],
        "grad(derivative)": wg.grad(wg.derivative(f))(x),
        "vjp(grad)": wg.vjp(wg.grad(f), x)[1](1.0)[0],
        "hessian": wg.hessian(f)(x),
        "jacfwd(jacrev)": wg.jacfwd(wg.jacrev(f))(x),
        "jacrev(jacfwd)": wg.jacrev(wg.jacfwd(f))(x),
        "jacrev(jacrev)": wg.jacrev(wg.jacrev(f))(x),
        "hvp": wg.hvp(f)(x, 1.0),
        "elementwise_grad^2": wg.elementwise_grad(wg.elementwise_grad(f))(x),
    }
    for name, got in routes.items():
        assert float(got) == pytest.approx(want, rel=1e-13), name


# ---------------------------------------------------------------- higher order

@pytest.mark.parametrize("k", range(5))
def test_derivative_orders_of_sin(k):
    # d^k/dx^k sin x = sin(x + k pi / 2)
    x = 0.7
    assert wg.derivative(wnp.sin, order=k)(x) == pytest.approx(
        math.sin(x + k * math.pi / 2), rel=1e-13, abs=1e-15)


@pytest.mark.parametrize("k", range(5))
def test_derivative_orders_of_exp(k):
    x = np.array([-1.0, 0.0, 0.5])
    np.testing.assert_allclose(wg.derivative(wnp.exp, order=k)(x), np.exp(x), rtol=1e-14)


@pytest.mark.parametrize("k", range(5))
def test_derivative_orders_of_polynomial(k):
    # x^4: 4!/(4-k)! x^(4-k)
    x = 1.5
    want = math.factorial(4) / math.factorial(4 - k) * x ** (4 - k)
    assert wg.derivative(lambda t: t ** 4, order=k)(x) == pytest.approx(want, rel=1e-13)


def test_derivative_order_zero_is_the_function():
    assert wg.derivative(wnp.sin, order=0)(0.5) == math.sin(0.5)


def test_third_order_reverse_nesting():
    assert wg.grad(wg.grad(wg.grad(lambda x: x ** 4)))(2.0) == pytest.approx(48.0)
    assert wg.grad(wg.grad(wg.grad(wnp.sin)))(0.4) == pytest.approx(-math.cos(0.4),
                                                                    rel=1e-14)
    # (x sin x)''' = -3 sin x - x cos x
    x = 0.9
    assert wg.grad(wg.grad(wg.grad(lambda t: t * wnp.sin(t))))(x) == pytest.approx(
        -3 * math.sin(x) - x * math.cos(x), rel=1e-13)


def test_fourth_order_alternating_modes():
    # exp(2x): the k-th derivative is 2^k exp(2x)
    f = lambda x: wnp.exp(2.0 * x)
    d = lambda g: (lambda x: wg.jvp(g, (x,), (1.0,))[1])
    x = 0.3
    got = d(wg.grad(d(wg.grad(f))))(x)
    assert got == pytest.approx(16 * math.exp(2 * x), rel=1e-13)


def test_third_order_mixed_partials_of_two_arguments():
    # f = x^2 y^3: d3/(dx dy dy) = 12 x y
    f = lambda x, y: x ** 2 * y ** 3
    fxyy = wg.grad(wg.grad(wg.grad(f, argnums=0), argnums=1), argnums=1)
    assert fxyy(1.5, 2.0) == pytest.approx(12 * 1.5 * 2.0)


# ---------------------------------------------------------------- peers (optional)

def test_peer_autograd_hessian_and_confusion():
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")

    def f_peer(x):
        return anp.sum(anp.sin(x) * x ** 2) + x[0] * x[1] + anp.exp(x[1] * x[2])
    np.testing.assert_allclose(wg.hessian(f_vec)(X), autograd.hessian(f_peer)(X),
                               rtol=1e-12, atol=1e-13)
    ag = autograd.grad
    assert ag(lambda x: x * ag(lambda y: x + y)(1.0))(1.0) == \
        wg.grad(lambda x: x * wg.grad(lambda y: x + y)(1.0))(1.0)


def test_peer_jax_third_order():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    want = jax.grad(jax.grad(jax.grad(lambda t: t * jnp.sin(t))))(0.9)
    assert wg.grad(wg.grad(wg.grad(lambda t: t * wnp.sin(t))))(0.9) == pytest.approx(
        float(want), rel=1e-13)
