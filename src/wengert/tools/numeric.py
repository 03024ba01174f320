"""The numeric route to a derivative: finite differences and the complex step.

The seeds list two errors of a difference quotient. Truncation error (截断误差) is
the Taylor remainder the quotient drops: O(h) for one-sided differences
``(f(x+h) - f(x)) / h``, O(h^2) for the central difference
``(f(x+h) - f(x-h)) / 2h``. Round-off error (舍入误差) is the cancellation in the
numerator: f is known only to about ``eps * |f|``, so the quotient carries
``eps * |f| / h``, which grows as h shrinks. The best step balances the two:
about ``sqrt(eps)`` for one-sided, ``cbrt(eps)`` for central differences.

The complex step ``Im f(x + i h) / h`` subtracts nothing, so it has no round-off
term and h can be tiny (1e-20): exact to rounding for a real-analytic ``f``
written with ``wengert.numpy`` or numpy functions that accept complex numbers
(not ``abs``, comparisons, ``math.*`` or ``float()``, which drop or refuse the
imaginary part).

``error_curve`` measures both errors against the automatic derivative
(``wengert.grad``) over a range of steps.
"""

import io
import math

import numpy as np

from ..core.pytree import tree_flatten, tree_unflatten
from ..display import Report, Table
from ..transforms import argnum_positions, check_argnums

__all__ = ["grad", "error_curve", "ErrorCurve", "default_step", "METHODS"]

METHODS = ("forward", "backward", "central", "complex")
_EPS = float(np.finfo(float).eps)
# Order of the truncation error of each method: error ~ C * h**order at large steps.
_ORDER = {"forward": 1, "backward": 1, "central": 2, "complex": 2}


def _name(fun):
    return getattr(fun, "__name__", type(fun).__name__)


def _check_method(who, method):
    if method not in METHODS:
        raise ValueError(f"{who}: unknown method {method!r}; the allowed methods are "
                         + ", ".join(repr(m) for m in METHODS))


def _check_step(who, h):
    if isinstance(h, bool) or not isinstance(h, (int, float, np.integer, np.floating)):
        raise TypeError(f"{who}: the step h must be a positive real number, "
                        f"got {type(h).__name__} {h!r}")
    if not (h > 0 and math.isfinite(h)):
        raise ValueError(f"{who}: the step h must be positive and finite, got {h!r}")
    return float(h)


def default_step(method, x):
    """The default step for ``method`` at the point(s) ``x``: ``sqrt(eps) * max(1, |x|)``
    for one-sided differences, ``cbrt(eps) * max(1, |x|)`` for central differences
    (the steps that balance truncation and round-off), and ``1e-20`` for the
    complex step, which has no round-off term to balance.

    >>> default_step("central", 1.0)
    6.055454452393343e-06
    """
    _check_method("numeric.default_step", method)
    x = np.asarray(x, dtype=float)
    if method == "complex":
        h = np.full(x.shape, 1e-20)
    else:
        root = math.sqrt(_EPS) if method in ("forward", "backward") else _EPS ** (1.0 / 3.0)
        h = root * np.maximum(1.0, np.abs(x))
    return float(h) if h.ndim == 0 else h


def _as_real_scalar(who, fun, out, method):
    """The output of one evaluation as a Python float (complex for the complex step)."""
    try:
        arr = np.asarray(out)
    except Exception:  # an object numpy cannot view: reported below
        arr = None
    if arr is None or arr.dtype.kind not in "biufc":
        raise TypeError(f"{who}: {_name(fun)} must return a scalar number, "
                        f"got {type(out).__name__}")
    if arr.ndim != 0:
        raise ValueError(f"{who}: {_name(fun)} must return a scalar, got an output of "
                         f"shape {arr.shape}; differentiate one component or a sum")
    if method == "complex":
        if arr.dtype.kind != "c":
            raise TypeError(
                f"{who}(method='complex'): {_name(fun)} returned the real value {out!r} "
                f"for a complex input, so the imaginary part was dropped (abs, float(), "
                f"math.* or .real do that); write it with wengert.numpy or numpy "
                f"functions, or use method='central'")
        return complex(arr)
    if arr.dtype.kind == "c":
        raise TypeError(f"{who}: {_name(fun)} returned the complex value {out!r}; "
                        f"numeric.grad differentiates real scalar functions")
    return float(arr)


