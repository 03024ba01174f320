"""Function transforms: each a few lines over ``vjp`` and ``jvp``.

Argument selection (``argnums``) and pytrees are handled once, here, by
``_select`` and the flatten/unflatten pair.
"""

import functools
import operator
from types import SimpleNamespace

from . import backend
from .display import Table
from .core.batching import BatchTrace, logical_shape
from .core.forward import ForwardTrace
from .core.primitive import Primitive
from .core.pytree import tree_flatten, tree_map, tree_unflatten
from .core.reverse import ReverseTrace
from .core.trace import Box, unbox_all
from .rules.complex import cast
from .rules.indexing import getitem_
from .rules.shape import broadcast_to, concatenate, moveaxis, reshape

__all__ = ["vmap", "vjp", "jvp", "grad", "value_and_grad", "elementwise_grad", "jacfwd", "jacrev",
           "jacobian", "hessian", "hvp", "derivative", "stop_gradient", "checkpoint",
           "primitive", "defvjp", "defjvp", "custom_vjp", "custom_jvp"]


# The trace classes the transforms open: anomaly mode (wengert.anomaly) swaps in
# checking subclasses while it is on, so the plain ones pay nothing for it.
traces = SimpleNamespace(reverse=ReverseTrace, forward=ForwardTrace)


def _name(fun):
    return getattr(fun, "__name__", type(fun).__name__)


def _check_inputs(who, leaves, fun):
    for k, x in enumerate(leaves):
        plain = unbox_all(x)
        if not backend.is_numeric(plain):
            raise TypeError(f"{who}: cannot differentiate {_name(fun)} with respect to "
                            f"{backend.describe(plain)}: inputs must be float or complex "
                            f"numbers or arrays (input leaf {k})")
        if not backend.is_differentiable(plain):
            raise TypeError(f"{who}: cannot differentiate {_name(fun)} with respect to "
                            f"the integer/bool input {backend.describe(plain)} (input leaf "
                            f"{k}); pass floats, e.g. 2.0 instead of 2 or x.astype(float)")


def _private_copy(tree):
    """``tree`` with each plain numpy array replaced by a copy, for a call of the
    user's function on plain values: a function that assigns into its argument
    (``x[0] = ...``) must never change the array the caller passed."""
    return tree_map(backend.copy_if_array, tree)


def _lower(trace, tree):
    """Values of ``tree`` one level below ``trace`` (strip only this trace's boxes)."""
    return tree_map(trace.lower, tree)


# ---------------------------------------------------------------- vjp and jvp

def vjp(fun, *primals, has_aux=False):
    """Reverse mode: ``(out, vjp_fn)`` with ``vjp_fn(ct)`` the tuple of cotangents
    for ``primals``.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> out, f_vjp = wg.vjp(wnp.sin, 0.0)
    >>> f_vjp(1.0)
    (1.0,)
    """
    _need_callable("vjp", fun)
    out, vjp_fn, aux, _ = _vjp("vjp", fun, primals, has_aux)
    return (out, vjp_fn, aux) if has_aux else (out, vjp_fn)


def _vjp(who, fun, primals, has_aux):
    """``(out, vjp_fn, aux, trace)``: ``vjp`` for the transforms built on it, which
    name themselves (``who``) in errors and may free the trace when done."""
    leaves, in_def = tree_flatten(primals)
    _check_inputs(who, leaves, fun)
    trace = traces.reverse()
    boxes = [trace.new_input(x) for x in leaves]
    # the inputs' tape entries, read before fun runs (assignment into an input, x[i] = y,
    # rebinds its box to a later entry)
    wanted = [b._index for b in boxes]
    result = fun(*tree_unflatten(in_def, boxes))
    aux = None
    if has_aux:
        result, aux = _split_aux(who, fun, result)
        aux = _lower(trace, aux)
    out_leaves, out_def = tree_flatten(result)
    out_index = [trace.index_of(o) for o in out_leaves]
    out_vals = [trace.lower(o) for o in out_leaves]
    trace.finish(who, fun)

    def vjp_fn(ct):
        ct_leaves, ct_def = tree_flatten(ct)
        if ct_def != out_def:
            raise ValueError(f"vjp of {_name(fun)}: cotangent structure {ct_def} does not "
                             f"match the output structure {out_def}")
        for k, (c, o) in enumerate(zip(ct_leaves, out_vals)):
            _check_like(who, fun, "cotangent", k, c, o)
        seeds = [(i, _cast_like(c, o)) for i, c, o in zip(out_index, ct_leaves, out_vals)
                 if i is not None]
        grads = trace.backward(seeds, wanted)
        grads = [_logical_full(x, 0) if g is None else g for g, x in zip(grads, leaves)]
        for k, g in enumerate(grads):
            gs, xs = logical_shape(g), logical_shape(leaves[k])
            if gs != xs:
                raise ValueError(f"{who} of {_name(fun)}: the reverse rules gave a cotangent "
                                 f"of shape {gs} for input {k} of shape {xs}; a VJP rule "
                                 f"returns the wrong shape")
        return tree_unflatten(in_def, grads)

    return tree_unflatten(out_def, out_vals), vjp_fn, aux, trace


def _cast_like(ct, out):
    """The cotangent ``ct`` in the dtype of the output ``out`` it seeds (a float32
    cotangent for a float64 output is widened, and the other way round), so that each
    input's derivative keeps that input's own dtype, as its value does."""
    c, o = unbox_all(ct), unbox_all(out)
    if type(c) is float or backend.dtype_of(c) == backend.dtype_of(o):
        return ct
    return cast(ct, dtype=backend.dtype_of(o))


def jvp(fun, primals, tangents, has_aux=False):
    """Forward mode: ``(out, out_tangent)`` pushing ``tangents`` through ``fun``.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.jvp(wnp.sin, (0.0,), (2.0,))
    (0.0, 2.0)
    """
    _need_callable("jvp", fun)
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError(f"jvp of {_name(fun)}: primals and tangents must be tuples or "
                        f"lists (got {type(primals).__name__} and "
                        f"{type(tangents).__name__})")
    leaves, in_def = tree_flatten(tuple(primals))
    t_leaves, t_def = tree_flatten(tuple(tangents))
    if t_def != in_def:
        raise ValueError(f"jvp of {_name(fun)}: tangents structure {t_def} does not match "
                         f"primals structure {in_def}")
    _check_inputs("jvp", leaves, fun)
    for k, (x, t) in enumerate(zip(leaves, t_leaves)):
        _check_like("jvp", fun, "tangent", k, t, x)
    trace = traces.forward()
    boxes = [trace.new_input(x, t) for x, t in zip(leaves, t_leaves)]
    result = fun(*tree_unflatten(in_def, boxes))
    if has_aux:
        result, aux = _split_aux("jvp", fun, result)
    trace.finish("jvp", fun)
    out_leaves, out_def = tree_flatten(result)
    outs, out_ts = [], []
    for o in out_leaves:
        primal, tangent = trace.split(o)
        outs.append(primal)
        out_ts.append(_logical_full(o, 0) if tangent is None else tangent)
    res = tree_unflatten(out_def, outs), tree_unflatten(out_def, out_ts)
    if has_aux:
        return res + (_lower(trace, aux),)
    return res


