"""Where sources disagree, and where a source is inconsistent with itself.

Two lists the handbook shows instead of choosing silently:

* *disagreements*: a value with other reports of the same quantity that print a
  different figure (``17%`` in a review, ``≈16%`` in a news item), each marked as
  within rounding of the main figure or not;
* *acknowledged inconsistencies*: a value kept as its source printed it although
  the arithmetic does not agree (``104/202`` printed as ``53%``), with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..diagnostics import FieldPath
from ..model.records import Dataset, Intervention, Trial
from ..model.values import OtherReport, Value
from ..model.walk import iter_reported
from . import derive
from .words import label, programme_label


@dataclass(frozen=True, slots=True)
class Disagreement:
    """A value and the other reports that print a different figure."""

    trial: Trial | Intervention  # a trial, or a treatment's programme figures
    path: FieldPath
    label: str
    value: Value
    others: tuple[tuple[OtherReport, bool], ...]  # (report, within rounding of value)


@dataclass(frozen=True, slots=True)
class Acknowledged:
    """A value kept as printed despite an inconsistency, and why."""

    trial: Trial | Intervention
    path: FieldPath
    label: str
    value: Value
    reason: str


def _within_rounding(value: Value, other: OtherReport) -> bool:
    """Could both figures be roundings of one number (rounding half up)?

    A figure printed as 16 stands for [15.5, 16.5), one printed as 17 for
    [16.5, 17.5): they do not meet. A percentage with its count and denominator is
    exact, and the other figure must round from it. An approximate report ("about 16%") is never
    taken as agreeing: the source did not say how it rounded.
    """
    if value.value is None or other.relation != "=" or value.relation != "=":
        return False
    if other.unit != value.unit:
        return False
    b_low, b_high = derive.interval(other.value)
    if value.unit == "%" and value.n is not None and value.N:
        # The count says exactly what the percentage is: 2/202 is 0.99%, which a
        # report of 1.5% cannot be a rounding of, though "1%" and "1.5%" could meet.
        exact = derive.percent(value.n, value.N).exact
        return b_low <= exact < b_high
    a_low, a_high = derive.interval(value.value)
    return a_low < b_high and b_low < a_high


def _values(dataset: Dataset) -> Iterator[tuple[Trial | Intervention, FieldPath, str, Value]]:
    """Every value of every trial and of every treatment's programme, with its label."""
    for record in dataset.trials.values():
        trial = record.trial
        for path, value in iter_reported(trial):
            if isinstance(value, Value):
                yield trial, path, label(trial, path), value
    for iv in dataset.interventions.values():
        for path, value in iter_reported(iv.programme, ("programme",)):
            if isinstance(value, Value):
                yield iv, path, programme_label(dataset, iv, path), value


def disagreements(dataset: Dataset) -> list[Disagreement]:
    """Every value with an other report that prints a different figure."""
    out = []
    for owner, path, name, value in _values(dataset):
        differing = tuple(
            (o, _within_rounding(value, o))
            for o in value.other_reports
            if o.value != value.value or o.relation != value.relation or o.unit != value.unit
        )
        if differing:
            out.append(Disagreement(owner, path, name, value, differing))
    return out


def acknowledged(dataset: Dataset) -> list[Acknowledged]:
    """Every value that acknowledges an inconsistency in its source."""
    return [
        Acknowledged(owner, path, name, value, value.acknowledged)
        for owner, path, name, value in _values(dataset)
        if value.acknowledged
    ]
