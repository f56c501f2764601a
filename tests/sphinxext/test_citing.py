"""Citations are stored compactly and become links when references are resolved, in
every builder; the targets trialbook makes leave no "not referenced" notes behind."""

from __future__ import annotations

import inspect
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sphinx
from docutils import nodes
from sphinx import addnodes
from sphinx.testing.util import SphinxTestApp
from sphinx.util.console import strip_colors

import trialbook.sphinxext.citing
from conftest import built_with_and_without, stored, written_files
from trialbook.sphinxext.citing import drawn, links_of, printed_text
from trialbook.sphinxext.latexlog import log_problems
from trialbook.sphinxext.render import CITES, Citing, cited_figure, source_cite

ROOTS = Path(__file__).resolve().parent.parent / "roots"


@pytest.mark.parametrize("builder", ["html", "latex", "text"])
def test_stored_citations_are_one_node_each_and_resolve_in_every_builder(
    build: Callable[..., SphinxTestApp], basic: Path, builder: str
) -> None:
    app = build(builder, basic)
    assert "WARNING" not in app.warning.getvalue(), app.warning.getvalue()
    page = stored(app, "index")
    figures = list(page.findall(cited_figure))
    assert figures and all(CITES in f for f in figures)
    # A cited figure holds its figure's text and nothing else; no pending reference.
    assert all(len(f.children) == 1 and isinstance(f[0], nodes.Text) for f in figures)
    assert not [x for x in page.findall(addnodes.pending_xref) if x["reftype"] == "src"]
    resolve = app.env.get_and_resolve_doctree
    tags: dict[str, Any] = (
        {"tags": app.tags} if "tags" in inspect.signature(resolve).parameters else {}
    )
    resolved = resolve("index", app.builder, **tags)  # Sphinx 9 takes the tags
    if builder == "text":
        assert not list(resolved.findall(Citing))  # expanded before writing
    else:  # HTML and LaTeX draw them as they write; every source they cite is linked
        kept = list(resolved.findall(Citing))
        links = links_of(resolved)
        assert {n[CITES] for n in kept} == set(links) and None not in links.values()
        for node in kept:
            node.replace_self(drawn(node, links, latex=builder == "latex"))
    cites = [n for n in resolved.findall(nodes.inline) if "trialbook-cite" in n["classes"]]
    assert len(cites) == len(figures)
    assert all(re.fullmatch(r"\[\d+(, .+)?\]", c.astext()) for c in cites)
    assert all(isinstance(c.parent, nodes.reference) for c in cites)
    first = cites[0].parent
    assert isinstance(first, nodes.reference) and first["reftitle"]


def test_html_of_a_cited_figure(build: Callable[..., SphinxTestApp], basic: Path) -> None:
    app = build("html", basic)
    page = (app.outdir / "index.html").read_text(encoding="utf-8")
    found = re.search(
        r'<span class="trialbook-value"><span class="trialbook-figure">([^<]+)</span> '
        r'<a class="reference internal" href="sources.html#source-([\w-]+)" title="([^"]+)">'
        r'<span class="trialbook-cite">\[(\d+)(?:, <span class="trialbook-locator">[^<]+</span>)?'
        r"\]</span></a></span>",
        page,
    )
    assert found, page


