"""What LaTeX reports but does not fail on: undefined references and citations.

``python -m trialbook.sphinxext.latexlog build/latex`` exits 1 when a log there has
any (the nox PDF sessions run it after latexmk; the PDF tests call
:func:`log_problems`).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

#: What LaTeX says about a link or citation with no target, then goes on (exit 0).
_UNDEFINED = re.compile(
    r"^(?:LaTeX|pdfTeX|Package \w+) Warning: (?:Hyper reference|Reference|Citation) "
    r"`[^']*' on page \d+ undefined|^LaTeX Warning: There were undefined references",
    re.MULTILINE,
)


def log_problems(log: str) -> list[str]:
    """The undefined references and citations in a LaTeX log (empty when all resolve).

    ``-W`` makes Sphinx's own warnings fatal, but LaTeX only warns about a link to
    a label that does not exist and still writes the PDF: read its log.
    """
    return [m.group(0) for m in _UNDEFINED.finditer(log)]


def main(argv: list[str]) -> int:
    """``python -m trialbook.sphinxext.latexlog DIR``: exit 1 if a log in DIR has problems."""
    found = 0
    for log in sorted(Path(argv[0]).glob("*.log")):
        problems = log_problems(log.read_text(encoding="utf-8", errors="replace"))
        for problem in problems:
            print(f"{log}: {problem}", file=sys.stderr)
        found += len(problems)
    return 1 if found else 0


if __name__ == "__main__":  # pragma: no cover - used by the nox sessions
    sys.exit(main(sys.argv[1:]))


_BOX = re.compile(r"^(Overfull|Underfull) \\hbox .*? at lines (\d+)--(\d+)", re.MULTILINE)
_TABLE = re.compile(r"\\begin\{(tabular|tabulary|longtable)\}.*?\\end\{\1\}", re.DOTALL)


def table_boxes(log: str, tex: str) -> list[str]:
    """Overfull and underfull lines that LaTeX reports inside tables of ``tex``."""
    spans = []
    for m in _TABLE.finditer(tex):
        first = tex.count("\n", 0, m.start()) + 1
        spans.append((first, first + m.group(0).count("\n")))
    return [
        m.group(0) for m in _BOX.finditer(log) if any(a <= int(m.group(2)) <= b for a, b in spans)
    ]
