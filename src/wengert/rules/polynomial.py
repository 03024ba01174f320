"""numpy's polynomial functions on coefficient arrays (highest power first): poly,
polyadd, polysub, polymul, polyder, polyint, polydiv and roots. polyval and polyfit
live in rules/signal.py.

No new primitives: each function follows numpy's own steps with wengert operations
(slices, concatenation, arithmetic, convolve, eigvals), so the values are numpy's and
every derivative differentiates again. Decisions that numpy takes on the values (the
leading zeros poly1d strips, the remainder's leading zeros polydiv drops, the zeros
roots strips) are taken on the values here too: they are constants of the derivative.

On plain input each function is numpy's own (a poly1d in, a poly1d out); on traced
input the results are arrays (a poly1d cannot hold traced coefficients).
"""

import numpy as np

from ..core.trace import Box, is_boxed, unbox_all
from ._base import example, one_value, per_example, shape
from .indexing import _getitem
from .shape import _concatenate, _reshape


def _traced(*xs):
    """Whether any of ``xs`` (or a list or tuple in them) holds a traced value."""
    for x in xs:
        if isinstance(x, Box):
            return True
        if isinstance(x, (list, tuple)) and _traced(*x):
            return True
    return False


def _coeffs(p):
    """A coefficient sequence as a 1-d array, traced or plain (numpy's atleast_1d; a
    poly1d gives its coefficients, a list holding traced values is stacked)."""
    if isinstance(p, np.poly1d):
        return p.coeffs
    if isinstance(p, (list, tuple)):
        if _traced(*p):
            from .shape import stack
            return stack([c if is_boxed(c) else np.asarray(c) for c in p])
        p = np.asarray(p)
    if is_boxed(p):
        return p if len(shape(p)) >= 1 else _reshape(p, newshape=(1,))
    return np.atleast_1d(p)


def _item(p, i):
    return _getitem(p, idx=i) if is_boxed(p) else p[i]


def _pad_front(a, n):
    """``a`` with ``n`` zeros in front (a's own dtype)."""
    if n <= 0:
        return a
    zeros = np.zeros(n, dtype=np.result_type(unbox_all(a)))
    return _concatenate(zeros, a, axis=0) if is_boxed(a) else np.concatenate((zeros, a))


def _aligned(a1, a2):
    a1, a2 = _coeffs(a1), _coeffs(a2)
    diff = shape(a2)[0] - shape(a1)[0]
    return (_pad_front(a1, diff), a2) if diff >= 0 else (a1, _pad_front(a2, -diff))


def polyadd(a1, a2):
    """numpy.polyadd: the sum of two polynomials (the shorter padded with leading
    zeros), differentiable in both.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda a: wnp.sum(wnp.polyadd(a, wnp.array([1.0, 2.0, 3.0]))))(wnp.ones(2))
    array([1., 1.])
    """
    if not _traced(a1, a2):
        return np.polyadd(a1, a2)
    a1, a2 = _aligned(a1, a2)
    return a1 + a2


def polysub(a1, a2):
    """numpy.polysub: the difference of two polynomials, differentiable in both."""
    if not _traced(a1, a2):
        return np.polysub(a1, a2)
    a1, a2 = _aligned(a1, a2)
    return a1 - a2


def _trimmed(a):
    """poly1d's coefficients: the leading zeros stripped (decided on the values);
    the zero polynomial is the constant [0]."""
    n = shape(a)[0]
    first = one_value(per_example(lambda v: (np.flatnonzero(v)[:1].tolist() or [n])[0], a),
                      "poly1d's leading zeros")
    if first == n:
        return np.zeros(1, dtype=np.result_type(unbox_all(a)))
    return a if first == 0 else _item(a, slice(int(first), None))


def polymul(a1, a2):
    """numpy.polymul: the product of two polynomials (numpy's convolve after poly1d
    strips leading zeros), differentiable in both.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.jacobian(lambda a: wnp.polymul(a, wnp.array([1.0, 1.0])))(wnp.array([2.0, 3.0]))
    array([[1., 0.],
           [1., 1.],
           [0., 1.]])
    """
    if not _traced(a1, a2):
        return np.polymul(a1, a2)
    from .signal import convolve
    return convolve(_trimmed(_coeffs(a1)), _trimmed(_coeffs(a2)))


