"""What a build holds while it writes: no page kept for writing, the rest frozen until
the build ends; the output is the same without either."""

from __future__ import annotations

import gc
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docutils import nodes
from sphinx import addnodes
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
        monkeypatch.setattr(memory, "release_roles", lambda env: None)
        monkeypatch.setattr(memory, "_navigation", lambda app, builder: None)

    apps = built_with_and_without(build, ROOTS / root, tmp_path, builder, keep_every_page)
    for app in apps:
        assert "WARNING" not in app.warning.getvalue(), app.warning.getvalue()
    managed_files, kept = (written_files(app) for app in apps)
    assert managed_files.keys() == kept.keys()
    assert [p for p in managed_files if managed_files[p] != kept[p]] == []


def _other_pages_alive(
    make_app: Callable[..., SphinxTestApp], srcdir: Path
) -> list[tuple[str, list[str]]]:
    """Build; each time a page has been read, the pages read before it still in memory."""
    app = make_app("html", srcdir=srcdir)
    seen: list[tuple[str, list[str]]] = []

    def read(app: Any, doctree: nodes.document) -> None:
        gc.collect()
        others = [
            Path(o["source"]).name
            for o in gc.get_objects()
            if isinstance(o, nodes.document) and o is not doctree and o.get("source")
        ]
        seen.append((app.env.docname, sorted(others)))

    app.connect("doctree-read", read, priority=999)  # after trialbook's
    try:
        app.build()
    finally:
        app.cleanup()
    return seen


def _held_longer(seen: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """For each page read, the earlier pages alive but the one read just before it,
    which Sphinx 8.2 keeps until the next (its reused publisher's writer holds it)."""
    held = []
    for i, (docname, others) in enumerate(seen):
        before = f"{Path(seen[i - 1][0]).name}.md" if i else None
        held.append((docname, [page for page in others if page != before]))
    return held


def test_no_page_stays_in_memory_once_the_next_is_read(
    make_app: Callable[..., SphinxTestApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A role keeps the page it last ran on, unless trialbook makes it let go."""
    shutil.copytree(ROOTS / "test-roles", tmp_path / "p")
    seen = _held_longer(_other_pages_alive(make_app, tmp_path / "p"))
    assert len(seen) >= 4
    assert [others for _, others in seen] == [[]] * len(seen)
    # The same build with roles left holding their last page: refs.md (read before the
    # trial pages, whose roles are others) stays.
    monkeypatch.setattr(memory, "release_roles", lambda env: None)
    shutil.copytree(ROOTS / "test-roles", tmp_path / "q")
    seen = _held_longer(_other_pages_alive(make_app, tmp_path / "q"))
    assert "refs.md" in {page for _, others in seen for page in others}, seen


def test_pages_are_written_with_the_root_tables_of_contents_only(
    make_app: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    shutil.copytree(ROOTS / "test-basic", tmp_path / "p")
    app = make_app("html", srcdir=tmp_path / "p")
    roots: list[tuple[list[str], int]] = []

    def resolved(app: Any, doctree: Any, docname: str) -> None:
        navigation = app.env.master_doctree
        roots.append(([n.tagname for n in navigation.findall()], id(navigation)))

    app.connect("doctree-resolved", resolved, priority=999)
    try:
        app.build()
    finally:
        app.cleanup()
    root = app.env.get_doctree("index")
    assert len(list(root.findall(addnodes.toctree))) == 1
    assert len(list(root.findall())) > 20  # the page has a table, which the navigation skips
    assert len(roots) >= 4
    assert {tuple(tags) for tags, _ in roots} == {("document", "toctree")}
    assert len({ident for _, ident in roots}) == 1  # made once per build
    assert "master_doctree" not in vars(app.env)  # a later build loads the root again
    # Same navigation as Sphinx's own: other.html lists the root's pages.
    html = (app.outdir / "other.html").read_text(encoding="utf-8")
    assert 'href="sources.html"' in html
