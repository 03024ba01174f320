"""Special functions whose forward pass needs scipy (the optional ``scipy`` extra):
the gamma and beta families, the incomplete gamma and beta functions, the error
function and the normal distribution's CDF and inverses. Each states its derivative
once (``unary``, ``binary``, ``last_only``); Python floats use the ``math`` module
where it has the function, so scalar code runs without scipy.

The incomplete functions are differentiable in x only: their derivatives in the
parameters (a, b) are hypergeometric series with no closed form, so asking for one
raises NotImplementedError naming the argument and the mode, instead of a guess.
Their inverses in the last argument (gammaincinv, gammainccinv, betaincinv,
betainccinv) likewise are differentiable in y only: by the implicit function theorem
dx/dy is 1 over the incomplete function's derivative at x (the density, with the sign
of the function), written with the same operations, so it differentiates again.

>>> import wengert as wg, wengert.scipy.special as wsp
>>> print(round(wg.grad(wsp.gammaln)(3.0), 12))  # digamma(3) = 3/2 - Euler's gamma
0.922784335098
"""

import math

import numpy as np

from .. import backend
from ..backend import scalar_or_array
from ..core.primitive import Primitive
from ..core.trace import is_boxed, unbox_all
from ._base import (anywhere, binary, everywhere, match, nondiff, per_example, unary,
                    unbroadcast)
from .elementwise import cos, exp
from .indexing import _where
from .special import xlog1py, xlogy

_SQRT_PI = math.sqrt(math.pi)
_SQRT_2PI = math.sqrt(2.0 * math.pi)
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def _scipy(name, floats=False):
    """scipy.special's ``name``, loaded at first use with a clear message if missing
    (``floats``: Python floats have a path of their own, only arrays need scipy)."""
    def call(*args):
        try:
            import scipy.special as sc
        except ImportError as err:
            raise ImportError(f"wengert.scipy.special.{name} needs scipy"
                              f"{' for arrays' if floats else ''}; install the scipy "
                              f"extra: pip install 'wengert[scipy]'") from err
        if backend.foreign(args):  # Dask: the ufunc protocol; CuPy: cupyx.scipy.special
            return backend.elementwise_call(name, _UFUNC_FORMS.get(name, getattr(sc, name)),
                                            args)
        return getattr(sc, name)(*args)
    call.__name__ = name
    call.checks_kind = True
    call.any_kind = True
    return call


def _polygamma_of_ufuncs(n, x):
    """scipy's polygamma (a Python function, not a ufunc) from its ufuncs, so that an
    array of another library takes each call: psi for n = 0, else
    (-1)^(n+1) n! zeta(n+1, x)."""
    import scipy.special as sc
    n = np.asarray(n) if backend.kind(n) == backend.NUMPY else n
    return np.where(n == 0, sc.psi(x),
                    (-1.0) ** (n + 1) * sc.gamma(n + 1.0) * sc.zeta(n + 1.0, x))


_polygamma_of_ufuncs.any_kind = True
# scipy.special functions that are no ufuncs, written with ufuncs
_UFUNC_FORMS = {"polygamma": _polygamma_of_ufuncs}


def _refuse(who, arg, pos, mode, why):
    def rule(*args, **params):
        raise NotImplementedError(f"{who}: no derivative in {arg} (argument {pos}) in "
                                  f"{mode}: {why}")
    return rule


def last_only(name, impl, deriv, consts, why, doc=None):
    """An elementwise ``ans = f(*consts, x)`` with broadcasting, differentiable in its
    last input with ``deriv(*args, ans)``. The inputs named in ``consts`` have no exact
    rule: differentiating in one raises NotImplementedError naming it, its position and
    the mode, followed by ``why``."""
    return Primitive(
        name, impl,
        jvps=tuple(_refuse(name, c, i, "forward-mode", why) for i, c in enumerate(consts))
        + (lambda t, ans, *args: match(t * deriv(*args, ans), ans),),
        vjps=tuple(_refuse(name, c, i, "reverse-mode", why) for i, c in enumerate(consts))
        + (lambda g, ans, *args: unbroadcast(g * deriv(*args, ans), args[-1]),),
        doc=doc)


gammaln = unary("gammaln", scalar_or_array(_scipy("gammaln", True), math.lgamma, "gammaln"),
                lambda x, ans: digamma(x))


def _polygamma_impl(x, *, n):
    return _scipy("polygamma")(n, x)


# d/dx polygamma(n, x) = polygamma(n + 1, x); the order n is a constant option
_polygamma = Primitive(
    "polygamma", _polygamma_impl,
    jvps=(lambda t, ans, x, *, n: t * _polygamma(x, n=n + 1),),
    vjps=(lambda g, ans, x, *, n: g * _polygamma(x, n=n + 1),))


