"""The symbolic route (wengert.tools.symbolic): sympy derivatives, the expression
swell of the seeds' example and of the iterated logistic map beside the AD trace,
and a parser that evaluates nothing."""

import builtins

import pytest

sp = pytest.importorskip("sympy")

import wengert as wg  # noqa: E402
from wengert.tools import symbolic  # noqa: E402

SEEDS = "16*a*(1-a)*(1-2*a)**2"


@pytest.fixture(scope="module")
def swell():
    return symbolic.swell_table(n_max=8, at=0.3)


# ---------------------------------------------------------------- diff

def test_seeds_example_matches_the_hand_derivative():
    d = symbolic.diff(SEEDS, "a")
    a = sp.Symbol("a", real=True)  # parsed names are real symbols
    hand = 16 * (1 - a) * (1 - 2 * a) ** 2 - 16 * a * (1 - 2 * a) ** 2 \
        - 64 * a * (1 - a) * (1 - 2 * a)
    assert sp.simplify(d.expr - hand) == 0
    assert sp.simplify(d.simplified - hand) == 0
    assert d.var == a and d.function == 16 * a * (1 - a) * (1 - 2 * a) ** 2


def test_seeds_example_value_agrees_with_ad():
    d = symbolic.diff(SEEDS, "a")
    f = symbolic.seeds_example
    for x in (0.3, -1.25, 2.0):
        assert d.at(x) == pytest.approx(wg.grad(f)(x), rel=1e-13)
    assert d.at(0.3) == pytest.approx(-4.352, rel=1e-14)


def test_sizes_of_the_seeds_example():
    d = symbolic.diff(SEEDS, "a")
    assert d.size_function == 7
    assert d.size == sp.count_ops(d.expr) == 19       # three terms, written out
    assert d.size_simplified == 8                      # -256a^3 + 384a^2 - 160a + 16
    assert d.size > d.size_function and d.size_simplified < d.size
    text = str(d)
    assert "d/da" in text and "19 operations" in text and "simplified" in text
    assert "19 operations" in repr(d)


def test_caret_is_power_with_power_precedence():
    a = sp.Symbol("a", real=True)
    assert symbolic.parse("16*a*(1-a)*(1-2*a)^2") == symbolic.parse(SEEDS)
    assert symbolic.parse("-a^2") == -a ** 2
    assert symbolic.parse("2^3^2") == 512  # right associative, like **


def test_functions_constants_and_sympy_input():
    x = sp.Symbol("x", real=True)
    assert symbolic.parse("exp(x) * sin(x) + log1p(x) + pi*e") == \
        sp.exp(x) * sp.sin(x) + sp.log(1 + x) + sp.pi * sp.E
    assert symbolic.parse("arctan(x) - atan(x)") == 0
    d = symbolic.diff(sp.exp(x) * sp.sin(x), x)
    assert sp.simplify(d.expr - sp.exp(x) * (sp.sin(x) + sp.cos(x))) == 0
    assert symbolic.diff("x*y", "y").at(2.0, x=5.0) == 5.0
    assert symbolic.diff("x*y^2", "y").at(3.0, x=2.0) == pytest.approx(12.0)
    with pytest.raises(ValueError, match="give a value for x"):
        symbolic.diff("x*y^2", "y").at(3.0)
    with pytest.raises(ValueError, match="no variable 'q'"):
        symbolic.diff("x*y^2", "y").at(3.0, q=2.0)
    assert symbolic.diff("x^2", "z").expr == 0  # no z: the derivative is 0
    plain = sp.Symbol("t")  # a sympy expression's own symbol is found by its name
    assert symbolic.diff(plain ** 3, "t").expr == 3 * plain ** 2
    assert symbolic.diff("abs(x)", "x").expr == sp.sign(x)


def test_every_listed_function_differentiates_like_ad():
    import wengert.numpy as wnp
    for name in symbolic.FUNCTIONS:
        if name in ("arccosh", "acosh"):
            x = 1.7
        else:
            x = 0.4
        d = symbolic.diff(f"{name}(x)", "x").at(x)
        ad_name = {"asin": "arcsin", "acos": "arccos", "atan": "arctan", "asinh": "arcsinh",
                   "acosh": "arccosh", "atanh": "arctanh"}.get(name, name)
        fn = getattr(wnp, ad_name)
        assert d == pytest.approx(wg.grad(fn)(x), rel=1e-12), name


# ---------------------------------------------------------------- refusals

INJECTIONS = [
    ("__import__('os').system('echo hi')", "names starting with '_'.*'__import__'"),
    ("a.__class__", "names starting with '_'.*'__class__'"),
    ("a.real", r"attribute access \('.real'\)"),
    ("(lambda: 0)()", "lambda"),
    ("x[0]", "indexing"),
    ("open('/etc/passwd')", "unknown function 'open'"),
    ("eval('1')", "unknown function 'eval'"),
    ("getattr(x, 'y')", "unknown function 'getattr'"),
    ("import os", "syntax error"),
    ("x; y", "syntax error"),
    ("'text'", "str literals"),
    ("x if x else 1", "'if ... else'"),
    ("x < 1", "comparisons"),
    ("[x for x in y]", "comprehensions"),
    ("x // 2", "operator '//'"),
    ("2**10**10", "exact power"),
    ("1e999 * x", "infinity"),
    ("1j * x", "complex numbers"),
    ("sin", "'sin' is a function"),
    ("sin(x, y)", "exactly one positional argument"),
    ("16a", r"write products with '\*'"),
    ("", "empty"),
    ("x/0", "division by zero"),
    ("(" * 300 + "x" + ")" * 300, "nested|syntax error"),
    ("+".join(["x"] * 3000), "nested"),
]


