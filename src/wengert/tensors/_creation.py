"""Constructors with PyTorch's names, dtypes and keywords, and the seeded generator.

Shared keywords: ``dtype`` (a numpy dtype or wengert's names such as ``wg.float64``;
by default the default float type, float32, for values that are not integers),
``device`` (only ``"cpu"``: anything else raises), ``requires_grad`` (a leaf that
records its uses for ``.backward()``). ``zeros``, ``ones``, ``empty``, ``rand`` and
``randn`` take the shape as ints, as one tuple or list, or as ``size=``. The random
functions draw from
``default_generator`` (seeded with 0, reseeded by ``manual_seed``), or from the
``generator=`` given.
"""

import textwrap

import numpy as np

from ..core.trace import unbox_all
from ._tensor import Parameter, Tensor, _check_device, _to_array, get_default_dtype

__all__ = ["tensor", "as_tensor", "from_numpy", "zeros", "ones", "full", "empty", "eye",
           "arange", "linspace", "logspace", "rand", "randn", "randint", "randperm",
           "zeros_like", "ones_like", "full_like", "empty_like", "rand_like",
           "randn_like", "randint_like", "manual_seed", "seed", "initial_seed",
           "default_generator"]


class Generator:
    """The random source of ``rand``, ``randn``, ``randint``, dropout and the
    initialisers (a numpy ``default_rng`` in ``.rng``); ``manual_seed`` makes it
    repeatable, ``initial_seed()`` tells the seed. Pass one as ``generator=`` to keep
    a stream apart from ``default_generator``.

    >>> import wengert as wg
    >>> g = type(wg.default_generator)(seed=1)
    >>> a = wg.rand(3, generator=g)
    >>> bool(wg.equal(a, wg.rand(3, generator=g.manual_seed(1)))), g.initial_seed()
    (True, 1)
    """

    def __init__(self, seed=None):
        self.manual_seed(seed if seed is not None else 0)

    def manual_seed(self, seed):
        self._seed = int(seed)
        self.rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self):
        return self._seed


default_generator = Generator(0)


def manual_seed(seed):
    """Seed the generator behind every random tensor (``rand``, ``randn``, dropout, the
    initialisers ...) with the integer ``seed``, so the draws that follow repeat; returns
    ``default_generator``.

    >>> import wengert as wg
    >>> _ = wg.manual_seed(0); a = wg.randn(3)
    >>> _ = wg.manual_seed(0); bool(wg.equal(a, wg.randn(3)))
    True
    """
    return default_generator.manual_seed(seed)


def seed():
    """Seed ``default_generator`` with a fresh random seed (from the operating
    system's entropy) and return it, a non-negative int.

    >>> import wengert as wg
    >>> s = wg.seed()
    >>> wg.initial_seed() == s
    True
    >>> _ = wg.manual_seed(0)  # back to a repeatable stream
    """
    s = int(np.random.SeedSequence().entropy % (2 ** 63))
    default_generator.manual_seed(s)
    return s


def initial_seed():
    """The seed ``default_generator`` was last seeded with (0 until one is set).

    >>> import wengert as wg
    >>> _ = wg.manual_seed(7); wg.initial_seed()
    7
    """
    return default_generator.initial_seed()


def _finish(value, requires_grad, device=None):
    _check_device(device)
    t = Tensor._wrap(value, None)
    return t.requires_grad_(True) if requires_grad else t


def _size(size, keyword=None):
    """A shape from sizes given one by one, as one tuple or list, or (``keyword``) by
    PyTorch's ``size=``."""
    if keyword is not None:
        if size:
            raise TypeError(f"got size={keyword!r} and positional sizes {size}; give one "
                            f"of them")
        size = (keyword,) if isinstance(keyword, (tuple, list)) else (int(keyword),)
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        return tuple(int(s) for s in size[0])
    return tuple(int(s) for s in size)


def _size_keyword(kwargs):
    """``size=`` from a constructor's keywords; ``out``, ``layout``, ``pin_memory``
    and ``memory_format`` are accepted and ignored, anything else refused."""
    unknown = set(kwargs) - {"size", "out", "layout", "pin_memory", "memory_format"}
    if unknown:
        raise TypeError(f"unexpected keyword argument {sorted(unknown)[0]!r}")
    if kwargs.get("out") is not None:
        raise TypeError("out= is not supported by the constructors; use the result")
    return kwargs.get("size")


