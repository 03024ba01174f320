"""Discrete Fourier transforms (numpy.fft). Every transform is linear, so its JVP
applies it to the tangent; its VJP is the plain transpose (HIPS autograd's convention
for complex values: no conjugate), and a real input keeps the real part.

The primitives transform whole axes; the public functions resize first (``n``,
``s``: zero padding is ``untake`` into zeros, truncation is ``getitem``), so the
transpose of a resize is the opposite resize and comes from those primitives' rules.

* fftn, ifftn: the DFT matrix F[k, j] = exp(-2 pi i jk / n) is symmetric, and so is
  its conjugate, so each is its own transpose with the same scaling.
* rfft (real x of length n, the first m = n//2 + 1 bins of fft): x_bar_j =
  s Re(sum_k g_k exp(-2 pi i jk / n)), which is irfft of conj(g) / w, where w_k
  counts how often irfft uses bin k (2 for 0 < k < n/2: it stands for k and n - k;
  1 for bin 0 and, n even, bin n/2), irfft's scaling made equal to rfft's by
  swapping the norm's direction.
* irfft: z_bar_k = w_k s sum_j g_j exp(+2 pi i jk / n) = w_k conj(rfft(g)) with the
  norm's direction swapped.
* fftshift, ifftshift: rolls by n//2 and -(n//2); each one's transpose is the other.

>>> import numpy as np, wengert as wg, wengert.numpy as wnp
>>> x = np.array([1.0, 2.0, 0.0, -1.0])
>>> wg.grad(lambda x: wnp.sum(wnp.abs(wnp.fft.fft(x)) ** 2))(x)   # Parseval: 2 n x
array([ 8., 16.,  0., -8.])
"""

import operator

import numpy as np

from ..core.primitive import lookup
from ..core.trace import is_boxed, unbox_all
from ._base import linear, no_out, normalize_axis, shape, to_front

_SWAP = {"backward": "forward", "ortho": "ortho", "forward": "backward"}


def _dtype(x):
    v = unbox_all(x)
    return v.dtype if hasattr(v, "dtype") else np.asarray(v).dtype


def _real_like(g, x):
    """The cotangent of a real input is the real part (HIPS autograd's convention)."""
    if _dtype(g).kind == "c" and _dtype(x).kind != "c":
        return lookup("real")(g)
    return g


