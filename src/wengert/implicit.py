"""Implicit differentiation: derivatives of a solution, not of the solver.

``fixed_point(f, params, x0)`` finds ``x = f(params, x)`` by iteration, and
``root(F, params, x0, solve)`` finds ``F(params, x) = 0`` with any solver of yours.
Both run their solver on plain values (nothing of it is recorded) and are then one
node on the tape, whose derivatives come from the implicit function theorem: with
``r(p, x)`` the residual (``F``, or ``f(p, x) - x`` for a fixed point) and
``J = dr/dx`` at the solution ``x*``,

* forward mode (JVP):  ``dx = -J^-1 (dr/dp dp)``;
* reverse mode (VJP):  ``w = J^-T g``, then ``p_bar = -(dr/dp)^T w``;

where ``dr/dp dp`` and ``(dr/dp)^T w`` are wengert's ``jvp`` and ``vjp`` of the
residual. Memory and time of a derivative do not depend on how many iterations
the solver took. The derivative with respect to ``x0`` is zero.

The linear systems with ``J`` and ``J^T`` are nodes of their own (``y = M^-1 b``
with ``M`` either of them), whose rules are again linear solves with the same
matrices: ``dy = M^-1 (db - dM y)``, ``b_bar = M^-T g`` and
``(p, x)_bar = -(d(M y)/d(p, x))^T b_bar``. Every rule is written with wengert
operations and transforms, so derivatives of any order work, in either mode,
under ``vmap`` too (one solve per example).

>>> import wengert as wg
>>> from wengert.implicit import fixed_point
>>> newton_sqrt = lambda a, x: 0.5 * (x + a / x)       # Heron's iteration
>>> fixed_point(newton_sqrt, 2.0, 1.0)
1.414213562373095
>>> d = wg.grad(lambda a: fixed_point(newton_sqrt, a, 1.0))(2.0)
>>> bool(abs(d - 0.5 / 2.0 ** 0.5) < 1e-12)            # d sqrt(a)/da = 1/(2 sqrt(a))
True
"""

import numbers
import operator

import numpy as np

from . import backend
from .core.batching import logical_shape
from .core.primitive import Primitive
from .core.pytree import tree_flatten, tree_unflatten
from .core.trace import Box, unbox_all
from .rules.arithmetic import add, subtract
from .rules.complex import cast
from .rules.elementwise import negative
from .rules.indexing import _getitem
from .rules.shape import concatenate, reshape
from .transforms import jacfwd, jvp, vjp

__all__ = ["fixed_point", "root", "custom_root", "ConvergenceError"]

# fixed_point's linear_solve="auto": a dense solve up to this many unknowns (n JVPs
# of f build the matrix), the adjoint iteration beyond
DENSE_LIMIT = 100


class ConvergenceError(RuntimeError):
    """An iteration stopped at ``max_iter`` without meeting its tolerance, or met
    a nan or inf: ``fixed_point``'s iteration and the ``"iterate"`` linear solves of
    the derivatives, or a ``solver`` (of ``fixed_point``, ``root``, ``custom_root``)
    that returned a nan or inf. The message compares the last step with the tolerance;
    raise ``max_iter`` or ``tol``, or pass a ``solver``.

    >>> import wengert.numpy as wnp
    >>> try:
    ...     fixed_point(lambda a, x: 0.5 * wnp.cos(x) + a, 1.0, 0.0, max_iter=3)
    ... except ConvergenceError as err:
    ...     print(str(err).split(": ")[1])
    the iteration x <- f(params, x) did not converge in 3 iterations
    """


# ---------------------------------------------------------------- flat vectors

