"""wengert.nn against PyTorch: the same weights in float64 give the same outputs and
gradients (to 1e-10), the same state-dict keys and the same reprs. Skipped without
torch."""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import wengert as wg  # noqa: E402
import wengert.nn as nn  # noqa: E402
import wengert.nn.functional as F  # noqa: E402

tnn = torch.nn
TF = torch.nn.functional
TOL = dict(rtol=1e-10, atol=1e-10)


def _np(t):
    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    return np.asarray(t.detach().numpy())


def close(a, b, **kw):
    np.testing.assert_allclose(_np(a), _np(b), **(kw or TOL))


def pair(value, requires_grad=True):
    """The same float64 data as a wengert tensor and a torch tensor."""
    value = np.asarray(value)
    rg = requires_grad and value.dtype.kind == "f"
    return (wg.tensor(value, requires_grad=rg),
            torch.tensor(value, requires_grad=rg))


def copy_weights(ours, theirs):
    """Load our module's state dict into the torch module (keys must agree)."""
    sd = {k: torch.from_numpy(np.array(v.numpy())) for k, v in ours.state_dict().items()}
    theirs.load_state_dict(sd, strict=True)
    return theirs


def check_param_grads(ours, theirs, **kw):
    got = dict(ours.named_parameters())
    want = dict(theirs.named_parameters())
    assert list(got) == list(want)
    for name in got:
        assert got[name].grad is not None, name
        close(got[name].grad, want[name].grad, **kw)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


# ---------------------------------------------------------------- layers

def test_mlp_outputs_and_gradients(rng):
    wg.manual_seed(3)
    ours = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 6), nn.ReLU(),
                         nn.Linear(6, 3), nn.LogSoftmax(dim=1)).double()
    theirs = copy_weights(ours, tnn.Sequential(tnn.Linear(4, 8), tnn.Tanh(), tnn.Linear(8, 6),
                                               tnn.ReLU(), tnn.Linear(6, 3),
                                               tnn.LogSoftmax(dim=1)).double())
    x, tx = pair(rng.standard_normal((5, 4)))
    y, ty = ours(x), theirs(tx)
    close(y, ty)
    r = rng.standard_normal((5, 3))
    (y * wg.tensor(r)).sum().backward()
    (ty * torch.tensor(r)).sum().backward()
    close(x.grad, tx.grad)
    check_param_grads(ours, theirs)


def test_linear_on_batched_and_unbatched_input(rng):
    ours = nn.Linear(3, 2, dtype=wg.float64)
    theirs = copy_weights(ours, tnn.Linear(3, 2).double())
    for shape in [(3,), (2, 4, 3)]:
        x, tx = pair(rng.standard_normal(shape))
        close(ours(x), theirs(tx))
    nobias = nn.Linear(3, 2, bias=False, dtype=wg.float64)
    tnobias = copy_weights(nobias, tnn.Linear(3, 2, bias=False).double())
    x, tx = pair(rng.standard_normal((4, 3)))
    nobias(x).sum().backward()
    tnobias(tx).sum().backward()
    check_param_grads(nobias, tnobias)
    close(x.grad, tx.grad)


@pytest.mark.parametrize("kw", [dict(), dict(num_layers=2, batch_first=True),
                                dict(bidirectional=True), dict(num_layers=2,
                                                               bidirectional=True),
                                dict(proj_size=2), dict(bias=False, num_layers=2)])
def test_lstm_matches_pytorch(rng, kw):
    wg.manual_seed(7)
    ours = nn.LSTM(3, 4, dtype=wg.float64, **kw)
    theirs = copy_weights(ours, tnn.LSTM(3, 4, **kw).double())
    assert [n for n, _ in ours.named_parameters()] == \
        [n for n, _ in theirs.named_parameters()]
    bf = kw.get("batch_first", False)
    x, tx = pair(rng.standard_normal((2, 5, 3) if bf else (5, 2, 3)))
    d = 2 if kw.get("bidirectional") else 1
    layers = kw.get("num_layers", 1)
    hsize = kw.get("proj_size", 0) or 4
    h0, th0 = pair(rng.standard_normal((d * layers, 2, hsize)))
    c0, tc0 = pair(rng.standard_normal((d * layers, 2, 4)))
    out, (h, c) = ours(x, (h0, c0))
    tout, (th, tc) = theirs(tx, (th0, tc0))
    close(out, tout)
    close(h, th)
    close(c, tc)
    r1 = rng.standard_normal(tuple(out.shape))
    r2 = rng.standard_normal(tuple(h.shape))
    r3 = rng.standard_normal(tuple(c.shape))
    ((out * wg.tensor(r1)).sum() + (h * wg.tensor(r2)).sum()
     + (c * wg.tensor(r3)).sum()).backward()
    ((tout * torch.tensor(r1)).sum() + (th * torch.tensor(r2)).sum()
     + (tc * torch.tensor(r3)).sum()).backward()
    check_param_grads(ours, theirs)
    for a, b in [(x, tx), (h0, th0), (c0, tc0)]:
        close(a.grad, b.grad)


