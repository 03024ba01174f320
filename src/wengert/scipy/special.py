"""Differentiable ``scipy.special``: logsumexp, expit, logit (rules in
``wengert.rules.special``).

>>> import wengert as wg, wengert.scipy.special as wsp, numpy as np
>>> wg.grad(wsp.logsumexp)(np.array([0.0, 0.0]))
array([0.5, 0.5])
"""

from ..rules.special import expit, logit, logsumexp

__all__ = ["logsumexp", "expit", "logit"]
