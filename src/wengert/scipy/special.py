"""Differentiable ``scipy.special``, with scipy's names and signatures.

* numpy only (rules in ``wengert.rules.special``): logsumexp, softmax, log_softmax,
  expit, logit, xlogy, xlog1py, entr;
* arrays need scipy, Python floats use the math module where it has the function
  (rules in ``wengert.rules.gamma``): gamma, rgamma, gammasgn, gammaln, multigammaln,
  digamma, psi, polygamma, beta, betaln, betainc, betaincinv, betainccinv, gammainc,
  gammaincc, gammaincinv, gammainccinv, erf, erfc, erfinv, erfcinv, ndtr, ndtri,
  log_ndtr;
* Bessel functions, scipy throughout (rules in ``wengert.rules.bessel``): i0, i1,
  i0e, i1e, iv, ive, j0, j1, jn, y0, y1, yn.

The incomplete functions betainc, gammainc, gammaincc are differentiable in x, their
inverses betaincinv, betainccinv, gammaincinv, gammainccinv in y, the Bessel
functions in x (not in the order); the other arguments raise NotImplementedError
when differentiated. gammasgn is piecewise constant (plain).

>>> import wengert as wg, wengert.scipy.special as wsp, numpy as np
>>> wg.grad(wsp.logsumexp)(np.array([0.0, 0.0]))
array([0.5, 0.5])
"""

from ..rules.bessel import i0, i0e, i1, i1e, iv, ive, j0, j1, jn, y0, y1, yn
from ..rules.gamma import (beta, betainc, betainccinv, betaincinv, betaln, digamma, erf,
                           erfc, erfcinv, erfinv, gamma, gammainc, gammaincc, gammainccinv,
                           gammaincinv, gammaln, gammasgn, log_ndtr, multigammaln, ndtr,
                           ndtri, polygamma, psi, rgamma)
from ..rules.special import (entr, expit, log_softmax, logit, logsumexp, softmax, xlog1py,
                             xlogy)

__all__ = ["logsumexp", "softmax", "log_softmax", "expit", "logit", "xlogy", "xlog1py",
           "entr", "gamma", "rgamma", "gammasgn", "gammaln", "multigammaln", "digamma",
           "psi", "polygamma", "beta", "betaln", "betainc", "betaincinv", "betainccinv",
           "gammainc", "gammaincc", "gammaincinv", "gammainccinv", "erf",
           "erfc", "erfinv", "erfcinv", "ndtr", "ndtri", "log_ndtr", "i0", "i1", "i0e",
           "i1e", "iv", "ive", "j0", "j1", "jn", "y0", "y1", "yn"]
