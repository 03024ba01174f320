"""wengert: automatic differentiation the way the tutorials draw it.

Forward mode with dual numbers, reverse mode with a tape that is the evaluation
trace (Wengert list), composable transforms to any depth, and a differentiable
``wengert.numpy``.

>>> import wengert as wg, wengert.numpy as wnp
>>> wg.grad(lambda x1, x2: wnp.log(x1) + x1 * x2 - wnp.sin(x2), argnums=(0, 1))(2.0, 5.0)
(5.5, 1.7163378145367738)
"""

from . import allocator as _allocator
from . import rules as _rules  # noqa: F401  (registers every primitive)
from . import numpy  # noqa: F401  (gives traced values their array methods)
from . import scipy  # noqa: F401
from .anomaly import AnomalyError, detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .core.primitive import Primitive, registry
from .core.trace import EscapedTracerError
from .core.pytree import (register_pytree_node, tree_flatten, tree_leaves, tree_map,
                          tree_unflatten)
from . import misc  # noqa: F401  (flatten / ravel_pytree, HIPS autograd's optimizers)
from .misc.flatten import ravel_pytree
from .tools import numeric, symbolic  # noqa: F401  (the other routes: wg.numeric, wg.symbolic)
from .tools.gradcheck import check_grads
from .tools.tracing import trace
from .tools.compile import jit
from .transforms import (checkpoint, custom_jvp, custom_vjp, defjvp, defvjp, derivative,
                         elementwise_grad, grad, hessian, hvp, jacfwd, jacobian, jacrev, jvp,
                         primitive, stop_gradient, value_and_grad, vjp, vmap)
from .implicit import ConvergenceError, custom_root, fixed_point, root
from .linearize import linear_transpose, linearize

from . import tensors as _tensors
from .tensors import *  # noqa: F401,F403  (the PyTorch half: wg.tensor, wg.zeros, ...)
from . import autograd  # noqa: F401,E402
from .tools import graph as _graph  # noqa: F401,E402  (gives Tensor .to_dot and .render)

__version__ = "0.1.0"

_allocator.tune()  # steady reuse of freed arrays (glibc); WENGERT_MALLOC_TUNING=0 keeps malloc as it is


def __getattr__(name):
    # wg.nn, wg.optim, wg.utils (PyTorch's torch.nn ...), imported on first use
    if name in ("nn", "optim", "utils"):
        import importlib
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'wengert' has no attribute {name!r}")

__all__ = ["vmap", "grad", "value_and_grad", "elementwise_grad", "vjp", "jvp", "jacfwd", "jacrev",
           "jacobian", "hessian", "hvp", "derivative", "stop_gradient", "checkpoint",
           "primitive", "defvjp", "defjvp", "custom_vjp", "custom_jvp", "check_grads", "trace",
           "register_pytree_node", "tree_flatten", "tree_unflatten", "tree_map",
           "tree_leaves", "Primitive", "registry", "detect_anomaly", "set_detect_anomaly",
           "is_anomaly_enabled", "AnomalyError", "EscapedTracerError", "ravel_pytree",
           "linearize", "linear_transpose", "fixed_point", "root", "custom_root",
           "ConvergenceError", "jit",
           "autograd"] + [n for n in _tensors.__all__ if n != "trace"]
