"""Products and contractions (rules/linalg.py) beyond the spec table: values equal to
numpy's on plain arrays, gradients against closed forms, the operator and method
forms on traced values, second derivatives by every route, clear errors, and the
same gradients from autograd and PyTorch where they are installed."""

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
from wengert.core.trace import Box

rng = np.random.default_rng(7)


def R(*shape):
    return rng.standard_normal(shape)


A23, B34, C33 = R(2, 3), R(3, 4), R(3, 3)
V3, W3 = R(3), R(3)

# ------------------------------------------------------------ values equal numpy's

VALUES = [
    ("matmul-vv", wnp.matmul, np.matmul, (V3, W3)),
    ("matmul-mv", wnp.matmul, np.matmul, (A23, V3)),
    ("matmul-vm", wnp.matmul, np.matmul, (V3, B34)),
    ("matmul-mm", wnp.matmul, np.matmul, (A23, B34)),
    ("matmul-batch", wnp.matmul, np.matmul, (R(2, 3, 4), R(4, 2))),
    ("matmul-broadcast", wnp.matmul, np.matmul, (R(1, 3, 4), R(2, 4, 5))),
    ("matmul-vec-batch", wnp.matmul, np.matmul, (V3, R(2, 3, 4))),
    ("dot-scalars", wnp.dot, np.dot, (2.0, 3.0)),
    ("dot-scalar-array", wnp.dot, np.dot, (2.0, A23)),
    ("dot-vv", wnp.dot, np.dot, (V3, W3)),
    ("dot-mm", wnp.dot, np.dot, (A23, B34)),
    ("dot-nd", wnp.dot, np.dot, (R(2, 3, 4), R(5, 4, 2))),
    ("dot-nd-v", wnp.dot, np.dot, (R(2, 3, 4), R(4))),
    ("tensordot-2", wnp.tensordot, np.tensordot, (R(2, 3, 4), R(3, 4, 5))),
    ("tensordot-1", lambda a, b: wnp.tensordot(a, b, axes=1),
     lambda a, b: np.tensordot(a, b, axes=1), (A23, B34)),
    ("tensordot-pairs", lambda a, b: wnp.tensordot(a, b, axes=([0, 2], [2, 1])),
     lambda a, b: np.tensordot(a, b, axes=([0, 2], [2, 1])), (R(2, 3, 4), R(5, 4, 2))),
    ("tensordot-0", lambda a, b: wnp.tensordot(a, b, axes=0),
     lambda a, b: np.tensordot(a, b, axes=0), (V3, R(2))),
    ("outer", wnp.outer, np.outer, (V3, A23)),
    ("inner", wnp.inner, np.inner, (A23, R(4, 3))),
    ("inner-scalar", wnp.inner, np.inner, (2.0, A23)),
    ("vdot", wnp.vdot, np.vdot, (A23, R(3, 2))),
    ("vdot-complex-constant", wnp.vdot, np.vdot, (V3 + 1j * W3, W3)),
    ("kron", wnp.kron, np.kron, (A23, R(2, 2))),
    ("kron-mixed-ndim", wnp.kron, np.kron, (V3, R(2, 1, 2))),
    ("trace", wnp.trace, np.trace, (R(3, 4),)),
    ("trace-axes", lambda a: wnp.trace(a, -1, 1, 2), lambda a: np.trace(a, -1, 1, 2),
     (R(2, 3, 4),)),
    ("diagonal", lambda a: wnp.diagonal(a, 2, 2, 0), lambda a: np.diagonal(a, 2, 2, 0),
     (R(3, 2, 4),)),
    ("diagonal-empty", lambda a: wnp.diagonal(a, 9), lambda a: np.diagonal(a, 9), (A23,)),
]

