"""``Tensor``: an array with PyTorch's names and semantics, over the same primitives.

A Tensor is a box of the eager trace (``wengert.core.eager``): each operation on it
binds the very primitive a ``wengert.numpy`` function binds, and ``.backward()`` runs
those primitives' own VJP rules. No derivative is written here.
"""

import numbers

import numpy as np

from .. import backend
from .. import numpy as wnp
from ..core import eager
from ..core.eager import EAGER, Leaf, grad_enabled
from ..core.trace import Box, unbox_all
from ..rules.indexing import _plain_index, index_update

__all__ = ["Tensor", "Parameter", "get_default_dtype", "set_default_dtype"]

_DEFAULT = [np.dtype(np.float32)]


def get_default_dtype():
    """The dtype of tensors made from Python floats (float32, as PyTorch's)."""
    return _DEFAULT[0]


def set_default_dtype(dtype):
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise TypeError(f"set_default_dtype: only floating-point types can be the "
                        f"default, got {dt}")
    _DEFAULT[0] = dt


def _dtype_name(dt):
    names = {"float32": "float32", "float64": "float64", "float16": "float16",
             "int64": "int64", "int32": "int32", "int16": "int16", "int8": "int8",
             "uint8": "uint8", "bool": "bool", "complex64": "complex64",
             "complex128": "complex128"}
    return "wengert." + names.get(np.dtype(dt).name, np.dtype(dt).name)


class Size(tuple):
    """A tensor's shape: a tuple, printed as PyTorch prints it."""

    def __repr__(self):
        return f"Size({list(self)})"

    def numel(self):
        return int(np.prod(self)) if self else 1


class device:  # noqa: N801  (PyTorch's name)
    """Where a tensor lives: always the CPU here."""

    def __init__(self, kind="cpu", index=None):
        kind = str(kind)
        if kind.split(":")[0] != "cpu":
            raise RuntimeError(f"device {kind!r}: wengert tensors live on the CPU (numpy "
                               f"arrays); use device='cpu'")
        self.type = "cpu"
        self.index = None

    def __eq__(self, other):
        return str(other) == "cpu"

    def __hash__(self):
        return hash("cpu")

    def __repr__(self):
        return "device(type='cpu')"

    def __str__(self):
        return "cpu"


CPU = device("cpu")


def _check_device(dev):
    if dev is not None:
        device(dev)


def as_value(x, dtype=None):
    """The plain value of a tensor, or ``x`` as an array (a Python scalar stays one)."""
    if isinstance(x, Tensor):
        return x._value
    return x


