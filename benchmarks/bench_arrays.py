"""Array workloads: wengert against hand-written numpy derivatives and peer AD libraries.

Run by hand (this is not a test):

    python benchmarks/bench_arrays.py            # full run, a few minutes
    python benchmarks/bench_arrays.py --quick    # fewer repeats

Workloads (rows):
  GP N=200      negative log marginal likelihood of a Gaussian process (RBF kernel, three
                log-parameters, 200 points) and its gradient: cholesky and triangular solves
  MLP f64/f32   loss and gradient of a tanh MLP 784-512-256-10 with softmax cross-entropy,
                batch 256, in float64 and in float32

Libraries (columns): hand-written numpy (the derivative worked out by hand: the floor),
wengert, HIPS autograd, PyTorch eager (CPU) and JAX (not jitted). A library that cannot be
imported shows "n/a". Each library runs in a process of its own; its loss and gradient are
checked against the hand-written ones before it is timed (relative 1e-6 in float64, 1e-3
in float32). Times are the median of 7 repeats (3 with --quick) of a calibrated loop.
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
N_GP = 200
SIZES = (784, 512, 256, 10)
BATCH = 256
ROWS = ["GP N=200", "MLP f64", "MLP f32"]
LIBS = ["numpy", "wengert", "autograd", "torch", "jax"]


def gp_data():
    rng = np.random.default_rng(0)
    x = np.sort(rng.uniform(-3, 3, N_GP))
    y = np.sin(2 * x) + 0.1 * rng.standard_normal(N_GP)
    theta = np.array([np.log(0.8), np.log(1.3), np.log(0.05)])
    return x, y, theta


def mlp_data(dtype):
    rng = np.random.default_rng(1)
    params = []
    for m, n in zip(SIZES[:-1], SIZES[1:]):
        params.append((rng.standard_normal((m, n)) / np.sqrt(m)).astype(dtype))
        params.append(np.zeros(n, dtype=dtype))
    X = rng.standard_normal((BATCH, SIZES[0])).astype(dtype)
    labels = rng.integers(0, SIZES[-1], BATCH)
    Y = np.eye(SIZES[-1], dtype=dtype)[labels]
    return params, X, Y


# ---------------------------------------------------------------- generic model code
# written once over a numpy-like module `xp` (numpy, wengert.numpy, autograd.numpy, jnp)

def gp_nll(xp, solve_tri, theta, x, y):
    ell, s2, noise = xp.exp(theta[0]), xp.exp(theta[1]), xp.exp(theta[2])
    d2 = (x[:, None] - x[None, :]) ** 2
    K = s2 * xp.exp(-0.5 * d2 / ell ** 2) + noise * xp.eye(len(x))
    L = xp.linalg.cholesky(K)
    z = solve_tri(L, y)
    # diagonal over axes (-1, -2): the form HIPS autograd can differentiate
    return 0.5 * xp.sum(z ** 2) + xp.sum(xp.log(xp.diagonal(L, 0, -1, -2))) \
        + 0.5 * len(x) * np.log(2 * np.pi)


def mlp_loss(xp, params, X, Y):
    h = X
    for k in range(0, len(params) - 2, 2):
        h = xp.tanh(h @ params[k] + params[k + 1])
    logits = h @ params[-2] + params[-1]
    m = xp.max(logits, axis=1, keepdims=True)
    lse = xp.log(xp.sum(xp.exp(logits - m), axis=1, keepdims=True)) + m
    return -xp.sum(Y * (logits - lse)) / X.shape[0]


# ---------------------------------------------------------------- implementations

def numpy_impl():
    """The derivatives worked out by hand."""
    import scipy.linalg as sl
    x, y, theta = gp_data()

    def gp():
        ell, s2, noise = np.exp(theta)
        d2 = (x[:, None] - x[None, :]) ** 2
        E = np.exp(-0.5 * d2 / ell ** 2)
        K = s2 * E + noise * np.eye(N_GP)
        L = np.linalg.cholesky(K)
        z = sl.solve_triangular(L, y, lower=True)
        alpha = sl.solve_triangular(L.T, z, lower=False)
        nll = 0.5 * z @ z + np.log(np.diagonal(L)).sum() + 0.5 * N_GP * np.log(2 * np.pi)
        Kinv = sl.cho_solve((L, True), np.eye(N_GP))
        W = Kinv - np.outer(alpha, alpha)   # d nll / dK = W / 2
        dK = [s2 * E * d2 / ell ** 2, s2 * E, noise * np.eye(N_GP)]  # d K / d log-params
        return nll, np.array([0.5 * np.sum(W * d) for d in dK])

    def mlp(dtype):
        params, X, Y = mlp_data(dtype)

        def run():
            hs = [X]
            for k in range(0, len(params) - 2, 2):
                hs.append(np.tanh(hs[-1] @ params[k] + params[k + 1]))
            logits = hs[-1] @ params[-2] + params[-1]
            m = logits.max(axis=1, keepdims=True)
            e = np.exp(logits - m)
            s = e.sum(axis=1, keepdims=True)
            loss = -np.sum(Y * (logits - np.log(s) - m)) / BATCH
            g = (e / s * Y.sum(axis=1, keepdims=True) - Y) / BATCH
            grads = [None] * len(params)
            for k in range(len(params) - 2, -1, -2):
                grads[k] = hs[k // 2].T @ g
                grads[k + 1] = g.sum(axis=0)
                if k:
                    g = (g @ params[k].T) * (1 - hs[k // 2] ** 2)
            return loss, grads
        return run

    return {"GP N=200": gp, "MLP f64": mlp(np.float64), "MLP f32": mlp(np.float32)}


def _functional(xp, value_and_grad, solve_tri):
    x, y, theta = gp_data()
    gp_vg = value_and_grad(lambda t: gp_nll(xp, solve_tri, t, x, y))

    def mlp(dtype):
        params, X, Y = mlp_data(dtype)
        vg = value_and_grad(lambda p: mlp_loss(xp, p, X, Y))
        return lambda: vg(list(params))

    return {"GP N=200": lambda: gp_vg(theta), "MLP f64": mlp(np.float64),
            "MLP f32": mlp(np.float32)}


def wengert_impl():
    try:
        import wengert as wg
    except ImportError:
        sys.path.insert(0, str(HERE.parents[1] / "src"))
        import wengert as wg
    import wengert.numpy as wnp
    from wengert.scipy.linalg import solve_triangular
    return _functional(wnp, wg.value_and_grad,
                       lambda L, b: solve_triangular(L, b, lower=True))


def autograd_impl():
    import autograd
    import autograd.numpy as anp
    import autograd.scipy.linalg as asl
    return _functional(anp, autograd.value_and_grad,
                       lambda L, b: asl.solve_triangular(L, b, lower=True))


def jax_impl():
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import jax.scipy.linalg as jsl
    return _functional(jnp, jax.value_and_grad,
                       lambda L, b: jsl.solve_triangular(L, b, lower=True))


def torch_impl():
    import torch
    torch.set_num_threads(int(os.environ.get("WENGERT_BENCH_THREADS", "1")))
    x, y, theta = gp_data()
    tx, ty = torch.tensor(x), torch.tensor(y)

    def gp():
        t = torch.tensor(theta, requires_grad=True)
        ell, s2, noise = torch.exp(t[0]), torch.exp(t[1]), torch.exp(t[2])
        d2 = (tx[:, None] - tx[None, :]) ** 2
        K = s2 * torch.exp(-0.5 * d2 / ell ** 2) + noise * torch.eye(N_GP, dtype=torch.float64)
        L = torch.linalg.cholesky(K)
        z = torch.linalg.solve_triangular(L, ty[:, None], upper=False)[:, 0]
        nll = 0.5 * (z ** 2).sum() + torch.log(torch.diagonal(L)).sum() \
            + 0.5 * N_GP * float(np.log(2 * np.pi))
        nll.backward()
        return nll, t.grad

    def mlp(dtype):
        params, X, Y = mlp_data(dtype)
        tX, tY = torch.from_numpy(X), torch.from_numpy(Y)

        def run():
            ps = [torch.tensor(p, requires_grad=True) for p in params]
            loss = mlp_loss(_TorchNumpy(torch), ps, tX, tY)
            loss.backward()
            return loss, [p.grad for p in ps]
        return run

    return {"GP N=200": gp, "MLP f64": mlp(np.float64), "MLP f32": mlp(np.float32)}


class _TorchNumpy:
    """The few numpy names mlp_loss uses, over torch."""

    def __init__(self, torch):
        self.tanh, self.exp, self.log = torch.tanh, torch.exp, torch.log
        self._t = torch

    def max(self, a, axis, keepdims):
        return self._t.amax(a, dim=axis, keepdim=keepdims)

    def sum(self, a, axis=None, keepdims=False):
        return a.sum() if axis is None else a.sum(dim=axis, keepdim=keepdims)


IMPLS = {"numpy": numpy_impl, "wengert": wengert_impl, "autograd": autograd_impl,
         "torch": torch_impl, "jax": jax_impl}


# ---------------------------------------------------------------- timing

def _flat(result):
    value, grads = result
    if isinstance(grads, (list, tuple)):
        parts = [np.ravel(np.asarray(_np(g), dtype=float)) for g in grads]
        return float(_np(value)), np.concatenate(parts)
    return float(_np(value)), np.ravel(np.asarray(_np(grads), dtype=float))


def _np(a):
    return a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)


def child(lib, repeat, min_time):
    ref = numpy_impl()
    try:
        impl = IMPLS[lib]()
    except ImportError as err:
        print(json.dumps({"error": f"n/a ({err})"}))
        return
    out = {}
    for row in ROWS:
        want = _flat(ref[row]())
        got = _flat(impl[row]())
        tol = 1e-3 if row.endswith("f32") else 1e-6
        ok = abs(got[0] - want[0]) <= tol * abs(want[0]) and np.allclose(
            got[1], want[1], rtol=tol, atol=tol * np.abs(want[1]).max())
        out[row] = {"ok": bool(ok), "time": per_call(impl[row], repeat, min_time)}
    print(json.dumps(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--libs", default=",".join(LIBS))
    ap.add_argument("--threads", type=int, default=1,
                    help="BLAS / OpenMP / torch threads for every library (default 1: "
                         "on a shared 2-core machine more threads mostly add noise)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    repeat, min_time = (3, 0.2) if args.quick else (7, 0.5)
    if args.child:
        child(args.child, repeat, min_time)
        return
    libs = args.libs.split(",")
    results = {}
    for lib in libs:
        results[lib] = run_child(HERE, [lib] + (["--quick"] if args.quick else []),
                                 threads=args.threads)
    print(f"load average {os.getloadavg()[0]:.2f}; numpy {np.__version__}; "
          f"{args.threads} thread(s) per library")
    print("| workload |  | " + " | ".join(libs) + " |")
    print("|---|---|" + "---:|" * len(libs))
    failed = False
    for row in ROWS:
        base = results.get("numpy", {}).get(row, {}).get("time")
        cells, ratios = [], []
        for lib in libs:
            r = results[lib]
            if "error" in r:
                cells.append("n/a")
                ratios.append("")
                continue
            c = r[row]
            failed |= not c["ok"]
            cells.append(fmt(c["time"]) + ("" if c["ok"] else " !WRONG"))
            ratios.append(f"{c['time'] / base:.2f}x" if base else "")
        print(f"| {row} | time/call | " + " | ".join(cells) + " |")
        print("|  | x numpy | " + " | ".join(ratios) + " |")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
