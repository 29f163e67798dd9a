"""Family 5, assorted one-price bins, with seed 001's numbers."""

from __future__ import annotations

import pytest
from django.utils import translation

from sasom.promotions.engine.types import MODE_BEST, MODE_PRIORITY, Line
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


@pytest.mark.parametrize(("language", "name"), [("en", "the bin"), ("th", "สินค้าคละ"), ("fa", "سبد تک‌قیمت")])
def test_5a_5c_the_bin_is_named_in_the_language_of_the_screen(language: str, name: str) -> None:
    # 3 for 80 each / 3 get 1 free on the whole bin: the explanation and the hint name the bin as a
    # text of the screen's language (Thai read "เพิ่ม the bin อีก 1 ชิ้น")
    three = [shirt(1, "TEE-RED-M", 1), shirt(2, "TEE-BLUE-L", 2)]
    priced = price([promo("bin_qty_price", {"bands": [{"from": 3, "value": "80"}]}, BIN)], three)
    freed = price([promo("bin_qty_free", {"bands": [{"from": 3, "value": 1}]}, BIN)], three)
    with translation.override(language):
        said = [str(priced.applied[0].explanation), str(freed.hints[0].reward)]
    assert all(name in text for text in said), said
    assert language == "en" or not any("the bin" in text for text in said)


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


BOTH_MODES = pytest.mark.parametrize("mode", [MODE_PRIORITY, MODE_BEST])
FOUR_FOR_30 = {"pack_size": 4, "pack_price": "30", "unit_price": "7.50"}


def box(index: int, sku: str, qty: int, unit: str | int) -> Line:
    return line(index, sku, qty, unit, categories=("milk",))


@BOTH_MODES
def test_5d_a_unit_that_would_complete_a_dearer_pack_is_left_loose(mode: str) -> None:
    # given "4 for 30, the rest at 7.50" and 7 units at 20.00: one pack + 3 loose = 52.50
    p = promo("bin_pack_lowest", FOUR_FOR_30, MILK)
    seven = [box(1, "MILK-PLAIN", 7, 20)]
    before = price([p], seven, mode=mode)
    assert bill(seven, before) == D("52.50")
    assert before.applied[0].times == 1
    # when a unit at 7.25 joins: a second pack (3 x 20 + 7.25, 30.00) costs more than its units
    # loose (3 x 7.50 + 7.25 = 29.75)
    eight = [*seven, box(2, "MILK-CHEAP", 1, "7.25")]
    after = price([p], eight, mode=mode)
    # then the bin keeps one pack: 59.75, up 7.25, the unit's own price (not 60.00, up 7.50)
    assert bill(eight, after) == D("59.75")
    assert bill(eight, after) - bill(seven, before) == D("7.25")
    assert after.applied[0].times == 1
    assert str(after.applied[0].explanation) == "1 pack(s) of 4 at 30.00 + 4 at 7.50"
    # the cheap unit loose keeps its own price (below 7.50): no discount on it, but consumed
    assert off(after) == {1: D("87.50")}
    assert {t.index: t.units for t in after.applied[0].takes} == {1: D(7), 2: D(1)}


@BOTH_MODES
def test_5e_the_same_unit_completes_a_pack_and_lowers_the_bill(mode: str) -> None:
    # given "4 for 30", progressive (the rest at its own price), and 7 units at 20.00: 30 + 60 = 90
    p = promo("bin_pack_progressive", {"pack_size": 4, "pack_price": "30"}, MILK)
    seven = [box(1, "MILK-PLAIN", 7, 20)]
    before = price([p], seven, mode=mode)
    assert bill(seven, before) == D("90.00")
    # when the unit at 7.25 joins: a pack never costs more than its units at their own price, so
    # every pack is formed (two packs, 60.00): the bill falls by 30.00
    eight = [*seven, box(2, "MILK-CHEAP", 1, "7.25")]
    after = price([p], eight, mode=mode)
    assert bill(eight, after) == D("60.00")
    assert after.applied[0].times == 2
    assert str(after.applied[0].explanation) == "2 pack(s) of 4 at 30.00"


@BOTH_MODES
def test_5d_mixed_prices_each_pack_formed_only_where_it_costs_less_than_its_units_loose(mode: str) -> None:
    # given "4 for 28, the rest at 7.50" and 4 units at 20.00 + 4 at 9.00
    p = promo("bin_pack_lowest", {"pack_size": 4, "pack_price": "28", "unit_price": "7.50"}, MILK)
    lines = [box(1, "MILK-PLAIN", 4, 20), box(2, "MILK-SWEET", 4, 9)]
    # when priced: the second pack (28.00) costs less than its units loose (4 x 7.50 = 30.00)
    result = price([p], lines, mode=mode)
    # then two packs: 56.00
    assert bill(lines, result) == D("56.00")
    assert result.applied[0].times == 2
    # and with the rest at 6.50 the second pack (28.00) costs more than 4 x 6.50 = 26.00: one pack
    cheaper = promo("bin_pack_lowest", {"pack_size": 4, "pack_price": "28", "unit_price": "6.50"}, MILK)
    result = price([cheaper], lines, mode=mode)
    assert bill(lines, result) == D("54.00")
    assert result.applied[0].times == 1
    assert str(result.applied[0].explanation) == "1 pack(s) of 4 at 28.00 + 4 at 6.50"


@BOTH_MODES
def test_5d_seed_numbers_the_12th_box_costs_no_more_than_a_box_left_over(mode: str) -> None:
    # given seed 001's "6-pack at 60, a box left over at 6" and plain milk at 12 a box
    p = promo("bin_pack_lowest", {"pack_size": 6, "pack_price": "60", "unit_price": "6"}, MILK)
    eleven = [box(1, "MILK-PLAIN", 11, 12)]
    assert bill(eleven, price([p], eleven, mode=mode)) == D("90.00")  # 60 + 5 x 6
    # when a 12th box joins: a second pack (60) costs more than 6 boxes left over (36)
    twelve = [box(1, "MILK-PLAIN", 12, 12)]
    result = price([p], twelve, mode=mode)
    # then one pack and 6 boxes at 6: 96.00 (not 2 x 60 = 120.00)
    assert bill(twelve, result) == D("96.00")
    assert result.applied[0].times == 1
    # the seed's own basket keeps its price: 5 plain + 2 sweet = 60 + 6 = 66
    seed = [box(1, "MILK-PLAIN", 5, 12), box(2, "MILK-SWEET", 2, 13)]
    assert bill(seed, price([p], seed, mode=mode)) == D("66.00")
