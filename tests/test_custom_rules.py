"""New primitives and custom rules: autograd-style @primitive with defvjp/defjvp, and
JAX-style custom_vjp / custom_jvp, each used in both modes."""

import functools
import math

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp


# ---------------------------------------------------------------- @primitive, autograd style

def _make_cube(with_vjp=True, with_jvp=True):
    @wg.primitive
    def cube(x):
        return x ** 3
    if with_vjp:
        wg.defvjp(cube, lambda ans, x: lambda g: g * 3.0 * x ** 2)
    if with_jvp:
        wg.defjvp(cube, lambda t, ans, x: t * 3.0 * x ** 2)
    return cube


def test_primitive_on_plain_values_is_the_function():
    cube = _make_cube()
    assert cube(2.0) == 8.0
    np.testing.assert_array_equal(cube(np.array([1.0, 2.0])), [1.0, 8.0])


def test_primitive_reverse_and_forward_rules():
    cube = _make_cube()
    assert wg.grad(cube)(2.0) == 12.0
    assert wg.jvp(cube, (2.0,), (0.5,)) == (8.0, 6.0)
    x = np.array([1.0, -2.0])
    np.testing.assert_allclose(wg.elementwise_grad(cube)(x), 3 * x ** 2)


def test_primitive_rules_are_differentiable_again():
    cube = _make_cube()
    # (x^3)'' = 6x, (x^3)''' = 6
    assert wg.grad(wg.grad(cube))(3.0) == 18.0
    assert wg.derivative(cube, order=2)(3.0) == 18.0
    assert wg.grad(wg.grad(wg.grad(cube)))(3.0) == 6.0
    assert wg.hessian(cube)(3.0) == 18.0


def test_primitive_is_one_node_not_traced_through():
    # the rule is deliberately "wrong" (2x instead of 3x^2): it must be the one used
    @wg.primitive
    def cube(x):
        return x ** 3
    wg.defvjp(cube, lambda ans, x: lambda g: g * 2.0 * x)
    wg.defjvp(cube, lambda t, ans, x: t * 2.0 * x)
    assert wg.grad(cube)(5.0) == 10.0
    assert wg.jvp(cube, (5.0,), (1.0,))[1] == 10.0


def test_primitive_rule_receives_answer():
    seen = []

    @wg.primitive
    def expo(x):
        return math.exp(x)
    wg.defvjp(expo, lambda ans, x: (seen.append(ans), lambda g: g * ans)[1])
    assert wg.grad(expo)(1.0) == pytest.approx(math.e)
    assert seen == [pytest.approx(math.e)]


def test_primitive_with_two_arguments_and_a_missing_rule():
    @wg.primitive
    def mul(x, y):
        return x * y
    wg.defvjp(mul, lambda ans, x, y: lambda g: g * y, lambda ans, x, y: lambda g: g * x)
    wg.defjvp(mul, lambda t, ans, x, y: t * y, lambda t, ans, x, y: x * t)
    assert wg.grad(mul, argnums=(0, 1))(2.0, 3.0) == (3.0, 2.0)
    assert wg.jvp(mul, (2.0, 3.0), (1.0, 10.0))[1] == 3.0 + 20.0
    # None: that argument has no derivative (treated as zero)
    wg.defvjp(mul, None, lambda ans, x, y: lambda g: g * x)
    assert wg.grad(mul, argnums=(0, 1))(2.0, 3.0) == (0.0, 2.0)


def test_defvjp_with_argnums_keyword():
    @wg.primitive
    def scale(x, y):
        return x * y
    wg.defvjp(scale, lambda ans, x, y: lambda g: g * x, argnums=(1,))
    wg.defjvp(scale, lambda t, ans, x, y: t * x, argnums=(1,))
    assert wg.grad(scale, argnums=1)(2.0, 3.0) == 2.0
    assert wg.grad(scale, argnums=0)(2.0, 3.0) == 0.0  # no rule given for x
    assert wg.jvp(lambda y: scale(2.0, y), (3.0,), (1.0,))[1] == 2.0


def test_primitive_without_jvp_rule_under_forward_mode():
    cube = _make_cube(with_jvp=False)
    with pytest.raises(NotImplementedError, match=r"cube.*forward"):
        wg.jvp(cube, (2.0,), (1.0,))
    with pytest.raises(NotImplementedError, match=r"cube.*forward"):
        wg.jacfwd(cube)(2.0)


def test_primitive_without_vjp_rule_under_reverse_mode():
    cube = _make_cube(with_vjp=False)
    with pytest.raises(NotImplementedError, match=r"cube.*reverse"):
        wg.grad(cube)(2.0)
    # forward mode still works
    assert wg.jvp(cube, (2.0,), (1.0,))[1] == 12.0


