"""Summary of findings: each relative effect applied to a baseline, as GRADE tables do.

For each outcome: the comparator's risk (the control arm's reported result, or an
assumed risk the data gives with its own source), the risk with the intervention
that the relative effect implies with its interval, the absolute difference, and
the number needed to treat (or harm) where the difference is significant. Every
figure computed here is a :class:`~trialbook.report.derive.Derived` with its
formula; the handbook never rates certainty itself, it shows the source's rating.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal

from ..model.records import Certainty, Outcome, Trial
from ..model.values import Value
from . import derive
from .derive import Derived, NumberNeeded

#: The figures a row computes, by the names value paths give them.
NAMES = ("comparator", "intervention", "difference", "nnt")
#: How the relative effect column names each kind of comparison.
KIND_NAMES = {
    "hazard-ratio": "HR",
    "risk-ratio": "RR",
    "rate-ratio": "Rate ratio",
    "mean-difference": "MD",
}
HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class Baseline:
    """The comparator's risk (a fraction) or rate, and the value it comes from."""

    fraction: Decimal
    value: Value
    assumed: bool  # an assumed risk given by the data, not the control arm's result


@dataclass(frozen=True, slots=True)
class Absolute:
    """An absolute figure per ``scale`` people (or patient-years), with its interval."""

    value: Derived
    low: Derived | None
    high: Derived | None


@dataclass(frozen=True, slots=True)
class Finding:
    """One row of a summary-of-findings table."""

    trial: Trial
    outcome: Outcome
    title: str
    kind: str  # "HR", "RR", "Rate ratio", "MD", or "" without a relative effect
    relative: Value | None
    baseline: Baseline | None
    comparator: Derived | None  # the baseline per scale
    intervention: Absolute | None
    difference: Absolute | None  # fewer (positive) or more (negative) events per scale
    needed: NumberNeeded | None
    participants: Value | Derived | None
    certainty: Certainty | None
    unit: str  # "per 1000", "per 1000 patient-years"
    note: str = ""  # why no absolute effect could be computed


def title(outcome: Outcome) -> str:
    """``Sustained accumulation of disability, 36 months``: name and time point."""
    parts = [outcome.name]
    if outcome.definition:
        parts.append(outcome.definition)
    if outcome.timepoint:
        parts.append(outcome.timepoint)
    return ", ".join(parts)


def _fraction(value: Value) -> Decimal | None:
    """A reported proportion as a fraction: ``11.1%`` → 0.111, ``82/376`` → 82/376."""
    if not value.reported:
        return None
    if value.value is not None and value.unit == "%":
        return value.value / HUNDRED
    if value.n is not None and value.N:
        return Decimal(value.n) / Decimal(value.N)
    return None


def baseline(outcome: Outcome) -> Baseline | None:
    """The comparator risk or rate: the assumed one if the data gives it, else the
    control arm's reported result."""
    rate = outcome.measure == "annualized-relapse-rate"
    if outcome.baseline is not None and outcome.baseline.reported:
        given = outcome.baseline
        fraction = given.value if rate else _fraction(given)
        return Baseline(fraction, given, True) if fraction is not None else None
    comp = outcome.comparison
    if comp is None or comp.control not in outcome.results:
        return None
    control = outcome.results[comp.control]
    fraction = control.value if rate and control.reported else _fraction(control)
    return Baseline(fraction, control, False) if fraction is not None else None


def _apply(kind: str, counts: str) -> Callable[[Decimal, Decimal], Derived] | None:
    if kind == "hazard-ratio":
        return (
            derive.survival_with_hazard_ratio
            if counts == "event-free"
            else derive.risk_with_hazard_ratio
        )
    if kind == "risk-ratio":
        return derive.risk_with_risk_ratio
    if kind == "rate-ratio":
        return derive.rate_with_rate_ratio
    return None


def _participants(trial: Trial, outcome: Outcome) -> Value | Derived | None:
    if outcome.participants is not None:
        return outcome.participants
    comp = outcome.comparison
    if comp is None:
        return None
    found = [trial.size(key, ("analysed", "randomized")) for key in (comp.treatment, comp.control)]
    sizes = [s for s in found if s is not None]
    if len(sizes) < len(found):
        return None
    total = sum(sizes, Decimal(0))
    return Derived(total, 0, " + ".join(str(s) for s in sizes) + " analysed")


