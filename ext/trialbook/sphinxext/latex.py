"""LaTeX support: ``trialbook.sty`` declares the characters our formatter writes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

STY = Path(__file__).parent / "latex" / "trialbook.sty"


def _add_sty(app: Sphinx, config: Config) -> None:
    files = list(config.latex_additional_files)
    if str(STY) not in map(str, files):
        config.latex_additional_files = [*files, str(STY)]


def setup_latex(app: Sphinx) -> None:
    """Ship ``trialbook.sty`` with the LaTeX sources and load it."""
    app.add_latex_package("trialbook")
    app.connect("config-inited", _add_sty)
