"""``python -m trialbook new``: scaffolds that pass ``check`` once filled, and never
overwrite what an author wrote."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from trialbook.cli import main
from trialbook.diagnostics import Severity
from trialbook.load.dataset import load_dataset

REPO = Path(__file__).resolve().parent.parent.parent

FILLED = {
    "display name": "DEMO-1",
    "phase": "III",
    "source id": "demo-2026",
    "design in words": "Randomized, open label, 2 years",
    "number randomized": "300",
    "treatment arm id": "drug",
    "treatment arm label": "Alemtuzumab 12 mg",
    "intervention id": "alemtuzumab",
    "number in the arm": "200",
    "control arm id": "control",
    "control arm label": "Interferon beta-1a",
    "control intervention id": "ifn-beta-1a",
    "number in the control arm": "100",
    "outcome id": "relapse-rate",
    "outcome name": "Annualized relapse rate",
    "role": "primary",
    "measure": "annualized-relapse-rate",
    "time point": "2 years",
    "treatment result": "0.18",
    "control result": "0.39",
    "kind": "journal-article",
    "citation": "Author A. A demonstration trial. J Test 2026;1:1–9.",
    "date": "2026-01",
    "placeholder": "placeholder",  # the template's own comment
}


def _fill(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"<([^<>\n]+)>", lambda m: FILLED[m.group(1)], text), encoding="utf-8")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    (root / "trials").mkdir(parents=True)
    for name in ("sources.yaml", "interventions.yaml"):
        shutil.copy(REPO / "data" / name, root / name)
    return root


def test_a_filled_trial_and_source_pass_check(data: Path) -> None:
    assert main(["new", "trial", "demo-1", "--data", str(data)]) == 0
    assert main(["new", "source", "demo-2026", "--data", str(data)]) == 0
    # Unfilled, every placeholder is a located error, none a traceback.
    result = load_dataset(data)
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert errors and all(d.line > 1 for d in errors)
    assert any("still a placeholder" in d.message and d.field == "name" for d in errors)
    _fill(data / "trials" / "demo-1.yaml")
    _fill(data / "sources.yaml")
    result = load_dataset(data)
    assert result.ok, "\n".join(map(str, result.diagnostics))
    assert "demo-1" in result.dataset.trials
    # The sources already there are kept as they were.
    original = (REPO / "data" / "sources.yaml").read_text(encoding="utf-8")
    assert (data / "sources.yaml").read_text(encoding="utf-8").startswith(original)


def test_nothing_is_overwritten(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trial = data / "trials" / "mine.yaml"
    trial.write_text("id: mine\n", encoding="utf-8")
    assert main(["new", "trial", "mine", "--data", str(data)]) == 2
    assert trial.read_text(encoding="utf-8") == "id: mine\n"
    assert main(["new", "source", "nmss-2011", "--data", str(data)]) == 2
    docs = tmp_path / "docs"
    assert main(["new", "page", "overview", "--docs", str(docs)]) == 0
    assert main(["new", "page", "overview", "--docs", str(docs)]) == 2
    assert main(["new", "trial", "Not An Id", "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert "exists already" in err and "has a source 'nmss-2011' already" in err
    assert "is not an id" in err
