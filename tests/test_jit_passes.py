"""The simplification passes of wengert.tools.compile, each on its own: on programs
written by hand (what each rule must do and must not do) and on staged ones (the
program after the pass computes what the staged one computes)."""

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
from wengert.core.primitive import lookup
from wengert.core.pytree import tree_flatten
from wengert.tools.compile import passes
from wengert.tools.compile.codegen import emit
from wengert.tools.compile.program import Eqn, Guard, Program, Var, aval_of
from wengert.tools.compile.staging import stage

from .seed_functions import f_log


class Builder:
    """A program written by hand: ``b.op("multiply", x, 2.0)`` appends an equation
    and returns its Var; values give the avals (type, shape, dtype)."""

    def __init__(self, *inputs):
        self.n = 0
        self.inputs = [self.var(v) for v in inputs]
        self.eqns = []

    def var(self, value):
        self.n += 1
        return Var(self.n, aval_of(value))

    def op(self, name, *args, like=0.0, phase="forward", **params):
        out = self.var(like)
        self.eqns.append(Eqn(lookup(name), args, params, (out,), None, phase))
        return out

    def guard(self, x, convert, taken):
        self.eqns.append(Eqn(Guard(convert, taken), (x,), {}, ()))

    def program(self, *outputs):
        leaves, tree = tree_flatten(tuple(outputs))
        return Program("f", self.inputs, self.eqns, leaves, tree)


def ops(program):
    return [e.op.name for e in program.eqns]


def run(program, *args):
    return emit(program).function()(*args)


# ---------------------------------------------------------------- fold constants

def test_fold_computes_operations_on_constants():
    b = Builder(0.5)
    x, = b.inputs
    s = b.op("sin", 2.0)
    c = b.op("add", s, 1.0)
    y = b.op("multiply", x, c)
    p = b.program(y)
    q = passes.fold_constants(p)
    assert ops(q) == ["multiply"] and q.count() == 1
    assert q.eqns[0].args[1] == pytest.approx(np.sin(2.0) + 1.0)
    assert run(q, 0.5) == pytest.approx(0.5 * (np.sin(2.0) + 1.0))
    assert p.count() == 3  # the input program is left as it was


def test_fold_leaves_an_operation_that_raises_for_run_time():
    b = Builder(np.ones(6))
    x, = b.inputs
    bad = b.op("reshape", np.ones(6), newshape=(4, 4), like=np.ones(6))
    b.op("add", x, bad, like=np.ones(6))
    q = passes.fold_constants(b.program(x))
    assert "reshape" in ops(q)


def test_fold_decides_guards_on_constants():
    b = Builder(1.0)
    x, = b.inputs
    b.guard(x, "bool", True)
    p = b.program(x)
    p.eqns.append(Eqn(Guard("bool", True), (2.0,), {}, ()))   # holds: dropped
    p.eqns.append(Eqn(Guard("bool", True), (0.0,), {}, ()))   # fails: kept
    q = passes.fold_constants(p)
    assert [e.args[0] for e in q.eqns] == [x, 0.0]


# ---------------------------------------------------------------- identities

@pytest.mark.parametrize("name, args", [
    ("multiply", ("X", 1.0)), ("multiply", (1.0, "X")), ("add", ("X", 0.0)),
    ("add", (0.0, "X")), ("subtract", ("X", 0.0)), ("divide", ("X", 1.0)),
    ("power", ("X", 1.0)), ("multiply", ("X", np.ones(3))),
])
def test_identities_hand_back_the_operand(name, args):
    b = Builder(np.arange(3.0))
    x, = b.inputs
    y = b.op(name, *[x if isinstance(a, str) else a for a in args], like=np.arange(3.0))
    z = b.op("sin", y, like=np.arange(3.0))
    q = passes.simplify(b.program(z))
    assert ops(q) == ["sin"] and q.eqns[0].args == (x,)


