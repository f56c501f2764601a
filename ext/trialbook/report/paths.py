"""Value paths: how prose names one number in the data (the ``val`` role).

Grammar (ids as in ``data/``)::

    <trial>.<field>                     care-ms-ii.randomized   (randomized, centres, countries;
                                        design, population, duration, allocation: words)
    <trial>/<arm>.<size>                care-ms-i/ifn.analysed  (randomized, analysed, safety)
    <trial>/<outcome>.<arm>             care-ms-i/relapse-rate.ifn      (a per-arm result)
    <trial>/<outcome>.<part>            care-ms-ii/relapse-rate.reduction
                                        (estimate, p, reduction, met)
    <trial>/<outcome>.<computed>        care-ms-ii/disability.nnt
                                        (comparator, intervention, difference, nnt:
                                        the summary of findings' derived figures)
    <trial>/<event>.<group>             care-ms-ii/thyroid.alemtuzumab  (an adverse event)
    <trial>/<measure>.<arm>             care-ms-i/age.ifn   (a baseline characteristic or an
                                        eligibility limit; ``.all`` for all patients)
    <trial>/<extension>/<measure>.all   care-ms-ii/topaz/free-of-cdw-8y.all
                                        (``.when``: a measurement's time point, in words)
    <treatment>.<field>                 alemtuzumab.schedule  (route, dose, schedule: words)
    <treatment>/<measure>.<treatment>   alemtuzumab/itp.alemtuzumab  (a programme figure in
                                        interventions.yaml; ``.all`` where it has one)
    <any of the above>@<source>         care-ms-ii/thyroid.alemtuzumab@nmss-2011
                                        (the same quantity as another source reports it)

Outcomes, adverse events, arms, measurements and extensions may not share an id
within a trial, so the middle part is never ambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from ..model.records import Dataset, Measurement, Trial
from ..model.values import Fact, Flag, OtherReport, Value
from .derive import Derived
from .findings import NAMES, derived_at, finding

COMPARISON_PARTS = ("estimate", "p", "reduction")
COMPUTED = NAMES
TRIAL_FIELDS = ("randomized", "centres", "countries")
TRIAL_FACTS = ("design", "population", "duration", "allocation")
ARM_FIELDS = ("randomized", "analysed", "safety")
INTERVENTION_FIELDS = ("route", "dose", "schedule")


class PathError(ValueError):
    """A value path that names nothing; the message says what was expected."""

    def __init__(self, message: str, known: list[str]) -> None:
        super().__init__(message)
        self.known = known


@dataclass(frozen=True, slots=True)
class Resolved:
    """What a value path names."""

    trial: Trial | None  # None for a programme figure of a treatment
    value: Value | Flag | OtherReport | Fact | None
    #: how the value is printed: with a sign (mean changes), or as a p-value
    signed: bool = False
    is_p: bool = False
    #: a figure the handbook computes (an absolute effect, an NNT), with its formula
    derived: Derived | None = None


def _pick(options: list[str], key: str, what: str) -> None:
    if key not in options:
        raise PathError(f"no {what} {key!r}", options)


def resolve(dataset: Dataset, path: str) -> Resolved:
    """The value at ``path``, or :class:`PathError`."""
    path, _, source = path.partition("@")
    found = _resolve(dataset, path)
    if not source:
        return found
    value = found.value
    if value is None:
        raise PathError(f"{path} is computed by the handbook; no source reports it", [])
    if isinstance(value, Fact):
        raise PathError(f"{path} is a statement in words; it has no other reports", [])
    others = value.other_reports if isinstance(value, Value) else ()
    for other in others:
        if other.source == source:
            return Resolved(found.trial, other, signed=found.signed, is_p=found.is_p)
    raise PathError(f"no other report from {source!r} for {path}", [str(o.source) for o in others])


def _measured(m: Measurement, field: str, where: str) -> Value | Fact:
    """A measurement's figure (``all`` or a key), or ``when``: its time point in words,
    cited to the source of its figures."""
    options = (["all"] if m.all is not None else []) + list(m.results)
    _pick([*options, *(["when"] if m.timepoint else [])], field, f"figure of {where}")
    if field == "when":
        assert m.timepoint is not None
        return Fact(text=m.timepoint)  # a label of the figure, not a figure: no citation
    value = m.all if field == "all" else m.results[field]
    assert value is not None
    return value


def _resolve(dataset: Dataset, path: str) -> Resolved:
    head, _, field = path.partition(".")
    trial_id, _, record_id = head.partition("/")
    if trial_id in dataset.interventions and trial_id not in dataset.trials and not record_id:
        iv = dataset.interventions[trial_id]
        present = [f for f in INTERVENTION_FIELDS if getattr(iv, f) is not None]
        _pick(present, field, f"field of intervention {trial_id}")
        return Resolved(None, getattr(iv, field))
    if trial_id in dataset.interventions and trial_id not in dataset.trials:
        programme = {m.id: m for m in dataset.interventions[trial_id].programme}
        _pick(sorted(programme), record_id, f"programme figure of {trial_id}")
        return Resolved(None, _measured(programme[record_id], field, head))
    _pick(sorted(dataset.trials), trial_id, "trial")
    trial = dataset.trial(trial_id)
    if not field:
        raise PathError("a value path needs a field after '.'", [])
    if not record_id:
        _pick([*TRIAL_FIELDS, *TRIAL_FACTS], field, f"field of trial {trial_id}")
        value = getattr(trial, field)
        if value is None:
            raise PathError(f"{trial_id} reports no {field}", [])
        return Resolved(trial, value)
    record_id, _, measure_id = record_id.partition("/")
    extensions = {e.id: e for e in trial.extensions}
    if record_id in extensions:
        results = {m.id: m for m in extensions[record_id].results}
        _pick(sorted(results), measure_id, f"result of {trial_id}/{record_id}")
        return Resolved(trial, _measured(results[measure_id], field, head))
    measures = {m.id: m for m in (*trial.baseline, *trial.eligibility)}
    if record_id in measures:
        return Resolved(trial, _measured(measures[record_id], field, head))
    records = {
        **{a.id: "arm" for a in trial.arms},
        **{e.id: "event" for e in trial.adverse_events},
        **{o.id: "outcome" for o in trial.outcomes},
    }
    names = sorted([*records, *extensions, *measures])
    _pick(names, record_id, f"outcome, adverse event, arm or measurement of {trial_id}")
    kind = records[record_id]
    if kind == "arm":
        arm = next(a for a in trial.arms if a.id == record_id)
        _pick(list(ARM_FIELDS), field, "arm size")
        size = getattr(arm, field)
        if size is None:
            raise PathError(f"{trial_id}/{record_id} reports no {field}", [])
        return Resolved(trial, size)
    if kind == "event":
        event = next(e for e in trial.adverse_events if e.id == record_id)
        _pick(list(event.results), field, f"group of {record_id}")
        return Resolved(trial, event.results[field])
    outcome = next(o for o in trial.outcomes if o.id == record_id)
    if field in COMPUTED and field not in outcome.results:
        row = finding(trial, outcome)
        derived = derived_at(row, field)
        if derived is None:
            why = row.note or (row.needed.reason if row.needed is not None else "")
            raise PathError(
                f"{trial_id}/{record_id} has no {field}" + (f" ({why})" if why else ""), []
            )
        return Resolved(trial, None, derived=derived)
    if field in outcome.results:
        return Resolved(trial, outcome.results[field], signed=outcome.measure == "mean-change")
    comp = outcome.comparison
    options = [*outcome.results, *(["met"] if outcome.met is not None else [])]
    if comp is not None:
        options += [p for p in COMPARISON_PARTS if getattr(comp, p) is not None]
    _pick(options, field, f"result of {trial_id}/{record_id}")
    if field == "met":
        assert outcome.met is not None
        return Resolved(trial, outcome.met)
    assert comp is not None
    value = getattr(comp, field)
    return Resolved(trial, value, is_p=field == "p")


def display_name(dataset: Dataset, kind: str, target: str) -> str | None:
    """What a reference to a trial or an outcome shows: ``CARE-MS II``,
    ``CARE-MS II: Relapse rate``; None if there is no such trial or outcome."""
    trial_id, _, outcome_id = target.partition("/")
    if kind not in ("trial", "outcome") or trial_id not in dataset.trials:
        return None
    trial = dataset.trial(trial_id)
    if kind == "trial":
        return trial.name
    for outcome in trial.outcomes:
        if outcome.id == outcome_id:
            return f"{trial.name}: {outcome.name}"
    return None


def shown(dataset: Dataset, key: str) -> str:
    """What prose shows for ``key``, as text to compare between builds: the value at a
    path (``val:care-ms-ii.centres``), or a reference's name
    (``name:trial:care-ms-ii``). A page is read again only when this changes, not
    whenever anything in the trial's file does."""
    kind, _, rest = key.partition(":")
    if kind == "name":
        what, _, target = rest.partition(":")
        return repr(display_name(dataset, what, target))
    try:
        found = resolve(dataset, rest)
    except PathError as exc:
        return f"no value: {exc}"
    value = found.value
    text = value.model_dump_json() if isinstance(value, BaseModel) else repr(value)
    return f"{text} signed={found.signed} p={found.is_p} derived={found.derived!r}"


