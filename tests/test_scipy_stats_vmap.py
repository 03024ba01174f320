"""wengert.scipy.stats under vmap and vmap of grad: every distribution's methods,
mapped over the data and over each parameter, against a Python loop of the same
call (to 1e-12) and against scipy.stats per example. Each batch puts values on both
sides of every branch the code takes (inside and outside the support, below and
above the median, the tails and the centre, valid and invalid parameters) in one
batch, and the examples disagree on which entries fall where: a mask or a branch
computed from the whole batch instead of from each example gives wrong values (or
wrong shapes) there."""

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
from wengert.scipy import stats as ws

st = pytest.importorskip("scipy.stats")

# scipy warns on the invalid parameters and the points outside the support
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

TOL = dict(rtol=1e-12, atol=1e-12, equal_nan=True)


def _take(a, i, ax):
    return a if ax is None else np.take(a, i, axis=ax)


def _size(args, in_axes):
    return next(np.shape(a)[ax] for a, ax in zip(args, in_axes) if ax is not None)


def loop(f, args, in_axes):
    """f on each example in turn, the results stacked along a new axis 0 (a tuple of
    such stacks for a tuple of results)."""
    outs = [f(*(_take(a, i, ax) for a, ax in zip(args, in_axes)))
            for i in range(_size(args, in_axes))]
    if isinstance(outs[0], tuple):
        return tuple(np.stack(o) for o in zip(*outs))
    return np.stack(outs)


def batch_like_loop(f, args, in_axes):
    out = np.asarray(wg.vmap(f, in_axes=in_axes)(*args))
    ref = loop(f, args, in_axes)
    assert out.shape == ref.shape
    np.testing.assert_allclose(out, ref, **TOL)
    return out


def moved(args, in_axes):
    """The same batch with every batched argument's batch axis last (in_axes -1)."""
    return ([a if ax is None else np.moveaxis(a, 0, -1) for a, ax in zip(args, in_axes)],
            tuple(None if ax is None else -1 for ax in in_axes))


def axes_sets(n):
    """Each argument batched alone (the others shared), then all of them."""
    return [tuple(0 if i == j else None for i in range(n)) for j in range(n)] + [(0,) * n]


def shared(args, in_axes):
    """The arguments with the unbatched ones reduced to one example (the first)."""
    return [a if ax is not None else a[0] for a, ax in zip(args, in_axes)]


def grads_like_loop(f, args, in_axes, argnums):
    """vmap(grad(sum of f)) against a loop of grads; NotImplementedError (a
    derivative wengert does not provide) must be raised by both alike."""
    def total(*a):
        return wnp.sum(f(*a))
    g = wg.grad(total, argnums=argnums)
    try:
        ref = loop(g, args, in_axes)
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            wg.vmap(g, in_axes=in_axes)(*args)
        return
    out = wg.vmap(g, in_axes=in_axes)(*args)
    if not isinstance(ref, tuple):
        out, ref = (out,), (ref,)
    assert len(out) == len(ref)
    for o, r in zip(out, ref):
        assert np.shape(o) == np.shape(r)
        np.testing.assert_allclose(o, r, **TOL)


# ------------------------------------------------------------ continuous distributions
# four examples of three entries each

X = np.array([[-2.0, 0.5, 3.0], [1.0, -1.0, 0.0], [5.0, 2.0, -4.0], [0.3, -0.3, 40.0]])
LOC = np.array([[0.0, 1.0, -1.0], [2.0, -2.0, 0.5], [0.0, 3.0, -5.0], [0.3, 0.0, 1.0]])
SCALE = np.array([[1.0, 2.0, 0.5], [-1.0, 1.0, 3.0], [0.7, 0.0, 1.0], [1.0, 1.5, 2.0]])
Q = np.array([[0.0, 0.3, 0.5], [1.0, 1e-5, 0.9], [0.5, 1.2, 0.99999], [1e-12, -0.1, 0.7]])
POS_X = np.array([[-1.0, 0.2, 1.5], [10.0, 0.0, 0.7], [3.0, -0.5, 0.05], [0.9, 6.0, -2.0]])
UNIT_X = np.array([[-0.1, 0.2, 0.9], [0.5, 1.3, 0.05], [0.99, 0.0, 0.4], [0.3, 0.7, 1.0]])
POS_LOC = np.array([[0.0, 0.1, -0.2], [0.0, -1.0, 0.3], [0.5, 0.0, 0.0], [-0.3, 0.0, 0.1]])
POS_SCALE = np.array([[1.0, 2.0, 0.5], [0.3, 1.0, -1.0], [1.5, 0.0, 1.0], [1.0, 0.8, 2.0]])