def _real_leaf(who, leaf, k):
    arr = np.asarray(leaf)
    if arr.dtype.kind not in "iuf" or isinstance(leaf, bool):
        raise TypeError(f"{who}: the arguments to differentiate must be real numbers or "
                        f"arrays; input leaf {k} is {type(leaf).__name__} with dtype "
                        f"{arr.dtype}")
    return arr.astype(float)


def _select_argnums(who, fun, argnums, n):
    """``(single, positions)``, checked as the transforms check them."""
    argnums = check_argnums(who, fun, argnums, None)
    return not isinstance(argnums, tuple), argnum_positions(who, fun, argnums, n)


def _rebuild(leaf, arr):
    """``arr`` in the type of the original ``leaf``: a Python scalar stays a scalar."""
    return arr if isinstance(leaf, np.ndarray) else arr.item()


def _check_analytic(who, fun, g_complex, x, idx, f_real):
    """The complex step is exact only for a function that is complex-analytic at x:
    abs, maximum, comparisons or ``where`` break that silently. A central difference
    (two more evaluations) catches it; the default steps make both accurate to far
    better than the tolerance used here."""
    def central(step):
        up, down = x.copy(), x.copy()
        up[idx] += step
        down[idx] -= step
        return (f_real(up) - f_real(down)) / (2 * step)

    step = float(default_step("central", x[idx]))
    g_central = central(step)
    # the tolerance scales with the derivative itself (a derivative of size 1e-299 is
    # checked as closely as one of size 1) and allows for the central difference's own
    # error, estimated from a second step
    own_error = abs(g_central - central(step / 2)) * 4 / 3
    if not abs(g_complex - g_central) <= 1e-5 * abs(g_central) + 10 * own_error:
        raise ValueError(
            f"{who}(method='complex'): the complex step gives {float(g_complex)!r} but central "
            f"differences give {float(g_central)!r} for {_name(fun)}: {_name(fun)} is not "
            f"complex-analytic there (abs, max/min, comparisons, where), or its complex "
            f"arithmetic loses the step (powers of negative numbers); use "
            f"method='central'")


def grad(fun, *args, method="central", h=None, argnums=0):
    """The gradient of a real scalar function by finite differences (or the complex
    step), with the structure of the chosen argument(s): a float for a float.

    ``method``: ``"forward"`` ``(f(x+h) - f(x)) / h``, ``"backward"``
    ``(f(x) - f(x-h)) / h``, ``"central"`` ``(f(x+h) - f(x-h)) / 2h`` or
    ``"complex"`` ``Im f(x + ih) / h``. ``h``: one positive step for every
    component; by default ``default_step(method, x)`` per component. Costs one or
    two evaluations of ``fun`` per component.

    >>> import wengert.numpy as wnp
    >>> f = lambda x1, x2: wnp.log(x1) + x1 * x2 - wnp.sin(x2)
    >>> round(grad(f, 2.0, 5.0, argnums=1), 6)
    1.716338
    >>> grad(f, 2.0, 5.0, method="complex", argnums=(0, 1))
    (5.5, 1.7163378145367738)
    """
    who = "numeric.grad"
    _check_method(who, method)
    if h is not None:
        h = _check_step(who, h)
    single, nums = _select_argnums(who, fun, argnums, len(args))
    args = list(args)

    def evaluate(pos, treedef, leaves, k, value):
        trial = list(leaves)
        trial[k] = _rebuild(leaves[k], value)
        call = list(args)
        call[pos] = tree_unflatten(treedef, trial)
        try:
            out = fun(*call)
        except TypeError as err:
            if method != "complex":
                raise
            raise TypeError(f"{who}(method='complex'): {_name(fun)} failed on a complex "
                            f"input ({err}); write it with wengert.numpy or numpy "
                            f"functions, or use method='central'") from err
        return _as_real_scalar(who, fun, out, method)

    f0 = None
    if method in ("forward", "backward"):
        f0 = _as_real_scalar(who, fun, fun(*args), method)
    results = []
    for pos in nums:
        leaves, treedef = tree_flatten(args[pos])
        grads = []
        for k, leaf in enumerate(leaves):
            x = _real_leaf(who, leaf, k)
            steps = default_step(method, x) if h is None else np.full(x.shape, h)
            steps = np.asarray(steps, dtype=float).reshape(x.shape)
            g = np.empty(x.shape)
            for idx in np.ndindex(x.shape):
                step = float(steps[idx])
                up, down = x.copy(), x.copy()
                up[idx] += step
                down[idx] -= step
                if method == "complex":
                    z = x.astype(complex)
                    z[idx] += 1j * step
                    g[idx] = evaluate(pos, treedef, leaves, k, z).imag / step
                    if h is None:
                        _check_analytic(who, fun, g[idx], x, idx, lambda v: (
                            evaluate(pos, treedef, leaves, k, v.astype(complex)).real))
                    continue
                if method == "forward":
                    g[idx] = (evaluate(pos, treedef, leaves, k, up) - f0) / step
                elif method == "backward":
                    g[idx] = (f0 - evaluate(pos, treedef, leaves, k, down)) / step
                else:
                    g[idx] = (evaluate(pos, treedef, leaves, k, up)
                              - evaluate(pos, treedef, leaves, k, down)) / (2 * step)
            grads.append(g if isinstance(leaf, np.ndarray) else float(g))
        results.append(tree_unflatten(treedef, grads))
    return results[0] if single else tuple(results)


