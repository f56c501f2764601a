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
