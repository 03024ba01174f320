"""PyTorch's ``torch.optim`` over wengert tensors: ``import wengert.optim as optim``.

Optimisers differentiate nothing: each reads the parameters' ``.grad``, keeps its
buffers in ``state``, and writes the parameters in place under ``no_grad``, with
PyTorch's update formulas (the same trajectories, to rounding, on the same
gradients). ``lr_scheduler`` changes ``param_groups[i]['lr']`` as PyTorch's does.

>>> import wengert as wg, wengert.optim as optim
>>> w = wg.tensor([3.0, -1.0], dtype=wg.float64, requires_grad=True)
>>> opt = optim.Adam([w], lr=0.1)
>>> for _ in range(200):
...     opt.zero_grad()
...     loss = ((w - 1.0) ** 2).sum()
...     loss.backward()
...     _ = opt.step()
>>> bool(((w.detach() - 1.0).abs() < 1e-2).all())
True
"""

from . import lr_scheduler  # noqa: F401
from .adagrad import Adagrad
from .adam import Adam
from .adamw import AdamW
from .optimizer import Optimizer, required
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "lr_scheduler",
           "required"]
