"""PyTorch's method names on ``Tensor``, each a call of the ``wengert.numpy``
function of the same meaning (``dim`` is numpy's ``axis``). No rule lives here."""

from collections import namedtuple

import numpy as np

from .. import numpy as wnp
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
    """PyTorch's type promotion for ``a op b`` (``a`` a tensor): an integer tensor
    meeting a float tensor takes its float type; integers meeting a Python float (or
    divided) take the default float type; Python numbers never widen a tensor."""
    tb = type(b)
    if tb is Tensor:  # the common case: two float arrays of one dtype
        va, vb = a._value, b._value
        if type(va) is np.ndarray and type(vb) is np.ndarray and va.dtype is vb.dtype \
                and va.dtype.kind == "f":
            return a, b
    elif tb is float or tb is int:  # a Python number never widens
        if (tb is float or true_divide) and _kind(a) not in "fc":
            a = _as_dtype(a, get_default_dtype())
        return a, b
    if isinstance(b, np.ndarray):
        b = Tensor._wrap(b, None)
    if isinstance(b, Tensor):
        fa, fb = _float_of(a), _float_of(b)
        if fa and not fb:
            b = _as_dtype(b, a.dtype)
        elif fb and not fa:
            a = _as_dtype(a, b.dtype)
        elif not fa and not fb and true_divide:
            a = _as_dtype(a, get_default_dtype())
            b = _as_dtype(b, get_default_dtype())
        return a, b
    if not _float_of(a) and (isinstance(b, float) or true_divide):
        a = _as_dtype(a, get_default_dtype())
    return a, b


def _arith(fn, reflected=False, true_divide=False):
    def method(self, other):
        a, b = _promote(self, other, true_divide)
        return fn(b, a) if reflected else fn(a, b)
    return method


for _name, _fn, _div in [("add", wnp.add, False), ("sub", wnp.subtract, False),
                         ("mul", wnp.multiply, False), ("truediv", wnp.divide, True),
                         ("pow", wnp.power, False), ("matmul", wnp.matmul, False),
                         ("floordiv", wnp.floor_divide, False), ("mod", wnp.mod, False)]:
    setattr(Tensor, f"__{_name}__", _arith(_fn, true_divide=_div))
    setattr(Tensor, f"__r{_name}__", _arith(_fn, reflected=True, true_divide=_div))


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


Tensor.__and__ = Tensor.logical_and = _logical(np.logical_and)
Tensor.__or__ = Tensor.logical_or = _logical(np.logical_or)
Tensor.__xor__ = Tensor.logical_xor = _logical(np.logical_xor)
Tensor.__invert__ = Tensor.logical_not = lambda self: _wrap(np.logical_not(
    unbox_all(self._value)) if self.dtype == np.bool_ else np.invert(unbox_all(self._value)))
Tensor.__neg__ = Tensor.neg = lambda self: wnp.negative(self)
Tensor.__pos__ = lambda self: self
Tensor.__abs__ = Tensor.abs = lambda self: wnp.abs(self)

Tensor.add = lambda self, other, alpha=1: self + (other if alpha == 1 else other * alpha)
Tensor.sub = lambda self, other, alpha=1: self - (other if alpha == 1 else other * alpha)
Tensor.mul = Tensor.multiply = lambda self, other: self * other
Tensor.div = Tensor.divide = lambda self, other: self / other
Tensor.pow = lambda self, exponent: self ** exponent
Tensor.matmul = lambda self, other: self @ other
Tensor.mm = lambda self, other: self @ other
Tensor.bmm = lambda self, other: self @ other
Tensor.mv = lambda self, other: self @ other
Tensor.dot = lambda self, other: wnp.dot(self, other)
Tensor.outer = lambda self, other: wnp.outer(self, other)

# elementwise functions of one tensor
for _name in ["exp", "log", "log1p", "log2", "log10", "expm1", "sin", "cos", "tan",
              "sinh", "cosh", "tanh", "sqrt", "square", "reciprocal", "sign", "floor",
              "ceil", "trunc", "arcsin", "arccos", "arctan", "real", "imag", "conj"]:
    setattr(Tensor, _name, (lambda fn: lambda self: _wrap(fn(self)))(getattr(wnp, _name)))
Tensor.asin, Tensor.acos, Tensor.atan = Tensor.arcsin, Tensor.arccos, Tensor.arctan
Tensor.rsqrt = lambda self: 1.0 / wnp.sqrt(self)
Tensor.round = lambda self, decimals=0: _wrap(np.round(unbox_all(self._value), decimals))
Tensor.isnan = lambda self: _wrap(np.isnan(unbox_all(self._value)))
Tensor.isinf = lambda self: _wrap(np.isinf(unbox_all(self._value)))
Tensor.isfinite = lambda self: _wrap(np.isfinite(unbox_all(self._value)))


def _sigmoid(self):
    from ..scipy.special import expit
    return expit(self)


