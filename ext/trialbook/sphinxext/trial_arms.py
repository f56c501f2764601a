"""``trial-arms <trial>``: the arms (and pooled groups) with their sizes.

Columns: arm, intervention, randomized, analysed, safety population. Pooled
groups (e.g. both alemtuzumab doses) follow the arms, with their safety population.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives

from .base import TrialbookDirective
from .dataset import INTERVENTIONS
from .render import value_node
from .tables import Cell, table

if TYPE_CHECKING:
    from sphinx.application import Sphinx

COLUMNS = (
    "Arm",
    "Intervention",
    "Randomized",
    "Analysed",
    "Safety population",
)


class TrialArms(TrialbookDirective):
    """Arms of one trial as a numbered table. Argument: the trial id.

    Options: ``:caption:`` (default "Arms of <trial>"), ``:name:`` for ``numref``.
    """

    reads = frozenset({"id", "name", "arms", "groups"})

    required_arguments = 1
    has_content = False
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        "caption": directives.unchanged,
        "name": directives.unchanged,
    }

    def render(self) -> list[nodes.Node]:
        """The table of arms, or a located warning."""
        trials = self.select_trials([self.arguments[0]])
        trial = trials[0]
        dataset = self.data.dataset
        self.depend_on([], shared=(INTERVENTIONS,))  # the interventions' names
        rows: list[list[Cell]] = []
        for arm in trial.arms:
            intervention = dataset.interventions.get(arm.intervention)
            rows.append(
                [
                    arm.label,
                    intervention.name if intervention else arm.intervention,
                    value_node(arm.randomized),
                    value_node(arm.analysed),
                    value_node(arm.safety),
                ]
            )
        for group in trial.groups:
            labels = [a.label for a in trial.arms if a.id in group.arms]
            rows.append(
                [
                    group.label,
                    f"pooled: {', '.join(labels)}",
                    value_node(None),
                    value_node(None),
                    value_node(group.safety),
                ]
            )
        caption = self.options.get("caption") or f"Arms of {trial.name}"
        spec, node = table(caption, COLUMNS, rows, ["trialbook-arms"])
        self.set_source_info(node)
        self.add_name(node)
        return [spec, node]


def setup_trial_arms(app: Sphinx) -> None:
    """Register the ``trial-arms`` directive."""
    app.add_directive("trial-arms", TrialArms)
