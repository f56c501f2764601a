"""findings-table: a GRADE summary of findings in the doctree, HTML and LaTeX."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from docutils import nodes
from sphinx.testing.util import SphinxTestApp
from sphinx.util.console import strip_colors

from conftest import stored

ROOT = Path(__file__).resolve().parent.parent / "roots" / "test-figures"

PAGE = """# Findings

```{findings-table}
:trial: north
:name: findings-north
```

NORTH spared {val}`north/disability.difference` patients per 1000.
Its relapse rate fell by {val}`north/relapse-rate.difference` per 1000 patient-years.

```{findings-table}
:trials: north south
:outcomes: relapse-rate
:per: 100
```
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT, tmp_path / "src")
    (tmp_path / "src" / "index.md").write_text(
        PAGE + "\n```{toctree}\n:glob:\n\nsources\ntrials/*\n```\n", encoding="utf-8"
    )
    return tmp_path / "src"


def _rows(table: nodes.table) -> list[list[str]]:
    return [
        [entry.astext().replace("\n\n", " | ") for entry in row.findall(nodes.entry)]
        for row in table.findall(nodes.row)
    ]


def test_doctree_rows_in_grade_order(build: Callable[..., SphinxTestApp], project: Path) -> None:
    app = build("html", project)
    assert "WARNING" not in app.warning.getvalue(), app.warning.getvalue()
    doctree = stored(app, "index")
    first, second = doctree.findall(nodes.table)
    header, relapse, disability = _rows(first)
    assert header == [
        "Outcome",
        "Risk with comparator",
        "Risk with intervention",
        "Relative effect (95% CI)",
        "Participants (studies)",
        "Certainty",
        "Comments",
    ]
    assert relapse[0] == "Relapse rate"
    assert relapse[1].startswith("390 per 1000 patient-yearsa | (control arm")
    assert relapse[2] == "176 per 1000 patient-years (125 to 246)b"
    assert relapse[3].startswith("Rate ratio 0.45 (0.32–0.63)")
    assert relapse[4] == "585c (1 study)"  # derived from the arms analysed
    assert relapse[5] == "not rated"
    assert relapse[6] == "215 fewer per 1000 patient-years (265 fewer to 144 fewer)d"
    assert disability[2] == "79 per 1000 (46 to 135)f"
    assert "no NNT: the difference is not significant" in disability[6]
    # Each derived figure is italic, and its letter leads to its formula under the table.
    notes = first.parent[first.parent.index(first) + 1]
    assert isinstance(notes, nodes.container) and "trialbook-table-notes" in notes["classes"]
    text = notes.astext()
    assert "a derived: 0.39 × 1000" in text
    # Powers are set as superscripts, not with a caret.
    assert "f derived: (1 − (1 − 0.111)0.70) × 1000" in text
    assert "0.70" in [n.astext() for n in notes.findall(nodes.superscript)]
    assert "c derived: 390 + 195 analysed" in text
    derived = [
        n for n in first.findall(nodes.emphasis) if "trialbook-derived" in n.parent["classes"]
    ]
    assert len(derived) >= 6
    # Two trials: a trial line per row, per 100, and a caveat that they are not pooled.
    header, north, south = _rows(second)
    assert north[0] == "NORTH | Relapse rate" and south[0] == "SOUTH | Relapse rate"
    assert north[1].startswith("39 per 100 patient-years")
    caveat = second.parent[second.parent.index(second) + 2]
    assert "they are not pooled" in caveat.astext()


def test_html_and_val_role(build: Callable[..., SphinxTestApp], project: Path) -> None:
    app = build("html", project)
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert 'Table 1 </span><span class="caption-text">Summary of findings: NORTH' in html
    # In running text a derived figure is italic with its formula on hover, not inline.
    prose = (
        r'<abbr class="trialbook-derived" title="derived: \(0\.39 − \(0\.39 × 0\.45\)\) × '
        r'1000"><em class="trialbook-figure">215</em></abbr>'
    )
    assert re.search(prose, html), html
    assert re.search(r"<sup class=\"trialbook-note-mark\">a</sup>", html)


def test_latex(build: Callable[..., SphinxTestApp], project: Path) -> None:
    app = build("latex", project)
    tex = (app.outdir / "figures.tex").read_text(encoding="utf-8")
    assert r"\caption{Summary of findings: NORTH\strut}" in tex
    assert r"$^{\text{f}}$ derived: (1 − (1 − 0.111)$^{\text{0.70}}$) × 1000" in tex
    assert r"\textasciicircum{}" not in tex
    # In the PDF's running text the figure stands alone; the table's notes give the formula.
    assert r"spared \sphinxstyleemphasis{32} patients" in tex
    # In the PDF's running text the figure stands alone; the table's notes give the formula.
    assert r"spared \sphinxstyleemphasis{32} patients" in tex


def test_val_without_a_computed_figure_says_why(
    build: Callable[..., SphinxTestApp], project: Path
) -> None:
    (project / "index.md").write_text(
        "# F\n\nNNT {val}`north/disability.nnt`.\n", encoding="utf-8"
    )
    warnings = strip_colors(build("html", project).warning.getvalue())
    assert "val: north/disability has no nnt (not significant)" in warnings, warnings
