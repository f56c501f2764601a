"""Provenance: every value names a source, and that source exists."""

from __future__ import annotations

import dataclasses
from typing import Any

from ..diagnostics import Code, Diagnostic, FieldPath, format_path, unknown
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
    entries = iter_sourced(record, prefix, nodes=nodes)
    # A wrong default source is one mistake, however many values inherit it: report
    # it where it is written, with the count, and not again at each inheriting value.
    wrong_defaults: dict[FieldPath, str] = {}
    for path, source, required in entries:
        if source is None:
            if required:
                c.error(
                    path,
                    "no source: give 'source' here or on an enclosing record",
                    Code.PROVENANCE,
                )
            continue
        if sources is None:
            continue
        if source in sources:
            cited.add(source)
            continue
        default = next(
            (d for d, s in wrong_defaults.items() if s == source and path[: len(d)] == d), None
        )
        if default is not None and not _written(smap, path):
            continue  # inherited from a default reported already
        if not required:
            wrong_defaults[path] = source
        c.error(
            (*path, "source"),
            unknown("source", source, sources, where="in sources.yaml"),
            Code.PROVENANCE,
        )
    for default, source in wrong_defaults.items():
        heirs = sum(
            1
            for path, s, required in entries
            if required
            and s == source
            and path[: len(default)] == default
            and not _written(smap, path)
        )
        if heirs:
            i = next(
                i
                for i, d in enumerate(c.diagnostics)
                if d.field == format_path((*default, "source"))
            )
            d = c.diagnostics[i]
            plural = "s inherit" if heirs != 1 else " inherits"
            c.diagnostics[i] = dataclasses.replace(
                d, message=f"{d.message}; {heirs} value{plural} it"
            )
    return c.diagnostics, cited


def _written(smap: SourceMap, path: FieldPath) -> bool:
    """Is the ``source`` of the value at ``path`` written there (not inherited)?"""
    here = (*path, "source")
    return here in smap.keys or here in smap.values
