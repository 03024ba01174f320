r"""The ``wengert`` command line.

Each subcommand is one entry in ``COMMANDS``: a help line, a function that adds
its arguments to its parser, and a function that runs it and returns an exit
code.

    $ wengert demo                      # the tour on built-in examples
    $ wengert diff "log(x1) + x1*x2 - sin(x2)" --at x1=2,x2=5 --table
    $ python -m wengert demo

``wengert diff`` reads its expression with the whitelist parser of
``wengert.tools.expr`` (no ``eval``) and builds a Python function of the variables
with ``wengert.numpy``, which every transform then differentiates.

Exit codes: 0 success, 2 anything else: bad usage, bad input or a failure, always
reported in one line on stderr. User text that a message echoes is written with
its non-printable characters escaped (``\x1b``, ``\n``), so it cannot drive the
terminal or break the line.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import math
import os
import re
import shlex
import shutil
import sys
import textwrap
import unicodedata
import warnings
from dataclasses import dataclass
from typing import Callable, Sequence

PROG = "wengert"
_WIDTH = 80   # help text never wider than this, even in a wide terminal


class CommandError(Exception):
    """Bad input found while running a command: reported in one line, exit 2."""


class _UsageError(SystemExit):
    """A usage error found by argparse (exit 2); ``main`` reports it in one line."""

    def __init__(self, parser: argparse.ArgumentParser, message: str):
        super().__init__(2)
        self.parser, self.message = parser, message


def _printable(text: str) -> str:
    r"""``text`` with each non-printable character (control codes such as ESC, line
    breaks, bidirectional overrides, undecodable bytes) written as its Python
    escape: a message that echoes user text stays one line of plain text.

    >>> _printable("x=\x1b[31m1\n")
    'x=\\x1b[31m1\\n'
    """
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog):
        width = min(_WIDTH, shutil.get_terminal_size((_WIDTH, 24)).columns)
        super().__init__(prog, width=width, max_help_position=24)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is raised as ``_UsageError`` for ``main`` to report
    in a single line on stderr (exit 2)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str):  # type: ignore[override]
        message = " ".join(message.split())  # argparse may wrap a long choice list
        raise _UsageError(self, message)


@contextlib.contextmanager
def _quiet_numpy():
    """nan and inf are checked and reported by the caller, in one line: numpy's
    RuntimeWarnings must not reach stderr."""
    import numpy as np
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


class _Printer:
    """Text to stdout; tables through rich when it is installed and stdout is a
    terminal, as plain text otherwise (pipes, files, tests)."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout
        self.console = None
        isatty = getattr(self.stream, "isatty", lambda: False)
        if isatty() and os.environ.get("TERM") != "dumb":
            try:
                from rich.console import Console
            except ImportError:
                pass
            else:
                self.console = Console(file=self.stream, highlight=False)

    def line(self, text: str = "") -> None:
        print(text, file=self.stream)

    def table(self, table) -> None:
        if self.console is not None:
            self.console.print(table)
        else:
            print(str(table), file=self.stream)

    def heading(self, text: str) -> None:
        self.line()
        if self.console is not None:
            self.console.rule(text, align="left")
        else:
            self.line(f"== {text}")


def _table(title, columns, rows):
    from wengert.tools.tracing import Table
    return Table(title, columns, rows)


# --- demo --------------------------------------------------------------------


@dataclass(frozen=True)
class _Example:
    title: str
    formula: str
    fun: Callable
    at: tuple[float, ...]
    value: float                    # the seeds' golden value
    grad: tuple[float, ...]         # and gradient


def _examples():
    from wengert.tools.examples import (ln_x1_plus_x1x2_minus_sin_x2 as f1,
                                        shared_subexpressions as f2)

    return [
        _Example("Example 1", "f = ln x1 + x1*x2 - sin x2", f1, (2.0, 5.0),
                 11.652071455223084, (5.5, 1.7163378145367738)),
        _Example("Example 2", "f = (sin(x1/x2) + x1/x2 - exp x2) * (x1/x2 - exp x2)",
                 f2, (1.5, 0.5),
                 2.0166466694282, (3.0118433277, -13.7239615093)),
    ]


_INTRO = """\
A tour of wengert on built-in examples. Forward mode (wg.jvp) takes one pass per
input, seeding that input's tangent with 1. Reverse mode (wg.value_and_grad,
wg.vjp) records the evaluation on a tape, the Wengert list, and gets the whole
gradient from one backward pass."""


def _row(label: str, cells) -> str:
    return f"  {label:<14}" + "".join(f"  {c:<19}" for c in cells).rstrip()


def _close(got, want) -> bool:
    # The seeds print example 2 to 10-13 digits, so compare at that precision.
    return math.isclose(float(got), want, rel_tol=1e-9, abs_tol=1e-10)


