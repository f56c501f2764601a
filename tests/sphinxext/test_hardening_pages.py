"""Pages that use the data wrongly get one located warning and a visible mark, never
silently different output; data text is shown exactly as written."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sphinx.testing.util import SphinxTestApp
from sphinx.util.console import strip_colors

from trialbook.sphinxext.latexlog import log_problems, table_boxes

ROOTS = Path(__file__).resolve().parent.parent / "roots"


@pytest.fixture
def tables(tmp_path: Path) -> Path:
    shutil.copytree(ROOTS / "test-tables", tmp_path / "src")
    return tmp_path / "src"


def _warnings(app: SphinxTestApp) -> str:
    return strip_colors(app.warning.getvalue())


def _page(project: Path, text: str) -> Path:
    page = project / "extra.md"
    page.write_text(text, encoding="utf-8")
    index = project / "index.md"
    body = index.read_text(encoding="utf-8")
    if "extra" not in body:
        index.write_text(body + "\n```{toctree}\n:hidden:\n\nextra\n```\n", encoding="utf-8")
    return page


def test_val_of_a_value_not_reported_warns_and_is_marked(
    build: Callable[..., SphinxTestApp], tables: Path
) -> None:
    page = _page(tables, "# Extra\n\nWe randomized\n{val}`alpha/high.randomized` patients.\n")
    app = build("html", tables)
    warnings = _warnings(app)
    assert re.search(
        rf"{re.escape(str(page))}:4: WARNING: val: 'alpha/high.randomized' is recorded as "
        r"not reported.*\[trialbook\.directive\]",
        warnings,
    ), warnings
    html = (app.outdir / "extra.html").read_text(encoding="utf-8")
    assert re.search(r'class="[^"]*trialbook-missing[^"]*"[^>]*>not reported<', html), html


@pytest.mark.parametrize("option", [":name:", ":caption:", ":trials:", ":role:"])
def test_an_option_without_a_value_warns(
    build: Callable[..., SphinxTestApp], basic: Path, option: str
) -> None:
    page = _page(basic, f"# Extra\n\n```{{outcome-table}}\n{option}\n```\n")
    warnings = _warnings(build("html", basic))
    name = option.strip(":")
    assert re.search(
        rf"{re.escape(str(page))}:3: WARNING: outcome-table: option :{name}: is given "
        r"without a value.*\[trialbook\.directive\]",
        warnings,
    ), warnings


def test_a_second_source_list_warns_where_it_is(
    build: Callable[..., SphinxTestApp], basic: Path
) -> None:
    page = _page(basic, "# Extra\n\nText.\n\n```{source-list}\n```\n")
    warnings = _warnings(build("html", basic))
    assert re.search(
        rf"{re.escape(str(page))}:5: WARNING: a second source-list; .* links to the one in "
        r"'extra'|"
        rf"{re.escape(str(basic / 'sources.md'))}:3: WARNING: a second source-list",
        warnings,
    ), warnings
    assert warnings.count("a second source-list") == 1


def test_a_role_warns_at_its_own_line(build: Callable[..., SphinxTestApp], basic: Path) -> None:
    page = _page(
        basic,
        "# Extra\n\nFirst line of a paragraph,\nthe second,\n"
        "and {val}`alpha.randomised` on the third;\nthen {trial}`gamma` on the fourth.\n",
    )
    warnings = _warnings(build("html", basic))
    assert re.search(rf"{re.escape(str(page))}:5: WARNING: val: no field", warnings), warnings
    assert re.search(rf"{re.escape(str(page))}:6: WARNING: unknown trial 'gamma'", warnings)


def test_data_text_is_shown_exactly(build: Callable[..., SphinxTestApp], basic: Path) -> None:
    beta = basic / "data/trials/beta.yaml"
    text = beta.read_text(encoding="utf-8").replace(
        "design: Open label.", "design: 'Open \"label\" -- see C:\\\\trials\\\\beta ...'"
    )
    beta.write_text(text, encoding="utf-8")
    app = build("html", basic)
    html = (app.outdir / "trials/beta.html").read_text(encoding="utf-8")
    assert "Open &quot;label&quot; -- see C:\\\\trials\\\\beta ..." in html, html
    assert "“label”" not in html and "–" not in html.split("Open")[1][:40]


def test_a_failed_trial_is_said_once_and_not_unknown(
    build: Callable[..., SphinxTestApp], basic: Path
) -> None:
    beta = basic / "data/trials/beta.yaml"
    beta.write_text(beta.read_text(encoding="utf-8").replace("randomized: 90", "randomized: x"))
    _page(basic, "# Extra\n\nSee {trial}`beta` and {val}`beta.randomized`.\n")
    warnings = _warnings(build("html", basic))
    assert "unknown trial 'beta'" not in warnings
    told = [line for line in warnings.splitlines() if "failed validation" in line]
    assert len(told) == 1, warnings
    assert f"its first error is at {beta}:6:13" in told[0]


def test_a_missing_data_folder_names_the_setting(
    build: Callable[..., SphinxTestApp], basic: Path
) -> None:
    conf = basic / "conf.py"
    conf.write_text(
        conf.read_text(encoding="utf-8").replace('"data"', '"nowhere"'), encoding="utf-8"
    )
    warnings = _warnings(build("html", basic))
    assert re.search(
        rf"{re.escape(str(conf))}:2: ERROR: data directory not found: .*nowhere "
        r"\(trialbook_data_dir = 'nowhere'.*\[trialbook\.config\]",
        warnings,
    ), warnings


def test_log_problems_finds_undefined_references() -> None:
    log = (
        "LaTeX Warning: Hyper reference `other:source-paper-b' on page 3 undefined on input "
        "line 12.\nLaTeX Warning: Citation `x' on page 1 undefined on input line 3.\n"
        "LaTeX Warning: There were undefined references.\n"
    )
    assert len(log_problems(log)) == 3
    assert log_problems("LaTeX Warning: Label(s) may have changed.\n") == []


@pytest.mark.latexpdf
@pytest.mark.skipif(not shutil.which("latexmk"), reason="TeX is not installed")
def test_source_list_on_the_root_page_links_in_the_pdf(
    build: Callable[..., SphinxTestApp], basic: Path
) -> None:
    """Citation links from every page land on a source list on the root page."""
    index = basic / "index.md"
    index.write_text(
        index.read_text(encoding="utf-8").replace("sources\n", "") + "\n```{source-list}\n```\n",
        encoding="utf-8",
    )
    (basic / "sources.md").unlink()
    app = build("latex", basic)
    tex = (app.outdir / "basic.tex").read_text(encoding="utf-8")
    labels = set(re.findall(r"\\label\{\\detokenize\{([^}]*)\}\}", tex))
    links = set(re.findall(r"\\hyperref\[\\detokenize\{([^}]*source-[^}]*)\}\]", tex))
    assert links and links <= labels, sorted(links - labels)


def test_table_boxes_are_found_by_their_lines() -> None:
    tex = "a\n\\begin{tabular}{ll}\nx & y\\\\\n\\end{tabular}\nb\n"
    log = (
        "Overfull \\hbox (2.2pt too wide) in paragraph at lines 3--3\n"
        "Underfull \\hbox (badness 10000) in paragraph at lines 5--5\n"
    )
    assert table_boxes(log, tex) == ["Overfull \\hbox (2.2pt too wide) in paragraph at lines 3--3"]
