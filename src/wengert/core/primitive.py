"""The primitive record; calling it is ``bind``, the one interception point.

A primitive holds its forward implementation and its derivative rules side by side:

* ``vjps``: one rule per positional input, ``rule(g, ans, *args, **params)`` giving the
  cotangent for that input (``None`` in the tuple: not differentiable there), or
  ``vjp``: one rule ``rule(g, ans, *args, **params)`` returning a tuple with one
  cotangent (or ``None``) per input.
* ``jvps``: one rule per input, ``rule(t, ans, *args, **params)`` giving that input's
  contribution to the output tangent, or ``jvp``: one rule
  ``rule(tangents, ans, *args, **params)`` where ``tangents`` holds ``None`` for inputs
  that carry no tangent.

Rules are written with wengert primitives, so a derivative is itself differentiable.

* ``fwd`` (optional): ``fwd(*args, **params) -> (ans, residuals)``. When set, a trace
  calls it in place of the primitive and passes ``residuals=`` to the rules, so values
  computed on the way forward are not computed again (``custom_vjp``).
"""

from .trace import Box

registry = {}


class Primitive:
    """One differentiable operation: forward implementation plus JVP and VJP rules."""

    __slots__ = ("name", "impl", "vjps", "vjp", "jvps", "jvp", "fwd", "batch",
                 "batch_loop", "__dict__")

    def __init__(self, name, impl, *, vjps=None, vjp=None, jvps=None, jvp=None,
                 register=True, doc=None):
        self.name = name
        self.impl = impl
        self.vjps = vjps
        self.vjp = vjp
        self.jvps = jvps
        self.jvp = jvp
        self.fwd = None
        self.batch = None         # batching rule for vmap: (vals, dims, **params) -> (out, dim)
        self.batch_loop = False   # or: batch by a declared per-example loop
        self.__doc__ = doc if doc is not None else getattr(impl, "__doc__", None)
        self.__wrapped__ = impl
        if register:
            if name in registry:
                raise ValueError(f"primitive {name!r} is already registered")
            registry[name] = self

    @property
    def __name__(self):
        return self.name

    def has_vjp(self):
        return self.vjp is not None or self.vjps is not None

    def has_jvp(self):
        return self.jvp is not None or self.jvps is not None

    def __call__(self, *args, **params):
        # bind: the highest-level trace among the arguments processes the call;
        # with no trace involved this is just the forward implementation.
        top = None
        for a in args:
            if isinstance(a, Box):
                t = a._trace
                if top is None or t.level > top.level:
                    top = t
        if top is None:
            return self.impl(*args, **params)
        return top.process(self, args, params)

    def __repr__(self):
        return f"<wengert primitive {self.name}>"


def lookup(name):
    """The registered primitive called ``name``."""
    try:
        return registry[name]
    except KeyError:
        raise LookupError(f"no primitive named {name!r} is registered") from None


def apply_below(prim, vals, params, nested):
    """``(ans, params)``: ``prim`` on the values one level below a trace. Straight to
    the implementation when no outer trace is involved (``nested`` false), through
    ``bind`` otherwise; a primitive with a ``fwd`` adds its residuals to ``params``."""
    if prim.fwd is not None:
        return forward_with_residuals(prim, vals, params)
    if nested:
        return prim(*vals, **params), params
    return prim.impl(*vals, **params), params


def forward_with_residuals(prim, vals, params):
    """``(ans, params)`` for a primitive with a ``fwd``: its residuals join the
    params that the rules receive."""
    out = prim.fwd(*vals, **params)
    if not (isinstance(out, tuple) and len(out) == 2):
        raise TypeError(f"{prim.name}: fwd must return a pair (output, residuals), got "
                        f"{type(out).__name__}")
    return out[0], dict(params, residuals=out[1])


def missing_rule(prim, mode):
    return NotImplementedError(
        f"primitive {prim.name!r} has no {mode} rule "
        f"({'VJP' if mode == 'reverse-mode' else 'JVP'}), so it cannot be "
        f"differentiated in {mode}")
