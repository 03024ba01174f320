"""Spec table for rules/fft.py: the primitives fftn, ifftn, rfft, irfft, fftshift and
ifftshift, through the public functions that use them (fft, fft2, rfftn, hfft, ...),
on real and complex inputs, 1-D and 2-D, along each axis, with n / s padding and
truncation and each norm.

Each transform is linear, so ``labelled`` follows it with ``sin``: order 2 then checks
a nonzero second derivative. Inputs are halved to keep sin of the (unnormalised)
spectra in a moderate range.
"""

import wengert.numpy as wnp

from .spec import R, labelled
from .specs_complex import C

F = wnp.fft
NORMS = [None, "ortho", "forward"]


def r(*shape):
    return R(*shape) * 0.5


def c(*shape):
    return C(*shape) * 0.5


def _norm_label(norm):
    return norm or "backward"


_case = labelled

CASES = []

# fftn (fft, fft2, fftn), on real and complex inputs
for norm in NORMS:
    lab = _norm_label(norm)
    CASES += [
        _case("fftn", f"fft-real-{lab}", lambda x, norm=norm: F.fft(x, norm=norm), r(5)),
        _case("fftn", f"fft-complex-{lab}", lambda x, norm=norm: F.fft(x, norm=norm), c(4)),
        _case("fftn", f"fft-pad-{lab}", lambda x, norm=norm: F.fft(x, n=7, norm=norm), c(5)),
        _case("fftn", f"fft-cut-{lab}", lambda x, norm=norm: F.fft(x, n=3, norm=norm), r(5)),
        _case("fftn", f"fft2-{lab}", lambda x, norm=norm: F.fft2(x, norm=norm), c(3, 4)),
        _case("fftn", f"fftn-s-{lab}",
              lambda x, norm=norm: F.fftn(x, s=(4, 3), axes=(0, 1), norm=norm), r(3, 4)),
    ]
CASES += [
    _case("fftn", "fft-axis0", lambda x: F.fft(x, axis=0), c(3, 2)),
    _case("fftn", "fft-axis0-pad", lambda x: F.fft(x, n=4, axis=0), r(3, 2)),
    _case("fftn", "fft-axis1-cut", lambda x: F.fft(x, n=2, axis=1), c(2, 4)),
    _case("fftn", "fft-n1", lambda x: F.fft(x, n=1), c(3)),
    _case("fftn", "fftn-all-3d", F.fftn, c(2, 3, 2)),
    _case("fftn", "fftn-axes-1", lambda x: F.fftn(x, axes=(1,)), r(2, 3)),
    _case("fftn", "fftn-axes-reversed", lambda x: F.fftn(x, s=(2, 5), axes=(1, 0)), c(3, 4)),
    _case("fftn", "fftn-axis-twice", lambda x: F.fftn(x, s=(2, 3), axes=(1, 1)), c(2, 4)),
    _case("fftn", "fft2-s-minus1", lambda x: F.fft2(x, s=(-1, 5)), r(2, 3)),
    _case("fftn", "fft-then-product", lambda x: F.fft(x) * x, c(4)),
]

# ifftn (ifft, ifft2, ifftn)
for norm in NORMS:
    lab = _norm_label(norm)
    CASES += [
        _case("ifftn", f"ifft-real-{lab}", lambda x, norm=norm: F.ifft(x, norm=norm), r(4)),
        _case("ifftn", f"ifft-complex-{lab}", lambda x, norm=norm: F.ifft(x, norm=norm), c(5)),
        _case("ifftn", f"ifft-pad-{lab}", lambda x, norm=norm: F.ifft(x, n=6, norm=norm), c(4)),
        _case("ifftn", f"ifft-cut-{lab}", lambda x, norm=norm: F.ifft(x, n=2, norm=norm), r(4)),
        _case("ifftn", f"ifft2-{lab}", lambda x, norm=norm: F.ifft2(x, norm=norm), c(3, 4)),
        _case("ifftn", f"ifftn-s-{lab}",
              lambda x, norm=norm: F.ifftn(x, s=(2, 5), axes=(0, 1), norm=norm), r(3, 4)),
    ]
CASES += [
    _case("ifftn", "ifft-axis0", lambda x: F.ifft(x, axis=0), c(3, 2)),
    _case("ifftn", "ifft-axis0-cut", lambda x: F.ifft(x, n=2, axis=0), r(3, 2)),
    _case("ifftn", "ifftn-axes-0", lambda x: F.ifftn(x, axes=(0,)), c(2, 3)),
    _case("ifftn", "ifft-of-fft", lambda x: F.ifft(F.fft(x) * x), c(4)),
]

