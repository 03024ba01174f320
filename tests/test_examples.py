"""The example programs run the way a person runs them: as scripts, with their
output and the files they write checked."""

import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def run(script, *args, env=None, timeout=300):
    proc = subprocess.run([sys.executable, str(EXAMPLES / script), *args],
                          capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, **(env or {})))
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_seed_logistic_regression_reaches_full_accuracy_and_plots(tmp_path):
    pytest.importorskip("matplotlib")
    png = tmp_path / "lr.png"
    out = run("logistic_regression.py", "--steps", "1500", "--plot", str(png))
    assert "accuracy 100.0%" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000


def test_logistic_regression_without_matplotlib_still_trains(tmp_path):
    fake = tmp_path / "fake"
    (fake / "matplotlib").mkdir(parents=True)
    (fake / "matplotlib" / "__init__.py").write_text("raise ImportError('no matplotlib')\n")
    out = run("logistic_regression.py", "--steps", "300", "--plot", str(tmp_path / "x.png"),
              env={"PYTHONPATH": str(fake)})
    assert "pip install 'wengert[plot]'" in out and "accuracy" in out
    assert not (tmp_path / "x.png").exists()
