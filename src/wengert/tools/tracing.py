"""The evaluation trace (Wengert list) of one call, and its tables.

``trace(f)(*args)`` records ``f`` on the reverse tape, then reads it back:

* the Wengert list: inputs ``v_{1-n} ... v_0``, then ``v_1 ... v_l`` in execution order;
* ``forward_table(seed)``: primals beside tangents, each tangent shown as the JVP rule
  of its primitive written out (``v̇_2 = v̇_1 * cos(v_1)``) and its value;
* ``reverse_table()``: primals beside adjoints, each adjoint as the sum of the VJP
  rules of its consumers (``v̄_4 = v̄_6 * v_5 + v̄_5``) and its value;
* ``backward_trace()``: the backward pass itself as a Wengert list continuing the
  numbering (``v_7 = v̄_6 * v_5``), the reason a gradient can be differentiated again.

The formulas are not written by hand: the primitives' own rules run on
``_SymBox`` values, which carry a number and the expression that produced it.
"""

import inspect
import math

import numpy as np

from .. import backend
from ..core.forward import push_tangents
from ..core.primitive import lookup
from ..core.pytree import tree_flatten, tree_unflatten
from ..core.reverse import ReverseTrace, pull_cotangents
from ..core.trace import Box, Trace, unbox_all
from ..display import BAR, DOT, Table, _pad, _width  # noqa: F401  (Table: the tables' type)


# infix operators: symbol and precedence (higher binds tighter)
# (matmul sits just below * and / so that a * (B @ C) keeps its parentheses: Python
# reads a * B @ C as (a * B) @ C)
_INFIX = {"add": ("+", 1), "subtract": ("-", 1), "multiply": ("*", 2.1),
          "divide": ("/", 2.1), "matmul": ("@", 2), "power": ("**", 4)}
_ATOM = 9


def vname(k):
    return f"v_{k}"


# ---------------------------------------------------------------- formatting

def fmt_value(x, digits=3):
    """A short text for a primal/tangent/adjoint value: the number, or an array
    by shape and a summary."""
    x = unbox_all(x)
    if x is None:
        return "0"
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if np.ndim(x) == 0:
        v = complex(x) if np.iscomplexobj(x) else float(x)
        if isinstance(v, complex):
            return f"{v.real:.{digits}f}{v.imag:+.{digits}f}j"
        return f"{v:.{digits}f}"
    a = np.asarray(x)
    if a.size <= 4:
        inner = ", ".join(f"{float(v):.{digits}f}" for v in a.ravel())
        return f"[{inner}] {a.shape}"
    return f"{a.shape} mean {float(np.mean(a.real)):.{digits}f}"


def fmt_const(x):
    """A constant operand inside a formula."""
    x = unbox_all(x)
    if np.ndim(x) == 0 and not isinstance(x, np.ndarray):
        if isinstance(x, (bool, np.bool_)):
            return str(bool(x))
        v = float(x)
        if math.isfinite(v) and v == int(v) and abs(v) < 1e15:
            return str(int(v))
        return f"{v:g}"
    a = np.asarray(x)
    if a.size <= 3 and a.ndim <= 1:
        return "[" + ", ".join(fmt_const(v) for v in a.ravel()) + "]"
    return f"const{a.shape}"


def _fmt_param(v):
    if isinstance(v, tuple) and any(isinstance(i, slice) or i is Ellipsis or i is None
                                    for i in v):
        return ", ".join(_fmt_index(i) for i in v)
    return repr(v)


def _fmt_index(i):
    if isinstance(i, slice):
        parts = ["" if p is None else str(p) for p in (i.start, i.stop, i.step)]
        return ":".join(parts[:2] if i.step is None else parts)
    if i is Ellipsis:
        return "..."
    if i is None:
        return "None"
    if isinstance(i, np.ndarray):
        return f"idx{i.shape}"
    return repr(i)


