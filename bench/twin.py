"""The static twin of a handbook: the same pages with trialbook's output frozen.

:func:`make_twin` builds the project once with :mod:`freeze` loaded, then writes a
``docs`` folder where every trialbook directive is replaced by what it generated
(tables as MyST ``list-table`` with the same title, label, columns, rows and cell
text; figures as ``figure`` with the drawn files) and every trialbook role by the
text it showed. Its ``conf.py`` is the handbook's without trialbook (same theme,
same options, trialbook's stylesheet and LaTeX package as plain files, and
:mod:`twin_navigation` to keep the print-only list of trial pages out of the HTML
navigation, as trialbook does), so a build of the twin is what Sphinx costs for the
same pages without the extension.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from trialbook.load.dataset import load_sources
from trialbook.report.citations import evidence_date
from trialbook.report.format import date
from trialbook.sphinxext.config import CSS, STATIC
from trialbook.sphinxext.figures import FIGURES_DIR
from trialbook.sphinxext.latex import STY

HERE = Path(__file__).resolve().parent
FROZEN_FIGURES = "_frozen"
_FENCE = re.compile(r"^(\s*)(`{3,}|:{3,})\{([\w:-]+)\}")


#: page → {"directives": {line: [MyST block, …]}, "roles": {role text: shown text}}
Frozen = dict[str, dict[str, dict[str, Any]]]


def freeze(project: Path) -> Frozen:
    """Build ``project`` with :mod:`freeze` loaded; what each directive and role showed."""
    out = project / "freeze"
    extensions = "myst_parser,sphinx_design,trialbook,freeze"
    command = [sys.executable, "-m", "sphinx", "-q", "-b", "html", "-D"]
    command += [f"extensions={extensions}", "-d", str(out / "doctrees"), "docs", str(out / "html")]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    }
    subprocess.run(command, cwd=project, env=env, check=True, capture_output=True)
    frozen: Frozen = json.loads((out / "html" / "frozen.json").read_text(encoding="utf-8"))
    figures = out / "doctrees" / FIGURES_DIR
    if figures.is_dir():
        shutil.copytree(figures, project / "twin" / "docs" / FROZEN_FIGURES, dirs_exist_ok=True)
    return frozen


def replace_directives(text: str, frozen: dict[str, list[str]]) -> str:
    """The page with each frozen directive (by its line) replaced by its MyST."""
    lines = text.split("\n")
    for line in sorted(frozen, key=int, reverse=True):  # from the end: lines stay put
        at = int(line) - 1
        start = next(
            (i for i in (at, at - 1, at + 1) if 0 <= i < len(lines) and _FENCE.match(lines[i])),
            None,
        )
        if start is None:
            raise ValueError(f"no directive at line {line}: {lines[at]!r}")
        match = _FENCE.match(lines[start])
        assert match is not None
        fence = match[2]
        end = next(
            i
            for i in range(start + 1, len(lines))
            if lines[i].strip().startswith(fence[0] * len(fence))
            and not lines[i].strip().strip(fence[0])
        )
        lines[start : end + 1] = "\n\n".join(frozen[line]).split("\n")
    return "\n".join(lines)


def replace_roles(text: str, roles: dict[str, str]) -> str:
    """The page with each frozen role replaced by the text it showed."""
    for raw in sorted(roles, key=len, reverse=True):
        # docutils gives MyST's {val}`path` as :val:`path`
        written = re.sub(r"^:([\w:-]+):`", r"{\1}`", raw)
        text = text.replace(written, roles[raw])
    return text


def twin_conf(conf: str, data: Path) -> str:
    """The handbook's ``conf.py`` without trialbook, its stylesheet and package kept."""
    newest = evidence_date(load_sources(data))
    today = f"Evidence as of {date(newest)}" if newest else ""
    out = []
    for line in conf.split("\n"):
        if line.startswith("from trialbook") or line.startswith("trialbook_"):
            continue
        if line.startswith("_newest ="):
            continue
        if line.startswith("today ="):
            line = f"today = {today!r}"
        if line.startswith("extensions ="):
            line = line.replace(', "trialbook"', ', "twin_navigation"')
        out.append(line)
    out += [
        "import sys",
        f"sys.path.insert(0, {str(HERE)!r})  # twin_navigation",
        'html_static_path = ["_static"]',
        f'html_css_files = ["{CSS}"]',
        f'latex_additional_files = ["_static/{STY.name}"]',
        f'latex_elements["extrapackages"] = r"\\usepackage{{{STY.stem}}}"',
    ]
    return "\n".join(out) + "\n"


def make_twin(project: Path) -> Path:
    """Write ``project/twin/docs``, the static twin of ``project/docs``; its path."""
    twin = project / "twin"
    shutil.rmtree(twin, ignore_errors=True)
    frozen = freeze(project)  # also generates the trial pages in project/docs
    docs = twin / "docs"
    shutil.copytree(project / "docs", docs, dirs_exist_ok=True)
    for docname, page in frozen.items():
        path = docs / f"{docname}.md"
        text = path.read_text(encoding="utf-8")
        text = replace_directives(text, page["directives"])
        text = replace_roles(text, page["roles"])
        path.write_text(text, encoding="utf-8")
    conf = (project / "docs" / "conf.py").read_text(encoding="utf-8")
    (docs / "conf.py").write_text(twin_conf(conf, project / "data"), encoding="utf-8")
    static = docs / "_static"
    static.mkdir(exist_ok=True)
    shutil.copy(STATIC / CSS, static)
    shutil.copy(STY, static)
    shutil.rmtree(project / "freeze")
    return docs
