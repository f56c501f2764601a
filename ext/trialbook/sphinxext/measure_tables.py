"""Tables of measurements: ``baseline-table``, ``extension-table``, ``programme-table``.

A measurement (:class:`~trialbook.model.records.Measurement`) is a figure beyond
the randomized comparison: a baseline characteristic, a result of an extension
study, a figure pooled across a treatment's trials. Each table names the figure
with its statistic, time point, population and definition (sources define "no
further treatment" differently, so the definition stays with the number), and
shows every figure with its citation and any other source's differing figure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives

from ..report import format as fmt
from .base import TABLE_OPTIONS, TrialbookDirective, id_list
from .render import EMPTY, cite, other_reports_node, paragraph, trial_ref, value_node
from .tables import Cell, GroupRow, Row, table

if TYPE_CHECKING:
    from sphinx.application import Sphinx

    from ..model.records import Measurement, Trial
    from ..model.values import Value

ALL = "All patients"


def _small(text: str, css: str) -> nodes.paragraph:
    para = paragraph(text)
    para["classes"].append(css)
    return para


def describe(m: Measurement, *, timepoint: bool = True) -> list[nodes.Node | str]:
    """The name cell: name (unit; statistic), then definition, population and note."""
    name = m.name + (f" ({m.unit})" if m.unit else "")
    if m.statistic:
        name += f", {fmt.statistic(m.statistic)}"
    if timepoint and m.timepoint:
        name += f", {m.timepoint}"
    out: list[nodes.Node | str] = [paragraph(name)]
    if m.definition:
        out.append(_small(f"Definition: {m.definition}", "trialbook-definition"))
    if m.population:
        out.append(_small(f"Population: {m.population}", "trialbook-definition"))
    if m.note is not None:
        ref = cite(m.note.source, m.note.locator)
        note = paragraph(m.note.text, *((" ", ref) if ref is not None else ()))
        note["classes"].append("trialbook-note")
        out.append(note)
    return out


def figure_cell(value: Value | None) -> list[nodes.Node | str]:
    """A figure with its citation, its note, and other sources' differing figures."""
    if value is None:
        return [EMPTY]
    para = paragraph(value_node(value))
    if value.note and value.reported:
        para += nodes.inline("", f" ({value.note})", classes=["trialbook-definition"])
    out: list[nodes.Node | str] = [para]
    others = other_reports_node(value)
    if others is not None:
        out.append(paragraph(others))
    return out


def _columns(
    measures: Sequence[Measurement], label: Callable[[str], str]
) -> tuple[list[str], list[str], bool]:
    """The keys shown as columns (first seen first), their headings, and whether any
    measurement has a figure for all patients."""
    keys = list(dict.fromkeys(k for m in measures for k in m.results))
    return keys, [label(k) for k in keys], any(m.all is not None for m in measures)


def _cells(m: Measurement, keys: list[str], with_all: bool) -> list[Cell]:
    cells: list[Cell] = [figure_cell(m.results.get(k)) for k in keys]
    return [*cells, figure_cell(m.all)] if with_all else cells


class BaselineTable(TrialbookDirective):
    """Baseline characteristics by arm, trial by trial, in one numbered table.

    Options: ``:trials:`` ids (default: every trial with baseline data),
    ``:caption:``, ``:name:``. Columns are the arms (by label, shared across
    trials) and "All patients".
    """

    reads = frozenset({"id", "name", "baseline", "arms", "groups", "population"})

    has_content = False
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = dict(TABLE_OPTIONS)

    def render(self) -> list[nodes.Node]:
        """The table, or a located warning when no selected trial has baseline data."""
        wanted = self.options.get("trials", [])
        trials = [t for t in self.select_trials(wanted) if t.baseline]
        if not trials:
            return self.problem("no selected trial has baseline characteristics")
        # Columns by arm label, so "Interferon beta-1a" is one column for all trials.
        labels: dict[str, None] = {}
        for trial in trials:
            for m in trial.baseline:
                for key in m.results:
                    labels[_label(trial, key)] = None
        with_all = any(m.all is not None for t in trials for m in t.baseline)
        columns = ["Characteristic", *labels, *([ALL] if with_all else [])]
        body: list[Row] = []
        for trial in trials:
            population = trial.population.text if trial.population is not None else ""
            body.append(
                GroupRow([paragraph(trial_ref(trial), f": {population}" if population else "")])
            )
            for m in trial.baseline:
                by_label = {_label(trial, k): v for k, v in m.results.items()}
                cells: list[Cell] = [describe(m)]
                cells += [figure_cell(by_label.get(label)) for label in labels]
                if with_all:
                    cells.append(figure_cell(m.all))
                body.append(cells)
        one = len(trials) == 1
        default = "Baseline characteristics" + (f" in {trials[0].name}" if one else "")
        spec, node = table(
            self.options.get("caption") or default, columns, body, ["trialbook-baseline"]
        )
        self.set_source_info(node)
        self.add_name(node)
        return [spec, node]


