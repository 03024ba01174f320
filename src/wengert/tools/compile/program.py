"""The program a staged call becomes: variables, equations and the outputs.

One ``Eqn`` per operation, in the order the call ran it, JAX's jaxpr in spirit:

* ``op``: what runs. A ``Primitive`` (its ``impl`` on the values), or one of the small
  op records below for what code outside the primitives did with staged data (a
  numpy function, a method, an index, a guard);
* ``args`` / ``params``: the operands and options, plain Python structures (tuples,
  lists, dicts, slices) in which a ``Var`` stands for a staged value and anything
  else is a constant;
* ``outs``: the variables it defines (one, except for a numpy function returning a
  tuple; none for a guard);
* ``where``: ``(file, line)`` of the user's code that caused it, and ``phase``:
  ``"forward"``, ``"tangent"`` (a JVP rule) or ``"backward"`` (a VJP rule).

A ``Program`` is ``inputs``, ``eqns`` and ``outputs`` (a flat list of variables and
constants, rebuilt into the result's structure by ``out_tree``).
"""

import math

import numpy as np

from ...core.primitive import Primitive


class Var:
    """A staged value: ``aval`` is ``(type, shape, dtype)`` of the value the call saw."""

    __slots__ = ("n", "aval", "__weakref__")

    def __init__(self, n, aval):
        self.n = n
        self.aval = aval

    def __repr__(self):
        return f"%{self.n}"


def aval_of(value):
    """``(type, shape, dtype)`` of a value: Python scalars have shape ()."""
    t = type(value)
    if t is float:
        return (float, (), _F64)
    if t is int:
        return (int, (), _I64)
    if t is complex:
        return (complex, (), _C128)
    if t is bool:
        return (bool, (), _BOOL)
    if isinstance(value, (np.ndarray, np.generic)):
        return (np.ndarray if isinstance(value, np.ndarray) else t, value.shape, value.dtype)
    return (t, None, None)


_F64, _I64, _C128, _BOOL = (np.dtype(np.float64), np.dtype(np.int64),
                            np.dtype(np.complex128), np.dtype(np.bool_))
PYSCALARS = (float, int, complex, bool)


class NpCall:
    """A numpy function (or any plain callable) called on staged data."""
    __slots__ = ("fn",)
    kind = "call"

    def __init__(self, fn):
        self.fn = fn

    @property
    def name(self):
        return getattr(self.fn, "__name__", type(self.fn).__name__)

    def key(self):
        return ("call", id(self.fn))


class UfuncMethod:
    """``ufunc.method(...)``: reduce, accumulate, outer, reduceat; ``at`` as a copy."""
    __slots__ = ("ufunc", "method")
    kind = "ufunc_method"

    def __init__(self, ufunc, method):
        self.ufunc = ufunc
        self.method = method

    @property
    def name(self):
        return f"{self.ufunc.__name__}.{self.method}"

    def key(self):
        return ("ufunc_method", id(self.ufunc), self.method)


class Method:
    """``x.name(*args)`` on a staged array (astype, argsort, ...)."""
    __slots__ = ("method",)
    kind = "method"

    def __init__(self, method):
        self.method = method

    @property
    def name(self):
        return f".{self.method}"

    def key(self):
        return ("method", self.method)


class Attr:
    """``x.name`` of a staged array (real, imag, T)."""
    __slots__ = ("attr",)
    kind = "attr"

    def __init__(self, attr):
        self.attr = attr

    @property
    def name(self):
        return f".{self.attr}"

    def key(self):
        return ("attr", self.attr)


class GetItem:
    __slots__ = ()
    kind = "getitem"
    name = "[]"

    def key(self):
        return ("getitem",)


class SetItem:
    """``x[idx] = y`` as a new array (the staged array is rebound to it)."""
    __slots__ = ()
    kind = "setitem"
    name = "[]="

    def key(self):
        return ("setitem",)


class Guard:
    """A decision the traced call took on staged data: ``convert(x) == taken``.
    ``convert`` is ``bool``, ``int``, ``float``, ``complex``, ``index``, ``item``,
    ``tolist`` or ``array`` (the whole value)."""
    __slots__ = ("convert", "taken")
    kind = "guard"

    def __init__(self, convert, taken):
        self.convert = convert
        self.taken = taken

    @property
    def name(self):
        return f"guard {self.convert}"

    def key(self):
        taken = self.taken
        if isinstance(taken, np.ndarray):
            taken = (taken.shape, taken.dtype.str, taken.tobytes())
        elif isinstance(taken, list):
            taken = repr(taken)
        return ("guard", self.convert, type(taken).__name__, taken)


class Eqn:
    __slots__ = ("op", "args", "params", "outs", "where", "phase", "_key")

    def __init__(self, op, args, params, outs, where=None, phase="forward"):
        self.op = op
        self.args = args
        self.params = params
        self.outs = outs
        self.where = where
        self.phase = phase
        self._key = None

    def key(self):
        """What the equation computes (operation and operands), hashable: two
        equations with one key compute the same values. None when an operand has no
        hashable form."""
        k = self._key
        if k is None:
            op = self.op
            opk = op if isinstance(op, Primitive) else op.key()
            try:
                k = (opk, args_key(self.args),
                     hashable(self.params) if self.params else None)
                hash(k)
            except TypeError:
                k = False
            self._key = k
        return k if k is not False else None

    @property
    def is_guard(self):
        return type(self.op) is Guard

    def __repr__(self):
        return f"Eqn({op_name(self.op)}, {self.args!r}, {self.params!r} -> {self.outs!r})"


