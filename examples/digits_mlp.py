"""An MLP on scikit-learn's handwritten digits, written as a PyTorch program with
wengert (nn.Sequential, CrossEntropyLoss, Adam, DataLoader).

    python examples/digits_mlp.py [--epochs 30]

Prints a progress bar, the test accuracy (about 97%) and the training time.
"""

import argparse
import sys

import wengert as wg
from wengert import nn

from _digits import load, train


def make_model():
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(64, 128),
        nn.ReLU(),
        nn.Linear(128, 64),
        nn.ReLU(),
        nn.Linear(64, 10),
    )


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--lr", type=float, default=1e-3)
    args = ap.parse_args(argv)
    wg.manual_seed(0)
    model = make_model()
    print(model)
    acc, seconds, losses = train(model, load(), args.epochs, args.lr)
    print(f"MLP: loss {losses[0]:.4f} -> {losses[-1]:.4f}; test accuracy {acc:.1%}; "
          f"{seconds:.1f} s for {args.epochs} epochs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