def format_call(name, operands, params):
    """``(text, precedence)`` for one primitive applied to operand texts, each given
    as ``(text, precedence)``."""
    def wrap(op, need):
        text, prec = op
        return f"({text})" if prec < need else text

    if name in _INFIX and len(operands) == 2 and not params:
        sym, prec = _INFIX[name]
        right_need = prec + 1 if name in ("subtract", "divide", "power", "matmul") else prec
        left_need = prec + 1 if name == "power" else prec
        right = wrap(operands[1], right_need)
        if name == "add" and operands[1][1] >= 2 and right.startswith("-"):
            sym, right = "-", right[1:]  # a + -b * c reads a - b * c
        return f"{wrap(operands[0], left_need)} {sym} {right}", prec
    if name == "negative" and len(operands) == 1:
        return f"-{wrap(operands[0], 3)}", 3
    if name == "getitem" and len(operands) == 1:
        return f"{wrap(operands[0], _ATOM)}[{_fmt_index_param(params.get('idx'))}]", _ATOM
    args = [op[0] for op in operands]
    args += [f"{k}={_fmt_param(v)}" for k, v in params.items()
             if v is not None and v is not False]  # options left at their defaults
    return f"{name}({', '.join(args)})", _ATOM


def _fmt_index_param(idx):
    if isinstance(idx, tuple):
        return ", ".join(_fmt_index(i) for i in idx)
    return _fmt_index(idx)


# ---------------------------------------------------------------- symbolic replay

class _SymBox(Box):
    """A value together with the expression that computed it and a short name."""

    __slots__ = ("expr", "prec", "name")

    def __init__(self, value, trace, expr, prec=_ATOM, name=None):
        self._value = value
        self._trace = trace
        self.expr = expr
        self.prec = prec
        self.name = name or expr


class _SymTrace(Trace):
    """Runs rules on numbers while writing down what they compute. Each primitive
    call is also logged as a new Wengert-list line (for the backward pass)."""

    __slots__ = ("lines", "counter")

    def __init__(self, first_index):
        super().__init__()
        self.lines = []
        self.counter = first_index

    def leaf(self, value, name):
        return _SymBox(value, self, name, _ATOM, name)

    def process(self, prim, args, params):
        vals = [self.lower(a) for a in args]
        ans = prim(*vals, **params)
        exprs = [(a.expr, a.prec) if isinstance(a, _SymBox) and a._trace is self
                 else _const_operand(a) for a in args]
        names = [(a.name, _ATOM) if isinstance(a, _SymBox) and a._trace is self
                 else _const_operand(a) for a in args]
        expr, prec = format_call(prim.name, exprs, params)
        name = vname(self.counter)
        self.counter += 1
        self.lines.append(Line(name, format_call(prim.name, names, params)[0], ans))
        return _SymBox(ans, self, expr, prec, name)


def _const_operand(x):
    text = fmt_const(x)
    return text, (3 if text.startswith("-") else _ATOM)


def _text(x):
    if isinstance(x, _SymBox):
        return x.expr
    return fmt_const(x) if x is not None else "0"


# ---------------------------------------------------------------- the trace

class Line:
    """One line of a Wengert list: ``name = op``, with its value."""

    __slots__ = ("name", "op", "value", "note")

    def __init__(self, name, op, value, note=""):
        self.name = name
        self.op = op
        self.value = unbox_all(value)
        self.note = note

    def __repr__(self):
        return f"Line({self.name} = {self.op} = {fmt_value(self.value)})"


