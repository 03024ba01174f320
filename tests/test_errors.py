"""Bad input gets a clear exception of the documented type whose message names the
function, the argument and the shapes involved (API.md section 1)."""

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp


def square(x):
    return x * x


def double(x):
    return x * 2.0


def cube_sum(x):
    return wnp.sum(x ** 3)


# ---------------------------------------------------------------- grad's output

def test_grad_of_vector_output_is_type_error():
    with pytest.raises(TypeError, match=r"grad of double.*real scalar.*shape \(3,\)"):
        wg.grad(double)(np.ones(3))


def test_value_and_grad_of_vector_output_is_type_error():
    with pytest.raises(TypeError, match=r"double.*scalar"):
        wg.value_and_grad(double)(np.ones(3))


def test_grad_of_complex_output_is_type_error():
    with pytest.raises(TypeError, match=r"real scalar.*complex"):
        wg.grad(lambda x: x * 1j)(1.0)


@pytest.mark.parametrize("result", ["text", (1.0, 2.0), [1.0]], ids=["str", "tuple", "list"])
def test_grad_of_non_numeric_output_is_type_error(result):
    with pytest.raises(TypeError, match="real scalar"):
        wg.grad(lambda x: result)(1.0)


def test_grad_of_none_output_is_type_error():
    with pytest.raises(TypeError, match="real scalar"):
        wg.grad(lambda x: None)(1.0)


def test_grad_hints_at_the_right_transform():
    with pytest.raises(TypeError, match="jacobian"):
        wg.grad(double)(np.ones(2))


# ---------------------------------------------------------------- inputs

@pytest.mark.parametrize("x, what", [
    (3, "int 3"), (True, "bool True"), (np.arange(3), "int64"),
    (np.array([True, False]), "bool"),
], ids=["int", "bool", "int_array", "bool_array"])
def test_integer_input_is_type_error(x, what):
    def sum_of_squares(t):
        return wnp.sum(t * t)
    with pytest.raises(TypeError, match=rf"sum_of_squares.*integer.*{what}"):
        wg.grad(sum_of_squares)(x)


def test_integer_input_message_names_function_and_remedy():
    with pytest.raises(TypeError, match=r"cannot differentiate square .*2\.0 instead of 2"):
        wg.grad(square)(2)


def test_integer_input_in_a_pytree_names_the_leaf():
    with pytest.raises(TypeError, match=r"integer.*int 1.*input leaf 0"):
        wg.grad(lambda l: l[0] * l[1])([1, 2.0])


@pytest.mark.parametrize("x", ["abc", object(), {"a": "text"}],
                         ids=["str", "object", "dict_of_str"])
def test_non_numeric_input_is_type_error(x):
    with pytest.raises(TypeError, match=r"cannot differentiate .* with respect to a"):
        wg.grad(lambda t: 1.0)(x)


@pytest.mark.parametrize("x", ["d", "f", "float64"])
def test_string_spelling_a_dtype_is_still_not_numeric(x):
    # np.result_type('f') is float32: a str must never be read as a dtype name
    with pytest.raises(TypeError, match="cannot differentiate"):
        wg.grad(lambda t: t)(x)


def test_jvp_string_tangent_spelling_a_dtype_is_value_error():
    with pytest.raises(ValueError, match="tangent 0"):
        wg.jvp(double, (1.0,), ("f",))


@pytest.mark.parametrize("transform", [
    lambda f: wg.grad(f), lambda f: wg.value_and_grad(f), lambda f: wg.elementwise_grad(f),
    lambda f: wg.jacfwd(f), lambda f: wg.jacrev(f), lambda f: wg.jacobian(f),
    lambda f: wg.hessian(f), lambda f: wg.derivative(f),
    lambda f: wg.grad(wg.checkpoint(f)),
    lambda f: (lambda x: wg.vjp(f, x)), lambda f: (lambda x: wg.jvp(f, (x,), (1.0,))),
], ids=["grad", "value_and_grad", "elementwise_grad", "jacfwd", "jacrev", "jacobian",
        "hessian", "derivative", "grad_checkpoint", "vjp", "jvp"])
def test_every_transform_refuses_an_integer_input(transform):
    t = transform(square)
    with pytest.raises(TypeError, match="integer"):
        t(3)


# ---------------------------------------------------------------- jvp tangents

def test_jvp_tangent_shape_mismatch_is_value_error():
    with pytest.raises(ValueError, match=r"jvp of square: tangent 0 has shape \(2,\).*"
                                         r"primal has shape \(3,\)"):
        wg.jvp(square, (np.ones(3),), (np.ones(2),))


