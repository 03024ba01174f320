"""Scalar overhead benchmark: wengert against hand-written derivatives and peer AD libraries.

Run by hand (this is not a test):

    python benchmarks/bench_scalar.py            # full run, about a minute
    python benchmarks/bench_scalar.py --quick    # fewer repeats, about 15 seconds

Workloads (rows):
  example 1  value and gradient of  ln x1 + x1*x2 - sin x2  at (2, 5)
  example 2  value and gradient of  (sin(x1/x2) + x1/x2 - exp x2) * (x1/x2 - exp x2)  at (1.5, 0.5)
  loop       derivative of y_2500 w.r.t. y_0 for  y <- y + exp(sin y) * 0.05,
             2,500 steps from a Python float (10,000 primitive operations)

Libraries (columns): a hand-written floor (math module, value plus the chain rule worked out
by hand), wengert, HIPS autograd, PyTorch eager (float64 scalar tensors, .backward()) and JAX
(un-jitted, x64). A library that cannot be imported shows "n/a"; the script still runs.

Each library runs in a Python process of its own. Its value and gradient are checked
against the floor (relative 1e-9) before it is timed; a mismatch is printed loudly and makes
the exit status 1. Each time is the median over several repeats of a timeit-style loop,
after a warm-up, per call of the whole value-and-gradient.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

STEPS = 2_500               # loop iterations: 4 operations each
Y0 = 0.3                    # the loop's starting value (a Python float)
X_EX1 = (2.0, 5.0)
X_EX2 = (1.5, 0.5)
RTOL = 1e-9

WORKLOADS = [
    ("example 1", "ln x1 + x1*x2 - sin x2 at (2, 5)"),
    ("example 2", "(sin(x1/x2)+x1/x2-exp x2)*(x1/x2-exp x2) at (1.5, 0.5)"),
    ("loop", f"d y_{STEPS}/d y_0, y <- y + exp(sin y)*0.05 ({4 * STEPS:,} ops)"),
]


# --- implementations ---------------------------------------------------------------
# Each library gives, per workload, a zero-argument callable that returns
# (value, gradient-tuple) in the library's own types; `_floats` converts afterwards,
# outside the timed region.


def floor_impl():
    """Hand-written value and derivative (chain rule worked out by hand)."""
    log, sin, cos, exp = math.log, math.sin, math.cos, math.exp

    def ex1():
        x1, x2 = X_EX1
        return log(x1) + x1 * x2 - sin(x2), (1.0 / x1 + x2, x1 - cos(x2))

    def ex2():
        x1, x2 = X_EX2
        a = x1 / x2                        # a = x1/x2, b = a - e^x2, f = (sin a + b) b
        e = exp(x2)
        b = a - e
        s = sin(a)
        da1, da2 = 1.0 / x2, -x1 / (x2 * x2)
        db1, db2 = da1, da2 - e
        # df = (cos a da + db) b + (sin a + b) db
        c = cos(a)
        g1 = (c * da1 + db1) * b + (s + b) * db1
        g2 = (c * da2 + db2) * b + (s + b) * db2
        return (s + b) * b, (g1, g2)

    def loop():
        y, dy = Y0, 1.0
        for _ in range(STEPS):
            es = exp(sin(y))               # d/dy [y + 0.05 e^{sin y}] = 1 + 0.05 e^{sin y} cos y
            dy *= 1.0 + es * cos(y) * 0.05
            y = y + es * 0.05
        return y, (dy,)

    return {"example 1": ex1, "example 2": ex2, "loop": loop}


def _ad_impls(np_mod, value_and_grad: Callable, **vg_kwargs):
    """The three workloads for a functional AD library with a numpy-like namespace."""
    log, sin, exp = np_mod.log, np_mod.sin, np_mod.exp

    def f1(x1, x2):
        return log(x1) + x1 * x2 - sin(x2)

    def f2(x1, x2):
        a = x1 / x2
        b = a - exp(x2)
        return (sin(a) + b) * b

    def loop(y):
        for _ in range(STEPS):
            y = y + exp(sin(y)) * 0.05
        return y

    vg1 = value_and_grad(f1, **vg_kwargs)
    vg2 = value_and_grad(f2, **vg_kwargs)
    vgl = value_and_grad(loop)
    return {
        "example 1": lambda: vg1(*X_EX1),
        "example 2": lambda: vg2(*X_EX2),
        "loop": lambda: _one(vgl(Y0)),
    }


def _one(value_grad):
    value, grad = value_grad
    return value, (grad,)


def wengert_impl():
    try:
        import wengert as wg
    except ImportError:
        # Run from a checkout without an install: use the source tree.
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
        import wengert as wg
    import wengert.numpy as wnp

    return _ad_impls(wnp, wg.value_and_grad, argnums=(0, 1))


def autograd_impl():
    import autograd
    import autograd.numpy as anp

    return _ad_impls(anp, autograd.value_and_grad, argnum=(0, 1))


def jax_impl():
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)   # float64, to compare at 1e-9
    return _ad_impls(jnp, jax.value_and_grad, argnums=(0, 1))


def torch_impl():
    import torch

    f64 = torch.float64

    def leaf(x):
        return torch.tensor(x, dtype=f64, requires_grad=True)

    def ex1():
        x1, x2 = leaf(X_EX1[0]), leaf(X_EX1[1])
        f = torch.log(x1) + x1 * x2 - torch.sin(x2)
        f.backward()
        return f.detach(), (x1.grad, x2.grad)

    def ex2():
        x1, x2 = leaf(X_EX2[0]), leaf(X_EX2[1])
        a = x1 / x2
        b = a - torch.exp(x2)
        f = (torch.sin(a) + b) * b
        f.backward()
        return f.detach(), (x1.grad, x2.grad)

    def loop():
        y0 = leaf(Y0)
        y = y0
        for _ in range(STEPS):
            y = y + torch.exp(torch.sin(y)) * 0.05
        y.backward()
        return y.detach(), (y0.grad,)

    return {"example 1": ex1, "example 2": ex2, "loop": loop}


@dataclass
class Library:
    key: str
    label: str
    dist: str | None                   # distribution name for the version; None for the floor
    make: Callable[[], dict]
    version: str = "n/a"
    error: str | None = None           # why it is n/a
    results: dict = field(default_factory=dict)   # workload -> seconds, ("WRONG", s) or a note


LIBRARIES = [
    Library("floor", "hand-written", None, floor_impl),
    Library("wengert", "wengert", "wengert", wengert_impl),
    Library("autograd", "autograd", "autograd", autograd_impl),
    Library("torch", "PyTorch", "torch", torch_impl),
    Library("jax", "JAX", "jax", jax_impl),
]


# --- checking and timing --------------------------------------------------------------
# Each library runs in a process of its own. Importing torch or jax adds hundreds of
# thousands of objects to the garbage collector's heap, and every full collection then
# walks them: in one process, a library that allocates Python objects per operation
# (wengert, autograd) would pay for the peers' imports.


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:          # e.g. wengert run from the source tree
        return "not installed (source tree)"


def _floats(result):
    value, grad = result
    return float(value), tuple(float(g) for g in grad)


def _agree(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=RTOL, abs_tol=0.0) or a == b


def time_per_call(fn: Callable, repeat: int, min_time: float) -> float:
    """Median seconds per call: calibrate a loop count as timeit does, then repeat."""
    fn()                                   # warm-up (caches, lazy imports, dispatch tables)
    number = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        elapsed = time.perf_counter() - t0
        if elapsed >= min_time:
            break
        number = max(number * 2, int(number * min_time / max(elapsed, 1e-9) * 1.1))
    samples = [elapsed / number]
    for _ in range(repeat - 1):
        gc.collect()
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - t0) / number)
    return statistics.median(samples)


def measure(lib: Library, repeat: int, min_time: float, log) -> dict:
    """In the worker: check one library against the floor, then time it, per workload."""
    try:
        impls = lib.make()
    except Exception as e:  # a missing peer is normal: its column says n/a
        return {"error": f"{type(e).__name__}: {e}"}
    reference = floor_impl()
    out = {"version": _version(lib.dist) if lib.dist else "math module", "results": {}}
    for name, _ in WORKLOADS:
        ref_value, ref_grad = _floats(reference[name]())
        fn = impls[name]
        try:
            value, grad = _floats(fn())
        except Exception as e:
            print(f"  {lib.label} failed on {name}: {type(e).__name__}: {e}", file=sys.stderr)
            out["results"][name] = {"note": "error"}
            continue
        ok = _agree(value, ref_value) and len(grad) == len(ref_grad) and all(
            _agree(g, r) for g, r in zip(grad, ref_grad))
        if not ok:
            print(f"!!! MISMATCH: {lib.label} on {name}: value {value!r}, grad {grad!r}; "
                  f"expected value {ref_value!r}, grad {ref_grad!r} (rtol {RTOL:g})",
                  file=sys.stderr)
        log(f"  timing {lib.label:<12} {name} ...")
        out["results"][name] = {"seconds": time_per_call(fn, repeat, min_time), "ok": ok}
    return out


def run(libs: list[Library], repeat: int, min_time: float, log) -> bool:
    """Measure every library in a fresh interpreter; return True when all results agree."""
    all_ok = True
    for lib in libs:
        cmd = [sys.executable, __file__, "--worker", lib.key,
               "--repeat", str(repeat), "--min-time", str(min_time)]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
        try:
            got = json.loads(proc.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            got = {"error": f"worker exited with {proc.returncode} and no result"}
        if "error" in got:
            lib.error = got["error"]
            lib.results = {name: "n/a" for name, _ in WORKLOADS}
            continue
        lib.version = got["version"]
        for name, r in got["results"].items():
            if "note" in r:
                lib.results[name] = r["note"]
                all_ok = False
            elif r["ok"]:
                lib.results[name] = r["seconds"]
            else:
                lib.results[name] = ("WRONG", r["seconds"])
                all_ok = False
    return all_ok


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except (AttributeError, OSError):      # not on every platform
        return "n/a"


def _fmt_time(s: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if s >= scale:
            return f"{s / scale:.3g} {unit}"
    return f"{s / 1e-9:.3g} ns"


def _fmt_ratio(r: float) -> str:
    if r >= 100:
        return f"{r:,.0f}x"
    return f"{r:.3g}x"


def _seconds(cell):
    if isinstance(cell, float):
        return cell
    if isinstance(cell, tuple):
        return cell[1]
    return None


def table(libs: list[Library], markdown: bool) -> str:
    by_key = {lib.key: lib for lib in libs}
    headers = ["workload", ""] + [lib.label for lib in libs]
    rows = []
    for name, _ in WORKLOADS:
        floor = _seconds(by_key["floor"].results.get(name)) if "floor" in by_key else None
        torch = _seconds(by_key["torch"].results.get(name)) if "torch" in by_key else None
        times, vs_floor, vs_torch = [], [], []
        for lib in libs:
            cell = lib.results.get(name, "n/a")
            s = _seconds(cell)
            if s is None:
                times.append(str(cell)); vs_floor.append("n/a"); vs_torch.append("n/a")
                continue
            mark = " !WRONG" if isinstance(cell, tuple) else ""
            times.append(_fmt_time(s) + mark)
            vs_floor.append(_fmt_ratio(s / floor) if floor else "n/a")
            vs_torch.append(_fmt_ratio(s / torch) if torch else "n/a")
        rows.append([name, "time/call"] + times)
        rows.append(["", "x floor"] + vs_floor)
        rows.append(["", "x PyTorch"] + vs_torch)

    if markdown:
        lines = ["| " + " | ".join(headers) + " |",
                 "|" + "|".join(["---"] * 2 + ["---:"] * len(libs)) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in rows + [headers]) for i in range(len(headers))]
    fmt = lambda r: "  ".join(  # noqa: E731
        c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    out = [fmt(headers), "  ".join("-" * w for w in widths)]
    for i, r in enumerate(rows):
        if i and i % 3 == 0:
            out.append("")
        out.append(fmt(r))
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer repeats and shorter timing loops (a rough figure)")
    parser.add_argument("--libs", default=",".join(lib.key for lib in LIBRARIES),
                        help="comma-separated subset of: %(default)s (floor is always run)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--worker", help=argparse.SUPPRESS)     # internal: one library
    parser.add_argument("--repeat", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--min-time", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731

    if args.worker:
        lib = next(lib for lib in LIBRARIES if lib.key == args.worker)
        print(json.dumps(measure(lib, args.repeat, args.min_time, log)))
        return 0

    wanted = {k.strip() for k in args.libs.split(",") if k.strip()} | {"floor"}
    unknown = wanted - {lib.key for lib in LIBRARIES}
    if unknown:
        parser.error(f"unknown library: {', '.join(sorted(unknown))}")
    libs = [lib for lib in LIBRARIES if lib.key in wanted]
    repeat, min_time = (3, 0.05) if args.quick else (7, 0.2)
    log(f"bench_scalar: {'quick' if args.quick else 'full'} run, "
        f"{repeat} repeats, >= {min_time:g} s each")
    load_before = _load()
    all_ok = run(libs, repeat, min_time, log)

    import numpy
    print(f"Python {platform.python_version()}, numpy {numpy.__version__}, "
          f"{platform.machine()}, {os.cpu_count()} CPUs, {'quick' if args.quick else 'full'} run "
          f"(median of {repeat} repeats)")
    # Other processes on the machine skew timings: say how busy it was.
    print(f"  load average (1 min): {load_before} before, {_load()} after")
    for lib in libs[1:]:
        print(f"  {lib.label}: {lib.version if lib.error is None else 'n/a (' + lib.error + ')'}")
    for name, desc in WORKLOADS:
        print(f"  {name}: {desc}")
    print()
    print(table(libs, args.markdown))
    if not all_ok:
        print("\n!!! Some gradients disagree with the hand-written ones: see MISMATCH above.",
              file=sys.stderr)
        return 1
    print(f"\nAll gradients agree with the hand-written ones to {RTOL:g} relative.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