EINSUM_VALUES = [
    ("ij,jk->ik", A23, B34), ("ii->", C33), ("ii", C33), ("ij->ji", A23),
    ("bij,bjk->bik", R(2, 2, 3), R(2, 3, 4)), ("i,i->", V3, W3), ("i,i", V3, W3),
    ("ij,jk", A23, B34), ("ba,ac", A23, B34), ("Ca,ab", A23, B34), ("ii->i", C33),
    ("...ij,...jk->...ik", R(1, 2, 3), R(4, 3, 2)), ("...ij,jk", R(5, 2, 3), B34),
    ("i...i", R(3, 2, 3)), ("i...i->i...", R(3, 2, 3)), ("ij,ij->ij", R(1, 3), A23),
    ("ij,jk,kl->il", A23, B34, R(4, 2)), (",ij->ij", 2.0, A23), (" i j , j k ", A23, B34),
]


@pytest.mark.parametrize("ours, theirs, args", [pytest.param(*v[1:], id=v[0]) for v in VALUES])
def test_values_match_numpy(ours, theirs, args):
    got, want = ours(*args), theirs(*args)
    assert not isinstance(got, Box)
    assert isinstance(got, (float, np.ndarray, np.generic))
    assert np.shape(got) == np.shape(want)
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("spec, args", [pytest.param(v[0], v[1:], id=v[0].strip() or "_")
                                        for v in EINSUM_VALUES])
def test_einsum_values_match_numpy(spec, args):
    got, want = wnp.einsum(spec, *args), np.einsum(spec, *args)
    assert isinstance(got, (np.ndarray, np.generic))
    assert np.shape(got) == np.shape(want)
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13)


def test_einsum_sublist_form_matches_numpy():
    # implicit output in sublist form sorts the integer labels: 1 before 26
    for args in [(A23, [0, 1], B34, [1, 2]), (A23, [26, 27], B34, [27, 1]),
                 (A23, [0, 1], B34, [1, 2], [2, 0]), (R(5, 2, 3), [Ellipsis, 0, 1], B34, [1, 2])]:
        np.testing.assert_allclose(wnp.einsum(*args), np.einsum(*args), rtol=1e-13)


def test_einsum_optimize_is_passed_on():
    C = R(4, 2)
    f = lambda a, b, c: wnp.sum(wnp.einsum("ij,jk,kl->il", a, b, c, optimize="greedy"))
    np.testing.assert_allclose(f(A23, B34, C), np.sum(A23 @ B34 @ C), rtol=1e-12)
    wg.check_grads(f, modes=("fwd", "rev"), order=2)(A23, B34, C)


def test_dot_of_floats_stays_a_float():
    assert type(wnp.dot(2.0, 3.0)) is float
    assert wg.grad(wnp.dot, argnums=(0, 1))(2.0, 3.0) == (3.0, 2.0)


# ------------------------------------------------------- gradients in closed form

def test_grad_sum_matmul():
    # d/dA sum(A @ B) = 1 @ B^T (each row: the row sums of B); d/dB = A^T @ 1
    gA, gB = wg.grad(lambda A, B: wnp.sum(A @ B), argnums=(0, 1))(A23, B34)
    np.testing.assert_allclose(gA, np.ones((2, 4)) @ B34.T, rtol=1e-13)
    np.testing.assert_allclose(gB, A23.T @ np.ones((2, 4)), rtol=1e-13)


def test_grad_sum_batched_matmul_sums_over_broadcast_batch():
    A, B = R(1, 3, 4), R(2, 4, 5)
    gA, gB = wg.grad(lambda A, B: wnp.sum(wnp.matmul(A, B)), argnums=(0, 1))(A, B)
    assert gA.shape == A.shape and gB.shape == B.shape
    np.testing.assert_allclose(gA[0], sum(np.ones((3, 5)) @ B[k].T for k in range(2)),
                               rtol=1e-13)
    np.testing.assert_allclose(gB, np.broadcast_to(A.swapaxes(-1, -2) @ np.ones((3, 5)),
                                                   B.shape), rtol=1e-13)


def test_grad_quadratic_form():
    # f(x) = x^T C x: grad (C + C^T) x, Hessian C + C^T
    f = lambda x: x @ C33 @ x
    np.testing.assert_allclose(wg.grad(f)(V3), (C33 + C33.T) @ V3, rtol=1e-13)
    np.testing.assert_allclose(wg.hessian(f)(V3), C33 + C33.T, rtol=1e-13)


