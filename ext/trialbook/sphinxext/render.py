"""Docutils nodes for reported and derived values: provenance made visible.

Every number a directive or role shows is built here. A reported value is its
formatted text followed by a citation, ``[n]``: a cross-reference to entry *n* of
the source list (a link with the citation on hover in HTML, a hyperlink to the
numbered list in the PDF). A derived value is set in italics and says
``derived: <formula>``, so it is never mistaken for a reported one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from docutils import nodes
from sphinx import addnodes

from ..model.records import Dataset, Trial
from ..model.values import Fact, Flag, OtherReport, Value
from ..report import format as fmt
from ..report.derive import Derived
from ..report.words import treatment_name
from .rows import RowsTransform

EMPTY = "–"
NBSP = "\u00a0"
#: Docutils attribute that keeps Sphinx's SmartQuotes out of a node and its children:
#: text from data is shown exactly as written (``"`` stays straight, ``\\`` stays two).
VERBATIM = "support_smartquotes"


def verbatim(node: nodes.Element) -> nodes.Element:
    """Mark ``node`` (and all inside it) as data text that SmartQuotes leaves alone."""
    node[VERBATIM] = False
    return node


#: Attribute of a source reference whose text becomes ``[n]`` when it is resolved.
NUMBERED = "trialbook_numbered"
#: Attribute of a citation: where in the source (``Table 4``), shown as ``[n, Table 4]``.
LOCATOR = "trialbook_locator"
#: Attribute of a citation: the id of the source it cites.
CITES = "trialbook_cites"
#: Attribute of a cited figure kept as printed although its arithmetic does not agree:
#: why (shown as "sic", the reason on hover).
SIC = "trialbook_sic"


class Citing(nodes.Element):
    """A node that cites a source with ``[n]``, as a page stores it.

    A handbook of 100 trials holds some 30,000 citations. As pending references
    inside the figure's spans (a reference, two inlines, three texts per value) its
    pages held 2.8 million objects after reading, against 1.4 million for the same
    tables typed by hand, and every build pays per object: Sphinx unpickles and walks
    every page to number figures, and Python's garbage collector traverses them all
    (28 s of a 80 s build). Stored as one node per cited value: 2.1 million objects,
    pages of 26 MB instead of 37 MB. :class:`~.citing.ExpandCitations` makes the link
    when references are resolved, before any writer sees it (these nodes never reach
    one), and the HTML and LaTeX are the same as before, byte for byte.
    """

    def citation_text(self) -> str:
        """``[source-id]``: the marker before its number is known."""
        source = self[CITES]
        locator = self.get(LOCATOR)
        return f"[{source}, {_unbroken(locator)}]" if locator else f"[{source}]"


class source_cite(nodes.Inline, Citing):
    """``[n]`` (or ``[n, Table 4]``): a citation alone (no children)."""


class cited_figure(nodes.Inline, nodes.TextElement, Citing):
    """A figure from the data and its citation, ``0.26 (0.21–0.33) [5]``: the node
    holds the figure's text; the citation (if any) and a "sic" are attributes."""


def cite(source: str | None, locator: str | None = None) -> source_cite | None:
    """``[n]`` (or ``[n, Table 4]``), a reference to the source in the source list.

    The number is filled in when references are resolved (see
    :meth:`.domain.TrialDomain.source_reference`), as sphinxcontrib-bibtex does: a
    page that cites a source is not re-read because the numbering moved.
    """
    if source is None:
        return None
    node = source_cite()
    node[CITES] = source
    if locator:
        node[LOCATOR] = locator
    return node


def show_number(content: nodes.Element, number: int, locator: str | None = None) -> None:
    """Put ``[number]`` (``[number, locator]``) into a source reference (at resolve time)."""
    content.children = []
    if not locator:
        content += nodes.Text(f"[{number}]")
        return
    # "[5, Table 4]": the line may break after the comma in a narrow PDF column, never
    # inside the locator (a no-break space; in LaTeX also a box against hyphenation).
    # In HTML the whole marker stays on one line (CSS).
    content += nodes.Text(f"[{number}, ")
    content += nodes.inline("", _unbroken(locator), classes=["trialbook-locator"])
    content += nodes.Text("]")


def _unbroken(locator: str) -> str:
    """``Table 4`` with a no-break space."""
    return locator.replace(" ", NBSP)


def _with_cite(
    text: str, source: str | None, locator: str | None = None, sic: str | None = None
) -> cited_figure:
    node = cited_figure("", text, classes=["trialbook-value"], **{VERBATIM: False})
    if source is not None:
        node[CITES] = source
        if locator:
            node[LOCATOR] = locator
    if sic:
        node[SIC] = sic
    return node


