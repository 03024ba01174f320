"""Products and contractions: matmul, dot, tensordot and einsum are primitives;
outer, inner, vdot, kron, trace and diagonal are composites over them and the
shape and indexing primitives, and so are numpy.linalg's multi_dot, vecdot and cross
(exported by wengert.numpy.linalg only: numpy's own cross has another signature).

Every product is linear in each argument, so its JVP applies the product with one
tangent substituted (the terms for the two arguments add), and each VJP is another
product of the cotangent with the other argument, transposed back into place and
summed over the axes broadcasting added. The rules call wengert primitives only,
so every derivative can be differentiated again.

A real operand multiplied by a complex one gets the real part of its cotangent
(``unbroadcast`` takes it, HIPS autograd's convention), so a real input's derivative
stays real. Every product VJP ends in it: a JVP rule substitutes a tangent into a
product, so a real tangent that depends on a real input (reverse over forward) meets
a complex operand too, and a complex cotangent there would leak into the real input.
"""

import string

import numpy as np

from .. import backend

from ..core.batching import loop_rule
from ..core.primitive import Primitive, lookup
from ..core.trace import is_boxed, unbox_all
from ._base import (bilinear, example, no_out, normalize_axis, per_operand, shape,
                    to_front, unbroadcast)
from .arithmetic import multiply, subtract
from .complex import conj
from .reductions import sum as _sum
from .shape import (broadcast_to, expand_dims, moveaxis, ravel, reshape, stack, swapaxes,
                    transpose)


# ---------------------------------------------------------------- vmap helper

def loop_examples(prim, vals, dims, params):
    """A batching rule's fallback: ``prim`` on each example, the results stacked on a
    new first axis (core.batching.loop_rule with the batch size read off the
    batched arguments)."""
    size = next(shape(v)[d] for v, d in zip(vals, dims) if d is not None)
    if not size:
        raise ValueError(f"{prim.name}: vmap over an axis of size 0 (no example to run)")
    return loop_rule(prim, vals, dims, params, size)


# ---------------------------------------------------------------- matmul

def _matmul_error(xs, ys):
    if not xs or not ys:
        return (f"matmul: operands need at least one dimension, got shapes {xs} and {ys} "
                f"(use multiply for a scalar)")
    k_y, where = (ys[-2], "second-to-last") if len(ys) > 1 else (ys[0], "only")
    if xs[-1] != k_y:
        return (f"matmul: shapes {xs} and {ys} do not align: the last axis of x1 has size "
                f"{xs[-1]} but the {where} axis of x2 has size {k_y}")
    return (f"matmul: the batch dimensions of shapes {xs} and {ys} do not broadcast "
            f"({xs[:-2]} against {ys[:-2]})")


def _matmul_impl(x, y):
    try:
        return np.matmul(x, y)
    except ValueError:
        raise ValueError(_matmul_error(np.shape(x), np.shape(y))) from None


# ans = x @ y gives x_bar = g @ y^T and y_bar = x^T @ g, each summed over the batch
# axes its operand was broadcast along. A 1-D operand is a row (left) or a column
# (right) vector whose axis numpy drops from ans and g: its partner's cotangent is an
# outer product, and its own a vector-matrix product with g as a row (written with
# the row axis put back when g has batch axes, since a 1-D g cannot carry them).

def _matmul_vjp_x(g, ans, x, y):
    xs, ys = shape(x), shape(y)
    if len(ys) == 1:  # ans[..., i] = x[..., i, :] . y
        x_bar = multiply(g, y) if len(xs) == 1 else multiply(expand_dims(g, -1), y)
    elif len(xs) == 1:  # ans[..., j] = x . y[..., :, j]
        x_bar = (_matmul(y, g) if len(ys) == 2
                 else _matmul(expand_dims(g, -2), swapaxes(y, -1, -2)))
    else:
        x_bar = _matmul(g, swapaxes(y, -1, -2))
    return unbroadcast(x_bar, x)


def _matmul_vjp_y(g, ans, x, y):
    xs, ys = shape(x), shape(y)
    if len(xs) == 1:
        y_bar = (multiply(x, g) if len(ys) == 1
                 else multiply(expand_dims(x, -1), expand_dims(g, -2)))
    elif len(ys) == 1:
        y_bar = _matmul(g, x) if len(xs) == 2 else _matmul(expand_dims(g, -2), x)
    else:
        y_bar = _matmul(swapaxes(x, -1, -2), g)
    return unbroadcast(y_bar, y)


_matmul = bilinear("matmul", _matmul_impl, _matmul_vjp_x, _matmul_vjp_y,
                   doc="numpy.matmul (the @ operator) as a primitive.")


