"""wengert.nn without PyTorch: Module bookkeeping (registration, order, state dicts,
.npz files, modes, hooks, dtypes, reprs), the layers' values and gradients against
closed forms and against the functional API (wg.grad of the same computation written
with wengert.numpy), nn.functional inside functional transforms, and the errors."""

import copy
import math
import os
from collections import OrderedDict

import numpy as np
import pytest

import wengert as wg
import wengert.nn as nn
import wengert.nn.functional as F
import wengert.numpy as wnp
from wengert.scipy.special import expit, logsumexp


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def arr(t):
    return np.asarray(t.detach().numpy())


def t64(v, requires_grad=False):
    return wg.tensor(np.asarray(v, dtype=np.float64), requires_grad=requires_grad)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(wg.ones(1))
        self.layer = nn.Linear(3, 4)
        self.register_buffer("steps", wg.zeros(1))
        self.head = nn.Sequential(nn.ReLU(), nn.Linear(4, 2))
        self.tied = self.layer        # the same module twice: listed once
        self.not_a_param = wg.zeros(2)  # a plain tensor attribute: not registered

    def forward(self, x):
        return self.head(self.layer(x) * self.scale)


# ---------------------------------------------------------------- bookkeeping

def test_registration_order_and_traversals():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "scale", "layer.weight", "layer.bias", "head.1.weight", "head.1.bias"]
    assert list(net.parameters())[1] is net.layer.weight
    assert [n for n, _ in net.named_buffers()] == ["steps"]
    assert [n for n, _ in net.named_children()] == ["layer", "head"]
    assert [n for n, _ in net.named_modules()] == ["", "layer", "head", "head.0", "head.1"]
    assert len(list(net.modules())) == 5 and next(iter(net.children())) is net.layer
    assert [n for n, _ in net.named_parameters(recurse=False)] == ["scale"]
    assert [n for n, _ in net.named_parameters(prefix="model")][1] == "model.layer.weight"
    # the state dict has the module's own entries first, then each child's
    assert list(net.state_dict()) == ["scale", "steps", "layer.weight", "layer.bias",
                                      "head.1.weight", "head.1.bias", "tied.weight",
                                      "tied.bias"]
    assert net.get_submodule("head.1") is net.head[1]
    assert net.get_parameter("head.1.bias") is net.head[1].bias
    assert net.get_buffer("steps") is net.steps
    assert "not_a_param" not in dict(net.named_parameters())
    # reassigning and deleting keep the registries straight
    net.scale = nn.Parameter(wg.full((1,), 2.0))
    assert dict(net.named_parameters())["scale"].item() == 2.0
    del net.head
    assert [n for n, _ in net.named_children()] == ["layer"]
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'head'"):
        net.head


def test_registration_errors_are_pytorchs():
    net = Net()
    with pytest.raises(TypeError, match=r"cannot assign '.*' as parameter 'scale' "
                                        r"\(torch.nn.Parameter or None expected\)"):
        net.scale = wg.ones(1)
    with pytest.raises(KeyError, match="parameter name can"):
        net.register_parameter("a.b", None)
    with pytest.raises(KeyError, match="attribute 'layer' already exists"):
        net.register_parameter("layer", None)
    with pytest.raises(TypeError, match="cannot assign 'int' as child module 'head'"):
        net.head = 3
    with pytest.raises(TypeError, match="cannot assign 'int' as buffer 'steps'"):
        net.steps = 3

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(wg.ones(1))

    with pytest.raises(AttributeError, match="cannot assign parameters before "
                                             "Module.__init__\\(\\) call"):
        Early()
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(1)


def test_repr_exactly_as_pytorch():
    model = nn.Sequential(nn.Linear(3, 1), nn.Flatten(0, 1))
    assert repr(model) == ("Sequential(\n  (0): Linear(in_features=3, out_features=1, "
                           "bias=True)\n  (1): Flatten(start_dim=0, end_dim=1)\n)")
    assert repr(Net()) == (
        "Net(\n  (layer): Linear(in_features=3, out_features=4, bias=True)\n"
        "  (head): Sequential(\n    (0): ReLU()\n"
        "    (1): Linear(in_features=4, out_features=2, bias=True)\n  )\n"
        "  (tied): Linear(in_features=3, out_features=4, bias=True)\n)")
    assert repr(nn.ModuleList([nn.ReLU(), nn.ReLU(), nn.Tanh()])) == \
        "ModuleList(\n  (0-1): 2 x ReLU()\n  (2): Tanh()\n)"
    assert repr(nn.LSTM(3, 5, num_layers=2, batch_first=True)) == \
        "LSTM(3, 5, num_layers=2, batch_first=True)"
    assert repr(nn.BatchNorm1d(4)) == ("BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, "
                                       "bias=True, track_running_stats=True)")
    assert repr(nn.LayerNorm(4)) == \
        "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)"
    assert repr(nn.Dropout()) == "Dropout(p=0.5, inplace=False)"
    assert repr(nn.Embedding(10, 3, padding_idx=0)) == "Embedding(10, 3, padding_idx=0)"
    assert repr(nn.GELU(approximate="tanh")) == "GELU(approximate='tanh')"
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(nn.Conv2d(1, 6, 5)) == "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))"
    assert repr(nn.MaxPool2d(2)) == \
        "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.Module()) == "Module()"


