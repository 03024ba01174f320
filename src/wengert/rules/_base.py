"""Ways to declare a primitive family: the shared shapes of rules.

``unary`` and ``binary`` take one derivative formula per input and produce both
the JVP (tangent times derivative) and the VJP (cotangent times derivative,
summed back over broadcast axes). ``linear`` marks a primitive whose JVP is the
primitive applied to the tangent. ``normalize_axis`` and ``no_out`` are the argument
checks every family shares.

Under vmap a rule or composite that computes a constant from a value's data (a
mask, an ordering, an index map) must compute one per example: ``per_example``,
``batched`` and ``example`` do that (see the section at the end), and
``elementwise``, ``reduction`` and ``to_front`` give primitives their batching rules.
"""

import operator
import warnings

import numpy as np

from .. import backend
from ..core.primitive import Primitive, lookup
from ..core.batching import BatchBox, logical_shape
from ..core.eager import EAGER
from ..core.trace import Box, unbox_all

_PY = (float, int)

# numpy >= 1.25 keeps it in np.exceptions; older releases only at the top level
AxisError = np.exceptions.AxisError if hasattr(np, "exceptions") else np.AxisError


def normalize_axis(who, axis, ndim, shape=None):
    """``axis`` (an int, or a sequence of ints) counted into ``range(ndim)``, negative
    axes from the end, as numpy does; an int gives an int, a sequence a tuple. An axis
    out of range raises numpy's AxisError (a ValueError and an IndexError), a repeated
    axis a ValueError, each naming ``who``, the axis and ``shape``, the caller's input
    (which has fewer than ``ndim`` dimensions where axes are being added).

    >>> normalize_axis("sum", -1, 2)
    1
    >>> normalize_axis("swapaxes", 3, 1, shape=(2,))
    Traceback (most recent call last):
    ...
    numpy.exceptions.AxisError: swapaxes: axis 3 is out of bounds for an array of shape (2,)
    """
    if shape is None:
        where = f"a {ndim}-d array"
    elif len(shape) == ndim:
        where = f"an array of shape {tuple(shape)}"
    else:
        where = f"{ndim} dimensions (input shape {tuple(shape)})"
    if isinstance(axis, (tuple, list)):
        axes = tuple(normalize_axis(who, a, ndim, shape) for a in axis)
        if len(set(axes)) != len(axes):
            raise ValueError(f"{who}: axes {tuple(axis)} repeat an axis of {where}")
        return axes
    try:
        if isinstance(axis, (bool, np.bool_)):
            raise TypeError
        i = operator.index(axis)
    except TypeError:
        raise TypeError(f"{who}: an axis must be an integer, got {axis!r}") from None
    if not -ndim <= i < ndim:
        raise AxisError(f"{who}: axis {i} is out of bounds for {where}")
    return i % ndim


def no_out(who, out):
    """Refuse numpy's ``out=``: wengert's results are new arrays, never written into
    a caller's buffer, so that they can be differentiated."""
    if out is not None:
        raise TypeError(f"{who}: out= is not supported by wengert.numpy (results are new "
                        f"arrays, so they can be differentiated)")


def shape(x):
    """Shape of a value at any level of tracing, as the function sees it: under vmap,
    without the batch axes (rules reason about one example; their primitives are
    batched by the batching trace)."""
    if type(x) is float:
        return ()
    if isinstance(x, Box):
        return logical_shape(x)
    return np.shape(x)


def float_dtype(x):
    """The dtype for constant factors in a rule on ``x`` (ones, tie weights): x's own
    when it is a float or complex type, so float32 stays float32, else float64."""
    dt = backend.dtype_of(unbox_all(x))
    return dt if dt.kind in "fc" else np.dtype(np.float64)


def sum_to(g, shp):
    """Sum ``g`` down to shape ``shp``: the VJP of broadcasting ``shp`` up to ``g``."""
    if type(g) is float:
        return g
    g_shape = shape(g)
    if g_shape == shp:
        return g
    sum_ = lookup("sum")  # the primitive, keyword options
    lead = len(g_shape) - len(shp)
    if lead > 0:
        g = sum_(g, axis=tuple(range(lead)))
    axes = tuple(i for i, n in enumerate(shp) if n == 1 and g_shape[lead + i] != 1)
    if axes:
        g = sum_(g, axis=axes, keepdims=True)
    return g


