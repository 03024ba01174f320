"""The systematic rule test: every Case of every spec table, through check_grads in
both modes, and the bookkeeping that keeps the tables honest (every registered
primitive has both rules and at least one Case, ids are unique, plain calls stay plain).

The tables are the modules ``tests/rules/specs_*.py``; a new family's table is picked
up by the glob below with no edit here.
"""

import importlib
import pathlib
import traceback
from collections import Counter

import numpy as np
import pytest

import wengert
from wengert.core.primitive import Primitive
from wengert.core.trace import Box

from .spec import Case

_HERE = pathlib.Path(__file__).parent


def _load_tables():
    """(module stem -> list of Cases) for tables that import, (stem -> traceback) for
    those that do not; a broken table fails its own test instead of the collection.
    A table may also define ``XFAIL = {case id: reason}`` for rows that expose a known
    bug in src/ (their derivative checks are then strict xfails)."""
    tables, broken, xfail = {}, {}, {}
    for path in sorted(_HERE.glob("specs_*.py")):
        try:
            module = importlib.import_module(f"{__package__}.{path.stem}")
            cases = list(module.CASES)
            xfail.update(getattr(module, "XFAIL", {}))
        except Exception:  # reported by test_table_imports
            broken[path.stem] = traceback.format_exc()
            continue
        tables[path.stem] = cases
    return tables, broken, xfail


TABLES, BROKEN, XFAIL = _load_tables()
CASES = [case for cases in TABLES.values() for case in cases]


def _params(cases, known_bugs=False):
    """One pytest.param per Case, its id the Case's id; with ``known_bugs`` the rows
    listed in a table's XFAIL are strict xfails (they must keep failing until fixed)."""
    return [pytest.param(case, id=case.id,
                         marks=[pytest.mark.xfail(strict=True, reason=XFAIL[case.id])]
                         if known_bugs and case.id in XFAIL else [])
            for case in cases]


# ---------------------------------------------------------------------------- the sweep

@pytest.mark.parametrize("case", _params(CASES, known_bugs=True))
def test_rule(case):
    wengert.check_grads(case.fun, modes=("fwd", "rev"), order=case.order)(*case.args)


@pytest.mark.parametrize("case", _params(CASES))
def test_plain_call_stays_plain(case):
    """With nothing being differentiated, a call returns numpy/Python values, no Box."""
    out = case.fun(*case.args)
    for leaf in wengert.tree_leaves(out):
        assert not isinstance(leaf, Box), f"{case.id}: plain call returned {leaf!r}"
        assert isinstance(leaf, (float, int, complex, np.ndarray, np.generic)), (
            f"{case.id}: plain call returned a {type(leaf).__name__}, not numpy or a "
            f"Python number")


@pytest.mark.parametrize("case", _params(CASES))
def test_case_uses_its_primitive(case, monkeypatch):
    """A Case filed under a primitive really binds it on a traced value, so the
    coverage test below cannot be satisfied by a mislabelled row."""
    called = set()
    original = Primitive.__call__

    def spy(self, *args, **params):
        if any(isinstance(a, Box) for a in args):
            called.add(self.name)
        return original(self, *args, **params)

    monkeypatch.setattr(Primitive, "__call__", spy)
    wengert.vjp(case.fun, *case.args)
    assert case.prim in called, (
        f"{case.id}: filed under {case.prim!r} but only binds {sorted(called)}")


# ------------------------------------------------------------------------ bookkeeping

@pytest.mark.parametrize("stem", sorted(BROKEN) or [pytest.param(None, id="none")])
def test_table_imports(stem):
    if stem is not None:
        pytest.fail(f"tests/rules/{stem}.py does not load:\n{BROKEN[stem]}")


def test_tables_found():
    assert TABLES, "no tests/rules/specs_*.py table was found"
    for stem, cases in TABLES.items():
        assert cases, f"{stem}.CASES is empty"
        for case in cases:
            assert isinstance(case, Case), f"{stem}: {case!r} is not a spec.Case"


def test_every_primitive_has_both_rules():
    missing = [f"{name}: no {mode}"
               for name, prim in sorted(wengert.registry.items())
               for mode, has in (("JVP rule", prim.has_jvp()), ("VJP rule", prim.has_vjp()))
               if not has]
    assert not missing, "registered primitives without a rule:\n  " + "\n  ".join(missing)