class _Layout:
    """The leaves of a pytree laid end to end in one flat vector: the structure,
    each leaf's shape, size, offset and dtype, and the vector's dtype."""

    def __init__(self, who, treedef, leaves):
        self.treedef = treedef
        self.shapes, self.dtypes, self.py_float = [], [], []
        for k, leaf in enumerate(leaves):
            plain = unbox_all(leaf)
            if not backend.is_numeric(plain) or backend.is_bool(plain) \
                    or backend.dtype_of(plain).kind == "b":
                raise TypeError(f"{who}: x0 must hold real float numbers or arrays; leaf "
                                f"{k} is {backend.describe(plain)}")
            dt = backend.dtype_of(plain)
            if dt.kind == "c":
                raise TypeError(f"{who}: x0 leaf {k} is complex ({dt}); implicit "
                                f"differentiation is implemented for real solutions only")
            self.dtypes.append(dt if dt.kind == "f" else np.dtype(np.float64))
            self.shapes.append(tuple(logical_shape(leaf)))
            self.py_float.append(type(plain) in (float, int))
        self.sizes = [int(np.prod(s, dtype=np.int64)) for s in self.shapes]
        self.offsets = list(np.cumsum([0] + self.sizes[:-1]))
        self.size = sum(self.sizes)
        self.dtype = np.result_type(*self.dtypes) if self.dtypes else np.dtype(np.float64)

    def describe(self):
        return f"{self.treedef} with shapes {self.shapes}"

    def check(self, who, what, tree):
        """Refuse ``tree`` (plain) unless it has this structure and these shapes."""
        leaves, treedef = tree_flatten(tree)
        if any(isinstance(x, Box) for x in leaves):
            raise TypeError(f"{who}: {what} returned a traced value when called on plain "
                            f"ones: the function closes over a value being "
                            f"differentiated. Pass such values through params, so that "
                            f"{who} differentiates them")
        shapes = [tuple(np.shape(x)) for x in leaves]
        if treedef != self.treedef or shapes != self.shapes:
            raise ValueError(f"{who}: {what} returned {treedef} with shapes {shapes}, "
                             f"but x0 is {self.describe()}; they must match")
        for k, x in enumerate(leaves):
            if not backend.is_numeric(x) or np.iscomplexobj(x):
                raise TypeError(f"{who}: {what} returned {backend.describe(x)} as leaf "
                                f"{k}; real numbers or arrays are needed")
        return leaves

    # plain values (the solvers' side)
    def ravel_plain(self, leaves):
        if len(leaves) == 1:
            return np.array(leaves[0], dtype=self.dtype).reshape(-1)
        return np.concatenate([np.asarray(x, dtype=self.dtype).reshape(-1) for x in leaves])

    def unravel_plain(self, flat):
        """The pytree of a flat plain vector (copies: a function that writes into its
        argument cannot change the iterate)."""
        out = []
        for o, m, s, dt in zip(self.offsets, self.sizes, self.shapes, self.dtypes):
            out.append(np.array(flat[o:o + m], dtype=dt).reshape(s))
        return tree_unflatten(self.treedef, out)

    # wengert operations (the derivatives' side: these differentiate)
    def unravel(self, flat, final=False):
        one = len(self.shapes) == 1 and self.shapes[0] == (self.size,)
        out = []
        for k, (o, m, s, dt) in enumerate(zip(self.offsets, self.sizes, self.shapes,
                                               self.dtypes)):
            piece = flat if one else reshape(
                flat if len(self.shapes) == 1 else _getitem(flat, idx=slice(o, o + m)),
                newshape=s)
            if backend.dtype_of(unbox_all(piece)) != dt:
                piece = cast(piece, dtype=dt)
            if final and not isinstance(piece, Box) and s == ():
                piece = float(piece) if self.py_float[k] else np.asarray(piece)[()]
            out.append(piece)
        return tree_unflatten(self.treedef, out)


def _ravel(tree):
    """The leaves of ``tree`` (possibly traced) as one flat vector, with wengert ops."""
    leaves = tree_flatten(tree)[0]
    parts = [x if len(logical_shape(x)) == 1 else reshape(x, newshape=(-1,))
             for x in leaves]
    return parts[0] if len(parts) == 1 else concatenate(parts, axis=0)


def _like(t, x):
    """``t`` in the dtype of ``x`` (a tangent must carry its primal's dtype)."""
    dt = backend.dtype_of(unbox_all(x))
    if backend.dtype_of(unbox_all(t)) != dt:
        return cast(t, dtype=dt)
    return t


def _float_like(c, x):
    """A plain scalar cotangent of a Python float as a Python float."""
    if type(unbox_all(x)) is float and not isinstance(c, Box) and np.ndim(c) == 0:
        return float(c)
    return c


def _put(leaves, ks, values):
    out = list(leaves)
    for k, v in zip(ks, values):
        out[k] = v
    return out


def _norm(v):
    v = v.reshape(-1)
    return float(np.sqrt(np.vdot(v, v)))


