"""Spec table for rules/linalg.py: the primitives matmul, dot, tensordot and einsum
over vectors, matrices, batches with broadcasting and scalars, their operator and
method forms, and the composites filed under the primitive they bind (outer and kron
under multiply, inner under tensordot, vdot under dot, trace and diagonal under
getitem).

Every function ends in ``sin``: a product is linear in each argument, so without a
nonlinear step the order-2 checks of a one-argument case (``'ii->'``, ``'ij->ji'``)
would only compare zeros with zeros.

The mixed rows put a real operand against a complex one (either way round): the real
one's cotangent is the real part (tests/test_linalg_more.py pins its dtype). Their
values come from a generator of this table's own, so the shared one in spec.py draws
as before for the tables loaded after this one.
"""

import numpy as np

import wengert.numpy as wnp

from .spec import R, labelled


_case = labelled

_own_rng = np.random.default_rng(8)


def _R(*shape):
    """Real standard normal values from this table's generator."""
    v = _own_rng.standard_normal(shape)
    return float(v) if shape == () else v


def _C(*shape):
    """Complex standard normal values from this table's generator."""
    return _R(*shape) + 1j * _R(*shape)


def _mixed(prim, label, f, x_shape, y_shape):
    """Two cases: real x with complex y, and complex x with real y."""
    return [_case(prim, f"{label}-real-complex", f, _R(*x_shape), _C(*y_shape)),
            _case(prim, f"{label}-complex-real", f, _C(*x_shape), _R(*y_shape))]


def _einsum(spec):
    """A case function for one subscripts string (its label is the string)."""
    def f(*xs):
        return wnp.einsum(spec, *xs)
    f.__name__ = f"einsum({spec!r})"
    return f


def _tensordot(axes):
    def f(a, b):
        return wnp.tensordot(a, b, axes=axes)
    f.__name__ = f"tensordot(axes={axes!r})"
    return f


_EINSUM = [
    ("ij,jk->ik", R(2, 3), R(3, 4)),
    ("ii->", R(3, 3)),
    ("ij->ji", R(2, 3)),
    ("bij,bjk->bik", R(2, 2, 3), R(2, 3, 4)),
    ("i,i->", R(3), R(3)),
    ("ij,jk", R(2, 3), R(3, 4)),                 # implicit output: 'ik'
    ("ji,jk", R(3, 2), R(3, 4)),                 # implicit output: 'ik' again
    ("ii->i", R(3, 3)),                          # diagonal: the VJP masks
    ("ij->i", R(2, 3)),                          # j is summed away: the VJP broadcasts
    ("iij,j->i", R(3, 3, 2), R(2)),
    ("i,j->ij", R(2), R(3)),                     # outer product
    ("ij,ij->ij", R(1, 3), R(2, 3)),             # a size-1 axis broadcasts
    ("ij,jk,k->i", R(2, 3), R(3, 4), R(4)),      # three operands
    (",ij->ij", R(), R(2, 3)),                   # a scalar operand
    ("...ij,...jk->...ik", R(1, 2, 3), R(4, 3, 2)),  # ellipsis with broadcasting
    ("...ij,jk", R(5, 2, 3), R(3, 2)),           # implicit with ellipsis
    ("i...->...", R(3, 2)),
]

