"""Derivatives over the arrays of other libraries, through the same primitives and
rules: numpy, Dask (lazily: graphs that Dask schedules, on its threaded scheduler and
on a dask.distributed LocalCluster) and CuPy (on a GPU; skipped where CuPy or a GPU is
absent).

The truths: each function's numpy derivatives are checked against central differences
(``check_grads``); every other kind must give the numpy numbers, as arrays of its own
kind. A Dask graph is built with computing refused (a scheduler that raises), so a
transform that converted a Dask array to numpy on the way would fail here, not just be
slow; the numbers are computed afterwards, by the threaded scheduler or the cluster.
"""

import contextlib
import pathlib
import sys

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
import wengert.scipy.special as wsp
from wengert import backend
from wengert.core.primitive import registry
from wengert.rules import _kinds

ROOT = pathlib.Path(__file__).resolve().parents[1]
RTOL = 1e-10


# ---------------------------------------------------------------- the array kinds

class _Refused(RuntimeError):
    pass


def _refuse(dsk, keys, **kwargs):
    raise _Refused("a Dask array was computed while the derivative was being traced")


class Kind:
    """How a test makes, checks and reads back the arrays of one library."""

    def __init__(self, name):
        self.name = name
        if name == "dask":
            self.da = pytest.importorskip("dask.array")
            import dask
            self.dask = dask
        elif name == "cupy":
            self.cp = pytest.importorskip("cupy")
            try:
                if self.cp.cuda.runtime.getDeviceCount() < 1:
                    pytest.skip("CuPy is installed but there is no GPU")
            except Exception as e:  # no driver, no device
                pytest.skip(f"CuPy has no GPU here: {e}")

    def make(self, a):
        if self.name == "dask":
            return self.da.from_array(a, chunks=tuple(max(1, (n + 1) // 2) for n in a.shape))
        if self.name == "cupy":
            return self.cp.asarray(a)
        return a

    def tracing(self):
        """Where a transform runs: for Dask, with computing refused."""
        if self.name == "dask":
            return self.dask.config.set(scheduler=_refuse)
        return contextlib.nullcontext()

    def is_mine(self, x):
        if self.name == "dask":
            return isinstance(x, self.da.Array)
        if self.name == "cupy":
            return isinstance(x, self.cp.ndarray)
        return isinstance(x, (np.ndarray, np.generic, float))

    def numbers(self, x):
        if self.name == "dask":
            return np.asarray(x.compute(scheduler="threads"))
        if self.name == "cupy":
            return self.cp.asnumpy(x)
        return np.asarray(x)


@pytest.fixture(params=["numpy", "dask", "cupy"])
def kind(request):
    return Kind(request.param)


@pytest.fixture(params=["dask", "cupy"])
def other(request):
    return Kind(request.param)


# ---------------------------------------------------------------- the functions

_rng = np.random.default_rng(0)
X = _rng.standard_normal((6, 4))
Y = _rng.standard_normal(4)
W = _rng.standard_normal((4, 3))
LABELS = (_rng.random(6) > 0.5).astype(np.float64)

# A realistic set: elementwise math, arithmetic with broadcasting, reductions,
# products, shapes and indexing, where, logsumexp and the softmaxes, and a loss.
FUNS = {
    "elementwise": (lambda x: wnp.sum(wnp.sin(x) * wnp.exp(x) + wnp.log1p(x ** 2)
                                      + wnp.tanh(x) / (1 + x ** 2) + wnp.sqrt(x * x + 1.0)
                                      + wnp.abs(x) + wnp.cos(x) ** 3 + wsp.expit(x)),
                    (X,)),
    "broadcasting": (lambda x, y: wnp.sum(x * y - x / (y * y + 3) + wnp.maximum(x, y)
                                          + (x - y) ** 2 + 2.0 ** y), (X, Y)),
    "reductions": (lambda x: wnp.sum(wnp.sum(x, axis=0) ** 2) + wnp.mean(x)
                   + wnp.prod(x[:2, :2] + 2.0) + wnp.sum(wnp.max(x, axis=1))
                   + wnp.var(x, axis=0).sum() + wnp.std(x)
                   + wnp.sum(wnp.cumsum(x, axis=1) ** 2) + wnp.min(x), (X,)),
    "products": (lambda x, w: wnp.sum(wnp.tanh(x @ w)) + wnp.sum(wnp.dot(x.T, x))
                 + wnp.sum(wnp.tensordot(x, w, axes=1) ** 2)
                 + wnp.einsum("ij,jk->", x, w), (X, W)),
    "shapes": (lambda x: wnp.sum(wnp.reshape(x, (3, 8)) ** 2 * 0.5) + wnp.sum(x.T[1:3] ** 3)
               + wnp.sum(x[1:5, ::2] ** 2) + wnp.sum(x[:, 0] * x[:, 1])
               + wnp.sum(wnp.concatenate([x, x ** 2], axis=0) ** 2)
               + wnp.sum(wnp.stack([x, x]) ** 3) + wnp.sum(x.ravel() ** 2)
               + wnp.sum(x[None, 2] ** 2) + wnp.sum(x[..., -1] ** 3), (X,)),
    "index-array": (lambda x: wnp.sum(x[np.array([0, 2, 2, 5])] ** 2)
                    + wnp.sum(x[:, np.array([3, 0, 3])] ** 3)
                    + wnp.sum(x[np.array([True, False, True, True, False, True])] ** 2),
                    (X,)),
    "where": (lambda x: wnp.sum(wnp.where(x > 0, x, 0.1 * x) ** 2)
              + wnp.sum(wnp.clip(x, -0.5, 0.5) ** 2), (X,)),
    "logsumexp": (lambda x: wnp.sum(wsp.logsumexp(x, axis=1)) + wsp.logsumexp(x)
                  + wnp.sum(wsp.softmax(x, axis=0) ** 2)
                  + wnp.sum(wsp.log_softmax(x, axis=1) ** 2), (X,)),
    "logistic-loss": (lambda w, x, y: wnp.mean(wnp.logaddexp(0.0, -(2 * y - 1) * (x @ w)))
                      + 0.5 * wnp.sum(w * w), (Y, X, LABELS)),
}
MODES = ["value", "grad", "jvp", "vjp", "hvp"]
TANGENTS = {name: tuple(np.random.default_rng(1).standard_normal(a.shape) for a in args)
            for name, (_, args) in FUNS.items()}


def _run(mode, f, args, tangents, ones_like):
    argnums = tuple(range(len(args)))
    if mode == "value":
        return f(*args)
    if mode == "grad":
        return wg.grad(f, argnums=argnums)(*args)
    if mode == "jvp":
        return wg.jvp(f, args, tangents)
    if mode == "vjp":
        out, f_vjp = wg.vjp(f, *args)
        return f_vjp(ones_like(out))
    # hvp: the Hessian in the first argument times the first tangent
    return wg.hvp(lambda a: f(a, *args[1:]))(args[0], tangents[0])


@pytest.mark.parametrize("name", FUNS)
def test_the_numpy_derivatives_are_right(name):
    f, args = FUNS[name]
    wg.check_grads(f, modes=("fwd", "rev"), order=2)(*args)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", FUNS)
def test_every_kind_gives_the_numpy_derivatives_as_its_own_arrays(kind, name, mode):
    f, args = FUNS[name]
    tangents = TANGENTS[name]
    expected = _run(mode, f, args, tangents, backend.ones_like)
    with kind.tracing():
        got = _run(mode, f, tuple(kind.make(a) for a in args),
                   tuple(kind.make(t) for t in tangents), backend.ones_like)
    got_leaves, expected_leaves = wg.tree_leaves(got), wg.tree_leaves(expected)
    assert len(got_leaves) == len(expected_leaves)
    for g, e in zip(got_leaves, expected_leaves):
        assert kind.is_mine(g), f"{name} {mode}: a {type(g).__name__} came out"
        np.testing.assert_allclose(kind.numbers(g), e, rtol=RTOL, atol=1e-12)


def test_a_dask_gradient_is_a_graph_of_many_tasks():
    k = Kind("dask")
    f, args = FUNS["logistic-loss"]
    with k.tracing():
        g = wg.grad(f)(*(k.make(a) for a in args))
    graph = dict(g.__dask_graph__())
    assert len(graph) > 20 and g.chunks == ((2, 2),)


# ---------------------------------------------------------------- clear refusals

def test_mixing_two_kinds_in_one_call_raises_naming_both(other):
    x = other.make(X)
    with pytest.raises(TypeError, match=rf"multiply: .*mix a {other.name} array.*numpy "
                                        rf"array|multiply: .*mix a numpy array.*"
                                        rf"{other.name} array"):
        wg.grad(lambda x: wnp.sum(x * X))(x)
    with pytest.raises(TypeError, match="matmul"):
        wnp.matmul(X, x.T)


def test_numbers_and_0d_arrays_meet_every_kind(other):
    x = other.make(X)
    with other.tracing():
        out = wnp.sum(x * 2.0 + np.float32(1.0) - np.array(0.5))
    assert other.is_mine(out)
    assert other.numbers(out) == pytest.approx(np.sum(X * 2.0 + 0.5))


@pytest.mark.parametrize("call, prim", [
    (lambda x: wnp.linalg.inv(x[:4, :4]), "inv"),
    (lambda x: wg.grad(lambda x: wnp.sum(wnp.linalg.eigh(x.T @ x)[0]))(x), "eigh"),
    (lambda x: wnp.fft.fft(x), "fftn"),
    (lambda x: wg.grad(lambda x: wnp.linalg.det(x[:4, :4]))(x), "det"),
    (lambda x: wg.grad(lambda x: wnp.sum(wnp.i0(x)))(x), "numpy_i1"),  # i0's derivative
])
def test_a_primitive_without_an_implementation_names_itself_and_the_kind(other, call,
                                                                          prim):
    with other.tracing(), pytest.raises(NotImplementedError,
                                        match=rf"^{prim}: not implemented for "
                                              rf"{other.name} arrays"):
        call(other.make(X))


def test_a_constant_dask_lacks_the_function_for_is_refused_by_name():
    k = Kind("dask")
    with k.tracing(), pytest.raises(NotImplementedError,
                                    match="^argsort: not implemented for dask arrays"):
        wg.grad(lambda x: wnp.sum(wnp.sort(x, axis=0)[0]))(k.make(X))


def test_every_primitive_is_listed_or_refused():
    """The table of rules/_kinds.py names registered primitives only, and each
    primitive knows its kinds."""
    for kind_name, names in _kinds.KINDS.items():
        assert names <= set(registry), sorted(names - set(registry))
    for name, prim in registry.items():
        assert "numpy" in prim.kinds
        assert ("dask" in prim.kinds) == (name in _kinds.KINDS["dask"])
        if name not in _kinds.KINDS["dask"] or name not in _kinds.KINDS["cupy"]:
            # what is not listed everywhere is checked at each call
            assert getattr(prim.impl, "kind_guard", False), name


def test_numpy_calls_keep_their_plain_implementations():
    """A guard is only added in front: the original implementation stays reachable,
    and plain numpy results are numpy's."""
    assert registry["matmul"].impl.__wrapped__ is not None
    assert registry["maximum"].impl is np.maximum and registry["sum"].impl.__name__ == "_sum_impl"
    assert isinstance(wnp.sum(np.ones(3)), np.floating)
    assert wnp.exp(1.0) == np.exp(1.0) and type(wnp.exp(1.0)) is float


# ---------------------------------------------------------------- the backend seam

def test_kind_and_namespace_of_a_value(other):
    x = other.make(X)
    assert backend.kind(x) == other.name and backend.kind(X) == "numpy"
    assert backend.kind(2.0) == "numpy" and backend.kind([1.0]) == "numpy"
    assert backend.namespace(X) is np
    assert backend.namespace(x).__name__ in ("dask.array", "cupy")
    assert backend.array_kind("f", (x, 1.0, np.float64(2.0))) == other.name
    assert backend.describe(x) == f"{other.name} array of shape (6, 4) and dtype float64"
    assert backend.shape(x) == (6, 4) and backend.dtype_of(x) == np.float64
    assert backend.is_differentiable(x)
    assert other.is_mine(backend.zeros_like(x)) and other.is_mine(backend.ones_like(x))
    assert other.is_mine(backend.like(np.ones((6, 4)), x))


# ---------------------------------------------------------------- Tensors

def test_tensors_on_every_kind(kind):
    """The Tensor layer's graph, backward and accumulation into .grad over arrays of
    each kind (the tensors wrap the arrays as they are: wg.tensor() copies its data
    into numpy)."""
    ones = backend.ones_like
    expected = None
    for k in (Kind("numpy"), kind):
        with k.tracing():
            w = wg.Tensor._wrap(k.make(Y), None).requires_grad_(True)
            x = wg.Tensor._wrap(k.make(X), None)
            for _ in range(2):  # .grad accumulates
                loss = (x @ w).tanh().sum() + (w * w).exp().mean()
                loss.backward(wg.Tensor._wrap(ones(loss._value), None))
            g = w.grad._value
            # wg.tensor() keeps another library's array as it is, and backward()
            # seeds in that library (PyTorch's way, nothing computed)
            v = wg.tensor(k.make(Y), requires_grad=True)
            assert k.is_mine(v._value) and tuple(v.shape) == Y.shape and v.numel() == Y.size
            (v * v).sum().backward()
            assert k.is_mine(v.grad._value)
        np.testing.assert_allclose(k.numbers(v.grad._value), 2 * Y, rtol=RTOL)
        assert k.is_mine(g)
        if expected is None:
            expected = g
        np.testing.assert_allclose(k.numbers(g), expected, rtol=RTOL)
    plain = 2 * (X.T @ (1 - np.tanh(X @ Y) ** 2) + 2 * Y * np.exp(Y * Y) / 4)
    np.testing.assert_allclose(expected, plain, rtol=RTOL)


# ---------------------------------------------------------------- Dask's schedulers

@pytest.fixture(scope="module")
def cluster_client():
    pytest.importorskip("dask.array")
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True,
                                       memory_limit="400MB", dashboard_address=None)
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def _example():
    pytest.importorskip("dask.array")  # the example needs Dask (it says so and exits 1)
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import dask_logreg
        return dask_logreg
    finally:
        sys.path.remove(str(ROOT / "examples"))


def test_gradient_computed_by_the_threaded_scheduler():
    k = Kind("dask")
    f, args = FUNS["logistic-loss"]
    with k.tracing():
        g, hv = wg.grad(f)(*map(k.make, args)), wg.hvp(
            lambda w: f(w, *map(k.make, args[1:])))(k.make(Y), k.make(np.ones(4)))
    g, hv = k.dask.compute(g, hv, scheduler="threads")
    np.testing.assert_allclose(g, wg.grad(f)(*args), rtol=RTOL)
    np.testing.assert_allclose(hv, wg.hvp(lambda w: f(w, *args[1:]))(Y, np.ones(4)),
                               rtol=RTOL)


def test_gradient_computed_on_a_local_cluster(cluster_client):
    """The graph travels to a worker process (its tasks are Dask's and numpy's own
    functions, no wengert object inside) and comes back with the numpy numbers."""
    k = Kind("dask")
    f, args = FUNS["products"]
    with k.tracing():
        g = wg.grad(f, argnums=(0, 1))(*map(k.make, args))
    got = cluster_client.compute(list(g), sync=True)
    for a, b in zip(got, wg.grad(f, argnums=(0, 1))(*args)):
        np.testing.assert_allclose(a, b, rtol=RTOL)


def test_the_out_of_core_example_on_a_small_data_set(cluster_client):
    """examples/dask_logreg.py (run by hand on 4 GB of features under a 1 GB worker
    limit), here on 60,000 rows in 12 chunks: the gradient agrees with the closed form
    on all rows and with the in-memory numpy gradient on a subsample."""
    r = _example().run(rows=60_000, cols=8, chunk_rows=5_000, check_rows=12_345,
                       client=cluster_client)
    assert r["chunks"] == 12 and r["tasks"] > 100
    assert r["closed_form_rel_error"] < 1e-12
    assert r["subsample_rel_error"] < 1e-12
    # the worker's peak is reported (it bounds nothing at this size: 3.8 MB of data; a
    # worker's resident memory also counts what its start-up shares with the process
    # that started it, hundreds of MB under pytest-xdist)
    assert len(r["worker_peak_mb"]) == 1 and r["worker_peak_mb"][0] > 0


def test_the_example_runs_as_a_script_on_the_threaded_scheduler(capsys):
    assert _example().main(["--rows", "30000", "--cols", "5", "--chunk-rows", "4000",
                            "--check-rows", "9000", "--scheduler", "threads"]) == 0
    out = capsys.readouterr().out
    assert "gradient checks: passed" in out and "30,000 x 5" in out


def test_the_coverage_page_lists_every_primitive_as_declared():
    """docs/array_kinds.md is generated by scripts/array_kinds.py: every registered
    primitive has a row, and its "listed" column is rules/_kinds.py's list (a page left
    stale by a change to the list fails here; the measured columns need the script)."""
    page = ROOT / "docs" / "array_kinds.md"
    rows = {}
    for line in page.read_text().splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows[cells[0].strip("`")] = cells
    assert set(rows) == set(registry)
    for name, cells in rows.items():
        assert cells[1] == ("yes" if name in _kinds.KINDS["dask"] else "no"), name
        assert cells[5] == ("yes" if name in _kinds.KINDS["cupy"] else "no"), name
