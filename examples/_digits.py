"""Shared by the digits examples: scikit-learn's bundled handwritten digits (8x8
images, 1,797 of them, no download), split, scaled, and a training loop with a
progress bar, written as a PyTorch program with wengert's nn / optim / DataLoader."""

import sys
import time

import numpy as np

import wengert as wg
from wengert.utils.data import DataLoader, TensorDataset


def load(seed=0):
    """(x_train, y_train, x_test, y_test): pixels scaled to [0, 1], a fixed 80/20
    split. Says how to get scikit-learn when it is missing."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        sys.exit("this example reads scikit-learn's bundled digits: "
                 "pip install scikit-learn")
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(y))
    cut = int(0.8 * len(y))
    train, test = order[:cut], order[cut:]
    return x[train], y[train], x[test], y[test]


def progress(total, label):
    """An updating bar (rich or tqdm when installed), else a line per epoch."""
    try:
        from rich.progress import Progress
        bar = Progress(transient=False)
        task = bar.add_task(label, total=total)
        bar.start()
        return (lambda text: bar.update(task, advance=1, description=text)), bar.stop
    except ImportError:
        pass
    try:
        from tqdm import tqdm
        bar = tqdm(total=total, desc=label)

        def step(text):
            bar.update(1)
            bar.set_postfix_str(text)
        return step, bar.close
    except ImportError:
        return (lambda text: print(text)), (lambda: None)


def accuracy(model, x, y):
    model.eval()
    with wg.no_grad():
        pred = model(wg.from_numpy(x)).argmax(dim=1).numpy()
    model.train()
    return float((pred == y).mean())


def train(model, data, epochs, lr, batch_size=64, seed=0):
    """Adam on cross-entropy; returns (test accuracy, seconds, losses per epoch)."""
    x_train, y_train, x_test, y_test = data
    wg.manual_seed(seed)
    loader = DataLoader(TensorDataset(wg.from_numpy(x_train), wg.from_numpy(y_train)),
                        batch_size=batch_size, shuffle=True)
    loss_fn = wg.nn.CrossEntropyLoss()
    optimizer = wg.optim.Adam(model.parameters(), lr=lr)
    step, close = progress(epochs, "training")
    losses = []
    start = time.perf_counter()
    for epoch in range(epochs):
        total = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(yb)
        losses.append(total / len(y_train))
        step(f"epoch {epoch + 1}/{epochs} loss {losses[-1]:.4f}")
    close()
    seconds = time.perf_counter() - start
    return accuracy(model, x_test, y_test), seconds, losses
