"""The discrete distributions, with scipy.stats' standard-form formulas. The
point k, loc and binom's n are counts, constants for differentiation; the
continuous parameters (poisson's mu, the success probabilities p, nbinom's n)
are differentiable in the pmf and its log, and in the cdf and sf where the
parameter is the incomplete function's x (all but nbinom's n, which raises
NotImplementedError there)."""

import numpy as np

from ... import numpy as wnp
from .. import special as wsp
from ._base import const, every, rv_discrete, somewhere

_INF = np.inf


class poisson_gen(rv_discrete):
    """The Poisson distribution with mean ``mu``.

    >>> import wengert as wg
    >>> from wengert.scipy.stats import poisson
    >>> print(wg.grad(poisson.logpmf, argnums=1)(3, 2.0))  # k / mu - 1
    0.5
    """

    shapes = ("mu",)
    a, b = 0, _INF
    safe = (0.0, 1.0)

    def _argcheck(self, mu):
        return mu >= 0

    def _logpmf(self, k, mu):
        return wsp.xlogy(k, mu) - wsp.gammaln(k + 1) - mu

    def _cdf(self, k, mu):
        return wsp.gammaincc(k + 1, mu)

    def _sf(self, k, mu):
        return wsp.gammainc(k + 1, mu)


def _binom_logpmf(k, n, p):
    combiln = wsp.gammaln(n + 1) - (wsp.gammaln(k + 1) + wsp.gammaln(n - k + 1))
    return combiln + wsp.xlogy(k, p) + wsp.xlog1py(n - k, -p)


class binom_gen(rv_discrete):
    """The binomial distribution: ``n`` trials (an integer, constant for
    differentiation), success probability ``p``."""

    shapes = ("n", "p")
    integer = ("n",)
    safe = (0.0, 1.0, 0.5)

    def _argcheck(self, n, p):
        return (n >= 0) & (n == np.round(n)) & (p >= 0) & (p <= 1)

    def _support(self, n, p):
        return 0, n

    def _logpmf(self, k, n, p):
        return _binom_logpmf(k, n, p)

    def _cdf(self, k, n, p):
        # Boost's ibetac(k + 1, n - k, p), as I_{1-p}(n - k, k + 1)
        return wsp.betainc(n - k, k + 1, 1.0 - p)

    def _sf(self, k, n, p):
        return wsp.betainc(k + 1, n - k, p)


class bernoulli_gen(binom_gen):
    """The Bernoulli distribution: 1 with probability ``p``, else 0."""

    shapes = ("p",)
    integer = ()
    safe = (0.0, 0.5)

    def _argcheck(self, p):
        return (p >= 0) & (p <= 1)

    def _support(self, p):
        return 0, 1

    def _logpmf(self, k, p):
        return _binom_logpmf(k, 1.0, p)

    def _cdf(self, k, p):
        return wsp.betainc(1.0 - k, k + 1, 1.0 - p)

    def _sf(self, k, p):
        return wsp.betainc(k + 1, 1.0 - k, p)


class geom_gen(rv_discrete):
    """The geometric distribution: the number of trials up to the first success,
    success probability ``p``; support 1, 2, ..."""

    shapes = ("p",)
    a, b = 1, _INF
    safe = (1.0, 0.5)

    def _argcheck(self, p):
        return (p <= 1) & (p > 0)

    def _pmf(self, k, p):
        return wnp.power(1 - p, k - 1) * p

    def _logpmf(self, k, p):
        return wsp.xlog1py(k - 1, -p) + wnp.log(p)

    def _cdf(self, k, p):
        return -wnp.expm1(wnp.log1p(-p) * k)

    def _sf(self, k, p):
        return wnp.exp(self._logsf(k, p))

    def _logsf(self, k, p):
        return k * wnp.log1p(-p)


class nbinom_gen(rv_discrete):
    """The negative binomial distribution: failures before the ``n``-th success
    (n > 0 real), success probability ``p``. The cdf and sf are differentiable in
    p, not in n."""

    shapes = ("n", "p")
    a, b = 0, _INF
    safe = (0.0, 1.0, 0.5)

    def _argcheck(self, n, p):
        return (n > 0) & (p > 0) & (p <= 1)

    def _logpmf(self, k, n, p):
        coeff = wsp.gammaln(n + k) - wsp.gammaln(k + 1) - wsp.gammaln(n)
        return coeff + n * wnp.log(p) + wsp.xlog1py(k, -p)

    def _cdf(self, k, n, p):
        return wsp.betainc(n, k + 1, p)

    def _sf(self, k, n, p):
        return wsp.betainc(k + 1, n, 1.0 - p)

    def _logcdf(self, k, n, p):
        # scipy: log1p(-sf) where the cdf is above 1/2, log(cdf) below
        cdf = self._cdf(k, n, p)
        high = const(lambda c: c > 0.5, cdf)
        if every(high):
            return wnp.log1p(-self._sf(k, n, p))
        if not somewhere(high):
            return wnp.log(cdf)
        kh, nh, ph = (wnp.where(high, v, s) for v, s in ((k, 0.0), (n, 1.0), (p, 0.5)))
        kl, nl, pl = (wnp.where(high, s, v) for v, s in ((k, 0.0), (n, 1.0), (p, 0.5)))
        return wnp.where(high, wnp.log1p(-self._sf(kh, nh, ph)),
                         wnp.log(self._cdf(kl, nl, pl)))


poisson = poisson_gen("poisson")
binom = binom_gen("binom")
bernoulli = bernoulli_gen("bernoulli")
geom = geom_gen("geom")
nbinom = nbinom_gen("nbinom")
