"""Python source for a program: one assignment per line, numpy's own spelling.

Each equation prints as numpy code where the primitive has a plain numpy spelling
(``np.sin(v1)``, ``v1 @ v2``, ``np.sum(v3, axis=0)``, ``v4[1:, 0]``); on Python
floats, where the primitive's implementation would use the ``math`` module, the line
does too (``math.sin(v1)``, tens of nanoseconds instead of a numpy call). Other
primitives call their implementation, a helper defined above the function (its
source copied from wengert where it is self-contained) or bound when the module is
compiled. Inputs are named as in the tutorials, ``v_1, v0`` for two inputs (``v_{-1},
v_0``), the operations ``v1 ... vn``; each line ends with a comment naming the
user's file and line (and ``backward`` / ``tangent`` for a derivative's lines).

``emit(program)`` gives a ``Module``: its text, the objects its namespace needs that
the text cannot spell (large constants, helpers without a copyable source), and
``function()`` to compile it.
"""

import builtins
import dis
import inspect
import keyword
import math
import os
import textwrap
import types

import numpy as np

from ...backend import scalar_or_array
from .program import PYSCALARS, Var, eqn_vars

_SOA_CODE = scalar_or_array(np.add, None).__code__
INFIX = {"add": ("+", "np.add"), "subtract": ("-", "np.subtract"),
         "multiply": ("*", "np.multiply"), "divide": ("/", "np.true_divide"),
         "true_divide": ("/", "np.true_divide"), "matmul": ("@", "np.matmul")}
INLINE_SIZE = 8        # arrays up to this many elements are written in the line itself
TEXT_SIZE = 1000       # up to this many as a named constant in the text; beyond, bound
MISS = "Retrace"       # the exception a failed guard raises
REUSE_ABOVE = 1000     # a program longer than this reuses the names of dead values
_MATH = object()       # marks a name imported from math


class Retrace(Exception):
    """A guard failed: this call takes another path than the staged one."""


# ---------------------------------------------------------------- numpy spellings

def numpy_path(fn):
    """``"np.sin"``, ``"np.linalg.solve"``, ``"np.fft.fft"`` for numpy's own objects,
    else None."""
    name = getattr(fn, "__name__", None)
    if not isinstance(name, str):
        return None
    if isinstance(fn, np.ufunc):
        if getattr(np, name, None) is fn:
            return f"np.{name}"
        special = _scipy_special()
        if special is not None and getattr(special, name, None) is fn:
            return f"scipy.special.{name}"
        return None
    module = getattr(fn, "__module__", None) or ""
    for path, space in (("np", np), ("np.linalg", np.linalg), ("np.fft", np.fft)):
        if getattr(space, name, None) is fn:
            return f"{path}.{name}"
    if module.startswith("scipy."):
        import importlib
        try:
            mod = importlib.import_module(module.rsplit("._", 1)[0])
        except ImportError:
            return None
        if getattr(mod, name, None) is fn:
            return f"{mod.__name__}.{name}"
    return None


def _scipy_special():
    """scipy.special if it is already imported (a program that uses its functions
    got them from there), else None."""
    import sys
    return sys.modules.get("scipy.special")


def unwrap(fn):
    """A primitive's implementation under the wrappers that only check its arguments
    (``__wrapped__``, as functools.wraps and wengert's kind guard leave it); numpy's
    own functions are kept (their ``__wrapped__`` is numpy's internal one)."""
    seen = 0
    while numpy_path(fn) is None and isinstance(getattr(fn, "__wrapped__", None), types.FunctionType) or \
            isinstance(getattr(fn, "__wrapped__", None), np.ufunc):
        fn = fn.__wrapped__
        seen += 1
        if seen > 8:
            break
    return fn


def _closure(fn):
    code = getattr(fn, "__code__", None)
    if code is None or not fn.__closure__:
        return code, {}
    try:
        return code, {k: c.cell_contents for k, c in zip(code.co_freevars, fn.__closure__)}
    except ValueError:  # an empty cell
        return code, {}


def math_spelling(fn):
    """``math.sin`` (or ``abs``) for a function of the math module (or the builtin)."""
    if fn is abs:
        return "abs"
    name = getattr(fn, "__name__", None)
    if name and getattr(math, name, None) is fn:
        return f"math.{name}"
    return None


# ---------------------------------------------------------------- formatting values

def _float_text(v):
    if v != v:
        return "np.nan"
    if v in (math.inf, -math.inf):
        return "np.inf" if v > 0 else "-np.inf"
    return repr(v)


