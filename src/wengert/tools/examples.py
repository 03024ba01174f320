"""The seeds' worked examples, as functions written with ``wengert.numpy``: the
demo, the command line and the tests all use these.

>>> import wengert as wg
>>> wg.value_and_grad(ln_x1_plus_x1x2_minus_sin_x2, argnums=(0, 1))(2.0, 5.0)
(11.652071455223084, (5.5, 1.7163378145367738))
"""

from .. import numpy as wnp


def ln_x1_plus_x1x2_minus_sin_x2(x1, x2):
    """The first example, f = ln x1 + x1 x2 - sin x2 (at (2, 5): 11.652071455223084)."""
    return wnp.log(x1) + x1 * x2 - wnp.sin(x2)


def shared_subexpressions(x1, x2):
    """The second example, f = (sin(x1/x2) + x1/x2 - exp x2)(x1/x2 - exp x2), written as
    the seeds' Wengert list, one line each: v1 is used three times, v4 twice (at
    (1.5, 0.5): 2.0166466694282)."""
    v1 = x1 / x2
    v2 = wnp.sin(v1)
    v3 = wnp.exp(x2)
    v4 = v1 - v3
    v5 = v2 + v4
    return v5 * v4
