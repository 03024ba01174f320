"""The machinery scipy.stats' ``rv_continuous`` and ``rv_discrete`` put around each
distribution's standard-form functions, rebuilt so that derivatives pass through.

scipy evaluates a distribution's formula only where the parameters are valid and
the point is inside the support, and fills the rest with nan (invalid parameters,
nan data) or the value at the edge of the support (-inf for a log density, 0 or 1
for a cdf). Here the masks are computed on the plain values (they are piecewise
constant), the formula is evaluated on inputs where every masked-out entry is
replaced by a safe point (so no inf or nan from there reaches a derivative, at any
order), and ``where`` puts the fill values back. The formulas are compositions of
wengert.numpy and wengert.scipy.special functions, so forward and reverse mode and
higher orders come from their rules.

Under vmap every such mask, branch choice and fill value is computed per example
(``const``: the example's own data, batched like it), and the arguments' shapes are
those of one example (``shape_of``); a whole-batch test only skips a piece that no
example needs (``every``, ``somewhere``).
"""

import numpy as np

from ... import numpy as wnp
from ...core.trace import is_boxed, unbox_all
from ...rules._base import batch_traces, batched, per_example
from ...rules._base import shape as shape_of

_INF = np.inf


def prep(v):
    """A traced value as it is; anything else as a float64 (or wider) numpy array."""
    if is_boxed(v):
        return v
    a = np.asarray(v)
    return a.astype(np.promote_types(a.dtype, np.float64), copy=False)


def const(fn, *args):
    """``fn`` of the plain values of ``args`` (derivatives dropped): a constant such as
    a mask, computed elementwise. Under vmap it is each example's own, computed once
    on the whole batch (the batch axes in front, the examples' ranks padded to match,
    so numpy's broadcasting pairs each example with its own parameters) and batched
    like the arguments; plain when nothing is batched. A tuple result gives a tuple.

    >>> import numpy as np, wengert as wg
    >>> above = wg.vmap(lambda x, m: const(lambda x, m: x > m, x, m), in_axes=(0, None))
    >>> above(np.array([[1., 3.], [2., 0.]]), np.array([2., 1.]))
    array([[False,  True],
           [False, False]])
    """
    def run(*raws):
        *raws, k = raws
        raws = [np.asarray(r) for r in raws]
        if not k:  # nothing batched: numpy's broadcasting as it is
            with np.errstate(all="ignore"):
                out = fn(*raws)
            return tuple(out) if isinstance(out, list) else out
        sizes = raws[0].shape[:k]
        rank = max((r.ndim - k for r in raws), default=0)
        raws = [r.reshape(r.shape[:k] + (1,) * (rank - r.ndim + k) + r.shape[k:])
                for r in raws]
        with np.errstate(all="ignore"):
            out = fn(*raws)

        def full(o):  # every example gets its own entry
            o = np.asarray(o)
            return np.broadcast_to(o, sizes + (o.shape[k:] if o.ndim >= k else ()))
        return tuple(full(o) for o in out) if isinstance(out, (tuple, list)) else full(out)
    return per_example(run, *args, lead=True)


def every(mask):
    """Whether ``mask`` holds for every entry of every example."""
    return bool(np.all(unbox_all(mask)))


def somewhere(mask):
    """Whether ``mask`` holds for some entry of some example."""
    return bool(np.any(unbox_all(mask)))


def is_batched(*args):
    """Whether any of ``args`` is batched by a vmap."""
    return bool(batch_traces(args))


def sub(v, keep, safe):
    """``v`` where ``keep``, ``safe`` elsewhere (v itself when keep is all true)."""
    if every(keep):
        return v
    return wnp.where(keep, v, safe)


def branches(keep, x, first, second, safe_first, safe_second):
    """``first(x)`` where ``keep`` and ``second(x)`` elsewhere, each evaluated only
    on its own entries (the others replaced by a safe point): the two pieces'
    derivatives stay apart, and neither sees a point where it overflows."""
    if every(keep):
        return first(x)
    if not somewhere(keep):
        return second(x)
    return wnp.where(keep, first(wnp.where(keep, x, safe_first)),
                     second(wnp.where(keep, safe_second, x)))