def figure_parts(node: cited_figure, *, latex: bool = False) -> nodes.inline:
    """What a cited figure shows: the figure in its span (kept on one line), a "sic"
    with its reason (on hover; LaTeX would print it in brackets: there the italic
    "sic" alone, as :class:`DerivedInLatex` leaves it), and the citation, which is
    left to the caller to resolve."""
    out = nodes.inline("", "", classes=node["classes"], **{VERBATIM: False})
    out += nodes.inline("", node.astext(), classes=["trialbook-figure"])
    if node.get(SIC):
        sic: nodes.Element = nodes.emphasis("", "sic")
        if not latex:
            sic = nodes.abbreviation("", "", sic, explanation=node[SIC], classes=["trialbook-sic"])
        out += [nodes.Text(" "), sic]
    return out


def shown_text(node: Citing) -> str:
    """A citing node's text as it will be printed, with ``[99]`` for its number."""
    if isinstance(node, source_cite):
        return "[99]"
    parts = [node.astext(), *(["sic"] if node.get(SIC) else [])]
    if CITES in node:
        parts.append("[99]")
    return " ".join(parts)


def trial_ref(trial: Trial) -> addnodes.pending_xref:
    """A link to the trial's page, showing its name."""
    return addnodes.pending_xref(
        "",
        nodes.inline("", trial.name, classes=["trialbook-name"]),
        refdomain="trial",
        reftype="trial",
        reftarget=trial.id,
        refexplicit=True,
        refwarn=True,
    )


def empty() -> nodes.inline:
    """A dash for a value that is not given."""
    return nodes.inline("", EMPTY, classes=["trialbook-value", "trialbook-empty"])


def value_node(
    value: Value | None, *, signed: bool = False, p: bool = False
) -> nodes.inline | cited_figure:
    """A reported value with its citation."""
    if value is None:
        return empty()
    if not value.reported:
        return nodes.inline(
            "", fmt.NOT_REPORTED, classes=["trialbook-value", "trialbook-nr"], **{VERBATIM: False}
        )
    text = fmt.p_value(value) if p else fmt.value(value, signed=signed)
    # Kept as printed although its arithmetic does not agree: say so where it is
    # shown ("sic", the reason on hover), not only on the discrepancy page.
    return _with_cite(text, value.source, value.locator, value.acknowledged)


def fact_node(fact: Fact) -> nodes.inline:
    """A sourced statement in running text, with its citation (it wraps like text)."""
    node = nodes.inline("", "", classes=["trialbook-value", "trialbook-fact"], **{VERBATIM: False})
    node += nodes.Text(fact.text)
    ref = cite(fact.source, fact.locator)
    if ref is not None:
        node += nodes.Text(" ")
        node += ref
    return node


def flag_node(flag: Flag | None) -> nodes.inline | cited_figure:
    """Yes / No for a sourced flag such as "endpoint met"."""
    if flag is None:
        return empty()
    return _with_cite("Yes" if flag.value else "No", flag.source, flag.locator)


def derived_inline(derived: Derived, *, signed: bool = False) -> nodes.abbreviation:
    """A derived figure in running text: italic, its formula on hover (HTML).

    A sentence cannot carry a formula (the reader loses the sentence); the PDF shows
    the italic figure alone (see :class:`DerivedInLatex`) and the table the prose
    draws on gives the formula in its notes.
    """
    node = nodes.abbreviation(
        "", "", explanation=f"derived: {derived.formula}", classes=["trialbook-derived"]
    )
    node += nodes.emphasis("", fmt.derived(derived, signed=signed), classes=["trialbook-figure"])
    return node


class DerivedInLatex(RowsTransform):
    """LaTeX prints an abbreviation's explanation in brackets: keep the italic figure
    (or the italic "sic"; the discrepancy page gives the reason)."""

    default_priority = 300
    formats = ("latex",)

    def run_on(self, roots: list[nodes.Element], docname: str) -> None:
        """Replace each derived abbreviation by its italic figure."""
        for node in self.found(roots, nodes.abbreviation):
            if {"trialbook-derived", "trialbook-sic"} & set(node["classes"]):
                node.replace_self(node.children)


class Notes:
    """Notes under a table, lettered a, b, c…: formulas and reasons too long for a cell.

    A cell keeps a short mark (an italic derived figure with its letter); the note
    under the table says how it was computed.
    """

    def __init__(self) -> None:
        self.texts: list[str] = []

    def mark(self, text: str) -> nodes.superscript:
        """The letter of the note ``text`` (one letter per distinct text)."""
        if text not in self.texts:
            self.texts.append(text)
        letter = _letter(self.texts.index(text))
        return nodes.superscript("", letter, classes=["trialbook-note-mark"])

    def node(self) -> list[nodes.Node]:
        """The notes, to put right after the table (nothing if there are none)."""
        if not self.texts:
            return []
        out = nodes.container(classes=["trialbook-table-notes"])
        for i, text in enumerate(self.texts):
            out += paragraph(nodes.superscript("", _letter(i)), " ", *formula_nodes(text))
        return [verbatim(out)]


_POWER = re.compile(r"\^([0-9A-Za-z.\u2212-]+)")


