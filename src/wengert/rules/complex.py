"""Real and imaginary parts, the conjugate and casts between float and complex types:
linear maps (their JVP applies them to the tangent). Cotangents follow HIPS autograd's convention for complex inputs: the
VJP of real is g itself, of imag is -1j g, of conj is conj(g); for a real input the
cotangent stays real."""

import numpy as np

from ..core.trace import Box, unbox_all
from ._base import linear, per_example


def _is_complex(x):
    return np.iscomplexobj(unbox_all(x))


real = linear("real", np.real,
              lambda g, ans, x: g if not _is_complex(x) else g * (1.0 + 0j))
imag = linear("imag", np.imag,
              lambda g, ans, x: g * -1j if _is_complex(x) else g * 0.0)
conj = linear("conj", np.conj, lambda g, ans, x: conj(g))
conjugate = conj


def _cast_impl(x, *, dtype):
    # numpy keeps the real part when a complex value goes to a real type (with a
    # warning); that is the value given here, without the warning
    if dtype.kind != "c" and np.iscomplexobj(x):
        x = np.real(x)
    return np.asarray(x).astype(dtype)[()] if np.ndim(x) == 0 else x.astype(dtype)


def _cast_vjp(g, ans, x, *, dtype):
    # back to x's own type: a real x keeps the real part of its cotangent
    plain = unbox_all(x)
    x_dtype = np.result_type(plain)
    out = cast(g, dtype=x_dtype if x_dtype.kind in "fc" else np.dtype(np.float64))
    if type(plain) is float and type(out) is not float and np.ndim(out) == 0 \
            and not isinstance(out, Box):
        return float(out)  # a Python float's derivative is a Python float
    return out


# cast(x, dtype=) is x.astype(dtype) between float/complex types. It is linear, so
# its JVP casts the tangent the same way and its VJP casts the cotangent back: a
# float32 value stays float32 under every transform, and its derivative is that of
# the value numpy computed (rounding included in the value, not in the derivative).
cast = linear("cast", _cast_impl, _cast_vjp)


def astype(x, dtype, /, *, copy=True):
    """``x`` as an array of ``dtype`` (numpy's ``astype``). A float or complex
    ``dtype`` keeps the derivative (the ``cast`` primitive); an integer or bool one
    gives a plain array, which has none.

    >>> import numpy as np, wengert as wg
    >>> wg.grad(lambda x: astype(x, np.float32) * 2.0)(1.0)
    2.0
    """
    dtype = np.dtype(dtype)
    if dtype.kind in "fc":
        return cast(x, dtype=dtype)
    return per_example(lambda v: np.asarray(v).astype(dtype, copy=copy), x, aligned=True)


__all__ = ["real", "imag", "conj", "conjugate", "astype"]
