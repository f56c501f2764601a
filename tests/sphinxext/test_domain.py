"""The ``trial`` domain: roles, targets, warnings, objects.inv, index, domain data."""

from __future__ import annotations

import re
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sphinx import addnodes
from sphinx.util.console import strip_colors

from trialbook.sphinxext.domain import TrialDomain, display_name
from trialbook.sphinxext.render import NUMBERED

if TYPE_CHECKING:
    from sphinx.testing.util import SphinxTestApp

PAPER_A = "Author A. A trial of alpha. J Test 2020;1:1–10."
PAPER_B = "Author B. A trial of beta. J Test 2021;2:11–20."


def _html(app: SphinxTestApp, docname: str) -> str:
    return (app.outdir / f"{docname}.html").read_text(encoding="utf-8")


def _paragraph(html: str, label: str) -> str:
    """The HTML of the paragraph of refs.md that starts with ``label``."""
    match = re.search(rf"<p>{re.escape(label)}: (.*?)</p>", html)
    assert match is not None, (label, html)
    return match.group(1)


def _link(fragment: str) -> tuple[str, str, str | None]:
    """(href, text, title) of the one link in an HTML fragment."""
    match = re.fullmatch(r'<a class="reference internal" ([^>]*)>(.*)</a>\.', fragment)
    assert match is not None, fragment
    attrs = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
    text = re.sub(r"<[^>]+>", "", match.group(2))
    return attrs["href"], text, attrs.get("title")


def _domain(app: SphinxTestApp) -> TrialDomain:
    domain = app.env.get_domain("trial")
    assert isinstance(domain, TrialDomain)
    return domain


# --------------------------------------------------------------------------- HTML


@pytest.mark.sphinx("html", testroot="roles", srcdir="domain-html")
def test_roles_link_to_the_homes_of_their_targets(app: SphinxTestApp) -> None:
    app.build()
    html = _html(app, "refs")
    assert _link(_paragraph(html, "Trial")) == ("trials/alpha.html#trial-alpha", "ALPHA", None)
    # The index page's table shows alpha/relapse-rate too; the home is the trial's page.
    assert _link(_paragraph(html, "Outcome")) == (
        "trials/alpha.html#outcome-alpha-relapse-rate",
        "ALPHA: Relapse rate",
        None,
    )
    href, _, title = _link(_paragraph(html, "Source"))
    assert (href, title) == ("sources.html#source-paper-a", PAPER_A)
    # An explicit title is kept.
    assert _link(_paragraph(html, "Titled")) == (
        "trials/alpha.html#trial-alpha",
        "the first trial",
        None,
    )
    # The domain-prefixed forms are the same roles.
    assert _link(_paragraph(html, "Domain trial")) == (
        "trials/beta.html#trial-beta",
        "BETA",
        None,
    )
    assert _link(_paragraph(html, "Domain outcome")) == (
        "trials/beta.html#outcome-beta-responders",
        "BETA: Responders",
        None,
    )
    href, _, title = _link(_paragraph(html, "Domain source"))
    assert (href, title) == ("sources.html#source-paper-b", PAPER_B)
    # The targets exist where the links point.
    assert 'id="trial-alpha"' in _html(app, "trials/alpha")
    assert 'id="outcome-alpha-relapse-rate"' in _html(app, "trials/alpha")
    assert 'id="source-paper-a"' in _html(app, "sources")
    assert not app.warning.getvalue()


