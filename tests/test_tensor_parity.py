"""The Tensor methods and the PyTorch-style functions against PyTorch's semantics.

The first part checks closed forms (the dtype PyTorch gives, values worked by hand,
derivatives known exactly) and runs without torch. The second part runs one table of
calls through ``torch`` and through ``wengert`` on float32, float64, int64 and bool
tensors (float ones with and without requires_grad) and compares dtype, shape,
values, requires_grad and the presence of grad_fn; for float64 inputs also the
gradient of a weighted sum of the result. Where PyTorch raises, wengert must raise too.
Skipped without torch.
"""

import math

import numpy as np
import pytest

import wengert as wg
import wengert.nn.functional as F


def arr(t):
    return np.asarray(t.detach().numpy())


# ---------------------------------------------------------------- closed forms

@pytest.mark.parametrize("name", ["exp", "log", "log1p", "log2", "log10", "expm1", "sin",
                                  "cos", "tan", "sinh", "cosh", "tanh", "asin", "acos",
                                  "atan", "sqrt", "rsqrt", "reciprocal", "sigmoid"])
@pytest.mark.parametrize("values", [[1, 2, 4], [True, False, True]])
def test_float_functions_of_integers_give_the_default_float_type(name, values):
    x = wg.tensor(values)
    for y in (getattr(wg, name)(x), getattr(x, name)()):
        assert y.dtype == np.float32
        want = getattr(wg, name)(x.to(wg.float64))
        np.testing.assert_allclose(arr(y), arr(want), rtol=1e-6)
    wg.set_default_dtype(wg.float64)
    try:
        assert getattr(wg, name)(x).dtype == np.float64
    finally:
        wg.set_default_dtype(wg.float32)


def test_reciprocal_of_an_integer_tensor():
    with np.errstate(divide="ignore"):
        y = wg.reciprocal(wg.tensor([4, -2, 0]))
    assert y.dtype == np.float32
    assert y.tolist() == [0.25, -0.5, math.inf]


def test_logical_not_and_bitwise_operators():
    x = wg.tensor([0, 3, -1])
    assert wg.logical_not(x).tolist() == [True, False, False]
    assert x.logical_not().dtype == np.bool_
    assert wg.logical_not(wg.tensor([0.0, 0.5])).tolist() == [True, False]
    assert (~x).tolist() == [-1, -4, 0]
    assert (~wg.tensor([True, False])).tolist() == [False, True]
    a, b = wg.tensor([6, 5]), wg.tensor([3, 3])
    assert (a & b).tolist() == [2, 1] and (a | b).tolist() == [7, 7]
    assert (a ^ b).tolist() == [5, 6] and (6 & b).tolist() == [2, 2]
    m = wg.tensor([True, False])
    assert (m & wg.tensor([True, True])).dtype == np.bool_
    assert (m | 2).tolist() == [3, 2]  # a bool tensor and an int meet as int64
    with pytest.raises(TypeError, match="invert"):
        ~wg.tensor([1.0])
    with pytest.raises(NotImplementedError, match="bitwise_and"):
        wg.tensor([1.0]) & wg.tensor([1.0])


def test_diag_keeps_an_integer_dtype():
    d = wg.diag(wg.tensor([1, 2]), 1)
    assert d.dtype == np.int64
    assert d.tolist() == [[0, 1, 0], [0, 0, 2], [0, 0, 0]]
    assert wg.diag(wg.tensor([True, False])).dtype == np.bool_
    assert wg.diag(wg.tensor([[1, 2], [3, 4]])).tolist() == [1, 4]


def test_relu_gives_positive_zero_and_passes_nan():
    x = wg.tensor([-2.0, -0.0, 0.0, 1.5, float("nan")], requires_grad=True)
    y = wg.relu(x)
    v = arr(y)
    assert not np.signbit(v[:3]).any() and v[3] == 1.5 and np.isnan(v[4])
    y[:4].sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0, 1.0, 0.0]
    assert wg.relu(wg.tensor([-3, 4])).tolist() == [0, 4]


def test_clamp_result_type_joins_input_and_bounds():
    x = wg.tensor([-2, 0, 3])
    assert wg.clamp(x, 0.5).dtype == np.float32
    assert wg.clamp(x, 0.5).tolist() == [0.5, 0.5, 3.0]
    assert wg.clamp(x, -1, 1).dtype == np.int64
    assert wg.clamp(wg.tensor([True, False]), 0, 0).dtype == np.int64
    assert x.clamp(max=wg.tensor(1.5)).tolist() == [-2.0, 0.0, 1.5]
    f = wg.tensor([-2.0, float("nan"), 3.0], requires_grad=True)
    y = f.clamp(-1.0, 1.0)
    assert y.dtype == np.float32 and np.isnan(arr(y)[1])
    y[::2].sum().backward()
    assert f.grad.tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(RuntimeError, match="min.*max"):
        wg.clamp(x)


@pytest.mark.parametrize("name", ["round", "floor", "ceil", "trunc", "sign"])
def test_step_functions_stay_on_the_graph_with_derivative_zero(name):
    x = wg.tensor([-1.5, 0.4, 2.5], dtype=wg.float64, requires_grad=True)
    y = getattr(x, name)()
    assert y.requires_grad and y.grad_fn is not None
    np.testing.assert_array_equal(arr(y), getattr(np, name)(arr(x)))
    (y * wg.tensor([1.0, 2.0, 3.0], dtype=wg.float64)).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]
    with wg.no_grad():
        assert not getattr(x, name)().requires_grad
    assert getattr(wg, name)(wg.tensor([3, -2])).tolist() == \
        getattr(np, name)(np.array([3, -2])).tolist()