def _bin_weights(n, axis, ndim, dtype):
    """w_k, k < n//2 + 1: how many bins of a length-n Hermitian spectrum bin k stands
    for (1 or 2), shaped to broadcast along ``axis`` of an ``ndim``-d array."""
    w = np.full(n // 2 + 1, 2.0)
    w[0] = 1.0
    if n % 2 == 0:
        w[-1] = 1.0
    real = np.empty(0, dtype).real.dtype if dtype.kind in "fc" else np.dtype(np.float64)
    return w.astype(real).reshape((-1,) + (1,) * (ndim - 1 - axis))


_fftn = linear(
    "fftn", lambda x, *, axes, norm: np.fft.fftn(x, axes=axes, norm=norm),
    lambda g, ans, x, *, axes, norm: _real_like(_fftn(g, axes=axes, norm=norm), x),
    doc="numpy.fft.fftn over whole axes (no resizing); its own transpose.")

_ifftn = linear(
    "ifftn", lambda x, *, axes, norm: np.fft.ifftn(x, axes=axes, norm=norm),
    lambda g, ans, x, *, axes, norm: _real_like(_ifftn(g, axes=axes, norm=norm), x),
    doc="numpy.fft.ifftn over whole axes (no resizing); its own transpose.")


def _rfft_vjp(g, ans, x, *, axis, norm):
    n = shape(x)[axis]
    inv_w = 1.0 / _bin_weights(n, axis, len(shape(x)), _dtype(g))
    return _irfft(lookup("conj")(g) * inv_w, axis=axis, n=n, norm=_SWAP[norm])


def _irfft_vjp(g, ans, x, *, axis, n, norm):
    w = _bin_weights(n, axis, len(shape(g)), _dtype(g))
    return _real_like(lookup("conj")(_rfft(g, axis=axis, norm=_SWAP[norm])) * w, x)


_rfft = linear(
    "rfft", lambda x, *, axis, norm: np.fft.rfft(x, axis=axis, norm=norm), _rfft_vjp,
    doc="numpy.fft.rfft along a whole axis of a real array (no resizing).")

_irfft = linear(
    "irfft", lambda x, *, axis, n, norm: np.fft.irfft(x, n=n, axis=axis, norm=norm),
    _irfft_vjp,
    doc="numpy.fft.irfft along an axis of length n//2 + 1, giving length n.")

_fftshift = linear(
    "fftshift", lambda x, *, axes: np.fft.fftshift(x, axes=axes),
    lambda g, ans, x, *, axes: _ifftshift(g, axes=axes),
    doc="numpy.fft.fftshift; its transpose is ifftshift.")

_ifftshift = linear(
    "ifftshift", lambda x, *, axes: np.fft.ifftshift(x, axes=axes),
    lambda g, ans, x, *, axes: _fftshift(g, axes=axes),
    doc="numpy.fft.ifftshift; its transpose is fftshift.")


# ------------------------------------------------------------------ batching (vmap)
# numpy's transforms work along named axes, so a batch is one more axis they leave
# alone: the batch axis goes in front and every named axis moves up by one.

def _shifted(x, d, axes):
    x = to_front(x, d)
    nd = len(shape(x)) - 1
    return x, tuple(a % nd + 1 for a in axes)


def _batch_over_axes(prim):
    def batch(vals, dims, *, axes, **params):
        x, axes = _shifted(vals[0], dims[0], axes)
        return prim(x, axes=axes, **params), 0
    prim.batch = batch


def _batch_over_axis(prim):
    def batch(vals, dims, *, axis, **params):
        x, (axis,) = _shifted(vals[0], dims[0], (axis,))
        return prim(x, axis=axis, **params), 0
    prim.batch = batch


for _prim in (_fftn, _ifftn, _fftshift, _ifftshift):
    _batch_over_axes(_prim)
for _prim in (_rfft, _irfft):
    _batch_over_axis(_prim)


# ------------------------------------------------------------------ argument handling

def _norm(who, norm):
    if norm is None:
        return "backward"
    if norm not in _SWAP:
        raise ValueError(f"{who}: norm must be None, 'backward', 'ortho' or 'forward', "
                         f"got {norm!r}")
    return norm


def _size(who, n, default):
    """A number of points: None or -1 for ``default``, else an integer >= 1."""
    if n is None:
        return default
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"{who}: a number of points must be an integer, got {n!r}") from None
    if n == -1:
        return default
    if n < 1:
        raise ValueError(f"{who}: invalid number of FFT data points ({n}); it must be "
                         f"at least 1")
    return n


def _axis(who, a, axis):
    shp = shape(a)
    return normalize_axis(who, axis, len(shp), shp)


def _resize(x, axis, n):
    """``x`` cut to, or padded with zeros up to, length ``n`` along ``axis``; the two
    are each other's transposes (getitem and untake)."""
    shp = shape(x)
    if shp[axis] == n:
        return x
    idx = (slice(None),) * axis + (slice(0, min(n, shp[axis])),)
    if n < shp[axis]:
        return lookup("getitem")(x, idx=idx)
    return lookup("untake")(x, idx=idx, shape=shp[:axis] + (n,) + shp[axis + 1:])