def polygamma(n, x):
    """scipy.special.polygamma(n, x), differentiable in x (n is an integer >= 0)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"polygamma: the order n must be an integer >= 0, got {n!r}")
    return _polygamma(x, n=int(n))


digamma = unary("digamma", _scipy("digamma"), lambda x, ans: _polygamma(x, n=1))
psi = digamma

# erf' = 2/sqrt(pi) exp(-x^2); erfc' = -erf'; erfinv' = sqrt(pi)/2 exp(erfinv^2)
erf = unary("erf", scalar_or_array(_scipy("erf", True), math.erf, "erf"),
            lambda x, ans: (2.0 / _SQRT_PI) * exp(-(x * x)))
erfc = unary("erfc", scalar_or_array(_scipy("erfc", True), math.erfc, "erfc"),
             lambda x, ans: (-2.0 / _SQRT_PI) * exp(-(x * x)))
erfinv = unary("erfinv", _scipy("erfinv"),
               lambda x, ans: (_SQRT_PI / 2.0) * exp(ans * ans))


def _ndtr_float(x):
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


# the standard normal CDF; its derivative is the density
ndtr = unary("ndtr", scalar_or_array(_scipy("ndtr", True), _ndtr_float, "ndtr"),
             lambda x, ans: exp(-0.5 * (x * x)) / math.sqrt(2.0 * math.pi))

# the inverses of erfc and ndtr: 1 / (the derivative of the function at ans)
erfcinv = unary("erfcinv", _scipy("erfcinv"),
                lambda x, ans: (-_SQRT_PI / 2.0) * exp(ans * ans))
ndtri = unary("ndtri", _scipy("ndtri"), lambda x, ans: _SQRT_2PI * exp(0.5 * (ans * ans)))
# log ndtr' = density / ndtr, as exp(log density - ans): no overflow in either tail
log_ndtr = unary("log_ndtr", _scipy("log_ndtr"),
                 lambda x, ans: exp(-0.5 * (x * x) - ans - _LOG_SQRT_2PI))

# ---------------------------------------------------------------- gamma and 1/gamma

gamma = unary("gamma", scalar_or_array(_scipy("gamma", True), math.gamma, "gamma"),
              lambda x, ans: ans * digamma(x))


def _rgamma_float(x):
    return 1.0 / math.gamma(x)  # poles, overflow and underflow go to scipy


def _rgamma_reflected(x, ans):
    # digamma(x) = digamma(1 - x) - pi cot(pi x), and rgamma(x) pi cot(pi x) =
    # Gamma(1 - x) cos(pi x) (reflection): no 0 * inf at the zeros of rgamma
    return -ans * digamma(1.0 - x) + gamma(1.0 - x) * cos(math.pi * x)


def _rgamma_deriv(x, ans):
    """(1/Gamma)' = -digamma / Gamma: 1/Gamma is entire, but at its zeros 0, -1, -2, ...
    that product is 0 * inf, so below x = 1/2 the reflected form is used, which is
    finite everywhere there ((-1)^n n! at -n). Each branch sees a safe stand-in where
    the other is chosen, so no nan leaks into the derivatives of the derivative."""
    right = per_example(lambda v: backend.asarray(v) >= 0.5, x, aligned=True)
    if everywhere(right):
        return -ans * digamma(x)
    if not anywhere(right):
        return _rgamma_reflected(x, ans)
    return _where(right, -ans * digamma(_where(right, x, 1.0)),
                  _rgamma_reflected(_where(right, 0.0, x), ans))


rgamma = unary("rgamma", scalar_or_array(_scipy("rgamma", True), _rgamma_float, "rgamma"),
               _rgamma_deriv)

gammasgn = nondiff("gammasgn", _scipy("gammasgn"))
gammasgn.__doc__ = "scipy.special.gammasgn, the sign of Gamma(x); piecewise constant."

# ---------------------------------------------------------------- beta


def _digamma_difference(a, b):
    return digamma(a) - digamma(a + b)


# log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b)
betaln = binary("betaln", _scipy("betaln"),
                dx=lambda a, b, ans: _digamma_difference(a, b),
                dy=lambda a, b, ans: _digamma_difference(b, a))
beta = binary("beta", _scipy("beta"),
              dx=lambda a, b, ans: ans * _digamma_difference(a, b),
              dy=lambda a, b, ans: ans * _digamma_difference(b, a))

# ---------------------------------------------------------------- incomplete functions

_NO_CLOSED_FORM = ("it is a hypergeometric series with no closed form, so wengert has no "
                   "exact rule; differentiate in x, with the parameters constant")

# d/dx I_x(a, b) = x^(a-1) (1-x)^(b-1) / B(a, b), the beta density, in logs: xlogy
# keeps x = 0 with a = 1 at 0 * log 0 = 0 (density b), where power's log would give nan
betainc = last_only(
    "betainc", _scipy("betainc"),
    lambda a, b, x, ans: exp(xlogy(a - 1.0, x) + xlog1py(b - 1.0, -x) - betaln(a, b)),
    ("a", "b"), _NO_CLOSED_FORM,
    doc="scipy.special.betainc(a, b, x), the regularized incomplete beta function; "
        "differentiable in x.")


def _gamma_density(a, x, ans):
    return exp(xlogy(a - 1.0, x) - x - gammaln(a))


gammainc = last_only(
    "gammainc", _scipy("gammainc"), _gamma_density, ("a",), _NO_CLOSED_FORM,
    doc="scipy.special.gammainc(a, x), the regularized lower incomplete gamma function "
        "P(a, x); differentiable in x.")
gammaincc = last_only(
    "gammaincc", _scipy("gammaincc"), lambda a, x, ans: -_gamma_density(a, x, ans),
    ("a",), _NO_CLOSED_FORM,
    doc="scipy.special.gammaincc(a, x), the regularized upper incomplete gamma function "
        "Q(a, x) = 1 - P(a, x); differentiable in x.")


# ---------------------------------------------------------------- their inverses in y

_INVERSE_NO_CLOSED_FORM = (
    "the inverse's derivative in a parameter is the incomplete function's derivative in "
    "it over the density, a hypergeometric series with no closed form, so wengert has no "
    "exact rule; differentiate in y, with the parameters constant")


def _inverse_gamma_density(a, y, ans):
    # 1 / the gamma density at x = ans: exp(x + gammaln(a) - (a - 1) log x)
    return exp(ans + gammaln(a) - xlogy(a - 1.0, ans))


def _inverse_beta_density(a, b, y, ans):
    # 1 / the beta density at x = ans
    return exp(betaln(a, b) - xlogy(a - 1.0, ans) - xlog1py(b - 1.0, -ans))


def _betainccinv_impl(a, b, y):
    try:
        import scipy.special as sc
    except ImportError:
        return _scipy("betainccinv")(a, b, y)  # the message naming the extra
    if hasattr(sc, "betainccinv"):
        return sc.betainccinv(a, b, y)
    # scipy before 1.11: I_x(a, b) = 1 - y  <=>  I_(1-x)(b, a) = y
    return 1.0 - sc.betaincinv(b, a, y)


gammaincinv = last_only(
    "gammaincinv", _scipy("gammaincinv"), _inverse_gamma_density, ("a",),
    _INVERSE_NO_CLOSED_FORM,
    doc="scipy.special.gammaincinv(a, y), the x with gammainc(a, x) = y; differentiable "
        "in y: dx/dy = 1 / the gamma density at x.")
gammainccinv = last_only(
    "gammainccinv", _scipy("gammainccinv"),
    lambda a, y, ans: -_inverse_gamma_density(a, y, ans), ("a",), _INVERSE_NO_CLOSED_FORM,
    doc="scipy.special.gammainccinv(a, y), the x with gammaincc(a, x) = y; differentiable "
        "in y: dx/dy = -1 / the gamma density at x.")
betaincinv = last_only(
    "betaincinv", _scipy("betaincinv"), _inverse_beta_density, ("a", "b"),
    _INVERSE_NO_CLOSED_FORM,
    doc="scipy.special.betaincinv(a, b, y), the x with betainc(a, b, x) = y; "
        "differentiable in y: dx/dy = 1 / the beta density at x.")
betainccinv = last_only(
    "betainccinv", _betainccinv_impl,
    lambda a, b, y, ans: -_inverse_beta_density(a, b, y, ans), ("a", "b"),
    _INVERSE_NO_CLOSED_FORM,
    doc="scipy.special.betainccinv(a, b, y), the x with 1 - betainc(a, b, x) = y; "
        "differentiable in y: dx/dy = -1 / the beta density at x.")


def multigammaln(a, d):
    """scipy.special.multigammaln(a, d), the log of the multivariate gamma function:
    d (d - 1) / 4 log(pi) + sum_j gammaln(a - j / 2) over j < d. A sum of gammaln
    terms, so differentiable in ``a`` to any order; needs a > (d - 1) / 2.

    >>> import wengert.scipy.special as wsp
    >>> print(round(wsp.multigammaln(3.0, 2), 12))
    1.550194993958
    """
    if (isinstance(d, (bool, np.bool_)) or not isinstance(d, (int, float, np.number))
            or d != math.floor(d) or d < 1):
        raise ValueError(f"multigammaln: d must be a positive integer (the dimension), "
                         f"got {d!r}")
    d = int(d)
    plain = unbox_all(a)
    if not isinstance(plain, (float, int)):
        plain = np.asarray(plain)
        if not is_boxed(a):
            a = plain
    if np.any(plain <= 0.5 * (d - 1)):
        raise ValueError(f"multigammaln: needs a > (d - 1) / 2 = {0.5 * (d - 1)}, "
                         f"got a = {plain}")
    total = gammaln(a)
    for j in range(1, d):
        total = total + gammaln(a - 0.5 * j)
    return (d * (d - 1) * 0.25) * math.log(math.pi) + total


__all__ = ["gammaln", "digamma", "psi", "polygamma", "erf", "erfc", "erfinv", "erfcinv",
           "ndtr", "ndtri", "log_ndtr", "gamma", "rgamma", "gammasgn", "beta", "betaln",
           "betainc", "gammainc", "gammaincc", "betaincinv", "betainccinv", "gammaincinv",
           "gammainccinv", "multigammaln"]
