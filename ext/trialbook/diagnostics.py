"""Diagnostics: the one place where a data problem becomes a located message.

Every loader and check reports through :class:`Diagnostic`, so the command line,
the JSON output and the Sphinx warnings all say the same thing in the same form:
``file:line:col: field: message``.
"""

from __future__ import annotations

import difflib
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


# --------------------------------------------------------------------------- suggestions


def closest(key: str, known: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The known name nearest to ``key``, if one is close enough to be a typo of it."""
    close = difflib.get_close_matches(key, sorted(set(known)), n=1, cutoff=cutoff)
    return close[0] if close else None


def suggest(
    key: str,
    known: Iterable[str],
    *,
    cutoff: float = 0.6,
    label: str = "known",
    shown: int = 8,
    where: str = "",
) -> str:
    """The one "did you mean" of trialbook: a close name, or the first known names.

    ``did you mean 'alpha'?`` when a known name is close to ``key``; otherwise
    ``known: a, b, …`` (``label`` names the list); with no names at all, ``none
    are defined`` and, if given, ``where`` they would be (``in interventions.yaml``).
    """
    names = sorted(set(known))
    close = closest(key, names, cutoff=cutoff)
    if close is not None:
        return f"did you mean {close!r}?"
    if not names:
        return f"none are defined {where}".rstrip()
    listed = ", ".join(names[:shown]) + (", …" if len(names) > shown else "")
    return f"{label}: {listed}"


def unknown(what: str, key: str, known: Iterable[str], *, where: str = "") -> str:
    """``unknown arm 'x' (did you mean 'y'?)``: the message for a name that names nothing."""
    return f"unknown {what} {key!r} ({suggest(key, known, where=where)})"
