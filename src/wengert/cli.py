"""The ``wengert`` command line.

Each subcommand is one entry in ``COMMANDS``: a help line, a function that adds
its arguments to its parser, and a function that runs it and returns an exit
code. A new subcommand (``wengert diff`` is next) is one more entry.

    $ wengert demo
    $ python -m wengert demo

Exit codes: 0 success, 1 the command failed, 2 bad usage (one line on stderr).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from dataclasses import dataclass
from typing import Callable, Sequence

PROG = "wengert"


class CommandError(Exception):
    """Bad input found while running a command: reported in one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is a single line on stderr (exit 2)."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


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
    import wengert.numpy as wnp

    def f1(x1, x2):
        return wnp.log(x1) + x1 * x2 - wnp.sin(x2)

    def f2(x1, x2):
        a = x1 / x2
        b = a - wnp.exp(x2)
        return (wnp.sin(a) + b) * b

    return [
        _Example("Example 1", "f = ln x1 + x1*x2 - sin x2", f1, (2.0, 5.0),
                 11.652071455223084, (5.5, 1.7163378145367738)),
        _Example("Example 2", "f = (sin(x1/x2) + x1/x2 - exp x2) * (x1/x2 - exp x2)",
                 f2, (1.5, 0.5),
                 2.0166466694282, (3.0118433277, -13.7239615093)),
    ]


_INTRO = """\
Forward mode (wg.jvp) takes one pass per input, seeding that input's tangent
with 1. Reverse mode (wg.value_and_grad, wg.vjp) records the evaluation on a
tape, the Wengert list, and gets the whole gradient from one backward pass.
"""


def _row(label: str, cells) -> str:
    return f"  {label:<14}" + "".join(f"  {c:<19}" for c in cells).rstrip()


def _close(got, want) -> bool:
    # The seeds print example 2 to 10-13 digits, so compare at that precision.
    return math.isclose(float(got), want, rel_tol=1e-9, abs_tol=1e-10)


def _demo_example(ex: _Example, out) -> bool:
    """Differentiate one example by both modes; return whether all agree with the seeds."""
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
    print(f"{ex.title}: {ex.formula}", file=out)
    print(_row(at, ["f"] + [f"df/dx{i + 1}" for i in range(n)]), file=out)
    ok = True
    for label, value, grad in [("wg.jvp", fwd_value, fwd_grad),
                               ("value_and_grad", rev_value, rev_grad),
                               ("wg.vjp", vjp_value, vjp_grad)]:
        print(_row(label, [repr(float(v)) for v in (value, *grad)]), file=out)
        ok &= _close(value, ex.value) and all(_close(g, e) for g, e in zip(grad, ex.grad))
    print(_row("the seeds", [repr(v) for v in (ex.value, *ex.grad)]), file=out)
    return ok


def _demo_higher_order(out) -> bool:
    import wengert as wg
    import wengert.numpy as wnp

    def g(x):
        return wnp.exp(x) * wnp.sin(x)

    x = 1.0
    by_derivative = wg.derivative(g, order=2)(x)
    by_grad_grad = wg.grad(wg.grad(g))(x)
    exact = 2.0 * math.exp(x) * math.cos(x)        # (e^x sin x)'' = 2 e^x cos x
    print("Higher order: g = exp(x) sin(x), so g'' = 2 exp(x) cos(x)", file=out)
    print(_row("at x = 1", ["wg.derivative", "wg.grad(wg.grad)", "exact"]), file=out)
    print(_row("g''", [repr(float(v)) for v in (by_derivative, by_grad_grad, exact)]), file=out)
    return _close(by_derivative, exact) and _close(by_grad_grad, exact)


def _demo_args(parser: argparse.ArgumentParser) -> None:
    pass


def _demo_run(args: argparse.Namespace) -> int:
    out = sys.stdout
    print(_INTRO, file=out)
    ok = True
    for ex in _examples():
        ok &= _demo_example(ex, out)
        print(file=out)
    ok &= _demo_higher_order(out)
    if not ok:
        print(f"{PROG} demo: error: a result differs from the expected value", file=sys.stderr)
        return 1
    return 0


# --- command table -------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


COMMANDS: dict[str, Command] = {
    "demo": Command("differentiate the worked examples by forward and reverse mode",
                    _demo_args, _demo_run),
}


def build_parser() -> argparse.ArgumentParser:
    from importlib.metadata import PackageNotFoundError, version

    try:
        ver = version("wengert")
    except PackageNotFoundError:
        ver = "unknown"
    parser = _Parser(
        prog=PROG,
        description="wengert: automatic differentiation (forward and reverse mode) for Python.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {ver}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True,
                                parser_class=_Parser)
    for name, cmd in COMMANDS.items():
        p = sub.add_parser(name, help=cmd.help, description=cmd.help)
        cmd.add_arguments(p)
        p.set_defaults(_run=cmd.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    >>> main(["demo"])  # doctest: +SKIP
    0
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:          # --help, --version, usage errors
        if e.code is None:
            return 0
        return e.code if isinstance(e.code, int) else 2
    try:
        return args._run(args)
    except CommandError as e:
        print(f"{PROG} {args.command}: error: {e}", file=sys.stderr)
        return 2
    except Exception as e:  # no raw traceback reaches the user unless asked for
        if os.environ.get("WENGERT_TRACEBACK"):
            raise
        print(f"{PROG} {args.command}: error: {type(e).__name__}: {e} "
              "(set WENGERT_TRACEBACK=1 for the traceback)", file=sys.stderr)
        return 1