def test_grad_least_squares():
    # f(x) = |A x - b|^2: grad 2 A^T (A x - b)
    b = R(2)
    f = lambda x: wnp.sum((wnp.dot(A23, x) - b) ** 2)
    np.testing.assert_allclose(wg.grad(f)(V3), 2 * A23.T @ (A23 @ V3 - b), rtol=1e-12)


def test_grad_trace_of_product():
    # d/dA tr(A B) = B^T
    B = R(3, 2)
    for f in (lambda A: wnp.trace(A @ B), lambda A: wnp.einsum("ij,ji->", A, B),
              lambda A: wnp.einsum("ii", wnp.dot(A, B))):
        np.testing.assert_allclose(wg.grad(f)(A23), B.T, rtol=1e-13)


def test_grad_einsum_repeated_and_summed_subscripts():
    np.testing.assert_array_equal(wg.grad(lambda A: wnp.einsum("ii->", A))(C33), np.eye(3))
    g = wg.grad(lambda A: wnp.sum(wnp.einsum("ii->i", A) * V3))(C33)
    np.testing.assert_allclose(g, np.diag(V3), rtol=1e-13)
    # 'ij->i' sums j away: the cotangent is broadcast back along j
    g = wg.grad(lambda A: wnp.dot(wnp.einsum("ij->i", A), V3[:2]))(A23)
    np.testing.assert_allclose(g, np.repeat(V3[:2, None], 3, axis=1), rtol=1e-13)


def test_grad_tensordot_permuted_axes_matches_einsum():
    a, b = R(2, 3, 4), R(5, 4, 2)
    u = R(3, 5)
    f = lambda a, b: wnp.sum(wnp.tensordot(a, b, axes=([0, 2], [2, 1])) * u)
    g = lambda a, b: wnp.sum(wnp.einsum("ijk,lki->jl", a, b) * u)
    for x, y in zip(wg.grad(f, argnums=(0, 1))(a, b), wg.grad(g, argnums=(0, 1))(a, b)):
        np.testing.assert_allclose(x, y, rtol=1e-12)


def test_grad_einsum_ellipsis_matches_matmul():
    a, b = R(1, 2, 3), R(4, 3, 2)
    f = lambda a, b: wnp.sum(wnp.sin(wnp.einsum("...ij,...jk->...ik", a, b)))
    g = lambda a, b: wnp.sum(wnp.sin(a @ b))
    for x, y in zip(wg.grad(f, argnums=(0, 1))(a, b), wg.grad(g, argnums=(0, 1))(a, b)):
        np.testing.assert_allclose(x, y, rtol=1e-12)


def test_float32_gradients_stay_float32():
    A = np.ones((3, 3), np.float32)
    for f in (lambda a: wnp.sum(a @ a), lambda a: wnp.einsum("ii->", a),
              lambda a: wnp.sum(wnp.tensordot(a, a, axes=1)), lambda a: wnp.trace(a)):
        assert wg.grad(f)(A).dtype == np.float32


def test_jvp_of_product_is_sum_of_both_terms():
    dA, dB = R(2, 3), R(3, 4)
    _, t = wg.jvp(wnp.matmul, (A23, B34), (dA, dB))
    np.testing.assert_allclose(t, dA @ B34 + A23 @ dB, rtol=1e-13)
    _, t = wg.jvp(lambda a, b: wnp.einsum("ij,jk->ik", a, b), (A23, B34), (dA, dB))
    np.testing.assert_allclose(t, dA @ B34 + A23 @ dB, rtol=1e-13)


# ----------------------------------------------------- operator and method forms