def test_defvjp_and_defjvp_need_a_primitive():
    with pytest.raises(TypeError, match="not a wengert primitive"):
        wg.defvjp(lambda x: x, lambda ans, x: lambda g: g)
    with pytest.raises(TypeError, match="not a wengert primitive"):
        wg.defjvp(lambda x: x, lambda t, ans, x: t)


# ---------------------------------------------------------------- custom_vjp

def _custom_sin():
    @wg.custom_vjp
    def my_sin(x):
        return wnp.sin(x)
    my_sin.defvjp(lambda x: (wnp.sin(x), wnp.cos(x)), lambda cos_x, g: (g * cos_x,))
    return my_sin


def test_custom_vjp_under_reverse_mode():
    my_sin = _custom_sin()
    assert wg.grad(my_sin)(0.3) == pytest.approx(math.cos(0.3), rel=1e-15)
    x = np.array([0.3, -1.2, 2.0])
    np.testing.assert_allclose(wg.grad(lambda t: wnp.sum(my_sin(t)))(x), np.cos(x))


def test_custom_vjp_under_forward_mode_by_transposing_bwd():
    my_sin = _custom_sin()
    assert wg.jvp(my_sin, (0.3,), (2.0,))[1] == pytest.approx(2 * math.cos(0.3))
    x = np.array([0.3, -1.2, 2.0])
    v = np.array([1.0, 2.0, -0.5])
    np.testing.assert_allclose(wg.jvp(my_sin, (x,), (v,))[1], np.cos(x) * v)
    np.testing.assert_allclose(wg.jacfwd(my_sin)(x), np.diag(np.cos(x)), atol=1e-15)


def test_custom_vjp_both_modes_agree_with_plain_function():
    my_sin = _custom_sin()
    x = np.array([0.1, 0.9])
    J_rev = wg.jacrev(my_sin)(x)
    J_fwd = wg.jacfwd(my_sin)(x)
    J_true = wg.jacfwd(wnp.sin)(x)
    np.testing.assert_allclose(J_rev, J_true, rtol=1e-15)
    np.testing.assert_allclose(J_fwd, J_true, rtol=1e-15)


def test_custom_vjp_second_order():
    my_sin = _custom_sin()
    assert wg.grad(wg.grad(my_sin))(0.3) == pytest.approx(-math.sin(0.3), rel=1e-14)
    assert wg.hessian(my_sin)(0.3) == pytest.approx(-math.sin(0.3), rel=1e-14)


def test_custom_vjp_with_two_arguments():
    @wg.custom_vjp
    def f(x, y):
        return x * wnp.sin(y)
    f.defvjp(lambda x, y: (x * wnp.sin(y), (x, y)),
             lambda res, g: (g * wnp.sin(res[1]), g * res[0] * wnp.cos(res[1])))
    x, y = 2.0, 0.5
    gx, gy = wg.grad(f, argnums=(0, 1))(x, y)
    assert gx == pytest.approx(math.sin(y)) and gy == pytest.approx(x * math.cos(y))
    t = wg.jvp(f, (x, y), (1.0, 3.0))[1]
    assert t == pytest.approx(math.sin(y) + 3 * x * math.cos(y))
    # only the second argument traced in forward mode
    assert wg.jvp(lambda b: f(x, b), (y,), (1.0,))[1] == pytest.approx(x * math.cos(y))


def test_custom_vjp_rule_is_really_used_gradient_clipping():
    # identity on the way forward, cotangent clipped to [-1, 1] on the way back
    @wg.custom_vjp
    def clip_gradient(x):
        return x
    clip_gradient.defvjp(lambda x: (x, None),
                         lambda _, g: (wnp.minimum(wnp.maximum(g, -1.0), 1.0),))
    f = lambda x: clip_gradient(x) * 5.0
    assert f(2.0) == 10.0
    assert wg.grad(f)(2.0) == 1.0          # the true derivative would be 5
    assert wg.grad(lambda x: clip_gradient(x) * -0.5)(2.0) == -0.5   # inside the range
    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(wg.grad(lambda t: wnp.sum(clip_gradient(t) * [5.0, 0.2]))(x),
                               [1.0, 0.2])


def test_custom_vjp_safe_rule_replaces_an_inf():
    # sqrt(x^2) at 0: the chain rule gives 0 * inf = nan; a custom rule says 0
    @wg.custom_vjp
    def safe_norm(x):
        return wnp.sqrt(x * x)
    safe_norm.defvjp(lambda x: (wnp.sqrt(x * x), x),
                     lambda x, g: (g * wnp.where(x == 0.0, 0.0, wnp.sign(x)),))
    with np.errstate(all="ignore"):
        assert math.isnan(wg.grad(lambda x: wnp.sqrt(x * x))(0.0))
    assert float(wg.grad(safe_norm)(0.0)) == 0.0
    assert float(wg.grad(safe_norm)(-3.0)) == -1.0