def unbroadcast(g, x):
    """Sum ``g`` over the axes that broadcasting added to ``x`` (VJP of broadcast).
    A real ``x`` that met a complex value gets the real part of its cotangent (the
    HIPS autograd convention: a real input's gradient is real)."""
    if type(g) is float:
        return g
    if type(g) is np.ndarray and type(x) is np.ndarray and g.shape == x.shape \
            and (g.dtype.kind != "c" or x.dtype.kind == "c"):
        return g  # the common case, plain arrays of one shape: nothing to do
    if np.iscomplexobj(unbox_all(g)) and not np.iscomplexobj(unbox_all(x)):
        g = lookup("real")(g)
    return sum_to(g, shape(x))


def match(t, ans):
    """A tangent broadcast up to the output's shape (an input may be smaller)."""
    if type(t) is float and type(ans) is float:
        return t
    ans_shape = shape(ans)
    if shape(t) == ans_shape:
        return t
    return lookup("broadcast_to")(kind_like(t, ans), shape=ans_shape)


def kind_like(v, ref):
    """``v``, a rule's plain number or numpy array about to be broadcast against
    ``ref``, as an array of the library of ``ref``'s values where that is not numpy
    (a Dask array's cotangent seeded with 1.0 stays a Dask array); anything else as
    it is."""
    if isinstance(v, Box) or type(v) is np.ndarray and v.ndim:
        return v
    r = unbox_all(ref)
    if type(r) in backend.PLAIN or backend.kind(r) == backend.NUMPY \
            or backend.kind(v) != backend.NUMPY:
        return v
    return backend.like(np.asarray(v), r)


def anywhere(c):
    """Whether a constant mask ``c`` holds anywhere (in any example), for a rule that
    takes a shortcut when it holds nowhere. A lazy array's answer is unknown until it
    is computed (Dask): True, so that the caller takes its general path, which is
    right whatever the mask holds."""
    v = unbox_all(c)
    if backend.kind(v) == "dask":
        return True
    return bool(np.any(v))


def everywhere(c):
    """Whether a constant mask ``c`` holds everywhere; False for a lazy array (see
    ``anywhere``)."""
    v = unbox_all(c)
    if backend.kind(v) == "dask":
        return False
    return bool(np.all(v))


def full_like_kind(shp, value, dtype, ref):
    """``np.full(shp, value, dtype)``, a rule's constant array, made by the library
    of ``ref``'s values (numpy, or the Dask or CuPy array ``ref`` holds)."""
    r = unbox_all(ref)
    if backend.kind(r) == backend.NUMPY:
        return np.full(shp, value, dtype=dtype)
    return backend.namespace(r).full(shp, value, dtype=dtype)


def unary(name, impl, deriv, doc=None):
    """Smooth elementwise ``ans = f(x)`` with ``deriv(x, ans) = f'(x)``."""
    return elementwise(Primitive(
        name, impl,
        jvps=(lambda t, ans, x: t * deriv(x, ans),),
        vjps=(lambda g, ans, x: g * deriv(x, ans),),
        doc=doc))


def binary(name, impl, dx, dy, doc=None):
    """Smooth elementwise ``ans = f(x, y)`` with broadcasting and partial
    derivatives ``dx(x, y, ans)``, ``dy(x, y, ans)``."""
    return elementwise(Primitive(
        name, impl,
        jvps=(lambda t, ans, x, y: match(t * dx(x, y, ans), ans),
              lambda t, ans, x, y: match(t * dy(x, y, ans), ans)),
        vjps=(lambda g, ans, x, y: unbroadcast(g * dx(x, y, ans), x),
              lambda g, ans, x, y: unbroadcast(g * dy(x, y, ans), y)),
        doc=doc))


# ---------------------------------------------------------------- batching (vmap)

def to_front(v, d):
    """``v`` with its batch axis ``d`` moved to the front (a transpose primitive)."""
    if d == 0:
        return v
    nd = len(shape(v))
    perm = (d,) + tuple(a for a in range(nd) if a != d)
    return lookup("transpose")(v, axes=perm)


def elementwise(prim):
    """Give an elementwise primitive (numpy broadcasting over its array arguments) its
    batching rule: each batched argument's batch axis goes to the front and ones are
    inserted after it up to the example rank of the result, so that broadcasting pairs
    example with example; the primitive then runs once on the whole batch."""
    def batch(vals, dims, **params):
        ranks = [len(shape(v)) - (d is not None) for v, d in zip(vals, dims)]
        rank = max(ranks)
        args = []
        for v, d, r in zip(vals, dims, ranks):
            if d is not None:
                v = to_front(v, d)
                if r < rank:
                    shp = shape(v)
                    v = lookup("reshape")(v, newshape=shp[:1] + (1,) * (rank - r) + shp[1:])
            args.append(v)
        return prim(*args, **params), 0

    prim.batch = batch
    return prim