def test_lstm_unbatched_and_default_state(rng):
    ours = nn.LSTM(3, 4, num_layers=2, dtype=wg.float64)
    theirs = copy_weights(ours, tnn.LSTM(3, 4, num_layers=2).double())
    x, tx = pair(rng.standard_normal((6, 3)))
    out, (h, c) = ours(x)
    tout, (th, tc) = theirs(tx)
    assert tuple(out.shape) == tuple(tout.shape) and tuple(h.shape) == tuple(th.shape)
    close(out, tout)
    close(c, tc)
    out.sum().backward()
    tout.sum().backward()
    close(x.grad, tx.grad)


@pytest.mark.parametrize("cls,kw", [("GRU", dict()), ("GRU", dict(num_layers=2,
                                                                   bidirectional=True,
                                                                   batch_first=True)),
                                    ("RNN", dict()), ("RNN", dict(nonlinearity="relu",
                                                                  num_layers=2))])
def test_gru_and_rnn_match_pytorch(rng, cls, kw):
    ours = getattr(nn, cls)(3, 4, dtype=wg.float64, **kw)
    theirs = copy_weights(ours, getattr(tnn, cls)(3, 4, **kw).double())
    bf = kw.get("batch_first", False)
    x, tx = pair(rng.standard_normal((2, 5, 3) if bf else (5, 2, 3)))
    out, h = ours(x)
    tout, th = theirs(tx)
    close(out, tout)
    close(h, th)
    (out.sum() + (h * h).sum()).backward()
    (tout.sum() + (th * th).sum()).backward()
    check_param_grads(ours, theirs)
    close(x.grad, tx.grad)


@pytest.mark.parametrize("shape,ns,affine", [((4, 5), 5, True), ((2, 3, 4), (3, 4), True),
                                             ((3, 6), 6, False)])
def test_layer_norm_matches_pytorch(rng, shape, ns, affine):
    ours = nn.LayerNorm(ns, elementwise_affine=affine, dtype=wg.float64)
    theirs = tnn.LayerNorm(ns, elementwise_affine=affine).double()
    if affine:
        with wg.no_grad():
            ours.weight.copy_(wg.tensor(rng.standard_normal(ours.weight.shape)))
            ours.bias.copy_(wg.tensor(rng.standard_normal(ours.bias.shape)))
        copy_weights(ours, theirs)
    x, tx = pair(rng.standard_normal(shape) * 3 + 1)
    r = rng.standard_normal(shape)
    y, ty = ours(x), theirs(tx)
    close(y, ty)
    (y * wg.tensor(r)).sum().backward()
    (ty * torch.tensor(r)).sum().backward()
    close(x.grad, tx.grad)
    if affine:
        check_param_grads(ours, theirs)


def test_rms_norm_matches_pytorch(rng):
    for kw in [dict(), dict(eps=1e-3)]:
        ours = nn.RMSNorm((3, 4), dtype=wg.float64, **kw)
        with wg.no_grad():
            ours.weight.copy_(wg.tensor(rng.standard_normal((3, 4))))
        theirs = copy_weights(ours, tnn.RMSNorm((3, 4), **kw).double())
        x, tx = pair(rng.standard_normal((2, 3, 4)))
        y, ty = ours(x), theirs(tx)
        close(y, ty)
        (y * y * y).sum().backward()
        (ty * ty * ty).sum().backward()
        close(x.grad, tx.grad)
        check_param_grads(ours, theirs)


def test_group_norm_matches_pytorch(rng):
    ours = nn.GroupNorm(2, 4, dtype=wg.float64)
    theirs = copy_weights(ours, tnn.GroupNorm(2, 4).double())
    x, tx = pair(rng.standard_normal((3, 4, 5)))
    r = rng.standard_normal((3, 4, 5))
    (ours(x) * wg.tensor(r)).sum().backward()
    (theirs(tx) * torch.tensor(r)).sum().backward()
    close(x.grad, tx.grad)
    check_param_grads(ours, theirs)


@pytest.mark.parametrize("shape,momentum", [((6, 4), 0.1), ((5, 3, 7), 0.3), ((6, 4), None)])
def test_batch_norm_1d_training_running_stats_and_eval(rng, shape, momentum):
    ours = nn.BatchNorm1d(shape[1], momentum=momentum, dtype=wg.float64)
    theirs = tnn.BatchNorm1d(shape[1], momentum=momentum).double()
    with wg.no_grad():
        ours.weight.copy_(wg.tensor(rng.standard_normal(shape[1])))
        ours.bias.copy_(wg.tensor(rng.standard_normal(shape[1])))
    copy_weights(ours, theirs)
    for step in range(3):
        x, tx = pair(rng.standard_normal(shape) * 2 + step)
        r = rng.standard_normal(shape)
        y, ty = ours(x), theirs(tx)
        close(y, ty)
        ours.zero_grad()
        theirs.zero_grad()
        (y * wg.tensor(r)).sum().backward()
        (ty * torch.tensor(r)).sum().backward()
        close(x.grad, tx.grad)
        check_param_grads(ours, theirs)
    for name in ["running_mean", "running_var"]:
        close(getattr(ours, name), getattr(theirs, name))
    assert ours.num_batches_tracked.item() == theirs.num_batches_tracked.item() == 3
    ours.eval()
    theirs.eval()
    x, tx = pair(rng.standard_normal(shape))
    y, ty = ours(x), theirs(tx)
    close(y, ty)
    y.sum().backward()
    ty.sum().backward()
    close(x.grad, tx.grad)


