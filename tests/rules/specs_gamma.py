"""Spec table for rules/gamma.py (forward passes need scipy for arrays, which the
test extra installs)."""

import wengert.scipy.special as wsp

from .spec import Case, P, U

CASES = [Case(name, getattr(wsp, name), [arg], id=f"{name}-{label}")
         for name, domain in [("gammaln", P), ("digamma", P), ("erf", U), ("erfc", U),
                              ("erfinv", U), ("ndtr", U)]
         for label, arg in [("scalar", domain()), ("vector", domain(3)),
                            ("matrix", domain(2, 3))]]
CASES += [Case("polygamma", lambda x, n=n: wsp.polygamma(n, x), [P(3)], id=f"polygamma-n{n}")
          for n in (0, 1, 2)]