# ---------------------------------------------------------------- error curves

def _fit_slope(hs, errs):
    """Least-squares slope of log10(err) against log10(h); nan with < 2 usable points."""
    keep = (errs > 0) & np.isfinite(errs)
    if keep.sum() < 2:
        return float("nan")
    return float(np.polyfit(np.log10(hs[keep]), np.log10(errs[keep]), 1)[0])


def _fmt_slope(s):
    return "-" if math.isnan(s) else f"{s:.2f}"


def _short(x):
    if isinstance(x, np.ndarray):
        return f"array of shape {x.shape}"
    return repr(x)


class ErrorCurve:
    """Absolute error of each difference method against the automatic derivative,
    over a range of steps ``hs``, at one point (along one direction for arrays), as
    ``error_curve`` returns it.

    Attributes: ``name`` (the function's), ``x``, ``direction`` (None for a float
    ``x``), ``hs``, ``methods``, ``exact`` (the AD derivative), ``estimates[method]``
    and ``errors[method]`` (arrays like ``hs``), ``best_step[method]`` and
    ``best_error[method]`` (the step of least error, and that error).
    ``slope(method, h_min, h_max)`` fits the log-log slope on a range of steps;
    ``slopes()`` fits it on both sides of the best step (truncation and round-off);
    ``table(rows=16)`` gives the printable ``Report`` (also what ``print`` and
    Jupyter show); ``plot(path=None)`` draws it (matplotlib) and returns the Figure.

    >>> import wengert.numpy as wnp
    >>> c = error_curve(wnp.sin, 1.0, hs=[1e-1, 1e-2, 1e-3], methods=("forward", "central"))
    >>> c.best_step["central"], round(c.slope("forward"), 2), round(c.slope("central"), 2)
    (0.001, 1.0, 2.0)
    >>> print(c)
    error of the numeric derivative of sin against AD at x = 1.0 (exact 0.5403023058681398)
          h   forward   central
    -------  --------  --------
    1.0e-01  4.29e-02  9.00e-04
    1.0e-02  4.22e-03  9.00e-06
    1.0e-03  4.21e-04  9.01e-08
    <BLANKLINE>
    method    best h  best error  slope (truncation)  slope (round-off)
    -------  -------  ----------  ------------------  -----------------
    forward  1.0e-03    4.21e-04                1.01                  -
    central  1.0e-03    9.01e-08                2.00                  -
    """

    def __init__(self, name, x, direction, exact, hs, estimates):
        self.name = name
        self.x = x
        self.direction = direction
        self.exact = exact
        self.hs = hs
        self.methods = tuple(estimates)
        self.estimates = estimates
        self.errors = {m: np.abs(est - exact) for m, est in estimates.items()}
        self.best_step = {}
        self.best_error = {}
        for m, err in self.errors.items():
            i = int(np.nanargmin(err)) if np.isfinite(err).any() else 0
            self.best_step[m] = float(hs[i])
            self.best_error[m] = float(err[i])

    def slope(self, method, h_min=None, h_max=None):
        """The fitted slope of log10(error) against log10(h) over steps in
        ``[h_min, h_max]`` (zero errors are left out: they have no logarithm)."""
        if method not in self.errors:
            raise ValueError(f"ErrorCurve.slope: no method {method!r} in this curve; it "
                             f"has " + ", ".join(repr(m) for m in self.methods))
        lo = self.hs.min() if h_min is None else h_min
        hi = self.hs.max() if h_max is None else h_max
        sel = (self.hs >= lo * (1 - 1e-9)) & (self.hs <= hi * (1 + 1e-9))
        return _fit_slope(self.hs[sel], self.errors[method][sel])

    def slopes(self):
        """``{method: {"truncation": s, "roundoff": s}}``: slopes fitted on the steps
        more than 10x above the best step whose error is above rounding level
        (truncation: expect 1 for one-sided, 2 for central and complex) and on the
        steps more than 10x below it (round-off: expect -1 for
        differences; the complex step has none). Below the round-off region, where
        ``x + h`` rounds to ``x`` and the difference is exactly 0, points are left out."""
        out = {}
        floor = 100 * _EPS * max(1.0, abs(self.exact))  # errors this small are rounding
        for m in self.methods:
            best = self.best_step[m]
            sel = (self.hs >= 10 * best) & (self.errors[m] >= floor)
            trunc = _fit_slope(self.hs[sel], self.errors[m][sel])
            sel = self.hs <= best / 10
            if m != "complex":
                sel &= self.estimates[m] != 0
            rnd = _fit_slope(self.hs[sel], self.errors[m][sel])
            out[m] = {"truncation": trunc, "roundoff": rnd}
        return out

    def _rows(self, rows):
        n = len(self.hs)
        if rows is None or rows >= n:
            return range(n)
        return sorted(set(np.linspace(0, n - 1, rows).round().astype(int).tolist()))

    def table(self, rows=16):
        """The curve as a ``Report`` (prints as text, shows as HTML in Jupyter):
        ``rows`` steps (None for all), then best steps, errors and fitted slopes per
        method."""
        steps = Table(f"error of the numeric derivative of {self.name} against AD at "
                      f"x = {_short(self.x)} (exact {self.exact!r})",
                      ["h"] + list(self.methods),
                      [[f"{self.hs[i]:.1e}"] + [f"{self.errors[m][i]:.2e}"
                                                for m in self.methods]
                       for i in self._rows(rows)],
                      align=">" * (1 + len(self.methods)))
        slopes = self.slopes()
        summary = Table("", ["method", "best h", "best error", "slope (truncation)",
                             "slope (round-off)"],
                        [[m, f"{self.best_step[m]:.1e}", f"{self.best_error[m]:.2e}",
                          _fmt_slope(slopes[m]["truncation"]),
                          _fmt_slope(slopes[m]["roundoff"])] for m in self.methods],
                        align="<>>>>")
        return Report([steps, summary])

    def __str__(self):
        return str(self.table())

    def _repr_html_(self):
        return self.table()._repr_html_()

    def __repr__(self):
        best = ", ".join(f"{m}: h={self.best_step[m]:.1e} err={self.best_error[m]:.1e}"
                         for m in self.methods)
        return f"<ErrorCurve of {self.name} over {len(self.hs)} steps; best {best}>"

    def plot(self, path=None):
        """Draw error against step on log-log axes, with the best step of each
        method marked; save to ``path`` (PNG, SVG, PDF by its suffix) when given.
        Returns the matplotlib Figure. Exact zeros are drawn at 1e-18."""
        fig = _new_figure("numeric.error_curve(...).plot")
        ax = fig.add_subplot(1, 1, 1)
        floor = 1e-18
        for m in self.methods:
            err = np.maximum(self.errors[m], floor)
            (line,) = ax.loglog(self.hs, err, ".-", label=f"{m} (order {_ORDER[m]})")
            ax.loglog([self.best_step[m]], [max(self.best_error[m], floor)], "o", ms=9,
                      mfc="none", color=line.get_color())
        # guides: round-off eps*|f|/h and the truncation slopes, through the data's scale
        scale = max(abs(self.exact), 1.0)
        ax.loglog(self.hs, _EPS * scale / self.hs, ":", color="gray",
                  label="round-off guide ~ eps/h")
        ax.set_xlabel("step h")
        zeros = any((e == 0).any() for e in self.errors.values())
        ax.set_ylabel("absolute error against AD" + (" (0 drawn at 1e-18)" if zeros else ""))
        ax.set_title(f"numeric derivative of {self.name}: truncation vs round-off")
        ax.grid(True, which="major", alpha=0.3)
        lo = max(floor, min(np.min(np.maximum(e, floor)) for e in self.errors.values()))
        ax.set_ylim(lo / 10, None)
        ax.legend(loc="best", fontsize="small")
        if path is not None:
            fig.savefig(path, dpi=120, bbox_inches="tight")
        return fig