def _clamp(self, min=None, max=None):  # noqa: A002
    out = self
    if min is not None:
        out = wnp.maximum(out, min) if isinstance(min, Tensor) else \
            wnp.where(unbox_all(out._value) < unbox_all(getattr(min, "_value", min)), min, out)
    if max is not None:
        out = wnp.minimum(out, max) if isinstance(max, Tensor) else \
            wnp.where(unbox_all(out._value) > unbox_all(getattr(max, "_value", max)), max, out)
    return _as_dtype(_wrap(out), self.dtype)


Tensor.sigmoid = _sigmoid
Tensor.relu = lambda self: wnp.where(unbox_all(self._value) > 0, self, 0 * self)
Tensor.clamp = Tensor.clip = _clamp
Tensor.clamp_min = lambda self, v: _clamp(self, min=v)
Tensor.clamp_max = lambda self, v: _clamp(self, max=v)


def _softmax(self, dim=None, dtype=None):
    x = self if dtype is None else self.to(dtype)
    e = wnp.exp(x - wnp.max(unbox_all(x._value), axis=dim, keepdims=True))
    return e / wnp.sum(e, axis=dim, keepdims=True)


def _log_softmax(self, dim=None, dtype=None):
    from ..scipy.special import logsumexp
    x = self if dtype is None else self.to(dtype)
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
        ddof = 1 if correction is None and unbiased in (None, True) else \
            (0 if correction is None else correction)
        return _wrap(fn(self, axis=_dim(dim), ddof=ddof, keepdims=keepdim))
    return method


Tensor.var = _spread(wnp.var)
Tensor.std = _spread(wnp.std)


def _extremum(fn, argfn):
    def method(self, dim=None, keepdim=False):
        if isinstance(dim, Tensor):  # torch.max(a, b): elementwise
            return _wrap((wnp.maximum if fn is wnp.max else wnp.minimum)(self, dim))
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
    if p in ("fro", 2, 2.0) or p is None:
        return wnp.sqrt(wnp.sum(wnp.real(self * wnp.conj(self)) if self.is_complex()
                                else self * self, axis=_dim(dim), keepdims=keepdim))
    if p in (float("inf"), "inf"):
        return _wrap(wnp.max(wnp.abs(self), axis=_dim(dim), keepdims=keepdim))
    if p == 1:
        return _wrap(wnp.sum(wnp.abs(self), axis=_dim(dim), keepdims=keepdim))
    return wnp.sum(wnp.abs(self) ** p, axis=_dim(dim), keepdims=keepdim) ** (1.0 / p)


Tensor.norm = _norm
Tensor.cumsum = lambda self, dim, dtype=None: _wrap(wnp.cumsum(self, axis=dim))
Tensor.cumprod = lambda self, dim, dtype=None: _wrap(wnp.cumprod(self, axis=dim))


# ------------------------------------------------------------ shapes

def _shape_args(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(int(s) for s in shape)


Tensor.view = lambda self, *shape: (self.to(shape[0]) if len(shape) == 1 and not
                                    isinstance(shape[0], (int, tuple, list)) else
                                    wnp.reshape(self, _shape_args(shape)))
Tensor.reshape = lambda self, *shape: wnp.reshape(self, _shape_args(shape))
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
    return wnp.squeeze(self, axis=keep) if keep else self


def _expand(self, *sizes):
    sizes = _shape_args(sizes)
    lead = len(sizes) - self.dim()
    shp = tuple(self.shape)
    target = tuple(s if s != -1 else shp[i - lead] for i, s in enumerate(sizes))
    return wnp.broadcast_to(self, target)


def _repeat(self, *sizes):
    return wnp.tile(self, _shape_args(sizes))


def _permute(self, *dims):
    return wnp.transpose(self, _shape_args(dims))


def _transpose(self, dim0=None, dim1=None):
    if dim0 is None:
        return wnp.transpose(self)
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
Tensor.swapaxes = Tensor.swapdims = _transpose
Tensor.t = _t
Tensor.T = property(lambda self: wnp.transpose(self))
Tensor.mT = property(lambda self: wnp.swapaxes(self, -1, -2))
Tensor.ravel = lambda self: wnp.reshape(self, (-1,))
Tensor.diag = lambda self, diagonal=0: wnp.diag(self, diagonal)
Tensor.trace = lambda self: wnp.trace(self)
Tensor.tril = lambda self, diagonal=0: wnp.tril(self, diagonal)
Tensor.triu = lambda self, diagonal=0: wnp.triu(self, diagonal)
Tensor.where = lambda self, condition, other: wnp.where(unbox_all(getattr(
    condition, "_value", condition)), self, other)
Tensor.masked_fill = lambda self, mask, value: wnp.where(
    unbox_all(getattr(mask, "_value", mask)), _tensor_of(value, self.dtype), self)
Tensor.chunk = lambda self, chunks, dim=0: tuple(wnp.array_split(self, chunks, axis=dim))


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
    v = unbox_all(self._value)
    idx = np.argsort(-v if descending else v, axis=dim, kind="stable")
    return idx.astype(np.int64)


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