def test_round_decimals_and_integer_copies():
    assert wg.round(wg.tensor([2.567, 0.5]), decimals=2).tolist() == \
        pytest.approx([2.57, 0.5])
    assert wg.sign(wg.tensor([True, False])).tolist() == [True, False]
    with pytest.raises(NotImplementedError):
        wg.round(wg.tensor([1, 2]), decimals=1)


def test_cumulative_functions_and_norm_apply_dtype():
    x = wg.tensor([1, 2, 3])
    assert wg.cumsum(x, 0, dtype=wg.float64).dtype == np.float64
    assert wg.cumsum(x, dim=0).tolist() == [1, 3, 6]
    assert x.cumprod(0, dtype=wg.float32).tolist() == [1.0, 2.0, 6.0]
    assert wg.cumprod(wg.tensor([True, True, False]), 0).dtype == np.int64
    f = wg.tensor([3.0, 4.0])
    assert f.norm(dtype=wg.float64).dtype == np.float64
    assert f.norm(dtype=wg.float64).item() == 5.0
    assert wg.norm(x, dtype=wg.float32).item() == pytest.approx(math.sqrt(14))
    assert wg.norm(wg.tensor([0.0, 2.0, -3.0]), p=0).item() == 2.0
    assert wg.norm(wg.tensor([1.0, -3.0]), p=float("-inf")).item() == 1.0
    with pytest.raises(RuntimeError, match="floating point"):
        wg.norm(x)


def test_norm_and_cdist_have_derivative_zero_at_zero():
    z = wg.zeros(3, dtype=wg.float64, requires_grad=True)
    z.norm().backward()
    assert z.grad.tolist() == [0.0, 0.0, 0.0]
    a = wg.tensor([[0.0, 0.0], [3.0, 4.0]], dtype=wg.float64, requires_grad=True)
    b = wg.tensor([[0.0, 0.0]], dtype=wg.float64)
    for p in (2.0, 3.0):
        a.grad = None
        d = wg.cdist(a, b, p=p)
        d.sum().backward()
        # d/da ||a - b||_p = sign(a - b) |a - b|^(p-1) / ||a - b||_p^(p-1), 0 at a = b
        r = np.array([3.0, 4.0])
        want = r ** (p - 1) / np.sum(r ** p) ** ((p - 1) / p)
        np.testing.assert_allclose(arr(a.grad), [[0.0, 0.0], want], rtol=1e-12)
    assert wg.cdist(a, b, p=float("inf")).tolist() == [[0.0], [4.0]]
    with pytest.raises(RuntimeError, match="floating"):
        wg.cdist(wg.tensor([[1, 2]]), wg.tensor([[1, 2]]))


def test_shape_keywords():
    x = wg.arange(6)
    assert x.reshape(shape=(2, 3)).shape == (2, 3)
    assert wg.reshape(x, shape=(3, -1)).shape == (3, 2)
    assert x.view(size=(3, 2)).shape == (3, 2)
    m = wg.ones(2, 3, 4)
    assert m.permute(dims=(2, 0, 1)).shape == (4, 2, 3)
    assert wg.permute(m, dims=(1, 0, 2)).shape == (3, 2, 4)
    assert wg.swapaxes(m, axis0=0, axis1=2).shape == (4, 3, 2)
    assert m.swapaxes(axis0=1, axis1=2).shape == (2, 4, 3)
    assert m.swapdims(dim0=0, dim1=1).shape == (3, 2, 4)
    with pytest.raises(TypeError):
        x.reshape(2, 3, shape=(2, 3))
    # view(dtype) reads the same bytes
    assert wg.tensor([1.0]).view(wg.int32).tolist() == [1065353216]


def test_squeeze_of_a_dimension_not_one_is_still_on_the_graph():
    x = wg.ones(2, 3, requires_grad=True)
    y = wg.squeeze(x, 0)
    assert y.shape == (2, 3) and y.grad_fn is not None


def test_chunk_pieces_are_ceil_n_over_chunks_long():
    assert [len(c) for c in wg.chunk(wg.arange(6), 4)] == [2, 2, 2]
    assert [len(c) for c in wg.arange(5).chunk(2)] == [3, 2]
    assert [len(c) for c in wg.chunk(wg.arange(0), 3)] == [0, 0, 0]


def test_sort_descending_of_bools_unsigned_and_nan():
    assert wg.sort(wg.tensor([True, False, True]), descending=True).indices.tolist() == \
        [0, 2, 1]
    u = wg.tensor(np.array([1, 200, 3], dtype=np.uint8))
    assert u.sort(descending=True).values.tolist() == [200, 3, 1]
    f = wg.tensor([1.0, float("nan"), 3.0])
    assert f.sort(descending=True).indices.tolist() == [1, 2, 0]
    assert f.argsort().tolist() == [0, 2, 1]


