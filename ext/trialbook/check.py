"""Checks across records: references, duplicates, arithmetic and provenance.

Each check reports through a :class:`~trialbook.sourcemap.SourceMap`, so its message
points at the file, line and column of the value at fault. A value that carries
``acknowledged: <reason>`` turns its consistency errors into notes that the
handbook shows; an acknowledgement with nothing to acknowledge is a warning.
"""

from __future__ import annotations

import difflib
import functools
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from . import derive
from .diagnostics import Code, Diagnostic, FieldPath, Severity
from .model import RATIO_KINDS, Comparison, Milestone, Source, Trial
from .sourcemap import SourceMap
from .values import Reported, Sourced, Tally, Value


@functools.cache
def _model_children(cls: type[BaseModel]) -> tuple[str, ...]:
    """Fields of ``cls`` that can hold models (plain text and numbers are skipped)."""

    def holds_model(annotation: Any) -> bool:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return True
        return any(holds_model(arg) for arg in typing.get_args(annotation))

    return tuple(
        name
        for name, info in cls.model_fields.items()
        if name not in ("source", "other_reports") and holds_model(info.annotation)
    )


#: Models with their field paths, in document order (see :func:`model_nodes`).
Nodes = list[tuple[FieldPath, BaseModel]]


def model_nodes(obj: Any, path: FieldPath = ()) -> Nodes:
    """Every model inside ``obj`` (itself included), in document order, with its path.

    Other reports are not entered: they belong to their value (see
    :func:`iter_sourced`). It runs over every value of every trial, so it is
    written for speed; compute it once and pass it to the checks that need it.
    """
    out: Nodes = []
    _collect(obj, path, out)
    return out


def _collect(node: Any, here: FieldPath, out: Nodes) -> None:
    if isinstance(node, BaseModel):
        out.append((here, node))
        fields = node.__dict__
        for name in _model_children(type(node)):
            child = fields[name]
            if child is not None and not isinstance(child, str):
                _collect(child, (*here, name), out)
    elif isinstance(node, tuple):
        for i, item in enumerate(node):
            _collect(item, (*here, i), out)
    elif isinstance(node, dict):
        for key, item in node.items():
            _collect(item, (*here, key), out)


def iter_reported(
    obj: Any, path: FieldPath = (), *, nodes: Nodes | None = None
) -> list[tuple[FieldPath, Reported]]:
    """Every reported value inside ``obj``, with its field path."""
    if nodes is None:
        nodes = model_nodes(obj, path)
    return [(p, node) for p, node in nodes if isinstance(node, Reported)]


def iter_sourced(
    obj: Any, path: FieldPath = (), *, nodes: Nodes | None = None
) -> list[tuple[FieldPath, str | None, bool]]:
    """Every ``source`` inside ``obj``: (path, source id, whether one is required).

    Reported values and other reports must name a source; a record's own ``source``
    (the default for its values) may be absent, but cites its source when given.
    """
    out: list[tuple[FieldPath, str | None, bool]] = []
    for here, node in model_nodes(obj, path) if nodes is None else nodes:
        if isinstance(node, Reported):
            out.append((here, node.source, True))
            if isinstance(node, Value):
                for i, other in enumerate(node.other_reports):
                    out.append(((*here, "other_reports", i), other.source, True))
        elif isinstance(node, Sourced) and node.source is not None:
            out.append((here, node.source, False))
    return out


@dataclass
class Checker:
    """Collects diagnostics for one record, located through its source map."""

    smap: SourceMap
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _flagged: set[FieldPath] = field(default_factory=set)

    def error(self, path: FieldPath, message: str, code: Code, *, key: bool = False) -> None:
        """An error at ``path``."""
        self.diagnostics.append(self.smap.diagnostic(path, message, key=key, code=code))

    def warning(self, path: FieldPath, message: str, code: Code) -> None:
        """A warning at ``path``."""
        self.diagnostics.append(
            self.smap.diagnostic(path, message, code=code, severity=Severity.WARNING)
        )

    def inconsistent(self, path: FieldPath, value: Value, message: str) -> None:
        """An arithmetic disagreement: an error, or a note if the value acknowledges it."""
        self._flagged.add(path)
        if value.acknowledged:
            self.diagnostics.append(
                self.smap.diagnostic(
                    path,
                    f"{message} (acknowledged: {value.acknowledged})",
                    code=Code.CONSISTENCY,
                    severity=Severity.NOTE,
                )
            )
        else:
            self.error(
                path,
                f"{message}; if the source prints it so, add 'acknowledged: <reason>'",
                Code.CONSISTENCY,
            )

    def stale_acknowledgements(self, values: Iterable[tuple[FieldPath, Reported]]) -> None:
        """Warn about acknowledgements of inconsistencies that no longer exist."""
        for path, value in values:
            if isinstance(value, Value) and value.acknowledged and path not in self._flagged:
                self.warning(
                    (*path, "acknowledged"),
                    "acknowledges an inconsistency, but the value is consistent; remove it",
                    Code.CONSISTENCY,
                )


