"""Generated trial pages: written, kept, updated, removed; never an author's page."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from docutils import nodes
from sphinx.util.console import strip_colors

from conftest import stored
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
    index = stored(app, "index")
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


def _trial_pages(project: Path, navigation: int) -> None:
    """other.md lists the trial pages with ``trial-pages`` instead of the root page's
    glob (on the root page, Sphinx's navigation would read the toctree unfiltered)."""
    index = project / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("trials/*\n", ""))
    with (project / "other.md").open("a", encoding="utf-8") as other:
        other.write(f"\n```{{trial-pages}}\n:navigation: {navigation}\n```\n")
    with (project / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('html_sidebars = {"**": ["globaltoc.html"]}\n')
        conf.write('html_theme_options = {"globaltoc_collapse": False}\n')  # all of it


def _sidebar(page: Path) -> str:
    html = page.read_text(encoding="utf-8")
    start = html.index('class="sphinxsidebar"')
    end = html.find('<div class="related"', start)  # the footer's previous/next bar
    return html[start : end if end != -1 else None]


def test_trial_pages_are_in_the_navigation_up_to_the_limit(
    build: Callable[..., SphinxTestApp], project: Path
) -> None:
    _trial_pages(project, navigation=2)
    app = build("html", project)
    sources = _sidebar(app.outdir / "sources.html")
    assert 'href="trials/alpha.html"' in sources and 'href="trials/beta.html"' in sources
    assert "trialbook-trial-pages" not in (app.outdir / "other.html").read_text(encoding="utf-8")


def test_beyond_the_limit_html_links_the_trials_and_the_pdf_keeps_them(
    build: Callable[..., SphinxTestApp], project: Path
) -> None:
    """The navigation every page repeats stays bounded as trials are added."""
    _trial_pages(project, navigation=1)
    app = build("html", project)
    assert "WARNING" not in app.warning.getvalue(), app.warning.getvalue()
    sources = _sidebar(app.outdir / "sources.html")
    assert "trials/alpha.html" not in sources and "trials/beta.html" not in sources
    assert 'href="other.html"' in sources
    other = (app.outdir / "other.html").read_text(encoding="utf-8")
    listing = other[other.index("trialbook-trial-pages") :]
    assert 'href="trials/alpha.html#trial-alpha"' in listing
    assert 'href="trials/beta.html#trial-beta"' in listing
    beta = (app.outdir / "trials" / "beta.html").read_text(encoding="utf-8")
    assert 'rel="prev"' in beta  # still in the reading order
    latex = build("latex", project)
    assert "WARNING" not in latex.warning.getvalue(), latex.warning.getvalue()
    tex = (latex.outdir / "basic.tex").read_text(encoding="utf-8")
    assert r"\section{ALPHA}" in tex and r"\section{BETA}" in tex  # under "Other"
    assert "trialbook-trial-pages" not in tex


def test_beyond_the_limit_furo_leaves_the_trials_out_of_its_navigation(
    build: Callable[..., SphinxTestApp], project: Path
) -> None:
    """furo asks for titles only, and Sphinx then lifts toctrees out of ``only`` nodes:
    the limit must hold there too (the handbook's theme)."""
    _trial_pages(project, navigation=1)
    with (project / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('html_theme = "furo"\nhtml_sidebars = {}\nhtml_theme_options = {}\n')
    app = build("html", project)
    for page in ("sources.html", "other.html", "trials/beta.html"):
        html = (app.outdir / page).read_text(encoding="utf-8")
        nav = html[html.index('class="sidebar-tree"') : html.index("</aside>")]
        assert "Other</a>" in nav and "Sources</a>" in nav, page
        assert "ALPHA" not in nav and "BETA" not in nav, page


def test_latexmk_gives_tex_more_memory_once(
    build: Callable[..., SphinxTestApp], project: Path
) -> None:
    """pdflatex's default memory ran out in a long table of a 100-trial handbook."""
    for _ in range(2):
        app = build("latex", project)
    rc = (app.outdir / "latexmkrc").read_text(encoding="utf-8")
    assert rc.count("$ENV{'extra_mem_top'} ||= '20000000';") == 1
    assert rc.count("$ENV{'extra_mem_bot'} ||= '20000000';") == 1
    assert rc.startswith("$latex = ")  # Sphinx's own settings kept
