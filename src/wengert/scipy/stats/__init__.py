"""Differentiable ``scipy.stats``: distributions with scipy's names, signatures and
values, written with wengert.numpy and wengert.scipy.special (composites, no new
rules), so forward and reverse mode and higher orders come from those rules.

* continuous, with ``logpdf``, ``pdf``, ``cdf``, ``logcdf``, ``sf``, ``logsf``,
  ``ppf``, ``isf`` (shape parameters by position or keyword, then ``loc`` and
  ``scale``): norm, t, gamma, chi2, beta, expon, uniform, laplace, cauchy, logistic,
  lognorm. The quantiles of t, gamma, chi2 and beta invert the incomplete gamma and
  beta functions (gammaincinv, betaincinv and their complements), differentiable in q
  by the implicit function theorem: d ppf / dq = 1 / pdf(ppf(q));
* discrete, with ``logpmf``, ``pmf``, ``cdf``, ``logcdf``, ``sf``, ``logsf``, ``ppf``,
  ``isf`` (shape parameters, then ``loc``): poisson, binom, bernoulli, geom, nbinom.
  Their quantiles are counts, piecewise constant in q and the parameters: scipy's
  values, plain (derivative 0);
* multivariate: multivariate_normal and dirichlet (``logpdf``, ``pdf``),
  multinomial (``logpmf``, ``pmf``).

As in scipy, points outside the support give -inf (log density) or 0, invalid
parameters and nan give nan, and plain inputs give scipy's types (a numpy float64
for one value). Derivatives: in the data and every continuous parameter, except
where a shape parameter sits inside an incomplete gamma or beta function or its
inverse (the cdf family and the quantiles of gamma, chi2, beta, t, and nbinom's n):
there NotImplementedError names the incomplete function's argument and the mode.
Counts (a discrete distribution's k, its loc, binom's n, multinomial's x and n) are
constants.

Under ``wengert.vmap`` (and vmap of grad) every method gives what a loop over the
examples gives: the masks and branch choices are each example's own, and scipy's
argument checks run on every example (a shape, the same for all, on one).

>>> import wengert as wg
>>> from wengert.scipy.stats import norm
>>> print(wg.grad(norm.logpdf)(1.0))  # d/dx log N(x; 0, 1) = -x
-1.0
"""

from ._continuous import (beta, cauchy, chi2, expon, gamma, laplace, logistic, lognorm, norm,
                          t, uniform)
from ._discrete import bernoulli, binom, geom, nbinom, poisson
from ._multivariate import dirichlet, multinomial, multivariate_normal

__all__ = ["norm", "t", "gamma", "chi2", "beta", "expon", "uniform", "laplace", "cauchy",
           "logistic", "lognorm", "poisson", "binom", "bernoulli", "geom", "nbinom",
           "multivariate_normal", "dirichlet", "multinomial"]
