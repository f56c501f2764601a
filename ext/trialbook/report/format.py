"""The one number formatter: every figure the handbook prints goes through here.

Output is plain Unicode text, identical for HTML, LaTeX and plain text:

* figures keep the precision the source printed (``0.50`` stays ``0.50``);
* no thousands separator (``1713``, as a formula shows it: ``19 / 1188 × 100``);
  the handbook's own text writes numbers the same way;
* negative numbers take a real minus sign (U+2212), ranges an en dash;
* a no-break space (U+00A0) binds ``p`` and its relation to the number, so
  ``p < 0.0001`` never wraps.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from ..model.values import OtherReport, Tally, Value
from .derive import Derived

MINUS = "\u2212"
EN_DASH = "\u2013"
NBSP = "\u00a0"
NOT_REPORTED = "not reported"

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def number(value: Decimal | int, *, signed: bool = False) -> str:
    """A figure as printed, with a true minus sign (and ``+`` if ``signed``)."""
    text = str(value) if isinstance(value, int) else f"{value:f}"
    if text.startswith("-") and value != 0:
        return MINUS + text[1:]
    text = text.removeprefix("-")  # −0.0 is printed as 0.0
    if signed and value != 0:
        return "+" + text
    return text


def with_unit(value: Decimal | int, unit: str | None, *, signed: bool = False) -> str:
    """``22%``, ``12 mg``, or the bare figure."""
    text = number(value, signed=signed)
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text}{NBSP}{unit}"


def ci(low: Decimal, high: Decimal) -> str:
    """A confidence interval's bounds: ``0.32–0.63``; ``−1.04 to −0.36`` when a bound is
    negative, where a dash between two minus signs would read as a subtraction."""
    if low < 0 or high < 0:
        return f"{number(low)} to {number(high)}"
    return f"{number(low)}{EN_DASH}{number(high)}"


def _relation(relation: str) -> str:
    return "" if relation == "=" else relation


def value(v: Value, *, signed: bool = False) -> str:
    """A reported value: ``0.45 (0.32–0.63)``, ``82/376 (22%)``, ``≈16%``, ``2/9 (22%), 1 fatal``.

    ``signed`` puts ``+`` before positive figures (for changes from baseline).
    """
    if not v.reported:
        return NOT_REPORTED
    parts: list[str] = []
    figure = (
        _relation(v.relation) + with_unit(v.value, v.unit, signed=signed)
        if v.value is not None
        else None
    )
    if v.n is not None and v.N is not None:
        counts = f"{v.n}/{v.N}"
        parts.append(f"{counts} ({figure})" if figure else counts)
    elif v.n is not None:
        parts.append(f"{v.n} ({figure})" if figure else str(v.n))
    elif figure:
        parts.append(figure)
    text = " ".join(parts)
    if v.sd is not None:
        text += f" ± {number(v.sd)}"
    if v.range is not None:
        span = ci(*v.range)
        if text:
            text += f" (range {span})"
        else:  # a range alone: "7.2–8.66", "1.0–1.9%"
            text = span + ("%" if v.unit == "%" else "")
    if v.ci is not None:
        text += f" ({ci(*v.ci)})"
    if isinstance(v, Tally):
        extra = []
        if v.serious is not None:
            extra.append(f"{v.serious}{'/' + str(v.N) if v.n is None and v.N else ''} serious")
        if v.fatal is not None:
            extra.append(f"{v.fatal} fatal")
        if extra:
            text = ", ".join([text, *extra]) if text else ", ".join(extra)
    return text


def statistic(name: str | None) -> str:
    """How a measurement's figures read: ``mean ± SD``, ``median (range)``, ``n/N (%)``."""
    return {"mean": "mean ± SD", "median": "median (range)", "count": "n/N (%)"}.get(
        name or "", name or ""
    )


def other_report(o: OtherReport) -> str:
    """Another source's figure for the same quantity: ``≈16%``."""
    return _relation(o.relation) + with_unit(o.value, o.unit)


def p_value(v: Value) -> str:
    """``p < 0.0001`` or ``p = 0.22``, bound with no-break spaces."""
    if not v.reported or v.value is None:
        return NOT_REPORTED
    relation = "=" if v.relation == "=" else v.relation
    return f"p{NBSP}{relation}{NBSP}{number(v.value)}"


def derived(d: Derived, *, signed: bool = False) -> str:
    """A derived value at its display precision, with its unit."""
    unit = d.unit if d.unit == "%" else None
    return with_unit(d.value, unit, signed=signed)


def date(text: str) -> str:
    """``2014-11-14`` → ``14 November 2014``; ``2013-09`` → ``September 2013``."""
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 3:
        day = datetime.date(*parts)
        return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
    if len(parts) == 2:
        return f"{_MONTHS[parts[1] - 1]} {parts[0]}"
    return str(parts[0])
