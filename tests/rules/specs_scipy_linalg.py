"""Spec table for rules/scipy_linalg.py (wengert.scipy.linalg): the primitives
solve_triangular, lu_factor, expm, sqrtm, solve_sylvester and solve_banded, through
the public functions, real and complex, single matrices and (where scipy batches)
stacks. The composites (cholesky, cho_factor/cho_solve, lu_solve, solve with each
assume_a, block_diag, inv, det) are filed under a primitive they bind.

Inputs are well conditioned (R(n, n) + n I, B B^T + n I); values come from this
table's own generator, so the shared one in spec.py draws as before for the tables
after this one. Every function ends in ``sin`` (spec.labelled).
"""

import numpy as np

import wengert.scipy.linalg as wsl

from .spec import labelled

_case = labelled
_rng = np.random.default_rng(2024)


def R(*shape):
    return _rng.standard_normal(shape)


def C(*shape):
    return 0.5 * (_rng.standard_normal(shape) + 1j * _rng.standard_normal(shape))


def A(*batch, n=3):
    return R(*batch, n, n) + n * np.eye(n)


def SPD(*batch, n=3):
    b = R(*batch, n, n)
    return b @ np.swapaxes(b, -1, -2) + n * np.eye(n)


def CA(n=3):
    return C(n, n) + n * np.eye(n)


def _band(lo, up, n=4):
    ab = R(lo + up + 1, n)
    ab[up] += 4.0
    return ab


CASES = [
    # solve_triangular: both triangles, each trans, unit diagonal, vector and matrix b
    _case("solve_triangular", "upper", wsl.solve_triangular, A(), R(3, 2)),
    _case("solve_triangular", "lower-vec",
          lambda a, b: wsl.solve_triangular(a, b, lower=True), A(), R(3)),
    _case("solve_triangular", "trans-T",
          lambda a, b: wsl.solve_triangular(a, b, trans="T"), A(), R(3, 2)),
    _case("solve_triangular", "trans-C-lower-unit",
          lambda a, b: wsl.solve_triangular(a, b, trans=2, lower=True, unit_diagonal=True),
          A(), R(3, 2)),
    _case("solve_triangular", "complex-trans-C",
          lambda a, b: wsl.solve_triangular(a, b, trans="C"), CA(), C(3, 2)),
    _case("solve_triangular", "complex-a-real-b-lower",
          lambda a, b: wsl.solve_triangular(a, b, lower=True), CA(), R(3)),
    _case("solve_triangular", "batch", wsl.solve_triangular, A(2), R(2, 3, 2)),
    _case("solve_triangular", "batch-a-vec-b",
          lambda a, b: wsl.solve_triangular(a, b, trans=1), A(2), R(3)),
    _case("solve_triangular", "cho_solve",
          lambda a, b: wsl.cho_solve(wsl.cho_factor(a), b), SPD(), R(3, 2)),
    _case("solve_triangular", "cho_solve-lower",
          lambda a, b: wsl.cho_solve(wsl.cho_factor(a, lower=True), b), SPD(), R(3)),
    _case("solve_triangular", "solve-pos",
          lambda a, b: wsl.solve(a, b, assume_a="pos"), SPD(), R(3, 2)),
    _case("solve_triangular", "inv-upper-triangular",
          lambda a: wsl.inv(a, assume_a="upper triangular"), A()),

    # lu_factor and lu_solve through it
    _case("lu_factor", "lu", lambda a: wsl.lu_factor(a)[0], R(4, 4)),
    _case("lu_factor", "complex", lambda a: wsl.lu_factor(a)[0], CA()),
    _case("lu_factor", "lu_solve", lambda a, b: wsl.lu_solve(wsl.lu_factor(a), b),
          R(4, 4), R(4, 2)),
    _case("lu_factor", "lu_solve-trans-1",
          lambda a, b: wsl.lu_solve(wsl.lu_factor(a), b, trans=1), R(4, 4), R(4)),
    _case("lu_factor", "lu_solve-trans-2-complex",
          lambda a, b: wsl.lu_solve(wsl.lu_factor(a), b, trans=2), CA(), C(3, 2)),

    # expm: real, complex, a stack, 1 x 1
    _case("expm", "mat", wsl.expm, 0.5 * R(3, 3)),
    _case("expm", "complex", wsl.expm, C(2, 2)),
    _case("expm", "batch", wsl.expm, 0.5 * R(2, 2, 2)),
    _case("expm", "1x1", wsl.expm, R(1, 1)),
    _case("expm", "time", lambda t: wsl.expm(t * np.array([[0.0, 1.0], [-1.0, 0.0]])), 0.7),

    # sqrtm: symmetric positive definite, general, complex, a stack
    _case("sqrtm", "spd", wsl.sqrtm, SPD()),
    _case("sqrtm", "general", wsl.sqrtm, A()),
    _case("sqrtm", "complex", wsl.sqrtm, CA()),
    _case("sqrtm", "batch", wsl.sqrtm, SPD(2, n=2)),

    # solve_sylvester in each argument
    _case("solve_sylvester", "real", wsl.solve_sylvester, A(), A(n=2), R(3, 2)),
    _case("solve_sylvester", "complex", wsl.solve_sylvester, CA(), CA(n=2), C(3, 2)),
    _case("solve_sylvester", "real-a-complex-q", wsl.solve_sylvester, A(), A(n=2), C(3, 2)),

    # solve_banded: several bandwidths, vector and matrix b, complex
    _case("solve_banded", "l1-u2", lambda ab, b: wsl.solve_banded((1, 2), ab, b),
          _band(1, 2), R(4, 2)),
    _case("solve_banded", "tridiagonal-vec", lambda ab, b: wsl.solve_banded((1, 1), ab, b),
          _band(1, 1), R(4)),
    _case("solve_banded", "lower-only", lambda ab, b: wsl.solve_banded((2, 0), ab, b),
          _band(2, 0), R(4)),
    _case("solve_banded", "diagonal", lambda ab, b: wsl.solve_banded((0, 0), ab, b),
          _band(0, 0), R(4, 2)),
    _case("solve_banded", "complex", lambda ab, b: wsl.solve_banded((0, 1), ab, b),
          _band(0, 1) + 1j * R(2, 4), C(4)),

    # composites over numpy's primitives
    _case("cholesky", "scipy-upper", wsl.cholesky, SPD()),
    _case("cholesky", "scipy-cho_factor", lambda a: wsl.cho_factor(a, lower=True)[0], SPD()),
    _case("solve", "scipy-sym", lambda a, b: wsl.solve(a, b, assume_a="sym"), A(), R(3, 2)),
    _case("solve", "scipy-her", lambda a, b: wsl.solve(a, b, assume_a="her", lower=True),
          CA(), C(3)),
    _case("solve", "scipy-transposed", lambda a, b: wsl.solve(a, b, transposed=True),
          A(), R(3, 2)),
    _case("concatenate", "block_diag", lambda a, b: wsl.block_diag(a, b, 1.0), R(2, 2), R(3)),
    _case("inv", "scipy-inv", wsl.inv, A()),
    _case("det", "scipy-det", wsl.det, A(2)),
]