def finish(out, boxed):
    """scipy's result: a float64 array, a numpy float64 for a single value."""
    if boxed:
        return out
    out = np.asarray(out, dtype=np.float64)
    return out[()] if out.ndim == 0 else out


def _parse(dist, who, args, kwds, names, defaults):
    """scipy's argument reading: the shape parameters, then loc (and scale), by
    position or by keyword."""
    if len(args) > len(names):
        raise TypeError(f"{dist.name}.{who}() takes at most {len(names) + 1} positional "
                        f"arguments ({len(args) + 1} given)")
    got = dict(zip(names, args))
    for k, v in kwds.items():
        if k not in names:
            raise TypeError(f"{dist.name}.{who}() got an unexpected keyword argument {k!r}")
        if k in got:
            raise TypeError(f"{dist.name}.{who}() got multiple values for argument {k!r}")
        got[k] = v
    missing = [n for n in dist.shapes if n not in got]
    if missing:
        raise TypeError(f"{dist.name}.{who}() missing {len(missing)} required positional "
                        f"argument{'s' if len(missing) > 1 else ''}: "
                        + ", ".join(repr(m) for m in missing))
    for n, d in defaults.items():
        got.setdefault(n, d)
    return [got[n] for n in names]


_METHODS = ("logpdf", "pdf", "logpmf", "pmf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf")


class rv_frozen:
    """A distribution with its parameters fixed, as scipy's ``dist(*args, **kwds)``:
    ``norm(1.0, 2.0).logpdf(x)`` is ``norm.logpdf(x, 1.0, 2.0)``. The parameters may
    be traced values (derivatives flow to them as to the unfrozen call's)."""

    def __init__(self, dist, *args, **kwds):
        self.dist, self.args, self.kwds = dist, args, kwds

    def __repr__(self):
        return f"<frozen wengert.scipy.stats.{self.dist.name}>"

    def __getattr__(self, name):
        if name in _METHODS and hasattr(self.dist, name):
            method = getattr(self.dist, name)

            def frozen(x):
                return method(x, *self.args, **self.kwds)
            frozen.__name__ = name
            frozen.__doc__ = method.__doc__
            return frozen
        raise AttributeError(f"a frozen distribution has no attribute {name!r}")


