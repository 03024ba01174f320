"""``linearize`` and ``linear_transpose``: the linear part of a function, kept and
reused (JAX's semantics).

``linearize(f, *primals)`` runs ``f`` once in forward mode with tangents that are
themselves traced on a reverse tape. The primal values are computed as usual; each
JVP rule then records its tangent operations on that tape, with the primal values
they need as constants. The tape is the linear program ``t -> J t``: ``f_jvp``
replays it on new tangents with the primitives themselves, so it never runs ``f``
again, costs about what the tangent half of one JVP costs, and composes with every
transform (a replay under ``vmap`` or ``grad`` is an ordinary call of those
primitives).

``linear_transpose(fun, *primals)`` records ``fun`` on a reverse tape and hands back
its backward pass: for a linear ``fun`` the VJP is the transpose, ``ct -> L^T ct``,
with no complex conjugate (as ``wengert.vjp`` and JAX). Before that it checks that
``fun`` is linear; see ``linear_transpose`` for what is checked.
"""

import numpy as np

from . import backend
from .core.pytree import tree_flatten, tree_unflatten
from .core.reverse import ReverseTrace
from .core.trace import Box, unbox_all
from .transforms import (_cast_like, _check_inputs, _check_like, _logical_full, _lower,
                         _name, _need_callable, _split_aux, traces)

__all__ = ["linearize", "linear_transpose"]


# ---------------------------------------------------------------- linearize

def linearize(fun, *primals, has_aux=False):
    """``(out, f_jvp)``: ``fun(*primals)`` and its JVP at ``primals`` as a function,
    ``f_jvp(*tangents) == jvp(fun, primals, tangents)[1]``. ``fun`` runs once; the
    tangent computation is recorded then and replayed by each call of ``f_jvp``.
    With ``has_aux=True``, ``fun`` returns ``(out, aux)`` and the result is
    ``(out, f_jvp, aux)``.

    >>> import numpy as np, wengert as wg
    >>> from wengert.linearize import linearize
    >>> out, f_jvp = linearize(lambda x: x ** 3, np.array([1.0, 2.0]))
    >>> out
    array([1., 8.])
    >>> f_jvp(np.array([1.0, 1.0]))          # 3 x**2 t
    array([ 3., 12.])
    >>> wg.vmap(f_jvp)(np.eye(2))            # one JVP per row: the Jacobian (transposed)
    array([[ 3.,  0.],
           [ 0., 12.]])

    Tangents must match the primals in structure, shape and dtype:

    >>> f_jvp(np.ones(3))
    Traceback (most recent call last):
    ...
    ValueError: linearize of <lambda>: tangent 0 has shape (3,) but its primal has shape (2,)
    """
    _need_callable("linearize", fun)
    leaves, in_def = tree_flatten(primals)
    _check_inputs("linearize", leaves, fun)
    # the tangents are inputs of a reverse tape opened first (lower level), so the
    # forward trace opened inside hands its JVP rules tangents that the tape records
    tape = traces.reverse()
    t_boxes = [tape.new_input(_logical_full(x, 0)) for x in leaves]
    in_index = [b._index for b in t_boxes]
    fwd = traces.forward()
    boxes = [fwd.new_input(x, t) for x, t in zip(leaves, t_boxes)]
    result = fun(*tree_unflatten(in_def, boxes))
    aux = None
    if has_aux:
        result, aux = _split_aux("linearize", fun, result)
    fwd.finish("linearize", fun)
    tape.finish("linearize", fun)
    out_leaves, out_def = tree_flatten(result)
    outs, out_index, out_const = [], [], []
    for o in out_leaves:
        primal, tangent = fwd.split(o)
        outs.append(primal)
        index = tape.index_of(tangent)
        out_index.append(index)
        # no recorded tangent: a constant output (tangent zero), or a rule that gave
        # a value not depending on the tangents
        out_const.append(None if index is not None else
                         _logical_full(o, 0) if tangent is None else tape.lower(tangent))
    program = _program(tape.tape, out_index)
    tape.tape = None  # the program keeps what the replay needs; free the rest

    def f_jvp(*tangents):
        if len(tangents) != len(primals):
            raise TypeError(f"linearize of {_name(fun)}: the linearized function takes "
                            f"one tangent per primal ({len(primals)}), got "
                            f"{len(tangents)}")
        t_leaves, t_def = tree_flatten(tangents)
        if t_def != in_def:
            raise ValueError(f"linearize of {_name(fun)}: tangents structure {t_def} does "
                             f"not match primals structure {in_def}")
        for k, (t, x) in enumerate(zip(t_leaves, leaves)):
            _check_like("linearize", fun, "tangent", k, t, x)
        values = _replay(program, in_index, t_leaves)
        out_t = [backend.copy_if_array(c) if i is None else values[i]
                 for i, c in zip(out_index, out_const)]
        return tree_unflatten(out_def, out_t)

    f_jvp.__name__ = f"jvp_of_{_name(fun)}"
    f_jvp.__qualname__ = f_jvp.__name__
    out = tree_unflatten(out_def, outs)
    if has_aux:
        return out, f_jvp, _lower(fwd, aux)
    return out, f_jvp