def test_batch_norm_without_running_stats_and_2d(rng):
    ours = nn.BatchNorm1d(3, track_running_stats=False, affine=False, dtype=wg.float64)
    theirs = tnn.BatchNorm1d(3, track_running_stats=False, affine=False).double()
    ours.eval()
    theirs.eval()
    x, tx = pair(rng.standard_normal((4, 3)))
    close(ours(x), theirs(tx))
    ours2 = nn.BatchNorm2d(2, dtype=wg.float64)
    theirs2 = copy_weights(ours2, tnn.BatchNorm2d(2).double())
    x, tx = pair(rng.standard_normal((3, 2, 4, 5)))
    close(ours2(x), theirs2(tx))
    close(ours2.running_var, theirs2.running_var)


def test_embedding_matches_pytorch(rng):
    idx = np.array([[1, 0, 3], [3, 3, 4]])
    for kw in [dict(), dict(padding_idx=3), dict(scale_grad_by_freq=True),
               dict(padding_idx=0, scale_grad_by_freq=True), dict(max_norm=1.0)]:
        ours = nn.Embedding(5, 3, dtype=wg.float64, **kw)
        with wg.no_grad():
            ours.weight.copy_(wg.tensor(rng.standard_normal((5, 3)) * 2))
        theirs = copy_weights(ours, tnn.Embedding(5, 3, **kw).double())
        y, ty = ours(wg.tensor(idx)), theirs(torch.tensor(idx))
        close(y, ty)
        close(ours.weight, theirs.weight)   # max_norm renormalises in place
        r = rng.standard_normal(y.shape)
        (y * wg.tensor(r)).sum().backward()
        (ty * torch.tensor(r)).sum().backward()
        close(ours.weight.grad, theirs.weight.grad)


# ---------------------------------------------------------------- activations

ACTIVATIONS = [
    ("relu", {}), ("leaky_relu", {"negative_slope": 0.2}), ("gelu", {}),
    ("gelu", {"approximate": "tanh"}), ("tanh", {}), ("sigmoid", {}), ("elu", {}),
    ("elu", {"alpha": 0.5}), ("selu", {}), ("celu", {"alpha": 1.5}), ("softplus", {}),
    ("softplus", {"beta": 2.0, "threshold": 5.0}), ("silu", {}), ("mish", {}),
    ("hardtanh", {}), ("relu6", {}), ("hardsigmoid", {}), ("hardswish", {}),
    ("logsigmoid", {}), ("softsign", {}), ("tanhshrink", {}),
    ("softmax", {"dim": 1}), ("log_softmax", {"dim": 0}), ("softmin", {"dim": 1}),
    ("glu", {"dim": 1}),
]


@pytest.mark.parametrize("name,kw", ACTIVATIONS, ids=[f"{n}{k}" for n, k in ACTIVATIONS])
def test_activation_values_and_gradients(rng, name, kw):
    v = rng.standard_normal((3, 8)) * 4
    v[0, :4] = [0.0, 3.0, -3.0, 6.0]          # kinks and edges met exactly
    v[1, :2] = [800.0, -800.0]                 # overflow in a discarded branch
    x, tx = pair(v)
    y, ty = getattr(F, name)(x, **kw), getattr(TF, name)(tx, **kw)
    # PyTorch's float64 hardsigmoid multiplies by a float32 1/6 (relative error 3e-8)
    tol = dict(rtol=1e-7, atol=1e-10) if name == "hardsigmoid" else {}
    close(y, ty, **tol)
    r = rng.standard_normal(tuple(y.shape))
    (y * wg.tensor(r)).sum().backward()
    (ty * torch.tensor(r)).sum().backward()
    assert np.all(np.isfinite(x.grad.numpy()))
    close(x.grad, tx.grad, **tol)


def test_prelu_matches_pytorch(rng):
    ours = nn.PReLU(3, dtype=wg.float64)
    theirs = copy_weights(ours, tnn.PReLU(3).double())
    x, tx = pair(rng.standard_normal((2, 3, 4)))
    ours(x).sum().backward()
    theirs(tx).sum().backward()
    close(x.grad, tx.grad)
    check_param_grads(ours, theirs)


