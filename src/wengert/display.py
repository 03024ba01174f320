"""Tables and reports that print as text and render as HTML in Jupyter (and as rich
tables in a terminal): every table wengert shows a person is one of these.

The HTML is styled inline (borders, padding, right-aligned numbers, a monospace
font for formulas and values), so it looks the same wherever it is shown, and
names such as ``v_-1`` or ``v̄_4`` get real subscripts.

>>> t = Table("adjoints", ["name", "value"], [["v_-1", "1.500"], ["v̄_4", "2.844"]])
>>> print(t)
adjoints
name  value
----  -----
v_-1  1.500
v̄_4   2.844
>>> "<sub>-1</sub>" in t._repr_html_()
True
"""

import html
import re

DOT = "\u0307"  # combining dot above: v̇
BAR = "\u0304"  # combining macron: v̄

_TABLE = ("border-collapse:collapse;margin:0.4em 0;font-size:0.92em;"
          "font-family:system-ui,-apple-system,'Segoe UI',sans-serif")
_CAPTION = "caption-side:top;text-align:left;font-weight:600;padding:0.2em 0"
_TH = "border:1px solid #b9b9b9;background:#f1f1f1;padding:3px 10px;text-align:{}"
_TD = ("border:1px solid #d0d0d0;padding:3px 10px;text-align:{};"
       "font-family:ui-monospace,'SFMono-Regular',Menlo,Consolas,monospace;white-space:pre")
_NOTE = "margin:0.2em 0;font-size:0.85em;color:#444"
_SUB = re.compile(r"(?<=[A-Za-z" + DOT + BAR + r"])_(-?\d+)")


def _width(s):
    # combining marks (the dot of v̇, the bar of v̄) take no column
    return sum(1 for ch in str(s) if ch not in (DOT, BAR))


def _pad(s, w, align="<"):
    fill = " " * (w - _width(s))
    return fill + str(s) if align == ">" else str(s) + fill


def cell_html(text):
    """Escape ``text`` for HTML and write ``name_k`` as name with subscript k."""
    return _SUB.sub(r"<sub>\1</sub>", html.escape(str(text)))


class Table:
    """Rows of formulas and values, rendered as text, Markdown, HTML or rich.

    ``align`` gives each column's alignment, ``"<"`` (the default) or ``">"``;
    ``notes`` are lines printed under the table."""

    def __init__(self, title, columns, rows, *, align=None, notes=()):
        self.title = title
        self.columns = list(columns)
        self.rows = [list(r) for r in rows]
        self.align = list(align) if align is not None else ["<"] * len(self.columns)
        self.notes = list(notes)

    def column(self, name):
        i = self.columns.index(name)
        return [r[i] for r in self.rows]

    def __str__(self):
        cells = [self.columns] + [[str(c) for c in r] for r in self.rows]
        widths = [max(_width(row[i]) for row in cells) for i in range(len(self.columns))]
        out = [self.title] if self.title else []
        for j, row in enumerate(cells):
            out.append("  ".join(_pad(c, w, a) for c, w, a in
                                 zip(row, widths, self.align)).rstrip())
            if j == 0:
                out.append("  ".join("-" * w for w in widths))
        out.extend(self.notes)
        return "\n".join(out)

    def __repr__(self):
        return str(self)

    def to_markdown(self):
        esc = lambda s: str(s).replace("|", "\\|")  # noqa: E731
        out = [f"**{self.title}**", ""] if self.title else []
        out.append("| " + " | ".join(esc(c) for c in self.columns) + " |")
        out.append("|" + "|".join("---:" if a == ">" else "---" for a in self.align) + "|")
        for r in self.rows:
            out.append("| " + " | ".join(esc(c) for c in r) + " |")
        if self.notes:
            out += [""] + self.notes
        return "\n".join(out)

    def _repr_html_(self):
        side = ["right" if a == ">" else "left" for a in self.align]
        head = "".join(f'<th style="{_TH.format(s)}">{cell_html(c)}</th>'
                       for c, s in zip(self.columns, side))
        body = "".join("<tr>" + "".join(f'<td style="{_TD.format(s)}">{cell_html(c)}</td>'
                                        for c, s in zip(r, side)) + "</tr>"
                       for r in self.rows)
        cap = (f'<caption style="{_CAPTION}">{cell_html(self.title)}</caption>'
               if self.title else "")
        notes = "".join(f'<p style="{_NOTE}">{cell_html(n)}</p>' for n in self.notes)
        return (f'<div class="wengert-table"><table style="{_TABLE}">{cap}<thead><tr>{head}'
                f"</tr></thead><tbody>{body}</tbody></table>{notes}</div>")

    def __rich__(self):
        from rich.table import Table as RichTable
        t = RichTable(title=self.title or None, caption="\n".join(self.notes) or None)
        for c, a in zip(self.columns, self.align):
            t.add_column(str(c), justify="right" if a == ">" else "left")
        for r in self.rows:
            t.add_row(*[str(c) for c in r])
        return t


class Report:
    """Paragraphs and tables in order: one printable, displayable result (a table
    with its summary, an explanation with its figures)."""

    def __init__(self, parts):
        self.parts = list(parts)

    def tables(self):
        return [p for p in self.parts if isinstance(p, Table)]

    def __str__(self):
        return "\n\n".join(str(p) for p in self.parts)

    def __repr__(self):
        return str(self)

    def to_markdown(self):
        return "\n\n".join(p.to_markdown() if isinstance(p, Table) else str(p)
                           for p in self.parts)

    def _repr_html_(self):
        return "".join(p._repr_html_() if isinstance(p, Table)
                       else f'<p style="{_NOTE}">{cell_html(p)}</p>' for p in self.parts)

    def __rich__(self):
        from rich.console import Group
        return Group(*[p.__rich__() if isinstance(p, Table) else str(p)
                       for p in self.parts])
