"""PyTorch's method names on ``Tensor``, each a call of the ``wengert.numpy``
function of the same meaning (``dim`` is numpy's ``axis``). No rule lives here."""

import math
import numbers
from collections import namedtuple

import numpy as np

from .. import numpy as wnp
from ..core.eager import grad_enabled
from ..core.trace import unbox_all
from ._tensor import Tensor, _as_dtype, _tensor_of, get_default_dtype

MinMax = namedtuple("MinMax", ["values", "indices"])


def _wrap(x):
    """A result as a tensor (numpy's plain results: comparisons, argmax, ...)."""
    return x if isinstance(x, Tensor) else Tensor._wrap(np.asarray(x), None)


def _kind(t):
    v = t._value
    return v.dtype.kind if type(v) is np.ndarray else t.dtype.kind


def _float_of(a):
    return _kind(a) in "fc"


def _promote(a, b, true_divide=False):
    """PyTorch's type promotion for ``a op b`` (``a`` a tensor): both operands taken to
    ``result_type(a, b)`` (an integer tensor meeting a float tensor takes its float
    type, a 0-d tensor or a number only lifts the category), and to the default float
    type for a true division of integers. Python numbers stay numbers (numpy treats
    them as weak, as PyTorch does); numpy scalars count as numbers."""
    tb = type(b)
    if tb is Tensor:  # the common case: two float arrays of one dtype
        va, vb = a._value, b._value
        if type(va) is np.ndarray and type(vb) is np.ndarray and va.dtype is vb.dtype \
                and va.dtype.kind == "f":
            return a, b
    elif isinstance(b, np.generic):
        b = b.item()
        tb = type(b)
    if tb is float or tb is int or tb is bool or tb is complex:  # never widens a tensor
        if (tb is float or tb is complex or true_divide) and _kind(a) not in "fc":
            a = _as_dtype(a, get_default_dtype())
        return a, b
    if isinstance(b, np.ndarray):
        b = Tensor._wrap(b, None)
    if isinstance(b, Tensor):
        dt = result_type(a, b)
        if true_divide and dt.kind not in "fc":
            dt = get_default_dtype()
        return _as_dtype(a, dt), _as_dtype(b, dt)
    if not _float_of(a) and (isinstance(b, float) or true_divide):
        a = _as_dtype(a, get_default_dtype())
    return a, b


# PyTorch's type categories: bool < integer < floating < complex
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def _default_of(category):
    """The dtype a Python number of ``category`` takes (PyTorch's defaults)."""
    if category == 3:
        return np.dtype(np.complex128 if get_default_dtype() == np.float64 else np.complex64)
    return [np.dtype(np.bool_), np.dtype(np.int64), get_default_dtype()][category]


def _highest(dtypes):
    """The result type of ``dtypes`` within their highest category (an int64 tensor
    beside a float32 one gives float32, not numpy's float64)."""
    top = max(_CATEGORY[d.kind] for d in dtypes)
    return np.result_type(*[d for d in dtypes if _CATEGORY[d.kind] == top]), top


def result_type(*operands):
    """PyTorch's result dtype of an operation on ``operands`` (tensors, arrays, Python
    numbers; None is skipped): tensors with dimensions decide; a 0-d tensor, then a
    Python number, counts only when it is of a higher category (bool, integer,
    floating, complex), the number then taking that category's default type."""
    dims, zero, numbers_ = [], [], []
    for o in operands:
        if o is None:
            continue
        if isinstance(o, (Tensor, np.ndarray)):
            dt = np.dtype(o.dtype)
            (dims if len(o.shape) else zero).append(dt)
        elif isinstance(o, (bool, np.bool_)):
            numbers_.append(0)
        elif isinstance(o, numbers.Integral):
            numbers_.append(1)
        elif isinstance(o, numbers.Real):
            numbers_.append(2)
        elif isinstance(o, numbers.Complex):
            numbers_.append(3)
        else:
            raise TypeError(f"expected a tensor or a number, got {type(o).__name__}")
    dtype, top = _highest(dims) if dims else (None, -1)
    if zero:
        zdt, ztop = _highest(zero)
        if ztop > top:
            dtype, top = zdt, ztop
    if numbers_ and max(numbers_) > top:
        dtype = _default_of(max(numbers_))
    return dtype if dtype is not None else get_default_dtype()


def _floating(t):
    """``t`` itself when floating or complex, else converted to the default float type:
    what PyTorch's float functions (exp, sqrt, sigmoid ...) do with integer and bool
    tensors."""
    return t if _kind(t) in "fc" else _as_dtype(t, get_default_dtype())


def _const_of(x, dtype):
    """A bound or fill value as a tensor of ``dtype`` (tensors converted, keeping their
    graph; numbers as 0-d constants)."""
    if isinstance(x, Tensor):
        return _as_dtype(x, dtype)
    return Tensor._wrap(np.asarray(unbox_all(getattr(x, "_value", x)), dtype=dtype), None)


