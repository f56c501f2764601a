"""``{val}`care-ms-ii/relapse-rate.reduction```: one number from the data, inline.

The path syntax is documented in :mod:`trialbook.paths`. The role renders the
value with the one formatter and its ``[n]`` citation, and makes the page depend
on the trial, so prose can never disagree with the tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.util.docutils import SphinxRole

from ..diagnostics import Code, closest, suggest
from ..model.values import Fact, Flag, OtherReport
from ..report.paths import PathError, all_paths, resolve
from .dataset import state_of
from .render import (
    DerivedInLatex,
    derived_inline,
    fact_node,
    flag_node,
    other_report_node,
    value_node,
)
from .warnings import role_location, warn

if TYPE_CHECKING:
    from sphinx.application import Sphinx


class ValRole(SphinxRole):
    """The formatted value at a path, with its citation."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        """Resolve the path; warn (page and line) and show the path if it names nothing."""
        state = state_of(self.env)
        dataset = state.dataset
        path = self.text.strip()
        trial_id = path.split("/")[0].split(".")[0]
        # Read again when this value changes (or comes to name one), not whenever
        # anything in its trial's file does.
        state.depend_on_shown(self.env, f"val:{path}")
        if trial_id in dataset.failed:
            message = state.failed_trial(trial_id)
            if message is not None:
                warn(f"val: {message}", role_location(self), Code.REFERENCE)
            return [nodes.literal(path, path, classes=["trialbook-missing"])], []
        try:
            found = resolve(dataset, path)
        except PathError as exc:
            # Suggest only paths of the same trial: another trial's number is never
            # a good guess for prose about this one.
            same = [p for p in all_paths(dataset) if p.split("/")[0].split(".")[0] == trial_id]
            close = closest(path, same, cutoff=0.7)
            if close is None and "." not in path:
                close = next((p for p in same if p.startswith(path)), None)
            hint = (
                f"did you mean {close!r}?"
                if close is not None
                else suggest(path, exc.known, label="expected one of")
                if exc.known
                else ""
            )
            warn(
                f"val: {exc} in {path!r}" + (f" ({hint})" if hint else ""),
                role_location(self),
                Code.REFERENCE,
            )
            return [nodes.literal(path, path, classes=["trialbook-missing"])], []
        if found.derived is not None or found.value is None:
            assert found.derived is not None
            return [derived_inline(found.derived)], []
        if isinstance(found.value, Flag):
            return [flag_node(found.value)], []
        if isinstance(found.value, Fact):
            return [fact_node(found.value)], []
        if isinstance(found.value, OtherReport):
            return [other_report_node(found.value)], []
        if not found.value.reported:
            # Prose around a value reads as if there were a figure: say so, and mark it.
            warn(
                f"val: {path!r} is recorded as not reported; the page shows 'not reported' "
                "there, so word the sentence for it (or cite another value)",
                role_location(self),
            )
        node = value_node(found.value, signed=found.signed, p=found.is_p)
        if not found.value.reported:
            node["classes"].append("trialbook-missing")
        return [node], []


def setup_val_role(app: Sphinx) -> None:
    """Register the ``val`` role (and how LaTeX shows its derived figures)."""
    app.add_role("val", ValRole())
    app.add_post_transform(DerivedInLatex)
