"""Generated trial pages: one Markdown page per trial file, kept in step with data/.

Pages are written into ``<srcdir>/<trialbook_pages_dir>/<id>.md`` at
``builder-inited`` (before Sphinx looks for sources), and only when their text
changes: rewriting would bump the mtime and make Sphinx re-read the page. A page
whose first line is not our marker belongs to an author and is never touched;
a generated page whose trial file is gone is removed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes

from .base import TrialbookDirective
from .dataset import state_of
from .downloads import TABLES
from .render import paragraph, trial_ref

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

MARKER = "<!-- trialbook: generated page"
_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")


def escape_markdown(text: str) -> str:
    """Escape every ASCII punctuation character, so data text stays literal in MyST."""
    return _PUNCT.sub(r"\\\1", " ".join(text.split()))


def render_page(
    trial_id: str,
    title: str,
    source_file: str,
    *,
    safety: bool = True,
    baseline: bool = False,
    extensions: bool = False,
    failed: bool = False,
) -> str:
    """The Markdown of a generated trial page: summary, arms, baseline characteristics,
    outcomes, adverse events, long-term results; a section only when the data has it.
    For a trial whose data failed, only the summary, which says so."""
    head = f"""{MARKER} from {source_file}. Do not edit: it is rewritten when the data
changes. To write this page by hand, delete this comment. -->

(trial-page-{trial_id})=
# {escape_markdown(title)}

```{{trial-summary}} {trial_id}
```
"""
    if failed:
        return head
    sections = [
        f"""
## Arms

```{{trial-arms}} {trial_id}
:name: arms-{trial_id}
```
"""
    ]
    if baseline:
        sections.append(
            f"""
## Baseline characteristics

```{{baseline-table}}
:trials: {trial_id}
:name: baseline-{trial_id}
```
"""
        )
    sections.append(
        f"""
## Outcomes

```{{outcome-table}}
:trials: {trial_id}
:role: all
:name: outcomes-{trial_id}
```
"""
    )
    if safety:
        sections.append(
            f"""
## Adverse events

```{{safety-table}}
:trials: {trial_id}
:name: safety-{trial_id}
```
"""
        )
    if extensions:
        sections.append(
            f"""
## Long-term results

```{{extension-table}}
:trials: {trial_id}
:name: extension-{trial_id}
```
"""
        )
    return head + "".join(sections)


def _title(text: str) -> str | None:
    """The page's title line (what the navigation shows)."""
    return next((line for line in text.splitlines() if line.startswith("# ")), None)


def is_generated(path: Path) -> bool:
    """Was ``path`` written by us (and so ours to rewrite or remove)?"""
    try:
        with path.open(encoding="utf-8") as f:
            return f.readline().startswith(MARKER)
    except (OSError, UnicodeDecodeError):
        return False


def sync_pages(app: Sphinx) -> None:
    """Write, update or remove generated trial pages to match the data."""
    if not app.config.trialbook_generate_pages:
        return
    dataset = state_of(app.env).dataset
    folder = Path(app.srcdir) / app.config.trialbook_pages_dir
    folder.mkdir(parents=True, exist_ok=True)
    wanted: dict[str, str] = {}
    for trial_id, record in dataset.trials.items():
        rel = record.files[0].relative_to(dataset.root.parent).as_posix()
        trial = record.trial
        wanted[trial_id] = render_page(
            trial_id,
            trial.name,
            rel,
            safety=bool(trial.adverse_events),
            baseline=bool(trial.baseline),
            extensions=bool(trial.extensions),
        )
    for trial_id, files in dataset.failed.items():
        rel = files[0].relative_to(dataset.root.parent).as_posix()
        wanted.setdefault(trial_id, render_page(trial_id, trial_id, rel, failed=True))
    written: set[str] = set()  # pages new or renamed
    removed: set[str] = set()
    for trial_id, text in wanted.items():
        path = folder / f"{trial_id}.md"
        if path.exists() and not is_generated(path):
            continue  # an author has taken this page over
        before = path.read_text(encoding="utf-8") if path.exists() else None
        if before != text:
            path.write_text(text, encoding="utf-8")
            if before is None or _title(before) != _title(text):
                written.add(trial_id)  # a new entry in the navigation, or a new name
    for path in folder.glob("*.md"):
        if path.stem not in wanted and is_generated(path):
            path.unlink()
            removed.add(path.stem)
    pages_dir = Path(app.config.trialbook_pages_dir).as_posix()
    _CHANGED[Path(app.srcdir)] = (
        {f"{pages_dir}/{t}" for t in written},
        {f"{pages_dir}/{t}" for t in removed},
    )


#: Generated pages written and removed in this build, by source directory.
_CHANGED: dict[Path, tuple[set[str], set[str]]] = {}


