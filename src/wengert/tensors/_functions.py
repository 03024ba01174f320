"""PyTorch's top-level functions (``wg.sin(t)``, ``wg.cat([...], dim=1)``,
``wg.matmul(a, b, out=c)``...): the Tensor methods as functions, plus the few that
take several tensors. No rule lives here.

The functions made from methods get their docstrings from the table ``_DOCS`` at the
end (one line per name and an example each, run by the doctests).
"""

import re
import textwrap

import numpy as np

from .. import numpy as wnp
from ..core.trace import unbox_all
from ._creation import tensor
from ._methods import _floating, _highest, promoted
from ._methods import where as _where
from ._tensor import Tensor, _as_dtype

_METHODS = ["abs", "exp", "log", "log1p", "log2", "log10", "expm1", "sin", "cos", "tan",
            "sinh", "cosh", "tanh", "asin", "acos", "atan", "sqrt", "rsqrt", "square",
            "reciprocal", "sign", "floor", "ceil", "trunc", "round", "sigmoid", "relu",
            "neg", "real", "imag", "conj", "isnan", "isinf", "isfinite",
            "sum", "prod", "mean", "std", "var", "max", "min", "amax", "amin", "argmax",
            "argmin", "all", "any", "norm", "cumsum", "cumprod", "logical_not",
            "add", "sub", "mul", "multiply", "div", "divide", "pow", "matmul", "mm", "bmm",
            "mv", "dot", "outer", "clamp", "clip", "softmax", "log_softmax", "eq", "ne",
            "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor",
            "reshape", "flatten", "squeeze", "unsqueeze", "transpose", "permute", "t",
            "swapaxes", "diag", "trace", "tril", "triu", "masked_fill", "chunk", "split",
            "unbind", "gather", "index_select", "sort", "argsort", "topk", "numel",
            "clone", "detach", "ravel", "nonzero", "argwhere", "flip", "roll", "diagonal",
            "narrow", "select", "unflatten", "tile", "masked_select", "unique", "isclose",
            "remainder", "fmod"]

__all__ = [n for n in _METHODS if n != "trace"] + ["cat", "concat", "concatenate", "stack", "hstack", "vstack",
                            "where", "maximum", "minimum", "einsum", "allclose", "equal",
                            "is_tensor", "is_floating_point", "numel", "atan2", "lerp",
                            "broadcast_to", "meshgrid", "logsumexp", "cdist", "count_nonzero"]


def _as(x):
    return x if isinstance(x, Tensor) else tensor(x)


def write_out(out, result):
    """``result`` written into the tensor ``out`` (converted to its dtype, resized when
    the shape differs), which is returned: PyTorch's ``out=``. Only the values are
    written; ``out`` takes no part in the graph."""
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"out= must be a Tensor, got {type(out).__name__}")
    value = unbox_all(result._value) if isinstance(result, Tensor) else result
    if out.shape == np.shape(value) and isinstance(out._value, np.ndarray) \
            and out._value.flags.writeable:
        np.copyto(out._value, value, casting="unsafe")
    else:
        out._value = np.array(value, dtype=out.dtype)
    out._bump()
    return out


def _with_out(fn):
    def call(input, *args, out=None, **kwargs):
        return write_out(out, fn(_as(input), *args, **kwargs))
    call.__name__ = getattr(fn, "__name__", "fn")
    return call


for _name in _METHODS:
    globals()[_name] = _with_out((lambda n: lambda t, *a, **k: getattr(t, n)(*a, **k))(_name))
# attributes on a Tensor (as in PyTorch), functions here
real = _with_out(lambda t: t.real)
imag = _with_out(lambda t: t.imag)


def _tensors(seq):
    """The tensors of ``seq``, all in their PyTorch result type."""
    seq = [_as(t) for t in seq]
    if not seq:
        raise ValueError("expected a non-empty sequence of tensors")
    target, _ = _highest([np.dtype(t.dtype) for t in seq])
    return [_as_dtype(t, target) for t in seq]


def cat(tensors, dim=0, *, out=None):
    """The tensors joined along their existing dimension ``dim`` (the other dimensions
    must agree); also called ``concat`` and ``concatenate``. A sequence mixing integer
    and floating tensors is joined in the common float type. ``out``: a tensor that
    receives the result (converted to its dtype, resized when the shape differs) and is
    returned.

    >>> import wengert as wg
    >>> wg.cat([wg.ones(1, 2), wg.zeros(1, 2)], dim=1)
    tensor([[1., 1., 0., 0.]])
    >>> wg.cat([wg.tensor([1, 2]), wg.tensor([0.5])])
    tensor([1.0000, 2.0000, 0.5000])
    """
    return write_out(out, wnp.concatenate(_tensors(tensors), axis=dim))


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    """The tensors (all of one shape) joined along a new dimension at position ``dim``.
    Mixed integer and floating tensors are joined in the common float type. ``out``: a
    tensor that receives the result (converted to its dtype) and is returned.

    >>> import wengert as wg
    >>> wg.stack([wg.tensor([1, 2]), wg.tensor([3, 4])], dim=1)
    tensor([[1, 3],
            [2, 4]])
    """
    return write_out(out, wnp.stack(_tensors(tensors), axis=dim))


def hstack(tensors):
    """The tensors joined column-wise: along dimension 0 for 1-d tensors, along
    dimension 1 otherwise.

    >>> import wengert as wg
    >>> wg.hstack([wg.tensor([1, 2]), wg.tensor([3])])
    tensor([1, 2, 3])
    """
    return wnp.hstack(_tensors(tensors))


def vstack(tensors):
    """The tensors joined row-wise, along dimension 0; 1-d tensors become rows.

    >>> import wengert as wg
    >>> wg.vstack([wg.tensor([1, 2]), wg.tensor([3, 4])])
    tensor([[1, 2],
            [3, 4]])
    """
    return wnp.vstack(_tensors(tensors))


def where(condition, input=None, other=None):
    """``input`` where the bool ``condition`` is True and ``other`` elsewhere, all three
    broadcast, in PyTorch's result type of ``input`` and ``other`` (a number beside a
    tensor counts only when of a higher kind: an integer tensor and 0.5 give the
    default float type). The gradient flows to the entries chosen. ``where(condition)``
    alone is the tuple of index tensors of the nonzero entries, one per dimension
    (``nonzero(as_tuple=True)``).

    >>> import wengert as wg
    >>> x = wg.tensor([1.0, -2.0, 3.0])
    >>> wg.where(x > 0, x, 0.0), wg.where(x > 0, wg.tensor([1, 2, 3]), 0.5)
    (tensor([1., 0., 3.]), tensor([1.0000, 0.5000, 3.0000]))
    >>> wg.where(wg.tensor([[0, 1], [1, 0]]))
    (tensor([0, 1]), tensor([1, 0]))
    """
    if input is None and other is None:
        cond = np.asarray(unbox_all(getattr(condition, "_value", condition)))
        return tuple(tensor(i.astype(np.int64)) for i in np.nonzero(cond))
    if input is None or other is None:
        raise TypeError("where() takes a condition alone, or a condition, input and other")
    return _where(condition, input, other)


