"""Differentiable numpy: the same names, signatures and broadcasting as numpy.

On plain arrays each function returns what numpy returns; on traced values it
records (or pushes tangents through) the primitive's rules.

>>> import wengert as wg, wengert.numpy as wnp
>>> wg.grad(lambda x: wnp.sum(wnp.tanh(x)))(wnp.zeros(3))
array([1., 1., 1.])
"""

from ..rules.arithmetic import *  # noqa: F401,F403
from ..rules.complex import *  # noqa: F401,F403
from ..rules.elementwise import *  # noqa: F401,F403
from ..rules.indexing import *  # noqa: F401,F403
from ..rules.linalg import *  # noqa: F401,F403
from ..rules.reductions import *  # noqa: F401,F403
from ..rules.shape import *  # noqa: F401,F403
from ..rules.signal import *  # noqa: F401,F403
from ..rules.sorting import *  # noqa: F401,F403
from ._namespace import *  # noqa: F401,F403
from . import fft, linalg  # noqa: F401
from . import _boxmethods  # noqa: F401
