"""Differentiable scipy: the functions of ``scipy`` that wengert knows, with scipy's
names and signatures, implemented on numpy alone (scipy is not needed).

>>> import wengert.scipy.special as wsp
>>> float(wsp.expit(0.0))
0.5
"""

from . import special, stats  # noqa: F401

__all__ = ["special", "stats"]
