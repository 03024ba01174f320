"""A small CNN on scikit-learn's handwritten digits, written as a PyTorch program with
wengert (Conv2d, MaxPool2d, ReLU, Linear, CrossEntropyLoss, Adam, DataLoader).

    python examples/digits_cnn.py [--epochs 15]

Prints a progress bar, the test accuracy (about 98%) and the training time.
"""

import argparse
import sys

import wengert as wg
from wengert import nn

from _digits import load, train


class DigitsCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=3, padding=1)    # 16 x 8 x 8
        self.conv2 = nn.Conv2d(16, 32, kernel_size=3, padding=1)   # 32 x 4 x 4
        self.pool = nn.MaxPool2d(2)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(32 * 2 * 2, 64), nn.ReLU(),
                                  nn.Linear(64, 10))

    def forward(self, x):
        x = x.unsqueeze(1)                       # (N, 8, 8) -> (N, 1, 8, 8)
        x = self.pool(wg.relu(self.conv1(x)))    # (N, 16, 4, 4)
        x = self.pool(wg.relu(self.conv2(x)))    # (N, 32, 2, 2)
        return self.head(x)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--lr", type=float, default=3e-3)
    args = ap.parse_args(argv)
    wg.manual_seed(0)
    model = DigitsCNN()
    print(model)
    acc, seconds, losses = train(model, load(), args.epochs, args.lr)
    print(f"CNN: loss {losses[0]:.4f} -> {losses[-1]:.4f}; test accuracy {acc:.1%}; "
          f"{seconds:.1f} s for {args.epochs} epochs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
