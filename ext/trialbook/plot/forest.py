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

# Column edges, as fractions of the figure's width.
_LABEL, _TREAT, _CONTROL, _PLOT_LEFT, _PLOT_RIGHT, _ESTIMATE = 0.0, 0.17, 0.34, 0.52, 0.78, 0.8


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
        axes = figure.add_axes((_PLOT_LEFT, bottom, _PLOT_RIGHT - _PLOT_LEFT, top - bottom))
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
        row_y = {}
        for i, row in enumerate(rows):
            y = top - (i + 0.5) * (top - bottom) / len(rows)
            row_y[i] = y
            figure.text(_LABEL + 0.005, y, row.label, va="center", ha="left", weight="bold")
            figure.text(_TREAT, y, _arms(row.treatment), va="center", ha="left")
            figure.text(_CONTROL, y, _arms(row.control), va="center", ha="left")
            estimate = row.estimate_text()
            figure.text(_ESTIMATE, y, estimate, va="center", ha="left", wrap=True)
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
        head_y = 1 - 0.5 * style.HEAD_IN / height
        kinds = " or ".join(forest.kinds()) or "Ratio"
        for x, text in (
            (_LABEL + 0.005, "Trial" if len({r.trial.id for r in rows}) > 1 else "Outcome"),
            (_TREAT, treatment_head),
            (_CONTROL, control_head),
            (_ESTIMATE, f"{kinds} (95% CI)"),
        ):
            figure.text(x, head_y, text, va="center", ha="left", weight="bold", wrap=True)
        figure.add_artist(pyplot.Line2D([0, 1], [top, top], color=style.GRID, linewidth=0.6))
        axes.set_xlabel(f"{kinds}, log scale", labelpad=2)
        # Which side favours which treatment, either side of the line of no effect.
        sides = (
            (0.48, "right", f"← favours\n{forest.favours_treatment}"),
            (0.52, "left", f"favours →\n{forest.favours_control}"),
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