def _remove_output(app: Sphinx, env: BuildEnvironment, *docs: set[str]) -> set[str]:
    """Delete what earlier builds wrote for the generated pages removed now: a site
    must not go on serving the page (and the tables) of a trial that is gone."""
    removed = _CHANGED.get(Path(app.srcdir), (set(), set()))[1]
    outdir = Path(app.outdir)
    for docname in removed:
        files = [outdir / "_sources" / f"{docname}.md.txt"]
        outfile = getattr(app.builder, "get_outfilename", None)
        if outfile is not None:
            files.append(Path(outfile(docname)))
        files += (outdir / TABLES).glob(f"{docname.replace('/', '-')}-table-*.csv")
        for file in files:
            file.unlink(missing_ok=True)
    return set()


def _whole_navigation(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Every page, to be written again (not re-read) when a trial page came, went or was
    renamed: each page's navigation lists the trial pages, and Sphinx writes only the
    pages it re-read, so the others would keep a stale list."""
    written, removed = _CHANGED.get(Path(app.srcdir), (set(), set()))
    if not (written or removed) or app.builder.format != "html":
        return []
    return sorted(env.found_docs)


class TrialPages(TrialbookDirective):
    """The trial pages, in the table of contents: ``trial-pages``.

    As a ``toctree`` of every trial's page (generated or hand-written) in trial-id
    order. With more trials than ``trialbook_navigation_limit`` (or the
    ``:navigation:`` option), the HTML navigation, which every page of the site
    repeats, would grow with the number of trials, and the build with its square:
    the toctree is then kept for the other builders (the PDF has every trial as a
    chapter section) and the HTML page lists the trials as links instead.
    """

    reads = frozenset({"id", "name"})

    has_content = False
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        "navigation": directives.nonnegative_int,
        "maxdepth": directives.nonnegative_int,
    }

    def render(self) -> list[nodes.Node]:
        """A toctree, or a toctree for print and a list of links for HTML."""
        dataset = self.data.dataset
        folder = Path(self.config.trialbook_pages_dir).as_posix()
        ids = sorted({*dataset.trials, *dataset.failed})
        self.depend_on(ids, all_trials=True)  # the set, and the names the links show
        docs = [(t, f"{folder}/{t}") for t in ids if f"{folder}/{t}" in self.env.found_docs]
        toctree = addnodes.toctree(
            parent=self.env.docname,
            entries=[(None, doc) for _, doc in docs],
            includefiles=[doc for _, doc in docs],
            maxdepth=self.options.get("maxdepth", 1),
            caption=None,
            glob=False,
            hidden=False,
            includehidden=False,
            numbered=0,
            titlesonly=False,
        )
        wrapper = nodes.compound("", toctree, classes=["toctree-wrapper"])
        limit = self.options.get("navigation", self.config.trialbook_navigation_limit)
        if len(docs) <= limit:
            return [wrapper]
        listing = nodes.bullet_list(classes=["trialbook-trial-pages"])
        for trial_id, _ in docs:
            ref = (
                trial_ref(dataset.trial(trial_id))
                if trial_id in dataset.trials
                else nodes.Text(trial_id)
            )
            listing += nodes.list_item("", paragraph(ref))
        in_html = addnodes.only("", listing, expr="format_html")
        elsewhere = addnodes.only("", wrapper, expr="not format_html")
        toctree[OFF_NAVIGATION] = True  # see _off_navigation
        return [in_html, elsewhere]


#: Attribute of a ``trial-pages`` toctree that the navigation must not show.
OFF_NAVIGATION = "trialbook_off_navigation"


def _off_navigation(app: Sphinx, doctree: nodes.document) -> None:
    """Take a ``trial-pages`` toctree past the limit out of the page's entry in the
    navigation (``env.tocs``), after Sphinx's collector put it there.

    Its ``only`` wrapper is not enough: with ``titles_only`` (furo's navigation)
    Sphinx lifts every toctree out of its ``only`` node before it filters them. The
    toctree stays in the page itself, for the PDF and for the reading order.
    """
    toc = app.env.tocs.get(app.env.docname)
    if toc is None:
        return
    for node in list(toc.findall(addnodes.toctree)):
        if node.get(OFF_NAVIGATION):
            parent = node.parent
            parent.remove(node)
            if isinstance(parent, addnodes.only) and not parent.children:
                parent.parent.remove(parent)


def setup_pages(app: Sphinx) -> None:
    """Generate pages after the dataset is loaded, before sources are found."""
    app.connect("builder-inited", sync_pages, priority=600)
    app.add_directive("trial-pages", TrialPages)
    app.connect("doctree-read", _off_navigation, priority=900)  # after the toctree collector
    app.connect("env-get-outdated", _remove_output)
    app.connect("env-get-updated", _whole_navigation)
