"""What a figure shows, before it is drawn: rows of a forest plot, points of a safety chart.

The plotting layer (:mod:`trialbook.plot`) only draws what is here; the Sphinx layer
cites what is here. Every number keeps its reported value (and so its source), and
the alternative text a reader without the picture gets is written from the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..model.records import RATIO_KINDS, AdverseEvent, Dataset, Outcome, Trial
from ..model.values import Value
from . import format as fmt
from .words import treatment_name

#: How each kind of ratio is named on a figure.
KIND_LABELS = {"hazard-ratio": "HR", "rate-ratio": "rate ratio"}


@dataclass(frozen=True, slots=True)
class ArmResult:
    """One side of a comparison: the arm or group's label and its reported result."""

    label: str
    value: Value


@dataclass(frozen=True, slots=True)
class ForestRow:
    """One trial's (or one outcome's) between-arm comparison."""

    trial: Trial
    outcome: Outcome
    label: str
    treatment: tuple[ArmResult, ...]
    control: tuple[ArmResult, ...]
    #: the ratio with its CI, or None where the source gives none
    estimate: Value | None
    kind: str | None
    #: what the source gives instead of a ratio (a relative reduction), if anything
    reduction: Value | None
    #: number of people analysed, for the marker's size (None if not reported)
    weight: Decimal | None

    @property
    def plotted(self) -> bool:
        """Has the row a ratio with a CI to draw?"""
        e = self.estimate
        return e is not None and e.value is not None and e.ci is not None

    def estimate_text(self) -> str:
        """``0.45 (0.32–0.63)``, or why there is no point on the plot."""
        if self.plotted:
            assert self.estimate is not None
            return fmt.value(self.estimate)
        if self.reduction is not None and self.reduction.reported:
            return f"ratio not reported ({fmt.value(self.reduction)} reduction)"
        return "ratio not reported"

    def sources(self) -> list[str]:
        """The sources of the figures this row shows, in the order they appear."""
        values: list[Value | None] = [r.value for r in (*self.treatment, *self.control)]
        values.append(self.estimate if self.plotted else self.reduction)
        return list(dict.fromkeys(v.source for v in values if v is not None and v.source))


@dataclass(frozen=True, slots=True)
class Forest:
    """A forest plot: rows, and what the sides of the line of no effect mean."""

    rows: tuple[ForestRow, ...]
    favours_treatment: str
    favours_control: str

    def kinds(self) -> list[str]:
        """The kinds of ratio plotted (``HR``, ``rate ratio``), once each."""
        kinds = [KIND_LABELS.get(r.kind or "", "ratio") for r in self.rows if r.plotted]
        return list(dict.fromkeys(kinds))

    def sources(self) -> list[str]:
        """Every source behind the plotted figures, once each."""
        return list(dict.fromkeys(s for row in self.rows for s in row.sources()))

    def fingerprint(self) -> str:
        """Everything the drawing shows, as text: the figure's name is a digest of it."""
        lines = [self.favours_treatment, self.favours_control]
        for row in self.rows:
            arms = [f"{r.label}={fmt.value(r.value)}" for r in (*row.treatment, *row.control)]
            lines.append(
                f"{row.label}|{row.kind}|{row.estimate_text()}|{row.weight}|{'|'.join(arms)}"
            )
        return "\n".join(lines)

    def alt(self) -> str:
        """The figure in words: each row's estimate and CI, and where it comes from."""
        kinds = " or ".join(self.kinds()) or "ratio"
        parts = [
            f"Forest plot of the {kinds} with 95% confidence interval, "
            f"below 1 favouring {self.favours_treatment}."
        ]
        for row in self.rows:
            sources = ", ".join(row.sources())
            parts.append(f"{row.label}: {row.estimate_text()} (source: {sources}).")
        return " ".join(parts)


def _side(trial: Trial, outcome: Outcome, keys: list[str]) -> tuple[ArmResult, ...]:
    out = []
    for key in keys:
        item = trial.arm_or_group(key)
        out.append(ArmResult(item.label if item is not None else key, outcome.results[key]))
    return tuple(out)


def _weight(trial: Trial, keys: list[str]) -> Decimal | None:
    sizes = [trial.size(key) for key in keys]
    return None if None in sizes else sum((s for s in sizes if s is not None), Decimal(0))


