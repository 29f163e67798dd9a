"""Family 3, any N of a group, with seed 001's examples."""

from __future__ import annotations

from sasom.promotions.engine.types import Gift
from sasom.promotions.tests.test_engine_util import D, bill, ctx, items, line, off, price, promo

PANTENE = items(brands=("pantene",))
AIIZ = items(brands=("aiiz",))
PRICES = {"PANTENE-SHAMPOO": D("129.00"), "PANTENE-CONDITIONER": D("139.00")}


def pantene(index: int, sku: str, qty: int, unit: int) -> object:
    return line(index, sku, qty, unit, brand="pantene")


def aiiz(index: int, sku: str, qty: int, unit: int | str) -> object:
    return line(index, sku, qty, unit, brand="aiiz")


def test_3a_any_2_pantene_give_a_free_shampoo() -> None:
    p = promo("group_gift", {"quantity": 2, "gifts": ["PANTENE-SHAMPOO"]}, PANTENE)
    lines = [pantene(1, "PANTENE-MASK", 1, 150), pantene(2, "PANTENE-SERUM", 1, 120)]
    result = price([p], lines, ctx(gift_prices=PRICES))
    assert [g for _, g in result.gifts] == [Gift("PANTENE-SHAMPOO", D(1), D(0), D("129.00"))]


def test_3a_a_shampoo_in_the_basket_is_the_gift_not_one_of_the_two_bought() -> None:
    p = promo("group_gift", {"quantity": 2, "gifts": ["PANTENE-SHAMPOO"]}, PANTENE)
    lines = [pantene(1, "PANTENE-SHAMPOO", 1, 129), pantene(2, "PANTENE-MASK", 1, 150),
             pantene(3, "PANTENE-SERUM", 1, 120)]
    result = price([p], lines, ctx(gift_prices=PRICES))
    assert result.gifts == ()
    assert off(result) == {1: D("129.00")}


def test_3b_a_choice_of_shampoo_or_conditioner() -> None:
    p = promo("group_gift", {"quantity": 2, "gifts": ["PANTENE-SHAMPOO", "PANTENE-CONDITIONER"]}, PANTENE, code="P2")
    lines = [pantene(1, "PANTENE-MASK", 2, 150)]
    assert [c.options for c in price([p], lines, ctx(gift_prices=PRICES)).choices] == [
        ("PANTENE-SHAMPOO", "PANTENE-CONDITIONER")]
    chosen = price([p], lines, ctx(gift_prices=PRICES, choices={"P2": "PANTENE-CONDITIONER"}))
    assert [g.sku for _, g in chosen.gifts] == ["PANTENE-CONDITIONER"] and chosen.discount == D("139.00")


def test_3c_and_3d_purchase_with_purchase() -> None:
    one = promo("group_pwp", {"quantity": 2, "offers": ["PANTENE-SHAMPOO"], "offer_price": "1"}, PANTENE)
    lines = [pantene(1, "PANTENE-MASK", 2, 150)]
    assert [g for _, g in price([one], lines, ctx(gift_prices=PRICES)).gifts] == [
        Gift("PANTENE-SHAMPOO", D(1), D("1.00"), D("129.00"))]
    choose = promo("group_pwp", {"quantity": 2, "offers": ["PANTENE-SHAMPOO", "PANTENE-CONDITIONER"],
                                 "offer_price": "1"}, PANTENE, code="PWP")
    result = price([choose], lines, ctx(gift_prices=PRICES, choices={"PWP": "PANTENE-SHAMPOO"}))
    assert result.discount == D("128.00")


def test_3e_any_2_aiiz_models_half_price_each() -> None:
    p = promo("group_percent", {"quantity": 2, "percent": "50"}, AIIZ)
    assert price([p], [aiiz(1, "TEE", 1, 200)]).applied == ()
    lines = [aiiz(1, "TEE", 2, 200), aiiz(2, "TANK", 1, 100)]
    assert off(price([p], lines)) == {1: D("200.00"), 2: D("50.00")}


def test_3f_three_at_35_for_100() -> None:
    p = promo("group_fixed_total", {"quantity": 3, "total": "100"}, items(categories=("snacks",)))
    lines = [line(1, "CHIPS", 2, 35, categories=("snacks",)), line(2, "NUTS", 2, 35, categories=("snacks",))]
    result = price([p], lines)
    assert sum(off(result).values()) == D("5.00")
    assert bill(lines, result) == D("135.00")  # 100 for three + the fourth at 35


def test_3f_the_discount_is_spread_in_proportion_with_the_residue_on_the_last() -> None:
    p = promo("group_fixed_total", {"quantity": 3, "total": "100"}, items("A", "B", "C"))
    lines = [line(1, "A", 1, 40), line(2, "B", 1, 35), line(3, "C", 1, "35.01")]
    result = price([p], lines)
    assert sum(off(result).values()) == D("10.01")
    assert all(d >= 0 for d in off(result).values())


def test_3g_the_cheapest_of_three_is_free() -> None:
    p = promo("group_cheapest_free", {"quantity": 3}, AIIZ)
    lines = [aiiz(1, "TEE", 1, 300), aiiz(2, "POLO", 1, 250), aiiz(3, "TANK", 1, 200)]
    assert off(price([p], lines)) == {3: D("200.00")}
    # six items: the 3rd and the 6th dearest are free (the customer's best)
    six = [*lines, aiiz(4, "CAP", 1, 150), aiiz(5, "SOCKS", 2, 100)]
    assert off(price([p], six)) == {3: D("200.00"), 5: D("100.00")}


def test_3h_first_item_10_percent_second_20_percent() -> None:
    p = promo("group_step_percent", {"bands": [{"from": 1, "value": "10"}, {"from": 2, "value": "20"}]}, AIIZ)
    assert off(price([p], [aiiz(1, "TEE", 1, 100)])) == {1: D("10.00")}
    lines = [aiiz(1, "TEE", 1, 100), aiiz(2, "TANK", 1, 80)]
    assert off(price([p], lines)) == {1: D("10.00"), 2: D("16.00")}
    # a third item without "repeat" is left alone; with it, it is a new first
    three = [*lines, aiiz(3, "CAP", 1, 50)]
    assert off(price([p], three)) == {1: D("10.00"), 2: D("16.00")}
    again = promo("group_step_percent", {"bands": [{"from": 1, "value": "10"}, {"from": 2, "value": "20"}],
                                         "repeat": True}, AIIZ)
    assert off(price([again], three)) == {1: D("10.00"), 2: D("16.00"), 3: D("5.00")}


def test_3i_a_message_when_two_are_bought() -> None:
    p = promo("group_message", {"quantity": 2}, PANTENE, message="Free hair check at the counter")
    assert price([p], [pantene(1, "PANTENE-MASK", 1, 150)]).messages == ()
    assert price([p], [pantene(1, "PANTENE-MASK", 2, 150)]).messages == ("Free hair check at the counter",)
