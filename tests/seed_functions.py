"""The seeds' worked examples as functions, shared by the tests (their golden values
stay in each test, beside what they check)."""

import wengert.numpy as wnp


def f_log(x1, x2):
    """The seeds' first example: ln x1 + x1 x2 - sin x2."""
    return wnp.log(x1) + x1 * x2 - wnp.sin(x2)


def f_shared(x1, x2):
    """The seeds' second example with its shared subexpressions named v1 .. v6."""
    v1 = x1 / x2
    v2 = wnp.sin(v1)
    v3 = wnp.exp(x2)
    v4 = v1 - v3
    v5 = v2 + v4
    return v5 * v4