def forest(dataset: Dataset, pairs: list[tuple[Trial, Outcome]]) -> Forest:
    """A forest plot of ``pairs``; rows are labelled by trial, or by outcome when all
    rows are one trial's; with the time point when the rows' time points differ (a
    3-year result beside 2-year ones says so)."""
    one_trial = len({t.id for t, _ in pairs}) == 1 and len(pairs) > 1
    mixed_times = len({o.timepoint for _, o in pairs}) > 1
    rows = []
    treated: list[str] = []
    controls: list[str] = []
    for trial, outcome in pairs:
        comp = outcome.comparison
        assert comp is not None
        control = [comp.control] if comp.control in outcome.results else []
        treatment = [comp.treatment] if comp.treatment in outcome.results else []
        treated.append(treatment_name(dataset, trial, comp.treatment))
        controls.append(treatment_name(dataset, trial, comp.control))
        estimate = comp.estimate if comp.kind in RATIO_KINDS else None
        rows.append(
            ForestRow(
                trial=trial,
                outcome=outcome,
                label=(outcome.name if one_trial else trial.name)
                + (f", {outcome.timepoint}" if mixed_times and outcome.timepoint else ""),
                treatment=_side(trial, outcome, treatment),
                control=_side(trial, outcome, control),
                estimate=estimate,
                kind=comp.kind,
                reduction=comp.reduction,
                weight=_weight(trial, [comp.treatment, comp.control]),
            )
        )
    return Forest(
        tuple(rows),
        " / ".join(dict.fromkeys(treated)),
        " / ".join(dict.fromkeys(controls)),
    )


@dataclass(frozen=True, slots=True)
class SafetyPoint:
    """One arm's proportion with an adverse event in one trial."""

    trial: Trial
    event: AdverseEvent
    arm: str
    control: bool
    value: Value

    @property
    def percent(self) -> Decimal | None:
        """The proportion in percent: as printed, else n/N."""
        v = self.value
        if v.value is not None and v.unit == "%":
            return v.value
        if v.n is not None and v.N:
            return Decimal(v.n) * 100 / Decimal(v.N)
        return None


@dataclass(frozen=True, slots=True)
class SafetyChart:
    """Proportions of patients with each adverse event, by trial and arm."""

    events: tuple[str, ...]  # event ids, in the order asked for
    terms: dict[str, str]  # event id → how the chart names it
    points: tuple[SafetyPoint, ...]
    treatment: str  # what the treated arms received, and the comparator
    control: str

    def sources(self) -> list[str]:
        """Every source behind the plotted figures, once each."""
        return list(dict.fromkeys(p.value.source for p in self.points if p.value.source))

    def fingerprint(self) -> str:
        """Everything the drawing shows, as text: the figure's name is a digest of it."""
        lines = [self.treatment, self.control, *(f"{k}={v}" for k, v in self.terms.items())]
        lines += [
            f"{p.event.id}|{p.trial.name}|{p.arm}|{p.control}|{fmt.value(p.value)}|{p.percent}"
            for p in self.points
        ]
        return "\n".join(lines)

    def alt(self) -> str:
        """The chart in words: each event's proportion per trial and arm, with n/N."""
        parts = ["Chart of the proportion of patients with each adverse event, by trial and arm."]
        for event_id in self.events:
            points = [p for p in self.points if p.event.id == event_id]
            listed = "; ".join(
                f"{p.trial.name}, {p.arm}: {fmt.value(p.value)} (source: {p.value.source})"
                for p in points
            )
            parts.append(f"{self.terms[event_id]}: {listed}.")
        return " ".join(parts)


def safety_chart(dataset: Dataset, trials: list[Trial], event_ids: list[str]) -> SafetyChart:
    """Every reported proportion of the events (all of the trials' events by default)."""
    if not event_ids:
        event_ids = list(dict.fromkeys(e.id for t in trials for e in t.adverse_events))
    points = []
    terms: dict[str, str] = {}
    treated: list[str] = []
    controls: list[str] = []
    for event_id in event_ids:
        for trial in trials:
            control = trial.control_key()
            for event in trial.adverse_events:
                if event.id != event_id:
                    continue
                terms.setdefault(event_id, event.term)
                for key, value in event.results.items():
                    if not value.reported:
                        continue
                    item = trial.arm_or_group(key)
                    label = item.label if item is not None else key
                    points.append(SafetyPoint(trial, event, label, key == control, value))
                    names = controls if key == control else treated
                    names.append(treatment_name(dataset, trial, key))
    return SafetyChart(
        tuple(event_ids),
        terms,
        tuple(points),
        " / ".join(dict.fromkeys(treated)),
        " / ".join(dict.fromkeys(controls)),
    )
