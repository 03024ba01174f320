"""PyTorch's top-level functions (``wg.sin(t)``, ``wg.cat([...], dim=1)``,
``wg.matmul(a, b, out=c)``...): the Tensor methods as functions, plus the few that
take several tensors. No rule lives here."""

import numpy as np

from .. import numpy as wnp
from ..core.trace import unbox_all
from ._creation import tensor
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
            "clone", "detach", "ravel"]

__all__ = [n for n in _METHODS if n != "trace"] + ["cat", "concat", "concatenate", "stack", "hstack", "vstack",
                            "where", "maximum", "minimum", "einsum", "allclose", "equal",
                            "is_tensor", "is_floating_point", "numel", "atan2", "lerp",
                            "broadcast_to", "meshgrid", "logsumexp", "cdist", "count_nonzero"]


def _as(x):
    return x if isinstance(x, Tensor) else tensor(x)


def _with_out(fn):
    def call(input, *args, out=None, **kwargs):
        result = fn(_as(input), *args, **kwargs)
        if out is None:
            return result
        value = unbox_all(result._value) if isinstance(result, Tensor) else result
        if out.shape == np.shape(value):
            np.copyto(out._value, value, casting="unsafe")
        else:
            out._value = np.array(value, dtype=out.dtype)
        out._bump()
        return out
    call.__name__ = getattr(fn, "__name__", "fn")
    return call


for _name in _METHODS:
    globals()[_name] = _with_out((lambda n: lambda t, *a, **k: getattr(t, n)(*a, **k))(_name))


def _tensors(seq):
    seq = [_as(t) for t in seq]
    floats = [t.dtype for t in seq if t.dtype.kind in "fc"]
    if floats:
        target = np.result_type(*floats)
        seq = [_as_dtype(t, target) for t in seq]
    return seq


def cat(tensors, dim=0, *, out=None):
    """Join tensors along an existing dimension."""
    return wnp.concatenate(_tensors(tensors), axis=dim)


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    return wnp.stack(_tensors(tensors), axis=dim)


def hstack(tensors):
    return wnp.hstack(_tensors(tensors))


def vstack(tensors):
    return wnp.vstack(_tensors(tensors))


def where(condition, input=None, other=None):
    cond = np.asarray(unbox_all(getattr(condition, "_value", condition)))
    if input is None:
        return tuple(tensor(i) for i in np.nonzero(cond))
    a, b = input, other
    if isinstance(a, Tensor) and not isinstance(b, Tensor):
        b = np.asarray(b, dtype=a.dtype)
    elif isinstance(b, Tensor) and not isinstance(a, Tensor):
        a = np.asarray(a, dtype=b.dtype)
    out = wnp.where(cond, a, b)
    return out if isinstance(out, Tensor) else tensor(out)


def maximum(input, other):
    return wnp.maximum(_as(input), other)


def minimum(input, other):
    return wnp.minimum(_as(input), other)


def atan2(input, other):
    return wnp.arctan2(_as(input), other)


def lerp(input, end, weight):
    return input + weight * (end - input)


def einsum(equation, *operands):
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = operands[0]
    return wnp.einsum(equation, *_tensors(operands))


def broadcast_to(input, shape):
    return wnp.broadcast_to(_as(input), tuple(shape))


def meshgrid(*tensors, indexing="ij"):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tensors[0]
    return tuple(wnp.meshgrid(*_tensors(tensors), indexing=indexing))


def logsumexp(input, dim, keepdim=False):
    from ..scipy.special import logsumexp as lse
    return lse(_as(input), axis=dim, keepdims=keepdim)


def cdist(x1, x2, p=2.0):
    d = x1[..., :, None, :] - x2[..., None, :, :]
    return wnp.sqrt(wnp.sum(d * d, axis=-1)) if p == 2.0 else \
        wnp.sum(wnp.abs(d) ** p, axis=-1) ** (1.0 / p)


def count_nonzero(input, dim=None):
    return tensor(np.count_nonzero(unbox_all(_as(input)._value), axis=dim))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(np.allclose(unbox_all(_as(input)._value), unbox_all(_as(other)._value),
                            rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(input, other):
    a, b = unbox_all(_as(input)._value), unbox_all(_as(other)._value)
    return a.shape == b.shape and bool(np.array_equal(a, b))


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.dtype.kind == "f"


def numel(input):
    return _as(input).numel()