def example_axes(axis, example_ndim, who):
    """A reduction's ``axis`` (None, an int or a tuple, counted in one example) as axes
    of the batch with the batch axis in front."""
    if axis is None:
        return tuple(range(1, example_ndim + 1))
    axes = normalize_axis(who, axis, example_ndim)
    return tuple(a + 1 for a in axes) if isinstance(axes, tuple) else axes + 1


def reduction(prim):
    """Give a reduction primitive (an ``axis=`` parameter over one array argument) its
    batching rule: the batch axis goes to the front and the axes shift past it."""
    def batch(vals, dims, axis=None, **params):
        (x,), (d,) = vals[:1], dims[:1]
        if any(dd is not None for dd in dims[1:]):
            raise NotImplementedError(f"{prim.name}: batching over its second argument")
        x = to_front(x, d)
        axes = example_axes(axis, len(shape(x)) - 1, prim.name)
        return prim(x, *vals[1:], axis=axes, **params), 0

    prim.batch = batch
    return prim


def linear(name, impl, vjp, doc=None):
    """A primitive linear in its single array input: its JVP applies it to the tangent."""
    prim = Primitive(name, impl, vjps=(vjp,), doc=doc)
    prim.jvps = (lambda t, ans, x, **params: prim(t, **params),)
    return prim


def bilinear(name, impl, vjp_x, vjp_y, doc=None):
    """A product, linear in each of its two array inputs: each input's JVP term is
    the product with that input replaced by its tangent."""
    prim = Primitive(name, impl, vjps=(vjp_x, vjp_y), doc=doc)
    prim.jvps = (lambda t, ans, x, y, **params: prim(t, y, **params),
                 lambda t, ans, x, y, **params: prim(x, t, **params))
    return prim


class per_operand:
    """Per-input rules for a primitive with any number of array inputs (einsum,
    concatenate): ``rules[k]`` is ``rule`` with ``k`` bound first, so a trace asks for
    the rules of the inputs it traces and no others."""

    def __init__(self, rule):
        self.rule = rule

    def __getitem__(self, k):
        rule = self.rule
        return lambda *args, **params: rule(k, *args, **params)


def nondiff(name, np_fn, along=False, axis=None):
    """A function with no derivative to speak of (comparisons, floor, argmax): it
    works on traced values but returns plain results, and the trace sees a constant.
    Under vmap the result is that constant for each example, batched like the
    arguments (``np_fn`` a ufunc: one call on the whole batch; ``along``: a reduction
    or scan of one array along ``axis=`` (default ``axis``), one call with the axis
    counted past the batch axes; else one call per example)."""

    def fn(*args, **kwargs):
        if _has_batch(args) or (kwargs and _has_batch(kwargs.values())):
            return _nondiff_batched(np_fn, (axis,) if along else False, args, kwargs)
        plain = [unbox_all(a) for a in args]
        if backend.foreign(plain):
            _library_has(name, np_fn, plain)
        out = np_fn(*plain, **kwargs)
        for a in args:
            if isinstance(a, Box) and a._trace is EAGER:
                return _as_tensors(out)  # tensors in, tensors out (PyTorch style)
        return out

    fn.__name__ = name
    fn.__doc__ = np_fn.__doc__
    return fn


def _library_has(who, np_fn, plain):
    """Refuse (NotImplementedError naming ``who`` and the kind) a numpy function
    that the library of the arrays among ``plain`` lacks: numpy's protocol would
    otherwise convert the arrays to numpy (a Dask array computed in full)."""
    k = backend.array_kind(who, plain)
    if k == backend.NUMPY or isinstance(np_fn, np.ufunc):
        return
    if k in backend._MODULES and \
            getattr(backend.namespace_by_kind(k), np_fn.__name__, None) is None:
        raise backend.unsupported(who, k, f"{k} has no {np_fn.__name__}")


