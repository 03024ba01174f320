"""Compilation by source transformation: ``jit`` stages a function (transforms and
all) into a program, simplifies it, and runs generated Python/numpy source.

* ``staging``: the trace below every transform that records each primitive call;
* ``program``: the staged program (variables, equations, outputs);
* ``passes``: constant folding, algebraic identities, fusion of forward and backward,
  common subexpressions, dead code;
* ``codegen``: the program as Python source, one assignment per line;
* ``jit``: the cache per input signature and path, and ``source`` / ``lower`` /
  ``traces`` / ``report`` / ``save``.
"""

from .codegen import Retrace
from .jit import JitWarning, Jitted, jit
from .staging import Unstageable

__all__ = ["jit", "Jitted", "JitWarning", "Retrace", "Unstageable"]
