"""The dataset of a build: loaded once, reported once, with per-trial digests.

At ``builder-inited`` the data directory is loaded and checked, its diagnostics are
logged, and a small *digest file* is written for every trial (and one for the
shared files, one for the set of trials) -- but only when the content changed.
Directives record these digest files as dependencies instead of the data files
themselves: Sphinx compares modification times, so touching a data file without
changing it re-reads nothing, and editing one trial re-reads only its pages.

Checked trials are cached by content in the doctree directory, so a build reads
and checks only the trials that changed since the last one.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..diagnostics import Severity
from ..load.cache import file_digest
from ..load.dataset import load_dataset
from ..model.records import Dataset
from ..report.citations import source_numbers
from .warnings import report

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

DIGEST_DIR = "trialbook-digests"
#: Checked trials by content digest (see :mod:`trialbook.cache`), beside the doctrees.
CACHE_DIR = "trialbook-cache"
TRIAL_SET = "_trials"
#: Digest-file names of the shared data files: a page depends on those it shows.
SOURCES, INTERVENTIONS, MILESTONES = "_sources", "_interventions", "_milestones"
_SHARED_DIGESTS = {
    SOURCES: "sources.yaml",
    INTERVENTIONS: "interventions.yaml",
    MILESTONES: "milestones.yaml",
}


@dataclass(frozen=True)
class BuildState:
    """What a build knows about the data: the dataset and its digest files."""

    dataset: Dataset
    digest_dir: Path

    def digest_file(self, name: str) -> Path:
        """The digest file of a trial id, of a shared file (``SOURCES``…), or ``TRIAL_SET``."""
        return self.digest_dir / f"{name}.sha256"

    @functools.cached_property
    def source_numbers(self) -> dict[str, int]:
        """Source id → its number in the source list, once per build."""
        return source_numbers(self.dataset)


#: Build states by doctree directory: one per build, inherited by parallel workers
#: (they fork after builder-inited). Kept off the environment, which is pickled.
_STATES: dict[Path, BuildState] = {}


def _write_if_changed(path: Path, text: str) -> None:
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def data_dir(app: Sphinx) -> Path:
    """The data directory as configured, resolved against the source directory."""
    return (Path(app.srcdir) / str(app.config.trialbook_data_dir)).resolve()


def _load(app: Sphinx) -> None:
    root = data_dir(app)
    result = load_dataset(root, cache_dir=Path(app.doctreedir) / CACHE_DIR)
    for diagnostic in result.diagnostics:
        report(diagnostic)
    if any(d.severity is Severity.ERROR for d in result.diagnostics):
        app.statuscode = 1  # data errors fail the build even without -W
    digest_dir = Path(app.doctreedir) / DIGEST_DIR
    digest_dir.mkdir(parents=True, exist_ok=True)
    state = BuildState(result.dataset, digest_dir)
    for trial_id, digest in result.digests.items():
        # Whether the trial loaded depends on other files too (the ids it cites).
        status = "ok" if trial_id in result.dataset.trials else "failed"
        _write_if_changed(state.digest_file(trial_id), f"{digest} {status}\n")
    for name, filename in _SHARED_DIGESTS.items():
        _write_if_changed(state.digest_file(name), file_digest([root / filename]))
    _write_if_changed(state.digest_file(TRIAL_SET), "\n".join(sorted(result.digests)) + "\n")
    _STATES[Path(app.doctreedir)] = state


def state_of(env: BuildEnvironment) -> BuildState:
    """The build's data state (loaded at ``builder-inited``)."""
    return _STATES[Path(env.doctreedir)]


def setup_dataset(app: Sphinx) -> None:
    """Load the data before pages are generated and sources are read."""
    app.connect("builder-inited", _load, priority=400)
