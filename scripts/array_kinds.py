"""Which primitives run on which array library, in which mode: the table in
docs/array_kinds.md, measured.

Every Case of the spec tables (tests/rules/specs_*.py) whose arguments include a
float array runs again with those arrays made Dask arrays (chunked in two along each
axis) and, where CuPy and a GPU are present, CuPy arrays: its value, its JVP (a random
tangent of the kind) and its VJP (a cotangent of ones). A run counts as passing when
it gives arrays of that kind, with the numpy run's numbers (1e-9), and, for Dask,
computes nothing while the derivative is traced (a scheduler that raises is set for
that time). A Case whose function mixes in a numpy constant array is left out (mixing
kinds raises a TypeError by design). What fails is grouped by its reason.

    python scripts/array_kinds.py                      # writes docs/array_kinds.md
    python scripts/array_kinds.py --only sum,reshape   # print, for some primitives
    python scripts/array_kinds.py --out -              # print the whole table

Run it from a checkout (the spec tables live in tests/); it takes a few minutes.
"""

import argparse
import collections
import pathlib
import sys
import time
import traceback
import warnings

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

import wengert as wg  # noqa: E402
from wengert import backend  # noqa: E402
from wengert.core.primitive import registry  # noqa: E402
from wengert.rules import _kinds  # noqa: E402

MODES = ("value", "jvp", "vjp")
RTOL = 1e-9


class Computed(RuntimeError):
    pass


def _refuse(dsk, keys, **kwargs):
    raise Computed("computed while tracing")