def _same(a, b):
    try:
        return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))
    except (TypeError, ValueError):
        return False


# ---------------------------------------------------------------- one problem

class _Problem:
    """One implicit solve: the residual ``r(p, x)`` on flat vectors, the forward
    solver and the solver of the linear systems. Its primitives receive it as a
    parameter; their inputs are the parameter leaves (and ``x0``'s)."""

    def __init__(self, who, fun, p_def, n_params, layout, *, fixed, solver, linear,
                 tol=None, max_iter=None):
        self.who, self.fun, self.p_def, self.n_params = who, fun, p_def, n_params
        self.layout, self.fixed, self.solver, self.linear = layout, fixed, solver, linear
        self.tol, self.max_iter = tol, max_iter
        self._jac = None  # (p, x, J): the dense Jacobian at the last point asked

    def __repr__(self):
        return f"<{self.who} of {getattr(self.fun, '__name__', 'function')}>"

    def diff(self, p_leaves):
        """Positions of the parameters with a derivative (float leaves)."""
        return [k for k, x in enumerate(p_leaves)
                if backend.is_differentiable(unbox_all(x))]

    def residual(self, p_leaves, x_flat):
        """``r(p, x)`` as a flat vector, with wengert operations: ``F(p, x)``, or
        ``f(p, x) - x`` for a fixed point."""
        params = tree_unflatten(self.p_def, list(p_leaves))
        out = _ravel(self.fun(params, self.layout.unravel(x_flat)))
        return subtract(out, x_flat) if self.fixed else out

    def matvec(self, p_leaves, x_flat, v, transpose):
        """``J v`` (or ``J^T v``) with ``J = dr/dx`` at ``(p, x)``: a JVP (or VJP) of the
        residual, differentiable in ``p``, ``x`` and ``v``."""
        r = lambda x: self.residual(p_leaves, x)  # noqa: E731
        if transpose:
            return vjp(r, x_flat)[1](v)[0]
        return jvp(r, (x_flat,), (_like(v, x_flat),))[1]

    # -- on plain values, at the bottom of every trace

    def solve(self, p_leaves, x0_leaves):
        layout = self.layout
        p_leaves = [backend.copy_if_array(x) for x in p_leaves]
        params = tree_unflatten(self.p_def, p_leaves)
        x0 = [np.asarray(x, dtype=dt) for x, dt in zip(x0_leaves, layout.dtypes)]
        if self.fixed and self.solver is None:
            what = "f"

            def step(flat):
                return layout.ravel_plain(layout.check(self.who, what,
                                                       self.fun(params,
                                                                layout.unravel_plain(flat))))

            x, _ = _iterate(self.who, "the iteration x <- f(params, x)", step,
                            layout.ravel_plain(x0), self.tol, self.max_iter)
            return x
        what = "solver" if self.fixed else "solve"
        x = self.solver(lambda x: self.fun(params, x), tree_unflatten(layout.treedef, x0))
        x = layout.ravel_plain(layout.check(self.who, what, x))
        if not np.all(np.isfinite(x)):
            raise ConvergenceError(f"{self.who}: the {what} returned a nan or inf")
        if not self.fixed:  # the equations must match the unknowns, one for one
            r = tree_flatten(self.fun(params, layout.unravel_plain(x)))[0]
            if any(isinstance(v, Box) for v in r):
                layout.check(self.who, "F", r)  # raises: F closes over a traced value
            m = sum(int(np.size(v)) for v in r)
            if m != layout.size:
                raise ValueError(f"{self.who}: F returned {m} value(s) but x has "
                                 f"{layout.size}: the equations F(params, x) = 0 must be "
                                 f"as many as the unknowns")
        return x

    def jacobian(self, p_leaves, x):
        """The dense ``J = dr/dx`` at ``(p, x)`` (plain), kept for the next call at
        the same point: the rules of every order solve with the same matrix."""
        if self._jac is not None and _same(self._jac[0], p_leaves) \
                and _same([self._jac[1]], [x]):
            return self._jac[2]
        J = np.asarray(jacfwd(lambda x: self.residual(p_leaves, x))(x))
        J = J.reshape(self.layout.size, self.layout.size)
        self._jac = ([backend.copy_if_array(v) for v in p_leaves], np.array(x), J)
        return J

    def linear_solve(self, p_leaves, x, b, transpose):
        """``y`` with ``J y = b`` (``J^T y = b`` when ``transpose``), plain."""
        n = self.layout.size
        b = np.asarray(b)
        if self.linear == "dense":
            J = self.jacobian(p_leaves, x)
            try:
                y = np.linalg.solve(J.T if transpose else J, b)
            except np.linalg.LinAlgError:
                y = None
            if y is None or not np.all(np.isfinite(y)):
                raise np.linalg.LinAlgError(self._singular())
        else:
            mv = self._plain_matvec(p_leaves, x, transpose)
            if self.linear == "iterate":
                # (A - I) y = b with A = df/dx  <=>  y = A y - b: the same contraction
                # as the forward iteration (A^T has A's spectral radius)
                y, _ = _iterate(self.who, "the derivative's linear iteration",
                                lambda y: y + mv(y) - b, np.zeros_like(b), self.tol,
                                self.max_iter)
            else:
                y = self.linear(mv, b)
                if isinstance(y, Box):
                    raise TypeError(f"{self.who}: linear_solve returned a traced value; "
                                    f"it must work on the plain vectors it is given")
                y = np.asarray(y)
                if y.shape != (n,):
                    raise ValueError(f"{self.who}: linear_solve returned shape {y.shape} "
                                     f"for a system of {n} unknowns (shape ({n},) needed)")
                if not np.all(np.isfinite(y)):
                    raise np.linalg.LinAlgError(f"{self.who}: linear_solve returned a nan "
                                                f"or inf")
        return y.astype(np.result_type(b, x), copy=False)

    def _plain_matvec(self, p_leaves, x, transpose):
        """``v -> J v`` (or ``J^T v``) on plain vectors; the transpose records the
        residual once and replays its backward pass for each product."""
        r = lambda x: self.residual(p_leaves, x)  # noqa: E731
        if transpose:
            back = vjp(r, x)[1]
            return lambda v: np.asarray(back(np.asarray(v, dtype=x.dtype))[0])
        return lambda v: np.asarray(jvp(r, (x,), (np.asarray(v, dtype=x.dtype),))[1])

    def _singular(self):
        what = "I - df/dx" if self.fixed else "dF/dx"
        return (f"{self.who}: {what} at the solution is singular, so the solution does "
                f"not depend smoothly on params (the implicit function theorem does not "
                f"apply) and has no derivative")


