"""Differentiable ``numpy.fft`` (rules in ``wengert.rules.fft``)."""

from ..rules.fft import *  # noqa: F401,F403
