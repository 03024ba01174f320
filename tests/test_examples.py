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


def _digits_module(name):
    pytest.importorskip("sklearn")
    import importlib
    sys.path.insert(0, str(EXAMPLES))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(EXAMPLES))


def test_digits_mlp_reaches_95_percent():
    pytest.importorskip("sklearn")
    out = run("digits_mlp.py")
    acc = float(out.rsplit("test accuracy ", 1)[1].split("%")[0])
    assert acc >= 95.0, out[-500:]


def test_digits_cnn_reaches_97_percent():
    pytest.importorskip("sklearn")
    out = run("digits_cnn.py")
    acc = float(out.rsplit("test accuracy ", 1)[1].split("%")[0])
    assert acc >= 97.0, out[-500:]


def _functional_loss(logits, y):
    import wengert.numpy as wnp
    from wengert.scipy.special import logsumexp
    picked = wnp.take_along_axis(logits, y[:, None], axis=1)[:, 0]
    return wnp.mean(logsumexp(logits, axis=1) - picked)


def _relu(x):
    import wengert.numpy as wnp
    from wengert.core.trace import unbox_all
    return wnp.where(unbox_all(x) > 0, x, 0.0)


def test_digits_models_gradients_match_the_functional_api():
    """One batch through each example's model with .backward(), against wg.grad of the
    same computation written with wengert.numpy on the same weights."""
    import numpy as np

    import wengert as wg
    import wengert.numpy as wnp
    from wengert.rules.conv import conv2d, max_pool2d

    mlp_mod = _digits_module("digits_mlp")
    cnn_mod = _digits_module("digits_cnn")
    x_train, y_train, _, _ = _digits_module("_digits").load()
    xb, yb = x_train[:32].astype(np.float64), y_train[:32]

    wg.manual_seed(0)
    mlp = mlp_mod.make_model().to(wg.float64)
    wg.nn.CrossEntropyLoss()(mlp(wg.from_numpy(xb)), wg.from_numpy(yb)).backward()
    params = [p.detach().numpy() for p in mlp.parameters()]

    def mlp_loss(ps):
        h = xb.reshape(32, 64)
        for k in range(0, 4, 2):
            h = _relu(h @ ps[k].T + ps[k + 1])
        return _functional_loss(h @ ps[4].T + ps[5], yb)

    for g_tensor, g_fun in zip([p.grad.numpy() for p in mlp.parameters()],
                               wg.grad(mlp_loss)(params)):
        np.testing.assert_allclose(g_tensor, g_fun, rtol=1e-10, atol=1e-12)

    wg.manual_seed(0)
    cnn = cnn_mod.DigitsCNN().to(wg.float64)
    wg.nn.CrossEntropyLoss()(cnn(wg.from_numpy(xb)), wg.from_numpy(yb)).backward()
    named = {n: p.detach().numpy() for n, p in cnn.named_parameters()}

    def cnn_loss(ps):
        h = xb[:, None]
        h = max_pool2d(_relu(conv2d(h, ps["conv1.weight"], ps["conv1.bias"], padding=1)), 2)
        h = max_pool2d(_relu(conv2d(h, ps["conv2.weight"], ps["conv2.bias"], padding=1)), 2)
        h = wnp.reshape(h, (32, -1))
        h = _relu(h @ ps["head.1.weight"].T + ps["head.1.bias"])
        return _functional_loss(h @ ps["head.3.weight"].T + ps["head.3.bias"], yb)

    g_fun = wg.grad(cnn_loss)(named)
    for n, p in cnn.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), g_fun[n], rtol=1e-10, atol=1e-12,
                                   err_msg=n)
