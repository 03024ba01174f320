"""vmap checks (test name[Case id]) that do not agree with a loop yet: strict xfails
in test_batching.py. Remove an entry when its batching is fixed (the xfail then
fails). Most come from composites that compute constants (masks, index maps) from a
value's data with unbox_all, which under vmap is the whole batch, or from rules that
read physical shapes; the rest from per-example loops over primitives whose
parameters name axes."""

from .batching_known_indexing import KNOWN_INDEXING
from .batching_known_linalg import KNOWN_LINALG

KNOWN = KNOWN_INDEXING | KNOWN_LINALG
