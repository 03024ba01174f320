"""Assignment into traced arrays: ``x[idx] = y`` and ``x[idx] += y`` (Box.__setitem__
over the primitive index_update), and the error for a traced value stored into a
plain ndarray.

Semantics pinned here:

* ``x[idx] = y`` makes x the updated array: every name bound to x sees it (aliases
  behave like a numpy array's); a slice taken before the assignment keeps the old
  values (slices of traced values are copies, not views).
* the array passed to a transform is never written to; a plain call (nothing traced)
  is plain numpy and writes into its argument as numpy does.
* a position written twice by an advanced index keeps numpy's choice (the last
  write) and only that write gets a derivative; ``x[[1, 1]] += y`` adds once, as in
  numpy (get, add, set).
* a value traced by an inner transform cannot be stored into an array of an outer one.

The derivative sweep (check_grads to order 2 in both modes) is in
tests/rules/specs_sorting.py (the index_update rows).
"""

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp

MASK = np.array([[True, False, True], [False, True, True]])


def _set(idx):
    def f(x, y):
        z = x * 1.0
        z[idx] = y
        return wnp.sum(wnp.sin(z) * z)
    return f


def _add(idx):
    def f(x, y):
        z = x * 1.0
        z[idx] += y
        return wnp.sum(wnp.sin(z) * z)
    return f


FORMS = [
    pytest.param(_set(1), np.linspace(-1, 1, 4), 0.3, id="x[i]=y"),
    pytest.param(_set(np.s_[1:3]), np.linspace(-1, 1, 8).reshape(4, 2),
                 np.array([0.3, -0.7]), id="x[1:3]=y-broadcast"),
    pytest.param(_set(MASK), np.linspace(-1, 1, 6).reshape(2, 3), 0.0, id="x[mask]=0"),
    pytest.param(_add(MASK), np.linspace(-1, 1, 6).reshape(2, 3),
                 np.array([0.1, 0.2, 0.3, 0.4]), id="x[mask]+=y"),
    pytest.param(_set([0, 2]), np.linspace(-1, 1, 3), np.array([0.5, -0.25]),
                 id="x[[0,2]]=y"),
    pytest.param(_set((Ellipsis, [2, 0])), np.linspace(-1, 1, 6).reshape(2, 3),
                 np.array([[0.5], [0.25]]), id="x[...,[2,0]]=y"),
]


@pytest.mark.parametrize("f, x, y", FORMS)
def test_check_grads_order_2(f, x, y):
    wg.check_grads(f, modes=("fwd", "rev"), order=2)(x, y)


@pytest.mark.parametrize("f, x, y", FORMS)
def test_transforms_agree(f, x, y):
    # grad (reverse), jacfwd (forward) and jacrev agree, in x and in y (both traced:
    # with x a constant, z = x * 1.0 would be a plain ndarray that cannot hold y)
    g = wg.grad(f, (0, 1))(x, y)
    for jac in (wg.jacfwd, wg.jacrev):
        for a, b in zip(jac(f, (0, 1))(x, y), g):
            np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize("f, x, y", FORMS)
