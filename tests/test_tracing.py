"""wg.trace: the Wengert list of one evaluation, its forward and reverse tables, the
backward pass as a Wengert list, and the renderings (text, Markdown, HTML, rich).

The golden numbers are the seeds' worked examples. They are not taken from what the
library printed: each is checked against closed forms or central differences
computed here in plain numpy, and the formulas the tables print are evaluated back
(as Python expressions) to confirm they compute the values printed beside them.
"""

import html.parser
import math
import re
import unicodedata

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
from tests.seed_functions import f_log, f_shared
from wengert.tools.tracing import format_call

DOT = "\u0307"   # v̇
BAR = "\u0304"   # v̄


# ---------------------------------------------------------------- the examples


X_SHARED = (1.5, 0.5)
X_LOG = (2.0, 5.0)


def shared_program(x1, x2, bump=None, eps=0.0):
    """The eight values v_-1 .. v_6 of f_shared in plain floats; ``eps`` is added to
    v_k (k = ``bump``) right after it is computed, so d v_6 / d eps is its adjoint."""
    vals = {}

    def put(k, value):
        vals[k] = value + (eps if k == bump else 0.0)
        return vals[k]

    a = put(-1, x1)
    b = put(0, x2)
    v1 = put(1, a / b)
    v2 = put(2, math.sin(v1))
    v3 = put(3, math.exp(b))
    v4 = put(4, v1 - v3)
    v5 = put(5, v2 + v4)
    put(6, v5 * v4)
    return [vals[k] for k in range(-1, 7)]


def central(fun, h=1e-6):
    return (np.asarray(fun(h)) - np.asarray(fun(-h))) / (2 * h)


# primal column, tangent column (seed x1) and adjoint column as printed by the seeds
PRIMALS = ["1.500", "0.500", "3.000", "0.141", "1.649", "1.351", "1.492", "2.017"]
TANGENTS_X1 = ["1.000", "0.000", "2.000", "-1.980", "0.000", "2.000", "0.020", "3.012"]
ADJOINTS = ["1.000", "1.351", "2.844", "-2.844", "1.351", "1.506", "-13.724", "3.012"]
GRAD_SHARED = (3.0118433277, -13.7239615093)
V_NAMES = [f"v_{k}" for k in range(-1, 7)]


@pytest.fixture(scope="module")
def t_shared():
    return wg.trace(f_shared)(*X_SHARED)


@pytest.fixture(scope="module")
def t_log():
    return wg.trace(f_log)(*X_LOG)


# ---------------------------------------------------------------- evaluating printed text

_NAME = re.compile(r"v([\u0307\u0304]?)_(-?\d+)")


def _ident(m):
    mark = {"": "v", DOT: "vdot", BAR: "vbar"}[m.group(1)]
    return f"{mark}_{m.group(2).replace('-', 'm')}"


def py(text):
    """A printed formula as a Python expression over identifiers vdot_m1, vbar_3, ..."""
    return _NAME.sub(_ident, text)


def ident(name):
    return py(name)


_FUNCS = {"sin": np.sin, "cos": np.cos, "exp": np.exp, "log": np.log, "tanh": np.tanh,
          "sum": np.sum, "broadcast_to": np.broadcast_to,
          "reshape": lambda a, newshape: np.reshape(a, newshape)}


def evaluate(text, env):
    code = compile(py(text), "<formula>", "eval")
    unknown = set(code.co_names) - set(env) - set(_FUNCS)
    assert not unknown, f"{text!r} uses undefined names {unknown}"
    return eval(code, {"__builtins__": {}, **_FUNCS}, dict(env))  # our own printed text


def strip_marks(s):
    return "".join(ch for ch in s if not unicodedata.combining(ch))


# ---------------------------------------------------------------- the Wengert list