def _batch_matmul(vals, dims):
    """matmul on a batch: vectors become matrices (a row on the left, a column on the
    right), the batch axis goes in front, the stacks of matrices are aligned by
    inserting ones after it, one matmul runs, and the axes added for vectors go."""
    from .shape import _reshape
    ops, ranks, drop = [], [], []
    for k, (v, d) in enumerate(zip(vals, dims)):
        if d is not None:
            v = to_front(v, d)
        e = len(shape(v)) - (d is not None)
        if e == 1:  # a vector: a one-row (left) or one-column (right) matrix
            s = shape(v)
            v = _reshape(v, newshape=s[:-1] + ((1, s[-1]) if k == 0 else (s[-1], 1)))
            drop.append(-2 if k == 0 else -1)
            e = 2
        ops.append(v)
        ranks.append(e)
    lead = max(ranks) - 2
    for k, (v, d, e) in enumerate(zip(ops, dims, ranks)):
        if d is not None and e - 2 < lead:
            s = shape(v)
            ops[k] = _reshape(v, newshape=s[:1] + (1,) * (lead - (e - 2)) + s[1:])
    out = _matmul(ops[0], ops[1])
    if drop:
        s = shape(out)
        keep = [a for a in range(len(s)) if a - len(s) not in drop]
        out = _reshape(out, newshape=tuple(s[a] for a in keep))
    return out, 0


_matmul.batch = _batch_matmul


def matmul(x1, x2, out=None):
    """numpy.matmul: matrix products over the last two axes, broadcasting the rest;
    a 1-D operand is a row (left) or a column (right) vector.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> A = wnp.array([[1.0, 2.0], [3.0, 4.0]])
    >>> wg.grad(lambda x: wnp.sum(wnp.matmul(A, x)))(wnp.ones(2))
    array([4., 6.])
    """
    no_out("matmul", out)
    return _matmul(x1, x2)


# ---------------------------------------------------------------- tensordot

def _tensordot_impl(x, y, *, axes):
    try:
        return np.tensordot(x, y, axes=(list(axes[0]), list(axes[1])))
    except ValueError:
        raise ValueError(f"tensordot: cannot contract axes {axes[0]} of shape {np.shape(x)} "
                         f"with axes {axes[1]} of shape {np.shape(y)}") from None


def _free(n, contracted):
    return [i for i in range(n) if i not in contracted]


def _tensordot_vjp_x(g, x, y, axes):
    # ans holds x's free axes, then y's free axes. Contracting g's y-part with y's
    # free axes leaves x's free axes followed by x's contracted axes (in the order
    # of y's partner axes); a transpose puts them back in x's order.
    (ax, ay), nx, ny = map(list, axes), len(shape(x)), len(shape(y))
    fx, fy = _free(nx, ax), _free(ny, ay)
    c = _tensordot(g, y, axes=(tuple(range(len(fx), len(fx) + len(fy))), tuple(fy)))
    held = fx + [ax[ay.index(b)] for b in sorted(ay)]
    perm = tuple(held.index(i) for i in range(nx))
    return unbroadcast(c if perm == tuple(range(nx)) else transpose(c, axes=perm), x)


def _tensordot_vjp_y(g, x, y, axes):
    # contracting x's free axes with g's x-part leaves y's contracted axes (in the
    # order of x's partner axes) followed by y's free axes
    (ax, ay), nx, ny = map(list, axes), len(shape(x)), len(shape(y))
    fx, fy = _free(nx, ax), _free(ny, ay)
    c = _tensordot(x, g, axes=(tuple(fx), tuple(range(len(fx)))))
    held = [ay[ax.index(a)] for a in sorted(ax)] + fy
    perm = tuple(held.index(j) for j in range(ny))
    return unbroadcast(c if perm == tuple(range(ny)) else transpose(c, axes=perm), y)


_tensordot = bilinear(
    "tensordot", _tensordot_impl,
    lambda g, ans, x, y, *, axes: _tensordot_vjp_x(g, x, y, axes),
    lambda g, ans, x, y, *, axes: _tensordot_vjp_y(g, x, y, axes),
    doc="numpy.tensordot with axes given as a pair of tuples of non-negative axes.")


def _batch_tensordot(vals, dims, axes):
    """tensordot on a batch. One batched operand: its batch axis in front is one more
    free axis (x's stays first in the result; y's comes after x's free axes). Both:
    a batched matmul of (batch, free, contracted) by (batch, contracted, free)."""
    (x, y), (dx, dy) = vals, dims
    ax, ay = (tuple(a) for a in axes)
    if dy is None:
        return _tensordot(to_front(x, dx), y, axes=(tuple(a + 1 for a in ax), ay)), 0
    if dx is None:
        y = to_front(y, dy)
        return (_tensordot(x, y, axes=(ax, tuple(a + 1 for a in ay))),
                len(shape(x)) - len(ax))
    from .shape import _reshape
    x, y = to_front(x, dx), to_front(y, dy)
    xs, ys = shape(x), shape(y)
    fx, fy = _free(len(xs) - 1, ax), _free(len(ys) - 1, ay)
    n, size = xs[0], int(np.prod([xs[a + 1] for a in ax], dtype=np.int64))
    free_x = tuple(xs[a + 1] for a in fx)
    free_y = tuple(ys[a + 1] for a in fy)
    xm = transpose(x, axes=(0,) + tuple(a + 1 for a in fx) + tuple(a + 1 for a in ax))
    ym = transpose(y, axes=(0,) + tuple(a + 1 for a in ay) + tuple(a + 1 for a in fy))
    xm = _reshape(xm, newshape=(n, int(np.prod(free_x, dtype=np.int64)), size))
    ym = _reshape(ym, newshape=(n, size, int(np.prod(free_y, dtype=np.int64))))
    return _reshape(_matmul(xm, ym), newshape=(n,) + free_x + free_y), 0


