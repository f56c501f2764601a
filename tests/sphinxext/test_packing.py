"""Table bodies are stored packed and come back, unchanged, before a page is written."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docutils import nodes
from docutils.utils import new_document
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.testing.util import SphinxTestApp
from sphinx.transforms.post_transforms import SphinxPostTransform

import trialbook.sphinxext.packing
from conftest import built_with_and_without, stored, written_files
from trialbook.sphinxext.packing import pack, packed_rows, unpack
from trialbook.sphinxext.tables import TABLE

ROOTS = Path(__file__).resolve().parent.parent / "roots"


def _trialbook_tables(doctree: nodes.document) -> list[nodes.table]:
    return [t for t in doctree.findall(nodes.table) if TABLE in t["classes"]]


def _registered(doctree: nodes.document) -> list[nodes.Node]:
    """Every node the document's registries (ids, refids, …) hold."""
    out: list[nodes.Node] = []
    for value in vars(doctree).values():
        if isinstance(value, dict):
            for held in value.values():
                out += [held] if isinstance(held, nodes.Node) else []
                if isinstance(held, list):
                    out += [n for n in held if isinstance(n, nodes.Node)]
    return out


def test_a_stored_page_holds_each_table_body_as_one_node(
    build: Callable[..., SphinxTestApp], basic: Path
) -> None:
    app = build("html", basic)
    assert "WARNING" not in app.warning.getvalue(), app.warning.getvalue()
    doctree = app.env.get_doctree("index")
    tables = _trialbook_tables(doctree)
    assert tables
    for table in tables:
        body = table.next_node(nodes.tbody)
        assert body is not None
        assert [type(n) for n in body.children] == [packed_rows]
        assert not list(body.findall(nodes.row))
    # Nothing else in the stored page keeps a row alive.
    assert all(not isinstance(n, nodes.row | nodes.entry) for n in _registered(doctree))
    # The rows are stored once: the packed page is a fraction of the unpacked one.
    packed = len(pickle.dumps(doctree, pickle.HIGHEST_PROTOCOL))
    whole = stored(app, "index")
    rows = [r for t in _trialbook_tables(whole) for r in t.findall(nodes.row)]
    assert rows and all(r.document is whole for r in rows)
    assert not list(whole.findall(packed_rows))
    assert packed < len(pickle.dumps(whole, pickle.HIGHEST_PROTOCOL))


def test_the_registries_point_at_the_body_not_into_it() -> None:
    """A target in a row that docutils registered (``ids``, ``refids``) would keep
    the rows in the page's own pickle: the registries point at the body instead."""
    document = new_document("page.md")
    table = nodes.table(classes=[TABLE])
    group = nodes.tgroup(cols=1)
    body = nodes.tbody()
    target = nodes.target("", "", ids=["row-1"], refid="row-1")
    other = nodes.paragraph("", "outside", ids=["outside"])
    body += nodes.row("", nodes.entry("", nodes.paragraph("", "", target, nodes.Text("1"))))
    group += [nodes.colspec(colwidth=1), body]
    table += group
    document += [table, other]
    document.set_id(target)
    document.set_id(other)
    document.note_refid(target)

    pack(document)
    (packed,) = body.children
    assert isinstance(packed, packed_rows)
    pack(document)  # a packed body is left as it is

    assert body.children == [packed]
    assert document.ids == {"row-1": body, "outside": other}
    assert document.refids == {"row-1": []}
    unpack(table)  # a part of the document
    (row,) = body.children
    assert isinstance(row, nodes.row) and row.astext() == "1"
    assert row.parent is body and row.document is document


@pytest.mark.parametrize("root", ["test-basic", "test-tables"])
@pytest.mark.parametrize("builder", ["html", "latex", "text"])
def test_the_output_is_the_same_as_without_packing(
    build: Callable[..., SphinxTestApp],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    builder: str,
    root: str,
) -> None:
    """Packed and unpacked, every file written is the same, byte for byte (the
    handbook's own build is compared by the benchmark, at 3 and 100 trials)."""
    apps = built_with_and_without(
        build,
        ROOTS / root,
        tmp_path,
        builder,
        lambda: monkeypatch.setattr(trialbook.sphinxext.packing, "pack", lambda document: None),
    )
    for app in apps:
        assert "WARNING" not in app.warning.getvalue(), app.warning.getvalue()
    with_packing, without = (written_files(app) for app in apps)
    assert with_packing.keys() == without.keys()
    assert [p for p in with_packing if with_packing[p] != without[p]] == []
    tables = (b"trialbook-table", b"longtable", b"|===")  # HTML, LaTeX, text
    assert any(mark in data for data in without.values() for mark in tables)


def _cells(doctree: nodes.document) -> list[nodes.entry]:
    return [
        e
        for t in _trialbook_tables(doctree)
        for b in t.findall(nodes.tbody)
        for e in b.findall(nodes.entry)
    ]


def test_other_post_transforms_do_not_walk_the_rows(
    make_app: Callable[..., SphinxTestApp], basic: Path
) -> None:
    """The rows come back after every other post-transform and ``doctree-resolved``
    handler (they walked 9 nodes in 10 for nothing), resolved as those would have."""
    seen: dict[str, int] = {}

    class Probe(SphinxPostTransform):
        default_priority = 999  # the last post-transform

        def run(self, **kwargs: Any) -> None:
            seen["post-transform"] = seen.get("post-transform", 0) + len(_cells(self.document))

    def handler(name: str) -> Callable[[Sphinx, nodes.document, str], None]:
        def count(app: Sphinx, doctree: nodes.document, docname: str) -> None:
            seen[name] = seen.get(name, 0) + len(_cells(doctree))
            if name == "after":
                assert not list(doctree.findall(addnodes.pending_xref))

        return count

    app = make_app("html", srcdir=basic)
    try:
        app.add_post_transform(Probe)
        app.connect("doctree-resolved", handler("before"), priority=899)
        app.connect("doctree-resolved", handler("after"), priority=901)
        app.build()
    finally:
        app.cleanup()
    assert seen["post-transform"] == 0
    assert seen["before"] == 0
    assert seen["after"] > 0
    page = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert "Relapse rate" in page and "trialbook-col-label" in page


def test_packed_rows_are_freed_without_the_garbage_collector() -> None:
    """Once pickled, the rows are freed as soon as they are dropped: no full collection
    has to find them (a node points at its parent, so they were a cycle). A cell
    something still holds (a warning Sphinx keeps until the phase ends) still says
    where it is."""
    import gc
    import weakref

    from docutils.utils import get_source_line

    document = new_document("page.md")
    table = nodes.table(classes=[TABLE])
    table.source, table.line = "page.md", 7
    group = nodes.tgroup(cols=1)
    body = nodes.tbody()
    freed = nodes.paragraph("", "1")
    held = nodes.paragraph("", "2")
    body += nodes.row("", nodes.entry("", freed), nodes.entry("", held))
    group += [nodes.colspec(colwidth=1), nodes.colspec(colwidth=1), body]
    table += group
    document += table
    cell = weakref.ref(freed)
    del freed
    enabled = gc.isenabled()
    gc.disable()
    try:
        pack(document)
        assert cell() is None
    finally:
        if enabled:
            gc.enable()
    assert held.parent is None
    assert get_source_line(held) == ("page.md", 7)
    unpack(document)
    assert body.astext() == "1\n\n2"