def test_custom_vjp_bwd_must_return_a_tuple():
    @wg.custom_vjp
    def ident(x):
        return x
    ident.defvjp(lambda x: (x, None), lambda _, g: g)
    with pytest.raises(TypeError, match=r"ident.*tuple"):
        wg.grad(ident)(1.0)


def test_custom_vjp_without_rule_is_differentiated_through():
    @wg.custom_vjp
    def f(x):
        return x * x
    assert f(3.0) == 9.0
    assert wg.grad(f)(3.0) == 6.0


def test_custom_vjp_fwd_residuals_reach_bwd():
    got = []

    @wg.custom_vjp
    def f(x):
        return x * 2.0
    f.defvjp(lambda x: (x * 2.0, ("residual", 7.0)),
             lambda res, g: (got.append(res) or g * 2.0,))
    assert wg.grad(f)(1.0) == 2.0
    assert got == [("residual", 7.0)]


# ---------------------------------------------------------------- custom_jvp

def _custom_exp():
    @wg.custom_jvp
    def my_exp(x):
        return wnp.exp(x)
    my_exp.defjvp(lambda p, t: (wnp.exp(p[0]), wnp.exp(p[0]) * t[0]))
    return my_exp


def test_custom_jvp_under_forward_mode():
    my_exp = _custom_exp()
    assert wg.jvp(my_exp, (0.5,), (2.0,)) == (pytest.approx(math.exp(0.5)),
                                             pytest.approx(2 * math.exp(0.5)))


def test_custom_jvp_under_reverse_mode():
    my_exp = _custom_exp()
    assert wg.grad(my_exp)(0.5) == pytest.approx(math.exp(0.5), rel=1e-15)
    x = np.array([0.5, -1.0])
    np.testing.assert_allclose(wg.grad(lambda t: wnp.sum(my_exp(t)))(x), np.exp(x))
    np.testing.assert_allclose(wg.jacrev(my_exp)(x), np.diag(np.exp(x)))


def test_custom_jvp_second_order():
    my_exp = _custom_exp()
    assert wg.derivative(my_exp, order=3)(0.5) == pytest.approx(math.exp(0.5))
    assert wg.grad(wg.grad(my_exp))(0.5) == pytest.approx(math.exp(0.5))


def test_custom_jvp_with_two_arguments():
    @wg.custom_jvp
    def mul(x, y):
        return x * y
    mul.defjvp(lambda p, t: (p[0] * p[1], t[0] * p[1] + p[0] * t[1]))
    assert wg.grad(mul, argnums=(0, 1))(2.0, 3.0) == (3.0, 2.0)
    assert wg.grad(mul, argnums=1)(2.0, 3.0) == 2.0
    assert wg.jvp(mul, (2.0, 3.0), (1.0, 0.0)) == (6.0, 3.0)
    assert wg.jvp(lambda y: mul(2.0, y), (3.0,), (1.0,)) == (6.0, 2.0)


def test_custom_jvp_with_an_integer_argument():
    # reverse mode transposes the rule in the float argument only; the integer gets
    # a zero tangent in forward mode and no cotangent in reverse mode
    @wg.custom_jvp
    def power(x, n):
        return x ** n
    power.defjvp(lambda p, t: (p[0] ** p[1], p[1] * p[0] ** (p[1] - 1) * t[0]))
    assert wg.grad(power)(2.0, 3) == 12.0
    assert wg.jvp(lambda x: power(x, 3), (2.0,), (1.0,)) == (8.0, 12.0)
    assert wg.grad(wg.grad(power))(2.0, 3) == 12.0
    x = np.array([0.5, 2.0])
    np.testing.assert_allclose(wg.jacrev(lambda t: power(t, 3))(x), np.diag(3 * x ** 2))


def test_custom_jvp_rule_is_really_used_in_both_modes():
    # identity whose rule claims the derivative is 2: both modes must report 2
    @wg.custom_jvp
    def twice_slope(x):
        return x
    twice_slope.defjvp(lambda p, t: (p[0], 2.0 * t[0]))
    assert twice_slope(0.5) == 0.5
    assert wg.jvp(twice_slope, (0.5,), (1.0,)) == (0.5, 2.0)
    assert wg.grad(twice_slope)(0.5) == 2.0
    assert wg.grad(lambda x: twice_slope(x) * x)(3.0) == 2.0 * 3.0 + 3.0


def test_custom_jvp_without_rule_is_differentiated_through():
    @wg.custom_jvp
    def f(x):
        return x * x
    assert wg.jvp(f, (3.0,), (1.0,)) == (9.0, 6.0)


