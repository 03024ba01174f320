"""Sphinx helpers for wengert's API reference.

* ``.. wengert-autodoc:: module`` writes one autodoc entry (autofunction, autoclass or
  autodata) for every public name of ``module`` (its ``__all__``), so a name added to
  the package appears in the reference without anyone editing a page.
  Options: ``:exclude:`` names to leave out, ``:members:`` names of classes whose
  methods are documented too, ``:names:`` an explicit list instead of ``__all__``,
  ``:names-of:`` another module whose ``__all__`` gives the names.
* ``.. wengert-numpy-summary:: wengert.numpy`` sorts every public name of a
  wengert.numpy namespace into what it does with a traced value: differentiated by a
  rule, computed without a derivative, numpy's own object, or refused.
* The coverage check: after reading all pages, every public name of the modules in
  ``COVERED`` must be documented somewhere (an autodoc entry or a numpy summary), or
  the build warns, which ``-W`` makes an error.
"""

import importlib
import inspect
import re
import types

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

# modules whose public names the reference must cover
COVERED = [
    "wengert", "wengert.numeric", "wengert.symbolic", "wengert.autograd",
    "wengert.scipy.special", "wengert.scipy.stats", "wengert.scipy.linalg",
    "wengert.scipy.signal", "wengert.scipy.integrate",
    "wengert.nn", "wengert.nn.functional", "wengert.nn.init", "wengert.nn.utils",
    "wengert.optim", "wengert.optim.lr_scheduler", "wengert.utils.data",
    "wengert.misc.optimizers",
]
NUMPY_NAMESPACES = ["wengert.numpy", "wengert.numpy.linalg", "wengert.numpy.fft"]


def load(modname):
    """A module by name; also a module reached as an attribute (``wengert.numeric``
    is ``wengert.tools.numeric``)."""
    try:
        return importlib.import_module(modname)
    except ModuleNotFoundError:
        parent, _, attr = modname.rpartition(".")
        if not parent:
            raise
        return getattr(load(parent), attr)


def canonical(obj):
    """``module.qualname`` of a function or class (None for other objects): two
    public names of one object share it."""
    mod, qual = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if not (inspect.isclass(obj) or inspect.isfunction(obj)) or not mod or not qual:
        return None
    return f"{mod}.{qual}"


def _store(env):
    return env.domaindata.setdefault("wengert_api", {"names": set(), "canonical": {}})


def _ours(obj):
    """Whether wengert defines ``obj`` (or, for an instance, its type)."""
    owner = obj if (inspect.isclass(obj) or inspect.isroutine(obj)) else type(obj)
    return (getattr(owner, "__module__", "") or "").startswith("wengert")


def _describe(obj):
    """One line for an object wengert re-exports from elsewhere (a numpy dtype, a
    dict, a namespace): its docstring would be the other library's."""
    if inspect.isclass(obj):
        return f"The type ``{obj.__module__}.{obj.__qualname__}``."
    kind = type(obj).__name__
    if isinstance(obj, dict):
        return f"A ``dict`` of {len(obj)} entries."
    attrs = [a for a in vars(obj) if not a.startswith("_")] if hasattr(obj, "__dict__") else []
    if attrs:
        return f"A ``{kind}`` with " + ", ".join(f"``{a}``" for a in attrs) + "."
    return f"A ``{kind}``: ``{obj!r}``."


def public_names(modname):
    """The public names of a module: its ``__all__``, else the names in ``dir`` not
    starting with an underscore."""
    mod = load(modname)
    names = getattr(mod, "__all__", None)
    if names is None:
        names = [n for n in dir(mod) if not n.startswith("_")]
    return list(dict.fromkeys(names))


def _split(text):
    return [n for n in (text or "").replace(",", " ").split() if n]


class AutodocAll(SphinxDirective):
    required_arguments = 1
    option_spec = {"exclude": directives.unchanged, "members": directives.unchanged,
                   "names": directives.unchanged, "names-of": directives.unchanged}

    def run(self):
        modname = self.arguments[0]
        mod = load(modname)
        names = _split(self.options.get("names"))
        if not names:
            names = public_names(self.options.get("names-of") or modname)
        exclude = set(_split(self.options.get("exclude")))
        with_members = set(_split(self.options.get("members")))
        lines = []
        store = _store(self.env)
        documented, seen = store["names"], store["canonical"]
        for name in names:
            if name in exclude:
                continue
            obj = getattr(mod, name)
            full = f"{modname}.{name}"
            if isinstance(obj, types.ModuleType):
                lines += [f".. py:module:: {obj.__name__}", "   :no-index:", "",
                          f".. py:data:: {full}", "   :no-index:", "",
                          f"   The submodule :mod:`{obj.__name__}`.", ""]
                documented.add(full)
                continue
            if not _ours(obj):
                lines += [f".. py:data:: {full}", "", f"   {_describe(obj)}", ""]
                documented.add(full)
                continue
            canon = canonical(obj)
            first = seen.setdefault(canon, full) if canon else full
            if first != full:
                # the same object under a second public name: one full entry only
                kind = "class" if inspect.isclass(obj) else "function"
                lines += [f".. py:{kind}:: {full}", "",
                          f"   The same {kind} as :obj:`{first}`.", ""]
                documented.add(full)
                continue
            if inspect.isclass(obj):
                lines.append(f".. autoclass:: {full}")
                if name in with_members:
                    lines.append("   :members:")
            elif callable(obj):
                lines.append(f".. autofunction:: {full}")
            else:
                lines += [f".. autodata:: {full}", "   :no-value:"]
            lines.append("")
            documented.add(full)
        node = nodes.container()
        self.state.nested_parse(StringList(lines, source=f"<wengert-autodoc {modname}>"),
                                self.content_offset, node)
        return node.children


