"""Conv1d and Conv2d over the convolution primitive of ``wengert.rules.conv``
(NCL / NCHW; a 1-d convolution is a 2-d one of height 1)."""

import math

from .. import functional as F
from .. import init
from ._utils import empty_parameter, pair, single
from .module import Module

__all__ = ["Conv1d", "Conv2d"]


class _ConvNd(Module):
    _fn = None
    _tuple = None
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, padding_mode="zeros", device=None,
                 dtype=None):
        super().__init__()
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        valid_padding_strings = {"same", "valid"}
        if isinstance(padding, str):
            if padding not in valid_padding_strings:
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 f"{valid_padding_strings}")
            if padding == "same" and any(s != 1 for s in type(self)._tuple(stride)):
                raise ValueError("padding='same' is not supported for strided convolutions")
        valid_modes = {"zeros", "reflect", "replicate", "circular"}
        if padding_mode not in valid_modes:
            raise ValueError(f"padding_mode must be one of {valid_modes}, but got "
                             f"padding_mode='{padding_mode}'")
        self.in_channels = in_channels
        self.out_channels = out_channels
        tup = type(self)._tuple
        self.kernel_size = tup(kernel_size)
        self.stride = tup(stride)
        self.padding = padding if isinstance(padding, str) else tup(padding)
        self.dilation = tup(dilation)
        self.transposed = False
        self.output_padding = tup(0)
        self.groups = groups
        self.padding_mode = padding_mode
        self.weight = empty_parameter(out_channels, in_channels // groups,
                                      *self.kernel_size, dtype=dtype, device=device)
        if bias:
            self.bias = empty_parameter(out_channels, dtype=dtype, device=device)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def _explicit_padding(self):
        """(left, right, top, bottom) for F.pad, for a padding_mode other than zeros."""
        out = []
        if isinstance(self.padding, str):
            if self.padding == "valid":
                return (0, 0) * len(self.kernel_size)
            for d, k in zip(reversed(self.dilation), reversed(self.kernel_size)):
                total = d * (k - 1)
                out += [total // 2, total - total // 2]
            return tuple(out)
        for p in reversed(self.padding):
            out += [p, p]
        return tuple(out)

    def forward(self, input):
        conv = type(self)._fn
        if self.padding_mode != "zeros":
            padded = F.pad(input, self._explicit_padding(), mode=self.padding_mode)
            return conv(padded, self.weight, self.bias, self.stride, 0, self.dilation,
                        self.groups)
        return conv(input, self.weight, self.bias, self.stride, self.padding, self.dilation,
                    self.groups)

    def extra_repr(self):
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * len(self.padding):
            s += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv1d(_ConvNd):
    """1-d cross-correlation over (N, C, L) or (C, L) input, weight (out_channels,
    in_channels / groups, k); PyTorch's initialisation and options as Conv2d."""
    _fn = staticmethod(F.conv1d)
    _tuple = staticmethod(single)


class Conv2d(_ConvNd):
    """2-d cross-correlation, weight (out_channels, in_channels / groups, kH, kW),
    initialised as PyTorch's (kaiming_uniform_(a=sqrt(5)), bias U(+-1/sqrt(fan_in))).
    ``padding`` an int, a pair, 'valid' or 'same'; ``padding_mode`` 'zeros',
    'reflect', 'replicate' or 'circular'."""
    _fn = staticmethod(F.conv2d)
    _tuple = staticmethod(pair)