def _nondiff_batched(np_fn, along, args, kwargs):
    if isinstance(np_fn, np.ufunc) and not any(type(a) in (list, tuple) for a in args) \
            and not any(isinstance(v, Box) for v in kwargs.values()):
        return per_example(lambda *xs: np_fn(*xs, **kwargs), *args, aligned=True)
    if along is not False and len(args) == 1:
        kw = dict(kwargs)
        axis = kw.pop("axis", along[0])
        keepdims = kw.pop("keepdims", False)
        nd = len(shape(args[0]))

        def run(x, lead):
            if axis is None:
                x = x.reshape(x.shape[:lead] + (-1,))
                out = np_fn(x, axis=-1, **kw)
                if keepdims and out.ndim == lead:
                    out = out.reshape(out.shape + (1,) * nd)
                return out
            ax = normalize_axis(np_fn.__name__, axis, nd)
            ax = tuple(a - nd for a in ax) if isinstance(ax, tuple) else ax - nd
            return np_fn(x, axis=ax, **kw, **({"keepdims": True} if keepdims else {}))

        return per_example(run, args[0], lead=True)
    return per_example_call(np_fn, args, kwargs)


def per_example_call(np_fn, args, kwargs):
    """``np_fn(*args, **kwargs)`` once per example on plain values (traced values may
    sit in lists and tuples), the results batched (see per_example)."""
    leaves = []

    def mark(o):
        if isinstance(o, Box):
            leaves.append(o)
            return _Leaf(len(leaves) - 1)
        if type(o) in (list, tuple):
            return type(o)(mark(i) for i in o)
        return o

    def fill(o, vals):
        if isinstance(o, _Leaf):
            return vals[o.k]
        if type(o) in (list, tuple):
            return type(o)(fill(i, vals) for i in o)
        return o

    a, kw = mark(args), {k: mark(v) for k, v in kwargs.items()}

    def call(*vals):
        return np_fn(*fill(a, vals), **{k: fill(v, vals) for k, v in kw.items()})
    return per_example(call, *leaves)


class _Leaf:
    __slots__ = ("k",)

    def __init__(self, k):
        self.k = k


def _as_tensors(out):
    """A plain result as tensors (no gradient): arrays and numbers wrapped, tuples
    and lists kept as they are around them."""
    if isinstance(out, (tuple, list)):
        return type(out)(_as_tensors(o) for o in out)
    if isinstance(out, (np.ndarray, np.generic, bool, int, float)):
        return EAGER.make(np.asarray(out), None)
    return out


# ------------------------------------------------- constants computed from the data
#
# A mask, an ordering or an index map computed from a value's data is a constant to
# the derivative, but under vmap it must be one constant per example: computed from
# the example's data and batched like it. ``unbox_all`` would hand over the whole
# batch as if it were one example. These helpers peel the boxes instead, keep the
# batch axes (in front, the outermost vmap first) and wrap the result as a value
# batched by the same vmaps, with no derivative.

def _peel(x):
    """``(raw, traces)``: the plain value under ``x`` with its batch axes moved to the
    front, one per BatchTrace in ``traces`` (lowest level first)."""
    if isinstance(x, BatchBox):
        raw, traces = _peel(x._value)
        if x._bdim is not None:
            k = len(traces)
            raw = np.moveaxis(raw, k + x._bdim, k) if x._bdim else raw
            traces = traces + (x._trace,)
        return raw, traces
    if isinstance(x, Box):
        return _peel(x._value)
    return x, ()


def _has_batch(objs):
    """Whether vmap batches any value in ``objs`` (lists and tuples searched): the
    quick test before the work of batching a constant."""
    for a in objs:
        while isinstance(a, Box):
            if type(a) is BatchBox:
                return True
            a = a._value
        if type(a) is list or type(a) is tuple:
            if _has_batch(a):
                return True
    return False


def batch_traces(*groups):
    """The BatchTraces that batch any value in ``groups`` (iterables of arguments;
    lists and tuples searched), lowest level first."""
    found = {}
    stack = [a for g in groups for a in g]
    while stack:
        a = stack.pop()
        if isinstance(a, Box):
            while isinstance(a, Box):
                if isinstance(a, BatchBox) and a._bdim is not None:
                    found[a._trace.level] = a._trace
                a = a._value
        elif isinstance(a, (list, tuple)):
            stack.extend(a)
    return [found[k] for k in sorted(found)]


def _front(x, traces):
    """The plain value under ``x`` with one leading axis per trace in ``traces``
    (length 1 where ``x`` is not batched by that trace)."""
    raw, own = _peel(x)
    if len(own) == len(traces):
        return np.asarray(raw)
    raw = np.asarray(raw)
    for k, t in enumerate(traces):
        if t not in own:
            raw = np.expand_dims(raw, k)
    return raw


