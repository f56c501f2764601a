"""The built handbook in a real browser: pages, links, search, citations, figures, axe.

Chromium (the system one, driven by playwright) opens every page from a local
http server; axe-core checks each for accessibility. The counts and per-page
results go to ``browser-summary.json`` in the artifacts directory (see
``browser_support``); ``pytest -s`` also prints them.
"""

from __future__ import annotations

import posixpath
import re
import struct
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

import pytest
import yaml

pytest.register_assert_rewrite("browser_support")

from browser_support import (  # noqa: E402 (after the rewrite registration)
    DATA,
    DOCS,
    HEIGHT,
    PHONE_WIDTH,
    WIDTH,
    Summary,
    artifacts_dir,
    built_pages,
    expected_pages,
    tool_file,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytest_plugins = ["browser_support"]

PAGES = expected_pages()


def test_every_page_is_expected(built_html: Path) -> None:
    """The pages the browser tests are parametrized over are exactly the built ones."""
    assert built_pages(built_html) == PAGES


# -- Every page loads cleanly ------------------------------------------------------------

#: Chromium asks every site for /favicon.ico by itself (the handbook declares no icon,
#: ``html_favicon`` is unset): its 404 says nothing about the pages, so it is not counted.
BROWSER_PROBES = {"/favicon.ico"}


def watch(page: Page) -> list[str]:
    """Collect console errors, uncaught exceptions, failed requests and HTTP errors."""
    problems: list[str] = []

    def on_console(message: Any) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        if urlsplit(where).path in BROWSER_PROBES:
            return
        problems.append(
            f"console error: {message.text} ({where}:{message.location.get('lineNumber')})"
        )

    def on_response(response: Any) -> None:
        if response.status >= 400:
            problems.append(f"HTTP {response.status}: {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"uncaught exception: {error}"))
    page.on(
        "requestfailed",
        lambda request: problems.append(f"request failed: {request.url} ({request.failure})"),
    )
    page.on("response", on_response)
    return problems


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_without_errors(
    page: Page, http_base: str, summary: Summary, name: str
) -> None:
    problems = watch(page)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    response = page.goto(http_base + name, wait_until="load")
    assert response is not None
    assert response.status == 200, name
    # Deferred scripts have run at "load"; one more frame lets their handlers finish.
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)))")
    title = page.title()
    summary.section("pages")[name] = {
        "title": title,
        "requests": len(requests),
        "problems": problems,
    }
    assert title.strip(), f"{name} has no <title>"
    assert problems == [], f"{name}:\n" + "\n".join(problems)


# -- Internal links and anchors ------------------------------------------------------------


class _Anchors(HTMLParser):
    """The ids (link targets) and the ``<a href>`` of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        if tag == "a" and values.get("name"):
            self.ids.add(values["name"] or "")
        if tag == "a" and values.get("href") is not None:
            self.hrefs.append(values["href"] or "")


class Site:
    """The built pages, parsed once each, to resolve links against."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._pages: dict[str, _Anchors] = {}

    def parsed(self, name: str) -> _Anchors:
        if name not in self._pages:
            parser = _Anchors()
            parser.feed((self.root / name).read_text(encoding="utf-8"))
            parser.close()
            self._pages[name] = parser
        return self._pages[name]

    def broken(self, name: str, href: str) -> str | None:
        """Why ``href`` on page ``name`` does not resolve (None: it does).

        ``href`` is relative (no scheme): its file must exist in the build, and its
        fragment, if any, must be the id of an element of the target page.
        """
        parts = urlsplit(href)
        target = name
        if parts.path:
            target = posixpath.normpath(
                posixpath.join(posixpath.dirname(name), unquote(parts.path))
            )
            if parts.path.endswith("/"):
                target = posixpath.join(target, "index.html")
        if target.startswith("../") or target == "..":
            return f"{href} leaves the site"
        if not (self.root / target).is_file():
            return f"{href}: no file {target}"
        fragment = unquote(parts.fragment)
        if fragment and target.endswith(".html") and fragment not in self.parsed(target).ids:
            return f"{href}: {target} has no element with id {fragment!r}"
        return None


