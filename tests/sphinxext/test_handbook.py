"""The real handbook (docs/ + data/) builds clean in HTML, LaTeX and PDF."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from trialbook.sphinxext.latexlog import log_problems, table_boxes

SPHINX = [sys.executable, "-m", "sphinx", "-W", "-n", "--keep-going"]
TRIALS = {"camms223": "CAMMS223", "care-ms-i": "CARE-MS I", "care-ms-ii": "CARE-MS II"}


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        args, cwd=cwd, capture_output=True, encoding="utf-8", errors="replace", check=False
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def test_html_builds_with_warnings_as_errors(handbook_copy: Path) -> None:
    _run([*SPHINX, "-b", "html", "docs", "build/html"], handbook_copy)
    out = handbook_copy / "build/html"
    assert (out / "index.html").is_file()
    for trial_id, name in TRIALS.items():
        html = (out / "trials" / f"{trial_id}.html").read_text(encoding="utf-8")
        assert f"<h1>{name}" in html
    table = (out / "primary-endpoints.html").read_text(encoding="utf-8")
    assert "Table 1" in table
    for figure in ("0.45 (0.32–0.63)", "54.9%", "0.51 (0.39–0.65)", "0.58 (0.38–0.87)"):
        assert figure in table


def test_latex_builds_with_warnings_as_errors(handbook_copy: Path) -> None:
    _run([*SPHINX, "-b", "latex", "docs", "build/latex"], handbook_copy)
    tex = (handbook_copy / "build/latex/trialbook-alemtuzumab.tex").read_text(encoding="utf-8")
    # The reader's chapters, each trial's page inside "The trials compared", and the
    # authors' guide as an appendix after them.
    chapters = re.findall(r"^\\chapter\{(.+?)\}", tex, re.M)
    assert chapters[:2] == ["Background", "The trials compared"]
    assert chapters[-1] == "Writing for trialbook"
    assert tex.index(r"\appendix") < tex.index(r"\chapter{Writing for trialbook}")
    assert tex.index(r"\chapter{Glossary}") < tex.index(r"\appendix")
    assert re.search(r"^\\subsection\{CAMMS223\}", tex, re.M)
    assert r"\caption{Primary endpoints of the phase III trials\strut}" in tex
    assert r"\renewcommand{\contentsname}{Contents}" in tex


def _have_tex() -> bool:
    return bool(shutil.which("latexmk") and shutil.which("pdflatex"))


@pytest.mark.latexpdf
@pytest.mark.skipif(
    not _have_tex() and not os.environ.get("CI"),
    reason="TeX is not installed (nox -s tests installs it; CI always has it)",
)
def test_pdf_compiles_with_latexmk(handbook_copy: Path) -> None:
    sphinx, flags = SPHINX[:3], SPHINX[3:]
    _run([*sphinx, "-M", "latexpdf", "docs", "build", *flags], handbook_copy)
    pdf = handbook_copy / "build/latex/trialbook-alemtuzumab.pdf"
    assert pdf.stat().st_size > 10_000
    log = pdf.with_suffix(".log").read_text(encoding="utf-8", errors="replace")
    assert log_problems(log) == []
    # No table has a line that is too wide or stretched (widths follow the content).
    tex = pdf.with_suffix(".tex").read_text(encoding="utf-8")
    assert table_boxes(log, tex) == []
    check_pdf(pdf)
    # Every page as a picture, to look at (build/test-artifacts/pdf/page-NN.png).
    if shutil.which("pdftoppm"):
        root = (
            os.environ.get("TRIALBOOK_ARTIFACTS")
            or Path(__file__).parents[2] / "build/test-artifacts"
        )
        out = Path(root) / "pdf"
        out.mkdir(parents=True, exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(out / "page")], check=True)


def check_pdf(pdf: Path) -> None:
    """Text, fonts, outline, links and page count of the built handbook."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    for name in TRIALS.values():
        assert name in text
    for figure in ("0.45", "(0.32–0.63)", "54.9%", "100/596 (17%)", "≈16%", "104/202 (53%)"):
        assert figure in text, figure
    # Every font is embedded (a PDF that depends on the reader's fonts is not portable).
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        fonts = resources.get("/Font") or {}
        for font in fonts.values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None:  # Type 3 or composite: check descendants
                continue
            descriptor = descriptor.get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font
    # No blank page: each page has text (a one-sided book opens chapters on any page).
    blank = [
        i + 1 for i, page in enumerate(reader.pages) if not (page.extract_text() or "").strip()
    ]
    assert blank == [], f"blank pages: {blank}"
    # The title page gives the version and what the evidence is as of.
    first = reader.pages[0].extract_text() or ""
    assert "Release 1.0" in first and "Evidence as of 2023" in first
    # The outline (bookmarks) has a chapter per page of the handbook, and each trial's
    # page inside "The trials compared".
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    chapters = (
        "Background",
        "The trials compared",
        "Primary endpoints and absolute effects",
        "Relapses, disability and MRI",
        "Safety",
        "Dosing and monitoring",
        "Long-term results",
        "Regulatory history",
        "Where sources disagree",
        "Sources",
        "Glossary",
        "Writing for trialbook",
    )
    for chapter in chapters:
        assert any(chapter.lower() == (t or "").lower() for t in titles), (chapter, titles)

    def flat(items: list[Any]) -> list[str]:
        return [t for i in items for t in (flat(i) if isinstance(i, list) else [i.title])]

    for trial in TRIALS.values():
        assert trial in flat(reader.outline), trial
    # Internal links: citation markers and cross-references are live links.
    links = sum(
        1
        for page in reader.pages
        for annot in (page.get("/Annots") or [])
        if annot.get_object().get("/Subtype") == "/Link"
    )
    assert links > 100
    # Title page, contents, a page per entry of the outline at most: no runaway pages.
    entries = len(flat(reader.outline))
    assert len(titles) + 2 <= len(reader.pages) <= entries + 10