def _logical_size(x):
    size = 1
    for n in logical_shape(x):
        size *= n
    return size


def _logical_full(x, value):
    """A plain array (or float) of ``x``'s logical shape and dtype filled with
    ``value``: the same for every example of any vmap around."""
    plain = unbox_all(x)
    if logical_shape(x) == backend.shape(plain):
        return backend.ones_like(plain) if value == 1 else backend.zeros_like(plain)
    return backend.full_of(logical_shape(x), backend.dtype_of(plain), value)


def _check_like(who, fun, what, k, value, like):
    """Refuse leaf ``k`` of a tangent (``what="tangent"``, ``like`` its primal) or of a
    cotangent (``what="cotangent"``, ``like`` its output) that does not match: it must
    be numeric and of the same shape; a tangent has its primal's dtype exactly, a
    cotangent its output's kind (real for a real output, complex for a complex one)."""
    v, u = unbox_all(value), unbox_all(like)
    tangent = what == "tangent"
    role = "primal" if tangent else "output"
    head = f"{who} of {_name(fun)}: {what} {k}"
    if not backend.is_numeric(v) or (tangent and not backend.is_differentiable(v)):
        need = "float or complex like their primals" if tangent else "numbers or arrays"
        raise ValueError(f"{head} is {backend.describe(v)}; {what}s must be {need}")
    vs, us = logical_shape(value), logical_shape(like)
    if vs != us:
        raise ValueError(f"{head} has shape {vs} but its {role} has shape {us}")
    vd, ud = backend.dtype_of(v), backend.dtype_of(u)
    if (vd != ud) if tangent else ((vd.kind == "c") != (ud.kind == "c")):
        raise ValueError(f"{head} dtype {vd} does not match {role} dtype {ud}"
                         + ("" if tangent else
                            " (real for a real output, complex for a complex one)"))


def _split_aux(who, fun, result):
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        raise TypeError(f"{who} of {_name(fun)} with has_aux=True: the function must "
                        f"return a pair (output, aux), got {type(result).__name__}")
    return result[0], result[1]


# ---------------------------------------------------------------- vmap

def vmap(fun, in_axes=0, out_axes=0, axis_size=None):
    """``fun`` mapped over an axis of its arguments, as one computation on the whole
    batch (JAX's ``vmap``): ``in_axes`` says which axis of each argument is the batch
    axis (an int, ``None`` for an argument shared by every example, or a pytree prefix
    of the arguments), ``out_axes`` where the batch axis goes in the outputs.

    >>> import numpy as np, wengert as wg, wengert.numpy as wnp
    >>> wg.vmap(lambda x, w: wnp.sum(x * w), in_axes=(0, None))(np.ones((3, 2)), np.arange(2.0))
    array([1., 1., 1.])
    >>> per_example = wg.vmap(wg.grad(lambda w, x: wnp.sum(wnp.sin(x @ w))), in_axes=(None, 0))
    >>> per_example(np.ones(2), np.zeros((4, 2))).shape
    (4, 2)
    """
    _need_callable("vmap", fun)
    if axis_size is not None and (isinstance(axis_size, bool) or _integer(axis_size) is None
                                  or axis_size < 0):
        raise TypeError(f"vmap({_name(fun)}): axis_size must be a non-negative int, got "
                        f"{axis_size!r}")

    @functools.wraps(fun)
    def vmapped(*args, **kwargs):
        leaves, in_def = tree_flatten(args)
        axes = _prefix_leaves("vmap", fun, "in_axes", in_axes, args)
        size, sizes = axis_size, []
        for k, (x, a) in enumerate(zip(leaves, axes)):
            if a is None:
                continue
            shp = logical_shape(x)
            if not -len(shp) <= a < len(shp):
                raise ValueError(f"vmap({_name(fun)}): in_axes {a} is out of range for "
                                 f"argument leaf {k} of shape {shp}")
            sizes.append((k, shp[a % len(shp)]))
        if size is None:
            if not sizes:
                raise ValueError(f"vmap({_name(fun)}): no argument is batched (every "
                                 f"in_axes is None) and axis_size is not given")
            size = sizes[0][1]
        if any(n != size for _, n in sizes):
            listed = ", ".join(f"leaf {k}: {n}" for k, n in sizes)
            raise ValueError(f"vmap({_name(fun)}): the batched arguments have different "
                             f"sizes along their in_axes ({listed}"
                             + (f"; axis_size {axis_size}" if axis_size is not None else "")
                             + ")")
        trace = BatchTrace(size)
        boxes = [x if a is None else
                 trace.new_input(x, a % len(logical_shape(x)))
                 for x, a in zip(leaves, axes)]
        out = fun(*tree_unflatten(in_def, boxes), **kwargs)
        trace.finish("vmap", fun)
        out_leaves, out_def = tree_flatten(out)
        oaxes = _prefix_leaves("vmap", fun, "out_axes", out_axes, out)
        results = []
        for k, (o, a) in enumerate(zip(out_leaves, oaxes)):
            v, d = trace.split(o)
            if a is None:
                if d is not None:
                    raise ValueError(f"vmap({_name(fun)}): out_axes is None for output "
                                     f"leaf {k}, but it is batched (axis {d}, size {size}); "
                                     f"give it an axis, or return something the same for "
                                     f"every example")
                results.append(v)
                continue
            if d is None:  # the same for every example: repeated along the batch axis
                shp = logical_shape(v)
                v = broadcast_to(reshape(v, newshape=(1,) + shp), shape=(size,) + shp)
                d = 0
            nd = len(logical_shape(v))
            if not -nd <= a < nd:
                raise ValueError(f"vmap({_name(fun)}): out_axes {a} is out of range for "
                                 f"output leaf {k}, which has {nd} axes with the batch axis")
            a %= nd
            results.append(v if a == d else moveaxis(v, d, a))
        return tree_unflatten(out_def, results)

    return vmapped


