"""``forest-plot`` and ``safety-chart``: figures drawn from the data, cited like tables.

Each directive emits a standard ``figure`` (numbered, a float in LaTeX, a target
for ``numref``) holding an ``image`` whose URI ends in ``.*``, with an SVG and a PDF
candidate: each builder takes the type it supports (SVG in HTML, PDF in LaTeX).
Files are named by a digest of what they show, kept beside the doctrees, and drawn
only when missing, in the formats the build's builder takes: an HTML build does not
draw the PDFs (1.6 s of a 6.9 s build of this handbook). A LaTeX build that finds pages
read by an HTML build draws their PDFs before writing (:func:`draw_missing`). So a
rebuild that changes nothing draws nothing and an edit redraws only the figures
that show the edited trial. The caption carries the ``[n]`` of every source
plotted; ``:show-data:`` adds the figures as a table.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives

from ..model.records import comparisons
from ..plot import forest as forest_plot
from ..plot import output
from ..plot import safety as safety_plot
from ..report import figures
from .base import TABLE_OPTIONS, TrialbookDirective, Unavailable, id_list
from .dataset import INTERVENTIONS, state_of
from .domain import domain_of
from .refresh import render_again
from .render import cite, paragraph, trial_ref, value_node
from .tables import Cell, table

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

#: Where rendered figures are kept: beside the doctrees, never in the sources.
FIGURES_DIR = "trialbook-figures"
INSTALL = "pip install 'trialbook[plot]'"


class FigureDirective(TrialbookDirective):
    """What the figure directives share: options, files, caption, data table."""

    has_content = False
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        **TABLE_OPTIONS,
        "width": directives.length_or_percentage_or_unitless,
        "show-data": directives.flag,
    }
    kind: ClassVar[str]

    def figure(
        self,
        fingerprint: str,
        draw: Callable[[Any], Any],
        alt: str,
        caption: str,
        sources: list[str],
    ) -> nodes.figure:
        """The figure node, rendering its files first if they are not there yet."""
        folder = Path(self.env.doctreedir) / FIGURES_DIR
        name = output.digest(self.kind, f"{fingerprint}\n{alt}")
        self._figures.append(name)
        formats = self.data.figure_formats
        if not output.exists(folder, name, formats):
            try:
                output.render(folder, name, draw, formats)
            except output.PlotUnavailable:
                raise Unavailable(
                    self.problem(f"drawing figures needs matplotlib: {INSTALL}")
                ) from None
        docdir = Path(self.env.doc2path(self.env.docname)).parent
        uri = Path(os.path.relpath(folder / name, docdir)).as_posix() + ".*"
        image = nodes.image(uri=uri, alt=alt)
        image["width"] = self.options.get("width") or "100%"
        node = nodes.figure("", image, classes=["trialbook-figure", f"trialbook-{self.kind}"])
        node += nodes.caption(caption, caption)
        if sources:
            # In the legend, not the caption: the list of figures shows the caption alone.
            cited = paragraph("Sources: ")
            for i, source in enumerate(sources):
                if i:
                    cited += nodes.Text(", ")
                ref = cite(source)
                if ref is not None:
                    cited += ref
            cited += nodes.Text(".")
            node += nodes.legend("", cited)
        self.set_source_info(node)
        self.add_name(node)
        return node

    def data_table(
        self, caption: str, columns: tuple[str, ...], rows: list[list[Cell]]
    ) -> list[nodes.Node]:
        """The figure's numbers as a table, when ``:show-data:`` asks for it."""
        if "show-data" not in self.options:
            return []
        spec, node = table(f"Data of the figure: {caption}", columns, rows, ["trialbook-data"])
        self.set_source_info(node)
        return [spec, node]


class ForestPlot(FigureDirective):
    """Between-arm ratios with their 95% CI, one row per trial (or per outcome).

    Options: ``:outcome:`` one outcome id, or several of one trial; ``:trials:``;
    ``:caption:``; ``:name:``; ``:width:``; ``:show-data:``.
    """

    reads = frozenset({"id", "name", "outcomes", "arms", "groups"})

    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        **FigureDirective.option_spec,
        "outcome": id_list,
    }
    kind = "forest"

    def render(self) -> list[nodes.Node]:
        """The figure (and its data table), or a located warning."""
        trials = self.select_trials(self.options.get("trials", []))
        self.depend_on([], shared=(INTERVENTIONS,))  # the sides are named by treatment
        wanted = self.options.get("outcome") or []
        if not wanted:
            return self.problem("give :outcome: (an outcome id, or several of one trial)")
        compared = (o.id for t in trials for o in t.compared())
        self.require_ids("comparison for outcome", wanted, compared)
        pairs = comparisons(trials, wanted)
        if len(wanted) > 1 and len({t.id for t, _ in pairs}) > 1:
            return self.problem("several outcomes can be stacked for one trial only")
        forest = figures.forest(self.data.dataset, pairs)
        first = forest.rows[0]
        kinds = " or ".join(forest.kinds()) or "ratio"
        default = (
            f"{first.outcome.name}: {kinds} by trial"
            if len(wanted) == 1
            else f"{first.trial.name}: {kinds} by outcome"
        )
        caption = self.options.get("caption") or default
        treatment, control = forest.favours_treatment, forest.favours_control
        node = self.figure(
            forest.fingerprint(),
            forest_plot.draw(forest, treatment, control),
            forest.alt(),
            caption,
            forest.sources(),
        )
        rows: list[list[Cell]] = []
        for row in forest.rows:
            ratio = (
                value_node(row.estimate)
                if row.plotted
                else paragraph("ratio not reported", *_reduction(row))
            )
            rows.append(
                [
                    trial_ref(row.trial) if len(wanted) == 1 else row.label,
                    [value_node(r.value) for r in row.treatment] or "–",
                    [value_node(r.value) for r in row.control] or "–",
                    ratio,
                ]
            )
        columns = (
            "Trial" if len(wanted) == 1 else "Outcome",
            treatment,
            control,
            f"{kinds} (95% CI)",
        )
        return [node, *self.data_table(caption, columns, rows)]


