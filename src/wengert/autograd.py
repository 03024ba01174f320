"""``wengert.autograd``: PyTorch's ``torch.autograd`` names (``grad``, ``backward``,
``Function``, the grad modes) for tensor code."""

from .tensors.autograd import *  # noqa: F401,F403
from .tensors.autograd import FunctionCtx, __all__  # noqa: F401
