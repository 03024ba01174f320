"""The PyTorch-style Tensor: backward, grad modes, in-place rules, higher order,
custom Functions, and both styles together, against closed forms and the functional
API (one rule per primitive serves both)."""

import gc
import sys

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp


def test_seed_example_by_backward():
    x1 = wg.tensor(2.0, dtype=wg.float64, requires_grad=True)
    x2 = wg.tensor(5.0, dtype=wg.float64, requires_grad=True)
    f = wg.log(x1) + x1 * x2 - wg.sin(x2)
    f.backward()
    assert f.item() == 11.652071455223084
    assert x1.grad.item() == 5.5 and x2.grad.item() == 1.7163378145367738


def test_grad_accumulates_and_resets():
    x = wg.tensor([1.0, 2.0], requires_grad=True)
    for _ in range(3):
        (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 12.0])
    x.grad.zero_()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])
    x.grad = None
    (3 * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_requires_grad_propagates_and_leaves():
    a = wg.tensor([1.0, 2.0], requires_grad=True)
    b = wg.tensor([3.0, 4.0])
    c = a * b
    assert c.requires_grad and not c.is_leaf and c.grad_fn is not None
    assert not (b * 2).requires_grad and (b * 2).grad_fn is None
    assert a.is_leaf and a.grad_fn is None
    d = c.detach()
    assert not d.requires_grad and d.is_leaf
    assert np.shares_memory(d.numpy(), c.detach().numpy())
    assert "Multiply" in c.grad_fn.name()
    (nxt, _), (none, _) = c.grad_fn.next_functions
    assert nxt.name() == "AccumulateGrad" and none is None


def test_no_grad_as_context_and_decorator():
    w = wg.tensor([1.0], requires_grad=True)
    with wg.no_grad():
        y = w * 2
        with wg.enable_grad():
            z = w * 2
    assert not y.requires_grad and z.requires_grad

    @wg.no_grad()
    def f(t):
        return t * 3

    assert not f(w).requires_grad
    assert wg.is_grad_enabled()
    wg.set_grad_enabled(False)
    try:
        assert not (w * 2).requires_grad
    finally:
        wg.set_grad_enabled(True)


def test_inplace_parameter_update_under_no_grad_writes_the_array():
    w = wg.tensor([1.0, 2.0], requires_grad=True)
    arr = w.detach().numpy()
    (w * w).sum().backward()
    with wg.no_grad():
        w -= 0.5 * w.grad
    np.testing.assert_allclose(w.detach().numpy(), [0.0, 0.0])
    np.testing.assert_allclose(arr, [0.0, 0.0])  # the same memory
    assert w.is_leaf and w.requires_grad


def test_pytorch_errors():
    w = wg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being "
                                           "used in an in-place operation"):
        w += 1
    y = w * 2
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for "
                                           "scalar outputs"):
        y.backward()
    with pytest.raises(RuntimeError, match="does not require grad"):
        wg.tensor([1.0]).sum().backward()
    s = (w * w).sum()
    s.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        s.backward()
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        wg.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires "
                                           "grad"):
        w.numpy()


def test_inplace_change_of_a_saved_value_is_detected():
    x = wg.tensor([1.0, 2.0], requires_grad=True)
    y = (x ** 3).sum()
    with wg.no_grad():
        x.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_inplace_on_non_leaf_is_recorded():
    x = wg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1.0
    h += x ** 2   # in place on a non-leaf: recorded
    h[0] = 3.0 * x[1]
    h.sum().backward()
    # h = (3 x1, x1 + x1^2): d/dx0 = 0, d/dx1 = 3 + 1 + 2 x1
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 8.0])


def test_retain_graph_and_non_scalar_gradient():
    x = wg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x ** 2
    y.backward(wg.ones_like(y), retain_graph=True)
    y.backward(wg.tensor([1.0, 0.0, 2.0]))
    np.testing.assert_allclose(x.grad.numpy(), [2.0 + 2.0, 4.0, 6.0 + 12.0])


def test_retain_grad_and_hooks():
    x = wg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.retain_grad()
    seen = []
    x.register_hook(lambda g: seen.append(g.numpy().copy()))
    handle = h.register_hook(lambda g: g * 10)
    h.sum().backward()
    np.testing.assert_array_equal(h.grad.numpy(), [10.0, 10.0])
    np.testing.assert_array_equal(x.grad.numpy(), [30.0, 30.0])
    np.testing.assert_array_equal(seen[0], [30.0, 30.0])
    handle.remove()


