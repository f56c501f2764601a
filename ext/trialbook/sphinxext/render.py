"""Docutils nodes for reported values: the formatter's text, in one place.

Every number a directive shows is built here, so provenance markers (and any
later change to how a value looks) apply to all tables and summaries at once.
"""

from __future__ import annotations

from docutils import nodes

from .. import format as fmt
from ..values import Flag, Value


def value_node(value: Value | None, *, signed: bool = False) -> nodes.inline:
    """A reported value as inline text, carrying its source id as a class."""
    if value is None:
        return nodes.inline("", "–", classes=["trialbook-value", "trialbook-empty"])
    node = nodes.inline("", fmt.value(value, signed=signed), classes=["trialbook-value"])
    if value.source:
        node["classes"].append(f"trialbook-source-{value.source}")
    return node


def p_node(value: Value | None) -> nodes.inline:
    """A p-value (``p < 0.0001``) as inline text."""
    if value is None:
        return nodes.inline("", "–", classes=["trialbook-value", "trialbook-empty"])
    return nodes.inline("", fmt.p_value(value), classes=["trialbook-value"])


def flag_node(flag: Flag | None) -> nodes.inline:
    """Yes / No for a sourced flag such as "endpoint met"."""
    if flag is None:
        return nodes.inline("", "–", classes=["trialbook-value", "trialbook-empty"])
    return nodes.inline("", "Yes" if flag.value else "No", classes=["trialbook-value"])


def paragraph(*children: nodes.Node | str) -> nodes.paragraph:
    """A paragraph of nodes and strings."""
    para = nodes.paragraph()
    for child in children:
        para += nodes.Text(child) if isinstance(child, str) else child
    return para
