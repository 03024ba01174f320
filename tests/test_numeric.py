"""The numeric route (wengert.tools.numeric): difference quotients against AD.

On f(x) = exp(x) sin(x) at x = 1 the error curve must show the textbook shape:
truncation error with slope 1 (one-sided) or 2 (central) at large steps, round-off
error with slope -1 at tiny steps, and the complex step exact to rounding."""

import math

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
from wengert.tools import numeric


def expsin(x):
    return wnp.exp(x) * wnp.sin(x)


def seeds_example(x1, x2):
    return wnp.log(x1) + x1 * x2 - wnp.sin(x2)


@pytest.fixture(scope="module")
def curve():
    return numeric.error_curve(expsin, 1.0, methods=numeric.METHODS)


# ---------------------------------------------------------------- error_curve

def test_exact_is_the_ad_derivative(curve):
    assert curve.exact == pytest.approx(math.exp(1.0) * (math.sin(1.0) + math.cos(1.0)),
                                        rel=1e-15)
    assert curve.hs[0] == pytest.approx(1e-16) and curve.hs[-1] == pytest.approx(1e-1)


def test_central_truncation_slope_is_2(curve):
    assert 1.7 <= curve.slope("central", 1e-3, 1e-1) <= 2.3


def test_central_roundoff_slope_is_minus_1(curve):
    assert -1.5 <= curve.slope("central", 1e-15, 1e-11) <= -0.5


@pytest.mark.parametrize("method", ["forward", "backward"])
def test_one_sided_slopes(curve, method):
    assert 0.8 <= curve.slope(method, 1e-3, 1e-1) <= 1.2
    assert -1.5 <= curve.slope(method, 1e-15, 1e-11) <= -0.5


def test_automatic_slopes(curve):
    s = curve.slopes()
    assert s["forward"]["truncation"] == pytest.approx(1.0, abs=0.2)
    assert s["central"]["truncation"] == pytest.approx(2.0, abs=0.2)
    assert s["complex"]["truncation"] == pytest.approx(2.0, abs=0.2)
    assert s["forward"]["roundoff"] == pytest.approx(-1.0, abs=0.3)
    assert s["central"]["roundoff"] == pytest.approx(-1.0, abs=0.3)
    assert math.isnan(s["complex"]["roundoff"])  # nothing is subtracted: no round-off


def test_best_steps_balance_the_two_errors(curve):
    eps = np.finfo(float).eps
    # theory: h* ~ sqrt(eps) (1e-8) one-sided, ~ cbrt(eps) (6e-6) central
    assert 1e-9 <= curve.best_step["forward"] <= 1e-7
    assert 1e-7 <= curve.best_step["central"] <= 1e-4
    assert curve.best_error["forward"] < 1e-6
    assert curve.best_error["central"] < 1e-9
    assert curve.best_error["central"] < curve.best_error["forward"]
    assert curve.best_error["complex"] <= 4 * eps


def test_complex_step_is_exact_at_small_steps(curve):
    small = curve.hs <= 1e-7
    assert small.sum() > 30
    assert np.all(curve.errors["complex"][small] < 1e-14)


def test_error_curve_on_the_seeds_swell_example():
    c = numeric.error_curve(lambda a: 16 * a * (1 - a) * (1 - 2 * a) ** 2, 0.3)
    assert c.exact == pytest.approx(-4.352, rel=1e-14)
    assert 1.7 <= c.slope("central", 1e-3, 1e-1) <= 2.3
    assert np.all(c.errors["complex"][c.hs <= 1e-8] < 1e-14)  # f''' is larger here


def test_error_curve_along_a_direction():
    x = np.array([0.5, 1.0, 2.0])
    v = np.array([1.0, 0.0, -1.0])
    c = numeric.error_curve(lambda x: wnp.sum(expsin(x)), x, direction=v)
    d = np.exp(x) * (np.sin(x) + np.cos(x))
    assert c.exact == pytest.approx(d @ v, rel=1e-14)
    assert 1.7 <= c.slope("central", 1e-3, 1e-1) <= 2.3
    default = numeric.error_curve(lambda x: wnp.sum(expsin(x)), x)
    assert np.linalg.norm(default.direction) == pytest.approx(1.0)