def test_where_and_binary_functions_promote():
    c = wg.tensor([True, False])
    assert wg.where(c, wg.tensor([1, 2]), 0.5).dtype == np.float32
    assert wg.where(c, wg.tensor([1, 2]), 0.5).tolist() == [1.0, 0.5]
    assert wg.where(c, wg.tensor([True, True]), 0).dtype == np.int64
    assert wg.where(c, wg.tensor([1, 2]), wg.zeros(2)).dtype == np.float32
    assert wg.tensor([1, 2]).where(c, 0.5).dtype == np.float32
    assert wg.maximum(wg.tensor([1.0, 5.0]), wg.tensor([3, 2])).dtype == np.float32
    assert wg.atan2(wg.tensor([1]), wg.tensor([1])).dtype == np.float32
    with pytest.raises(RuntimeError, match="boolean"):
        wg.where(wg.tensor([1, 0]), wg.tensor([1.0, 2.0]), 0.0)


def test_integer_powers_division_and_subtraction():
    b, e = wg.tensor([-1, 1, 2, 0, -1]), wg.tensor([-1, -2, -1, -1, -2])
    assert (b ** e).tolist() == [-1, 1, 0, 0, 1]
    assert (2 ** wg.tensor([3, -1])).tolist() == [8, 0]
    with pytest.raises(RuntimeError, match="ZeroDivision"):
        wg.tensor([1, 2]) // wg.tensor([1, 0])
    with pytest.raises(RuntimeError, match="ZeroDivision"):
        5 % wg.tensor([0, 1])
    assert (wg.tensor([1.0, 2.0]) // 0).tolist() == [math.inf, math.inf]
    with pytest.raises(RuntimeError, match="bool"):
        wg.tensor([True]) - wg.tensor([False])
    with pytest.raises(RuntimeError, match="bool"):
        -wg.tensor([True])


def test_div_rounding_modes():
    x = wg.tensor([-7, 7])
    assert wg.div(x, 2, rounding_mode="trunc").tolist() == [-3, 3]
    assert wg.div(x, 2, rounding_mode="floor").tolist() == [-4, 3]
    assert wg.div(x, 2, rounding_mode="floor").dtype == np.int64
    assert wg.div(x, 2.0, rounding_mode="floor").dtype == np.float32
    f = wg.tensor([-7.0, 7.0], requires_grad=True)
    y = f.div(2, rounding_mode="trunc")
    assert y.tolist() == [-3.0, 3.0] and y.grad_fn is not None
    y.sum().backward()
    assert f.grad.tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match="rounding_mode"):
        wg.div(x, 2, rounding_mode="round")


def test_matrix_products_check_their_shapes():
    with pytest.raises(RuntimeError, match="mm"):
        wg.mm(wg.ones(3), wg.ones(3))
    with pytest.raises(RuntimeError, match="bmm"):
        wg.bmm(wg.ones(2, 3), wg.ones(3, 2))
    with pytest.raises(RuntimeError, match="mv"):
        wg.mv(wg.ones(2, 3), wg.ones(3, 1))
    with pytest.raises(RuntimeError, match="dot"):
        wg.dot(wg.ones(2, 3), wg.ones(2, 3))


def test_real_and_imag_are_attributes():
    x = wg.tensor([1.0, 2.0], requires_grad=True)
    assert x.real is x and wg.real(x) is x and x.conj() is x
    z = wg.tensor([1 + 2j, 3 - 1j])
    assert z.real.tolist() == [1.0, 3.0] and z.imag.tolist() == [2.0, -1.0]
    with pytest.raises(RuntimeError, match="non-complex"):
        x.imag


def test_errors_where_pytorch_refuses():
    i = wg.tensor([[1, 2], [3, 4]])
    for call in (lambda: i.std(), lambda: i.var(1), lambda: i.norm(),
                 lambda: wg.softmax(i, 0), lambda: i.log_softmax(1), lambda: i.mean()):
        with pytest.raises(RuntimeError):
            call()
    assert wg.softmax(i, 0, dtype=wg.float64).dtype == np.float64
    with pytest.raises(TypeError):
        wg.ones(2).softmax()
    with pytest.raises(NotImplementedError):
        wg.rand_like(i)


def test_cat_stack_and_normalize_write_out():
    a, b = wg.tensor([[1.0, 2.0]]), wg.tensor([[3.0, 4.0]])
    out = wg.zeros(2, 2)
    assert wg.cat([a, b], out=out) is out
    assert out.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    out = wg.zeros(2, 1, 2, dtype=wg.float64)
    assert wg.stack([a, b], out=out) is out and out.dtype == np.float64
    assert out.tolist() == [[[1.0, 2.0]], [[3.0, 4.0]]]
    out = wg.empty(0)  # resized to the result
    wg.cat([a, b], dim=1, out=out)
    assert out.tolist() == [[1.0, 2.0, 3.0, 4.0]]
    out = wg.zeros(1, 2)
    assert F.normalize(wg.tensor([[3.0, 4.0]]), out=out) is out
    np.testing.assert_allclose(arr(out), [[0.6, 0.8]], rtol=1e-6)
    assert wg.cat([wg.tensor([1]), wg.tensor([True])]).dtype == np.int64


