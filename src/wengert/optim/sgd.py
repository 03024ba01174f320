"""Stochastic gradient descent, with momentum and Nesterov momentum (PyTorch's SGD)."""

from ..tensors._tensor import Tensor
from .optimizer import (Optimizer, _buffer, _check, _copy_tensor, _grad, _param, _scalar,
                        _write)

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""PyTorch's ``torch.optim.SGD``. With :math:`g` the gradient (negated under
    ``maximize``):

    .. math::
        g \leftarrow g + \lambda\theta, \quad
        b \leftarrow \begin{cases} g & \text{first step} \\
                                   \mu b + (1 - \tau) g & \text{after} \end{cases},
        \quad g \leftarrow g + \mu b \text{ (nesterov) or } b, \quad
        \theta \leftarrow \theta - \gamma g

    The momentum buffer starts as the first gradient itself (no dampening on the
    first step), as PyTorch's.

    >>> import wengert as wg, wengert.optim as optim
    >>> w = wg.tensor([1.0, -2.0], dtype=wg.float64, requires_grad=True)
    >>> opt = optim.SGD([w], lr=0.1, momentum=0.9)
    >>> (w * w).sum().backward(); opt.step(); w
    tensor([ 0.8000, -1.6000], dtype=wengert.float64, requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        _check(momentum >= 0.0, f"Invalid momentum value: {momentum}")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        if differentiable:
            raise NotImplementedError("differentiable=True: wengert's optimisers update "
                                      "parameters in place and are not differentiated")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov,
                    "maximize": maximize, "foreach": foreach,
                    "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One step of SGD over every parameter with a gradient; returns the
        closure's loss when a closure is given."""
        return self._step_each(closure)

    def _update(self, p, group):
        lr = _scalar(group["lr"])
        momentum, weight_decay = group["momentum"], _scalar(group["weight_decay"])
        x = _param(p)
        g = _grad(p, group["maximize"])
        if weight_decay != 0:
            g = g + weight_decay * x
        if momentum != 0:
            state = self.state[p]
            buf = state.get("momentum_buffer")
            if buf is None:
                # the first gradient itself (PyTorch's grad.detach().clone())
                buf = _copy_tensor(Tensor._wrap(g, None))
                if p.dtype.kind == "c":
                    buf = Tensor._wrap(buf.numpy().view(p.dtype).reshape(tuple(p.shape)),
                                       None)
                state["momentum_buffer"] = buf
            else:
                b = _buffer(buf)
                b *= momentum
                b += (1 - group["dampening"]) * g
            b = _buffer(buf)
            g = g + momentum * b if group["nesterov"] else b
        _write(p, x + (-lr) * g)