@pytest.mark.sphinx("html", testroot="roles", srcdir="domain-doctree")
def test_roles_are_pending_xrefs_of_the_trial_domain(app: SphinxTestApp) -> None:
    app.build()
    doctree = app.env.get_doctree("refs")
    xrefs = [
        (x["refdomain"], x["reftype"], x["reftarget"], x["refexplicit"], x.astext())
        for x in doctree.findall(addnodes.pending_xref)
    ]
    assert xrefs[:2] == [
        ("trial", "trial", "alpha", False, "ALPHA"),
        ("trial", "outcome", "alpha/relapse-rate", False, "ALPHA: Relapse rate"),
    ]
    assert xrefs[3] == ("trial", "trial", "alpha", True, "the first trial")
    assert xrefs[4] == ("trial", "trial", "beta", False, "BETA")
    assert {(x[1], x[2]) for x in xrefs} >= {("src", "paper-a"), ("src", "paper-b")}
    # display_name is what a reference shows by default.
    assert display_name(app.env, "trial", "alpha") == "ALPHA"
    assert display_name(app.env, "outcome", "alpha/relapse-rate") == "ALPHA: Relapse rate"
    # A source's [n] is filled in at resolve time (test_src_role_shows_the_source_number).
    sources = [x for x in doctree.findall(addnodes.pending_xref) if x["reftype"] == "src"]
    assert sources and all(x.get(NUMBERED) for x in sources)
    assert display_name(app.env, "source", "paper-a") is None
    assert display_name(app.env, "trial", "gamma") is None
    assert display_name(app.env, "outcome", "alpha/nothing") is None


@pytest.mark.sphinx("html", testroot="roles", srcdir="domain-src-text")
def test_src_role_shows_the_source_number(app: SphinxTestApp) -> None:
    app.build()
    html = _html(app, "refs")
    assert _link(_paragraph(html, "Source"))[1] == "[1]"
    assert _link(_paragraph(html, "Domain source"))[1] == "[2]"


@pytest.mark.sphinx("html", testroot="roles", srcdir="domain-acronym")
def test_outcome_text_keeps_acronyms(app: SphinxTestApp) -> None:
    app.build()
    href, text, _ = _link(_paragraph(_html(app, "refs"), "Acronym"))
    assert href == "trials/alpha.html#outcome-alpha-edss"
    assert "EDSS" in text


# --------------------------------------------------------------------------- warnings

BAD_PAGE = """\
# Bad

Typo: {trial}`alpah`.

No outcome: {outcome}`alpha/nothing`.

No source: {src}`paper-z`.

Far off: {trial}`zzzzzz`.

Any: {any}`alpha`.
"""


@pytest.mark.sphinx("html", testroot="roles", srcdir="domain-unknown")
def test_unknown_ids_warn_once_at_page_and_line(app: SphinxTestApp) -> None:
    (app.srcdir / "bad.md").write_text(BAD_PAGE, encoding="utf-8")
    app.build()
    warnings = strip_colors(app.warning.getvalue())
    assert "Traceback" not in warnings
    assert "reference target not found" not in warnings
    src = str(app.srcdir / "bad.md")
    expected = {
        3: "unknown trial 'alpah' (did you mean 'alpha'?)",
        5: "unknown outcome 'alpha/nothing' (known: alpha/edss, alpha/relapse-rate,",
        7: "unknown source 'paper-z' (did you mean 'paper-b'?)",
        9: "unknown trial 'zzzzzz' (known: alpha, beta)",
    }
    lines = [line for line in warnings.splitlines() if "WARNING" in line]
    assert len(lines) == len(expected), warnings
    for line, text in expected.items():
        (hit,) = [w for w in lines if w.startswith(f"{src}:{line}: WARNING: ")]
        assert text in hit, hit
        assert hit.endswith("[trialbook.reference]"), hit
    # A bad reference stays readable, as its id, and is marked; it is not a link.
    html = _html(app, "bad")
    for target in ("alpah", "alpha/nothing", "paper-z", "zzzzzz"):
        assert re.search(
            r'<span class="xref trial trial-\w+ trialbook-missing[^"]*">'
            rf"{re.escape(target)}</span>",
            html,
        ), target
    # The any role finds a trial too.
    assert 'href="trials/alpha.html#trial-alpha"' in _paragraph(html, "Any")


# --------------------------------------------------------------------------- objects.inv


