"""5d/5e's "add N more for a pack" hint says what adding units would change (issue 14): the bin
forms the packs that give the lowest total, so the hint names a pack only when adding units
would form it and lower the bill, never a pack the bin would leave unformed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sasom.promotions.engine.kinds._packs import PackRule
from sasom.promotions.engine.types import MODE_BEST, MODE_PRIORITY, Line, Result
from sasom.promotions.engine.units import Run, dearest_first
from sasom.promotions.tests.test_engine_util import D, bill, items, line, price, promo

MILK = items(categories=("milk",))
SEED = {"pack_size": 6, "pack_price": "60", "unit_price": "6"}  # seed 001: 60 a 6-pack, a box left over at 6
BOTH_MODES = pytest.mark.parametrize("mode", [MODE_PRIORITY, MODE_BEST])


def box(index: int, sku: str, qty: int, unit: str | int) -> Line:
    return line(index, sku, qty, unit, categories=("milk",))


def hint_text(result: Result) -> list[tuple[object, str]]:
    return [(h.missing_units, str(h.reward)) for h in result.hints]


@BOTH_MODES
def test_seed_numbers_four_boxes_two_more_make_the_pack_and_the_hint_says_so(mode: str) -> None:
    # given seed 001's 6-pack at 60 and plain milk at 12 a box: 4 boxes, no pack yet (48.00)
    p = promo("bin_pack_lowest", SEED, MILK)
    four = [box(1, "MILK-PLAIN", 4, 12)]
    result = price([p], four, mode=mode)
    assert result.applied == ()
    # then the hint: 2 more boxes make a pack
    assert hint_text(result) == [(D(2), "add 2 more for a pack of 6 at 60.00")]
    # and it is true: with 2 more the 6 boxes cost 60.00, not 72.00
    six = [box(1, "MILK-PLAIN", 6, 12)]
    assert bill(six, price([p], six, mode=mode)) == D("60.00")


@BOTH_MODES
def test_seed_numbers_once_a_pack_is_formed_no_hint_for_a_second_pack_the_bin_would_not_form(mode: str) -> None:
    # given the seed's 5 plain + 2 sweet milk: one pack at 60 + a box at 6 = 66.00
    p = promo("bin_pack_lowest", SEED, MILK)
    seed = [box(1, "MILK-PLAIN", 5, 12), box(2, "MILK-SWEET", 2, 13)]
    result = price([p], seed, mode=mode)
    assert bill(seed, result) == D("66.00")
    # then no "add 5 more for a pack": a second pack (60) costs more than 6 boxes left over (36),
    # so 5 more boxes are 5 boxes at 6 each and 12 boxes form one pack (96.00, not 120.00)
    assert result.hints == ()
    twelve = [box(1, "MILK-PLAIN", 10, 12), box(2, "MILK-SWEET", 2, 13)]
    after = price([p], twelve, mode=mode)
    assert after.applied[0].times == 1
    assert bill(twelve, after) == D("96.00")


@BOTH_MODES
def test_fewer_packs_chosen_no_hint_for_the_pack_left_unformed(mode: str) -> None:
    # given "4 for 28, the rest at 6.50" and 4 units at 20.00 + 4 at 9.00: the bin forms one pack
    # on purpose (a second at 28.00 costs more than 4 x 6.50 = 26.00): 28 + 26 = 54.00
    p = promo("bin_pack_lowest", {"pack_size": 4, "pack_price": "28", "unit_price": "6.50"}, MILK)
    lines = [box(1, "MILK-PLAIN", 4, 20), box(2, "MILK-SWEET", 4, 9)]
    result = price([p], lines, mode=mode)
    assert result.applied[0].times == 1
    assert bill(lines, result) == D("54.00")
    # then no hint (before this change: "add 4 more for a pack of 4 at 28.00", a pack the bin would
    # leave unformed: 4 more sweet boxes cost 4 x 6.50 more, one pack still)
    assert result.hints == ()
    more = [box(1, "MILK-PLAIN", 4, 20), box(2, "MILK-SWEET", 8, 9)]
    after = price([p], more, mode=mode)
    assert after.applied[0].times == 1
    assert bill(more, after) == D("80.00")  # 28 + 8 x 6.50


@BOTH_MODES
def test_a_pack_already_formed_and_one_more_unit_makes_the_next_the_hint_says_one(mode: str) -> None:
    # given "4 for 28, the rest at 7.50" and 7 units at 20.00: one pack + 3 at 7.50 = 50.50
    p = promo("bin_pack_lowest", {"pack_size": 4, "pack_price": "28", "unit_price": "7.50"}, MILK)
    seven = [box(1, "MILK-PLAIN", 7, 20)]
    result = price([p], seven, mode=mode)
    assert bill(seven, result) == D("50.50")
    # then: add 1 more for the second pack, and it is true: 8 units cost 56.00
    assert hint_text(result) == [(D(1), "add 1 more for a pack of 4 at 28.00")]
    eight = [box(1, "MILK-PLAIN", 8, 20)]
    after = price([p], eight, mode=mode)
    assert (after.applied[0].times, bill(eight, after)) == (2, D("56.00"))


@BOTH_MODES
def test_5e_a_pack_price_above_what_its_units_cost_gives_no_hint(mode: str) -> None:
    # given "6 for 60", progressive, on boxes at 9.00: a pack would cost more than 6 x 9 = 54
    p = promo("bin_pack_progressive", {"pack_size": 6, "pack_price": "60"}, MILK)
    four = [box(1, "MILK-CHEAP", 4, 9)]
    assert price([p], four, mode=mode).hints == ()
    # and at 12.00 a box the hint is there: 2 more make a pack at 60 (72.00 loose)
    dear = [box(1, "MILK-PLAIN", 4, 12)]
    assert hint_text(price([p], dear, mode=mode)) == [(D(2), "add 2 more for a pack of 6 at 60.00")]


@BOTH_MODES
def test_5e_packs_formed_and_the_next_one_is_hinted_from_the_remainder(mode: str) -> None:
    # given the seed's 5 plain + 2 sweet under 5e: the 2 sweet and 4 plain (dearest first) in a pack at
    # 60, the plain box left over at its own 12: 72.00
    p = promo("bin_pack_progressive", {"pack_size": 6, "pack_price": "60"}, MILK)
    seed = [box(1, "MILK-PLAIN", 5, 12), box(2, "MILK-SWEET", 2, 13)]
    result = price([p], seed, mode=mode)
    assert bill(seed, result) == D("72.00")
    # then 5 more boxes (at the cheapest, 12.00) make a second pack: 120.00 rather than 132.00
    assert hint_text(result) == [(D(5), "add 5 more for a pack of 6 at 60.00")]


@settings(max_examples=300, deadline=None)
@given(units=st.lists(st.tuples(st.integers(1, 7), st.integers(1, 4000)), min_size=0, max_size=6),
       size=st.integers(1, 6), pack_price=st.integers(1, 20000), cheapest_cents=st.integers(1, 4000))
def test_5e_hint_worked_out_is_the_hint_tried_unit_by_unit(units: list[tuple[int, int]], size: int, pack_price: int,
                                                           cheapest_cents: int) -> None:
    # given a 5e bin's free units (dearest first) and the price a unit added is taken at
    rule = promo("bin_pack_progressive", {"pack_size": size, "pack_price": str(D(pack_price) / 100)}, MILK).rule
    assert isinstance(rule, PackRule)
    rs = dearest_first([Run(i, f"S{i}", n, D(n), D(cents) / 3) for i, (n, cents) in enumerate(units)])
    cheapest = rs[-1].value if rs else D(cheapest_cents) / 100
    # then the closed form the quote uses says what trying each number of units says
    assert rule._missing(rs, cheapest, 2) == rule.missing_tried(rs, cheapest, 2)
