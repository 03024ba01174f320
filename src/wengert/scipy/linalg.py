"""Differentiable ``scipy.linalg``, with scipy's names, signatures and defaults
(``cholesky`` returns the UPPER factor unless ``lower=True``, as scipy's does).

* scipy's own algorithms (need the ``scipy`` extra; primitives in
  ``wengert.rules.scipy_linalg``): solve_triangular, lu_factor, expm, sqrtm,
  solve_sylvester, solve_banded;
* composites over them: cho_solve, lu_solve, and solve / inv with
  ``assume_a='pos'`` or a triangular ``assume_a``;
* numpy alone (``wengert.numpy.linalg``'s primitives): cholesky, cho_factor, inv,
  det, block_diag, and solve with ``assume_a`` 'gen', 'sym', 'her', 'diagonal',
  'tridiagonal', 'banded'.

Every function differentiates in both modes and to any order: the rules are wengert
operations (see the rules modules). The symmetric readers (cholesky, cho_factor,
solve and inv with 'sym', 'her', 'pos') read one triangle, the upper unless
``lower=True``, as scipy does, and the derivative is that of this reading: the other
triangle's cotangent is zero. ``check_finite`` raises scipy's ValueError; the
``overwrite_*`` flags are accepted and ignored (results are always new arrays).
Traced lu_factor, lu_solve and solve_banded take one matrix (no batch axes; under
vmap, one per example).

>>> import numpy as np, wengert as wg, wengert.scipy.linalg as wsl
>>> a = np.array([[0.0, 1.0], [-1.0, 0.0]])
>>> print(np.round(wg.derivative(lambda t: wsl.expm(t * a))(0.0), 12))  # = a
[[ 0.  1.]
 [-1.  0.]]
"""

import operator

import numpy as np

from ..core.trace import is_boxed, unbox_all
from ..rules import decompositions as _dec
from ..rules import scipy_linalg as _sl
from ..rules._base import batch_traces, per_example, shape
from ..rules.arithmetic import add, divide, multiply
from ..rules.decompositions import LinAlgError, _diag_embed, _diag_part, _mT
from ..rules.indexing import _getitem
from ..rules.linalg import _matmul
from ..rules.shape import concatenate, expand_dims, reshape

__all__ = ["cholesky", "cho_factor", "cho_solve", "solve_triangular", "lu_factor",
           "lu_solve", "solve", "expm", "sqrtm", "solve_sylvester", "solve_banded",
           "block_diag", "inv", "det", "LinAlgError"]


# ---------------------------------------------------------------- checks

def _finite(check, *arrays):
    """scipy's check_finite: a ValueError for infs or NaNs."""
    if check:
        for x in arrays:
            v = unbox_all(x)
            if np.result_type(v).kind in "fc" and not np.all(np.isfinite(v)):
                raise ValueError("array must not contain infs or NaNs")


def _square(who, a):
    s = shape(a)
    if len(s) < 2 or s[-1] != s[-2]:
        raise ValueError(f"{who}: expected a square matrix (or a stack of them in the last "
                         f"two axes), got shape {s}")
    return s


def _single(who, a):
    """Traced LU and banded solves take one matrix."""
    if is_boxed(a) and len(shape(a)) != 2:
        raise ValueError(f"{who}: a traced input must be one 2-D matrix, got shape "
                         f"{shape(a)} (batches are scipy-only for plain arrays)")


def _asarray(x):
    """Lists and scalars as arrays; traced values as they are."""
    return x if is_boxed(x) else np.asarray(x)


def _float(x):
    """Integer input as float64, as scipy's LAPACK calls see it."""
    x = _asarray(x)
    if not is_boxed(x) and x.dtype.kind not in "fc":
        return x.astype(np.float64)
    return x


_TRANS = {0: 0, 1: 1, 2: 2, "N": 0, "T": 1, "C": 2, "n": 0, "t": 1, "c": 2}


