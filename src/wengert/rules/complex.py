"""Real and imaginary parts and the conjugate: linear maps (their JVP applies them to
the tangent). Cotangents follow HIPS autograd's convention for complex inputs: the
VJP of real is g itself, of imag is -1j g, of conj is conj(g); for a real input the
cotangent stays real."""

import numpy as np

from ..core.trace import unbox_all
from ._base import linear


def _is_complex(x):
    return np.iscomplexobj(unbox_all(x))


real = linear("real", np.real,
              lambda g, ans, x: g if not _is_complex(x) else g * (1.0 + 0j))
imag = linear("imag", np.imag,
              lambda g, ans, x: g * -1j if _is_complex(x) else g * 0.0)
conj = linear("conj", np.conj, lambda g, ans, x: conj(g))
conjugate = conj

__all__ = ["real", "imag", "conj", "conjugate"]
