"""Pricing in two passes (``catalog.pricing.basket_price(promote=...)``): the POS promotions run
between the member price and the member's discounts (DOMAIN.md 9). Pure; the promotions are
stood in for by a plain function, as the checkout composes the engine in."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from sasom.catalog.pricing import Adjustment, PricedLine, basket_price
from sasom.catalog.tests.test_pricing import PRODUCTS, VIP, line

D = Decimal


def third_free(lines: tuple[PricedLine, ...]) -> tuple[PricedLine, ...]:
    """Buy 2 get 1 on every line: one unit in three at the line's price is free."""
    out = []
    for ln in lines:
        free = int(ln.quantity) // 3
        if free:
            off = ln.unit_price * free
            ln = dataclasses.replace(ln, promotion_discount=off, adjustments=(
                *ln.adjustments, Adjustment("promotion:B2G1", off, f"Buy 2 get 1: {free} free")))
        out.append(ln)
    return tuple(out)


def test_the_member_discount_is_taken_on_what_the_promotion_left():
    # given 3 rice at the member price 90.00, the third free, and a 10 % member discount
    # when the basket is priced with the promotion between the passes
    (ln,) = basket_price((line("RICE", "3"),), PRODUCTS, VIP, open_lines=False, promote=third_free).lines
    # then 270.00 - 90.00 (free) = 180.00, and 10 % of 180.00 = 18.00
    assert (ln.promotion_discount, ln.member_discount, ln.discount, ln.net) == (
        D("90.00"), D("18.00"), D("108.00"), D("162.00"))
    assert [a.kind for a in ln.adjustments] == ["member_price", "promotion:B2G1", "member_discount"]


def test_a_promoted_line_counts_as_already_discounted_when_the_shop_says_so():
    terms = dataclasses.replace(VIP, skip_discounted_lines=True)
    lines = (line("RICE", "3", no=1), line("BEER", "1", no=2))
    promoted, plain = basket_price(lines, PRODUCTS, terms, open_lines=False, promote=third_free).lines
    assert (promoted.member_discount, plain.member_discount) == (D("0"), D("6.00"))
    assert promoted.adjustments[-1].text == "No member discount: the line is already discounted"


def test_the_minimum_bill_is_read_after_the_promotions():
    # given a 200.00 minimum: 3 rice cost 270.00 at the member price, 180.00 after the free one
    terms = dataclasses.replace(VIP, min_bill=D("200.00"))
    priced = basket_price((line("RICE", "3"),), PRODUCTS, terms, open_lines=False, promote=third_free)
    assert priced.member_discount == D("0")
    assert "under the minimum 200.00" in priced.notes[0].text


@given(qty=st.integers(min_value=1, max_value=40), percent=st.sampled_from([D("0"), D("5"), D("10"), D("12.5")]))
def test_no_promotion_changes_nothing_and_a_promotion_never_raises_a_line(qty, percent):
    terms = dataclasses.replace(VIP, discount_percent=percent)
    lines = (line("RICE", str(qty)),)
    plain = basket_price(lines, PRODUCTS, terms, open_lines=False)
    same = basket_price(lines, PRODUCTS, terms, open_lines=False, promote=lambda ls: ls)
    promoted = basket_price(lines, PRODUCTS, terms, open_lines=False, promote=third_free)
    assert plain == same
    assert D("0") <= promoted.lines[0].net <= plain.lines[0].net
