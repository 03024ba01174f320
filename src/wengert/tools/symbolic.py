"""The symbolic route to a derivative (sympy, the optional ``symbolic`` extra), and
the expression swell the seeds warn about (表达式膨胀).

Symbolic differentiation applies the rules to a whole expression tree, so every
subexpression that the product and chain rules repeat is written out again:
d/da of ``16a(1-a)(1-2a)^2`` already has three terms, and for the logistic map
``x <- 4x(1-x)`` iterated n times the derivative's tree grows like ``n 2^n``.
AD applies the same rules to the evaluation trace instead, where a repeated value
is a variable used twice, so its size grows like ``n``. ``swell_table`` shows both.

Strings are read by the whitelist parser shared with ``wengert diff``
(``wengert.tools.expr``: Python's ``ast``, checked node by node) and its tree is turned
into sympy by an ops table: numbers, names (real symbols), ``+ - * / **`` (``^`` too),
unary minus and calls of the functions in ``FUNCTIONS``. Nothing is evaluated as
Python, and anything else (attribute access, names starting with ``_``, lambda,
indexing, strings) is refused.
"""

import functools
from fractions import Fraction

from ..display import Table
from . import expr as _expr
from .expr import CONSTANTS, FUNCTIONS

__all__ = ["diff", "parse", "from_tree", "swell_table", "Derivative", "SwellTable",
           "FUNCTIONS", "CONSTANTS"]


def _sympy(who):
    try:
        import sympy
    except ImportError as err:
        raise ImportError(f"{who} needs sympy, which is not installed; install the "
                          f"symbolic extra: pip install 'wengert[symbolic]'") from err
    return sympy


# sympy for each function of the parser, by its numpy name (aliases are resolved there)
_SYMPY_CALLS = {
    "exp": lambda sp, x: sp.exp(x),
    "expm1": lambda sp, x: sp.exp(x) - 1,
    "log": lambda sp, x: sp.log(x),
    "log1p": lambda sp, x: sp.log(1 + x),
    "log2": lambda sp, x: sp.log(x, 2),
    "log10": lambda sp, x: sp.log(x, 10),
    "sqrt": lambda sp, x: sp.sqrt(x),
    "cbrt": lambda sp, x: sp.cbrt(x),
    "square": lambda sp, x: x ** 2,
    "abs": lambda sp, x: sp.Abs(x),
    "sin": lambda sp, x: sp.sin(x),
    "cos": lambda sp, x: sp.cos(x),
    "tan": lambda sp, x: sp.tan(x),
    "arcsin": lambda sp, x: sp.asin(x),
    "arccos": lambda sp, x: sp.acos(x),
    "arctan": lambda sp, x: sp.atan(x),
    "sinh": lambda sp, x: sp.sinh(x),
    "cosh": lambda sp, x: sp.cosh(x),
    "tanh": lambda sp, x: sp.tanh(x),
    "arcsinh": lambda sp, x: sp.asinh(x),
    "arccosh": lambda sp, x: sp.acosh(x),
    "arctanh": lambda sp, x: sp.atanh(x),
}


def parse(text, *, who="symbolic.parse"):
    """A sympy expression from ``text``, read by the shared whitelist parser
    (``wengert.tools.expr``): numbers, variable names (real symbols), ``+ - * / **``
    (``^`` is read as ``**``), unary ``-``/``+``, the constants ``pi`` and ``e`` and
    calls of the one-argument functions in ``FUNCTIONS``. Raises ValueError naming
    the problem for anything else; never evaluates Python.

    >>> parse("16*a*(1-a)*(1-2*a)^2")
    16*a*(1 - 2*a)**2*(1 - a)
    >>> try:
    ...     parse("a.__class__")
    ... except ValueError as err:
    ...     print(err)  # doctest: +ELLIPSIS
    symbolic.parse: refused 'a.__class__': names starting with '_' such as '__class__' ...
    """
    if not isinstance(text, str):
        raise TypeError(f"{who}: the expression must be a string or a sympy expression, "
                        f"got {type(text).__name__}")
    tree = _expr.parse(text, who=who)
    return from_tree(tree, who=who, text=text)


