"""The rest of numpy, listed by name: what wengert.numpy takes from numpy as it is,
what it strips of tracing, and what it refuses on traced values.

* ``AS_IS``: numpy's own objects: constants, dtypes and scalar types, classes,
  submodules, index tricks that build plain indices, and constructors whose results
  are constants.
* ``NONDIFF``: functions whose result has no derivative to speak of (predicates,
  shape and dtype queries, integer-valued and piecewise-constant functions, index
  builders, formatting, configuration, I/O): they accept traced values, take their
  values and call numpy.
* ``missing(name)`` serves every other public numpy name (wengert.numpy's module
  ``__getattr__``): a function that calls numpy on plain values and raises
  ``NoDerivativeRule``, naming the function and the mode, on traced ones.

Names that a rules module defines win over both tables: ``wengert.numpy`` takes an
entry from here only where no rule of that name exists.
"""

import functools

import numpy as _np

from ..core.forward import JVPBox
from ..core.reverse import VJPBox
from ..core.trace import Box, unbox_all


class NoDerivativeRule(NotImplementedError, TypeError):
    """A numpy function with no rule in wengert was called on a traced value. It is a
    NotImplementedError, and a TypeError as numpy's dispatch protocols expect."""


# ---------------------------------------------------------------------- the table

AS_IS = [
    # constants
    "pi", "e", "inf", "nan", "euler_gamma", "newaxis", "little_endian", "typecodes",
    "sctypeDict", "ScalarType", "False_", "True_",
    # index tricks with plain results (r_ and c_ take traced pieces: rules/building.py)
    "index_exp", "s_", "mgrid", "ogrid",
    # dtypes, scalar types and their abstract bases
    "dtype", "finfo", "iinfo", "bool", "bool_", "byte", "ubyte", "short", "ushort",
    "intc", "uintc", "int_", "uint", "long", "ulong", "longlong", "ulonglong", "intp",
    "uintp", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "half", "single", "double", "longdouble", "float16", "float32", "float64", "float96",
    "float128", "csingle", "cdouble", "clongdouble", "complex64", "complex128",
    "complex192", "complex256", "bytes_", "str_", "void", "object_", "datetime64",
    "timedelta64", "generic", "number", "integer", "signedinteger", "unsignedinteger",
    "inexact", "floating", "complexfloating", "flexible", "character",
    # classes
    "ndarray", "ufunc", "broadcast", "busdaycalendar", "errstate", "flatiter", "matrix",
    "memmap", "ndenumerate", "ndindex", "nditer", "poly1d", "recarray", "record",
    "vectorize",
    # submodules numpy loads at import anyway (the others, below, load on first use)
    "random", "core", "dtypes", "exceptions", "lib",
    # constructors of constants (a function given to fromfunction runs as it is)
    "zeros", "ones", "empty", "eye", "identity", "arange", "tri", "fromfunction",
    "frompyfunc",
]

NONDIFF = [
    # predicates and comparisons of whole arrays
    "allclose", "isclose", "array_equal", "array_equiv", "iscomplex", "iscomplexobj",
    "isreal", "isrealobj", "isscalar", "isfortran", "isneginf", "isposinf", "isnat",
    "signbit", "isin", "iterable", "isdtype", "issubdtype", "can_cast",
    "may_share_memory", "shares_memory", "logical_and", "logical_or", "logical_not",
    "logical_xor",
    # shape and dtype queries
    "ndim", "shape", "size", "broadcast_shapes", "result_type", "promote_types",
    "min_scalar_type", "common_type", "mintypecode", "typename",
    # integer-valued and piecewise-constant functions
    "argwhere", "flatnonzero", "nanargmax", "nanargmin", "searchsorted", "digitize",
    "lexsort", "unravel_index", "ravel_multi_index", "around", "fix", "spacing",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_invert",
    "bitwise_left_shift", "bitwise_right_shift", "bitwise_count", "invert", "left_shift",
    "right_shift", "gcd", "lcm", "packbits", "unpackbits",
    # floating-point representation: mantissa and exponent, the neighbouring float
    "frexp", "nextafter",
    # index builders and fixed windows
    "indices", "diag_indices", "diag_indices_from", "tril_indices", "tril_indices_from",
    "triu_indices", "triu_indices_from", "mask_indices", "ix_", "bartlett", "blackman",
    "hamming", "hanning", "kaiser", "einsum_path",
    # numpy's matrix class (its arithmetic is not traced) and iterator builders
    "asmatrix", "bmat", "nested_iters",
    # formatting, configuration and information
    "array2string", "array_repr", "array_str", "format_float_positional",
    "format_float_scientific", "base_repr", "binary_repr", "get_printoptions",
    "set_printoptions", "printoptions", "getbufsize", "setbufsize", "geterr", "seterr",
    "geterrcall", "seterrcall", "info", "show_config", "show_runtime", "get_include",
    "test",
    # files and buffers
    "load", "save", "savez", "savez_compressed", "loadtxt", "savetxt", "genfromtxt",
    "fromfile", "frombuffer", "fromstring", "fromregex", "fromiter", "from_dlpack",
    # dates
    "busday_count", "busday_offset", "is_busday", "datetime_as_string", "datetime_data",
]


