"""A value never depends on whether it is being differentiated, and a transform never
changes what the caller passed: the cases where wengert once returned a wrong number
silently, each pinned against the plain call, closed forms and central differences."""

import gc
import tracemalloc

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
from wengert.core.trace import EscapedTracerError


def central(f, x, h=1e-6):
    """Central differences of a scalar f over the elements of x."""
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for k in range(x.size):
        e = np.zeros_like(x)
        e.flat[k] = h
        g.flat[k] = (f(x + e) - f(x - e)) / (2 * h)
    return g


# ---------------------------------------------------------------- the caller's arrays

def _square_first(x):
    x[0] = x[0] ** 2
    return x * 1.0


@pytest.mark.parametrize("jac", [wg.jacobian, wg.jacfwd, wg.jacrev])
def test_jacobians_never_write_into_the_callers_array(jac):
    x = np.array([1.5, 2.0])
    J = jac(_square_first)(x)
    np.testing.assert_array_equal(x, [1.5, 2.0])
    np.testing.assert_allclose(J, [[3.0, 0.0], [0.0, 1.0]])


def test_jacobian_explain_sizes_on_a_copy():
    x = np.array([1.5, 2.0])
    J, report = wg.jacobian(_square_first, explain=True)(x)
    np.testing.assert_array_equal(x, [1.5, 2.0])
    assert J[0, 0] == 3.0 and report.mode == "forward"


def _zero_first(x):
    y = x[0] * 1.0
    x[0] = 0.0
    return wnp.sum(x * x) + y * y


@pytest.mark.parametrize("transform", [
    lambda f, x: wg.grad(f)(x),
    lambda f, x: wg.jvp(f, (x,), (np.ones(3),))[1],
    lambda f, x: wg.hessian(f)(x),
    lambda f, x: wg.elementwise_grad(f)(x),
], ids=["grad", "jvp", "hessian", "elementwise_grad"])
def test_checkpoint_recomputes_on_a_copy(transform):
    x = np.array([1.0, 2.0, 3.0])
    got = transform(wg.checkpoint(_zero_first), x)
    want = transform(_zero_first, np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])
    np.testing.assert_allclose(got, want)


def test_checkpoint_gradient_matches_central_differences():
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(wg.grad(wg.checkpoint(_zero_first))(x), [2.0, 4.0, 6.0])
    np.testing.assert_allclose(central(lambda v: _zero_first(v.copy()), x), [2.0, 4.0, 6.0],
                               rtol=1e-6)


# ---------------------------------------------------------------- views as in numpy

def _view_before_write(x):
    z = x * 1.0
    v = z[0:2]
    z[0] = 10.0
    return wnp.sum(v * x[0:2])


def _write_through_view(x):
    z = x * 1.0
    v = z[1:]
    v[0] = x[0] ** 2
    return wnp.sum(z * z)


def _views_of_views(x):
    z = wnp.outer(x, x)
    row = z[1]
    t = z.T
    tail = row[1:]
    tail[0] = 5.0 * x[0]
    flat = z.reshape(-1)
    t[0, 2] = x[2] ** 3
    return wnp.sum(flat * np.arange(9.0)) + wnp.sum(row) * wnp.sum(t[0])


def _copies_do_not_alias(x):
    z = x * 1.0
    c = z[[0, 1]]          # advanced index: a copy
    f = z.flatten()        # always a copy
    s = wnp.sort(z)        # a new array
    z[0] = 7.0
    return wnp.sum(c * c) + wnp.sum(f) + wnp.sum(s * x)


@pytest.mark.parametrize("f", [_view_before_write, _write_through_view, _views_of_views,
                               _copies_do_not_alias])
def test_views_see_assignments_under_every_transform(f):
    x = np.array([0.3, 0.7, 1.1])
    plain = f(x.copy())
    want = central(lambda v: f(v.copy()), x)
    value, g = wg.value_and_grad(f)(x)
    assert value == pytest.approx(plain, rel=1e-14)
    np.testing.assert_allclose(g, want, rtol=1e-6, atol=1e-8)
    out, t = wg.jvp(f, (x,), (np.ones(3),))
    assert out == pytest.approx(plain, rel=1e-14)
    assert t == pytest.approx(want.sum(), rel=1e-6)
    H = wg.hessian(f)(x)
    np.testing.assert_allclose(H, wg.jacfwd(wg.grad(f))(x), rtol=1e-12)
    np.testing.assert_allclose(H, H.T, rtol=1e-12, atol=1e-12)