def _trans(trans):
    try:
        return _TRANS[trans]
    except (KeyError, TypeError):
        raise ValueError(f"solve_triangular: trans must be 0, 1, 2, 'N', 'T' or 'C', got "
                         f"{trans!r}") from None


def _is_complex(x):
    return np.iscomplexobj(unbox_all(x))


def _tri(a, lower, k=0):
    """The triangle of ``a`` (on and below diagonal k when lower, on and above -k
    when upper), the rest zero."""
    n = shape(a)[-1]
    ones = np.ones((n, n))
    mask = np.tril(ones, -k) if lower else np.triu(ones, k)
    return multiply(a, mask)


def _mirror(a, lower, hermitian):
    """The symmetric (Hermitian) matrix one triangle of ``a`` stands for: the triangle
    read (lower or upper), mirrored across the diagonal, conjugated for 'her' (whose
    diagonal counts by its real part, as LAPACK reads it)."""
    if hermitian and _is_complex(a):
        return _dec._read_triangle(a, "L" if lower else "U")
    strict = _tri(a, lower, 1)
    return add(add(strict, _mT(strict)), _diag_embed(_diag_part(a)))


def _eye_like(a):
    n = shape(a)[-1]
    return np.eye(n, dtype=np.result_type(unbox_all(a), np.float64))


# ---------------------------------------------------------------- Cholesky

def cholesky(a, lower=False, overwrite_a=False, check_finite=True):
    """scipy.linalg.cholesky: the UPPER factor ``U`` with ``a = U^H U`` by default
    (``lower=True``: ``L`` with ``a = L L^H``). It reads that one triangle of ``a``.

    >>> import numpy as np, wengert.scipy.linalg as wsl
    >>> wsl.cholesky(np.array([[4.0, 2.0], [2.0, 5.0]]))
    array([[2., 1.],
           [0., 2.]])
    """
    a = _float(a)
    _finite(check_finite, a)
    _square("cholesky", a)
    return _dec.cholesky(a, upper=not lower)


def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    """scipy.linalg.cho_factor: ``(c, lower)``, the factor in one triangle of ``c``
    and, in the other, ``a``'s own entries (as scipy leaves them; cho_solve does not
    read them, so they carry no derivative into the solution)."""
    a = _float(a)
    _finite(check_finite, a)
    _square("cho_factor", a)
    factor = _dec.cholesky(a, upper=not lower)
    return add(factor, _tri(a, not lower, 1)), lower


def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    """scipy.linalg.cho_solve: ``x`` with ``A x = b``, A given by ``cho_factor``."""
    c, lower = c_and_lower
    c, b = _float(c), _float(b)
    _finite(check_finite, c, b)
    if lower:  # A = L L^H
        y = _sl.solve_triangular(c, b, trans=0, lower=True)
        return _sl.solve_triangular(c, y, trans=2, lower=True)
    y = _sl.solve_triangular(c, b, trans=2, lower=False)  # A = U^H U
    return _sl.solve_triangular(c, y, trans=0, lower=False)


# ---------------------------------------------------------------- triangular

def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     check_finite=True):
    """scipy.linalg.solve_triangular: ``x`` with ``op(a) x = b`` for the triangle of
    ``a`` (upper unless ``lower``), op given by ``trans`` (0/'N': a, 1/'T': a^T,
    2/'C': a^H); ``unit_diagonal`` takes the diagonal as ones (and does not read it).

    >>> import numpy as np, wengert as wg, wengert.scipy.linalg as wsl
    >>> a = np.array([[2.0, 1.0], [0.0, 4.0]])
    >>> wg.grad(lambda b: wsl.solve_triangular(a, b)[1])(np.ones(2))
    array([0.  , 0.25])
    """
    t = _trans(trans)
    a, b = _float(a), _float(b)
    _finite(check_finite, a, b)
    _square("solve_triangular", a)
    return _sl.solve_triangular(a, b, trans=t, lower=bool(lower),
                                unit_diagonal=bool(unit_diagonal))


