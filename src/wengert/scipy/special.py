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

import importlib.util

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


# ---------------------------------------------------------------- docstrings
# The rules (wengert.rules) give these functions their derivatives; their docstrings
# are written here, where the names are public: in full for those that carry none,
# an example for those whose docstring has none. Set only where missing, so a
# docstring written beside a rule wins; the doctests run them through ``__test__``.

_IMPORT = ">>> import numpy as np, wengert as wg, wengert.scipy.special as wsp\n"

_DOCS = {
    "gamma": """gamma(x)

scipy.special.gamma(x), the gamma function: Gamma(n) = (n - 1)! for
positive integers, with derivative gamma(x) digamma(x). A Python float is computed
by ``math.gamma``, an array by scipy (the ``scipy`` extra). At the poles (0 and the
negative integers) the value is inf or nan, as scipy's.

""" + _IMPORT + """>>> wsp.gamma(5.0), wsp.gamma(np.array([0.5, 4.0]))
(24.0, array([1.77245385, 6.        ]))
>>> float(wg.grad(wsp.gamma)(1.0))  # Gamma'(1) = -(Euler's constant)
-0.5772156649015329
""",
    "rgamma": """rgamma(x)

scipy.special.rgamma(x), the reciprocal gamma function 1 / Gamma(x):
entire, so 0 at the poles of gamma, where its derivative stays finite
((-1)^n n! at x = -n). Python floats need no scipy; arrays do.

""" + _IMPORT + """>>> wsp.rgamma(np.array([-1.0, 0.5, 3.0]))
array([0.        , 0.56418958, 0.5       ])
>>> float(wg.grad(wsp.rgamma)(0.0))
1.0
""",
    "gammaln": """gammaln(x)

scipy.special.gammaln(x), log |Gamma(x)|, without the overflow of
gamma itself (Gamma(200) does not fit a float; its log is 857.93); the derivative
is digamma(x). Python floats use ``math.lgamma``; arrays need scipy.

""" + _IMPORT + """>>> wsp.gammaln(200.0), wsp.gammaln(np.array([0.5, 10.0]))
(857.9336698258575, array([ 0.57236494, 12.80182748]))
>>> float(wg.grad(wsp.gammaln)(1.0))
-0.5772156649015329
""",
    "digamma": """digamma(x)

scipy.special.digamma(x) (also ``psi``), the logarithmic derivative
of gamma: Gamma'(x) / Gamma(x); its derivative is polygamma(1, x), and higher ones
follow (``polygamma``). -inf at 0, nan at the negative integers. Needs scipy.

""" + _IMPORT + """>>> wsp.digamma(np.array([1.0, 2.0]))  # -(Euler's constant), 1 - it
array([-0.57721566,  0.42278434])
>>> float(wg.grad(wsp.psi)(1.0))  # pi**2 / 6
1.6449340668482266
""",
    "beta": """beta(a, b)

scipy.special.beta(a, b), the beta function Gamma(a) Gamma(b) /
Gamma(a + b), differentiable in both arguments: d/da = beta(a, b) (digamma(a) -
digamma(a + b)). Needs scipy.

""" + _IMPORT + """>>> float(wsp.beta(2.0, 3.0))  # 1! 2! / 4!
0.08333333333333333
>>> [round(float(d), 6) for d in wg.grad(wsp.beta, argnums=(0, 1))(2.0, 3.0)]
[-0.090278, -0.048611]
""",
    "betaln": """betaln(a, b)

scipy.special.betaln(a, b), log |beta(a, b)| without the underflow of
beta for large arguments; d/da = digamma(a) - digamma(a + b), and d/db alike. Needs
scipy.

""" + _IMPORT + """>>> wsp.betaln(np.array([2.0, 200.0]), 300.0)
array([ -11.41089274, -337.98011307])
>>> round(float(wg.grad(wsp.betaln)(2.0, 3.0)), 6)  # 1/2 - 1/2 - 1/3 - 1/4
-1.083333
""",
    "erf": """erf(x)

scipy.special.erf(x), the error function 2/sqrt(pi) times the integral
of exp(-t^2) from 0 to x; its derivative is 2/sqrt(pi) exp(-x^2). Python floats use
``math.erf``; arrays need scipy.

""" + _IMPORT + """>>> wsp.erf(0.5), wsp.erf(np.array([0.0, 3.0]))
(0.5204998778130465, array([0.        , 0.99997791]))
>>> wg.grad(wsp.erf)(0.0)  # 2 / sqrt(pi)
1.1283791670955126
""",
    "erfc": """erfc(x)

scipy.special.erfc(x), the complementary error function 1 - erf(x),
accurate where erf(x) is near 1 (large x); derivative -2/sqrt(pi) exp(-x^2). Python
floats use ``math.erfc``; arrays need scipy.

""" + _IMPORT + """>>> wsp.erfc(10.0)  # 1 - erf(10.0) would round to 0
2.088487583762545e-45
>>> wg.grad(wsp.erfc)(0.0)
-1.1283791670955126
""",
    "erfinv": """erfinv(y)

scipy.special.erfinv(y), the inverse of erf on (-1, 1) (inf at 1,
nan outside [-1, 1]); derivative sqrt(pi)/2 exp(erfinv(y)^2). Needs scipy.

""" + _IMPORT + """>>> wsp.erfinv(np.array([0.0, 0.5]))
array([0.        , 0.47693628])
>>> float(wg.grad(wsp.erfinv)(0.0))  # sqrt(pi) / 2
0.8862269254527579
""",
    "erfcinv": """erfcinv(y)

scipy.special.erfcinv(y), the inverse of erfc on (0, 2): the x with
erfc(x) = y; derivative -sqrt(pi)/2 exp(x^2). Needs scipy.

""" + _IMPORT + """>>> float(wsp.erfcinv(0.5)) == float(wsp.erfinv(0.5))
True
>>> float(wg.grad(wsp.erfcinv)(1.0))
-0.8862269254527579
""",
    "ndtr": """ndtr(x)

scipy.special.ndtr(x), the standard normal distribution function
Phi(x) = (1 + erf(x / sqrt(2))) / 2; its derivative is the normal density. Python
floats need no scipy; arrays do.

""" + _IMPORT + """>>> wsp.ndtr(np.array([0.0, 1.96]))
array([0.5      , 0.9750021])
>>> wg.grad(wsp.ndtr)(0.0)  # 1 / sqrt(2 pi)
0.3989422804014327
""",
    "ndtri": """ndtri(p)

scipy.special.ndtri(p), the inverse of ndtr: the standard normal
quantile; derivative sqrt(2 pi) exp(x^2 / 2) at x = ndtri(p). Needs scipy.

""" + _IMPORT + """>>> wsp.ndtri(np.array([0.5, 0.975]))
array([0.        , 1.95996398])
>>> float(wg.grad(wsp.ndtri)(0.5))  # sqrt(2 pi)
2.5066282746310002
""",
    "log_ndtr": """log_ndtr(x)

scipy.special.log_ndtr(x), log Phi(x) accurate far in the lower
tail, where Phi(x) itself underflows; its derivative, the density over Phi, is
about -x there. Needs scipy.

""" + _IMPORT + """>>> wsp.log_ndtr(np.array([0.0, -40.0]))
array([-6.93147181e-01, -8.04608442e+02])
>>> round(float(wg.grad(wsp.log_ndtr)(-40.0)), 6)
40.024969
""",
}
# digamma and psi are one function: one docstring, which names both
_EXAMPLES = {
    "log_softmax": """>>> wsp.log_softmax(np.array([1.0, 2.0, 3.0]))
array([-2.40760596, -1.40760596, -0.40760596])
>>> round(float(np.exp(wsp.log_softmax(np.array([1.0, 2.0, 3.0]))).sum()), 12)
1.0
""",
    "xlog1py": """>>> wsp.xlog1py(np.array([0.0, 2.0]), np.array([-1.0, 1.0]))  # 0, not 0 * -inf
array([0.        , 1.38629436])
>>> float(wg.grad(wsp.xlog1py, argnums=1)(2.0, 1.0))  # x / (1 + y)
1.0
""",
    "entr": """>>> wsp.entr(np.array([0.0, 0.5, 2.0]))
array([ 0.        ,  0.34657359, -1.38629436])
>>> float(wg.grad(wsp.entr)(1.0))  # -(log x + 1)
-1.0
""",
    "gammasgn": """>>> wsp.gammasgn(np.array([-1.5, -0.5, 2.0]))
array([ 1., -1.,  1.])
""",
    "polygamma": """>>> round(float(wsp.polygamma(1, 1.0)), 12)  # pi**2 / 6
1.644934066848
>>> round(float(wg.grad(lambda x: wsp.polygamma(1, x))(1.0)), 6)  # polygamma(2, 1)
-2.404114
""",
    "betainc": """>>> float(wsp.betainc(2.0, 3.0, 0.5))
0.6875
>>> round(float(wg.grad(wsp.betainc, argnums=2)(2.0, 3.0, 0.5)), 12)  # the density
1.5
""",
    "betaincinv": """>>> float(wsp.betaincinv(2.0, 3.0, 0.6875))
0.5
>>> round(float(wg.grad(wsp.betaincinv, argnums=2)(2.0, 3.0, 0.6875)), 12)  # 1 / 1.5
0.666666666667
""",
    "betainccinv": """>>> float(wsp.betainccinv(2.0, 3.0, 0.3125))
0.5
>>> round(float(wg.grad(wsp.betainccinv, argnums=2)(2.0, 3.0, 0.3125)), 12)
-0.666666666667
""",
    "gammainc": """>>> round(float(wsp.gammainc(1.0, 1.0)), 12)  # 1 - exp(-1)
0.632120558829
>>> round(float(wg.grad(wsp.gammainc, argnums=1)(1.0, 1.0)), 12)  # exp(-1)
0.367879441171
""",
    "gammaincc": """>>> round(float(wsp.gammaincc(1.0, 1.0)), 12)  # exp(-1)
0.367879441171
>>> round(float(wg.grad(wsp.gammaincc, argnums=1)(1.0, 1.0)), 12)
-0.367879441171
""",
    "gammaincinv": """>>> round(float(wsp.gammaincinv(1.0, 0.5)), 12)  # log 2
0.69314718056
>>> round(float(wg.grad(wsp.gammaincinv, argnums=1)(1.0, 0.5)), 12)  # 1 / exp(-log 2)
2.0
""",
    "gammainccinv": """>>> round(float(wsp.gammainccinv(1.0, 0.5)), 12)
0.69314718056
>>> round(float(wg.grad(wsp.gammainccinv, argnums=1)(1.0, 0.5)), 12)
-2.0
""",
    "i0": """>>> wsp.i0(np.array([0.0, 1.0]))
array([1.        , 1.26606588])
>>> float(wg.grad(wsp.i0)(1.0)) == float(wsp.i1(1.0))  # i0' = i1
True
""",
    "i1": """>>> wsp.i1(np.array([0.0, 1.0]))
array([0.       , 0.5651591])
>>> x = 1.0; d = wg.grad(wsp.i1)(x); round(float(d - (wsp.i0(x) - wsp.i1(x) / x)), 12)
0.0
""",
    "i0e": """>>> wsp.i0e(np.array([0.0, 100.0]))  # i0(100) exp(-100): no overflow
array([1.        , 0.03994438])
>>> x = 2.0; round(float(wg.grad(wsp.i0e)(x) - (wsp.i1e(x) - wsp.i0e(x))), 12)
0.0
""",
    "i1e": """>>> wsp.i1e(np.array([0.0, 100.0]))
array([0.        , 0.03974415])
>>> x = 2.0; round(float(wg.grad(wsp.i1e)(x) - (wsp.i0e(x) - wsp.i1e(x) * (1 + 1 / x))), 12)
0.0
""",
    "iv": """>>> wsp.iv(np.array([0.0, 2.5]), 1.5)
array([1.64672319, 0.17166202])
>>> x = 1.5; round(float(wg.grad(wsp.iv, argnums=1)(2.5, x)
...                      - (wsp.iv(1.5, x) + wsp.iv(3.5, x)) / 2), 12)
0.0
""",
    "ive": """>>> wsp.ive(1.5, np.array([3.0, 300.0]))  # iv(1.5, 300) overflows
array([0.15431419, 0.02295617])
>>> x = 3.0; round(float(wsp.ive(1.5, x) - wsp.iv(1.5, x) * np.exp(-x)), 12)
0.0
""",
    "j0": """>>> wsp.j0(np.array([0.0, 1.0]))
array([1.        , 0.76519769])
>>> float(wg.grad(wsp.j0)(1.0)) == -float(wsp.j1(1.0))  # j0' = -j1
True
""",
    "j1": """>>> wsp.j1(np.array([0.0, 1.0]))
array([0.        , 0.44005059])
>>> x = 1.0; round(float(wg.grad(wsp.j1)(x) - (wsp.j0(x) - wsp.j1(x) / x)), 12)
0.0
""",
    "jn": """>>> wsp.jn(2, np.array([0.0, 1.0]))
array([0.        , 0.11490348])
>>> x = 1.0; round(float(wg.grad(wsp.jn, argnums=1)(2, x)
...                      - (wsp.jn(1, x) - wsp.jn(3, x)) / 2), 12)
0.0
""",
    "y0": """>>> wsp.y0(np.array([1.0, 2.0]))
array([0.08825696, 0.51037567])
>>> float(wg.grad(wsp.y0)(1.0)) == -float(wsp.y1(1.0))  # y0' = -y1
True
""",
    "y1": """>>> wsp.y1(np.array([1.0, 2.0]))
array([-0.78121282, -0.10703243])
>>> x = 1.0; round(float(wg.grad(wsp.y1)(x) - (wsp.y0(x) - wsp.y1(x) / x)), 12)
0.0
""",
    "yn": """>>> wsp.yn(2, np.array([1.0, 2.0]))
array([-1.65068261, -0.6174081 ])
>>> x = 2.0; round(float(wg.grad(wsp.yn, argnums=1)(2, x)
...                      - (wsp.yn(1, x) - wsp.yn(3, x)) / 2), 12)
0.0
""",
}


def _set_docs():
    tests = {}
    for name, doc in _DOCS.items():
        f = globals()[name]
        if not (f.__doc__ or "").strip():
            f.__doc__ = doc
            tests[name] = doc
    for name, example in _EXAMPLES.items():
        f = globals()[name]
        doc = f.__doc__ or ""
        if ">>>" in doc:
            continue
        # the example takes the indentation of the docstring's later lines
        rest = [ln for ln in doc.splitlines()[1:] if ln.strip()]
        pad = min((len(ln) - len(ln.lstrip()) for ln in rest), default=0) * " "
        block = "\n".join(pad + ln if ln else ln for ln in (_IMPORT + example).splitlines())
        f.__doc__ = doc.rstrip() + "\n\n" + block + "\n"
        tests[name] = _IMPORT + example
    return tests


__test__ = _set_docs()
if importlib.util.find_spec("scipy") is None:  # the examples need scipy's functions
    __test__ = {}
