"""``data-reference``: every field of every data file, from the model itself.

For each record kind (a trial, an arm, a value…) a table of its fields: the name,
what it holds, whether it is required, and what it means (the field's docstring in
:mod:`trialbook.model`). It is generated, so it cannot fall behind the model; a
test fails when a field has no description.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docutils import nodes
from pydantic import BaseModel

from ..model import records, values
from .base import TrialbookDirective
from .render import paragraph
from .tables import Cell, table

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: The record kinds, in the order a reader meets them, with where they are written.
RECORDS: tuple[tuple[type[BaseModel], str], ...] = (
    (records.Trial, "data/trials/<id>.yaml"),
    (records.Arm, "an item of a trial's arms"),
    (records.Group, "an item of a trial's groups"),
    (records.Outcome, "an item of a trial's outcomes"),
    (records.Comparison, "an outcome's comparison"),
    (records.Certainty, "an outcome's certainty"),
    (records.AdverseEvent, "an item of a trial's adverse_events, or rows of the CSV"),
    (values.Value, "any number: a bare figure, a short form, or this mapping"),
    (values.Size, "a number of people, centres or countries"),
    (values.Tally, "an adverse event's result in one arm"),
    (values.OtherReport, "an item of a value's other_reports"),
    (values.Fact, "a sourced statement: text, or this mapping"),
    (values.Flag, "a sourced yes or no: true/false, or this mapping"),
    (records.Registration, "an item of a trial's registrations"),
    (records.Source, "an item of sources.yaml"),
    (records.Miscitation, "an item of a source's miscitations"),
    (records.Intervention, "an item of interventions.yaml"),
    (records.Milestone, "an item of milestones.yaml"),
)


def type_words(schema: dict[str, Any]) -> str:
    """What a field holds, from its JSON Schema: ``text``, ``list of Arm``, ``Value``."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        kinds = [type_words(s) for s in schema["anyOf"] if s.get("type") != "null"]
        return " or ".join(dict.fromkeys(kinds))
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    if "const" in schema:
        return str(schema["const"])
    kind = schema.get("type")
    if kind == "array":
        items = schema.get("items") or (schema.get("prefixItems") or [{}])[0]
        return f"list of {type_words(items)}"
    if kind == "object":
        return f"mapping of {type_words(schema.get('additionalProperties') or {})}"
    words = {
        "string": "text",
        "integer": "whole number",
        "number": "number",
        "boolean": "true/false",
    }
    return words.get(str(kind), str(kind or "any"))


class DataReference(TrialbookDirective):
    """The field reference of the data files. No options."""

    has_content = False

    def render(self) -> list[nodes.Node]:
        """A heading paragraph and a table per record kind."""
        out: list[nodes.Node] = []
        for model, where in RECORDS:
            schema = model.model_json_schema()
            properties = schema.get("properties", {})
            required = set(schema.get("required", []))
            rows: list[list[Cell]] = []
            for name, info in model.model_fields.items():
                prop = properties.get(name, {})
                rows.append(
                    [
                        nodes.literal("", name),
                        type_words(prop),
                        "required" if name in required else "optional",
                        info.description or "",
                    ]
                )
            doc = (model.__doc__ or "").strip().splitlines()[0]
            out.append(paragraph(nodes.strong("", model.__name__), f" ({where}). {doc}"))
            spec, node = table(
                f"Fields of {model.__name__}",
                ("Field", "Holds", "", "Meaning"),
                rows,
                ["trialbook-reference"],
            )
            self.set_source_info(node)
            out += [spec, node]
        return out


def setup_data_reference(app: Sphinx) -> None:
    """Register the ``data-reference`` directive."""
    app.add_directive("data-reference", DataReference)
