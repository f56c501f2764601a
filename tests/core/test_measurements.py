"""Baseline characteristics, eligibility, extension studies, programme figures, regimen
rules, locators and errata: read, checked, named by value paths, listed where sources
disagree. Each bad case is one small change to a valid trial (or to interventions.yaml)
and gives exactly one located error."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from trialbook.diagnostics import Severity
from trialbook.load.dataset import load_dataset
from trialbook.model.values import Value
from trialbook.report import format as fmt
from trialbook.report.citations import cited_locators
from trialbook.report.discrepancy import disagreements
from trialbook.report.paths import PathError, all_paths, resolve

TESTS = Path(__file__).resolve().parent.parent
DATA = TESTS.parent / "data"
MINIMAL = (TESTS / "bad" / "minimal.yaml").read_text(encoding="utf-8")
MORE = """baseline:
  - id: age
    name: Age
    unit: years
    statistic: mean
    source: fernandez-2014
    locator: Table 2
    results:
      ifn: {value: 33.2, sd: 8.5}
      alemtuzumab-12: {value: 33.0, sd: 8.0, source: pmc6169984}
    all: {value: 33.0, sd: 8.2}
  - id: female
    name: Women
    statistic: count
    source: fernandez-2014
    results:
      ifn: {n: 122, N: 187, value: 65, unit: "%"}
  - id: duration
    name: Disease duration
    statistic: median
    source: pmc6169984
    all: {value: 1.7, range: [0.1, 6.0]}
eligibility:
  - id: max-age
    name: Oldest age at entry
    source: trials-co-nct00548405
    all:
      value: 55
      other_reports:
        - {value: 50, source: umass-care-ms-ii, note: another protocol version}
extensions:
  - id: extension
    name: CAMMS03409 extension
    source: havrdova-2017-care-ms-i-5y
    results:
      - id: entered
        name: Entered the extension
        all: 95.1%
      - id: free-of-cdw
        name: Free of confirmed disability worsening
        timepoint: years 0–5
        definition: free of 6-month confirmed disability worsening
        all: 79.7%
"""


def write(root: Path, old: str = "", new: str = "") -> None:
    text = MINIMAL + MORE
    assert old in text
    (root / "trials" / "bad.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")


def one_error(root: Path) -> tuple[str, int, str, str]:
    """(file name, line, field, message) of the run's only error."""
    result = load_dataset(root)
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert len(errors) == 1, "\n".join(map(str, result.diagnostics))
    d = errors[0]
    assert d.line >= 1 and d.column >= 1
    return d.file.name, d.line, d.field, d.message


# --------------------------------------------------------------------------- valid data


def test_valid_measurements_load_with_their_locators(root: Path) -> None:
    write(root)
    result = load_dataset(root)
    assert [d for d in result.diagnostics if d.severity is Severity.ERROR] == []
    trial = result.dataset.trial("bad")
    age = trial.baseline[0]
    # A value that takes the record's source takes its locator too; one that names
    # its own source does not.
    assert (age.results["ifn"].source, age.results["ifn"].locator) == (
        "fernandez-2014",
        "Table 2",
    )
    mine = age.results["alemtuzumab-12"]
    assert (mine.source, mine.locator) == ("pmc6169984", None)
    assert age.all is not None
    assert (age.all.source, age.all.locator) == ("fernandez-2014", "Table 2")
    assert trial.extensions[0].results[1].all == Value(
        value=Decimal("79.7"), unit="%", source="havrdova-2017-care-ms-i-5y"
    )
    places = cited_locators(result.dataset)
    assert places["fernandez-2014"] == ["Table 2"]


def test_figures_of_measurements_are_formatted_with_their_spread(root: Path) -> None:
    write(root)
    trial = load_dataset(root).dataset.trial("bad")
    age, female, duration = trial.baseline
    assert age.results["ifn"] and fmt.value(age.results["ifn"]) == "33.2 ± 8.5"
    assert fmt.value(female.results["ifn"]) == "122/187 (65%)"
    assert duration.all and fmt.value(duration.all) == "1.7 (range 0.1–6.0)"
    assert fmt.value(Value(range=(Decimal("7.2"), Decimal("8.66")))) == "7.2–8.66"
    assert fmt.value(Value(range=(Decimal("1.0"), Decimal("1.9")), unit="%")) == "1.0–1.9%"
    assert fmt.statistic("mean") == "mean ± SD" and fmt.statistic("median") == "median (range)"