def _zero_grad(value, *sources):
    """``value`` (computed from ``sources`` by a step function: round, floor, sign ...)
    as PyTorch returns it: on the graph when a source requires grad, with derivative
    0. ``where`` with an all-True mask gives exactly that through its own rule: the
    constant is taken, the cotangent of each source is zero. Each source must
    broadcast to ``value``'s shape."""
    value = value if isinstance(value, Tensor) else Tensor._wrap(np.asarray(value), None)
    sources = [t for t in sources if isinstance(t, Tensor) and t.requires_grad]
    if not sources or not grad_enabled():
        return value
    out = unbox_all(value._value)
    mask = np.ones(np.shape(out), dtype=bool)
    for t in sources:
        out = wnp.where(mask, out, t)
    return out


_BOOL_SUB = ("Subtraction, the `-` operator, with a bool tensor is not supported. If you "
             "are trying to invert a mask, use the `~` or `logical_not()` operator "
             "instead.")


def _arith(fn, reflected=False, true_divide=False):
    def method(self, other):
        a, b = _promote(self, other, true_divide)
        return fn(b, a) if reflected else fn(a, b)
    return method


def _checked(fn, name):
    """Subtraction refuses bool tensors; integer floor division and remainder refuse a
    zero divisor (numpy would give 0 with a warning: a wrong number)."""
    def method(self, other, reflected=False):
        if name == "sub":
            if _kind(self) == "b" or isinstance(other, (bool, np.bool_)) or (
                    isinstance(other, Tensor) and _kind(other) == "b"):
                raise RuntimeError(_BOOL_SUB)
        elif isinstance(other, (Tensor, np.ndarray, int)):
            a, b = (other, self) if reflected else (self, other)
            if result_type(a, b).kind in "biu" and \
                    np.any(np.asarray(unbox_all(getattr(b, "_value", b))) == 0):
                raise RuntimeError("ZeroDivisionError")
        return fn(self, other)
    return method


def _power(x, y):
    """``x ** y`` (numpy's power), except for integers with negative integer exponents
    in a tensor, which PyTorch computes (1 and -1 keep their powers, the rest give 0)
    where numpy raises."""
    if isinstance(y, Tensor) and _kind(y) in "iu" and isinstance(x, (Tensor, int)) \
            and (not isinstance(x, Tensor) or _kind(x) in "iu"):
        e = np.asarray(unbox_all(y._value))
        if (e < 0).any():
            b = np.asarray(unbox_all(getattr(x, "_value", x)))
            dt = result_type(x, y)
            base, e = np.broadcast_arrays(b.astype(dt), e.astype(dt))
            pos = np.power(base, np.where(e < 0, 0, e))
            neg = np.where(base == 1, 1, np.where(base == -1, 1 - 2 * (e % 2), 0))
            return Tensor._wrap(np.where(e < 0, neg, pos).astype(dt), None)
    return wnp.power(x, y)


for _name, _fn, _div in [("add", wnp.add, False), ("sub", wnp.subtract, False),
                         ("mul", wnp.multiply, False), ("truediv", wnp.divide, True),
                         ("pow", _power, False), ("matmul", wnp.matmul, False),
                         ("floordiv", wnp.floor_divide, False), ("mod", wnp.mod, False)]:
    _plain, _reflected = _arith(_fn, true_divide=_div), _arith(_fn, True, _div)
    if _name in ("sub", "floordiv", "mod"):
        _plain = _checked(_plain, _name)
        _reflected = (lambda m: lambda self, other: m(self, other, reflected=True))(
            _checked(_reflected, _name))
    setattr(Tensor, f"__{_name}__", _plain)
    setattr(Tensor, f"__r{_name}__", _reflected)


def _compare(fn):
    def method(self, other):
        a, b = _promote(self, other)
        return _wrap(fn(unbox_all(a._value), unbox_all(b._value) if isinstance(b, Tensor)
                        else b))
    return method


for _name, _fn in [("lt", np.less), ("le", np.less_equal), ("gt", np.greater),
                   ("ge", np.greater_equal), ("eq", np.equal), ("ne", np.not_equal)]:
    setattr(Tensor, f"__{_name}__", _compare(_fn))
    setattr(Tensor, _name, _compare(_fn))
Tensor.__hash__ = object.__hash__


def _logical(fn):
    def method(self, other):
        return _wrap(fn(unbox_all(self._value), unbox_all(getattr(other, "_value", other))))
    return method


def _bitwise(fn, name, reflected=False):
    """PyTorch's ``&``, ``|``, ``^``: bitwise on integers, logical on bools (a bool
    tensor and a Python int meet as int64); floating tensors are refused."""
    def method(self, other):
        if not isinstance(other, (Tensor, np.ndarray, numbers.Number)):
            return NotImplemented
        dt = result_type(self, other)
        if dt.kind not in "biu":
            raise NotImplementedError(f"{name} is only implemented on integer and bool "
                                      f"tensors, not {dt.name} (use logical_and/or/xor "
                                      f"for truth values)")
        a = np.asarray(unbox_all(self._value)).astype(dt)
        b = np.asarray(unbox_all(getattr(other, "_value", other))).astype(dt)
        return _wrap(fn(b, a) if reflected else fn(a, b))
    return method