class Namer:
    """Names of variables, constants and helpers for one module."""

    def __init__(self, program):
        self.reserved = {_identifier(program.name), _identifier(program.name) + "_numpy"}
        self.names = {}
        n = len(program.inputs)
        for k, var in enumerate(program.inputs):
            i = k - n + 1  # v_{1-n} ... v_0, as in the tutorials
            self.names[var] = f"v_{-i}" if i < 0 else f"v{i}"
        self.count = 0
        self.consts = []          # (name, value, text or None)
        self.const_ids = {}
        self.helpers = {}         # name -> object
        self.helper_ids = {}
        self.math_names = set()   # functions imported from math by name
        self.helper_prims = {}    # helper name -> the registered primitive it runs
        self.free = None          # names to reuse (a long program), else None
        self.imports = {"np": "import numpy as np"}

    def define(self, var):
        if self.free is not None and self.free:
            name = self.free.pop()
        else:
            self.count += 1
            name = f"v{self.count}"
        self.names[var] = name
        return name

    def release(self, var):
        """``var``'s name is free for a later value (a long program reuses names:
        its frame stays small and its floats go back to Python's free list)."""
        self.free.append(self.names[var])

    def need(self, path):
        """Import the module of a ``scipy.x.f`` path the text calls."""
        if path.startswith("scipy."):
            mod = path.rsplit(".", 1)[0]
            self.imports[mod] = f"import {mod}"
        return path

    def math_name(self, text):
        """``sin`` for ``math.sin``, imported by name from math (one global look-up
        a call instead of two); ``math.sin`` where the name is taken."""
        name = text.split(".", 1)[1] if text.startswith("math.") else text
        if name == text:
            return text  # abs
        owner = self.helpers.get(name)
        if owner is None and name not in self.reserved and not hasattr(builtins, name):
            self.helpers[name] = _MATH
            self.math_names.add(name)
            return name
        return name if owner is _MATH else text

    def var(self, v):
        return self.names[v]

    def helper(self, obj, name, prim=None):
        key = id(obj)
        hit = self.helper_ids.get(key)
        if hit is not None:
            return hit
        base = "".join(c if c.isalnum() or c == "_" else "_" for c in name) or "op"
        if base[0].isdigit() or keyword.iskeyword(base) or hasattr(builtins, base) \
                or base in ("np", "math", "scipy", MISS) or base in self.reserved \
                or base.startswith("v") \
                and base[1:].lstrip("_").isdigit() or base.startswith("c") \
                and base[1:].isdigit():
            base = "_" + base
        cand, k = base, 1
        while cand in self.helpers:
            k += 1
            cand = f"{base}_{k}"
        self.helpers[cand] = obj
        self.helper_ids[key] = cand
        if prim is not None:
            self.helper_prims[cand] = prim
        return cand

    def constant(self, value):
        key = id(value)
        hit = self.const_ids.get(key)
        if hit is not None:
            return hit
        name = f"c{len(self.consts)}"
        self.consts.append((name, value))
        self.const_ids[key] = name
        return name

    # ------------------------------------------------------------ values as text

    def fmt(self, x):
        t = type(x)
        if t is Var:
            return self.names[x]
        if t is float:
            return _float_text(x)
        if t in (int, bool, str, type(None)):
            return repr(x)
        if x is Ellipsis:
            return "..."
        if t is complex:
            if x != x or abs(x) == math.inf:
                return f"complex({_float_text(x.real)}, {_float_text(x.imag)})"
            return repr(x)
        if t is tuple:
            inner = ", ".join(self.fmt(i) for i in x)
            return f"({inner},)" if len(x) == 1 else f"({inner})"
        if t is list:
            return "[" + ", ".join(self.fmt(i) for i in x) + "]"
        if t is dict and all(type(k) in (str, int) for k in x):
            return "{" + ", ".join(f"{k!r}: {self.fmt(v)}" for k, v in x.items()) + "}"
        if t is slice:
            return f"slice({self.fmt(x.start)}, {self.fmt(x.stop)}, {self.fmt(x.step)})"
        if isinstance(x, np.dtype):
            return f"np.dtype({x.str!r})" if x.names is None and x.subdtype is None \
                and x.kind in "biufcmMSU" else self.fmt_object(x)
        if isinstance(x, type) and issubclass(x, np.generic) and \
                getattr(np, x.__name__, None) is x:
            return f"np.{x.__name__}"
        if t in (type, type(len)) and getattr(builtins, getattr(x, "__name__", ""), None) is x:
            return x.__name__
        if isinstance(x, np.generic) and x.dtype.kind in "biufc":
            return f"np.{x.dtype.name}({self.fmt(x.item())})" \
                if getattr(np, x.dtype.name, None) is type(x) else \
                f"np.array({self.fmt(x.item())}, dtype={x.dtype.str!r})[()]"
        if isinstance(x, np.ndarray) and type(x) is np.ndarray and x.dtype.kind in "biufc":
            if x.size <= INLINE_SIZE:
                return self.fmt_array(x)
            return self.constant(x)
        path = numpy_path(x) if callable(x) else None
        if path is not None:
            return path
        return self.fmt_object(x)

    def fmt_array(self, x):
        if x.size == 0:
            return f"np.zeros({x.shape!r}, dtype={x.dtype.str!r})"
        body = self.fmt(_tolist(x)) if x.ndim else self.fmt(x.item())
        return f"np.array({body}, dtype={x.dtype.str!r})"

    def fmt_object(self, x):
        """An object with no literal spelling: a named constant bound at compile time."""
        return self.constant(x)

    def fmt_index(self, idx):
        """An index inside ``a[...]``: slices as ``1:3``."""
        if type(idx) is tuple:
            if not idx:
                return "()"
            parts = [self._fmt_index_part(i) for i in idx]
            return ", ".join(parts) + ("," if len(parts) == 1 else "")
        return self._fmt_index_part(idx)

    def _fmt_index_part(self, i):
        if type(i) is slice:
            parts = ["" if p is None else self.fmt(p) for p in (i.start, i.stop, i.step)]
            return ":".join(parts[:2]) if i.step is None else ":".join(parts)
        if i is None:
            return "None"
        return self.fmt(i)

    def operand(self, x):
        """A value as the operand of an operator: negative literals in parentheses."""
        text = self.fmt(x)
        return f"({text})" if text.startswith("-") else text