class Tensor(Box):
    """A numpy-backed array with a gradient, PyTorch style.

    >>> import wengert as wg
    >>> x = wg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    tensor([2., 4., 6.])
    """

    __slots__ = ("_node", "_leaf", "_flag", "_grad", "_vc", "_retain", "_param")

    def __init__(self, data=None, requires_grad=False, dtype=None, device=None):
        _check_device(device)
        value = _to_array(data if data is not None else [], dtype)
        _init(self, value, None)
        if requires_grad:
            self.requires_grad_(True)

    # ------------------------------------------------------------ construction

    @classmethod
    def _wrap(cls, value, node):
        t = cls.__new__(cls)
        _init(t, value, node)
        return t

    # ------------------------------------------------------------ autograd state

    @property
    def requires_grad(self):
        return self._node is not None or self._flag

    @requires_grad.setter
    def requires_grad(self, flag):
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad=True):
        if self._node is not None:
            if not requires_grad:
                raise RuntimeError("you can only change requires_grad flags of leaf "
                                   "variables. If you want to use a computed variable in "
                                   "a subgraph that doesn't require differentiation use "
                                   "var_no_grad = var.detach().")
            return self
        if requires_grad and np.result_type(unbox_all(self._value)).kind not in "fc":
            raise RuntimeError("only Tensors of floating point and complex dtype can "
                               "require gradients")
        self._flag = bool(requires_grad)
        return self

    @property
    def is_leaf(self):
        return self._node is None

    @property
    def grad_fn(self):
        return self._node

    def grad_node(self):
        """The node a gradient for this tensor flows to: its ``grad_fn``, or for a leaf
        its accumulator (made on first use)."""
        if self._node is not None:
            return self._node
        leaf = self._leaf
        if leaf is None:
            import weakref
            leaf = self._leaf = Leaf(weakref.ref(self))
        return leaf

    @property
    def grad(self):
        if self._node is not None and not self._retain and self._grad is None:
            pass  # PyTorch warns here; a non-leaf's .grad is None unless retained
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got "
                                f"grad of type {type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(f"assigned grad has data of a different size: "
                                   f"{tuple(value.shape)} for a tensor of shape "
                                   f"{tuple(self.shape)}")
        self._grad = value

    def accumulate_grad(self, g):
        g = _as_dtype(g, self.dtype)
        self._grad = g if self._grad is None else self._grad + g

    def retain_grad(self):
        if self._node is None:
            return
        import weakref
        self._retain = True
        self._node.retained = weakref.ref(self)

    def register_hook(self, hook):
        """``hook(grad)`` runs when the gradient for this tensor is computed; it may
        return a replacement. Returns a handle with ``remove()``."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require "
                               "gradient")
        node = self.grad_node()
        if node.hooks is None:
            node.hooks = []
        node.hooks.append(hook)
        return _HookHandle(node.hooks, hook)

    @property
    def _version(self):
        vc = self._vc
        return vc[0] if vc is not None else 0

    def _bump(self):
        if self._vc is None:
            self._vc = [1]  # made on the first change (most tensors never change)
        else:
            self._vc[0] += 1

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d self / d leaf into each leaf's ``.grad`` (PyTorch's
        ``backward``)."""
        from .autograd import backward
        backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph,
                 inputs=inputs)

    def detach(self):
        """The same data, cut from the graph (shares memory and version counter)."""
        t = Tensor._wrap(self._value, None)
        if self._vc is None:
            self._vc = [0]
        t._vc = self._vc
        return t

    def detach_(self):
        self._node = None
        self._flag = False
        return self

    @property
    def data(self):
        return self.detach()

    @data.setter
    def data(self, value):
        self._value = _to_array(as_value(value), None)

    # ------------------------------------------------------------ plain values

    def numpy(self, force=False):
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return unbox_all(self._value)

    def __array__(self, dtype=None, copy=None):
        value = self.numpy()
        return value if dtype is None else value.astype(dtype)

    def item(self):
        v = unbox_all(self._value)
        if np.size(v) != 1:
            raise RuntimeError(f"a Tensor with {np.size(v)} elements cannot be converted "
                               f"to Scalar")
        return np.asarray(v).reshape(()).item()

    def tolist(self):
        return np.asarray(unbox_all(self._value)).tolist()

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if np.result_type(unbox_all(self._value)).kind not in "iub":
            raise TypeError("only integer tensors of a single element can be converted "
                            "to an index")
        return int(self.item())

    def __complex__(self):
        return complex(self.item())

    def __bool__(self):
        v = unbox_all(self._value)
        if np.size(v) != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is "
                               "ambiguous")
        return bool(np.asarray(v).reshape(()))

    def __format__(self, spec):
        if not spec:
            return str(self)
        return format(self.item(), spec)

    def __repr__(self):
        return _format_tensor(self)

    __str__ = __repr__
    __hash__ = object.__hash__

    # ------------------------------------------------------------ shape and type

    @property
    def shape(self):
        return Size(backend.shape(unbox_all(self._value)))

    def size(self, dim=None):
        shp = self.shape
        return shp if dim is None else shp[dim]

    def dim(self):
        return len(self.shape)

    ndimension = dim

    def numel(self):
        return int(backend.size(unbox_all(self._value)))

    nelement = numel

    @property
    def device(self):
        return CPU

    @property
    def is_cuda(self):
        return False

    def element_size(self):
        return self.dtype.itemsize

    def type(self, dtype=None):
        if dtype is None:
            return _dtype_name(self.dtype)
        return self.to(dtype)

    def to(self, *args, **kwargs):
        """``to(dtype)``, ``to(device)``, ``to(other_tensor)``; 'cpu' is the only
        device."""
        dtype = kwargs.pop("dtype", None)
        _check_device(kwargs.pop("device", None))
        kwargs.pop("non_blocking", None)
        kwargs.pop("copy", None)
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, (str, device)):
                _check_device(a)
            elif a is not None:
                dtype = a
        if dtype is None or np.dtype(dtype) == self.dtype:
            return self
        return _as_dtype(self, np.dtype(dtype))

    def cpu(self):
        return self

    def cuda(self, *args, **kwargs):
        raise RuntimeError("wengert tensors live on the CPU (numpy arrays); for a GPU, "
                           "run the functional API over CuPy arrays")

    def float(self):
        return self.to(np.float32)

    def double(self):
        return self.to(np.float64)

    def half(self):
        return self.to(np.float16)

    def long(self):
        return self.to(np.int64)

    def int(self):
        return self.to(np.int32)

    def bool(self):
        return self.to(np.bool_)

    def is_floating_point(self):
        return self.dtype.kind == "f"

    def is_complex(self):
        return self.dtype.kind == "c"

    # ------------------------------------------------------------ in-place

    def _assign(self, result):
        """Make ``self`` hold ``result`` (computed from it), in place: the array itself
        is written when nothing is being recorded, so views and ``.numpy()`` see it;
        while recording, the tensor takes the new value and node."""
        if self._node is None and self._flag and grad_enabled():
            raise RuntimeError("a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
        result = _as_dtype(result, self.dtype)
        value = result._value
        if result._node is None and isinstance(self._value, np.ndarray) \
                and self._value.flags.writeable and self._value.shape == np.shape(value):
            np.copyto(self._value, unbox_all(value), casting="unsafe")
            self._bump()
        else:
            if np.shape(unbox_all(value)) != self.shape:
                raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the "
                                   f"broadcast shape {list(np.shape(unbox_all(value)))}")
            # while recording, the old array stays as the graph saved it: the tensor
            # takes the new one (no version change: nothing saved was written)
            self._value = value
            self._node = result._node
        return self

    def copy_(self, src):
        src = _tensor_of(src, self.dtype)
        return self._assign(wnp.broadcast_to(src, self.shape) * 1 if src.shape != self.shape
                            else src.clone())

    def fill_(self, value):
        return self._assign(wnp.zeros_like(self._value) + _tensor_of(value, self.dtype)
                            if isinstance(value, Tensor) else
                            Tensor._wrap(np.full(self.shape, value, dtype=self.dtype), None))

    def zero_(self):
        return self.fill_(0)

    def add_(self, other, alpha=1):
        if alpha == 1 and self._in_place(np.add, other):
            return self
        return self._assign(self + (other if alpha == 1 else other * alpha))

    def sub_(self, other, alpha=1):
        if alpha == 1 and self._in_place(np.subtract, other):
            return self
        return self._assign(self - (other if alpha == 1 else other * alpha))

    def mul_(self, other):
        if self._in_place(np.multiply, other):
            return self
        return self._assign(self * other)

    def div_(self, other):
        if self._in_place(np.true_divide, other):
            return self
        return self._assign(self / other)

    def _in_place(self, ufunc, other):
        """The common update ``w -= lr * w.grad`` under no_grad as one numpy call writing
        into the array itself; False (nothing done) whenever something would be
        recorded or the dtypes or shapes need the general path and its errors."""
        value = self._value
        if type(value) is not np.ndarray or value.dtype.kind != "f" \
                or not value.flags.writeable:
            return False
        if type(other) is Tensor:
            if other._trace is not EAGER:
                return False
            recorded = other._node is not None or other._flag
            other = other._value
        elif type(other) is float or type(other) is int:
            recorded = False
        else:
            return False
        if grad_enabled() and (recorded or self._node is not None or self._flag):
            return False
        if type(other) is np.ndarray or isinstance(other, np.floating):
            if other.dtype.kind != "f" or (other.shape != value.shape and np.broadcast_shapes(
                    other.shape, value.shape) != value.shape):
                return False
        elif type(other) is not float and type(other) is not int:
            return False
        ufunc(value, other, out=value, casting="same_kind")
        self._bump()
        return True

    def pow_(self, other):
        return self._assign(self ** other)

    def clamp_(self, min=None, max=None):  # noqa: A002
        return self._assign(self.clamp(min, max))

    clip_ = clamp_

    def neg_(self):
        return self._assign(-self)

    def abs_(self):
        return self._assign(self.abs())

    def exp_(self):
        return self._assign(self.exp())

    def sqrt_(self):
        return self._assign(self.sqrt())

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    def __setitem__(self, idx, value):
        idx = _index(idx)
        if isinstance(value, Tensor) and value.requires_grad and grad_enabled() \
                or self._node is not None and grad_enabled():
            if self._node is None and self._flag:
                raise RuntimeError("a leaf Variable that requires grad is being used in an "
                                   "in-place operation.")
            new = index_update(self, _tensor_of(value, self.dtype), idx=_plain_index(idx))
            self._value = new._value
            self._node = new._node
            return
        if self._node is None and self._flag and grad_enabled():
            raise RuntimeError("a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
        self._value[_plain_index(idx)] = unbox_all(as_value(value))
        self._bump()

    def __getitem__(self, idx):
        return wnp.getitem_(self, _index(idx))

    def clone(self, memory_format=None):
        return self * 1 if self.requires_grad else Tensor._wrap(
            np.array(unbox_all(self._value), copy=True), None)

    def contiguous(self, memory_format=None):
        return self


class Parameter(Tensor):
    """A tensor that a ``Module`` registers as a parameter (requires grad by default)."""

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if isinstance(data, Tensor) and type(data._value) is np.ndarray:
            # PyTorch's Parameter(t) shares t's memory (and version counter), as detach
            _init(self, data._value, None)
            if data._vc is None:
                data._vc = [0]
            self._vc = data._vc
        else:
            value = np.array(unbox_all(as_value(data)), copy=True) if data is not None \
                else np.zeros(0, dtype=get_default_dtype())
            _init(self, value, None)
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self):
        return "Parameter containing:\n" + _format_tensor(self)

    __str__ = __repr__