@pytest.mark.parametrize("text,problem", INJECTIONS,
                         ids=[f"case{i}" for i in range(len(INJECTIONS))])
def test_refuses_with_a_message_naming_the_problem(text, problem):
    with pytest.raises(ValueError, match=problem) as info:
        symbolic.diff(text, "x")
    assert str(info.value).startswith("symbolic.")
    assert len(str(info.value)) < 400


def test_injection_executes_nothing(tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    calls = []

    # sympy imports some of its modules lazily, and importing a module runs
    # its compiled code with exec; one call first loads them, and the spy
    # refuses source text (what an injection would need), not code objects.
    symbolic.diff(SEEDS, "a")
    real = {"eval": builtins.eval, "exec": builtins.exec}

    def spy(name):
        def refuse(source, *args, **kwargs):
            if isinstance(source, (str, bytes)):
                calls.append(name)
                raise AssertionError(f"{name} was called on {source!r:.80}")
            return real[name](source, *args, **kwargs)
        return refuse

    monkeypatch.setattr(builtins, "eval", spy("eval"))
    monkeypatch.setattr(builtins, "exec", spy("exec"))
    for text in (f"__import__('os').system('touch {marker}')",
                 f"__builtins__.open('{marker}', 'w')",
                 f"(lambda: __import__('os').system('touch {marker}'))()"):
        with pytest.raises(ValueError):
            symbolic.diff(text, "x")
    assert not marker.exists()
    # and a good expression goes through without eval or exec either
    assert symbolic.diff(SEEDS, "a").size == 19
    assert calls == []


def test_bad_arguments():
    with pytest.raises(TypeError, match="string or a sympy expression"):
        symbolic.diff(3.0, "x")
    with pytest.raises(TypeError, match="name"):
        symbolic.diff("x", 1)
    with pytest.raises(ValueError, match="plain name"):
        symbolic.diff("x", "__class__")
    with pytest.raises(ValueError, match="function or constant"):
        symbolic.diff("x", "sin")


def test_missing_sympy_names_the_extra(monkeypatch):
    real_import = builtins.__import__

    def no_sympy(name, *args, **kwargs):
        if name == "sympy" or name.startswith("sympy."):
            raise ImportError("No module named 'sympy'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sympy)
    with pytest.raises(ImportError, match=r"wengert\[symbolic\]"):
        symbolic.diff("x^2", "x")


# ---------------------------------------------------------------- swell table

def test_swell_table_rows(swell):
    names = [r.name for r in swell.rows]
    assert names[0] == "16a(1-a)(1-2a)^2"
    assert [r.n for r in swell.logistic] == list(range(1, 9))
    for r in swell.rows:  # both routes give the same derivative
        assert r.symbolic_value == pytest.approx(r.ad_value, rel=1e-10, abs=1e-12)


def test_seeds_example_row(swell):
    row = swell.rows[0]
    assert row.size_derivative == 19 and row.size_simplified == 8
    assert row.trace_forward == 7  # v1..v7: *, -, *, *, -, **, *
    assert row.ad_value == pytest.approx(-4.352)
    # 16a(1-a)(1-2a)^2 is the logistic map applied twice: the same derivative
    assert swell.logistic[1].ad_value == pytest.approx(row.ad_value)


def test_logistic_symbolic_size_swells(swell):
    sizes = [r.size_derivative for r in swell.logistic]
    assert all(b > a for a, b in zip(sizes, sizes[1:])), sizes
    assert all(b > 2 * a for a, b in zip(sizes[1:], sizes[2:])), sizes  # exponential
    forward = [r.trace_forward for r in swell.logistic]
    assert forward == [3 * n for n in range(1, 9)]  # 1-x, 4*x, *: three per step
    gradient = [r.trace_gradient for r in swell.logistic]
    assert all(b - a == gradient[1] - gradient[0] for a, b in zip(gradient, gradient[1:]))
    last = swell.logistic[-1]
    assert last.size_derivative > 10 * last.trace_gradient
    assert last.size_derivative > 100 * last.trace_forward
    assert last.size_simplified is None  # simplify skipped beyond n = 5
    assert last.size_cse < last.size_derivative


def test_swell_table_text(swell):
    text = str(swell.table())
    lines = text.splitlines()
    assert "<table" in swell.table()._repr_html_()
    assert "logistic n=8" in text and "16a(1-a)(1-2a)^2" in text
    assert "AD fwd" in lines[1] and "d/dx ops" in lines[1]
    row8 = next(line for line in lines if line.startswith("logistic n=8"))
    assert str(swell.logistic[-1].size_derivative) in row8.split()


def test_swell_plot(swell, tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "swell.png"
    fig = swell.plot(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert fig.axes[0].get_yscale() == "log"


def test_trace_sizes_counts_the_tape():
    forward, gradient = symbolic.trace_sizes(lambda x: x * x + 1.0, 2.0)
    assert forward == 2 and gradient > forward
    with pytest.raises(ValueError, match="n_max"):
        symbolic.swell_table(n_max=0)
