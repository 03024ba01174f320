"""``nn.Parameter`` is ``wengert.tensors.Parameter``: a tensor that requires grad by
default and that a ``Module`` registers when assigned as an attribute."""

from ..tensors import Parameter

__all__ = ["Parameter"]
