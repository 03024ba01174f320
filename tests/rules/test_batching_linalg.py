"""vmap of the linear algebra, signal, fft, convolution and arithmetic families against
numpy/scipy run example by example: the batching rules (batch axis in front, axis
parameters shifted, a shared operand broadcast or turned into columns), constants
computed per example (pivots, ranks, masks, signs) and derivatives taken under vmap.
Each check batches on the first axis, on the last (negative in_axes), with one
argument shared, and nested once."""

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
from wengert.core.batching import looped
from wengert.rules import conv

rng = np.random.default_rng(7)
B = 3


def _close(got, want, rtol=1e-10, atol=1e-12):
    want = np.asarray(want) if isinstance(want, list) else want
    got_leaves, want_leaves = wg.tree_leaves(got), wg.tree_leaves(want)
    assert len(got_leaves) == len(want_leaves)
    for g, w in zip(got_leaves, want_leaves):
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=rtol, atol=atol)


def _stack(outs):
    return wg.tree_map(lambda *xs: np.stack([np.asarray(x) for x in xs]), *outs) \
        if isinstance(outs[0], tuple) else np.stack([np.asarray(o) for o in outs])


def check(fun, *args, truth=None, rtol=1e-10, atol=1e-12):
    """fun under vmap (first axis, last axis, each argument shared in turn, nested)
    against ``truth`` (default ``fun``) on each example."""
    truth = fun if truth is None else truth
    batch = [np.stack([a * (1.0 + 0.05 * k) for k in range(B)]) for a in args]

    def loop(axes, xs):
        return _stack([truth(*[x if ax is None else np.take(x, k, axis=ax)
                               for x, ax in zip(xs, axes)]) for k in range(B)])

    _close(wg.vmap(fun)(*batch), loop([0] * len(args), batch), rtol, atol)
    last = [np.moveaxis(b, 0, -1) for b in batch]
    _close(wg.vmap(fun, in_axes=-1)(*last), loop([-1] * len(args), last), rtol, atol)
    for k in range(len(args)):
        if len(args) == 1:
            break
        xs = list(batch)
        xs[k] = np.asarray(args[k])
        axes = tuple(None if j == k else 0 for j in range(len(args)))
        _close(wg.vmap(fun, in_axes=axes)(*xs), loop(axes, xs), rtol, atol)
    outer = [np.stack([b * (1.0 + 0.01 * j) for j in range(2)]) for b in batch]
    want = np.stack([loop([0] * len(args), [o[j] for o in outer]) for j in range(2)]) \
        if not isinstance(truth(*args), tuple) else None
    got = wg.vmap(wg.vmap(fun))(*outer)
    if want is not None:
        _close(got, want, rtol, atol)


def spd(n):
    a = rng.standard_normal((n, n))
    return a @ a.T + n * np.eye(n)


# ---------------------------------------------------------------- no loops

def test_these_families_batch_without_a_per_example_loop():
    names = set(looped())
    for name in ["cholesky", "conv2d", "conv2d_input_grad", "conv2d_weight_grad", "det",
                 "dot", "eig", "eigh", "eigvals", "eigvalsh", "einsum", "expm", "fftn",
                 "fftshift", "ifftn", "ifftshift", "inv", "irfft", "lu_factor", "qr",
                 "rfft", "signal_convolve", "slogdet", "solve", "solve_banded",
                 "solve_sylvester", "solve_triangular", "sqrtm", "svd", "svdvals",
                 "tensordot", "convolve"]:
        assert name not in names, name


# ---------------------------------------------------------------- products

@pytest.mark.parametrize("axes,shapes", [(1, [(2, 3, 4), (4, 5)]),
                                         (2, [(2, 3, 4), (3, 4, 2)]),
                                         (((0, 2), (1, 0)), [(2, 3, 4), (4, 2, 5)]),
                                         (0, [(2, 3), (4,)])])
