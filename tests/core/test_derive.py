"""Rounding arithmetic and derived values (``trialbook.report.derive``)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from trialbook.report import derive

D = Decimal


@pytest.mark.parametrize(
    ("printed", "expected"),
    [("55", 0), ("0.45", 2), ("0.50", 2), ("54.9", 1), ("0.0001", 4), ("-0.17", 2), ("1E+1", 0)],
)
def test_places(printed: str, expected: int) -> None:
    assert derive.places(D(printed)) == expected


@pytest.mark.parametrize(
    ("printed", "low", "high"),
    [
        ("55", "54.5", "55.5"),
        ("0.45", "0.445", "0.455"),
        ("0.50", "0.495", "0.505"),
        ("2.8", "2.75", "2.85"),
        ("-0.17", "-0.175", "-0.165"),
    ],
)
def test_interval(printed: str, low: str, high: str) -> None:
    assert derive.interval(D(printed)) == (D(low), D(high))


@pytest.mark.parametrize(
    ("printed", "exact", "expected"),
    [
        ("55", "54.9", True),
        ("55", "54.4", False),
        ("55", "54.5", True),  # a tie rounds either way
        ("55", "55.5", True),
        ("55", "55.51", False),
        ("0.45", "0.445", True),
        ("0.45", "0.4449", False),
        ("0.5", "0.45", True),
        ("0.50", "0.45", False),  # the printed zero is a digit
        ("51.5", "51.48514851", True),
        ("53", "51.48514851", False),
    ],
)
def test_agrees(printed: str, exact: str, expected: bool) -> None:
    assert derive.agrees(D(printed), D(exact)) is expected


def test_overlaps() -> None:
    assert derive.overlaps((D(1), D(2)), (D(2), D(3)))
    assert derive.overlaps((D(2), D(3)), (D(1), D("2.5")))
    assert not derive.overlaps((D(1), D(2)), (D("2.01"), D(3)))


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [("0.445", 2, "0.45"), ("2.5", 0, "3"), ("51.48514", 1, "51.5"), ("-2.5", 0, "-3")],
)
def test_round_to_is_half_up(value: str, digits: int, expected: str) -> None:
    assert str(derive.round_to(D(value), digits)) == expected


def test_percent() -> None:
    result = derive.percent(104, 202)
    assert str(result.exact).startswith("51.485148514851")
    assert result.value == D("51.5")
    assert result.digits == 1
    assert result.unit == "%"
    assert result.formula == "104 / 202 × 100"
    assert derive.percent(104, 202, digits=0).value == D(51)
    assert derive.percent(0, 202).value == 0


def test_reduction_from_ratio() -> None:
    result = derive.reduction_from_ratio(D("0.45"))
    assert result.exact == 55
    assert result.value == D(55)
    assert str(result.value) == "55"
    assert result.unit == "%"
    assert result.formula == "(1 − 0.45) × 100"
    # One more printed digit in the ratio gives one decimal in the reduction.
    assert str(derive.reduction_from_ratio(D("0.451")).value) == "54.9"


def test_reduction_range() -> None:
    assert derive.reduction_range(D("0.45")) == (D("54.5"), D("55.5"))


@pytest.mark.parametrize(
    ("reduction", "ratio", "expected"),
    [
        ("54.9", "0.45", True),
        ("55", "0.45", True),
        ("40", "0.45", False),
        ("71", "0.29", True),
        ("49", "0.51", True),
        ("42", "0.58", True),
        ("74", "0.29", False),
        ("56", "0.45", True),  # [55.5, 56.5] touches [54.5, 55.5]
        ("57", "0.45", False),
    ],
)
def test_reduction_agrees(reduction: str, ratio: str, expected: bool) -> None:
    assert derive.reduction_agrees(D(reduction), D(ratio)) is expected


def test_derived_value_rounds_exact() -> None:
    result = derive.Derived(D("51.48514"), 1, "104 / 202 × 100", "%")
    assert result.value == D("51.5")


@pytest.mark.parametrize("total", [0, -1])
def test_percent_needs_positive_denominator(total: int) -> None:
    with pytest.raises(ValueError, match="positive denominator"):
        derive.percent(1, total)
