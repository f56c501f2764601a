"""The one path from a problem to a Sphinx warning: typed, subtyped, located.

Every warning trialbook emits has ``type="trialbook"`` and a subtype: the core's
diagnostic code (:class:`~trialbook.diagnostics.Code`: ``schema``, ``reference``,
``consistency``…) or ``directive`` for a directive or role used wrongly in a page.
A user can silence one kind knowingly with ``suppress_warnings = ["trialbook.<subtype>"]``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sphinx.util import logging

from ..diagnostics import Code, Diagnostic, Severity

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.util.docutils import SphinxRole

logger = logging.getLogger("trialbook")

#: Subtypes of warnings about the project rather than its data: a directive or role
#: used wrongly in a page; a configuration value that does not work.
DIRECTIVE = "directive"
CONFIG = "config"


def warn(
    message: str,
    location: str | nodes.Node | tuple[str | None, int | None] | None,
    code: Code | str = DIRECTIVE,
    *,
    error: bool = False,
) -> None:
    """Log ``message`` at ``location`` with subtype ``code`` (a data diagnostic's code,
    :data:`DIRECTIVE` or :data:`CONFIG`)."""
    log = logger.error if error else logger.warning
    subtype = code.value if isinstance(code, Code) else code
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


def role_location(role: SphinxRole) -> str:
    """Where a MyST role really is: ``page:line`` of its own line, not its paragraph's.

    MyST gives every role in a paragraph the paragraph's first line; the role's
    text is found again in the page from there on. Only called to warn, so the
    page is read only when there is something to say.
    """
    source, line = role.get_source_info()
    return line_of(str(source), line or 1, role_text(role.name, role.text))


def role_text(name: str, text: str) -> str:
    """How a role is written in MyST: ``{val}`care-ms-ii.randomized```."""
    return f"{{{name}}}`{text}`"


def line_of(source: str, line: int, written: str) -> str:
    """``source:line`` of the first line from ``line`` on that contains ``written``."""
    try:
        lines = Path(source).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return f"{source}:{line}"
    for number in range(max(line, 1), len(lines) + 1):
        if written in lines[number - 1]:
            return f"{source}:{number}"
    return f"{source}:{line}"
