"""``findings-table``: a GRADE summary of findings computed from the data.

Columns in GRADE's order: the outcome with its time point; the anticipated
absolute effects (risk with the comparator, risk with the intervention, per 1000
people or patient-years); the relative effect with its kind; participants
(studies); the certainty of the evidence as a source rated it; comments (the
absolute difference, the NNT or NNH). Every computed figure is set in italics with
a letter whose note under the table gives its formula.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives

from ..model.records import PRIMARY, comparisons
from ..model.values import Value
from ..report import findings
from ..report.derive import Derived
from .base import TABLE_OPTIONS, TrialbookDirective, id_list
from .render import Notes, cite, derived_node, paragraph, trial_ref, value_node
from .tables import Cell, table

if TYPE_CHECKING:
    from sphinx.application import Sphinx

COLUMNS = (
    "Outcome",
    "Risk with comparator",
    "Risk with intervention",
    "Relative effect (95% CI)",
    "Participants (studies)",
    "Certainty",
    "Comments",
)
RATINGS = {"high": "High", "moderate": "Moderate", "low": "Low", "very low": "Very low"}


def _scale(text: str) -> int:
    """``:per:`` converter: 100, 1000, 10000…"""
    value = directives.positive_int(text)
    if value not in (100, 1000, 10000, 100000):
        raise ValueError("give 100, 1000, 10000 or 100000")
    return value


def _absolute(row: findings.Finding, notes: Notes) -> list[nodes.Node | str]:
    a = row.intervention
    if a is None:
        return ["–"]
    text = f"{a.value.value} {row.unit}"
    if a.low is not None and a.high is not None:
        text += f" ({a.low.value} to {a.high.value})"
    return [paragraph(derived_node(a.value, notes=notes, text=text))]


def _comparator(row: findings.Finding, notes: Notes) -> list[nodes.Node | str]:
    if row.comparator is None or row.baseline is None:
        return ["not reported"]
    shown = derived_node(row.comparator, notes=notes, text=f"{row.comparator.value} {row.unit}")
    where = "assumed" if row.baseline.assumed else "control arm"
    ref = cite(row.baseline.value.source, row.baseline.value.locator)
    origin = paragraph(f"({where}", *((" ", ref) if ref is not None else ()), ")")
    origin["classes"].append("trialbook-note")
    return [paragraph(shown), origin]


def _relative(row: findings.Finding) -> list[nodes.Node | str]:
    if row.relative is None:
        return ["–"]
    return [paragraph(f"{row.kind} " if row.kind else "", value_node(row.relative))]


def _participants(row: findings.Finding, notes: Notes) -> list[nodes.Node | str]:
    p = row.participants
    if p is None:
        return ["not reported"]
    shown = value_node(p) if isinstance(p, Value) else derived_node(p, notes=notes)
    return [paragraph(shown, " (1 study)")]


def _certainty(row: findings.Finding, notes: Notes) -> list[nodes.Node | str]:
    c = row.certainty
    if c is None:
        return [paragraph(nodes.emphasis("", "not rated"))]
    para = paragraph(RATINGS[c.rating])
    for reason in c.reasons:
        para += notes.mark(f"Certainty lowered: {reason}")
    ref = cite(c.source, c.locator)
    if ref is not None:
        para += [nodes.Text(" "), ref]
    return [para]


def _comments(row: findings.Finding, notes: Notes) -> list[nodes.Node | str]:
    out: list[nodes.Node | str] = []
    change = findings.change_text(row)
    if change and row.difference is not None:
        out.append(paragraph(derived_node(row.difference.value, notes=notes, text=change)))
    needed = findings.needed_text(row)
    if needed:
        n = row.needed
        if n is not None and n.value is not None:
            formula = Derived(n.value, 0, n.formula)
            out.append(paragraph(derived_node(formula, notes=notes, text=needed)))
        else:
            out.append(paragraph(needed))
    if row.note:
        out.append(paragraph(f"No absolute effect: {row.note}."))
    return out or ["–"]


class FindingsTable(TrialbookDirective):
    """A summary of findings: absolute effects, NNT and certainty, from the data.

    Options: ``:trials:`` (or ``:trial:``), ``:outcomes:`` (default: the primary
    outcomes and those a source rated), ``:per:`` (default 1000), ``:caption:``,
    ``:name:``.
    """

    reads = frozenset({"id", "name", "outcomes", "arms", "groups"})

    has_content = False
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        **TABLE_OPTIONS,
        "trial": id_list,
        "outcomes": id_list,
        "per": _scale,
    }

    def render(self) -> list[nodes.Node]:
        """The table and its notes, or a located warning."""
        wanted = [*self.options.get("trials", []), *self.options.get("trial", [])]
        trials = self.select_trials(wanted)
        outcome_ids = self.options.get("outcomes") or []
        compared = (o.id for t in trials for o in t.compared())
        self.require_ids("comparison for outcome", outcome_ids, compared)
        rows = (
            comparisons(trials, outcome_ids)
            if outcome_ids
            else [
                (trial, outcome)
                for trial in trials
                for outcome in trial.compared()
                if outcome.role in PRIMARY or outcome.certainty is not None
            ]
        )
        if not rows:
            return self.problem("the selection has no outcome with a comparison")
        scale = self.options.get("per", 1000)
        several = len({t.id for t, _ in rows}) > 1
        notes = Notes()
        body: list[list[Cell]] = []
        for trial, outcome in rows:
            row = findings.finding(trial, outcome, scale)
            name: list[nodes.Node | str] = [paragraph(row.title)]
            if several:
                name.insert(0, paragraph(trial_ref(trial)))
            body.append(
                [
                    name,
                    _comparator(row, notes),
                    _absolute(row, notes),
                    _relative(row),
                    _participants(row, notes),
                    _certainty(row, notes),
                    _comments(row, notes),
                ]
            )
        first = rows[0][0]
        default = "Summary of findings" + ("" if several else f": {first.name}")
        spec, node = table(
            self.options.get("caption") or default, COLUMNS, body, ["trialbook-findings"]
        )
        self.set_source_info(node)
        self.add_name(node)
        caveat: list[nodes.Node] = []
        if several:
            para = paragraph(
                "The rows come from different trials, with different populations, "
                "comparators' results and follow-up; they are not pooled."
            )
            para["classes"].append("trialbook-note")
            caveat.append(para)
        return [spec, node, *notes.node(), *caveat]


def setup_findings_table(app: Sphinx) -> None:
    """Register the ``findings-table`` directive."""
    app.add_directive("findings-table", FindingsTable)
