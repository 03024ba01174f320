"""The seeds' worked examples as functions, shared by the tests (their golden values
stay in each test, beside what they check)."""

from wengert.tools.examples import ln_x1_plus_x1x2_minus_sin_x2 as f_log  # noqa: F401
from wengert.tools.examples import shared_subexpressions as f_shared  # noqa: F401
