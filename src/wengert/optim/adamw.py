"""AdamW: Adam with decoupled weight decay (PyTorch's AdamW)."""

from .adam import Adam

__all__ = ["AdamW"]


class AdamW(Adam):
    r"""PyTorch's ``torch.optim.AdamW``: Adam whose weight decay shrinks the
    parameter directly, :math:`\theta \leftarrow \theta(1 - \gamma\lambda)`, before
    the moments are updated, instead of entering the gradient (so it is neither
    averaged into the moments nor rescaled by them). The default ``weight_decay``
    is ``1e-2``.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
