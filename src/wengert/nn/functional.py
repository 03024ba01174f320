"""``wengert.nn.functional``: PyTorch's ``torch.nn.functional`` over wengert.

Every function composes ``wengert.numpy`` / ``wengert.scipy.special`` operations, so
its derivative is that of the primitives it binds: no derivative formula lives here.
The modules of ``wengert.nn`` call these functions (one implementation each), and
since they are written with ``wengert.numpy`` they also work on the traced arrays of
the functional API (``wg.grad(lambda x: F.gelu(x).sum())``).

Where PyTorch's hand-written backward and the composed derivative could disagree (a
kink met exactly, an overflow in a branch that ``where`` discards), the composition
is chosen to agree: ``relu``'s derivative at 0 is 0, ``elu``'s is ``alpha``,
``binary_cross_entropy_with_logits`` uses the smooth ``logaddexp`` (exact derivative
at 0, no overflow), and the discarded branch of each ``where`` sees a safe input.

Names, signatures, defaults and error messages are PyTorch's.
"""

import math
import numbers
import warnings

import numpy as np

from .. import numpy as wnp
from ..core.trace import unbox_all
from ..scipy import special as wsp
from ..tensors import Tensor, no_grad
from ..tensors._creation import default_generator
from ..tensors._functions import write_out

__all__ = ["relu", "relu_", "leaky_relu", "gelu", "tanh", "sigmoid", "softmax",
           "log_softmax", "softmin", "elu", "selu", "celu", "softplus", "silu", "mish",
           "hardtanh", "relu6", "hardsigmoid", "hardswish", "logsigmoid", "softsign",
           "tanhshrink", "threshold", "glu", "prelu", "dropout", "linear", "bilinear",
           "mse_loss", "l1_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss",
           "smooth_l1_loss", "huber_loss", "kl_div", "one_hot", "pad", "embedding",
           "layer_norm", "rms_norm", "batch_norm", "group_norm", "conv1d", "conv2d",
           "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
           "adaptive_avg_pool2d", "normalize", "cosine_similarity", "pairwise_distance"]


# ---------------------------------------------------------------- helpers

def _value(x):
    """The plain numpy value of a tensor, a traced array or an array."""
    return np.asarray(unbox_all(x._value if isinstance(x, Tensor) else x))


def _shape(x):
    return tuple(np.shape(unbox_all(x._value if isinstance(x, Tensor) else x)))


def _ndim(x):
    return len(_shape(x))


def _dtype(x):
    return _value(x).dtype


def _size(x):
    """A shape as PyTorch prints it in messages (``torch.Size([2, 3])``)."""
    return f"torch.Size({list(_shape(x))})"


def _detach(x):
    if isinstance(x, Tensor):
        return x.detach()
    from ..transforms import stop_gradient
    return stop_gradient(x)


def _maybe_inplace(input, out, inplace):
    """``inplace=True``: ``input`` takes the result (PyTorch's in-place activations;
    the in-place rules of Tensor apply, e.g. no in-place change of a leaf that
    requires grad)."""
    if inplace and isinstance(input, Tensor):
        return input._assign(out)
    return out


class _Reduction:
    """PyTorch's ``torch.nn._reduction``: the legacy ``size_average``/``reduce``."""

    @staticmethod
    def legacy_get_string(size_average, reduce, emit_warning=True):
        if size_average is None:
            size_average = True
        if reduce is None:
            reduce = True
        ret = "mean" if size_average and reduce else "sum" if reduce else "none"
        if emit_warning:
            warnings.warn(f"size_average and reduce args will be deprecated, please use "
                          f"reduction='{ret}' instead.", stacklevel=3)
        return ret


def _reduction(reduction, size_average=None, reduce=None):
    if size_average is not None or reduce is not None:
        reduction = _Reduction.legacy_get_string(size_average, reduce)
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss, reduction):
    if reduction == "mean":
        return wnp.mean(loss)
    if reduction == "sum":
        return wnp.sum(loss)
    return loss


def _check_same_size(input, target, stacklevel=3):
    if _shape(input) != _shape(target):
        warnings.warn(f"Using a target size ({_size(target)}) that is different to the input "
                      f"size ({_size(input)}). This will likely lead to incorrect results "
                      f"due to broadcasting. Please ensure they have the same size.",
                      stacklevel=stacklevel)


# ---------------------------------------------------------------- activations

def threshold(input, threshold, value, inplace=False):
    """``input`` where it exceeds ``threshold``, else ``value`` (a nan passes through).
    ``inplace=True`` writes the result into ``input`` (a tensor) and returns it.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.threshold(wg.tensor([0.5, 1.0, 2.0]), 1.0, -1.0)
    tensor([-1., -1.,  2.])
    """
    keep = ~(_value(input) <= threshold)
    return _maybe_inplace(input, wnp.where(keep, input, float(value)), inplace)


def relu(input, inplace=False):
    """max(0, x) for each element; the derivative at 0 is 0 and a nan passes, as PyTorch's.
    ``inplace=True`` writes the result into ``input`` (a tensor) and returns it. Works on
    tensors and on the traced arrays of ``wg.grad`` alike, as every function here.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.relu(wg.tensor([-1.0, 0.0, 2.0]))
    tensor([0., 0., 2.])
    >>> float(wg.grad(lambda x: F.relu(x))(3.0))
    1.0
    """
    return threshold(input, 0.0, 0.0, inplace)


def relu_(input):
    """``relu`` in place: ``input`` (a tensor) takes the result and is returned. The
    in-place rules of Tensor apply (a leaf that requires grad refuses).

    >>> import wengert as wg, wengert.nn.functional as F
    >>> x = wg.tensor([-1.0, 2.0]); _ = F.relu_(x); x
    tensor([0., 2.])
    """
    return relu(input, inplace=True)


def relu6(input, inplace=False):
    """min(max(0, x), 6) for each element (``hardtanh`` between 0 and 6); ``inplace=True``
    writes into ``input``.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.relu6(wg.tensor([-1.0, 3.0, 8.0]))
    tensor([0., 3., 6.])
    """
    return hardtanh(input, 0.0, 6.0, inplace)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Each element clipped to [``min_val``, ``max_val``] (default [-1, 1]); the
    derivative is 0 at the edges themselves, as PyTorch's. ``min_val > max_val`` raises
    ValueError; ``inplace=True`` writes into ``input``.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.hardtanh(wg.tensor([-2.0, 0.5, 3.0]), -0.5, 1.0)
    tensor([-0.5000,  0.5000,  1.0000])
    """
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    v = _value(input)
    # the derivative is 0 at the edges themselves, as PyTorch's
    out = wnp.where(v <= min_val, float(min_val), wnp.where(v >= max_val, float(max_val),
                                                            input))
    return _maybe_inplace(input, out, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x for x > 0, ``negative_slope * x`` otherwise (default slope 0.01); ``inplace=True``
    writes into ``input``.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.leaky_relu(wg.tensor([-2.0, 3.0]), 0.1)
    tensor([-0.2000,  3.0000])
    """
    out = wnp.where(_value(input) > 0, input, input * float(negative_slope))
    return _maybe_inplace(input, out, inplace)


