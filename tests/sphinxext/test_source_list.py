"""source-list: numbered groups, anchors, miscitations, cited-by counts, [n] links."""

from __future__ import annotations

import html as htmllib
import re
from typing import TYPE_CHECKING

import pytest
from docutils import nodes
from sphinx.util.console import strip_colors

from trialbook.load.dataset import load_dataset
from trialbook.model.records import Dataset
from trialbook.report.citations import KIND_ORDER, KIND_TITLES, cited_by, source_numbers

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from sphinx.testing.util import SphinxTestApp


def _dataset(handbook: Path) -> Dataset:
    return load_dataset(handbook / "data").dataset


def _entries(html: str) -> dict[str, str]:
    """Source id → the HTML of its entry (``<li>`` … ``</li>``) in sources.html."""
    return dict(re.findall(r'<li><p id="source-([\w-]+)">(.*?)</li>', html, flags=re.S))


def _anchor(item: nodes.Node) -> str:
    """The one ``source-*`` id in a list item (docutils moves a target's id onward)."""
    assert isinstance(item, nodes.Element)
    (anchor,) = [
        i for node in item.findall(nodes.Element) for i in node["ids"] if i.startswith("source-")
    ]
    return str(anchor)


def _text(fragment: str) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_entries_are_numbered_in_groups_with_anchors_and_counts(
    build: Callable[..., SphinxTestApp], handbook_copy: Path
) -> None:
    dataset = _dataset(handbook_copy)
    numbers = source_numbers(dataset)
    counts = {source: len(citations) for source, citations in cited_by(dataset).items()}
    assert len(dataset.sources) == 59
    assert sorted(numbers.values()) == list(range(1, 60))
    app = build("html", handbook_copy / "docs")
    assert "WARNING" not in app.warning.getvalue(), app.warning.getvalue()

    # The doctree: a group title (a rubric: it keeps with its list in the PDF), then a
    # list numbered [n] continuing the count.
    doctree = app.env.get_doctree("sources")
    lists = list(doctree.findall(nodes.enumerated_list))
    kinds = [kind for kind in KIND_ORDER if any(s.kind == kind for s in dataset.sources.values())]
    assert len(lists) == len(kinds)
    listed: list[str] = []
    for listing, kind in zip(lists, kinds, strict=True):
        title = listing.previous_sibling()
        assert isinstance(title, nodes.rubric)
        assert title.astext() == KIND_TITLES[kind]
        assert (listing["prefix"], listing["suffix"], listing["enumtype"]) == ("[", "]", "arabic")
        ids = [_anchor(item).removeprefix("source-") for item in listing.children]
        assert listing.get("start", 1) == numbers[ids[0]]
        assert all(dataset.sources[s].kind == kind for s in ids)
        listed += ids
    assert listed == sorted(numbers, key=numbers.__getitem__)
    assert [t.astext() for t in doctree.findall(nodes.rubric)] == [KIND_TITLES[k] for k in kinds]
    assert KIND_TITLES["journal-article"] == "Journal articles"
    assert KIND_TITLES["review"] == "Reviews"

    # The HTML: every source has its anchor, entries carry their number via start.
    page = (app.outdir / "sources.html").read_text(encoding="utf-8")
    entries = _entries(page)
    assert set(entries) == set(dataset.sources)
    starts = re.findall(r'<ol class="arabic trialbook-sources" start="(\d+)">', page)
    assert [int(n) for n in starts] == [listing.get("start", 1) for listing in lists]
    for source_id, entry in entries.items():
        text = _text(entry)
        assert dataset.sources[source_id].citation.rstrip(".") in text
        match = re.search(r"Cited for (\d+) values?:", text)
        if source_id in counts:
            assert match is not None, source_id
            assert int(match.group(1)) == counts[source_id], source_id
        else:
            assert match is None, source_id

    # The news item that gets the CAMMS223 page numbers wrong says so.
    nmss = _text(entries["nmss-2011"])
    assert "Miscitation:" in nmss
    assert "359;17:30-45" in nmss
    assert "1786–1801" in nmss
    # A review's slip is said where the review is listed, and the tables it is cited
    # at are listed in order (Table 2 before Table 10).
    review = _text(entries["fernandez-2014"])
    assert "Slip: Table 4, serious thyroid disorders, total prints “11 (9%)”." in review
    assert review.strip().endswith("Cited at: Table 2, Table 3, Table 4.")
    # Readers never see the data's ids: shared records are named in words.
    label = _text(entries["openfda-lemtrada-label"])
    assert "Treatments (Alemtuzumab, how it is given and monitored)" in label
    assert "api.fda.gov/drug/label.json?…" in label
    assert "ifn-beta-1a" not in _text(page) and "fda-first-decision" not in _text(page)


def test_markers_link_to_the_numbered_entry(
    build: Callable[..., SphinxTestApp], handbook_copy: Path
) -> None:
    dataset = _dataset(handbook_copy)
    number = source_numbers(dataset)["lancet-2012-care-ms-i"]
    citation = dataset.sources["lancet-2012-care-ms-i"].citation
    estimate = dataset.trial("care-ms-i").outcomes[0].comparison
    assert estimate is not None and estimate.estimate is not None
    assert estimate.estimate.source == "lancet-2012-care-ms-i"
    app = build("html", handbook_copy / "docs")
    page = (app.outdir / "primary-endpoints.html").read_text(encoding="utf-8")
    match = re.search(
        r'<span class="trialbook-figure">0\.45 \(0\.32–0\.63\)</span> <a ([^>]*)>(.*?)</a>', page
    )
    assert match is not None
    attrs = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
    assert attrs["href"] == "sources.html#source-lancet-2012-care-ms-i"
    assert htmllib.unescape(attrs["title"]) == citation
    assert _text(match.group(2)) == f"[{number}]"
    # The anchor it points at is the entry with that number.
    sources = (app.outdir / "sources.html").read_text(encoding="utf-8")
    start, rest = re.split(r'<p id="source-lancet-2012-care-ms-i">', sources)
    last_list = start.rsplit('<ol class="arabic trialbook-sources" start="', 1)[1]
    first = int(last_list.split('"', 1)[0])
    assert first + last_list.count("<li>") - 1 == number  # the last <li> is the entry
    assert rest


@pytest.mark.sphinx("html", testroot="roles", srcdir="source-list-missing-message")
def test_without_a_source_list_the_warning_says_so(app: SphinxTestApp) -> None:
    (app.srcdir / "sources.md").unlink()
    app.build()
    warnings = strip_colors(app.warning.getvalue())
    assert "(known: )" not in warnings
    assert "source-list" in warnings
