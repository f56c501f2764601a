"""One walk over the model: every record and value inside a trial (or any record), with its path.

The checks, the discrepancy lists and the citation index all need "every value
with its field path"; they share this one walker, computed once per trial.
"""

from __future__ import annotations

import functools
import typing
from typing import Any

from pydantic import BaseModel

from ..diagnostics import FieldPath
from .values import Reported, Sourced, Value


@functools.cache
def _model_children(cls: type[BaseModel]) -> tuple[str, ...]:
    """Fields of ``cls`` that can hold models (plain text and numbers are skipped)."""

    def holds_model(annotation: Any) -> bool:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return True
        return any(holds_model(arg) for arg in typing.get_args(annotation))

    return tuple(
        name
        for name, info in cls.model_fields.items()
        if name not in ("source", "other_reports") and holds_model(info.annotation)
    )


#: Models with their field paths, in document order (see :func:`model_nodes`).
Nodes = list[tuple[FieldPath, BaseModel]]


def model_nodes(obj: Any, path: FieldPath = ()) -> Nodes:
    """Every model inside ``obj`` (itself included), in document order, with its path.

    Other reports are not entered: they belong to their value (see
    :func:`iter_sourced`). It runs over every value of every trial, so it is
    written for speed; compute it once and pass it to the checks that need it.
    """
    out: Nodes = []
    _collect(obj, path, out)
    return out


def _collect(node: Any, here: FieldPath, out: Nodes) -> None:
    if isinstance(node, BaseModel):
        out.append((here, node))
        fields = node.__dict__
        for name in _model_children(type(node)):
            child = fields[name]
            if child is not None and not isinstance(child, str):
                _collect(child, (*here, name), out)
    elif isinstance(node, tuple):
        for i, item in enumerate(node):
            _collect(item, (*here, i), out)
    elif isinstance(node, dict):
        for key, item in node.items():
            _collect(item, (*here, key), out)


def iter_reported(
    obj: Any, path: FieldPath = (), *, nodes: Nodes | None = None
) -> list[tuple[FieldPath, Reported]]:
    """Every reported value inside ``obj``, with its field path."""
    if nodes is None:
        nodes = model_nodes(obj, path)
    return [(p, node) for p, node in nodes if isinstance(node, Reported)]


def iter_sourced(
    obj: Any, path: FieldPath = (), *, nodes: Nodes | None = None
) -> list[tuple[FieldPath, str | None, bool]]:
    """Every ``source`` inside ``obj``: (path, source id, whether one is required).

    Reported values and other reports must name a source; a record's own ``source``
    (the default for its values) may be absent, but cites its source when given.
    """
    out: list[tuple[FieldPath, str | None, bool]] = []
    for here, node in model_nodes(obj, path) if nodes is None else nodes:
        if isinstance(node, Reported):
            out.append((here, node.source, True))
            if isinstance(node, Value):
                for i, other in enumerate(node.other_reports):
                    out.append(((*here, "other_reports", i), other.source, True))
        elif isinstance(node, Sourced) and node.source is not None:
            out.append((here, node.source, False))
    return out
