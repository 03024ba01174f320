"""numpy, dtypes and vector-space helpers: the only layer that names numpy directly
for the core's sake. Python floats stay Python floats where numpy would cost a call."""


import numpy as np

def scalar_or_array(np_fn, math_fn, name=None):
    """A forward implementation that uses ``math_fn`` (the ``math`` module, or plain
    Python arithmetic) when every argument is a Python float or int (tens of
    nanoseconds) and ``np_fn`` otherwise; where ``math_fn`` refuses a value (log of a
    negative number, 1.0 / 0.0) numpy's answer (nan, inf, with its warning) is used."""

    def impl(*xs):
        for x in xs:
            if type(x) is not float and type(x) is not int:
                return np_fn(*xs)
        try:
            return math_fn(*xs)
        except (ValueError, OverflowError, ZeroDivisionError):
            return np_fn(*xs)

    impl.__name__ = name or np_fn.__name__
    impl.__doc__ = np_fn.__doc__
    return impl


def shape(x):
    return () if type(x) is float else np.shape(x)


def ndim(x):
    return 0 if type(x) is float else np.ndim(x)


def size(x):
    return 1 if type(x) is float else np.size(x)


def dtype_of(x):
    if type(x) is float:
        return np.dtype(np.float64)
    if type(x) is complex:
        return np.dtype(np.complex128)
    return np.result_type(x)


def _dtype_or_none(x):
    """The dtype numpy gives ``x`` as an array, or None for what is no number
    (strings, None, objects); a string is never read as a dtype name."""
    if type(x) in (float, int, bool, complex):
        return np.dtype(type(x))
    if isinstance(x, (np.ndarray, np.generic)):
        return x.dtype
    if x is None or isinstance(x, (str, bytes, dict, set)):
        return None
    try:
        return np.asarray(x).dtype
    except (TypeError, ValueError):
        return None


def is_numeric(x):
    dt = _dtype_or_none(x)
    return dt is not None and dt.kind in "biufc"


def is_differentiable(x):
    """True for float and complex values, the ones with a tangent space."""
    dt = _dtype_or_none(x)
    return dt is not None and dt.kind in "fc"


def describe(x):
    """A short text naming a value's type, shape and dtype, for error messages."""
    if type(x) in (float, int, complex, bool):
        return f"{type(x).__name__} {x!r}"
    if isinstance(x, (np.ndarray, np.generic)):
        return f"array of shape {x.shape} and dtype {x.dtype}"
    name = type(x).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name} object"


def zeros_like(x):
    if type(x) is float:
        return 0.0
    if type(x) is complex:
        return 0j
    if isinstance(x, np.generic):
        return x.dtype.type(0)
    return np.zeros_like(x)


def ones_like(x):
    if type(x) is float:
        return 1.0
    if isinstance(x, np.generic):
        return x.dtype.type(1)
    return np.ones_like(x)


def basis(x):
    """The one-hot tangents for ``x``, one per element, in C order, shaped like ``x``."""
    if type(x) is float:
        yield 1.0
        return
    x = np.asarray(x)
    for k in range(x.size):
        e = np.zeros(x.size, dtype=x.dtype)
        e[k] = 1
        yield e.reshape(x.shape)


def random_like(x, rng):
    """A random direction with the shape and dtype of ``x`` (standard normal)."""
    dt = dtype_of(x)
    shp = shape(x)
    v = rng.standard_normal(shp)
    if dt.kind == "c":
        v = v + 1j * rng.standard_normal(shp)
    if type(x) is float:
        return float(v)
    return np.asarray(v, dtype=dt)


def inner(a, b):
    """The pairing of a cotangent with a tangent, sum(real(a * b)), with no complex
    conjugate: under HIPS autograd's convention a VJP is the plain transpose of the
    JVP (J^T u, not its conjugate), so <u, J v> = <J^T u, v> in this pairing. For
    real values it is the usual dot product."""
    return float(np.real(np.sum(np.asarray(a) * np.asarray(b))))


def add_scaled(x, h, v):
    """x + h * v, keeping a Python float a Python float."""
    if type(x) is float:
        return x + h * float(v)
    return np.asarray(x) + h * np.asarray(v)


def max_abs(x):
    return float(np.max(np.abs(x))) if np.size(x) else 0.0


def full_of(shp, dtype, value):
    """An array of ``shp`` filled with ``value`` (a Python number for shape ())."""
    if shp == () and dtype == np.float64:
        return float(value)
    return np.full(shp, value, dtype=dtype)


def copy_if_array(x):
    """A copy of a numpy array (the caller's array is then safe from writes); any
    other value as it is."""
    return x.copy() if isinstance(x, np.ndarray) else x


def is_bool(x):
    return isinstance(x, (bool, np.bool_))


def reshape(x, shp):
    return np.reshape(x, shp)