# ---------------------------------------------------------------- losses

REDUCTIONS = ["mean", "sum", "none"]


def _loss_check(ours_fn, theirs_fn, inputs, rng):
    ours_in = [pair(v) for v in inputs]
    out = ours_fn(*[a for a, _ in ours_in])
    tout = theirs_fn(*[b for _, b in ours_in])
    close(out, tout)
    r = rng.standard_normal(tuple(out.shape))
    (out * wg.tensor(r)).sum().backward()
    (tout * torch.tensor(r)).sum().backward()
    for a, b in ours_in:
        if b.requires_grad:
            assert (a.grad is None) == (b.grad is None)
            if b.grad is not None:
                close(a.grad, b.grad)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kw", [("MSELoss", {}), ("L1Loss", {}), ("HuberLoss", {}),
                                     ("HuberLoss", {"delta": 0.5}), ("SmoothL1Loss", {}),
                                     ("SmoothL1Loss", {"beta": 0.3}),
                                     ("SmoothL1Loss", {"beta": 0.0})])
def test_regression_losses(rng, name, kw, reduction):
    x = rng.standard_normal((4, 5))
    t = rng.standard_normal((4, 5))
    t[0, 0] = x[0, 0]          # d = 0 exactly
    t[0, 1] = x[0, 1] - 1.0    # |d| = 1 exactly
    _loss_check(getattr(nn, name)(reduction=reduction, **kw),
                getattr(tnn, name)(reduction=reduction, **kw), [x, t], rng)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_loss(rng, reduction):
    x = 1 / (1 + np.exp(-rng.standard_normal((4, 3) ) * 3))
    t = rng.random((4, 3))
    w = rng.random((4, 3))
    _loss_check(nn.BCELoss(reduction=reduction), tnn.BCELoss(reduction=reduction),
                [x, t], rng)
    _loss_check(nn.BCELoss(weight=wg.tensor(w), reduction=reduction),
                tnn.BCELoss(weight=torch.tensor(w), reduction=reduction), [x, t], rng)
    # probabilities 0 and 1 exactly: the logs are clamped at -100
    edge = np.array([0.0, 1.0, 0.5, 1e-60])
    te = np.array([0.0, 1.0, 1.0, 1.0])
    xo, xt = pair(edge, requires_grad=False)
    close(F.binary_cross_entropy(xo, wg.tensor(te), reduction=reduction),
          TF.binary_cross_entropy(xt, torch.tensor(te), reduction=reduction))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_loss(rng, reduction):
    x = rng.standard_normal((4, 3)) * 4
    x[0, :3] = [0.0, 500.0, -500.0]
    t = rng.random((4, 3))
    w = rng.random((4, 3))
    pw = rng.random(3) * 3
    _loss_check(nn.BCEWithLogitsLoss(reduction=reduction),
                tnn.BCEWithLogitsLoss(reduction=reduction), [x, t], rng)
    _loss_check(lambda a, b: F.binary_cross_entropy_with_logits(
        a, b, wg.tensor(w), pos_weight=wg.tensor(pw), reduction=reduction),
        lambda a, b: TF.binary_cross_entropy_with_logits(
            a, b, torch.tensor(w), pos_weight=torch.tensor(pw), reduction=reduction),
        [x, t], rng)


CE_CASES = [
    dict(),
    dict(weight=True),
    dict(ignore_index=2),
    dict(weight=True, ignore_index=1),
    dict(label_smoothing=0.2),
    dict(label_smoothing=0.1, weight=True, ignore_index=0),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", CE_CASES, ids=[str(c) for c in CE_CASES])
@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 5), (4,)], ids=["NC", "NCd", "C"])
def test_cross_entropy_with_class_targets(rng, reduction, case, shape):
    x = rng.standard_normal(shape) * 3
    cls = 4
    tshape = () if len(shape) == 1 else shape[:1] + shape[2:]
    t = rng.integers(0, cls, tshape) if tshape else np.array(3)
    if tshape:
        t.reshape(-1)[:4] = [0, 1, 2, 3]
    w = rng.random(cls) + 0.5
    kw = dict(case)
    tkw = dict(case)
    if kw.pop("weight", False):
        kw["weight"] = wg.tensor(w)
        tkw["weight"] = torch.tensor(w)
    ours = nn.CrossEntropyLoss(reduction=reduction, **kw)
    theirs = tnn.CrossEntropyLoss(reduction=reduction, **tkw)
    _loss_check(lambda a: ours(a, wg.tensor(t)), lambda a: theirs(a, torch.tensor(t)), [x],
                rng)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing,weighted", [(0.0, False), (0.25, False), (0.0, True),
                                                (0.25, True)])
