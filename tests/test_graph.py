"""The computational graph of a trace: DOT text (no dependency), parsed back here by
a small regex parser and checked against node and edge counts worked out from the
function itself; rendering through Graphviz's ``dot`` when it is installed (skipped
otherwise), and the errors when it is not.
"""

import math
import re
import shutil
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
from tests.seed_functions import f_log, f_shared
from wengert.tools import graph

BAR = "\u0304"
HAVE_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAVE_DOT, reason="Graphviz's dot is not installed")


def f_swell(a):
    return 16 * a * (1 - a) * (1 - 2 * a) ** 2


@pytest.fixture(scope="module")
def t_shared():
    return wg.trace(f_shared)(1.5, 0.5)


# ---------------------------------------------------------------- a tiny DOT parser

_ID = r'(?:"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z_0-9]*)'
_EDGE = re.compile(rf"^\s*({_ID})\s*->\s*({_ID})\s*(?:\[(.*)\])?\s*;?\s*$")
_NODE = re.compile(rf"^\s*({_ID})\s*\[(.*)\]\s*;?\s*$")
_ATTR = re.compile(rf"([A-Za-z_]+)\s*=\s*({_ID}|[^,\s\]]+)")


def _unquote(s):
    if s.startswith('"'):
        s = s[1:-1]
        s = re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), s)
    return s


def _attrs(text):
    return {k: _unquote(v) for k, v in _ATTR.findall(text or "")}


def parse_dot(text):
    """(nodes: {id: attrs}, edges: [(tail, head, attrs)]) of a DOT digraph."""
    lines = text.strip().splitlines()
    assert re.match(rf"^digraph\s+{_ID}\s*\{{$", lines[0]), lines[0]
    assert lines[-1].strip() == "}"
    nodes, edges = {}, []
    for line in lines[1:-1]:
        if m := _EDGE.match(line):
            edges.append((_unquote(m.group(1)), _unquote(m.group(2)), _attrs(m.group(3))))
        elif (m := _NODE.match(line)) and m.group(1) not in ("node", "edge", "graph"):
            name = _unquote(m.group(1))
            assert name not in nodes, f"node {name} declared twice"
            nodes[name] = _attrs(m.group(2))
        else:
            assert re.match(r"^\s*(rankdir=\w+|(node|edge|graph)\s*\[.*\]);?\s*$", line), line
    return nodes, edges


def test_parser_reads_quotes_and_escapes():
    nodes, edges = parse_dot('digraph "a\\"b" {\n  "x\\"y" [label="p\\nq", shape=box];\n'
                             '  c0 [label="1"];\n  c0 -> "x\\"y" [style=dashed];\n}\n')
    assert nodes == {'x"y': {"label": "p\nq", "shape": "box"}, "c0": {"label": "1"}}
    assert edges == [("c0", 'x"y', {"style": "dashed"})]


def operand_uses(t):
    """Operand uses counted from the printed Wengert list: v-names in each operation."""
    return sum(len(re.findall(r"\bv_-?\d+", ln.op)) for ln in t.lines)


# ---------------------------------------------------------------- DOT text

def test_dot_of_shared_example(t_shared):
    nodes, edges = parse_dot(t_shared.to_dot())
    v_nodes = [n for n in nodes if re.fullmatch(r"v_-?\d+", n)]
    assert sorted(v_nodes, key=lambda n: int(n[2:])) == [f"v_{k}" for k in range(-1, 7)]
    assert len(nodes) == 8                       # no constants in this example
    # each operand use is one edge: / 2, sin 1, exp 1, - 2, + 2, * 2
    assert len(edges) == 10 == operand_uses(t_shared)
    assert {(a, b) for a, b, _ in edges} == {
        ("v_-1", "v_1"), ("v_0", "v_1"), ("v_1", "v_2"), ("v_0", "v_3"), ("v_1", "v_4"),
        ("v_3", "v_4"), ("v_2", "v_5"), ("v_4", "v_5"), ("v_5", "v_6"), ("v_4", "v_6")}
    for a, b, _ in edges:
        assert a in nodes and b in nodes
        assert int(a[2:]) < int(b[2:])            # operands come first


