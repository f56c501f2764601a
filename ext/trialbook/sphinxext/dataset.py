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
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic, Severity
from ..load.cache import code_digest, file_digest
from ..load.dataset import load_dataset
from ..model.records import Dataset
from ..plot.output import FORMATS, formats_for
from ..report.citations import source_numbers
from ..report.paths import shown
from . import memory
from .warnings import CONFIG, report, warn

if TYPE_CHECKING:
    from collections.abc import Collection

    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment

DIGEST_DIR = "trialbook-digests"
#: Checked trials by content digest (see :mod:`trialbook.cache`), beside the doctrees.
CACHE_DIR = "trialbook-cache"
TRIAL_SET = "_trials"
#: Digest-file names of the shared data files: a page depends on those it shows.
SOURCES, INTERVENTIONS, MILESTONES = "_sources", "_interventions", "_milestones"
SHARED_DIGESTS = {
    SOURCES: "sources.yaml",
    INTERVENTIONS: "interventions.yaml",
    MILESTONES: "milestones.yaml",
}


@dataclass(frozen=True)
class BuildState:
    """What a build knows about the data: the dataset and its digest files."""

    dataset: Dataset
    digest_dir: Path
    #: the builder's output directory (where downloads are written)
    outdir: Path
    #: trial id → the first error of a trial whose data failed (what to point authors at)
    first_errors: dict[str, Diagnostic] = field(default_factory=dict)
    #: trials already said to have failed, in this process (say it once, not per use)
    told_failed: set[str] = field(default_factory=set)
    #: a digest of every data file: what a file made from all the data depends on
    data_digest: str = ""
    #: trial id → what its digest file holds (its data's digest, and whether it loaded)
    trial_digests: dict[str, str] = field(default_factory=dict)
    #: the build's builder, for what post-transforms link (Sphinx 9 deprecates
    #: ``SphinxTransform.app``, and a post-transform is given no builder)
    builder: Builder | None = None
    #: trial id → field → the digest of that field's data (see :meth:`shown_digest`)
    _fields: dict[str, dict[str, str]] = field(default_factory=dict)

    def shown_digest(self, trial_id: str, reads: Collection[str] | None) -> str:
        """The digest of the fields ``reads`` of a trial (its whole file's with None):
        what a generated block that reads only those shows of it (see :mod:`.refresh`).

        Fields are digested from the checked model, not the file: an edit to one
        field (the number of centres) changes only the blocks that show it."""
        whole = self.trial_digests.get(trial_id, "")
        if reads is None or trial_id not in self.dataset.trials:
            return whole  # a trial that failed shows a box: its status is in ``whole``
        fields = self._fields.get(trial_id)
        if fields is None:
            trial = self.dataset.trial(trial_id)
            fields = {
                name: hashlib.sha256(trial.model_dump_json(include={name}).encode()).hexdigest()
                for name in type(trial).model_fields
            }
            self._fields[trial_id] = fields
        text = "\n".join(f"{name} {fields[name]}" for name in sorted(reads))
        return hashlib.sha256(text.encode()).hexdigest()

    def depend_on_shown(self, env: BuildEnvironment, key: str) -> None:
        """Note that the page being read shows what ``key`` names (see
        :func:`~trialbook.report.paths.shown`): it is read again when that changes."""
        path = shown_file(self.digest_dir, key)
        if not path.is_file():  # else brought up to date when the data was loaded
            _create(path, _shown_text(self.dataset, key))
        env.note_dependency(str(path))

    def failed_trial(self, trial_id: str) -> str | None:
        """For a trial whose data failed, what to tell the author, the first time only."""
        if trial_id not in self.dataset.failed or trial_id in self.told_failed:
            return None
        self.told_failed.add(trial_id)
        first = self.first_errors.get(trial_id)
        where = f"; its first error is at {first.location}" if first else ""
        return f"trial {trial_id!r} failed validation, so it is not shown{where}"

    def digest_file(self, name: str) -> Path:
        """The digest file of a trial id, of a shared file (``SOURCES``…), or ``TRIAL_SET``."""
        return digest_path(self.digest_dir, name)

    @property
    def figure_formats(self) -> tuple[str, ...]:
        """The figure formats the builder takes (``svg`` for HTML, ``pdf`` for LaTeX)."""
        return formats_for(self.builder.supported_image_types) if self.builder else FORMATS

    @functools.cached_property
    def source_numbers(self) -> dict[str, int]:
        """Source id → its number in the source list, once per build."""
        return source_numbers(self.dataset)


#: Build states by doctree directory: one per build, inherited by parallel workers
#: (they fork after builder-inited). Kept off the environment, which is pickled.
_STATES: dict[Path, BuildState] = {}


def digest_path(digest_dir: Path, name: str) -> Path:
    """Where the digest of ``name`` (a trial id, ``SOURCES``…, ``TRIAL_SET``) is kept."""
    return digest_dir / f"{name}.sha256"


