"""The built handbook is valid HTML by the Nu Html Checker (vnu.jar, the W3C validator).

Each error is traced to the element it is about (by the line and column vnu gives)
and to whoever wrote that element: our directives (an element, or an ancestor,
with a ``trialbook-*`` class: the tables, cards, values and citations we generate)
or Sphinx and the theme (everything else). Our markup must have no error at all;
the others must be known issues of Sphinx or furo, listed in ``ALLOWLIST`` with the
reason. All of it goes to the ``vnu`` section of ``browser-summary.json``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

pytest.register_assert_rewrite("browser_support")

from browser_support import (  # noqa: E402 (after the rewrite registration)
    Summary,
    built_pages,
    tool_file,
    unavailable,
)

pytest_plugins = ["browser_support"]

Position = tuple[int, int]  # line (from 1), column (from 0)
END = (1 << 30, 0)
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


@dataclass(eq=False)
class Element:
    """An element of a page and where it is: its start tag, and its end."""

    tag: str
    attrs: dict[str, str]
    start: Position
    tag_end: Position
    parent: Element | None
    end: Position = END
    children: list[Element] = field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def chain(self) -> list[Element]:
        """This element and its ancestors, innermost first."""
        out: list[Element] = []
        node: Element | None = self
        while node is not None:
            out.append(node)
            node = node.parent
        return out

    def describe(self) -> str:
        ident = f"#{self.attrs['id']}" if "id" in self.attrs else ""
        return self.tag + ident + "".join(f".{c}" for c in self.classes)


class _Locator(HTMLParser):
    """Every element of a page with its position in the source."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []

    def _element(self, tag: str, attrs: list[tuple[str, str | None]]) -> Element:
        line, col = self.getpos()
        text = self.get_starttag_text() or ""
        if "\n" in text:
            tag_end = (line + text.count("\n"), len(text) - text.rfind("\n") - 2)
        else:
            tag_end = (line, col + len(text) - 1)
        parent = self._open[-1] if self._open else None
        element = Element(tag, {k: v or "" for k, v in attrs}, (line, col), tag_end, parent)
        if parent is not None:
            parent.children.append(element)
        self.elements.append(element)
        return element

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = self._element(tag, attrs)
        if tag in VOID:
            element.end = element.tag_end
        else:
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = self._element(tag, attrs)
        element.end = element.tag_end

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                for element in self._open[index:]:
                    element.end = self.getpos()
                del self._open[index:]
                return


class Page:
    """A built page, parsed to find the element an error is about."""

    def __init__(self, path: Path) -> None:
        parser = _Locator()
        parser.feed(path.read_text(encoding="utf-8"))
        parser.close()
        self.elements = parser.elements

    def at(self, position: Position) -> Element | None:
        """The innermost element whose start tag or content holds ``position``."""
        inside = [e for e in self.elements if e.start <= position <= e.end]
        return max(inside, key=lambda e: e.start) if inside else None

    def with_id(self, ident: str) -> list[Element]:
        return [e for e in self.elements if e.attrs.get("id") == ident]


def is_table_wrapper(element: Element) -> bool:
    """furo's ``div.table-wrapper``: it copies every attribute of the table it wraps."""
    return element.tag == "div" and "table-wrapper" in element.classes


DUPLICATE_ID = re.compile(r"Duplicate ID “(?P<id>.+)”\.")


def culprit(page: Page, message: dict[str, Any]) -> Element | None:
    """The element that causes an error.

    Usually the element vnu points at. For a duplicate id, vnu points at the second
    element with the id; when the first is furo's wrapper of that very table, the
    wrapper (which copied the table's id) is the cause.
    """
    if "lastLine" not in message:  # about the document as a whole
        return None
    element = page.at((message["lastLine"], message.get("lastColumn", 1) - 1))
    duplicate = DUPLICATE_ID.fullmatch(message["message"])
    if duplicate and element is not None:
        wrappers = [e for e in page.with_id(duplicate["id"]) if is_table_wrapper(e)]
        if wrappers and element.parent in wrappers:
            return wrappers[0]
    return element


def ours(element: Element) -> bool:
    """Written by our directives: a ``trialbook-*`` class on it or on an ancestor.

    furo's table wrapper does not count: its ``trialbook-*`` classes are copies.
    """
    return any(
        cls.startswith("trialbook-")
        for node in element.chain()
        if not is_table_wrapper(node)
        for cls in node.classes
    )


@dataclass(frozen=True)
class Known:
    """A known error of Sphinx's or the theme's markup."""

    message: re.Pattern[str]
    matches: Callable[[Element], bool]
    reason: str


