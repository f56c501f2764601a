"""Generated trial pages: written, kept, updated, removed; never an author's page."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from docutils import nodes
from sphinx.util.console import strip_colors

from trialbook.sphinxext.pages import MARKER, render_page

if TYPE_CHECKING:
    from collections.abc import Callable

    from sphinx.testing.util import SphinxTestApp

ROOT = Path(__file__).parent.parent / "roots" / "test-basic"
GAMMA = (ROOT / "data/trials/beta.yaml").read_text(encoding="utf-8")
GAMMA = GAMMA.replace("id: beta", "id: gamma").replace("name: BETA", "name: GAMMA <b>&</b>")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT, tmp_path / "src")
    return tmp_path / "src"


def test_a_page_per_trial_in_toctree_html_and_latex(
    build: Callable[..., SphinxTestApp], project: Path
) -> None:
    app = build("html", project)
    for trial_id, name in (("alpha", "ALPHA"), ("beta", "BETA")):
        page = project / "trials" / f"{trial_id}.md"
        assert page.read_text(encoding="utf-8").startswith(MARKER)
        html = (app.outdir / "trials" / f"{trial_id}.html").read_text(encoding="utf-8")
        assert f"<h1>{name}" in html
        assert "Randomized" in html
    index = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert 'href="trials/alpha.html"' in index and 'href="trials/beta.html"' in index
    latex = build("latex", project)
    tex = (latex.outdir / "basic.tex").read_text(encoding="utf-8")
    assert r"\chapter{ALPHA}" in tex and r"\chapter{BETA}" in tex


def test_new_trial_file_adds_page_and_removed_file_removes_it(
    build: Callable[..., SphinxTestApp], project: Path
) -> None:
    build("html", project)
    (project / "data/trials/gamma.yaml").write_text(GAMMA, encoding="utf-8")
    app = build("html", project)
    page = (app.outdir / "trials" / "gamma.html").read_text(encoding="utf-8")
    # The title is data: it must stay literal text, never markup.
    assert "GAMMA &lt;b&gt;&amp;&lt;/b&gt;" in page
    index = app.env.get_doctree("index")
    (table,) = list(index.findall(nodes.table))
    assert "GAMMA <b>&</b>" in table.astext()

    (project / "data/trials/gamma.yaml").unlink()
    app = build("html", project)
    assert not (project / "trials" / "gamma.md").exists()
    assert "gamma" not in app.env.found_docs and "trials/gamma" not in app.env.found_docs
    assert not app.warning.getvalue()


def test_an_authors_page_is_never_touched(
    build: Callable[..., SphinxTestApp], project: Path
) -> None:
    (project / "trials").mkdir()
    mine = "# ALPHA, by hand\n\nMy own words.\n"
    (project / "trials" / "alpha.md").write_text(mine, encoding="utf-8")
    (project / "trials" / "notes.md").write_text("# Notes\n", encoding="utf-8")
    app = build("html", project)
    assert (project / "trials" / "alpha.md").read_text(encoding="utf-8") == mine
    assert (project / "trials" / "notes.md").exists()  # not ours, kept
    assert "My own words." in (app.outdir / "trials" / "alpha.html").read_text(encoding="utf-8")


def test_unchanged_pages_are_not_rewritten(
    build: Callable[..., SphinxTestApp], project: Path
) -> None:
    build("html", project)
    page = project / "trials" / "alpha.md"
    before = page.stat().st_mtime_ns
    build("html", project)
    assert page.stat().st_mtime_ns == before


def test_failed_trial_page_shows_no_data(
    build: Callable[..., SphinxTestApp], project: Path
) -> None:
    beta = project / "data/trials/beta.yaml"
    beta.write_text(beta.read_text(encoding="utf-8").replace("randomized: 90", "randomized: lots"))
    app = build("html", project)
    warnings = strip_colors(app.warning.getvalue())
    assert "not cited" not in warnings  # no cascade from the file that failed
    assert f"{beta}:6:13: ERROR: randomized: expected a number" in warnings
    assert "[trialbook.schema]" in warnings
    assert app.statuscode == 1
    html = (app.outdir / "trials" / "beta.html").read_text(encoding="utf-8")
    assert "failed validation" in html
    assert "Open label" not in html and "Responders" not in html
    index = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert "BETA" not in index.split("Main endpoints")[1]


def test_a_page_has_a_section_only_for_what_the_trial_reports() -> None:
    full = render_page("x", "X", "data/trials/x.yaml", baseline=True, extensions=True)
    headings = [line for line in full.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Arms",
        "## Baseline characteristics",
        "## Outcomes",
        "## Adverse events",
        "## Long-term results",
    ]
    assert "```{baseline-table}\n:trials: x\n:name: baseline-x\n```" in full
    assert "```{extension-table}\n:trials: x\n:name: extension-x\n```" in full
    bare = render_page("x", "X", "data/trials/x.yaml", safety=False)
    assert [line for line in bare.splitlines() if line.startswith("## ")] == [
        "## Arms",
        "## Outcomes",
    ]
