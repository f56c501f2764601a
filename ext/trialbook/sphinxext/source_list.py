"""``source-list``: the numbered bibliography, grouped by kind.

Each entry is a target (``{src}`` references and every ``[n]`` marker land on
it), shows its identifiers as links, any miscitation of another source that it
contains, and which values cite it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docutils import nodes

from ..report import format as fmt
from ..report.citations import KIND_TITLES, cited_by, cited_locators, cited_topics, source_order
from .base import TrialbookDirective
from .dataset import INTERVENTIONS, MILESTONES, SOURCES
from .domain import domain_of, target_node
from .render import cite, paragraph, verbatim

if TYPE_CHECKING:
    from sphinx.application import Sphinx

    from ..model.records import Source

_LINKS = (
    ("doi", "https://doi.org/{}"),
    ("pmid", "https://pubmed.ncbi.nlm.nih.gov/{}/"),
    ("pmcid", "https://www.ncbi.nlm.nih.gov/pmc/articles/{}/"),
    ("nct", "https://clinicaltrials.gov/study/{}"),
)


def _identifiers(source: Source) -> list[nodes.Node]:
    out: list[nodes.Node] = []
    for field, url in _LINKS:
        value = getattr(source, field)
        if value:
            # "PMC6169984" and "NCT00530348" say what they are; a DOI or PMID needs a label.
            label = value if field in ("pmcid", "nct") else f"{field.upper()} {value}"
            out += [nodes.Text(" "), nodes.reference("", label, refuri=url.format(value))]
    if source.url and not source.nct:
        out += [nodes.Text(" "), nodes.reference("", _shown_url(source.url), refuri=source.url)]
    return out


def _shown_url(url: str) -> str:
    """A link's text: the address without its scheme, shortened to its site and path
    when it carries a query (an API call reads as noise)."""
    bare = url.removeprefix("https://")
    if "?" in bare:
        return bare.split("?", 1)[0] + "?…"
    return bare


def _cited(count: int, topics: dict[str, list[str]]) -> nodes.paragraph:
    para = paragraph(f"Cited for {count} value{'s' if count != 1 else ''}: ")
    para["classes"].append("trialbook-cited-by")
    parts = [f"{record} ({', '.join(items)})" for record, items in topics.items()]
    para += nodes.Text("; ".join(parts) + ".")
    return para


class SourceList(TrialbookDirective):
    """The bibliography: every source, numbered, grouped by kind. No options."""

    has_content = False

    def render(self) -> list[nodes.Node]:
        """Sections of numbered entries, one target each."""
        dataset = self.data.dataset
        domain_of(self.env).source_lists()[self.env.docname] = self.lineno
        self.depend_on(
            [*dataset.trials, *dataset.failed],
            all_trials=True,
            shared=(SOURCES, INTERVENTIONS, MILESTONES),
        )
        counts = {source: len(c) for source, c in cited_by(dataset).items()}
        topics = cited_topics(dataset)
        places = cited_locators(dataset)
        out: list[nodes.Node] = []
        current_kind = None
        listing: nodes.enumerated_list | None = None
        for number, source_id in enumerate(source_order(dataset), 1):
            source = dataset.sources[source_id]
            if source.kind != current_kind:
                current_kind = source.kind
                title = KIND_TITLES[source.kind]
                out.append(nodes.rubric(title, title))  # keeps with its list in the PDF
                listing = nodes.enumerated_list(
                    enumtype="arabic", prefix="[", suffix="]", start=number
                )
                listing["classes"].append("trialbook-sources")
                verbatim(listing)
                out.append(listing)
            assert listing is not None
            item = nodes.list_item()
            item += target_node("source", source_id, source.citation, self.env)
            entry = paragraph(nodes.Text(source.citation))
            if source.date and source.date[:4] not in source.citation:
                entry = paragraph(f"{source.citation.rstrip('.')} ({fmt.date(source.date)}).")
            entry += _identifiers(source)  # the source's data id stays in the page's anchor
            item += entry
            if source.note:
                item += paragraph(source.note)
            for mis in source.miscitations:
                ref = cite(mis.cites)
                item += paragraph(
                    nodes.emphasis("", "Miscitation: "),
                    "cites ",
                    *((ref,) if ref is not None else (mis.cites,)),
                    f" as “{mis.as_printed}”; the correct reference is "
                    f"{mis.correct}." + (f" {mis.note}" if mis.note else ""),
                )
            for slip in source.errata:
                item += paragraph(
                    nodes.emphasis("", "Slip: "),
                    f"{slip.locator} prints “{slip.as_printed.rstrip('.')}”. {slip.note}",
                )
            if source_id in counts:
                item += _cited(counts[source_id], topics[source_id])
            if source_id in places:
                where = paragraph(f"Cited at: {', '.join(places[source_id])}.")
                where["classes"].append("trialbook-cited-by")
                item += where
            listing += item
        return out


def setup_source_list(app: Sphinx) -> None:
    """Register the ``source-list`` directive."""
    app.add_directive("source-list", SourceList)