def test_tensordot(axes, shapes):
    x, y = (rng.standard_normal(s) for s in shapes)
    check(lambda a, b: wnp.tensordot(a, b, axes), x, y,
          truth=lambda a, b: np.tensordot(a, b, axes))


@pytest.mark.parametrize("shapes", [((), (3,)), ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)),
                                    ((2, 3, 4), (4,)), ((2, 3), (4, 3, 2))])
def test_dot(shapes):
    x = rng.standard_normal(shapes[0])
    y = rng.standard_normal(shapes[1])
    check(wnp.dot, x, y, truth=np.dot)


def test_dot_and_vdot_of_real_and_complex():
    x = rng.standard_normal((2, 3))
    z = rng.standard_normal((3, 2)) + 1j * rng.standard_normal((3, 2))
    check(wnp.dot, x, z, truth=np.dot)
    check(wnp.vdot, x, z.T, truth=np.vdot)
    check(wnp.vdot, z.T, x, truth=np.vdot)


@pytest.mark.parametrize("spec,shapes", [("ij,jk->ik", [(2, 3), (3, 4)]),
                                         ("ii->", [(3, 3)]),
                                         ("i,i", [(3,), (3,)]),
                                         ("...ij,...j->...i", [(2, 3, 4), (4,)])])
def test_einsum(spec, shapes):
    args = [rng.standard_normal(s) for s in shapes]
    check(lambda *a: wnp.einsum(spec, *a), *args, truth=lambda *a: np.einsum(spec, *a))


def test_matmul_of_a_complex_matrix_and_a_real_vector():
    a = rng.standard_normal((3, 3)) + 1j * rng.standard_normal((3, 3))
    check(wnp.matmul, a, rng.standard_normal(3), truth=np.matmul)


# ---------------------------------------------------------------- numpy.linalg

@pytest.mark.parametrize("name", ["inv", "det", "cholesky", "eigvalsh", "svdvals",
                                  "eigvals", "slogdet", "qr", "svd", "eigh", "eig"])
def test_stacked_decompositions(name):
    a = spd(3)
    wfun, nfun = getattr(wnp.linalg, name), getattr(np.linalg, name)
    if name == "svd":
        check(lambda m: wnp.linalg.svd(m, full_matrices=False)[1], a,
              truth=lambda m: np.linalg.svd(m)[1])
        return
    if name in ("eigh", "qr"):  # factors up to sign: compare what is invariant
        check(lambda m: wfun(m)[0] if name == "eigh" else wnp.abs(wfun(m)[1]), a,
              truth=lambda m: nfun(m)[0] if name == "eigh" else np.abs(nfun(m)[1]))
        return
    if name == "eig":
        check(lambda m: wnp.sort(wnp.real(wfun(m)[0])), a,
              truth=lambda m: np.sort(np.real(nfun(m)[0])))
        return
    if name == "eigvals":
        check(lambda m: wnp.sort(wnp.real(wfun(m))), a,
              truth=lambda m: np.sort(np.real(nfun(m))))
        return
    check(wfun, a, truth=nfun)


@pytest.mark.parametrize("b_shape", [(3,), (3, 2), (2, 3, 1)])
def test_solve(b_shape):
    check(wnp.linalg.solve, spd(3), rng.standard_normal(b_shape), truth=np.linalg.solve)


def test_solve_with_one_matrix_takes_the_examples_as_columns():
    a, b = spd(3), rng.standard_normal((5, 3, 2))
    got = wg.vmap(wnp.linalg.solve, in_axes=(None, 0))(a, b)
    _close(got, np.stack([np.linalg.solve(a, x) for x in b]))
    g = wg.vmap(wg.grad(lambda a, b: wnp.sum(wnp.sin(wnp.linalg.solve(a, b)))),
                in_axes=(None, 0))(a, b)
    want = np.stack([wg.grad(lambda a, b: wnp.sum(wnp.sin(wnp.linalg.solve(a, b))))(a, x)
                     for x in b])
    _close(g, want)


