"""Spec table for rules/complex.py: real, imag and conj, on real and complex inputs,
and complex values through the other families (HIPS autograd's convention; the
checker pairs cotangents with tangents without a conjugate)."""

import numpy as np

import wengert.numpy as wnp

from .spec import Case, R


def C(*shape):
    """Complex standard normal values."""
    return R(*shape) + 1j * R(*shape)


CASES = [
    Case("real", lambda x: wnp.sin(wnp.real(x)), [R(3)], id="real-complex-table-1"),
    Case("real", lambda x: wnp.sin(x.real) * 2.0, [R(2, 3)], id="real-complex-table-2"),
    Case("real", lambda x: wnp.sin(wnp.real(x)), [C(2, 3)], id="real-complex-table-3"),
    Case("imag", lambda x: wnp.sin(wnp.imag(x) + x), [R(2, 3)], id="imag-complex-table-4"),
    Case("imag", lambda x: wnp.sin(wnp.imag(x)), [C(3)], id="imag-complex-table-5"),
    Case("conj", lambda x: wnp.sin(wnp.conj(x)), [R(2, 3)], id="conj-complex-table-6"),
    Case("conj", lambda x: wnp.sin(x.conj()) * x, [C(3)], id="conj-complex-table-7"),
    Case("conj", lambda x: wnp.real(wnp.conj(x) * x), [C(3)], id="conj-complex-table-8"),
    Case("conj", lambda x: wnp.sin(wnp.conj(x)) * x, [C(2, 3)], id="conj-complex-table-9"),
]

# casts between float and complex types (float32 rounding is not smooth enough for
# central differences; its values are pinned in tests/test_never_wrong.py)
CASES += [
    Case("cast", lambda x: wnp.sin(x.astype(np.complex128) * (1 + 2j)), [R(3)],
         id="cast-real-to-complex"),
    Case("cast", lambda z: wnp.sin(wnp.astype(z, np.float64)) * 2.0, [C(2, 3)],
         id="cast-complex-to-real"),
    Case("cast", lambda x: wnp.astype(x, np.float64) * x, [R(2, 3)], id="cast-same-type"),
]

# complex values through other families: holomorphic rules need no conjugate
CASES += [
    Case("sin", lambda z: wnp.sin(z), [C(3)], id="sin-complex-table-10"),
    Case("exp", lambda z: wnp.exp(z) * z, [C(2, 3)], id="exp-complex-table-11"),
    Case("log", lambda z: wnp.log(z), [C(3) + 3.0], id="log-complex-table-12"),
    Case("sqrt", lambda z: wnp.sqrt(z), [C(3) + 3.0], id="sqrt-complex-table-13"),
    Case("tanh", lambda z: wnp.tanh(z), [C(3) * 0.5], id="tanh-complex-table-14"),
    Case("multiply", lambda z, w: z * w, [C(2, 3), C(3)], id="multiply-complex-table-15"),
    Case("multiply", lambda z, x: z * x, [C(2, 3), R(3)], id="multiply-complex-table-16"),
    Case("divide", lambda z, w: z / w, [C(3), C(3) + 3.0], id="divide-complex-table-17"),
    Case("power", lambda z: z ** 3, [C(3)], id="power-complex-table-18"),
    Case("absolute", lambda z: wnp.abs(z) * z, [C(3)], id="absolute-complex-table-19"),
    Case("matmul", lambda a, b: wnp.sin(a @ b), [C(2, 3), C(3, 2)], id="matmul-complex-table-20"),
    Case("sum", lambda z: wnp.sum(wnp.sin(z), axis=0), [C(2, 3)], id="sum-complex-table-21"),
]
