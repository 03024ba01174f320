"""Recurrent layers: RNN, LSTM and GRU, with PyTorch's parameters (names, shapes,
gate order, initialisation U(-1/sqrt(hidden), 1/sqrt(hidden))), ``num_layers``,
``bidirectional``, ``batch_first``, inter-layer ``dropout`` and LSTM's
``proj_size``. The recurrence is a loop of tensor operations, one step at a time;
its derivative is that of those operations (backpropagation through time).

LSTM: i, f, g, o = split(x W_ih^T + b_ih + h W_hh^T + b_hh);
c' = sigmoid(f) c + sigmoid(i) tanh(g), h' = sigmoid(o) tanh(c') (then W_hr with
``proj_size``). GRU: r, z from sigmoid, n = tanh(x_n + r (h W_hn^T + b_hn)),
h' = (1 - z) n + z h.
"""

import math
import numbers
import warnings

import numpy as np

from ... import numpy as wnp
from ...scipy.special import expit
from ...tensors import Tensor
from .. import functional as F
from .. import init
from ._utils import empty_parameter
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU"]


class RNNBase(Module):
    """The parameters and the layer/direction loop shared by RNN, LSTM and GRU."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0,
                 device=None, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or \
                isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn(f"dropout option adds dropout after all but last recurrent layer, "
                          f"so non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=2)
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(f"batch_first should be of type bool, got: "
                            f"{type(batch_first).__name__}")
        if not isinstance(input_size, int):
            raise TypeError(f"input_size should be of type int, got: "
                            f"{type(input_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: "
                            f"{type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        gates = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}
        if mode not in gates:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size = gates[mode] * hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        real_hidden = proj_size if proj_size > 0 else hidden_size
        kw = {"dtype": dtype, "device": device}
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input = input_size if layer == 0 else real_hidden * num_directions
                suffix = "_reverse" if direction == 1 else ""
                params = [(f"weight_ih_l{layer}{suffix}",
                           empty_parameter(gate_size, layer_input, **kw)),
                          (f"weight_hh_l{layer}{suffix}",
                           empty_parameter(gate_size, real_hidden, **kw))]
                if bias:
                    params += [(f"bias_ih_l{layer}{suffix}", empty_parameter(gate_size, **kw)),
                               (f"bias_hh_l{layer}{suffix}", empty_parameter(gate_size, **kw))]
                if proj_size > 0:
                    params.append((f"weight_hr_l{layer}{suffix}",
                                   empty_parameter(proj_size, hidden_size, **kw)))
                for name, p in params:
                    setattr(self, name, p)
                names = [name for name, _ in params]
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self):
        """A no-op (PyTorch packs weights for cuDNN here)."""

    @property
    def _flat_weights(self):
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # ------------------------------------------------------------ running

    def _name(self):
        return "RNN" if self.mode.startswith("RNN") else self.mode

    def _prepare(self, input):
        """The input as (L, N, H_in), and whether it was batched."""
        nd = F._ndim(input)
        if nd not in (2, 3):
            raise ValueError(f"{self._name()}: Expected input to be 2D or 3D, got {nd}D "
                             f"{'tensor ' if self._name() == 'RNN' else ''}instead")
        batched = nd == 3
        if not batched:
            input = wnp.expand_dims(input, 1)
        elif self.batch_first:
            input = wnp.swapaxes(input, 0, 1)
        if F._shape(input)[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {F._shape(input)[-1]}")
        return input, batched

    def _finish(self, output, batched, states):
        if not batched:
            return wnp.squeeze(output, axis=1), [wnp.squeeze(s, axis=1) for s in states]
        if self.batch_first:
            output = wnp.swapaxes(output, 0, 1)
        return output, states

    def _zeros(self, input, size):
        n = F._shape(input)[1]
        d = 2 if self.bidirectional else 1
        return Tensor._wrap(np.zeros((self.num_layers * d, n, size), dtype=F._dtype(input)),
                            None)

    def _hidden(self, hx, input, batched, size, msg):
        if not batched:
            hx = wnp.expand_dims(hx, 1)
        d = 2 if self.bidirectional else 1
        expected = (self.num_layers * d, F._shape(input)[1], size)
        if F._shape(hx) != expected:
            raise RuntimeError(msg.format(expected, list(F._shape(hx))))
        return hx

    def _run(self, x, states, step):
        """The layers and directions over time. ``states``: per state (h, or h and c)
        a (layers * directions, N, size) tensor; ``step(params, x_proj_t, states)``
        advances one time step."""
        d = 2 if self.bidirectional else 1
        length = F._shape(x)[0]
        finals = [[] for _ in states]
        for layer in range(self.num_layers):
            outs = []
            for direction in range(d):
                k = layer * d + direction
                params = [getattr(self, name) for name in self._all_weights[k]]
                w_ih = params[0]
                b_ih = params[2] if self.bias else None
                xs = F.linear(x, w_ih, b_ih)  # the input projection, all steps at once
                cur = [s[k] for s in states]
                ys = [None] * length
                times = range(length) if direction == 0 else range(length - 1, -1, -1)
                for t in times:
                    cur = step(params, xs[t], cur)
                    ys[t] = cur[0]
                outs.append(wnp.stack(ys, axis=0))
                for f, s in zip(finals, cur):
                    f.append(s)
            x = outs[0] if d == 1 else wnp.concatenate(outs, axis=2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        return x, [wnp.stack(f, axis=0) for f in finals]

    def _hh(self, params, h):
        """h W_hh^T + b_hh."""
        return F.linear(h, params[1], params[3] if self.bias else None)


class RNN(RNNBase):
    """Elman RNN: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu)."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None,
                 dtype=None):
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             f"'relu'.")
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, 0, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        x, batched = self._prepare(input)
        if hx is None:
            hx = self._zeros(x, self.hidden_size)
        else:
            nd = F._ndim(hx)
            if batched and nd != 3:
                raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got "
                                   f"{nd}-D tensor")
            if not batched and nd != 2:
                raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got "
                                   f"{nd}-D tensor")
            hx = self._hidden(hx, x, batched, self.hidden_size, "Expected hidden size {}, "
                                                                 "got {}")
        act = wnp.tanh if self.mode == "RNN_TANH" else F.relu

        def step(params, xt, cur):
            return [act(xt + self._hh(params, cur[0]))]

        out, (h_n,) = self._run(x, [hx], step)
        out, (h_n,) = self._finish(out, batched, [h_n])
        return out, h_n


