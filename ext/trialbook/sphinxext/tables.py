"""Building titled docutils tables: one helper for every trialbook table.

Each table is a standard ``table`` with a ``title`` (so it is numbered and can be
the target of ``numref``), preceded by a ``tabular_col_spec`` that gives LaTeX
ragged-right columns whose widths follow the content (:func:`widths`): every
column stays inside the page, and no word is wider than its column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes

from .metrics import BODY, HEADING, width
from .render import NUMBERED, Citing, paragraph, shown_text, verbatim
from .rows import RowsTransform

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.writers.html5 import HTML5Translator
    from sphinx.writers.latex import LaTeXTranslator

Cell = nodes.Node | str | Sequence[nodes.Node | str]


@dataclass(frozen=True)
class GroupRow:
    """A row spanning every column that heads the rows after it (a trial, an event)."""

    content: Sequence[nodes.Node | str]


Row = Sequence[Cell] | GroupRow
GROUP = "trialbook-group"
#: The class of every table trialbook makes.
TABLE = "trialbook-table"


#: The PDF's line width in points (A4 with Sphinx's one-inch margins; US letter is
#: wider), the text size (10 pt; a project that sets tables smaller only gains room;
#: with 9 pt Sphinx 8.2's tabulary, set at 10 pt, overflowed) and a column's padding.
LINE_PT = 450.0
FONT_PT = 10.0
PAD_PT = 14.0  # 12 pt of padding, and 2 for the metrics' rounding
#: A cell's text longer than this wraps anyway: it asks for no more width.
LONG_PT = 180.0


def _tokens(text: str) -> list[str]:
    """The pieces a line may break between: words (no-break spaces bind)."""
    return [t for t in text.replace("\n", " ").split(" ") if t]


def widths(heads: Sequence[str], rows: Sequence[Sequence[str]]) -> list[int]:
    """Column widths in percent, from the content: each column at least as wide as its
    longest unbreakable piece (headings do not hyphenate), the rest of the line shared
    by how much text the columns hold. Hand-set widths broke the PDF both ways:
    "Reduc-tion" overfull in a narrow column, one-word cells stretched in a wide one."""
    least = []
    want = []
    longest = []
    text = []
    for i, head in enumerate(heads):
        cells = [r[i] for r in rows if i < len(r)]
        words = [width(w, HEADING, FONT_PT) for w in _tokens(head)]
        words += [width(w, BODY, FONT_PT) for c in cells for w in _tokens(c)]
        least.append(max(words, default=0.0) + PAD_PT)
        lines = [width(head, HEADING, FONT_PT), *(width(c, BODY, FONT_PT) for c in cells)]
        want.append(max(least[-1], min(max(lines), LONG_PT) + PAD_PT))
        longest.append(max(least[-1], max(lines) + PAD_PT))
        text.append(sum(lines))
    room = LINE_PT
    if sum(want) <= room:  # everything fits on one line: share the spare room
        share = [w * room / sum(want) for w in want]
    elif sum(least) >= room:  # nothing fits: keep the unbreakable pieces' proportions
        share = least
    else:  # what may wrap shares the room by how much text it holds
        share = _by_text(least, longest, text, room)
    total = sum(share)
    percent = [s * 100 / total for s in share]
    out = [int(p) for p in percent]
    for i in sorted(range(len(out)), key=lambda i: percent[i] - out[i], reverse=True):
        if sum(out) >= 100:
            break
        out[i] += 1
    return out


def _by_text(least: list[float], want: list[float], text: list[float], room: float) -> list[float]:
    """Each column its longest piece, then the room left in proportion to the text it
    holds, none past its longest line (``want``), as LaTeX's tabulary shares a line.
    A column of dates with one long cell took as much of the line as the column of
    events beside it, which held ten times the text."""
    share = list(least)
    spare = room - sum(least)
    open_ = [i for i, (a, b) in enumerate(zip(least, want, strict=True)) if b > a]
    while open_ and spare > 1e-6:
        total = sum(text[i] for i in open_)
        give = {i: spare * (text[i] / total if total else 1 / len(open_)) for i in open_}
        full = [i for i in open_ if share[i] + give[i] >= want[i]]
        if not full:
            for i in open_:
                share[i] += give[i]
            break
        for i in full:
            spare -= want[i] - share[i]
            share[i] = want[i]
            open_.remove(i)
    return share


def text_with(node: nodes.Node, cite: Callable[[Citing], str]) -> str:
    """``node.astext()`` with each citing node's text as ``cite`` gives it (they hold
    only a source id until they are drawn). (Not ``astext()`` of a copy with the
    citations replaced: copying every cell took 3 s at 100 trials.)"""
    if isinstance(node, nodes.Text):
        return str(node)
    if isinstance(node, Citing):
        return cite(node)
    if isinstance(node, addnodes.pending_xref) and node.get(NUMBERED):
        return "[99]"
    assert isinstance(node, nodes.Element)
    return node.child_text_separator.join(text_with(child, cite) for child in node.children)


def rows_of(table: nodes.table) -> Iterator[nodes.row]:
    """The header and body rows of a table, in order (not those of a table in a cell)."""
    for group in table.children:
        if isinstance(group, nodes.tgroup):
            for part in group.children:
                if isinstance(part, nodes.thead | nodes.tbody):
                    yield from (row for row in part.children if isinstance(row, nodes.row))


def colspec(percent: Sequence[int]) -> addnodes.tabular_col_spec:
    """Ragged-right LaTeX columns of the given widths (justified narrow cells look broken)."""
    spec = "".join(rf">{{\raggedright\arraybackslash}}\X{{{w}}}{{100}}" for w in percent)
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
    columns: Sequence[str],
    rows: Sequence[Row],
    classes: Sequence[str] = (),
) -> tuple[addnodes.tabular_col_spec, nodes.table]:
    """The column spec and the table (title, header row, body rows).

    In LaTeX every table is a ``longtable``: tables of results grow with the data,
    and a ``tabular`` cannot break across pages (it runs off the page, or leaves
    the page before it half empty).
    """
    node = nodes.table(classes=[TABLE, "longtable", *classes])
    node += nodes.title(caption, caption)
    group = verbatim(nodes.tgroup(cols=len(columns)))  # the caption is the author's text
    node += group
    colspecs = [nodes.colspec(colwidth=1) for _ in columns]
    group += colspecs
    head = nodes.thead()
    group += head
    head += nodes.row("", *(entry(heading) for heading in columns))
    body = nodes.tbody()
    group += body
    for cells in rows:
        if isinstance(cells, GroupRow):
            cell = entry(list(cells.content))
            cell["morecols"] = len(columns) - 1
            body += group_row("", cell, classes=[GROUP])
        else:
            body += nodes.row("", *(entry(cell) for cell in cells))
    texts = [
        [text_with(e, shown_text) for e in row.findall(nodes.entry)]
        for row in body.children
        if isinstance(row, nodes.row) and GROUP not in row["classes"]
    ]
    percent = widths(columns, texts)
    for spec, share in zip(colspecs, percent, strict=True):
        spec["colwidth"] = share
    return colspec(percent), node


def _blank(cell: nodes.Element) -> bool:
    """Whether a cell shows nothing, or a dash. It is read only as far as it takes to
    tell: most cells start with a figure. (A cited node is never blank: it shows at
    least its ``[n]``.)"""
    seen = ""
    for node in cell.findall(lambda n: isinstance(n, nodes.Text | Citing)):
        if isinstance(node, Citing):
            return False
        seen += str(node)
        if seen.strip() not in ("", "–"):
            return False
    return True


class group_row(nodes.row):
    """A row whose one cell heads the rows after it (a trial, an event). Sphinx's
    writers draw it as a row (they look a node's visitor up by its classes, nearest
    first); in LaTeX the page may not break after it: a group's heading at the foot
    of a page, its rows on the next, read as a group with no rows."""


def _visit_group_row(self: Any, node: group_row) -> None:
    self.visit_row(node)


def _depart_group_row(self: Any, node: group_row) -> None:
    self.depart_row(node)


def _depart_group_row_latex(self: LaTeXTranslator, node: group_row) -> None:
    self.depart_row(node)
    # longtable's: no break after this row. Not after the body's first row: with no
    # break between it and the next, a table that starts near the foot of a page
    # broke before its first row, leaving only its footer there.
    if node.parent is not None and node.parent.index(node) > 0:
        self.body.append("\\nopagebreak\n")


class column_label(nodes.Element):
    """The heading of a body cell's column (attribute ``text``), put at the top of the
    cell for the phone layout (:class:`ColumnLabels`); drawn by the HTML writer only.

    One leaf, drawn as ``<p class="trialbook-col-label">``: as a paragraph with its
    text it was two nodes more in each of 60,000 cells at 100 trials, for every
    later pass over the page to walk (the labels took 1.6 to 2.8 s of a 45 s build)."""


def visit_column_label(self: HTML5Translator, node: column_label) -> None:
    """``<p class="trialbook-col-label">Heading</p>``, as the paragraph it stands for."""
    self.body.append(self.starttag(node, "p", "", CLASS="trialbook-col-label"))
    self.body.append(self.encode(node["text"]) + "</p>\n")
    raise nodes.SkipNode


class ColumnLabels(RowsTransform):
    """On a phone a table is read row by row, stacked: each cell says which column it is
    in. HTML only: the labels are hidden (CSS) unless the screen is narrow."""

    default_priority = 300
    formats = ("html",)

    def run_on(self, roots: list[nodes.Element], docname: str) -> None:
        """Put its column's heading at the top of every body cell of our tables."""
        for root in roots:
            if not isinstance(root, nodes.tbody):  # the page: every table of ours
                tables = [t for t in root.findall(nodes.table) if TABLE in t["classes"]]
            else:  # rows back in a body: its table, if this is the body it labels
                table = root.parent.parent if root.parent is not None else None
                tables = (
                    [table]
                    if isinstance(table, nodes.table)
                    and TABLE in table["classes"]
                    and table.next_node(nodes.tbody) is root
                    else []
                )
            for table in tables:
                self._label(table)

    def _label(self, table: nodes.table) -> None:
        """Label the cells of the table's (first) body."""
        head = table.next_node(nodes.thead)
        first = table.next_node(nodes.tbody)
        if head is None or first is None:
            return
        labels = [e.astext() for e in head.findall(nodes.entry)]
        # The rows and cells table() made: its children, not a walk of every cell.
        for row in first.children:
            if not isinstance(row, nodes.row) or GROUP in row["classes"]:
                continue
            for label, cell in zip(labels, row.children, strict=False):
                assert isinstance(cell, nodes.entry)
                if _blank(cell):
                    cell["classes"].append("trialbook-empty-cell")
                # (``insert`` would look the document up from each cell.)
                cell.children.insert(0, column_label(text=label))
                cell[0].parent = cell
                cell[0].document = self.document


class UnspanGroupRows(RowsTransform):
    """Writers other than HTML and LaTeX (man, texinfo) cannot span cells: there, a
    group's heading sits in the first cell of an otherwise empty row."""

    default_priority = 300

    def run_on(self, roots: list[nodes.Element], docname: str) -> None:
        """Turn each spanning group heading into a row of ordinary cells."""
        for row in self.found(roots, nodes.row):
            if GROUP not in row["classes"] or not row.children:
                continue
            first = row[0]
            assert isinstance(first, nodes.entry)
            for _ in range(int(first.attributes.pop("morecols", 0))):
                row += nodes.entry()


def _unspan_for_plain_writers(app: Sphinx) -> None:
    if app.builder.format not in ("html", "latex"):
        app.add_post_transform(UnspanGroupRows)


def setup_tables(app: Sphinx) -> None:
    """Register the phone layout's column labels, and the group rows' fallback."""
    app.add_post_transform(ColumnLabels)
    app.add_node(column_label, html=(visit_column_label, None))
    app.add_node(
        group_row,
        html=(_visit_group_row, _depart_group_row),
        latex=(_visit_group_row, _depart_group_row_latex),
    )
    app.connect("builder-inited", _unspan_for_plain_writers)