class rv_continuous:
    """A continuous distribution in scipy's form: subclasses give the standard
    (loc 0, scale 1) ``_logpdf`` or ``_pdf``, ``_cdf`` ... on valid inputs, and
    ``safe``, a point inside the support with valid shape parameters."""

    shapes = ()
    a, b = -_INF, _INF
    safe = (0.0,)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"<wengert.scipy.stats.{self.name}>"

    def __call__(self, *args, **kwds):
        """The frozen distribution (parameters checked for arity now)."""
        _parse(self, "__call__", args, kwds, self.shapes + ("loc", "scale"),
               {"loc": 0.0, "scale": 1.0})
        return rv_frozen(self, *args, **kwds)

    # the standard-form functions and scipy's defaults for them
    def _argcheck(self, *args):
        cond = True
        for arg in args:
            cond = cond & (arg > 0)
        return cond

    def _logpdf(self, x, *args):
        return wnp.log(self._pdf(x, *args))

    def _pdf(self, x, *args):
        return wnp.exp(self._logpdf(x, *args))

    def _sf(self, x, *args):
        return 1.0 - self._cdf(x, *args)

    def _median(self, *args):
        """The plain median (where scipy's default logcdf and logsf switch pieces);
        0 unless a subclass says otherwise."""
        return 0.0

    def _about_median(self, x, args, below, above, strict_below):
        """scipy's rv_continuous._logcdf and _logsf: ``below`` left of the median,
        ``above`` right of it, each piece evaluated with the median standing in
        for the other piece's points."""
        def split(x, *args):
            m = np.asarray(self._median(*args), dtype=np.float64)
            left = (x < m) if strict_below else ~(x > m)
            return np.broadcast_arrays(left, m)
        left, m = const(split, x, *args)
        if every(left):
            return below(x, *args)
        if not somewhere(left):
            return above(x, *args)
        return wnp.where(left, below(wnp.where(left, x, m), *args),
                         above(wnp.where(left, m, x), *args))

    def _logcdf(self, x, *args):
        # log(cdf) left of the median, log1p(-sf) right of it (no rounding of a
        # cdf near 1)
        return self._about_median(x, args, lambda x, *a: wnp.log(self._cdf(x, *a)),
                                  lambda x, *a: wnp.log1p(-self._sf(x, *a)), True)

    def _logsf(self, x, *args):
        # log(sf) right of the median, log1p(-cdf) left of it
        return self._about_median(x, args, lambda x, *a: wnp.log1p(-self._cdf(x, *a)),
                                  lambda x, *a: wnp.log(self._sf(x, *a)), False)

    def _isf(self, q, *args):
        return self._ppf(1.0 - q, *args)

    # ---------------------------------------------------------------- the wrappers

    def _inputs(self, who, x, args, kwds):
        names = self.shapes + ("loc", "scale")
        vals = [prep(v) for v in [x] + _parse(self, who, args, kwds, names,
                                                {"loc": 0.0, "scale": 1.0})]
        boxed = any(is_boxed(v) for v in vals)
        shape = np.broadcast_shapes(*(shape_of(v) for v in vals))  # one example's
        return vals, shape, boxed

    def _safe_inputs(self, keep, vals):
        """x, loc, scale and the shape parameters with a safe point wherever
        ``keep`` is false: the standard point ``safe`` with loc 0, scale 1."""
        x, *args, loc, scale = vals
        return (sub(x, keep, self.safe[0]), sub(loc, keep, 0.0), sub(scale, keep, 1.0),
                [sub(a, keep, s) for a, s in zip(args, self.safe[1:])])

    def _evaluate(self, who, x, args, kwds, kind):
        vals, shape, boxed = self._inputs(who, x, args, kwds)

        def masks(X, *A):
            *A, L, S = A
            z = (X - L) / S
            cond0 = self._argcheck(*A) & (S > 0)
            if kind in ("logpdf", "pdf"):
                inside = (self.a <= z) & (z <= self.b)
            else:
                inside = (self.a < z) & (z < self.b)
            cond = cond0 & inside
            bad = ~cond0 | np.isnan(z)
            if kind in ("logpdf", "pdf"):
                fill = np.where(bad, np.nan, -_INF if kind == "logpdf" else 0.0)
            elif kind in ("cdf", "logcdf"):
                top = (z >= self.b) & cond0
                fill = np.where(bad, np.nan, np.where(top, 1.0 if kind == "cdf" else 0.0,
                                                      0.0 if kind == "cdf" else -_INF))
            else:
                low = (z <= self.a) & cond0
                fill = np.where(bad, np.nan, np.where(low, 1.0 if kind == "sf" else 0.0,
                                                      0.0 if kind == "sf" else -_INF))
            return np.broadcast_arrays(cond, fill)
        cond, fill = const(masks, *vals)
        xs, ls, ss, As = self._safe_inputs(cond, vals)
        zs = (xs - ls) / ss
        if kind == "logpdf":
            val = self._logpdf(zs, *As) - wnp.log(ss)
        elif kind == "pdf":
            val = self._pdf(zs, *As) / ss
        else:
            val = getattr(self, "_" + kind)(zs, *As)
        return finish(wnp.where(cond, val, fill), boxed)

    def _quantile(self, who, q, args, kwds, upper):
        vals, shape, boxed = self._inputs(who, q, args, kwds)

        def masks(Q, *A):
            *A, L, S = A
            cond0 = self._argcheck(*A) & (S > 0) & (L == L)
            return np.broadcast_arrays(cond0 & (0 < Q) & (Q < 1), cond0 & (Q == 0),
                                       cond0 & (Q == 1))
        cond, at0, at1 = const(masks, *vals)
        q, *args, loc, scale = vals
        # the ends: ppf(0) = a, ppf(1) = b (isf the other way round), moved by loc, scale
        lo, hi = (self.b, self.a) if upper else (self.a, self.b)
        out = np.full(shape, np.nan)
        for mask, end in ((at0, lo), (at1, hi)):
            if somewhere(mask):
                if np.isfinite(end):
                    out = wnp.where(mask, end * sub(scale, mask, 1.0) + sub(loc, mask, 0.0),
                                    out)
                else:
                    out = wnp.where(mask, end, out)
        qs = sub(q, cond, 0.5)
        As = [sub(a, cond, s) for a, s in zip(args, self.safe[1:])]
        val = (self._isf if upper else self._ppf)(qs, *As)
        val = val * sub(scale, cond, 1.0) + sub(loc, cond, 0.0)
        return finish(wnp.where(cond, val, out), boxed)

    def logpdf(self, x, *args, **kwds):
        """The log density at x, scipy's signature: shape parameters, loc, scale."""
        return self._evaluate("logpdf", x, args, kwds, "logpdf")

    def pdf(self, x, *args, **kwds):
        """The density at x."""
        return self._evaluate("pdf", x, args, kwds, "pdf")

    def cdf(self, x, *args, **kwds):
        """The cumulative distribution function at x."""
        return self._evaluate("cdf", x, args, kwds, "cdf")

    def logcdf(self, x, *args, **kwds):
        """The log of the cdf at x."""
        return self._evaluate("logcdf", x, args, kwds, "logcdf")

    def sf(self, x, *args, **kwds):
        """The survival function 1 - cdf at x."""
        return self._evaluate("sf", x, args, kwds, "sf")

    def logsf(self, x, *args, **kwds):
        """The log of the survival function at x."""
        return self._evaluate("logsf", x, args, kwds, "logsf")


