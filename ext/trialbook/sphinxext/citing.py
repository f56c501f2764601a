"""Citations as stored, made into links when references are resolved.

A page stores each cited value as one node (:class:`~.render.cited_figure`, or
:class:`~.render.source_cite` for a citation alone); see :class:`~.render.Citing`
for why. Before Sphinx resolves references, each becomes what the reader sees: the
figure in its span, then ``[n]`` linking to the source list. The trial domain makes
the link (:meth:`~.domain.TrialDomain.source_reference`), as it does for the ``src``
role, so both read the same in every format.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from .dataset import state_of
from .domain import SourceLink, domain_of
from .render import CITES, LOCATOR, Citing, cited_figure, figure_parts

if TYPE_CHECKING:
    from sphinx.application import Sphinx


class ExpandCitations(SphinxPostTransform):
    """Each stored citing node becomes its figure and its linked ``[n]``."""

    default_priority = 5  # before Sphinx's ReferencesResolver (10), in every format

    def run(self, **kwargs: Any) -> None:
        """Replace every citing node (one walk; they are never nested)."""
        domain = domain_of(self.env)
        builder = state_of(self.env).builder
        assert builder is not None
        docname = self.env.docname
        links: dict[str, SourceLink] = {}
        for node in list(self.document.findall(Citing)):
            link = None
            if CITES in node:
                content = nodes.inline("", node.citation_text(), classes=["trialbook-cite"])
                link = domain.source_reference(
                    builder, docname, node[CITES], node.get(LOCATOR), content, node, links=links
                )
            if isinstance(node, cited_figure):
                whole = figure_parts(node)
                if link is not None:
                    whole += [nodes.Text(" "), link]
                node.replace_self(whole)
            else:
                node.replace_self(link if link is not None else [])


def setup_citing(app: Sphinx) -> None:
    """Expand stored citations in every builder."""
    app.add_post_transform(ExpandCitations)
