"""Primitive families: each module registers its primitives (numpy forward, JVP
and VJP side by side) in ``wengert.core.primitive.registry``."""

from . import (arithmetic, complex, elementwise, indexing, linalg, reductions, shape,  # noqa: F401
               special)  # noqa: F401