class _HookHandle:
    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _init(t, value, node):
    t._value = value
    t._trace = EAGER
    t._node = node
    t._leaf = None
    t._flag = False
    t._grad = None
    t._vc = None
    t._retain = False
    t._param = False


def _make(value, node, _new=object.__new__):
    # every operation's output (the per-call path: no classmethod lookup)
    if type(value) is float:
        value = np.float64(value)
    t = _new(Tensor)
    _init(t, value, node)
    return t


EAGER.make = _make


# ------------------------------------------------------------ values and dtypes

def _infer_dtype(data):
    """PyTorch's dtype for Python data: bools stay bool, integers int64, any float the
    default float type, any complex the matching complex type."""
    kinds = set()

    def visit(x):
        if isinstance(x, (list, tuple)):
            for y in x:
                visit(y)
        elif isinstance(x, Tensor):
            kinds.add(x.dtype.kind)
        elif isinstance(x, (bool, np.bool_)):
            kinds.add("b")
        elif isinstance(x, numbers.Integral):
            kinds.add("i")
        elif isinstance(x, numbers.Real):
            kinds.add("f")
        elif isinstance(x, numbers.Complex):
            kinds.add("c")
        else:
            kinds.add(np.result_type(x).kind)

    visit(data)
    if "c" in kinds:
        return np.dtype(np.complex128 if get_default_dtype() == np.float64 else np.complex64)
    if "f" in kinds:
        return get_default_dtype()
    if "i" in kinds or "u" in kinds:
        return np.dtype(np.int64)
    if "b" in kinds:
        return np.dtype(np.bool_)
    return get_default_dtype()


