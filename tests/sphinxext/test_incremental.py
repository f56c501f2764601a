"""Builds that stay exact: no-op rebuilds, edits, touches, additions, -j 2.

Modelled on sphinxcontrib-bibtex's test_bibfiles.py and test_parallel.py: we
record which documents each build re-reads and compare with what must be.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable

    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.testing.util import SphinxTestApp

ROOT = Path(__file__).parent.parent / "roots" / "test-basic"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT, tmp_path / "src")
    return tmp_path / "src"


@pytest.fixture
def reread(
    make_app: Callable[..., SphinxTestApp],
) -> Callable[[Path], set[str]]:
    """Build ``srcdir`` once more and return the set of documents Sphinx read."""

    def run(srcdir: Path) -> set[str]:
        read: set[str] = set()

        def record(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
            read.update(docnames)

        app = make_app("html", srcdir=srcdir)
        app.connect("env-before-read-docs", record)
        try:
            app.build()
            assert "WARNING" not in app.warning.getvalue(), app.warning.getvalue()
        finally:
            app.cleanup()
        return read

    return run


ALL = {"index", "other", "sources", "trials/alpha", "trials/beta"}


def _touch_later(path: Path) -> None:
    """Bump the mtime past the last build (file systems have coarse clocks)."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))


def test_noop_rebuild_reads_nothing(reread: Callable[[Path], set[str]], project: Path) -> None:
    assert reread(project) == ALL
    assert reread(project) == set()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    _touch_later(path)


@pytest.fixture
def clean_html(
    make_app: Callable[..., SphinxTestApp], tmp_path: Path
) -> Callable[[Path], dict[str, bytes]]:
    """The HTML of a clean build of a copy of ``project`` as it is now."""

    def run(project: Path) -> dict[str, bytes]:
        copy = tmp_path / f"clean-{len(list(tmp_path.glob('clean-*')))}"
        shutil.copytree(project, copy, ignore=shutil.ignore_patterns("_build"))
        app = make_app("html", srcdir=copy)
        try:
            app.build()
        finally:
            app.cleanup()
        return _html_files(app.outdir)

    return run


def _same_as_clean(project: Path, clean: dict[str, bytes]) -> list[str]:
    """Pages whose HTML differs from the clean build's (searchindex.js differs after
    any rebuild, with or without trialbook: see test_reproducible)."""
    built = _html_files(project / "_build" / "html")
    names = (built.keys() | clean.keys()) - {"searchindex.js"}
    return sorted(n for n in names if built.get(n) != clean.get(n))


def test_editing_a_trial_refreshes_its_users_without_rereading(
    rebuild: Callable[[Path], tuple[set[str], set[str]]],
    clean_html: Callable[[Path], dict[str, bytes]],
    project: Path,
) -> None:
    """An edit that changes only data text re-reads nothing: the generated blocks that
    show the trial are rendered again and their pages written (see refresh.py)."""
    rebuild(project)
    _edit(project / "data/trials/beta.yaml", "Open label.", "Open-label.")
    # Rendered again: beta's page, the page with a table of beta only, the page with a
    # table of all, and the source list (it lists which values cite each source).
    # Written: those that show the design (the others are unchanged).
    assert rebuild(project) == (set(), {"trials/beta", "index"})
    assert "Open-label." in (project / "_build/html/trials/beta.html").read_text(encoding="utf-8")
    assert _same_as_clean(project, clean_html(project)) == []
    _edit(project / "data/trials/alpha.yaml", "Double-blind.", "Masked.")
    assert rebuild(project) == (set(), {"trials/alpha", "index"})
    assert _same_as_clean(project, clean_html(project)) == []


