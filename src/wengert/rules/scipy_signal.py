"""scipy.signal's N-D convolution as a primitive (the optional ``scipy`` extra):
``signal_convolve(x, y, mode=, method=)`` is scipy.signal.convolve, its forward pass
scipy's own (direct, fft or auto), so values are scipy's.

Convolution is bilinear: the JVP convolves each tangent with the other operand. For
the VJP, every mode is a crop of the full convolution: the cotangent is padded back
to the full size (zeros outside the crop), and x's cotangent is its valid
convolution with y flipped along every axis (a correlation with y), y's likewise
with x flipped; no conjugation (the plain transpose, HIPS autograd's convention for
complex values), and a real operand gets the real part. The rules are convolutions,
flips and pads, so they differentiate again.
"""

from ..core.primitive import Primitive
from ._base import shape, to_front
from .complex import real
from .decompositions import _is_complex
from .indexing import _getitem, untake
from .linalg import loop_examples
from .shape import _reshape


def scipy_signal(who):
    """scipy.signal, loaded at first use, with a clear message when it is missing."""
    try:
        import scipy.signal as ss
    except ImportError as err:
        raise ImportError(f"wengert.scipy.signal.{who} needs scipy; install the scipy "
                          f"extra: pip install 'wengert[scipy]'") from err
    return ss


def output_window(s1, s2, mode):
    """(offsets, sizes) of the ``mode`` output inside the full convolution, per axis."""
    full = [a + b - 1 for a, b in zip(s1, s2)]
    if mode == "full":
        return [0] * len(full), full
    if mode == "same":  # in1's shape, centred
        return [(f - a) // 2 for f, a in zip(full, s1)], list(s1)
    return ([min(a, b) - 1 for a, b in zip(s1, s2)],
            [abs(a - b) + 1 for a, b in zip(s1, s2)])


def _impl(x, y, *, mode, method):
    return scipy_signal("convolve").convolve(x, y, mode=mode, method=method)


def _flip(v):
    return _getitem(v, idx=(slice(None, None, -1),) * len(shape(v)))


def _padded(g, s1, s2, mode):
    """The cotangent of the full convolution: g with zeros around its window."""
    if mode == "full":
        return g
    offsets, sizes = output_window(s1, s2, mode)
    full = tuple(a + b - 1 for a, b in zip(s1, s2))
    return untake(g, idx=tuple(slice(o, o + s) for o, s in zip(offsets, sizes)), shape=full)


def _vjp_one(g, x, y, k, mode, method):
    """The cotangent of operand ``k`` (x for 0, y for 1): the padded cotangent's valid
    convolution with the other operand flipped, real when that operand is real."""
    mine, other = (x, y) if k == 0 else (y, x)
    ct = _conv(_padded(g, shape(x), shape(y), mode), _flip(other), mode="valid",
               method=method)
    if _is_complex(ct) and not _is_complex(mine):
        ct = real(ct)
    return ct


_conv = Primitive(
    "signal_convolve", _impl,
    jvps=(lambda t, ans, x, y, **p: _conv(t, y, **p),
          lambda t, ans, x, y, **p: _conv(x, t, **p)),
    vjps=(lambda g, ans, x, y, *, mode, method: _vjp_one(g, x, y, 0, mode, method),
          lambda g, ans, x, y, *, mode, method: _vjp_one(g, x, y, 1, mode, method)),
    doc="scipy.signal.convolve(x, y, mode, method) as a primitive (x and y of the same "
        "number of dimensions, at least one).")


def _batch_conv(vals, dims, *, mode, method):
    """signal_convolve on a batch. One operand batched: the other gets a leading axis
    of length 1, and convolving along the batch axis with one sample changes nothing,
    where the mode keeps every example (full; same with in1 batched; valid with the
    batched operand the larger). Otherwise example by example."""
    (x, y), (dx, dy) = vals, dims
    if dx is None or dy is None:
        s1 = shape(x) if dx is None else shape(x)[:dx] + shape(x)[dx + 1:]
        s2 = shape(y) if dy is None else shape(y)[:dy] + shape(y)[dy + 1:]
        ge = all(a >= b for a, b in zip(s1, s2))
        le = all(a <= b for a, b in zip(s1, s2))
        if (mode == "full" or (mode == "same" and dy is None)
                or (mode == "valid" and (ge if dy is None else le))):
            x = _reshape(x, newshape=(1,) + shape(x)) if dx is None else to_front(x, dx)
            y = _reshape(y, newshape=(1,) + shape(y)) if dy is None else to_front(y, dy)
            return _conv(x, y, mode=mode, method=method), 0
    return loop_examples(_conv, vals, dims, {"mode": mode, "method": method})


_conv.batch = _batch_conv


def convolve(x, y, *, mode, method):
    """The primitive (see wengert.scipy.signal.convolve); mode and method checked."""
    return _conv(x, y, mode=mode, method=method)