def _program(tape, out_index):
    """The steps of ``tape`` that the outputs ``out_index`` depend on, each
    ``(index, prim, args, params, parents, frees)``: ``args`` with the traced positions
    emptied (the replay fills them), ``frees`` the values no later step reads."""
    n = len(tape)
    needed = [False] * n
    for i in out_index:
        if i is not None:
            needed[i] = True
    for i in range(n - 1, -1, -1):
        if needed[i]:
            for _, p in tape[i][4]:
                needed[p] = True
    keep = {i for i in out_index if i is not None}
    last = {}  # value index -> the step that reads it last
    steps = []
    for i, (prim, args, params, _, parents) in enumerate(tape):
        if prim is None or not needed[i]:
            continue
        args = list(args)
        for pos, p in parents:
            args[pos] = None
            last[p] = len(steps)
        if prim.fwd is not None:  # the residuals of this call are recomputed by the call
            params = {k: v for k, v in params.items() if k != "residuals"}
        steps.append([i, prim, args, params, tuple(parents), []])
    for p, s in last.items():
        if p not in keep:
            steps[s][5].append(p)
    return [tuple(s) for s in steps]


def _replay(program, in_index, tangents):
    """Run the recorded linear program on ``tangents``: a list indexed like the tape."""
    n = max([s[0] for s in program] + in_index + [-1]) + 1
    values = [None] * n
    for i, t in zip(in_index, tangents):
        values[i] = t
    for i, prim, args, params, parents, frees in program:
        args = list(args)
        for pos, p in parents:
            args[pos] = values[p]
        values[i] = prim(*args, **params)
        for p in frees:
            values[p] = None
    return values


# ---------------------------------------------------------------- linear_transpose

# Which primitives are linear, and in which arguments.
# ADDITIVE: linear in the listed positions jointly (None: every position); a position
# there that is not traced must hold zeros (x + 0 is linear, x + 1 is affine).
_ADDITIVE = {
    "add": None, "subtract": None, "negative": None, "concatenate": None,
    "index_update": (0, 1), "where": (1, 2),
    "sum": (0,), "cumsum": (0,), "reshape": (0,), "transpose": (0,), "broadcast_to": (0,),
    "getitem": (0,), "untake": (0,), "real": (0,), "imag": (0,), "conj": (0,),
    "cast": (0,), "fftn": (0,), "ifftn": (0,), "rfft": (0,), "irfft": (0,),
    "fftshift": (0,), "ifftshift": (0,),
}
# PRODUCTS: linear in each listed position separately (None: every position), the
# others held constant: exactly one of them may be traced (x * c, A @ x; not x * x).
_PRODUCTS = {
    "multiply": None, "einsum": None, "matmul": (0, 1), "dot": (0, 1), "tensordot": (0, 1),
    "convolve": (0, 1), "signal_convolve": (0, 1), "conv2d": (0, 1),
    "conv2d_input_grad": (0, 1), "conv2d_weight_grad": (0, 1),
    "divide": (0,), "solve": (1,), "solve_triangular": (1,), "solve_banded": (1,),
    "solve_sylvester": (2,),
}


