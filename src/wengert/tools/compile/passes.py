"""Simplifications of a staged program, one small function each.

Every pass takes a ``Program`` and returns a new one (the input is left as it is):

* ``simplify``: algebraic identities: ``x * 1``, ``x + 0``, ``x - 0``, ``x / 1``,
  ``x ** 1``, ``--x``, ``x * -1``, ``a + (-b)``, a product with a zero tangent or
  cotangent, a transpose of a transpose, a reshape of a reshape, a reshape /
  broadcast / cast that changes nothing;
* ``fold_constants``: an operation whose operands are all constants is computed now
  and its result becomes a constant;
* ``fuse``: the derivative's passes recompute primal values the forward pass has
  (``cos(x)`` in the VJP of ``sin`` when the function computes ``cos(x)`` too, the
  primal of each ``jacfwd`` chunk, ``f(x)`` beside ``grad(f)(x)``): each is replaced
  by the forward value, so primal values are computed once;
* ``cse``: any other operation repeated with the same operands is computed once;
* ``dce``: operations whose results reach neither an output nor a guard are
  dropped (a gradient that does not need a value does not compute it).

``PASSES`` is the order ``jit`` runs them in; ``run(program)`` runs them all and
gives the program after each, with the number of operations each removed.
"""

import numpy as np

from .program import Eqn, Var, eqn_vars, has_var, substitute
from .staging import _call


# ---------------------------------------------------------------- helpers

def _rebuild(program, eqns, env):
    """The program with ``eqns`` and its outputs rewritten through ``env``."""
    outputs = [substitute(o, env) for o in program.outputs]
    return program.copy(eqns=eqns, outputs=outputs)


def _rewrite(eqn, env):
    if not env:
        return eqn
    args = substitute(eqn.args, env)
    params = substitute(eqn.params, env) if eqn.params else eqn.params
    if args is eqn.args and params is eqn.params:
        return eqn
    return Eqn(eqn.op, args, params, eqn.outs, eqn.where, eqn.phase)


def _evaluate(eqn):
    op = eqn.op
    params = eqn.params or {}
    if getattr(op, "kind", None) is None:  # a primitive
        return (op.impl(*eqn.args, **params),)
    result = _call(op, eqn.args, params)
    return tuple(result) if len(eqn.outs) > 1 else (result,)


def _is_prim(eqn, *names):
    return getattr(eqn.op, "kind", None) is None and eqn.op.name in names


def _const(x):
    return type(x) is not Var


def _all_equal(x, value):
    """``x`` is a constant number or array every element of which equals ``value``."""
    if type(x) is Var or isinstance(x, (bool, np.bool_)):
        return False
    if isinstance(x, (int, float, complex)):
        return x == value
    if isinstance(x, (np.ndarray, np.generic)) and x.dtype.kind in "iufc":
        return bool(np.all(x == value)) and not (value == 0 and np.any(np.signbit(x))
                                                  if x.dtype.kind == "f" else False)
    return False


def _aval(x):
    if type(x) is Var:
        return x.aval
    t = type(x)
    if t in (float, int, complex, bool):
        return (t, (), np.dtype(t) if t is not int else np.dtype(np.int64))
    if isinstance(x, (np.ndarray, np.generic)):
        return (np.ndarray if isinstance(x, np.ndarray) else t, x.shape, x.dtype)
    return (t, None, None)


def _zeros(aval):
    """A zero constant with ``aval``, or None."""
    t, shape, dtype = aval
    if t is float:
        return 0.0
    if t is complex:
        return 0j
    if t is np.ndarray:
        return np.zeros(shape, dtype)
    if isinstance(t, type) and issubclass(t, np.generic):
        return dtype.type(0)
    return None


# ---------------------------------------------------------------- the passes

def fold_constants(program):
    """Compute every operation whose operands are all constants."""
    env = {}
    eqns = []
    for eqn in program.eqns:
        eqn = _rewrite(eqn, env)
        if eqn.is_guard:
            if _const(eqn.args[0]) and _guard_holds(eqn):
                continue  # decided once and for all
            eqns.append(eqn)
            continue
        if has_var(eqn.args) or has_var(eqn.params):
            eqns.append(eqn)
            continue
        try:
            values = _evaluate(eqn)
        except Exception:  # leave it for run time (where it raises as it would)
            eqns.append(eqn)
            continue
        for var, value in zip(eqn.outs, values):
            env[var] = value
    return _rebuild(program, eqns, env)


