"""Provenance: every value names a source, and that source exists."""

from __future__ import annotations

from typing import Any

from ..diagnostics import Code, Diagnostic, FieldPath, unknown
from ..model.records import Source
from ..model.walk import Nodes, iter_sourced
from ..read.sourcemap import SourceMap
from .checker import Checker


def check_provenance(
    record: Any,
    smap: SourceMap,
    sources: dict[str, Source] | None,
    prefix: FieldPath = (),
    *,
    nodes: Nodes | None = None,
) -> tuple[list[Diagnostic], set[str]]:
    """Every value names an existing source; returns the diagnostics and the ids cited.

    With ``sources`` None (the source list itself failed to load) only missing
    sources are reported, not unknown ones.
    """
    c = Checker(smap)
    cited: set[str] = set()
    for path, source, required in iter_sourced(record, prefix, nodes=nodes):
        if source is None and not required:
            continue
        if source is None:
            c.error(
                path,
                "no source: give 'source' here or on an enclosing record",
                Code.PROVENANCE,
            )
        elif sources is None:
            continue
        elif source not in sources:
            c.error((*path, "source"), unknown("source", source, sources), Code.PROVENANCE)
        else:
            cited.add(source)
    return c.diagnostics, cited
