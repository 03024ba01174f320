"""The computational graph of a trace as Graphviz DOT text, and rendering through
Graphviz's ``dot`` program when it is installed (the DOT text needs nothing)."""

import os
import shutil
import subprocess

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


def render(trace, path, adjoints=False):
    """Write the graph to ``path``; the suffix picks the format (svg, png, pdf, or dot
    for the text). Needs Graphviz's ``dot`` program except for DOT text."""
    path = str(path)
    fmt = format_of(path)
    if fmt is None:
        raise ValueError(f"render: cannot tell the format of {path!r}; use a file name "
                         f"ending in .svg, .png, .pdf or .dot")
    text = to_dot(trace, adjoints=adjoints)
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
