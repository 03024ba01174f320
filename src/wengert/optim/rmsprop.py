"""RMSprop, plain, centred and with momentum (PyTorch's RMSprop)."""

import numpy as np

from ..tensors._tensor import Tensor
from .optimizer import (Optimizer, _addcmul_sq, _buffer, _check, _grad, _increment, _lerp,
                        _param, _scalar, _step_tensor, _write, _zeros_like)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""PyTorch's ``torch.optim.RMSprop``. With :math:`g` the gradient (negated
    under ``maximize``, plus :math:`\lambda\theta` for weight decay):

    .. math::
        v \leftarrow \alpha v + (1-\alpha) g^2, \quad
        \bar g \leftarrow \alpha \bar g + (1-\alpha) g \text{ (centered)}, \quad
        d = \sqrt{v - \bar g^2} + \epsilon \text{ (or } \sqrt{v} + \epsilon),

    then :math:`b \leftarrow \mu b + g/d`, :math:`\theta \leftarrow \theta - \gamma b`
    with momentum, or :math:`\theta \leftarrow \theta - \gamma g/d` without. Every
    buffer starts at zero.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _check(0.0 <= lr, f"Invalid learning rate: {lr}")
        _check(0.0 <= eps, f"Invalid epsilon value: {eps}")
        _check(0.0 <= momentum, f"Invalid momentum value: {momentum}")
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        _check(0.0 <= alpha, f"Invalid alpha value: {alpha}")
        if differentiable:
            raise NotImplementedError("differentiable=True: wengert's optimisers update "
                                      "parameters in place and are not differentiated")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay,
                    "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One RMSprop step over every parameter with a gradient; returns the
        closure's loss when a closure is given."""
        return self._step_each(closure)

    def _update(self, p, group):
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _step_tensor()
            state["square_avg"] = _zeros_like(p)
            if group["momentum"] > 0:
                state["momentum_buffer"] = _zeros_like(p)
            if group["centered"]:
                state["grad_avg"] = _zeros_like(p)
        lr, alpha, eps = _scalar(group["lr"]), group["alpha"], group["eps"]
        momentum, weight_decay = group["momentum"], group["weight_decay"]
        x = _param(p)
        g = _grad(p, group["maximize"])
        _increment(state["step"])
        if weight_decay != 0:
            g = g + weight_decay * x
        square_avg = _buffer(state["square_avg"])
        square_avg *= alpha
        _addcmul_sq(square_avg, g, 1 - alpha)
        if group["centered"]:
            grad_avg = _buffer(state["grad_avg"])
            _lerp(grad_avg, g, 1 - alpha)
            avg = np.sqrt(square_avg + (-1) * grad_avg * grad_avg)
        else:
            avg = np.sqrt(square_avg)
        avg = avg + eps
        if momentum > 0:
            buf = _buffer(state["momentum_buffer"])
            buf *= momentum
            buf += g / avg
            _write(p, x + (-lr) * buf)
        else:
            _write(p, x + (-lr) * g / avg)
