"""Hostile and careless input, by class: never a traceback, never silently different
data, never an impossible number published. Each case is one small change to a
valid trial and must give exactly one located error at the value it is about."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from trialbook.cli import main
from trialbook.diagnostics import Severity
from trialbook.load.dataset import load_dataset

TESTS = Path(__file__).resolve().parent.parent
DATA = TESTS.parent / "data"
MINIMAL = (TESTS / "bad" / "minimal.yaml").read_text(encoding="utf-8")
EVENTS = """adverse_events:
  - id: thyroid
    term: Thyroid disorders
    results:
      alemtuzumab-12: {n: 82, N: 376, value: 21.8}
      ifn: {n: 7, N: 187, value: 3.7}
"""
CSV_HEADER = "event,term,group,n,N,percent,source\n"
CSV_ROW = "thyroid,Thyroid disorders,{group},{n},187,{percent},lancet-2012-care-ms-i\n"
NEXT_YEAR = datetime.date.today().year + 1


def one_error(root: Path) -> tuple[str, int, str, str]:
    """(file name, line, field, message) of the run's only error; never a traceback."""
    result = load_dataset(root)
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert len(errors) == 1, "\n".join(map(str, result.diagnostics))
    d = errors[0]
    assert d.line >= 1 and d.column >= 1
    assert "bad" not in result.dataset.trials or d.file.name != "bad.yaml"
    return d.file.name, d.line, d.field, d.message


YAML_CASES = {
    # counts are whole numbers as written
    "count-as-float": (("randomized: 581", "randomized: 581.0"), 7, "randomized.value", "count"),
    "count-as-exponent": (
        ("randomized: 581", "randomized: 5.81e2"),
        7,
        "randomized.value",
        "count",
    ),
    "negative-size": (
        ("randomized: 195", "randomized: -195"),
        16,
        "arms[1].randomized.value",
        "negative",
    ),
    # only ASCII digits are numbers
    "full-width-digits": (
        ("randomized: 581", "randomized: ６８１"),
        7,
        "randomized",
        "expected a number",
    ),
    "arabic-indic-digits": (
        ("randomized: 581", "randomized: '٥٨١'"),
        7,
        "randomized",
        "expected a number",
    ),
    # ids are exact
    "spaced-arm-key": (
        ("ifn: {n: 7", "'ifn ': {n: 7"),
        22,
        "adverse_events[0].results.ifn ",
        "white space",
    ),
    "spaced-source": (
        ("source: lancet-2012-care-ms-i", "source: 'lancet-2012-care-ms-i '"),
        5,
        "source",
        "white space",
    ),
    # impossible numbers
    "proportion-over-100": (
        ("ifn: {n: 7, N: 187, value: 3.7}", "ifn: {value: 103.7}"),
        22,
        "adverse_events[0].results.ifn.value",
        "outside 0–100%",
    ),
    "denominator-over-trial": (
        ("n: 7, N: 187, value: 3.7", "n: 7, N: 700, value: 1.0"),
        22,
        "adverse_events[0].results.ifn.N",
        "more than the trial's 581",
    ),
    "denominator-over-arm": (
        ("n: 7, N: 187, value: 3.7", "n: 7, N: 300, value: 2.3"),
        22,
        "adverse_events[0].results.ifn.N",
        "more than the 195 in 'ifn'",
    ),
    "approximate-percent": (
        ("value: 3.7}", "value: 6, relation: ≈}"),
        22,
        "adverse_events[0].results.ifn.value",
        "even approximately",
    ),
}


