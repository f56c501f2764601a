"""``discrepancy-list``: where sources disagree, side by side, and known errors.

Three tables: quantities that sources print differently (the handbook's figure,
the other figures, whether they agree within rounding); values kept as a source
printed them despite an arithmetic inconsistency, with the reason; and sources
that cite another source wrongly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docutils import nodes

from ..model.records import Intervention, Trial
from ..report import format as fmt
from ..report.discrepancy import acknowledged, disagreements
from .base import TrialbookDirective
from .dataset import INTERVENTIONS, SOURCES
from .render import cite, paragraph, trial_ref, value_node
from .tables import Cell, table

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def _owner(owner: Trial | Intervention) -> nodes.Node:
    """The trial (a link to its page), or the treatment whose programme the figure is of."""
    if isinstance(owner, Trial):
        return trial_ref(owner)
    return nodes.inline("", f"{owner.name}, all trials")


class DiscrepancyList(TrialbookDirective):
    """Every disagreement between sources and every acknowledged inconsistency."""

    has_content = False

    def render(self) -> list[nodes.Node]:
        """Up to three tables; a sentence where a kind has no entries."""
        dataset = self.data.dataset
        self.depend_on(
            [*dataset.trials, *dataset.failed], all_trials=True, shared=(SOURCES, INTERVENTIONS)
        )
        out: list[nodes.Node] = []

        rows: list[list[Cell]] = []
        for d in disagreements(dataset):
            others: list[nodes.Node | str] = []
            verdicts: list[nodes.Node | str] = []
            for other, within in d.others:
                figure = nodes.inline("", fmt.other_report(other))
                ref = cite(other.source, other.locator)
                para = paragraph(figure, " ", ref) if ref else paragraph(figure)
                if other.note:
                    para += nodes.inline("", f": {other.note}", classes=["trialbook-definition"])
                others.append(para)
                verdicts.append("yes" if within else "no")
            ours = paragraph(value_node(d.value))
            if d.value.note:
                ours += nodes.inline("", f": {d.value.note}", classes=["trialbook-definition"])
            rows.append([_owner(d.trial), d.label, ours, others, verdicts])
        if rows:
            columns: tuple[str, ...] = (
                "Trial",
                "Quantity",
                "In the tables",
                "Other sources",
                "Same within rounding",
            )
            spec, tnode = table(
                "Figures that sources print differently",
                columns,
                rows,
                ["trialbook-discrepancies"],
            )
            out += [spec, tnode]
        else:
            out.append(paragraph("No quantity is printed differently by two sources."))

        rows = []
        for a in acknowledged(dataset):
            rows.append([_owner(a.trial), a.label, value_node(a.value), a.reason])
        if rows:
            columns = ("Trial", "Quantity", "As printed", "Why it is kept")
            spec, tnode = table(
                "Figures kept as printed despite an inconsistency",
                columns,
                rows,
                ["trialbook-acknowledged"],
            )
            out += [spec, tnode]
        else:
            out.append(paragraph("No figure is kept despite an arithmetic inconsistency."))

        rows = []
        for source_id, source in dataset.sources.items():
            for mis in source.miscitations:
                citing = cite(source_id)
                cited = cite(mis.cites)
                rows.append(
                    [
                        paragraph(*(x for x in (citing,) if x is not None)),
                        paragraph(*(x for x in (cited,) if x is not None)),
                        mis.as_printed,
                        mis.correct,
                    ]
                )
        if rows:
            columns = ("Source", "Cites", "As printed", "Correct")
            spec, tnode = table(
                "Wrong citations in the sources", columns, rows, ["trialbook-miscitations"]
            )
            out += [spec, tnode]

        rows = []
        for source_id, source in dataset.sources.items():
            for slip in source.errata:
                ref = cite(source_id)
                rows.append(
                    [
                        paragraph(*(x for x in (ref,) if x is not None)),
                        slip.locator,
                        slip.as_printed,
                        slip.note,
                    ]
                )
        if rows:
            columns = (
                "Source",
                "Where",
                "As printed",
                "What is wrong, and what the handbook does",
            )
            spec, tnode = table("Slips in the sources", columns, rows, ["trialbook-errata"])
            out += [spec, tnode]
        for node in out:
            if isinstance(node, nodes.Element):
                self.set_source_info(node)
        return out


def setup_discrepancy_list(app: Sphinx) -> None:
    """Register the ``discrepancy-list`` directive."""
    app.add_directive("discrepancy-list", DiscrepancyList)
