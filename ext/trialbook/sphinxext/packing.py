"""Table bodies stored packed: one object per table until the page is written.

Sphinx keeps every page it has read in memory until it writes it, pickles each to
disk, and on every later build unpickles every page again to number figures and
tables. At 100 trials, nine in ten nodes of the stored pages were in the bodies of
trialbook's tables (354,000 of 407,000), and the garbage collector went over all of
them again at each full collection: about 20 s of a 65 s build, and 6 s of a 10 s
no-op build. Nothing between reading and writing looks inside a table body: the
table's number, title and targets are outside it, and the labels in it are
registered when the page is read.

So once a page is read (``doctree-read``, after every collector), each body of a
trialbook table is pickled into one :class:`packed_rows` node, and the rows come
back only once the page is resolved: after every post-transform and every other
``doctree-resolved`` handler (:func:`_unpack_resolved`). What the post-transforms
do to the rows of a page whose tables are not packed, a :class:`RowsTransform` then
does to the rows alone, and Sphinx's reference resolver links the references in
them. The post-transforms that do nothing to rows (sphinx-design's four, furo's,
Sphinx's own) no longer walk them: at 100 trials they went over 9 in 10 nodes of
every page for nothing, in the main process, which ``-j`` does not share out
(Sphinx resolves every page in the main process and writes in the others). With
``-j 2`` the main process resolved the pages in 9.9 s instead of 16.2 s; ``-j 1``
took 0.85 of the time (41.6 against 47.4 s, 3 builds each in turn). The rows hold
only what trialbook's directives made (no author markup is parsed into a cell), so
no other post-transform has work there.
The output is the same byte for byte; the tests compare builds with and without.

Rows are also let go of as soon as they are done with (:func:`let_go`): once pickled,
and once their HTML page is written. A docutils node points at its parent, so a page
no longer used is garbage only the collector's full collections can free, and each of
those goes over everything the process made since it last froze: at 100 trials they
took 8.8 s of a 47 s build (``-j 1``), about one per page written. With the parent
links of the rows cut, the rows are freed as soon as they are dropped: 38.4 against
42.2 s, 3 builds each in turn, and 4.5 s in full collections.
"""

from __future__ import annotations

import io
import pickle
from typing import TYPE_CHECKING, Any

from docutils import nodes
from docutils.utils import get_source_line
from sphinx import addnodes
from sphinx.transforms.post_transforms import ReferencesResolver

from .rows import RowsTransform
from .tables import TABLE

if TYPE_CHECKING:
    from sphinx.application import Sphinx


class packed_rows(nodes.Element):
    """A table body's rows, pickled (attribute ``rows``). Never reaches a writer:
    :func:`_unpack_resolved` restores the rows before the page is written."""


#: What the pickled rows refer to outside themselves, put back on unpacking.
_DOCUMENT, _BODY = "document", "body"


class _Packer(pickle.Pickler):
    def __init__(self, out: io.BytesIO, document: nodes.document, body: nodes.tbody) -> None:
        super().__init__(out, pickle.HIGHEST_PROTOCOL)
        self.document = document
        self.body = body

    def persistent_id(self, obj: Any) -> str | None:
        if obj is self.document:
            return _DOCUMENT
        if obj is self.body:
            return _BODY
        return None


class _Unpacker(pickle.Unpickler):
    def __init__(self, data: bytes, document: nodes.document, body: nodes.tbody) -> None:
        super().__init__(io.BytesIO(data))
        self.document = document
        self.body = body

    def persistent_load(self, pid: Any) -> Any:
        return self.document if pid == _DOCUMENT else self.body


def _bodies(document: nodes.document) -> list[nodes.tbody]:
    out = []
    for table in document.findall(nodes.table):
        if TABLE in table["classes"]:
            out += [b for b in table.findall(nodes.tbody) if b.children and not is_packed(b)]
    return out


def _body_of(node: nodes.Node, bodies: dict[int, nodes.tbody]) -> nodes.tbody | None:
    """The body in ``bodies`` (by ``id``) that holds ``node``, if any."""
    parent = node.parent
    while parent is not None:
        if id(parent) in bodies:
            return bodies[id(parent)]
        parent = parent.parent
    return None


