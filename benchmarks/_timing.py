"""What the benchmark scripts share: timing one call, and running each library in a
process of its own with the same thread settings."""

import json
import os
import statistics
import subprocess
import sys
import time


def per_call(fn, repeat=7, min_time=0.2):
    """Median seconds per call of ``fn``: one warm-up call, a loop count doubled until
    the loop runs ``min_time`` seconds (as timeit does), then ``repeat`` loops."""
    fn()
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - t0 >= min_time:
            break
        n *= 2
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - t0) / n)
    return statistics.median(samples)


def run_child(script, args, threads=None, env=None):
    """Run ``script --child ARGS`` in a new process (BLAS, OpenMP and torch limited to
    ``threads`` when given) and return the JSON object its last line prints, or
    ``{"error": ...}``."""
    env = dict(os.environ, **(env or {}))
    if threads is not None:
        t = str(threads)
        env.update(OPENBLAS_NUM_THREADS=t, OMP_NUM_THREADS=t, MKL_NUM_THREADS=t,
                   WENGERT_BENCH_THREADS=t)
    proc = subprocess.run([sys.executable, str(script), "--child", *args],
                          capture_output=True, text=True, env=env)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        return {"error": proc.stderr.strip()[-300:] or f"exit {proc.returncode}"}
    return json.loads(lines[-1])


def fmt(seconds):
    """A time as ms or us, three significant figures."""
    return f"{seconds * 1e3:.3g} ms" if seconds >= 1e-3 else f"{seconds * 1e6:.3g} us"