def test_jvp_scalar_tangent_for_array_primal_is_value_error():
    with pytest.raises(ValueError, match=r"shape \(\).*shape \(3,\)"):
        wg.jvp(square, (np.ones(3),), (1.0,))


def test_jvp_tangent_shape_mismatch_inside_pytree():
    with pytest.raises(ValueError, match=r"shape \(3,\).*shape \(2,\)"):
        wg.jvp(lambda d: d["a"], ({"a": np.ones(2)},), ({"a": np.ones(3)},))


def test_jvp_integer_tangent_is_value_error():
    with pytest.raises(ValueError, match=r"tangent 0 .*int64.*float or complex"):
        wg.jvp(square, (np.ones(3),), (np.ones(3, dtype=int),))


def test_jvp_complex_tangent_for_real_primal_is_value_error():
    with pytest.raises(ValueError, match=r"tangent 0 dtype complex128.*primal dtype float64"):
        wg.jvp(square, (np.ones(3),), (np.ones(3, dtype=complex),))


def test_jvp_real_tangent_for_complex_primal_is_value_error():
    with pytest.raises(ValueError, match=r"dtype float64.*primal dtype complex128"):
        wg.jvp(square, (1j,), (1.0,))


def test_jvp_float32_tangent_for_float64_primal_is_value_error():
    with pytest.raises(ValueError, match=r"tangent 0 dtype float32.*primal dtype float64"):
        wg.jvp(square, (np.ones(3),), (np.ones(3, dtype=np.float32),))


def test_jvp_string_tangent_is_value_error():
    with pytest.raises(ValueError, match=r"tangent 0 is a str object"):
        wg.jvp(square, (1.0,), ("text",))


def test_jvp_tangent_structure_mismatch_is_value_error():
    with pytest.raises(ValueError, match=r"jvp of square: tangents structure"):
        wg.jvp(square, (1.0,), (1.0, 2.0))
    with pytest.raises(ValueError, match="structure"):
        wg.jvp(lambda d: d["a"], ({"a": 1.0},), ({"b": 1.0},))


def test_jvp_primals_not_a_tuple_is_type_error():
    with pytest.raises(TypeError, match=r"jvp of square: primals and tangents must be "
                                        r"tuples or lists \(got float and float\)"):
        wg.jvp(square, 1.0, 1.0)


def test_hvp_vector_shape_mismatch_is_value_error():
    with pytest.raises(ValueError, match=r"shape \(2,\).*shape \(3,\)"):
        wg.hvp(lambda x: wnp.sum(x ** 3))(np.ones(3), np.ones(2))


def test_hvp_needs_the_vector_after_the_arguments():
    with pytest.raises(TypeError, match=r"hvp\(cube_sum\): call it as .*\*args, v.*"
                                        r"got 1 positional"):
        wg.hvp(cube_sum)(np.ones(2))


def test_hvp_tuple_argnums_needs_one_direction_per_argument():
    f = lambda a, x: wnp.sum(a * x ** 3)
    with pytest.raises(ValueError, match=r"argnums \(0, 1\), v must be a tuple of 2"):
        wg.hvp(f, argnums=(0, 1))(np.ones(2), np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match=r"v must be a tuple of 2"):
        wg.hvp(f, argnums=(0, 1))(np.ones(2), np.ones(2), (np.ones(2),))


def test_hvp_argnums_out_of_range_is_value_error():
    with pytest.raises(ValueError, match=r"hvp\(cube_sum\): argnums 1 is out of range"):
        wg.hvp(cube_sum, argnums=1)(np.ones(2), np.ones(2))


# ---------------------------------------------------------------- argnums

@pytest.mark.parametrize("argnums", [1, -2, (0, 1), (0, -2)])
def test_argnums_out_of_range_is_value_error(argnums):
    with pytest.raises(ValueError, match=r"grad\(square\): argnums .* out of range .*"
                                         r"1 positional argument"):
        wg.grad(square, argnums=argnums)(1.0)


@pytest.mark.parametrize("transform", [wg.value_and_grad, wg.elementwise_grad, wg.jacfwd,
                                       wg.jacrev, wg.jacobian, wg.hessian])
def test_argnums_out_of_range_in_every_transform(transform):
    with pytest.raises(ValueError, match=r"argnums 3 is out of range"):
        transform(square, argnums=3)(1.0)


@pytest.mark.parametrize("argnums", ["0", 0.0, None, True, (), (0, "a"), (0, 1.0), (True,)],
                         ids=repr)