def test_shared_example_wengert_list(t_shared):
    lines = t_shared.lines
    assert [ln.name for ln in lines] == V_NAMES
    assert [ln.op for ln in lines] == ["x1", "x2", "v_-1 / v_0", "sin(v_1)", "exp(v_0)",
                                       "v_1 - v_3", "v_2 + v_4", "v_5 * v_4"]
    assert t_shared.input_names == ["x1", "x2"]
    assert len(t_shared) == 8
    assert "2 inputs, 6 operations" in repr(t_shared)
    # full precision against the plain-float program
    np.testing.assert_allclose([float(ln.value) for ln in lines], shared_program(*X_SHARED),
                               rtol=1e-15, atol=0)


def test_shared_example_printed_list(t_shared):
    text = str(t_shared)
    rows = [[c.strip() for c in line.split(" = ")] for line in text.splitlines()]
    assert [r[0] for r in rows] == V_NAMES
    assert [r[1] for r in rows] == [ln.op for ln in t_shared.lines]
    assert [r[2] for r in rows] == PRIMALS
    # the "=" signs line up
    assert len({line.index(" = ") for line in text.splitlines()}) == 1


def test_first_example_wengert_list(t_log):
    assert [ln.op for ln in t_log.lines] == ["x1", "x2", "log(v_-1)", "v_-1 * v_0",
                                             "v_1 + v_2", "sin(v_0)", "v_3 - v_4"]
    x1, x2 = X_LOG
    expect = [x1, x2, math.log(x1), x1 * x2, math.log(x1) + x1 * x2, math.sin(x2),
              math.log(x1) + x1 * x2 - math.sin(x2)]
    np.testing.assert_allclose([float(ln.value) for ln in t_log.lines], expect, rtol=1e-15)
    assert [line.rsplit("=", 1)[1].strip() for line in str(t_log).splitlines()] == \
        ["2.000", "5.000", "0.693", "10.000", "10.693", "-0.959", "11.652"]


def test_input_names_from_signature_or_numbered():
    assert wg.trace(lambda alpha, beta: alpha * beta)(1.0, 2.0).input_names == ["alpha", "beta"]
    assert wg.trace(lambda *xs: xs[0] * xs[1])(1.0, 2.0).input_names == ["x1", "x2"]
    t = wg.trace(lambda a, b, c: a * b + c)(1.0, 2.0, 3.0)
    assert [ln.name for ln in t.lines][:3] == ["v_-2", "v_-1", "v_0"]  # v_{1-n} .. v_0


# ---------------------------------------------------------------- forward table

def test_forward_table_shared_example(t_shared):
    table = t_shared.forward_table("x1")
    assert table.columns == ["v", "primal", "value", "tangent", "tangent value"]
    assert table.column("v") == V_NAMES
    assert table.column("value") == PRIMALS
    assert table.column("tangent value") == TANGENTS_X1
    formulas = table.column("tangent")
    assert formulas[3] == f"v{DOT}_2 = v{DOT}_1 * cos(v_1)"
    for name, formula in zip(V_NAMES, formulas):
        assert formula.startswith(name.replace("v", "v" + DOT, 1) + " = ")


def test_forward_tangents_full_precision(t_shared):
    tangents = [float(v) for _, v in t_shared.tangents("x1")]
    x1, x2 = X_SHARED
    fd = central(lambda h: shared_program(x1 + h, x2))
    np.testing.assert_allclose(tangents, fd, rtol=1e-8, atol=1e-9)
    # closed forms: v1' = 1/x2, v2' = cos(v1) v1', v4' = v1', v6' = v5' v4 + v5 v4'
    v = dict(zip(range(-1, 7), shared_program(x1, x2)))
    d1 = 1 / x2
    d2 = math.cos(v[1]) * d1
    closed = [1.0, 0.0, d1, d2, 0.0, d1, d2 + d1, (d2 + d1) * v[4] + v[5] * d1]
    np.testing.assert_allclose(tangents, closed, rtol=1e-14, atol=1e-15)
    assert tangents[-1] == pytest.approx(GRAD_SHARED[0], abs=1e-9)


