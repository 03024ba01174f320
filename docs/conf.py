"""Sphinx configuration for the wengert documentation.

Build (from the repository root; see docs/README.md):

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Every page in tutorials/ and howto/ is a MyST markdown notebook: myst-nb runs its
code cells in a fresh kernel on every build, so each output shown was computed by
that build, and an exception in any cell fails the build.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "_ext"))
# the package from the source tree, so the reference documents the code beside it
sys.path.insert(0, os.path.join(HERE, "..", "src"))

project = "wengert"
author = "the wengert authors"
copyright = "the wengert authors"

import wengert  # noqa: E402

release = version = wengert.__version__

extensions = [
    "myst_nb",                    # executed markdown notebooks (also plain MyST pages)
    "sphinx.ext.autodoc",         # the API reference from the docstrings
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "wengert_api",                # docs/_ext: namespace tables and the coverage check
]

exclude_patterns = ["_build", "jupyter_execute", "README.md", "**.ipynb_checkpoints"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb"}
root_doc = "index"

# --- autodoc: signatures as written, members in source order
autodoc_default_options = {"members": False, "undoc-members": False}
autodoc_member_order = "bysource"
autodoc_typehints = "none"
autosummary_generate = False
add_module_names = False

# --- MyST and myst-nb
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "force"          # run every notebook page on every build
nb_execution_raise_on_error = True   # a failing cell fails the build
nb_execution_timeout = 300
nb_execution_show_tb = True
nb_merge_streams = True
nb_render_image_options = {"width": "100%"}
# text/html before images: the Wengert-list tables render as styled tables
nb_mime_priority_overrides = [("html", "text/html", 10)]

# --- HTML
html_theme = "furo" if __import__("importlib.util").util.find_spec("furo") else "alabaster"
html_title = f"wengert {release}"
html_static_path = ["_static"]
html_css_files = ["wengert.css"]

# warnings are errors (-W on the command line); these are not about the docs' content
suppress_warnings = ["mystnb.unknown_mime_type"]
