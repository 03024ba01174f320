"""Gradient-descent loops in HIPS autograd's form: ``opt(grad, x0, callback=None,
num_iters=..., step_size=..., ...)`` where ``grad(x, i)`` gives the gradient at
iteration ``i`` and ``callback(x, i, g)`` is called before each step. ``x0`` may be
any pytree of arrays (dicts, lists, tuples); the loops run on one flat vector
(``ravel_pytree``) and hand ``grad`` and ``callback`` the tree. Each returns the
final parameters, in the shape of ``x0``.

>>> import numpy as np, wengert as wg, wengert.numpy as wnp
>>> from wengert.misc.optimizers import adam
>>> objective = lambda p, i: wnp.sum((p["x"] - 3.0) ** 2)
>>> p = adam(wg.grad(objective), {"x": np.zeros(2)}, num_iters=2000, step_size=0.05)
>>> np.round(p["x"], 4)
array([3., 3.])
"""

import functools

import numpy as np

from .flatten import ravel_pytree

__all__ = ["sgd", "rmsprop", "adam"]


def _on_vectors(step):
    """Run ``step`` (a loop over flat float vectors) on a pytree ``x0``."""

    @functools.wraps(step)
    def optimizer(grad, x0, callback=None, *args, **kwargs):
        v0, unravel = ravel_pytree(x0)

        def flat_grad(v, i):
            return ravel_pytree(grad(unravel(v), i))[0]

        flat_callback = None
        if callback is not None:
            def flat_callback(v, i, g):
                return callback(unravel(v), i, unravel(g))

        return unravel(step(flat_grad, np.array(v0, dtype=float), flat_callback,
                            *args, **kwargs))

    return optimizer


@_on_vectors
def sgd(grad, x, callback=None, num_iters=200, step_size=0.1, mass=0.9):
    """Stochastic gradient descent with momentum ``mass``."""
    velocity = np.zeros_like(x)
    for i in range(num_iters):
        g = grad(x, i)
        if callback:
            callback(x, i, g)
        velocity = mass * velocity - (1.0 - mass) * g
        x = x + step_size * velocity
    return x


@_on_vectors
def rmsprop(grad, x, callback=None, num_iters=100, step_size=0.1, gamma=0.9, eps=1e-8):
    """Steps scaled by a running root mean square of the gradient."""
    avg_sq = np.ones_like(x)
    for i in range(num_iters):
        g = grad(x, i)
        if callback:
            callback(x, i, g)
        avg_sq = gamma * avg_sq + (1.0 - gamma) * g ** 2
        x = x - step_size * g / (np.sqrt(avg_sq) + eps)
    return x


@_on_vectors
def adam(grad, x, callback=None, num_iters=100, step_size=0.001, b1=0.9, b2=0.999,
         eps=1e-8):
    """Adam (Kingma and Ba, 2015): bias-corrected running moments of the gradient."""
    m = np.zeros_like(x)
    v = np.zeros_like(x)
    for i in range(num_iters):
        g = grad(x, i)
        if callback:
            callback(x, i, g)
        m = (1.0 - b1) * g + b1 * m
        v = (1.0 - b2) * g ** 2 + b2 * v
        m_hat = m / (1.0 - b1 ** (i + 1))
        v_hat = v / (1.0 - b2 ** (i + 1))
        x = x - step_size * m_hat / (np.sqrt(v_hat) + eps)
    return x
