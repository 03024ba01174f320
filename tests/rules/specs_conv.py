"""Spec table for rules/conv.py: conv2d over strides, paddings (symmetric, 'same' with an
even kernel, 'valid'), dilations and groups, with and without a batch axis and a bias;
its two adjoints conv2d_input_grad and conv2d_weight_grad called directly (each VJP of
one is the others, so order 2 runs through all three); avg_pool2d (a conv2d with a
constant kernel) and max_pool2d (a gather at the window maxima). Every function is
bilinear or linear, so each ends in ``sin`` (spec.labelled). Shapes are small: the
checks are directional, and the forward passes are numpy."""

import numpy as np

from wengert.rules import conv

from .spec import D, R, labelled

_CONV = [
    # (label, x shape, w shape, keywords)
    ("plain", (2, 3, 5, 5), (4, 3, 3, 3), {}),
    ("stride2", (1, 2, 6, 5), (3, 2, 3, 2), dict(stride=2)),
    ("stride-pair-pad", (2, 2, 5, 6), (2, 2, 2, 3), dict(stride=(2, 1), padding=(1, 2))),
    ("dilation", (1, 2, 7, 6), (2, 2, 3, 2), dict(dilation=(2, 3), padding=1)),
    ("groups2", (2, 4, 5, 4), (6, 2, 2, 2), dict(groups=2, stride=(1, 2))),
    ("depthwise", (1, 3, 5, 5), (3, 1, 3, 3), dict(groups=3, padding=1, dilation=2)),
    ("same-even", (1, 2, 5, 4), (2, 2, 2, 4), dict(padding="same")),
    ("same-dilated", (1, 1, 6, 6), (2, 1, 3, 2), dict(padding="same", dilation=(1, 2))),
    ("valid", (2, 2, 4, 4), (1, 2, 4, 1), dict(padding="valid")),
    ("all", (2, 4, 7, 8), (4, 2, 2, 3), dict(stride=(2, 3), padding=(2, 1), dilation=(2, 1),
                                             groups=2)),
]

CASES = []
for _label, _xs, _ws, _kw in _CONV:
    CASES.append(labelled("conv2d", _label, lambda x, w, kw=_kw: conv.conv2d(x, w, **kw),
                          R(*_xs), R(*_ws)))
CASES += [
    labelled("conv2d", "bias", lambda x, w, b: conv.conv2d(x, w, b, padding=1),
             R(2, 2, 4, 4), R(3, 2, 3, 3), R(3)),
    labelled("conv2d", "unbatched", lambda x, w, b: conv.conv2d(x, w, b, stride=2),
             R(2, 5, 5), R(3, 2, 2, 2), R(3)),
    labelled("conv2d", "const-weight",
             lambda x: conv.conv2d(x, np.array([[[[0.5, -1.0], [2.0, 0.3]]]])), R(1, 1, 4, 3)),
    labelled("conv2d", "const-input",
             lambda w: conv.conv2d(np.arange(20.0).reshape(1, 1, 4, 5) / 7, w, padding=1),
             R(2, 1, 2, 3)),
    labelled("conv2d", "self", lambda x: conv.conv2d(x, x[:, :, :2, :2]), R(2, 2, 4, 4)),
]

# the adjoints directly, with normalised params
_P = dict(stride=(2, 1), padding=((1, 1), (0, 2)), dilation=(1, 2), groups=2)
CASES += [
    labelled("conv2d_input_grad", "strided",
             lambda g, w: conv._conv2d_input_grad(g, w, input_size=(6, 5), **_P),
             R(2, 4, 3, 5), R(4, 1, 3, 2)),
    labelled("conv2d_input_grad", "plain",
             lambda g, w: conv._conv2d_input_grad(
                 g, w, input_size=(4, 4), stride=(1, 1), padding=((0, 0), (0, 0)),
                 dilation=(1, 1), groups=1),
             R(1, 2, 3, 2), R(2, 3, 2, 3)),
    labelled("conv2d_weight_grad", "strided",
             lambda x, g: conv._conv2d_weight_grad(x, g, kernel_size=(3, 2), **_P),
             R(2, 2, 6, 5), R(2, 4, 3, 5)),
    labelled("conv2d_weight_grad", "plain",
             lambda x, g: conv._conv2d_weight_grad(
                 x, g, kernel_size=(2, 3), stride=(1, 1), padding=((0, 0), (0, 0)),
                 dilation=(1, 1), groups=1),
             R(1, 3, 4, 4), R(1, 2, 3, 2)),
]

# pooling: avg_pool2d binds conv2d, max_pool2d getitem; D gives distinct values (no
# ties, so finite differences see one maximum per window)
CASES += [
    labelled("conv2d", "avg_pool2d", lambda x: conv.avg_pool2d(x, 2), R(2, 3, 4, 5)),
    labelled("conv2d", "avg_pool2d-pad",
             lambda x: conv.avg_pool2d(x, (3, 2), stride=(2, 1), padding=(1, 1)),
             R(1, 2, 5, 4)),
    labelled("getitem", "max_pool2d", lambda x: conv.max_pool2d(x, 2), D(2, 2, 4, 6)),
    labelled("getitem", "max_pool2d-pad-overlap",
             lambda x: conv.max_pool2d(x, 3, stride=(1, 2), padding=1), D(1, 2, 5, 5)),
    labelled("getitem", "max_pool2d-unbatched", lambda x: conv.max_pool2d(x, (2, 3)),
             D(3, 4, 6)),
]