def test_state_dict_and_strict_loading():
    wg.manual_seed(1)
    a = nn.Sequential(OrderedDict([("layer", nn.Linear(2, 3)), ("act", nn.Tanh()),
                                   ("out", nn.Linear(3, 1))]))
    sd = a.state_dict()
    assert list(sd) == ["layer.weight", "layer.bias", "out.weight", "out.bias"]
    assert not sd["layer.weight"].requires_grad
    assert np.shares_memory(arr(sd["layer.weight"]), arr(a.layer.weight))
    b = nn.Sequential(OrderedDict([("layer", nn.Linear(2, 3)), ("act", nn.Tanh()),
                                   ("out", nn.Linear(3, 1))]))
    result = b.load_state_dict(sd)
    assert repr(result) == "<All keys matched successfully>"
    assert result.missing_keys == [] and result.unexpected_keys == []
    for (_, p), (_, q) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(arr(p), arr(q))
        assert p is not q and q.requires_grad and q.is_leaf
    bad = dict(sd)
    del bad["out.bias"]
    bad["extra.weight"] = sd["out.weight"]
    bad["layer.weight"] = wg.zeros(5, 5)
    with pytest.raises(RuntimeError) as info:
        b.load_state_dict(bad)
    assert str(info.value) == (
        'Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in state_dict: '
        '"out.bias". \n\tUnexpected key(s) in state_dict: "extra.weight". \n\tsize mismatch '
        'for layer.weight: copying a param with shape Size([5, 5]) from checkpoint, the '
        'shape in current model is Size([3, 2]).')
    del bad["layer.weight"]
    result = b.load_state_dict(bad, strict=False)
    assert result.missing_keys == ["layer.weight", "out.bias"]
    assert result.unexpected_keys == ["extra.weight"]
    # numpy arrays load too, and the dtype of the module is kept
    b.load_state_dict({k: np.ones(v.shape) for k, v in sd.items()})
    assert b.layer.weight.dtype == np.float32 and arr(b.out.bias).tolist() == [1.0]


def test_npz_round_trip(tmp_path, rng):
    wg.manual_seed(2)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(),
                          nn.LSTM(4, 2), )
    model[1](wg.randn(6, 4))   # moves the running statistics
    path = tmp_path / "model.npz"
    nn.save_npz(model, path)
    plain = np.load(path)
    assert list(plain.files) == list(model.state_dict())
    assert plain["1.num_batches_tracked"].dtype == np.int64
    assert plain["0.weight"].dtype == np.float32
    fresh = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.LSTM(4, 2))
    assert repr(nn.load_npz(fresh, path)) == "<All keys matched successfully>"
    for (k, v), (_, w) in zip(model.state_dict().items(), fresh.state_dict().items()):
        np.testing.assert_array_equal(arr(v), arr(w))
        assert v.dtype == w.dtype, k
    read = nn.read_npz(path)
    assert list(read) == list(model.state_dict())
    # a path without the suffix gets it, as numpy.savez; a state dict saves as well
    nn.save_npz(model.state_dict(), os.fspath(tmp_path / "again"))
    assert (tmp_path / "again.npz").exists()
    with pytest.raises(RuntimeError, match="Missing key"):
        nn.load_npz(nn.Linear(3, 4), path)


def test_zero_grad_to_none_and_to_zero():
    net = Net()
    net(wg.randn(2, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    grads = [p.grad for p in net.parameters()]
    assert all(g is not None and not np.any(arr(g)) for g in grads)
    x = wg.randn(2, 3)
    net(x).sum().backward()
    once = arr(net.layer.bias.grad).copy()
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net(x).sum().backward()
    np.testing.assert_array_equal(arr(net.layer.bias.grad), once)
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_train_eval_and_requires_grad():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(), nn.BatchNorm1d(2)))
    assert model.training and model[1][0].training
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        model.train("yes")
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())
    out = model(wg.randn(4, 2))
    assert not out.requires_grad


def test_to_dtype_apply_and_deepcopy():
    net = Net()
    weight = net.layer.weight
    net.double()
    assert net.layer.weight is weight and weight.dtype == np.float64
    assert net.steps.dtype == np.float64 and weight.requires_grad
    bn = nn.BatchNorm1d(3).to(wg.float64)
    assert bn.running_mean.dtype == np.float64
    assert bn.num_batches_tracked.dtype == np.int64   # integer buffers keep their type
    with pytest.raises(TypeError, match="only accepts floating point"):
        bn.to(wg.int64)
    assert bn.to("cpu") is bn
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "ReLU", "Linear", "Sequential", "Net"]
    clone = copy.deepcopy(net)
    assert clone.layer.weight is not net.layer.weight
    np.testing.assert_array_equal(arr(clone.layer.weight), arr(net.layer.weight))
    assert clone.tied is clone.layer


def test_forward_hooks():
    lin = nn.Linear(2, 2)
    calls = []
    pre = lin.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    post = lin.register_forward_hook(lambda m, args, out: calls.append(out.shape) or out + 1)
    y = lin(wg.ones(3, 2))
    np.testing.assert_allclose(arr(y), arr(lin.bias.expand(3, 2) + 1), rtol=1e-6)
    assert calls == [(3, 2)]
    pre.remove()
    post.remove()
    np.testing.assert_allclose(arr(lin(wg.ones(1, 2))),
                               arr(lin.weight.sum(1) + lin.bias)[None], rtol=1e-6)
    kw = lin.register_forward_pre_hook(lambda m, args, kwargs: (args, kwargs),
                                       with_kwargs=True)
    lin(wg.ones(1, 2))
    kw.remove()
    assert not lin._forward_pre_hooks


def test_containers():
    a, b, c = nn.Linear(1, 1), nn.ReLU(), nn.Tanh()
    seq = nn.Sequential(a, b, c)
    assert len(seq) == 3 and seq[0] is a and seq[-1] is c
    sub = seq[1:]
    assert isinstance(sub, nn.Sequential) and list(sub._modules) == ["1", "2"]
    seq.append(nn.Sigmoid())
    assert len(seq) == 4
    del seq[1]
    assert list(seq._modules) == ["0", "1", "2"] and seq[1] is c
    seq.insert(1, b)
    assert seq[1] is b and seq[2] is c
    with pytest.raises(IndexError, match="index 9 is out of range"):
        seq[9]
    assert seq.pop(0) is a and len(seq) == 3
    named = nn.Sequential(OrderedDict([("first", a), ("second", b)]))
    assert list(named.state_dict()) == ["first.weight", "first.bias"]
    lst = nn.ModuleList([nn.Linear(1, 1) for _ in range(3)])
    lst.append(nn.Linear(1, 2))
    lst += [nn.ReLU()]
    assert len(lst) == 5 and len(list(lst.parameters())) == 8
    assert isinstance(lst[1:3], nn.ModuleList) and len(lst[1:3]) == 2
    with pytest.raises(IndexError, match="index -6 is out of range"):
        lst[-6]
    d = nn.ModuleDict({"enc": nn.Linear(2, 2), "dec": nn.Linear(2, 1)})
    d["act"] = nn.ReLU()
    assert list(d) == ["enc", "dec", "act"] and "enc" in d and len(d) == 3
    assert list(d.state_dict()) == ["enc.weight", "enc.bias", "dec.weight", "dec.bias"]
    assert d.pop("act").__class__ is nn.ReLU
    pl = nn.ParameterList([wg.ones(2), nn.Parameter(wg.zeros(3))])
    assert [n for n, _ in pl.named_parameters()] == ["0", "1"]
    assert isinstance(pl[0], nn.Parameter)
    pd = nn.ParameterDict({"w": wg.ones(2)})
    assert list(pd.state_dict()) == ["w"] and pd["w"].requires_grad


