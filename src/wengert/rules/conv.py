"""2-d convolution and pooling in NCHW layout, with the semantics of
torch.nn.functional: ``conv2d``, ``max_pool2d`` and ``avg_pool2d``.

Convolution is three primitives that close under differentiation. Each is bilinear
(its JVP substitutes a tangent for one argument), and each one's VJPs are the other
two, so a derivative of any order is again a convolution:

* ``conv2d(x, w)``: the cross-correlation ``y[n, o, h, v] = sum_{c, i, j}
  xp[n, g c, s_h h + d_h i, s_w v + d_w j] w[o, c, i, j]`` of the zero-padded input,
  with ``o`` in group ``g``.
* ``conv2d_input_grad(g, w)``: its adjoint in ``x`` (a transposed convolution),
  ``<conv2d(x, w), g> = <x, conv2d_input_grad(g, w)>``.
* ``conv2d_weight_grad(x, g)``: its adjoint in ``w`` (a correlation of the input with
  the cotangent), ``<conv2d(x, w), g> = <w, conv2d_weight_grad(x, g)>``.

So ``conv2d``'s cotangents are ``(input_grad(g, w), weight_grad(x, g))``;
``input_grad``'s are ``(conv2d(ct, w), weight_grad(ct, g))``, and ``weight_grad``'s
``(input_grad(g, ct), conv2d(x, ct))``. As everywhere in wengert, these are
transposes with no complex conjugate.

The forward passes are numpy, with the batch axis moved last so that every strided
copy runs its inner loop over the batch: the padded input's windows are copied into a
patch matrix per group (one strided slice per kernel offset) and multiplied by the
weight with ``matmul``; the transposed convolution multiplies first and adds the
columns back with one strided slice per kernel offset.

``avg_pool2d`` (count_include_pad, PyTorch's default) is ``conv2d`` with a constant
kernel of ``1 / (kh kw)`` on each channel; ``max_pool2d`` finds each window's first
maximum on the plain values and gathers the input there with ``getitem`` (a constant
index), so its derivative is a scatter-add (``untake``).
"""

import operator

import numpy as np

from ..core.primitive import Primitive
from ..core.trace import unbox_all
from ._base import bilinear, per_example, shape, to_front, unbroadcast
from .arithmetic import add
from .indexing import getitem_
from .shape import _reshape, broadcast_to, moveaxis

__all__ = ["conv2d", "max_pool2d", "avg_pool2d"]


# ------------------------------------------------------------------ numpy forwards
#
# Shared params of the three primitives (all normalised by the public functions):
# stride (sh, sw), padding ((top, bottom), (left, right)), dilation (dh, dw), groups.

def _taps(kernel, stride, dilation, out_hw):
    """(i, j, rows, cols) per kernel offset: the slices of the padded input that the
    offset (i, j) reads for every output position."""
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
    return [(i, j, slice(i * dh, i * dh + sh * (ho - 1) + 1, sh),
             slice(j * dw, j * dw + sw * (wo - 1) + 1, sw))
            for i in range(kh) for j in range(kw)]


# The batch axis goes last in the working layouts (input (G, C/G, H, W, N), patches
# (G, C/G, kh, kw, ho, wo, N)), so every strided copy and add below runs its inner
# loop over the batch, and the products are one matmul per group.