def _reduction(row: figures.ForestRow) -> list[nodes.Node | str]:
    if row.reduction is None or not row.reduction.reported:
        return []
    return ["; relative reduction ", value_node(row.reduction)]


class SafetyChart(FigureDirective):
    """The proportion of patients with each adverse event, by trial and arm.

    Options: ``:events:`` event ids (default: every event); ``:trials:``;
    ``:caption:``; ``:name:``; ``:width:``; ``:show-data:``.
    """

    reads = frozenset({"id", "name", "adverse_events", "arms", "groups", "outcomes"})

    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        **FigureDirective.option_spec,
        "events": id_list,
    }
    kind = "safety"

    def render(self) -> list[nodes.Node]:
        """The figure (and its data table), or a located warning."""
        trials = self.select_trials(self.options.get("trials", []))
        self.depend_on([], shared=(INTERVENTIONS,))
        wanted = self.options.get("events") or []
        self.require_ids("adverse event", wanted, (e.id for t in trials for e in t.adverse_events))
        chart = figures.safety_chart(self.data.dataset, trials, wanted)
        if not chart.points:
            return self.problem("the selection has no adverse events to chart")
        caption = self.options.get("caption") or "Adverse events by trial and arm"
        node = self.figure(
            chart.fingerprint(), safety_plot.draw(chart), chart.alt(), caption, chart.sources()
        )
        rows: list[list[Cell]] = []
        for event_id in chart.events:
            for trial in trials:
                points = [p for p in chart.points if p.trial is trial and p.event.id == event_id]
                if not points:
                    continue
                rows.append(
                    [
                        chart.terms[event_id],
                        trial_ref(trial),
                        _arms([p for p in points if not p.control]),
                        _arms([p for p in points if p.control]),
                    ]
                )
        columns = (
            "Adverse event",
            "Trial",
            chart.treatment,
            chart.control,
        )
        return [node, *self.data_table(caption, columns, rows)]


def _arms(points: list[figures.SafetyPoint]) -> list[nodes.Node | str]:
    out: list[nodes.Node | str] = []
    for point in points:
        out.append(paragraph(nodes.emphasis("", point.arm)))
        out.append(paragraph(value_node(point.value)))
    return out or ["–"]


def every_format(app: Sphinx, doctree: nodes.document) -> None:
    """Give each figure's image a candidate in every format, drawn or not yet.

    Sphinx's image collector (before this) lists the files there are, and a page is
    not read again when the builder changes: a page an HTML build read (SVG only)
    must still offer its PDF to a LaTeX build, which draws it (:func:`draw_missing`).
    """
    env = app.env
    for figure in doctree.findall(nodes.figure):
        if "trialbook-figure" not in figure["classes"]:
            continue
        for image in figure.findall(nodes.image):
            candidates: dict[str, str] = image.get("candidates", {})
            drawn = next((c for c in candidates.values() if "." in c), None)
            if drawn is None:
                continue
            stem = drawn.rsplit(".", 1)[0]
            for fmt in output.FORMATS:
                media = output.MEDIA_TYPES[fmt]
                if media not in candidates:
                    candidates[media] = f"{stem}.{fmt}"
                    env.images.add_file(env.docname, candidates[media])


def draw_missing(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Draw, in the formats this builder takes, the figures that pages read by another
    builder did not draw (the PDFs of pages an HTML build read), before writing."""
    folder = Path(env.doctreedir) / FIGURES_DIR
    formats = state_of(env).figure_formats
    for docname, page in sorted(domain_of(env).blocks().items()):
        for block in page:
            if block.figures and not all(output.exists(folder, f, formats) for f in block.figures):
                render_again(env, docname, block)
    return []


def setup_figures(app: Sphinx) -> None:
    """Register ``forest-plot`` and ``safety-chart``."""
    app.add_directive("forest-plot", ForestPlot)
    app.add_directive("safety-chart", SafetyChart)
    app.connect("doctree-read", every_format, priority=600)  # after the image collector
    app.connect("env-updated", draw_missing)
