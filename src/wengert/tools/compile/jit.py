"""``jit``: stage a function once per input signature, simplify it, and run the
generated Python from then on.

The signature of a call is the structure of its arguments (pytree), the shape and
dtype of each array, the type of each Python number, and the values of the static
arguments. The first call with a signature stages the function (``staging``), runs
the passes (``passes``), writes and compiles the source (``codegen``); later calls
with the same signature run that code directly.

Decisions the function took on its data (``if x > 0``, a loop over ``int(n)``) are
guards in the program; a call that takes another path re-stages and keeps each path
it has seen. A function that stages too often (more than ``max_traces`` programs)
gets a warning, and the oldest programs are dropped.
"""

import contextlib
import functools
import gc
import os
import warnings

import numpy as np

from ... import backend
from ...core.pytree import tree_flatten, tree_unflatten
from ...core.trace import Box
from . import passes as _passes
from .codegen import Retrace, emit
from .staging import Unstageable, stage

_MATH_ERRORS = (ValueError, OverflowError, ZeroDivisionError)

class JitWarning(UserWarning):
    """jit could not compile a call (it runs the function as it is), or re-traces
    too often."""


class Compiled:
    """One staged program for one signature and one path through the function."""

    __slots__ = ("program", "stages", "module", "fn")

    def __init__(self, stages):
        self.stages = stages
        self.program = stages[-1].program
        self.module = emit(self.program)
        self.fn = self.module.function()

    @property
    def source(self):
        return self.module.text

    def run(self, leaves):
        return self.fn(*leaves)

    def report(self):
        rows = [("pass", "operations", "removed")]
        for s in self.stages:
            rows.append((s.name, str(s.program.count()), "" if s.name == "staged"
                         else str(s.removed)))
        w = [max(len(r[i]) for r in rows) for i in range(3)]
        lines = [f"{r[0]:<{w[0]}}  {r[1]:>{w[1]}}  {r[2]:>{w[2]}}" for r in rows]
        lines.insert(1, "-" * len(lines[0]))
        return "\n".join(lines)


class Traces:
    """The program after each pass, as text: ``str(traces)`` shows them all;
    ``traces[name]`` (or an index) one of them; iterating gives ``(name, text)``."""

    def __init__(self, stages):
        self.stages = stages

    def __iter__(self):
        return iter((s.name, str(s.program)) for s in self.stages)

    def __len__(self):
        return len(self.stages)

    def __getitem__(self, key):
        if isinstance(key, int):
            return str(self.stages[key].program)
        for s in self.stages:
            if s.name == key:
                return str(s.program)
        raise KeyError(key)

    def __str__(self):
        parts = []
        for s in self.stages:
            n = s.program.count()
            head = f"# {s.name}: {n} operations"
            if s.name != "staged":
                head += f" ({s.removed} removed)"
            parts.append(head + "\n" + str(s.program))
        return "\n\n".join(parts)

    __repr__ = __str__


class _Entry:
    """The programs for one signature: its paths (``variants``), the function the
    next call tries first (``fn``), and ``eager`` when it cannot be compiled."""

    __slots__ = ("variants", "fn", "eager", "key")

    def __init__(self, key):
        self.key = key
        self.variants = []
        self.fn = None
        self.eager = False


class _NotFlat(Exception):
    pass


def _leaf_key(x):
    t = type(x)
    if t is float or t is int or t is complex or t is bool:
        return t
    if t is np.ndarray:
        return (x.shape, x.dtype)
    raise _NotFlat


