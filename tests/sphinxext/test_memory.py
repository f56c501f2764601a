"""What a build holds while it writes: no page kept for writing, the rest frozen until
the build ends; the output is the same without either."""

from __future__ import annotations

import gc
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sphinx.testing.util import SphinxTestApp

import trialbook.sphinxext.memory as memory
from conftest import built_with_and_without, written_files

ROOTS = Path(__file__).resolve().parent.parent / "roots"


def _watched(
    make_app: Callable[..., SphinxTestApp], builder: str, srcdir: Path
) -> tuple[SphinxTestApp, list[tuple[int, bool]]]:
    """Build, noting for each page written how many pages Sphinx held for writing and
    whether objects were frozen."""
    app = make_app(builder, srcdir=srcdir)
    seen: list[tuple[int, bool]] = []

    def resolved(app: Any, doctree: Any, docname: str) -> None:
        seen.append((len(app.env._write_doc_doctree_cache), gc.get_freeze_count() > 0))

    app.connect("doctree-resolved", resolved, priority=999)  # after trialbook's
    try:
        app.build()
    finally:
        app.cleanup()
    return app, seen


def test_pages_are_written_from_disk_with_the_rest_frozen(
    make_app: Callable[..., SphinxTestApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(ROOTS / "test-basic", tmp_path / "p")
    app, seen = _watched(make_app, "html", tmp_path / "p")
    assert len(seen) >= 4, seen  # every page of the root was written
    assert set(seen) == {(0, True)}
    assert gc.get_freeze_count() == 0  # given back when the build ended
    # A build that reads nothing pays no collection; what it writes, it writes frozen.
    collected: list[tuple[int, ...]] = []

    def collect(*args: int) -> int:
        collected.append(args)
        return 0

    monkeypatch.setattr(gc, "collect", collect)
    (app.outdir / "other.html").unlink()  # written again, not read again
    app, seen = _watched(make_app, "html", tmp_path / "p")
    assert "0 added, 0 changed, 0 removed" in app.status.getvalue()
    assert seen and set(seen) == {(0, True)}
    assert collected == []
    assert gc.get_freeze_count() == 0


def test_a_failed_build_gives_back_what_it_froze(
    make_app: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    shutil.copytree(ROOTS / "test-basic", tmp_path / "p")
    app = make_app("html", srcdir=tmp_path / "p")
    frozen: list[int] = []

    def fail(app: Any, env: Any) -> list[str]:
        frozen.append(gc.get_freeze_count())
        raise RuntimeError("a handler after trialbook's fails")

    app.connect("env-updated", fail, priority=999)
    try:
        with pytest.raises(Exception, match="a handler after trialbook's fails"):
            app.build()
    finally:
        app.cleanup()
    assert frozen and frozen[0] > 0
    assert gc.get_freeze_count() == 0


def test_objects_frozen_by_someone_else_stay_theirs(
    make_app: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    """trialbook neither adds to objects frozen before the build nor unfreezes them."""
    shutil.copytree(ROOTS / "test-basic", tmp_path / "p")
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        _, seen = _watched(make_app, "html", tmp_path / "p")
        # Not added to (objects freed since leave it: it only shrinks); not unfrozen.
        assert 0 < gc.get_freeze_count() <= before
    finally:
        gc.unfreeze()
    assert seen


@pytest.mark.parametrize("root", ["test-basic", "test-tables"])
@pytest.mark.parametrize("builder", ["html", "latex"])
def test_the_output_is_the_same_as_when_sphinx_keeps_every_page(
    build: Callable[..., SphinxTestApp],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    builder: str,
    root: str,
) -> None:

    def keep_every_page() -> None:
        monkeypatch.setattr(memory, "drop_cached_pages", lambda env: None)
        monkeypatch.setattr(memory, "freeze", lambda collect=True: None)

    apps = built_with_and_without(build, ROOTS / root, tmp_path, builder, keep_every_page)
    for app in apps:
        assert "WARNING" not in app.warning.getvalue(), app.warning.getvalue()
    managed_files, kept = (written_files(app) for app in apps)
    assert managed_files.keys() == kept.keys()
    assert [p for p in managed_files if managed_files[p] != kept[p]] == []
