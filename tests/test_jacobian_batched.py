"""Batched Jacobians: jacfwd, jacrev, jacobian and hessian push their one-hot seeds
through one batched pass (vmap of jvp / of the VJP function), or passes of at most
``chunk_size``. The truths: the per-element loop of jvp / vjp calls the Jacobian is
defined by (written out here), closed forms, and torch.func where installed."""

import math

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
from wengert import transforms
from wengert.core.pytree import tree_flatten, tree_unflatten

RNG = np.random.default_rng(7)
TOL = dict(rtol=1e-12, atol=1e-13)


# ---------------------------------------------------------------- the per-element loop

def _one_hots(x):
    """One-hot tangents shaped and typed like ``x`` (a Python float gives 1.0)."""
    if isinstance(x, float):
        yield 1.0
        return
    x = np.asarray(x)
    for k in range(x.size):
        e = np.zeros(x.size, x.dtype)
        e[k] = 1
        yield e.reshape(x.shape)


def _zeros(x):
    return 0.0 if isinstance(x, float) else np.zeros_like(np.asarray(x))


def loop_jacfwd(f, args, argnums):
    """Blocks [out leaf][chosen leaf] of out.shape + in.shape, one jvp call per input
    element."""
    chosen = [args[a] for a in argnums]
    leaves, tdef = tree_flatten(tuple(chosen))

    def f_sel(*c):
        full = list(args)
        for a, v in zip(argnums, c):
            full[a] = v
        return f(*full)

    outs = tree_flatten(f_sel(*chosen))[0]
    blocks = [[None] * len(leaves) for _ in outs]
    for i, x in enumerate(leaves):
        cols = []
        for e in _one_hots(x):
            t = [_zeros(v) for v in leaves]
            t[i] = e
            cols.append(tree_flatten(wg.jvp(f_sel, tuple(chosen),
                                            tree_unflatten(tdef, t))[1])[0])
        for j, o in enumerate(outs):
            shp = np.shape(o) + np.shape(x)
            c = np.array([np.asarray(col[j]) for col in cols]).reshape(len(cols), -1)
            blocks[j][i] = c.T.reshape(shp)
    return blocks


def loop_jacrev(f, args, argnums):
    """The same blocks, one VJP call per output element."""
    chosen = [args[a] for a in argnums]

    def f_sel(*c):
        full = list(args)
        for a, v in zip(argnums, c):
            full[a] = v
        return f(*full)

    out, f_vjp = wg.vjp(f_sel, *chosen)
    outs, odef = tree_flatten(out)
    leaves = tree_flatten(tuple(chosen))[0]
    blocks = [[None] * len(leaves) for _ in outs]
    for j, o in enumerate(outs):
        rows = []
        for e in _one_hots(o):
            ct = [_zeros(p) for p in outs]
            ct[j] = e
            rows.append(tree_flatten(f_vjp(tree_unflatten(odef, ct)))[0])
        for i, x in enumerate(leaves):
            shp = np.shape(o) + np.shape(x)
            blocks[j][i] = np.array([np.asarray(r[i]) for r in rows]).reshape(shp)
    return blocks


def _blocks_of(J, n_out, n_in):
    leaves = tree_flatten(J)[0]
    assert len(leaves) == n_out * n_in
    return [[leaves[j * n_in + i] for i in range(n_in)] for j in range(n_out)]


def _same(got, want):
    assert np.shape(got) == np.shape(want)
    assert np.asarray(got).dtype == np.asarray(want).dtype
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), **TOL)


# ---------------------------------------------------------------- functions

A = RNG.standard_normal((4, 3))
Z = RNG.standard_normal(3) + 1j * RNG.standard_normal(3)

