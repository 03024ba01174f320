"""One vector for a whole pytree of parameters, and the way back.

``ravel_pytree(tree)`` gives ``(vector, unravel)``: the leaves raveled and joined in
``tree_flatten`` order, and a function taking such a vector back to a tree of the
same structure, shapes and dtypes. Both directions are wengert operations, so they
differentiate: ``grad(lambda v: loss(unravel(v)))`` is the flat gradient that
``scipy.optimize`` wants.
"""

import numpy as np

from .. import numpy as wnp
from ..core.pytree import tree_flatten, tree_unflatten
from ..core.trace import Box, unbox_all


def ravel_pytree(tree):
    """``(vector, unravel)`` for a pytree of numbers and arrays.

    >>> import numpy as np, wengert as wg, wengert.numpy as wnp
    >>> from scipy.optimize import minimize
    >>> params = {"w": np.zeros(2), "b": 0.0}
    >>> x = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]); y = np.array([1.0, 2.0, 3.5])
    >>> def loss(p): return wnp.sum((x @ p["w"] + p["b"] - y) ** 2)
    >>> v0, unravel = wg.ravel_pytree(params)
    >>> v0
    array([0., 0., 0.])
    >>> res = minimize(wg.value_and_grad(lambda v: loss(unravel(v))), v0, jac=True,
    ...                method="BFGS")
    >>> fit = unravel(res.x)
    >>> np.round(fit["w"], 4), round(fit["b"], 4)  # the exact fit: w = (2.5, 1.5), b = -0.5
    (array([2.5, 1.5]), -0.5)
    """
    leaves, treedef = tree_flatten(tree)
    shapes = [np.shape(unbox_all(x)) for x in leaves]
    dtypes = [_dtype(x) for x in leaves]
    sizes = [int(np.prod(s)) for s in shapes]
    python_floats = [type(unbox_all(x)) is float for x in leaves]
    if leaves:
        vector = wnp.concatenate([wnp.ravel(x) for x in leaves])
    else:
        vector = np.zeros(0)
    total = sum(sizes)
    flat_dtype = np.result_type(*dtypes) if dtypes else np.dtype(float)

    def unravel(v):
        """The tree that ``v`` (a vector like ``ravel_pytree``'s) stands for."""
        shape = np.shape(unbox_all(v))
        if shape != (total,):
            raise ValueError(f"unravel: expected a vector of shape ({total},) for this "
                             f"tree, got shape {shape}")
        out = []
        start = 0
        for shp, dt, n, py in zip(shapes, dtypes, sizes, python_floats):
            piece = wnp.reshape(v[start:start + n], shp)
            start += n
            if dt != flat_dtype:
                piece = wnp.astype(piece, dt) if dt.kind in "fc" else \
                    np.asarray(unbox_all(piece)).astype(dt)
            if py and not isinstance(piece, Box):
                piece = float(piece)
            out.append(piece)
        return tree_unflatten(treedef, out)

    return vector, unravel


def _dtype(x):
    v = unbox_all(x)
    if type(v) is float:
        return np.dtype(np.float64)
    return np.result_type(v)


def flatten(value):
    """HIPS autograd's name: ``(vector, unflatten)``, as ``ravel_pytree``.

    >>> import numpy as np
    >>> v, unflatten = flatten((np.ones(2), {"a": 3.0}))
    >>> v
    array([1., 1., 3.])
    >>> unflatten(v * 2)
    (array([2., 2.]), {'a': 6.0})
    """
    return ravel_pytree(value)
