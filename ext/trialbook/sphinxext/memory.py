"""What a build holds in memory while it reads and writes, and what CPython's garbage
collector goes over.

A full collection visits every object the collector tracks, so its cost grows with
everything held; the collector runs one each time the objects that survived younger
collections reach a quarter of those it holds. At 100 trials the collector took about
20 s of a 62 s build (the static twin's: 21 s of 57 s), most of it in full
collections over two things that hardly change while pages are read and written:

* every page read so far. Sphinx keeps each page it read in memory until it writes it
  (``env._write_doc_doctree_cache``, since Sphinx 6.1, to save unpickling the page
  again; sphinx-doc/sphinx#11124 found it quadrupled the memory of the Linux kernel's
  documentation build). Each page is on disk once read: trialbook drops it from that
  cache as soon as the next page is read, and Sphinx unpickles it when it writes it.
* the page each role last ran on. A role is registered once (``app.add_role``, a
  domain's ``roles``) and called for every use; :class:`~sphinx.util.docutils.
  SphinxRole` keeps each call's ``inliner`` on itself, and the inliner holds the
  page, so the last page each role ran on stays alive until the role runs on another
  page: the handbook's front page (its table lists every trial) was held through
  most of a build. trialbook lets go of them once a page is read.
* the front page again, while pages are written: every HTML page lists the
  handbook's contents, which Sphinx finds by walking the whole root document
  (``env.master_doctree``, loaded once and kept), table cells and all, once per page
  written. trialbook gives the writer a root document that holds only the root's
  tables of contents, the only nodes that walk looks for (:func:`navigation_root`).
* the environment, the checked data and the modules. Before a build reads pages, and
  again before it writes them, trialbook collects once and then freezes what is left
  (:func:`gc.freeze`): later full collections pass over only what the build makes
  after that. Everything is unfrozen when the build ends (``build-finished``, which
  Sphinx emits on failure too), and garbage frozen with it is collected then.
* the page being made, while it is made. A page that lists every trial is, while
  its tables are built (until they are packed) and again while they are unpacked,
  resolved and written, most of what the collector tracks (at 300 trials 0.5 to 1
  million objects, against 40,000 for a trial page); everything in it is new and
  stays until the page is done, yet the collector went over all of it three to eight
  times per page, and over the data about fifteen times while it was loaded.
  trialbook holds full collections there (:func:`hold_full_collections`: the
  collector's third threshold; young collections go on, so short-lived garbage is
  still freed): while a directive renders, and on until its page is packed if it
  shows :data:`LARGE_SHOWN` trials or more; while a page whose packed rows exceed
  :data:`LARGE_PAGE` bytes is resolved and written, until the next page's first
  post-transform (the LaTeX writer's one document: until the build ends); and while
  the data is loaded. The full collection that was held comes as soon as the hold
  ends. Not in a parallel build (``-j``), where forked readers and writers would
  inherit a hold, and which took 1.17 times as long with it. At 300 trials the
  collector took 37.8 s instead of 58.9 s (119 full collections instead of 201) of a
  build of 148 s instead of 168 s, at 525 against 499 MB; at 100 trials, 3 builds
  each in turn, 0.93 of the time (52.6 against 56.5 s, 256 against 252 MB), and the
  LaTeX writer 0.77 (27.4 against 34.8 s, 637 against 633 MB); at 1000 trials 530.9
  against 635.1 s, 1,339 against 1,269 MB.

* the pages resolved and waiting for a writer, in a parallel build's main process.
  With ``-j N`` Sphinx resolves every page in the main process and hands them, in a
  few chunks, to N − 1 forked writers; the main process resolves ahead, and the pages
  it holds for the writers were most of what its full collections went over (at 100
  trials, ``-j 2``: 11 collections of up to 1.4 s while writing, 6 s in all, freeing
  almost nothing). Each page is frozen once resolved (the writers forked after that
  inherit it frozen), and the garbage among it is collected when the build ends: 31.1
  against 34.6 s, 423 against 410 MB at the peak (3 builds each in turn).

A build that reads no page (a no-op, an edit refreshed in place, a LaTeX build after
an HTML one) has made nothing worth a collection: it freezes without one when it
resolves its first page to write, which costs nothing, and holds what garbage there
was until the build ends (the LaTeX writer at 100 trials: 0.89 of the time, 677
against 646 MB). Nothing is frozen if the collector is
disabled or if something else froze objects first: whoever froze them unfreezes them.
The output is the same: the tests build with and without (``tests/sphinxext/
test_memory.py``). At 100 trials, interleaved, 3 builds each: 0.87 of the time of the
same build without this (44.9 against 51.6 s), with 265 against 325 MB at the peak;
0.95 of the static twin's time (40.9 against 41.7 s). Letting roles go of their last
page and writing against the root's tables of contents only: at 100 trials 0.945 of
the time (32.9 against 35.2 s, 4 builds each in turn) and 252 against 264 MB; at 1000
trials 429 s and 1,239 MB, against 658 s and 1,382 MB before.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import gc
import inspect
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from docutils import nodes
from docutils.parsers.rst import roles
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxRole

from .packing import packed_rows

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment

#: Did trialbook freeze objects in this process (for ``build-finished`` to undo)?
_frozen = False
#: Does the current build read pages? (set when reading starts)
_reading = False
#: Is a build on (from reading until ``build-finished``)? A page resolved outside one
#: (a tool asking the environment after the build) freezes nothing: nothing would
#: unfreeze it.
_building = False
#: The collector's thresholds while full collections wait (None: they do not wait).
_held: tuple[int, int, int] | None = None
#: May full collections wait in this build? Not with ``-j`` (see :func:`_starting`).
_may_hold = True
#: A page whose packed table rows take more bytes than this is resolved and written
#: with full collections held: at 300 trials the pages that list every trial have
#: 1.4 to 5.8 MB (5 to 19 KB a trial), a trial page 0.07 MB.
LARGE_PAGE = 1_000_000
#: A directive that shows this many trials or more holds full collections until its
#: page is packed (``doctree-read``): at 2,000 to 3,000 objects a trial while the
#: page is made, 50 trials are several times what else the collector goes over.
LARGE_SHOWN = 50
_NEVER = 2**31 - 1  # the largest threshold CPython takes (a C int)


def drop_cached_pages(env: BuildEnvironment) -> None:
    """Forget the pages Sphinx keeps in memory to write them: it reads each from disk."""
    cache = getattr(env, "_write_doc_doctree_cache", None)
    if isinstance(cache, dict):
        cache.clear()


def release_roles(env: BuildEnvironment) -> None:
    """Make every registered role let go of the page it last ran on (its ``inliner``)."""
    registered = [*getattr(roles, "_roles", {}).values()]  # app.add_role: docutils' registry
    for domain in env.domains.sorted():
        registered += domain.roles.values()
    for role in registered:
        if isinstance(role, SphinxRole):
            vars(role).pop("inliner", None)  # set again by the role's next call


def navigation_root(root: nodes.document) -> nodes.document:
    """A document with only the tables of contents of ``root``, in their order.

    Sphinx reads ``env.master_doctree`` only to find the root's ``toctree`` nodes,
    which it resolves into each page's navigation (sphinx.environment.adapters.
    toctree.global_toctree_for_doc, Sphinx 8.2 to 9): the navigation is the same.
    """
    navigation = nodes.document(root.settings, root.reporter, source=root.get("source"))
    navigation.extend(list(root.findall(addnodes.toctree)))  # moved, not copied
    return navigation


def _navigation(app: Sphinx, builder: Builder) -> None:
    if builder.format != "html":  # only HTML pages carry the navigation: no root to load
        return
    env = app.env
    declared = inspect.getattr_static(type(env), "master_doctree", None)
    if isinstance(declared, functools.cached_property) and "master_doctree" not in vars(env):
        vars(env)["master_doctree"] = navigation_root(env.get_doctree(env.config.root_doc))


def freeze(collect: bool = True) -> None:
    """Collect, then keep what is left out of later collections until :func:`unfreeze`."""
    global _frozen
    if not gc.isenabled() or (not _frozen and gc.get_freeze_count()):
        return
    if collect:
        gc.collect()
    gc.freeze()
    _frozen = True


def unfreeze() -> None:
    """Give back to the collector what :func:`freeze` kept out of it."""
    global _frozen
    if _frozen:
        gc.unfreeze()
        _frozen = False


def hold_full_collections() -> bool:
    """No full collection until :func:`release_full_collections`; young ones go on.

    True if this call started the hold (False: one was on already, or the collector
    is off). Python 3.14's collector, incremental, ignores the third threshold: there
    this changes nothing."""
    global _held
    threshold = gc.get_threshold()
    if _held is not None or not _may_hold or not gc.isenabled() or not threshold[0]:
        return False
    _held = threshold
    gc.set_threshold(threshold[0], threshold[1], _NEVER)
    return True


def release_full_collections() -> None:
    """Full collections resume, on the collector's own schedule: the first comes as
    soon as what survived young collections meanwhile warrants one."""
    global _held
    if _held is not None:
        gc.set_threshold(*_held)
        _held = None


@contextlib.contextmanager
def full_collections_held() -> Iterator[None]:
    """No full collection inside the block."""
    started = hold_full_collections()
    try:
        yield
    finally:
        if started:
            release_full_collections()


class HoldForLargePages(SphinxPostTransform):
    """Full collections wait while a large page is resolved and written."""

    default_priority = 0  # first: the rows are still packed (until doctree-resolved)

    def run(self, **kwargs: Any) -> None:
        release_full_collections()  # the page before is written
        size = sum(len(node["rows"]) for node in self.document.findall(packed_rows))
        if size > LARGE_PAGE:
            hold_full_collections()


def _starting(app: Sphinx) -> None:
    global _may_hold
    # With -j, pages are read and written by forked processes, which inherit whatever
    # hold is on when they start: at 100 trials, -j 2 took 53.3 s with holds against
    # 45.4 s without (3 builds each in turn), so a parallel build does not hold.
    _may_hold = app.parallel <= 1


def _before_reading(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    global _reading, _building
    _building = True
    _reading = bool(docnames)
    if _reading:
        freeze()


def _read(app: Sphinx, doctree: Any) -> None:
    drop_cached_pages(app.env)  # the pages before this one: Sphinx adds this one next
    release_roles(app.env)
    release_full_collections()  # the page's tables are packed


def _before_writing(app: Sphinx, env: BuildEnvironment) -> list[str]:
    drop_cached_pages(env)
    if _reading:
        freeze()
    return []


def _resolved(app: Sphinx, doctree: Any, docname: str) -> None:
    if not _building:
        return
    # A build that read nothing (LaTeX after HTML, an edit refreshed in place) freezes
    # at its first page. A parallel write freezes every page: the main process resolves
    # ahead of the writer, and the pages waiting are kept out of its full collections
    # (the writer it forks next inherits that).
    if not _frozen or getattr(app.builder, "parallel_ok", False):
        freeze(collect=False)


def _finished(app: Sphinx, exception: BaseException | None) -> None:
    global _reading, _may_hold, _building
    _reading = False
    _building = False
    _may_hold = True
    if app.env is not None:  # a long-lived environment loads its root again next time
        vars(app.env).pop("master_doctree", None)
    release_full_collections()
    unfreeze()


def _exiting() -> None:
    """The process ends: skip the collection CPython makes of every object as it shuts
    down, which frees nothing the system does not take back anyway.

    After a build the process holds all it read (at 100 trials 2.3 million objects
    after ``-j 2``); that last collection took 5.4 s of a 44 s build with ``-j 2``, and
    0.8 s with it skipped, measured from ``atexit`` to the end. Objects that are not
    garbage are still freed (files still flushed and closed); what Python leaves
    undone for cyclic garbage at exit is already not guaranteed
    (:meth:`object.__del__`)."""
    if gc.isenabled():
        gc.freeze()


def setup_memory(app: Sphinx) -> None:
    """Drop read pages from Sphinx's write cache; freeze what reading and writing keep."""
    atexit.unregister(_exiting)  # once per process, however many builds it runs
    atexit.register(_exiting)
    app.connect("builder-inited", _starting, priority=0)  # before the data loads (400)
    app.connect("env-before-read-docs", _before_reading, priority=900)
    app.connect("doctree-read", _read, priority=990)  # after packing (950)
    app.connect("env-updated", _before_writing, priority=990)  # after every other
    app.connect("write-started", _navigation)
    app.connect("doctree-resolved", _resolved, priority=990)
    app.connect("build-finished", _finished, priority=990)
    app.add_post_transform(HoldForLargePages)