def test_the_issue_view_example_gives_numpys_numbers():
    x = np.array([0.3, 0.7, 1.1])
    assert _view_before_write(x) == pytest.approx(3.49)
    value, g = wg.value_and_grad(_view_before_write)(x)
    assert value == pytest.approx(3.49)
    np.testing.assert_allclose(g, [10.0, 1.4, 0.0])


# ---------------------------------------------------------------- casts

@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_astype_rounds_the_same_way_traced_and_plain(dtype):
    def f(x):
        return wnp.sum(x.astype(dtype) * 1.0) - wnp.sum(x)

    x = np.array([1 + 1e-10])
    plain = f(x)
    assert plain != 0.0
    value, g = wg.value_and_grad(f)(x)
    assert value == plain
    assert wg.jvp(f, (x,), (np.ones(1),))[0] == plain
    np.testing.assert_array_equal(g, [0.0])


def test_cast_keeps_dtypes_and_derivatives():
    x = np.array([0.1, 0.2])
    f = lambda v: wnp.sum(v.astype(np.float32) ** 2)  # noqa: E731
    g = wg.grad(f)(x)
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, 2 * x.astype(np.float32), rtol=1e-7)
    out, t = wg.jvp(lambda v: v.astype(np.float32), (x,), (np.ones(2),))
    assert out.dtype == np.float32 and t.dtype == np.float32
    # float -> complex -> real part keeps a real gradient
    gc_ = wg.grad(lambda v: wnp.real(wnp.sum(v.astype(complex) * (1 + 2j))))(x)
    assert gc_.dtype == np.float64
    np.testing.assert_allclose(gc_, [1.0, 1.0])
    # an integer cast has no derivative: a plain array
    ints = wg.grad(lambda v: wnp.sum(v * v.astype(np.int64)))(np.array([1.5, 2.5]))
    np.testing.assert_allclose(ints, [1.0, 2.0])
    wg.check_grads(lambda v: wnp.sin(wnp.astype(v, np.float64) * v), modes=("fwd", "rev"),
                   order=2)(x)


def test_a_float32_cotangent_seeds_a_float64_output_in_its_own_dtype():
    _, f_vjp = wg.vjp(lambda x: x * 2.0, np.ones(2))
    (g,) = f_vjp(np.ones(2, dtype=np.float32))
    assert g.dtype == np.float64
    _, f_vjp = wg.vjp(lambda x: x * 2.0, np.ones(2, dtype=np.float32))
    (g,) = f_vjp(np.ones(2))
    assert g.dtype == np.float32


# ---------------------------------------------------------------- escaped values

def test_an_escaped_value_raises_naming_its_transform():
    leak = []

    def f(x):
        leak.append(x)
        return x * 2.0

    assert wg.grad(f)(1.0) == 2.0
    with pytest.raises(EscapedTracerError, match=r"multiply: .*grad of f.*already returned"):
        wg.grad(lambda y: y * leak[0])(2.0)
    with pytest.raises(EscapedTracerError, match="grad of f"):
        leak[0] * 3.0
    with pytest.raises(EscapedTracerError, match="grad of f"):
        wnp.sin(leak[0])


@pytest.mark.parametrize("transform", [
    lambda f: wg.jvp(f, (1.0,), (1.0,)),
    lambda f: wg.vjp(f, 1.0),
    lambda f: wg.jacfwd(f)(np.ones(2)),
    lambda f: wg.hessian(lambda x: wnp.sum(f(x)))(np.ones(2)),
], ids=["jvp", "vjp", "jacfwd", "hessian"])
def test_escaped_values_from_every_transform_raise(transform):
    leak = []

    def f(x):
        leak.append(x)
        return wnp.sin(x)

    transform(f)
    assert leak
    for v in leak:
        with pytest.raises(EscapedTracerError):
            wnp.cos(v) * 1.0


