"""wengert.optim: the optimisers' first steps against their formulas by hand,
convergence on a quadratic, the base class's groups, state and hooks, the schedulers
against their closed forms, and, when PyTorch is installed, trajectories and learning
rates against PyTorch's own (float64, 20 steps, the same gradients, to 1e-12)."""

import copy
import itertools
import math
import warnings

import numpy as np
import pytest

import wengert as wg
import wengert.optim as optim
from wengert.optim import lr_scheduler

OPTIMISERS = [optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop, optim.Adagrad]


def _param(values, dtype=np.float64):
    return wg.Parameter(wg.tensor(np.asarray(values, dtype=dtype)))


def _set_grad(p, g):
    p.grad = wg.tensor(np.asarray(g, dtype=p.dtype))


def _x(p):
    return p.detach().numpy().copy()


# ---------------------------------------------------------------- first steps by hand

X0 = np.array([1.0, -2.0, 0.5])
G1 = np.array([0.3, -1.2, 2.0])
G2 = np.array([-0.7, 0.4, 1.1])


def _two_steps(opt_cls, **kw):
    p = _param(X0)
    opt = opt_cls([p], **kw)
    _set_grad(p, G1)
    opt.step()
    x1 = _x(p)
    _set_grad(p, G2)
    opt.step()
    return x1, _x(p), opt, p


def test_sgd_plain_steps():
    x1, x2, _, _ = _two_steps(optim.SGD, lr=0.1)
    np.testing.assert_allclose(x1, X0 - 0.1 * G1, rtol=0, atol=1e-15)
    np.testing.assert_allclose(x2, X0 - 0.1 * G1 - 0.1 * G2, rtol=0, atol=1e-15)


def test_sgd_momentum_buffer_starts_as_the_first_gradient():
    lr, mu, tau, wd = 0.1, 0.9, 0.25, 0.01
    x1, x2, opt, p = _two_steps(optim.SGD, lr=lr, momentum=mu, dampening=tau,
                                weight_decay=wd)
    g1 = G1 + wd * X0
    b1 = g1  # no dampening on the first step
    np.testing.assert_allclose(x1, X0 - lr * b1, rtol=0, atol=1e-15)
    g2 = G2 + wd * x1
    b2 = mu * b1 + (1 - tau) * g2
    np.testing.assert_allclose(x2, x1 - lr * b2, rtol=0, atol=1e-15)
    np.testing.assert_allclose(opt.state[p]["momentum_buffer"].numpy(), b2, atol=1e-15)


def test_sgd_nesterov_and_maximize():
    lr, mu = 0.05, 0.8
    x1, x2, _, _ = _two_steps(optim.SGD, lr=lr, momentum=mu, nesterov=True, maximize=True)
    b1 = -G1
    np.testing.assert_allclose(x1, X0 - lr * (-G1 + mu * b1), atol=1e-15)
    b2 = mu * b1 - G2
    np.testing.assert_allclose(x2, x1 - lr * (-G2 + mu * b2), atol=1e-15)


def _adam_by_hand(lr, b1, b2, eps, wd, amsgrad=False, decoupled=False):
    x, m, v, vmax = X0.copy(), 0 * X0, 0 * X0, 0 * X0
    out = []
    for t, g in enumerate([G1, G2], start=1):
        if decoupled:
            x = x * (1 - lr * wd)
        else:
            g = g + wd * x
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        vmax = np.maximum(vmax, v)
        vhat = (vmax if amsgrad else v) / (1 - b2 ** t)
        x = x - lr * (m / (1 - b1 ** t)) / (np.sqrt(vhat) + eps)
        out.append(x)
    return out


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_first_two_steps(amsgrad):
    kw = dict(lr=0.01, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.1, amsgrad=amsgrad)
    x1, x2, opt, p = _two_steps(optim.Adam, **kw)
    h1, h2 = _adam_by_hand(0.01, 0.8, 0.9, 1e-6, 0.1, amsgrad)
    np.testing.assert_allclose(x1, h1, rtol=1e-14)
    np.testing.assert_allclose(x2, h2, rtol=1e-14)
    assert opt.state[p]["step"].item() == 2.0
    assert ("max_exp_avg_sq" in opt.state[p]) == amsgrad
    # the first step moves each coordinate by about lr, whatever the gradient's size
    np.testing.assert_allclose(np.abs(_adam_by_hand(0.01, 0.8, 0.9, 0, 0)[0] - X0), 0.01)


