"""The engine end to end on kind 1a (buy 2 get 1): index, conditions, resolver, hints."""

from __future__ import annotations

import pytest

from sasom.promotions.engine.conditions import conditions_met
from sasom.promotions.engine.index import candidates, promotion_set
from sasom.promotions.engine.kinds import KINDS
from sasom.promotions.engine.types import MODE_PRIORITY, Conditions, ParamsError
from sasom.promotions.tests.test_engine_util import D, bill, ctx, items, line, off, price, promo

B2G1 = {"bands": [{"from": 2, "value": 1}]}


def test_buy_2_get_1_makes_the_third_unit_free() -> None:
    # given three cans at 15 under "buy 2 get 1"
    lines = [line(1, "COKE", 3, 15)]
    # when
    result = price([promo("qty_free", B2G1, items("COKE"))], lines)
    # then one can is free, the line's three units are consumed
    assert off(result) == {1: D("15.00")}
    assert result.applied[0].takes[0].units == 3
    assert bill(lines, result) == D("30.00")


def test_two_units_get_nothing_yet_and_a_hint_to_add_one() -> None:
    result = price([promo("qty_free", B2G1, items("COKE"), code="B2G1")], [line(1, "COKE", 2, 15)])
    assert result.applied == ()
    assert [(h.promotion, h.missing_units) for h in result.hints] == [("B2G1", 1)]


def test_the_index_finds_promotions_by_sku_category_brand_and_everywhere() -> None:
    p_sku = promo("qty_free", B2G1, items("A"))
    p_cat = promo("qty_free", B2G1, items(categories=("drinks",)))
    p_brand = promo("qty_free", B2G1, items(brands=("pantene",)))
    p_all = promo("qty_free", B2G1)
    pset = promotion_set(MODE_PRIORITY, [p_sku, p_cat, p_brand, p_all])
    assert candidates(pset, [line(1, "Z", 1, 1)]) == [3]
    assert candidates(pset, [line(1, "A", 1, 1)]) == [0, 3]
    assert candidates(pset, [line(1, "B", 1, 1, categories=("drinks", "food"))]) == [1, 3]
    assert candidates(pset, [line(1, "C", 1, 1, brand="pantene")]) == [2, 3]


def test_a_promotion_whose_conditions_fail_does_not_apply() -> None:
    members = promo("qty_free", B2G1, items("COKE"), conditions=Conditions(members_only=True))
    lines = [line(1, "COKE", 3, 15)]
    assert price([members], lines).applied == ()
    assert off(price([members], lines, ctx(member="M1"))) == {1: D("15.00")}
    assert conditions_met(Conditions(), ctx(), 1)


def test_priority_order_decides_which_promotion_takes_the_units() -> None:
    first = promo("qty_free", B2G1, items("COKE"), code="A", priority=1)
    second = promo("qty_free", {"bands": [{"from": 1, "value": 1}]}, items("COKE"), code="B", priority=2)
    result = price([second, first], [line(1, "COKE", 3, 15)])
    assert [a.code for a in result.applied] == ["A"]


def test_bad_steps_name_the_field() -> None:
    with pytest.raises(ParamsError) as err:
        KINDS["qty_free"].clean({"bands": [{"from": 2, "value": 1}, {"from": 2, "value": 3}]})
    assert err.value.field == "bands.1.from"
    with pytest.raises(ParamsError) as err:
        KINDS["qty_free"].clean({"bands": [{"from": 2, "value": "x"}]})
    assert err.value.field == "bands.0.value"