def _iterate(who, what, step, x, tol, max_iter):
    """``x <- step(x)`` until ``|x_new - x| <= tol * max(1, |x_new|)`` (2-norms);
    ``(x, iterations)``. Plain values."""
    err = float("nan")
    for k in range(1, max_iter + 1):
        new = step(x)
        err = _norm(new - x)
        if not np.isfinite(err):  # a nan or inf in new makes err one too
            raise ConvergenceError(f"{who}: {what} gave a nan or inf at iteration {k}")
        x = new
        if err <= tol * max(1.0, _norm(new)):
            return x, k
    raise ConvergenceError(
        f"{who}: {what} did not converge in {max_iter} iterations: the last step "
        f"(the residual |f(x) - x|) was {err:.3g}, above tol * max(1, |x|) = "
        f"{tol * max(1.0, _norm(x)):.3g}. The map may not be a contraction near the "
        f"solution, or it converges slowly: raise max_iter or tol, or pass a solver")


# ---------------------------------------------------------------- the primitives

def _solution_impl(*leaves, problem):
    n = problem.n_params
    return problem.solve(list(leaves[:n]), list(leaves[n:]))


def _solution_jvp(tangents, ans, *leaves, problem):
    # dx = -J^-1 (dr/dp dp)
    p = list(leaves[:problem.n_params])
    ks = [k for k in problem.diff(p) if tangents[k] is not None]
    if not ks:
        return None  # only x0 moved: the solution does not
    _, rp = jvp(lambda *pk: problem.residual(_put(p, ks, pk), ans),
                [p[k] for k in ks], [_like(tangents[k], p[k]) for k in ks])
    return _like(negative(_linear(problem, p, ans, rp, transpose=False)), ans)