DF_T = np.array([[1.0, np.inf, 25.0], [3.0, 0.5, -1.0], [np.inf, 30.0, 2.0], [8.0, 1.0, 60.0]])
X_T = np.array([[0.0, 0.3, -8.0], [2.0, -0.2, 1.0], [-1.5, 0.0, 12.0], [0.05, 3e4, -4.0]])
Q_T = np.array([[0.5, 0.3, 1e-7], [0.999, 0.6, 0.5], [0.02, 0.5, 1e-9], [0.4, 0.7, 0.99]])
A_G = np.array([[0.5, 2.0, 30.0], [-1.0, 3.0, 1.0], [2.0, 0.8, 5.0], [1.5, 10.0, 0.3]])
DF_C = np.array([[1.0, 4.0, 30.0], [2.0, -2.0, 7.0], [10.0, 0.5, 3.0], [5.0, 1.5, 20.0]])
A_B = np.array([[0.5, 2.0, 3.0], [1.5, -1.0, 0.7], [4.0, 1.0, 2.0], [2.0, 0.9, 5.0]])
B_B = np.array([[2.0, 0.5, 3.0], [1.0, 4.0, 2.0], [0.6, 3.0, 0.0], [2.0, 1.2, 0.5]])
S_LN = np.array([[0.5, 1.0, 2.0], [0.8, -1.0, 0.3], [1.2, 0.4, 1.0], [0.7, 0.9, 1.5]])
POS_X0 = np.array([[0.0, 0.2, 1.5], [10.0, 0.0, 0.7], [3.0, -0.5, 0.05], [0.9, 6.0, 2.0]])

# name: (shape parameters, data for the densities and cdfs, loc, scale)
CONTINUOUS = {
    "norm": ([], X, LOC, SCALE),
    "t": ([DF_T], X_T, LOC / 4, np.abs(SCALE) + 0.5),
    "gamma": ([A_G], POS_X, POS_LOC, POS_SCALE),
    "chi2": ([DF_C], POS_X, POS_LOC, POS_SCALE),
    "beta": ([A_B, B_B], UNIT_X, POS_LOC / 4, np.abs(POS_SCALE) + 0.5),
    "expon": ([], POS_X, POS_LOC, POS_SCALE),
    "uniform": ([], UNIT_X, POS_LOC, np.abs(POS_SCALE) + 0.5),
    "laplace": ([], X, LOC, SCALE),
    "cauchy": ([], X, LOC, SCALE),
    "logistic": ([], X, LOC, SCALE),
    "lognorm": ([S_LN], POS_X0, POS_LOC, POS_SCALE),
}
QUANTILE_DATA = {"t": Q_T}
DENSITIES = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"]
REQUESTED = ["norm", "t", "gamma", "chi2", "beta"]


def _continuous_args(name, method):
    shapes, x, loc, scale = CONTINUOUS[name]
    if method in ("ppf", "isf"):
        x = QUANTILE_DATA.get(name, Q)
    return [x, *shapes, loc, scale]


def _call(dist, method):
    return lambda *a: getattr(dist, method)(*a)


@pytest.mark.parametrize("name", list(CONTINUOUS))
@pytest.mark.parametrize("method", DENSITIES + ["ppf", "isf"])
def test_continuous_values_under_vmap(name, method):
    f = _call(getattr(ws, name), method)
    args = _continuous_args(name, method)
    for in_axes in axes_sets(len(args)):
        a = shared(args, in_axes)
        out = batch_like_loop(f, a, in_axes)
        if in_axes == (0,) * len(args):
            ref = getattr(getattr(st, name), method)(*a)  # scipy, elementwise per example
            np.testing.assert_allclose(out, ref, rtol=1e-9, atol=1e-300, equal_nan=True)
            batch_like_loop(f, *moved(a, in_axes))