def test_hessian_agrees_with_jacrev_of_jacrev_and_forward_over_reverse(f, x, y):
    h = wg.hessian(f)(x, y)
    np.testing.assert_allclose(h, wg.jacrev(wg.jacrev(f))(x, y), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(h, wg.jacfwd(wg.jacrev(f))(x, y), rtol=1e-12, atol=1e-14)


def test_golden_values():
    def f(x, y):
        z = x * 1.0
        z[0] = y * y
        return wnp.sum(z * z)

    x = np.array([1.0, 2.0, 3.0])
    # sum = y**4 + 4 + 9: d/dx = (0, 4, 6), d/dy = 4 y**3
    gx, gy = wg.grad(f, (0, 1))(x, 2.0)
    np.testing.assert_array_equal(gx, [0.0, 4.0, 6.0])
    assert gy == 32.0
    out, t = wg.jvp(f, (x, 2.0), (np.ones(3), 1.0))
    assert (out, t) == (29.0, 10.0 + 32.0)
    # 12 y**2; x is made traced with y so that z can hold y
    assert wg.hessian(lambda y: f(x + 0.0 * y, y))(2.0) == 48.0


def test_assigning_into_an_untraced_array_made_traced():
    # the advice the error gives: make the target traced, then assign
    def f(y):
        a = wnp.zeros(3) + 0.0 * y
        a[1] = y * y
        a[2] = 3.0 * y
        return a

    np.testing.assert_array_equal(wg.jacfwd(f)(2.0), [0.0, 4.0, 3.0])
    np.testing.assert_array_equal(wg.jacrev(f)(2.0), [0.0, 4.0, 3.0])


def test_list_of_traced_values_is_stacked():
    def f(x):
        z = x * 1.0
        z[:2] = [x[2] * x[2], 2.0 * x[0]]
        return z

    np.testing.assert_array_equal(f(np.array([1.0, 2.0, 3.0])), [9.0, 2.0, 3.0])
    np.testing.assert_array_equal(wg.jacrev(f)(np.array([1.0, 2.0, 3.0])),
                                  [[0.0, 0.0, 6.0], [2.0, 0.0, 0.0], [0.0, 0.0, 1.0]])


# ---------------------------------------------------------------- aliasing semantics

def test_aliases_and_views_see_the_assignment_as_in_numpy():
    seen = {}

    def f(x):
        z = x * 1.0
        alias = z
        before = z[0:2]  # a view in numpy: it sees the write below
        copied = z[[0, 1]]  # advanced indexing copies: it does not
        z[0] = 10.0 * x[1]
        seen["alias"] = wg.stop_gradient(alias)
        seen["before"] = wg.stop_gradient(before)
        seen["copied"] = wg.stop_gradient(copied)
        return wnp.sum(alias) + wnp.sum(before * copied)

    x = np.array([1.0, 2.0, 3.0])
    plain = f(x)
    value, g = wg.value_and_grad(f)(x)
    assert value == plain
    np.testing.assert_array_equal(seen["alias"], [20.0, 2.0, 3.0])
    np.testing.assert_array_equal(seen["before"], [20.0, 2.0])
    np.testing.assert_array_equal(seen["copied"], [1.0, 2.0])
    # sum(z) + 10 x1 x0 + x1 x1 with z = (10 x1, x1, x2)
    np.testing.assert_allclose(g, [10.0 * 2.0, 11.0 + 10.0 * 1.0 + 2 * 2.0, 1.0])


def test_the_callers_array_is_not_written_to():
    x = np.array([1.0, 2.0, 3.0])

    def f(x):
        z = x + 0.0
        z[0] = 5.0
        return wnp.sum(z * x)

    for transform in (wg.grad(f), wg.jacfwd(f), wg.hessian(f)):
        transform(x)
        np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])


def test_a_plain_call_is_plain_numpy():
    x = np.array([1.0, 2.0, 3.0])
    z = x.copy()
    z[[0, 2]] = np.array([7.0, 8.0])  # no trace: numpy's own assignment
    np.testing.assert_array_equal(z, [7.0, 2.0, 8.0])


def test_assigning_into_the_input_itself_under_forward_mode():
    def f(x):
        x[0] = 5.0
        return wnp.sum(x * x)

    x = np.ones(3)
    np.testing.assert_array_equal(wg.jacfwd(f)(x), [0.0, 2.0, 2.0])
    np.testing.assert_array_equal(x, np.ones(3))


def test_assigning_into_the_input_itself_under_reverse_mode():
    def f(x):
        x[0] = 5.0
        return wnp.sum(x * x)

    np.testing.assert_array_equal(wg.grad(f)(np.ones(3)), [0.0, 2.0, 2.0])


@pytest.mark.xfail(strict=True, reason="an inner reverse tape keeps an outer traced "
                   "value it used as the object itself, so assigning into that value "
                   "later changes what the inner backward pass reads")
def test_assigning_into_a_captured_outer_value_after_an_inner_transform_used_it():
    def outer(x):
        def inner(y):
            z = x * y
            x[0] = 5.0
            return wnp.sum(z)
        return wg.grad(inner)(1.0)

    assert outer(np.ones(3)) == 3.0


# ---------------------------------------------------------------- repeated indices

def test_repeated_index_last_write_wins_and_only_it_has_a_derivative():
    idx = [0, 2, 0]

    def f(y):
        z = wnp.zeros(3) + 0.0 * y[0]
        z[idx] = y
        return z

    y = np.array([1.0, 2.0, 3.0])
    want = np.zeros(3)
    want[idx] = y
    np.testing.assert_array_equal(f(y), want)  # numpy keeps the last write
    np.testing.assert_array_equal(wg.vjp(f, y)[0], want)
    j = np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    np.testing.assert_array_equal(wg.jacrev(f)(y), j)
    np.testing.assert_array_equal(wg.jacfwd(f)(y), j)