def test_without_a_source_list_citations_warn_once_and_show_their_ids(
    build: Callable[..., SphinxTestApp], basic: Path
) -> None:
    index = basic / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("sources\n", ""), "utf-8")
    (basic / "sources.md").unlink()
    app = build("html", basic)
    warnings = strip_colors(app.warning.getvalue())
    assert warnings.count("no page has a source-list directive") == 1, warnings
    assert re.search(
        rf"{re.escape(str(index))}:\d+: WARNING: values cite sources, but no page has a "
        r"source-list directive.*\[trialbook\.reference\]",
        warnings,
    ), warnings
    page = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<span class="trialbook-cite trialbook-missing">\[[a-z][\w-]*', page)
    assert 'trialbook-cite">[1' not in page


def test_a_citation_alone_is_a_leaf(build: Callable[..., SphinxTestApp], tmp_path: Path) -> None:
    """A figure legend's citations are stored as leaves and shown as [n] links."""
    project = tmp_path / "src"
    shutil.copytree(ROOTS / "test-figures", project)
    app = build("html", project)
    assert "WARNING" not in app.warning.getvalue(), app.warning.getvalue()
    doctree = stored(app, "index")
    leaves = [
        leaf for legend in doctree.findall(nodes.legend) for leaf in legend.findall(source_cite)
    ]
    assert leaves and all(not leaf.children for leaf in leaves)
    page = (app.outdir / "index.html").read_text(encoding="utf-8")
    legends = re.findall(r'<div class="legend">.*?</div>', page, re.S)
    shown = re.findall(
        r'<a class="reference internal" [^>]*><span class="trialbook-cite">\[\d+\]',
        "".join(legends),
    )
    assert len(shown) == len(leaves)


def test_trialbook_targets_leave_no_not_referenced_notes(
    build: Callable[..., SphinxTestApp], basic: Path
) -> None:
    """Docutils notes every target no link on its page points to, and the note is kept
    with the stored page; the targets of trials, outcomes and sources are linked from
    elsewhere. (A generated trial page's own label is a label like an author's.)"""
    app = build("html", basic)
    targets = 0
    for docname in app.env.found_docs:
        doctree = stored(app, docname)
        targets += len(list(doctree.findall(nodes.target)))
        notes = [m.astext() for m in doctree.transform_messages]
        unreferenced = re.findall(r'Hyperlink target "([^"]+)" is not referenced', "".join(notes))
        assert all(t.startswith("trial-page-") for t in unreferenced), (docname, notes)
    assert targets > 10


@pytest.mark.parametrize("root", ["test-tables", "test-hostile"])
@pytest.mark.parametrize("builder", ["html", "latex"])
def test_drawn_by_the_writer_as_if_made_before_writing(
    build: Callable[..., SphinxTestApp],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    builder: str,
    root: str,
) -> None:
    """HTML and LaTeX draw the cited nodes as they write (see citing.py); the files are
    those of a build that made the nodes before writing, as text builders do. Only
    the search index may differ: it no longer sees the "sic" of a value kept as
    printed (the figure itself is indexed)."""
    apps = built_with_and_without(
        build,
        ROOTS / root,
        tmp_path,
        builder,
        lambda: monkeypatch.setattr(trialbook.sphinxext.citing, "DRAWN", ()),
    )
    by_writer_files, before = (written_files(app) for app in apps)
    assert by_writer_files.keys() == before.keys()
    differ = {p for p in before if by_writer_files[p] != before[p]}
    assert differ <= {Path("searchindex.js")}
    # Citations, and a value kept as printed, were drawn (in the pages, not the CSS).
    pages = b"".join(v for p, v in by_writer_files.items() if p.suffix in (".html", ".tex"))
    if builder == "html":
        assert b'<span class="trialbook-cite">[' in pages
        sic = b'class="trialbook-sic" title="'
    else:
        assert b"trialbook-cite}{{[}" in pages
        sic = b"\\sphinxstyleemphasis{sic}"
    assert sic in pages


@pytest.mark.parametrize("root", ["test-tables", "test-hostile"])
def test_printed_text_is_the_text_drawn(
    build: Callable[..., SphinxTestApp], tmp_path: Path, root: str
) -> None:
    """The CSV downloads and the column labels read a cited node's text without
    drawing it: it is the drawn nodes' text, for every cited node of the root."""
    project = tmp_path / "src"
    shutil.copytree(ROOTS / root, project)
    app = build("html", project)
    resolve = app.env.get_and_resolve_doctree
    tags: dict[str, Any] = (
        {"tags": app.tags} if "tags" in inspect.signature(resolve).parameters else {}
    )
    seen = 0
    kinds = set()
    for docname in sorted(app.env.found_docs):
        resolved = resolve(docname, app.builder, **tags)
        links = links_of(resolved)
        for node in resolved.findall(Citing):
            shown = "".join(n.astext() for n in drawn(node, links))
            assert printed_text(node, links) == shown, (docname, node)
            seen += 1
            kinds.add((type(node).__name__, bool(node.get("trialbook_sic"))))
    assert seen > 20 and ("cited_figure", False) in kinds


#: A heading with a cited value and a trial's name: both are links on the page.
HEADING = "# Other: {val}`beta.randomized` randomized in {trial}`alpha`\n"


def _heading(project: Path) -> None:
    other = project / "other.md"
    other.write_text(HEADING + other.read_text(encoding="utf-8").split("\n", 1)[1])


def test_a_value_in_a_heading_is_cited_on_its_page_and_plain_in_copies_of_the_title(
    build: Callable[..., SphinxTestApp], basic: Path
) -> None:
    """The heading keeps its ``[n]``; the navigation, the contents and the window
    title, which copy it, show the figure alone: a link cannot hold another."""
    _heading(basic)
    app = build("html", basic)
    assert "WARNING" not in app.warning.getvalue(), app.warning.getvalue()
    page = (app.outdir / "other.html").read_text(encoding="utf-8")
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S)
    assert heading is not None
    assert re.search(r'<span class="trialbook-cite">\[\d\]</span></a>', heading[1])
    assert 'href="trials/alpha.html#trial-alpha"' in heading[1]
    assert "<title>Other: 90 randomized in ALPHA" in page
    index = (app.outdir / "index.html").read_text(encoding="utf-8")
    entry = re.search(r'<a class="reference internal" href="other.html">(.*?)</a>', index)
    assert entry is not None and "90" in entry[1] and "[" not in entry[1]
    nested = re.compile(r"<a\b(?:(?!</a>).)*?<a\b", re.S)
    for html in sorted(app.outdir.glob("**/*.html")):
        assert not nested.search(html.read_text(encoding="utf-8")), html.name


