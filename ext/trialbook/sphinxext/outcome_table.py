"""``outcome-table``: endpoints of one or more trials as a numbered docutils table.

Rows are trial × outcome; columns are the treatment and control results, the
between-arm estimate with its 95% CI, p, the relative reduction, and whether the
endpoint was met. The table is a standard ``table`` with a ``title``, so it is
numbered, can be referenced with ``numref``, and renders in HTML and LaTeX.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from sphinx import addnodes

from ..model.records import PRIMARY, RATIO_KINDS, ROLES, Dataset, Outcome, Trial
from ..report import format as fmt
from ..report.derive import Derived, reduction_from_ratio
from .base import TABLE_OPTIONS, TrialbookDirective, id_list
from .domain import target_node
from .render import (
    EMPTY,
    Notes,
    arm_labels,
    derived_node,
    flag_node,
    paragraph,
    side_cell,
    side_headings,
    trial_ref,
    usual_keys,
    value_node,
)
from .tables import GroupRow, Row, entry, table

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: The headings; the arms' columns are named by treatment when every row shares them.
COLUMNS = (
    "Endpoint",
    "Treatment",
    "Control",
    "Effect (95% CI)",
    "p",
    "Reduction",
    "Met",
)
#: How the effect column names each kind of comparison.
KINDS = {
    "hazard-ratio": "HR",
    "rate-ratio": "Rate ratio",
    "risk-ratio": "RR",
    "mean-difference": "MD",
    "difference": "Difference",
}


def role_list(text: str | None) -> tuple[str, ...]:
    """Option converter: ``primary`` (primary and co-primary), ``all``, or a list of roles."""
    words = tuple(id_list(text))
    if not words:
        return ()  # given empty: warned about, then the default
    if words == ("primary",):
        return PRIMARY
    return ROLES if words == ("all",) else words


def _sides(outcome: Outcome) -> tuple[list[str], list[str]]:
    """Result keys shown as treatment and as control."""
    keys = list(outcome.results)
    comp = outcome.comparison
    control = comp.control if comp is not None else (keys[-1] if keys else "")
    treated = [k for k in keys if k != control]
    if not keys and comp is not None:  # a comparison without per-arm results
        return [comp.treatment], [comp.control]
    return treated, [k for k in keys if k == control]


def derived_reduction(outcome: Outcome) -> Derived | None:
    """The relative reduction implied by a ratio, when the source gives none.

    Only for outcomes where fewer is better: a "reduction" in patients improving
    would read as a benefit, and an increase would print as a negative reduction.
    """
    comp = outcome.comparison
    if comp is None or comp.reduction is not None or comp.kind not in RATIO_KINDS:
        return None
    if outcome.better == "higher":
        return None
    if comp.estimate is None or comp.estimate.value is None:
        return None
    return reduction_from_ratio(comp.estimate.value)


#: What an outcome's per-arm figures count, where its name does not say.
UNITS = {"annualized-relapse-rate": "relapses per patient-year"}


def endpoint(outcome: Outcome) -> str:
    """``Relapse rate (relapses per patient-year), 2 years``: the endpoint, what its
    figures count, and its time point."""
    name = outcome.name
    if outcome.measure in UNITS and outcome.results:
        name += f" ({UNITS[outcome.measure]})"
    timepoint = outcome.timepoint
    if not timepoint or timepoint.lower() in outcome.name.lower():  # "at 2 years, 2 years"
        return name
    return f"{name}, {timepoint}"


def _effect(outcome: Outcome) -> list[nodes.Node | str]:
    comp = outcome.comparison
    if comp is None or comp.estimate is None:
        return [value_node(None)]
    kind = KINDS.get(comp.kind or "", "")
    return [paragraph(f"{kind} " if kind else "", value_node(comp.estimate))]


def build_table(
    rows: list[tuple[Trial, Outcome]],
    caption: str,
    targets: dict[tuple[str, str], nodes.target],
    dataset: Dataset,
) -> tuple[addnodes.tabular_col_spec, nodes.table, list[nodes.Node]]:
    """The LaTeX column spec, the table (rows grouped by trial, under a row that names
    the arms compared) and the notes under it (derived figures' formulas)."""
    notes = Notes()
    sides = {(t.id, o.id): _sides(o) for t, o in rows}
    arms = side_headings(dataset, [(t, sides[(t.id, o.id)]) for t, o in rows], COLUMNS[1:3])
    columns = [COLUMNS[0], *arms, *COLUMNS[3:]]
    body: list[Row] = []
    for _, group in itertools.groupby(rows, key=lambda r: r[0].id):
        group_rows = list(group)
        trial = group_rows[0][0]
        # The arms the group row names: those of the rows that report per-arm results
        # (a review's comparison without them must not rename the trial's arms).
        with_results = [o for _, o in group_rows if o.results] or [o for _, o in group_rows]
        usual_t, usual_c = (
            usual_keys([sides[(trial.id, o.id)][side] for o in with_results]) for side in (0, 1)
        )
        body.append(
            GroupRow(
                [
                    paragraph(
                        trial_ref(trial),
                        f": {arm_labels(trial, usual_t)} against {arm_labels(trial, usual_c)}",
                    )
                ]
            )
        )
        for _, outcome in group_rows:
            comp = outcome.comparison
            treatment, control = sides[(trial.id, outcome.id)]
            signed = outcome.measure == "mean-change"
            name = paragraph(endpoint(outcome))
            target = targets.get((trial.id, outcome.id))
            if target is not None:
                name.insert(0, target)
            derived = derived_reduction(outcome)
            increase = derived is not None and derived.value < 0
            reduction = (
                derived_node(
                    derived,
                    notes=notes,
                    text=f"{fmt.with_unit(-derived.value, '%')} increase" if increase else "",
                )
                if derived is not None
                else value_node(comp.reduction if comp else None)
            )
            body.append(
                [
                    name,
                    side_cell(trial, outcome.results, treatment, usual_t, signed=signed),
                    side_cell(trial, outcome.results, control, usual_c, signed=signed),
                    _effect(outcome),
                    value_node(comp.p if comp else None, p=True),
                    reduction,
                    flag_node(outcome.met),
                ]
            )
    # A column of dashes says nothing: drop effect, p, reduction or met where no row
    # has one (the endpoint and the arms always stay).
    rows_only = [r for r in body if not isinstance(r, GroupRow)]
    keep = [
        i
        for i in range(len(columns))
        if i < 3 or any(entry(r[i]).astext() != EMPTY for r in rows_only)
    ]
    columns = [columns[i] for i in keep]
    body = [r if isinstance(r, GroupRow) else [r[i] for i in keep] for r in body]
    spec, node = table(caption, columns, body, ["trialbook-outcomes"])
    return spec, node, notes.node()


class OutcomeTable(TrialbookDirective):
    """Endpoints of the selected trials as a numbered table.

    Options: ``:trials:`` ids (default: every trial), ``:outcomes:`` outcome ids,
    ``:role:`` ``primary`` (default, with co-primary), ``all`` or a list of roles,
    ``:caption:`` the table's title, ``:name:`` a label for ``numref``.
    """

    reads = frozenset({"id", "name", "outcomes", "arms", "groups"})

    has_content = False
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        **TABLE_OPTIONS,
        "outcomes": id_list,
        "role": role_list,
    }

    def render(self) -> list[nodes.Node]:
        """Build the table, or warn (at the page and line) and return nothing."""
        trials = self.select_trials(self.options.get("trials", []))
        roles: tuple[str, ...] = self.options.get("role") or PRIMARY
        if any(role not in ROLES for role in roles):
            return self.problem(
                f"unknown role in {' '.join(roles)!r}; expected 'primary', 'all' "
                f"or some of: {', '.join(ROLES)}"
            )
        wanted = self.options.get("outcomes", [])
        rows = self.pick(
            "outcome", trials, lambda t: [o for o in t.outcomes if o.role in roles], wanted
        )
        if not rows:
            return self.problem("the selection has no outcomes; check :trials: and :role:")
        default = "Primary endpoints" if roles == PRIMARY else "Endpoints"
        if len(trials) == 1:
            default += f" of {trials[0].name}"
        caption = self.options.get("caption") or default
        targets = {
            (trial.id, outcome.id): target_node(
                "outcome",
                f"{trial.id}/{outcome.id}",
                f"{trial.name}: {outcome.name}",
                self.env,
            )
            for trial, outcome in rows
        }
        spec, node, notes = build_table(rows, caption, targets, self.data.dataset)
        self.set_source_info(node)
        self.add_name(node)
        # The index lists each endpoint with the trials that measured it.
        index = addnodes.index(
            entries=[
                (
                    "single",
                    f"{outcome.name}; {trial.name}",
                    targets[(trial.id, outcome.id)]["ids"][0],
                    "",
                    None,
                )
                for trial, outcome in rows
            ]
        )
        return [index, spec, node, *notes]


def setup_outcome_table(app: Sphinx) -> None:
    """Register the ``outcome-table`` directive."""
    app.add_directive("outcome-table", OutcomeTable)
