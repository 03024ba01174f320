"""jit benchmark: wengert.jit against the hand-written derivative, wengert without jit,
and jax.jit, where the per-call cost is all dispatch (scalar code).

Run by hand (this is not a test), with JAX installed for its column:

    /tmp/benchvenv/bin/python benchmarks/bench_jit.py            # about a minute
    /tmp/benchvenv/bin/python benchmarks/bench_jit.py --quick    # rough figures

Workloads (rows), each the value and the gradient in one call:
  example 1  ln x1 + x1*x2 - sin x2 at (2, 5)            (the tutorials' first example)
  example 2  (sin(x1/x2) + x1/x2 - exp x2) * (x1/x2 - exp x2) at (1.5, 0.5)
  loop       y <- y + exp(sin y) * 0.05, 2,500 steps from y0 = 0.3 (10,000 operations)

Columns: the hand-written floor (math module, derivative worked out by hand), wengert
(value_and_grad, eager), wengert.jit(value_and_grad(...)), and jax.jit(value_and_grad(...))
(float64, CPU). Per-call times are medians of timeit-style loops after the first call;
the first call's time (staging and compiling) is shown separately. Each library runs in a
process of its own; its value and gradient are checked against the floor (relative 1e-9)
first, and a mismatch makes the exit status 1.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import fmt, per_call, run_child  # noqa: E402

STEPS = 2_500
Y0 = 0.3
X_EX1 = (2.0, 5.0)
X_EX2 = (1.5, 0.5)
RTOL = 1e-9
ROWS = ["example 1", "example 2", "loop"]


def floor_impl():
    log, sin, cos, exp = math.log, math.sin, math.cos, math.exp

    def ex1(x1, x2):
        return log(x1) + x1 * x2 - sin(x2), (1.0 / x1 + x2, x1 - cos(x2))

    def ex2(x1, x2):
        a = x1 / x2
        e = exp(x2)
        b = a - e
        s = sin(a)
        da1, da2 = 1.0 / x2, -x1 / (x2 * x2)
        db1, db2 = da1, da2 - e
        c = cos(a)
        return (s + b) * b, ((c * da1 + db1) * b + (s + b) * db1,
                             (c * da2 + db2) * b + (s + b) * db2)

    def loop(y):
        dy = 1.0
        for _ in range(STEPS):
            es = exp(sin(y))
            dy *= 1.0 + es * cos(y) * 0.05
            y = y + es * 0.05
        return y, dy

    return {"example 1": (ex1, X_EX1), "example 2": (ex2, X_EX2), "loop": (loop, (Y0,))}


def _functions(np_mod):
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

    return f1, f2, loop


def _wengert():
    try:
        import wengert as wg
    except ImportError:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
        import wengert as wg
    return wg


def wengert_impl(jitted):
    wg = _wengert()
    import wengert.numpy as wnp
    from wengert.tools.compile import jit

    f1, f2, loop = _functions(wnp)
    wrap = jit if jitted else (lambda f: f)
    return {"example 1": (wrap(wg.value_and_grad(f1, argnums=(0, 1))), X_EX1),
            "example 2": (wrap(wg.value_and_grad(f2, argnums=(0, 1))), X_EX2),
            "loop": (wrap(wg.value_and_grad(loop)), (Y0,))}


def jax_impl():
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    f1, f2, loop = _functions(jnp)
    return {"example 1": (jax.jit(jax.value_and_grad(f1, argnums=(0, 1))), X_EX1),
            "example 2": (jax.jit(jax.value_and_grad(f2, argnums=(0, 1))), X_EX2),
            "loop": (jax.jit(jax.value_and_grad(loop)), (Y0,))}


LIBRARIES = {
    "floor": ("hand-written", floor_impl),
    "wengert": ("wengert", lambda: wengert_impl(False)),
    "jit": ("wengert.jit", lambda: wengert_impl(True)),
    "jax": ("jax.jit", jax_impl),
}


def _floats(out):
    value, grad = out
    grad = grad if isinstance(grad, tuple) else (grad,)
    return float(value), [float(g) for g in grad]


def child(key, quick, rows):
    impls = LIBRARIES[key][1]()
    want = floor_impl()
    out = {}
    for row in rows:
        fn, args = impls[row]
        ref = _floats(want[row][0](*args))
        t0 = time.perf_counter()
        got = _floats(fn(*args))
        first = time.perf_counter() - t0
        if not all(math.isclose(a, b, rel_tol=RTOL, abs_tol=1e-12)
                   for a, b in zip([got[0]] + got[1], [ref[0]] + ref[1])):
            out[row] = {"wrong": [got, ref]}
            continue
        t = per_call(lambda: fn(*args), repeat=3 if quick else 7,
                     min_time=0.05 if quick else 0.2)
        out[row] = {"per_call": t, "first": first}
    print(json.dumps(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--libs", default=",".join(LIBRARIES))
    ap.add_argument("--rows", default=",".join(ROWS))
    ap.add_argument("--child", nargs="*")
    a = ap.parse_args()
    if a.child is not None:
        key, quick, rows = a.child[0], a.child[1] == "1", a.child[2].split(",")
        child(key, quick, rows)
        return 0
    rows = a.rows.split(",")
    results = {}
    for key in a.libs.split(","):
        results[key] = run_child(Path(__file__), [key, "1" if a.quick else "0",
                                                  ",".join(rows)], threads=1)
    bad = False
    labels = [LIBRARIES[k][0] for k in results]
    print(f"{'per call':<12}" + "".join(f"{lab:>16}" for lab in labels)
          + f"{'jit/jax':>10}{'jit/floor':>11}")
    for row in rows:
        cells = []
        for key, res in results.items():
            r = res.get(row) if "error" not in res else None
            if r is None:
                cells.append("n/a")
            elif "wrong" in r:
                cells.append("WRONG")
                bad = True
            else:
                cells.append(fmt(r["per_call"]))
        ratio = []
        for other in ("jax", "floor"):
            try:
                ratio.append(f"{results['jit'][row]['per_call'] / results[other][row]['per_call']:.2f}")
            except (KeyError, TypeError):
                ratio.append("n/a")
        print(f"{row:<12}" + "".join(f"{c:>16}" for c in cells)
              + f"{ratio[0]:>10}{ratio[1]:>11}")
    print()
    print(f"{'first call':<12}" + "".join(f"{lab:>16}" for lab in labels))
    for row in rows:
        cells = []
        for key, res in results.items():
            r = res.get(row) if "error" not in res else None
            cells.append("n/a" if r is None or "first" not in r else fmt(r["first"]))
        print(f"{row:<12}" + "".join(f"{c:>16}" for c in cells))
    for key, res in results.items():
        if "error" in res:
            print(f"\n{LIBRARIES[key][0]}: n/a ({res['error'][-200:]})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
