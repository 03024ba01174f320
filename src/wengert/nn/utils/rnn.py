"""``pad_sequence``: a list of variable-length tensors as one padded tensor."""

from ... import numpy as wnp
from .. import functional as F

__all__ = ["pad_sequence"]


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack tensors of shape (L_i, *) into (max L, B, *) (or (B, max L, *) with
    ``batch_first``), padding with ``padding_value`` on ``padding_side``."""
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got "
                         f"{padding_side}.")
    sequences = list(sequences)
    longest = max(F._shape(s)[0] for s in sequences)
    padded = []
    for s in sequences:
        shape = F._shape(s)
        extra = longest - shape[0]
        widths = [(0, 0)] * len(shape)
        widths[0] = (extra, 0) if padding_side == "left" else (0, extra)
        padded.append(wnp.pad(s, widths, mode="constant", constant_values=padding_value)
                      if extra else s)
    return wnp.stack(padded, axis=0 if batch_first else 1)
