"""Strict-xfail vmap checks (linear algebra, signal, fft and arithmetic) that do not agree with a loop yet;
see batching_known.py. Remove an entry when its batching is fixed."""

KNOWN_LINALG = set()
