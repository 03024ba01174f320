"""wengert.scipy.linalg beyond the rule table (tests/rules/specs_scipy_linalg.py):
values equal scipy's, derivatives equal their closed forms and HIPS autograd's, both
modes to order 2, bad input is scipy's error, and scipy missing is a clear ImportError."""

import sys

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp

sl = pytest.importorskip("scipy.linalg")
wsl = pytest.importorskip("wengert.scipy.linalg")

rng = np.random.default_rng(17)


def A(*batch, n=3):
    return rng.standard_normal(batch + (n, n)) + n * np.eye(n)


def C(*shape):
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


def SPD(*batch, n=3):
    b = rng.standard_normal(batch + (n, n))
    return b @ np.swapaxes(b, -1, -2) + n * np.eye(n)


def HPD(n=3):
    b = C(n, n)
    return b @ b.conj().T + n * np.eye(n)


def noisy(s, lower):
    """s with noise in the triangle a ``lower``-reading solver does not read."""
    noise = rng.standard_normal(s.shape)
    return s + (np.triu(noise, 1) if lower else np.tril(noise, -1))


def check(f, *args, order=2, **kw):
    wg.check_grads(f, modes=("fwd", "rev"), order=order, **kw)(*args)


def traced(f, *args):
    """f's value computed on traced arguments (inside a VJP)."""
    return wg.vjp(f, *args)[0]


# ------------------------------------------------------------------ values

_SPD, _A, _B, _BV = SPD(), A(), rng.standard_normal((3, 2)), rng.standard_normal(3)
_UP, _LO = noisy(SPD(), False), noisy(SPD(), True)
_CA, _CB = C(3, 3) + 3 * np.eye(3), C(3, 2)
_BAND = rng.standard_normal((4, 5)) + np.array([[0], [0], [4], [0]])  # (l, u) = (1, 2)

