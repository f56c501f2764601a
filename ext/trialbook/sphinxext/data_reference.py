"""``data-reference``: every field of every data file, from the model itself.

For each record kind (a trial, an arm, a value…) a table of its fields: the name,
what it holds, whether it is required, and what it means (the field's docstring in
:mod:`trialbook.model`). It is generated, so it cannot fall behind the model; a
test fails when a field has no description.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from docutils import nodes
from pydantic import BaseModel

from ..model import records, values
from ..model.walk import model_nodes
from .base import TrialbookDirective
from .dataset import INTERVENTIONS, MILESTONES, SOURCES
from .render import paragraph
from .tables import Cell, table

if TYPE_CHECKING:
    from sphinx.application import Sphinx

    from ..model.records import Dataset

#: The record kinds, in the order a reader meets them, with where they are written.
RECORDS: tuple[tuple[type[BaseModel], str], ...] = (
    (records.Trial, "data/trials/<id>.yaml"),
    (records.Arm, "an item of a trial's arms"),
    (records.Group, "an item of a trial's groups"),
    (records.Outcome, "an item of a trial's outcomes"),
    (records.Comparison, "an outcome's comparison"),
    (records.Certainty, "an outcome's certainty"),
    (records.AdverseEvent, "an item of a trial's adverse_events, or rows of the CSV"),
    (
        records.Measurement,
        "an item of a trial's baseline, eligibility or an extension's "
        "results, or of an intervention's programme",
    ),
    (records.Extension, "an item of a trial's extensions"),
    (values.Value, "any number: a bare figure, a short form, or this mapping"),
    (values.Size, "a number of people, centres or countries"),
    (values.Tally, "an adverse event's result in one arm"),
    (values.OtherReport, "an item of a value's other_reports"),
    (values.Fact, "a sourced statement: text, or this mapping"),
    (values.Flag, "a sourced yes or no: true/false, or this mapping"),
    (records.Registration, "an item of a trial's registrations"),
    (records.Source, "an item of sources.yaml"),
    (records.Miscitation, "an item of a source's miscitations"),
    (records.Erratum, "an item of a source's errata"),
    (records.Intervention, "an item of interventions.yaml"),
    (records.Instruction, "an item of an intervention's regimen"),
    (records.Milestone, "an item of milestones.yaml"),
)


#: What the checker verifies about each record kind, beyond its fields' types.
CHECKS: dict[str, str] = {
    "Trial": "the id is the file name; ids of arms, groups, outcomes and events are unique; "
    "the arms' randomized numbers add up to no more than the trial's; every value names a "
    "source that exists",
    "Arm": "the intervention exists in interventions.yaml; sizes are whole numbers, no more "
    "than the trial's randomized; analysed is no more than randomized",
    "Group": "its arms exist; its safety population is no more than the trial's randomized",
    "Outcome": "results name existing arms or groups; its id is not also an arm's, an "
    "event's or a measurement's",
    "Comparison": "treatment and control exist and differ; p is within [0, 1]; a ratio is "
    "positive; a relative reduction agrees with the ratio at the printed precision",
    "Certainty": "it names its own source; the rating is one of GRADE's four levels",
    "AdverseEvent": "results name existing arms or groups; N is no more than the trial's "
    "randomized nor the arm's size",
    "Value": "n ≤ N; a percentage agrees with n/N at its printed precision (an approximate "
    "one at its looser precision); a CI is ordered and contains the value; a proportion of "
    "patients lies within 0–100%",
    "Size": "a whole number as written (581, not 581.0), not negative",
    "Tally": "serious and fatal are no more than N",
    "OtherReport": "a relative reduction agrees with the ratio (a warning if not); a figure "
    "that differs from the value is listed on the discrepancy page",
    "Source": "the id is unique; the date is not in the future; some value cites it (a "
    "warning if none does)",
    "Miscitation": "the source it cites exists",
    "Measurement": "results name existing arms or groups (in a trial) or treatments (in a "
    "programme); its id is unique among the trial's arms, outcomes, events and measurements; "
    "a percentage lies within 0–100%; a range is ordered and contains the figure",
    "Extension": "its id and its results' ids are unique",
    "Instruction": "the date it took effect is not in the future",
    "Milestone": "not dated in the future; its trials exist",
}


def examples(dataset: Dataset) -> dict[tuple[str, str], str]:
    """(record kind, field) → a value the data gives it, the first one met."""
    out: dict[tuple[str, str], str] = {}
    roots: list[Any] = [r.trial for r in dataset.trials.values()]
    roots += [*dataset.sources.values(), *dataset.interventions.values(), *dataset.milestones]
    for root in roots:
        for _, node in model_nodes(root):
            kind = type(node).__name__
            for name in type(node).model_fields:
                value = getattr(node, name)
                if (kind, name) not in out and value not in (None, (), {}, ""):
                    out[(kind, name)] = _example(value)
    return out


#: An example's length at most, in characters: short enough for its PDF column;
#: a word (a URL, an id) at most this long, since a column cannot break it (a
#: quoted 30-character URL ran 3.9 pt past its column in the PDF).
EXAMPLE_CHARS = 30
WORD_CHARS = 24
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_PLAIN = re.compile(r"[\w][\w .()/-]*")  # YAML reads this unquoted, as the text itself


def _example(value: Any) -> str:
    """``value`` as an author writes it in a data file (YAML, a mapping or list in
    flow style: ``{value: 334, source: camms223}``), shortened to fit its column:
    long text cut after a whole word, entries past the room left as ``…``; what is
    shown stays well-formed (quotes and brackets closed)."""
    return _flow(value, EXAMPLE_CHARS)


def _flow(value: Any, room: int) -> str:
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    if isinstance(value, dict):
        if "source" in value:  # the figure first, where it comes from last
            value = {k: v for k, v in value.items() if k != "source"} | {"source": value["source"]}
        entries = [f"{k}: {_flow(v, room - 4 - len(k))}" for k, v in value.items()]
        return _fill("{", entries, "}", room)
    if isinstance(value, list | tuple):
        return _fill("[", [_flow(v, room - 2) for v in value], "]", room)
    if isinstance(value, bool):
        return "true" if value else "false"
    return _scalar(str(value), room)


def _fill(open_: str, entries: list[str], close: str, room: int) -> str:
    """``{a, b, …}``: the entries that fit in ``room``, the first always (shortened)."""
    out = open_ + (entries[0] if entries else "")
    for entry in entries[1:]:
        if len(out) + len(entry) + len(", …" + close) > room:
            return out + ", …" + close
        out += ", " + entry
    return out + close


def _scalar(text: str, room: int) -> str:
    """A YAML scalar: plain where YAML would read it back as this text (a number
    stays a number), else in double quotes; cut after a whole word to fit."""
    room = max(room, 12)
    if _NUMBER.fullmatch(text):
        return text
    if " " not in text:
        room = min(room, WORD_CHARS)
    if len(text) > room - 2:
        cut = text[: room - 3]
        words = cut.rsplit(" ", 1)[0] if " " in cut else cut
        text = words.rstrip(" ,;:") + "…"
    if _PLAIN.fullmatch(text.rstrip("…")) and text.lower() not in ("true", "false", "null"):
        return text
    return json.dumps(text, ensure_ascii=False)


def _object_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The mapping form of a record that also has short forms (``anyOf``: the mapping,
    a bare number, a string), so its fields can be listed."""
    if "properties" in schema:
        return schema
    for branch in schema.get("anyOf", []):
        if "$ref" in branch:
            branch = schema.get("$defs", {}).get(str(branch["$ref"]).rsplit("/", 1)[-1], {})
        if "properties" in branch:
            return dict(branch)
    return schema