def test_cross_entropy_with_probability_targets(rng, reduction, smoothing, weighted):
    x = rng.standard_normal((5, 4, 2))
    p = rng.random((5, 4, 2))
    p /= p.sum(axis=1, keepdims=True)
    w = rng.random(4) + 0.5
    kw = dict(reduction=reduction, label_smoothing=smoothing)
    _loss_check(lambda a, b: F.cross_entropy(a, b, weight=wg.tensor(w) if weighted else None,
                                             **kw),
                lambda a, b: TF.cross_entropy(a, b, weight=torch.tensor(w) if weighted
                                              else None, **kw), [x, p], rng)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss(rng, reduction):
    x = rng.standard_normal((6, 3))
    t = np.array([0, 1, 2, 2, 1, 0])
    w = rng.random(3) + 0.1
    for kw, tkw in [({}, {}), ({"weight": wg.tensor(w)}, {"weight": torch.tensor(w)}),
                    ({"ignore_index": 1}, {"ignore_index": 1})]:
        _loss_check(lambda a: F.nll_loss(a, wg.tensor(t), reduction=reduction, **kw),
                    lambda a: TF.nll_loss(a, torch.tensor(t), reduction=reduction, **tkw),
                    [x], rng)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(rng, reduction, log_target):
    x = np.log(rng.dirichlet(np.ones(4), size=3))
    t = rng.dirichlet(np.ones(4), size=3)
    if log_target:
        t = np.log(t + 0.1)
    with pytest.warns(UserWarning) if reduction == "mean" else _nullcontext():
        _loss_check(lambda a, b: F.kl_div(a, b, reduction=reduction, log_target=log_target),
                    lambda a, b: TF.kl_div(a, b, reduction=reduction, log_target=log_target),
                    [x, t], rng)


def test_kl_div_with_zero_targets(rng):
    x = np.log(rng.dirichlet(np.ones(4), size=3))
    t = rng.dirichlet(np.ones(4), size=3)
    t[0, 0] = 0.0   # contributes 0 (xlogy), as PyTorch's
    close(F.kl_div(wg.tensor(x), wg.tensor(t), reduction="sum"),
          TF.kl_div(torch.tensor(x), torch.tensor(t), reduction="sum"))


def test_cross_entropy_with_every_target_ignored_is_nan_as_pytorch():
    x = np.array([[1.0, 2.0], [0.5, -1.0]])
    t = np.array([1, 1])
    with np.errstate(invalid="ignore"):
        ours = F.cross_entropy(wg.tensor(x), wg.tensor(t), ignore_index=1)
    theirs = TF.cross_entropy(torch.tensor(x), torch.tensor(t), ignore_index=1)
    assert np.isnan(ours.item()) and np.isnan(theirs.item())


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# ---------------------------------------------------------------- other functions

def test_pad_normalize_one_hot_and_distances(rng):
    v = rng.standard_normal((2, 3, 4))
    for args in [((1, 2),), ((1, 0, 2, 1),), ((-1, 2, 0, -1),), ((1, 1), "constant", 2.5),
                 ((2, 1), "reflect"), ((2, 1), "replicate"), ((2, 1), "circular"),
                 ((1, 2, 2, 1), "replicate")]:
        x, tx = pair(v)
        y, ty = F.pad(x, *args), TF.pad(tx, *args)
        close(y, ty)
        r = rng.standard_normal(tuple(y.shape))
        (y * wg.tensor(r)).sum().backward()
        (ty * torch.tensor(r)).sum().backward()
        close(x.grad, tx.grad)
    z = v.copy()
    z[0, :, 0] = 0.0   # a zero vector along dim 1
    for kw in [{}, {"p": 1.0}, {"p": 3.0, "dim": 2}]:
        x, tx = pair(z)
        y, ty = F.normalize(x, **kw), TF.normalize(tx, **kw)
        close(y, ty)
        (y * y * y).sum().backward()
        (ty * ty * ty).sum().backward()
        close(x.grad, tx.grad)
    a, ta = pair(v)
    b, tb = pair(rng.standard_normal((2, 3, 4)))
    (F.cosine_similarity(a, b).sum() + F.pairwise_distance(a, b).sum()).backward()
    (TF.cosine_similarity(ta, tb).sum() + TF.pairwise_distance(ta, tb).sum()).backward()
    close(a.grad, ta.grad)
    close(b.grad, tb.grad)
    idx = np.array([[0, 2], [1, 4]])
    assert F.one_hot(wg.tensor(idx)).tolist() == TF.one_hot(torch.tensor(idx)).tolist()
    assert F.one_hot(wg.tensor(idx), 6).tolist() == TF.one_hot(torch.tensor(idx), 6).tolist()


def test_bilinear_matches_pytorch(rng):
    ours = nn.Bilinear(3, 2, 4, dtype=wg.float64)
    theirs = copy_weights(ours, tnn.Bilinear(3, 2, 4).double())
    a, ta = pair(rng.standard_normal((5, 3)))
    b, tb = pair(rng.standard_normal((5, 2)))
    close(ours(a, b), theirs(ta, tb))
    ours(a, b).sum().backward()
    theirs(ta, tb).sum().backward()
    check_param_grads(ours, theirs)