VALUES = [
    ("cholesky-upper", lambda a: wsl.cholesky(a), lambda a: sl.cholesky(a), (_UP,)),
    ("cholesky-lower", lambda a: wsl.cholesky(a, lower=True),
     lambda a: sl.cholesky(a, lower=True), (_LO,)),
    ("cholesky-complex", lambda a: wsl.cholesky(a), lambda a: sl.cholesky(a), (HPD(),)),
    ("cholesky-batch", wsl.cholesky, sl.cholesky, (SPD(2),)),
    ("cho_factor-upper", lambda a: wsl.cho_factor(a)[0], lambda a: sl.cho_factor(a)[0],
     (_UP,)),
    ("cho_factor-lower", lambda a: wsl.cho_factor(a, lower=True)[0],
     lambda a: sl.cho_factor(a, lower=True)[0], (_LO,)),
    ("cho_solve", lambda a, b: wsl.cho_solve(wsl.cho_factor(a), b),
     lambda a, b: sl.cho_solve(sl.cho_factor(a), b), (_UP, _B)),
    ("cho_solve-lower-vec", lambda a, b: wsl.cho_solve(wsl.cho_factor(a, lower=True), b),
     lambda a, b: sl.cho_solve(sl.cho_factor(a, lower=True), b), (_LO, _BV)),
    ("lu_factor-lu", lambda a: wsl.lu_factor(a)[0], lambda a: sl.lu_factor(a)[0], (_A,)),
    ("lu_factor-piv", lambda a: wsl.lu_factor(a)[1], lambda a: sl.lu_factor(a)[1],
     (rng.standard_normal((4, 4)),)),
    ("lu_solve", lambda a, b: wsl.lu_solve(wsl.lu_factor(a), b),
     lambda a, b: sl.lu_solve(sl.lu_factor(a), b), (rng.standard_normal((3, 3)), _B)),
    ("lu_solve-trans1", lambda a, b: wsl.lu_solve(wsl.lu_factor(a), b, trans=1),
     lambda a, b: sl.lu_solve(sl.lu_factor(a), b, trans=1), (rng.standard_normal((3, 3)), _BV)),
    ("lu_solve-trans2-complex", lambda a, b: wsl.lu_solve(wsl.lu_factor(a), b, trans=2),
     lambda a, b: sl.lu_solve(sl.lu_factor(a), b, trans=2), (_CA, _CB)),
    ("solve-gen", wsl.solve, sl.solve, (_A, _B)),
    ("solve-vec", wsl.solve, sl.solve, (_A, _BV)),
    ("solve-transposed", lambda a, b: wsl.solve(a, b, transposed=True),
     lambda a, b: sl.solve(a, b, transposed=True), (_A, _B)),
    ("solve-sym", lambda a, b: wsl.solve(a, b, assume_a="sym"),
     lambda a, b: sl.solve(a, b, assume_a="sym"), (noisy(_A + _A.T, False), _B)),
    ("solve-sym-lower", lambda a, b: wsl.solve(a, b, assume_a="sym", lower=True),
     lambda a, b: sl.solve(a, b, assume_a="sym", lower=True), (noisy(_A + _A.T, True), _B)),
    ("solve-her", lambda a, b: wsl.solve(a, b, assume_a="her"),
     lambda a, b: sl.solve(a, b, assume_a="her"), (HPD() + np.tril(C(3, 3), -1), _CB)),
    ("solve-pos", lambda a, b: wsl.solve(a, b, assume_a="pos"),
     lambda a, b: sl.solve(a, b, assume_a="pos"), (_UP, _B)),
    ("solve-pos-lower", lambda a, b: wsl.solve(a, b, assume_a="pos", lower=True),
     lambda a, b: sl.solve(a, b, assume_a="pos", lower=True), (_LO, _BV)),
    ("solve-diagonal", lambda a, b: wsl.solve(a, b, assume_a="diagonal"),
     lambda a, b: sl.solve(a, b, assume_a="diagonal"), (_A, _B)),
    ("solve-upper-triangular", lambda a, b: wsl.solve(a, b, assume_a="upper triangular"),
     lambda a, b: sl.solve(a, b, assume_a="upper triangular"), (_A, _B)),
    ("solve-batch", wsl.solve, sl.solve, (A(2), rng.standard_normal((2, 3, 2)))),
    ("solve-complex", wsl.solve, sl.solve, (_CA, _CB)),
    ("expm", wsl.expm, sl.expm, (rng.standard_normal((3, 3)),)),
    ("expm-complex", wsl.expm, sl.expm, (C(3, 3),)),
    ("expm-batch", wsl.expm, sl.expm, (rng.standard_normal((2, 3, 3)),)),
    ("expm-1x1", wsl.expm, sl.expm, (np.array([[0.7]]),)),
    ("sqrtm", wsl.sqrtm, sl.sqrtm, (SPD(),)),
    ("sqrtm-nonsymmetric", wsl.sqrtm, sl.sqrtm, (A(),)),
    ("sqrtm-complex-result", wsl.sqrtm, sl.sqrtm, (np.array([[-1.0, 0.5], [0.0, 4.0]]),)),
    ("sqrtm-complex", wsl.sqrtm, sl.sqrtm, (HPD(),)),
    ("sqrtm-batch", wsl.sqrtm, sl.sqrtm, (SPD(2),)),
    ("solve_sylvester", wsl.solve_sylvester, sl.solve_sylvester,
     (A(), A(n=2), rng.standard_normal((3, 2)))),
    ("solve_sylvester-complex", wsl.solve_sylvester, sl.solve_sylvester,
     (_CA, C(2, 2) + 2 * np.eye(2), C(3, 2))),
    ("solve_triangular", wsl.solve_triangular, sl.solve_triangular, (_A, _B)),
    ("solve_banded", lambda ab, b: wsl.solve_banded((1, 2), ab, b),
     lambda ab, b: sl.solve_banded((1, 2), ab, b), (_BAND, rng.standard_normal((5, 2)))),
    ("solve_banded-vec", lambda ab, b: wsl.solve_banded((1, 2), ab, b),
     lambda ab, b: sl.solve_banded((1, 2), ab, b), (_BAND, rng.standard_normal(5))),
    ("solve_banded-tridiagonal", lambda ab, b: wsl.solve_banded((1, 1), ab, b),
     lambda ab, b: sl.solve_banded((1, 1), ab, b),
     (_BAND[1:], rng.standard_normal(5))),
    ("solve_banded-complex", lambda ab, b: wsl.solve_banded((2, 0), ab, b),
     lambda ab, b: sl.solve_banded((2, 0), ab, b),
     (C(3, 4) + np.array([[4], [0], [0]]), C(4))),
    ("block_diag", lambda a, b, c: wsl.block_diag(a, b, c),
     lambda a, b, c: sl.block_diag(a, b, c), (np.ones((2, 2)), np.arange(3.0), 7.0)),
    ("block_diag-one", lambda a: wsl.block_diag(a), lambda a: sl.block_diag(a), (_A,)),
    ("block_diag-complex", lambda a, b: wsl.block_diag(a, b),
     lambda a, b: sl.block_diag(a, b), (C(2, 1), np.ones((1, 3)))),
    ("inv", wsl.inv, sl.inv, (A(2),)),
    ("inv-pos", lambda a: wsl.inv(a, assume_a="pos"), lambda a: sl.inv(a, assume_a="pos"),
     (_UP,)),
    ("inv-sym-lower", lambda a: wsl.inv(a, assume_a="sym", lower=True),
     lambda a: sl.inv(a, assume_a="sym", lower=True), (noisy(_A + _A.T, True),)),
    ("inv-lower-triangular", lambda a: wsl.inv(a, assume_a="lower triangular"),
     lambda a: sl.inv(a, assume_a="lower triangular"), (_A,)),
    ("det", wsl.det, sl.det, (A(2),)),
]


