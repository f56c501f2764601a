"""The one path from a problem to a Sphinx warning: typed, subtyped, located.

Every warning trialbook emits has ``type="trialbook"`` and a subtype: the core's
diagnostic code (:class:`~trialbook.diagnostics.Code`: ``schema``, ``reference``,
``consistency``…) or ``directive`` for a directive or role used wrongly in a page.
A user can silence one kind knowingly with ``suppress_warnings = ["trialbook.<subtype>"]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sphinx.util import logging

from ..diagnostics import Code, Diagnostic, Severity

if TYPE_CHECKING:
    from docutils import nodes

logger = logging.getLogger("trialbook")

#: The subtype of warnings about pages (not data): a directive or role used wrongly.
DIRECTIVE = "directive"


def warn(
    message: str,
    location: str | nodes.Node | tuple[str | None, int | None] | None,
    code: Code | None = None,
    *,
    error: bool = False,
) -> None:
    """Log ``message`` at ``location`` with subtype ``code`` (``directive`` if None)."""
    log = logger.error if error else logger.warning
    subtype = code.value if code is not None else DIRECTIVE
    log(message, type="trialbook", subtype=subtype, location=location)


def report(diagnostic: Diagnostic) -> None:
    """Log a data diagnostic at its file, line and column (notes are not logged)."""
    if diagnostic.severity is Severity.NOTE:
        return
    warn(
        diagnostic.text(),
        diagnostic.location,
        diagnostic.code,
        error=diagnostic.severity is Severity.ERROR,
    )