def test_forward_formulas_compute_their_values(t_shared):
    """Each printed tangent formula, evaluated on the printed-to names' values, gives
    the tangent beside it."""
    env = {ident(ln.name): float(ln.value) for ln in t_shared.lines}
    for ln, (formula, value) in zip(t_shared.lines, t_shared.tangents("x2")):
        got = evaluate(formula, env)
        assert got == pytest.approx(float(value), rel=1e-12, abs=1e-15), (ln.name, formula)
        env[ident(ln.name.replace("v", "v" + DOT, 1))] = float(value)


def test_forward_seed_x2_first_example(t_log):
    table = t_log.forward_table("x2")
    assert table.column("tangent value")[-1] == "1.716"
    x1, x2 = X_LOG
    assert float(t_log.tangents("x2")[-1][1]) == pytest.approx(x1 - math.cos(x2), rel=1e-14)
    assert float(t_log.tangents("x1")[-1][1]) == pytest.approx(1 / x1 + x2, rel=1e-14)


@pytest.mark.parametrize("seed", ["x2", 1, {"x2": 1.0}, (0.0, 1.0), [0.0, 1.0]],
                         ids=["name", "index", "dict", "tuple", "list"])
def test_forward_seed_forms_agree(t_log, seed):
    ref = [float(v) for _, v in t_log.tangents("x2")]
    got = [float(v) for _, v in t_log.tangents(seed)]
    assert got == ref
    assert t_log.forward_table(seed).column("tangent") == \
        t_log.forward_table("x2").column("tangent")


def test_forward_seed_mixed_directions(t_log):
    # a tuple seed is a general direction: (a, b) gives a * df/dx1 + b * df/dx2
    got = float(t_log.tangents((2.0, -3.0))[-1][1])
    x1, x2 = X_LOG
    assert got == pytest.approx(2 * (1 / x1 + x2) - 3 * (x1 - math.cos(x2)), rel=1e-14)


@pytest.mark.parametrize("seed, match", [
    ("x3", r"unknown input 'x3'.*x1, x2"),
    (2, r"seed index 2 is out of range for 2 inputs"),
    (-1, r"seed index -1 is out of range"),
    ((1.0,), r"one tangent per input \(2\)"),
    ((1.0, 0.0, 0.0), r"one tangent per input \(2\)"),
    ({"x3": 1.0}, r"unknown input\(s\) \['x3'\]"),
    (None, r"seed must be"),
    (True, r"seed must be"),
])
def test_forward_bad_seeds(t_log, seed, match):
    with pytest.raises(ValueError, match=match):
        t_log.forward_table(seed)


# ---------------------------------------------------------------- reverse table

def test_reverse_table_shared_example(t_shared):
    table = t_shared.reverse_table()
    assert table.columns == ["v", "primal", "value", "adjoint", "adjoint value"]
    assert table.column("v") == V_NAMES[::-1]
    assert table.column("value") == PRIMALS[::-1]
    assert table.column("adjoint value") == ADJOINTS
    formulas = dict(zip(table.column("v"), table.column("adjoint")))
    b = lambda k: f"v{BAR}_{k}"  # noqa: E731
    # v̄_4 = v_5 * v̄_6 + v̄_5 (spacing aside)
    assert formulas["v_4"].replace(" ", "") == f"{b(4)}=v_5*{b(6)}+{b(5)}"
    assert formulas["v_6"].replace(" ", "") == f"{b(6)}=1.000"
    for name, formula in formulas.items():
        assert formula.startswith(name.replace("v", "v" + BAR, 1) + " = ")


def test_reverse_adjoints_full_precision(t_shared):
    rows, _ = t_shared.adjoints()
    got = {t_shared.name(i): float(v) for i, _, v in rows}
    # the adjoint of v_k is d v_6 / d eps with eps added to v_k: central differences
    for k in range(-1, 7):
        fd = float(central(lambda e: shared_program(*X_SHARED, bump=k, eps=e)[-1]))
        assert got[f"v_{k}"] == pytest.approx(fd, rel=1e-8, abs=1e-9), k
    # closed forms
    v = dict(zip(range(-1, 7), shared_program(*X_SHARED)))
    x2 = X_SHARED[1]
    b6 = 1.0
    b5 = v[4] * b6
    b4 = v[5] * b6 + b5
    b3 = -b4
    b2 = b5
    b1 = b4 + b2 * math.cos(v[1])
    b0 = b3 * v[3] - b1 * v[1] / x2
    bm1 = b1 / x2
    np.testing.assert_allclose([got[f"v_{k}"] for k in range(6, -2, -1)],
                               [b6, b5, b4, b3, b2, b1, b0, bm1], rtol=1e-14)


