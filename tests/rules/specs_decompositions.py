"""Spec table for rules/decompositions.py (wengert.numpy.linalg): the primitives inv,
solve, det, slogdet, cholesky, eigh, eigvalsh, svd, svdvals and qr on single
matrices and stacks, and the composites filed under a primitive they bind
(matrix_power under matmul and inv, norm under sqrt, max and svdvals, pinv under svd).

Inputs are well conditioned: general matrices are R(n, n) + n I, symmetric positive
definite ones B B^T + n I. cholesky, eigh and eigvalsh read one triangle of their
input, as numpy does, and are differentiated as such, so most of their rows pass a
NON-symmetric matrix (an SPD one with noise across the triangle read, or a plain
R(n, n)): the central differences then see the unread triangle do nothing. The noise
comes from a generator of this table's own, so the shared one in spec.py draws as
before. Eigenvector and singular vector outputs are squared (their signs are
arbitrary) before they are compared.
Every function ends in ``sin`` (spec.labelled), so linear outputs have curvature too.
"""

import numpy as np

import wengert.numpy as wnp

from .spec import R, labelled

la = wnp.linalg
_case = labelled


def A(*batch, n=3):
    """A well-conditioned general matrix (or a stack): R(n, n) + n I."""
    return R(*batch, n, n) + n * np.eye(n)


def SPD(*batch, n=3):
    """A symmetric positive definite matrix (or a stack): B B^T + n I."""
    b = R(*batch, n, n)
    return b @ np.swapaxes(b, -1, -2) + n * np.eye(n)


_noise_rng = np.random.default_rng(11)


def _upper_noise(s):
    """s with noise in its strict upper triangle, which UPLO='L' does not read."""
    return s + 2.0 * np.triu(_noise_rng.standard_normal(s.shape), 1)


def _lower_noise(s):
    """s with noise in its strict lower triangle, which UPLO='U' does not read."""
    return s + 2.0 * np.tril(_noise_rng.standard_normal(s.shape), -1)


def _C(*shape):
    """Complex standard normal values from this table's generator."""
    return _noise_rng.standard_normal(shape) + 1j * _noise_rng.standard_normal(shape)


def _hpd(*batch, n=3, uplo="L"):
    """A Hermitian positive definite B B^H + n I with noise numpy does not read: across
    the triangle ``uplo`` and in the diagonal's imaginary part."""
    b = _C(*batch, n, n)
    h = b @ np.conj(np.swapaxes(b, -1, -2)) + n * np.eye(n)
    across = np.triu(np.ones((n, n)), 1) if uplo == "L" else np.tril(np.ones((n, n)), -1)
    return h + 2.0 * _C(*batch, n, n) * across + 1j * np.eye(n) * _noise_rng.standard_normal(n)


def _abs2(z):
    return wnp.real(z * wnp.conj(z))


def _own_spd(*batch, n=3):
    """Like SPD, from this table's generator (for rows added after the others)."""
    b = _noise_rng.standard_normal(batch + (n, n))
    return b @ np.swapaxes(b, -1, -2) + n * np.eye(n)


def _gram(b):
    """B B^T + n I, positive definite for any B."""
    return b @ b.mT + b.shape[-1] * np.eye(b.shape[-1])


def _eigh_rebuilt(x):
    """V diag(w) V^T, x's lower triangle mirrored (sign-free in V)."""
    w, v = la.eigh(x)
    return v @ (w[..., None] * v.mT)


def _svd_rebuilt(a):
    """U diag(s) Vh, a again."""
    u, s, vh = la.svd(a, full_matrices=False)
    return (u * s[..., None, :]) @ vh


_A_CONST = A()

