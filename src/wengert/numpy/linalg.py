"""Differentiable ``numpy.linalg``: every public name numpy.linalg has (rules in
``wengert.rules.decompositions`` and ``wengert.rules.linalg``), and numpy 2's array-API
forms of the products (matmul, tensordot, outer, cross, vecdot, diagonal, trace,
matrix_transpose), which work over the last axes."""

from ..rules import linalg as _products
from ..rules.decompositions import *  # noqa: F401,F403
from ..rules.decompositions import __all__ as _decompositions_all
from ..rules.linalg import cross, multi_dot, vecdot  # noqa: F401
from ..rules.shape import swapaxes as _swapaxes
from ..rules._base import shape as _shape


def matmul(x1, x2, /):
    """numpy.linalg.matmul: ``numpy.matmul`` (the @ operator)."""
    return _products.matmul(x1, x2)


def tensordot(x1, x2, /, *, axes=2):
    """numpy.linalg.tensordot: ``numpy.tensordot``."""
    return _products.tensordot(x1, x2, axes=axes)


def outer(x1, x2, /):
    """numpy.linalg.outer: the outer product of two vectors (1-D only, unlike
    ``numpy.outer``, which flattens)."""
    s1, s2 = _shape(x1), _shape(x2)
    if len(s1) != 1 or len(s2) != 1:
        raise ValueError(f"outer: needs two vectors (1-D), got shapes {s1} and {s2}")
    return _products.outer(x1, x2)


def matrix_transpose(x, /):
    """numpy.linalg.matrix_transpose: swap the last two axes."""
    s = _shape(x)
    if len(s) < 2:
        raise ValueError(f"matrix_transpose: needs at least 2 dimensions, got shape {s}")
    return _swapaxes(x, -1, -2)


def diagonal(x, /, *, offset=0):
    """numpy.linalg.diagonal: the diagonals over the last two axes (a copy)."""
    return _products.diagonal(x, offset=offset, axis1=-2, axis2=-1)


def trace(x, /, *, offset=0, dtype=None):
    """numpy.linalg.trace: the sums along the diagonals over the last two axes."""
    return _products.trace(x, offset=offset, axis1=-2, axis2=-1, dtype=dtype)


__all__ = list(_decompositions_all) + [
    "matmul", "tensordot", "outer", "matrix_transpose", "diagonal", "trace", "cross",
    "vecdot", "multi_dot"]
