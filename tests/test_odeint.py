"""wengert.scipy.integrate.odeint: scipy's odeint on plain values, differentiated by
the adjoint method (reverse) and the sensitivity equations (forward). Values equal
scipy's, derivatives equal closed forms and HIPS autograd's, memory stays flat in the
number of output steps, and scipy missing is a clear ImportError."""

import sys
import tracemalloc

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp

si = pytest.importorskip("scipy.integrate")
wsi = pytest.importorskip("wengert.scipy.integrate")

TOL = dict(rtol=1e-11, atol=1e-11)


def decay(y, t, k):
    return -k * y


def lotka(y, t, p):
    a, b = p["ab"][0], p["ab"][1]
    return wnp.stack([a * y[0] - b * y[0] * y[1], p["c"] * y[0] * y[1] - y[1]])


def forced(y, t, w):
    # explicitly time dependent
    return -y + wnp.sin(w * t)


# ------------------------------------------------------------------ values

def test_values_equal_scipy():
    t = np.linspace(0.0, 2.0, 7)
    y0 = np.array([1.0, 0.5])
    p = {"ab": np.array([1.1, 0.4]), "c": 0.3}
    want = si.odeint(lotka, y0, t, args=(p,), **TOL)
    got = wsi.odeint(lotka, y0, t, args=(p,), **TOL)
    np.testing.assert_array_equal(got, want)
    traced = wg.vjp(lambda y0: wsi.odeint(lotka, y0, t, args=(p,), **TOL), y0)[0]
    np.testing.assert_array_equal(traced, want)
    # tfirst, full_output and a scalar y0 as scipy takes them
    got = wsi.odeint(lambda t, y, k: -k * y, 2.0, t, args=(0.7,), tfirst=True)
    np.testing.assert_array_equal(got, si.odeint(lambda t, y, k: -k * y, 2.0, t, args=(0.7,),
                                                 tfirst=True))
    got, info = wsi.odeint(decay, np.ones(2), t, args=(0.7,), full_output=True)
    want, winfo = si.odeint(decay, np.ones(2), t, args=(0.7,), full_output=True)
    np.testing.assert_array_equal(got, want)
    assert info.keys() == winfo.keys()


# ------------------------------------------------------------------ closed forms

@pytest.mark.parametrize("mode", ["rev", "fwd"])
def test_decay_closed_form(mode):
    # y' = -k y: y(T) = y0 exp(-k (T - t0))
    y0, k, t0, T = 1.3, 0.7, 0.2, 1.9

    def yT(y0, k, t0, T):
        t = wnp.stack([t0, 0.5 * (t0 + T), T])
        return wsi.odeint(decay, wnp.reshape(y0, (1,)), t, args=(k,), **TOL)[-1, 0]

    e = np.exp(-k * (T - t0))
    assert yT(y0, k, t0, T) == pytest.approx(y0 * e, rel=1e-9)
    want = (e, -(T - t0) * y0 * e, k * y0 * e, -k * y0 * e)
    if mode == "rev":
        got = wg.grad(yT, argnums=(0, 1, 2, 3))(y0, k, t0, T)
    else:
        got = tuple(wg.jvp(lambda *a: yT(*a), (y0, k, t0, T),
                           tuple(float(i == j) for j in range(4)))[1] for i in range(4))
    np.testing.assert_allclose(got, want, rtol=1e-8)


def test_decay_gradient_at_every_output():
    # the cotangent of every row: sum_i y(t_i) = y0 sum_i exp(-k t_i)
    t = np.linspace(0.0, 3.0, 11)
    y0, k = np.array([2.0, -1.0]), 0.4
    gy0, gk, gt = wg.grad(lambda y0, k, t: wnp.sum(wsi.odeint(decay, y0, t, args=(k,), **TOL)),
                          argnums=(0, 1, 2))(y0, k, t)
    e = np.exp(-k * t)
    np.testing.assert_allclose(gy0, np.full(2, e.sum()), rtol=1e-8)
    np.testing.assert_allclose(gk, np.sum(-t * e) * y0.sum(), rtol=1e-8)
    want_t = -k * e * y0.sum()
    want_t[0] = k * y0.sum() * np.sum(e[1:])  # moving t0 moves every later output
    np.testing.assert_allclose(gt, want_t, rtol=1e-7, atol=1e-10)


def test_time_dependent_system_matches_finite_differences():
    t = np.array([0.0, 0.4, 1.3, 2.0])
    f = lambda y0, t, w: wnp.sum(wsi.odeint(forced, y0, t, args=(w,), **TOL) ** 2)  # noqa: E731
    wg.check_grads(f, modes=("fwd", "rev"), order=1, eps=1e-5, rtol=1e-5)(
        np.array([0.3, -0.2]), t, 1.7)


