"""Loading ``data/``: read every file, validate it, check it, build the dataset.

Layout of a data directory::

    sources.yaml            the bibliography (required)
    interventions.yaml      treatments
    milestones.yaml         regulatory milestones
    trials/<id>.yaml        one file per trial
    trials/<id>.adverse-events.csv   optional, the trial's adverse events as a table

Nothing here raises for bad content: every problem becomes a located diagnostic,
all problems of all files are reported in one run, and a trial with an error is
left out of the dataset (listed in ``Dataset.failed``) rather than shown half-right.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..checks.provenance import check_provenance
from ..checks.references import check_intervention, check_milestone, check_sources
from ..checks.trial import check_trial
from ..diagnostics import Code, Diagnostic, Severity, has_errors, sort_key
from ..model.records import (
    Dataset,
    Intervention,
    InterventionsFile,
    Milestone,
    MilestonesFile,
    Source,
    SourcesFile,
    Trial,
    TrialRecord,
)
from ..model.validate import validate
from ..model.walk import model_nodes
from ..read.csvfile import read_adverse_events
from ..read.sourcemap import SourceMap
from ..read.yamlfile import read_yaml
from .cache import LOAD, SUMMARY, TrialCache, arithmetic, file_digest
from .layout import SHARED_FILES, outside, stray_files, trial_files
from .summary import Summary


@dataclass
class LoadResult:
    """The dataset and every diagnostic found on the way."""

    dataset: Dataset
    diagnostics: list[Diagnostic]
    #: Trial id (file stem) → digest of its files' paths and bytes.
    digests: dict[str, str] = field(default_factory=dict)
    #: How many trials came from the cache, and how many were read.
    cache_hits: int = 0
    cache_misses: int = 0

    @property
    def ok(self) -> bool:
        """No errors (warnings and notes allowed)."""
        return not has_errors(self.diagnostics)

    def summary(self) -> Summary:
        """The diagnostics, and how much loaded (what ``trialbook check`` reports)."""
        ds = self.dataset
        trials = {
            trial_id: (len(r.trial.arms), len(r.trial.outcomes), len(r.trial.adverse_events))
            for trial_id, r in ds.trials.items()
        }
        return Summary(self.diagnostics, trials, len(ds.sources), len(ds.milestones))


def _read_trial(files: tuple[Path, ...]) -> tuple[Trial | None, SourceMap, list[Diagnostic]]:
    doc = read_yaml(files[0])
    diagnostics = list(doc.errors)
    data: Any = doc.data
    if len(files) > 1:
        existing = data.get("adverse_events") or [] if isinstance(data, dict) else []
        first = len(existing) if isinstance(existing, list) else 0
        rows, csv_map, csv_errors = read_adverse_events(files[1], first)
        diagnostics += csv_errors
        if isinstance(data, dict) and isinstance(existing, list):
            # The CSV's events follow the YAML ones.
            doc.smap.merge(csv_map)
            data = {**data, "adverse_events": [*existing, *rows]}
    if data is None or diagnostics:
        return None, doc.smap, diagnostics
    if not isinstance(data, dict):
        return (
            None,
            doc.smap,
            [doc.smap.diagnostic((), "expected a mapping of trial fields at the top")],
        )
    trial, errors = validate(Trial, data, doc.smap)
    return trial, doc.smap, errors


def _read_list(path: Path, model: Any, required: bool) -> tuple[Any, SourceMap, list[Diagnostic]]:
    if outside(path.parent, path) is not None:
        return None, SourceMap(path), []  # reported by stray_files()
    if not path.is_file():
        if required:
            return None, SourceMap(path), [Diagnostic(path, 1, 1, "required data file is missing")]
        return None, SourceMap(path), []
    doc = read_yaml(path)
    if doc.errors or doc.data is None:
        return None, doc.smap, doc.errors
    parsed, errors = validate(model, doc.data, doc.smap)
    return parsed, doc.smap, errors


def load_sources(root: Path) -> Dataset:
    """A dataset with the sources of ``root`` alone, for a ``conf.py`` that needs their
    dates (:func:`~trialbook.report.citations.evidence_date`) before the build loads
    everything. Reading every trial there cost 1.3 s a build at 100 trials. Problems are
    not reported here: the build's own load reports each one."""
    src_file, _, _ = _read_list(root.resolve() / "sources.yaml", SourcesFile, True)
    sources = {} if src_file is None else {s.id: s for s in src_file.sources}
    return Dataset(root.resolve(), sources=sources)


TrialOutcome = tuple[Trial | None, list[Diagnostic], set[str]]


def _check_trial_files(
    stem: str,
    files: tuple[Path, ...],
    interventions: dict[str, Intervention],
    known_sources: dict[str, Source] | None,
) -> TrialOutcome:
    """Read, validate and check one trial: what depends on its files alone."""
    trial, smap, errs = _read_trial(files)
    cited: set[str] = set()
    if trial is not None:
        nodes = model_nodes(trial)
        errs += check_trial(trial, smap, interventions, nodes=nodes)
        prov, cited = check_provenance(trial, smap, known_sources, nodes=nodes)
        errs += prov
        if trial.id != stem:
            errs.append(
                smap.diagnostic(
                    ("id",),
                    f"trial id {trial.id!r} must match the file name {stem!r}",
                    code=Code.SCHEMA,
                )
            )
    return trial, errs, cited


