"""What a build holds while it writes: no page kept for writing, the rest frozen until
the build ends; the output is the same without either."""

from __future__ import annotations

import gc
import inspect
import itertools
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docutils import nodes
from sphinx import addnodes
from sphinx.testing.util import SphinxTestApp

import trialbook.sphinxext.memory as memory
from conftest import built_with_and_without, written_files
from trialbook.load.dataset import load_dataset
from trialbook.sphinxext.packing import packed_rows

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
        monkeypatch.setattr(memory, "hold_full_collections", lambda: False)

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


#: Python 3.14's collector is incremental and ignores the third threshold.
HONOURS_THIRD_THRESHOLD = sys.version_info[:2] != (3, 14)


def _holding() -> bool:
    """Are full collections held, by trialbook, as the collector sees it?"""
    held = memory._held is not None
    if held and HONOURS_THIRD_THRESHOLD:
        assert gc.get_threshold()[2] == memory._NEVER
    return held


def test_holding_full_collections_keeps_young_ones_and_gives_the_thresholds_back() -> None:
    before = gc.get_threshold()
    try:
        gc.set_threshold(500, 7, 9)
        chosen = gc.get_threshold()
        assert memory.hold_full_collections() is True
        assert gc.get_threshold()[:2] == (500, 7) and _holding()
        assert memory.hold_full_collections() is False  # one hold at a time
        memory.release_full_collections()
        assert gc.get_threshold() == chosen and not _holding()
        memory.release_full_collections()  # again: nothing more
        assert gc.get_threshold() == chosen
        with memory.full_collections_held():
            assert _holding()
            with memory.full_collections_held():  # inside a hold: leaves it on
                pass
            assert _holding()
        assert gc.get_threshold() == chosen and not _holding()
        with pytest.raises(RuntimeError), memory.full_collections_held():
            raise RuntimeError
        assert gc.get_threshold() == chosen and not _holding()
        gc.disable()  # the collector is off: nothing to hold
        try:
            assert memory.hold_full_collections() is False
        finally:
            gc.enable()
        gc.set_threshold(0)  # automatic collection off: the same
        assert memory.hold_full_collections() is False
        assert gc.get_threshold()[0] == 0
    finally:
        gc.set_threshold(*before)
    assert not _holding()


def _holds(
    make_app: Callable[..., SphinxTestApp], srcdir: Path, parallel: int = 1
) -> tuple[SphinxTestApp, dict[str, list[tuple[str, bool]]]]:
    """Build; whether full collections were held as each page started to be read, once
    it was read (before its tables are packed), as it was resolved and as it was
    written, and when the build ended."""
    app = make_app("html", srcdir=srcdir, parallel=parallel)
    seen: dict[str, list[tuple[str, bool]]] = {}

    def note(stage: str, name: str) -> None:
        seen.setdefault(stage, []).append((name, _holding()))

    def resolved(app: Any, doctree: Any, docname: str) -> None:
        note("resolved" if not app.builder.parallel_ok else "resolved, written apart", docname)

    app.connect("source-read", lambda app, docname, source: note("reading", docname))
    app.connect("doctree-read", lambda app, doctree: note("read", app.env.docname), priority=900)
    app.connect("doctree-resolved", resolved, priority=999)
    app.connect(
        "html-page-context",
        lambda app, pagename, *args: (
            note("written", pagename) if pagename in app.env.found_docs else None
        ),
    )
    app.connect("build-finished", lambda app, exc: note("finished", ""), priority=999)
    try:
        app.build()
    finally:
        app.cleanup()
    return app, seen


def _packed(app: SphinxTestApp) -> set[str]:
    """The pages with table rows stored packed."""
    env = app.env
    return {d for d in env.found_docs if any(env.get_doctree(d).findall(packed_rows))}


