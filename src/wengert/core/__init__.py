"""The AD core: primitive records (calling one is ``bind``), the reverse tape, forward duals, pytrees.

Nothing here knows about numpy: array behaviour arrives through the primitives
that ``wengert.rules`` registers.
"""
