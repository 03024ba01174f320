"""PyTorch's ``torch.utils`` over wengert: ``wengert.utils.data`` holds the
datasets, samplers and ``DataLoader``."""

from . import data  # noqa: F401

__all__ = ["data"]