def test_adamw_decouples_weight_decay():
    x1, x2, _, _ = _two_steps(optim.AdamW, lr=0.01, betas=(0.8, 0.9), eps=1e-6,
                              weight_decay=0.5)
    h1, h2 = _adam_by_hand(0.01, 0.8, 0.9, 1e-6, 0.5, decoupled=True)
    np.testing.assert_allclose(x1, h1, rtol=1e-14)
    np.testing.assert_allclose(x2, h2, rtol=1e-14)
    assert optim.AdamW([_param(X0)]).defaults["weight_decay"] == 1e-2


@pytest.mark.parametrize("centered,momentum", [(False, 0), (True, 0), (True, 0.7)])
def test_rmsprop_first_two_steps(centered, momentum):
    lr, alpha, eps, wd = 0.01, 0.9, 1e-8, 0.05
    x1, x2, _, _ = _two_steps(optim.RMSprop, lr=lr, alpha=alpha, eps=eps, weight_decay=wd,
                              momentum=momentum, centered=centered)
    x, v, gbar, b = X0.copy(), 0 * X0, 0 * X0, 0 * X0
    for g, got in [(G1, x1), (G2, x2)]:
        g = g + wd * x
        v = alpha * v + (1 - alpha) * g * g
        gbar = alpha * gbar + (1 - alpha) * g
        d = np.sqrt(v - gbar ** 2 if centered else v) + eps
        b = momentum * b + g / d
        x = x - lr * (b if momentum else g / d)
        np.testing.assert_allclose(got, x, rtol=1e-13)


def test_adagrad_first_two_steps():
    lr, decay, wd, s0, eps = 0.1, 0.5, 0.02, 0.3, 1e-10
    x1, x2, _, _ = _two_steps(optim.Adagrad, lr=lr, lr_decay=decay, weight_decay=wd,
                              initial_accumulator_value=s0, eps=eps)
    x, s = X0.copy(), s0 + 0 * X0
    for t, (g, got) in enumerate([(G1, x1), (G2, x2)], start=1):
        g = g + wd * x
        s = s + g * g
        x = x - lr / (1 + (t - 1) * decay) * g / (np.sqrt(s) + eps)
        np.testing.assert_allclose(got, x, rtol=1e-14)


# ---------------------------------------------------------------- convergence

@pytest.mark.parametrize("cls,kw,steps", [
    (optim.SGD, dict(lr=0.1), 200),
    (optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True), 200),
    (optim.Adam, dict(lr=0.1), 400),
    (optim.Adam, dict(lr=0.1, amsgrad=True), 400),
    (optim.AdamW, dict(lr=0.1, weight_decay=0.0), 400),
    (optim.RMSprop, dict(lr=0.01, centered=True, momentum=0.5), 400),
    (optim.Adagrad, dict(lr=0.5), 400),
], ids=lambda v: getattr(v, "__name__", None))
def test_converges_on_a_quadratic(cls, kw, steps):
    a = np.array([[3.0, 0.5], [0.5, 1.0]])
    target = np.array([1.0, -2.0])
    w = wg.tensor([0.0, 0.0], dtype=wg.float64, requires_grad=True)
    A, t = wg.tensor(a), wg.tensor(target)
    opt = cls([w], **kw)
    for _ in range(steps):
        opt.zero_grad()
        d = w - t
        loss = (d * (A @ d)).sum()
        loss.backward()
        opt.step()
    np.testing.assert_allclose(w.detach().numpy(), target, atol=1e-3)


