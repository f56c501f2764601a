"""Derived values and rounding arithmetic.

Derived values are computed from reported ones, never typed into data files, and
always carry the formula they came from, so the handbook can label them as derived.

Printed figures are rounded. A figure printed as ``55`` stands for anything in
``[54.5, 55.5]``; one printed as ``0.45`` for ``[0.445, 0.455]``. Two figures agree
when their intervals meet: that is the test every consistency check uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

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
    """Relative reduction in percent from a rate or hazard ratio: ``(1 − ratio) × 100``."""
    exact = (1 - ratio) * HUNDRED
    return Derived(exact, max(0, places(ratio) - 2), f"(1 − {ratio}) × 100", "%")


def reduction_range(ratio: Decimal) -> tuple[Decimal, Decimal]:
    """Every relative reduction consistent with ``ratio`` as printed."""
    low, high = interval(ratio)
    return (1 - high) * HUNDRED, (1 - low) * HUNDRED


def reduction_agrees(reduction: Decimal, ratio: Decimal, relation: str = "=") -> bool:
    """Does a printed relative reduction (percent) agree with a printed ratio?"""
    return overlaps(printed_range(reduction, relation), reduction_range(ratio))