def _strip(x):
    """``x`` with its traced values (in lists and tuples too) replaced by values."""
    if isinstance(x, Box):
        return unbox_all(x)
    if type(x) in (list, tuple):
        return type(x)(_strip(i) for i in x)
    return x


# Under vmap a shape or dtype query answers for one example, and a function of the
# values (a predicate, an integer-valued function) for each example, batched like its
# arguments; formatting and I/O see the whole batch.
_OF_ONE_EXAMPLE = {"ndim", "shape", "size", "broadcast_shapes", "result_type",
                   "promote_types", "min_scalar_type", "common_type", "mintypecode",
                   "typename", "iscomplexobj", "isrealobj", "isscalar", "isfortran",
                   "iterable", "isdtype", "issubdtype", "can_cast", "may_share_memory",
                   "shares_memory", "diag_indices_from", "tril_indices_from",
                   "triu_indices_from", "mask_indices"}
_PER_EXAMPLE = set(NONDIFF[:NONDIFF.index("indices")]) - _OF_ONE_EXAMPLE | {"ix_"}


def _one_example(x):
    """``x`` with its traced values replaced by one example's value (under vmap)."""
    if isinstance(x, Box):
        from ..rules._base import example
        return example(x)
    if type(x) in (list, tuple):
        return type(x)(_one_example(i) for i in x)
    return x


def nondiff(np_fn, name=None):
    """numpy's function on the values of traced arguments: a result without a
    derivative (the trace sees a constant); under vmap per example or of one example,
    as the tables above sort them."""
    from ..rules._base import _nondiff_batched, batch_traces
    name = name or np_fn.__name__

    @functools.wraps(np_fn)
    def fn(*args, **kwargs):
        if name in _PER_EXAMPLE and batch_traces(args, kwargs.values()):
            return _nondiff_batched(np_fn, False, args, kwargs)
        if name in _OF_ONE_EXAMPLE:
            return np_fn(*(_one_example(a) for a in args),
                         **{k: _one_example(v) for k, v in kwargs.items()})
        return np_fn(*(_strip(a) for a in args), **{k: _strip(v) for k, v in kwargs.items()})
    return fn


TABLE = {name: getattr(_np, name) for name in AS_IS if hasattr(_np, name)}
TABLE.update({name: nondiff(getattr(_np, name), name) for name in NONDIFF
              if hasattr(_np, name)})
TABLE["__version__"] = _np.__version__


# ------------------------------------------------------------------ the fallback

def _top_box(objs):
    """The traced value of the innermost transform among ``objs`` (searched through
    lists, tuples and dicts), or None."""
    top = None
    stack = list(objs)
    while stack:
        o = stack.pop()
        if isinstance(o, Box):
            if top is None or o._trace.level > top._trace.level:
                top = o
        elif isinstance(o, (list, tuple)):
            stack.extend(o)
        elif isinstance(o, dict):
            stack.extend(o.values())
    return top


def _mode(box):
    if isinstance(box, VJPBox):
        return "reverse mode"
    if isinstance(box, JVPBox):
        return "forward mode"
    return type(box._trace).__name__


def _refusing(name, np_fn):
    @functools.wraps(np_fn)
    def fn(*args, **kwargs):
        box = _top_box(args + tuple(kwargs.values()))
        if box is not None:
            raise NoDerivativeRule(
                f"numpy.{name} has no derivative rule in wengert ({_mode(box)}); write "
                f"the computation with wengert.numpy functions that have one, or use "
                f"wengert.stop_gradient(x) where a constant is meant")
        return np_fn(*args, **kwargs)
    fn.__wengert_fallback__ = True
    return fn


_served = {}


# numpy's submodules that numpy itself imports only when asked for (numpy.testing,
# numpy.f2py, numpy.ma ...): served as they are, on first use, so that importing
# wengert does not import them
LAZY_MODULES = {"testing", "char", "ctypeslib", "emath", "f2py", "ma", "polynomial",
                "rec", "strings", "typing"}


def missing(name):
    """wengert.numpy's ``name`` when no rule and no table entry defines it: numpy's
    function, refused on traced values. None when numpy has no such public name."""
    if name in LAZY_MODULES:
        return getattr(_np, name)
    if name.startswith("_") or not hasattr(_np, name):
        return None
    fn = _served.get(name)
    if fn is None:
        obj = getattr(_np, name)
        fn = _refusing(name, obj) if callable(obj) and not isinstance(obj, type) else obj
        _served[name] = fn
    return fn


def public_names():
    return [n for n in dir(_np) if not n.startswith("_")]
