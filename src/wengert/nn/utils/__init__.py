"""``wengert.nn.utils``: gradient clipping and parameter vectors, as PyTorch's
``torch.nn.utils`` (and ``rnn.pad_sequence``). These act on gradients and values
after the backward pass; nothing here is recorded."""

from . import rnn  # noqa: F401
from .clip_grad import clip_grad_norm_, clip_grad_value_
from .convert_parameters import parameters_to_vector, vector_to_parameters

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector",
           "vector_to_parameters", "rnn"]
