"""``key-findings``: one card per trial with its main results, for a home page.

Each card says who was enrolled, what alemtuzumab was compared against, and for
each primary endpoint (or, where the sources name none, each outcome with a
reported between-arm effect) the relative effect as reported, the absolute effect
the handbook derives from it (italic, formula on hover), and whether the endpoint
was met. Cards are sphinx-design cards in a grid in HTML and framed boxes in the PDF.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives

from ..model.records import PRIMARY
from ..report import findings
from .base import TrialbookDirective, id_list
from .cards import card_grid, summary_card
from .dataset import INTERVENTIONS
from .outcome_table import endpoint
from .render import cite, flag_node, paragraph, trial_ref, value_node, verbatim

if TYPE_CHECKING:
    from sphinx.application import Sphinx

    from ..model.records import Outcome, Trial

#: Outcomes a card shows for a trial whose sources name no primary endpoint.
MAX_OTHER = 2


def main_outcomes(trial: Trial) -> tuple[list[Outcome], bool]:
    """The primary endpoints, or (False) the first outcomes with a reported effect."""
    primary = [o for o in trial.outcomes if o.role in PRIMARY]
    if primary:
        return primary, True
    with_effect = [
        o
        for o in trial.outcomes
        if o.comparison is not None
        and (o.comparison.estimate is not None or o.comparison.reduction is not None)
        and o.source == trial.source
    ]
    return with_effect[:MAX_OTHER], False


def _outcome(trial: Trial, outcome: Outcome) -> list[nodes.Node]:
    out: list[nodes.Node] = [paragraph(nodes.strong("", endpoint(outcome)))]
    comp = outcome.comparison
    row = findings.finding(trial, outcome)
    if comp is not None and comp.estimate is not None:
        rel = paragraph(f"{row.kind or 'Estimate'}: ", value_node(comp.estimate))
        if comp.p is not None:
            rel += [nodes.Text(", "), value_node(comp.p, p=True)]
        out.append(rel)
    if comp is not None and comp.reduction is not None:
        out.append(paragraph("Relative reduction: ", value_node(comp.reduction)))
    if row.difference is not None:
        node = nodes.abbreviation(
            "",
            "",
            explanation=f"derived: {row.difference.value.formula}",
            classes=["trialbook-derived"],
        )
        node += nodes.emphasis("", findings.change_text(row), classes=["trialbook-figure"])
        out.append(paragraph("Absolute: ", node))
    if outcome.met is not None:
        out.append(paragraph("Endpoint met: ", flag_node(outcome.met)))
    return out


def _in_sentence(name: str) -> str:
    """``Interferon beta-1a`` → ``interferon beta-1a`` (but ``IFN`` stays ``IFN``)."""
    return name[0].lower() + name[1:] if name[1:2].islower() else name


class KeyFindings(TrialbookDirective):
    """Cards of the trials' main results. Options: ``:trials:`` (default: all)."""

    reads = frozenset(
        {"id", "name", "outcomes", "arms", "groups", "design", "phase", "population", "source"}
    )

    has_content = False
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        "trials": id_list,
        "class": directives.class_option,
    }

    def render(self) -> list[nodes.Node]:
        """A grid of cards, one per trial."""
        trials = self.select_trials(self.options.get("trials", []))
        self.depend_on([], shared=(INTERVENTIONS,))  # the comparator's dose and schedule
        dataset = self.data.dataset
        cards: list[nodes.Element] = []
        for trial in trials:
            body = nodes.container()
            who = trial.population or trial.design
            ref = cite(who.source, who.locator)
            body += paragraph(who.text, *((" ", ref) if ref else ()))
            control = trial.arm_or_group(trial.control_key() or "")
            iv = dataset.interventions.get(getattr(control, "intervention", ""))
            if iv is not None:
                parts = [iv.name, *(f.text for f in (iv.dose, iv.schedule) if f is not None)]
                how = f" ({iv.route.text})" if iv.route is not None else ""
                body += paragraph(f"Compared with {_in_sentence(' '.join(parts))}{how}.")
            outcomes, primary = main_outcomes(trial)
            if not primary and outcomes:
                body += paragraph(
                    nodes.emphasis("", "Its sources do not say which endpoint was primary.")
                )
            for outcome in outcomes:
                body += _outcome(trial, outcome)
            body += paragraph(trial_ref(trial), ": the trial’s page")
            verbatim(body)
            cards.append(summary_card(f"{trial.name} (phase {trial.phase})", body))
        grid = card_grid(cards)
        self.set_source_info(grid)
        return [grid]


def setup_key_findings(app: Sphinx) -> None:
    """Register the ``key-findings`` directive."""
    app.add_directive("key-findings", KeyFindings)