def test_the_batches_cross_the_branches():
    # the test above is only as strong as its data: in one batch, entries on both sides
    Z = (X - LOC) / np.where(SCALE > 0, SCALE, np.nan)
    assert (Z < 0).any() and (Z > 0).any() and np.isnan(Z).any()
    with np.errstate(divide="ignore"):
        for row in ((POS_X - POS_LOC) / POS_SCALE):  # each example in and out of [0, inf)
            assert (row < 0).any() and (row > 0).any()
    assert (Q_T == 0.5).any() and (Q_T < 1e-6).any() and ((Q_T > 0.2) & (Q_T < 0.8)).any()
    assert np.isinf(DF_T).any() and (DF_T > 20).any() and (DF_T < 0).any()
    gamma_median = st.gamma.median(A_G[A_G > 0])
    assert (POS_X[A_G > 0] < gamma_median).any() and (POS_X[A_G > 0] > gamma_median).any()


@pytest.mark.parametrize("name", REQUESTED + ["lognorm", "laplace", "logistic", "cauchy"])
@pytest.mark.parametrize("method", DENSITIES + ["ppf"])
def test_continuous_grads_under_vmap(name, method):
    f = _call(getattr(ws, name), method)
    args = _continuous_args(name, method)
    n = len(args)
    for j in range(n):
        in_axes = tuple(0 if i == j else None for i in range(n))
        grads_like_loop(f, shared(args, in_axes), in_axes, j)
    grads_like_loop(f, args, (0,) * n, tuple(range(n)))


def test_nested_vmap_and_forward_mode():
    # two vmaps (x's rows by loc's columns) and a jvp inside one
    f = wg.vmap(wg.vmap(lambda x, m: ws.norm.logcdf(x, m), in_axes=(None, 0)),
                in_axes=(0, None))
    out = f(X[:, 0], LOC[0])
    np.testing.assert_allclose(out, st.norm.logcdf(X[:, :1], LOC[0]), rtol=1e-12)
    g = wg.vmap(lambda x, df: wg.jvp(lambda x: ws.t.cdf(x, df), (x,), (1.0,))[1])
    np.testing.assert_allclose(g(X_T[:, 0], DF_T[:, 0]), st.t.pdf(X_T[:, 0], DF_T[:, 0]),
                               rtol=1e-10)


def test_frozen_distribution_under_vmap():
    f = lambda x, m, s: ws.gamma(2.0, loc=m, scale=s).logsf(x)  # noqa: E731
    batch_like_loop(f, [POS_X, POS_LOC, POS_SCALE], (0, 0, 0))


# ------------------------------------------------------------- discrete distributions

K = np.array([[-1.0, 0.0, 3.0], [2.5, 7.0, 1.0], [0.0, 20.0, -3.0], [4.0, 4.0, 100.0]])
MU = np.array([[1.0, 0.5, 3.0], [0.0, 2.0, -1.0], [10.0, 4.0, 1.5], [4.0, 0.1, 50.0]])
KLOC = np.array([[0.0, 0.0, 1.0], [-1.0, 2.0, 0.0], [0.0, 3.0, -2.0], [1.0, 0.0, 0.0]])
N_B = np.array([[5.0, 10.0, 3.0], [2.0, 7.0, -1.0], [4.0, 20.0, 6.0], [1.0, 3.0, 9.0]])
P_B = np.array([[0.3, 0.5, 0.9], [0.0, 1.0, 0.2], [0.7, 1.2, 0.05], [0.5, 0.4, 0.6]])
N_NB = np.array([[0.5, 2.0, 7.5], [3.0, -1.0, 1.0], [1.0, 5.0, 0.3], [2.5, 1.5, 4.0]])
DQ = np.array([[0.0, 0.3, 0.5], [1.0, 0.1, 0.9], [0.5, 1.2, 0.99], [0.01, -0.1, 0.7]])

DISCRETE = {
    "poisson": [MU],
    "binom": [N_B, P_B],
    "bernoulli": [P_B],
    "geom": [np.clip(P_B, 0.05, 1.0)],
    "nbinom": [N_NB, np.clip(P_B, 0.05, 1.0)],
}
MASSES = ["logpmf", "pmf", "cdf", "logcdf", "sf", "logsf"]


