"""trial-summary cards: sphinx-design markup in HTML, a topic elsewhere, no unknown node."""

from __future__ import annotations

import html as htmllib
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from docutils import nodes

if TYPE_CHECKING:
    from collections.abc import Callable

    from sphinx.testing.util import SphinxTestApp

ROOT = Path(__file__).parent.parent / "roots" / "test-roles"
NBSP = "\u00a0"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT, tmp_path / "src")
    return tmp_path / "src"


def _div(page: str, start: int) -> str:
    """The HTML of the ``<div>`` opening at ``start``, up to its matching ``</div>``."""
    depth = 0
    for match in re.finditer(r"<div\b|</div>", page[start:]):
        depth += 1 if match.group() == "<div" else -1
        if depth == 0:
            return page[start : start + match.end()]
    raise AssertionError("unclosed div")


def _text(fragment: str) -> str:
    text = htmllib.unescape(re.sub(r"<[^>]+>", " ", fragment))
    return re.sub(r"[ \t\n]+", " ", text).strip()  # keeps no-break spaces


def _fields(card: str) -> dict[str, str]:
    """Field name → text of its body, from the card's field list."""
    pairs = re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", card, flags=re.S)
    return {_text(name).rstrip(": "): _text(body) for name, body in pairs}


@pytest.mark.sphinx("html", testroot="roles", srcdir="cards-html")
def test_html_card_has_header_and_field_list_body(app: SphinxTestApp) -> None:
    app.build()
    page = (app.outdir / "trials" / "alpha.html").read_text(encoding="utf-8")
    opening = re.search(r'<div class="([^"]*\btrialbook-card\b[^"]*)"( id="trial-alpha")?>', page)
    assert opening is not None
    classes = opening.group(1).split()
    assert {"sd-card", "trialbook-card"} <= set(classes)
    assert "trialbook-card-generic" not in classes
    card = _div(page, opening.start())
    # Header first, then body; the header holds the title.
    header = re.search(r'<div class="sd-card-header[^"]*">', card)
    body = re.search(r'<div class="sd-card-body[^"]*">', card)
    assert header is not None and body is not None
    assert header.start() < body.start()
    assert _text(_div(card, header.start())) == "At a glance"
    content = _div(card, body.start())
    assert '<dl class="trialbook-summary-fields field-list' in content
    fields = _fields(content)
    assert list(fields) == ["Phase", "Design", "Randomized", "Arms", "Primary endpoints"]
    assert fields["Phase"] == "III"
    assert fields["Design"] == "Double-blind. [1]"  # a sourced fact shows its source
    assert fields["Randomized"] == "300 [1]"
    assert fields["Arms"] == "Drug 10 mg ; randomized 200 [1] Placebo ; randomized 100 [1]"
    primary = fields["Primary endpoints"]
    assert primary.startswith("Relapse rate , rate ratio 0.50 (0.38–0.66) [1]")
    assert f"p{NBSP}<{NBSP}0.0001 [1]" in primary
    assert primary.endswith("met: Yes [1]")
    assert 'href="../sources.html#source-paper-a"' in content
    # The trial's target is the card itself (trial references land on it).
    assert 'id="trial-alpha"' in page
    beta = (app.outdir / "trials" / "beta.html").read_text(encoding="utf-8")
    assert "met: No [2]" in _text(beta)
    assert not app.warning.getvalue()


@pytest.mark.sphinx("html", testroot="roles", srcdir="cards-doctree")
def test_doctree_card_is_generic_until_written(app: SphinxTestApp) -> None:
    app.build()
    doctree = app.env.get_doctree("trials/alpha")
    cards = [c for c in doctree.findall(nodes.container) if "trialbook-card" in c["classes"]]
    assert len(cards) == 1
    (card,) = cards
    assert "trialbook-card-generic" in card["classes"]
    title, body = card.children
    assert isinstance(title, nodes.paragraph) and title.astext() == "At a glance"
    assert isinstance(body, nodes.field_list)
    names = [f[0].astext() for f in body.children if isinstance(f, nodes.field)]
    assert names == ["Phase", "Design", "Randomized", "Arms", "Primary endpoints"]
    assert card.line is not None and card.source is not None


@pytest.mark.sphinx("latex", testroot="roles", srcdir="cards-latex")
def test_latex_card_is_a_titled_topic(app: SphinxTestApp) -> None:
    app.build()
    tex = (app.outdir / "roles.tex").read_text(encoding="utf-8")
    match = re.search(
        r"\\label\{\\detokenize\{trials/alpha:trial-alpha\}\}\n"
        r"\\begin\{sphinxtopic\}\n\\sphinxstyletopictitle\{At a glance\}\n"
        r"(.*?)\\end\{sphinxtopic\}",
        tex,
        flags=re.S,
    )
    assert match is not None
    box = match.group(1)
    names = re.findall(r"\\sphinxlineitem\{([^}]*)\}", box)
    assert names == ["Phase", "Design", "Randomized", "Arms", "Primary endpoints"]
    assert "{300} {\\hyperref[\\detokenize{sources:source-paper-a}]" in box
    assert "; met: " in box
    assert tex.count(r"\begin{sphinxtopic}") == 2  # alpha and beta
    assert "sd-card" not in tex
    assert not app.warning.getvalue()


@pytest.mark.parametrize("builder", ["text", "latex", "man", "texinfo", "singlehtml"])
def test_every_writer_knows_every_node(
    build: Callable[..., SphinxTestApp], project: Path, builder: str
) -> None:
    app = build(builder, project)
    assert not app.warning.getvalue(), app.warning.getvalue()
    if builder == "text":
        text = (app.outdir / "trials" / "alpha.txt").read_text(encoding="utf-8")
        assert "At a glance" in text
        assert re.search(r"Randomized:\n +300 \[1\]", text)
        assert "met: Yes [1]" in text


@pytest.mark.sphinx("html", testroot="roles", srcdir="cards-css")
def test_card_classes_have_a_stylesheet(app: SphinxTestApp) -> None:
    app.build()
    page = (app.outdir / "trials" / "alpha.html").read_text(encoding="utf-8")
    assert "sd-card" in page
    sheets = re.findall(r'href="\.\./(_static/[^"?]+\.css)', page)
    styled = [s for s in sheets if ".sd-card" in (app.outdir / s).read_text(encoding="utf-8")]
    assert styled, sheets
