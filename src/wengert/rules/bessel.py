"""Bessel functions (their forward passes need scipy, the optional ``scipy`` extra):
the modified ones i0, i1, iv and their exponentially scaled forms i0e, i1e, ive, and
those of the first and second kind j0, j1, jn, y0, y1, yn.

Each derivative is a recurrence in the order, so the rules call the same functions
again and differentiate to any order:

* I_v' = (I_{v-1} + I_{v+1}) / 2 (so i0' = i1, since I_{-1} = I_1),
* J_v' = (J_{v-1} - J_{v+1}) / 2 (so j0' = -j1), and the same for Y,
* the scaled ive(v, x) = iv(v, x) exp(-|x|) adds -sign(x) ive(v, x) (0 at x = 0, the
  middle of the kink of exp(-|x|), as for abs).

The order (v or n, the first argument) is a constant: differentiating in it raises
NotImplementedError. Real x only.

>>> import wengert as wg, wengert.scipy.special as wsp
>>> print(round(wg.grad(wsp.j0)(1.0), 12))  # -j1(1)
-0.440050585745
"""

import numpy as np

from ._base import per_example, unary
from .gamma import _scipy, last_only

_ORDER = "the order is a constant (wengert has no derivative in it)"


def _sign(x):
    # a constant (the derivative of sign is 0), per example under vmap
    return per_example(np.sign, x, aligned=True)


def _with_order(name, recurrence, scaled=False):
    """``name(v, x)``, differentiable in x by ``recurrence(v, x)``; ``scaled`` adds
    the -sign(x) term of the factor exp(-|x|)."""
    if scaled:
        def deriv(v, x, ans):
            return recurrence(v, x) - _sign(x) * ans
    else:
        def deriv(v, x, ans):
            return recurrence(v, x)
    order = "n" if name in ("jn", "yn") else "v"
    return last_only(name, _scipy(name), deriv, (order,), _ORDER,
                     doc=f"scipy.special.{name}({order}, x); differentiable in x.")


iv = _with_order("iv", lambda v, x: 0.5 * (iv(v - 1, x) + iv(v + 1, x)))
ive = _with_order("ive", lambda v, x: 0.5 * (ive(v - 1, x) + ive(v + 1, x)), scaled=True)
jn = _with_order("jn", lambda n, x: 0.5 * (jn(n - 1, x) - jn(n + 1, x)))
yn = _with_order("yn", lambda n, x: 0.5 * (yn(n - 1, x) - yn(n + 1, x)))

i0 = unary("i0", _scipy("i0"), lambda x, ans: i1(x),
           doc="scipy.special.i0, the modified Bessel function of order 0.")
i1 = unary("i1", _scipy("i1"), lambda x, ans: 0.5 * (i0(x) + iv(2.0, x)),
           doc="scipy.special.i1, the modified Bessel function of order 1.")
i0e = unary("i0e", _scipy("i0e"), lambda x, ans: i1e(x) - _sign(x) * ans,
            doc="scipy.special.i0e, i0(x) exp(-|x|).")
i1e = unary("i1e", _scipy("i1e"),
            lambda x, ans: 0.5 * (i0e(x) + ive(2.0, x)) - _sign(x) * ans,
            doc="scipy.special.i1e, i1(x) exp(-|x|).")
j0 = unary("j0", _scipy("j0"), lambda x, ans: -j1(x),
           doc="scipy.special.j0, the Bessel function of the first kind of order 0.")
j1 = unary("j1", _scipy("j1"), lambda x, ans: 0.5 * (j0(x) - jn(2, x)),
           doc="scipy.special.j1, the Bessel function of the first kind of order 1.")
y0 = unary("y0", _scipy("y0"), lambda x, ans: -y1(x),
           doc="scipy.special.y0, the Bessel function of the second kind of order 0.")
y1 = unary("y1", _scipy("y1"), lambda x, ans: 0.5 * (y0(x) - yn(2, x)),
           doc="scipy.special.y1, the Bessel function of the second kind of order 1.")

__all__ = ["i0", "i1", "i0e", "i1e", "iv", "ive", "j0", "j1", "jn", "y0", "y1", "yn"]