def _watch_loading(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether full collections are held each time the build loads the data."""
    loading: list[bool] = []

    def watched_load(*args: Any, **kwargs: Any) -> Any:
        loading.append(_holding())
        return load_dataset(*args, **kwargs)

    monkeypatch.setattr("trialbook.sphinxext.dataset.load_dataset", watched_load)
    return loading


def test_small_pages_are_read_and_written_with_full_collections_on(
    make_app: Callable[..., SphinxTestApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The test root's tables list a few trials: no page is large; the data is loaded
    with full collections held, and nothing stays held after the build."""
    loading = _watch_loading(monkeypatch)
    before = gc.get_threshold()
    shutil.copytree(ROOTS / "test-tables", tmp_path / "p")
    app, seen = _holds(make_app, tmp_path / "p")
    assert loading == [True]
    assert _packed(app)  # the root has trialbook tables
    for stage in ("reading", "read", "resolved", "written"):
        assert len(seen[stage]) >= 8, stage
        assert [name for name, held in seen[stage] if held] == [], stage
    assert seen["finished"] == [("", False)]
    assert gc.get_threshold() == before


def test_large_pages_are_read_and_written_with_full_collections_held(
    make_app: Callable[..., SphinxTestApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same root with every trialbook table counted as large."""
    monkeypatch.setattr(memory, "LARGE_SHOWN", 1)
    monkeypatch.setattr(memory, "LARGE_PAGE", 0)
    before = gc.get_threshold()
    shutil.copytree(ROOTS / "test-tables", tmp_path / "p")
    app, seen = _holds(make_app, tmp_path / "p")
    packed = _packed(app)
    held = {stage: {name for name, on in seen[stage] if on} for stage in seen}
    assert held["reading"] == set()  # each page starts with full collections on
    # Its tables are made, not yet packed; the milestone timeline shows no trial.
    assert packed - held["read"] == {"milestones"}
    # Held from the first post-transform of a page with packed rows until the next
    # page's: while it is resolved and written.
    assert held["resolved"] == held["written"] == packed
    assert {name for name, _ in seen["written"]} - packed  # other pages: not held
    assert seen["finished"] == [("", False)]
    assert gc.get_threshold() == before


def test_a_parallel_build_holds_no_full_collection(
    make_app: Callable[..., SphinxTestApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With -j, forked readers and writers would inherit a hold: none is taken."""
    monkeypatch.setattr(memory, "LARGE_SHOWN", 1)
    monkeypatch.setattr(memory, "LARGE_PAGE", 0)
    loading = _watch_loading(monkeypatch)
    shutil.copytree(ROOTS / "test-tables", tmp_path / "p")
    _, seen = _holds(make_app, tmp_path / "p", parallel=2)
    apart = seen.get("resolved, written apart", [])
    assert len(apart) >= 4, seen  # written by another process
    assert loading == [False]
    assert {stage: [name for name, held in notes if held] for stage, notes in seen.items()} == {
        stage: [] for stage in seen
    }
    assert memory.hold_full_collections() is True  # the next serial build may hold
    memory.release_full_collections()


@pytest.mark.parametrize("parallel", [1, 2])
def test_pages_waiting_for_a_parallel_writer_are_frozen(
    make_app: Callable[..., SphinxTestApp], tmp_path: Path, parallel: int
) -> None:
    """With -j the main process resolves pages ahead of the writers: each is frozen
    once resolved (out of the main process's full collections) until the build ends.
    A serial build writes each page as it is resolved: none is frozen."""
    shutil.copytree(ROOTS / "test-tables", tmp_path / "p")
    app = make_app("html", srcdir=tmp_path / "p", parallel=parallel)
    counts: list[int] = []
    apart: list[bool] = []

    def resolved(app: Any, doctree: Any, docname: str) -> None:
        counts.append(gc.get_freeze_count())
        apart.append(app.builder.parallel_ok)

    app.connect("doctree-resolved", resolved, priority=999)
    try:
        app.build()
    finally:
        app.cleanup()
    assert len(counts) >= 8
    assert all(apart) == (parallel > 1)
    growth = [b - a for a, b in itertools.pairwise(counts)]
    if parallel > 1:
        assert all(g > 0 for g in growth), growth
    else:  # (a frozen object freed meanwhile lowers the count)
        assert all(g <= 0 for g in growth), growth
    assert gc.get_freeze_count() == 0  # unfrozen when the build ended


def test_a_page_resolved_after_the_build_freezes_nothing(
    build: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    """A tool that asks the environment for a resolved page once the build is over
    gets it without a freeze that nothing would undo."""
    shutil.copytree(ROOTS / "test-basic", tmp_path / "p")
    app = build("html", tmp_path / "p")
    assert gc.get_freeze_count() == 0
    resolve = app.env.get_and_resolve_doctree
    tags: dict[str, Any] = (
        {"tags": app.tags} if "tags" in inspect.signature(resolve).parameters else {}
    )
    resolve("index", app.builder, **tags)  # Sphinx 9 takes the tags
    assert gc.get_freeze_count() == 0


def test_a_build_process_skips_the_last_collection_as_it_exits(tmp_path: Path) -> None:
    """What the process holds is frozen at exit (CPython's last collection passes over
    none of it), after the build's own work: files written and closed as ever."""
    import subprocess
    import textwrap

    shutil.copytree(ROOTS / "test-basic", tmp_path / "p")
    out = tmp_path / "p" / "_build"
    probe = textwrap.dedent(
        f"""
        import atexit, gc, sys
        # Registered first, so it runs last (atexit runs handlers in reverse order).
        atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count() > 0))
        from sphinx.cmd.build import main
        code = main(["-q", "-b", "html", {str(tmp_path / "p")!r}, {str(out)!r}])
        print("frozen after the build:", gc.get_freeze_count() > 0)
        sys.exit(code)
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["frozen after the build: False", "frozen at exit: True"]
    assert (out / "index.html").stat().st_size > 0
