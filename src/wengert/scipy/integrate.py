"""Differentiable ``scipy.integrate.odeint``, differentiated by the adjoint method.

``odeint(func, y0, t, args=(), ...)`` has scipy's signature and runs scipy's odeint
(LSODA, the optional ``scipy`` extra) on plain values: nothing of the solver is
taped. Its derivatives are solved for, not recorded:

* reverse mode (the adjoint method, as in HIPS autograd's odeint and the neural-ODE
  paper): from the last output time back to the first, each interval [t_i-1, t_i]
  integrates the augmented system y' = f(y, t), a' = -a^T df/dy,
  theta_bar' = -a^T df/dtheta backwards with scipy's odeint, starting from the
  stored y(t_i), the adjoint a plus the output's cotangent g_i; the vector-Jacobian
  products a^T df/d(y, theta) are wengert's vjp of ``func``. The cotangent of t_i is
  g_i . f(y_i, t_i), that of t_0 is -a(t_0) . f(y_0, t_0). Memory stays flat in the
  number of solver steps (and is linear in the number of output times only).
* forward mode (the sensitivity equations): one solve of y' = f, s' = df/dy s +
  df/dtheta theta_dot with s(t_0) = y0_dot - f(y_0, t_0) t0_dot, the products by
  wengert's jvp of ``func``; the output tangent is s(t_i) + f(y_i, t_i) t_i_dot.

Both derivative solves are odeint calls themselves (of the augmented systems, whose
right-hand sides are written with wengert operations), so they differentiate again:
second derivatives work in both modes, each order integrating a system twice as
large. Their accuracy is the solver's: pass tight ``rtol`` and ``atol``.

The values to differentiate go through ``y0``, ``t`` and ``args`` (pytrees of
arrays); ``func`` must not close over traced values (that is refused, naming args=).

>>> import numpy as np, wengert as wg, wengert.numpy as wnp
>>> from wengert.scipy.integrate import odeint
>>> decay = lambda y, t, k: -k * y
>>> g = wg.grad(lambda k: odeint(decay, np.ones(1), np.array([0.0, 1.0]), args=(k,),
...                              rtol=1e-10, atol=1e-10)[-1, 0])(0.5)
>>> bool(abs(g + np.exp(-0.5)) < 1e-7)  # d/dk exp(-k) = -exp(-k)
True
"""

import numpy as np

from .. import backend
from ..core.primitive import Primitive
from ..core.pytree import tree_flatten, tree_unflatten
from ..core.trace import Box, is_boxed, unbox_all
from ..rules._base import shape
from ..rules.arithmetic import add, multiply, subtract
from ..rules.elementwise import negative
from ..rules.indexing import _getitem
from ..rules.linalg import loop_examples
from ..rules.reductions import sum as _sum
from ..rules.shape import concatenate, expand_dims, ravel, reshape, stack
from ..transforms import jvp, vjp

__all__ = ["odeint"]

# options that describe the user's system (its Jacobian), not the augmented ones
_FORWARD_ONLY = ("Dfun", "col_deriv", "ml", "mu")


def _scipy_odeint():
    try:
        from scipy.integrate import odeint as sc_odeint
    except ImportError as err:
        raise ImportError("wengert.scipy.integrate.odeint needs scipy; install the scipy "
                          "extra: pip install 'wengert[scipy]'") from err
    return sc_odeint


# ---------------------------------------------------------------- the primitive

def _impl(y0, t, *leaves, func, opts):
    def rhs(y, s, *lv):
        out = func(y, s, *lv)
        if isinstance(out, Box):
            raise TypeError(
                "odeint: func returned a traced value when called on plain ones: it "
                "closes over a value being differentiated. Pass such values through "
                "args= (odeint(func, y0, t, args=(...))) so that odeint differentiates "
                "them")
        return out
    return _scipy_odeint()(rhs, y0, t, args=tuple(leaves), **opts)


def _adjoint_opts(opts):
    return {k: v for k, v in opts.items() if k not in _FORWARD_ONLY}


