"""One safe reader for expressions typed as text, shared by ``wg.symbolic`` and the
``wengert diff`` command.

``parse(text)`` reads a formula such as ``"log(x1) + x1*x2 - sin(x2)"`` with Python's
``ast`` module and a whitelist: numbers, variable names, ``+ - * / **`` (``^`` is read
as ``**``), unary ``-``/``+``, the constants ``pi`` and ``e``, and calls of the
one-argument functions in ``FUNCTIONS``. Anything else (attribute access, names
starting with ``_``, lambda, indexing, strings, comprehensions, keyword arguments,
unknown functions, over-long or over-deep input, exact powers too large to compute)
is refused with a ``ValueError`` naming the problem. Nothing is evaluated as Python:
no ``eval``, ``exec`` or ``compile`` of the text.

The result is a small neutral tree of tuples, ``(kind, *operands)``:

=====================  =================================================
``("int", 2)``         an integer literal (``("float", 0.5)`` a real one)
``("var", "x1")``      a variable
``("const", "pi")``    ``pi`` or ``e``
``("neg", x)``         ``-x`` (``+x`` is just ``x``)
``("add", x, y)``      also ``sub``, ``mul``, ``div``, ``pow``
``("call", "log", x)`` a known function, by its numpy name (``asin`` is ``arcsin``)
=====================  =================================================

``build(tree, ops)`` folds a tree bottom-up with an "ops" table, so the same tree
becomes a sympy expression (``wg.symbolic``) or a value computed with
``wengert.numpy`` (``to_function``). Identical subtrees are computed once, as in the
seeds' Wengert lists, where ``v_1 = x1 / x2`` is used three times.

>>> tree = parse("log(x1) + x1*x2 - sin(x2)")
>>> variables(tree)
['x1', 'x2']
>>> to_text(tree)
'log(x1) + x1 * x2 - sin(x2)'
>>> f = to_function(tree)
>>> float(f(2.0, 5.0))
11.652071455223084
"""

import ast
import inspect
import math
import operator
import warnings
from collections.abc import Mapping
from fractions import Fraction

__all__ = ["parse", "build", "variables", "to_text", "to_function", "NumpyOps",
           "ExprError", "check_power", "digits", "shorten", "FUNCTIONS", "CONSTANTS",
           "ALIASES", "MAX_LENGTH", "MAX_DEPTH", "MAX_DIGITS"]

MAX_LENGTH = 10_000   # characters of an expression string
MAX_DEPTH = 500       # nesting of the expression tree (a sum of n terms nests n deep)
MAX_DIGITS = 1_000    # digits of an exact numeric power such as 2**1000
_MAX_EXACT = 10 * MAX_DIGITS  # digits of any exact number built from the literals

# The functions, by numpy's names (those of wengert.numpy), and the usual short aliases.
_CANONICAL = ("exp", "expm1", "log", "log1p", "log2", "log10", "sqrt", "cbrt", "square",
              "abs", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh",
              "tanh", "arcsinh", "arccosh", "arctanh")
ALIASES = {"asin": "arcsin", "acos": "arccos", "atan": "arctan", "asinh": "arcsinh",
           "acosh": "arccosh", "atanh": "arctanh", "absolute": "abs"}
FUNCTIONS = tuple(sorted(_CANONICAL + tuple(ALIASES)))
CONSTANTS = ("pi", "e")

_BINARY = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
_KINDS = {"int": 0, "float": 0, "var": 0, "const": 0, "neg": 1, "add": 2, "sub": 2,
          "mul": 2, "div": 2, "pow": 2, "call": 1}
# what a refused node is, in words, for the error message
_REFUSED = {
    ast.Attribute: "attribute access ('.{attr}') is", ast.Lambda: "lambda is",
    ast.Subscript: "indexing ('[...]') is", ast.Starred: "starred arguments are",
    ast.Compare: "comparisons are", ast.BoolOp: "'and'/'or' are",
    ast.IfExp: "'if ... else' is", ast.NamedExpr: "':=' is", ast.List: "lists are",
    ast.Tuple: "tuples are", ast.Dict: "dicts are", ast.Set: "sets are",
    ast.ListComp: "comprehensions are", ast.SetComp: "comprehensions are",
    ast.DictComp: "comprehensions are", ast.GeneratorExp: "generator expressions are",
    ast.JoinedStr: "f-strings are", ast.Await: "await is", ast.Yield: "yield is",
    ast.YieldFrom: "yield is", ast.Slice: "slices are",
}


