"""``baseline-table``, ``extension-table``, ``programme-table``, ``regimen-table`` and
``key-findings``: doctree, HTML and LaTeX, and located warnings for bad uses."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from docutils import nodes

from conftest import numbered

if TYPE_CHECKING:
    from sphinx.testing.util import SphinxTestApp

NBSP = "\u00a0"


def _cells(table: nodes.table) -> list[list[str]]:
    """Rows of ``table``, each cell's paragraphs joined by " | " (column labels dropped)."""
    out = []
    for row in table.findall(nodes.row):
        cells = []
        for entry in row.findall(nodes.entry):
            paras = [
                p.astext()
                for p in entry.findall(nodes.paragraph)
                if "trialbook-col-label" not in p["classes"]
                and not isinstance(p.parent, nodes.paragraph)
            ]
            cells.append(" | ".join(paras))
        out.append(cells)
    return out


def _tables(doctree: nodes.document) -> dict[str, nodes.table]:
    return {t[0].astext(): t for t in doctree.findall(nodes.table)}  # the title comes first


@pytest.mark.sphinx("html", testroot="tables", srcdir="measures-html")
def test_baseline_table_rows_columns_and_statistics(app: SphinxTestApp) -> None:
    app.build()
    assert not app.warning.getvalue(), app.warning.getvalue()
    tables = _tables(numbered(app, "measures"))
    rows = _cells(tables["Baseline characteristics in ALPHA"])
    # Columns: the arm labels found in the results, then all patients.
    assert rows[0] == ["Characteristic", "Drugamab 12 mg", "Comparon 44 µg", "All patients"]
    # A row per trial that has baseline data names it (the others are left out).
    assert rows[1] == ["ALPHA"]
    # Each row says its statistic; each figure its source and where in it.
    age = rows[2]
    assert age[0] == "Age (years), mean ± SD"
    assert age[1] == f"33.0 ± 8.0 [3, Table{NBSP}2]"
    assert age[3] == f"33.1 ± 8.2 [3, Table{NBSP}2]"
    assert rows[3][:3] == ["Women, n/N (%)", "130/200 (65%) [1]", "–"]
    assert rows[4] == [
        "Disease duration (years), median (range)",
        "–",
        "–",
        "1.7 (range 0.1–6.0) [1]",
    ]
    page = (app.outdir / "measures.html").read_text(encoding="utf-8")
    assert 'title="Reviewer C. Drugamab reviewed. Rev Test 2022;3:1–9. Table 2."' in page
    # On a phone the stacked layout leaves out empty cells.
    assert re.search(r'<td class="trialbook-empty-cell">', page)


@pytest.mark.sphinx("html", testroot="tables", srcdir="measures-extension")
def test_extension_table_keeps_time_point_definition_and_population(
    app: SphinxTestApp,
) -> None:
    app.build()
    tables = _tables(numbered(app, "measures"))
    rows = _cells(tables["Long-term results of ALPHA"])
    assert rows[0] == ["Result", "When", "Figure"]
    assert rows[1] == [
        "ALPHA: ALPHA extension. Patients who completed ALPHA on drugamab could enter it. [4]"
    ]
    assert rows[2] == ["Entered the extension", "–", "95% [4]"]
    assert rows[3] == [
        "No further treatment of any kind | Definition: neither more drugamab nor another "
        "therapy | Population: drugamab-only patients",
        "year 6",
        "63% [4]",
    ]
    # The val role reaches an extension's figure, and its time point (in words, no
    # citation of its own).
    doctree = numbered(app, "measures")
    text = " ".join(" ".join(p.astext().split()) for p in doctree.findall(nodes.paragraph))
    assert "Entered: 95% [4]; when: year 6; age 33.0 ± 8.0" in text


@pytest.mark.sphinx("html", testroot="tables", srcdir="measures-programme")
def test_programme_table_columns_by_treatment(app: SphinxTestApp) -> None:
    app.build()
    tables = _tables(numbered(app, "measures"))
    rows = _cells(tables["Drugamab across its trials"])
    assert rows[0] == ["Measure", "When", "Drugamab", "Comparon", "All"]
    assert rows[1] == [
        "Infusion reactions | Population: pooled trials",
        "–",
        f"45/972 (4.6%) [3, Table{NBSP}4]",
        "–",
        "–",
    ]
    assert rows[2] == ["Infections", "year 1", "58.7% [3]", "41.3% [3]", "–"]
    assert rows[3] == ["Reported cases", "–", "–", "–", "13 [5]"]
    # A selection shows only the columns it needs (no column of dashes).
    cases = _cells(tables["Cases only"])
    assert cases == [["Measure", "All"], ["Reported cases", "13 [5]"]]