def gelu(input, approximate="none"):
    """x Phi(x), Phi the standard normal distribution function: the exact erf form by
    default, or the tanh approximation with ``approximate='tanh'`` (any other value raises
    RuntimeError).

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.gelu(wg.tensor([-1.0, 0.0, 1.0]))
    tensor([-0.1587,  0.0000,  0.8413])
    >>> F.gelu(wg.tensor([-1.0, 0.0, 1.0]), approximate="tanh")
    tensor([-0.1588,  0.0000,  0.8412])
    >>> wg.grad(lambda x: F.gelu(x))(0.0)  # Phi(0)
    0.5
    """
    if approximate == "none":
        return input * 0.5 * (1.0 + wsp.erf(input * (1.0 / math.sqrt(2.0))))
    if approximate == "tanh":
        inner = math.sqrt(2.0 / math.pi) * (input + 0.044715 * input * input * input)
        return 0.5 * input * (1.0 + wnp.tanh(inner))
    raise RuntimeError("approximate argument must be either none or tanh.")


def tanh(input):
    """The hyperbolic tangent of each element.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.tanh(wg.tensor([0.0, 1.0]))
    tensor([0.0000, 0.7616])
    """
    return wnp.tanh(input)


def sigmoid(input):
    """The logistic function 1 / (1 + exp(-x)) of each element, without overflow.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.sigmoid(wg.tensor([0.0, 2.0]))
    tensor([0.5000, 0.8808])
    """
    return wsp.expit(input)


def silu(input, inplace=False):
    """x sigmoid(x) (swish) for each element; ``inplace=True`` writes into ``input``.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.silu(wg.tensor([-1.0, 0.0, 2.0]))
    tensor([-0.2689,  0.0000,  1.7616])
    """
    return _maybe_inplace(input, input * wsp.expit(input), inplace)


def mish(input, inplace=False):
    """x tanh(softplus(x)) for each element; ``inplace=True`` writes into ``input``.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.mish(wg.tensor([-1.0, 0.0, 2.0]))
    tensor([-0.3034,  0.0000,  1.9440])
    """
    return _maybe_inplace(input, input * wnp.tanh(softplus(input)), inplace)


def hardsigmoid(input, inplace=False):
    """The piecewise-linear sigmoid: 0 below -3, 1 above 3, x / 6 + 1/2 between;
    ``inplace=True`` writes into ``input``.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.hardsigmoid(wg.tensor([-4.0, 0.0, 1.5, 4.0]))
    tensor([0.0000, 0.5000, 0.7500, 1.0000])
    """
    return _maybe_inplace(input, hardtanh(input / 6.0 + 0.5, 0.0, 1.0), inplace)


def hardswish(input, inplace=False):
    """x hardsigmoid(x): 0 below -3, x above 3, x (x + 3) / 6 between; the derivative is 0
    at -3 itself and 1 at 3 itself, as PyTorch's. ``inplace=True`` writes into ``input``.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.hardswish(wg.tensor([-4.0, 1.5, 4.0]))
    tensor([0.0000, 1.1250, 4.0000])
    """
    v = _value(input)
    # PyTorch's derivative: 0 at -3 itself, 1 at 3 itself
    out = wnp.where(v <= -3.0, 0.0, wnp.where(v >= 3.0, input, input * (input + 3.0) / 6.0))
    return _maybe_inplace(input, out, inplace)


def _negative_part(input):
    """``input`` where it is <= 0 and 0 elsewhere: the safe argument of the
    exponential branch of elu/celu/selu (no overflow in the discarded branch)."""
    return wnp.where(_value(input) > 0, 0.0, input)


def elu(input, alpha=1.0, inplace=False):
    """x for x > 0, ``alpha (exp(x) - 1)`` otherwise (default ``alpha`` 1; the derivative
    at 0 is ``alpha``). ``inplace=True`` writes into ``input``.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.elu(wg.tensor([-1.0, 2.0]), alpha=0.5)
    tensor([-0.3161,  2.0000])
    """
    out = wnp.where(_value(input) > 0, input, float(alpha) * wnp.expm1(_negative_part(input)))
    return _maybe_inplace(input, out, inplace)


