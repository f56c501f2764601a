"""Derived values and rounding arithmetic.

Derived values are computed from reported ones, never typed into data files, and
always carry the formula they came from, so the handbook can label them as derived.

Printed figures are rounded. A figure printed as ``55`` stands for anything in
``[54.5, 55.5]``; one printed as ``0.45`` for ``[0.445, 0.455]``. Two figures agree
when their intervals meet: that is the test every consistency check uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)


def places(value: Decimal) -> int:
    """Decimal places as printed: ``Decimal('0.50')`` → 2, ``Decimal('55')`` → 0."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def half_unit(value: Decimal) -> Decimal:
    """Half of the last printed digit: the most that rounding can have moved it."""
    return Decimal(5).scaleb(-places(value) - 1)


def interval(value: Decimal) -> tuple[Decimal, Decimal]:
    """The values that print as ``value`` at its printed precision."""
    half = half_unit(value)
    return value - half, value + half


def printed_range(value: Decimal, relation: str = "=") -> tuple[Decimal, Decimal]:
    """Every exact value that a figure printed as ``relation value`` can stand for.

    ``=``: what rounds to it. ``≈`` ("about"): one unit of its last digit either
    way, so ``≈16`` is 15–17: looser, but still checkable. ``<`` and ``≤``: up to
    what rounds to it; ``>`` and ``≥``: from there up.
    """
    low, high = interval(value)
    if relation == "≈":
        unit = half_unit(value) * 2
        return value - unit, value + unit
    if relation in ("<", "≤"):
        return Decimal("-Infinity"), high
    if relation in (">", "≥"):
        return low, Decimal("Infinity")
    return low, high


def agrees(printed: Decimal, exact: Decimal, relation: str = "=") -> bool:
    """Can ``exact`` be what ``relation printed`` stands for? (Ties either way.)"""
    low, high = printed_range(printed, relation)
    return low <= exact <= high


def overlaps(a: tuple[Decimal, Decimal], b: tuple[Decimal, Decimal]) -> bool:
    """Do two closed intervals meet?"""
    return a[0] <= b[1] and b[0] <= a[1]


def round_to(value: Decimal, digits: int) -> Decimal:
    """Round half up to ``digits`` places, the way journals print."""
    return value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Derived:
    """A value computed by trialbook: the exact result, how to print it, and how."""

    exact: Decimal
    digits: int
    formula: str
    unit: str | None = None

    @property
    def value(self) -> Decimal:
        """The result rounded to the precision it is shown at."""
        return round_to(self.exact, self.digits)


def percent(n: int, total: int, digits: int = 1) -> Derived:
    """``n / N × 100``: the percentage of people with an event."""
    if total <= 0:
        raise ValueError("a percentage needs a positive denominator")
    exact = Decimal(n) * HUNDRED / Decimal(total)
    return Derived(exact, digits, f"{n} / {total} × 100", "%")


def reduction_from_ratio(ratio: Decimal) -> Derived:
    """Relative reduction in percent from a rate or hazard ratio: ``(1 − ratio) × 100``
    (negative for a ratio above 1: an increase, which the caller words as such)."""
    exact = (1 - ratio) * HUNDRED
    return Derived(exact, max(0, places(ratio) - 2), f"(1 − {ratio}) × 100", "%")


def reduction_range(ratio: Decimal) -> tuple[Decimal, Decimal]:
    """Every relative reduction consistent with ``ratio`` as printed."""
    low, high = interval(ratio)
    return (1 - high) * HUNDRED, (1 - low) * HUNDRED


def reduction_agrees(reduction: Decimal, ratio: Decimal, relation: str = "=") -> bool:
    """Does a printed relative reduction (percent) agree with a printed ratio?"""
    return overlaps(printed_range(reduction, relation), reduction_range(ratio))


# --------------------------------------------------------------------------- absolute effects
#
# A relative effect (HR, RR, rate ratio) says nothing about how many people it helps
# until it is applied to a baseline: the comparator's risk (or rate). These apply it,
# each with its formula, and turn the difference into a number needed to treat.
# Proportions are fractions here (0.111, not 11.1); :func:`per` scales for display.


def fraction_text(p: Decimal) -> str:
    """A fraction as formulas print it: ``0.111``, at most four decimals."""
    return f"{round_to(p, 4).normalize():f}"


def risk_with_hazard_ratio(p_control: Decimal, ratio: Decimal) -> Derived:
    """Risk of the event with the intervention: ``1 − (1 − p_c)^HR``.

    Proportional hazards over the same follow-up; for an event-free measure
    (relapse-free survival) use :func:`survival_with_hazard_ratio`.
    """
    exact = 1 - (1 - p_control) ** ratio
    return Derived(exact, 4, f"1 − (1 − {fraction_text(p_control)})^{ratio}")


def survival_with_hazard_ratio(s_control: Decimal, ratio: Decimal) -> Derived:
    """Event-free proportion with the intervention: ``S_c^HR``."""
    exact = s_control**ratio
    return Derived(exact, 4, f"{fraction_text(s_control)}^{ratio}")


def risk_with_risk_ratio(p_control: Decimal, ratio: Decimal) -> Derived:
    """Risk with the intervention: ``p_c × RR``."""
    return Derived(p_control * ratio, 4, f"{fraction_text(p_control)} × {ratio}")


def rate_with_rate_ratio(r_control: Decimal, ratio: Decimal) -> Derived:
    """Event rate with the intervention (per patient-year): ``r_c × RR``."""
    digits = max(places(r_control), places(ratio)) + 1
    return Derived(r_control * ratio, digits, f"{r_control} × {ratio}")


def per(value: Decimal, scale: int, formula: str) -> Derived:
    """A fraction (or rate per person) as a count per ``scale`` people, whole."""
    shown = f"({formula})" if any(op in formula for op in "+−×^/ ") else formula
    return Derived(value * scale, 0, f"{shown} × {scale}")


@dataclass(frozen=True, slots=True)
class NumberNeeded:
    """Number needed to treat (benefit) or harm, with its interval, or why there is none.

    After Altman (BMJ 1998;317:1309): NNT = 1 / ARD, rounded up; its interval is
    the reciprocals of the ARD's limits. When the ARD's interval includes 0, the
    NNT's "interval" would run through infinity: there is no NNT, say "not
    significant" instead.
    """

    kind: str  # "NNT" (benefit), "NNH" (harm), or "" when there is none
    value: Decimal | None
    interval: tuple[Decimal, Decimal] | None
    formula: str
    reason: str = ""


def number_needed(
    difference: Decimal, low: Decimal | None = None, high: Decimal | None = None
) -> NumberNeeded:
    """NNT or NNH from an absolute risk difference ``p_c − p_i`` (a fraction), with the
    difference's interval [low, high] if known; positive means fewer events."""
    formula = f"1 / {fraction_text(abs(difference))}, rounded up"
    if difference == 0:
        return NumberNeeded("", None, None, formula, "no difference")
    if low is not None and high is not None and low <= 0 <= high:
        return NumberNeeded("", None, None, formula, "not significant")
    kind = "NNT" if difference > 0 else "NNH"
    value = (1 / abs(difference)).to_integral_value(rounding=ROUND_CEILING)
    interval = None
    if low is not None and high is not None:
        ends = sorted(
            (1 / abs(low)).to_integral_value(rounding=ROUND_CEILING) for low in (low, high)
        )
        interval = (ends[0], ends[1])
    return NumberNeeded(kind, value, interval, formula)