def _tolist(a):
    return a.tolist()


# ---------------------------------------------------------------- printing equations

def _aval(x):
    return x.aval if type(x) is Var else (type(x), None, None)


def _pyscalar(x):
    return _aval(x)[0] in PYSCALARS


def _params_text(namer, params, defaults=None, skip=()):
    out = []
    for k, v in params.items():
        if k in skip or (defaults is not None and k in defaults and _same(v, defaults[k])):
            continue
        out.append(f"{k}={namer.fmt(v)}")
    return out


def _same(a, b):
    return type(a) is type(b) and a == b


def _call_text(fn_text, args, kwargs):
    return f"{fn_text}({', '.join(list(args) + list(kwargs))})"


def print_prim(namer, eqn, fast):
    prim = eqn.op
    args, params = eqn.args, eqn.params or {}
    a = [namer.fmt(x) for x in args]
    info = _SPELLINGS.get(prim)
    if info is None:
        info = _SPELLINGS[prim] = _spelling(prim)
    printer, soa, path = info
    if printer is not None:
        text = printer(namer, eqn, a, params, fast)
        if text is not None:
            return text
    if soa is not None:
        np_path, math_text = soa
        if fast and math_text is not None and not params and \
                all(_pyscalar(x) for x in args):
            return _call_text(namer.math_name(math_text), a, [])
        if np_path is not None:
            return _call_text(namer.need(np_path), a, [])
    if path is not None:
        return _call_text(namer.need(path), a, _params_text(namer, params))
    reg = prim.name if _registered(prim.name) is prim else None
    return _call_text(namer.helper(unwrap(prim.impl), prim.name, reg), a,
                      _params_text(namer, params))


_SPELLINGS = {}


def _spelling(prim):
    """``(printer, (numpy path, math text) or None, path)`` for a primitive: how its
    calls print, worked out once."""
    printer = PRINTERS.get(prim.name) if prim is _registered(prim.name) else None
    impl = unwrap(prim.impl)
    code, cells = _closure(impl)
    soa = None
    if code is _SOA_CODE:
        soa = (_impl_path(cells.get("np_fn")), math_spelling(cells.get("math_fn")))
    return printer, soa, _impl_path(impl)


def _impl_path(fn):
    """The numpy or scipy function an implementation is (or wraps only to rename its
    errors, or loads at first use), as a dotted path; else None."""
    if fn is None:
        return None
    fn = unwrap(fn)
    path = numpy_path(fn)
    if path is not None:
        return path
    code, cells = _closure(fn)
    if code is None:
        return None
    if set(cells) == {"fn", "who"}:  # _lapack: numpy's function, errors renamed
        return numpy_path(cells["fn"])
    if code.co_name == "call" and "name" in cells and "floats" in cells:
        return f"scipy.special.{cells['name']}"  # scipy.special's, loaded at first use
    return None


