"""Operators, attributes and methods of traced values, as numpy arrays have them.

Each forwards to the ``wengert.numpy`` function of the same meaning, looked up at
call time, so the namespace is the one place that defines behaviour."""

import weakref

import numpy as np

from .. import backend
from ..core._slots import drop_sequence_slot
from ..core.batching import logical_shape
from ..core.trace import Box, unbox_all
from ..rules import shape as _shape


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
Box.__pos__ = lambda self: _ns().positive(self)  # a new array, as numpy's +x

for _name in ["sum", "mean", "prod", "max", "min", "var", "std", "dot",
              "clip", "cumsum", "conj", "argmax", "argmin",
              "all", "any", "round", "nonzero", "argsort", "trace", "diagonal"]:
    setattr(Box, _name, _method(_name))
def _conj_method(self):
    # numpy's x.conj() of a real array is the array itself (writes reach x); of a
    # complex one, a new array
    if np.iscomplexobj(unbox_all(self)):
        return _ns().conj(self)
    shp = self.shape
    return _view(self, lambda b: _shape.reshape(b, shp), lambda b, v: v)


Box.conj = _conj_method
Box.conjugate = _conj_method


def _reshape(self, *shape, order="C"):
    if len(shape) == 1 and not isinstance(shape[0], int):
        shape = tuple(shape[0])
    return reshape(self, shape, order=order)


def _transpose(self, *axes):
    if len(axes) == 1 and not isinstance(axes[0], int):
        axes = axes[0]
    return transpose(self, tuple(axes) if axes else None)


# The functions whose numpy result may be a view of their argument, each with the way
# a changed view is written back into its base. On a traced argument they record the
# view (see the assignment section below); on anything else they are wengert.numpy's.

def reshape(a, newshape=None, order="C", *, shape=None):
    newshape = shape if newshape is None else newshape
    if not isinstance(a, Box):
        return _shape.reshape(a, newshape, order=order)
    base_shape = a.shape
    return _view(a, lambda b: _shape.reshape(b, newshape, order=order),
                 lambda b, v: _shape.reshape(v, base_shape, order=order))


def ravel(a, order="C"):
    if isinstance(a, Box) and order in ("C", "A", "K"):
        plain = unbox_all(a)
        if isinstance(plain, np.ndarray) and not plain.flags.c_contiguous:
            return _ns().copy(_shape.ravel(a, order))  # numpy's ravel copies here
    return reshape(a, (-1,), order=order)


def squeeze(a, axis=None):
    if not isinstance(a, Box):
        return _shape.squeeze(a, axis)
    base_shape = a.shape
    return _view(a, lambda b: _shape.squeeze(b, axis),
                 lambda b, v: _shape.reshape(v, base_shape))


def expand_dims(a, axis):
    if not isinstance(a, Box):
        return _shape.expand_dims(a, axis)
    base_shape = a.shape
    return _view(a, lambda b: _shape.expand_dims(b, axis),
                 lambda b, v: _shape.reshape(v, base_shape))


def transpose(a, axes=None):
    if not isinstance(a, Box):
        return _shape.transpose(a, axes)
    axes = tuple(axes) if axes is not None else tuple(reversed(range(a.ndim)))
    back = tuple(int(k) for k in np.argsort([ax % max(a.ndim, 1) for ax in axes]))
    return _view(a, lambda b: _shape.transpose(b, axes),
                 lambda b, v: _shape.transpose(v, back))


def swapaxes(a, axis1, axis2):
    if not isinstance(a, Box):
        return _shape.swapaxes(a, axis1, axis2)
    return _view(a, lambda b: _shape.swapaxes(b, axis1, axis2),
                 lambda b, v: _shape.swapaxes(v, axis1, axis2))


def moveaxis(a, source, destination):
    if not isinstance(a, Box):
        return _shape.moveaxis(a, source, destination)
    return _view(a, lambda b: _shape.moveaxis(b, source, destination),
                 lambda b, v: _shape.moveaxis(v, destination, source))


def flip(m, axis=None):
    if not isinstance(m, Box):
        return _shape.flip(m, axis)
    return _view(m, lambda b: _shape.flip(b, axis), lambda b, v: _shape.flip(v, axis))


