"""Shared fixtures: Sphinx's testing fixtures and our test roots."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docutils import nodes
from sphinx.testing.util import SphinxTestApp

pytest_plugins = ["sphinx.testing.fixtures"]

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent


@pytest.fixture(scope="session")
def rootdir() -> Path:
    """Where ``@pytest.mark.sphinx(testroot=...)`` finds ``roots/test-*``."""
    return TESTS / "roots"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A data directory with the real sources and interventions and no trials yet
    (core tests add one small trial and check what the loader says about it)."""
    root = (tmp_path / "data").resolve()
    (root / "trials").mkdir(parents=True)
    for name in ("sources.yaml", "interventions.yaml"):
        shutil.copy(REPO / "data" / name, root / name)
    return root


@pytest.fixture
def basic(tmp_path: Path) -> Path:
    """A copy of the ``test-basic`` root, for tests that change its pages."""
    shutil.copytree(TESTS / "roots" / "test-basic", tmp_path / "src")
    return tmp_path / "src"


@pytest.fixture
def handbook_copy(tmp_path: Path) -> Path:
    """A copy of the real ``docs/`` and ``data/`` (builds write generated pages)."""
    shutil.copytree(REPO / "docs", tmp_path / "docs", ignore=shutil.ignore_patterns("trials"))
    shutil.copytree(REPO / "data", tmp_path / "data")
    return tmp_path


@pytest.fixture
def build(make_app: Callable[..., SphinxTestApp]) -> Callable[..., SphinxTestApp]:
    """Build a project once and release Sphinx's global registries.

    Several builds of one project in one test (the incremental tests) need each
    app cleaned up before the next is made, or docutils warns that every node
    and directive is registered twice.
    """

    def run(buildername: str, srcdir: Path, **kwargs: Any) -> SphinxTestApp:
        app = make_app(buildername, srcdir=srcdir, **kwargs)
        try:
            app.build()
        finally:
            app.cleanup()
        return app

    return run


def spy_on(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, arg: int = 0) -> list[Any]:
    """The calls of ``owner.name`` from now on, each by its positional argument ``arg``,
    in order; every call still runs."""
    seen: list[Any] = []
    real = getattr(owner, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(args[arg])
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, spy)
    return seen


@pytest.fixture
def checked_trials(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The trials each load actually read and checked (cache misses), in order."""
    import trialbook.load.dataset

    return spy_on(monkeypatch, trialbook.load.dataset, "_check_trial_files")


def stored(app: SphinxTestApp, docname: str) -> nodes.document:
    """The doctree of ``docname`` as read, its table bodies unpacked as the first
    post-transform does (see :mod:`trialbook.sphinxext.packing`)."""
    from trialbook.sphinxext.packing import unpack

    doctree = app.env.get_doctree(docname)
    unpack(doctree)
    return doctree


def numbered(app: SphinxTestApp, docname: str) -> nodes.document:
    """The doctree of ``docname`` as read (unpacked), with each ``[n]`` filled in as
    resolving would.

    Source numbers are set when references are resolved; this shows them where the
    stored citations are (each ``trialbook-cite`` keeps the id it cites, for
    :func:`cited`), without making links, and keeps the other pending references.
    """
    from sphinx import addnodes

    from trialbook.sphinxext.dataset import state_of
    from trialbook.sphinxext.render import (
        CITES,
        LOCATOR,
        NUMBERED,
        Citing,
        cited_figure,
        figure_parts,
        show_number,
    )

    doctree = stored(app, docname)
    numbers = state_of(app.env).source_numbers
    for xref in doctree.findall(addnodes.pending_xref):
        if xref.get(NUMBERED) and xref["reftarget"] in numbers:
            content = xref[0]
            assert isinstance(content, nodes.Element)
            show_number(content, numbers[xref["reftarget"]], xref.get(LOCATOR))
    for node in list(doctree.findall(Citing)):
        shown: list[nodes.Node] = []
        if isinstance(node, cited_figure):
            shown = [figure_parts(node)]
        if CITES in node:
            mark = nodes.inline("", "", classes=["trialbook-cite"], **{CITES: node[CITES]})
            show_number(mark, numbers[node[CITES]], node.get(LOCATOR))
            if shown:
                assert isinstance(shown[0], nodes.Element)
                shown[0] += [nodes.Text(" "), mark]
            else:
                shown = [mark]
        node.replace_self(shown)
    return doctree


def cited(node: nodes.Node) -> list[str]:
    """The ids of the sources cited in ``node`` (stored, or shown by :func:`numbered`),
    in order."""
    from trialbook.sphinxext.render import CITES

    return [str(n[CITES]) for n in node.findall(nodes.Element) if CITES in n]


def written_files(app: SphinxTestApp) -> dict[Path, bytes]:
    """Every file a build wrote (not its doctrees or build info), by path in the output."""
    return {
        p.relative_to(app.outdir): p.read_bytes()
        for p in sorted(app.outdir.rglob("*"))
        if p.is_file() and ".doctrees" not in p.parts and p.name != ".buildinfo"
    }


def built_with_and_without(
    build: Callable[..., SphinxTestApp],
    root: Path,
    tmp_path: Path,
    builder: str,
    switch_off: Callable[[], None],
) -> tuple[SphinxTestApp, SphinxTestApp]:
    """Build a copy of ``root`` with ``builder``, then another copy after
    ``switch_off()`` (a monkeypatch that turns one mechanism off): the two apps."""
    apps = []
    for on in (True, False):
        project = tmp_path / ("with" if on else "without")
        shutil.copytree(root, project)
        if not on:
            switch_off()
        apps.append(build(builder, project))
    return apps[0], apps[1]