def _split(z, sizes, shapes):
    """Consecutive pieces of the vector ``z`` with the given sizes and shapes."""
    out, start = [], 0
    for n, s in zip(sizes, shapes):
        out.append(reshape(_getitem(z, idx=slice(start, start + n)), s))
        start += n
    return out


def _vjp(g, ans, y0, t, *leaves, func, opts):
    n_t, d = shape(t)[0], shape(y0)[0]
    shapes = [shape(x) for x in leaves]
    sizes = [int(np.prod(s)) for s in shapes]
    p = sum(sizes)

    def augmented(z, s, *lv):
        # (y, a, theta_bar)' = (f, -a^T df/dy, -a^T df/dtheta)
        y, a = _getitem(z, idx=slice(0, d)), _getitem(z, idx=slice(d, 2 * d))
        out, back = vjp(lambda y, *lv: func(y, s, *lv), y, *lv)
        cts = back(a)
        return concatenate([out] + [negative(ravel(c)) for c in cts])

    aopts = _adjoint_opts(opts)
    dtype = backend.dtype_of(unbox_all(ans))
    a = _getitem(g, idx=n_t - 1)
    theta = np.zeros(p, dtype=dtype)
    t_bar = [None] * n_t
    for i in range(n_t - 1, 0, -1):
        y_i, t_i = _getitem(ans, idx=i), _getitem(t, idx=i)
        t_bar[i] = _sum(multiply(_getitem(g, idx=i), func(y_i, t_i, *leaves)))
        z0 = concatenate([y_i, a, theta])
        span = stack([t_i, _getitem(t, idx=i - 1)])
        z = _getitem(_odeint(z0, span, *leaves, func=augmented, opts=aopts), idx=1)
        a_prev = _getitem(z, idx=slice(d, 2 * d))
        theta = _getitem(z, idx=slice(2 * d, 2 * d + p))
        if i > 1:
            a = add(a_prev, _getitem(g, idx=i - 1))
    g0 = _getitem(g, idx=0)
    if n_t > 1:
        # moving t_0 with y(t_0) = y0 held shifts the whole trajectory by -f(y0, t0)
        t_bar[0] = negative(_sum(multiply(a_prev, func(y0, _getitem(t, idx=0), *leaves))))
        y0_bar = add(a_prev, g0)
        theta_bars = _split(theta, sizes, shapes)
    else:
        t_bar[0] = np.zeros((), dtype=dtype)
        y0_bar = g0
        theta_bars = [np.zeros(s, dtype=dtype) for s in shapes]
    if any(is_boxed(x) for x in t_bar):
        t_bar = stack(t_bar)
    else:  # one array, not a stack of n small ones (the peak memory of the VJP)
        t_bar = np.array(t_bar, dtype=dtype)
    return (y0_bar, t_bar) + tuple(theta_bars)


def _jvp(tangents, ans, y0, t, *leaves, func, opts):
    ty0, tt, *tl = tangents
    n_t, d = shape(t)[0], shape(y0)[0]
    n = len(leaves)
    dots = [np.zeros(shape(x), dtype=backend.dtype_of(unbox_all(x))) if v is None else v
            for v, x in zip(tl, leaves)]
    for k, x in enumerate(leaves):  # a Python float's tangent is a float too
        if type(unbox_all(x)) is float and not is_boxed(dots[k]):
            dots[k] = float(np.asarray(dots[k]))

    def sensitivity(z, s, *lv):
        # (y, s)' = (f, df/dy s + df/dtheta theta_dot)
        y, sy = _getitem(z, idx=slice(0, d)), _getitem(z, idx=slice(d, 2 * d))
        out, out_t = jvp(lambda y, *p: func(y, s, *p), (y,) + tuple(lv[:n]),
                         (sy,) + tuple(lv[n:]))
        return concatenate([out, out_t])

    s0 = np.zeros(shape(y0), dtype=backend.dtype_of(unbox_all(ans))) if ty0 is None else ty0
    if tt is not None:
        s0 = subtract(s0, multiply(func(y0, _getitem(t, idx=0), *leaves),
                                   _getitem(tt, idx=0)))
    z = _odeint(concatenate([y0, s0]), t, *leaves, *dots, func=sensitivity,
                opts=_adjoint_opts(opts))
    out = _getitem(z, idx=(slice(None), slice(d, 2 * d)))
    if tt is not None:
        rates = stack([func(_getitem(ans, idx=i), _getitem(t, idx=i), *leaves)
                       for i in range(n_t)])
        out = add(out, multiply(rates, expand_dims(tt, -1)))
    return out


