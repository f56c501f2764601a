"""Building titled docutils tables: one helper for every trialbook table.

Each table is a standard ``table`` with a ``title`` (so it is numbered and can be
the target of ``numref``), preceded by a ``tabular_col_spec`` that gives LaTeX
ragged-right columns of fixed relative widths: every column stays inside the page.
"""

from __future__ import annotations

from collections.abc import Sequence

from docutils import nodes
from sphinx import addnodes

from .render import paragraph, verbatim

Column = tuple[str, int]  # heading, relative width
Cell = nodes.Node | str | Sequence[nodes.Node | str]


def colspec(columns: Sequence[Column]) -> addnodes.tabular_col_spec:
    """Ragged-right LaTeX columns of the given widths (justified narrow cells look broken)."""
    total = sum(width for _, width in columns)
    spec = "".join(
        rf">{{\raggedright\arraybackslash}}\X{{{width}}}{{{total}}}" for _, width in columns
    )
    return addnodes.tabular_col_spec(spec=spec)


def entry(cell: Cell) -> nodes.entry:
    """A table cell: paragraphs stay paragraphs, anything else is wrapped in one."""
    out = nodes.entry()
    parts = [cell] if isinstance(cell, nodes.Node | str) else list(cell)
    for part in parts:
        out += part if isinstance(part, nodes.paragraph) else paragraph(part)
    return out


def table(
    caption: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    classes: Sequence[str] = (),
) -> tuple[addnodes.tabular_col_spec, nodes.table]:
    """The column spec and the table (title, header row, body rows)."""
    node = nodes.table(classes=["trialbook-table", *classes])
    node += nodes.title(caption, caption)
    group = verbatim(nodes.tgroup(cols=len(columns)))  # the caption is the author's text
    node += group
    for _, width in columns:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    group += head
    head += nodes.row("", *(entry(heading) for heading, _ in columns))
    body = nodes.tbody()
    group += body
    for cells in rows:
        body += nodes.row("", *(entry(cell) for cell in cells))
    return colspec(columns), node
