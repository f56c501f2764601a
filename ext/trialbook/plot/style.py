"""How figures look: sizes for the PDF column, a palette for colour blindness and print.

Colours are Okabe and Ito's (distinguishable with every common colour-vision
deficiency); treatment and comparator also differ in marker shape and fill, so
a greyscale print keeps them apart.
"""

from __future__ import annotations

from typing import Any

#: Bump when the look changes: it is part of every figure's digest.
STYLE_VERSION = 3

WIDTH_IN = 6.0  # the text width of the handbook's A4 PDF
FONT_PT = 8
ROW_IN = 0.34
HEAD_IN = 0.45
AXIS_IN = 0.9

INK = "#222222"
GRID = "#BBBBBB"
TREATMENT = "#0072B2"  # blue
CONTROL = "#D55E00"  # vermilion
ESTIMATE = "#000000"

RC: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": FONT_PT,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "text.color": INK,
    "svg.fonttype": "none",  # text stays text in the SVG: searchable, selectable
    "pdf.fonttype": 42,  # TrueType fonts embedded in the PDF
    "path.simplify": False,
}
