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
