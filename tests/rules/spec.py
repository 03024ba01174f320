"""The format of the systematic rule tables.

Each family has a module ``tests/rules/specs_<family>.py`` with a list ``CASES`` of
``Case(prim, fun, args)``: ``prim`` is the registered primitive name the case
exercises, ``fun`` a function of float arrays built from wengert.numpy calls, and
``args`` concrete inputs made with the helpers below (fixed seed). The systematic
test runs ``check_grads(fun, modes=("fwd", "rev"), order=2)(*args)`` on every case
and fails if a registered primitive has no case.
"""

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

_rng = np.random.default_rng(0)


@dataclass
class Case:
    prim: str
    fun: Callable
    args: tuple
    order: int = 2
    id: str = field(default="")

    def __post_init__(self):
        self.args = tuple(self.args)
        if not self.id:
            shapes = ",".join(str(np.shape(a)) for a in self.args)
            self.id = f"{self.prim}-{getattr(self.fun, '__name__', 'f')}-{shapes}"


def R(*shape):
    """Standard normal values of ``shape`` (a Python float for no shape)."""
    v = _rng.standard_normal(shape)
    return float(v) if shape == () else v


def P(*shape):
    """Positive values in (0.5, 2.0)."""
    v = _rng.uniform(0.5, 2.0, shape)
    return float(v) if shape == () else v


def U(*shape):
    """Values in (-0.9, 0.9), inside the domain of arcsin/arctanh."""
    v = _rng.uniform(-0.9, 0.9, shape)
    return float(v) if shape == () else v


def D(*shape):
    """Distinct values, well separated (no ties for max, min, sort, abs at 0)."""
    n = int(np.prod(shape)) if shape else 1
    v = (_rng.permutation(n) + 1.0) * 0.7 * np.where(_rng.random(n) < 0.5, -1, 1)
    return float(v[0]) if shape == () else v.reshape(shape)


def weighted(f):
    """``f`` followed by ``sin``: the order-2 checks of a linear ``f`` then see a
    nonzero Hessian."""
    import wengert.numpy as wnp

    def g(*xs):
        return wnp.sin(f(*xs))
    g.__name__ = getattr(f, "__name__", "f")
    return g


def labelled(prim, label, f, *args):
    """A Case of ``weighted(f)`` with the id ``prim-label-shapes``."""
    shapes = "-".join("x".join(map(str, np.shape(a))) or "scalar" for a in args)
    return Case(prim, weighted(f), args, id=f"{prim}-{label}-{shapes}")


# The shapes each family is swept over: scalar, vector, matrix, and broadcasting pairs.
UNARY_SHAPES = [(), (3,), (2, 3)]
BINARY_SHAPES = [((), ()), ((3,), (3,)), ((2, 3), (2, 3)), ((1, 2), (3, 2)),
                 ((3,), (2, 3)), ((), (2, 3))]
