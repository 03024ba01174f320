"""wengert sets glibc's malloc thresholds on import (steady reuse of freed arrays),
unless WENGERT_MALLOC_TUNING=0; elsewhere it changes nothing."""

import ctypes.util
import os
import subprocess
import sys

import pytest

import wengert
from wengert import allocator

glibc = sys.platform.startswith("linux") and ctypes.util.find_library("c") is not None


def _tuned_in_child(env_value):
    env = dict(os.environ)
    env.pop("WENGERT_MALLOC_TUNING", None)
    if env_value is not None:
        env["WENGERT_MALLOC_TUNING"] = env_value
    out = subprocess.run([sys.executable, "-c",
                          "import wengert.allocator as a, wengert; print(a.tuned)"],
                         capture_output=True, text=True, env=env, check=True)
    return out.stdout.strip()


@pytest.mark.skipif(not glibc, reason="glibc's malloc only")
def test_import_tunes_malloc_and_the_variable_turns_it_off():
    assert _tuned_in_child(None) == "True"
    assert _tuned_in_child("0") == "False"


def test_tune_is_idempotent_and_reports_its_state():
    assert allocator.tune() is allocator.tuned
    assert allocator.tune() is allocator.tuned
    assert wengert.__version__
