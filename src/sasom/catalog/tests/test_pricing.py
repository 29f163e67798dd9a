"""The till's pricing arithmetic (``catalog.pricing``), pure: worked examples and properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sasom.catalog.pricing import (
    LineIn,
    PricingError,
    ProductPrices,
    Terms,
    basket_price,
)
from sasom.core.money import money

D = Decimal
RICE = ProductPrices(sku="RICE", name="ข้าว", category="FOOD", categories=frozenset({"FOOD"}), brand="",
                     excluded_from_points=False, list_price=D("100.00"), list_source="base",
                     member_price=D("90.00"), member_source="table:VIP")
BEER = ProductPrices(sku="BEER", name="เบียร์", category="LAGER", categories=frozenset({"LAGER", "ALCOHOL"}),
                     brand="", excluded_from_points=False, list_price=D("60.00"), list_source="table:STD@B2")
PRODUCTS = {"RICE": RICE, "BEER": BEER, "885": RICE}
VIP = Terms(authority="sasom", member_label="VIP", benefits_active=True, discount_percent=D("10"))


def line(code, qty="1", price=None, discount="0", no=1):
    return LineIn(line_no=no, code=code, quantity=D(qty), unit_price=None if price is None else D(price),
                  discount=D(discount))


def test_a_member_pays_the_member_price_less_the_member_discount():
    priced = basket_price((line("RICE", "3"),), PRODUCTS, VIP, open_lines=False)
    (ln,) = priced.lines
    assert (ln.list_price, ln.unit_price, ln.price_source, ln.member_discount, ln.net) == (
        D("100.00"), D("90.00"), "table:VIP", D("27.00"), D("243.00"))
    assert [a.kind for a in ln.adjustments] == ["member_price", "member_discount"]
    assert ln.adjustments[0].amount == D("-10.00")


def test_a_walk_in_pays_the_list_price():
    priced = basket_price((line("RICE"),), PRODUCTS, Terms(authority="sasom"), open_lines=False)
    assert (priced.lines[0].unit_price, priced.lines[0].price_source, priced.member_discount) == (
        D("100.00"), "base", D("0"))


def test_the_birthday_discount_is_taken_on_the_same_base_not_compounded():
    terms = Terms(authority="sasom", member_label="VIP", benefits_active=True, discount_percent=D("10"),
                  birthday_percent=D("5"))
    (ln,) = basket_price((line("RICE", "1", discount="10.00"),), PRODUCTS, terms, open_lines=False).lines
    # 90.00 less the POS's 10.00 = 80.00; 10 % = 8.00 and 5 % = 4.00 of 80.00
    assert (ln.member_discount, ln.birthday_discount, ln.discount, ln.net) == (
        D("8.00"), D("4.00"), D("22.00"), D("68.00"))


def test_each_discount_rounds_half_up_to_the_satang():
    terms = Terms(authority="sasom", member_label="VIP", benefits_active=True, discount_percent=D("7.5"))
    # 3 x 90.00 = 270.00 less 0.10 = 269.90; 7.5 % = 20.2425 -> 20.24; on 269.70 = 20.2275 -> 20.23
    (a,) = basket_price((line("RICE", "3", discount="0.10"),), PRODUCTS, terms, open_lines=False).lines
    (b,) = basket_price((line("RICE", "3", discount="0.30"),), PRODUCTS, terms, open_lines=False).lines
    assert (a.member_discount, b.member_discount) == (D("20.24"), D("20.23"))


def test_an_excluded_category_covers_its_subcategories():
    terms = Terms(authority="sasom", member_label="VIP", benefits_active=True, discount_percent=D("10"),
                  excluded_categories=frozenset({"ALCOHOL"}))
    rice, beer = basket_price((line("RICE"), line("BEER", no=2)), PRODUCTS, terms, open_lines=False).lines
    assert (rice.member_discount, beer.member_discount) == (D("9.00"), D("0"))
    assert beer.adjustments[-1].kind == "no_member_discount" and "LAGER" in beer.adjustments[-1].text


def test_discounted_lines_are_skipped_only_when_the_organization_says_so():
    skip = Terms(authority="sasom", member_label="VIP", benefits_active=True, discount_percent=D("10"),
                 skip_discounted_lines=True)
    promo, plain = basket_price((line("RICE", discount="5.00"), line("RICE", no=2)), PRODUCTS, skip,
                                open_lines=False).lines
    assert (promo.member_discount, plain.member_discount) == (D("0"), D("9.00"))
    (kept,) = basket_price((line("RICE", discount="5.00"),), PRODUCTS, VIP, open_lines=False).lines
    assert kept.member_discount == D("8.50")


def test_below_the_minimum_bill_there_is_no_member_discount_and_the_bill_says_why():
    terms = Terms(authority="sasom", member_label="VIP", benefits_active=True, discount_percent=D("10"),
                  min_bill=D("180.01"))
    under = basket_price((line("RICE", "2"),), PRODUCTS, terms, open_lines=False)
    at = basket_price((line("RICE", "2"),), PRODUCTS, Terms(**{**_terms_dict(terms), "min_bill": D("180.00")}),
                      open_lines=False)
    assert under.member_discount == D("0") and under.notes[0].kind == "no_member_discount"
    assert at.member_discount == D("18.00") and not at.notes


def test_inactive_benefits_give_the_list_price_and_say_why():
    terms = Terms(authority="sasom", member_label="VIP", benefits_active=False, benefits_reason="expired",
                  discount_percent=D("10"))
    priced = basket_price((line("RICE"),), PRODUCTS, terms, open_lines=False)
    assert (priced.lines[0].unit_price, priced.member_discount) == (D("100.00"), D("0"))
    assert "expired" in priced.notes[0].text


def test_the_pos_price_wins_under_pos_authority_and_takes_no_sasom_discount():
    terms = Terms(**{**_terms_dict(VIP), "authority": "pos"})
    sent, unsent = basket_price((line("RICE", price="95.00"), line("RICE", no=2)), PRODUCTS, terms,
                                open_lines=False).lines
    assert (sent.unit_price, sent.price_source, sent.price_flag, sent.member_discount) == (
        D("95.00"), "pos", "differs", D("0"))
    assert (unsent.unit_price, unsent.price_flag, unsent.member_discount) == (D("90.00"), "", D("9.00"))


@pytest.mark.parametrize("sent", ["90.00", "100.00"])
def test_a_sent_price_equal_to_the_member_or_list_price_is_not_flagged(sent):
    (ln,) = basket_price((line("RICE", price=sent),), PRODUCTS, VIP, open_lines=False).lines
    assert (ln.unit_price, ln.price_flag) == (D("90.00"), "")


def test_unknown_codes_are_refused_or_open_lines_at_the_sent_price():
    with pytest.raises(PricingError) as refused:
        basket_price((line("RICE"), line("NOPE", price="5.00", no=2)), PRODUCTS, VIP, open_lines=False)
    assert (refused.value.code, refused.value.field) == ("unknown_product", "lines.1.sku")
    with pytest.raises(PricingError) as unpriced:
        basket_price((line("NOPE"),), PRODUCTS, VIP, open_lines=True)
    assert (unpriced.value.code, unpriced.value.field) == ("price_required", "lines.0.unit_price")
    (ln,) = basket_price((line("NOPE", price="5.00"),), PRODUCTS, VIP, open_lines=True).lines
    assert (ln.price_source, ln.price_flag, ln.member_discount) == ("open", "open", D("0.50"))


def test_member_and_birthday_discounts_together_never_pass_the_line():
    terms = Terms(authority="sasom", member_label="STAFF", benefits_active=True, discount_percent=D("80"),
                  birthday_percent=D("50"))
    (ln,) = basket_price((line("RICE"),), PRODUCTS, terms, open_lines=False).lines
    assert (ln.member_discount, ln.birthday_discount, ln.net) == (D("72.00"), D("18.00"), D("0.00"))


def test_a_barcode_names_the_product_and_the_line_keeps_its_sku():
    (ln,) = basket_price((line("885"),), PRODUCTS, VIP, open_lines=False).lines
    assert ln.sku == "RICE"


def test_a_line_discount_above_the_line_is_refused():
    with pytest.raises(PricingError) as refused:
        basket_price((line("RICE", discount="90.01"),), PRODUCTS, VIP, open_lines=False)
    assert (refused.value.code, refused.value.field) == ("discount_above_line", "lines.0.discount")


def _terms_dict(terms: Terms) -> dict:
    return {name: getattr(terms, name) for name in terms.__slots__}


_percent = st.decimals(min_value=0, max_value=100, places=2)
_lines = st.lists(
    st.tuples(st.sampled_from(["RICE", "BEER"]), st.integers(1, 50),
              st.one_of(st.none(), st.decimals(min_value=0, max_value=500, places=2)),
              st.decimals(min_value=0, max_value=20, places=2)),
    min_size=1, max_size=8)


@settings(max_examples=200, deadline=None)
@given(lines=_lines, pct=_percent, bday=_percent, authority=st.sampled_from(["pos", "sasom"]))
def test_discounts_never_exceed_the_line_and_follow_the_percentages(lines, pct, bday, authority):
    terms = Terms(authority=authority, member_label="VIP", benefits_active=True, discount_percent=pct,
                  birthday_percent=bday)
    sent = tuple(LineIn(line_no=i, code=c, quantity=D(q), unit_price=p, discount=min(d, D(q) * 60))
                 for i, (c, q, p, d) in enumerate(lines, start=1))
    try:
        priced = basket_price(sent, PRODUCTS, terms, open_lines=False)
    except PricingError as exc:
        assert exc.code == "discount_above_line"
        return
    for ln in priced.lines:
        base = ln.amount - ln.pos_discount
        assert 0 <= ln.net <= ln.amount
        if ln.price_source == "pos":
            assert ln.member_discount == ln.birthday_discount == 0
        else:
            assert ln.member_discount == money(base * pct / 100)
            assert ln.birthday_discount == min(money(base * bday / 100), base - ln.member_discount)
    assert priced.member_discount == sum((ln.benefit_discount for ln in priced.lines), D("0"))
