"""One flat vector from the parameters, and back."""

import numpy as np

from ... import numpy as wnp
from ...core.trace import unbox_all
from ...tensors import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters):
    """The parameters flattened and joined into one vector (differentiable)."""
    return wnp.concatenate([wnp.reshape(p, (-1,)) for p in parameters])


def vector_to_parameters(vec, parameters):
    """Write consecutive slices of ``vec`` into the parameters' data."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    flat = np.asarray(unbox_all(vec._value))
    pointer = 0
    for p in parameters:
        n = p.numel()
        p.data = Tensor._wrap(flat[pointer:pointer + n].reshape(tuple(p.shape)), None)
        pointer += n
