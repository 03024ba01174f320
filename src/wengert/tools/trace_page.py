"""The interactive trace page: one self-contained HTML file that replays an
evaluation trace step by step.

The page shows the Wengert list (``v_-1 ... v_n``) as a table with three groups of
columns, the primal, the tangent (forward mode, for one seed) and the adjoint
(reverse mode), and the computational graph drawn as inline SVG. Buttons step
through the forward sweep, line by line, then through the backward sweep from the
output back to the inputs: the current line of the list and its node in the graph
are highlighted, and each primal, tangent and adjoint appears when it is computed.

Everything is inline (CSS, JavaScript, SVG, the data as JSON): the page fetches
nothing and needs no server, so it opens from disk, inside a notebook (as an
``<iframe srcdoc>``) or embedded in the documentation.

>>> import wengert as wg, wengert.numpy as wnp
>>> t = wg.trace(lambda x1, x2: wnp.log(x1) + x1 * x2 - wnp.sin(x2))(2.0, 5.0)
>>> page = TracePage(t)
>>> page.html.startswith("<!DOCTYPE html>"), "src=" in page.html, "@import" in page.html
(True, False, False)
>>> [line["value"] for line in page.data["lines"]][-1], page.data["adjoints"][-1]["value"]
('11.652', '5.500')
"""

import html
import json
import os

from ..core.trace import unbox_all
from .tracing import BAR, DOT, fmt_value

__all__ = ["TracePage", "trace_page", "write", "page_data", "graph_svg", "GraphPicture"]

# graph geometry (SVG user units)
_NODE_W, _NODE_H = 132, 62
_GAP_X, _GAP_Y = 56, 18
_PAD = 14


def _layout(tape):
    """Columns by longest path from the inputs (inputs in column 0); within a column
    nodes are ordered by the mean row of their operands, which keeps most edges
    short and uncrossed. Returns ``{index: (x, y)}`` and the canvas size."""
    col = {}
    for i, (prim, vals, params, ans, parents) in enumerate(tape):
        col[i] = 0 if prim is None else 1 + max((col[p] for _, p in parents), default=-1)
    columns = {}
    for i, c in col.items():
        columns.setdefault(c, []).append(i)
    row = {}
    for c in sorted(columns):
        members = columns[c]
        if c > 0:
            def key(i):
                ps = [row[p] for _, p in tape[i][4] if p in row]
                return (sum(ps) / len(ps) if ps else 0.0, i)
            members.sort(key=key)
        for r, i in enumerate(members):
            row[i] = r
    n_rows = max(len(m) for m in columns.values())
    height = 2 * _PAD + n_rows * _NODE_H + (n_rows - 1) * _GAP_Y
    pos = {}
    for c, members in columns.items():
        # centre each column vertically
        col_h = len(members) * _NODE_H + (len(members) - 1) * _GAP_Y
        top = (height - col_h) / 2
        for r, i in enumerate(members):
            pos[i] = (_PAD + c * (_NODE_W + _GAP_X), top + r * (_NODE_H + _GAP_Y))
    width = 2 * _PAD + len(columns) * _NODE_W + (len(columns) - 1) * _GAP_X
    return pos, width, height


def _seed_label(trace, seed):
    if isinstance(seed, str):
        return f"seed {seed}"
    if isinstance(seed, int) and not isinstance(seed, bool) and 0 <= seed < trace.n:
        return f"seed {trace.input_names[seed]}"
    return "seed " + str(seed)