def test_step_with_closure_returns_the_loss_and_runs_with_grad():
    w = wg.tensor([2.0], dtype=wg.float64, requires_grad=True)
    opt = optim.SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with wg.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 4.0 and w.item() == 1.0


# ---------------------------------------------------------------- in place, skipping

@pytest.mark.parametrize("cls", OPTIMISERS, ids=lambda c: c.__name__)
def test_updates_in_place_and_skips_params_without_grad(cls):
    p, q = _param([1.0, 2.0]), _param([3.0, 4.0])
    view = p.detach().numpy()
    version = p._version
    opt = cls([p, q], lr=0.1)
    _set_grad(p, [1.0, -1.0])
    opt.step()
    assert not np.array_equal(view, [1.0, 2.0]) and p._version > version
    np.testing.assert_array_equal(view, p.detach().numpy())
    np.testing.assert_array_equal(q.detach().numpy(), [3.0, 4.0])
    assert q not in opt.state or cls is optim.Adagrad
    assert p.requires_grad and p.is_leaf and p.grad_fn is None


@pytest.mark.parametrize("cls", OPTIMISERS, ids=lambda c: c.__name__)
def test_float32_parameters_stay_float32(cls):
    p = _param([1.0, 2.0], np.float32)
    opt = cls([p], lr=0.1)
    _set_grad(p, [0.5, -0.5])
    opt.step()
    assert p.dtype == np.float32
    assert all(v.dtype == np.float32 for k, v in opt.state[p].items() if k != "step")


def test_complex_parameters_move_as_pairs_of_reals():
    p = wg.Parameter(wg.tensor(np.array([1 + 2j, -1j])))
    opt = optim.Adam([p], lr=0.1)
    p.grad = wg.tensor(np.array([1 - 1j, 2 + 0j]))
    opt.step()
    # Adam's first step moves each real component by lr against its sign
    np.testing.assert_allclose(p.detach().numpy(), [0.9 + 2.1j, -0.1 - 1j], atol=1e-6)
    assert opt.state[p]["exp_avg"].dtype == np.complex128


# ---------------------------------------------------------------- the base class

def test_zero_grad_to_none_or_to_zeros():
    x, z = _param([1.0, 2.0]), _param([3.0, 4.0])
    ((x + z) * wg.tensor([1.0, 2.0])).sum().backward()
    opt = optim.SGD([x], lr=0.1)
    gx = x.grad
    opt.zero_grad(set_to_none=False)
    assert x.grad is gx and not x.grad.requires_grad
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(z.grad.numpy(), [1.0, 2.0])  # a shared cotangent
    opt.zero_grad()
    assert x.grad is None


def test_param_groups_take_their_own_options():
    a, b = _param([1.0]), _param([1.0])
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.0)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[1]["lr"] == 0.5
    assert opt.param_groups[1]["params"] == [b]
    _set_grad(a, [1.0])
    _set_grad(b, [1.0])
    opt.step()
    assert a.item() == pytest.approx(0.9) and b.item() == pytest.approx(0.5)
    opt.param_groups[0]["lr"] = 1.0
    opt.step()
    assert a.item() == pytest.approx(-0.1)
    c = _param([2.0])
    opt.add_param_group({"params": [c], "momentum": 0.9})
    assert opt.param_groups[2]["lr"] == 0.1 and opt.param_groups[2]["momentum"] == 0.9


def test_named_parameters_are_accepted():
    a, b = _param([1.0]), _param([2.0])
    opt = optim.Adam([("w", a), ("b", b)])
    assert opt.param_groups[0]["param_names"] == ["w", "b"]
    assert opt.param_groups[0]["params"] == [a, b]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]


