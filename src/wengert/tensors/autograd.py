"""PyTorch's ``torch.autograd`` over wengert: ``backward``, ``grad``, ``Function``,
and the grad-mode switches. The reverse pass is ``wengert.core.eager.backward``."""

import functools

import numpy as np

from .. import backend
from ..core import eager
from ..core.eager import EAGER
from ..core.primitive import Primitive
from ..core.trace import Box, unbox_all
from ._tensor import Tensor

__all__ = ["backward", "grad", "Function", "no_grad", "enable_grad", "set_grad_enabled",
           "is_grad_enabled"]


def _root(t, g, who):
    if not isinstance(t, Tensor):
        raise TypeError(f"{who}: expected a Tensor, got {type(t).__name__}")
    if not t.requires_grad:
        raise RuntimeError("element 0 of tensors does not require grad and does not have "
                           "a grad_fn")
    if g is None:
        if t.numel() != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        value = unbox_all(t._value)
        g = np.ones(tuple(t.shape), dtype=t.dtype) if backend.kind(value) == "numpy" \
            else backend.ones_like(value)  # in the tensor's own array library (Dask)
    else:
        gv = unbox_all(g._value) if isinstance(g, Tensor) else np.asarray(g)
        if tuple(np.shape(gv)) != tuple(t.shape):
            raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of "
                               f"{tuple(np.shape(gv))} and output[0] has a shape of "
                               f"{tuple(t.shape)}.")
    return t.grad_node(), g


def _seed(g, create_graph):
    if create_graph:
        return g if isinstance(g, Tensor) else Tensor._wrap(np.asarray(g), None)
    return unbox_all(g._value) if isinstance(g, Tensor) else g


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             inputs=None):
    """Accumulate the gradients of ``tensors`` into the leaves' ``.grad``."""
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    if grad_tensors is None or isinstance(grad_tensors, Tensor):
        grad_tensors = [grad_tensors] * len(tensors) if grad_tensors is None \
            else [grad_tensors]
    if retain_graph is None:
        retain_graph = create_graph
    roots = []
    for t, g in zip(tensors, grad_tensors):
        node, g = _root(t, g, "backward")
        roots.append((node, _seed(g, create_graph)))
    if inputs is not None:
        inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
        got = grad(tensors, inputs, grad_tensors, retain_graph=retain_graph,
                   create_graph=create_graph, allow_unused=True)
        for x, g in zip(inputs, got):
            if g is not None:
                x.accumulate_grad(g)
        return
    eager.backward(roots, retain_graph=retain_graph, create_graph=create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs``, returned (not
    accumulated into ``.grad``), as PyTorch's ``torch.autograd.grad``.

    >>> import wengert as wg
    >>> x = wg.tensor(2.0, requires_grad=True)
    >>> (g,) = wg.autograd.grad(x ** 3, x, create_graph=True)
    >>> g, wg.autograd.grad(g, x)[0]
    (tensor(12., grad_fn=<MultiplyBackward0>), tensor(12.))
    """
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    single = isinstance(inputs, Tensor)
    inputs = [inputs] if single else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs] * len(outputs) if grad_outputs is None \
            else [grad_outputs]
    if retain_graph is None:
        retain_graph = create_graph
    for k, x in enumerate(inputs):
        if not isinstance(x, Tensor) or not x.requires_grad:
            raise RuntimeError(f"One of the differentiated Tensors (input {k}) does not "
                               f"require grad")
    roots = []
    for t, g in zip(outputs, grad_outputs):
        node, g = _root(t, g, "grad")
        roots.append((node, _seed(g, create_graph)))
    capture = {x.grad_node(): None for x in inputs}
    eager.backward(roots, retain_graph=retain_graph, create_graph=create_graph,
                   capture=capture)
    out = []
    for k, x in enumerate(inputs):
        g = capture[x.grad_node()]
        if g is None:
            if materialize_grads:
                g = np.zeros(tuple(x.shape), dtype=x.dtype)
            elif not allow_unused:
                raise RuntimeError("One of the differentiated Tensors appears to not have "
                                   "been used in the graph. Set allow_unused=True if this "
                                   "is the desired behavior.")
            else:
                out.append(None)
                continue
        out.append(g if isinstance(g, Tensor) else Tensor._wrap(np.asarray(g), None))
    return tuple(out)


# ---------------------------------------------------------------- grad mode

class _GradMode:
    """A context manager that is also a decorator."""

    mode = True

    def __enter__(self):
        self._previous = eager.set_grad_enabled(self.mode)
        return self

    def __exit__(self, *exc):
        eager.set_grad_enabled(self._previous)
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with type(self)():
                return fn(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):  # noqa: N801  (PyTorch's name)
    """Nothing is recorded inside (context manager or decorator)."""

    mode = False


class enable_grad(_GradMode):  # noqa: N801
    """Recording is on inside, even within ``no_grad``."""

    mode = True


class set_grad_enabled(_GradMode):  # noqa: N801
    """Recording on or off: a call (``set_grad_enabled(False)``), a context manager
    or a decorator."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self._previous = eager.set_grad_enabled(self.mode)

    def __enter__(self):
        return self

    def __call__(self, fn):
        eager.set_grad_enabled(self._previous)
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            previous = eager.set_grad_enabled(mode)
            try:
                return fn(*args, **kwargs)
            finally:
                eager.set_grad_enabled(previous)
        return wrapper


def is_grad_enabled():
    return eager.grad_enabled()


# ---------------------------------------------------------------- Function

class FunctionCtx:
    """What ``forward`` leaves for ``backward``: ``save_for_backward(*tensors)`` and
    ``saved_tensors``, any other attribute, and ``needs_input_grad``."""

    def __init__(self, needs_input_grad=()):
        self.saved_tensors = ()
        self.needs_input_grad = tuple(needs_input_grad)
        self.materialize_grads = True

    def save_for_backward(self, *tensors):
        self.saved_tensors = tensors

    def mark_dirty(self, *tensors):
        pass

    def mark_non_differentiable(self, *tensors):
        pass

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)