def test_an_escaped_value_keeps_no_record_alive():
    leak = []

    def f(x):
        leak.append(x)
        y = x
        for _ in range(20_000):
            y = y * 1.0000001
        return wnp.sum(y)

    tracemalloc.start()
    wg.grad(f)(np.ones(10))
    gc.collect()
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # the 20,000-entry tape is freed although leak still holds a box of that trace
    assert held < 2_000_000, held
    for _ in range(3):
        with pytest.raises(EscapedTracerError):
            leak[0] * 2.0


def test_values_returned_as_aux_are_plain():
    (g, aux) = wg.grad(lambda x: (x * x, {"y": x * 3.0}), has_aux=True)(2.0)
    assert g == 4.0 and aux["y"] == 6.0 and type(aux["y"]) is float


def test_nested_transforms_still_see_outer_values():
    # an inner transform's boxes die with it; outer boxes used inside stay live
    def outer(x):
        return wg.grad(lambda y: wnp.sin(x * y))(1.0) * x

    g = wg.grad(outer)(0.5)
    want = (outer(0.5 + 1e-6) - outer(0.5 - 1e-6)) / 2e-6
    assert g == pytest.approx(want, rel=1e-6)


# ---------------------------------------------------------------- smaller defects

def test_custom_jvp_rule_that_returns_no_pair_is_named():
    @wg.custom_jvp
    def f(x):
        return wnp.sin(x)

    def my_rule(primals, tangents):
        return wnp.cos(primals[0]) * tangents[0]

    f.defjvp(my_rule)
    with pytest.raises(TypeError, match=r"custom_jvp f: the JVP rule my_rule must return "
                                        r"a pair"):
        wg.jvp(f, (1.0,), (1.0,))
    with pytest.raises((TypeError, NotImplementedError), match="my_rule"):
        wg.grad(f)(1.0)


def test_deeply_nested_pytrees():
    tree = 2.0
    for _ in range(3000):
        tree = [tree]

    def f(t):
        while isinstance(t, list):
            t = t[0]
        return t * t

    g = wg.grad(f)(tree)
    leaves, td = wg.tree_flatten(g)
    assert leaves == [4.0] and td == wg.tree_flatten(tree)[1]
    assert repr(td).startswith("list(list(")


@pytest.mark.parametrize("out", [lambda x: 1, lambda x: x > 0.0, lambda x: True,
                                 lambda x: np.int64(3)],
                         ids=["int", "bool-array", "bool", "int64"])
def test_grad_of_an_integer_or_bool_output_raises(out):
    with pytest.raises(TypeError, match="integer or bool"):
        wg.grad(out)(1.0)


@pytest.mark.parametrize("shape", [(1,), (1, 1)])
def test_grad_accepts_a_one_element_output(shape):
    g = wg.grad(lambda x: wnp.reshape(wnp.sum(x ** 2), shape))(np.array([1.0, 2.0]))
    np.testing.assert_allclose(g, [2.0, 4.0])


def test_numpy_integers_as_argnums():
    f = lambda a, b: a * b ** 2  # noqa: E731
    assert wg.grad(f, argnums=np.int64(1))(3.0, 2.0) == 12.0
    assert wg.grad(f, argnums=(np.int32(0), 1))(3.0, 2.0) == (4.0, 12.0)
    with pytest.raises(TypeError, match="argnums"):
        wg.grad(f, argnums=np.bool_(True))
    with pytest.raises(TypeError, match="argnums"):
        wg.grad(f, argnums=1.0)


def test_checkpoint_of_a_non_function_is_refused_at_once():
    with pytest.raises(TypeError, match="checkpoint: expected a function"):
        wg.checkpoint(None)


def test_error_for_a_non_numeric_input_reads_well():
    with pytest.raises(TypeError) as info:
        wg.grad(lambda x: x)("text")
    assert "a a " not in str(info.value)
    assert "with respect to a str object" in str(info.value)


# ---------------------------------------------------------------- values a user prints