def from_tree(tree, *, who="symbolic.from_tree", text=None):
    """The sympy expression of a tree made by ``wengert.tools.expr.parse`` (the
    whitelist parser shared with ``wengert diff``), built node by node: names become
    real symbols, the functions of ``FUNCTIONS`` their sympy twins. ``parse(text)`` is
    ``from_tree`` of the parsed ``text``. ``who`` names the caller in error messages,
    ``text`` is the source they quote (default: the tree written back as text). A
    division by an expression sympy folds to zero, or an exact power too large to
    compute, raises ``ValueError`` (``wengert.tools.expr.ExprError``).

    >>> from wengert.tools import expr
    >>> tree = expr.parse("x * sin(x)^2")
    >>> tree
    ('mul', ('var', 'x'), ('pow', ('call', 'sin', ('var', 'x')), ('int', 2)))
    >>> from_tree(tree)
    x*sin(x)**2
    """
    sp = _sympy(who)
    return _expr.build(tree, _SympyOps(sp, who, _expr.to_text(tree) if text is None else text))


class _SympyOps:
    """The ops table that builds sympy expressions (see ``wengert.tools.expr.build``)."""

    def __init__(self, sp, who, text):
        self.sp, self.who, self.text = sp, who, text

    def fail(self, problem):
        return _expr.ExprError(self.who, self.text, problem)

    def int(self, v):
        return self.sp.Integer(v)

    def float(self, v):
        return self.sp.Float(v)

    def var(self, name):
        return self.sp.Symbol(name, real=True)

    def const(self, name):
        return self.sp.pi if name == "pi" else self.sp.E

    def call(self, fname, x):
        return _SYMPY_CALLS[fname](self.sp, x)

    @staticmethod
    def neg(x):
        return -x

    @staticmethod
    def add(x, y):
        return x + y

    @staticmethod
    def sub(x, y):
        return x - y

    @staticmethod
    def mul(x, y):
        return x * y

    def div(self, x, y):
        if y.is_zero:  # x/(a - a): sympy has already folded the divisor to 0
            raise self.fail("division by zero")
        return x / y

    def pow(self, x, y):
        self.check_power(x, y)
        return x ** y

    def check_power(self, base, exponent):
        """sympy computes exact numbers at once, also ones its own folding makes:
        ``(2*x)**n`` holds ``2**n``, ``sqrt(2)**n`` is ``2**(n/2)``. Bound their digits
        (the parser has bounded powers of literal numbers already)."""
        if not exponent.is_Number or not exponent.is_finite:
            return
        size = abs(exponent)
        for factor in self.sp.Mul.make_args(base):
            b, e = factor.as_base_exp()
            if b.is_Rational and e.is_Number and e.is_finite:
                _expr.check_power(Fraction(int(b.p), int(b.q)), size * abs(e), self.fail)


def _as_expr(who, expr):
    if isinstance(expr, str):
        return parse(expr, who=who)
    sp = _sympy(who)
    if isinstance(expr, sp.Basic):
        return expr
    raise TypeError(f"{who}: the expression must be a string or a sympy expression, got "
                    f"{type(expr).__name__}")


def _as_symbol(who, var, expr):
    sp = _sympy(who)
    if isinstance(var, sp.Symbol):
        return var
    if not isinstance(var, str):
        raise TypeError(f"{who}: the variable must be a name (str) or a sympy Symbol, got "
                        f"{type(var).__name__}")
    if not var.isidentifier() or var.startswith("_"):
        raise ValueError(f"{who}: the variable {var!r} must be a plain name (letters, "
                         f"digits and '_', not starting with '_' or a digit)")
    if var in FUNCTIONS or var in CONSTANTS:
        raise ValueError(f"{who}: {var!r} names a function or constant, not a variable")
    for s in expr.free_symbols:  # the expression's own symbol of that name, if any
        if s.name == var:
            return s
    return sp.Symbol(var, real=True)