def test_pytree_args_gradients():
    t = np.linspace(0.0, 1.5, 5)
    y0 = np.array([1.0, 0.5])
    p = {"ab": np.array([1.1, 0.4]), "c": 0.3}

    def loss(y0, p):
        return wnp.sum(wsi.odeint(lotka, y0, t, args=(p,), **TOL)[-1] ** 2)

    g_y0, g_p = wg.grad(loss, argnums=(0, 1))(y0, p)
    assert set(g_p) == {"ab", "c"} and np.shape(g_p["ab"]) == (2,)
    wg.check_grads(loss, modes=("fwd", "rev"), order=1, eps=1e-5, rtol=1e-5)(y0, p)


def test_second_order():
    t = np.array([0.0, 0.5, 1.0])
    y0, k = np.array([1.0, 2.0]), 0.6
    wg.check_grads(lambda y0, k: wsi.odeint(decay, y0, t, args=(k,), **TOL),
                   modes=("fwd", "rev"), order=2, eps=1e-4, rtol=1e-4, atol=1e-6)(y0, k)
    # d2/dk2 y(T) = T^2 y0 exp(-k T)
    h = wg.grad(wg.grad(lambda k: wsi.odeint(decay, np.ones(1), t, args=(k,), **TOL)[-1, 0]))(k)
    assert h == pytest.approx(np.exp(-k), rel=1e-6)
    h = wg.derivative(lambda k: wsi.odeint(decay, np.ones(1), t, args=(k,), **TOL)[-1, 0],
                      order=2)(k)
    assert h == pytest.approx(np.exp(-k), rel=1e-6)


def test_matches_autograd():
    ag = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    aint = pytest.importorskip("autograd.scipy.integrate")
    from autograd.builtins import tuple as ag_tuple  # autograd traces into its own tuple
    t = np.linspace(0.0, 1.5, 6)
    y0, p = np.array([1.0, 0.5]), np.array([1.1, 0.4, 0.3])

    def f_ag(y, t, p):
        return anp.array([p[0] * y[0] - p[1] * y[0] * y[1], p[2] * y[0] * y[1] - y[1]])

    def f_wg(y, t, p):
        return wnp.stack([p[0] * y[0] - p[1] * y[0] * y[1], p[2] * y[0] * y[1] - y[1]])

    w = np.arange(12.0).reshape(6, 2)
    want = ag.grad(lambda y0, t, p: anp.sum(w * aint.odeint(f_ag, y0, t, ag_tuple((p,)), **TOL)),
                   (0, 1, 2))(y0, t, p)
    got = wg.grad(lambda y0, t, p: wnp.sum(w * wsi.odeint(f_wg, y0, t, (p,), **TOL)),
                  argnums=(0, 1, 2))(y0, t, p)
    for g, a in zip(got, want):
        np.testing.assert_allclose(g, a, rtol=1e-6, atol=1e-8)


# ------------------------------------------------------------------ memory

def _peak(fun, *args):
    tracemalloc.start()
    try:
        fun(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow  # tracemalloc slows the 1000 adjoint solves down about tenfold
def test_memory_is_flat_in_the_number_of_steps():
    y0, k = np.ones(4), 0.5

    def through_odeint(n):
        t = np.linspace(0.0, 1.0, n)
        return wg.grad(lambda k: wnp.sum(wsi.odeint(decay, y0, t, args=(k,))[-1]))

    def unrolled(n):  # the same steps taken by forward Euler, taped one by one
        def f(k):
            y, h = y0, 1.0 / (n - 1)
            for _ in range(n - 1):
                y = y + h * decay(y, 0.0, k)
            return wnp.sum(y)
        return wg.grad(f)

    through_odeint(10)(k), unrolled(10)(k)  # warm caches and imports
    ode = {n: _peak(through_odeint(n), k) for n in (10, 1000)}
    tape = {n: _peak(unrolled(n), k) for n in (10, 1000)}
    ode_growth, tape_growth = ode[1000] - ode[10], tape[1000] - tape[10]
    # what grows is per output time (y, its cotangent, dL/dt, scipy's own record),
    # a few hundred bytes each; an unrolled solver's tape grows ten times faster
    assert ode_growth < 300 * 1000, (ode, tape)
    assert ode_growth < tape_growth / 5, (ode, tape)


# ------------------------------------------------------------------ errors

def test_closure_over_a_traced_value_is_refused():
    def loss(k):
        return wnp.sum(wsi.odeint(lambda y, t: -k * y, np.ones(1), np.array([0.0, 1.0])))
    with pytest.raises(TypeError, match="odeint.*args="):
        wg.grad(loss)(0.5)


def test_without_scipy(monkeypatch):
    for mod in [m for m in sys.modules if m == "scipy" or m.startswith("scipy.")]:
        monkeypatch.delitem(sys.modules, mod)
    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.setitem(sys.modules, "scipy.integrate", None)
    with pytest.raises(ImportError, match=r"odeint needs scipy.*pip install 'wengert\[scipy\]'"):
        wsi.odeint(decay, np.ones(1), np.array([0.0, 1.0]), args=(1.0,))