def maximum(input, other):
    """The larger of ``input`` and ``other`` at each position (broadcast, in the
    result type of the two); nan if either is nan.

    >>> import wengert as wg
    >>> wg.maximum(wg.tensor([1.0, 4.0]), wg.tensor([3.0, 2.0]))
    tensor([3., 4.])
    """
    return promoted(wnp.maximum, _as(input), other)


def minimum(input, other):
    """The smaller of ``input`` and ``other`` at each position (broadcast, in the
    result type of the two); nan if either is nan.

    >>> import wengert as wg
    >>> wg.minimum(wg.tensor([1.0, 4.0]), wg.tensor([3.0, 2.0]))
    tensor([1., 2.])
    """
    return promoted(wnp.minimum, _as(input), other)


def atan2(input, other):
    """The angle of the point (x = ``other``, y = ``input``) at each position, in
    (-pi, pi]: ``atan(input / other)`` with the quadrant taken into account; integer
    tensors give the default float type.

    >>> import wengert as wg
    >>> wg.atan2(wg.tensor([1.0, 1.0]), wg.tensor([1.0, -1.0]))
    tensor([0.7854, 2.3562])
    """
    return promoted(wnp.arctan2, _as(input), other, floating=True)


def lerp(input, end, weight):
    """Linear interpolation ``input + weight * (end - input)``; ``weight`` a number or
    a tensor (broadcast). Tensors are expected for ``input`` and ``end``.

    >>> import wengert as wg
    >>> wg.lerp(wg.tensor([0.0, 10.0]), wg.tensor([1.0, 20.0]), 0.25)
    tensor([ 0.2500, 12.5000])
    """
    return input + weight * (end - input)


def einsum(equation, *operands):
    """Einstein summation with numpy's notation: ``equation`` names the dimensions of
    each operand (``"ij,j->i"``); indices left out of the output are summed. The
    operands are given one by one or as one list.

    >>> import wengert as wg
    >>> A = wg.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> wg.einsum("ij,j->i", A, wg.tensor([1.0, 1.0])), wg.einsum("ii", A)
    (tensor([3., 7.]), tensor(5.))
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = operands[0]
    return wnp.einsum(equation, *_tensors(operands))


def broadcast_to(input, shape):
    """``input`` repeated to ``shape`` by broadcasting (new leading dimensions, size-1
    dimensions stretched); the gradient sums back over the copies.

    >>> import wengert as wg
    >>> wg.broadcast_to(wg.tensor([1, 2]), (2, 2))
    tensor([[1, 2],
            [1, 2]])
    """
    return wnp.broadcast_to(_as(input), tuple(shape))


def meshgrid(*tensors, indexing="ij"):
    """Coordinate grids from 1-d tensors (given one by one or as one list): a tuple with
    one tensor per input, each of the shape ``(len(t0), len(t1), ...)``.
    ``indexing="xy"`` swaps the first two dimensions (Cartesian order). The default is
    ``"ij"``, as PyTorch's, without its warning.

    >>> import wengert as wg
    >>> xs, ys = wg.meshgrid(wg.tensor([1, 2]), wg.tensor([3, 4, 5]))
    >>> xs
    tensor([[1, 1, 1],
            [2, 2, 2]])
    >>> ys
    tensor([[3, 4, 5],
            [3, 4, 5]])
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tensors[0]
    return tuple(wnp.meshgrid(*_tensors(tensors), indexing=indexing))


def logsumexp(input, dim, keepdim=False):
    """``log(sum(exp(x)))`` along ``dim`` (an int or a tuple), without overflow;
    ``keepdim=True`` keeps the reduced dimensions with size 1.

    >>> import wengert as wg
    >>> wg.logsumexp(wg.tensor([[0.0, 0.0], [1.0, 1000.0]]), dim=1)
    tensor([6.9315e-01, 1.0000e+03])
    """
    from ..scipy.special import logsumexp as lse
    return lse(_floating(_as(input)), axis=dim, keepdims=keepdim)


def cdist(x1, x2, p=2.0, compute_mode=None):
    """The p-norm distance between each row of ``x1`` (shape (..., P, M)) and each row
    of ``x2`` (shape (..., R, M)): a tensor of shape (..., P, R). ``p`` is any number
    >= 0 or ``float('inf')``; at a zero distance the derivative is 0, as PyTorch's.
    ``compute_mode`` is accepted (the distances are always computed directly).

    >>> import wengert as wg
    >>> a = wg.tensor([[0.0, 0.0], [1.0, 1.0]])
    >>> wg.cdist(a, wg.tensor([[3.0, 4.0]])), wg.cdist(a, wg.tensor([[3.0, 4.0]]), p=1.0)
    (tensor([[5.0000],
            [3.6056]]), tensor([[7.],
            [5.]]))
    """
    x1, x2 = _as(x1), _as(x2)
    for name, t in (("X1", x1), ("X2", x2)):
        if t.dtype.kind != "f":
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{t.dtype.name}")
        if t.dim() < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: "
                               f"{t.dim()}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    d = x1[..., :, None, :] - x2[..., None, :, :]
    return d.norm(p=p, dim=-1)


