"""outcome-table: doctree, HTML and LaTeX output, and bad options in pages."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from docutils import nodes
from sphinx.util.console import strip_colors

from conftest import cited, numbered

if TYPE_CHECKING:
    from sphinx.testing.util import SphinxTestApp

NBSP = "\u00a0"


def _rows(table: nodes.table) -> list[list[str]]:
    return [[entry.astext() for entry in row] for row in table.findall(nodes.row)]


@pytest.mark.sphinx("html", testroot="basic", srcdir="outcome-table-doctree")
def test_doctree_is_a_titled_table_with_formatted_numbers(app: SphinxTestApp) -> None:
    app.build()
    doctree = numbered(app, "index")
    (table,) = list(doctree.findall(nodes.table))
    title = table.next_node(nodes.title)
    assert title is not None and title.astext() == "Main endpoints"
    assert "main-endpoints" in table["ids"]
    rows = _rows(table)
    # The arms' columns are named by treatment: every row compares Drug with Placebo.
    assert rows[0] == ["Endpoint", "Drug", "Placebo", "Effect (95% CI)", "p", "Reduction", "Met"]
    # Rows are grouped by trial, under a row naming the arms compared (arm names are
    # not repeated in every cell). Default role "primary" takes primary and co-primary
    # outcomes of every trial.
    group_alpha, alpha, group_beta, beta = rows[1:]
    assert group_alpha == ["ALPHA: Drug 10 mg against Placebo"]
    assert group_beta == ["BETA: Drug 5 mg against Placebo"]
    # A relapse rate says what it counts.
    assert (alpha[0], beta[0]) == ("Relapse rate (relapses per patient-year)", "Responders")
    assert alpha[1] == "0.20 (0.15–0.26) [1]" and alpha[2] == "0.40 [1]"
    # Each value is followed by [n], its source's number in the source list; the
    # effect says which kind of ratio it is.
    assert alpha[3] == "Rate ratio 0.50 (0.38–0.66) [1]"
    assert alpha[4] == f"p{NBSP}<{NBSP}0.0001 [1]"
    assert alpha[5] == "50% [1]"
    assert alpha[6] == "Yes [1]"
    assert beta[1] == "30/45 (67%) [2]"
    assert beta[3] == "–"  # no estimate reported
    assert beta[6] == "No [2]"
    assert set(cited(table)) == {"paper-a", "paper-b"}


@pytest.mark.sphinx("html", testroot="basic", srcdir="outcome-table-html")
def test_html_numbers_the_table_and_resolves_numref(app: SphinxTestApp) -> None:
    app.build()
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert re.search(
        r'<span class="caption-number">Table 1 </span><span class="caption-text">Main endpoints',
        html,
    )
    assert re.search(
        r'href="#main-endpoints"[^>]*><span class="std std-numref">Table 1</span>', html
    )
    assert "0.50 (0.38–0.66)" in html
    assert f"p{NBSP}&lt;{NBSP}0.0001" in html or "p&nbsp;&lt;&nbsp;0.0001" in html
    other = (app.outdir / "other.html").read_text(encoding="utf-8")
    assert "Responders" in other and "Relapse rate" not in other
    assert not app.warning.getvalue()


@pytest.mark.sphinx("html", testroot="basic", srcdir="outcome-table-role")
def test_role_all_and_trials_option_select_rows(app: SphinxTestApp) -> None:
    app.build()
    doctree = numbered(app, "trials/alpha")
    (table,) = [t for t in doctree.findall(nodes.table) if "trialbook-outcomes" in t["classes"]]
    header, group, *body = _rows(table)
    assert header[0] == "Endpoint"
    assert group == ["ALPHA: Drug 10 mg against Placebo"]
    assert [r[0] for r in body] == ["Relapse rate (relapses per patient-year)", "EDSS change"]
    edss = body[1]
    assert edss[1] == "−0.20 [1]" and edss[2] == "+0.10 [1]"  # mean changes carry their sign


@pytest.mark.sphinx("latex", testroot="basic", srcdir="outcome-table-latex")
def test_latex_caption_label_widths_and_numbers(app: SphinxTestApp) -> None:
    app.build()
    tex = (app.outdir / "basic.tex").read_text(encoding="utf-8")
    assert r"\caption{Main endpoints\strut}" in tex
    assert r"\label{\detokenize{index:main-endpoints}}" in tex
    assert r"\sphinxcrossref{Table \ref{\detokenize{index:main-endpoints}}}" in tex or (
        r"\ref{\detokenize{index:main-endpoints}}" in tex
    )
    # Ragged-right columns whose widths add up to the line width, in a longtable (a
    # table of results may be longer than a page).
    spec = re.search(r"\\begin\{longtable\}\{(.*)\}\n", tex)
    assert spec is not None
    widths = [int(w) for w in re.findall(r"\\X\{(\d+)\}\{100\}", spec.group(1))]
    assert len(widths) == 7 and sum(widths) == 100
    assert r"\raggedright" in spec.group(1)
    assert "0.50 (0.38\\textendash{}0.66)" in tex
    assert f"p{NBSP}\\textless{{}}{NBSP}0.0001" in tex
    assert "−0.20" in tex  # a minus sign (declared in trialbook.sty), not a hyphen
    assert r"\usepackage{trialbook}" in tex
    assert (app.outdir / "trialbook.sty").is_file()
    assert not app.warning.getvalue()


BAD_PAGE = """\
# Bad

```{outcome-table}
:trials: gamma
```

```{outcome-table}
:trials: alpah
```

```{outcome-table}
:role: tertiary
```

```{outcome-table}
:role: bogus
```

```{outcome-table}
:outcomes: nothing-here
```

```{outcome-table}
:colour: red
```

```{trial-summary} nobody
```
"""


@pytest.mark.sphinx("html", testroot="basic", srcdir="outcome-table-bad")
def test_bad_selections_warn_at_page_and_line(app: SphinxTestApp) -> None:
    (app.srcdir / "other.md").write_text(BAD_PAGE, encoding="utf-8")
    app.build()
    warnings = strip_colors(app.warning.getvalue())
    assert "Traceback" not in warnings
    src = str(app.srcdir / "other.md")
    expected = [
        (3, "unknown trial 'gamma' (known: alpha, beta)"),
        (7, "unknown trial 'alpah' (did you mean 'alpha'?)"),
        (11, "the selection has no outcomes"),
        (15, "unknown role in 'bogus'"),
        (19, "no outcome 'nothing-here' in the selection"),
        (27, "unknown trial 'nobody'"),
    ]
    for line, text in expected:
        assert re.search(rf"{re.escape(src)}:{line}: WARNING: .*{re.escape(text)}", warnings), (
            line,
            warnings,
        )
    assert "Unknown option key: 'colour'" in warnings
    assert "[trialbook.reference]" in warnings and "[trialbook.directive]" in warnings
