"""Whole Jacobians, Hessians and per-example gradients: wengert against the peers.

Run by hand (this is not a test):

    python benchmarks/bench_jacobians.py                   # full run, a few minutes
    python benchmarks/bench_jacobians.py --quick           # fewer repeats
    python benchmarks/bench_jacobians.py --src OLD/src     # another wengert tree as a
                                                           # column too (before/after)

Workloads (rows), float64:
  hessian tanh    the full Hessian of f(x) = sum(tanh(W x)^2) + 0.1 sum(x^4), 400
                  variables, W 400x400 (matmul, elementwise, reduction)
  hessian rosen   the full Hessian of the Rosenbrock function of 400 variables (slices)
  jacfwd tall     the Jacobian of x -> tanh(A x) * (B x), 10 -> 2000, forward mode
  jacrev wide     the Jacobian of x -> W tanh(x) + (V x)^2, 2000 -> 10, reverse mode
  per-example     the gradient of a tanh MLP 32-64-64-10 softmax cross-entropy loss for
                  each of 256 examples on its own (256 gradients of 6,922 parameters)
  loop of grad    the same 256 gradients by a Python loop of grad calls

Libraries (columns): wengert (jacfwd, jacrev, hessian, vmap of grad), HIPS autograd
(its jacobian and hessian, loops of VJPs over the outputs; it has no vmap), PyTorch eager
(torch.autograd.functional's jacobian and hessian with their defaults: a Python loop of
VJPs over the output elements; for the loop row, one .backward() per example),
torch.func (jacfwd, jacrev, hessian, vmap of grad), JAX eager (jax.jacfwd, jacrev,
hessian, vmap of grad, not jitted) and JAX jit (the same under jax.jit, compiled once
before timing). A library that cannot be imported shows "n/a"; "-" marks a cell that
library has no form for, "error" a row that raised (the message goes to stderr). Each
library runs in a process of its own, with BLAS, OpenMP, torch and XLA limited to
--threads (default 1); each result is checked against a closed form worked out in numpy
before it is timed (relative 1e-8). Times are the median of 7 repeats (3 with --quick)
of a calibrated loop; below each, its ratio to torch.func's time.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from _timing import fmt, per_call, run_child

import numpy as np

HERE = Path(__file__).resolve()
N_HESS = 400
TALL = (10, 2000)     # n inputs -> m outputs
WIDE = (2000, 10)
SIZES = (32, 64, 64, 10)
BATCH = 256
ROWS = ["hessian tanh", "hessian rosen", "jacfwd tall", "jacrev wide", "per-example",
        "loop of grad"]
LIBS = ["wengert", "autograd", "torch", "torch.func", "jax", "jax.jit"]


def data():
    rng = np.random.default_rng(0)
    d = {"W": rng.standard_normal((N_HESS, N_HESS)) / np.sqrt(N_HESS),
         "xh": rng.uniform(-1.0, 1.0, N_HESS),
         "A": rng.standard_normal((TALL[1], TALL[0])) / 3,
         "B": rng.standard_normal((TALL[1], TALL[0])) / 3,
         "xt": rng.standard_normal(TALL[0]),
         "Ww": rng.standard_normal((WIDE[1], WIDE[0])) / 40,
         "Vw": rng.standard_normal((WIDE[1], WIDE[0])) / 40,
         "xw": rng.standard_normal(WIDE[0])}
    params = []
    for m, n in zip(SIZES[:-1], SIZES[1:]):
        params += [rng.standard_normal((m, n)) / np.sqrt(m), 0.1 * rng.standard_normal(n)]
    d["params"] = params
    d["X"] = rng.standard_normal((BATCH, SIZES[0]))
    d["Y"] = np.eye(SIZES[-1])[rng.integers(0, SIZES[-1], BATCH)]
    return d


# ---------------------------------------------------------------- the functions
# written once over a numpy-like module `xp` (numpy, wengert.numpy, autograd.numpy, jnp,
# or _TorchNumpy below)

def hess_tanh(xp, W, x):
    return xp.sum(xp.tanh(W @ x) ** 2) + 0.1 * xp.sum(x ** 4)


def rosen(xp, x):
    return xp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def tall(xp, A, B, x):
    return xp.tanh(A @ x) * (B @ x)


def wide(xp, W, V, x):
    return W @ xp.tanh(x) + (V @ x) ** 2


def mlp_loss(xp, params, x, y):
    """The loss of one example (x of shape (32,), y one-hot of shape (10,))."""
    h = x
    for k in range(0, len(params) - 2, 2):
        h = xp.tanh(h @ params[k] + params[k + 1])
    logits = h @ params[-2] + params[-1]
    m = xp.max(logits)
    return -xp.sum(y * (logits - m)) + xp.log(xp.sum(xp.exp(logits - m)))


# ---------------------------------------------------------------- closed forms (numpy)

def reference(d):
    W, x = d["W"], d["xh"]
    g = np.tanh(W @ x)
    H_tanh = (W.T * (2 * (1 - g ** 2) * (1 - 3 * g ** 2))) @ W + np.diag(1.2 * x ** 2)
    x = d["xh"]
    n = len(x)
    H_rosen = np.zeros((n, n))
    i = np.arange(n - 1)
    H_rosen[i, i] += 1200 * x[:-1] ** 2 - 400 * x[1:] + 2
    H_rosen[i + 1, i + 1] += 200
    H_rosen[i, i + 1] = H_rosen[i + 1, i] = -400 * x[:-1]
    A, B, x = d["A"], d["B"], d["xt"]
    t = np.tanh(A @ x)
    J_tall = ((1 - t ** 2) * (B @ x))[:, None] * A + t[:, None] * B
    W, V, x = d["Ww"], d["Vw"], d["xw"]
    J_wide = W * (1 - np.tanh(x) ** 2) + 2 * (V @ x)[:, None] * V
    return {"hessian tanh": H_tanh, "hessian rosen": H_rosen, "jacfwd tall": J_tall,
            "jacrev wide": J_wide, "per-example": per_example_grads(d),
            "loop of grad": per_example_grads(d)}


def per_example_grads(d):
    """Backpropagation by hand, for every example at once: a list of arrays of shape
    (256,) + each parameter's shape."""
    params, X, Y = d["params"], d["X"], d["Y"]
    hs = [X]
    for k in range(0, len(params) - 2, 2):
        hs.append(np.tanh(hs[-1] @ params[k] + params[k + 1]))
    logits = hs[-1] @ params[-2] + params[-1]
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    g = p * Y.sum(axis=1, keepdims=True) - Y
    grads = [None] * len(params)
    for k in range(len(params) - 2, -1, -2):
        grads[k] = hs[k // 2][:, :, None] * g[:, None, :]
        grads[k + 1] = g
        if k:
            g = (g @ params[k].T) * (1 - hs[k // 2] ** 2)
    return grads


# ---------------------------------------------------------------- implementations

def _functional(xp, jacfwd, jacrev, hessian, grad, vmap_grad):
    """The rows for a library with JAX-style transforms; ``vmap_grad(loss)`` gives the
    per-example gradient function (None: the library has none)."""
    d = data()
    W, xh = d["W"], d["xh"]
    A, B, xt, Ww, Vw, xw = d["A"], d["B"], d["xt"], d["Ww"], d["Vw"], d["xw"]
    params, X, Y = d["params"], d["X"], d["Y"]
    loss = lambda p, x, y: mlp_loss(xp, p, x, y)
    g = grad(loss)
    rows = {
        "hessian tanh": (lambda f: lambda: f(xh))(hessian(lambda x: hess_tanh(xp, W, x))),
        "hessian rosen": (lambda f: lambda: f(xh))(hessian(lambda x: rosen(xp, x))),
        "jacfwd tall": (lambda f: lambda: f(xt))(jacfwd(lambda x: tall(xp, A, B, x))),
        "jacrev wide": (lambda f: lambda: f(xw))(jacrev(lambda x: wide(xp, Ww, Vw, x))),
        "loop of grad": lambda: [g(params, X[i], Y[i]) for i in range(BATCH)],
    }
    if vmap_grad is not None:
        pe = vmap_grad(loss)
        rows["per-example"] = lambda: pe(params, X, Y)
    return rows


def wengert_impl():
    try:
        import wengert as wg
    except ImportError:
        sys.path.insert(0, str(HERE.parents[1] / "src"))
        import wengert as wg
    import wengert.numpy as wnp
    vmap = getattr(wg, "vmap", None)
    return _functional(wnp, wg.jacfwd, wg.jacrev, wg.hessian, wg.grad,
                       None if vmap is None else
                       lambda loss: vmap(wg.grad(loss), in_axes=(None, 0, 0)))


def autograd_impl():
    import autograd
    import autograd.numpy as anp
    return _functional(anp, autograd.jacobian, autograd.jacobian, autograd.hessian,
                       autograd.grad, None)


def jax_impl(jit=False):
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    wrap = jax.jit if jit else (lambda f: f)
    rows = _functional(jnp, lambda f: wrap(jax.jacfwd(f)), lambda f: wrap(jax.jacrev(f)),
                       lambda f: wrap(jax.hessian(f)), lambda f: wrap(jax.grad(f)),
                       lambda loss: wrap(jax.vmap(jax.grad(loss), in_axes=(None, 0, 0))))
    rows.pop("loop of grad")  # 256 eager grads: seconds per call, and nothing to learn
    return {k: (lambda f: lambda: jax.block_until_ready(f()))(f) for k, f in rows.items()}


class _TorchNumpy:
    """The few numpy names the functions use, over torch."""

    def __init__(self, torch):
        self.tanh, self.exp, self.log = torch.tanh, torch.exp, torch.log
        self._t = torch

    def max(self, a):
        return self._t.amax(a)

    def sum(self, a):
        return a.sum()


def _torch_data(torch):
    d = data()
    return {k: ([torch.from_numpy(p) for p in v] if isinstance(v, list)
                else torch.from_numpy(v)) for k, v in d.items()}


def torch_impl():
    """PyTorch eager: torch.autograd.functional (a loop over rows) and .backward()."""
    import torch
    import torch.autograd.functional as AF
    torch.set_num_threads(int(os.environ.get("WENGERT_BENCH_THREADS", "1")))
    tp = _TorchNumpy(torch)
    d = _torch_data(torch)
    W, xh, A, B, xt, Ww, Vw, xw = (d[k] for k in ("W", "xh", "A", "B", "xt", "Ww", "Vw",
                                                  "xw"))
    params, X, Y = d["params"], d["X"], d["Y"]

    def loop():
        out = []
        for i in range(BATCH):
            ps = [p.detach().requires_grad_() for p in params]
            mlp_loss(tp, ps, X[i], Y[i]).backward()
            out.append([p.grad for p in ps])
        return out

    return {"hessian tanh": lambda: AF.hessian(lambda x: hess_tanh(tp, W, x), xh),
            "hessian rosen": lambda: AF.hessian(lambda x: rosen(tp, x), xh),
            "jacfwd tall": lambda: AF.jacobian(lambda x: tall(tp, A, B, x), xt),
            "jacrev wide": lambda: AF.jacobian(lambda x: wide(tp, Ww, Vw, x), xw),
            "loop of grad": loop}


def torch_func_impl():
    import torch
    import torch.func as F
    torch.set_num_threads(int(os.environ.get("WENGERT_BENCH_THREADS", "1")))
    tp = _TorchNumpy(torch)
    d = _torch_data(torch)
    W, xh, A, B, xt, Ww, Vw, xw = (d[k] for k in ("W", "xh", "A", "B", "xt", "Ww", "Vw",
                                                  "xw"))
    params, X, Y = d["params"], d["X"], d["Y"]
    loss = lambda p, x, y: mlp_loss(tp, p, x, y)
    pe = F.vmap(F.grad(loss), in_dims=(None, 0, 0))
    g = F.grad(loss)
    h_tanh = F.hessian(lambda x: hess_tanh(tp, W, x))
    h_rosen = F.hessian(lambda x: rosen(tp, x))
    j_tall = F.jacfwd(lambda x: tall(tp, A, B, x))
    j_wide = F.jacrev(lambda x: wide(tp, Ww, Vw, x))
    return {"hessian tanh": lambda: h_tanh(xh), "hessian rosen": lambda: h_rosen(xh),
            "jacfwd tall": lambda: j_tall(xt), "jacrev wide": lambda: j_wide(xw),
            "per-example": lambda: pe(params, X, Y),
            "loop of grad": lambda: [g(params, X[i], Y[i]) for i in range(BATCH)]}


IMPLS = {"wengert": wengert_impl, "autograd": autograd_impl, "torch": torch_impl,
         "torch.func": torch_func_impl, "jax": jax_impl, "jax.jit": lambda: jax_impl(True)}


# ---------------------------------------------------------------- timing

def _np(a):
    return a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)


def _agrees(row, got, want):
    if row in ("per-example", "loop of grad"):
        if isinstance(got, list) and got and isinstance(got[0], (list, tuple)):
            got = [np.stack([_np(g[k]) for g in got]) for k in range(len(want))]
        return all(np.allclose(_np(g), w, rtol=1e-8, atol=1e-10) for g, w in zip(got, want))
    return np.allclose(_np(got), want, rtol=1e-8, atol=1e-10 * np.abs(want).max())


def child(lib, repeat, min_time):
    ref = reference(data())
    try:
        impl = IMPLS[lib]()
    except ImportError as err:
        print(json.dumps({"error": f"n/a ({err})"}))
        return
    out = {}
    for row in ROWS:
        if row not in impl:
            continue
        try:
            ok = _agrees(row, impl[row](), ref[row])
        except Exception as err:  # a row this library (or tree) cannot run
            out[row] = {"error": f"{type(err).__name__}: {err}"[:200]}
            continue
        out[row] = {"ok": bool(ok), "time": per_call(impl[row], repeat, min_time)}
    print(json.dumps(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--libs", default=",".join(LIBS))
    ap.add_argument("--src", action="append", default=[],
                    help="another wengert source tree (its src/ folder): a column more")
    ap.add_argument("--threads", type=int, default=1,
                    help="BLAS / OpenMP / torch / XLA threads for every library (default "
                         "1: on a shared 2-core machine more threads mostly add noise)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    repeat, min_time = (3, 0.2) if args.quick else (7, 0.5)
    if args.child:
        child(args.child, repeat, min_time)
        return
    flags = ["--quick"] if args.quick else []
    t = args.threads
    xla = {"XLA_FLAGS": f"--xla_cpu_multi_thread_eigen={'true' if t > 1 else 'false'} "
                        f"intra_op_parallelism_threads={t}"}
    here = str(HERE.parents[1] / "src")
    columns = []   # (label, lib, PYTHONPATH)
    for lib in args.libs.split(","):
        columns.append((lib, lib, here))
        if lib == "wengert":
            columns += [(f"wengert {s}", "wengert", s) for s in args.src]
    results = {}
    for label, lib, src in columns:
        env = dict(xla, PYTHONPATH=src + os.pathsep + os.environ.get("PYTHONPATH", ""))
        results[label] = run_child(HERE, [lib] + flags, threads=t, env=env)
    print(f"load average {os.getloadavg()[0]:.2f}; numpy {np.__version__}; {t} thread(s) "
          f"per library")
    labels = [c[0] for c in columns]
    print("| workload |  | " + " | ".join(labels) + " |")
    print("|---|---|" + "---:|" * len(labels))
    failed = False
    for row in ROWS:
        base = results.get("torch.func", {}).get(row, {}).get("time")
        cells, ratios = [], []
        for label in labels:
            r = results[label]
            if "error" in r:
                cells.append("n/a")
                ratios.append("")
                continue
            c = r.get(row)
            if c is None or "error" in c:
                cells.append("-" if c is None else "error")
                ratios.append("")
                continue
            failed |= not c["ok"]
            cells.append(fmt(c["time"]) + ("" if c["ok"] else " !WRONG"))
            ratios.append(f"{c['time'] / base:.2f}x" if base else "")
        print(f"| {row} | time/call | " + " | ".join(cells) + " |")
        if base:
            print("|  | x torch.func | " + " | ".join(ratios) + " |")
    for label in labels:
        r = results[label]
        if "error" in r:
            print(f"{label}: {r['error']}", file=sys.stderr)
        for row, c in r.items():
            if isinstance(c, dict) and "error" in c:
                print(f"{label}, {row}: {c['error']}", file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