def page_data(trace, seed=0, adjoint_seed=None, digits=3):
    """The data the page shows, as plain Python (lists, dicts, strings): the lines
    with their primal values, the tangents for ``seed`` (as ``forward_table`` takes
    it: an input name, an input index, a dict or one tangent per input), the
    adjoints from ``adjoint_seed`` (the output's cotangent; ``None`` means 1 for a
    scalar output), the order of the backward sweep, the graph's nodes and edges
    and the backward pass as new lines.

    >>> import wengert as wg
    >>> d = page_data(wg.trace(lambda x1, x2: x1 * x2)(3.0, 4.0), seed="x2")
    >>> [(ln["name"], ln["op"], ln["value"], ln["tangent_value"]) for ln in d["lines"]]
    [('v_-1', 'x1', '3.000', '0.000'), ('v_0', 'x2', '4.000', '1.000'), ('v_1', 'v_-1 * v_0', '12.000', '3.000')]
    >>> [(a["formula"], a["value"]) for a in d["adjoints"]]  # from the output back
    [('v̄_1 = 1.000', '1.000'), ('v̄_0 = v_-1 * v̄_1', '3.000'), ('v̄_-1 = v̄_1 * v_0', '4.000')]
    """
    who = "trace_page"
    tape = trace.tape
    try:
        adj_rows, back_lines = trace.adjoints(adjoint_seed)
    except ValueError as err:
        raise ValueError(f"{who}: {str(err).split(': ', 1)[-1]}") from None
    tangents = trace.tangents(seed)
    pos, width, height = _layout(tape)
    lines = []
    for i, (prim, vals, params, ans, parents) in enumerate(tape):
        name = trace.name(i)
        x, y = pos[i]
        lines.append({
            "index": i, "name": name, "op": trace.op_text(i),
            "kind": "input" if prim is None else prim.name,
            "value": fmt_value(ans, digits),
            "tangent": f"{name.replace('v', 'v' + DOT, 1)} = {tangents[i][0]}",
            "tangent_value": fmt_value(tangents[i][1], digits),
            "parents": sorted({p for _, p in parents}),
            "x": x, "y": y})
    adjoints = []
    for i, formula, value in adj_rows:          # from the output back to the inputs
        if value is None:
            continue
        adjoints.append({"index": i,
                         "formula": f"{trace.name(i).replace('v', 'v' + BAR, 1)} = {formula}",
                         "value": fmt_value(value, digits)})
    out_i = trace.outputs[0]
    return {
        "function": trace.function,
        "inputs": trace.input_names,
        "seed": _seed_label(trace, seed),
        "output": trace.name(out_i),
        "result": fmt_value(unbox_all(tape[out_i][3]), digits),
        "lines": lines,
        "adjoints": adjoints,
        "backward_lines": [[ln.name, ln.op, fmt_value(ln.value, digits), ln.note]
                           for ln in back_lines],
        "graph": {"width": width, "height": height, "node_w": _NODE_W,
                  "node_h": _NODE_H},
    }


def _svg_name(text):
    """``v_-1`` as SVG text: the index in a lowered, smaller tspan."""
    base, _, sub = text.rpartition("_")
    if not base:
        return html.escape(text)
    return (f'{html.escape(base)}<tspan dy="3" font-size="9">{html.escape(sub)}'
            f'</tspan><tspan dy="-3"></tspan>')


# the picture's own style when it stands alone (the page styles it from its CSS)
_SVG_STYLE = ("<style>.edge{fill:none;stroke:#9aa0a6;stroke-width:1.4}"
              ".node rect{fill:#fff;stroke:#5f6368;stroke-width:1.2}"
              ".node.input rect{fill:#e8f0fe}"
              ".node text{font-size:12px;font-family:ui-monospace,Menlo,Consolas,"
              "'DejaVu Sans Mono',monospace}"
              ".nname{font-weight:700}.nop{fill:#5f6368}.nadj{fill:#c5221f}</style>")


