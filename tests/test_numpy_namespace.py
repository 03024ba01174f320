"""wengert.numpy offers every public name of numpy (issue 8, point 1).

* The building and shape functions (stacking, splitting, tiling, padding, rolling,
  flipping, triangles and diagonals, grids, ranges with traced end points, finite
  differences, cross products, select, and arrays built from lists holding traced
  values) give numpy's values for plain and traced inputs, and derivatives that agree
  with closed forms and with HIPS autograd.
* The constants ``*_like`` accept traced values and return plain arrays.
* Every public numpy name is present; the non-differentiable ones accept traced
  values, and a numpy function with no rule yet raises NotImplementedError naming the
  function and the mode on a traced value (never AttributeError).
"""

import warnings

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
from wengert.core.trace import Box

_rng = np.random.default_rng(8)


def R(*shape):
    return _rng.standard_normal(shape)


def D(*shape):
    """Distinct values well apart (no ties for maximum/minimum/median pads)."""
    n = int(np.prod(shape))
    return ((_rng.permutation(n) + 1.0) * 0.7 * np.where(_rng.random(n) < 0.5, -1, 1)
            ).reshape(shape)


def case(label, f, *args):
    return pytest.param(f, args, id=label)


# f(m, *xs) written once for m = numpy, wengert.numpy (and autograd.numpy)
CASES = [
    # stacking
    case("hstack-1d", lambda m, x, y: m.hstack([x, y]), R(3), R(2)),
    case("hstack-2d", lambda m, x, y: m.hstack((x, y)), R(2, 3), R(2, 1)),
    case("hstack-scalars", lambda m, x, y: m.hstack([x, y]), R(), R()),
    case("vstack-1d", lambda m, x, y: m.vstack([x, y]), R(3), R(3)),
    case("vstack-2d", lambda m, x, y: m.vstack((x, y)), R(2, 3), R(1, 3)),
    case("dstack-2d", lambda m, x, y: m.dstack([x, y]), R(2, 3), R(2, 3)),
    case("dstack-1d", lambda m, x, y: m.dstack([x, y]), R(3), R(3)),
    case("column_stack", lambda m, x, y: m.column_stack([x, y]), R(3), R(3, 2)),
    case("append-flat", lambda m, x, y: m.append(x, y), R(2, 3), R(2)),
    case("append-axis0", lambda m, x, y: m.append(x, y, axis=0), R(2, 3), R(1, 3)),
    case("append-axis1", lambda m, x, y: m.append(x, y, axis=1), R(2, 3), R(2, 2)),
    # splitting
    case("split-sections", lambda m, x: m.split(x, 3), R(6)),
    case("split-indices-axis1", lambda m, x: m.split(x, [1, 3], axis=1), R(2, 5)),
    case("array_split-uneven", lambda m, x: m.array_split(x, 3), R(7)),
    case("array_split-axis1", lambda m, x: m.array_split(x, [2, 10], axis=1), R(2, 5)),
    case("hsplit", lambda m, x: m.hsplit(x, 2), R(3, 4)),
    case("hsplit-1d", lambda m, x: m.hsplit(x, [1]), R(4)),
    case("vsplit", lambda m, x: m.vsplit(x, [1]), R(3, 2)),
    case("dsplit", lambda m, x: m.dsplit(x, 2), R(2, 2, 4)),
    # tiling and repeating
    case("tile-int", lambda m, x: m.tile(x, 2), R(3)),
    case("tile-more-reps", lambda m, x: m.tile(x, (2, 1, 2)), R(2, 3)),
    case("tile-fewer-reps", lambda m, x: m.tile(x, 2), R(2, 3)),
    case("tile-scalar", lambda m, x: m.tile(x, (2, 2)), R()),
    case("repeat-scalar", lambda m, x: m.repeat(x, 2), R(2, 3)),
    case("repeat-array-axis0", lambda m, x: m.repeat(x, [1, 0, 2], axis=0), R(3, 2)),
    case("repeat-axis-minus1", lambda m, x: m.repeat(x, 3, axis=-1), R(2, 2)),
    # padding
    case("pad-constant", lambda m, x: m.pad(x, 1), R(2, 3)),
    case("pad-constant-values", lambda m, x: m.pad(x, ((1, 0), (2, 1)),
                                                    constant_values=((1.5, 2.0), (-1, 3))),
         R(2, 3)),
    case("pad-edge", lambda m, x: m.pad(x, ((2, 1), (0, 3)), mode="edge"), R(2, 3)),
    case("pad-reflect", lambda m, x: m.pad(x, (2, 3), mode="reflect"), R(4)),
    case("pad-reflect-wide", lambda m, x: m.pad(x, 5, mode="reflect"), R(3)),
    case("pad-reflect-odd", lambda m, x: m.pad(x, (3, 2), mode="reflect",
                                                reflect_type="odd"), R(3, 2)),
    case("pad-symmetric", lambda m, x: m.pad(x, ((1, 2), (3, 1)), mode="symmetric"),
         R(2, 3)),
    case("pad-symmetric-odd", lambda m, x: m.pad(x, 4, mode="symmetric",
                                                  reflect_type="odd"), R(3)),
    case("pad-wrap", lambda m, x: m.pad(x, ((1, 3), (2, 2)), mode="wrap"), R(2, 3)),
    case("pad-linear_ramp", lambda m, x: m.pad(x, ((2, 1), (1, 3)), mode="linear_ramp",
                                                end_values=((1.0, -2.0), (0.5, 0))),
         R(2, 3)),
    case("pad-maximum", lambda m, x: m.pad(x, ((1, 2), (2, 0)), mode="maximum"), D(3, 3)),
    case("pad-minimum-stat", lambda m, x: m.pad(x, 2, mode="minimum", stat_length=2),
         D(4, 3)),
    case("pad-mean", lambda m, x: m.pad(x, ((1, 1), (2, 1)), mode="mean",
                                         stat_length=((2, 3), (1, 2))), R(3, 4)),
    case("pad-median", lambda m, x: m.pad(x, (2, 1), mode="median"), R(2, 4)),
    case("pad-median-stat", lambda m, x: m.pad(x, 1, mode="median", stat_length=3),
         D(5, 3)),
    # rolling, flipping, rotating
    case("roll-1d", lambda m, x: m.roll(x, 2), R(5)),
    case("roll-flat", lambda m, x: m.roll(x, -1), R(2, 3)),
    case("roll-axis", lambda m, x: m.roll(x, 1, axis=1), R(2, 3)),
    case("roll-axes", lambda m, x: m.roll(x, (1, -2), axis=(0, 1)), R(3, 4)),
    case("roll-same-axis-twice", lambda m, x: m.roll(x, (1, 2), axis=(1, 1)), R(2, 5)),
    case("rollaxis", lambda m, x: m.rollaxis(x, 2), R(2, 3, 4)),
    case("rollaxis-start", lambda m, x: m.rollaxis(x, 0, 2), R(2, 3, 4)),
    case("flip-all", lambda m, x: m.flip(x), R(2, 3)),
    case("flip-axis", lambda m, x: m.flip(x, 1), R(2, 3)),
    case("flip-axes", lambda m, x: m.flip(x, (0, 2)), R(2, 3, 2)),
    case("fliplr", lambda m, x: m.fliplr(x), R(2, 3)),
    case("flipud", lambda m, x: m.flipud(x), R(3)),
    case("rot90", lambda m, x: m.rot90(x), R(2, 3)),
    case("rot90-k2", lambda m, x: m.rot90(x, 2), R(2, 3)),
    case("rot90-k3", lambda m, x: m.rot90(x, 3), R(2, 3)),
    case("rot90-k-minus1-axes", lambda m, x: m.rot90(x, -1, axes=(1, 2)), R(2, 3, 4)),
    # diagonals and triangles
    case("diag-1d", lambda m, x: m.diag(x), R(3)),
    case("diag-1d-k1", lambda m, x: m.diag(x, 1), R(3)),
    case("diag-1d-k-minus2", lambda m, x: m.diag(x, k=-2), R(2)),
    case("diag-2d", lambda m, x: m.diag(x), R(3, 3)),
    case("diag-2d-k1", lambda m, x: m.diag(x, 1), R(3, 4)),
    case("diag-2d-k-minus1", lambda m, x: m.diag(x, -1), R(4, 3)),
    case("diagflat", lambda m, x: m.diagflat(x), R(2, 2)),
    case("diagflat-k", lambda m, x: m.diagflat(x, -1), R(3)),
    case("tril", lambda m, x: m.tril(x), R(3, 3)),
    case("tril-k", lambda m, x: m.tril(x, -1), R(3, 4)),
    case("triu", lambda m, x: m.triu(x), R(3, 3)),
    case("triu-k-batched", lambda m, x: m.triu(x, 1), R(2, 3, 3)),
    case("triu-1d", lambda m, x: m.triu(x), R(3)),
    # at least n dimensions
    case("atleast_1d", lambda m, x: m.atleast_1d(x), R()),
    case("atleast_2d", lambda m, x: m.atleast_2d(x), R(3)),
    case("atleast_2d-scalar", lambda m, x: m.atleast_2d(x), R()),
    case("atleast_3d-1d", lambda m, x: m.atleast_3d(x), R(3)),
    case("atleast_3d-2d", lambda m, x: m.atleast_3d(x), R(2, 3)),
    case("atleast_3d-many", lambda m, x, y: m.atleast_3d(x, y), R(), R(2, 3)),
    # grids and ranges
    case("meshgrid-xy", lambda m, x, y: m.meshgrid(x, y), R(3), R(2)),
    case("meshgrid-ij", lambda m, x, y: m.meshgrid(x, y, indexing="ij"), R(3), R(2)),
    case("meshgrid-sparse", lambda m, x, y, z: m.meshgrid(x, y, z, sparse=True),
         R(3), R(2), R(2)),
    case("meshgrid-3", lambda m, x, y, z: m.meshgrid(x, y, z), R(2), R(3), R(2)),
    case("linspace", lambda m, a, b: m.linspace(a, b, 5), R(), R()),
    case("linspace-no-endpoint", lambda m, a, b: m.linspace(a, b, 4, endpoint=False),
         R(), R()),
    case("linspace-arrays-axis1", lambda m, a, b: m.linspace(a, b, 3, axis=1), R(2), R(2)),
    case("linspace-axis-minus1", lambda m, a, b: m.linspace(a, b, 4, axis=-1), R(2, 1),
         R(3)),
    case("linspace-num1", lambda m, a, b: m.linspace(a, b, 1), R(), R()),
    case("linspace-retstep", lambda m, a, b: m.linspace(a, b, 3, retstep=True), R(), R()),
    case("linspace-plain-stop", lambda m, a: m.linspace(a, 2.0, 6), R()),
    case("logspace", lambda m, a, b: m.logspace(a, b, 4), R(), R()),
    case("logspace-base2", lambda m, a, b: m.logspace(a, b, 3, base=2.0, endpoint=False),
         R(2), R(2)),
    # finite differences
    case("diff", lambda m, x: m.diff(x), R(5)),
    case("diff-n2-axis0", lambda m, x: m.diff(x, n=2, axis=0), R(4, 3)),
    case("diff-prepend-append", lambda m, x: m.diff(x, prepend=0.5, append=[1.0, 2.0]),
         R(4)),
    case("diff-prepend-array", lambda m, x, p: m.diff(x, axis=1, prepend=p), R(2, 3),
         R(2, 1)),
    case("diff-n0", lambda m, x: m.diff(x, n=0), R(3)),
    case("gradient", lambda m, x: m.gradient(x), R(5)),
    case("gradient-spacing", lambda m, x: m.gradient(x, 0.5), R(5)),
    case("gradient-edge2", lambda m, x: m.gradient(x, edge_order=2), R(5)),
    case("gradient-coords", lambda m, x: m.gradient(x, np.array([0.0, 0.5, 1.5, 1.75, 3.0])),
         R(5)),
    case("gradient-coords-edge2", lambda m, x: m.gradient(
        x, np.array([0.0, 0.5, 1.5, 1.75, 3.0]), edge_order=2), R(5)),
    case("gradient-2d", lambda m, x: m.gradient(x), R(3, 4)),
    case("gradient-2d-axis", lambda m, x: m.gradient(x, 2.0, axis=1), R(3, 4)),
    case("gradient-2d-spacings", lambda m, x: m.gradient(x, 2.0, [0.0, 1.0, 1.5, 3.0],
                                                          edge_order=2), R(3, 4)),
    case("gradient-traced-spacing", lambda m, x, h: m.gradient(x, h), R(4), 0.7),
    # cross products
    case("cross", lambda m, a, b: m.cross(a, b), R(3), R(3)),
    case("cross-broadcast", lambda m, a, b: m.cross(a, b), R(4, 3), R(3)),
    case("cross-axes", lambda m, a, b: m.cross(a, b, axisa=0, axisb=1, axisc=0),
         R(3, 2), R(2, 3)),
    case("cross-axis", lambda m, a, b: m.cross(a, b, axis=0), R(3, 2), R(3, 2)),
    # select
    case("select", lambda m, x: m.select([x < -0.5, x > 0.5], [x * x, m.sin(x)]), R(6)),
    case("select-default", lambda m, x, d: m.select([x > 0], [x], default=d), R(2, 3),
         R(3)),
    # arrays from lists holding traced values
    case("array-list", lambda m, x: m.array([x, 2.0 * x, 1.0]), R()),
    case("array-nested", lambda m, x, y: m.array([[x, y], [y, x]]), R(2), R(2)),
    case("array-tuple-of-arrays", lambda m, x: m.array((x, x * x)), R(2, 3)),
    case("array-mixed", lambda m, x: m.array([[x[0], 1.0], [2.0, x[1]]]), R(2)),
    case("asarray-list", lambda m, x: m.asarray([x[1], x[0]]), R(2)),
    case("array-of-array", lambda m, x: m.array(x) * x, R(3)),
    case("array-ndmin", lambda m, x: m.array(x, ndmin=3), R(3)),
    # more assembling, selecting and rearranging
    case("block", lambda m, x, y: m.block([[x, y], [y, x]]), R(2, 2), R(2, 2)),
    case("block-1d", lambda m, x, y: m.block([x, 1.0, y]), R(3), R(2)),
    case("block-mixed-ndim", lambda m, x, y: m.block([[x], [y]]), R(3), R(2, 3)),
    case("delete", lambda m, x: m.delete(x, [0, 2], axis=1), R(2, 4)),
    case("delete-flat", lambda m, x: m.delete(x, slice(1, None, 2)), R(2, 3)),
    case("insert-scalar", lambda m, x: m.insert(x, 1, 5.0), R(4)),
    case("insert-traced-values", lambda m, x, v: m.insert(x, [1, 1], v, axis=1),
         R(2, 3), R(2)),
    case("insert-column", lambda m, x, v: m.insert(x, 2, v, axis=1), R(3, 2), R(3)),
    case("resize", lambda m, x: m.resize(x, (3, 4)), R(5)),
    case("resize-smaller", lambda m, x: m.resize(x, 4), R(2, 3)),
    case("compress", lambda m, x: m.compress([True, False, True], x, axis=0), R(3, 2)),
    case("compress-short", lambda m, x: m.compress([False, True], x), R(2, 2)),
    case("extract", lambda m, x: m.extract(np.array([[1, 0, 1], [0, 1, 1]]), x), R(2, 3)),
    case("choose", lambda m, x, y: m.choose(np.array([0, 1, 1, 0]), [x, y]), R(4), R(4)),
    case("choose-broadcast", lambda m, x, y: m.choose(np.array([[0], [1]]), (x, y)), R(3),
         R(2, 3)),
    case("choose-wrap", lambda m, x, y: m.choose(np.array([2, -1, 0]), [x, y], mode="wrap"),
         R(3), R(3)),
    case("trim_zeros", lambda m, x: m.trim_zeros(x * m.array([0.0, 1.0, 1.0, 0.0])), R(4)),
    case("ediff1d", lambda m, x: m.ediff1d(x, to_begin=[1.0, 2.0], to_end=-1.0), R(2, 2)),
    case("vander", lambda m, x: m.vander(x), R(3)),
    case("vander-increasing", lambda m, x: m.vander(x, 4, increasing=True), R(3)),
    case("geomspace", lambda m, a, b: m.geomspace(a, b, 4), 0.5 + R() ** 2, 1.0 + R() ** 2),
    case("geomspace-negative", lambda m, a, b: m.geomspace(-a, -b, 3, endpoint=False),
         0.5 + R() ** 2, 1.0 + R() ** 2),
    case("apply_along_axis", lambda m, x: m.apply_along_axis(lambda r: r * m.sum(r), 1, x),
         R(2, 3)),
    case("apply_along_axis-scalar", lambda m, x: m.apply_along_axis(m.sum, 0, x), R(2, 3)),
    case("apply_over_axes", lambda m, x: m.apply_over_axes(m.sum, x, [0, 2]), R(2, 3, 2)),
    case("piecewise", lambda m, x: m.piecewise(x, [x < 0, x >= 0], [lambda v: v * v, 2.0]),
         R(5)),
    case("piecewise-otherwise", lambda m, x: m.piecewise(x, [x < 0], [m.sin, m.cos]), R(5)),
]