def test_slogdet_sign_is_each_examples_own():
    a = np.stack([np.diag([1.0, 2.0, 3.0]), np.diag([-1.0, 2.0, 3.0]),
                  np.diag([-1.0, -2.0, 3.0])])
    sign, logdet = wg.vmap(wnp.linalg.slogdet)(a)
    _close(sign, [1.0, -1.0, 1.0])
    _close(logdet, np.log([6.0, 6.0, 6.0]))
    sign = wg.vmap(lambda m: wnp.linalg.slogdet(m)[0], in_axes=-1)(np.moveaxis(a, 0, -1))
    _close(sign, [1.0, -1.0, 1.0])


def test_pinv_drops_each_examples_own_small_values():
    a = np.stack([np.diag([1.0, 1e-20]), np.diag([1.0, 0.5]), np.diag([1e-3, 2.0])])
    _close(wg.vmap(wnp.linalg.pinv)(a), np.stack([np.linalg.pinv(m) for m in a]))
    _close(wg.vmap(lambda m: wnp.linalg.pinv(m, hermitian=True))(a),
           np.stack([np.linalg.pinv(m, hermitian=True) for m in a]))


def test_lstsq_per_example():
    a, b = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    check(lambda a, b: wnp.linalg.lstsq(a, b)[0], a, b,
          truth=lambda a, b: np.linalg.lstsq(a, b)[0])
    check(lambda a, b: wnp.linalg.lstsq(a, b)[1], a, b,
          truth=lambda a, b: np.linalg.lstsq(a, b)[1])
    wide = rng.standard_normal((2, 3))
    check(lambda a, b: wnp.linalg.lstsq(a, b)[0], wide, rng.standard_normal(2),
          truth=lambda a, b: np.linalg.lstsq(a, b)[0])


def test_lstsq_with_ranks_that_differ_across_the_batch():
    a = np.stack([np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[1.0, 1.0], [1.0, 1.0]])])
    b = np.ones((2, 2))
    x, _, rank, s = wg.vmap(wnp.linalg.lstsq)(a, b)
    _close(x, np.stack([np.linalg.lstsq(m, v)[0] for m, v in zip(a, b)]))
    _close(rank, [2, 1])
    tall = np.concatenate([a, np.ones((2, 1, 2))], axis=1)
    with pytest.raises(ValueError, match="different ranks"):
        wg.vmap(wnp.linalg.lstsq)(tall, np.ones((2, 3)))


def test_rank_norm0_and_cond_per_example():
    a = np.stack([np.eye(3), np.ones((3, 3)), np.diag([1.0, 1.0, 0.0])])
    _close(wg.vmap(wnp.linalg.matrix_rank)(a), [3, 1, 2])
    v = np.array([[0.0, 1.0, 2.0], [0.0, 0.0, 3.0], [1.0, 1.0, 1.0]])
    _close(wg.vmap(lambda x: wnp.linalg.norm(x, 0))(v), [2.0, 1.0, 3.0])
    ok = np.stack([spd(2), np.array([[1.0, 2.0], [2.0, 4.0]]), spd(2)])
    for p in (None, "fro"):
        _close(wg.vmap(lambda m: wnp.linalg.cond(m, p))(ok),
               [np.linalg.cond(m, p) for m in ok], rtol=1e-6)
        g = wg.vmap(wg.grad(lambda m: wnp.linalg.cond(m, p)))(ok)
        _close(g[[0, 2]], np.stack([wg.grad(lambda m: wnp.linalg.cond(m, p))(m)
                                    for m in ok[[0, 2]]]), rtol=1e-6)


