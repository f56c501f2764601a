"""Generated trial pages: one Markdown page per trial file, kept in step with data/.

Pages are written into ``<srcdir>/<trialbook_pages_dir>/<id>.md`` at
``builder-inited`` (before Sphinx looks for sources), and only when their text
changes: rewriting would bump the mtime and make Sphinx re-read the page. A page
whose first line is not our marker belongs to an author and is never touched;
a generated page whose trial file is gone is removed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from .dataset import state_of

if TYPE_CHECKING:
    from sphinx.application import Sphinx

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
    for trial_id, text in wanted.items():
        path = folder / f"{trial_id}.md"
        if path.exists() and not is_generated(path):
            continue  # an author has taken this page over
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    for path in folder.glob("*.md"):
        if path.stem not in wanted and is_generated(path):
            path.unlink()


def setup_pages(app: Sphinx) -> None:
    """Generate pages after the dataset is loaded, before sources are found."""
    app.connect("builder-inited", sync_pages, priority=600)