def test_dot_labels(t_shared):
    nodes, _ = parse_dot(t_shared.to_dot())
    expect = {"v_-1": ("x1", "1.500"), "v_0": ("x2", "0.500"), "v_1": ("divide", "3.000"),
              "v_2": ("sin", "0.141"), "v_3": ("exp", "1.649"),
              "v_4": ("subtract", "1.351"), "v_5": ("add", "1.492"),
              "v_6": ("multiply", "2.017")}
    for name, (op, value) in expect.items():
        label = nodes[name]["label"].splitlines()
        assert label[0] == name
        assert op in label[1]
        assert value in label[2]
        assert BAR not in nodes[name]["label"]


def test_dot_with_adjoints(t_shared):
    nodes, edges = parse_dot(t_shared.to_dot(adjoints=True))
    assert len(nodes) == 8 and len(edges) == 10
    adjoints = {"v_6": "1.000", "v_5": "1.351", "v_4": "2.844", "v_3": "-2.844",
                "v_2": "1.351", "v_1": "1.506", "v_0": "-13.724", "v_-1": "3.012"}
    for name, value in adjoints.items():
        label = nodes[name]["label"]
        assert f"{name.replace('v', 'v' + BAR, 1)} = {value}" in label
        assert name in label


def test_dot_of_first_example():
    t = wg.trace(f_log)(2.0, 5.0)
    nodes, edges = parse_dot(t.to_dot())
    # log 1, * 2, + 2, sin 1, - 2
    assert len(nodes) == 7 and len(edges) == 8 == operand_uses(t)
    assert "11.652" in nodes["v_5"]["label"]


def test_dot_constants_are_nodes_too():
    t = wg.trace(f_swell)(0.3)
    nodes, edges = parse_dot(t.to_dot())
    v_nodes = [n for n in nodes if re.fullmatch(r"v_-?\d+", n)]
    consts = {n: a for n, a in nodes.items() if n not in v_nodes}
    # 16*a, 1-a, (.)*(.), 2*a, 1-(.), (.)**2, (.)*(.): seven operations on one input,
    # with the constants 16, 1, 2, 1, 2
    assert len(v_nodes) == 8
    assert sorted(a["label"] for a in consts.values()) == ["1", "1", "16", "2", "2"]
    assert all(a.get("shape") == "plaintext" for a in consts.values())
    const_edges = [e for e in edges if e[0] in consts]
    assert len(const_edges) == 5
    assert all(e[2].get("style") == "dashed" for e in const_edges)
    assert len(edges) - len(const_edges) == 9 == operand_uses(t)
    # each constant feeds exactly one operation
    assert sorted(e[0] for e in const_edges) == sorted(consts)


def test_dot_repeated_operand_is_two_edges():
    t = wg.trace(lambda x: x * x)(3.0)
    _, edges = parse_dot(t.to_dot())
    assert [(a, b) for a, b, _ in edges] == [("v_0", "v_1"), ("v_0", "v_1")]


def test_dot_of_arrays():
    W = np.array([[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]])
    t = wg.trace(lambda W, x: wnp.sum(wnp.tanh(W @ x)))(W, np.array([0.5, -1.0, 2.0]))
    nodes, edges = parse_dot(t.to_dot(adjoints=True))
    assert len(nodes) == 5 and len(edges) == 4
    assert "(2, 3) mean" in nodes["v_-1"]["label"]
    assert "matmul" in nodes["v_1"]["label"]
    assert f"v{BAR}_-1 = (2, 3) mean" in nodes["v_-1"]["label"]


def test_dot_quotes_awkward_function_names():
    t = wg.trace(lambda x: x * 2.0)(1.0)
    t.function = 'say "hi"\\'
    text = t.to_dot()
    assert text.splitlines()[0] == 'digraph "say \\"hi\\"\\\\" {'
    nodes, _ = parse_dot(text)
    assert len(nodes) == 3


# ---------------------------------------------------------------- rendering

