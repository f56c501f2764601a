"""Where each value of a data file came from: file, line and column by field path."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, FieldPath, format_path

Position = tuple[Path, int, int]


@dataclass
class SourceMap:
    """Where each value and key of a record came from: file, 1-based line and column.

    One map may hold positions from several files (a trial's YAML and its CSV of
    adverse events), so a field path always leads back to the file that holds it.
    """

    file: Path
    values: dict[FieldPath, Position] = field(default_factory=dict)
    keys: dict[FieldPath, Position] = field(default_factory=dict)

    def locate(self, path: FieldPath, *, key: bool = False) -> Position:
        """Position of ``path``; of its key if ``key``; else of the nearest ancestor."""
        probe = tuple(path)
        while probe:
            if key and probe in self.keys:
                return self.keys[probe]
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get((), (self.file, 1, 1))

    def diagnostic(
        self, path: FieldPath, message: str, *, key: bool = False, **kw: Any
    ) -> Diagnostic:
        """A diagnostic for ``path``, located in whichever file holds it."""
        file, line, col = self.locate(path, key=key)
        return Diagnostic(file, line, col, message, field=format_path(path), **kw)

    def merge(self, other: SourceMap) -> None:
        """Take over ``other``'s positions (of another file of the same record)."""
        self.values.update(other.values)
        self.keys.update(other.keys)
