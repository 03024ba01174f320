"""Staging: run a function once on concrete values and write down what it computes.

``StagingTrace`` is a trace like reverse or forward mode, opened before the function
runs, so every transform the function opens (grad, jvp, vmap, ...) sits above it and
every primitive they call, the backward pass's included, reaches it last, on
``StagedBox`` values. It runs the primitive's implementation on the concrete values
(so the call computes its result as it would without jit) and records one equation.

Code outside the primitives also reads data: a rule computes a mask or a sign with
plain numpy (``np.sign(unbox_all(x))``), a function branches on ``x > 0``. Such
code gets a value through ``unbox_all``, which ends at ``StagedBox._value``: that
hands out a ``Live`` array, an ndarray subclass whose numpy operations (ufuncs,
array functions, methods, indexing) are recorded as equations too, and whose
conversion to a Python value (``bool``, ``int``, ``float``, ``.item()``) is recorded
as a *guard*: the program is valid only where the conversion gives the value it
gave while staging. ``jit`` re-stages a call whose guard fails.

What cannot be followed (a staged value converted by ``np.asarray`` and then
computed on in plain numpy, a value from a trace outside jit) raises ``Unstageable``;
``jit`` then runs the function as it is, with a warning naming the reason.
"""

import os
import sys

import numpy as np

from ...core.forward import push_tangents
from ...core.pytree import tree_flatten
from ...core.reverse import ReverseTrace
from ...core.trace import Box, Trace
from .program import (Attr, Eqn, GetItem, Guard, Method, NpCall, Program, SetItem,
                      UfuncMethod, Var, aval_of)


class Unstageable(Exception):
    """The call did something with its data that a staged program cannot repeat."""


# ---------------------------------------------------------------- where an op came from

_PKG = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_MACHINERY = tuple(os.path.join(_PKG, p) for p in (
    "core", "rules", "numpy", "scipy", "tensors", "misc", "nn", "optim", "transforms.py",
    "backend.py",
    "linearize.py", "implicit.py", "anomaly.py", "display.py", "autograd.py",
    os.path.join("tools", "compile"), os.path.join("tools", "tracing.py"),
    os.path.join("tools", "gradcheck.py")))
_MACHINERY += (os.path.dirname(np.__file__), "<frozen")
_machinery_cache = {}
_FLOAT_AVAL = aval_of(0.0)
_BACKWARD = {ReverseTrace.backward.__code__}
_TANGENT = {push_tangents.__code__}


def _is_machinery(code):
    r = _machinery_cache.get(code)
    if r is None:
        fn = code.co_filename
        r = fn.startswith(_MACHINERY) or "scipy" + os.sep in fn
        _machinery_cache[code] = r
    return r


# ---------------------------------------------------------------- staged boxes

class StagedBox(Box):
    """A value of the staged call: its concrete value ``_c`` and variable ``_var``.
    ``_value`` (what the traces above and ``unbox_all`` read) is a ``Live`` view."""

    __slots__ = ("_c", "_var", "_live")

    def __init__(self, c, trace, var):
        self._c = c
        self._trace = trace
        self._var = var
        self._live = None

    @property
    def _value(self):
        live = self._live
        if live is None:
            live = self._live = self._trace.live(self._c, self._var)
        return live

    @_value.setter
    def _value(self, v):
        # x[i] = y on a staged array copies the new box's slots into x (_become)
        if isinstance(v, Live) and v._var is self._var:
            self._live = v
            return
        raise TypeError("a staged value can only be rebound to another staged value")

    # shape and dtype straight from the concrete value (no Live needed)
    shape = property(lambda self: np.shape(self._c))
    ndim = property(lambda self: np.ndim(self._c))
    dtype = property(lambda self: aval_of(self._c)[2])


# ---------------------------------------------------------------- live arrays

def _active(x):
    t = getattr(x, "_trace", None)
    return t if t is not None and t.active else None


