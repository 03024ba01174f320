"""numpy.linalg: inverses, solves, determinants and decompositions over the last two
axes, with numpy's batching over the axes before them.

Primitives: inv, solve, det, slogdet (its log|det| part; for complex input the
complex log det), cholesky, eigh, eigvalsh, eig, eigvals, svd, svdvals and qr. The
core records one output per primitive, so eigh, eig, svd and qr pack their factors
into one array (eigh: the row w on top of V, (..., n+1, n)) and the public functions
hand back slices of it; each rule splits the packed cotangent or builds the packed
tangent. Composites: matrix_power, norm, pinv, lstsq (through qr), cond, the array
API's matrix_norm and vector_norm, tensorsolve and tensorinv; matrix_rank is a
count, plain on traced values too.

Every rule is written with wengert operations (matmul, swapaxes, solve, inv, ...),
so it differentiates again. The symmetric solvers (cholesky, eigh, eigvalsh) are
differentiated as numpy computes them: from one triangle of A (UPLO, lower by
default), mirrored, S = tril(A) + tril(A, -1)^T. A tangent is read the same way and a
cotangent comes back in that triangle (zero across it), so on a non-symmetric input
the derivative is that of numpy's function. Where eigenvalues (or singular values)
repeat, the vectors' terms divide by a zero gap; the rules make that 0/0 a 0 (see
_ratio), so functions of the values alone differentiate there.

Complex inputs follow HIPS autograd's convention: a VJP is the plain transpose of the
JVP under the pairing sum(re(u * t)). inv, solve, det and slogdet (as the complex
log det) are holomorphic. The Hermitian readers mirror their triangle with a
conjugate and read the diagonal's real part, as LAPACK does. Complex eigenvectors and
singular vectors carry an arbitrary phase per column: the rules hold diag(V^H dV) = 0,
so differentiate functions that do not depend on the phase (|v|^2, V diag(w) V^H).
"""

import operator
from collections import namedtuple

import numpy as np

from ..core.primitive import Primitive
from ..core.trace import is_boxed, unbox_all
from ._base import (batch_traces, example, float_dtype, normalize_axis, per_example, shape,
                    to_front, unbroadcast)
from .arithmetic import add, divide, multiply, power, subtract
from .complex import conj, imag, real
from .elementwise import absolute, exp, negative, sqrt
from .indexing import _getitem, _where
from .linalg import _matmul
from .reductions import max as _max
from .reductions import min as _min
from .reductions import sum as _sum
from .shape import (concatenate, expand_dims, moveaxis, reshape, squeeze, swapaxes,
                    transpose)

LinAlgError = np.linalg.LinAlgError

# numpy's result types, rebuilt so a traced call returns the same fields
EighResult = namedtuple("EighResult", ["eigenvalues", "eigenvectors"])
EigResult = namedtuple("EigResult", ["eigenvalues", "eigenvectors"])
SlogdetResult = namedtuple("SlogdetResult", ["sign", "logabsdet"])
SVDResult = namedtuple("SVDResult", ["U", "S", "Vh"])
QRResult = namedtuple("QRResult", ["Q", "R"])


# ---------------------------------------------------------------- helpers

def _mT(x):
    """Swap the last two axes (the matrix transpose of a stack of matrices)."""
    return swapaxes(x, -1, -2)


def _mH(x):
    """The conjugate transpose of a stack of matrices (the transpose for real x)."""
    return conj(_mT(x)) if _is_complex(x) else _mT(x)


def _conj(x):
    """conj(x), skipped for real x."""
    return conj(x) if _is_complex(x) else x


def _real(x):
    """real(x), skipped for real x."""
    return real(x) if _is_complex(x) else x


def _complex_like(x, like):
    """x (real) in ``like``'s complex type when ``like`` is complex: a real factor
    (eigenvalues, singular values) packed with complex vectors."""
    if not _is_complex(like) or _is_complex(x):
        return x
    return multiply(x, np.ones((), dtype=float_dtype(like)))


def _eye(n, like):
    return np.eye(n, dtype=float_dtype(like))


def _diag_part(x):
    """The diagonals of a stack of square matrices, (..., n, n) -> (..., n)."""
    r = np.arange(shape(x)[-1])
    return _getitem(x, idx=(Ellipsis, r, r))


def _diag_embed(v):
    """Diagonal matrices from a stack of vectors, (..., n) -> (..., n, n)."""
    return multiply(expand_dims(v, -1), _eye(shape(v)[-1], v))


def _rows(p, start, stop):
    """Rows start:stop of a packed result (one factor)."""
    return _getitem(p, idx=(Ellipsis, slice(start, stop), slice(None)))


def _row(p, i):
    return _getitem(p, idx=(Ellipsis, i, slice(None)))


def _as_matrix(x):
    """``x`` with two trailing unit axes (a scalar per matrix, ready to broadcast)."""
    return reshape(x, shape(x) + (1, 1))


def _tr_prod(x, y):
    """tr(x^T y) over the last two axes: sum of x * y."""
    return _sum(multiply(x, y), axis=(-2, -1))


def _ratio(num, den):
    """num / den elementwise, except where den is exactly 0 and num is 0 too: there
    the quotient is 0, not 0/0 = nan. A factor whose numerator does not move (the
    cotangent of an eigenvector nobody uses, say) then contributes nothing, while
    num / 0 with num nonzero keeps its inf or nan (that derivative does not exist).
    Both branches are wheres, so the result differentiates again without a 0 * inf
    from the branch not taken."""
    if not np.any(unbox_all(den) == 0):
        return divide(num, den)

    def masks(nv, dv):
        zero = np.broadcast_to(dv == 0, np.broadcast_shapes(np.shape(nv), np.shape(dv)))
        with np.errstate(divide="ignore", invalid="ignore"):
            return zero, np.where(nv == 0, 0.0, nv / 0.0)  # inf, or nan
    # per example: under vmap the masks are batched as num and den are
    zero, undefined = per_example(masks, num, den, aligned=True)
    return _where(zero, undefined, divide(num, _where(zero, 1.0, den)))


def _over_gaps(m, d):
    """F o M with F_ij = 1 / d_ij off the diagonal and 0 on it: with d_ij = w_j - w_i
    the factor of the eigenvector (and singular vector) rules. Where two values are
    equal the entry is m_ij / 0: 0 when m_ij is 0 (so a derivative that needs no
    vectors stays finite at repeated values), inf or nan otherwise."""
    n = shape(d)[-1]
    eye = _eye(n, d)
    return _ratio(multiply(m, 1.0 - eye), add(d, eye))


def _vectors_matmul(x, f):
    """x @ f for f from _over_gaps: where f holds the inf of a derivative that does
    not exist, numpy's warning about the inf - inf in the product is not raised (the
    nan it leaves is the answer, and a caller that wants the values alone discards
    it)."""
    with np.errstate(invalid="ignore"):
        return _matmul(x, f)


def _read_triangle(t, uplo):
    """The matrix numpy's eigh, eigvalsh and cholesky see in a tangent ``t``: the
    triangle ``uplo`` ('L' or 'U') mirrored, S = tril(t) + tril(t, -1)^H for 'L' (a
    complex diagonal counts by its real part, as LAPACK reads it)."""
    n = shape(t)[-1]
    strict = _strict_mask(n, t, uplo)
    part = multiply(t, strict)
    mirrored = _mT(conj(part) if _is_complex(t) else part)
    return add(add(part, mirrored), _diag_embed(_real_diag(t)))