def _invert(self):
    v = unbox_all(self._value)
    if _kind(self) not in "biu":
        raise TypeError("~ (operator.invert) is only implemented on integer and "
                        "Boolean-type tensors")
    return _wrap(np.invert(v))


for _name, _fn in [("and", np.bitwise_and), ("or", np.bitwise_or),
                   ("xor", np.bitwise_xor)]:
    setattr(Tensor, f"__{_name}__", _bitwise(_fn, f"bitwise_{_name}"))
    setattr(Tensor, f"__r{_name}__", _bitwise(_fn, f"bitwise_{_name}", reflected=True))
    setattr(Tensor, f"bitwise_{_name}", _bitwise(_fn, f"bitwise_{_name}"))
Tensor.logical_and = _logical(np.logical_and)
Tensor.logical_or = _logical(np.logical_or)
Tensor.logical_xor = _logical(np.logical_xor)
Tensor.__invert__ = Tensor.bitwise_not = _invert
Tensor.logical_not = lambda self: _wrap(np.logical_not(unbox_all(self._value)))
def _neg(self):
    if _kind(self) == "b":
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or "
                           "`logical_not()` operator instead.")
    return wnp.negative(self)


Tensor.__neg__ = Tensor.neg = _neg
Tensor.__pos__ = lambda self: self
Tensor.__abs__ = Tensor.abs = lambda self: wnp.abs(self)

Tensor.add = lambda self, other, alpha=1: self + (other if alpha == 1 else other * alpha)
Tensor.sub = lambda self, other, alpha=1: self - (other if alpha == 1 else other * alpha)
Tensor.mul = Tensor.multiply = lambda self, other: self * other
def _div(self, other, *, rounding_mode=None):
    """True division, or with ``rounding_mode`` "trunc" / "floor" the quotient rounded
    (integers stay integers; derivative 0, on the graph, as PyTorch's)."""
    if rounding_mode is None:
        return self / other
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or "
                         f"'floor' but found '{rounding_mode}'")
    a, b = _promote(self, other)
    if a.dtype.kind in "fc" or (isinstance(b, Tensor) and b.dtype.kind in "fc") \
            or isinstance(b, float):
        q = np.true_divide(unbox_all(a._value), unbox_all(getattr(b, "_value", b)))
        q = (np.trunc if rounding_mode == "trunc" else np.floor)(q)
        return _zero_grad(q, a, b)
    x, y = unbox_all(a._value), unbox_all(getattr(b, "_value", b))
    if np.any(np.asarray(y) == 0):
        raise RuntimeError("ZeroDivisionError")
    if rounding_mode == "floor":
        return _wrap(np.floor_divide(x, y))
    q = np.abs(x) // np.abs(y)
    return _wrap(np.where((x < 0) != (np.asarray(y) < 0), -q, q).astype(result_type(a, b)))


def _ndims(who, *pairs):
    for name, t, nd in pairs:
        if t.dim() != nd:
            raise RuntimeError(f"{who}: {name} must be a {nd}-D tensor, got {t.dim()}-D "
                               f"(shape {tuple(t.shape)})")


def _mm(self, mat2):
    _ndims("mm", ("self", self, 2), ("mat2", _tensor_of(mat2), 2))
    return self @ mat2


def _bmm(self, mat2):
    _ndims("bmm", ("batch1", self, 3), ("batch2", _tensor_of(mat2), 3))
    return self @ mat2


def _mv(self, vec):
    _ndims("mv", ("self", self, 2), ("vec", _tensor_of(vec), 1))
    return self @ vec


def _dot(self, other):
    _ndims("dot", ("self", self, 1), ("other", _tensor_of(other), 1))
    return wnp.dot(self, other)


Tensor.div = Tensor.divide = _div
Tensor.pow = lambda self, exponent: self ** exponent
Tensor.matmul = lambda self, other: self @ other
Tensor.mm = _mm
Tensor.bmm = _bmm
Tensor.mv = _mv
Tensor.dot = _dot
Tensor.outer = lambda self, other: wnp.outer(self, other)

# elementwise functions of one tensor: the float functions take integer and bool
# tensors to the default float type first, as PyTorch does
for _name in ["exp", "log", "log1p", "log2", "log10", "expm1", "sin", "cos", "tan",
              "sinh", "cosh", "tanh", "sqrt", "reciprocal", "arcsin", "arccos", "arctan"]:
    setattr(Tensor, _name, (lambda fn: lambda self: _wrap(fn(_floating(self))))(
        getattr(wnp, _name)))
Tensor.asin, Tensor.acos, Tensor.atan = Tensor.arcsin, Tensor.arccos, Tensor.arctan
Tensor.rsqrt = lambda self: 1.0 / wnp.sqrt(_floating(self))
Tensor.square = lambda self: _wrap(wnp.square(
    _as_dtype(self, np.dtype(np.int64)) if _kind(self) == "b" else self))


