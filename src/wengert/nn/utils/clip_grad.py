"""Gradient clipping, in place on the parameters' ``.grad``."""

import numpy as np

from ...core.trace import unbox_all
from ...tensors import Tensor, no_grad

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _params(parameters):
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def _norm(v, norm_type):
    v = np.abs(np.asarray(v, dtype=np.float64)).ravel()
    if norm_type == float("inf"):
        return v.max() if v.size else 0.0
    if norm_type == 0:
        return float(np.count_nonzero(v))
    return (v ** norm_type).sum() ** (1.0 / norm_type)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                    foreach=None):
    """Scale the gradients so that their joint ``norm_type``-norm is at most
    ``max_norm`` (times min(1, max_norm / (norm + 1e-6)), as PyTorch's); returns the
    norm before clipping."""
    norm_type = float(norm_type)
    grads = [p.grad for p in _params(parameters) if p.grad is not None]
    if not grads:
        return Tensor._wrap(np.array(0.0, dtype=np.float32), None)
    values = [np.asarray(unbox_all(g._value)) for g in grads]
    per = np.array([_norm(v, norm_type) for v in values])
    total = _norm(per, norm_type)
    dtype = np.result_type(*values)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from "
                           f"`parameters` is non-finite, so it cannot be clipped. To disable "
                           f"this error and scale the gradients by the non-finite norm "
                           f"anyway, set `error_if_nonfinite=False`")
    coef = min(float(max_norm) / (total + 1e-6), 1.0)
    with no_grad():
        for g in grads:
            g.mul_(np.asarray(coef, dtype=g.dtype))
    return Tensor._wrap(np.asarray(total, dtype=dtype), None)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element into [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    with no_grad():
        for p in _params(parameters):
            if p.grad is not None:
                p.grad.clamp_(-clip_value, clip_value)
