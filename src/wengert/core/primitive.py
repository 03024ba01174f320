"""The primitive record; calling it is ``bind``, the one interception point."""

from .trace import Box

registry = {}


class Primitive:
    """One differentiable operation: its forward ``impl`` and its derivative rules, written
    with wengert primitives (so a derivative differentiates again). ``vjps``: one rule per
    positional input, ``rule(g, ans, *args, **params)`` giving its cotangent (``None``: not
    differentiable there), or ``vjp``: one such rule giving a tuple of cotangents (or
    ``None``). ``jvps``: one rule per input, ``rule(t, ans, *args, **params)`` giving its
    share of the output tangent, or ``jvp``: one ``rule(tangents, ans, *args, **params)``
    (``None`` for inputs without a tangent). ``register``: enter it in ``registry`` under
    its unique ``name``; ``doc``: its docstring (default: ``impl``'s). The attribute
    ``fwd(*args, **params) -> (ans, residuals)``, when set, runs under a trace instead of
    ``impl``; the rules get ``residuals=``, values not computed twice (``custom_vjp``).

    >>> import wengert as wg
    >>> cube = Primitive("cube", lambda x: x ** 3, register=False,
    ...     vjps=(lambda g, ans, x: 3 * x**2 * g,), jvps=(lambda t, ans, x: 3 * x**2 * t,))
    >>> wg.grad(cube)(2.0), wg.jvp(cube, (2.0,), (1.0,)), wg.grad(wg.grad(cube))(3.0)
    (12.0, (8.0, 12.0), 18.0)
    """

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
    """``(ans, params)``: ``prim`` on the values one level below a trace, by ``impl`` with
    no outer trace (``nested`` false), else by ``bind``; a ``fwd`` adds its residuals."""
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