class Jitted:
    """A function compiled by ``jit``. Call it like the function; ``source``,
    ``lower``, ``traces``, ``report`` and ``save`` show what it runs."""

    def __init__(self, fun, static_argnums=(), static_argnames=(), *, max_traces=32,
                 check=True, passes=None, name=None):
        if not callable(fun):
            raise TypeError(f"jit: expected a function, got {backend.describe(fun)}")
        functools.update_wrapper(self, fun)
        self.fun = fun
        if isinstance(static_argnums, int):
            static_argnums = (static_argnums,)
        if isinstance(static_argnames, str):
            static_argnames = (static_argnames,)
        for k in static_argnums:
            if not isinstance(k, int) or isinstance(k, bool):
                raise TypeError(f"jit of {self._name()}: static_argnums must be integers, "
                                f"got {k!r}")
        self.static_argnums = tuple(sorted(set(static_argnums)))
        self.static_argnames = tuple(static_argnames)
        self.max_traces = max_traces
        self.check = check
        self.passes = _passes.PASSES if passes is None else tuple(passes)
        self.name = name or getattr(fun, "__name__", None) or "f"
        self._flat = {}      # leaf keys of a flat positional call -> _Entry
        self._cache = {}     # (structure, statics, leaf keys) -> _Entry
        self._simple = not self.static_argnums and not self.static_argnames
        self._last = None
        self._traces = 0
        self._warned = False

    def _name(self):
        return getattr(self.fun, "__name__", type(self.fun).__name__)

    # ------------------------------------------------------------ calling

    def __call__(self, *args, **kwargs):
        if not kwargs and self._simple:
            try:
                key = tuple([_leaf_key(a) for a in args])
            except _NotFlat:
                return self._call(args, kwargs)
            entry = self._flat.get(key)
            if entry is not None and entry.fn is not None:
                try:
                    return entry.fn(*args)
                except Retrace:
                    pass
                except _MATH_ERRORS:
                    # math refused a Python float (log(0.0), 1.0 / 0.0): the function
                    # itself gives numpy's answer (inf, nan) as it always does
                    return self.fun(*args)
        return self._call(args, kwargs)

    def _call(self, args, kwargs):
        split = self._split(args, kwargs)
        if split is None:  # under an outer transform, or Tensors: run as it is
            return self.fun(*args, **kwargs)
        key, leaves, rebuild = split
        entry = self._cache.get(key)
        if entry is None:
            entry = self._cache[key] = _Entry(key)
            if len(self._cache) > self.max_traces:
                self._evict()
        if entry.eager:
            return self.fun(*args, **kwargs)
        for c in list(entry.variants):
            try:
                out = c.run(leaves)
            except Retrace:
                continue
            except _MATH_ERRORS:
                self._use(entry, c)
                return self.fun(*args, **kwargs)
            self._use(entry, c)
            return out
        try:
            c, out = self._compile(leaves, rebuild)
        except Unstageable as e:
            warnings.warn(f"jit of {self._name()}: cannot compile this call ({e}); it runs "
                          f"uncompiled for this signature", JitWarning, stacklevel=3)
            entry.eager = True
            return self.fun(*args, **kwargs)
        entry.variants.insert(0, c)
        self._traces += 1
        if len(entry.variants) > 8:
            entry.variants.pop()
            self._warn_retrace("its guards fail")
        self._use(entry, c)
        return out

    def _use(self, entry, c):
        self._last = c
        if entry.variants and entry.variants[0] is not c:
            entry.variants.remove(c)
            entry.variants.insert(0, c)
        entry.fn = c.fn
        flat_key = entry.key[2] if entry.key[0] is not None else None
        if flat_key is not None:
            self._flat[flat_key] = entry

    def _evict(self):
        self._warn_retrace("its signatures change")
        oldest = next(iter(self._cache))
        entry = self._cache.pop(oldest)
        if oldest[0] is not None:
            self._flat.pop(oldest[2], None)
        del entry

    def _warn_retrace(self, why):
        if not self._warned:
            self._warned = True
            warnings.warn(f"jit of {self._name()} has staged {self._traces} programs "
                          f"({why}): compiling costs more than it saves when every call "
                          f"differs; mark arguments that are configuration as static "
                          f"(static_argnums), or call the function without jit. Only the "
                          f"{self.max_traces} most recent signatures are kept",
                          JitWarning, stacklevel=4)

    def _compile(self, leaves, rebuild):
        with _no_gc():
            program, values = stage(self.fun, leaves, rebuild, self.name)
            stages = _passes.run(program, self.passes)
            c = Compiled(stages)
        try:
            out = c.run(leaves)
        except Retrace:
            raise Unstageable("the compiled program does not take the path it was "
                              "staged on") from None
        except _MATH_ERRORS:
            out = tree_unflatten(program.out_tree, values)
        if not _agree(tree_flatten(out)[0], values):
            raise Unstageable("the compiled program disagrees with the staged values")
        if self.check:
            self._check(c, leaves, rebuild)
        return c, out

    def _check(self, c, leaves, rebuild):
        """Compare the program with the function itself on other inputs: each float
        element scaled by a random factor in [0.5, 1.5]; by factors in [1/4, 4]; the
        elements of each array shuffled; random signs (alternating for numbers); until
        four comparisons have been made (two for a program of more than 500
        operations). A
        function that reads its data in a way staging cannot see (random numbers, a
        global, np.asarray and plain numpy on a staged value) is caught here. Inputs
        that take another path (a guard fails) or make the function raise are no
        evidence."""
        rng = np.random.default_rng(len(c.program.eqns))
        compared = 0
        enough = 4 if c.program.count() <= 500 else 2  # a short program is cheap to run
        for how in ("scale", "wide", "shuffle", "signs"):
            moved = [_moved(x, rng, how, k) for k, x in enumerate(leaves)]
            try:
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    got = c.run([backend.copy_if_array(x) for x in moved])
                    args, kwargs = rebuild(moved)
                    expected = self.fun(*args, **kwargs)
            except Exception:
                continue
            if not _agree(tree_flatten(got)[0], tree_flatten(expected)[0]):
                raise Unstageable("the compiled program disagrees with the function on "
                                  "other inputs: it reads its data in a way staging "
                                  "cannot follow (random numbers, global state, or plain "
                                  "numpy on a staged value)")
            compared += 1
            if compared == enough:
                return

    # ------------------------------------------------------------ signatures

    def _split(self, args, kwargs):
        """``(key, leaves, rebuild)`` for a call, or None when it must run as it is."""
        name = self._name()
        statics = []
        n = len(args)
        nums = []
        for k in self.static_argnums:
            kk = k + n if k < 0 else k
            if not 0 <= kk < n:
                raise ValueError(f"jit of {name}: static_argnums {k} is out of range for "
                                 f"a call with {n} positional arguments")
            nums.append(kk)
        for k in nums:
            statics.append(("#", k, _hashable_static(name, f"argument {k}", args[k])))
        dyn_kwargs = {}
        for key, v in kwargs.items():
            if key in self.static_argnames:
                statics.append(("=", key, _hashable_static(name, f"argument {key!r}", v)))
            else:
                dyn_kwargs[key] = v
        dyn_args = tuple(a for k, a in enumerate(args) if k not in nums)
        leaves, treedef = tree_flatten((dyn_args, dyn_kwargs))
        keys = []
        for i, x in enumerate(leaves):
            t = type(x)
            if t in (float, int, complex, bool):
                keys.append(t)
            elif t is np.ndarray and x.dtype.kind in "biufc":
                keys.append((x.shape, x.dtype))
            elif isinstance(x, np.generic) and x.dtype.kind in "biufc":
                keys.append((t,))
            elif isinstance(x, Box):
                return None
            else:
                raise TypeError(f"jit of {name}: {_where_leaf(args, kwargs, nums, x)} is "
                                f"{backend.describe(x)}, which cannot be staged (only "
                                f"numbers and numeric arrays are); mark it static with "
                                f"static_argnums / static_argnames if it is configuration")
        static_key = tuple(statics)
        flat = not kwargs and not nums and all(type(a) in (float, int, complex, bool)
                                               or type(a) is np.ndarray for a in args)
        key = (treedef if flat else None, static_key, tuple(keys)) if flat else \
            (None, (treedef, static_key), tuple(keys))
        static_args = {k: args[k] for k in nums}
        static_kwargs = {k: v for k, v in kwargs.items() if k in self.static_argnames}

        def rebuild(boxes):
            d_args, d_kwargs = tree_unflatten(treedef, boxes)
            full = list(d_args)
            for k in sorted(static_args):
                full.insert(k, static_args[k])
            return tuple(full), dict(d_kwargs, **static_kwargs)

        return key, leaves, rebuild

    # ------------------------------------------------------------ looking at it

    def _compiled_for(self, args, kwargs):
        split = self._split(args, kwargs)
        if split is None:
            raise TypeError(f"jit of {self._name()}: lower/traces need plain arguments "
                            f"(numbers and arrays), not traced values")
        _, leaves, rebuild = split
        with _no_gc():
            program, _ = stage(self.fun, leaves, rebuild, self.name)
            return Compiled(_passes.run(program, self.passes))

    @property
    def source(self):
        """The generated Python of the program the last call ran."""
        return self._need_last().source

    @property
    def report(self):
        """How many operations each pass removed, for the program the last call ran."""
        return self._need_last().report()

    def _need_last(self):
        if self._last is None:
            raise ValueError(f"jit of {self._name()} has not compiled anything yet: call "
                             f"it, or use .lower(*args) / .traces(*args)")
        return self._last

    def lower(self, *args, **kwargs):
        """The generated source for these arguments, without running it."""
        return self._compiled_for(args, kwargs).source

    def traces(self, *args, **kwargs):
        """The program for these arguments after each pass (``Traces``); with no
        arguments, those of the program the last call ran."""
        c = self._compiled_for(args, kwargs) if args or kwargs else self._need_last()
        return Traces(c.stages)

    def save(self, path, *args, **kwargs):
        """Write the program (of these arguments, else of the last call) as a module
        that imports only numpy (and math, scipy where used): ``<name>(...)`` in it
        computes what this function does for that signature and path. A primitive
        whose implementation reaches into wengert (logsumexp, the decompositions'
        packed outputs) is taken from an installed wengert, and the module says so;
        an object with no source at all (a closure in the function) is an error."""
        c = self._compiled_for(args, kwargs) if args or kwargs else self._need_last()
        module = emit(c.program, standalone=True)
        if module.bound:
            names = ", ".join(sorted(module.bound))
            raise ValueError(f"jit of {self._name()}: cannot save a standalone module: "
                             f"{names} cannot be written as source (a closure or an object "
                             f"with no literal form)")
        with open(os.fspath(path), "w") as fh:
            fh.write(module.text)
        return module.text

    def __repr__(self):
        return f"<jit of {self._name()}: {self._traces} program(s)>"


