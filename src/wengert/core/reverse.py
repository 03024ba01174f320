"""Reverse mode: the tape *is* the evaluation trace (Wengert list).

Each recorded call appends one entry ``(prim, args, params, ans, parents)``:
``args`` are the inputs one level down (primal values), ``parents`` pairs each
traced argument position with the tape index that produced it. Inputs are entries
with ``prim = None``. The backward pass walks the tape once from the end, so its
depth never touches Python's recursion limit, and it holds adjoints in a list
indexed like the tape, dropping each one as soon as it has been propagated.
"""

from .primitive import apply_below, lookup, missing_rule
from .trace import Box, Trace


_NO_PARAMS = {}  # shared by every entry without options (never mutated)


class VJPBox(Box):
    __slots__ = ("_index",)

    def __init__(self, value, trace, index):
        self._value = value
        self._trace = trace
        self._index = index


class ReverseTrace(Trace):
    """Records primitive calls on a tape and replays them backwards."""

    __slots__ = ("tape", "consume")

    def __init__(self):
        super().__init__()
        self.tape = []
        self.consume = False  # True: a single backward pass, freeing entries as it goes

    def new_input(self, value, name=None):
        index = len(self.tape)
        self.tape.append((None, (), {"name": name}, value, ()))
        return VJPBox(value, self, index)

    def process(self, prim, args, params):
        if prim.vjps is None and prim.vjp is None:
            raise missing_rule(prim, "reverse-mode")
        vals = []
        parents = []
        nested = False  # does any value below still carry an outer trace?
        i = 0
        for a in args:
            if isinstance(a, Box):
                if a._trace is self:
                    parents.append((i, a._index))
                    a = a._value
                    if isinstance(a, Box):
                        nested = True
                else:
                    nested = True
            vals.append(a)
            i += 1
        ans, params = apply_below(prim, vals, params, nested)
        tape = self.tape
        index = len(tape)
        tape.append((prim, vals, params or _NO_PARAMS, ans, parents))
        return VJPBox(ans, self, index)

    def index_of(self, x):
        """Tape index of ``x`` if it is one of this trace's boxes, else ``None``."""
        if isinstance(x, Box) and x._trace is self:
            return x._index
        return None

    def backward(self, seeds, wanted):
        """Propagate adjoints from ``seeds`` (pairs of tape index and cotangent) to
        the entries in ``wanted``; returns their adjoints (``None`` for zero)."""
        add = lookup("add")
        pull = self.pull
        tape = self.tape
        adjoint = [None] * len(tape)
        keep = set(wanted)
        start = -1
        for index, g in seeds:
            if g is None:
                continue
            prev = adjoint[index]
            adjoint[index] = g if prev is None else add(prev, g)
            start = max(start, index)
        stop = min(keep) if keep else 0
        for i in range(start, stop - 1, -1):
            g = adjoint[i]
            if g is None:
                continue
            prim, args, params, ans, parents = tape[i]
            if prim is None:
                continue
            if i not in keep:
                adjoint[i] = None
            if self.consume:  # nothing reads this entry again: free its values now
                tape[i] = None
            for p, ct in pull(prim, g, ans, args, params, parents):
                prev = adjoint[p]
                adjoint[p] = ct if prev is None else add(prev, ct)
        return [adjoint[i] for i in wanted]


def pull_cotangents(prim, g, ans, args, params, parents):
    """The VJP of one tape entry: ``(parent index, cotangent)`` for each traced
    argument ``(position, parent index)`` in ``parents`` with a nonzero cotangent."""
    joint = prim.vjp
    if joint is not None:
        cts = joint(g, ans, *args, **params)
        return [(p, cts[pos]) for pos, p in parents if cts[pos] is not None]
    rules = prim.vjps
    return [(p, rules[pos](g, ans, *args, **params))
            for pos, p in parents if rules[pos] is not None]


# the VJP of one entry as the backward pass calls it; a subclass may check what it
# gives (anomaly mode) without a cost to this class
ReverseTrace.pull = staticmethod(pull_cotangents)