def test_the_errors_are_pytorchs():
    p = _param([1.0])
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        optim.SGD(p, lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam([])
    with pytest.raises(TypeError, match="can only optimize Tensors"):
        optim.Adam([1.0])
    with pytest.raises(TypeError, match="ordered collections"):
        optim.Adam([{"params": {p}}])
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([p * 2], lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        optim.Adam([p], lr=-1)
    with pytest.raises(ValueError, match="Invalid beta parameter at index 1: 1.0"):
        optim.Adam([p], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="Nesterov momentum requires"):
        optim.SGD([p], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="Invalid alpha value"):
        optim.RMSprop([p], alpha=-0.1)
    with pytest.raises(ValueError, match="Invalid lr_decay value"):
        optim.Adagrad([p], lr_decay=-1)
    with pytest.raises(NotImplementedError, match="not differentiated"):
        optim.Adam([p], differentiable=True)
    with pytest.raises(ValueError, match="required optimization parameter lr"):
        class Custom(optim.Optimizer):
            def __init__(self, params, lr=optim.required):
                super().__init__(params, {"lr": lr})
        Custom([p])


def test_a_custom_optimizer_subclass_works_with_hooks():
    class Sign(optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, {"lr": lr})

        @wg.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        p.sub_(p.grad.sign() * group["lr"])

    p = _param([1.0, -1.0])
    opt = Sign([p])
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, a, k: calls.append("pre"))
    opt.register_step_post_hook(lambda o, a, k: calls.append("post"))
    _set_grad(p, [2.0, -3.0])
    opt.step()
    np.testing.assert_allclose(p.detach().numpy(), [0.9, -0.9])
    h1.remove()
    opt.step()
    assert calls == ["pre", "post", "post"]


def test_repr_lists_the_options():
    text = repr(optim.SGD([_param([1.0])], lr=0.1, momentum=0.9))
    assert text.startswith("SGD (\nParameter Group 0\n") and "    momentum: 0.9\n" in text
    assert text.endswith(")")


@pytest.mark.parametrize("cls,kw", [
    (optim.SGD, dict(lr=0.1, momentum=0.9)), (optim.Adam, dict(lr=0.1, amsgrad=True)),
    (optim.AdamW, dict(lr=0.1)), (optim.RMSprop, dict(centered=True, momentum=0.5)),
    (optim.Adagrad, dict(lr_decay=0.1))], ids=lambda v: getattr(v, "__name__", None))
def test_state_dict_round_trip_continues_the_same_trajectory(cls, kw):
    rng = np.random.default_rng(0)
    grads = rng.standard_normal((8, 2, 3))
    a = [_param(rng.standard_normal(3)), _param(rng.standard_normal(3))]
    b = [_param(_x(t)) for t in a]
    opt_a = cls([{"params": [a[0]]}, {"params": [a[1]], "lr": 0.05}], **kw)
    for g in grads[:4]:
        for t, gi in zip(a, g):
            _set_grad(t, gi)
        opt_a.step()
    for s, t in zip(b, a):
        s.detach().numpy()[...] = _x(t)
    saved = opt_a.state_dict()
    assert sorted(saved["state"]) == [0, 1]
    assert [g["params"] for g in saved["param_groups"]] == [[0], [1]]
    assert saved["param_groups"][1]["lr"] == 0.05
    opt_b = cls([{"params": [b[0]]}, {"params": [b[1]]}], **kw)
    opt_b.load_state_dict(copy.deepcopy(saved))
    assert opt_b.param_groups[1]["lr"] == 0.05 and opt_b.param_groups[0]["params"] == [b[0]]
    for key, value in opt_a.state[a[0]].items():
        assert opt_b.state[b[0]][key] is not value
    for g in grads[4:]:
        for t, s, gi in zip(a, b, g):
            _set_grad(t, gi)
            _set_grad(s, gi)
        opt_a.step()
        opt_b.step()
    for t, s in zip(a, b):
        np.testing.assert_array_equal(_x(t), _x(s))


def test_load_state_dict_checks_the_groups():
    opt = optim.SGD([_param([1.0]), _param([2.0])], lr=0.1)
    other = optim.SGD([_param([1.0])], lr=0.1)
    with pytest.raises(ValueError, match="doesn't match the size"):
        opt.load_state_dict(other.state_dict())
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": []})


# ---------------------------------------------------------------- schedulers

def _sched_lrs(make, steps=30, lr=0.5, groups=1):
    params = [{"params": [_param([1.0])], "lr": lr * (i + 1)} for i in range(groups)]
    opt = optim.SGD(params, lr=lr)
    sched = make(opt)
    out = [sched.get_last_lr()]
    for _ in range(steps):
        opt.step()
        sched.step()
        out.append(sched.get_last_lr())
        assert out[-1] == [g["lr"] for g in opt.param_groups]
    return np.array(out)


SCHEDULERS = {
    "StepLR": (lambda o: lr_scheduler.StepLR(o, step_size=4, gamma=0.5),
               lambda b, e: b * 0.5 ** (e // 4)),
    "MultiStepLR": (lambda o: lr_scheduler.MultiStepLR(o, [3, 7, 7, 20], gamma=0.3),
                    lambda b, e: b * 0.3 ** sum(m <= e for m in [3, 7, 7, 20])),
    "ExponentialLR": (lambda o: lr_scheduler.ExponentialLR(o, gamma=0.9),
                      lambda b, e: b * 0.9 ** e),
    "CosineAnnealingLR": (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=10,
                                                                    eta_min=0.01),
                          lambda b, e: 0.01 + (b - 0.01) * (1 + math.cos(math.pi * e / 10))
                          / 2),
    "LambdaLR": (lambda o: lr_scheduler.LambdaLR(o, lambda e: 1 / (1 + e)),
                 lambda b, e: b / (1 + e)),
}


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_scheduler_against_its_closed_form(name):
    make, closed = SCHEDULERS[name]
    got = _sched_lrs(make, groups=2)
    want = np.array([[closed(b, e) for b in (0.5, 1.0)] for e in range(31)])
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)


def test_scheduler_sets_initial_lr_and_last_epoch():
    opt = optim.SGD([_param([1.0])], lr=0.2)
    sched = lr_scheduler.StepLR(opt, step_size=2)
    assert opt.param_groups[0]["initial_lr"] == 0.2 and sched.last_epoch == 0
    assert sched.base_lrs == [0.2] and sched.get_last_lr() == [0.2]
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.StepLR(optim.SGD([_param([1.0])], lr=0.2), 2, last_epoch=3)


def test_scheduler_warns_when_stepped_before_the_optimizer():
    opt = optim.SGD([_param([1.0])], lr=0.2)
    sched = lr_scheduler.ExponentialLR(opt, 0.5)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    opt2 = optim.SGD([_param([1.0])], lr=0.2)
    sched2 = lr_scheduler.ExponentialLR(opt2, 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt2.step()
        sched2.step()
    with pytest.warns(UserWarning, match="get_last_lr"):
        sched2.get_lr()


def test_scheduler_step_with_epoch_uses_the_closed_form_and_state_dict_resumes():
    opt = optim.SGD([_param([1.0])], lr=1.0)
    sched = lr_scheduler.MultiStepLR(opt, [2, 5], gamma=0.1)
    opt.step()
    with pytest.warns(UserWarning, match="epoch parameter"):
        sched.step(6)
    assert sched.get_last_lr() == [pytest.approx(0.01)]
    saved = sched.state_dict()
    assert "optimizer" not in saved and saved["last_epoch"] == 6
    opt2 = optim.SGD([_param([1.0])], lr=1.0)
    sched2 = lr_scheduler.MultiStepLR(opt2, [1], gamma=0.5)
    sched2.load_state_dict(saved)
    assert sched2.last_epoch == 6 and sched2.milestones == sched.milestones


def test_lambda_lr_per_group_and_its_count():
    opt = optim.SGD([{"params": [_param([1.0])]}, {"params": [_param([1.0])]}], lr=1.0)
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        lr_scheduler.LambdaLR(opt, [lambda e: 1.0])
    sched = lr_scheduler.LambdaLR(opt, [lambda e: 0.5 ** e, lambda e: e + 1.0])
    opt.step()
    sched.step()
    assert sched.get_last_lr() == [0.5, 2.0]


# ---------------------------------------------------------------- against PyTorch

def _combos(**options):
    keys = list(options)
    return [dict(zip(keys, values)) for values in itertools.product(*options.values())]


PARITY = (
    [("SGD", dict(lr=0.1, **c)) for c in _combos(momentum=[0.0], dampening=[0.0],
                                                 nesterov=[False], weight_decay=[0.0, 0.1],
                                                 maximize=[False, True])]
    + [("SGD", dict(lr=0.1, momentum=0.9, **c))
       for c in _combos(dampening=[0.0, 0.3], nesterov=[False, True],
                        weight_decay=[0.0, 0.1], maximize=[False, True])
       if not (c["nesterov"] and c["dampening"])]
    + [(name, dict(lr=0.05, **c)) for name in ("Adam", "AdamW")
       for c in _combos(betas=[(0.9, 0.999), (0.3, 0.6)], weight_decay=[0.0, 0.1],
                        amsgrad=[False, True], maximize=[False, True])]
    + [("RMSprop", dict(lr=0.01, **c))
       for c in _combos(alpha=[0.99, 0.3], centered=[False, True], momentum=[0.0, 0.8],
                        weight_decay=[0.0, 0.1], maximize=[False, True])]
    + [("Adagrad", dict(lr=0.1, **c))
       for c in _combos(lr_decay=[0.0, 0.05], weight_decay=[0.0, 0.1],
                        initial_accumulator_value=[0.0, 0.4], maximize=[False, True])]
)


def _parity_id(case):
    name, kw = case
    return name + "-" + ",".join(f"{k}={v}" for k, v in kw.items() if k != "lr")


def _trajectories(name, kw, shapes, dtype, steps=20, seed=0, with_scheduler=False,
                  complex_=False, tol=1e-12):
    """The same parameters and the same gradient sequence through wengert's and
    PyTorch's optimiser ``name``; returns both trajectories (lists of arrays)."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)

    def draw(shape):
        a = rng.standard_normal(shape)
        if complex_:
            a = a + 1j * rng.standard_normal(shape)
        return a.astype(dtype)

    init = [draw(s) for s in shapes]
    grads = [[draw(s) for s in shapes] for _ in range(steps)]
    # a parameter with no gradient on some steps is skipped by both
    skip = {(k, len(shapes) - 1) for k in range(steps) if k % 5 == 2}
    ours = [wg.Parameter(wg.tensor(a)) for a in init]
    theirs = [torch.nn.Parameter(torch.tensor(a)) for a in init]
    groups_w = [{"params": ours[:1]}, {"params": ours[1:], "lr": kw["lr"] * 0.5}]
    groups_t = [{"params": theirs[:1]}, {"params": theirs[1:], "lr": kw["lr"] * 0.5}]
    opt_w = getattr(optim, name)(groups_w, **kw)
    opt_t = getattr(torch.optim, name)(groups_t, **kw)
    if with_scheduler:
        sched_w = lr_scheduler.CosineAnnealingLR(opt_w, T_max=7)
        sched_t = torch.optim.lr_scheduler.CosineAnnealingLR(opt_t, T_max=7)
    out_w, out_t = [], []
    for k in range(steps):
        for i, (pw, pt) in enumerate(zip(ours, theirs)):
            if (k, i) in skip:
                pw.grad = None
                pt.grad = None
            else:
                pw.grad = wg.tensor(grads[k][i])
                pt.grad = torch.tensor(grads[k][i])
        opt_w.step()
        opt_t.step()
        if with_scheduler:
            sched_w.step()
            sched_t.step()
            assert sched_w.get_last_lr() == sched_t.get_last_lr()
        out_w.append([p.detach().numpy().copy() for p in ours])
        out_t.append([p.detach().numpy().copy() for p in theirs])
    for pw, pt in zip(ours, theirs):
        sw, st = opt_w.state[pw], opt_t.state[pt]
        assert sorted(sw) == sorted(st)
        for key in st:
            a = st[key]
            b = sw[key]
            if key == "step":
                assert float(b) == float(a)
            elif a is None:
                assert b is None
            else:
                assert b.dtype == a.detach().numpy().dtype
                np.testing.assert_allclose(b.numpy(), a.detach().numpy(), rtol=tol,
                                           atol=tol)
    return out_w, out_t


def _assert_close(out_w, out_t, tol):
    for k, (w, t) in enumerate(zip(out_w, out_t)):
        for a, b in zip(w, t):
            np.testing.assert_allclose(a, b, rtol=tol, atol=tol, err_msg=f"step {k + 1}")


@pytest.mark.parametrize("case", PARITY, ids=_parity_id)
def test_matches_pytorch_over_twenty_steps(case):
    name, kw = case
    out_w, out_t = _trajectories(name, kw, [(3,), (2, 4)], np.float64)
    _assert_close(out_w, out_t, 1e-12)


@pytest.mark.parametrize("name,kw", [
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.1)),
    ("AdamW", dict(lr=0.05)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, initial_accumulator_value=0.2))])
def test_matches_pytorch_in_float32_with_complex_and_with_a_scheduler(name, kw):
    out_w, out_t = _trajectories(name, kw, [(3,), (2, 4)], np.float32, tol=1e-5)
    _assert_close(out_w, out_t, 1e-5)
    out_w, out_t = _trajectories(name, kw, [(3,), (5,)], np.complex128, complex_=True)
    _assert_close(out_w, out_t, 1e-12)
    out_w, out_t = _trajectories(name, kw, [(3,), (2, 4)], np.float64,
                                 with_scheduler=True)
    _assert_close(out_w, out_t, 1e-12)


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_schedulers_match_pytorch(name):
    torch = pytest.importorskip("torch")
    make_torch = {
        "StepLR": lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=4, gamma=0.5),
        "MultiStepLR": lambda o: torch.optim.lr_scheduler.MultiStepLR(o, [3, 7, 7, 20],
                                                                      gamma=0.3),
        "ExponentialLR": lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9),
        "CosineAnnealingLR": lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(
            o, T_max=10, eta_min=0.01),
        "LambdaLR": lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda e: 1 / (1 + e)),
    }[name]
    got = _sched_lrs(SCHEDULERS[name][0], groups=2)
    topt = torch.optim.SGD([{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.5},
                            {"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 1.0}],
                           lr=0.5)
    sched = make_torch(topt)
    want = [sched.get_last_lr()]
    for _ in range(30):
        topt.step()
        sched.step()
        want.append(sched.get_last_lr())
    np.testing.assert_array_equal(got, np.array(want))
    assert sorted(k for k in sched.state_dict() if not k.startswith("_")) == sorted(
        k for k in _our_scheduler_state(name) if not k.startswith("_"))


def _our_scheduler_state(name):
    opt = optim.SGD([{"params": [_param([1.0])], "lr": 0.5},
                     {"params": [_param([1.0])], "lr": 1.0}], lr=0.5)
    return SCHEDULERS[name][0](opt).state_dict()


def test_state_dict_layout_matches_pytorch():
    torch = pytest.importorskip("torch")
    p = _param([1.0, 2.0])
    tp = torch.nn.Parameter(torch.tensor([1.0, 2.0], dtype=torch.float64))
    for name, kw in [("Adam", {}), ("SGD", dict(lr=0.1, momentum=0.9)), ("RMSprop", {}),
                     ("Adagrad", {}), ("AdamW", {})]:
        ow, ot = getattr(optim, name)([p], **kw), getattr(torch.optim, name)([tp], **kw)
        p.grad = wg.tensor([1.0, 1.0], dtype=wg.float64)
        tp.grad = torch.ones(2, dtype=torch.float64)
        ow.step()
        ot.step()
        sw, st = ow.state_dict(), ot.state_dict()
        assert sw["param_groups"] == st["param_groups"]
        assert {k: sorted(v) for k, v in sw["state"].items()} == \
            {k: sorted(v) for k, v in st["state"].items()}
        assert repr(ow) == repr(ot)