def _fmt(d: Decimal) -> str:
    return f"{d.normalize():f}" if d == d.to_integral() else str(d)


def check_value(c: Checker, path: FieldPath, v: Value) -> None:
    """Arithmetic within one value: n ≤ N, % = n/N, CI order and containment."""
    if v.n is not None and v.N is not None:
        if v.n > v.N:
            c.inconsistent(path, v, f"n ({v.n}) is larger than N ({v.N})")
        elif v.value is not None and v.unit == "%" and v.N > 0 and v.relation == "=":
            exact = derive.percent(v.n, v.N).exact
            if not derive.agrees(v.value, exact):
                c.inconsistent(
                    path,
                    v,
                    f"{v.value}% does not agree with {v.n}/{v.N} = {derive.round_to(exact, 2)}% "
                    f"at the printed precision",
                )
    if isinstance(v, Tally):
        for name, count in (("serious", v.serious), ("fatal", v.fatal)):
            if count is not None and v.N is not None and count > v.N:
                c.inconsistent(path, v, f"{name} ({count}) is larger than N ({v.N})")
    if v.ci is not None:
        low, high = v.ci
        if not low < high:
            c.inconsistent(
                (*path, "ci"), v, f"CI lower bound {low} is not below upper bound {high}"
            )
        elif v.value is not None and not low <= v.value <= high:
            c.inconsistent(
                (*path, "ci"), v, f"CI {low}–{high} does not contain the estimate {v.value}"
            )


def check_comparison(c: Checker, path: FieldPath, comp: Comparison, trial: Trial) -> None:
    """Ids of the compared arms, p in [0, 1], ratio > 0, reduction agrees with ratio."""
    for name in ("treatment", "control"):
        key = getattr(comp, name)
        if trial.arm_or_group(key) is None:
            c.error((*path, name), _unknown("arm or group", key, _arm_ids(trial)), Code.REFERENCE)
    if comp.p is not None and comp.p.value is not None and not 0 <= comp.p.value <= 1:
        c.inconsistent((*path, "p"), comp.p, f"p = {comp.p.value} is outside [0, 1]")
    est = comp.estimate
    if comp.kind in RATIO_KINDS and est is not None and est.value is not None:
        if est.value <= 0:
            c.inconsistent((*path, "estimate"), est, f"a {comp.kind} must be positive")
        red = comp.reduction
        if red is not None and red.value is not None and red.relation == "=":
            if not derive.reduction_agrees(red.value, est.value):
                low, high = derive.reduction_range(est.value)
                c.inconsistent(
                    (*path, "reduction"),
                    red,
                    f"relative reduction {red.value}% does not agree with {comp.kind} "
                    f"{est.value} (which implies {_fmt(derive.round_to(low, 1))}–"
                    f"{_fmt(derive.round_to(high, 1))}%)",
                )
            for i, other in enumerate(red.other_reports):
                # Other reports may disagree with the main figure: that is why they are
                # kept. They must still not contradict the ratio beyond their rounding.
                if other.relation == "=" and not derive.reduction_agrees(other.value, est.value):
                    c.warning(
                        (*path, "reduction", "other_reports", i),
                        f"{other.value}% (from {other.source}) does not agree with "
                        f"{comp.kind} {est.value}",
                        Code.CONSISTENCY,
                    )


def _arm_ids(trial: Trial) -> list[str]:
    return [a.id for a in trial.arms] + [g.id for g in trial.groups]


def _unknown(what: str, key: str, known: Iterable[str]) -> str:
    known = sorted(known)
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    shown = ", ".join(known[:8]) + (", …" if len(known) > 8 else "")
    hint = f"did you mean {close[0]!r}?" if close else f"known: {shown or 'none'}"
    return f"unknown {what} {key!r} ({hint})"


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


