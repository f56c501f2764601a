"""trialbook: clinical-trial evidence from structured data, as a Sphinx handbook.

The core (model, loading, checks, formatting) never imports Sphinx; ``setup`` hands
over to :mod:`trialbook.sphinxext`, so ``python -m trialbook check`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.application import Sphinx

__version__ = "0.1.0"


def setup(app: Sphinx) -> dict[str, Any]:
    """Sphinx entry point (``extensions = ["trialbook"]``)."""
    from .sphinxext import setup as setup_sphinx

    return setup_sphinx(app)
