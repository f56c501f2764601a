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
trialbook table is pickled into one :class:`packed_rows` node; before anything else
is done to the page to write it (post-transform priority 1), the rows come back.
The output is the same byte for byte; the tests compare builds with and without.
"""

from __future__ import annotations

import io
import pickle
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from .tables import TABLE

if TYPE_CHECKING:
    from sphinx.application import Sphinx


class packed_rows(nodes.Element):
    """A table body's rows, pickled (attribute ``rows``). Never reaches a writer:
    :class:`UnpackRows` restores the rows before the page is written."""


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
            out += [
                b
                for b in table.findall(nodes.tbody)
                if b.children and not isinstance(b[0], packed_rows)
            ]
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
        body.children = []
        body += packed_rows(rows=out.getvalue())


def unpack(root: nodes.Element) -> None:
    """Restore the rows of every packed body in ``root`` (a document, or a part of one)."""
    document = root if isinstance(root, nodes.document) else root.document
    assert document is not None
    for node in list(root.findall(packed_rows)):
        body = node.parent
        assert isinstance(body, nodes.tbody)
        body.children = _Unpacker(node["rows"], document, body).load()


class UnpackRows(SphinxPostTransform):
    """The packed rows come back before anything else is done to the page."""

    default_priority = 1

    def run(self, **kwargs: Any) -> None:
        """Unpack every packed table body."""
        unpack(self.document)


def _pack_read(app: Sphinx, document: nodes.document) -> None:
    pack(document)


def setup_packing(app: Sphinx) -> None:
    """Pack table bodies once a page is read; unpack them to write it."""
    app.connect("doctree-read", _pack_read, priority=950)
    app.add_post_transform(UnpackRows)
