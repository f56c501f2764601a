"""Configuration values of trialbook (all typed, all documented)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def setup_config(app: Sphinx) -> None:
    """Register ``trialbook_*`` configuration values."""
    # Path of the data directory, relative to the Sphinx source directory.
    app.add_config_value("trialbook_data_dir", "data", "env", types=frozenset({str}))
    # Folder (relative to the source directory) where trial pages are generated.
    app.add_config_value("trialbook_pages_dir", "trials", "env", types=frozenset({str}))
    # Generate a page per trial; switch off to write every page by hand.
    app.add_config_value("trialbook_generate_pages", True, "env", types=frozenset({bool}))