class ExprError(ValueError):
    """An expression refused by ``parse``: ``text`` (as given), ``problem`` (what is
    wrong, in words) and ``who`` (the function that was reading it)."""

    def __init__(self, who, text, problem):
        self.who, self.text, self.problem = who, text, problem
        super().__init__(f"{who}: refused {shorten(text)!r}: {problem}")


def shorten(text, limit=60):
    """``text`` cut to ``limit`` characters with an ellipsis, for messages."""
    return text if len(text) <= limit else text[:limit - 3] + "..."


# ---------------------------------------------------------------- parse

def parse(text, *, who="expr.parse"):
    """The tree of ``text``, read with the whitelist (see the module docstring).

    Raises ``TypeError`` for a non-string and ``ExprError`` (a ``ValueError``) naming
    the problem for anything outside the grammar; never evaluates Python.

    >>> parse("16*a*(1-a)*(1-2*a)^2")[0]
    'mul'
    >>> try:
    ...     parse("x.__class__")
    ... except ValueError as err:
    ...     print(err)  # doctest: +ELLIPSIS
    expr.parse: refused 'x.__class__': names starting with '_' such as '__class__' ...
    """
    if not isinstance(text, str):
        raise TypeError(f"{who}: the expression must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"{who}: the expression is {len(text)} characters long; the "
                         f"limit is {MAX_LENGTH}")
    if not text.strip():
        raise ValueError(f"{who}: the expression is empty")
    try:
        # '^' means power here, as in the seeds; Python would read it as xor, binding
        # looser than '*', so it is rewritten before parsing (no strings are allowed,
        # so every '^' is an operator). Python's SyntaxWarnings ("'int' object is not
        # callable") are silenced: the refusal below says what is wrong.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text.strip().replace("^", "**"), mode="eval")
    except SyntaxError as err:
        where = f" at column {err.offset}" if err.offset else ""
        hint = ("; write products with '*' (16*a, not 16a)"
                if err.msg and "invalid decimal literal" in err.msg else "")
        raise ExprError(who, text, f"syntax error{where} ({err.msg}){hint}") from None
    except ValueError as err:  # e.g. an integer literal over Python's digit limit
        raise ExprError(who, text, f"cannot be parsed ({err})") from None
    except (RecursionError, MemoryError):
        raise ExprError(who, text, "nested too deeply for Python's parser") from None
    problem = _first_problem(tree)
    if problem is not None:
        raise ExprError(who, text, problem)
    return _Reader(who, text).read(tree.body, 0)[0]


def _first_problem(tree):
    """The most telling disallowed construct in ``tree`` (walked breadth first), or
    None: underscore names first (``__import__``, ``__class__``), then other nodes."""
    for node in ast.walk(tree):
        name = node.id if isinstance(node, ast.Name) else (
            node.attr if isinstance(node, ast.Attribute) else None)
        if name is not None and name.startswith("_"):
            return f"names starting with '_' such as {name!r} are not allowed"
    for node in ast.walk(tree):
        for kind, words in _REFUSED.items():
            if isinstance(node, kind):
                attr = node.attr if isinstance(node, ast.Attribute) else ""
                return words.format(attr=attr) + " not allowed"
    return None


def digits(q):
    """Decimal digits of the larger of a rational's numerator and denominator."""
    n = max(abs(int(q.numerator)), int(q.denominator))
    if n.bit_length() < 9000:  # str() is exact and within Python's 4300-digit limit
        return len(str(n))
    return int(n.bit_length() * math.log10(2)) + 1