def _write_if_changed(path: Path, text: str) -> None:
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _create(path: Path, text: str) -> None:
    """Write ``path`` whole, unless it is there already. Parallel readers may create
    the same file at once: the first one stays (a later one would be newer than the
    page the first reader read, which would be read again on the next build)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


#: Under the digest directory: one file per value or name that prose shows, and
#: the stamp of the data and code their values were last made from.
SHOWN_DIR, STAMP = "shown", "made-from"


def shown_file(digest_dir: Path, key: str) -> Path:
    """The file that stands for what prose shows for ``key`` (a value, a name)."""
    return digest_dir / SHOWN_DIR / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.txt"


def _shown_text(dataset: Dataset, key: str) -> str:
    return f"{key}\n{shown(dataset, key)}\n"


def _update_shown(app: Sphinx, digest_dir: Path, dataset: Dataset, made_from: str) -> None:
    """Rewrite the files of what prose shows whose value changed (their pages are then
    read again); leave the others, so their pages are not. Files no page depends on
    any more (after the last build) are removed.

    ``made_from`` names the data and code the values come from: when the files were
    last brought up to date from the same, none is computed again (196 values, 30 ms
    of a no-op build)."""
    folder = digest_dir / SHOWN_DIR
    folder.mkdir(exist_ok=True)  # (those made while pages are read are made from the same)
    srcdir = Path(app.srcdir)
    used = {
        os.path.normpath(srcdir / dep) for deps in app.env.dependencies.values() for dep in deps
    }
    stamp = folder / STAMP
    current = stamp.is_file() and stamp.read_text(encoding="utf-8") == made_from
    for path in folder.glob("*.txt"):
        if os.path.normpath(path) not in used:
            path.unlink()
        elif not current:
            key = path.read_text(encoding="utf-8").partition("\n")[0]
            _write_if_changed(path, _shown_text(dataset, key))
    stamp.write_text(made_from, encoding="utf-8")


def data_dir(app: Sphinx) -> Path:
    """The data directory as configured, resolved against the source directory."""
    return (Path(app.srcdir) / str(app.config.trialbook_data_dir)).resolve()


def _load(app: Sphinx) -> None:
    root = data_dir(app)
    with memory.full_collections_held():  # what is loaded lives on: nothing to collect
        result = load_dataset(root, cache_dir=Path(app.doctreedir) / CACHE_DIR)
    diagnostics = result.diagnostics
    if not root.is_dir():
        warn(
            f"data directory not found: {root} (trialbook_data_dir = "
            f"{app.config.trialbook_data_dir!r}, relative to the source directory)",
            _setting_location(app, "trialbook_data_dir"),
            CONFIG,
            error=True,
        )
        diagnostics = []  # the one above says it, with the setting to change
    for diagnostic in diagnostics:
        report(diagnostic)
    if any(d.severity is Severity.ERROR for d in result.diagnostics):
        app.statuscode = 1  # data errors fail the build even without -W
    digest_dir = Path(app.doctreedir) / DIGEST_DIR
    digest_dir.mkdir(parents=True, exist_ok=True)
    failed_files = {
        f: trial_id for trial_id, files in result.dataset.failed.items() for f in files
    }
    first_errors: dict[str, Diagnostic] = {}
    for d in result.diagnostics:
        trial_id = failed_files.get(d.file)
        if trial_id is not None and d.severity is Severity.ERROR:
            first_errors.setdefault(trial_id, d)

    every = []
    trial_digests = {}
    for trial_id, digest in result.digests.items():
        # Whether the trial loaded depends on other files too (the ids it cites).
        status = "ok" if trial_id in result.dataset.trials else "failed"
        every.append(f"{trial_id} {digest} {status}")
        trial_digests[trial_id] = f"{digest} {status}"
        _write_if_changed(digest_path(digest_dir, trial_id), f"{digest} {status}\n")
    for name, filename in SHARED_DIGESTS.items():
        digest = file_digest([root / filename])
        every.append(f"{name} {digest}")
        _write_if_changed(digest_path(digest_dir, name), digest)
    _write_if_changed(digest_path(digest_dir, TRIAL_SET), "\n".join(sorted(result.digests)) + "\n")
    whole = hashlib.sha256("\n".join(every).encode()).hexdigest()
    _update_shown(app, digest_dir, result.dataset, f"{code_digest()} {whole}\n")
    _STATES[Path(app.doctreedir)] = BuildState(
        result.dataset,
        digest_dir,
        Path(app.outdir),
        first_errors,
        data_digest=whole,
        trial_digests=trial_digests,
        builder=app.builder,
    )


def _setting_location(app: Sphinx, name: str) -> str | None:
    """``conf.py:line`` where ``name`` is set (line 1 if it is not written there)."""
    conf = Path(app.confdir) / "conf.py"
    try:
        lines = conf.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    line = next((i for i, text in enumerate(lines, 1) if text.lstrip().startswith(name)), 1)
    return f"{conf}:{line}"


def state_of(env: BuildEnvironment) -> BuildState:
    """The build's data state (loaded at ``builder-inited``)."""
    where = env.doctreedir  # a Path already in Sphinx 8 and 9: no new one per call
    return _STATES[where if isinstance(where, Path) else Path(where)]


def setup_dataset(app: Sphinx) -> None:
    """Load the data before pages are generated and sources are read."""
    app.connect("builder-inited", _load, priority=400)
