"""Reproducible builds: same sources and SOURCE_DATE_EPOCH, same bytes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).parent.parent.parent
#: Files that may differ between two builds, and why. (None so far.)
ALLOWED_TO_DIFFER: dict[str, str] = {}


def _build(dest: Path, builder: str, jobs: str = "1") -> Path:
    shutil.copytree(REPO / "docs", dest / "docs", ignore=shutil.ignore_patterns("trials"))
    shutil.copytree(REPO / "data", dest / "data")
    return _run(dest, builder, jobs)


def _rebuild(dest: Path, out: Path) -> None:
    """An incremental build of ``dest`` into ``out`` (which a build filled before)."""
    _run(dest, out.name)


def _run(dest: Path, builder: str, jobs: str = "1") -> Path:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    out = dest / "build" / builder
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-n", "-j", jobs, "-b", builder, "docs", str(out)],
        cwd=dest,
        env=env,
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return out


def _files(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and ".doctrees" not in p.parts and p.name != ".buildinfo.bak"
    }


def _compare(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    assert a.keys() == b.keys()
    return [n for n in a if a[n] != b[n] and n not in ALLOWED_TO_DIFFER]


def test_two_clean_html_builds_are_byte_identical(tmp_path: Path) -> None:
    first = _files(_build(tmp_path / "one", "html"))
    second = _files(_build(tmp_path / "two", "html"))
    assert len(first) > 20
    assert _compare(first, second) == []


def test_parallel_html_equals_serial(tmp_path: Path) -> None:
    serial = _files(_build(tmp_path / "serial", "html"))
    parallel = _files(_build(tmp_path / "parallel", "html", jobs="2"))
    assert _compare(serial, parallel) == []


def test_two_clean_latex_builds_are_identical(tmp_path: Path) -> None:
    first = _files(_build(tmp_path / "one", "latex"))
    second = _files(_build(tmp_path / "two", "latex"))
    assert any(name.endswith(".tex") for name in first)
    assert _compare(first, second) == []
    tex = next(v for k, v in first.items() if k.endswith(".tex")).decode()
    assert r"\date{Evidence as of 2023}" in tex  # from the data, never the day of the build


def test_a_rebuilt_site_equals_a_clean_build_of_the_same_data(tmp_path: Path) -> None:
    """Build, edit a trial, rebuild: every page equals a clean build of the edited data.

    (A stylesheet copied only at the end of a build was linked without its checksum
    by a clean build and with it by a rebuild: the pages differed with history.)
    """
    out = _build(tmp_path / "edited", "html")
    trial = tmp_path / "edited" / "data" / "trials" / "care-ms-ii.yaml"
    trial.write_text(
        trial.read_text(encoding="utf-8").replace("centres: 180", "centres: 181", 1),
        encoding="utf-8",
    )
    _rebuild(tmp_path / "edited", out)
    clean = tmp_path / "clean"
    shutil.copytree(REPO / "docs", clean / "docs", ignore=shutil.ignore_patterns("trials"))
    shutil.copytree(tmp_path / "edited" / "data", clean / "data")
    fresh = _files(_run(clean, "html"))
    rebuilt = _files(out)
    assert len(rebuilt) > 20
    # Sphinx (9.0) does not reload the search index's index entries of pages it does
    # not re-read (IndexBuilder.load restores titles and terms only), so its
    # searchindex.js differs after any rebuild, with or without trialbook.
    assert _compare(rebuilt, fresh) in ([], ["searchindex.js"])