_tensordot.batch = _batch_tensordot


def _tensordot_axes(axes, xs, ys):
    """numpy's ``axes`` argument as a pair of tuples of non-negative axes, checked."""
    nx, ny = len(xs), len(ys)
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        if n < 0 or n > min(nx, ny):
            raise ValueError(f"tensordot: axes={n} needs 0 <= axes <= min(a.ndim, b.ndim) "
                             f"for shapes {xs} and {ys}")
        pair = (tuple(range(nx - n, nx)), tuple(range(n)))
    else:
        try:
            ax, ay = axes
        except (TypeError, ValueError):
            raise ValueError(f"tensordot: axes must be an int or a pair of axis sequences, "
                             f"got {axes!r}") from None
        ax = (ax,) if isinstance(ax, (int, np.integer)) else tuple(ax)
        ay = (ay,) if isinstance(ay, (int, np.integer)) else tuple(ay)
        if len(ax) != len(ay):
            raise ValueError(f"tensordot: axes {ax} of a and {ay} of b differ in length")
        pair = (normalize_axis("tensordot (a)", ax, nx, xs),
                normalize_axis("tensordot (b)", ay, ny, ys))
    for i, j in zip(*pair):
        if xs[i] != ys[j]:
            raise ValueError(f"tensordot: axis {i} of a (shape {xs}) has size {xs[i]} but "
                             f"axis {j} of b (shape {ys}) has size {ys[j]}")
    return pair


def tensordot(a, b, axes=2):
    """numpy.tensordot: sum products over the given axes of ``a`` and ``b``; ``axes``
    is an int N (the last N axes of a with the first N of b) or a pair of sequences.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> f = lambda a: wnp.sum(wnp.tensordot(a, wnp.ones((3, 2)), axes=1))
    >>> wg.grad(f)(wnp.ones((2, 3)))
    array([[2., 2., 2.],
           [2., 2., 2.]])
    """
    return _tensordot(a, b, axes=_tensordot_axes(axes, shape(a), shape(b)))


# ---------------------------------------------------------------- dot

def _dot_impl(x, y):
    if type(x) is float and type(y) is float:
        return x * y
    try:
        return np.dot(x, y)
    except ValueError as e:
        raise ValueError(f"dot: {e}") from None


def _dot_axes(xs, ys):
    # dot contracts the last axis of x with the second-to-last of y (the only one
    # for a vector): the same product as tensordot over that pair of axes
    return (len(xs) - 1,), (max(len(ys) - 2, 0),)


def _dot_vjp_x(g, ans, x, y):
    xs, ys = shape(x), shape(y)
    if not xs or not ys:  # a scalar factor: dot is multiply
        return unbroadcast(multiply(g, y), x)
    return _tensordot_vjp_x(g, x, y, _dot_axes(xs, ys))


def _dot_vjp_y(g, ans, x, y):
    xs, ys = shape(x), shape(y)
    if not xs or not ys:
        return unbroadcast(multiply(x, g), y)
    return _tensordot_vjp_y(g, x, y, _dot_axes(xs, ys))


_dot = bilinear("dot", _dot_impl, _dot_vjp_x, _dot_vjp_y, doc="numpy.dot as a primitive.")


def _dot_foreign(x, y):
    """dot for arrays of another library: a number times an array is a product (Dask's
    dot wants two arrays)."""
    if not backend.ndim(x) or not backend.ndim(y):
        return x * y
    return np.dot(x, y)


_dot.foreign = _dot_foreign


def _batch_dot(vals, dims):
    """dot on a batch: a product with a scalar example is multiply's batching, the
    rest tensordot's over dot's pair of axes."""
    xs, ys = (shape(v)[:d] + shape(v)[d + 1:] if d is not None else shape(v)
              for v, d in zip(vals, dims))
    if not xs or not ys:
        return multiply.batch(vals, dims)
    return _batch_tensordot(vals, dims, _dot_axes(xs, ys))


_dot.batch = _batch_dot


