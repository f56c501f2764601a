"""The one path from a problem to a Sphinx warning: typed, subtyped, located.

Every warning trialbook emits has ``type="trialbook"`` and a subtype from
:class:`WarningType`, so a user can silence one kind knowingly with
``suppress_warnings = ["trialbook.<subtype>"]``.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from sphinx.util import logging

from ..diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from docutils import nodes

logger = logging.getLogger("trialbook")


class WarningType(enum.Enum):
    """Subtypes of trialbook's warnings (``trialbook.<value>``)."""

    SYNTAX = "syntax"  # a data file is not valid YAML/CSV
    ENCODING = "encoding"  # a data file is not UTF-8 text, or too large
    SCHEMA = "schema"  # a field is missing, unknown or of the wrong type
    REFERENCE = "reference"  # an id in the data names nothing
    DUPLICATE = "duplicate"  # an id is defined twice
    CONSISTENCY = "consistency"  # numbers that must agree do not
    PROVENANCE = "provenance"  # a value without a known source, an uncited source
    DIRECTIVE = "directive"  # a directive or role in a page is used wrongly


def report(diagnostic: Diagnostic) -> None:
    """Log a data diagnostic at its file, line and column (notes are not logged)."""
    if diagnostic.severity is Severity.NOTE:
        return
    log = logger.error if diagnostic.severity is Severity.ERROR else logger.warning
    log(
        diagnostic.text(),
        type="trialbook",
        subtype=diagnostic.code.value,
        location=diagnostic.location,
    )


def warn_node(message: str, node: nodes.Node, kind: WarningType = WarningType.DIRECTIVE) -> None:
    """A warning about a page, located at ``node`` (its document and line)."""
    logger.warning(message, type="trialbook", subtype=kind.value, location=node)
