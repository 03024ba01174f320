"""Differentiable ``scipy.signal``: ``convolve`` and ``correlate``, N-D, with scipy's
modes ('full', 'same', 'valid') and methods ('direct', 'fft', 'auto'), on real and
complex arrays. The forward pass is scipy's own (the optional ``scipy`` extra), so
values are scipy's; derivatives in both operands, both modes, to any order (rules
in ``wengert.rules.scipy_signal``: each VJP is a convolution of the cotangent with
the other operand flipped).

>>> import numpy as np, wengert as wg, wengert.scipy.signal as wss
>>> k = np.array([1.0, 2.0])
>>> wg.grad(lambda x: wss.convolve(x, k).sum())(np.zeros(3))
array([3., 3., 3.])
"""

import numpy as np

from ..core.trace import is_boxed, unbox_all
from ..rules import scipy_signal as _ss
from ..rules._base import shape
from ..rules.arithmetic import multiply
from ..rules.complex import conj
from ..rules.indexing import _getitem

__all__ = ["convolve", "correlate"]

_MODES = ("full", "same", "valid")
_METHODS = ("auto", "direct", "fft")


def _check(who, in1, in2, mode, method):
    if mode not in _MODES:
        raise ValueError(f"{who}: acceptable mode flags are 'valid', 'same', or 'full'; got "
                         f"mode={mode!r}")
    if method not in _METHODS:
        raise ValueError(f"{who}: acceptable method flags are 'auto', 'direct', or 'fft'; "
                         f"got method={method!r}")
    s1, s2 = shape(in1), shape(in2)
    if len(s1) != len(s2):
        raise ValueError(f"{who}: in1 and in2 should have the same dimensionality (shapes "
                         f"{s1} and {s2})")
    if mode == "valid" and s1 and not (all(a >= b for a, b in zip(s1, s2))
                                       or all(a <= b for a, b in zip(s1, s2))):
        raise ValueError(f"{who}: for 'valid' mode, one must be at least as large as the "
                         f"other in every dimension (shapes {s1} and {s2})")


def _asarray(x):
    return x if is_boxed(x) else np.asarray(x)


def _is_complex(x):
    return np.iscomplexobj(unbox_all(x))


def _reverse_and_conj(x):
    flipped = _getitem(x, idx=(slice(None, None, -1),) * len(shape(x)))
    return conj(flipped) if _is_complex(x) else flipped


def convolve(in1, in2, mode="full", method="auto"):
    """scipy.signal.convolve: the N-D convolution of ``in1`` and ``in2`` (same number
    of dimensions), ``mode`` 'full', 'same' (in1's shape, centred) or 'valid', by
    ``method`` 'direct', 'fft' or 'auto' (scipy chooses).

    >>> import wengert.scipy.signal as wss
    >>> wss.convolve([1.0, 2.0, 3.0], [0.0, 1.0, 0.5])
    array([0. , 1. , 2.5, 4. , 1.5])
    """
    in1, in2 = _asarray(in1), _asarray(in2)
    _check("convolve", in1, in2, mode, method)
    if not shape(in1):  # two scalars
        _ss.scipy_signal("convolve")
        return multiply(in1, in2)
    return _ss.convolve(in1, in2, mode=mode, method=method)


def correlate(in1, in2, mode="full", method="auto"):
    """scipy.signal.correlate: the N-D cross-correlation, ``in2`` conjugated; the
    convolution of ``in1`` with ``in2`` reversed along every axis and conjugated.

    >>> import wengert.scipy.signal as wss
    >>> wss.correlate([1.0, 2.0, 3.0], [0.0, 1.0, 0.5])
    array([0.5, 2. , 3.5, 3. , 0. ])
    """
    in1, in2 = _asarray(in1), _asarray(in2)
    _check("correlate", in1, in2, mode, method)
    if not shape(in1):
        _ss.scipy_signal("correlate")
        return multiply(in1, conj(in2) if _is_complex(in2) else in2)
    return _ss.convolve(in1, _reverse_and_conj(in2), mode=mode, method=method)
