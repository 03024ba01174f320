"""The transforms' conventions: argnums, has_aux, shapes, the jacobian report,
stop_gradient, checkpoint, and structured inputs and outputs of vjp and jvp."""

import math

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp


def f3(a, b, c):
    return a * b * b + wnp.sin(c)


# ---------------------------------------------------------------- argnums

@pytest.mark.parametrize("argnums, want", [
    (0, 9.0), (1, 12.0), (2, math.cos(0.5)),
    (-1, math.cos(0.5)), (-3, 9.0),
    ((0, 2), (9.0, math.cos(0.5))), ((2, 0), (math.cos(0.5), 9.0)),
    ((-1, 1), (math.cos(0.5), 12.0)), ((1,), (12.0,)), ([0, 1], (9.0, 12.0)),
])
def test_grad_argnums(argnums, want):
    got = wg.grad(f3, argnums=argnums)(2.0, 3.0, 0.5)
    if isinstance(want, tuple):
        assert isinstance(got, tuple)
        np.testing.assert_allclose(got, want, rtol=1e-15)
    else:
        assert not isinstance(got, tuple)
        assert got == pytest.approx(want, rel=1e-15)


@pytest.mark.parametrize("transform", [wg.grad, wg.value_and_grad, wg.elementwise_grad,
                                       wg.jacfwd, wg.jacrev, wg.jacobian])
def test_argnum_alias(transform):
    by_argnums = transform(f3, argnums=1)(2.0, 3.0, 0.5)
    by_argnum = transform(f3, argnum=1)(2.0, 3.0, 0.5)
    assert by_argnum == by_argnums
    tuple_alias = transform(f3, argnum=(0, 1))(2.0, 3.0, 0.5)
    assert tuple_alias == transform(f3, argnums=(0, 1))(2.0, 3.0, 0.5)


def test_hessian_argnums_tuple_gives_nested_blocks():
    # f = a^2 b: [[2b, 2a], [2a, 0]]
    H = wg.hessian(lambda a, b: a * a * b, argnums=(0, 1))(2.0, 3.0)
    np.testing.assert_allclose(np.array(H, dtype=float), [[6.0, 4.0], [4.0, 0.0]])
    assert wg.hessian(lambda a, b: a * a * b, argnum=1)(2.0, 3.0) == 0.0


def test_repeated_argnums_are_either_refused_or_both_correct():
    # never the silent (0.0, 6.0) an earlier version gave
    try:
        got = wg.grad(lambda a: a * a, argnums=(0, 0))(3.0)
    except ValueError:
        return
    assert got == (6.0, 6.0)


# ---------------------------------------------------------------- has_aux

def test_grad_has_aux():
    g, aux = wg.grad(lambda x: (x * x, {"half": x / 2.0}), has_aux=True)(3.0)
    assert g == 6.0
    assert aux == {"half": 1.5}
    assert type(aux["half"]) is float  # aux comes back as plain values


def test_value_and_grad_has_aux():
    (value, aux), g = wg.value_and_grad(lambda x: (x ** 3, ["note", x]),
                                        has_aux=True)(2.0)
    assert (value, g) == (8.0, 12.0)
    assert aux == ["note", 2.0]


def test_has_aux_with_argnums_tuple():
    g, aux = wg.grad(lambda a, b: (a * b, a + b), argnums=(0, 1), has_aux=True)(2.0, 5.0)
    assert g == (5.0, 2.0) and aux == 7.0


def test_vjp_and_jvp_has_aux():
    out, f_vjp, aux = wg.vjp(lambda x: (x * x, x + 1.0), 3.0, has_aux=True)
    assert (out, f_vjp(1.0), aux) == (9.0, (6.0,), 4.0)
    out, t, aux = wg.jvp(lambda x: (x * x, x + 1.0), (3.0,), (2.0,), has_aux=True)
    assert (out, t, aux) == (9.0, 12.0, 4.0)


# ---------------------------------------------------------------- elementwise_grad

def test_elementwise_grad_of_elementwise_function():
    x = np.array([-1.0, 0.0, 0.5, 2.0])
    np.testing.assert_allclose(wg.elementwise_grad(wnp.tanh)(x), 1 - np.tanh(x) ** 2,
                               rtol=1e-14)
    np.testing.assert_allclose(wg.elementwise_grad(lambda t: t ** 3)(x), 3 * x ** 2)


