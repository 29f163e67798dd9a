"""The one money rounding rule, and that nobody rounds money another way."""

import pathlib
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sasom.core.money import is_cents, money, money_floor, money_of_decimal


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("0.005"), Decimal("0.01")),  # half up, not half even
        (Decimal("0.015"), Decimal("0.02")),
        (Decimal("0.025"), Decimal("0.03")),  # half even would give 0.02
        (Decimal("12.344"), Decimal("12.34")),
        (Fraction(1, 200), Decimal("0.01")),
        (Fraction(1, 3), Decimal("0.33")),
        (Fraction(-1, 200), Decimal("-0.01")),  # symmetric, as Decimal's ROUND_HALF_UP
        (7, Decimal("7.00")),
    ],
)
def test_money_rounds_half_up(value, expected):
    assert money(value) == expected
    assert str(money(value)) == str(expected)


@given(value=st.decimals(allow_nan=False, allow_infinity=False, min_value=-10**20, max_value=10**20).filter(
           lambda d: len(d.as_tuple().digits) <= 26),  # (more digits than quantize keeps: an error in both)
       places=st.sampled_from([0, 2, 4]))
def test_money_of_decimal_is_money(value, places):
    # the hot paths' rounding of a Decimal: money's digits, exponent included ("5.00", not "5")
    assert str(money_of_decimal(value, places)) == str(money(value, places))


def test_money_floor_never_gives_more():
    assert money_floor(Decimal("0.019")) == Decimal("0.01")
    assert money_floor(Decimal(2) / Decimal(3)) == Decimal("0.66")


def test_is_cents():
    assert is_cents(Decimal("1.10"))
    assert not is_cents(Decimal("1.101"))
    assert not is_cents(Decimal("NaN"))


def test_no_other_module_calls_quantize():
    root = pathlib.Path(__file__).resolve().parents[2]
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "tests" not in p.parts and p.name != "money.py" and ".quantize(" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []


@given(n=st.integers(min_value=-10**9, max_value=10**9), d=st.sampled_from([1, 2, 4, 5, 8, 10, 16, 25, 40, 125, 1000]))
def test_an_exact_fraction_rounds_as_the_same_decimal(n, d):
    # a Fraction whose decimal expansion is finite rounds exactly as that Decimal does
    assert money(Fraction(n, d)) == money(Decimal(n) / Decimal(d))
    assert money(Fraction(n, d)).as_tuple().exponent == -2


def test_is_cents_answers_for_numbers_longer_than_the_context():
    # 27 digits do not fit a quantize to cents (28 significant digits): still an answer, not an error
    assert is_cents(Decimal("100000000000000000000000000"))
    assert not is_cents(Decimal("1E-30"))