@pytest.mark.parametrize("name", ["inv", "det", "eigh", "svd", "cholesky", "solve"])
def test_per_example_gradients(name):
    a, b = spd(3), rng.standard_normal(3)
    f = {"inv": lambda a, b: wnp.sum(wnp.sin(wnp.linalg.inv(a)) * b),
         "det": lambda a, b: wnp.linalg.det(a) * wnp.sum(b),
         "eigh": lambda a, b: wnp.sum(wnp.linalg.eigh(a)[0] * b),
         "svd": lambda a, b: wnp.sum(wnp.linalg.svd(a, full_matrices=False)[1] * b),
         "cholesky": lambda a, b: wnp.sum(wnp.linalg.cholesky(a) @ b),
         "solve": lambda a, b: wnp.sum(wnp.cos(wnp.linalg.solve(a, b)))}[name]
    grad = wg.grad(f, argnums=(0, 1))
    check(grad, a, b, rtol=1e-8, atol=1e-10)


# ---------------------------------------------------------------- scipy.linalg

def test_scipy_solvers():
    sl = pytest.importorskip("scipy.linalg")
    import wengert.scipy.linalg as wsl
    t = np.triu(spd(3))
    check(wsl.solve_triangular, t, rng.standard_normal(3), truth=sl.solve_triangular)
    check(lambda a, b: wsl.solve_triangular(a, b, trans=1, lower=True), t.T,
          rng.standard_normal((3, 2)),
          truth=lambda a, b: sl.solve_triangular(a, b, trans=1, lower=True))
    ab = np.array([[0.0, 1.0, 1.0, 1.0], [4.0, 5.0, 6.0, 7.0], [1.0, 1.0, 1.0, 0.0]])
    check(lambda a, b: wsl.solve_banded((1, 1), a, b), ab, rng.standard_normal(4),
          truth=lambda a, b: sl.solve_banded((1, 1), a, b))
    check(wsl.solve_sylvester, spd(2), spd(2), rng.standard_normal((2, 2)),
          truth=sl.solve_sylvester)
    check(wsl.expm, rng.standard_normal((3, 3)) * 0.3, truth=sl.expm)
    check(wsl.sqrtm, spd(3), truth=sl.sqrtm, rtol=1e-8)


def test_lu_with_each_examples_own_pivots():
    sl = pytest.importorskip("scipy.linalg")
    import wengert.scipy.linalg as wsl
    a = np.stack([[[1.0, 2.0, 0.0], [3.0, 1.0, 1.0], [0.0, 1.0, 4.0]],
                  [[5.0, 0.0, 1.0], [1.0, 2.0, 0.0], [0.0, 1.0, 3.0]],
                  [[0.1, 0.0, 1.0], [0.2, 3.0, 0.0], [4.0, 1.0, 1.0]]])
    lu, piv = wg.vmap(wsl.lu_factor)(a)
    for k in range(B):
        want_lu, want_piv = sl.lu_factor(a[k])
        _close(lu[k], want_lu)
        np.testing.assert_array_equal(piv[k], want_piv)
    b = rng.standard_normal((B, 3))
    for trans in (0, 1):
        f = lambda m, v: wsl.lu_solve(wsl.lu_factor(m), v, trans=trans)
        _close(wg.vmap(f)(a, b), np.stack([sl.solve(a[k].T if trans else a[k], b[k])
                                          for k in range(B)]))
        g = wg.vmap(wg.grad(lambda m, v: wnp.sum(wnp.sin(f(m, v)))))(a, b)
        want = np.stack([wg.grad(lambda m, v: wnp.sum(wnp.sin(f(m, v))))(a[k], b[k])
                         for k in range(B)])
        _close(g, want)


def test_odeint_solves_each_example():
    pytest.importorskip("scipy.integrate")
    from wengert.scipy.integrate import odeint
    t = np.array([0.0, 0.5, 1.0])

    def final(y0, k):
        return odeint(lambda y, t, k: -k * y, y0, t, args=(k,), rtol=1e-11, atol=1e-11)[-1]

    y0, k = np.array([[1.0], [2.0], [3.0]]), np.array([0.5, 1.0, 2.0])
    _close(wg.vmap(final)(y0, k), y0 * np.exp(-k)[:, None], rtol=1e-8)
    _close(wg.vmap(final, in_axes=(None, 0))(np.ones(1), k), np.exp(-k)[:, None], rtol=1e-8)
    g = wg.vmap(wg.grad(lambda y0, k: final(y0, k)[0], argnums=1))(y0, k)
    _close(g, -y0[:, 0] * np.exp(-k), rtol=1e-6)


