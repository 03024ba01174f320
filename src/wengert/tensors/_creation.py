"""Constructors with PyTorch's names, dtypes and keywords, and the seeded generator."""

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
    initialisers; ``manual_seed`` makes it repeatable."""

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
    """Seed the generator behind every random tensor (PyTorch's ``manual_seed``)."""
    return default_generator.manual_seed(seed)


def seed():
    s = int(np.random.SeedSequence().entropy % (2 ** 63))
    default_generator.manual_seed(s)
    return s


def initial_seed():
    return default_generator.initial_seed()


def _finish(value, requires_grad, device=None):
    _check_device(device)
    t = Tensor._wrap(value, None)
    return t.requires_grad_(True) if requires_grad else t


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        return tuple(int(s) for s in size[0])
    return tuple(int(s) for s in size)


def _float(dtype):
    return np.dtype(dtype) if dtype is not None else get_default_dtype()


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data`` (PyTorch's dtype rules: Python floats
    become the default float type, integers int64; an array keeps its dtype).

    >>> tensor([1, 2]), tensor([1.5, 2.0], requires_grad=True)
    (tensor([1, 2]), tensor([1.5000, 2.0000], requires_grad=True))
    """
    return _finish(_to_array(data, None if dtype is None else np.dtype(dtype)),
                   requires_grad, device)


def as_tensor(data, dtype=None, device=None):
    if isinstance(data, Tensor) and (dtype is None or data.dtype == np.dtype(dtype)):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == np.dtype(dtype)):
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array):
    """A tensor that shares memory with ``array`` (a change to one shows in the other).

    >>> import numpy as np
    >>> a = np.zeros(2); t = from_numpy(a); _ = t.add_(1.0); a
    array([1., 1.])
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    return Tensor._wrap(array, None)


def zeros(*size, dtype=None, device=None, requires_grad=False):
    return _finish(np.zeros(_size(size), dtype=_float(dtype)), requires_grad, device)


def ones(*size, dtype=None, device=None, requires_grad=False):
    return _finish(np.ones(_size(size), dtype=_float(dtype)), requires_grad, device)


def empty(*size, dtype=None, device=None, requires_grad=False):
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    if dtype is None:
        dtype = np.dtype(np.bool_) if isinstance(fill_value, bool) else \
            np.dtype(np.int64) if isinstance(fill_value, int) else get_default_dtype()
    return _finish(np.full(_size((size,)), fill_value, dtype=dtype), requires_grad, device)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    return _finish(np.eye(n, m, dtype=_float(dtype)), requires_grad, device)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    if end is None:
        start, end = 0, start
    values = [unbox_all(getattr(v, "_value", v)) for v in (start, end, step)]
    if dtype is None:
        dtype = np.int64 if all(float(v).is_integer() and not isinstance(v, float)
                                for v in values) else get_default_dtype()
    return _finish(np.arange(*values, dtype=dtype), requires_grad, device)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    return _finish(np.linspace(start, end, int(steps), dtype=_float(dtype)),
                   requires_grad, device)


def logspace(start, end, steps, base=10.0, dtype=None, device=None, requires_grad=False):
    return _finish(np.logspace(start, end, int(steps), base=base, dtype=_float(dtype)),
                   requires_grad, device)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    rng = (generator or default_generator).rng
    return _finish(rng.random(_size(size)).astype(_float(dtype)), requires_grad, device)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    rng = (generator or default_generator).rng
    return _finish(rng.standard_normal(_size(size)).astype(_float(dtype)), requires_grad,
                   device)


def randint(low, high=None, size=None, generator=None, dtype=None, device=None,
            requires_grad=False):
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing the size argument")
    rng = (generator or default_generator).rng
    return _finish(rng.integers(low, high, _size((size,)), dtype=dtype or np.int64),
                   requires_grad, device)


def randperm(n, generator=None, dtype=None, device=None, requires_grad=False):
    rng = (generator or default_generator).rng
    return _finish(rng.permutation(n).astype(dtype or np.int64), requires_grad, device)


def _like(fill):
    def make(input, dtype=None, device=None, requires_grad=False, **kwargs):
        x = input if isinstance(input, Tensor) else tensor(input)
        dt = np.dtype(dtype) if dtype is not None else x.dtype
        return _finish(fill(tuple(x.shape), dt), requires_grad, device)
    return make


zeros_like = _like(lambda s, d: np.zeros(s, dtype=d))
ones_like = _like(lambda s, d: np.ones(s, dtype=d))
empty_like = zeros_like
rand_like = _like(lambda s, d: default_generator.rng.random(s).astype(d))
randn_like = _like(lambda s, d: default_generator.rng.standard_normal(s).astype(d))


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False, **kwargs):
    x = input if isinstance(input, Tensor) else tensor(input)
    return _finish(np.full(tuple(x.shape), fill_value, dtype=dtype or x.dtype),
                   requires_grad, device)


def randint_like(input, low=0, high=None, dtype=None, **kwargs):
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(input.shape), dtype=dtype or input.dtype)


Parameter = Parameter