@pytest.fixture
def rendered_again(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The blocks (page, directive) each rebuild renders again to refresh them."""
    from trialbook.sphinxext import refresh

    seen: list[tuple[str, str]] = []
    real = refresh.render_again

    def spy(env: BuildEnvironment, docname: str, block: refresh.Block) -> list[Any]:
        seen.append((docname, block.name))
        return real(env, docname, block)

    monkeypatch.setattr(refresh, "render_again", spy)
    return seen


def test_only_the_blocks_that_read_an_edited_field_are_rendered_again(
    rebuild: Callable[[Path], tuple[set[str], set[str]]],
    clean_html: Callable[[Path], dict[str, bytes]],
    rendered_again: list[tuple[str, str]],
    project: Path,
) -> None:
    """Each directive declares the trial fields it reads (``reads``; test_reads holds
    it to that): the outcome tables do not show the design, so a new design leaves
    them alone; the source list reads every field (it counts what cites a source)."""
    rebuild(project)
    _edit(project / "data/trials/beta.yaml", "Open label.", "Open-label.")
    assert rebuild(project) == (set(), {"trials/beta", "index"})
    assert sorted(rendered_again) == [("sources", "source-list"), ("trials/beta", "trial-summary")]
    assert _same_as_clean(project, clean_html(project)) == []

    rendered_again.clear()
    _edit(
        project / "data/trials/beta.yaml", "{n: 30, N: 45, value: 67", "{n: 31, N: 45, value: 69"
    )
    read, written = rebuild(project)
    assert read == set()
    assert {"trials/beta", "index", "other"} <= written
    assert sorted(rendered_again) == [
        ("index", "outcome-table"),
        ("other", "outcome-table"),
        ("sources", "source-list"),
        ("trials/beta", "outcome-table"),
        ("trials/beta", "trial-summary"),  # it names the primary endpoints
    ]
    assert "69%" in (project / "_build/html/other.html").read_text(encoding="utf-8")
    assert _same_as_clean(project, clean_html(project)) == []


@pytest.fixture
def roles_project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT.parent / "test-roles", tmp_path / "roles")
    return tmp_path / "roles"


def test_prose_is_read_again_only_when_a_value_or_name_it_shows_changes(
    rebuild: Callable[[Path], tuple[set[str], set[str]]],
    clean_html: Callable[[Path], dict[str, bytes]],
    roles_project: Path,
) -> None:
    """A ``val`` or ``trial`` role depends on what it shows, not on its trial's whole
    file: ``values`` cites beta's centres, ``refs`` names beta; neither shows its
    design."""
    project = roles_project
    rebuild(project)
    beta = project / "data/trials/beta.yaml"
    _edit(beta, "Open label.", "Open-label.")
    read, _ = rebuild(project)
    assert read == set()
    _edit(beta, "centres: 12", "centres: 13")
    read, _ = rebuild(project)
    assert read == {"values"}
    assert "13" in (project / "_build/html/values.html").read_text(encoding="utf-8")
    assert _same_as_clean(project, clean_html(project)) == []
    _edit(beta, "name: BETA", "name: BETA-2")
    read, _ = rebuild(project)
    assert "refs" in read and "values" not in read
    assert "BETA-2" in (project / "_build/html/refs.html").read_text(encoding="utf-8")
    assert _same_as_clean(project, clean_html(project)) == []


def test_a_value_that_prose_names_before_it_exists_is_read_again_when_it_does(
    rebuild: Callable[[Path], tuple[set[str], set[str]]], roles_project: Path
) -> None:
    project = roles_project
    values = project / "values.md"
    values.write_text(
        values.read_text(encoding="utf-8") + "- later: {val}`beta.duration`\n", encoding="utf-8"
    )
    rebuild(project)  # warns: beta reports no duration
    beta = project / "data/trials/beta.yaml"
    _edit(beta, "centres: 12", "duration: Two years.\ncentres: 12")
    read, _ = rebuild(project)
    assert read == {"values", "trials/beta"}  # (its summary has a new line: a new shape)
    assert "Two years." in (project / "_build/html/values.html").read_text(encoding="utf-8")


def test_the_file_of_a_value_no_page_shows_any_more_is_removed(
    rebuild: Callable[[Path], tuple[set[str], set[str]]], roles_project: Path
) -> None:
    from trialbook.sphinxext.dataset import DIGEST_DIR, shown_file

    project = roles_project
    rebuild(project)
    path = shown_file(project / "_build" / "doctrees" / DIGEST_DIR, "val:beta.centres")
    assert path.is_file()
    values = project / "values.md"
    # (Written now, not later: a page newer than its reading is read again.)
    values.write_text(
        values.read_text(encoding="utf-8").replace("- centres: {val}`beta.centres`\n", ""),
        encoding="utf-8",
    )
    assert rebuild(project)[0] == {"values"}
    assert rebuild(project)[0] == set()  # the page no longer depends on it: removed
    assert not path.is_file()
    assert rebuild(project)[0] == set()


def test_shown_values_are_computed_again_only_for_new_data_or_code(
    rebuild: Callable[[Path], tuple[set[str], set[str]]],
    roles_project: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A build whose data and code are those the shown-value files were made from
    computes none of them again; new data or a new version computes each."""
    import trialbook.sphinxext.dataset as dataset
    from conftest import spy_on

    project = roles_project
    rebuild(project)
    computed = spy_on(monkeypatch, dataset, "_shown_text", arg=1)  # by key
    assert rebuild(project)[0] == set()
    assert computed == []
    _edit(project / "data/trials/beta.yaml", "Open label.", "Open-label.")
    assert rebuild(project)[0] == set()  # the design is not shown in prose
    assert "val:beta.centres" in computed
    computed.clear()
    monkeypatch.setattr(dataset, "code_digest", lambda: "another version")
    assert rebuild(project)[0] == set()
    assert "val:beta.centres" in computed
    computed.clear()
    assert rebuild(project)[0] == set()
    assert computed == []


def test_an_edit_that_changes_a_blocks_shape_rereads_its_page(
    rebuild: Callable[[Path], tuple[set[str], set[str]]],
    clean_html: Callable[[Path], dict[str, bytes]],
    project: Path,
) -> None:
    """A new outcome adds a row, a target and an index entry: what is recorded when a
    page is read (numbering, labels, the index) changes, so the page is read again."""
    rebuild(project)
    beta = project / "data/trials/beta.yaml"
    text = beta.read_text(encoding="utf-8")
    responders = text[text.index("  - id: responders") :]  # the last outcome, to the end
    second = responders.replace("id: responders", "id: responders-2")
    beta.write_text(text + second.replace("Responders", "Responders at 2 years"), encoding="utf-8")
    _touch_later(beta)
    read, _ = rebuild(project)
    assert {"trials/beta", "other", "index"} <= read
    assert "outcome-beta-responders-2" in (project / "_build/html/other.html").read_text(
        encoding="utf-8"
    )
    assert _same_as_clean(project, clean_html(project)) == []


def test_touching_without_change_rereads_nothing(
    reread: Callable[[Path], set[str]], project: Path
) -> None:
    reread(project)
    for path in (project / "data").rglob("*.yaml"):
        _touch_later(path)
    assert reread(project) == set()


@pytest.fixture
def rebuild(
    make_app: Callable[..., SphinxTestApp],
) -> Callable[[Path], tuple[set[str], set[str]]]:
    """Build ``srcdir`` once more: the documents Sphinx re-read, and those it wrote."""

    def run(srcdir: Path) -> tuple[set[str], set[str]]:
        read: set[str] = set()
        written: set[str] = set()

        def record_read(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
            read.update(docnames)

        def record_written(app: Sphinx, docname: str, *args: object) -> None:
            written.add(docname)

        app = make_app("html", srcdir=srcdir)
        app.connect("env-before-read-docs", record_read)
        app.connect("html-page-context", record_written)
        try:
            app.build()
        finally:
            app.cleanup()
        return read, written & ALL

    return run


def _cited_numbers(project: Path, page: str, source: str) -> set[str]:
    """The ``[n]`` texts of the links from ``page`` to ``source``'s entry."""
    html = (project / "_build/html" / f"{page}.html").read_text(encoding="utf-8")
    pattern = rf'href="[^"]*#source-{source}"[^>]*>\s*<span[^>]*>\[(\d+)\]'
    return set(re.findall(pattern, html))


def test_editing_a_citation_rewrites_citing_pages_without_rereading(
    rebuild: Callable[[Path], tuple[set[str], set[str]]], project: Path
) -> None:
    rebuild(project)
    sources = project / "data/sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace("J Test", "J Tests"))
    _touch_later(sources)
    read, written = rebuild(project)
    assert read == {"sources"}
    # Every page with an [n] marker is written again: the marker's hover text changed.
    assert written == ALL
    html = (project / "_build/html/trials/alpha.html").read_text(encoding="utf-8")
    assert "J Tests 2020" in html


def test_adding_a_source_renumbers_markers_without_rereading(
    rebuild: Callable[[Path], tuple[set[str], set[str]]], project: Path
) -> None:
    rebuild(project)
    assert _cited_numbers(project, "trials/alpha", "paper-a") == {"1"}
    sources = project / "data/sources.yaml"
    new = (
        "sources:\n  - id: paper-0\n    kind: journal-article\n"
        "    citation: Author Z. An earlier paper. J Test 2019;1:1.\n"
    )
    sources.write_text(sources.read_text(encoding="utf-8").replace("sources:\n", new, 1))
    _touch_later(sources)
    read, written = rebuild(project)
    # Only the source list is read again; the pages that cite a source whose
    # number moved are written again with the new numbers.
    assert read == {"sources"}
    assert {"trials/alpha", "trials/beta", "index", "other"} <= written
    assert _cited_numbers(project, "trials/alpha", "paper-a") == {"2"}
    assert _cited_numbers(project, "trials/beta", "paper-b") == {"3"}
    entries = (project / "_build/html/sources.html").read_text(encoding="utf-8")
    assert entries.index('id="source-paper-0"') < entries.index('id="source-paper-a"')
    # A second build changes nothing.
    assert rebuild(project) == (set(), set())


def test_adding_and_removing_a_trial(reread: Callable[[Path], set[str]], project: Path) -> None:
    reread(project)
    gamma = project / "data/trials/gamma.yaml"
    text = (project / "data/trials/beta.yaml").read_text(encoding="utf-8")
    gamma.write_text(text.replace("id: beta", "id: gamma").replace("BETA", "GAMMA"))
    # The new page, the page whose table shows every trial (and lists trials/*), and
    # the source list.
    assert reread(project) == {"trials/gamma", "index", "sources"}
    gamma.unlink()
    assert reread(project) == {"index", "sources"}
    assert not (project / "trials/gamma.md").exists()


def _gamma(project: Path) -> Path:
    gamma = project / "data/trials/gamma.yaml"
    text = (project / "data/trials/beta.yaml").read_text(encoding="utf-8")
    gamma.write_text(text.replace("id: beta", "id: gamma").replace("BETA", "GAMMA"))
    return gamma


def test_a_new_trial_page_reaches_every_pages_navigation(
    rebuild: Callable[[Path], tuple[set[str], set[str]]], project: Path
) -> None:
    """Sphinx writes only the pages it re-read; trialbook knows that a trial page came
    or went, so it has every page written again (not re-read): their navigation lists
    it. A removed trial's page and tables leave the site."""
    with (project / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('html_sidebars = {"**": ["globaltoc.html"]}\n')  # every page lists all
    rebuild(project)
    _gamma(project)
    read, written = rebuild(project)
    assert read == {"trials/gamma", "index", "sources"}
    assert written == ALL  # every page, "other" (which shows no trial) included
    html = project / "_build" / "html"
    assert 'href="trials/gamma.html"' in (html / "other.html").read_text(encoding="utf-8")
    assert list((html / "_tables").glob("trials-gamma-table-*.csv"))
    (project / "data/trials/gamma.yaml").unlink()
    read, written = rebuild(project)
    assert written == ALL
    assert 'href="trials/gamma.html"' not in (html / "other.html").read_text(encoding="utf-8")
    assert not (html / "trials" / "gamma.html").exists()
    assert not (html / "_sources" / "trials" / "gamma.md.txt").exists()
    assert not list((html / "_tables").glob("trials-gamma-table-*.csv"))


def _html_files(outdir: Path) -> dict[str, bytes]:
    return {
        p.relative_to(outdir).as_posix(): p.read_bytes()
        for p in sorted(outdir.rglob("*"))
        if p.is_file() and p.suffix in (".html", ".js") and ".doctrees" not in p.parts
    }


def test_parallel_build_equals_serial(
    make_app: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    outputs = []
    for jobs in (0, 2):
        src = tmp_path / f"src-{jobs}"
        shutil.copytree(ROOT, src)
        app = make_app("html", srcdir=src, parallel=jobs)
        try:
            app.build()
            warnings = app.warning.getvalue()
        finally:
            app.cleanup()
        assert "parallel" not in warnings and "WARNING" not in warnings, warnings
        outputs.append(_html_files(app.outdir))
    serial, parallel = outputs
    assert serial.keys() == parallel.keys()
    different = [name for name in serial if serial[name] != parallel[name]]
    assert not different


def test_rebuild_checks_only_edited_trials(
    reread: Callable[[Path], set[str]], project: Path, checked_trials: list[str]
) -> None:
    """Checked trials are cached by content: a rebuild reads only what changed."""
    checked = checked_trials
    reread(project)
    assert sorted(checked) == ["alpha", "beta"]
    checked.clear()
    reread(project)
    assert checked == []
    beta = project / "data/trials/beta.yaml"
    beta.write_text(beta.read_text(encoding="utf-8").replace("Open label.", "Open-label."))
    _touch_later(beta)
    reread(project)
    assert checked == ["beta"]


def test_affected_lists_the_pages_a_data_file_touches(
    reread: Callable[[Path], set[str]], project: Path
) -> None:
    """``trialbook affected`` reads the build's own dependencies and blocks: the pages
    it lists are the ones the next build re-reads or refreshes after the file changes."""
    from trialbook.sphinxext.affected import affected_pages

    reread(project)
    doctrees = project / "_build" / "doctrees"
    beta = project / "data/trials/beta.yaml"
    listed = set(affected_pages(doctrees, beta))
    assert listed == {"trials/beta", "other", "index", "sources"}
    assert affected_pages(doctrees, project / "data/sources.yaml") == ["sources"]


def test_affected_lists_the_prose_that_shows_a_trials_values(
    reread: Callable[[Path], set[str]], roles_project: Path
) -> None:
    from trialbook.sphinxext.affected import affected_pages

    reread(roles_project)
    doctrees = roles_project / "_build" / "doctrees"
    listed = set(affected_pages(doctrees, roles_project / "data/trials/beta.yaml"))
    assert {"values", "refs", "trials/beta"} <= listed


def test_the_dataset_download_follows_the_data(
    rebuild: Callable[[Path], tuple[set[str], set[str]]], project: Path
) -> None:
    """The JSON of the whole dataset is written when the data changed, not on every
    build (encoding it cost 1 s of each no-op build at 100 trials)."""
    from trialbook.sphinxext.downloads import DATASET

    rebuild(project)
    dataset = project / "_build" / "html" / DATASET
    first = dataset.stat().st_mtime_ns
    rebuild(project)
    assert dataset.stat().st_mtime_ns == first
    beta = project / "data/trials/beta.yaml"
    beta.write_text(beta.read_text(encoding="utf-8").replace("Open label.", "Open-label."))
    _touch_later(beta)
    rebuild(project)
    assert "Open-label." in dataset.read_text(encoding="utf-8")
    dataset.unlink()
    rebuild(project)
    assert "Open-label." in dataset.read_text(encoding="utf-8")


def test_an_edit_that_redraws_a_figure_rereads_its_page(
    rebuild: Callable[[Path], tuple[set[str], set[str]]],
    clean_html: Callable[[Path], dict[str, bytes]],
    tmp_path: Path,
) -> None:
    """A figure is drawn when its page is read (the image collector records its files):
    an edit to a plotted value gives a new figure, so the page is re-read."""
    project = tmp_path / "figures"
    shutil.copytree(ROOT.parent / "test-figures", project)
    rebuild(project)
    _edit(project / "data/trials/north.yaml", "value: 0.45, ci", "value: 0.47, ci")
    read, _ = rebuild(project)
    assert "index" in read
    assert _same_as_clean(project, clean_html(project)) == []
