"""Implicit differentiation (wengert.implicit): fixed_point, root and custom_root.

Truths: closed forms (the square root by Heron's/Newton's iteration, a linear
system's solution), differentiation unrolled through many iterations, central
differences (check_grads), HIPS autograd's fixed_point, and the memory of a
backward pass that must not grow with the number of iterations."""

import tracemalloc

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
from wengert.implicit import ConvergenceError, custom_root, fixed_point, root



def rng(seed=0):
    # a fixed stream per use: the values do not depend on which tests ran before
    return np.random.default_rng(seed)


def heron(a, x):
    """Newton's iteration for x**2 = a: its fixed point is sqrt(a)."""
    return 0.5 * (x + a / x)


def newton(fun, x):
    """Newton's method on plain values (the derivative by wengert, not recorded)."""
    for _ in range(100):
        J = wg.jacobian(fun)(x)
        step = fun(x) / J if np.ndim(x) == 0 else np.linalg.solve(J, fun(x))
        x = x - step
        if np.max(np.abs(step)) <= 1e-15 * max(1.0, np.max(np.abs(x))):
            break
    return x


def sqrt_fp(a, **kw):
    return fixed_point(heron, a, np.ones_like(a) if np.ndim(a) else 1.0, **kw)


def sqrt_root(a):
    return root(lambda a, x: x * x - a, a, np.ones_like(a) if np.ndim(a) else 1.0, newton)


SQRTS = {"fixed_point": sqrt_fp, "root": sqrt_root}


# ---------------------------------------------------------------- the square root

@pytest.mark.parametrize("name", SQRTS)
def test_sqrt_scalar_value_and_derivatives_match_the_closed_form(name):
    s, a = SQRTS[name], 2.0
    assert s(a) == pytest.approx(np.sqrt(a), abs=1e-15)
    assert isinstance(s(a), float)
    d1 = 0.5 * a ** -0.5
    assert wg.grad(s)(a) == pytest.approx(d1, rel=1e-14)
    assert isinstance(wg.grad(s)(a), float)
    assert wg.jvp(s, (a,), (1.0,))[1] == pytest.approx(d1, rel=1e-14)
    d2 = -0.25 * a ** -1.5  # d2/da2 sqrt(a)
    assert wg.grad(wg.grad(s))(a) == pytest.approx(d2, rel=1e-12)
    assert wg.derivative(s, order=2)(a) == pytest.approx(d2, rel=1e-12)
    assert wg.jvp(wg.grad(s), (a,), (1.0,))[1] == pytest.approx(d2, rel=1e-12)
    d3 = 3 / 8 * a ** -2.5
    assert wg.grad(wg.grad(wg.grad(s)))(a) == pytest.approx(d3, rel=1e-12)
    assert wg.derivative(s, order=3)(a) == pytest.approx(d3, rel=1e-12)