def test_dropout_scaling_matches_pytorch_in_distribution():
    x = wg.ones(20000, dtype=wg.float64)
    y = F.dropout(x, 0.3).numpy()
    assert set(np.round(np.unique(y), 12)) == {0.0, round(1 / 0.7, 12)}
    assert abs((y == 0).mean() - 0.3) < 0.02


# ---------------------------------------------------------------- modules: keys, reprs

def _both(build):
    return build(nn), build(tnn)


MODELS = {
    "mlp": lambda m: m.Sequential(m.Linear(3, 4), m.ReLU(), m.Dropout(0.2), m.Linear(4, 1),
                                  m.Flatten(0, 1)),
    "nested": lambda m: m.Sequential(m.Sequential(m.Linear(2, 2), m.Tanh()),
                                     m.ModuleList([m.Linear(2, 2), m.Linear(2, 2),
                                                   m.Sigmoid()]),
                                     m.ModuleDict({"norm": m.LayerNorm(2),
                                                   "bn": m.BatchNorm1d(2)})),
    "rnn": lambda m: m.ModuleDict({"emb": m.Embedding(10, 4, padding_idx=0),
                                   "lstm": m.LSTM(4, 6, num_layers=2, batch_first=True,
                                                  dropout=0.1, bidirectional=True),
                                   "gru": m.GRU(4, 3, bias=False),
                                   "rnn": m.RNN(4, 3, nonlinearity="relu"),
                                   "head": m.Linear(12, 3, bias=False)}),
    "acts": lambda m: m.Sequential(m.ReLU(inplace=True), m.LeakyReLU(0.2), m.GELU(),
                                   m.GELU(approximate="tanh"), m.ELU(alpha=0.5), m.SELU(),
                                   m.CELU(), m.Softplus(beta=2), m.SiLU(), m.Mish(),
                                   m.Hardtanh(), m.ReLU6(), m.Hardsigmoid(), m.Hardswish(),
                                   m.LogSigmoid(), m.Softsign(), m.Tanhshrink(),
                                   m.Threshold(0.1, 20), m.GLU(), m.PReLU(),
                                   m.Softmax(dim=1), m.LogSoftmax(dim=-1), m.Softmin(0),
                                   m.Identity(), m.Unflatten(1, (2, 2)), m.Bilinear(2, 3, 4)),
    "losses": lambda m: m.Sequential(m.MSELoss(), m.L1Loss(reduction="sum"), m.BCELoss(),
                                     m.BCEWithLogitsLoss(), m.CrossEntropyLoss(),
                                     m.NLLLoss(), m.HuberLoss(delta=2.0), m.SmoothL1Loss(),
                                     m.KLDivLoss()),
    "norms": lambda m: m.Sequential(m.LayerNorm((3, 4), eps=1e-6, elementwise_affine=False),
                                    m.LayerNorm(3, bias=False), m.GroupNorm(2, 4),
                                    m.GroupNorm(1, 3, bias=False), m.RMSNorm(3),
                                    m.RMSNorm((2, 3), eps=1e-3, elementwise_affine=False),
                                    m.BatchNorm1d(5, momentum=None), m.BatchNorm1d(3, bias=False),
                                    m.BatchNorm2d(3, affine=False),
                                    m.BatchNorm1d(2, track_running_stats=False),
                                    m.Embedding(5, 2, max_norm=1.0, norm_type=1.0,
                                                scale_grad_by_freq=True)),
    "conv": lambda m: m.Sequential(m.Conv2d(1, 6, 5), m.Conv2d(3, 4, (3, 2), stride=2,
                                                               padding=1, bias=False),
                                   m.Conv2d(4, 4, 3, padding="same", dilation=2, groups=2,
                                            padding_mode="reflect"),
                                   m.MaxPool2d(2), m.MaxPool2d(3, stride=1, padding=1),
                                   m.AvgPool2d(2), m.AvgPool2d((2, 3), stride=1),
                                   m.Conv1d(2, 4, 3, dilation=2), m.MaxPool1d(3, 1),
                                   m.AvgPool1d(2), m.AdaptiveAvgPool2d((1, 1)),
                                   m.AdaptiveAvgPool1d(4)),
}


