"""The ``val`` role: every path form, in the doctree, HTML and LaTeX; bad paths; edits."""

from __future__ import annotations

import html as htmllib
import os
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from docutils import nodes
from sphinx import addnodes
from sphinx.util.console import strip_colors

from conftest import cited, numbered

if TYPE_CHECKING:
    from collections.abc import Callable

    from sphinx.testing.util import SphinxTestApp

ROOT = Path(__file__).parent.parent / "roots" / "test-roles"
NBSP = "\u00a0"
PAPER_A = "Author A. A trial of alpha. J Test 2020;1:1–10."
PAPER_B = "Author B. A trial of beta. J Test 2021;2:11–20."

#: label in values.md → (path, figure, source); every form of trialbook.report.paths.
VALUES = {
    "randomized": ("alpha.randomized", "300", "paper-a"),  # <trial>.<field>
    "centres": ("beta.centres", "12", "paper-b"),
    "countries": ("beta.countries", "3", "paper-b"),
    "arm-randomized": ("alpha/drug.randomized", "200", "paper-a"),  # <trial>/<arm>.<size>
    "arm-analysed": ("beta/drug.analysed", "44", "paper-b"),
    "reduction": ("alpha/relapse-rate.reduction", "50%", "paper-a"),  # <outcome>.<part>
    "estimate": ("alpha/relapse-rate.estimate", "0.50 (0.38–0.66)", "paper-a"),
    "p": ("alpha/relapse-rate.p", f"p{NBSP}<{NBSP}0.0001", "paper-a"),
    "met": ("alpha/relapse-rate.met", "Yes", "paper-a"),
    "result": ("alpha/relapse-rate.drug", "0.20 (0.15–0.26)", "paper-a"),  # <outcome>.<arm>
    "signed-negative": ("alpha/edss.drug", "\u22120.20", "paper-a"),  # mean change: signed
    "signed-positive": ("alpha/edss.placebo", "+0.10", "paper-a"),
    "proportion": ("beta/responders.drug", "30/45 (67%)", "paper-b"),
    "not-met": ("beta/responders.met", "No", "paper-b"),
    "event": ("beta/infections.drug", "10/45 (22%), 2 serious", "paper-b"),  # <event>.<group>
}
NUMBERS = {"paper-a": 1, "paper-b": 2}
CITATIONS = {"paper-a": PAPER_A, "paper-b": PAPER_B}


def _items(doctree: nodes.document) -> dict[str, nodes.paragraph]:
    """label → the paragraph of that item of values.md."""
    out: dict[str, nodes.paragraph] = {}
    for item in doctree.findall(nodes.list_item):
        para = item.next_node(nodes.paragraph)
        assert para is not None
        label = para.astext().split(":")[0]
        out[label] = para
    return out


@pytest.mark.sphinx("html", testroot="roles", srcdir="val-doctree")
def test_every_path_form_renders_value_and_citation(app: SphinxTestApp) -> None:
    app.build()
    items = _items(numbered(app, "values"))
    assert set(items) == set(VALUES)
    for label, (_, figure, source) in VALUES.items():
        para = items[label]
        assert para.astext() == f"{label}: {figure} [{NUMBERS[source]}]", label
        (value,) = [n for n in para.children if isinstance(n, nodes.inline)]
        assert "trialbook-value" in value["classes"]
        assert cited(value) == [source]
    assert not app.warning.getvalue()


@pytest.mark.sphinx("html", testroot="roles", srcdir="val-html")
def test_html_cites_link_to_the_source_list_with_the_citation(app: SphinxTestApp) -> None:
    app.build()
    page = (app.outdir / "values.html").read_text(encoding="utf-8")
    items = dict(re.findall(r"<li><p>([\w-]+): (.*?)</p></li>", page))
    assert set(items) == set(VALUES)
    for label, (_, figure, source) in VALUES.items():
        item = items[label]
        assert f'<span class="trialbook-figure">{htmllib.escape(figure)}</span>' in item, label
        links = re.findall(r"<a ([^>]*)>(.*?)</a>", item)
        assert len(links) == 1, item
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', links[0][0]))
        assert attrs["href"] == f"sources.html#source-{source}", item
        assert htmllib.unescape(attrs["title"]) == CITATIONS[source]
        assert re.sub(r"<[^>]+>", "", links[0][1]) == f"[{NUMBERS[source]}]"
    assert not app.warning.getvalue()