# ---------------------------------------------------------------- init and seeding

def test_linear_init_is_pytorchs_and_seeded():
    wg.manual_seed(123)
    a = nn.Linear(40, 30)
    wg.manual_seed(123)
    b = nn.Linear(40, 30)
    np.testing.assert_array_equal(arr(a.weight), arr(b.weight))
    np.testing.assert_array_equal(arr(a.bias), arr(b.bias))
    bound = 1 / math.sqrt(40)
    for p in (a.weight, a.bias):
        v = arr(p)
        assert np.abs(v).max() <= bound and np.abs(v).max() > 0.9 * bound
        assert abs(v.mean()) < 0.1 * bound * 3
    # U(-k, k) has variance k^2 / 3
    assert abs(arr(a.weight).var() - bound ** 2 / 3) < 0.1 * bound ** 2 / 3
    c = nn.Linear(40, 30)
    assert not np.array_equal(arr(a.weight), arr(c.weight))
    assert a.weight.dtype == np.float32 and nn.Linear(2, 2, dtype=wg.float64).weight.dtype \
        == np.float64


def test_init_functions():
    wg.manual_seed(0)
    w = wg.empty(300, 200)
    assert nn.init.xavier_uniform_(w) is w
    a = math.sqrt(6 / 500)
    assert np.abs(arr(w)).max() <= a and np.abs(arr(w)).max() > 0.95 * a
    nn.init.xavier_normal_(w, gain=2.0)
    assert abs(arr(w).std() - 2 * math.sqrt(2 / 500)) < 0.01
    nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    assert abs(arr(w).std() - math.sqrt(2 / 300)) < 0.01
    nn.init.kaiming_uniform_(w, nonlinearity="relu")
    assert np.abs(arr(w)).max() <= math.sqrt(6 / 200)
    q = wg.empty(5, 8)
    nn.init.orthogonal_(q, gain=2.0)
    np.testing.assert_allclose(arr(q) @ arr(q).T, 4 * np.eye(5), atol=1e-5)
    nn.init.constant_(q, 0.5)
    assert set(arr(q).ravel()) == {0.5}
    nn.init.zeros_(q)
    nn.init.ones_(q)
    assert arr(q).sum() == 40
    nn.init.normal_(q, 3.0, 0.0)
    assert set(arr(q).ravel()) == {3.0}
    nn.init.uniform_(q, 2.0, 2.5)
    assert arr(q).min() >= 2.0 and arr(q).max() <= 2.5
    nn.init.trunc_normal_(w, std=2.0, a=-1.0, b=1.5)
    assert arr(w).min() >= -1.0 and arr(w).max() <= 1.5
    e = wg.empty(3, 4)
    nn.init.eye_(e)
    np.testing.assert_array_equal(arr(e), np.eye(3, 4))
    assert nn.init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2 / 1.04)
    assert nn.init.calculate_gain("tanh") == 5 / 3
    with pytest.raises(ValueError, match="Unsupported nonlinearity foo"):
        nn.init.calculate_gain("foo")
    with pytest.raises(ValueError, match="Fan in and fan out can not be computed"):
        nn.init.xavier_uniform_(wg.empty(3))
    # initialising a parameter is not recorded and keeps it a leaf
    p = nn.Parameter(wg.zeros(3, 3))
    nn.init.normal_(p)
    assert p.is_leaf and p.requires_grad and p.grad_fn is None


# ---------------------------------------------------------------- gradients

def test_mlp_gradient_matches_the_functional_api(rng):
    wg.manual_seed(4)
    model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2)).double()
    x = rng.standard_normal((4, 3))
    t = np.array([0, 1, 1, 0])
    loss = nn.CrossEntropyLoss()(model(wg.tensor(x)), wg.tensor(t))
    loss.backward()
    weights = [arr(p).copy() for p in model.parameters()]

    def f(W1, b1, W2, b2):
        z = wnp.tanh(x @ W1.T + b1) @ W2.T + b2
        logp = z - logsumexp(z, axis=1, keepdims=True)
        return -wnp.mean(logp[np.arange(4), t])

    assert loss.item() == pytest.approx(f(*weights), rel=1e-14)
    grads = wg.grad(f, argnums=(0, 1, 2, 3))(*weights)
    for p, g in zip(model.parameters(), grads):
        np.testing.assert_allclose(arr(p.grad), g, rtol=1e-12, atol=1e-14)


def _lstm_reference(x, W_ih, W_hh, b_ih, b_hh, h, c):
    """One LSTM layer written out with wengert.numpy: PyTorch's gate order i, f, g, o."""
    H = h.shape[-1]
    outs = []
    for step in range(x.shape[0]):
        g = x[step] @ W_ih.T + b_ih + h @ W_hh.T + b_hh
        i, f, gg, o = (g[:, :H], g[:, H:2 * H], g[:, 2 * H:3 * H], g[:, 3 * H:])
        c = expit(f) * c + expit(i) * wnp.tanh(gg)
        h = expit(o) * wnp.tanh(c)
        outs.append(h)
    return wnp.stack(outs), h, c


