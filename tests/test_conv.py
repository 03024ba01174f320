"""conv2d, max_pool2d and avg_pool2d (wengert.rules.conv): values and gradients against
direct loop implementations (slow, small sizes), the adjoint identities that tie the
three convolution primitives together, closed forms, argument errors, the eager tensor
path, and parity with torch.nn.functional in float64 where torch is installed.
Derivatives to order 2 in both modes are in tests/rules/specs_conv.py."""

import numpy as np
import pytest

import wengert
from wengert.rules import conv
from wengert.rules.conv import avg_pool2d, conv2d, max_pool2d

rng = np.random.default_rng(7)


def R(*shape):
    return rng.standard_normal(shape)


# ---------------------------------------------------------------- loop references

def _pairs(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def _ref_pad(padding, kernel, dilation):
    """((top, bottom), (left, right)) as PyTorch reads padding."""
    if padding == "valid":
        return ((0, 0), (0, 0))
    if padding == "same":
        out = []
        for k, d in zip(kernel, dilation):
            t = d * (k - 1)
            out.append((t // 2, t - t // 2))
        return tuple(out)
    ph, pw = _pairs(padding)
    return ((ph, ph), (pw, pw))


def ref_conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """y[n, o, h, v] = b[o] + sum_{c, i, j} xp[n, gc + c, sh h + dh i, sw v + dw j]
    w[o, c, i, j], with o in group g."""
    x = np.asarray(x, dtype=float)
    if x.ndim == 3:
        return ref_conv2d(x[None], w, b, stride, padding, dilation, groups)[0]
    (sh, sw), (dh, dw) = _pairs(stride), _pairs(dilation)
    o_n, cg, kh, kw = w.shape
    (pt, pb), (pl, pr) = _ref_pad(padding, (kh, kw), (dh, dw))
    n_n, c_n, h_n, v_n = x.shape
    xp = np.zeros((n_n, c_n, h_n + pt + pb, v_n + pl + pr))
    xp[:, :, pt:pt + h_n, pl:pl + v_n] = x
    ho = (xp.shape[2] - (kh - 1) * dh - 1) // sh + 1
    wo = (xp.shape[3] - (kw - 1) * dw - 1) // sw + 1
    og = o_n // groups
    y = np.zeros((n_n, o_n, ho, wo))
    for n in range(n_n):
        for o in range(o_n):
            g = o // og
            for h in range(ho):
                for v in range(wo):
                    s = 0.0 if b is None else b[o]
                    for c in range(cg):
                        for i in range(kh):
                            for j in range(kw):
                                r, q = h * sh + i * dh, v * sw + j * dw
                                s += xp[n, g * cg + c, r, q] * w[o, c, i, j]
                    y[n, o, h, v] = s
    return y


def ref_conv2d_grads(x, w, gy, stride=1, padding=0, dilation=1, groups=1):
    """(x_bar, w_bar, b_bar) of sum(gy * conv2d(x, w, b)), by the same loops."""
    (sh, sw), (dh, dw) = _pairs(stride), _pairs(dilation)
    o_n, cg, kh, kw = w.shape
    (pt, pb), (pl, pr) = _ref_pad(padding, (kh, kw), (dh, dw))
    n_n, c_n, h_n, v_n = x.shape
    xp = np.zeros((n_n, c_n, h_n + pt + pb, v_n + pl + pr))
    xp[:, :, pt:pt + h_n, pl:pl + v_n] = x
    xp_bar, w_bar = np.zeros_like(xp), np.zeros_like(w, dtype=float)
    og = o_n // groups
    for n in range(n_n):
        for o in range(o_n):
            g = o // og
            for h in range(gy.shape[2]):
                for v in range(gy.shape[3]):
                    for c in range(cg):
                        for i in range(kh):
                            for j in range(kw):
                                r, q = h * sh + i * dh, v * sw + j * dw
                                xp_bar[n, g * cg + c, r, q] += gy[n, o, h, v] * w[o, c, i, j]
                                w_bar[o, c, i, j] += gy[n, o, h, v] * xp[n, g * cg + c, r, q]
    return xp_bar[:, :, pt:pt + h_n, pl:pl + v_n], w_bar, gy.sum(axis=(0, 2, 3))


def _windows(x, kernel, stride, padding, fill):
    (kh, kw), (sh, sw), (ph, pw) = _pairs(kernel), _pairs(stride), _pairs(padding)
    n_n, c_n, h_n, v_n = x.shape
    ho = (h_n + 2 * ph - kh) // sh + 1
    wo = (v_n + 2 * pw - kw) // sw + 1
    for n in range(n_n):
        for c in range(c_n):
            for h in range(ho):
                for v in range(wo):
                    cells = []  # (value, row, col) in row-major window order
                    for i in range(kh):
                        for j in range(kw):
                            r, q = h * sh + i - ph, v * sw + j - pw
                            inside = 0 <= r < h_n and 0 <= q < v_n
                            cells.append((x[n, c, r, q] if inside else fill, r, q, inside))
                    yield (n, c, h, v), (ho, wo), cells


def ref_max_pool2d(x, kernel, stride=None, padding=0):
    """(y, x_bar of sum(y)) with the gradient at each window's first maximum (the
    last nan), by PyTorch's own loop over the window."""
    stride = kernel if stride is None else stride
    y, grad = None, np.zeros_like(x)
    for (n, c, h, v), (ho, wo), cells in _windows(x, kernel, stride, padding, -np.inf):
        if y is None:
            y = np.zeros(x.shape[:2] + (ho, wo))
        inside = [cell for cell in cells if cell[3]]  # padding never wins (PyTorch's loop)
        val, r, q, _ = inside[0]
        for cell in inside[1:]:
            if cell[0] > val or np.isnan(cell[0]):
                val, r, q, _ = cell
        y[n, c, h, v] = val
        grad[n, c, r, q] += 1.0
    return y, grad


def ref_avg_pool2d(x, kernel, stride=None, padding=0):
    stride = kernel if stride is None else stride
    kh, kw = _pairs(kernel)
    y = None
    for (n, c, h, v), (ho, wo), cells in _windows(x, kernel, stride, padding, 0.0):
        if y is None:
            y = np.zeros(x.shape[:2] + (ho, wo))
        y[n, c, h, v] = sum(cell[0] for cell in cells) / (kh * kw)
    return y


# (x shape, w shape, keywords): strides, paddings, dilations and groups together
COMBOS = [
    ((2, 3, 5, 5), (4, 3, 3, 3), {}),
    ((1, 2, 7, 6), (3, 2, 3, 2), dict(stride=2)),
    ((2, 2, 6, 7), (2, 2, 2, 3), dict(stride=(2, 3), padding=(1, 2))),
    ((1, 2, 8, 7), (2, 2, 3, 2), dict(dilation=(2, 3), padding=1)),
    ((2, 4, 5, 6), (6, 2, 2, 2), dict(groups=2, stride=(1, 2))),
    ((1, 3, 6, 6), (3, 1, 3, 3), dict(groups=3, padding=2, dilation=2)),
    ((2, 2, 5, 4), (2, 2, 2, 4), dict(padding="same")),
    ((1, 2, 7, 6), (4, 2, 3, 2), dict(padding="same", dilation=(2, 3))),
    ((2, 2, 4, 4), (1, 2, 4, 1), dict(padding="valid")),
    ((2, 4, 9, 8), (4, 2, 2, 3), dict(stride=(2, 3), padding=(2, 1), dilation=(2, 1), groups=2)),
    ((1, 6, 5, 5), (3, 2, 1, 1), dict(groups=3, stride=3)),
]
COMBO_IDS = [f"{xs}-{ws}-{kw}" for xs, ws, kw in COMBOS]


# ------------------------------------------------------------------ values, gradients

@pytest.mark.parametrize("xs, ws, kw", COMBOS, ids=COMBO_IDS)
def test_conv2d_matches_loops(xs, ws, kw):
    x, w, b = R(*xs), R(*ws), R(ws[0])
    np.testing.assert_allclose(conv2d(x, w, **kw), ref_conv2d(x, w, **kw), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(conv2d(x, w, b, **kw), ref_conv2d(x, w, b, **kw),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("xs, ws, kw", COMBOS, ids=COMBO_IDS)
def test_conv2d_gradients_match_loops(xs, ws, kw):
    x, w, b = R(*xs), R(*ws), R(ws[0])
    gy = R(*ref_conv2d(x, w, **kw).shape)
    f = lambda x, w, b: wengert.numpy.sum(gy * conv2d(x, w, b, **kw))  # noqa: E731
    got = wengert.grad(f, argnum=(0, 1, 2))(x, w, b)
    for g, want in zip(got, ref_conv2d_grads(x, w, gy, **kw)):
        np.testing.assert_allclose(g, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("xs, ws, kw", COMBOS, ids=COMBO_IDS)
def test_forward_mode_matches_loops(xs, ws, kw):
    # conv2d is bilinear: its JVP is conv(tx, w) + conv(x, tw)
    x, w, tx, tw = R(*xs), R(*ws), R(*xs), R(*ws)
    _, t = wengert.jvp(lambda x, w: conv2d(x, w, **kw), (x, w), (tx, tw))
    np.testing.assert_allclose(t, ref_conv2d(tx, w, **kw) + ref_conv2d(x, tw, **kw),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("xs, ws, kw", COMBOS, ids=COMBO_IDS)
def test_adjoint_identities(xs, ws, kw):
    """<conv2d(x, w), g> = <x, input_grad(g, w)> = <w, weight_grad(x, g)>: the three
    primitives are each other's transposes (so every VJP of every order is exact)."""
    x, w = R(*xs), R(*ws)
    y = conv2d(x, w, **kw)
    g = R(*y.shape)
    p = dict(stride=conv._pair("t", "s", kw.get("stride", 1), 1),
             dilation=conv._pair("t", "d", kw.get("dilation", 1), 1),
             groups=kw.get("groups", 1))
    p["padding"] = conv._conv_padding("t", kw.get("padding", 0), ws[2:], p["dilation"],
                                      p["stride"])
    xb = conv._conv2d_input_grad(g, w, input_size=xs[2:], **p)
    wb = conv._conv2d_weight_grad(x, g, kernel_size=ws[2:], **p)
    assert xb.shape == x.shape and wb.shape == w.shape
    lhs = np.vdot(y, g)
    np.testing.assert_allclose(np.vdot(x, xb), lhs, rtol=1e-12)
    np.testing.assert_allclose(np.vdot(w, wb), lhs, rtol=1e-12)


def test_conv2d_unbatched_input():
    x, w, b = R(3, 6, 5), R(2, 3, 3, 2), R(2)
    y = conv2d(x, w, b, stride=(2, 1), padding=1)
    assert y.shape == (2, 3, 6)
    np.testing.assert_allclose(y, conv2d(x[None], w, b, stride=(2, 1), padding=1)[0], rtol=1e-14)
    gx = wengert.grad(lambda x: wengert.numpy.sum(wengert.numpy.sin(conv2d(x, w, b))))(x)
    assert gx.shape == x.shape


def test_conv2d_float32_stays_float32():
    x, w = R(1, 2, 5, 5).astype(np.float32), R(3, 2, 3, 3).astype(np.float32)
    assert conv2d(x, w, padding=1).dtype == np.float32
    gw = wengert.grad(lambda w: wengert.numpy.sum(conv2d(x, w) ** 2))(w)
    assert gw.dtype == np.float32


def test_conv2d_complex_is_bilinear_without_conjugate():
    x = R(1, 2, 4, 4) + 1j * R(1, 2, 4, 4)
    w = R(2, 2, 2, 2) + 1j * R(2, 2, 2, 2)
    np.testing.assert_allclose(conv2d(x, w, stride=2), ref_conv2d(x.real, w.real, stride=2)
                               - ref_conv2d(x.imag, w.imag, stride=2)
                               + 1j * (ref_conv2d(x.real, w.imag, stride=2)
                                       + ref_conv2d(x.imag, w.real, stride=2)), rtol=1e-12)


@pytest.mark.parametrize("kernel, stride, padding", [
    (2, None, 0), (3, 1, 1), ((2, 3), (1, 2), (1, 1)), ((3, 2), 2, (1, 0)), (1, 2, 0)])
def test_max_pool2d_matches_loops(kernel, stride, padding):
    x = R(2, 3, 6, 7)
    y_ref, g_ref = ref_max_pool2d(x, kernel, stride, padding)
    np.testing.assert_array_equal(max_pool2d(x, kernel, stride, padding), y_ref)
    g = wengert.grad(lambda x: wengert.numpy.sum(max_pool2d(x, kernel, stride, padding)))(x)
    np.testing.assert_array_equal(g, g_ref)


def test_max_pool2d_ties_go_to_the_first_maximum():
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 1, 1] = x[0, 0, 1, 0] = 5.0  # a tie in the first window: (1, 0) comes first
    g = wengert.grad(lambda x: wengert.numpy.sum(max_pool2d(x, 2)))(x)
    want = np.zeros((4, 4))
    want[1, 0] = want[0, 2] = want[2, 0] = want[2, 2] = 1.0  # all-zero windows: their first
    np.testing.assert_array_equal(g[0, 0], want)
    # overlapping windows send one unit per window, and they add up at a shared maximum
    x = R(1, 1, 5, 5)
    x[0, 0, 2, 2] = 10.0
    g = wengert.grad(lambda x: wengert.numpy.sum(max_pool2d(x, 3, stride=1)))(x)
    assert g[0, 0, 2, 2] == 9.0 and g.sum() == 9.0


def test_max_pool2d_all_minus_inf_window_takes_its_first_inside_element():
    x = np.full((1, 1, 3, 3), -np.inf)
    _, g_ref = ref_max_pool2d(x, 2, 2, 1)
    g = wengert.grad(lambda x: wengert.numpy.sum(max_pool2d(x, 2, 2, 1)))(x)
    np.testing.assert_array_equal(g, g_ref)
    assert g[0, 0].tolist() == [[1, 1, 0], [1, 1, 0], [0, 0, 0]]


def test_max_pool2d_nan_takes_the_last_nan_of_its_window():
    # PyTorch's kernel replaces its running maximum by every nan it meets
    x = np.array([[[[1.0, np.nan, 3.0, np.nan, 2.0, 0.5]]]])
    y, g = wengert.value_and_grad(lambda x: wengert.numpy.sum(max_pool2d(x, (1, 4), 2)))(x)
    assert np.isnan(y)
    np.testing.assert_array_equal(g, [[[[0, 0, 0, 2, 0, 0]]]])


@pytest.mark.parametrize("kernel, stride, padding", [
    (2, None, 0), (3, 1, 1), ((2, 3), (1, 2), (1, 1)), ((3, 2), 2, (1, 0))])
def test_avg_pool2d_matches_loops(kernel, stride, padding):
    x = R(2, 3, 6, 7)
    np.testing.assert_allclose(avg_pool2d(x, kernel, stride, padding),
                               ref_avg_pool2d(x, kernel, stride, padding), rtol=1e-12, atol=1e-14)
    # linear: the gradient of sum is the number of windows covering each element / (kh kw)
    kh, kw = _pairs(kernel)
    g = wengert.grad(lambda x: wengert.numpy.sum(avg_pool2d(x, kernel, stride, padding)))(x)
    covered = np.zeros_like(x)
    for (n, c, _, _), _, cells in _windows(x, kernel, kernel if stride is None else stride,
                                           padding, 0.0):
        for _, r, q, inside in cells:
            if inside:
                covered[n, c, r, q] += 1.0 / (kh * kw)
    np.testing.assert_allclose(g, covered, rtol=1e-12)


def test_pools_unbatched():
    x = R(3, 6, 6)
    np.testing.assert_array_equal(max_pool2d(x, 2), max_pool2d(x[None], 2)[0])
    np.testing.assert_allclose(avg_pool2d(x, 3, 1, 1), avg_pool2d(x[None], 3, 1, 1)[0])


# ---------------------------------------------------------------------- closed forms

def test_delta_kernel_is_a_shift():
    x = R(2, 1, 6, 7)
    w = np.zeros((1, 1, 3, 3))
    w[0, 0, 2, 0] = 1.0  # picks x[h + 2, v]
    np.testing.assert_array_equal(conv2d(x, w), x[:, :, 2:, :5])
    y = conv2d(x, w, padding=1)  # with padding 1: x[h + 1, v - 1], zeros shifted in
    want = np.zeros_like(x)
    want[:, :, :-1, 1:] = x[:, :, 1:, :-1]
    np.testing.assert_array_equal(y, want)
    # and its input gradient is the opposite shift of the cotangent
    g = wengert.grad(lambda x: wengert.numpy.sum(conv2d(x, w, padding=1) * x))(x)
    back = np.pad(x[:, :, :-1, 1:], ((0, 0), (0, 0), (1, 0), (0, 1)))  # x[h - 1, v + 1]
    np.testing.assert_array_equal(g, want + back)


def test_identity_kernel_with_groups_is_the_input():
    x = R(2, 4, 5, 5)
    w = np.ones((4, 1, 1, 1))
    np.testing.assert_array_equal(conv2d(x, w, groups=4), x)


def test_avg_pool_of_a_constant_is_the_constant():
    x = np.full((2, 3, 6, 8), 2.5)
    np.testing.assert_allclose(avg_pool2d(x, 2), 2.5, rtol=1e-15)
    np.testing.assert_allclose(avg_pool2d(x, (3, 2), stride=1), 2.5, rtol=1e-15)
    # count_include_pad: a corner window of 3x3 with padding 1 sees 4 of 9 cells
    y = avg_pool2d(x, 3, stride=1, padding=1)
    np.testing.assert_allclose(y[:, :, 0, 0], 2.5 * 4 / 9, rtol=1e-15)
    np.testing.assert_allclose(y[:, :, 1:-1, 1:-1], 2.5, rtol=1e-15)


def test_max_pool_of_a_constant_is_the_constant():
    np.testing.assert_array_equal(max_pool2d(np.full((1, 2, 5, 5), -1.5), 3, 1, 1), -1.5)


def test_sum_of_conv_with_ones_kernel_counts_windows():
    x = R(1, 1, 5, 5)
    g = wengert.grad(lambda x: wengert.numpy.sum(conv2d(x, np.ones((1, 1, 5, 5)))))(x)
    np.testing.assert_array_equal(g, np.ones_like(x))


# --------------------------------------------------------------------------- errors

@pytest.mark.parametrize("call, match", [
    (lambda: conv2d(R(1, 3, 5, 5), R(2, 2, 3, 3)), r"input has 3 channels.*weight"),
    (lambda: conv2d(R(1, 4, 5, 5), R(3, 2, 3, 3), groups=2), r"weight has 3 output channels"),
    (lambda: conv2d(R(1, 1, 2, 2), R(1, 1, 3, 3)), r"kernel size 3.*larger than the padded input"),
    (lambda: conv2d(R(1, 1, 5, 5), R(1, 1, 3, 3), dilation=3), r"kernel size 7.*padded input"),
    (lambda: conv2d(R(5, 5), R(1, 1, 3, 3)), r"input must be 3-d .* or 4-d"),
    (lambda: conv2d(R(1, 1, 5, 5), R(1, 3, 3)), r"weight must be 4-d"),
    (lambda: conv2d(R(1, 1, 5, 5), R(2, 1, 3, 3), R(3)), r"bias must have shape \(2,\)"),
    (lambda: conv2d(R(1, 1, 5, 5), R(2, 1, 3, 3), stride=0), r"stride must be positive"),
    (lambda: conv2d(R(1, 1, 5, 5), R(2, 1, 3, 3), padding=-1), r"padding must be non-negative"),
    (lambda: conv2d(R(1, 1, 5, 5), R(2, 1, 3, 3), padding="same", stride=2),
     r"padding='same' is not supported for strided"),
    (lambda: conv2d(R(1, 1, 5, 5), R(2, 1, 3, 3), padding="full"), r"padding must be 'valid'"),
    (lambda: conv2d(R(1, 1, 5, 5), R(2, 1, 3, 3), stride=(1, 2, 3)),
     r"stride must be an int or a pair"),
    (lambda: conv2d(R(1, 1, 5, 5), R(2, 1, 3, 3), groups=0), r"groups must be positive"),
    (lambda: max_pool2d(R(1, 1, 5, 5), 2, padding=2),
     r"max_pool2d: padding 2 must be at most half"),
    (lambda: avg_pool2d(R(1, 1, 2, 2), 3), r"avg_pool2d: kernel size 3.*larger than the padded"),
    (lambda: max_pool2d(R(1, 1, 4, 4), 0), r"kernel_size must be positive"),
    (lambda: max_pool2d(R(4, 4), 2), r"max_pool2d: input must be 3-d"),
    (lambda: max_pool2d(R(1, 1, 4, 4) + 0j, 2), r"max_pool2d: input is complex"),
    (lambda: avg_pool2d(R(1, 1, 4, 4), 2.5), r"kernel_size must be an int or a pair"),
])
def test_errors_name_the_argument(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


# ---------------------------------------------------------------- eager tensors

def test_tensor_backward_matches_functional_gradients():
    wt = pytest.importorskip("wengert.tensors")
    x, w, b = R(2, 2, 6, 6), R(3, 2, 3, 3), R(3)
    gy = R(2, 3, 2, 2)
    xt, wt_, bt = (wt.tensor(a, requires_grad=True) for a in (x, w, b))
    y = max_pool2d(conv2d(xt, wt_, bt, padding=1), 2, stride=3)
    (y * wt.tensor(gy)).sum().backward()

    def f(x, w, b):
        return wengert.numpy.sum(gy * max_pool2d(conv2d(x, w, b, padding=1), 2, stride=3))
    want = wengert.grad(f, argnum=(0, 1, 2))(x, w, b)
    for t, g in zip((xt, wt_, bt), want):
        np.testing.assert_allclose(t.grad.numpy(), g, rtol=1e-13, atol=1e-13)


# ------------------------------------------------------------- parity with PyTorch

@pytest.mark.parametrize("xs, ws, kw", COMBOS, ids=COMBO_IDS)
@pytest.mark.filterwarnings("ignore:Using padding='same'")
def test_conv2d_matches_torch(xs, ws, kw):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x, w, b = R(*xs), R(*ws), R(ws[0])
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    ty = F.conv2d(tx, tw, tb, **kw)
    y = conv2d(x, w, b, **kw)
    np.testing.assert_allclose(y, ty.detach().numpy(), rtol=1e-12, atol=1e-12)
    gy = R(*y.shape)
    ty.backward(torch.tensor(gy))
    got = wengert.grad(lambda x, w, b: wengert.numpy.sum(gy * conv2d(x, w, b, **kw)),
                       argnum=(0, 1, 2))(x, w, b)
    for g, t in zip(got, (tx, tw, tb)):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("xs, ws, kw", COMBOS[:6] + COMBOS[9:], ids=COMBO_IDS[:6] + COMBO_IDS[9:])
def test_conv2d_second_derivatives_match_torch(xs, ws, kw):
    """A Hessian-vector product through the VJPs (the transposed convolution and the
    weight correlation differentiated again) against torch's double backward."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x, w, vx, vw = R(*xs), R(*ws), R(*xs), R(*ws)
    wnp = wengert.numpy

    def loss(x, w):
        return wnp.sum(wnp.tanh(conv2d(x, w, **kw)))

    def hvp(x, w):
        gx, gw = wengert.grad(loss, argnum=(0, 1))(x, w)
        return wnp.sum(gx * vx) + wnp.sum(gw * vw)
    got = wengert.grad(hvp, argnum=(0, 1))(x, w)

    tx, tw = (torch.tensor(a, requires_grad=True) for a in (x, w))
    gx, gw = torch.autograd.grad(torch.tanh(F.conv2d(tx, tw, **kw)).sum(), (tx, tw),
                                 create_graph=True)
    want = torch.autograd.grad((gx * torch.tensor(vx)).sum() + (gw * torch.tensor(vw)).sum(),
                               (tx, tw))
    for g, t in zip(got, want):
        np.testing.assert_allclose(g, t.numpy(), rtol=1e-11, atol=1e-12)


POOLS = [(2, None, 0), (3, 1, 1), ((2, 3), (1, 2), (1, 1)), ((3, 2), 2, (1, 0)), (3, 2, 1)]


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # sum(gy * -inf)
@pytest.mark.parametrize("kernel, stride, padding", POOLS)
@pytest.mark.parametrize("ties", [False, True, "nan", "-inf"])
def test_max_pool2d_matches_torch(kernel, stride, padding, ties):
    torch = pytest.importorskip("torch")
    x = R(2, 3, 7, 6)
    if ties:
        x = np.round(x)  # many equal values: the gradient must pick torch's element
    if ties == "nan":
        x[x == 1.0] = np.nan
    if ties == "-inf":
        x[x < 1.0] = -np.inf
    tx = torch.tensor(x, requires_grad=True)
    ty = torch.nn.functional.max_pool2d(tx, kernel, stride, padding)
    y = max_pool2d(x, kernel, stride, padding)
    np.testing.assert_array_equal(y, ty.detach().numpy())  # nan where torch has nan
    gy = R(*y.shape)
    ty.backward(torch.tensor(gy))
    g = wengert.grad(lambda x: wengert.numpy.sum(gy * max_pool2d(x, kernel, stride, padding)))(x)
    np.testing.assert_allclose(g, tx.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kernel, stride, padding", POOLS)
def test_avg_pool2d_matches_torch(kernel, stride, padding):
    torch = pytest.importorskip("torch")
    x = R(2, 3, 7, 6)
    tx = torch.tensor(x, requires_grad=True)
    ty = torch.nn.functional.avg_pool2d(tx, kernel, stride, padding)
    y = avg_pool2d(x, kernel, stride, padding)
    np.testing.assert_allclose(y, ty.detach().numpy(), rtol=1e-12, atol=1e-12)
    gy = R(*y.shape)
    ty.backward(torch.tensor(gy))
    g = wengert.grad(lambda x: wengert.numpy.sum(gy * avg_pool2d(x, kernel, stride, padding)))(x)
    np.testing.assert_allclose(g, tx.grad.numpy(), rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------ a small CNN trains

def test_small_cnn_trains():
    """8x8 images, conv 8 3x3 -> relu -> max_pool 2 -> conv 16 3x3 -> linear: a few
    steps of gradient descent lower the loss (the path nn.Conv2d takes)."""
    wnp = wengert.numpy
    r = np.random.default_rng(0)
    n = 64
    labels = r.integers(0, 2, n)
    imgs = r.standard_normal((n, 1, 8, 8)) * 0.3
    imgs[labels == 1, 0, 2:6, 3:5] += 1.0  # a bar marks class 1
    params = [r.standard_normal((8, 1, 3, 3)) * 0.3, np.zeros(8),
              r.standard_normal((16, 8, 3, 3)) * 0.1, np.zeros(16),
              r.standard_normal((16, 2)) * 0.1]

    def loss(params):
        w1, b1, w2, b2, w3 = params
        h = max_pool2d(wnp.maximum(conv2d(imgs, w1, b1), 0.0), 2)  # (n, 8, 3, 3)
        h = wnp.maximum(conv2d(h, w2, b2), 0.0)                      # (n, 16, 1, 1)
        logits = wnp.reshape(h, (n, 16)) @ w3
        logz = wnp.log(wnp.sum(wnp.exp(logits), axis=1))
        return wnp.mean(logz - logits[np.arange(n), labels])

    step = wengert.value_and_grad(loss)
    first, _ = step(params)
    for _ in range(30):
        value, grads = step(params)
        params = [p - 0.5 * g for p, g in zip(params, grads)]
    assert loss(params) < 0.5 * first