def _step(fn):
    """A step function (floor, ceil, trunc): integers and bools come back as they are;
    a float result stays on the graph with derivative 0."""
    def method(self):
        if _kind(self) in "biu":
            return self.clone()
        return _zero_grad(fn(unbox_all(self._value)), self)
    return method


for _name in ["floor", "ceil", "trunc"]:
    setattr(Tensor, _name, _step(getattr(np, _name)))


def _round(self, decimals=0):
    if _kind(self) in "biu":
        if decimals:
            raise NotImplementedError(f"round: decimals={decimals} is not implemented "
                                      f"for an integer tensor ({self.dtype.name})")
        return self.clone()
    return _zero_grad(np.round(unbox_all(self._value), decimals), self)


def _sign(self):
    if _kind(self) == "b":
        return self.clone()
    return _zero_grad(np.sign(unbox_all(self._value)), self)


Tensor.round = _round
Tensor.sign = _sign


def _imag(self):
    if _kind(self) != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return wnp.imag(self)


# attributes, as in PyTorch (and numpy): a real tensor is its own real part
Tensor.real = property(lambda self: wnp.real(self) if _kind(self) == "c" else self)
Tensor.imag = property(_imag)
Tensor.conj = lambda self: wnp.conj(self) if _kind(self) == "c" else self
Tensor.isnan = lambda self: _wrap(np.isnan(unbox_all(self._value)))
Tensor.isinf = lambda self: _wrap(np.isinf(unbox_all(self._value)))
Tensor.isfinite = lambda self: _wrap(np.isfinite(unbox_all(self._value)))


def _sigmoid(self):
    from ..scipy.special import expit
    return expit(_floating(self))


