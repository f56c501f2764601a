"""Sphinx configuration of the alemtuzumab handbook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from trialbook.load.dataset import load_sources
from trialbook.report.citations import evidence_date
from trialbook.report.format import date

project = "Alemtuzumab in relapsing-remitting multiple sclerosis"
author = "trialbook"
copyright = "2026, the trialbook authors"

extensions = ["myst_parser", "sphinx_design", "trialbook"]

# The handbook's version, and the date of its newest source: the title page and the
# footer say what the evidence is as of, from the data itself.
version = release = "1.0"
_newest = evidence_date(load_sources(Path(__file__).parent.parent / "data"))
today = f"Evidence as of {date(_newest)}" if _newest else ""
# Every HTML page's footer says the same, after the copyright.
copyright += f". Version {release}. {today}"

trialbook_data_dir = "../data"

root_doc = "index"
exclude_patterns = ["_build", "_includes"]  # _includes: parts of pages
nitpicky = True
numfig = True
numfig_secnum_depth = 0  # "Table 3" in HTML and in the PDF, not "Table 1.3"
numfig_format = {"table": "Table %s", "figure": "Figure %s"}
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

html_theme = "furo"
templates_path = ["_templates"]
# furo's sidebar, and a link to the PDF handbook on every page.
html_sidebars = {
    "**": [
        "sidebar/brand.html",
        "sidebar/search.html",
        "sidebar/scroll-start.html",
        "sidebar/navigation.html",
        "sidebar/pdf.html",
        "sidebar/ethical-ads.html",
        "sidebar/scroll-end.html",
        "sidebar/variant-selector.html",
    ]
}
html_title = "Alemtuzumab in RRMS: a trialbook handbook"
html_last_updated_fmt = None

latex_engine = "pdflatex"
latex_documents = [
    (
        root_doc,
        "trialbook-alemtuzumab.tex",
        "Alemtuzumab in relapsing-remitting multiple sclerosis",
        "A trialbook handbook",
        "manual",
    )
]
latex_elements = {
    "papersize": "a4paper",
    "pointsize": "10pt",
    "fontpkg": r"\usepackage{tgtermes}\usepackage{tgheros}\usepackage{tgcursor}",
    "sphinxsetup": "TableRowColorOdd={gray}{0.97}",
    # One-sided: chapters open on the next page, not the next odd one, so no page is
    # left blank for nothing.
    "extraclassoptions": "openany,oneside",
    "preamble": r"""
% Tables of results are dense: set them a size smaller than the text.
\usepackage{etoolbox}
\AtBeginEnvironment{tabular}{\small}
\AtBeginEnvironment{longtable}{\small}
\AtBeginEnvironment{tabulary}{\small}
% The index lists trials, outcomes and adverse events, not code: set it in the text
% face (Sphinx's default is monospace).
\renewcommand{\sphinxstyleindexentry}[1]{#1}
""",
    # Figures stay where the text puts them, next to the table of their data.
    "figure_align": "H",
    # The contents (called so, not after the first toctree's caption), the lists of
    # tables and figures, then the home page's text under a heading of its own, all
    # numbered in roman; the chapters start at 1 (index.md switches to arabic). The
    # appendix's field tables are left out of the list of tables (index.md).
    "tableofcontents": r"\renewcommand{\contentsname}{Contents}"
    r"\pagenumbering{roman}\tableofcontents"
    r"\edef\trialbooktocdepth{\the\value{tocdepth}}\listoftables"
    r"\setcounter{tocdepth}{\trialbooktocdepth}\listoffigures"
    r"\chapter*{About this handbook}\markboth{About this handbook}{About this handbook}",
}
latex_table_style = ["booktabs", "colorrows"]


def _caption_heading_level(
    app: object, pagename: str, templatename: str, context: dict[str, object], doctree: object
) -> None:
    """Give the sidebar's section captions ("The handbook", "For authors") the
    heading level that ``role="heading"`` requires (axe, the Nu validator)."""
    tree = context.get("furo_navigation_tree")
    if isinstance(tree, str):
        context["furo_navigation_tree"] = tree.replace(
            'role="heading">', 'role="heading" aria-level="2">'
        )


def setup(app: Any) -> None:
    """After furo has built the navigation of a page."""
    app.connect("html-page-context", _caption_heading_level, priority=900)