def _registered(name):
    from ...core.primitive import registry
    return registry.get(name)


def _infix(sym, path):
    def printer(namer, eqn, a, params, fast):
        if params or len(eqn.args) != 2:
            return None
        x, y = eqn.args
        if not fast and _pyscalar(x) and _pyscalar(y):
            return _call_text(path, a, [])  # numpy's answer where Python would raise
        return f"{namer.operand(x)} {sym} {namer.operand(y)}"
    return printer


def _power(namer, eqn, a, params, fast):
    if params or len(eqn.args) != 2:
        return None
    x, y = eqn.args
    if all(_pyscalar(v) for v in eqn.args):
        return f"math.pow({a[0]}, {a[1]})" if fast else _call_text("np.power", a, [])
    return f"{namer.operand(x)} ** {namer.operand(y)}"


def _negative(namer, eqn, a, params, fast):
    return f"-{namer.operand(eqn.args[0])}" if not params else None


def _reshape(namer, eqn, a, params, fast):
    order = params.get("order", "C")
    extra = [] if order == "C" else [f"order={order!r}"]
    return _call_text("np.reshape", [a[0], namer.fmt(params["newshape"])], extra)


def _broadcast_to(namer, eqn, a, params, fast):
    return f"np.broadcast_to({a[0]}, {namer.fmt(params['shape'])})"


def _transpose(namer, eqn, a, params, fast):
    axes = params.get("axes")
    if axes is None:
        return f"np.transpose({a[0]})"
    return f"np.transpose({a[0]}, {namer.fmt(tuple(axes))})"


def _reduction(np_name, defaults):
    def printer(namer, eqn, a, params, fast):
        return _call_text(np_name, a, _params_text(namer, params, defaults))
    return printer


def _minmax(namer, eqn, a, params, fast):
    _, cells = _closure(unwrap(eqn.op.impl))
    path = numpy_path(cells.get("np_fn"))
    if path is None:
        return None
    return _call_text(path, a, _params_text(namer, params, {"axis": None,
                                                            "keepdims": False}))


def _cumsum(namer, eqn, a, params, fast):
    return _call_text("np.cumsum", a, _params_text(namer, params))


def _getitem(namer, eqn, a, params, fast):
    from ...rules.indexing import _fill
    x = eqn.args[0]
    idx = _fill(params["idx"], list(eqn.args[1:]))
    base = namer.fmt(x) if _aval(x)[0] is np.ndarray else f"np.asarray({namer.fmt(x)})"
    return f"{base}[{namer.fmt_index(idx)}]"


def _untake(namer, eqn, a, params, fast):
    from ...rules.indexing import _fill
    idx = _fill(params["idx"], list(eqn.args[1:]))
    return _call_text("_scatter_add", [a[0], namer.fmt(idx), namer.fmt(params["shape"])],
                      [])


def _index_update(namer, eqn, a, params, fast):
    from ...rules.indexing import _fill
    idx = _fill(params["idx"], list(eqn.args[2:]))
    return _call_text("_setitem", [a[0], namer.fmt(idx), a[1]], [])


def _concatenate(namer, eqn, a, params, fast):
    seq = f"({', '.join(a)},)" if len(a) == 1 else f"({', '.join(a)})"
    return _call_text("np.concatenate", [seq], _params_text(namer, params))


def _where(namer, eqn, a, params, fast):
    text = _call_text("np.where", a, [])
    return text if eqn.outs[0].aval[0] is np.ndarray else text + "[()]"


def _dot(namer, eqn, a, params, fast):
    if all(_aval(x)[0] is float for x in eqn.args):
        return f"{a[0]} * {a[1]}"
    return _call_text("np.dot", a, [])


def _tensordot(namer, eqn, a, params, fast):
    ax = params["axes"]
    return _call_text("np.tensordot", a, [f"axes=({namer.fmt(list(ax[0]))}, "
                                          f"{namer.fmt(list(ax[1]))})"])


def _einsum(namer, eqn, a, params, fast):
    extra = ["optimize=True"] if params.get("optimize") else []
    return _call_text("np.einsum", [repr(params["subscripts"])] + a, extra)


def _cast(namer, eqn, a, params, fast):
    x = eqn.args[0]
    av = _aval(x)
    dtype = params["dtype"]
    if av[0] is np.ndarray and av[1] and (av[2].kind != "c" or dtype.kind == "c"):
        return f"{a[0]}.astype({namer.fmt(dtype)})"
    return None


