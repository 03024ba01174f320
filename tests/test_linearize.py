"""linearize and linear_transpose: against wg.jvp, wg.vjp, explicit matrices, jacfwd
and (where installed) JAX."""

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
from wengert import backend
from wengert.linearize import linear_transpose, linearize

RNG = np.random.default_rng(0)
A = RNG.standard_normal((3, 4))
AC = RNG.standard_normal((3, 4)) + 1j * RNG.standard_normal((3, 4))
X4 = RNG.standard_normal(4)
M34 = RNG.standard_normal((3, 4))
Z4 = RNG.standard_normal(4) + 1j * RNG.standard_normal(4)


def _like(x, rng):
    """A random tangent with the structure, shape and dtype of ``x``."""
    leaves, tdef = wg.tree_flatten(x)
    return wg.tree_unflatten(tdef, [backend.random_like(v, rng) for v in leaves])


def _close(a, b):
    la, da = wg.tree_flatten(a)
    lb, db = wg.tree_flatten(b)
    assert da == db
    for u, v in zip(la, lb):
        assert np.shape(u) == np.shape(v)
        assert np.asarray(u).dtype == np.asarray(v).dtype
        np.testing.assert_allclose(u, v, rtol=1e-12, atol=1e-14)


def _assign(x):
    y = x * 1.0
    y[1:3] = wnp.sin(x[:2])
    return y


@wg.custom_vjp
def _softplus(x):
    return wnp.log1p(wnp.exp(x))


_softplus.defvjp(lambda x: (_softplus(x), x), lambda x, g: (g / (1.0 + wnp.exp(-x)),))


@wg.custom_jvp
def _cube(x):
    return x ** 3


_cube.defjvp(lambda p, t: (p[0] ** 3, 3.0 * p[0] ** 2 * t[0]))


@wg.custom_vjp
def _triple(x):
    return 3.0 * x


_triple.defvjp(lambda x: (3.0 * x, None), lambda res, g: (3.0 * g,))


@wg.custom_jvp
def _sin3(x):  # its JVP rule sends the tangent through a custom_vjp function
    return wnp.sin(x)


_sin3.defjvp(lambda p, t: (wnp.sin(p[0]), _triple(t[0]) * wnp.cos(p[0]) / 3.0))


