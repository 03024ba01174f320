"""Helpers around the transforms: flattening parameter pytrees into one vector
(``flatten``, ``ravel_pytree``) and the small gradient-descent optimizers that
HIPS autograd programs import (``optimizers.sgd``, ``rmsprop``, ``adam``)."""

from . import optimizers  # noqa: F401
from .flatten import flatten, ravel_pytree  # noqa: F401

__all__ = ["flatten", "ravel_pytree", "optimizers"]