def test_create_graph_higher_order_against_closed_forms():
    x = wg.tensor(0.7, dtype=wg.float64, requires_grad=True)
    y = wg.sin(x) * x ** 2
    (g1,) = wg.autograd.grad(y, x, create_graph=True)
    (g2,) = wg.autograd.grad(g1, x, create_graph=True)
    (g3,) = wg.autograd.grad(g2, x)
    s, c, v = np.sin(0.7), np.cos(0.7), 0.7
    assert g1.item() == pytest.approx(c * v * v + 2 * v * s, rel=1e-14)
    assert g2.item() == pytest.approx(-s * v * v + 4 * v * c + 2 * s, rel=1e-14)
    assert g3.item() == pytest.approx(-c * v * v - 6 * v * s + 6 * c, rel=1e-13)


def test_create_graph_hessian_matches_the_functional_hessian():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((3, 3))
    x0 = rng.standard_normal(3)

    def f(x):
        return wnp.sum(wnp.tanh(A @ x) ** 2) + wnp.sum(x ** 3)

    x = wg.tensor(x0, requires_grad=True)
    y = f(x)
    y.backward(create_graph=True)
    g = x.grad
    H = np.stack([wg.autograd.grad(g[i], x, retain_graph=True)[0].numpy()
                  for i in range(3)])
    np.testing.assert_allclose(H, wg.hessian(f)(x0), rtol=1e-12)


def test_repeated_create_graph_backward_keeps_memory_flat():
    w = wg.tensor(np.ones(50), dtype=wg.float64, requires_grad=True)

    def step():
        loss = (wg.tanh(w) ** 2).sum()
        loss.backward(create_graph=True)
        gnorm = (w.grad ** 2).sum()
        w.grad = None
        return gnorm

    for _ in range(200):
        step()
    gc.collect()
    # live blocks of Python's allocator: each leaked graph would leave dozens
    # (tracemalloc would say the same, at several times the run time)
    base = sys.getallocatedblocks()
    for _ in range(10_000):
        step()
    gc.collect()
    grown = sys.getallocatedblocks() - base
    assert grown < 2_000, grown


def test_numpy_sharing_and_dtype_rules():
    a = np.zeros(3)
    t = wg.from_numpy(a)
    t.add_(2.0)
    np.testing.assert_array_equal(a, [2.0, 2.0, 2.0])
    a[0] = 7.0
    assert t[0].item() == 7.0
    assert wg.tensor([1.0, 2.0]).dtype == np.float32
    assert wg.tensor([1, 2]).dtype == np.int64
    assert (wg.tensor([1.0]) * 2.5).dtype == np.float32
    assert (wg.tensor([1.0]) + wg.tensor([1])).dtype == np.float32
    assert (wg.tensor([1, 2]) / 2).dtype == np.float32
    assert (wg.tensor([1.0]) == 1.0).dtype == np.bool_
    assert isinstance(wg.tensor([1.0]) < 2.0, wg.Tensor)
    wg.set_default_dtype(wg.float64)
    try:
        assert wg.tensor([1.0]).dtype == np.float64
        assert wg.zeros(2).dtype == np.float64
    finally:
        wg.set_default_dtype(wg.float32)