class _Reader:
    """Turns a checked Python AST into the neutral tree, node by node.

    Beside each subtree it keeps its value as a Fraction when the subtree is built
    from integer literals alone: sympy computes such numbers exactly, so their size
    is bounded here (``2**10**10`` would not finish)."""

    def __init__(self, who, text):
        self.who, self.text = who, text

    def fail(self, problem):
        return ExprError(self.who, self.text, problem)

    def read(self, node, depth):
        """``(tree, exact)`` for an AST node."""
        if depth > MAX_DEPTH:
            raise self.fail(f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                kind = "complex numbers" if isinstance(v, complex) else (
                    f"{type(v).__name__} literals ({shorten(repr(v), 30)})")
                raise self.fail(f"{kind} are not allowed; only real numbers")
            if isinstance(v, float):
                if not math.isfinite(v):
                    raise self.fail("a number literal overflows to infinity")
                return ("float", v), None
            return ("int", v), Fraction(v)
        if isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                raise self.fail(f"{node.id!r} is a function: call it, as in {node.id}(x)")
            if node.id in CONSTANTS:
                return ("const", node.id), None
            return ("var", node.id), None
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, (ast.USub, ast.UAdd)):
                x, exact = self.read(node.operand, depth + 1)
                if isinstance(node.op, ast.UAdd):
                    return x, exact
                return ("neg", x), (None if exact is None else -exact)
            raise self.fail(f"the operator {_op_text(node.op)!r} is not allowed")
        if isinstance(node, ast.BinOp):
            kind = _BINARY.get(type(node.op))
            if kind is None:
                raise self.fail(f"the operator {_op_text(node.op)!r} is not allowed; use "
                                f"+ - * / ** (or ^)")
            x, xq = self.read(node.left, depth + 1)
            y, yq = self.read(node.right, depth + 1)
            return (kind, x, y), self.exact(kind, x, y, xq, yq)
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                raise self.fail("only calls of named functions are allowed: "
                                + ", ".join(FUNCTIONS))
            name = node.func.id
            if name not in FUNCTIONS:
                raise self.fail(f"unknown function {name!r}; the known functions are "
                                + ", ".join(FUNCTIONS))
            if node.keywords or len(node.args) != 1:
                raise self.fail(f"{name}() takes exactly one positional argument")
            x, _ = self.read(node.args[0], depth + 1)
            return ("call", ALIASES.get(name, name), x), None
        raise self.fail(f"{type(node).__name__} expressions are not allowed")

    def exact(self, kind, x, y, xq, yq):
        """The exact value of ``x <kind> y`` when both are exact, else None."""
        if kind == "div" and yq == 0:
            raise self.fail("division by zero")
        if kind == "pow":
            check_power(xq, _exponent_size(y, yq), self.fail)
            if xq is None or yq is None or yq.denominator != 1 or (xq == 0 and yq < 0):
                return None
            value = xq ** int(yq)
        elif xq is None or yq is None:
            return None
        else:
            value = _EXACT[kind](xq, yq)
        if digits(value) > _MAX_EXACT:
            raise self.fail(f"an exact number with over {_MAX_EXACT} digits")
        return value


_EXACT = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
          "div": operator.truediv}


def _exponent_size(y, yq):
    """|exponent| when the exponent is a number (exact, or a float literal), else None."""
    if yq is not None:
        return abs(yq)
    if y[0] == "neg":
        y = y[1]
    return abs(y[1]) if y[0] == "float" else None


def check_power(base, size, fail):
    """Refuse an exact ``base`` (a Fraction, or None for "not exact") raised to a power
    of magnitude ``size`` when the result would have over MAX_DIGITS digits; ``fail``
    makes the exception from the problem text."""
    if base is None or size is None or base == 0:
        return
    # the result has about size * log10(larger of numerator, denominator) digits: a
    # base of +-1 never grows, 2**1001 has 302 digits
    larger = max(abs(base.numerator), base.denominator)
    if larger > 1 and size * math.log10(larger) > MAX_DIGITS:
        raise fail(f"an exact power of numbers with over {MAX_DIGITS} digits "
                   f"(exponent {shorten(str(size), 30)})")


def _op_text(op):
    return {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<",
            ast.RShift: ">>", ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^",
            ast.Invert: "~", ast.Not: "not"}.get(type(op), type(op).__name__)


# ---------------------------------------------------------------- read the tree

def _children(node):
    kind = node[0]
    if kind == "call":
        return (node[2],)
    return node[1:] if _KINDS[kind] else ()


def variables(tree):
    """The free variable names of ``tree``, in order of first appearance.

    >>> variables(parse("y * sin(x) + y^2 + pi"))
    ['y', 'x']
    """
    seen, stack = {}, [tree]
    while stack:  # depth first, left to right
        node = stack.pop()
        if node[0] == "var":
            seen.setdefault(node[1], None)
        stack.extend(reversed(_children(node)))
    return list(seen)


# operator symbol and precedence (higher binds tighter); Python's, so that
# parse(to_text(tree)) == tree
_INFIX = {"add": ("+", 1), "sub": ("-", 1), "mul": ("*", 2), "div": ("/", 2),
          "pow": ("**", 4)}
_NEG, _ATOM = 3, 9


def to_text(tree):
    """``tree`` written back as text, with the fewest parentheses Python needs.

    >>> to_text(parse("(a - (b - c)) * -x^2"))
    '(a - (b - c)) * -x ** 2'
    """
    return _text(tree)[0]