def linear_transpose(fun, *primals):
    """The transpose of a linear function: ``linear_transpose(fun, *primals)(ct)`` is
    the tuple of input cotangents ``L^T ct``, one per primal, where ``L`` is ``fun``.
    The primals give only the inputs' structure, shapes and dtypes; ``ct`` has the
    output's structure. For complex values the transpose is not conjugated (JAX's
    convention, the same as ``wengert.vjp``): ``x -> A @ x`` transposes to
    ``ct -> A.T @ ct``.

    >>> import numpy as np, wengert.numpy as wnp
    >>> from wengert.linearize import linear_transpose
    >>> A = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    >>> f_t = linear_transpose(lambda x: A @ x, np.zeros(2))
    >>> f_t(np.array([1.0, 0.0, 1.0]))
    (array([6., 8.]),)

    ``fun`` must be linear; a function that is not raises a ValueError:

    >>> linear_transpose(lambda x: x + 1.0, 0.0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: linear_transpose of <lambda>: the function is not linear in its inputs: \
add of an input-dependent value and a nonzero constant (at best affine; ...)

    What is checked: ``fun`` is traced at two random points and every primitive it
    applies to values that depend on the inputs must be one known to be linear in
    those arguments (sums, reshapes, indexing, FFTs, a product or solve with exactly
    one input-dependent factor), with zeros for any constant added to them; each
    output that does not depend on the inputs must be zero; and both traces must
    run the same operations on the same constants, which catches what is decided
    from the inputs' values outside the primitives (a mask ``x > 0``, a sort, an
    ``if`` on a value), unless both random points happen to decide alike. A linear
    function built from a primitive the table does not list is refused too.
    """
    _need_callable("linear_transpose", fun)
    leaves, in_def = tree_flatten(primals)
    _check_inputs("linear_transpose", leaves, fun)
    likes = [_logical_full(x, 0) for x in leaves]
    rng = np.random.default_rng(0)
    first = [backend.random_like(x, rng) for x in likes]
    # the second point: each element's sign flipped, magnitudes independent of the first
    second = [_flipped(a, backend.random_like(x, rng)) for a, x in zip(first, likes)]
    rec = _record(fun, in_def, first)
    _check_same(fun, rec, _record(fun, in_def, second))
    trace, wanted, out_def, out_index, out_vals = rec

    def transposed(ct):
        ct_leaves, ct_def = tree_flatten(ct)
        if ct_def != out_def:
            raise ValueError(f"linear_transpose of {_name(fun)}: cotangent structure "
                             f"{ct_def} does not match the output structure {out_def}")
        for k, (c, o) in enumerate(zip(ct_leaves, out_vals)):
            _check_like("linear_transpose", fun, "cotangent", k, c, o)
        seeds = [(i, _cast_like(c, o)) for i, c, o in zip(out_index, ct_leaves, out_vals)
                 if i is not None]
        grads = trace.backward(seeds, wanted)
        return tuple(tree_unflatten(in_def, [_logical_full(x, 0) if g is None else g
                                             for g, x in zip(grads, likes)]))

    transposed.__name__ = f"transpose_of_{_name(fun)}"
    transposed.__qualname__ = transposed.__name__
    return transposed


def _flipped(a, b):
    """``-sign(a) * |b|`` elementwise (real and imaginary parts apart for complex)."""
    if type(a) is float:
        return -abs(b) if a >= 0 else abs(b)
    if np.iscomplexobj(a):
        re = -np.copysign(np.abs(b.real), a.real)
        im = -np.copysign(np.abs(b.imag), a.imag)
        return np.asarray(re + 1j * im, dtype=a.dtype)
    return np.asarray(-np.copysign(np.abs(b), a), dtype=a.dtype)


class _LinearTrace(ReverseTrace):
    """A reverse tape that refuses, before running it, each operation that is not
    linear in the traced values it is given (so a function that is not linear fails
    with that reason, not with whatever its next operation does at a random point)."""

    __slots__ = ("fun",)

    def __init__(self, fun):
        super().__init__()
        self.fun = fun

    def process(self, prim, args, params):
        traced = {k for k, a in enumerate(args) if isinstance(a, Box) and a._trace is self}
        _check_op(self.fun, prim, args, params, traced)
        return ReverseTrace.process(self, prim, args, params)