CASES = {
    "elementwise": (lambda x: wnp.exp(wnp.sin(x)) * wnp.tanh(x) / (1.0 + x ** 2), (X4,)),
    "matmul": (lambda W, x: A @ wnp.tanh(W @ x), (RNG.standard_normal((4, 4)), X4)),
    "basic indexing": (lambda M: M[1:, ::2] * M[0, 1], (M34,)),
    "advanced indexing": (lambda M: wnp.sin(M[[0, 2, 2], [1, 0, 3]]), (M34,)),
    "boolean mask": (lambda x: x[x > 0] ** 3, (X4,)),
    "reductions": (lambda M: (wnp.sum(M ** 2, axis=0), wnp.max(M, axis=1),
                              wnp.prod(M, axis=1, keepdims=True), wnp.mean(M)), (M34,)),
    "assignment": (_assign, (X4,)),
    "holomorphic": (lambda z: wnp.exp(z) * z ** 2 + (AC @ z)[0], (Z4,)),
    "complex to real": (lambda z: wnp.abs(z) ** 2 + wnp.real(z) * wnp.imag(z), (Z4,)),
    "real to complex": (lambda x: wnp.exp(1j * x) * AC[0], (X4,)),
    "conj": (lambda z: wnp.conj(z) * z[0], (Z4,)),
    "python float": (lambda a, b: wnp.sin(a) * b + a / b, (0.7, 1.3)),
    "float32": (lambda x: wnp.tanh(x) * 2, (X4.astype(np.float32),)),
    "pytree": (lambda p, xs: {"y": wnp.sin(p["w"]) @ xs[0], "z": (p["b"] * xs[1], xs[1])},
               ({"w": M34, "b": 0.5}, [X4, 2.0])),
    "identity": (lambda x: x, (X4,)),
    "constant output": (lambda x: (wnp.sum(x), np.ones(2)), (X4,)),
    "linalg": (lambda M: wnp.linalg.solve(M @ M.T + np.eye(3), M[:, 0]), (M34,)),
    "fft": (lambda x: wnp.fft.rfft(x * x), (X4,)),
    "custom_vjp": (lambda x: _softplus(x) * x, (X4,)),
    "custom_jvp": (lambda x: _cube(wnp.sin(x)), (X4,)),
    "checkpoint": (wg.checkpoint(lambda x: wnp.sin(wnp.cos(x)) * x), (X4,)),
    "custom rule on the tangent": (lambda x: _sin3(x) * x, (X4,)),
    "inner grad": (wg.grad(lambda x: wnp.sum(wnp.sin(x) ** 2 * x)), (X4,)),
    "inner jvp": (lambda x: wg.jvp(wnp.tanh, (x,), (x[::-1],))[1], (X4,)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_f_jvp_matches_jvp(name):
    f, primals = CASES[name]
    rng = np.random.default_rng(1)
    out, f_jvp = linearize(f, *primals)
    _close(out, f(*primals))
    for _ in range(2):  # the replay can be run again, on other tangents
        tangents = _like(primals, rng)
        _close(f_jvp(*tangents), wg.jvp(f, primals, tangents)[1])


def test_fun_runs_once():
    calls = []

    def f(x):
        calls.append(1)
        return wnp.sin(x) * x

    out, f_jvp = linearize(f, X4)
    for k in range(5):
        f_jvp(X4 * k)
    assert len(calls) == 1


def test_has_aux():
    out, f_jvp, aux = linearize(lambda x: (wnp.sin(x), {"n": 3, "x": x}), X4, has_aux=True)
    np.testing.assert_allclose(f_jvp(np.ones(4)), np.cos(X4))
    assert aux["n"] == 3 and type(aux["x"]) is np.ndarray
    np.testing.assert_array_equal(aux["x"], X4)


def test_f_jvp_errors():
    _, f_jvp = linearize(lambda x, y: x * y, X4, 2.0)
    with pytest.raises(TypeError, match="one tangent per primal"):
        f_jvp(X4)
    with pytest.raises(ValueError, match=r"tangent 0 has shape \(3,\) but its primal has "
                                         r"shape \(4,\)"):
        f_jvp(np.ones(3), 1.0)
    with pytest.raises(ValueError, match="dtype float32 does not match primal dtype float64"):
        f_jvp(X4.astype(np.float32), 1.0)
    with pytest.raises(ValueError, match="tangents structure"):
        f_jvp((X4,), 1.0)
    with pytest.raises(TypeError, match="integer"):
        linearize(lambda n: n * 2, 3)
    with pytest.raises(TypeError, match="expected a function"):
        linearize(3.0, 1.0)


def test_vmap_of_f_jvp_is_the_jacobian():
    f = lambda x: wnp.tanh(A @ x) * x[0]  # noqa: E731
    _, f_jvp = linearize(f, X4)
    rows = wg.vmap(f_jvp)(np.eye(4))  # row i: J e_i, so the Jacobian transposed
    np.testing.assert_allclose(rows.T, wg.jacfwd(f)(X4), rtol=1e-13)
    np.testing.assert_allclose(rows.T, wg.jacrev(f)(X4), rtol=1e-13)


def test_jvp_and_grad_of_linearize():
    f = lambda x: wnp.sin(x) * wnp.sum(x ** 2)  # noqa: E731
    v, u = np.linspace(-1, 1, 4), np.arange(4.0)

    def through_linearize(x):
        return linearize(f, x)[1](v)

    def through_jvp(x):
        return wg.jvp(f, (x,), (v,))[1]

    _close(wg.jvp(through_linearize, (X4,), (u,)), wg.jvp(through_jvp, (X4,), (u,)))
    g1 = wg.grad(lambda x: wnp.sum(through_linearize(x) ** 2))(X4)
    g2 = wg.grad(lambda x: wnp.sum(through_jvp(x) ** 2))(X4)
    np.testing.assert_allclose(g1, g2, rtol=1e-12)
    wg.check_grads(through_linearize, modes=("fwd", "rev"), order=1)(X4)


def test_linearize_under_vmap():
    f = lambda x: wnp.exp(x) * x[::-1]  # noqa: E731
    X = RNG.standard_normal((5, 4))
    v = np.arange(4.0)
    got = wg.vmap(lambda x: linearize(f, x)[1](v))(X)
    want = wg.vmap(lambda x: wg.jvp(f, (x,), (v,))[1])(X)
    np.testing.assert_allclose(got, want, rtol=1e-13)


def test_escaped_constants_are_refused():
    # f_jvp closes over values of the outer jvp; used after it returned, it refuses
    kept = []
    wg.jvp(lambda x: kept.append(linearize(wnp.sin, x)[1]) or x, (1.0,), (1.0,))
    with pytest.raises(wg.EscapedTracerError):
        kept[0](1.0)


# ---------------------------------------------------------------- linear_transpose

def test_transpose_of_a_matrix():
    (ct_x,) = linear_transpose(lambda x: A @ x, np.zeros(4))(np.arange(3.0))
    np.testing.assert_allclose(ct_x, A.T @ np.arange(3.0), rtol=1e-14)


def test_transpose_of_a_complex_matrix_is_not_conjugated():
    ct = np.array([1.0 + 2j, -1j, 0.5])
    (ct_z,) = linear_transpose(lambda z: AC @ z, Z4)(ct)
    np.testing.assert_allclose(ct_z, AC.T @ ct, rtol=1e-14)
    assert not np.allclose(ct_z, AC.conj().T @ ct)


def test_transpose_of_real_imag_conj_and_real_to_complex():
    a = 2.0 + 3.0j
    assert linear_transpose(lambda x: a * x, 1.0)(1.0 + 1.0j) == (-1.0,)  # Re(ct * a)
    assert linear_transpose(wnp.conj, 1j)(1.0 + 1.0j) == (1.0 - 1.0j,)
    assert linear_transpose(wnp.real, 1j)(np.float64(2.0)) == (2.0,)
    assert linear_transpose(wnp.imag, 1j)(np.float64(2.0)) == (-2.0j,)  # Re(-2j * z) = 2 Im z


def test_transpose_pytrees_and_several_inputs():
    def L(x, p):
        return {"s": x[0] + 2.0 * p["y"][0], "v": (M34 @ x, -3.0 * p["y"] + x[1:3])}

    primals = (np.zeros(4), {"y": np.zeros(2)})
    L_t = linear_transpose(L, *primals)
    ct = {"s": np.float64(1.5), "v": (np.arange(3.0), np.array([1.0, -2.0]))}
    ct_x, ct_p = L_t(ct)
    np.testing.assert_allclose(ct_x, np.array([1.5, 1.0, -2.0, 0.0]) + M34.T @ np.arange(3.0))
    np.testing.assert_allclose(ct_p["y"], [2.0 * 1.5 - 3.0 * 1.0, -3.0 * -2.0])
    # the same by the defining identity <ct, L x> = <L^T ct, x> at random points
    rng = np.random.default_rng(3)
    for _ in range(3):
        xs, c = _like(primals, rng), _like(ct, rng)
        lhs = sum(backend.inner(a, b) for a, b in
                  zip(wg.tree_leaves(c), wg.tree_leaves(L(*xs))))
        rhs = sum(backend.inner(a, b) for a, b in
                  zip(wg.tree_leaves(L_t(c)), wg.tree_leaves(xs)))
        assert abs(lhs - rhs) < 1e-12 * (1 + abs(lhs))


@pytest.mark.parametrize("fun, x", [
    (lambda x: wnp.fft.fft(x)[1:] * 2.0, X4),
    (lambda x: wnp.cumsum(x[::-1]) / 3.0, X4),
    (lambda M: wnp.einsum("ij,jk->ik", AC[:, :3], M), M34 + 0j),
    (lambda M: wnp.linalg.solve(np.eye(3) * 2 + A[:, :3], M).T, M34),
    (lambda x: wnp.where(np.arange(4) % 2 == 0, x, 0.0) + 0.0, X4),
    (lambda x: wnp.concatenate([x, np.zeros(2), -x]), X4),
    (lambda x: wnp.stack([x, x * 2]).reshape(-1)[3:], X4),
])
def test_transpose_against_explicit_jacobian(fun, x):
    J = wg.jacfwd(fun)(x)
    out = fun(x)
    ct = backend.random_like(out, np.random.default_rng(2))
    (got,) = linear_transpose(fun, x)(ct)
    n_out = len(np.shape(out))
    want = np.tensordot(ct, J, axes=n_out)  # J^T ct, no conjugate
    if not np.iscomplexobj(x):
        want = want.real
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13)


def test_transpose_of_f_jvp_is_the_vjp():
    f = lambda x: wnp.tanh(A @ wnp.sin(x)) * x[1]  # noqa: E731
    _, f_jvp = linearize(f, X4)
    ct = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(linear_transpose(f_jvp, X4)(ct)[0], wg.vjp(f, X4)[1](ct)[0],
                               rtol=1e-13)


@pytest.mark.parametrize("fun, why", [
    (lambda x: x ** 2, "power is applied"),
    (wnp.sin, "sin is applied"),
    (lambda x: x + 1.0, "affine"),
    (lambda x: x * x, "product of inputs"),
    (lambda x: x @ x, "product of inputs"),
    (lambda x: wnp.where(x > 0, x, 0.0), "change with the input values"),
    (wnp.sort, "change with the input values"),
    (lambda x: x[wnp.argmax(x)] * 2.0, "change with the input values"),
    (lambda x: x if wnp.sum(x) > 0 else -x, "change with the input values"),
    (wnp.abs, "absolute is applied"),
    (lambda x: x * wg.stop_gradient(x), "change with the input values"),
    (lambda x: (x * 2.0, np.ones(2)), "output leaf 1 does not depend on the inputs"),
    (lambda x: wnp.where(np.arange(4) > 1, x, 1.0), "affine"),
])
def test_nonlinear_functions_are_refused(fun, why):
    with pytest.raises(ValueError, match=why) as err:
        linear_transpose(fun, X4)
    assert "not linear" in str(err.value)


def test_a_nonlinear_function_that_fails_at_the_probe_point_is_named():
    # a Cholesky factor of a random (indefinite) matrix fails; the error says why
    with pytest.raises(ValueError, match="cholesky is applied"):
        linear_transpose(lambda M: wnp.linalg.cholesky(M), np.zeros((3, 3)))


def test_zero_constants_and_zero_outputs_are_linear():
    L_t = linear_transpose(lambda x: (x + np.zeros(4), np.zeros(2)), X4)
    ct_x, = L_t((np.arange(4.0), np.ones(2)))
    np.testing.assert_array_equal(ct_x, np.arange(4.0))


def test_transpose_cotangent_errors():
    L_t = linear_transpose(lambda x: A @ x, X4)
    with pytest.raises(ValueError, match=r"cotangent 0 has shape \(4,\) but its output "
                                         r"has shape \(3,\)"):
        L_t(np.ones(4))
    with pytest.raises(ValueError, match="cotangent structure"):
        L_t((np.ones(3),))
    with pytest.raises(TypeError, match="integer"):
        linear_transpose(lambda n: n, 3)


def test_transpose_under_grad():
    # d/dW <u, W^T ct> = outer(ct, u): the transpose carries W's derivative
    ct, u = np.arange(3.0), np.linspace(1, 2, 4)
    g = wg.grad(lambda W: wnp.sum(linear_transpose(lambda x: W @ x, X4)(ct)[0] * u))(A)
    np.testing.assert_allclose(g, np.outer(ct, u), rtol=1e-14)


def test_against_jax():
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    jax.config.update("jax_enable_x64", True)
    cases = [
        (lambda z: AC @ z, lambda z: jnp.asarray(AC) @ z, Z4),
        (lambda z: wnp.conj(z) * (1 + 2j) + wnp.real(z), lambda z: jnp.conj(z) * (1 + 2j)
         + jnp.real(z), Z4),
        (lambda x: (2 + 3j) * x, lambda x: (2 + 3j) * x, X4),
        (lambda M: wnp.sum(M, axis=0) - M[1], lambda M: jnp.sum(M, axis=0) - M[1], M34),
    ]
    rng = np.random.default_rng(5)
    for ours, theirs, x in cases:
        ct = backend.random_like(ours(x), rng)
        (got,) = linear_transpose(ours, x)(ct)
        (want,) = jax.linear_transpose(theirs, x)(ct)
        np.testing.assert_allclose(got, np.asarray(want), rtol=1e-13)
        _, f_jvp = linearize(lambda v: wnp.sin(ours(v)), x)
        _, j_jvp = jax.linearize(lambda v: jnp.sin(theirs(v)), x)
        t = backend.random_like(x, rng)
        np.testing.assert_allclose(f_jvp(t), np.asarray(j_jvp(t)), rtol=1e-12)


def test_transpose_under_vmap():
    As = np.random.default_rng(4).standard_normal((5, 3, 4))
    ct = np.arange(3.0)
    got = wg.vmap(lambda M: linear_transpose(lambda x: M @ x, X4)(ct)[0])(As)
    np.testing.assert_allclose(got, np.einsum("bij,i->bj", As, ct), rtol=1e-14)
    # vmap of the transposed function over one-hot cotangents gives the matrix back
    L_t = linear_transpose(lambda x: As[0] @ x, X4)
    np.testing.assert_allclose(wg.vmap(L_t)(np.eye(3))[0], As[0], rtol=1e-14)
