"""Which primitives run on which array library, and the check at each call.

numpy runs every primitive. An array of another library (``backend.kind``: a Dask
array, a CuPy array) runs the primitives listed for its kind in ``KINDS``: their
forward implementations take the namespace from their inputs (numpy's ufunc and
array-function protocols hand most calls to the array's own library; the others ask
``backend.namespace``), and their rules are written with primitives, so the
derivatives of a listed primitive run on the same kind as long as the primitives
they use are listed too (``docs/array_kinds.md`` shows, per mode, what the spec
tables confirm). Any other primitive raises NotImplementedError naming itself and
the kind, instead of converting the data behind the caller's back.

The check costs a numpy call nothing where it can: an elementwise primitive of
``scalar_or_array`` checks inside its array path, a ufunc is the array's own
business (``__array_ufunc__``), as is a listed primitive of one array argument whose
numpy function every library serves (``_PROTOCOL``); any other Python implementation
gets a guard that looks at the argument types once (``guard``; the original stays
``__wrapped__``).

>>> import numpy as np
>>> from wengert.core.primitive import registry
>>> "matmul" in KINDS["dask"], "eigh" in KINDS["dask"]
(True, False)
>>> registry["sum"].impl(np.ones(3))
np.float64(3.0)
"""

import numpy as np

from .. import backend
from ..backend import NUMPY, PLAIN

# Elementwise primitives: numpy's and scipy's ufuncs through the array's own
# protocol (Dask: lazily, block by block; CuPy: its function of the same name).
_ELEMENTWISE = """
    add subtract multiply divide power hypot arctan2 copysign maximum minimum fmax fmin
    logaddexp logaddexp2 mod exp expm1 log log1p log2 log10 sin cos tan arcsin arccos
    arctan sinh cosh tanh arcsinh arccosh arctanh sqrt cbrt square reciprocal absolute
    negative exp2 fmod sinc real imag conj cast expit logit xlogy xlog1py entr
""".split()
# The same for the scipy.special families (Dask through the ufunc protocol; CuPy
# through cupyx.scipy.special, where it has the function)
_SPECIAL = """
    gammaln digamma polygamma gamma rgamma erf erfc erfinv erfcinv ndtr ndtri log_ndtr
    betaln beta betainc gammainc gammaincc gammaincinv gammainccinv betaincinv
    betainccinv iv ive jn yn i0 i1 i0e i1e j0 j1 y0 y1 numpy_i0
""".split()
# Shapes, reductions, products, indexing, and the reductions of scipy.special
_STRUCTURE = """
    reshape transpose broadcast_to concatenate sum prod max min cumsum
    matmul dot tensordot einsum getitem untake where logsumexp softmax log_softmax
""".split()

# Listed primitives of one array argument whose numpy implementation serves every
# library through numpy's array-function protocol (np.sum on a Dask array is Dask's
# sum): no kind can mix in them and nothing is refused, so they need no check
_PROTOCOL = frozenset("""
    sum prod max min cumsum transpose broadcast_to cast softmax log_softmax
""".split())

KINDS = {
    "dask": frozenset(_ELEMENTWISE + _SPECIAL + _STRUCTURE),
    "cupy": frozenset(_ELEMENTWISE + _SPECIAL + _STRUCTURE),
}


def other_kind(prim, xs, params):
    """The call of ``prim`` on ``xs`` where a value is not numpy's plain type: the
    kind checked, then ``prim.foreign`` (or its own implementation). For a hot
    implementation that tests its argument's type itself (``checks_kind``) instead
    of taking a guard."""
    return _foreign_call(prim, getattr(prim.impl, "__wrapped__", prim.impl), xs, params)


def _foreign_call(prim, impl, xs, params):
    k = backend.array_kind(prim.name, xs)
    if k == NUMPY:
        return impl(*xs, **params)
    if prim.name not in KINDS.get(k, ()):
        raise backend.unsupported(prim.name, k)
    # a primitive whose numpy implementation does not carry over names its own
    # forward for the other libraries (``prim.foreign``, namespace from the inputs)
    return getattr(prim, "foreign", impl)(*xs, **params)


def guard(prim):
    """Give ``prim``'s Python implementation the kind check: arrays of another library
    than numpy must be of one kind, one ``prim`` is listed for. A call whose
    arguments are all numpy's values pays one type look-up per argument."""
    impl = prim.impl

    def run(*xs, **params):
        for x in xs:
            if type(x) not in PLAIN:
                return _foreign_call(prim, impl, xs, params)
        return impl(*xs, **params)

    run.__name__ = getattr(impl, "__name__", prim.name)
    run.__doc__ = getattr(impl, "__doc__", None)
    run.__wrapped__ = impl
    run.kind_guard = True
    prim.impl = run
    return prim


_SOA_CODE = backend.scalar_or_array(np.add, None).__code__


def install(registry):
    """Check every registered primitive's calls for their array kind (once, when
    the rules are loaded)."""
    for name, prim in registry.items():
        impl = prim.impl
        prim.kinds = frozenset([NUMPY] + [k for k, names in KINDS.items() if name in names])
        if getattr(impl, "kind_guard", False) or getattr(impl, "checks_kind", False):
            continue  # guarded already, or it checks its arguments itself
        if getattr(impl, "__code__", None) is _SOA_CODE:
            impl.__name__ = name  # it checks in its array path, naming the primitive
            continue
        if isinstance(impl, np.ufunc) or (getattr(impl, "__module__", None) or "") \
                .startswith("numpy"):
            continue  # numpy's own function: the array's protocol serves it
        if name in _PROTOCOL and all(name in names for names in KINDS.values()):
            continue
        guard(prim)