def _solution_vjp(g, ans, *leaves, problem):
    # w = J^-T g,  p_bar = -(dr/dp)^T w
    p = list(leaves[:problem.n_params])
    out = [None] * len(leaves)
    ks = problem.diff(p)
    if not ks:
        return tuple(out)
    w = _linear(problem, p, ans, g, transpose=True)
    _, back = vjp(lambda *pk: problem.residual(_put(p, ks, pk), ans), *[p[k] for k in ks])
    for k, c in zip(ks, back(w)):
        out[k] = _float_like(negative(c), p[k])
    return tuple(out)


def _linear(problem, p, x, b, transpose):
    return _linear_solve(*p, x, b, problem=problem, transpose=transpose)


def _linear_impl(*leaves, problem, transpose):
    return problem.linear_solve(list(leaves[:-2]), leaves[-2], leaves[-1], transpose)


def _linear_jvp(tangents, y, *leaves, problem, transpose):
    # y = M^-1 b  =>  dy = M^-1 (db - dM y), dM y the derivative of M(p, x) y at fixed y
    p, x = list(leaves[:-2]), leaves[-2]
    tp, tx, tb = tangents[:-2], tangents[-2], tangents[-1]
    ks = [k for k in problem.diff(p) if tp[k] is not None]
    rhs = None if tb is None else _like(tb, y)
    if ks or tx is not None:
        prims = [p[k] for k in ks] + ([x] if tx is not None else [])
        tans = [_like(tp[k], p[k]) for k in ks] + ([_like(tx, x)] if tx is not None else [])

        def m_times_y(*vals):
            xx = vals[len(ks)] if tx is not None else x
            return problem.matvec(_put(p, ks, vals[:len(ks)]), xx, y, transpose)

        _, dmy = jvp(m_times_y, prims, tans)
        rhs = negative(dmy) if rhs is None else subtract(rhs, dmy)
    if rhs is None:
        return None
    return _like(_linear(problem, p, x, rhs, transpose), y)


def _linear_vjp(g, y, *leaves, problem, transpose):
    # b_bar = M^-T g,  (p, x)_bar = -(d(M y)/d(p, x))^T b_bar
    p, x = list(leaves[:-2]), leaves[-2]
    out = [None] * len(leaves)
    b_bar = _linear(problem, p, x, g, not transpose)
    out[-1] = b_bar
    ks = problem.diff(p)
    _, back = vjp(lambda *vals: problem.matvec(_put(p, ks, vals[:-1]), vals[-1], y,
                                               transpose),
                  *[p[k] for k in ks], x)
    cts = back(_like(b_bar, y))
    for k, c in zip(ks, cts[:-1]):
        out[k] = negative(c)
    out[-2] = negative(cts[-1])
    return tuple(out)


def _primitive(name, impl, jvp_rule, vjp_rule, doc):
    prim = Primitive(name, impl, jvp=jvp_rule, vjp=vjp_rule, register=False, doc=doc)
    prim.batch_loop = True  # under vmap: one solve per example
    return prim


_fixed_point = _primitive("fixed_point", _solution_impl, _solution_jvp, _solution_vjp,
                          "x = f(params, x), solved by iteration, as one primitive.")
_root = _primitive("root", _solution_impl, _solution_jvp, _solution_vjp,
                   "F(params, x) = 0, solved by the user's solver, as one primitive.")
_linear_solve = _primitive("implicit_linear_solve", _linear_impl, _linear_jvp, _linear_vjp,
                           "y with J y = b (J^T y = b), J = dr/dx of an implicit solve.")


# ---------------------------------------------------------------- the public functions

def _need_callable(who, what, f):
    if not callable(f):
        raise TypeError(f"{who}: {what} must be callable, got {backend.describe(f)}")


def _check_linear(who, linear_solve, fixed):
    choices = ("auto", "dense", "iterate") if fixed else ("dense",)
    if isinstance(linear_solve, str):
        if linear_solve not in choices:
            raise ValueError(f"{who}: linear_solve must be one of "
                             f"{', '.join(map(repr, choices))} or a function "
                             f"linear_solve(matvec, b), got {linear_solve!r}")
        return linear_solve
    _need_callable(who, "linear_solve", linear_solve)
    return linear_solve


def _check_params(who, p_leaves):
    for k, x in enumerate(p_leaves):
        plain = unbox_all(x)
        if backend.is_numeric(plain) and backend.dtype_of(plain).kind == "c":
            raise TypeError(f"{who}: params leaf {k} is complex "
                            f"({backend.describe(plain)}); implicit differentiation is "
                            f"implemented for real params only")


