"""State dicts to and from ``.npz`` files (numpy's zip of ``.npy`` arrays), so a
model's weights are readable by plain numpy and by any other framework:

>>> import tempfile, os, wengert.nn as nn
>>> model = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
>>> with tempfile.TemporaryDirectory() as folder:
...     path = os.path.join(folder, "model.npz")
...     nn.save_npz(model, path)
...     print(nn.load_npz(nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1)), path))
...     print(list(nn.read_npz(path)))
<All keys matched successfully>
['0.weight', '0.bias', '2.weight', '2.bias']

Each entry is named by its state-dict key ("0.weight") and keeps its dtype and
shape; the order of the keys is kept. Nothing is pickled.
"""

import os
import zipfile
from collections import OrderedDict
from collections.abc import Mapping

import numpy as np

from ..core.trace import unbox_all
from ..tensors import Tensor
from .modules.module import Module

__all__ = ["save_npz", "load_npz", "read_npz"]


def _plain(v):
    if isinstance(v, Tensor):
        return np.asarray(unbox_all(v._value))
    return np.asarray(v)


def save_npz(module_or_state_dict, file):
    """Write a module's ``state_dict()`` (or a state dict) to ``file``, a path or a
    writable binary file; as with ``numpy.savez``, a path without the ``.npz``
    suffix gets it."""
    sd = module_or_state_dict.state_dict() if isinstance(module_or_state_dict, Module) \
        else module_or_state_dict
    if not isinstance(sd, Mapping):
        raise TypeError(f"save_npz expects a Module or a state dict, got "
                        f"{type(module_or_state_dict).__name__}")
    if isinstance(file, (str, os.PathLike)):
        file = os.fspath(file)
        if not file.endswith(".npz"):
            file = file + ".npz"
    with zipfile.ZipFile(file, mode="w", compression=zipfile.ZIP_STORED,
                         allowZip64=True) as zf:
        for key, value in sd.items():
            if not isinstance(key, str):
                raise TypeError(f"state dict keys must be strings, got {key!r}")
            with zf.open(key + ".npy", "w", force_zip64=True) as f:
                np.lib.format.write_array(f, _plain(value), allow_pickle=False)


def read_npz(file):
    """The state dict in ``file``: an ordered dict of tensors, in the saved order."""
    with np.load(file, allow_pickle=False) as data:
        return OrderedDict((key, Tensor._wrap(np.array(data[key]), None))
                           for key in data.files)


def load_npz(module, file, strict=True):
    """Load ``file`` into ``module`` (``module.load_state_dict(read_npz(file),
    strict)``); returns the missing and unexpected keys."""
    return module.load_state_dict(read_npz(file), strict=strict)