def _owner(objs):
    """The active staging trace of a Live among ``objs`` (one level into sequences)."""
    for o in objs:
        if isinstance(o, Live):
            t = _active(o)
            if t is not None:
                return t
        elif type(o) in (list, tuple):
            for i in o:
                if isinstance(i, Live):
                    t = _active(i)
                    if t is not None:
                        return t
    return None


def _base(x):
    """The plain ndarray view of a Live (ndarray's own view: Live records its own)."""
    return _VIEW(x, np.ndarray)


_VIEW = np.ndarray.view


def _plain(x):
    """``x`` with every Live replaced by its plain value (one level of structure)."""
    if isinstance(x, Live):
        return x._orig if x._orig is not None else _base(x)
    t = type(x)
    if t is tuple or t is list:
        return t(_plain(i) for i in x)
    if t is dict:
        return {k: _plain(v) for k, v in x.items()}
    if t is slice:
        return slice(_plain(x.start), _plain(x.stop), _plain(x.step))
    return x


# functions of a value's shape and dtype only: answered at once, nothing recorded
_LIKE = {np.ones_like, np.zeros_like, np.empty_like, np.full_like}
_METADATA = {np.shape, np.ndim, np.size, np.result_type, np.iscomplexobj, np.isrealobj,
             np.may_share_memory, np.shares_memory, np.can_cast} | _LIKE
# functions whose result's shape depends on the data: the shape is guarded
_DATA_SHAPED = {np.nonzero, np.flatnonzero, np.argwhere, np.unique, np.extract,
                np.compress, np.setdiff1d, np.intersect1d, np.union1d, np.setxor1d,
                np.trim_zeros}
_DATA_SHAPED |= {getattr(np, n) for n in ("unique_values", "unique_counts",
                                          "unique_inverse", "unique_all") if hasattr(np, n)}