def _demo_example(ex: _Example, out: _Printer) -> bool:
    """Differentiate one example by both modes and show its Wengert list with the
    forward and reverse tables; return whether all agree with the seeds."""
    import wengert as wg

    n = len(ex.at)
    # Forward mode: one jvp per input; every pass also gives the value.
    fwd_value, fwd_grad = None, []
    for i in range(n):
        tangents = tuple(1.0 if j == i else 0.0 for j in range(n))
        fwd_value, dot = wg.jvp(ex.fun, ex.at, tangents)
        fwd_grad.append(dot)
    # Reverse mode: one backward pass for the whole gradient.
    rev_value, rev_grad = wg.value_and_grad(ex.fun, argnums=tuple(range(n)))(*ex.at)
    vjp_value, vjp_fn = wg.vjp(ex.fun, *ex.at)
    vjp_grad = vjp_fn(1.0)

    at = "at (" + ", ".join(f"{x:g}" for x in ex.at) + ")"
    out.heading(f"{ex.title}: {ex.formula}")
    out.line(_row(at, ["f"] + [f"df/dx{i + 1}" for i in range(n)]))
    ok = True
    for label, value, grad in [("wg.jvp", fwd_value, fwd_grad),
                               ("value_and_grad", rev_value, rev_grad),
                               ("wg.vjp", vjp_value, vjp_grad)]:
        out.line(_row(label, [repr(float(v)) for v in (value, *grad)]))
        ok &= _close(value, ex.value) and all(_close(g, e) for g, e in zip(grad, ex.grad))
    out.line(_row("the seeds", [repr(v) for v in (ex.value, *ex.grad)]))

    t = wg.trace(ex.fun)(*ex.at)
    out.line()
    out.table(t.forward_table("x1"))
    out.line()
    out.table(t.reverse_table())
    ok &= all(_close(g, e) for g, e in zip(t.gradient(), ex.grad))
    return ok


def _demo_graph(out: _Printer) -> bool:
    import tempfile

    import wengert as wg
    from wengert.tools import graph

    ex = _examples()[1]
    t = wg.trace(ex.fun)(*ex.at)
    dot = t.to_dot(adjoints=True)
    nodes = sum(1 for ln in dot.splitlines() if "[label=" in ln)
    edges = sum(1 for ln in dot.splitlines() if "->" in ln)
    out.heading("The graph of example 2 (t.to_dot(), t.render(path))")
    out.line(f"DOT text: {nodes} nodes (inputs and operations), {edges} edges, "
             f"{len(dot)} characters;")
    out.line("each node shows its v, operation, value and adjoint.")
    if graph.dot_program() is None:
        out.line("Graphviz's dot is not installed, so no SVG; the DOT text needs nothing.")
        return nodes == len(t.tape) and edges > 0
    with tempfile.TemporaryDirectory(prefix="wengert-demo-") as folder:
        size = os.path.getsize(t.render(os.path.join(folder, "graph.svg"), adjoints=True))
    out.line(f"rendered with Graphviz: an SVG file of {size} bytes (written to a temporary")
    out.line("folder, removed again; wengert diff --graph FILE.svg keeps one)")
    return nodes == len(t.tape) and edges > 0


def _demo_higher_order(out: _Printer) -> bool:
    import wengert as wg
    import wengert.numpy as wnp

    def g(x):
        return wnp.exp(x) * wnp.sin(x)

    x = 1.0
    second = [wg.derivative(g, order=2)(x), wg.grad(wg.grad(g))(x),
              2.0 * math.exp(x) * math.cos(x)]                     # (e^x sin x)''
    third = [wg.derivative(g, order=3)(x), wg.grad(wg.grad(wg.grad(g)))(x),
             2.0 * math.exp(x) * (math.cos(x) - math.sin(x))]      # (2 e^x cos x)'
    out.heading("Higher order: g = exp(x) sin(x) at x = 1")
    out.line(_row("", ["wg.derivative", "grad(grad(...))", "exact"]))
    out.line(_row("g''", [repr(float(v)) for v in second]))
    out.line(_row("g'''", [repr(float(v)) for v in third]))
    ok = all(_close(v, second[2]) for v in second) and all(_close(v, third[2]) for v in third)

    ex = _examples()[1]
    t = wg.trace(ex.fun)(*ex.at)
    out.line()
    out.line("The backward pass of example 2 is itself a Wengert list, built from the")
    out.line("same primitives, which is why a gradient can be differentiated again:")
    for ln in t.backward_trace().splitlines():
        out.line("  " + ln)
    return ok


