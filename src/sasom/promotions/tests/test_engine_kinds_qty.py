"""Family 1, one item bought in quantity, with seed 001's numbers."""

from __future__ import annotations

from sasom.promotions.tests.test_engine_util import D, bill, items, line, off, price, promo

STEPS = {"bands": [{"from": 2, "value": 1}, {"from": 20, "value": 6}]}


def test_1a_buy_2_get_1_and_buy_20_get_6() -> None:
    # given a can at 10 THB under "buy 2 get 1, buy 20 get 6"
    p = promo("qty_free", STEPS, items("CAN"))
    # then 3 cans: 2 paid + 1 free; 26 cans: 20 paid + 6 free; 25 cans: 20 paid + 5 of the 6 free
    assert off(price([p], [line(1, "CAN", 3, 10)])) == {1: D("10.00")}
    assert off(price([p], [line(1, "CAN", 26, 10)])) == {1: D("60.00")}
    assert off(price([p], [line(1, "CAN", 25, 10)])) == {1: D("50.00")}
    # and 4 cans still get one free (the step does not repeat unless told)
    result = price([p], [line(1, "CAN", 4, 10)])
    assert off(result) == {1: D("10.00")}
    assert result.applied[0].takes[0].units == 3  # the 4th can is left for other promotions


def test_1a_repeat_gives_one_free_per_two_bought() -> None:
    p = promo("qty_free", {"bands": [{"from": 2, "value": 1}], "repeat": True}, items("CAN"))
    assert off(price([p], [line(1, "CAN", 6, 10)])) == {1: D("20.00")}


def test_1a_each_sku_counts_on_its_own_and_the_cheapest_units_are_free() -> None:
    # given a category promotion and two lines of one SKU at different prices (a POS line discount)
    p = promo("qty_free", {"bands": [{"from": 2, "value": 1}]}, items(categories=("drinks",)))
    lines = [
        line(1, "COKE", 2, 15, categories=("drinks",)),
        line(2, "COKE", 1, 15, categories=("drinks",), discount=3),
        line(3, "SPRITE", 2, 14, categories=("drinks",)),
    ]
    result = price([p], lines)
    # then only COKE (3 units) gets a free unit: the one at 12 after the POS discount
    assert off(result) == {2: D("12.00")}
    assert bill(lines, result) == D("30.00") + D("28.00")


def test_1b_percent_by_quantity_band() -> None:
    # 10 THB a unit: 1-2 none, 3-6 2 %, 7-10 3 %
    p = promo("qty_percent", {"bands": [{"from": 3, "value": "2"}, {"from": 7, "value": 3}]}, items("SOAP"))
    assert price([p], [line(1, "SOAP", 2, 10)]).applied == ()
    assert off(price([p], [line(1, "SOAP", 3, 10)])) == {1: D("0.60")}
    assert off(price([p], [line(1, "SOAP", 6, 10)])) == {1: D("1.20")}
    assert off(price([p], [line(1, "SOAP", 7, 10)])) == {1: D("2.10")}
    assert off(price([p], [line(1, "SOAP", 10, 10)])) == {1: D("3.00")}


def test_1b_hint_names_the_next_band() -> None:
    p = promo("qty_percent", {"bands": [{"from": 3, "value": "2"}, {"from": 7, "value": 3}]}, items("SOAP"))
    hint = price([p], [line(1, "SOAP", 6, 10)]).hints[0]
    assert hint.missing_units == 1 and "3 % off" in hint.reward


def test_1c_unit_price_by_quantity_band() -> None:
    # 10 / 9 / 8 THB
    p = promo("qty_price", {"bands": [{"from": 3, "value": "9"}, {"from": 7, "value": "8.00"}]}, items("SOAP"))
    assert price([p], [line(1, "SOAP", 2, 10)]).applied == ()
    assert off(price([p], [line(1, "SOAP", 3, 10)])) == {1: D("3.00")}
    assert off(price([p], [line(1, "SOAP", 7, 10)])) == {1: D("14.00")}


def test_1c_a_band_price_above_the_line_price_gives_nothing() -> None:
    p = promo("qty_price", {"bands": [{"from": 3, "value": "9"}]}, items("SOAP"))
    assert price([p], [line(1, "SOAP", 3, 8)]).applied == ()


def test_1c_a_band_price_above_the_line_price_is_no_hint_either() -> None:
    # 9 from 3 units on soap at 8: 3 units would get nothing, so 2 units get no "add 1 more for 9.00 each"
    p = promo("qty_price", {"bands": [{"from": 3, "value": "9"}]}, items("SOAP"))
    assert price([p], [line(1, "SOAP", 2, 8)]).hints == ()
    # at 10 the same band takes 1.00 a unit off: the hint stands
    assert [h.missing_units for h in price([p], [line(1, "SOAP", 2, 10)]).hints] == [1]


def test_1b_1c_a_band_worth_less_than_the_one_reached_is_no_hint() -> None:
    # bands need not improve with the count: 3-5 units 10 %, 6 5 %, from 8 20 %; at 4 units the
    # next band worth more is 20 % at 8 (4 more), not 5 % at 6 (it said "add 2 more for 5 % off")
    falling = promo("qty_percent", {"bands": [{"from": 3, "value": "10"}, {"from": 6, "value": "5"},
                                              {"from": 8, "value": "20"}]}, items("SOAP"))
    hint = price([falling], [line(1, "SOAP", 4, 10)]).hints[0]
    assert hint.missing_units == 4 and "20 % off" in str(hint.reward)
    # 9.00 from 3, 9.50 from 5: at 3 units no band is worth more, so no hint
    rising = promo("qty_price", {"bands": [{"from": 3, "value": "9"}, {"from": 5, "value": "9.50"}]}, items("SOAP"))
    assert price([rising], [line(1, "SOAP", 3, 10)]).hints == ()