def formula_nodes(text: str) -> list[nodes.Node]:
    """A formula's text with ``x^y`` set as x with a superscript y (HTML and PDF)."""
    out: list[nodes.Node] = []
    at = 0
    for m in _POWER.finditer(text):
        out += [nodes.Text(text[at : m.start()]), nodes.superscript("", m[1])]
        at = m.end()
    out.append(nodes.Text(text[at:]))
    return [n for n in out if n.astext()]


def _letter(index: int) -> str:
    """a, b, … z, aa, ab, …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def derived_node(
    derived: Derived, *, signed: bool = False, notes: Notes | None = None, text: str = ""
) -> nodes.inline:
    """A derived value: italic figure (or ``text``), then ``derived: formula``, or, with
    ``notes``, a letter whose note under the table gives the formula."""
    node = nodes.inline("", "", classes=["trialbook-value", "trialbook-derived"])
    shown = text or fmt.derived(derived, signed=signed)
    node += nodes.emphasis("", shown, classes=["trialbook-figure"])
    if notes is not None:
        node += notes.mark(f"derived: {derived.formula}")
        return node
    node += nodes.Text(" ")
    formula = nodes.inline("", "derived: ", classes=["trialbook-formula"])
    formula += formula_nodes(derived.formula)
    node += formula
    return node


def paragraph(*children: nodes.Node | str) -> nodes.paragraph:
    """A paragraph of nodes and strings."""
    para = nodes.paragraph()
    for child in children:
        para += nodes.Text(child) if isinstance(child, str) else child
    return para


def differing_reports(value: Value) -> list[OtherReport]:
    """Other reports that print a different figure than the value."""
    return [
        o
        for o in value.other_reports
        if o.value != value.value or o.relation != value.relation or o.unit != value.unit
    ]


def other_report_node(other: OtherReport) -> cited_figure:
    """One other source's figure, with its citation."""
    return _with_cite(fmt.other_report(other), other.source, other.locator)


def other_reports_node(value: Value) -> nodes.inline | None:
    """``also reported: ≈16% [18]`` for other sources that print a different figure,
    each with its note (how that source defines or counts it)."""
    differing = differing_reports(value)
    if not differing:
        return None
    node = nodes.inline("", "also reported: ", classes=["trialbook-other-reports"])
    for i, other in enumerate(differing):
        if i:
            node += nodes.Text("; ")
        node += other_report_node(other)
        if other.note:
            node += nodes.inline("", f" ({other.note})", classes=["trialbook-definition"])
    return node


def arm_values(
    trial: Trial,
    results: Mapping[str, Value],
    keys: list[str],
    *,
    signed: bool = False,
) -> list[nodes.Node | str]:
    """For each arm or group: its label in italics, its value, other reports."""
    out: list[nodes.Node | str] = []
    for key in keys:
        arm = trial.arm_or_group(key)
        out.append(paragraph(nodes.emphasis("", arm.label if arm is not None else key)))
        out.append(paragraph(value_node(results[key], signed=signed)))
        others = other_reports_node(results[key])
        if others is not None:
            out.append(paragraph(others))
    return out


def arm_labels(trial: Trial, keys: list[str]) -> str:
    """``Alemtuzumab 12 mg; Alemtuzumab 24 mg``: the labels of arms (or groups)."""
    labels = [item.label if (item := trial.arm_or_group(k)) is not None else k for k in keys]
    return "; ".join(labels)


def usual_keys(sides: list[list[str]]) -> list[str]:
    """The arms most rows of a group show on one side (ties: the first): a table names
    them once, in the row that heads the group."""
    return list(Counter(tuple(s) for s in sides).most_common(1)[0][0]) if sides else []


def side_cell(
    trial: Trial,
    results: Mapping[str, Value],
    keys: list[str],
    usual: list[str],
    *,
    signed: bool = False,
) -> list[nodes.Node | str]:
    """One side of a comparison in a table: the value alone when its arm is the one the
    group names, else each arm's label with its value; "not reported" when absent."""
    present = [k for k in keys if k in results]
    if not present:
        return [nodes.inline("", fmt.NOT_REPORTED, classes=["trialbook-value", "trialbook-nr"])]
    if present == usual and len(present) == 1:
        value = results[present[0]]
        out: list[nodes.Node | str] = [paragraph(value_node(value, signed=signed))]
        others = other_reports_node(value)
        return [*out, paragraph(others)] if others is not None else out
    return arm_values(trial, results, present, signed=signed)


def side_headings(
    dataset: Dataset, rows: list[tuple[Trial, tuple[list[str], list[str]]]], default: Sequence[str]
) -> list[str]:
    """The two arms' column headings: the treatment's name where every row gives that
    side the same one (``Alemtuzumab``), else ``default``'s (``Treatment``)."""
    out = list(default)
    for side in (0, 1):
        named = {
            treatment_name(dataset, t, keys[0]) for t, s in rows for keys in [s[side]] if keys
        }
        if len(named) == 1 and all(s[side] for _, s in rows):
            out[side] = named.pop()
    return out
