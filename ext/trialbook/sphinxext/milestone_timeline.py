"""``milestone-timeline``: dated regulatory milestones, each with its source."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives

from ..report import format as fmt
from .base import TrialbookDirective
from .dataset import MILESTONES
from .render import cite, paragraph
from .tables import Cell, table

if TYPE_CHECKING:
    from sphinx.application import Sphinx

    from ..model.records import Milestone

COLUMNS = ("Date", "Agency", "Event")


def when(m: Milestone) -> str:
    """``14 November 2014``, ``before November 2011``; with the announcement date."""
    text = fmt.date(m.date)
    if m.qualifier != "on":
        text = f"{m.qualifier} {text}"
    if m.announced:
        text += f" (announced {fmt.date(m.announced)})"
    return text


class MilestoneTimeline(TrialbookDirective):
    """Milestones in date order as a numbered table. Options: ``:caption:``, ``:name:``."""

    has_content = False
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        "caption": directives.unchanged,
        "name": directives.unchanged,
    }

    def render(self) -> list[nodes.Node]:
        """The table of milestones, oldest first."""
        dataset = self.data.dataset
        self.depend_on([], shared=(MILESTONES,))
        if not dataset.milestones:
            where = f"{dataset.root.name}/milestones.yaml"
            return self.problem(f"the data has no milestones ({where})")
        rows: list[list[Cell]] = []
        # A date known only to the year (or month) sorts after the dated events of
        # that year: "2014" may be any day of it, and says no more than that.
        for m in sorted(dataset.milestones, key=lambda m: (m.date + "-99-99")[:10]):
            ref = cite(m.event.source, m.event.locator)
            event: list[nodes.Node | str] = [
                paragraph(m.event.text, *((" ", ref) if ref is not None else ()))
            ]
            for detail in m.details:
                dref = cite(detail.source, detail.locator)
                event.append(paragraph(detail.text, *((" ", dref) if dref is not None else ())))
            rows.append([when(m), m.agency or "–", event])
        caption = self.options.get("caption") or "Regulatory milestones"
        spec, node = table(caption, COLUMNS, rows, ["trialbook-milestones"])
        self.set_source_info(node)
        self.add_name(node)
        return [spec, node]


def setup_milestone_timeline(app: Sphinx) -> None:
    """Register the ``milestone-timeline`` directive."""
    app.add_directive("milestone-timeline", MilestoneTimeline)