def test_value_paths_reach_measurements(root: Path) -> None:
    write(root)
    ds = load_dataset(root).dataset
    assert str(resolve(ds, "bad/age.ifn").value.value) == "33.2"  # type: ignore[union-attr]
    assert str(resolve(ds, "bad/age.all").value.value) == "33.0"  # type: ignore[union-attr]
    assert resolve(ds, "bad/max-age.all@umass-care-ms-ii").value.value == 50  # type: ignore[union-attr]
    found = resolve(ds, "bad/extension/free-of-cdw.all")
    assert found.trial is not None and found.value.value == Decimal("79.7")  # type: ignore[union-attr]
    when = resolve(ds, "bad/extension/free-of-cdw.when").value
    assert when is not None and when.text == "years 0–5" and when.source is None  # type: ignore[union-attr]
    assert resolve(ds, "bad.design").value.text == "A randomized comparison."  # type: ignore[union-attr]
    # A treatment's words and its programme figures.
    assert resolve(ds, "alemtuzumab.dose").value.text == "12 mg/day"  # type: ignore[union-attr]
    itp = resolve(ds, "alemtuzumab/itp.alemtuzumab")
    assert itp.trial is None and itp.value.value == 2  # type: ignore[union-attr]
    paths = all_paths(ds)
    for path in (
        "bad/age.ifn",
        "bad/age.all",
        "bad/extension/entered.all",
        "bad/extension/free-of-cdw.when",
        "alemtuzumab.schedule",
        "alemtuzumab/stroke-cases.all",
    ):
        assert path in paths, path
    for bad, words in (
        ("bad/age.placebo", "no figure of bad/age 'placebo'"),
        ("bad/extension/nothing.all", "no result of bad/extension 'nothing'"),
        ("bad/entered.all", "no outcome, adverse event, arm or measurement"),
        ("alemtuzumab/nothing.all", "no programme figure of alemtuzumab"),
        ("alemtuzumab.colour", "no field of intervention alemtuzumab"),
        ("bad.design@nmss-2011", "a statement in words"),
    ):
        with pytest.raises(PathError, match=words):
            resolve(ds, bad)


def test_disagreements_include_measurements_and_programme_figures(root: Path) -> None:
    write(root)
    found = {(d.trial.id, d.label): d for d in disagreements(load_dataset(root).dataset)}
    age = found["bad", "Oldest age at entry, all patients"]
    [(other, within)] = age.others
    assert (other.value, other.note, within) == (Decimal(50), "another protocol version", False)
    thyroid = found["alemtuzumab", "Thyroid disorders, Alemtuzumab"]
    assert [(o.source, w) for o, w in thyroid.others] == [("pmc6439479", False)]


# --------------------------------------------------------------------------- bad trials