def _fft(np_name, keys):
    def printer(namer, eqn, a, params, fast):
        return _call_text(np_name, a, [f"{k}={namer.fmt(params[k])}" for k in keys
                                       if k in params])
    return printer


PRINTERS = {
    **{k: _infix(*v) for k, v in INFIX.items()},
    "power": _power, "negative": _negative, "reshape": _reshape,
    "broadcast_to": _broadcast_to, "transpose": _transpose,
    "sum": _reduction("np.sum", {"axis": None, "keepdims": False, "dtype": None}),
    "prod": _reduction("np.prod", {"axis": None, "keepdims": False, "dtype": None}),
    "max": _minmax, "min": _minmax, "cumsum": _cumsum, "getitem": _getitem,
    "untake": _untake, "index_update": _index_update,
    "concatenate": _concatenate, "where": _where, "dot": _dot, "tensordot": _tensordot,
    "einsum": _einsum, "cast": _cast,
    "fftn": _fft("np.fft.fftn", ("axes", "norm")),
    "ifftn": _fft("np.fft.ifftn", ("axes", "norm")),
    "rfft": _fft("np.fft.rfft", ("axis", "norm")),
    "irfft": _fft("np.fft.irfft", ("n", "axis", "norm")),
    "fftshift": _fft("np.fft.fftshift", ("axes",)),
    "ifftshift": _fft("np.fft.ifftshift", ("axes",)),
}


def print_np(namer, eqn):
    """A numpy-level equation (code outside the primitives on staged data)."""
    op = eqn.op
    kind = op.kind
    args, kwargs = eqn.args, eqn.params or {}
    kw = [f"{k}={namer.fmt(v)}" for k, v in kwargs.items()]
    if kind == "call":
        path = numpy_path(op.fn)
        fn = namer.need(path) if path is not None else namer.helper(op.fn, op.name)
        return _call_text(fn, [namer.fmt(x) for x in args], kw)
    if kind == "ufunc_method":
        path = numpy_path(op.ufunc) or namer.helper(op.ufunc, op.ufunc.__name__)
        if op.method == "at":
            return _call_text("_at", [path] + [namer.fmt(x) for x in args], kw)
        return _call_text(f"{path}.{op.method}", [namer.fmt(x) for x in args], kw)
    x = args[0]
    base = namer.fmt(x)
    if _aval(x)[0] in PYSCALARS:
        base = f"np.asarray({base})"
    elif type(x) is not Var and base.startswith("-"):
        base = f"({base})"
    if kind == "method":
        return _call_text(f"{base}.{op.method}", [namer.fmt(i) for i in args[1:]], kw)
    if kind == "attr":
        return f"{base}.{op.attr}"
    if kind == "getitem":
        return f"{base}[{namer.fmt_index(args[1])}]"
    if kind == "setitem":
        return _call_text("_setitem", [namer.fmt(i) for i in args], [])
    raise AssertionError(kind)


def print_guard(namer, eqn, k):
    g = eqn.op
    x = namer.fmt(eqn.args[0])
    taken = g.taken
    if g.convert == "bool":
        cond = f"not {x}" if taken else x
    elif g.convert == "shape":
        cond = f"np.shape({x}) != {namer.fmt(taken)}"
    elif g.convert in ("tolist", "array"):
        ref = namer.fmt(np.asarray(taken)) if g.convert == "array" else namer.fmt(taken)
        cond = f"not np.array_equal({x}, {ref})"
    elif isinstance(taken, float) and taken != taken:
        cond = f"{x} == {x}"  # the staged call saw nan
    else:
        cond = f"{x} != {namer.fmt(taken)}"
    return f"if {cond}: raise {MISS}({k})"


# ---------------------------------------------------------------- whole modules

_PRELUDE = {
    "_setitem": '''def _setitem(a, idx, value):
    """a[idx] = value as a new array"""
    a = np.array(a)
    a[idx] = value
    return a''',
    "_scatter_add": '''def _scatter_add(g, idx, shape):
    """zeros of shape with g added in at idx (a repeated index adds up)"""
    dtype = np.result_type(g)
    if dtype.kind not in "fc":
        dtype = np.dtype(np.float64)
    out = np.zeros(shape, dtype=dtype)
    np.add.at(out, idx, g)
    return out''',
    "_at": '''def _at(ufunc, a, idx, b):
    """ufunc.at(a, idx, b) on a copy of a"""
    a = np.array(a)
    ufunc.at(a, idx, b)
    return a''',
}


_BASENAMES = {}