def pack(document: nodes.document) -> None:
    """Pickle the rows of each trialbook table body of ``document`` into one node."""
    bodies = _bodies(document)
    if not bodies:
        return
    by_id = {id(b): b for b in bodies}
    # The document's registries (ids, refids, …) would drag the nodes they hold
    # into the page's own pickle: they point at the body instead.
    for registry in vars(document).values():
        if not isinstance(registry, dict):
            continue
        for key, held in list(registry.items()):
            if isinstance(held, nodes.Node):
                body = _body_of(held, by_id)
                if body is not None:
                    registry[key] = body
            elif isinstance(held, list):
                kept = [
                    n for n in held if not isinstance(n, nodes.Node) or _body_of(n, by_id) is None
                ]
                if len(kept) != len(held):
                    registry[key] = kept
    for body in bodies:
        out = io.BytesIO()
        _Packer(out, document, body).dump(body.children)
        let_go(body)
        body += packed_rows(rows=out.getvalue())


def let_go(body: nodes.Element) -> None:
    """Take the rows out of ``body`` and cut the links from every node in them to its
    parent: once nothing else holds them, they are freed at once, not at the garbage
    collector's next full collection. For rows no one will look at again (trialbook's
    own: nothing else holds a node in a cell of its tables).

    Sphinx holds the warnings of a phase until it ends, each with its node, and finds
    the node's file and line then, from its nearest ancestor that has them: each
    element keeps its own, so a warning about a cell still says where it is."""
    found, at = get_source_line(body)
    stack: list[tuple[nodes.Node, str | None, int | None]] = [
        (row, None if found is None else str(found), at) for row in body.children
    ]
    body.children = []
    while stack:
        node, source, line = stack.pop()
        node.parent = None
        if isinstance(node, nodes.Element):
            if node.source or node.line:
                source, line = node.source, node.line
            else:
                if source is not None:
                    node.source = source
                if line is not None:
                    node.line = line
            stack += [(child, source, line) for child in node.children]


def unpack(root: nodes.Element) -> list[nodes.tbody]:
    """Restore the rows of every packed body in ``root`` (a document, or a part of one);
    return those bodies."""
    document = root if isinstance(root, nodes.document) else root.document
    assert document is not None
    bodies = []
    for node in list(root.findall(packed_rows)):
        body = node.parent
        assert isinstance(body, nodes.tbody)
        body.children = _Unpacker(node["rows"], document, body).load()
        bodies.append(body)
    return bodies


def is_packed(body: nodes.Element) -> bool:
    """Are the rows of this table body packed?"""
    return bool(body.children) and isinstance(body[0], packed_rows)


class _Roots(nodes.document):
    """A stand-in page whose children are the given bodies, for a post-transform that
    walks ``self.document``: the bodies keep their parents (they are not moved)."""

    def __init__(self, document: nodes.document, roots: list[nodes.tbody]) -> None:
        super().__init__(document.settings, document.reporter)
        self.children = list(roots)


#: Attribute of a resolved page: the bodies whose rows came back (see :func:`_written`).
_UNPACKED = "trialbook_unpacked"


def _unpack_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """The rows come back, and what every post-transform would have done in them is
    done: the row transforms in their order, and the references linked."""
    bodies = unpack(doctree)
    setattr(doctree, _UNPACKED, bodies)
    if not bodies:
        return
    for xref in (n for body in bodies for n in body.findall(addnodes.pending_xref)):
        xref.setdefault("refdoc", docname)  # as the resolver does while it resolves a page
    resolver = ReferencesResolver.default_priority or 0
    steps: list[tuple[int, type[RowsTransform] | None]] = [(resolver, None)]
    for cls in app.registry.get_post_transforms():
        if isinstance(cls, type) and issubclass(cls, RowsTransform):
            steps.append((cls.default_priority or 0, cls))
    for _, step in sorted(steps, key=lambda s: s[0]):
        if step is None:  # Sphinx's own, as it resolves every other reference
            ReferencesResolver(_Roots(doctree, bodies)).apply()
            continue
        transform = step(doctree)
        if transform.is_supported():
            transform.run_on(list(bodies), docname)


def _written(
    app: Sphinx, pagename: str, template: str, context: Any, doctree: nodes.document | None
) -> None:
    """An HTML page is written (its template is rendered next, from ``context``): let
    go of its rows."""
    for body in getattr(doctree, _UNPACKED, ()):
        let_go(body)


def _pack_read(app: Sphinx, document: nodes.document) -> None:
    pack(document)


def setup_packing(app: Sphinx) -> None:
    """Pack table bodies once a page is read; unpack them once it is resolved."""
    app.connect("doctree-read", _pack_read, priority=950)
    # After every other handler (sphinx-design's: 500), before memory's (990).
    app.connect("doctree-resolved", _unpack_resolved, priority=900)
    app.connect("html-page-context", _written, priority=999)  # after every other