class Derivative:
    """The symbolic derivative of ``function`` with respect to ``var`` (sympy objects),
    as ``diff`` returns it.

    ``expr`` is the derivative as sympy's ``diff`` gives it (unsimplified),
    ``simplified`` the result of ``sympy.simplify`` (computed on first use);
    ``size``, ``size_simplified`` and ``size_function`` count operations with
    ``sympy.count_ops``; ``size_cse`` counts them after common subexpressions are
    shared (``sympy.cse``), which is what an evaluation trace does. ``at(x, **others)``
    evaluates the derivative at ``var = x`` (other variables by name) as a float;
    ``table()`` lists function, derivative and simplified derivative with their sizes
    (``print`` shows the same as text, Jupyter as HTML).

    >>> d = diff("a * x * sin(x)", "x")
    >>> d
    <Derivative d/dx of a*x*sin(x): 6 operations>
    >>> d.expr, d.size_function, d.size_cse, d.at(0.0, a=2.0)
    (a*x*cos(x) + a*sin(x), 3, 6, 0.0)
    >>> print(d.table())
    d/dx by symbolic differentiation (sympy)
                expression             operations
    ----------  ---------------------  ----------
    function    a*x*sin(x)                      3
    derivative  a*x*cos(x) + a*sin(x)           6
    simplified  a*(x*cos(x) + sin(x))           5
    """

    def __init__(self, function, var, expr):
        self.function = function
        self.var = var
        self.expr = expr

    @functools.cached_property
    def simplified(self):
        return _sympy("symbolic.diff").simplify(self.expr)

    @property
    def size(self):
        return _count_ops(self.expr)

    @property
    def size_simplified(self):
        return _count_ops(self.simplified)

    @property
    def size_function(self):
        return _count_ops(self.function)

    @property
    def size_cse(self):
        return _cse_size(self.expr)

    def at(self, value, **others):
        """The derivative's value as a float at ``var = value`` (other free symbols
        given by name)."""
        sp = _sympy("symbolic.diff")
        by_name = {s.name: s for s in self.expr.free_symbols}
        subs = {self.var: sp.Float(value)}
        for k, v in others.items():
            if k not in by_name:
                raise ValueError(f"Derivative.at: the derivative has no variable {k!r}")
            subs[by_name[k]] = sp.Float(v)
        try:
            # xreplace with floats folds the tree as it rebuilds it: much faster than
            # evalf(subs=...) on a swollen expression
            result = self.expr.xreplace(subs).evalf()
        except ValueError:  # e.g. an unevaluated Derivative(f(x), x) inside
            result = self.expr.evalf(subs=subs)
        if result.free_symbols:
            names = ", ".join(sorted(str(s) for s in result.free_symbols))
            raise ValueError(f"Derivative.at: give a value for {names}")
        return float(result)

    def __str__(self):
        return (f"d/d{self.var} {self.function} =\n  {self.expr}\n"
                f"  ({self.size} operations; the function has {self.size_function})\n"
                f"simplified: {self.simplified}  ({self.size_simplified} operations)")

    def __repr__(self):
        return f"<Derivative d/d{self.var} of {self.function}: {self.size} operations>"

    def table(self):
        """The function, its derivative and the simplified derivative with their
        operation counts, as a ``Table``."""
        return Table(f"d/d{self.var} by symbolic differentiation (sympy)",
                     ["", "expression", "operations"],
                     [["function", str(self.function), self.size_function],
                      ["derivative", str(self.expr), self.size],
                      ["simplified", str(self.simplified), self.size_simplified]],
                     align="<<>")

    def _repr_html_(self):
        return self.table()._repr_html_()


def _count_ops(expr):
    return int(_sympy("symbolic").count_ops(expr))


def _cse_size(expr):
    sp = _sympy("symbolic")
    shared, (reduced,) = sp.cse(expr)
    return int(sum(sp.count_ops(v) for _, v in shared) + sp.count_ops(reduced))


