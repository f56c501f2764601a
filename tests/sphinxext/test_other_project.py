"""trialbook in a project that is not the handbook: its own data, any theme, and links
into a handbook through intersphinx (the domain's object types in objects.inv)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sphinx.testing.util import SphinxTestApp

ROOTS = Path(__file__).resolve().parent.parent / "roots"

PAGE = """# Our review

```{outcome-table}
:caption: Our endpoints
```

The handbook's {external+hb:trial:trial}`alpha` trial, its relapse rate
{external+hb:trial:outcome}`alpha/relapse-rate`, and its source
{external+hb:trial:source}`paper-a` (also by the short name,
{external+hb:trial:src}`paper-b`).

```{toctree}
:glob:

sources
trials/*
```
"""


@pytest.fixture
def handbook(build: Callable[..., SphinxTestApp], tmp_path: Path) -> Path:
    """A built handbook (the basic test project) with its objects.inv."""
    shutil.copytree(ROOTS / "test-basic", tmp_path / "handbook")
    app = build("html", tmp_path / "handbook")
    return Path(app.outdir)


def _project(tmp_path: Path, theme: str, inventory: Path) -> Path:
    src = tmp_path / f"other-{theme}"
    shutil.copytree(ROOTS / "test-figures" / "data", src / "data")
    (src / "sources.md").write_text("# Sources\n\n```{source-list}\n```\n", encoding="utf-8")
    (src / "index.md").write_text(PAGE, encoding="utf-8")
    (src / "conf.py").write_text(
        "extensions = ['trialbook', 'sphinx.ext.intersphinx']\n"
        f"html_theme = {theme!r}\n"
        f"intersphinx_mapping = {{'hb': ({str(inventory)!r}, None)}}\n"
        "nitpicky = True\nexclude_patterns = ['_build']\n",
        encoding="utf-8",
    )
    return src


@pytest.mark.parametrize("theme", ["alabaster", "furo"])
def test_another_project_gets_styles_tables_and_links(
    build: Callable[..., SphinxTestApp], handbook: Path, tmp_path: Path, theme: str
) -> None:
    src = _project(tmp_path, theme, handbook)
    app = build("html", src)
    warnings = app.warning.getvalue()
    assert "WARNING" not in warnings and "ERROR" not in warnings, warnings
    out = Path(app.outdir)
    html = (out / "index.html").read_text(encoding="utf-8")
    # The extension's stylesheet comes with the package, whatever the theme.
    assert (out / "_static" / "trialbook.css").is_file()
    assert re.search(r'<link rel="stylesheet"[^>]*href="_static/trialbook\.css', html)
    assert "Our endpoints" in html and "NORTH" in html
    # Intersphinx: object types trial, outcome and source (and the src alias) resolve.
    for anchor in (
        "trial:alpha",
        "outcome:alpha/relapse-rate",
        "source:paper-a",
        "source:paper-b",
    ):
        assert f"{handbook.as_posix()}/" in html
        assert re.search(rf'href="[^"]*#{re.escape(anchor)}"', html), anchor


def test_another_project_builds_latex(
    build: Callable[..., SphinxTestApp], handbook: Path, tmp_path: Path
) -> None:
    src = _project(tmp_path, "alabaster", handbook)
    app = build("latex", src)
    assert "WARNING" not in app.warning.getvalue(), app.warning.getvalue()
    tex = next(Path(app.outdir).glob("*.tex")).read_text(encoding="utf-8")
    assert r"\usepackage{trialbook}" in tex and r"\caption{Our endpoints\strut}" in tex
