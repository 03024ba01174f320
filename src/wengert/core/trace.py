"""Boxes (traced values) and levels.

Every transform opens a trace with a fresh level number, taken from a global
counter, so a trace opened later (inside) always has a higher level than the
traces around it. A box knows its trace; ``Primitive.__call__`` hands a call to the
highest-level trace among its arguments, and arguments of lower traces are
constants there. That single comparison is what keeps nested derivatives of the
same variable apart (no perturbation confusion).

No mutable global state besides the counter (whose ``next`` is atomic), so traces in
different threads or async tasks never interfere.
"""

import itertools

_levels = itertools.count(1)


def new_level():
    return next(_levels)


class Box:
    """A value being traced by one transform. Array behaviour is attached by
    ``wengert.numpy`` (operators, ``.shape``, ``.T`` ...)."""

    __slots__ = ("_value", "_trace")
    # numpy defers to our reflected operators instead of building object arrays
    __array_ufunc__ = None

    def __repr__(self):
        return f"{type(self).__name__}({self._value!r}, level={self._trace.level})"

    def __bool__(self):
        return bool(self._value)

    def __float__(self):
        # float() would hand back a number with the derivative silently dropped
        raise TypeError(
            "float() of a traced value would drop its derivative: use wengert.numpy "
            "functions (wnp.sqrt, not math.sqrt), or wengert.stop_gradient(x) when a "
            "constant is meant")

    __complex__ = __float__

    def __int__(self):
        return int(self._value)

    def __index__(self):
        return self._value.__index__()

    __hash__ = object.__hash__


class Trace:
    __slots__ = ("level",)

    def __init__(self):
        self.level = new_level()

    def lower(self, x):
        """``x`` as seen one level below this trace (its primal if it is ours)."""
        if isinstance(x, Box) and x._trace is self:
            return x._value
        return x


def unbox_all(x):
    """Strip every level of boxing: the plain value underneath."""
    while isinstance(x, Box):
        x = x._value
    return x


def is_boxed(x):
    return isinstance(x, Box)