class EvaluationTrace:
    """The Wengert list of one evaluation of a function, read off the reverse tape.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> t = wg.trace(lambda x1, x2: wnp.log(x1) + x1 * x2 - wnp.sin(x2))(2.0, 5.0)
    >>> print(t)  # doctest: +NORMALIZE_WHITESPACE
    v_-1 = x1                = 2.000
    v_0  = x2                = 5.000
    v_1  = log(v_-1)         = 0.693
    v_2  = v_-1 * v_0        = 10.000
    v_3  = v_1 + v_2         = 10.693
    v_4  = sin(v_0)          = -0.959
    v_5  = v_3 - v_4         = 11.652
    """

    def __init__(self, fun, tape, input_names, outputs, result):
        self.function = getattr(fun, "__name__", "f")
        self.tape = tape
        self.n = len(input_names)
        self.input_names = list(input_names)
        self.outputs = outputs          # tape indices of the outputs
        self.result = result
        # tape index -> v-number: inputs v_{1-n} .. v_0, then v_1 .. v_l
        self.number = {i: i - self.n + 1 for i in range(len(tape))}

    # -- the list
    def name(self, i):
        return vname(self.number[i])

    def _operands(self, entry, namer):
        prim, vals, params, ans, parents = entry
        by_pos = dict(parents)
        return [(namer(by_pos[i]), _ATOM) if i in by_pos else _const_operand(v)
                for i, v in enumerate(vals)]

    def op_text(self, i):
        prim, vals, params, ans, parents = self.tape[i]
        if prim is None:
            return self.input_names[i]
        return format_call(prim.name, self._operands(self.tape[i], self.name), params)[0]

    @property
    def lines(self):
        return [Line(self.name(i), self.op_text(i), e[3]) for i, e in enumerate(self.tape)]

    def __len__(self):
        return len(self.tape)

    def __str__(self):
        return _format_lines(self.lines)

    def __repr__(self):
        return f"<EvaluationTrace of {self.function}: {self.n} inputs, " \
               f"{len(self.tape) - self.n} operations>"

    def to_markdown(self):
        return Table("", ["v", "operation", "value"],
                     [[ln.name, ln.op, fmt_value(ln.value)] for ln in self.lines]).to_markdown()

    def to_html(self, path=None, seed=0, **options):
        """The interactive page of this trace (graph, primal / tangent / adjoint tables,
        buttons that step through the forward then the backward sweep): one
        self-contained HTML file, written to ``path`` when given; the returned object
        shows inline in Jupyter. ``seed`` picks the input direction of the tangents;
        options: ``adjoint_seed``, ``title``, ``digits``, ``height``.

        >>> import wengert as wg
        >>> page = wg.trace(lambda x1, x2: x1 * x2)(2.0, 5.0).to_html()
        >>> "<svg" in page.html and "fetch(" not in page.html
        True
        """
        from .trace_page import TracePage
        return TracePage(self, seed, **options).save(path)

    def _repr_html_(self):
        return Table(f"Wengert list of {self.function}", ["v", "operation", "value"],
                     [[ln.name, ln.op, fmt_value(ln.value)] for ln in self.lines])._repr_html_()

    # -- forward mode
    def _seed_tangents(self, seed):
        vals = [self.tape[i][3] for i in range(self.n)]
        if isinstance(seed, str):
            if seed not in self.input_names:
                raise ValueError(f"forward_table: unknown input {seed!r}; the inputs are "
                                 f"{', '.join(self.input_names)}")
            return [backend.ones_like(unbox_all(v)) if nm == seed else
                    backend.zeros_like(unbox_all(v)) for nm, v in zip(self.input_names, vals)]
        if isinstance(seed, (int, np.integer)) and not isinstance(seed, (bool, np.bool_)):
            seed = int(seed)
            if not 0 <= seed < self.n:
                raise ValueError(f"forward_table: seed index {seed} is out of range for "
                                 f"{self.n} inputs")
            return [backend.ones_like(unbox_all(v)) if k == seed else
                    backend.zeros_like(unbox_all(v)) for k, v in enumerate(vals)]
        if isinstance(seed, dict):
            unknown = set(seed) - set(self.input_names)
            if unknown:
                raise ValueError(f"forward_table: unknown input(s) {sorted(unknown)}; the "
                                 f"inputs are {', '.join(self.input_names)}")
            return [seed.get(nm, backend.zeros_like(unbox_all(v)))
                    for nm, v in zip(self.input_names, vals)]
        seed = list(seed) if isinstance(seed, (tuple, list)) else None
        if seed is None or len(seed) != self.n:
            raise ValueError(f"forward_table: seed must be an input name, an input index, "
                             f"a dict, or one tangent per input ({self.n})")
        return seed

    def tangents(self, seed):
        """(formula, tangent) for every tape entry, by the JVP rules."""
        sym = _SymTrace(len(self.tape))
        t_seed = self._seed_tangents(seed)
        out = []
        for i, entry in enumerate(self.tape):
            prim, vals, params, ans, parents = entry
            if prim is None:
                out.append((fmt_const(t_seed[i]), t_seed[i]))
                continue
            by_pos = dict(parents)
            args = [sym.leaf(v, self.name(by_pos[k])) if k in by_pos else v
                    for k, v in enumerate(vals)]
            tans = [sym.leaf(out[by_pos[k]][1], self.name(by_pos[k]).replace("v", "v" + DOT, 1))
                    if k in by_pos else None for k in range(len(vals))]
            t = push_tangents(prim, tans, sym.leaf(ans, self.name(i)), args, params)
            value = backend.zeros_like(unbox_all(ans)) if t is None else unbox_all(t)
            out.append((_text(t), value))
        return out

    def forward_table(self, seed=0, digits=3):
        """Primals and tangents, one row per v, each tangent as its rule and value.
        ``seed``: an input name (``"x1"``), an input index, a dict, or one tangent
        per input."""
        rows = []
        for i, (formula, t) in enumerate(self.tangents(seed)):
            dot = self.name(i).replace("v", "v" + DOT, 1)
            rows.append([self.name(i), self.op_text(i), fmt_value(self.tape[i][3], digits),
                         f"{dot} = {formula}", fmt_value(t, digits)])
        return Table(f"Forward mode (tangents) of {self.function}, seed {_seed_text(seed)}",
                     ["v", "primal", "value", "tangent", "tangent value"], rows)

    # -- reverse mode
    def adjoints(self, seed=None):
        """(formula, adjoint) for every tape entry by the VJP rules, from the output
        adjoint ``seed`` (1 for a scalar output); also the backward Wengert list."""
        sym = _SymTrace(len(self.tape) - self.n + 1)
        add = lookup("add")
        if len(self.outputs) != 1 or self.outputs[0] is None:
            raise ValueError("reverse_table: the function must have one output that "
                             "depends on its inputs")
        out_i = self.outputs[0]
        if seed is None:
            out = unbox_all(self.tape[out_i][3])
            if backend.shape(out) != ():
                raise ValueError(f"reverse_table: the output has shape {backend.shape(out)}; "
                                 f"pass seed=, the output adjoint (a cotangent of that shape)")
            seed = backend.ones_like(out)
        bar = lambda i: self.name(i).replace("v", "v" + BAR, 1)  # noqa: E731
        acc = {out_i: sym.leaf(seed, bar(out_i))}
        formulas = {out_i: fmt_value(seed)}
        result = {}
        for i in range(out_i, -1, -1):
            g = acc.pop(i, None)
            if g is None:
                continue
            result[i] = unbox_all(g)
            formulas.setdefault(i, _text(g))
            if isinstance(g, _SymBox) and g.name != bar(i):
                sym.lines.append(Line(bar(i), g.name, g._value, note="adjoint"))
            g_named = sym.leaf(unbox_all(g), bar(i))
            prim, vals, params, ans, parents = self.tape[i]
            if prim is None:
                continue
            by_pos = dict(parents)
            args = [sym.leaf(v, self.name(by_pos[k])) if k in by_pos else v
                    for k, v in enumerate(vals)]
            for p, ct in pull_cotangents(prim, g_named, sym.leaf(ans, self.name(i)),
                                         args, params, parents):
                acc[p] = ct if p not in acc else add(acc[p], ct)
        rows = []
        for i in range(len(self.tape) - 1, -1, -1):
            rows.append((i, formulas.get(i, "0"), result.get(i)))
        return rows, sym.lines

    def reverse_table(self, seed=None, digits=3):
        """Primals and adjoints, from the output back to the inputs: each adjoint as
        the sum of its consumers' VJP rules, and its value."""
        rows, _ = self.adjoints(seed)
        table = []
        for i, formula, value in rows:
            b = self.name(i).replace("v", "v" + BAR, 1)
            table.append([self.name(i), self.op_text(i), fmt_value(self.tape[i][3], digits),
                          f"{b} = {formula}", fmt_value(value, digits)])
        return Table(f"Reverse mode (adjoints) of {self.function}",
                     ["v", "primal", "value", "adjoint", "adjoint value"], table)

    def backward_trace(self, seed=None):
        """The backward pass as a Wengert list continuing the numbering."""
        _, lines = self.adjoints(seed)
        return _format_lines(lines)

    def gradient(self, seed=None):
        """The adjoints of the inputs (the gradient), in input order."""
        rows, _ = self.adjoints(seed)
        by_i = {i: v for i, _, v in rows}
        return tuple(by_i.get(i) if by_i.get(i) is not None
                     else backend.zeros_like(unbox_all(self.tape[i][3]))
                     for i in range(self.n))

    # -- graph
    def to_dot(self, adjoints=False):
        from .graph import to_dot
        return to_dot(self, adjoints=adjoints)

    def render(self, path, adjoints=False):
        from .graph import render
        return render(self, path, adjoints=adjoints)

    def _repr_svg_(self):
        from .graph import to_svg
        return to_svg(self)