def test_internal_links_and_anchors_resolve(built_html: Path, summary: Summary) -> None:
    site = Site(built_html)
    internal = with_fragment = 0
    external: dict[str, int] = {}
    broken: list[str] = []
    for name in PAGES:
        for href in site.parsed(name).hrefs:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc:
                external[parts.scheme or "//"] = external.get(parts.scheme or "//", 0) + 1
                continue
            internal += 1
            with_fragment += bool(parts.fragment)
            problem = site.broken(name, href)
            if problem:
                broken.append(f"{name}: {problem}")
    summary.section("links").update(
        pages=len(PAGES),
        internal=internal,
        internal_with_fragment=with_fragment,
        external_not_followed=external,
        broken=broken,
    )
    print(
        f"\nlinks: {len(PAGES)} pages, {internal} internal links "
        f"({with_fragment} with a fragment) checked, {len(broken)} broken; "
        f"external (not followed): {external}"
    )
    assert internal > 300, "too few links found: is the parser reading the pages?"
    assert broken == []


# -- Search --------------------------------------------------------------------------------


def search(page: Page, http_base: str, query: str) -> list[str]:
    """Run Sphinx's client-side search; the ``href`` of every result."""
    page.goto(f"{http_base}search.html?q={quote(query)}")
    page.wait_for_function(
        "() => (document.querySelector('#search-results .search-summary')"
        "?.textContent || '').trim() !== ''"
    )
    hrefs: list[str] = page.eval_on_selector_all(
        "#search-results ul.search li a", "links => links.map(a => a.getAttribute('href'))"
    )
    return hrefs


SEARCHES = {
    "thyroid": {"safety.html"},
    "CARE-MS": {"trials/care-ms-i.html", "trials/care-ms-ii.html"},
}


@pytest.mark.parametrize("query", sorted(SEARCHES))
def test_search_finds_the_pages(page: Page, http_base: str, summary: Summary, query: str) -> None:
    hrefs = search(page, http_base, query)
    summary.section("search")[query] = hrefs
    pages = {urlsplit(href).path for href in hrefs}
    assert SEARCHES[query] <= pages, hrefs


def test_search_result_links_resolve(page: Page, http_base: str, built_html: Path) -> None:
    """Search results for trials and sources land on their targets.

    Regression: Sphinx's search index shortened anchors of the form <type>-<name>
    and searchtools.js rebuilt them from the display name (#trial-CARE-MS I).
    """
    site = Site(built_html)
    broken = [
        f"{query}: {problem}"
        for query in ("CARE-MS", "fernandez")
        for href in search(page, http_base, query)
        if (problem := site.broken("search.html", href))
    ]
    assert broken == []


# -- Citation markers ----------------------------------------------------------------------

SOURCES_JS = """() => [...document.querySelectorAll('ol.trialbook-sources')].flatMap(
    list => [...list.children].map((item, index) => {
        const entry = item.querySelector('[id^="source-"]');
        return {id: entry ? entry.id : null, number: list.start + index,
                text: entry ? entry.textContent : ''};
    }))"""
MARKERS_JS = """() => [...document.querySelectorAll('table .trialbook-cite')].map(cite => {
    const link = cite.closest('a');
    return {text: cite.textContent, href: link && link.getAttribute('href'),
            url: link && link.href, title: link && link.getAttribute('title')};
})"""
SOURCE_HREF = re.compile(r"(?:\.\./)*sources\.html#(source-[^#\s]+)")


def squash(text: str | None) -> str:
    return " ".join((text or "").split())


