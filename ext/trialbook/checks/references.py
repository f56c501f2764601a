"""Ids that must exist, and ids that must be unique: in a trial, the sources, milestones."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from ..diagnostics import Code, Diagnostic, FieldPath, unknown
from ..model.records import Intervention, Milestone, Source, Trial
from ..read.sourcemap import SourceMap
from .checker import Checker


def _arm_ids(trial: Trial) -> list[str]:
    return [a.id for a in trial.arms] + [g.id for g in trial.groups]


def _duplicates(c: Checker, items: Iterable[tuple[FieldPath, str]], what: str) -> None:
    seen: dict[str, FieldPath] = {}
    for path, key in items:
        if key in seen:
            first = c.smap.locate(seen[key])
            c.error(
                (*path, "id"),
                f"duplicate {what} id {key!r} (first at line {first[1]})",
                Code.DUPLICATE,
            )
        else:
            seen[key] = path


def check_trial_references(c: Checker, trial: Trial, interventions: Iterable[str]) -> None:
    """Ids within a trial are unique; arms, groups and interventions it names exist."""
    arm_ids = _arm_ids(trial)
    _duplicates(
        c,
        [(("arms", i), a.id) for i, a in enumerate(trial.arms)]
        + [(("groups", i), g.id) for i, g in enumerate(trial.groups)],
        "arm or group",
    )
    _duplicates(c, [(("outcomes", i), o.id) for i, o in enumerate(trial.outcomes)], "outcome")
    _duplicates(
        c,
        [(("adverse_events", i), e.id) for i, e in enumerate(trial.adverse_events)],
        "adverse event",
    )
    _duplicates(
        c, [(("extensions", i), e.id) for i, e in enumerate(trial.extensions)], "extension"
    )
    for i, ext in enumerate(trial.extensions):
        _duplicates(
            c,
            [(("extensions", i, "results", j), m.id) for j, m in enumerate(ext.results)],
            "result",
        )
    for name in ("baseline", "eligibility"):
        items = getattr(trial, name)
        _duplicates(c, [((name, i), m.id) for i, m in enumerate(items)], name)
    # Value paths name arms, outcomes, events and measurements alike: ids of different kinds
    # must differ too (the same kind is checked above).
    named = [
        *((("outcomes", i), o.id) for i, o in enumerate(trial.outcomes)),
        *((("adverse_events", i), e.id) for i, e in enumerate(trial.adverse_events)),
        *((("baseline", i), m.id) for i, m in enumerate(trial.baseline)),
        *((("eligibility", i), m.id) for i, m in enumerate(trial.eligibility)),
        *((("extensions", i), e.id) for i, e in enumerate(trial.extensions)),
    ]
    first: dict[str, FieldPath] = {a.id: ("arms", i) for i, a in enumerate(trial.arms)}
    for path, key in named:
        other = first.setdefault(key, path)
        if other[0] != path[0]:
            c.error(
                (*path, "id"),
                f"id {key!r} is also used in {other[0]} (line {c.smap.locate(other)[1]}); "
                "value paths need it unique",
                Code.DUPLICATE,
            )
    known_interventions = set(interventions)
    for i, arm in enumerate(trial.arms):
        if arm.intervention not in known_interventions:
            c.error(
                ("arms", i, "intervention"),
                unknown(
                    "intervention",
                    arm.intervention,
                    known_interventions,
                    where="in interventions.yaml",
                ),
                Code.REFERENCE,
            )
    for i, group in enumerate(trial.groups):
        for j, arm_id in enumerate(group.arms):
            if arm_id not in {a.id for a in trial.arms}:
                c.error(
                    ("groups", i, "arms", j),
                    unknown("arm", arm_id, [a.id for a in trial.arms]),
                    Code.REFERENCE,
                )
    keyed: list[tuple[str, int, Iterable[str]]] = [
        ("outcomes", i, o.results) for i, o in enumerate(trial.outcomes)
    ] + [("adverse_events", i, e.results) for i, e in enumerate(trial.adverse_events)]
    keyed += [("baseline", i, m.results) for i, m in enumerate(trial.baseline)]
    keyed += [("eligibility", i, m.results) for i, m in enumerate(trial.eligibility)]
    for i, ext in enumerate(trial.extensions):
        keyed += [(f"extensions.{i}.results", j, m.results) for j, m in enumerate(ext.results)]
    for kind, i, results in keyed:
        for key in results:
            if key not in arm_ids:
                prefix: FieldPath = tuple(int(p) if p.isdigit() else p for p in kind.split("."))
                c.error(
                    (*prefix, i, "results", key),
                    unknown("arm or group", key, arm_ids),
                    Code.REFERENCE,
                    key=True,
                )
    for i, outcome in enumerate(trial.outcomes):
        comp = outcome.comparison
        if comp is None:
            continue
        if comp.treatment == comp.control:
            c.error(
                ("outcomes", i, "comparison", "control"),
                f"the comparison's treatment and control are the same, {comp.control!r}",
                Code.REFERENCE,
            )
        for name in ("treatment", "control"):
            ref: str = getattr(comp, name)
            if trial.arm_or_group(ref) is None:
                c.error(
                    ("outcomes", i, "comparison", name),
                    unknown("arm or group", ref, arm_ids),
                    Code.REFERENCE,
                )


def check_intervention(
    iv: Intervention, path: FieldPath, smap: SourceMap, interventions: Iterable[str]
) -> list[Diagnostic]:
    """Programme figures: unique ids, results keyed by known treatments, sound arithmetic."""
    from .arithmetic import check_measurement, measurement_values

    c = Checker(smap)
    known = sorted(interventions)
    _duplicates(
        c, [((*path, "programme", i), m.id) for i, m in enumerate(iv.programme)], "programme"
    )
    for i, m in enumerate(iv.programme):
        here = (*path, "programme", i)
        for key in m.results:
            if key not in known:
                message = unknown("treatment", key, known, where="in interventions.yaml")
                c.error((*here, "results", key), message, Code.REFERENCE, key=True)
        check_measurement(c, here, m)
    c.stale_acknowledgements(
        [
            pv
            for i, m in enumerate(iv.programme)
            for pv in measurement_values((*path, "programme", i), m)
        ]
    )
    for i, rule in enumerate(iv.regimen):
        _not_future(c, (*path, "regimen", i, "since"), rule.since, "rule")
    return c.diagnostics


def check_sources(
    sources: dict[str, Source], smap: SourceMap, paths: dict[str, FieldPath]
) -> list[Diagnostic]:
    """Miscitations name existing sources; no source is dated in the future."""
    c = Checker(smap)
    for key, source in sources.items():
        _not_future(c, (*paths[key], "date"), source.date, "source")
        for i, mis in enumerate(source.miscitations):
            if mis.cites not in sources:
                c.error(
                    (*paths[key], "miscitations", i, "cites"),
                    unknown("source", mis.cites, sources),
                    Code.REFERENCE,
                )
    return c.diagnostics


def check_milestone(
    m: Milestone, path: FieldPath, smap: SourceMap, trials: Iterable[str]
) -> list[Diagnostic]:
    """A milestone's trials exist; it is not dated in the future."""
    c = Checker(smap)
    _not_future(c, (*path, "date"), m.date, "milestone")
    _not_future(c, (*path, "announced"), m.announced, "milestone")
    known = set(trials)
    for i, trial_id in enumerate(m.trials):
        if trial_id not in known:
            message = unknown("trial", trial_id, known, where="in trials/")
            c.error((*path, "trials", i), message, Code.REFERENCE)
    return c.diagnostics


def _not_future(c: Checker, path: FieldPath, date: str | None, what: str) -> None:
    """A date (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) that has not begun yet is an error."""
    if date is None:
        return
    today = datetime.date.today().isoformat()
    if date > today[: len(date)]:
        c.error(path, f"a {what} dated {date} is in the future (today is {today})", Code.SCHEMA)
