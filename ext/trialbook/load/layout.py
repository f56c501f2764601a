"""Where a data directory keeps what: its files, found without reading them.

Kept apart from :mod:`.dataset` (which reads and checks them into models) so that
what only needs the layout (the digest of a whole directory, the pages a file
touches) does not import the models.
"""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import Code, Diagnostic, Severity

SHARED_FILES = ("sources.yaml", "interventions.yaml", "milestones.yaml")
TRIALS_DIR = "trials"
CSV_SUFFIX = ".adverse-events.csv"


def trial_files(root: Path) -> dict[str, tuple[Path, ...]]:
    """Trial id (file stem) → its files, without reading them."""
    out: dict[str, tuple[Path, ...]] = {}
    folder = root / TRIALS_DIR
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.yaml")):
        if outside(root, path) is not None:
            continue  # reported by stray_files()
        csv_path = path.with_name(path.stem + CSV_SUFFIX)
        with_csv = csv_path.is_file() and outside(root, csv_path) is None
        out[path.stem] = (path, csv_path) if with_csv else (path,)
    return out


def outside(root: Path, path: Path) -> Path | None:
    """Where ``path`` really is, if a symbolic link takes it out of ``root``."""
    if not path.is_symlink() and not path.exists():
        return None
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):  # a dangling link or a loop
        return path.resolve()
    return None if real.is_relative_to(root.resolve()) else real


def stray_files(root: Path) -> list[Diagnostic]:
    """Files that look like data but would not be read: say so, never ignore them."""
    out: list[Diagnostic] = []
    for path in sorted(root.glob("*.y*ml")):
        if path.name not in SHARED_FILES and path.suffix.lower() in (".yaml", ".yml"):
            out.append(
                Diagnostic(
                    path,
                    1,
                    1,
                    f"unknown data file {path.name!r}; expected {', '.join(SHARED_FILES)}, "
                    f"or a trial in {TRIALS_DIR}/",
                    severity=Severity.WARNING,
                )
            )
    folder = root / TRIALS_DIR
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        name = path.name
        if name.startswith("."):
            continue  # editors' and systems' own files
        if name.endswith(CSV_SUFFIX):
            if not path.with_name(name.removesuffix(CSV_SUFFIX) + ".yaml").is_file():
                message = "CSV of adverse events has no trial file beside it"
                out.append(Diagnostic(path, 1, 1, message))
        elif path.suffix != ".yaml":
            hint = (
                f"; rename it {path.stem}.yaml"
                if path.suffix.lower() in (".yml", ".yaml")
                else f"; trial files are <id>.yaml, tables <id>{CSV_SUFFIX}"
            )
            out.append(Diagnostic(path, 1, 1, f"this file is not read{hint}"))
    for path in [*(root / name for name in SHARED_FILES), *folder.glob("*")]:
        target = outside(root, path) if path.exists() or path.is_symlink() else None
        if target is not None:
            out.append(
                Diagnostic(
                    path,
                    1,
                    1,
                    f"is a link to {target}, outside the data folder; data files must "
                    "be inside it (copy the file in instead)",
                    code=Code.ENCODING,
                )
            )
    return out