def test_links_in_a_latex_heading_survive_capitals(
    build: Callable[..., SphinxTestApp], basic: Path
) -> None:
    """Sphinx's chapter style capitalises chapter titles, targets of links included
    (an undefined reference in the PDF); the heading's links are ``\\trialbookref``,
    whose target ``trialbook.sty`` keeps out of case changes. Sphinx before 9 writes
    no links in headings at all (its ``visit_reference`` skips them in titles): the
    heading is then plain text, and nothing can be undefined."""
    _heading(basic)
    app = build("latex", basic)
    assert "WARNING" not in app.warning.getvalue(), app.warning.getvalue()
    tex = (app.outdir / "basic.tex").read_text(encoding="utf-8")
    chapter = next(line for line in tex.splitlines() if line.startswith(r"\chapter{Other"))
    assert r"\hyperref" not in chapter
    if sphinx.version_info >= (9,):
        assert chapter.count(r"{\trialbookref{\detokenize{") == 2
        assert r"\trialbookref{\detokenize{trials/alpha:trial-alpha}}" in chapter
        assert re.search(r"\{\\sphinxcrossref\{\{\[\}\d\{\]\}\}\}", chapter)
    else:
        assert chapter == r"\chapter{Other: 90 {[}2{]} randomized in ALPHA}"
    sty = (app.outdir / "trialbook.sty").read_text(encoding="utf-8")
    assert r"\AddToNoCaseChangeList{\trialbookref}" in sty
    if not (shutil.which("latexmk") and shutil.which("pdflatex")):
        return
    subprocess.run(
        ["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "basic.tex"],
        cwd=app.outdir,
        capture_output=True,
        check=True,
    )
    log = (app.outdir / "basic.log").read_text(encoding="utf-8", errors="replace")
    assert log_problems(log) == []
    if shutil.which("pdftotext"):
        args = ["pdftotext", "basic.pdf", "-"]
        text = subprocess.run(args, cwd=app.outdir, capture_output=True, text=True).stdout
        assert "OTHER: 90 [2] RANDOMIZED IN ALPHA" in text
