"""Spec table for rules/signal.py: the convolve primitive through numpy's convolve and
correlate (every mode, both length orders, real, complex and mixed inputs), and the
composites interp, polyval and polyfit. convolve is bilinear and interp piecewise linear, so
each function ends in ``sin`` (spec.labelled) for a nonzero second derivative; interp's
points sit away from the table's knots, where it has kinks."""

import numpy as np

import wengert.numpy as wnp

from .spec import Case, R, labelled


def C(*shape):
    return R(*shape) + 1j * R(*shape)


CASES = []
for _name in ("convolve", "correlate"):
    _f = getattr(wnp, _name)
    for _mode in ("full", "same", "valid"):
        for _na, _nv in ((5, 3), (3, 5), (4, 4), (1, 3), (6, 2)):
            CASES.append(labelled("convolve", f"{_name}-{_mode}",
                                  lambda a, v, f=_f, m=_mode: f(a, v, m), R(_na), R(_nv)))
    CASES += [
        labelled("convolve", f"{_name}-complex", lambda a, v, f=_f: f(a, v, "same"),
                 C(5), C(3)),
        labelled("convolve", f"{_name}-complex-real", lambda a, v, f=_f: f(a, v, "full"),
                 C(3), R(4)),
        labelled("convolve", f"{_name}-real-complex", lambda a, v, f=_f: f(a, v, "valid"),
                 R(5), C(2)),
        # one argument traced, the other a constant
        labelled("convolve", f"{_name}-const-v",
                 lambda a, f=_f: f(a, np.array([0.5, -1.0, 2.0]), "full"), R(4)),
        labelled("convolve", f"{_name}-const-a",
                 lambda v, f=_f: f(np.array([0.5, -1.0, 2.0, 0.3]), v, "same"), R(3)),
    ]
CASES += [
    labelled("convolve", "convolve-self", lambda a: wnp.convolve(a, a), R(4)),
    # numpy.convolve reads a 0-d argument as one sample (numpy.correlate refuses it)
    labelled("convolve", "convolve-scalar-v", lambda a, v: wnp.convolve(a, v), R(4), R()),
]

_XP = np.array([-1.0, 0.0, 0.5, 2.0, 3.5])
_X = np.array([-1.7, -0.6, 0.2, 0.9, 2.8, 4.2])  # every segment and both outsides
_FP = R(5)
CASES += [
    labelled("multiply", "interp-x", lambda x: wnp.interp(x, _XP, _FP), _X),
    labelled("getitem", "interp-fp", lambda fp: wnp.interp(_X, _XP, fp), R(5)),
    labelled("getitem", "interp-x-fp", lambda x, fp: wnp.interp(x, _XP, fp), _X, R(5)),
    labelled("getitem", "interp-left-right",
             lambda x, fp, lr: wnp.interp(x, _XP, fp, left=lr[0], right=lr[1]),
             _X, R(5), R(2)),
    labelled("getitem", "interp-period",
             lambda x, fp: wnp.interp(x, _XP, fp, period=5.0), _X * 2.1, R(5)),
    labelled("getitem", "interp-complex-fp", lambda x, fp: wnp.interp(x, _XP, fp),
             _X, C(5)),
    labelled("getitem", "interp-2d-x", lambda x, fp: wnp.interp(x, _XP, fp),
             _X.reshape(2, 3), R(5)),
    labelled("multiply", "interp-scalar-x", lambda x: wnp.interp(x, _XP, _FP), 1.3),
    labelled("multiply", "polyval", wnp.polyval, R(4), R(3)),
    labelled("multiply", "polyval-x", lambda x: wnp.polyval(np.array([1.0, -2.0, 0.5]), x),
             R(2, 3)),
    labelled("multiply", "polyval-p", lambda p: wnp.polyval(p, 0.7), R(5)),
    labelled("multiply", "polyval-complex", wnp.polyval, C(3), C(4)),
]

# polyfit: numpy's scaled Vandermonde matrix through lstsq (qr, solve, matmul)
_XF = np.linspace(-1.0, 2.0, 7)
CASES += [
    Case("matmul", lambda y: wnp.polyfit(_XF, y, 2), (R(7),), id="matmul-polyfit-y-7"),
    Case("matmul", lambda x, y: wnp.polyfit(x, y, 1), (_XF, R(7, 2)), id="matmul-polyfit-x-y-7x2"),
    Case("matmul", lambda x, y, w: wnp.polyfit(x, y, 2, w=w), (_XF, R(7), 1.0 + 0.5 * np.abs(R(7))),
         id="matmul-polyfit-weights-7"),
    Case("matmul", lambda x, y: wnp.polyfit(x, y, 2, cov=True)[1], (_XF, R(7)),
         id="matmul-polyfit-cov-7"),
]
