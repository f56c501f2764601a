"""``outcome-table``: endpoints of one or more trials as a numbered docutils table.

Rows are trial × outcome; columns are the treatment and control results, the
between-arm estimate with its 95% CI, p, the relative reduction, and whether the
endpoint was met. The table is a standard ``table`` with a ``title``, so it is
numbered, can be referenced with ``numref``, and renders in HTML and LaTeX.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from sphinx import addnodes

from ..model.records import PRIMARY, RATIO_KINDS, ROLES, Outcome, Trial
from ..report.derive import Derived, reduction_from_ratio
from .base import TABLE_OPTIONS, TrialbookDirective, id_list
from .domain import target_node
from .render import arm_values, derived_node, flag_node, paragraph, trial_ref, value_node
from .tables import Cell, table

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: (heading, relative width); widths keep every column inside a PDF page.
COLUMNS = (
    ("Trial", 10),
    ("Endpoint", 17),
    ("Treatment", 15),
    ("Control", 14),
    ("Effect (95% CI)", 14),
    ("p", 13),
    ("Reduction", 10),
    ("Met", 7),
)


def columns(with_trial: bool) -> tuple[tuple[str, int], ...]:
    """The columns shown: the trial column only when rows come from several trials."""
    return COLUMNS if with_trial else COLUMNS[1:]


def role_list(text: str | None) -> tuple[str, ...]:
    """Option converter: ``primary`` (primary and co-primary), ``all``, or a list of roles."""
    words = tuple(id_list(text))
    if not words:
        return ()  # given empty: warned about, then the default
    if words == ("primary",):
        return PRIMARY
    return ROLES if words == ("all",) else words


def _arm_cell(trial: Trial, outcome: Outcome, keys: list[str]) -> list[nodes.Node | str]:
    return arm_values(trial, outcome.results, keys, signed=outcome.measure == "mean-change")


def _sides(outcome: Outcome) -> tuple[list[str], list[str]]:
    """Result keys shown as treatment and as control."""
    keys = list(outcome.results)
    control = outcome.comparison.control if outcome.comparison is not None else keys[-1]
    return [k for k in keys if k != control], [k for k in keys if k == control]


def derived_reduction(outcome: Outcome) -> Derived | None:
    """The relative reduction implied by a ratio, when the source gives none."""
    comp = outcome.comparison
    if comp is None or comp.reduction is not None or comp.kind not in RATIO_KINDS:
        return None
    if comp.estimate is None or comp.estimate.value is None:
        return None
    return reduction_from_ratio(comp.estimate.value)


def build_table(
    rows: list[tuple[Trial, Outcome]],
    caption: str,
    targets: dict[tuple[str, str], nodes.target],
    *,
    with_trial: bool = True,
) -> tuple[addnodes.tabular_col_spec, nodes.table]:
    """The LaTeX column spec and the table: one row per outcome."""
    body: list[list[Cell]] = []
    for trial, outcome in rows:
        comp = outcome.comparison
        treatment, control = _sides(outcome)
        name = paragraph(outcome.name)
        target = targets.get((trial.id, outcome.id))
        if target is not None:
            name.insert(0, target)
        derived = derived_reduction(outcome)
        reduction = (
            derived_node(derived)
            if derived is not None
            else value_node(comp.reduction if comp else None)
        )
        cells: list[Cell] = [trial_ref(trial)] if with_trial else []
        cells += [
            name,
            _arm_cell(trial, outcome, treatment),
            _arm_cell(trial, outcome, control),
            value_node(comp.estimate if comp else None),
            value_node(comp.p if comp else None, p=True),
            reduction,
            flag_node(outcome.met),
        ]
        body.append(cells)
    return table(caption, columns(with_trial), body, ["trialbook-outcomes"])


class OutcomeTable(TrialbookDirective):
    """Endpoints of the selected trials as a numbered table.

    Options: ``:trials:`` ids (default: every trial), ``:outcomes:`` outcome ids,
    ``:role:`` ``primary`` (default, with co-primary), ``all`` or a list of roles,
    ``:caption:`` the table's title, ``:name:`` a label for ``numref``.
    """

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
        wanted = set(self.options.get("outcomes", []))
        rows = [
            (trial, outcome)
            for trial in trials
            for outcome in trial.outcomes
            if outcome.role in roles and (not wanted or outcome.id in wanted)
        ]
        missing = wanted - {o.id for _, o in rows}
        if missing:
            return self.problem(f"no outcome {', '.join(sorted(missing))!r} in the selection")
        if not rows:
            return self.problem("the selection has no outcomes; check :trials: and :role:")
        default = "Primary endpoints" if roles == PRIMARY else "Endpoints"
        if len(trials) == 1:
            default += f" of {trials[0].name}"
        with_trial = len({trial.id for trial, _ in rows}) > 1
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
        spec, node = build_table(rows, caption, targets, with_trial=with_trial)
        self.set_source_info(node)
        self.add_name(node)
        return [spec, node]


def setup_outcome_table(app: Sphinx) -> None:
    """Register the ``outcome-table`` directive."""
    app.add_directive("outcome-table", OutcomeTable)