def diff(expr, var):
    """Differentiate ``expr`` (a string, read safely by ``parse``, or a sympy
    expression) with respect to ``var`` through sympy, with the size of the result.

    >>> d = diff("16*a*(1-a)*(1-2*a)**2", "a")
    >>> d.expr
    -16*a*(1 - 2*a)**2 + 16*a*(1 - a)*(8*a - 4) + 16*(1 - 2*a)**2*(1 - a)
    >>> d.size, d.size_simplified
    (19, 8)
    >>> d.at(0.3)
    -4.352
    """
    who = "symbolic.diff"
    f = _as_expr(who, expr)
    x = _as_symbol(who, var, f)
    sp = _sympy(who)
    try:
        d = sp.diff(f, x)
    except RecursionError:
        raise ValueError(f"{who}: the expression is nested too deeply for sympy to "
                         f"differentiate") from None
    return Derivative(f, x, d)


# ---------------------------------------------------------------- expression swell

def seeds_example(a):
    """The seeds' example of expression swell: 16a(1-a)(1-2a)^2 (which is the
    logistic map applied twice, multiplied out)."""
    return 16 * a * (1 - a) * (1 - 2 * a) ** 2


def logistic(x, n):
    """The logistic map x <- 4x(1-x) applied ``n`` times."""
    for _ in range(n):
        x = 4 * x * (1 - x)
    return x


def trace_sizes(fun, x):
    """``(forward, gradient)``: operations AD records for ``fun`` at ``x``. ``forward``
    counts the entries of the reverse tape (the Wengert list ``v_1 ... v_l``);
    ``gradient`` counts the operations of the whole gradient program, the forward
    sweep plus the backward sweep, recorded by evaluating ``wengert.grad(fun)`` on a
    traced input (operations on constants alone are not recorded)."""
    from ..core.reverse import ReverseTrace
    from ..transforms import grad

    trace = ReverseTrace()
    fun(trace.new_input(x))
    forward = len(trace.tape) - 1
    outer = ReverseTrace()
    grad(fun)(outer.new_input(x))
    return forward, len(outer.tape) - 1


class SwellRow:
    """One function of the swell table: sizes of its symbolic derivative and of its
    AD trace, and the derivative's value both ways at the table's point."""

    __slots__ = ("name", "n", "size_function", "size_derivative", "size_simplified",
                 "size_cse", "trace_forward", "trace_gradient", "symbolic_value",
                 "ad_value")

    def __init__(self, **fields):
        for k in self.__slots__:
            setattr(self, k, fields[k])

    def as_dict(self):
        return {k: getattr(self, k) for k in self.__slots__}

    def __repr__(self):
        return f"SwellRow({self.as_dict()!r})"


