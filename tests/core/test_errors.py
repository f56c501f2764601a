"""Every kind of data error becomes one located diagnostic, never a traceback.

Each test builds a data directory in ``tmp_path`` from the real ``sources.yaml`` and
``interventions.yaml`` plus one small bad file (most live in ``tests/bad/``, each
with a comment saying what is wrong with it), loads it, and checks the file, line,
column, field path and the key words of the message.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml

from trialbook.diagnostics import Code, Severity
from trialbook.load.dataset import load_dataset

if TYPE_CHECKING:
    from trialbook.diagnostics import Diagnostic
    from trialbook.load.dataset import LoadResult

TESTS = Path(__file__).resolve().parent.parent
BAD = TESTS / "bad"
DATA = TESTS.parent / "data"

#: bad files that are not trials (they are copied in as shared files)
NOT_TRIALS = ("sources-duplicate-id.yaml", "milestones-bad-date.yaml")


# --------------------------------------------------------------------------- helpers


def add_trial(root: Path, bad_name: str, trial_id: str = "bad") -> Path:
    """Copy ``tests/bad/<bad_name>`` in as ``trials/<trial_id>.yaml``."""
    path = root / "trials" / f"{trial_id}.yaml"
    shutil.copy(BAD / bad_name, path)
    return path


def add_csv(root: Path, bad_name: str, trial_id: str = "bad") -> Path:
    """Copy ``tests/bad/<bad_name>`` in as ``trials/<trial_id>.adverse-events.csv``."""
    path = root / "trials" / f"{trial_id}.adverse-events.csv"
    shutil.copy(BAD / bad_name, path)
    return path


def write_trial(root: Path, data: bytes, trial_id: str = "bad") -> Path:
    """Write raw bytes as ``trials/<trial_id>.yaml``."""
    path = root / "trials" / f"{trial_id}.yaml"
    path.write_bytes(data)
    return path


def errors(result: LoadResult) -> list[Diagnostic]:
    return [d for d in result.diagnostics if d.severity is Severity.ERROR]


def in_file(result: LoadResult, path: Path, severity: Severity) -> list[Diagnostic]:
    return [d for d in result.diagnostics if d.file == path and d.severity is severity]


def only_error(result: LoadResult, path: Path) -> Diagnostic:
    """The one error of the whole run, which must be in ``path``."""
    found = errors(result)
    assert len(found) == 1, "\n".join(map(str, found))
    assert found[0].file == path
    assert not result.ok
    return found[0]


def assert_failed(result: LoadResult, path: Path) -> None:
    """The trial read from ``path`` is listed as failed and is not in the dataset."""
    ds = result.dataset
    assert any(path in files for files in ds.failed.values()), ds.failed
    assert not any(path in record.files for record in ds.trials.values())


def assert_loaded(result: LoadResult, path: Path, trial_id: str = "bad") -> None:
    ds = result.dataset
    assert trial_id in ds.trials
    assert path in ds.trials[trial_id].files
    assert not ds.failed


# --------------------------------------------------------------------------- baseline


def test_minimal_trial_is_clean(root: Path) -> None:
    """The file the bad trials are made from loads without errors."""
    path = add_trial(root, "minimal.yaml")
    result = load_dataset(root)
    assert result.ok
    assert in_file(result, path, Severity.ERROR) == []
    assert in_file(result, path, Severity.WARNING) == []
    assert_loaded(result, path)


@pytest.mark.parametrize(
    "bad_name", sorted(p.name for p in BAD.glob("*.yaml") if p.name not in NOT_TRIALS)
)
def test_no_traceback_for_any_bad_trial(root: Path, bad_name: str) -> None:
    """``load_dataset`` never raises; every diagnostic has a real position."""
    path = add_trial(root, bad_name)
    result = load_dataset(root)
    for d in result.diagnostics:
        assert d.file.is_file()
        assert d.line >= 1
        assert d.column >= 1
        assert d.message
    if result.ok:
        assert_loaded(result, path)
    else:
        assert_failed(result, path)


# --------------------------------------------------------------------------- one error, located


@dataclass(frozen=True)
class Case:
    """A bad trial file and the one error it must give: where, which field, what."""

    bad: str
    line: int
    column: int
    field: str
    code: Code
    says: tuple[str, ...]


CASES = [
    # reading
    Case(
        "duplicate-key.yaml",
        5,
        1,
        "phase",
        Code.SCHEMA,
        ("duplicate key 'phase'", "first given on line 4"),
    ),
    Case(
        "alias.yaml",
        16,
        17,
        "arms[1].randomized",
        Code.SCHEMA,
        ("anchors and aliases are not supported",),
    ),
    # schema
    Case(
        "unknown-field.yaml",
        16,
        5,
        "arms[1].randomised",
        Code.SCHEMA,
        ("unknown field 'randomised'", "did you mean 'randomized'?"),
    ),  # the key
    Case(
        "wrong-type.yaml",
        16,
        25,
        "arms[1].randomized.value",
        Code.SCHEMA,
        ("expected a number", "'abc'"),
    ),
    Case(
        "missing-field.yaml", 2, 1, "phase", Code.SCHEMA, ("missing required field 'phase'",)
    ),  # the mapping that lacks it
    Case("leading-zero.yaml", 8, 10, "centres", Code.SCHEMA, ("expected a number", "'010'")),
    Case(
        "id-mismatch.yaml",
        2,
        5,
        "id",
        Code.SCHEMA,
        ("'care-ms-iii'", "must match the file name 'bad'"),
    ),
    # references
    Case(
        "unknown-source.yaml",
        16,
        38,
        "arms[1].randomized.source",
        Code.PROVENANCE,
        ("unknown source 'lancet-2021-care-ms-i'", "did you mean 'lancet-2012-care-ms-i'?"),
    ),
    Case(
        "unknown-intervention.yaml",
        15,
        19,
        "arms[1].intervention",
        Code.REFERENCE,
        ("unknown intervention 'interferon'",),
    ),
    Case(
        "unknown-arm.yaml",
        24,
        7,
        "outcomes[0].results.placebo",
        Code.REFERENCE,
        ("unknown arm or group 'placebo'", "alemtuzumab-12, ifn"),
    ),  # the key naming it
    Case(
        "duplicate-arm.yaml",
        13,
        9,
        "arms[1].id",
        Code.DUPLICATE,
        ("duplicate arm or group id 'ifn'", "first at line 9"),
    ),
    # arithmetic
    Case(
        "n-greater-than-n.yaml",
        21,
        27,
        "adverse_events[0].results.alemtuzumab-12.n",  # the figure at fault
        Code.CONSISTENCY,
        ("n (400) is larger than N (376)", "acknowledged"),
    ),
    Case(
        "percent-mismatch.yaml",
        21,
        46,
        "adverse_events[0].results.alemtuzumab-12.value",
        Code.CONSISTENCY,
        ("25% does not agree with 82/376 = 21.81%",),
    ),
    Case(
        "ci-excludes-estimate.yaml",
        23,
        41,
        "outcomes[0].results.alemtuzumab-12.ci",
        Code.CONSISTENCY,
        ("CI 0.32–0.63 does not contain the estimate 0.70",),
    ),
    Case(
        "ci-reversed.yaml",
        23,
        41,
        "outcomes[0].results.alemtuzumab-12.ci",
        Code.CONSISTENCY,
        ("lower bound 0.63 is not below upper bound 0.32",),
    ),
    Case(
        "reduction-mismatch.yaml",
        30,
        18,
        "outcomes[0].comparison.reduction",
        Code.CONSISTENCY,
        ("relative reduction 40% does not agree with rate-ratio 0.45", "54.5–55.5%"),
    ),
    Case(
        "arms-exceed-randomized.yaml",
        7,
        13,
        "randomized",
        Code.CONSISTENCY,
        ("add up to 581, more than the trial's 500",),
    ),
    Case(
        "p-out-of-range.yaml",
        28,
        10,
        "outcomes[0].comparison.p",
        Code.CONSISTENCY,
        ("p = 1.5 is outside [0, 1]",),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.bad.removesuffix(".yaml") for c in CASES])
def test_one_located_error(root: Path, case: Case) -> None:
    """The bad trial gives exactly one error, at its value, and is left out."""
    path = add_trial(root, case.bad)
    result = load_dataset(root)
    d = only_error(result, path)
    assert (d.line, d.column, d.field, d.code) == (case.line, case.column, case.field, case.code)
    for words in case.says:
        assert words in d.message, d.message
    assert_failed(result, path)


# --------------------------------------------------------------------------- reading


def test_yaml_syntax_error(root: Path) -> None:
    path = add_trial(root, "syntax-error.yaml")
    result = load_dataset(root)
    d = only_error(result, path)
    assert (d.line, d.column) == (11, 17)
    assert d.code is Code.SYNTAX
    assert d.field == ""
    assert "YAML syntax error" in d.message
    assert "expected ',' or ']'" in d.message
    assert str(d) == f"{path}:11:17: error: {d.message}"
    assert_failed(result, path)


@pytest.mark.parametrize("data", [b"", b"# nothing but a comment\n"], ids=["empty", "comment"])
def test_empty_file(root: Path, data: bytes) -> None:
    path = write_trial(root, data)
    result = load_dataset(root)
    d = only_error(result, path)
    assert (d.line, d.column) == (1, 1)
    assert d.message == "file is empty"
    assert_failed(result, path)


def test_not_utf8(root: Path) -> None:
    path = write_trial(root, b"id: bad\nname: \xff\xfeBad trial\n")
    result = load_dataset(root)
    d = only_error(result, path)
    assert (d.line, d.column) == (2, 7)
    assert d.code is Code.ENCODING
    assert "not valid UTF-8" in d.message
    assert "0xff" in d.message
    assert_failed(result, path)


def test_binary_file(root: Path) -> None:
    path = write_trial(root, b"id: bad\nname: Bad\x00 trial\n")
    result = load_dataset(root)
    d = only_error(result, path)
    assert (d.line, d.column) == (2, 10)
    assert d.code is Code.ENCODING
    assert "binary" in d.message
    assert "NUL" in d.message
    assert_failed(result, path)


def test_yaml_python_tag_is_refused_and_not_run(
    root: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    calls: list[str] = []

    def system(command: str) -> int:
        calls.append(command)
        return 0

    monkeypatch.setattr(os, "system", system)
    path = add_trial(root, "yaml-tag.yaml")
    result = load_dataset(root)
    assert calls == []
    assert "hi" not in capfd.readouterr().out
    d = only_error(result, path)
    assert (d.line, d.column) == (6, 9)
    assert d.field == "design"
    assert "python/object/apply:os.system" in d.message
    assert "not allowed" in d.message
    assert_failed(result, path)


def test_billion_laughs_is_cheap(root: Path) -> None:
    """Nested aliases are refused at the first reuse, never expanded."""
    lines = ["id: bad", 'lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        ref = f"*l{i - 1}"
        lines.append(f"lol{i}: &l{i} [{', '.join([ref] * 9)}]")
    path = write_trial(root, ("\n".join(lines) + "\n").encode())
    start = time.perf_counter()
    result = load_dataset(root)
    assert time.perf_counter() - start < 2
    found = in_file(result, path, Severity.ERROR)
    assert found
    assert all("anchors and aliases" in d.message for d in found)
    assert_failed(result, path)


# --------------------------------------------------------------------------- schema


def test_all_errors_of_a_file_in_one_run(root: Path) -> None:
    path = add_trial(root, "three-errors.yaml")
    result = load_dataset(root)
    found = errors(result)
    assert all(d.file == path for d in found)
    assert [(d.line, d.column, d.field) for d in found] == [
        (3, 7, "name"),
        (4, 8, "phase"),
        (16, 5, "arms[1].randomised"),
    ]
    assert "expected text" in found[0].message
    assert "'V'" in found[1].message
    assert "did you mean 'randomized'?" in found[2].message
    assert_failed(result, path)


def test_bad_short_form_located_in_sourced_record(root: Path) -> None:
    """A short form that is no value, in a trial with a ``source``, is located at
    the value and does not hide the file's other errors."""
    path = add_trial(root, "short-form-error.yaml")
    result = load_dataset(root)
    found = errors(result)
    assert [(d.line, d.column, d.field) for d in found] == [
        (4, 8, "phase"),
        (7, 13, "randomized"),
    ]
    assert "found text 'lots'" in found[1].message
    assert_failed(result, path)