def _float(dtype):
    return np.dtype(dtype) if dtype is not None else get_default_dtype()


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data`` (a number, a nested list, a numpy
    array or a tensor). PyTorch's dtype rules: Python floats become the default float
    type, integers int64, bools bool; an array keeps its dtype; ``dtype`` overrides.
    ``requires_grad=True`` makes it a leaf whose ``.grad`` ``backward`` fills;
    ``pin_memory`` is accepted and ignored.

    >>> tensor([1, 2]), tensor([1.5, 2.0], requires_grad=True)
    (tensor([1, 2]), tensor([1.5000, 2.0000], requires_grad=True))
    >>> tensor([[1, 2]], dtype=float)
    tensor([[1., 2.]], dtype=wengert.float64)
    """
    return _finish(_to_array(data, None if dtype is None else np.dtype(dtype)),
                   requires_grad, device)


def as_tensor(data, dtype=None, device=None):
    """``data`` as a tensor, without a copy where possible: a tensor of the wanted
    dtype is returned as it is, a numpy array of it shares memory (``from_numpy``);
    anything else is copied (``tensor``).

    >>> import numpy as np, wengert as wg
    >>> a = np.zeros(2); t = wg.as_tensor(a); a[0] = 5.0; t
    tensor([5., 0.], dtype=wengert.float64)
    >>> wg.as_tensor([1, 2], dtype=wg.float32)
    tensor([1., 2.])
    """
    if isinstance(data, Tensor) and (dtype is None or data.dtype == np.dtype(dtype)):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == np.dtype(dtype)):
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array):
    """A tensor that shares memory with the numpy ``array`` (a change to one shows in
    the other), with its dtype; anything but an ndarray raises TypeError.

    >>> import numpy as np
    >>> a = np.zeros(2); t = from_numpy(a); _ = t.add_(1.0); a
    array([1., 1.])
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    return Tensor._wrap(array, None)


def zeros(*size, dtype=None, device=None, requires_grad=False, **kwargs):
    """A tensor of zeros of shape ``size``, given as ints or as one tuple or list;
    float32 (the default float type) unless ``dtype`` says otherwise.

    >>> import wengert as wg
    >>> wg.zeros(2, 3)
    tensor([[0., 0., 0.],
            [0., 0., 0.]])
    >>> wg.zeros((2,), dtype=wg.int64)
    tensor([0, 0])
    """
    return _finish(np.zeros(_size(size, _size_keyword(kwargs)), dtype=_float(dtype)),
                   requires_grad, device)


def ones(*size, dtype=None, device=None, requires_grad=False, **kwargs):
    """A tensor of ones of shape ``size`` (ints or one tuple), float32 unless ``dtype``
    says otherwise.

    >>> import wengert as wg
    >>> wg.ones(2, requires_grad=True)
    tensor([1., 1.], requires_grad=True)
    """
    return _finish(np.ones(_size(size, _size_keyword(kwargs)), dtype=_float(dtype)),
                   requires_grad, device)


def empty(*size, dtype=None, device=None, requires_grad=False, **kwargs):
    """A tensor of shape ``size`` to be written over. Differs from PyTorch: it holds
    zeros, not uninitialised memory.

    >>> import wengert as wg
    >>> wg.empty(2, 2).shape
    Size([2, 2])
    """
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad, **kwargs)


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    """A tensor of shape ``size`` (a tuple or an int) filled with ``fill_value``; without
    ``dtype``, a bool gives bool, an int int64 and a float the default float type.

    >>> import wengert as wg
    >>> wg.full((2, 2), 7), wg.full((2,), 0.5)
    (tensor([[7, 7],
            [7, 7]]), tensor([0.5000, 0.5000]))
    """
    if dtype is None:
        dtype = np.dtype(np.bool_) if isinstance(fill_value, bool) else \
            np.dtype(np.int64) if isinstance(fill_value, int) else get_default_dtype()
    return _finish(np.full(_size((size,)), fill_value, dtype=dtype), requires_grad, device)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    """The ``n`` x ``m`` matrix (``m`` defaults to ``n``) with ones on the diagonal and
    zeros elsewhere, float32 unless ``dtype`` says otherwise.

    >>> import wengert as wg
    >>> wg.eye(2, 3)
    tensor([[1., 0., 0.],
            [0., 1., 0.]])
    """
    return _finish(np.eye(n, m, dtype=_float(dtype)), requires_grad, device)


