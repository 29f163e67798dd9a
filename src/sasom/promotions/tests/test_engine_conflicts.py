"""Competing promotions: units consumed once, the two modes, stacking, independence (the worked
examples of docs/promotions.md, "Competing promotions")."""

from __future__ import annotations

from sasom.promotions.engine.index import promotion_set
from sasom.promotions.engine.resolver import fresh_pool, resolve
from sasom.promotions.engine.search import EXHAUSTIVE, partition
from sasom.promotions.engine.types import MODE_BEST, MODE_PRIORITY
from sasom.promotions.tests.test_engine_util import D, bill, ctx, items, line, off, price, promo

DRINKS = items(categories=("drinks",))


def drink(index: int, sku: str, qty: int, unit: int) -> object:
    return line(index, sku, qty, unit, categories=("drinks",))


def competing() -> list[object]:
    # "buy 2 get 1" on Coke (priority 1) against "any 3 drinks for 25" (priority 2)
    return [promo("qty_free", {"bands": [{"from": 2, "value": 1}]}, items("COKE"), code="B2G1", priority=1),
            promo("group_fixed_total", {"quantity": 3, "total": "25"}, DRINKS, code="3FOR25", priority=2)]


def test_priority_mode_the_first_promotion_takes_the_units() -> None:
    # given 3 Cokes at 15
    lines = [drink(1, "COKE", 3, 15)]
    result = price(competing(), lines, mode=MODE_PRIORITY)
    # then "buy 2 get 1" takes all three (15 off) and nothing is left for "3 for 25"
    assert [a.code for a in result.applied] == ["B2G1"]
    assert bill(lines, result) == D("30.00")


def test_best_mode_gives_the_customer_the_better_combination() -> None:
    lines = [drink(1, "COKE", 3, 15)]
    result = price(competing(), lines, mode=MODE_BEST)
    # "3 for 25" is worth 20, more than the free Coke's 15
    assert [a.code for a in result.applied] == ["3FOR25"]
    assert bill(lines, result) == D("25.00")


def test_with_more_units_priority_shares_them_and_best_may_not() -> None:
    # 3 Cokes and 3 Sprites at 15 (90)
    lines = [drink(1, "COKE", 3, 15), drink(2, "SPRITE", 3, 15)]
    # priority: B2G1 on the Cokes (15 off), then 3 for 25 on the Sprites (20 off): 55
    priority = price(competing(), lines, mode=MODE_PRIORITY)
    assert [a.code for a in priority.applied] == ["B2G1", "3FOR25"]
    assert bill(lines, priority) == D("55.00")
    # best: 3 for 25 twice (40 off) beats 15 + 20: 50
    best = price(competing(), lines, mode=MODE_BEST)
    assert [(a.code, a.times) for a in best.applied] == [("3FOR25", 2)]
    assert bill(lines, best) == D("50.00")


def test_a_unit_serves_one_promotion_unless_it_stacks() -> None:
    lines = [drink(1, "COKE", 3, 15)]
    member = promo("group_percent", {"quantity": 1, "percent": "10"}, DRINKS, code="MEMBER10", priority=9, stacks=True)
    result = price([*competing(), member], lines, mode=MODE_PRIORITY)
    # B2G1 takes the units (15 off), then the stacking 10 % runs on what the line still costs (30)
    assert [(a.code, a.discount) for a in result.applied] == [("B2G1", D("15.00")), ("MEMBER10", D("3.00"))]
    assert bill(lines, result) == D("27.00")


def test_a_stacking_promotion_runs_after_the_others_whatever_its_priority() -> None:
    lines = [drink(1, "COKE", 3, 15)]
    first = promo("group_percent", {"quantity": 1, "percent": "10"}, DRINKS, code="A-STACK", priority=0, stacks=True)
    result = price([*competing(), first], lines, mode=MODE_PRIORITY)
    assert [a.code for a in result.applied] == ["B2G1", "A-STACK"]