def _triangle_adjoint(x, uplo):
    """The adjoint (under the pairing sum(re(u * t))) of ``_read_triangle``: the
    triangle ``uplo`` of x + x^H off the diagonal, re(x) on it, 0 across."""
    n = shape(x)[-1]
    strict = _strict_mask(n, x, uplo)
    both = add(x, conj(_mT(x)) if _is_complex(x) else _mT(x))
    return add(multiply(both, strict), _diag_embed(_real_diag(x)))


def _strict_mask(n, like, uplo):
    ones = np.ones((n, n), dtype=np.finfo(float_dtype(like)).dtype)
    return np.tril(ones, -1) if uplo == "L" else np.triu(ones, 1)


def _is_complex(x):
    return np.iscomplexobj(unbox_all(x))


def _real_diag(x):
    d = _diag_part(x)
    return real(d) if _is_complex(d) else d


def _lapack(who, fn):
    """numpy's function, its LinAlgError naming ``who`` and the input's shape."""
    def impl(a, *rest, **params):
        try:
            return fn(a, *rest, **params)
        except LinAlgError as e:
            raise LinAlgError(f"{who}: {e} (input of shape {np.shape(a)})") from None
    impl.__name__ = who
    return impl


def _square(who, a):
    s = shape(a)
    if len(s) < 2 or s[-1] != s[-2]:
        raise LinAlgError(f"{who}: needs a square matrix or a stack of them in the last "
                          f"two axes, got shape {s}")
    return s


def _matrix(who, a):
    s = shape(a)
    if len(s) < 2:
        raise LinAlgError(f"{who}: needs at least 2 dimensions, got shape {s}")
    return s


# ---------------------------------------------------------------- inv

# d(A^-1) = -A^-1 dA A^-1, so the VJP is -A^-T g A^-T.
_inv = Primitive(
    "inv", _lapack("inv", np.linalg.inv),
    jvps=(lambda t, ans, a: negative(_matmul(_matmul(ans, t), ans)),),
    vjps=(lambda g, ans, a: negative(_matmul(_matmul(_mT(ans), g), _mT(ans))),),
    doc="numpy.linalg.inv as a primitive.")


def inv(a):
    """numpy.linalg.inv: the inverse of a square matrix (or of each in a stack).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda a: wnp.sum(wnp.linalg.inv(a)))(wnp.array([[2.0, 0.0], [0.0, 4.0]]))
    array([[-0.25  , -0.125 ],
           [-0.125 , -0.0625]])
    """
    _square("inv", a)
    return _inv(a)


# ---------------------------------------------------------------- solve

# x = solve(a, b) with numpy 2's reading of b: a vector when b is 1-D, else a stack of
# matrices (..., M, K) whose batch axes broadcast against a's. In the rules a vector
# b is made a column, so one formula serves both:
#   dx = solve(a, db - da x),   b_bar = solve(a^T, g),   a_bar = -b_bar x^T,
# each cotangent summed over the batch axes its input was broadcast along (and its real
# part taken for a real input solved with a complex one).

def _col(v, b):
    return expand_dims(v, -1) if len(shape(b)) == 1 else v


def _uncol(v, b):
    return squeeze(v, -1) if len(shape(b)) == 1 else v


def _solve_impl(a, b):
    try:
        return np.linalg.solve(a, b)
    except LinAlgError as e:
        raise LinAlgError(f"solve: {e} (a of shape {np.shape(a)})") from None


def _solve_vjp_b(g, ans, a, b):
    return unbroadcast(_uncol(_solve(_mT(a), _col(g, b)), b), b)


def _solve_vjp_a(g, ans, a, b):
    b_bar = _solve(_mT(a), _col(g, b))
    return unbroadcast(negative(_matmul(b_bar, _mT(_col(ans, b)))), a)


_solve = Primitive(
    "solve", _solve_impl,
    jvps=(lambda t, ans, a, b: negative(_uncol(_solve(a, _matmul(t, _col(ans, b))), b)),
          lambda t, ans, a, b: _solve(a, t)),
    vjps=(_solve_vjp_a, _solve_vjp_b),
    doc="numpy.linalg.solve as a primitive.")


def solve(a, b):
    """numpy.linalg.solve: ``x`` with ``a @ x == b``; ``b`` is a vector (1-D) or a
    stack of matrices (..., M, K), its batch axes broadcasting against ``a``'s.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> a = wnp.array([[2.0, 0.0], [0.0, 4.0]])
    >>> wg.grad(lambda b: wnp.sum(wnp.linalg.solve(a, b)))(wnp.array([1.0, 1.0]))
    array([0.5 , 0.25])
    """
    sa, sb = _square("solve", a), shape(b)
    col = sb[-1:] if len(sb) == 1 else sb[-2:-1]
    if not col or col[0] != sa[-1]:
        raise ValueError(f"solve: b of shape {sb} does not match a of shape {sa} (b "
                         f"needs {sa[-1]} rows: shape ({sa[-1]},) or (..., {sa[-1]}, K))")
    return _solve(a, b)


# ---------------------------------------------------------------- det, slogdet

# d det(A) = det(A) tr(A^-1 dA): the VJP is g * det(A) * inv(A)^T.
_det = Primitive(
    "det", _lapack("det", np.linalg.det),
    jvps=(lambda t, ans, a: multiply(ans, _tr_prod(_mT(_inv(a)), t)),),
    vjps=(lambda g, ans, a: multiply(_as_matrix(multiply(g, ans)), _mT(_inv(a))),),
    doc="numpy.linalg.det as a primitive.")


def det(a):
    """numpy.linalg.det. Its derivative needs an invertible matrix (it is
    det(A) inv(A)^T).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(wnp.linalg.det)(wnp.array([[2.0, 1.0], [1.0, 3.0]]))
    array([[ 3., -1.],
           [-1.,  2.]])
    """
    _square("det", a)
    return _det(a)


def _slogdet_impl(a):
    sign, logabsdet = np.linalg.slogdet(a)
    if np.iscomplexobj(sign):
        with np.errstate(divide="ignore"):
            return logabsdet + np.log(sign)
    return logabsdet


# For a real matrix log|det A|, for a complex one the (holomorphic) log det A =
# log|det A| + i arg(det A). Either way d = tr(A^-1 dA), and the VJP is g inv(A)^T.
_slogdet = Primitive(
    "slogdet", _lapack("slogdet", _slogdet_impl),
    jvps=(lambda t, ans, a: _tr_prod(_mT(_inv(a)), t),),
    vjps=(lambda g, ans, a: multiply(_as_matrix(g), _mT(_inv(a))),),
    doc="log|det(a)| for real a, log det(a) (its real part log|det(a)|, its imaginary "
        "part the sign's angle) for complex a: the differentiable part of "
        "numpy.linalg.slogdet, as a primitive.")


def slogdet(a):
    """numpy.linalg.slogdet: ``(sign, logabsdet)``. For a real matrix the sign is
    piecewise constant and comes back as a plain array; for a complex one it is
    exp(i arg det) and differentiable too. logabsdet is differentiable.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda a: wnp.linalg.slogdet(a)[1])(wnp.array([[2.0, 0.0], [0.0, 4.0]]))
    array([[0.5 , 0.  ],
           [0.  , 0.25]])
    """
    _square("slogdet", a)
    if not is_boxed(a):
        return np.linalg.slogdet(a)
    logdet = _slogdet(a)
    if _is_complex(a):
        return SlogdetResult(exp(multiply(1j, imag(logdet))), real(logdet))
    sign = per_example(lambda m: np.linalg.slogdet(m)[0], a, aligned=True)
    return SlogdetResult(sign, logdet)