def _where_text(eqn):
    parts = []
    if eqn.where is not None:
        fn, line = eqn.where
        base = _BASENAMES.get(fn)
        if base is None:
            base = _BASENAMES[fn] = os.path.basename(fn)
        parts.append(f"{base}:{line}")
    if eqn.phase != "forward":
        parts.append(eqn.phase)
    return "  # " + " ".join(parts) if parts else ""


def body_lines(program, namer, fast=True, comments=True, reuse=False):
    """One line per equation. ``reuse``: a name is given to a later value once its
    own value is dead."""
    lines = []
    nguard = 0
    dying = _dying(program) if reuse else None
    if reuse:
        namer.free = []
    for k, eqn in enumerate(program.eqns):
        kind = getattr(eqn.op, "kind", "prim")
        if kind == "guard":
            text = print_guard(namer, eqn, nguard)
            nguard += 1
            comment = _where_text(eqn) if comments else ""
            lines.append(text + (comment + " (guard)" if comment else "  # guard"
                                 if comments else ""))
            if reuse:
                for v in dying[k]:
                    namer.release(v)
            continue
        if kind == "prim":
            rhs = print_prim(namer, eqn, fast)
        else:
            rhs = print_np(namer, eqn)
        if reuse:
            for v in dying[k]:
                namer.release(v)
        outs = [namer.define(v) for v in eqn.outs]
        lhs = outs[0] if len(outs) == 1 else ", ".join(outs)
        lines.append(f"{lhs} = {rhs}" + (_where_text(eqn) if comments else ""))
    return lines


def _var_number(v):
    return v.n


def _dying(program):
    """Per equation, the variables it reads for the last time (inputs and outputs
    live to the end)."""
    seen = set(program.inputs) | {o for o in program.outputs if type(o) is Var}
    dying = [()] * len(program.eqns)
    for k in range(len(program.eqns) - 1, -1, -1):
        last = set(eqn_vars(program.eqns[k])) - seen
        if last:
            dying[k] = sorted(last, key=_var_number)  # the same text on every run
            seen |= last
    return dying


def return_text(program, namer):
    # a constant array returned is a copy: the caller may write into it
    leaves = [namer.fmt(x) + (".copy()" if isinstance(x, np.ndarray) and x.size > INLINE_SIZE
                              else "")
              for x in program.outputs]
    return _tree_text(program.out_tree, leaves, namer)


def _tree_text(treedef, leaves, namer):
    nodes = treedef.nodes
    if len(nodes) == 1 and nodes[0][0] is None:
        return leaves[0]
    pos = [0]
    k = [0]

    def build():
        t, aux, n = nodes[pos[0]]
        pos[0] += 1
        if t is None:
            k[0] += 1
            return leaves[k[0] - 1]
        children = [build() for _ in range(n)]
        if t is tuple:
            return f"({children[0]},)" if n == 1 else f"({', '.join(children)})"
        if t is list:
            return f"[{', '.join(children)}]"
        if t is dict and all(type(key) in (str, int) for key in aux):
            return "{" + ", ".join(f"{key!r}: {c}" for key, c in zip(aux, children)) + "}"
        if t is type(None):
            return "None"
        from ...core.pytree import TreeDef, tree_unflatten
        sub = TreeDef(((t, aux, n),) + tuple((None, None, 0) for _ in range(n)), n)
        maker = namer.helper(lambda *ch, sub=sub: tree_unflatten(sub, list(ch)),
                             f"make_{t.__name__}")
        return f"{maker}({', '.join(children)})"
    return build()


class Module:
    """Generated source and what its namespace needs beside the text."""

    def __init__(self, text, fn_name, bound):
        self.text = text
        self.fn_name = fn_name
        self.bound = bound            # name -> object the text refers to but cannot spell

    def namespace(self):
        ns = {"__name__": "wengert_jit", "Retrace": Retrace}
        ns.update(self.bound)
        return ns

    def function(self, filename="<wengert.jit>"):
        ns = self.namespace()
        # the comments stripped (a quarter of the time compile() takes on a long
        # program), line for line, so a traceback's line numbers are the text's
        code = "\n".join(line.split("  # ")[0] if line.startswith("    v") else line
                         for line in self.text.split("\n"))
        exec(compile(code, filename, "exec"), ns)
        return ns[self.fn_name]


def _identifier(name):
    if name == "<lambda>":
        return "f"
    s = "".join(c if c.isalnum() or c == "_" else "_" for c in (name or "f"))
    if not s or s[0].isdigit() or keyword.iskeyword(s):
        s = "f_" + s
    return s


