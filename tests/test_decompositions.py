"""wengert.numpy.linalg beyond the rule table (tests/rules/specs_decompositions.py):
values equal numpy's, derivatives equal their closed forms and HIPS autograd's,
numpy.linalg on traced values dispatches here, and bad input is a clear error."""

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
from wengert.core.trace import Box

la = wnp.linalg
rng = np.random.default_rng(7)


def A(*batch, n=3):
    return rng.standard_normal(batch + (n, n)) + n * np.eye(n)


def SPD(*batch, n=3):
    b = rng.standard_normal(batch + (n, n))
    return b @ np.swapaxes(b, -1, -2) + n * np.eye(n)


def sym(x):
    return 0.5 * (x + x.mT)


def folded(x):
    """A symmetric gradient as numpy's UPLO='L' readers take it: each off-diagonal
    pair summed into the lower triangle, 2 tril(x, -1) + diag(x)."""
    return 2 * np.tril(x, -1) + x * np.eye(x.shape[-1])


def traced_value(f, *args):
    """f's value computed on traced arguments (inside a VJP)."""
    return wg.vjp(f, *args)[0]


# ------------------------------------------------------------------ values

_PLAIN = [
    ("inv", lambda a: la.inv(a), lambda a: np.linalg.inv(a), A(2)),
    ("solve-vec", lambda a: la.solve(a, np.arange(3.0)),
     lambda a: np.linalg.solve(a, np.arange(3.0)), A(2)),
    ("solve-mat", lambda a: la.solve(a, np.ones((2, 3, 2))),
     lambda a: np.linalg.solve(a, np.ones((2, 3, 2))), A()),
    ("det", la.det, np.linalg.det, A(2)),
    ("slogdet", lambda a: la.slogdet(a)[1], lambda a: np.linalg.slogdet(a)[1], -A(2)),
    ("cholesky", la.cholesky, np.linalg.cholesky, SPD(2)),
    ("cholesky-upper", lambda a: la.cholesky(a, upper=True),
     lambda a: np.linalg.cholesky(a, upper=True), SPD()),
    ("eigh-w", lambda a: la.eigh(a)[0], lambda a: np.linalg.eigh(a)[0], SPD(2)),
    ("eigh-v", lambda a: la.eigh(a)[1], lambda a: np.linalg.eigh(a)[1], SPD(2)),
    ("eigh-U", lambda a: la.eigh(a, "U")[1], lambda a: np.linalg.eigh(a, "U")[1],
     rng.standard_normal((3, 3))),
    ("eigvalsh", la.eigvalsh, np.linalg.eigvalsh, SPD(2)),
    ("svd-U", lambda a: la.svd(a, full_matrices=False)[0],
     lambda a: np.linalg.svd(a, full_matrices=False)[0], rng.standard_normal((2, 4, 3))),
    ("svd-S", lambda a: la.svd(a, full_matrices=False)[1],
     lambda a: np.linalg.svd(a, full_matrices=False)[1], rng.standard_normal((3, 5))),
    ("svd-Vh", lambda a: la.svd(a, full_matrices=False)[2],
     lambda a: np.linalg.svd(a, full_matrices=False)[2], rng.standard_normal((3, 5))),
    ("svdvals", la.svdvals, np.linalg.svdvals, rng.standard_normal((2, 3, 4))),
    ("qr-Q", lambda a: la.qr(a)[0], lambda a: np.linalg.qr(a)[0],
     rng.standard_normal((2, 4, 3))),
    ("qr-R", lambda a: la.qr(a)[1], lambda a: np.linalg.qr(a)[1],
     rng.standard_normal((2, 4, 3))),
    ("matrix_power", lambda a: la.matrix_power(a, 5), lambda a: np.linalg.matrix_power(a, 5),
     A(2)),
    ("matrix_power-neg", lambda a: la.matrix_power(a, -3),
     lambda a: np.linalg.matrix_power(a, -3), A()),
    ("matrix_power-0", lambda a: la.matrix_power(a, 0),
     lambda a: np.linalg.matrix_power(a, 0), A(2)),
    ("pinv", la.pinv, np.linalg.pinv, rng.standard_normal((2, 4, 3))),
    ("pinv-rank-deficient", la.pinv, np.linalg.pinv, np.outer([1.0, 2.0, 3.0], [1.0, -1.0])),
    ("pinv-rtol", lambda a: la.pinv(a, rtol=0.5), lambda a: np.linalg.pinv(a, rtol=0.5),
     np.diag([4.0, 1.0, 3.0])),
    ("pinv-hermitian", lambda a: la.pinv(a, hermitian=True),
     lambda a: np.linalg.pinv(a, hermitian=True), sym(rng.standard_normal((3, 3)))),
]