def _record(fun, in_def, point):
    """``(trace, wanted, out_def, out_index, out_vals)``: ``fun`` recorded at the input
    leaves ``point``; ``wanted`` holds the inputs' tape indices, ``out_index`` each
    output leaf's (``None``: the output does not depend on the inputs)."""
    trace = _LinearTrace(fun)
    boxes = [trace.new_input(x) for x in point]
    # read before fun runs: assignment into an input (x[i] = 0) rebinds its box
    wanted = [b._index for b in boxes]
    with np.errstate(all="ignore"):  # arithmetic on a random point may warn
        result = fun(*tree_unflatten(in_def, boxes))
    trace.finish("linear_transpose", fun)
    out_leaves, out_def = tree_flatten(result)
    out_index = [trace.index_of(o) for o in out_leaves]
    out_vals = [trace.lower(o) for o in out_leaves]
    for k, (i, o) in enumerate(zip(out_index, out_vals)):
        if i is None and not (backend.is_differentiable(unbox_all(o)) and _is_zero(o)):
            raise _not_linear(fun, f"output leaf {k} does not depend on the inputs and is "
                                   f"not zero ({backend.describe(unbox_all(o))})")
    return trace, wanted, out_def, out_index, out_vals


def _not_linear(fun, why):
    return ValueError(f"linear_transpose of {_name(fun)}: the function is not linear in "
                      f"its inputs: {why}")


def _is_zero(x):
    x = unbox_all(x)
    return backend.is_numeric(x) and not np.any(np.asarray(x))


def _check_op(fun, prim, args, params, traced):
    """Refuse ``prim`` on ``args`` (traced in the positions ``traced``) unless it is
    linear in them."""
    name = prim.name
    if name in _ADDITIVE:
        where = _ADDITIVE[name]
        allowed = range(len(args)) if where is None else where
        bad = traced.difference(allowed)
        if bad:
            raise _not_linear(fun, f"{name} is not linear in its argument {min(bad)}, "
                                   f"which depends on the inputs")
        for pos in allowed:
            if pos not in traced and pos < len(args) and not _is_zero(args[pos]):
                raise _not_linear(fun, f"{name} of an input-dependent value and a nonzero "
                                       f"constant (at best affine; linear means L(0) = 0)")
        if name == "cast" and np.dtype(params["dtype"]).kind not in "fc":
            raise _not_linear(fun, f"cast to {np.dtype(params['dtype'])}")
    elif name in _PRODUCTS:
        where = _PRODUCTS[name]
        bad = set() if where is None else traced.difference(where)
        if bad:
            raise _not_linear(fun, f"{name} is not linear in its argument {min(bad)}, "
                                   f"which depends on the inputs")
        if len(traced) > 1:
            raise _not_linear(fun, f"{name} of {len(traced)} values that depend on the "
                                   f"inputs (a product of inputs is not linear)")
    else:
        raise _not_linear(fun, f"{name} is applied to a value that depends on the inputs, "
                               f"and {name} is not a linear operation")


def _check_same(fun, rec, rec2):
    """Refuse a function whose two recordings differ in their operations or constants."""
    tape, tape2 = rec[0].tape, rec2[0].tape
    same = len(tape) == len(tape2) and rec[2:4] == rec2[2:4]
    if same:
        for (prim, args, params, _, parents), (prim2, args2, params2, _, parents2) in \
                zip(tape, tape2):
            if prim is not prim2 or list(parents) != list(parents2):
                same = False
                break
            traced = {pos for pos, _ in parents}
            consts = [a for k, a in enumerate(args) if k not in traced]
            consts2 = [a for k, a in enumerate(args2) if k not in traced]
            if prim is not None and not (_same(consts, consts2) and _same(params, params2)):
                same = False
                break
    if not same:
        raise _not_linear(fun, "its operations or their constants change with the input "
                               "values (a mask such as x > 0, a sort, max/abs, or an if on a "
                               "value), so it is at most piecewise linear")


def _same(a, b):
    """Are two recorded constants (arrays, numbers, slices, nested containers) equal?"""
    a, b = unbox_all(a), unbox_all(b)
    if a is b:
        return True
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return (isinstance(b, dict) and a.keys() == b.keys()
                and all(_same(a[k], b[k]) for k in a))
    if isinstance(a, (np.ndarray, np.generic)) or isinstance(b, (np.ndarray, np.generic)):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, (float, complex)) and isinstance(b, (float, complex)):
        return a == b or (a != a and b != b)
    if isinstance(a, Box) or isinstance(b, Box):
        return False
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False
