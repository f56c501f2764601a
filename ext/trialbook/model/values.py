"""Reported values: every number (and every sourced fact) in the data.

A reported value is the figure as a source printed it, plus the id of that source,
plus optionally *other reports* of the same quantity by other sources. Values are
written in YAML either in full (``{value: 0.45, ci: [0.32, 0.63], source: x}``) or
in short forms that a validator expands:

* a bare number, ``0.45``;
* a string with a relation and/or a percent sign, ``"<0.0001"``, ``"~16%"``;
* ``not reported``, for a value the sources do not give.

A value that names no ``source`` inherits the ``source`` of the nearest enclosing
record (outcome, adverse event, arm, trial); see :class:`Sourced`.
"""

from __future__ import annotations

import datetime
import functools
import re
import types
import typing
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    Strict,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

#: Largest magnitude accepted for any figure: a guard against typos and hostile input.
MAX_MAGNITUDE = Decimal(10) ** 9


def _number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise PydanticCustomError("number_type", "expected a number")
    number = Decimal(value)
    if abs(number) >= MAX_MAGNITUDE:
        raise PydanticCustomError("number_range", "number is implausibly large")
    return number


#: A figure exactly as printed; ``Decimal('0.50')`` keeps its two decimals.
Number = Annotated[
    Decimal,
    BeforeValidator(_number),
    WithJsonSchema({"type": "number", "exclusiveMaximum": 10**9, "exclusiveMinimum": -(10**9)}),
]


def _whole_number(value: Any) -> Any:
    if isinstance(value, Decimal):
        raise PydanticCustomError(
            "count_type", "expected a count: a whole number written without a decimal point"
        )
    number = _number(value)
    if number < 0:
        raise PydanticCustomError("count_range", "a count cannot be negative")
    return number


#: A number of people, centres or countries: a whole number as written, never
#: ``581.0`` or ``5.81e2`` (which would be shown as 581 without a word).
WholeNumber = Annotated[
    Decimal,
    BeforeValidator(_whole_number),
    WithJsonSchema({"type": "integer", "minimum": 0, "exclusiveMaximum": 10**9}),
]
#: A count of people or events.
Count = Annotated[int, Strict(), Field(ge=0, lt=10**9)]
#: A record id: lowercase letters, digits and hyphens (it becomes a URL and a label).
Id = Annotated[str, Strict(), Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]


#: Free text written by an author or quoted from a source (white space around it
#: is dropped; ids, by contrast, are exact: ``"ifn "`` is not ``ifn``).
def _not_a_placeholder(text: str) -> str:
    if _PLACEHOLDER.match(text):
        raise PydanticCustomError(
            "placeholder", "still a placeholder from the template: replace {text}", {"text": text}
        )
    return text


_PLACEHOLDER = re.compile(r"^<[^<>]+>$")
Text = Annotated[
    str,
    Strict(),
    StringConstraints(strip_whitespace=True, min_length=1, max_length=4000),
    AfterValidator(_not_a_placeholder),
]

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")


def _partial_date(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        value = str(value)  # a bare year, ``date: 2013``, reads as a YAML integer
    if not isinstance(value, str) or not (m := _DATE.match(value)):
        raise PydanticCustomError("date_format", "expected a date as YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = m.groups()
    try:
        datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise PydanticCustomError(
            "date_value", "not a calendar date ({reason})", {"reason": str(exc)}
        ) from None
    return value


#: A date as precise as the source gives it: ``2013``, ``2013-09`` or ``2013-09-17``.
PartialDate = Annotated[
    str,
    BeforeValidator(_partial_date),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"},
                {"type": "integer", "minimum": 1000, "maximum": 9999},
            ],
            "description": "a date as precise as the source gives it: 2013, 2013-09 or 2013-09-17",
        }
    ),
]

Relation = Literal["=", "<", ">", "≤", "≥", "≈"]
_RELATION_ALIASES = {"<=": "≤", ">=": "≥", "~": "≈", "about": "≈", "approximately": "≈"}
_SHORT = re.compile(
    r"^\s*(?P<rel><=|>=|<|>|=|≤|≥|~|≈|about|approximately)?\s*"
    r"(?P<num>[-−]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?)\s*(?P<pct>%)?\s*$"
)
NOT_REPORTED = "not reported"
#: The short forms as a JSON Schema pattern (ECMAScript: no inline flags).
SHORT_PATTERN = (
    r"^\s*((<=|>=|<|>|=|≤|≥|~|≈|about|approximately)?\s*[-−]?(0|[1-9][0-9]*)(\.[0-9]+)?"
    r"\s*%?|[Nn][Oo][Tt] [Rr][Ee][Pp][Oo][Rr][Tt][Ee][Dd])\s*$"
)