_odeint = Primitive("odeint", _impl, vjp=_vjp, jvp=_jvp, register=False,
                    doc="scipy.integrate.odeint of func(y, t, *leaves) as a primitive.")
# under vmap each example is its own solve (the solver's steps adapt to each one, as
# a loop's would)
_odeint.batch = lambda vals, dims, **params: loop_examples(_odeint, vals, dims, params)


# ---------------------------------------------------------------- the public function

def odeint(func, y0, t, args=(), Dfun=None, col_deriv=0, full_output=0, ml=None, mu=None,
           rtol=None, atol=None, tcrit=None, h0=0.0, hmax=0.0, hmin=0.0, ixpr=0, mxstep=0,
           mxhnil=0, mxordn=12, mxords=5, printmessg=0, tfirst=False):
    """scipy.integrate.odeint: ``y`` of shape ``(len(t), len(y0))`` solving
    ``dy/dt = func(y, t, *args)`` (``tfirst``: ``func(t, y, *args)``) with
    ``y(t[0]) = y0``. Differentiable in ``y0``, ``t`` and ``args`` (pytrees of float
    arrays; other leaves are constants) by the adjoint method in reverse mode and the
    sensitivity equations in forward mode; ``func`` is written with wengert.numpy.
    The solver options are scipy's and apply to the derivative solves too (``Dfun``,
    ``col_deriv``, ``ml`` and ``mu`` to the forward solve only). With
    ``full_output`` the info dict is scipy's (of a second, plain solve when traced).
    """
    if not isinstance(args, tuple):
        args = (args,)
    leaves, tree = tree_flatten(args)
    diff = [k for k, x in enumerate(leaves) if backend.is_differentiable(unbox_all(x))]
    const = {k: unbox_all(x) for k, x in enumerate(leaves) if k not in diff}

    def rebuild(lv):
        full = [const.get(k) for k in range(len(leaves))]
        for k, x in zip(diff, lv):
            full[k] = x
        return tree_unflatten(tree, full)

    def flat(y, s, *lv):
        out = func(s, y, *rebuild(lv)) if tfirst else func(y, s, *rebuild(lv))
        if isinstance(out, (list, tuple)):
            out = stack(out)
        return out

    opts = dict(rtol=rtol, atol=atol, tcrit=tcrit, h0=h0, hmax=hmax, hmin=hmin, ixpr=ixpr,
                mxstep=mxstep, mxhnil=mxhnil, mxordn=mxordn, mxords=mxords,
                printmessg=printmessg, col_deriv=col_deriv, ml=ml, mu=mu)
    if Dfun is not None:
        def dfun(y, s, *lv):
            a = rebuild(lv)
            return Dfun(s, y, *a) if tfirst else Dfun(y, s, *a)
        opts["Dfun"] = dfun
    y0 = _as_float(y0)
    if not shape(y0):
        y0 = reshape(y0, (1,))
    t = _as_float(t)
    dl = [leaves[k] for k in diff]
    ys = _odeint(y0, t, *dl, func=flat, opts=opts)
    if not full_output:
        return ys
    _, info = _scipy_odeint()(flat, unbox_all(y0), unbox_all(t),
                              args=tuple(unbox_all(x) for x in dl), full_output=True,
                              **opts)
    return ys, info


def _as_float(x):
    if is_boxed(x):
        return x
    x = np.asarray(x)
    return x if x.dtype.kind in "fc" else x.astype(np.float64)
