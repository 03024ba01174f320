"""The seeds' worked examples as golden values, reached by every route.

Each example is differentiated by grad, value_and_grad, vjp, jvp (one input at a
time), jacfwd, jacrev and jacobian, on the scalar-argument function and on a version
taking one vector, and every route must give the same worked numbers. The golden
numbers themselves are checked against central differences and closed forms, so
they are not just whatever the library printed once.
"""

import math

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
from tests.seed_functions import f_log
from wengert.core.trace import Box


# ---------------------------------------------------------------- the examples


def f_ratio(x1, x2):
    return (wnp.sin(x1 / x2) + x1 / x2 - wnp.exp(x2)) * (x1 / x2 - wnp.exp(x2))


def f_prod(x1, x2, x3):
    return x1 * x2 * x3


# name -> (function, point, value, gradient, tolerance on value, tolerance on gradient)
EXAMPLES = {
    "log": (f_log, (2.0, 5.0), 11.652071455223084, (5.5, 1.7163378145367738),
            1e-14, 1e-14),
    "ratio": (f_ratio, (1.5, 0.5), 2.0166466694282, (3.0118433277, -13.7239615093),
              1e-10, 1e-9),
    "prod": (f_prod, (1.0, 2.0, 4.0), 8.0, (8.0, 4.0, 2.0), 0.0, 0.0),
}


def _vector_version(f):
    """``f`` as a function of one vector: ``fv(x) = f(x[0], ..., x[n-1])``."""
    def fv(x):
        return f(*[x[i] for i in range(len(x))])
    fv.__name__ = f"{f.__name__}_vec"
    return fv


def _is_plain_scalar(r):
    return isinstance(r, (float, np.floating)) and not isinstance(r, Box)


# ---------------------------------------------------------------- routes
#
# Each route maps (f, args) -> (value or None, gradient as a tuple of numbers).

def route_grad_tuple(f, args):
    return None, wg.grad(f, argnums=tuple(range(len(args))))(*args)


def route_grad_each(f, args):
    return None, tuple(wg.grad(f, argnums=i)(*args) for i in range(len(args)))


def route_value_and_grad(f, args):
    return wg.value_and_grad(f, argnums=tuple(range(len(args))))(*args)


def route_vjp(f, args):
    out, f_vjp = wg.vjp(f, *args)
    return out, f_vjp(1.0)


def route_jvp(f, args):
    grads, values = [], []
    for i in range(len(args)):
        tangents = tuple(1.0 if j == i else 0.0 for j in range(len(args)))
        out, t = wg.jvp(f, args, tangents)
        values.append(out)
        grads.append(t)
    assert all(v == values[0] for v in values)
    return values[0], tuple(grads)


def route_jacfwd(f, args):
    return None, wg.jacfwd(f, argnums=tuple(range(len(args))))(*args)


def route_jacrev(f, args):
    return None, wg.jacrev(f, argnums=tuple(range(len(args))))(*args)


def route_jacobian(f, args):
    return None, wg.jacobian(f, argnums=tuple(range(len(args))))(*args)


def route_elementwise_grad(f, args):
    return None, wg.elementwise_grad(f, argnums=tuple(range(len(args))))(*args)


SCALAR_ROUTES = {
    "grad_tuple": route_grad_tuple,
    "grad_each": route_grad_each,
    "value_and_grad": route_value_and_grad,
    "vjp": route_vjp,
    "jvp": route_jvp,
    "jacfwd": route_jacfwd,
    "jacrev": route_jacrev,
    "jacobian": route_jacobian,
    "elementwise_grad": route_elementwise_grad,
}


# vector routes: (f, x) -> (value or None, gradient vector)

def vroute_grad(fv, x):
    return None, wg.grad(fv)(x)


def vroute_value_and_grad(fv, x):
    return wg.value_and_grad(fv)(x)


def vroute_vjp(fv, x):
    out, f_vjp = wg.vjp(fv, x)
    (g,) = f_vjp(1.0)
    return out, g


def vroute_jvp(fv, x):
    cols = [wg.jvp(fv, (x,), (e,))[1] for e in np.eye(len(x))]
    return wg.jvp(fv, (x,), (np.zeros_like(x),))[0], np.array(cols)


def vroute_jacfwd(fv, x):
    return None, wg.jacfwd(fv)(x)


def vroute_jacrev(fv, x):
    return None, wg.jacrev(fv)(x)


def vroute_jacobian(fv, x):
    return None, wg.jacobian(fv)(x)


VECTOR_ROUTES = {
    "grad": vroute_grad,
    "value_and_grad": vroute_value_and_grad,
    "vjp": vroute_vjp,
    "jvp": vroute_jvp,
    "jacfwd": vroute_jacfwd,
    "jacrev": vroute_jacrev,
    "jacobian": vroute_jacobian,
}


# ---------------------------------------------------------------- tests

@pytest.mark.parametrize("route", sorted(SCALAR_ROUTES))
@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_seed_example_by_every_scalar_route(example, route):
    f, args, value, grad, vtol, gtol = EXAMPLES[example]
    got_value, got_grad = SCALAR_ROUTES[route](f, args)
    assert isinstance(got_grad, tuple) and len(got_grad) == len(args)
    for g, want in zip(got_grad, grad):
        assert _is_plain_scalar(g), f"{route} returned {type(g).__name__}, not a float"
        assert g == pytest.approx(want, rel=0, abs=gtol)
    if got_value is not None:
        assert _is_plain_scalar(got_value)
        assert got_value == pytest.approx(value, rel=0, abs=vtol)


