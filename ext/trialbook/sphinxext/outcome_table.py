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
from docutils.parsers.rst import directives
from sphinx import addnodes

from ..derive import Derived, reduction_from_ratio
from ..model import RATIO_KINDS, Outcome, Trial
from ..provenance import source_numbers
from .base import TrialbookDirective, split_ids
from .domain import target_node
from .render import derived_node, flag_node, paragraph, value_node

if TYPE_CHECKING:
    from sphinx.application import Sphinx

ROLES = ("primary", "co-primary", "secondary", "tertiary", "unspecified")
PRIMARY = ("primary", "co-primary")

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


def latex_colspec(with_trial: bool) -> addnodes.tabular_col_spec:
    """Ragged-right columns of the given widths (justified narrow cells look broken)."""
    shown = columns(with_trial)
    total = sum(width for _, width in shown)
    spec = "".join(
        rf">{{\raggedright\arraybackslash}}\X{{{width}}}{{{total}}}" for _, width in shown
    )
    return addnodes.tabular_col_spec(spec=spec)


def _role_filter(text: str | None) -> tuple[str, ...] | None:
    """``primary`` (default: primary and co-primary), ``all``, or a list of roles."""
    if not text or text.strip() == "primary":
        return PRIMARY
    if text.strip() == "all":
        return ROLES
    roles = tuple(split_ids(text))
    unknown = [r for r in roles if r not in ROLES]
    return None if unknown else roles


def _arm_cell(
    trial: Trial, outcome: Outcome, keys: list[str], numbers: dict[str, int]
) -> nodes.entry:
    entry = nodes.entry()
    signed = outcome.measure == "mean-change"
    for key in keys:
        arm = trial.arm_or_group(key)
        label = arm.label if arm is not None else key
        entry += paragraph(nodes.emphasis("", label))
        entry += paragraph(value_node(outcome.results[key], numbers, signed=signed))
    return entry


def _sides(outcome: Outcome) -> tuple[list[str], list[str]]:
    """Result keys shown as treatment and as control."""
    keys = list(outcome.results)
    control = outcome.comparison.control if outcome.comparison is not None else keys[-1]
    return [k for k in keys if k != control], [k for k in keys if k == control]


def _entry(*children: nodes.Node) -> nodes.entry:
    entry = nodes.entry()
    for child in children:
        entry += child if isinstance(child, nodes.paragraph) else paragraph(child)
    return entry


def trial_ref(trial: Trial) -> addnodes.pending_xref:
    """A link to the trial's page, showing its name."""
    return addnodes.pending_xref(
        "",
        nodes.inline("", trial.name),
        refdomain="trial",
        reftype="trial",
        reftarget=trial.id,
        refexplicit=True,
        refwarn=True,
    )


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
    numbers: dict[str, int],
    targets: dict[tuple[str, str], nodes.target],
    *,
    with_trial: bool = True,
) -> nodes.table:
    """The docutils table for ``rows`` (a title, a header row, one row per outcome)."""
    shown = columns(with_trial)
    table = nodes.table(classes=["trialbook-outcomes"])
    table += nodes.title(caption, caption)
    group = nodes.tgroup(cols=len(shown))
    table += group
    for _, width in shown:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    group += head
    header = nodes.row()
    head += header
    for heading, _ in shown:
        header += _entry(nodes.Text(heading))
    body = nodes.tbody()
    group += body
    for trial, outcome in rows:
        comp = outcome.comparison
        treatment, control = _sides(outcome)
        row = nodes.row()
        if with_trial:
            row += _entry(trial_ref(trial))
        name = paragraph(outcome.name)
        target = targets.get((trial.id, outcome.id))
        if target is not None:
            name.insert(0, target)
        row += _entry(name)
        row += _arm_cell(trial, outcome, treatment, numbers)
        row += _arm_cell(trial, outcome, control, numbers)
        row += _entry(value_node(comp.estimate if comp else None, numbers))
        row += _entry(value_node(comp.p if comp else None, numbers, p=True))
        derived = derived_reduction(outcome)
        if derived is not None:
            row += _entry(derived_node(derived))
        else:
            row += _entry(value_node(comp.reduction if comp else None, numbers))
        row += _entry(flag_node(outcome.met, numbers))
        body += row
    return table


class OutcomeTable(TrialbookDirective):
    """Endpoints of the selected trials as a numbered table.

    Options: ``:trials:`` ids (default: every trial), ``:outcomes:`` outcome ids,
    ``:role:`` ``primary`` (default, with co-primary), ``all`` or a list of roles,
    ``:caption:`` the table's title, ``:name:`` a label for ``numref``.
    """

    has_content = False
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        "trials": directives.unchanged,
        "outcomes": directives.unchanged,
        "role": directives.unchanged,
        "caption": directives.unchanged,
        "name": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        """Build the table, or warn (at the page and line) and return nothing."""
        trials = self.select_trials(self.options.get("trials"))
        if trials is None:
            return []
        roles = _role_filter(self.options.get("role"))
        if roles is None:
            return self.problem(
                f"unknown role in {self.options['role']!r}; expected 'primary', 'all' "
                f"or some of: {', '.join(ROLES)}"
            )
        wanted = set(split_ids(self.options.get("outcomes")))
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
        numbers = source_numbers(self.data.dataset)
        table = build_table(rows, caption, numbers, targets, with_trial=with_trial)
        self.set_source_info(table)
        self.add_name(table)
        return [latex_colspec(with_trial), table]


def setup_outcome_table(app: Sphinx) -> None:
    """Register the ``outcome-table`` directive."""
    app.add_directive("outcome-table", OutcomeTable)
