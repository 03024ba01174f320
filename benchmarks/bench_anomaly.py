"""What anomaly mode costs: the same gradients with it off and on.

Run by hand (this is not a test):

    python benchmarks/bench_anomaly.py                 # this checkout, off and on
    python benchmarks/bench_anomaly.py --src OLD/src   # another tree too (off only
                                                       # where it has no anomaly mode)

Workloads (rows): the seeds' example 1 on Python floats; a 10,000-operation scalar
loop; an array function (tanh layers, 64 wide, 20 layers); a loop over the rows of a
traced matrix (basic indexing, 200 views). Each time is the median of 7 repeats of a
loop calibrated to 0.2 s, per call of the whole value-and-gradient; each source tree
runs in a process of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from _timing import fmt, per_call, run_child

HERE = Path(__file__).resolve()


def workloads():
    import numpy as np
    import wengert as wg
    import wengert.numpy as wnp

    def ex1(x1, x2):
        return wnp.log(x1) + x1 * x2 - wnp.sin(x2)

    def loop(y):
        for _ in range(2500):
            y = y + wnp.exp(wnp.sin(y)) * 0.05
        return y

    rng = np.random.default_rng(0)
    Ws = [rng.standard_normal((64, 64)) / 8 for _ in range(20)]

    def layers(x):
        for W in Ws:
            x = wnp.tanh(W @ x)
        return wnp.sum(x)

    M = rng.standard_normal((200, 8))

    def rows(A):
        total = 0.0
        for r in A:
            total = total + wnp.sum(r * r)
        return total

    vg = wg.value_and_grad
    return {
        "example 1": lambda: vg(ex1, argnums=(0, 1))(2.0, 5.0),
        "loop (10,000 ops)": lambda: vg(loop)(0.3),
        "tanh layers 64x20": lambda: vg(layers)(rng.standard_normal(64)),
        "rows of a matrix (200 views)": lambda: vg(rows)(M),
    }


def child():
    import wengert as wg
    out = {}
    has_mode = hasattr(wg, "detect_anomaly")
    for name, fn in workloads().items():
        out[name] = {"off": per_call(fn)}
        if has_mode:
            with wg.detect_anomaly():
                out[name]["on"] = per_call(fn)
    print(json.dumps(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", action="append", default=[],
                    help="another source tree (its src/ folder) to time off-mode against")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child()
        return
    trees = [("this checkout", str(HERE.parents[1] / "src"))] + [(s, s) for s in args.src]
    results = {}
    for label, src in trees:
        results[label] = run_child(HERE, [], env={"PYTHONPATH": src})
        if "error" in results[label]:
            sys.exit(f"{label}: {results[label]['error']}")
    print(f"load average {os.getloadavg()[0]:.2f}")
    head = ["workload", "off", "on", "on / off"] + [f"off, {lab}" for lab, _ in trees[1:]]
    print(" | ".join(head))
    print(" | ".join("---" for _ in head))
    here = results["this checkout"]
    for name, cell in here.items():
        row = [name, fmt(cell["off"]), fmt(cell["on"]), f"{cell['on'] / cell['off']:.2f}x"]
        for lab, _ in trees[1:]:
            other = results[lab][name]["off"]
            row.append(f"{fmt(other)} ({cell['off'] / other:.2f}x)")
        print(" | ".join(row))


if __name__ == "__main__":
    main()