def test_printing_as_pytorch_prints():
    assert repr(wg.tensor([1.0, 2.0], requires_grad=True)) == \
        "tensor([1., 2.], requires_grad=True)"
    assert repr(wg.tensor(0.5)) == "tensor(0.5000)"
    assert repr(wg.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(wg.tensor([1.0], dtype=wg.float64)) == "tensor([1.], dtype=wengert.float64)"
    x = wg.tensor([1.0], requires_grad=True)
    assert repr(x * 2) == "tensor([2.], grad_fn=<MultiplyBackward0>)"
    assert repr(wg.Parameter(wg.tensor([1.0]))).startswith("Parameter containing:\ntensor(")
    assert f"{wg.tensor(1.23456):.2f}" == "1.23"


def test_methods_with_dim_and_keepdim():
    t = wg.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]], requires_grad=True)
    values, indices = t.max(dim=1)
    np.testing.assert_array_equal(values.detach().numpy(), [5.0, 6.0])
    np.testing.assert_array_equal(indices.numpy(), [1, 2])
    assert t.max(dim=0, keepdim=True).values.shape == (1, 3)
    assert t.argmax().item() == 5 and t.argmax(dim=0).tolist() == [1, 0, 1]
    assert t.sum(dim=0).shape == (3,) and t.mean().item() == pytest.approx(3.5)
    assert t.view(3, 2).shape == (3, 2) and t.view(-1).shape == (6,)
    assert t.unsqueeze(0).shape == (1, 2, 3) and t.unsqueeze(-1).shape == (2, 3, 1)
    assert t.permute(1, 0).shape == (3, 2) and t.t().shape == (3, 2)
    assert t.flatten().shape == (6,) and t.size() == (2, 3) and t.size(1) == 3
    assert t.numel() == 6 and t.ndim == 2 and len(t) == 2
    sm = t.softmax(dim=1)
    np.testing.assert_allclose(sm.sum(dim=1).detach().numpy(), [1.0, 1.0], rtol=1e-6)
    (t.log_softmax(dim=1)[:, 0].sum() + t.clamp(2.0, 5.0).sum() + t.relu().sum()
     + t.std()).backward()
    assert t.grad.shape == (2, 3)


def test_custom_function_in_both_styles():
    class Legendre3(wg.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return 0.5 * (5 * x ** 3 - 3 * x)

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * x ** 2 - 1)

    x = wg.tensor([0.3, -0.4], dtype=wg.float64, requires_grad=True)
    Legendre3.apply(x).sum().backward()
    want = 1.5 * (5 * np.array([0.3, -0.4]) ** 2 - 1)
    np.testing.assert_allclose(x.grad.numpy(), want)
    np.testing.assert_allclose(wg.elementwise_grad(Legendre3.apply)(np.array([0.3, -0.4])),
                               want)
    with pytest.raises(NotImplementedError, match="jvp"):
        wg.jvp(Legendre3.apply, (0.3,), (1.0,))


def test_tensors_inside_functional_transforms_and_back():
    w = wg.tensor([0.5, -1.0], dtype=wg.float64, requires_grad=True)
    # a functional gradient of a function that closes over a tensor...
    g = wg.grad(lambda x: wnp.sum(wnp.sin(x * w)))(np.array([1.0, 2.0]))
    assert isinstance(g, wg.Tensor)
    np.testing.assert_allclose(g.detach().numpy(), np.cos([0.5, -2.0]) * [0.5, -1.0])
    # ...is itself differentiable with respect to that tensor by backward
    g.sum().backward()
    x = np.array([1.0, 2.0])
    wv = np.array([0.5, -1.0])
    want = np.cos(x * wv) - x * wv * np.sin(x * wv)
    np.testing.assert_allclose(w.grad.numpy(), want, rtol=1e-12)
    # and grad of a function of a tensor argument
    h = wg.grad(lambda v: wnp.sum(v * v))(wg.tensor([1.0, 2.0], dtype=wg.float64))
    np.testing.assert_allclose(np.asarray(h.numpy() if isinstance(h, wg.Tensor) else h),
                               [2.0, 4.0])


def test_tensor_graph_as_seed_004_draws_it():
    x1 = wg.tensor(2.0, requires_grad=True)
    x2 = wg.tensor(5.0, requires_grad=True)
    y = wg.log(x1) + x1 * x2 - wg.sin(x2)
    dot = y.to_dot()
    boxes = [ln for ln in dot.splitlines() if "shape=box" in ln]
    ops = [ln for ln in dot.splitlines() if "shape=ellipse" in ln]
    edges = [ln for ln in dot.splitlines() if "->" in ln]
    assert len(boxes) == 2 + 5 and len(ops) == 5
    # each op: one edge out, one edge in per tensor operand (log 1, * 2, + 2, sin 1, - 2)
    assert len(edges) == 5 + 8
    assert '"v_-1" [label="v_-1 (leaf)\\n= 2.000"' in dot
    assert 'label="log"' in dot and '"v_5" [label="v_5\\n= 11.652"' in dot
    y.backward()
    assert "(freed by backward)" in y.to_dot()


