"""data-reference: the field reference of the data files, generated from the model."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from docutils import nodes
from sphinx.testing.util import SphinxTestApp

from conftest import stored
from trialbook.model.records import Trial
from trialbook.sphinxext.data_reference import RECORDS

ROOT = Path(__file__).resolve().parent.parent / "roots" / "test-basic"


def test_every_record_kind_and_field_is_listed(
    build: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    src = tmp_path / "src"
    shutil.copytree(ROOT, src)
    (src / "reference.md").write_text(
        "# Reference\n\n```{data-reference}\n```\n", encoding="utf-8"
    )
    index = src / "index.md"
    index.write_text(index.read_text(encoding="utf-8") + "\n```{toctree}\n\nreference\n```\n")
    app = build("html", src)
    assert "WARNING" not in app.warning.getvalue(), app.warning.getvalue()
    tables = list(stored(app, "reference").findall(nodes.table))
    assert len(tables) == len(RECORDS)
    trial = tables[0]
    assert trial.next_node(nodes.title).astext() == "Fields of Trial"  # type: ignore[union-attr]
    rows = {
        row[0].astext(): [cell.astext() for cell in row]
        for row in trial.findall(nodes.row)
        if row.parent.tagname == "tbody"
    }
    assert set(rows) == set(Trial.model_fields)
    assert rows["randomized"][1:3] == ["Size", "required"]
    assert rows["phase"][1].startswith("one of I, II")
    assert rows["randomized"][3] == Trial.model_fields["randomized"].description
    # An example from the project's own data, and what the checker verifies.
    assert rows["randomized"][4].startswith('{"value": "300", "sou')
    assert rows["outcomes"][4].startswith("[{")
    text = stored(app, "reference").astext()
    assert "Checked: the id is the file name" in text
