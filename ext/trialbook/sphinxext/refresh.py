"""Generated blocks refreshed in place: an edited value does not re-read every page.

A page with a table of every trial would be re-read for any edit to any trial; at
100 trials an edit of one value re-read ten pages. Instead, each trialbook
directive that shows trial data records itself as a *block* (its options, its
place, the digest of each trial it showed) and marks the nodes it returned.

Each directive declares the fields of a trial it reads (``reads``, see
:class:`~.base.TrialbookDirective`; a test holds it to that), and the block keeps
the digest of those fields of each trial it shows. Before Sphinx reads anything
(``env-get-outdated``), every block that shows changed fields of a trial is
rendered again, from the new data, in a scratch document: an edit to the number of
centres renders the trial's summary again, not the tables of outcomes of every
trial. If the new nodes have the shape of the stored ones (the same node types,
attributes, targets and labels, so that numbering, the index and cross-references
stay right) and differ only in data text, the stored doctree gets the new text and
the page is written again without being read (``env-get-updated``). Anything else
(a new row, a renamed target, a redrawn figure, a caption whose quotes SmartQuotes
changed) and the page is re-read, as it would have been. Either way the output
equals a clean build's; the tests and the benchmark compare the two.

sphinxcontrib-bibtex and sphinx-needs fill their lists late, at resolve time, for
the same reason; a whole table cannot be late here, because tables are numbered and
labelled when pages are read.
"""

from __future__ import annotations

import contextlib
import importlib
import pickle
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import new_document
from sphinx.util.nodes import is_smartquotable

from .dataset import state_of
from .domain import domain_of
from .packing import pack, unpack

if TYPE_CHECKING:
    from collections.abc import Sequence, Set

    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.docutils import SphinxDirective

    from .dataset import BuildState

logger = logging.getLogger(__name__)

#: Attribute of each top-level node a block returned: the block's index on its page.
BLOCK = "trialbook_block"
#: Attributes that transforms move or add after a directive ran: compared per block.
_PLACED = ("ids", "names", "dupnames", "backrefs", "source", "line", "rawsource")


@dataclass
class Block:
    """One directive's output on a page, and what it needs to be rendered again."""

    directive: str  # "module:Class"
    name: str
    arguments: list[str]
    options: dict[str, Any]
    lineno: int
    content_offset: int
    block_text: str
    source: str
    #: trial id → the digest of the fields the block reads, when it was rendered
    trials: dict[str, str]
    #: trial id → the digest of the trial's files then: unchanged, nothing to compare
    files: dict[str, str]
    #: the trial fields the directive reads (None: the whole trial)
    reads: tuple[str, ...] | None = None
    #: the names of the figures it drew (see :mod:`.figures`)
    figures: list[str] = field(default_factory=list)

    def stale(self, state: BuildState) -> bool:
        """Whether a field it reads of a trial it shows changed since it was rendered.

        The fields are digested only for trials whose files changed; the block
        remembers the new file digests of those whose fields it reads did not."""
        changed = False
        for trial_id, digest in self.files.items():
            now = state.trial_digests.get(trial_id, "")
            if now == digest:
                continue
            if state.shown_digest(trial_id, self.reads) != self.trials[trial_id]:
                changed = True
            else:
                self.files[trial_id] = now
        return changed

    def rendered(self, state: BuildState) -> None:
        """Remember the data it was rendered from (now)."""
        self.trials = {t: state.shown_digest(t, self.reads) for t in self.trials}
        self.files = {t: state.trial_digests.get(t, "") for t in self.trials}


#: Set while a block is rendered again: the directive must not record itself twice.
_again: list[bool] = []


