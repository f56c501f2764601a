"""LaTeX support: ``trialbook.sty`` declares the characters our formatter writes, and
links in headings survive a heading style that capitalises them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.writers.latex import LaTeXTranslator

STY = Path(__file__).parent / "latex" / "trialbook.sty"


def _add_sty(app: Sphinx, config: Config) -> None:
    files = list(config.latex_additional_files)
    if str(STY) not in map(str, files):
        config.latex_additional_files = [*files, str(STY)]


#: TeX's memory for the PDF: pdflatex's default main memory (5,000,000 words) ran out
#: in a long table of a 100-trial handbook (page 465); with this much more on top the
#: 865 pages compiled. TeX reads these from the environment, with no new format.
EXTRA_MEMORY = "20000000"
_MARK = "# trialbook: more TeX memory"


def _more_memory(app: Sphinx, exception: Exception | None) -> None:
    """Give the TeX runs that ``make latexpdf`` (latexmk) starts more memory."""
    rc = Path(app.outdir) / "latexmkrc"
    if exception is not None or app.builder.format != "latex" or not rc.is_file():
        return
    text = rc.read_text(encoding="utf-8")
    if _MARK not in text:
        lines = [
            f"$ENV{{'{name}'}} ||= '{EXTRA_MEMORY}';"
            for name in ("extra_mem_top", "extra_mem_bot")
        ]
        rc.write_text(
            text.rstrip("\n") + f"\n{_MARK}\n" + "\n".join(lines) + "\n", encoding="utf-8"
        )


class heading_link(nodes.reference):
    """A link in a chapter or section heading (a citation's ``[n]``, a trial's name).

    Sphinx's default chapter style (fncychap's Bjarne) prints chapter titles in
    capitals, and LaTeX's ``\\MakeUppercase`` capitalises the link's target too:
    ``\\hyperref[sources:source-a]`` became ``SOURCES:SOURCE-A``, an undefined
    reference. This node writes ``\\trialbookref``, whose target ``trialbook.sty``
    keeps out of case changes."""


def in_heading(node: nodes.Node) -> bool:
    """Whether ``node`` is inside the title of a section (chapter, section, ...)."""
    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.title):
            return isinstance(parent.parent, nodes.section)
        parent = parent.parent
    return False


def heading_links(refs: list[nodes.reference]) -> None:
    """Make each internal link of ``refs`` that is inside a section title a
    :class:`heading_link`."""
    for ref in refs:
        internal = "refid" in ref or str(ref.get("refuri", "")).startswith(("#", "%"))
        if type(ref) is nodes.reference and internal and in_heading(ref):
            ref.replace_self(heading_link(ref.rawsource, "", *ref.children, **ref.attributes))


class HeadingLinks(SphinxPostTransform):
    """LaTeX: links in section titles as :class:`heading_link` (the citations that the
    writer draws are made so there, see :func:`~.citing.visit_citing`)."""

    default_priority = 800  # after every link is resolved
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        """Each section title of the page."""
        for title in self.document.findall(nodes.title):
            if isinstance(title.parent, nodes.section):
                heading_links(list(title.findall(nodes.reference)))


def visit_heading_link(self: LaTeXTranslator, node: heading_link) -> None:
    """Sphinx's link, opened with ``\\trialbookref{target}`` instead of ``\\hyperref[target]``."""

    def hyperlink(target: str) -> str:
        return "{\\trialbookref{" + self.idescape(target) + "}{"

    setattr(self, "hyperlink", hyperlink)  # noqa: B010 (for this one visit)
    try:
        self.visit_reference(node)
    finally:
        delattr(self, "hyperlink")


def depart_heading_link(self: LaTeXTranslator, node: heading_link) -> None:
    """Close as Sphinx closes a link."""
    self.depart_reference(node)


def _visit_html(self: Any, node: nodes.reference) -> None:
    self.visit_reference(node)


def _depart_html(self: Any, node: nodes.reference) -> None:
    self.depart_reference(node)


def setup_latex(app: Sphinx) -> None:
    """Ship ``trialbook.sty`` with the LaTeX sources and load it; give TeX the memory
    a handbook with many trials needs; keep links in headings working."""
    app.add_latex_package("trialbook")
    app.add_node(
        heading_link,
        latex=(visit_heading_link, depart_heading_link),
        html=(_visit_html, _depart_html),
    )
    app.add_post_transform(HeadingLinks)
    app.connect("config-inited", _add_sty)
    app.connect("build-finished", _more_memory)
