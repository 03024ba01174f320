"""Spec table for rules/complex.py: real, imag and conj on real inputs. Complex
inputs (HIPS autograd's convention) are not swept yet: check_grads' inner-product
check assumes a real inner product, which that convention does not satisfy."""

import wengert.numpy as wnp

from .spec import Case, R

CASES = [
    Case("real", lambda x: wnp.sin(wnp.real(x)), [R(3)]),
    Case("real", lambda x: wnp.sin(x.real) * 2.0, [R(2, 3)]),
    Case("imag", lambda x: wnp.sin(wnp.imag(x) + x), [R(2, 3)]),
    Case("conj", lambda x: wnp.sin(wnp.conj(x)), [R(2, 3)]),
    Case("conj", lambda x: wnp.sin(x.conj()) * x, [R(3)]),
]
