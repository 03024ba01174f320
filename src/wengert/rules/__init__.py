"""Primitive families: each module registers its primitives (numpy forward, JVP
and VJP side by side) in ``wengert.core.primitive.registry``."""

from . import (arithmetic, bessel, complex, decompositions, elementwise, fft, gamma,  # noqa: F401
               indexing, linalg, reductions, shape, sorting, special)  # noqa: F401
from . import signal  # noqa: F401,E402  (convolve, correlate, interp, polyval)
from . import polynomial  # noqa: F401,E402  (poly, polyadd, ..., polydiv, roots: composites)
from . import building  # noqa: F401,E402  (composites only: registers no primitive)
from . import scipy_linalg, scipy_signal  # noqa: F401,E402  (the scipy extra)
from . import conv  # noqa: F401,E402  (conv2d, max_pool2d, avg_pool2d: NCHW, as torch)

# ---------------------------------------------------------------- batching (vmap)
# Most primitives get their batching rule where they are defined (unary/binary give
# every smooth elementwise one; reductions, shape, matmul have their own). Two
# declared tables cover the rest:
from ..core.primitive import registry as _registry  # noqa: E402
from ._base import elementwise as _elementwise  # noqa: E402

# elementwise with numpy broadcasting, though not made by unary/binary
ELEMENTWISE = ["absolute", "add", "subtract", "multiply", "divide", "negative", "where",
               "cast", "conj", "real", "imag", "polygamma", "gammainc", "gammaincc",
               "gammaincinv", "gammainccinv", "betainc", "betaincinv", "betainccinv",
               "iv", "ive", "jn", "yn"]
for _name in ELEMENTWISE:
    _elementwise(_registry[_name])

# batched by a per-example loop (correct, slow): a primitive with no rule of its own
# yet would be listed here (every registered one now has its rule: looped() is empty)
LOOPED = []
for _name in LOOPED:
    _registry[_name].batch_loop = True
del _name

# ---------------------------------------------------------------- array kinds
# Every primitive runs on numpy; rules/_kinds.py lists what runs on the arrays of
# other libraries (Dask, CuPy) and gives each implementation its check of the kind.
from . import _kinds  # noqa: E402

_kinds.install(_registry)