class Base(BaseModel):
    """Common configuration: unknown fields are errors, records are immutable."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, use_attribute_docstrings=True, defer_build=True
    )


class OtherReport(Base):
    """The same quantity as another source reports it (possibly rounded differently)."""

    value: Number
    """The figure as the other source prints it."""
    relation: Relation = "="
    """=, <, >, ≤, ≥ or ≈ (about)."""
    unit: str | None = None
    """Its unit, e.g. %."""
    source: Id | None = None
    """The other source's id."""
    locator: Text | None = None
    """Where in that source: a table, figure or page, e.g. Table 4."""
    note: Text | None = None
    """How this report differs from the main value."""


class Reported(Base):
    """Base of everything that carries a ``source``; expands short forms."""

    #: Whether the record takes its enclosing record's ``source`` when it names none.
    inherits_source: ClassVar[bool] = True

    source: Id | None = None
    """The id of the source that reports it (default: the enclosing record's)."""
    locator: Text | None = None
    """Where in the source: a table, figure or page, e.g. Table 4 (default: the
    enclosing record's, when the value takes its source from it too)."""

    @classmethod
    def expand(cls, raw: Any) -> Any:
        """Turn a short form into the full mapping; leave anything else alone."""
        return raw

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, raw: Any) -> Any:
        return cls.expand(raw)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        short = getattr(cls, "_short_schema", None)
        return {"anyOf": [schema, short]} if short else schema


class Value(Reported):
    """A reported number: the figure, how it relates (``<``, ``≈``), CI, counts."""

    _short_schema: ClassVar[dict[str, Any]] = {
        "anyOf": [
            {"type": "number", "exclusiveMaximum": 10**9, "exclusiveMinimum": -(10**9)},
            {"type": "string", "pattern": SHORT_PATTERN},
        ],
        "description": "short form: 0.45, '<0.0001', '~16%', or 'not reported'",
    }

    value: Number | None = None
    """The figure as printed: keep its decimals (0.50 is not 0.5)."""
    relation: Relation = "="
    """=, <, >, ≤, ≥ or ≈ (about): how the figure relates to the quantity."""
    unit: str | None = Field(default=None, max_length=20)
    """Its unit, e.g. %."""
    ci: tuple[Number, Number] | None = Field(
        default=None, description="95% confidence interval [low, high]"
    )
    sd: Number | None = Field(default=None, ge=0, description="standard deviation (of a mean)")
    range: tuple[Number, Number] | None = Field(
        default=None, description="the smallest and largest value observed [low, high]"
    )
    n: Count | None = Field(default=None, description="number of people with the event")
    N: Count | None = Field(default=None, description="number of people it is out of")
    other_reports: tuple[OtherReport, ...] = ()
    """The same quantity as other sources print it."""
    acknowledged: Text | None = Field(
        default=None,
        description="a known inconsistency in the source, and why it is kept as printed",
    )
    not_reported: str | None = Field(
        default=None, description="the sources do not give this value (optional reason)"
    )
    note: Text | None = None
    """A comment shown with the value."""

    @classmethod
    def expand(cls, raw: Any) -> Any:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int | Decimal):
            return {"value": raw}
        if isinstance(raw, str):
            if raw.strip().lower() == NOT_REPORTED:
                return {"not_reported": ""}
            m = _SHORT.match(raw)
            if m:
                out: dict[str, Any] = {"value": Decimal(m["num"].replace("−", "-"))}
                if m["rel"]:
                    out["relation"] = _RELATION_ALIASES.get(m["rel"], m["rel"])
                if m["pct"]:
                    out["unit"] = "%"
                return out
            raise PydanticCustomError(
                "value_form",
                "expected a number, 'not reported', a short form such as '<0.0001' or "
                "'16%', or a mapping with 'value'",
            )
        if not isinstance(raw, dict):
            raise PydanticCustomError(
                "value_form", "expected a number, a short form, or a mapping with 'value'"
            )
        return raw

    @property
    def reported(self) -> bool:
        """False for a value the sources do not give."""
        return self.not_reported is None

    def _given(self) -> bool:
        """Is any figure given?"""
        return (
            self.value is not None or self.n is not None or self.N is not None or bool(self.range)
        )

    @model_validator(mode="after")
    def _value_or_not_reported(self) -> Value:
        given = self._given()
        if self.not_reported is not None and given:
            raise PydanticCustomError(
                "not_reported_conflict", "a value cannot be both given and 'not reported'"
            )
        if self.not_reported is None and not given:
            raise PydanticCustomError(
                "value_missing", "give 'value' (or n and N, or a range), or say 'not reported'"
            )
        return self


class Size(Value):
    """A reported number of people (or centres, countries): a whole number, not negative."""

    _short_schema: ClassVar[dict[str, Any]] = {
        "anyOf": [
            {"type": "integer", "minimum": 0, "exclusiveMaximum": 10**9},
            {"type": "string", "pattern": SHORT_PATTERN},
        ],
        "description": "short form: 581, '~580', or 'not reported'",
    }

    value: WholeNumber | None = None
    """A whole number as written (581, not 581.0)."""

    @classmethod
    def expand(cls, raw: Any) -> Any:
        out = super().expand(raw)
        number = out.get("value") if isinstance(out, dict) else None
        if isinstance(number, Decimal) and isinstance(raw, str) and "." not in raw:
            return {**out, "value": int(number)}  # "~580": still a whole number
        return out