def test_operator_and_method_forms_on_traced_values():
    f_op = lambda x, y: wnp.sum(wnp.tanh(x @ y))
    f_fn = lambda x, y: wnp.sum(wnp.tanh(wnp.matmul(x, y)))
    f_dot = lambda x, y: wnp.sum(wnp.tanh(x.dot(y)))
    want = wg.grad(f_fn, argnums=(0, 1))(A23, B34)
    for f in (f_op, f_dot):
        for got, w in zip(wg.grad(f, argnums=(0, 1))(A23, B34), want):
            np.testing.assert_allclose(got, w, rtol=1e-13)
    # a plain array on either side of @, with the traced value on the other
    M = R(3, 3)
    np.testing.assert_allclose(wg.grad(lambda x: wnp.sum(M @ x))(V3), M.T @ np.ones(3))
    np.testing.assert_allclose(wg.grad(lambda x: wnp.sum(x @ M))(V3), M @ np.ones(3))
    np.testing.assert_allclose(wg.grad(lambda x: x.T.dot(x))(V3), 2 * V3)
    np.testing.assert_allclose(wg.grad(lambda A: A.trace())(C33), np.eye(3))
    np.testing.assert_allclose(wg.grad(lambda A: wnp.sum(A.diagonal()))(C33), np.eye(3))


def test_operator_forms_under_forward_mode():
    dx = R(3)
    _, t = wg.jvp(lambda x: x @ C33 @ x, (V3,), (dx,))
    np.testing.assert_allclose(t, dx @ (C33 + C33.T) @ V3, rtol=1e-13)


# ------------------------------------------------------------ second derivatives

def _mlp(x):
    W = np.array([[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]])
    return wnp.sum(wnp.tanh(W @ x) ** 2) + wnp.einsum("i,ij,j->", x, C33, x)


def test_hessian_routes_agree():
    H = wg.hessian(_mlp)(V3)
    np.testing.assert_allclose(H, wg.jacfwd(wg.jacrev(_mlp))(V3), rtol=1e-12)
    np.testing.assert_allclose(H, wg.jacrev(wg.jacrev(_mlp))(V3), rtol=1e-12)
    np.testing.assert_allclose(H, wg.jacfwd(wg.jacfwd(_mlp))(V3), rtol=1e-12)
    np.testing.assert_allclose(H, H.T, rtol=1e-12)


def test_third_order_through_products():
    for f, args in [(lambda a, b: wnp.sin(wnp.matmul(a, b)), (R(3), R(2, 3, 2))),
                    (lambda a, b: wnp.sin(wnp.einsum("iij,j->i", a, b)), (R(3, 3, 2), R(2))),
                    (lambda a, b: wnp.sin(wnp.tensordot(a, b, axes=([0], [1]))),
                     (R(3, 2), R(2, 3)))]:
        wg.check_grads(f, modes=("fwd", "rev"), order=3)(*args)


# -------------------------------------------------------------------------- errors

@pytest.mark.parametrize("call, words", [
    (lambda: wnp.matmul(A23, A23), ["matmul", "(2, 3)", "size 3", "size 2"]),
    (lambda: wnp.matmul(2.0, V3), ["matmul", "at least one dimension"]),
    (lambda: wnp.matmul(R(2, 2, 3), R(3, 3, 2)), ["matmul", "batch", "(2,)", "(3,)"]),
    (lambda: wnp.dot(A23, R(4)), ["dot", "(2,3)", "(4,)"]),
    (lambda: wnp.tensordot(A23, A23, axes=([0], [1])), ["tensordot", "size 2", "size 3"]),
    (lambda: wnp.tensordot(A23, A23, axes=3), ["tensordot", "axes=3"]),
    (lambda: wnp.tensordot(A23, A23, axes=([0, 1], [0])), ["tensordot", "length"]),
    (lambda: wnp.einsum("ij,jk->ik", A23, A23), ["einsum", "'j'", "size"]),
    (lambda: wnp.einsum("ij", R(2, 3, 4)), ["einsum", "operand 0", "(2, 3, 4)"]),
    (lambda: wnp.einsum("i,i", V3), ["einsum", "2 operand", "1 were given"]),
    (lambda: wnp.einsum("i->j", V3), ["einsum", "'j'"]),
    (lambda: wnp.einsum("ij->ii", A23), ["einsum", "more than once"]),
    (lambda: wnp.einsum("i2", A23), ["einsum", "'2'"]),
    (lambda: wnp.einsum("...ij,jk->ik", R(5, 2, 3), B34), ["einsum", "'...'"]),
    (lambda: wnp.einsum("ii", A23), ["einsum", "'i'", "sizes 2 and 3"]),
    (lambda: wnp.inner(V3, R(2)), ["inner", "(3,)", "(2,)"]),
    (lambda: wnp.diagonal(V3), ["diagonal", "(3,)"]),
])
def test_errors_name_function_and_shapes(call, words):
    with pytest.raises(ValueError) as err:
        call()
    for w in words:
        assert w in str(err.value), (w, str(err.value))