# ---------------------------------------------------------------- cholesky

def _phi_mask(n, like):
    """Phi as a mask: the lower triangle with the diagonal halved."""
    return np.tril(np.ones((n, n), dtype=float_dtype(like))) - 0.5 * _eye(n, like)


def _cholesky_jvp(t, ans, a):
    # S = L L^H gives dL = L Phi(L^-1 dS L^-H), dS the lower triangle of dA mirrored
    n = shape(a)[-1]
    left = _solve(ans, _read_triangle(t, "L"))         # L^-1 dS
    inner = _mH(_solve(ans, _mH(left)))                # L^-1 dS L^-H
    return _matmul(ans, multiply(inner, _phi_mask(n, ans)))


def _cholesky_vjp(g, ans, a):
    # the transpose of the map above: S_bar = L^-T Phi(L^T L_bar) conj(L)^-1, read
    # back into the lower triangle (S_bar + S_bar^H below the diagonal)
    n = shape(a)[-1]
    phi = multiply(_matmul(_mT(ans), g), _phi_mask(n, ans))
    left = _solve(_mT(ans), phi)                       # L^-T Phi
    return _triangle_adjoint(_mT(_solve(_mH(ans), _mT(left))), "L")


_cholesky = Primitive(
    "cholesky", _lapack("cholesky", np.linalg.cholesky),
    jvps=(_cholesky_jvp,), vjps=(_cholesky_vjp,),
    doc="numpy.linalg.cholesky (lower factor) as a primitive.")


def cholesky(a, /, *, upper=False):
    """numpy.linalg.cholesky: ``L`` lower triangular with ``a = L @ L.T`` (``upper``:
    the upper factor ``U`` with ``a = U.T @ U``). Like numpy it reads one triangle of
    ``a``, the lower one (``upper``: the upper one), as the symmetric matrix it
    stands for, and the derivative is that of this reading: zero across the diagonal
    and, off it, the sum of both entries' sensitivities.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda a: wnp.linalg.cholesky(a)[0, 0])(wnp.array([[4.0, 0.0], [0.0, 1.0]]))
    array([[0.25, 0.  ],
           [0.  , 0.  ]])
    """
    _square("cholesky", a)
    if upper:  # numpy reads the upper triangle: U = cholesky(a^H)^H
        return _mH(_cholesky(_mH(a)))
    return _cholesky(a)


# ---------------------------------------------------------------- eigh

_np_eigh = _lapack("eigh", np.linalg.eigh)


def _eigh_impl(a, *, UPLO="L"):
    w, v = _np_eigh(a, UPLO)
    return np.concatenate([w[..., None, :], v], axis=-2)


def _eigh_split(p):
    """w (real) and V from a packed result (or the real part of w's cotangent)."""
    return _real(_row(p, 0)), _rows(p, 1, None)


def _gaps(w):
    """d_ij = w_j - w_i."""
    return subtract(expand_dims(w, -2), expand_dims(w, -1))


def _eigh_jvp(t, ans, a, *, UPLO="L"):
    # S = V diag(w) V^H, S the triangle UPLO of A mirrored: with M = V^H dS V,
    # dw = re diag(M) and dV = V (F o M), F_ij = 1 / (w_j - w_i) off the diagonal
    # (for complex V the phase of each column is held: diag(V^H dV) = 0)
    w, v = _eigh_split(ans)
    m = _matmul(_mH(v), _matmul(_read_triangle(t, UPLO), v))
    dv = _vectors_matmul(v, _over_gaps(m, _gaps(w)))
    dw = _complex_like(_real_diag(m), dv)
    return concatenate([expand_dims(dw, -2), dv], axis=-2)


def _eigh_vjp(g, ans, a, *, UPLO="L"):
    # S_bar = conj(V) (diag(w_bar) + F o (V^T V_bar)) V^T, read back into the triangle
    w, v = _eigh_split(ans)
    w_bar, v_bar = _eigh_split(g)
    inner = add(_diag_embed(w_bar), _over_gaps(_matmul(_mT(v), v_bar), _gaps(w)))
    return _triangle_adjoint(_matmul(_conj(v), _matmul(inner, _mT(v))), UPLO)


_eigh = Primitive(
    "eigh", _eigh_impl, jvps=(_eigh_jvp,), vjps=(_eigh_vjp,),
    doc="numpy.linalg.eigh as a primitive with one packed output: the eigenvalues "
        "as the first row, the eigenvectors below, shape (..., n + 1, n).")


def eigh(a, UPLO="L"):
    """numpy.linalg.eigh: eigenvalues ``w`` (ascending) and eigenvectors ``v`` of a
    symmetric matrix, ``a = v @ diag(w) @ v.T``. Like numpy it reads the triangle
    ``UPLO`` of ``a`` ('L', lower, or 'U') as the symmetric matrix it stands for, and
    the derivative is that of this reading (zero across the diagonal). The
    eigenvectors have no derivative where eigenvalues repeat (the rule divides by
    w_j - w_i and gives inf or nan there), but a function of the eigenvalues alone
    differentiates there too: where an eigenvector's cotangent is zero the rule adds
    nothing. Each eigenvector's sign is arbitrary, so differentiate functions that
    do not depend on it (``v @ diag(w) @ v.T``, ``v**2``).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> f = lambda a: wnp.sum(wnp.linalg.eigh(a)[0] ** 2)
    >>> wg.grad(f)(wnp.array([[2.0, 0.0], [0.0, 3.0]]))
    array([[4., 0.],
           [0., 6.]])
    """
    _square("eigh", a)
    if UPLO not in ("L", "U"):
        raise ValueError(f"eigh: UPLO must be 'L' or 'U', got {UPLO!r}")
    if not is_boxed(a):
        return np.linalg.eigh(a, UPLO)
    w, v = _eigh_split(_eigh(a, UPLO=UPLO))
    return EighResult(w, v)


def _eigvalsh_vjp(g, ans, a, *, UPLO="L"):
    # dw_i = v_i^H dS v_i, so S_bar = conj(V) diag(w_bar) V^T, read back into the
    # triangle
    v = eigh(a, UPLO)[1]
    s_bar = _matmul(multiply(_conj(v), expand_dims(_real(g), -2)), _mT(v))
    return _triangle_adjoint(s_bar, UPLO)


def _eigvalsh_jvp(t, ans, a, *, UPLO="L"):
    v = eigh(a, UPLO)[1]
    return _real(_sum(multiply(_conj(v), _matmul(_read_triangle(t, UPLO), v)), axis=-2))


_eigvalsh = Primitive(
    "eigvalsh", _lapack("eigvalsh", np.linalg.eigvalsh),
    jvps=(_eigvalsh_jvp,), vjps=(_eigvalsh_vjp,),
    doc="numpy.linalg.eigvalsh as a primitive.")