def celu(input, alpha=1.0, inplace=False):
    """x for x > 0, ``alpha (exp(x / alpha) - 1)`` otherwise (default ``alpha`` 1);
    ``inplace=True`` writes into ``input``.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.celu(wg.tensor([-1.0, 2.0]), alpha=2.0)
    tensor([-0.7869,  2.0000])
    """
    a = float(alpha)
    out = wnp.where(_value(input) > 0, input, a * wnp.expm1(_negative_part(input) / a))
    return _maybe_inplace(input, out, inplace)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """``scale * elu(x, alpha)`` with the self-normalising constants alpha = 1.6733 and
    scale = 1.0507; ``inplace=True`` writes into ``input``.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.selu(wg.tensor([-1.0, 2.0]))
    tensor([-1.1113,  2.1014])
    """
    return _maybe_inplace(input, _SELU_SCALE * elu(input, _SELU_ALPHA), inplace)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta x)) / beta for each element (default ``beta`` 1), and x itself
    where beta x > ``threshold`` (default 20), where the two agree to rounding.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.softplus(wg.tensor([-1.0, 0.0, 30.0]))
    tensor([ 0.3133,  0.6931, 30.0000])
    >>> F.softplus(wg.tensor([0.0, 1.0]), beta=2.0)
    tensor([0.3466, 1.0635])
    """
    bx = input * float(beta) if beta != 1 else input
    smooth = wnp.logaddexp(0.0, bx)
    if beta != 1:
        smooth = smooth / float(beta)
    return wnp.where(_value(bx) > threshold, input, smooth)


def logsigmoid(input):
    """log(sigmoid(x)) = -softplus(-x) for each element, accurate for large |x|.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.logsigmoid(wg.tensor([-100.0, 0.0, 2.0]))
    tensor([-100.0000,   -0.6931,   -0.1269])
    """
    return -wnp.logaddexp(0.0, -input)


def softsign(input):
    """x / (1 + |x|) for each element.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.softsign(wg.tensor([-3.0, 0.0, 1.0]))
    tensor([-0.7500,  0.0000,  0.5000])
    """
    return input / (1.0 + wnp.abs(input))


def tanhshrink(input):
    """x - tanh(x) for each element.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.tanhshrink(wg.tensor([-1.0, 0.0, 2.0]))
    tensor([-0.2384,  0.0000,  1.0360])
    """
    return input - wnp.tanh(input)


def glu(input, dim=-1):
    """The gated linear unit: ``input`` split in halves a, b along ``dim`` (default the
    last; its size must be even, else RuntimeError), then a * sigmoid(b).

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.glu(wg.tensor([[1.0, 2.0, 0.0, 100.0]]))
    tensor([[0.5000, 2.0000]])
    """
    n = _shape(input)[dim]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim % _ndim(input)}"
                           f" is size {n}")
    a, b = wnp.split(input, 2, axis=dim)
    return a * wsp.expit(b)


def prelu(input, weight):
    """x for x > 0, ``weight * x`` otherwise: ``weight`` one slope for all (shape (1,)) or
    one per channel (dimension 1 of ``input``).

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.prelu(wg.tensor([[-2.0, -2.0], [1.0, -1.0]]), wg.tensor([0.5, 0.1]))
    tensor([[-1.0000, -0.2000],
            [ 1.0000, -0.1000]])
    """
    w = weight
    nd = _ndim(input)
    if _shape(weight) != (1,) and _shape(weight) != () and nd >= 2:
        w = wnp.reshape(weight, (-1,) + (1,) * (nd - 2))
    return wnp.where(_value(input) > 0, input, input * w)


def _softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the "
                  f"call to include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _cast(input, dtype):
    if dtype is None:
        return input
    if isinstance(input, Tensor):
        return input.to(dtype)
    return wnp.astype(input, dtype)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum exp(x) along ``dim``, without overflow; ``dtype`` converts the input
    first. Without ``dim`` it warns, as PyTorch, and picks dimension 0 for 0-, 1- and
    3-d input, 1 otherwise.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.softmax(wg.tensor([[1.0, 2.0], [3.0, 3.0]]), dim=1)
    tensor([[0.2689, 0.7311],
            [0.5000, 0.5000]])
    """
    if dim is None:
        dim = _softmax_dim("softmax", _ndim(input), _stacklevel)
    return wsp.softmax(_cast(input, dtype), axis=dim)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x) along ``dim``: the smallest entries get the largest weights; ``dtype``
    converts first, and without ``dim`` it warns and picks one as ``softmax`` does.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.softmin(wg.tensor([1.0, 2.0, 3.0]), dim=0)
    tensor([0.6652, 0.2447, 0.0900])
    """
    if dim is None:
        dim = _softmax_dim("softmin", _ndim(input), _stacklevel)
    return wsp.softmax(-_cast(input, dtype), axis=dim)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """x - logsumexp(x) along ``dim``: the log of ``softmax``, without overflow or log(0);
    ``dtype`` converts first, and without ``dim`` it warns and picks one as ``softmax``
    does.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.log_softmax(wg.tensor([1.0, 2.0, 3.0]), dim=0)
    tensor([-2.4076, -1.4076, -0.4076])
    """
    if dim is None:
        dim = _softmax_dim("log_softmax", _ndim(input), _stacklevel)
    return wsp.log_softmax(_cast(input, dtype), axis=dim)


# ---------------------------------------------------------------- dropout, linear

def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` (drawn from the seeded generator
    ``wengert.manual_seed`` sets) and scale the rest by 1/(1-p), so the mean is kept;
    the identity when not ``training`` or ``p`` is 0. ``p`` outside [0, 1] raises
    ValueError; ``inplace=True`` writes into ``input``. The draws differ from PyTorch's
    for the same seed.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.dropout(wg.tensor([1.0, 2.0, 3.0]), p=0.5, training=False)
    tensor([1., 2., 3.])
    >>> y = F.dropout(wg.ones(1000), p=0.25)
    >>> sorted(set(y.tolist())), 0.6 < (y == 0).float().mean().item() * 4 < 1.4
    ([0.0, 1.3333333730697632], True)
    """
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    v = _value(input)
    if p == 1.0:
        mask = np.zeros(v.shape, dtype=v.dtype)
    else:
        keep = default_generator.rng.random(v.shape) >= p
        mask = (keep / (1.0 - p)).astype(v.dtype)
    return _maybe_inplace(input, input * mask, inplace)


def linear(input, weight, bias=None):
    """``input @ weight.T + bias``: ``weight`` of shape (out_features, in_features),
    ``bias`` (optional) of shape (out_features,); leading dimensions of ``input`` are
    batches. Mismatched shapes or float dtypes raise PyTorch's RuntimeError.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> W = wg.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> F.linear(wg.tensor([[1.0, 2.0]]), W, wg.tensor([0.0, 0.0, 10.0]))
    tensor([[ 1.,  2., 13.]])
    """
    xs, ws = _shape(input), _shape(weight)
    if len(ws) == 2 and len(xs) >= 1 and xs[-1] != ws[1]:
        rows = int(np.prod(xs[:-1])) if len(xs) > 1 else 1
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{xs[-1]} and "
                           f"{ws[1]}x{ws[0]})")
    dx, dw = _dtype(input), _dtype(weight)
    if dx != dw and dx.kind in "fc" and dw.kind in "fc":
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{_torch_type(dx)} and {_torch_type(dw)}")
    out = wnp.matmul(input, wnp.transpose(weight))
    return out if bias is None else out + bias


def bilinear(input1, input2, weight, bias=None):
    """x1^T A_k x2 + b_k for each output k: ``weight`` of shape (out, in1, in2), ``bias``
    (optional) of shape (out,); leading dimensions of the inputs are batches.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.bilinear(wg.tensor([[1.0, 2.0]]), wg.tensor([[3.0]]), wg.tensor([[[1.0], [1.0]]]))
    tensor([[9.]])
    """
    out = wnp.einsum("...i,kij,...j->...k", input1, weight, input2)
    return out if bias is None else out + bias


# ---------------------------------------------------------------- regression losses

