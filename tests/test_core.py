"""The AD core on plain Python floats: operators only, no ``wengert.numpy`` calls.

Also: pytrees as arguments, results and gradients; a chain of a million operations
(no recursion, memory released); threads and asyncio tasks computing gradients at
the same time.
"""

import asyncio
import collections
import gc
import math
import sys
import threading

import numpy as np
import pytest

import wengert as wg
from wengert.core.forward import ForwardTrace
from wengert.core.reverse import ReverseTrace
from wengert.core.trace import Box


def _is_plain_scalar(r):
    return isinstance(r, (float, np.floating)) and not isinstance(r, Box)


def _central(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


# ---------------------------------------------------------------- operators on floats
#
# name -> (f, closed-form f', point)

OPERATORS = {
    "add": (lambda x: x + 2.0 + x, lambda x: 2.0, 1.3),
    "radd": (lambda x: 2.0 + x, lambda x: 1.0, 1.3),
    "sub": (lambda x: x - 5.0, lambda x: 1.0, 1.3),
    "rsub": (lambda x: 2.0 - x - x, lambda x: -2.0, 1.3),
    "mul": (lambda x: 3.0 * x * x, lambda x: 6.0 * x, 1.3),
    "mul_int_constants": (lambda x: 3 * x * 2, lambda x: 6.0, 1.3),
    "div": (lambda x: x / 4.0, lambda x: 0.25, 1.3),
    "rdiv": (lambda x: 1.0 / x, lambda x: -1.0 / x ** 2, 1.3),
    "div_both": (lambda x: (x + 1.0) / (x * x), lambda x: -1.0 / x ** 2 - 2.0 / x ** 3, 1.3),
    "pow_int": (lambda x: x ** 3, lambda x: 3.0 * x ** 2, 1.3),
    "pow_float": (lambda x: x ** 2.5, lambda x: 2.5 * x ** 1.5, 1.3),
    "pow_negative": (lambda x: x ** -2, lambda x: -2.0 * x ** -3, 1.3),
    "rpow": (lambda x: 2.0 ** x, lambda x: math.log(2.0) * 2.0 ** x, 1.3),
    "pow_self": (lambda x: x ** x, lambda x: x ** x * (math.log(x) + 1.0), 1.3),
    "neg": (lambda x: -x, lambda x: -1.0, 1.3),
    "pos": (lambda x: +x * 2.0, lambda x: 2.0, 1.3),
    "abs_negative": (lambda x: abs(x), lambda x: -1.0, -1.3),
    "abs_positive": (lambda x: abs(x) * x, lambda x: 2.0 * x, 1.3),
    "builtin_sum": (lambda x: sum([x, x * x, 1.0]), lambda x: 1.0 + 2.0 * x, 1.3),
    "builtin_max": (lambda x: max(x, 2.0 * x), lambda x: 2.0, 1.3),
    "if_branch_taken": (lambda x: x * x if x > 1.0 else -x, lambda x: 2.0 * x, 1.3),
    "if_branch_other": (lambda x: x * x if x > 1.0 else -x, lambda x: -1.0, 0.5),
    "floordiv_plus_x": (lambda x: x // 1.0 + x, lambda x: 1.0, 1.3),
    "polynomial": (lambda x: 4.0 * x ** 3 - 3.0 * x ** 2 + x - 7.0,
                   lambda x: 12.0 * x ** 2 - 6.0 * x + 1.0, -0.4),
    "rational": (lambda x: (x * x - 1.0) / (x * x + 1.0),
                 lambda x: 4.0 * x / (x * x + 1.0) ** 2, 0.8),
}


@pytest.mark.parametrize("name", sorted(OPERATORS))
def test_operator_reverse_mode(name):
    f, df, x = OPERATORS[name]
    g = wg.grad(f)(x)
    assert _is_plain_scalar(g)
    assert g == pytest.approx(df(x), rel=1e-13, abs=1e-15)


@pytest.mark.parametrize("name", sorted(OPERATORS))
def test_operator_forward_mode(name):
    f, df, x = OPERATORS[name]
    out, t = wg.jvp(f, (x,), (1.0,))
    assert _is_plain_scalar(out) and _is_plain_scalar(t)
    assert out == pytest.approx(f(x), rel=1e-15)
    assert t == pytest.approx(df(x), rel=1e-13, abs=1e-15)


@pytest.mark.parametrize("name", sorted(OPERATORS))
def test_operator_closed_form_is_right(name):
    # the table's derivatives themselves, against central differences
    f, df, x = OPERATORS[name]
    assert _central(f, x) == pytest.approx(df(x), rel=1e-6, abs=1e-8)


def test_mod_operator_derivative():
    # d(x mod c)/dx = 1 away from the jumps (mod was once registered non-differentiable)
    assert wg.grad(lambda x: x % 1.0)(1.3) == pytest.approx(1.0)


def test_value_of_traced_function_is_plain_float():
    value, g = wg.value_and_grad(lambda x: x * x + 1.0)(3.0)
    assert type(value) is float and value == 10.0
    assert type(g) is float and g == 6.0


def test_while_loop_on_traced_value():
    def f(x):
        y = x
        while y < 100.0:
            y = y * 2.0
        return y
    # 1.3 doubles 7 times to pass 100
    assert wg.grad(f)(1.3) == 128.0


def test_unused_argument_and_constant_output_give_zero():
    assert wg.grad(lambda x, y: x * 3.0, argnums=1)(1.0, 2.0) == 0.0
    assert wg.grad(lambda x: 3.0)(1.0) == 0.0
    out, t = wg.jvp(lambda x: 3.0, (1.0,), (1.0,))
    assert (out, t) == (3.0, 0.0)
    g = wg.grad(lambda x: 3.0)(np.ones(3))
    assert isinstance(g, np.ndarray) and g.shape == (3,) and not g.any()


def test_same_input_used_many_times_accumulates():
    def f(x):
        return x * x * x + x * x + x
    assert wg.grad(f)(2.0) == 3 * 4.0 + 2 * 2.0 + 1.0


def test_keyword_arguments_pass_through_undifferentiated():
    def f(x, *, scale):
        return x * x * scale
    assert wg.grad(f)(3.0, scale=2.0) == 12.0
    assert wg.value_and_grad(f)(3.0, scale=2.0) == (18.0, 12.0)


def test_primal_values_are_untouched_by_tracing():
    seen = []

    def f(x):
        y = x * 2.0
        seen.append(float(wg.stop_gradient(y)))
        return y * y
    wg.grad(f)(1.5)
    wg.jvp(f, (1.5,), (1.0,))
    assert seen == [3.0, 3.0]


@pytest.mark.parametrize("transform", [wg.grad, wg.derivative])
def test_float_of_a_traced_value_refuses_to_drop_the_derivative(transform):
    import math
    with pytest.raises(TypeError, match="would drop its derivative"):
        transform(lambda x: math.sqrt(x))(4.0)


def test_numpy_scalars_and_zero_d_arrays_are_accepted():
    f = lambda x: x * x * x
    assert wg.grad(f)(np.float64(2.0)) == 12.0
    assert wg.grad(f)(np.array(2.0)) == 12.0
    g32 = wg.grad(f)(np.float32(2.0))
    assert g32 == 12.0


# ---------------------------------------------------------------- pytrees

Point = collections.namedtuple("Point", ["x", "y"])


class Pair:
    """A user class made a pytree node with register_pytree_node."""

    def __init__(self, first, second):
        self.first, self.second = first, second

    def __repr__(self):
        return f"Pair({self.first!r}, {self.second!r})"


wg.register_pytree_node(Pair, lambda p: ((p.first, p.second), None),
                        lambda aux, children: Pair(*children))


def test_gradient_of_tuple_argument_is_a_tuple():
    g = wg.grad(lambda t: t[0] * t[1] * t[1])((2.0, 3.0))
    assert type(g) is tuple and g == (9.0, 12.0)


def test_gradient_of_list_argument_is_a_list():
    g = wg.grad(lambda l: l[0] * l[1] + l[2])([2.0, 3.0, 4.0])
    assert type(g) is list and g == [3.0, 2.0, 1.0]


def test_gradient_of_dict_argument_is_a_dict():
    # keys given out of order on purpose
    g = wg.grad(lambda d: d["x"] ** 2 + 5.0 * d["y"])({"y": 1.0, "x": 3.0})
    assert type(g) is dict and g == {"x": 6.0, "y": 5.0}


def test_none_in_argument_is_kept_as_none():
    g = wg.grad(lambda t: t[0] * 2.0)((1.0, None))
    assert g == (2.0, None)


def test_gradient_of_namedtuple_argument_is_same_namedtuple():
    g = wg.grad(lambda p: p.x * p.y)(Point(2.0, 3.0))
    assert type(g) is Point and g == Point(3.0, 2.0)


def test_gradient_of_registered_class_is_same_class():
    g = wg.grad(lambda p: p.first * p.second ** 2)(Pair(2.0, 3.0))
    assert type(g) is Pair
    assert (g.first, g.second) == (9.0, 12.0)


def test_gradient_of_deeply_nested_structure():
    arg = ({"u": [1.0, 2.0], "v": None}, Point(5.0, Pair(6.0, 7.0)))

    def f(t):
        d, p = t
        return d["u"][1] * p.x + p.y.first * p.y.second
    g = wg.grad(f)(arg)
    d, p = g
    assert d == {"u": [0.0, 5.0], "v": None}
    assert type(p) is Point and p.x == 2.0
    assert type(p.y) is Pair and (p.y.first, p.y.second) == (7.0, 6.0)


def test_pytree_results_from_vjp():
    def f(x):
        return {"s": x * 2.0, "p": (x * x, Point(x, 3.0))}
    out, f_vjp = wg.vjp(f, 3.0)
    assert out == {"s": 6.0, "p": (9.0, Point(3.0, 3.0))}
    assert type(out["p"][1]) is Point
    ct = {"s": 1.0, "p": (10.0, Point(100.0, 0.0))}
    assert f_vjp(ct) == (2.0 + 10.0 * 6.0 + 100.0,)


def test_pytree_results_from_jvp():
    def f(p):
        return [p.first * p.second, {"a": p.first}]
    out, t = wg.jvp(f, (Pair(2.0, 3.0),), (Pair(1.0, 0.0),))
    assert out == [6.0, {"a": 2.0}]
    assert t == [3.0, {"a": 1.0}]


def test_pytree_inputs_and_outputs_of_jacobian():
    def f(d):
        return (d["a"] * d["b"], d["a"])
    for jac in (wg.jacfwd, wg.jacrev, wg.jacobian):
        J = jac(f)({"a": 2.0, "b": 3.0})
        assert J == ({"a": 3.0, "b": 2.0}, {"a": 1.0, "b": 0.0})


def test_tree_flatten_unflatten_round_trip():
    tree = {"b": [1.0, (2.0, None)], "a": Point(3.0, Pair(4.0, 5.0))}
    leaves, td = wg.tree_flatten(tree)
    # dict keys sorted: "a" first
    assert leaves == [3.0, 4.0, 5.0, 1.0, 2.0]
    back = wg.tree_unflatten(td, leaves)
    assert back["b"] == [1.0, (2.0, None)]
    assert type(back["a"]) is Point and type(back["a"].y) is Pair
    assert wg.tree_leaves(tree) == leaves
    doubled = wg.tree_map(lambda v: 2 * v, tree)
    assert wg.tree_leaves(doubled) == [6.0, 8.0, 10.0, 2.0, 4.0]


def test_tree_map_structure_mismatch_is_value_error():
    with pytest.raises(ValueError, match="structures differ"):
        wg.tree_map(lambda a, b: a + b, (1.0, 2.0), [1.0, 2.0])


def test_register_pytree_node_needs_a_class():
    with pytest.raises(TypeError, match="expected a class"):
        wg.register_pytree_node("notaclass", lambda x: ((), None), lambda a, c: None)


# ---------------------------------------------------------------- a long chain

def _alive(cls):
    return sum(1 for o in gc.get_objects() if isinstance(o, cls))


def test_alive_counter_sees_a_live_trace():
    # positive control for the memory tests below: inside the call the trace is alive
    counts = []

    def f(x):
        counts.append(_alive(ReverseTrace))
        return x * x
    wg.grad(f)(1.0)
    assert counts[0] >= 1


def test_million_operation_chain_reverse_mode():
    # 500,000 iterations of one multiply and one add: 1,000,000 primitive operations.
    # The backward pass walks the tape iteratively, so depth never hits recursion;
    # the gradient is a**n exactly up to rounding.
    n, a, b = 500_000, 0.9999999, 1e-7

    def chain(x):
        y = x
        for _ in range(n):
            y = y * a + b
        return y
    limit = sys.getrecursionlimit()
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    sys.setrecursionlimit(depth + 100)  # a recursive backward pass could not survive
    try:
        g = wg.grad(chain)(1.0)
    finally:
        sys.setrecursionlimit(limit)
    assert _is_plain_scalar(g)
    assert g == pytest.approx(a ** n, rel=1e-9)
    gc.collect()
    assert _alive(ReverseTrace) == 0
    assert _alive(Box) == 0


def test_long_chain_forward_mode():
    n, a, b = 100_000, 0.9999999, 1e-7

    def chain(x):
        y = x
        for _ in range(n):
            y = y * a + b
        return y
    out, t = wg.jvp(chain, (1.0,), (1.0,))
    assert t == pytest.approx(a ** n, rel=1e-9)


def test_tape_is_freed_by_reference_counting_alone():
    # with the cyclic GC off, nothing may keep the trace alive after grad returns (a
    # self-referencing closure in the pytree code once did, holding the whole tape)
    def chain(x):
        y = x
        for _ in range(1000):
            y = y * 0.999 + 0.001
        return y
    gc.collect()
    gc.disable()
    try:
        wg.grad(chain)(1.0)
        alive = _alive(ReverseTrace)
    finally:
        gc.enable()
    assert alive == 0


def test_memory_is_released_after_the_call():
    import tracemalloc

    def chain(x):
        y = x
        for _ in range(20_000):
            y = y * 0.9999 + 0.0001
        return y
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        wg.grad(chain)(1.0)
        gc.collect()
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # the tape took megabytes while it existed; afterwards (almost) nothing is left
    assert peak - base > 2_000_000
    assert current - base < 0.05 * (peak - base)


# ---------------------------------------------------------------- threads and tasks

def test_eight_threads_compute_different_gradients_at_once():
    n_threads = 8
    barrier = threading.Barrier(n_threads)
    results, errors = {}, []

    def work(k):
        try:
            p = k + 1

            def f(x):
                y = x
                for _ in range(300):  # identity steps, so threads overlap mid-trace
                    y = y * 1.0 + 0.0
                return y ** p
            x = 1.0 + 0.1 * k
            barrier.wait()
            out = []
            for _ in range(10):
                out.append((wg.grad(f)(x), wg.jvp(f, (x,), (1.0,))[1],
                            wg.grad(wg.grad(f))(x)))
            results[k] = (p, x, out)
        except Exception as exc:  # surfaced below with the thread's number
            errors.append((k, exc))

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work, args=(k,)) for k in range(n_threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    assert not errors, errors
    assert len(results) == n_threads
    for k, (p, x, out) in results.items():
        for g, t, gg in out:
            assert g == pytest.approx(p * x ** (p - 1), rel=1e-12)
            assert t == pytest.approx(p * x ** (p - 1), rel=1e-12)
            assert gg == pytest.approx(p * (p - 1) * x ** (p - 2) if p > 1 else 0.0,
                                       rel=1e-12, abs=1e-12)


def test_asyncio_tasks_interleave_inside_traced_functions():
    # Each task's traced function runs in a worker thread and awaits the event loop
    # between operations, so the operations of all eight gradients interleave.
    order = []

    async def main():
        loop = asyncio.get_running_loop()
        start = asyncio.Event()

        async def tick(k):
            order.append(k)
            await asyncio.sleep(0)

        def make_f(k):
            def f(x):
                y = x
                for _ in range(20):
                    y = y * (1.0 + 0.01 * k)
                    asyncio.run_coroutine_threadsafe(tick(k), loop).result()
                return y
            return f

        async def task(k):
            await start.wait()
            x = 1.0 + k
            return await asyncio.to_thread(wg.grad(make_f(k)), x)

        tasks = [asyncio.create_task(task(k)) for k in range(8)]
        await asyncio.sleep(0)
        start.set()
        return await asyncio.gather(*tasks)

    grads = asyncio.run(main())
    for k, g in enumerate(grads):
        assert g == pytest.approx((1.0 + 0.01 * k) ** 20, rel=1e-13)
    switches = sum(1 for a, b in zip(order, order[1:]) if a != b)
    assert len(order) == 160 and switches > 8, order


def test_asyncio_tasks_interleave_traces_at_the_core_level():
    # The same guarantee one level down, with no threads: each task opens its own
    # reverse and forward traces and awaits between primitive calls, so the tapes of
    # eight tasks are being written at the same time on one thread.
    order = []

    async def one(k):
        a = 1.0 + 0.5 * k
        rev, fwd = ReverseTrace(), ForwardTrace()
        xr = rev.new_input(a)
        xf = fwd.new_input(a, 1.0)
        yr, yf = xr, xf
        for _ in range(10):
            yr = yr * xr * 0.5 + 1.0
            yf = yf * xf * 0.5 + 1.0
            order.append(k)
            await asyncio.sleep(0)
        (g,) = rev.backward([(rev.index_of(yr), 1.0)], [xr._index])
        _, t = fwd.split(yf)
        # reference by plain forward-mode arithmetic on (value, derivative) pairs
        v, d = a, 1.0
        for _ in range(10):
            v, d = v * a * 0.5 + 1.0, (d * a + v) * 0.5
        return g, t, d

    async def main():
        return await asyncio.gather(*(one(k) for k in range(8)))

    for g, t, d in asyncio.run(main()):
        assert g == pytest.approx(d, rel=1e-12)
        assert t == pytest.approx(d, rel=1e-12)
    assert order[:8] == list(range(8))  # round-robin: every task was mid-trace at once