def eigvalsh(a, UPLO="L"):
    """numpy.linalg.eigvalsh: the eigenvalues of a symmetric matrix, ascending, read
    from the triangle ``UPLO`` of ``a`` as numpy does (see ``eigh``). Its rules use
    the eigenvectors but not their derivative, so the first derivative exists at
    repeated eigenvalues too (a second one goes through eigh's rule).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda a: wnp.sum(wnp.linalg.eigvalsh(a)))(wnp.eye(2))
    array([[1., 0.],
           [0., 1.]])
    """
    _square("eigvalsh", a)
    if UPLO not in ("L", "U"):
        raise ValueError(f"eigvalsh: UPLO must be 'L' or 'U', got {UPLO!r}")
    return _eigvalsh(a, UPLO=UPLO)


# ---------------------------------------------------------------- eig, eigvals

_np_eig = _lapack("eig", np.linalg.eig)


def _eig_impl(a):
    w, v = _np_eig(a)
    return np.concatenate([w[..., None, :], v], axis=-2)


def _eig_split(p):
    """w and V from a packed result (or its cotangent)."""
    return _row(p, 0), _rows(p, 1, None)


def _unit_columns(v, dv0):
    """dv0 less each column's component along the unit column of v: dv_k = dv0_k -
    v_k (v_k^H dv0_k), so v_k^H dv_k = 0 (the norm kept, the arbitrary phase held)."""
    along = _sum(multiply(_conj(v), dv0), axis=-2)
    return subtract(dv0, multiply(v, expand_dims(along, -2)))


def _unit_columns_adjoint(v, g):
    """The plain transpose of _unit_columns(v, .)."""
    along = _sum(multiply(g, v), axis=-2)
    return subtract(g, multiply(_conj(v), expand_dims(along, -2)))


def _eig_jvp(t, ans, a):
    # A V = V diag(w): with P = V^-1 dA V, dw = diag(P) and dV = V (F o P) (F_ij =
    # 1 / (w_j - w_i) off the diagonal), each column then kept at unit norm
    w, v = _eig_split(ans)
    p = _solve(v, _matmul(t, v))
    with np.errstate(invalid="ignore"):  # the vectors' inf where eigenvalues repeat
        dv = _unit_columns(v, _vectors_matmul(v, _over_gaps(p, _gaps(w))))
    return concatenate([expand_dims(_diag_part(p), -2), dv], axis=-2)


def _eig_vjp(g, ans, a):
    # the transpose: A_bar = V^-T (diag(w_bar) + F o (V^T N^T(V_bar))) V^T, N the
    # unit-norm step; a real A takes its real part
    w, v = _eig_split(ans)
    w_bar, v_bar = _eig_split(g)
    c_bar = _matmul(_mT(v), _unit_columns_adjoint(v, v_bar))
    p_bar = add(_diag_embed(w_bar), _over_gaps(c_bar, _gaps(w)))
    return unbroadcast(_solve(_mT(v), _matmul(p_bar, _mT(v))), a)


_eig = Primitive(
    "eig", _eig_impl, jvps=(_eig_jvp,), vjps=(_eig_vjp,),
    doc="numpy.linalg.eig as a primitive with one packed output: the eigenvalues as "
        "the first row, the eigenvectors below, shape (..., n + 1, n).")


def eig(a):
    """numpy.linalg.eig: eigenvalues ``w`` and right eigenvectors ``v`` (columns of
    unit 2-norm) of a general square matrix, ``a @ v = v * w``. As numpy, a real
    matrix gives real results when every eigenvalue is real and complex ones
    otherwise; the derivative of a real input is real (HIPS autograd's convention).
    Each eigenvector's phase (its sign, for a real one) is LAPACK's choice: the rules
    hold v_k^H dv_k = 0, so differentiate functions that do not depend on it (|v|^2,
    v diag(w) inv(v)). Where eigenvalues repeat the vectors have no derivative (inf
    or nan), but a function of the eigenvalues alone differentiates there too.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> f = lambda a: wnp.sum(wnp.real(wnp.linalg.eig(a)[0]) ** 2)
    >>> wg.grad(f)(wnp.array([[2.0, 1.0], [0.0, 3.0]]))
    array([[4., 0.],
           [2., 6.]])
    """
    _square("eig", a)
    if not is_boxed(a):
        return np.linalg.eig(a)
    w, v = _eig_split(_eig(a))
    return EigResult(w, v)


def _eigvals_vectors(a, ans):
    """eig(a)'s eigenvectors with their columns in the order of the eigenvalues
    ``ans`` (numpy's eigvals and eig agree on it; matched, should LAPACK not)."""
    w, v = eig(a)
    wv, av = unbox_all(w), unbox_all(ans)
    if np.array_equal(wv, av):
        return v
    if batch_traces((w, ans)):  # each example's order: a permutation matrix
        def columns(wv, av):
            order = np.argmin(np.abs(wv[..., None, :] - av[..., :, None]), axis=-1)
            n = order.shape[-1]
            return (order[..., None, :] == np.arange(n)[:, None]).astype(wv.real.dtype)
        return _matmul(v, per_example(columns, w, ans, aligned=True))
    order = np.argmin(np.abs(wv[..., None, :] - av[..., :, None]), axis=-1)
    batch = np.indices(order.shape[:-1], sparse=True)
    idx = tuple(i[..., None, None] for i in batch) + (np.arange(shape(v)[-2])[:, None],
                                                      order[..., None, :])
    return _getitem(v, idx=idx)


def _eigvals_jvp(t, ans, a):
    v = _eigvals_vectors(a, ans)
    return _diag_part(_solve(v, _matmul(t, v)))


def _eigvals_vjp(g, ans, a):
    # dw_k = (V^-1 dA V)_kk, so A_bar = V^-T diag(w_bar) V^T
    v = _eigvals_vectors(a, ans)
    return unbroadcast(_solve(_mT(v), multiply(expand_dims(g, -1), _mT(v))), a)


_eigvals = Primitive(
    "eigvals", _lapack("eigvals", np.linalg.eigvals),
    jvps=(_eigvals_jvp,), vjps=(_eigvals_vjp,),
    doc="numpy.linalg.eigvals as a primitive.")


def eigvals(a):
    """numpy.linalg.eigvals: the eigenvalues of a general square matrix (complex
    unless all are real, for a real one). Its rules use the eigenvectors but not
    their derivative, so the first derivative exists at repeated (non-defective)
    eigenvalues too; the derivative of a real input is real.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> f = lambda a: wnp.sum(wnp.linalg.eigvals(a) ** 2)  # the trace of a @ a
    >>> wg.grad(f)(wnp.array([[2.0, 1.0], [0.0, 3.0]]))
    array([[4., 0.],
           [2., 6.]])
    """
    _square("eigvals", a)
    return _eigvals(a)


# ---------------------------------------------------------------- svd

_np_svd = _lapack("svd", np.linalg.svd)


def _svd_impl(a):
    u, s, vh = _np_svd(a, full_matrices=False)
    return np.concatenate([u, s[..., None, :], np.conj(np.swapaxes(vh, -1, -2))], axis=-2)


def _svd_split(p, a):
    """U (..., m, k), s (..., k, real) and V = Vh^H (..., n, k) from the packed
    result (or the cotangents, s's real part)."""
    m = shape(a)[-2]
    return _rows(p, 0, m), _real(_row(p, m)), _rows(p, m + 1, None)


def _svd_gaps(s):
    # d_ij = s_j^2 - s_i^2, divided into the singular vectors' terms by _over_gaps
    return _gaps(multiply(s, s))