def _check_iteration(who, tol, max_iter, dtype):
    if tol is None:
        tol = max(1e-12, 100 * float(np.finfo(dtype).eps))
    elif isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not tol > 0:
        raise ValueError(f"{who}: tol must be a positive number, got {tol!r}")
    try:
        max_iter = operator.index(max_iter)
    except TypeError:
        max_iter = None
    if max_iter is None or isinstance(max_iter, bool) or max_iter < 1:
        raise ValueError(f"{who}: max_iter must be a positive integer")
    return float(tol), max_iter


def _bind(prim, problem, p_leaves, x_leaves):
    flat = prim(*p_leaves, *x_leaves, problem=problem)
    return problem.layout.unravel(flat, final=True)


def fixed_point(f, params, x0, *, tol=None, max_iter=10_000, solver=None,
                linear_solve="auto"):
    """The solution ``x`` of ``x = f(params, x)``, differentiable in ``params``.

    The iteration ``x <- f(params, x)`` starts from ``x0`` and stops at the first
    step with ``|x_k - x_k-1| <= tol * max(1, |x_k|)`` (2-norms over all leaves;
    ``tol`` defaults to 1e-12 for float64 solutions, 100 machine epsilons for lower
    precisions); ``max_iter`` steps without that raise ``ConvergenceError``. For a
    map contracting by a factor ``q`` the error left is about ``q / (1 - q)`` times
    that last step, and so is the derivatives'. The iteration runs on plain values:
    nothing of it is recorded. ``solver(g, x0) -> x`` replaces it
    (Anderson acceleration, a library's solver, ...), with ``g(x) = f(params, x)``
    on plain values.

    ``params`` and ``x0`` are pytrees of real float numbers and arrays; ``f(params,
    x)`` returns ``x``'s structure and shapes, and the solution has ``x0``'s
    structure, shapes and dtypes. Values to differentiate go through ``params``: ``f``
    must not close over them (that is refused). ``x0`` has no derivative.

    The derivatives come from the implicit function theorem, not from the
    iterations: with ``A = df/dx`` at the solution, the JVP is ``t = A t + df/dp dp``
    and the VJP solves ``u = g + A^T u``, then gives ``(df/dp)^T u``. Those linear
    systems are solved by ``linear_solve``: ``"dense"`` (``A`` by one JVP of ``f`` per
    unknown, then an LU solve), ``"iterate"`` (the iteration above, on the linear
    system: it converges at the forward iteration's rate), ``"auto"`` (dense up to
    100 unknowns, iterate beyond) or your function ``linear_solve(matvec, b) -> y``
    solving ``J y = b`` with ``J = A - I`` (or its transpose) on flat vectors of the
    solution's length (the leaves raveled in order).

    >>> import numpy as np, wengert as wg, wengert.numpy as wnp
    >>> # x = 0.5 cos(x) + a: how the solution moves with a
    >>> f = lambda a, x: 0.5 * wnp.cos(x) + a
    >>> x = fixed_point(f, 1.0, 0.0)
    >>> dx = wg.grad(lambda a: fixed_point(f, a, 0.0))(1.0)
    >>> bool(abs(dx - 1 / (1 + 0.5 * np.sin(x))) < 1e-12)   # dx/da = 1 / (1 - f_x)
    True
    >>> bool(wg.jvp(lambda a: fixed_point(f, a, 0.0), (1.0,), (2.0,))[1] == 2 * dx)
    True
    """
    who = "fixed_point"
    _need_callable(who, "f", f)
    if solver is not None:
        _need_callable(who, "solver", solver)
    linear = _check_linear(who, linear_solve, fixed=True)
    p_leaves, p_def = tree_flatten(params)
    _check_params(who, p_leaves)
    x_leaves, x_def = tree_flatten(x0)
    layout = _Layout(who, x_def, x_leaves)
    tol, max_iter = _check_iteration(who, tol, max_iter, layout.dtype)
    if linear == "auto":
        linear = "dense" if layout.size <= DENSE_LIMIT else "iterate"
    problem = _Problem(who, f, p_def, len(p_leaves), layout, fixed=True, solver=solver,
                       linear=linear, tol=tol, max_iter=max_iter)
    return _bind(_fixed_point, problem, p_leaves, x_leaves)


