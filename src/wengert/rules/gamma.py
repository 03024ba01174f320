"""Special functions whose forward pass needs scipy (the optional ``scipy`` extra):
the log-gamma family and the error function. Each states its derivative once with
``unary``; Python floats use the ``math`` module where it has the function, so scalar
code runs without scipy.

>>> import wengert as wg, wengert.scipy.special as wsp
>>> print(round(wg.grad(wsp.gammaln)(3.0), 12))  # digamma(3) = 3/2 - Euler's gamma
0.922784335098
"""

import math

import numpy as np

from ..backend import scalar_or_array
from ..core.primitive import Primitive
from ._base import unary
from .elementwise import exp

_SQRT_PI = math.sqrt(math.pi)


def _scipy(name):
    """scipy.special's ``name``, loaded at first use with a clear message if missing."""
    def call(*args):
        try:
            import scipy.special as sc
        except ImportError as err:
            raise ImportError(f"wengert.scipy.special.{name} needs scipy for arrays; "
                              f"install the scipy extra: pip install 'wengert[scipy]'") from err
        return getattr(sc, name)(*args)
    call.__name__ = name
    return call


gammaln = unary("gammaln", scalar_or_array(_scipy("gammaln"), math.lgamma, "gammaln"),
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
erf = unary("erf", scalar_or_array(_scipy("erf"), math.erf, "erf"),
            lambda x, ans: (2.0 / _SQRT_PI) * exp(-(x * x)))
erfc = unary("erfc", scalar_or_array(_scipy("erfc"), math.erfc, "erfc"),
             lambda x, ans: (-2.0 / _SQRT_PI) * exp(-(x * x)))
erfinv = unary("erfinv", _scipy("erfinv"),
               lambda x, ans: (_SQRT_PI / 2.0) * exp(ans * ans))


def _ndtr_float(x):
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


# the standard normal CDF; its derivative is the density
ndtr = unary("ndtr", scalar_or_array(_scipy("ndtr"), _ndtr_float, "ndtr"),
             lambda x, ans: exp(-0.5 * (x * x)) / math.sqrt(2.0 * math.pi))

__all__ = ["gammaln", "digamma", "psi", "polygamma", "erf", "erfc", "erfinv", "ndtr"]