def record(
    directive: SphinxDirective,
    options: dict[str, Any],
    made: list[nodes.Node],
    trials: Set[str],
    figures: Sequence[str] = (),
    reads: Set[str] | None = None,
) -> bool:
    """Record the output ``made`` of ``directive``, given ``options`` (before rendering
    took ``:name:`` out), which showed the fields ``reads`` (None: all) of ``trials``
    and drew ``figures``, as a block.

    False when it cannot be refreshed in place (nothing to mark): the caller then
    depends on the trials' digest files, so that their change re-reads the page."""
    if _again:
        return True
    if not made or not all(isinstance(node, nodes.Element) for node in made):
        return False
    env = directive.env
    page = domain_of(env).blocks().setdefault(env.docname, [])
    for node in made:
        assert isinstance(node, nodes.Element)
        node[BLOCK] = len(page)
    cls = type(directive)
    block = Block(
        directive=f"{cls.__module__}:{cls.__qualname__}",
        name=directive.name,
        arguments=list(directive.arguments),
        options=options,
        lineno=directive.lineno,
        content_offset=directive.content_offset,
        block_text=directive.block_text,
        source=directive.get_source_info()[0] or str(env.doc2path(env.docname)),
        trials=dict.fromkeys(sorted(trials), ""),
        files={},
        reads=tuple(sorted(reads)) if reads is not None else None,
        figures=list(figures),
    )
    block.rendered(state_of(env))
    page.append(block)
    return True


class _Scratch:
    """What a directive asks of its state and state machine, outside a parse."""

    def __init__(self, document: nodes.document, source: str) -> None:
        self.document = document
        self.source = source
        self.reporter = document.reporter

    def get_source_and_line(self, lineno: int | None = None) -> tuple[str, int | None]:
        return self.source, lineno


@contextlib.contextmanager
def _reading(env: BuildEnvironment, docname: str) -> Iterator[None]:
    """The environment as while ``docname`` is read (its docname, its defaults)."""
    backup = env.current_document
    env.prepare_settings(docname)
    _again.append(True)
    try:
        yield
    finally:
        _again.pop()
        env.current_document = backup


def render_again(env: BuildEnvironment, docname: str, block: Block) -> list[nodes.Node]:
    """The block's nodes from the data as it is now."""
    module, _, qualname = block.directive.partition(":")
    cls = getattr(importlib.import_module(module), qualname)
    document = new_document(block.source)
    document.settings.env = env
    scratch = _Scratch(document, block.source)
    directive = cls(
        block.name,
        list(block.arguments),
        dict(block.options),  # add_name() takes :name: out of the dict it is given
        [],
        block.lineno,
        block.content_offset,
        block.block_text,
        scratch,
        scratch,
    )
    with _reading(env, docname):
        made: list[nodes.Node] = directive.run()
    return made


_EDUCATED = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "--", "—": "---"})


def _plain(text: str) -> str:
    """``text`` as it was before SmartQuotes: straight quotes and ASCII dashes."""
    return text.translate(_EDUCATED).replace("…", "...")


def _texts(old: nodes.Node, new: nodes.Node, out: list[tuple[nodes.Text, str]]) -> bool:
    """Whether ``new`` has the shape of ``old``; the data texts that differ into ``out``."""
    if type(old) is not type(new):
        return False
    if isinstance(old, nodes.Text):
        assert isinstance(new, nodes.Text)
        if str(old) != str(new):
            if is_smartquotable(new):
                # Text SmartQuotes went over when the page was read: the same text but
                # for its quotes and dashes stays; anything else is re-read.
                return _plain(str(old)) == _plain(str(new))
            out.append((old, str(new)))
        return True
    assert isinstance(old, nodes.Element) and isinstance(new, nodes.Element)
    placed: tuple[str, ...] = _PLACED
    if isinstance(old, nodes.target):
        placed += ("refid",)  # set by PropagateTargets
    elif isinstance(old, addnodes.toctree):
        placed += ("rawentries",)  # set for translation while the page is read
    elif isinstance(old, nodes.image):
        placed += ("candidates",)  # found by the image collector, from the uri
    mine = {k: v for k, v in old.attributes.items() if k not in placed and k != BLOCK}
    theirs = {k: v for k, v in new.attributes.items() if k not in placed and k != BLOCK}
    if mine != theirs or len(old.children) != len(new.children):
        return False
    return all(_texts(a, b, out) for a, b in zip(old.children, new.children, strict=True))


