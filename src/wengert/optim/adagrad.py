"""Adagrad (PyTorch's Adagrad)."""

import numpy as np

from ..tensors._tensor import Tensor
from .optimizer import (Optimizer, _addcmul_sq, _buffer, _check, _grad, _increment, _param,
                        _scalar, _step_tensor, _write, _zeros_like)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""PyTorch's ``torch.optim.Adagrad``. At step :math:`t`, with :math:`g` the
    gradient (negated under ``maximize``, plus :math:`\lambda\theta` for weight
    decay):

    .. math::
        \tilde\gamma = \frac{\gamma}{1 + (t-1)\eta}, \quad
        s \leftarrow s + g^2, \quad
        \theta \leftarrow \theta - \tilde\gamma \frac{g}{\sqrt{s} + \epsilon}

    The sum :math:`s` starts at ``initial_accumulator_value``, made (with the step
    count) when the optimiser is built, as PyTorch's.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0,
                 initial_accumulator_value=0, eps=1e-10, foreach=None, *, maximize=False,
                 differentiable=False, fused=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _check(0.0 <= lr, f"Invalid learning rate: {lr}")
        _check(0.0 <= lr_decay, f"Invalid lr_decay value: {lr_decay}")
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        _check(0.0 <= initial_accumulator_value,
               f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        _check(0.0 <= eps, f"Invalid epsilon value: {eps}")
        if differentiable:
            raise NotImplementedError("differentiable=True: wengert's optimisers update "
                                      "parameters in place and are not differentiated")
        if fused and foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps,
                    "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value,
                    "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p, group):
        state = self.state[p]
        state["step"] = _step_tensor()
        value = group["initial_accumulator_value"]
        state["sum"] = _zeros_like(p, complex(value, value) if p.dtype.kind == "c"
                                   else value)

    def step(self, closure=None):
        """One Adagrad step over every parameter with a gradient; returns the
        closure's loss when a closure is given."""
        return self._step_each(closure)

    def _update(self, p, group):
        state = self.state[p]
        if len(state) == 0:  # a parameter added after construction
            self._init_state(p, group)
        lr, eps = _scalar(group["lr"]), group["eps"]
        x = _param(p)
        step = _increment(state["step"])
        g = _grad(p, group["maximize"])
        if group["weight_decay"] != 0:
            g = g + group["weight_decay"] * x
        clr = lr / (1 + (step - 1) * group["lr_decay"])
        state_sum = _buffer(state["sum"])
        _addcmul_sq(state_sum, g, 1)
        std = np.sqrt(state_sum) + eps
        _write(p, x + (-clr) * g / std)
