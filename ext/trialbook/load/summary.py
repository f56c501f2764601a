"""What a load found, without its models: what ``trialbook check`` reports.

A warm ``trialbook check`` reads this alone (:func:`load_summary`): it neither imports
the models nor unpickles them, which were most of its 0.53 s at 100 trials.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic, has_errors
from .cache import SUMMARY, TrialCache


@dataclass(frozen=True)
class Summary:
    """The diagnostics of a load, and how much loaded."""

    diagnostics: list[Diagnostic]
    #: trial id → its arms, outcomes and adverse events, for the trials that loaded
    trials: dict[str, tuple[int, int, int]]
    sources: int
    milestones: int

    @property
    def ok(self) -> bool:
        """No errors (warnings and notes allowed)."""
        return not has_errors(self.diagnostics)


def load_summary(root: Path, *, cache_dir: Path | None = None) -> Summary:
    """The summary of loading ``root``: stored by an earlier load of the same data
    with ``cache_dir``, else what :func:`~trialbook.load.dataset.load_dataset` finds."""
    root = root.resolve()
    cache = TrialCache(cache_dir)
    if cache.folder is not None and root.is_dir():
        stored = cache.get(cache.load_key(root), SUMMARY)
        if isinstance(stored, Summary):
            return stored
    from .dataset import load_dataset  # the models: imported only to read the data

    return load_dataset(root, cache_dir=cache_dir).summary()
