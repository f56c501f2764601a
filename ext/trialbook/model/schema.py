"""JSON Schemas of the data files, for editors (and a test keeps them in sync)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .records import InterventionsFile, MilestonesFile, SourcesFile, Trial

#: Bumped when a data file's shape changes incompatibly (the JSON download carries it).
SCHEMA_VERSION = 1

#: schema file name (in ``data/schema/``) → the model of the files it describes
SCHEMAS: dict[str, type[BaseModel]] = {
    "sources.schema.json": SourcesFile,
    "interventions.schema.json": InterventionsFile,
    "milestones.schema.json": MilestonesFile,
    "trial.schema.json": Trial,
}


def schema_of(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one kind of data file."""
    schema = model.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def render(model: type[BaseModel]) -> str:
    """The schema as the text committed in ``data/schema/``."""
    return json.dumps(schema_of(model), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_all(folder: Path) -> list[Path]:
    """Write every schema into ``folder``, only where its text changed."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in SCHEMAS.items():
        path = folder / name
        text = render(model)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written