def root(F, params, x0, solve, *, linear_solve="dense"):
    """The solution ``x`` of ``F(params, x) = 0`` that ``solve`` finds from ``x0``,
    differentiable in ``params``.

    ``solve(fun, x0) -> x`` is any solver of yours (Newton, bisection, a library's):
    it gets ``fun(x) = F(params, x)`` on plain values (it may differentiate ``fun``
    with wengert, e.g. for Newton's steps) and nothing it does is recorded. ``params``
    and ``x0`` are pytrees of real float numbers and arrays, the solution has ``x0``'s
    structure, shapes and dtypes, and ``F`` returns as many numbers as ``x`` has (any
    structure). Values to differentiate go through ``params``, never a closure of
    ``F``. ``x0`` has no derivative. The solver's accuracy is the derivative's.

    The derivatives come from the implicit function theorem: ``dx = -J^-1 (dF/dp
    dp)`` with ``J = dF/dx`` at the solution, and in reverse mode ``p_bar = -(dF/dp)^T
    J^-T g``. ``linear_solve="dense"`` forms ``J`` (one JVP of ``F`` per unknown) and
    solves by LU; for large systems pass ``linear_solve(matvec, b) -> y`` solving
    ``J y = b`` (it is also called with ``J^T``'s matvec) on flat vectors of the
    solution's length, e.g. conjugate gradients for a symmetric ``J``.

    >>> import numpy as np, wengert as wg
    >>> def newton(fun, x):
    ...     for _ in range(50):
    ...         x = x - fun(x) / wg.derivative(fun)(x)
    ...     return x
    >>> cube_root = lambda a: root(lambda a, x: x ** 3 - a, a, 1.0, newton)
    >>> round(cube_root(8.0), 12)
    2.0
    >>> wg.grad(cube_root)(8.0)           # 1 / (3 x^2) at x = 2
    0.08333333333333333
    >>> # A x = b: a linear F is solved by one Newton step, x0 - J^-1 F(x0)
    >>> step = lambda fun, x0: x0 - np.linalg.solve(wg.jacobian(fun)(x0), fun(x0))
    >>> A, b = np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([1.0, 0.0])
    >>> x = lambda A, b: root(lambda p, x: p[0] @ x - p[1], (A, b), np.zeros(2), step)
    >>> wg.grad(lambda b: x(A, b)[0])(b)                  # row 0 of A^-1
    array([ 0.4, -0.2])
    """
    who = "root"
    _need_callable(who, "F", F)
    _need_callable(who, "solve", solve)
    linear = _check_linear(who, linear_solve, fixed=False)
    p_leaves, p_def = tree_flatten(params)
    _check_params(who, p_leaves)
    x_leaves, x_def = tree_flatten(x0)
    layout = _Layout(who, x_def, x_leaves)
    problem = _Problem(who, F, p_def, len(p_leaves), layout, fixed=False, solver=solve,
                       linear=linear)
    return _bind(_root, problem, p_leaves, x_leaves)


def custom_root(F, solve, *, linear_solve="dense"):
    """``root`` with the equations and the solver fixed: a function
    ``solution(params, x0)`` giving the ``x`` with ``F(params, x) = 0`` that ``solve``
    finds, differentiated implicitly (see ``root``).

    >>> import wengert as wg
    >>> def bisect(fun, x):               # any solver: here bisection on [0, 10]
    ...     lo, hi = 0.0, 10.0
    ...     for _ in range(200):
    ...         mid = 0.5 * (lo + hi)
    ...         lo, hi = (mid, hi) if fun(mid) < 0 else (lo, mid)
    ...     return 0.5 * (lo + hi)
    >>> sqrt = custom_root(lambda a, x: x * x - a, bisect)
    >>> sqrt(9.0, 1.0)
    3.0
    >>> wg.grad(lambda a: sqrt(a, 1.0))(9.0)    # 1 / (2 sqrt(a))
    0.16666666666666666
    """
    _need_callable("custom_root", "F", F)
    _need_callable("custom_root", "solve", solve)
    _check_linear("custom_root", linear_solve, fixed=False)

    def solution(params, x0):
        return root(F, params, x0, solve, linear_solve=linear_solve)

    solution.__name__ = f"custom_root({getattr(F, '__name__', 'F')})"
    solution.__doc__ = custom_root.__doc__
    return solution