def _svd_jvp(t, ans, a):
    # A = U S V^H (k = min(m, n) columns). With dP = U^H dA V:
    #   ds = re diag(dP)
    #   dU = U (F o (dP S + S dP^H) + i im(diag(dP)) S^-1) + (I - U U^H) dA V S^-1
    #   dV = V (F o (S dP + dP^H S)) + (I - V V^H) dA^H U S^-1
    # the i im(...) term only for complex A (it fixes each pair's common phase so
    # that diag(V^H dV) = 0), the last terms only when U (or V) is not square.
    m, n = shape(a)[-2:]
    k = min(m, n)
    u, s, v = _svd_split(ans, a)
    d = _svd_gaps(s)
    s_row, s_col = expand_dims(s, -2), expand_dims(s, -1)  # s_j and s_i at [i, j]
    dp = _matmul(_mH(u), _matmul(t, v))
    dp_h = _mH(dp)
    du = _vectors_matmul(u, _over_gaps(add(multiply(dp, s_row), multiply(s_col, dp_h)), d))
    dv = _vectors_matmul(v, _over_gaps(add(multiply(s_col, dp), multiply(dp_h, s_row)), d))
    ds = _real_diag(dp)
    if _is_complex(dp):
        dg = _diag_part(dp)
        du = add(du, multiply(u, expand_dims(_ratio(subtract(dg, real(dg)), s), -2)))
    if m > k:
        tv = _matmul(t, v)
        du = add(du, _ratio(subtract(tv, _matmul(u, _matmul(_mH(u), tv))), s_row))
    if n > k:
        tu = _matmul(_mH(t), u)
        dv = add(dv, _ratio(subtract(tu, _matmul(v, _matmul(_mH(v), tu))), s_row))
    return concatenate([du, expand_dims(_complex_like(ds, du), -2), dv], axis=-2)


def _svd_vjp(g, ans, a):
    # the transpose of the map above (plain transposes, HIPS autograd's convention);
    # with J_U = U^T U_bar and J_V = V^T V_bar:
    #   A_bar = conj(U) [diag(s_bar) + (F o (J_U - J_U^H)) S + S (F o (J_V - J_V^H))
    #                    + i im(diag(J_U)) S^-1] V^T
    #           + (U_bar - conj(U) J_U) S^-1 V^T + conj(U) ((V_bar - conj(V) J_V) S^-1)^H
    m, n = shape(a)[-2:]
    k = min(m, n)
    u, s, v = _svd_split(ans, a)
    u_bar, s_bar, v_bar = _svd_split(g, a)
    d = _svd_gaps(s)
    s_row, s_col = expand_dims(s, -2), expand_dims(s, -1)
    ju = _matmul(_mT(u), u_bar)
    jv = _matmul(_mT(v), v_bar)
    inner = add(_diag_embed(s_bar),
                add(multiply(_over_gaps(subtract(ju, _mH(ju)), d), s_row),
                    multiply(s_col, _over_gaps(subtract(jv, _mH(jv)), d))))
    if _is_complex(ju):
        dg = _diag_part(ju)
        inner = add(inner, _diag_embed(_ratio(subtract(dg, real(dg)), s)))
    uc = _conj(u)
    a_bar = _matmul(uc, _matmul(inner, _mT(v)))
    if m > k:
        ub = _ratio(subtract(u_bar, _matmul(uc, ju)), s_row)
        a_bar = add(a_bar, _matmul(ub, _mT(v)))
    if n > k:
        vb = _ratio(subtract(v_bar, _matmul(_conj(v), jv)), s_row)
        a_bar = add(a_bar, _matmul(uc, _mH(vb)))
    return a_bar


_svd = Primitive(
    "svd", _svd_impl, jvps=(_svd_jvp,), vjps=(_svd_vjp,),
    doc="numpy.linalg.svd(full_matrices=False) as a primitive with one packed output: "
        "U, then the row s, then V = Vh^T, shape (..., m + 1 + n, min(m, n)).")


def _svdvals_vjp(g, ans, a):
    # ds_i = re(u_i^H dA v_i), so A_bar = conj(U) diag(s_bar) V^T, V^T = conj(Vh)
    u, _, vh = svd(a, full_matrices=False)
    return _matmul(multiply(_conj(u), expand_dims(_real(g), -2)), _conj(vh))


def _svdvals_jvp(t, ans, a):
    u, _, vh = svd(a, full_matrices=False)
    return _real(_sum(multiply(_conj(u), _matmul(t, _mH(vh))), axis=-2))


_svdvals = Primitive(
    "svdvals", _lapack("svdvals", lambda a: np.linalg.svd(a, compute_uv=False)),
    jvps=(_svdvals_jvp,), vjps=(_svdvals_vjp,),
    doc="numpy.linalg.svdvals as a primitive.")


def svdvals(x, /):
    """numpy.linalg.svdvals: the singular values, descending. The rules use the
    singular vectors but not their derivative, so the first derivative exists at
    repeated singular values too.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda a: wnp.sum(wnp.linalg.svdvals(a)))(wnp.array([[3.0, 0.0], [0.0, 2.0]]))
    array([[1., 0.],
           [0., 1.]])
    """
    _matrix("svdvals", x)
    return _svdvals(x)


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """numpy.linalg.svd: ``a = U @ diag(S) @ Vh``. On traced values only
    ``full_matrices=False`` (the thin factors) is differentiable, and
    ``compute_uv=False`` gives the singular values (see ``svdvals``). Like eigh's
    eigenvectors, the singular vectors have no derivative where singular values
    repeat (or, for a non-square matrix, where one is zero), and their signs are
    arbitrary: differentiate functions that do not depend on them; a function of the
    singular values alone differentiates there too. ``hermitian``
    only changes plain calls (a traced one computes the general SVD).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> f = lambda a: wnp.sum(wnp.linalg.svd(a, full_matrices=False)[1])
    >>> wg.grad(f)(wnp.array([[3.0, 0.0], [0.0, -2.0]]))
    array([[ 1.,  0.],
           [ 0., -1.]])
    """
    _matrix("svd", a)
    if not is_boxed(a):
        return np.linalg.svd(a, full_matrices=full_matrices, compute_uv=compute_uv,
                             hermitian=hermitian)
    if not compute_uv:
        return _svdvals(a)
    m, n = shape(a)[-2:]
    if full_matrices and m != n:
        raise NotImplementedError(f"svd: full_matrices=True for a non-square matrix "
                                  f"(shape {shape(a)}) has no derivative here; pass "
                                  f"full_matrices=False")
    u, s, v = _svd_split(_svd(a), a)
    return SVDResult(u, s, _mH(v))


# ---------------------------------------------------------------- qr

_np_qr = _lapack("qr", np.linalg.qr)


def _qr_impl(a):
    q, r = _np_qr(a)
    return np.concatenate([q, r], axis=-2)


def _qr_masks(n, like):
    lower = np.tril(np.ones((n, n), dtype=np.finfo(float_dtype(like)).dtype), -1)
    return lower, 1.0 - lower  # strictly lower, upper with the diagonal


def _qr_jvp(t, ans, a):
    # A = QR (m >= n, R's diagonal real): with X = dA R^-1, C = Q^H X and the
    # skew-Hermitian O = tril(C, -1) - tril(C, -1)^H + i im(diag(C)):
    # dQ = Q (O - C) + X,  dR = (C - O) R
    m, n = shape(a)[-2:]
    q, r = _rows(ans, 0, m), _rows(ans, m, None)
    lower, _ = _qr_masks(n, ans)
    x = _mT(_solve(_mT(r), _mT(t)))
    c = _matmul(_mH(q), x)
    cl = multiply(c, lower)
    o = subtract(cl, _mH(cl))
    if _is_complex(c):
        dg = _diag_part(c)
        o = add(o, _diag_embed(subtract(dg, real(dg))))
    dq = add(_matmul(q, subtract(o, c)), x)
    dr = _matmul(subtract(c, o), r)
    return concatenate([dq, dr], axis=-2)


