"""What every trialbook directive shares: the dataset, selections, dependencies."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from .dataset import SHARED, TRIAL_SET, BuildState, state_of
from .warnings import WarningType, logger

if TYPE_CHECKING:
    from ..model.records import Trial


def split_ids(text: str | None) -> list[str]:
    """``"a, b c"`` → ``["a", "b", "c"]``."""
    return [part for part in (text or "").replace(",", " ").split() if part]


class TrialbookDirective(SphinxDirective):
    """Base directive: access to the build's data and located warnings."""

    @property
    def data(self) -> BuildState:
        """The build's data state."""
        return state_of(self.env)

    def warn(self, message: str, kind: WarningType = WarningType.DIRECTIVE) -> None:
        """A warning located at this directive's line in its page."""
        logger.warning(
            f"{self.name}: {message}",
            type="trialbook",
            subtype=kind.value,
            location=self.get_location(),
        )

    def depend_on(self, trial_ids: list[str], *, all_trials: bool = False) -> None:
        """Record that this page must be re-read when these trials (or the set) change."""
        self.env.note_dependency(str(self.data.digest_file(SHARED)))
        if all_trials:
            self.env.note_dependency(str(self.data.digest_file(TRIAL_SET)))
        for trial_id in trial_ids:
            path = self.data.digest_file(trial_id)
            if path.is_file():
                self.env.note_dependency(str(path))

    def select_trials(self, option: str | None) -> list[Trial] | None:
        """Trials named in ``option`` (all if empty); None after a warning."""
        dataset = self.data.dataset
        wanted = split_ids(option)
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
                    WarningType.REFERENCE,
                )
                return None
            else:
                known = sorted(dataset.trials)
                close = difflib.get_close_matches(trial_id, known, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known)}"
                self.warn(f"unknown trial {trial_id!r} ({hint})", WarningType.REFERENCE)
                return None
        return selected

    def problem(self, message: str) -> list[nodes.Node]:
        """Warn, and leave a visible marker in the page instead of the content."""
        self.warn(message)
        return []