def test_randint_forms():
    for k, lo, hi in [(wg.randint(10, (3,)), 0, 10), (wg.randint(2, 5, (4,)), 2, 5),
                      (wg.randint(7, size=(5,)), 0, 7),
                      (wg.randint(low=3, high=4, size=(2,)), 3, 4),
                      (wg.randint(5, high=6, size=(2,)), 5, 6)]:
        assert k.dtype == np.int64
        assert ((k >= lo) & (k < hi)).all()
    assert wg.randint(10, (2, 3)).shape == (2, 3)
    f = wg.randint(3, (50,), dtype=wg.float32)
    assert f.dtype == np.float32 and set(f.tolist()) <= {0.0, 1.0, 2.0}
    g = wg.randint_like(wg.zeros(20), 2, 5)
    assert g.dtype == np.float32 and set(g.tolist()) <= {2.0, 3.0, 4.0}
    assert wg.randint_like(wg.zeros(3, dtype=wg.int64), high=4).dtype == np.int64
    with pytest.raises(TypeError, match="size"):
        wg.randint(10)
    with pytest.raises(RuntimeError):
        wg.randint(5, 5, (2,))


def test_constructor_size_keyword():
    assert wg.zeros(size=(2, 3)).shape == (2, 3)
    assert wg.ones(size=[4]).shape == (4,)
    assert wg.rand(size=(2,)).shape == (2,) and wg.randn(size=(1, 2)).shape == (1, 2)
    assert wg.empty(size=(3,)).shape == (3,)
    assert wg.arange(end=3).tolist() == [0, 1, 2]


# ---------------------------------------------------------------- against PyTorch

VALUES = {
    "float32": [[-1.5, 0.0, 2.0], [0.5, 3.0, -2.5]],
    "float64": [[-1.5, 0.0, 2.0], [0.5, 3.0, -2.5]],
    "int64": [[-1, 0, 2], [1, 3, -2]],
    "bool": [[True, False, True], [False, True, True]],
}
FLOATS = ("float32", "float64")
ALL = FLOATS + ("int64", "bool")
CASES = {}  # label -> (call(lib, x), dtypes)


def case(label, call, dtypes=ALL):
    CASES[label] = (call, dtypes)


for _n in ["abs", "exp", "log", "log1p", "log2", "log10", "expm1", "sin", "cos", "tan",
           "sinh", "cosh", "tanh", "asin", "acos", "atan", "sqrt", "rsqrt", "square",
           "reciprocal", "sign", "floor", "ceil", "trunc", "round", "sigmoid", "relu",
           "neg", "isnan", "isinf", "isfinite", "logical_not", "clone", "detach",
           "ravel", "t", "real", "conj"]:
    case(f"torch.{_n}(x)", (lambda n: lambda L, x: getattr(L, n)(x))(_n),
         ALL if _n not in ("abs", "floor", "ceil", "trunc", "round", "relu", "neg")
         else FLOATS + ("int64",))
    if _n != "real":
        case(f"x.{_n}()", (lambda n: lambda L, x: getattr(x, n)())(_n),
             CASES[f"torch.{_n}(x)"][1])
case("x.real, x.imag", lambda L, x: (x.real, x.imag))
for _n in ["sum", "prod", "mean", "std", "var", "max", "min", "amax", "amin", "argmax",
           "argmin", "all", "any", "norm", "logsumexp", "count_nonzero"]:
    _dt = ALL if _n not in ("argmax", "argmin") else FLOATS + ("int64",)
    if _n != "logsumexp":
        case(f"torch.{_n}(x)", (lambda n: lambda L, x: getattr(L, n)(x))(_n), _dt)
    case(f"torch.{_n}(x, 1)", (lambda n: lambda L, x: getattr(L, n)(x, 1))(_n), _dt)
    if _n != "count_nonzero":
        case(f"torch.{_n}(x, dim=0, keepdim=True)",
             (lambda n: lambda L, x: getattr(L, n)(x, dim=0, keepdim=True))(_n), _dt)
case("x.sum(dtype=float64)", lambda L, x: x.sum(dtype=L.float64))
case("x.sum(dim=(0, 1))", lambda L, x: x.sum(dim=(0, 1)))
case("x.prod(1, dtype=float32)", lambda L, x: x.prod(1, dtype=L.float32))
case("x.mean(dtype=float64)", lambda L, x: x.mean(dtype=L.float64))
case("x.std(1, unbiased=False)", lambda L, x: x.std(1, unbiased=False))
case("x.var(0, correction=0)", lambda L, x: x.var(0, correction=0))
case("x.norm(p=1)", lambda L, x: x.norm(p=1))
case("x.norm(p=inf, dim=1)", lambda L, x: x.norm(p=float("inf"), dim=1))
case("x.norm(p=3, dim=1)", lambda L, x: x.norm(p=3, dim=1))
case("x.norm(p=0)", lambda L, x: x.norm(p=0))
case("x.norm(dtype=float64)", lambda L, x: x.norm(dtype=L.float64), FLOATS)
case("zero rows: x[:1] * 0).norm(dim=1)", lambda L, x: (x[:1] * 0).norm(dim=1), FLOATS)
case("torch.cumsum(x, 1)", lambda L, x: L.cumsum(x, 1))
case("torch.cumsum(x, dim=0, dtype=float64)", lambda L, x: L.cumsum(x, dim=0,
                                                                   dtype=L.float64))