def _to_array(data, dtype):
    """A new array from ``data`` (a tensor, an array, a number, nested lists of them)."""
    if isinstance(data, Tensor):
        value = np.array(unbox_all(data._value), copy=True)
        return value if dtype is None else value.astype(dtype)
    if isinstance(data, np.ndarray):
        return np.array(data, dtype=dtype, copy=True)
    if backend.kind(data) != "numpy":  # another library's array (Dask, CuPy) stays one
        return data if dtype is None else data.astype(dtype)
    if isinstance(data, np.generic):
        return np.array(data, dtype=dtype)
    if dtype is None:
        dtype = _infer_dtype(data)
    return np.array(_plain_nested(data), dtype=dtype)


def _plain_nested(x):
    if isinstance(x, (list, tuple)):
        return [_plain_nested(y) for y in x]
    if isinstance(x, Tensor):
        return unbox_all(x._value)
    return x


def _tensor_of(x, dtype=None):
    if isinstance(x, Tensor):
        return x
    return Tensor._wrap(np.asarray(unbox_all(x), dtype=dtype), None)


def _as_dtype(t, dtype):
    if t.dtype == dtype:
        return t
    if dtype.kind in "fc" and t.dtype.kind in "fc":
        return wnp.astype(t, dtype)
    return Tensor._wrap(np.asarray(unbox_all(t._value)).astype(dtype), None)