def polyder(p, m=1):
    """numpy.polyder: the ``m``-th derivative's coefficients, ``p[:-1] * [n, ..., 1]``
    applied m times (linear in p).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.jacobian(wnp.polyder)(wnp.array([1.0, 2.0, 3.0]))
    array([[2., 0., 0.],
           [0., 1., 0.]])
    """
    if not _traced(p):
        return np.polyder(p, m)
    m = int(m)
    if m < 0:
        raise ValueError("Order of derivative must be positive (see polyint)")
    p = _coeffs(p)
    for _ in range(m):
        n = shape(p)[0] - 1
        p = _item(p, slice(None, -1)) * np.arange(n, 0, -1)
    return p


def polyint(p, m=1, k=None):
    """numpy.polyint: the ``m``-th antiderivative, ``p / [n+1, ..., 1]`` followed by
    the integration constant, m times; differentiable in ``p`` and in traced
    constants ``k``.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.jacobian(lambda p: wnp.polyint(p, k=1.0))(wnp.array([3.0, 2.0]))
    array([[0.5, 0. ],
           [0. , 1. ],
           [0. , 0. ]])
    """
    if not _traced(p, k):
        return np.polyint(p, m, k)
    m = int(m)
    if m < 0:
        raise ValueError("Order of integral must be positive (see polyder)")
    np.polyint(example(_coeffs(p)), m, None if k is None else example(_coeffs(k)))
    if k is None:
        k = np.zeros(m, float)
    k = _coeffs(k)
    if shape(k)[0] == 1 and m > 1:
        k = _item(k, 0) * np.ones(m, float)
    p = _coeffs(p)
    for i in range(m):
        n = shape(p)[0]
        head = p / np.arange(n, 0, -1)
        tail = _reshape(_item(k, i), newshape=(1,)) if is_boxed(k) else k[i:i + 1]
        if is_boxed(head) or is_boxed(tail):
            p = _concatenate(head, tail, axis=0)
        else:
            p = np.concatenate((head, tail))
    return p


def polydiv(u, v):
    """numpy.polydiv: ``(quotient, remainder)`` by numpy's long division (the same
    arithmetic), both differentiable in ``u`` and ``v``; the remainder's leading
    (numerically) zero coefficients are dropped as numpy drops them, on the values.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.jacobian(lambda u: wnp.polydiv(u, wnp.array([1.0, 1.0]))[0])(wnp.array([1.0, 3.0, 2.0]))
    array([[ 1.,  0.,  0.],
           [-1.,  1.,  0.]])
    """
    if not _traced(u, v):
        return np.polydiv(u, v)
    np.polydiv(example(_coeffs(u)), example(_coeffs(v)))  # numpy's checks
    u = _coeffs(u) + 0.0
    v = _coeffs(v) + 0.0
    w_dtype = np.result_type(unbox_all(u), unbox_all(v))  # numpy's u[0] + v[0]
    m = shape(u)[0] - 1
    n = shape(v)[0] - 1
    scale = 1. / _item(v, 0)
    q = []
    # r = u.astype(w's type), a new array (u + 0.0 above), which the assignments
    # below change; a traced u goes through the cast, whose tangent is complex too
    if is_boxed(u):
        from .complex import astype
        r = u if np.result_type(unbox_all(u)) == w_dtype else astype(u, w_dtype)
    else:
        r = np.asarray(u, dtype=w_dtype)
        if is_boxed(scale):
            r = r + 0.0 * _item(v, 0)  # traced, so that it can hold traced values
    for k in range(m - n + 1):
        d = scale * _item(r, k)
        q.append(d)
        r[k:k + n + 1] = _item(r, slice(k, k + n + 1)) - d * v
    if q:
        from .shape import stack
        q = stack(q) if any(is_boxed(d) for d in q) else np.array(q)
    else:
        q = np.zeros(1, dtype=np.result_type(unbox_all(u), unbox_all(v)))
    while shape(r)[-1] > 1 and one_value(per_example(
            lambda rv: bool(np.allclose(rv[0], 0, rtol=1e-14)), r), "polydiv's remainder"):
        r = _item(r, slice(1, None))
    return q, r