def test_elementwise_grad_is_vjp_with_ones():
    # for a non-elementwise function it is the column sums of the Jacobian
    f = lambda x: x * wnp.sum(x)
    x = np.array([1.0, 2.0, 3.0])
    J = wg.jacobian(f)(x)
    np.testing.assert_allclose(wg.elementwise_grad(f)(x), J.sum(axis=0))


def test_elementwise_grad_of_two_arguments():
    x, y = np.array([1.0, 2.0]), np.array([3.0, 5.0])
    gx, gy = wg.elementwise_grad(lambda a, b: a * b, argnums=(0, 1))(x, y)
    np.testing.assert_allclose(gx, y)
    np.testing.assert_allclose(gy, x)


# ---------------------------------------------------------------- jacobian shapes

SHAPES = [((), ()), ((3,), ()), ((), (2,)), ((4,), (3,)), ((2, 3), (4,)),
          ((3,), (2, 2)), ((2, 1), (1, 3)), ((2, 2), (2, 2)),
          # zero-size inputs and outputs: no passes, an empty block
          ((0,), ()), ((0,), (3,)), ((3,), (0,)), ((2, 0), (0, 2))]


def _linear_ish(in_shape, out_shape, seed=0):
    """f(x) = sum over in-axes of sin(x) * W with W of shape out + in, so the Jacobian
    is exactly W * cos(x) (cos(x) broadcast over the trailing in-axes)."""
    W = np.random.default_rng(seed).standard_normal(out_shape + in_shape)
    axes = tuple(range(len(out_shape), len(out_shape) + len(in_shape)))

    def f(x):
        prod = wnp.sin(x) * W
        return wnp.sum(prod, axis=axes) if axes else prod
    return f, W


@pytest.mark.parametrize("jac", [wg.jacfwd, wg.jacrev, wg.jacobian],
                         ids=["jacfwd", "jacrev", "jacobian"])
