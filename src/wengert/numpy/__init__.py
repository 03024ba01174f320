"""Differentiable numpy: the same names, signatures and broadcasting as numpy.

On plain arrays each function returns what numpy returns; on traced values it
records (or pushes tangents through) the primitive's rules. Every public name of
numpy is here: the ones without a derivative are listed in ``_namespace.py``, and a
numpy function with no rule yet refuses traced values with NotImplementedError.

>>> import wengert as wg, wengert.numpy as wnp
>>> wg.grad(lambda x: wnp.sum(wnp.tanh(x)))(wnp.zeros(3))
array([1., 1., 1.])
"""

from ..rules.building import *  # noqa: F401,F403  (first: another rule of a name wins)
from ..rules.arithmetic import *  # noqa: F401,F403
from ..rules.complex import *  # noqa: F401,F403
from ..rules.elementwise import *  # noqa: F401,F403
from ..rules.indexing import *  # noqa: F401,F403
from ..rules.linalg import *  # noqa: F401,F403
from ..rules.polynomial import *  # noqa: F401,F403
from ..rules.reductions import *  # noqa: F401,F403
from ..rules.shape import *  # noqa: F401,F403
from ..rules.signal import *  # noqa: F401,F403
from ..rules.sorting import *  # noqa: F401,F403
from . import _namespace
from ._namespace import NoDerivativeRule  # noqa: F401

# the table of numpy's own and non-differentiable names; a rule of the same name wins
for _name, _value in _namespace.TABLE.items():
    globals().setdefault(_name, _value)
del _name, _value

from . import fft, linalg  # noqa: F401,E402
from . import _boxmethods  # noqa: F401,E402

# reshape, transpose, ravel, squeeze, expand_dims, swapaxes, moveaxis: on a traced
# value the result is recorded as a view where numpy's is one (writes go both ways)
globals().update(_boxmethods.VIEW_FUNCTIONS)


def __getattr__(name):
    # last: any other public numpy name, refused on traced values (never AttributeError)
    fn = _namespace.missing(name)
    if fn is None:
        raise AttributeError(f"module 'wengert.numpy' has no attribute {name!r}")
    return fn


def __dir__():
    return sorted(set(globals()) | set(_namespace.public_names()))