def all_paths(dataset: Dataset) -> list[str]:
    """Every valid value path (for suggestions and documentation)."""
    out: list[str] = []

    def figures(prefix: str, m: Measurement) -> list[str]:
        out = [f"{prefix}.all"] * (m.all is not None) + [f"{prefix}.{k}" for k in m.results]
        return out + [f"{prefix}.when"] * bool(m.timepoint)

    for iv in dataset.interventions.values():
        out += [f"{iv.id}.{f}" for f in INTERVENTION_FIELDS if getattr(iv, f) is not None]
        for m in iv.programme:
            out += figures(f"{iv.id}/{m.id}", m)
    for trial_id, record in dataset.trials.items():
        trial = record.trial
        for m in (*trial.baseline, *trial.eligibility):
            out += figures(f"{trial_id}/{m.id}", m)
        for ext in trial.extensions:
            for m in ext.results:
                out += figures(f"{trial_id}/{ext.id}/{m.id}", m)
        out += [
            f"{trial_id}.{f}"
            for f in (*TRIAL_FIELDS, *TRIAL_FACTS)
            if getattr(trial, f) is not None
        ]
        for arm in trial.arms:
            out += [f"{trial_id}/{arm.id}.{f}" for f in ARM_FIELDS if getattr(arm, f)]
        for event in trial.adverse_events:
            out += [f"{trial_id}/{event.id}.{g}" for g in event.results]
        for outcome in trial.outcomes:
            out += [f"{trial_id}/{outcome.id}.{g}" for g in outcome.results]
            if outcome.met is not None:
                out.append(f"{trial_id}/{outcome.id}.met")
            if outcome.comparison is not None:
                out += [
                    f"{trial_id}/{outcome.id}.{p}"
                    for p in COMPARISON_PARTS
                    if getattr(outcome.comparison, p) is not None
                ]
                row = finding(trial, outcome)
                out += [
                    f"{trial_id}/{outcome.id}.{name}"
                    for name in COMPUTED
                    if derived_at(row, name) is not None
                ]
    return out