CASES = {
    "elementwise": (lambda x: wnp.sin(x) * wnp.exp(-x ** 2), (RNG.standard_normal(4),)),
    "matmul-tall": (lambda x: wnp.tanh(A @ x) + (A @ x) ** 2, (RNG.standard_normal(3),)),
    "matrix-in-wide": (lambda X: wnp.sum(X ** 3, axis=0) + wnp.log(wnp.sum(X ** 2)),
                       (RNG.standard_normal((4, 3)),)),
    "slices": (lambda x: 100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2,
               (RNG.standard_normal(5),)),
    "index-array-where": (lambda x: wnp.where(x > 0, x[[2, 0, 0, 1]] ** 2, wnp.cos(x)),
                          (np.array([0.5, -1.0, 2.0, -0.3]),)),
    "concatenate-reshape": (lambda x: wnp.concatenate([x, wnp.sin(x)]).reshape(2, 2, 2),
                            (RNG.standard_normal((2, 2)),)),
    "two-args": (lambda x, y: wnp.outer(x, y) + wnp.sum(x * x) * y[0],
                 (RNG.standard_normal(3), RNG.standard_normal(2))),
    "python-floats": (lambda a, b: a * wnp.sin(b) + b ** 3, (0.7, -1.3)),
    "scalar-to-vector": (lambda t: wnp.stack([wnp.cos(t), wnp.sin(t), t * t]), (0.4,)),
    "zero-d-array": (lambda x: wnp.exp(x) * np.ones(3), (np.array(0.25),)),
    "float32": (lambda x: wnp.tanh(x) * x[0], (RNG.standard_normal(3).astype(np.float32),)),
    "complex-in-out": (lambda z: z ** 2 * wnp.exp(1j * z[0]), (Z,)),
    "complex-in-real-out": (lambda z: wnp.abs(z) ** 2 + wnp.real(z * z[1]), (Z,)),
    "pytree-in-out": (lambda d: {"s": wnp.sum(d["a"] * d["b"]), "v": d["a"] * 2.0,
                                 "t": (d["b"] ** 2, d["c"])},
                      ({"a": RNG.standard_normal(3), "b": RNG.standard_normal(3),
                        "c": 1.5},)),
    "constant-output": (lambda x: np.arange(3.0), (RNG.standard_normal(2),)),
    "branch-on-value": (lambda x: x ** 2 if x[0] > 0 else -wnp.sin(x),
                        (np.array([0.5, 2.0, -1.0]),)),
}


def _argnums(args):
    return tuple(range(len(args)))


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("chunk", [None, 1, 2], ids=["all", "chunk1", "chunk2"])
def test_jacfwd_equals_the_loop_of_jvps(name, chunk):
    f, args = CASES[name]
    nums = _argnums(args)
    want = loop_jacfwd(f, args, nums)
    got = _blocks_of(wg.jacfwd(f, argnums=nums, chunk_size=chunk)(*args), len(want),
                     len(want[0]))
    for g_row, w_row in zip(got, want):
        for g, w in zip(g_row, w_row):
            _same(g, w)


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("chunk", [None, 1, 2], ids=["all", "chunk1", "chunk2"])
def test_jacrev_equals_the_loop_of_vjps(name, chunk):
    f, args = CASES[name]
    nums = _argnums(args)
    want = loop_jacrev(f, args, nums)
    got = _blocks_of(wg.jacrev(f, argnums=nums, chunk_size=chunk)(*args), len(want),
                     len(want[0]))
    for g_row, w_row in zip(got, want):
        for g, w in zip(g_row, w_row):
            _same(g, w)


@pytest.mark.parametrize("name", sorted(CASES))
def test_jacobian_equals_jacfwd_or_jacrev(name):
    f, args = CASES[name]
    nums = _argnums(args)
    J, report = wg.jacobian(f, argnums=nums, explain=True)(*args)
    route = wg.jacfwd if report.mode == "forward" else wg.jacrev
    for g, w in zip(tree_flatten(J)[0], tree_flatten(route(f, argnums=nums)(*args))[0]):
        _same(g, w)


def test_single_argnum_and_scalar_to_scalar_stay_as_before():
    f = lambda a, b: a * wnp.sin(b)
    for jac in (wg.jacfwd, wg.jacrev, wg.jacobian):
        d = jac(f, argnums=1)(2.0, 0.5)
        assert np.ndim(d) == 0 and d == pytest.approx(2.0 * math.cos(0.5), rel=1e-15)
        assert not isinstance(d, np.ndarray)


# ---------------------------------------------------------------- Hessians

def _rosen(x):
    return wnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def _rosen_hessian(x):
    n = len(x)
    H = np.zeros((n, n))
    i = np.arange(n - 1)
    H[i, i] += 1200 * x[:-1] ** 2 - 400 * x[1:] + 2
    H[i + 1, i + 1] += 200
    H[i, i + 1] = H[i + 1, i] = -400 * x[:-1]
    return H


