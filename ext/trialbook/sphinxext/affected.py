"""Which pages a change to a data file touches: the build records it, this reads it.

Directives note their data as dependencies on per-file digest files (see
:mod:`.dataset`); the pickled environment of the last build holds those, page by
page, and the generated blocks each page shows (see :mod:`.refresh`).
``python -m trialbook affected data/trials/care-ms-i.yaml`` lists the pages a change
to that file re-reads or refreshes.
"""

from __future__ import annotations

import pickle
from pathlib import Path

from ..load.layout import CSV_SUFFIX, TRIALS_DIR
from .dataset import DIGEST_DIR, INTERVENTIONS, SHARED_DIGESTS, SHOWN_DIR, digest_path


def digest_name(data_file: Path) -> str | None:
    """The digest file that stands for ``data_file`` in the build's dependencies."""
    for name, filename in SHARED_DIGESTS.items():
        if data_file.name == filename:
            return name
    if data_file.parent.name == TRIALS_DIR:
        stem = data_file.name.removesuffix(CSV_SUFFIX).removesuffix(".yaml")
        return stem
    return None


def affected_pages(doctrees: Path, data_file: Path) -> list[str]:
    """The documents that a change to ``data_file`` makes the next build re-read, or
    refresh in place (see :mod:`.refresh`)."""
    name = digest_name(data_file)
    if name is None:
        raise ValueError(f"{data_file} is not a data file trialbook reads")
    env_file = doctrees / "environment.pickle"
    if not env_file.is_file():
        raise FileNotFoundError(f"no build in {doctrees}: build the handbook first")
    with env_file.open("rb") as f:
        env = pickle.load(f)
    target = digest_path(doctrees / DIGEST_DIR, name).resolve()
    srcdir = Path(env.srcdir)
    prose: set[str] = set()
    reread = {
        doc
        for doc, deps in env.dependencies.items()
        if any((srcdir / dep).resolve() == target for dep in deps)
    }
    # Generated blocks that show the trial are refreshed (or re-read) instead.
    blocks = env.domaindata.get("trial", {}).get("blocks", {})
    shown = {doc for doc, page in blocks.items() if any(name in b.trials for b in page)}
    # Prose that shows one of its values or names (see dataset.depend_on_shown).
    folder = (doctrees / DIGEST_DIR / SHOWN_DIR).resolve()
    keys: dict[Path, bool] = {}
    for doc, deps in env.dependencies.items():
        for dep in deps:
            path = (srcdir / dep).resolve()
            if path.parent != folder:
                continue
            if path not in keys:
                keys[path] = path.is_file() and _concerns(
                    doctrees / DIGEST_DIR, path.read_text(encoding="utf-8"), name
                )
            if keys[path]:
                prose.add(doc)
    return sorted(reread | shown | prose)


def _concerns(digest_dir: Path, text: str, name: str) -> bool:
    """Whether what a shown-value file stands for (its first line: ``val:<path>`` or
    ``name:<kind>:<target>``) comes from the data file whose digest is ``name``."""
    kind, _, rest = text.partition("\n")[0].partition(":")
    if kind == "name":
        rest = rest.partition(":")[2]
    head = rest.partition("@")[0].split("/")[0].split(".")[0]
    if name == INTERVENTIONS:  # a treatment's value: its id is no trial's
        return kind == "val" and not digest_path(digest_dir, head).is_file()
    return head == name