def _qr_vjp(g, ans, a):
    # the transpose: with M = R_bar R^T - Q^T Q_bar and N its upper triangle mirrored
    # (N_ij = M_ij for i < j, conj(M_ji) below, re(M_ii) on the diagonal),
    # A_bar = (Q_bar + conj(Q) N) R^-T
    m, n = shape(a)[-2:]
    q, r = _rows(ans, 0, m), _rows(ans, m, None)
    q_bar, r_bar = _rows(g, 0, m), _rows(g, m, None)
    mm = subtract(_matmul(r_bar, _mT(r)), _matmul(_mT(q), q_bar))
    nn = _read_triangle(mm, "U")
    return _mT(_solve(r, _mT(add(q_bar, _matmul(_conj(q), nn)))))


_qr = Primitive(
    "qr", _qr_impl, jvps=(_qr_jvp,), vjps=(_qr_vjp,),
    doc="numpy.linalg.qr(mode='reduced') for m >= n as a primitive with one packed "
        "output: Q on top of R, shape (..., m + n, n).")


def qr(a, mode="reduced"):
    """numpy.linalg.qr. On traced values ``mode='reduced'`` (and ``'r'``, R alone) is
    differentiable for matrices with at least as many rows as columns, where R's
    diagonal is nonzero (full column rank).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> f = lambda a: wnp.linalg.qr(a)[1][0, 0] ** 2  # R's signs are LAPACK's choice
    >>> wg.grad(f)(wnp.array([[3.0, 1.0], [4.0, 2.0]]))
    array([[6., 0.],
           [8., 0.]])
    """
    s = _matrix("qr", a)
    if not is_boxed(a):
        return np.linalg.qr(a, mode=mode)
    if mode not in ("reduced", "r"):
        raise NotImplementedError(f"qr: mode={mode!r} has no derivative here; use "
                                  f"'reduced' or 'r'")
    if s[-2] < s[-1]:
        raise NotImplementedError(f"qr: a matrix with fewer rows than columns (shape "
                                  f"{s}) has no derivative here")
    p = _qr(a)
    q, r = _rows(p, 0, s[-2]), _rows(p, s[-2], None)
    return r if mode == "r" else QRResult(q, r)


# ---------------------------------------------------------------- composites

def matrix_power(a, n):
    """numpy.linalg.matrix_power: ``a`` multiplied by itself ``n`` times (by repeated
    squaring); a negative ``n`` uses ``inv(a)``, and ``n = 0`` the identity.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda a: wnp.sum(wnp.linalg.matrix_power(a, 3)))(wnp.eye(2))
    array([[3., 3.],
           [3., 3.]])
    """
    s = _square("matrix_power", a)
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"matrix_power: the exponent must be an integer, got {n!r}") from None
    if not is_boxed(a):
        return np.linalg.matrix_power(a, n)
    if n == 0:
        return np.broadcast_to(_eye(s[-1], a), s).copy()
    if n < 0:
        a, n = _inv(a), -n
    result = None
    while True:  # binary powering: a^n as products of a, a^2, a^4, ...
        if n & 1:
            result = a if result is None else _matmul(result, a)
        n >>= 1
        if not n:
            return result
        a = _matmul(a, a)


def _abs2(x):
    """|x|^2 elementwise (x * x for real x)."""
    if np.iscomplexobj(unbox_all(x)):
        return real(multiply(x, conj(x)))
    return multiply(x, x)