def test_lstm_against_a_functional_reference(rng):
    wg.manual_seed(5)
    lstm = nn.LSTM(3, 4, dtype=wg.float64)
    x = rng.standard_normal((6, 2, 3))
    h0 = rng.standard_normal((1, 2, 4))
    c0 = rng.standard_normal((1, 2, 4))
    R = rng.standard_normal((6, 2, 4))
    out, (h, c) = lstm(wg.tensor(x), (wg.tensor(h0), wg.tensor(c0)))
    weights = [arr(p).copy() for p in lstm.parameters()]
    ref_out, ref_h, ref_c = _lstm_reference(x, *weights, h0[0], c0[0])
    np.testing.assert_allclose(arr(out), ref_out, rtol=1e-13)
    np.testing.assert_allclose(arr(h)[0], ref_h, rtol=1e-13)
    np.testing.assert_allclose(arr(c)[0], ref_c, rtol=1e-13)
    (out * wg.tensor(R)).sum().backward()

    def loss(*ws):
        o, _, _ = _lstm_reference(x, *ws, h0[0], c0[0])
        return wnp.sum(o * R)

    grads = wg.grad(loss, argnums=(0, 1, 2, 3))(*weights)
    for p, g in zip(lstm.parameters(), grads):
        np.testing.assert_allclose(arr(p.grad), g, rtol=1e-11, atol=1e-13)


def test_lstm_shapes_and_errors():
    lstm = nn.LSTM(3, 5, num_layers=2, batch_first=True, bidirectional=True)
    out, (h, c) = lstm(wg.randn(4, 7, 3))
    assert out.shape == (4, 7, 10) and h.shape == (4, 4, 5) and c.shape == (4, 4, 5)
    out, (h, c) = lstm(wg.randn(7, 3))   # unbatched
    assert out.shape == (7, 10) and h.shape == (4, 5)
    assert out.dtype == np.float32
    proj = nn.LSTM(3, 5, proj_size=2)
    out, (h, c) = proj(wg.randn(7, 2, 3))
    assert out.shape == (7, 2, 2) and h.shape == (1, 2, 2) and c.shape == (1, 2, 5)
    assert [n for n, _ in proj.named_parameters()] == [
        "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_hr_l0"]
    with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \(4, 2, 5\), got "
                                           r"\[4, 3, 5\]"):
        lstm(wg.randn(2, 7, 3), (wg.zeros(4, 3, 5), wg.zeros(4, 2, 5)))
    with pytest.raises(ValueError, match="LSTM: Expected input to be 2D or 3D, got 4D"):
        lstm(wg.randn(1, 2, 7, 3))
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size. "
                                           "Expected 3, got 4"):
        lstm(wg.randn(2, 7, 4))
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        nn.LSTM(3, 2, proj_size=2)
    bound = 1 / math.sqrt(5)
    assert all(np.abs(arr(p)).max() <= bound for p in lstm.parameters())


def test_lstm_dropout_between_layers_only_while_training():
    wg.manual_seed(0)
    lstm = nn.LSTM(3, 8, num_layers=2, dropout=0.5)
    x = wg.randn(4, 2, 3)
    a, _ = lstm(x)
    b, _ = lstm(x)
    assert not np.allclose(arr(a), arr(b))
    lstm.eval()
    c, _ = lstm(x)
    d, _ = lstm(x)
    np.testing.assert_array_equal(arr(c), arr(d))
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.LSTM(3, 4, dropout=0.2)


def test_gru_and_rnn_shapes():
    gru = nn.GRU(3, 4, num_layers=2)
    out, h = gru(wg.randn(5, 2, 3))
    assert out.shape == (5, 2, 4) and h.shape == (2, 2, 4)
    assert gru.weight_ih_l0.shape == (12, 3)
    rnn = nn.RNN(3, 4, nonlinearity="relu", batch_first=True)
    out, h = rnn(wg.randn(2, 5, 3))
    assert out.shape == (2, 5, 4) and h.shape == (1, 2, 4) and np.all(arr(out) >= 0)
    with pytest.raises(ValueError, match="Unknown nonlinearity 'gelu'"):
        nn.RNN(3, 4, nonlinearity="gelu")


# ---------------------------------------------------------------- losses

def test_losses_against_closed_forms(rng):
    x = rng.standard_normal((4, 3))
    t = rng.standard_normal((4, 3))
    xt = t64(x, True)
    F.mse_loss(xt, t64(t)).backward()
    np.testing.assert_allclose(arr(xt.grad), 2 * (x - t) / 12, rtol=1e-14)
    assert F.mse_loss(xt, t64(t), reduction="sum").item() == pytest.approx(((x - t) ** 2).sum())
    np.testing.assert_allclose(arr(F.l1_loss(xt, t64(t), reduction="none")), np.abs(x - t))
    xt.grad = None
    F.l1_loss(xt, t64(x)).backward()           # equal: derivative 0
    assert not np.any(arr(xt.grad))
    d = x - t
    huber = np.where(np.abs(d) < 0.5, 0.5 * d * d, 0.5 * (np.abs(d) - 0.25))
    assert F.huber_loss(xt, t64(t), delta=0.5).item() == pytest.approx(huber.mean())
    smooth = np.where(np.abs(d) < 0.5, 0.5 * d * d / 0.5, np.abs(d) - 0.25)
    assert F.smooth_l1_loss(xt, t64(t), beta=0.5).item() == pytest.approx(smooth.mean())
    # binary cross entropy with logits: derivative (sigmoid(x)(1 + (p - 1) t) - p t) / n
    target = rng.random((4, 3))
    pw = np.array([0.5, 2.0, 3.0])
    xt.grad = None
    F.binary_cross_entropy_with_logits(xt, t64(target), pos_weight=t64(pw)).backward()
    s = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(arr(xt.grad), (s * (1 + (pw - 1) * target) - pw * target) / 12,
                               rtol=1e-12)
    # cross entropy: softmax - one hot, over the batch
    logits = rng.standard_normal((5, 4))
    labels = np.array([0, 3, 1, 1, 2])
    lt = t64(logits, True)
    F.cross_entropy(lt, wg.tensor(labels)).backward()
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    np.testing.assert_allclose(arr(lt.grad), (p - np.eye(4)[labels]) / 5, rtol=1e-12)
    # label smoothing: the target is (1 - e) one_hot + e / C
    lt.grad = None
    F.cross_entropy(lt, wg.tensor(labels), label_smoothing=0.2).backward()
    soft = 0.8 * np.eye(4)[labels] + 0.2 / 4
    np.testing.assert_allclose(arr(lt.grad), (p - soft) / 5, rtol=1e-12)
    # probability targets give the same gradient
    lt.grad = None
    F.cross_entropy(lt, t64(soft)).backward()
    np.testing.assert_allclose(arr(lt.grad), (p - soft) / 5, rtol=1e-12)
    # ignore_index and class weights: the mean is over the weights of the kept targets
    w = np.array([1.0, 2.0, 0.5, 3.0])
    loss = F.cross_entropy(t64(logits), wg.tensor(labels), weight=t64(w), ignore_index=1)
    logp = np.log(p)
    kept = labels != 1
    want = -(w[labels] * logp[np.arange(5), labels])[kept].sum() / w[labels][kept].sum()
    assert loss.item() == pytest.approx(want, rel=1e-14)
    nll = F.nll_loss(t64(logp), wg.tensor(labels), reduction="none")
    np.testing.assert_allclose(arr(nll), -logp[np.arange(5), labels])
    # binary cross entropy on probabilities
    prob = 1 / (1 + np.exp(-x))
    pt = t64(prob, True)
    F.binary_cross_entropy(pt, t64(target), reduction="sum").backward()
    np.testing.assert_allclose(arr(pt.grad), (prob - target) / (prob * (1 - prob)),
                               rtol=1e-10)


