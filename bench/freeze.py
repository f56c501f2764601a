"""A Sphinx extension for the benchmark: record what trialbook generates, as MyST.

Loaded beside trialbook in one extra build (``-D extensions=…,freeze``), it marks
the nodes each trialbook directive and role returns and, once references are
resolved, writes ``frozen.json`` into the output folder: page → directive line →
MyST text (tables as ``list-table`` with the same title, label, columns, rows and
cell text), and page → role text → the text it showed. :mod:`twin` pastes these
into the pages in place of the directives and roles: the *static twin*.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxRole

import trialbook.sphinxext.citing
import trialbook.sphinxext.dataset
import trialbook.sphinxext.packing
from trialbook.plot.output import FORMATS
from trialbook.sphinxext.base import TrialbookDirective

LINE = "bench_freeze_line"
ROLE = "bench-freeze-role"
_FROZEN: dict[str, dict[str, Any]] = {}

# Markdown's punctuation, escaped so that data text stays text.
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~&$])")


def text(node: nodes.Node) -> str:
    """A node's text on one line, escaped for Markdown."""
    return _SPECIAL.sub(r"\\\1", " ".join(node.astext().split()))


def _table(table: nodes.table) -> str:
    title = next(iter(table.findall(nodes.title)), None)
    group = next(iter(table.findall(nodes.tgroup)))
    columns = int(group["cols"])
    widths = [str(max(1, int(c.get("colwidth", 1)))) for c in group.findall(nodes.colspec)]
    lines = [f"::::{{list-table}} {text(title) if title else ''}".rstrip()]
    head = next(iter(group.findall(nodes.thead)), None)
    lines.append(f":header-rows: {len(head.children) if head else 0}")
    if table["names"]:
        lines.append(f":name: {table['names'][0]}")
    classes = [c for c in table["classes"] if c != "colwidths-given"]
    if classes:
        lines.append(f":class: {' '.join(classes)}")
    lines.append(f":widths: {' '.join(widths)}")
    lines.append("")
    for row in group.findall(nodes.row):
        cells = [text(e) for e in row.children]
        cells += [""] * (columns - len(cells))  # a spanning group heading: empty cells
        lines.append(f"* - {cells[0]}".rstrip())
        lines += [f"  - {cell}".rstrip() for cell in cells[1:]]
    lines.append("::::")
    return "\n".join(lines)


def to_myst(node: nodes.Node) -> list[str]:
    """MyST blocks that show what ``node`` shows."""
    if isinstance(node, nodes.table):
        return [_table(node)]
    if isinstance(node, addnodes.tabular_col_spec):
        return [f"```{{tabularcolumns}} {node['spec']}\n```"]
    if isinstance(node, (addnodes.index, nodes.target, nodes.comment)):
        return []
    if isinstance(node, nodes.rubric):
        return [f"```{{rubric}} {text(node)}\n```"]
    if isinstance(node, nodes.figure):
        image = next(iter(node.findall(nodes.image)))
        caption = next(iter(node.findall(nodes.caption)), None)
        block = [f"```{{figure}} /_frozen/{Path(image['uri']).name}"]
        if node["names"]:
            block.append(f":name: {node['names'][0]}")
        block += ["", text(caption) if caption else "", "```"]
        return ["\n".join(block)]
    if isinstance(node, (nodes.bullet_list, nodes.enumerated_list)):
        return ["\n".join(f"- {text(item)}" for item in node.children)]
    if isinstance(node, (nodes.TextElement, nodes.Text)):
        return [text(node)] if node.astext().strip() else []
    out: list[str] = []
    for child in node.children:  # a container, a section, a card grid: its parts
        out += to_myst(child)
    return out


def _toc_myst(node: nodes.Node) -> list[str]:
    """A ``trial-pages`` output as MyST, from the read doctree (its ``only`` nodes are
    gone once post-transforms ran)."""
    if isinstance(node, addnodes.only):
        inner = [block for child in node.children for block in _toc_myst(child)]
        return [f"::::{{only}} {node['expr']}\n\n" + "\n\n".join(inner) + "\n::::"]
    if isinstance(node, addnodes.toctree):
        pages = "\n".join(node["includefiles"])
        return [f"```{{toctree}}\n:maxdepth: {node['maxdepth']}\n\n{pages}\n```"]
    if isinstance(node, nodes.compound):
        return [block for child in node.children for block in _toc_myst(child)]
    return to_myst(node)


def _mark_directives() -> None:
    run = TrialbookDirective.run

    def marked(self: TrialbookDirective) -> list[nodes.Node]:
        made = run(self)
        if any(isinstance(node, (addnodes.only, nodes.compound)) for node in made):
            page = _FROZEN.setdefault(self.env.docname, {"directives": {}, "roles": {}})
            page["directives"][str(self.lineno)] = [b for n in made for b in _toc_myst(n)]
            return made
        for node in made:
            if isinstance(node, nodes.Element):
                node[LINE] = self.lineno
        if not made:  # nothing shown: still replace the directive (by nothing)
            made = [nodes.comment("", "", **{LINE: self.lineno})]
        return made

    TrialbookDirective.run = marked  # type: ignore[method-assign]


def _mark_roles(app: Sphinx) -> None:
    from docutils.parsers.rst import roles

    for name in ("val", "trial", "outcome", "src", "source"):
        role, _ = roles.role(name, None, 0, None)  # type: ignore[arg-type]
        assert isinstance(role, SphinxRole)
        app.add_role(name, _Marked(role), override=True)


class _Marked:
    """A role whose output is wrapped in an inline that remembers its source text."""

    def __init__(self, role: Any) -> None:
        self.role = role

    def __call__(self, name: str, rawtext: str, *args: Any, **kwargs: Any) -> Any:
        made, messages = self.role(name, rawtext, *args, **kwargs)
        return [nodes.inline(rawtext, "", *made, classes=[ROLE], bench_raw=rawtext)], messages


class _Record(SphinxPostTransform):
    """After references are resolved (priority 10), before HTML-only additions (300)."""

    default_priority = 200

    def run(self, **kwargs: Any) -> None:
        _record(self.document, self.env.docname)


def _record(doctree: nodes.document, docname: str) -> None:
    page = _FROZEN.setdefault(docname, {"directives": {}, "roles": {}})
    for node in doctree.findall(nodes.Element):
        if LINE in node.attributes:
            page["directives"].setdefault(str(node[LINE]), []).extend(to_myst(node))
        elif ROLE in node["classes"]:
            page["roles"][node["bench_raw"]] = text(node)


def _write(app: Sphinx, exc: Exception | None) -> None:
    if exc is None:
        path = Path(app.outdir) / "frozen.json"
        path.write_text(json.dumps(_FROZEN, indent=1, sort_keys=True), encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    # The HTML writer draws cited values as it writes them (trialbook.sphinxext.citing):
    # here they are made before writing, so that the recorded text has their [n].
    trialbook.sphinxext.citing.DRAWN = ()
    # Table rows stay unpacked (they would come back only after every post-transform,
    # this recorder's too: trialbook.sphinxext.packing); the output is the same.
    trialbook.sphinxext.packing.pack = lambda document: None
    # Every figure in every format, as a static project keeps them: the twin's LaTeX
    # build takes the PDFs (an HTML build draws only the SVGs).
    every = property(lambda self: FORMATS)
    trialbook.sphinxext.dataset.BuildState.figure_formats = every  # type: ignore[assignment,method-assign]
    _mark_directives()
    app.connect("builder-inited", _mark_roles)
    app.add_post_transform(_Record)
    app.connect("build-finished", _write)
    return {"parallel_read_safe": True, "parallel_write_safe": False}