def _weighted(loss, weight):
    return loss if weight is None else loss * weight


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """The squared error (input - target)^2, reduced by ``reduction``: 'mean' (default),
    'sum' or 'none' (per element); ``weight`` multiplies each element's loss first. A
    target of another shape warns (broadcasting); the legacy ``size_average``/``reduce``
    set the reduction, with PyTorch's warning.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.mse_loss(wg.tensor([1.0, 2.0]), wg.tensor([0.0, 4.0]))
    tensor(2.5000)
    >>> F.mse_loss(wg.tensor([1.0, 2.0]), wg.tensor([0.0, 4.0]), reduction="none")
    tensor([1., 4.])
    """
    _check_same_size(input, target)
    reduction = _reduction(reduction, size_average, reduce)
    d = input - target
    return _reduce(_weighted(d * d, weight), reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """The absolute error |input - target| (derivative 0 where they are equal), reduced by
    ``reduction`` ('mean', 'sum' or 'none'); ``weight`` multiplies each element's loss.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.l1_loss(wg.tensor([1.0, 2.0]), wg.tensor([0.0, 4.0]), reduction="sum")
    tensor(3.)
    """
    _check_same_size(input, target)
    reduction = _reduction(reduction, size_average, reduce)
    return _reduce(_weighted(wnp.abs(input - target), weight), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """With d = input - target: 0.5 d^2 where |d| < ``delta`` (default 1), delta (|d| -
    delta/2) elsewhere; reduced by ``reduction`` ('mean', 'sum' or 'none'), ``weight``
    multiplying each element's loss. ``smooth_l1_loss`` is the same divided by delta.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.huber_loss(wg.tensor([0.5, 3.0]), wg.zeros(2), reduction="none", delta=2.0)
    tensor([0.1250, 4.0000])
    """
    _check_same_size(input, target)
    reduction = _reduction(reduction)
    d = input - target
    ad = wnp.abs(d)
    loss = wnp.where(_value(ad) < delta, 0.5 * d * d, float(delta) * (ad - 0.5 * delta))
    return _reduce(_weighted(loss, weight), reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean",
                   beta=1.0):
    """With d = input - target: 0.5 d^2 / ``beta`` where |d| < beta (default 1), |d| - beta/2
    elsewhere (the l1 loss when beta is 0; a negative beta raises); reduced by
    ``reduction`` ('mean', 'sum' or 'none').

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.smooth_l1_loss(wg.tensor([0.5, 3.0]), wg.tensor([0.0, 0.0]), reduction="none")
    tensor([0.1250, 2.5000])
    """
    _check_same_size(input, target)
    reduction = _reduction(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    d = input - target
    ad = wnp.abs(d)
    if beta == 0.0:
        return _reduce(ad, reduction)
    loss = wnp.where(_value(ad) < beta, (0.5 / beta) * d * d, ad - 0.5 * beta)
    return _reduce(loss, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean",
           log_target=False):
    """The Kullback-Leibler divergence target (log target - input) pointwise, ``input``
    being log-probabilities (and ``target`` too with ``log_target=True``); 0 where the
    target is 0. ``reduction``: 'mean' (over all elements, with PyTorch's warning),
    'batchmean' (the sum divided by the batch size: the mathematical KL divergence per
    sample), 'sum' or 'none'.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> p, q = wg.tensor([[0.25, 0.75]]), wg.tensor([[0.5, 0.5]])
    >>> F.kl_div(q.log(), p, reduction="batchmean")  # KL(p || q)
    tensor(0.1308)
    """
    if reduction == "batchmean":
        red = "sum"
    else:
        red = _reduction(reduction, size_average, reduce)
        if red == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size "
                          "and the support size.'batchmean' divides only by the batch size, "
                          "and aligns with the KL div math definition.'mean' will be changed "
                          "to behave the same as 'batchmean' in the next major release.",
                          stacklevel=2)
    if log_target:
        loss = wnp.exp(target) * (target - input)
    else:
        loss = wsp.xlogy(target, target) - target * input
    out = _reduce(loss, red)
    if reduction == "batchmean" and _ndim(input) != 0:
        out = out / float(_shape(input)[0])
    return out


# ---------------------------------------------------------------- classification losses

def _safe_log(x, lower=-100.0):
    """log(x) clamped below at -100 (PyTorch's BCE), with no nan from x = 0 in the
    derivative."""
    v = _value(x)
    pos = v > 0
    return wnp.where(pos, wnp.maximum(wnp.log(wnp.where(pos, x, 1.0)), lower), lower)


def _safe_log1m(x, lower=-100.0):
    v = _value(x)
    below = v < 1
    return wnp.where(below, wnp.maximum(wnp.log1p(-wnp.where(below, x, 0.0)), lower), lower)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """-(t log x + (1 - t) log(1 - x)) for probabilities ``input`` in [0, 1] (others raise
    RuntimeError) and targets ``target`` of the same shape (else ValueError), each log
    clamped at -100 as PyTorch's; ``weight`` multiplies each element's loss, then
    ``reduction`` ('mean', 'sum' or 'none').

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.binary_cross_entropy(wg.tensor([0.8, 0.1]), wg.tensor([1.0, 0.0]), reduction="none")
    tensor([0.2231, 0.1054])
    """
    reduction = _reduction(reduction, size_average, reduce)
    if _shape(target) != _shape(input):
        raise ValueError(f"Using a target size ({_size(target)}) that is different to the "
                         f"input size ({_size(input)}) is deprecated. Please ensure they "
                         f"have the same size.")
    v = _value(input)
    if np.any((v < 0) | (v > 1)):
        raise RuntimeError("all elements of input should be between 0 and 1")
    loss = -(target * _safe_log(input) + (1.0 - target) * _safe_log1m(input))
    return _reduce(_weighted(loss, weight), reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    """Sigmoid and binary cross entropy in one stable expression,
    (1 - t) x + (1 + (pos_weight - 1) t) softplus(-x), accurate in value and derivative
    for logits ``input`` of either sign. ``pos_weight`` weighs the positive targets
    (per class, broadcast), ``weight`` each element's loss; ``reduction`` 'mean', 'sum'
    or 'none'. Shapes must agree (else ValueError).

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.binary_cross_entropy_with_logits(wg.tensor([2.0, -1.0]), wg.tensor([1.0, 0.0]))
    tensor(0.2201)
    """
    reduction = _reduction(reduction, size_average, reduce)
    if _shape(target) != _shape(input):
        raise ValueError(f"Target size ({_size(target)}) must be the same as input size "
                         f"({_size(input)})")
    # with l = 1 + (p - 1) t: (1 - t) x + l softplus(-x) = l softplus(x) - p t x. The
    # first form is accurate (value and derivative) for x >= 0, the second for x < 0,
    # where the first would take sigmoid(x) as 1 - sigmoid(-x) and lose its digits
    lw = 1.0 if pos_weight is None else (pos_weight - 1.0) * target + 1.0
    pt = target if pos_weight is None else pos_weight * target
    upper = (1.0 - target) * input + lw * wnp.logaddexp(0.0, -input)
    lower = lw * wnp.logaddexp(0.0, input) - pt * input
    loss = wnp.where(_value(input) >= 0, upper, lower)
    return _reduce(_weighted(loss, weight), reduction)


def _class_targets(input, target, ignore_index):
    """The integer targets checked as PyTorch checks them; returns (plain targets,
    ignored mask, safe targets, class dim)."""
    t = _value(target)
    if t.dtype.kind not in "iu":
        raise RuntimeError(f"expected scalar type Long but found {_torch_type(t.dtype)}")
    shape = _shape(input)
    nd = len(shape)
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    cdim = 0 if nd == 1 else 1
    if nd >= 2 and (t.ndim == 0 or t.shape[0] != shape[0]):
        raise ValueError(f"Expected input batch_size ({shape[0]}) to match target "
                         f"batch_size ({t.shape[0] if t.ndim else 0}).")
    want = () if nd == 1 else shape[:1] + shape[2:]
    if t.shape != want:
        raise RuntimeError(f"Expected target size {list(want)}, got {list(t.shape)}")
    ignored = t == ignore_index
    safe = np.where(ignored, 0, t).astype(np.int64)
    bad = (safe < 0) | (safe >= shape[cdim])
    if np.any(bad):
        raise IndexError(f"Target {int(safe[bad].reshape(-1)[0])} is out of bounds.")
    return t, ignored, safe, cdim


def _torch_type(dt):
    return {"float32": "Float", "float64": "Double", "float16": "Half", "int32": "Int",
            "int64": "Long", "bool": "Bool", "uint8": "Byte", "int16": "Short",
            "int8": "Char"}.get(np.dtype(dt).name, np.dtype(dt).name)


def _class_weights(weight, safe, ignored, dtype):
    """Each target's class weight (0 where ignored): a plain array without
    ``weight``, else taken from ``weight`` (so a weight that requires grad gets one)."""
    if weight is None:
        return (~ignored).astype(dtype)
    return wnp.where(ignored, 0.0, wnp.take(weight, safe))


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """The negative log-likelihood -w[t] input[t]: ``input`` holds log-probabilities with the
    classes in dimension 1 (0 for one unbatched sample), ``target`` the int64 class of
    each sample. ``weight`` (one per class) weighs the samples; targets equal to
    ``ignore_index`` (default -100) count for nothing; 'mean' divides by the total weight
    of the targets not ignored, 'sum' adds, 'none' gives each sample's loss.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> logp, target = wg.tensor([[-0.1, -2.5], [-1.0, -0.5]]), wg.tensor([0, 1])
    >>> F.nll_loss(logp, target), F.nll_loss(logp, target, weight=wg.tensor([1.0, 3.0]))
    (tensor(0.3000), tensor(0.4000))
    """
    reduction = _reduction(reduction, size_average, reduce)
    _, ignored, safe, cdim = _class_targets(input, target, ignore_index)
    picked = wnp.squeeze(wnp.take_along_axis(input, np.expand_dims(safe, cdim), axis=cdim),
                         axis=cdim)
    w = _class_weights(weight, safe, ignored, _dtype(input))
    loss = -picked * w
    if reduction == "none":
        return loss
    if reduction == "sum":
        return wnp.sum(loss)
    return wnp.sum(loss) / wnp.sum(w)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """``log_softmax`` over the class dimension (1, or 0 for one unbatched sample), then the
    negative log-likelihood. ``target`` holds int64 class indices (with ``weight``,
    ``ignore_index`` and the 'mean' of ``nll_loss``), or class probabilities of the
    input's shape. ``label_smoothing`` in [0, 1] mixes each target with the uniform
    distribution; ``reduction`` 'mean', 'sum' or 'none'.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> logits = wg.tensor([[2.0, 0.0, 1.0], [0.0, 3.0, 0.0]])
    >>> F.cross_entropy(logits, wg.tensor([0, 1]), reduction="none")
    tensor([0.4076, 0.0949])
    >>> F.cross_entropy(logits, wg.tensor([0, -100]))  # the second sample ignored
    tensor(0.4076)
    >>> F.cross_entropy(logits, wg.tensor([0, 1]), label_smoothing=0.1)
    tensor(0.4013)
    """
    reduction = _reduction(reduction, size_average, reduce)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing}")
    nd = _ndim(input)
    cdim = 0 if nd == 1 else 1
    n_classes = _shape(input)[cdim]
    logp = log_softmax(input, cdim)
    wb = None
    if weight is not None:
        wb = wnp.reshape(weight, (n_classes,) + (1,) * (nd - cdim - 1))
    if _dtype(target).kind in "fc":
        if _shape(target) != _shape(input):
            raise RuntimeError(f"Expected target size {list(_shape(input))}, got "
                               f"{list(_shape(target))}")
        if ignore_index != -100:
            raise RuntimeError("ignore_index is not supported for floating point target")
        if label_smoothing > 0:
            target = target * (1.0 - label_smoothing) + label_smoothing / n_classes
        prod = logp * target if wb is None else logp * target * wb
        if reduction == "none":
            return -wnp.sum(prod, axis=cdim)
        total = -wnp.sum(prod)
        if reduction == "sum":
            return total
        return total / float(int(np.prod(_shape(input))) // n_classes)
    nll = nll_loss(logp, target, weight, None, ignore_index, None, reduction)
    if label_smoothing == 0.0:
        return nll
    _, ignored, safe, _ = _class_targets(input, target, ignore_index)
    smooth = -wnp.sum(logp if wb is None else logp * wb, axis=cdim)
    smooth = wnp.where(ignored, 0.0, smooth)
    if reduction == "sum":
        smooth = wnp.sum(smooth)
    elif reduction == "mean":
        smooth = wnp.sum(smooth) / wnp.sum(_class_weights(weight, safe, ignored,
                                                          _dtype(input)))
    return (1.0 - label_smoothing) * nll + smooth * (label_smoothing / n_classes)


# ---------------------------------------------------------------- encodings and padding

def one_hot(tensor, num_classes=-1):
    """An int64 tensor with one more dimension, 1 at each class index of the integer
    ``tensor`` and 0 elsewhere; ``num_classes`` defaults to the largest index + 1.
    Negative or too large classes raise RuntimeError.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.one_hot(wg.tensor([0, 2]), num_classes=4)
    tensor([[1, 0, 0, 0],
            [0, 0, 1, 0]])
    """
    t = _value(tensor)
    if t.dtype.kind not in "iu":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if t.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(t.max()) + 1
    if t.size:
        if t.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if t.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    out = (t[..., None] == np.arange(num_classes)).astype(np.int64)
    return Tensor._wrap(out, None)


_PAD_MODES = {"constant": "constant", "reflect": "reflect", "replicate": "edge",
              "circular": "wrap"}


def pad(input, pad, mode="constant", value=None):
    """Pad the last dimensions: ``pad = (left, right, top, bottom, ...)``, pairs from the
    last dimension backwards. ``mode``: 'constant' (with ``value``, default 0; negative
    amounts crop), 'reflect' (mirror without the edge), 'replicate' (repeat the edge) or
    'circular' (wrap around).

    >>> import wengert as wg, wengert.nn.functional as F
    >>> x = wg.tensor([[1.0, 2.0, 3.0]])
    >>> F.pad(x, (1, 1, 1, 0), value=9.0)
    tensor([[9., 9., 9., 9., 9.],
            [9., 1., 2., 3., 9.]])
    >>> F.pad(x, (2, 1), mode="reflect"), F.pad(x, (2, 1), mode="circular")
    (tensor([[3., 2., 1., 2., 3., 2.]]), tensor([[2., 3., 1., 2., 3., 1.]]))
    """
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    nd = _ndim(input)
    if len(pad) // 2 > nd:
        raise RuntimeError(f"Padding length should be less than or equal to two times the "
                           f"input dimension but got padding length {len(pad)} and input "
                           f"of dimension {nd}")
    if mode not in _PAD_MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if mode != "constant" and value not in (None, 0, 0.0):
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    widths = [[0, 0] for _ in range(nd)]
    for i in range(len(pad) // 2):
        widths[nd - 1 - i] = [int(pad[2 * i]), int(pad[2 * i + 1])]
    shape = _shape(input)
    if any(w < 0 for pair in widths for w in pair):
        if mode != "constant":
            raise RuntimeError(f"negative padding is supported in constant mode only, not "
                               f"{mode}")
        crop = tuple(slice(max(-lo, 0), n - max(-hi, 0))
                     for (lo, hi), n in zip(widths, shape))
        input = input[crop]
        widths = [[max(lo, 0), max(hi, 0)] for lo, hi in widths]
    if not any(w for pair in widths for w in pair):
        return input
    if mode == "constant":
        return wnp.pad(input, widths, mode="constant",
                       constant_values=0.0 if value is None else value)
    if mode == "reflect":
        for (lo, hi), n in zip(widths, shape):
            if lo >= n or hi >= n:
                raise RuntimeError(f"Argument #4: Padding size should be less than the "
                                   f"corresponding input dimension, but got: padding "
                                   f"({lo}, {hi}) at dimension of input {n}")
    return wnp.pad(input, widths, mode=_PAD_MODES[mode])


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """The rows of ``weight`` at the integer indices ``input`` (any shape; the result has one
    more dimension). The row ``padding_idx`` gets no gradient; ``max_norm`` renormalises
    the rows looked up to that ``norm_type``-norm at most (in place, as PyTorch);
    ``scale_grad_by_freq`` divides each row's gradient by its count in the batch.
    ``sparse=True`` is accepted, but the gradient is dense.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> weight = wg.tensor([[0.0, 0.0], [1.0, 1.0], [2.0, 4.0]])
    >>> F.embedding(wg.tensor([2, 0, 2]), weight)
    tensor([[2., 4.],
            [0., 0.],
            [2., 4.]])
    """
    idx = _value(input)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got "
                           f"torch.{_torch_type(idx.dtype)}Tensor instead (while checking "
                           f"arguments for embedding)")
    n = _shape(weight)[0]
    if padding_idx is not None:
        if padding_idx > 0 and padding_idx >= n:
            raise AssertionError("Padding_idx must be within num_embeddings")
        if padding_idx < 0:
            if padding_idx < -n:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = n + padding_idx
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexError("index out of range in self")
    idx = np.where(idx < 0, idx + n, idx)
    if max_norm is not None:
        _embedding_renorm_(weight, idx, max_norm, norm_type)
    out = wnp.take(weight, idx, axis=0)
    if padding_idx is not None:
        mask = (idx == padding_idx)[..., None]
        if mask.any():
            out = wnp.where(mask, wnp.take(_detach(weight), idx, axis=0), out)
    if scale_grad_by_freq:
        counts = np.bincount(idx.reshape(-1), minlength=n)[idx][..., None]
        frozen = _detach(out)
        # the value is exactly ``out``; the derivative is divided by the count
        out = frozen + (out - frozen) * (1.0 / counts).astype(_dtype(weight))
    return out


def _embedding_renorm_(weight, idx, max_norm, norm_type):
    rows = np.unique(idx)
    w = _value(weight)
    norms = np.linalg.norm(w[rows], ord=norm_type, axis=1)
    over = norms > max_norm
    if np.any(over):
        scale = (max_norm / (norms[over] + 1e-7)).astype(w.dtype)
        new = w.copy()
        new[rows[over]] *= scale[:, None]
        _write(weight, new)


def _write(t, new):
    """Write ``new`` into ``t`` in place, unrecorded (running statistics, renorm)."""
    if isinstance(t, Tensor):
        with no_grad():
            t.copy_(Tensor._wrap(np.asarray(new), None))
    else:
        np.copyto(t, new)


# ---------------------------------------------------------------- normalisation

def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """(x - mean) / sqrt(var + eps) over the last ``len(normalized_shape)`` dimensions
    (biased variance; ``normalized_shape`` must match them, else RuntimeError), then
    ``* weight + bias`` (each optional, of ``normalized_shape``).

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.layer_norm(wg.tensor([[1.0, 2.0, 3.0]]), (3,))
    tensor([[-1.2247,  0.0000,  1.2247]])
    """
    ns = (normalized_shape,) if isinstance(normalized_shape, numbers.Integral) \
        else tuple(normalized_shape)
    shape = _shape(input)
    if len(ns) == 0 or shape[len(shape) - len(ns):] != ns or len(shape) < len(ns):
        raise RuntimeError(f"Given normalized_shape={list(ns)}, expected input with shape "
                           f"[*, {', '.join(map(str, ns))}], but got input of size"
                           f"{list(shape)}")
    axes = tuple(range(-len(ns), 0))
    mean = wnp.mean(input, axis=axes, keepdims=True)
    xc = input - mean
    var = wnp.mean(xc * xc, axis=axes, keepdims=True)
    out = xc / wnp.sqrt(var + eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x^2) + eps) over the last ``len(normalized_shape)`` dimensions, times
    ``weight`` (optional); ``eps`` None is the dtype's machine epsilon.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.rms_norm(wg.tensor([[3.0, 4.0]]), (2,), weight=wg.tensor([1.0, 2.0]))
    tensor([[0.8485, 2.2627]])
    """
    ns = (normalized_shape,) if isinstance(normalized_shape, numbers.Integral) \
        else tuple(normalized_shape)
    if eps is None:
        eps = float(np.finfo(_dtype(input)).eps)
    axes = tuple(range(-len(ns), 0))
    out = input / wnp.sqrt(wnp.mean(input * input, axis=axes, keepdims=True) + eps)
    return out if weight is None else out * weight


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise over groups of channels: the channels (dimension 1) fall into
    ``num_groups`` groups (it must divide them), each group with the remaining
    dimensions normalised to mean 0 and variance 1 (biased, plus ``eps``), then ``*
    weight + bias`` per channel.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.group_norm(wg.tensor([[1.0, 3.0, 10.0, 30.0]]), 2)
    tensor([[-1.0000,  1.0000, -1.0000,  1.0000]])
    """
    shape = _shape(input)
    if len(shape) < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{len(shape)}")
    n, c = shape[0], shape[1]
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {list(shape)} and "
                           f"num_groups={num_groups}")
    x = wnp.reshape(input, (n, num_groups, -1))
    mean = wnp.mean(x, axis=2, keepdims=True)
    xc = x - mean
    var = wnp.mean(xc * xc, axis=2, keepdims=True)
    out = wnp.reshape(xc / wnp.sqrt(var + eps), shape)
    per_channel = (c,) + (1,) * (len(shape) - 2)
    if weight is not None:
        out = out * wnp.reshape(weight, per_channel)
    if bias is not None:
        out = out + wnp.reshape(bias, per_channel)
    return out


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Normalise each channel (dimension 1) over the batch and the other dimensions. With
    ``training=True`` the batch's own mean and (biased) variance are used, and
    ``running_mean``/``running_var`` (if given) move towards them by ``momentum``, the
    variance unbiased, in place; otherwise the running statistics are used (then
    required). Then ``* weight + bias`` per channel.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> x = wg.tensor([[1.0, 10.0], [3.0, 30.0]])
    >>> mean, var = wg.zeros(2), wg.ones(2)
    >>> F.batch_norm(x, mean, var, training=True)
    tensor([[-1.0000, -1.0000],
            [ 1.0000,  1.0000]])
    >>> mean, var
    (tensor([0.2000, 2.0000]), tensor([ 1.1000, 20.9000]))
    """
    shape = _shape(input)
    if len(shape) < 2:
        raise ValueError(f"Expected 2 or more dimensions (got {len(shape)})")
    c = shape[1]
    per_channel = (c,) + (1,) * (len(shape) - 2)
    axes = (0,) + tuple(range(2, len(shape)))
    if training:
        count = int(np.prod(shape)) // c
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got "
                             f"input size {_size(input)}")
        mean = wnp.mean(input, axis=axes, keepdims=True)
        xc = input - mean
        var = wnp.mean(xc * xc, axis=axes, keepdims=True)
        out = xc / wnp.sqrt(var + eps)
        m = float(momentum)
        if running_mean is not None:
            _write(running_mean, (1.0 - m) * _value(running_mean)
                   + m * _value(mean).reshape(c))
        if running_var is not None:
            unbiased = _value(var).reshape(c) * (count / (count - 1))
            _write(running_var, (1.0 - m) * _value(running_var) + m * unbiased)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("running_mean and running_var must be defined in evaluation "
                               "mode")
        rm = wnp.reshape(running_mean, per_channel)
        rv = wnp.reshape(running_var, per_channel)
        out = (input - rm) / wnp.sqrt(rv + eps)
    if weight is not None:
        out = out * wnp.reshape(weight, per_channel)
    if bias is not None:
        out = out + wnp.reshape(bias, per_channel)
    return out


def _vector_norm(x, p, dim, keepdim=True):
    """The p-norm along ``dim`` with derivative 0 (not nan) at a zero vector."""
    if p == 2:
        s = wnp.sum(x * x, axis=dim, keepdims=keepdim)
    else:
        s = wnp.sum(wnp.abs(x) ** float(p), axis=dim, keepdims=keepdim)
    pos = _value(s) > 0
    safe = wnp.where(pos, s, 1.0)
    root = wnp.sqrt(safe) if p == 2 else safe ** (1.0 / p)
    return wnp.where(pos, root, 0.0)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input / max(||input||_p, eps)`` along ``dim`` (default 1): unit vectors, a zero
    vector staying zero (with derivative 0, not nan). ``out``: a tensor that receives
    the result (converted to its dtype) and is returned.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.normalize(wg.tensor([[3.0, 4.0], [0.0, 0.0]]))
    tensor([[0.6000, 0.8000],
            [0.0000, 0.0000]])
    """
    norm = _vector_norm(input, p, dim)
    denom = wnp.where(_value(norm) > eps, norm, float(eps))
    return write_out(out, input / denom)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """The cosine of the angle between ``x1`` and ``x2`` along ``dim`` (default 1,
    broadcast): their inner product over the product of their norms, each norm at least
    ``eps``.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> a, b = wg.tensor([[1.0, 0.0], [1.0, 1.0]]), wg.tensor([[1.0, 1.0], [-1.0, -1.0]])
    >>> F.cosine_similarity(a, b)
    tensor([ 0.7071, -1.0000])
    """
    n1 = _vector_norm(x1, 2, dim, keepdim=False)
    n2 = _vector_norm(x2, 2, dim, keepdim=False)
    n1 = wnp.where(_value(n1) > eps, n1, float(eps))
    n2 = wnp.where(_value(n2) > eps, n2, float(eps))
    return wnp.sum(x1 * x2, axis=dim) / (n1 * n2)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """The ``p``-norm of ``x1 - x2 + eps`` along the last dimension, row by row
    (broadcast); ``keepdim=True`` keeps that dimension. The ``eps`` (default 1e-6) keeps
    the derivative finite where the rows are equal, as PyTorch's.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.pairwise_distance(wg.tensor([[0.0, 0.0]]), wg.tensor([[3.0, 4.0]]))
    tensor([5.0000])
    """
    return _vector_norm(x1 - x2 + eps, p, -1, keepdim=keepdim)


# ---------------------------------------------------------------- convolution, pooling

def _conv_rules():
    try:
        from ..rules import conv
    except ImportError as e:  # pragma: no cover  (until wengert.rules.conv exists)
        raise NotImplementedError("conv2d and the pooling functions need "
                                  "wengert.rules.conv, which this build lacks") from e
    return conv


def _pair(v):
    return (v, v) if isinstance(v, numbers.Integral) else tuple(v)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d cross-correlation (what deep learning calls convolution) of NCHW input, or CHW
    for one sample, with ``weight`` of shape (out_channels, in_channels / groups, kH, kW)
    and optional ``bias`` (out_channels,). ``stride``, ``dilation`` and ``padding`` are
    ints or pairs; ``padding`` may also be 'valid' (none) or 'same' (output as large as
    the input, stride 1 only). ``groups`` splits the channels into independent groups.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.conv2d(wg.ones(1, 1, 3, 3), wg.ones(1, 1, 2, 2))
    tensor([[[[4., 4.],
              [4., 4.]]]])
    >>> F.conv2d(wg.ones(1, 1, 3, 3), wg.ones(2, 1, 2, 2), stride=2, padding=1).shape
    Size([1, 2, 2, 2])
    """
    conv = _conv_rules()
    unbatched = _ndim(input) == 3
    if unbatched:
        input = wnp.expand_dims(input, 0)
    if isinstance(padding, str):
        if padding == "valid":
            padding = 0
        elif padding == "same":
            if any(s != 1 for s in _pair(stride)):
                raise RuntimeError("padding='same' is not supported for strided "
                                   "convolutions")
            kh, kw = _shape(weight)[2:]
            dh, dw = _pair(dilation)
            th, tw = dh * (kh - 1), dw * (kw - 1)
            if th % 2 or tw % 2:
                input = pad(input, (tw // 2, tw - tw // 2, th // 2, th - th // 2))
                padding = 0
            else:
                padding = (th // 2, tw // 2)
        else:
            raise ValueError(f"Invalid padding string '{padding}', should be one of "
                             f"{{'valid', 'same'}}")
    out = conv.conv2d(input, weight, bias, stride=stride, padding=padding,
                      dilation=dilation, groups=groups)
    return wnp.squeeze(out, axis=0) if unbatched else out


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The maximum over each ``kernel_size`` window of the last two dimensions (NCHW or
    CHW): ``stride`` (default the kernel size), ``padding``, ``dilation`` and
    ``ceil_mode`` as PyTorch's; ``return_indices=True`` also gives the flat index of each
    maximum in its plane.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.max_pool2d(wg.tensor([[[[1.0, 2.0], [3.0, 4.0]]]]), 2, return_indices=True)
    (tensor([[[[4.]]]]), tensor([[[[3]]]]))
    """
    conv = _conv_rules()
    if stride is None or (not isinstance(stride, numbers.Integral) and len(stride) == 0):
        stride = None
    unbatched = _ndim(input) == 3
    if unbatched:
        input = wnp.expand_dims(input, 0)
    out = conv.max_pool2d(input, kernel_size, stride=stride, padding=padding,
                          dilation=dilation, ceil_mode=ceil_mode,
                          return_indices=return_indices)
    if return_indices:
        out, idx = out
        idx = wnp.squeeze(idx, axis=0) if unbatched else idx
        if isinstance(out, Tensor) and not isinstance(idx, Tensor):
            idx = Tensor._wrap(np.asarray(unbox_all(idx)), None)  # int64, no gradient
    out = wnp.squeeze(out, axis=0) if unbatched else out
    return (out, idx) if return_indices else out


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """The mean over each ``kernel_size`` window of the last two dimensions (NCHW or CHW),
    with ``stride`` (default the kernel size) and zero ``padding``; the padded zeros
    count, as PyTorch's default ``count_include_pad=True``. Differs from PyTorch:
    ``ceil_mode``, ``count_include_pad=False`` and ``divisor_override`` raise
    NotImplementedError.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.avg_pool2d(wg.tensor([[[[1.0, 2.0], [3.0, 4.0]]]]), 2)
    tensor([[[[2.5000]]]])
    """
    if ceil_mode or not count_include_pad or divisor_override is not None:
        raise NotImplementedError("avg_pool2d: ceil_mode, count_include_pad=False and "
                                  "divisor_override are not supported by wengert's pooling "
                                  "primitive")
    conv = _conv_rules()
    if stride is None or (not isinstance(stride, numbers.Integral) and len(stride) == 0):
        stride = None
    unbatched = _ndim(input) == 3
    if unbatched:
        input = wnp.expand_dims(input, 0)
    out = conv.avg_pool2d(input, kernel_size, stride=stride, padding=padding)
    return wnp.squeeze(out, axis=0) if unbatched else out


def _single(v):
    return (v,) if isinstance(v, numbers.Integral) else tuple(v)


def _as_2d(input):
    """(N, C, L) or (C, L) as (N, C, 1, L) or (C, 1, L)."""
    return wnp.expand_dims(input, -2)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d cross-correlation of (N, C, L) input, or (C, L), with ``weight`` of shape
    (out_channels, in_channels / groups, k): ``conv2d`` on a height of 1, with the same
    options (ints instead of pairs; ``padding`` also 'valid' or 'same').

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.conv1d(wg.tensor([[[1.0, 2.0, 3.0, 4.0]]]), wg.tensor([[[1.0, -1.0]]]))
    tensor([[[-1., -1., -1.]]])
    >>> F.conv1d(wg.tensor([[[1.0, 2.0, 3.0, 4.0]]]), wg.ones(1, 1, 3), padding="same")
    tensor([[[3., 6., 9., 7.]]])
    """
    if isinstance(padding, str):
        pad2 = padding
    else:
        pad2 = (0,) + _single(padding)
    out = conv2d(_as_2d(input), wnp.expand_dims(weight, -2), bias,
                 stride=(1,) + _single(stride), padding=pad2,
                 dilation=(1,) + _single(dilation), groups=groups)
    return wnp.squeeze(out, axis=-2)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The maximum over each ``kernel_size`` window of the last dimension, with the options
    of ``max_pool2d`` as single ints.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.max_pool1d(wg.tensor([[[1.0, 3.0, 2.0, 5.0, 4.0]]]), 2)
    tensor([[[3., 5.]]])
    """
    if stride is None or (not isinstance(stride, numbers.Integral) and len(stride) == 0):
        stride = kernel_size
    out = max_pool2d(_as_2d(input), (1,) + _single(kernel_size), (1,) + _single(stride),
                     (0,) + _single(padding), (1,) + _single(dilation), ceil_mode,
                     return_indices)
    if return_indices:
        return wnp.squeeze(out[0], axis=-2), wnp.squeeze(out[1], axis=-2)
    return wnp.squeeze(out, axis=-2)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """The mean over each ``kernel_size`` window of the last dimension, with the options of
    ``avg_pool2d`` as single ints.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.avg_pool1d(wg.tensor([[[1.0, 3.0, 2.0, 5.0, 4.0]]]), 2)
    tensor([[[2.0000, 3.5000]]])
    """
    if stride is None or (not isinstance(stride, numbers.Integral) and len(stride) == 0):
        stride = kernel_size
    out = avg_pool2d(_as_2d(input), (1,) + _single(kernel_size), (1,) + _single(stride),
                     (0,) + _single(padding), ceil_mode, count_include_pad)
    return wnp.squeeze(out, axis=-2)


def _adaptive_mean(x, axis, size):
    """Means over PyTorch's adaptive windows [floor(i n / size), ceil((i + 1) n / size))
    along ``axis``."""
    n = _shape(x)[axis]
    if size is None or size == n:
        return x
    nd = _ndim(x)
    pieces = []
    for i in range(size):
        start, end = (i * n) // size, -(-((i + 1) * n) // size)
        idx = [slice(None)] * nd
        idx[axis] = slice(start, end)
        pieces.append(wnp.mean(x[tuple(idx)], axis=axis, keepdims=True))
    return pieces[0] if size == 1 else wnp.concatenate(pieces, axis=axis)


def adaptive_avg_pool1d(input, output_size):
    """Means over ``output_size`` windows of the last dimension, PyTorch's adaptive windows
    [floor(i n / size), ceil((i + 1) n / size)), so the output has that size whatever the
    input's.

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.adaptive_avg_pool1d(wg.tensor([[[1.0, 2.0, 3.0, 4.0, 5.0]]]), 2)
    tensor([[[2., 4.]]])
    """
    size = output_size[0] if isinstance(output_size, (tuple, list)) else output_size
    return _adaptive_mean(input, _ndim(input) - 1, size)


def adaptive_avg_pool2d(input, output_size):
    """Means over an ``output_size`` grid of adaptive windows of the last two dimensions
    (an int for a square grid, or a pair; None keeps that dimension's size).

    >>> import wengert as wg, wengert.nn.functional as F
    >>> F.adaptive_avg_pool2d(wg.arange(16.0).reshape(1, 1, 4, 4), (2, 1))
    tensor([[[[ 3.5000],
              [11.5000]]]])
    """
    oh, ow = (output_size, output_size) if not isinstance(output_size, (tuple, list)) \
        else tuple(output_size)
    nd = _ndim(input)
    return _adaptive_mean(_adaptive_mean(input, nd - 2, oh), nd - 1, ow)
