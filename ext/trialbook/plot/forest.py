"""A forest plot as RevMan draws one: per-arm results at the left, the ratio and its 95%
CI on a log axis, the estimate printed at the right, the line of no effect at 1."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..report import format as fmt
from ..report.figures import Forest, ForestRow
from . import style

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Columns, as fractions of the figure's width: each text column is as wide as its
# widest text (measured once drawn), the plot takes what is left, at least _PLOT_MIN.
_MARGIN, _GAP, _PLOT_MIN, _ESTIMATE_MAX = 0.005, 0.02, 0.22, 0.24


def _arms(results: tuple[Any, ...]) -> str:
    return "; ".join(fmt.value(r.value) for r in results) or "–"


_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)


def _limits(rows: tuple[ForestRow, ...]) -> tuple[float, float]:
    """Axis limits on round log ticks that hold every CI and the line of no effect,
    symmetric about 1 so that neither side looks larger than it is."""
    values = [1.0]
    for row in rows:
        if row.plotted and row.estimate is not None and row.estimate.ci is not None:
            values += [float(row.estimate.ci[0]), float(row.estimate.ci[1])]
    span = max(1 / min(values), max(values), 2.0)
    high = next((t for t in _TICKS if t >= span), _TICKS[-1])
    return 1 / high, high


def draw(forest: Forest, treatment_head: str, control_head: str) -> Any:
    """A function that draws ``forest`` with the given pyplot."""

    def run(pyplot: Any) -> Figure:
        rows = forest.rows
        height = style.HEAD_IN + style.ROW_IN * len(rows) + style.AXIS_IN
        figure: Figure = pyplot.figure(figsize=(style.WIDTH_IN, height))
        bottom = style.AXIS_IN / height
        top = 1 - style.HEAD_IN / height
        axes = figure.add_axes((0.5, bottom, 0.3, top - bottom))  # placed by _place
        low, high = _limits(rows)
        axes.set_xscale("log")
        axes.set_xlim(low, high)
        axes.set_ylim(len(rows) - 0.5, -0.5)
        axes.axvline(1, color=style.INK, linewidth=0.8)
        ticks = [t for t in _TICKS if low <= t <= high and (t >= 1 / high * 1.01 or t == low)]
        if len(ticks) > 7:  # keep the labels apart: every other decade step
            ticks = [t for t in ticks if t in (low, 0.1, 0.5, 1, 2, 10, high)]
        axes.set_xticks(ticks, [f"{t:g}" for t in ticks])
        axes.minorticks_off()
        axes.set_yticks([])
        for side in ("top", "right", "left"):
            axes.spines[side].set_visible(False)
        weights = [float(r.weight) for r in rows if r.weight is not None] or [1.0]
        largest = max(weights)
        head_y = 1 - 0.5 * style.HEAD_IN / height
        kinds = " or ".join(forest.kinds()) or "Ratio"
        first = "Trial" if len({r.trial.id for r in rows}) > 1 else "Outcome"
        heads = (first, treatment_head, control_head, f"{kinds} (95% CI)")
        columns: list[list[Any]] = [
            [figure.text(0, head_y, text, va="center", ha="left", weight="bold")] for text in heads
        ]
        for i, row in enumerate(rows):
            y = top - (i + 0.5) * (top - bottom) / len(rows)
            texts = (row.label, _arms(row.treatment), _arms(row.control), row.estimate_text())
            for k, text in enumerate(texts):
                bold = "bold" if k == 0 else "normal"
                columns[k].append(figure.text(0, y, text, va="center", ha="left", weight=bold))
            if row.plotted and row.estimate is not None and row.estimate.ci is not None:
                value = float(row.estimate.value or 0)
                ci_low, ci_high = (float(x) for x in row.estimate.ci)
                axes.plot([ci_low, ci_high], [i, i], color=style.ESTIMATE, linewidth=1.2)
                weight = float(row.weight) if row.weight is not None else largest / 2
                size = 4 + 6 * math.sqrt(weight / largest)
                axes.plot(
                    [value],
                    [i],
                    marker="s",
                    markersize=size,
                    color=style.TREATMENT,
                    markeredgecolor=style.ESTIMATE,
                    linestyle="none",
                )
        _place(figure, axes, columns)
        figure.add_artist(pyplot.Line2D([0, 1], [top, top], color=style.GRID, linewidth=0.6))
        axes.set_xlabel(f"{kinds}, log scale", labelpad=2)
        # Which side favours which treatment, either side of the line of no effect.
        sides = (
            (0.47, "right", f"← favours\n{forest.favours_treatment}"),
            (0.53, "left", f"favours →\n{forest.favours_control}"),
        )
        for x, ha, text in sides:
            axes.annotate(
                text,
                xy=(x, 0),
                xycoords="axes fraction",
                xytext=(0, -28),
                textcoords="offset points",
                ha=ha,
                va="top",
                fontsize=style.FONT_PT - 0.5,
                linespacing=1.1,
            )
        return figure

    return run


def _widest(figure: Figure, texts: list[Any]) -> float:
    """The widest of ``texts``, as a fraction of the figure's width."""
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    return float(max(t.get_window_extent(renderer).width for t in texts) / figure.bbox.width)


def _break(texts: list[Any], separator: str) -> None:
    """Put each text's parts after ``separator`` on lines of their own."""
    for text in texts:
        text.set_text(text.get_text().replace(separator, separator.rstrip() + "\n"))


def _place(figure: Figure, axes: Any, columns: list[list[Any]]) -> None:
    """Set each column of texts (label, treatment, control, estimate) at the left of
    its own width, and the plot between control and estimate: no text runs into the
    next column, however long a trial's label or an arm's figure. Where the plot
    would be narrower than _PLOT_MIN, labels break after their commas and several
    arms' figures go on lines of their own."""
    for attempt in range(3):
        widths = [_widest(figure, column) for column in columns]
        widths[3] = min(widths[3], _ESTIMATE_MAX)
        plot = 1 - 2 * _MARGIN - sum(widths) - 4 * _GAP
        if plot >= _PLOT_MIN or attempt == 2:
            break
        _break(columns[0][1:], ", ")
        if attempt == 1:
            for column in columns[1:3]:
                _break(column[1:], "; ")
    x = _MARGIN
    for column, width in zip(columns[:3], widths[:3], strict=True):
        for text in column:
            text.set_x(x)
        x += width + _GAP
    estimate_x = 1 - _MARGIN - widths[3]
    for text in columns[3]:
        text.set_x(estimate_x)
        text.set_wrap(True)
    box = axes.get_position()
    right = estimate_x - _GAP
    axes.set_position((x, box.y0, max(right - x, 0.05), box.height))
