"""numpy, dtypes and vector-space helpers: the only layer that names numpy directly
for the core's sake. Python floats stay Python floats where numpy would cost a call.

The array namespace comes from the inputs. numpy is the default; an array of another
library (a CuPy array on a GPU, a Dask array out of core or on a cluster) is recognised
by its type, and its own numpy-like module (``cupy``, ``dask.array``) serves it, so the
same rules run on it and give back the same kind of array. numpy is the only hard
dependency: the other libraries are imported only when one of their arrays is met.

>>> import numpy as np
>>> kind(np.ones(2)), kind(1.5), namespace(np.ones(2)) is np
('numpy', 'numpy', True)
>>> array_kind("add", (np.ones(2), 2.0))
'numpy'
"""

import importlib

import numpy as np

# ---------------------------------------------------------------- array kinds
#
# A value's kind is read from its type, once per type (a dict look-up afterwards):
# numpy's arrays and scalars, Python numbers, lists and every object that is no array
# of another library count as "numpy". A dimensionless value (a Python or numpy
# scalar, a 0-d numpy array) is a scalar to every kind, so that a rule's constants
# (2.0, np.float32(1)) meet any array; a numpy array with dimensions does not mix with
# another library's array in one call.

NUMPY = "numpy"
_KIND = {t: NUMPY for t in (float, int, bool, complex, np.ndarray, np.float64,
                            np.float32, np.int64, np.bool_, np.complex128, list, tuple,
                            type(None), str, slice)}
# the types that need no look-up at all (a set test in the per-call paths)
PLAIN = frozenset(_KIND)
# the numpy-like module of each kind; a kind of no module here gets its
# ``__array_namespace__`` (the Array API standard), where it has one
_MODULES = {"numpy": "numpy", "dask": "dask.array", "cupy": "cupy"}
_NAMESPACES = {NUMPY: np}


def _classify(t):
    if issubclass(t, (np.ndarray, np.generic)):
        return NUMPY
    top = (getattr(t, "__module__", None) or "").split(".")[0]
    if top == "dask" and hasattr(t, "chunks") and hasattr(t, "__dask_graph__"):
        return "dask"  # a dask.array.Array (not a Delayed or a DataFrame)
    if top in ("cupy", "cupyx"):
        return "cupy"
    if hasattr(t, "__array_namespace__") and top and top != "wengert":
        return top
    return NUMPY


def kind(x):
    """The array library of ``x``: ``"numpy"`` (also for Python numbers and anything
    that is no other library's array), ``"dask"``, ``"cupy"``, or the top-level module
    name of another Array API library."""
    t = type(x)
    k = _KIND.get(t)
    if k is None:
        k = _KIND[t] = _classify(t)
    return k


def _dimensioned(x, k):
    """Whether ``x`` (of kind ``k``) takes part in the check that a call's arrays are
    of one kind: every array of another library does; of numpy's values, arrays with
    at least one dimension (numbers and 0-d arrays are scalars to every kind)."""
    return k != NUMPY or (type(x) is np.ndarray and x.ndim > 0)


def _kind_name(k):
    return "numpy array" if k == NUMPY else f"{k} array"


def array_kind(who, xs):
    """The kind of the arrays among ``xs``, the positional arguments of one call of
    ``who`` (``"numpy"`` when there are none of another library). Arrays of two kinds
    in one call raise a TypeError naming both: wengert does not move data between a
    GPU, a cluster and host memory behind a caller's back.

    >>> import numpy as np
    >>> array_kind("multiply", (np.ones(2), 3.0))
    'numpy'
    """
    found = NUMPY
    seen = None
    for x in xs:
        k = kind(x)
        if k == NUMPY and type(x) is not np.ndarray:
            if type(x) in (list, tuple):  # concatenate's pieces, einsum's operands
                k = array_kind(who, x)
                if k == NUMPY:
                    continue
            else:
                continue
        if not _dimensioned(x, k):
            continue
        if seen is None:
            seen, found = x, k
        elif k != found:
            raise TypeError(
                f"{who}: its arguments mix a {_kind_name(found)} ({describe(seen)}) with "
                f"a {_kind_name(k)} ({describe(x)}); wengert does not convert between "
                f"array libraries: convert one first (for example "
                f"{_conversion_hint(found, k)})")
    return found


def _conversion_hint(a, b):
    other = b if a == NUMPY else a
    return {"dask": "dask.array.from_array(x) for a numpy array x",
            "cupy": "cupy.asarray(x), or x.get() for host memory"}.get(
        other, f"the {other} library's asarray")


def foreign(xs):
    """True when some value among ``xs`` is an array of another library than numpy
    (the quick test a forward implementation makes before anything else)."""
    for x in xs:
        t = type(x)
        k = _KIND.get(t)
        if k is None:
            k = kind(x)
        if k != NUMPY:
            return True
        if t is list or t is tuple:
            if foreign(x):
                return True
    return False