@pytest.mark.parametrize("chunk", [None, 1, 3, 7, 100])
def test_hessian_closed_form_for_every_chunk_size(chunk):
    x = RNG.uniform(-1.0, 1.0, 7)
    np.testing.assert_allclose(wg.hessian(_rosen, chunk_size=chunk)(x), _rosen_hessian(x),
                               rtol=1e-13, atol=1e-12)


def test_hessian_of_tanh_layer_closed_form():
    W = RNG.standard_normal((6, 5)) / 2
    x = RNG.standard_normal(5)
    g = np.tanh(W @ x)
    want = (W.T * (2 * (1 - g ** 2) * (1 - 3 * g ** 2))) @ W + np.diag(1.2 * x ** 2)
    H = wg.hessian(lambda x: wnp.sum(wnp.tanh(W @ x) ** 2) + 0.1 * wnp.sum(x ** 4))(x)
    np.testing.assert_allclose(H, want, rtol=1e-12, atol=1e-13)


def test_hessian_of_vector_output_and_argnums_tuple():
    f = lambda x, y: wnp.stack([wnp.sum(x ** 2 * y), wnp.prod(x) * y[0]])
    x, y = np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 2.0])
    H = wg.hessian(f, argnums=(0, 1), chunk_size=2)(x, y)
    # closed forms; blocks H[i][j] of shape (2,) + (3,) + (3,)
    p = np.prod(x)
    d_prod = p / x
    dd_prod = p / np.outer(x, x) * (1 - np.eye(3))
    want_xx = np.stack([np.diag(2 * y), y[0] * dd_prod])
    want_xy = np.stack([np.diag(2 * x), np.outer(d_prod, [1.0, 0.0, 0.0])])
    np.testing.assert_allclose(H[0][0], want_xx, **TOL)
    np.testing.assert_allclose(H[0][1], want_xy, **TOL)
    np.testing.assert_allclose(H[1][0], want_xy.transpose(0, 2, 1), **TOL)
    np.testing.assert_allclose(H[1][1], np.zeros((2, 3, 3)), **TOL)


def test_every_nesting_of_batched_jacobians_agrees():
    x = RNG.uniform(-1.0, 1.0, 5)
    want = _rosen_hessian(x)
    for outer in (wg.jacfwd, wg.jacrev):
        for inner in (wg.jacfwd, wg.jacrev):
            for chunk in (None, 2):
                got = outer(inner(_rosen, chunk_size=chunk), chunk_size=chunk)(x)
                np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-12)


def test_third_derivative_through_three_batched_levels():
    # d3/dx3 of sum(x_i^4 / 4 + x_0 x_1 x_2): 6 x_i on the diagonal, 1 at permutations of
    # (0, 1, 2)
    f = lambda x: wnp.sum(x ** 4) / 4.0 + x[0] * x[1] * x[2]
    x = np.array([0.5, -1.0, 2.0])
    T = wg.jacfwd(wg.jacrev(wg.jacfwd(f)))(x)
    want = np.zeros((3, 3, 3))
    for i in range(3):
        want[i, i, i] = 6 * x[i]
    for p in [(0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)]:
        want[p] = 1.0
    np.testing.assert_allclose(T, want, rtol=1e-14, atol=1e-14)


# ---------------------------------------------------------------- under vmap

def test_vmap_of_batched_jacobians_equals_a_loop():
    X = RNG.standard_normal((4, 3))
    f = lambda x: wnp.tanh(A @ x) * x[0]
    for jac in (wg.jacfwd, wg.jacrev, wg.jacobian):
        for chunk in (None, 2):
            got = wg.vmap(jac(f, chunk_size=chunk))(X)
            np.testing.assert_allclose(got, np.stack([jac(f)(x) for x in X]), **TOL)
    H = wg.vmap(wg.hessian(_rosen, chunk_size=2))(X)
    np.testing.assert_allclose(H, np.stack([_rosen_hessian(x) for x in X]), rtol=1e-13,
                               atol=1e-12)


def test_jacobian_of_a_vmapped_function():
    f = wg.vmap(lambda x: wnp.sin(x) * wnp.sum(x))
    X = RNG.standard_normal((2, 3))
    want = loop_jacfwd(f, (X,), (0,))[0][0]
    for jac in (wg.jacfwd, wg.jacrev):
        np.testing.assert_allclose(jac(f)(X), want, **TOL)