def fliplr(m):
    if not isinstance(m, Box):
        return _shape.fliplr(m)
    return _view(m, _shape.fliplr, lambda b, v: _shape.fliplr(v))


def flipud(m):
    if not isinstance(m, Box):
        return _shape.flipud(m)
    return _view(m, _shape.flipud, lambda b, v: _shape.flipud(v))


def rot90(m, k=1, axes=(0, 1)):
    if not isinstance(m, Box):
        return _shape.rot90(m, k, axes)
    return _view(m, lambda b: _shape.rot90(b, k, axes),
                 lambda b, v: _shape.rot90(v, -k, axes))


def _atleast(fn):
    def atleast(*arys):
        outs = []
        for a in arys:
            if isinstance(a, Box):
                base_shape = a.shape
                outs.append(_view(a, fn, lambda b, v, s=base_shape: _shape.reshape(v, s)))
            else:
                outs.append(fn(a))
        return outs[0] if len(outs) == 1 else tuple(outs)
    atleast.__name__ = fn.__name__
    return atleast


atleast_1d = _atleast(_shape.atleast_1d)
atleast_2d = _atleast(_shape.atleast_2d)
atleast_3d = _atleast(_shape.atleast_3d)


def real(val):
    """numpy.real: a view of the real part (of the array itself, for a real one)."""
    from ..rules.complex import real as real_
    if not isinstance(val, Box):
        return real_(val)
    if not np.iscomplexobj(unbox_all(val)):
        return _view(val, real_, lambda b, v: v)
    return _view(val, real_, lambda b, v: v + 1j * _imag(b))


def imag(val):
    """numpy.imag: for a complex array, a view of the imaginary part."""
    if not isinstance(val, Box) or not np.iscomplexobj(unbox_all(val)):
        return _imag(val)
    from ..rules.complex import real as real_
    return _view(val, _imag, lambda b, v: real_(b) + 1j * v)


def _imag(x):
    from ..rules.complex import imag as imag_
    return imag_(x)


VIEW_FUNCTIONS = {"reshape": reshape, "ravel": ravel, "squeeze": squeeze,
                  "expand_dims": expand_dims, "transpose": transpose,
                  "swapaxes": swapaxes, "moveaxis": moveaxis, "flip": flip,
                  "fliplr": fliplr, "flipud": flipud, "rot90": rot90,
                  "atleast_1d": atleast_1d, "atleast_2d": atleast_2d,
                  "atleast_3d": atleast_3d, "real": real, "imag": imag}


def _getitem(self, idx):
    from ..rules.indexing import _split_index
    ns = _ns()
    idx = _split_index(idx)  # the index's constants (per example under vmap)
    return _view(self, lambda b: ns.getitem_(b, idx, split=True),
                 lambda b, v: _index_update(b, v, idx=idx))


def _index_update(x, y, *, idx):
    """x with x[idx] = y; ``idx`` the (template, arrays) of an index."""
    from ..rules.indexing import setitem_
    return setitem_(x, y, idx, split=True)


def _len(self):
    shp = logical_shape(self)
    if not shp:
        raise TypeError("len() of unsized object (a 0-d traced value)")
    return shp[0]


def _iter(self):
    for i in range(_len(self)):
        yield self[i]


Box.copy = lambda self, order="C": _ns().copy(self)
Box.reshape = _reshape
Box.transpose = _transpose
Box.ravel = ravel
Box.squeeze = squeeze
Box.swapaxes = swapaxes
Box.flatten = lambda self, order="C": _shape.ravel(self, order)  # a copy in numpy
Box.__getitem__ = _getitem
Box.__len__ = _len
Box.__iter__ = _iter
Box.__reversed__ = lambda self: (self[i] for i in reversed(range(_len(self))))
# a traced scalar assigned into a plain array keeps its own TypeError
drop_sequence_slot(Box)
# under vmap, the shape of one example (the batch axes are not the function's)
Box.shape = property(logical_shape)
Box.ndim = property(lambda self: len(logical_shape(self)))
Box.size = property(lambda self: int(np.prod(logical_shape(self), dtype=np.int64)))
Box.dtype = property(lambda self: backend.dtype_of(unbox_all(self)))
Box.T = property(lambda self: transpose(self))
Box.mT = property(lambda self: swapaxes(self, -1, -2))
Box.real = property(real)
Box.imag = property(imag)


