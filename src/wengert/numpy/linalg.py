"""Differentiable ``numpy.linalg`` (rules in ``wengert.rules.decompositions``)."""

from ..rules.decompositions import *  # noqa: F401,F403