def test_wengert_list_of_tensor_code():
    t = wg.trace(lambda x: (x * x).sum())(wg.tensor([1.0, 2.0]))
    assert [ln.op for ln in t.lines][-2:] == ["v_0 * v_0", "sum(v_1)"]


def test_every_numpy_function_takes_and_gives_tensors():
    t = wg.tensor([1.0, 3.0, 2.0], requires_grad=True)
    for out in (wnp.argmax(t), wnp.floor(t * 1.5), wnp.isfinite(t), wnp.sin(t),
                wnp.sum(t), np.argmax(t), wnp.where(t > 1.5, t, 0.0)):
        assert isinstance(out, wg.Tensor), type(out)
    (idx,) = wnp.nonzero(t > 1.5)
    assert isinstance(idx, wg.Tensor) and idx.tolist() == [1, 2]
    assert wnp.argmax(np.array([1, 3, 2])) == 1  # plain stays plain


def test_save_and_load_as_pytorch_does(tmp_path):
    import pickle

    wg.manual_seed(0)
    model = wg.nn.Sequential(wg.nn.Linear(3, 2), wg.nn.Tanh(), wg.nn.Linear(2, 1))
    model(wg.randn(4, 3)).sum().backward()  # a module after backward pickles too
    path = tmp_path / "model.pth"
    wg.save(model.state_dict(), path)
    other = wg.nn.Sequential(wg.nn.Linear(3, 2), wg.nn.Tanh(), wg.nn.Linear(2, 1))
    other.load_state_dict(wg.load(path, weights_only=True))
    for (n, p), (m, q) in zip(model.named_parameters(), other.named_parameters()):
        assert n == m and np.array_equal(p.detach().numpy(), q.detach().numpy())
    x = wg.randn(5, 3)
    np.testing.assert_array_equal(model(x).detach().numpy(), other(x).detach().numpy())
    # a whole module needs weights_only=False, and says so otherwise
    wg.save(model, tmp_path / "whole.pth")
    with pytest.raises(pickle.UnpicklingError, match="weights_only=False"):
        wg.load(tmp_path / "whole.pth")
    again = wg.load(tmp_path / "whole.pth", weights_only=False)
    np.testing.assert_array_equal(again(x).detach().numpy(), model(x).detach().numpy())
    p = wg.tensor([1.0, 2.0], requires_grad=True)
    q = pickle.loads(pickle.dumps(p))
    assert q.requires_grad and q.grad is None and q.tolist() == [1.0, 2.0]


def test_in_place_update_under_no_grad_writes_the_array_itself():
    w = wg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (w * w).sum().backward()
    shared = w.detach().numpy()
    before = w._version
    with wg.no_grad():
        w -= 0.5 * w.grad
        w += wg.tensor([1.0, 1.0, 1.0])
        w *= 2.0
        w /= wg.tensor(2.0)
    np.testing.assert_allclose(shared, [1.0, 1.0, 1.0])  # the same memory, as PyTorch
    assert w._version == before + 4 and w.requires_grad and w.is_leaf
    assert w.dtype == np.float32  # the default float type, as PyTorch
    # float32 parameters stay float32 whatever the update's dtype
    v = wg.zeros(2, dtype=wg.float32, requires_grad=True)
    with wg.no_grad():
        v -= wg.tensor([0.5, 0.25], dtype=wg.float64)
    assert v.dtype == np.float32
    np.testing.assert_allclose(v.detach().numpy(), [-0.5, -0.25])
    # the general path's checks stay: a shape that does not fit, a leaf while recording
    with wg.no_grad(), pytest.raises(RuntimeError, match="doesn't match the broadcast"):
        w -= wg.ones((2, 3))
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w -= 1.0


def test_parameter_shares_the_memory_of_its_tensor_as_pytorch():
    a = np.zeros(3)
    t = wg.from_numpy(a)
    p = wg.nn.Parameter(t)
    with wg.no_grad():
        p.add_(1.0)
    np.testing.assert_allclose(a, 1.0)  # one array behind a, t and p
    assert p.requires_grad and p.is_leaf and not t.requires_grad
    assert t._version == p._version == 1
    b = np.ones(2)
    q = wg.nn.Parameter(b)  # anything but a tensor is copied into a new array
    with wg.no_grad():
        q.add_(1.0)
    np.testing.assert_allclose(b, 1.0)
    np.testing.assert_allclose(q.detach().numpy(), 2.0)