CASES = [
    # inv
    _case("inv", "mat", la.inv, A()),
    _case("inv", "batch", la.inv, A(2)),
    _case("inv", "numpy-dispatch", np.linalg.inv, A()),

    # solve: a vector b, a matrix b, stacks, and batch axes that broadcast
    _case("solve", "vec", la.solve, A(), R(3)),
    _case("solve", "mat", la.solve, A(), R(3, 2)),
    _case("solve", "batch", la.solve, A(2), R(2, 3, 2)),
    _case("solve", "batch-a-vec-b", la.solve, A(2), R(3)),
    _case("solve", "mat-a-batch-b", la.solve, A(), R(2, 3, 2)),
    _case("solve", "broadcast", la.solve, A(1), R(2, 3, 1)),
    _case("solve", "const-a", lambda b: la.solve(_A_CONST, b), R(3, 2)),
    _case("solve", "const-b", lambda a: la.solve(a, np.ones(3)), A()),

    # det and slogdet (also a negative determinant)
    _case("det", "mat", la.det, A()),
    _case("det", "batch", la.det, A(2)),
    _case("det", "4x4", la.det, A(n=4)),
    _case("slogdet", "mat", lambda a: la.slogdet(a)[1], A()),
    _case("slogdet", "negative-det", lambda a: la.slogdet(a)[1], -A()),
    _case("slogdet", "batch", lambda a: la.slogdet(a).logabsdet, A(2)),
    _case("slogdet", "sign-times", lambda a: la.slogdet(a)[0] * la.slogdet(a)[1], -A()),

    # cholesky
    _case("cholesky", "gram", lambda b: la.cholesky(_gram(b)), R(3, 3)),
    _case("cholesky", "nonsym", la.cholesky, _upper_noise(SPD())),
    _case("cholesky", "batch-nonsym", la.cholesky, _upper_noise(SPD(2))),
    _case("cholesky", "upper", lambda b: la.cholesky(_gram(b), upper=True), R(2, 3, 3)),
    _case("cholesky", "upper-nonsym", lambda a: la.cholesky(a, upper=True),
          _lower_noise(_own_spd(2))),

    # eigh: eigenvalues, squared eigenvectors, the reconstruction
    _case("eigh", "w-nonsym", lambda a: la.eigh(a)[0], _upper_noise(SPD())),
    _case("eigh", "v-squared-nonsym", lambda a: la.eigh(a)[1] ** 2, _upper_noise(SPD())),
    _case("eigh", "w-batch-nonsym", lambda a: la.eigh(a).eigenvalues, _upper_noise(SPD(2))),
    _case("eigh", "v-squared-batch-nonsym", lambda a: la.eigh(a).eigenvectors ** 2,
          _upper_noise(SPD(2))),
    _case("eigh", "indefinite", lambda x: la.eigh(x)[1] ** 2, R(3, 3)),
    _case("eigh", "reconstruct", _eigh_rebuilt, R(2, 3, 3)),
    _case("eigh", "upper", lambda a: la.eigh(a, UPLO="U")[0], _lower_noise(SPD())),
    _case("eigh", "upper-v-squared", lambda a: la.eigh(a, "U")[1] ** 2,
          _lower_noise(_own_spd())),
    _case("eigvalsh", "mat-nonsym", la.eigvalsh, _upper_noise(SPD())),
    _case("eigvalsh", "batch", la.eigvalsh, R(2, 3, 3)),
    _case("eigvalsh", "upper", lambda a: la.eigvalsh(a, UPLO="U"), _lower_noise(_own_spd(2))),

    # svd: square, tall, wide and stacked; s, U^2, Vh^2
    *[_case("svd", f"{part}-{label}",
            lambda a, i=i: la.svd(a, full_matrices=False)[i] ** (1 if i == 1 else 2), a)
      for label, a in [("square", R(3, 3)), ("tall", R(4, 3)), ("wide", R(3, 4)),
                       ("batch", R(2, 3, 3)), ("batch-tall", R(2, 4, 3))]
      for i, part in enumerate(["U", "s", "Vh"])],
    _case("svd", "reconstruct", _svd_rebuilt, R(2, 3, 4)),
    _case("svdvals", "mat", la.svdvals, R(3, 3)),
    _case("svdvals", "wide", la.svdvals, R(2, 4)),
    _case("svdvals", "batch", la.svdvals, R(2, 4, 3)),
    _case("svdvals", "compute_uv-false", lambda a: la.svd(a, compute_uv=False), R(3, 2)),

    # qr (reduced, m >= n)
    _case("qr", "Q-square", lambda a: la.qr(a)[0], A()),
    _case("qr", "R-square", lambda a: la.qr(a)[1], A()),
    _case("qr", "Q-tall", lambda a: la.qr(a).Q, R(4, 3)),
    _case("qr", "R-tall", lambda a: la.qr(a).R, R(4, 3)),
    _case("qr", "batch", lambda a: la.qr(a)[0] + la.qr(a)[1][..., :1, :], R(2, 4, 3)),
    _case("qr", "mode-r", lambda a: la.qr(a, mode="r"), R(2, 3, 3)),

    # complex inputs (HIPS autograd's convention): Hermitian readers get noise in
    # what they do not read; vectors enter through |.|^2 or phase-free products
    _case("slogdet", "complex", lambda a: la.slogdet(a)[1], _C(3, 3) + 3 * np.eye(3)),
    _case("slogdet", "complex-sign", lambda a: la.slogdet(a).sign, _C(2, 3, 3) + 3 * np.eye(3)),
    _case("inv", "complex", la.inv, _C(3, 3) + 3 * np.eye(3)),
    _case("solve", "complex", la.solve, _C(3, 3) + 3 * np.eye(3), _C(3, 2)),
    _case("det", "complex", la.det, _C(2, 3, 3) + 3 * np.eye(3)),
    _case("cholesky", "complex", la.cholesky, _hpd()),
    _case("cholesky", "complex-upper", lambda a: la.cholesky(a, upper=True),
          _hpd(2, uplo="U")),
    _case("eigh", "complex-w", lambda a: la.eigh(a)[0], _hpd(2)),
    _case("eigh", "complex-v", lambda a: _abs2(la.eigh(a)[1]), _hpd()),
    _case("eigh", "complex-upper", lambda a: _abs2(la.eigh(a, "U")[1]) * la.eigh(a, "U")[0],
          _hpd(uplo="U")),
    _case("eigvalsh", "complex", la.eigvalsh, _hpd(2)),
    _case("svd", "complex-s", lambda a: la.svd(a, full_matrices=False)[1], _C(2, 3, 3)),
    _case("svd", "complex-U-tall", lambda a: _abs2(la.svd(a, full_matrices=False)[0]),
          _C(4, 3)),
    _case("svd", "complex-Vh-wide", lambda a: _abs2(la.svd(a, full_matrices=False)[2]),
          _C(3, 4)),
    _case("svd", "complex-rebuilt", _svd_rebuilt, _C(2, 4, 3)),
    _case("svdvals", "complex", la.svdvals, _C(3, 4)),
    _case("qr", "complex-Q", lambda a: la.qr(a)[0], _C(4, 3)),
    _case("qr", "complex-R", lambda a: la.qr(a)[1], _C(2, 3, 3)),
    _case("svd", "pinv-complex", la.pinv, _C(3, 4)),
    _case("eigh", "pinv-hermitian-complex", lambda a: la.pinv(a, hermitian=True), _hpd()),
    _case("svdvals", "norm-nuc-complex", lambda x: la.norm(x, "nuc"), _C(3, 2)),

    # composites
    _case("matmul", "matrix_power-3", lambda a: la.matrix_power(a, 3), R(3, 3)),
    _case("matmul", "matrix_power-5-batch", lambda a: la.matrix_power(a, 5), R(2, 3, 3) / 2),
    _case("inv", "matrix_power-neg", lambda a: la.matrix_power(a, -2), A()),
    _case("sqrt", "norm-vec", la.norm, R(3)),
    _case("sqrt", "norm-fro", la.norm, R(2, 3)),
    _case("sqrt", "norm-flat-3d", la.norm, R(2, 3, 2)),
    _case("sqrt", "norm-axis", lambda x: la.norm(x, axis=1, keepdims=True), R(2, 3)),
    _case("sqrt", "norm-fro-axes", lambda x: la.norm(x, "fro", axis=(0, 2)), R(2, 3, 2)),
    _case("absolute", "norm-1", lambda x: la.norm(x, 1), R(4)),
    _case("power", "norm-p3", lambda x: la.norm(x, 3, axis=-1), R(2, 3)),
    _case("max", "norm-inf", lambda x: la.norm(x, np.inf), R(4)),
    _case("min", "norm-minus-inf", lambda x: la.norm(x, -np.inf, axis=0), R(3, 2)),
    _case("max", "norm-mat-1", lambda x: la.norm(x, 1), R(3, 3)),
    _case("max", "norm-mat-inf-keepdims",
          lambda x: la.norm(x, np.inf, axis=(2, 0), keepdims=True), R(3, 3, 2)),
    _case("min", "norm-mat-minus-1", lambda x: la.norm(x, -1, axis=(1, 2)), R(2, 3, 3)),
    _case("svdvals", "norm-2", lambda x: la.norm(x, 2), R(3, 2)),
    _case("svdvals", "norm-nuc", lambda x: la.norm(x, "nuc", axis=(-2, -1)), R(2, 3, 3)),
    _case("svdvals", "norm-minus-2", lambda x: la.norm(x, -2), R(3, 3)),
    _case("svd", "pinv-square", la.pinv, A()),
    _case("svd", "pinv-tall", la.pinv, R(4, 3)),
    _case("svd", "pinv-batch-wide", la.pinv, R(2, 2, 3)),
    _case("eigh", "pinv-hermitian", lambda x: la.pinv(x, hermitian=True), R(3, 3)),
]

