"""The number formatter (``trialbook.report.format``): precision, signs, dashes, spaces."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from trialbook.model.values import OtherReport, Tally, Value
from trialbook.report import derive
from trialbook.report import format as fmt

D = Decimal
MINUS = "\u2212"
EN_DASH = "\u2013"
NBSP = "\u00a0"


def test_constants() -> None:
    assert (fmt.MINUS, fmt.EN_DASH, fmt.NBSP) == (MINUS, EN_DASH, NBSP)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("0.50"), "0.50"),
        (D("0.45"), "0.45"),
        (D("8.0"), "8.0"),
        (D("0.0001"), "0.0001"),
        (D("55"), "55"),
        (840, "840"),
        (D("1E+1"), "10"),  # never scientific notation
        (D("-0.17"), f"{MINUS}0.17"),
        (-3, f"{MINUS}3"),
    ],
)
def test_number(value: Decimal | int, expected: str) -> None:
    assert fmt.number(value) == expected
    assert "-" not in fmt.number(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("0.38"), "+0.38"),
        (D("-0.39"), f"{MINUS}0.39"),
        (D("0"), "0"),
        (D("0.00"), "0.00"),
        (3, "+3"),
    ],
)
def test_number_signed(value: Decimal | int, expected: str) -> None:
    assert fmt.number(value, signed=True) == expected


def test_with_unit() -> None:
    assert fmt.with_unit(D(22), "%") == "22%"
    assert fmt.with_unit(D(12), "mg") == f"12{NBSP}mg"
    assert fmt.with_unit(D("0.45"), None) == "0.45"
    assert fmt.with_unit(D("3.1"), "%", signed=True) == "+3.1%"


def test_ci_uses_en_dash() -> None:
    assert fmt.ci(D("0.32"), D("0.63")) == f"0.32{EN_DASH}0.63"
    assert fmt.ci(D("-0.50"), D("-0.10")) == f"{MINUS}0.50 to {MINUS}0.10"  # not −0.50–−0.10
    assert fmt.ci(D("-0.5"), D("0.1")) == f"{MINUS}0.5 to 0.1"


def v(raw: Any) -> Value:
    return Value.model_validate(raw)


def t(raw: Any) -> Tally:
    return Tally.model_validate(raw)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (v(D("0.45")), "0.45"),
        (v(D("0.10")), "0.10"),
        (v("77.6%"), "77.6%"),
        (v({"n": 82, "N": 376, "value": D(22), "unit": "%"}), "82/376 (22%)"),
        (v({"n": 82, "N": 376}), "82/376"),
        (v({"value": D(16), "relation": "≈", "unit": "%"}), "≈16%"),
        (v("~16%"), "≈16%"),
        (v("<0.0001"), "<0.0001"),
        (v({"value": D("0.45"), "ci": [D("0.32"), D("0.63")]}), f"0.45 (0.32{EN_DASH}0.63)"),
        (v(D("-0.14")), f"{MINUS}0.14"),
        (v("not reported"), "not reported"),
        (v({"value": D(12), "unit": "mg"}), f"12{NBSP}mg"),
    ],
)
def test_value(value: Value, expected: str) -> None:
    assert fmt.value(value) == expected


def test_value_signed() -> None:
    assert fmt.value(v(D("0.38")), signed=True) == "+0.38"
    assert fmt.value(v(D("-0.39")), signed=True) == f"{MINUS}0.39"


@pytest.mark.parametrize(
    ("tally", "expected"),
    [
        (t({"n": 213, "N": 216, "value": D(99)}), "213/216 (99%)"),  # % is a tally's unit
        (t({"n": 6, "N": 216, "value": D("2.8"), "fatal": 1}), "6/216 (2.8%), 1 fatal"),
        (t({"n": 3, "N": 376, "value": D(1), "serious": 3}), "3/376 (1%), 3 serious"),
        (t({"value": D(1), "relation": "≈", "serious": 5, "N": 596}), "≈1%, 5/596 serious"),
        (t({"serious": 2, "fatal": 1}), "2 serious, 1 fatal"),
        (t({"n": 0}), "0"),
    ],
)
def test_value_tally(tally: Tally, expected: str) -> None:
    assert fmt.value(tally) == expected


def test_other_report() -> None:
    other = OtherReport.model_validate({"value": D(16), "relation": "≈", "unit": "%"})
    assert fmt.other_report(other) == "≈16%"
    assert fmt.other_report(OtherReport.model_validate({"value": D(840)})) == "840"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<0.0001", f"p{NBSP}<{NBSP}0.0001"),
        (D("0.22"), f"p{NBSP}={NBSP}0.22"),
        (D("0.0084"), f"p{NBSP}={NBSP}0.0084"),
        ("<=0.05", f"p{NBSP}≤{NBSP}0.05"),
        ("not reported", "not reported"),
    ],
)
def test_p_value(raw: Any, expected: str) -> None:
    text = fmt.p_value(v(raw))
    assert text == expected
    assert " " not in text.removeprefix("not reported")


def test_derived() -> None:
    assert fmt.derived(derive.reduction_from_ratio(D("0.45"))) == "55%"
    assert fmt.derived(derive.percent(104, 202)) == "51.5%"
    # Units other than % are left to the caller's wording.
    points = "percentage points"
    assert fmt.derived(derive.Derived(D("3.1"), 1, "11.1 − 8.0", points), signed=True) == "+3.1"
    assert fmt.derived(derive.Derived(D(-18), 0, "22 − 40", points)) == f"{MINUS}18"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2014-11-14", "14 November 2014"),
        ("2013-09-17", "17 September 2013"),
        ("2014-01-05", "5 January 2014"),
        ("2013-09", "September 2013"),
        ("2011-12", "December 2011"),
        ("2014", "2014"),
    ],
)
def test_date(text: str, expected: str) -> None:
    assert fmt.date(text) == expected
