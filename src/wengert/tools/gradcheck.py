"""check_grads: automatic derivatives against central differences.

* forward mode: the JVP along a random direction v is compared with
  (f(x + h v) - f(x - h v)) / 2h;
* reverse mode: the VJP is checked by the inner-product identity
  <u, J v> = <J^T u, v>, with J v from central differences;
* order k: the same checks run on the derivative functions themselves
  (x -> jvp(f, x, v) and x -> vjp(f, x)(u)), recursively.
"""

import numpy as np

from .. import backend
from ..core.pytree import tree_flatten, tree_map, tree_unflatten
from ..transforms import jvp, vjp


def _name(fun):
    return getattr(fun, "__name__", type(fun).__name__)


def _random_like(tree, rng):
    return tree_map(lambda x: backend.random_like(x, rng), tree)


def _step(args, h, v):
    return tree_map(lambda x, d: backend.add_scaled(x, h, d), args, v)


def _inner(a, b):
    a_leaves = tree_flatten(a)[0]
    b_leaves = tree_flatten(b)[0]
    for x, y in zip(a_leaves, b_leaves):
        if np.shape(x) != np.shape(y):
            raise AssertionError(f"check_grads: a derivative has shape {np.shape(x)} "
                                 f"where {np.shape(y)} is expected")
    return sum(backend.inner(x, y) for x, y in zip(a_leaves, b_leaves))


def _central(fun, args, v, eps):
    hi = tree_flatten(fun(*_step(args, eps, v)))[0]
    lo = tree_flatten(fun(*_step(args, -eps, v)))[0]
    return [(np.asarray(a) - np.asarray(b)) / (2 * eps) for a, b in zip(hi, lo)]


def _compare(what, fun, ad, numeric, rtol, atol):
    for a, n in zip(ad, numeric):
        a, n = np.asarray(a), np.asarray(n)
        if a.shape != n.shape or not np.allclose(a, n, rtol=rtol, atol=atol):
            err = backend.max_abs(a - n) if a.shape == n.shape else float("inf")
            raise AssertionError(
                f"check_grads({_name(fun)}): {what} disagrees with central differences "
                f"(max abs error {err:.3g}; automatic {a!r}, numeric {n!r})")


def check_grads(fun, modes=("fwd", "rev"), order=2, *, eps=1e-6, rtol=1e-5, atol=1e-6,
                seed=0):
    """Return a checker that tests ``fun``'s derivatives at the given arguments,
    raising AssertionError with the size of the disagreement.

    >>> import wengert as wg, wengert.numpy as wnp
    >>> wg.check_grads(wnp.sin, modes=("fwd", "rev"), order=2)(0.3)
    """
    modes = (modes,) if isinstance(modes, str) else tuple(modes)
    for m in modes:
        if m not in ("fwd", "rev"):
            raise ValueError(f"check_grads: unknown mode {m!r}; use 'fwd' and/or 'rev'")
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"check_grads: order must be an integer >= 1, got {order!r}")

    def check(*args):
        args = tree_map(lambda x: float(x) if isinstance(x, int) and not isinstance(x, bool)
                        else x, tuple(args))
        _check(fun, args, modes, order, np.random.default_rng(seed), eps, rtol, atol)

    return check


def _check(fun, args, modes, order, rng, eps, rtol, atol):
    v = _random_like(args, rng)
    numeric = _central(fun, args, v, eps)
    if "fwd" in modes:
        _, t_out = jvp(fun, args, v)
        _compare(f"forward mode (order {order} from the top)", fun,
                 tree_flatten(t_out)[0], numeric, rtol, atol)
    if "rev" in modes:
        out, f_vjp = vjp(fun, *args)
        u = _random_like(out, rng)
        lhs = _inner(tree_unflatten(tree_flatten(out)[1], numeric), u)
        rhs = _inner(f_vjp(u), v)
        scale = max(1.0, abs(lhs), abs(rhs))
        if abs(lhs - rhs) > rtol * scale + atol:
            raise AssertionError(
                f"check_grads({_name(fun)}): reverse mode fails the inner-product "
                f"identity <u, J v> = <J^T u, v>: {lhs!r} (numeric) vs {rhs!r} (VJP)")
    if order > 1:
        if "fwd" in modes:
            def f_jvp(*xs):
                return jvp(fun, xs, v)[1]
            f_jvp.__name__ = f"jvp({_name(fun)})"
            _check(f_jvp, args, modes, order - 1, rng, eps, rtol, atol)
        if "rev" in modes:
            u = _random_like(fun(*args), rng)

            def f_vjp_(*xs):
                return vjp(fun, *xs)[1](u)
            f_vjp_.__name__ = f"vjp({_name(fun)})"
            _check(f_vjp_, args, modes, order - 1, rng, eps, rtol, atol)
