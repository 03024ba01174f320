"""Pytrees: nested tuples, lists, dicts, namedtuples, None and registered classes.

``tree_flatten`` turns a structure into its leaves and a ``TreeDef`` that
``tree_unflatten`` uses to rebuild it; transforms use this once, so every
transform accepts and returns structures.
"""

from collections import namedtuple

_nodes = {}

Node = namedtuple("Node", ["flatten", "unflatten"])


def register_pytree_node(cls, flatten, unflatten):
    """Let ``cls`` be a pytree node.

    ``flatten(x) -> (children, aux)`` and ``unflatten(aux, children) -> x``; ``aux``
    is static data (hashable, compared when structures are matched).

    >>> class Pair:
    ...     def __init__(self, a, b): self.a, self.b = a, b
    >>> register_pytree_node(Pair, lambda p: ((p.a, p.b), None),
    ...                      lambda aux, ch: Pair(*ch))
    """
    if not isinstance(cls, type):
        raise TypeError(f"register_pytree_node: expected a class, got {cls!r}")
    _nodes[cls] = Node(flatten, unflatten)


def _dict_flatten(d):
    keys = sorted(d) if all(isinstance(k, str) for k in d) else list(d)
    return [d[k] for k in keys], tuple(keys)


def _dict_unflatten(keys, children):
    return dict(zip(keys, children))


register_pytree_node(tuple, lambda t: (t, None), lambda _, ch: tuple(ch))
register_pytree_node(list, lambda t: (t, None), lambda _, ch: list(ch))
register_pytree_node(dict, _dict_flatten, _dict_unflatten)
register_pytree_node(type(None), lambda _: ((), None), lambda _, ch: None)


def _node_of(x):
    node = _nodes.get(type(x))
    if node is None and isinstance(x, tuple) and hasattr(type(x), "_fields"):
        # namedtuples: rebuilt with their own class
        cls = type(x)
        node = Node(lambda t: (tuple(t), None), lambda _, ch, cls=cls: cls(*ch))
    return node


class TreeDef:
    """The structure of a pytree: a node type, its static data and its children."""

    __slots__ = ("node_type", "aux", "children", "num_leaves")

    def __init__(self, node_type, aux, children):
        self.node_type = node_type
        self.aux = aux
        self.children = children
        self.num_leaves = 1 if node_type is None else sum(c.num_leaves for c in children)

    def __eq__(self, other):
        return (isinstance(other, TreeDef) and self.node_type is other.node_type
                and self.aux == other.aux and self.children == other.children)

    def __hash__(self):
        return hash((self.node_type, self.aux, self.children))

    def __repr__(self):
        if self.node_type is None:
            return "*"
        inner = ", ".join(map(repr, self.children))
        return f"{self.node_type.__name__}({inner})"


LEAF = TreeDef(None, None, ())


def tree_flatten(tree):
    """``(leaves, treedef)`` for ``tree``."""
    leaves = []
    return leaves, _flatten(tree, leaves)


def _flatten(x, leaves):
    # a module-level recursion, not a closure: a self-referencing closure would be a
    # reference cycle holding the leaves (traced values, and through them a tape)
    node = _node_of(x)
    if node is None:
        leaves.append(x)
        return LEAF
    children, aux = node.flatten(x)
    return TreeDef(type(x), aux, tuple(_flatten(c, leaves) for c in children))


def tree_unflatten(treedef, leaves):
    """Rebuild the structure described by ``treedef`` from ``leaves``."""
    return _build(treedef, iter(leaves))


def _build(td, it):
    if td.node_type is None:
        return next(it)
    children = [_build(c, it) for c in td.children]
    node = _nodes.get(td.node_type)
    if node is None:  # namedtuple
        return td.node_type(*children)
    return node.unflatten(td.aux, children)


def tree_leaves(tree):
    return tree_flatten(tree)[0]


def tree_map(f, tree, *rest):
    """Apply ``f`` leafwise over ``tree`` (and same-structured ``rest``)."""
    leaves, td = tree_flatten(tree)
    others = []
    for r in rest:
        r_leaves, r_td = tree_flatten(r)
        if r_td != td:
            raise ValueError(f"tree_map: structures differ: {td} and {r_td}")
        others.append(r_leaves)
    return tree_unflatten(td, [f(*xs) for xs in zip(leaves, *others)])
