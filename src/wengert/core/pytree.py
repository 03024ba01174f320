"""Pytrees: nested tuples, lists, dicts, namedtuples, None and registered classes."""

from collections import namedtuple

_nodes = {}

Node = namedtuple("Node", ["flatten", "unflatten"])


def register_pytree_node(cls, flatten, unflatten):
    """Let ``cls`` be a pytree node, so transforms accept and return it.

    ``flatten(x) -> (children, aux)`` and ``unflatten(aux, children) -> x``; ``aux``
    is static data (hashable, compared when structures are matched).

    >>> class Pair:
    ...     def __init__(self, a, b): self.a, self.b = a, b
    >>> register_pytree_node(Pair, lambda p: ((p.a, p.b), None), lambda _, ch: Pair(*ch))
    >>> tree_leaves([Pair(1, 2), 3])
    [1, 2, 3]
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
    """The structure of a pytree, stored flat: its nodes in preorder, each a ``(node type,
    static data, number of children)`` (type ``None``: a leaf). Flat, so that comparing,
    hashing and walking a structure nested thousands of levels deep needs no recursion."""

    __slots__ = ("nodes", "num_leaves")

    def __init__(self, nodes, num_leaves=None):
        self.nodes = nodes
        self.num_leaves = (sum(1 for t, _, _ in nodes if t is None)
                           if num_leaves is None else num_leaves)

    def __eq__(self, other):
        return isinstance(other, TreeDef) and self.nodes == other.nodes

    def __hash__(self):
        return hash(self.nodes)

    def __repr__(self):
        parts = []
        open_counts = []  # children still to print under each open node
        for t, _, n in self.nodes:
            if open_counts and open_counts[-1] < 0:
                open_counts[-1] = -open_counts[-1]
            elif parts and parts[-1] != "(":
                parts.append(", ")
            if t is None:
                parts.append("*")
            else:
                parts.append(f"{t.__name__}(")
                if n == 0:
                    parts.append(")")
                else:
                    open_counts.append(-n)  # negative: first child not printed yet
                    continue
            while open_counts:  # this subtree is done: close the nodes it ends
                open_counts[-1] -= 1
                if open_counts[-1] > 0:
                    break
                open_counts.pop()
                parts.append(")")
        return "".join(parts)


_LEAF_NODE = (None, None, 0)
LEAF = TreeDef((_LEAF_NODE,), 1)


def tree_flatten(tree):
    """``(leaves, treedef)``: leaves left to right (string keys sorted), any depth.

    >>> tree_flatten({"b": 2, "a": (1, None)})
    ([1, 2], dict(tuple(*, NoneType()), *))
    """
    node = _node_of(tree)
    if node is None:
        return [tree], LEAF
    leaves = []
    nodes = []
    stack = [tree]
    while stack:
        x = stack.pop()
        node = _node_of(x)
        if node is None:
            leaves.append(x)
            nodes.append(_LEAF_NODE)
            continue
        children, aux = node.flatten(x)
        children = tuple(children)
        nodes.append((type(x), aux, len(children)))
        stack.extend(reversed(children))
    return leaves, TreeDef(tuple(nodes), len(leaves))


def tree_unflatten(treedef, leaves):
    """Rebuild ``treedef``'s structure from ``leaves`` (one pass, children off a stack).

    >>> tree_unflatten(tree_flatten((1, [2]))[1], ["a", "b"])
    ('a', ['b'])
    """
    leaves = list(leaves)
    if len(leaves) != treedef.num_leaves:
        raise ValueError(f"tree_unflatten: the structure {treedef!r} has "
                         f"{treedef.num_leaves} leaves, got {len(leaves)}")
    stack = []
    for t, aux, n in reversed(treedef.nodes):
        if t is None:
            stack.append(leaves.pop())
        else:
            stack.append(_make(t, aux, [stack.pop() for _ in range(n)]))
    return stack[0]


def _make(node_type, aux, children):
    node = _nodes.get(node_type)
    if node is None:  # namedtuple
        return node_type(*children)
    return node.unflatten(aux, children)


def tree_leaves(tree):
    """The leaves of ``tree``, in ``tree_flatten``'s order.

    >>> tree_leaves({"b": [2, None], "a": 1})
    [1, 2]
    """
    return tree_flatten(tree)[0]


def tree_map(f, tree, *rest):
    """Apply ``f`` leafwise over ``tree`` (and over ``rest``, of the same structure).

    >>> tree_map(lambda x, y: x + y, {"a": 1, "b": (2, 3)}, {"a": 10, "b": (20, 30)})
    {'a': 11, 'b': (22, 33)}
    """
    leaves, td = tree_flatten(tree)
    others = []
    for r in rest:
        r_leaves, r_td = tree_flatten(r)
        if r_td != td:
            raise ValueError(f"tree_map: structures differ: {td} and {r_td}")
        others.append(r_leaves)
    return tree_unflatten(td, [f(*xs) for xs in zip(leaves, *others)])
