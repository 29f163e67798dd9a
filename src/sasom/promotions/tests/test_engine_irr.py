"""A promotion's percent discount in an IRR shop rounds to whole rial (the lines carry ``places``)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from .test_engine_util import items, line, off, price, promo


def rial(*lines):
    return [dataclasses.replace(ln, places=0) for ln in lines]


def test_a_percent_discount_rounds_to_whole_rial():
    # given 7 % off any 2 saffron boxes at 1,234,567 rial and 98,765 rial
    p = promo("group_percent", {"quantity": 2, "percent": "7"}, items("SAFFRON", "TEA"))
    lines = rial(line(0, "SAFFRON", 1, 1234567), line(1, "TEA", 1, 98765))
    result = price([p], lines)
    # then 86,419.69 -> 86,420 and 6,913.55 -> 6,914 rial (half up), whole rial each
    assert off(result) == {0: Decimal("86420"), 1: Decimal("6914")}
    assert all(d.as_tuple().exponent == 0 for d in off(result).values())


def test_the_same_basket_in_thb_keeps_satang():
    p = promo("group_percent", {"quantity": 2, "percent": "7"}, items("SAFFRON", "TEA"))
    result = price([p], [line(0, "SAFFRON", 1, 1234567), line(1, "TEA", 1, 98765)])
    assert off(result) == {0: Decimal("86419.69"), 1: Decimal("6913.55")}


def test_an_amount_off_is_shared_out_in_whole_rial():
    # given 100,000 rial off a group of three equal lines: shares add up to the amount exactly
    p = promo("value_discount", {"threshold": "0", "amount": "100000", "scope": "group"}, items("A", "B", "C"))
    lines = rial(line(0, "A", 1, 50000), line(1, "B", 1, 50000), line(2, "C", 1, 50000))
    shares = off(price([p], lines))
    assert sum(shares.values()) == Decimal("100000")
    assert all(d == d.to_integral_value() for d in shares.values())