def _label(trial: Trial, key: str) -> str:
    item = trial.arm_or_group(key)
    return item.label if item is not None else key


class ExtensionTable(TrialbookDirective):
    """Results of the studies that followed trials' patients on, with definitions.

    Options: ``:trials:`` ids (default: every trial with an extension),
    ``:extensions:`` extension ids, ``:caption:``, ``:name:``.
    """

    reads = frozenset({"id", "name", "extensions"})

    has_content = False
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        **TABLE_OPTIONS,
        "extensions": id_list,
    }

    def render(self) -> list[nodes.Node]:
        """Rows grouped by trial and extension; columns: result, then the figures."""
        trials = self.select_trials(self.options.get("trials", []))
        wanted = self.options.get("extensions", [])
        chosen = self.pick("extension", trials, lambda t: t.extensions, wanted)
        if not chosen:
            return self.problem("the selection has no extension studies")
        measures = [m for _, ext in chosen for m in ext.results]
        label = {k: _label(t, k) for t, e in chosen for m in e.results for k in m.results}
        keys, headings, with_all = _columns(measures, lambda k: label[k])
        columns = ["Result", "When", *headings, *(["Figure"] if with_all else [])]
        body: list[Row] = []
        for trial, ext in chosen:
            heading = paragraph(trial_ref(trial), f": {ext.name}")
            if ext.design is not None:
                ref = cite(ext.design.source, ext.design.locator)
                heading += nodes.Text(f". {ext.design.text}")
                if ref is not None:
                    heading += [nodes.Text(" "), ref]
            body.append(GroupRow([heading]))
            for m in ext.results:
                body.append(
                    [
                        describe(m, timepoint=False),
                        m.timepoint or EMPTY,
                        *_cells(m, keys, with_all),
                    ]
                )
        default = "Long-term results" + (f" of {trials[0].name}" if len(trials) == 1 else "")
        spec, node = table(
            self.options.get("caption") or default, columns, body, ["trialbook-extension"]
        )
        self.set_source_info(node)
        self.add_name(node)
        return [spec, node]


class ProgrammeTable(TrialbookDirective):
    """Figures pooled across a treatment's trials, or from its label, by treatment.

    The argument is an intervention id. Options: ``:measures:`` ids (default:
    all, in the data's order), ``:caption:``, ``:name:``.
    """

    has_content = False
    required_arguments = 1
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        "measures": id_list,
        "caption": directives.unchanged,
        "name": directives.unchanged,
    }

    def render(self) -> list[nodes.Node]:
        """One row per figure: what, when, then one column per treatment."""
        dataset = self.data.dataset
        iv_id = self.arguments[0]
        iv = self.select_intervention(iv_id)
        by_id = {m.id: m for m in iv.programme}
        wanted = self.options.get("measures", [])
        missing = [w for w in wanted if w not in by_id]
        if missing:
            return self.problem(f"{iv_id} has no programme figure {', '.join(missing)!r}")
        measures = [by_id[w] for w in wanted] if wanted else list(iv.programme)
        if not measures:
            return self.problem(f"{iv_id} has no programme figures in interventions.yaml")
        names = {k: v.name for k, v in dataset.interventions.items()}
        keys, headings, with_all = _columns(measures, lambda k: names.get(k, k))
        when = any(m.timepoint for m in measures)  # no column of dashes
        columns = [
            "Measure",
            *(["When"] if when else []),
            *headings,
            *(["All"] if with_all else []),
        ]
        body: list[Row] = [
            [
                describe(m, timepoint=False),
                *([m.timepoint or EMPTY] if when else []),
                *_cells(m, keys, with_all),
            ]
            for m in measures
        ]
        caption = self.options.get("caption") or f"{iv.name} across its trials"
        spec, node = table(caption, columns, body, ["trialbook-programme"])
        self.set_source_info(node)
        self.add_name(node)
        return [spec, node]


def setup_measure_tables(app: Sphinx) -> None:
    """Register ``baseline-table``, ``extension-table`` and ``programme-table``."""
    app.add_directive("baseline-table", BaselineTable)
    app.add_directive("extension-table", ExtensionTable)
    app.add_directive("programme-table", ProgrammeTable)
