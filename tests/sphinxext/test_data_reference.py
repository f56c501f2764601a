"""data-reference: the field reference of the data files, generated from the model."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from docutils import nodes
from sphinx.testing.util import SphinxTestApp

from conftest import stored
from trialbook.load.dataset import load_dataset
from trialbook.model.records import Trial
from trialbook.sphinxext.data_reference import (
    EXAMPLE_CHARS,
    RECORDS,
    WORD_CHARS,
    _example,
    examples,
)

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
    assert rows["randomized"][4] == "{value: 300, source: paper-a}"
    assert rows["outcomes"][4].startswith("[{")
    text = stored(app, "reference").astext()
    assert "Checked: the id is the file name" in text


HANDBOOK_DATA = Path(__file__).resolve().parents[2] / "data"


def test_examples_are_yaml_as_an_author_writes_it() -> None:
    """Every example of the handbook's data is YAML that reads back (quotes and brackets
    closed even when shortened), short enough for its column, its text cut after a
    whole word; numbers stay plain."""
    found = examples(load_dataset(HANDBOOK_DATA).dataset)
    assert len(found) > 100
    for key, text in found.items():
        assert len(text) <= EXAMPLE_CHARS + 10, (key, text)
        assert max(len(word) for word in text.split()) <= WORD_CHARS + 4, (key, text)
        yaml.safe_load(text)
    assert found[("Comparison", "reduction")] == '{value: 71, unit: "%", …}'
    assert found[("Trial", "design")] == "{text: Rater-masked…, …}"
    assert found[("Value", "ci")] == "[0.16, 0.54]"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("Sustained accumulation of disability", "Sustained accumulation of…"),
        ("2:1", '"2:1"'),
        ("true", '"true"'),
        ("12.5", "12.5"),
        ({"source": "s", "value": "7"}, "{value: 7, source: s}"),  # the source last
        ({"value": "7", "unit": "%", "source": "a-long-source-id"}, '{value: 7, unit: "%", …}'),
        (["a", "b"], "[a, b]"),
        ([{"id": "x" * 40, "name": "y"}], "[{id: xxxxxxxxxxxxxxxxxxx…, …}]"),
        ("https://clinicaltrials.gov/study/NCT00050778", '"https://clinicaltrial…"'),
    ],
)
def test_an_example_is_shortened_whole(value: object, shown: str) -> None:
    assert _example(value) == shown
