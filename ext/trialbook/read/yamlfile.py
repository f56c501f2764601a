"""Safe YAML reading that keeps the position of every key and value.

We never let PyYAML construct Python objects: we *compose* the node graph (which
carries start marks) and build plain values ourselves. That gives us

* line and column for every value and every key, for located errors;
* duplicate keys as errors (PyYAML's constructor silently keeps the last one);
* no object construction from tags, no aliases (billion-laughs), bounded depth;
* floats as :class:`~decimal.Decimal` built from the text as printed, so ``0.50``
  keeps its two decimals: the printed precision the consistency checks rely on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from ..diagnostics import Code, Diagnostic, FieldPath, format_path
from .sourcemap import Position, SourceMap
from .textfile import TextError, read_text

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
TIMESTAMP = "tag:yaml.org,2002:timestamp"

#: Collections nested deeper than this are refused.
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


_Base: type[yaml.SafeLoader]
try:  # libyaml's composer is several times faster, and just as safe.
    _Base = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader

_PLAIN = "!trialbook/plain"
_safe_resolver = yaml.SafeLoader("")  # for quoted scalars and collections only


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """Defers the resolution of plain scalars to :meth:`_Builder._scalar`.

    PyYAML resolves every scalar while composing, in Python; most of our scalars
    are plain text or numbers we resolve anyway, so we do it once, there.
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and implicit[0]:
            return _PLAIN
        return str(_safe_resolver.resolve(kind, value, implicit))  # type: ignore[no-untyped-call]


_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


_ALIAS = re.compile(r"(?:^|[\s\[{,:-])(\*[^\s,\[\]{}]+)")


class _Builder:
    def __init__(self, smap: SourceMap, text: str) -> None:
        self.smap = smap
        self.text = text
        self.errors: list[Diagnostic] = []
        self.seen: set[int] = set()
        self.aliases_reported = 0

    def _alias_position(self) -> tuple[int, int] | None:
        """Where the next alias (``*name``) stands: the composer keeps no mark for it."""
        found = [
            (number, m.start(1) + 1)
            for number, line in enumerate(self.text.splitlines(), 1)
            for m in _ALIAS.finditer(line.split(" #")[0])
        ]
        if self.aliases_reported < len(found):
            self.aliases_reported += 1
            return found[self.aliases_reported - 1]
        return None

    def error(self, node: yaml.Node, path: FieldPath, message: str) -> None:
        m = node.start_mark
        self.errors.append(
            Diagnostic(self.smap.file, m.line + 1, m.column + 1, message, field=format_path(path))
        )

    def _pos(self, node: yaml.Node) -> Position:
        return (self.smap.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: yaml.Node, path: FieldPath) -> Any:
        if id(node) in self.seen:
            message = "anchors and aliases are not supported in data files"
            where = self._alias_position()
            if where is None:
                self.error(node, path, message)
            else:
                self.errors.append(
                    Diagnostic(self.smap.file, *where, message, field=format_path(path))
                )
            return None
        self.seen.add(id(node))
        self.smap.values[path] = self._pos(node)
        if len(path) > MAX_DEPTH:
            self.error(node, path, f"nested more than {MAX_DEPTH} levels deep")
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                self.error(node, path, f"tag {node.tag!r} is not allowed in data files")
                return None
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: FieldPath) -> dict[str, Any] | None:
        if node.tag != _MAP:
            self.error(node, path, f"tag {node.tag!r} is not allowed in data files")
            return None
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_tag = key_node.tag
            if key_tag == _PLAIN:
                key_tag = plain_tag(key_node.value)
            if not isinstance(key_node, yaml.ScalarNode) or key_tag not in (STR, INT):
                self.error(key_node, path, "mapping keys must be plain names")
                continue
            key = str(key_node.value)
            child = (*path, key)
            if key in out:
                first = self.smap.keys[child][1]
                self.error(key_node, child, f"duplicate key {key!r} (first given on line {first})")
                continue
            self.smap.keys[child] = self._pos(key_node)
            out[key] = self.build(value_node, child)
        return out

    def _scalar(self, node: yaml.ScalarNode, path: FieldPath) -> Any:
        tag, text = node.tag, node.value
        if tag == _PLAIN:
            tag = plain_tag(text)
        value, problem = typed_value(tag, text)
        if problem:
            self.error(node, path, problem)
        return value


@dataclass
class YamlDocument:
    """A parsed file: its plain data, where everything is, and what went wrong."""

    data: Any
    smap: SourceMap
    errors: list[Diagnostic]


def read_yaml(path: Path) -> YamlDocument:
    """Parse ``path`` safely; never raises for bad content, returns diagnostics instead."""
    smap = SourceMap(path)
    try:
        text = read_text(path)
    except TextError as exc:
        return YamlDocument(None, smap, [exc.diagnostic])
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        diag = Diagnostic(
            path, line, col, f"YAML syntax error: {problem}{context}", code=Code.SYNTAX
        )
        return YamlDocument(None, smap, [diag])
    except yaml.YAMLError as exc:  # e.g. multiple documents, reader errors
        diag = Diagnostic(path, 1, 1, f"YAML error: {exc}", code=Code.SYNTAX)
        return YamlDocument(None, smap, [diag])
    if root is None:
        return YamlDocument(
            None, smap, [Diagnostic(path, 1, 1, "file is empty", code=Code.SCHEMA)]
        )
    builder = _Builder(smap, text)
    data = builder.build(root, ())
    return YamlDocument(data, smap, builder.errors)
