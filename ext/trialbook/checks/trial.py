"""All checks of one trial that need only its own files (and the intervention ids)."""

from __future__ import annotations

from collections.abc import Iterable

from ..diagnostics import Diagnostic
from ..model.records import Trial
from ..model.values import Value
from ..model.walk import Nodes, iter_reported
from ..read.sourcemap import SourceMap
from .arithmetic import check_comparison, check_results, check_sizes, check_value
from .checker import Checker
from .references import check_trial_references


def check_trial(
    trial: Trial, smap: SourceMap, interventions: Iterable[str], *, nodes: Nodes | None = None
) -> list[Diagnostic]:
    """References, uniqueness and arithmetic of ``trial``.

    ``nodes`` is :func:`~trialbook.model.walk.model_nodes` of the trial, if the
    caller has it already.
    """
    c = Checker(smap)
    check_trial_references(c, trial, interventions)
    for i, outcome in enumerate(trial.outcomes):
        if outcome.comparison is not None:
            check_comparison(c, ("outcomes", i, "comparison"), outcome.comparison)
    check_sizes(c, trial)
    check_results(c, trial)
    values = iter_reported(trial, nodes=nodes)
    for path, value in values:
        if isinstance(value, Value):
            check_value(c, path, value)
    c.stale_acknowledgements(values)
    return c.diagnostics