def test_format_round_and_item_of_traced_values():
    seen = []

    def f(x):
        seen.append((f"{x[0]:.3f}", format(x[1], ".1e"), round(x[0]), round(x[1], 1),
                     f"{x}"))
        with pytest.raises(TypeError, match=r"\.item\(\) of a traced value"):
            x[0].item()
        return wnp.sum(x * x)

    g = wg.grad(f)(np.array([1.2345, 2.75]))
    np.testing.assert_allclose(g, [2.469, 5.5])
    assert seen == [("1.234", "2.8e+00", 1, 2.8, "[1.2345 2.75  ]")]
    out, t = wg.jvp(f, (np.array([1.2345, 2.75]),), (np.ones(2),))
    assert seen[1] == seen[0]


def test_a_traced_scalar_stored_in_a_plain_array_says_how_to_build_it():
    def f(x):
        a = np.zeros(3)
        a[0] = x
        return x

    # the same TypeError and advice as a vector assigned into a slice
    for transform in (wg.grad, wg.jacfwd, wg.hessian):
        with pytest.raises(TypeError, match="build the array from traced pieces"):
            transform(f)(1.0)
    with pytest.raises(TypeError, match="build the array from traced pieces"):
        wg.vmap(f)(np.ones(2))


def test_boxes_index_like_arrays_without_being_python_sequences():
    # x[i], len, iteration and reversed() all work on every kind of box
    def h(x):
        return wnp.sum(x[1] * x) + sum(reversed(x)) + len(x) + sum(v for v in x)

    np.testing.assert_allclose(wg.grad(h)(np.arange(3.0)), [3.0, 6.0, 3.0])
    np.testing.assert_allclose(wg.jacfwd(h)(np.arange(3.0)), [3.0, 6.0, 3.0])
    t = wg.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    assert [float(v) for v in reversed(t)] == [3.0, 2.0, 1.0]
    np.testing.assert_allclose(wg.vmap(lambda r: r[0] * r[1])(np.ones((4, 2))), 1.0)


def _method_views(x):
    z = wnp.outer(x, x)            # (3, 3)
    r = z.ravel()                  # a view of contiguous z
    s = z[None].squeeze()          # view
    w = z.swapaxes(0, 1)           # view
    m = z.mT                       # view
    r[4] = x[0] ** 3               # writes z[1, 1]
    w[0, 2] = 2.0 * x[1]           # writes z[2, 0]
    m[1, 0] = x[2] * x[0] * 3.0    # writes z[0, 1]
    return wnp.sum(s * np.arange(9.0).reshape(3, 3)) + wnp.sum(r * r) + wnp.sum(w[0])


def test_method_views_share_writes_as_numpy_does():
    x = np.array([0.3, 0.7, 1.1])
    plain = _method_views(x.copy())
    want = central(lambda v: _method_views(v.copy()), x)
    value, g = wg.value_and_grad(_method_views)(x)
    assert value == pytest.approx(plain, rel=1e-14)
    np.testing.assert_allclose(g, want, rtol=1e-6, atol=1e-8)
    t = wg.jvp(_method_views, (x,), (np.ones(3),))[1]
    assert t == pytest.approx(want.sum(), rel=1e-6)


def _function_views(x):
    import numpy as plain_np
    z = wnp.outer(x, x)
    r = wnp.reshape(z, (9,))           # functions give views as the methods do
    t = plain_np.transpose(z)          # numpy's own function on a traced value too
    e = wnp.expand_dims(z, 0)
    m = wnp.moveaxis(z, 0, 1)
    r[0] = x[1] * 4.0
    t[2, 1] = x[0] ** 2
    m[0, 2] = 3.0 * x[2]
    return wnp.sum(e * e) + wnp.sum(t[0]) + wnp.sum(r[:4])


def test_function_forms_of_views_share_writes():
    x = np.array([0.3, 0.7, 1.1])
    plain = _function_views(x.copy())
    want = central(lambda v: _function_views(v.copy()), x)
    value, g = wg.value_and_grad(_function_views)(x)
    assert value == pytest.approx(plain, rel=1e-14)
    np.testing.assert_allclose(g, want, rtol=1e-6, atol=1e-8)
