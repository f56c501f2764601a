"""The checker every check reports through: located errors, warnings and notes.

A value that carries ``acknowledged: <reason>`` turns its consistency errors into
notes that the handbook shows; an acknowledgement with nothing to acknowledge is a
warning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..diagnostics import Code, Diagnostic, FieldPath, Severity
from ..model.values import Reported, Value
from ..read.sourcemap import SourceMap


@dataclass
class Checker:
    """Collects diagnostics for one record, located through its source map."""

    smap: SourceMap
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _flagged: set[FieldPath] = field(default_factory=set)

    def error(self, path: FieldPath, message: str, code: Code, *, key: bool = False) -> None:
        """An error at ``path``."""
        self.diagnostics.append(self.smap.diagnostic(path, message, key=key, code=code))

    def warning(self, path: FieldPath, message: str, code: Code) -> None:
        """A warning at ``path``."""
        self.diagnostics.append(
            self.smap.diagnostic(path, message, code=code, severity=Severity.WARNING)
        )

    def inconsistent(
        self, path: FieldPath, value: Value, message: str, *, at: str | None = None
    ) -> None:
        """An arithmetic disagreement in the value at ``path``: an error, or a note if the
        value acknowledges it. ``at`` names the part at fault (``n``, ``value``, ``ci``):
        the message points there when the file writes that part out."""
        self._flagged.add(path)
        where = path
        if at is not None and ((*path, at) in self.smap.values or (*path, at) in self.smap.keys):
            where = (*path, at)
        if value.acknowledged:
            self.diagnostics.append(
                self.smap.diagnostic(
                    where,
                    f"{message} (acknowledged: {value.acknowledged})",
                    code=Code.CONSISTENCY,
                    severity=Severity.NOTE,
                )
            )
        else:
            self.error(
                where,
                f"{message}; if the source prints it so, add 'acknowledged: <reason>'",
                Code.CONSISTENCY,
            )

    def stale_acknowledgements(self, values: Iterable[tuple[FieldPath, Reported]]) -> None:
        """Warn about acknowledgements of inconsistencies that no longer exist."""
        for path, value in values:
            if isinstance(value, Value) and value.acknowledged and path not in self._flagged:
                self.warning(
                    (*path, "acknowledged"),
                    "acknowledges an inconsistency, but the value is consistent; remove it",
                    Code.CONSISTENCY,
                )
