"""Citations as stored, linked when references are resolved, drawn by the writers.

A page stores each cited value as one node (:class:`~.render.cited_figure`, or
:class:`~.render.source_cite` for a citation alone); see :class:`~.render.Citing`
for why. What the reader sees is the figure in its span, then ``[n]`` linking to
the source list; the trial domain makes the link
(:meth:`~.domain.TrialDomain.source_link`), as it does for the ``src`` role, so
both read the same in every format.

When references are resolved, :class:`ExpandCitations` finds the link of every
source a page cites, and warns where one cannot be made. The HTML and LaTeX writers
then draw each cited node as those nodes, as they reach it (:func:`visit_citing`):
at 100 trials the handbook has some 30,000 cited values, and made into their seven
nodes each before writing they cost 4.8 s of a 43 s build, and every later pass
over the pages (sphinx-design's, the CSV downloads, the column labels) went over
them too. Drawn by the writer, they are made once, in the parallel writers under
``-j``. Other writers (text, man, texinfo) get the nodes made before writing.
The output is the same either way; the tests compare the two.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docutils import nodes

from .dataset import state_of
from .domain import SourceLink, domain_of, link_node
from .latex import heading_links
from .render import CITES, LOCATOR, NBSP, SIC, Citing, cited_figure, figure_parts, source_cite
from .rows import RowsTransform

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.docutils import SphinxTranslator

#: Formats whose writers draw cited nodes themselves (see :func:`visit_citing`).
DRAWN: tuple[str, ...] = ("html", "latex")
#: Attribute of a resolved document: source id → its link, or None (see ExpandCitations).
_LINKS = "trialbook_links"

Links = dict[str, SourceLink | None]


def links_of(document: nodes.document) -> Links:
    """The links of the sources a resolved document cites."""
    found: Links = getattr(document, _LINKS, {})
    return found


def drawn(node: Citing, links: Links, *, latex: bool = False) -> list[nodes.Node]:
    """What a citing node shows: its figure (if any) and its linked ``[n]``."""
    link: nodes.Element | None = None
    if CITES in node:
        content = nodes.inline("", node.citation_text(), classes=["trialbook-cite"])
        link = link_node(links.get(node[CITES]), content, node.get(LOCATOR))
    if isinstance(node, cited_figure):
        whole = figure_parts(node, latex=latex)
        if link is not None:
            whole += [nodes.Text(" "), link]
        return [whole]
    return [link] if link is not None else []


def printed_text(node: Citing, links: Links) -> str:
    """The text of :func:`drawn` (``0.26 sic [5, Table 4]``), without making it."""
    parts = [] if isinstance(node, source_cite) else [node.astext()]
    if node.get(SIC):
        parts.append("sic")
    if CITES in node:
        link = links.get(node[CITES])
        number = link[2] if link is not None else None
        if number is None:
            parts.append(node.citation_text())
        elif node.get(LOCATOR):
            parts.append(f"[{number}, {node[LOCATOR].replace(' ', NBSP)}]")
        else:
            parts.append(f"[{number}]")
    return " ".join(parts)


class ExpandCitations(RowsTransform):
    """Find the link of each source a page cites; where its writer does not draw them,
    make each citing node into its figure and linked ``[n]``."""

    default_priority = 5  # before Sphinx's ReferencesResolver (10), in every format

    def run_on(self, roots: list[nodes.Element], docname: str) -> None:
        """One walk: link each source once (warn at each node that cites one that
        cannot be linked); expand the nodes unless the writer draws them."""
        domain = domain_of(self.env)
        builder = state_of(self.env).builder
        assert builder is not None
        links: Links = dict(links_of(self.document))
        expand = builder.format not in DRAWN
        for node in self.found(roots, Citing):
            source = node.get(CITES)
            if source is not None and links.get(source) is None:
                links[source] = domain.source_link(builder, docname, source, node)
            if expand:
                node.replace_self(drawn(node, links))
        setattr(self.document, _LINKS, links)


def visit_citing(self: SphinxTranslator, node: Citing) -> None:
    """HTML and LaTeX: put what the node shows in its place, and write that.

    A node the resolved page did not hold (one Sphinx copied out of it, such as a
    section title in the navigation) is linked here, the same way."""
    links = links_of(self.document)
    source = node.get(CITES)
    if source is not None and source not in links:
        links = {**links}
        docname = getattr(self.builder, "current_docname", None) or self.builder.config.root_doc
        links[source] = domain_of(self.builder.env).source_link(
            self.builder, docname, source, node
        )
    latex = self.builder.format == "latex"
    shown = unlinked(node) if _inside(node, nodes.reference) else drawn(node, links, latex=latex)
    parent = node.parent
    at = parent.index(node)
    parent[at : at + 1] = shown
    if latex:
        heading_links([ref for child in shown for ref in _links_in(child)])
    for child in shown:
        child.walkabout(self)
    raise nodes.SkipNode


def unlinked(node: Citing) -> list[nodes.Node]:
    """What a citing node shows inside a link (a link cannot hold another): its
    figure, without its ``[n]``."""
    return [figure_parts(node)] if isinstance(node, cited_figure) else []


def _inside(node: nodes.Node, kind: type[nodes.Element]) -> bool:
    parent = node.parent
    while parent is not None and not isinstance(parent, kind):
        parent = parent.parent
    return parent is not None


def _links_in(node: nodes.Node) -> list[nodes.reference]:
    found = [node] if isinstance(node, nodes.reference) else []
    if isinstance(node, nodes.Element):
        found += node.findall(nodes.reference)
    return found


def _titles_as_copied(app: Sphinx, doctree: nodes.document) -> None:
    """The page's title and headings as Sphinx keeps them for other pages (navigation,
    contents, the window title, ``{doc}`` links): each figure without its ``[n]``.

    A heading's ``[n]`` stays on the page. In those copies it would be a link inside
    the link to the page (invalid HTML: in the handbook's side bar, a value in a
    heading nested its citation link in the page's), or noise in a window title."""
    env = app.env
    for root in (
        env.titles.get(env.docname),
        env.longtitles.get(env.docname),
        env.tocs.get(env.docname),
    ):
        if root is None:
            continue
        for node in list(root.findall(Citing)):
            shown = unlinked(node)
            if shown:
                node.replace_self(shown)
            else:
                node.parent.remove(node)


def setup_citing(app: Sphinx) -> None:
    """Link stored citations in every builder; HTML and LaTeX draw them."""
    app.add_post_transform(ExpandCitations)
    for kind in (cited_figure, source_cite):
        app.add_node(kind, html=(visit_citing, None), latex=(visit_citing, None))
    # After Sphinx has copied the titles (its collectors, priority 500).
    app.connect("doctree-read", _titles_as_copied, priority=600)
