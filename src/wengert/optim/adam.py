"""Adam, with AMSGrad and (for AdamW) decoupled weight decay (PyTorch's Adam)."""

import numpy as np

from ..tensors._tensor import Tensor
from .optimizer import (Optimizer, _addcmul_sq, _buffer, _check, _grad, _increment, _lerp,
                        _param, _scalar, _step_tensor, _write, _zeros_like)

__all__ = ["Adam"]


class Adam(Optimizer):
    r"""PyTorch's ``torch.optim.Adam``. At step :math:`t`, with :math:`g` the
    gradient (negated under ``maximize``, plus :math:`\lambda\theta` for weight
    decay, or :math:`\theta` scaled by :math:`1 - \gamma\lambda` first when
    ``decoupled_weight_decay``):

    .. math::
        m \leftarrow \beta_1 m + (1-\beta_1) g, \quad
        v \leftarrow \beta_2 v + (1-\beta_2) g^2, \quad
        \theta \leftarrow \theta - \frac{\gamma}{1-\beta_1^t}
            \frac{m}{\sqrt{v}/\sqrt{1-\beta_2^t} + \epsilon}

    with :math:`v` replaced by its running maximum under ``amsgrad``. ``m`` and
    ``v`` start at zero; complex parameters are treated as pairs of reals.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _check(0.0 <= lr, f"Invalid learning rate: {lr}")
        _check(0.0 <= eps, f"Invalid epsilon value: {eps}")
        _check(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
        _check(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        if differentiable:
            raise NotImplementedError("differentiable=True: wengert's optimisers update "
                                      "parameters in place and are not differentiated")
        if fused and foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        betas = tuple(_scalar(b) for b in betas)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable,
                    "fused": fused, "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One Adam step over every parameter with a gradient; returns the closure's
        loss when a closure is given."""
        return self._step_each(closure)

    def _update(self, p, group):
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _step_tensor()
            state["exp_avg"] = _zeros_like(p)
            state["exp_avg_sq"] = _zeros_like(p)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = _zeros_like(p)
        lr, (beta1, beta2) = _scalar(group["lr"]), group["betas"]
        weight_decay, eps = group["weight_decay"], group["eps"]
        x = _param(p)
        g = _grad(p, group["maximize"])
        step = _increment(state["step"])
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                x = x * (1 - lr * weight_decay)
            else:
                g = g + weight_decay * x
        exp_avg, exp_avg_sq = _buffer(state["exp_avg"]), _buffer(state["exp_avg_sq"])
        _lerp(exp_avg, g, 1 - beta1)
        exp_avg_sq *= beta2
        _addcmul_sq(exp_avg_sq, g, 1 - beta2)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = bias_correction2 ** 0.5
        if group["amsgrad"]:
            top = _buffer(state["max_exp_avg_sq"])
            np.maximum(top, exp_avg_sq, out=top)
            denom = np.sqrt(top) / bias_correction2_sqrt + eps
        else:
            denom = np.sqrt(exp_avg_sq) / bias_correction2_sqrt + eps
        _write(p, x + (-step_size) * exp_avg / denom)
