"""check_grads is the oracle of the rule tests, so it must reject wrong rules: a
wrong VJP, a wrong JVP, a small error, a rule whose own derivative is wrong (caught
only at order 2), and it must accept correct rules in both modes at order 2."""

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp

X_SCALAR = 0.3
X_MATRIX = np.array([[0.3, -1.2, 0.8], [2.1, -0.4, 1.5]])
POINTS = [pytest.param(X_SCALAR, id="scalar"), pytest.param(X_MATRIX, id="2x3")]


def make_sin(dvjp=wnp.cos, djvp=wnp.cos):
    """A fresh primitive computing sin, whose VJP multiplies by ``dvjp(x)`` and whose
    JVP multiplies by ``djvp(x)`` (correct when both are cos)."""

    @wg.primitive
    def my_sin(x):
        return np.sin(x)

    wg.defvjp(my_sin, lambda ans, x: lambda g: g * dvjp(x))
    wg.defjvp(my_sin, lambda t, ans, x: t * djvp(x))
    return my_sin


def wrong_cos():
    """A primitive computing cos whose rules say cos' = +sin (the sign is wrong)."""

    @wg.primitive
    def bad_cos(x):
        return np.cos(x)

    wg.defvjp(bad_cos, lambda ans, x: lambda g: g * wnp.sin(x))
    wg.defjvp(bad_cos, lambda t, ans, x: t * wnp.sin(x))
    return bad_cos


def check(fun, modes, order, x):
    wg.check_grads(fun, modes=modes, order=order)(x)


# ------------------------------------------------------------------ accepts correct

@pytest.mark.parametrize("x", POINTS)
@pytest.mark.parametrize("order", [1, 2, 3])
def test_accepts_correct_rules(x, order):
    check(make_sin(), ("fwd", "rev"), order, x)


@pytest.mark.parametrize("x", POINTS)
def test_accepts_correct_two_argument_rules(x):
    @wg.primitive
    def mul(a, b):
        return np.multiply(a, b)

    wg.defvjp(mul, lambda ans, a, b: lambda g: g * b, lambda ans, a, b: lambda g: g * a)
    wg.defjvp(mul, lambda t, ans, a, b: t * b, lambda t, ans, a, b: a * t)
    wg.check_grads(mul, modes=("fwd", "rev"), order=2)(x, x + 1.0)


# ------------------------------------------------------------------- rejects wrong

@pytest.mark.parametrize("x", POINTS)
def test_rejects_wrong_vjp_in_reverse_mode_only(x):
    f = make_sin(dvjp=lambda x: -wnp.cos(x))
    with pytest.raises(AssertionError, match=r"my_sin.*reverse mode"):
        check(f, ("rev",), 1, x)
    with pytest.raises(AssertionError, match="reverse mode"):
        check(f, ("fwd", "rev"), 2, x)
    check(f, ("fwd",), 2, x)  # the JVP is right: forward mode alone passes


@pytest.mark.parametrize("x", POINTS)
def test_rejects_wrong_jvp_in_forward_mode_only(x):
    f = make_sin(djvp=wnp.sin)
    with pytest.raises(AssertionError, match=r"my_sin.*forward mode"):
        check(f, ("fwd",), 1, x)
    with pytest.raises(AssertionError, match="forward mode"):
        check(f, ("fwd", "rev"), 2, x)
    check(f, ("rev",), 2, x)  # the VJP is right: reverse mode alone passes


@pytest.mark.parametrize("mode", ["fwd", "rev"])
@pytest.mark.parametrize("x", POINTS)
def test_rejects_a_small_error(mode, x):
    """A rule off by 0.1 % is far outside the tolerances (rtol 1e-5)."""
    def slightly_off(x):
        return 1.001 * wnp.cos(x)

    f = make_sin(**{"dvjp" if mode == "rev" else "djvp": slightly_off})
    with pytest.raises(AssertionError):
        check(f, (mode,), 1, x)


@pytest.mark.parametrize("mode", ["fwd", "rev"])
@pytest.mark.parametrize("x", POINTS)
def test_rejects_wrong_second_derivative_at_order_2(mode, x):
    """The first derivative is right but is built from a primitive with a wrong rule,
    so only the order-2 check (of the derivative function) can see it."""
    bad_cos = wrong_cos()
    f = make_sin(dvjp=bad_cos, djvp=bad_cos)
    check(f, (mode,), 1, x)
    with pytest.raises(AssertionError):
        check(f, (mode,), 2, x)