def arange(start=None, end=None, step=1, dtype=None, device=None, requires_grad=False):
    """The numbers from ``start`` up to ``end`` (excluded) by ``step``; ``arange(n)`` is
    0, 1, ..., n - 1. int64 when all three are integers, else the default float type.

    >>> import wengert as wg
    >>> wg.arange(4), wg.arange(1, 2, 0.25)
    (tensor([0, 1, 2, 3]), tensor([1.0000, 1.2500, 1.5000, 1.7500]))
    """
    if start is None and end is None:
        raise TypeError("arange() missing the end argument")
    if end is None:
        start, end = 0, start
    elif start is None:
        start = 0
    values = [unbox_all(getattr(v, "_value", v)) for v in (start, end, step)]
    if dtype is None:
        dtype = np.int64 if all(float(v).is_integer() and not isinstance(v, float)
                                for v in values) else get_default_dtype()
    return _finish(np.arange(*values, dtype=dtype), requires_grad, device)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    """``steps`` evenly spaced numbers from ``start`` to ``end``, both included, float32
    unless ``dtype`` says otherwise.

    >>> import wengert as wg
    >>> wg.linspace(0, 1, 5)
    tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    return _finish(np.linspace(start, end, int(steps), dtype=_float(dtype)),
                   requires_grad, device)


def logspace(start, end, steps, base=10.0, dtype=None, device=None, requires_grad=False):
    """``base`` to the powers ``linspace(start, end, steps)``: ``steps`` numbers evenly
    spaced on a log scale.

    >>> import wengert as wg
    >>> wg.logspace(0, 2, 3), wg.logspace(0, 3, 4, base=2.0)
    (tensor([  1.,  10., 100.]), tensor([1., 2., 4., 8.]))
    """
    return _finish(np.logspace(start, end, int(steps), base=base, dtype=_float(dtype)),
                   requires_grad, device)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, **kwargs):
    """Uniform random numbers in [0, 1) of shape ``size`` (ints or one tuple), from
    ``generator`` or ``default_generator``; float32 unless ``dtype`` says otherwise.

    >>> import wengert as wg
    >>> r = wg.rand(2, 3)
    >>> r.shape, bool(((r >= 0) & (r < 1)).all())
    (Size([2, 3]), True)
    """
    rng = (generator or default_generator).rng
    return _finish(rng.random(_size(size, _size_keyword(kwargs))).astype(_float(dtype)),
                   requires_grad, device)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, **kwargs):
    """Standard normal random numbers (mean 0, variance 1) of shape ``size``, from
    ``generator`` or ``default_generator``; float32 unless ``dtype`` says otherwise.

    >>> import wengert as wg
    >>> z = wg.randn(10000, dtype=wg.float64)
    >>> abs(z.mean().item()) < 0.05, abs(z.std().item() - 1) < 0.05
    (True, True)
    """
    rng = (generator or default_generator).rng
    shape = _size(size, _size_keyword(kwargs))
    return _finish(rng.standard_normal(shape).astype(_float(dtype)), requires_grad, device)


def randint(*args, size=None, generator=None, dtype=None, device=None,
            requires_grad=False, low=None, high=None):
    """Random integers in [``low``, ``high``) of shape ``size`` (a tuple), int64 unless
    ``dtype`` says otherwise (a floating ``dtype`` holds the integers as floats). As in
    PyTorch: ``randint(high, size)`` starts at 0, ``randint(low, high, size)``; each
    may also be given by keyword.

    >>> import wengert as wg
    >>> k = wg.randint(0, 10, (2, 3))
    >>> k.shape, k.dtype, bool(((k >= 0) & (k < 10)).all())
    (Size([2, 3]), dtype('int64'), True)
    >>> wg.randint(5, (4,)).shape, wg.randint(3, size=(2,)).max().item() < 3
    (Size([4]), True)
    """
    args = list(args)
    if size is None and args and isinstance(args[-1], (tuple, list)):
        size = args.pop()
    if len(args) > 2:
        raise TypeError(f"randint() takes (high, size) or (low, high, size); got "
                        f"{len(args)} numbers before the size")
    if len(args) == 2:
        if low is not None or high is not None:
            raise TypeError("randint() got low/high both by position and by keyword")
        low, high = args
    elif len(args) == 1:
        if high is not None:
            low, high = args[0], high
        elif low is not None:
            raise TypeError("randint() got low= and one number by position; give "
                            "(low, high, size) or (high, size)")
        else:
            high = args[0]
    if high is None:
        raise TypeError("randint() missing the high argument")
    if size is None:
        raise TypeError("randint() missing the size argument (a tuple)")
    low = 0 if low is None else low
    low, high = int(low), int(high)
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                           f"from={low} >= to={high}")
    rng = (generator or default_generator).rng
    dt = np.dtype(dtype) if dtype is not None else np.dtype(np.int64)
    values = rng.integers(low, high, _size((size,)), dtype=np.int64)
    return _finish(values.astype(dt, copy=False), requires_grad, device)


def randperm(n, generator=None, dtype=None, device=None, requires_grad=False):
    """A random permutation of 0, 1, ..., n - 1 (int64 unless ``dtype`` says
    otherwise).

    >>> import wengert as wg
    >>> wg.randperm(5).sort().values
    tensor([0, 1, 2, 3, 4])
    """
    rng = (generator or default_generator).rng
    return _finish(rng.permutation(n).astype(dtype or np.int64), requires_grad, device)


def _like(fill, name, text, example):
    def make(input, dtype=None, device=None, requires_grad=False, **kwargs):
        x = input if isinstance(input, Tensor) else tensor(input)
        dt = np.dtype(dtype) if dtype is not None else x.dtype
        return _finish(fill(tuple(x.shape), dt), requires_grad, device)
    make.__name__ = make.__qualname__ = name
    options = ("``input`` is a tensor (or data ``tensor`` accepts); ``dtype``, ``device`` "
               "and ``requires_grad`` apply to the new tensor; other keywords "
               "(``memory_format``, ``layout``) are accepted and ignored.")
    make.__doc__ = "\n\n".join([textwrap.fill(text, 84), textwrap.fill(options, 84),
                                 f">>> import wengert as wg\n{example}"])
    return make


zeros_like = _like(lambda s, d: np.zeros(s, dtype=d), "zeros_like",
                   "A tensor of zeros with the shape and dtype of ``input``.",
                   ">>> wg.zeros_like(wg.tensor([[1, 2]]))\ntensor([[0, 0]])")
ones_like = _like(lambda s, d: np.ones(s, dtype=d), "ones_like",
                  "A tensor of ones with the shape and dtype of ``input``.",
                  ">>> wg.ones_like(wg.tensor([1.5, 2.5]))\ntensor([1., 1.])")
empty_like = _like(lambda s, d: np.zeros(s, dtype=d), "empty_like",
                   "A tensor with the shape and dtype of ``input``, to be written over. "
                   "Differs from PyTorch: it holds zeros, not uninitialised memory.",
                   ">>> wg.empty_like(wg.tensor([1.0, 2.0])).shape\nSize([2])")
def _floating_draw(draw, name):
    def fill(shape, dtype):
        if dtype.kind not in "fc":
            raise NotImplementedError(f"{name}: random floats cannot be held in "
                                      f"{dtype.name}; pass a floating dtype=")
        return draw(shape).astype(dtype)
    return fill


rand_like = _like(_floating_draw(lambda s: default_generator.rng.random(s), "rand_like"),
                  "rand_like", "Uniform random numbers in [0, 1) with the shape and "
                  "dtype of a floating ``input`` (an integer dtype raises), from "
                  "``default_generator``.",
                  ">>> wg.rand_like(wg.zeros(2, 2, dtype=wg.float64)).dtype\n"
                  "dtype('float64')")
randn_like = _like(_floating_draw(lambda s: default_generator.rng.standard_normal(s),
                                  "randn_like"),
                   "randn_like", "Standard normal random numbers with the shape and "
                   "dtype of a floating ``input`` (an integer dtype raises), from "
                   "``default_generator``.",
                   ">>> wg.randn_like(wg.zeros(3)).shape\nSize([3])")


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False, **kwargs):
    """A tensor with the shape and dtype of ``input`` filled with ``fill_value``
    (converted to that dtype, so 0.5 in an integer tensor is 0, as in PyTorch;
    ``dtype`` overrides).

    >>> import wengert as wg
    >>> wg.full_like(wg.tensor([1.0, 2.0]), 7), wg.full_like(wg.tensor([1, 2]), 0.5)
    (tensor([7., 7.]), tensor([0, 0]))
    """
    x = input if isinstance(input, Tensor) else tensor(input)
    return _finish(np.full(tuple(x.shape), fill_value, dtype=dtype or x.dtype),
                   requires_grad, device)


def randint_like(input, low=0, high=None, dtype=None, **kwargs):
    """Random integers in [``low``, ``high``) with the shape of ``input``, in its dtype
    (``dtype`` overrides; a floating dtype holds the integers as floats, as in
    PyTorch); ``randint_like(input, high)`` starts at 0.

    >>> import wengert as wg
    >>> k = wg.randint_like(wg.zeros(4, dtype=wg.int64), 2, 5)
    >>> k.shape, bool(((k >= 2) & (k < 5)).all())
    (Size([4]), True)
    >>> f = wg.randint_like(wg.zeros(3), 10)
    >>> f.dtype, bool((f == f.floor()).all())
    (dtype('float32'), True)
    """
    if high is None:
        low, high = 0, low
    x = input if isinstance(input, Tensor) else tensor(input)
    return randint(low, high, tuple(x.shape), dtype=dtype or x.dtype,
                   generator=kwargs.get("generator"),
                   requires_grad=kwargs.get("requires_grad", False),
                   device=kwargs.get("device"))


Parameter = Parameter
