"""The Tensor half against PyTorch eager and hand-written numpy.

Run by hand (this is not a test):

    python benchmarks/bench_tensors.py            # full run
    python benchmarks/bench_tensors.py --quick    # fewer repeats

Workloads (rows):
  MLP f64/f32  one loss-and-gradient step of a tanh MLP 784-512-256-10 with softmax
               cross-entropy, batch 256, written with nn.Linear / nn.Tanh /
               nn.CrossEntropyLoss and .backward() (numpy: the same step by hand)
  logreg 200   seed 004's logistic regression: 200 steps of gradient descent on 200
               samples with 3 features (loss, .backward(), update under no_grad),
               where per-call overhead is everything
  CNN step     the digits CNN of examples/digits_cnn.py (conv 16 3x3, pool, conv 32
               3x3, pool, linear 128-64-10) on a batch of 64 8x8 images, float32

Columns: hand-written numpy (MLP only), wengert's Tensor API, PyTorch eager (CPU). Each
library runs in a process of its own; results are checked against each other (loss to
1e-6 relative in float64) before timing; medians of 7 repeats (3 with --quick).
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
ROWS = ["MLP f64", "MLP f32", "logreg 200", "CNN step"]
LIBS = ["numpy", "wengert", "torch"]


def mlp_weights(dtype):
    rng = np.random.default_rng(1)
    sizes = (784, 512, 256, 10)
    ws = [(rng.standard_normal((n, m)) / np.sqrt(m)).astype(dtype)  # (out, in) as nn
          for m, n in zip(sizes[:-1], sizes[1:])]
    bs = [np.zeros(n, dtype=dtype) for n in sizes[1:]]
    X = rng.standard_normal((256, 784)).astype(dtype)
    labels = rng.integers(0, 10, 256)
    return ws, bs, X, labels


def logreg_data():
    rng = np.random.default_rng(0)
    xy = rng.random((200, 2))
    return np.hstack([np.ones((200, 1)), xy]), (xy.sum(axis=1) > 1.0).astype(np.float64)


def cnn_data():
    rng = np.random.default_rng(2)
    x = rng.random((64, 1, 8, 8)).astype(np.float32)
    y = rng.integers(0, 10, 64)
    return x, y


# ---------------------------------------------------------------- numpy, by hand

def numpy_impl():
    def mlp(dtype):
        ws, bs, X, labels = mlp_weights(dtype)
        Y = np.eye(10, dtype=dtype)[labels]

        def step():
            hs = [X]
            for W, b in zip(ws[:-1], bs[:-1]):
                hs.append(np.tanh(hs[-1] @ W.T + b))
            logits = hs[-1] @ ws[-1].T + bs[-1]
            m = logits.max(axis=1, keepdims=True)
            e = np.exp(logits - m)
            s = e.sum(axis=1, keepdims=True)
            loss = -np.sum(Y * (logits - np.log(s) - m)) / 256
            g = (e / s - Y) / 256
            grads = []
            for k in range(2, -1, -1):
                grads.append((g.T @ hs[k], g.sum(axis=0)))
                if k:
                    g = (g @ ws[k]) * (1 - hs[k] ** 2)
            return float(loss), grads
        return step

    def logreg():
        x, y = logreg_data()
        w = np.zeros(3)
        for _ in range(200):
            p = 1 / (1 + np.exp(-(x @ w)))
            loss = -np.mean(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))
            w = w - 1.0 * (x.T @ (p - y)) / 200
        return float(loss), w

    return {"MLP f64": mlp(np.float64), "MLP f32": mlp(np.float32), "logreg 200": logreg}


# ---------------------------------------------------------------- Tensor APIs

def tensor_impl(torch, nn):
    """The same programs for wengert and PyTorch: only the module differs."""

    def mlp(dtype):
        ws, bs, X, labels = mlp_weights(dtype)
        model = nn.Sequential(nn.Linear(784, 512), nn.Tanh(), nn.Linear(512, 256),
                              nn.Tanh(), nn.Linear(256, 10))
        with torch.no_grad():
            for layer, W, b in zip([model[0], model[2], model[4]], ws, bs):
                layer.weight.copy_(torch.from_numpy(W))
                layer.bias.copy_(torch.from_numpy(b))
        model = model.to(torch.float64 if dtype == np.float64 else torch.float32)
        xb, yb = torch.from_numpy(X), torch.from_numpy(labels)
        loss_fn = nn.CrossEntropyLoss()

        def step():
            model.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            return loss.item(), [p.grad for p in model.parameters()]
        return step

    def logreg():
        x, y = logreg_data()
        X, Y = torch.from_numpy(x), torch.from_numpy(y)
        w = torch.zeros(3, dtype=torch.float64, requires_grad=True)
        for _ in range(200):
            p = torch.sigmoid(X @ w)
            loss = -(Y * torch.log(p + 1e-12) + (1 - Y) * torch.log(1 - p + 1e-12)).mean()
            loss.backward()
            with torch.no_grad():
                w -= 1.0 * w.grad
            w.grad = None
        return loss.item(), w.detach().numpy()

    def cnn():
        torch.manual_seed(0)
        model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Flatten(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
        x, y = cnn_data()
        xb, yb = torch.from_numpy(x), torch.from_numpy(y)
        loss_fn = nn.CrossEntropyLoss()

        def step():
            model.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            return loss.item(), None
        return step

    return {"MLP f64": mlp(np.float64), "MLP f32": mlp(np.float32), "logreg 200": logreg,
            "CNN step": cnn()}


def wengert_impl():
    try:
        import wengert as wg
    except ImportError:
        sys.path.insert(0, str(HERE.parents[1] / "src"))
        import wengert as wg
    from wengert import nn
    return tensor_impl(wg, nn)


def torch_impl():
    import torch
    from torch import nn
    torch.set_num_threads(int(os.environ.get("WENGERT_BENCH_THREADS", "1")))
    return tensor_impl(torch, nn)


IMPLS = {"numpy": numpy_impl, "wengert": wengert_impl, "torch": torch_impl}


def child(lib, repeat, min_time):
    try:
        impl = IMPLS[lib]()
    except ImportError as err:
        print(json.dumps({"error": f"n/a ({err})"}))
        return
    out = {}
    for row in ROWS:
        if row not in impl:
            continue
        loss = impl[row]()[0]
        out[row] = {"loss": float(loss), "time": per_call(impl[row], repeat, min_time)}
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
    ok = True
    for row in ROWS:
        cells, vs_numpy, vs_torch, losses = [], [], [], []
        base = results.get("numpy", {}).get(row, {}).get("time")
        ref = results.get("torch", {}).get(row, {}).get("time")
        for lib in libs:
            c = results[lib].get(row) if "error" not in results[lib] else None
            if c is None:
                cells.append("n/a")
                vs_numpy.append("")
                vs_torch.append("")
                continue
            losses.append(c["loss"])
            cells.append(fmt(c["time"]))
            vs_numpy.append(f"{c['time'] / base:.2f}x" if base else "")
            vs_torch.append(f"{c['time'] / ref:.2f}x" if ref else "")
        if row != "CNN step" and row != "MLP f32" and losses and \
                not np.allclose(losses, losses[0], rtol=1e-6):
            ok = False
            cells = [c + " !" for c in cells]
        print(f"| {row} | time | " + " | ".join(cells) + " |")
        print("|  | x numpy | " + " | ".join(vs_numpy) + " |")
        print("|  | x PyTorch | " + " | ".join(vs_torch) + " |")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