def _clamp(self, min=None, max=None):  # noqa: A002
    """PyTorch's clamp: the result type joins the input and the bounds (an integer
    tensor with a float bound gives the default float type); nan stays nan."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    dt = result_type(self, min, max)
    out = _as_dtype(self, dt)
    if min is not None:
        lo = _const_of(min, dt)
        out = wnp.maximum(out, lo) if lo.requires_grad else \
            wnp.where(unbox_all(out._value) < unbox_all(lo._value), lo, out)
    if max is not None:
        hi = _const_of(max, dt)
        out = wnp.minimum(out, hi) if hi.requires_grad else \
            wnp.where(unbox_all(out._value) > unbox_all(hi._value), hi, out)
    return _wrap(out)


def _relu(self):
    """max(x, 0) with derivative 0 at 0: the negatives are replaced by a +0 constant
    (not multiplied by 0, which would give -0.0); nan stays nan."""
    v = unbox_all(self._value)
    if _kind(self) == "b":
        raise RuntimeError("Boolean inputs not supported for relu")
    return _wrap(wnp.where(~(v <= 0), self, np.zeros((), dtype=v.dtype)))


Tensor.sigmoid = _sigmoid
Tensor.relu = _relu
Tensor.clamp = Tensor.clip = _clamp
Tensor.clamp_min = lambda self, min: _clamp(self, min=min)  # noqa: A002
Tensor.clamp_max = lambda self, max: _clamp(self, max=max)  # noqa: A002


def _softmax_input(self, dim, dtype, name):
    x = self if dtype is None else self.to(dtype)
    if _kind(x) not in "fc":
        raise NotImplementedError(f"{name}: not implemented for a {x.dtype.name} tensor; "
                                  f"pass a floating dtype= or convert the input first")
    if dim is None:
        raise TypeError(f"{name}() missing 1 required positional argument: 'dim'")
    return x


def _softmax(self, dim, dtype=None):
    x = _softmax_input(self, dim, dtype, "softmax")
    e = wnp.exp(x - wnp.max(unbox_all(x._value), axis=dim, keepdims=True))
    return e / wnp.sum(e, axis=dim, keepdims=True)


def _log_softmax(self, dim, dtype=None):
    from ..scipy.special import logsumexp
    x = _softmax_input(self, dim, dtype, "log_softmax")
    return x - logsumexp(x, axis=dim, keepdims=True)


Tensor.softmax = _softmax
Tensor.log_softmax = _log_softmax


# ------------------------------------------------------------ reductions

def _dim(dim):
    return tuple(dim) if isinstance(dim, (list, tuple)) else dim


def _reduction(fn):
    def method(self, dim=None, keepdim=False, dtype=None):
        x = self if dtype is None else self.to(dtype)
        return _wrap(fn(x, axis=_dim(dim), keepdims=keepdim))
    return method


Tensor.sum = _reduction(wnp.sum)
Tensor.prod = _reduction(wnp.prod)
Tensor.nansum = _reduction(getattr(wnp, "nansum", wnp.sum))


def _mean(self, dim=None, keepdim=False, dtype=None):
    x = self if dtype is None else self.to(dtype)
    if x.dtype.kind not in "fc":
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be "
                           f"either a floating point or complex dtype. Got: "
                           f"{x.dtype.name.capitalize()}")
    return _wrap(wnp.mean(x, axis=_dim(dim), keepdims=keepdim))


Tensor.mean = _mean


def _spread(fn):
    def method(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        if _kind(self) not in "fc":
            raise RuntimeError(f"std and var only support floating point and complex "
                               f"dtypes (got {self.dtype.name})")
        ddof = 1 if correction is None and unbiased in (None, True) else \
            (0 if correction is None else correction)
        return _wrap(fn(self, axis=_dim(dim), ddof=ddof, keepdims=keepdim))
    return method


Tensor.var = _spread(wnp.var)
Tensor.std = _spread(wnp.std)


def promoted(fn, a, b, floating=False):
    """``fn(a, b)`` with both taken to PyTorch's result type first (``floating``: at
    least the default float type, for atan2)."""
    dt = result_type(a, b)
    if floating and dt.kind not in "fc":
        dt = get_default_dtype()
    a = _const_of(a, dt) if isinstance(a, Tensor) else np.asarray(a, dtype=dt)
    b = _const_of(b, dt)
    return _wrap(fn(a, b))


Tensor.maximum = lambda self, other: promoted(wnp.maximum, self, other)
Tensor.minimum = lambda self, other: promoted(wnp.minimum, self, other)
Tensor.atan2 = Tensor.arctan2 = lambda self, other: promoted(wnp.arctan2, self, other,
                                                              floating=True)


def where(condition, input, other):
    """``input`` where ``condition`` holds, else ``other``, in PyTorch's result type of
    the two (a Python number beside a tensor counts only for a higher category: an
    int64 tensor and 0.0 give the default float type)."""
    cond = np.asarray(unbox_all(getattr(condition, "_value", condition)))
    if cond.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a "
                           f"tensor with dtype {cond.dtype.name}")
    dt = result_type(input, other)
    return _wrap(wnp.where(cond, _const_of(input, dt), _const_of(other, dt)))


def _extremum(fn, argfn):
    def method(self, dim=None, keepdim=False):
        if isinstance(dim, Tensor):  # torch.max(a, b): elementwise
            return promoted(wnp.maximum if fn is wnp.max else wnp.minimum, self, dim)
        if dim is None:
            return _wrap(fn(self))
        values = _wrap(fn(self, axis=dim, keepdims=keepdim))
        idx = argfn(unbox_all(self._value), axis=dim)
        if keepdim:
            idx = np.expand_dims(idx, dim)
        return MinMax(values, _wrap(idx))
    return method


Tensor.max = _extremum(wnp.max, np.argmax)
Tensor.min = _extremum(wnp.min, np.argmin)
Tensor.amax = lambda self, dim=None, keepdim=False: _wrap(wnp.max(self, axis=_dim(dim),
                                                                    keepdims=keepdim))
Tensor.amin = lambda self, dim=None, keepdim=False: _wrap(wnp.min(self, axis=_dim(dim),
                                                                    keepdims=keepdim))


def _arg(fn):
    def method(self, dim=None, keepdim=False):
        v = unbox_all(self._value)
        if dim is None:
            return _wrap(np.asarray(fn(v.reshape(-1)), dtype=np.int64))
        out = fn(v, axis=dim).astype(np.int64)
        return _wrap(np.expand_dims(out, dim) if keepdim else out)
    return method


Tensor.argmax = _arg(np.argmax)
Tensor.argmin = _arg(np.argmin)
Tensor.all = lambda self, dim=None, keepdim=False: _wrap(np.all(
    unbox_all(self._value), axis=dim, keepdims=keepdim))
Tensor.any = lambda self, dim=None, keepdim=False: _wrap(np.any(
    unbox_all(self._value), axis=dim, keepdims=keepdim))


def _norm(self, p="fro", dim=None, keepdim=False, dtype=None):
    x = self if dtype is None else self.to(dtype)
    if _kind(x) not in "fc":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex "
                           f"tensor as input. Got {x.dtype.name}")
    axis = _dim(dim)
    if p in ("fro", 2, 2.0) or p is None:
        return _root(wnp.sum(wnp.real(x * wnp.conj(x)) if x.is_complex() else x * x,
                             axis=axis, keepdims=keepdim), 2)
    if isinstance(p, str):
        raise ValueError(f"norm: p={p!r} is not supported (use 'fro', a number, "
                         f"float('inf') or float('-inf'))")
    if p == math.inf:
        return _wrap(wnp.max(wnp.abs(x), axis=axis, keepdims=keepdim))
    if p == -math.inf:
        return _wrap(wnp.min(wnp.abs(x), axis=axis, keepdims=keepdim))
    if p == 0:
        count = np.sum(unbox_all(x._value) != 0, axis=axis, keepdims=keepdim)
        real = np.dtype(np.float32 if x.dtype in (np.float32, np.complex64) else np.float64)
        # linked to x through a reduction of its shape: derivative 0
        return _zero_grad(count.astype(real),
                          wnp.sum(wnp.abs(x), axis=axis, keepdims=keepdim))
    if p == 1:
        return _wrap(wnp.sum(wnp.abs(x), axis=axis, keepdims=keepdim))
    return _root(wnp.sum(wnp.abs(x) ** p, axis=axis, keepdims=keepdim), p)


def _root(s, p):
    """``s ** (1 / p)`` (a sqrt for p = 2) whose derivative where s == 0 is 0, as the
    derivative of PyTorch's norms at a zero vector (the root's own derivative there is
    infinite, and inf * 0 is nan): ``where`` routes the zeros around the root, both
    ways, so neither the value nor the cotangent ever meets the singularity."""
    s = _wrap(s)
    zero = np.asarray(unbox_all(s._value)) == 0
    root = (lambda v: wnp.sqrt(v)) if p == 2 else (lambda v: v ** (1.0 / p))
    if not zero.any():
        return _wrap(root(s))
    dt = s.dtype
    safe = wnp.where(zero, np.ones((), dtype=dt), s)
    return _wrap(wnp.where(zero, np.zeros((), dtype=dt), root(safe)))


def _cumulative(fn):
    """cumsum, cumprod: ``dtype`` converts the input first; without it, integer and
    bool tensors accumulate in int64 (PyTorch's rule)."""
    def method(self, dim, dtype=None):
        if dtype is not None:
            x = self.to(dtype)
        else:
            x = _as_dtype(self, np.dtype(np.int64)) if _kind(self) in "biu" else self
        return _wrap(fn(x, axis=dim))
    return method


Tensor.norm = _norm
Tensor.cumsum = _cumulative(wnp.cumsum)
Tensor.cumprod = _cumulative(wnp.cumprod)


# ------------------------------------------------------------ shapes

def _shape_args(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(int(s) for s in shape)


def _sizes(who, name, positional, keyword):
    """The sizes of reshape/view/permute, given one by one, as one sequence, or by
    PyTorch's keyword (``shape=``, ``size=``, ``dims=``), not both."""
    if keyword is not None:
        if positional:
            raise TypeError(f"{who}() got {name}= and positional sizes {positional}; "
                            f"give one of them")
        positional = (keyword,)
    if not positional:
        raise TypeError(f"{who}() missing 1 required positional argument: '{name}'")
    return _shape_args(positional)


def _reshape(self, *shape_, shape=None):
    return wnp.reshape(self, _sizes("reshape", "shape", shape_, shape))


def _view(self, *shape, size=None, dtype=None):
    """``view(*shape)``, or ``view(dtype)``: the same bytes read as ``dtype`` (numpy's
    ``ndarray.view``; no gradient flows across a change of dtype)."""
    if dtype is None and size is None and len(shape) == 1 \
            and not isinstance(shape[0], (int, np.integer, tuple, list)):
        dtype = shape[0]
    if dtype is not None:
        dt = np.dtype(dtype)
        if dt == self.dtype:
            return wnp.reshape(self, tuple(self.shape))
        return Tensor._wrap(np.asarray(unbox_all(self._value)).view(dt), None)
    return wnp.reshape(self, _sizes("view", "size", shape, size))


Tensor.view = _view
Tensor.reshape = _reshape
Tensor.view_as = lambda self, other: wnp.reshape(self, tuple(other.shape))
Tensor.reshape_as = Tensor.view_as
Tensor.expand_as = lambda self, other: wnp.broadcast_to(self, tuple(other.shape))


def _flatten(self, start_dim=0, end_dim=-1):
    shp = tuple(self.shape)
    if not shp:
        return wnp.reshape(self, (1,))
    nd = len(shp)
    s, e = start_dim % nd, end_dim % nd
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    new = shp[:s] + (int(np.prod(shp[s:e + 1])),) + shp[e + 1:]
    return wnp.reshape(self, new)


def _squeeze(self, dim=None):
    if dim is None:
        return wnp.squeeze(self)
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    nd = self.dim()
    keep = tuple(d % nd for d in dims if self.shape[d] == 1) if nd else ()
    # nothing to remove: still a new tensor on the graph, as PyTorch's view
    return wnp.squeeze(self, axis=keep) if keep else wnp.reshape(self, tuple(self.shape))


def _expand(self, *sizes):
    sizes = _shape_args(sizes)
    lead = len(sizes) - self.dim()
    shp = tuple(self.shape)
    target = tuple(s if s != -1 else shp[i - lead] for i, s in enumerate(sizes))
    return wnp.broadcast_to(self, target)


def _repeat(self, *sizes):
    return wnp.tile(self, _shape_args(sizes))


def _permute(self, *dims_, dims=None):
    return wnp.transpose(self, _sizes("permute", "dims", dims_, dims))


def _transpose(self, dim0=None, dim1=None):
    if dim0 is None:
        return wnp.transpose(self)
    return wnp.swapaxes(self, dim0, dim1)


def _swapaxes(self, axis0, axis1):
    return wnp.swapaxes(self, axis0, axis1)


def _swapdims(self, dim0, dim1):
    return wnp.swapaxes(self, dim0, dim1)


def _t(self):
    if self.dim() > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{self.dim()}D")
    return wnp.transpose(self)


Tensor.flatten = _flatten
Tensor.squeeze = _squeeze
Tensor.unsqueeze = lambda self, dim: wnp.expand_dims(self, dim if dim >= 0
                                                     else dim + self.dim() + 1)
Tensor.expand = _expand
Tensor.repeat = _repeat
Tensor.permute = _permute
Tensor.transpose = _transpose
Tensor.swapaxes = _swapaxes
Tensor.swapdims = _swapdims
Tensor.t = _t
Tensor.T = property(lambda self: wnp.transpose(self))
Tensor.mT = property(lambda self: wnp.swapaxes(self, -1, -2))
Tensor.ravel = lambda self: wnp.reshape(self, (-1,))
def _diag(self, diagonal=0):
    if _kind(self) in "fc":
        return wnp.diag(self, diagonal)
    # integers and bools carry no gradient: numpy's diag keeps their dtype
    if self.dim() not in (1, 2):
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {self.dim()}D")
    return _wrap(np.diag(unbox_all(self._value), diagonal))


Tensor.diag = _diag
Tensor.trace = lambda self: wnp.trace(self)
Tensor.tril = lambda self, diagonal=0: wnp.tril(self, diagonal)
Tensor.triu = lambda self, diagonal=0: wnp.triu(self, diagonal)
Tensor.where = lambda self, condition, other: where(condition, self, other)
Tensor.masked_fill = lambda self, mask, value: wnp.where(
    unbox_all(getattr(mask, "_value", mask)), _const_of(value, self.dtype), self)
def _chunk(self, chunks, dim=0):
    """PyTorch's pieces: ceil(n / chunks) long each, the last shorter, so there may be
    fewer than ``chunks`` of them."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = self.shape[dim]
    if n == 0:
        return tuple(wnp.array_split(self, chunks, axis=dim))
    return _split(self, -(-n // chunks), dim)


Tensor.chunk = _chunk


def _split(self, split_size_or_sections, dim=0):
    n = self.shape[dim]
    if isinstance(split_size_or_sections, int):
        cuts = list(range(split_size_or_sections, n, split_size_or_sections))
    else:
        cuts = list(np.cumsum(split_size_or_sections)[:-1])
    return tuple(wnp.split(self, cuts, axis=dim))


Tensor.split = _split
Tensor.unbind = lambda self, dim=0: tuple(
    wnp.squeeze(p, axis=dim) for p in wnp.split(self, self.shape[dim], axis=dim))
Tensor.gather = lambda self, dim, index: wnp.take_along_axis(
    self, np.asarray(unbox_all(index._value)), axis=dim)
Tensor.index_select = lambda self, dim, index: wnp.take(
    self, np.asarray(unbox_all(getattr(index, "_value", index))), axis=dim)
Tensor.sort = lambda self, dim=-1, descending=False: _sort(self, dim, descending)
Tensor.argsort = lambda self, dim=-1, descending=False: _wrap(
    _order(self, dim, descending))
Tensor.topk = lambda self, k, dim=-1, largest=True, sorted=True: _topk(self, k, dim, largest)


def _order(self, dim, descending):
    """The stable sorting permutation along ``dim``; nan counts as the largest value,
    as in PyTorch. Descending order sorts the reversed array and reverses the result
    (no negation: it would wrap unsigned integers and fails on bools)."""
    v = np.asarray(unbox_all(self._value))
    if v.ndim == 0:
        return np.zeros((), dtype=np.int64)
    if not descending:
        return np.argsort(v, axis=dim, kind="stable").astype(np.int64)
    n = v.shape[dim] if v.ndim else 1
    idx = np.argsort(np.flip(v, axis=dim), axis=dim, kind="stable")
    return (n - 1 - np.flip(idx, axis=dim)).astype(np.int64)


def _sort(self, dim, descending):
    idx = _order(self, dim, descending)
    return MinMax(wnp.take_along_axis(self, idx, axis=dim), _wrap(idx))


def _topk(self, k, dim, largest):
    idx = np.take(_order(self, dim, largest), np.arange(k), axis=dim)
    return MinMax(wnp.take_along_axis(self, idx, axis=dim), _wrap(idx))


def _new(fill):
    def method(self, size, *more, dtype=None, device=None, requires_grad=False):
        shape = _shape_args((size,) + more) if more or not isinstance(size, (list, tuple)) \
            else tuple(size)
        t = Tensor._wrap(fill(shape, dtype or self.dtype), None)
        return t.requires_grad_(requires_grad) if requires_grad else t
    return method


Tensor.new_zeros = _new(lambda s, d: np.zeros(s, dtype=d))
Tensor.new_ones = _new(lambda s, d: np.ones(s, dtype=d))
Tensor.new_empty = _new(lambda s, d: np.zeros(s, dtype=d))
Tensor.new_full = lambda self, size, fill_value, dtype=None, **kw: Tensor._wrap(
    np.full(tuple(size), fill_value, dtype=dtype or self.dtype), None)
Tensor.new_tensor = lambda self, data, dtype=None, **kw: Tensor(
    data, dtype=dtype or self.dtype)
Tensor.type_as = lambda self, other: self.to(other.dtype)


# ------------------------------------------------------------ more of PyTorch's methods

def _axis(self, dim):
    nd = self.dim()
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-nd}, {nd - 1}], but got {dim})")
    return dim % nd


def _nonzero(self, *, as_tuple=False):
    """The int64 indices of the nonzero elements: one row per element (shape (n, ndim)),
    or with ``as_tuple=True`` one index tensor per dimension."""
    v = np.asarray(unbox_all(self._value))
    if as_tuple:
        return tuple(_wrap(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(v)))
    return _wrap(np.argwhere(v).astype(np.int64))


def _flip(self, *dims_, dims=None):
    return wnp.flip(self, axis=_sizes("flip", "dims", dims_, dims))


def _roll(self, shifts, dims=None):
    if dims is None:  # PyTorch rolls the flattened tensor and restores the shape
        return wnp.reshape(wnp.roll(wnp.reshape(self, (-1,)), shifts), tuple(self.shape))
    return wnp.roll(self, shifts, axis=dims)


def _narrow(self, dim, start, length):
    d = _axis(self, dim)
    start = int(start) % self.shape[d] if int(start) < 0 else int(start)
    if start + length > self.shape[d]:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({self.shape[d]}).")
    return self[(slice(None),) * d + (slice(start, start + length),)]


def _select(self, dim, index):
    return self[(slice(None),) * _axis(self, dim) + (int(index),)]


def _unflatten(self, dim, sizes):
    d = _axis(self, dim)
    shp = tuple(self.shape)
    return wnp.reshape(self, shp[:d] + tuple(sizes) + shp[d + 1:])


def _tile(self, *dims_, dims=None):
    return wnp.tile(self, _sizes("tile", "dims", dims_, dims))


def _masked_select(self, mask):
    """The elements where ``mask`` (broadcast with the tensor) is True, as a 1-d
    tensor."""
    m = np.asarray(unbox_all(getattr(mask, "_value", mask)))
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_select: expected a bool mask, got {m.dtype.name}")
    shape = np.broadcast_shapes(m.shape, tuple(self.shape))
    x = self if tuple(self.shape) == shape else wnp.broadcast_to(self, shape)
    return x[np.broadcast_to(m, shape)]


def _unique(self, sorted=True, return_inverse=False, return_counts=False,  # noqa: A002
            dim=None):
    """The distinct values (always sorted, as PyTorch's CPU result); no gradient."""
    v = np.asarray(unbox_all(self._value))
    values, inverse, counts = np.unique(v, return_inverse=True, return_counts=True,
                                        axis=dim)
    out = [_wrap(values)]
    if return_inverse:
        out.append(_wrap(inverse.reshape(v.shape if dim is None else -1)
                         .astype(np.int64)))
    if return_counts:
        out.append(_wrap(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def _isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    if isinstance(other, Tensor) and other.dtype != self.dtype:
        raise RuntimeError(f"isclose: {self.dtype.name} did not match {other.dtype.name}")
    a = np.asarray(unbox_all(self._value))
    b = np.asarray(unbox_all(getattr(other, "_value", other)))
    return _wrap(np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def _logsumexp(self, dim, keepdim=False):
    from ..scipy.special import logsumexp
    return _wrap(logsumexp(_floating(self), axis=_dim(dim), keepdims=keepdim))


def _masked_fill_(self, mask, value):
    return self._assign(self.masked_fill(mask, value))


Tensor.nonzero = _nonzero
Tensor.argwhere = lambda self: _wrap(np.argwhere(unbox_all(self._value)).astype(np.int64))
Tensor.flip = _flip
Tensor.roll = _roll
Tensor.diagonal = lambda self, offset=0, dim1=0, dim2=1: wnp.diagonal(self, offset, dim1,
                                                                      dim2)
Tensor.narrow = _narrow
Tensor.select = _select
Tensor.unflatten = _unflatten
Tensor.tile = _tile
Tensor.masked_select = _masked_select
Tensor.masked_fill_ = _masked_fill_
Tensor.unique = _unique
Tensor.isclose = _isclose
Tensor.allclose = lambda self, other, rtol=1e-05, atol=1e-08, equal_nan=False: bool(
    np.all(unbox_all(_isclose(self, other, rtol, atol, equal_nan)._value)))
Tensor.logsumexp = _logsumexp
Tensor.count_nonzero = lambda self, dim=None: _wrap(np.asarray(np.count_nonzero(
    unbox_all(self._value), axis=_dim(dim)), dtype=np.int64))
Tensor.remainder = lambda self, other: self % other
Tensor.fmod = lambda self, other: _arith(wnp.fmod)(self, other)
Tensor.lerp = lambda self, end, weight: self + weight * (end - self)