@pytest.mark.parametrize("route", sorted(VECTOR_ROUTES))
@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_seed_example_by_every_vector_route(example, route):
    f, args, value, grad, vtol, gtol = EXAMPLES[example]
    fv = _vector_version(f)
    x = np.array(args)
    got_value, got_grad = VECTOR_ROUTES[route](fv, x)
    got_grad = np.asarray(got_grad)
    assert not isinstance(got_grad, Box)
    assert got_grad.shape == x.shape
    np.testing.assert_allclose(got_grad, grad, rtol=0, atol=max(gtol, 1e-14))
    if got_value is not None:
        assert not isinstance(got_value, Box)
        assert float(got_value) == pytest.approx(value, rel=0, abs=max(vtol, 1e-14))


def test_log_example_exact_golden_values():
    # the README's doctest prints these exact digits; keep them bit-for-bit
    value, grad = wg.value_and_grad(f_log, argnums=(0, 1))(2.0, 5.0)
    assert value == 11.652071455223084
    assert grad == (5.5, 1.7163378145367738)
    assert type(value) is float and all(type(g) is float for g in grad)


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_golden_values_match_closed_form_and_central_differences(example):
    # independent of AD: the plain value, and a central difference of it
    f, args, value, grad, vtol, gtol = EXAMPLES[example]
    plain = f(*args)
    assert plain == pytest.approx(value, rel=0, abs=max(vtol, 1e-14))
    h = 1e-6
    for i, want in enumerate(grad):
        hi = list(args)
        lo = list(args)
        hi[i] += h
        lo[i] -= h
        numeric = (f(*hi) - f(*lo)) / (2 * h)
        assert numeric == pytest.approx(want, rel=1e-7, abs=1e-7)


def test_log_example_closed_form():
    x1, x2 = 2.0, 5.0
    assert math.log(x1) + x1 * x2 - math.sin(x2) == pytest.approx(11.652071455223084,
                                                                  abs=1e-14)
    assert 1 / x1 + x2 == 5.5
    assert x1 - math.cos(x2) == pytest.approx(1.7163378145367738, abs=1e-15)


def test_ratio_example_closed_form():
    # f = A * B with u = x1/x2, w = exp(x2), A = sin u + u - w, B = u - w
    x1, x2 = 1.5, 0.5
    u, w = x1 / x2, math.exp(x2)
    A, B = math.sin(u) + u - w, u - w
    du1, du2 = 1 / x2, -x1 / x2 ** 2
    dA1, dB1 = (math.cos(u) + 1) * du1, du1
    dA2, dB2 = (math.cos(u) + 1) * du2 - w, du2 - w
    got = wg.grad(f_ratio, argnums=(0, 1))(x1, x2)
    assert got[0] == pytest.approx(dA1 * B + A * dB1, rel=1e-14)
    assert got[1] == pytest.approx(dA2 * B + A * dB2, rel=1e-14)


def test_log_example_second_derivatives():
    # Hessian of ln x1 + x1 x2 - sin x2: [[-1/x1^2, 1], [1, sin x2]]
    x1, x2 = 2.0, 5.0
    want = np.array([[-1 / x1 ** 2, 1.0], [1.0, math.sin(x2)]])
    fv = _vector_version(f_log)
    x = np.array([x1, x2])
    np.testing.assert_allclose(wg.hessian(fv)(x), want, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(wg.jacrev(wg.jacfwd(fv))(x), want, rtol=1e-14, atol=1e-15)
    H = [[wg.grad(wg.grad(f_log, argnums=i), argnums=j)(x1, x2) for j in (0, 1)]
         for i in (0, 1)]
    np.testing.assert_allclose(H, want, rtol=1e-14, atol=1e-15)
    assert wg.derivative(lambda a: f_log(a, x2), order=2)(x1) == pytest.approx(-0.25)


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_jacobian_explain_on_vector_version(example):
    f, args, _, grad, _, gtol = EXAMPLES[example]
    J, report = wg.jacobian(_vector_version(f), explain=True)(np.array(args))
    # n inputs > m = 1 output: reverse mode, one VJP pass
    assert (report.n, report.m, report.mode) == (len(args), 1, "reverse")
    assert report.num_passes == 1
    np.testing.assert_allclose(J, grad, rtol=0, atol=max(gtol, 1e-14))


# ---------------------------------------------------------------- peers (optional)

def test_peer_torch():
    torch = pytest.importorskip("torch")
    for name in ("log", "ratio", "prod"):
        f, args, value, grad, _, _ = EXAMPLES[name]
        xs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in args]
        fns = {"log": lambda a, b: torch.log(a) + a * b - torch.sin(b),
               "ratio": lambda a, b: (torch.sin(a / b) + a / b - torch.exp(b))
               * (a / b - torch.exp(b)),
               "prod": lambda a, b, c: a * b * c}
        out = fns[name](*xs)
        out.backward()
        ours = wg.grad(f, argnums=tuple(range(len(args))))(*args)
        np.testing.assert_allclose(ours, [x.grad.item() for x in xs], rtol=1e-13)


def test_peer_jax():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    g = jax.grad(lambda a, b: jnp.log(a) + a * b - jnp.sin(b), argnums=(0, 1))(2.0, 5.0)
    np.testing.assert_allclose(wg.grad(f_log, argnums=(0, 1))(2.0, 5.0), g, rtol=1e-13)


def test_peer_autograd():
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    g = autograd.grad(lambda a, b: (anp.sin(a / b) + a / b - anp.exp(b))
                      * (a / b - anp.exp(b)), argnum=(0, 1))
    ours = wg.grad(f_ratio, argnums=(0, 1))(1.5, 0.5)
    np.testing.assert_allclose(ours, g(1.5, 0.5), rtol=1e-13)
