"""What a YAML scalar means in a data file: the tag rules and the typed value.

Shared by both YAML readers (:mod:`trialbook.yamlread`, :mod:`trialbook.yamlfast`),
so a scalar means the same whichever reader read it.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
TIMESTAMP = "tag:yaml.org,2002:timestamp"

#: Collections nested deeper than this are refused (by both readers).
MAX_DEPTH = 32

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT_TEXT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_FLOAT_TEXT = re.compile(
    r"^[-+]?(?:0|[1-9][0-9]*)?\.[0-9]+(?:[eE][-+]?[0-9]+)?$|^[-+]?(?:0|[1-9][0-9]*)[eE][-+]?[0-9]+$"
)
_NOT_FINITE = re.compile(r"^[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$")


def plain_tag(text: str) -> str:
    """The tag of a plain scalar, by the YAML 1.2 core schema, stricter for numbers.

    YAML 1.1 (PyYAML's default) reads ``2:1`` as 121, ``010`` as 8 and ``no`` as
    false. Here only plain decimals are numbers and only true/false are booleans;
    everything else stays text, so a figure is never silently changed.
    """
    if text in _NULLS:
        return NULL
    if text in _BOOLS:
        return BOOL
    first = text[0]
    if first.isdigit() or first in "-+.":
        if _INT_TEXT.match(text):
            return INT
        if _FLOAT_TEXT.match(text) or _NOT_FINITE.match(text):
            return FLOAT
    return STR


#: What :func:`plain_value` returns for a scalar the full reader reports as an error.
INVALID: Any = object()


def typed_value(tag: str, text: str) -> tuple[Any, str]:
    """The value of a scalar of ``tag``, and a problem ("" when there is none)."""
    if tag == STR:
        return text, ""
    if tag == NULL:
        return None, ""
    if tag == BOOL:
        return _BOOLS.get(text, text.lower() == "true"), ""
    if tag == TIMESTAMP:
        return text, ""  # dates are validated (and kept as printed) by the model
    if tag == INT:
        if len(text) > 30:  # far beyond any count; also keeps int() cheap
            return None, f"number is too large: {text[:40]}…"
        try:
            return int(text), ""
        except ValueError:  # an explicit !!int tag on something else
            return None, f"expected a whole number, found {text[:40]!r}"
    if tag == FLOAT:
        try:
            value = Decimal(text.replace("_", ""))
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite():
            return None, f"expected a finite number, found {text!r}"
        return value, ""
    return None, f"tag {tag!r} is not allowed in data files"


# Data files repeat their keys, ids and short values thousands of times; every value
# here is immutable (str, int, Decimal, bool, None), so a reading can be shared.
_MEMO_LIMIT = 8192
_values: dict[str, Any] = {}
_keys: dict[str, bool] = {}


def plain_value(text: str) -> Any:
    """The value of the plain scalar ``text`` as the full reader reads it, or :data:`INVALID`."""
    try:
        return _values[text]
    except KeyError:
        pass
    value, problem = typed_value(plain_tag(text), text)
    if problem:
        value = INVALID
    if len(text) <= 64:
        if len(_values) >= _MEMO_LIMIT:
            _values.clear()
        _values[text] = value
    return value


def plain_key_ok(text: str) -> bool:
    """Whether the plain scalar ``text`` is a mapping key the full reader accepts."""
    try:
        return _keys[text]
    except KeyError:
        pass
    ok = plain_tag(text) in (STR, INT)
    if len(_keys) >= _MEMO_LIMIT:
        _keys.clear()
    _keys[text] = ok
    return ok
