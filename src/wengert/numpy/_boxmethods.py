"""Operators, attributes and methods of traced values, as numpy arrays have them.

Each forwards to the ``wengert.numpy`` function of the same meaning, looked up at
call time, so the namespace is the one place that defines behaviour."""

from .. import backend
from ..core.trace import Box, unbox_all


def _ns():
    from .. import numpy as wnp
    return wnp


def _resolve(name):
    """The namespace function ``name``: bound now if it exists (the hot operators),
    looked up at call time otherwise."""
    fn = getattr(_ns(), name, None)
    if fn is not None:
        return fn
    return lambda *args, **kwargs: getattr(_ns(), name)(*args, **kwargs)


def _binary(name, reflected=False):
    fn = _resolve(name)
    if reflected:
        def method(self, other):
            return fn(other, self)
    else:
        def method(self, other):
            return fn(self, other)
    method.__name__ = name
    return method


def _method(name):
    fn = _resolve(name)

    def method(self, *args, **kwargs):
        return fn(self, *args, **kwargs)
    method.__name__ = name
    return method


for _dunder, _fn in [("add", "add"), ("sub", "subtract"), ("mul", "multiply"),
                     ("truediv", "divide"), ("pow", "power"), ("matmul", "matmul"),
                     ("floordiv", "floor_divide"), ("mod", "mod")]:
    setattr(Box, f"__{_dunder}__", _binary(_fn))
    setattr(Box, f"__r{_dunder}__", _binary(_fn, reflected=True))

for _dunder, _fn in [("lt", "less"), ("le", "less_equal"), ("gt", "greater"),
                     ("ge", "greater_equal"), ("eq", "equal"), ("ne", "not_equal")]:
    setattr(Box, f"__{_dunder}__", _binary(_fn))

Box.__neg__ = _method("negative")
Box.__abs__ = _method("abs")
Box.__pos__ = lambda self: self

for _name in ["sum", "mean", "prod", "max", "min", "var", "std", "dot", "ravel",
              "squeeze", "clip", "cumsum", "swapaxes", "conj", "argmax", "argmin",
              "all", "any", "round", "nonzero", "argsort", "trace", "diagonal"]:
    setattr(Box, _name, _method(_name))
Box.conjugate = Box.conj


def _reshape(self, *shape, order="C"):
    if len(shape) == 1 and not isinstance(shape[0], int):
        shape = tuple(shape[0])
    return _ns().reshape(self, shape, order=order)


def _transpose(self, *axes):
    if len(axes) == 1 and not isinstance(axes[0], int):
        axes = axes[0]
    return _ns().transpose(self, axes or None)


def _getitem(self, idx):
    return _ns().getitem_(self, idx)


def _len(self):
    shp = backend.shape(unbox_all(self))
    if not shp:
        raise TypeError("len() of unsized object (a 0-d traced value)")
    return shp[0]


def _iter(self):
    for i in range(_len(self)):
        yield self[i]


Box.reshape = _reshape
Box.transpose = _transpose
Box.flatten = lambda self, order="C": _ns().ravel(self, order)
Box.__getitem__ = _getitem
Box.__len__ = _len
Box.__iter__ = _iter
Box.shape = property(lambda self: backend.shape(unbox_all(self)))
Box.ndim = property(lambda self: backend.ndim(unbox_all(self)))
Box.size = property(lambda self: backend.size(unbox_all(self)))
Box.dtype = property(lambda self: backend.dtype_of(unbox_all(self)))
Box.T = property(lambda self: _ns().transpose(self))
Box.mT = property(lambda self: _ns().swapaxes(self, -1, -2))
Box.real = property(lambda self: _ns().real(self))
Box.imag = property(lambda self: _ns().imag(self))


def _astype(self, dtype):
    import numpy as np
    if np.dtype(dtype).kind in "fc":
        return self  # staying in a float type keeps the derivative
    return unbox_all(self).astype(dtype)


Box.astype = _astype


# numpy's own functions on traced values: a function written with plain
# ``import numpy as np`` dispatches here through numpy's protocols and runs the same
# primitives as wengert.numpy.

def _array_ufunc(self, ufunc, method, *inputs, **kwargs):
    fn = getattr(_ns(), ufunc.__name__, None)
    if method != "__call__" or kwargs.get("out") is not None or fn is None \
            or fn is ufunc:
        what = f"numpy.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
        raise TypeError(f"{what} has no derivative rule in wengert"
                        + (" (out= is not supported)" if kwargs.get("out") is not None else "")
                        + "; write the computation with wengert.numpy functions that have one")
    return fn(*inputs, **kwargs)