@contextlib.contextmanager
def _no_gc():
    """The garbage collector paused while a program is staged and compiled: the
    collections it would run walk every object of the (large, acyclic) program
    again and again, a fifth of the compile time on a long one."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _moved(x, rng, how, k=0):
    """``x`` with each float element scaled by a random factor in [0.5, 1.5]
    (``how="scale"``), its elements shuffled and scaled by [0.9, 1.1] ("shuffle"),
    scaled by [1/4, 4] ("wide"), or by [0.5, 1.5] with random signs ("signs"; the
    ``k``-th number negated for even ``k``)."""
    if not (type(x) in (float, complex) or (isinstance(x, (np.ndarray, np.generic))
                                            and x.dtype.kind in "fc")):
        return backend.copy_if_array(x)
    shape = np.shape(x)
    if how == "shuffle":
        factor = 0.9 + 0.2 * rng.random(shape)
    elif how == "wide":
        factor = 4.0 ** (2 * rng.random(shape) - 1)
    else:
        factor = 0.5 + rng.random(shape)
    if how == "signs":
        factor = factor * (rng.choice((-1.0, 1.0), shape) if shape else (-1.0) ** (k + 1))
    if type(x) in (float, complex):
        return type(x)(x * float(factor))
    out = np.asarray(x * factor).astype(x.dtype)
    if how == "shuffle" and out.ndim:
        out = rng.permutation(out.reshape(-1)).reshape(out.shape)
    return out if isinstance(x, np.ndarray) else out[()]


def _hashable_static(name, what, v):
    try:
        hash(v)
    except TypeError:
        raise TypeError(f"jit of {name}: static {what} must be hashable (it is part of "
                        f"the cache key), got {backend.describe(v)}; pass a tuple instead "
                        f"of a list, or make it a traced argument") from None
    return v


def _where_leaf(args, kwargs, nums, x):
    for k, a in enumerate(args):
        if any(leaf is x for leaf in tree_flatten(a)[0]):
            return f"argument {k}"
    for key, a in kwargs.items():
        if any(leaf is x for leaf in tree_flatten(a)[0]):
            return f"argument {key!r}"
    return "an argument"


def _agree(xs, ys):
    if len(xs) != len(ys):
        return False
    for x, y in zip(xs, ys):
        if isinstance(x, Box) or isinstance(y, Box):
            return False
        try:
            a, b = np.asarray(x), np.asarray(y)
        except Exception:
            if not (x is y or x == y):
                return False
            continue
        if a.shape != b.shape:
            return False
        if a.dtype.kind in "fc" or b.dtype.kind in "fc":
            if not np.allclose(a, b, rtol=1e-9, atol=1e-12, equal_nan=True):
                return False
        elif a.dtype.kind in "biu" and b.dtype.kind in "biu":
            if not np.array_equal(a, b):
                return False
        elif not (a.dtype == b.dtype and np.array_equal(a, b)):
            return False
    return True


def jit(fun=None, *, static_argnums=(), static_argnames=(), max_traces=32, check=True,
        name=None):
    """Compile ``fun`` by source transformation: stage it once per input signature,
    simplify the program, and run generated Python from then on.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> from wengert.tools.compile import jit
    >>> f = lambda x1, x2: wnp.log(x1) + x1 * x2 - wnp.sin(x2)
    >>> g = jit(wg.grad(f, argnums=(0, 1)))
    >>> g(2.0, 5.0)
    (5.5, 1.7163378145367738)
    >>> print(g.source.split("def f(")[1])  # doctest: +ELLIPSIS
    v_1, v0):
        v1 = cos(v0)  # ... backward
        v2 = v_1 - v1  # ... backward
        v3 = 1.0 / v_1  # ... backward
        v4 = v0 + v3  # ... backward
        return (v4, v2)
    <BLANKLINE>

    ``static_argnums`` / ``static_argnames``: arguments that are configuration
    (hashable; a new value stages again). ``max_traces``: how many signatures are
    kept. ``check``: compare each new program with ``fun`` itself on other inputs
    (scaled, shuffled, sign-flipped: a function that reads data in a way staging
    cannot follow then runs uncompiled, with a ``JitWarning``); ``fun`` then runs
    two to four more times when a signature is first seen, which a function with
    side effects (printing) shows. ``check=False`` trusts the staging.
    """
    if fun is None:
        return lambda f: Jitted(f, static_argnums, static_argnames,
                                max_traces=max_traces, check=check, name=name)
    return Jitted(fun, static_argnums, static_argnames, max_traces=max_traces,
                  check=check, name=name)