@pytest.mark.parametrize("name, ours, theirs, args", VALUES, ids=[v[0] for v in VALUES])
def test_values_equal_scipy(name, ours, theirs, args):
    want = theirs(*args)
    got = ours(*args)
    assert np.shape(got) == np.shape(want)
    assert np.result_type(got) == np.result_type(want)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    if np.result_type(got).kind in "fc":  # and on traced values
        diff = [k for k, a in enumerate(args) if np.result_type(a).kind in "fc"]
        if diff:
            def f(*xs):
                full = list(args)
                for k, x in zip(diff, xs):
                    full[k] = x
                return ours(*full)
            np.testing.assert_allclose(traced(f, *(args[k] for k in diff)), want,
                                       rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------ derivatives

TRI = A()


@pytest.mark.parametrize("lower", [False, True])
@pytest.mark.parametrize("trans", [0, 1, 2, "N", "T", "C"])
@pytest.mark.parametrize("unit", [False, True])
def test_solve_triangular_values_and_inverse(lower, trans, unit):
    a, b = _CA, _CB
    want = sl.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit)
    got = wsl.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    # against the inverse of the triangle it reads, in both modes
    k = (-1 if lower else 1) if unit else 0
    t = (np.tril if lower else np.triu)(a, k) + (np.eye(3) if unit else 0)
    op = {0: t, "N": t, 1: t.T, "T": t.T, 2: t.conj().T, "C": t.conj().T}[trans]
    np.testing.assert_allclose(got, np.linalg.inv(op) @ b, rtol=1e-12)


@pytest.mark.parametrize("lower", [False, True])
@pytest.mark.parametrize("trans", [0, 1, 2])
@pytest.mark.parametrize("unit", [False, True])
def test_solve_triangular_derivatives_are_the_inverse_s(lower, trans, unit):
    mask = np.tril(np.ones((3, 3)), -1 if unit else 0) if lower else \
        np.triu(np.ones((3, 3)), 1 if unit else 0)

    def via_inverse(a, b):
        t = a * mask + (np.eye(3) if unit else 0.0)
        op = {0: t, 1: t.T, 2: wnp.conj(t).T}[trans]
        return wnp.linalg.inv(op) @ b

    def ours(a, b):
        return wsl.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit)

    for a, b in ((TRI, _B), (_CA, _CB)):
        for k in (0, 1):
            np.testing.assert_allclose(wg.jacobian(ours, argnums=k)(a, b),
                                       wg.jacobian(via_inverse, argnums=k)(a, b),
                                       rtol=1e-10, atol=1e-12)
        check(lambda a, b: wnp.sin(ours(a, b)) if np.isrealobj(a) else ours(a, b), a, b)


def test_solve_triangular_batch_and_vector():
    a, b = A(2), rng.standard_normal((2, 3, 2))
    check(lambda a, b: wnp.sin(wsl.solve_triangular(a, b, lower=True)), a, b)
    check(lambda a, b: wnp.sin(wsl.solve_triangular(a, b, trans=1)), a, _BV)
    np.testing.assert_allclose(wsl.solve_triangular(a, _BV), sl.solve_triangular(a, _BV))


