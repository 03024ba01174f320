"""The documentation: its examples run, and the site builds with warnings as errors.

* Every code cell of every page in docs/ (MyST notebooks) runs here, in order, in a
  fresh namespace per page: the examples the site shows are the examples the suite
  runs, and the pages' hidden cells assert what the prose claims.
* ``test_site_builds`` (marker ``docs``; deselect with ``-m "not docs"``) runs the one
  documented build command, ``python -m sphinx -W --keep-going -b html docs OUT``,
  which executes every page again in a Jupyter kernel and fails on any warning,
  including a public name missing from the API reference.
* The public functions carry a runnable example in their docstring: the functional
  API, ``wengert.numeric``, ``wengert.symbolic``, the trace page, the PyTorch-style
  functions and constructors, ``wengert.nn.functional`` and ``wengert.scipy.special``
  (the doctests run the examples). Two names of transforms.py are still listed.
"""

import importlib.util
import inspect
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md")
               if "_build" not in p.parts and "jupyter_execute" not in p.parts
               and p.name != "README.md")
CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```\s*$", re.S | re.M)


def code_cells(path):
    """The source of each ``{code-cell}`` of a MyST notebook, without its
    ``:option:`` lines."""
    cells = []
    for body in CELL.findall(path.read_text(encoding="utf-8")):
        lines = body.splitlines()
        while lines and re.match(r"^:\w[\w-]*:", lines[0]):
            lines.pop(0)
        cells.append("\n".join(lines))
    return cells


def test_pages_are_found():
    names = {p.relative_to(DOCS).as_posix() for p in PAGES}
    assert {"index.md", "tutorials/01_three_routes.md", "tutorials/02_forward_mode.md",
            "tutorials/03_reverse_mode.md", "tutorials/05_higher_order.md"} <= names
    assert sum(len(code_cells(p)) for p in PAGES) > 50


@pytest.mark.parametrize("page", [p for p in PAGES if code_cells(p)],
                         ids=lambda p: p.relative_to(DOCS).as_posix())
def test_page_examples_run(page, tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    pytest.importorskip("sympy")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)  # a page that writes a file writes it here
    namespace = {"__name__": "__docs_page__"}
    try:
        for k, source in enumerate(code_cells(page)):
            try:
                exec(compile(source, f"{page.name}[cell {k}]", "exec"), namespace)
            except Exception as err:
                raise AssertionError(f"{page.relative_to(DOCS)}, code cell {k}: "
                                     f"{type(err).__name__}: {err}\n{source}") from err
    finally:
        plt.close("all")


def test_cell_parser_reads_options_and_bodies(tmp_path):
    page = tmp_path / "p.md"
    page.write_text("text\n\n```{code-cell} ipython3\n:tags: [remove-cell]\nx = 1\n```\n\n"
                    "```python\nnot a cell\n```\n\n```{code-cell} ipython3\ny = x + 1\n```\n")
    assert code_cells(page) == ["x = 1", "y = x + 1"]


# ------------------------------------------------------------ the site

def _sphinx_available():
    return all(importlib.util.find_spec(m) for m in ("sphinx", "myst_nb", "matplotlib",
                                                     "sympy", "ipykernel"))


@pytest.mark.docs
@pytest.mark.skipif(not _sphinx_available(),
                    reason="the docs extra is not installed (sphinx, myst-nb, ...)")
def test_site_builds(tmp_path):
    out = tmp_path / "html"
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(tmp_path / "doctrees"), str(DOCS), str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=900)
    seconds = time.perf_counter() - start
    assert proc.returncode == 0, (f"sphinx failed ({seconds:.0f} s):\n"
                                  f"{proc.stderr[-6000:]}\n{proc.stdout[-2000:]}")
    for page in PAGES:
        rel = page.relative_to(DOCS).with_suffix(".html")
        assert (out / rel).is_file(), f"no {rel} in the built site"
    # executed output, not just code: values computed by the build
    reverse = (out / "tutorials" / "03_reverse_mode.html").read_text(encoding="utf-8")
    assert "-13.724" in reverse and "<iframe" in reverse and "srcdoc=" in reverse
    api = (out / "api" / "transforms.html").read_text(encoding="utf-8")
    assert 'id="wengert.grad"' in api and 'id="wengert.hvp"' in api
    print(f"site built in {seconds:.0f} s")


# ------------------------------------------------------------ docstrings

# Public functions whose docstring has no example yet: the two of transforms.py. No
# name may join this set; when they gain their examples it is empty, and the check
# admits no exception.
WITHOUT_EXAMPLE = {"defvjp", "defjvp"}


def _functional_api():
    import importlib

    import wengert as wg
    from wengert import tensors
    from wengert.tensors import _creation, _functions
    names = [n for n in wg.__all__ if n not in tensors.__all__ or n == "trace"]
    # the PyTorch half's functions and constructors (its classes and modes aside)
    names += list(_functions.__all__) + list(_creation.__all__)
    objs = {f"wengert.{n}": getattr(wg, n) for n in names}
    for mod in ("numeric", "symbolic"):
        m = getattr(wg, mod)
        objs.update({f"wengert.{mod}.{n}": getattr(m, n) for n in m.__all__})
    from wengert.tools import trace_page
    objs.update({f"wengert.tools.trace_page.{n}": getattr(trace_page, n)
                 for n in trace_page.__all__})
    for modname in ("wengert.nn.functional", "wengert.scipy.special"):
        m = importlib.import_module(modname)
        objs.update({f"{modname}.{n}": getattr(m, n) for n in m.__all__})
    # callable: the primitives of scipy.special are objects, not functions
    return {k: v for k, v in objs.items()
            if inspect.isroutine(v) or inspect.isclass(v) or callable(v)}


def test_the_check_sees_every_kind_of_public_function():
    api = _functional_api()
    for name in ("wengert.grad", "wengert.numeric.ErrorCurve", "wengert.exp",
                 "wengert.zeros_like", "wengert.nn.functional.cross_entropy",
                 "wengert.scipy.special.gamma", "wengert.Primitive"):
        assert name in api, name


def test_public_functions_have_examples():
    missing = sorted(name for name, obj in _functional_api().items()
                     if ">>>" not in (inspect.getdoc(obj) or "")
                     and name.rsplit(".", 1)[-1] not in WITHOUT_EXAMPLE)
    assert not missing, ("public functions without a runnable example in their "
                         "docstring: " + ", ".join(missing))