def _prefix_leaves(who, fun, what, spec, tree):
    """``spec`` (an int, None, or a pytree prefix of ``tree``) as one entry per leaf."""
    if spec is None or (isinstance(spec, int) and not isinstance(spec, bool)):
        return [spec] * len(tree_flatten(tree)[0])
    if _integer(spec) is not None and not backend.is_bool(spec):
        return [_integer(spec)] * len(tree_flatten(tree)[0])
    if isinstance(spec, (tuple, list)) and isinstance(tree, (tuple, list)):
        if len(spec) != len(tree):
            raise ValueError(f"{who}({_name(fun)}): {what} has {len(spec)} entries but "
                             f"there are {len(tree)} (it must be an int, None, or match "
                             f"the structure)")
        return [x for s, t in zip(spec, tree) for x in _prefix_leaves(who, fun, what, s, t)]
    if isinstance(spec, dict) and isinstance(tree, dict):
        if set(spec) != set(tree):
            raise ValueError(f"{who}({_name(fun)}): {what} has keys {sorted(spec)} but the "
                             f"value has keys {sorted(tree)}")
        leaves = []
        keys = sorted(tree) if all(isinstance(k, str) for k in tree) else list(tree)
        for key in keys:
            leaves += _prefix_leaves(who, fun, what, spec[key], tree[key])
        return leaves
    raise TypeError(f"{who}({_name(fun)}): {what} must be an int, None, or a tuple/list/"
                    f"dict matching the arguments, got {spec!r}")


# ---------------------------------------------------------------- argnums

def _need_callable(who, fun):
    if not callable(fun):
        raise TypeError(f"{who}: expected a function to differentiate, got "
                        f"{backend.describe(fun)}")


def check_argnums(who, fun, argnums, argnum):
    _need_callable(who, fun)
    if argnum is not None:
        argnums = argnum
    if isinstance(argnums, (tuple, list)):
        nums = tuple(_integer(a) for a in argnums)
        if not nums or None in nums:
            raise TypeError(f"{who}({_name(fun)}): argnums must be an int or a non-empty "
                            f"tuple of ints, got {argnums!r}")
        return nums
    num = _integer(argnums)
    if num is None:
        raise TypeError(f"{who}({_name(fun)}): argnums must be an int or a tuple of ints, "
                        f"got {argnums!r}")
    return num


def _integer(a):
    """``a`` as a Python int when it is an integer (numpy's too), else ``None``; a
    bool is not an argument number."""
    if backend.is_bool(a):
        return None
    try:
        return operator.index(a)
    except TypeError:
        return None


def argnum_positions(who, fun, argnums, n):
    """The non-negative positions that ``argnums`` (checked by ``_argnums``) names in
    a call with ``n`` positional arguments: in range and each named once."""
    nums = argnums if isinstance(argnums, tuple) else (argnums,)
    for a in nums:
        if not -n <= a < n:
            raise ValueError(f"{who}({_name(fun)}): argnums {argnums!r} is out of range "
                             f"for a call with {n} positional argument(s)")
    nums = tuple(a % n for a in nums)
    if len(set(nums)) != len(nums):
        raise ValueError(f"{who}({_name(fun)}): argnums {argnums!r} names the same "
                         f"argument more than once")
    return nums


def _select(who, fun, argnums, args, kwargs):
    """``(f_sel, chosen)``: ``fun`` as a function of the chosen arguments only."""
    nums = argnum_positions(who, fun, argnums, len(args))

    def f_sel(*chosen):
        full = list(args)
        for a, v in zip(nums, chosen):
            full[a] = v
        return fun(*full, **kwargs)

    f_sel.__name__ = _name(fun)
    return f_sel, tuple(args[a] for a in nums)


def _first_or_tuple(argnums, parts):
    return parts if isinstance(argnums, tuple) else parts[0]


# ---------------------------------------------------------------- gradients

def value_and_grad(fun, argnums=0, has_aux=False, *, argnum=None):
    """``(value, gradient)`` of a scalar-valued ``fun``.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> f = lambda x1, x2: wnp.log(x1) + x1 * x2 - wnp.sin(x2)
    >>> wg.value_and_grad(f, argnums=(0, 1))(2.0, 5.0)
    (11.652071455223084, (5.5, 1.7163378145367738))
    """
    argnums = check_argnums("value_and_grad", fun, argnums, argnum)

    @functools.wraps(fun)
    def value_and_grad_fun(*args, **kwargs):
        f_sel, chosen = _select("grad", fun, argnums, args, kwargs)
        out, f_vjp, aux, trace = _vjp("grad", f_sel, chosen, has_aux)
        plain = unbox_all(out)
        if isinstance(plain, (list, tuple, dict)) or not backend.is_numeric(plain) \
                or _logical_size(out) != 1 \
                or backend.dtype_of(plain).kind != "f":
            what = backend.describe(plain)
            if backend.is_numeric(plain) and not backend.is_differentiable(plain):
                what = (f"{what}, an integer or bool, which has no derivative (a float "
                        f"output is needed, e.g. 1.0 * n)")
            raise TypeError(f"grad of {_name(fun)}: the function must return a real scalar "
                            f"(a float, or a float array with exactly one element), but it "
                            f"returned {what}; use jacobian, vjp or elementwise_grad for "
                            f"other outputs")
        trace.consume = True  # one backward pass: it frees the record as it goes
        g = _first_or_tuple(argnums, f_vjp(_logical_full(out, 1)))
        trace.tape = None
        return ((out, aux), g) if has_aux else (out, g)

    return value_and_grad_fun