def _demo_jacobian(out: _Printer) -> bool:
    import numpy as np

    import wengert as wg
    import wengert.numpy as wnp

    s = np.linspace(0.0, 1.0, 50)

    def tall(x):     # R^2 -> R^50: a curve sampled at 50 points
        return wnp.sin(x[0] * s) + x[1] * s ** 2

    def wide(x):     # R^50 -> R^2: two summaries of 50 numbers
        return wnp.stack([wnp.sum(x ** 2), wnp.sum(wnp.sin(x))])

    J1, r1 = wg.jacobian(tall, explain=True)(np.array([1.0, 2.0]))
    J2, r2 = wg.jacobian(wide, explain=True)(s)
    out.heading("The Jacobian: forward or reverse mode? (wg.jacobian(f, explain=True))")
    rows = [(k, v1, v2) for (k, v1), (_, v2) in zip(r1.rows(), r2.rows())
            if k not in ("function", "why", "passes")]
    rows.insert(3, ("passes", r1.num_passes, r2.num_passes))
    out.table(_table("", ["", "tall: R^2 -> R^50", "wide: R^50 -> R^2"], rows))
    out.line(f"tall: {r1.reason}")
    out.line(f"wide: {r2.reason}")
    ok = (r1.mode, r2.mode) == ("forward", "reverse")
    ok &= np.allclose(J1, wg.jacrev(tall)(np.array([1.0, 2.0])))
    ok &= J2.shape == (2, 50)
    return bool(ok)


def _demo_routes(out: _Printer) -> bool:
    import wengert as wg
    from wengert.tools import symbolic

    a = 0.3
    f = symbolic.seeds_example                      # 16a(1-a)(1-2a)^2
    ad = float(wg.grad(f)(a))
    central = wg.numeric.grad(f, a, method="central")
    complex_step = wg.numeric.grad(f, a, method="complex")
    out.heading("Three routes to d/da of 16a(1-a)(1-2a)^2 at a = 0.3")
    rows = [("automatic (wg.grad)", repr(ad), "-"),
            ("central differences", repr(central), f"{abs(central - ad):.1e}"),
            ("complex step", repr(complex_step), f"{abs(complex_step - ad):.1e}")]
    size_note = None
    try:
        d = symbolic.diff("16*a*(1-a)*(1-2*a)^2", "a")
    except ImportError:
        size_note = ("symbolic: skipped, sympy is not installed "
                     "(pip install 'wengert[symbolic]')")
    else:
        sym = d.at(a)
        rows.append(("symbolic (sympy)", repr(sym), f"{abs(sym - ad):.1e}"))
        forward, gradient = symbolic.trace_sizes(f, a)
        size_note = (f"sizes: sympy's derivative has {d.size} operations ({d.size_simplified} "
                     f"simplified) for a function of {d.size_function};\n"
                     f"the AD trace has {forward} (forward) and {gradient} (forward + "
                     f"backward).\nSymbolically a repeated subexpression is written out "
                     f"again (expression swell);\na trace uses its value twice.")
    out.table(_table("", ["route", "derivative", "error vs AD"], rows))
    out.line(size_note)
    return abs(central - ad) < 1e-8 and abs(complex_step - ad) < 1e-12