def _astype(self, dtype, order="K", casting="unsafe", subok=True, copy=True):
    return _ns().astype(self, dtype)


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
# array a caller passed in is never changed.
#
# Views behave as numpy's: where numpy's own result of ``x[1:3]``, ``x.T`` or
# ``x.reshape(...)`` shares memory with x, the traced result is recorded as a view
# of x (of x's root, for a view of a view). Assigning into any of them computes the
# root anew (writing the view back into it) and then recomputes every live view of
# that root from it, each as ordinary primitives on the tape, so values and
# derivatives are those of numpy's shared memory.


class _Views:
    """The views among one trace's boxes: for each view, its root and the pair of
    functions ``fwd(root) -> view`` and ``back(root, view) -> root``."""

    __slots__ = ("of", "roots")

    def __init__(self):
        self.of = {}     # id(view) -> (weak ref to the view, root, fwd, back)
        self.roots = {}  # id(root) -> (root, [weak refs to its views])

    def add(self, base, view, fwd, back):
        entry = self.of.get(id(base))
        if entry is not None and entry[0]() is base:  # a view of a view: compose
            _, root, fwd0, back0 = entry
            fwd1, back1 = fwd, back
            fwd = lambda r: fwd1(fwd0(r))  # noqa: E731
            back = lambda r, v: back0(r, back1(fwd0(r), v))  # noqa: E731
        else:
            root = base
        key = id(view)
        of = self.of
        ref = weakref.ref(view, lambda _, key=key: of.pop(key, None))
        of[key] = (ref, root, fwd, back)
        self.roots.setdefault(id(root), (root, []))[1].append(ref)

    def written(self, box):
        """After an assignment into ``box``: write it back into its root, then
        recompute the root's other live views."""
        entry = self.of.get(id(box))
        if entry is not None and entry[0]() is box:
            root = entry[1]
            _become(root, entry[3](root, box))
        else:
            root = box
        group = self.roots.get(id(root))
        if group is None or group[0] is not root:
            return
        live = []
        for ref in group[1]:
            view = ref()
            if view is None:
                continue
            live.append(ref)
            if view is not box:
                _become(view, self.of[id(view)][2](root))
        group[1][:] = live


def _view(base, fwd, back):
    """``fwd(base)``, recorded as a view of ``base`` when numpy's own result shares
    memory with base's value (a basic index, a transpose, a reshape that needs no
    copy); ``back(base, view)`` writes a changed view back into base."""
    out = fwd(base)
    value = unbox_all(out)
    if base._trace.level == 0:  # a Tensor: its arrays share memory themselves
        return out
    base_value = unbox_all(base)
    # numpy's result is a view (or the very array, as np.real of a real one is)
    if type(value) is np.ndarray and (value.base is not None or value is base_value) \
            and isinstance(out, Box) and out._trace is base._trace \
            and np.may_share_memory(value, base_value):
        trace = base._trace
        if trace.views is None:
            trace.views = _Views()
        trace.views.add(base, out, fwd, back)
    return out

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


class _SlotsOf(dict):
    """The data slots of each box class (not ``__weakref__``: the copy keeps its own
    identity and its weak references)."""

    def __missing__(self, cls):
        slots = [s for klass in cls.__mro__ for s in getattr(klass, "__slots__", ())
                 if s != "__weakref__"]
        self[cls] = slots
        return slots


_BOX_SLOTS = _SlotsOf()


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
    inner = [b for b in _traced_parts(value) if b._trace.level > self._trace.level]
    if inner:
        raise TypeError(
            f"x[...] = value: value is traced by a transform nested inside the one that "
            f"traces x (level {max(b._trace.level for b in inner)} > "
            f"{self._trace.level}), so x cannot hold it without leaking it out of that "
            f"transform; {_HOW_TO_BUILD}, or compute x inside the inner transform")
    from ..rules.indexing import setitem_
    _become(self, setitem_(self, _as_operand(value), idx))
    if self._trace.views is not None:
        self._trace.views.written(self)