@pytest.mark.parametrize("name", list(DISCRETE))
@pytest.mark.parametrize("method", MASSES + ["ppf", "isf"])
def test_discrete_values_under_vmap(name, method):
    f = _call(getattr(ws, name), method)
    args = [DQ if method in ("ppf", "isf") else K, *DISCRETE[name], KLOC]
    for in_axes in axes_sets(len(args)):
        a = shared(args, in_axes)
        out = batch_like_loop(f, a, in_axes)
        if in_axes == (0,) * len(args):
            ref = getattr(getattr(st, name), method)(*a)
            np.testing.assert_allclose(out, ref, rtol=1e-9, atol=1e-300, equal_nan=True)
            batch_like_loop(f, *moved(a, in_axes))


@pytest.mark.parametrize("name", ["poisson", "binom", "nbinom"])
@pytest.mark.parametrize("method", MASSES)
def test_discrete_grads_under_vmap(name, method):
    f = _call(getattr(ws, name), method)
    args = [K, *DISCRETE[name], KLOC]
    n = len(args)
    for j in range(1, n - 1):  # the continuous parameters (k and loc are counts)
        if name == "binom" and j == 1:
            continue
        in_axes = tuple(0 if i == j else None for i in range(n))
        grads_like_loop(f, shared(args, in_axes), in_axes, j)
        grads_like_loop(f, args, (0,) * n, j)


# ----------------------------------------------------------------- multivariate normal

def _covs():
    rng = np.random.default_rng(0)
    m = rng.normal(size=(4, 3, 3))
    return m @ np.swapaxes(m, -1, -2) + np.array([0.5, 1.0, 2.0, 0.1])[:, None, None] * np.eye(3)


MV_X = np.random.default_rng(1).normal(size=(4, 3)) * [[1.0], [3.0], [0.5], [2.0]]
MV_MEAN = np.random.default_rng(2).normal(size=(4, 3))
MV_COV = _covs()


def _mvn(method):
    return lambda x, m, c: getattr(ws.multivariate_normal, method)(x, m, c)


@pytest.mark.parametrize("method", ["logpdf", "pdf"])
def test_multivariate_normal_under_vmap(method):
    f = _mvn(method)
    args = [MV_X, MV_MEAN, MV_COV]
    for in_axes in axes_sets(3):
        a = shared(args, in_axes)
        out = batch_like_loop(f, a, in_axes)
        ref = [getattr(st.multivariate_normal, method)(*(_take(v, i, ax)
                                                         for v, ax in zip(a, in_axes)))
               for i in range(4)]
        np.testing.assert_allclose(out, ref, rtol=1e-10)
        for j in range(3):
            grads_like_loop(f, a, in_axes, j)
    batch_like_loop(f, *moved(args, (0, 0, 0)))
    # several points per example, and a scalar or diagonal cov per example
    pts = np.stack([MV_X, -MV_X])            # (2 points, 4 examples, 3)
    batch_like_loop(f, [pts, MV_MEAN, MV_COV], (1, 0, 0))
    batch_like_loop(f, [MV_X, MV_MEAN, np.array([0.5, 1.0, 2.0, 3.0])], (0, 0, 0))
    batch_like_loop(f, [MV_X, MV_MEAN, np.abs(MV_MEAN) + 0.1], (0, 0, 0))
    grads_like_loop(f, [MV_X, MV_MEAN, np.abs(MV_MEAN) + 0.1], (0, 0, 0), (0, 1, 2))


def test_multivariate_normal_checks_every_example():
    covs = MV_COV.copy()
    covs[2] = np.diag([1.0, -1.0, 1.0])  # one example is not positive definite
    with pytest.raises(ValueError, match="positive semidefinite"):  # scipy's own words
        st.multivariate_normal.logpdf(MV_X[2], MV_MEAN[2], covs[2])
    with pytest.raises(ValueError, match="positive semidefinite"):
        wg.vmap(_mvn("logpdf"))(MV_X, MV_MEAN, covs)
    covs[2] = np.diag([1.0, 0.0, 1.0])
    with pytest.raises(np.linalg.LinAlgError, match="positive definite"):
        wg.vmap(_mvn("logpdf"))(MV_X, MV_MEAN, covs)
    with pytest.raises(ValueError, match="mean"):  # a shape check, on one example
        wg.vmap(_mvn("logpdf"))(MV_X, MV_MEAN[:, :2], MV_COV)


