"""Each directive shows only the trial fields it declares in ``reads``.

A generated block is rendered again only when a field it reads changes (see
``trialbook.sphinxext.refresh``): a directive that used a field it did not declare
would keep showing that field's old value after an edit. So the whole handbook is
built with every undeclared field of every trial made unreadable while each
directive renders.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from docutils import nodes
from sphinx.testing.util import SphinxTestApp

from trialbook.model.records import Trial, TrialRecord
from trialbook.sphinxext import base
from trialbook.sphinxext.dataset import state_of
from trialbook.sphinxext.key_findings import KeyFindings
from trialbook.sphinxext.trial_summary import TrialSummary


class Undeclared(Exception):
    """A directive used a field it did not declare."""


class Unreadable:
    """A field a directive did not declare: any use of it is noted, and fails."""

    def __init__(self, seen: list[str], where: str) -> None:
        self._seen = seen
        self._where = where

    def _touch(self, *args: Any, **kwargs: Any) -> Any:
        self._seen.append(self._where)
        raise Undeclared(self._where)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._touch()

    def __repr__(self) -> str:
        return f"<unreadable {self._where}>"

    __iter__ = __len__ = __bool__ = __getitem__ = __contains__ = _touch
    __eq__ = __lt__ = __gt__ = __str__ = __format__ = _touch
    __hash__ = _touch


def _unreadable(trial: Trial, reads: frozenset[str], who: str, seen: list[str]) -> Trial:
    hidden = {
        name: Unreadable(seen, f"{who} read {trial.id}.{name}")
        for name in type(trial).model_fields
        if name not in reads
    }
    return trial.model_copy(update=hidden)


@pytest.fixture
def strict_reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[list[str], set[str]]]:
    """While a directive with ``reads`` renders, the other fields are unreadable.

    Yields the uses of undeclared fields and the directives that rendered so."""
    seen: list[str] = []
    rendered: set[str] = set()
    real = base.TrialbookDirective.run

    def run(self: base.TrialbookDirective) -> list[nodes.Node]:
        reads = type(self).reads
        if reads is None:
            return real(self)
        trials = state_of(self.env).dataset.trials
        saved = dict(trials)
        real_render = self.render

        def render() -> list[nodes.Node]:
            # Only while it renders: recording the block digests the real fields.
            trials.update(
                {
                    t: TrialRecord(_unreadable(r.trial, reads, type(self).__name__, seen), r.files)
                    for t, r in saved.items()
                }
            )
            try:
                return real_render()
            except Undeclared:
                return []  # noted: the build goes on, to find every other use
            finally:
                trials.update(saved)

        self.render = render  # type: ignore[method-assign]
        rendered.add(type(self).__name__)
        return real(self)

    monkeypatch.setattr(base.TrialbookDirective, "run", run)
    yield seen, rendered


def _declaring() -> set[str]:
    """Every directive class that declares the fields it reads."""
    found: set[str] = set()
    todo = [base.TrialbookDirective]
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.reads is not None and "test" not in cls.__module__:
            found.add(cls.__name__)
    return found


#: Where every declaring directive renders: the handbook, and the test roots
#: (their data has groups, failed trials, odd values the handbook's has not).
PROJECTS = ["handbook", *(f"test-{n}" for n in ("basic", "figures", "hostile", "roles", "tables"))]


def test_every_directive_reads_only_the_fields_it_declares(
    build: Callable[..., SphinxTestApp],
    handbook_copy: Path,
    rootdir: Path,
    tmp_path: Path,
    strict_reads: tuple[list[str], set[str]],
) -> None:
    """Every project is built with undeclared fields unreadable; together they render
    every directive that declares its fields."""
    seen, rendered = strict_reads
    for project in PROJECTS:
        if project == "handbook":
            srcdir = handbook_copy / "docs"
        else:
            srcdir = tmp_path / project
            shutil.copytree(rootdir / project, srcdir)
        build("html", srcdir)
        assert sorted(set(seen)) == [], project
    assert _declaring() == rendered


def test_an_undeclared_field_is_caught(
    build: Callable[..., SphinxTestApp],
    handbook_copy: Path,
    strict_reads: tuple[list[str], set[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The check above can fail: a summary that forgot the number of centres."""
    seen, _ = strict_reads
    monkeypatch.setattr(TrialSummary, "reads", TrialSummary.reads - {"centres"})
    monkeypatch.setattr(KeyFindings, "reads", frozenset({"id"}))
    build("html", handbook_copy / "docs")
    assert any(s.startswith("TrialSummary read ") and s.endswith(".centres") for s in seen)
    assert any(s.startswith("KeyFindings read ") for s in seen)