def test_repeated_pairs_in_2d_follow_numpy():
    rows, cols = np.array([0, 1, 0, 0]), np.array([2, 0, 2, 2])

    def f(x, y):
        z = x * 1.0
        z[rows, cols] = y
        return z

    x, y = np.zeros((2, 3)), np.array([1.0, 2.0, 3.0, 4.0])
    want = x.copy()
    want[rows, cols] = y
    np.testing.assert_array_equal(wg.vjp(f, x, y)[0], want)
    jy = wg.jacrev(f, (0, 1))(x, y)[1]
    np.testing.assert_array_equal(jy, wg.jacfwd(f, (0, 1))(x, y)[1])
    # every written place depends on exactly the y that numpy kept there
    kept = want[rows, cols]
    for k in range(4):
        assert jy[rows[k], cols[k], k] == (1.0 if y[k] == kept[k] else 0.0)


def test_iadd_with_a_repeated_index_adds_once_like_numpy():
    def f(x, y):
        z = x * 1.0
        z[[1, 1]] += y
        return z

    x, y = np.zeros(3), np.array([1.0, 2.0])
    want = x.copy()
    want[[1, 1]] += y
    np.testing.assert_array_equal(wg.vjp(f, x, y)[0], want)
    np.testing.assert_array_equal(wg.jacrev(f, (0, 1))(x, y)[1],
                                  [[0.0, 0.0], [0.0, 1.0], [0.0, 0.0]])


# ---------------------------------------------------------------- nesting

def test_outer_value_into_inner_array():
    # z is traced by the inner transform, c by the outer one: allowed
    def g(c):
        def inner(x):
            z = x * 1.0
            z[0] = c * c
            return wnp.sum(z * x)
        return wnp.sum(wg.grad(inner)(np.array([1.0, 2.0])))

    # grad_x = (c**2, 2 * x1) -> sum = c**2 + 4, d/dc = 2c
    assert wg.grad(g)(3.0) == 6.0
    assert wg.jacfwd(g)(3.0) == 6.0


def test_inner_value_into_outer_array_is_refused():
    def outer(x):
        z = x * 1.0

        def inner(y):
            z[0] = y
            return wnp.sum(z)
        return wg.grad(inner)(1.0)

    with pytest.raises(TypeError, match="nested inside the one that traces x.*wnp.where"):
        wg.grad(lambda x: wnp.sum(outer(x)))(np.ones(3))


def test_jvp_of_grad_with_assignment_in_both_levels():
    def f(x):
        z = x * x
        z[1] = wnp.sin(x[0])
        return wnp.sum(z * z)

    x = np.array([0.3, -0.4, 0.9])
    hv = wg.jvp(wg.grad(f), (x,), (np.array([1.0, 0.0, 0.0]),))[1]
    np.testing.assert_allclose(hv, wg.hessian(f)(x)[:, 0], rtol=1e-12)


# ------------------------------------------ a traced value into a plain ndarray

@pytest.mark.parametrize("store", [
    pytest.param(lambda a, x: a.__setitem__(slice(0, 2), x[:2]), id="slice"),
    pytest.param(lambda a, x: a.__setitem__([0, 1], x[:2]), id="index-array"),
    pytest.param(lambda a, x: a.__setitem__(a > 0, x[:2]), id="mask"),
    pytest.param(lambda a, x: np.asarray(x), id="np.asarray"),
    pytest.param(lambda a, x: np.array([x[0], x[1]]), id="np.array-of-list"),
])
def test_traced_into_plain_array_says_how_to_write_it(store):
    def f(x):
        a = np.array([1.0, 1.0, -1.0])
        store(a, x)
        return wnp.sum(x)

    with pytest.raises(TypeError, match=r"drop.*derivative.*wnp\.stack.*make the target "
                                        r"traced"):
        wg.grad(f)(np.ones(3))


@pytest.mark.parametrize("transform", [wg.grad, wg.jacfwd])
def test_traced_scalar_into_plain_array_says_how_to_write_it(transform):
    # numpy calls float() here; a box is indexable but not a Python sequence, so
    # numpy lets its TypeError through (not "setting an array element with a
    # sequence"), with the advice
    def f(x):
        a = np.zeros(3)
        a[0] = x * 2.0
        return x

    with pytest.raises(TypeError) as info:
        transform(f)(1.0)
    cause = info.value
    assert "would drop its derivative" in str(cause)
    assert "a[i] = x with a plain ndarray" in str(cause)
    assert "wnp.stack" in str(cause)
