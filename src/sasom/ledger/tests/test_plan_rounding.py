"""The plan's lines without a second rounding pass (``ledger.plan.line_rows``, ``rounded``): the
same values, digit for digit (``str`` included: the answer shows them), as rounding every value
with ``core.money.money`` the way the plan did before, for values the pricing already rounded and
for values taken as sent (more decimals, fewer, zero), in every currency's number of places."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from sasom.core.money import money
from sasom.earning import engine
from sasom.ledger.plan import LineRow, line_rows, rounded
from sasom.ledger.plan_promotions import PROMOTION_NOTE, line_promotions

AT = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)


def every_value_rounded(basket: engine.Basket, places: int) -> tuple[tuple[LineRow, ...], Decimal]:
    """The plan's lines as ``line_rows`` built them before: ``money()`` over every value."""
    rows, gross = [], Decimal("0")
    promoted = line_promotions(basket.pricing) if basket.pricing else {}
    for ln in sorted(basket.lines, key=lambda x: x.line_no):
        promo_discount, promo_codes = promoted.get(ln.line_no, (Decimal("0"), ""))
        amount = money(ln.quantity * ln.unit_price, places)
        gross += amount
        rows.append(LineRow(
            line_no=ln.line_no, sku=ln.sku[:64], category=ln.category[:64], brand=ln.brand[:64],
            quantity=ln.quantity, unit_price=ln.unit_price, discount=money(ln.discount),
            net=money(amount - ln.discount), list_price=ln.list_price, price_source=ln.price_source[:40],
            price_flag=ln.price_flag[:8], member_discount=money(ln.member_discount),
            excluded_from_points=ln.excluded_from_points, promotion_discount=money(promo_discount),
            promotions=promo_codes[:200],
        ))
    return tuple(rows), gross


def amounts(max_places: int = 4) -> st.SearchStrategy[Decimal]:
    """A money value as pricing hands it (at the currency's places) or as a POS sends it (any
    number of decimals from 0 to ``max_places``, zero included)."""
    return st.builds(lambda units, places: Decimal(units).scaleb(-places),
                     st.integers(min_value=0, max_value=2_000_000), st.integers(min_value=0, max_value=max_places))


quantities = st.one_of(st.integers(min_value=1, max_value=30).map(Decimal),
                       st.builds(lambda n: Decimal(n).scaleb(-3), st.integers(min_value=1, max_value=9_999)))


@st.composite
def baskets(draw: st.DrawFn) -> engine.Basket:
    count = draw(st.integers(min_value=1, max_value=8))
    lines, notes = [], []
    for no in range(1, count + 1):
        price = draw(amounts())
        quantity = draw(quantities)
        discount = draw(st.one_of(st.just(Decimal("0")), st.just(Decimal("0.00")), amounts()))
        member = draw(st.one_of(st.just(Decimal("0")), amounts()))
        lines.append(engine.BasketLine(line_no=no, sku=f"S{no}", quantity=quantity, unit_price=price,
                                       discount=discount, member_discount=member, list_price=price))
        for code in draw(st.lists(st.sampled_from(["B2G1", "PCT5", "SET"]), max_size=2)):
            notes.append((no, f"{PROMOTION_NOTE}{code}", str(draw(amounts(3))), "why"))
    return engine.Basket(occurred_at=AT, lines=tuple(draw(st.permutations(lines))), pricing=tuple(notes))


def _same(a: Decimal, b: Decimal) -> bool:
    return a == b and str(a) == str(b)


@settings(max_examples=300, deadline=None)
@given(basket=baskets(), places=st.integers(min_value=0, max_value=4))
def test_line_rows_equal_rounding_every_value(basket: engine.Basket, places: int) -> None:
    # given a basket with values at the currency's places and values taken as sent
    # when the plan's lines are built
    rows, gross = line_rows(basket, places)
    expected_rows, expected_gross = every_value_rounded(basket, places)
    # then every value equals money() over it, digit for digit
    assert _same(gross, expected_gross)
    assert len(rows) == len(expected_rows)
    for got, want in zip(rows, expected_rows, strict=True):
        assert got == want
        for name in ("discount", "net", "member_discount", "promotion_discount"):
            assert _same(getattr(got, name), getattr(want, name)), name


@given(value=st.one_of(amounts(), st.decimals(allow_nan=False, allow_infinity=False, places=6,
                                             min_value=-10**9, max_value=10**9)),
       places=st.integers(min_value=0, max_value=4))
def test_rounded_is_money(value: Decimal, places: int) -> None:
    assert _same(rounded(value, places), money(value, places))


def test_rounded_takes_a_priced_value_as_it_is() -> None:
    # given a value the pricing rounded, and the same amount with fewer or more decimals
    priced = Decimal("12.50")
    # then the rounded one is the very object; the others are rounded to the places
    assert rounded(priced) is priced
    assert str(rounded(Decimal("12.5"))) == "12.50"
    assert str(rounded(Decimal("12.505"))) == "12.51"
    assert str(rounded(Decimal("0"))) == "0.00"
    assert str(rounded(Decimal("1250"), 0)) == "1250"
    assert str(rounded(Decimal("1250.5"), 0)) == "1251"


def test_a_zero_sent_without_places_is_money_zero_digit_for_digit() -> None:
    # given zeros as a POS sends them ("0", "0.000", "0E+2") and a negative zero
    for text in ("0", "0.0", "0.000", "0E+2", "-0", "-0.000"):
        for places in range(0, 5):
            # then rounded() is money(), the sign and the exponent too
            assert _same(rounded(Decimal(text), places), money(Decimal(text), places)), (text, places)


def test_rounded_takes_a_whole_number_given_by_code() -> None:
    # a points discount of 10 passed as an int (code, not the till's pricing) is money, not an error
    assert str(rounded(10)) == "10.00" and str(rounded(10, 0)) == "10"