def test_table_citations_link_to_their_source(
    page: Page, http_base: str, summary: Summary
) -> None:
    """Every [n] in a table links to sources.html#source-<id>, with n and the title right.

    n is the entry's number in the source list; the title is the citation as
    data/sources.yaml gives it (the list may add the year to the entry itself).
    """
    citations = {
        source["id"]: squash(source["citation"])
        for source in yaml.safe_load((DATA / "sources.yaml").read_text(encoding="utf-8"))[
            "sources"
        ]
    }
    page.goto(http_base + "sources.html")
    sources = {entry["id"]: entry for entry in page.evaluate(SOURCES_JS)}
    assert len(sources) > 10 and None not in sources
    assert {f"source-{ident}" for ident in citations} == sources.keys()
    problems: list[str] = []
    counts: dict[str, int] = {}
    for name in PAGES:
        page.goto(http_base + name)
        markers = page.evaluate(MARKERS_JS)
        counts[name] = len(markers)
        for marker in markers:
            where = f"{name}: {marker['text']} -> {marker['href']}"
            match = SOURCE_HREF.fullmatch(marker["href"] or "")
            if not match:
                problems.append(f"{where}: not a link to sources.html#source-<id>")
                continue
            source = sources.get(match.group(1))
            if source is None:
                problems.append(f"{where}: no such entry in the source list")
                continue
            if marker["url"] != f"{http_base}sources.html#{source['id']}":
                problems.append(f"{where}: resolves to {marker['url']}")
            # [n], or [n, Table 4] (a no-break space inside the locator) when the data
            # names where in the source.
            shown = re.fullmatch(r"\[(\d+)(?:, ([^ ]+))?\]", marker["text"])
            if shown is None or shown.group(1) != str(source["number"]):
                problems.append(f"{where}: the source is number {source['number']}")
                continue
            citation = citations[source["id"].removeprefix("source-")]
            if shown.group(2):
                locator = shown.group(2).replace("\xa0", " ")
                citation = squash(f"{citation.rstrip('.')}. {locator}.")
            if squash(marker["title"]) != citation:
                problems.append(f"{where}: title {marker['title']!r} is not {citation!r}")
    summary.section("citations").update(markers_in_tables=counts, problems=problems)
    print(f"\ncitations: {sum(counts.values())} markers in tables checked")
    assert problems == []
    assert sum(counts.values()) > 100
    for name in PAGES:
        if name.startswith("trials/"):
            assert counts[name] > 0, f"{name}: no citation markers in its tables"


def test_citation_click_scrolls_to_the_source(page: Page, http_base: str) -> None:
    page.goto(http_base + "primary-endpoints.html")
    marker = page.locator("table.trialbook-table a:has(.trialbook-cite)").first
    href = marker.get_attribute("href") or ""
    marker.click()
    page.wait_for_url(re.compile(r".*/sources\.html#source-.+"))
    # The browser scrolls to the fragment once the page is laid out; allow it that.
    page.wait_for_function(
        "() => { const t = document.querySelector(':target');"
        " return !!t && t.getBoundingClientRect().top >= 0"
        " && t.getBoundingClientRect().top < innerHeight; }",
        timeout=5000,
    )
    target_id, top, height = page.evaluate(
        "() => { const t = document.querySelector(':target');"
        " return [t && t.id, t ? t.getBoundingClientRect().top : -1, innerHeight]; }"
    )
    assert target_id == href.split("#", 1)[1]
    assert 0 <= top < height, "the cited source is not scrolled into view"


# -- Figures and images --------------------------------------------------------------------

IMAGES_JS = """async () => {
    const images = [...document.images];
    await Promise.all(images.map(img => { img.loading = 'eager';
                                          return img.decode().catch(() => null); }));
    return {
        images: images.map(img => ({
            src: img.currentSrc || img.src, width: img.naturalWidth,
            height: img.naturalHeight, content: !!img.closest('article[role="main"]')})),
        icons: [...document.querySelectorAll('svg use')].map(use => {
            const href = use.getAttribute('href') || use.getAttribute('xlink:href') || '';
            return {href, found: href.startsWith('#') && !!document.getElementById(href.slice(1))};
        }),
    };
}"""
FIGURE_SOURCE = re.compile(
    r"[`:]{3,}\{(?:figure|image|forest-plot|safety-chart)\}|^\.\. (?:figure|image)::|!\[",
    re.M,
)


def test_images_load(page: Page, http_base: str, summary: Summary) -> None:
    images: list[dict[str, Any]] = []
    broken: list[str] = []
    icons = 0
    for name in PAGES:
        page.goto(http_base + name)
        found = page.evaluate(IMAGES_JS)
        for image in found["images"]:
            images.append({"page": name, **image})
            if not (image["width"] > 0 and image["height"] > 0):
                broken.append(f"{name}: image {image['src']} did not load")
        icons += len(found["icons"])
        broken += [
            f"{name}: icon {i['href']!r} has no symbol" for i in found["icons"] if not i["found"]
        ]
    content = [image for image in images if image["content"]]
    summary.section("images").update(images=images, theme_icons=icons, broken=broken)
    assert broken == []
    figures_in_sources = [
        path.relative_to(DOCS).as_posix()
        for path in sorted(DOCS.rglob("*"))
        if path.suffix in {".md", ".rst"}
        and FIGURE_SOURCE.search(path.read_text(encoding="utf-8"))
    ]
    if figures_in_sources:
        assert content, f"figures in {figures_in_sources} but no image in the built pages"
    if not content:
        pytest.skip("no figures in the handbook yet")