case("torch.cumprod(x, 1)", lambda L, x: L.cumprod(x, 1))
case("x.cumprod(1, dtype=float32)", lambda L, x: x.cumprod(1, dtype=L.float32))
for _n in ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "atan2", "eq", "ne",
           "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor"]:
    _dt = ALL if _n != "pow" else FLOATS + ("int64",)
    if _n != "atan2":  # (atan2(0, 0): the derivative is nan, PyTorch's 0)
        case(f"torch.{_n}(x, x)", (lambda n: lambda L, x: getattr(L, n)(x, x))(_n), _dt)
    case(f"torch.{_n}(x, float32 row)", (lambda n: lambda L, x: getattr(L, n)(
        x, L.tensor([1.0, 2.0, 0.5])))(_n), _dt)
    case(f"torch.{_n}(x, int64 row)", (lambda n: lambda L, x: getattr(L, n)(
        x, L.tensor([1, 2, 3])))(_n), _dt)
    if _n not in ("maximum", "minimum", "atan2", "logical_and", "logical_or",
                  "logical_xor"):
        case(f"torch.{_n}(x, 2)", (lambda n: lambda L, x: getattr(L, n)(x, 2))(_n), _dt)
        case(f"torch.{_n}(x, 2.5)", (lambda n: lambda L, x: getattr(L, n)(x, 2.5))(_n),
             _dt)
for _op in ["+", "-", "*", "/", "**", "&", "|", "^", "<", "=="]:
    _dt = ALL if _op != "**" else FLOATS + ("int64",)
    for _other in ["x", "2", "1.5", "True"]:
        case(f"x {_op} {_other}", (lambda src: lambda L, x: eval(src))(f"x {_op} {_other}"),
             _dt)
    case(f"3 {_op} x", (lambda src: lambda L, x: eval(src))(f"3 {_op} x"), _dt)
for _op in ["//", "%"]:
    case(f"x {_op} 2", (lambda src: lambda L, x: eval(src))(f"x {_op} 2"), ("int64",))
    case(f"x {_op} x", (lambda src: lambda L, x: eval(src))(f"x {_op} x"), ("int64",))
    # (PyTorch records x // y with a backward that raises; wengert records nothing)
    case(f"x.detach() {_op} 1.5", (lambda src: lambda L, x: eval(src))(
        f"x.detach() {_op} 1.5"), FLOATS)
case("-x", lambda L, x: -x)
case("~x", lambda L, x: ~x)
case("x.add(x, alpha=2)", lambda L, x: x.add(x, alpha=2), FLOATS + ("int64",))
case("torch.add(x, 1.5, alpha=2)", lambda L, x: L.add(x, 1.5, alpha=2))
case("torch.div(x, 2, rounding_mode=trunc)", lambda L, x: L.div(x, 2,
                                                               rounding_mode="trunc"),
     FLOATS + ("int64",))
case("x.div(x[0], rounding_mode=floor)", lambda L, x: x.div(x[0] + 10,
                                                           rounding_mode="floor"),
     FLOATS + ("int64",))
case("x @ x.T", lambda L, x: x @ x.T, FLOATS + ("int64",))
case("torch.matmul(x, x.t())", lambda L, x: L.matmul(x, x.t()), FLOATS + ("int64",))
case("torch.mm(x, x.t())", lambda L, x: L.mm(x, x.t()), FLOATS + ("int64",))
case("torch.mm(x[0], x[0])", lambda L, x: L.mm(x[0], x[0]), FLOATS)
case("torch.mv(x, x[0])", lambda L, x: L.mv(x, x[0]), FLOATS + ("int64",))
case("torch.dot(x[0], x[1])", lambda L, x: L.dot(x[0], x[1]), FLOATS + ("int64",))
case("torch.outer(x[0], x[1])", lambda L, x: L.outer(x[0], x[1]))
case("torch.bmm(x[None], x.t()[None])", lambda L, x: L.bmm(x[None], x.t()[None]),
     FLOATS + ("int64",))
case("torch.clamp(x, -1, 1)", lambda L, x: L.clamp(x, -1, 1))
case("torch.clamp(x, -1.0, 1.5)", lambda L, x: L.clamp(x, -1.0, 1.5))
case("torch.clamp(x, min=0.5)", lambda L, x: L.clamp(x, min=0.5))
case("torch.clamp(x, max=1)", lambda L, x: L.clamp(x, max=1))
case("torch.clamp(x, min=tensor, max=tensor)", lambda L, x: L.clamp(
    x, min=L.tensor([-1.0, 0.5, 0.0]), max=L.tensor([1.0, 1.0, 1.0])))
case("torch.clip(x, 0)", lambda L, x: L.clip(x, 0))
case("x.clamp_min(0.5)", lambda L, x: x.clamp_min(0.5))
case("x.clamp_max(1)", lambda L, x: x.clamp_max(1))
case("torch.softmax(x, 1)", lambda L, x: L.softmax(x, 1))
case("torch.softmax(x, dim=0, dtype=float64)", lambda L, x: L.softmax(x, dim=0,
                                                                     dtype=L.float64))
