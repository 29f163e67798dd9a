"""The plan on the wire (``ledger.plan_wire``, format 2): each value at the position
``sasom_sale_post2`` reads it from, text as UTF-8. Pure: no database (the stored rows are compared
by ``test_writers``, format 1 beside format 2)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal

from sasom.ledger.plan import AccountDelta, AccountExpect, EarnRow, LineRow, SalePlan, SaleRow
from sasom.ledger.plan_promotions import PromotionTake
from sasom.ledger.plan_wire import EXPECT_FIRST_AT, MEMBER_AT, RECEIPT_AT, plan_json

WHEN = dt.datetime(2026, 3, 1, 5, 30, tzinfo=dt.UTC)
MEMBER_AWARD = {
    "rule_code": "BASE",
    "rule_name": "ทุก 25 บาท ได้ 1 แต้ม",
    "points": 4,
    "beneficiary": "member",
}
BONUS_AWARD = {"rule_code": "BDAY", "rule_name": "วันเกิด +7", "points": 7, "beneficiary": "member"}
REFERRER_AWARD = {
    "rule_code": "REF",
    "rule_name": "referrer",
    "points": 5,
    "beneficiary": "referrer",
}


def _plan(awards: list[dict], earn_awards: list[dict], *, debt_paid: int = 0) -> SalePlan:
    sale = SaleRow(
        organization_id=1,
        branch_id=2,
        terminal_id=3,
        receipt_id="R-1",
        document_type="retail_receipt",
        occurred_at=WHEN,
        recorded_at=WHEN,
        member_id=9,
        member_type_code="VIP",
        salesperson="สมชาย",
        campaign_plan="",
        bag_declined=True,
        gross=Decimal("110.00"),
        discounts=Decimal("10.00"),
        bill_discount=Decimal("0.00"),
        coupon_discount=Decimal("0.00"),
        points_discount=Decimal("0.00"),
        net=Decimal("100.00"),
        eligible_net=Decimal("100.00"),
        points_earned=11,
        referrer_points=0,
        points_used=0,
        donation=Decimal("0.00"),
        member_discount=Decimal("0.00"),
        price_flagged=False,
        explanation={"awards": awards, "context": {"member_id": 9}},
        body_hash="h",
        actor_label="api",
        staff_user_id=None,
    )
    explanation: dict = {"awards": earn_awards, "eligible_net": "100.00"}
    if debt_paid:
        explanation["debt_paid"] = debt_paid
    earn = EarnRow(
        amount=11,
        debt_paid=debt_paid,
        expires_on=dt.date(2027, 12, 31),
        pending_until=None,
        explanation=explanation,
    )
    line = LineRow(
        line_no=1,
        sku="ข้าว-5",
        category="food",
        brand="",
        quantity=Decimal("2"),
        unit_price=Decimal("55.00"),
        discount=Decimal("10.00"),
        net=Decimal("100.00"),
        list_price=Decimal("60.00"),
        price_source="VIP",
        member_discount=Decimal("10.00"),
    )
    return SalePlan(
        sale=sale,
        lines=(line,),
        earn=earn,
        delta=AccountDelta(spendable=11, lifetime_earned=11, sale_count=1),
        expect=AccountExpect(first_purchase=False, debt=0),
        promotion_uses=(
            PromotionTake(promotion_id=4, times=2, discount=Decimal("5.00"), units=Decimal("3")),
        ),
    )


def test_each_value_is_at_the_position_the_function_reads():
    # given a plan of a member's sale with one line, an earn and a promotion's use
    plan = _plan([MEMBER_AWARD], [MEMBER_AWARD])
    # when it is put on the wire
    wire = json.loads(plan_json(plan))
    # then the values are where sale_post2.sql reads them, money as decimal strings
    assert wire[RECEIPT_AT] == "R-1" and wire[MEMBER_AT] == 9 and wire[EXPECT_FIRST_AT] is False
    assert wire[:3] == [1, 2, 3] and wire[9] == 0 and wire[13] is True
    assert wire[14:21] == ["110.00", "10.00", "0.00", "0.00", "0.00", "100.00", "100.00"]
    assert wire[21:30] == [11, 0, 0, "0.00", "0.00", False, "h", "api", None]
    assert wire[30] == plan.sale.explanation
    assert wire[31] == [
        [
            1,
            "ข้าว-5",
            "food",
            "",
            "2",
            "55.00",
            "10.00",
            "100.00",
            "60.00",
            "VIP",
            "",
            "10.00",
            False,
            "0",
            "",
        ]
    ]
    assert wire[32][:4] == [11, 0, "2027-12-31", None]
    assert wire[33] == [11, 0, 11, 0, 1]
    assert wire[34] == [[4, 2, "5.00", "3"]]
    assert len(wire) == 35


def test_text_goes_as_utf8_not_escapes():
    # when a plan with Thai names is put on the wire
    text = plan_json(_plan([MEMBER_AWARD], [MEMBER_AWARD]))
    # then the names are written as they are (half the bytes of \\u escapes)
    assert "ทุก 25 บาท" in text and "\\u0e" not in text


def test_the_entry_explanation_is_sent_whole():
    # given an earn whose explanation repeats the member's awards of the sale
    plan = _plan(
        [MEMBER_AWARD, REFERRER_AWARD, BONUS_AWARD], [MEMBER_AWARD, BONUS_AWARD], debt_paid=0
    )
    # when the plan is put on the wire, then the entry's explanation goes as it is
    assert json.loads(plan_json(plan))[32][4] == {
        "awards": [MEMBER_AWARD, BONUS_AWARD],
        "eligible_net": "100.00",
    }


def test_a_sale_without_a_member_or_earn_sends_nulls():
    plan = _plan([], [])
    plan = dataclasses.replace(
        plan,
        earn=None,
        expect=None,
        delta=AccountDelta(),
        promotion_uses=(),
        sale=dataclasses.replace(plan.sale, member_id=None),
    )
    wire = json.loads(plan_json(plan))
    assert wire[MEMBER_AT] is None and wire[EXPECT_FIRST_AT] is None and wire[9] is None
    assert wire[32] is None and wire[33] == [0, 0, 0, 0, 0] and wire[34] == []