def dot(a, b, out=None):
    """numpy.dot: for scalars a product, for 1-D and 2-D arrays the inner and matrix
    products, and for N-D a sum over the last axis of ``a`` and the second-to-last
    of ``b``. ``x.dot(y)`` on traced values calls this.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(wnp.dot, argnums=(0, 1))(wnp.array([1.0, 2.0]), wnp.array([3.0, 4.0]))
    (array([3., 4.]), array([1., 2.]))
    """
    no_out("dot", out)
    return _dot(a, b)


# ---------------------------------------------------------------- einsum

_LETTERS = string.ascii_letters
_SUBLIST_LETTERS = string.ascii_uppercase + string.ascii_lowercase


def _sublist_term(sub):
    """One operand's subscripts in numpy's sublist form ([0, 1], [Ellipsis, 2]) as a
    string: 0-25 are 'A'-'Z' and 26-51 are 'a'-'z', so sorting is the same either way."""
    out = []
    for s in sub:
        if s is Ellipsis:
            out.append("...")
        elif isinstance(s, (int, np.integer)) and 0 <= s < 52:
            out.append(_SUBLIST_LETTERS[s])
        else:
            raise ValueError(f"einsum: sublist entries must be integers in [0, 52) or "
                             f"Ellipsis, got {s!r}")
    return "".join(out)


def _from_sublists(args):
    """(subscripts, operands) from einsum(op0, sublist0, op1, sublist1, ..., [out])."""
    ops, terms = list(args[0::2]), [_sublist_term(s) for s in args[1::2]]
    if len(args) % 2:  # a trailing output sublist
        out = _sublist_term(ops.pop())
        return ",".join(terms) + "->" + out, ops
    return ",".join(terms), ops


def _parse_einsum(subscripts, shapes):
    """Explicit subscripts with every ellipsis written out in spare letters, so the
    rules only ever see 'ab,bc->ac'. Checks the string against the operand shapes."""
    spec = subscripts.replace(" ", "")
    if spec.count("->") > 1:
        raise ValueError(f"einsum: subscripts {subscripts!r} contain '->' more than once")
    ins, arrow, out = spec.partition("->")
    terms = ins.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: subscripts {subscripts!r} name {len(terms)} operand(s) "
                         f"but {len(shapes)} were given")
    for term in terms + ([out] if arrow else []):
        bare = term.replace("...", "", 1)
        bad = [c for c in bare if c not in _LETTERS]
        if bad:
            raise ValueError(f"einsum: subscripts {subscripts!r} contain {bad[0]!r}; use "
                             f"letters a-z, A-Z and at most one '...' per operand")
    used = set(c for c in spec if c in _LETTERS)  # spare letters avoid the output's too
    named_in = set(c for c in ins if c in _LETTERS)
    n_ell = []
    for k, (term, shp) in enumerate(zip(terms, shapes)):
        named, ell_here = len(term.replace("...", "")), "..." in term
        if named > len(shp) or (not ell_here and named != len(shp)):
            raise ValueError(f"einsum: operand {k} has shape {shp} but its subscripts "
                             f"{term!r} name {named} axes")
        n_ell.append(len(shp) - named if ell_here else 0)
    spare = [c for c in _LETTERS if c not in used]
    n = max(n_ell, default=0)
    if n > len(spare):
        raise ValueError(f"einsum: {subscripts!r} needs more than 52 distinct axes")
    ell = "".join(spare[:n])
    # ellipsis axes align from the right, as broadcasting does
    terms_x = [t.replace("...", ell[n - m:]) for t, m in zip(terms, n_ell)]
    if arrow:
        if "..." in out:
            out = out.replace("...", ell)
        elif n:
            raise ValueError(f"einsum: {subscripts!r} has ellipsis axes but no '...' in "
                             f"the output to hold them")
        for c in out:
            if out.count(c) > 1:
                raise ValueError(f"einsum: output subscript {c!r} appears more than once "
                                 f"in {subscripts!r}")
            if c not in named_in and c not in ell:
                raise ValueError(f"einsum: output subscript {c!r} names no input axis in "
                                 f"{subscripts!r}")
    else:
        # implicit output: ellipsis axes, then the letters used once, in sorted order
        named = "".join(terms).replace("...", "")
        out = ell + "".join(sorted(c for c in set(named) if named.count(c) == 1))
    sizes = {}
    for k, (term, shp) in enumerate(zip(terms_x, shapes)):
        mine = {}
        for c, m in zip(term, shp):
            if mine.setdefault(c, m) != m:
                raise ValueError(f"einsum: subscript {c!r} repeats in operand {k} (shape "
                                 f"{shp}) over axes of sizes {mine[c]} and {m}")
            seen = sizes.setdefault(c, m)
            if seen != m and 1 not in (seen, m):
                raise ValueError(f"einsum: subscript {c!r} has size {m} in operand {k} "
                                 f"(shape {shp}) but size {seen} earlier in {subscripts!r}")
            sizes[c] = max(seen, m)
    return ",".join(terms_x) + "->" + out