def _new_figure(who):
    """A matplotlib Figure on the Agg canvas, without pyplot (no global backend)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as err:
        raise ImportError(f"{who} needs matplotlib, which is not installed; install "
                          f"the plot extra: pip install 'wengert[plot]'") from err
    global _FIGURE
    if _FIGURE is None:
        class WengertFigure(Figure):
            """A matplotlib Figure that shows itself in Jupyter as a PNG, with no
            ``%matplotlib inline`` and no pyplot."""

            def _repr_png_(self):
                buf = io.BytesIO()
                self.savefig(buf, format="png", dpi=100, bbox_inches="tight")
                return buf.getvalue()

        _FIGURE = WengertFigure
    fig = _FIGURE(figsize=(7, 4.8))
    FigureCanvasAgg(fig)
    return fig


_FIGURE = None


def error_curve(fun, x, hs=None, methods=("forward", "central", "complex"), *,
                direction=None, exact=None):
    """The absolute error of each difference method against the AD derivative
    (``wengert.grad``) over a log-spaced range of steps (default 61 steps from 1e-16
    to 1e-1): truncation error falls with h, round-off error rises as h shrinks.

    ``x`` is a float, or an array with ``direction`` (default: a fixed random unit
    vector) giving the directional derivative ``<grad f(x), direction>``.
    ``exact`` replaces the AD reference (for a function AD cannot trace).

    >>> import wengert.numpy as wnp
    >>> c = error_curve(lambda x: wnp.exp(x) * wnp.sin(x), 1.0)
    >>> c.best_error["complex"] < 1e-15
    True
    >>> round(c.slopes()["central"]["truncation"])
    2
    """
    who = "numeric.error_curve"
    methods = (methods,) if isinstance(methods, str) else tuple(methods)
    if not methods:
        raise ValueError(f"{who}: give at least one method of " + ", ".join(METHODS))
    for m in methods:
        _check_method(who, m)
    hs = np.logspace(-16, -1, 61) if hs is None else np.asarray(hs, dtype=float).ravel()
    if hs.size == 0 or not np.all(np.isfinite(hs)) or np.any(hs <= 0):
        raise ValueError(f"{who}: the steps hs must be positive and finite")
    x0 = _real_leaf(who, x, 0)
    scalar = x0.ndim == 0 and not isinstance(x, np.ndarray)
    if scalar:
        v = np.ones(())
        arg = float(x0)
    else:
        if direction is None:
            v = np.random.default_rng(0).standard_normal(x0.shape)
            v /= np.linalg.norm(v)
        else:
            v = _real_leaf(who, direction, 0)
            if v.shape != x0.shape:
                raise ValueError(f"{who}: direction has shape {v.shape} but x has shape "
                                 f"{x0.shape}")
        arg = x0
    if exact is None:
        from ..transforms import grad as ad_grad
        g = ad_grad(fun)(arg)
        exact = float(np.sum(np.asarray(g, dtype=float) * v))
    exact = float(exact)

    def phi(t):  # fun along the line x + t v, a function of one number
        y = arg + t * v
        return fun(y.item() if scalar else y)

    f0 = _as_real_scalar(who, fun, phi(0.0), "central")
    estimates = {}
    for m in methods:
        est = np.empty(hs.shape)
        for i, h in enumerate(hs):
            if m == "complex":
                est[i] = _as_real_scalar(who, fun, phi(1j * h), m).imag / h
            elif m == "forward":
                est[i] = (_as_real_scalar(who, fun, phi(h), m) - f0) / h
            elif m == "backward":
                est[i] = (f0 - _as_real_scalar(who, fun, phi(-h), m)) / h
            else:
                est[i] = (_as_real_scalar(who, fun, phi(h), m)
                          - _as_real_scalar(who, fun, phi(-h), m)) / (2 * h)
        estimates[m] = est
    return ErrorCurve(_name(fun), arg, None if scalar else v, exact, hs, estimates)