# ---------------------------------------------------------------- LU

def lu_factor(a, overwrite_a=False, check_finite=True):
    """scipy.linalg.lu_factor: ``(lu, piv)``, the packed factors ``L - I + U`` and
    LAPACK's pivots. ``lu`` is differentiable (a traced ``a`` must be one square
    matrix); ``piv`` is an integer array."""
    a = _float(a)
    _finite(check_finite, a)
    if not is_boxed(a):
        return _sl.scipy_linalg("lu_factor").lu_factor(a, check_finite=False)
    _square("lu_factor", a)
    _single("lu_factor", a)
    factor = _sl.scipy_linalg("lu_factor").lu_factor
    if not batch_traces((a,)):
        lu, piv = factor(unbox_all(a), check_finite=False)
        return _sl.lu_factor(a, perm=_sl.pivots_to_perm(piv)), piv
    # under vmap each example has its own pivots: its rows are put in their order
    # first (a product with a permutation matrix, so the derivative follows), which
    # LAPACK then keeps, and the factor's row order is the identity for all of them
    def pivots(m):
        piv = factor(m, check_finite=False)[1]
        return piv, _permutation_matrix(_sl.pivots_to_perm(piv), m.dtype)
    piv, rows = per_example(pivots, a)
    return _sl.lu_factor(_matmul(rows, a), perm=tuple(range(shape(a)[-1]))), piv


def _permutation_matrix(perm, dtype):
    """P with (P @ a) == a[perm]."""
    p = np.zeros((len(perm), len(perm)), dtype=dtype)
    p[np.arange(len(perm)), perm] = 1
    return p


def _rows_in_order(x, piv, inverse=False):
    """x[perm] (``inverse``: x[argsort(perm)]) for the permutation of LAPACK's pivots
    ``piv``; a product with a permutation matrix when the pivots differ from example
    to example (under vmap)."""
    if not batch_traces((piv,)):
        perm = _sl.pivots_to_perm(np.asarray(piv))
        return _getitem(x, idx=np.argsort(perm) if inverse else perm)
    dtype = np.finfo(np.result_type(unbox_all(x), np.float32)).dtype
    rows = per_example(lambda p: _permutation_matrix(_sl.pivots_to_perm(p), dtype), piv)
    return _matmul(_mT(rows) if inverse else rows, x)


def lu_solve(lu_and_piv, b, trans=0, overwrite_b=False, check_finite=True):
    """scipy.linalg.lu_solve: ``x`` with ``op(A) x = b`` for A given by ``lu_factor``
    (``trans`` 0: A, 1: A^T, 2: A^H), differentiable in ``lu`` (so in the matrix it
    was factored from) and in ``b``.

    >>> import numpy as np, wengert as wg, wengert.scipy.linalg as wsl
    >>> a = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> g = wg.grad(lambda a: wsl.lu_solve(wsl.lu_factor(a), np.ones(2))[0])(a)
    >>> np.allclose(g, wg.grad(lambda a: np.linalg.solve(a, np.ones(2))[0])(a))
    True
    """
    lu, piv = lu_and_piv
    t = _trans(trans)
    lu, b = _float(lu), _float(b)
    _finite(check_finite, lu, b)
    if not is_boxed(lu) and not is_boxed(b):
        return _sl.scipy_linalg("lu_solve").lu_solve((lu, piv), b, trans=t,
                                                     check_finite=False)
    _single("lu_solve", lu)
    if t == 0:  # A[perm] = L U: x = U^-1 L^-1 b[perm]
        y = _sl.solve_triangular(lu, _rows_in_order(b, piv), trans=0, lower=True,
                                 unit_diagonal=True)
        return _sl.solve_triangular(lu, y, trans=0, lower=False)
    # op(A) = op(U) op(L) P: x = P^T op(L)^-1 op(U)^-1 b
    y = _sl.solve_triangular(lu, b, trans=t, lower=False)
    z = _sl.solve_triangular(lu, y, trans=t, lower=True, unit_diagonal=True)
    return _rows_in_order(z, piv, inverse=True)


