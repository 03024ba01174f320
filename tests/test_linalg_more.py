"""Linear algebra beyond the rule tables: a real input's derivative stays real when
it meets a complex one in a product, at first and second order (issue 8, point 4),
and the rest of numpy.linalg (issue 8, point 3): eig, eigvals, lstsq, multi_dot,
matrix_rank, cond and numpy 2's array-API names, against numpy's values, central
differences, closed forms and HIPS autograd."""

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp

la = wnp.linalg
rng = np.random.default_rng(2024)


def R(*shape):
    v = rng.standard_normal(shape)
    return float(v) if shape == () else v


def C(*shape):
    v = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    return complex(v) if shape == () else v


def _abs2(z):
    return wnp.real(z * wnp.conj(z))


# ------------------------------------------- point 4: real inputs meet complex ones

# (name, f(x, y), shape of x, shape of y); each runs with x real and y complex, and
# with x complex and y real. A well-conditioned square a for solve's first operand.
_PRODUCTS = [
    ("dot-vec-mat", wnp.dot, (3,), (3, 2)),
    ("dot-mat-mat", wnp.dot, (2, 3), (3, 2)),
    ("dot-scalar", wnp.dot, (), (3,)),
    ("dot-nd", wnp.dot, (2, 2, 3), (3, 2)),
    ("matmul", wnp.matmul, (2, 3), (3, 2)),
    ("matmul-vec", wnp.matmul, (3,), (3, 2)),
    ("matmul-broadcast", wnp.matmul, (1, 2, 3), (2, 3, 2)),
    ("tensordot", lambda a, b: wnp.tensordot(a, b, axes=1), (2, 3), (3, 2)),
    ("tensordot-permuted", lambda a, b: wnp.tensordot(a, b, axes=([0, 2], [2, 1])),
     (2, 3, 2), (3, 2, 2)),
    ("einsum", lambda a, b: wnp.einsum("ij,jk->ik", a, b), (2, 3), (3, 2)),
    ("einsum-broadcast", lambda a, b: wnp.einsum("ij,ij->ij", a, b), (1, 3), (2, 3)),
    ("einsum-summed", lambda a, b: wnp.einsum("ij,k->ik", a, b), (2, 3), (2,)),
    ("kron", wnp.kron, (2,), (3,)),
    ("outer", wnp.outer, (2,), (3,)),
    ("inner", wnp.inner, (2, 3), (3,)),
    ("vdot", wnp.vdot, (3,), (3,)),
    ("multiply", wnp.multiply, (2, 3), (3,)),
    ("solve", lambda a, b: la.solve(a + 3.0 * np.eye(3), b), (3, 3), (3,)),
    ("solve-mat", lambda a, b: la.solve(a + 3.0 * np.eye(3), b), (3, 3), (2, 3, 2)),
    ("vecdot", lambda a, b: la.vecdot(a, b), (2, 3), (3,)),
    ("multi_dot", lambda a, b: la.multi_dot([a, b, a]), (2, 2), (2, 2)),
    ("cross", lambda a, b: la.cross(a, b), (2, 3), (3,)),
    ("outer-linalg", lambda a, b: la.outer(a, b), (2,), (3,)),
    ("tensorsolve", lambda a, b: la.tensorsolve(a + 3.0 * np.eye(4).reshape(2, 2, 2, 2), b),
     (2, 2, 2, 2), (2, 2)),
    ("lstsq-tall", lambda a, b: la.lstsq(a + np.eye(3, 2), b)[0], (3, 2), (3,)),
    ("lstsq-wide", lambda a, b: la.lstsq(a + np.eye(2, 3), b)[0], (2, 3), (2, 2)),
]


def _mixed_params():
    out = []
    for name, f, sx, sy in _PRODUCTS:
        out.append(pytest.param(f, sx, sy, 0, id=f"{name}-real-first"))
        out.append(pytest.param(f, sy, sx, 1, id=f"{name}-real-second"))
    return out