def numpy_categories(modname):
    """``{category: [names]}`` for a wengert.numpy namespace."""
    from wengert.numpy import _namespace

    mod = load(modname)
    as_is = set(_namespace.AS_IS)
    nondiff = set(_namespace.NONDIFF)
    own = set(vars(mod))
    out = {"differentiable": [], "no derivative": [], "numpy's own": [], "refused": []}
    for name in sorted(n for n in dir(mod) if not n.startswith("_")):
        obj = getattr(mod, name)
        if isinstance(obj, types.ModuleType):
            continue
        if name not in own:
            out["refused"].append(name)          # served by _namespace.missing
        elif modname == "wengert.numpy" and name in as_is:
            out["numpy's own"].append(name)
        elif name in nondiff or getattr(obj, "__qualname__", "").startswith("nondiff."):
            # rules/_base.nondiff builds the rules' own derivative-free functions
            out["no derivative"].append(name)
        elif inspect.isclass(obj) or not callable(obj):
            out["numpy's own"].append(name)
        else:
            out["differentiable"].append(name)
    return out


_MEANING = {
    "differentiable": "Differentiated under every transform (a primitive with its "
                      "rules, or a composite of primitives).",
    "no derivative": "Accept traced values and compute the plain numpy result; the "
                     "result is a constant (predicates, integer-valued and "
                     "piecewise-constant functions, queries).",
    "numpy's own": "numpy's objects as they are: constants, dtypes, classes, and "
                   "constructors whose results are constants.",
    "refused": "Compute numpy's result on plain arrays and raise "
               "``NoDerivativeRule`` (a ``NotImplementedError``) on a traced value.",
}


class NumpySummary(SphinxDirective):
    required_arguments = 1

    def run(self):
        modname = self.arguments[0]
        cats = numpy_categories(modname)
        documented = _store(self.env)["names"]
        lines = []
        for cat, names in cats.items():
            if not names:
                continue
            lines += [f"**{cat}** ({len(names)} names). {_MEANING[cat]}", "",
                      ", ".join(f"``{n}``" for n in names), ""]
            documented.update(f"{modname}.{n}" for n in names)
        node = nodes.container()
        self.state.nested_parse(StringList(lines, source=f"<numpy summary {modname}>"),
                                self.content_offset, node)
        return node.children


def check_coverage(app, env):
    documented = set(_store(env)["names"])
    documented |= set(env.get_domain("py").objects)
    missing = []
    for modname in COVERED:
        for name in public_names(modname):
            if f"{modname}.{name}" not in documented:
                missing.append(f"{modname}.{name}")
    for modname in NUMPY_NAMESPACES:
        for cat in numpy_categories(modname).values():
            missing += [f"{modname}.{n}" for n in cat if f"{modname}.{n}" not in documented]
    if missing:
        logger.warning("the API reference does not cover %d public name(s): %s",
                       len(missing), ", ".join(missing[:40]) + (" ..." if len(missing) > 40
                                                                 else ""))


_LITERAL = re.compile(r"(?<![`\w])``[^`\s](?:[^`]*[^`\s])?``")
_LITERAL_SUFFIX = re.compile(r"(?<![`\w])(``[^`\s](?:[^`]*[^`\s])?``)(?=[A-Za-z])")
_BARS = re.compile(r"(?<![\w`|])\|([^|`\n]+)\|(?![\w|])")


def _outside_literals(line, fix):
    """Apply ``fix`` to the parts of ``line`` outside inline literals."""
    out, last = [], 0
    for m in _LITERAL.finditer(line):
        out += [fix(line[last:m.start()]), m.group(0)]
        last = m.end()
    return "".join(out + [fix(line[last:])])


def plain_text_idioms(app, what, name, obj, options, lines):
    """Docstrings are written to read as plain text; two habits of plain text mean
    something else in reST: a plural after a literal (````Subset````s needs an escaped
    space) and an absolute value ``|x|`` (a substitution reference). Doctest blocks
    are left alone."""
    in_doctest = False
    for k, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(">>>"):
            in_doctest = True
        elif not stripped:
            in_doctest = False
        if in_doctest:
            continue
        line = _LITERAL_SUFFIX.sub(r"\1\\ ", line)
        lines[k] = _outside_literals(line, lambda t: _BARS.sub(r"\\|\1\\|", t))


def merge(app, env, docnames, other):
    mine, theirs = _store(env), _store(other)
    mine["names"] |= theirs["names"]
    for k, v in theirs["canonical"].items():
        mine["canonical"].setdefault(k, v)


def purge(app, env, docname):
    pass  # the names are recomputed on every full build (the reference pages re-read)


def setup(app):
    app.add_directive("wengert-autodoc", AutodocAll)
    app.add_directive("wengert-numpy-summary", NumpySummary)
    app.connect("env-check-consistency", check_coverage)
    app.connect("autodoc-process-docstring", plain_text_idioms)
    app.connect("env-merge-info", merge)
    app.connect("env-purge-doc", purge)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