def _svg(data, filled=False):
    """The graph as SVG elements: one group per node (id ``node-<index>``) and one
    path per edge (id ``edge-<from>-<to>``). The page's script fills in names and
    values as it steps; ``filled=True`` writes them in (a static picture)."""
    g = data["graph"]
    w, h = g["node_w"], g["node_h"]
    by_index = {ln["index"]: ln for ln in data["lines"]}
    adjoint = {a["index"]: a["value"] for a in data["adjoints"]} if filled else {}
    parts = [f'<svg id="graph" viewBox="0 0 {g["width"]:.0f} {g["height"]:.0f}" '
             f'width="{g["width"]:.0f}" height="{g["height"]:.0f}" '
             f'xmlns="http://www.w3.org/2000/svg" role="img" '
             f'aria-label="computational graph of {html.escape(data["function"])}">',
             _SVG_STYLE if filled else "",
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" '
             'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
             '<path d="M0,0 L10,5 L0,10 z" fill="'
             + ("#9aa0a6" if filled else "context-stroke") + '"/></marker></defs>']
    for ln in data["lines"]:
        for p in ln["parents"]:
            a = by_index[p]
            x1, y1 = a["x"] + w, a["y"] + h / 2
            x2, y2 = ln["x"], ln["y"] + h / 2
            mx = (x1 + x2) / 2
            parts.append(f'<path class="edge" id="edge-{p}-{ln["index"]}" '
                         f'd="M{x1:.1f},{y1:.1f} C{mx:.1f},{y1:.1f} {mx:.1f},{y2:.1f} '
                         f'{x2 - 2:.1f},{y2:.1f}" marker-end="url(#arrow)"/>')
    for ln in data["lines"]:
        x, y, i = ln["x"], ln["y"], ln["index"]
        cls = "node input" if ln["kind"] == "input" else "node"
        name = _svg_name(ln["name"]) if filled else ""
        value = f"= {html.escape(ln['value'])}" if filled else ""
        adj = ""
        if i in adjoint:
            adj = (_svg_name(ln["name"].replace("v", "v" + BAR, 1))
                   + f" = {html.escape(adjoint[i])}")
        parts.append(
            f'<g class="{cls}" id="node-{i}" data-index="{i}">'
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w}" height="{h}" rx="8"/>'
            f'<text class="nname" x="{x + 8:.1f}" y="{y + 16:.1f}">{name}</text>'
            f'<text class="nop" x="{x + w - 8:.1f}" y="{y + 16:.1f}" text-anchor="end">'
            f'{html.escape(ln["kind"] if ln["kind"] != "input" else ln["op"])}</text>'
            f'<text class="nval" x="{x + 8:.1f}" y="{y + 34:.1f}">{value}</text>'
            f'<text class="nadj" x="{x + 8:.1f}" y="{y + 52:.1f}">{adj}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


class GraphPicture:
    """The computational graph of a trace as a static SVG picture (no Graphviz
    needed): one box per ``v`` with its operation and primal value, and its adjoint
    when ``adjoints=True``. Shows itself in Jupyter; ``svg`` is the text and
    ``save(path)`` writes it.

    >>> import wengert as wg
    >>> pic = graph_svg(wg.trace(lambda x, y: x * y)(3.0, 4.0))
    >>> pic.svg.count('class="node'), "= 12.000" in pic.svg
    (3, True)
    """

    def __init__(self, data, adjoints=True):
        if not adjoints:
            data = dict(data, adjoints=[])
        self.svg = _svg(data, filled=True).replace(' id="graph"', "", 1)

    def _repr_svg_(self):
        return self.svg

    def save(self, path):
        with open(os.fspath(path), "w", encoding="utf-8") as fh:
            fh.write(self.svg)
        return path


def graph_svg(trace, adjoints=True, adjoint_seed=None):
    """The graph of ``trace`` as a ``GraphPicture`` (static SVG), with the primal
    value of every node and, when ``adjoints`` is true, its adjoint from
    ``adjoint_seed`` (``None``: 1 for a scalar output).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> t = wg.trace(lambda x: wnp.sin(x) * x)(2.0)
    >>> pic = graph_svg(t)
    >>> pic.svg.count('class="edge"'), "= 0.077" in pic.svg  # 0.077: the adjoint of x
    (3, True)
    >>> "= 0.077" in graph_svg(t, adjoints=False).svg
    False
    """
    return GraphPicture(page_data(trace, 0, adjoint_seed), adjoints=adjoints)