def _as_tensor(x):
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (np.ndarray, np.generic, float, int, complex, Box)):
        return Tensor._wrap(x if isinstance(x, (np.ndarray, Box)) else np.asarray(x), None)
    return x


def _as_value(x):
    return x._value if isinstance(x, Tensor) else x


class Function:
    """A custom operation with a hand-written backward, as PyTorch's
    ``torch.autograd.Function`` (and the seed's ``OP`` classes):

    >>> import wengert as wg
    >>> class Cube(wg.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x ** 3
    ...     @staticmethod
    ...     def backward(ctx, grad_output):
    ...         (x,) = ctx.saved_tensors
    ...         return grad_output * 3 * x ** 2
    >>> x = wg.tensor(2.0, requires_grad=True)
    >>> Cube.apply(x).backward(); x.grad
    tensor(12.)
    >>> float(wg.grad(Cube.apply)(2.0))     # the functional API uses the same rule
    12.0

    ``apply`` binds one primitive per class, with ``forward`` as its forward and
    ``backward`` as its VJP (the machinery of ``custom_vjp``), so tensors, ``grad``,
    ``vjp`` and ``jvp`` all see the same rule. Forward mode uses a static ``jvp(ctx,
    *tangents)`` when the class defines one, and says so otherwise.
    """

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError("a Function subclass must define forward(ctx, ...)")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("a Function subclass must define backward(ctx, grad)")

    @classmethod
    def _primitive(cls):
        prim = cls.__dict__.get("_wengert_prim")
        if prim is None:
            prim = Primitive(cls.__name__, lambda *a: cls._run(a)[0], register=False)
            prim.fwd = lambda *a: cls._run(a)
            prim.vjp = cls._vjp_rule
            prim.jvp = cls._jvp_rule
            prim.batch_loop = True
            cls._wengert_prim = prim
        return prim

    @classmethod
    def _run(cls, vals):
        ctx = FunctionCtx(needs_input_grad=[isinstance(v, (float, complex)) or
                                            np.result_type(unbox_all(v)).kind in "fc"
                                            if not isinstance(v, (str, type(None)))
                                            else False for v in vals])
        with no_grad():
            out = cls.forward(ctx, *[_as_tensor(v) for v in vals])
        if isinstance(out, (tuple, list)):
            raise TypeError(f"{cls.__name__}.forward returned {len(out)} outputs; wengert's "
                            f"Function supports one output tensor")
        return _as_value(out), ctx

    @classmethod
    def _vjp_rule(cls, g, ans, *args, residuals):
        ctx = residuals
        out = cls.backward(ctx, _as_tensor(g))
        if not isinstance(out, (tuple, list)):
            out = (out,)
        if len(out) != len(args):
            raise TypeError(f"{cls.__name__}.backward returned {len(out)} gradient(s); "
                            f"forward takes {len(args)} input(s), so it must return that "
                            f"many (None for an input with no gradient)")
        return tuple(None if o is None else _as_value(o) for o in out)

    @classmethod
    def _jvp_rule(cls, tangents, ans, *args, residuals):
        jvp = getattr(cls, "jvp", None)
        if jvp is None:
            raise NotImplementedError(
                f"{cls.__name__}: forward-mode differentiation needs a static method "
                f"jvp(ctx, *tangents) on the Function (it has forward and backward only)")
        ts = [None if t is None else _as_tensor(t) for t in tangents]
        return _as_value(jvp(residuals, *ts))

    @classmethod
    def apply(cls, *args):
        return cls._primitive()(*args)


# the trace a tensor belongs to, for the checks of other modules
TRACE = EAGER