case("torch.log_softmax(x, 1)", lambda L, x: L.log_softmax(x, 1))
case("x.softmax(-1)", lambda L, x: x.softmax(-1))
case("torch.reshape(x, (3, 2))", lambda L, x: L.reshape(x, (3, 2)))
case("torch.reshape(x, shape=(3, 2))", lambda L, x: L.reshape(x, shape=(3, 2)))
case("x.reshape(shape=(3, 2))", lambda L, x: x.reshape(shape=(3, 2)))
case("x.reshape(-1)", lambda L, x: x.reshape(-1))
case("x.view(3, 2)", lambda L, x: x.view(3, 2))
case("x.view(size=(6,))", lambda L, x: x.view(size=(6,)))
case("torch.flatten(x)", lambda L, x: L.flatten(x))
case("torch.squeeze(x[None])", lambda L, x: L.squeeze(x[None]))
case("torch.squeeze(x, 0)", lambda L, x: L.squeeze(x, 0))
case("torch.unsqueeze(x, -1)", lambda L, x: L.unsqueeze(x, -1))
case("torch.transpose(x, 0, 1)", lambda L, x: L.transpose(x, 0, 1))
case("torch.permute(x, dims=(1, 0))", lambda L, x: L.permute(x, dims=(1, 0)))
case("x.permute(1, 0)", lambda L, x: x.permute(1, 0))
case("torch.swapaxes(x, axis0=0, axis1=1)", lambda L, x: L.swapaxes(x, axis0=0, axis1=1))
case("x.swapdims(dim0=0, dim1=1)", lambda L, x: x.swapdims(dim0=0, dim1=1))
case("torch.diag(x)", lambda L, x: L.diag(x))
case("torch.diag(x[0], 1)", lambda L, x: L.diag(x[0], 1))
case("x.trace()", lambda L, x: x.trace(), FLOATS + ("int64",))
case("torch.tril(x)", lambda L, x: L.tril(x))
case("torch.triu(x, 1)", lambda L, x: L.triu(x, 1))
case("torch.masked_fill(x, mask, 1)", lambda L, x: L.masked_fill(
    x, L.tensor([True, False, True]), 1))
case("torch.chunk(x, 2, 1)", lambda L, x: L.chunk(x, 2, 1))
case("torch.chunk(x, 3, 0)", lambda L, x: L.chunk(x, 3, 0))
case("torch.split(x, [1, 2], dim=1)", lambda L, x: L.split(x, [1, 2], dim=1))
case("torch.unbind(x, 1)", lambda L, x: L.unbind(x, 1))
case("torch.gather(x, 1, idx)", lambda L, x: L.gather(x, 1, L.tensor([[0, 0], [2, 1]])))
case("torch.index_select(x, 1, idx)", lambda L, x: L.index_select(x, 1,
                                                                 L.tensor([2, 0])))
case("torch.sort(x)", lambda L, x: L.sort(x))
case("torch.sort(x, 0, descending=True)", lambda L, x: L.sort(x, 0, descending=True))
case("torch.argsort(x, 1, descending=True)", lambda L, x: L.argsort(x, 1,
                                                                   descending=True))
case("torch.topk(x, 2)", lambda L, x: L.topk(x, 2), FLOATS + ("int64",))
case("torch.max(x, 1)", lambda L, x: L.max(x, 1))
case("torch.max(x, x.flip?)", lambda L, x: L.max(x, x[[1, 0]]))
case("torch.cat([x, x], dim=1)", lambda L, x: L.cat([x, x], dim=1))
case("torch.cat([x, float32 row])", lambda L, x: L.cat([x, L.ones(1, 3)]))
case("torch.cat([x, int64 row])", lambda L, x: L.cat([x, L.ones(1, 3, dtype=L.int64)]))
case("torch.stack([x, x], dim=2)", lambda L, x: L.stack([x, x], dim=2))
case("torch.hstack([x, x])", lambda L, x: L.hstack([x, x]))
case("torch.vstack([x, x])", lambda L, x: L.vstack([x, x]))
case("torch.where(c, x, 0.0)", lambda L, x: L.where(x.double() > 0, x, 0.0))
case("torch.where(c, x, 0)", lambda L, x: L.where(x.double() > 0, x, 0))
case("torch.where(c, 1.0, x)", lambda L, x: L.where(x.double() > 0, 1.0, x))
case("torch.where(c, x, float32 row)", lambda L, x: L.where(x.double() > 0, x,
                                                             L.zeros(3)))
case("torch.where(x)", lambda L, x: L.where(x))
case("x.where(c, 0.0)", lambda L, x: x.where(x.double() > 0, 0.0))
case("torch.einsum('ij,kj->ik', x, x)", lambda L, x: L.einsum("ij,kj->ik", x, x),
     FLOATS + ("int64",))
case("torch.lerp(x, 2x, 0.5)", lambda L, x: L.lerp(x, x * 2, 0.5), FLOATS)
case("torch.broadcast_to(x[0], (2, 3))", lambda L, x: L.broadcast_to(x[0], (2, 3)))
case("torch.meshgrid(x[0], x[1], xy)", lambda L, x: L.meshgrid(x[0], x[1],
                                                               indexing="xy"))