CASES = [
    # matmul: numpy's 1-D rules and batch broadcasting
    _case("matmul", "vec-vec", wnp.matmul, R(3), R(3)),
    _case("matmul", "mat-vec", wnp.matmul, R(2, 3), R(3)),
    _case("matmul", "vec-mat", wnp.matmul, R(3), R(3, 2)),
    _case("matmul", "mat-mat", wnp.matmul, R(2, 3), R(3, 4)),
    _case("matmul", "batch-mat", wnp.matmul, R(2, 3, 4), R(4, 2)),
    _case("matmul", "broadcast-batch", wnp.matmul, R(1, 3, 4), R(2, 4, 5)),
    _case("matmul", "broadcast-both", wnp.matmul, R(2, 1, 3, 2), R(1, 3, 2, 2)),
    _case("matmul", "batch-vec", wnp.matmul, R(2, 3, 4), R(4)),
    _case("matmul", "vec-batch", wnp.matmul, R(3), R(2, 3, 4)),
    _case("matmul", "operator", lambda x, y: x @ y, R(2, 3), R(3, 2)),
    _case("matmul", "operator-reflected", lambda y: np.ones((2, 3)) @ y, R(3, 2)),
    _case("matmul", "operator-mT", lambda x: x @ x.mT, R(2, 2, 3)),

    # dot: scalars, 1-D, 2-D and N-D
    _case("dot", "scalar-scalar", wnp.dot, R(), R()),
    _case("dot", "scalar-vec", wnp.dot, R(), R(3)),
    _case("dot", "mat-scalar", wnp.dot, R(2, 3), R()),
    _case("dot", "vec-vec", wnp.dot, R(3), R(3)),
    _case("dot", "mat-vec", wnp.dot, R(2, 3), R(3)),
    _case("dot", "vec-mat", wnp.dot, R(3), R(3, 2)),
    _case("dot", "mat-mat", wnp.dot, R(2, 3), R(3, 4)),
    _case("dot", "nd-nd", wnp.dot, R(2, 3, 4), R(2, 4, 3)),
    _case("dot", "nd-vec", wnp.dot, R(2, 3, 4), R(4)),
    _case("dot", "vec-nd", wnp.dot, R(3), R(2, 3, 2)),
    _case("dot", "method", lambda x, y: x.dot(y), R(2, 3), R(3, 2)),
    _case("dot", "method-self", lambda x: x.dot(x), R(3, 3)),

    # tensordot: int and paired axes
    _case("tensordot", "axes-1", _tensordot(1), R(2, 3), R(3, 4)),
    _case("tensordot", "axes-2", _tensordot(2), R(2, 3, 4), R(3, 4, 2)),
    _case("tensordot", "axes-0", _tensordot(0), R(2), R(3)),
    _case("tensordot", "axes-1-0", _tensordot(([1], [0])), R(2, 3), R(3, 4)),
    _case("tensordot", "axes-permuted", _tensordot(([0, 2], [2, 1])), R(2, 3, 4), R(3, 4, 2)),
    _case("tensordot", "axes-negative", _tensordot((-1, 0)), R(2, 3), R(3, 2)),
    _case("tensordot", "inner", wnp.inner, R(2, 3), R(4, 3)),
    _case("tensordot", "inner-vec", wnp.inner, R(3), R(3)),

    # einsum
    *[_case("einsum", spec.replace("->", "_to_").replace(",", "_").replace("...", "E")
            or "scalar", _einsum(spec), *args)
      for spec, *args in _EINSUM],
    _case("einsum", "sublists", lambda a, b: wnp.einsum(a, [0, 1], b, [1, 2]),
          R(2, 3), R(3, 4)),
    _case("einsum", "sublists-out", lambda a, b: wnp.einsum(a, [0, 1], b, [1, 2], [2, 0]),
          R(2, 3), R(3, 4)),

    # composites
    _case("multiply", "outer", wnp.outer, R(3), R(2, 2)),
    _case("multiply", "kron", wnp.kron, R(2, 3), R(2, 2)),
    _case("multiply", "kron-vec-mat", wnp.kron, R(3), R(2, 2)),
    _case("dot", "vdot", wnp.vdot, R(2, 3), R(3, 2)),
    _case("getitem", "trace", wnp.trace, R(3, 4)),
    _case("getitem", "trace-offset-axes",
          lambda a: wnp.trace(a, offset=-1, axis1=1, axis2=2), R(2, 3, 4)),
    _case("getitem", "trace-method", lambda a: a.trace(), R(3, 3)),
    _case("getitem", "diagonal-offset", lambda a: wnp.diagonal(a, 1), R(3, 4)),
    _case("getitem", "diagonal-method", lambda a: a.diagonal(), R(3, 3)),

    # a real operand against a complex one
    *_mixed("matmul", "mixed-mat-mat", wnp.matmul, (2, 3), (3, 2)),
    *_mixed("matmul", "mixed-broadcast", wnp.matmul, (1, 2, 3), (2, 3, 2)),
    *_mixed("dot", "mixed-vec-mat", wnp.dot, (3,), (3, 2)),
    *_mixed("dot", "mixed-scalar", wnp.dot, (), (3,)),
    *_mixed("dot", "mixed-vdot", wnp.vdot, (2, 3), (3, 2)),
    *_mixed("tensordot", "mixed-axes-permuted", _tensordot(([0, 2], [2, 1])), (2, 3, 2),
            (3, 2, 2)),
    *_mixed("tensordot", "mixed-inner", wnp.inner, (2, 3), (3,)),
    *_mixed("einsum", "mixed-ij_jk_to_ik", _einsum("ij,jk->ik"), (2, 3), (3, 2)),
    *_mixed("einsum", "mixed-ij_ij_to_ij", _einsum("ij,ij->ij"), (1, 3), (2, 3)),
    *_mixed("einsum", "mixed-ii_j_to_ij", _einsum("ii,j->ij"), (3, 3), (2,)),
    *_mixed("multiply", "mixed-kron", wnp.kron, (2,), (2, 2)),
    *_mixed("multiply", "mixed-outer", wnp.outer, (3,), (2,)),
]
