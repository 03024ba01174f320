"""ravel_pytree / flatten and HIPS autograd's optimizers, on wengert."""

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
from wengert.misc import flatten, optimizers


def _tree():
    return {"w": np.arange(6.0).reshape(2, 3), "b": np.array([0.5, -1.0]),
            "layers": [1.5, np.float32(2.0) * np.ones(2, dtype=np.float32)], "none": None}


def test_ravel_round_trip_keeps_structure_shapes_and_dtypes():
    tree = _tree()
    v, unravel = wg.ravel_pytree(tree)
    assert v.shape == (6 + 2 + 1 + 2,) and v.dtype == np.float64
    back = unravel(v)
    assert wg.tree_flatten(back)[1] == wg.tree_flatten(tree)[1]
    np.testing.assert_array_equal(back["w"], tree["w"])
    assert type(back["layers"][0]) is float and back["layers"][0] == 1.5
    assert back["layers"][1].dtype == np.float32
    assert back["none"] is None


def test_ravel_is_differentiable_both_ways():
    tree = _tree()
    v, unravel = wg.ravel_pytree(tree)

    def loss(p):
        return wnp.sum(p["w"] ** 2) + wnp.sum(p["b"] * p["layers"][0]) \
            + wnp.sum(p["layers"][1] ** 3)

    g_tree = wg.grad(loss)(tree)
    g_flat = wg.grad(lambda u: loss(unravel(u)))(v)
    np.testing.assert_allclose(g_flat, wg.ravel_pytree(g_tree)[0], rtol=1e-6)
    # and ravel itself under a transform: the flat vector of a traced tree
    J = wg.jacobian(lambda w: wg.ravel_pytree({"a": w, "b": 2.0 * w})[0])(np.ones(2))
    np.testing.assert_array_equal(J, [[1, 0], [0, 1], [2, 0], [0, 2]])
    # central differences need float64 throughout (float32 rounding is not smooth)
    tree64 = dict(tree, layers=[1.5, np.ones(2)])
    v64, unravel64 = wg.ravel_pytree(tree64)
    wg.check_grads(lambda u: loss(unravel64(u)), modes=("fwd", "rev"), order=2)(v64)


def test_unravel_refuses_a_vector_of_the_wrong_size():
    _, unravel = wg.ravel_pytree({"a": np.ones(3)})
    with pytest.raises(ValueError, match=r"expected a vector of shape \(3,\)"):
        unravel(np.ones(4))


def test_flatten_is_autograds_name():
    v, unflatten = flatten((np.ones(2), {"a": 3.0}))
    np.testing.assert_array_equal(v, [1.0, 1.0, 3.0])
    assert unflatten(v * 2)[1] == {"a": 6.0}


def test_scipy_minimize_with_jac_true_fits_a_model():
    minimize = pytest.importorskip("scipy.optimize").minimize
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 3))
    true = {"w": np.array([1.0, -2.0, 0.5]), "b": 0.25}
    y = X @ true["w"] + true["b"]
    v0, unravel = wg.ravel_pytree({"w": np.zeros(3), "b": 0.0})

    def loss(p):
        return wnp.mean((X @ p["w"] + p["b"] - y) ** 2)

    res = minimize(wg.value_and_grad(lambda v: loss(unravel(v))), v0, jac=True,
                   method="L-BFGS-B")
    fit = unravel(res.x)
    np.testing.assert_allclose(fit["w"], true["w"], atol=1e-5)
    assert fit["b"] == pytest.approx(true["b"], abs=1e-5)


@pytest.mark.parametrize("name,kwargs", [("sgd", {"num_iters": 500, "step_size": 0.1}),
                                         ("rmsprop", {"num_iters": 800, "step_size": 0.01}),
                                         ("adam", {"num_iters": 800, "step_size": 0.05})])
def test_optimizers_minimise_a_quadratic_over_a_pytree(name, kwargs):
    opt = getattr(optimizers, name)
    target = {"a": np.array([1.0, -2.0]), "b": [np.array([[0.5]])]}

    def objective(p, i):
        return wnp.sum((p["a"] - target["a"]) ** 2) + wnp.sum((p["b"][0] - 0.5) ** 2)

    calls = []
    x0 = {"a": np.zeros(2), "b": [np.zeros((1, 1))]}
    out = opt(wg.grad(objective), x0, callback=lambda x, i, g: calls.append(i), **kwargs)
    assert calls == list(range(kwargs["num_iters"]))
    np.testing.assert_allclose(out["a"], target["a"], atol=2e-2)
    np.testing.assert_allclose(out["b"][0], [[0.5]], atol=2e-2)
    np.testing.assert_array_equal(x0["a"], [0.0, 0.0])


def test_adam_matches_the_published_update_on_one_step():
    g0 = np.array([0.3, -0.1])
    out = optimizers.adam(lambda x, i: g0, np.zeros(2), num_iters=1, step_size=0.01)
    # after one step the bias-corrected moments are g and g**2: x = -lr * g / (|g| + eps)
    np.testing.assert_allclose(out, -0.01 * g0 / (np.abs(g0) + 1e-8))
