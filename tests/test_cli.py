"""The command line, run as a subprocess (``python -m wengert ...``) the way a user
runs it: values of ``wengert diff`` in both modes, Hessians and higher orders
against closed forms, the seeds' tables, graphs, the three routes, the one-line
errors with exit code 2, injection strings that must execute nothing, the demo,
and help that fits a 24x80 terminal.

The many short runs go through a thread pool: each is a separate process, so they
overlap and the file stays fast.
"""

import math
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import wengert

SRC = str(Path(wengert.__file__).resolve().parents[1])
F1 = "log(x1) + x1*x2 - sin(x2)"
AT1 = "x1=2,x2=5"
# the seeds' second example with its shared subexpressions v1 = x1/x2, v4 = v1 - exp(x2)
F2 = "(sin(x1/x2) + (x1/x2 - exp(x2))) * (x1/x2 - exp(x2))"
AT2 = "x1=1.5,x2=0.5"
TANGENTS_X1 = ["1.000", "0.000", "2.000", "-1.980", "0.000", "2.000", "0.020", "3.012"]
ADJOINTS = ["1.000", "1.351", "2.844", "-2.844", "1.351", "1.506", "-13.724", "3.012"]


def _env(extra_path=None, **env):
    out = dict(os.environ)
    out.pop("WENGERT_TRACEBACK", None)
    paths = [p for p in (extra_path, SRC, out.get("PYTHONPATH")) if p]
    out.update({"PYTHONPATH": os.pathsep.join(paths), "COLUMNS": "80", "LINES": "24", **env})
    return out


def run(*args, cwd, extra_path=None, **env):
    return subprocess.run([sys.executable, "-m", "wengert", *args], cwd=cwd,
                          env=_env(extra_path, **env), capture_output=True, text=True,
                          timeout=120)


def run_all(cases, cwd):
    """Run each argument list in its own process, several at a time."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda args: run(*args, cwd=cwd), cases))


def numbers(stdout):
    """``name -> float`` for the ``  name = value`` lines of diff's output."""
    pairs = re.finditer(r"^\s+(\S+(?: \S+)*) = (\S+)$", stdout, re.M)
    return {m[1]: float(m[2]) for m in pairs}


def table_column(stdout, title, col=-1):
    """The last column of the table whose title line starts with ``title``."""
    lines = stdout.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith(title))
    rows = []
    for ln in lines[start + 3:]:      # title, header, rule
        if not ln.strip():
            break
        rows.append(ln.split()[col])
    return rows