def namespace(x):
    """The numpy-like module that serves ``x``: numpy itself, ``dask.array``,
    ``cupy``, or the ``__array_namespace__()`` of another Array API library."""
    k = kind(x)
    xp = _NAMESPACES.get(k)
    if xp is None:
        if k not in _MODULES:  # another Array API library: its own namespace
            return x.__array_namespace__()
        xp = namespace_by_kind(k)
    return xp


def unsupported(who, k, why=""):
    """The NotImplementedError for a primitive with no implementation on arrays of
    kind ``k``."""
    return NotImplementedError(
        f"{who}: not implemented for {_kind_name(k)}s{': ' + why if why else ''} "
        f"(docs/array_kinds.md lists what runs on each array library; a numpy array "
        f"runs everywhere)")


def like(value, x):
    """A plain numpy ``value`` as an array of the kind of ``x``: as it is for numpy,
    Dask's from_array (chunked like ``x`` where the shapes agree), CuPy's asarray.

    >>> like(np.ones(2), 1.0)
    array([1., 1.])
    """
    k = kind(x)
    if k == NUMPY:
        return value
    xp = namespace(x)
    if k == "dask":
        chunks = x.chunks if np.shape(value) == tuple(x.shape) else "auto"
        return xp.from_array(np.asarray(value), chunks=chunks)
    return xp.asarray(value)


def scalar_or_array(np_fn, math_fn, name=None):
    """A forward implementation that uses ``math_fn`` (the ``math`` module, or plain
    Python arithmetic) when every argument is a Python float or int (tens of
    nanoseconds) and ``np_fn`` otherwise; where ``math_fn`` refuses a value (log of a
    negative number, 1.0 / 0.0) numpy's answer (nan, inf, with its warning) is used.
    Arrays of another library go to that library's function of the same name (see
    ``elementwise_call``)."""

    def impl(*xs):
        for x in xs:
            if type(x) is not float and type(x) is not int:
                for y in xs:  # arrays of another library (or an unusual type): checked
                    if type(y) not in PLAIN:
                        return elementwise_call(impl.__name__, np_fn, xs)
                return np_fn(*xs)
        try:
            return math_fn(*xs)
        except (ValueError, OverflowError, ZeroDivisionError):
            return np_fn(*xs)

    impl.__name__ = name or np_fn.__name__
    impl.__doc__ = np_fn.__doc__
    return impl


def elementwise_call(who, np_fn, xs):
    """``np_fn`` (a numpy or scipy ufunc, or a function of ours marked ``any_kind``)
    on arguments of which some are arrays of another library: numpy's ufunc protocol
    hands a ufunc to a Dask array; the library's own function of that name serves the
    others (``cupy.exp``, ``cupyx.scipy.special.erf``); a function marked
    ``any_kind`` is written with numpy calls that the protocols pass on. Where none
    applies, NotImplementedError naming ``who`` and the kind."""
    k = array_kind(who, xs)
    if k == NUMPY or getattr(np_fn, "any_kind", False):
        return np_fn(*xs)
    if isinstance(np_fn, np.ufunc):
        if k == "dask":
            return np_fn(*xs)  # dask.array.Array.__array_ufunc__: lazy, blockwise
        fn = _library_function(k, np_fn)
        if fn is not None:
            return fn(*xs)
    raise unsupported(who, k, f"{k} has no function {getattr(np_fn, '__name__', who)}")


def any_kind(fn):
    """Mark ``fn``, written with numpy's functions and no conversion to numpy
    (``asarray`` below), as serving arrays of every library: numpy's protocols hand
    each call to the arrays' own library."""
    fn.any_kind = True
    return fn


def asarray(x):
    """``np.asarray(x)``, except that an array of another library stays as it is."""
    if type(x) not in PLAIN and kind(x) != NUMPY:
        return x
    return np.asarray(x)


def _library_function(k, np_fn):
    name = getattr(np_fn, "__name__", None)
    if k == "cupy" and not (getattr(np, name, None) is np_fn):
        try:  # a scipy.special ufunc: CuPy's is in cupyx.scipy.special
            return getattr(importlib.import_module("cupyx.scipy.special"), name, None)
        except ImportError:
            return None
    if k not in _MODULES:
        return None
    return getattr(namespace_by_kind(k), name, None)


def namespace_by_kind(k):
    """The numpy-like module of the kind ``k`` (imported on first use)."""
    xp = _NAMESPACES.get(k)
    if xp is None:
        xp = _NAMESPACES[k] = importlib.import_module(_MODULES[k])
    return xp


def shape(x):
    t = type(x)
    if t is float:
        return ()
    if t is np.ndarray or t is np.float64:
        return x.shape
    if kind(x) != NUMPY:
        return tuple(x.shape)
    return np.shape(x)


def ndim(x):
    t = type(x)
    if t is float:
        return 0
    if t is np.ndarray:
        return x.ndim
    if kind(x) != NUMPY:
        return x.ndim
    return np.ndim(x)