@pytest.mark.sphinx("latex", testroot="roles", srcdir="val-latex")
def test_latex_values_and_hyperlinked_citations(app: SphinxTestApp) -> None:
    app.build()
    tex = (app.outdir / "roles.tex").read_text(encoding="utf-8")
    cite_a = (
        r"{\hyperref[\detokenize{sources:source-paper-a}]"
        r"{\sphinxcrossref{\DUrole{trialbook-cite}{{[}1{]}}}}}"
    )
    cite_b = cite_a.replace("paper-a", "paper-b").replace("{[}1{]}", "{[}2{]}")
    for label, figure, cite in (
        ("randomized", "300", cite_a),
        ("reduction", r"50\%", cite_a),
        ("p", f"p{NBSP}\\textless{{}}{NBSP}0.0001", cite_a),
        ("result", r"0.20 (0.15\textendash{}0.26)", cite_a),
        (r"signed\sphinxhyphen{}negative", "\u22120.20", cite_a),
        (r"signed\sphinxhyphen{}positive", "+0.10", cite_a),
        (r"arm\sphinxhyphen{}randomized", "200", cite_a),
        ("met", "Yes", cite_a),
        ("proportion", "30/45 (67\\%)", cite_b),
    ):
        line = f"{label}: \\DUrole{{trialbook-value}}{{\\DUrole{{trialbook-figure}}{{{figure}}} "
        assert line + cite in tex, (label, figure)
    assert r"\label{\detokenize{sources:source-paper-a}}" in tex
    assert not app.warning.getvalue()


BAD_PAGE = """\
# Bad values

Typo: {val}`alpha/relapse-rate.reductoin`.

No trial: {val}`gamma.randomized`.

No field: {val}`alpha`.

No record: {val}`alpha/nothing.drug`.

Not reported: {val}`alpha.centres`.
"""


@pytest.mark.sphinx("html", testroot="roles", srcdir="val-bad")
def test_bad_paths_warn_at_page_and_line_and_show_the_path(app: SphinxTestApp) -> None:
    (app.srcdir / "bad.md").write_text(BAD_PAGE, encoding="utf-8")
    app.build()
    warnings = strip_colors(app.warning.getvalue())
    assert "Traceback" not in warnings
    src = str(app.srcdir / "bad.md")
    expected = {
        3: (
            "val: no result of alpha/relapse-rate 'reductoin' in "
            "'alpha/relapse-rate.reductoin' (did you mean 'alpha/relapse-rate.reduction'?)"
        ),
        5: "val: no trial 'gamma' in 'gamma.randomized' (expected one of: alpha, beta)",
        7: "val: a value path needs a field after '.' in 'alpha'",
        9: (
            "val: no outcome, adverse event, arm or measurement of alpha 'nothing' in "
            "'alpha/nothing.drug' "
            "(expected one of: drug, edss, placebo, relapse-rate)"
        ),
        11: "val: alpha reports no centres in 'alpha.centres'",
    }
    lines = [line for line in warnings.splitlines() if "WARNING" in line]
    assert len(lines) == len(expected), warnings
    for line, text in expected.items():
        (hit,) = [w for w in lines if w.startswith(f"{src}:{line}: WARNING: ")]
        assert text in hit, hit
        assert hit.endswith("[trialbook.reference]"), hit
    # Each bad path is shown as itself, in a literal, and marked.
    doctree = app.env.get_doctree("bad")
    literals = [n for n in doctree.findall(nodes.literal) if "trialbook-missing" in n["classes"]]
    assert [n.astext() for n in literals] == [
        "alpha/relapse-rate.reductoin",
        "gamma.randomized",
        "alpha",
        "alpha/nothing.drug",
        "alpha.centres",
    ]
    assert not list(doctree.findall(addnodes.pending_xref))
    page = (app.outdir / "bad.html").read_text(encoding="utf-8")
    assert '<code class="trialbook-missing docutils literal notranslate">' in page


@pytest.mark.sphinx("html", testroot="roles", srcdir="val-no-field")
def test_path_without_field_suggests_fields(app: SphinxTestApp) -> None:
    (app.srcdir / "bad.md").write_text("# Bad\n\nNo field: {val}`alpha`.\n", encoding="utf-8")
    app.build()
    warnings = strip_colors(app.warning.getvalue())
    assert "val: a value path needs a field after '.' in 'alpha'" in warnings
    assert "alpha.randomized" in warnings  # a suggestion, or the list of alpha's paths


def _touch_later(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))


def test_editing_a_value_rereads_the_page_that_cites_it(
    build: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    project = tmp_path / "src"
    shutil.copytree(ROOT, project)
    app = build("html", project)
    assert "randomized: " in (app.outdir / "values.html").read_text(encoding="utf-8")
    assert '<span class="trialbook-figure">300</span>' in (app.outdir / "values.html").read_text(
        encoding="utf-8"
    )
    alpha = project / "data/trials/alpha.yaml"
    text = alpha.read_text(encoding="utf-8")
    assert "randomized: 300\n" in text
    alpha.write_text(text.replace("randomized: 300\n", "randomized: 301\n"), encoding="utf-8")
    _touch_later(alpha)
    app = build("html", project)
    page = (app.outdir / "values.html").read_text(encoding="utf-8")
    assert '<span class="trialbook-figure">301</span>' in page
    assert '<span class="trialbook-figure">300</span>' not in page
    assert "WARNING" not in app.warning.getvalue(), app.warning.getvalue()
