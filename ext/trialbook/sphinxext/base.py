"""What every trialbook directive shares: the dataset, selections, dependencies."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

from ..diagnostics import Code, unknown
from .dataset import TRIAL_SET, BuildState, state_of
from .warnings import warn

if TYPE_CHECKING:
    from ..model.records import Trial


def id_list(text: str | None) -> list[str]:
    """Option converter: ``"a, b c"`` → ``["a", "b", "c"]``."""
    return [part for part in (text or "").replace(",", " ").split() if part]


#: Options of every table that selects trials: which trials, its title, its label.
TABLE_OPTIONS: dict[str, Callable[[str], Any]] = {
    "trials": id_list,
    "caption": directives.unchanged,
    "name": directives.unchanged,
}


class TrialbookDirective(SphinxDirective):
    """Base directive: access to the build's data and located warnings."""

    @property
    def data(self) -> BuildState:
        """The build's data state."""
        return state_of(self.env)

    def warn(self, message: str, code: Code | None = None) -> None:
        """A warning located at this directive's line in its page."""
        warn(f"{self.name}: {message}", self.get_location(), code)

    def depend_on(
        self, trial_ids: list[str], *, all_trials: bool = False, shared: tuple[str, ...] = ()
    ) -> None:
        """Record that this page must be re-read when these trials (or the set) change,
        or the ``shared`` files it shows (``SOURCES``, ``INTERVENTIONS``, ``MILESTONES``)."""
        for name in shared:
            self.env.note_dependency(str(self.data.digest_file(name)))
        if all_trials:
            self.env.note_dependency(str(self.data.digest_file(TRIAL_SET)))
        for trial_id in trial_ids:
            path = self.data.digest_file(trial_id)
            if path.is_file():
                self.env.note_dependency(str(path))

    def select_trials(self, wanted: list[str]) -> list[Trial] | None:
        """The trials ``wanted`` (all if empty); None after a warning."""
        dataset = self.data.dataset
        self.depend_on(wanted or [*dataset.trials, *dataset.failed], all_trials=not wanted)
        if not wanted:
            return [record.trial for record in dataset.trials.values()]
        selected = []
        for trial_id in wanted:
            if trial_id in dataset.trials:
                selected.append(dataset.trial(trial_id))
            elif trial_id in dataset.failed:
                self.warn(
                    f"trial {trial_id!r} has data errors (reported above); it is not shown",
                    Code.REFERENCE,
                )
                return None
            else:
                self.depend_on([], all_trials=True)  # until the trial exists
                self.warn(unknown("trial", trial_id, dataset.trials), Code.REFERENCE)
                return None
        return selected

    def problem(self, message: str) -> list[nodes.Node]:
        """Warn, and leave a visible marker in the page instead of the content."""
        self.warn(message)
        return []