def load_dataset(root: Path, *, cache_dir: Path | None = None) -> LoadResult:
    """Load, validate and check the data directory ``root``.

    With ``cache_dir``, trials whose files (and the ids they may refer to) are
    unchanged since an earlier load come from :class:`~trialbook.load.cache.TrialCache`
    instead of being read and checked again, and a directory unchanged as a whole is
    one stored load; the result is the same either way.
    """
    root = root.resolve()
    if not root.is_dir():
        return LoadResult(Dataset(root), [Diagnostic(root, 1, 1, "data directory not found")])
    cache = TrialCache(cache_dir)
    key = cache.load_key(root) if cache.folder is not None else ""
    stored = cache.get(key, LOAD) if key else None
    if isinstance(stored, LoadResult):  # nothing changed: nothing to prune either
        return replace(stored, cache_hits=len(stored.digests), cache_misses=0)
    result = _load(root, cache)
    # Stored only if no file changed while the data was read (an editor saving).
    if key and cache.load_key(root) == key:
        cache.put(key, result, LOAD)
        cache.put(key, result.summary(), SUMMARY)
    cache.prune()
    return result


def _load(root: Path, cache: TrialCache) -> LoadResult:
    diagnostics: list[Diagnostic] = stray_files(root)

    src_file, src_map, errs = _read_list(root / "sources.yaml", SourcesFile, True)
    diagnostics += errs
    sources: dict[str, Source] = {}
    source_paths: dict[str, tuple[str | int, ...]] = {}
    if src_file is not None:
        for i, source in enumerate(src_file.sources):
            if source.id in sources:
                first = src_map.locate(source_paths[source.id])[1]
                diagnostics.append(
                    src_map.diagnostic(
                        ("sources", i, "id"),
                        f"duplicate source id {source.id!r} (first at line {first})",
                        code=Code.DUPLICATE,
                    )
                )
                continue
            sources[source.id] = source
            source_paths[source.id] = ("sources", i)
        diagnostics += check_sources(sources, src_map, source_paths)

    # Without a usable source list, every citation would be "unknown": say it once.
    known_sources = sources if src_file is not None else None
    iv_file, iv_map, errs = _read_list(root / "interventions.yaml", InterventionsFile, False)
    iv_errors = iv_file is None and bool(errs)
    diagnostics += errs
    interventions: dict[str, Intervention] = {}
    cited: set[str] = set()
    if iv_file is not None:
        for i, iv in enumerate(iv_file.interventions):
            if iv.id in interventions:
                diagnostics.append(
                    iv_map.diagnostic(
                        ("interventions", i, "id"),
                        f"duplicate intervention id {iv.id!r}",
                        code=Code.DUPLICATE,
                    )
                )
            interventions[iv.id] = iv
        for i, iv in enumerate(iv_file.interventions):
            path = ("interventions", i)
            diagnostics += check_intervention(iv, path, iv_map, interventions)
        errs, ids = check_provenance(iv_file, iv_map, known_sources)
        diagnostics += errs
        cited |= ids

    trials: dict[str, TrialRecord] = {}
    failed: dict[str, tuple[Path, ...]] = {}
    trials_failed_to_parse: list[str] = []
    # What a trial's checks see besides its own files: the ids it may refer to.
    context = "sources={}|interventions={}|{}".format(
        ",".join(sorted(sources)) if known_sources is not None else "<unreadable>",
        ",".join(sorted(interventions)),
        arithmetic(),
    )
    digests: dict[str, str] = {}
    for stem, files in trial_files(root).items():
        digests[stem] = digest = file_digest(files)
        key = cache.key(context, digest)
        outcome: TrialOutcome | None = cache.get(key)
        if outcome is None:
            outcome = _check_trial_files(stem, files, interventions, known_sources)
            # Store only if no file changed while it was read (an editor saving).
            if cache.folder is not None and file_digest(files) == digest:
                cache.put(key, outcome)
        trial, errs, ids = outcome
        cited |= ids
        diagnostics += errs
        if trial is None:
            trials_failed_to_parse.append(stem)
        if trial is None or has_errors(errs):
            failed[trial.id if trial is not None else stem] = files
        else:
            # Ids match file names (or the trial failed above), so they are unique.
            trials[trial.id] = TrialRecord(trial, files)

    ms_file, ms_map, errs = _read_list(root / "milestones.yaml", MilestonesFile, False)
    ms_errors = ms_file is None and bool(errs)
    diagnostics += errs
    milestones: tuple[Milestone, ...] = ()
    if ms_file is not None:
        milestones = ms_file.milestones
        for i, m in enumerate(milestones):
            diagnostics += check_milestone(m, ("milestones", i), ms_map, [*trials, *failed])
        errs, ids = check_provenance(ms_file, ms_map, known_sources)
        diagnostics += errs
        cited |= ids

    for source in sources.values():
        cited |= {m.cites for m in source.miscitations}
    # A file that did not validate may cite any source: say nothing rather than guess.
    unreadable = bool(trials_failed_to_parse) or (iv_errors or ms_errors)
    for key in sources:
        if key not in cited and src_file is not None and not unreadable:
            diagnostics.append(
                src_map.diagnostic(
                    (*source_paths[key], "id"),
                    f"source {key!r} is not cited by any value",
                    code=Code.PROVENANCE,
                    severity=Severity.WARNING,
                )
            )
    shared = tuple(root / name for name in SHARED_FILES if (root / name).is_file())
    dataset = Dataset(root, sources, interventions, trials, milestones, failed, shared)
    return LoadResult(
        dataset, sorted(diagnostics, key=sort_key), digests, cache.hits, cache.misses
    )
