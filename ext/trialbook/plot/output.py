"""Render a figure once per input into SVG (HTML) and PDF (LaTeX), byte for byte the
same on every run: no dates in the metadata, fixed SVG ids, atomic writes."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from .style import RC, STYLE_VERSION

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FORMATS = ("svg", "pdf")
#: The media type of each format, as Sphinx's builders name the images they take.
MEDIA_TYPES = {"svg": "image/svg+xml", "pdf": "application/pdf"}


def formats_for(supported: Sequence[str]) -> tuple[str, ...]:
    """The formats a builder that takes ``supported`` media types uses (SVG in HTML,
    PDF in LaTeX); all of them for a builder that takes neither."""
    return tuple(f for f in FORMATS if MEDIA_TYPES[f] in supported) or FORMATS


class PlotUnavailable(Exception):
    """matplotlib is not installed."""


def digest(kind: str, content: str) -> str:
    """The name of a figure: a digest of what it shows, how, and with what."""
    try:
        library = metadata.version("matplotlib")
    except metadata.PackageNotFoundError:
        library = "missing"
    h = hashlib.blake2b(digest_size=12)
    h.update(f"{kind}|{STYLE_VERSION}|{__version__}|matplotlib {library}|".encode())
    h.update(content.encode())
    return f"{kind}-{h.hexdigest()}"


def exists(folder: Path, name: str, formats: Sequence[str] = FORMATS) -> bool:
    """Are these formats of figure ``name`` there already?"""
    return all((folder / f"{name}.{fmt}").is_file() for fmt in formats)


def render(
    folder: Path, name: str, draw: Callable[[Any], Figure], formats: Sequence[str] = FORMATS
) -> None:
    """Draw with ``draw(pyplot)`` and save ``name.<format>`` into ``folder`` for each
    of ``formats`` not there yet."""
    try:
        import matplotlib

        matplotlib.use("Agg", force=True)
        from matplotlib import pyplot
    except ImportError as exc:
        raise PlotUnavailable(str(exc)) from None
    folder.mkdir(parents=True, exist_ok=True)
    settings: Any = {**RC, "svg.hashsalt": name}  # fixed SVG ids, per figure
    with matplotlib.rc_context(settings), _quiet("fontTools"):
        figure = draw(pyplot)
        try:
            for fmt in formats:
                if not (folder / f"{name}.{fmt}").is_file():
                    save(figure, folder / f"{name}.{fmt}", fmt)
        finally:
            pyplot.close(figure)


@contextlib.contextmanager
def _quiet(name: str) -> Iterator[None]:
    """Keep a library's INFO messages (fontTools reports every font it subsets) out of
    the build's output while a figure is saved."""
    log = logging.getLogger(name)
    level = log.level
    log.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        log.setLevel(level)


def save(figure: Figure, path: Path, fmt: str) -> None:
    """Save atomically: a reader (a parallel build) never sees half a file."""
    metadata_: dict[str, Any] = (
        {"Date": None, "Creator": None}
        if fmt == "svg"
        else {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None}
    )
    tmp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        figure.savefig(tmp, format=fmt, metadata=metadata_)
        tmp.replace(path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