@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_rejects_a_rule_that_stops_its_own_gradient(mode):
    """A rule whose derivative is a constant to AD: right at order 1, zero second
    derivative, so order 2 fails."""
    def frozen_cos(x):
        return wg.stop_gradient(wnp.cos(x))

    f = make_sin(dvjp=frozen_cos, djvp=frozen_cos)
    check(f, (mode,), 1, X_MATRIX)
    with pytest.raises(AssertionError):
        check(f, (mode,), 2, X_MATRIX)


@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_a_rule_written_with_numpys_own_functions_differentiates_again(mode):
    """np.cos on a traced value dispatches to wengert's cos (numpy's protocols), so
    the rule's own derivative is right and order 2 passes."""
    f = make_sin(dvjp=np.cos, djvp=np.cos)
    check(f, (mode,), 2, X_MATRIX)


@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_rejects_a_rule_that_escapes_to_plain_numbers_at_order_2(mode):
    """A rule that drops to plain values (here through a numpy function that wengert
    has no rule for) is refused loudly at order 2 instead of passing."""
    def escape(x):
        return np.lib.stride_tricks.sliding_window_view(np.cos(x), 1, axis=-1)[..., 0]

    f = make_sin(dvjp=escape, djvp=escape)
    check(f, (mode,), 1, X_MATRIX)
    with pytest.raises(TypeError, match="sliding_window_view has no derivative rule"):
        check(f, (mode,), 2, X_MATRIX)


@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_rejects_wrong_rule_for_the_second_argument_only(mode):
    @wg.primitive
    def mul(a, b):
        return np.multiply(a, b)

    wg.defvjp(mul, lambda ans, a, b: lambda g: g * b, lambda ans, a, b: lambda g: g * b)
    wg.defjvp(mul, lambda t, ans, a, b: t * b, lambda t, ans, a, b: b * t)
    with pytest.raises(AssertionError):
        wg.check_grads(mul, modes=(mode,), order=1)(X_MATRIX, X_MATRIX + 1.0)


@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_catches_a_broken_builtin_rule(mode, monkeypatch):
    """What the systematic sweep relies on: break exp's registered rule and the check
    on wnp.exp fails."""
    prim = wg.registry["exp"]
    wrong = (lambda z, ans, x: z * ans * 2.0,)
    monkeypatch.setattr(prim, "vjps" if mode == "rev" else "jvps", wrong)
    with pytest.raises(AssertionError):
        wg.check_grads(wnp.exp, modes=(mode,), order=1)(X_MATRIX)
    monkeypatch.undo()
    wg.check_grads(wnp.exp, modes=(mode,), order=2)(X_MATRIX)


def test_rejects_a_vjp_of_the_wrong_shape():
    @wg.primitive
    def flat_vjp_sin(x):
        return np.sin(x)

    wg.defvjp(flat_vjp_sin, lambda ans, x: lambda g: wnp.ravel(g * wnp.cos(x)))
    wg.defjvp(flat_vjp_sin, lambda t, ans, x: t * wnp.cos(x))
    with pytest.raises(ValueError, match=r"shape \(6,\) for input 0 of shape \(2, 3\)"):
        wg.vjp(flat_vjp_sin, X_MATRIX)[1](np.ones((2, 3)))
    with pytest.raises(ValueError, match="wrong shape"):
        check(flat_vjp_sin, ("rev",), 1, X_MATRIX)


# ------------------------------------------------------------------ its arguments

@pytest.mark.parametrize("kwargs", [dict(modes=("fwd", "backward")), dict(modes="both"),
                                    dict(order=0), dict(order=True), dict(order=1.5)],
                         ids=["bad-mode", "bad-mode-string", "order-0", "order-bool",
                              "order-float"])
def test_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError, match="check_grads"):
        wg.check_grads(wnp.sin, **kwargs)


def test_a_single_mode_string_is_accepted():
    wg.check_grads(wnp.sin, modes="rev", order=2)(X_MATRIX)
    wg.check_grads(wnp.sin, modes="fwd", order=2)(X_MATRIX)
