"""Family 4, a group's value reached (295 THB of Pantene), with seed 001's examples."""

from __future__ import annotations

from sasom.promotions.engine.types import Gift
from sasom.promotions.tests.test_engine_util import D, bill, ctx, items, line, off, price, promo

PANTENE = items(brands=("pantene",))
PRICES = {"PANTENE-100ML": D("59.00"), "PANTENE-CONDITIONER": D("139.00")}
BASKET = [line(1, "PANTENE-MASK", 1, 150, brand="pantene"), line(2, "PANTENE-SERUM", 1, 150, brand="pantene")]


def test_4a_295_baht_of_pantene_gives_a_free_100ml_shampoo() -> None:
    p = promo("value_gift", {"threshold": "295", "gifts": ["PANTENE-100ML"]}, PANTENE)
    result = price([p], BASKET, ctx(gift_prices=PRICES))
    assert [g for _, g in result.gifts] == [Gift("PANTENE-100ML", D(1), D(0), D("59.00"))]


def test_4a_short_of_the_threshold_a_hint_says_how_much_more() -> None:
    p = promo("value_gift", {"threshold": "295", "gifts": ["PANTENE-100ML"]}, PANTENE, code="V")
    lines = [line(1, "PANTENE-MASK", 1, 150, brand="pantene"), line(2, "PANTENE-SERUM", 1, 100, brand="pantene")]
    result = price([p], lines, ctx(gift_prices=PRICES))
    assert result.applied == ()
    assert [(h.promotion, h.missing_amount) for h in result.hints] == [("V", D("45.00"))]
    assert "spend 45.00 more" in result.hints[0].reward


def test_4b_to_4d_choices_and_purchase_with_purchase() -> None:
    choose = promo("value_gift", {"threshold": "295", "gifts": ["PANTENE-100ML", "PANTENE-CONDITIONER"]}, PANTENE,
                   code="G")
    assert len(price([choose], BASKET, ctx(gift_prices=PRICES)).choices) == 1
    pwp = promo("value_pwp", {"threshold": "295", "offers": ["PANTENE-100ML"], "offer_price": "1"}, PANTENE)
    assert price([pwp], BASKET, ctx(gift_prices=PRICES)).discount == D("58.00")
    pick = promo("value_pwp", {"threshold": "295", "offers": ["PANTENE-100ML", "PANTENE-CONDITIONER"],
                               "offer_price": "1"}, PANTENE, code="C")
    result = price([pick], BASKET, ctx(gift_prices=PRICES, choices={"C": "PANTENE-CONDITIONER"}))
    assert [(g.sku, g.unit_price) for _, g in result.gifts] == [("PANTENE-CONDITIONER", D("1.00"))]


def test_4_repeat_gives_once_per_threshold() -> None:
    p = promo("value_gift", {"threshold": "100", "gifts": ["PANTENE-100ML"], "repeat": True}, PANTENE)
    result = price([p], BASKET, ctx(gift_prices=PRICES))
    assert [g.quantity for _, g in result.gifts] == [3]


def test_4e_500_baht_of_aiiz_gives_50_percent_off_the_bill_or_the_group() -> None:
    lines = [line(1, "AIIZ-TEE", 1, 300, brand="aiiz"), line(2, "AIIZ-POLO", 1, 250, brand="aiiz"),
             line(3, "WATER", 2, 10)]
    whole_bill = promo("value_discount", {"threshold": "500", "percent": "50", "scope": "bill"}, items(brands=("aiiz",)))
    assert off(price([whole_bill], lines)) == {1: D("150.00"), 2: D("125.00"), 3: D("10.00")}
    group = promo("value_discount", {"threshold": "500", "percent": "50", "scope": "group"}, items(brands=("aiiz",)))
    assert off(price([group], lines)) == {1: D("150.00"), 2: D("125.00")}
    # short of 500: nothing
    assert price([whole_bill], lines[1:]).applied == ()


def test_4e_an_amount_off_is_spread_and_never_more_than_the_lines_cost() -> None:
    lines = [line(1, "A", 1, 30), line(2, "B", 1, 20)]
    p = promo("value_discount", {"threshold": "50", "amount": "100", "scope": "group"}, items("A", "B"))
    result = price([p], lines)
    assert off(result) == {1: D("30.00"), 2: D("20.00")} and bill(lines, result) == 0
    ten = promo("value_discount", {"threshold": "50", "amount": "10", "scope": "group"}, items("A", "B"))
    assert off(price([ten], lines)) == {1: D("6.00"), 2: D("4.00")}


def test_4f_a_message_when_the_value_is_reached() -> None:
    p = promo("value_message", {"threshold": "295"}, PANTENE, message="Pantene thanks you")
    assert price([p], BASKET).messages == ("Pantene thanks you",)
    assert price([p], BASKET[:1]).messages == ()
