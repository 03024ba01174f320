"""Boxes are indexable but not Python *sequences*: ``__getitem__`` fills the type's
``sq_item`` slot too, and numpy's ``a[i] = box`` then swaps the box's own TypeError
(from ``float()``, saying what to write instead) for "setting an array element with
a sequence". ``drop_sequence_slot`` clears that slot through PyTypeObject's documented
layout, checking it first (the name at its offset, the table inside the type,
PySequence_Check before and after); where a check fails it writes nothing."""

import ctypes
import sys

_WORD = ctypes.sizeof(ctypes.c_void_p)
_NAME_AT = 3 * _WORD        # ob_refcnt, ob_type, ob_size, then tp_name
_SEQUENCE_AT = 13 * _WORD   # ... tp_as_number, then tp_as_sequence
_ITEM_AT = 3 * _WORD        # sq_length, sq_concat, sq_repeat, then sq_item

try:
    _is_sequence = ctypes.pythonapi.PySequence_Check
    _is_sequence.argtypes = (ctypes.py_object,)
    _is_sequence.restype = ctypes.c_int
except AttributeError:  # not CPython
    _is_sequence = None


def _usable(cls):
    if _is_sequence is None or not getattr(sys, "_is_gil_enabled", lambda: 1)():
        return False
    name = ctypes.c_char_p.from_address(id(cls) + _NAME_AT).value
    table = ctypes.c_void_p.from_address(id(cls) + _SEQUENCE_AT).value
    # a heap type's sequence table lives inside the type object itself
    return (name == cls.__name__.encode() and table is not None
            and id(cls) < table < id(cls) + sys.getsizeof(cls))


def drop_sequence_slot(cls):
    """Clear ``sq_item`` of ``cls`` and of its subclasses made so far."""
    for c in (cls, *cls.__subclasses__()):
        if c is not cls:
            drop_sequence_slot(c)
        elif hasattr(c, "__getitem__") and _usable(c) and _is_sequence(object.__new__(c)):
            table = ctypes.c_void_p.from_address(id(c) + _SEQUENCE_AT).value
            ctypes.c_void_p.from_address(table + _ITEM_AT).value = None
