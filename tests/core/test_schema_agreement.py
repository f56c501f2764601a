"""The JSON Schemas editors use and the checker agree on what a valid file is.

Every data file of the repository and of the test corpus is validated twice: by a
JSON Schema validator against ``data/schema/`` and by ``trialbook check``. For the
rules a schema can express (a file's shape: fields, types, forms), both must accept
or both must reject. The checker also applies rules no schema can, listed in
``CROSS_FILE`` and ``BEYOND_SCHEMA``; a file rejected only for those is valid to
the schema.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from trialbook.diagnostics import Code, Severity
from trialbook.load.dataset import load_dataset
from trialbook.read.yamlfile import read_yaml

jsonschema = pytest.importorskip("jsonschema")

REPO = Path(__file__).resolve().parent.parent.parent
SCHEMAS = REPO / "data" / "schema"

#: Rules that need another file: ids that must exist, sources cited, duplicates.
CROSS_FILE = {Code.REFERENCE, Code.PROVENANCE, Code.DUPLICATE, Code.CONSISTENCY}
#: Rules about how a file is written or named that JSON cannot see, by the words of
#: the checker's message: the YAML reader's own rules (no duplicate keys, aliases,
#: tags; numbers as YAML 1.2 writes them), a count written as 581.0 (JSON has no
#: such distinction), a trial's id against its file name, dates that do not exist.
BEYOND_SCHEMA = (
    "duplicate key",
    "anchors and aliases",
    "is not allowed in data files",
    "expected a count",
    "must match the file name",
    "not a calendar date",
    "in the future",
    "white space around it",
)


def _files() -> list[tuple[str, Path]]:
    out = [("trial", p) for p in sorted((REPO / "data" / "trials").glob("*.yaml"))]
    out += [(p.stem, p) for p in sorted((REPO / "data").glob("*.yaml"))]
    bad = REPO / "tests" / "bad"
    kinds = {"sources-duplicate-id.yaml": "sources", "milestones-bad-date.yaml": "milestones"}
    out += [(kinds.get(p.name, "trial"), p) for p in sorted(bad.glob("*.yaml"))]
    return out


def _plain(value: Any) -> Any:
    """What a JSON Schema validator sees: Decimals as numbers (ints stay ints)."""
    if isinstance(value, Decimal):
        return (
            int(value) if value == value.to_integral() and "." not in str(value) else float(value)
        )
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _schema_accepts(kind: str, data: Any) -> list[str]:
    schema = json.loads((SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    return [e.message for e in validator.iter_errors(_plain(data))]


def _checker_shape_errors(kind: str, path: Path, tmp: Path) -> list[str]:
    root = tmp / "data"
    (root / "trials").mkdir(parents=True)
    for name in ("sources.yaml", "interventions.yaml"):
        shutil.copy(REPO / "data" / name, root / name)
    target = root / "trials" / "bad.yaml" if kind == "trial" else root / f"{kind}.yaml"
    shutil.copy(path, target)
    if kind == "trial":  # the file name is the id: keep it so the id rule stays quiet
        text = target.read_text(encoding="utf-8")
        ids = [
            line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("id:")
        ]
        if ids and ids[0].replace("-", "").isalnum():
            target = target.rename(root / "trials" / f"{ids[0]}.yaml")
    result = load_dataset(root)
    return [
        d.message
        for d in result.diagnostics
        if d.file == target.resolve()
        and d.severity is Severity.ERROR
        and d.code not in CROSS_FILE
        and not any(words in d.message for words in BEYOND_SCHEMA)
    ]


@pytest.mark.parametrize(("kind", "path"), _files(), ids=lambda x: getattr(x, "name", x))
def test_schema_and_checker_agree(kind: str, path: Path, tmp_path: Path) -> None:
    doc = read_yaml(path)
    if doc.errors or doc.data is None:
        pytest.skip("not YAML a schema could read (the reader reports it, located)")
    schema = _schema_accepts(kind, doc.data)
    checker = _checker_shape_errors(kind, path, tmp_path)
    assert bool(schema) == bool(checker), {"schema": schema, "checker": checker}


def test_the_schema_takes_a_bare_year() -> None:
    """``date: 2011`` (a YAML integer) is a date, as the checker says."""
    assert (
        _schema_accepts(
            "sources", {"sources": [{"id": "a", "kind": "news", "citation": "A.", "date": 2011}]}
        )
        == []
    )
    assert _schema_accepts(
        "sources", {"sources": [{"id": "a", "kind": "news", "citation": "A.", "date": "11 May"}]}
    )


def test_every_field_says_what_it_means() -> None:
    """The field reference is generated from these descriptions: none may be missing."""
    from pydantic import BaseModel

    from trialbook.model import records, values

    missing = [
        f"{name}.{field}"
        for module in (records, values)
        for name, model in vars(module).items()
        if isinstance(model, type)
        and issubclass(model, BaseModel)
        and model.__module__ == module.__name__
        for field, info in model.model_fields.items()
        if not info.description
    ]
    assert missing == []


def test_the_schemas_describe_every_field() -> None:
    def walk(node: Any, path: str) -> list[str]:
        out = []
        if isinstance(node, dict):
            for name, prop in (node.get("properties") or {}).items():
                if isinstance(prop, dict) and not prop.get("description"):
                    out.append(f"{path}.{name}")
            for key, child in node.items():
                out += walk(child, f"{path}/{key}")
        return out

    for schema in sorted(SCHEMAS.glob("*.json")):
        assert walk(json.loads(schema.read_text(encoding="utf-8")), schema.name) == []