def test_losses_are_numerically_stable():
    # in float32 too, the derivative is sigmoid(x) - t to float32's precision for
    # logits of either sign (no 1 - sigmoid(-x))
    v = np.array([-30.0, -8.0, -1.0, 0.5, 9.0, 25.0])
    target = np.array([0.0, 0.0, 1.0, 0.3, 1.0, 1.0])
    x32 = wg.tensor(v.astype(np.float32), requires_grad=True)
    F.binary_cross_entropy_with_logits(x32, wg.tensor(target.astype(np.float32)),
                                       reduction="sum").backward()
    np.testing.assert_allclose(arr(x32.grad), 1 / (1 + np.exp(-v)) - target, rtol=1e-6,
                               atol=1e-12)
    x = t64([-1000.0, 0.0, 1000.0], True)
    loss = F.binary_cross_entropy_with_logits(x, t64([0.0, 1.0, 1.0]), reduction="none")
    np.testing.assert_allclose(arr(loss), [0.0, math.log(2), 0.0], atol=1e-300)
    loss.sum().backward()
    np.testing.assert_allclose(arr(x.grad), [0.0, -0.5, 0.0])
    big = t64([[1e4, 0.0, -1e4]], True)
    ce = F.cross_entropy(big, wg.tensor([1]))
    assert ce.item() == pytest.approx(1e4)
    ce.backward()
    np.testing.assert_allclose(arr(big.grad), [[1.0, -1.0, 0.0]])
    p = t64([0.0, 1.0], True)
    bce = F.binary_cross_entropy(p, t64([1.0, 0.0]), reduction="none")
    np.testing.assert_array_equal(arr(bce), [100.0, 100.0])   # logs clamped at -100
    bce.sum().backward()
    assert np.all(np.isfinite(arr(p.grad)))


@pytest.mark.parametrize("cls", [nn.MSELoss, nn.L1Loss, nn.HuberLoss, nn.SmoothL1Loss,
                                 nn.BCEWithLogitsLoss])
def test_reductions(rng, cls):
    x = t64(rng.random((3, 4)))
    t = t64(rng.random((3, 4)))
    none = cls(reduction="none")(x, t)
    assert none.shape == (3, 4)
    assert cls(reduction="sum")(x, t).item() == pytest.approx(arr(none).sum())
    assert cls()(x, t).item() == pytest.approx(arr(none).mean())
    with pytest.raises(ValueError, match="elementwise is not a valid value for reduction"):
        cls(reduction="elementwise")(x, t)


def test_loss_errors():
    logits = wg.randn(3, 4)
    with pytest.raises(IndexError, match="Target 4 is out of bounds."):
        F.cross_entropy(logits, wg.tensor([0, 4, 1]))
    with pytest.raises(ValueError, match=r"Expected input batch_size \(3\) to match target "
                                         r"batch_size \(2\)."):
        F.cross_entropy(logits, wg.tensor([0, 1]))
    with pytest.raises(RuntimeError, match="expected scalar type Long but found Float"):
        F.nll_loss(logits, wg.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"Target size \(torch.Size\(\[3\]\)\) must be the "
                                         r"same as input size"):
        F.binary_cross_entropy_with_logits(wg.randn(3, 1), wg.rand(3))
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(wg.tensor([1.5]), wg.tensor([1.0]))
    with pytest.warns(UserWarning, match="Using a target size"):
        F.mse_loss(wg.randn(3, 1), wg.randn(3))
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        assert nn.MSELoss(size_average=False).reduction == "sum"


# ---------------------------------------------------------------- activations

def test_activations_against_closed_forms(rng):
    erf = np.vectorize(math.erf)
    v = np.concatenate([rng.standard_normal(8) * 3, [0.0]])
    x = t64(v, True)
    phi = np.exp(-v * v / 2) / math.sqrt(2 * math.pi)
    Phi = 0.5 * (1 + erf(v / math.sqrt(2)))
    cases = [
        (lambda a: F.gelu(a), v * Phi, Phi + v * phi),
        (lambda a: F.relu(a), np.maximum(v, 0), (v > 0).astype(float)),
        (lambda a: F.leaky_relu(a, 0.1), np.where(v > 0, v, 0.1 * v), np.where(v > 0, 1, 0.1)),
        (lambda a: F.elu(a, 0.7), np.where(v > 0, v, 0.7 * np.expm1(v)),
         np.where(v > 0, 1, 0.7 * np.exp(v))),
        (lambda a: F.softplus(a, beta=2.0), np.logaddexp(0, 2 * v) / 2, 1 / (1 + np.exp(-2 * v))),
        (lambda a: F.silu(a), v / (1 + np.exp(-v)),
         1 / (1 + np.exp(-v)) * (1 + v * (1 - 1 / (1 + np.exp(-v))))),
        (lambda a: F.sigmoid(a), 1 / (1 + np.exp(-v)), np.exp(-v) / (1 + np.exp(-v)) ** 2),
        (lambda a: F.tanh(a), np.tanh(v), 1 - np.tanh(v) ** 2),
        (lambda a: F.logsigmoid(a), -np.logaddexp(0, -v), 1 - 1 / (1 + np.exp(-v))),
    ]
    for fn, value, slope in cases:
        x.grad = None
        y = fn(x)
        np.testing.assert_allclose(arr(y), value, rtol=1e-12, atol=1e-15)
        y.sum().backward()
        np.testing.assert_allclose(arr(x.grad), slope, rtol=1e-12, atol=1e-15)
    # the tanh approximation stays within 1e-3 of the exact form
    np.testing.assert_allclose(arr(F.gelu(x, approximate="tanh")), v * Phi, atol=1e-3)
    s = F.softmax(t64(rng.standard_normal((2, 5))), dim=1)
    np.testing.assert_allclose(arr(s).sum(1), [1.0, 1.0])
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        F.softmax(t64(rng.standard_normal((2, 5))))
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
        F.gelu(x, approximate="erf")


