"""How wide text is set in the PDF: advance widths of the fonts Sphinx's LaTeX uses.

Sphinx sets body text in TeX Gyre Termes and table headings in TeX Gyre Heros
bold (its default ``fontpkg``), which have the metrics of Times-Roman and
Helvetica-Bold. The widths below are those fonts' standard AFM widths for the
printable ASCII characters, in thousandths of an em; any other character counts
as half an em. Used to size table columns by their content (see
:func:`.tables.widths`): a guess by character count was off by up to 8 pt a word,
enough for overfull headings and stretched cells.
"""

from __future__ import annotations

from functools import lru_cache

_TIMES = (
    "250,333,408,500,500,833,778,333,333,333,500,564,250,333,250,278,500,500,500,500,500,500,"
    "500,500,500,500,278,278,564,564,564,444,921,722,667,667,722,611,556,722,722,333,389,722,"
    "611,889,722,722,556,722,667,556,611,722,722,944,722,722,611,333,278,333,469,500,333,444,"
    "500,444,500,444,333,500,500,278,278,500,278,778,500,500,500,500,333,389,278,500,500,722,"
    "500,500,444,480,200,480,541"
)
_HELVETICA_BOLD = (
    "278,333,474,556,556,889,722,278,333,333,389,584,278,333,278,278,556,556,556,556,556,556,"
    "556,556,556,556,333,333,584,584,584,611,975,722,722,722,722,667,611,778,722,278,556,722,"
    "611,833,722,778,667,778,722,667,611,722,667,944,667,667,611,333,278,333,584,556,278,556,"
    "611,556,611,556,333,611,611,278,278,556,278,889,611,611,611,611,389,556,333,611,556,778,"
    "556,556,500,389,280,389,584"
)
#: Characters outside ASCII that tables print often.
_OTHER = {"\u00a0": 250, "\u2013": 500, "\u2212": 564, "\u2248": 549, "\u2264": 549, "\u2265": 549}


class Font:
    """A font's advance widths, in thousandths of an em (hashed by identity)."""

    def __init__(self, widths: str) -> None:
        self.advances = {chr(32 + i): int(w) for i, w in enumerate(widths.split(","))}
        self.advances.update((c, w) for c, w in _OTHER.items() if c not in self.advances)


BODY = Font(_TIMES)
HEADING = Font(_HELVETICA_BOLD)


# Tables measure every word and every cell, and the same texts recur: a full build of
# the 100-trial benchmark handbook measured 259,000 texts, 2,587 of them distinct.
@lru_cache(maxsize=1 << 16)
def _units(text: str, font: Font) -> int:
    advances = font.advances
    return sum(advances.get(c, 500) for c in text)


def width(text: str, font: Font, size: float) -> float:
    """The width of ``text`` in points, set in ``font`` at ``size`` points."""
    return _units(text, font) * size / 1000