def count_nonzero(input, dim=None):
    """The number of nonzero elements, in all or along ``dim`` (an int or a tuple), as
    an int64 tensor.

    >>> import wengert as wg
    >>> wg.count_nonzero(wg.tensor([[0, 1], [2, 3]])), wg.count_nonzero(
    ...     wg.tensor([[0, 1], [2, 3]]), dim=0)
    (tensor(3), tensor([1, 2]))
    """
    return tensor(np.count_nonzero(unbox_all(_as(input)._value), axis=dim))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether ``|input - other| <= atol + rtol * |other|`` everywhere (broadcast), as
    a Python bool; nan equals nan only with ``equal_nan=True``.

    >>> import wengert as wg
    >>> wg.allclose(wg.tensor([1.0, 2.0]), wg.tensor([1.0, 2.0 + 1e-9]))
    True
    >>> wg.allclose(wg.tensor([float("nan")]), wg.tensor([float("nan")]))
    False
    """
    return bool(np.allclose(unbox_all(_as(input)._value), unbox_all(_as(other)._value),
                            rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(input, other):
    """Whether the two have the same shape and the same values, as a Python bool (the
    dtypes are not compared).

    >>> import wengert as wg
    >>> wg.equal(wg.tensor([1, 2]), wg.tensor([1.0, 2.0])), wg.equal(
    ...     wg.tensor([1, 2]), wg.tensor([[1, 2]]))
    (True, False)
    """
    a, b = unbox_all(_as(input)._value), unbox_all(_as(other)._value)
    return a.shape == b.shape and bool(np.array_equal(a, b))


def is_tensor(obj):
    """Whether ``obj`` is a wengert ``Tensor`` (a ``Parameter`` too).

    >>> import wengert as wg
    >>> wg.is_tensor(wg.tensor(1.0)), wg.is_tensor(1.0)
    (True, False)
    """
    return isinstance(obj, Tensor)


def is_floating_point(input):
    """Whether the tensor's dtype is a floating type (float16, float32, float64).

    >>> import wengert as wg
    >>> wg.is_floating_point(wg.tensor([1.0])), wg.is_floating_point(wg.tensor([1]))
    (True, False)
    """
    return input.dtype.kind == "f"


def numel(input):
    """The number of elements of ``input`` (a tensor, or a list or array), as an int.

    >>> import wengert as wg
    >>> wg.numel(wg.zeros(2, 3))
    6
    """
    return _as(input).numel()


# The docstrings of the functions above, one entry per name: the signature (PyTorch's),
# what it computes with its options (and what differs from PyTorch), an example call
# and its printed result. ``_docstring`` adds what they share.
_FLOAT = " An integer or bool tensor gives the default float type (float32)."
_SAME_DIM = " ``keepdim=True`` keeps each reduced dimension with size 1."
_DOCS = {
    # ---- elementwise, one tensor
    "abs": ("abs(input, *, out=None)", "The absolute value of each element.",
            "wg.abs(wg.tensor([-1.5, 2.0]))", "tensor([1.5000, 2.0000])"),
    "exp": ("exp(input, *, out=None)", "e to the power of each element." + _FLOAT,
            "wg.exp(wg.tensor([0.0, 1.0]))", "tensor([1.0000, 2.7183])"),
    "log": ("log(input, *, out=None)", "The natural logarithm of each element (nan "
            "below 0, -inf at 0)." + _FLOAT,
            "wg.log(wg.tensor([1.0, 4.0]))", "tensor([0.0000, 1.3863])"),
    "log1p": ("log1p(input, *, out=None)", "log(1 + x), accurate for small x." + _FLOAT,
              "wg.log1p(wg.tensor([0.0, 1e-10]))", "tensor([0.0000e+00, 1.0000e-10])"),
    "log2": ("log2(input, *, out=None)", "The base-2 logarithm of each element." + _FLOAT,
             "wg.log2(wg.tensor([1.0, 8.0]))", "tensor([0., 3.])"),
    "log10": ("log10(input, *, out=None)", "The base-10 logarithm of each element."
              + _FLOAT, "wg.log10(wg.tensor([1.0, 100.0]))", "tensor([0., 2.])"),
    "expm1": ("expm1(input, *, out=None)", "exp(x) - 1, accurate for small x." + _FLOAT,
              "wg.expm1(wg.tensor([0.0, 1e-10]))", "tensor([0.0000e+00, 1.0000e-10])"),
    "sin": ("sin(input, *, out=None)", "The sine of each element (radians)." + _FLOAT,
            "wg.sin(wg.tensor([0.0, 1.0]))", "tensor([0.0000, 0.8415])"),
    "cos": ("cos(input, *, out=None)", "The cosine of each element (radians)." + _FLOAT,
            "wg.cos(wg.tensor([0.0, 1.0]))", "tensor([1.0000, 0.5403])"),
    "tan": ("tan(input, *, out=None)", "The tangent of each element (radians)." + _FLOAT,
            "wg.tan(wg.tensor([0.0, 1.0]))", "tensor([0.0000, 1.5574])"),
    "sinh": ("sinh(input, *, out=None)", "The hyperbolic sine of each element." + _FLOAT,
             "wg.sinh(wg.tensor([0.0, 1.0]))", "tensor([0.0000, 1.1752])"),
    "cosh": ("cosh(input, *, out=None)", "The hyperbolic cosine of each element." + _FLOAT,
             "wg.cosh(wg.tensor([0.0, 1.0]))", "tensor([1.0000, 1.5431])"),
    "tanh": ("tanh(input, *, out=None)", "The hyperbolic tangent of each element."
             + _FLOAT, "wg.tanh(wg.tensor([0.0, 1.0]))", "tensor([0.0000, 0.7616])"),
    "asin": ("asin(input, *, out=None)", "The inverse sine of each element, in "
             "[-pi/2, pi/2] (nan outside [-1, 1])." + _FLOAT,
             "wg.asin(wg.tensor([0.0, 1.0]))", "tensor([0.0000, 1.5708])"),
    "acos": ("acos(input, *, out=None)", "The inverse cosine of each element, in "
             "[0, pi] (nan outside [-1, 1])." + _FLOAT,
             "wg.acos(wg.tensor([0.0, 1.0]))", "tensor([1.5708, 0.0000])"),
    "atan": ("atan(input, *, out=None)", "The inverse tangent of each element, in "
             "(-pi/2, pi/2); ``atan2`` takes the quadrant into account." + _FLOAT,
             "wg.atan(wg.tensor([0.0, 1.0]))", "tensor([0.0000, 0.7854])"),
    "sqrt": ("sqrt(input, *, out=None)", "The square root of each element (nan below "
             "0)." + _FLOAT, "wg.sqrt(wg.tensor([4.0, 2.0]))", "tensor([2.0000, 1.4142])"),
    "rsqrt": ("rsqrt(input, *, out=None)", "1 / sqrt(x) for each element." + _FLOAT,
              "wg.rsqrt(wg.tensor([4.0, 0.25]))", "tensor([0.5000, 2.0000])"),
    "square": ("square(input, *, out=None)", "x * x for each element (integers stay "
               "integers).", "wg.square(wg.tensor([3.0, -2.0]))", "tensor([9., 4.])"),
    "reciprocal": ("reciprocal(input, *, out=None)", "1 / x for each element." + _FLOAT,
                   "wg.reciprocal(wg.tensor([4.0, -0.5]))", "tensor([ 0.2500, -2.0000])"),
    "sign": ("sign(input, *, out=None)", "-1, 0 or 1 by the sign of each element; its "
             "derivative is 0.", "wg.sign(wg.tensor([-2.0, 0.0, 3.0]))",
             "tensor([-1.,  0.,  1.])"),
    "floor": ("floor(input, *, out=None)", "The largest integer <= x, for each element "
              "(in the input's dtype); derivative 0.", "wg.floor(wg.tensor([-1.5, 1.5]))",
              "tensor([-2.,  1.])"),
    "ceil": ("ceil(input, *, out=None)", "The smallest integer >= x, for each element "
             "(in the input's dtype); derivative 0.", "wg.ceil(wg.tensor([-1.5, 1.5]))",
             "tensor([-1.,  2.])"),
    "trunc": ("trunc(input, *, out=None)", "Each element rounded towards 0; derivative "
              "0.", "wg.trunc(wg.tensor([-1.5, 1.5]))", "tensor([-1.,  1.])"),
    "round": ("round(input, *, decimals=0, out=None)", "Each element rounded to "
              "``decimals`` decimal places, halves to even (0.5 -> 0, 1.5 -> 2); "
              "derivative 0 (the result stays on the graph when the input requires "
              "grad).",
              "wg.round(wg.tensor([0.5, 1.5, 2.567])), wg.round(wg.tensor([2.567]), "
              "decimals=2)", "(tensor([0., 2., 3.]), tensor([2.5700]))"),
    "sigmoid": ("sigmoid(input, *, out=None)", "The logistic function 1 / (1 + exp(-x)) "
                "of each element, without overflow." + _FLOAT,
                "wg.sigmoid(wg.tensor([0.0, 2.0]))", "tensor([0.5000, 0.8808])"),
    "relu": ("relu(input, *, out=None)", "max(x, 0) for each element (negatives give "
             "+0.0, nan stays nan); the derivative at 0 is 0.",
             "wg.relu(wg.tensor([-1.0, 0.5, 2.0]))", "tensor([0.0000, 0.5000, 2.0000])"),
    "neg": ("neg(input, *, out=None)", "-x for each element.",
            "wg.neg(wg.tensor([1.0, -2.0]))", "tensor([-1.,  2.])"),
    "real": ("real(input)", "The real part of each element (the input itself for a "
             "real tensor).", "wg.real(wg.tensor([1 + 2j, 3 - 1j]))", "tensor([1., 3.])"),
    "imag": ("imag(input)", "The imaginary part of each element (a real tensor raises "
             "RuntimeError, as in PyTorch).",
             "wg.imag(wg.tensor([1 + 2j, 3 - 1j]))", "tensor([ 2., -1.])"),
    "conj": ("conj(input)", "The complex conjugate of each element (the input itself "
             "for a real tensor).", "wg.conj(wg.tensor([1 + 2j]))", "tensor([1.-2.j])"),
    "isnan": ("isnan(input)", "A bool tensor, True where an element is nan.",
              "wg.isnan(wg.tensor([1.0, float('nan')]))", "tensor([False,  True])"),
    "isinf": ("isinf(input)", "A bool tensor, True where an element is inf or -inf.",
              "wg.isinf(wg.tensor([1.0, float('-inf')]))", "tensor([False,  True])"),
    "isfinite": ("isfinite(input)", "A bool tensor, True where an element is neither "
                 "nan nor infinite.", "wg.isfinite(wg.tensor([1.0, float('inf'), "
                 "float('nan')]))", "tensor([ True, False, False])"),
    # ---- reductions
    "sum": ("sum(input, dim=None, keepdim=False, *, dtype=None, out=None)", "The sum of "
            "all elements, or over ``dim`` (an int or a tuple of ints)." + _SAME_DIM
            + " ``dtype`` converts the input first.",
            "wg.sum(wg.tensor([[1, 2], [3, 4]]), dim=1, keepdim=True)",
            "tensor([[3],\n        [7]])"),
    "prod": ("prod(input, dim=None, keepdim=False, *, dtype=None, out=None)", "The "
             "product of all elements, or over ``dim``." + _SAME_DIM + " ``dtype`` "
             "converts the input first.", "wg.prod(wg.tensor([[1.0, 2.0], [3.0, 4.0]]), "
             "dim=1)", "tensor([ 2., 12.])"),
    "mean": ("mean(input, dim=None, keepdim=False, *, dtype=None, out=None)", "The mean "
             "of all elements, or over ``dim`` (an int or a tuple)." + _SAME_DIM + " An "
             "integer tensor raises RuntimeError, as in PyTorch; ``dtype`` converts "
             "first.", "wg.mean(wg.tensor([[1.0, 2.0], [3.0, 4.0]]), dim=0)",
             "tensor([2., 3.])"),
    "std": ("std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, "
            "out=None)", "The standard deviation over ``dim`` (all elements by default), "
            "dividing by N - ``correction`` (default 1, Bessel's correction; "
            "``unbiased=False`` is ``correction=0``)." + _SAME_DIM,
            "wg.std(wg.tensor([1.0, 2.0, 3.0, 4.0])), wg.std(wg.tensor([1.0, 2.0, 3.0, "
            "4.0]), correction=0)", "(tensor(1.2910), tensor(1.1180))"),
    "var": ("var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, "
            "out=None)", "The variance over ``dim`` (all elements by default), dividing "
            "by N - ``correction`` (default 1; ``unbiased=False`` is ``correction=0``)."
            + _SAME_DIM, "wg.var(wg.tensor([1.0, 2.0, 3.0, 4.0]), unbiased=False)",
            "tensor(1.2500)"),
    "max": ("max(input, dim=None, keepdim=False)", "The largest element; with ``dim``, "
            "the named tuple ``(values, indices)`` of the maxima along ``dim`` and where "
            "they are (PyTorch's ``torch.return_types.max``); ``max(input, other)`` with a "
            "tensor ``other`` is ``maximum``." + _SAME_DIM,
            "wg.max(wg.tensor([[1.0, 5.0], [3.0, 4.0]]), dim=1)",
            "MinMax(values=tensor([5., 4.]), indices=tensor([1, 1]))"),
    "min": ("min(input, dim=None, keepdim=False)", "The smallest element; with ``dim``, "
            "the named tuple ``(values, indices)`` of the minima along ``dim``; "
            "``min(input, other)`` with a tensor ``other`` is ``minimum``." + _SAME_DIM,
            "wg.min(wg.tensor([[1.0, 5.0], [3.0, 4.0]]), dim=0)",
            "MinMax(values=tensor([1., 4.]), indices=tensor([0, 1]))"),
    "amax": ("amax(input, dim=None, keepdim=False, *, out=None)", "The largest element "
             "over ``dim`` (an int or a tuple; all by default), values only." + _SAME_DIM,
             "wg.amax(wg.tensor([[1.0, 5.0], [3.0, 4.0]]), dim=0)", "tensor([3., 5.])"),
    "amin": ("amin(input, dim=None, keepdim=False, *, out=None)", "The smallest element "
             "over ``dim`` (an int or a tuple; all by default), values only." + _SAME_DIM,
             "wg.amin(wg.tensor([[1.0, 5.0], [3.0, 4.0]]), dim=1)", "tensor([1., 3.])"),
    "argmax": ("argmax(input, dim=None, keepdim=False, *, out=None)", "The int64 index "
               "of the largest element (in the flattened tensor without ``dim``, the first "
               "one on ties)." + _SAME_DIM,
               "wg.argmax(wg.tensor([[1.0, 5.0], [3.0, 4.0]])), "
               "wg.argmax(wg.tensor([[1.0, 5.0], [3.0, 4.0]]), dim=1)",
               "(tensor(1), tensor([1, 1]))"),
    "argmin": ("argmin(input, dim=None, keepdim=False, *, out=None)", "The int64 index "
               "of the smallest element (in the flattened tensor without ``dim``)."
               + _SAME_DIM, "wg.argmin(wg.tensor([[1.0, 5.0], [3.0, 4.0]]), dim=0)",
               "tensor([0, 1])"),
    "all": ("all(input, dim=None, keepdim=False, *, out=None)", "A bool tensor: whether "
            "every element (over ``dim``, or all) is nonzero." + _SAME_DIM,
            "wg.all(wg.tensor([[True, False], [True, True]]), dim=1)",
            "tensor([False,  True])"),
    "any": ("any(input, dim=None, keepdim=False, *, out=None)", "A bool tensor: whether "
            "some element (over ``dim``, or any) is nonzero." + _SAME_DIM,
            "wg.any(wg.tensor([[True, False], [False, False]]), dim=1)",
            "tensor([ True, False])"),
    "norm": ("norm(input, p='fro', dim=None, keepdim=False, dtype=None, *, out=None)",
             "The vector p-norm over ``dim`` (all elements by default): ``p`` is 'fro' or "
             "2 (Euclidean), 1, ``float('inf')`` (largest absolute value) or any other "
             "number (0 counts the nonzero elements, ``float('-inf')`` takes the "
             "smallest absolute value)." + _SAME_DIM + " ``dtype`` converts the input "
             "first; an integer tensor raises RuntimeError, as in PyTorch. At a zero "
             "vector the derivative is 0.",
             "wg.norm(wg.tensor([3.0, -4.0])), wg.norm(wg.tensor([3.0, -4.0]), p=1)",
             "(tensor(5.), tensor(7.))"),
    "cumsum": ("cumsum(input, dim, *, dtype=None, out=None)", "The running sum along "
               "``dim``; ``dtype`` converts the input first, and without it integer and "
               "bool tensors sum in int64.",
               "wg.cumsum(wg.tensor([1, 2, 3]), dim=0)", "tensor([1, 3, 6])"),
    "cumprod": ("cumprod(input, dim, *, dtype=None, out=None)", "The running product "
                "along ``dim``; ``dtype`` converts the input first, and without it "
                "integer and bool tensors multiply in int64.",
                "wg.cumprod(wg.tensor([1.0, 2.0, 3.0]), dim=0)", "tensor([1., 2., 6.])"),
    "logical_not": ("logical_not(input, *, out=None)", "A bool tensor, True where an "
                    "element is False or 0 (``~x`` is the bitwise not of an integer "
                    "tensor).", "wg.logical_not(wg.tensor([True, False])), "
                    "wg.logical_not(wg.tensor([0, 3]))",
                    "(tensor([False,  True]), tensor([ True, False]))"),
    # ---- two operands (``other`` a tensor, a number or an array; broadcast)
    "add": ("add(input, other, *, alpha=1, out=None)", "input + alpha * other, "
            "broadcast, with PyTorch's type promotion (an integer tensor plus a float "
            "gives the default float type).", "wg.add(wg.tensor([1.0, 2.0]), "
            "wg.tensor([10.0, 20.0]), alpha=2)", "tensor([21., 42.])"),
    "sub": ("sub(input, other, *, alpha=1, out=None)", "input - alpha * other, "
            "broadcast.", "wg.sub(wg.tensor([1.0, 2.0]), 1.0)", "tensor([0., 1.])"),
    "mul": ("mul(input, other, *, out=None)", "input * other, elementwise and "
            "broadcast; also called ``multiply``.",
            "wg.mul(wg.tensor([1.0, 2.0]), wg.tensor([3.0, 4.0]))", "tensor([3., 8.])"),
    "multiply": ("multiply(input, other, *, out=None)", "input * other, elementwise and "
                 "broadcast (``mul``).", "wg.multiply(wg.tensor([1, 2]), 3)",
                 "tensor([3, 6])"),
    "div": ("div(input, other, *, rounding_mode=None, out=None)", "input / other, "
            "true division (integers give the default float type), broadcast; also "
            "called ``divide``. ``rounding_mode='trunc'`` rounds the quotient towards 0, "
            "``'floor'`` down (integers then stay integers; derivative 0).",
            "wg.div(wg.tensor([1, 3]), 2), wg.div(wg.tensor([-7, 7]), 2, "
            "rounding_mode='trunc')", "(tensor([0.5000, 1.5000]), tensor([-3,  3]))"),
    "divide": ("divide(input, other, *, rounding_mode=None, out=None)", "input / "
               "other, true division, broadcast (``div``).",
               "wg.divide(wg.tensor([1.0, 3.0]), wg.tensor([2.0, 4.0]))",
               "tensor([0.5000, 0.7500])"),
    "pow": ("pow(input, exponent, *, out=None)", "input ** exponent, elementwise and "
            "broadcast; ``exponent`` a number or a tensor.",
            "wg.pow(wg.tensor([2.0, 3.0]), wg.tensor([3.0, 0.5]))",
            "tensor([8.0000, 1.7321])"),
    "matmul": ("matmul(input, other, *, out=None)", "The matrix product ``input @ "
               "other``, with numpy's rules: a 1-d operand is a vector, leading "
               "dimensions broadcast as batches.",
               "wg.matmul(wg.tensor([[1.0, 2.0], [3.0, 4.0]]), wg.tensor([1.0, 1.0]))",
               "tensor([3., 7.])"),
    "mm": ("mm(input, mat2, *, out=None)", "The product of two matrices, ``input @ "
           "mat2``; anything but two 2-d tensors raises RuntimeError (``matmul`` "
           "broadcasts).", "wg.mm(wg.tensor([[1.0, 2.0], [3.0, 4.0]]), "
           "wg.tensor([[0.0, 1.0], [1.0, 0.0]]))", "tensor([[2., 1.],\n        [4., 3.]])"),
    "bmm": ("bmm(input, mat2, *, out=None)", "Batched matrix products: (b, n, m) @ (b, m, "
            "p) gives (b, n, p); anything but two 3-d tensors raises RuntimeError.",
            "wg.bmm(wg.ones(2, 1, 3), wg.ones(2, 3, 2)).shape", "Size([2, 1, 2])"),
    "mv": ("mv(input, vec, *, out=None)", "The product of a matrix and a vector (other "
           "shapes raise RuntimeError).",
           "wg.mv(wg.tensor([[1.0, 2.0], [3.0, 4.0]]), wg.tensor([1.0, -1.0]))",
           "tensor([-1., -1.])"),
    "dot": ("dot(input, other, *, out=None)", "The inner product of two 1-d tensors (no "
            "complex conjugation; other shapes raise RuntimeError).",
            "wg.dot(wg.tensor([1.0, 2.0]), wg.tensor([3.0, 4.0]))", "tensor(11.)"),
    "outer": ("outer(input, vec2, *, out=None)", "The outer product of two 1-d tensors: "
              "result[i, j] = input[i] * vec2[j].",
              "wg.outer(wg.tensor([1.0, 2.0]), wg.tensor([1.0, 10.0]))",
              "tensor([[ 1., 10.],\n        [ 2., 20.]])"),
    "clamp": ("clamp(input, min=None, max=None, *, out=None)", "Each element limited to "
              "[min, max] (either bound may be None; numbers or tensors); also called "
              "``clip``. The derivative is 0 where a bound is taken; nan stays nan. "
              "The result type joins the input and the bounds (an integer tensor with a "
              "float bound gives the default float type).",
              "wg.clamp(wg.tensor([-2.0, 0.5, 3.0]), min=-1.0, max=1.0)",
              "tensor([-1.0000,  0.5000,  1.0000])"),
    "clip": ("clip(input, min=None, max=None, *, out=None)", "Each element limited to "
             "[min, max] (``clamp``).", "wg.clip(wg.tensor([-2.0, 0.5, 3.0]), 0.0)",
             "tensor([0.0000, 0.5000, 3.0000])"),
    "softmax": ("softmax(input, dim, *, dtype=None)", "exp(x) / sum(exp(x)) along "
                "``dim``, without overflow; ``dtype`` converts the input first (an "
                "integer input without it raises, as in PyTorch).",
                "wg.softmax(wg.tensor([[1.0, 1.0], [0.0, 2.0]]), dim=1)",
                "tensor([[0.5000, 0.5000],\n        [0.1192, 0.8808]])"),
    "log_softmax": ("log_softmax(input, dim, *, dtype=None)", "x - logsumexp(x) along "
                    "``dim``, the logarithm of ``softmax`` computed without overflow; "
                    "``dtype`` converts the input first.",
                    "wg.log_softmax(wg.tensor([1.0, 2.0, 3.0]), dim=0)",
                    "tensor([-2.4076, -1.4076, -0.4076])"),
    "eq": ("eq(input, other, *, out=None)", "A bool tensor, True where input == other "
           "(broadcast). ``equal`` compares whole tensors.",
           "wg.eq(wg.tensor([1, 2, 3]), 2)", "tensor([False,  True, False])"),
    "ne": ("ne(input, other, *, out=None)", "A bool tensor, True where input != other.",
           "wg.ne(wg.tensor([1, 2, 3]), wg.tensor([1, 0, 3]))",
           "tensor([False,  True, False])"),
    "lt": ("lt(input, other, *, out=None)", "A bool tensor, True where input < other.",
           "wg.lt(wg.tensor([1, 2, 3]), 2)", "tensor([ True, False, False])"),
    "le": ("le(input, other, *, out=None)", "A bool tensor, True where input <= other.",
           "wg.le(wg.tensor([1, 2, 3]), 2)", "tensor([ True,  True, False])"),
    "gt": ("gt(input, other, *, out=None)", "A bool tensor, True where input > other.",
           "wg.gt(wg.tensor([1, 2, 3]), 2)", "tensor([False, False,  True])"),
    "ge": ("ge(input, other, *, out=None)", "A bool tensor, True where input >= other.",
           "wg.ge(wg.tensor([1, 2, 3]), 2)", "tensor([False,  True,  True])"),
    "logical_and": ("logical_and(input, other, *, out=None)", "A bool tensor, True "
                    "where both are nonzero.", "wg.logical_and(wg.tensor([True, True, "
                    "False]), wg.tensor([True, False, False]))",
                    "tensor([ True, False, False])"),
    "logical_or": ("logical_or(input, other, *, out=None)", "A bool tensor, True where "
                   "either is nonzero.", "wg.logical_or(wg.tensor([1, 0, 0]), "
                   "wg.tensor([1, 2, 0]))", "tensor([ True,  True, False])"),
    "logical_xor": ("logical_xor(input, other, *, out=None)", "A bool tensor, True "
                    "where exactly one is nonzero.", "wg.logical_xor(wg.tensor([True, "
                    "False]), wg.tensor([True, True]))", "tensor([False,  True])"),
    # ---- shapes
    "reshape": ("reshape(input, shape)", "The elements in a new shape, row-major: "
                "``shape`` a tuple (or the sizes one by one, or ``shape=``), one -1 "
                "inferred.",
                "wg.reshape(wg.arange(6), (3, -1))",
                "tensor([[0, 1],\n        [2, 3],\n        [4, 5]])"),
    "flatten": ("flatten(input, start_dim=0, end_dim=-1)", "Dimensions ``start_dim`` "
                "to ``end_dim`` (inclusive) merged into one; a 0-d tensor becomes 1-d.",
                "wg.flatten(wg.ones(2, 3, 4)).shape, wg.flatten(wg.ones(2, 3, 4), "
                "start_dim=1).shape", "(Size([24]), Size([2, 12]))"),
    "squeeze": ("squeeze(input, dim=None)", "Dimensions of size 1 removed: all of them, "
                "or those of ``dim`` (an int or a tuple) that have size 1 (others are "
                "left alone).", "wg.squeeze(wg.ones(2, 1, 3, 1)).shape, "
                "wg.squeeze(wg.ones(2, 1, 3, 1), 1).shape",
                "(Size([2, 3]), Size([2, 3, 1]))"),
    "unsqueeze": ("unsqueeze(input, dim)", "A new dimension of size 1 at position "
                  "``dim`` (negative counts from the end of the result).",
                  "wg.unsqueeze(wg.tensor([1.0, 2.0]), -1)",
                  "tensor([[1.],\n        [2.]])"),
    "transpose": ("transpose(input, dim0, dim1)", "Dimensions ``dim0`` and ``dim1`` "
                  "swapped. Differs from PyTorch: without the dims, all dimensions are "
                  "reversed (numpy's transpose).",
                  "wg.transpose(wg.ones(2, 3, 4), 0, 2).shape", "Size([4, 3, 2])"),
    "permute": ("permute(input, dims)", "The dimensions reordered: dimension ``i`` of the "
                "result is ``dims[i]`` of the input; ``dims`` a tuple (or the ints one by "
                "one, or ``dims=``).",
                "wg.permute(wg.ones(2, 3, 4), (2, 0, 1)).shape", "Size([4, 2, 3])"),
    "t": ("t(input)", "The transpose of a matrix (a 0-d or 1-d tensor is returned as "
          "it is); more than 2 dimensions raise RuntimeError.",
          "wg.t(wg.tensor([[1, 2, 3], [4, 5, 6]]))",
          "tensor([[1, 4],\n        [2, 5],\n        [3, 6]])"),
    "swapaxes": ("swapaxes(input, axis0, axis1)", "Dimensions ``axis0`` and ``axis1`` "
                 "swapped (``transpose``).", "wg.swapaxes(wg.ones(2, 3, 4), 0, 1).shape",
                 "Size([3, 2, 4])"),
    "diag": ("diag(input, diagonal=0)", "A 1-d tensor: the square matrix with it on "
             "diagonal ``diagonal`` (above the main one if positive); a 2-d tensor: that "
             "diagonal of it; the dtype is kept.", "wg.diag(wg.tensor([[1, 2], [3, 4]])), "
             "wg.diag(wg.tensor([1, 2]))",
             "(tensor([1, 4]), tensor([[1, 0],\n        [0, 2]]))"),
    "tril": ("tril(input, diagonal=0)", "The lower triangle of the matrix (of each "
             "matrix in a batch): entries above diagonal ``diagonal`` set to 0.",
             "wg.tril(wg.tensor([[1, 2], [3, 4]]))", "tensor([[1, 0],\n        [3, 4]])"),
    "triu": ("triu(input, diagonal=0)", "The upper triangle: entries below diagonal "
             "``diagonal`` set to 0.", "wg.triu(wg.tensor([[1, 2], [3, 4]]), diagonal=1)",
             "tensor([[0, 2],\n        [0, 0]])"),
    "masked_fill": ("masked_fill(input, mask, value)", "``input`` with ``value`` where "
                    "the bool ``mask`` (broadcast) is True; no gradient flows to the "
                    "filled places.", "wg.masked_fill(wg.tensor([1.0, 2.0, 3.0]), "
                    "wg.tensor([True, False, True]), 0.0)", "tensor([0., 2., 0.])"),
    "chunk": ("chunk(input, chunks, dim=0)", "A tuple of at most ``chunks`` pieces "
              "along ``dim``, each ceil(n / chunks) long, the last one shorter (so there "
              "may be fewer pieces).", "wg.chunk(wg.arange(6), 3), wg.chunk(wg.arange(6), "
              "4)", "((tensor([0, 1]), tensor([2, 3]), tensor([4, 5])), (tensor([0, 1]), "
              "tensor([2, 3]), tensor([4, 5])))"),
    "split": ("split(input, split_size_or_sections, dim=0)", "A tuple of pieces along "
              "``dim``: of ``split_size_or_sections`` elements each (the last may be "
              "shorter) for an int, of the given lengths for a list.",
              "wg.split(wg.arange(5), 2), wg.split(wg.arange(5), [1, 4])",
              "((tensor([0, 1]), tensor([2, 3]), tensor([4])), (tensor([0]), "
              "tensor([1, 2, 3, 4])))"),
    "unbind": ("unbind(input, dim=0)", "A tuple of the slices along ``dim``, that "
               "dimension removed.", "wg.unbind(wg.tensor([[1, 2], [3, 4]]), dim=1)",
               "(tensor([1, 3]), tensor([2, 4]))"),
    "gather": ("gather(input, dim, index)", "Values picked along ``dim`` by the integer "
               "tensor ``index`` (of the input's number of dimensions): out[i][j] = "
               "input[i][index[i][j]] for ``dim=1``.",
               "wg.gather(wg.tensor([[1, 2], [3, 4]]), 1, wg.tensor([[0, 0], [1, 0]]))",
               "tensor([[1, 1],\n        [4, 3]])"),
    "index_select": ("index_select(input, dim, index)", "The entries at the 1-d integer "
                     "``index`` along ``dim``, in that order (repeats allowed).",
                     "wg.index_select(wg.tensor([[1, 2], [3, 4], [5, 6]]), 0, "
                     "wg.tensor([2, 0]))", "tensor([[5, 6],\n        [1, 2]])"),
    "sort": ("sort(input, dim=-1, descending=False)", "The named tuple ``(values, "
             "indices)``: the values sorted along ``dim`` (stable) and where each came "
             "from.", "wg.sort(wg.tensor([3.0, 1.0, 2.0]), descending=True)",
             "MinMax(values=tensor([3., 2., 1.]), indices=tensor([0, 2, 1]))"),
    "argsort": ("argsort(input, dim=-1, descending=False)", "The int64 indices that "
                "sort ``input`` along ``dim`` (stable).",
                "wg.argsort(wg.tensor([3.0, 1.0, 2.0]))", "tensor([1, 2, 0])"),
    "topk": ("topk(input, k, dim=-1, largest=True, sorted=True)", "The named tuple "
             "``(values, indices)`` of the ``k`` largest elements along ``dim`` (the "
             "smallest with ``largest=False``), in order; ``sorted`` is accepted, the "
             "result is always sorted.", "wg.topk(wg.tensor([3.0, 1.0, 2.0, 5.0]), 2)",
             "MinMax(values=tensor([5., 3.]), indices=tensor([3, 0]))"),
    "clone": ("clone(input)", "A copy with its own memory; recorded (the gradient flows "
              "back to ``input``) when ``input`` requires grad.",
              "wg.clone(wg.tensor([1.0, 2.0]))", "tensor([1., 2.])"),
    "detach": ("detach(input)", "The same data cut from the graph: no gradient flows "
               "through it (shares memory and version counter with ``input``).",
               "wg.detach(wg.tensor([1.0, 2.0], requires_grad=True))",
               "tensor([1., 2.])"),
    "ravel": ("ravel(input)", "The elements as a 1-d tensor, row-major.",
              "wg.ravel(wg.tensor([[1, 2], [3, 4]]))", "tensor([1, 2, 3, 4])"),
    "nonzero": ("nonzero(input, *, as_tuple=False)", "The int64 indices of the nonzero "
                "elements: one row per element, of shape (n, input.dim()); with "
                "``as_tuple=True`` one 1-d index tensor per dimension (what ``x[...]`` "
                "takes).", "wg.nonzero(wg.tensor([[0, 1], [2, 0]]))",
                "tensor([[0, 1],\n        [1, 0]])"),
    "argwhere": ("argwhere(input)", "``nonzero(input)``: the int64 indices of the "
                 "nonzero elements, one row each.", "wg.argwhere(wg.tensor([0.0, 1.5, "
                 "2.0]))", "tensor([[1],\n        [2]])"),
    "flip": ("flip(input, dims)", "The elements in reverse order along each dimension "
             "of ``dims`` (a tuple, or ints one by one for the method).",
             "wg.flip(wg.tensor([[1, 2], [3, 4]]), (1,))",
             "tensor([[2, 1],\n        [4, 3]])"),
    "roll": ("roll(input, shifts, dims=None)", "The elements shifted by ``shifts`` "
             "along ``dims`` (ints or tuples of the same length), those pushed past the "
             "end coming back at the start; without ``dims`` the flattened tensor is "
             "rolled and the shape kept.", "wg.roll(wg.tensor([[1, 2], [3, 4]]), 1), "
             "wg.roll(wg.tensor([[1, 2], [3, 4]]), 1, dims=0)",
             "(tensor([[4, 1],\n        [2, 3]]), tensor([[3, 4],\n        [1, 2]]))"),
    "diagonal": ("diagonal(input, offset=0, dim1=0, dim2=1)", "The diagonal ``offset`` "
                 "(above the main one if positive) of the matrices spanned by ``dim1`` "
                 "and ``dim2``, as the last dimension.",
                 "wg.diagonal(wg.tensor([[1, 2], [3, 4]]), offset=1)", "tensor([2])"),
    "narrow": ("narrow(input, dim, start, length)", "The ``length`` entries from "
               "``start`` along ``dim`` (a slice).", "wg.narrow(wg.arange(6).view(2, 3), "
               "1, 1, 2)", "tensor([[1, 2],\n        [4, 5]])"),
    "select": ("select(input, dim, index)", "The slice at ``index`` along ``dim``, that "
               "dimension removed (``x[:, index]`` for ``dim=1``).",
               "wg.select(wg.tensor([[1, 2], [3, 4]]), 1, 0)", "tensor([1, 3])"),
    "unflatten": ("unflatten(input, dim, sizes)", "Dimension ``dim`` split into "
                  "dimensions of the given ``sizes`` (one may be -1).",
                  "wg.unflatten(wg.ones(2, 6), 1, (2, 3)).shape", "Size([2, 2, 3])"),
    "tile": ("tile(input, dims)", "The tensor repeated ``dims[i]`` times along each "
             "dimension; a shorter ``dims`` is padded with ones in front.",
             "wg.tile(wg.tensor([1, 2]), (2, 2))",
             "tensor([[1, 2, 1, 2],\n        [1, 2, 1, 2]])"),
    "masked_select": ("masked_select(input, mask)", "The elements where the bool "
                      "``mask`` (broadcast with ``input``) is True, as a 1-d tensor.",
                      "wg.masked_select(wg.tensor([[1, 2], [3, 4]]), wg.tensor([True, "
                      "False]))", "tensor([1, 3])"),
    "unique": ("unique(input, sorted=True, return_inverse=False, return_counts=False, "
               "dim=None)", "The distinct values, sorted; with ``return_inverse`` also "
               "where each element went, with ``return_counts`` how often each value "
               "occurs (a tuple then). No gradient flows through it.",
               "wg.unique(wg.tensor([3, 1, 3]), return_counts=True)",
               "(tensor([1, 3]), tensor([1, 2]))"),
    "isclose": ("isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False)", "A "
                "bool tensor: where ``|input - other| <= atol + rtol * |other|`` "
                "(``allclose`` asks it of every element).",
                "wg.isclose(wg.tensor([1.0, 2.0]), wg.tensor([1.0, 2.1]))",
                "tensor([ True, False])"),
    "remainder": ("remainder(input, other, *, out=None)", "The remainder of the division "
                  "with the sign of ``other`` (Python's ``%``).",
                  "wg.remainder(wg.tensor([-3.0, 3.0]), 2)", "tensor([1., 1.])"),
    "fmod": ("fmod(input, other, *, out=None)", "The remainder of the division with the "
             "sign of ``input`` (C's fmod).", "wg.fmod(wg.tensor([-3.0, 3.0]), 2)",
             "tensor([-1.,  1.])"),
}

_OUT = ("``out``: a tensor that receives the result (converted to its dtype, resized "
        "when the shape differs) and is returned. PyTorch refuses ``out`` when a "
        "gradient is needed; here it just holds the values.")


def _docstring(name, signature, text, call, result):
    prose = [text, f"The function form of ``Tensor.{name}``; ``input`` may also be a "
             f"number, a list or a numpy array."]
    if "out=None" in signature:
        prose.append(_OUT)
    return "\n\n".join([signature] + [_fill(p) for p in prose]
                        + [f">>> import wengert as wg\n>>> {call}\n{result}"])


def _fill(text):
    """``text`` wrapped at 84 columns, never inside a ``literal``."""
    glued = re.sub(r"``.*?``", lambda m: m.group(0).replace(" ", "\0"), text)
    return textwrap.fill(glued, 84, break_long_words=False,
                         break_on_hyphens=False).replace("\0", " ")


for _name, _entry in _DOCS.items():
    _fn = globals()[_name]
    # its own name (not the wrapper's): repr, the docs and the doctests tell them apart
    _fn.__name__ = _fn.__qualname__ = _name
    _fn.__doc__ = _docstring(_name, *_entry)
