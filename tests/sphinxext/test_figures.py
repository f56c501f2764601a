"""forest-plot and safety-chart: standard figures, vector files, drawn once per input."""

from __future__ import annotations

import re
import shutil
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docutils import nodes
from sphinx.testing.util import SphinxTestApp
from sphinx.util.console import strip_colors

import trialbook.plot.output
from conftest import cited
from trialbook.sphinxext.figures import FIGURES_DIR

ROOT = Path(__file__).resolve().parent.parent / "roots" / "test-figures"
SVG = "{http://www.w3.org/2000/svg}"

pytest.importorskip("matplotlib")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT, tmp_path / "src")
    return tmp_path / "src"


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the figures each build draws, in order."""
    names: list[str] = []
    real = trialbook.plot.output.render

    def spy(folder: Path, name: str, draw: Any, formats: Any) -> None:
        names.append(name)
        real(folder, name, draw, formats)

    monkeypatch.setattr(trialbook.plot.output, "render", spy)
    return names


def _figures(app: SphinxTestApp) -> Path:
    return Path(app.doctreedir) / FIGURES_DIR


def _svg_text(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_figures_are_numbered_captioned_and_cited(
    build: Callable[..., SphinxTestApp], project: Path
) -> None:
    app = build("html", project)
    assert "WARNING" not in app.warning.getvalue(), app.warning.getvalue()
    doctree = app.env.get_doctree("index")
    figures = list(doctree.findall(nodes.figure))
    assert len(figures) == 3
    forest = figures[0]
    assert "forest-relapse" in forest["ids"]
    (image,) = forest.findall(nodes.image)
    assert image["uri"].endswith(".*") and "/forest-" in image["uri"]
    assert set(image["candidates"]) == {"image/svg+xml", "application/pdf"}
    # Alt text from the data: each row's estimate and CI and its source; no invented CI.
    alt = image["alt"]
    assert "NORTH: 0.45 (0.32–0.63) (source: paper-n)" in alt
    assert "WEST: ratio not reported (74% reduction) (source: review-w)" in alt
    caption = forest.next_node(nodes.caption)
    assert caption is not None and caption.astext().startswith("Relapse rate by trial")
    # The sources are in the legend, so the list of figures shows the caption alone.
    assert not cited(caption)
    legend = forest.next_node(nodes.legend)
    assert legend is not None and legend.astext().startswith("Sources: ")
    assert cited(legend) == ["paper-n", "paper-s", "review-w"]
    # A default caption names the outcome and the measure.
    default = figures[1].next_node(nodes.caption)
    assert default is not None
    assert default.astext().startswith("Disability worsening: HR by trial")
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<img alt="Forest plot of the rate ratio[^"]*" src="_images/forest-', html)
    assert "Fig. 1" in html and 'href="#forest-relapse"' in html
    # :show-data: gives the numbers with their [n] markers as a table.
    assert "Data of the figure: Relapse rate by trial" in html
    assert re.search(r"0\.45 \(0\.32–0\.63\)</span> <a [^>]*><span[^>]*>\[1\]", html), html


def test_svg_keeps_text_and_pdf_is_a_pdf(
    build: Callable[..., SphinxTestApp], project: Path
) -> None:
    app = build("html", project)
    # An HTML build draws the SVGs it shows, not the PDFs (the LaTeX build does).
    assert [p.suffix for p in sorted(_figures(app).iterdir())] == [".svg"] * 3
    build("latex", project)
    files = sorted(_figures(app).iterdir())
    assert [p.suffix for p in files] == [".pdf", ".svg"] * 3
    svgs = [p for p in files if p.name.startswith("forest") and p.suffix == ".svg"]
    forest = next(p for p in svgs if any("WEST" in t for t in _svg_text(p)))
    texts = _svg_text(forest)
    for label in ("NORTH", "SOUTH", "WEST", "0.45 (0.32–0.63)", "0.51 (0.39–0.65)"):
        assert any(label in t for t in texts), (label, texts)
    assert any("favours" in t for t in texts) and {"Drugamab", "Comparon"} <= set(texts)
    assert not any(re.search(r"\d{4}-\d\d-\d\dT", t) for t in texts)
    svg = forest.read_text(encoding="utf-8")
    assert "<dc:date>" not in svg
    for pdf in (p for p in files if p.suffix == ".pdf"):
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF") and b"CreationDate" not in data
    chart = next(p for p in files if p.name.startswith("safety") and p.suffix == ".svg")
    assert any("253/376 (67%)" in t for t in _svg_text(chart))
    # In HTML the SVG is used; in LaTeX the PDF.
    assert (app.outdir / "_images" / forest.name).is_file()


def test_latex_takes_the_pdf_in_a_float(
    build: Callable[..., SphinxTestApp], project: Path
) -> None:
    app = build("latex", project)
    tex = (app.outdir / "figures.tex").read_text(encoding="utf-8")
    assert re.search(r"\\begin\{figure\}\[htbp\]", tex)
    assert re.search(
        r"\\sphinxincludegraphics\[width=1\.000\\linewidth\]\{\{forest-[0-9a-f]+\}\.pdf\}", tex
    )
    assert r"\label{\detokenize{index:forest-relapse}}" in tex


def test_a_rebuild_draws_nothing_and_an_edit_draws_only_its_figures(
    build: Callable[..., SphinxTestApp], project: Path, drawn: list[str]
) -> None:
    build("html", project)
    assert len(drawn) == 3
    first = set(drawn)
    drawn.clear()
    build("html", project)
    assert drawn == []
    south = project / "data/trials/south.yaml"
    south.write_text(south.read_text(encoding="utf-8").replace("0.39, 0.65", "0.38, 0.66"))
    build("html", project)
    # SOUTH is in the relapse forest plot only: the disability plot (NORTH only) and
    # the safety chart are not drawn again.
    assert len(drawn) == 1 and drawn[0].startswith("forest-") and drawn[0] not in first


def test_latex_after_html_draws_the_pdfs_the_html_build_did_not(
    build: Callable[..., SphinxTestApp], project: Path, drawn: list[str]
) -> None:
    """Pages are not read again when the builder changes (``make html latexpdf``
    shares the doctrees): the LaTeX build draws the PDFs before it writes."""
    html = build("html", project)
    assert len(drawn) == 3
    stored = html.env.get_doctree("index")
    for image in stored.findall(nodes.image):
        assert set(image["candidates"]) == {"image/svg+xml", "application/pdf"}
    drawn.clear()
    latex = build("latex", project)
    assert "WARNING" not in latex.warning.getvalue(), latex.warning.getvalue()
    assert "0 added, 0 changed, 0 removed" in latex.status.getvalue()  # nothing re-read
    assert len(drawn) == 3
    pdfs = sorted(p.name for p in _figures(latex).glob("*.pdf"))
    assert len(pdfs) == 3
    assert sorted(p.name for p in latex.outdir.glob("*.pdf")) == pdfs
    tex = (latex.outdir / "figures.tex").read_text(encoding="utf-8")
    assert all(
        re.search(rf"\\sphinxincludegraphics[^{{]*\{{{{{re.escape(p[:-4])}}}", tex) for p in pdfs
    )
    drawn.clear()
    build("latex", project)
    assert drawn == []


def test_html_after_latex_draws_the_svgs(
    build: Callable[..., SphinxTestApp], project: Path, drawn: list[str]
) -> None:
    latex = build("latex", project)
    assert sorted(p.suffix for p in _figures(latex).iterdir()) == [".pdf"] * 3
    drawn.clear()
    html = build("html", project)
    assert "WARNING" not in html.warning.getvalue(), html.warning.getvalue()
    assert len(drawn) == 3
    svgs = sorted(p.name for p in _figures(html).glob("*.svg"))
    assert sorted(p.name for p in (html.outdir / "_images").iterdir()) == svgs
    page = (html.outdir / "index.html").read_text(encoding="utf-8")
    assert all(f'src="_images/{name}"' in page for name in svgs)


def test_two_clean_builds_give_identical_files(
    build: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    outputs = []
    for name in ("a", "b"):
        src = tmp_path / name
        shutil.copytree(ROOT, src)
        app = build("html", src)
        outputs.append({p.name: p.read_bytes() for p in _figures(app).iterdir()})
    assert outputs[0] == outputs[1]


def test_parallel_build_equals_serial(
    make_app: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    pages = []
    for jobs in (0, 2):
        src = tmp_path / f"j{jobs}"
        shutil.copytree(ROOT, src)
        app = make_app("html", srcdir=src, parallel=jobs)
        try:
            app.build()
        finally:
            app.cleanup()
        pages.append((app.outdir / "index.html").read_bytes())
    assert pages[0] == pages[1]


def test_without_matplotlib_the_directive_says_how_to_install_it(
    build: Callable[..., SphinxTestApp], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import fails as if not installed
    app = build("html", project)
    warnings = strip_colors(app.warning.getvalue())
    index = re.escape(str(project / "index.md"))
    assert re.search(
        rf"{index}:5: WARNING: forest-plot: drawing figures needs matplotlib: "
        r"pip install 'trialbook\[plot\]' \[trialbook\.directive\]",
        warnings,
    ), warnings
    assert not list(app.env.get_doctree("index").findall(nodes.figure))


@pytest.mark.parametrize(
    ("directive", "words"),
    [
        ("```{forest-plot}\n```", "give :outcome:"),
        ("```{forest-plot}\n:outcome: nothing\n```", "no comparison for outcome 'nothing'"),
        (
            "```{forest-plot}\n:outcome: relapse-rate disability\n```",
            "several outcomes can be stacked for one trial only",
        ),
        ("```{safety-chart}\n:events: nothing\n```", "no adverse event 'nothing'"),
    ],
)
def test_bad_selections_warn_at_the_directive(
    build: Callable[..., SphinxTestApp], project: Path, directive: str, words: str
) -> None:
    (project / "index.md").write_text(f"# Figures\n\n{directive}\n", encoding="utf-8")
    warnings = strip_colors(build("html", project).warning.getvalue())
    assert re.search(rf"index\.md:3: WARNING: .*{re.escape(words)}", warnings), warnings


def test_one_trial_stacks_its_outcomes(build: Callable[..., SphinxTestApp], project: Path) -> None:
    (project / "index.md").write_text(
        "# F\n\n```{forest-plot}\n:outcome: relapse-rate disability\n:trials: north\n```\n",
        encoding="utf-8",
    )
    app = build("html", project)
    (image,) = app.env.get_doctree("index").findall(nodes.image)
    assert "Relapse rate: 0.45" in image["alt"] and "Disability worsening: 0.70" in image["alt"]