_NORMS = [
    (None, None, False), (2, None, False), (1, None, False), (np.inf, None, False),
    (-np.inf, None, False), (0, None, False), (3, None, False), (0.5, None, False),
    (None, 0, True), (2, -1, False), (1, 1, True),
]
_MATRIX_NORMS = ["fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf, None]


@pytest.mark.parametrize("name, ours, theirs, x", _PLAIN, ids=[p[0] for p in _PLAIN])
def test_values_equal_numpy(name, ours, theirs, x):
    want = theirs(x)
    plain = ours(x)
    assert isinstance(plain, np.ndarray | np.generic)
    np.testing.assert_allclose(plain, want, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(traced_value(ours, x), want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("ord, axis, keepdims", _NORMS)
def test_vector_norms_equal_numpy(ord, axis, keepdims):
    x = rng.standard_normal((3, 4)) if axis is not None else rng.standard_normal(5)
    want = np.linalg.norm(x, ord, axis, keepdims)
    np.testing.assert_allclose(la.norm(x, ord, axis, keepdims), want, rtol=1e-13)
    got = traced_value(lambda x: la.norm(x, ord, axis, keepdims), x)
    assert np.shape(got) == np.shape(want)
    np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("ord", _MATRIX_NORMS, ids=str)
@pytest.mark.parametrize("axis, keepdims", [(None, False), ((2, 0), True), ((0, 1), False)])
def test_matrix_norms_equal_numpy(ord, axis, keepdims):
    x = rng.standard_normal((3, 4) if axis is None else (3, 2, 4))
    want = np.linalg.norm(x, ord, axis, keepdims)
    got = traced_value(lambda x: la.norm(x, ord, axis, keepdims), x)
    assert np.shape(got) == np.shape(want)
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_plain_calls_return_numpys_results():
    a = SPD()
    assert type(la.eigh(a)) is type(np.linalg.eigh(a))
    assert type(la.svd(a)) is type(np.linalg.svd(a))
    assert type(la.slogdet(a)) is type(np.linalg.slogdet(a))
    np.testing.assert_allclose(la.svd(rng.standard_normal((3, 5)))[2].shape, (5, 5))


def test_traced_results_have_numpys_fields():
    def f(a):
        e, s, q = la.eigh(a), la.slogdet(a), la.qr(a)
        u = la.svd(a, full_matrices=False)
        return (wnp.sum(e.eigenvalues) + wnp.sum(e.eigenvectors ** 2) + s.logabsdet * s.sign
                + wnp.sum(u.S) + wnp.sum(u.U ** 2) + wnp.sum(u.Vh ** 2) + wnp.sum(q.R ** 2))
    a = SPD()
    e, s, u = np.linalg.eigh(a), np.linalg.slogdet(a), np.linalg.svd(a)
    want = (e[0].sum() + 3 + s[1] + u[1].sum() + 3 + 3 + (np.linalg.qr(a)[1] ** 2).sum())
    np.testing.assert_allclose(traced_value(f, a), want, rtol=1e-12)


def test_slogdet_sign_is_plain():
    def f(a):
        sign, logdet = la.slogdet(a)
        assert not isinstance(sign, Box) and isinstance(logdet, Box)
        return sign * logdet
    a = -A()
    np.testing.assert_allclose(wg.grad(f)(a), np.linalg.slogdet(a)[0] * np.linalg.inv(a).T)


# ------------------------------------------------------------------ closed forms

def test_grad_det_is_det_times_inverse_transpose():
    for a in (A(), A(2)):
        got = wg.grad(lambda a: wnp.sum(la.det(a)))(a)
        want = np.linalg.det(a)[..., None, None] * np.swapaxes(np.linalg.inv(a), -1, -2)
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_grad_logdet_of_spd_is_its_inverse():
    a = SPD()
    np.testing.assert_allclose(wg.grad(lambda a: la.slogdet(a)[1])(a), np.linalg.inv(a),
                               rtol=1e-12)
    # through cholesky: log det A = 2 sum log diag(L), which reads the lower triangle
    logdet = lambda a: 2 * wnp.sum(wnp.log(wnp.diagonal(la.cholesky(a))))
    np.testing.assert_allclose(wg.grad(logdet)(a), folded(np.linalg.inv(a)), rtol=1e-10)
    # and through the eigenvalues
    np.testing.assert_allclose(wg.grad(lambda a: wnp.sum(wnp.log(la.eigh(a)[0])))(a),
                               folded(np.linalg.inv(a)), rtol=1e-10)


def test_hessian_of_logdet():
    # d^2 log det A [dA, dB] = -tr(A^-1 dA A^-1 dB)
    a = A()
    ai = np.linalg.inv(a)
    h = wg.hessian(lambda a: la.slogdet(a)[1])(a)
    want = -np.einsum("jk,li->ijkl", ai, ai)  # d/dA_kl of (A^-1)_ji
    np.testing.assert_allclose(h, want, rtol=1e-10, atol=1e-12)


def test_inverse_and_solve_closed_forms():
    a, b = A(), rng.standard_normal(3)
    ai = np.linalg.inv(a)
    np.testing.assert_allclose(wg.grad(lambda a: wnp.trace(la.inv(a)))(a), -(ai @ ai).T,
                               rtol=1e-12)
    x = np.linalg.solve(a, b)
    ga, gb = wg.grad(lambda a, b: wnp.sum(la.solve(a, b)), argnums=(0, 1))(a, b)
    b_bar = np.linalg.solve(a.T, np.ones(3))
    np.testing.assert_allclose(gb, b_bar, rtol=1e-12)
    np.testing.assert_allclose(ga, -np.outer(b_bar, x), rtol=1e-12)


def test_spectral_closed_forms():
    x = rng.standard_normal((3, 4))
    u, _, vh = np.linalg.svd(x, full_matrices=False)
    np.testing.assert_allclose(wg.grad(lambda x: la.norm(x, "nuc"))(x), u @ vh, rtol=1e-10)
    np.testing.assert_allclose(wg.grad(lambda x: la.norm(x, 2))(x),
                               np.outer(u[:, 0], vh[0]), rtol=1e-10)
    np.testing.assert_allclose(wg.grad(lambda x: la.norm(x))(x), x / np.linalg.norm(x),
                               rtol=1e-12)
    a = SPD()
    v = np.linalg.eigh(a)[1]
    np.testing.assert_allclose(wg.grad(lambda a: la.eigh(a)[0][-1])(a),
                               folded(np.outer(v[:, -1], v[:, -1])), rtol=1e-10, atol=1e-12)


def test_repeated_values():
    # eigvalsh and svdvals differentiate where values repeat; eigh's vectors do not
    eye = np.eye(3)
    np.testing.assert_allclose(wg.grad(lambda a: wnp.sum(la.eigvalsh(a)))(eye), eye)
    q = np.linalg.qr(rng.standard_normal((3, 3)))[0]
    np.testing.assert_allclose(wg.grad(lambda a: wnp.sum(la.svdvals(a)))(q), q,
                               atol=1e-12)
    with np.errstate(all="ignore"):
        g = wg.grad(lambda a: wnp.sum((la.eigh(a)[1] + 1.0) ** 4))(eye)
    assert not np.all(np.isfinite(g))


def test_forward_and_reverse_agree_on_a_composition():
    def f(x):
        spd = x @ x.mT + 3 * wnp.eye(3)
        w, v = la.eigh(spd)
        u, s, _ = la.svd(x[..., :2], full_matrices=False)
        return (la.slogdet(spd)[1] + wnp.sum(la.cholesky(spd) ** 2) + wnp.sum(w * v ** 2)
                + wnp.sum(la.solve(spd, x)) + la.norm(la.pinv(x)) + wnp.sum(s * u ** 2)
                + wnp.sum(la.qr(x)[1] ** 2) + la.det(la.inv(spd)))
    x = rng.standard_normal((3, 3))
    np.testing.assert_allclose(wg.jacfwd(f)(x), wg.grad(f)(x), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(wg.jacfwd(wg.grad(f))(x), wg.jacrev(wg.grad(f))(x),
                               rtol=1e-8, atol=1e-10)


def test_float32_stays_float32():
    a = A().astype(np.float32)
    for f in (lambda a: wnp.sum(la.inv(a)), la.det, lambda a: la.slogdet(a)[1]):
        assert wg.grad(f)(a).dtype == np.float32


# ------------------------------------------------------------------ numpy dispatch

def test_numpy_linalg_dispatches_to_wengert(monkeypatch):
    called = []
    original = la.inv

    def spy(a):
        called.append(type(a))
        return original(a)

    monkeypatch.setattr(la, "inv", spy)
    a = A()
    got = wg.grad(lambda a: np.sum(np.linalg.inv(a)))(a)
    assert called and issubclass(called[0], Box)
    ai = np.linalg.inv(a)
    np.testing.assert_allclose(got, -ai.T @ np.ones((3, 3)) @ ai.T, rtol=1e-12)


# numpy's eigh and cholesky read one triangle while the rules treat the input as
# symmetric, so those functions symmetrize first (as the spec table does)
@pytest.mark.parametrize("f", [
    lambda a: np.linalg.det(a),
    lambda a: np.linalg.slogdet(a)[1],
    lambda a: np.sum(np.linalg.eigh((a + a.T) / 2)[0] ** 3),
    lambda a: np.linalg.norm(a, "nuc"),
    lambda a: np.sum(np.linalg.solve(a, np.ones(3))),
    lambda a: np.sum(np.linalg.cholesky((a + a.T) / 2)),
    lambda a: np.sum(np.linalg.pinv(a)),
], ids=["det", "slogdet", "eigh", "norm", "solve", "cholesky", "pinv"])
def test_numpy_code_is_differentiable(f):
    wg.check_grads(f, modes=("fwd", "rev"), order=1)(SPD())


# ------------------------------------------------------------------ peers

_PEER = [
    ("inv", lambda m, a: m.sum(m.sin(m.linalg.inv(a))), A()),
    ("solve", lambda m, a: m.sum(m.sin(m.linalg.solve(a, m.ones((3, 2)) + a[:, :2]))), A()),
    ("det", lambda m, a: m.linalg.det(a) ** 2, A()),
    ("slogdet", lambda m, a: m.linalg.slogdet(a)[1], A()),
    ("cholesky", lambda m, b: m.sum(m.sin(m.linalg.cholesky(m.dot(b, b.T) + 3 * m.eye(3)))),
     rng.standard_normal((3, 3))),
    ("eigh", lambda m, x: m.sum(m.linalg.eigh(x + x.T)[0] * m.linalg.eigh(x + x.T)[1][0] ** 2),
     rng.standard_normal((3, 3))),
    ("svd", lambda m, x: m.sum(m.linalg.svd(x, full_matrices=False)[0] ** 4)
     + m.sum(m.linalg.svd(x, full_matrices=False)[1] ** 3), rng.standard_normal((4, 3))),
    ("norm-fro", lambda m, x: m.linalg.norm(x, "fro"), rng.standard_normal((3, 3))),
    ("norm-axis", lambda m, x: m.sum(m.linalg.norm(x, axis=0) ** 3), rng.standard_normal((3, 2))),
    ("pinv", lambda m, x: m.sum(m.sin(m.linalg.pinv(x))), rng.standard_normal((4, 3))),
]


@pytest.mark.parametrize("name, f, x", _PEER, ids=[p[0] for p in _PEER])
def test_gradients_match_autograd(name, f, x):
    autograd = pytest.importorskip("autograd")
    import autograd.numpy as anp
    want = autograd.grad(lambda x: f(anp, x))(x)
    np.testing.assert_allclose(wg.grad(lambda x: f(wnp, x))(x), want, rtol=1e-9, atol=1e-12)


# ------------------------------------------------------------------ errors

@pytest.mark.parametrize("call, kind, words", [
    (lambda: la.inv(np.ones((2, 3))), np.linalg.LinAlgError, ["inv", "(2, 3)"]),
    (lambda: la.det(np.ones(3)), np.linalg.LinAlgError, ["det", "(3,)"]),
    (lambda: la.inv(np.ones((2, 2))), np.linalg.LinAlgError, ["inv", "Singular"]),
    (lambda: la.solve(np.eye(3), np.ones(2)), ValueError, ["solve", "(2,)", "(3, 3)"]),
    (lambda: la.cholesky(-np.eye(2)), np.linalg.LinAlgError, ["cholesky"]),
    (lambda: wg.grad(lambda x: la.norm(x, 1))(np.ones((2, 2, 2))), ValueError,
     ["norm", "(2, 2, 2)"]),
    (lambda: la.matrix_power(np.eye(2), 1.5), TypeError, ["matrix_power", "integer"]),
    (lambda: la.eigh(np.eye(2), "X"), ValueError, ["eigh", "UPLO"]),
])
def test_errors_name_function_and_shape(call, kind, words):
    with pytest.raises(kind) as info:
        call()
    for w in words:
        assert w in str(info.value)


@pytest.mark.parametrize("f, x, words", [
    (lambda a: la.svd(a)[1], rng.standard_normal((3, 2)), ["svd", "full_matrices=False"]),
    (lambda a: la.qr(a)[1], rng.standard_normal((2, 3)), ["qr", "(2, 3)"]),
    (lambda a: la.qr(a, mode="complete")[1], rng.standard_normal((3, 2)), ["qr", "complete"]),
])
def test_unsupported_derivatives_say_so(f, x, words):
    with pytest.raises(NotImplementedError) as info:
        wg.grad(lambda a: wnp.sum(wnp.real(f(a))))(x)
    for w in words:
        assert w in str(info.value)


def test_complex_inverse_follows_autograds_convention():
    autograd = pytest.importorskip("autograd")
    import autograd.numpy as anp
    a = A() + 1j * rng.standard_normal((3, 3))
    want = autograd.grad(lambda a: anp.real(anp.sum(anp.linalg.inv(a))))(a)
    got = wg.grad(lambda a: wnp.real(wnp.sum(la.inv(a))))(a)
    np.testing.assert_allclose(got, want, rtol=1e-10)


# ------------------------------------------------------------------ repeated values

def _eigenvalue_functions():
    return [
        ("eigh-w2", lambda a: wnp.sum(la.eigh(a)[0] ** 2)),
        ("eigh-U-w2", lambda a: wnp.sum(la.eigh(a, UPLO="U").eigenvalues ** 2)),
        ("eigvalsh-w2", lambda a: wnp.sum(la.eigvalsh(a) ** 2)),
    ]


@pytest.mark.parametrize("name, f", _eigenvalue_functions(),
                         ids=[p[0] for p in _eigenvalue_functions()])
def test_eigenvalue_gradient_at_repeated_eigenvalues(name, f):
    # sum(w^2) = |S|_F^2: at the identity its gradient is 2I, with no eigenvector
    # derivative involved (and so no division by a zero gap)
    for a in (np.eye(3), np.broadcast_to(np.eye(3), (2, 3, 3)), np.diag([2.0, 2.0, 5.0])):
        got = wg.grad(f)(a)
        np.testing.assert_allclose(got, 2 * a, atol=1e-12)
        # forward mode: the eigenvalue tangent, d|S|^2 = 2 <S, dS>, with dS read from
        # one triangle
        t = rng.standard_normal(a.shape)
        _, dt = wg.jvp(f, (a,), (t,))
        np.testing.assert_allclose(dt, np.sum(got * t), rtol=1e-12)


def test_eigenvalue_gradient_at_repeated_eigenvalues_matches_autograd():
    autograd = pytest.importorskip("autograd")
    import autograd.numpy as anp
    a = np.eye(3)
    want = autograd.grad(lambda a: anp.sum(anp.linalg.eigh(a)[0] ** 2))(a)
    np.testing.assert_allclose(wg.grad(lambda a: wnp.sum(la.eigh(a)[0] ** 2))(a), want,
                               atol=1e-12)


def test_eigenvector_gradient_at_repeated_eigenvalues_stays_undefined():
    # where the gap is 0 and the eigenvectors' cotangent reaches it (M_ij nonzero),
    # no derivative: inf or nan, not a made-up 0
    with np.errstate(all="ignore"):
        g = wg.grad(lambda a: wnp.sum(wnp.sin(la.eigh(a)[1])))(np.eye(3))
        assert not np.all(np.isfinite(g))
        _, t = wg.jvp(lambda a: la.eigh(a)[1], (np.eye(3),), (rng.standard_normal((3, 3)),))
        assert not np.all(np.isfinite(t))
    # an eigenvector cotangent that only touches the diagonal of V^T V_bar adds 0
    g = wg.grad(lambda a: wnp.sum(la.eigh(a)[1] ** 4))(np.eye(3))
    np.testing.assert_array_equal(g, np.zeros((3, 3)))


def test_eigenvalue_rules_still_differentiate_twice():
    # the gap guard is a where, traced; second derivatives at distinct eigenvalues
    a = SPD()
    f = lambda a: wnp.sum(la.eigh(a)[0] ** 3) + wnp.sum(la.eigh(a)[1] ** 4)
    wg.check_grads(f, modes=("fwd", "rev"), order=2)(a)


_SVD_VALUES = [
    ("svd-s", lambda a: wnp.sum(la.svd(a, full_matrices=False)[1] ** 2)),
    ("svd-S", lambda a: wnp.sum(la.svd(a, full_matrices=False).S ** 2)),
    ("svdvals", lambda a: wnp.sum(la.svdvals(a) ** 2)),
]
_REPEATED_SV = [
    ("eye", np.eye(3)),
    ("tall", np.eye(4, 3)),
    ("wide", 2 * np.eye(2, 4)),
    ("zero-tall", np.zeros((3, 2))),
    ("batch", np.broadcast_to(np.eye(3), (2, 3, 3))),
]


@pytest.mark.parametrize("name, f", _SVD_VALUES, ids=[p[0] for p in _SVD_VALUES])
@pytest.mark.parametrize("label, a", _REPEATED_SV, ids=[p[0] for p in _REPEATED_SV])
def test_singular_value_gradient_at_repeated_values(name, f, label, a):
    # sum(s^2) = |A|_F^2, gradient 2A, also where singular values repeat or vanish
    got = wg.grad(f)(a)
    np.testing.assert_allclose(got, 2 * a, atol=1e-12)
    t = rng.standard_normal(a.shape)
    _, dt = wg.jvp(f, (a,), (t,))
    np.testing.assert_allclose(dt, np.sum(2 * a * t), atol=1e-12)


def test_nuclear_norm_of_orthogonal_matrix_through_svd():
    q = np.linalg.qr(rng.standard_normal((3, 3)))[0]
    got = wg.grad(lambda a: wnp.sum(la.svd(a, full_matrices=False)[1]))(q)
    np.testing.assert_allclose(got, q, atol=1e-12)


# ------------------------------------------------------------------ one triangle read

def _upper_noise(s):
    """s with its strict upper triangle changed: numpy's UPLO='L' reads s again."""
    return s + np.triu(rng.standard_normal(s.shape), 1) * 2.0


def _lower_noise(s):
    return s + np.tril(rng.standard_normal(s.shape), -1) * 2.0


def test_triangle_helpers_feed_numpy_the_same_matrix():
    s = SPD()
    np.testing.assert_allclose(np.linalg.eigvalsh(_upper_noise(s)), np.linalg.eigvalsh(s))
    np.testing.assert_allclose(np.linalg.eigvalsh(_lower_noise(s), "U"), np.linalg.eigvalsh(s))
    np.testing.assert_allclose(np.linalg.cholesky(_upper_noise(s)), np.linalg.cholesky(s))
    np.testing.assert_allclose(np.linalg.cholesky(_lower_noise(s), upper=True),
                               np.linalg.cholesky(s, upper=True))


def _rebuilt(w, v):
    return v @ (w[..., None] * v.mT)


_ONE_TRIANGLE = [
    ("eigh-w", lambda a: la.eigh(a)[0], _upper_noise),
    ("eigh-v2", lambda a: la.eigh(a)[1] ** 2, _upper_noise),
    ("eigh-rebuilt", lambda a: _rebuilt(*la.eigh(a)), _upper_noise),
    ("eigh-U-w", lambda a: la.eigh(a, UPLO="U")[0], _lower_noise),
    ("eigh-U-v2", lambda a: la.eigh(a, "U")[1] ** 2, _lower_noise),
    ("eigvalsh", lambda a: la.eigvalsh(a), _upper_noise),
    ("eigvalsh-U", lambda a: la.eigvalsh(a, UPLO="U"), _lower_noise),
    ("cholesky", lambda a: la.cholesky(a), _upper_noise),
    ("cholesky-upper", lambda a: la.cholesky(a, upper=True), _lower_noise),
]


@pytest.mark.parametrize("name, f, noise", _ONE_TRIANGLE, ids=[p[0] for p in _ONE_TRIANGLE])
@pytest.mark.parametrize("batch", [(), (2,)], ids=["mat", "batch"])
def test_derivative_is_numpys_on_a_nonsymmetric_input(name, f, noise, batch):
    a = noise(SPD(*batch))
    np.testing.assert_allclose(traced_value(f, a), f(a), rtol=1e-10, atol=1e-12)
    wg.check_grads(lambda a: wnp.sin(f(a)), modes=("fwd", "rev"), order=2)(a)


@pytest.mark.parametrize("name, f, noise", _ONE_TRIANGLE, ids=[p[0] for p in _ONE_TRIANGLE])
def test_unread_triangle_has_zero_gradient(name, f, noise):
    a = noise(SPD())
    unread = np.triu(np.ones((3, 3)), 1) if noise is _upper_noise else np.tril(np.ones((3, 3)), -1)
    g = wg.grad(lambda a: wnp.sum(wnp.sin(f(a))))(a)
    np.testing.assert_array_equal(g * unread, 0.0)
    t = rng.standard_normal((3, 3)) * unread
    _, dt = wg.jvp(lambda a: wnp.sum(wnp.sin(f(a))), (a,), (t,))
    assert dt == 0.0


def test_one_triangle_closed_forms():
    # numpy's eigvalsh(A) sees S = tril(A) + tril(A, -1)^T, and sum(w^2) = |S|_F^2 =
    # sum_i A_ii^2 + 2 sum_{i>j} A_ij^2: gradient 2 diag(A) + 4 tril(A, -1)
    a = rng.standard_normal((3, 3))
    d = np.diag(np.diag(a))
    for f in (lambda a: wnp.sum(la.eigvalsh(a) ** 2), lambda a: wnp.sum(la.eigh(a)[0] ** 2)):
        np.testing.assert_allclose(wg.grad(f)(a), 2 * d + 4 * np.tril(a, -1), rtol=1e-10,
                                   atol=1e-12)
    f = lambda a: wnp.sum(la.eigvalsh(a, "U") ** 2)
    np.testing.assert_allclose(wg.grad(f)(a), 2 * d + 4 * np.triu(a, 1), rtol=1e-10,
                               atol=1e-12)
    # tr(S) = tr(A): gradient I whichever triangle is read
    for uplo in ("L", "U"):
        np.testing.assert_allclose(wg.grad(lambda a: wnp.sum(la.eigvalsh(a, uplo)))(a),
                                   np.eye(3), atol=1e-12)
    # the largest eigenvalue: d w = v^T dS v, so the gradient is v v^T on the diagonal
    # and 2 v_i v_j below it
    s = _upper_noise(SPD())
    v = np.linalg.eigh(s)[1][:, -1]
    vv = np.outer(v, v)
    np.testing.assert_allclose(wg.grad(lambda a: la.eigh(a)[0][-1])(s),
                               2 * np.tril(vv, -1) + np.diag(np.diag(vv)), rtol=1e-10,
                               atol=1e-12)
    # log det S = 2 sum log diag(L): gradient S^-1 read into the lower triangle
    si = np.linalg.inv(np.tril(s) + np.tril(s, -1).T)
    logdet = lambda a: 2 * wnp.sum(wnp.log(wnp.diagonal(la.cholesky(a))))
    np.testing.assert_allclose(wg.grad(logdet)(s), 2 * np.tril(si, -1) + np.diag(np.diag(si)),
                               rtol=1e-10)


def test_one_triangle_matches_autograd():
    autograd = pytest.importorskip("autograd")
    import autograd.numpy as anp
    a = _upper_noise(SPD())
    for uplo in ("L", "U"):
        f = lambda m, a: m.sum(m.linalg.eigh(a, uplo)[0] ** 3)
        np.testing.assert_allclose(wg.grad(lambda a: f(wnp, a))(a),
                                   autograd.grad(lambda a: f(anp, a))(a), rtol=1e-10)


def test_numpy_eigh_of_a_nonsymmetric_array_is_differentiable():
    f = lambda a: np.sum(np.linalg.eigh(a)[0] ** 3) + np.sum(np.linalg.eigvalsh(a, "U"))
    wg.check_grads(f, modes=("fwd", "rev"), order=2)(_upper_noise(SPD()))
    g = lambda a: np.sum(np.sin(np.linalg.cholesky(a)))
    wg.check_grads(g, modes=("fwd", "rev"), order=2)(_upper_noise(SPD()))


# ------------------------------------------------------------------ complex inputs

def C(*shape):
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


def HPD(*batch, n=3):
    """A Hermitian positive definite matrix (or a stack): B B^H + n I."""
    b = C(*batch, n, n)
    return b @ np.conj(np.swapaxes(b, -1, -2)) + n * np.eye(n)


def _complex_noise(h, uplo="L"):
    """h with noise numpy does not read: across the triangle, and in the diagonal's
    imaginary part."""
    mask = np.triu(np.ones(h.shape[-2:]), 1) if uplo == "L" else np.tril(np.ones(h.shape[-2:]), -1)
    return h + 2.0 * C(*h.shape) * mask + 1j * np.eye(h.shape[-1]) * rng.standard_normal(h.shape[:-1])[..., None]


def _abs2(z):
    return wnp.real(z * wnp.conj(z))


_COMPLEX = [
    ("slogdet-logabsdet", lambda a: la.slogdet(a)[1], A() + 1j * C(3, 3)),
    ("slogdet-sign", lambda a: la.slogdet(a).sign, A(2) + 1j * C(2, 3, 3)),
    ("inv", la.inv, A() + 1j * C(3, 3)),
    ("solve", lambda a: la.solve(a, np.arange(3.0) + 1j), A() + 1j * C(3, 3)),
    ("det", la.det, A(2) + 1j * C(2, 3, 3)),
    ("cholesky", la.cholesky, _complex_noise(HPD())),
    ("cholesky-batch", la.cholesky, _complex_noise(HPD(2))),
    ("cholesky-upper", lambda a: la.cholesky(a, upper=True), _complex_noise(HPD(), "U")),
    ("eigh-w", lambda a: la.eigh(a)[0], _complex_noise(HPD())),
    ("eigh-v", lambda a: _abs2(la.eigh(a)[1]), _complex_noise(HPD(2))),
    ("eigh-U", lambda a: _abs2(la.eigh(a, "U")[1]) * la.eigh(a, "U")[0],
     _complex_noise(HPD(), "U")),
    ("eigh-rebuilt", lambda a: (lambda w, v: v @ (w[..., None] * wnp.conj(v.mT)))(*la.eigh(a)),
     _complex_noise(HPD())),
    ("eigvalsh", la.eigvalsh, _complex_noise(HPD(2))),
    ("eigvalsh-U", lambda a: la.eigvalsh(a, "U"), _complex_noise(HPD(), "U")),
    ("svd-s", lambda a: la.svd(a, full_matrices=False)[1], C(3, 3)),
    ("svd-U", lambda a: _abs2(la.svd(a, full_matrices=False)[0]), C(4, 3)),
    ("svd-Vh", lambda a: _abs2(la.svd(a, full_matrices=False)[2]), C(2, 3, 4)),
    ("svd-rebuilt", lambda a: (lambda u, s, vh: (u * s[..., None, :]) @ vh)(
        *la.svd(a, full_matrices=False)), C(2, 3, 4)),
    ("svd-phase-free", lambda a: (lambda u, s, vh: u[..., :, :1] * vh[..., :1, :])(
        *la.svd(a, full_matrices=False)), C(4, 3)),
    ("svdvals", la.svdvals, C(2, 4, 3)),
    ("qr-Q", lambda a: la.qr(a)[0], C(4, 3)),
    ("qr-R", lambda a: la.qr(a).R, C(2, 3, 3)),
    ("pinv", la.pinv, C(4, 3)),
    ("pinv-hermitian", lambda a: la.pinv(a, hermitian=True), _complex_noise(HPD())),
    ("norm-nuc", lambda a: la.norm(a, "nuc"), C(3, 2)),
]


@pytest.mark.parametrize("name, f, x", _COMPLEX, ids=[p[0] for p in _COMPLEX])
def test_complex_derivatives(name, f, x):
    want = f(x)
    got = traced_value(f, x)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    assert np.iscomplexobj(got) == np.iscomplexobj(want)
    wg.check_grads(lambda a: wnp.sin(f(a)), modes=("fwd", "rev"), order=2)(x)


def test_complex_values_only_at_repeated_values():
    eye = np.eye(3, dtype=complex)
    np.testing.assert_allclose(wg.grad(lambda a: wnp.sum(la.eigh(a)[0] ** 2))(eye), 2 * eye,
                               atol=1e-12)
    for a in (eye, np.eye(4, 3, dtype=complex), np.eye(2, 3, dtype=complex)):
        f = lambda a: wnp.sum(la.svd(a, full_matrices=False)[1] ** 2)
        # |A|_F^2: under the pairing sum(re(u t)) its gradient is 2 conj(A)
        np.testing.assert_allclose(wg.grad(f)(a), 2 * np.conj(a), atol=1e-12)


_COMPLEX_PEERS = [
    ("eigh", lambda m, a: m.sum(m.abs(m.linalg.eigh(a)[1]) ** 2 * m.linalg.eigh(a)[0][None, :]),
     _complex_noise(HPD())),
    ("eigh-U", lambda m, a: m.sum(m.linalg.eigh(a, "U")[0] ** 3), _complex_noise(HPD(), "U")),
    ("svd", lambda m, a: m.sum(m.abs(m.linalg.svd(a, full_matrices=False)[0]) ** 2
                               * m.linalg.svd(a, full_matrices=False)[1]), C(4, 3)),
    ("svd-wide", lambda m, a: m.sum(m.abs(m.linalg.svd(a, full_matrices=False)[2]) ** 3),
     C(2, 4)),
    ("slogdet", lambda m, a: m.linalg.slogdet(a)[1], A() + 1j * C(3, 3)),
]


@pytest.mark.parametrize("name, f, x", _COMPLEX_PEERS, ids=[p[0] for p in _COMPLEX_PEERS])
def test_complex_gradients_match_autograd(name, f, x):
    autograd = pytest.importorskip("autograd")
    import autograd.numpy as anp
    want = autograd.grad(lambda x: f(anp, x))(x)
    np.testing.assert_allclose(wg.grad(lambda x: f(wnp, x))(x), want, rtol=1e-9, atol=1e-12)
