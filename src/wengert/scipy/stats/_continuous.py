"""The continuous distributions: scipy.stats' standard-form formulas (the same
operations, so the same values), written with wengert.numpy and
wengert.scipy.special. Derivatives in the data, loc, scale and every shape
parameter, except the shape parameters inside an incomplete gamma or beta function
or its inverse (the cdfs and quantiles of gamma, chi2, beta and t), which raise
NotImplementedError naming the argument and the mode: their derivatives have no
closed form."""

import numpy as np

from ... import numpy as wnp
from .. import special as wsp
from ._base import branches, const, every, rv_continuous, somewhere, sub, with_quantiles

_INF = np.inf
_norm_pdf_C = np.sqrt(2 * np.pi)
_norm_pdf_logC = np.log(_norm_pdf_C)
_LOG_PI = np.log(np.pi)
_LOG_2 = np.log(2)


def _scipy_special():
    # the plain medians where scipy's default logcdf and logsf switch pieces
    import scipy.special
    return scipy.special


def _norm_logpdf(x):
    return -(x * x) / 2.0 - _norm_pdf_logC


def _norm_pdf(x):
    return wnp.exp(-(x * x) / 2.0) / _norm_pdf_C


class norm_gen(with_quantiles, rv_continuous):
    """The normal distribution: mean ``loc``, standard deviation ``scale``.

    >>> import wengert as wg
    >>> from wengert.scipy.stats import norm
    >>> print(wg.grad(norm.logpdf)(1.0))  # d/dx log N(x; 0, 1) = -x
    -1.0
    """

    def _logpdf(self, x):
        return _norm_logpdf(x)

    def _pdf(self, x):
        return _norm_pdf(x)

    def _cdf(self, x):
        return wsp.ndtr(x)

    def _logcdf(self, x):
        return wsp.log_ndtr(x)

    def _sf(self, x):
        return wsp.ndtr(-x)

    def _logsf(self, x):
        return wsp.log_ndtr(-x)

    def _ppf(self, q):
        return wsp.ndtri(q)

    def _isf(self, q):
        return -wsp.ndtri(q)


def _log_poch_half(a):
    """log(Gamma(a + 1/2) / Gamma(a)), scipy's log(poch(a, 1/2)). Below a = 20 as
    -betaln(a, 1/2) + log Gamma(1/2); above, where scipy's betaln loses digits, the
    asymptotic series 1/2 log a - 1/(8a) + 1/(192a^3) - ... (the Bernoulli-number
    expansion of log Gamma(a + h) - log Gamma(a) at h = 1/2; error below 1e-17)."""
    def small(a):
        return 0.5 * _LOG_PI - wsp.betaln(a, 0.5)

    def large(a):
        r = 1.0 / a
        r2 = r * r
        series = r * (-1 / 8 + r2 * (1 / 192 + r2 * (-1 / 640 + r2 * (
            17 / 14336 + r2 * (-31 / 18432)))))
        return 0.5 * wnp.log(a) + series

    return branches(const(lambda a: a < 20, a), a, small, large, 1.0, 20.0)


class t_gen(with_quantiles, rv_continuous):
    """Student's t distribution with ``df`` degrees of freedom (df = inf: normal).
    cdf, sf, their logs, ppf and isf are differentiable in x (q), loc and scale, not
    in df."""

    shapes = ("df",)
    safe = (0.0, 1.0)

    def _finite_df(self, x, df, finite, normal, safe=0.0):
        def masks(x, df):
            inf = np.broadcast_to(np.isposinf(df), np.broadcast_shapes(x.shape, df.shape))
            return inf, ~inf
        inf, fin = const(masks, x, df)
        if not somewhere(inf):
            return finite(x, df)
        return wnp.where(inf, normal(sub(x, inf, safe)),
                         finite(sub(x, fin, safe), sub(df, fin, 1.0)))

    def _logpdf(self, x, df):
        def finite(x, df):
            return (_log_poch_half(0.5 * df) - 0.5 * (wnp.log(df) + _LOG_PI)
                    - (df + 1) / 2 * wnp.log1p(x * x / df))
        return self._finite_df(x, df, finite, _norm_logpdf)

    def _pdf(self, x, df):
        return self._finite_df(x, df, lambda x, df: wnp.exp(self._logpdf(x, df)), _norm_pdf)

    def _cdf(self, x, df):
        return self._finite_df(x, df, _t_cdf, wsp.ndtr)

    def _sf(self, x, df):
        return self._cdf(-x, df)

    def _ppf(self, q, df):
        return self._finite_df(q, df, _t_quantile, wsp.ndtri, safe=0.5)

    def _isf(self, q, df):
        return -self._ppf(q, df)