def _text(node):
    kind = node[0]
    if kind in ("int", "float"):
        return repr(node[1]), _ATOM
    if kind in ("var", "const"):
        return node[1], _ATOM
    if kind == "call":
        return f"{node[1]}({_text(node[2])[0]})", _ATOM
    if kind == "neg":
        x, p = _text(node[1])
        return "-" + (f"({x})" if p < _NEG else x), _NEG
    sym, prec = _INFIX[kind]
    (x, px), (y, py) = _text(node[1]), _text(node[2])
    if kind == "pow":  # right associative; -y may follow ** unparenthesised
        need_x, need_y = prec + 1, _NEG
    else:
        need_x, need_y = prec, prec + 1  # a + (b - c) keeps its parentheses
    x = f"({x})" if px < need_x else x
    y = f"({y})" if py < need_y else y
    return f"{x} {sym} {y}", prec


# ---------------------------------------------------------------- fold the tree

def build(tree, ops, *, visit=None):
    """Fold ``tree`` bottom-up with ``ops``: a mapping or an object giving
    ``int(v)``/``float(v)`` (or one ``number(v)`` for both), ``var(name)``,
    ``const(name)``, ``neg(x)``, ``add(x, y)``, ``sub``, ``mul``, ``div``, ``pow``
    and ``call(fname, x)``. Identical subtrees are folded once and share their
    value. ``visit(node, value)``, if given, sees every new value (and may raise).

    >>> build(parse("2 * x + 1"), {"number": float, "var": {"x": 3.0}.get,
    ...                             "mul": lambda a, b: a * b, "add": lambda a, b: a + b})
    7.0
    """
    def get(kind):
        for name in (kind, "number") if kind in ("int", "float") else (kind,):
            fn = ops.get(name) if isinstance(ops, Mapping) else getattr(ops, name, None)
            if fn is not None:
                return fn
        raise TypeError(f"expr.build: the ops table has no {kind!r}")

    fns, memo = {}, {}
    stack = [(tree, False)]
    while stack:  # iterative, so a tree MAX_DEPTH deep needs no deep recursion
        node, ready = stack.pop()
        if node in memo:
            continue
        kids = _children(node)
        if kids and not ready:
            stack.append((node, True))
            stack.extend((k, False) for k in reversed(kids))
            continue
        kind = node[0]
        fn = fns.get(kind) or fns.setdefault(kind, get(kind))
        if kind == "call":
            value = fn(node[1], memo[node[2]])
        elif kids:
            value = fn(*(memo[k] for k in kids))
        else:
            value = fn(node[1])
        memo[node] = value
        if visit is not None:
            visit(node, value)
    return memo[tree]


class NumpyOps:
    """The ops table for ``build`` that computes with ``wengert.numpy``, so the value
    can be differentiated; ``env`` maps variable names to values (numbers or traced
    values). Numbers are Python floats (an integer too large for a float is inf)."""

    def __init__(self, env):
        import wengert.numpy as wnp
        self.env, self.wnp = env, wnp
        self.neg, self.add, self.sub = wnp.negative, wnp.add, wnp.subtract
        self.mul, self.div, self.pow = wnp.multiply, wnp.divide, wnp.power

    @staticmethod
    def number(v):
        try:
            return float(v)
        except OverflowError:
            return math.inf

    def var(self, name):
        return self.env[name]

    @staticmethod
    def const(name):
        return {"pi": math.pi, "e": math.e}[name]

    def call(self, fname, x):
        return getattr(self.wnp, fname)(x)


def to_function(tree, names=None, *, name="f"):
    """A Python function of the variables ``names`` (default: ``variables(tree)``)
    that computes ``tree`` with ``wengert.numpy``, so every transform applies to it.
    Its signature carries the names, so ``wg.trace`` labels its inputs with them.

    >>> import wengert as wg
    >>> f = to_function(parse("x * exp(y)"))
    >>> wg.grad(f, argnums=(0, 1))(2.0, 0.0)
    (1.0, 2.0)
    """
    free = variables(tree)
    names = list(free if names is None else names)
    missing = [v for v in free if v not in names]
    if missing:
        raise ValueError(f"expr.to_function: no argument for the variable(s) "
                         f"{', '.join(missing)}")
    if len(set(names)) != len(names):
        raise ValueError(f"expr.to_function: repeated argument names {names}")

    def fun(*args):
        if len(args) != len(names):
            raise TypeError(f"{name}() takes {len(names)} argument(s) "
                            f"({', '.join(names)}), got {len(args)}")
        return build(tree, NumpyOps(dict(zip(names, args))))

    fun.__name__ = fun.__qualname__ = name
    fun.__doc__ = f"{name}({', '.join(names)}) = {shorten(to_text(tree), 200)}"
    fun.__signature__ = inspect.Signature(
        [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in names])
    return fun
