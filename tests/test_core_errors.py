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
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml

from trialbook.diagnostics import Code, Severity
from trialbook.load.dataset import load_dataset

if TYPE_CHECKING:
    from trialbook.diagnostics import Diagnostic
    from trialbook.load.dataset import LoadResult

TESTS = Path(__file__).resolve().parent
BAD = TESTS / "bad"
DATA = TESTS.parent / "data"

#: bad files that are not trials (they are copied in as shared files)
NOT_TRIALS = ("sources-duplicate-id.yaml", "milestones-bad-date.yaml")


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A data directory with the real sources and interventions and no trials yet."""
    root = (tmp_path / "data").resolve()
    (root / "trials").mkdir(parents=True)
    for name in ("sources.yaml", "interventions.yaml"):
        shutil.copy(DATA / name, root / name)
    return root


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


def test_duplicate_key(root: Path) -> None:
    path = add_trial(root, "duplicate-key.yaml")
    result = load_dataset(root)
    d = only_error(result, path)
    assert (d.line, d.column) == (5, 1)
    assert d.field == "phase"
    assert "duplicate key 'phase'" in d.message
    assert "first given on line 4" in d.message
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


def test_alias_is_refused(root: Path) -> None:
    path = add_trial(root, "alias.yaml")
    result = load_dataset(root)
    d = only_error(result, path)
    assert d.field == "arms[1].randomized"
    assert "anchors and aliases are not supported" in d.message
    assert_failed(result, path)


def test_alias_is_located_at_the_alias(root: Path) -> None:
    path = add_trial(root, "alias.yaml")
    d = only_error(load_dataset(root), path)
    assert (d.line, d.column) == (16, 17)


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


def test_unknown_field_suggests_spelling(root: Path) -> None:
    path = add_trial(root, "unknown-field.yaml")
    result = load_dataset(root)
    d = only_error(result, path)
    assert (d.line, d.column) == (16, 5)  # the key, not its value
    assert d.code is Code.SCHEMA
    assert d.field == "arms[1].randomised"
    assert "unknown field 'randomised'" in d.message
    assert "did you mean 'randomized'?" in d.message
    assert_failed(result, path)


def test_wrong_type(root: Path) -> None:
    path = add_trial(root, "wrong-type.yaml")
    result = load_dataset(root)
    d = only_error(result, path)
    assert (d.line, d.column) == (16, 25)
    assert d.field == "arms[1].randomized.value"
    assert "expected a number" in d.message
    assert "'abc'" in d.message
    assert_failed(result, path)


def test_missing_required_field(root: Path) -> None:
    path = add_trial(root, "missing-field.yaml")
    result = load_dataset(root)
    d = only_error(result, path)
    assert (d.line, d.column) == (2, 1)  # the mapping that lacks it
    assert d.field == "phase"
    assert "missing required field 'phase'" in d.message
    assert_failed(result, path)


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


def test_leading_zero_is_not_read_as_octal(root: Path) -> None:
    path = add_trial(root, "leading-zero.yaml")
    result = load_dataset(root)
    d = only_error(result, path)
    assert d.field == "centres"
    assert "expected a number" in d.message and "'010'" in d.message
    assert "bad" not in result.dataset.trials


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


def test_trial_id_must_match_file_name(root: Path) -> None:
    path = add_trial(root, "id-mismatch.yaml")
    result = load_dataset(root)
    d = only_error(result, path)
    assert (d.line, d.column) == (2, 5)
    assert d.field == "id"
    assert "'care-ms-iii'" in d.message
    assert "must match the file name 'bad'" in d.message
    assert_failed(result, path)


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


def test_unknown_source(root: Path) -> None:
    path = add_trial(root, "unknown-source.yaml")
    result = load_dataset(root)
    d = only_error(result, path)
    assert (d.line, d.column) == (16, 38)
    assert d.code is Code.PROVENANCE
    assert d.field == "arms[1].randomized.source"
    assert "unknown source 'lancet-2021-care-ms-i'" in d.message
    assert "did you mean 'lancet-2012-care-ms-i'?" in d.message
    assert_failed(result, path)


def test_unknown_intervention(root: Path) -> None:
    path = add_trial(root, "unknown-intervention.yaml")
    result = load_dataset(root)
    d = only_error(result, path)
    assert (d.line, d.column) == (15, 19)
    assert d.code is Code.REFERENCE
    assert d.field == "arms[1].intervention"
    assert "unknown intervention 'interferon'" in d.message
    assert_failed(result, path)


def test_unknown_arm_in_results(root: Path) -> None:
    path = add_trial(root, "unknown-arm.yaml")
    result = load_dataset(root)
    d = only_error(result, path)
    assert (d.line, d.column) == (24, 7)  # the key naming the arm
    assert d.code is Code.REFERENCE
    assert d.field == "outcomes[0].results.placebo"
    assert "unknown arm or group 'placebo'" in d.message
    assert "alemtuzumab-12, ifn" in d.message
    assert_failed(result, path)


def test_duplicate_arm_id(root: Path) -> None:
    path = add_trial(root, "duplicate-arm.yaml")
    result = load_dataset(root)
    d = only_error(result, path)
    assert (d.line, d.column) == (13, 9)
    assert d.code is Code.DUPLICATE
    assert d.field == "arms[1].id"
    assert "duplicate arm or group id 'ifn'" in d.message
    assert "first at line 9" in d.message
    assert_failed(result, path)


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


def test_n_larger_than_n_total(root: Path) -> None:
    path = add_trial(root, "n-greater-than-n.yaml")
    result = load_dataset(root)
    d = only_error(result, path)
    assert (d.line, d.column) == (21, 23)
    assert d.code is Code.CONSISTENCY
    assert d.field == "adverse_events[0].results.alemtuzumab-12"
    assert "n (400) is larger than N (376)" in d.message
    assert "acknowledged" in d.message
    assert_failed(result, path)


def test_percent_disagrees_with_counts(root: Path) -> None:
    path = add_trial(root, "percent-mismatch.yaml")
    result = load_dataset(root)
    d = only_error(result, path)
    assert (d.line, d.column) == (21, 23)
    assert d.code is Code.CONSISTENCY
    assert d.field == "adverse_events[0].results.alemtuzumab-12"
    assert "25% does not agree with 82/376 = 21.81%" in d.message
    assert_failed(result, path)


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
    assert (d.line, d.column) == (22, 9)
    assert d.field == "adverse_events[0].results.alemtuzumab-12"
    assert "25% does not agree with 82/376" in d.message
    assert "(acknowledged: The source prints 25%" in d.message
    assert str(d).startswith(f"{path}:22:9: note: ")
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


def test_ci_does_not_contain_estimate(root: Path) -> None:
    path = add_trial(root, "ci-excludes-estimate.yaml")
    result = load_dataset(root)
    d = only_error(result, path)
    assert (d.line, d.column) == (23, 41)
    assert d.field == "outcomes[0].results.alemtuzumab-12.ci"
    assert "CI 0.32–0.63 does not contain the estimate 0.70" in d.message
    assert_failed(result, path)


def test_ci_low_not_below_high(root: Path) -> None:
    path = add_trial(root, "ci-reversed.yaml")
    result = load_dataset(root)
    d = only_error(result, path)
    assert (d.line, d.column) == (23, 41)
    assert d.field == "outcomes[0].results.alemtuzumab-12.ci"
    assert "lower bound 0.63 is not below upper bound 0.32" in d.message
    assert_failed(result, path)


def test_reduction_disagrees_with_ratio(root: Path) -> None:
    path = add_trial(root, "reduction-mismatch.yaml")
    result = load_dataset(root)
    d = only_error(result, path)
    assert (d.line, d.column) == (30, 18)
    assert d.field == "outcomes[0].comparison.reduction"
    assert "relative reduction 40% does not agree with rate-ratio 0.45" in d.message
    assert "54.5–55.5%" in d.message
    assert_failed(result, path)


def test_arm_sizes_exceed_trial(root: Path) -> None:
    path = add_trial(root, "arms-exceed-randomized.yaml")
    result = load_dataset(root)
    d = only_error(result, path)
    assert (d.line, d.column) == (7, 13)
    assert d.field == "randomized"
    assert "add up to 581, more than the trial's 500" in d.message
    assert_failed(result, path)


def test_p_outside_unit_interval(root: Path) -> None:
    path = add_trial(root, "p-out-of-range.yaml")
    result = load_dataset(root)
    d = only_error(result, path)
    assert (d.line, d.column) == (28, 10)
    assert d.field == "outcomes[0].comparison.p"
    assert "p = 1.5 is outside [0, 1]" in d.message
    assert_failed(result, path)