def size(x):
    t = type(x)
    if t is float:
        return 1
    if t is np.ndarray:
        return x.size
    if kind(x) != NUMPY:
        return int(np.prod(x.shape))
    return np.size(x)


def dtype_of(x):
    t = type(x)
    if t is float:
        return np.dtype(np.float64)
    if t is np.ndarray or t is np.float64:
        return x.dtype
    if t is complex:
        return np.dtype(np.complex128)
    if kind(x) != NUMPY:
        return np.dtype(x.dtype)
    return np.result_type(x)


def _dtype_or_none(x):
    """The dtype numpy gives ``x`` as an array, or None for what is no number
    (strings, None, objects); a string is never read as a dtype name. An array of
    another library answers with its own dtype (nothing is computed or copied)."""
    if type(x) in (float, int, bool, complex):
        return np.dtype(type(x))
    if isinstance(x, (np.ndarray, np.generic)):
        return x.dtype
    if x is None or isinstance(x, (str, bytes, dict, set)):
        return None
    if kind(x) != NUMPY:
        try:
            return np.dtype(x.dtype)
        except (AttributeError, TypeError):
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
    k = kind(x)
    if k != NUMPY and hasattr(x, "shape") and hasattr(x, "dtype"):
        return f"{k} array of shape {tuple(x.shape)} and dtype {x.dtype}"
    name = type(x).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name} object"


def zeros_like(x):
    if type(x) is float:
        return 0.0
    if type(x) is complex:
        return 0j
    if isinstance(x, np.generic):
        return x.dtype.type(0)
    if kind(x) != NUMPY:
        return namespace(x).zeros_like(x)
    return np.zeros_like(x)


def ones_like(x):
    if type(x) is float:
        return 1.0
    if isinstance(x, np.generic):
        return x.dtype.type(1)
    if kind(x) != NUMPY:
        return namespace(x).ones_like(x)
    return np.ones_like(x)


def basis(x):
    """The one-hot tangents for ``x``, one per element, in C order, shaped like ``x``
    (each of the kind of ``x``)."""
    if type(x) is float:
        yield 1.0
        return
    if kind(x) != NUMPY:
        shp, dt = shape(x), dtype_of(x)
        n = size(x)
        for k in range(n):
            yield like(np.eye(1, n, k, dtype=dt).reshape(shp), x)
        return
    x = np.asarray(x)
    for k in range(x.size):
        e = np.zeros(x.size, dtype=x.dtype)
        e[k] = 1
        yield e.reshape(x.shape)


def random_like(x, rng):
    """A random direction with the shape and dtype of ``x`` (standard normal), of
    the kind of ``x``."""
    dt = dtype_of(x)
    shp = shape(x)
    v = rng.standard_normal(shp)
    if dt.kind == "c":
        v = v + 1j * rng.standard_normal(shp)
    if type(x) is float:
        return float(v)
    return like(np.asarray(v, dtype=dt), x)


def to_numpy(x):
    """``x`` in host memory as numpy: a Dask array computed, a CuPy array copied
    from the GPU (numpy values as they are). For checks and printing, never inside
    a derivative."""
    k = kind(x)
    if k == NUMPY:
        return x
    if k == "dask":
        return to_numpy(x.compute())
    if k == "cupy":
        return x.get()
    return np.asarray(x)


def inner(a, b):
    """The pairing of a cotangent with a tangent, sum(real(a * b)), with no complex
    conjugate: under HIPS autograd's convention a VJP is the plain transpose of the
    JVP (J^T u, not its conjugate), so <u, J v> = <J^T u, v> in this pairing. For
    real values it is the usual dot product. (A number: arrays of another library
    are computed.)"""
    a, b = to_numpy(a), to_numpy(b)
    return float(np.real(np.sum(np.asarray(a) * np.asarray(b))))


def add_scaled(x, h, v):
    """x + h * v, keeping a Python float a Python float (and an array of another
    library of its kind)."""
    if type(x) is float:
        return x + h * float(to_numpy(v))
    if kind(x) != NUMPY or kind(v) != NUMPY:
        return x + h * v
    return np.asarray(x) + h * np.asarray(v)


def max_abs(x):
    x = to_numpy(x)
    return float(np.max(np.abs(x))) if np.size(x) else 0.0


def full_of(shp, dtype, value):
    """An array of ``shp`` filled with ``value`` (a Python number for shape ())."""
    if shp == () and dtype == np.float64:
        return float(value)
    return np.full(shp, value, dtype=dtype)


def copy_if_array(x):
    """A copy of a numpy or CuPy array (the caller's array is then safe from
    writes); any other value as it is (a Dask array is never written in place)."""
    if isinstance(x, np.ndarray):
        return x.copy()
    if kind(x) == "cupy":
        return x.copy()
    return x


def is_bool(x):
    return isinstance(x, (bool, np.bool_))


def reshape(x, shp):
    return np.reshape(x, shp)
