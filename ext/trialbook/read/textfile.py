"""Reading a data file's text: size, binary content and UTF-8, each a located error."""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import Code, Diagnostic

#: Data files are hand-written; anything larger is a mistake (or an attack) and is
#: refused before parsing, so a stray dump cannot stall a build.
MAX_FILE_BYTES = 5 * 1024 * 1024


class TextError(Exception):
    """The file cannot be read as text; carries its one diagnostic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return line, column


def read_text(path: Path) -> str:
    """Return the file's text, or raise :class:`TextError` saying why it is unusable."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise TextError(
                Diagnostic(
                    path,
                    1,
                    1,
                    f"file is {size / 1024 / 1024:.1f} MiB; data files are limited to "
                    f"{MAX_FILE_BYTES // 1024 // 1024} MiB",
                    code=Code.ENCODING,
                )
            )
        data = path.read_bytes()
    except OSError as exc:
        raise TextError(
            Diagnostic(path, 1, 1, f"cannot read file: {exc.strerror}", code=Code.ENCODING)
        ) from None
    nul = data.find(b"\x00")
    if nul >= 0:
        line, col = _position(data, nul)
        raise TextError(
            Diagnostic(
                path,
                line,
                col,
                "file is binary (contains a NUL byte), not text",
                code=Code.ENCODING,
            )
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _position(data, exc.start)
        raise TextError(
            Diagnostic(
                path,
                line,
                col,
                f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8",
                code=Code.ENCODING,
            )
        ) from None
    return text.removeprefix("\ufeff")