def _setup(f, s_real, s_complex, which):
    """(F, x, t, u): F a function of the real input x alone (the complex operand
    fixed, sin applied so second derivatives are nonzero), t a tangent for x, u a
    cotangent for F's output."""
    y = C(*s_complex)
    x, t = R(*s_real), R(*s_real)

    def F(x):
        return wnp.sin(f(x, y) if which == 0 else f(y, x))

    u = C(*np.shape(F(x)))
    return F, x, t, u


def _as_complex(v):
    return v + 0j


@pytest.mark.parametrize("f, s_real, s_complex, which", _mixed_params())
def test_real_input_gets_real_cotangent(f, s_real, s_complex, which):
    F, x, t, u = _setup(f, s_real, s_complex, which)
    (g,) = wg.vjp(F, x)[1](u)
    (gc,) = wg.vjp(F, _as_complex(x))[1](u)
    assert not np.iscomplexobj(g)
    np.testing.assert_allclose(g, np.real(gc), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("f, s_real, s_complex, which", _mixed_params())
def test_reverse_over_forward_stays_real(f, s_real, s_complex, which):
    F, x, t, u = _setup(f, s_real, s_complex, which)
    (g,) = wg.vjp(lambda x: wg.jvp(F, (x,), (t,))[1], x)[1](u)
    (gc,) = wg.vjp(lambda z: wg.jvp(F, (z,), (_as_complex(t),))[1], _as_complex(x))[1](u)
    assert not np.iscomplexobj(g)
    np.testing.assert_allclose(g, np.real(gc), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("f, s_real, s_complex, which", _mixed_params())
def test_forward_over_forward_matches_complex_input(f, s_real, s_complex, which):
    F, x, t, u = _setup(f, s_real, s_complex, which)
    s = R(*np.shape(x))
    got = wg.jvp(lambda x: wg.jvp(F, (x,), (t,))[1], (x,), (s,))[1]
    want = wg.jvp(lambda z: wg.jvp(F, (z,), (_as_complex(t),))[1], (_as_complex(x),),
                  (_as_complex(s),))[1]
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    # a real-valued function of the real input: every route gives a real Hessian
    H = lambda x: wnp.sum(_abs2(F(x)))
    hv = wg.jvp(lambda x: wg.jvp(H, (x,), (t,))[1], (x,), (s,))[1]
    assert not np.iscomplexobj(hv)


@pytest.mark.parametrize("f, s_real, s_complex, which", _mixed_params())
def test_hessian_of_real_function_is_real_by_every_route(f, s_real, s_complex, which):
    F, x, t, u = _setup(f, s_real, s_complex, which)
    H = lambda x: wnp.sum(_abs2(F(x)))
    g = wg.grad(H)(x)
    assert not np.iscomplexobj(g)
    hvp_rev = wg.grad(lambda x: wnp.sum(wg.grad(H)(x) * t))(x)      # reverse over reverse
    hvp_fwd = wg.jvp(wg.grad(H), (x,), (t,))[1]                       # forward over reverse
    hvp_ff = wg.grad(lambda x: wg.jvp(H, (x,), (t,))[1])(x)           # reverse over forward
    for h in (hvp_rev, hvp_fwd, hvp_ff):
        assert not np.iscomplexobj(h)
        np.testing.assert_allclose(h, hvp_rev, rtol=1e-9, atol=1e-10)
    # central differences of the gradient along t
    eps = 1e-6
    num = (wg.grad(H)(x + eps * t) - wg.grad(H)(x - eps * t)) / (2 * eps)
    np.testing.assert_allclose(hvp_rev, num, rtol=1e-5, atol=1e-6)


# ------------------------------------------------- point 3: the rest of numpy.linalg

def traced_value(f, *args):
    """f's value computed on traced arguments (inside a VJP)."""
    return wg.vjp(f, *args)[0]


def check(f, *args, order=2):
    """check_grads in both modes, with sin after f so linear parts have curvature."""
    wg.check_grads(lambda *xs: wnp.sin(f(*xs)), modes=("fwd", "rev"), order=order)(*args)


def real_spectrum(*batch, n=3):
    """A non-symmetric real matrix with distinct real eigenvalues S diag(1, 2, ...) S^-1."""
    s = rng.standard_normal(batch + (n, n)) + n * np.eye(n)
    d = np.arange(1.0, n + 1) * 1.5 - 0.5
    return (s * d[..., None, :]) @ np.linalg.inv(s)


def A(*batch, n=3):
    return rng.standard_normal(batch + (n, n)) + n * np.eye(n)


def test_linalg_offers_every_public_name_of_numpy_linalg():
    public = set(np.linalg.__all__) | {n for n in dir(np.linalg)
                                       if not n.startswith("_") and n != "test"}
    missing = sorted(n for n in public if not hasattr(la, n))
    assert not missing, f"wengert.numpy.linalg lacks {missing}"
    assert la.LinAlgError is np.linalg.LinAlgError
    for name in np.linalg.__all__:
        assert name in la.__all__, name


# values: plain calls return numpy's results; traced ones the same values
_VALUES = [
    ("eig-w", lambda m, a: m.linalg.eig(a)[0], real_spectrum()),
    ("eig-v", lambda m, a: m.linalg.eig(a)[1], real_spectrum(2)),
    ("eig-complex-pairs", lambda m, a: m.linalg.eig(a).eigenvalues, R(4, 4)),
    ("eig-complex-v", lambda m, a: m.linalg.eig(a).eigenvectors, C(2, 3, 3)),
    ("eigvals", lambda m, a: m.linalg.eigvals(a), R(2, 4, 4)),
    ("eigvals-complex", lambda m, a: m.linalg.eigvals(a), C(3, 3)),
    ("lstsq-x-tall", lambda m, a: m.linalg.lstsq(a, np.arange(4.0))[0], R(4, 3)),
    ("lstsq-res-tall", lambda m, a: m.linalg.lstsq(a, np.ones((4, 2)))[1], R(4, 3)),
    ("lstsq-s", lambda m, a: m.linalg.lstsq(a, np.ones((4, 2)))[3], R(4, 3)),
    ("lstsq-x-wide", lambda m, a: m.linalg.lstsq(a, np.arange(2.0))[0], R(2, 3)),
    ("lstsq-res-wide", lambda m, a: m.linalg.lstsq(a, np.arange(2.0))[1], R(2, 3)),
    ("lstsq-x-complex", lambda m, a: m.linalg.lstsq(a, np.arange(4.0) + 1j)[0], C(4, 2)),
    ("lstsq-res-complex", lambda m, a: m.linalg.lstsq(a, np.arange(4.0) + 1j)[1], C(4, 2)),
    ("lstsq-rank-deficient", lambda m, a: m.linalg.lstsq(a, np.arange(3.0))[0],
     np.outer([1.0, 2.0, 3.0], [1.0, -1.0])),
    ("lstsq-rcond", lambda m, a: m.linalg.lstsq(a, np.arange(3.0), rcond=0.4)[0],
     np.diag([4.0, 1.0, 3.0])),
    ("multi_dot-3", lambda m, a: m.linalg.multi_dot([a, a.T, a]), R(2, 5)),
    ("multi_dot-4-vectors", lambda m, a: m.linalg.multi_dot([a[0], a.T, a, a[1]]), R(3, 4)),
    ("multi_dot-first-vector", lambda m, a: m.linalg.multi_dot([a[0], a.T, a, a.T]), R(3, 4)),
    ("multi_dot-2", lambda m, a: m.linalg.multi_dot([a, a.T]), R(3, 4)),
    ("cond", lambda m, a: m.linalg.cond(a), R(2, 3, 3)),
    ("cond-2", lambda m, a: m.linalg.cond(a, 2), R(3, 4)),
    ("cond-minus-2", lambda m, a: m.linalg.cond(a, -2), R(3, 3)),
    ("cond-fro", lambda m, a: m.linalg.cond(a, "fro"), A(2)),
    ("cond-nuc", lambda m, a: m.linalg.cond(a, "nuc"), A()),
    ("cond-1", lambda m, a: m.linalg.cond(a, 1), A()),
    ("cond-minus-inf", lambda m, a: m.linalg.cond(a, -np.inf), A()),
    ("matrix_norm", lambda m, a: m.linalg.matrix_norm(a), R(2, 3, 4)),
    ("matrix_norm-nuc-keepdims", lambda m, a: m.linalg.matrix_norm(a, ord="nuc", keepdims=True),
     R(2, 3, 4)),
    ("matrix_norm-inf", lambda m, a: m.linalg.matrix_norm(a, ord=np.inf), C(3, 4)),
    ("vector_norm", lambda m, a: m.linalg.vector_norm(a), R(2, 3, 4)),
    ("vector_norm-axis", lambda m, a: m.linalg.vector_norm(a, axis=1, ord=3), R(2, 3, 4)),
    ("vector_norm-axes", lambda m, a: m.linalg.vector_norm(a, axis=(0, 2), keepdims=True),
     R(2, 3, 4)),
    ("vector_norm-negative-axes", lambda m, a: m.linalg.vector_norm(a, axis=(-1, 0), ord=1),
     R(2, 3, 4)),
    ("vector_norm-inf-keepdims", lambda m, a: m.linalg.vector_norm(a, ord=np.inf, keepdims=True),
     C(2, 3)),
    ("vector_norm-scalar", lambda m, a: m.linalg.vector_norm(a), np.asarray(-2.5)),
    ("vecdot", lambda m, a: m.linalg.vecdot(a, a[0]), C(2, 3)),
    ("vecdot-axis", lambda m, a: m.linalg.vecdot(a, a[:, :1], axis=0), R(3, 2)),
    ("matrix_transpose", lambda m, a: m.linalg.matrix_transpose(a), R(2, 3, 4)),
    ("outer", lambda m, a: m.linalg.outer(a, a[:2]), R(3)),
    ("cross", lambda m, a: m.linalg.cross(a, a[::-1] ** 2), R(2, 3)),
    ("cross-axis", lambda m, a: m.linalg.cross(a, a ** 2, axis=0), R(3, 2)),
    ("cross-broadcast", lambda m, a: m.linalg.cross(a, np.array([1.0, 2.0, 3.0])), R(2, 3)),
    ("diagonal", lambda m, a: m.linalg.diagonal(a, offset=1), R(2, 3, 4)),
    ("trace", lambda m, a: m.linalg.trace(a, offset=-1), R(2, 3, 4)),
    ("matmul", lambda m, a: m.linalg.matmul(a, a.mT), R(2, 3, 4)),
    ("tensordot", lambda m, a: m.linalg.tensordot(a, a, axes=([1, 2], [1, 2])), R(2, 3, 4)),
    ("tensorsolve", lambda m, a: m.linalg.tensorsolve(a, np.ones((2, 3))),
     R(2, 3, 6) + np.eye(6).reshape(2, 3, 6) * 3),
    ("tensorsolve-axes", lambda m, a: m.linalg.tensorsolve(a, np.ones((2, 3)), axes=(0,)),
     R(6, 2, 3) + np.eye(6).reshape(6, 2, 3) * 3),
    ("tensorinv", lambda m, a: m.linalg.tensorinv(a), R(2, 3, 6) + np.eye(6).reshape(2, 3, 6) * 3),
    ("tensorinv-ind-1", lambda m, a: m.linalg.tensorinv(a, ind=1),
     R(6, 2, 3) + np.eye(6).reshape(6, 2, 3) * 3),
]


@pytest.mark.parametrize("name, f, x", _VALUES, ids=[v[0] for v in _VALUES])
def test_values_equal_numpy(name, f, x):
    want = f(np, x)
    plain = f(wnp, x)
    np.testing.assert_array_equal(plain, want)
    assert np.asarray(plain).dtype == np.asarray(want).dtype
    got = traced_value(lambda x: f(wnp, x), x)
    assert np.shape(got) == np.shape(want)
    assert np.iscomplexobj(got) == np.iscomplexobj(want)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_eig_results_have_numpys_fields():
    a = real_spectrum()
    plain = la.eig(a)
    assert type(plain) is type(np.linalg.eig(a))
    traced = traced_value(lambda a: tuple(la.eig(a)), a)
    res = wg.vjp(lambda a: (la.eig(a).eigenvalues, la.eig(a).eigenvectors), a)[0]
    np.testing.assert_array_equal(res[0], traced[0])


def test_lstsq_returns_numpys_four_parts():
    a, b = R(4, 3), R(4)
    x, res, rank, s = la.lstsq(a, b)
    want = np.linalg.lstsq(a, b)
    for g, w in zip((x, res, rank, s), want):
        np.testing.assert_array_equal(g, w)
    out = traced_value(lambda a: la.lstsq(a, b), a)
    assert isinstance(out[2], (int, np.integer)) and out[2] == want[2]
    for g, w in zip(out, want):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
    # rank-deficient or wide: no residuals, as numpy
    for a in (np.outer([1.0, 2.0, 3.0, 4.0], [1.0, 1.0, 2.0]), R(2, 3)):
        out = traced_value(lambda a: la.lstsq(a, b[: a.shape[0]]), a)
        assert np.shape(out[1]) == (0,) and out[2] == np.linalg.matrix_rank(a)


def test_matrix_rank_is_plain():
    a = np.outer([1.0, 2.0, 3.0], [1.0, -1.0, 0.5])
    assert la.matrix_rank(a) == np.linalg.matrix_rank(a) == 1
    assert la.matrix_rank(a + np.eye(3), tol=0.5) == np.linalg.matrix_rank(a + np.eye(3), tol=0.5)
    assert la.matrix_rank(np.eye(3), rtol=0.1) == 3
    got = traced_value(lambda a: la.matrix_rank(a) * a, a + np.eye(3))
    np.testing.assert_allclose(got, 3 * (a + np.eye(3)))
    assert la.matrix_rank(np.ones(3)) == 1  # numpy's vector rule
    g = wg.grad(lambda a: la.matrix_rank(a) * wnp.sum(a))(a)
    np.testing.assert_allclose(g, np.ones((3, 3)))


# derivatives against central differences, forward and reverse, to second order
_DERIVATIVES = [
    ("eig-w-real", lambda a: la.eig(a)[0], real_spectrum()),
    ("eig-v2-real", lambda a: la.eig(a)[1] ** 2, real_spectrum(2)),
    ("eig-w-complex-pairs", lambda a: la.eig(a)[0], R(4, 4)),
    ("eig-v-abs2-complex-pairs", lambda a: _abs2(la.eig(a)[1]), R(3, 3)),
    ("eig-w-complex", lambda a: la.eig(a).eigenvalues, C(2, 3, 3)),
    ("eig-v-abs2-complex", lambda a: _abs2(la.eig(a).eigenvectors), C(3, 3)),
    ("eig-rebuilt", lambda a: (lambda w, v: (v * w[..., None, :]) @ la.inv(v))(*la.eig(a)),
     R(2, 3, 3)),
    ("eig-projector", lambda a: (lambda w, v: v[..., :, :1] * wnp.conj(v[..., :, :1]).mT)(
        *la.eig(a)), C(3, 3)),
    ("eigvals-real", la.eigvals, real_spectrum()),
    ("eigvals-complex-pairs", la.eigvals, R(2, 4, 4)),
    ("eigvals-complex", la.eigvals, C(3, 3)),
    ("lstsq-tall", lambda a, b: la.lstsq(a, b)[0], R(4, 3), R(4)),
    ("lstsq-tall-mat-b", lambda a, b: la.lstsq(a, b)[0], R(4, 2), R(4, 3)),
    ("lstsq-square", lambda a, b: la.lstsq(a, b)[0], A(), R(3, 2)),
    ("lstsq-wide", lambda a, b: la.lstsq(a, b)[0], R(2, 4), R(2)),
    ("lstsq-complex-tall", lambda a, b: la.lstsq(a, b)[0], C(4, 2), C(4)),
    ("lstsq-complex-wide", lambda a, b: la.lstsq(a, b)[0], C(2, 3), C(2, 2)),
    ("lstsq-residuals", lambda a, b: la.lstsq(a, b)[1], R(5, 3), R(5, 2)),
    ("lstsq-residuals-complex", lambda a, b: la.lstsq(a, b)[1], C(4, 2), C(4)),
    ("lstsq-s", lambda a, b: la.lstsq(a, b)[3] * b[0], R(4, 3), R(4)),
    ("multi_dot", lambda a, b, c: la.multi_dot([a, b, c, a.T]), R(2, 5), R(5, 3), R(3, 5)),
    ("multi_dot-vectors", lambda a, b: la.multi_dot([a[0], b, b.T, a[1]]), R(2, 3), R(3, 4)),
    ("cond", la.cond, R(2, 3, 3)),
    ("cond-2-wide", lambda a: la.cond(a, 2), R(3, 4)),
    ("cond-minus-2", lambda a: la.cond(a, -2), R(3, 3)),
    ("cond-complex", la.cond, C(3, 3)),
    ("cond-fro", lambda a: la.cond(a, "fro"), A(2)),
    ("cond-1", lambda a: la.cond(a, 1), A()),
    ("matrix_norm", la.matrix_norm, R(2, 3, 4)),
    ("matrix_norm-nuc", lambda a: la.matrix_norm(a, ord="nuc", keepdims=True), R(2, 3, 4)),
    ("vector_norm", la.vector_norm, R(2, 3, 4)),
    ("vector_norm-axes", lambda a: la.vector_norm(a, axis=(2, 0), ord=3, keepdims=True),
     R(2, 3, 4)),
    ("vector_norm-complex", lambda a: la.vector_norm(a, axis=-1), C(2, 3)),
    ("vecdot", la.vecdot, C(2, 3), C(3)),
    ("vecdot-axis", lambda a, b: la.vecdot(a, b, axis=0), R(3, 2), R(3, 1)),
    ("matrix_transpose", la.matrix_transpose, R(2, 3, 4)),
    ("outer", la.outer, R(3), R(2)),
    ("cross", la.cross, R(2, 3), R(3)),
    ("cross-axis", lambda a, b: la.cross(a, b, axis=0), C(3, 2), R(3, 2)),
    ("diagonal", lambda a: la.diagonal(a, offset=-1), R(2, 4, 3)),
    ("trace", la.trace, R(2, 3, 3)),
    ("matmul", la.matmul, R(2, 3), R(3, 2)),
    ("tensordot", lambda a, b: la.tensordot(a, b, axes=1), R(2, 3), R(3, 2)),
    ("tensorsolve", la.tensorsolve, R(2, 3, 6) + np.eye(6).reshape(2, 3, 6) * 3, R(2, 3)),
    ("tensorinv", la.tensorinv, R(2, 3, 6) + np.eye(6).reshape(2, 3, 6) * 3),
]


_DERIVATIVE_PARAMS = [pytest.param(v[1], v[2:], id=v[0]) for v in _DERIVATIVES]


@pytest.mark.parametrize("f, args", _DERIVATIVE_PARAMS)
def test_derivatives(f, args):
    check(f, *args)


@pytest.mark.parametrize("f, args", _DERIVATIVE_PARAMS)
def test_derivative_of_a_real_input_is_real(f, args):
    grads = wg.grad(lambda *xs: wnp.sum(_abs2(wnp.sin(f(*xs)))),
                    argnums=tuple(range(len(args))))(*args)
    for g, x in zip(grads, args):
        assert np.iscomplexobj(g) == np.iscomplexobj(x)


def _left_right(a):
    """Eigenvalues with right eigenvectors v_k and left ones u_k (u_k^H A = w_k u_k^H)."""
    w, v = np.linalg.eig(a)
    wl, u = np.linalg.eig(a.conj().T)
    order = [int(np.argmin(np.abs(np.conj(wl) - x))) for x in w]
    return w, v, u[:, order]


@pytest.mark.parametrize("kind", ["real-spectrum", "complex-pairs", "complex"])
def test_eigenvalue_derivative_closed_form(kind):
    a = {"real-spectrum": real_spectrum(n=4), "complex-pairs": R(4, 4), "complex": C(4, 4)}[kind]
    w, v, u = _left_right(a)
    t = R(4, 4) if not np.iscomplexobj(a) else C(4, 4)
    for f in (la.eigvals, lambda a: la.eig(a)[0]):
        _, dw = wg.jvp(f, (a,), (t,))
        out, f_vjp = wg.vjp(f, a)
        for k in range(4):
            # d w_k = u_k^H dA v_k / (u_k^H v_k): the gradient of w_k pairs as conj(u_k) v_k^T
            G = np.outer(np.conj(u[:, k]), v[:, k]) / (np.conj(u[:, k]) @ v[:, k])
            np.testing.assert_allclose(dw[k], np.sum(G * t), rtol=1e-9, atol=1e-12)
            e = np.zeros(4, dtype=out.dtype)
            e[k] = 1.0
            want = G if np.iscomplexobj(a) else np.real(G)
            np.testing.assert_allclose(f_vjp(e)[0], want, rtol=1e-9, atol=1e-12)


def test_eigenvector_derivative_closed_form():
    # a real matrix with a real spectrum: dv_k = sum_{j != k} v_j (V^-1 dA V)_jk / (w_k - w_j),
    # less its component along v_k (the unit norm is kept)
    a, t = real_spectrum(n=4), R(4, 4)
    w, v = np.linalg.eig(a)
    p = np.linalg.solve(v, t @ v)
    gaps = w[None, :] - w[:, None]
    np.fill_diagonal(gaps, 1.0)
    c = p / gaps
    np.fill_diagonal(c, 0.0)
    dv0 = v @ c
    want = dv0 - v * np.sum(v * dv0, axis=0)
    _, (dw, dv) = wg.jvp(lambda a: tuple(la.eig(a)), (a,), (t,))
    np.testing.assert_allclose(dv, want, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(np.sum(v * dv, axis=0), 0.0, atol=1e-12)


def test_eigenvalues_only_at_repeated_eigenvalues():
    # sum(w^2) = tr(A^2): its gradient 2 A^T is finite where eigenvalues repeat
    s = A()
    for a in (np.eye(3), np.diag([2.0, 2.0, 5.0]), s @ np.diag([2.0, 2.0, 5.0]) @ np.linalg.inv(s)):
        for f in (lambda a: wnp.sum(la.eigvals(a) ** 2), lambda a: wnp.sum(la.eig(a)[0] ** 2)):
            g = wg.grad(f)(a)
            assert np.all(np.isfinite(g))
            np.testing.assert_allclose(g, 2 * a.T, rtol=1e-8, atol=1e-8)
            t = R(3, 3)
            np.testing.assert_allclose(wg.jvp(f, (a,), (t,))[1], 2 * np.sum(a.T * t),
                                       rtol=1e-8, atol=1e-8)


def test_lstsq_derivative_is_pinvs():
    for a, b in ((R(5, 3), R(5)), (R(2, 4), R(2, 3)), (C(4, 2), C(4))):
        ta, tb = (C if np.iscomplexobj(a) else R)(*a.shape), (C if np.iscomplexobj(b) else R)(*b.shape)
        p = np.linalg.pinv(a)
        # d(A^+) = -A^+ dA A^+ + A^+ A^+H dA^H (I - A A^+) + (I - A^+ A) dA^H A^+H A^+
        dp = (-p @ ta @ p + p @ p.conj().T @ ta.conj().T @ (np.eye(a.shape[0]) - a @ p)
              + (np.eye(a.shape[1]) - p @ a) @ ta.conj().T @ p.conj().T @ p)
        _, dx = wg.jvp(lambda a, b: la.lstsq(a, b)[0], (a, b), (ta, tb))
        np.testing.assert_allclose(dx, dp @ b + p @ tb, rtol=1e-9, atol=1e-12)
        u = (C if np.iscomplexobj(a) else R)(*np.shape(p @ b))
        _, f_vjp = wg.vjp(lambda b: la.lstsq(a, b)[0], b)
        np.testing.assert_allclose(f_vjp(u)[0], p.T @ u, rtol=1e-9, atol=1e-12)


def test_cond_closed_form():
    a = R(3, 3)
    u, s, vh = np.linalg.svd(a)
    want = np.outer(u[:, 0], vh[0]) / s[-1] - s[0] / s[-1] ** 2 * np.outer(u[:, -1], vh[-1])
    np.testing.assert_allclose(wg.grad(la.cond)(a), want, rtol=1e-9)
    np.testing.assert_allclose(wg.grad(lambda a: la.cond(a, 2))(a), want, rtol=1e-9)


def test_multi_dot_gradients_equal_the_chained_products():
    a, b, c, d = R(2, 6), R(6, 3), R(3, 5), R(5)
    f = lambda *xs: wnp.sum(wnp.sin(la.multi_dot(list(xs))))
    g = lambda a, b, c, d: wnp.sum(wnp.sin(a @ b @ c @ d))
    for x, y in zip(wg.grad(f, argnums=(0, 1, 2, 3))(a, b, c, d),
                    wg.grad(g, argnums=(0, 1, 2, 3))(a, b, c, d)):
        np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-12)


def test_numpy_linalg_on_traced_values_dispatches_here():
    a = R(3, 3)
    g = wg.grad(lambda a: np.sum(np.abs(np.linalg.eigvals(a)) ** 2) + np.linalg.cond(a)
                + np.sum(np.linalg.lstsq(a, np.ones(3))[0]) + np.linalg.vector_norm(a))(a)
    h = wg.grad(lambda a: wnp.sum(wnp.abs(la.eigvals(a)) ** 2) + la.cond(a)
                + wnp.sum(la.lstsq(a, np.ones(3))[0]) + la.vector_norm(a))(a)
    np.testing.assert_allclose(g, h, rtol=1e-12)


_PEERS = [
    ("eig-real-spectrum", lambda m, a: m.sum(m.real(m.linalg.eig(a)[0]) ** 2)
     + m.sum(m.abs(m.linalg.eig(a)[1]) ** 2 * m.arange(3.0)), real_spectrum()),
    ("eig-complex-pairs", lambda m, a: m.sum(m.abs(m.linalg.eig(a)[0]) ** 3)
     + m.sum(m.abs(m.linalg.eig(a)[1]) ** 4), R(3, 3)),
    ("eig-complex", lambda m, a: m.sum(m.real(m.linalg.eig(a)[0] ** 2))
     + m.sum(m.abs(m.linalg.eig(a)[1]) ** 4), C(3, 3)),
    ("eig-batch", lambda m, a: m.sum(m.abs(m.linalg.eig(a)[1][..., 0, :]) ** 2
                                     * m.real(m.linalg.eig(a)[0])), real_spectrum(2)),
    ("cross", lambda m, a: m.sum(m.sin(m.cross(a, a[::-1] ** 2))), R(2, 3)),
]


@pytest.mark.parametrize("name, f, x", _PEERS, ids=[p[0] for p in _PEERS])
def test_gradients_match_autograd(name, f, x):
    autograd = pytest.importorskip("autograd")
    import autograd.numpy as anp
    want = autograd.grad(lambda x: f(anp, x))(x)
    np.testing.assert_allclose(wg.grad(lambda x: f(wnp, x))(x), want, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("call, kind, words", [
    (lambda: la.eig(np.ones((2, 3))), np.linalg.LinAlgError, "eig"),
    (lambda: la.eigvals(np.ones(3)), np.linalg.LinAlgError, "eigvals"),
    (lambda: la.lstsq(np.ones((2, 2, 2)), np.ones(2)), np.linalg.LinAlgError, "lstsq"),
    (lambda: la.lstsq(np.ones((3, 2)), np.ones(2)), np.linalg.LinAlgError, "lstsq"),
    (lambda: la.multi_dot([np.ones(2)]), ValueError, "multi_dot"),
    (lambda: la.multi_dot([np.ones(2), np.ones((2, 2, 2)), np.ones(2)]),
     np.linalg.LinAlgError, "multi_dot"),
    (lambda: la.outer(np.ones((2, 2)), np.ones(2)), ValueError, "outer"),
    (lambda: la.matrix_transpose(np.ones(3)), ValueError, "matrix_transpose"),
    (lambda: la.cross(np.ones(2), np.ones(2)), ValueError, "cross"),
    (lambda: la.tensorinv(np.ones((2, 3)), ind=0), ValueError, "tensorinv"),
    (lambda: la.tensorsolve(np.ones((2, 3)), np.ones(2)), np.linalg.LinAlgError, "tensorsolve"),
])
def test_errors_name_the_function(call, kind, words):
    with pytest.raises(kind, match=words):
        call()
    # the same error on traced values
    with pytest.raises(kind, match=words):
        wg.vjp(lambda _: call(), 1.0)
