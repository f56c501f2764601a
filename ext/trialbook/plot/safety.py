"""A dot plot of adverse events: for each event, a line per trial with the proportion of
patients in each arm on one shared 0–100% axis, and n/N in columns at the right."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..report import format as fmt
from ..report.figures import SafetyChart, SafetyPoint
from . import style

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Column edges, as fractions of the figure's width.
_NAME, _PLOT_LEFT, _PLOT_RIGHT, _TREAT, _CONTROL = 0.0, 0.2, 0.58, 0.605, 0.845

Line = tuple[str, str, list[SafetyPoint]]  # ("event"|"trial", text, points)


def _lines(chart: SafetyChart) -> list[Line]:
    """A heading line per event, then a line per trial that reports it."""
    out: list[Line] = []
    for event_id in chart.events:
        trials: dict[str, list[SafetyPoint]] = {}
        for point in chart.points:
            if point.event.id == event_id:
                trials.setdefault(point.trial.name, []).append(point)
        if trials:
            out.append(("event", chart.terms[event_id], []))
            out += [("trial", name, points) for name, points in trials.items()]
    return out


def _counts(points: list[SafetyPoint], control: bool) -> str:
    """n/N (%) of each point on one side; serious and fatal counts stay in the tables
    (at the chart's width they ran into the next column)."""
    plain = {"serious": None, "fatal": None}
    shown = [fmt.value(p.value.model_copy(update=plain)) for p in points if p.control is control]
    return "; ".join(s for s in shown if s) or "–"


def draw(chart: SafetyChart) -> Any:
    """A function that draws ``chart`` with the given pyplot."""

    def run(pyplot: Any) -> Figure:
        lines = _lines(chart)
        row = style.ROW_IN * 0.8
        axis = style.AXIS_IN * 0.6
        height = style.HEAD_IN + row * len(lines) + axis
        figure: Figure = pyplot.figure(figsize=(style.WIDTH_IN, height))
        bottom, top = axis / height, 1 - style.HEAD_IN / height
        axes = figure.add_axes((_PLOT_LEFT, bottom, _PLOT_RIGHT - _PLOT_LEFT, top - bottom))
        axes.set_xlim(0, 100)
        axes.set_ylim(len(lines) - 0.5, -0.5)
        axes.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
        axes.set_yticks([])
        axes.grid(axis="x", color=style.GRID, linewidth=0.5)
        axes.set_axisbelow(True)
        for side in ("top", "right", "left"):
            axes.spines[side].set_visible(False)
        for i, (kind, text, points) in enumerate(lines):
            y = top - (i + 0.5) * (top - bottom) / len(lines)
            if kind == "event":
                # A heading may run into the plot: keep the grid from crossing it.
                figure.text(
                    _NAME + 0.005,
                    y,
                    text,
                    va="center",
                    ha="left",
                    weight="bold",
                    zorder=5,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0},
                )
                if i:
                    line = pyplot.Line2D(
                        [0, 1],
                        [y + 0.5 * (top - bottom) / len(lines)] * 2,
                        color=style.GRID,
                        linewidth=0.6,
                    )
                    figure.add_artist(line)
                continue
            figure.text(_NAME + 0.02, y, text, va="center", ha="left")
            figure.text(_TREAT, y, _counts(points, False), va="center", ha="left")
            figure.text(_CONTROL, y, _counts(points, True), va="center", ha="left")
            for point in points:
                if point.percent is None:
                    continue
                control = point.control
                axes.plot(
                    [float(point.percent)],
                    [i],
                    linestyle="none",
                    marker="s" if control else "o",
                    markersize=6,
                    markerfacecolor="white" if control else style.TREATMENT,
                    markeredgecolor=style.CONTROL if control else style.TREATMENT,
                    markeredgewidth=1.4,
                    clip_on=False,  # a point at 100% is drawn whole
                )
        head_y = 1 - 0.5 * style.HEAD_IN / height
        for x, label, control in (
            (_TREAT, chart.treatment, False),
            (_CONTROL, chart.control, True),
        ):
            figure.text(x + 0.02, head_y, label, va="center", ha="left", weight="bold", wrap=True)
            figure.add_artist(
                pyplot.Line2D(
                    [x + 0.008],
                    [head_y],
                    marker="s" if control else "o",
                    markersize=6,
                    markerfacecolor="white" if control else style.TREATMENT,
                    markeredgecolor=style.CONTROL if control else style.TREATMENT,
                    markeredgewidth=1.4,
                    transform=figure.transFigure,
                )
            )
        figure.text(
            _NAME + 0.005, head_y, "Adverse event, trial", va="center", ha="left", weight="bold"
        )
        figure.text(
            (_PLOT_LEFT + _PLOT_RIGHT) / 2,
            head_y,
            "Patients with the event",
            va="center",
            ha="center",
            weight="bold",
        )
        return figure

    return run