def grad(fun, argnums=0, has_aux=False, *, argnum=None):
    """The gradient of a scalar-valued ``fun`` with respect to ``args[argnums]``.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(lambda x: x * wnp.sin(x))(0.0)
    0.0
    """
    vg = value_and_grad(fun, argnums, has_aux, argnum=argnum)

    @functools.wraps(fun)
    def grad_fun(*args, **kwargs):
        value, g = vg(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return grad_fun


def elementwise_grad(fun, argnums=0, *, argnum=None):
    """The VJP of ``fun`` with a cotangent of ones: the derivative of an elementwise
    function at every point.

    >>> import numpy as np, wengert as wg, wengert.numpy as wnp
    >>> wg.elementwise_grad(wnp.sin)(np.zeros(2))
    array([1., 1.])
    """
    argnums = check_argnums("elementwise_grad", fun, argnums, argnum)

    @functools.wraps(fun)
    def egrad(*args, **kwargs):
        f_sel, chosen = _select("elementwise_grad", fun, argnums, args, kwargs)
        out, f_vjp = vjp(f_sel, *chosen)
        return _first_or_tuple(argnums, f_vjp(tree_map(lambda o: _logical_full(o, 1), out)))

    return egrad


# ---------------------------------------------------------------- jacobians
#
# A Jacobian is n JVPs (one per input element) or m VJPs (one per output element) with
# one-hot seeds. They run as one batched pass: the seeds are stacked along a new axis
# (rows of the identity) and pushed through ``vmap`` of ``jvp`` or of the VJP function,
# so each primitive runs once on arrays one axis wider instead of n or m times.
# ``chunk_size`` caps how many seeds a pass carries, bounding its memory. Without it,
# a pass carries every seed unless their one-hot block (seeds x elements) would pass
# _SEED_BUDGET elements; then the passes are as few as keep each block under it (the
# second derivative of a function with 10^5 outputs would otherwise ask for a 10^10
# element identity).

_SEED_BUDGET = 1 << 24


def _check_outputs(who, fun, out_leaves):
    for o in out_leaves:
        if not backend.is_differentiable(unbox_all(o)):
            raise TypeError(f"{who} of {_name(fun)}: outputs must be float or complex "
                            f"numbers or arrays, got {backend.describe(unbox_all(o))}")


def _check_chunk_size(who, fun, chunk_size):
    """``chunk_size`` as an int (or None: all seeds in one pass)."""
    if chunk_size is None:
        return None
    size = _integer(chunk_size)
    if size is None:
        raise TypeError(f"{who}({_name(fun)}): chunk_size must be None or a positive int, "
                        f"got {chunk_size!r}")
    if size < 1:
        raise ValueError(f"{who}({_name(fun)}): chunk_size must be a positive int (the "
                         f"most one-hot seeds per batched pass), got {size}")
    return size


def _one_hot_rows(leaves, start, stop):
    """Rows ``start .. stop-1`` of the identity over all the elements of ``leaves`` (C
    order, leaf after leaf), split by leaf: leaf k gets a plain array of shape
    ``(stop - start,) + its logical shape`` in its own dtype."""
    width = stop - start
    parts, offset = [], 0
    for x in leaves:
        size = _logical_size(x)
        block = backend.full_of((width, size), backend.dtype_of(unbox_all(x)), 0)
        # entry (r, c) is one where start + r == offset + c: a stretch of one diagonal,
        # every (size + 1)-th element of the flat block from (r0, c0) on
        r0, c0 = max(offset - start, 0), max(start - offset, 0)
        count = min(width - r0, size - c0)
        if count > 0:
            flat = backend.reshape(block, (-1,))
            flat[r0 * size + c0::size + 1][:count] = 1
        parts.append(backend.reshape(block, (width,) + logical_shape(x)))
        offset += size
    return parts


def _one_hot(likes, k):
    """Seed ``k`` alone, one leaf per leaf of ``likes`` (no batch axis): ones at element
    ``k`` of the elements counted across the leaves, zeros elsewhere, each leaf shaped
    and typed as its like (a Python float for a Python float)."""
    seeds, offset = [], 0
    for x in likes:
        size = _logical_size(x)
        if not offset <= k < offset + size:
            seeds.append(_logical_full(x, 0))
        elif size == 1:
            seeds.append(_logical_full(x, 1))
        else:
            seeds.append(_one_hot_rows([x], k - offset, k - offset + 1)[0][0, ...])
        offset += size
    return seeds


def _push(fn, likes, start, stop):
    """``fn`` (a list of seed leaves -> a list of result leaves) applied to seeds
    ``start .. stop-1`` as one batched pass: the results, stacked along a first axis.
    A batch of one runs ``fn`` directly, with no batching level."""
    if stop - start == 1:
        return [_reshape(o, (1,) + logical_shape(o)) for o in fn(_one_hot(likes, start))]
    return vmap(fn)(_one_hot_rows(likes, start, stop))


def _reshape(x, shp):
    """``x`` reshaped: numpy's own call for a plain array, the primitive for a traced
    one (an outer transform differentiates or batches through the assembly)."""
    return reshape(x, newshape=shp) if isinstance(x, Box) else backend.reshape(x, shp)


def _chunks(total, chunk):
    """``(start, stop)`` of each batched pass over ``total`` seeds."""
    step = chunk
    if step is None:  # all at once, or as few even passes as the budget allows
        cap = max(1, _SEED_BUDGET // max(total, 1))
        passes = -(-total // cap)
        step = max(1, -(-total // max(passes, 1)))
    return [(a, min(a + step, total)) for a in range(0, total, step)]


def _join(parts):
    """Results of the chunks, one array along the first axis."""
    return parts[0] if len(parts) == 1 else concatenate(parts, axis=0)


def _rows_of(stacked, start, stop):
    """``stacked[start:stop]``, as a primitive (``stacked`` may be traced)."""
    if start == 0 and stop == logical_shape(stacked)[0]:
        return stacked
    return getitem_(stacked, (slice(start, stop),))


def _offsets(leaves):
    sizes = [_logical_size(x) for x in leaves]
    starts = [0]
    for s in sizes:
        starts.append(starts[-1] + s)
    return list(zip(starts, starts[1:]))


def _blocks(out_leaves, in_leaves, stacked, by_rows):
    """Jacobian blocks of shape ``out.shape + in.shape`` from the stacked results of
    the batched passes: with ``by_rows`` (reverse mode) ``stacked[i]`` holds, for input
    leaf i, one cotangent row per output element (``(m, *in_shape)``); otherwise
    (forward mode) ``stacked[j]`` holds, for output leaf j, one tangent per input
    element (``(n, *out_shape)``)."""
    spans = _offsets(out_leaves if by_rows else in_leaves)
    blocks = []
    for j, o in enumerate(out_leaves):
        o_shape = logical_shape(o)
        row = []
        for i, x in enumerate(in_leaves):
            x_shape = logical_shape(x)
            start, stop = spans[j] if by_rows else spans[i]
            if stacked is None or start == stop:  # the input or the output is empty
                row.append(_empty_block(o, o_shape + x_shape))
                continue
            if by_rows:  # (m_j, *x_shape) -> o_shape + x_shape
                part = _rows_of(stacked[i], start, stop)
            else:  # (n_i, *o_shape) -> (o_size, n_i) -> o_shape + x_shape
                part = _rows_of(stacked[j], start, stop)
                if stop - start > 1 and functools.reduce(operator.mul, o_shape, 1) > 1:
                    part = _reshape(part, (stop - start, -1))
                    part = moveaxis(part, 0, 1) if isinstance(part, Box) else part.T
            block = _reshape(part, o_shape + x_shape)
            row.append(_maybe_float(block, o_shape + x_shape))
        blocks.append(row)
    return blocks


def _empty_block(o, shp):
    """Zeros of shape ``shp`` (which has no elements) with the dtype of output ``o``."""
    none_of_o = backend.reshape(backend.zeros_like(unbox_all(o)), (-1,))[:0]
    return backend.reshape(none_of_o, shp)


def _maybe_float(x, shp):
    # a scalar-to-scalar Jacobian is a scalar, not a 0-d array
    if shp == () and not isinstance(x, Box):
        return x[()]
    return x


def _assemble(blocks, out_def, in_def, argnums):
    per_out = [tree_unflatten(in_def, row) for row in blocks]
    if isinstance(argnums, tuple):
        return tree_unflatten(out_def, per_out)
    return tree_unflatten(out_def, [p[0] for p in per_out])


def _run_passes(total, chunk, fn, likes, fun):
    """Push all ``total`` one-hot seeds over ``likes`` through ``fn`` in batched passes
    of at most ``chunk``: ``(stacked result leaves or None, info)``, info counting the
    products, the passes and the widest pass.

    A batched pass that raises is run again one seed at a time, with no batching level,
    as the Jacobian was computed before passes were batched: a custom rule written with
    numpy conversions (``np.asarray(g)``) works on one plain cotangent but not on a
    batch of them. The loop gives the right numbers (or raises the error itself); a
    warning says that it ran and why."""
    spans = _chunks(total, chunk)
    if not spans:
        return None, SimpleNamespace(products=0, passes=0, width=0, chunk_size=chunk,
                                     unbatched=None)
    results, widths, unbatched, warn = [], [], None, False
    for a, b in spans:
        if unbatched is None:
            try:
                results.append(_push(fn, likes, a, b))
                widths.append(b - a)
                continue
            except Exception as err:
                if b - a == 1:
                    raise
                unbatched, warn = f"{type(err).__name__}: {err}", True
        # one seed at a time, with no batching level; an error of the function itself
        # (no batching failure) raises here, before any warning
        results += [_push(fn, likes, k, k + 1) for k in range(a, b)]
        widths += [1] * (b - a)
        if warn:
            _warn_unbatched(fun, unbatched)
            warn = False
    stacked = [_join(list(parts)) for parts in zip(*results)]
    return stacked, SimpleNamespace(products=total, passes=len(widths), width=max(widths),
                                    chunk_size=chunk, unbatched=unbatched)


def _warn_unbatched(fun, why):
    import warnings
    if len(why) > 300:
        why = why[:300] + "..."
    warnings.warn(f"jacobian of {_name(fun)}: the batched pass raised ({why}); the "
                  f"Jacobian was computed with one pass per seed instead, which is slower. "
                  f"A custom rule (defvjp, defjvp, custom_vjp, custom_jvp) that turns its "
                  f"tangent or cotangent into a numpy array cannot take a batch of them: "
                  f"write it with wengert.numpy functions", RuntimeWarning, stacklevel=5)


def _jacrev_passes(f_sel, chosen, chunk=None):
    out, f_vjp = vjp(f_sel, *chosen)
    out_leaves, out_def = tree_flatten(out)
    _check_outputs("jacobian", f_sel, out_leaves)
    in_leaves, in_def = tree_flatten(chosen)

    def pull(cts):  # one-hot cotangents -> their rows of the Jacobian, by input leaf
        return tree_flatten(f_vjp(tree_unflatten(out_def, cts)))[0]

    m = sum(_logical_size(o) for o in out_leaves)
    stacked, info = _run_passes(m, chunk, pull, out_leaves, f_sel)
    blocks = _blocks(out_leaves, in_leaves, stacked, by_rows=True)
    return blocks, out_def, in_def, info, out_leaves, in_leaves


def _jacfwd_passes(f_sel, chosen, chunk=None):
    in_leaves, in_def = tree_flatten(chosen)
    seen = []  # the primal output, the same in every pass (no batching level on it)

    def push(ts):  # one-hot tangents -> their columns of the Jacobian, by output leaf
        out, out_t = jvp(f_sel, chosen, tree_unflatten(in_def, ts))
        if not seen:
            seen.append(tree_flatten(out))
        return tree_flatten(out_t)[0]

    n = sum(_logical_size(x) for x in in_leaves)
    stacked, info = _run_passes(n, chunk, push, in_leaves, f_sel)
    if seen:
        out_leaves, out_def = seen[0]
    else:  # no input elements at all
        out_leaves, out_def = tree_flatten(f_sel(*chosen))
    _check_outputs("jacobian", f_sel, out_leaves)
    blocks = _blocks(out_leaves, in_leaves, stacked, by_rows=False)
    return blocks, out_def, in_def, info, out_leaves, in_leaves


def _jac(who, passes_fn, fun, argnums, argnum, chunk_size):
    argnums = check_argnums(who, fun, argnums, argnum)
    chunk = _check_chunk_size(who, fun, chunk_size)

    @functools.wraps(fun)
    def jac_fun(*args, **kwargs):
        f_sel, chosen = _select(who, fun, argnums, args, kwargs)
        blocks, out_def, in_def, _, _, _ = passes_fn(f_sel, chosen, chunk)
        return _assemble(blocks, out_def, in_def, argnums)

    return jac_fun


def jacrev(fun, argnums=0, *, argnum=None, chunk_size=None):
    """The Jacobian by reverse mode: one VJP per output element, all in one batched
    pass (``vmap`` over the one-hot cotangents), or passes of at most ``chunk_size``
    of them; shape ``out.shape + in.shape``.

    >>> import numpy as np, wengert as wg, wengert.numpy as wnp
    >>> wg.jacrev(lambda x: x * 2.0)(np.ones(2))
    array([[2., 0.],
           [0., 2.]])
    >>> wg.jacrev(wnp.sin, chunk_size=1)(np.zeros(2))
    array([[1., 0.],
           [0., 1.]])
    """
    return _jac("jacrev", _jacrev_passes, fun, argnums, argnum, chunk_size)


def jacfwd(fun, argnums=0, *, argnum=None, chunk_size=None):
    """The Jacobian by forward mode: one JVP per input element, all in one batched
    pass (``vmap`` over the one-hot tangents), or passes of at most ``chunk_size`` of
    them; shape ``out.shape + in.shape``.

    >>> import numpy as np, wengert as wg, wengert.numpy as wnp
    >>> wg.jacfwd(lambda x: x * 2.0)(np.ones(2))
    array([[2., 0.],
           [0., 2.]])
    """
    return _jac("jacfwd", _jacfwd_passes, fun, argnums, argnum, chunk_size)


class JacobianReport(SimpleNamespace):
    """What ``jacobian(..., explain=True)`` did: n inputs, m outputs, the mode
    chosen, why, and the passes run. ``products`` is the number of JVPs (or VJPs),
    one per input (output) element; they ran as ``num_passes`` batched passes of at
    most ``batch_width`` each (``chunk_size``: the cap asked for, or None).
    ``str()`` gives it as a short table."""

    def rows(self):
        return [("function", self.function), ("n (input elements)", self.n),
                ("m (output elements)", self.m), ("mode", self.mode),
                ("why", self.reason), ("passes", self.passes),
                ("batch width", self.batch_width),
                ("operations per pass", self.ops_per_pass)]

    def table(self):
        return Table("jacobian: the mode chosen", ["", ""],
                     [(k, str(v)) for k, v in self.rows()])

    def __str__(self):
        rows = [(k, str(v)) for k, v in self.rows()]
        width = max(len(k) for k, _ in rows)
        return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)

    def __repr__(self):
        return str(self)

    def _repr_html_(self):
        return self.table()._repr_html_()


def _count_ops(f_sel, chosen):
    """Primitive operations in one evaluation: the length of its recorded tape."""
    trace = ReverseTrace()
    leaves, in_def = tree_flatten(tree_map(unbox_all, chosen))
    f_sel(*tree_unflatten(in_def, [trace.new_input(x) for x in leaves]))
    return len(trace.tape) - len(leaves)


def _pass_text(info, kind, seeds, per):
    """How the ``info.products`` seeds ran, in words."""
    k, w = info.passes, info.width
    if k == 0:
        return f"no {kind} pass ({per} has no elements)"
    head = f"{k} batched {kind} pass{'es' * (k != 1)}"
    if info.unbatched is not None:
        return (f"{k} {kind} passes, one per {per}: the batched pass raised "
                f"({info.unbatched[:120]})")
    if k == 1:
        return f"{head} carrying all {info.products} one-hot {seeds}(s), one per {per}"
    why = (f"chunk_size={info.chunk_size}" if info.chunk_size is not None else
           f"each pass's one-hot block under {_SEED_BUDGET:,} elements")
    return (f"{head} carrying {info.products} one-hot {seeds}s, one per {per}, at most "
            f"{w} per pass ({why})")


def jacobian(fun, argnums=0, *, argnum=None, explain=False, chunk_size=None):
    """The Jacobian, by forward mode when there are no more inputs than outputs
    (n <= m: n JVPs) and by reverse mode otherwise (m VJPs). The JVPs (VJPs) run as
    one batched pass, or passes of at most ``chunk_size``.

    >>> import numpy as np, wengert as wg, wengert.numpy as wnp
    >>> J, report = wg.jacobian(wnp.sum, explain=True)(np.ones(3))
    >>> report.mode, report.num_passes, report.batch_width
    ('reverse', 1, 1)
    >>> J, report = wg.jacobian(wnp.sin, explain=True, chunk_size=2)(np.ones(5))
    >>> report.mode, report.products, report.num_passes, report.batch_width
    ('forward', 5, 3, 2)
    """
    argnums = check_argnums("jacobian", fun, argnums, argnum)
    chunk = _check_chunk_size("jacobian", fun, chunk_size)

    @functools.wraps(fun)
    def jac_fun(*args, **kwargs):
        f_sel, chosen = _select("jacobian", fun, argnums, args, kwargs)
        in_leaves = tree_flatten(chosen)[0]
        n = sum(_logical_size(x) for x in in_leaves)
        # one evaluation sizes the output, on copies, so the function cannot write
        # into the caller's arrays; on plain values (no trace records it) unless a
        # vmap around batches an argument, whose plain value is the whole batch
        batched = any(logical_shape(x) != backend.shape(unbox_all(x)) for x in in_leaves)
        sizing = chosen if batched else tree_map(unbox_all, chosen)
        out_leaves = tree_flatten(f_sel(*_private_copy(sizing)))[0]
        m = sum(_logical_size(o) for o in out_leaves)
        if n <= m:
            mode = "forward"
            reason = f"n = {n} <= m = {m}: one JVP per input element, the narrower batch"
            blocks, out_def, in_def, info, _, _ = _jacfwd_passes(f_sel, chosen, chunk)
            pass_text = "1 sizing evaluation + " + _pass_text(info, "JVP", "tangent",
                                                               "input element")
        else:
            mode = "reverse"
            reason = f"n = {n} > m = {m}: one VJP per output element, the narrower batch"
            blocks, out_def, in_def, info, _, _ = _jacrev_passes(f_sel, chosen, chunk)
            pass_text = ("1 sizing evaluation + 1 recorded forward pass + "
                         + _pass_text(info, "VJP", "cotangent", "output element"))
        J = _assemble(blocks, out_def, in_def, argnums)
        if not explain:
            return J
        return J, JacobianReport(function=_name(fun), n=n, m=m, mode=mode, reason=reason,
                                 passes=pass_text, num_passes=info.passes,
                                 products=info.products, batch_width=info.width,
                                 chunk_size=info.chunk_size,
                                 ops_per_pass=_count_ops(f_sel, chosen))

    return jac_fun


def hessian(fun, argnums=0, *, argnum=None, chunk_size=None):
    """The Hessian by forward over reverse: ``jacfwd(jacrev(fun))``, the tangents of
    the outer forward pass batched as in ``jacfwd`` (``chunk_size`` caps both
    batches); shape ``in.shape + in.shape``.

    >>> import numpy as np, wengert as wg, wengert.numpy as wnp
    >>> wg.hessian(lambda x: wnp.sum(x ** 3))(np.array([1.0, 2.0]))
    array([[ 6.,  0.],
           [ 0., 12.]])
    """
    inner = jacrev(fun, argnums, argnum=argnum, chunk_size=chunk_size)
    return jacfwd(inner, argnums, argnum=argnum, chunk_size=chunk_size)


def hvp(fun, argnums=0, *, argnum=None):
    """``hvp(fun, argnums)(*args, v)``: the Hessian of ``fun`` with respect to
    ``args[argnums]`` applied to ``v`` (the last positional argument), by forward over
    reverse, without forming the Hessian. With a tuple ``argnums``, ``v`` is a tuple
    with one direction per chosen argument and the result is a tuple too.

    >>> import numpy as np, wengert as wg, wengert.numpy as wnp
    >>> wg.hvp(lambda x: wnp.sum(x ** 3))(np.array([1.0, 2.0]), np.array([1.0, 0.0]))
    array([6., 0.])
    >>> f = lambda a, x: wnp.sum(a * x ** 3)
    >>> wg.hvp(f, argnums=1)(np.array([1.0, 2.0]), np.array([1.0, 1.0]), np.array([0.0, 1.0]))
    array([ 0., 12.])
    """
    argnums = check_argnums("hvp", fun, argnums, argnum)

    @functools.wraps(fun)
    def hvp_fun(*args, **kwargs):
        if len(args) < 2:
            raise TypeError(f"hvp({_name(fun)}): call it as hvp(fun, argnums)(*args, v), "
                            f"the function's arguments then the vector v; got "
                            f"{len(args)} positional argument(s)")
        *args, v = args
        f_sel, chosen = _select("hvp", fun, argnums, args, kwargs)
        if isinstance(argnums, tuple):
            if not isinstance(v, (tuple, list)) or len(v) != len(chosen):
                raise ValueError(f"hvp({_name(fun)}): with argnums {argnums!r}, v must be "
                                 f"a tuple of {len(chosen)} direction(s), one per chosen "
                                 f"argument, got {backend.describe(v)}")
            vs = tuple(v)
        else:
            vs = (v,)
        # H v = d/de grad(f)(x + e v) at e = 0: a JVP of the gradient
        g = grad(f_sel, argnums=tuple(range(len(chosen))))
        return _first_or_tuple(argnums, jvp(g, chosen, vs)[1])

    return hvp_fun


def derivative(fun, order=1):
    """The ``order``-th derivative of a scalar function of one scalar, by nested
    forward mode (applied elementwise to an array of points).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.derivative(wnp.sin, order=2)(0.5) == -wnp.sin(0.5)
    True
    """
    if isinstance(order, bool) or not isinstance(order, int) or order < 0:
        raise ValueError(f"derivative({_name(fun)}): order must be an integer >= 0, "
                         f"got {order!r}")
    d = fun
    for _ in range(order):
        d = _forward_derivative(d)
    return d


def _forward_derivative(f):
    @functools.wraps(f)
    def df(x):
        return jvp(f, (x,), (_logical_full(x, 1),))[1]

    return df


def stop_gradient(x):
    """``x`` as a constant: no derivative flows through it, at any level.

    >>> import wengert as wg
    >>> wg.grad(lambda x: x * wg.stop_gradient(x))(3.0)
    3.0
    """
    return tree_map(unbox_all, x)


# ---------------------------------------------------------------- extension

def primitive(fun):
    """Make ``fun`` one node on the tape; give it rules with ``defvjp``/``defjvp``.

    >>> import wengert as wg, numpy as np
    >>> @wg.primitive
    ... def cube(x): return x ** 3
    >>> wg.defvjp(cube, lambda ans, x: lambda g: g * 3 * x ** 2)
    >>> wg.grad(cube)(2.0)
    12.0
    """
    prim = Primitive(_name(fun), fun, register=False, doc=fun.__doc__)
    prim.batch_loop = True  # under vmap: one call per example unless given a rule
    return prim


def defvjp(prim, *makers, argnums=None):
    """Give ``prim`` reverse rules, HIPS autograd style: one maker per argument,
    ``maker(ans, *args, **kwargs) -> (lambda g: cotangent)``; ``None`` for an
    argument that is not differentiated."""
    _need_primitive("defvjp", prim)
    argnums = tuple(range(len(makers))) if argnums is None else tuple(argnums)
    rules = [None] * (max(argnums) + 1 if argnums else 0)
    for a, maker in zip(argnums, makers):
        if maker is not None:
            rules[a] = (lambda m: lambda g, ans, *args, **kw: m(ans, *args, **kw)(g))(maker)
    prim.vjps = _Rules(rules)


def defjvp(prim, *rules, argnums=None):
    """Give ``prim`` forward rules, HIPS autograd style: one per argument,
    ``rule(t, ans, *args, **kwargs) -> output tangent contribution``."""
    _need_primitive("defjvp", prim)
    argnums = tuple(range(len(rules))) if argnums is None else tuple(argnums)
    out = [None] * (max(argnums) + 1 if argnums else 0)
    for a, r in zip(argnums, rules):
        out[a] = r
    prim.jvps = _Rules(out)


class _Rules(tuple):
    """Per-argument rules; an argument past the end has no rule (zero)."""

    def __getitem__(self, i):
        return tuple.__getitem__(self, i) if i < len(self) else None


def _need_primitive(who, prim):
    if not isinstance(prim, Primitive):
        raise TypeError(f"{who}: {prim!r} is not a wengert primitive; decorate the "
                        f"function with @wengert.primitive first")


def _linear_transpose_jvp(f_bwd):
    """JVP from a VJP rule ``f_bwd(g) = J^T g``: since that map is linear in g, the
    VJP of it applied to t is J t."""
    def jvp_from_vjp(t, g0):
        _, back = vjp(f_bwd, g0)
        return back(t)[0]
    return jvp_from_vjp


def _float_positions(args):
    """Positions of the float or complex ``args``: the ones a custom rule or a
    checkpoint differentiates (an integer argument has no tangent space)."""
    return tuple(k for k, a in enumerate(args) if backend.is_differentiable(unbox_all(a)))


def _spread(parts, ks, n):
    """``n`` entries: ``parts`` at positions ``ks``, ``None`` (no cotangent) elsewhere."""
    out = [None] * n
    for k, p in zip(ks, parts):
        out[k] = p
    return tuple(out)


def _zero_tangents(tangents, args):
    """``tangents`` with each ``None`` (no tangent) replaced by a zero like its argument."""
    return tuple(_logical_full(a, 0) if t is None else t
                 for t, a in zip(tangents, args))


class custom_vjp:
    """A function with a hand-written reverse rule, JAX style.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> @wg.custom_vjp
    ... def f(x): return wnp.sin(x)
    >>> f.defvjp(lambda x: (wnp.sin(x), wnp.cos(x)), lambda cos_x, g: (g * cos_x,))
    >>> wg.grad(f)(0.0)
    1.0

    ``fwd(*args) -> (out, residuals)``; ``bwd(residuals, g) -> tuple`` of one cotangent
    per argument. Arguments are arrays or numbers and the output is one array or
    number. ``fwd`` runs once, in place of the function, and its residuals are kept for
    ``bwd``. Under forward mode the rule still applies: the JVP is obtained by
    transposing the (linear) ``bwd``, which works when ``bwd`` uses wengert ops. A
    second derivative differentiates through ``fwd`` and ``bwd`` themselves.

    ``nondiff_argnums`` names arguments that are not differentiated (a function, a
    flag, a size): ``fwd`` still receives every argument, ``bwd`` receives them first,
    ``bwd(*nondiff_args, residuals, g)``, and returns cotangents for the others only.

    >>> import functools
    >>> @functools.partial(wg.custom_vjp, nondiff_argnums=(0,))
    ... def scale(k, x): return k * x
    >>> scale.defvjp(lambda k, x: (k * x, None), lambda k, res, g: (k * g,))
    >>> wg.grad(lambda x: scale(3.0, x))(1.0)
    3.0
    """

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        nums = check_argnums("custom_vjp", fun, tuple(nondiff_argnums), None) \
            if nondiff_argnums else ()
        self.nondiff_argnums = tuple(sorted(nums))
        self.prim = Primitive(_name(fun), self._call_fun, register=False)
        self.prim.batch_loop = True  # under vmap: the rule per example (declared loop)

    def _full_args(self, args, nondiff):
        """The call's arguments in their places, from the differentiated ones and the
        ``nondiff`` values (in ``nondiff_argnums`` order)."""
        full = list(args)
        for k, v in zip(self.nondiff_argnums, nondiff):
            full.insert(k, v)
        return full

    def _call_fun(self, *args, nondiff=()):
        return self.fun(*self._full_args(args, nondiff))

    def defvjp(self, fwd, bwd):
        name = _name(self.fun)

        def vjp_rule(g, ans, *args, residuals, nondiff=()):
            out = bwd(*nondiff, residuals, g)
            if not isinstance(out, (tuple, list)) or len(out) != len(args):
                raise TypeError(f"custom_vjp {name}: bwd must return a tuple with one "
                                f"cotangent per differentiated argument ({len(args)}), "
                                f"got {out!r}")
            return tuple(out)

        def jvp_rule(tangents, ans, *args, residuals, nondiff=()):
            total = None
            for k, t in enumerate(tangents):
                if t is None:
                    continue
                # J_k t = VJP of (g -> bwd(res, g)[k]) applied to t
                try:
                    col = _linear_transpose_jvp(lambda g: bwd(*nondiff, residuals, g)[k])(
                        t, _logical_full(ans, 0))
                except (TypeError, NotImplementedError) as exc:
                    raise NotImplementedError(
                        f"custom_vjp {name}: forward mode needs bwd to be written with "
                        f"wengert operations so it can be transposed ({exc})") from exc
                total = col if total is None else total + col
            return total

        self.prim.fwd = lambda *args, nondiff=(): fwd(*self._full_args(args, nondiff))
        self.prim.vjp = vjp_rule
        self.prim.jvp = jvp_rule

    def __call__(self, *args):
        if self.prim.vjp is None:  # no rule yet: differentiate through fun
            return self.fun(*args)
        if not self.nondiff_argnums:
            return self.prim(*args)
        nums = argnum_positions("custom_vjp", self.fun, self.nondiff_argnums, len(args))
        nondiff = tuple(args[k] for k in nums)
        for k, v in zip(nums, nondiff):
            if any(isinstance(leaf, Box) for leaf in tree_flatten(v)[0]):
                raise TypeError(f"custom_vjp {_name(self.fun)}: argument {k} is in "
                                f"nondiff_argnums but is being differentiated; pass it "
                                f"among the differentiated arguments, or "
                                f"wengert.stop_gradient(it)")
        diff = [a for k, a in enumerate(args) if k not in nums]
        return self.prim(*diff, nondiff=nondiff)


class custom_jvp:
    """A function with a hand-written forward rule, JAX style.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> @wg.custom_jvp
    ... def f(x): return wnp.sin(x)
    >>> f.defjvp(lambda primals, tangents: (wnp.sin(primals[0]),
    ...                                     wnp.cos(primals[0]) * tangents[0]))
    >>> wg.grad(f)(0.0)
    1.0

    ``jvp_rule(primals, tangents) -> (out, out_tangent)``, linear in the tangents.
    Under reverse mode the rule still applies: the VJP is the gradient of
    <g, out_tangent> with respect to the tangents, which works when the rule uses
    wengert ops.
    """

    def __init__(self, fun):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.prim = Primitive(_name(fun), fun, register=False)
        self.prim.batch_loop = True  # under vmap: the rule per example (declared loop)

    def defjvp(self, rule):
        name = _name(self.fun)

        def call(args, tangents):
            out = rule(args, tangents)
            if not (isinstance(out, (tuple, list)) and len(out) == 2):
                raise TypeError(f"custom_jvp {name}: the JVP rule "
                                f"{_name(rule)} must return a pair (output, output "
                                f"tangent), got {backend.describe(out)}")
            return out[1]

        def jvp_rule(tangents, ans, *args):
            return call(args, _zero_tangents(tangents, args))

        def vjp_rule(g, ans, *args):
            # the VJP is the transpose of the (linear) map from the tangents of the
            # float/complex arguments to the output tangent; other arguments keep a
            # zero tangent and get no cotangent
            ks = _float_positions(args)

            def out_tangent(*ts):
                return call(args, _zero_tangents(_spread(ts, ks, len(args)), args))

            zeros = [_logical_full(args[k], 0) for k in ks]
            try:
                _, back = vjp(out_tangent, *zeros)
                return _spread(back(g), ks, len(args))
            except (TypeError, NotImplementedError) as exc:
                raise NotImplementedError(
                    f"custom_jvp {name}: reverse mode needs the JVP rule to be written "
                    f"with wengert operations so it can be transposed ({exc})") from exc

        self.prim.jvp = jvp_rule
        self.prim.vjp = vjp_rule

    def __call__(self, *args):
        if self.prim.jvp is None:  # no rule yet: differentiate through fun
            return self.fun(*args)
        return self.prim(*args)


def checkpoint(fun):
    """``fun`` whose intermediates are not kept for the backward pass: they are
    recomputed when the gradient is needed (memory for time).

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.grad(wg.checkpoint(lambda x: wnp.sin(wnp.sin(x))))(0.0)
    1.0
    """
    _need_callable("checkpoint", fun)

    # only the float/complex arguments are differentiated; the others (integers,
    # flags) are closed over as constants and get no cotangent
    def vjp_rule(g, ans, *args):
        ks = _float_positions(args)
        f, chosen = _select("checkpoint", fun, ks, args, {})
        return _spread(vjp(f, *chosen)[1](g), ks, len(args))

    def jvp_rule(tangents, ans, *args):
        ks = _float_positions(args)
        f, chosen = _select("checkpoint", fun, ks, args, {})
        return jvp(f, chosen, _zero_tangents([tangents[k] for k in ks], chosen))[1]

    # the forward runs on copies: the recomputation in the backward pass must see the
    # arguments as they were, and the caller's arrays must not change
    prim = Primitive(f"checkpoint({_name(fun)})", lambda *args: fun(*_private_copy(args)),
                     vjp=vjp_rule, jvp=jvp_rule, register=False)
    prim.batch_loop = True

    @functools.wraps(fun)
    def checkpointed(*args):
        return prim(*args)

    return checkpointed