@pytest.mark.parametrize("in_shape, out_shape", SHAPES, ids=str)
def test_jacobian_shape_is_out_plus_in(jac, in_shape, out_shape):
    f, W = _linear_ish(in_shape, out_shape)
    rng = np.random.default_rng(1)
    x = rng.standard_normal(in_shape) if in_shape else 0.7
    J = jac(f)(x)
    assert np.shape(J) == out_shape + in_shape
    np.testing.assert_allclose(J, W * np.cos(x), rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("shape", [(), (3,), (2, 3)], ids=str)
def test_hessian_shape_is_in_plus_in(shape):
    # f = sum(sin x): H = diag(-sin x)
    rng = np.random.default_rng(2)
    x = rng.standard_normal(shape) if shape else 0.4
    H = wg.hessian(lambda t: wnp.sum(wnp.sin(t)))(x)
    assert np.shape(H) == shape + shape
    n = int(np.prod(shape))
    np.testing.assert_allclose(np.reshape(H, (n, n)), np.diag(-np.sin(np.ravel(x))),
                               atol=1e-15)


@pytest.mark.parametrize("jac", [wg.jacfwd, wg.jacrev, wg.jacobian],
                         ids=["jacfwd", "jacrev", "jacobian"])
def test_jacobian_with_zero_size_input_or_output(jac):
    # nothing to stack: the block is zeros of shape out.shape + in.shape, output dtype
    J = jac(lambda x: x * 2.0)(np.zeros(0))
    assert J.shape == (0, 0) and J.dtype == np.float64
    J = jac(lambda x: (x * 1j)[:0])(np.ones(3))
    assert J.shape == (0, 3) and J.dtype == np.complex128
    Jx, Jy = jac(lambda x, y: x * y[0], argnums=(0, 1))(np.zeros(0), np.ones(2))
    assert Jx.shape == (0, 0) and Jy.shape == (0, 2)
    J = jac(lambda x: {"a": x * 2.0, "s": wnp.sum(x)})(np.zeros((2, 0)))
    assert J["a"].shape == (2, 0, 2, 0) and J["s"].shape == (2, 0)
    assert wg.hessian(lambda x: wnp.sum(x ** 2))(np.zeros(0)).shape == (0, 0)


def test_jacobian_of_vector_function_closed_form():
    # f(x, y, z) = (x y, sin z + x)
    f = lambda v: wnp.stack([v[0] * v[1], wnp.sin(v[2]) + v[0]])
    v = np.array([2.0, 3.0, 0.5])
    want = np.array([[3.0, 2.0, 0.0], [1.0, 0.0, math.cos(0.5)]])
    for jac in (wg.jacfwd, wg.jacrev, wg.jacobian):
        np.testing.assert_allclose(jac(f)(v), want, rtol=1e-15)


# ---------------------------------------------------------------- jacobian(explain=True)

def test_explain_chooses_forward_when_inputs_fewer():
    # n = 2 inputs, m = 5 outputs: forward, 2 JVPs in one batched pass
    f = lambda x: wnp.sum(x) * np.arange(1.0, 6.0)
    J, report = wg.jacobian(f, explain=True)(np.ones(2))
    assert J.shape == (5, 2)
    assert (report.n, report.m, report.mode) == (2, 5, "forward")
    assert (report.products, report.num_passes, report.batch_width) == (2, 1, 2)
    assert "2" in report.reason and "5" in report.reason
    assert "JVP" in report.passes
    assert "forward" in str(report)


def test_explain_chooses_reverse_when_outputs_fewer():
    # n = 6 inputs, m = 2 outputs: reverse, 2 VJPs in one batched pass
    f = lambda x: wnp.sum(x * x, axis=1)
    J, report = wg.jacobian(f, explain=True)(np.ones((2, 3)))
    assert J.shape == (2, 2, 3)
    assert (report.n, report.m, report.mode) == (6, 2, "reverse")
    assert (report.products, report.num_passes, report.batch_width) == (2, 1, 2)
    assert "VJP" in report.passes
    assert "reverse" in str(report)


def test_explain_square_case_is_forward():
    # n == m: forward mode (n <= m)
    J, report = wg.jacobian(wnp.sin, explain=True)(np.zeros(3))
    np.testing.assert_allclose(J, np.eye(3))
    assert (report.n, report.m, report.mode, report.products) == (3, 3, "forward", 3)
    assert (report.num_passes, report.batch_width) == (1, 3)


def test_explain_false_returns_only_the_jacobian():
    J = wg.jacobian(wnp.sin)(np.zeros(3))
    assert isinstance(J, np.ndarray)


def test_explain_counts_pytree_elements():
    f = lambda d: d["a"] * wnp.sum(d["b"])
    J, report = wg.jacobian(f, explain=True)({"a": 2.0, "b": np.ones(4)})
    assert (report.n, report.m, report.mode) == (5, 1, "reverse")
    assert J["a"] == 4.0
    np.testing.assert_allclose(J["b"], [2.0] * 4)


# ---------------------------------------------------------------- stop_gradient

def test_stop_gradient_in_reverse_and_forward_mode():
    f = lambda x: x * wg.stop_gradient(x * x)
    # only the first factor is differentiated: d/dx [x * c] = c = x^2
    assert wg.grad(f)(3.0) == 9.0
    assert wg.jvp(f, (3.0,), (1.0,)) == (27.0, 9.0)


def test_stop_gradient_value_is_unchanged_and_plain():
    seen = []

    def f(x):
        s = wg.stop_gradient(x * 2.0)
        seen.append(s)
        return x + s
    assert wg.grad(f)(1.5) == 1.0
    assert seen == [3.0] and type(seen[0]) is float


def test_stop_gradient_on_a_pytree():
    def f(x):
        c = wg.stop_gradient({"a": x, "b": (x * x,)})
        return x * c["a"] + c["b"][0]
    assert wg.grad(f)(2.0) == 2.0


def test_stop_gradient_stops_every_level():
    # inner derivative of y * stop(x y) is stop(x y): a constant at every level
    f = lambda x: wg.grad(lambda y: y * wg.stop_gradient(x * y))(2.0)
    assert f(3.0) == 6.0
    assert wg.grad(f)(3.0) == 0.0


def test_stop_gradient_on_plain_values_is_identity():
    a = np.arange(3.0)
    assert wg.stop_gradient(a) is a
    assert wg.stop_gradient(2.5) == 2.5


# ---------------------------------------------------------------- checkpoint

def _counted(fun):
    calls = []

    def wrapped(*args):
        calls.append(1)
        return fun(*args)
    wrapped.__name__ = fun.__name__
    return wrapped, calls


def body(x, y):
    return wnp.sin(wnp.sin(x) * y) * x


def test_checkpoint_gradient_equals_plain_gradient():
    ck = wg.checkpoint(body)
    plain = wg.grad(body, argnums=(0, 1))(0.7, 1.3)
    assert wg.grad(ck, argnums=(0, 1))(0.7, 1.3) == plain
    x = np.array([0.1, 0.7, -0.4])
    np.testing.assert_allclose(wg.grad(lambda t: wnp.sum(wg.checkpoint(body)(t, 2.0)))(x),
                               wg.grad(lambda t: wnp.sum(body(t, 2.0)))(x), rtol=1e-15)


def test_checkpoint_recomputes_during_backward():
    fun, calls = _counted(body)
    ck = wg.checkpoint(fun)
    wg.grad(ck)(0.7, 1.3)
    # once on the forward pass, once more during the backward pass
    assert len(calls) == 2
    calls.clear()
    ck(0.7, 1.3)  # no transform: only the forward evaluation
    assert len(calls) == 1


def test_checkpoint_inside_a_larger_function():
    inner = wg.checkpoint(lambda t: wnp.exp(t) * t)
    f = lambda x: inner(x * x) + x
    g = lambda x: wnp.exp(x * x) * x * x + x
    assert wg.grad(f)(0.6) == pytest.approx(wg.grad(g)(0.6), rel=1e-15)
    # d/dx: exp(x^2)(2x)(x^2 + 1) + 1
    x = 0.6
    assert wg.grad(f)(x) == pytest.approx(math.exp(x * x) * 2 * x * (x * x + 1) + 1,
                                          rel=1e-14)


def test_checkpoint_under_forward_mode_and_nesting():
    ck = wg.checkpoint(lambda t: wnp.sin(t) * t)
    x = 0.8
    # (x sin x)' = sin x + x cos x ; '' = 2 cos x - x sin x
    assert wg.jvp(ck, (x,), (1.0,))[1] == pytest.approx(math.sin(x) + x * math.cos(x))
    assert wg.grad(wg.grad(ck))(x) == pytest.approx(2 * math.cos(x) - x * math.sin(x))
    assert wg.hessian(ck)(x) == pytest.approx(2 * math.cos(x) - x * math.sin(x))


def test_nested_checkpoints():
    fun, calls = _counted(lambda t: wnp.sin(t))
    outer = wg.checkpoint(lambda t: wg.checkpoint(fun)(t) * t)
    x = 0.5
    assert wg.grad(outer)(x) == pytest.approx(math.sin(x) + x * math.cos(x), rel=1e-15)
    assert len(calls) >= 2


def test_checkpoint_with_an_integer_argument():
    # the integer exponent is closed over: no cotangent, no tangent, no TypeError
    power = lambda x, n: x ** n
    ck = wg.checkpoint(power)
    assert wg.grad(ck)(2.0, 3) == wg.grad(power)(2.0, 3) == 12.0
    assert wg.jvp(lambda x: ck(x, 3), (2.0,), (1.0,)) == (8.0, 12.0)
    assert wg.grad(wg.grad(ck))(2.0, 3) == 12.0
    x = np.array([0.5, 2.0])
    np.testing.assert_allclose(wg.jacfwd(lambda t: ck(t, 3))(x), np.diag(3 * x ** 2))
    np.testing.assert_allclose(wg.jacrev(lambda t: ck(t, 3))(x), np.diag(3 * x ** 2))
    # a non-numeric option is closed over as well
    pick = wg.checkpoint(lambda x, how: wnp.sin(x) if how == "sin" else wnp.cos(x))
    assert wg.grad(pick)(0.0, "sin") == 1.0


# ---------------------------------------------------------------- structured vjp / jvp

def test_vjp_with_pytree_outputs():
    def f(x, y):
        return {"sum": x + y, "parts": [x * y, (y * y,)]}
    out, f_vjp = wg.vjp(f, 2.0, 3.0)
    assert out == {"sum": 5.0, "parts": [6.0, (9.0,)]}
    # d/dx: 1*a + y*b ; d/dy: 1*a + x*b + 2y*c
    gx, gy = f_vjp({"sum": 1.0, "parts": [10.0, (100.0,)]})
    assert (gx, gy) == (31.0, 1.0 + 20.0 + 600.0)


def test_vjp_with_array_pytree_outputs():
    x = np.array([1.0, 2.0])
    out, f_vjp = wg.vjp(lambda t: (t * 3.0, wnp.sum(t * t)), x)
    (g,) = f_vjp((np.array([1.0, -1.0]), 0.5))
    np.testing.assert_allclose(g, [3.0 + 1.0, -3.0 + 2.0])


def test_vjp_returns_tuple_one_per_primal():
    out, f_vjp = wg.vjp(lambda a, b: a * b, 2.0, 3.0)
    assert f_vjp(1.0) == (3.0, 2.0)
    # the same vjp_fn can be called again with another cotangent
    assert f_vjp(2.0) == (6.0, 4.0)


def test_jvp_with_pytree_inputs():
    def f(params, x):
        return params["w"] * x + params["b"][0]
    primals = ({"w": 2.0, "b": [1.0]}, 3.0)
    tangents = ({"w": 1.0, "b": [10.0]}, 100.0)
    out, t = wg.jvp(f, primals, tangents)
    assert out == 7.0
    assert t == 1.0 * 3.0 + 10.0 + 2.0 * 100.0


def test_jvp_accepts_lists_for_primals_and_tangents():
    assert wg.jvp(lambda x: x * x, [3.0], [1.0]) == (9.0, 6.0)


def test_jvp_with_array_inputs_is_directional_derivative():
    x = np.array([0.3, -0.2, 0.9])
    v = np.array([1.0, 2.0, -1.0])
    out, t = wg.jvp(lambda a: wnp.sum(wnp.exp(a)), (x,), (v,))
    assert out == pytest.approx(np.exp(x).sum())
    assert t == pytest.approx(np.exp(x) @ v)


# ---------------------------------------------------------------- hvp

def test_hvp_against_closed_form():
    # f = sum(x^3): H = diag(6x)
    x = np.array([1.0, -2.0, 0.5])
    v = np.array([0.3, 1.0, -2.0])
    np.testing.assert_allclose(wg.hvp(lambda t: wnp.sum(t ** 3))(x, v), 6 * x * v)


def test_hvp_with_argnums():
    # f = sum(a * x^3): d2f/dx2 = diag(6 a x), d2f/da dx = diag(3 x^2), d2f/da2 = 0
    f = lambda a, x: wnp.sum(a * x ** 3)
    a, x = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    va, vx = np.array([0.3, -2.0]), np.array([1.0, 2.0])
    np.testing.assert_allclose(wg.hvp(f, argnums=1)(a, x, vx), 6 * a * x * vx)
    np.testing.assert_allclose(wg.hvp(f, argnums=-1)(a, x, vx), 6 * a * x * vx)
    np.testing.assert_allclose(wg.hvp(f, argnums=0)(a, x, va), 0.0 * va)
    ha, hx = wg.hvp(f, argnums=(0, 1))(a, x, (va, vx))
    np.testing.assert_allclose(ha, 3 * x ** 2 * vx)
    np.testing.assert_allclose(hx, 3 * x ** 2 * va + 6 * a * x * vx)
    # the same as the Hessian's blocks applied to (va, vx)
    H = wg.hessian(f, argnums=(0, 1))(a, x)
    np.testing.assert_allclose(hx, H[1][0] @ va + H[1][1] @ vx)
    # keyword arguments reach fun
    g = lambda x, scale=1.0: scale * wnp.sum(x ** 3)
    np.testing.assert_allclose(wg.hvp(g)(x, vx, scale=2.0), 12 * x * vx)


def test_transformed_function_keeps_name():
    def my_loss(x):
        return x * x
    assert wg.grad(my_loss).__name__ == "my_loss"
    assert wg.value_and_grad(my_loss).__name__ == "my_loss"