def test_activation_modules_and_inplace():
    x = wg.tensor([-1.0, 0.0, 2.0])
    for module, fn in [(nn.ReLU(), F.relu), (nn.GELU(), F.gelu), (nn.Tanh(), F.tanh),
                       (nn.Sigmoid(), F.sigmoid), (nn.SiLU(), F.silu), (nn.ELU(), F.elu),
                       (nn.Softplus(), F.softplus), (nn.LeakyReLU(), F.leaky_relu)]:
        np.testing.assert_array_equal(arr(module(x)), arr(fn(x)))
    np.testing.assert_array_equal(arr(nn.Softmax(dim=0)(x)), arr(F.softmax(x, 0)))
    np.testing.assert_array_equal(arr(nn.LogSoftmax(dim=0)(x)), arr(F.log_softmax(x, 0)))
    y = wg.tensor([-1.0, 3.0])
    out = nn.ReLU(inplace=True)(y)
    assert out is y and y.tolist() == [0.0, 3.0]
    w = wg.tensor([-1.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        F.relu(w, inplace=True)
    h = w * 2
    F.relu(h, inplace=True).sum().backward()
    assert w.grad.tolist() == [0.0, 2.0]


def test_float32_is_kept_through_the_layers():
    x = wg.randn(4, 3)
    layers = [nn.Linear(3, 3), nn.LayerNorm(3), nn.BatchNorm1d(3), nn.GELU(), nn.ELU(),
              nn.Softplus(), nn.SiLU(), nn.Dropout(0.3), nn.Softmax(dim=1), nn.RMSNorm(3)]
    for layer in layers:
        assert layer(x).dtype == np.float32, layer
    t = wg.tensor([0, 1, 2, 0])
    assert F.cross_entropy(x, t).dtype == np.float32
    assert F.binary_cross_entropy_with_logits(x, wg.rand(4, 3)).dtype == np.float32
    assert F.mse_loss(x, wg.zeros(4, 3)).dtype == np.float32
    assert nn.LSTM(3, 2)(x[None])[0].dtype == np.float32
    with pytest.raises(RuntimeError, match="mat1 and mat2 must have the same dtype, but got "
                                           "Double and Float"):
        nn.Linear(3, 2)(wg.randn(4, 3, dtype=wg.float64))
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied "
                                           r"\(4x3 and 2x5\)"):
        nn.Linear(2, 5)(x)


# ---------------------------------------------------------------- functional API

def test_functional_runs_inside_functional_transforms(rng):
    """nn.functional on plain arrays under wg.grad gives what backward gives."""
    x = rng.standard_normal((3, 4))
    t = np.array([1, 0, 3])
    w = rng.standard_normal(4)
    cases = [
        lambda a: wnp.sum(F.gelu(a) * w),
        lambda a: wnp.sum(F.layer_norm(a, (4,), w, w) ** 2),
        lambda a: F.cross_entropy(a, t, label_smoothing=0.1),
        lambda a: F.binary_cross_entropy_with_logits(a, np.abs(np.sin(x))),
        lambda a: wnp.sum(F.normalize(a) * w),
        lambda a: wnp.sum(F.elu(a) + F.softplus(a, 2.0) + F.silu(a)),
        lambda a: wnp.sum(F.log_softmax(a, 1) * w),
        lambda a: F.huber_loss(a, np.zeros((3, 4)), delta=0.5),
    ]
    for f in cases:
        got = wg.grad(f)(x)
        xt = t64(x, True)
        out = f(xt)
        out.backward()
        np.testing.assert_allclose(got, arr(xt.grad), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", ["gelu", "layer_norm", "cross_entropy", "bce_logits",
                                  "normalize", "batch_norm", "rms_norm", "softplus",
                                  "group_norm", "embedding"])
def test_functional_check_grads_to_second_order(rng, name):
    x = rng.standard_normal((3, 4)) + 0.1
    fns = {
        "gelu": lambda a: F.gelu(a),
        "layer_norm": lambda a: F.layer_norm(a, (4,)),
        "cross_entropy": lambda a: F.cross_entropy(a, np.array([1, 0, 3])),
        "bce_logits": lambda a: F.binary_cross_entropy_with_logits(a, np.full((3, 4), 0.3),
                                                                   pos_weight=np.ones(4) * 2),
        "normalize": lambda a: F.normalize(a, dim=1),
        "batch_norm": lambda a: F.batch_norm(a, None, None, training=True),
        "rms_norm": lambda a: F.rms_norm(a, (4,)),
        "softplus": lambda a: F.softplus(a, beta=1.5),
        "group_norm": lambda a: F.group_norm(a.reshape(1, 4, 3), 2),
        "embedding": lambda a: F.embedding(np.array([0, 2, 2]), a, padding_idx=1),
    }
    wg.check_grads(fns[name], modes=("fwd", "rev"), order=2)(x)


# ---------------------------------------------------------------- normalisation

def test_layer_norm_values_and_invariance(rng):
    x = t64(rng.standard_normal((3, 5)) * 4 + 2, True)
    y = nn.LayerNorm(5, dtype=wg.float64)(x)
    np.testing.assert_allclose(arr(y).mean(1), 0, atol=1e-14)
    np.testing.assert_allclose(arr(y).var(1), 1 / (1 + 1e-5 / arr(x).var(1)), rtol=1e-12)
    (y * t64(rng.standard_normal((3, 5)))).sum().backward()
    # the output ignores a shift of each row: the gradient sums to zero along it
    np.testing.assert_allclose(arr(x.grad).sum(1), 0, atol=1e-13)
    with pytest.raises(RuntimeError, match=r"Given normalized_shape=\[4\], expected input "
                                           r"with shape \[\*, 4\], but got input of "
                                           r"size\[3, 5\]"):
        F.layer_norm(x, (4,))


