"""What a user displays in Jupyter renders well: a notebook run the way a person
runs it (nbconvert executes every cell in a real kernel) and its outputs read back."""

import base64

import pytest

nbformat = pytest.importorskip("nbformat")
ExecutePreprocessor = pytest.importorskip("nbconvert.preprocessors").ExecutePreprocessor
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

CELLS = {
    "setup": "import numpy as np, wengert as wg, wengert.numpy as wnp\n"
             "def g(x1, x2):\n"
             "    v1 = x1 / x2\n"
             "    v4 = v1 - wnp.exp(x2)\n"
             "    return (wnp.sin(v1) + v4) * v4\n"
             "t = wg.trace(g)(1.5, 0.5)",
    "trace": "t",
    "reverse": "t.reverse_table()",
    "forward": "t.forward_table('x1')",
    "curve": "curve = wg.numeric.error_curve(lambda x: wnp.exp(x) * wnp.sin(x), 1.0)\n"
             "curve.table()",
    "plot": "curve.plot()",
    "jacobian": "wg.jacobian(lambda x: wnp.sin(x) * x[0], explain=True)(np.ones(3))[1]",
    "derivative": "wg.symbolic.diff('16*a*(1-a)*(1-2*a)^2', 'a')",
    "swell": "wg.symbolic.swell_table(n_max=3)",
}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in CELLS.values()]
    ExecutePreprocessor(timeout=180, kernel_name="python3").preprocess(
        nb, {"metadata": {"path": str(tmp_path_factory.mktemp("nb"))}})
    out = {}
    for name, cell in zip(CELLS, nb.cells):
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, f"cell {name}: {errors[0].ename}: {errors[0].evalue}"
        results = [o for o in cell.outputs if o.output_type == "execute_result"]
        out[name] = results[0].data if results else {}
    return out


@pytest.mark.parametrize("name", ["trace", "reverse", "forward", "curve", "jacobian",
                                  "derivative", "swell"])
def test_tables_render_as_styled_html(outputs, name):
    html = outputs[name].get("text/html", "")
    assert "<table" in html, f"{name} shows no HTML table: {sorted(outputs[name])}"
    assert "border:1px solid" in html and "padding:" in html and "monospace" in html
    assert not outputs[name]["text/plain"].startswith(("namespace(", "'", '"'))


def test_subscripts_and_values_in_the_adjoint_table(outputs):
    html = outputs["reverse"]["text/html"]
    assert "v<sub>-1</sub>" in html and "\u0304<sub>6</sub>" in html  # v_-1 and v̄_6
    assert "-13.724" in html and "2.844" in html


def test_plots_show_without_matplotlib_inline(outputs):
    data = outputs["plot"]
    assert "image/png" in data, sorted(data)
    png = base64.b64decode(data["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