def test_gradient_matches_grad(t_shared, t_log):
    g = t_shared.gradient()
    ref = wg.grad(f_shared, argnums=(0, 1))(*X_SHARED)
    assert len(g) == 2
    np.testing.assert_allclose(g, GRAD_SHARED, atol=1e-9)
    np.testing.assert_allclose(g, ref, rtol=1e-15)
    np.testing.assert_allclose(t_log.gradient(), (5.5, 1.7163378145367738), rtol=1e-15)


def test_reverse_formulas_compute_their_values(t_shared):
    rows, _ = t_shared.adjoints()
    env = {ident(ln.name): float(ln.value) for ln in t_shared.lines}
    for i, formula, value in rows:   # output first: consumers before their operands
        got = evaluate(formula, env)
        assert got == pytest.approx(float(value), rel=1e-12), (t_shared.name(i), formula)
        env[ident(t_shared.name(i).replace("v", "v" + BAR, 1))] = float(value)


def test_unused_input_has_zero_adjoint():
    t = wg.trace(lambda x, y: x * x)(3.0, 4.0)
    assert t.gradient() == (6.0, 0.0)
    assert t.reverse_table().column("adjoint value") == ["1.000", "0", "6.000"]


# ---------------------------------------------------------------- backward trace

def test_backward_trace_is_a_wengert_list(t_shared):
    text = t_shared.backward_trace()
    _, lines = t_shared.adjoints()
    printed = text.splitlines()
    assert len(printed) == len(lines)
    # numbering continues after v_6
    assert printed[0].startswith("v_7 ")
    new = [ln.name for ln in lines if not ln.note]
    assert new == [f"v_{k}" for k in range(7, 7 + len(new))]
    # the first line is the seeds' first backward step: v̄_6 times v_4
    assert lines[0].op == f"v{BAR}_6 * v_4"
    # every adjoint is named once, with an (adjoint) note
    for k in range(-1, 6):
        b = f"v{BAR}_{k}"
        hits = [p for p in printed if p.startswith(b + " ")]
        assert len(hits) == 1, b
        assert hits[0].endswith("(adjoint)")
    assert text.count("(adjoint)") == 7


def test_backward_trace_lines_compute_the_adjoints(t_shared):
    """Run the printed backward list line by line from the primals and v̄_6 = 1: each
    line gives the value printed beside it, and the v̄ lines give the adjoints."""
    _, lines = t_shared.adjoints()
    env = {ident(ln.name): float(ln.value) for ln in t_shared.lines}
    env[ident(f"v{BAR}_6")] = 1.0
    for ln in lines:
        assert ident(ln.name) not in env, f"{ln.name} assigned twice"
        value = evaluate(ln.op, env)
        assert value == pytest.approx(float(ln.value), rel=1e-12), (ln.name, ln.op)
        env[ident(ln.name)] = value
    expect = dict(zip([f"v_{k}" for k in range(6, -2, -1)], ADJOINTS))
    for name, shown in expect.items():
        assert f"{env[ident(name.replace('v', 'v' + BAR, 1))]:.3f}" == shown
    np.testing.assert_allclose([env["vbar_m1"], env["vbar_0"]], GRAD_SHARED, atol=1e-9)


def test_trace_of_a_gradient_differentiates_again():
    f = lambda x: wnp.sin(x) * x  # noqa: E731
    t = wg.trace(wg.grad(f))(0.7)
    assert float(t.result[0]) == pytest.approx(math.cos(0.7) * 0.7 + math.sin(0.7), rel=1e-15)
    (g2,) = t.gradient()
    assert g2 == pytest.approx(2 * math.cos(0.7) - 0.7 * math.sin(0.7), rel=1e-14)