@pytest.mark.parametrize("name", SQRTS)
def test_sqrt_elementwise_vector(name):
    s = SQRTS[name]
    a = np.array([0.25, 2.0, 9.0, 1e4])
    np.testing.assert_allclose(s(a), np.sqrt(a), rtol=1e-15)
    d1 = 0.5 * a ** -0.5
    np.testing.assert_allclose(wg.jacfwd(s)(a), np.diag(d1), rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(wg.jacrev(s)(a), np.diag(d1), rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(wg.elementwise_grad(s)(a), d1, rtol=1e-13)
    H = wg.hessian(lambda a: wnp.sum(s(a)))(a)
    np.testing.assert_allclose(H, np.diag(-0.25 * a ** -1.5), rtol=1e-11, atol=1e-16)
    np.testing.assert_allclose(wg.jacrev(wg.jacrev(lambda a: wnp.sum(s(a))))(a), H,
                               rtol=1e-11, atol=1e-16)


@pytest.mark.parametrize("linear_solve", ["dense", "iterate"])
def test_each_linear_solve_gives_the_closed_form_to_second_order(linear_solve):
    a = np.array([1.0, 2.0, 9.0])
    s = lambda a: sqrt_fp(a, linear_solve=linear_solve)  # noqa: E731
    np.testing.assert_allclose(wg.elementwise_grad(s)(a), 0.5 * a ** -0.5, rtol=1e-12)
    H = wg.hessian(lambda a: wnp.sum(s(a)))(a)
    np.testing.assert_allclose(np.diag(H), -0.25 * a ** -1.5, rtol=1e-10)
    np.testing.assert_allclose(wg.derivative(lambda a: sqrt_fp(a, linear_solve=linear_solve),
                                             order=2)(a), -0.25 * a ** -1.5, rtol=1e-10)


def test_check_grads_on_fixed_point_and_root():
    a = np.array([0.5, 2.0, 3.0])
    wg.check_grads(sqrt_fp, modes=("fwd", "rev"), order=2)(a)
    wg.check_grads(sqrt_root, modes=("fwd", "rev"), order=2)(a)
    f = lambda p, x: wnp.tanh(p["W"] @ x + p["b"])  # noqa: E731
    r = rng(1)
    p = {"W": 0.3 * r.standard_normal((3, 3)), "b": r.standard_normal(3)}
    wg.check_grads(lambda W, b: fixed_point(f, {"W": W, "b": b}, np.zeros(3)),
                   modes=("fwd", "rev"), order=2)(p["W"], p["b"])


def test_custom_root_is_root_with_its_solver_fixed():
    sqrt = custom_root(lambda a, x: x * x - a, newton)
    assert sqrt(4.0, 1.0) == pytest.approx(2.0)
    assert wg.grad(lambda a: sqrt(a, 1.0))(4.0) == pytest.approx(0.25, rel=1e-14)
    assert wg.grad(wg.grad(lambda a: sqrt(a, 1.0)))(4.0) == pytest.approx(
        -0.25 * 4.0 ** -1.5, rel=1e-12)


# ---------------------------------------------------------------- a linear system

def _linear_case():
    r = rng(2)
    A = 0.5 * r.standard_normal((4, 4)) + 4 * np.eye(4)
    assert np.max(np.abs(np.linalg.eigvals(np.eye(4) - A / np.diag(A)[:, None]))) < 0.5
    b = r.standard_normal(4)
    c = r.standard_normal(4)
    return A, b, c


def _newton_step(fun, x0):
    # F linear in x: one Newton step from anywhere is the solution
    return x0 - np.linalg.solve(wg.jacobian(fun)(x0), fun(x0))


def _jacobi(p, x):
    # x = D^-1 (b - (A - D) x): a contraction for a diagonally dominant A
    A, b = p
    d = wnp.diagonal(A)
    return (b - A @ x + d * x) / d


SOLVES = {
    "root": lambda A, b: root(lambda p, x: p[0] @ x - p[1], (A, b), np.zeros(4),
                              _newton_step),
    "root, own linear_solve": lambda A, b: root(
        lambda p, x: p[0] @ x - p[1], (A, b), np.zeros(4), _newton_step,
        linear_solve=lambda mv, r: np.linalg.solve(
            np.stack([mv(e) for e in np.eye(4)], axis=1), r)),
    "fixed_point (Jacobi)": lambda A, b: fixed_point(_jacobi, (A, b), np.zeros(4)),
    "fixed_point (Jacobi), iterate": lambda A, b: fixed_point(_jacobi, (A, b), np.zeros(4),
                                                              linear_solve="iterate"),
}


@pytest.mark.parametrize("name", SOLVES)
def test_linear_system_gradients_match_the_closed_form(name):
    # L = c . A^-1 b:  b_bar = A^-T c,  A_bar = -b_bar x^T
    A, b, c = _linear_case()
    solve = SOLVES[name]
    x = np.linalg.solve(A, b)
    np.testing.assert_allclose(solve(A, b), x, rtol=1e-10)
    gA, gb = wg.grad(lambda A, b: wnp.dot(c, solve(A, b)), argnums=(0, 1))(A, b)
    b_bar = np.linalg.solve(A.T, c)
    np.testing.assert_allclose(gb, b_bar, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(gA, -np.outer(b_bar, x), rtol=1e-9, atol=1e-12)
    # forward mode: dx = A^-1 (db - dA x)
    dA, db = rng(3).standard_normal((4, 4)), rng(4).standard_normal(4)
    _, dx = wg.jvp(solve, (A, b), (dA, db))
    np.testing.assert_allclose(dx, np.linalg.solve(A, db - dA @ x), rtol=1e-9, atol=1e-12)


def test_linear_system_second_derivative_in_the_matrix():
    # d2/ds2 of c . (A + s E)^-1 b at s = 0 is 2 c . A^-1 E A^-1 E A^-1 b
    A, b, c = _linear_case()
    E = rng(5).standard_normal((4, 4))
    for name in ("root", "fixed_point (Jacobi)"):
        solve = SOLVES[name]
        d2 = wg.derivative(lambda s: wnp.dot(c, solve(A + s * E, b)), order=2)(0.0)
        Ai = np.linalg.inv(A)
        assert d2 == pytest.approx(2 * c @ Ai @ E @ Ai @ E @ Ai @ b, rel=1e-8), name


# ---------------------------------------------------------------- against unrolling

def _contraction():
    r = rng(6)
    W = r.standard_normal((5, 5))
    W *= 0.6 / np.linalg.norm(W, 2)          # |tanh'| <= 1: a contraction, factor 0.6
    return W, r.standard_normal(5)


def _map(p, x):
    return wnp.tanh(p["W"] @ x + p["b"])


def _unrolled(p, x0, n=120):
    x = x0
    for _ in range(n):
        x = _map(p, x)
    return x


def _loss(x):
    return wnp.sum(wnp.sin(x) * wnp.arange(1.0, 6.0))


def test_fixed_point_gradient_matches_unrolled_differentiation():
    W, b = _contraction()
    x0 = np.zeros(5)
    implicit = wg.grad(lambda W, b: _loss(fixed_point(_map, {"W": W, "b": b}, x0)),
                       argnums=(0, 1))(W, b)
    unrolled = wg.grad(lambda W, b: _loss(_unrolled({"W": W, "b": b}, x0)),
                       argnums=(0, 1))(W, b)
    for got, want in zip(implicit, unrolled):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-8)
    # and the Hessian in b, forward over reverse
    H = wg.hessian(lambda b: _loss(fixed_point(_map, {"W": W, "b": b}, x0)))(b)
    H_unrolled = wg.hessian(lambda b: _loss(_unrolled({"W": W, "b": b}, x0)))(b)
    np.testing.assert_allclose(H, H_unrolled, rtol=0, atol=1e-8)


def test_forward_and_reverse_agree_on_a_pytree_solution():
    # x is a pair (u, v) and params a dict with a constant integer leaf
    W, b = _contraction()

    def f(p, x):
        u, v = x
        y = wnp.tanh(p["W"] @ wnp.concatenate([u, v]) + p["b"])
        return (y[:2], y[2:] * p["scale"] / p["n"])

    def solution(W, b, s):
        return fixed_point(f, {"W": W, "b": b, "scale": s, "n": 2},
                           (np.zeros(2), np.zeros(3)))

    u, v = solution(W, b, 1.5)
    assert u.shape == (2,) and v.shape == (3,)
    for k in range(3):
        fwd = wg.jacfwd(solution, argnums=k)(W, b, 1.5)
        rev = wg.jacrev(solution, argnums=k)(W, b, 1.5)
        for got, want in zip(fwd, rev):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
    wg.check_grads(solution, modes=("fwd", "rev"), order=1)(W, b, 1.5)


def test_matches_hips_autograd_fixed_point():
    ag = pytest.importorskip("autograd")
    agnp = pytest.importorskip("autograd.numpy")
    from autograd.misc.fixed_points import fixed_point as ag_fixed_point
    W, b = _contraction()

    def ag_loss(b):
        x = ag_fixed_point(lambda b: lambda x: agnp.tanh(W @ x + b), b, np.zeros(5),
                           lambda x, y: agnp.sqrt(agnp.sum((x - y) ** 2)), 1e-13)
        return agnp.sum(agnp.sin(x) * agnp.arange(1.0, 6.0))

    ours = wg.grad(lambda b: _loss(fixed_point(_map, {"W": W, "b": b}, np.zeros(5))))(b)
    np.testing.assert_allclose(ours, ag.grad(ag_loss)(b), rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------- other options

def test_x0_has_no_derivative():
    assert wg.grad(lambda x0: fixed_point(heron, 2.0, x0))(1.0) == 0.0
    assert wg.grad(lambda x0: sqrt_fp(2.0 + 0.0 * x0))(1.0) == 0.0
    # a traced x0 beside traced params: only the params' derivative
    g = wg.grad(lambda a: fixed_point(heron, a, a))(4.0)
    assert g == pytest.approx(0.25, rel=1e-14)
    _, t = wg.jvp(lambda x0: fixed_point(heron, 2.0, x0), (1.0,), (1.0,))
    assert t == 0.0


def test_a_solver_of_ones_own_replaces_the_iteration():
    calls = []

    def my_solver(g, x):
        calls.append(1)
        for _ in range(60):
            x = g(x)
        return x

    a = np.array([2.0, 5.0])
    s = lambda a: fixed_point(heron, a, np.ones(2), solver=my_solver)  # noqa: E731
    np.testing.assert_allclose(s(a), np.sqrt(a), rtol=1e-15)
    np.testing.assert_allclose(wg.elementwise_grad(s)(a), 0.5 / np.sqrt(a), rtol=1e-13)
    assert calls


def test_a_linear_solve_of_ones_own_gets_matvecs_of_both_systems():
    seen = []

    def richardson(mv, r):
        # y <- y + (r - J y) / d with d the diagonal of J (Jacobi on J = A - I)
        seen.append(len(r))
        y = np.zeros_like(r)
        d = np.array([mv(e)[i] for i, e in enumerate(np.eye(len(r)))])
        for _ in range(200):
            y = y + (r - mv(y)) / d
        return y

    a = np.array([2.0, 5.0, 7.0])
    s = lambda a: fixed_point(heron, a, np.ones(3), linear_solve=richardson)  # noqa: E731
    np.testing.assert_allclose(wg.jacrev(s)(a), np.diag(0.5 / np.sqrt(a)), atol=1e-13)
    np.testing.assert_allclose(wg.jacfwd(s)(a), np.diag(0.5 / np.sqrt(a)), atol=1e-13)
    assert seen and set(seen) == {3}


def test_float32_solution_keeps_its_dtype():
    a = np.array([2.0, 3.0], dtype=np.float32)
    x = fixed_point(heron, a, np.ones(2, dtype=np.float32))
    assert x.dtype == np.float32
    np.testing.assert_allclose(x, np.sqrt(a), rtol=1e-6)
    g = wg.elementwise_grad(lambda a: fixed_point(heron, a, np.ones(2, np.float32)))(a)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, 0.5 / np.sqrt(a), rtol=1e-5)


def test_vmap_solves_each_example():
    a = np.array([1.0, 4.0, 9.0])
    sqrt_fp = lambda a: fixed_point(heron, a, 1.0)  # noqa: E731
    sqrt_root = lambda a: root(lambda a, x: x * x - a, a, 1.0, newton)  # noqa: E731
    np.testing.assert_allclose(wg.vmap(sqrt_fp)(a), [1.0, 2.0, 3.0], rtol=1e-15)
    np.testing.assert_allclose(wg.vmap(wg.grad(sqrt_fp))(a), 0.5 / np.sqrt(a), rtol=1e-13)
    np.testing.assert_allclose(wg.vmap(wg.grad(sqrt_root))(a), 0.5 / np.sqrt(a), rtol=1e-13)
    np.testing.assert_allclose(wg.grad(lambda a: wnp.sum(wg.vmap(sqrt_fp)(a)))(a),
                               0.5 / np.sqrt(a), rtol=1e-13)
    # a batched x0 too, and a batch of linear systems
    x0 = np.array([1.0, 3.0, 5.0])
    np.testing.assert_allclose(wg.vmap(lambda a, x0: fixed_point(heron, a, x0))(a, x0),
                               [1.0, 2.0, 3.0], rtol=1e-15)
    A, b, c = _linear_case()
    bs = rng(7).standard_normal((3, 4))
    per_example = wg.vmap(wg.grad(lambda b: wnp.dot(c, SOLVES["root"](A, b))))(bs)
    np.testing.assert_allclose(per_example, np.tile(np.linalg.solve(A.T, c), (3, 1)),
                               rtol=1e-10)


# ---------------------------------------------------------------- memory

def _peak_bytes(fun, *args):
    tracemalloc.start()
    try:
        fun(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# the adjoint iteration of "iterate" takes as many steps as the solve: fewer for time
@pytest.mark.parametrize("linear_solve, q_many, many_steps",
                         [("dense", 0.998, 10_000), ("iterate", 0.99, 2_000)])
def test_memory_does_not_grow_with_the_number_of_iterations(linear_solve, q_many,
                                                            many_steps):
    # x <- q x + (1 - q) sin(a): a contraction with factor q, so q sets how many
    # iterations the solve takes
    n = 64
    a = rng(8).standard_normal(n)
    counts = {}

    def grad_with(q):
        count = [0]

        def f(a, x):
            count[0] += 1
            return q * x + (1 - q) * wnp.sin(a)

        loss = lambda a: wnp.sum(fixed_point(f, a, np.zeros(n), max_iter=50_000,  # noqa: E731
                                             linear_solve=linear_solve) ** 2)
        peak = _peak_bytes(wg.grad(loss), a)
        counts[q] = count[0]
        return peak

    grad_with(0.05)  # one-time costs (imports, caches) outside the measurement
    few, many = grad_with(0.05), min(grad_with(q_many), grad_with(q_many))
    assert counts[0.05] < 40 and counts[q_many] > many_steps, counts
    assert many < 1.25 * few + 20_000, (few, many)

    # the measurement sees a growing tape: 300 unrolled steps against 10
    def unrolled(k):
        def loss(a):
            x = np.zeros(n)
            for _ in range(k):
                x = 0.5 * x + 0.5 * wnp.sin(a)
            return wnp.sum(x ** 2)
        return _peak_bytes(wg.grad(loss), a)

    assert unrolled(300) > 10 * unrolled(10)


# ---------------------------------------------------------------- errors

def test_non_convergence_names_iterations_and_step():
    with pytest.raises(ConvergenceError, match=r"did not converge in 50 iterations.*"
                                               r"last step \(the residual \|f\(x\) - x\|\) was 1,"):
        fixed_point(lambda a, x: a - x, 1.0, 0.0, max_iter=50)   # oscillates 0, 1, 0
    with pytest.raises(ConvergenceError, match="nan or inf at iteration"):
        fixed_point(lambda a, x: x * a, 1e300, 1.0)
    # the derivative's own iteration too: at x = 0.2, |df/dx| = 12 for a = 1
    with pytest.raises(ConvergenceError, match="derivative's linear iteration"):
        wg.grad(lambda a: fixed_point(heron, a, 1.0, linear_solve="iterate",
                                      solver=lambda g, x: 0.2))(1.0)


def test_bad_arguments_are_refused_by_name():
    with pytest.raises(TypeError, match="fixed_point: f must be callable"):
        fixed_point(3.0, 1.0, 1.0)
    with pytest.raises(TypeError, match="root: solve must be callable"):
        root(lambda a, x: x, 1.0, 1.0, "newton")
    with pytest.raises(TypeError, match="root: F must be callable"):
        root(None, 1.0, 1.0, newton)
    with pytest.raises(TypeError, match="fixed_point: solver must be callable"):
        fixed_point(heron, 1.0, 1.0, solver=1)
    with pytest.raises(ValueError, match="linear_solve must be one of 'auto', 'dense'"):
        fixed_point(heron, 1.0, 1.0, linear_solve="lu")
    with pytest.raises(ValueError, match="root: linear_solve must be one of 'dense'"):
        root(lambda a, x: x, 1.0, 1.0, newton, linear_solve="iterate")
    with pytest.raises(ValueError, match="tol must be a positive number"):
        fixed_point(heron, 1.0, 1.0, tol=0.0)
    with pytest.raises(ValueError, match="max_iter must be a positive integer"):
        fixed_point(heron, 1.0, 1.0, max_iter=2.5)
    with pytest.raises(TypeError, match="x0 leaf 0 is complex"):
        fixed_point(heron, 1.0, 1.0 + 0j)
    with pytest.raises(TypeError, match="x0 must hold real float numbers"):
        fixed_point(heron, 1.0, "one")
    with pytest.raises(TypeError, match="params leaf 0 is complex"):
        fixed_point(heron, 1j, 1.0)


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match=r"f returned .* with shapes \[\(2,\)\], but x0 is "
                                         r".* with shapes \[\(3,\)\]"):
        fixed_point(lambda a, x: x[:2], 1.0, np.ones(3))
    with pytest.raises(ValueError, match="f returned tuple"):
        fixed_point(lambda a, x: (x, x), 1.0, np.ones(3))
    with pytest.raises(ValueError, match="solve returned"):
        root(lambda a, x: x - a, 1.0, np.ones(3), lambda fun, x: x[0])
    with pytest.raises(ValueError, match="F returned 2 value.*x has 3"):
        root(lambda a, x: x[:2] - a, 1.0, np.ones(3), lambda fun, x: x)
    with pytest.raises(ValueError, match=r"linear_solve returned shape \(2,\)"):
        wg.grad(lambda a: wnp.sum(fixed_point(heron, a, np.ones(3),
                                              linear_solve=lambda mv, b: b[:2])))(np.ones(3))


def test_a_closure_over_a_traced_value_is_refused():
    def closes_over(c):
        return fixed_point(lambda a, x: 0.5 * x + c, 1.0, 0.0)
    with pytest.raises(TypeError, match="closes over a value being differentiated"):
        wg.grad(closes_over)(1.0)
    with pytest.raises(TypeError, match="closes over a value being differentiated"):
        wg.grad(lambda c: root(lambda a, x: x - c, 1.0, 0.0, newton))(1.0)


def test_a_singular_jacobian_raises_instead_of_a_wrong_derivative():
    # (x - a)^2 = 0 has the double root x = a: dF/dx = 0 there
    double = lambda a: root(lambda a, x: (x - a) ** 2, a, 0.0,  # noqa: E731
                            lambda fun, x: 3.0)
    assert double(3.0) == 3.0
    with pytest.raises(np.linalg.LinAlgError, match="dF/dx at the solution is singular"):
        wg.grad(double)(3.0)
    with pytest.raises(np.linalg.LinAlgError, match="I - df/dx at the solution is singular"):
        wg.grad(lambda a: fixed_point(lambda a, x: x + 0.0 * a, a, 1.0))(1.0)