@pytest.mark.parametrize("name", list(MODELS))
def test_reprs_keys_and_parameter_order_are_pytorchs(name):
    ours, theirs = _both(MODELS[name])
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == \
        [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    for (k, a), (_, b) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        assert tuple(a.shape) == tuple(b.shape), k


def test_pytorch_state_dict_loads_into_wengert(rng):
    theirs = tnn.Sequential(tnn.Linear(3, 4), tnn.BatchNorm1d(4), tnn.ReLU(),
                            tnn.Linear(4, 2)).double()
    theirs.train()
    theirs(torch.tensor(rng.standard_normal((8, 3))))   # running statistics move
    theirs.eval()
    ours = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    ours.double()
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    ours.eval()
    x = rng.standard_normal((5, 3))
    close(ours(wg.tensor(x)), theirs(torch.tensor(x)))


def test_init_gains_and_linear_bounds():
    for name, param in [("linear", None), ("conv2d", None), ("sigmoid", None),
                        ("tanh", None), ("relu", None), ("leaky_relu", None),
                        ("leaky_relu", 0.2), ("selu", None)]:
        assert nn.init.calculate_gain(name, param) == tnn.init.calculate_gain(name, param)
    w = wg.empty(50, 40)
    nn.init.kaiming_uniform_(w, a=math.sqrt(5))
    assert np.abs(w.numpy()).max() <= 1 / math.sqrt(40)
    assert np.abs(w.numpy()).max() > 0.9 / math.sqrt(40)


# ---------------------------------------------------------------- convolution, pooling

def _conv():
    return pytest.importorskip("wengert.rules.conv")


@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=1), dict(padding="same"),
                                dict(dilation=2, padding=2), dict(groups=2, bias=False),
                                dict(padding=1, padding_mode="reflect"),
                                dict(padding="same", padding_mode="circular")])
def test_conv2d_matches_pytorch(rng, kw):
    _conv()
    ours = nn.Conv2d(4, 6, 3, dtype=wg.float64, **kw)
    theirs = copy_weights(ours, tnn.Conv2d(4, 6, 3, **kw).double())
    x, tx = pair(rng.standard_normal((2, 4, 7, 8)))
    y, ty = ours(x), theirs(tx)
    close(y, ty)
    r = rng.standard_normal(tuple(y.shape))
    (y * wg.tensor(r)).sum().backward()
    (ty * torch.tensor(r)).sum().backward()
    close(x.grad, tx.grad)
    check_param_grads(ours, theirs)


@pytest.mark.parametrize("kind,args", [("max", (2,)), ("max", (3, 2, 1)), ("avg", (2,)),
                                       ("avg", (3, 1, 1)), ("avg", ((2, 3), (1, 2)))])
def test_pooling_matches_pytorch(rng, kind, args):
    _conv()
    ours = (nn.MaxPool2d if kind == "max" else nn.AvgPool2d)(*args)
    theirs = (tnn.MaxPool2d if kind == "max" else tnn.AvgPool2d)(*args)
    for shape in [(2, 3, 6, 7), (3, 6, 7)]:
        x, tx = pair(rng.standard_normal(shape))
        y, ty = ours(x), theirs(tx)
        close(y, ty)
        r = rng.standard_normal(tuple(y.shape))
        (y * wg.tensor(r)).sum().backward()
        (ty * torch.tensor(r)).sum().backward()
        close(x.grad, tx.grad)


def test_small_cnn_matches_pytorch(rng):
    _conv()

    def build(m):
        return m.Sequential(m.Conv2d(1, 4, 3, padding=1), m.ReLU(), m.MaxPool2d(2),
                            m.Conv2d(4, 8, 3), m.Tanh(), m.AvgPool2d(2), m.Flatten(),
                            m.Linear(8, 3))
    ours = build(nn).double()
    theirs = copy_weights(ours, build(tnn).double())
    x, tx = pair(rng.standard_normal((2, 1, 8, 8)))
    t = np.array([0, 2])
    loss = nn.CrossEntropyLoss()(ours(x), wg.tensor(t))
    tloss = tnn.CrossEntropyLoss()(theirs(tx), torch.tensor(t))
    close(loss, tloss)
    loss.backward()
    tloss.backward()
    check_param_grads(ours, theirs)
    close(x.grad, tx.grad)


# ---------------------------------------------------------------- nn.utils

@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
def test_clip_grad_norm_matches_pytorch(rng, norm_type):
    ours = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()
    theirs = copy_weights(ours, tnn.Sequential(tnn.Linear(3, 4), tnn.Tanh(),
                                               tnn.Linear(4, 2)).double())
    x, tx = pair(rng.standard_normal((5, 3)), requires_grad=False)
    (ours(x) ** 2).sum().backward()
    (theirs(tx) ** 2).sum().backward()
    for max_norm in [0.3, 1e6]:
        a = nn.utils.clip_grad_norm_(ours.parameters(), max_norm, norm_type)
        b = tnn.utils.clip_grad_norm_(theirs.parameters(), max_norm, norm_type)
        close(a, b)
        check_param_grads(ours, theirs)
    nn.utils.clip_grad_value_(ours.parameters(), 0.05)
    tnn.utils.clip_grad_value_(theirs.parameters(), 0.05)
    check_param_grads(ours, theirs)
    close(nn.utils.parameters_to_vector(ours.parameters()),
          tnn.utils.parameters_to_vector(theirs.parameters()))


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["left", "right"])
def test_pad_sequence_matches_pytorch(rng, batch_first, side):
    seqs = [rng.standard_normal((n, 2)) for n in (3, 1, 4)]
    ours = nn.utils.rnn.pad_sequence([wg.tensor(s) for s in seqs], batch_first, 9.0, side)
    theirs = tnn.utils.rnn.pad_sequence([torch.tensor(s) for s in seqs], batch_first, 9.0,
                                        side)
    close(ours, theirs)