# ---------------------------------------------------------------- arrays

W = np.array([[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]])
XV = np.array([0.5, -1.0, 2.0])


def f_layer(W, x):
    return wnp.sum(wnp.tanh(W @ x))


def test_array_trace_values_by_shape():
    t = wg.trace(f_layer)(W, XV)
    text = str(t)
    ops = [ln.op for ln in t.lines]
    assert ops == ["W", "x", "v_-1 @ v_0", "tanh(v_1)", "sum(v_2)"]
    vals = [line.rsplit(" = ", 1)[1] for line in text.splitlines()]
    assert vals[0] == f"(2, 3) mean {W.mean():.3f}"           # 6 entries: a summary
    assert vals[1] == "[0.500, -1.000, 2.000] (3,)"             # few entries: shown
    assert vals[2] == "[{:.3f}, {:.3f}] (2,)".format(*(W @ XV))
    assert vals[4] == f"{np.sum(np.tanh(W @ XV)):.3f}"


def test_array_summary_stays_short():
    x = np.linspace(0.0, 1.0, 100_000)
    t = wg.trace(lambda x: wnp.sum(x * x))(x)
    assert max(len(line) for line in str(t).splitlines()) < 80
    assert "(100000,) mean 0.500" in str(t)


def test_array_tables_and_gradient():
    t = wg.trace(f_layer)(W, XV)
    ref = wg.grad(f_layer, argnums=(0, 1))(W, XV)
    g = t.gradient()
    for a, b in zip(g, ref):
        np.testing.assert_allclose(a, b, rtol=1e-14)
    # and against the closed form: dW = (1 - tanh^2) x^T, dx = W^T (1 - tanh^2)
    s = 1 - np.tanh(W @ XV) ** 2
    np.testing.assert_allclose(g[0], np.outer(s, XV), rtol=1e-14)
    np.testing.assert_allclose(g[1], W.T @ s, rtol=1e-14)
    # forward table with seed "x" (ones) and with a tuple direction
    E = np.zeros_like(W)
    for seed, direction in [("x", (E, np.ones(3))), ((E, XV), (E, XV))]:
        table = t.forward_table(seed)
        assert len(table.rows) == 5
        fd = central(lambda h: np.sum(np.tanh((W + h * direction[0]) @ (XV + h * direction[1]))))
        assert float(t.tangents(seed)[-1][1]) == pytest.approx(float(fd), rel=1e-8)
        assert table.column("tangent value")[-1] == f"{float(fd):.3f}"
    table = t.reverse_table()
    assert table.column("v") == ["v_3", "v_2", "v_1", "v_0", "v_-1"]
    assert table.column("adjoint value")[3] == "[{:.3f}, {:.3f}, {:.3f}] (3,)".format(*(W.T @ s))
    assert table.column("adjoint value")[4].startswith("(2, 3) mean")
    # the backward list also runs on arrays
    assert "(adjoint)" in t.backward_trace()


# ---------------------------------------------------------------- errors

@pytest.mark.parametrize("args", [(3,), (np.array([1, 2]),)], ids=["int", "int-array"])
def test_trace_of_integer_argument_is_a_type_error(args):
    with pytest.raises(TypeError, match=r"argument 0 is .*int.*pass floats"):
        wg.trace(lambda x: x * 2.0)(*args)


def test_trace_of_a_list_argument_and_of_no_argument():
    t = wg.trace(lambda x: x[0] * x[1])([1.0, 2.0])
    assert t.gradient() == (2.0, 1.0)
    with pytest.raises(TypeError, match="pass the arguments"):
        wg.trace(lambda: 1.0)()


def test_reverse_table_refuses_several_outputs():
    t = wg.trace(lambda x, y: (x * y, x + y))(1.0, 2.0)
    for call in (t.reverse_table, t.gradient, t.backward_trace):
        with pytest.raises(ValueError, match="one output"):
            call()
    # the forward table has no such restriction
    assert len(t.forward_table("x").rows) == 4


