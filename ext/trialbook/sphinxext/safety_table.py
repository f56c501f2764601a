"""``safety-table``: adverse events by trial and arm, as n/N (%).

Rows are grouped by trial, under a row that names the arms compared; within each
trial, events come in one order for the whole table (the order they first appear).
The treatment column holds every arm or group other than the comparator (the arm
the trial's outcomes are compared against), the control column the comparator;
columns are named by treatment when all trials share it. Serious and fatal counts,
and other sources' differing figures, appear in the cell; a side a trial does not
report says "not reported".
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from sphinx import addnodes

from .base import TABLE_OPTIONS, TrialbookDirective, id_list
from .domain import anchor_target
from .render import arm_labels, cite, paragraph, side_cell, side_headings, trial_ref, usual_keys
from .tables import GroupRow, Row, table

if TYPE_CHECKING:
    from sphinx.application import Sphinx

    from ..model.records import AdverseEvent, Trial

COLUMNS = ("Adverse event", "Treatment", "Control")


def _sides(trial: Trial, event: AdverseEvent) -> tuple[list[str], list[str]]:
    control = trial.control_key()
    keys = list(event.results)
    return [k for k in keys if k != control], [control] if control else []


class SafetyTable(TrialbookDirective):
    """Adverse events of the selected trials as a numbered table.

    Options: ``:trials:`` ids (default: every trial), ``:events:`` event ids
    (default: every event), ``:caption:``, ``:name:``.
    """

    reads = frozenset({"id", "name", "adverse_events", "arms", "groups", "outcomes", "source"})

    has_content = False
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        **TABLE_OPTIONS,
        "events": id_list,
    }

    def render(self) -> list[nodes.Node]:
        """The table, or a located warning for an empty or unknown selection."""
        trials = self.select_trials(self.options.get("trials", []))
        wanted = self.options.get("events", [])
        rows = self.pick("adverse event", trials, lambda t: t.adverse_events, wanted)
        if not rows:
            return self.problem("the selection has no adverse events; check :trials: and :events:")
        order = list(dict.fromkeys(e.id for _, e in rows))  # one event order for all trials
        rows.sort(key=lambda r: (trials.index(r[0]), order.index(r[1].id)))
        dataset = self.data.dataset
        sides = {(t.id, e.id): _sides(t, e) for t, e in rows}
        arms = side_headings(dataset, [(t, sides[(t.id, e.id)]) for t, e in rows], COLUMNS[1:])
        columns = [COLUMNS[0], *arms]
        body: list[Row] = []
        entries: list[tuple[str, str, str, str, str | None]] = []
        for _, group in itertools.groupby(rows, key=lambda r: r[0].id):
            group_rows = list(group)
            trial = group_rows[0][0]
            usual_t = usual_keys([sides[(trial.id, e.id)][0] for _, e in group_rows])
            control_key = trial.control_key()
            usual_c = [control_key] if control_key else []
            heading = f": {arm_labels(trial, usual_t)} against {arm_labels(trial, usual_c)}"
            body.append(GroupRow([paragraph(trial_ref(trial), heading)]))
            for _, event in group_rows:
                treatment, control = sides[(trial.id, event.id)]
                anchor = f"event-{trial.id}-{event.id}-{self.env.new_serialno('trialbook-event')}"
                entries.append(("single", f"{event.term}; {trial.name}", anchor, "", None))
                term = paragraph(anchor_target(anchor), event.term)
                name: list[nodes.Node | str] = [term]
                if event.definition:
                    definition = paragraph(f"Definition: {event.definition}")
                    definition["classes"].append("trialbook-definition")
                    name.append(definition)
                if event.note is not None:
                    ref = cite(event.note.source, event.note.locator)
                    note = paragraph(event.note.text, *((" ", ref) if ref is not None else ()))
                    note["classes"].append("trialbook-note")
                    name.append(note)
                body.append(
                    [
                        name,
                        side_cell(trial, event.results, treatment, usual_t),
                        side_cell(trial, event.results, control, usual_c),
                    ]
                )
        one = len(trials) == 1
        default = "Adverse events" + (f" in {trials[0].name}" if one else "")
        spec, node = table(
            self.options.get("caption") or default, columns, body, ["trialbook-safety"]
        )
        self.set_source_info(node)
        self.add_name(node)
        # The index lists each adverse event with the trials that report it.
        return [addnodes.index(entries=entries), spec, node]


def setup_safety_table(app: Sphinx) -> None:
    """Register the ``safety-table`` directive."""
    app.add_directive("safety-table", SafetyTable)
