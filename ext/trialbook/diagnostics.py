"""Diagnostics: the one place where a data problem becomes a located message.

Every loader and check reports through :class:`Diagnostic`, so the command line,
the JSON output and the Sphinx warnings all say the same thing in the same form:
``file:line:col: field: message``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

PathItem = str | int
FieldPath = tuple[PathItem, ...]


class Severity(enum.Enum):
    """How bad a diagnostic is.

    ``error`` fails a build and ``check``; ``warning`` fails a build under ``-W``;
    ``note`` is an acknowledged inconsistency that the handbook shows to readers.
    """

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


class Code(enum.Enum):
    """Kinds of diagnostic; the Sphinx layer uses the value as the warning subtype."""

    SYNTAX = "syntax"
    ENCODING = "encoding"
    SCHEMA = "schema"
    REFERENCE = "reference"
    DUPLICATE = "duplicate"
    CONSISTENCY = "consistency"
    PROVENANCE = "provenance"


def format_path(path: Sequence[PathItem]) -> str:
    """Render a field path the way an author reads it: ``arms[1].randomized``."""
    out = ""
    for item in path:
        if isinstance(item, int):
            out += f"[{item}]"
        elif out:
            out += f".{item}"
        else:
            out = item
    return out


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem found in a data file, with its position (1-based line and column)."""

    file: Path
    line: int
    column: int
    message: str
    field: str = ""
    severity: Severity = Severity.ERROR
    code: Code = Code.SCHEMA

    @property
    def location(self) -> str:
        """``file:line:col``, the form editors and Sphinx understand."""
        return f"{self.file}:{self.line}:{self.column}"

    def text(self) -> str:
        """The message with its field, without the location."""
        return f"{self.field}: {self.message}" if self.field else self.message

    def __str__(self) -> str:
        return f"{self.location}: {self.severity.value}: {self.text()}"

    def as_json(self) -> dict[str, object]:
        """A plain mapping for ``check --format json``."""
        return {
            "file": str(self.file),
            "line": self.line,
            "column": self.column,
            "severity": self.severity.value,
            "code": self.code.value,
            "field": self.field,
            "message": self.message,
        }


def sort_key(d: Diagnostic) -> tuple[str, int, int]:
    """Order diagnostics by file and position, as a compiler would list them."""
    return (str(d.file), d.line, d.column)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    """True if any diagnostic is an error (notes and warnings do not count)."""
    return any(d.severity is Severity.ERROR for d in diagnostics)