def test_identities_keep_a_product_that_broadcasts():
    # x * ones(3) with a scalar x is an array: not x
    b = Builder(2.0)
    x, = b.inputs
    y = b.op("multiply", x, np.ones(3), like=np.ones(3))
    q = passes.simplify(b.program(y))
    assert ops(q) == ["multiply"]


def test_double_negation_and_negated_sums():
    b = Builder(1.0, 2.0)
    x, y = b.inputs
    n = b.op("negative", x)
    nn = b.op("negative", n)
    s = b.op("add", y, n)          # y + (-x) -> y - x
    m = b.op("multiply", -1.0, y)  # -1 * y -> -y
    p = b.program(nn, s, m)
    q = passes.dce(passes.simplify(p))
    assert run(q, 1.5, 4.0) == (1.5, 2.5, -4.0)
    assert sorted(ops(q)) == ["negative", "subtract"]


def test_a_zero_tangent_product_is_zero_but_not_in_the_forward_pass():
    b = Builder(np.arange(3.0))
    x, = b.inputs
    t = b.op("multiply", x, np.zeros(3), like=np.ones(3), phase="tangent")
    f = b.op("multiply", x, np.zeros(3), like=np.ones(3), phase="forward")
    q = passes.simplify(b.program(t, f))
    assert ops(q) == ["multiply"]
    assert isinstance(q.outputs[0], np.ndarray) and not q.outputs[0].any()
    # inf * 0 is nan in the forward pass, as numpy says
    with np.errstate(invalid="ignore"):
        out = run(q, np.array([np.inf, 1.0, 2.0]))
    assert np.isnan(out[1][0]) and out[0][0] == 0.0


def test_transpose_of_transpose():
    a = np.zeros((2, 3, 4))
    b = Builder(a)
    x, = b.inputs
    t1 = b.op("transpose", x, axes=(1, 2, 0), like=np.zeros((3, 4, 2)))
    back = b.op("transpose", t1, axes=(2, 0, 1), like=a)
    other = b.op("transpose", t1, axes=(1, 0, 2), like=np.zeros((4, 3, 2)))
    q = passes.dce(passes.simplify(b.program(back, other)))
    assert q.outputs[0] is x
    assert ops(q) == ["transpose"] and q.eqns[0].args == (x,)
    v = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(run(q, v)[1], v.transpose(1, 2, 0).transpose(1, 0, 2))


def test_reshape_of_reshape_and_changes_that_change_nothing():
    a = np.zeros((2, 3))
    b = Builder(a)
    x, = b.inputs
    r1 = b.op("reshape", x, newshape=(6,), like=np.zeros(6))
    r2 = b.op("reshape", r1, newshape=(3, 2), like=np.zeros((3, 2)))
    same = b.op("reshape", x, newshape=(2, 3), like=a)
    bc = b.op("broadcast_to", same, shape=(2, 3), like=a)
    q = passes.dce(passes.simplify(b.program(r2, bc)))
    assert ops(q) == ["reshape"] and q.eqns[0].args == (x,)
    assert q.outputs[1] is x
    v = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(run(q, v)[0], v.reshape(3, 2))


# ---------------------------------------------------------------- fuse and cse

def test_fuse_gives_the_backward_pass_the_forward_values():
    # the VJP of sin computes cos(x), which the function computed already
    f = wg.value_and_grad(lambda x: wnp.sin(x) + wnp.cos(x))
    p, _ = stage(f, [0.7], lambda b: (tuple(b), {}), "f")
    cos_lines = [e for e in p.eqns if e.op.name == "cos"]
    assert [e.phase for e in cos_lines] == ["forward", "backward"]
    q = passes.fuse(p)
    # the VJP of sin recomputes cos(x), that of cos recomputes sin(x)
    assert p.count() - q.count() == 2
    assert [(e.op.name, e.phase) for e in q.eqns if e.op.name in ("sin", "cos")] == \
        [("sin", "forward"), ("cos", "forward")]
    assert run(q, 0.7) == pytest.approx(f(0.7), abs=1e-15)