def _split(subscripts):
    ins, _, out = subscripts.partition("->")
    return ins.split(","), out


def _einsum_impl(*operands, subscripts, optimize=False):
    return np.einsum(subscripts, *operands, optimize=optimize)


def _diagonal_mask(term, xs):
    """True where every repeated subscript of ``term`` takes equal values, shaped to
    broadcast against an operand of shape ``xs``; None when nothing repeats."""
    mask = None
    for c in set(term):
        where = [i for i, d in enumerate(term) if d == c]
        if len(where) < 2:
            continue
        idx = []
        for i in where:
            shp = [1] * len(term)
            shp[i] = xs[i]
            idx.append(np.arange(xs[i]).reshape(shp))
        m = np.logical_and.reduce([idx[0] == j for j in idx[1:]])
        mask = m if mask is None else mask & m
    return mask


def _einsum_cotangent(g, k, operands, terms, out, optimize):
    # x_k's cotangent contracts g with the other operands onto x_k's subscripts.
    # numpy cannot write a repeated subscript ('ii') or one that only x_k has (summed
    # away at once), so contract onto the letters it can produce, then lay them out:
    # a diagonal mask for repeats and a broadcast for the letters summed away.
    term, xs = terms[k], shape(operands[k])
    others = [j for j in range(len(terms)) if j != k]
    avail = set(out).union(*(terms[j] for j in others))
    keep = "".join(c for i, c in enumerate(term) if term.index(c) == i and c in avail)
    ins = [out] + [terms[j] for j in others]
    if ins == [keep]:
        c = g
    else:
        c = _einsum(g, *(operands[j] for j in others),
                    subscripts=",".join(ins) + "->" + keep, optimize=optimize)
    cs = shape(c)
    lay = tuple(cs[keep.index(d)] if term.index(d) == i and d in keep else 1
                for i, d in enumerate(term))
    if lay != cs:
        c = reshape(c, lay)
    # axes where x_k had size 1 and was broadcast against the others
    bcast = tuple(i for i, (m, n) in enumerate(zip(xs, lay)) if m == 1 and n != 1)
    if bcast:
        c = _sum(c, axis=bcast, keepdims=True)
    mask = _diagonal_mask(term, xs)
    if mask is not None:  # in c's own dtype, so float32 stays float32
        c = multiply(c, mask.astype(np.result_type(unbox_all(c))))
    if shape(c) != xs:
        c = broadcast_to(c, xs)
    return unbroadcast(c, operands[k])  # the real part for a real operand


def _einsum_vjp(k, g, ans, *operands, subscripts, optimize=False):
    terms, out = _split(subscripts)
    return _einsum_cotangent(g, k, operands, terms, out, optimize)


def _einsum_jvp(k, t, ans, *operands, subscripts, optimize=False):
    # linear in each operand: einsum with operand k's tangent put in its place
    return _einsum(*operands[:k], t, *operands[k + 1:], subscripts=subscripts,
                   optimize=optimize)


_einsum = Primitive(
    "einsum", _einsum_impl, jvps=per_operand(_einsum_jvp), vjps=per_operand(_einsum_vjp),
    doc="numpy.einsum with explicit subscripts and no ellipsis (see wengert.numpy.einsum).")


def _batch_einsum(vals, dims, subscripts, optimize=False):
    """einsum on a batch: one spare letter names the batch axis, put in front of
    each batched operand and of the output."""
    terms, out = _split(subscripts)
    b = next((c for c in _LETTERS if c not in subscripts), None)
    if b is None:  # all 52 letters taken: one example at a time
        return loop_examples(_einsum, vals, dims,
                             {"subscripts": subscripts, "optimize": optimize})
    ops = []
    for k, (v, d) in enumerate(zip(vals, dims)):
        if d is not None:
            v, terms[k] = to_front(v, d), b + terms[k]
        ops.append(v)
    return _einsum(*ops, subscripts=",".join(terms) + "->" + b + out, optimize=optimize), 0


_einsum.batch = _batch_einsum


def einsum(subscripts, *operands, out=None, optimize=False):
    """numpy.einsum: explicit ('ij,jk->ik') and implicit ('ij,jk') subscripts, '...'
    for broadcast axes, and numpy's sublist form einsum(a, [0, 1], b, [1, 2]).
    ``optimize`` is passed on to numpy, for the derivative's contractions too.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda A: wnp.einsum('ii->', A))(wnp.ones((2, 2)))
    array([[1., 0.],
           [0., 1.]])
    """
    no_out("einsum", out)
    if not isinstance(subscripts, str):
        subscripts, operands = _from_sublists((subscripts,) + operands)
    if not operands:
        raise ValueError("einsum: needs at least one operand")
    spec = _parse_einsum(subscripts, [shape(x) for x in operands])
    return _einsum(*operands, subscripts=spec, optimize=optimize)


