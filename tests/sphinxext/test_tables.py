"""trial-arms, safety-table, discrepancy-list, milestone-timeline.

Built on ``roots/test-tables``: a small fake dataset whose source numbers are known
(paper-a [1], paper-b [2], review-c [3], abstract-d [4], agency-e [5], news-f [6]).
``data-plain/`` is the same kind of data without discrepancies or milestones. The
discrepancy functions are also checked directly on the real data in ``data/``.
"""

from __future__ import annotations

import html as htmllib
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from docutils import nodes
from sphinx import addnodes
from sphinx.util.console import strip_colors

from conftest import cited, numbered
from trialbook.load.dataset import load_dataset
from trialbook.model.records import Dataset
from trialbook.model.values import Tally
from trialbook.report import format as fmt
from trialbook.report.discrepancy import acknowledged, disagreements
from trialbook.report.words import label
from trialbook.sphinxext.tables import widths

if TYPE_CHECKING:
    from collections.abc import Callable

    from sphinx.testing.util import SphinxTestApp

TESTS = Path(__file__).resolve().parent.parent
REPO = TESTS.parent
ROOT = TESTS / "roots" / "test-tables"

ARMS_HEADER = ["Arm", "Intervention", "Randomized", "Analysed", "Safety population"]
ARMS_BODY = [
    ["Drugamab 12 mg", "Drugamab", "200 [1]", "195 [1]", "198 [1]"],
    ["Drugamab 24 mg", "Drugamab", "not reported", "–", "–"],
    ["Comparon 44 µg", "Comparon", "100 [1]", "98 [3]", "99 [1]"],
    ["Drugamab, both doses", "pooled: Drugamab 12 mg, Drugamab 24 mg", "–", "–", "300 [3]"],
]


# --------------------------------------------------------------------------- helpers


def _tables(doctree: nodes.document) -> dict[str, nodes.table]:
    """Tables of a page by their title (the first one of each title)."""
    out: dict[str, nodes.table] = {}
    for table in doctree.findall(nodes.table):
        title = table.next_node(nodes.title)
        assert title is not None
        out.setdefault(title.astext(), table)
    return out


def _cells(table: nodes.table) -> list[list[list[str]]]:
    """Every row (header first) as cells, each cell as the texts of its paragraphs."""
    return [
        [[child.astext() for child in entry.children] for entry in row.children]
        for row in table.findall(nodes.row)
    ]


def _rows(table: nodes.table) -> list[list[str]]:
    """Every row (header first), each cell as one text, paragraphs joined by " | "."""
    return [[" | ".join(cell) for cell in row] for row in _cells(table)]


def _html_text(fragment: str) -> str:
    text = re.sub(r"</p>\s*<p\b[^>]*>", " | ", fragment)
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", text)).split())