case("torch.logsumexp(x, (0, 1))", lambda L, x: L.logsumexp(x, (0, 1)))
case("torch.cdist(x, x)", lambda L, x: L.cdist(x, x))
case("torch.cdist(x, x, p=1)", lambda L, x: L.cdist(x, x, p=1.0))
case("torch.cdist(x, x, p=3)", lambda L, x: L.cdist(x, x, p=3.0))
case("torch.cdist(x, x, p=inf)", lambda L, x: L.cdist(x, x, p=float("inf")))
case("torch.count_nonzero(x, (0, 1))", lambda L, x: L.count_nonzero(x, (0, 1)))
case("x[x > 0]", lambda L, x: x[x.double() > 0])
case("x.expand(2, 2, 3)", lambda L, x: x.expand(2, 2, 3))
case("x.repeat(2, 1)", lambda L, x: x.repeat(2, 1))
case("x.mT", lambda L, x: x.mT)
case("x.type_as(float64)", lambda L, x: x.type_as(L.zeros(1, dtype=L.float64)))
case("x.new_full((2,), 3)", lambda L, x: x.new_full((2,), 3))
case("torch.zeros_like(x)", lambda L, x: L.zeros_like(x))
case("torch.full_like(x, 2.5)", lambda L, x: L.full_like(x, 2.5))
case("torch.randint_like(x, 5): dtype, shape", lambda L, x: (
    L.randint_like(x, 5).dtype == x.dtype, tuple(L.randint_like(x, 1, 5).shape)),
    FLOATS + ("int64",))
case("torch.rand_like(x)", lambda L, x: L.rand_like(x).shape, ("int64",))
case("x.masked_fill(c, tensor(2.0))", lambda L, x: x.masked_fill(x.double() > 0,
                                                                 L.tensor(2.0)))
case("torch.nonzero(x)", lambda L, x: L.nonzero(x))
case("x.nonzero(as_tuple=True)", lambda L, x: x.nonzero(as_tuple=True))
case("torch.argwhere(x)", lambda L, x: L.argwhere(x))
case("torch.flip(x, (0, 1))", lambda L, x: L.flip(x, (0, 1)))
case("x.flip(1)", lambda L, x: x.flip(1))
case("torch.roll(x, 1)", lambda L, x: L.roll(x, 1))
case("x.roll((1, -1), (0, 1))", lambda L, x: x.roll((1, -1), (0, 1)))
case("torch.diagonal(x, 1)", lambda L, x: L.diagonal(x, 1))
case("x.diagonal(offset=-1, dim1=1, dim2=0)", lambda L, x: x.diagonal(offset=-1, dim1=1,
                                                                      dim2=0))
case("torch.narrow(x, 1, 1, 2)", lambda L, x: L.narrow(x, 1, 1, 2))
case("x.select(1, -1)", lambda L, x: x.select(1, -1))
case("x.unflatten(1, (3, 1))", lambda L, x: x.unflatten(1, (3, 1)))
case("torch.tile(x, (2,))", lambda L, x: L.tile(x, (2,)))
case("torch.masked_select(x, row mask)", lambda L, x: L.masked_select(
    x, L.tensor([True, False, True])))
case("torch.unique(x, return_inverse, return_counts)", lambda L, x: L.unique(
    x.detach(), return_inverse=True, return_counts=True))
case("torch.isclose(x, x + 1e-9)", lambda L, x: L.isclose(x, x.double() + 1e-9),
     FLOATS + ("int64",))
case("torch.isclose(x, x.flip(0))", lambda L, x: L.isclose(x, x.flip(0), atol=0.6))
case("x.allclose(x)", lambda L, x: x.allclose(x), FLOATS + ("int64",))
case("x.logsumexp(1)", lambda L, x: x.logsumexp(1))
case("x.count_nonzero(0)", lambda L, x: x.count_nonzero(0))
case("torch.remainder(x, 1.5)", lambda L, x: L.remainder(x.detach(), 1.5), FLOATS)
case("torch.fmod(x, 1.5)", lambda L, x: L.fmod(x, 1.5), FLOATS)
case("torch.fmod(x, 2)", lambda L, x: L.fmod(x, 2), ("int64",))
case("x.lerp(2x, 0.25)", lambda L, x: x.lerp(x * 2, 0.25), FLOATS)


def _summary(torch, r):
    if isinstance(r, (torch.Tensor, wg.Tensor)):
        dtype = str(r.dtype).replace("torch.", "") if isinstance(r, torch.Tensor) \
            else np.dtype(r.dtype).name
        return ("tensor", dtype, tuple(r.shape), np.asarray(r.detach().numpy()),
                r.requires_grad, r.grad_fn is not None)
    if isinstance(r, (tuple, list)) and not isinstance(r, (torch.Size, wg.Size)):
        return ("seq",) + tuple(_summary(torch, v) for v in r)
    if isinstance(r, (torch.Size, wg.Size)):
        return ("size", tuple(r))
    return ("value", r)


def _differences(want, got, where=""):
    if want[0] != got[0] or (want[0] == "seq" and len(want) != len(got)):
        return [f"{where}: {want[:1]} vs {got[:1]}"]
    if want[0] == "seq":
        return [d for i, (a, b) in enumerate(zip(want[1:], got[1:]))
                for d in _differences(a, b, f"{where}[{i}]")]
    if want[0] != "tensor":
        return [] if want == got else [f"{where}: {want[1]!r} vs {got[1]!r}"]
    out = []
    for k, name in ((1, "dtype"), (2, "shape"), (4, "requires_grad"), (5, "grad_fn")):
        if want[k] != got[k]:
            out.append(f"{where} {name}: {want[k]} (torch) vs {got[k]}")
    if want[2] == got[2]:
        kind = complex if want[3].dtype.kind == "c" else float
        a, b = want[3].astype(kind), got[3].astype(kind)
        if not np.allclose(a, b, rtol=1e-5, atol=1e-6, equal_nan=True):
            out.append(f"{where} values: {want[3].ravel()} vs {got[3].ravel()}")
    return out