def _inventory(path: Path) -> dict[tuple[str, str], tuple[str, str]]:
    """(type, name) → (uri, display name), read from an objects.inv (version 2)."""
    raw = path.read_bytes()
    header = raw.split(b"\n", 4)
    assert header[0] == b"# Sphinx inventory version 2"
    out = {}
    for line in zlib.decompress(header[4]).decode("utf-8").splitlines():
        match = re.fullmatch(r"(.+?)\s+(\S+:\S+)\s+(-?\d+)\s+(\S*)\s+(.*)", line)
        assert match is not None, line
        name, kind, _, uri, display = match.groups()
        uri = uri[:-1] + name if uri.endswith("$") else uri
        out[kind, name] = (uri, name if display == "-" else display)
    return out


@pytest.mark.sphinx("html", testroot="roles", srcdir="domain-inventory")
def test_objects_inv_lists_trials_outcomes_and_sources(app: SphinxTestApp) -> None:
    app.build()
    inventory = _inventory(app.outdir / "objects.inv")
    ours = {key: value for key, value in inventory.items() if key[0].startswith("trial:")}
    assert ours == {
        ("trial:trial", "alpha"): ("trials/alpha.html#trial:alpha", "ALPHA"),
        ("trial:trial", "beta"): ("trials/beta.html#trial:beta", "BETA"),
        ("trial:outcome", "alpha/relapse-rate"): (
            "trials/alpha.html#outcome:alpha/relapse-rate",
            "ALPHA: Relapse rate",
        ),
        ("trial:outcome", "alpha/edss"): (
            "trials/alpha.html#outcome:alpha/edss",
            "ALPHA: EDSS change",
        ),
        ("trial:outcome", "beta/responders"): (
            "trials/beta.html#outcome:beta/responders",
            "BETA: Responders",
        ),
        ("trial:source", "paper-a"): ("sources.html#source:paper-a", PAPER_A),
        ("trial:source", "paper-b"): ("sources.html#source:paper-b", PAPER_B),
    }
    # Each inventory anchor is an id in the page (beside the readable one links use).
    for uri, _ in ours.values():
        page, anchor = uri.split("#")
        html = (app.outdir / page).read_text(encoding="utf-8")
        assert f'id="{anchor}"' in html, uri


@pytest.mark.sphinx("html", testroot="roles", srcdir="domain-genindex")
def test_general_index_has_an_entry_per_trial(app: SphinxTestApp) -> None:
    app.build()
    genindex = _html(app, "genindex")
    assert '<a href="trials/alpha.html#trial-alpha">ALPHA (trial)</a>' in genindex
    assert '<a href="trials/beta.html#trial-beta">BETA (trial)</a>' in genindex


# --------------------------------------------------------------------------- domain data


@pytest.mark.sphinx("html", testroot="roles", srcdir="domain-data")
def test_domain_data_is_kept_per_document(app: SphinxTestApp) -> None:
    app.build()
    domain = _domain(app)
    data = domain.data
    assert data["trial"]["alpha"] == [("trials/alpha", "trial-alpha", "ALPHA")]
    # An outcome shown in two tables is defined in both pages; the index is read first.
    assert sorted(data["outcome"]["alpha/relapse-rate"]) == [
        ("index", "outcome-alpha-relapse-rate", "ALPHA: Relapse rate"),
        ("trials/alpha", "outcome-alpha-relapse-rate", "ALPHA: Relapse rate"),
    ]
    assert data["source"]["paper-a"] == [("sources", "source-paper-a", PAPER_A)]

    domain.clear_doc("trials/alpha")
    assert "alpha" not in data["trial"]
    assert "alpha/edss" not in data["outcome"]  # only trials/alpha had it
    assert data["outcome"]["alpha/relapse-rate"] == [
        ("index", "outcome-alpha-relapse-rate", "ALPHA: Relapse rate")
    ]
    for kind in ("trial", "outcome", "source"):
        for places in data[kind].values():
            assert all(place[0] != "trials/alpha" for place in places)
    assert data["trial"]["beta"] == [("trials/beta", "trial-beta", "BETA")]
    assert "paper-a" in data["source"]

    domain.clear_doc("sources")
    assert data["source"] == {}