#: name: ((old, new), the field at fault, words of the message). The error's line is
#: the line of the changed text.
CASES = {
    "unknown-arm-key": (
        ("      ifn: {value: 33.2", "      placebo: {value: 33.2"),
        "baseline[0].results.placebo",
        "unknown arm or group 'placebo'",
    ),
    "range-backwards": (
        ("range: [0.1, 6.0]", "range: [6.0, 0.1]"),
        "baseline[2].all.range",
        "runs backwards",
    ),
    "range-misses-figure": (
        ("range: [0.1, 6.0]", "range: [2.0, 6.0]"),
        "baseline[2].all.range",
        "does not contain the figure 1.7",
    ),
    "negative-sd": (
        ("sd: 8.5", "sd: -8.5"),
        "baseline[0].results.ifn.sd",
        "greater than or equal",
    ),
    "percent-disagrees": (
        ("value: 65, unit", "value: 75, unit"),
        "baseline[1].results.ifn.value",
        "does not agree with 122/187",
    ),
    "proportion-over-100": (
        ("all: 95.1%", "all: 105.1%"),
        "extensions[0].results[0].all",
        "outside 0–100%",
    ),
    "denominator-over-trial": (
        ("{n: 122, N: 187, value: 65,", "{n: 122, N: 900, value: 13.6,"),
        "baseline[1].results.ifn.N",
        "more than the trial's 581",
    ),
    "denominator-over-arm": (
        ("{n: 122, N: 187, value: 65,", "{n: 122, N: 300, value: 40.7,"),
        "baseline[1].results.ifn.N",
        "more than the 195 in 'ifn'",
    ),
    "id-shared-with-arm": (
        ("  - id: age\n", "  - id: ifn\n"),
        "baseline[0].id",
        "also used in arms",
    ),
    "duplicate-result": (
        ("      - id: free-of-cdw", "      - id: entered"),
        "extensions[0].results[1].id",
        "duplicate result id 'entered'",
    ),
    "unknown-source": (
        ("source: havrdova-2017-care-ms-i-5y", "source: havrdova-2017"),
        "extensions[0].source",
        "unknown source 'havrdova-2017'",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_measurement(root: Path, case: str) -> None:
    (old, new), field, words = CASES[case]
    write(root, old, new)
    text = MINIMAL + MORE
    line = text[: text.index(old)].count("\n") + 1
    name, found_line, found_field, message = one_error(root)
    assert (name, found_field) == ("bad.yaml", field), message
    assert found_line == line, message
    assert words in message


# --------------------------------------------------------------------------- interventions


def _programme(root: Path, change: dict[str, object]) -> None:
    data = yaml.safe_load((DATA / "interventions.yaml").read_text(encoding="utf-8"))
    alemtuzumab = data["interventions"][0]
    alemtuzumab["programme"] = [{**alemtuzumab["programme"][0], **change}]
    (root / "interventions.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            {"results": {"placebo": "3%"}},
            "interventions[0].programme[0].results.placebo",
            "unknown treatment 'placebo'",
        ),
        (
            {"results": {"alemtuzumab": "103%"}},
            "interventions[0].programme[0].results.alemtuzumab",  # a short form: the cell
            "outside 0–100%",
        ),
        (
            {"results": {"alemtuzumab": {"n": 45, "N": 972, "value": 6, "unit": "%"}}},
            "interventions[0].programme[0].results.alemtuzumab.value",
            "does not agree with 45/972",
        ),
    ],
)
def test_bad_programme_figure(
    root: Path, change: dict[str, object], field: str, words: str
) -> None:
    _programme(root, change)
    result = load_dataset(root)
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert len(errors) == 1, "\n".join(map(str, result.diagnostics))
    assert (errors[0].file.name, errors[0].field) == ("interventions.yaml", field)
    assert words in errors[0].message and errors[0].line > 1


def test_programme_acknowledgement_that_is_stale_warns(root: Path) -> None:
    _programme(
        root,
        {
            "results": {
                "alemtuzumab": {
                    "n": 45,
                    "N": 972,
                    "value": 4.6,
                    "unit": "%",
                    "acknowledged": "printed so",
                }
            }
        },
    )
    result = load_dataset(root)
    warnings = [
        d
        for d in result.diagnostics
        if d.severity is Severity.WARNING and d.file.name == "interventions.yaml"
    ]
    assert [w.field for w in warnings] == [
        "interventions[0].programme[0].results.alemtuzumab.acknowledged"
    ]


def test_regimen_rule_dated_in_the_future(root: Path) -> None:
    data = yaml.safe_load((DATA / "interventions.yaml").read_text(encoding="utf-8"))
    data["interventions"][0]["regimen"][0]["since"] = f"{datetime.date.today().year + 1}-01"
    (root / "interventions.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    result = load_dataset(root)
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert [e.field for e in errors] == ["interventions[0].regimen[0].since"]
    assert "in the future" in errors[0].message


def test_what_prose_shows_is_compared_by_value_and_never_fails() -> None:
    """``shown`` (what a role's page depends on): the value's data, or why there is
    none; ``.met`` of an outcome that reports none is a path error, not a crash."""
    from trialbook.report.paths import shown

    roles = Path(__file__).resolve().parent.parent / "roots" / "test-roles" / "data"
    ds = load_dataset(roles).dataset
    assert "300" in shown(ds, "val:alpha.randomized")
    assert shown(ds, "val:alpha.randomized") != shown(ds, "val:alpha/drug.randomized")
    assert shown(ds, "name:trial:alpha") == repr("ALPHA")
    assert shown(ds, "name:outcome:alpha/relapse-rate") == repr("ALPHA: Relapse rate")
    assert shown(ds, "name:trial:nope") == repr(None)
    assert shown(ds, "val:nope.randomized").startswith("no value: ")
    assert not any(o.met for o in ds.trial("alpha").outcomes if o.id == "edss")
    with pytest.raises(PathError, match="no result of alpha/edss 'met'"):
        resolve(ds, "alpha/edss.met")
    assert shown(ds, "val:alpha/edss.met").startswith("no value: ")
