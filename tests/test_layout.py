"""The architecture of STYLE.md, checked: the layer order is the import order, the
core names no numpy, and the core keeps to its line budget."""

import ast
import pathlib

import pytest

SRC = pathlib.Path(__file__).resolve().parents[1] / "src" / "wengert"

# layer of each part, bottom up; a module may import only from its own layer or below
LAYERS = {"display": 1, "backend": 1, "allocator": 1, "rules": 2, "core": 3, "transforms": 4, "anomaly": 4, "linearize": 4, "implicit": 4, "numpy": 5, "scipy": 5, "tensors": 5, "autograd": 5,
          "tools": 6, "misc": 6, "nn": 6, "optim": 6, "utils": 6, "examples": 6, "cli": 6, "__main__": 6}
# the one seam: rules register through core/primitive.py (and use core's Box helpers)
SEAMS = {("rules", "core")}


def _part(path):
    rel = path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def _imports(path):
    """The wengert parts a module imports (relative imports resolved)."""
    tree = ast.parse(path.read_text())
    pkg = path.relative_to(SRC).parts[:-1]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(pkg[:len(pkg) - (node.level - 1)] if node.level > 1 else pkg)
                target = base + (node.module.split(".") if node.module else [])
                if not target:  # "from .. import x": x names the part
                    out.update(a.name for a in node.names)
                else:
                    out.add(target[0])
            elif node.module and node.module.startswith("wengert."):
                out.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            out.update(a.name.split(".")[1] for a in node.names
                       if a.name.startswith("wengert."))
    return out


MODULES = sorted(p for p in SRC.rglob("*.py") if _part(p) in LAYERS)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_imports_follow_the_layer_order(path):
    here = _part(path)
    for part in _imports(path):
        if part not in LAYERS or part == here or (here, part) in SEAMS:
            continue
        assert LAYERS[part] <= LAYERS[here], (
            f"{path.relative_to(SRC)} (layer {here}) imports {part}, a higher layer")


def test_the_core_names_no_numpy_and_no_rules():
    for path in (SRC / "core").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert not name.startswith("numpy"), f"{path.name} imports numpy"
                assert "rules" not in name.split("."), f"{path.name} imports rules"


def test_the_core_keeps_to_its_line_budget():
    lines = sum(len(p.read_text().splitlines()) for p in (SRC / "core").glob("*.py"))
    assert lines <= 1000, f"src/wengert/core has {lines} lines; the budget is 1,000"
