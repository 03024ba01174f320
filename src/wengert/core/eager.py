"""Eager graphs, PyTorch style: the third interpretation of a primitive call.

A tensor is a box of the one ``EAGER`` trace (level 0, below every transform, so
transforms nest over tensor code and tensors flow through transforms). Where an
argument requires a gradient, a call records a ``Node``: the primitive, its arguments
(the tensors themselves), their values one level down, the output value and the
nodes of the arguments that require a gradient. Each output tensor holds its node
and a node holds its parents, so a graph lives exactly as long as the tensors that
can reach it (no global tape).

``backward`` visits the nodes reachable from its roots in reverse creation order
(iterative, any depth) and runs each primitive's own VJP rules through
``pull_cotangents``, the function the reverse trace uses: on plain values, or, with
``create_graph``, on the tensors themselves, so that the backward pass is recorded
as new nodes and can be differentiated again.

Grad mode (``no_grad``) is per thread.
"""

import itertools
import operator
import threading

from .primitive import apply_below, lookup
from .reverse import pull_cotangents
from .trace import Box, Trace

_seq = itertools.count()
_mode = threading.local()


def grad_enabled():
    return getattr(_mode, "enabled", True)


def set_grad_enabled(mode):
    """Turn recording on or off for this thread; returns the previous mode."""
    previous = grad_enabled()
    _mode.enabled = bool(mode)
    return previous


FREED = ("Trying to backward through the graph a second time (or directly access saved "
         "tensors after they have already been freed). Saved intermediate values of the "
         "graph are freed when you call .backward() or autograd.grad(). Specify "
         "retain_graph=True if you need to backward through the graph a second time or "
         "if you need to access saved tensors after calling backward.")


class Node:
    """One recorded operation (a tensor's ``grad_fn``)."""

    __slots__ = ("prim", "args", "vals", "params", "ans", "parents", "seq", "versions",
                 "hooks", "retained", "nargs", "__weakref__")

    def __init__(self, prim, args, vals, params, ans, parents, versions):
        self.prim = prim
        self.args = args          # the arguments as given (tensors and constants)
        self.nargs = len(args)
        self.vals = vals          # their values one level down
        self.params = params
        self.ans = ans            # the output value one level down
        self.parents = parents    # (argument position, node) per argument with a gradient
        self.seq = next(_seq)     # creation order: a node is always after its parents
        self.versions = versions  # (position, tensor, version) of each tensor argument
        self.hooks = None         # functions of the incoming gradient (register_hook)
        self.retained = None      # weak ref to the tensor that asked for retain_grad

    def name(self):
        return "".join(p.capitalize() for p in self.prim.name.split("_")) + "Backward0"

    @property
    def next_functions(self):
        by_pos = dict(self.parents)
        return tuple((by_pos.get(k), 0) for k in range(self.nargs))

    def __repr__(self):
        return f"<{self.name()} object at {id(self):#x}>"


class Leaf:
    """The end of a graph: a leaf tensor that requires a gradient (PyTorch's
    AccumulateGrad). It holds the tensor weakly, so tensor and node form no cycle."""

    __slots__ = ("tensor", "seq", "hooks", "__weakref__")

    def __init__(self, tensor_ref):
        self.tensor = tensor_ref
        self.seq = next(_seq)
        self.hooks = None

    def name(self):
        return "AccumulateGrad"

    next_functions = ()

    def __repr__(self):
        return f"<AccumulateGrad object at {id(self):#x}>"