def emit(program, *, fast=True, standalone=False, comments=True):
    """The module for ``program``. ``fast``: Python-float lines use ``math`` where
    the primitive's implementation would (``jit`` runs the function itself for a
    call whose values math refuses, log(0.0) or 1.0 / 0.0). ``standalone``: for
    ``save``: every constant written into the text, and a numpy-only twin of the
    function named ``<name>_numpy`` that answers where math refuses."""
    fn_name = _identifier(program.name)
    namer = Namer(program)
    reuse = program.count() > REUSE_ABOVE
    lines = body_lines(program, namer, fast=fast, comments=comments, reuse=reuse)
    ret = return_text(program, namer)
    uses_math = bool(namer.math_names) or any("math." in ln.split("  #")[0]
                                              for ln in lines)
    twin_lines = []
    if uses_math and standalone:
        twin_namer = Namer(program)
        twin_namer.helpers, twin_namer.helper_ids = namer.helpers, namer.helper_ids
        twin_namer.consts, twin_namer.const_ids = namer.consts, namer.const_ids
        twin_namer.imports = namer.imports
        twin_lines = body_lines(program, twin_namer, fast=False, comments=False)
        twin_ret = return_text(program, twin_namer)
    params = ", ".join(namer.names[v] for v in program.inputs)

    head, bound = _preamble(program, namer, standalone, lines + twin_lines)
    doc = f"{program.name}, compiled by wengert.jit: one line per operation of its " \
          f"staged trace."
    if reuse:
        doc += (f"\n\nA long program ({program.count()} operations): a name is given to "
                f"a new value once\nits old value is no longer needed.")
    out = [f'"""{doc}"""', ""]
    imports = sorted(set(namer.imports.values()))
    if uses_math:
        imports.insert(0, "import math")
        if namer.math_names:
            imports.insert(1, f"from math import {', '.join(sorted(namer.math_names))}")
    out += imports + [""]
    if head:
        out += head + [""]
    if standalone and any(e.is_guard for e in program.eqns):
        out += ["", "class Retrace(Exception):",
                '    """This call takes another path through the function than the '
                'compiled one."""', ""]
    out += ["", f"def {fn_name}({params}):"]
    if twin_lines:
        fallback = f"{fn_name}_numpy"
        out += ["    try:"]
        out += ["        " + ln for ln in lines]
        out += [f"        return {ret}",
                "    except (ValueError, OverflowError, ZeroDivisionError):",
                f"        return {fallback}({params})  # math refused a value: numpy's "
                f"answer (inf, nan)"]
        out += ["", "", f"def {fallback}({params}):",
                '    """The same program with numpy for every operation."""']
        out += ["    " + ln for ln in twin_lines] + [f"    return {twin_ret}", ""]
    else:
        out += ["    " + ln for ln in lines]
        out += [f"    return {ret}", ""]
    return Module("\n".join(out), fn_name, bound)


def _preamble(program, namer, standalone, lines):
    """Definitions above the function: constants and helpers."""
    head = []
    bound = {}
    used = " ".join(ln.split("  #")[0] for ln in lines)
    for name, src in _PRELUDE.items():
        if name + "(" in used:
            head += [src, ""]
    for name, value in namer.consts:
        text = _constant_text(value, standalone)
        if text is None:
            bound[name] = value
            if isinstance(value, np.ndarray):
                head.append(f"# {name}: array of shape {value.shape} and dtype "
                            f"{value.dtype}, bound when compiled")
            else:
                head.append(f"# {name}: {_describe(value)}, bound when compiled")
        else:
            head.append(f"{name} = {text}")
    for name, obj in namer.helpers.items():
        if obj is _MATH:
            continue
        src = helper_source(obj, name, namer)
        if src is not None:
            head += [src, ""]
        elif standalone and name in namer.helper_prims:
            # no source to copy (it reaches into wengert): wengert's own primitive
            namer.imports["wengert"] = "from wengert.core.primitive import lookup"
            head.append(f"{name} = lookup({namer.helper_prims[name]!r}).impl  # needs "
                        f"wengert")
        else:
            bound[name] = obj
            head.append(f"# {name}: {_describe(obj)}, bound when compiled")
    return head, bound


def _describe(obj):
    mod = getattr(obj, "__module__", None)
    qual = getattr(obj, "__qualname__", None) or type(obj).__name__
    return f"{mod}.{qual}" if mod else qual