def _array_function(self, func, types, args, kwargs):
    # numpy.X.f maps to wengert.numpy.X.f (numpy.linalg.trace is not numpy.trace)
    module = getattr(func, "__module__", None) or "numpy"
    space = _ns()
    for part in module.split(".")[1:] if module.startswith("numpy") else ["?"]:
        space = getattr(space, part, None)
    fn = getattr(space, func.__name__, None) if space is not None else None
    if fn is None or fn is func:
        raise TypeError(f"{module}.{func.__name__} has no derivative rule in wengert; "
                        f"write the computation with wengert.numpy functions that have one")
    return fn(*args, **kwargs)


Box.__array_ufunc__ = _array_ufunc
Box.__array_function__ = _array_function


# ---------------------------------------------------------------- assignment
#
# ``x[idx] = y`` on a traced x computes the new array functionally (the primitive
# index_update) and then makes x *be* it: the new box's slots are copied into x, so
# every name bound to x sees the assignment, as with a numpy array. Nothing is
# written into an existing array: the tape keeps the values x held before, and the
# array a caller passed in is never changed. Views are not shared: ``v = x[1:3]``
# taken before ``x[1] = y`` keeps the old values (numpy's view would change).

_HOW_TO_BUILD = (
    "build the array from traced pieces instead (wnp.stack([...]), wnp.concatenate, "
    "wnp.where(mask, value, a)), or make the target traced before assigning into it, "
    "for example a = wnp.zeros(n) + 0.0 * value (assignment into a traced array is "
    "differentiable)")


def _traced_parts(value):
    """The boxes in ``value``, which may be a (nested) list or tuple of them."""
    if isinstance(value, Box):
        return [value]
    if isinstance(value, (list, tuple)):
        return [b for v in value for b in _traced_parts(v)]
    return []


def _as_operand(value):
    """A list or tuple holding traced values, stacked into one traced array (numpy
    would read the sequence as an array)."""
    if isinstance(value, (list, tuple)) and _traced_parts(value):
        return _ns().stack([_as_operand(v) for v in value])
    return value


def _box_slots(cls):
    return [s for klass in cls.__mro__ for s in getattr(klass, "__slots__", ())]


def _setitem(self, idx, value):
    """``x[idx] = value`` on a traced x: x becomes the updated array.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> def f(x):
    ...     z = x * 1.0
    ...     z[0] = x[1] ** 2
    ...     return wnp.sum(z)
    >>> wg.grad(f)(wnp.array([1.0, 3.0]))
    array([0., 7.])
    """
    from ..rules.indexing import _plain_index, index_update
    inner = [b for b in _traced_parts(value) if b._trace.level > self._trace.level]
    if inner:
        raise TypeError(
            f"x[...] = value: value is traced by a transform nested inside the one that "
            f"traces x (level {max(b._trace.level for b in inner)} > "
            f"{self._trace.level}), so x cannot hold it without leaking it out of that "
            f"transform; {_HOW_TO_BUILD}, or compute x inside the inner transform")
    new = index_update(self, _as_operand(value), idx=_plain_index(idx))
    if type(new) is not type(self) or new._trace is not self._trace:
        raise TypeError(f"x[...] = value: the update gave a {type(new).__name__} where a "
                        f"{type(self).__name__} of the same trace was expected; "
                        f"{_HOW_TO_BUILD}")
    for slot in _box_slots(type(self)):
        setattr(self, slot, getattr(new, slot))


def _array(self, dtype=None, copy=None):
    # numpy asks for this when a traced value is stored into a plain ndarray
    # (a[1:3] = x, a[mask] = x) or converted (np.asarray(x), np.array([x, y]))
    raise TypeError(
        f"a traced value (shape {backend.shape(unbox_all(self))}) cannot become a plain "
        f"numpy array without dropping its derivative (np.asarray(x), np.array([...]) or "
        f"a[i] = x with a plain ndarray a): {_HOW_TO_BUILD}; use "
        f"wengert.stop_gradient(x) when a constant is meant")


def _float(self):
    # numpy calls float() when a traced scalar is stored into a plain ndarray
    # (a[0] = x) and reports "setting an array element with a sequence" with this as
    # its cause, so the advice covers that case too
    raise TypeError(
        "float() of a traced value would drop its derivative: use wengert.numpy "
        "functions (wnp.sqrt, not math.sqrt), or wengert.stop_gradient(x) when a "
        f"constant is meant. If it came from a[i] = x with a plain ndarray a: "
        f"{_HOW_TO_BUILD}")


Box.__setitem__ = _setitem
Box.__array__ = _array
Box.__float__ = _float
Box.__complex__ = _float