# -- Screenshots ---------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "name", ["index.html", "trials/care-ms-ii.html", "efficacy.html", "safety.html"]
)
def test_screenshot(page: Page, http_base: str, summary: Summary, name: str) -> None:
    page.goto(http_base + name)
    page.evaluate("() => document.fonts.ready.then(() => true)")
    assert page.locator("article h1").first.is_visible()
    out = artifacts_dir() / "screenshots" / (name.replace("/", "-").removesuffix(".html") + ".png")
    out.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out), full_page=True)
    data = out.read_bytes()
    assert data[:8] == PNG and data[12:16] == b"IHDR", out
    width, height = struct.unpack(">II", data[16:24])
    summary.section("screenshots")[name] = {
        "file": str(out),
        "bytes": len(data),
        "size": [width, height],
    }
    assert width == WIDTH
    assert height >= HEIGHT
    assert len(data) > 10_000, "a nearly empty screenshot"
    if name.startswith("trials/"):
        assert height > HEIGHT, "a trial page is longer than one screen"


# -- Accessibility (axe-core) --------------------------------------------------------------

#: Serious or critical axe violations we accept, by rule, with the reason. Only ever
#: for nodes outside ``<article role="main">`` (furo's template: sidebar, header,
#: footer), in the container and with the markup ``ALLOWED_NODES`` gives: whatever is
#: inside the article is our content and is never allowlisted. Empty: furo's own
#: markup has no serious violation. (Toctree captions had one, aria-required-attr on
#: <p class="caption" role="heading">, sphinx-doc/sphinx#14030, in the sidebar and on
#: the home page; docs/index.md's toctrees no longer have captions.)
ALLOWLIST: dict[str, str] = {}
#: Rule → (the theme container the node must be in, the markup it must start with),
#: e.g. ``(".sidebar-drawer .sidebar-tree", re.compile('<p class="caption"'))``.
ALLOWED_NODES: dict[str, tuple[str, re.Pattern[str]]] = {}
BLOCKING = {"serious", "critical"}

AXE_JS = """async (CONTAINERS) => {
    const results = await axe.run(document, {resultTypes: ['violations']});
    return results.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => {
            const selector = n.target.length === 1 && typeof n.target[0] === 'string'
                ? n.target[0] : null;
            const el = selector ? document.querySelector(selector) : null;
            return {
                target: n.target.flat(Infinity).join(' '),
                html: n.html.slice(0, 300),
                impact: n.impact || v.impact,
                region: el === null ? 'unknown'
                    : el.closest('article[role="main"]') ? 'content' : 'theme',
                containers: CONTAINERS.filter(c => el !== null && el.closest(c) !== null),
            };
        }),
    }));
}"""


def _allowed(rule: str, node: dict[str, Any]) -> bool:
    if rule not in ALLOWLIST or node["region"] != "theme":
        return False
    container, markup = ALLOWED_NODES[rule]
    return container in node["containers"] and bool(markup.match(node["html"]))


def test_allowlist_is_consistent() -> None:
    assert ALLOWLIST.keys() == ALLOWED_NODES.keys()


@pytest.mark.parametrize("name", PAGES)
def test_axe_no_serious_violations(
    page: Page, http_base: str, summary: Summary, name: str
) -> None:
    axe = tool_file("axe-core", "axe.min.js")
    page.goto(http_base + name)
    page.add_script_tag(path=str(axe))
    containers = sorted({container for container, _ in ALLOWED_NODES.values()})
    violations = page.evaluate(AXE_JS, containers)
    result: dict[str, Any] = {}
    blocking: list[str] = []
    for violation in violations:
        nodes = violation["nodes"]
        serious = [node for node in nodes if node["impact"] in BLOCKING]
        bad = [node for node in serious if not _allowed(violation["id"], node)]
        result[violation["id"]] = {
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": len(nodes),
            "targets": [f"{node['region']}: {node['target']}" for node in nodes[:10]],
            "allowlisted": len(serious) - len(bad),
            "blocking": [f"{node['region']}: {node['target']}: {node['html']}" for node in bad],
        }
        blocking += [
            f"{violation['id']} ({node['impact']}) {node['region']}: "
            f"{node['target']}\n    {node['html']}"
            for node in bad
        ]
    summary.section("axe")[name] = result
    assert blocking == [], f"{name}:\n" + "\n".join(blocking)