def _constant_text(value, standalone):
    if isinstance(value, np.ndarray) and type(value) is np.ndarray \
            and value.dtype.kind in "biufc":
        flat = value.reshape(-1)
        if value.size == 0 or value.dtype.kind in "biuf" and (flat[0] == flat).all() and \
                (value.dtype.kind != "f" or (np.signbit(flat) == np.signbit(flat[0])).all()):
            fill = _literal(flat[0].item()) if value.size else "0"
            return f"np.full({value.shape!r}, {fill}, dtype={value.dtype.str!r})"
        if value.size <= TEXT_SIZE:
            return (f"np.array({_literal(value.tolist())}, dtype={value.dtype.str!r})"
                    if value.ndim else f"np.array({_literal(value.item())}, "
                                       f"dtype={value.dtype.str!r})")
        if standalone:
            data = np.ascontiguousarray(value).tobytes().hex()
            return (f"np.frombuffer(bytes.fromhex({data!r}), dtype={value.dtype.str!r})"
                    f".reshape({value.shape!r}).copy()")
    return None


def _literal(x):
    if type(x) is list:
        return "[" + ", ".join(_literal(i) for i in x) + "]"
    if type(x) is float:
        return _float_text(x)
    if type(x) is complex:
        return f"complex({_float_text(x.real)}, {_float_text(x.imag)})"
    return repr(x)


# ---------------------------------------------------------------- helper sources

def helper_source(obj, name, namer, _seen=None):
    """The source defining ``name`` as ``obj`` (a function whose code and globals can
    be copied: its source, the numpy/math/scipy modules it names and the functions of
    its own module it calls, copied the same way), or None."""
    if not isinstance(obj, types.FunctionType) or obj.__closure__ \
            or obj.__name__ == "<lambda>":
        return None
    seen = {} if _seen is None else _seen
    try:
        src = textwrap.dedent(inspect.getsource(obj))
    except (OSError, TypeError):
        return None
    if not src.startswith("def "):
        return None
    deps = []
    for g in sorted(_global_names(obj.__code__)):
        if g not in obj.__globals__:
            if hasattr(builtins, g):
                continue
            return None  # a name the function reads that its module lacks
        val = obj.__globals__[g]
        if isinstance(val, types.ModuleType):
            modname = val.__name__
            if modname == "numpy" and g == "np":
                continue
            if modname.split(".")[0] not in ("numpy", "math", "scipy", "operator",
                                             "functools", "itertools", "warnings"):
                return None
            namer.imports[f"mod:{g}"] = f"import {modname}" if modname == g else \
                f"import {modname} as {g}"
            continue
        if isinstance(val, (int, float, str, bool, type(None))):
            deps.append(f"{g} = {val!r}")
            continue
        if isinstance(val, types.FunctionType) and val.__closure__:
            path = _closure_path(val)
            if path is None:
                return None
            deps.append(f"{g} = {namer.need(path)}")
            continue
        if isinstance(val, types.FunctionType):
            if g in seen:
                if seen[g] is not val:
                    return None
                continue
            seen[g] = val
            sub = helper_source(val, g, namer, seen)
            if sub is None:
                return None
            deps.append(sub)
            continue
        if val is Exception or isinstance(val, type) and issubclass(val, Exception) \
                and val.__module__ == "builtins":
            continue
        if isinstance(val, type) and issubclass(val, Exception) and \
                val.__module__.startswith("numpy"):
            namer.imports[f"err:{g}"] = f"from {val.__module__} import {val.__name__}" \
                + ("" if g == val.__name__ else f" as {g}")
            continue
        return None
    if obj.__name__ != name:
        src += f"\n\n{name} = {obj.__name__}"
    return "\n\n".join(deps + [src.rstrip()])


def _closure_path(fn):
    return _impl_path(fn)


def _global_names(code):
    """The global names a function's code (and the code nested in it) reads."""
    names = {i.argval for i in dis.get_instructions(code)
             if i.opname in ("LOAD_GLOBAL", "LOAD_NAME")}
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names |= _global_names(c)
    return names


# ---------------------------------------------------------------- the traces' text

def program_text(program, fast=True):
    """The program as the body of a function, for ``jit(...).traces``: the same
    lines as the generated source."""
    namer = Namer(program)
    lines = body_lines(program, namer, fast=fast)
    params = ", ".join(namer.names[v] for v in program.inputs)
    out = [f"def {_identifier(program.name)}({params}):"]
    out += ["    " + ln for ln in lines]
    out.append(f"    return {return_text(program, namer)}")
    consts = [f"    # {name} = {_short(value)}" for name, value in namer.consts]
    return "\n".join(out[:1] + consts + out[1:])


def _short(value):
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape}, {value.dtype}"
    return _describe(value)


__all__ = ["emit", "program_text", "Retrace", "Module", "numpy_path"]