def _rich(text: str) -> list[nodes.Node]:
    """Docstring text with its ``literals`` as code, not as doubled backquotes."""
    parts = text.split("``")
    return [
        nodes.literal(part, part) if i % 2 else nodes.Text(part)
        for i, part in enumerate(parts)
        if part
    ]


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
        dataset = self.data.dataset
        # The examples come from the project's own data: the page follows it.
        self.depend_on(
            [*dataset.trials, *dataset.failed],
            all_trials=True,
            shared=(SOURCES, INTERVENTIONS, MILESTONES),
        )
        found = examples(dataset)
        out: list[nodes.Node] = []
        for model, where in RECORDS:
            schema = _object_schema(model.model_json_schema())
            properties = schema.get("properties", {})
            required = set(schema.get("required", []))
            rows: list[list[Cell]] = []
            for name, info in model.model_fields.items():
                prop = properties.get(name, {})
                rows.append(
                    [
                        name,
                        type_words(prop),
                        "required" if name in required else "optional",
                        paragraph(*_rich(info.description or "")),
                        # Plain text, not code: PDF columns are sized with the text font.
                        found.get((model.__name__, name), "–"),
                    ]
                )
            doc = (model.__doc__ or "").strip().splitlines()[0]
            out.append(paragraph(nodes.strong("", model.__name__), f" ({where}). ", *_rich(doc)))
            if model.__name__ in CHECKS:
                out.append(
                    paragraph(nodes.emphasis("", "Checked: "), CHECKS[model.__name__] + ".")
                )
            spec, node = table(
                f"Fields of {model.__name__}",
                ("Field", "Holds", "Required", "Meaning", "Example"),
                rows,
                ["trialbook-reference"],
            )
            self.set_source_info(node)
            out += [spec, node]
        return out


def setup_data_reference(app: Sphinx) -> None:
    """Register the ``data-reference`` directive."""
    app.add_directive("data-reference", DataReference)