def test_every_primitive_has_a_case():
    covered = {case.prim for case in CASES}
    missing = sorted(set(wengert.registry) - covered)
    assert not missing, (
        f"registered primitives with no Case in tests/rules/specs_*.py: {missing}")


def test_every_case_names_a_registered_primitive():
    unknown = sorted({f"{case.id} -> {case.prim!r}" for case in CASES
                      if case.prim not in wengert.registry})
    assert not unknown, f"Cases filed under no registered primitive: {unknown}"


def test_case_ids_are_unique():
    dup = sorted(i for i, n in Counter(case.id for case in CASES).items() if n > 1)
    assert not dup, f"duplicate Case ids (one would shadow the other): {dup}"


def test_xfail_entries_name_cases():
    stale = sorted(set(XFAIL) - {case.id for case in CASES})
    assert not stale, f"XFAIL entries that name no Case: {stale}"


@pytest.mark.parametrize("case", _params([c for c in CASES if isinstance(c.fun, Primitive)
                                          and hasattr(np, c.prim)]))
def test_forward_matches_numpy(case):
    """A primitive called directly computes what numpy's function of the same name does."""
    want = getattr(np, case.prim)(*case.args)
    got = case.fun(*case.args)
    assert np.shape(got) == np.shape(want)
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=0)


# ------------------------------------------------------------------- the heavy sweep

@pytest.mark.slow
@pytest.mark.parametrize("case", _params(CASES, known_bugs=True))
def test_rule_order_3(case):
    """Third derivatives: every rule's rules are themselves differentiated twice."""
    wengert.check_grads(case.fun, modes=("fwd", "rev"), order=case.order + 1)(*case.args)


# ------------------------------------------------ rules at the edge of their domain

def _edge(label, fun, x):
    return pytest.param(fun, x, id=label)


_EDGES = [
    _edge("log-at-0", wengert.numpy.log, 0.0),
    _edge("log1p-at-minus1", wengert.numpy.log1p, -1.0),
    _edge("log2-at-0", wengert.numpy.log2, 0.0),
    _edge("log10-at-0", wengert.numpy.log10, 0.0),
    _edge("sqrt-at-0", wengert.numpy.sqrt, 0.0),
    _edge("cbrt-at-0", wengert.numpy.cbrt, 0.0),
    _edge("arcsin-at-1", wengert.numpy.arcsin, 1.0),
    _edge("arccos-at-1", wengert.numpy.arccos, 1.0),
    _edge("arctanh-at-1", wengert.numpy.arctanh, 1.0),
    _edge("arccosh-at-1", wengert.numpy.arccosh, 1.0),
    _edge("arctan2-at-origin", lambda x: wengert.numpy.arctan2(x, 0.0), 0.0),
    _edge("hypot-at-origin", lambda x: wengert.numpy.hypot(x, 0.0), 0.0),
    _edge("power-x**-1-at-0", lambda x: x ** -1.0, 0.0),
    _edge("power-overflow", lambda x: x ** 400.0, 10.0),
    _edge("reciprocal-at-0", wengert.numpy.reciprocal, 0.0),
    _edge("divide-by-0", lambda x: x / 0.0, 1.0),
    _edge("exp-overflow", wengert.numpy.exp, 800.0),
    _edge("power-base-overflow", lambda x: 2.0 ** x, 2000.0),
]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("fun, x", _EDGES)
def test_float_edge_matches_0d_array(fun, x):
    """At a domain boundary a Python float and a 0-d array give the same derivative
    (numpy's inf or nan), as the forward pass does; no Python arithmetic error."""
    with np.errstate(all="ignore"):
        want = wengert.grad(fun)(np.asarray(x))
        got = wengert.grad(fun)(x)
    np.testing.assert_equal(np.asarray(got, dtype=float), np.asarray(want, dtype=float))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_power_integer_exponent_derivatives_at_zero():
    x = np.zeros(2)
    d = wengert.elementwise_grad
    np.testing.assert_equal(d(lambda x: x ** 0)(x), [0.0, 0.0])
    np.testing.assert_equal(d(d(lambda x: x ** 1))(x), [0.0, 0.0])
    np.testing.assert_equal(d(d(lambda x: x ** 2))(x), [2.0, 2.0])
    np.testing.assert_equal(d(d(d(lambda x: x ** 2)))(x), [0.0, 0.0])
