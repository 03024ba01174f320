"""The computational graph of a trace as Graphviz DOT text, and rendering through
Graphviz's ``dot`` program when it is installed (the DOT text needs nothing)."""

import os
import shutil
import subprocess

from ..tensors import Tensor
from .tracing import BAR, fmt_const, fmt_value

_FORMATS = {"svg", "png", "pdf", "dot", "gv"}


def _quote(s):
    text = str(s).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + text + '"'


def to_dot(trace, adjoints=False):
    """DOT text for ``trace``: one node per v (name, operation, value), an edge from
    each operand to its use, constants as plain-text nodes; with ``adjoints=True``
    each node also shows its adjoint."""
    adj = {}
    if adjoints:
        adj = {i: v for i, _, v in trace.adjoints()[0] if v is not None}
    lines = [f"digraph {_quote(trace.function)} {{",
             "  rankdir=LR;",
             '  node [shape=box, style="rounded", fontname="Helvetica"];']
    n_const = 0
    for i, (prim, vals, params, ans, parents) in enumerate(trace.tape):
        name = trace.name(i)
        op = trace.input_names[i] if prim is None else prim.name
        label = f"{name}\n{op}\n= {fmt_value(ans)}"
        if i in adj:
            label += f"\n{name.replace('v', 'v' + BAR, 1)} = {fmt_value(adj[i])}"
        style = ', style="rounded,filled", fillcolor="#e8f0fe"' if prim is None else ""
        lines.append(f"  {_quote(name)} [label={_quote(label)}{style}];")
        by_pos = dict(parents)
        for k, v in enumerate(vals):
            if k in by_pos:
                lines.append(f"  {_quote(trace.name(by_pos[k]))} -> {_quote(name)};")
            elif prim is not None:
                c = f"c{n_const}"
                n_const += 1
                lines.append(f"  {c} [label={_quote(fmt_const(v))}, shape=plaintext];")
                lines.append(f"  {c} -> {_quote(name)} [style=dashed];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def format_of(path):
    """The output format a file name asks for (its suffix: svg, png, pdf, dot, gv),
    or None."""
    base = os.path.basename(str(path))
    fmt = base.rsplit(".", 1)[-1].lower() if "." in base else ""
    return fmt if fmt in _FORMATS else None


def dot_program():
    return shutil.which("dot")


def tensor_to_dot(tensor):
    """DOT text for the graph behind a Tensor, drawn as seed 004 draws its Tensor/OP
    classes: each tensor a box (leaves shaded), each operation an ellipse between the
    tensors it came from (``from_tensors``) and the tensor it made, constants dashed.
    Names follow the Wengert list: leaves v_-k .. v_0 in creation order, then v_1 ...
    for the results of operations."""
    from ..core.eager import Leaf, _reachable
    nodes = sorted(_reachable([tensor.grad_node()] if tensor.requires_grad else []),
                   key=lambda n: n.seq)
    leaves = [n for n in nodes if isinstance(n, Leaf)]
    ops = [n for n in nodes if not isinstance(n, Leaf)]
    names = {id(n): f"v_{k - len(leaves) + 1}" for k, n in enumerate(leaves)}
    names.update({id(n): f"v_{k + 1}" for k, n in enumerate(ops)})
    lines = ['digraph "tensor graph" {', "  rankdir=LR;",
             '  node [fontname="Helvetica"];']
    for n in leaves:
        t = n.tensor()
        value = fmt_value(t._value) if t is not None else "(gone)"
        lines.append(f"  {_quote(names[id(n)])} [label={_quote(names[id(n)] + ' (leaf)' + chr(10) + '= ' + value)}, "
                     f'shape=box, style="rounded,filled", fillcolor="#e8f0fe"];')
    if not tensor.requires_grad:
        lines.append(f"  v_0 [label={_quote('v_0' + chr(10) + '= ' + fmt_value(tensor._value))}, "
                     f'shape=box, style="rounded"];')
    n_const = 0
    for n in ops:
        name = names[id(n)]
        op = f"op_{name}"
        value = fmt_value(n.ans) if n.ans is not None else "(freed by backward)"
        lines.append(f"  {_quote(op)} [label={_quote(n.prim.name)}, shape=ellipse];")
        lines.append(f"  {_quote(name)} [label={_quote(name + chr(10) + '= ' + value)}, "
                     f'shape=box, style="rounded"];')
        lines.append(f"  {_quote(op)} -> {_quote(name)};")
        by_pos = dict(n.parents)
        for k in range(n.nargs):
            if k in by_pos:
                lines.append(f"  {_quote(names[id(by_pos[k])])} -> {_quote(op)};")
            elif n.vals is not None:
                c = f"c{n_const}"
                n_const += 1
                lines.append(f"  {c} [label={_quote(fmt_const(n.vals[k]))}, shape=plaintext];")
                lines.append(f"  {c} -> {_quote(op)} [style=dashed];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(trace, path, adjoints=False):
    """Write the graph to ``path``; the suffix picks the format (svg, png, pdf, or dot
    for the text). Needs Graphviz's ``dot`` program except for DOT text. ``trace`` is
    an evaluation trace, or a Tensor (its graph)."""
    path = str(path)
    fmt = format_of(path)
    if fmt is None:
        raise ValueError(f"render: cannot tell the format of {path!r}; use a file name "
                         f"ending in .svg, .png, .pdf or .dot")
    text = tensor_to_dot(trace) if isinstance(trace, Tensor) else \
        to_dot(trace, adjoints=adjoints)
    if fmt in ("dot", "gv"):
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        return path
    exe = dot_program()
    if exe is None:
        raise RuntimeError("render: Graphviz's `dot` program was not found on PATH; "
                           "install Graphviz, or write DOT text with to_dot() or a .dot file")
    proc = subprocess.run([exe, f"-T{fmt}", "-o", path], input=text.encode("utf-8"),
                          capture_output=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"render: dot failed on {path!r}: "
                           f"{proc.stderr.decode(errors='replace').strip()}")
    return path


def to_svg(trace, adjoints=False):
    """SVG text through ``dot``, or ``None`` without Graphviz."""
    exe = dot_program()
    if exe is None:
        return None
    proc = subprocess.run([exe, "-Tsvg"], input=to_dot(trace, adjoints).encode("utf-8"),
                          capture_output=True, check=False)
    return proc.stdout.decode("utf-8") if proc.returncode == 0 else None


# a Tensor draws its own graph: y.to_dot(), y.render("graph.svg")
Tensor.to_dot = tensor_to_dot
Tensor.render = render