def test_cholesky_upper_by_default_and_reads_one_triangle():
    g = wg.grad(lambda a: wnp.sum(wsl.cholesky(a) ** 2))(_UP)
    np.testing.assert_array_equal(np.tril(g, -1), 0.0)  # the lower triangle is not read
    g = wg.grad(lambda a: wnp.sum(wsl.cholesky(a, lower=True) ** 2))(_LO)
    np.testing.assert_array_equal(np.triu(g, 1), 0.0)
    # sum(U^2) = tr(U^T U) = tr(A): the gradient is I
    np.testing.assert_allclose(g, np.eye(3), atol=1e-12)
    check(lambda a: wnp.sin(wsl.cholesky(a)), _UP)
    check(lambda a: wnp.sin(wsl.cholesky(a, lower=True)), _LO)


def test_cho_factor_and_solve_derivatives():
    def f(a, b, lower):
        return wnp.sin(wsl.cho_solve(wsl.cho_factor(a, lower=lower), b))
    for lower, a in ((False, _UP), (True, _LO)):
        check(lambda a, b: f(a, b, lower), a, _B)
        # the solution's derivative is that of the SPD matrix the triangle stands for
        s = (np.triu(a) + np.triu(a, 1).T) if not lower else (np.tril(a) + np.tril(a, -1).T)
        np.testing.assert_allclose(wg.jacobian(lambda b: wsl.cho_solve(wsl.cho_factor(a, lower), b))(_BV),
                                   np.linalg.inv(s), rtol=1e-12)
    # the unread triangle of c (the caller's own entries) has no effect
    c, low = sl.cho_factor(_UP)
    g = wg.grad(lambda c: wnp.sum(wsl.cho_solve((c, low), _B)))(c)
    np.testing.assert_array_equal(np.tril(g, -1), 0.0)


@pytest.mark.parametrize("trans", [0, 1, 2])
def test_lu_solve_differentiates_through_the_solution(trans):
    a = rng.standard_normal((4, 4))  # pivoting happens
    b = rng.standard_normal((4, 2))
    assert (sl.lu_factor(a)[1] != np.arange(4)).any()

    def ours(a, b):
        return wsl.lu_solve(wsl.lu_factor(a), b, trans=trans)

    def dense(a, b):
        return wnp.linalg.solve(a.T if trans else a, b)

    for k in (0, 1):
        np.testing.assert_allclose(wg.jacobian(ours, argnums=k)(a, b),
                                   wg.jacobian(dense, argnums=k)(a, b), rtol=1e-9, atol=1e-12)
    check(lambda a, b: wnp.sin(ours(a, b)), a, b)