class SwellTable:
    """What ``swell_table`` returns: ``rows`` (one ``SwellRow`` per function, with
    ``name``, ``n``, the operation counts ``size_function``, ``size_derivative``,
    ``size_simplified`` (None where simplify was skipped), ``size_cse``,
    ``trace_forward``, ``trace_gradient``, and the derivative's ``symbolic_value``
    and ``ad_value``), ``at`` (the point), ``logistic`` (the logistic-map rows only),
    ``table()`` (what ``print`` shows) and ``plot(path=None)`` (the counts against n
    on a log axis, matplotlib; returns the Figure).

    >>> t = swell_table(n_max=2)
    >>> [(r.name, r.size_derivative, r.size_cse, r.trace_forward) for r in t.rows]
    [('16a(1-a)(1-2a)^2', 19, 14, 7), ('logistic n=1', 2, 2, 3), ('logistic n=2', 21, 12, 6)]
    >>> [(r.n, r.symbolic_value, round(r.ad_value, 12)) for r in t.logistic]
    [(1, 1.6, 1.6), (2, -4.352, -4.352)]
    """

    _COLUMNS = [("function", "name", 18), ("f ops", "size_function", 6),
                ("d/dx ops", "size_derivative", 9), ("simplified", "size_simplified", 10),
                ("d/dx cse", "size_cse", 8), ("AD fwd", "trace_forward", 6),
                ("AD fwd+bwd", "trace_gradient", 10)]

    def __init__(self, rows, at):
        self.rows = rows
        self.at = at

    @property
    def logistic(self):
        return [r for r in self.rows if r.n is not None]

    def table(self):
        """The rows as a ``Table`` (prints as text, shows as HTML in Jupyter)."""
        rows = [[("-" if getattr(r, k) is None else getattr(r, k)) for _, k, _ in
                 self._COLUMNS] for r in self.rows]
        return Table(f"expression swell: operations in the symbolic derivative (sympy "
                     f"count_ops) vs the AD trace, derivative at x = {self.at}",
                     [t for t, _, _ in self._COLUMNS], rows,
                     align="<" + ">" * (len(self._COLUMNS) - 1),
                     notes=["d/dx ops: sympy.diff as given; simplified: sympy.simplify "
                            "('-' where skipped); d/dx cse: shared subexpressions counted "
                            "once;",
                            "AD fwd: entries of the reverse tape; AD fwd+bwd: operations "
                            "recorded while evaluating wengert.grad (forward and backward "
                            "sweep)"])

    def __str__(self):
        return str(self.table())

    def _repr_html_(self):
        return self.table()._repr_html_()

    def plot(self, path=None):
        """Operation counts against n for the logistic map, log y-axis; saved to
        ``path`` when given. Returns the matplotlib Figure."""
        from .numeric import _new_figure
        fig = _new_figure("symbolic.swell_table(...).plot")
        ax = fig.add_subplot(1, 1, 1)
        rows = self.logistic
        ns = [r.n for r in rows]
        series = [("symbolic derivative (sympy.diff)", "size_derivative", "o-"),
                  ("symbolic, simplified", "size_simplified", "s--"),
                  ("symbolic with shared subexpressions (cse)", "size_cse", "^-"),
                  ("AD trace, forward + backward", "trace_gradient", "D-"),
                  ("AD trace, forward", "trace_forward", "v-")]
        for label, key, style in series:
            pts = [(r.n, getattr(r, key)) for r in rows if getattr(r, key) is not None]
            if pts:
                ax.plot(*zip(*pts), style, label=label)
        ax.set_yscale("log")
        ax.set_xticks(ns)
        ax.set_xlabel("n (logistic map x <- 4x(1-x) applied n times)")
        ax.set_ylabel("operations")
        ax.set_title("expression swell: symbolic derivative vs AD trace")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(loc="upper left", fontsize="small")
        if path is not None:
            fig.savefig(path, dpi=120, bbox_inches="tight")
        return fig


def swell_table(n_max=8, at=0.3, simplify_max_n=5):
    """The expression-swell comparison: for the seeds' example 16a(1-a)(1-2a)^2 and
    the logistic map x <- 4x(1-x) iterated n = 1 .. ``n_max`` times, the size of the
    symbolic derivative beside the size of the AD trace of the same Python function
    (one definition, run on a sympy symbol and on a traced value). ``simplify`` is
    slow on large expressions, so it runs only up to ``n = simplify_max_n``.

    >>> t = swell_table(n_max=3)
    >>> [(r.size_derivative, r.trace_forward) for r in t.logistic]
    [(2, 3), (21, 6), (82, 9)]
    """
    who = "symbolic.swell_table"
    if isinstance(n_max, bool) or not isinstance(n_max, int) or n_max < 1:
        raise ValueError(f"{who}: n_max must be a positive int, got {n_max!r}")
    sp = _sympy(who)
    from ..transforms import grad

    x = sp.Symbol("x", real=True)
    cases = [("16a(1-a)(1-2a)^2", None, seeds_example)]
    cases += [(f"logistic n={n}", n, functools.partial(logistic, n=n))
              for n in range(1, n_max + 1)]
    rows = []
    for name, n, fun in cases:
        d = diff(fun(x), x)
        forward, gradient = trace_sizes(fun, float(at))
        small = n is None or n <= simplify_max_n
        rows.append(SwellRow(
            name=name, n=n, size_function=d.size_function, size_derivative=d.size,
            size_simplified=d.size_simplified if small else None, size_cse=d.size_cse,
            trace_forward=forward, trace_gradient=gradient, symbolic_value=d.at(at),
            ad_value=float(grad(fun)(float(at)))))
    return SwellTable(rows, at)