def _grad_of(lib, call, x, r):
    """The gradient of sum(w * r) for fixed weights w (the first output of a tuple)."""
    if isinstance(r, (tuple, list)):
        r = r[0]
    if not r.requires_grad or r.dtype not in (lib.float32, lib.float64):
        return None
    w = lib.tensor(np.linspace(0.5, 1.5, r.numel()).reshape(tuple(r.shape)),
                   dtype=r.dtype)
    (r * w).sum().backward()
    return None if x.grad is None else np.asarray(x.grad.numpy())


def _run(lib, call, dtype, requires_grad):
    x = lib.tensor(VALUES[dtype], dtype=getattr(lib, dtype))
    if requires_grad:
        x.requires_grad_(True)
    r = call(lib, x)
    g = _grad_of(lib, call, x, r) if requires_grad and dtype == "float64" else None
    return r, g


@pytest.mark.parametrize("label", list(CASES))
def test_against_pytorch(label):
    torch = pytest.importorskip("torch")
    call, dtypes = CASES[label]
    problems = []
    with np.errstate(all="ignore"):
        for dtype in dtypes:
            for rg in ((False, True) if dtype in FLOATS else (False,)):
                where = f"{dtype}{', requires_grad' if rg else ''}"
                try:
                    want, want_grad = _run(torch, call, dtype, rg)
                except Exception:
                    try:
                        _run(wg, call, dtype, rg)
                    except Exception:
                        continue
                    problems.append(f"{where}: PyTorch raises, wengert does not")
                    continue
                try:
                    got, got_grad = _run(wg, call, dtype, rg)
                except Exception as e:
                    problems.append(f"{where}: wengert raises {type(e).__name__}: {e}")
                    continue
                problems += _differences(_summary(torch, want), _summary(torch, got),
                                         where)
                # PyTorch leaves .grad None where no gradient flows back (norm with
                # p=0): the same as zeros here
                want_grad, got_grad = (np.zeros_like(g) if h is None and g is not None
                                       and not g.any() else h for g, h in
                                       ((got_grad, want_grad), (want_grad, got_grad)))
                if (want_grad is None) != (got_grad is None) or want_grad is not None \
                        and not np.allclose(want_grad, got_grad, rtol=1e-7, atol=1e-9,
                                            equal_nan=True):
                    problems.append(f"{where} gradient: {want_grad} vs {got_grad}")
    assert not problems, "\n".join(problems)


def test_the_comparison_sees_a_difference():
    """The comparison above fails on a dtype, a value, a graph or a gradient that
    differs (so its passing says something)."""
    torch = pytest.importorskip("torch")
    x = torch.tensor([1.0, -2.0], requires_grad=True)
    y = wg.tensor([1.0, -2.0], requires_grad=True)
    base = _summary(torch, torch.relu(x))
    assert not _differences(base, _summary(torch, wg.relu(y)))
    assert _differences(base, _summary(torch, wg.relu(y).double()))
    assert _differences(base, _summary(torch, wg.relu(y).detach()))
    assert _differences(base, _summary(torch, wg.relu(y) + 1))
    assert _differences(_summary(torch, torch.relu(x.detach())),
                        _summary(torch, wg.relu(y)))


PROMOTION_DTYPES = ["float32", "float64", "float16", "int64", "int32", "uint8", "bool"]


@pytest.mark.parametrize("op", ["+", "/", "*", "<", "where", "maximum", "cat"])
def test_result_types_against_pytorch(op):
    """Every pair of dtypes, as 1-d and 0-d tensors: a 0-d tensor lifts only the
    category (float32 beside a float64 scalar tensor stays float32)."""
    torch = pytest.importorskip("torch")

    def run(lib, a, sa, b, sb):
        x, y = lib.ones(sa, dtype=getattr(lib, a)), lib.ones(sb, dtype=getattr(lib, b))
        if op == "where":
            return lib.where(lib.ones(3, dtype=lib.bool), x, y)
        if op == "maximum":
            return lib.maximum(x, y)
        if op == "cat":
            return lib.cat([x.reshape(-1), y.reshape(-1)])
        return eval(f"x {op} y")

    problems = []
    for a in PROMOTION_DTYPES:
        for b in PROMOTION_DTYPES:
            for sa, sb in [((3,), ()), ((), (3,)), ((3,), (3,)), ((), ())]:
                try:
                    want = str(run(torch, a, sa, b, sb).dtype).replace("torch.", "")
                except Exception:
                    continue
                got = np.dtype(run(wg, a, sa, b, sb).dtype).name
                if got != want:
                    problems.append(f"{a}{list(sa)} {op} {b}{list(sb)}: {want} vs {got}")
    assert not problems, "\n".join(problems)


def test_numpy_scalars_count_as_numbers():
    x = wg.ones(2)
    assert (x * np.float64(2.0)).dtype == np.float32
    assert (wg.ones(2, dtype=wg.int64) + np.float32(0.5)).dtype == np.float32
    assert (wg.ones(2, dtype=wg.int64) * 1j).dtype == np.complex64
    assert (x + wg.tensor(1.0, dtype=wg.float64)).dtype == np.float32
    assert (wg.tensor([1, 2]) + wg.tensor(0.5)).dtype == np.float32
