"""Batching (``vmap``): the fourth interpretation of a primitive call.

A ``BatchBox`` holds a value with one extra axis, the batch axis ``bdim`` (``None``
for a value that is the same for every example). A call on batched values runs the
primitive's batching rule once on the whole batch:

    rule(vals, dims, **params) -> (out, out_dim)

where ``vals`` are the arguments one level down and ``dims`` their batch axes (None
for unbatched ones). The rules live beside each primitive's JVP and VJP rules
(``Primitive.batch``). A primitive may instead be declared ``batch_loop``: its
batching runs it once per example and stacks the results, which is correct for any
primitive and slow; ``looped()`` lists the primitives that do so.
"""

from .primitive import lookup
from .trace import Box, Trace


class BatchBox(Box):
    __slots__ = ("_bdim",)

    def __init__(self, value, trace, bdim):
        self._value = value
        self._trace = trace
        self._bdim = bdim


class BatchTrace(Trace):
    """Runs batching rules; ``size`` is the batch size."""

    __slots__ = ("size",)

    def __init__(self, size):
        super().__init__()
        self.size = size

    def new_input(self, value, bdim):
        return BatchBox(value, self, bdim)

    def process(self, prim, args, params):
        vals, dims = [], []
        batched = False
        for a in args:
            if isinstance(a, Box) and a._trace is self:
                vals.append(a._value)
                dims.append(a._bdim)
                batched = batched or a._bdim is not None
            else:
                vals.append(a)
                dims.append(None)
        if not batched:
            out = prim(*vals, **params)
            return out
        rule = prim.batch
        if rule is None:
            if not getattr(prim, "batch_loop", False):
                raise NotImplementedError(
                    f"primitive {prim.name!r} has no batching rule, so it cannot be "
                    f"used under vmap")
            out, out_dim = loop_rule(prim, vals, dims, params, self.size)
        else:
            out, out_dim = rule(vals, dims, **params)
        if out_dim is None:
            return out
        return BatchBox(out, self, out_dim)

    def split(self, x):
        """``(value, bdim)`` of ``x`` at this level (bdim None: not batched)."""
        if isinstance(x, Box) and x._trace is self:
            return x._value, x._bdim
        return x, None


def loop_rule(prim, vals, dims, params, size):
    """Batching by a loop over the examples: each example's arguments (a slice along
    each batched argument's axis), the primitive on them, the results stacked."""
    take, reshape, concatenate = lookup("getitem"), lookup("reshape"), lookup("concatenate")
    outs = []
    for b in range(size):
        example = [v if d is None else take(v, idx=(slice(None),) * d + (b,))
                   for v, d in zip(vals, dims)]
        out = prim(*example, **params)
        outs.append(reshape(out, newshape=(1,) + logical_shape(out)))
    return concatenate(*outs, axis=0), 0


def looped():
    """The registered primitives that batch by a per-example loop."""
    from .primitive import registry
    return sorted(n for n, p in registry.items()
                  if p.batch is None and getattr(p, "batch_loop", False))



def logical_shape(x):
    """The shape of ``x`` as the function being transformed sees it: the shape of the
    value underneath, less the batch axis of every ``vmap`` it is batched by."""
    if isinstance(x, BatchBox):
        s = logical_shape(x._value)
        d = x._bdim
        return s if d is None else s[:d] + s[d + 1:]
    if isinstance(x, Box):
        return logical_shape(x._value)
    return tuple(getattr(x, "shape", ()))