def _batch_last(x, groups, padding):
    """x (N, C, H, W) as (G, C/G, H + pads, W + pads, N), zero-padded (one copy)."""
    n, c, h, v = x.shape
    (pt, pb), (pl, pr) = padding
    out = np.zeros((c, h + pt + pb, v + pl + pr, n), dtype=x.dtype)
    out[:, pt:pt + h, pl:pl + v] = x.transpose(1, 2, 3, 0)
    return out.reshape(groups, c // groups, h + pt + pb, v + pl + pr, n)


def _patches(x, kernel, stride, padding, dilation, groups):
    """``(P, ho, wo)``: the windows of the padded ``x`` (N, C, H, W) as one matrix per
    group, ``P[g, (c, i, j), (h, v, n)]``, shape (G, C/G kh kw, ho wo N)."""
    xq = _batch_last(x, groups, padding)
    gs, cg, hp, vp, n = xq.shape
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    ho, wo = (hp - (kh - 1) * dh - 1) // sh + 1, (vp - (kw - 1) * dw - 1) // sw + 1
    p = np.empty((gs, cg, kh, kw, ho, wo, n), dtype=x.dtype)
    for i, j, rows, cols in _taps(kernel, stride, dilation, (ho, wo)):
        p[:, :, i, j] = xq[:, :, rows, cols]
    return p.reshape(gs, cg * kh * kw, ho * wo * n), ho, wo


def _batch_last_cotangent(g, groups):
    """g (N, O, ho, wo) as (G, O/G, ho wo N)."""
    n, o, ho, wo = g.shape
    return g.transpose(1, 2, 3, 0).reshape(groups, o // groups, ho * wo * n)


def _conv2d_impl(x, w, *, stride, padding, dilation, groups):
    x, w = np.asarray(x), np.asarray(w)
    o, cg, kh, kw = w.shape
    p, ho, wo = _patches(x, (kh, kw), stride, padding, dilation, groups)
    out = np.matmul(w.reshape(groups, o // groups, cg * kh * kw), p)  # (G, O/G, ho wo N)
    return np.ascontiguousarray(out.reshape(o, ho, wo, x.shape[0]).transpose(3, 0, 1, 2))


def _input_grad_impl(g, w, *, input_size, stride, padding, dilation, groups):
    g, w = np.asarray(g), np.asarray(w)
    o, cg, kh, kw = w.shape
    n, _, ho, wo = g.shape
    (pt, pb), (pl, pr) = padding
    h, v = input_size
    wm = w.reshape(groups, o // groups, cg * kh * kw).transpose(0, 2, 1)
    cols = np.matmul(wm, _batch_last_cotangent(g, groups))  # (G, C/G kh kw, ho wo N)
    cols = cols.reshape(groups, cg, kh, kw, ho, wo, n)
    xq = np.zeros((groups, cg, h + pt + pb, v + pl + pr, n), dtype=cols.dtype)
    for i, j, rows, cs in _taps((kh, kw), stride, dilation, (ho, wo)):
        xq[:, :, rows, cs] += cols[:, :, i, j]
    xq = xq.reshape(groups * cg, h + pt + pb, v + pl + pr, n)[:, pt:pt + h, pl:pl + v]
    return np.ascontiguousarray(xq.transpose(3, 0, 1, 2))


def _weight_grad_impl(x, g, *, kernel_size, stride, padding, dilation, groups):
    x, g = np.asarray(x), np.asarray(g)
    p, _, _ = _patches(x, kernel_size, stride, padding, dilation, groups)
    gq = _batch_last_cotangent(g, groups)
    dw = np.matmul(gq, p.transpose(0, 2, 1))  # (G, O/G, C/G kh kw)
    return dw.reshape(g.shape[1], x.shape[1] // groups, *kernel_size)


# ----------------------------------------------------------------------- primitives

def _conv_vjp_x(g, ans, x, w, **p):
    return unbroadcast(_conv2d_input_grad(g, w, input_size=shape(x)[2:], **p), x)


def _conv_vjp_w(g, ans, x, w, **p):
    return unbroadcast(_conv2d_weight_grad(x, g, kernel_size=shape(w)[2:], **p), w)


def _input_grad_vjp_g(ct, ans, g, w, *, input_size, **p):
    return unbroadcast(_conv2d(ct, w, **p), g)


def _input_grad_vjp_w(ct, ans, g, w, *, input_size, **p):
    return unbroadcast(_conv2d_weight_grad(ct, g, kernel_size=shape(w)[2:], **p), w)


def _weight_grad_vjp_x(ct, ans, x, g, *, kernel_size, **p):
    return unbroadcast(_conv2d_input_grad(g, ct, input_size=shape(x)[2:], **p), x)


def _weight_grad_vjp_g(ct, ans, x, g, *, kernel_size, **p):
    return unbroadcast(_conv2d(x, ct, **p), g)


_conv2d = bilinear(
    "conv2d", _conv2d_impl, _conv_vjp_x, _conv_vjp_w,
    doc="conv2d(x, w, *, stride, padding, dilation, groups): the cross-correlation of "
        "x (N, C, H, W) with w (O, C/groups, kh, kw); stride, dilation pairs, padding "
        "((top, bottom), (left, right)).")

_conv2d_input_grad = bilinear(
    "conv2d_input_grad", _input_grad_impl, _input_grad_vjp_g, _input_grad_vjp_w,
    doc="conv2d_input_grad(g, w, *, input_size, stride, padding, dilation, groups): the "
        "adjoint of conv2d in its input (a transposed convolution), shape "
        "(N, C, *input_size).")

_conv2d_weight_grad = bilinear(
    "conv2d_weight_grad", _weight_grad_impl, _weight_grad_vjp_x, _weight_grad_vjp_g,
    doc="conv2d_weight_grad(x, g, *, kernel_size, stride, padding, dilation, groups): "
        "the adjoint of conv2d in its weight, shape (O, C/groups, *kernel_size).")


# ------------------------------------------------------------------ batching (vmap)
#
# A batch of inputs (N, C, H, W) with one weight for every example is a larger
# minibatch: the batch axis merges into N. Per-example weights (or a weight
# gradient, which sums over N) make the batch a set of groups instead: examples
# side by side along the channels, (N, B C, H, W), each example's weights its own
# groups, (B O, C/groups, kh, kw), so one grouped convolution keeps them apart.

def _into_n(v, d):
    """(B, N, ...) -> (B N, ...), the batch merged into the minibatch axis."""
    v = to_front(v, d)
    s = shape(v)
    return _reshape(v, newshape=(s[0] * s[1],) + s[2:])


def _out_of_n(y, n):
    s = shape(y)
    return _reshape(y, newshape=(n, s[0] // n) + s[1:])


def _into_channels(v, d, n):
    """(N, C, H, W) batched on axis d (or shared) -> (N, B C, H, W), the examples side
    by side along the channels."""
    if d is None:
        s = shape(v)
        v = broadcast_to(_reshape(v, newshape=(s[0], 1) + s[1:]), (s[0], n) + s[1:])
    else:
        v = moveaxis(v, d, 1)
    s = shape(v)
    return _reshape(v, newshape=(s[0], s[1] * s[2]) + s[3:])


def _into_groups(w, d, n):
    """(O, C/groups, kh, kw) batched on axis d (or shared) -> (B O, C/groups, kh, kw)."""
    if d is None:
        s = shape(w)
        w = broadcast_to(_reshape(w, newshape=(1,) + s), (n,) + s)
    else:
        w = to_front(w, d)
    s = shape(w)
    return _reshape(w, newshape=(s[0] * s[1],) + s[2:])


def _out_of_channels(y, n):
    """(N, B C, ...) -> (N, B, C, ...): the batch on axis 1."""
    s = shape(y)
    return _reshape(y, newshape=(s[0], n, s[1] // n) + s[2:])


def _batch_size(vals, dims):
    return next(shape(v)[d] for v, d in zip(vals, dims) if d is not None)


def _batch_conv2d(vals, dims, *, groups, **p):
    (x, w), (dx, dw) = vals, dims
    n = _batch_size(vals, dims)
    if dw is None:
        return _out_of_n(_conv2d(_into_n(x, dx), w, groups=groups, **p), n), 0
    y = _conv2d(_into_channels(x, dx, n), _into_groups(w, dw, n), groups=groups * n, **p)
    return _out_of_channels(y, n), 1


def _batch_input_grad(vals, dims, *, groups, **p):
    (g, w), (dg, dw) = vals, dims
    n = _batch_size(vals, dims)
    if dw is None:
        return _out_of_n(_conv2d_input_grad(_into_n(g, dg), w, groups=groups, **p), n), 0
    x = _conv2d_input_grad(_into_channels(g, dg, n), _into_groups(w, dw, n),
                           groups=groups * n, **p)
    return _out_of_channels(x, n), 1


def _batch_weight_grad(vals, dims, *, groups, **p):
    (x, g), (dx, dg) = vals, dims
    n = _batch_size(vals, dims)
    w = _conv2d_weight_grad(_into_channels(x, dx, n), _into_channels(g, dg, n),
                            groups=groups * n, **p)
    s = shape(w)
    return _reshape(w, newshape=(n, s[0] // n) + s[1:]), 0


_conv2d.batch = _batch_conv2d
_conv2d_input_grad.batch = _batch_input_grad
_conv2d_weight_grad.batch = _batch_weight_grad


# ------------------------------------------------------------------ argument checks

def _int(who, name, v):
    try:
        if isinstance(v, (bool, np.bool_)):
            raise TypeError
        return operator.index(v)
    except TypeError:
        raise TypeError(f"{who}: {name} must be an int or a pair of ints, got {v!r}") from None


def _pair(who, name, v, low):
    """An int or a pair of ints as a pair, each at least ``low``."""
    if isinstance(v, (tuple, list)):
        if len(v) == 1:
            v = (v[0], v[0])
        if len(v) != 2:
            raise ValueError(f"{who}: {name} must be an int or a pair of ints, got {v!r}")
        pair = (_int(who, name, v[0]), _int(who, name, v[1]))
    else:
        pair = (_int(who, name, v),) * 2
    if min(pair) < low:
        raise ValueError(f"{who}: {name} must be {'positive' if low else 'non-negative'}, "
                         f"got {v!r}")
    return pair


def _batched(who, x):
    """(x as 4-d, whether a batch axis was added) for an (N, C, H, W) or (C, H, W) input."""
    s = shape(x)
    if len(s) == 4:
        return x, False
    if len(s) == 3:
        return _reshape(x, newshape=(1,) + tuple(s)), True
    raise ValueError(f"{who}: input must be 3-d (C, H, W) or 4-d (N, C, H, W), got shape "
                     f"{tuple(s)}")


def _unbatched(y, added):
    return _reshape(y, newshape=shape(y)[1:]) if added else y


def _check_fits(who, in_hw, padding, eff, stride_ok=True):
    for axis, n, (lo, hi), k in zip(("height", "width"), in_hw, padding, eff):
        if n + lo + hi < k:
            raise ValueError(
                f"{who}: kernel size {k} (dilated) along the {axis} is larger than the "
                f"padded input ({n} + padding {lo + hi} = {n + lo + hi})")


def _conv_padding(who, padding, kernel, dilation, stride):
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0), (0, 0))
        if padding == "same":
            if stride != (1, 1):
                raise ValueError(f"{who}: padding='same' is not supported for strided "
                                 f"convolutions (stride={stride})")
            pads = []
            for k, d in zip(kernel, dilation):
                total = d * (k - 1)
                pads.append((total // 2, total - total // 2))  # the extra on the far side
            return tuple(pads)
        raise ValueError(f"{who}: padding must be 'valid', 'same', an int or a pair of "
                         f"ints, got {padding!r}")
    ph, pw = _pair(who, "padding", padding, 0)
    return ((ph, ph), (pw, pw))


# -------------------------------------------------------------------------- conv2d

def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """torch.nn.functional.conv2d: the 2-d cross-correlation of ``input`` (N, C_in, H, W)
    or (C_in, H, W) with ``weight`` (C_out, C_in / groups, kH, kW), plus ``bias``
    (C_out,); differentiable in all three, to any order.

    ``stride`` and ``dilation`` are ints or pairs; ``padding`` an int, a pair (zeros on
    both sides), 'valid' (none) or 'same' (stride 1; an odd total puts the extra row or
    column at the bottom or right, as PyTorch does).

    >>> import numpy as np
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> conv2d(x, np.ones((1, 1, 2, 2)), stride=2)[0, 0]
    array([[10., 18.],
           [42., 50.]])
    """
    who = "conv2d"
    x, added = _batched(who, input)
    ws = shape(weight)
    if len(ws) != 4:
        raise ValueError(f"{who}: weight must be 4-d (C_out, C_in/groups, kH, kW), got shape "
                         f"{tuple(ws)}")
    groups = _int(who, "groups", groups)
    if groups < 1:
        raise ValueError(f"{who}: groups must be positive, got {groups}")
    xs = shape(x)
    c_in, c_out = xs[1], ws[0]
    if c_out % groups:
        raise ValueError(f"{who}: weight has {c_out} output channels (weight.shape[0]), "
                         f"not divisible by groups={groups}")
    if c_in != ws[1] * groups:
        raise ValueError(
            f"{who}: input has {c_in} channels (input shape {tuple(shape(input))}) but weight "
            f"of shape {tuple(ws)} with groups={groups} expects {ws[1] * groups} "
            f"(weight.shape[1] * groups)")
    stride = _pair(who, "stride", stride, 1)
    dilation = _pair(who, "dilation", dilation, 1)
    kernel = tuple(ws[2:])
    if min(kernel) < 1:
        raise ValueError(f"{who}: weight has an empty kernel, shape {tuple(ws)}")
    pad = _conv_padding(who, padding, kernel, dilation, stride)
    eff = tuple((k - 1) * d + 1 for k, d in zip(kernel, dilation))
    _check_fits(who, xs[2:], pad, eff)
    y = _conv2d(x, weight, stride=stride, padding=pad, dilation=dilation, groups=groups)
    if bias is not None:
        bs = shape(bias)
        if tuple(bs) != (c_out,):
            raise ValueError(f"{who}: bias must have shape ({c_out},) (one per output "
                             f"channel), got {tuple(bs)}")
        y = add(y, _reshape(bias, newshape=(c_out, 1, 1)))
    return _unbatched(y, added)


# ------------------------------------------------------------------------- pooling

def _pool_args(who, input, kernel_size, stride, padding, dilation=1, ceil_mode=False):
    x, added = _batched(who, input)
    kernel = _pair(who, "kernel_size", kernel_size, 1)
    stride = kernel if stride is None or (isinstance(stride, (tuple, list)) and
                                          len(stride) == 0) else _pair(who, "stride", stride, 1)
    pad = _pair(who, "padding", padding, 0)
    dil = _pair(who, "dilation", dilation, 1)
    eff = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dil))
    for p, k in zip(pad, eff):
        if p > k // 2:
            raise ValueError(f"{who}: padding {padding!r} must be at most half the "
                             f"{'dilated ' if dil != (1, 1) else ''}kernel size {k}")
    _check_fits(who, shape(x)[2:], ((pad[0], pad[0]), (pad[1], pad[1])), eff)
    pad = tuple((p, p + _ceil_extra(n, p, k, s) if ceil_mode else p)
                for n, p, k, s in zip(shape(x)[2:], pad, eff, stride))
    return x, added, kernel, stride, pad, dil


def _ceil_extra(n, p, k, s):
    """Padding added after the end so that ceil_mode's last, partial window exists
    (PyTorch: ceil((n + 2p - k) / s) + 1 windows, less one if the last would start
    in the padding after the end)."""
    out = -(-(n + 2 * p - k) // s) + 1
    if (out - 1) * s >= n + p:
        out -= 1
    return max(0, (out - 1) * s + k - (n + 2 * p))


def avg_pool2d(input, kernel_size, stride=None, padding=0):
    """torch.nn.functional.avg_pool2d with count_include_pad=True (PyTorch's default):
    the mean over each window of the zero-padded input, divided by kH kW always.
    Linear: a convolution of each channel with a constant kernel.

    >>> import numpy as np
    >>> avg_pool2d(np.arange(16.0).reshape(1, 1, 4, 4), 2)[0, 0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    who = "avg_pool2d"
    x, added, kernel, stride, pad, _ = _pool_args(who, input, kernel_size, stride, padding)
    n, c, h, v = shape(x)
    dt = np.result_type(unbox_all(x))
    if dt.kind not in "fc":
        dt = np.dtype(np.float64)
    w = np.full((1, 1) + kernel, 1.0 / (kernel[0] * kernel[1]), dtype=dt)
    y = _conv2d(_reshape(x, newshape=(n * c, 1, h, v)), w, stride=stride, padding=pad,
                dilation=(1, 1), groups=1)
    y = _reshape(y, newshape=(n, c) + shape(y)[2:])
    return _unbatched(y, added)


def _max_positions(x, kernel, stride, padding, dilation=(1, 1)):
    """Flat indices into x (N, C, H, W) of each window's maximum, the element PyTorch
    takes: its loop over the window (row-major) starts from the first element inside
    the input and moves on to every later value that is greater, or nan (so the first
    maximum, the last nan; a window of -inf only keeps its first inside element)."""
    (kh, kw), (sh, sw), ((pt, pb), (pl, pr)), (dh, dw) = kernel, stride, padding, dilation
    n, c, h, v = x.shape
    xp = x
    if pt or pb or pl or pr:
        xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)), constant_values=-np.inf)
    ho = (h + pt + pb - dh * (kh - 1) - 1) // sh + 1
    wo = (v + pl + pr - dw * (kw - 1) - 1) // sw + 1
    taps = [(i * kw + j, xp[:, :, rows, cols])
            for i, j, rows, cols in _taps(kernel, stride, dilation, (ho, wo))]
    at = np.zeros((n, c, ho, wo), dtype=np.intp)  # window offset k = i kw + j
    if not np.isnan(x).any():
        # the maximum over the taps, then the first tap (row-major) that reaches it,
        # as PyTorch's loop finds (a window of -inf keeps its first element)
        best = taps[0][1].copy()
        for _, vals in taps[1:]:
            np.maximum(best, vals, out=best)
        for k, vals in reversed(taps):  # the smallest offset writes last
            np.copyto(at, k, where=vals == best)
    else:  # nan wins over everything, and the last nan wins: PyTorch's loop, kept
        best = np.full((n, c, ho, wo), -np.inf, dtype=np.result_type(x.dtype, np.float32))
        for k, vals in taps:
            more = (vals > best) | np.isnan(vals)
            np.copyto(best, vals, where=more)
            np.copyto(at, k, where=more)
    base = (np.arange(n)[:, None] * c + np.arange(c)[None, :]) * (h * v)
    di, dj = np.divmod(at, kw)
    di *= dh
    dj *= dw
    if not (pt or pb or pl or pr):  # every window inside: offsets in place
        di *= v
        di += dj
        di += base[:, :, None, None] + (np.arange(ho)[:, None] * (sh * v)
                                        + np.arange(wo)[None, :] * sw)
        return di
    # offsets in the padding (kept only by a window of -inf) move to its first inside element
    r = np.clip(np.arange(ho)[:, None] * sh + di - pt, 0, h - 1)
    q = np.clip(np.arange(wo)[None, :] * sw + dj - pl, 0, v - 1)
    return base[:, :, None, None] + r * v + q


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """torch.nn.functional.max_pool2d: the maximum over each window of the input padded
    with -inf. The derivative goes to each window's first maximum (row-major), as in
    PyTorch: a gather at those positions, whose VJP scatters back. ``dilation`` spaces
    a window's taps; ``ceil_mode`` keeps a last, partial window at the end of a row or
    column; ``return_indices`` also returns each maximum's flat index in its (H, W)
    plane (int64, as PyTorch's).

    >>> import numpy as np
    >>> max_pool2d(np.arange(16.0).reshape(1, 1, 4, 4), 2)[0, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    """
    who = "max_pool2d"
    x, added, kernel, stride, pad, dil = _pool_args(who, input, kernel_size, stride,
                                                    padding, dilation, ceil_mode)
    dtype = np.result_type(unbox_all(x))
    if dtype.kind == "c":
        raise TypeError(f"{who}: input is complex ({dtype}); a maximum needs real values")
    # each window's first maximum, found per example under vmap (an index that
    # differs between examples travels as an argument of getitem)
    idx = per_example(lambda xv: _max_positions(xv, kernel, stride, pad, dil), x)
    y = _unbatched(getitem_(_reshape(x, newshape=(-1,)), idx), added)
    if not return_indices:
        return y
    h, v = shape(x)[2:]
    return y, _unbatched(idx % (h * v), added)  # the index within each (H, W) plane