def test_batch_norm_running_statistics_and_modes(rng):
    bn = nn.BatchNorm1d(3, dtype=wg.float64)
    x = rng.standard_normal((8, 3)) * 2 + 1
    y = bn(t64(x))
    np.testing.assert_allclose(arr(y), (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5),
                               rtol=1e-12)
    np.testing.assert_allclose(arr(bn.running_mean), 0.1 * x.mean(0), rtol=1e-12)
    np.testing.assert_allclose(arr(bn.running_var), 0.9 + 0.1 * x.var(0, ddof=1),
                               rtol=1e-12)
    assert bn.num_batches_tracked.item() == 1
    bn.eval()
    z = rng.standard_normal((2, 3))
    before = arr(bn.running_mean).copy()
    out = bn(t64(z))
    np.testing.assert_allclose(arr(out), (z - before) / np.sqrt(arr(bn.running_var) + 1e-5),
                               rtol=1e-12)
    np.testing.assert_array_equal(arr(bn.running_mean), before)   # eval: no update
    assert bn.num_batches_tracked.item() == 1
    # momentum None: the cumulative average of the batch statistics
    cum = nn.BatchNorm1d(2, momentum=None, dtype=wg.float64)
    batches = [rng.standard_normal((5, 2)) for _ in range(3)]
    for b in batches:
        cum(t64(b))
    np.testing.assert_allclose(arr(cum.running_mean), np.mean([b.mean(0) for b in batches], 0),
                               rtol=1e-12)
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when "
                                         "training"):
        nn.BatchNorm1d(3)(wg.randn(1, 3))
    with pytest.raises(ValueError, match="expected 2D or 3D input \\(got 4D input\\)"):
        nn.BatchNorm1d(3)(wg.randn(2, 3, 4, 5))


def test_dropout_train_eval_and_seeding():
    x = wg.ones(1000)
    drop = nn.Dropout(0.25)
    wg.manual_seed(9)
    a = arr(drop(x))
    wg.manual_seed(9)
    b = arr(drop(x))
    np.testing.assert_array_equal(a, b)
    assert set(np.unique(a)) <= {0.0, np.float32(1 / 0.75)}
    assert 0.18 < (a == 0).mean() < 0.32
    drop.eval()
    assert drop(x) is x
    assert not np.any(arr(F.dropout(x, 1.0)))
    assert F.dropout(x, 0.0) is x
    w = wg.ones(10, requires_grad=True)
    wg.manual_seed(3)
    out = F.dropout(w, 0.5)
    out.sum().backward()
    np.testing.assert_array_equal(arr(w.grad), arr(out))   # the mask, scaled
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, "
                                         "but got 1.5"):
        nn.Dropout(1.5)


def test_embedding(rng):
    emb = nn.Embedding(6, 3, padding_idx=2)
    assert not np.any(arr(emb.weight)[2])
    idx = wg.tensor([[1, 2, 1], [5, 2, 0]])
    out = emb(idx)
    assert out.shape == (2, 3, 3)
    np.testing.assert_array_equal(arr(out)[0, 0], arr(emb.weight)[1])
    out.sum().backward()
    np.testing.assert_array_equal(arr(emb.weight.grad)[:, 0], [1, 2, 0, 0, 0, 1])
    # scale_grad_by_freq divides each row's gradient by its count in the batch
    scaled = nn.Embedding(6, 3, scale_grad_by_freq=True)
    out = scaled(idx)
    np.testing.assert_array_equal(arr(out), arr(scaled.weight)[arr(idx)])
    out.sum().backward()
    np.testing.assert_array_equal(arr(scaled.weight.grad)[:, 0], [1, 1, 1, 0, 0, 1])
    frozen = nn.Embedding.from_pretrained(wg.tensor(rng.standard_normal((4, 2))))
    assert not frozen.weight.requires_grad
    with pytest.raises(IndexError, match="index out of range in self"):
        emb(wg.tensor([6]))
    with pytest.raises(RuntimeError, match="Expected tensor for argument #1 'indices'"):
        emb(wg.tensor([1.0]))
    assert F.one_hot(wg.tensor([0, 2])).tolist() == [[1, 0, 0], [0, 0, 1]]


def test_pad_and_flatten():
    x = wg.arange(6.0).reshape(1, 2, 3)
    assert F.pad(x, (1, 1)).shape == (1, 2, 5)
    assert F.pad(x, (1, 0, 0, 2), value=-1.0)[0, 3, 0].item() == -1.0
    assert F.pad(x, (-1, 0)).tolist() == [[[1.0, 2.0], [4.0, 5.0]]]
    assert F.pad(x, (2, 0), mode="reflect")[0, 0].tolist() == [2.0, 1.0, 0.0, 1.0, 2.0]
    assert F.pad(x, (0, 2), mode="replicate")[0, 1].tolist() == [3.0, 4.0, 5.0, 5.0, 5.0]
    assert F.pad(x, (1, 1), mode="circular")[0, 0].tolist() == [2.0, 0.0, 1.0, 2.0, 0.0]
    assert nn.Flatten()(wg.zeros(2, 3, 4)).shape == (2, 12)
    assert nn.Flatten(0, 1)(wg.zeros(2, 3, 4)).shape == (6, 4)
    assert nn.Unflatten(1, (3, 4))(wg.zeros(2, 12)).shape == (2, 3, 4)


def test_a_small_regression_trains():
    wg.manual_seed(0)
    x = wg.randn(64, 2)
    y = (x[:, :1] * 2 - x[:, 1:] + 0.5)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1))
    loss_fn = nn.MSELoss()
    first = None
    for _ in range(300):
        model.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        with wg.no_grad():
            for p in model.parameters():
                p -= 0.1 * p.grad
        first = first if first is not None else loss.item()
    assert loss.item() < 0.01 * first


# ---------------------------------------------------------------- convolution, pooling

