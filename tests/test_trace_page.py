"""The interactive trace page (wengert.tools.trace_page).

The page's data is checked against independent truths (the values worked out by hand
in the tutorials, and closed forms), then the page itself is driven in a real headless
browser: Chromium and chromedriver from the system's packages (Debian:
``apt-get install chromium chromium-driver``), through selenium. The browser tests
skip cleanly where either is missing.
"""

import html
import math
import re
import shutil
import struct

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
from wengert.tools.trace_page import TracePage, graph_svg, page_data, trace_page, write


def f(x1, x2):
    v1 = x1 / x2
    v4 = v1 - wnp.exp(x2)
    return (wnp.sin(v1) + v4) * v4


X1, X2 = 1.5, 0.5
# the primals worked out by hand, in the order of the Wengert list of f
V1 = X1 / X2
PRIMALS = [X1, X2, V1, math.exp(X2), V1 - math.exp(X2), math.sin(V1),
           math.sin(V1) + V1 - math.exp(X2), (math.sin(V1) + V1 - math.exp(X2)) * (V1 - math.exp(X2))]
# d f / d x1 and d f / d x2 (the tutorials' worked example): 3.012 and -13.724
DF_DX1 = 3.0118433276739065
DF_DX2 = -13.723961509314076


@pytest.fixture(scope="module")
def trace():
    return wg.trace(f)(X1, X2)


# ------------------------------------------------------------ the page's content

def test_data_matches_the_hand_computation(trace):
    d = page_data(trace, seed="x1")
    assert [ln["value"] for ln in d["lines"]] == [f"{v:.3f}" for v in PRIMALS]
    assert [ln["name"] for ln in d["lines"]] == [f"v_{k}" for k in range(-1, 7)]
    assert d["lines"][-1]["tangent_value"] == f"{DF_DX1:.3f}"
    assert page_data(trace, seed="x2")["lines"][-1]["tangent_value"] == f"{DF_DX2:.3f}"
    adj = {a["index"]: a["value"] for a in d["adjoints"]}
    assert adj[0] == f"{DF_DX1:.3f}" and adj[1] == f"{DF_DX2:.3f}" and adj[7] == "1.000"
    # the backward sweep runs from the output back to the inputs, each line once
    assert [a["index"] for a in d["adjoints"]] == list(range(7, -1, -1))
    # every edge joins an operand to its use, and operands come earlier in the list
    for ln in d["lines"]:
        assert all(p < ln["index"] for p in ln["parents"])
    assert d["lines"][2]["parents"] == [0, 1]          # v_1 = v_-1 / v_0


def test_tangents_and_adjoints_agree_with_the_transforms():
    def g(x, y):
        return wnp.tanh(x * y) + x ** 2
    t = wg.trace(g)(0.3, -1.2)
    d = page_data(t, seed=(0.7, -0.4), digits=6)
    _, jvp = wg.jvp(g, (0.3, -1.2), (0.7, -0.4))
    assert d["lines"][-1]["tangent_value"] == f"{jvp:.6f}"
    gx, gy = wg.grad(g, argnums=(0, 1))(0.3, -1.2)
    adj = {a["index"]: a["value"] for a in d["adjoints"]}
    assert (adj[0], adj[1]) == (f"{gx:.6f}", f"{gy:.6f}")


def test_page_is_self_contained(trace):
    page = trace_page(trace)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    # nothing is fetched: no src/href to another document, no @import, no url() but
    # the SVG's own arrow marker, no requests from script
    assert not re.search(r"""\b(src|href)\s*=\s*["'](?!data:|#)""", page)
    assert "@import" not in page and "fetch(" not in page and "XMLHttpRequest" not in page
    assert set(re.findall(r"url\(([^)]*)\)", page)) == {"#arrow"}
    assert page.count("<svg") == 1 and page.count('class="node') == 8
    for button in ("reset", "back", "step", "play", "end"):
        assert f'id="{button}"' in page


def test_text_is_escaped():
    def h(x):
        return x * 2.0
    t = wg.trace(h)(1.0)
    page = trace_page(t, title="</script><b>bold</b>")
    assert "<b>bold</b>" not in page and "&lt;/script&gt;&lt;b&gt;bold" in page
    data = page.split('<script id="trace-data" type="application/json">')[1]
    assert "</script>" in data and "</" not in data.split("</script>")[0]


def test_nonscalar_output_needs_an_adjoint_seed():
    t = wg.trace(lambda x: wnp.sin(x))(np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match="trace_page.*seed"):
        trace_page(t)
    d = page_data(t, adjoint_seed=np.ones(3))
    assert d["adjoints"][-1]["value"] == "[1.000, 0.540, -0.416] (3,)"   # cos(x)


def test_bad_seed_names_the_inputs(trace):
    with pytest.raises(ValueError, match="x1, x2"):
        trace_page(trace, seed="x3")


def test_write_and_inline(trace, tmp_path):
    path = write(trace, tmp_path / "trace.html", seed="x2")
    text = path.read_text(encoding="utf-8")
    assert "tangent (seed x2)" in text
    page = TracePage(trace)
    inline = page._repr_html_()
    assert inline.startswith("<iframe") and 'srcdoc="' in inline
    srcdoc = re.search(r'srcdoc="([^"]*)"', inline).group(1)
    assert html.unescape(srcdoc) == page.html
    assert page.save(tmp_path / "p.html") is page and (tmp_path / "p.html").is_file()


def test_graph_picture(trace):
    svg = graph_svg(trace).svg
    assert svg.count('class="node') == 8 and svg.count('class="edge"') == 10
    assert f"= {DF_DX2:.3f}" in svg and "= 2.017" in svg


# ------------------------------------------------------------ in a real browser

