"""Configuration values of trialbook (all typed, all described) and its static files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.util.fileutil import copy_asset_file

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: The stylesheet the extension's output needs (tables, cards, figures, the phone
#: layout), shipped with the package: any theme gets it.
STATIC = Path(__file__).parent / "static"
CSS = "trialbook.css"

#: name → (default, rebuild, types, description)
CONFIG: dict[str, tuple[Any, str, frozenset[type], str]] = {
    "trialbook_data_dir": (
        "data",
        "env",
        frozenset({str}),
        "The data directory (sources.yaml, interventions.yaml, milestones.yaml, trials/), "
        "relative to the Sphinx source directory.",
    ),
    "trialbook_pages_dir": (
        "trials",
        "env",
        frozenset({str}),
        "Where a page per trial is generated, relative to the source directory.",
    ),
    "trialbook_generate_pages": (
        True,
        "env",
        frozenset({bool}),
        "Generate a page per trial; switch off to write every trial's page by hand.",
    ),
    "trialbook_navigation_limit": (
        50,
        "env",
        frozenset({int}),
        "The most trial pages the HTML navigation lists (``trial-pages``): beyond it the "
        "trials page links them in a list instead, and the PDF still has every one.",
    ),
}


def _copy_css(app: Sphinx) -> None:
    """Put the stylesheet among the site's static files before any page is written.

    Pages link it with a checksum of the file they find (``trialbook.css?v=…``): a
    clean build that copied it only at the end linked it without one, and its pages
    differed from those of an incremental build. (Appending to ``html_static_path``
    instead would change the configuration Sphinx pickles, and every later build
    would re-read every page.)
    """
    if app.builder.format == "html":
        static = Path(app.outdir) / "_static"
        static.mkdir(parents=True, exist_ok=True)  # else the copy would be a file called _static
        copy_asset_file(STATIC / CSS, static)


def setup_config(app: Sphinx) -> None:
    """Register the ``trialbook_*`` configuration values and the stylesheet."""
    for name, (default, rebuild, types, description) in CONFIG.items():
        app.add_config_value(name, default, rebuild, types=types, description=description)  # type: ignore[arg-type]
    app.add_css_file(CSS)
    app.connect("builder-inited", _copy_css)