class EagerTrace(Trace):
    """Records a ``Node`` for each call on tensors that require a gradient. ``make``
    (set by ``wengert.tensor``) builds the tensor for a value and its node."""

    __slots__ = ("make",)

    def __init__(self):
        super().__init__()
        self.level = 0
        self.who = ("tensor operations", None)
        self.make = None

    def process(self, prim, args, params):
        record = getattr(_mode, "enabled", True)  # grad_enabled(), inlined
        vals = []
        parents = []
        versions = []
        nested = False
        i = 0
        for a in args:
            if isinstance(a, Box):
                if a._trace is self:
                    vc = a._vc  # the version counter, made on a tensor's first change
                    versions.append((i, a, vc[0] if vc is not None else 0))
                    if record:
                        node = a._node
                        if node is not None:
                            parents.append((i, node))
                        elif a._flag:  # a leaf that requires grad
                            parents.append((i, a.grad_node()))
                    a = a._value
                    if isinstance(a, Box):
                        nested = True
                else:
                    nested = True
            vals.append(a)
            i += 1
        if nested or prim.fwd is not None:
            ans, params = apply_below(prim, vals, params, nested)
        else:
            ans = prim.impl(*vals, **params)
        node = None
        if parents:
            node = Node(prim, tuple(args), vals, params, ans, parents, versions)
        return self.make(ans, node)


EAGER = EagerTrace()


def backward(roots, *, retain_graph=False, create_graph=False, capture=None):
    """Propagate the gradients ``roots`` (pairs of node and cotangent) back through
    the graph. Leaves accumulate into their tensor's ``.grad``, unless ``capture``
    (a dict from node to ``None``) is given: then the cotangent arriving at each of its
    nodes is stored there instead and no ``.grad`` changes (``autograd.grad``)."""
    add = lookup("add")
    order = _reachable([n for n, _ in roots])
    grads = {}
    for node, g in roots:
        grads[node] = g if node not in grads else add(grads[node], g)
    previous = set_grad_enabled(create_graph)
    try:
        for node in order:
            g = grads.pop(node, None)
            if g is None:
                continue
            if node.hooks:
                for hook in node.hooks:
                    out = hook(g if create_graph else EAGER.make(g, None))
                    if out is not None:
                        g = out if create_graph else _value_of(out)
            if capture is not None and node in capture:
                capture[node] = g if capture[node] is None else add(capture[node], g)
            if isinstance(node, Leaf):
                if capture is None:
                    tensor = node.tensor()
                    if tensor is not None:
                        tensor.accumulate_grad(g if create_graph else EAGER.make(g, None))
                continue
            if node.retained is not None and capture is None:
                tensor = node.retained()
                if tensor is not None:
                    tensor.accumulate_grad(g if create_graph else EAGER.make(g, None))
            for p, ct in _pull(node, g, create_graph):
                grads[p] = ct if p not in grads else add(grads[p], ct)
            if not retain_graph:
                node.args = node.vals = node.ans = None
                node.versions = ()
    finally:
        set_grad_enabled(previous)


def _value_of(x):
    return x._value if isinstance(x, Box) and x._trace is EAGER else x


def _pull(node, g, create_graph):
    if node.args is None:
        raise RuntimeError(FREED)
    for pos, tensor, version in node.versions:
        vc = tensor._vc
        if (vc[0] if vc is not None else 0) != version:
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified "
                f"by an inplace operation: argument {pos} of {node.name()} (shape "
                f"{getattr(tensor._value, 'shape', ())}) is at version {tensor._version}; "
                f"expected version {version} instead. Use .clone() before changing it, or "
                f"change it after the backward pass")
    prim = node.prim
    if prim.vjp is None and prim.vjps is None:
        raise RuntimeError(f"the derivative for '{prim.name}' is not implemented "
                           f"(primitive {prim.name!r} has no reverse-mode rule)")
    if create_graph:
        # the rules run on the tensors themselves, so their operations are recorded
        args = node.args
        ans = EAGER.make(node.ans, node)
    else:
        args = node.vals
        ans = node.ans
        g = _value_of(g)
    return pull_cotangents(prim, g, ans, args, node.params, node.parents)


def _reachable(starts):
    """The nodes reachable from ``starts``, latest first (an explicit stack: any depth)."""
    seen = set()  # nodes hash by identity
    stack = [n for n in starts if n is not None]
    nodes = []
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        nodes.append(n)
        if type(n) is Node:
            for _, p in n.parents:
                stack.append(p)
    nodes.sort(key=_seq_of, reverse=True)
    return nodes


_seq_of = operator.attrgetter("seq")
