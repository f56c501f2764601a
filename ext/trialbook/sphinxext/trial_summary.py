"""``trial-summary <trial>``: the facts of one trial, as a card.

Name, registry ids, phase, design, population, duration, randomized N, arms, and
each primary endpoint's result and whether it was met. The directive emits a
generic ``container`` with a title; :mod:`.cards` turns it into a sphinx-design
card for HTML and a framed box for LaTeX. It also defines the trial's target
(``{trial}`` references land here) and its index entry. A trial whose data failed
to load gets an error box instead: the page never shows data that did not validate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docutils import nodes
from sphinx import addnodes

from ..model.records import PRIMARY
from ..model.values import Fact, Value
from .base import TrialbookDirective
from .cards import summary_card
from .domain import target_node
from .render import cite, flag_node, paragraph, value_node, verbatim

if TYPE_CHECKING:
    from sphinx.application import Sphinx

    from ..model.records import Trial


def _field(name: str, *body: nodes.Element) -> nodes.field:
    return nodes.field("", nodes.field_name(name, name), nodes.field_body("", *body))


def _fact(fact: Fact | None) -> nodes.paragraph:
    if fact is None:
        return paragraph("–")
    ref = cite(fact.source, fact.locator)
    return paragraph(fact.text, *((" ", ref) if ref is not None else ()))


def summary_fields(trial: Trial) -> nodes.field_list:
    """The field list of a trial's facts."""
    fields = nodes.field_list(classes=["trialbook-summary-fields"])
    verbatim(fields)
    if trial.aliases:
        fields += _field("Also known as", paragraph(", ".join(trial.aliases)))
    for reg in trial.registrations:
        ref: nodes.Element = nodes.inline("", reg.id)
        if reg.registry == "ClinicalTrials.gov":
            ref = nodes.reference("", reg.id, refuri=f"https://clinicaltrials.gov/study/{reg.id}")
        fields += _field(reg.registry, paragraph(ref))
    fields += _field("Phase", paragraph(trial.phase))
    fields += _field("Design", _fact(trial.design))
    if trial.population:
        fields += _field("Population", _fact(trial.population))
    if trial.duration:
        fields += _field("Duration", _fact(trial.duration))
    randomized: list[nodes.Node] = [value_node(trial.randomized)]
    if trial.allocation:
        randomized.append(nodes.Text(f", allocated {trial.allocation.text}"))
    fields += _field("Randomized", paragraph(*randomized))
    for label, value in (("Centres", trial.centres), ("Countries", trial.countries)):
        if value is not None:
            fields += _field(label, paragraph(value_node(value)))
    arms = nodes.bullet_list()
    for arm in trial.arms:
        parts: list[nodes.Node | str] = [nodes.strong("", arm.label)]
        sizes = (
            ("randomized", arm.randomized),
            ("analysed", arm.analysed),
            ("safety population", arm.safety),
        )
        for label, size in sizes:
            if isinstance(size, Value):
                parts += [f"; {label} ", value_node(size)]
        arms += nodes.list_item("", paragraph(*parts))
    fields += _field("Arms", arms)
    primary = [o for o in trial.outcomes if o.role in PRIMARY]
    if primary:
        endpoints = nodes.bullet_list()
        for outcome in primary:
            comp = outcome.comparison
            parts = [nodes.strong("", outcome.name)]
            if comp is not None and comp.estimate is not None:
                kind = (comp.kind or "estimate").replace("-", " ")
                parts += [f", {kind} ", value_node(comp.estimate)]
            if comp is not None and comp.p is not None:
                parts += [", ", value_node(comp.p, p=True)]
            if outcome.met is not None:
                parts += ["; met: ", flag_node(outcome.met)]
            endpoints += nodes.list_item("", paragraph(*parts))
        fields += _field("Primary endpoints", endpoints)
    if trial.notes:
        notes = nodes.bullet_list()
        for note in trial.notes:
            notes += nodes.list_item("", _fact(note))
        fields += _field("Notes", notes)
    return fields


class TrialSummary(TrialbookDirective):
    """The facts of one trial as a card. Argument: the trial id."""

    reads = frozenset(
        {
            "id",
            "name",
            "aliases",
            "registrations",
            "phase",
            "design",
            "population",
            "duration",
            "allocation",
            "randomized",
            "centres",
            "countries",
            "notes",
            "arms",
            "outcomes",
        }
    )

    required_arguments = 1
    has_content = False

    def render(self) -> list[nodes.Node]:
        """A card of the trial's facts, or an error box for failed data."""
        trial_id = self.arguments[0]
        trials = self.select_trials([trial_id])
        trial = trials[0]
        target = target_node("trial", trial.id, trial.name, self.env)
        index = addnodes.index(
            entries=[("single", f"{trial.name} (trial)", target["ids"][0], "", None)]
        )
        card = summary_card("At a glance", summary_fields(trial))
        self.set_source_info(card)
        return [index, target, card]


def setup_trial_summary(app: Sphinx) -> None:
    """Register the ``trial-summary`` directive."""
    app.add_directive("trial-summary", TrialSummary)
