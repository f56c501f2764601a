"""Arithmetic that must agree: n ≤ N, % = n/N, CIs, p, ratio and reduction, arm sizes.

Printed figures are compared at their printed precision (see
:mod:`trialbook.report.derive`): ``55`` agrees with anything that rounds to it.
"""

from __future__ import annotations

from decimal import Decimal

from ..diagnostics import Code, FieldPath
from ..model.records import RATIO_KINDS, Comparison, Group, Measurement, Trial
from ..model.values import Tally, Value
from ..report import derive
from .checker import Checker


def _fmt(d: Decimal) -> str:
    return f"{d.normalize():f}" if d == d.to_integral() else str(d)


def check_value(c: Checker, path: FieldPath, v: Value) -> None:
    """Arithmetic within one value: n ≤ N, % = n/N, CI order and containment."""
    if v.n is not None and v.N is not None:
        if v.n > v.N:
            c.inconsistent(path, v, f"n ({v.n}) is larger than N ({v.N})", at="n")
        elif v.value is not None and v.unit == "%" and v.N > 0:
            exact = derive.percent(v.n, v.N).exact
            if not derive.agrees(v.value, exact, v.relation):
                shown = "" if v.relation == "=" else v.relation
                how = "at the printed precision" if v.relation == "=" else "even approximately"
                c.inconsistent(
                    path,
                    v,
                    f"{shown}{v.value}% does not agree with {v.n}/{v.N} = "
                    f"{derive.round_to(exact, 2)}% {how}",
                    at="value",
                )
    if isinstance(v, Tally):
        for name, count in (("serious", v.serious), ("fatal", v.fatal)):
            if count is not None and v.N is not None and count > v.N:
                c.inconsistent(path, v, f"{name} ({count}) is larger than N ({v.N})", at=name)
    if v.range is not None:
        low, high = v.range
        if not low <= high:
            c.inconsistent(path, v, f"range {low}–{high} runs backwards", at="range")
        elif v.value is not None and not low <= v.value <= high:
            c.inconsistent(
                path, v, f"range {low}–{high} does not contain the figure {v.value}", at="range"
            )
    if v.ci is not None:
        low, high = v.ci
        if not low < high:
            c.inconsistent(
                path, v, f"CI lower bound {low} is not below upper bound {high}", at="ci"
            )
        elif v.value is not None and not low <= v.value <= high:
            c.inconsistent(
                path, v, f"CI {low}–{high} does not contain the estimate {v.value}", at="ci"
            )


def check_comparison(c: Checker, path: FieldPath, comp: Comparison) -> None:
    """p in [0, 1], a ratio is positive, a relative reduction agrees with its ratio."""
    if comp.p is not None and comp.p.value is not None and not 0 <= comp.p.value <= 1:
        c.inconsistent((*path, "p"), comp.p, f"p = {comp.p.value} is outside [0, 1]")
    est = comp.estimate
    if comp.kind in RATIO_KINDS and est is not None and est.value is not None:
        if est.value <= 0:
            c.inconsistent((*path, "estimate"), est, f"a {comp.kind} must be positive")
        red = comp.reduction
        if red is not None and red.value is not None:
            if not derive.reduction_agrees(red.value, est.value, red.relation):
                low, high = derive.reduction_range(est.value)
                c.inconsistent(
                    (*path, "reduction"),
                    red,
                    f"relative reduction {red.value}% does not agree with {comp.kind} "
                    f"{est.value} (which implies {_fmt(derive.round_to(low, 1))}–"
                    f"{_fmt(derive.round_to(high, 1))}%)",
                )
            for i, other in enumerate(red.other_reports):
                # Other reports may disagree with the main figure: that is why they are
                # kept. They must still not contradict the ratio beyond their rounding.
                if not derive.reduction_agrees(other.value, est.value, other.relation):
                    c.warning(
                        (*path, "reduction", "other_reports", i),
                        f"{other.value}% (from {other.source}) does not agree with "
                        f"{comp.kind} {est.value}",
                        Code.CONSISTENCY,
                    )