def test_reverse_table_refuses_output_without_inputs():
    t = wg.trace(lambda x: 3.0)(1.0)
    with pytest.raises(ValueError, match="depends on its inputs"):
        t.reverse_table()


def test_reverse_table_with_explicit_seed_on_vector_output():
    x = np.array([1.0, 2.0])
    t = wg.trace(lambda x: wnp.sin(x) * 2.0)(x)
    (g,) = t.gradient(seed=np.array([1.0, 0.0]))
    np.testing.assert_allclose(g, [2 * np.cos(1.0), 0.0], rtol=1e-15)


@pytest.mark.parametrize("method", ["reverse_table", "gradient"])
def test_reverse_table_refuses_vector_output_without_seed(method):
    t = wg.trace(lambda x: wnp.sin(x) * 2.0)(np.array([1.0, 2.0]))
    with pytest.raises((ValueError, TypeError), match="scalar|seed"):
        getattr(t, method)()


@pytest.mark.parametrize("fun", [lambda x: wnp.minimum(x, np.inf),
                                 lambda x: wnp.clip(x, -np.inf, 0.5),
                                 lambda x: wnp.maximum(x, np.nan)],
                         ids=["minimum-inf", "clip-inf", "maximum-nan"])
def test_trace_prints_infinite_constants(fun):
    t = wg.trace(fun)(2.0)
    text = str(t)
    assert "inf" in text or "nan" in text


def test_negative_constant_base_of_power_is_parenthesised():
    t = wg.trace(lambda x: (-2.0) ** x)(2.0)
    op = t.lines[-1].op
    assert evaluate(op, {"v_0": 2.0}) == pytest.approx(float(t.lines[-1].value))


def test_matmul_inside_multiply_is_parenthesised():
    text, _ = format_call("multiply", [("a", 9), ("B @ C", 2)], {})
    assert text == "a * (B @ C)"


def test_format_call_precedence():
    A = 9
    assert format_call("subtract", [("a", A), ("b - c", 1)], {})[0] == "a - (b - c)"
    assert format_call("divide", [("a", A), ("b * c", 2)], {})[0] == "a / (b * c)"
    assert format_call("multiply", [("a + b", 1), ("c", A)], {})[0] == "(a + b) * c"
    assert format_call("power", [("a ** b", 4), ("c", A)], {})[0] == "(a ** b) ** c"
    assert format_call("negative", [("a + b", 1)], {})[0] == "-(a + b)"
    assert format_call("add", [("a", A), ("-b * c", 2)], {})[0] == "a - b * c"
    assert format_call("sin", [("a + b", 1)], {})[0] == "sin(a + b)"


# ---------------------------------------------------------------- rendering

def test_str_table_is_aligned(t_shared):
    table = t_shared.reverse_table()
    lines = str(table).splitlines()
    assert lines[0] == table.title
    header, rule, body = lines[1], strip_marks(lines[2]), lines[3:]
    assert set(rule) <= {"-", " "}
    spans = [(m.start(), m.end()) for m in re.finditer(r"-+", rule)]
    assert len(spans) == len(table.columns)
    assert len(body) == len(table.rows) == 8
    for line, cells in zip([header] + body, [table.columns] + table.rows):
        plain = strip_marks(line)
        for j, (start, end) in enumerate(spans):
            stop = spans[j + 1][0] if j + 1 < len(spans) else len(plain)
            # the cell starts at its column (display width, combining marks take none)
            assert plain[start:stop].strip() == strip_marks(str(cells[j]))
            assert start == 0 or plain[start - 1] == " "


def test_markdown_table(t_shared):
    md = t_shared.forward_table("x1").to_markdown().splitlines()
    rows = [ln for ln in md if ln.startswith("|")]
    header, sep, body = rows[0], rows[1], rows[2:]
    split = lambda r: [c.strip() for c in r.strip("|").split("|")]  # noqa: E731
    assert split(header) == ["v", "primal", "value", "tangent", "tangent value"]
    assert set(sep) <= {"|", "-", ":", " "}
    assert len(split(sep)) == 5
    assert len(body) == 8
    assert [split(r)[0] for r in body] == V_NAMES
    assert [split(r)[4] for r in body] == TANGENTS_X1
    assert all(len(split(r)) == 5 for r in body)


