"""A content-addressed cache of checked data, so unchanged data is not re-read.

Reading, validating and checking a trial costs a couple of milliseconds; a data
set of a thousand trials would cost seconds on every build although authors
change one file at a time. The outcome of a trial (its model, its diagnostics and
the sources it cites) depends only on

* the bytes of its files, and their paths (diagnostics name them);
* the ids of the sources and interventions it may refer to;
* the code that reads and checks it (this package, pydantic, PyYAML, Python).

The cache key is a digest of exactly these, so an entry can never be stale: any
change gives a new key. A whole load is cached the same way, keyed by
:func:`folder_digest` (every file the load reads, and what the folders hold): with
no change at all, a load is one file read, not one per trial with the shared files
read, validated and checked again (see :func:`~trialbook.load.dataset.load_dataset`).

Entries are pickles in a folder the build owns (Sphinx's
doctree directory), with the same trust as Sphinx's own pickled environment. A
missing, truncated or unreadable entry is a miss, never an error; entries are
written atomically, so parallel builds may share the folder; entries the last load
did not use are removed, so the folder holds one entry per trial and one whole load.
"""

from __future__ import annotations

import contextlib
import decimal
import hashlib
import os
import pickle
import platform
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pydantic
import yaml

from .layout import SHARED_FILES, TRIALS_DIR

#: Bump when an entry's shape changes (the code digest covers the rest).
FORMAT = 1
#: The package whose every module (in every subfolder) is in the code digest.
PACKAGE = Path(__file__).resolve().parent.parent
#: The kinds of entry, by the end of their file names.
TRIAL, LOAD, SUMMARY = ".trial.pickle", ".load.pickle", ".summary.pickle"
_KINDS = (TRIAL, LOAD, SUMMARY)


def _code_digest() -> str:
    h = hashlib.blake2b(digest_size=16)
    versions = (
        FORMAT,
        platform.python_implementation(),
        platform.python_version(),
        pydantic.VERSION,
        yaml.__version__,
        yaml.__with_libyaml__,  # the full reader's messages depend on it
    )
    h.update("|".join(map(str, versions)).encode())
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_bytes()
        name = path.relative_to(PACKAGE).as_posix()
        h.update(f"{name}\0{len(source)}\0".encode() + source)
    return h.hexdigest()


# Taken when the package is imported, together with the modules it describes, so
# that a long-lived process whose files are edited later keeps its own digest.
_CODE_DIGEST = _code_digest()


def code_digest() -> str:
    """A digest of the code that reads and checks data: this package's modules."""
    return _CODE_DIGEST


def file_digest(paths: Iterable[Path]) -> str:
    """A digest of the files' paths and bytes, each framed by its length.

    Framing keeps two different sets of files from ever feeding the hash the same
    bytes (one file cannot imitate a path and another file), and a missing or
    unreadable file has its own mark, which no content can imitate.
    """
    h = hashlib.blake2b(digest_size=16)
    for path in paths:
        name = str(path).encode()
        h.update(b"P%d:" % len(name) + name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            h.update(b"E%d" % (exc.errno or 0))
        else:
            h.update(b"F%d:" % len(data) + data)
    return h.hexdigest()


def arithmetic() -> str:
    """The decimal context the consistency checks compute in: part of every key."""
    decimals = decimal.getcontext()
    return f"decimal={decimals.prec},{decimals.rounding}"


def folder_digest(root: Path) -> str:
    """A digest of all a load of the data directory ``root`` looks at: the entries of
    ``root`` and of its trials folder (names, kinds, where links lead), and the bytes
    of the shared files and of every file in the trials folder. With the same code
    (:func:`code_digest`), equal digests give equal loads."""
    h = hashlib.blake2b(digest_size=16)
    name = str(root).encode()
    h.update(b"R%d:" % len(name) + name)
    read = [root / shared for shared in SHARED_FILES]
    for folder in (root, root / TRIALS_DIR):
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:  # no such folder (or unreadable): its own mark
            h.update(b"E%d" % (exc.errno or 0))
            continue
        h.update(b"D")
        for entry in entries:
            link = os.path.realpath(entry.path) if entry.is_symlink() else ""
            kind = "d" if entry.is_dir() else "f" if entry.is_file() else "o"
            text = f"{entry.name}\0{kind}\0{link}".encode()
            h.update(b"N%d:" % len(text) + text)
            if folder != root and kind == "f":
                read.append(Path(entry.path))
    h.update(file_digest(read).encode())
    return h.hexdigest()


class TrialCache:
    """Outcomes of checked trials (and whole loads) by key; a no-op without a folder."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.used: set[str] = set()
        #: trials found and not found
        self.hits = 0
        self.misses = 0
        if folder is not None:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError:
                self.folder = None  # an unwritable build directory: work without

    def key(self, context: str, digest: str) -> str:
        """The key of a trial whose files have ``digest``, checked against ``context``."""
        h = hashlib.blake2b(digest_size=20)
        h.update(f"{code_digest()}|{context}|{digest}".encode())
        return h.hexdigest()

    def load_key(self, root: Path) -> str:
        """The key of a whole load of the data directory ``root`` (resolved)."""
        return self.key(f"load|{arithmetic()}", folder_digest(root))

    def get(self, key: str, kind: str = TRIAL) -> Any | None:
        """The stored outcome, or None (absent, or unreadable: then it is recomputed)."""
        if self.folder is None:
            return None
        self.used.add(key + kind)
        try:
            outcome = pickle.loads((self.folder / (key + kind)).read_bytes())
        except Exception:  # absent, truncated, damaged: any of it is a miss, not a crash
            outcome = None
        if kind == TRIAL:  # what the counts count
            self.hits += outcome is not None
            self.misses += outcome is None
        return outcome

    def put(self, key: str, outcome: Any, kind: str = TRIAL) -> None:
        """Store ``outcome`` atomically (a reader never sees half an entry)."""
        if self.folder is None:
            return
        self.used.add(key + kind)
        final = self.folder / (key + kind)
        # Unique per process and thread: concurrent writers never share a file.
        tmp = final.with_name(f"{final.name}.{os.getpid()}-{threading.get_ident()}.tmp")
        try:
            tmp.write_bytes(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
            tmp.replace(final)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()

    def prune(self) -> None:
        """Remove the entries this load did not use (old versions of edited trials),
        and temporary files a killed build left behind."""
        if self.folder is None:
            return
        entries = [p for kind in _KINDS for p in self.folder.glob("*" + kind)]
        stale = [p for p in entries if p.name not in self.used]
        stale += [p for p in self.folder.glob("*.tmp") if time.time() - _mtime(p) > 3600]
        for path in stale:
            with contextlib.suppress(OSError):
                path.unlink()


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return time.time()