def poly(seq_of_zeros):
    """numpy.poly: the coefficients of the monic polynomial with the given roots (of
    the eigenvalues of a square matrix), by numpy's repeated products with [1, -z];
    real when the roots come in conjugate pairs, as numpy decides it.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.jacobian(wnp.poly)(wnp.array([1.0, 2.0])) + 0.0  # x^2 - (r1 + r2) x + r1 r2
    array([[ 0.,  0.],
           [-1., -1.],
           [ 2.,  1.]])
    """
    if not _traced(seq_of_zeros):
        return np.poly(seq_of_zeros)
    from .complex import real
    z = _coeffs(seq_of_zeros) if isinstance(seq_of_zeros, (list, tuple)) else seq_of_zeros
    np.poly(example(z))  # numpy's checks
    sh = shape(z)
    if len(sh) == 2:
        from .decompositions import eigvals
        z = eigvals(z)
    elif len(sh) == 0:
        z = _reshape(z, newshape=(1,))
    n = shape(z)[0]
    if n == 0:
        return 1.0
    zv = np.asarray(example(z))
    a = np.ones((1,), dtype=zv.dtype)
    for i in range(n):
        # convolve(a, [1, -z_i]): a[j] - z_i a[j-1], the same two products and sum
        zi = _item(z, i)
        a = _concatenate(a, np.zeros(1, dtype=zv.dtype), axis=0) - \
            _concatenate(np.zeros(1, dtype=zv.dtype), a, axis=0) * zi
    if np.iscomplexobj(zv):  # real when every example's roots pair up
        paired = per_example(lambda r: np.all(np.sort(np.asarray(r, complex))
                                              == np.sort(np.asarray(r, complex).conj())), z)
        if np.all(unbox_all(paired)):
            a = real(a)
    return a


def roots(p):
    """numpy.roots: the eigenvalues of the companion matrix (numpy's construction and
    order), differentiable in the coefficients where the roots are distinct:
    ``dr = -dp(r) / p'(r)``. Leading and trailing zeros are stripped on the values
    (a trailing zero is a root at 0, a constant).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> r = wnp.roots(wnp.array([1.0, -3.0, 2.0]))
    >>> print(sorted(r.tolist()))
    [1.0, 2.0]
    """
    if not _traced(p):
        return np.roots(p)
    from .decompositions import eigvals
    p = _coeffs(p)
    if len(shape(p)) != 1:
        raise ValueError("Input must be a rank-1 array.")
    n = shape(p)[0]
    ends = per_example(lambda v: np.asarray(
        (np.flatnonzero(v)[[0, -1]] if np.any(v) else [n, n]), dtype=np.intp), p)
    first = one_value(_item(ends, 0), "roots' leading zeros")
    last = one_value(_item(ends, 1), "roots' trailing zeros")
    if first == n:
        return np.array([])
    trailing_zeros = n - last - 1
    p = _item(p, slice(int(first), int(last) + 1))
    dt = np.result_type(unbox_all(p))
    if dt.kind not in "fc":
        from .complex import astype
        p = astype(p, np.float64)
        dt = np.dtype(np.float64)
    N = shape(p)[0]
    if N > 1:
        first = -_item(p, slice(1, None)) / _item(p, 0)
        below = np.diag(np.ones((N - 2,), dt), -1)[1:]
        A = _concatenate(_reshape(first, newshape=(1, N - 1)), below, axis=0)
        r = eigvals(A)
    else:
        r = np.array([])
    if trailing_zeros:
        zeros = np.zeros(trailing_zeros, np.result_type(unbox_all(r)))
        r = _concatenate(r, zeros, axis=0) if is_boxed(r) else np.concatenate((r, zeros))
    return r


__all__ = ["poly", "polyadd", "polysub", "polymul", "polyder", "polyint", "polydiv",
           "roots"]