def _nd_args(who, a, s, axes, last_default=None):
    """(sizes, axes) for an n-dimensional transform, as numpy reads them: with no
    axes, the last len(s) axes (all axes without s); with no s, the input's sizes.
    ``last_default`` maps the input's size along the last axis to that axis's default
    size (irfftn)."""
    shp = shape(a)
    nd = len(shp)
    if axes is None:
        axes = range(nd) if s is None else range(nd - len(s), nd)
    axes = [normalize_axis(who, ax, nd, shp) for ax in axes]  # numpy allows repeats
    if s is None:
        s = [None] * len(axes)
    elif len(s) != len(axes):
        raise ValueError(f"{who}: s {tuple(s)} and axes {tuple(axes)} have different "
                         f"lengths")
    sizes = [_size(who, n, shp[ax]) for n, ax in zip(s, axes)]
    if axes and last_default is not None:
        sizes[-1] = _size(who, s[-1], last_default(shp[axes[-1]]))
    return sizes, axes


def _c2c(prim, x, sizes, axes, norm):
    """The complex transform ``prim`` over ``axes`` after resizing to ``sizes``. An axis
    named twice is transformed twice, as numpy does (last axis first)."""
    if not axes:
        return x
    if len(set(axes)) < len(axes):
        for n, ax in reversed(list(zip(sizes, axes))):
            x = prim(_resize(x, ax, n), axes=(ax,), norm=norm)
        return x
    for n, ax in zip(sizes, axes):
        x = _resize(x, ax, n)
    return prim(x, axes=tuple(axes), norm=norm)


def _real_input(who, a):
    if _dtype(a).kind == "c":
        raise TypeError(f"{who}: the input must be real, got {_dtype(a)} (take the real "
                        f"part first, or use fft)")


def _check_axes_given(who, axes):
    if not axes:
        raise ValueError(f"{who}: at least one axis must be transformed")


# ---------------------------------------------------------------------- public functions

def fft(a, n=None, axis=-1, norm=None, out=None):
    """numpy.fft.fft: the DFT along ``axis``, the input cut or zero-padded to ``n``.

    >>> import wengert.numpy as wnp
    >>> wnp.fft.fft(wnp.array([1.0, 0.0, 0.0, 0.0]), n=2)
    array([1.+0.j, 1.+0.j])
    """
    no_out("fft", out)
    ax = _axis("fft", a, axis)
    return _c2c(_fftn, a, [_size("fft", n, shape(a)[ax])], [ax], _norm("fft", norm))


def ifft(a, n=None, axis=-1, norm=None, out=None):
    """numpy.fft.ifft: the inverse DFT along ``axis``.

    >>> import wengert.numpy as wnp
    >>> wnp.fft.ifft(wnp.array([4.0, 0.0, 0.0, 0.0]))
    array([1.+0.j, 1.+0.j, 1.+0.j, 1.+0.j])
    """
    no_out("ifft", out)
    ax = _axis("ifft", a, axis)
    return _c2c(_ifftn, a, [_size("ifft", n, shape(a)[ax])], [ax], _norm("ifft", norm))


def fftn(a, s=None, axes=None, norm=None, out=None):
    """numpy.fft.fftn: the DFT over ``axes`` (all axes by default), each cut or padded
    to the size in ``s``.

    >>> import wengert.numpy as wnp
    >>> wnp.fft.fftn(wnp.ones((2, 2))).real
    array([[4., 0.],
           [0., 0.]])
    """
    no_out("fftn", out)
    sizes, axes = _nd_args("fftn", a, s, axes)
    return _c2c(_fftn, a, sizes, axes, _norm("fftn", norm))


def ifftn(a, s=None, axes=None, norm=None, out=None):
    """numpy.fft.ifftn: the inverse DFT over ``axes``.

    >>> import wengert.numpy as wnp
    >>> wnp.fft.ifftn(wnp.full((2, 2), 4.0)).real
    array([[4., 0.],
           [0., 0.]])
    """
    no_out("ifftn", out)
    sizes, axes = _nd_args("ifftn", a, s, axes)
    return _c2c(_ifftn, a, sizes, axes, _norm("ifftn", norm))