def _index(idx):
    """A tensor index as numpy reads it (tensors become arrays)."""
    if isinstance(idx, tuple):
        return tuple(_index(i) for i in idx)
    if isinstance(idx, Tensor):
        return np.asarray(unbox_all(idx._value))
    return idx


# ------------------------------------------------------------ printing

def _format_tensor(t):
    v = np.asarray(unbox_all(t._value))
    dt = v.dtype
    suffix = []
    if dt not in (get_default_dtype(), np.dtype(np.int64), np.dtype(np.bool_)) \
            and not (dt.kind == "c" and dt.itemsize == 2 * get_default_dtype().itemsize):
        suffix.append(f"dtype={_dtype_name(dt)}")
    if v.size == 0:
        body = "[]"
        if v.shape != (0,):
            suffix.insert(0, f"size={tuple(v.shape)}")
    else:
        body = np.array2string(v, separator=", ", prefix="tensor(", threshold=1000,
                               edgeitems=3, max_line_width=80, **_float_style(v))
    if t._node is not None:
        suffix.append(f"grad_fn=<{t._node.name()}>")
    elif t._flag:
        suffix.append("requires_grad=True")
    return "tensor(" + body + "".join(", " + s for s in suffix) + ")"


def _float_style(v):
    """PyTorch's look for floats: ``1.`` when every value is a whole number, four
    decimals otherwise, scientific notation for very large or very small values."""
    if v.dtype.kind != "f":
        return {}
    finite = v[np.isfinite(v)]
    if not finite.size or (np.all(finite == np.round(finite)) and np.abs(finite).max() < 1e8):
        return {"precision": 0, "floatmode": "fixed"}
    big = np.abs(finite).max()
    nonzero = np.abs(finite[finite != 0])
    small = nonzero.min() if nonzero.size else 1.0
    if big >= 1e8 or small < 1e-4 or (big / small > 1e3 and big >= 1e3):
        return {"formatter": {"float_kind": lambda x: f"{x:.4e}"}}
    return {"precision": 4, "floatmode": "fixed"}