def _t_pdf0(df):
    """The t density at 0: Gamma((df + 1)/2) / (Gamma(df/2) sqrt(pi df))."""
    return wnp.exp(_log_poch_half(0.5 * df) - 0.5 * (wnp.log(df) + _LOG_PI))


_LOG_TINY = np.log(1e-290)  # below: y = df / (df + t^2) leaves the normal doubles
_LOG_SCALED = np.log(1e-100)  # where such a y is moved to


def _t_quantile(q, df):
    """scipy.special.stdtrit(df, q) for finite df, by Boost's method. With
    p = 2 min(q, 1 - q) (exact for q > 1/2) and a = df / 2, y = df / (df + t^2) solves
    I_y(a, 1/2) = p and w = t^2 / (df + t^2) = 1 - y solves 1 - I_w(1/2, a) = p. The
    smaller of the two comes from its inverse (y from betaincinv in the tails, w from
    betainccinv near the centre), the other is 1 minus it, so neither is the difference
    of nearly equal numbers; |t| = sqrt(df w / y), negative below q = 1/2.

    Far in the tails of small df (df = 1 at q < 1e-146) y is below the doubles
    although t is not: there I_y(a, 1/2) = y^a / (a B(a, 1/2)) (1 + O(y)), so y times
    2^k solves I(a, 1/2) = p 2^(k a) to within O(y); k (even, a constant) brings that
    y near 1e-100, and t = sqrt(df / (y 2^k)) 2^(k/2).

    At q = 1/2 itself (t = 0, where sqrt has an infinite derivative) it is
    (q - 1/2) / pdf(0): the same value, first and second derivatives (the quantile is
    odd about 1/2)."""
    sc = _scipy_special()
    safe_qs = (1e-3, 0.25, 0.5)

    def plan(Q, D):  # the pieces and the scaling, one example at a time under vmap
        centre = Q == 0.5
        upper = Q > 0.5
        A = D / 2
        P = 2 * np.where(upper, 1 - Q, Q)
        tail = ~centre & (P < sc.betainc(A, 0.5, 0.5))  # there y < 1/2
        log_y = (np.log(P) + np.log(A) + sc.betaln(A, 0.5)) / A
        tiny = tail & (log_y < _LOG_TINY)
        # 2^(k/2) <= 2^1100 (beyond, t overflows however it is computed)
        k = np.where(tiny, np.minimum(2 * np.floor((_LOG_SCALED - log_y) / (2 * _LOG_2)),
                                      2200.0), 0.0)
        middle = ~centre & ~tail
        # the stand-ins on the same side of 1/2 as the points they replace
        stand_ins = [np.where(upper, 1.0 - s, s) for s in safe_qs]
        return tuple(np.broadcast_arrays(
            centre, upper, tail, tiny, middle, np.exp2(np.where(tiny, k * A / 2, 0.0)),
            np.exp2(k / 2), *stand_ins))
    centre, upper, tail, tiny, middle, half, scale, *stand_ins = const(plan, q, df)

    def p_of(q):
        return 2 * wnp.where(upper, 1.0 - q, q)

    def signed(t):
        return wnp.where(upper, t, -t)

    def in_tails(q, df):
        a, p = df / 2, p_of(q)
        if not somewhere(tiny):
            y = wsp.betaincinv(a, 0.5, p)
            return signed(wnp.sqrt(df * (1.0 - y) / y))
        y = wsp.betaincinv(a, 0.5, p * half * half)  # y 2^k
        w = wnp.where(tiny, 1.0, 1.0 - y)  # 1 - O(y), 1 where y is scaled
        return signed(wnp.sqrt(df * w / y) * scale)

    def near_centre(q, df):
        w = wsp.betainccinv(0.5, df / 2, p_of(q))
        return signed(wnp.sqrt(df * w / (1.0 - w)))

    def at_centre(q, df):
        return (q - 0.5) / _t_pdf0(df)

    parts = [(mask, fn, stand_in) for mask, fn, stand_in in
             zip((tail, middle, centre), (in_tails, near_centre, at_centre), stand_ins)
             if somewhere(mask)]
    if len(parts) == 1:
        return parts[0][1](q, df)
    out = None
    for mask, fn, stand_in in parts:
        val = fn(sub(q, mask, stand_in), sub(df, mask, 1.0))
        out = val if out is None else wnp.where(mask, val, out)
    return out