def _html_tables(page: str) -> dict[str, list[list[str]]]:
    """Tables of an HTML page by caption text: rows of cell texts."""
    out: dict[str, list[list[str]]] = {}
    # The phone layout's column labels repeat the header in every cell: not content.
    page = re.sub(r'<p class="trialbook-col-label">.*?</p>', "", page, flags=re.S)
    for table in re.findall(r"<table\b.*?</table>", page, re.S):
        caption = re.search(r'<span class="caption-text">(.*?)</span>', table, re.S)
        assert caption is not None, table
        rows = [
            [_html_text(cell) for cell in re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", table, re.S)
        ]
        out.setdefault(_html_text(caption.group(1)), rows)
    return out


def _tex_spec(tex: str, caption: str) -> list[tuple[int, int]]:
    """The (width, total) of each column of the first LaTeX table with ``caption``.

    Every column must be a ragged-right ``\\X`` column: anything else fails here.
    """
    # Every table of ours is a longtable: its column spec comes before its caption.
    end = tex.index(rf"\caption{{{caption}\strut}}")
    start = tex.rindex(r"\begin{longtable}", 0, end)
    match = re.compile(r"\\begin\{longtable\}\{(.*)\}\n").match(tex, start)
    assert match is not None, caption
    spec = match.group(1)
    column = r">\{\\raggedright\\arraybackslash\}\\X\{(\d+)\}\{(\d+)\}"
    assert re.fullmatch(f"(?:{column})+", spec), spec
    return [(int(w), int(t)) for w, t in re.findall(column, spec)]


def _warning_re(src: Path, line: int, directive: str, text: str, subtype: str) -> str:
    return (
        rf"{re.escape(str(src))}:{line}: WARNING: {re.escape(directive)}: "
        rf"{re.escape(text)}.* \[trialbook\.{subtype}\]"
    )


def _line_of(page: str, fence: str, occurrence: int = 1) -> int:
    """1-based line of the ``occurrence``-th line equal to ``fence`` in ``page``."""
    lines = [i for i, line in enumerate(page.splitlines(), 1) if line == fence]
    return lines[occurrence - 1]


def _dataset(app: SphinxTestApp) -> Dataset:
    return load_dataset(Path(app.srcdir) / "data").dataset


# --------------------------------------------------------------------------- trial-arms


@pytest.mark.sphinx("html", testroot="tables", srcdir="tables-arms-doctree")
def test_trial_arms_doctree_rows_and_citations(app: SphinxTestApp) -> None:
    app.build()
    tables = _tables(numbered(app, "arms"))
    assert list(tables) == ["Arms of ALPHA", "Arms and safety populations"]
    default, named = tables.values()
    assert "alpha-arms-custom" in named["ids"]
    assert "trialbook-arms" in default["classes"]
    for table in (default, named):
        header, *body = _rows(table)
        assert header == ARMS_HEADER
        assert body == ARMS_BODY
    # "not reported" is a value without a source: no citation marker.
    row = next(r for r in default.findall(nodes.row) if r[0].astext() == "Drugamab 24 mg")
    assert not cited(row[2])
    marker = row[2].next_node(nodes.inline)
    assert marker is not None and "trialbook-nr" in marker["classes"]
    assert set(cited(default)) == {"paper-a", "review-c"}
    assert not app.warning.getvalue()


@pytest.mark.sphinx("html", testroot="tables", srcdir="tables-arms-html")
def test_trial_arms_html_numbers_captions_and_links(app: SphinxTestApp) -> None:
    app.build()
    page = (app.outdir / "arms.html").read_text(encoding="utf-8")
    assert re.search(
        r'<span class="caption-number">Table 1 </span><span class="caption-text">Arms of ALPHA',
        page,
    )
    assert re.search(
        r'<table [^>]*id="alpha-arms-custom">\s*<caption><span class="caption-number">Table 2 '
        r'</span><span class="caption-text">Arms and safety populations',
        page,
    )
    # numref to the named table says "Table 2" and links to it.
    assert re.search(
        r'href="#alpha-arms-custom"><span class="std std-numref">Table 2</span>', page
    )
    tables = _html_tables(page)
    assert tables["Arms and safety populations"] == [ARMS_HEADER, *ARMS_BODY]
    # [n] markers link to the source list, with the citation on hover.
    assert re.search(
        r'<span class="trialbook-figure">98</span> <a class="reference internal" '
        r'href="sources.html#source-review-c" title="Reviewer C\. Drugamab reviewed\.[^"]*">'
        r'<span class="trialbook-cite">\[3\]</span></a>',
        page,
    )
    assert re.search(
        r'<span class="trialbook-value trialbook-nr">not reported</span></p>\s*</td>', page
    )
    assert not app.warning.getvalue()


@pytest.mark.sphinx("latex", testroot="tables", srcdir="tables-arms-latex")
def test_trial_arms_latex_caption_label_numref_widths(app: SphinxTestApp) -> None:
    app.build()
    tex = (app.outdir / "tables.tex").read_text(encoding="utf-8")
    assert r"\caption{Arms of ALPHA\strut}" in tex
    assert (
        r"\caption{Arms and safety populations\strut}"
        r"\label{\detokenize{arms:alpha-arms-custom}}" in tex
    )
    assert (
        r"\hyperref[\detokenize{arms:alpha-arms-custom}]"
        r"{Table \ref{\detokenize{arms:alpha-arms-custom}}}" in tex
    )
    spec = _tex_spec(tex, "Arms and safety populations")
    assert len(spec) == 5
    assert sum(w for w, _ in spec) == spec[0][1] == 100
    assert r"\DUrole{trialbook-nr}{not reported}" in tex
    assert (
        r"\DUrole{trialbook-figure}{300} {\hyperref[\detokenize{sources:source-review-c}]"
        r"{\sphinxcrossref{\DUrole{trialbook-cite}{{[}3{]}}}}}" in tex
    )
    assert not app.warning.getvalue()


# --------------------------------------------------------------------------- safety-table


@pytest.mark.sphinx("html", testroot="tables", srcdir="tables-safety-doctree")
def test_safety_table_doctree_rows_columns_and_cells(app: SphinxTestApp) -> None:
    app.build()
    tables = _tables(numbered(app, "safety"))
    assert list(tables) == ["Adverse events", "Adverse events in BETA", "Thyroid disorders only"]

    # Rows grouped by trial under a row naming the arms compared; events in one order.
    every = tables["Adverse events"]
    assert "safety-all" in every["ids"]
    assert "trialbook-safety" in every["classes"]
    header, *body = _cells(every)
    assert header == [["Adverse event"], ["Drugamab"], ["Control"]]  # comparators differ
    assert [row[0] for row in body] == [
        ["ALPHA: Drugamab, both doses against Comparon 44 µg"],
        ["Thyroid disorders", "Mostly hypothyroidism. [3]"],
        ["Infections"],  # no note
        ["BETA: Drugamab 12 mg against Placebo"],
        ["Headache"],
        ["Rash"],
    ]
    trials = [x for x in every.findall(addnodes.pending_xref) if x["reftype"] == "trial"]
    assert [x["reftarget"] for x in trials] == ["alpha", "beta"]

    # The control column is the comparator (the control of most of ALPHA's
    # comparisons), although it comes first in the data and a pooled group second.
    # The arms are named once, in the group's row; cells hold the values.
    _, thyroid, infections, _, headache, rash = body
    assert thyroid[1:] == [
        ["51/300 (17%), 2 serious [1]", "also reported: ≈16% [6]"],
        ["5/99 (5%) [1]"],
    ]
    assert infections[1:] == [["120/300 (40%), 1 fatal [1]"], ["30/99 (30%) [1]"]]
    # Adverse events from a CSV file: placebo is BETA's comparator.
    assert headache[1:] == [["12/45 (27%), 1 serious [2]"], ["9/45 (20%) [2]"]]
    # No figure for the comparator: it says so (a dash could mean zero).
    assert rash[1:] == [["3/45 (7%) [2]"], ["not reported"]]

    note = every.next_node(
        lambda n: isinstance(n, nodes.paragraph) and n.astext() == "Mostly hypothyroidism. [3]"
    )
    assert isinstance(note, nodes.paragraph) and "trialbook-note" in note["classes"]

    # Each figure is exactly what the formatter prints for the value in the data.
    dataset = _dataset(app)
    alpha = dataset.trial("alpha")
    assert alpha.control_key() == "comparator"
    both = alpha.adverse_events[0].results["both"]
    assert isinstance(both, Tally)
    assert thyroid[1][0] == f"{fmt.value(both)} [1]"
    beta_events = dataset.trial("beta").adverse_events
    assert headache[2][0] == f"{fmt.value(beta_events[0].results['placebo'])} [2]"

    # One trial: no Trial column, a default caption naming it.
    beta_header, *beta_body = _rows(tables["Adverse events in BETA"])
    assert beta_header == ["Adverse event", "Drugamab", "Placebo"]  # named by treatment
    assert beta_body == [
        ["BETA: Drugamab 12 mg against Placebo"],
        ["Headache", "12/45 (27%), 1 serious [2]", "9/45 (20%) [2]"],
        ["Rash", "3/45 (7%) [2]", "not reported"],
    ]

    # :events: keeps the named events only.
    only_header, *only_body = _rows(tables["Thyroid disorders only"])
    assert only_header == ["Adverse event", "Drugamab", "Comparon"]
    assert [row[0] for row in only_body] == [
        "ALPHA: Drugamab, both doses against Comparon 44 µg",
        "Thyroid disorders | Mostly hypothyroidism. [3]",
    ]
    assert not app.warning.getvalue()


CONTROL_KEY = """
from trialbook.model.records import Trial

def outcome(i, control):
    return {
        "id": f"o{i}", "name": f"O{i}", "role": "primary", "measure": "mean-change",
        "results": {"drug": 1, control: 2},
        "comparison": {"treatment": "drug", "control": control},
    }

arms = [{"id": a, "label": a, "intervention": a} for a in ("drug", "placebo", "active")]
trial = Trial.model_validate({
    "id": "t", "name": "T", "phase": "III", "source": "s", "design": "x",
    "randomized": 3, "arms": arms,
    "outcomes": [outcome(1, "placebo"), outcome(2, "active")],
})
print(trial.control_key())
"""


def test_control_key_is_the_same_in_every_process() -> None:
    """One comparison against placebo, one against an active drug: a tie."""
    answers = set()
    for seed in range(8):
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        run = subprocess.run(
            [sys.executable, "-c", CONTROL_KEY],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        answers.add(run.stdout.strip())
    assert len(answers) == 1, answers


@pytest.mark.sphinx("html", testroot="tables", srcdir="tables-safety-html")
def test_safety_table_html(app: SphinxTestApp) -> None:
    app.build()
    page = (app.outdir / "safety.html").read_text(encoding="utf-8")
    tables = _html_tables(page)
    assert tables["Adverse events"][1] == ["ALPHA: Drugamab, both doses against Comparon 44 µg"]
    assert tables["Adverse events"][2] == [
        "Thyroid disorders | Mostly hypothyroidism. [3]",
        "51/300 (17%), 2 serious [1] | also reported: ≈16% [6]",
        "5/99 (5%) [1]",
    ]
    assert tables["Adverse events in BETA"][0] == ["Adverse event", "Drugamab", "Placebo"]
    assert re.search(r'href="#safety-all"><span class="std std-numref">Table 3</span>', page)
    # The trial column links to the trial's page, the other report to its source.
    assert 'href="trials/alpha.html#trial-alpha"' in page
    assert re.search(
        r'<span class="trialbook-other-reports">also reported: <span class="trialbook-value">'
        r'<span class="trialbook-figure">≈16%</span> <a class="reference internal" '
        r'href="sources.html#source-news-f"',
        page,
    )
    assert not app.warning.getvalue()


@pytest.mark.sphinx("latex", testroot="tables", srcdir="tables-safety-latex")
def test_safety_table_latex_ragged_columns_fill_the_width(app: SphinxTestApp) -> None:
    app.build()
    tex = (app.outdir / "tables.tex").read_text(encoding="utf-8")
    for caption, count in (
        ("Adverse events", 3),
        ("Adverse events in BETA", 3),
        ("Thyroid disorders only", 3),
    ):
        spec = _tex_spec(tex, caption)
        assert len(spec) == count, caption
        totals = {total for _, total in spec}
        assert len(totals) == 1 and sum(w for w, _ in spec) == totals.pop(), (caption, spec)
    assert r"\DUrole{trialbook-figure}{51/300 (17\%), 2 serious}" in tex
    assert r"\DUrole{trialbook-other-reports}{also reported: " in tex
    assert r"\label{\detokenize{safety:safety-all}}" in tex
    assert not app.warning.getvalue()


@pytest.mark.sphinx("latex", testroot="tables", srcdir="tables-breaks-latex")
def test_latex_group_headings_stay_with_their_rows(app: SphinxTestApp) -> None:
    """The page may not break after a group's heading (a trial's, an event's) inside a
    table: the heading at the foot of a page, its rows overleaf, read as an empty group.
    (Not after the first row: longtable then breaks before it, leaving a page with
    the table's footer alone.)"""
    app.build()
    tex = (app.outdir / "tables.tex").read_text(encoding="utf-8")
    # A group row is one cell spanning the table; the line after its end says no break.
    found = re.findall(
        r"(\\sphinxtableatstartofbodyhook\n)?\\sphinxstartmulticolumn.*?"
        r"\\sphinxstopmulticolumn\n\\\\\n([^\n]*)\n",
        tex,
        re.S,
    )
    assert len(found) == tex.count(r"\sphinxstartmulticolumn") > 3
    firsts = [end for first, end in found if first]
    others = [end for first, end in found if not first]
    assert firsts and others
    assert all(end.endswith(r"\nopagebreak") for end in others), others
    assert not any("nopagebreak" in end for end in firsts), firsts
    assert not app.warning.getvalue()


BAD_PAGE = """\
---
orphan: true
---

# Bad

```{trial-arms} alpah
```

```{trial-arms} nobody
```

```{safety-table}
:events: bogus
```

```{safety-table}
:trials: gamma
```

```{safety-table}
:trials: beta
:events: thyroid
```

```{safety-table}
:events: thyriod
```
"""


@pytest.mark.sphinx("html", testroot="tables", srcdir="tables-bad")
def test_bad_uses_warn_at_page_and_line(app: SphinxTestApp) -> None:
    (app.srcdir / "bad.md").write_text(BAD_PAGE, encoding="utf-8")
    app.build()
    warnings = strip_colors(app.warning.getvalue())
    assert "Traceback" not in warnings
    src = app.srcdir / "bad.md"
    expected = [
        (
            _line_of(BAD_PAGE, "```{trial-arms} alpah"),
            "trial-arms",
            "unknown trial 'alpah' (did you mean 'alpha'?)",
            "reference",
        ),
        (
            _line_of(BAD_PAGE, "```{trial-arms} nobody"),
            "trial-arms",
            "unknown trial 'nobody' (known: alpha, beta, gamma)",
            "reference",
        ),
        (
            _line_of(BAD_PAGE, "```{safety-table}", 1),
            "safety-table",
            "no adverse event 'bogus' in the selection (known: ",
            "reference",
        ),
        (
            _line_of(BAD_PAGE, "```{safety-table}", 2),
            "safety-table",
            "the selection has no adverse events",
            "directive",
        ),
        (
            _line_of(BAD_PAGE, "```{safety-table}", 3),
            "safety-table",
            "no adverse event 'thyroid' in the selection (",
            "reference",
        ),
        (
            _line_of(BAD_PAGE, "```{safety-table}", 4),
            "safety-table",
            "no adverse event 'thyriod' in the selection (did you mean 'thyroid'?)",
            "reference",
        ),
    ]
    for line, directive, text, subtype in expected:
        assert re.search(_warning_re(src, line, directive, text, subtype), warnings), (
            line,
            warnings,
        )
    assert warnings.count("WARNING") == len(expected), warnings
    # Nothing half-built is left in the page.
    assert not list(app.env.get_doctree("bad").findall(nodes.table))


TWICE_PAGE = """\
---
orphan: true
---

# Twice

```{safety-table}
:events: thyroid, infections thyroid
```
"""


@pytest.mark.sphinx("html", testroot="tables", srcdir="tables-twice")
def test_an_id_given_twice_is_a_located_error(app: SphinxTestApp) -> None:
    (app.srcdir / "twice.md").write_text(TWICE_PAGE, encoding="utf-8")
    app.build()
    warnings = strip_colors(app.warning.getvalue())
    line = _line_of(TWICE_PAGE, ":events: thyroid, infections thyroid")
    assert re.search(
        rf"{re.escape(str(app.srcdir / 'twice.md'))}:{line}: WARNING: .*'events'.*"
        r"'thyroid' given more than once \[myst\.directive_option\]",
        warnings,
    ), warnings
    assert "Traceback" not in warnings


# --------------------------------------------------------------------------- discrepancy-list


@pytest.mark.sphinx("html", testroot="tables", srcdir="tables-discrepancies")
def test_discrepancy_list_four_tables(app: SphinxTestApp) -> None:
    app.build()
    doctree = numbered(app, "discrepancies")
    tables = _tables(doctree)
    assert list(tables) == [
        "Figures that sources print differently",
        "Figures kept as printed despite an inconsistency",
        "Wrong citations in the sources",
        "Slips in the sources",
    ]
    header, *body = _rows(tables["Figures that sources print differently"])
    assert header == [
        "Trial",
        "Quantity",
        "In the tables",
        "Other sources",
        "Same within rounding",
    ]
    assert body == [
        # 54.9 and 55 can both be roundings of one number.
        ["ALPHA", "Relapse rate, relative reduction", "54.9% [1]", "55% [4]", "yes"],
        # "about 16%" is never taken as agreeing with 17%.
        [
            "ALPHA",
            "Thyroid disorders, Drugamab, both doses",
            "51/300 (17%), 2 serious [1]",
            "≈16% [6]",
            "no",
        ],
    ]
    header, *body = _rows(tables["Figures kept as printed despite an inconsistency"])
    assert header == ["Trial", "Quantity", "As printed", "Why it is kept"]
    assert body == [
        [
            "ALPHA",
            "Patients with a relapse, Comparon 44 µg",
            "52/98 (55%) sic [1]",  # marked where it is shown, the reason on hover
            "The paper prints 55%, but 52 of 98 is 53.1%.",
        ]
    ]
    sic = next(
        tables["Figures kept as printed despite an inconsistency"].findall(nodes.abbreviation)
    )
    assert sic["explanation"] == "The paper prints 55%, but 52 of 98 is 53.1%."
    header, *body = _rows(tables["Slips in the sources"])
    assert header == ["Source", "Where", "As printed", "What is wrong, and what the handbook does"]
    slip = ["[3]", "Table 2", "12 (9%)", "12 of 130 is 9.2%; the handbook uses the cells."]
    assert body == [slip]
    header, *body = _rows(tables["Wrong citations in the sources"])
    assert header == ["Source", "Cites", "As printed", "Correct"]
    assert body == [["[6]", "[1]", "J Test 2020;1:100-110", "J Test 2020;1:1–10"]]
    miscited = tables["Wrong citations in the sources"]
    assert cited(miscited) == [
        "news-f",
        "paper-a",
    ]
    texts = [p.astext() for p in doctree.findall(nodes.paragraph)]
    assert "No quantity is printed differently by two sources." not in texts
    assert "No figure is kept despite an arithmetic inconsistency." not in texts

    page = (app.outdir / "discrepancies.html").read_text(encoding="utf-8")
    html_tables = _html_tables(page)
    assert html_tables["Figures that sources print differently"][2][3:] == ["≈16% [6]", "no"]
    assert html_tables["Wrong citations in the sources"][1][:2] == ["[6]", "[1]"]
    assert 'href="sources.html#source-abstract-d"' in page
    assert 'href="trials/alpha.html#trial-alpha"' in page
    assert not app.warning.getvalue()


@pytest.mark.sphinx("latex", testroot="tables", srcdir="tables-discrepancies-latex")
def test_discrepancy_list_latex(app: SphinxTestApp) -> None:
    app.build()
    tex = (app.outdir / "tables.tex").read_text(encoding="utf-8")
    for caption, count in (
        ("Figures that sources print differently", 5),
        ("Figures kept as printed despite an inconsistency", 4),
        ("Wrong citations in the sources", 4),
        ("Slips in the sources", 4),
    ):
        spec = _tex_spec(tex, caption)
        assert len(spec) == count
        assert sum(w for w, _ in spec) == spec[0][1] == 100
    assert r"\DUrole{trialbook-figure}{54.9\%}" in tex
    assert not app.warning.getvalue()


@pytest.mark.sphinx(
    "html",
    testroot="tables",
    srcdir="tables-plain",
    confoverrides={"trialbook_data_dir": "data-plain"},
)
def test_plain_data_sentences_and_missing_milestones(app: SphinxTestApp) -> None:
    app.build()
    doctree = numbered(app, "discrepancies")
    assert not list(doctree.findall(nodes.table))
    texts = [p.astext() for p in doctree.findall(nodes.paragraph)]
    assert texts == [
        "No quantity is printed differently by two sources.",
        "No figure is kept despite an arithmetic inconsistency.",
    ]
    page = (app.outdir / "discrepancies.html").read_text(encoding="utf-8")
    assert "No quantity is printed differently by two sources." in page
    assert "No figure is kept despite an arithmetic inconsistency." in page
    assert "Wrong citations" not in page

    # No milestones file: the timeline warns where it is used and shows nothing.
    warnings = strip_colors(app.warning.getvalue())
    assert "Traceback" not in warnings
    assert re.search(
        _warning_re(
            app.srcdir / "milestones.md",
            3,
            "milestone-timeline",
            "the data has no milestones",
            "directive",
        ),
        warnings,
    ), warnings
    assert not list(app.env.get_doctree("milestones").findall(nodes.table))


@pytest.mark.sphinx(
    "html",
    testroot="tables",
    srcdir="tables-plain-path",
    confoverrides={"trialbook_data_dir": "data-plain"},
)
def test_missing_milestones_warning_names_the_configured_file(app: SphinxTestApp) -> None:
    app.build()
    warnings = strip_colors(app.warning.getvalue())
    [line] = [w for w in warnings.splitlines() if "milestone-timeline:" in w]
    assert "data-plain/milestones.yaml" in line, line


# --------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def real() -> Dataset:
    result = load_dataset(REPO / "data")
    assert result.ok, result.diagnostics
    return result.dataset


#: Every disagreement the reference sheets list (trial-facts-2.md, "Disagreements
#: between sources"), as (trial or treatment, the quantity, our figure, the other
#: source's figure, the other source). The discrepancy page must show each.
SHEET_DISAGREEMENTS = [
    # 1. stopping for an adverse event (review) against leaving the study (registry)
    (
        "care-ms-i",
        "Stopped treatment because of an adverse event, Interferon beta-1a",
        "6",
        "5",
        "ctgov-nct00530348",
    ),
    # 2. malignancy, CARE-MS II interferon arm
    ("care-ms-ii", "Malignancies, Interferon beta-1a", "1", "1.5", "neurotherapeutics-2013"),
    # 3. MSFC change, CARE-MS I
    (
        "care-ms-i",
        "Mean change in MSFC score, Alemtuzumab 12 mg",
        "0.15",
        "0.11",
        "omics-2013-review",
    ),
    (
        "care-ms-i",
        "Mean change in MSFC score, Interferon beta-1a",
        "0.07",
        "0.03",
        "omics-2013-review",
    ),
    # 4. CARE-MS II disease duration: all patients, against time since first episode
    ("care-ms-ii", "Disease duration, all patients", "3.9", "4.5", "cnsdrugs-2016"),
    # 5. CARE-MS II eligibility: registry against a trial site's page
    ("care-ms-ii", "Oldest age at entry, all patients", "55", "50", "umass-care-ms-ii"),
    (
        "care-ms-ii",
        "Longest time since the first symptoms, all patients",
        "10",
        "5",
        "umass-care-ms-ii",
    ),
    # 6. stroke cases in the FDA communication
    (
        "alemtuzumab",
        "Cases of stroke or cervicocephalic arterial dissection",
        "13",
        "14",
        "medshadow-2018",
    ),
    # 7. thyroid disorders in CAMMS223
    (
        "camms223",
        "Thyroid disorders, Alemtuzumab, both doses",
        "23",
        "26",
        "neurotherapeutics-2013",
    ),
    # 8. pooled thyroid autoimmunity: the label against a review
    ("alemtuzumab", "Thyroid disorders, Alemtuzumab", "36.8", "42", "pmc6439479"),
]


def test_every_disagreement_of_the_reference_sheets_is_listed(real: Dataset) -> None:
    found = {
        (d.trial.id, d.label, str(d.value.value), str(o.value), o.source): within
        for d in disagreements(real)
        for o, within in d.others
    }
    for entry in SHEET_DISAGREEMENTS:
        assert entry in found, entry
        assert found[entry] is False, entry  # none of them is a mere rounding
    # 9. the slips in review tables are listed with where they are
    slips = {(sid, e.locator) for sid, s in real.sources.items() for e in s.errata}
    assert ("fernandez-2014", "Table 4, serious thyroid disorders, total") in slips
    assert ("pmc6169984", "Table 2, thyroid monitoring") in slips


def test_real_data_disagreements(real: Dataset) -> None:
    found = {(d.trial.id, d.path): d for d in disagreements(real)}
    review = found["camms223", ("outcomes", 0, "comparison", "estimate")]
    # The Cochrane review's hazard ratio (12 mg alone) beside the paper's (both doses).
    assert review.label == "Sustained accumulation of disability, estimate"
    [(other, within)] = review.others
    assert (other.value, other.source, within) == (
        Decimal("0.25"),
        "cochrane-cd011203-2023",
        False,
    )
    reduction = found["care-ms-i", ("outcomes", 0, "comparison", "reduction")]
    assert reduction.label == "Relapse rate, relative reduction"
    assert reduction.value.value == Decimal("54.9") and reduction.value.unit == "%"
    assert [(o.value, o.source, within) for o, within in reduction.others] == [
        (Decimal(55), "nmss-2011", True),
        (Decimal(55), "ectrims-2011-151", True),
    ]
    thyroid = found["care-ms-ii", ("adverse_events", 4, "results", "alemtuzumab")]
    assert thyroid.label == "Thyroid disorders, Alemtuzumab, both doses"
    assert thyroid.value.value == 17 and thyroid.value.source == "fernandez-2014"
    [(other, within)] = thyroid.others
    assert (other.relation, other.value, other.source, within) == (
        "≈",
        Decimal(16),
        "nmss-2011",
        False,
    )
    assert fmt.other_report(other) == "≈16%"
    # A percentage with its count is exact: 2/202 is 0.99%, not a rounding of 1.5%,
    # though "1%" alone could be.
    malignancy = found["care-ms-ii", ("adverse_events", 7, "results", "ifn")]
    assert [w for _, w in malignancy.others] == [False]
    # A count of patients is not a percentage, whatever the figures.
    stopped = found["care-ms-i", ("adverse_events", 0, "results", "alemtuzumab-12")]
    [(other, within)] = stopped.others
    assert (other.value, other.unit, within) == (Decimal(1), "patient", False)


def test_real_data_acknowledged(real: Dataset) -> None:
    item, any_event = acknowledged(real)
    assert (any_event.trial.id, any_event.value.n, any_event.value.N) == ("care-ms-ii", 587, 596)
    assert item.trial.id == "care-ms-ii"
    assert item.path == ("outcomes", 1, "results", "ifn")
    assert item.label == "Patients with a relapse, Interferon beta-1a"
    assert (item.value.n, item.value.N, item.value.value) == (104, 202, Decimal(53))
    assert fmt.value(item.value) == "104/202 (53%)"
    assert item.reason == "The review prints 53%, but 104 of 202 is 51.5%."


@pytest.mark.parametrize(
    ("trial_id", "path", "expected"),
    [
        ("care-ms-ii", (), "trial"),
        ("care-ms-ii", ("randomized",), "randomized"),
        ("care-ms-ii", ("arms", 2, "safety"), "Interferon beta-1a, safety"),
        ("care-ms-ii", ("outcomes", 0, "comparison", "estimate"), "Relapse rate, estimate"),
        ("care-ms-ii", ("outcomes", 0, "comparison", "p"), "Relapse rate, p"),
        (
            "care-ms-ii",
            ("outcomes", 0, "results", "alemtuzumab-12"),
            "Relapse rate, Alemtuzumab 12 mg",
        ),
        ("care-ms-i", ("adverse_events", 6, "results", "ifn"), "Infections, Interferon beta-1a"),
        ("care-ms-i", ("baseline", 0, "results", "ifn"), "Age, Interferon beta-1a"),
        ("care-ms-i", ("baseline", 4, "all"), "Disease duration (median), all patients"),
        (
            "care-ms-ii",
            ("extensions", 1, "results", 3, "all"),
            "TOPAZ, Completed the second year of TOPAZ, year 8, all patients",
        ),
    ],
)
def test_label_names_quantities_in_words(
    real: Dataset, trial_id: str, path: tuple[str | int, ...], expected: str
) -> None:
    assert label(real.trial(trial_id), path) == expected


def test_label_names_a_pooled_group(real: Dataset) -> None:
    trial = real.trial("care-ms-ii")
    assert label(trial, ("groups", 0, "safety")) == "Alemtuzumab, both doses, safety"


# --------------------------------------------------------------------------- milestone-timeline


MILESTONE_ROWS = [
    ["Date", "Agency", "Event"],
    [
        "before November 2011",
        "FDA",
        "Drugamab had been designated a Fast Track product. [6]",
    ],
    [
        "September 2013 (announced 17 September 2013)",
        "European Commission",
        "Marketing authorisation in the European Union. [5]",
    ],
    [
        "14 November 2014",
        "Test Medicines Agency",
        "Approval of Drugamab. [5] | For patients who failed two earlier drugs. [5] | "
        "Distribution restricted to a controlled programme. [5]",
    ],
    ["2015", "–", "Boxed warning on autoimmunity. [5]"],
]


@pytest.mark.sphinx("html", testroot="tables", srcdir="tables-milestones")
def test_milestone_timeline_sorted_dated_and_cited(app: SphinxTestApp) -> None:
    app.build()
    ((caption, table),) = _tables(numbered(app, "milestones")).items()
    assert caption == "Regulatory milestones"
    assert "trialbook-milestones" in table["classes"]
    assert _rows(table) == MILESTONE_ROWS
    # Details are paragraphs of their own, after the cited event.
    approval = _cells(table)[3][2]
    assert len(approval) == 3
    # Every detail cites its own source, as the event does.
    assert cited(table) == ["news-f", "agency-e", "agency-e", "agency-e", "agency-e", "agency-e"]

    page = (app.outdir / "milestones.html").read_text(encoding="utf-8")
    assert _html_tables(page)["Regulatory milestones"] == MILESTONE_ROWS
    assert re.search(
        r'<span class="caption-number">Table \d+ </span>'
        r'<span class="caption-text">Regulatory milestones',
        page,
    )
    assert 'href="sources.html#source-agency-e"' in page
    assert not app.warning.getvalue()


@pytest.mark.sphinx("latex", testroot="tables", srcdir="tables-milestones-latex")
def test_milestone_timeline_latex(app: SphinxTestApp) -> None:
    app.build()
    tex = (app.outdir / "tables.tex").read_text(encoding="utf-8")
    spec = _tex_spec(tex, "Regulatory milestones")
    assert len(spec) == 3 and sum(w for w, _ in spec) == spec[0][1] == 100
    chunk = tex[tex.index(r"\caption{Regulatory milestones\strut}") :]
    chunk = chunk[: chunk.index(r"\end{longtable}")]
    dates = [
        "before November 2011",
        "September 2013 (announced 17 September 2013)",
        "14 November 2014",
        "\n2015\n",
    ]
    positions = [chunk.index(d) for d in dates]
    assert positions == sorted(positions)
    assert (
        r"Approval of Drugamab. {\hyperref[\detokenize{sources:source-agency-e}]"
        r"{\sphinxcrossref{\DUrole{trialbook-cite}{{[}5{]}}}}}" in chunk
    )
    assert not app.warning.getvalue()


# --------------------------------------------------------------------------- incremental

#: Appended to the copy's conf.py: records what each build reads, through the
#: ``read`` set passed to the app (``SphinxTestApp`` keeps unknown arguments as extras).
RECORDER = """

def setup(app):
    read = app.extras["read"]
    app.connect("env-before-read-docs", lambda app, env, docnames: read.update(docnames))
"""


def _touch_later(path: Path) -> None:
    """Bump the mtime past the last build (file systems have coarse clocks)."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))


def test_milestone_page_follows_milestones_not_trials(
    build: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    src = tmp_path / "src"
    shutil.copytree(ROOT, src)
    with (src / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write(RECORDER)

    def reread() -> set[str]:
        read: set[str] = set()
        app = build("html", src, read=read)
        assert "WARNING" not in app.warning.getvalue(), app.warning.getvalue()
        return read

    everything = reread()
    assert {"milestones", "arms", "safety", "discrepancies", "sources"} <= everything
    assert reread() == set()

    milestones = src / "data/milestones.yaml"
    text = milestones.read_text(encoding="utf-8")
    milestones.write_text(
        text.replace("Approval of Drugamab.", "Approval of Drugamab (Drugamax)."),
        encoding="utf-8",
    )
    _touch_later(milestones)
    assert "milestones" in reread()
    page = (src / "_build/html/milestones.html").read_text(encoding="utf-8")
    assert "Approval of Drugamab (Drugamax)." in page

    beta = src / "data/trials/beta.yaml"
    beta.write_text(
        beta.read_text(encoding="utf-8").replace("Double-blind,", "Double-blind and"),
        encoding="utf-8",
    )
    _touch_later(beta)
    read = reread()
    beta_page = (src / "_build/html/trials/beta.html").read_text(encoding="utf-8")
    assert "Double-blind and" in beta_page  # the edit was seen (refreshed, see refresh.py)
    assert "milestones" not in read
    assert "arms" not in read  # trial-arms of ALPHA only


def test_columns_that_wrap_share_the_line_by_the_text_they_hold() -> None:
    """A column of dates with one long cell beside a column of long events: the events
    take most of the line (they took as much as the dates), and no column is narrower
    than its longest word or wider than its longest line."""
    event = "Boxed warning on autoimmunity, infusion reactions and malignancies. " * 3
    rows = [
        ["September 2013 (announced 17 September 2013)", "European Commission", event],
        *[["30 December 2013", "FDA", event] for _ in range(8)],
    ]
    date, agency, events = widths(("Date", "Agency", "Event"), rows)
    assert date + agency + events == 100
    assert events > 2 * date and events > 2 * agency
    assert agency * 4.5 >= 45 + 14  # "Commission" (45 pt) and its padding: no overfull word
    # Everything on one line: the spare room goes by each column's longest line.
    short, longer = widths(("a", "b"), [["x", "yyyy"]])
    assert short + longer == 100 and short < longer
