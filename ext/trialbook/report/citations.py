"""Provenance: which source backs which value, and how sources are numbered.

The handbook numbers its sources in the order of the source list (grouped by
kind, then as written in ``sources.yaml``), and every rendered value points at
its source's number. These functions compute both from a dataset.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from ..diagnostics import FieldPath
from ..model.records import Dataset, SourceKind
from ..model.values import Reported, Sourced, Value
from ..model.walk import iter_sourced, model_nodes
from .format import date
from .words import topic as topic_of

#: The order of the groups of the source list.
KIND_ORDER: tuple[SourceKind, ...] = (
    "journal-article",
    "review",
    "research-summary",
    "conference-abstract",
    "registry-record",
    "regulator",
    "label",
    "press-release",
    "website",
    "news",
    "blog",
)
KIND_TITLES: dict[str, str] = {
    "journal-article": "Journal articles",
    "review": "Reviews",
    "research-summary": "Research summaries",
    "conference-abstract": "Conference abstracts",
    "registry-record": "Registry records",
    "regulator": "Regulators",
    "label": "Product information (labels)",
    "press-release": "Press releases",
    "website": "Web pages of the sponsor and of trial sites",
    "news": "News",
    "blog": "Blogs",
}


def source_order(dataset: Dataset) -> list[str]:
    """Source ids in the order of the source list."""
    rank = {kind: i for i, kind in enumerate(KIND_ORDER)}
    ids = list(dataset.sources)
    return sorted(ids, key=lambda s: (rank[dataset.sources[s].kind], ids.index(s)))


def source_numbers(dataset: Dataset) -> dict[str, int]:
    """Source id → its number in the source list (1-based)."""
    return {source_id: i for i, source_id in enumerate(source_order(dataset), 1)}


@dataclass(frozen=True, slots=True)
class Citation:
    """One place a source is cited: the record (trial or file) and the field path."""

    record: str
    path: FieldPath


def cited_by(dataset: Dataset) -> dict[str, list[Citation]]:
    """Source id → every value that cites it (trials, interventions, milestones)."""
    out: dict[str, list[Citation]] = defaultdict(list)
    for trial_id, record in dataset.trials.items():
        for path, source, _ in iter_sourced(record.trial):
            if source is not None:
                out[source].append(Citation(trial_id, path))
    for iv in dataset.interventions.values():
        for path, source, _ in iter_sourced(iv):
            if source is not None:
                out[source].append(Citation(f"intervention {iv.id}", path))
    for milestone in dataset.milestones:
        for path, source, _ in iter_sourced(milestone):
            if source is not None:
                out[source].append(Citation(f"milestone {milestone.id}", path))
    return dict(out)


def cited_topics(dataset: Dataset) -> dict[str, dict[str, list[str]]]:
    """Source id → record name → the topics it backs there, in order, once each."""
    out: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for source, citations in cited_by(dataset).items():
        for c in citations:
            if c.record in dataset.trials:
                record = dataset.trial(c.record).name
                topic = topic_of(dataset.trial(c.record), c.path)
            else:
                kind, _, key = c.record.partition(" ")
                record, topic = _shared_topic(dataset, kind, key, c.path)
            topics = out[source].setdefault(record, [])
            if topic and topic not in topics:  # "" is the record's own default source
                topics.append(topic)
    return dict(out)


_IV_PARTS = {
    "programme": "figures across its trials",
    "regimen": "how it is given and monitored",
}


def _shared_topic(dataset: Dataset, kind: str, key: str, path: FieldPath) -> tuple[str, str]:
    """A citation in interventions.yaml or milestones.yaml, in readers' words."""
    if kind == "intervention":
        name = dataset.interventions[key].name
        part = _IV_PARTS.get(str(path[0])) if path else None
        return "Treatments", f"{name}, {part}" if part else name
    milestone = next(m for m in dataset.milestones if m.id == key)
    return "Regulatory milestones", date(milestone.date)


def cited_locators(dataset: Dataset) -> dict[str, list[str]]:
    """Source id → the places in it that values cite (``Table 2``, ``Table 4``), in
    natural order, once each."""
    found: dict[str, set[str]] = defaultdict(set)
    records: list[Any] = [r.trial for r in dataset.trials.values()]
    records += [*dataset.interventions.values(), *dataset.milestones]
    for record in records:
        for _, node in model_nodes(record):
            if isinstance(node, Reported | Sourced) and node.source and node.locator:
                found[node.source].add(node.locator)
            if isinstance(node, Value):
                for other in node.other_reports:
                    if other.source and other.locator:
                        found[other.source].add(other.locator)
    return {k: sorted(v, key=_natural) for k, v in found.items() if v}


def _natural(text: str) -> list[Any]:
    """``Table 2`` before ``Table 10``."""
    return [int(part) if part.isdigit() else part for part in re.split(r"([0-9]+)", text)]


def evidence_date(dataset: Dataset) -> str | None:
    """The date of the newest source (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``): what the
    handbook's evidence is as of. A year alone counts as its first day."""
    dates = [s.date for s in dataset.sources.values() if s.date]
    return max(dates, key=lambda d: (d + "-01-01")[:10]) if dates else None