def _progress(total):
    """``(advance(step, loss), close())``: a rich progress bar in a terminal with
    rich, else a plain-text bar; either way a line with the loss every fifth of
    the run."""
    every = max(1, total // 5)
    if sys.stdout.isatty():
        try:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
        except ImportError:
            pass
        else:
            bar = Progress(TextColumn("  gradient descent"), BarColumn(), MofNCompleteColumn(),
                           TextColumn("loss {task.fields[loss]}"))
            task = bar.add_task("train", total=total, loss="-")
            bar.start()

            def advance_rich(step, loss):
                bar.update(task, completed=step, loss=f"{loss:.4f}")
                if step % every == 0 or step == total:
                    bar.console.print(f"  step {step:>3}/{total}  loss {loss:.4f}")

            return advance_rich, bar.stop

    def advance(step, loss, width=20):
        if step % every == 0 or step == total:
            done = width * step // total
            print(f"  step {step:>3}/{total} [{'#' * done}{'.' * (width - done)}] "
                  f"loss {loss:.4f}")

    return advance, lambda: None


def _demo_training(out: _Printer) -> bool:
    import numpy as np

    import wengert as wg
    import wengert.numpy as wnp
    from wengert.scipy.special import expit

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    w_true, b_true = np.array([2.0, -1.5]), 0.5
    y = (rng.random(200) < 1.0 / (1.0 + np.exp(-(X @ w_true + b_true)))).astype(float)

    def loss(w, b):  # mean binary cross-entropy of a logistic model
        p = expit(wnp.dot(X, w) + b)
        return -wnp.mean(y * wnp.log(p) + (1.0 - y) * wnp.log1p(-p))

    step_fn = wg.value_and_grad(loss, argnums=(0, 1))
    w, b, lr, steps = np.zeros(2), 0.0, 0.5, 100
    out.heading("Training: logistic regression, 200 samples, 2 features, "
                "wg.value_and_grad")
    advance, close = _progress(steps)
    first = None
    for step in range(steps):
        value, (gw, gb) = step_fn(w, b)
        first = value if first is None else first
        advance(step, value)
        w, b = w - lr * gw, b - lr * gb
    last = float(loss(w, b))
    advance(steps, last)
    close()
    accuracy = float(np.mean(((X @ w + b) > 0) == (y > 0.5)))
    out.line(f"  loss {first:.4f} -> {last:.4f}, accuracy {accuracy:.1%}: "
             f"w = [{w[0]:.2f}, {w[1]:.2f}], b = {b:.2f}")
    out.line("  (the data were drawn with w = [2, -1.5], b = 0.5)")
    return last < first and accuracy > 0.7


def _demo_tensor_training(out: _Printer) -> bool:
    """Seed 004's logistic regression, through the Tensor API: the same primitives,
    recorded as a graph of tensors and run backwards by .backward()."""
    import numpy as np

    import wengert as wg

    rng = np.random.default_rng(0)
    xy = rng.random((200, 2))
    X = wg.from_numpy(np.hstack([np.ones((200, 1)), xy]))   # a bias column, as the seed
    y = wg.from_numpy((xy.sum(axis=1) > 1.0).astype(float))  # labels: x + y > 1
    w = wg.zeros(3, dtype=wg.float64, requires_grad=True)
    lr, steps = 1.0, 300
    out.heading("Training with tensors (seed 004): p = sigmoid(x . w), loss.backward()")
    advance, close = _progress(steps)
    losses = []
    for step in range(steps):
        p = (X @ w).sigmoid()
        loss = -(y * wg.log(p + 1e-12) + (1 - y) * wg.log(1 - p + 1e-12)).mean()
        loss.backward()
        with wg.no_grad():
            w -= lr * w.grad
        w.grad = None
        losses.append(loss.item())
        advance(step, losses[-1])
    close()
    with wg.no_grad():
        accuracy = float((((X @ w).sigmoid() > 0.5) == (y > 0.5)).numpy().mean())
    out.line(f"  loss {losses[0]:.4f} -> {losses[-1]:.4f}, accuracy {accuracy:.1%}; "
             f"grad_fn of the loss: {loss.grad_fn.name()}")
    return losses[-1] < losses[0] and accuracy > 0.95


def _demo_args(parser: argparse.ArgumentParser) -> None:
    pass


def _demo_run(args: argparse.Namespace) -> int:
    out = _Printer()
    out.line(_INTRO)
    ok = True
    for ex in _examples():
        ok &= _demo_example(ex, out)
    for part in (_demo_graph, _demo_higher_order, _demo_jacobian, _demo_routes,
                 _demo_training, _demo_tensor_training):
        ok &= part(out)
    if not ok:
        print(f"{PROG} demo: error: a result differs from the expected value", file=sys.stderr)
        return 2
    return 0


# --- diff ----------------------------------------------------------------------

def _diff_epilog():
    from wengert.tools import expr

    names = " ".join(f for f in expr.FUNCTIONS if f not in expr.ALIASES)
    functions = textwrap.fill(f"functions: {names} (asin etc. too)", _WIDTH - 2,
                              subsequent_indent="  ")
    return (f"{functions}\nexample:\n"
            f"  wengert diff \"log(x1) + x1*x2 - sin(x2)\" --at x1=2,x2=5 --compare")


_MAX_ORDER = 10
_MAX_ENTRIES = 10_000   # derivatives printed for --order k: n**k at most
# the work of differentiating: passes x operations x _GROWTH**order (each level of
# nesting multiplies the operations a pass evaluates by about 2 to 3); 300,000 is
# about 3 seconds at worst
_GROWTH = 3
_MAX_WORK = 300_000


def _diff_args(parser: argparse.ArgumentParser) -> None:
    # An expression may start with '-' ("-x^2"): argparse reads a token that starts
    # with '-' as an option unless it looks like a negative number; here every
    # single-dash token other than -h does. (A private hook of argparse, present in
    # 3.10 to 3.13; without it, write "wengert diff -- -x^2".)
    if hasattr(parser, "_negative_number_matcher"):
        parser._negative_number_matcher = re.compile(r"^-(?!-)")
    parser.add_argument("expr", metavar="EXPR",
                        help="numbers, variables, + - * / ** (or ^), pi, e, functions")
    parser.add_argument("--at", action="append", default=[], metavar="NAME=VALUE,...",
                        help="the point, one value per variable: x1=2,x2=5")
    parser.add_argument("--mode", default="reverse", choices=("forward", "reverse"),
                        metavar="MODE", help="forward or reverse (default: reverse)")
    parser.add_argument("--order", type=int, default=1, metavar="N",
                        help="1: gradient (default), 2: Hessian, k: k-th derivatives")
    parser.add_argument("--table", action="store_true",
                        help="print the Wengert list and its forward/reverse table")
    parser.add_argument("--graph", metavar="FILE",
                        help="write the graph: FILE.dot, or .svg/.png with Graphviz")
    parser.add_argument("--compare", action="store_true",
                        help="add finite differences, complex step and sympy")


def _read_expression(text):
    from wengert.tools import expr

    try:
        return expr.parse(text, who="diff")
    except expr.ExprError as err:
        raise CommandError(f"cannot read {expr.shorten(text)!r}: {err.problem}") from None
    except ValueError as err:  # empty or too long: the message names it
        raise CommandError(str(err).removeprefix("diff: ")) from None


def _read_at(items, tree):
    """``(names, values, texts)`` from the --at options, in the order given, checked
    against the expression's variables."""
    from wengert.tools import expr

    hint = "write NAME=VALUE pairs separated by commas, e.g. --at x1=2,x2=5"
    given = {}
    for item in items:
        for pair in item.split(","):
            name, sep, text = (s.strip() for s in pair.partition("="))
            name = unicodedata.normalize("NFKC", name)  # as Python reads identifiers
            if not sep or not name or not text:
                raise CommandError(f"malformed --at {item!r}: {hint}")
            if not name.isidentifier() or name.startswith("_"):
                raise CommandError(f"malformed --at {item!r}: {name!r} is not a variable "
                                   f"name")
            if name in given:
                raise CommandError(f"--at gives {name} twice")
            try:
                value = float(text)
            except ValueError:
                raise CommandError(f"--at {name}={text}: {text!r} is not a number") from None
            if not math.isfinite(value):
                raise CommandError(f"--at {name}={text}: the value must be a finite number")
            given[name] = (value, text)
    free = expr.variables(tree)
    if not free:
        raise CommandError(f"the expression {expr.shorten(expr.to_text(tree))!r} has no "
                           f"variables to differentiate")
    missing = [v for v in free if v not in given]
    if missing:
        example = ",".join(f"{v}=1" for v in free)
        raise CommandError(f"missing variable{'s' * (len(missing) > 1)} "
                           f"{', '.join(missing)} in --at (e.g. --at {example})")
    extra = [v for v in given if v not in free]
    if extra:
        raise CommandError(f"--at gives {', '.join(extra)}, which the expression does not "
                           f"use (its variables: {', '.join(free)})")
    names = list(given)
    return names, [given[v][0] for v in names], {v: given[v][1] for v in names}


def _check_domain(tree, names, values, texts):
    """Evaluate once on plain floats; name the first subexpression that is nan or inf.
    Return the number of operations evaluated (each distinct subexpression once)."""
    from wengert.tools import expr

    operations = 0

    def visit(node, value):
        nonlocal operations
        operations += node[0] not in ("int", "float", "var", "const")
        try:
            finite = math.isfinite(float(value))
        except (TypeError, ValueError):
            finite = False
        if not finite:
            used = expr.variables(node)
            where = (" at " + ", ".join(f"{v}={texts[v]}" for v in used)) if used else ""
            raise CommandError(f"{expr.shorten(expr.to_text(node))} is not finite{where} "
                               f"(it is {value})")

    with _quiet_numpy():
        expr.build(tree, expr.NumpyOps(dict(zip(names, values))), visit=visit)
    return operations


def _check_graph_path(path):
    from wengert.tools import graph

    fmt = graph.format_of(path)
    if fmt is None:
        raise CommandError(f"--graph {path}: cannot tell the format; end the file name in "
                           f".dot, .svg, .png or .pdf")
    if fmt not in ("dot", "gv") and graph.dot_program() is None:
        raise CommandError(f"--graph {path}: writing .{fmt} needs Graphviz's dot program, "
                           f"which is not on PATH; install Graphviz or write a .dot file")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise CommandError(f"--graph {path}: the folder {folder} does not exist")


def _graph_target(path):
    """``path`` as it is handed to Graphviz's dot, which reads an argument that
    begins with '-' as an option, also after -o: such a name goes as ./-name."""
    return os.path.join(os.curdir, path) if path.startswith("-") else path


def _partials(names, index):
    """The label of one partial derivative, e.g. d2f/dx1 dx2 or d3f/dx^3."""
    k = len(index)
    counts = [(names[i], sum(1 for j in index if j == i)) for i in sorted(set(index))]
    parts = " ".join(f"d{v}" + (f"^{c}" if c > 1 else "") for v, c in counts)
    return f"d{k if k > 1 else ''}f/{parts}"


def _passes(n, order, mode):
    """Evaluations of the function (each as deep as the order) ``_differentiate``
    makes for the derivatives of ``order`` in ``n`` variables."""
    if order == 1:
        return n if mode == "forward" else 1
    if mode == "forward":
        return math.comb(n + order - 1, order)      # one per distinct partial derivative
    if order == 2:
        return n                                    # jacrev of grad: one row per pass
    return math.comb(n + order - 2, order - 1)      # one gradient per pass


def _check_work(n, order, mode, operations):
    """Refuse a request whose estimated work is over ``_MAX_WORK``: passes times
    operations times ``_GROWTH`` per order, as each nested pass multiplies the
    operations it evaluates."""
    passes = _passes(n, order, mode)
    work = passes * max(operations, 1) * _GROWTH ** order
    if work <= _MAX_WORK:
        return
    what = f"--order {order}" if order > 1 else "--mode forward"
    advice = "lower --order" if order > 1 else "use --mode reverse, one pass"
    raise CommandError(f"{what} with {_count(n, 'variable')} and "
                       f"{_count(operations, 'operation')} is too much work: "
                       f"{passes} pass{'es' * (passes != 1)} x {operations} x "
                       f"{_GROWTH}**{order} = {work:,}; the limit is {_MAX_WORK:,}: {advice}")


def _nested_jvp(f, n, index):
    """The function of the ``n`` variables whose value is the derivative of ``f``
    (scalar or a tuple) along the variables in ``index``, one wg.jvp for each."""
    import wengert as wg

    g = f
    for i in index:
        def g(*xs, inner=g, seed=tuple(float(j == i) for j in range(n))):
            return wg.jvp(inner, xs, seed)[1]
    return g


def _differentiate(f, names, values, mode, order):
    """``(value, derivatives, how)``: derivatives is the gradient (order 1) or the
    array of all k-th partial derivatives, ``how`` says what ran.

    Above order 1 each distinct partial derivative (or, in reverse mode above
    order 2, each distinct gradient) takes one pass of nested forward mode: the
    array of k-th derivatives is symmetric, and the n**k passes of nested jacfwd,
    or reverse mode nested k deep, grow far faster with k."""
    import numpy as np

    import wengert as wg

    n = len(values)
    passes = _passes(n, order, mode)
    if order == 1:
        if mode == "forward":
            grad = []
            for i in range(n):
                value, dot = wg.jvp(f, tuple(values), tuple(float(i == j) for j in range(n)))
                grad.append(dot)
            how = (f"forward (wg.jvp, one pass per variable seeded with tangent 1: "
                   f"{n} pass{'es' * (n > 1)})")
        else:
            value, grad = wg.value_and_grad(f, argnums=tuple(range(n)))(*values)
            how = "reverse (wg.value_and_grad: one backward pass gives the whole gradient)"
        return float(value), np.array([float(g) for g in grad]), how
    value = float(f(*values))
    if order == 2 and mode == "reverse":
        if n == 1:
            d = np.reshape(float(wg.grad(wg.grad(f))(values[0])), (1, 1))
            how = "reverse (wg.grad nested 2 times: reverse over reverse)"
        else:
            def on_vector(v):
                return f(*[v[i] for i in range(n)])

            d = np.asarray(wg.jacrev(wg.grad(on_vector))(np.array(values, dtype=float)),
                           dtype=float)
            how = "reverse (wg.jacrev over wg.grad: reverse over reverse)"
        return value, d, how
    if n == 1 and mode == "forward":
        d = float(wg.derivative(f, order=order)(values[0]))
        how = f"forward (wg.derivative(f, order={order}): nested forward mode)"
        return value, np.reshape(d, (1,) * order), how

    found = {}   # sorted index -> the partial derivative
    if mode == "forward":
        for index in itertools.combinations_with_replacement(range(n), order):
            found[index] = float(_nested_jvp(f, n, index)(*values))
        how = (f"forward (wg.jvp nested {order} deep, one pass per distinct partial "
               f"derivative: {passes} pass{'es' * (passes > 1)})")
    else:
        grad = wg.grad(f, argnums=tuple(range(n)))
        for index in itertools.combinations_with_replacement(range(n), order - 1):
            row = _nested_jvp(grad, n, index)(*values)
            for j in range(index[-1], n):
                found[index + (j,)] = float(row[j])
        how = (f"forward over reverse (wg.jvp nested {order - 1} deep over wg.grad: "
               f"{passes} pass{'es' * (passes > 1)})")
    d = np.empty((n,) * order)
    for index in np.ndindex(d.shape):
        d[index] = found[tuple(sorted(index))]
    return value, d, how


def _count(k, noun):
    return f"{k} {noun}{'s' * (k != 1)}"


def _relative_error(got, grad):
    """max |got - grad| / max |grad| (the error relative to the gradient's size, so a
    gradient of 1e-299 is not "close" to anything within 1e-296), or max |got| when
    the gradient is 0."""
    import numpy as np

    scale = np.max(np.abs(grad))
    error = np.max(np.abs(got - grad))
    return f"{error / scale if scale > 0 else error:.1e}"


def _compare(f, tree, names, values, grad, mode, trace):
    """Rows of the three routes and a line about sizes, for --compare."""
    import numpy as np

    import wengert as wg
    from wengert.tools import expr

    n = len(values)
    show = n <= 2   # the partial derivatives themselves, while they fit in 80 columns
    rows, notes = [], []

    def add(route, got, error=""):
        cells = [repr(float(g)) for g in got] if show and got is not None else []
        if show and got is None:
            cells = ["-"] * n
        rows.append([route, *cells, error])

    add(f"AD, {mode} mode", grad, "-")
    # numeric.grad refuses what it cannot do (the complex step of abs, for one)
    for label, method in (("central differences", "central"), ("complex step", "complex")):
        try:
            got = wg.numeric.grad(f, *values, method=method, argnums=tuple(range(n)))
            got = np.array([float(g) for g in got])
        except (TypeError, ValueError, ArithmeticError) as err:
            add(label, None, "n/a")
            # the reason, without the function's own name and advice
            notes.append(f"{label}: not available: {str(err).split(';')[0].split(': ')[-1]}")
            continue
        add(label, got, _relative_error(got, grad))
    sizes, got = [], []
    try:
        from wengert.tools import symbolic
        sym = symbolic.from_tree(tree, who="diff --compare")
        import sympy
        by_name = {s.name: s for s in sym.free_symbols}   # sympy folds x - x to 0
        # sympy numbers, not floats: xreplace of a bare symbol (d(x*y)/dx is y)
        # returns the replacement itself, which must still have evalf
        point = {by_name[v]: sympy.Float(x) for v, x in zip(names, values) if v in by_name}
        for v in names:
            d = symbolic.diff(sym, v)
            sizes.append(d.size)
            got.append(float(d.expr.xreplace(point).evalf()))
    except ImportError:
        notes.append("symbolic (sympy): skipped, sympy is not installed "
                     "(pip install 'wengert[symbolic]')")
    except Exception as err:  # an optional route: say why, and go on
        add("symbolic (sympy)", None, "n/a")
        why = err.problem if isinstance(err, expr.ExprError) else f"{type(err).__name__}: {err}"
        notes.append(f"symbolic (sympy): not available: {why}")
    else:
        got = np.array(got)
        add("symbolic (sympy)", got, _relative_error(got, grad))
        backward = sum(1 for ln in trace.adjoints()[1] if not ln.note)
        each = f" ({' + '.join(map(str, sizes))})" if n > 1 else ""
        verb = "derivatives have" if n > 1 else "derivative has"
        notes.append(f"sizes: sympy's {verb} {_count(sum(sizes), 'operation')}{each} "
                     f"(count_ops);")
        notes.append(f"the AD trace has {_count(len(trace.tape) - n, 'operation')} "
                     f"forward and {backward} in the backward pass.")
    columns = ["route", *([f"df/d{v}" for v in names] if show else []), "rel. error vs AD"]
    return _table("", columns, rows), notes


def _diff_run(args: argparse.Namespace) -> int:
    import numpy as np

    import wengert as wg
    from wengert.tools import expr

    tree = _read_expression(args.expr)
    names, values, texts = _read_at(args.at, tree)
    if args.order < 1 or args.order > _MAX_ORDER:
        raise CommandError(f"--order must be between 1 and {_MAX_ORDER}, got {args.order}")
    if len(names) ** args.order > _MAX_ENTRIES:
        raise CommandError(f"--order {args.order} with {len(names)} variables gives "
                           f"{len(names)}**{args.order} derivatives; the limit is "
                           f"{_MAX_ENTRIES}")
    if args.graph:
        _check_graph_path(args.graph)
    operations = _check_domain(tree, names, values, texts)
    _check_work(len(names), args.order, args.mode, operations)
    f = expr.to_function(tree, names)
    out = _Printer()
    shown = []   # everything is computed before anything is printed

    with _quiet_numpy():
        value, d, how = _differentiate(f, names, values, args.mode, args.order)
        at = ", ".join(f"{v}={texts[v]}" for v in names)
        bad = [i for i in np.ndindex(d.shape) if not math.isfinite(d[i])]
        if bad:
            raise CommandError(f"the derivative {_partials(names, bad[0])} is not finite "
                               f"at {at} (it is {d[bad[0]]})")
        shown.append(f"f({', '.join(names)}) = {expr.shorten(expr.to_text(tree), 200)}")
        shown.append(f"at {at}")
        shown.append(f"  f = {value!r}")
        if args.order == 1:
            shown += [f"  df/d{v} = {float(g)!r}" for v, g in zip(names, d)]
        elif args.order == 2 and len(names) > 1:
            shown.append("Hessian (second partial derivatives):")
            rows = [[v, *(repr(float(x)) for x in row)] for v, row in zip(names, d)]
            shown.append(_table("", ["", *names], rows))
        else:
            for idx in itertools.combinations_with_replacement(range(len(names)), args.order):
                shown.append(f"  {_partials(names, idx)} = {float(d[idx])!r}")
        shown.append(f"mode: {how}")

        trace = None
        if args.table or args.compare or args.graph:
            trace = wg.trace(f)(*values)
        if args.table:
            shown += ["", "Wengert list (evaluation trace):", str(trace), ""]
            if args.mode == "forward":
                shown.append(trace.forward_table(names[0]))
            else:
                shown.append(trace.reverse_table())
        if args.compare:
            grad = d if args.order == 1 else np.array(
                [float(g) for g in wg.grad(f, argnums=tuple(range(len(names))))(*values)])
            table, notes = _compare(f, tree, names, values, grad, args.mode, trace)
            shown += ["", "Three routes to the gradient:", table, *notes]
        if args.graph:
            try:
                trace.render(_graph_target(args.graph), adjoints=args.mode == "reverse")
            except (OSError, RuntimeError, ValueError) as err:
                raise CommandError(f"--graph {args.graph}: {err}") from None
            shown += ["", f"graph written to {_printable(args.graph)}"]

    for item in shown:
        if isinstance(item, str):
            out.line(item)
        else:
            out.table(item)
    return 0


# --- command table -------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    epilog: Callable[[], str] | None = None


COMMANDS: dict[str, Command] = {
    "demo": Command("the tour on built-in examples: Wengert lists and tables, graph, "
                    "higher order, Jacobians, three routes, training",
                    _demo_args, _demo_run),
    "diff": Command("differentiate an expression at a point (value, gradient, Hessian)",
                    _diff_args, _diff_run, _diff_epilog),
}

_EPILOG = """\
examples:
  wengert demo
  wengert diff "log(x1) + x1*x2 - sin(x2)" --at x1=2,x2=5 --table
  wengert diff --help"""


def build_parser() -> argparse.ArgumentParser:
    from importlib.metadata import PackageNotFoundError, version

    try:
        ver = version("wengert")
    except PackageNotFoundError:
        ver = "unknown"
    parser = _Parser(
        prog=PROG, epilog=_EPILOG,
        description="wengert: automatic differentiation (forward and reverse mode) for Python.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {ver}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True,
                                parser_class=_Parser, title="commands")
    for name, cmd in COMMANDS.items():
        description = textwrap.fill(cmd.help[0].upper() + cmd.help[1:] + ".", _WIDTH - 2)
        p = sub.add_parser(name, help=cmd.help, description=description,
                           epilog=cmd.epilog and cmd.epilog())
        cmd.add_arguments(p)
        p.set_defaults(_run=cmd.run, _parser=p)
    return parser


def _expression_last(argv: list[str]) -> list[str]:
    """``--`` marks the argument after it as the expression, even one that begins
    with '-' ("--x", "-x^2"); options may come before or after the pair. argparse
    takes everything after ``--`` as positional, so the pair is moved to the end."""
    command = next((i for i, a in enumerate(argv) if a in COMMANDS), None)
    if command is None or "--" not in argv[command + 1:]:
        return argv
    i = argv.index("--", command + 1)
    if i + 1 == len(argv):
        return argv
    return argv[:i] + argv[i + 2:] + ["--", argv[i + 1]]


def _usage_message(err: _UsageError, argv: list[str]) -> str:
    """argparse's message; for a missing expression, the way to give one that
    begins with '--', which argparse reads as an option."""
    message = err.message
    if err.parser.prog == f"{PROG} diff" and message.endswith("required: EXPR"):
        command = next(i for i, a in enumerate(argv) if a == "diff")
        rest = argv[command + 1:]
        dashed = [a for a in rest[:rest.index("--") if "--" in rest else len(rest)]
                  if a.startswith("--") and a.split("=", 1)[0] not in _options(err.parser)]
        if dashed:
            rest.remove(dashed[0])
            example = shlex.join([PROG, "diff", "--", dashed[0], *rest])
            message += (f" (if the expression is {dashed[0]!r}, put '--' before it: "
                        f"{example})")
    return message


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {s for action in parser._actions for s in action.option_strings}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    >>> main(["diff", "x1*x2", "--at", "x1=3,x2=4"])  # doctest: +NORMALIZE_WHITESPACE
    f(x1, x2) = x1 * x2
    at x1=3, x2=4
      f = 12.0
      df/dx1 = 4.0
      df/dx2 = 3.0
    mode: reverse (wg.value_and_grad: one backward pass gives the whole gradient)
    0
    """
    argv = _expression_last(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:  # reported by the subcommand's parser: "wengert diff: error: ..."
            args._parser.error(f"unrecognized arguments: {' '.join(extra)}")
    except _UsageError as e:
        prog = e.parser.prog
        print(f"{prog}: error: {_printable(_usage_message(e, argv))} "
              f"(see '{prog} --help')", file=sys.stderr)
        return 2
    except SystemExit as e:          # --help, --version
        if e.code is None:
            return 0
        return e.code if isinstance(e.code, int) else 2
    try:
        return args._run(args)
    except CommandError as e:
        print(f"{PROG} {args.command}: error: {_printable(str(e))}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (wengert demo | head): stop quietly
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 0
    except Exception as e:  # no raw traceback reaches the user unless asked for
        if os.environ.get("WENGERT_TRACEBACK"):
            raise
        print(f"{PROG} {args.command}: error: {_printable(f'{type(e).__name__}: {e}')} "
              "(set WENGERT_TRACEBACK=1 for the traceback)", file=sys.stderr)
        return 2