def test_table_and_repr(curve):
    text = str(curve.table())
    assert "forward" in text and "central" in text and "complex" in text
    assert "best h" in text and "slope (truncation)" in text
    assert len(text.splitlines()) < 30
    assert len(str(curve.table(rows=None)).splitlines()) > 61
    html = curve.table()._repr_html_()
    assert html.count("<table") == 2 and "slope (truncation)" in html
    assert "ErrorCurve" in repr(curve)


def test_error_curve_errors():
    with pytest.raises(ValueError, match="unknown method 'fwd'.*'central'"):
        numeric.error_curve(expsin, 1.0, methods=("fwd",))
    with pytest.raises(ValueError, match="positive"):
        numeric.error_curve(expsin, 1.0, hs=[1e-3, 0.0])
    with pytest.raises(ValueError, match="direction has shape"):
        numeric.error_curve(lambda x: wnp.sum(x), np.ones(3), direction=np.ones(2))
    with pytest.raises(ValueError, match="no method 'backward'"):
        numeric.error_curve(expsin, 1.0).slope("backward")


def test_plot_saves_a_png(curve, tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "error_curve.png"
    fig = curve.plot(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(fig.axes) == 1


def test_plot_without_matplotlib_names_the_extra(curve, monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("No module named 'matplotlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(ImportError, match=r"wengert\[plot\]"):
        curve.plot()


# ---------------------------------------------------------------- grad

@pytest.mark.parametrize("method,tol", [("forward", 1e-6), ("backward", 1e-6),
                                        ("central", 1e-9), ("complex", 1e-15)])
def test_grad_on_the_seeds_example(method, tol):
    g = numeric.grad(seeds_example, 2.0, 5.0, method=method, argnums=(0, 1))
    assert isinstance(g, tuple) and all(isinstance(c, float) for c in g)
    assert g == pytest.approx((5.5, 1.7163378145367738), abs=tol)


@pytest.mark.parametrize("method", numeric.METHODS)
def test_grad_agrees_with_ad_on_arrays(method):
    rng = np.random.default_rng(0)
    W, b, u = rng.standard_normal((2, 3)), rng.standard_normal(2), rng.standard_normal(3)

    def loss(W, b):
        return wnp.sum(wnp.tanh(W @ u + b) ** 2) + wnp.sum(wnp.exp(0.1 * W))

    num = numeric.grad(loss, W, b, method=method, argnums=(0, 1))
    ad = wg.grad(loss, argnums=(0, 1))(W, b)
    for n, a in zip(num, ad):
        assert isinstance(n, np.ndarray) and n.shape == a.shape
        np.testing.assert_allclose(n, a, atol=1e-6 if method != "central" else 1e-8)


def test_grad_keeps_the_structure():
    g = numeric.grad(lambda p: wnp.sum(p["w"] ** 2) * p["s"],
                     {"w": np.array([1.0, 2.0]), "s": 3.0})
    assert set(g) == {"w", "s"} and isinstance(g["s"], float)
    np.testing.assert_allclose(g["w"], [6.0, 12.0], rtol=1e-9)
    assert g["s"] == pytest.approx(5.0)
    assert isinstance(numeric.grad(lambda x: x * x, 3), float)  # an int is read as 3.0
    assert numeric.grad(lambda x: x * x, 3) == pytest.approx(6.0)
    g2 = numeric.grad(lambda x, y: x * y, 2.0, 3.0, argnums=-1)
    assert g2 == pytest.approx(2.0)


def test_grad_with_a_given_step():
    # forward difference of x^2 at 1 with h = 0.1: (1.21 - 1) / 0.1 = 2.1 (error = h)
    assert numeric.grad(lambda x: x * x, 1.0, method="forward", h=0.1) == pytest.approx(2.1)
    assert numeric.grad(lambda x: x * x, 1.0, method="backward", h=0.1) == pytest.approx(1.9)
    assert numeric.grad(lambda x: x ** 3, 1.0, method="central", h=0.1) == pytest.approx(3.01)


def test_default_steps():
    eps = np.finfo(float).eps
    assert numeric.default_step("forward", 1.0) == pytest.approx(math.sqrt(eps))
    assert numeric.default_step("central", 100.0) == pytest.approx(100 * eps ** (1 / 3))
    assert numeric.default_step("complex", 1e5) == 1e-20
    np.testing.assert_allclose(numeric.default_step("backward", np.array([0.5, -4.0])),
                               math.sqrt(eps) * np.array([1.0, 4.0]))


def test_grad_errors_are_clear():
    with pytest.raises(ValueError, match="unknown method 'centre'; the allowed methods are "
                                         "'forward', 'backward', 'central', 'complex'"):
        numeric.grad(expsin, 1.0, method="centre")
    for bad in (0, 0.0, -1e-3, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="step h must be positive"):
            numeric.grad(expsin, 1.0, h=bad)
    with pytest.raises(TypeError, match="step h must be a positive real number"):
        numeric.grad(expsin, 1.0, h="small")
    with pytest.raises(ValueError, match=r"must return a scalar, got .* shape \(3,\)"):
        numeric.grad(lambda x: x * np.ones(3), 1.0)
    with pytest.raises(TypeError, match="must return a scalar number, got str"):
        numeric.grad(lambda x: "one", 1.0)
    with pytest.raises(ValueError, match="argnums 2 is out of range"):
        numeric.grad(expsin, 1.0, argnums=2)
    with pytest.raises(TypeError, match="real numbers or arrays"):
        numeric.grad(lambda z: z * z, 1 + 2j)
    with pytest.raises(TypeError, match="returned the complex value"):
        numeric.grad(lambda x: x * 1j, 1.0)


def test_complex_step_refuses_functions_that_drop_the_imaginary_part():
    with pytest.raises(TypeError, match="imaginary part was dropped.*method='central'"):
        numeric.grad(lambda x: abs(x) ** 2, 1.0, method="complex")
    with pytest.raises(TypeError, match="failed on a complex input"):
        numeric.grad(lambda x: math.sin(x), 1.0, method="complex")
    assert numeric.grad(lambda x: math.sin(x), 1.0) == pytest.approx(math.cos(1.0))


def test_wengert_numpy_accepts_complex_input():
    # the complex step rests on this: scalar fast paths must hand complex to numpy
    for f in (wnp.exp, wnp.log, wnp.sin, wnp.cos, wnp.tan, wnp.sqrt, wnp.tanh, wnp.sinh,
              wnp.cosh, wnp.arctan):
        d = numeric.grad(f, 0.7, method="complex")
        assert d == pytest.approx(wg.grad(f)(0.7), rel=1e-14), f.__name__


def test_complex_step_refuses_a_function_that_is_not_analytic():
    fun = lambda x: wnp.abs(x) * x  # noqa: E731
    # abs(z) of a complex z is real: Im f(x + ih) / h would silently be |x| (2.0), not 4.0
    with pytest.raises(ValueError, match="not complex-analytic"):
        numeric.grad(fun, 2.0, method="complex")
    assert numeric.grad(fun, 2.0) == pytest.approx(4.0, rel=1e-8)


def test_complex_step_checks_tiny_derivatives_relatively():
    # (-x)**1001 at 0.5: analytic, but the complex power loses the step (1001 pi);
    # the derivative, -1001 * 0.5**1000 ~ -9e-299, is tiny, and the check must still
    # see that the complex step's answer is wrong instead of passing it on
    with pytest.raises(ValueError, match="loses the step"):
        numeric.grad(lambda x: (-x) ** 1001, 0.5, method="complex")
    # a derivative that is 0 exactly, where central differences carry truncation error
    assert numeric.grad(lambda x: x ** 3, 0.0, method="complex") == pytest.approx(0.0, abs=1e-30)