_CSS = """
:root { --fwd: #1a73e8; --bwd: #c5221f; --done: #f6f8fc; --mono: ui-monospace,
  'SFMono-Regular', Menlo, Consolas, 'DejaVu Sans Mono', monospace; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; margin: 12px;
  color: #202124; background: #fff; font-size: 14px; }
h1 { font-size: 1.15em; margin: 0 0 4px 0; }
.sub { color: #5f6368; margin: 0 0 10px 0; }
.controls { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; margin: 8px 0; }
button { font: inherit; padding: 4px 12px; border: 1px solid #9aa0a6; border-radius: 4px;
  background: #f8f9fa; cursor: pointer; }
button:hover { background: #e8eaed; } button:disabled { opacity: .45; cursor: default; }
#status { font-family: var(--mono); margin-left: 8px; white-space: pre; }
#status.fwd { color: var(--fwd); } #status.bwd { color: var(--bwd); }
.panes { display: flex; flex-direction: column; gap: 12px; }
.graph { border: 1px solid #dadce0; border-radius: 6px; padding: 4px; overflow: auto;
  max-height: 460px; }
#graph { display: block; max-width: 100%; height: auto; }
.list { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.93em; }
th, td { border: 1px solid #d0d0d0; padding: 3px 8px; text-align: left; }
th { background: #f1f3f4; }
th.group { text-align: center; }
td { font-family: var(--mono); white-space: pre; }
td.num { text-align: right; }
tr.current.fwd td { background: #d2e3fc; } tr.current.bwd td { background: #fad2cf; }
tr.current td:first-child { box-shadow: inset 4px 0 0 var(--fwd); }
tr.current.bwd td:first-child { box-shadow: inset 4px 0 0 var(--bwd); }
td.pending { color: transparent; }
.edge { fill: none; stroke: #9aa0a6; stroke-width: 1.4; }
.edge.active { stroke: var(--fwd); stroke-width: 2.6; }
.edge.active.bwd { stroke: var(--bwd); }
.node rect { fill: #fff; stroke: #5f6368; stroke-width: 1.2; }
.node.input rect { fill: #e8f0fe; }
.node.done rect { fill: var(--done); } .node.input.done rect { fill: #e8f0fe; }
.node.current rect { stroke: var(--fwd); stroke-width: 3; fill: #d2e3fc; }
.node.current.bwd rect { stroke: var(--bwd); fill: #fad2cf; }
.node text { font-size: 12px; font-family: var(--mono); }
.nname { font-weight: 700; } .nop { fill: #5f6368; } .nadj { fill: var(--bwd); }
details { margin-top: 10px; } summary { cursor: pointer; color: #5f6368; }
pre { font-family: var(--mono); font-size: 0.9em; }
.legend { color: #5f6368; font-size: 0.9em; margin-top: 6px; }
"""

