"""Primitive families: each module registers its primitives (numpy forward, JVP
and VJP side by side) in ``wengert.core.primitive.registry``."""

from . import (arithmetic, bessel, complex, decompositions, elementwise, fft, gamma,  # noqa: F401
               indexing, linalg, reductions, shape, sorting, special)  # noqa: F401
from . import signal  # noqa: F401,E402  (convolve, correlate, interp, polyval)
from . import polynomial  # noqa: F401,E402  (poly, polyadd, ..., polydiv, roots: composites)
from . import building  # noqa: F401,E402  (composites only: registers no primitive)
from . import scipy_linalg, scipy_signal  # noqa: F401,E402  (the scipy extra)
from . import conv  # noqa: F401,E402  (conv2d, max_pool2d, avg_pool2d: NCHW, as torch)