ALLOWLIST: dict[str, Known] = {
    "furo-table-wrapper-duplicate-id": Known(
        DUPLICATE_ID,
        lambda e: (
            is_table_wrapper(e)
            and any(
                c.tag == "table" and c.attrs.get("id") == e.attrs.get("id") for c in e.children
            )
        ),
        "furo's WrapTableAndMathInAContainerTransform (furo/__init__.py) wraps every table "
        "in div.table-wrapper with update_all_atts(), copying the table's ids: every table "
        "with an id (all numbered tables, ours included) has it twice. Links still land "
        "on the wrapper, just above the table",
    ),
}


@dataclass
class Finding:
    page: str
    line: int
    message: str
    element: str
    ours: bool
    known: str | None

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.message} [{self.element}]"


@pytest.fixture(scope="module")
def vnu(built_html: Path, summary: Summary) -> list[Finding]:
    """Run vnu.jar once on every page; each error traced to its element."""
    jar = tool_file("vnu-jar", "build", "dist", "vnu.jar")
    java = shutil.which("java")
    if java is None:
        unavailable("java is not installed (Debian: apt-get install default-jre-headless)")
    pages = built_pages(built_html)
    proc = subprocess.run(
        [java, "-jar", str(jar), "--format", "json", "--errors-only"]
        + [str(built_html / name) for name in pages],
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        timeout=300,
        check=False,
    )
    # vnu writes its report to stderr and exits with 1 when it found errors.
    report = json.loads(proc.stderr or proc.stdout)
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    parsed: dict[str, Page] = {}
    findings: list[Finding] = []
    for message in report["messages"]:
        assert message["type"] == "error", message  # not "non-document-error" (I/O, etc.)
        path = Path(unquote(urlsplit(message["url"]).path)).resolve()
        name = path.relative_to(built_html.resolve()).as_posix()
        page = parsed.setdefault(name, Page(built_html / name))
        element = culprit(page, message)
        known = (
            next(
                (
                    key
                    for key, entry in ALLOWLIST.items()
                    if entry.message.fullmatch(message["message"]) and entry.matches(element)
                ),
                None,
            )
            if element is not None
            else None
        )
        findings.append(
            Finding(
                page=name,
                line=message.get("lastLine", 0),
                message=message["message"],
                element=element.describe() if element else "?",
                ours=element is not None and ours(element),
                known=known,
            )
        )
    section = summary.section("vnu")
    section.update(
        pages=len(pages),
        errors=len(findings),
        errors_in_our_markup=[str(f) for f in findings if f.ours],
        other_errors_by_page={
            page: [
                f"{f.line}: {f.message} [{f.element}] ({f.known or 'UNKNOWN'})"
                for f in findings
                if f.page == page and not f.ours
            ]
            for page in sorted({f.page for f in findings if not f.ours})
        },
        other_errors_by_allowlist_entry={
            **dict.fromkeys(ALLOWLIST, 0),
            **Counter(f.known or "UNKNOWN" for f in findings if not f.ours),
        },
        allowlist={key: entry.reason for key, entry in ALLOWLIST.items()},
    )
    print(
        f"\nvnu: {len(pages)} pages, {len(findings)} errors, "
        f"{sum(f.ours for f in findings)} in our markup; "
        f"others: {section['other_errors_by_allowlist_entry']}"
    )
    return findings


def test_every_error_is_located(vnu: list[Finding]) -> None:
    """Each error maps to an element (else the classification below means nothing)."""
    assert [str(f) for f in vnu if f.element == "?"] == []


def test_no_errors_in_our_markup(vnu: list[Finding]) -> None:
    assert [str(f) for f in vnu if f.ours] == []


def test_other_errors_are_known_sphinx_or_theme_issues(vnu: list[Finding]) -> None:
    assert [str(f) for f in vnu if not f.ours and f.known is None] == []


def test_locator_finds_the_element_of_an_error(tmp_path: Path) -> None:
    """The line/column → element mapping, on a page with a known duplicate id."""
    path = tmp_path / "page.html"
    path.write_text(
        "<!DOCTYPE html><html><body>\n"
        '<div class="table-wrapper trialbook-table" id="t1">\n'
        '<table class="trialbook-table"\n    id="t1"><tr><td><span class="x">1</span>'
        "</td></tr></table>\n</div>\n<p>text</p></body></html>\n",
        encoding="utf-8",
    )
    page = Page(path)
    # vnu points at the end of the second start tag: line 4, column 12 (from 1).
    message = {"lastLine": 4, "lastColumn": 12, "message": "Duplicate ID “t1”."}
    table = page.at((4, 11))
    assert table is not None and table.tag == "table" and ours(table)
    element = culprit(page, message)
    assert element is not None and is_table_wrapper(element)
    assert not ours(element)
    assert ALLOWLIST["furo-table-wrapper-duplicate-id"].matches(element)
    span = page.at((4, 36))
    assert span is not None and span.tag == "span" and ours(span)
    paragraph = page.at((6, 4))
    assert paragraph is not None and paragraph.tag == "p" and not ours(paragraph)
