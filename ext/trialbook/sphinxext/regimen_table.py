"""``regimen-table``: how a treatment is given and monitored, rule by rule.

Each rule is the handbook's paraphrase of one source (the EU product information,
the US label, the trials' protocol, or a review), cited, with whose wording it is
and since when. Rules on the same topic from different authorities sit together,
so a reader sees where the EU and the US word a rule differently.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives

from ..diagnostics import suggest
from ..model.records import InstructionTopic
from ..report import format as fmt
from .base import TrialbookDirective, id_list
from .render import cite, paragraph, verbatim
from .tables import Row, table

if TYPE_CHECKING:
    from sphinx.application import Sphinx

TOPICS: tuple[str, ...] = typing.get_args(InstructionTopic)
AUTHORITIES = {
    "EU": "EU product information",
    "UK": "UK product information",
    "US": "US label",
    "Malaysia": "Malaysian label",
    "trials": "The trials",
    "review": "A review",
}
COLUMNS = ("Topic", "Rule", "Whose wording")


class RegimenTable(TrialbookDirective):
    """The rules for giving a treatment. Argument: an intervention id.

    Options: ``:topics:`` (default: every topic with a rule, in the usual order:
    indication, course, premedication, …), ``:caption:``, ``:name:``.
    """

    has_content = False
    required_arguments = 1
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        "topics": id_list,
        "caption": directives.unchanged,
        "name": directives.unchanged,
    }

    def render(self) -> list[nodes.Node]:
        """One row per rule, grouped by topic."""
        iv_id = self.arguments[0]
        iv = self.select_intervention(iv_id)
        topics = self.options.get("topics") or list(TOPICS)
        wrong = [t for t in topics if t not in TOPICS]
        if wrong:
            return self.problem(
                f"unknown topic {wrong[0]!r} ({suggest(wrong[0], TOPICS, label='topics are')})"
            )
        rules = sorted(
            (r for r in iv.regimen if r.topic in topics), key=lambda r: topics.index(r.topic)
        )
        if not rules:
            return self.problem(
                f"{iv_id} has no rules on {', '.join(topics)} in interventions.yaml"
            )
        body: list[Row] = []
        for rule in rules:
            ref = cite(rule.source, rule.locator)
            text = verbatim(paragraph(rule.text, *((" ", ref) if ref is not None else ())))
            whose = AUTHORITIES[rule.authority]
            if rule.since:
                whose += f", since {fmt.date(rule.since)}"
            body.append([rule.topic.capitalize(), text, whose])
        caption = self.options.get("caption") or f"How {iv.name.lower()} is given"
        spec, node = table(caption, COLUMNS, body, ["trialbook-regimen"])
        self.set_source_info(node)
        self.add_name(node)
        return [spec, node]


def setup_regimen_table(app: Sphinx) -> None:
    """Register the ``regimen-table`` directive."""
    app.add_directive("regimen-table", RegimenTable)