class with_quantiles:
    """Mixed into the continuous distributions that give ``_ppf`` and ``_isf``: a
    formula, or the inverse of an incomplete gamma or beta function."""

    def ppf(self, q, *args, **kwds):
        """The quantile function (inverse of the cdf) at q."""
        return self._quantile("ppf", q, args, kwds, upper=False)

    def isf(self, q, *args, **kwds):
        """The inverse of the survival function at q."""
        return self._quantile("isf", q, args, kwds, upper=True)


class rv_discrete:
    """A discrete distribution in scipy's form. The point k and loc are counts:
    the functions are piecewise constant in them, so they enter as constants
    (derivative 0, as for wnp.floor); the shape parameters named in ``integer``
    (binom's n) likewise. The others are differentiable. The quantiles ``ppf`` and
    ``isf`` are counts too, piecewise constant in q and in every parameter: plain
    values, scipy's own (derivative 0)."""

    shapes = ()
    integer = ()
    a, b = 0, _INF
    safe = (0.0,)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"<wengert.scipy.stats.{self.name}>"

    def __call__(self, *args, **kwds):
        """The frozen distribution (parameters checked for arity now)."""
        _parse(self, "__call__", args, kwds, self.shapes + ("loc",), {"loc": 0.0})
        return rv_frozen(self, *args, **kwds)

    def _support(self, *args):
        return self.a, self.b

    def _pmf(self, k, *args):
        return wnp.exp(self._logpmf(k, *args))

    def _logcdf(self, k, *args):
        return wnp.log(self._cdf(k, *args))

    def _sf(self, k, *args):
        return 1.0 - self._cdf(k, *args)

    def _logsf(self, k, *args):
        return wnp.log(self._sf(k, *args))

    def _evaluate(self, who, k, args, kwds, kind):
        names = self.shapes + ("loc",)
        *args, loc = _parse(self, who, args, kwds, names, {"loc": 0.0})
        # the counts as constants (batched by vmap as they come, their derivatives
        # dropped)
        args = [prep(batched(a)) if n in self.integer else prep(a)
                for n, a in zip(self.shapes, args)]
        boxed = any(is_boxed(a) for a in args) or is_batched(k, loc)

        def masks(K, L, *A):
            kk = np.asarray(K - L, dtype=np.promote_types(np.result_type(K, L), np.float64))
            lo, hi = self._support(*A)
            cond0 = self._argcheck(*A)
            bad = ~cond0 | np.isnan(kk)
            if kind in ("logpmf", "pmf"):
                cond = cond0 & (kk >= lo) & (kk <= hi) & (np.floor(kk) == kk)
                fill = np.where(bad, np.nan, -_INF if kind == "logpmf" else 0.0)
            elif kind == "cdf":
                cond = cond0 & (kk >= lo) & (kk < hi) & np.isfinite(kk)
                fill = np.where(bad, np.nan, np.where(kk >= hi, 1.0, 0.0))
            elif kind == "logcdf":
                cond = cond0 & (kk >= lo) & (kk < hi)
                fill = np.where(kk >= hi, 0.0, np.where(bad, np.nan, -_INF))
            elif kind == "sf":
                cond = cond0 & (kk >= lo) & (kk < hi) & np.isfinite(kk)
                fill = np.where(bad, np.nan, np.where(((kk < lo) | np.isneginf(kk)) & cond0,
                                                      1.0, 0.0))
            else:
                cond = cond0 & (kk >= lo) & (kk < hi)
                fill = np.where(bad, np.nan, np.where((kk < lo) & cond0, 0.0, -_INF))
            ks = np.where(cond, kk, self.safe[0])
            if kind not in ("logpmf", "pmf"):
                ks = np.floor(ks)
            return np.broadcast_arrays(cond, fill, ks)
        cond, fill, ks = const(masks, k, loc, *args)
        As = [sub(a, cond, s) for a, s in zip(args, self.safe[1:])]
        val = getattr(self, "_" + kind)(ks, *As)
        if kind in ("pmf", "cdf", "sf"):  # scipy clips these to [0, 1]
            if somewhere(const(lambda v: (v < 0) | (v > 1), val)):
                val = wnp.clip(val, 0.0, 1.0)
        return finish(wnp.where(cond, val, fill), boxed)

    def logpmf(self, k, *args, **kwds):
        """The log probability mass at k, scipy's signature: shape parameters, loc."""
        return self._evaluate("logpmf", k, args, kwds, "logpmf")

    def pmf(self, k, *args, **kwds):
        """The probability mass at k."""
        return self._evaluate("pmf", k, args, kwds, "pmf")

    def cdf(self, k, *args, **kwds):
        """The cumulative distribution function at k."""
        return self._evaluate("cdf", k, args, kwds, "cdf")

    def logcdf(self, k, *args, **kwds):
        """The log of the cdf at k."""
        return self._evaluate("logcdf", k, args, kwds, "logcdf")

    def sf(self, k, *args, **kwds):
        """The survival function 1 - cdf at k."""
        return self._evaluate("sf", k, args, kwds, "sf")

    def logsf(self, k, *args, **kwds):
        """The log of the survival function at k."""
        return self._evaluate("logsf", k, args, kwds, "logsf")

    def _quantile(self, who, q, args, kwds):
        # a step function of q and of the parameters, so its derivative is 0 (almost
        # everywhere; at the steps wengert gives 0 too): scipy.stats' values on the
        # plain inputs, which a trace sees as constants
        *args, loc = _parse(self, who, args, kwds, self.shapes + ("loc",), {"loc": 0.0})
        try:
            import scipy.stats
        except ImportError as err:
            raise ImportError(f"wengert.scipy.stats.{self.name}.{who} needs scipy; install "
                              f"the scipy extra: pip install 'wengert[scipy]'") from err
        method = getattr(getattr(scipy.stats, self.name), who)
        if is_batched(q, loc, *args):  # elementwise, so each example's own
            return const(lambda q, loc, *args: method(q, *args, loc=loc), q, loc, *args)
        with np.errstate(all="ignore"):
            return method(*(np.asarray(unbox_all(v)) for v in (q, *args)),
                          loc=np.asarray(unbox_all(loc)))

    def ppf(self, q, *args, **kwds):
        """The quantile function at q: the least k with cdf(k) >= q (scipy's values,
        plain: piecewise constant, derivative 0)."""
        return self._quantile("ppf", q, args, kwds)

    def isf(self, q, *args, **kwds):
        """The inverse survival function at q: the least k with sf(k) <= q (scipy's
        values, plain: piecewise constant, derivative 0)."""
        return self._quantile("isf", q, args, kwds)
