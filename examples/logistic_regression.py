"""Seed 004's logistic regression, with wengert's Tensor API.

The data: points in the unit square, labelled 1 above the line x + y = 1 and 0 below
it, with a bias column of ones in front (so each sample has 3 features). The model:
p = sigmoid(x . w). The loss: mean binary cross-entropy, minimised by gradient descent
with ``loss.backward()`` and an in-place update under ``no_grad``, as in PyTorch.

    python examples/logistic_regression.py [--steps 2000] [--lr 1.0] [--plot out.png]

Shows a progress bar (rich or tqdm when installed), prints the accuracy, and saves a
plot of the loss curve and the decision boundary (matplotlib; without it the script
says how to install it and still trains).
"""

import argparse
import sys

import numpy as np

import wengert as wg


def make_data(n, seed=0):
    """Seed 004's gen_2d_data: n points, a bias column, labels by x + y > 1."""
    rng = np.random.default_rng(seed)
    xy = rng.random((n, 2))
    labels = (xy.sum(axis=1) > 1.0).astype(np.float64)
    return np.hstack([np.ones((n, 1)), xy]), labels


def accuracy(w, x, y):
    with wg.no_grad():
        p = (wg.from_numpy(x) @ w).sigmoid()
    return float(((p.numpy() > 0.5) == (y > 0.5)).mean())


def progress(total):
    """A progress-bar callback: rich, else tqdm, else a plain line every 10%."""
    try:
        from rich.progress import Progress
        bar = Progress()
        task = bar.add_task("training", total=total)
        bar.start()

        def advance(step, loss):
            bar.update(task, advance=1, description=f"loss {loss:.4f}")
            if step == total - 1:
                bar.stop()
        return advance
    except ImportError:
        pass
    try:
        from tqdm import tqdm
        bar = tqdm(total=total)

        def advance(step, loss):
            bar.update(1)
            bar.set_postfix(loss=f"{loss:.4f}")
            if step == total - 1:
                bar.close()
        return advance
    except ImportError:
        pass

    def advance(step, loss):
        if (step + 1) % max(1, total // 10) == 0:
            print(f"step {step + 1:>6}/{total}  loss {loss:.4f}")
    return advance


def train(x, y, steps, lr, show=None):
    """Gradient descent on the mean cross-entropy; returns (w, losses)."""
    X, Y = wg.from_numpy(x), wg.from_numpy(y)
    w = wg.zeros(3, dtype=wg.float64, requires_grad=True)
    losses = []
    for step in range(steps):
        p = (X @ w).sigmoid()
        loss = -(Y * wg.log(p + 1e-12) + (1 - Y) * wg.log(1 - p + 1e-12)).mean()
        loss.backward()
        with wg.no_grad():
            w -= lr * w.grad
        w.grad = None
        losses.append(loss.item())
        if show:
            show(step, losses[-1])
    return w, losses


def plot(path, x, y, w, losses):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("the plot needs matplotlib: pip install 'wengert[plot]' (training ran anyway)")
        return None
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4.2))
    a.plot(losses)
    a.set_xlabel("step")
    a.set_ylabel("mean cross-entropy")
    a.set_yscale("log")
    a.set_title("loss")
    a.grid(alpha=0.3)
    b.scatter(x[y == 0, 1], x[y == 0, 2], s=12, label="class 0")
    b.scatter(x[y == 1, 1], x[y == 1, 2], s=12, label="class 1")
    w0, w1, w2 = w.detach().numpy()
    u = np.linspace(0, 1, 2)
    b.plot(u, -(w0 + w1 * u) / w2, "k-", label="decision boundary")
    b.set_xlim(0, 1)
    b.set_ylim(0, 1)
    b.set_title("sigmoid(x . w) = 0.5")
    b.legend(loc="upper right", fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(argv=None):
    ap = argparse.ArgumentParser(description="Seed 004's logistic regression, trained "
                                             "with wengert's Tensor API")
    ap.add_argument("--n", type=int, default=200, help="number of samples")
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--lr", type=float, default=1.0)
    ap.add_argument("--plot", default="logistic_regression.png",
                    help="where to save the plot ('' for none)")
    args = ap.parse_args(argv)
    x, y = make_data(args.n)
    w, losses = train(x, y, args.steps, args.lr, show=progress(args.steps))
    acc = accuracy(w, x, y)
    print(f"loss {losses[0]:.4f} -> {losses[-1]:.4f}; accuracy {acc:.1%}; "
          f"w = {np.round(w.detach().numpy(), 3).tolist()}")
    if args.plot:
        saved = plot(args.plot, x, y, w, losses)
        if saved:
            print(f"plot saved to {saved}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
