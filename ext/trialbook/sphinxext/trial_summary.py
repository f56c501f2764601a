"""``trial-summary <trial>``: the facts of one trial as a field list.

Name, registry ids, phase, design, population, duration, randomized N and arms.
A trial whose data failed to load gets an error box instead: the page never
shows data from a file that did not validate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docutils import nodes

from ..values import Fact, Value
from .base import TrialbookDirective
from .render import paragraph, value_node

if TYPE_CHECKING:
    from sphinx.application import Sphinx

    from ..model import Trial


def _field(name: str, *body: nodes.Element) -> nodes.field:
    return nodes.field("", nodes.field_name(name, name), nodes.field_body("", *body))


def _fact(fact: Fact | None) -> nodes.paragraph:
    return paragraph(fact.text if fact else "–")


def summary_fields(trial: Trial) -> nodes.field_list:
    """The field list of a trial's facts."""
    fields = nodes.field_list(classes=["trialbook-summary"])
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
        for label, size in (
            ("randomized", arm.randomized),
            ("analysed", arm.analysed),
            ("safety population", arm.safety),
        ):
            if isinstance(size, Value):
                parts += [f"; {label} ", value_node(size)]
        arms += nodes.list_item("", paragraph(*parts))
    fields += _field("Arms", arms)
    if trial.notes:
        notes = nodes.bullet_list()
        for note in trial.notes:
            notes += nodes.list_item("", paragraph(note.text))
        fields += _field("Notes", notes)
    return fields


class TrialSummary(TrialbookDirective):
    """The facts of one trial. Argument: the trial id."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        """A field list of the trial's facts, or an error box for failed data."""
        trial_id = self.arguments[0]
        dataset = self.data.dataset
        if trial_id in dataset.failed:
            self.depend_on([trial_id])
            box = nodes.error()
            box += paragraph(
                "The data of this trial failed validation, so none of it is shown. "
                "The build log lists each problem with its file and line."
            )
            return [box]
        trials = self.select_trials(trial_id)
        if not trials:
            return []
        node = summary_fields(trials[0])
        self.set_source_info(node)
        return [node]


def setup_trial_summary(app: Sphinx) -> None:
    """Register the ``trial-summary`` directive."""
    app.add_directive("trial-summary", TrialSummary)