def _leaves(out):
    if type(out).__name__ == "SequenceBox":  # autograd's traced list or tuple
        return [out[i] for i in range(len(out))]
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _assert_same(got, want):
    got, want = _leaves(got), _leaves(want)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert not isinstance(g, Box)
        assert np.shape(g) == np.shape(w)
        assert np.result_type(g) == np.result_type(w), (np.result_type(g), np.result_type(w))
        np.testing.assert_allclose(g, w, rtol=1e-14, atol=1e-15)


def _numpy(f, args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return f(np, *args)


@pytest.mark.parametrize("f, args", CASES)
def test_plain_values_are_numpys(f, args):
    _assert_same(f(wnp, *args), _numpy(f, args))


@pytest.mark.parametrize("f, args", CASES)
def test_traced_values_are_numpys(f, args):
    want = _numpy(f, args)
    rev, _ = wg.vjp(lambda *xs: f(wnp, *xs), *args)
    _assert_same(rev, want)
    tangents = tuple(np.ones_like(a) if np.ndim(a) else 1.0 for a in args)
    fwd, _ = wg.jvp(lambda *xs: f(wnp, *xs), args, tangents)
    _assert_same(fwd, want)


def _scalar(m, out):
    """A scalar with a nonzero second derivative in every output element."""
    total = 0.0
    for k, o in enumerate(_leaves(out)):
        total = total + m.sum(m.sin(o * (1.0 + 0.1 * k)))
    return total


@pytest.mark.parametrize("f, args", CASES)
def test_derivatives_check(f, args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        wg.check_grads(lambda *xs: _scalar(wnp, f(wnp, *xs)), modes=("fwd", "rev"),
                       order=2)(*args)


# cases where HIPS autograd's own gradient is wrong (checked against finite differences)
AUTOGRAD_WRONG = {
    "tile-fewer-reps": "autograd's tile VJP sums the wrong axes when reps is shorter "
                       "than the array's ndim",
    "repeat-axis-minus1": "autograd's repeat VJP reads a negative axis wrongly (axis=1 "
                          "gives the right gradient)",
}


@pytest.mark.parametrize("f, args", CASES)
def test_gradients_match_autograd(f, args, request):
    label = request.node.callspec.id
    if label in AUTOGRAD_WRONG:
        pytest.skip(AUTOGRAD_WRONG[label])
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    argnums = tuple(range(len(args)))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = autograd.grad(lambda *xs: _scalar(anp, f(anp, *xs)), argnums)(*args)
    except Exception as e:  # autograd has no rule, or no such option
        pytest.skip(f"autograd cannot differentiate this case: {type(e).__name__}: {e}")
    got = wg.grad(lambda *xs: _scalar(wnp, f(wnp, *xs)), argnums)(*args)
    for g, w in zip(_leaves(got), _leaves(want)):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------- closed forms

def test_closed_forms():
    x = R(3)
    ones = np.ones(3)
    np.testing.assert_allclose(wg.grad(lambda x: wnp.sum(wnp.tile(x, (2, 3))))(x), 6 * ones)
    np.testing.assert_allclose(wg.grad(lambda x: wnp.sum(wnp.repeat(x, [1, 0, 2])))(x),
                               [1.0, 0.0, 2.0])
    # edge padding: each end element is copied twice more
    np.testing.assert_allclose(wg.grad(lambda x: wnp.sum(wnp.pad(x, 2, mode="edge")))(x),
                               [3.0, 1.0, 3.0])
    # wrap: (1, 4) copies [x2] on the left and [x0, x1, x2, x0] on the right
    np.testing.assert_allclose(wg.grad(lambda x: wnp.sum(wnp.pad(x, (1, 4), "wrap")))(x),
                               [3.0, 2.0, 3.0])
    m = R(3, 3)
    np.testing.assert_allclose(wg.grad(lambda m: wnp.sum(wnp.diag(m)))(m), np.eye(3))
    np.testing.assert_allclose(wg.grad(lambda m: wnp.sum(wnp.tril(m)))(m),
                               np.tril(np.ones((3, 3))))
    # linspace: sum over n points from a to b is n (a + b) / 2
    a, b = 0.3, 1.7
    np.testing.assert_allclose(wg.grad(lambda a, b: wnp.sum(wnp.linspace(a, b, 7)),
                                       (0, 1))(a, b), (3.5, 3.5))
    np.testing.assert_allclose(wg.derivative(lambda b: wnp.linspace(0.0, b, 5))(2.0),
                               np.linspace(0.0, 1.0, 5))
    # d/db of b**t at the points t of logspace(0, 1, 3, base=b) ... in the exponents
    np.testing.assert_allclose(
        wg.derivative(lambda s: wnp.logspace(0.0, s, 3))(1.0),
        np.log(10.0) * np.linspace(0.0, 1.0, 3) * np.logspace(0.0, 1.0, 3))
    # cross(a, b) = [a]x b: its Jacobian in b is the skew matrix of a
    a3, b3 = R(3), R(3)
    skew = np.array([[0.0, -a3[2], a3[1]], [a3[2], 0.0, -a3[0]], [-a3[1], a3[0], 0.0]])
    np.testing.assert_allclose(wg.jacobian(lambda b: wnp.cross(a3, b))(b3), skew)
    np.testing.assert_allclose(wg.jacobian(lambda a: wnp.cross(a, b3))(a3), -np.array(
        [[0.0, -b3[2], b3[1]], [b3[2], 0.0, -b3[0]], [-b3[1], b3[0], 0.0]]))
    # array([x, 2x]) has derivative [1, 2] (forward) and gradient 3 of its sum
    np.testing.assert_allclose(wg.derivative(lambda x: wnp.array([x, 2.0 * x]))(0.5),
                               [1.0, 2.0])
    assert wg.grad(lambda x: wnp.sum(wnp.array([x, 2.0 * x])))(0.5) == 3.0
    # np.gradient of a quadratic with edge_order=2 is exact, so it is linear in f
    # with the weights of the central and one-sided formulas
    f = R(5)
    jac = wg.jacobian(lambda f: wnp.gradient(f, 0.5, edge_order=2))(f)
    np.testing.assert_allclose(jac[0, :3], [-3.0, 4.0, -1.0])
    np.testing.assert_allclose(jac[2], [0.0, -1.0, 0.0, 1.0, 0.0])
    np.testing.assert_allclose(jac[-1, -3:], [1.0, -4.0, 3.0])


def test_grad_of_a_traced_spacing():
    # gradient(f, h) = gradient(f, 1) / h, so its derivative in h is -gradient(f, 1)/h^2
    f, h = R(5), 0.7
    got = wg.grad(lambda h: wnp.sum(wnp.gradient(f, h)))(h)
    np.testing.assert_allclose(got, -np.sum(np.gradient(f)) / h ** 2, rtol=1e-12)


# ----------------------------------------------------------- the constants *_like

@pytest.mark.parametrize("name, extra", [("zeros_like", ()), ("ones_like", ()),
                                         ("empty_like", ()), ("full_like", (2.5,))])
def test_like_constants_accept_traced_values(name, extra):
    x = R(2, 3).astype(np.float32)
    seen = []

    def f(x):
        out = getattr(wnp, name)(x, *extra)
        seen.append(out)
        return wnp.sum(x * 2.0)

    wg.grad(f)(x)
    wg.jvp(f, (x,), (np.ones_like(x),))
    want = getattr(np, name)(x, *extra)
    for out in seen:
        assert type(out) is np.ndarray
        assert out.shape == want.shape and out.dtype == want.dtype
        if name != "empty_like":
            np.testing.assert_array_equal(out, want)
    assert getattr(wnp, name)(x, *extra, dtype=np.int32).dtype == np.int32
    assert getattr(wnp, name)(x, *extra, shape=(4,)).shape == (4,)


def test_full_like_with_a_traced_fill_value_is_differentiable():
    x = R(2, 3)
    assert wg.grad(lambda v: wnp.sum(wnp.full_like(x, v)))(1.5) == 6.0
    assert wg.grad(lambda v: wnp.sum(wnp.full((2, 2), v)))(1.5) == 4.0


# --------------------------------------------------- array from traced pieces

def test_array_plain_input_is_numpys_own():
    for obj in ([1, 2, 3], [[1.0, 2.0]], (1, 2.5), 3.0, np.arange(3)):
        for fn in ("array", "asarray", "asanyarray", "ascontiguousarray"):
            _assert_same(getattr(wnp, fn)(obj), getattr(np, fn)(obj))
    a = np.arange(3.0)
    assert wnp.asarray(a) is a and wnp.array(a) is not a
    assert wnp.array([1, 2], dtype=np.float32).dtype == np.float32


def test_array_of_traced_values_respects_dtype():
    def f(x):
        out = wnp.array([x, 2.0 * x], dtype=np.float32)
        assert out.dtype == np.float32
        return wnp.sum(out)
    assert wg.grad(f)(np.float32(1.5)) == 3.0


def test_array_copies_a_traced_value_and_asarray_does_not():
    def f(x):
        assert wnp.asarray(x) is x and wnp.asanyarray(x) is x
        y = wnp.array(x)
        assert y is not x
        y[0] = 0.0  # a write into the copy leaves x alone
        return wnp.sum(x * y)
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(wg.grad(f)(x), [0.0, 4.0, 6.0])


def test_ragged_lists_are_refused():
    with pytest.raises(ValueError):
        wg.grad(lambda x: wnp.sum(wnp.array([x, [1.0, 2.0]])))(1.0)


# ------------------------------------------------------------------- r_ and c_

@pytest.mark.parametrize("f, args", [
    case("r_", lambda m, x, y: m.r_[x, 0.5, y], R(3), R(2)),
    case("r_-scalars", lambda m, x, y: m.r_[x, y, 1.0], R(), R()),
    case("r_-slice", lambda m, x: m.r_[x, 0:3, 1:2:3j], R(2)),
    case("r_-directive", lambda m, x, y: m.r_["0,2", x, y], R(3), R(3)),
    case("r_-axis-directive", lambda m, x, y: m.r_["-1", x, y], R(2, 2), R(2, 1)),
    case("r_-trans1d", lambda m, x, y: m.r_["0,2,0", x, y], R(3), R(3)),
    case("c_", lambda m, x, y: m.c_[x, y], R(3), R(3)),
    case("c_-matrix", lambda m, x, y: m.c_[x, y, x], R(2, 2), R(2, 1)),
])
def test_index_tricks_accept_traced_pieces(f, args):
    want = f(np, *args)
    _assert_same(f(wnp, *args), want)
    rev, _ = wg.vjp(lambda *xs: f(wnp, *xs), *args)
    _assert_same(rev, want)
    wg.check_grads(lambda *xs: _scalar(wnp, f(wnp, *xs)), modes=("fwd", "rev"),
                   order=2)(*args)


def test_index_tricks_plain_is_numpys():
    assert wnp.r_[1:4, 0, 5.0].tolist() == np.r_[1:4, 0, 5.0].tolist()
    assert wnp.c_[np.ones(2), np.zeros(2)].shape == (2, 2)


# ----------------------------------------------------------- the whole namespace

_PUBLIC = sorted(n for n in dir(np) if not n.startswith("_"))


def test_every_public_numpy_name_is_present():
    missing = [n for n in _PUBLIC + ["__version__"] if not hasattr(wnp, n)]
    assert not missing, f"wengert.numpy lacks {len(missing)} numpy names: {missing}"
    assert wnp.__version__ == np.__version__
    assert set(_PUBLIC) <= set(dir(wnp))


def test_constants_dtypes_and_modules_are_numpys_own():
    for name in ["pi", "e", "inf", "euler_gamma", "newaxis", "float32", "float64", "int64",
                 "dtype", "finfo", "iinfo", "ndarray", "bool_", "complex64", "generic",
                 "floating", "errstate", "random", "testing", "ma", "lib", "typing",
                 "exceptions", "dtypes", "index_exp", "s_", "mgrid", "ogrid"]:
        assert getattr(wnp, name) is getattr(np, name), name
    assert np.isnan(wnp.nan)


def _nondiff_uses():
    x = np.array([[0.5, -1.0, 0.0], [2.0, 0.0, 3.0]])
    return x, [
        ("allclose", lambda v: wnp.allclose(v, x)),
        ("isclose", lambda v: wnp.isclose(v, x)),
        ("array_equal", lambda v: wnp.array_equal(v, x)),
        ("array_equiv", lambda v: wnp.array_equiv(v, x)),
        ("isrealobj", wnp.isrealobj), ("iscomplexobj", wnp.iscomplexobj),
        ("iscomplex", wnp.iscomplex), ("isreal", wnp.isreal),
        ("isscalar", wnp.isscalar), ("ndim", wnp.ndim), ("shape", wnp.shape),
        ("size", wnp.size), ("argmax", wnp.argmax), ("argmin", wnp.argmin),
        ("argwhere", wnp.argwhere), ("nonzero", wnp.nonzero),
        ("flatnonzero", wnp.flatnonzero), ("count_nonzero", wnp.count_nonzero),
        ("floor", wnp.floor), ("round", wnp.round), ("around", wnp.around),
        ("sign", wnp.sign), ("fix", wnp.fix), ("signbit", wnp.signbit),
        ("isneginf", wnp.isneginf), ("isposinf", wnp.isposinf),
        ("searchsorted", lambda v: wnp.searchsorted(np.array([0.0, 1.0]), v)),
        ("digitize", lambda v: wnp.digitize(v, np.array([0.0, 1.0]))),
        ("result_type", wnp.result_type),
        ("logical_and", lambda v: wnp.logical_and(v > 0, v < 2)),
        ("logical_not", lambda v: wnp.logical_not(v)),
        ("isin", lambda v: wnp.isin(v, [0.0, 3.0])),
        ("lexsort", lambda v: wnp.lexsort(v)),
        ("array_str", wnp.array_str), ("array_repr", wnp.array_repr),
        ("array2string", wnp.array2string),
        ("tril_indices_from", wnp.tril_indices_from),
        ("diag_indices_from", lambda v: wnp.diag_indices_from(v[:, :2])),
        ("may_share_memory", lambda v: wnp.may_share_memory(v, x)),
        ("nanargmax", wnp.nanargmax),
    ]


@pytest.mark.parametrize("mode", ["rev", "fwd"])
def test_non_differentiable_functions_accept_traced_values(mode):
    x, uses = _nondiff_uses()
    got = {}

    def f(v):
        for name, use in uses:
            out = use(v)
            for leaf in _leaves(out):
                assert not isinstance(leaf, Box), name
            got[name] = out
        return wnp.sum(v)

    if mode == "rev":
        wg.grad(f)(x)
    else:
        wg.jvp(f, (x,), (np.ones_like(x),))
    for name, use in uses:
        want = use(x)
        if isinstance(want, str):
            assert got[name] == want, name
        else:
            for g, w in zip(_leaves(got[name]), _leaves(want)):
                np.testing.assert_array_equal(g, w, err_msg=name)


def _fallback_names():
    """numpy's public names that wengert.numpy serves through its fallback: neither
    a rule nor an entry of the non-differentiable table."""
    from wengert.numpy._namespace import LAZY_MODULES
    defined = set(vars(wnp)) | LAZY_MODULES  # numpy's submodules, loaded on first use
    return [n for n in _PUBLIC if n not in defined]


def test_fallback_names_are_numpy_functions():
    for n in _fallback_names():
        obj = getattr(np, n)
        assert callable(obj) and not isinstance(obj, type), (
            f"numpy.{n} is a {type(obj).__name__}: list it in the table of "
            f"wengert/numpy/_namespace.py instead of leaving it to the fallback")


@pytest.fixture
def without_rule(monkeypatch):
    """A numpy function whose rule is taken away for the test, so the fallback serves
    it (every public numpy name has its treatment now; the mechanism stays tested)."""
    from wengert.numpy import _namespace
    name = "unwrap"
    monkeypatch.delitem(vars(wnp), name)
    monkeypatch.setattr(_namespace, "_served", {})
    assert name in _fallback_names()
    return name


@pytest.mark.parametrize("mode, words", [("rev", "reverse mode"), ("fwd", "forward mode")])
def test_functions_without_a_rule_refuse_traced_values(mode, words, without_rule):
    x = np.array([0.25, 0.5, 0.75])
    wrong = []
    for name in _fallback_names():
        fn = getattr(wnp, name)

        def f(v):
            return fn(v)

        try:
            if mode == "rev":
                wg.grad(lambda v: wnp.sum(f(v)))(x)
            else:
                wg.jvp(f, (x,), (np.ones_like(x),))
        except NotImplementedError as e:
            if f"numpy.{name} has no derivative rule in wengert ({words})" not in str(e):
                wrong.append(f"{name}: {e}")
        except Exception as e:
            wrong.append(f"{name}: {type(e).__name__}: {e}")
        else:
            wrong.append(f"{name}: no error")
    assert not wrong, "\n".join(wrong)


def test_functions_without_a_rule_call_numpy_on_plain_values(without_rule):
    x = np.array([0.25, 0.5, 0.75])
    np.testing.assert_array_equal(getattr(wnp, without_rule)(x),
                                  getattr(np, without_rule)(x))


def test_the_refusal_is_also_a_type_error_for_numpys_protocols(without_rule):
    """numpy's own function on a traced value reaches the fallback through
    __array_function__; the error stays the TypeError that protocol users expect."""
    with pytest.raises(TypeError, match=f"numpy.{without_rule} has no derivative rule"):
        wg.grad(lambda v: np.sum(getattr(np, without_rule)(v)))(np.array([0.25, 0.5]))


def test_unknown_names_are_still_attribute_errors():
    with pytest.raises(AttributeError):
        wnp.no_such_numpy_function
    assert not hasattr(wnp, "_private_thing")