# ------------------------------------------------------------------------- dirichlet

ALPHA = np.array([[0.5, 2.0, 3.0], [1.0, 0.7, 4.0], [2.5, 1.5, 0.3], [1.0, 1.0, 1.0]])
DX = np.array([[0.2, 0.3, 0.5], [0.0, 0.6, 0.4], [0.7, 0.25, 0.05], [0.1, 0.1, 0.8]])


@pytest.mark.parametrize("method", ["logpdf", "pdf"])
def test_dirichlet_under_vmap(method):
    f = lambda x, a: getattr(ws.dirichlet, method)(x, a)  # noqa: E731
    # example 1 has x = 0 where its alpha is 1 (allowed); example 0's alpha there is
    # below 1, where a zero would be refused: a check on the whole batch would pair them
    for args, in_axes in (([DX, ALPHA], (0, 0)), ([DX[:, :2], ALPHA], (0, 0)),
                          ([DX, ALPHA[3]], (0, None)), ([DX[0], ALPHA], (None, 0))):
        out = batch_like_loop(f, args, in_axes)
        ref = [getattr(st.dirichlet, method)(*(_take(v, i, ax) for v, ax in zip(args, in_axes)))
               for i in range(4)]
        np.testing.assert_allclose(out, ref, rtol=1e-10)
    batch_like_loop(f, *moved([DX, ALPHA], (0, 0)))
    # several points per example (the components along the first axis)
    pts = np.stack([DX, DX[::-1]], axis=-1)  # (4 examples, 3 components, 2 points)
    batch_like_loop(f, [pts, ALPHA], (0, 0))
    inner = [DX[[0, 2, 3]], ALPHA[[0, 2, 3]]]  # no zeros: finite derivatives
    for j in range(2):
        grads_like_loop(f, inner, (0, 0), j)
        grads_like_loop(f, [inner[0], inner[1][0]], (0, None), j)
        grads_like_loop(f, [inner[0][0], inner[1]], (None, 0), j)


def test_dirichlet_checks_every_example():
    f = wg.vmap(ws.dirichlet.logpdf)
    bad = DX.copy()
    bad[2] = [0.5, 0.5, 0.5]
    with pytest.raises(ValueError, match="simplex") as err:
        f(bad, ALPHA)
    assert "1.5" in str(err.value)
    zero = DX.copy()
    zero[2] = [0.0, 0.5, 0.5]  # alpha 2.5 there: allowed
    f(zero, ALPHA)
    zero[2] = [0.5, 0.5, 0.0]  # alpha 0.3 there: refused, as scipy does
    with pytest.raises(ValueError, match="greater than zero if its alpha"):
        f(zero, ALPHA)
    a = ALPHA.copy()
    a[3, 1] = -1.0
    with pytest.raises(ValueError, match="greater than 0"):
        f(DX, a)


# ------------------------------------------------------------------------ multinomial

@pytest.mark.filterwarnings("ignore::FutureWarning")  # scipy: a p row not summing to 1
def test_multinomial_under_vmap():
    # example 1's p does not sum to 1 (its last entry is read as 1 minus the others),
    # example 2's x is not a count, example 3's n differs
    x = np.array([[1.0, 2.0, 0.0], [3.0, 0.0, 0.0], [0.5, 2.5, 0.0], [0.0, 1.0, 2.0]])
    n = np.array([3.0, 3.0, 3.0, 4.0])
    p = np.array([[0.2, 0.3, 0.5], [0.5, 0.5, 0.1], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]])
    f = lambda x, n, p: ws.multinomial.logpmf(x, n, p)  # noqa: E731
    for in_axes in axes_sets(3):
        a = shared([x, n, p], in_axes)
        out = batch_like_loop(f, a, in_axes)
        ref = [st.multinomial.logpmf(*(_take(v, i, ax) for v, ax in zip(a, in_axes)))
               for i in range(4)]
        np.testing.assert_allclose(out, ref, rtol=1e-10)
    grads_like_loop(f, [x[[0, 3]], n[[0, 3]], p[[0, 3]]], (0, 0, 0), 2)