# ---------------------------------------------------------------- composites

def outer(a, b, out=None):
    """numpy.outer: ``out[i, j] = a.ravel()[i] * b.ravel()[j]`` (a broadcast multiply).

    >>> import wengert.numpy as wnp
    >>> wnp.outer(wnp.array([1.0, 2.0]), wnp.array([3.0, 4.0, 5.0])).shape
    (2, 3)
    """
    no_out("outer", out)
    return multiply(reshape(a, (-1, 1)), reshape(b, (1, -1)))


def inner(a, b):
    """numpy.inner: a sum over the last axes of ``a`` and ``b`` (a product for scalars).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(wnp.inner)(wnp.array([1.0, 2.0]), wnp.array([3.0, 4.0]))
    array([3., 4.])
    """
    xs, ys = shape(a), shape(b)
    if not xs or not ys:
        return multiply(a, b)
    if xs[-1] != ys[-1]:
        raise ValueError(f"inner: the last axes of shapes {xs} and {ys} differ in size "
                         f"({xs[-1]} and {ys[-1]})")
    return _tensordot(a, b, axes=((len(xs) - 1,), (len(ys) - 1,)))


def vdot(a, b):
    """numpy.vdot: the dot product of the flattened arguments, the first conjugated.

    >>> import wengert.numpy as wnp
    >>> float(wnp.vdot(wnp.ones((2, 2)), wnp.ones((2, 2))))
    4.0
    """
    if np.iscomplexobj(unbox_all(a)):
        a = conj(a)
    xs, ys = shape(a), shape(b)
    if int(np.prod(xs)) != int(np.prod(ys)):
        raise ValueError(f"vdot: shapes {xs} and {ys} have different sizes")
    return _dot(ravel(a), ravel(b))


def kron(a, b):
    """numpy.kron: the Kronecker product, a broadcast multiply of interleaved axes.

    >>> import wengert.numpy as wnp
    >>> wnp.kron(wnp.eye(2), wnp.ones((2, 3))).shape
    (4, 6)
    """
    xs, ys = shape(a), shape(b)
    nd = max(len(xs), len(ys))
    xs = (1,) * (nd - len(xs)) + xs
    ys = (1,) * (nd - len(ys)) + ys
    # (a0, 1, a1, 1, ...) * (1, b0, 1, b1, ...) -> (a0, b0, a1, b1, ...) -> (a0*b0, ...)
    prod = multiply(reshape(a, tuple(d for n in xs for d in (n, 1))),
                    reshape(b, tuple(d for n in ys for d in (1, n))))
    return reshape(prod, tuple(m * n for m, n in zip(xs, ys)))


def diagonal(a, offset=0, axis1=0, axis2=1):
    """numpy.diagonal (a copy, not a view): the two axes move to the end and an
    index pair picks the diagonal, so its VJP scatters the cotangent back.

    >>> import wengert.numpy as wnp
    >>> wnp.diagonal(wnp.arange(9.0).reshape(3, 3), offset=1)
    array([1., 5.])
    """
    xs = shape(a)
    if len(xs) < 2:
        raise ValueError(f"diagonal: needs at least 2 dimensions, got shape {xs}")
    axes = normalize_axis("diagonal", (axis1, axis2), len(xs), xs)
    moved = moveaxis(a, axes, (-2, -1))
    n1, n2 = shape(moved)[-2:]
    k = max(0, min(n1, n2 - offset) if offset >= 0 else min(n1 + offset, n2))
    rows = np.arange(k) + max(-offset, 0)
    cols = np.arange(k) + max(offset, 0)
    return lookup("getitem")(moved, idx=(Ellipsis, rows, cols))


def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    """numpy.trace: the sum along a diagonal.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(wnp.trace)(wnp.ones((2, 3)))
    array([[1., 0., 0.],
           [0., 1., 0.]])
    """
    no_out("trace", out)
    return _sum(diagonal(a, offset=offset, axis1=axis1, axis2=axis2), axis=-1)


# ------------------------------------------------- numpy.linalg's product forms