_JS = r"""
(function () {
  "use strict";
  const D = JSON.parse(document.getElementById("trace-data").textContent);
  const L = D.lines, A = D.adjoints, F = L.length, B = A.length, N = F + B;
  const SUB = /([A-Za-z\u0307\u0304])_(-?\d+)/g;
  // write text with v_k as v<sub>k</sub> (text nodes only: nothing parsed as HTML)
  function rich(el, text) {
    el.textContent = "";
    let last = 0, m;
    SUB.lastIndex = 0;
    while ((m = SUB.exec(text)) !== null) {
      el.appendChild(document.createTextNode(text.slice(last, m.index + 1)));
      const s = document.createElement("sub"); s.textContent = m[2]; el.appendChild(s);
      last = m.index + m[0].length;
    }
    el.appendChild(document.createTextNode(text.slice(last)));
  }
  function svgName(el, text) {  // the same in SVG: a lowered tspan for the subscript
    el.textContent = "";
    const m = /^(.*?)_(-?\d+)$/.exec(text);
    if (!m) { el.textContent = text; return; }
    el.appendChild(document.createTextNode(m[1]));
    const t = document.createElementNS("http://www.w3.org/2000/svg", "tspan");
    t.setAttribute("dy", "3"); t.setAttribute("font-size", "9"); t.textContent = m[2];
    el.appendChild(t);
  }
  const rowOf = {}, nodeOf = {}, bstep = {};
  const tbody = document.getElementById("rows");
  L.forEach(function (ln, k) {
    const tr = document.createElement("tr");
    tr.dataset.line = String(k + 1); tr.dataset.index = String(ln.index);
    tr.id = "line-" + ln.index;
    const cells = [["name", ln.name], ["op", ln.op], ["primal num", ln.value],
                   ["tangent", ln.tangent], ["tangent-value num", ln.tangent_value],
                   ["adjoint", ""], ["adjoint-value num", ""]];
    cells.forEach(function (c) {
      const td = document.createElement("td"); td.className = c[0]; rich(td, c[1]);
      tr.appendChild(td);
    });
    tbody.appendChild(tr);
    rowOf[ln.index] = tr;
    const g = document.getElementById("node-" + ln.index);
    nodeOf[ln.index] = g;
    svgName(g.querySelector(".nname"), ln.name);
  });
  A.forEach(function (a, k) {
    bstep[a.index] = k;
    rich(rowOf[a.index].querySelector(".adjoint"), a.formula);
    rich(rowOf[a.index].querySelector(".adjoint-value"), a.value);
  });
  const status = document.getElementById("status");
  let step = 0, timer = null;

  function show(k) {
    step = Math.max(0, Math.min(N, k));
    document.querySelectorAll(".active").forEach(function (e) {
      e.classList.remove("active", "bwd"); });
    L.forEach(function (ln, j) {
      const tr = rowOf[ln.index], g = nodeOf[ln.index];
      const fwdDone = j < step;
      const b = bstep[ln.index];
      const bwdDone = b !== undefined && F + b < step;
      ["primal", "tangent", "tangent-value"].forEach(function (c) {
        tr.querySelector("." + c).classList.toggle("pending", !fwdDone); });
      ["adjoint", "adjoint-value"].forEach(function (c) {
        tr.querySelector("." + c).classList.toggle("pending", !bwdDone); });
      tr.classList.remove("current", "fwd", "bwd");
      g.classList.remove("current", "fwd", "bwd");
      g.classList.toggle("done", fwdDone);
      g.querySelector(".nval").textContent = fwdDone ? "= " + ln.value : "";
      if (bwdDone) svgAdj(g.querySelector(".nadj"), ln.name, A[b].value);
      else g.querySelector(".nadj").textContent = "";
    });
    let text;
    if (step === 0) {
      text = "ready: " + F + " lines forward, then " + B + " adjoints backward";
      status.className = "";
    } else if (step <= F) {
      const ln = L[step - 1];
      mark(ln.index, "fwd");
      ln.parents.forEach(function (p) { edge(p, ln.index, "fwd"); });
      text = "forward " + step + "/" + F + ": " + ln.name + " = " + ln.op + " = " + ln.value;
      status.className = "fwd";
    } else {
      const a = A[step - F - 1], ln = L.find(function (x) { return x.index === a.index; });
      mark(a.index, "bwd");
      ln.parents.forEach(function (p) { edge(p, a.index, "bwd"); });
      text = "backward " + (step - F) + "/" + B + ": " + a.formula + " = " + a.value;
      status.className = "bwd";
    }
    status.textContent = text;
    document.getElementById("back").disabled = step === 0;
    document.getElementById("reset").disabled = step === 0;
    document.getElementById("step").disabled = step === N;
    document.getElementById("end").disabled = step === N;
    document.body.dataset.step = String(step);
  }
  function svgAdj(el, name, value) {
    el.textContent = "";
    const m = /^v_(-?\d+)$/.exec(name);
    el.appendChild(document.createTextNode("v\u0304"));
    if (m) {
      const t = document.createElementNS("http://www.w3.org/2000/svg", "tspan");
      t.setAttribute("dy", "3"); t.setAttribute("font-size", "9"); t.textContent = m[1];
      el.appendChild(t);
      const r = document.createElementNS("http://www.w3.org/2000/svg", "tspan");
      r.setAttribute("dy", "-3"); r.textContent = " = " + value; el.appendChild(r);
    } else { el.appendChild(document.createTextNode(" = " + value)); }
  }
  function mark(i, dir) {
    rowOf[i].classList.add("current", dir);
    nodeOf[i].classList.add("current", dir);
    rowOf[i].scrollIntoView({block: "nearest"});
  }
  function edge(p, c, dir) {
    const e = document.getElementById("edge-" + p + "-" + c);
    if (e) { e.classList.add("active"); if (dir === "bwd") e.classList.add("bwd"); }
  }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    document.getElementById("play").textContent = "\u25b6 play";
  }
  document.getElementById("step").addEventListener("click", function () { stop(); show(step + 1); });
  document.getElementById("back").addEventListener("click", function () { stop(); show(step - 1); });
  document.getElementById("reset").addEventListener("click", function () { stop(); show(0); });
  document.getElementById("end").addEventListener("click", function () { stop(); show(N); });
  document.getElementById("play").addEventListener("click", function () {
    if (timer !== null) { stop(); return; }
    if (step === N) show(0);
    this.textContent = "\u23f8 pause";
    timer = setInterval(function () { if (step >= N) stop(); else show(step + 1); }, 700);
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowRight") { stop(); show(step + 1); }
    else if (ev.key === "ArrowLeft") { stop(); show(step - 1); }
  });
  L.forEach(function (ln, j) {  // clicking a line or a node jumps to its forward step
    const go = function () { stop(); show(j + 1); };
    rowOf[ln.index].addEventListener("click", go);
    nodeOf[ln.index].addEventListener("click", go);
  });
  show(0);
})();
"""