def _become(box, new):
    """Make ``box`` be ``new`` (a box of the same trace): its slots are copied, so
    every name bound to box sees the new value."""
    if type(new) is not type(box) or new._trace is not box._trace:
        raise TypeError(f"x[...] = value: the update gave a {type(new).__name__} where a "
                        f"{type(box).__name__} of the same trace was expected; "
                        f"{_HOW_TO_BUILD}")
    for slot in _BOX_SLOTS[type(box)]:
        setattr(box, slot, getattr(new, slot))


def _array(self, dtype=None, copy=None):
    # numpy asks for this when a traced value is stored into a plain ndarray
    # (a[1:3] = x, a[mask] = x) or converted (np.asarray(x), np.array([x, y]))
    raise TypeError(
        f"a traced value (shape {logical_shape(self)}) cannot become a plain "
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


def _item(self, *args):
    # like float(): a Python number would silently drop the derivative
    raise TypeError(
        f".item() of a traced value (shape {logical_shape(self)}) would give a "
        f"plain Python number and drop its derivative: keep it as an array (x[i], "
        f"x.reshape(())), or use wengert.stop_gradient(x) when a constant is meant")


def _round(self, ndigits=None):
    # round() gives a constant, as numpy's rounding does under every transform
    from ..rules._base import batch_traces, per_example
    if batch_traces((self,)):  # under vmap, each example rounded
        return per_example(lambda v: np.round(v, ndigits or 0), self, aligned=True)
    return round(unbox_all(self), ndigits) if ndigits is not None else round(unbox_all(self))


def _format(self, spec):
    # f-strings and format() show the value (printing needs no derivative)
    return format(unbox_all(self), spec)


def _inplace(name):
    """``x op= y`` on a traced x: numpy writes into x (and so into every view of it);
    here x becomes the result, cast to x's dtype as numpy's same_kind casting allows,
    and its views are recomputed."""
    fn = _resolve(name)

    def method(self, other):
        new = fn(self, other)
        value, old = unbox_all(new), unbox_all(self)
        if not isinstance(old, np.ndarray):
            return new  # a number (numpy scalar, Python float) is immutable: rebinding
        inner = [b for b in _traced_parts(other) if b._trace.level > self._trace.level]
        if inner:
            raise TypeError(
                f"x {name} value in place: value is traced by a transform nested inside "
                f"the one that traces x (level {max(b._trace.level for b in inner)} > "
                f"{self._trace.level}), so x cannot hold it; write x = x + value (a new "
                f"array), or compute x inside the inner transform")
        if backend.ndim(old) == 0 and not isinstance(value, np.ndarray) \
                and isinstance(new, Box):
            new = _shape.reshape(new, ())  # a 0-d array stays a 0-d array
        old_dtype, shp = backend.dtype_of(old), logical_shape(self)
        if logical_shape(new) != shp:
            raise ValueError(f"non-broadcastable output operand with shape {shp} doesn't "
                             f"match the broadcast shape {logical_shape(new)}")
        new_dtype = backend.dtype_of(value)
        if new_dtype != old_dtype:
            if not np.can_cast(new_dtype, old_dtype, casting="same_kind"):
                raise TypeError(f"Cannot cast ufunc '{name}' output from {new_dtype} to "
                                f"{old_dtype} with casting rule 'same_kind'")
            new = _ns().astype(new, old_dtype)
        if not isinstance(new, Box) or new._trace is not self._trace:
            return new  # nothing traced at this level changed: a plain rebinding
        _become(self, new)
        if self._trace.views is not None:
            self._trace.views.written(self)
        return self
    method.__name__ = f"__i{name}__"
    return method


for _dunder, _fn in [("iadd", "add"), ("isub", "subtract"), ("imul", "multiply"),
                     ("itruediv", "divide"), ("ipow", "power"), ("imatmul", "matmul")]:
    setattr(Box, f"__{_dunder}__", _inplace(_fn))

Box.item = _item
Box.__round__ = _round
Box.__format__ = _format
Box.__setitem__ = _setitem
Box.__array__ = _array
Box.__float__ = _float
Box.__complex__ = _float
