"""The static twin's one rule beyond plain Sphinx: a table of contents for print only.

trialbook's ``trial-pages``, past its navigation limit, keeps its toctree for the
PDF inside ``only:: not format_html`` and takes it out of the HTML navigation
(:func:`trialbook.sphinxext.pages._off_navigation`): the ``only`` alone is not
enough, since Sphinx lifts toctrees out of it for furo's navigation. The twin
freezes that toctree into the same ``only`` block, and this extension does the same
as trialbook, so that the twin's pages have the handbook's navigation; without it
every page of the twin listed every trial page (quadratic in the trials), which
trialbook's pages do not.

Written again here rather than imported from :mod:`trialbook.sphinxext.pages`:
importing it imports the whole extension, 0.13 to 0.15 s that every build of the
twin would then pay (a fifth of its 0.75 s no-op at 3 trials), and the twin's
frozen toctree has no trialbook attribute to mark it, so it is found by its
``only`` block instead.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx

PRINT_ONLY = "not format_html"


def _off_navigation(app: Sphinx, doctree: nodes.document) -> None:
    print_only = {
        tuple(toctree["includefiles"])
        for only in doctree.findall(addnodes.only)
        if only["expr"] == PRINT_ONLY
        for toctree in only.findall(addnodes.toctree)
    }
    toc = app.env.tocs.get(app.env.docname)
    if not print_only or toc is None:
        return
    for toctree in list(toc.findall(addnodes.toctree)):
        if tuple(toctree["includefiles"]) in print_only:
            parent = toctree.parent
            parent.remove(toctree)
            if isinstance(parent, addnodes.only) and not parent.children:
                parent.parent.remove(parent)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-read", _off_navigation, priority=900)  # after the toctree collector
    return {"parallel_read_safe": True, "parallel_write_safe": True}
