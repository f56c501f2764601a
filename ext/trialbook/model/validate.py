"""Turning pydantic's validation errors into located, readable diagnostics."""

from __future__ import annotations

import types
import typing
from typing import Any, TypeVar, Union

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from ..diagnostics import Code, Diagnostic, FieldPath, closest, format_path
from ..read.sourcemap import SourceMap

M = TypeVar("M", bound=BaseModel)


def describe(value: Any) -> str:
    """How a found value is shown in a message: short, typed, never huge."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:40] + "…"
        return f"text {text!r}"
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _unwrap(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType, typing.Annotated):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        for arg in args:
            inner = _unwrap(arg)
            if typing.get_origin(inner) in (tuple, dict) or (
                isinstance(inner, type) and issubclass(inner, BaseModel)
            ):
                return inner
        return args[0] if args else annotation
    return annotation


def model_at(root: type[BaseModel], path: FieldPath) -> type[BaseModel] | None:
    """The model class that describes the mapping at ``path`` below ``root``."""
    annotation: Any = root
    for item in path:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            info = annotation.model_fields.get(str(item))
            if info is None:
                return None
            annotation = info.annotation
        elif typing.get_origin(annotation) is tuple:
            annotation = typing.get_args(annotation)[0]
        elif typing.get_origin(annotation) is dict:
            annotation = typing.get_args(annotation)[1]
        else:
            return None
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


_EXPECTED = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "string_type": "text",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "number_type": "a number",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "tuple_type": "a list",
    "list_type": "a list",
    "date_format": "a date as YYYY, YYYY-MM or YYYY-MM-DD",
}


def _message(err: ErrorDetails, root: type[BaseModel], path: FieldPath) -> tuple[str, bool]:
    kind = err["type"]
    found = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return f"missing required field {path[-1]!r}", False
    if kind == "extra_forbidden":
        name = str(path[-1])
        model = model_at(root, path[:-1])
        hint = ""
        if model is not None:
            close = closest(name, model.model_fields)
            if close is not None:
                hint = f" (did you mean {close!r}?)"
            else:
                hint = f"; expected one of: {', '.join(sorted(model.model_fields))}"
        return f"unknown field {name!r}{hint}", True
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, found {describe(found)}", False
    if kind == "literal_error":
        return f"expected one of {ctx.get('expected')}, found {describe(found)}", False
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == r"^[a-z0-9][a-z0-9-]*$":
            if isinstance(found, str) and found.strip() != found:
                return (
                    f"id {found!r} has white space around it; ids are exact, remove it",
                    False,
                )
            return (
                f"expected an id (lowercase letters, digits, hyphens), found {describe(found)}",
                False,
            )
        return f"expected text of the form {ctx.get('pattern')}, found {describe(found)}", False
    if kind in ("greater_than_equal", "less_than"):
        return f"{err['msg'].lower()}, found {describe(found)}", False
    if kind in ("too_short", "too_long"):
        return f"{err['msg']}", False
    message = err["msg"]
    if found is not None and kind not in ("value_missing", "not_reported_conflict", "placeholder"):
        message += f", found {describe(found)}"
    return message, False


def validate(
    model: type[M], data: Any, smap: SourceMap, prefix: FieldPath = ()
) -> tuple[M | None, list[Diagnostic]]:
    """Validate ``data`` as ``model``; on failure, one diagnostic per problem."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        diagnostics = []
        errors = exc.errors(include_url=False)
        for err in errors:
            loc = tuple(err["loc"])
            if err["type"] == "too_short" and any(
                len(other["loc"]) > len(loc) and tuple(other["loc"][: len(loc)]) == loc
                for other in errors
            ):
                continue  # the list is short only because its items failed: say why
            is_key = bool(loc) and loc[-1] == "[key]"
            path: FieldPath = tuple(p for p in loc if p != "[key]")
            message, key = _message(err, model, path)
            where = path[:-1] if err["type"] == "missing" else path
            file, line, col = smap.locate((*prefix, *where), key=key or is_key)
            diag = Diagnostic(
                file, line, col, message, field=format_path((*prefix, *path)), code=Code.SCHEMA
            )
            diagnostics.append(diag)
        return None, diagnostics
