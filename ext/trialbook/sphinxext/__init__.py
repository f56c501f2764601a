"""The Sphinx layer: the one registration hub of trialbook.

Each module owns one feature and exposes ``setup_<feature>(app)``; this hub calls
them in order and declares the extension's metadata.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import __version__
from .cards import setup_cards
from .citing import setup_citing
from .config import setup_config
from .data_reference import setup_data_reference
from .dataset import setup_dataset
from .discrepancy_list import setup_discrepancy_list
from .domain import setup_domain
from .downloads import setup_downloads
from .figures import setup_figures
from .findings_table import setup_findings_table
from .key_findings import setup_key_findings
from .latex import setup_latex
from .measure_tables import setup_measure_tables
from .memory import setup_memory
from .milestone_timeline import setup_milestone_timeline
from .outcome_table import setup_outcome_table
from .packing import setup_packing
from .pages import setup_pages
from .refresh import setup_refresh
from .regimen_table import setup_regimen_table
from .safety_table import setup_safety_table
from .source_list import setup_source_list
from .tables import setup_tables
from .trial_arms import setup_trial_arms
from .trial_summary import setup_trial_summary
from .val_role import setup_val_role

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: Bump when what we store in the environment changes shape (forces a full re-read).
ENV_VERSION = 6


def setup(app: Sphinx) -> dict[str, Any]:
    """Register config values, events, directives; see each ``setup_*``."""
    app.setup_extension("myst_parser")
    app.setup_extension("sphinx_design")  # styles the summary cards in HTML
    setup_config(app)
    setup_dataset(app)
    setup_latex(app)
    setup_pages(app)
    setup_refresh(app)
    setup_outcome_table(app)
    setup_trial_summary(app)
    setup_trial_arms(app)
    setup_safety_table(app)
    setup_discrepancy_list(app)
    setup_milestone_timeline(app)
    setup_measure_tables(app)
    setup_regimen_table(app)
    setup_figures(app)
    setup_findings_table(app)
    setup_data_reference(app)
    setup_downloads(app)
    setup_source_list(app)
    setup_val_role(app)
    setup_domain(app)
    setup_citing(app)
    setup_key_findings(app)
    setup_cards(app)
    setup_tables(app)
    setup_packing(app)
    setup_memory(app)
    return {
        "version": __version__,
        "env_version": ENV_VERSION,
        # Dependencies are recorded with env.note_dependency, which Sphinx merges
        # across processes; the domain filters by document in clear_doc and
        # merge_domaindata (tests/test_incremental.py builds with -j 2).
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