def args_key(args):
    """``hashable`` for a flat tuple of operands, the common case, quickly."""
    out = []
    for a in args:
        t = type(a)
        if t is Var:
            out.append(a)
        elif t is float:
            out.append((float, a, math.copysign(1.0, a)))
        elif t is int or t is bool or t is str:
            out.append((t, a))
        else:
            out.append(hashable(a))
    return tuple(out)


def op_name(op):
    return op.name


class Program:
    """A staged call: ``inputs`` (Vars), ``eqns``, ``outputs`` (Vars or constants) and
    the structures ``in_tree`` / ``out_tree``; ``name`` is the function's."""

    __slots__ = ("name", "inputs", "eqns", "outputs", "out_tree", "_count")

    def __init__(self, name, inputs, eqns, outputs, out_tree):
        self.name = name
        self.inputs = inputs
        self.eqns = eqns
        self.outputs = outputs
        self.out_tree = out_tree
        self._count = None

    def copy(self, eqns=None, outputs=None):
        return Program(self.name, list(self.inputs),
                       list(self.eqns if eqns is None else eqns),
                       list(self.outputs if outputs is None else outputs),
                       self.out_tree)

    def count(self):
        """The number of operations (guards not counted)."""
        if self._count is None:
            self._count = sum(1 for e in self.eqns if type(e.op) is not Guard)
        return self._count

    def __str__(self):
        from .codegen import program_text
        return program_text(self)


# ---------------------------------------------------------------- walking structures

def walk_vars(x, found):
    """Append the Vars inside a structure ``x`` to ``found``."""
    t = type(x)
    if t is Var:
        found.append(x)
    elif t is tuple or t is list:
        for i in x:
            walk_vars(i, found)
    elif t is dict:
        for i in x.values():
            walk_vars(i, found)
    elif t is slice:
        walk_vars(x.start, found)
        walk_vars(x.stop, found)
        walk_vars(x.step, found)
    return found


def eqn_vars(eqn):
    """The Vars an equation reads."""
    found = []
    for a in eqn.args:
        t = type(a)
        if t is Var:
            found.append(a)
        elif t in _NESTED:
            walk_vars(a, found)
    if eqn.params:
        walk_vars(eqn.params, found)
    return found


def substitute(x, env):
    """``x`` with each Var replaced by ``env.get(var, var)`` (rebuilt only where needed)."""
    t = type(x)
    if t is Var:
        return env.get(x, x)
    if t is tuple or t is list:
        changed = False
        out = []
        for i in x:
            ti = type(i)
            j = env.get(i, i) if ti is Var else (substitute(i, env) if ti in _NESTED else i)
            changed = changed or j is not i
            out.append(j)
        if not changed:
            return x
        return tuple(out) if t is tuple else out
    if t is dict:
        out = {k: substitute(v, env) for k, v in x.items()}
        if all(out[k] is x[k] for k in x):
            return x
        return out
    if t is slice:
        parts = (substitute(x.start, env), substitute(x.stop, env), substitute(x.step, env))
        if parts[0] is x.start and parts[1] is x.stop and parts[2] is x.step:
            return x
        return slice(*parts)
    return x


def has_var(x):
    t = type(x)
    if t is Var:
        return True
    if t is tuple or t is list:
        return any(has_var(i) for i in x)
    if t is dict:
        return any(has_var(i) for i in x.values())
    if t is slice:
        return has_var(x.start) or has_var(x.stop) or has_var(x.step)
    return False


_NESTED = (tuple, list, dict, slice)


def hashable(x):
    """A hashable key for a structure of Vars and constants (small arrays by value,
    large ones by identity)."""
    t = type(x)
    if t is Var:
        return x
    if t is tuple or t is list:
        return (t,) + tuple(i if type(i) is Var else hashable(i) for i in x)
    if t is dict:
        return ("dict",) + tuple((k, hashable(v)) for k, v in x.items())
    if t is slice:
        return ("slice", hashable(x.start), hashable(x.stop), hashable(x.step))
    if t is float:
        # 0.0 and -0.0 are equal but not interchangeable (nan equals nothing: no merge)
        return (float, x, math.copysign(1.0, x))
    if t in (int, bool, str, type(None)) or x is Ellipsis:
        return (t.__name__, x)
    if isinstance(x, np.ndarray):
        if x.size <= 16:
            return ("a", x.shape, x.dtype.str, x.tobytes())
        return ("id", id(x))
    if isinstance(x, np.generic):
        return ("g", x.dtype.str, x.tobytes())
    try:
        hash(x)
        return ("o", type(x).__name__, x)
    except TypeError:
        return ("id", id(x))