def _wrap(raw, traces):
    for t in traces:
        raw = t.new_input(raw, 0)
    return raw


def batched(x):
    """``x`` as a constant: the derivative boxes dropped, the batch axes of every vmap
    kept (``unbox_all`` when nothing is batched)."""
    raw, traces = _peel(x)
    return _wrap(raw, traces) if traces else raw


def example(x):
    """The plain value of one example of ``x`` (the first; the value itself when it
    is not batched): for numpy's checks of shapes, dtypes and options."""
    raw, traces = _peel(x)
    if not traces:
        return raw
    k = len(traces)
    if 0 in np.shape(raw)[:k]:
        return np.zeros(np.shape(raw)[k:], dtype=np.result_type(raw))
    return raw[(0,) * k]


def per_example(fn, *args, aligned=False, lead=False):
    """``fn`` of the plain values of ``args``, one result per example, batched like
    the arguments (plain when nothing is batched); a tuple or list result gives a
    tuple of batched values. ``aligned``: ``fn`` broadcasts elementwise, so it runs
    once on the whole batch (the examples' ranks padded to match); ``lead``: ``fn``
    runs once, as ``fn(*raws, k)`` with ``k`` leading batch axes on every argument;
    otherwise once per example, and the results are stacked (they must have one
    shape)."""
    traces = batch_traces(args) if _has_batch(args) else None
    if not traces:
        plain = [unbox_all(a) for a in args]
        if backend.foreign(plain):
            return _on_library_arrays(fn, plain + [0] if lead else plain)
        return fn(*plain, 0) if lead else fn(*plain)
    k = len(traces)
    raws = [_front(a, traces) for a in args]
    if aligned:
        rank = max((r.ndim - k for r in raws), default=0)
        raws = [r.reshape(r.shape[:k] + (1,) * (rank - r.ndim + k) + r.shape[k:])
                for r in raws]
        return _wrap_out(fn(*raws), traces)
    if lead:
        sizes = tuple(t.size for t in traces)
        raws = [np.broadcast_to(r, sizes + r.shape[k:]) for r in raws]
        return _wrap_out(fn(*raws, k), traces)
    sizes = tuple(t.size for t in traces)
    outs = [fn(*(r[tuple(i if r.shape[j] > 1 else 0 for j, i in enumerate(ix))]
                 for r in raws))
            for ix in np.ndindex(*sizes)]
    if not outs:
        raise ValueError("a batch of no examples: nothing to compute a constant from")
    if isinstance(outs[0], (tuple, list)):
        return tuple(_wrap(_stack(sizes, [o[j] for o in outs]), traces)
                     for j in range(len(outs[0])))
    return _wrap(_stack(sizes, outs), traces)


def _on_library_arrays(fn, plain):
    """``fn(*plain)`` where ``plain`` holds arrays of another library: a numpy
    function that the library lacks would have numpy convert them (a Dask array
    computed in full, with Dask's FutureWarning); here it raises NotImplementedError
    naming the function and the kind instead."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", category=FutureWarning,
                                message=".*function is not implemented by Dask")
        try:
            return fn(*plain)
        except FutureWarning as w:
            name = str(w).split("`")[1] if "`" in str(w) else "a numpy function"
            raise backend.unsupported(name.removeprefix("numpy."), "dask",
                                      "a constant computed from the data needs it") \
                from None


def _wrap_out(out, traces):
    if isinstance(out, (tuple, list)):
        return tuple(_wrap(np.asarray(o), traces) for o in out)
    return _wrap(np.asarray(out), traces)


def _stack(sizes, outs):
    shapes = {np.shape(o) for o in outs}
    if len(shapes) > 1:
        raise ValueError(
            f"under vmap the examples give results of different shapes {sorted(shapes)} "
            f"(a mask or a count that depends on the data): a batch needs one shape")
    out = np.asarray(outs)
    return out.reshape(sizes + out.shape[1:])


def one_value(c, who):
    """The plain value of a constant ``c`` that decides a shape (a count, a length):
    under vmap it must be the same in every example, else a ValueError naming
    ``who``."""
    if not isinstance(c, Box):
        return c
    values = np.unique(np.asarray(unbox_all(c)))
    if values.size != 1:
        raise ValueError(f"{who} under vmap: the examples decide differently "
                         f"({sorted(values.tolist())}) on something that sets the "
                         f"result's shape, and a batch needs one shape")
    return values[0].item()