# rfft (rfft, rfft2, rfftn, ihfft): real inputs only
for norm in NORMS:
    lab = _norm_label(norm)
    CASES += [
        _case("rfft", f"rfft-even-{lab}", lambda x, norm=norm: F.rfft(x, norm=norm), r(6)),
        _case("rfft", f"rfft-odd-{lab}", lambda x, norm=norm: F.rfft(x, norm=norm), r(5)),
        _case("rfft", f"rfft-pad-{lab}", lambda x, norm=norm: F.rfft(x, n=8, norm=norm), r(5)),
        _case("rfft", f"rfft-cut-{lab}", lambda x, norm=norm: F.rfft(x, n=3, norm=norm), r(6)),
        _case("rfft", f"rfft2-{lab}", lambda x, norm=norm: F.rfft2(x, norm=norm), r(3, 4)),
        _case("rfft", f"rfftn-s-{lab}",
              lambda x, norm=norm: F.rfftn(x, s=(2, 5), axes=(0, 1), norm=norm), r(3, 4)),
        _case("rfft", f"ihfft-{lab}", lambda x, norm=norm: F.ihfft(x, norm=norm), r(5)),
    ]
CASES += [
    _case("rfft", "rfft-axis0", lambda x: F.rfft(x, axis=0), r(4, 3)),
    _case("rfft", "rfft-axis0-pad", lambda x: F.rfft(x, n=5, axis=0), r(4, 3)),
    _case("rfft", "rfft-n1", lambda x: F.rfft(x, n=1), r(3)),
    _case("rfft", "rfft-n2", lambda x: F.rfft(x, n=2), r(3)),
    _case("rfft", "rfftn-axes-1-0", lambda x: F.rfftn(x, axes=(1, 0)), r(3, 4)),
    _case("rfft", "rfftn-3d", F.rfftn, r(2, 3, 4)),
    _case("rfft", "rfft-then-product", lambda x: F.rfft(x) * x[:3], r(4)),
]

# irfft (irfft, irfft2, irfftn, hfft): complex and real inputs
for norm in NORMS:
    lab = _norm_label(norm)
    CASES += [
        _case("irfft", f"irfft-{lab}", lambda x, norm=norm: F.irfft(x, norm=norm), c(4)),
        _case("irfft", f"irfft-odd-{lab}", lambda x, norm=norm: F.irfft(x, n=5, norm=norm),
              c(3)),
        _case("irfft", f"irfft-pad-{lab}", lambda x, norm=norm: F.irfft(x, n=10, norm=norm),
              c(3)),
        _case("irfft", f"irfft-cut-{lab}", lambda x, norm=norm: F.irfft(x, n=4, norm=norm),
              c(5)),
        _case("irfft", f"irfft-real-{lab}", lambda x, norm=norm: F.irfft(x, norm=norm), r(4)),
        _case("irfft", f"irfft2-{lab}", lambda x, norm=norm: F.irfft2(x, norm=norm), c(3, 3)),
        _case("irfft", f"irfftn-s-{lab}",
              lambda x, norm=norm: F.irfftn(x, s=(4, 5), axes=(0, 1), norm=norm), c(3, 3)),
        _case("irfft", f"hfft-{lab}", lambda x, norm=norm: F.hfft(x, norm=norm), c(4)),
    ]
CASES += [
    _case("irfft", "irfft-axis0", lambda x: F.irfft(x, axis=0), c(3, 2)),
    _case("irfft", "irfft-axis0-n3", lambda x: F.irfft(x, n=3, axis=0), r(3, 2)),
    _case("irfft", "irfft-n1", lambda x: F.irfft(x, n=1), c(2)),
    _case("irfft", "irfftn-3d", F.irfftn, c(2, 3, 3)),
    _case("irfft", "irfft-of-rfft", lambda x: F.irfft(F.rfft(x) * F.rfft(x), n=5), r(5)),
]

# fftshift, ifftshift: permutations, on real and complex inputs
CASES += [
    _case("fftshift", "odd", F.fftshift, r(5)),
    _case("fftshift", "even-complex", F.fftshift, c(4)),
    _case("fftshift", "all-axes", F.fftshift, r(3, 4)),
    _case("fftshift", "axis0", lambda x: F.fftshift(x, axes=0), c(3, 4)),
    _case("fftshift", "axes-list", lambda x: F.fftshift(x, axes=[-1]), r(3, 4)),
    _case("fftshift", "spectrum", lambda x: F.fftshift(F.fft(x)), r(5)),
    _case("ifftshift", "odd", F.ifftshift, r(5)),
    _case("ifftshift", "even-complex", F.ifftshift, c(4)),
    _case("ifftshift", "all-axes", F.ifftshift, c(3, 4)),
    _case("ifftshift", "axis1", lambda x: F.ifftshift(x, axes=(1,)), r(3, 4)),
    _case("ifftshift", "before-ifft", lambda x: F.ifft(F.ifftshift(x)), c(4)),
]
