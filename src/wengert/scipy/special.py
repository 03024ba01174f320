"""Differentiable ``scipy.special``: logsumexp, softmax, log_softmax, expit, logit,
xlogy, xlog1py, entr (numpy only; rules in ``wengert.rules.special``), and gammaln,
digamma, polygamma, erf, erfc, erfinv, ndtr (arrays need scipy; rules in
``wengert.rules.gamma``).

>>> import wengert as wg, wengert.scipy.special as wsp, numpy as np
>>> wg.grad(wsp.logsumexp)(np.array([0.0, 0.0]))
array([0.5, 0.5])
"""

from ..rules.gamma import digamma, erf, erfc, erfinv, gammaln, ndtr, polygamma, psi
from ..rules.special import (entr, expit, log_softmax, logit, logsumexp, softmax, xlog1py,
                             xlogy)

__all__ = ["logsumexp", "softmax", "log_softmax", "expit", "logit", "xlogy", "xlog1py",
           "entr", "gammaln", "digamma", "psi", "polygamma", "erf", "erfc", "erfinv", "ndtr"]