# ---------------------------------------------------------------- with check_grads

def test_custom_rules_pass_check_grads():
    wg.check_grads(_custom_sin(), modes=("fwd", "rev"), order=2)(0.7)
    wg.check_grads(_custom_exp(), modes=("fwd", "rev"), order=2)(0.7)
    wg.check_grads(_make_cube(), modes=("fwd", "rev"), order=2)(0.7)


def test_check_grads_catches_a_wrong_custom_rule():
    @wg.primitive
    def bad_sin(x):
        return np.sin(x)
    wg.defvjp(bad_sin, lambda ans, x: lambda g: g * wnp.sin(x))   # should be cos
    wg.defjvp(bad_sin, lambda t, ans, x: t * wnp.cos(x))
    with pytest.raises(AssertionError):
        wg.check_grads(bad_sin, modes=("rev",), order=1)(0.7)
    wg.check_grads(bad_sin, modes=("fwd",), order=1)(0.7)


def test_custom_vjp_runs_fwd_once_and_hands_its_residuals_to_bwd():
    calls = {"fwd": 0, "fun": 0}

    @wg.custom_vjp
    def f(x):
        calls["fun"] += 1
        return wnp.sin(x)

    def fwd(x):
        calls["fwd"] += 1
        return wnp.sin(x), ("cos", wnp.cos(x))

    def bwd(res, g):
        tag, cos_x = res
        assert tag == "cos"
        return (g * cos_x,)

    f.defvjp(fwd, bwd)
    assert wg.grad(f)(0.3) == pytest.approx(np.cos(0.3), rel=1e-15)
    assert calls == {"fwd": 1, "fun": 0}
    # forward mode also takes its residuals from the one fwd call
    assert wg.jvp(f, (0.3,), (2.0,))[1] == pytest.approx(2 * np.cos(0.3), rel=1e-15)
    assert calls == {"fwd": 2, "fun": 0}
    # a second derivative differentiates through fwd and bwd
    assert wg.grad(wg.grad(f))(0.3) == pytest.approx(-np.sin(0.3), rel=1e-14)


def test_custom_vjp_fwd_must_return_a_pair():
    @wg.custom_vjp
    def f(x):
        return x * 2.0

    f.defvjp(lambda x: x * 2.0, lambda res, g: (g * 2.0,))
    with pytest.raises(TypeError, match="fwd must return a pair"):
        wg.grad(f)(1.0)


# ---------------------------------------------------------------- nondiff_argnums

def _repeat_custom():
    @functools.partial(wg.custom_vjp, nondiff_argnums=(0, 2))
    def repeat(fn, x, n):
        for _ in range(n):
            x = fn(x)
        return x

    def fwd(fn, x, n):
        return repeat.fun(fn, x, n), x

    def bwd(fn, n, x, g):
        return (g * wg.grad(lambda v: repeat.fun(fn, v, n))(x),)

    repeat.defvjp(fwd, bwd)
    return repeat


def test_custom_vjp_nondiff_argnums_reach_fwd_and_bwd():
    repeat = _repeat_custom()
    sin3 = lambda x: wnp.sin(wnp.sin(wnp.sin(x)))  # noqa: E731
    assert wg.grad(lambda x: repeat(wnp.sin, x, 3))(0.7) == pytest.approx(
        wg.grad(sin3)(0.7), rel=1e-15)
    out, t = wg.jvp(lambda x: repeat(wnp.sin, x, 3), (0.7,), (1.0,))
    assert out == pytest.approx(sin3(0.7)) and t == pytest.approx(wg.grad(sin3)(0.7))
    assert wg.grad(wg.grad(lambda x: repeat(wnp.sin, x, 3)))(0.7) == pytest.approx(
        wg.grad(wg.grad(sin3))(0.7), rel=1e-12)


def test_custom_vjp_nondiff_argument_that_is_traced_is_refused():
    @functools.partial(wg.custom_vjp, nondiff_argnums=(0,))
    def scale(k, x):
        return k * x

    scale.defvjp(lambda k, x: (k * x, None), lambda k, res, g: (k * g,))
    assert wg.grad(lambda x: scale(3.0, x))(1.0) == 3.0
    with pytest.raises(TypeError, match="argument 0 is in nondiff_argnums"):
        wg.grad(lambda k: scale(k, 2.0))(1.0)


def test_custom_vjp_bwd_returning_too_many_cotangents_with_nondiff_args():
    @functools.partial(wg.custom_vjp, nondiff_argnums=(1,))
    def f(x, n):
        return x * n

    f.defvjp(lambda x, n: (x * n, None), lambda n, res, g: (g * n, 0.0))
    with pytest.raises(TypeError, match="one cotangent per differentiated argument"):
        wg.grad(lambda x: f(x, 2.0))(1.0)
