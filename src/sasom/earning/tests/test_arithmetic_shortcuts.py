"""The engine's arithmetic shortcuts (issue 19, B1's app CPU) give what the plain formulas give,
digit for digit: an amount already at the currency's places formatted without ``money``, a floor
of a product in integers instead of ``Fraction`` objects, the base rate's points of an amount,
remembered texts of a rule's constants, a bill's eligible cents and base points."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from sasom.core.money import money
from sasom.earning.arithmetic import (
    Boost,
    Mode,
    floor_product,
    fmt_decimal,
    fmt_money,
    fmt_points,
    fraction_of,
)
from sasom.earning.bill import Bill, EarnPolicy
from sasom.earning.conditions import Scope, When
from sasom.earning.domain import Basket, BasketLine, MemberContext
from sasom.earning.kinds._common import RuleHead
from sasom.earning.kinds.base import BaseRule

amounts = st.decimals(
    min_value=Decimal("-99999999.9999"),
    max_value=Decimal("99999999.9999"),
    places=4,
    allow_nan=False,
    allow_infinity=False,
)
places = st.integers(min_value=0, max_value=4)
fractions = st.fractions(min_value=-(10**6), max_value=10**6, max_denominator=10**4)


def _money_text(value: Decimal, p: int) -> str:  # what fmt_money always wrote
    return f"{money(value, p):,.{p}f}"


@given(amounts, places)
def test_an_amount_is_written_as_money_writes_it(value, p):
    # at any places, with any number of decimals (as given, and as money rounded it first)
    assert fmt_money(value, p) == _money_text(value, p)
    rounded = money(value, p)
    assert fmt_money(rounded, p) == _money_text(rounded, p)


def test_a_negative_zero_and_whole_amounts_keep_their_text():
    for value, p in (
        (Decimal("-0.00"), 2),
        (Decimal("0"), 2),
        (Decimal("1000"), 0),
        (Decimal("1000.00"), 0),
        (Decimal("1234567.5"), 2),
        (Decimal("0.005"), 2),
    ):
        assert fmt_money(value, p) == _money_text(value, p)


@given(
    fractions | st.integers(min_value=-(10**9), max_value=10**9),
    fractions | st.integers(min_value=-(10**9), max_value=10**9),
)
def test_the_floor_of_a_product_is_the_fractions_floor(a, b):
    assert floor_product(a, b) == math.floor(Fraction(a) * Fraction(b))


@given(fractions | st.integers(min_value=0, max_value=10**9))
def test_points_are_written_as_before(value):
    v = Fraction(value)
    before = (
        f"{v.numerator:,}" if v.denominator == 1 else f"{money(v):,.2f}".rstrip("0").rstrip(".")
    )
    assert fmt_points(value) == before


@given(
    st.decimals(
        min_value=Decimal("-1000"),
        max_value=Decimal("1000"),
        places=3,
        allow_nan=False,
        allow_infinity=False,
    )
)
def test_a_constant_is_written_as_before_and_again_the_same(value):
    assert fmt_decimal(value) == format(value.normalize(), "f")
    assert fmt_decimal(value) == format(value.normalize(), "f")  # remembered


def test_zero_and_negative_zero_are_not_confused():
    assert (fmt_decimal(Decimal("-0")), fmt_decimal(Decimal("0")), fmt_decimal(Decimal("-0"))) == (
        "-0",
        "0",
        "-0",
    )


@given(
    st.sampled_from([Mode.MULTIPLY, Mode.EXTRA_TIMES, Mode.FIXED]),
    st.decimals(
        min_value=Decimal("0"),
        max_value=Decimal("10"),
        places=2,
        allow_nan=False,
        allow_infinity=False,
    ),
    fractions.filter(lambda f: f >= 0) | st.integers(min_value=0, max_value=10**6),
)
def test_a_boost_awards_as_the_fraction_formula_did(mode, value, base):
    points, _phrase = Boost(mode, value).apply(base)
    m = fraction_of(value)
    expected = {
        Mode.MULTIPLY: math.floor(Fraction(base) * (m - 1)),
        Mode.EXTRA_TIMES: math.floor(Fraction(base) * m),
        Mode.FIXED: int(value),
    }[mode]
    assert points == expected


_HEAD = RuleHead(
    id=1, code="BASE", name="base", priority=0, stop_further=False, scope=Scope(), when=When()
)


@given(
    amounts,
    st.integers(min_value=1, max_value=50),
    st.decimals(
        min_value=Decimal("0.01"),
        max_value=Decimal("1000"),
        places=2,
        allow_nan=False,
        allow_infinity=False,
    ),
)
def test_the_base_rate_gives_the_floor_of_the_exact_product(amount, points, per_amount):
    rule = _HEAD.make(BaseRule, per_amount=per_amount, points=points)
    assert rule.points_on(amount) == math.floor(
        Fraction(amount) * Fraction(points) / Fraction(per_amount)
    )


lines = st.lists(
    st.tuples(
        st.sampled_from(
            [Decimal("1"), Decimal("2"), Decimal("3"), Decimal("0.5"), Decimal("1.255")]
        ),
        st.decimals(
            min_value=Decimal("0.01"),
            max_value=Decimal("9999.99"),
            places=2,
            allow_nan=False,
            allow_infinity=False,
        ),
        st.sampled_from([Decimal("0"), Decimal("1.00"), Decimal("0.5")]),
    ),
    min_size=1,
    max_size=10,
)


@settings(max_examples=200)
@given(lines, st.sampled_from([2, 0]))
def test_a_bills_cents_and_base_points_are_the_exact_ones(rows, p):
    # given a basket of whole, fractional and three-decimal quantities, with and without discounts
    basket = Basket(
        occurred_at=dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC),
        lines=tuple(
            BasketLine(
                line_no=i,
                sku=f"S{i}",
                quantity=q,
                unit_price=price if p else money(price, 0),
                discount=d,
            )
            for i, (q, price, d) in enumerate(rows, start=1)
        ),
    )
    bill = Bill(
        basket, MemberContext(member_id=1), basket.occurred_at, EarnPolicy(), "THB" if p else "IRR"
    )
    rule = _HEAD.make(BaseRule, per_amount=Decimal("25"), points=1)
    bill.set_base(rule)
    # then each line's net, their sum and their base points are the exact values
    nets = [
        max(Fraction(0), Fraction(money(ln.quantity * ln.unit_price, p)) - Fraction(ln.discount))
        for ln in basket.lines
    ]
    assert bill.eligible_net == money(sum(nets, Fraction(0)), p)
    everything = tuple(range(len(rows)))
    assert bill.base_of(everything) == Fraction(bill.net_of(everything)) * Fraction(1, 25)
    assert bill.base_points == math.floor(Fraction(bill.eligible_net) / 25)