def test_bad_argnums_type_is_type_error(argnums):
    # refused when the transform is built, before any call
    with pytest.raises(TypeError, match=r"square.*argnums must be an int"):
        wg.grad(square, argnums=argnums)


@pytest.mark.parametrize("transform", [wg.value_and_grad, wg.elementwise_grad, wg.jacfwd,
                                       wg.jacrev, wg.jacobian])
def test_bad_argnums_type_in_every_transform(transform):
    with pytest.raises(TypeError, match="argnums must be an int"):
        transform(square, argnums="x")


def test_calling_with_no_arguments_is_value_error():
    with pytest.raises(ValueError, match=r"out of range for a call with 0"):
        wg.grad(square)()


# ---------------------------------------------------------------- vjp cotangents

def test_vjp_cotangent_wrong_shape_is_value_error():
    _, f_vjp = wg.vjp(double, np.ones(3))
    with pytest.raises(ValueError, match=r"vjp of double: cotangent 0 has shape \(2,\) but "
                                         r"its output has shape \(3,\)"):
        f_vjp(np.ones(2))


def test_vjp_cotangent_wrong_structure_is_value_error():
    _, f_vjp = wg.vjp(lambda x: (x, x * 2.0), 1.0)
    with pytest.raises(ValueError, match="cotangent structure"):
        f_vjp(1.0)
    with pytest.raises(ValueError, match="cotangent structure"):
        f_vjp((1.0, 1.0, 1.0))
    with pytest.raises(ValueError, match="cotangent structure"):
        f_vjp(None)


def test_vjp_non_numeric_cotangent_is_a_clear_error():
    _, f_vjp = wg.vjp(square, 1.0)
    with pytest.raises(ValueError, match=r"vjp of square: cotangent 0 is a str object; "
                                         r"cotangents must be numbers or arrays"):
        f_vjp("a")


def test_vjp_complex_cotangent_for_real_output_is_value_error():
    # the same rule as jvp's tangents, by kind: real for a real output
    _, f_vjp = wg.vjp(wnp.sin, 1.0)
    with pytest.raises(ValueError, match=r"vjp of sin: cotangent 0 dtype complex128 does "
                                         r"not match output dtype float64"):
        f_vjp(1j)
    with pytest.raises(ValueError, match=r"dtype complex128 .* output dtype float64"):
        f_vjp(np.complex128(1.0))


def test_vjp_real_cotangent_for_complex_output_is_value_error():
    _, f_vjp = wg.vjp(square, 1j)
    with pytest.raises(ValueError, match=r"vjp of square: cotangent 0 dtype float64 does "
                                         r"not match output dtype complex128"):
        f_vjp(1.0)


def test_vjp_cotangent_mismatch_names_the_output_leaf():
    _, f_vjp = wg.vjp(lambda x: (x, x * 2.0), np.ones(2))
    with pytest.raises(ValueError, match=r"cotangent 1 has shape \(3,\) but its output "
                                         r"has shape \(2,\)"):
        f_vjp((np.ones(2), np.ones(3)))
    with pytest.raises(ValueError, match=r"cotangent 1 dtype complex128"):
        f_vjp((np.ones(2), np.ones(2, dtype=complex)))


def test_vjp_cotangent_of_the_output_kind_is_accepted():
    # any real dtype is a real cotangent (an int 1 for a float output), and a complex
    # output takes a complex cotangent
    _, f_vjp = wg.vjp(double, 1.5)
    assert f_vjp(1) == (2.0,)
    assert f_vjp(np.float32(1.0)) == (2.0,)
    _, f_vjp = wg.vjp(double, 1j)
    assert f_vjp(1 + 0j) == (2 + 0j,)


# ---------------------------------------------------------------- has_aux

@pytest.mark.parametrize("result", [
    lambda x: x * x, lambda x: (x, 1.0, 2.0), lambda x: (x,)],
    ids=["bare", "triple", "single"])
def test_has_aux_not_returning_a_pair_is_type_error(result):
    with pytest.raises(TypeError, match=r"has_aux=True.*must return a pair \(output, aux\)"):
        wg.grad(result, has_aux=True)(1.0)
    with pytest.raises(TypeError, match="pair"):
        wg.value_and_grad(result, has_aux=True)(1.0)
    with pytest.raises(TypeError, match="pair"):
        wg.vjp(result, 1.0, has_aux=True)
    with pytest.raises(TypeError, match="pair"):
        wg.jvp(result, (1.0,), (1.0,), has_aux=True)


# ---------------------------------------------------------------- derivative and check_grads