# -- On a phone ----------------------------------------------------------------------------

CLIPPED_JS = """() => {
    const width = document.documentElement.clientWidth;
    const out = {tables: 0, cells: 0, problems: []};
    const name = (el) => (el.innerText || "").trim().slice(0, 60);
    for (const table of document.querySelectorAll("table.trialbook-table")) {
        out.tables += 1;
        const caption = table.querySelector("caption");
        if (caption) {
            const r = caption.getBoundingClientRect();
            const cut = caption.scrollWidth > caption.clientWidth + 1;
            if (r.left < -1 || r.right > width + 1 || cut)
                out.problems.push("caption cut: " + name(caption));
        }
        for (const cell of table.querySelectorAll("td, th")) {
            const r = cell.getBoundingClientRect();
            if (r.width === 0 && r.height === 0) continue;  // not shown (a hidden header)
            out.cells += 1;
            if (r.left < -1 || r.right > width + 1)
                out.problems.push("cell outside the screen: " + name(cell));
            else if (cell.scrollWidth > cell.clientWidth + 1)
                out.problems.push("cell content cut: " + name(cell));
        }
        let box = table.parentElement;
        while (box && box !== document.body) {
            const scrolls = getComputedStyle(box).overflowX !== "visible";
            if (scrolls && box.scrollWidth > box.clientWidth + 1) {
                out.problems.push("table scrolls sideways: " + name(caption || table));
                break;
            }
            box = box.parentElement;
        }
    }
    return out;
}"""


@pytest.mark.parametrize("name", PAGES)
def test_tables_read_on_a_phone(phone: Page, http_base: str, summary: Summary, name: str) -> None:
    """At 390 px no table cell is clipped or off-screen and every caption is whole,
    measured by the layout engine (not a screenshot)."""
    phone.goto(http_base + name)
    found = phone.evaluate(CLIPPED_JS)
    assert phone.evaluate("() => document.documentElement.clientWidth") <= PHONE_WIDTH
    summary.section("phone").setdefault("pages", {})[name] = found
    assert found["problems"] == [], found["problems"]
    if name in ("primary-endpoints.html", "safety.html"):
        assert found["tables"] > 0 and found["cells"] > 0
        out = artifacts_dir() / "screenshots" / ("phone-" + name.removesuffix(".html") + ".png")
        out.parent.mkdir(parents=True, exist_ok=True)
        phone.screenshot(path=str(out), full_page=True)


@pytest.mark.parametrize("name", PAGES)
def test_tables_fit_on_a_desktop(page: Page, http_base: str, name: str) -> None:
    """At 1280 px every table fits its column: nothing cut, nothing to scroll."""
    page.goto(http_base + name)
    found = page.evaluate(CLIPPED_JS)
    assert found["problems"] == [], found["problems"]


# -- Downloads -----------------------------------------------------------------------------


def test_downloads_are_linked_and_load(page: Page, http_base: str) -> None:
    """Each table links its CSV; the source list links the whole dataset as JSON."""
    import csv
    import io
    import json

    page.goto(http_base + "primary-endpoints.html")
    links = page.locator("p.trialbook-download a")
    assert links.count() >= 4  # the primary endpoints and three summaries of findings
    href = links.first.get_attribute("href")
    assert href is not None and href.endswith(".csv")
    response = page.request.get(http_base + href)
    assert response.ok
    rows = list(csv.reader(io.StringIO(response.text())))
    assert rows[0][:3] == ["Endpoint", "Alemtuzumab", "Interferon beta-1a"]
    assert any("Rate ratio 0.45 (0.32–0.63)" in cell for row in rows for cell in row)

    page.goto(http_base + "sources.html")
    link = page.locator("p.trialbook-download a").first
    href = link.get_attribute("href")
    assert href is not None and href.endswith("trialbook-dataset.json")
    data = json.loads(page.request.get(http_base + href).text())
    assert data["schema_version"] == 1 and data["evidence_as_of"] == "2023"
    assert {t["id"] for t in data["trials"]} == {"camms223", "care-ms-i", "care-ms-ii"}
    nnt = data["derived"]["care-ms-ii"]["disability"]["nnt"]
    assert nnt == {"value": "13", "formula": "1 / 0.0826, rounded up"}