def test_conv2d_and_pooling_modules(rng):
    pytest.importorskip("wengert.rules.conv")
    wg.manual_seed(0)
    conv = nn.Conv2d(2, 3, 3, padding=1, dtype=wg.float64)
    assert [n for n, _ in conv.named_parameters()] == ["weight", "bias"]
    assert conv.weight.shape == (3, 2, 3, 3)
    assert np.abs(arr(conv.weight)).max() <= 1 / math.sqrt(18)
    x = rng.standard_normal((2, 2, 5, 6))
    y = conv(t64(x))
    assert y.shape == (2, 3, 5, 6)
    # against a direct sum over the window
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    W, b = arr(conv.weight), arr(conv.bias)
    ref = np.zeros((2, 3, 5, 6))
    for i in range(5):
        for j in range(6):
            ref[:, :, i, j] = np.einsum("nchw,ochw->no", xp[:, :, i:i + 3, j:j + 3], W) + b
    np.testing.assert_allclose(arr(y), ref, rtol=1e-12)
    y.sum().backward()
    np.testing.assert_allclose(arr(conv.bias.grad), [60.0, 60.0, 60.0])   # N * H * W
    same = nn.Conv2d(2, 4, 4, padding="same", padding_mode="reflect")
    assert same(wg.randn(1, 2, 7, 7)).shape == (1, 4, 7, 7)
    assert nn.Conv2d(2, 4, 3, stride=2)(wg.randn(2, 7, 9)).shape == (4, 3, 4)   # unbatched
    m = np.array([[[[1.0, 5.0, 2.0, 0.0], [3.0, 4.0, 8.0, 1.0]]]])
    pooled = nn.MaxPool2d(2)(t64(m, True))
    assert pooled.tolist() == [[[[5.0, 8.0]]]]
    avg = nn.AvgPool2d(2)(t64(m))
    assert avg.tolist() == [[[[13.0 / 4, 11.0 / 4]]]]
    mt = t64(m, True)
    nn.MaxPool2d(2)(mt).sum().backward()
    assert arr(mt.grad).tolist() == [[[[0, 1, 0, 0], [0, 0, 1, 0]]]]
    # ceil_mode keeps the last, partial window (closed form on m: 2 x 4 -> 1 x 2,
    # and with a 3-wide window, 1 x 2 instead of 1 x 1)
    assert nn.MaxPool2d(2, ceil_mode=True)(t64(m)).tolist() == [[[[5.0, 8.0]]]]
    assert nn.MaxPool2d((2, 3), ceil_mode=True)(t64(m)).tolist() == [[[[8.0, 1.0]]]]
    with pytest.raises(NotImplementedError, match="ceil_mode"):
        nn.AvgPool2d(2, ceil_mode=True)(t64(m))
    # 1-d layers are the 2-d primitives at height 1
    c1 = nn.Conv1d(2, 3, 3, stride=2, dtype=wg.float64)
    s = rng.standard_normal((2, 2, 9))
    W1, b1 = arr(c1.weight), arr(c1.bias)
    ref = np.stack([np.einsum("ncl,ocl->no", s[:, :, 2 * i:2 * i + 3], W1) + b1
                    for i in range(4)], axis=-1)
    np.testing.assert_allclose(arr(c1(t64(s))), ref, rtol=1e-12)
    assert nn.MaxPool1d(3)(t64(s)).tolist() == s.reshape(2, 2, 3, 3).max(-1).tolist()
    np.testing.assert_allclose(arr(nn.AvgPool1d(3)(t64(s))), s.reshape(2, 2, 3, 3).mean(-1))


def test_adaptive_average_pooling(rng):
    x = rng.standard_normal((2, 3, 5, 7))
    np.testing.assert_allclose(arr(nn.AdaptiveAvgPool2d(1)(t64(x))),
                               x.mean(axis=(2, 3), keepdims=True), rtol=1e-13)
    # PyTorch's windows: [floor(i n / k), ceil((i + 1) n / k)), overlapping when k > n/2
    got = arr(nn.AdaptiveAvgPool1d(3)(t64(x[0, 0, 0][None])))
    v = x[0, 0, 0]
    np.testing.assert_allclose(got[0], [v[0:3].mean(), v[2:5].mean(), v[4:7].mean()])
    assert nn.AdaptiveAvgPool2d((None, 2))(t64(x)).shape == (2, 3, 5, 2)


# ---------------------------------------------------------------- nn.utils

def test_clip_grad_and_parameter_vectors(rng):
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2)).double()
    model(t64(rng.standard_normal((5, 3)))).pow(2).sum().backward()
    grads = np.concatenate([arr(p.grad).ravel() for p in model.parameters()])
    total = nn.utils.clip_grad_norm_(model.parameters(), 0.5)
    assert total.item() == pytest.approx(np.linalg.norm(grads), rel=1e-12)
    clipped = np.concatenate([arr(p.grad).ravel() for p in model.parameters()])
    np.testing.assert_allclose(clipped, grads * 0.5 / (np.linalg.norm(grads) + 1e-6),
                               rtol=1e-12)
    nn.utils.clip_grad_value_(model.parameters(), 0.01)
    assert all(np.abs(arr(p.grad)).max() <= 0.01 for p in model.parameters())
    vec = nn.utils.parameters_to_vector(model.parameters())
    assert vec.shape == (16 + 10,) and vec.requires_grad
    nn.utils.vector_to_parameters(wg.arange(26.0, dtype=wg.float64), model.parameters())
    assert arr(model[1].bias).tolist() == [24.0, 25.0] and model[1].bias.is_leaf
    model.zero_grad()
    model[0].weight.grad = wg.full((4, 3), float("inf"), dtype=wg.float64)
    with pytest.raises(RuntimeError, match="is non-finite, so it cannot be clipped"):
        nn.utils.clip_grad_norm_(model.parameters(), 1.0, error_if_nonfinite=True)
    padded = nn.utils.rnn.pad_sequence([wg.ones(2, 3), wg.ones(4, 3)], batch_first=True,
                                       padding_value=-1.0)
    assert padded.shape == (2, 4, 3) and padded[0, 2:].tolist() == [[-1.0] * 3] * 2
    assert nn.utils.rnn.pad_sequence([wg.ones(2), wg.ones(3)]).shape == (3, 2)