def check_trial(
    trial: Trial, smap: SourceMap, interventions: Iterable[str], *, nodes: Nodes | None = None
) -> list[Diagnostic]:
    """All checks that need only the trial itself (and the intervention ids).

    ``nodes`` is :func:`model_nodes` of the trial, if the caller has it already.
    """
    c = Checker(smap)
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
    kinds = {"arm": [a.id for a in trial.arms], "outcome": [o.id for o in trial.outcomes]}
    for i, event in enumerate(trial.adverse_events):
        for kind, ids in kinds.items():
            if event.id in ids:
                c.error(
                    ("adverse_events", i, "id"),
                    f"id {event.id!r} is also an {kind} id; value paths need it unique",
                    Code.DUPLICATE,
                )
    for i, outcome in enumerate(trial.outcomes):
        if outcome.id in kinds["arm"]:
            c.error(
                ("outcomes", i, "id"),
                f"id {outcome.id!r} is also an arm id; value paths need it unique",
                Code.DUPLICATE,
            )
    known_interventions = set(interventions)
    for i, arm in enumerate(trial.arms):
        if arm.intervention not in known_interventions:
            c.error(
                ("arms", i, "intervention"),
                _unknown("intervention", arm.intervention, known_interventions),
                Code.REFERENCE,
            )
    for i, group in enumerate(trial.groups):
        for j, arm_id in enumerate(group.arms):
            if arm_id not in {a.id for a in trial.arms}:
                c.error(
                    ("groups", i, "arms", j),
                    _unknown("arm", arm_id, [a.id for a in trial.arms]),
                    Code.REFERENCE,
                )
    keyed: list[tuple[str, int, Iterable[str]]] = [
        ("outcomes", i, o.results) for i, o in enumerate(trial.outcomes)
    ] + [("adverse_events", i, e.results) for i, e in enumerate(trial.adverse_events)]
    for kind, i, results in keyed:
        for key in results:
            if key not in arm_ids:
                c.error(
                    (kind, i, "results", key),
                    _unknown("arm or group", key, arm_ids),
                    Code.REFERENCE,
                    key=True,
                )
    for i, outcome in enumerate(trial.outcomes):
        if outcome.comparison is not None:
            check_comparison(c, ("outcomes", i, "comparison"), outcome.comparison, trial)
    _check_sizes(c, trial)
    values = iter_reported(trial, nodes=nodes)
    for path, value in values:
        if isinstance(value, Value):
            check_value(c, path, value)
    c.stale_acknowledgements(values)
    return c.diagnostics


def _check_sizes(c: Checker, trial: Trial) -> None:
    """Arm sizes against the trial's randomized N, and analysed against randomized."""
    total = trial.randomized.value
    sizes = [
        a.randomized.value for a in trial.arms if a.randomized and a.randomized.value is not None
    ]
    if total is not None and sizes and sum(sizes) > total:
        c.inconsistent(
            ("randomized",),
            trial.randomized,
            f"the arms' randomized numbers add up to {sum(sizes)}, more than the trial's {total}",
        )
    for i, arm in enumerate(trial.arms):
        for name in ("analysed", "safety", "randomized"):
            size: Value | None = getattr(arm, name)
            if size is None or size.value is None:
                continue
            if total is not None and size.value > total:
                c.inconsistent(
                    ("arms", i, name),
                    size,
                    f"{size.value} is more than the trial's {total} randomized",
                )
        randomized = arm.randomized.value if arm.randomized else None
        analysed = arm.analysed.value if arm.analysed else None
        if (
            arm.analysed
            and randomized is not None
            and analysed is not None
            and analysed > randomized
        ):
            c.inconsistent(
                ("arms", i, "analysed"),
                arm.analysed,
                f"{analysed} analysed, more than the {randomized} randomized",
            )


def check_sources(
    sources: dict[str, Source], smap: SourceMap, paths: dict[str, FieldPath]
) -> list[Diagnostic]:
    """Miscitations name existing sources."""
    c = Checker(smap)
    for key, source in sources.items():
        for i, mis in enumerate(source.miscitations):
            if mis.cites not in sources:
                c.error(
                    (*paths[key], "miscitations", i, "cites"),
                    _unknown("source", mis.cites, sources),
                    Code.REFERENCE,
                )
    return c.diagnostics


def check_provenance(
    record: Any,
    smap: SourceMap,
    sources: dict[str, Source] | None,
    prefix: FieldPath = (),
    *,
    nodes: Nodes | None = None,
) -> tuple[list[Diagnostic], set[str]]:
    """Every value names an existing source; returns the diagnostics and the ids cited.

    With ``sources`` None (the source list itself failed to load) only missing
    sources are reported, not unknown ones.
    """
    c = Checker(smap)
    cited: set[str] = set()
    for path, source, required in iter_sourced(record, prefix, nodes=nodes):
        if source is None and not required:
            continue
        if source is None:
            c.error(
                path,
                "no source: give 'source' here or on an enclosing record",
                Code.PROVENANCE,
            )
        elif sources is None:
            continue
        elif source not in sources:
            c.error((*path, "source"), _unknown("source", source, sources), Code.PROVENANCE)
        else:
            cited.add(source)
    return c.diagnostics, cited


def check_milestone(
    m: Milestone, path: FieldPath, smap: SourceMap, trials: Iterable[str]
) -> list[Diagnostic]:
    """A milestone's trials exist."""
    c = Checker(smap)
    known = set(trials)
    for i, trial_id in enumerate(m.trials):
        if trial_id not in known:
            c.error((*path, "trials", i), _unknown("trial", trial_id, known), Code.REFERENCE)
    return c.diagnostics