def test_errors_under_a_transform_are_the_same():
    with pytest.raises(ValueError, match=r"matmul: shapes \(2, 3\) and \(2, 3\)"):
        wg.grad(lambda a: wnp.sum(a @ a))(A23)


def test_out_argument_is_refused():
    with pytest.raises(TypeError, match="matmul: out="):
        wnp.matmul(A23, B34, out=np.empty((2, 4)))


def test_traced_complex_vdot_conjugates_its_first_argument():
    z, w = V3 + 1j * W3, W3 - 2j * V3
    out, f_vjp = wg.vjp(lambda z: wnp.vdot(z, w), z)
    np.testing.assert_allclose(out, np.vdot(z, w), rtol=1e-14)
    # vdot(z, w) = sum(conj(z) w): under the pairing sum(re(u t)) its VJP is conj(u w)
    np.testing.assert_allclose(f_vjp(1.0 + 0.5j)[0], np.conj((1.0 + 0.5j) * w), rtol=1e-14)
    wg.check_grads(lambda z: wnp.vdot(z, z * w), modes=("fwd", "rev"), order=2)(z)


# ----------------------------------------------------------------------- peers

def _peer_cases(np_mod):
    """The same functions written against a numpy-like module."""
    return [
        (lambda A, B: np_mod.sum(np_mod.tanh(np_mod.matmul(A, B))), (R(2, 3, 4), R(4, 2))),
        (lambda A, B: np_mod.sum(np_mod.sin(np_mod.dot(A, B))), (A23, B34)),
        (lambda A, B: np_mod.sum(np_mod.tensordot(A, B, axes=([0, 2], [2, 1])) ** 2),
         (R(2, 3, 4), R(5, 4, 2))),
        (lambda A, B: np_mod.sum(np_mod.einsum("bij,bjk->bik", A, B) ** 2),
         (R(2, 2, 3), R(2, 3, 4))),
        (lambda A, B: np_mod.sum(np_mod.outer(A, B) ** 3), (V3, R(2))),
        (lambda A, B: np_mod.sum(np_mod.kron(A, B) ** 2), (A23, R(2, 2))),
    ]


def test_gradients_match_autograd():
    ag = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    for (f_ag, args), (f_wg, _) in zip(_peer_cases(anp), _peer_cases(wnp)):
        want = ag.grad(f_ag, argnum=0)(*args), ag.grad(f_ag, argnum=1)(*args)
        got = wg.grad(f_wg, argnums=(0, 1))(*args)
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


def test_gradients_match_torch():
    torch = pytest.importorskip("torch")
    A, B = R(2, 3, 4), R(2, 4, 5)
    f_wg = lambda A, B: wnp.sum(wnp.tanh(wnp.einsum("bij,bjk->bik", A, B)) * (A @ B))
    tA = torch.tensor(A, requires_grad=True)
    tB = torch.tensor(B, requires_grad=True)
    (torch.tanh(torch.einsum("bij,bjk->bik", tA, tB)) * (tA @ tB)).sum().backward()
    gA, gB = wg.grad(f_wg, argnums=(0, 1))(A, B)
    np.testing.assert_allclose(gA, tA.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gB, tB.grad.numpy(), rtol=1e-12, atol=1e-12)