# ---------------------------------------------------------------- the passes

def _counting_square():
    """x ** 2 as a primitive whose rules count their calls: each JVP (VJP) rule call
    is one forward (backward) pass through it."""
    calls = {"jvp": 0, "vjp": 0}

    @wg.primitive
    def square(x):
        return x * x

    def vjp_maker(ans, x):
        def rule(g):
            calls["vjp"] += 1
            return 2.0 * x * g
        return rule

    def jvp_rule(t, ans, x):
        calls["jvp"] += 1
        return 2.0 * x * t

    wg.defvjp(square, vjp_maker)
    wg.defjvp(square, jvp_rule)
    return square, calls


@pytest.mark.parametrize("chunk, passes", [(None, 1), (1, 6), (2, 3), (4, 2), (6, 1),
                                           (50, 1)])
def test_one_rule_call_per_batched_pass(chunk, passes):
    square, calls = _counting_square()
    x = RNG.standard_normal(6)
    f = lambda x: wnp.sin(square(x))
    want = np.diag(2 * x * np.cos(x * x))
    np.testing.assert_allclose(wg.jacfwd(f, chunk_size=chunk)(x), want, **TOL)
    assert calls == {"jvp": passes, "vjp": 0}
    np.testing.assert_allclose(wg.jacrev(f, chunk_size=chunk)(x), want, **TOL)
    assert calls == {"jvp": passes, "vjp": passes}


def test_the_function_runs_once_per_batched_pass():
    calls = []

    def f(x):
        calls.append(1)
        return wnp.exp(x) * x[0]

    wg.jacfwd(f)(np.ones(5))
    assert len(calls) == 1
    calls.clear()
    wg.jacfwd(f, chunk_size=2)(np.ones(5))
    assert len(calls) == 3


@pytest.mark.parametrize("n, chunk, mode, passes, width", [
    (3, None, "forward", 1, 3), (3, 2, "forward", 2, 2), (3, 1, "forward", 3, 1),
    (8, None, "reverse", 1, 2), (8, 1, "reverse", 2, 1), (8, 5, "reverse", 1, 2)])
def test_explain_reports_the_batched_passes(n, chunk, mode, passes, width):
    if mode == "forward":  # R^n -> R^(n+2)
        f = lambda x: wnp.concatenate([wnp.sin(x), wnp.sum(x, keepdims=True), x[:1]])
    else:                  # R^n -> R^2
        f = lambda x: wnp.stack([wnp.sum(x ** 2), wnp.prod(x)])
    J, report = wg.jacobian(f, explain=True, chunk_size=chunk)(np.linspace(0.5, 1.5, n))
    products = n if mode == "forward" else 2
    assert (report.mode, report.products, report.num_passes, report.batch_width,
            report.chunk_size) == (mode, products, passes, width, chunk)
    assert f"{passes} batched {'JVP' if mode == 'forward' else 'VJP'} pass" in report.passes
    assert ("batch width", width) in report.rows()
    assert "batch width" in str(report)
    route = wg.jacfwd if mode == "forward" else wg.jacrev
    np.testing.assert_allclose(J, route(f)(np.linspace(0.5, 1.5, n)), **TOL)


def test_explain_on_empty_input():
    J, report = wg.jacobian(lambda x: x * 2.0, explain=True)(np.zeros(0))
    assert J.shape == (0, 0)
    assert (report.num_passes, report.batch_width, report.products) == (0, 0, 0)
    assert "no JVP pass" in report.passes


def test_a_wide_seed_block_is_split_under_the_budget(monkeypatch):
    # budget 12 elements: 5 seeds over 5 elements (25) need 3 passes of at most 2
    monkeypatch.setattr(transforms, "_SEED_BUDGET", 12)
    x = RNG.uniform(-1.0, 1.0, 5)
    J, report = wg.jacobian(wnp.sin, explain=True)(x)
    assert (report.num_passes, report.batch_width, report.chunk_size) == (3, 2, None)
    assert "12 elements" in report.passes
    np.testing.assert_allclose(J, np.diag(np.cos(x)), **TOL)
    np.testing.assert_allclose(wg.hessian(_rosen)(x), _rosen_hessian(x), rtol=1e-13,
                               atol=1e-12)