def _guard_holds(eqn):
    g = eqn.op
    x = eqn.args[0]
    try:
        if g.convert == "bool":
            return bool(x) == g.taken
        if g.convert == "shape":
            return tuple(np.shape(x)) == g.taken
        if g.convert in ("tolist", "array"):
            return np.array_equal(x, g.taken)
        return x == g.taken
    except Exception:
        return False


def simplify(program):
    """Algebraic identities (see the module's docstring)."""
    env = {}
    defs = {}   # var -> the equation defining it (after rewriting)
    eqns = []
    for eqn in program.eqns:
        eqn = _rewrite(eqn, env)
        if not eqn.is_guard and len(eqn.outs) == 1:
            out = eqn.outs[0]
            new = _identity(eqn, defs) if getattr(eqn.op, "kind", None) is None else \
                _np_identity(eqn)
            if new is not None:
                if isinstance(new, Eqn):
                    eqn = new
                else:
                    env[out] = new
                    continue
            defs[out] = eqn
        eqns.append(eqn)
    return _rebuild(program, eqns, env)


def _identity(eqn, defs):
    """What ``eqn`` simplifies to: an operand (Var or constant), a new equation, or
    None."""
    name = eqn.op.name
    args = eqn.args
    params = eqn.params or {}
    out = eqn.outs[0]

    def same(x):
        return x if _aval(x) == out.aval else None

    if name in ("multiply", "add", "subtract", "divide", "power") and len(args) == 2 \
            and not params:
        x, y = args
        if name == "multiply":
            if _all_equal(y, 1):
                return same(x)
            if _all_equal(x, 1):
                return same(y)
            for a, b in ((x, y), (y, x)):
                if _all_equal(a, -1) and _aval(b) == out.aval:
                    return _negation(eqn, b)
            # a zero tangent or cotangent: the product is zero
            if eqn.phase != "forward" and (_all_equal(x, 0) or _all_equal(y, 0)):
                return _zeros(out.aval)
        elif name == "add":
            if _all_equal(y, 0):
                return same(x)
            if _all_equal(x, 0):
                return same(y)
            # a + (-b) reads a - b (and -a + b reads b - a)
            for a, b in ((x, y), (y, x)):
                d = defs.get(b) if type(b) is Var else None
                if d is not None and _is_prim(d, "negative") and not d.params:
                    return Eqn(_lookup("subtract"), (a, d.args[0]), {}, eqn.outs,
                               eqn.where, eqn.phase)
        elif name == "subtract":
            if _all_equal(y, 0):
                return same(x)
        elif name in ("divide", "power") and _all_equal(y, 1):
            return same(x)
        return None
    if name == "negative" and len(args) == 1 and type(args[0]) is Var:
        d = defs.get(args[0])
        if d is not None and _is_prim(d, "negative") and not d.params:
            return same(d.args[0])
        return None
    if name == "transpose" and type(args[0]) is Var:
        x = args[0]
        axes = params.get("axes")
        nd = len(x.aval[1]) if x.aval[1] is not None else None
        if nd is None:
            return None
        axes = tuple(range(nd))[::-1] if axes is None else tuple(a % nd for a in axes)
        d = defs.get(x)
        if d is not None and _is_prim(d, "transpose") and type(d.args[0]) is Var:
            inner = d.params.get("axes") if d.params else None
            inner = tuple(range(nd))[::-1] if inner is None else \
                tuple(a % nd for a in inner)
            composed = tuple(inner[a] for a in axes)
            if composed == tuple(range(nd)):
                return same(d.args[0])
            return Eqn(eqn.op, (d.args[0],), {"axes": composed}, eqn.outs, eqn.where,
                       eqn.phase)
        if axes == tuple(range(nd)):
            return same(x)
        return None
    if name == "reshape" and type(args[0]) is Var:
        x = args[0]
        if params.get("order", "C") != "C":
            return None
        if x.aval == out.aval:
            return x
        d = defs.get(x)
        if d is not None and _is_prim(d, "reshape") and \
                (d.params or {}).get("order", "C") == "C":
            inner = d.args[0]
            if _aval(inner) == out.aval:
                return inner
            return Eqn(eqn.op, (inner,), {"newshape": out.aval[1]}, eqn.outs,
                       eqn.where, eqn.phase)
        return None
    if name in ("broadcast_to", "cast") and type(args[0]) is Var:
        return same(args[0])
    return None