@pytest.mark.parametrize("order", [-1, 1.5, "2", True, None], ids=repr)
def test_derivative_bad_order_is_value_error(order):
    with pytest.raises(ValueError, match=r"derivative\(square\): order must be an integer "
                                         r">= 0"):
        wg.derivative(square, order=order)


@pytest.mark.parametrize("modes", [("fwd", "bogus"), "sideways", ("forward",)], ids=repr)
def test_check_grads_bad_mode_is_value_error(modes):
    with pytest.raises(ValueError, match=r"check_grads: unknown mode"):
        wg.check_grads(square, modes=modes)


@pytest.mark.parametrize("order", [0, -1, 1.5, True], ids=repr)
def test_check_grads_bad_order_is_value_error(order):
    with pytest.raises(ValueError, match=r"check_grads: order must be an integer >= 1"):
        wg.check_grads(square, order=order)


def test_check_grads_reports_a_wrong_derivative():
    @wg.primitive
    def wrong(x):
        return x * x
    wg.defvjp(wrong, lambda ans, x: lambda g: g * 3.0 * x)
    wg.defjvp(wrong, lambda t, ans, x: t * 3.0 * x)
    with pytest.raises(AssertionError, match=r"check_grads\(wrong\).*forward"):
        wg.check_grads(wrong, modes=("fwd",), order=1)(1.0)
    with pytest.raises(AssertionError, match=r"check_grads\(wrong\).*inner-product"):
        wg.check_grads(wrong, modes=("rev",), order=1)(1.0)


# ---------------------------------------------------------------- never an internal error

BAD_CALLS = {
    "grad_vector_output": lambda: wg.grad(double)(np.ones(3)),
    "grad_int": lambda: wg.grad(square)(3),
    "grad_str": lambda: wg.grad(square)("abc"),
    "grad_object": lambda: wg.grad(square)(object()),
    "grad_argnums_range": lambda: wg.grad(square, argnums=5)(1.0),
    "grad_argnums_type": lambda: wg.grad(square, argnums=[0, "x"]),
    "jvp_shape": lambda: wg.jvp(square, (np.ones(3),), (np.ones(2),)),
    "jvp_dtype": lambda: wg.jvp(square, (np.ones(3),), (np.ones(3, int),)),
    "jvp_structure": lambda: wg.jvp(square, (1.0,), ()),
    "jvp_not_tuple": lambda: wg.jvp(square, 1.0, 1.0),
    "jvp_none_tangent": lambda: wg.jvp(square, (np.ones(2),), (None,)),
    "vjp_ct_shape": lambda: wg.vjp(double, np.ones(3))[1](np.ones(4)),
    "vjp_ct_structure": lambda: wg.vjp(double, np.ones(3))[1]((np.ones(3),)),
    "vjp_int": lambda: wg.vjp(square, 3),
    "has_aux": lambda: wg.grad(square, has_aux=True)(1.0),
    "derivative_order": lambda: wg.derivative(square, order=-2),
    "check_grads_mode": lambda: wg.check_grads(square, modes="x"),
    "jacobian_int": lambda: wg.jacobian(square)(np.arange(3)),
    "hessian_argnums": lambda: wg.hessian(square, argnums=4)(1.0),
    "hvp_nonscalar": lambda: wg.hvp(double)(np.ones(2), np.ones(2)),
    "defvjp_not_primitive": lambda: wg.defvjp(square, lambda ans, x: lambda g: g),
    "tree_map_mismatch": lambda: wg.tree_map(lambda a, b: a, (1.0,), [1.0]),
    "grad_none_output": lambda: wg.grad(lambda x: None)(1.0),
    "grad_dtype_name_string": lambda: wg.grad(lambda x: x)("float64"),
    "vjp_ct_string": lambda: wg.vjp(square, 1.0)[1]("text"),
    "argnums_repeated": lambda: wg.grad(square, argnums=(0, 0))(1.0),
    "jacrev_string_output": lambda: wg.jacrev(lambda x: "text")(np.ones(2)),
}


@pytest.mark.parametrize("name", sorted(BAD_CALLS))
def test_no_bare_internal_error(name):
    with pytest.raises(Exception) as info:
        BAD_CALLS[name]()
    assert type(info.value) in (TypeError, ValueError), \
        f"{name} raised {type(info.value).__name__}: {info.value}"
    # the message is a sentence, not a bare key or attribute name
    assert len(str(info.value)) > 30


@pytest.mark.parametrize("route", ["jacfwd", "jacrev", "jacobian"])
def test_jacobian_of_non_numeric_output_is_type_error(route):
    def text(x):
        return "text"
    with pytest.raises(TypeError, match=r"of text: outputs must be float"):
        getattr(wg, route)(text)(np.ones(2))