def _vector_norm(x, ord, axis, keepdims):
    if ord is None or ord == 2:
        return sqrt(_sum(_abs2(x), axis=axis, keepdims=keepdims))
    if isinstance(ord, str):
        raise ValueError(f"norm: invalid norm order {ord!r} for vectors")
    if ord == np.inf:
        return _max(absolute(x), axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return _min(absolute(x), axis=axis, keepdims=keepdims)
    if ord == 0:  # a count: no derivative
        return per_example(lambda xv: np.sum(xv != 0, axis=axis, keepdims=keepdims).astype(
            xv.real.dtype), x)
    if ord == 1:
        return _sum(absolute(x), axis=axis, keepdims=keepdims)
    p = float(ord)
    return power(_sum(power(absolute(x), p), axis=axis, keepdims=keepdims), 1.0 / p)


def _matrix_norm(x, ord, axes, keepdims):
    row, col = axes
    if ord in (None, "fro", "f"):
        out = sqrt(_sum(_abs2(x), axis=axes))
    elif ord in (2, -2, "nuc"):
        s = svdvals(moveaxis(x, axes, (-2, -1)))
        out = (_max(s, axis=-1) if ord == 2 else _min(s, axis=-1) if ord == -2
               else _sum(s, axis=-1))
    elif ord in (1, -1, np.inf, -np.inf):
        # 1: the largest column sum of |x| (sum over rows); inf: the largest row sum
        over, then = (row, col) if ord in (1, -1) else (col, row)
        sums = _sum(absolute(x), axis=over)
        then -= then > over
        out = (_max if ord > 0 else _min)(sums, axis=then)
    else:
        raise ValueError(f"norm: invalid norm order {ord!r} for matrices")
    if keepdims:
        out = reshape(out, tuple(1 if i in axes else n for i, n in enumerate(shape(x))))
    return out


def norm(x, ord=None, axis=None, keepdims=False):
    """numpy.linalg.norm: vector norms (ord None or 2, 1, inf, -inf, 0 and any p)
    over one axis, matrix norms ('fro', 'nuc', 1, -1, 2, -2, inf, -inf) over two,
    built from sums, abs, max and svdvals. The 2-norm's derivative at the zero
    vector is nan (that of sqrt at 0 times 0); ord=0 counts and is not
    differentiable.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(wnp.linalg.norm)(wnp.array([3.0, 4.0]))
    array([0.6, 0.8])
    """
    if not is_boxed(x):
        return np.linalg.norm(x, ord, axis, keepdims)
    s = shape(x)
    nd = len(s)
    if axis is None:
        if ord is None or (ord in ("fro", "f") and nd == 2) or (ord == 2 and nd == 1):
            out = sqrt(_sum(_abs2(x)))
            return reshape(out, (1,) * nd) if keepdims else out
        if nd not in (1, 2):
            raise ValueError(f"norm: ord={ord!r} without an axis needs a 1-D or 2-D "
                             f"array, got shape {s}")
        axis = tuple(range(nd))
    axes = normalize_axis("norm", axis if isinstance(axis, (tuple, list)) else (axis,),
                          nd, s)
    if len(axes) == 1:
        return _vector_norm(x, ord, axes[0], keepdims)
    if len(axes) == 2:
        return _matrix_norm(x, ord, axes, keepdims)
    raise ValueError(f"norm: axis={axis!r} names {len(axes)} axes; give one (a vector "
                     f"norm) or two (a matrix norm)")


_NO_RTOL = object()


def pinv(a, rcond=None, hermitian=False, *, rtol=_NO_RTOL):
    """numpy.linalg.pinv, a composite over svd as numpy computes it: singular values
    at or below ``rcond * max(s)`` are dropped and the rest inverted, V S^+ U^T
    (``hermitian``: over eigh, V diag(1/w) V^T). The derivative goes through svd's
    (or eigh's) rule, so it needs distinct singular values, and dropping values
    changes the rank, where pinv is not differentiable; for a matrix of full column
    rank with repeated singular values (an orthogonal one) differentiate
    ``solve(a.T @ a, a.T)`` instead.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda a: wnp.sum(wnp.linalg.pinv(a)))(wnp.array([[2.0, 0.0], [0.0, 4.0]]))
    array([[-0.25  , -0.125 ],
           [-0.125 , -0.0625]])
    """
    s = _matrix("pinv", a)
    if rcond is not None and rtol is not _NO_RTOL:
        raise ValueError("pinv: rtol and rcond cannot both be set")
    if not is_boxed(a):
        kw = {} if rtol is _NO_RTOL else {"rtol": rtol}
        return np.linalg.pinv(a, rcond, hermitian, **kw)
    if rcond is None:
        rcond = (1e-15 if rtol is _NO_RTOL
                 else max(s[-2:]) * np.finfo(float_dtype(a)).eps if rtol is None
                 else rtol)
    if hermitian:
        _square("pinv", a)
        w, v = eigh(a)
        size = absolute(w)
    else:
        u, size, vh = svd(a, full_matrices=False)
    # the values kept, from each example's own largest one under vmap
    def kept(sv, rc):
        return sv > np.asarray(rc)[..., None] * np.max(sv, axis=-1, keepdims=True)
    if batch_traces((rcond,)):
        large = per_example(kept, size, rcond)
    else:
        rc = unbox_all(rcond)
        large = per_example(lambda sv: kept(sv, rc), size, aligned=True)
    # the inner where keeps 1/0 out of the dropped entries' derivative
    values = w if hermitian else size
    recip = _where(large, divide(1.0, _where(large, values, 1.0)), 0.0)
    if hermitian:
        return _matmul(multiply(v, expand_dims(recip, -2)), _mH(v))
    return _matmul(multiply(_mH(vh), expand_dims(recip, -2)), _mH(u))


def _cutoff(rcond, a, m, n):
    """numpy lstsq's rcond as the relative cutoff of pinv: None is eps * max(m, n),
    a negative value the machine precision (LAPACK's gelsd)."""
    eps = np.finfo(float_dtype(a)).eps
    if rcond is None:
        return eps * max(m, n)
    rcond = float(unbox_all(rcond))
    return eps if rcond < 0 else rcond


def lstsq(a, b, rcond=None):
    """numpy.linalg.lstsq: ``(x, residuals, rank, s)``, ``x`` minimising |b - a x| (of
    least norm when ``a`` has more columns than rows). ``x``, ``residuals`` (the
    squared norms of the columns of b - a x, present when ``a`` has full column
    rank and more rows than columns) and ``s`` (a's singular values) are
    differentiable in ``a`` and ``b``; ``rank`` is a plain int. For a full-rank
    ``a`` x is computed through qr (that of ``a``, or of ``a^H`` for a wide one), so
    its derivative is the pseudo-inverse's; a rank-deficient ``a`` goes through
    pinv with numpy's cutoff, where the derivative holds only while the rank does.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> a = wnp.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> wg.grad(lambda b: wnp.sum(wnp.linalg.lstsq(a, b)[0]))(wnp.array([1.0, 2.0, 3.0]))
    array([0.33333333, 0.33333333, 0.66666667])
    """
    sa, sb = shape(a), shape(b)
    if len(sa) != 2:
        raise LinAlgError(f"lstsq: a must be a matrix (2 dimensions), got shape {sa}")
    if len(sb) not in (1, 2) or sb[0] != sa[0]:
        raise LinAlgError(f"lstsq: b of shape {sb} does not match a of shape {sa} (b needs "
                          f"{sa[0]} rows: shape ({sa[0]},) or ({sa[0]}, K))")
    if not (is_boxed(a) or is_boxed(b)):
        return np.linalg.lstsq(a, b, rcond=rcond)
    # numpy's checks, and its rank and singular values (each example's under vmap)
    checked = np.linalg.lstsq(example(a), example(b), rcond=rcond)
    rank, s = checked[2:]
    if batch_traces((a,)):  # a rank (and singular values) per example
        rank, s = per_example(lambda m: np.linalg.lstsq(m, np.zeros(m.shape[0], m.dtype),
                                                        rcond=rcond)[2:], a)
    ranks = np.unique(unbox_all(rank))
    m, n = sa
    res = np.zeros((0,), dtype=checked[1].dtype)  # numpy's when it has none
    if len(ranks) > 1:
        if m > n:
            raise ValueError(
                f"lstsq: under vmap the examples' matrices have different ranks "
                f"({', '.join(map(str, ranks))}), so their residuals would have different "
                f"shapes; give each example a full-rank matrix, or use pinv")
        x = _matmul(pinv(a, rcond=_cutoff(rcond, a, m, n)), b)
        if is_boxed(a):
            s = svdvals(a)
        return x, res, rank, s
    if ranks[0] < min(m, n):
        x = _matmul(pinv(a, rcond=_cutoff(rcond, a, m, n)), b)
    elif m >= n:  # a = QR: x = R^-1 Q^H b
        q, r = qr(a)
        x = _solve(r, _matmul(_mH(q), b))
    else:  # a^H = QR: the least-norm x = Q R^-H b
        q, r = qr(_mH(a))
        x = _matmul(q, _solve(_mH(r), b))
    if ranks[0] == n and m > n:
        res = _sum(_abs2(subtract(b, _matmul(a, x))), axis=0)
        if len(sb) == 1:
            res = reshape(res, (1,))
    if is_boxed(a):
        s = svdvals(a)
    return x, res, rank if batch_traces((rank,)) else int(rank), s


def matrix_rank(A, tol=None, hermitian=False, *, rtol=None):
    """numpy.linalg.matrix_rank: a count, so a plain int (or array) with no
    derivative, on traced values too.

    >>> import wengert.numpy as wnp
    >>> int(wnp.linalg.matrix_rank(wnp.ones((3, 3))))
    1
    """
    tol = None if tol is None else unbox_all(tol)
    rtol = None if rtol is None else unbox_all(rtol)
    return per_example(lambda m: np.linalg.matrix_rank(m, tol, hermitian, rtol=rtol), A)


def cond(x, p=None):
    """numpy.linalg.cond: for ``p`` None, 2 or -2 the ratio of the extreme singular
    values (through svdvals), otherwise norm(x, p) * norm(inv(x), p); both are
    differentiable. A singular matrix (numpy's inf) gives numpy's plain value.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(wnp.linalg.cond)(wnp.array([[2.0, 0.0], [0.0, 1.0]]))
    array([[ 1.,  0.],
           [ 0., -2.]])
    """
    _matrix("cond", x)
    by_svd = p is None or (not isinstance(p, str) and p in (2, -2))
    if not by_svd:
        _square("cond", x)
    if not is_boxed(x):
        return np.linalg.cond(x, p)
    with np.errstate(all="ignore"):
        want = per_example(lambda m: np.linalg.cond(m, p), x, aligned=True)
    finite = np.isfinite(unbox_all(want))
    if not np.all(finite):  # singular: numpy's inf, no derivative
        if not np.any(finite):
            return want
        # some of a stack (or batch): the others' through an identity in their place
        ok = per_example(lambda c: np.isfinite(c)[..., None, None], want, aligned=True)
        safe = _where(ok, x, _eye(shape(x)[-1], x))
        return _where(reshape(ok, shape(ok)[:-2]), cond(safe, p), want)
    if by_svd:
        sv = svdvals(x)
        big, small = _getitem(sv, idx=(Ellipsis, 0)), _getitem(sv, idx=(Ellipsis, -1))
        return divide(small, big) if p == -2 else divide(big, small)
    return multiply(norm(x, p, axis=(-2, -1)), norm(_inv(x), p, axis=(-2, -1)))


def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    """numpy.linalg.matrix_norm: ``norm`` over the last two axes.

    >>> import wengert.numpy as wnp
    >>> float(wnp.linalg.matrix_norm(wnp.ones((2, 2))))
    2.0
    """
    return norm(x, ord=ord, axis=(-2, -1), keepdims=keepdims)


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    """numpy.linalg.vector_norm: a vector norm over all of ``x`` (``axis`` None), one
    axis, or several taken together as one vector.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(wnp.linalg.vector_norm)(wnp.array([[3.0], [4.0]]))
    array([[0.6],
           [0.8]])
    """
    if not is_boxed(x):
        return np.linalg.vector_norm(x, axis=axis, keepdims=keepdims, ord=ord)
    s = shape(x)
    if axis is None:
        flat, where = reshape(x, (-1,)), tuple(range(len(s)))
    elif isinstance(axis, tuple):
        where = normalize_axis("vector_norm", axis, len(s), s)
        rest = tuple(i for i in range(len(s)) if i not in where)
        flat = reshape(moveaxis(x, where, tuple(range(len(where)))),
                       (int(np.prod([s[i] for i in where])),) + tuple(s[i] for i in rest))
    else:
        where = (normalize_axis("vector_norm", axis, len(s), s),)
        flat = moveaxis(x, where[0], 0)
    out = _vector_norm(flat, ord, 0, False)
    if keepdims:
        out = reshape(out, tuple(1 if i in where else n for i, n in enumerate(s)))
    return out


def tensorsolve(a, b, axes=None):
    """numpy.linalg.tensorsolve: ``x`` with ``tensordot(a, x, x.ndim) == b``, a solve
    of a reshaped into a square matrix (``axes``: a's axes moved to the end first).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> a = wnp.eye(4).reshape(2, 2, 2, 2) * 2.0
    >>> wg.grad(lambda b: wnp.sum(wnp.linalg.tensorsolve(a, b)))(wnp.ones((2, 2)))
    array([[0.5, 0.5],
           [0.5, 0.5]])
    """
    sa, sb = shape(a), shape(b)
    an = len(sa)
    if axes is not None:
        order = list(range(an))
        for k in axes:
            order.remove(k)
            order.insert(an, k)
        a = transpose(a, axes=tuple(order))
        sa = shape(a)
    old = sa[-(an - len(sb)):]
    n = int(np.prod(old))
    if int(np.prod(sa)) != n * n:
        raise LinAlgError(f"tensorsolve: a of shape {sa} and b of shape {sb} do not satisfy "
                          f"prod(a.shape[b.ndim:]) == prod(a.shape[:b.ndim])")
    if not (is_boxed(a) or is_boxed(b)):
        return np.linalg.tensorsolve(a, b)
    return reshape(_solve(reshape(a, (n, n)), reshape(b, (-1,))), old)


def tensorinv(a, ind=2):
    """numpy.linalg.tensorinv: the inverse of a reshaped into a square matrix (the
    first ``ind`` axes against the rest), in the shape a.shape[ind:] + a.shape[:ind].

    >>> import wengert.numpy as wnp
    >>> wnp.linalg.tensorinv(wnp.eye(6).reshape(6, 2, 3), ind=1).shape
    (2, 3, 6)
    """
    sa = shape(a)
    if operator.index(ind) <= 0:
        raise ValueError(f"tensorinv: ind must be a positive integer, got {ind!r}")
    if not is_boxed(a):
        return np.linalg.tensorinv(a, ind)
    inverse = inv(reshape(a, (int(np.prod(sa[ind:])), -1)))
    return reshape(inverse, sa[ind:] + sa[:ind])


# ---------------------------------------------------------------- batching (vmap)
#
# numpy.linalg broadcasts over the axes before the last two, so a batch is one more
# of them: the batch axis goes in front and the primitive runs once.

def _batch_stacked(prim):
    def batch(vals, dims, **params):
        return prim(to_front(vals[0], dims[0]), **params), 0
    prim.batch = batch


for _prim in (_inv, _det, _slogdet, _cholesky, _eigh, _eigvalsh, _eig, _eigvals, _svd,
              _svdvals, _qr):
    _batch_stacked(_prim)


def align_batch(vals, dims):
    """Operands of a function that broadcasts over leading axes, with their batch
    axes in front and all of one rank, so that broadcasting pairs example with
    example: an unbatched operand gets a leading axis of size 1, and ones go after
    the batch axis of the operands with fewer axes."""
    vals = [reshape(v, (1,) + shape(v)) if d is None else to_front(v, d)
            for v, d in zip(vals, dims)]
    rank = max(len(shape(v)) for v in vals)
    return [v if len(shape(v)) == rank else
            reshape(v, shape(v)[:1] + (1,) * (rank - len(shape(v))) + shape(v)[1:])
            for v in vals]


def _batch_matrices(a, da, b, db, vector):
    """``a`` and ``b`` (the matrix operand and the right-hand side of a solve) aligned
    by ``align_batch``; a right-hand ``vector`` becomes a column first."""
    if vector:
        b = expand_dims(b, -1)
    return align_batch([a, b], [da, db])


def batch_solve(prim, vals, dims, vector, **params):
    """A solve-like primitive ``prim(a, b, **params)`` (numpy's reading of b: a vector
    when it is 1-D, else a stack of matrices) on a batch. With one matrix for every
    example and a batch of right-hand sides, the examples become columns of one
    right-hand side and one solve serves them all (the batch on axis 1 of the
    result); otherwise both go to the front, paired by broadcasting."""
    (a, b), (da, db) = vals, dims
    if da is None and len(shape(a)) == 2 and len(shape(b)) - 1 == (1 if vector else 2):
        b = to_front(b, db)
        n, m = shape(b)[:2]
        cols = moveaxis(b, 0, -1)  # (m, n) for vectors, (m, k, n) for matrices
        if not vector:
            cols = reshape(cols, (m, -1))
        x = prim(a, cols, **params)
        if vector:
            return x, 1
        return reshape(x, (shape(x)[0],) + shape(b)[2:] + (n,)), 2
    a, b = _batch_matrices(a, da, b, db, vector)
    x = prim(a, b, **params)
    return (squeeze(x, -1) if vector else x), 0


def _example_ndim(v, d):
    return len(shape(v)) - (d is not None)


_solve.batch = lambda vals, dims: batch_solve(
    _solve, vals, dims, _example_ndim(vals[1], dims[1]) == 1)


__all__ = ["LinAlgError", "inv", "solve", "det", "slogdet", "cholesky", "eigh",
           "eigvalsh", "eig", "eigvals", "svd", "svdvals", "qr", "matrix_power", "norm",
           "pinv", "lstsq", "matrix_rank", "cond", "matrix_norm", "vector_norm",
           "tensorsolve", "tensorinv"]
