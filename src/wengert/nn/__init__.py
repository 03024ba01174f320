"""``wengert.nn``: PyTorch's ``torch.nn`` over wengert tensors.

``Module`` with parameters, buffers and submodules registered by attribute
assignment, ``state_dict``/``load_state_dict`` (and ``.npz`` files: ``save_npz``,
``load_npz``, ``read_npz``), train/eval modes, hooks and PyTorch's reprs; the
layers (Linear, Conv2d, LSTM, LayerNorm, BatchNorm1d, Embedding, Dropout, ...),
activations and losses; ``nn.functional`` and ``nn.init``.

A layer's forward composes tensor operations (``nn.functional``); no derivative is
written in this package: ``.backward()`` runs the rules of the primitives bound.

>>> import wengert as wg, wengert.nn as nn
>>> _ = wg.manual_seed(0)
>>> model = nn.Sequential(nn.Linear(3, 1), nn.Flatten(0, 1))
>>> model
Sequential(
  (0): Linear(in_features=3, out_features=1, bias=True)
  (1): Flatten(start_dim=0, end_dim=1)
)
>>> loss = nn.MSELoss()(model(wg.randn(4, 3)), wg.zeros(4))
>>> loss.backward()
>>> [tuple(p.grad.shape) for p in model.parameters()]
[(1, 3), (1,)]
"""

from . import functional, init, utils  # noqa: F401
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _modules_all
from .parameter import Parameter
from .serialization import load_npz, read_npz, save_npz

__all__ = ["Parameter", "functional", "init", "utils", "save_npz", "load_npz", "read_npz"] \
    + list(_modules_all)