def fft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """numpy.fft.fft2: fftn over the last two axes.

    >>> import wengert.numpy as wnp
    >>> wnp.fft.fft2(wnp.ones((2, 3))).real
    array([[6., 0., 0.],
           [0., 0., 0.]])
    """
    no_out("fft2", out)
    sizes, axes = _nd_args("fft2", a, s, axes)
    return _c2c(_fftn, a, sizes, axes, _norm("fft2", norm))


def ifft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """numpy.fft.ifft2: ifftn over the last two axes.

    >>> import wengert.numpy as wnp
    >>> wnp.fft.ifft2(wnp.full((2, 3), 6.0)).real
    array([[6., 0., 0.],
           [0., 0., 0.]])
    """
    no_out("ifft2", out)
    sizes, axes = _nd_args("ifft2", a, s, axes)
    return _c2c(_ifftn, a, sizes, axes, _norm("ifft2", norm))


def rfft(a, n=None, axis=-1, norm=None, out=None):
    """numpy.fft.rfft: the first n//2 + 1 bins of the DFT of a real array.

    >>> import wengert.numpy as wnp
    >>> wnp.fft.rfft(wnp.array([1.0, 1.0, 1.0, 1.0])).real
    array([4., 0., 0.])
    """
    no_out("rfft", out)
    _real_input("rfft", a)
    ax = _axis("rfft", a, axis)
    x = _resize(a, ax, _size("rfft", n, shape(a)[ax]))
    return _rfft(x, axis=ax, norm=_norm("rfft", norm))


