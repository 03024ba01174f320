"""vmap with JAX's semantics, composed with the other transforms, and its errors."""

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
from wengert.core.batching import looped

rng = np.random.default_rng(0)
X = rng.standard_normal((5, 3))
W = rng.standard_normal((3, 4))


def mlp(w, x):
    return wnp.sum(wnp.tanh(x @ w) ** 2)


def test_in_axes_out_axes_and_pytrees():
    out = wg.vmap(lambda p: p["a"] * p["b"], in_axes=({"a": 0, "b": None},))(
        {"a": X, "b": np.arange(3.0)})
    np.testing.assert_allclose(out, X * np.arange(3.0))
    out = wg.vmap(lambda x: x * 2.0, in_axes=1, out_axes=1)(X)
    np.testing.assert_allclose(out, X * 2.0)
    out = wg.vmap(lambda x: (x.sum(), 1.0), out_axes=(0, None))(X)
    np.testing.assert_allclose(out[0], X.sum(axis=1))
    assert out[1] == 1.0
    # an output the same for every example is repeated along the batch axis
    np.testing.assert_allclose(wg.vmap(lambda x: np.ones(2))(X), np.ones((5, 2)))
    np.testing.assert_allclose(wg.vmap(lambda x: x, in_axes=None, axis_size=2)(1.5),
                               [1.5, 1.5])


def test_per_example_gradients_match_a_loop():
    got = wg.vmap(wg.grad(mlp), in_axes=(None, 0))(W, X)
    want = np.stack([wg.grad(mlp)(W, x) for x in X])
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_vmap_composes_with_every_transform():
    f = lambda x: wnp.sum(wnp.sin(x) * x)  # noqa: E731
    g = wg.grad(lambda w: wnp.sum(wg.vmap(mlp, in_axes=(None, 0))(w, X)))(W)
    np.testing.assert_allclose(g, sum(wg.grad(mlp)(W, x) for x in X), rtol=1e-12)
    t = wg.jvp(wg.vmap(f), (X,), (np.ones_like(X),))[1]
    np.testing.assert_allclose(t, [wg.jvp(f, (x,), (np.ones(3),))[1] for x in X], rtol=1e-12)
    H = wg.vmap(wg.hessian(f))(X)
    np.testing.assert_allclose(H, np.stack([wg.hessian(f)(x) for x in X]), rtol=1e-12)
    vv = wg.vmap(wg.vmap(lambda a, b: a * b), in_axes=(0, 1))(X[:2], X[:2].T)
    np.testing.assert_allclose(vv, X[:2] * X[:2])
    jf = wg.vmap(wg.jacfwd(wnp.sin))(X)
    np.testing.assert_allclose(jf, np.stack([np.diag(np.cos(x)) for x in X]), rtol=1e-12)


def test_vmap_with_custom_rules_and_checkpoint():
    @wg.custom_vjp
    def s(x):
        return wnp.sin(x)

    s.defvjp(lambda x: (wnp.sin(x), wnp.cos(x)), lambda c, g: (g * c,))

    @wg.custom_jvp
    def e(x):
        return wnp.exp(x)

    e.defjvp(lambda p, t: (wnp.exp(p[0]), wnp.exp(p[0]) * t[0]))
    for fun, d in ((s, np.cos), (e, np.exp),
                   (wg.checkpoint(lambda x: wnp.sin(x)), np.cos)):
        got = wg.vmap(wg.grad(lambda x: wnp.sum(fun(x))))(X)
        np.testing.assert_allclose(got, d(X), rtol=1e-12)


def test_errors_name_the_argument_axis_and_sizes():
    with pytest.raises(ValueError, match=r"different sizes.*leaf 0: 5, leaf 1: 3"):
        wg.vmap(lambda a, b: a)(X, W)
    with pytest.raises(ValueError, match=r"in_axes 2 is out of range for argument leaf 0 "
                                         r"of shape \(5, 3\)"):
        wg.vmap(lambda a: a, in_axes=2)(X)
    with pytest.raises(ValueError, match=r"out_axes is None for output leaf 0, but it is "
                                         r"batched \(axis 0, size 5\)"):
        wg.vmap(lambda a: a, out_axes=None)(X)
    with pytest.raises(ValueError, match="in_axes has 1 entries but there are 2"):
        wg.vmap(lambda a, b: a, in_axes=(0,))(X, X)
    with pytest.raises(ValueError, match="no argument is batched"):
        wg.vmap(lambda a: a, in_axes=None)(X)


def test_the_primitives_batched_by_a_loop_are_listed():
    # every primitive has a batching rule of its own now: the table of declared
    # per-example loops is empty (a new entry must be declared there)
    names = looped()
    assert names == []