def test_markdown_escapes_pipes():
    from wengert.tools.tracing import Table
    md = Table("", ["a", "b"], [["x | y", "z"]]).to_markdown().splitlines()
    assert md[-1] == "| x \\| y | z |"


class _TableParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.counts, self.rows, self.caption, self._in = {}, [], "", None

    def handle_starttag(self, tag, attrs):
        self.counts[tag] = self.counts.get(tag, 0) + 1
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th", "caption"):
            self._in = tag
            if tag != "caption":
                self.rows[-1].append("")

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "caption":
            self.caption += data
        elif self._in:
            self.rows[-1][-1] += data


def parse_html(text):
    p = _TableParser()
    p.feed(text)
    p.close()
    return p


def test_html_table(t_shared):
    table = t_shared.reverse_table()
    html = table._repr_html_()
    p = parse_html(html)
    assert p.counts["table"] == 1
    assert p.counts["tr"] == 9
    assert p.counts["th"] == 5
    assert p.counts["td"] == 40
    assert p.caption == table.title
    assert p.rows[0] == table.columns
    assert [r[4] for r in p.rows[1:]] == ADJOINTS
    # names are written with real subscripts: v<sub>-1</sub>, whose text reads v-1
    assert [r[0] for r in p.rows[1:]] == [n.replace("_", "") for n in V_NAMES[::-1]]
    assert "v<sub>-1</sub>" in html and "border:1px solid" in html
    assert "monospace" in html


def test_html_escapes():
    t = wg.trace(lambda x1, x2: x1 * x2)(1.0, 2.0)
    t.function = "<b>&</b>"
    out = t._repr_html_()
    assert "<b>" not in out and "&lt;b&gt;&amp;&lt;/b&gt;" in out
    assert parse_html(out).caption == "Wengert list of <b>&</b>"


def test_trace_markdown_and_html(t_shared):
    md = [ln for ln in t_shared.to_markdown().splitlines() if ln.startswith("|")]
    assert len(md) == 2 + 8
    assert [c.strip() for c in md[0].strip("|").split("|")] == ["v", "operation", "value"]
    assert [c.strip() for c in md[4].strip("|").split("|")] == ["v_1", "v_-1 / v_0", "3.000"]
    p = parse_html(t_shared._repr_html_())
    assert p.counts["tr"] == 9
    assert [r[2] for r in p.rows[1:]] == PRIMALS
    assert [r[1] for r in p.rows[1:]][:2] == ["x1", "x2"]


def test_rich_rendering(t_shared):
    rich_console = pytest.importorskip("rich.console")
    console = rich_console.Console(record=True, width=200, color_system=None)
    table = t_shared.forward_table("x1")
    console.print(table)
    text = console.export_text()
    assert table.title in text
    for name, value in zip(V_NAMES, TANGENTS_X1):
        line = next(ln for ln in text.splitlines() if f" {name} " in ln)
        assert value in line
    assert f"v{DOT}_2 = v{DOT}_1 * cos(v_1)" in text


def test_tables_repr_is_text(t_shared):
    table = t_shared.forward_table("x1")
    assert repr(table) == str(table)


def test_array_seed_title_is_one_line():
    t = wg.trace(f_layer)(W, XV)
    table = t.forward_table((np.zeros((2, 3)), np.ones(3)))
    assert "\n" not in table.title


def test_trace_of_a_pytree_argument():
    t = wg.trace(lambda d: d["a"] * 2.0 + d["b"])({"a": 1.0, "b": 3.0})
    assert [ln.op for ln in t.lines] == ["x1", "x2", "v_-1 * 2", "v_1 + v_0"]
    assert t.gradient() == (2.0, 1.0)