def test_no_spurious_list_length_error_when_every_arm_is_invalid(root: Path) -> None:
    path = add_trial(root, "all-arms-invalid.yaml")
    result = load_dataset(root)
    found = errors(result)
    assert [(d.line, d.field) for d in found] == [
        (10, "arms[0].label"),
        (16, "arms[1].randomised"),
    ]
    assert_failed(result, path)


def test_unquoted_ratio_is_not_read_as_base_60(root: Path) -> None:
    path = add_trial(root, "sexagesimal.yaml")
    result = load_dataset(root)
    messages = [d.message for d in in_file(result, path, Severity.ERROR)]
    assert not any("121" in m for m in messages), messages
    assert result.ok, result.diagnostics
    allocation = result.dataset.trial("bad").allocation
    assert allocation is not None
    assert allocation.text == "2:1"


def test_date_that_is_not_a_date(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    shutil.copy(DATA / "sources.yaml", root / "sources.yaml")
    path = root / "milestones.yaml"
    shutil.copy(BAD / "milestones-bad-date.yaml", path)
    result = load_dataset(root)
    d = only_error(result, path)
    assert (d.line, d.column) == (4, 11)
    assert d.field == "milestones[0].date"
    assert "not a calendar date" in d.message
    assert "'2013-02-30'" in d.message
    assert result.dataset.milestones == ()


# --------------------------------------------------------------------------- CSV


def test_csv_missing_column(root: Path) -> None:
    trial = add_trial(root, "minimal.yaml")
    path = add_csv(root, "missing-column.adverse-events.csv")
    result = load_dataset(root)
    d = only_error(result, path)
    assert (d.line, d.column) == (1, 1)
    assert "missing column(s): group" in d.message
    assert_failed(result, trial)
    assert path in result.dataset.failed["bad"]


def test_csv_row_with_extra_cell(root: Path) -> None:
    trial = add_trial(root, "minimal.yaml")
    path = add_csv(root, "extra-cell.adverse-events.csv")
    result = load_dataset(root)
    d = only_error(result, path)
    assert (d.line, d.column) == (3, 1)
    assert "row has 8 cells" in d.message
    assert "header has 7 columns" in d.message
    assert_failed(result, trial)


# --------------------------------------------------------------------------- references


def test_duplicate_source_id(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    path = root / "sources.yaml"
    shutil.copy(BAD / "sources-duplicate-id.yaml", path)
    result = load_dataset(root)
    d = only_error(result, path)
    assert (d.line, d.column) == (9, 9)
    assert d.code is Code.DUPLICATE
    assert d.field == "sources[2].id"
    assert "duplicate source id 'nmss-2011'" in d.message
    assert "first at line 3" in d.message
    # The first one is kept.
    assert list(result.dataset.sources) == ["nmss-2011", "lancet-2012-care-ms-i"]
    assert result.dataset.sources["nmss-2011"].citation.startswith("National")


def test_uncited_source_is_a_warning(tmp_path: Path) -> None:
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    path = root.resolve() / "sources.yaml"
    text = path.read_text(encoding="utf-8")
    count = len(yaml.safe_load(text)["sources"])
    path.write_text(
        text + "  - id: nobody-2020\n    kind: news\n    citation: Cited by nothing.\n",
        encoding="utf-8",
    )
    result = load_dataset(root)
    assert result.ok
    warnings = [d for d in result.diagnostics if d.severity is Severity.WARNING]
    assert len(warnings) == 1, "\n".join(map(str, warnings))
    d = warnings[0]
    assert d.file == path
    assert (d.line, d.column) == (len(text.splitlines()) + 1, 9)
    assert d.code is Code.PROVENANCE
    assert d.field == f"sources[{count}].id"
    assert "'nobody-2020' is not cited" in d.message


def test_no_uncited_warnings_when_milestones_fail(tmp_path: Path) -> None:
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    path = root / "milestones.yaml"
    text = path.read_text(encoding="utf-8")
    assert "date: 2014-11-14" in text
    path.write_text(text.replace("date: 2014-11-14", "date: 2014-11-31", 1), encoding="utf-8")
    result = load_dataset(root)
    assert any("not a calendar date" in d.message for d in errors(result))
    uncited = [d for d in result.diagnostics if "is not cited" in d.message]
    assert uncited == []


# --------------------------------------------------------------------------- arithmetic


def test_acknowledged_inconsistency_is_a_note(root: Path) -> None:
    path = add_trial(root, "acknowledged.yaml")
    result = load_dataset(root)
    assert result.ok
    assert errors(result) == []
    assert in_file(result, path, Severity.WARNING) == []
    notes = [d for d in result.diagnostics if d.severity is Severity.NOTE]
    assert len(notes) == 1
    d = notes[0]
    assert d.file == path
    assert (d.line, d.column) == (24, 16)
    assert d.field == "adverse_events[0].results.alemtuzumab-12.value"
    assert "25% does not agree with 82/376" in d.message
    assert "(acknowledged: The source prints 25%" in d.message
    assert str(d).startswith(f"{path}:24:16: note: ")
    assert_loaded(result, path)


def test_stale_acknowledgement_is_a_warning(root: Path) -> None:
    path = add_trial(root, "stale-acknowledgement.yaml")
    result = load_dataset(root)
    assert result.ok
    warnings = in_file(result, path, Severity.WARNING)
    assert len(warnings) == 1
    d = warnings[0]
    assert (d.line, d.column) == (25, 23)
    assert d.code is Code.CONSISTENCY
    assert d.field == "adverse_events[0].results.alemtuzumab-12.acknowledged"
    assert "the value is consistent; remove it" in d.message
    assert_loaded(result, path)