def test_a_stacking_promotion_that_applied_hints_nothing_though_others_took_every_unit() -> None:
    # B2G1 (priority) or 3 for 25 (best) consumes all three Cokes; the stacking "any 1 drink: 10 %"
    # counts every unit, whoever took it, so it applied (10 % of the 30 or the 25 still due) and
    # has no next step: it must not say "add 1 more"
    lines = [drink(1, "COKE", 3, 15)]
    member = promo("group_percent", {"quantity": 1, "percent": "10"}, DRINKS, code="MEMBER10", stacks=True)
    for mode, off_ in ((MODE_PRIORITY, D("3.00")), (MODE_BEST, D("2.50"))):
        result = price([*competing(), member], lines, mode=mode)
        assert ("MEMBER10", off_) in [(a.code, a.discount) for a in result.applied]
        assert "MEMBER10" not in [h.promotion for h in result.hints]


def test_a_stacking_promotion_counts_every_unit_in_its_hint() -> None:
    # "any 5 drinks: 10 %" stacking, 3 Cokes all taken by B2G1: 2 more reach it, not 5
    lines = [drink(1, "COKE", 3, 15)]
    five = promo("group_percent", {"quantity": 5, "percent": "10"}, DRINKS, code="FIVE10", stacks=True)
    for mode in (MODE_PRIORITY, MODE_BEST):
        result = price([*competing(), five], lines, mode=mode)
        assert "FIVE10" not in [a.code for a in result.applied]
        assert [(h.promotion, h.missing_units) for h in result.hints if h.promotion == "FIVE10"] == [("FIVE10", 2)]


def test_a_stacking_bill_discount_hints_on_what_the_lines_cost_after_the_others() -> None:
    # "spend 100: 5 % off" stacking, 6 Cokes (90) after B2G1 (once: 15 off, 75 still due): 25.00
    # more (on the free units alone it said 55.00: the three left, 45)
    lines = [drink(1, "COKE", 6, 15)]
    bill5 = promo("value_discount", {"threshold": "100", "percent": "5", "scope": "group"}, DRINKS, code="BILL5",
                  stacks=True)
    result = price([competing()[0], bill5], lines, mode=MODE_PRIORITY)
    assert [a.code for a in result.applied] == ["B2G1"]
    assert [(h.promotion, h.missing_amount) for h in result.hints] == [("BILL5", D("25.00"))]


def test_promotions_over_different_items_are_independent_and_need_no_search() -> None:
    coke = promo("qty_free", {"bands": [{"from": 2, "value": 1}]}, items("COKE"))
    chips = promo("group_fixed_total", {"quantity": 3, "total": "25"}, items("CHIPS"))
    both = promo("group_percent", {"quantity": 2, "percent": "5"}, items("COKE", "CHIPS"))
    lines = [line(1, "COKE", 3, 15), line(2, "CHIPS", 3, 15), line(3, "WATER", 1, 7)]
    pool = fresh_pool(lines)
    assert sorted(len(g) for g in partition([coke, chips], pool)) == [1, 1]
    assert [len(g) for g in partition([coke, chips, both], pool)] == [3]
    bill_wide = promo("value_discount", {"threshold": "10", "percent": "5", "scope": "bill"}, items("CHIPS"))
    message = promo("mix_message", {"mix": [{"sku": "COKE", "quantity": 1}]})
    assert sorted(len(g) for g in partition([coke, chips, bill_wide, message], pool)) == [1, 3]


def test_best_mode_beyond_the_exhaustive_bound_is_greedy_and_still_prices() -> None:
    promotions = [promo("group_fixed_total", {"quantity": 2, "total": str(20 - i)}, DRINKS, code=f"P{i}")
                  for i in range(EXHAUSTIVE + 3)]
    lines = [drink(1, "COKE", 4, 15)]
    result = resolve(promotion_set(MODE_BEST, promotions), lines, ctx())
    # the greedy search takes the best promotion first: two pairs at 12 each
    assert bill(lines, result) == D("24.00")


def test_the_result_names_every_unit_it_consumed_and_why() -> None:
    result = price(competing(), [drink(1, "COKE", 3, 15)])
    applied = result.applied[0]
    assert applied.takes[0].units == 3 and applied.kind == "qty_free"
    assert "buy 2 get 1" in applied.explanation
    assert off(result) == {1: D("15.00")}
