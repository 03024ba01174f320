"""vmap against a Python loop over the Cases of the spec tables: the batching rule of
each primitive (or its declared per-example loop) gives what the loop gives, for a
batch on the first axis (every 6th Case), on the last axis named by a negative in_axes
and with the first argument shared (every 9th), and nested once (every 16th), each
sample completed by one Case of every primitive it would miss; sampled so that the
sweep stays within the suite's time. Plus the bookkeeping: every
registered primitive has a batching rule or a declared loop."""

import numpy as np
import pytest

import wengert as wg
from wengert.core.batching import looped
from wengert.core.primitive import registry

from .batching_known import KNOWN
from .test_systematic import CASES

B = 3


def _batch(args, k0=0):
    """B examples of ``args``: each array scaled by (1 + 0.03 k) (same signs, so
    domains hold), stacked on a new first axis."""
    return [np.stack([np.asarray(a) * (1.0 + 0.03 * (k + k0)) for k in range(B)])
            for a in args]


def _loop(fun, batched, axes):
    outs = []
    for k in range(B):
        ex = [a if ax is None else np.take(a, k, axis=ax) for a, ax in zip(batched, axes)]
        outs.append(np.asarray(fun(*ex)))
    return np.stack(outs)


def _close(got, want, case):
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-9, atol=1e-11,
                               err_msg=case.id)


def _cases(test, every=1):
    """Every ``every``-th Case, and the first Case of each primitive the sample would
    miss (so every primitive is checked); those listed in batching_known.KNOWN for
    ``test`` (batching that is not right yet) as strict xfails, so a fix shows."""
    chosen = set(range(0, len(CASES), every))
    seen = {CASES[i].prim for i in chosen}
    for i, c in enumerate(CASES):
        if c.prim not in seen:
            seen.add(c.prim)
            chosen.add(i)
    return [pytest.param(c, id=c.id, marks=[pytest.mark.xfail(
                strict=True, reason="batching not right yet (tests/rules/batching_known.py)")]
                if f"{test}[{c.id}]" in KNOWN else [])
            for c in (CASES[i] for i in sorted(chosen))]


def test_every_primitive_of_the_spec_tables_is_sampled():
    for test, every in (("a", 6), ("b", 9), ("c", 16)):
        assert {p.values[0].prim for p in _cases(test, every)} == {c.prim for c in CASES}


@pytest.mark.parametrize("case", _cases("test_vmap_matches_a_loop", 6))
def test_vmap_matches_a_loop(case):
    batched = _batch(case.args)
    _close(wg.vmap(case.fun)(*batched), _loop(case.fun, batched, [0] * len(batched)), case)


@pytest.mark.parametrize("case", _cases("test_vmap_on_the_last_axis_and_with_a_shared_argument",
                                        9))
def test_vmap_on_the_last_axis_and_with_a_shared_argument(case):
    batched = _batch(case.args)
    # the batch axis last, named by a negative in_axes
    last = [np.moveaxis(a, 0, -1) for a in batched]
    _close(wg.vmap(case.fun, in_axes=-1)(*last), _loop(case.fun, last, [-1] * len(last)),
           case)
    # the first argument the same for every example
    if len(batched) > 1:
        shared = [np.asarray(case.args[0])] + batched[1:]
        axes = [None] + [0] * (len(batched) - 1)
        _close(wg.vmap(case.fun, in_axes=tuple(axes))(*shared),
               _loop(case.fun, shared, axes), case)


@pytest.mark.parametrize("case", _cases("test_nested_vmap_matches_a_double_loop", 16))
def test_nested_vmap_matches_a_double_loop(case):
    outer = [np.stack([b * (1.0 + 0.01 * j) for j in range(2)]) for b in _batch(case.args)]
    got = wg.vmap(wg.vmap(case.fun))(*outer)
    want = np.stack([_loop(case.fun, [o[j] for o in outer], [0] * len(outer))
                     for j in range(2)])
    _close(got, want, case)


def test_every_primitive_batches():
    missing = [n for n, p in registry.items() if p.batch is None and not p.batch_loop]
    assert not missing, f"primitives with no batching rule and no declared loop: {missing}"


def test_looped_primitives_are_listed():
    names = looped()
    assert all(registry[n].batch_loop and registry[n].batch is None for n in names)
    assert "matmul" not in names and "sin" not in names and "sum" not in names