def _find(*names):
    for n in names:
        path = shutil.which(n)
        if path:
            return path
    return None


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    chrome = _find("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
    driver_path = _find("chromedriver")
    if chrome is None or driver_path is None:
        pytest.skip("no Chromium and chromedriver installed (Debian: apt-get install "
                    "chromium chromium-driver)")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    options = Options()
    options.binary_location = chrome
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--disable-gpu", "--window-size=1300,1000"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(driver_path), options=options)
    except Exception as err:  # a driver that does not match the browser, no display
        pytest.skip(f"the headless browser did not start: {type(err).__name__}: {err}")
    yield driver
    driver.quit()


@pytest.fixture
def page_url(trace, tmp_path):
    path = write(trace, tmp_path / "trace.html")
    return path.as_uri()


def _errors(driver):
    return [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]


def _step(driver, times):
    from selenium.webdriver.common.by import By
    button = driver.find_element(By.ID, "step")
    for _ in range(times):
        button.click()


def _current(driver):
    from selenium.webdriver.common.by import By
    return driver.find_elements(By.CSS_SELECTOR, "#rows tr.current")


def test_loads_without_console_errors(browser, page_url):
    from selenium.webdriver.common.by import By
    browser.get(page_url)
    browser.get_log("browser")  # start from a clean log
    browser.get(page_url)
    assert _errors(browser) == []
    rows = browser.find_elements(By.CSS_SELECTOR, "#rows tr")
    assert len(rows) == 8 and not _current(browser)
    assert browser.find_element(By.ID, "status").text.startswith("ready: 8 lines")
    # before any step, no value is shown
    assert all("pending" in r.find_element(By.CSS_SELECTOR, "td.primal").get_attribute("class")
               for r in rows)


@pytest.mark.parametrize("n", [1, 3, 8])
def test_stepping_n_times_highlights_line_n_with_its_value(browser, page_url, n):
    from selenium.webdriver.common.by import By
    browser.get(page_url)
    _step(browser, n)
    current = _current(browser)
    assert len(current) == 1 and current[0].get_attribute("data-line") == str(n)
    primal = current[0].find_element(By.CSS_SELECTOR, "td.primal")
    assert primal.text == f"{PRIMALS[n - 1]:.3f}"
    assert "pending" not in primal.get_attribute("class")
    assert "pending" not in current[0].find_element(
        By.CSS_SELECTOR, "td.tangent-value").get_attribute("class")
    # its node in the graph is highlighted and shows the value
    node = browser.find_element(By.ID, f"node-{n - 1}")
    assert "current" in node.get_attribute("class")
    assert node.find_element(By.CSS_SELECTOR, ".nval").text == f"= {PRIMALS[n - 1]:.3f}"
    assert len(browser.find_elements(By.CSS_SELECTOR, "#graph .node.current")) == 1
    # lines below it are not computed yet
    later = browser.find_elements(By.CSS_SELECTOR, "#rows tr")[n:]
    assert all("pending" in r.find_element(By.CSS_SELECTOR, "td.primal").get_attribute("class")
               for r in later)
    assert f"{PRIMALS[n - 1]:.3f}" in browser.find_element(By.ID, "status").text
    assert _errors(browser) == []


def test_backward_sweep_fills_the_adjoints(browser, page_url):
    from selenium.webdriver.common.by import By
    browser.get(page_url)
    _step(browser, 9)   # the forward sweep (8 lines), then the output's adjoint
    (current,) = _current(browser)
    assert current.get_attribute("data-line") == "8" and "bwd" in current.get_attribute("class")
    assert current.find_element(By.CSS_SELECTOR, "td.adjoint-value").text == "1.000"
    rows = browser.find_elements(By.CSS_SELECTOR, "#rows tr")
    assert "pending" in rows[0].find_element(By.CSS_SELECTOR, "td.adjoint-value").get_attribute("class")
    _step(browser, 7)   # down to v_-1, the last adjoint
    (current,) = _current(browser)
    assert current.get_attribute("data-line") == "1"
    assert rows[0].find_element(By.CSS_SELECTOR, "td.adjoint-value").text == f"{DF_DX1:.3f}"
    assert rows[1].find_element(By.CSS_SELECTOR, "td.adjoint-value").text == f"{DF_DX2:.3f}"
    assert browser.find_element(By.ID, "step").get_attribute("disabled")
    browser.find_element(By.ID, "back").click()
    assert _current(browser)[0].get_attribute("data-line") == "2"
    browser.find_element(By.ID, "reset").click()
    assert not _current(browser) and browser.find_element(By.TAG_NAME, "body").get_attribute(
        "data-step") == "0"
    assert _errors(browser) == []


def test_screenshot(browser, page_url, tmp_path):
    browser.get(page_url)
    _step(browser, 5)
    shot = tmp_path / "trace.png"
    assert browser.save_screenshot(str(shot))
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    width, height = struct.unpack(">II", data[16:24])
    assert width > 600 and height > 400


def test_inline_iframe_works(browser, trace, tmp_path):
    from selenium.webdriver.common.by import By
    host = tmp_path / "notebook.html"
    host.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'>"
                    "<link rel='icon' href='data:,'></head><body>"
                    + TracePage(trace)._repr_html_() + "</body></html>", encoding="utf-8")
    browser.get(host.as_uri())
    browser.switch_to.frame(browser.find_element(By.TAG_NAME, "iframe"))
    try:
        _step(browser, 2)
        (current,) = _current(browser)
        assert current.get_attribute("data-line") == "2"
        assert current.find_element(By.CSS_SELECTOR, "td.primal").text == "0.500"
    finally:
        browser.switch_to.default_content()
    assert _errors(browser) == []