def _json_for_script(data):
    # inside <script>, "</" would end the element: escape it (and the HTML comment
    # openers) so any text in a formula stays data
    return (json.dumps(data, ensure_ascii=False)
            .replace("</", "<\\/").replace("<!--", "<\\!--"))


def trace_page(trace, seed=0, adjoint_seed=None, *, title=None, digits=3):
    """The interactive page of an evaluation trace, as one HTML document (a string).

    ``trace`` is what ``wengert.trace(f)(*args)`` returns. ``seed`` picks the forward
    direction of the tangent columns: an input name (``"x1"``), an input index
    (default 0, the first input), a dict of tangents by input name, or one tangent
    per input. ``adjoint_seed`` is the output's cotangent for the backward sweep
    (``None``: 1, for a scalar output; a non-scalar output needs one). ``title``
    replaces the heading; ``digits`` sets the decimals shown.

    >>> import wengert as wg
    >>> page = trace_page(wg.trace(lambda x, y: x * y + x)(3.0, 4.0), seed="y")
    >>> "<svg" in page and 'id="step"' in page and "<script src" not in page
    True
    """
    data = page_data(trace, seed, adjoint_seed, digits)
    heading = title or f"Evaluation trace of {data['function']}"
    sub = (f"{data['function']}({', '.join(data['inputs'])}) = {data['result']} "
           f"(output {data['output']}). Tangents: forward mode, {data['seed']}. "
           f"Adjoints: reverse mode, from the output back.")
    back = "\n".join(f"{a} = {b} = {c}" + (f"   ({d})" if d else "")
                     for a, b, c, d in data["backward_lines"])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{html.escape(heading)}</title>