# ---------------------------------------------------------------- solve, inv, det

_ASSUME = {None: "gen", "gen": "gen", "general": "gen", "sym": "sym", "symmetric": "sym",
           "her": "her", "hermitian": "her", "pos": "pos", "positive definite": "pos",
           "diagonal": "diagonal", "tridiagonal": "tridiagonal", "banded": "gen",
           "upper triangular": "upper", "lower triangular": "lower"}


def _assume(who, assume_a, allowed):
    kind = _ASSUME.get(assume_a) if isinstance(assume_a, (str, type(None))) else None
    if kind is None or kind not in allowed:
        names = sorted(k for k, v in _ASSUME.items() if k is not None and v in allowed)
        raise ValueError(f"{who}: assume_a={assume_a!r} is not one of {names}")
    return kind


def _col_div(b, d):
    """b / d with d the diagonal: a vector b divides elementwise, a matrix by rows."""
    return divide(b, d if len(shape(b)) == 1 else expand_dims(d, -1))


def solve(a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True,
          assume_a=None, transposed=False):
    """scipy.linalg.solve: ``x`` with ``a @ x == b`` (``transposed``: ``a.T @ x == b``).
    ``assume_a`` picks the structure read from ``a``: 'gen' (also None and
    'banded', which read all of ``a``), 'sym', 'her', 'pos' (one triangle, the upper
    unless ``lower``), 'diagonal', 'tridiagonal', 'upper triangular', 'lower
    triangular'. The derivative is that of what was read.

    >>> import numpy as np, wengert as wg, wengert.scipy.linalg as wsl
    >>> a = np.array([[2.0, 1.0], [99.0, 2.0]])  # 'sym' reads the upper triangle
    >>> wsl.solve(a, np.array([3.0, 3.0]), assume_a="sym")
    array([1., 1.])
    """
    kind = _assume("solve", assume_a, set(_ASSUME.values()))
    a, b = _float(a), _float(b)
    _finite(check_finite, a, b)
    _square("solve", a)
    if transposed and _is_complex(a):
        raise NotImplementedError("solve: transposed=True is not supported for complex a "
                                  "(as in scipy)")
    if kind == "upper" or kind == "lower":
        return _sl.solve_triangular(a, b, trans=1 if transposed else 0,
                                    lower=kind == "lower")
    if kind == "diagonal":
        return _col_div(b, _diag_part(a))
    if kind == "pos":
        return cho_solve(cho_factor(a, lower=lower, check_finite=False), b,
                         check_finite=False)
    if kind in ("sym", "her"):
        a = _mirror(a, lower, kind == "her")
    elif kind == "tridiagonal":
        n = shape(a)[-1]
        a = multiply(a, np.tril(np.triu(np.ones((n, n)), -1), 1))
    if transposed:
        a = _mT(a)
    return _dec.solve(a, b)


def inv(a, overwrite_a=False, check_finite=True, *, assume_a=None, lower=False):
    """scipy.linalg.inv: numpy's inverse, with scipy's ``assume_a`` (None, 'general',
    'diagonal', 'upper triangular', 'lower triangular', 'pos', 'sym', 'her'; the
    last three read one triangle, the upper unless ``lower``)."""
    kind = _assume("inv", assume_a, {"gen", "diagonal", "upper", "lower", "pos", "sym",
                                     "her"})
    a = _float(a)
    _finite(check_finite, a)
    _square("inv", a)
    if kind == "diagonal":
        return _diag_embed(divide(1.0, _diag_part(a)))
    if kind in ("upper", "lower"):
        return _sl.solve_triangular(a, _eye_like(a), trans=0, lower=kind == "lower")
    if kind == "pos":
        return cho_solve(cho_factor(a, lower=lower, check_finite=False), _eye_like(a),
                         check_finite=False)
    if kind in ("sym", "her"):
        a = _mirror(a, lower, kind == "her")
    return _dec.inv(a)


