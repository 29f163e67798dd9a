"""Hints and the per-bill limit (docs/promotions.md, "Hints"): a step that would make the promotion
apply one time more than the bill allows is no next step, so the quote does not tell the customer
to add units for nothing. Each case also shows the hint the same basket gets without the limit
(or with room left), so a hint that ignores the limit fails here."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from sasom.promotions.engine.types import MODE_BEST, MODE_PRIORITY, Conditions, Line, Result
from sasom.promotions.tests.test_engine_util import items, line, price, promo

MODES = (MODE_PRIORITY, MODE_BEST)


def hints(kind: str, params: dict[str, Any], lines: list[Line], limit: int | None, mode: str,
          skus: tuple[str, ...] = ("A",)) -> list[tuple[str, Decimal | None, Decimal | None]]:
    result: Result = price([promo(kind, params, items(*skus), code="X", conditions=Conditions(per_bill_limit=limit))],
                           lines, mode=mode)
    assert [a.code for a in result.applied] == ["X"]  # (each case: the promotion applies once already)
    return [(h.promotion, h.missing_units, h.missing_amount) for h in result.hints]


@pytest.mark.parametrize("mode", MODES)
def test_n_for_a_total_at_its_limit_hints_no_next_chunk(mode: str) -> None:
    # 3 for 25 on 3 units at 15: one chunk; "add 3 more" only while a second chunk is allowed
    lines, params = [line(1, "A", 3, 15)], {"quantity": 3, "total": "25"}
    assert hints("group_fixed_total", params, lines, None, mode) == [("X", 3, None)]
    assert hints("group_fixed_total", params, lines, 2, mode) == [("X", 3, None)]
    assert hints("group_fixed_total", params, lines, 1, mode) == []


@pytest.mark.parametrize("mode", MODES)
def test_a_gift_at_its_limit_hints_no_second_gift(mode: str) -> None:
    # any 2 of the group: 1 G free, on 3 units (given once); a 4th unit gives a second G, unless once a bill
    lines, params = [line(1, "A", 3, 15)], {"quantity": 2, "gifts": ["G"]}
    assert hints("group_gift", params, lines, None, mode) == [("X", 1, None)]
    assert hints("group_gift", params, lines, 1, mode) == []
    # 30 THB of the group, once per 30: 45 reached it once; 15.00 more for a second, unless once a bill
    value = {"threshold": "30", "repeat": True, "gifts": ["G"]}
    assert hints("value_gift", value, lines, None, mode) == [("X", None, Decimal("15.00"))]
    assert hints("value_gift", value, lines, 1, mode) == []
    # a Coke + a Sprite: 1 G free; a second set is 2 more units, unless once a bill
    mix = {"mix": [{"sku": "A", "quantity": 1}, {"sku": "B", "quantity": 1}], "gifts": ["G"]}
    pair = [line(1, "A", 1, 15), line(2, "B", 1, 15)]
    assert hints("mix_gift", mix, pair, None, mode, ()) == [("X", 2, None)]
    assert hints("mix_gift", mix, pair, 1, mode, ()) == []


@pytest.mark.parametrize("mode", MODES)
def test_a_set_price_at_its_limit_hints_no_second_set(mode: str) -> None:
    mix = {"mix": [{"sku": "A", "quantity": 1, "price": "10"}, {"sku": "B", "quantity": 1, "price": "10"}]}
    pair = [line(1, "A", 1, 15), line(2, "B", 1, 15)]
    assert hints("mix_set_price", mix, pair, None, mode, ()) == [("X", 2, None)]
    assert hints("mix_set_price", mix, pair, 1, mode, ()) == []


@pytest.mark.parametrize("mode", MODES)
def test_positions_at_the_limit_hint_within_the_round_only(mode: str) -> None:
    # 1st -10 %, 2nd -20 %, repeated: at 1 unit the 2nd is in the same round (hinted at any limit);
    # at 2 units the next unit starts round 2, which a limit of 1 does not allow
    params = {"bands": [{"from": 1, "value": "10"}, {"from": 2, "value": "20"}], "repeat": True}
    assert hints("group_step_percent", params, [line(1, "A", 1, 15)], 1, mode) == [("X", 1, None)]
    assert hints("group_step_percent", params, [line(1, "A", 2, 15)], None, mode) == [("X", 1, None)]
    assert hints("group_step_percent", params, [line(1, "A", 2, 15)], 1, mode) == []


@pytest.mark.parametrize("mode", MODES)
def test_packs_at_the_limit_hint_no_further_pack(mode: str) -> None:
    # 2 for 20 on 2 units at 15 (one pack); 2 more units would form a second pack (5e and 5d)
    lines = [line(1, "A", 2, 15)]
    progressive = {"pack_size": 2, "pack_price": "20"}
    assert hints("bin_pack_progressive", progressive, lines, None, mode) == [("X", 2, None)]
    assert hints("bin_pack_progressive", progressive, lines, 2, mode) == [("X", 2, None)]
    assert hints("bin_pack_progressive", progressive, lines, 1, mode) == []
    lowest = {"pack_size": 2, "pack_price": "20", "unit_price": "14"}
    assert hints("bin_pack_lowest", lowest, lines, None, mode) == [("X", 2, None)]
    assert hints("bin_pack_lowest", lowest, lines, 1, mode) == []


@pytest.mark.parametrize("mode", MODES)
def test_free_goods_by_sku_at_the_limit_hint_only_the_sku_that_got_them(mode: str) -> None:
    # buy 2 get 1 by SKU: A (3 units) gets its free unit; B (2 units) would need 1 more, a second
    # time on the bill, which a limit of 1 does not allow
    lines, params = [line(1, "A", 3, 15), line(2, "B", 2, 15)], {"bands": [{"from": 2, "value": 1}]}
    assert hints("qty_free", params, lines, None, mode, ("A", "B")) == [("X", 1, None)]
    assert hints("qty_free", params, lines, 1, mode, ("A", "B")) == []
    # with repeat, A itself steps up within its one time: 3 more A for a second free A
    again = {"bands": [{"from": 2, "value": 1}], "repeat": True}
    assert hints("qty_free", again, lines, 1, mode, ("A", "B")) == [("X", 3, None)]


@pytest.mark.parametrize("mode", MODES)
def test_bands_by_sku_at_the_limit_hint_the_priced_sku_higher_band_only(mode: str) -> None:
    # 3-6 units 2 %, from 7 3 % by SKU: A (3 units) is at 2 %, B (2 units) 1 short of it; once a
    # bill, B's band would be a second time, A's higher band is not (4 more A)
    lines = [line(1, "A", 3, 15), line(2, "B", 2, 15)]
    params = {"bands": [{"from": 3, "value": "2"}, {"from": 7, "value": "3"}]}
    assert hints("qty_percent", params, lines, None, mode, ("A", "B")) == [("X", 1, None)]
    assert hints("qty_percent", params, lines, 1, mode, ("A", "B")) == [("X", 4, None)]