<style>{_CSS}</style></head>
<body>
<h1>{html.escape(heading)}</h1>
<p class="sub">{html.escape(sub)}</p>
<div class="controls">
<button id="reset" type="button" title="back to the start">&#xab; reset</button>
<button id="back" type="button" title="one step back (left arrow)">&#x25c0; back</button>
<button id="step" type="button" title="one step (right arrow)">step &#x25b6;</button>
<button id="play" type="button">&#x25b6; play</button>
<button id="end" type="button" title="both sweeps done">end &#xbb;</button>
<span id="status" aria-live="polite"></span>
</div>
<div class="panes">
<div class="graph">{_svg(data)}</div>
<div class="list">
<table id="wengert-list">
<thead>
<tr><th colspan="3" class="group">primal (Wengert list)</th>
<th colspan="2" class="group">tangent ({html.escape(data['seed'])})</th>
<th colspan="2" class="group">adjoint</th></tr>
<tr><th>v</th><th>operation</th><th>value</th><th>rule</th><th>value</th>
<th>rule</th><th>value</th></tr>
</thead>
<tbody id="rows"></tbody>
</table>
<p class="legend">Step forward through the list (blue), then backward from the output
(red): each value appears when the sweep computes it. Click a line or a node to jump
to it; the arrow keys step too.</p>
<details><summary>the backward sweep as new lines of the Wengert list</summary>
<pre>{html.escape(back)}</pre></details>
</div>
</div>
<script id="trace-data" type="application/json">{_json_for_script(data)}</script>
<script>{_JS}</script>
</body></html>
"""


def write(trace, path, seed=0, adjoint_seed=None, **options):
    """Write the page of ``trace`` to ``path`` (UTF-8) and return the path; the
    options are those of ``trace_page``.

    >>> import os, tempfile, wengert as wg
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write(wg.trace(lambda x: x * x)(3.0), os.path.join(folder, "t.html"))
    ...     os.path.getsize(path) > 5000
    True
    """
    text = trace_page(trace, seed, adjoint_seed, **options)
    with open(os.fspath(path), "w", encoding="utf-8") as fh:
        fh.write(text)
    return path


class TracePage:
    """The interactive page of a trace as an object: ``html`` (the document),
    ``save(path)``, and inline display in Jupyter (``_repr_html_``: the page in an
    ``<iframe srcdoc>``, so its script and style stay apart from the notebook's).

    >>> import wengert as wg
    >>> p = TracePage(wg.trace(lambda x: x * x)(3.0))
    >>> p._repr_html_().startswith("<iframe")
    True
    """

    def __init__(self, trace, seed=0, adjoint_seed=None, *, title=None, digits=3,
                 height=None):
        self.data = page_data(trace, seed, adjoint_seed, digits)
        self.html = trace_page(trace, seed, adjoint_seed, title=title, digits=digits)
        # heading and buttons, the graph pane (at most 460 px), the table, the legend
        rows = len(self.data["lines"])
        graph_h = min(472, self.data["graph"]["height"] + 12)
        self.height = height or int(min(1100, 140 + graph_h + 27 * (rows + 2) + 90))

    def save(self, path=None):
        """Write the page to ``path`` when given; return the page."""
        if path is not None:
            with open(os.fspath(path), "w", encoding="utf-8") as fh:
                fh.write(self.html)
        return self

    def __str__(self):
        return self.html

    def __repr__(self):
        return (f"<TracePage of {self.data['function']}: {len(self.data['lines'])} lines, "
                f"{len(self.data['adjoints'])} adjoints>")

    def _repr_html_(self):
        return (f'<iframe class="wengert-trace" srcdoc="{html.escape(self.html, quote=True)}" '
                f'style="width:100%;height:{self.height}px;border:1px solid #ccc;'
                f'border-radius:4px" title="evaluation trace of '
                f'{html.escape(self.data["function"])}"></iframe>')
