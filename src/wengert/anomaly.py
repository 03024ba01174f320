"""Anomaly mode: find where a nan or an inf first appears.

Inside ``with wengert.detect_anomaly():`` (or after ``wengert.set_detect_anomaly(True)``)
every transform opens checking traces. Each checks what every primitive gives: its
value, its tangent (forward mode) and the cotangents its VJP gives back (reverse
mode). The first nan or inf raises ``AnomalyError`` naming the primitive, the
direction, and the file and line of the user's own code that created that operation
in the forward pass (for a cotangent, recorded when the operation was taped).

Off by default, and then free: the transforms open the plain trace classes, which
know nothing of it. The switch is process-wide (like numpy's ``seterr``); a trace
keeps the kind it was opened with. Primitives called on plain values, outside every
transform, are numpy calls and are not checked.

>>> import wengert as wg, wengert.numpy as wnp
>>> with wg.detect_anomaly():  # doctest: +ELLIPSIS
...     wg.grad(lambda x: wnp.sqrt(x) * 0.0)(0.0)
Traceback (most recent call last):
...
wengert.anomaly.AnomalyError: detect_anomaly: the adjoint (reverse pass) of primitive 'sqrt' is nan...
"""

import contextlib
import linecache
import os
import sys

import numpy as np

from . import transforms
from .core.forward import ForwardTrace, JVPBox
from .core.reverse import ReverseTrace, pull_cotangents
from .core.trace import unbox_all

__all__ = ["AnomalyError", "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled"]

_SKIP = (os.path.dirname(os.path.abspath(__file__)) + os.sep,
         os.path.dirname(os.path.abspath(np.__file__)) + os.sep,
         contextlib.__file__)


class AnomalyError(FloatingPointError):
    """A primitive gave a nan or an inf under anomaly mode. The message names the
    primitive, what was not finite (its value in the forward pass, its tangent in
    forward mode, or the cotangent its VJP gave in the reverse pass) and the file, line
    and function of your code that called the operation. A ``FloatingPointError``, so
    handlers for numpy's ``seterr(all="raise")`` errors catch it too.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> with wg.detect_anomaly():
    ...     try:
    ...         wg.grad(lambda x: wnp.log(x) * 2.0)(0.0)
    ...     except AnomalyError as err:
    ...         for part in str(err).split("; "): print(part)  # doctest: +ELLIPSIS
    detect_anomaly: the value (forward pass) of primitive 'log' is inf
    the operation was created at ... in <lambda>: wg.grad(lambda x: wnp.log(x) * 2.0)(0.0)
    """


def _user_place():
    """``(file, line, function)`` of the innermost frame outside wengert and numpy:
    the user's line that called the operation being checked."""
    f = sys._getframe(1)
    while f is not None and f.f_code.co_filename.startswith(_SKIP):
        f = f.f_back
    if f is None:
        return None
    return f.f_code.co_filename, f.f_lineno, f.f_code.co_name


def _finite(x):
    v = unbox_all(x)
    if type(v) is float:
        return v - v == 0.0  # false for nan and inf alike
    return bool(np.all(np.isfinite(v)))


def _kind(x):
    v = np.asarray(unbox_all(x))
    return "nan" if np.isnan(v).any() else "inf"


def _where(place):
    if place is None:
        return "(no user frame found)"
    file, line, func = place
    text = linecache.getline(file, line).strip()
    return f"created at {file}:{line} in {func}" + (f": {text}" if text else "")


def _raise(prim, direction, value, place, inputs):
    came = ""
    if not all(_finite(a) for a in inputs if a is not None):
        came = (" (its inputs already held a nan or an inf, so it came from outside the "
                "checked operations: an argument or a constant)")
    raise AnomalyError(f"detect_anomaly: the {direction} of primitive '{prim.name}' is "
                       f"{_kind(value)}{came}; the operation was {_where(place)}")


class AnomalyReverseTrace(ReverseTrace):
    """A reverse trace that checks each value as it is taped and each cotangent as
    the backward pass gives it, and remembers the user's line of each operation."""

    __slots__ = ("places",)

    def __init__(self):
        super().__init__()
        self.places = {}  # id(the entry's argument list) -> user's (file, line, func)

    def process(self, prim, args, params):
        place = _user_place()
        box = ReverseTrace.process(self, prim, args, params)
        entry_args = self.tape[-1][1]
        self.places[id(entry_args)] = place
        if not _finite(box._value):
            _raise(prim, "value (forward pass)", box._value, place, entry_args)
        return box

    def pull(self, prim, g, ans, args, params, parents):
        out = pull_cotangents(prim, g, ans, args, params, parents)
        for _, ct in out:
            if not _finite(ct):
                _raise(prim, "adjoint (reverse pass)", ct, self.places.get(id(args)), [g])
        return out


class AnomalyForwardTrace(ForwardTrace):
    """A forward trace that checks each value and each tangent it pushes."""

    __slots__ = ()

    def process(self, prim, args, params):
        out = ForwardTrace.process(self, prim, args, params)
        if isinstance(out, JVPBox) and out._trace is self:
            value, tangent = out._value, out._tangent
        else:
            value, tangent = out, None
        if not _finite(value):
            _raise(prim, "value (forward pass)", value, _user_place(),
                   [self.lower(a) for a in args])
        if tangent is not None and not _finite(tangent):
            _raise(prim, "tangent (forward mode)", tangent, _user_place(),
                   [a._tangent for a in args if isinstance(a, JVPBox) and a._trace is self])
        return out


def set_detect_anomaly(mode):
    """Switch anomaly mode on (``mode`` true) or off for the transforms opened from now
    on, process-wide; returns the previous setting (for restoring it). A transform
    already running keeps the mode it started with. ``detect_anomaly()`` does the same
    for a ``with`` block and restores the setting after it.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> previous = set_detect_anomaly(True)
    >>> try:
    ...     wg.grad(lambda x: wnp.sqrt(x) * 0.0)(0.0)  # 0 * inf in the reverse pass
    ... except AnomalyError as err:
    ...     print(err)  # doctest: +ELLIPSIS
    detect_anomaly: the adjoint (reverse pass) of primitive 'sqrt' is nan; ...
    >>> set_detect_anomaly(previous)
    True
    """
    previous = is_anomaly_enabled()
    on = bool(mode)
    transforms.traces.reverse = AnomalyReverseTrace if on else ReverseTrace
    transforms.traces.forward = AnomalyForwardTrace if on else ForwardTrace
    return previous


def is_anomaly_enabled():
    """Whether anomaly mode is on (for the transforms opened from now on).

    >>> import wengert as wg
    >>> is_anomaly_enabled()
    False
    >>> with wg.detect_anomaly():
    ...     is_anomaly_enabled()
    True
    """
    return transforms.traces.reverse is AnomalyReverseTrace


@contextlib.contextmanager
def detect_anomaly(enabled=True):
    """Anomaly mode for the transforms run inside the ``with`` block (PyTorch's
    ``detect_anomaly``, JAX's ``debug_nans``); the previous setting comes back after.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> with wg.detect_anomaly():
    ...     wg.grad(wnp.log)(2.0)
    0.5
    """
    previous = set_detect_anomaly(enabled)
    try:
        yield
    finally:
        set_detect_anomaly(previous)
