"""Differentiable scipy: the functions of ``scipy`` that wengert knows, with scipy's
names and signatures. special and stats run on numpy alone where they can; linalg,
signal and integrate call scipy's own algorithms (the ``scipy`` extra) and say so
when it is missing.

>>> import wengert.scipy.special as wsp
>>> float(wsp.expit(0.0))
0.5
"""

from . import integrate, linalg, signal, special, stats  # noqa: F401

__all__ = ["special", "stats", "linalg", "signal", "integrate"]