def _t_cdf(x, df):
    """scipy.special.stdtr(df, x) from the incomplete beta function. With
    x2 = x^2, the tail probability p = P(T < -|x|) is
    I(df / (df + x2); df/2, 1/2) / 2, accurate where p is small, and
    (1 - I(x2 / (df + x2); 1/2, df/2)) / 2, accurate near the centre (p > 1/4).
    At x = 0 itself the second has 0 * inf in its derivative (the incomplete beta's
    derivative is infinite at 0 for a = 1/2), so there it is 1/2 + x pdf(0): the
    same value and first and second derivatives in x and df (the cdf is odd about
    1/2, its second derivative in x is 0 there)."""
    sc = _scipy_special()

    def plan(X, D):  # the pieces, one example at a time under vmap
        zero = X == 0
        centre = (sc.betainc(D / 2, 0.5, D / (D + X * X)) > 0.5) & ~zero
        return tuple(np.broadcast_arrays(centre, ~centre & ~zero, zero, X > 0))
    centre, tail_part, zero, positive = const(plan, x, df)

    def tail(x, df):
        x2 = x * x
        return wsp.betainc(df / 2, 0.5, df / (df + x2)) / 2

    def middle(x, df):
        x2 = x * x
        return (1.0 - wsp.betainc(0.5, df / 2, x2 / (df + x2))) / 2

    parts = []
    for mask, fn in ((centre, middle), (tail_part, tail)):
        if somewhere(mask):
            p = fn(sub(x, mask, 1.0), sub(df, mask, 1.0))
            parts.append((mask, wnp.where(positive, 1.0 - p, p)))
    if somewhere(zero):
        parts.append((zero, 0.5 + sub(x, zero, 0.0) * _t_pdf0(sub(df, zero, 1.0))))
    out = parts[0][1]
    for mask, val in parts[1:]:
        out = wnp.where(mask, val, out)
    return out


class gamma_gen(with_quantiles, rv_continuous):
    """The gamma distribution with shape ``a`` (scale: ``scale``). The cdf, sf, ppf
    and isf are differentiable in x (q), loc and scale, not in a."""

    shapes = ("a",)
    a, b = 0.0, _INF
    safe = (1.0, 1.0)

    def _logpdf(self, x, a):
        return wsp.xlogy(a - 1.0, x) - x - wsp.gammaln(a)

    def _cdf(self, x, a):
        return wsp.gammainc(a, x)

    def _median(self, a):
        return _scipy_special().gammaincinv(a, 0.5)

    def _sf(self, x, a):
        return wsp.gammaincc(a, x)

    def _ppf(self, q, a):
        return wsp.gammaincinv(a, q)

    def _isf(self, q, a):
        return wsp.gammainccinv(a, q)