class Tally(Value):
    """An event count in one arm or group: n / N (%), with serious and fatal counts."""

    unit: str | None = "%"
    """Its unit: % by default."""
    serious: Count | None = None
    """Patients with a serious event."""
    fatal: Count | None = None
    """Patients who died of it."""

    def _given(self) -> bool:
        return super()._given() or self.serious is not None or self.fatal is not None


class Fact(Reported):
    """A sourced statement in words (design, population, a note)."""

    _short_schema: ClassVar[dict[str, Any]] = {"type": "string"}

    text: Text
    """The statement, in the handbook's own words."""

    @classmethod
    def expand(cls, raw: Any) -> Any:
        if isinstance(raw, str):
            return {"text": raw}
        if not isinstance(raw, dict):
            raise PydanticCustomError("fact_form", "expected text, or a mapping with 'text'")
        return raw


class Flag(Reported):
    """A sourced yes/no, such as whether an endpoint was met."""

    _short_schema: ClassVar[dict[str, Any]] = {"type": "boolean"}

    value: Annotated[bool, Strict()]
    """Yes (true) or no (false)."""
    note: Text | None = None
    """A comment shown with it."""

    @classmethod
    def expand(cls, raw: Any) -> Any:
        if isinstance(raw, bool):
            return {"value": raw}
        if not isinstance(raw, dict):
            raise PydanticCustomError(
                "flag_form", "expected true or false, or a mapping with 'value'"
            )
        return raw


Shape = Literal["one", "many", "map"]
_Member = type["Reported"] | type["Sourced"]


def _sourced_member(annotation: Any, shape: Shape = "one") -> tuple[_Member, Shape] | None:
    """The Reported/Sourced class in ``X``, ``X | None``, ``tuple[X, ...]``, ``dict[str, X]``."""
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType, Annotated):
        for arg in typing.get_args(annotation):
            found = _sourced_member(arg, shape)
            if found is not None:
                return found
        return None
    if origin is tuple:
        return _sourced_member(typing.get_args(annotation)[0], "many")
    if origin is dict:
        return _sourced_member(typing.get_args(annotation)[1], "map")
    if isinstance(annotation, type) and issubclass(annotation, Reported | Sourced):
        return annotation, shape
    return None


@functools.cache
def _inheriting_fields(cls: type[BaseModel]) -> dict[str, tuple[_Member, Shape]]:
    out: dict[str, tuple[_Member, Shape]] = {}
    for name, info in cls.model_fields.items():
        found = _sourced_member(info.annotation)
        if found is not None and name != "source" and found[0].inherits_source:
            out[name] = found
    return out


def _give_source(raw: Any, member: _Member, inherited: dict[str, Any]) -> Any:
    """``raw`` with the enclosing record's source (and locator) if it names no source.

    A locator belongs to its source: a value that names its own source never takes
    the enclosing record's locator.
    """
    if not isinstance(raw, dict) and issubclass(member, Reported):
        try:
            raw = member.expand(raw)
        except PydanticCustomError:
            return raw  # the value's own validator reports it, at its own path
    if isinstance(raw, dict) and "source" not in raw:
        given = {k: v for k, v in inherited.items() if k not in raw}
        return {**raw, **given}
    return raw


class Sourced(Base):
    """A record whose ``source`` is the default for the values inside it."""

    #: Whether the record takes its enclosing record's ``source`` when it names none.
    inherits_source: ClassVar[bool] = True

    source: Id | None = None
    """The default source of the values inside (an id from sources.yaml)."""
    locator: Text | None = None
    """Where in that source the values inside are (Table 4): given to every value
    that takes the record's source."""

    @model_validator(mode="before")
    @classmethod
    def _inherit_source(cls, raw: Any) -> Any:
        if not isinstance(raw, dict) or not isinstance(raw.get("source"), str):
            return raw
        source = raw["source"]
        if not _ID.match(source):
            return raw  # reported once, at the record, not at every value inheriting it
        inherited = {"source": source}
        if isinstance(raw.get("locator"), str):
            inherited["locator"] = raw["locator"]
        out = dict(raw)
        for name, (member, shape) in _inheriting_fields(cls).items():
            child = out.get(name)
            if shape == "many" and isinstance(child, list):
                out[name] = [_give_source(c, member, inherited) for c in child]
            elif shape == "map" and isinstance(child, dict):
                out[name] = {k: _give_source(c, member, inherited) for k, c in child.items()}
            elif shape == "one" and child is not None:
                out[name] = _give_source(child, member, inherited)
        return out