class Live(np.ndarray):
    """The concrete value of a staged variable as plain code sees it. numpy
    operations on it are recorded; conversions to Python values are guarded."""

    def __array_finalize__(self, obj):
        # made by numpy itself (a view or copy we did not intercept): no variable
        self._var = None
        self._trace = getattr(obj, "_trace", None)
        self._orig = None

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if any(isinstance(i, Box) for i in inputs):
            return NotImplemented  # a traced value: its own protocol (wengert.numpy)
        trace = _owner(inputs) or _owner(kwargs.get("out") or ())
        if trace is None:
            out = kwargs.get("out")
            kw = dict(kwargs, out=_plain(out)) if out is not None else kwargs
            return getattr(ufunc, method)(*_plain(inputs), **kw)
        op = NpCall(ufunc) if method == "__call__" else UfuncMethod(ufunc, method)
        return trace.np_op(op, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        if func in _METADATA:
            trace = None
        else:
            if any(issubclass(t, Box) for t in types):
                return NotImplemented  # a traced value: its own protocol (wengert.numpy)
            trace = _owner(args) or _owner(tuple(kwargs.values()))
        if trace is None:
            out = func(*_plain(args), **_plain(kwargs))
            if func in _LIKE and len(args) == 1 and not kwargs:
                orig = getattr(args[0], "_orig", None)
                if type(orig) in (float, int, complex):
                    return type(orig)(out)  # as backend's zeros_like of a Python number
            return out
        return trace.np_op(NpCall(func), args, kwargs)

    # conversions to Python values: guards
    def __bool__(self):
        return self._guard("bool", bool(_base(self)))

    def __int__(self):
        return self._guard("int", int(_base(self)))

    def __float__(self):
        return self._guard("float", float(_base(self)))

    def __complex__(self):
        return self._guard("complex", complex(_base(self)))

    def __index__(self):
        return self._guard("index", _base(self).__index__())

    def item(self, *args):
        if args:
            return self[args if len(args) > 1 else args[0]].item()
        return self._guard("item", _base(self).item())

    def tolist(self):
        return self._guard("tolist", _base(self).tolist())

    def tobytes(self, order="C"):
        self._guard("array", np.array(_base(self)))
        return _base(self).tobytes(order)

    def _guard(self, convert, value):
        trace = _active(self)
        if trace is not None:
            trace.guard(self, convert, value)
        return value

    # indexing, iteration
    def __getitem__(self, idx):
        trace = _active(self) or _owner(idx if type(idx) is tuple else (idx,))
        if trace is None:
            return _base(self)[_plain(idx)]
        return trace.np_op(GetItem(), (self, idx), {})

    def __setitem__(self, idx, value):
        trace = _active(self) or _owner((value,) + (idx if type(idx) is tuple else (idx,)))
        if trace is None:
            _base(self)[_plain(idx)] = _plain(value)
            return
        trace.setitem(self, idx, value)

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        for i in range(self.shape[0]):
            yield self[i]

    def __contains__(self, x):
        return bool((self == x).any())

    def __repr__(self):
        return repr(_plain(self))

    def __str__(self):
        return str(_plain(self))

    def __format__(self, spec):
        return format(_plain(self), spec)

    def __copy__(self):
        return self.copy()

    def __deepcopy__(self, memo):
        return self.copy()

    def __reduce__(self):
        raise TypeError("a staged value cannot be pickled")

    # attributes computed from the data
    T = property(lambda self: self._attr("T"))
    real = property(lambda self: self._attr("real"))
    imag = property(lambda self: self._attr("imag"))

    def _attr(self, name):
        trace = _active(self)
        if trace is None:
            return getattr(_base(self), name)
        return trace.np_op(Attr(name), (self,), {})


def _method(name):
    def method(self, *args, **kwargs):
        trace = _active(self) or _owner(args)
        if trace is None:
            return getattr(_base(self), name)(*_plain(args), **_plain(kwargs))
        return trace.np_op(Method(name), (self,) + args, kwargs)
    method.__name__ = name
    return method


# ndarray methods implemented in C without a ufunc or array function underneath
for _m in ("astype", "reshape", "copy", "ravel", "flatten", "transpose", "swapaxes",
           "squeeze", "argmax", "argmin", "argsort", "nonzero", "cumsum", "cumprod",
           "searchsorted", "repeat", "take", "compress", "diagonal", "trace", "dot",
           "conj", "conjugate", "clip", "round", "choose", "ptp", "sum", "prod", "max",
           "min", "mean", "std", "var", "all", "any", "sort", "partition",
           "argpartition", "fill", "view", "byteswap"):
    setattr(Live, _m, _method(_m))

_IN_PLACE = {"sort", "partition", "fill"}  # methods that change the array itself


# ---------------------------------------------------------------- the trace

class StagingTrace(Trace):
    """Records every primitive call (and the numpy code run on its ``Live`` values)
    as one equation of a ``Program``."""

    __slots__ = ("eqns", "count", "active", "mutated", "where_of", "inputs", "buffers")

    def __init__(self):
        super().__init__()
        self.eqns = []
        self.count = 0
        self.active = True
        self.mutated = {}    # id(plain array) -> (array, var): written by a staged op
        self.where_of = {}   # var -> (file, line) of the equation defining it
        self.inputs = []
        self.buffers = {}    # id(array owning a Live's memory) -> that Live

    def new_var(self, value):
        self.count += 1
        return Var(self.count, aval_of(value))

    def new_input(self, value):
        var = self.new_var(value)
        self.inputs.append(var)
        return StagedBox(value, self, var)

    def live(self, value, var):
        if type(value) is np.ndarray:
            arr = value
            orig = None
        else:
            arr = np.asarray(value)
            orig = value
        lv = _VIEW(arr, Live)
        lv._var = var
        lv._trace = self
        lv._orig = orig
        owner = arr if arr.base is None else _owner_of(arr)
        self.buffers.setdefault(id(owner), lv)
        return lv

    # ---------------------------------------------------------- resolving operands

    def resolve(self, x, param=False):
        """``(structure, plain)``: ``x`` with staged values replaced by their Vars
        (``structure``) and by their concrete values (``plain``). In ``param``
        positions (options) a 0-d integer or boolean value is concretized (guarded):
        it decides a shape or an index."""
        t = type(x)
        if t is StagedBox:
            if x._trace is not self:
                raise Unstageable(_foreign(x))
            if param and _decides(x._c):
                return self._concretize(x._value)
            return x._var, x._c
        if t is Live or isinstance(x, Live):
            trace = _active(x)
            if trace is None:
                return _plain(x), _plain(x)
            if trace is not self or x._var is None:
                raise Unstageable("a value numpy derived from a staged array outside the "
                                  "recorded operations")
            if param and _decides(x):
                return self._concretize(x)
            return x._var, _plain(x)
        if t is tuple or t is list:
            if not x:
                return x, x
            pairs = [self.resolve(i, param) for i in x]
            return t(p[0] for p in pairs), t(p[1] for p in pairs)
        if t is dict:
            pairs = {k: self.resolve(v, param) for k, v in x.items()}
            return {k: p[0] for k, p in pairs.items()}, {k: p[1] for k, p in pairs.items()}
        if t is slice:
            parts = [self.resolve(p, True) for p in (x.start, x.stop, x.step)]
            return slice(*(p[0] for p in parts)), slice(*(p[1] for p in parts))
        if isinstance(x, Box):
            raise Unstageable(_foreign(x))
        if t is np.ndarray:
            hit = self.mutated.get(id(x))
            if hit is not None and hit[0] is x:
                return hit[1], x
            # np.asarray(live) is a plain view of the Live's memory: that Live
            b = x
            while b is not None:
                lv = self.buffers.get(id(b))
                if lv is not None and b is _owner_of(lv):
                    var = lv._var
                    if var is not None and _same_memory(x, lv):
                        return var, x
                    if var is not None and b is not x:
                        raise Unstageable("a staged array converted by np.asarray (or "
                                          "viewed) and then used as a plain array")
                b = getattr(b, "base", None)
        return x, x

    def _concretize(self, live):
        value = _base(live)
        value = value.item() if value.ndim == 0 else value
        self.guard(live, "item", value)
        return value, value

    # ---------------------------------------------------------- recording

    def locate(self, depth=2):
        """``(where, phase)`` of the equation being recorded: the user's file and line
        that caused it, and whether a VJP rule (backward), a JVP rule (tangent) or the
        function itself (forward) is running."""
        f = sys._getframe(depth)
        phase = None
        cache = _machinery_cache
        while f is not None:
            code = f.f_code
            m = cache.get(code)
            if m is None:
                m = _is_machinery(code)
            if m:
                if code in _BACKWARD:
                    if phase != "backward":
                        # a VJP rule: point at the forward operation it differentiates
                        ans = f.f_locals.get("ans")
                        while isinstance(ans, Box) and type(ans) is not StagedBox:
                            ans = ans._value
                        if type(ans) is StagedBox:
                            hit = self.where_of.get(ans._var)
                            if hit is not None:
                                return hit, "backward"
                    phase = "backward"
                elif code in _TANGENT:
                    phase = phase or "tangent"
            else:
                return (code.co_filename, f.f_lineno), phase or "forward"
            f = f.f_back
        return None, phase or "forward"

    def record(self, op, args, params, outs):
        where, phase = self.locate(3)
        self.eqns.append(Eqn(op, args, params, outs, where, phase))
        for v in outs:
            self.where_of[v] = where

    def process(self, prim, args, params):
        vals = []
        struct = []
        for a in args:
            if type(a) is StagedBox and a._trace is self:
                struct.append(a._var)
                vals.append(a._c)
            else:
                s, v = self.resolve(a)
                struct.append(s)
                vals.append(v)
        if params:
            pstruct, pvals = self.resolve(params, param=True)
        else:
            pstruct = pvals = params
        ans = prim.impl(*vals, **pvals)
        if isinstance(ans, Box):
            raise Unstageable(f"the implementation of {prim.name} returned a traced value")
        self.count += 1
        var = Var(self.count, _FLOAT_AVAL if type(ans) is float else aval_of(ans))
        where, phase = self.locate()
        self.eqns.append(Eqn(prim, tuple(struct), pstruct, (var,), where, phase))
        self.where_of[var] = where
        if pvals and prim.name == "getitem" and _has_bool(pvals):
            self.shape_guard(var, ans)
        return StagedBox(ans, self, var)

    def np_op(self, op, args, kwargs):
        """A numpy function, ufunc method, ndarray method or index on Live values:
        computed on the plain values and recorded."""
        out = kwargs.get("out") if kwargs else None
        if out is not None:
            kwargs = {k: v for k, v in kwargs.items() if k != "out"}
        if type(op) is UfuncMethod and op.method == "at":
            return self._ufunc_at(op, args, kwargs)
        astruct, aplain = self.resolve(tuple(args))
        kstruct, kplain = self.resolve(kwargs) if kwargs else ({}, {})
        if type(op) is Method and op.method in _IN_PLACE:
            return self._in_place(op, args[0], astruct, aplain, kstruct, kplain)
        result = _call(op, aplain, kplain)
        outs, wrapped = self._wrap(result)
        if outs is None:
            return result
        self.record(op, astruct, kstruct, outs)
        if _data_shaped(op, aplain):
            for v, r in zip(outs, result if len(outs) > 1 else (result,)):
                self.shape_guard(v, r)
        if out is not None:
            return self._write_out(out, outs, wrapped)
        return wrapped

    def _wrap(self, result):
        """``(outs, wrapped)``: Vars and Live values for a numpy result; ``outs``
        None for a result that is not data (a dtype, None)."""
        if isinstance(result, (np.ndarray, np.generic, bool, int, float, complex)):
            var = self.new_var(result)
            return (var,), self.live(result, var)
        if type(result) in (tuple, list) and result and all(
                isinstance(r, (np.ndarray, np.generic, bool, int, float, complex))
                for r in result):
            outs = tuple(self.new_var(r) for r in result)
            return outs, type(result)(self.live(r, v) for r, v in zip(result, outs))
        return None, result

    def _write_out(self, out, outs, wrapped):
        # out=: numpy writes into the given arrays; here they are rebound to the result
        targets = out if type(out) is tuple else (out,)
        results = wrapped if len(outs) > 1 else (wrapped,)
        for target, var, value in zip(targets, outs, results):
            if target is None:
                continue
            self._rebind(target, var, _plain(value))
        return out if type(out) is not tuple or len(out) > 1 else out[0]

    def _rebind(self, target, var, value):
        if isinstance(target, Live) and _active(target) is self:
            np.copyto(_base(target), value, casting="unsafe")
            target._var = var
            target._orig = None
        elif type(target) is np.ndarray:
            np.copyto(target, value, casting="unsafe")
            self.mutated[id(target)] = (target, var)
        else:
            raise Unstageable("numpy wrote a staged result into a value that is not an array")

    def _ufunc_at(self, op, args, kwargs):
        # ufunc.at(a, idx, b) writes into a: recorded as a new array from a copy of a
        a = args[0]
        astruct, aplain = self.resolve(tuple(args))
        if type(astruct[0]) is not Var:
            astruct = (np.array(aplain[0]),) + astruct[1:]
        getattr(op.ufunc, "at")(*aplain, **kwargs)
        target = aplain[0]
        var = self.new_var(target)
        self.record(op, astruct, kwargs, (var,))
        if isinstance(a, Live):
            a._var = var
            a._orig = None
        elif type(a) is np.ndarray:
            self.mutated[id(a)] = (a, var)
        else:
            raise Unstageable(f"numpy.{op.name} on a value that is not an array")

    def _in_place(self, op, target, astruct, aplain, kstruct, kplain):
        copy = np.array(aplain[0])
        getattr(copy, op.method)(*aplain[1:], **kplain)
        var = self.new_var(copy)
        self.record(op, astruct, kstruct, (var,))
        self._rebind(target, var, copy)

    def setitem(self, target, idx, value):
        (tstruct, istruct, vstruct), (tplain, iplain, vplain) = \
            self.resolve((target, idx, value))
        new = np.array(tplain)
        new[iplain] = vplain
        var = self.new_var(new)
        self.record(SetItem(), (tstruct, istruct, vstruct), {}, (var,))
        self._rebind(target, var, new)

    def guard(self, live, convert, value):
        var = live._var
        if var is None:
            raise Unstageable(f"{convert}() of a value numpy derived from a staged array "
                              f"outside the recorded operations")
        self.record(Guard(convert, value), (var,), {}, ())

    def shape_guard(self, var, value):
        """A result whose shape follows the data (a boolean mask, nonzero): the
        program holds only for inputs that give it this shape again."""
        self.record(Guard("shape", tuple(np.shape(value))), (var,), {}, ())


def _call(op, args, kwargs):
    kind = op.kind
    if kind == "call":
        return op.fn(*args, **kwargs)
    if kind == "ufunc_method":
        return getattr(op.ufunc, op.method)(*args, **kwargs)
    # a Python number has no array methods: as numpy sees it, a 0-d array
    x = np.asarray(args[0]) if type(args[0]) in (float, int, complex, bool) else args[0]
    if kind == "method":
        return getattr(x, op.method)(*args[1:], **kwargs)
    if kind == "attr":
        return getattr(x, op.attr)
    if kind == "getitem":
        return x[args[1]]
    raise AssertionError(kind)


def _data_shaped(op, plain_args):
    kind = op.kind
    if kind == "call":
        return op.fn in _DATA_SHAPED or (op.fn is np.where and len(plain_args) == 1)
    if kind == "method":
        return op.method in ("nonzero", "compress")
    if kind == "getitem":
        return _has_bool(plain_args[1])
    return False


def _has_bool(x):
    if isinstance(x, np.ndarray):
        return x.dtype == np.bool_
    if type(x) in (tuple, list):
        return any(_has_bool(i) for i in x)
    if type(x) is dict:
        return any(_has_bool(i) for i in x.values())
    return False


def _decides(x):
    """A 0-d integer or boolean value (a count, a position, a flag)."""
    if type(x) in (int, bool):
        return True
    if isinstance(x, (np.ndarray, np.generic)):
        return x.ndim == 0 and x.dtype.kind in "iub"
    return False


def _owner_of(a):
    while getattr(a, "base", None) is not None:
        a = a.base
    return a


def _same_memory(a, b):
    return (a.shape == b.shape and a.strides == b.strides and a.dtype == b.dtype
            and a.__array_interface__["data"][0] == b.__array_interface__["data"][0])


def _foreign(x):
    level = getattr(getattr(x, "_trace", None), "level", "?")
    if level == 0:
        return "a Tensor (PyTorch-style value) reached the staged function"
    return (f"a value traced by a transform outside jit (level {level}) reached the staged "
            f"function (a closure over a traced value)")


# ---------------------------------------------------------------- staging a call

def stage(fun, leaves, rebuild, name):
    """Stage ``fun`` on the flat input ``leaves`` (``rebuild(boxes) -> (args,
    kwargs)`` puts them into the call). Returns ``(program, concrete result)``."""
    trace = StagingTrace()
    boxes = [trace.new_input(x) for x in leaves]
    args, kwargs = rebuild(boxes)
    try:
        result = fun(*args, **kwargs)
        out_leaves, out_tree = tree_flatten(result)
        outputs, values = [], []
        for o in out_leaves:
            s, v = _output(trace, o)
            outputs.append(s)
            values.append(v)
    finally:
        trace.active = False
        trace.finish("jit", fun)
    program = Program(name, list(trace.inputs), trace.eqns, outputs, out_tree)
    return program, values


def _output(trace, o):
    if isinstance(o, Box) and type(o) is not StagedBox:
        raise Unstageable(f"{type(o).__name__} in the result: a value traced by a "
                          f"transform that has returned")
    s, v = trace.resolve(o)
    if isinstance(v, Live):
        v = _plain(v)
    return s, v
