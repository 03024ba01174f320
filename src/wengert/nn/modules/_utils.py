"""Helpers shared by the layers: empty parameters of a dtype, int pairs."""

import numbers

import numpy as np

from ...tensors import Parameter, Tensor, get_default_dtype
from ...tensors._tensor import _check_device


def empty_parameter(*shape, dtype=None, device=None, requires_grad=True):
    """A zero-filled ``Parameter`` (the layer's ``reset_parameters`` fills it)."""
    _check_device(device)
    dt = np.dtype(dtype) if dtype is not None else get_default_dtype()
    return Parameter(Tensor._wrap(np.zeros(shape, dtype=dt), None),
                     requires_grad=requires_grad)


def empty_buffer(*shape, dtype=None, device=None, fill=0.0):
    _check_device(device)
    dt = np.dtype(dtype) if dtype is not None else get_default_dtype()
    return Tensor._wrap(np.full(shape, fill, dtype=dt), None)


def pair(v):
    return (int(v), int(v)) if isinstance(v, numbers.Integral) else tuple(int(x) for x in v)


def single(v):
    return (int(v),) if isinstance(v, numbers.Integral) else tuple(int(x) for x in v)
