"""Boxes (traced values) and levels.

Each transform opens a trace with a fresh level from a global counter, so a trace opened
inside another has the higher level. A box knows its trace; ``Primitive.__call__`` hands
a call to the highest-level trace among its arguments, and arguments of lower traces are
constants there: that one comparison keeps nested derivatives of one variable apart (no
perturbation confusion). The counter (whose ``next`` is atomic) is the only mutable
global state, so traces in different threads or async tasks never interfere.
"""

import itertools

from ._slots import drop_sequence_slot

_levels = itertools.count(1)


def new_level():
    return next(_levels)


class Box:
    """A value being traced by one transform. Array behaviour is attached by
    ``wengert.numpy`` (operators, ``.shape``, ``.T`` ...)."""

    # __weakref__: wengert.numpy tracks which boxes are numpy views of others
    __slots__ = ("_value", "_trace", "__weakref__")
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

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # indexable, but not a Python sequence (see core/_slots.py)
        drop_sequence_slot(cls)


class EscapedTracerError(RuntimeError):
    """A traced value was used after the transform that traced it had returned.

    >>> import wengert as wg; kept = []
    >>> _ = wg.grad(lambda x: kept.append(x) or x * x)(3.0)
    >>> kept[0] * 2  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    wengert.core.trace.EscapedTracerError: multiply: ... traced by grad of <lambda> ...
    """


class Trace:
    # views: the numpy views among this trace's boxes, kept by wengert.numpy so that
    # assignment into one is seen through the others (None until a view is taken)
    __slots__ = ("level", "who", "views")

    def __init__(self):
        self.level = new_level()
        self.who = None
        self.views = None

    def finish(self, who, fun=None):
        """Close the trace once its function has returned. Its boxes may still be held
        somewhere (a list, a global, another thread); any later operation on one raises
        ``EscapedTracerError`` instead of growing a record nobody will read. The class
        changes, not a flag, so the per-operation path pays nothing for the check. ``who``
        (and ``fun``) name the transform in that message, written only when needed."""
        self.who = (who, fun)
        cls = type(self)
        finished = _finished_classes.get(cls)
        if finished is None:
            finished = type(f"Finished{cls.__name__}", (cls,),
                            {"__slots__": (), "process": _escaped})
            _finished_classes[cls] = finished
        self.__class__ = finished

    def lower(self, x):
        """``x`` as seen one level below this trace (its primal if it is ours)."""
        if isinstance(x, Box) and x._trace is self:
            return x._value
        return x


_finished_classes = {}


def _escaped(trace, prim, args, params):
    who, fun = trace.who
    if fun is not None:
        who = f"{who} of {getattr(fun, '__name__', type(fun).__name__)}"
    raise EscapedTracerError(
        f"{prim.name}: one of its arguments is a value traced by {who} (trace "
        f"level {trace.level}), which has already returned. A traced value kept after "
        f"its transform finishes (stored in a list, a global, an attribute or handed to "
        f"another thread) carries no derivative any more: return it from the function "
        f"instead (has_aux=True for extra outputs), or store wengert.stop_gradient(x) "
        f"when only its value is wanted")


def unbox_all(x):
    """Strip every level of boxing: the plain value underneath."""
    while isinstance(x, Box):
        x = x._value
    return x


def is_boxed(x):
    return isinstance(x, Box)