def check_sizes(c: Checker, trial: Trial) -> None:
    """Arm sizes against the trial's randomized N, and analysed against randomized."""
    total = trial.randomized.value
    sizes = [
        a.randomized.value for a in trial.arms if a.randomized and a.randomized.value is not None
    ]
    if total is not None and sizes and sum(sizes) > total:
        c.inconsistent(
            ("randomized",),
            trial.randomized,
            f"the arms' randomized numbers add up to {sum(sizes)}, more than the trial's {total}",
        )
    for i, arm in enumerate(trial.arms):
        for name in ("analysed", "safety", "randomized"):
            size: Value | None = getattr(arm, name)
            if size is None or size.value is None:
                continue
            if total is not None and size.value > total:
                c.inconsistent(
                    ("arms", i, name),
                    size,
                    f"{size.value} is more than the trial's {total} randomized",
                )
        randomized = arm.randomized.value if arm.randomized else None
        analysed = arm.analysed.value if arm.analysed else None
        if (
            arm.analysed
            and randomized is not None
            and analysed is not None
            and analysed > randomized
        ):
            c.inconsistent(
                ("arms", i, "analysed"),
                arm.analysed,
                f"{analysed} analysed, more than the {randomized} randomized",
            )

    for i, group in enumerate(trial.groups):
        size = group.safety
        if (
            size is not None
            and size.value is not None
            and total is not None
            and size.value > total
        ):
            c.inconsistent(
                ("groups", i, "safety"),
                size,
                f"{size.value} is more than the trial's {total} randomized",
            )


def _population(trial: Trial, key: str) -> Decimal | None:
    """The most people an arm or group's results can be out of: its largest size given."""
    item = trial.arm_or_group(key)
    if item is None:
        return None
    sizes = [
        getattr(item, name).value
        for name in ("randomized", "analysed", "safety")
        if getattr(item, name, None) is not None and getattr(item, name).value is not None
    ]
    if not sizes and isinstance(item, Group):
        arms = [trial.arm_or_group(a) for a in item.arms]
        parts = [_population(trial, a.id) for a in arms if a is not None]
        if parts and all(p is not None for p in parts):
            return sum((p for p in parts if p is not None), Decimal(0))
    return max(sizes) if sizes else None


def _proportion(c: Checker, path: FieldPath, v: Value) -> None:
    if v.unit == "%" and v.value is not None and not 0 <= v.value <= 100:
        c.inconsistent(path, v, f"a proportion of {v.value}% is outside 0–100%", at="value")


def measurement_values(path: FieldPath, m: Measurement) -> list[tuple[FieldPath, Value]]:
    """A measurement's figures with their paths: ``all``, then by arm or treatment."""
    out: list[tuple[FieldPath, Value]] = [((*path, "all"), m.all)] if m.all is not None else []
    out += [((*path, "results", key), v) for key, v in m.results.items()]
    return out


def check_measurement(c: Checker, path: FieldPath, m: Measurement) -> None:
    """A measurement outside a trial: each value's arithmetic, percentages within 0–100%."""
    for here, v in measurement_values(path, m):
        check_value(c, here, v)
        _proportion(c, here, v)


def check_results(c: Checker, trial: Trial) -> None:
    """Per-arm results that cannot be: a proportion outside 0–100%, or a denominator
    larger than the trial or than the arm (or group) it is about."""
    total = trial.randomized.value
    keyed: list[tuple[str, int, dict[str, Value], bool]] = [
        ("outcomes", i, dict(o.results), o.measure == "proportion-of-patients")
        for i, o in enumerate(trial.outcomes)
    ] + [("adverse_events", i, dict(e.results), True) for i, e in enumerate(trial.adverse_events)]
    measured: list[tuple[FieldPath, Measurement]] = [
        *((("baseline", i), m) for i, m in enumerate(trial.baseline)),
        *((("eligibility", i), m) for i, m in enumerate(trial.eligibility)),
    ]
    for i, ext in enumerate(trial.extensions):
        measured += [(("extensions", i, "results", j), m) for j, m in enumerate(ext.results)]
    for path, m in measured:
        for here, v in measurement_values(path, m):
            _proportion(c, here, v)
            if v.N is None or here[-1] == "all":
                continue  # "all" may cover more than the trial (a pooled abstract)
            if total is not None and total < v.N:
                c.inconsistent(
                    here, v, f"N ({v.N}) is more than the trial's {total} randomized", at="N"
                )
                continue
            population = _population(trial, str(here[-1]))
            if population is not None and population < v.N:
                c.inconsistent(
                    here, v, f"N ({v.N}) is more than the {population} in {here[-1]!r}", at="N"
                )
    for kind, i, results, proportion in keyed:
        for key, v in results.items():
            path = (kind, i, "results", key)
            if proportion:
                _proportion(c, path, v)
            if v.N is None:
                continue
            if total is not None and total < v.N:
                c.inconsistent(
                    path, v, f"N ({v.N}) is more than the trial's {total} randomized", at="N"
                )
                continue
            population = _population(trial, key)
            if population is not None and population < v.N:
                c.inconsistent(
                    path, v, f"N ({v.N}) is more than the {population} in {key!r}", at="N"
                )
    for i, outcome in enumerate(trial.outcomes):
        red = outcome.comparison.reduction if outcome.comparison else None
        if red is not None and red.value is not None and red.value > 100:
            path = ("outcomes", i, "comparison", "reduction")
            c.inconsistent(path, red, f"a relative reduction of {red.value}% is over 100%")
