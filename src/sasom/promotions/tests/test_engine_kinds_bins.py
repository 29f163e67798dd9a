"""Family 5, assorted one-price bins, with seed 001's numbers."""

from __future__ import annotations

from sasom.promotions.tests.test_engine_util import D, bill, items, line, off, price, promo

BIN = items(categories=("aiiz-bin",))
MILK = items(categories=("milk",))


def shirt(index: int, sku: str, qty: int, unit: int = 90) -> object:
    return line(index, sku, qty, unit, categories=("aiiz-bin",))


def test_5a_one_price_90_three_for_80_each_six_for_70_each() -> None:
    p = promo("bin_qty_price", {"bands": [{"from": 1, "value": "90"}, {"from": 3, "value": "80"},
                                          {"from": 6, "value": "70"}]}, BIN)
    # one tee listed at 120 sells at 90
    assert off(price([p], [shirt(1, "TEE-RED-M", 1, 120)])) == {1: D("30.00")}
    # mixed colours and sizes count together: 3 at 80 each
    three = [shirt(1, "TEE-RED-M", 1), shirt(2, "TEE-BLUE-L", 2)]
    assert bill(three, price([p], three)) == D("240.00")
    six = [shirt(1, "TEE-RED-M", 2), shirt(2, "TEE-BLUE-L", 2), shirt(3, "TANK-S", 2)]
    assert bill(six, price([p], six)) == D("420.00")


def test_5b_percent_by_quantity_5_then_10() -> None:
    p = promo("bin_qty_percent", {"bands": [{"from": 3, "value": "5"}, {"from": 6, "value": "10"}]}, BIN)
    three = [shirt(1, "TEE-RED-M", 1), shirt(2, "TEE-BLUE-L", 2)]
    assert sum(off(price([p], three)).values()) == D("13.50")
    six = [shirt(1, "TEE-RED-M", 3), shirt(2, "TEE-BLUE-L", 3)]
    assert sum(off(price([p], six)).values()) == D("54.00")


def test_5c_three_get_one_free_six_get_two() -> None:
    p = promo("bin_qty_free", {"bands": [{"from": 3, "value": 1}, {"from": 6, "value": 2}]}, BIN)
    four = [shirt(1, "TEE-RED-M", 2), shirt(2, "TEE-BLUE-L", 2)]
    assert sum(off(price([p], four)).values()) == D("90.00")
    eight = [shirt(1, "TEE-RED-M", 4), shirt(2, "TEE-BLUE-L", 4)]
    assert sum(off(price([p], eight)).values()) == D("180.00")
    three = price([p], [shirt(1, "TEE-RED-M", 3)])
    assert three.applied == () and three.hints[0].missing_units == 1


def test_5c_mixed_prices_each_chunk_dearest_first_frees_its_cheapest() -> None:
    # given "3 get 1" on the tee bin and 4 red tees at 90.00: one red tee free, 270.00 to pay
    p = promo("bin_qty_free", {"bands": [{"from": 3, "value": 1}]}, BIN)
    four = [shirt(1, "TEE-RED-M", 4)]
    assert bill(four, price([p], four)) == D("270.00")
    # when a kid's tee at 50.00 joins the bin
    five = [shirt(1, "TEE-RED-M", 4), shirt(2, "TEE-KID-S", 1, 50)]
    result = price([p], five)
    # then the chunk is the 4 dearest units (the red tees), its cheapest (a red tee) is free, the
    # kid's tee is paid and not consumed: the bill rose by the kid's tee alone
    assert bill(five, result) == D("320.00")
    assert off(result) == {1: D("90.00")}
    assert [(t.index, t.units) for t in result.applied[0].takes] == [(1, D(4))]


def test_5c_mixed_prices_repeated_each_chunk_frees_its_own_cheapest() -> None:
    # given "3 get 1", repeated, and 8 tees: 120, 100, 90, 80 | 70, 60, 50, 40
    p = promo("bin_qty_free", {"bands": [{"from": 3, "value": 1}], "repeat": True}, BIN)
    prices = [120, 100, 90, 80, 70, 60, 50, 40]
    lines = [shirt(i + 1, f"TEE-{i}", 1, unit) for i, unit in enumerate(prices)]
    # when priced
    result = price([p], lines)
    # then the 4th and the 8th dearest are free (80 + 40), not the two cheapest (50 + 40)
    assert off(result) == {4: D("80.00"), 8: D("40.00")}
    assert result.applied[0].times == 1


def test_5c_two_steps_mixed_prices_the_step_worth_most_wins() -> None:
    # given "3 get 1, 6 get 2" and 4 tees at 100 with 4 at 1.00
    p = promo("bin_qty_free", {"bands": [{"from": 3, "value": 1}, {"from": 6, "value": 2}]}, BIN)
    lines = [shirt(1, "TEE-RED-M", 4, 100), shirt(2, "SOCK", 4, 1)]
    # when priced
    result = price([p], lines)
    # then "3 get 1" on the 4 dearest frees a 100 (worth more than "6 get 2" freeing two at 1)
    assert off(result) == {1: D("100.00")}
    # and at one price the step freeing more units wins, as before: 8 at 90 = 2 free
    eight = [shirt(1, "TEE-RED-M", 8)]
    assert off(price([p], eight)) == {1: D("180.00")}


def test_5d_lowest_pack_price_5_plain_and_2_sweet_milk_cost_66() -> None:
    # plain milk 12 a box (60 a pack), sweet milk 13 a box (65 a pack)
    lines = [line(1, "MILK-PLAIN", 5, 12, categories=("milk",)), line(2, "MILK-SWEET", 2, 13, categories=("milk",))]
    p = promo("bin_pack_lowest", {"pack_size": 6, "pack_price": "60", "unit_price": "6"}, MILK)
    result = price([p], lines)
    assert bill(lines, result) == D("66.00")
    assert result.applied[0].times == 1


def test_5e_progressive_pack_price_the_rest_at_its_own_price_costs_72() -> None:
    lines = [line(1, "MILK-PLAIN", 5, 12, categories=("milk",)), line(2, "MILK-SWEET", 2, 13, categories=("milk",))]
    p = promo("bin_pack_progressive", {"pack_size": 6, "pack_price": "60"}, MILK)
    result = price([p], lines)
    assert bill(lines, result) == D("72.00")
    # the box left over is not consumed: another promotion may take it
    assert sum(t.units for t in result.applied[0].takes) == 6


def test_5d_fewer_than_a_pack_gets_nothing_and_a_hint() -> None:
    p = promo("bin_pack_lowest", {"pack_size": 6, "pack_price": "60", "unit_price": "6"}, MILK)
    result = price([p], [line(1, "MILK-PLAIN", 4, 12, categories=("milk",))])
    assert result.applied == () and result.hints[0].missing_units == 2