def finding(trial: Trial, outcome: Outcome, scale: int = 1000) -> Finding:
    """The summary-of-findings row of one outcome of one trial."""
    comp = outcome.comparison
    kind = comp.kind if comp is not None and comp.kind else ""
    estimate = comp.estimate if comp is not None else None
    rate = outcome.measure == "annualized-relapse-rate"
    base = baseline(outcome)
    apply = _apply(kind, outcome.counts)
    row = Finding(
        trial=trial,
        outcome=outcome,
        title=title(outcome),
        kind=KIND_NAMES.get(kind, ""),
        relative=estimate,
        baseline=base,
        comparator=derive.per(base.fraction, scale, _text(base)) if base else None,
        intervention=None,
        difference=None,
        needed=None,
        participants=_participants(trial, outcome),
        certainty=outcome.certainty,
        unit=f"per {scale} patient-years" if rate else f"per {scale}",
    )
    if estimate is None or not estimate.reported or estimate.value is None:
        return replace(row, note="no relative effect is reported")
    if apply is None:
        return replace(row, note=f"a {kind.replace('-', ' ')} has no risk to apply")
    if base is None:
        return replace(row, note="no comparator risk is reported")
    ratios = [estimate.value, *(estimate.ci or ())]
    risks = [apply(base.fraction, r) for r in ratios]
    event_free = outcome.counts == "event-free"  # there, more is better
    differences = [
        Derived(
            (r.exact - base.fraction if event_free else base.fraction - r.exact) * scale,
            0,
            (
                f"({r.formula} − {_text(base)}) × {scale}"
                if event_free
                else f"({_text(base)} − ({r.formula})) × {scale}"
            ),
        )
        for r in risks
    ]
    needed = None
    if not rate:
        fractions = [d.exact / scale for d in differences]
        ends = sorted(fractions[1:])
        needed = derive.number_needed(fractions[0], *(ends or (None, None)))
    return replace(
        row,
        intervention=_absolute([derive.per(r.exact, scale, r.formula) for r in risks]),
        difference=_absolute(differences),
        needed=needed,
    )


def _absolute(values: list[Derived]) -> Absolute:
    """The point value and, if there are interval ends, the lower and the upper one."""
    if len(values) < 3:
        return Absolute(values[0], None, None)
    low, high = sorted(values[1:], key=lambda d: d.exact)
    return Absolute(values[0], low, high)


def _text(base: Baseline) -> str:
    """The baseline as the formulas use it: a fraction (``0.111``), or a rate."""
    v = base.value
    if v.n is not None and v.N:
        return f"{v.n} / {v.N}"
    return derive.fraction_text(base.fraction)


def change(finding: Finding, amount: Decimal) -> str:
    """``32 fewer`` or ``390 more``: an absolute difference as the intervention changes it.

    ``amount`` is a difference as :func:`finding` signs it (positive: fewer events,
    or more patients free of them); the words say what happens to the count shown.
    """
    raw = amount if finding.outcome.counts == "event-free" else -amount
    number = derive.round_to(abs(raw), 0)
    if number == 0:
        return "0 fewer"
    return f"{number} {'more' if raw > 0 else 'fewer'}"


def change_text(finding: Finding) -> str:
    """``32 fewer per 1000 (65 fewer to 24 more)``, or "" without a difference."""
    d = finding.difference
    if d is None:
        return ""
    text = f"{change(finding, d.value.exact)} {finding.unit}"
    if d.low is not None and d.high is not None:
        ends = sorted(
            (d.low.exact, d.high.exact),
            key=lambda e: e if finding.outcome.counts == "event-free" else -e,
        )
        text += f" ({change(finding, ends[0])} to {change(finding, ends[1])})"
    return text


def needed_text(finding: Finding) -> str:
    """``NNT 13 (9 to 41)``, ``no NNT: the difference is not significant``, or ""."""
    n = finding.needed
    if n is None:
        return ""
    if n.value is None:
        return f"no NNT: {'the difference is ' if n.reason == 'not significant' else ''}{n.reason}"
    text = f"{n.kind} {n.value}"
    if n.interval is not None:
        text += f" ({n.interval[0]} to {n.interval[1]})"
    return text


def derived_at(finding: Finding, name: str) -> Derived | None:
    """A computed figure of the row by name (``comparator``, ``intervention``,
    ``difference``, ``nnt``): what the ``val`` role shows for ``<trial>/<outcome>.<name>``."""
    if name == "comparator":
        return finding.comparator
    if name == "intervention" and finding.intervention is not None:
        return finding.intervention.value
    if name == "difference" and finding.difference is not None:
        return finding.difference.value
    if name == "nnt" and finding.needed is not None and finding.needed.value is not None:
        return Derived(finding.needed.value, 0, finding.needed.formula)
    return None