def _seed_text(seed):
    """A one-line description of a seed for a title."""
    if isinstance(seed, (str, int, float)):
        return repr(seed)
    if isinstance(seed, dict):
        return "{" + ", ".join(f"{k}: {fmt_value(v)}" for k, v in seed.items()) + "}"
    return "(" + ", ".join(fmt_value(v) for v in seed) + ")"


def _format_lines(lines):
    if not lines:
        return ""
    w_name = max(_width(ln.name) for ln in lines)
    w_op = max(_width(ln.op) for ln in lines)
    out = []
    for ln in lines:
        note = f"   ({ln.note})" if ln.note else ""
        out.append(f"{_pad(ln.name, w_name)} = {_pad(ln.op, w_op)} = {fmt_value(ln.value)}{note}")
    return "\n".join(out)


def _input_names(fun, n):
    try:
        params = [p for p in inspect.signature(fun).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        names = [p.name for p in params]
        if len(names) >= n and len(set(names[:n])) == n:
            return names[:n]
    except (TypeError, ValueError):
        pass
    return [f"x{k + 1}" for k in range(n)]


def trace(fun):
    """Record one evaluation of ``fun`` as its evaluation trace (Wengert list).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> t = wg.trace(lambda x1, x2: x1 * x2)(3.0, 4.0)
    >>> [ln.op for ln in t.lines]
    ['x1', 'x2', 'v_-1 * v_0']
    """
    def traced(*args):
        name = getattr(fun, "__name__", "f")
        if not args:
            raise TypeError(f"trace({name}): pass the arguments to evaluate {name} at")
        leaves, in_def = tree_flatten(args)
        for k, x in enumerate(leaves):
            if not backend.is_differentiable(unbox_all(x)):
                raise TypeError(f"trace({name}): argument {k} is "
                                f"{backend.describe(unbox_all(x))}; pass floats")
        # parameter names when each argument is one value; x1, x2, ... per leaf otherwise
        names = (_input_names(fun, len(leaves)) if in_def.num_leaves == len(args)
                 else [f"x{k + 1}" for k in range(len(leaves))])
        rec = ReverseTrace()
        boxes = [rec.new_input(x, nm) for x, nm in zip(leaves, names)]
        result = fun(*tree_unflatten(in_def, boxes))
        out_leaves = tree_flatten(result)[0]
        return EvaluationTrace(fun, rec.tape, names, [rec.index_of(o) for o in out_leaves],
                               [unbox_all(rec.lower(o)) for o in out_leaves])

    return traced