@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=1), dict(padding="same"),
                                dict(dilation=2, padding=2, groups=2),
                                dict(padding=2, padding_mode="replicate", bias=False),
                                dict(padding="same", padding_mode="reflect")])
def test_conv1d_matches_pytorch(rng, kw):
    _conv()
    ours = nn.Conv1d(4, 6, 3, dtype=wg.float64, **kw)
    theirs = copy_weights(ours, tnn.Conv1d(4, 6, 3, **kw).double())
    assert repr(ours) == repr(theirs)
    for shape in [(2, 4, 9), (4, 9)]:
        x, tx = pair(rng.standard_normal(shape))
        y, ty = ours(x), theirs(tx)
        close(y, ty)
        r = rng.standard_normal(tuple(y.shape))
        ours.zero_grad()
        theirs.zero_grad()
        (y * wg.tensor(r)).sum().backward()
        (ty * torch.tensor(r)).sum().backward()
        close(x.grad, tx.grad)
        check_param_grads(ours, theirs)


@pytest.mark.parametrize("name,args", [("MaxPool1d", (2,)), ("MaxPool1d", (3, 2, 1)),
                                       ("AvgPool1d", (2,)), ("AvgPool1d", (3, 2, 1)),
                                       ("AdaptiveAvgPool1d", (3,)),
                                       ("AdaptiveAvgPool1d", (1,)),
                                       ("AdaptiveAvgPool2d", ((2, 3),)),
                                       ("AdaptiveAvgPool2d", (1,)),
                                       ("AdaptiveAvgPool2d", ((None, 4),)),
                                       ("AdaptiveAvgPool2d", (5,))])
def test_1d_and_adaptive_pooling_match_pytorch(rng, name, args):
    if not name.startswith("Adaptive"):
        _conv()
    ours, theirs = getattr(nn, name)(*args), getattr(tnn, name)(*args)
    assert repr(ours) == repr(theirs)
    shapes = [(2, 3, 9), (3, 9)] if name.endswith("1d") else [(2, 3, 7, 9), (3, 7, 9)]
    for shape in shapes:
        x, tx = pair(rng.standard_normal(shape))
        y, ty = ours(x), theirs(tx)
        close(y, ty)
        r = rng.standard_normal(tuple(y.shape))
        (y * wg.tensor(r)).sum().backward()
        (ty * torch.tensor(r)).sum().backward()
        close(x.grad, tx.grad)


@pytest.mark.parametrize("shape, k, s, p, d, ceil", [
    ((2, 3, 7, 9), 3, 2, 1, 1, True), ((1, 2, 8, 8), 2, None, 0, 2, False),
    ((2, 1, 10, 7), 3, 2, 1, 2, True), ((1, 1, 5, 5), 2, 2, 1, 1, True),
    ((2, 2, 6, 6), (2, 3), (1, 2), (1, 1), (2, 1), True), ((3, 6, 6), 3, 3, 0, 1, True)])
def test_max_pool2d_dilation_ceil_mode_and_indices_as_pytorch(shape, k, s, p, d, ceil):
    x = np.random.default_rng(0).standard_normal(shape)
    tx, wx = torch.tensor(x, requires_grad=True), wg.tensor(x, requires_grad=True)
    t_out, t_idx = TF.max_pool2d(tx, k, s, p, d, ceil_mode=ceil, return_indices=True)
    w_out, w_idx = F.max_pool2d(wx, k, s, p, d, ceil_mode=ceil, return_indices=True)
    close(w_out, t_out)
    np.testing.assert_array_equal(_np(w_idx), _np(t_idx))
    assert w_idx.dtype == np.int64 and not w_idx.requires_grad
    g = np.random.default_rng(1).standard_normal(tuple(t_out.shape))
    (t_out * torch.tensor(g)).sum().backward()
    (w_out * wg.tensor(g)).sum().backward()
    close(wx.grad, tx.grad)
    module = nn.MaxPool2d(k, s, p, d, return_indices=True, ceil_mode=ceil)
    assert tuple(module(wx)[0].shape) == tuple(t_out.shape)


def test_max_pool1d_with_indices_as_pytorch():
    x = np.random.default_rng(2).standard_normal((2, 3, 11))
    t_out, t_idx = TF.max_pool1d(torch.tensor(x), 3, 2, 1, 2, ceil_mode=True,
                                 return_indices=True)
    w_out, w_idx = F.max_pool1d(wg.tensor(x), 3, 2, 1, 2, ceil_mode=True,
                                return_indices=True)
    close(w_out, t_out)
    np.testing.assert_array_equal(_np(w_idx), _np(t_idx))