@pytest.mark.sphinx("html", testroot="tables", srcdir="measures-regimen")
def test_regimen_table_in_topic_order_with_authority_and_date(app: SphinxTestApp) -> None:
    app.build()
    tables = _tables(numbered(app, "measures"))
    rows = _cells(tables["How drugamab is given"])
    assert rows == [
        ["Topic", "Rule", "Whose wording"],
        ["Course", f"Two courses. [5, section{NBSP}4.2]", "EU product information"],
        ["Monitoring", "Blood counts every month. [5]", "US label"],
        [
            "Monitoring",
            "Blood counts until four years after the last dose. [5]",
            "EU product information, since 16 January 2020",
        ],
    ]


@pytest.mark.sphinx("html", testroot="tables", srcdir="measures-cards")
def test_key_findings_cards_in_a_grid(app: SphinxTestApp) -> None:
    app.build()
    page = (app.outdir / "measures.html").read_text(encoding="utf-8")
    grid = page[page.index("trialbook-card-grid") :]
    assert "sd-row-cols-md-3" in grid[:400]
    card = grid[: grid.index("the trial’s page") + 200]
    assert "ALPHA (phase III)" in card
    text = re.sub(r"<[^>]+>", "", card)
    assert "Compared with comparon." in text
    assert "Relapse rate (relapses per patient-year)" in text
    assert "Rate ratio: 0.45 (0.32–0.63)" in text
    assert "Relative reduction: 54.9%" in text
    # The absolute effect is derived: italic, with its formula on hover.
    assert re.search(r'<abbr class="trialbook-derived" title="derived: [^"]+"><em', card)
    assert "Endpoint met: Yes" in text


@pytest.mark.sphinx("latex", testroot="tables", srcdir="measures-latex")
def test_measure_tables_latex(app: SphinxTestApp) -> None:
    app.build()
    assert not app.warning.getvalue(), app.warning.getvalue()
    tex = (app.outdir / "tables.tex").read_text(encoding="utf-8")
    for caption in (
        "Baseline characteristics in ALPHA",
        r"Long\sphinxhyphen{}term results of ALPHA",
        "Drugamab across its trials",
        "How drugamab is given",
    ):
        assert rf"\caption{{{caption}\strut}}" in tex, caption
    # The cards are framed boxes; the locator stays on the marker's line.
    assert r"\begin{sphinxShadowBox}" in tex or r"\sphinxstyletopictitle" in tex
    # The locator is boxed (no break, no hyphen); inputenc reads U+00A0 as a tie.
    assert rf"{{[}}3, \DUrole{{trialbook-locator}}{{Table{NBSP}2}}{{]}}" in tex


BAD = """\
---
orphan: true
---

# Bad

```{programme-table} drugamib
```

```{programme-table} drugamab
:measures: nothing
```

```{regimen-table} drugamab
:topics: dosage
```

```{extension-table}
:trials: beta
```

```{baseline-table}
:trials: beta
```

{val}`alpha/followup/nothing.all`
"""


@pytest.mark.sphinx("html", testroot="tables", srcdir="measures-bad")
def test_bad_uses_warn_at_page_and_line(app: SphinxTestApp) -> None:
    src = app.srcdir / "bad.md"
    src.write_text(BAD, encoding="utf-8")
    app.build()
    warnings = app.warning.getvalue()
    expected = [
        (7, "programme-table: unknown intervention 'drugamib' (did you mean 'drugamab'?"),
        (10, "programme-table: drugamab has no programme figure 'nothing'"),
        (14, "regimen-table: unknown topic 'dosage'"),
        (18, "extension-table: the selection has no extension studies"),
        (22, "baseline-table: no selected trial has baseline characteristics"),
        (26, "val: no result of alpha/followup 'nothing'"),
    ]
    for line, text in expected:
        assert re.search(rf"{re.escape(str(src))}:{line}: WARNING: {re.escape(text)}", warnings), (
            line,
            warnings,
        )
    # Each bad directive leaves a visible marker where its table would be.
    doctree = app.env.get_doctree("bad")
    markers = [p for p in doctree.findall(nodes.paragraph) if "trialbook-problem" in p["classes"]]
    assert len(markers) == 5
