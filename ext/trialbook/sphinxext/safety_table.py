"""``safety-table``: adverse events by trial and arm, as n/N (%).

Rows are trial × event; the treatment column lists every arm or group other than
the comparator, the control column the comparator (the arm the trial's outcomes
are compared against). Serious and fatal counts, and other sources' differing
figures, appear in the cell.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes

from .base import TABLE_OPTIONS, TrialbookDirective, id_list
from .render import arm_values, paragraph, trial_ref
from .tables import Cell, table

if TYPE_CHECKING:
    from sphinx.application import Sphinx

    from ..model.records import AdverseEvent, Trial

COLUMNS = (("Trial", 14), ("Adverse event", 26), ("Treatment", 30), ("Control", 30))


def _sides(trial: Trial, event: AdverseEvent) -> tuple[list[str], list[str]]:
    control = trial.control_key()
    keys = list(event.results)
    return [k for k in keys if k != control], [k for k in keys if k == control]


class SafetyTable(TrialbookDirective):
    """Adverse events of the selected trials as a numbered table.

    Options: ``:trials:`` ids (default: every trial), ``:events:`` event ids
    (default: every event), ``:caption:``, ``:name:``.
    """

    has_content = False
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        **TABLE_OPTIONS,
        "events": id_list,
    }

    def render(self) -> list[nodes.Node]:
        """The table, or a located warning for an empty or unknown selection."""
        trials = self.select_trials(self.options.get("trials", []))
        wanted = set(self.options.get("events", []))
        rows = [
            (trial, event)
            for trial in trials
            for event in trial.adverse_events
            if not wanted or event.id in wanted
        ]
        missing = wanted - {e.id for _, e in rows}
        if missing:
            return self.problem(
                f"no adverse event {', '.join(sorted(missing))!r} in the selection"
            )
        if not rows:
            return self.problem("the selection has no adverse events; check :trials: and :events:")
        with_trial = len({t.id for t, _ in rows}) > 1
        columns = COLUMNS if with_trial else COLUMNS[1:]
        body: list[list[Cell]] = []
        for trial, event in rows:
            treatment, control = _sides(trial, event)
            name: list[nodes.Node | str] = [paragraph(event.term)]
            if event.note is not None:
                note = paragraph(event.note.text)
                note["classes"].append("trialbook-note")
                name.append(note)
            cells: list[Cell] = [trial_ref(trial)] if with_trial else []
            cells += [
                name,
                arm_values(trial, event.results, treatment) or "–",
                arm_values(trial, event.results, control) or "–",
            ]
            body.append(cells)
        default = "Adverse events" + ("" if with_trial else f" in {rows[0][0].name}")
        spec, node = table(
            self.options.get("caption") or default, columns, body, ["trialbook-safety"]
        )
        self.set_source_info(node)
        self.add_name(node)
        return [spec, node]


def setup_safety_table(app: Sphinx) -> None:
    """Register the ``safety-table`` directive."""
    app.add_directive("safety-table", SafetyTable)
