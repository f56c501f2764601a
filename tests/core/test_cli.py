"""``python -m trialbook``: ``check`` and ``schema``, and the committed schemas."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

from trialbook.model.schema import SCHEMAS, render, write_all

TESTS = Path(__file__).resolve().parent.parent
REPO = TESTS.parent
DATA = REPO / "data"
BAD = TESTS / "bad"

#: ``path:line:col: error: field: message``
ERROR_LINE = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): error: (?P<field>[^:\s]+): (?P<message>.+)$"
)


def python(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


def trialbook(*args: str) -> subprocess.CompletedProcess[str]:
    return python("-m", "trialbook", *args)


def test_schema_kinds_are_the_schemas() -> None:
    from trialbook.cli import SCHEMA_KINDS

    assert [f"{kind}.schema.json" for kind in SCHEMA_KINDS] == list(SCHEMAS)


@pytest.fixture
def bad_dir(tmp_path: Path) -> Path:
    """A data directory with one trial that has three schema errors."""
    root = (tmp_path / "data").resolve()
    (root / "trials").mkdir(parents=True)
    for name in ("sources.yaml", "interventions.yaml"):
        shutil.copy(DATA / name, root / name)
    shutil.copy(BAD / "three-errors.yaml", root / "trials" / "bad.yaml")
    return root


def test_check_clean_data() -> None:
    run = trialbook("check", "data")
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout == ""  # the one note is shown only with --notes
    assert "Traceback" not in run.stderr
    assert "3 trials" in run.stderr
    assert "camms223: 3 arms, 8 outcomes, 6 adverse events" in run.stderr
    assert "59 sources; 12 milestones; 0 error(s)" in run.stderr


def test_check_summary_of_many_trials_gives_totals(tmp_path: Path) -> None:
    """Past ten trials the summary line gives totals: it stays one readable line."""
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    template = (DATA / "trials" / "care-ms-ii.yaml").read_text(encoding="utf-8")
    for i in range(8):  # 11 trials: 3 + 8 copies of CARE-MS II (3 arms, 13 outcomes, 9 AEs)
        text = template.replace("id: care-ms-ii", f"id: copy-{i}", 1)
        text = text.replace("name: CARE-MS II", f"name: COPY {i}", 1)
        (root / "trials" / f"copy-{i}.yaml").write_text(text, encoding="utf-8")
    run = trialbook("check", str(root))
    assert run.returncode == 0, run.stdout + run.stderr
    arms, outcomes, events = 3 + 2 + 3 + 8 * 3, 8 + 10 + 13 + 8 * 13, 6 + 9 + 9 + 8 * 9
    assert (
        f"11 trials (in all {arms} arms, {outcomes} outcomes, {events} adverse events); "
        in run.stderr
    )
    assert "camms223:" not in run.stderr


def test_check_with_cache_reports_the_same(bad_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    runs = [trialbook("check", str(bad_dir), "--cache", str(cache)) for _ in range(2)]
    assert [r.returncode for r in runs] == [1, 1]
    cold = trialbook("check", str(bad_dir))
    assert runs[0].stdout == runs[1].stdout == cold.stdout
    assert runs[0].stderr == runs[1].stderr == cold.stderr
    assert len(list(cache.glob("*.trial.pickle"))) == 1


def test_a_warm_check_does_not_import_the_models(tmp_path: Path) -> None:
    """With the data unchanged, ``check --cache`` reports what it stored (0.15 s at 100
    trials, against 0.53 s reading every trial's stored model)."""
    cache = str(tmp_path / "cache")
    probe = (
        "import sys; from trialbook.cli import main; code = main(['check', 'data', "
        f"'--cache', {cache!r}]); print(sorted(m for m in sys.modules if 'model' in m "
        "and m.startswith('trialbook')), file=sys.stderr); sys.exit(code)"
    )
    cold, warm = (python("-c", probe) for _ in range(2))
    assert cold.returncode == warm.returncode == 0, cold.stderr + warm.stderr
    assert "trialbook.model.records" in cold.stderr
    assert warm.stderr.endswith("[]\n"), warm.stderr
    assert cold.stdout == warm.stdout
    assert cold.stderr.splitlines()[0] == warm.stderr.splitlines()[0]  # the summary line


def test_check_defaults_to_data() -> None:
    run = trialbook("check")
    assert run.returncode == 0, run.stdout + run.stderr


def test_check_notes() -> None:
    run = trialbook("check", "data", "--notes")
    assert run.returncode == 0
    line, second = run.stdout.splitlines()
    assert "adverse_events[0].results.alemtuzumab.value" in second
    field = r"outcomes\[1\]\.results\.ifn\.value"
    assert re.match(rf"^.+care-ms-ii\.yaml:\d+:\d+: note: {field}: ", line)


def test_check_bad_data(bad_dir: Path) -> None:
    run = trialbook("check", str(bad_dir))
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    errors = [m for line in run.stdout.splitlines() if (m := ERROR_LINE.match(line))]
    assert len(errors) == 3, run.stdout
    trial = bad_dir / "trials" / "bad.yaml"
    assert [(Path(m["path"]), int(m["line"]), int(m["col"]), m["field"]) for m in errors] == [
        (trial, 3, 7, "name"),
        (trial, 4, 8, "phase"),
        (trial, 16, 5, "arms[1].randomised"),
    ]
    assert errors[2]["message"] == "unknown field 'randomised' (did you mean 'randomized'?)"
    assert "0 trials (none)" in run.stderr
    assert "3 error(s)" in run.stderr


def test_check_missing_directory(tmp_path: Path) -> None:
    run = trialbook("check", str(tmp_path / "nowhere"))
    assert run.returncode == 1
    assert "data directory not found" in run.stdout
    assert "Traceback" not in run.stderr


def test_check_json(bad_dir: Path) -> None:
    run = trialbook("check", str(bad_dir), "--format", "json")
    assert run.returncode == 1
    report = json.loads(run.stdout)
    assert report["ok"] is False
    errors = [d for d in report["diagnostics"] if d["severity"] == "error"]
    assert len(errors) == 3
    for d in report["diagnostics"]:
        assert {"file", "line", "column", "field", "message", "severity", "code"} <= d.keys()
        assert isinstance(d["line"], int)
        assert isinstance(d["column"], int)
    first = errors[0]
    assert Path(first["file"]) == bad_dir / "trials" / "bad.yaml"
    assert (first["line"], first["column"], first["field"]) == (3, 7, "name")
    assert first["code"] == "schema"
    assert first["message"].startswith("expected text")


def test_check_json_clean() -> None:
    run = trialbook("check", "data", "--format", "json")
    assert run.returncode == 0
    assert json.loads(run.stdout) == {"ok": True, "diagnostics": []}


def test_check_usage_error() -> None:
    run = trialbook("check", "data", "--format", "xml")
    assert run.returncode == 2
    assert "invalid choice" in run.stderr


def test_schema_prints_json() -> None:
    run = trialbook("schema", "trial")
    assert run.returncode == 0, run.stderr
    schema = json.loads(run.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "Trial"
    assert {"id", "phase", "arms"} <= set(schema["required"])
    assert run.stdout == render(SCHEMAS["trial.schema.json"])


@pytest.mark.parametrize(("name", "model"), SCHEMAS.items(), ids=list(SCHEMAS))
def test_committed_schema_in_sync(name: str, model: type[BaseModel]) -> None:
    committed = (DATA / "schema" / name).read_text(encoding="utf-8")
    assert render(model) == committed, (
        f"data/schema/{name} is out of date: run python -m trialbook schema --write data/schema"
    )


def test_schema_write(tmp_path: Path) -> None:
    written = write_all(tmp_path)
    assert sorted(p.name for p in written) == sorted(SCHEMAS)
    assert write_all(tmp_path) == []  # unchanged files are not rewritten
    run = trialbook("schema", "--write", str(tmp_path / "cli"))
    assert run.returncode == 0
    assert sorted(p.name for p in (tmp_path / "cli").iterdir()) == sorted(SCHEMAS)


def data_files() -> list[Path]:
    return sorted(DATA.glob("*.yaml")) + sorted((DATA / "trials").glob("*.yaml"))


@pytest.mark.parametrize("path", data_files(), ids=lambda p: str(p.relative_to(DATA)))
def test_data_file_references_its_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    assert first.startswith(prefix), first
    target = (path.parent / first.removeprefix(prefix)).resolve()
    kind = "trial" if path.parent.name == "trials" else path.stem
    assert target == (DATA / "schema" / f"{kind}.schema.json").resolve()
    assert target.is_file()
