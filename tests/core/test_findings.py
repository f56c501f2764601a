"""Absolute effects, NNT and certainty: the derivations behind findings-table."""

from __future__ import annotations

import shutil
from decimal import Decimal as D
from pathlib import Path

import pytest

from trialbook.diagnostics import Severity
from trialbook.load.dataset import load_dataset
from trialbook.model.records import Dataset, Outcome, Trial
from trialbook.report import derive, findings

REPO = Path(__file__).resolve().parent.parent.parent
MINIMAL = (REPO / "tests" / "bad" / "minimal.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def real() -> Dataset:
    return load_dataset(REPO / "data").dataset


def _outcome(dataset: Dataset, trial_id: str, outcome_id: str) -> tuple[Trial, Outcome]:
    trial = dataset.trial(trial_id)
    return trial, next(o for o in trial.outcomes if o.id == outcome_id)


# --------------------------------------------------------------------------- derivations


def test_cochrane_worked_figure_survival_to_the_power_of_the_hazard_ratio() -> None:
    """CD011203, relapse-free survival: 10 per 100, HR 0.31 (0.18 to 0.53) →
    49 per 100 (30 to 66). S_i = S_c^HR, applied to the bound and to the CI."""
    per_100 = [
        derive.per(derive.survival_with_hazard_ratio(D("0.10"), D(hr)).exact, 100, "").value
        for hr in ("0.31", "0.53", "0.18")
    ]
    assert per_100 == [49, 30, 66]


def test_risk_with_a_hazard_ratio() -> None:
    result = derive.risk_with_hazard_ratio(D("0.211"), D("0.58"))
    assert derive.round_to(result.exact, 4) == D("0.1284")
    assert result.formula == "1 − (1 − 0.211)^0.58"


def test_risk_and_rate_ratios_multiply() -> None:
    assert derive.risk_with_risk_ratio(D("0.2"), D("1.5")).exact == D("0.30")
    rate = derive.rate_with_rate_ratio(D("0.39"), D("0.45"))
    assert rate.exact == D("0.1755") and rate.formula == "0.39 × 0.45"
    assert derive.per(rate.exact, 1000, rate.formula).value == 176  # 175.5 rounds up


@pytest.mark.parametrize(
    ("difference", "low", "high", "kind", "value", "interval", "reason"),
    [
        ("0.0826", "0.0254", "0.1249", "NNT", 13, (9, 40), ""),  # 12.1 rounds up to 13
        ("0.25", None, None, "NNT", 4, None, ""),  # exact: no rounding
        ("-0.05", "-0.08", "-0.02", "NNH", 20, (13, 50), ""),  # harm
        ("0.0319", "-0.0238", "0.0651", "", None, None, "not significant"),  # CI crosses 0
        ("0", None, None, "", None, None, "no difference"),
        ("0.05", "0", "0.1", "", None, None, "not significant"),  # touches 0
    ],
)
def test_number_needed(
    difference: str,
    low: str | None,
    high: str | None,
    kind: str,
    value: int | None,
    interval: tuple[int, int] | None,
    reason: str,
) -> None:
    n = derive.number_needed(D(difference), D(low) if low else None, D(high) if high else None)
    assert (n.kind, n.value, n.reason) == (kind, None if value is None else D(value), reason)
    assert n.interval == (None if interval is None else (D(interval[0]), D(interval[1])))


# --------------------------------------------------------------------------- rows from data


def test_care_ms_ii_disability(real: Dataset) -> None:
    row = findings.finding(*_outcome(real, "care-ms-ii", "disability"))
    assert row.kind == "HR" and row.unit == "per 1000"
    assert row.baseline is not None and not row.baseline.assumed
    assert row.baseline.value.source == "fernandez-2014"  # the control arm's result, cited
    assert row.comparator is not None and row.comparator.value == 211
    assert row.intervention is not None
    assert (row.intervention.value.value, row.intervention.low, row.intervention.high) == (
        D(128),
        row.intervention.low,
        row.intervention.high,
    )
    assert row.intervention.low is not None and row.intervention.low.value == 86
    assert row.intervention.high is not None and row.intervention.high.value == 186
    assert findings.change_text(row) == "83 fewer per 1000 (125 fewer to 25 fewer)"
    assert findings.needed_text(row) == "NNT 13 (9 to 41)"
    assert row.certainty is None  # no source rated it: "not rated", never our own rating


def test_care_ms_i_disability_is_not_significant(real: Dataset) -> None:
    row = findings.finding(*_outcome(real, "care-ms-i", "disability"))
    assert findings.change_text(row) == "32 fewer per 1000 (65 fewer to 24 more)"
    assert findings.needed_text(row) == "no NNT: the difference is not significant"


def test_rates_per_1000_patient_years_and_no_nnt(real: Dataset) -> None:
    row = findings.finding(*_outcome(real, "care-ms-i", "relapse-rate"))
    assert row.kind == "Rate ratio" and row.unit == "per 1000 patient-years"
    assert row.comparator is not None and row.comparator.value == 390
    assert findings.change_text(row) == "215 fewer per 1000 patient-years (265 fewer to 144 fewer)"
    assert row.needed is None


def test_assumed_baseline_and_rating_from_the_review(real: Dataset) -> None:
    row = findings.finding(*_outcome(real, "camms223", "relapse-free-survival"))
    assert row.baseline is not None and row.baseline.assumed
    assert row.comparator is not None and row.comparator.value == 100
    assert row.intervention is not None and row.intervention.value.value == 490
    assert findings.change_text(row) == "390 more per 1000 (195 more to 561 more)"
    assert row.certainty is not None and row.certainty.rating == "low"
    assert row.certainty.source == "cochrane-cd011203-2023"
    assert row.participants is not None and not isinstance(row.participants, derive.Derived)


@pytest.mark.parametrize(
    ("outcome", "note"),
    [
        ("edss-change-36", "a mean difference has no risk to apply"),
        ("any-adverse-event", "no comparator risk is reported"),
    ],
)
def test_no_absolute_effect_says_why(real: Dataset, outcome: str, note: str) -> None:
    row = findings.finding(*_outcome(real, "camms223", outcome))
    assert row.note == note and row.intervention is None and row.needed is None


# --------------------------------------------------------------------------- checks


CERTAIN = """outcomes:
  - id: disability
    name: Disability
    role: primary
    measure: proportion-of-patients
    results: {alemtuzumab-12: "8.0%", ifn: "11.1%"}
    comparison: {treatment: alemtuzumab-12, control: ifn, kind: hazard-ratio,
                 estimate: {value: 0.70, ci: [0.40, 1.23]}}
    certainty: CERTAINTY
"""


@pytest.mark.parametrize(
    ("certainty", "line", "field", "words"),
    [
        ("{rating: low}", 25, "outcomes[0].certainty.source", "missing required field 'source'"),
        (
            "{rating: medium, source: lancet-2012-care-ms-i}",
            25,
            "outcomes[0].certainty.rating",
            "expected one of 'high', 'moderate', 'low' or 'very low'",
        ),
        (
            "{rating: low, source: cochrane-2099}",
            25,
            "outcomes[0].certainty.source",
            "unknown source 'cochrane-2099'",
        ),
    ],
)
def test_certainty_blocks_are_checked(
    tmp_path: Path, certainty: str, line: int, field: str, words: str
) -> None:
    root = tmp_path / "data"
    (root / "trials").mkdir(parents=True)
    for name in ("sources.yaml", "interventions.yaml"):
        shutil.copy(REPO / "data" / name, root / name)
    text = MINIMAL + CERTAIN.replace("CERTAINTY", certainty)
    (root / "trials" / "bad.yaml").write_text(text, encoding="utf-8")
    result = load_dataset(root)
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert len(errors) == 1, "\n".join(map(str, errors))
    d = errors[0]
    assert (d.line, d.field) == (line, field), str(d)
    assert words in d.message, d.message