@pytest.mark.sphinx("html", testroot="roles", srcdir="domain-merge")
def test_merge_domaindata_takes_only_the_given_documents(app: SphinxTestApp) -> None:
    app.build()
    domain = _domain(app)
    data = domain.data
    alpha = ("trials/alpha", "trial-alpha", "ALPHA")
    other = {
        "version": TrialDomain.data_version,
        "trial": {
            "alpha": [alpha, ("extra", "trial-alpha", "ALPHA")],
            "gamma": [("extra", "trial-gamma", "GAMMA"), ("elsewhere", "trial-gamma", "GAMMA")],
        },
        "outcome": {"gamma/x": [("extra", "outcome-gamma-x", "GAMMA: X")]},
        "source": {"paper-c": [("elsewhere", "source-paper-c", "C.")]},
    }
    domain.merge_domaindata({"extra"}, other)
    assert data["trial"]["alpha"] == [alpha, ("extra", "trial-alpha", "ALPHA")]
    assert data["trial"]["gamma"] == [("extra", "trial-gamma", "GAMMA")]
    assert data["outcome"]["gamma/x"] == [("extra", "outcome-gamma-x", "GAMMA: X")]
    assert all(place[0] != "elsewhere" for places in data["source"].values() for place in places)
    # Merging the same data again adds nothing.
    domain.merge_domaindata({"extra"}, other)
    assert data["trial"]["gamma"] == [("extra", "trial-gamma", "GAMMA")]
    assert len(data["trial"]["alpha"]) == 2


@pytest.mark.sphinx("html", testroot="roles", srcdir="domain-merge-empty")
def test_merge_domaindata_adds_no_name_without_a_place(app: SphinxTestApp) -> None:
    app.build()
    domain = _domain(app)
    domain.merge_domaindata(
        {"extra"}, {"source": {"paper-c": [("elsewhere", "source-paper-c", "C.")]}}
    )
    assert "paper-c" not in domain.data["source"]


# --------------------------------------------------------------------------- LaTeX


@pytest.mark.sphinx("latex", testroot="roles", srcdir="domain-latex")
def test_latex_labels_and_hyperrefs(app: SphinxTestApp) -> None:
    app.build()
    tex = (app.outdir / "roles.tex").read_text(encoding="utf-8")
    for label in (
        "trials/alpha:trial-alpha",
        "trials/alpha:outcome-alpha-relapse-rate",
        "sources:source-paper-a",
    ):
        assert rf"\label{{\detokenize{{{label}}}}}" in tex, label
    for prefix, label, text in (
        ("Trial", "trials/alpha:trial-alpha", "ALPHA"),
        ("Outcome", "trials/alpha:outcome-alpha-relapse-rate", "ALPHA: Relapse rate"),
        ("Titled", "trials/alpha:trial-alpha", "the first trial"),
        ("Domain trial", "trials/beta:trial-beta", "BETA"),
        ("Source", "sources:source-paper-a", ""),
    ):
        pattern = (
            rf"{re.escape(prefix)}: \{{\\hyperref\[\\detokenize\{{{re.escape(label)}\}}\]"
            rf"\{{\\sphinxcrossref\{{[^\n]*{re.escape(text)}"
        )
        assert re.search(pattern, tex), (prefix, label)
    assert not app.warning.getvalue()


@pytest.mark.sphinx("html", testroot="roles", srcdir="domain-searchindex")
def test_search_index_names_object_types_plainly(app: SphinxTestApp) -> None:
    """Search results say "(trial, in ALPHA)", not "(Clinical trial trial, …)"."""
    app.build()
    index = (app.outdir / "searchindex.js").read_text(encoding="utf-8")
    names = set(re.findall(r'\["trial",\s*"(\w+)",\s*"([^"]+)"\]', index))
    assert names == {("trial", "trial"), ("outcome", "outcome"), ("source", "source")}