class Library:
    """One array library: how to make its arrays, read them back, and trace safely."""

    def __init__(self, name):
        self.name = name
        self.missing = None
        try:
            if name == "dask":
                import dask
                import dask.array as da
                self.da, self.dask = da, dask
            else:
                import cupy
                if cupy.cuda.runtime.getDeviceCount() < 1:
                    raise RuntimeError("no GPU")
                self.cp = cupy
        except Exception as e:  # not installed, or no device
            self.missing = f"{type(e).__name__}: {e}"

    def make(self, a):
        if not (isinstance(a, np.ndarray) and a.ndim > 0):
            return a
        if self.name == "dask":
            return self.da.from_array(a, chunks=tuple(max(1, (n + 1) // 2) for n in a.shape))
        return self.cp.asarray(a)

    def tracing(self):
        if self.name == "dask":
            return self.dask.config.set(scheduler=_refuse)
        import contextlib
        return contextlib.nullcontext()

    def numbers(self, x):
        return np.asarray(backend.to_numpy(x))


def _tangent(a, rng):
    if isinstance(a, np.ndarray):
        t = rng.standard_normal(a.shape)
        if a.dtype.kind == "c":
            t = t + 1j * rng.standard_normal(a.shape)
        return t.astype(a.dtype) if a.dtype.kind in "fc" else t
    if isinstance(a, complex):
        return 0.5 + 0.25j
    return 0.7


def _leaves_of_kind(out, lib):
    for leaf in wg.tree_leaves(out):
        if np.ndim(leaf) == 0 and backend.kind(leaf) == "numpy":
            continue  # a plain number is every kind's scalar
        if backend.kind(leaf) != lib.name:
            return type(leaf).__name__
    return None


def _same(got, want, lib):
    g, w = wg.tree_leaves(got), wg.tree_leaves(want)
    if len(g) != len(w):
        return False
    for a, b in zip(g, w):
        a, b = lib.numbers(a), np.asarray(b)
        if a.shape != b.shape or not np.allclose(a, b, rtol=RTOL, atol=1e-12,
                                                  equal_nan=True):
            return False
    return True


def _reason(e):
    """A short cause for a failure, the same for the same cause."""
    text = str(e).split("\n")[0]
    if isinstance(e, NotImplementedError) and ": not implemented for" in text:
        return f"refused: {text.split(':')[0]}"
    if isinstance(e, Computed):
        tb = traceback.extract_tb(e.__traceback__)
        frame = next((f for f in reversed(tb) if "/wengert/" in f.filename), None)
        where = f" in {frame.name}" if frame else ""
        return f"computes the data{where}"
    if isinstance(e, FutureWarning):
        return "numpy fallback: " + text.split("`")[1] if "`" in text else text[:60]
    return f"{type(e).__name__}: {text[:70]}"


def run_case(case, lib, mode, rng):
    """``("ok" | "mix" | "skip" | "fail", reason)`` for one Case, library and mode."""
    args = case.args
    arrays = tuple(lib.make(a) for a in args)
    tangents = tuple(_tangent(a, rng) for a in args)
    try:
        if mode == "value":
            want = case.fun(*args)
        elif mode == "jvp":
            want = wg.jvp(case.fun, args, tangents)
        else:
            out, f_vjp = wg.vjp(case.fun, *args)
            ct = backend.ones_like(out)
            want = f_vjp(ct)
    except Exception:
        return "skip", "the numpy run fails"
    try:
        with lib.tracing(), warnings.catch_warnings():
            warnings.simplefilter("error", FutureWarning)
            if mode == "value":
                got = case.fun(*arrays)
            elif mode == "jvp":
                got = wg.jvp(case.fun, arrays, tuple(lib.make(t) for t in tangents))
            else:
                out, f_vjp = wg.vjp(case.fun, *arrays)
                got = f_vjp(backend.ones_like(out))
    except TypeError as e:
        if "mix a" in str(e) and "wengert does not convert" in str(e):
            return "mix", None
        return "fail", _reason(e)
    except Exception as e:
        return "fail", _reason(e)
    other = _leaves_of_kind(got, lib)
    if other is not None:
        return "fail", f"a {other} came out"
    try:
        same = _same(got, want, lib)
    except Exception as e:  # computing the result failed
        return "fail", "computing the result: " + _reason(e)
    return ("ok", None) if same else ("fail", "numbers differ from numpy's")


def measure(libs, only=None, log=print):
    from tests.rules.test_systematic import CASES
    rng = np.random.default_rng(0)
    results = collections.defaultdict(lambda: collections.defaultdict(list))
    for case in CASES:
        if only and case.prim not in only:
            continue
        if not any(isinstance(a, np.ndarray) and a.ndim > 0 and a.dtype.kind in "fc"
                   for a in case.args):
            continue
        for lib in libs:
            if lib.missing:
                continue
            for mode in MODES:
                results[(case.prim, lib.name)][mode].append(run_case(case, lib, mode, rng))
    return results


def _cell(runs):
    counted = [r for r in runs if r[0] in ("ok", "fail")]
    if not counted:
        return "·", []
    ok = sum(r[0] == "ok" for r in counted)
    reasons = [r[1] for r in counted if r[0] == "fail"]
    if ok == len(counted):
        return f"✓ {ok}/{len(counted)}", []
    if ok == 0:
        return f"✗ 0/{len(counted)}", reasons
    return f"{ok}/{len(counted)}", reasons


def table(results, libs, seconds):
    by_kind = {lib.name: lib for lib in libs}
    lines = [
        "# Array libraries: what runs where",
        "",
        "<!-- generated by scripts/array_kinds.py: edit that script, not this page -->",
        "",
        "wengert's primitives and rules run on numpy arrays, on Dask arrays (lazily: a",
        "derivative is a Dask graph that Dask's schedulers, threaded or `dask.distributed`,",
        "compute chunk by chunk) and on CuPy arrays (on a GPU). The array namespace comes",
        "from the inputs (`wengert.backend.kind` and `namespace`) and a result is of the",
        "kind of its inputs. Arrays of two libraries in one call raise a TypeError naming",
        "both; a primitive not listed for a library raises NotImplementedError naming the",
        "primitive and the library (`rules/_kinds.py` holds the lists).",
        "",
        "Each cell counts the spec-table Cases (`tests/rules/specs_*.py`) filed under the",
        "primitive that pass on that library in that mode: arrays of the library come",
        "out, with the numpy run's numbers, and for Dask nothing is computed while the",
        "derivative is traced. Cases that mix in a numpy constant array are left out. A",
        "Case is a small function around the primitive, often through a composite of",
        "`wengert.numpy` (pad, sort, median, ...): a failure can be the composite's,",
        "and its reason is listed under the table. `listed` says whether `rules/_kinds.py`",
        "lists the primitive for the library (if not, it is refused).",
        "",
        "Modes: *value* is the function itself, *jvp* forward mode (`wg.jvp`), *vjp*",
        "reverse mode (`wg.vjp`, so `wg.grad`). Higher orders (`wg.hvp`, `grad` of",
        "`grad`) run where the rules' own primitives do: `tests/test_dask.py` checks",
        "`hvp` on the common primitives.",
        "",
    ]
    for name, lib in by_kind.items():
        if lib.missing:
            lines.append(f"**{name}**: not measured in this run ({lib.missing}); the "
                         f"`listed` column shows what is declared.")
            lines.append("")
    header = ["primitive"]
    for name in by_kind:
        header += [f"{name} listed", f"{name} value", f"{name} jvp", f"{name} vjp"]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join(["---"] + ["---"] * (len(header) - 1)) + "|")
    notes = collections.defaultdict(set)
    for prim in sorted(registry):
        row = [f"`{prim}`"]
        for name, lib in by_kind.items():
            row.append("yes" if prim in _kinds.KINDS.get(name, ()) else "no")
            for mode in MODES:
                if lib.missing:
                    row.append("")
                    continue
                cell, reasons = _cell(results.get((prim, name), {}).get(mode, []))
                row.append(cell)
                for r in reasons:
                    notes[(prim, name)].add(r)
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "`·`: no Case with a float array argument.", ""]
    if notes:
        lines += ["## Why the failing runs fail", ""]
        for (prim, name), reasons in sorted(notes.items()):
            lines.append(f"- `{prim}` on {name}: " + "; ".join(sorted(reasons)))
        lines.append("")
    lines += [f"Measured in {seconds:.0f} s with numpy {np.__version__}" + "".join(
        f", {lib.name} {_version(lib)}" for lib in libs if not lib.missing) + ".", ""]
    return "\n".join(lines)


def _version(lib):
    mod = lib.dask if lib.name == "dask" else lib.cp
    return getattr(mod, "__version__", "?")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated primitive names")
    parser.add_argument("--out", default=str(ROOT / "docs" / "array_kinds.md"),
                        help="the page to write ('-' prints it)")
    args = parser.parse_args(argv)
    only = set(args.only.split(",")) if args.only else None
    libs = [Library("dask"), Library("cupy")]
    t0 = time.perf_counter()
    results = measure(libs, only)
    text = table(results, libs, time.perf_counter() - t0)
    if args.out == "-" or only:
        print(text)
    else:
        pathlib.Path(args.out).write_text(text)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
