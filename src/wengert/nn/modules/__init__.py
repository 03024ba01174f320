"""The layers of ``wengert.nn``, laid out as PyTorch's ``torch.nn.modules``."""

from .activation import *  # noqa: F401,F403
from .activation import __all__ as _activation
from .batchnorm import BatchNorm1d, BatchNorm2d
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .conv import Conv1d, Conv2d
from .dropout import Dropout
from .flatten import Flatten, Unflatten
from .linear import Bilinear, Identity, Linear
from .loss import *  # noqa: F401,F403
from .loss import __all__ as _loss
from .module import Module, RemovableHandle
from .normalization import GroupNorm, LayerNorm, RMSNorm
from .pooling import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AvgPool1d, AvgPool2d,
                      MaxPool1d, MaxPool2d)
from .rnn import GRU, LSTM, RNN, RNNBase
from .sparse import Embedding

__all__ = (["Module", "RemovableHandle", "Sequential", "ModuleList", "ModuleDict",
            "ParameterList", "ParameterDict", "Identity", "Linear", "Bilinear", "Flatten",
            "Unflatten", "Dropout", "Embedding", "LayerNorm", "GroupNorm", "RMSNorm",
            "BatchNorm1d", "BatchNorm2d", "RNNBase", "RNN", "LSTM", "GRU", "Conv1d", "Conv2d",
            "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d",
            "AdaptiveAvgPool2d"] + list(_activation) + list(_loss))