class chi2_gen(with_quantiles, rv_continuous):
    """The chi-squared distribution with ``df`` degrees of freedom. The cdf, sf, ppf
    and isf are differentiable in x (q), loc and scale, not in df."""

    shapes = ("df",)
    a, b = 0.0, _INF
    safe = (1.0, 1.0)

    def _logpdf(self, x, df):
        return wsp.xlogy(df / 2. - 1, x) - x / 2. - wsp.gammaln(df / 2.) - (_LOG_2 * df) / 2.

    def _cdf(self, x, df):
        return wsp.gammainc(df / 2, x / 2)

    def _median(self, df):
        return 2 * _scipy_special().gammaincinv(df / 2, 0.5)

    def _sf(self, x, df):
        return wsp.gammaincc(df / 2, x / 2)

    def _ppf(self, q, df):
        return 2 * wsp.gammaincinv(df / 2, q)

    def _isf(self, q, df):
        return 2 * wsp.gammainccinv(df / 2, q)


class beta_gen(with_quantiles, rv_continuous):
    """The beta distribution with shapes ``a``, ``b`` on [0, 1] (then loc, scale).
    The cdf, sf, ppf and isf are differentiable in x (q), loc and scale, not in a or
    b."""

    shapes = ("a", "b")
    a, b = 0.0, 1.0
    safe = (0.5, 1.0, 1.0)

    def _logpdf(self, x, a, b):
        return wsp.xlog1py(b - 1.0, -x) + wsp.xlogy(a - 1.0, x) - wsp.betaln(a, b)

    def _cdf(self, x, a, b):
        return wsp.betainc(a, b, x)

    def _median(self, a, b):
        return _scipy_special().betaincinv(a, b, 0.5)

    def _sf(self, x, a, b):
        return wsp.betainc(b, a, 1.0 - x)

    def _ppf(self, q, a, b):
        return wsp.betaincinv(a, b, q)

    def _isf(self, q, a, b):
        return wsp.betainccinv(a, b, q)


class expon_gen(with_quantiles, rv_continuous):
    """The exponential distribution (rate 1 / ``scale``) on [loc, inf)."""

    a, b = 0.0, _INF
    safe = (1.0,)

    def _logpdf(self, x):
        return -x

    def _pdf(self, x):
        return wnp.exp(-x)

    def _cdf(self, x):
        return -wnp.expm1(-x)

    def _sf(self, x):
        return wnp.exp(-x)

    def _logsf(self, x):
        return -x

    def _median(self):
        return _LOG_2

    def _ppf(self, q):
        return -wnp.log1p(-q)

    def _isf(self, q):
        return -wnp.log(q)


class uniform_gen(with_quantiles, rv_continuous):
    """The uniform distribution on [loc, loc + scale]."""

    a, b = 0.0, 1.0
    safe = (0.5,)

    def _logpdf(self, x):
        return 0.0 * x

    def _pdf(self, x):
        return 0.0 * x + 1.0

    def _cdf(self, x):
        return x

    def _median(self):
        return 0.5

    def _ppf(self, q):
        return q


class laplace_gen(with_quantiles, rv_continuous):
    """The Laplace (double exponential) distribution. Its log density is
    -|x| - log 2; scipy takes the log of its density, which is -inf where
    exp(-|x|) underflows (|x| > 745), wengert keeps the finite value."""

    def _logpdf(self, x):
        return -wnp.abs(x) - _LOG_2

    def _pdf(self, x):
        return 0.5 * wnp.exp(-wnp.abs(x))

    def _cdf(self, x):
        return branches(const(lambda x: x > 0, x), x, lambda x: 1.0 - 0.5 * wnp.exp(-x),
                        lambda x: 0.5 * wnp.exp(x), 1.0, 0.0)

    def _sf(self, x):
        return self._cdf(-x)

    def _ppf(self, q):
        return branches(const(lambda q: q > 0.5, q), q, lambda q: -wnp.log(2 * (1 - q)),
                        lambda q: wnp.log(2 * q), 0.75, 0.25)

    def _isf(self, q):
        return -self._ppf(q)


