"""Sphinx configuration of the alemtuzumab handbook."""

from __future__ import annotations

project = "Alemtuzumab in relapsing-remitting multiple sclerosis"
author = "trialbook"
copyright = "2026, the trialbook authors"  # noqa: A001

extensions = ["myst_parser", "sphinx_design", "trialbook"]

trialbook_data_dir = "../data"

root_doc = "index"
exclude_patterns = ["_build"]
nitpicky = True
numfig = True
numfig_format = {"table": "Table %s", "figure": "Figure %s"}
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = "Alemtuzumab in RRMS: a trialbook handbook"
html_static_path = ["_static"]
html_css_files = ["trialbook.css"]
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
    "preamble": r"""
% Tables of results are dense: set them a size smaller than the text.
\usepackage{etoolbox}
\AtBeginEnvironment{tabular}{\small}
\AtBeginEnvironment{longtable}{\small}
""",
    "sphinxsetup": "TableRowColorOdd={gray}{0.97}",
}
latex_table_style = ["booktabs", "colorrows"]