# Rows added later draw from a generator of their own, so the rows above keep their
# values. A real operand of solve against a complex one (either way round).
_more_rng = np.random.default_rng(12)


def _mR(*shape):
    return _more_rng.standard_normal(shape)


def _mC(*shape):
    return _mR(*shape) + 1j * _mR(*shape)


CASES += [
    _case("solve", "real-a-complex-b", la.solve, _mR(3, 3) + 3 * np.eye(3), _mC(2, 3, 2)),
    _case("solve", "complex-a-real-b", la.solve, _mC(2, 3, 3) + 3 * np.eye(3), _mR(3)),
]


def _real_spectrum(*batch, n=3):
    """A non-symmetric real matrix with distinct real eigenvalues, S diag(1, 2.5, 4) S^-1."""
    m = _mR(*batch, n, n) + n * np.eye(n)
    return (m * (np.arange(n) * 1.5 + 1.0)) @ np.linalg.inv(m)


def _eig_rebuilt(a):
    """V diag(w) V^-1, a again (phase-free in V)."""
    w, v = la.eig(a)
    return (v * w[..., None, :]) @ la.inv(v)


# eig and eigvals on real matrices with real or complex eigenvalues and on complex
# ones; eigenvectors through phase-free functions. lstsq and the other composites
# filed under a primitive they bind.
CASES += [
    _case("eig", "w-real-spectrum", lambda a: la.eig(a)[0], _real_spectrum()),
    _case("eig", "v-squared-real-spectrum", lambda a: la.eig(a)[1] ** 2, _real_spectrum(2)),
    _case("eig", "w-complex-pairs", lambda a: la.eig(a).eigenvalues, _mR(2, 4, 4)),
    _case("eig", "v-abs2-complex-pairs", lambda a: _abs2(la.eig(a).eigenvectors), _mR(3, 3)),
    _case("eig", "complex", lambda a: _abs2(la.eig(a)[1]) * la.eig(a)[0], _mC(3, 3)),
    _case("eig", "rebuilt", _eig_rebuilt, _mR(2, 3, 3)),
    _case("eigvals", "real-spectrum", la.eigvals, _real_spectrum()),
    _case("eigvals", "complex-pairs", la.eigvals, _mR(2, 3, 3)),
    _case("eigvals", "complex", la.eigvals, _mC(3, 3)),
    _case("qr", "lstsq-tall", lambda a, b: la.lstsq(a, b)[0], _mR(4, 3), _mR(4)),
    _case("qr", "lstsq-wide", lambda a, b: la.lstsq(a, b)[0], _mR(2, 3), _mR(2, 2)),
    _case("qr", "lstsq-complex", lambda a, b: la.lstsq(a, b)[0], _mC(4, 2), _mC(4, 2)),
    _case("qr", "lstsq-mixed", lambda a, b: la.lstsq(a, b)[0], _mR(4, 2), _mC(4)),
    _case("qr", "lstsq-residuals", lambda a, b: la.lstsq(a, b)[1], _mR(5, 2), _mR(5, 2)),
    _case("svdvals", "lstsq-s", lambda a: la.lstsq(a, np.ones(4))[3], _mR(4, 3)),
    _case("svdvals", "cond", la.cond, _mR(2, 3, 3) + 3 * np.eye(3)),
    _case("inv", "cond-fro", lambda a: la.cond(a, "fro"), _mR(3, 3) + 3 * np.eye(3)),
    _case("matmul", "multi_dot", lambda a, b: la.multi_dot([a, b, a, b]), _mR(2, 3),
          _mR(3, 2)),
    _case("solve", "tensorsolve", la.tensorsolve,
          _mR(2, 3, 6) + 3 * np.eye(6).reshape(2, 3, 6), _mR(2, 3)),
    _case("inv", "tensorinv", la.tensorinv, _mR(2, 3, 6) + 3 * np.eye(6).reshape(2, 3, 6)),
    _case("sqrt", "vector_norm-axes", lambda x: la.vector_norm(x, axis=(0, 2)), _mR(2, 3, 2)),
    _case("sqrt", "matrix_norm", la.matrix_norm, _mC(2, 3, 2)),
    _case("conj", "vecdot-complex", la.vecdot, _mC(2, 3), _mC(3)),
    _case("multiply", "cross", la.cross, _mR(2, 3), _mC(3)),
]
