"""The forest plot's columns are as wide as their texts: no label runs into the next
column or into the plot, however long (the handbook's "CARE-MS I, 2 years" did)."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path
from typing import Any

import pytest

from trialbook.load.dataset import load_dataset
from trialbook.model.records import comparisons
from trialbook.report import figures

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg", force=True)
from matplotlib import pyplot  # noqa: E402

from trialbook.plot import forest as forest_plot  # noqa: E402
from trialbook.plot.style import RC  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "roots" / "test-figures" / "data"


def _boxes(figure: Any) -> tuple[list[tuple[float, Any]], Any]:
    renderer = figure.canvas.get_renderer()
    boxes = [(t.get_position()[1], t.get_window_extent(renderer)) for t in figure.texts]
    return boxes, figure.axes[0].get_window_extent(renderer)


@pytest.mark.parametrize("suffix", ["", ", 24 months of follow-up, intention to treat"])
def test_no_text_overlaps_another_column_or_the_plot(suffix: str) -> None:
    dataset = load_dataset(DATA).dataset
    trials = [r.trial for r in dataset.trials.values()]
    forest = figures.forest(dataset, comparisons(trials, ["relapse-rate"]))
    rows = tuple(dataclasses.replace(r, label=r.label + suffix) for r in forest.rows)
    forest = dataclasses.replace(forest, rows=rows)
    with matplotlib.rc_context(RC):
        figure = forest_plot.draw(forest, "Drugamab", "Comparon")(pyplot)
        try:
            boxes, plot = _boxes(figure)
        finally:
            pyplot.close(figure)
    rows_y = sorted({y for y, _ in boxes})
    for y in rows_y:
        line = sorted((b for yy, b in boxes if yy == y), key=lambda b: b.x0)
        assert len(line) == 4  # label, treatment, control, estimate
        for left, right in itertools.pairwise(line):
            assert left.x1 <= right.x0, (y, left, right)
        # The plot lies between the control column and the estimate.
        assert line[2].x1 <= plot.x0 and plot.x1 <= line[3].x0
        assert line[3].x1 <= figure.bbox.width + 0.5
    if suffix:  # too long for one line: the label breaks after its commas
        labels = [t.get_text() for t in figure.texts if t.get_weight() == "bold"]
        assert any("\n" in label for label in labels)