# ---------------------------------------------------------------- fft

@pytest.mark.parametrize("fun", [lambda x: wnp.fft.fft(x, n=5, axis=0),
                                 lambda x: wnp.fft.fftn(x, s=(3, 4), norm="ortho"),
                                 lambda x: wnp.fft.ifft2(x, axes=(-1, 0)),
                                 lambda x: wnp.fft.rfft(x, axis=-2),
                                 lambda x: wnp.fft.irfft(x, n=6, axis=0),
                                 lambda x: wnp.fft.rfftn(x),
                                 lambda x: wnp.fft.irfftn(x, s=(2, 4)),
                                 lambda x: wnp.fft.fftshift(x, axes=1),
                                 lambda x: wnp.fft.ifftshift(x)])
def test_fft_axes_shift_past_the_batch(fun):
    x = rng.standard_normal((4, 3))
    check(lambda x: wnp.abs(fun(x)), x, truth=lambda x: np.abs(np.asarray(fun(x))))


# ---------------------------------------------------------------- signal

@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("lengths", [(5, 3), (3, 5), (4, 4), (1, 3)])
def test_convolve_and_correlate(mode, lengths):
    a, v = rng.standard_normal(lengths[0]), rng.standard_normal(lengths[1])
    check(lambda a, v: wnp.convolve(a, v, mode), a, v,
          truth=lambda a, v: np.convolve(a, v, mode))
    check(lambda a, v: wnp.correlate(a, v, mode), a, v * 1j + 0.5,
          truth=lambda a, v: np.correlate(a, v, mode))
    check(wg.grad(lambda a, v: wnp.sum(wnp.sin(wnp.convolve(a, v, mode))), argnums=(0, 1)),
          a, v)


def test_convolve_past_the_toeplitz_limit_runs_per_example(monkeypatch):
    from wengert.rules import signal
    monkeypatch.setattr(signal, "_TOEPLITZ_MAX", 4)
    check(lambda a, v: wnp.convolve(a, v, "same"), rng.standard_normal(6),
          rng.standard_normal(3), truth=lambda a, v: np.convolve(a, v, "same"))


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("method", ["direct", "fft", "auto"])
@pytest.mark.parametrize("shapes", [((4, 3), (2, 2)), ((2, 2), (4, 3)), ((3, 3), (3, 3))])
def test_scipy_signal_convolve(mode, method, shapes):
    ss = pytest.importorskip("scipy.signal")
    import wengert.scipy.signal as wss
    x, y = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    check(lambda x, y: wss.convolve(x, y, mode=mode, method=method), x, y,
          truth=lambda x, y: ss.convolve(x, y, mode=mode, method=method))


def test_interp_with_a_batch_of_points():
    xp, fp = np.array([0.0, 1.0, 2.5, 4.0]), np.array([1.0, -1.0, 2.0, 0.5])
    x = np.array([-0.5, 0.3, 1.0, 2.7, 4.0, 5.0])
    check(lambda x, fp: wnp.interp(x, xp, fp), x, fp, truth=lambda x, fp: np.interp(x, xp, fp))
    check(lambda x: wnp.interp(x, xp, fp, left=-9.0, period=None), x,
          truth=lambda x: np.interp(x, xp, fp, left=-9.0))
    check(lambda x: wnp.interp(x, xp, fp, period=3.0), x,
          truth=lambda x: np.interp(x, xp, fp, period=3.0))
    g = wg.vmap(wg.grad(lambda x: wnp.sum(wnp.interp(x, xp, fp))))(np.stack([x, x + 0.2]))
    want = np.stack([wg.grad(lambda x: wnp.sum(wnp.interp(x, xp, fp)))(v) for v in (x, x + 0.2)])
    _close(g, want)


