"""Constructors, constants and dtypes: numpy's own, since a new array is a constant."""

import numpy as _np

array = _np.array
asarray = _np.asarray
zeros = _np.zeros
ones = _np.ones
full = _np.full
empty = _np.empty
eye = _np.eye
identity = _np.identity
arange = _np.arange
linspace = _np.linspace
logspace = _np.logspace
pi = _np.pi
e = _np.e
inf = _np.inf
nan = _np.nan
newaxis = _np.newaxis
float32 = _np.float32
float64 = _np.float64
complex128 = _np.complex128
int32 = _np.int32
int64 = _np.int64
ndarray = _np.ndarray
random = _np.random

__all__ = ["array", "asarray", "zeros", "ones", "full", "empty", "eye", "identity",
           "arange", "linspace", "logspace", "pi", "e", "inf", "nan", "newaxis", "float32",
           "float64", "complex128", "int32", "int64", "ndarray", "random"]