def test_render_dot_text_needs_no_graphviz(t_shared, tmp_path, monkeypatch):
    monkeypatch.setattr(graph, "dot_program", lambda: None)
    for name in ("g.dot", "g.gv"):
        out = t_shared.render(tmp_path / name)
        assert out == str(tmp_path / name)
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert text == t_shared.to_dot()
    assert t_shared.render(str(tmp_path / "a.dot"), adjoints=True) == str(tmp_path / "a.dot")
    assert (tmp_path / "a.dot").read_text(encoding="utf-8") == t_shared.to_dot(adjoints=True)


@pytest.mark.parametrize("name", ["g.jpg", "g", "g.svg.txt"])
def test_render_unknown_suffix(t_shared, tmp_path, name):
    with pytest.raises(ValueError, match=r"format.*\.svg"):
        t_shared.render(tmp_path / name)
    assert not (tmp_path / name).exists()


def test_render_without_dot_names_the_program(t_shared, tmp_path, monkeypatch):
    monkeypatch.setattr(graph, "dot_program", lambda: None)
    for name in ("g.svg", "g.png"):
        with pytest.raises(RuntimeError, match=r"`dot` program was not found"):
            t_shared.render(tmp_path / name)
        assert not (tmp_path / name).exists()


def test_render_with_empty_path(t_shared, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "")
    with pytest.raises(RuntimeError, match=r"Graphviz's `dot`"):
        t_shared.render(tmp_path / "g.svg")
    assert t_shared._repr_svg_() is None
    t_shared.render(tmp_path / "g.dot")       # DOT text still works
    assert (tmp_path / "g.dot").exists()


def test_render_reports_dot_failure(t_shared, tmp_path, monkeypatch):
    false = shutil.which("false")
    if false is None:
        pytest.skip("no `false` program")
    monkeypatch.setattr(graph, "dot_program", lambda: false)
    with pytest.raises(RuntimeError, match="dot failed"):
        t_shared.render(tmp_path / "g.svg")
    assert t_shared._repr_svg_() is None


def test_repr_svg_without_dot(t_shared, monkeypatch):
    monkeypatch.setattr(graph, "dot_program", lambda: None)
    assert t_shared._repr_svg_() is None


def _svg_counts(svg_text):
    root = ET.fromstring(svg_text)
    assert root.tag.endswith("svg")
    classes = [el.get("class") for el in root.iter()]
    return classes.count("node"), classes.count("edge")


def _svg_texts(svg_text):
    """The text drawn in the picture (Graphviz writes '-' as an entity)."""
    return [el.text for el in ET.fromstring(svg_text).iter() if el.tag.endswith("}text")]


@needs_dot
def test_render_svg(t_shared, tmp_path):
    out = t_shared.render(tmp_path / "g.svg")
    svg = (tmp_path / "g.svg").read_text(encoding="utf-8")
    assert out == str(tmp_path / "g.svg")
    assert _svg_counts(svg) == (8, 10)
    texts = _svg_texts(svg)
    for text in ("v_-1", "divide", "= 2.017", "x1"):
        assert text in texts


@needs_dot
def test_render_svg_counts_with_constants(tmp_path):
    t = wg.trace(f_swell)(0.3)
    t.render(tmp_path / "s.svg", adjoints=True)
    assert _svg_counts((tmp_path / "s.svg").read_text(encoding="utf-8")) == (13, 14)


@needs_dot
@pytest.mark.parametrize("suffix, magic", [("png", b"\x89PNG\r\n\x1a\n"), ("pdf", b"%PDF")])
def test_render_binary_formats(t_shared, tmp_path, suffix, magic):
    t_shared.render(tmp_path / f"g.{suffix}")
    data = (tmp_path / f"g.{suffix}").read_bytes()
    assert data.startswith(magic)
    assert len(data) > 500


@needs_dot
def test_repr_svg_with_dot(t_shared):
    svg = t_shared._repr_svg_()
    assert isinstance(svg, str)
    assert _svg_counts(svg) == (8, 10)


@needs_dot
def test_awkward_name_renders(tmp_path):
    t = wg.trace(lambda x: wnp.exp(x) * 2.0)(math.pi)
    t.function = 'say "hi"\\'
    t.render(tmp_path / "q.svg")
    assert _svg_counts((tmp_path / "q.svg").read_text(encoding="utf-8")) == (4, 3)