class LSTM(RNNBase):
    """Long short-term memory; returns ``output, (h_n, c_n)``.

    >>> import wengert as wg, wengert.nn as nn
    >>> lstm = nn.LSTM(3, 5, num_layers=2, batch_first=True)
    >>> out, (h, c) = lstm(wg.randn(4, 7, 3))
    >>> tuple(out.shape), tuple(h.shape), tuple(c.shape)
    ((4, 7, 5), (2, 4, 5), (2, 4, 5))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)

    def forward(self, input, hx=None):
        x, batched = self._prepare(input)
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        if hx is None:
            h0, c0 = self._zeros(x, real_hidden), self._zeros(x, self.hidden_size)
        else:
            h0, c0 = hx
            n0, n1 = F._ndim(h0), F._ndim(c0)
            if batched and (n0 != 3 or n1 != 3):
                raise RuntimeError(f"For batched 3-D input, hx and cx should also be 3-D but "
                                   f"got ({n0}-D, {n1}-D) tensors")
            if not batched and (n0 != 2 or n1 != 2):
                raise RuntimeError(f"For unbatched 2-D input, hx and cx should also be 2-D "
                                   f"but got ({n0}-D, {n1}-D) tensors")
            h0 = self._hidden(h0, x, batched, real_hidden, "Expected hidden[0] size {}, got {}")
            c0 = self._hidden(c0, x, batched, self.hidden_size,
                              "Expected hidden[1] size {}, got {}")
        proj = self.proj_size > 0

        def step(params, xt, cur):
            h, c = cur
            i, f, g, o = wnp.split(xt + self._hh(params, h), 4, axis=-1)
            c = expit(f) * c + expit(i) * wnp.tanh(g)
            h = expit(o) * wnp.tanh(c)
            if proj:
                h = F.linear(h, params[-1])
            return [h, c]

        out, (h_n, c_n) = self._run(x, [h0, c0], step)
        out, (h_n, c_n) = self._finish(out, batched, [h_n, c_n])
        return out, (h_n, c_n)


class GRU(RNNBase):
    """Gated recurrent unit; returns ``output, h_n``."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, 0, device, dtype)

    def forward(self, input, hx=None):
        x, batched = self._prepare(input)
        if hx is None:
            hx = self._zeros(x, self.hidden_size)
        else:
            nd = F._ndim(hx)
            if batched and nd != 3:
                raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got "
                                   f"{nd}-D tensor")
            if not batched and nd != 2:
                raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got "
                                   f"{nd}-D tensor")
            hx = self._hidden(hx, x, batched, self.hidden_size,
                              "Expected hidden size {}, got {}")

        def step(params, xt, cur):
            h = cur[0]
            x_r, x_z, x_n = wnp.split(xt, 3, axis=-1)
            h_r, h_z, h_n = wnp.split(self._hh(params, h), 3, axis=-1)
            r = expit(x_r + h_r)
            z = expit(x_z + h_z)
            n = wnp.tanh(x_n + r * h_n)
            return [(1.0 - z) * n + z * h]

        out, (h_n,) = self._run(x, [hx], step)
        out, (h_n,) = self._finish(out, batched, [h_n])
        return out, h_n