@pytest.mark.parametrize("case", sorted(YAML_CASES))
def test_yaml_class(root: Path, case: str) -> None:
    (old, new), line, field, words = YAML_CASES[case]
    text = MINIMAL + EVENTS
    assert old in text
    (root / "trials" / "bad.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    name, found_line, found_field, message = one_error(root)
    assert (name, found_line, found_field) == ("bad.yaml", line, field), message
    assert words in message


def test_approximate_percent_within_its_precision_is_accepted(root: Path) -> None:
    text = (MINIMAL + EVENTS).replace("value: 3.7}", "value: 4, relation: ≈}")
    (root / "trials" / "bad.yaml").write_text(text, encoding="utf-8")
    assert load_dataset(root).ok


@pytest.mark.parametrize(
    ("cell", "percent"),
    [("n", "nan"), ("n", "inf"), ("n", "-Infinity"), ("n", "1e999"), ("n", "NaN")],
)
def test_csv_non_finite_number_is_a_located_error(root: Path, cell: str, percent: str) -> None:
    (root / "trials" / "bad.yaml").write_text(MINIMAL, encoding="utf-8")
    row = CSV_ROW.format(group="ifn", n=7, percent=percent)
    (root / "trials" / "bad.adverse-events.csv").write_text(CSV_HEADER + row, encoding="utf-8")
    name, line, field, message = one_error(root)
    assert (name, line, field) == (
        "bad.adverse-events.csv",
        2,
        "adverse_events[0].results.ifn.value",
    )
    assert "expected a number" in message


@pytest.mark.parametrize(
    ("group", "n", "field", "words"),
    [
        ("ifn", "７", "adverse_events[0].results.ifn.n", "expected a whole number"),
        ("ifn", "7.0", "adverse_events[0].results.ifn.n", "expected a whole number"),
        ("ifn ", "7", "", "white space"),
    ],
)
def test_csv_cells_are_exact(root: Path, group: str, n: str, field: str, words: str) -> None:
    (root / "trials" / "bad.yaml").write_text(MINIMAL, encoding="utf-8")
    row = CSV_ROW.format(group=group, n=n, percent="3.7")
    (root / "trials" / "bad.adverse-events.csv").write_text(CSV_HEADER + row, encoding="utf-8")
    name, line, found_field, message = one_error(root)
    assert (name, line, found_field) == ("bad.adverse-events.csv", 2, field), message
    assert words in message


def test_same_arm_compared_with_itself(root: Path) -> None:
    outcome = """outcomes:
  - id: relapse-rate
    name: Relapse rate
    role: primary
    measure: annualized-relapse-rate
    results: {alemtuzumab-12: 0.18, ifn: 0.39}
    comparison: {treatment: ifn, control: ifn, kind: rate-ratio, estimate: 0.45}
"""
    (root / "trials" / "bad.yaml").write_text(MINIMAL + outcome, encoding="utf-8")
    name, line, field, message = one_error(root)
    assert (name, line, field) == ("bad.yaml", 23, "outcomes[0].comparison.control")
    assert "treatment and control are the same" in message


def test_group_safety_over_trial(root: Path) -> None:
    group = """groups:
  - id: both
    label: Both
    arms: [alemtuzumab-12, ifn]
    safety: 600
"""
    (root / "trials" / "bad.yaml").write_text(MINIMAL + group, encoding="utf-8")
    name, line, field, message = one_error(root)
    assert (name, line, field) == ("bad.yaml", 21, "groups[0].safety")
    assert "more than the trial's 581" in message


def test_source_dated_in_the_future(root: Path) -> None:
    sources = root / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    sources.write_text(text.replace("date: 2012", f"date: {NEXT_YEAR}", 1), encoding="utf-8")
    name, _line, field, message = one_error(root)
    assert name == "sources.yaml" and field.endswith(".date")
    assert "in the future" in message


def test_wrong_default_source_is_reported_once(root: Path) -> None:
    text = (MINIMAL + EVENTS).replace(
        "source: lancet-2012-care-ms-i", "source: lancet-2012-care-ms-ix", 1
    )
    (root / "trials" / "bad.yaml").write_text(text, encoding="utf-8")
    name, line, field, message = one_error(root)
    assert (name, line, field) == ("bad.yaml", 5, "source")
    assert "did you mean 'lancet-2012-care-ms-i'?" in message
    assert "values inherit it" in message


def test_yml_trial_is_not_ignored(root: Path) -> None:
    (root / "trials" / "bad.yml").write_text(MINIMAL, encoding="utf-8")
    name, line, _, message = one_error(root)
    assert (name, line) == ("bad.yml", 1)
    assert "rename it bad.yaml" in message


def test_link_outside_the_data_folder_is_refused(root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(MINIMAL, encoding="utf-8")
    (root / "trials" / "bad.yaml").symlink_to(outside)
    name, _, _, message = one_error(root)
    assert name == "bad.yaml"
    assert str(outside) in message and "outside the data folder" in message
    assert "bad" not in load_dataset(root).dataset.trials


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.replace("\n", "\r\n"),  # CRLF
        lambda t: "\ufeff" + t,  # BOM
        lambda t: t.replace("label: Interferon beta-1a", "label: 'Interferon beta-1a  '"),
    ],
    ids=["crlf", "bom", "text-with-spaces"],
)
def test_valid_input_nearby_stays_accepted(root: Path, change: object) -> None:
    assert callable(change)
    text: str = change(MINIMAL + EVENTS)
    (root / "trials" / "bad.yaml").write_text(text, encoding="utf-8", newline="")
    result = load_dataset(root)
    assert result.ok, "\n".join(map(str, result.diagnostics))


def test_csv_consistency_error_points_at_the_cell(root: Path) -> None:
    (root / "trials" / "bad.yaml").write_text(MINIMAL, encoding="utf-8")
    row = CSV_ROW.format(group="ifn", n=7, percent="9.9")
    (root / "trials" / "bad.adverse-events.csv").write_text(CSV_HEADER + row, encoding="utf-8")
    result = load_dataset(root)
    (d,) = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert (d.file.name, d.line, d.column) == ("bad.adverse-events.csv", 2, row.index("9.9") + 1)
    assert d.field == "adverse_events[0].results.ifn.value"
    assert "9.9% does not agree with 7/187" in d.message


@pytest.mark.parametrize("case", sorted(YAML_CASES))
def test_cli_says_it_once_and_fails(
    root: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``python -m trialbook check``: exit 1, one located line, no traceback."""
    (old, new), line, field, _ = YAML_CASES[case]
    text = (MINIMAL + EVENTS).replace(old, new, 1)
    (root / "trials" / "bad.yaml").write_text(text, encoding="utf-8")
    assert main(["check", str(root)]) == 1
    out = capsys.readouterr()
    errors = [row for row in out.out.splitlines() if ": error: " in row]
    assert errors == [row for row in errors if row.startswith(f"{root}/trials/bad.yaml:{line}:")]
    assert len(errors) == 1 and f": error: {field}: " in errors[0], out.out
    assert "Traceback" not in out.err