def irfft(a, n=None, axis=-1, norm=None, out=None):
    """numpy.fft.irfft: the real array of length ``n`` (default 2 (m - 1)) whose rfft
    is ``a``'s first n//2 + 1 bins (cut or zero-padded).

    >>> import wengert.numpy as wnp
    >>> wnp.fft.irfft(wnp.array([4.0, 0.0, 0.0]))
    array([1., 1., 1., 1.])
    """
    no_out("irfft", out)
    ax = _axis("irfft", a, axis)
    n = _size("irfft", n, 2 * (shape(a)[ax] - 1))
    return _irfft(_resize(a, ax, n // 2 + 1), axis=ax, n=n, norm=_norm("irfft", norm))


def rfftn(a, s=None, axes=None, norm=None, out=None):
    """numpy.fft.rfftn: rfft over the last of ``axes``, then fft over the others.

    >>> import wengert.numpy as wnp
    >>> wnp.fft.rfftn(wnp.ones((2, 4))).real
    array([[8., 0., 0.],
           [0., 0., 0.]])
    """
    no_out("rfftn", out)
    _real_input("rfftn", a)
    sizes, axes = _nd_args("rfftn", a, s, axes)
    _check_axes_given("rfftn", axes)
    norm = _norm("rfftn", norm)
    x = _rfft(_resize(a, axes[-1], sizes[-1]), axis=axes[-1], norm=norm)
    return _c2c(_fftn, x, sizes[:-1], axes[:-1], norm)


def irfftn(a, s=None, axes=None, norm=None, out=None):
    """numpy.fft.irfftn: ifft over all of ``axes`` but the last, then irfft over it.

    >>> import wengert.numpy as wnp
    >>> wnp.fft.irfftn(wnp.array([[8.0, 0.0, 0.0], [0.0, 0.0, 0.0]]))
    array([[1., 1., 1., 1.],
           [1., 1., 1., 1.]])
    """
    no_out("irfftn", out)
    sizes, axes = _nd_args("irfftn", a, s, axes, last_default=lambda m: 2 * (m - 1))
    _check_axes_given("irfftn", axes)
    norm = _norm("irfftn", norm)
    x = _c2c(_ifftn, a, sizes[:-1], axes[:-1], norm)
    n = sizes[-1]
    return _irfft(_resize(x, axes[-1], n // 2 + 1), axis=axes[-1], n=n, norm=norm)


def rfft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """numpy.fft.rfft2: rfftn over the last two axes.

    >>> import wengert.numpy as wnp
    >>> wnp.fft.rfft2(wnp.ones((2, 4))).shape
    (2, 3)
    """
    return rfftn(a, s, axes, norm, out)


def irfft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """numpy.fft.irfft2: irfftn over the last two axes.

    >>> import wengert.numpy as wnp
    >>> wnp.fft.irfft2(wnp.ones((2, 3))).shape
    (2, 4)
    """
    return irfftn(a, s, axes, norm, out)


def hfft(a, n=None, axis=-1, norm=None, out=None):
    """numpy.fft.hfft: the real spectrum of a signal with Hermitian symmetry given by
    its first half: irfft of conj(a) with the norm's direction swapped.

    >>> import wengert.numpy as wnp
    >>> wnp.fft.hfft(wnp.array([1.0, 0.0, 0.0]))
    array([1., 1., 1., 1.])
    """
    no_out("hfft", out)
    return irfft(lookup("conj")(a), n, axis, _SWAP[_norm("hfft", norm)])


def ihfft(a, n=None, axis=-1, norm=None, out=None):
    """numpy.fft.ihfft: the inverse of hfft: conj of rfft with the norm's direction
    swapped.

    >>> import wengert.numpy as wnp
    >>> wnp.fft.ihfft(wnp.array([1.0, 1.0, 1.0, 1.0])).real
    array([1., 0., 0.])
    """
    no_out("ihfft", out)
    _real_input("ihfft", a)
    return lookup("conj")(rfft(a, n, axis, _SWAP[_norm("ihfft", norm)]))


def _shift_axes(who, x, axes):
    shp = shape(x)
    if axes is None:
        return tuple(range(len(shp)))
    if isinstance(axes, (tuple, list)):  # numpy rolls twice along an axis named twice
        return tuple(normalize_axis(who, ax, len(shp), shp) for ax in axes)
    return (normalize_axis(who, axes, len(shp), shp),)


def fftshift(x, axes=None):
    """numpy.fft.fftshift: the zero-frequency bin moved to the centre (a roll by n//2).

    >>> import wengert.numpy as wnp
    >>> wnp.fft.fftshift(wnp.array([0.0, 1.0, 2.0, -2.0, -1.0]))
    array([-2., -1.,  0.,  1.,  2.])
    """
    return _fftshift(x, axes=_shift_axes("fftshift", x, axes))


def ifftshift(x, axes=None):
    """numpy.fft.ifftshift: the inverse of fftshift (a roll by -(n//2)).

    >>> import wengert.numpy as wnp
    >>> wnp.fft.ifftshift(wnp.array([-2.0, -1.0, 0.0, 1.0, 2.0]))
    array([ 0.,  1.,  2., -2., -1.])
    """
    return _ifftshift(x, axes=_shift_axes("ifftshift", x, axes))


def fftfreq(n, d=1.0, device=None):
    """numpy.fft.fftfreq (constants; differentiable in a traced spacing ``d``).

    >>> import wengert.numpy as wnp
    >>> wnp.fft.fftfreq(4)
    array([ 0.  ,  0.25, -0.5 , -0.25])
    """
    if is_boxed(d):
        return np.fft.fftfreq(n) / d
    return np.fft.fftfreq(n, d)


def rfftfreq(n, d=1.0, device=None):
    """numpy.fft.rfftfreq (constants; differentiable in a traced spacing ``d``).

    >>> import wengert.numpy as wnp
    >>> wnp.fft.rfftfreq(4)
    array([0.  , 0.25, 0.5 ])
    """
    if is_boxed(d):
        return np.fft.rfftfreq(n) / d
    return np.fft.rfftfreq(n, d)


__all__ = ["fft", "ifft", "fftn", "ifftn", "fft2", "ifft2", "rfft", "irfft", "rfftn",
           "irfftn", "rfft2", "irfft2", "hfft", "ihfft", "fftshift", "ifftshift",
           "fftfreq", "rfftfreq"]