def test_polyval_and_polyfit():
    check(wnp.polyval, rng.standard_normal(3), rng.standard_normal(4), truth=np.polyval)
    x = np.linspace(0.0, 2.0, 6)
    check(lambda y: wnp.polyfit(x, y, 2), rng.standard_normal(6),
          truth=lambda y: np.polyfit(x, y, 2))
    check(lambda x, y: wnp.polyfit(x, y, 1, cov=True)[1], x, rng.standard_normal(6),
          truth=lambda x, y: np.polyfit(x, y, 1, cov=True)[1], rtol=1e-8)


# ---------------------------------------------------------------- conv2d and pooling

@pytest.mark.parametrize("groups", [1, 2])
def test_conv2d_with_per_example_or_shared_weights(groups):
    x = rng.standard_normal((2, 4, 5, 6))
    w = rng.standard_normal((6, 4 // groups, 2, 3))
    kw = dict(stride=(1, 2), padding=1, dilation=(2, 1), groups=groups)
    check(lambda x, w: conv.conv2d(x, w, **kw), x, w)
    check(wg.grad(lambda x, w: wnp.sum(wnp.sin(conv.conv2d(x, w, **kw))), argnums=(0, 1)),
          x, w, rtol=1e-8, atol=1e-10)


def test_pooling_per_example():
    x = rng.standard_normal((2, 3, 5, 6))
    check(lambda x: conv.avg_pool2d(x, 2), x)
    check(lambda x: conv.max_pool2d(x, (2, 3)), x)
    check(lambda x: conv.max_pool2d(x, 3, stride=(1, 2), padding=1), x)
    # a window of -inf takes its first element inside the input, as a loop does
    x = np.full((1, 1, 3, 3), -np.inf)
    x[0, 0, 2, 2] = 1.0
    got = wg.vmap(lambda x: conv.max_pool2d(x, 2, stride=1, padding=1))(np.stack([x, -x]))
    want = np.stack([conv.max_pool2d(v, 2, stride=1, padding=1) for v in (x, -x)])
    _close(got, want)
    g = wg.vmap(wg.grad(lambda x: wnp.sum(conv.max_pool2d(x, 2) ** 2)))(
        rng.standard_normal((3, 1, 2, 4, 4)))
    assert np.count_nonzero(g) == 3 * 2 * 4


# ---------------------------------------------------------------- arithmetic

@pytest.mark.parametrize("fun", [lambda a, b: a ** b, wnp.maximum, wnp.minimum, wnp.fmax,
                                 lambda a, b: wnp.copysign(a, b - 0.5),
                                 lambda a, b: wnp.mod(a, b + 0.1)])
def test_derivatives_of_binary_arithmetic_under_vmap(fun):
    x, y = rng.uniform(0.5, 2.0, 4), rng.uniform(0.0, 1.0, 4)
    y[0] = 0.0
    check(wg.grad(lambda a, b: wnp.sum(fun(a, b)), argnums=(0, 1)), x, y)


def test_mixed_real_and_complex_products():
    z = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    check(lambda x, z: x * z + x ** 2 - z, rng.standard_normal(3), z)
    check(lambda x, z: wnp.sum(wnp.abs(x * z) ** 2), rng.standard_normal(3), z)


# ---------------------------------------------------------------- repeated values

def test_zero_gaps_are_found_per_example():
    # eigh's rule divides by eigenvalue gaps and makes 0/0 a 0 where a gap is zero:
    # the mask of zero gaps must be each example's own (one matrix here has a
    # repeated eigenvalue, the others not)
    a = np.stack([np.eye(3), np.diag([1.0, 2.0, 3.0]), spd(3)])
    f = wg.grad(lambda m: wnp.sum(wnp.linalg.eigh(m)[0] ** 2))
    want = np.stack([f(m) for m in a])
    _close(wg.vmap(f)(a), want)
    _close(wg.vmap(f, in_axes=-1)(np.moveaxis(a, 0, -1)), want)
    _close(wg.vmap(wg.vmap(f))(np.stack([a, a])), np.stack([want, want]))
