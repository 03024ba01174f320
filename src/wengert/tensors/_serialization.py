"""``wg.save`` / ``wg.load``, PyTorch's names: any object holding tensors (a state dict,
a whole module) pickled to a file; ``load(weights_only=True)``, the default as in
PyTorch 2.6+, only rebuilds tensors, arrays and plain containers."""

import os
import pickle

import numpy as np

from ..core.trace import unbox_all
from ._tensor import Parameter, Tensor

__all__ = ["save", "load"]


def _rebuild(value, requires_grad, parameter):
    if parameter:
        return Parameter(value, requires_grad=requires_grad)
    t = Tensor._wrap(value, None)
    return t.requires_grad_(True) if requires_grad else t


def _reduce(t):
    # the data and the flag: a tensor's graph and gradient are not saved, as in PyTorch
    return _rebuild, (np.asarray(unbox_all(t._value)), bool(t._flag and t._node is None),
                      isinstance(t, Parameter))


Tensor.__reduce__ = _reduce


def _open(f, mode):
    if isinstance(f, (str, os.PathLike)):
        return open(f, mode)
    return _Borrowed(f)


class _Borrowed:
    """A file object the caller owns: used, not closed."""

    def __init__(self, f):
        self.f = f

    def __enter__(self):
        return self.f

    def __exit__(self, *exc):
        return False


def save(obj, f, pickle_protocol=4, **kwargs):
    """Write ``obj`` (a state dict, a module, tensors in containers) to ``f``, a path
    or a writable binary file.

    >>> import io, wengert as wg
    >>> buf = io.BytesIO(); wg.save({"w": wg.ones(2)}, buf); _ = buf.seek(0)
    >>> wg.load(buf)
    {'w': tensor([1., 1.])}
    """
    with _open(f, "wb") as fh:
        pickle.dump(obj, fh, protocol=pickle_protocol)


_SAFE = {("collections", "OrderedDict"), ("builtins", "dict"), ("builtins", "list"),
         ("builtins", "tuple"), ("builtins", "set"), ("builtins", "frozenset"),
         ("builtins", "int"), ("builtins", "float"), ("builtins", "complex"),
         ("builtins", "bool"), ("builtins", "str"), ("builtins", "bytes"),
         ("numpy", "dtype"), ("numpy", "ndarray"), ("numpy.core.multiarray", "_reconstruct"),
         ("numpy._core.multiarray", "_reconstruct"), ("numpy.core.multiarray", "scalar"),
         ("numpy._core.multiarray", "scalar"), ("wengert.tensors._serialization", "_rebuild")}


class _WeightsUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _SAFE or (module == "numpy.dtypes" and name.endswith("DType")):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"load(weights_only=True): the file holds {module}.{name}, which is not a "
            f"tensor, an array or a plain container; pass weights_only=False if you "
            f"trust the file (it can run code when loaded)")


def load(f, map_location=None, weights_only=True, **kwargs):
    """Read what ``save`` wrote. ``weights_only=True`` (the default) rebuilds only
    tensors, arrays and plain containers; ``map_location`` is accepted ('cpu')."""
    with _open(f, "rb") as fh:
        if weights_only:
            return _WeightsUnpickler(fh).load()
        return pickle.load(fh)

