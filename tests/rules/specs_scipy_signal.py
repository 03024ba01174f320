"""Spec table for rules/scipy_signal.py (wengert.scipy.signal): the primitive
signal_convolve through convolve and correlate, 1-D to 3-D, each mode and method,
real, complex and mixed inputs. Values come from this table's own generator.
Every function ends in ``sin`` (spec.labelled), since convolution is bilinear.
"""

import numpy as np

import wengert.scipy.signal as wss

from .spec import labelled

_case = labelled
_rng = np.random.default_rng(4048)


def R(*shape):
    return 0.5 * _rng.standard_normal(shape)


def C(*shape):
    return 0.5 * (_rng.standard_normal(shape) + 1j * _rng.standard_normal(shape))


CASES = []
for name in ("convolve", "correlate"):
    f = getattr(wss, name)
    for mode in ("full", "same", "valid"):
        for method in ("direct", "fft"):
            CASES += [
                _case("signal_convolve", f"{name}-{mode}-{method}-1d",
                      lambda x, y, f=f, mode=mode, method=method:
                      f(x, y, mode=mode, method=method), R(5), R(3)),
                _case("signal_convolve", f"{name}-{mode}-{method}-2d",
                      lambda x, y, f=f, mode=mode, method=method:
                      f(x, y, mode=mode, method=method), R(3, 4), R(2, 2)),
            ]
    CASES += [
        _case("signal_convolve", f"{name}-full-auto-small-first",
              lambda x, y, f=f: f(x, y), R(2), R(4)),
        _case("signal_convolve", f"{name}-valid-swapped",
              lambda x, y, f=f: f(x, y, mode="valid"), R(2, 2), R(3, 4)),
        _case("signal_convolve", f"{name}-same-3d",
              lambda x, y, f=f: f(x, y, mode="same"), R(2, 3, 2), R(2, 2, 2)),
        _case("signal_convolve", f"{name}-complex",
              lambda x, y, f=f: f(x, y, mode="same"), C(4, 3), C(2, 2)),
        _case("signal_convolve", f"{name}-mixed",
              lambda x, y, f=f: f(x, y), R(4), C(3)),
    ]