def test_lu_factor_derivative():
    a = rng.standard_normal((4, 4))
    check(lambda a: wnp.sin(wsl.lu_factor(a)[0]), a)
    check(lambda a: wsl.lu_factor(a)[0], _CA)
    # L U = P A, differentiated: the packed factor's tangent rebuilds dA
    lu, piv = sl.lu_factor(a)
    t = rng.standard_normal((4, 4))
    dlu = wg.jvp(lambda a: wsl.lu_factor(a)[0], (a,), (t,))[1]
    L, U = np.tril(lu, -1) + np.eye(4), np.triu(lu)
    dL, dU = np.tril(dlu, -1), np.triu(dlu)
    perm = np.arange(4)
    for i, p in enumerate(piv):
        perm[[i, p]] = perm[[p, i]]
    np.testing.assert_allclose(dL @ U + L @ dU, t[perm], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("assume_a, lower", [("gen", False), ("sym", False), ("sym", True),
                                             ("her", False), ("her", True), ("pos", False),
                                             ("pos", True), (None, False),
                                             ("diagonal", False), ("tridiagonal", False),
                                             ("banded", False),
                                             ("lower triangular", False),
                                             ("upper triangular", False)])
def test_solve_assume_a(assume_a, lower):
    a = noisy(SPD(), lower)
    b = _B
    want = sl.solve(a, b, assume_a=assume_a, lower=lower)
    f = lambda a, b: wsl.solve(a, b, assume_a=assume_a, lower=lower)  # noqa: E731
    np.testing.assert_allclose(f(a, b), want, rtol=1e-10)
    check(lambda a, b: wnp.sin(f(a, b)), a, b)
    if assume_a in ("sym", "her", "pos"):  # one triangle read: the other has no effect
        g = wg.grad(lambda a: wnp.sum(f(a, b)))(a)
        np.testing.assert_array_equal(np.triu(g, 1) if lower else np.tril(g, -1), 0.0)


def test_solve_her_complex_derivatives():
    a = HPD() + np.tril(C(3, 3), -1)
    check(lambda a, b: wsl.solve(a, b, assume_a="her"), a, _CB)
    check(lambda a, b: wsl.solve(a, b, assume_a="pos"), a, _CB)


def test_solve_transposed_and_batch():
    check(lambda a, b: wnp.sin(wsl.solve(a, b, transposed=True)), _A, _B)
    check(lambda a, b: wnp.sin(wsl.solve(a, b)), A(2), rng.standard_normal((2, 3, 2)))


def test_expm_closed_forms():
    a = rng.standard_normal((3, 3))
    # d/dt expm(t A) = A expm(t A) (forward and reverse)
    for t in (0.0, 0.3, 1.7):
        want = a @ sl.expm(t * a)
        np.testing.assert_allclose(wg.derivative(lambda t: wsl.expm(t * a))(t), want,
                                   rtol=1e-12)
        np.testing.assert_allclose(wg.jacrev(lambda t: wsl.expm(t * a))(t), want, rtol=1e-12)
        # d2/dt2 = A^2 expm(t A)
        np.testing.assert_allclose(wg.derivative(lambda t: wsl.expm(t * a), order=2)(t),
                                   a @ a @ sl.expm(t * a), rtol=1e-11)
    # the JVP is scipy's Frechet derivative
    e = rng.standard_normal((3, 3))
    np.testing.assert_allclose(wg.jvp(wsl.expm, (a,), (e,))[1], sl.expm_frechet(a, e)[1],
                               rtol=1e-12)
    # the VJP is its transpose: <G, L(A, E)> = <L(A^T, G), E>
    g = rng.standard_normal((3, 3))
    vjp = wg.vjp(wsl.expm, a)[1](g)[0]
    np.testing.assert_allclose(np.sum(vjp * e), np.sum(g * sl.expm_frechet(a, e)[1]),
                               rtol=1e-12)
    # a diagonal matrix: elementwise exp
    d = np.array([0.1, -0.4, 1.2])
    np.testing.assert_allclose(wg.jacobian(lambda d: wnp.diagonal(wsl.expm(wnp.diag(d))))(d),
                               np.diag(np.exp(d)), rtol=1e-13)


def test_expm_derivatives():
    check(lambda a: wsl.expm(a), rng.standard_normal((3, 3)))
    check(lambda a: wsl.expm(a), C(2, 2))
    check(lambda a: wsl.expm(a), 0.5 * rng.standard_normal((2, 2, 2)))


def test_sqrtm_closed_forms_and_derivatives():
    s = SPD()
    # X^2 = A differentiated: X dX + dX X = dA
    t = rng.standard_normal((3, 3))
    x, dx = wg.jvp(wsl.sqrtm, (s,), (t,))
    np.testing.assert_allclose(x @ dx + dx @ x, t, rtol=1e-10, atol=1e-12)
    d = np.array([0.5, 2.0, 4.0])
    np.testing.assert_allclose(
        wg.jacobian(lambda d: wnp.diagonal(wsl.sqrtm(wnp.diag(d))))(d),
        np.diag(0.5 / np.sqrt(d)), rtol=1e-12)
    check(wsl.sqrtm, s)
    check(wsl.sqrtm, A())
    check(wsl.sqrtm, HPD())
    check(wsl.sqrtm, SPD(2))


def test_sqrtm_complex_result_of_real_input():
    a = np.array([[-1.0, 0.5], [0.0, 4.0]])
    x = wsl.sqrtm(a)
    assert np.iscomplexobj(x)
    g = wg.grad(lambda a: wnp.real(wnp.sum(wsl.sqrtm(a) * np.array([[1.0, 2.0], [3.0, 4.0]]))))(a)
    assert np.isrealobj(g)
    check(wsl.sqrtm, a)  # a complex output of a real input, to order 2


def test_solve_sylvester_derivatives():
    a, b, q = A(), A(n=2), rng.standard_normal((3, 2))
    x = wsl.solve_sylvester(a, b, q)
    np.testing.assert_allclose(a @ x + x @ b, q, rtol=1e-12, atol=1e-12)
    check(lambda a, b, q: wnp.sin(wsl.solve_sylvester(a, b, q)), a, b, q)
    check(wsl.solve_sylvester, _CA, C(2, 2) + 2 * np.eye(2), C(3, 2))
    # real a and b with complex eigenvalues and a complex q: scipy 1.17's own answer
    # is wrong there (its real Schur forms meet the complex solver), wengert's is not
    a2 = np.array([[1.0, -2.0, 0.0], [2.0, 1.0, 0.5], [0.0, 0.3, 3.0]])
    b2 = np.array([[2.0, 1.0], [-1.0, 2.0]])
    qc = C(3, 2)
    xc = wsl.solve_sylvester(a2, b2, qc)
    np.testing.assert_allclose(a2 @ xc + xc @ b2, qc, rtol=1e-12, atol=1e-12)
    check(wsl.solve_sylvester, a2, b2, qc)
    # in q it is the inverse of the Kronecker form
    K = np.kron(a, np.eye(2)) + np.kron(np.eye(3), b.T)
    np.testing.assert_allclose(
        wg.jacobian(lambda q: wsl.solve_sylvester(a, b, q))(q).reshape(6, 6),
        np.linalg.inv(K), rtol=1e-11)


@pytest.mark.parametrize("lu", [(1, 2), (0, 0), (2, 0), (0, 1), (1, 1)])
def test_solve_banded_is_the_dense_solve(lu):
    lo, up = lu
    n = 5
    ab = rng.standard_normal((lo + up + 1, n))
    ab[up] += 5.0  # dominant diagonal
    dense = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if -up <= i - j <= lo:
                dense[i, j] = ab[up + i - j, j]
    b = rng.standard_normal((n, 2))
    np.testing.assert_allclose(wsl.solve_banded(lu, ab, b), np.linalg.solve(dense, b),
                               rtol=1e-12)
    # gradient in ab is the dense gradient read at the band's positions
    wdense = np.linalg.inv(dense).T @ np.ones((n, 2)) @ np.linalg.solve(dense, b).T
    g = wg.grad(lambda ab: wnp.sum(wsl.solve_banded(lu, ab, b)))(ab)
    for k in range(lo + up + 1):
        for j in range(n):
            i = k - up + j
            want = -wdense[i, j] if 0 <= i < n else 0.0
            assert g[k, j] == pytest.approx(want, rel=1e-10, abs=1e-12)
    check(lambda ab, b: wnp.sin(wsl.solve_banded(lu, ab, b)), ab, b)
    check(lambda ab, b: wnp.sin(wsl.solve_banded(lu, ab, b)), ab, b[:, 0])


def test_block_diag_derivatives():
    check(lambda a, b, c: wnp.sin(wsl.block_diag(a, b, c)), np.ones((2, 2)),
          rng.standard_normal(3), 0.5)
    g = wg.grad(lambda a, b: wnp.sum(wsl.block_diag(a, b) ** 2), argnums=(0, 1))(
        np.ones((2, 3)), np.full((1, 2), 2.0))
    np.testing.assert_array_equal(g[0], 2.0)
    np.testing.assert_array_equal(g[1], 4.0)
    assert wsl.block_diag().shape == (1, 0)


def test_inv_det_are_numpy_s_and_differentiate():
    a = A()
    check(lambda a: wnp.sin(wsl.inv(a)), a)
    check(wsl.det, a)
    check(lambda a: wnp.sin(wsl.inv(a, assume_a="pos")), _UP)
    check(lambda a: wnp.sin(wsl.inv(a, assume_a="upper triangular")), a)
    np.testing.assert_allclose(wg.grad(wsl.det)(a), np.linalg.det(a) * np.linalg.inv(a).T,
                               rtol=1e-12)


# ------------------------------------------------------------------ against autograd

def test_derivatives_match_autograd():
    ag = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    asl = pytest.importorskip("autograd.scipy.linalg")
    s, a, b, q = SPD(), A(), A(n=2), rng.standard_normal((3, 2))
    w = rng.standard_normal((3, 3))
    np.testing.assert_allclose(wg.grad(lambda s: wnp.sum(w * wsl.sqrtm(s)))(s),
                               ag.grad(lambda s: anp.sum(w * asl.sqrtm(s)))(s), rtol=1e-9)
    for k in (0, 1):
        np.testing.assert_allclose(
            wg.grad(lambda a, b: wnp.sum(wsl.solve_triangular(a, b, trans=1, lower=True) ** 2),
                    argnums=k)(a, _B),
            ag.grad(lambda a, b: anp.sum(asl.solve_triangular(a, b, trans=1, lower=True) ** 2),
                    k)(a, _B), rtol=1e-10)
    for k in (0, 1, 2):
        np.testing.assert_allclose(
            wg.grad(lambda a, b, q: wnp.sum(wsl.solve_sylvester(a, b, q) ** 2), argnums=k)(a, b, q),
            ag.grad(lambda a, b, q: anp.sum(asl.solve_sylvester(a, b, q) ** 2), k)(a, b, q),
            rtol=1e-10)
    ab, bb = _BAND, rng.standard_normal(5)
    for k in (0, 1):
        np.testing.assert_allclose(
            wg.grad(lambda ab, b: wnp.sum(wsl.solve_banded((1, 2), ab, b) ** 2), argnums=k)(ab, bb),
            ag.grad(lambda ab, b: anp.sum(asl.solve_banded((1, 2), ab, b) ** 2), k)(ab, bb),
            rtol=1e-10)


# ------------------------------------------------------------------ errors

def test_errors_are_scipy_s():
    with pytest.raises(np.linalg.LinAlgError):
        wsl.cholesky(-np.eye(2))
    with pytest.raises(np.linalg.LinAlgError):
        wg.grad(lambda a: wnp.sum(wsl.cholesky(a)))(-np.eye(2))
    with pytest.raises(ValueError, match="infs or NaNs"):
        wsl.solve_triangular(np.array([[np.nan, 0], [0, 1.0]]), np.ones(2))
    with pytest.raises(ValueError, match="infs or NaNs"):
        wg.grad(lambda a: wnp.sum(wsl.inv(a)))(np.array([[np.inf, 0], [0, 1.0]]))
    with pytest.raises(ValueError, match="trans"):
        wsl.solve_triangular(_A, _B, trans=3)
    with pytest.raises(ValueError, match="assume_a"):
        wsl.solve(_A, _B, assume_a="nonsense")
    with pytest.raises(ValueError, match="square"):
        wsl.expm(np.ones((2, 3)))
    with pytest.raises(ValueError, match="square"):
        wsl.sqrtm(np.ones((2, 3)))
    with pytest.raises(ValueError):
        wsl.solve_banded((1, 1), np.ones((2, 4)), np.ones(4))  # needs l + u + 1 rows


def test_plain_calls_stay_plain():
    from wengert.core.trace import Box
    for name, ours, _, args in VALUES:
        out = ours(*args)
        for leaf in wg.tree_leaves(out):
            assert not isinstance(leaf, Box), name


def test_without_scipy(monkeypatch):
    # scipy is an optional extra: the functions that need it say so
    for mod in [m for m in sys.modules if m == "scipy" or m.startswith("scipy.")]:
        monkeypatch.delitem(sys.modules, mod)
    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.setitem(sys.modules, "scipy.linalg", None)
    for call in (lambda: wsl.expm(np.eye(2)), lambda: wsl.sqrtm(np.eye(2)),
                 lambda: wsl.solve_triangular(np.eye(2), np.ones(2)),
                 lambda: wsl.lu_factor(np.eye(2)),
                 lambda: wsl.solve_sylvester(np.eye(2), np.eye(2), np.eye(2)),
                 lambda: wsl.solve_banded((0, 0), np.ones((1, 2)), np.ones(2)),
                 lambda: wg.grad(lambda a: wnp.sum(wsl.expm(a)))(np.eye(2))):
        with pytest.raises(ImportError, match=r"needs scipy.*pip install 'wengert\[scipy\]'"):
            call()
    # what numpy alone computes keeps working
    np.testing.assert_allclose(wsl.inv(2 * np.eye(2)), 0.5 * np.eye(2))
    assert wsl.det(2 * np.eye(2)) == pytest.approx(4.0)
    assert wsl.block_diag(1.0, 2.0).shape == (2, 2)
    np.testing.assert_allclose(wsl.cholesky(4 * np.eye(2)), 2 * np.eye(2))
