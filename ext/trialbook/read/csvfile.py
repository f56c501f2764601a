"""Adverse events as a CSV table: one row per event and arm, with positions kept.

``data/trials/<trial>.adverse-events.csv`` holds the adverse events of one trial in
long form. Its rows become the same mapping a YAML ``adverse_events:`` list gives,
so one model validates both and errors point at the CSV's row and column.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..diagnostics import Code, Diagnostic
from .sourcemap import SourceMap
from .textfile import TextError, read_text

REQUIRED = ("event", "group", "source")
OPTIONAL = ("term", "n", "N", "percent", "serious", "fatal", "locator", "acknowledged", "note")
COLUMNS = REQUIRED + OPTIONAL
_COUNT_COLUMNS = ("n", "N", "serious", "fatal")
_INT = re.compile(r"^[0-9]+$")
#: A percentage as written in a cell: ASCII digits, an optional decimal part.
#: (``Decimal()`` alone would take ``nan``, ``inf``, ``1e999`` and full-width digits.)
_DECIMAL = re.compile(r"^-?[0-9]+(?:\.[0-9]+)?$")
#: Columns whose cells are ids: exact, white space around them is an error.
ID_COLUMNS = ("event", "group", "source")


def _cell(column: str, text: str) -> Any:
    """The value of a cell: a count or percentage as a number, anything else as text
    (which the model then reports as not a number, at this cell)."""
    if column in _COUNT_COLUMNS and _INT.match(text):
        return int(text)
    if column == "percent" and _DECIMAL.match(text):
        return Decimal(text)
    return text


def _columns_of(line: str) -> list[int]:
    """1-based start column of each cell (exact for unquoted cells)."""
    starts, col, quoted = [1], 1, False
    for ch in line:
        col += 1
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            starts.append(col)
    return starts


def read_adverse_events(
    path: Path, first_index: int = 0
) -> tuple[list[dict[str, Any]], SourceMap, list[Diagnostic]]:
    """Rows grouped into adverse-event mappings, their source map, and the errors.

    The events follow ``first_index`` events given in the trial's YAML: positions
    are keyed ``("adverse_events", first_index + i, ...)``, the trial's own paths.
    """
    smap = SourceMap(path)
    try:
        text = read_text(path)
    except TextError as exc:
        return [], smap, [exc.diagnostic]
    lines = text.splitlines()
    reader = csv.reader(io.StringIO(text))
    errors: list[Diagnostic] = []
    try:
        header = next(reader)
    except StopIteration:
        return [], smap, [Diagnostic(path, 1, 1, "file is empty", code=Code.SCHEMA)]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing:
        errors.append(
            Diagnostic(path, 1, 1, f"missing column(s): {', '.join(missing)}", code=Code.SCHEMA)
        )
    for name in unknown:
        col = _columns_of(lines[0])[header.index(name)]
        errors.append(
            Diagnostic(
                path,
                1,
                col,
                f"unknown column {name!r}; expected: {', '.join(COLUMNS)}",
                code=Code.SCHEMA,
            )
        )
    if errors:
        return [], smap, errors
    events: dict[str, dict[str, Any]] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        starts = _columns_of(lines[line - 1]) if line - 1 < len(lines) else [1]
        if len(row) != len(header):
            errors.append(
                Diagnostic(
                    path,
                    line,
                    1,
                    f"row has {len(row)} cells, the header has {len(header)} columns",
                    code=Code.SCHEMA,
                )
            )
            continue
        cells = {h: c.strip() for h, c in zip(header, row, strict=True)}
        pos = {h: (path, line, starts[i] if i < len(starts) else 1) for i, h in enumerate(header)}
        spaced = [
            h for h, c in zip(header, row, strict=True) if h in ID_COLUMNS and c != c.strip()
        ]
        if spaced:
            errors += [
                Diagnostic(
                    path,
                    line,
                    pos[h][2],
                    f"{h} {cells[h]!r} has white space around it; ids are exact, remove it",
                    code=Code.SCHEMA,
                )
                for h in spaced
            ]
            continue
        event_id, group = cells["event"], cells["group"]
        if not event_id or not group:
            errors.append(
                Diagnostic(
                    path, line, 1, "'event' and 'group' must not be empty", code=Code.SCHEMA
                )
            )
            continue
        index = first_index + (list(events).index(event_id) if event_id in events else len(events))
        event = events.setdefault(event_id, {"id": event_id, "results": {}})
        base = ("adverse_events", index)
        smap.values.setdefault(base, pos["event"])
        smap.values.setdefault((*base, "id"), pos["event"])
        if cells.get("term"):
            event.setdefault("term", cells["term"])
            smap.values.setdefault((*base, "term"), pos["term"])
        if group in event["results"]:
            errors.append(
                Diagnostic(
                    path,
                    line,
                    pos["group"][2],
                    f"duplicate row for event {event_id!r} and group {group!r}",
                    field=f"adverse_events[{index}].results.{group}",
                    code=Code.DUPLICATE,
                )
            )
            continue
        result: dict[str, Any] = {}
        rpath = (*base, "results", group)
        smap.values[rpath] = pos["group"]
        smap.keys[rpath] = pos["group"]
        for column in (
            "n",
            "N",
            "percent",
            "serious",
            "fatal",
            "source",
            "locator",
            "acknowledged",
            "note",
        ):
            if cells.get(column):
                name = "value" if column == "percent" else column
                result[name] = _cell(column, cells[column])
                smap.values[(*rpath, name)] = pos[column]
        event["results"][group] = result
    return list(events.values()), smap, errors
