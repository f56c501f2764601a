"""LaTeX support: ``trialbook.sty`` declares the characters our formatter writes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

STY = Path(__file__).parent / "latex" / "trialbook.sty"


def _add_sty(app: Sphinx, config: Config) -> None:
    files = list(config.latex_additional_files)
    if str(STY) not in map(str, files):
        config.latex_additional_files = [*files, str(STY)]


#: TeX's memory for the PDF: pdflatex's default main memory (5,000,000 words) ran out
#: in a long table of a 100-trial handbook (page 465); with this much more on top the
#: 865 pages compiled. TeX reads these from the environment, with no new format.
EXTRA_MEMORY = "20000000"
_MARK = "# trialbook: more TeX memory"


def _more_memory(app: Sphinx, exception: Exception | None) -> None:
    """Give the TeX runs that ``make latexpdf`` (latexmk) starts more memory."""
    rc = Path(app.outdir) / "latexmkrc"
    if exception is not None or app.builder.format != "latex" or not rc.is_file():
        return
    text = rc.read_text(encoding="utf-8")
    if _MARK not in text:
        lines = [
            f"$ENV{{'{name}'}} ||= '{EXTRA_MEMORY}';"
            for name in ("extra_mem_top", "extra_mem_bot")
        ]
        rc.write_text(
            text.rstrip("\n") + f"\n{_MARK}\n" + "\n".join(lines) + "\n", encoding="utf-8"
        )


def setup_latex(app: Sphinx) -> None:
    """Ship ``trialbook.sty`` with the LaTeX sources and load it; give TeX the memory
    a handbook with many trials needs."""
    app.add_latex_package("trialbook")
    app.connect("config-inited", _add_sty)
    app.connect("build-finished", _more_memory)