def assert_one_line_error(res, *fragments):
    assert res.returncode == 2, (res.returncode, res.stdout, res.stderr)
    assert res.stdout == ""
    lines = res.stderr.splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("wengert diff: error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("cli")


# ---------------------------------------------------------------- values

@pytest.fixture(scope="module")
def value_runs(work):
    cases = {
        "reverse": ["diff", F1, "--at", AT1],
        "forward": ["diff", F1, "--at", AT1, "--mode", "forward"],
        "hess-reverse": ["diff", F1, "--at", AT1, "--order", "2"],
        "hess-forward": ["diff", F1, "--at", AT1, "--order", "2", "--mode", "forward"],
        "third-1": ["diff", "exp(x)*sin(x)", "--at", "x=1", "--order", "3"],
        "third-1-fwd": ["diff", "exp(x)*sin(x)", "--at", "x=1", "--order", "3", "--mode",
                        "forward"],
        "third-2": ["diff", "x^3*y + x*y^2", "--at", "x=2,y=3", "--order", "3"],
        "third-2-fwd": ["diff", "x^3*y + x*y^2", "--at", "x=2,y=3", "--order", "3", "--mode",
                        "forward"],
        "order-given": ["diff", "x2 * exp(x1)", "--at", "x2=3", "--at", "x1=0"],
        "leading-minus": ["diff", "-x^2", "--at", "x=3"],
    }
    return dict(zip(cases, run_all(list(cases.values()), work)))


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_value_and_gradient_in_both_modes(value_runs, mode):
    res = value_runs[mode]
    assert res.returncode == 0 and res.stderr == "", res.stderr
    got = numbers(res.stdout)
    # exact: the seeds' numbers as printed by Python
    assert got["f"] == 11.652071455223084
    assert got["df/dx1"] == 5.5
    assert got["df/dx2"] == 1.7163378145367738
    assert f"mode: {mode}" in res.stdout


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_hessian_against_closed_form(value_runs, mode):
    res = value_runs["hess-" + mode]
    assert res.returncode == 0, res.stderr
    x1, x2 = 2.0, 5.0
    exact = {"x1": [-1 / x1 ** 2, 1.0], "x2": [1.0, math.sin(x2)]}  # of ln x1 + x1 x2 - sin x2
    rows = {ln.split()[0]: [float(v) for v in ln.split()[1:]]
            for ln in res.stdout.splitlines() if ln.startswith(("x1 ", "x2 "))}
    for v in ("x1", "x2"):
        assert rows[v] == pytest.approx(exact[v], rel=1e-14, abs=1e-15)
    assert f"mode: {mode}" in res.stdout and "Hessian" in res.stdout


def test_third_derivatives(value_runs):
    exact = 2 * math.exp(1.0) * (math.cos(1.0) - math.sin(1.0))   # (e^x sin x)'''
    for key in ("third-1", "third-1-fwd"):
        got = numbers(value_runs[key].stdout)
        assert got["d3f/dx^3"] == pytest.approx(exact, rel=1e-13)
    # f = x^3 y + x y^2: f_xxx = 6y, f_xxy = 6x, f_xyy = 2, f_yyy = 0
    for key in ("third-2", "third-2-fwd"):
        got = numbers(value_runs[key].stdout)
        assert got["d3f/dx^3"] == pytest.approx(18.0)
        assert got["d3f/dx^2 dy"] == pytest.approx(12.0)
        assert got["d3f/dx dy^2"] == pytest.approx(2.0)
        assert got["d3f/dy^3"] == pytest.approx(0.0, abs=1e-12)


def test_variables_in_the_order_given(value_runs):
    res = value_runs["order-given"]
    assert res.returncode == 0, res.stderr
    assert "f(x2, x1)" in res.stdout
    got = numbers(res.stdout)
    assert (got["df/dx2"], got["df/dx1"]) == (1.0, 3.0)


def test_expression_may_start_with_a_minus(value_runs):
    res = value_runs["leading-minus"]
    assert res.returncode == 0, res.stderr
    assert numbers(res.stdout) == {"f": -9.0, "df/dx": -6.0}


# ---------------------------------------------------------------- tables, graph, routes

def test_forward_table_has_the_seeds_tangents(work):
    res = run("diff", F2, "--at", AT2, "--mode", "forward", "--table", cwd=work)
    assert res.returncode == 0, res.stderr
    assert table_column(res.stdout, "Forward mode") == TANGENTS_X1
    assert "v_1  = v_-1 / v_0" in res.stdout       # the Wengert list, v1 shared
    assert "v_6  = v_5 * v_4" in res.stdout


def test_reverse_table_has_the_seeds_adjoints(work):
    res = run("diff", F2, "--at", AT2, "--table", cwd=work)
    assert res.returncode == 0, res.stderr
    assert table_column(res.stdout, "Reverse mode") == ADJOINTS


def test_graph_writes_dot(work):
    path = work / "out.dot"
    res = run("diff", F2, "--at", AT2, "--graph", "out.dot", cwd=work)
    assert res.returncode == 0, res.stderr
    text = path.read_text()
    assert text.startswith("digraph")
    nodes = [ln for ln in text.splitlines() if "[label=" in ln]
    edges = [ln for ln in text.splitlines() if "->" in ln]
    assert len(nodes) == 8                          # x1, x2 and v1 .. v6
    assert len(edges) == 10                         # v1 feeds three nodes, v4 two
    assert "graph written to out.dot" in res.stdout


def test_graph_svg_needs_graphviz(work, tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    res = run("diff", F1, "--at", AT1, "--graph", "g.svg", cwd=tmp_path, PATH=str(empty))
    assert_one_line_error(res, "Graphviz", "dot")
    assert not (tmp_path / "g.svg").exists()
    if shutil.which("dot"):
        res = run("diff", F1, "--at", AT1, "--graph", "g.svg", cwd=tmp_path)
        assert res.returncode == 0, res.stderr
        assert "<svg" in (tmp_path / "g.svg").read_text()


def test_compare_shows_numeric_and_symbolic_routes(work):
    res = run("diff", F1, "--at", AT1, "--compare", cwd=work)
    assert res.returncode == 0, res.stderr
    rows = {ln.split("  ")[0]: ln.split() for ln in res.stdout.splitlines()}
    assert float(rows["central differences"][-1]) < 1e-8
    assert float(rows["complex step"][-1]) < 1e-14
    if "sympy is not installed" not in res.stdout:
        assert float(rows["symbolic (sympy)"][-1]) < 1e-14
        assert re.search(r"sympy's derivatives have \d+ operations", res.stdout)
        assert re.search(r"AD trace has 5 operations forward and \d+ in the backward",
                         res.stdout)


def test_compare_without_sympy_says_so_and_goes_on(work, tmp_path):
    blocker = tmp_path / "blocked" / "sympy"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('sympy is blocked here')\n")
    res = run("diff", F1, "--at", AT1, "--compare", cwd=work, extra_path=str(blocker.parent))
    assert res.returncode == 0, res.stderr
    assert res.stdout.count("sympy is not installed") == 1
    assert "complex step" in res.stdout and "df/dx1 = 5.5" in res.stdout


def test_compare_when_sympy_folds_the_expression_away(work):
    res = run("diff", "x - x", "--at", "x=3", "--compare", cwd=work)
    assert res.returncode == 0, res.stderr
    assert "symbolic (sympy)" in res.stdout or "sympy is not installed" in res.stdout
    assert numbers(res.stdout)["df/dx"] == 0.0


@pytest.mark.parametrize("text,why", [("abs(x) * x", "not complex-analytic"),
                                      ("cbrt(x) * x", "")])
def test_complex_step_unavailable_is_one_note(work, text, why):
    res = run("diff", text, "--at", "x=2", "--compare", cwd=work)
    assert res.returncode == 0, res.stderr
    assert res.stdout.count("complex step: not available") == 1
    assert why in res.stdout
    assert float(next(ln for ln in res.stdout.splitlines()
                      if ln.startswith("central differences")).split()[-1]) < 1e-8


# ---------------------------------------------------------------- bad input

BAD = [
    (["log(x", "--at", "x=1"], ["syntax error"]),
    (["16a", "--at", "a=1"], ["16*a"]),
    (["foo(x)", "--at", "x=1"], ["unknown function 'foo'"]),
    (["sin(x, x)", "--at", "x=1"], ["exactly one positional argument"]),
    (["sin + x", "--at", "x=1"], ["'sin' is a function"]),
    (["x // 2", "--at", "x=1"], ["'//'"]),
    (["log(x1) + x2", "--at", "x1=1"], ["missing variable x2"]),
    (["x1 * x2"], ["missing variables x1, x2"]),
    (["log(x1)", "--at", "x1=1,x3=2"], ["x3", "does not use"]),
    (["x", "--at", "x=abc"], ["'abc' is not a number"]),
    (["x", "--at", "x=1j"], ["'1j' is not a number"]),
    (["x", "--at", "x=nan"], ["finite"]),
    (["x", "--at", "x"], ["malformed --at"]),
    (["x", "--at", "x=1,,y=2"], ["malformed --at"]),
    (["x", "--at", "=1"], ["malformed --at"]),
    (["x", "--at", "x="], ["malformed --at"]),
    (["x", "--at", "x=1,x=2"], ["x twice"]),
    (["log(x1)", "--at", "x1=-1"], ["log(x1) is not finite at x1=-1"]),
    (["sqrt(x) + 1", "--at", "x=-4"], ["sqrt(x) is not finite at x=-4"]),
    (["1/(x - 1)", "--at", "x=1"], ["1 / (x - 1) is not finite at x=1"]),
    (["exp(x)", "--at", "x=1000"], ["exp(x) is not finite at x=1000"]),
    (["sqrt(x)", "--at", "x=0"], ["derivative df/dx is not finite at x=0"]),
    (["x", "--at", "x=1", "--order", "0"], ["--order"]),
    (["x", "--at", "x=1", "--order", "-1"], ["--order"]),
    (["x", "--at", "x=1", "--order", "two"], ["--order"]),
    (["x*y", "--at", "x=1,y=2", "--order", "20"], ["--order"]),
    (["x", "--at", "x=1", "--mode", "sideways"], ["--mode", "sideways"]),
    (["x", "--at", "x=1", "--graph", "g.txt"], ["cannot tell the format"]),
    (["x", "--at", "x=1", "--graph", "no/such/dir/g.dot"], ["does not exist"]),
    (["", "--at", "x=1"], ["empty"]),
    (["x+" * 6000 + "x", "--at", "x=1"], ["characters long"]),
    (["2 + 3"], ["no variables"]),
    (["x", "--at", "x=1", "--bogus"], ["unrecognized arguments"]),
    ([], ["required"]),
]


@pytest.fixture(scope="module")
def bad_runs(work):
    return run_all([["diff", *args] for args, _ in BAD], work)


@pytest.mark.parametrize("k", range(len(BAD)), ids=[" ".join(a)[:40] for a, _ in BAD])
def test_bad_input_is_one_line_and_exit_2(bad_runs, k):
    assert_one_line_error(bad_runs[k], *BAD[k][1])


def test_no_command_is_one_line_and_exit_2(work):
    res = run(cwd=work)
    assert res.returncode == 2 and res.stdout == ""
    assert len(res.stderr.splitlines()) == 1 and "required" in res.stderr


INJECTIONS = ["__import__('os').system('touch PWNED')", "().__class__.__bases__",
              "x.__class__", "open('f')", "eval('1')", "lambda: 1", "[x for x in ()]",
              "exec('open(\"PWNED\", \"w\")')",
              "(lambda: __import__('os'))().system('touch PWNED')",
              "sin.__globals__['__builtins__']",
              "x if __import__('os').system('touch PWNED') else x",
              "f'{__import__(\"os\").system(\"touch PWNED\")}'"]


def test_injections_are_refused_and_execute_nothing(tmp_path):
    cases = [["diff", text, "--at", "x=1"] for text in INJECTIONS]
    cases += [["diff", text] for text in INJECTIONS[:3]]
    cases += [["diff", "x", "--at", "x=__import__('os').system('touch PWNED')"]]
    for res, case in zip(run_all(cases, tmp_path), cases):
        assert_one_line_error(res)
        assert "cannot read" in res.stderr or "--at" in res.stderr, (case, res.stderr)
    assert not (tmp_path / "PWNED").exists()
    assert not (tmp_path / "f").exists()
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- demo and help

def test_demo_runs_the_tour(tmp_path):
    res = run("demo", cwd=tmp_path, TMPDIR=str(tmp_path))
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""
    out = res.stdout
    assert "\x1b[" not in out                      # no terminal: plain text
    for number in ("11.652071455223084", "1.7163378145367738", "3.011843327673907",
                   "-13.723961509314076"):
        assert number in out
    assert table_column(out, "Forward mode (tangents) of shared_subexpressions") == TANGENTS_X1
    assert table_column(out, "Reverse mode (adjoints) of shared_subexpressions") == ADJOINTS
    for part in ("graph", "Higher order", "backward pass", "Jacobian", "tall", "wide",
                 "Three routes", "central differences", "complex step", "Training",
                 "accuracy"):
        assert part in out, part
    losses = [float(m) for m in re.findall(r"step +\d+/100 .* loss (\S+)", out)]
    assert len(losses) >= 3 and losses[-1] < losses[0]
    tensors = out[out.index("Training with tensors"):]
    assert "loss.backward()" in tensors.splitlines()[0]
    accuracy = float(re.search(r"accuracy ([\d.]+)%", tensors).group(1))
    assert accuracy > 95.0
    assert len(out.splitlines()) < 170
    assert all(len(ln) <= 80 for ln in out.splitlines() if str(tmp_path) not in ln)


def test_demo_without_sympy_skips_the_symbolic_route(tmp_path):
    blocker = tmp_path / "blocked" / "sympy"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('sympy is blocked here')\n")
    res = run("demo", cwd=tmp_path, TMPDIR=str(tmp_path), extra_path=str(blocker.parent))
    assert res.returncode == 0, res.stderr
    assert "symbolic: skipped, sympy is not installed" in res.stdout
    assert "accuracy" in res.stdout   # and the tour went on


def test_tables_use_rich_in_a_terminal():
    pytest.importorskip("rich")
    import io

    from wengert import cli

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    out = cli._Printer(Terminal())
    assert out.console is not None
    out.table(cli._table("t", ["a", "b"], [["1", "2"]]))
    assert "\u2503" in out.stream.getvalue() or "\u2502" in out.stream.getvalue()  # box
    plain = cli._Printer(io.StringIO())
    plain.table(cli._table("t", ["a", "b"], [["1", "2"]]))
    assert plain.console is None and plain.stream.getvalue().startswith("t\na  b")


@pytest.mark.parametrize("args", [["--help"], ["diff", "--help"], ["demo", "--help"]],
                         ids=["wengert", "diff", "demo"])
@pytest.mark.parametrize("columns", ["80", "200"])
def test_help_fits_a_terminal(work, args, columns):
    res = run(*args, cwd=work, COLUMNS=columns)
    assert res.returncode == 0 and res.stderr == ""
    lines = res.stdout.splitlines()
    assert len(lines) <= 24, res.stdout
    assert max(len(ln) for ln in lines) <= 80, res.stdout
    if args != ["demo", "--help"]:
        assert "wengert diff" in res.stdout and "x1=2,x2=5" in res.stdout  # an example


def test_main_in_process(capsys):
    from wengert import cli
    assert cli.main(["diff", "x*y", "--at", "x=3,y=4"]) == 0
    assert "df/dx = 4.0" in capsys.readouterr().out
    assert cli.main(["diff", "open('f')"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("wengert diff: error: cannot read") and err.count("\n") == 1


# ---------------------------------------------------------------- exit codes, bounds, quoting

def test_an_unexpected_failure_is_one_line_and_exit_2(tmp_path):
    broken = tmp_path / "broken" / "sympy"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise RuntimeError('sympy is broken here')\n")
    res = run("demo", cwd=tmp_path, TMPDIR=str(tmp_path), extra_path=str(broken.parent))
    assert res.returncode == 2, (res.returncode, res.stderr)
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("wengert demo: error: "), res.stderr
    assert "RuntimeError: sympy is broken here" in lines[0]
    assert "Traceback" not in res.stderr


ESCAPES = [
    (["x", "--at", "x=\x1b[31m1"], "\\x1b[31m1"),
    (["x", "--at", "x\x1b[2J=1"], "\\x1b[2J"),
    (["x", "--at", "x=1\n2"], "1\\n2"),
    (["x", "--at", "x=\u202e1"], "\\u202e1"),
    (["x", "--at", "x=1", "--graph", "\x1b[2Jg.txt"], "\\x1b[2Jg.txt"),
    (["x", "--at", "x=1", "--graph", "no\x1b]0;t\x07/g.dot"], "no\\x1b]0;t\\x07/g.dot"),
    (["x", "--at", "x=1", "\x1b[31mextra"], "\\x1b[31mextra"),
    (["x", "--at", "x=1", "--mode", "\x1b[31m"], "\\x1b[31m"),
    (["x\x1b", "--at", "x=1"], "\\x1b"),
]


@pytest.mark.parametrize("k", range(len(ESCAPES)), ids=[ascii(" ".join(a))[:40]
                                                         for a, _ in ESCAPES])
def test_user_text_in_messages_is_escaped(work, k):
    args, escaped = ESCAPES[k]
    res = run("diff", *args, cwd=work)
    assert_one_line_error(res, escaped)
    assert all(c.isprintable() for c in res.stderr.rstrip("\n")), ascii(res.stderr)


def test_double_dash_ends_the_options(work):
    cases = [["diff", "--", "-x^2", "--at", "x=1"],
             ["diff", "--at", "x=1", "--", "-x^2"],
             ["diff", "--", "--x", "--at", "x=3"],
             ["diff", "--at", "x=3", "--mode", "forward", "--", "--x"]]
    minus_square, _, double_minus, forward = run_all(cases, work)
    for res in (minus_square, _):
        assert res.returncode == 0, res.stderr
        assert numbers(res.stdout) == {"f": -1.0, "df/dx": -2.0}
    for res in (double_minus, forward):
        assert res.returncode == 0, res.stderr
        assert numbers(res.stdout) == {"f": 3.0, "df/dx": 1.0}
    assert "mode: forward" in forward.stdout


def test_expression_starting_with_double_dash_needs_the_marker(work):
    res = run("diff", "--x", "--at", "x=1", cwd=work)
    assert_one_line_error(res, "'--x'", "wengert diff -- ")
    res = run("diff", "--at", "x=1", cwd=work)
    assert_one_line_error(res, "required: EXPR")


def sympy_installed():
    try:
        import sympy  # noqa: F401
    except ImportError:
        return False
    return True


def test_power_of_a_negated_variable(work):
    # (-x)^1001 holds no large number: the exponent's size alone must not refuse it
    res = run("diff", "(-x)^1001", "--at", "x=0.5", "--compare", cwd=work)
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""
    got = numbers(res.stdout)
    assert got["f"] == pytest.approx(-(0.5 ** 1001), rel=1e-13)
    assert got["df/dx"] == pytest.approx(-1001 * 0.5 ** 1000, rel=1e-13)   # -1001 x^1000
    rows = {ln.split("  ")[0]: ln.split() for ln in res.stdout.splitlines()}
    central = rows["central differences"]
    assert float(central[-2]) == pytest.approx(got["df/dx"], rel=1e-4)
    assert float(central[-1]) < 1e-4        # the error relative to the derivative's size
    # the symbolic route is optional: right, or marked not available with a note
    # (tools/expr.check_power still refuses the exact factor -1 raised to 1001)
    symbolic = rows.get("symbolic (sympy)", [])
    if symbolic and symbolic[-1] != "n/a":
        assert float(symbolic[-2]) == pytest.approx(got["df/dx"], rel=1e-12)


def test_a_broken_optional_route_is_a_note(work, tmp_path):
    # sympy that fails to import with an error other than ImportError
    broken = tmp_path / "broken" / "sympy"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise RuntimeError('sympy is broken here')\n")
    res = run("diff", F1, "--at", AT1, "--compare", cwd=work, extra_path=str(broken.parent))
    assert res.returncode == 0, res.stderr
    assert "symbolic (sympy): not available: RuntimeError: sympy is broken here" in res.stdout
    assert "df/dx1 = 5.5" in res.stdout


def test_symbolic_route_of_a_product(work):
    # d(x*y)/dx is the bare symbol y: it must still be evaluated at the point
    res = run("diff", "x*y", "--at", "x=3,y=2", "--compare", cwd=work)
    assert res.returncode == 0, res.stderr
    if not sympy_installed():
        pytest.skip("sympy is not installed")
    row = next(ln for ln in res.stdout.splitlines() if ln.startswith("symbolic (sympy)"))
    assert row.split()[2:] == ["2.0", "3.0", "0.0e+00"], row
    assert "not available" not in res.stdout


def _timed(*args, cwd):
    start = time.monotonic()
    res = run(*args, cwd=cwd)
    return res, time.monotonic() - start


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_high_order_with_two_variables_is_bounded(work, mode):
    # reverse over reverse nested 7 deep ran for minutes on these
    x1, x2 = 2.0, 5.0
    res, seconds = _timed("diff", F1, "--at", AT1, "--order", "7", "--mode", mode, cwd=work)
    assert seconds < 10, seconds
    if res.returncode == 2:
        assert_one_line_error(res, "--order")
    else:
        assert res.returncode == 0, res.stderr
        got = numbers(res.stdout)
        assert got["d7f/dx1^7"] == pytest.approx(720 / x1 ** 7, rel=1e-12)  # of ln x1
        assert got["d7f/dx2^7"] == pytest.approx(math.cos(x2), rel=1e-12)   # of -sin x2
        assert got["d7f/dx1^3 dx2^4"] == 0.0
    res, seconds = _timed("diff", "exp(x)*sin(y)", "--at", "x=0.5,y=1", "--order", "7",
                          "--mode", mode, cwd=work)
    assert seconds < 10, seconds
    if res.returncode == 2:
        assert_one_line_error(res, "--order")
    else:
        assert res.returncode == 0, res.stderr
        got = numbers(res.stdout)
        # d^(a+b)/dx^a dy^b e^x sin y = e^x sin(y + b pi/2)
        for b in range(8):
            name = "d7f/" + " ".join(p for p in (f"dx^{7 - b}" if 7 - b > 1 else
                                                 "dx" * (7 - b),
                                                 f"dy^{b}" if b > 1 else "dy" * b) if p)
            exact = math.exp(0.5) * math.sin(1 + b * math.pi / 2)
            assert got[name] == pytest.approx(exact, rel=1e-11, abs=1e-12), name


def test_too_much_work_is_refused_naming_the_limit(work):
    cases = [["diff", "sqrt(x)*cbrt(y)", "--at", "x=2,y=3", "--order", "10"],
             ["diff", "sqrt(x)*cbrt(y)", "--at", "x=2,y=3", "--order", "10", "--mode",
              "forward"]]
    start = time.monotonic()
    for res in run_all(cases, work):
        assert_one_line_error(res, "--order 10", "limit")
    assert time.monotonic() - start < 10


FAKE_DOT = """#!{python}
# A stand-in for Graphviz's dot that reads its arguments as dot does: an option's
# value is the next argument only when that does not start with '-'.
import sys
args, out, i = sys.argv[1:], None, 0
while i < len(args):
    a = args[i]
    if a.startswith("-o"):
        if a[2:]:
            out = a[2:]
        elif i + 1 < len(args) and not args[i + 1].startswith("-"):
            i += 1
            out = args[i]
        else:
            sys.exit("Error: Missing argument for -o flag")
    elif not a.startswith("-T"):
        sys.exit("Error: dot: option " + a + " unrecognized")
    i += 1
text = sys.stdin.read()
svg = "<svg><!-- " + str(text.startswith("digraph")) + " --></svg>\\n"
if out is None:
    sys.stdout.write(svg)
else:
    with open(out, "w") as fh:
        fh.write(svg)
"""


@pytest.fixture
def fake_dot(tmp_path):
    """A PATH whose first entry holds the stand-in dot."""
    folder = tmp_path / "fake-bin"
    folder.mkdir()
    dot = folder / "dot"
    dot.write_text(FAKE_DOT.format(python=sys.executable))
    dot.chmod(0o755)
    return str(folder) + os.pathsep + os.environ.get("PATH", "")


def test_graph_file_name_starting_with_a_dash(tmp_path, fake_dot):
    cwd = tmp_path / "out"
    cwd.mkdir()
    res = run("diff", F1, "--at", AT1, "--graph", "-g.svg", cwd=cwd, PATH=fake_dot)
    assert res.returncode == 0, res.stderr
    assert (cwd / "-g.svg").read_text() == "<svg><!-- True --></svg>\n"
    assert "graph written to -g.svg" in res.stdout
    assert sorted(p.name for p in cwd.iterdir()) == ["-g.svg"]


def test_demo_leaves_no_temporary_file(tmp_path, fake_dot):
    temp = tmp_path / "temp"
    temp.mkdir()
    res = run("demo", cwd=tmp_path, TMPDIR=str(temp), PATH=fake_dot)
    assert res.returncode == 0, res.stderr
    assert "rendered with Graphviz" in res.stdout
    assert list(temp.iterdir()) == []


def test_symbolic_route_of_a_power_of_minus_one():
    # (-x)^1001 = -(x^1001): the exact coefficient (-1)^1001 has one digit, not 1001
    out = subprocess.run([sys.executable, "-m", "wengert", "diff", "(-x)^1001", "--at",
                          "x=0.5", "--compare"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    sym = next(line for line in out.stdout.splitlines() if line.startswith("symbolic"))
    assert "-9.341968821217221e-299" in sym and "n/a" not in sym
