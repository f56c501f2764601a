"""Shared fixtures of the real-client checks (Chromium, axe-core, the Nu Html Checker).

Loaded as a plugin (``pytest_plugins = ["browser_support"]`` in the test modules),
so its session fixtures exist once per run: the handbook is built once, served
once over http://127.0.0.1 and opened in one Chromium.

Where the tools come from:

* ``TRIALBOOK_TOOLS``: a directory with ``node_modules/axe-core`` and
  ``node_modules/vnu-jar`` (default ``<repo>/.cache/tools``, what ``nox -s tests``
  installs with npm);
* Chromium from ``PATH`` (Debian's ``chromium``), driven by the ``playwright``
  Python package (no ``playwright install``: we launch the system browser);
* ``java`` from ``PATH`` for ``vnu.jar``.

A missing tool skips the checks that need it, except when ``CI`` is set: CI must
run them, so there it is a failure.

Results go to ``$TRIALBOOK_ARTIFACTS/browser-summary.json`` (default
``<repo>/build/test-artifacts``), with the screenshots.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest
import yaml

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

TESTS = Path(__file__).resolve().parent.parent
REPO = TESTS.parent
DOCS = REPO / "docs"
DATA = REPO / "data"

SPHINX = [sys.executable, "-m", "sphinx", "-W", "-n", "--keep-going"]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTH, HEIGHT = 1280, 800  # the viewport of every page
PHONE_WIDTH, PHONE_HEIGHT = 390, 844  # a phone's (the layout engine measures at it)


def tools_dir() -> Path:
    """Where ``node_modules/axe-core`` and ``node_modules/vnu-jar`` are."""
    return Path(os.environ.get("TRIALBOOK_TOOLS") or REPO / ".cache" / "tools")


def artifacts_dir() -> Path:
    """Where the summary and the screenshots go (created)."""
    out = Path(os.environ.get("TRIALBOOK_ARTIFACTS") or REPO / "build" / "test-artifacts")
    out.mkdir(parents=True, exist_ok=True)
    return out


def unavailable(reason: str) -> NoReturn:
    """Skip for a missing tool; in CI (``CI`` set) fail instead: CI must run these."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: the real-client checks must run)", pytrace=False)
    pytest.skip(reason)


def expected_pages() -> list[str]:
    """Every HTML page the build writes, from the sources (known at collection time).

    ``docs/*.md`` (the generated ``docs/trials/`` left out, as in the test copy),
    one page per trial file in ``data/trials/``, and Sphinx's index and search
    pages. ``test_every_page_is_expected`` checks this against the real build.
    """
    pages = [
        path.relative_to(DOCS).with_suffix(".html").as_posix()
        for path in DOCS.rglob("*")
        if path.suffix in {".md", ".rst"}
        and path.relative_to(DOCS).parts[0]
        not in {"trials", "_build", "_static", "_templates", "_includes"}
    ]
    for path in (DATA / "trials").glob("*.yaml"):
        trial = yaml.safe_load(path.read_text(encoding="utf-8"))
        pages.append(f"trials/{trial['id']}.html")
    return sorted([*pages, "genindex.html", "search.html"])


def built_pages(html: Path) -> list[str]:
    """The HTML pages of a build, as paths relative to its root."""
    return sorted(
        path.relative_to(html).as_posix()
        for path in html.rglob("*.html")
        if path.relative_to(html).parts[0] not in {"_static", "_sources", "_images"}
    )


class Summary:
    """The JSON summary of a run: each test fills its section, written at the end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = {}

    def section(self, name: str) -> dict[str, Any]:
        section: dict[str, Any] = self.data.setdefault(name, {})
        return section

    def write(self) -> None:
        self.path.write_text(
            json.dumps(self.data, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
            encoding="utf-8",
        )


@pytest.fixture(scope="session")
def summary() -> Iterator[Summary]:
    """``browser-summary.json`` in the artifacts directory, written at teardown."""
    result = Summary(artifacts_dir() / "browser-summary.json")
    yield result
    result.write()


@pytest.fixture(scope="session")
def built_html(tmp_path_factory: pytest.TempPathFactory, summary: Summary) -> Path:
    """The handbook built once per session from a copy of docs/ and data/."""
    root = tmp_path_factory.mktemp("handbook-html")
    shutil.copytree(DOCS, root / "docs", ignore=shutil.ignore_patterns("trials"))
    shutil.copytree(DATA, root / "data")
    proc = subprocess.run(
        [*SPHINX, "-b", "html", "docs", "build/html"],
        cwd=root,
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        timeout=300,
        check=False,
    )
    if proc.returncode != 0:
        pytest.fail(
            f"sphinx-build exited with {proc.returncode}:\n"
            + proc.stdout[-3000:]
            + proc.stderr[-3000:],
            pytrace=False,
        )
    html = root / "build" / "html"
    # As nox -s handbook does: the PDF beside the site, which every page links to.
    if shutil.which("latexmk"):
        pdf = subprocess.run(
            [*SPHINX[:3], "-M", "latexpdf", "docs", "build", *SPHINX[3:]],
            cwd=root,
            capture_output=True,
            encoding="utf-8",
            errors="replace",
            timeout=600,
            check=False,
        )
        assert pdf.returncode == 0, pdf.stdout[-3000:] + pdf.stderr[-3000:]
        name = "trialbook-alemtuzumab.pdf"
        shutil.copyfile(root / "build" / "latex" / name, html / name)
    summary.section("build")["pages"] = built_pages(html)
    return html


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        """No access log on the test output."""


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser dropping a connection (leaving a page mid-load) is not an error."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def http_base(built_html: Path) -> Iterator[str]:
    """``http://127.0.0.1:<port>/`` serving the built HTML (stopped at teardown)."""
    handler = functools.partial(_QuietHandler, directory=str(built_html))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="handbook-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def chromium_path() -> str | None:
    """The system Chromium (Debian's ``chromium``; other distributions' names too)."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the session (a fresh temporary profile)."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        unavailable("the playwright Python package is not installed")
    executable = chromium_path()
    if executable is None:
        unavailable("Chromium is not installed (Debian: apt-get install chromium)")
    manager = sync_playwright().start()
    try:
        try:
            launched = manager.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Error as error:
            unavailable(f"Chromium at {executable} does not start: {error}")
        yield launched
        launched.close()
    finally:
        manager.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in its own browser context (no state shared between tests)."""
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A page at a phone's width."""
    context = browser.new_context(
        viewport={"width": PHONE_WIDTH, "height": PHONE_HEIGHT}, device_scale_factor=2
    )
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def tool_file(*parts: str) -> Path:
    """A file of an npm package under ``node_modules`` (skip or fail when missing)."""
    path = tools_dir().joinpath("node_modules", *parts)
    if not path.is_file():
        unavailable(
            f"{path} is missing: npm install --prefix {tools_dir()} axe-core vnu-jar "
            "(or set TRIALBOOK_TOOLS to a directory that has them)"
        )
    return path