def _chain_order(dims):
    """numpy's multi_dot order: split[i][j] is where the cheapest product of
    matrices i..j splits (dims[i] x dims[i+1] is the shape of matrix i)."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def multi_dot(arrays, *, out=None):
    """numpy.linalg.multi_dot: the product of two or more arrays, in the order of
    least work (numpy's); a 1-D first array is a row, a 1-D last one a column.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> f = lambda a: wnp.linalg.multi_dot([a, wnp.ones((2, 3)), wnp.ones(3)])
    >>> wg.grad(lambda a: wnp.sum(f(a)))(wnp.ones((1, 2)))
    array([[3., 3.]])
    """
    no_out("multi_dot", out)
    arrays = list(arrays)
    if len(arrays) < 2:
        raise ValueError(f"multi_dot: needs at least two arrays, got {len(arrays)}")
    if len(arrays) == 2:
        return _dot(arrays[0], arrays[1])
    first, last = len(shape(arrays[0])), len(shape(arrays[-1]))
    if first == 1:
        arrays[0] = reshape(arrays[0], (1, -1))
    if last == 1:
        arrays[-1] = reshape(arrays[-1], (-1, 1))
    shapes = [shape(x) for x in arrays]
    for k, s in enumerate(shapes):
        if len(s) != 2:
            raise np.linalg.LinAlgError(
                f"multi_dot: array {k} has shape {s}; the arrays must be matrices (a "
                f"vector only first or last)")
    split = _chain_order([s[0] for s in shapes] + [shapes[-1][1]])

    def product(i, j):
        if i == j:
            return arrays[i]
        k = split[i][j]
        return _matmul(product(i, k), product(k + 1, j))

    result = product(0, len(arrays) - 1)
    if first == 1 and last == 1:
        return lookup("getitem")(result, idx=(0, 0))
    if first == 1 or last == 1:
        return ravel(result)
    return result


def _one_axis(a):
    """One core axis from an entry of numpy's ``axes=`` (an int or a 1-tuple)."""
    return a[0] if isinstance(a, (tuple, list)) else a


def _ufunc_vecdot(x1, x2, axes, axis, keepdims):
    """numpy.vecdot with the gufunc options: the core axis of each operand from
    ``axes`` or ``axis`` (the last by default), and with ``keepdims`` the output's
    axis of length 1 where ``axes``' third entry or ``axis`` puts it."""
    xv1, xv2 = example(x1), example(x2)  # numpy's checks, the output's shape
    want = np.vecdot(xv1, xv2, **({} if axes is None else {"axes": axes}),
                     **({} if axis is None else {"axis": axis}), keepdims=keepdims)
    if axes is not None:
        c1, c2 = _one_axis(axes[0]), _one_axis(axes[1])
        out_ax = _one_axis(axes[2]) if len(axes) > 2 and axes[2] not in ((), []) else -1
    else:
        c1 = c2 = out_ax = -1 if axis is None else axis
    s1, s2 = shape(x1), shape(x2)
    a1 = normalize_axis("vecdot", c1, len(s1), s1)
    a2 = normalize_axis("vecdot", c2, len(s2), s2)
    if np.iscomplexobj(xv1):
        x1 = conj(x1)
    r = _sum(multiply(moveaxis(x1, a1, -1), moveaxis(x2, a2, -1)), axis=-1,
             keepdims=keepdims)
    if keepdims:
        oa = normalize_axis("vecdot", out_ax, np.ndim(want), np.shape(want))
        if oa != np.ndim(want) - 1:
            r = moveaxis(r, -1, oa)
    return r


def vecdot(x1, x2, /, out=None, *, axis=None, axes=None, keepdims=False, **kwargs):
    """numpy.vecdot and numpy.linalg.vecdot: sum(conj(x1) * x2) along ``axis`` (the
    last by default; numpy's ``axes=`` and ``keepdims`` too) of each, the other axes
    broadcast.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(wnp.linalg.vecdot)(wnp.array([1.0, 2.0]), wnp.array([3.0, 4.0]))
    array([3., 4.])
    """
    no_out("vecdot", out)
    if not (is_boxed(x1) or is_boxed(x2)):
        if axes is None and not keepdims and not kwargs:
            return np.linalg.vecdot(x1, x2, axis=-1 if axis is None else axis)
        return np.vecdot(x1, x2, **({} if axes is None else {"axes": axes}),
                         **({} if axis is None else {"axis": axis}), keepdims=keepdims,
                         **kwargs)
    if kwargs:
        raise TypeError(f"vecdot: {sorted(kwargs)} are not supported on traced values")
    if axes is not None or keepdims or axis not in (None, -1):
        return _ufunc_vecdot(x1, x2, axes, axis, keepdims)  # numpy's checks inside
    axis = -1
    s1, s2 = shape(x1), shape(x2)
    if not s1 or not s2:
        raise ValueError(f"vecdot: needs arrays of at least one dimension, got shapes {s1} "
                         f"and {s2}")
    a1 = normalize_axis("vecdot", axis, len(s1), s1)
    a2 = normalize_axis("vecdot", axis, len(s2), s2)
    if s1[a1] != s2[a2]:
        raise ValueError(f"vecdot: axis {axis} has size {s1[a1]} in shape {s1} but {s2[a2]} "
                         f"in shape {s2}")
    if np.iscomplexobj(unbox_all(x1)):
        x1 = conj(x1)
    return _sum(multiply(moveaxis(x1, a1, -1), moveaxis(x2, a2, -1)), axis=-1)


def _core_last(x, ax):
    return x if ax == len(shape(x)) - 1 else moveaxis(x, ax, -1)


def _matvec_like(who, np_fn, x1, x2, out, axes, axis, keepdims, kwargs):
    no_out(who, out)
    if not (is_boxed(x1) or is_boxed(x2)):
        return np_fn(x1, x2, **({} if axes is None else {"axes": axes}),
                     **({} if axis is None else {"axis": axis}),
                     **({"keepdims": True} if keepdims else {}), **kwargs)
    if kwargs:
        raise TypeError(f"{who}: {sorted(kwargs)} are not supported on traced values")
    if axis is not None:
        raise TypeError(f"{who}: axis= needs one core axis per operand; use axes=")
    if keepdims:
        raise TypeError(f"{who}: keepdims is not supported (numpy's {who} has a core "
                        f"axis in its output)")
    # numpy's checks (core sizes, broadcasting, axes) on the values
    want = np_fn(example(x1), example(x2), **({} if axes is None else {"axes": axes}))
    s1, s2 = shape(x1), shape(x2)
    if axes is None:
        axes = [(-2, -1), (-1,), (-1,)] if who == "matvec" else [(-1,), (-2, -1), (-1,)]
    mat, vec = (0, 1) if who == "matvec" else (1, 0)
    xs = [x1, x2]
    sh = [s1, s2]
    m = xs[mat]
    i, j = (normalize_axis(who, a, len(sh[mat]), sh[mat]) for a in axes[mat])
    m = moveaxis(m, (i, j), (-2, -1))
    v = _core_last(xs[vec], normalize_axis(who, axes[vec][0], len(sh[vec]), sh[vec]))
    if who == "matvec":  # sum_j A[..., i, j] v[..., j]
        r = _sum(multiply(m, expand_dims(v, -2)), axis=-1)
    else:  # sum_i conj(v[..., i]) A[..., i, j]
        if np.iscomplexobj(unbox_all(v)):
            v = conj(v)
        r = _sum(multiply(expand_dims(v, -1), m), axis=-2)
    oa = normalize_axis(who, axes[2][0], len(np.shape(want)), np.shape(want))
    return r if oa == len(np.shape(want)) - 1 else moveaxis(r, -1, oa)


def matvec(x1, x2, /, out=None, *, axes=None, axis=None, keepdims=False, **kwargs):
    """numpy.matvec (numpy 2.2): the matrix-vector product over the last axes, the
    others broadcast (no conjugation); differentiable in both.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> A = wnp.array([[1.0, 2.0], [3.0, 4.0]])
    >>> wg.grad(lambda v: wnp.sum(wnp.matvec(A, v)))(wnp.ones(2))
    array([4., 6.])
    """
    return _matvec_like("matvec", np.matvec, x1, x2, out, axes, axis, keepdims, kwargs)


def vecmat(x1, x2, /, out=None, *, axes=None, axis=None, keepdims=False, **kwargs):
    """numpy.vecmat (numpy 2.2): the vector-matrix product conj(v) A over the last
    axes, the others broadcast; differentiable in both."""
    return _matvec_like("vecmat", np.vecmat, x1, x2, out, axes, axis, keepdims, kwargs)


def cross(x1, x2, /, *, axis=-1):
    """numpy.linalg.cross: the cross product of 3-element vectors along ``axis``, the
    other axes broadcast.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wnp.linalg.cross(wnp.array([1.0, 0.0, 0.0]), wnp.array([0.0, 1.0, 0.0]))
    array([0., 0., 1.])
    """
    s1, s2 = shape(x1), shape(x2)
    a1 = normalize_axis("cross", axis, len(s1), s1) if s1 else None
    a2 = normalize_axis("cross", axis, len(s2), s2) if s2 else None
    if a1 is None or a2 is None or s1[a1] != 3 or s2[a2] != 3:
        raise ValueError(f"cross: both inputs need 3 elements along axis {axis}, got shapes "
                         f"{s1} and {s2}")
    getitem = lookup("getitem")
    u, v = moveaxis(x1, a1, -1), moveaxis(x2, a2, -1)
    p = [getitem(u, idx=(Ellipsis, i)) for i in range(3)]
    q = [getitem(v, idx=(Ellipsis, i)) for i in range(3)]
    c = stack([subtract(multiply(p[1], q[2]), multiply(p[2], q[1])),
               subtract(multiply(p[2], q[0]), multiply(p[0], q[2])),
               subtract(multiply(p[0], q[1]), multiply(p[1], q[0]))], axis=-1)
    out_axis = normalize_axis("cross", axis, len(shape(c)), shape(c))
    return c if out_axis == len(shape(c)) - 1 else moveaxis(c, -1, out_axis)


__all__ = ["matmul", "dot", "tensordot", "einsum", "outer", "inner", "vdot", "kron",
           "diagonal", "trace", "vecdot", "matvec", "vecmat"]