# ---------------------------------------------------------------- rules that cannot batch

def _numpy_rule_sin():
    """sin as a primitive whose rules turn the tangent/cotangent into a numpy array: right
    for one plain seed, refused (TypeError) for a batch of them."""
    @wg.primitive
    def np_sin(x):
        return np.sin(x)

    wg.defvjp(np_sin, lambda ans, x: lambda g: np.asarray(g) * np.cos(x))
    wg.defjvp(np_sin, lambda t, ans, x: np.asarray(t) * np.cos(x))
    return np_sin


@pytest.mark.parametrize("jac", [wg.jacfwd, wg.jacrev], ids=["jacfwd", "jacrev"])
def test_a_rule_that_cannot_batch_falls_back_to_one_pass_per_seed(jac):
    np_sin = _numpy_rule_sin()
    x = np.array([0.1, 0.2, 0.3])
    with pytest.warns(RuntimeWarning, match="one pass per seed"):
        J = jac(lambda x: np_sin(x) * 2.0, chunk_size=2)(x)
    np.testing.assert_allclose(J, np.diag(2.0 * np.cos(x)), **TOL)


def test_the_fallback_shows_in_the_report():
    np_sin = _numpy_rule_sin()
    x = np.array([0.1, 0.2, 0.3])
    with pytest.warns(RuntimeWarning):
        J, report = wg.jacobian(np_sin, explain=True)(x)
    np.testing.assert_allclose(J, np.diag(np.cos(x)), **TOL)
    assert (report.num_passes, report.batch_width) == (3, 1)
    assert "batched pass raised (TypeError" in report.passes


def test_an_error_of_the_function_itself_raises_without_a_fallback_warning():
    @wg.primitive
    def no_jvp(x):
        return x * 1.0

    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(NotImplementedError, match="no forward-mode rule"):
            wg.jacfwd(no_jvp)(np.ones(3))
        with pytest.raises(ValueError, match="matmul"):
            wg.jacrev(lambda x: np.ones((2, 4)) @ x)(np.ones(3))


# ---------------------------------------------------------------- chunk_size checks

@pytest.mark.parametrize("transform", [wg.jacfwd, wg.jacrev, wg.jacobian, wg.hessian],
                         ids=["jacfwd", "jacrev", "jacobian", "hessian"])
def test_chunk_size_must_be_a_positive_int(transform):
    for bad in ("2", 2.5, True, [2], 2.0):
        with pytest.raises(TypeError, match="chunk_size must be None or a positive int"):
            transform(wnp.sin, chunk_size=bad)
    for bad in (0, -3, np.int64(0)):
        with pytest.raises(ValueError, match="chunk_size must be a positive int"):
            transform(wnp.sin, chunk_size=bad)
    x = np.array([0.1, 0.2, 0.3])
    f = lambda x: wnp.sum(wnp.sin(x)) if transform is wg.hessian else wnp.sin(x)
    np.testing.assert_allclose(transform(f, chunk_size=np.int32(2))(x),
                               transform(f)(x), **TOL)


# ---------------------------------------------------------------- peers

def test_peer_torch_func():
    torch = pytest.importorskip("torch")
    from torch import func as tf
    W = RNG.standard_normal((5, 4))
    x = RNG.standard_normal(4)
    Wt, xt = torch.from_numpy(W), torch.from_numpy(x)
    f = lambda x: wnp.tanh(W @ x) * wnp.sum(x ** 2)
    ft = lambda x: torch.tanh(Wt @ x) * (x ** 2).sum()
    s = lambda x: wnp.sum(wnp.log1p(wnp.exp(W @ x))) + wnp.sum(x ** 4)
    st = lambda x: torch.log1p(torch.exp(Wt @ x)).sum() + (x ** 4).sum()
    np.testing.assert_allclose(wg.jacfwd(f)(x), tf.jacfwd(ft)(xt).numpy(), **TOL)
    np.testing.assert_allclose(wg.jacrev(f, chunk_size=2)(x), tf.jacrev(ft)(xt).numpy(),
                               **TOL)
    np.testing.assert_allclose(wg.hessian(s)(x), tf.hessian(st)(xt).numpy(), **TOL)