_UFUNCS = {np.multiply: "multiply", np.add: "add", np.subtract: "subtract",
           np.true_divide: "divide"}


def _np_identity(eqn):
    """The identities for numpy's own ufuncs (called by code outside the primitives):
    only those that hand back an operand of the same type, shape and dtype."""
    op = eqn.op
    if op.kind != "call" or op.fn not in _UFUNCS or eqn.params or len(eqn.args) != 2:
        return None
    name = _UFUNCS[op.fn]
    x, y = eqn.args
    out = eqn.outs[0]
    # x op unit -> x for all four; unit op y -> y for the commutative two
    for a, b, unit in ((x, y, {"multiply": 1, "add": 0, "subtract": 0,
                               "divide": 1}.get(name)),
                       (y, x, {"multiply": 1, "add": 0}.get(name))):
        if unit is not None and _all_equal(b, unit) and _aval(a) == out.aval:
            return a
    return None


def _lookup(name):
    from ...core.primitive import lookup
    return lookup(name)


def _negation(eqn, x):
    return Eqn(_lookup("negative"), (x,), {}, eqn.outs, eqn.where, eqn.phase)


def _merge(program, wanted):
    """Replace each equation that repeats an earlier one (same operation, same
    operands) by that one's results; ``wanted(first, later)`` says which pairs to
    merge."""
    env = {}
    seen = {}
    eqns = []
    for eqn in program.eqns:
        eqn = _rewrite(eqn, env)
        key = eqn.key()
        if key is None:
            eqns.append(eqn)
            continue
        first = seen.get(key)
        if first is not None and wanted(first, eqn) and len(first.outs) == len(eqn.outs):
            for a, b in zip(eqn.outs, first.outs):
                env[a] = b
            continue
        if first is None:
            seen[key] = eqn
        eqns.append(eqn)
    return _rebuild(program, eqns, env)


def fuse(program):
    """Merge the derivative's recomputations of primal values into the forward
    pass's."""
    return _merge(program, lambda first, later: first.phase == "forward"
                  and later.phase != "forward" and not first.is_guard)


def cse(program):
    """Merge every other repeated operation (and repeated guards)."""
    return _merge(program, lambda first, later: True)


def dce(program):
    """Drop the operations whose results no output and no guard needs."""
    live = set()
    for o in program.outputs:
        if type(o) is Var:
            live.add(o)
    kept = []
    for eqn in reversed(program.eqns):
        if eqn.is_guard or any(v in live for v in eqn.outs):
            kept.append(eqn)
            live.update(eqn_vars(eqn))
    kept.reverse()
    return program.copy(eqns=kept)


PASSES = (("algebraic identities", simplify), ("fold constants", fold_constants),
          ("fuse forward and backward", fuse), ("common subexpressions", cse),
          ("dead code", dce))


class Stage:
    """The program after one pass: ``name``, ``program``, ``removed`` operations."""

    __slots__ = ("name", "program", "removed")

    def __init__(self, name, program, removed):
        self.name = name
        self.program = program
        self.removed = removed


def run(program, passes=PASSES, rounds=1):
    """``[Stage]``: the staged program, then the program after each pass (the list of
    passes run ``rounds`` times: a fold can expose an identity and the other way
    round; a pass of the second round appears only if it removed something)."""
    stages = [Stage("staged", program, 0)]
    for r in range(rounds):
        for name, fn in passes:
            before = program.count()
            new = fn(program)
            removed = before - new.count()
            if r == 0 or removed:
                stages.append(Stage(name if r == 0 else f"{name} (again)", new, removed))
            program = new
    return stages
