"""Forward mode: dual numbers. A ``JVPBox`` carries a primal and its tangent, and
each primitive call pushes the tangent through the primitive's JVP rule."""

from .primitive import apply_below, lookup, missing_rule
from .trace import Box, Trace


class JVPBox(Box):
    __slots__ = ("_tangent",)

    def __init__(self, value, tangent, trace):
        self._value = value
        self._tangent = tangent
        self._trace = trace


class ForwardTrace(Trace):
    __slots__ = ()

    def new_input(self, value, tangent):
        return JVPBox(value, tangent, self)

    def process(self, prim, args, params):
        if prim.jvps is None and prim.jvp is None:
            raise missing_rule(prim, "forward-mode")
        vals = []
        tangents = []
        nested = False  # does any value below still carry an outer trace?
        for a in args:
            if isinstance(a, Box):
                if a._trace is self:
                    tangents.append(a._tangent)
                    a = a._value
                    if isinstance(a, Box):
                        nested = True
                else:
                    tangents.append(None)
                    nested = True
            else:
                tangents.append(None)
            vals.append(a)
        ans, params = apply_below(prim, vals, params, nested)
        t_out = push_tangents(prim, tangents, ans, vals, params)
        if t_out is None:
            return ans
        return JVPBox(ans, t_out, self)

    def split(self, x):
        """(primal, tangent) of ``x`` at this level; tangent ``None`` for a constant."""
        if isinstance(x, Box) and x._trace is self:
            return x._value, x._tangent
        return x, None


def push_tangents(prim, tangents, ans, args, params):
    """The JVP of one call: the output tangent from the inputs' ``tangents``
    (``None`` for an input without one); ``None`` when the result is zero."""
    if prim.jvp is not None:
        return prim.jvp(tangents, ans, *args, **params)
    t_out = None
    rules = prim.jvps
    for i, t in enumerate(tangents):
        if t is None or rules[i] is None:
            continue
        contrib = rules[i](t, ans, *args, **params)
        t_out = contrib if t_out is None else _add()(t_out, contrib)
    return t_out


def _add():
    global _ADD
    if _ADD is None:
        _ADD = lookup("add")
    return _ADD


_ADD = None
