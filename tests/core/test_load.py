"""The real data in ``data/`` loads cleanly and says what the fact sheet says."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from trialbook.diagnostics import Code, Severity
from trialbook.load.dataset import LoadResult, load_dataset
from trialbook.model.records import Dataset, Outcome, Trial

REPO = Path(__file__).resolve().parent.parent.parent
DATA = REPO / "data"


@pytest.fixture(scope="module")
def result() -> LoadResult:
    return load_dataset(DATA)


@pytest.fixture(scope="module")
def ds(result: LoadResult) -> Dataset:
    return result.dataset


def outcome(trial: Trial, outcome_id: str) -> Outcome:
    (found,) = [o for o in trial.outcomes if o.id == outcome_id]
    return found


# --------------------------------------------------------------------------- clean


def test_no_errors_or_warnings(result: LoadResult) -> None:
    assert result.ok
    bad = [d for d in result.diagnostics if d.severity is not Severity.NOTE]
    assert bad == [], "\n".join(map(str, bad))
    assert result.dataset.failed == {}


def test_one_note_for_acknowledged_percentage(result: LoadResult) -> None:
    notes = [d for d in result.diagnostics if d.severity is Severity.NOTE]
    assert len(notes) == 2, "\n".join(map(str, notes))
    note = notes[0]
    path = DATA.resolve() / "trials" / "care-ms-ii.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert note.file == path
    # Located at the printed percentage, the figure that disagrees with n/N.
    assert note.line == lines.index("        value: 53") + 1
    assert note.column == 16
    assert note.code is Code.CONSISTENCY
    assert note.field == "outcomes[1].results.ifn.value"
    assert "53% does not agree with 104/202" in note.message
    assert "acknowledged:" in note.message


# --------------------------------------------------------------------------- counts


def test_trials(ds: Dataset) -> None:
    assert sorted(ds.trials) == ["camms223", "care-ms-i", "care-ms-ii"]


@pytest.mark.parametrize(
    ("trial_id", "arms", "outcomes", "adverse_events"),
    [
        ("camms223", 3, 8, 6),
        ("care-ms-i", 2, 10, 9),
        ("care-ms-ii", 3, 13, 9),
    ],
)
def test_counts_per_trial(
    ds: Dataset, trial_id: str, arms: int, outcomes: int, adverse_events: int
) -> None:
    trial = ds.trial(trial_id)
    assert len(trial.arms) == arms
    assert len(trial.outcomes) == outcomes
    assert len(trial.adverse_events) == adverse_events


def test_sources_and_milestones(ds: Dataset) -> None:
    assert len(ds.sources) == 59
    assert len(ds.milestones) == 12
    assert len(ds.interventions) == 2
    assert [p.name for p in ds.shared_files] == [
        "sources.yaml",
        "interventions.yaml",
        "milestones.yaml",
    ]


def test_trial_files(ds: Dataset) -> None:
    trials = DATA.resolve() / "trials"
    assert ds.trials["camms223"].files == (
        trials / "camms223.yaml",
        trials / "camms223.adverse-events.csv",
    )
    assert ds.trials["care-ms-ii"].files == (trials / "care-ms-ii.yaml",)


# --------------------------------------------------------------------------- values


def test_comparison_keeps_printed_precision(ds: Dataset) -> None:
    comparison = outcome(ds.trial("care-ms-i"), "relapse-rate").comparison
    assert comparison is not None
    assert comparison.kind == "rate-ratio"
    estimate = comparison.estimate
    assert estimate is not None
    assert estimate.value == Decimal("0.45")
    assert str(estimate.value) == "0.45"
    assert estimate.ci == (Decimal("0.32"), Decimal("0.63"))
    assert comparison.p is not None
    assert comparison.p.relation == "<"
    assert str(comparison.p.value) == "0.0001"
    assert comparison.reduction is not None
    assert str(comparison.reduction.value) == "54.9"
    assert comparison.reduction.unit == "%"


@pytest.mark.parametrize(
    ("trial_id", "outcome_id", "arm", "printed", "unit"),
    [
        ("care-ms-i", "disability", None, "0.70", None),  # comparison estimate
        ("camms223", "relapse-rate", "alemtuzumab", "0.10", None),
        ("care-ms-i", "relapse-free", "alemtuzumab-12", "77.6", "%"),
        ("care-ms-i", "disability", "alemtuzumab-12", "8.0", "%"),
        ("care-ms-ii", "edss-change", "alemtuzumab-12", "-0.17", None),
    ],
)
def test_values_keep_printed_text(
    ds: Dataset, trial_id: str, outcome_id: str, arm: str | None, printed: str, unit: str | None
) -> None:
    found = outcome(ds.trial(trial_id), outcome_id)
    if arm is None:
        assert found.comparison is not None
        value = found.comparison.estimate
    else:
        value = found.results[arm]
    assert value is not None
    assert str(value.value) == printed
    assert value.unit == unit


def test_counts_with_percent(ds: Dataset) -> None:
    value = outcome(ds.trial("care-ms-i"), "relapsing-patients").results["alemtuzumab-12"]
    assert (value.n, value.N, value.value, value.unit) == (82, 376, Decimal(22), "%")


def test_not_reported(ds: Dataset) -> None:
    arm = ds.trial("care-ms-ii").arms[0]
    assert arm.randomized is not None
    assert not arm.randomized.reported
    assert arm.randomized.value is None


def test_other_report_with_relation(ds: Dataset) -> None:
    (thyroid,) = [e for e in ds.trial("care-ms-ii").adverse_events if e.id == "thyroid"]
    value = thyroid.results["alemtuzumab"]
    assert (value.n, value.N, value.value) == (100, 596, Decimal(17))
    assert value.source == "fernandez-2014"
    (other,) = value.other_reports
    assert other.value == Decimal(16)
    assert other.relation == "≈"
    assert other.unit == "%"
    assert other.source == "nmss-2011"


def test_tally_with_serious_and_fatal(ds: Dataset) -> None:
    (itp,) = [e for e in ds.trial("care-ms-ii").adverse_events if e.id == "itp"]
    alemtuzumab = itp.results["alemtuzumab"]
    assert (alemtuzumab.serious, alemtuzumab.N, alemtuzumab.relation) == (5, 596, "≈")
    (itp,) = [e for e in ds.trial("camms223").adverse_events if e.id == "itp"]
    assert itp.results["alemtuzumab"].fatal == 1


def test_dates_kept_as_printed(ds: Dataset) -> None:
    dates = {m.id: m.date for m in ds.milestones}
    assert dates["fda-approval"] == "2014-11-14"
    assert dates["eu-authorisation"] == "2013-09"
    assert dates["fda-boxed-warning"] == "2014"  # a bare year reads as an int in YAML
    assert ds.sources["nmss-2011"].date == "2011-11-15"


def test_miscitation(ds: Dataset) -> None:
    (mis,) = ds.sources["nmss-2011"].miscitations
    assert mis.cites == "nejm-2008-camms223"


# --------------------------------------------------------------------------- sources


def test_value_inherits_enclosing_outcome_source(ds: Dataset) -> None:
    found = outcome(ds.trial("care-ms-i"), "relapse-rate")
    assert found.source == "fernandez-2014"
    assert found.results["alemtuzumab-12"].source == "fernandez-2014"


def test_comparison_source_overrides_outcome_source(ds: Dataset) -> None:
    comparison = outcome(ds.trial("care-ms-i"), "relapse-rate").comparison
    assert comparison is not None
    assert comparison.source == "lancet-2012-care-ms-i"
    assert comparison.estimate is not None
    assert comparison.estimate.source == "lancet-2012-care-ms-i"
    assert comparison.reduction is not None
    assert comparison.reduction.source == "lancet-2012-care-ms-i"
    # Other reports name their own source and do not inherit.
    assert [o.source for o in comparison.reduction.other_reports] == [
        "nmss-2011",
        "ectrims-2011-151",
    ]


def test_value_inherits_trial_source_through_arm(ds: Dataset) -> None:
    trial = ds.trial("care-ms-i")
    assert trial.source == "lancet-2012-care-ms-i"
    arm = trial.arms[0]
    assert arm.randomized is not None
    assert arm.randomized.source == "lancet-2012-care-ms-i"
    # An outcome without a source of its own takes the trial's.
    assert outcome(trial, "relapsing-patients").results["ifn"].source == "lancet-2012-care-ms-i"


def test_arm_source_and_own_source(ds: Dataset) -> None:
    arm = ds.trial("camms223").arms[2]
    assert arm.id == "ifn"
    assert arm.randomized is not None
    assert arm.randomized.source == "cochrane-cd011203"  # the arm's
    assert arm.safety is not None
    assert arm.safety.source == "fernandez-2014"  # its own


def test_fact_inherits_source(ds: Dataset) -> None:
    trial = ds.trial("camms223")
    assert trial.design.source == "nejm-2008-camms223"
    assert trial.design.text.startswith("Rater-masked")
    assert [n.source for n in trial.notes] == ["nejm-2008-camms223"] * 2


# --------------------------------------------------------------------------- CSV


def test_csv_adverse_events_are_loaded(ds: Dataset) -> None:
    trial = ds.trial("camms223")
    ids = [e.id for e in trial.adverse_events]
    # YAML, then CSV
    assert ids == [
        "discontinued",
        "thyroid",
        "anti-gbm",
        "itp",
        "infusion-reactions",
        "infections",
    ]
    (infusion,) = [e for e in trial.adverse_events if e.id == "infusion-reactions"]
    assert infusion.term == "Infusion-associated reactions"
    value = infusion.results["alemtuzumab"]
    assert (value.n, value.N) == (213, 216)
    assert value.value == Decimal(99)
    assert value.unit == "%"
    assert value.source == "fernandez-2014"
    assert value.locator == "Table 4"


def test_csv_empty_cells(ds: Dataset) -> None:
    (event,) = [e for e in ds.trial("care-ms-i").adverse_events if e.id == "any-adverse-event"]
    alem = event.results["alemtuzumab-12"]
    assert alem.serious is None  # an empty cell is absent
    assert (alem.n, alem.N, alem.value) == (361, 376, Decimal(96))


def test_load_is_repeatable(result: LoadResult) -> None:
    again = load_dataset(DATA)
    assert again.diagnostics == result.diagnostics
    assert again.dataset.trials.keys() == result.dataset.trials.keys()
    assert again.dataset.trial("care-ms-ii") == result.dataset.trial("care-ms-ii")
