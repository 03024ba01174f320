"""Steady memory reuse for the arrays a training step allocates (glibc only).

glibc's malloc returns freed memory at the top of the heap to the system once more
than a threshold of it is free, and the threshold adapts to the largest block freed
so far. A reverse pass frees a whole step's worth of activations and cotangents at
once; when that exceeds the threshold, glibc hands the memory back and the next step
takes it again, page by page. The float64 MLP step of ``benchmarks/bench_arrays.py``
(784-512-256-10, batch 256) paid 2,000 page faults a step for it, a fifth of its time.

``tune()`` sets what glibc's own adaptation reaches once a program has freed one
32 MB array: blocks under 32 MB come from the heap, and up to 64 MB of free heap is
kept for reuse instead of being returned at once. wengert calls it on import; set
the environment variable ``WENGERT_MALLOC_TUNING=0`` to leave malloc as it is.
Elsewhere (macOS, Windows, musl) nothing is changed.
"""

import ctypes
import ctypes.util
import os
import sys

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 2**20
TRIM_THRESHOLD = 64 * 2**20

tuned = False


def tune():
    """Set glibc's trim and mmap thresholds (see the module's text); returns whether
    they were set."""
    global tuned
    if tuned or os.environ.get("WENGERT_MALLOC_TUNING", "1") == "0" \
            or not sys.platform.startswith("linux"):
        return tuned
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
        gnu = libc.gnu_get_libc_version  # present in glibc only
    except (OSError, AttributeError):
        return False
    del gnu
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    tuned = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
                 and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    return tuned