def det(a, overwrite_a=False, check_finite=True):
    """scipy.linalg.det: numpy's determinant."""
    a = _float(a)
    _finite(check_finite, a)
    _square("det", a)
    return _dec.det(a)


# ---------------------------------------------------------------- matrix functions

def expm(A):
    """scipy.linalg.expm, the matrix exponential (of each matrix in a stack). Its
    derivative is the Frechet derivative, from expm of the block matrix
    [[A, E], [0, A]] (the JVP; the VJP is its transpose).

    >>> import numpy as np, wengert as wg, wengert.scipy.linalg as wsl
    >>> print(round(float(wg.grad(lambda t: wsl.expm(t * np.eye(2))[0, 0])(1.0)), 10))
    2.7182818285
    """
    A = _float(A)
    _square("expm", A)
    return _sl.expm(A)


def sqrtm(A):
    """scipy.linalg.sqrtm, the principal matrix square root (complex where scipy's
    is); its derivative solves the Sylvester equation X dX + dX X = dA."""
    A = _float(A)
    _square("sqrtm", A)
    return _sl.sqrtm(A)


def solve_sylvester(a, b, q):
    """scipy.linalg.solve_sylvester: ``X`` with ``a @ X + X @ b == q``."""
    a, b, q = _float(a), _float(b), _float(q)
    _square("solve_sylvester", a)
    _square("solve_sylvester", b)
    return _sl.solve_sylvester(a, b, q)


def solve_banded(l_and_u, ab, b, overwrite_ab=False, overwrite_b=False, check_finite=True):
    """scipy.linalg.solve_banded: ``x`` with ``A x = b`` for A with ``l`` bands below
    the diagonal and ``u`` above, held as ``ab[u + i - j, j] == A[i, j]``. Only the
    band's places in ``ab`` are read (and differentiated)."""
    lo, up = (operator.index(v) for v in l_and_u)
    ab, b = _float(ab), _float(b)
    _finite(check_finite, ab, b)
    if shape(ab)[0] != lo + up + 1:
        raise ValueError(f"solve_banded: invalid values for the number of lower and upper "
                         f"diagonals: l+u+1 ({lo + up + 1}) does not equal ab.shape[0] "
                         f"({shape(ab)[0]})")
    if is_boxed(ab) or is_boxed(b):
        _single("solve_banded", ab)
        if len(shape(b)) not in (1, 2):
            raise ValueError(f"solve_banded: a traced b must be a vector or a matrix, got "
                             f"shape {shape(b)}")
    return _sl.solve_banded(lo, up, ab, b)


def block_diag(*arrs):
    """scipy.linalg.block_diag: the arrays (0-d and 1-d ones as rows) on the diagonal
    of a matrix of zeros.

    >>> import wengert.scipy.linalg as wsl
    >>> wsl.block_diag([1.0, 2.0], 3.0)
    array([[1., 2., 0.],
           [0., 0., 3.]])
    """
    if not arrs:
        return np.zeros((1, 0))
    blocks = []
    for k, x in enumerate(arrs):
        x = _asarray(x)
        s = shape(x)
        if len(s) > 2:
            raise ValueError(f"block_diag: arguments must have 2 or fewer dimensions, "
                             f"argument {k} has shape {s}")
        blocks.append(x if len(s) == 2 else reshape(x, (1, -1)))
    dtype = np.result_type(*(unbox_all(x) for x in blocks))
    cols = [shape(x)[1] for x in blocks]
    total, rows, left = sum(cols), [], 0
    for x, c in zip(blocks, cols):
        r = shape(x)[0]
        parts = [np.zeros((r, left), dtype), x, np.zeros((r, total - left - c), dtype)]
        rows.append(concatenate(parts, axis=1))
        left += c
    return concatenate(rows, axis=0)