def test_fuse_leaves_forward_repeats_to_cse():
    b = Builder(1.0)
    x, = b.inputs
    a1 = b.op("sin", x)
    a2 = b.op("sin", x)
    p = b.program(b.op("add", a1, a2))
    assert passes.fuse(p).count() == 3
    q = passes.cse(p)
    assert q.count() == 2 and q.eqns[1].args == (a1, a1)


def test_cse_tells_operands_and_options_apart():
    b = Builder(np.arange(4.0))
    x, = b.inputs
    s0 = b.op("sum", x, axis=0)
    s1 = b.op("sum", x, axis=0)
    s2 = b.op("sum", x, axis=None)
    m1 = b.op("multiply", x, 0.0, like=np.ones(4))
    m2 = b.op("multiply", x, -0.0, like=np.ones(4))   # 0.0 == -0.0, but not the sign
    m3 = b.op("multiply", x, 1, like=np.ones(4))      # an int: another result type
    m4 = b.op("multiply", x, 1.0, like=np.ones(4))
    b.guard(s0, "bool", True)
    b.guard(s1, "bool", True)
    q = passes.cse(b.program(s0, s1, s2, m1, m2, m3, m4))
    assert q.count() == 6
    assert sum(e.is_guard for e in q.eqns) == 1
    assert q.outputs[1] is s0


# ---------------------------------------------------------------- dead code

def test_dce_keeps_what_outputs_and_guards_need():
    b = Builder(1.0)
    x, = b.inputs
    unused = b.op("exp", x)
    b.op("log", unused)
    g = b.op("sin", x)
    b.guard(g, "bool", True)
    y = b.op("cos", x)
    q = passes.dce(b.program(y))
    assert [e.op.name for e in q.eqns] == ["sin", "guard bool", "cos"]
    assert q.count() == 2


def test_a_gradient_does_not_compute_values_it_does_not_need():
    g = wg.grad(f_log, argnums=(0, 1))
    p, _ = stage(g, [2.0, 5.0], lambda b: (tuple(b), {}), "f")
    stages = passes.run(p)
    by_name = {s.name: s for s in stages}
    assert by_name["dead code"].removed >= 5   # log x1, x1 x2, sin x2 and their sums
    final = stages[-1].program
    assert not {"log", "sin"} & set(ops(final))
    assert run(final, 2.0, 5.0) == pytest.approx((5.5, 1.7163378145367738), abs=1e-15)


# ---------------------------------------------------------------- all of them

SAMPLES = [
    (wg.hessian(lambda x: wnp.sum(wnp.tanh(x) * x ** 2)), [np.array([0.3, -1.1, 2.0])]),
    (wg.jacfwd(lambda x: wnp.sin(x) * wnp.sum(x)), [np.array([0.3, -1.1])]),
    (lambda x: wg.jvp(lambda y: wnp.exp(y) * y, (x,), (wnp.ones_like(x),)),
     [np.array([0.5, 1.5])]),
    (wg.grad(lambda x: wnp.sum(wnp.abs(x) + wnp.maximum(x, 0.2))),
     [np.array([0.5, -1.5, 0.1])]),
]


@pytest.mark.parametrize("k", range(len(SAMPLES)))
def test_every_pass_keeps_the_program_s_values(k):
    fun, args = SAMPLES[k]
    p, values = stage(fun, args, lambda b: (tuple(b), {}), "f")
    stages = passes.run(p)
    assert [s.name for s in stages] == ["staged"] + [n for n, _ in passes.PASSES]
    for s in stages:
        got = run(s.program, *args)
        for a, b in zip(tree_flatten(got)[0], values):
            np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15, err_msg=s.name)
        # the report's count is the difference of the programs' sizes
    for before, after in zip(stages, stages[1:]):
        assert after.removed == before.program.count() - after.program.count()
    assert stages[-1].program.count() < p.count()
