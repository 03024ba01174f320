"""The PyTorch half: ``Tensor`` with ``.backward()``, constructors, grad modes and
custom ``Function``s, all on the primitives and rules of the functional half.

A program written for PyTorch ports by changing its imports (``import wengert as
torch`` style): the names, keywords, dtype rules and error messages are PyTorch's.
"""

from types import SimpleNamespace

import numpy as _np

from . import _methods  # noqa: F401  (PyTorch's method names on Tensor)
from . import autograd  # noqa: F401
from ._creation import *  # noqa: F401,F403
from ._creation import __all__ as _creation_all
from ._functions import *  # noqa: F401,F403
from ._functions import __all__ as _functions_all
from ._serialization import load, save
from ._tensor import Parameter, Size, Tensor, device, get_default_dtype, set_default_dtype
from .autograd import (Function, enable_grad, is_grad_enabled, no_grad,
                       set_grad_enabled)

float32 = float = _np.float32  # noqa: A001  (PyTorch's dtype names)
float64 = double = _np.float64
float16 = half = _np.float16
int64 = long = _np.int64
int32 = int = _np.int32  # noqa: A001
int16 = short = _np.int16
int8 = _np.int8
uint8 = _np.uint8
bool = _np.bool_  # noqa: A001
complex64 = cfloat = _np.complex64
complex128 = cdouble = _np.complex128

# the accelerator queries of PyTorch's tutorials: wengert's tensors live on the CPU
cuda = SimpleNamespace(is_available=lambda: False, device_count=lambda: 0)
accelerator = SimpleNamespace(is_available=lambda: False, current_accelerator=lambda: None,
                              device_count=lambda: 0)
backends = SimpleNamespace(mps=SimpleNamespace(is_available=lambda: False,
                                               is_built=lambda: False),
                           cuda=SimpleNamespace(is_built=lambda: False))

DTYPES = ["float32", "float", "float64", "double", "float16", "half", "int64", "long",
          "int32", "int", "int16", "short", "int8", "uint8", "bool", "complex64",
          "cfloat", "complex128", "cdouble"]

__all__ = (["Tensor", "Parameter", "Size", "device", "Function", "save", "load", "no_grad", "enable_grad",
            "set_grad_enabled", "is_grad_enabled", "get_default_dtype",
            "set_default_dtype", "cuda", "accelerator", "backends"] + DTYPES
           + list(_creation_all) + list(_functions_all))
