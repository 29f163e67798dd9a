"""Variant 6: the conditions on any promotion, each on its own, then through the resolver."""

from __future__ import annotations

from datetime import UTC, time, timedelta

import pytest

from sasom.promotions.engine.conditions import conditions_met
from sasom.promotions.engine.types import Conditions
from sasom.promotions.tests.test_engine_util import AT, D, ctx, items, line, off, price, promo

B2G1 = {"bands": [{"from": 2, "value": 1}], "repeat": True}


@pytest.mark.parametrize(("conditions", "passes", "fails"), [
    (Conditions(members_only=True), {"member": "M1"}, {}),
    (Conditions(member_types=frozenset({"GOLD"})), {"member": "M1", "member_type": "GOLD"},
     {"member": "M1", "member_type": "SILVER"}),
    (Conditions(member_types=frozenset({"GOLD"})), {"member": "M1", "member_type": "GOLD"}, {"member_type": "GOLD"}),
    (Conditions(tiers=frozenset({"VIP"})), {"member": "M1", "tier": "VIP"}, {"member": "M1", "tier": "BASIC"}),
    (Conditions(branches=frozenset({"BKK1"})), {"branch": "BKK1"}, {"branch": "CNX"}),
    (Conditions(terminals=frozenset({"T1"})), {"terminal": "T1"}, {"terminal": "T2"}),
    (Conditions(salespersons=frozenset({"S9"})), {"salesperson": "S9"}, {"salesperson": "S1"}),
    (Conditions(document_types=frozenset({"PROMO-A"})), {"document_type": "PROMO-A"}, {"document_type": "POS"}),
    (Conditions(starts_at=AT), {"at": AT}, {"at": AT - timedelta(seconds=1)}),
    (Conditions(ends_at=AT), {"at": AT - timedelta(seconds=1)}, {"at": AT}),  # the end is exclusive
    (Conditions(weekdays=frozenset({2})), {"at": AT}, {"at": AT + timedelta(days=1)}),  # AT is a Wednesday
    (Conditions(hours_from=time(12), hours_to=time(13)), {"at": AT.replace(hour=12, minute=59, second=59)},
     {"at": AT.replace(hour=13, minute=0)}),
    (Conditions(hours_from=time(22), hours_to=time(2)), {"at": AT.replace(hour=1)}, {"at": AT.replace(hour=2)}),
    (Conditions(per_member_limit=2), {"member": "M1", "uses_by_member": {7: 1}},
     {"member": "M1", "uses_by_member": {7: 2}}),
    (Conditions(budget=100), {"uses_total": {7: 99}}, {"uses_total": {7: 100}}),
])
def test_each_condition(conditions: Conditions, passes: dict[str, object], fails: dict[str, object]) -> None:
    assert conditions_met(conditions, ctx(**passes), 7)
    assert not conditions_met(conditions, ctx(**fails), 7)


def test_the_hours_are_read_on_the_clock_the_context_carries() -> None:
    # 12:30 in Bangkok is 05:30 UTC: the checkout hands the engine the organization's local time
    lunch = Conditions(hours_from=time(12), hours_to=time(13))
    assert conditions_met(lunch, ctx(at=AT), 1)
    assert not conditions_met(lunch, ctx(at=AT.astimezone(UTC)), 1)


def test_a_per_bill_limit_caps_the_times_a_promotion_applies() -> None:
    # one-item kinds count one time per item: a limit of 1 frees units of one SKU only
    p = promo("qty_free", B2G1, items("CAN", "BOTTLE"), conditions=Conditions(per_bill_limit=1))
    result = price([p], [line(1, "CAN", 3, 10), line(2, "BOTTLE", 3, 20)])
    assert result.applied[0].times == 1
    assert off(result) == {2: D("20.00")}  # BOTTLE before CAN: items are taken by SKU
    # group kinds count chunks: two chunks of three would be 10 off, one is 5
    fixed = promo("group_fixed_total", {"quantity": 3, "total": "25"}, items("CAN"),
                  conditions=Conditions(per_bill_limit=1))
    assert sum(off(price([fixed], [line(1, "CAN", 6, 10)])).values()) == D("5.00")


def test_a_promotion_past_its_budget_or_the_members_limit_does_not_apply() -> None:
    p = promo("qty_free", B2G1, items("CAN"), conditions=Conditions(budget=10, per_member_limit=1), pid=42)
    basket = [line(1, "CAN", 3, 10)]
    assert price([p], basket, ctx(uses_total={42: 9})).applied
    assert price([p], basket, ctx(uses_total={42: 10})).applied == ()
    assert price([p], basket, ctx(member="M1", uses_by_member={42: 1})).applied == ()
    assert price([p], basket, ctx(member="M2", uses_by_member={})).applied
