"""Hostile and broken input: injection attempts stay text; bad files fail cleanly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent / "roots" / "test-hostile"
REPO = Path(__file__).parent.parent.parent
BAD = Path(__file__).parent.parent / "bad"
SPHINX = [sys.executable, "-m", "sphinx"]
FLAGS = ["-W", "-n", "--keep-going"]


def _run(args: list[str], cwd: Path, **kw: object) -> subprocess.CompletedProcess[str]:
    result: subprocess.CompletedProcess[str] = subprocess.run(
        args,
        cwd=cwd,
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        check=False,
        **kw,  # type: ignore[call-overload]
    )
    return result


class _Elements(HTMLParser):
    """Collects every start tag with its attributes (what a browser would create)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("hostile") / "src"
    shutil.copytree(ROOT, src)
    return src


def test_html_shows_injected_markup_as_text(hostile: Path) -> None:
    proc = _run([*SPHINX, *FLAGS, "-b", "html", ".", "_build/html"], hostile)
    assert proc.returncode == 0, proc.stderr
    pages = sorted((hostile / "_build/html").rglob("*.html"))
    assert len(pages) >= 4
    seen_text = False
    for page in pages:
        html = page.read_text(encoding="utf-8")
        parser = _Elements()
        parser.feed(html)
        for tag, attrs in parser.tags:
            assert not any(name.startswith("on") for name in attrs), (page.name, tag, attrs)
            assert tag not in ("iframe", "svg") or "alert" not in str(attrs), page.name
            if tag == "img":
                assert attrs.get("src") != "x", page.name
            if tag == "a":
                assert not (attrs.get("href") or "").startswith("javascript:"), page.name
        assert not any("alert(" in script for script in parser.scripts), page.name
        seen_text |= "&lt;script&gt;alert(5)&lt;/script&gt; TRIAL &amp; \\LaTeX{} %" in html
    assert seen_text  # the name is shown, literally
    trial = (hostile / "_build/html/trials/evil.html").read_text(encoding="utf-8")
    assert "\\input{/etc/passwd}" in trial
    assert "&lt;style&gt;body{display:none}&lt;/style&gt;" in trial


def test_latex_escapes_commands_and_the_pdf_builds(hostile: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    data = hostile / "data/trials/evil.yaml"
    data.write_text(data.read_text(encoding="utf-8").replace("/tmp/pwned2", str(marker)))
    proc = _run([*SPHINX, *FLAGS, "-b", "latex", ".", "_build/latex"], hostile)
    assert proc.returncode == 0, proc.stderr
    tex = (hostile / "_build/latex/hostile.tex").read_text(encoding="utf-8")
    assert "\\input{/etc/passwd}" not in tex
    assert "\\write18{" not in tex
    assert r"\textbackslash{}input\{/etc/passwd\}" in tex
    assert r"\end{document}" in tex and tex.count(r"\end{document}") == 1
    if not (shutil.which("latexmk") and shutil.which("pdflatex")):
        if os.environ.get("CI"):
            pytest.fail("CI must have TeX")
        pytest.skip("TeX is not installed")
    proc = _run(
        ["latexmk", "-pdf", "-interaction=nonstopmode", "hostile.tex"], hostile / "_build/latex"
    )
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert not marker.exists()  # \write18 ran nothing
    if shutil.which("pdftotext"):
        text = _run(["pdftotext", "hostile.pdf", "-"], hostile / "_build/latex").stdout
        assert "\\input{/etc/passwd}" in text
        assert "<script>alert(5)</script>" in text


def _corpus(tmp_path: Path) -> list[tuple[str, Path]]:
    """Bad data directories: each has the real shared files and one bad trial file."""
    cases: list[tuple[str, Path]] = []

    def case(name: str, content: bytes, filename: str = "bad.yaml") -> None:
        root = tmp_path / name
        (root / "trials").mkdir(parents=True)
        for shared in ("sources.yaml", "interventions.yaml"):
            shutil.copy(REPO / "data" / shared, root / shared)
        (root / "trials" / filename).write_bytes(content)
        cases.append((name, root / "trials" / filename))

    not_errors = {"minimal", "acknowledged", "stale-acknowledgement", "sexagesimal"}
    for path in sorted(BAD.glob("*.yaml")):
        if path.name.startswith(("sources-", "milestones-")) or path.stem in not_errors:
            continue
        case(path.stem, path.read_bytes())
    for path in sorted(BAD.glob("*.csv")):
        case(path.stem, (BAD / "minimal.yaml").read_bytes())
        shutil.copy(path, tmp_path / path.stem / "trials" / "bad.adverse-events.csv")
    minimal = (BAD / "minimal.yaml").read_bytes()
    case("huge-number", minimal.replace(b"randomized: 581", b"randomized: " + b"9" * 5000))
    case("huge-float", minimal.replace(b"randomized: 581", b"randomized: 1e999999"))
    case("deep", b"id: bad\nnotes: " + b"[" * 200 + b"]" * 200 + b"\n")
    case("ten-megabytes", b"id: bad\nname: '" + b"x" * (10 * 1024 * 1024) + b"'\n")
    case("binary", bytes(range(256)) * 64)
    case("latin-1", "id: bad\nname: Fernández\n".encode("latin-1"))
    case("empty", b"")
    case("laughs", b"a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\n")
    case("tabs", b"id: bad\n\tname: x\n")
    case("two-documents", minimal + b"\n---\nid: other\n")
    case("python-tag", b"id: !!python/object/apply:os.system ['echo owned']\n")
    return cases


def test_corpus_of_bad_files_fails_cleanly(tmp_path: Path) -> None:
    cases = _corpus(tmp_path)
    assert len(cases) >= 20
    outcomes = {}
    for name, bad in cases:
        proc = _run([sys.executable, "-m", "trialbook", "check", str(bad.parent.parent)], REPO)
        assert proc.returncode == 1, (name, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stdout + proc.stderr, name
        lines = [line for line in proc.stdout.splitlines() if ": error: " in line]
        assert lines, (name, proc.stdout)
        for line in lines:
            location = line.split(": error: ")[0]
            path, row, col = location.rsplit(":", 2)
            assert Path(path).name in (bad.name, "bad.adverse-events.csv"), (name, line)
            assert int(row) >= 1 and int(col) >= 1, (name, line)
        outcomes[name] = lines[0].split(": error: ")[1]
    print(f"\n{len(outcomes)} bad inputs, each rejected with a located error:")
    for name, message in outcomes.items():
        print(f"  {name}: {message[:100]}")


def test_a_build_with_bad_data_fails_and_leaves_nothing_stale(tmp_path: Path) -> None:
    """A failed build exits non-zero; after the fix the next build shows the data."""
    src = tmp_path / "src"
    shutil.copytree(Path(__file__).parent.parent / "roots" / "test-basic", src)
    beta = src / "data/trials/beta.yaml"
    good = beta.read_text(encoding="utf-8")
    beta.write_text(good.replace("randomized: 90", "randomized: [90"), encoding="utf-8")
    proc = _run([*SPHINX, "-b", "html", ".", "_build/html"], src)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    page = (src / "_build/html/trials/beta.html").read_text(encoding="utf-8")
    assert "failed validation" in page and "Open label" not in page
    beta.write_text(good, encoding="utf-8")
    proc = _run([*SPHINX, "-W", "-b", "html", ".", "_build/html"], src)
    assert proc.returncode == 0, proc.stderr
    page = (src / "_build/html/trials/beta.html").read_text(encoding="utf-8")
    assert "failed validation" not in page and "Open label" in page
