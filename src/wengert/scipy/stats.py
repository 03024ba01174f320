"""Differentiable ``scipy.stats``: the normal distribution's density, log density and
CDF, written with wengert.numpy and wengert.scipy.special (composites, no new rules).

>>> import wengert as wg
>>> from wengert.scipy.stats import norm
>>> wg.grad(norm.logpdf)(1.0)  # d/dx log N(x; 0, 1) = -x
-1.0
"""

import math

from .. import numpy as wnp
from ..rules.gamma import ndtr

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


class norm:
    """The normal distribution with mean ``loc`` and standard deviation ``scale``."""

    @staticmethod
    def logpdf(x, loc=0.0, scale=1.0):
        z = (x - loc) / scale
        return -0.5 * z * z - wnp.log(scale) - _LOG_SQRT_2PI

    @staticmethod
    def pdf(x, loc=0.0, scale=1.0):
        return wnp.exp(norm.logpdf(x, loc, scale))

    @staticmethod
    def cdf(x, loc=0.0, scale=1.0):
        return ndtr((x - loc) / scale)

    @staticmethod
    def logcdf(x, loc=0.0, scale=1.0):
        return wnp.log(norm.cdf(x, loc, scale))


__all__ = ["norm"]