def _labels(made: list[nodes.Element]) -> list[str]:
    """Every id and name in ``made``, wherever transforms moved them; not docutils'
    own numbered ids (``id3``), which a scratch document does not give."""
    found = []
    for top in made:
        for node in top.findall(nodes.Element):
            found += [i for i in node["ids"] if not (i.startswith("id") and i[2:].isdigit())]
            found += node["names"]
    return sorted(found)


def patch(old: list[nodes.Element], new: list[nodes.Node]) -> list[tuple[nodes.Text, str]] | None:
    """The text replacements that turn ``old`` into ``new``; None if the shapes differ."""
    if len(old) != len(new) or not all(isinstance(n, nodes.Element) for n in new):
        return None
    elements = [n for n in new if isinstance(n, nodes.Element)]
    if _labels(old) != _labels(elements):
        return None
    out: list[tuple[nodes.Text, str]] = []
    for a, b in zip(old, elements, strict=True):
        if not _texts(a, b, out):
            return None
    return out


def _refresh_page(env: BuildEnvironment, docname: str, stale: list[int]) -> bool | None:
    """Refresh the ``stale`` blocks of ``docname`` in its stored doctree: True if their
    text changed (the page must be written), None if it did not (the edit does not
    show here), False if one of them changed shape (the page must be re-read)."""
    page = domain_of(env).blocks()[docname]
    path = Path(env.doctreedir) / f"{docname}.doctree"
    # Loaded and written directly, not through the environment's doctree cache: the
    # write phase must see the refreshed doctree.
    with path.open("rb") as f:
        doctree = pickle.load(f)
    edits: list[tuple[nodes.Text, str]] = []
    for k in stale:
        old = [n for n in doctree.findall(nodes.Element) if n.get(BLOCK) == k]
        for node in old:
            unpack(node)  # this block's table bodies only (see .packing)
        found = patch(old, render_again(env, docname, page[k]))
        if found is None:
            return False
        edits += found
    state = state_of(env)
    for k in stale:
        page[k].rendered(state)
    if not edits:
        return None
    for text, value in edits:
        text.parent.replace(text, nodes.Text(value))
    pack(doctree)  # what was unpacked
    with path.open("wb") as f:
        pickle.dump(doctree, f, pickle.HIGHEST_PROTOCOL)
    return True


#: Pages refreshed in this build (to be written), by doctree directory.
_REFRESHED: dict[Path, list[str]] = {}


def refresh_blocks(
    app: Sphinx, env: BuildEnvironment, added: Set[str], changed: Set[str], removed: Set[str]
) -> list[str]:
    """Refresh the blocks that show changed trials; the pages that must be re-read."""
    state = state_of(env)
    reread: list[str] = []
    refreshed: list[str] = []  # rendered again, and changed
    unchanged = 0  # rendered again, the same
    for docname, page in sorted(domain_of(env).blocks().items()):
        if docname in added or docname in changed or docname in removed:
            continue  # read anyway
        stale = [k for k, block in enumerate(page) if block.stale(state)]
        if not stale:
            continue
        done = _refresh_page(env, docname, stale)
        if done is None:
            unchanged += 1
        elif done:
            refreshed.append(docname)
        else:
            reread.append(docname)
    if refreshed or unchanged:
        logger.info(
            "trialbook: %d page(s) refreshed without re-reading them%s; %d unchanged",
            len(refreshed),
            f" ({', '.join(refreshed[:5])}{', …' if len(refreshed) > 5 else ''})"
            if refreshed
            else "",
            unchanged,
        )
    _REFRESHED[Path(env.doctreedir)] = refreshed
    return reread


def refreshed_pages(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """The refreshed pages, to be written again."""
    return _REFRESHED.pop(Path(env.doctreedir), [])


def setup_refresh(app: Sphinx) -> None:
    """Refresh blocks before pages are read; write what was refreshed."""
    app.connect("env-get-outdated", refresh_blocks)
    app.connect("env-get-updated", refreshed_pages)