class cauchy_gen(with_quantiles, rv_continuous):
    """The Cauchy distribution (location ``loc``, half width ``scale``)."""

    def _pdf(self, x):
        return 1.0 / np.pi / (1.0 + x * x)

    def _logpdf(self, x):
        # scipy's pieces: -log(pi) - log1p(x^2) below |x| = 1, and
        # -log(pi) - (2 log|x| + log1p(1/x^2)) above (no overflow)
        return branches(const(lambda x: np.abs(x) < 1, x), x,
                        lambda x: -_LOG_PI - wnp.log1p(x * x),
                        lambda x: -_LOG_PI - (2 * wnp.log(wnp.abs(x))
                                              + wnp.log1p((1 / x) ** 2)), 0.0, 2.0)

    def _cdf(self, x):
        return wnp.arctan2(1.0, -x) / np.pi

    def _sf(self, x):
        return wnp.arctan2(1.0, x) / np.pi

    def _quantile_part(self, q):
        # Boost's quantile (scipy's): -1 / tan(pi P), P = q reduced to (-1/2, 1/2],
        # and exactly 0 at q = 1/2 (slope pi there)
        def off_centre(q):
            p = wnp.where(const(lambda q: q > 0.5, q), q - 1.0, q)
            return -1.0 / wnp.tan(np.pi * p)
        return branches(const(lambda q: q != 0.5, q), q, off_centre,
                        lambda q: (q - 0.5) * np.pi,
                        0.25, 0.5)

    def _ppf(self, q):
        return self._quantile_part(q)

    def _isf(self, q):
        return -self._quantile_part(q)


def _log_expit(x):
    # scipy.special.log_expit: x - log1p(exp(x)) below 0, -log1p(exp(-x)) above
    return branches(const(lambda x: x < 0, x), x, lambda x: x - wnp.log1p(wnp.exp(x)),
                    lambda x: -wnp.log1p(wnp.exp(-x)), -1.0, 1.0)


class logistic_gen(with_quantiles, rv_continuous):
    """The logistic distribution."""

    def _logpdf(self, x):
        # scipy's y - 2 log1p(exp(y)) with y = -|x|, one piece per sign (so the
        # second derivative at 0 is right: |x| would give 0 there)
        return branches(const(lambda x: x >= 0, x), x,
                        lambda x: -x - 2. * wnp.log1p(wnp.exp(-x)),
                        lambda x: x - 2. * wnp.log1p(wnp.exp(x)), 1.0, -1.0)

    def _cdf(self, x):
        return wsp.expit(x)

    def _logcdf(self, x):
        return _log_expit(x)

    def _sf(self, x):
        return wsp.expit(-x)

    def _logsf(self, x):
        return _log_expit(-x)

    def _ppf(self, q):
        return wsp.logit(q)

    def _isf(self, q):
        return -wsp.logit(q)


class lognorm_gen(with_quantiles, rv_continuous):
    """The log-normal distribution: log((x - loc) / scale) is normal with standard
    deviation ``s``."""

    shapes = ("s",)
    a, b = 0.0, _INF
    safe = (1.0, 1.0)

    def _logpdf(self, x, s):
        def positive(x):
            return -wnp.log(x) ** 2 / (2 * s ** 2) - wnp.log(s * x * _norm_pdf_C)
        # x = 0 is in the support (scipy gives -inf there)
        x0 = const(lambda x, s: np.broadcast_arrays(x != 0, s)[0], x, s)
        if every(x0):
            return positive(x)
        return wnp.where(x0, positive(sub(x, x0, 1.0)), -_INF)

    def _cdf(self, x, s):
        return wsp.ndtr(wnp.log(x) / s)

    def _logcdf(self, x, s):
        return wsp.log_ndtr(wnp.log(x) / s)

    def _sf(self, x, s):
        return wsp.ndtr(-(wnp.log(x) / s))

    def _logsf(self, x, s):
        return wsp.log_ndtr(-(wnp.log(x) / s))

    def _ppf(self, q, s):
        return wnp.exp(s * wsp.ndtri(q))

    def _isf(self, q, s):
        return wnp.exp(s * -wsp.ndtri(q))


norm = norm_gen("norm")
t = t_gen("t")
gamma = gamma_gen("gamma")
chi2 = chi2_gen("chi2")
beta = beta_gen("beta")
expon = expon_gen("expon")
uniform = uniform_gen("uniform")
laplace = laplace_gen("laplace")
cauchy = cauchy_gen("cauchy")
logistic = logistic_gen("logistic")
lognorm = lognorm_gen("lognorm")
