"""Schemas of points as money: the quote for a bill and the rules per member type."""

from __future__ import annotations

from ninja import Field, Schema
from pydantic import StrictBool, StrictInt

from sasom.members.models import Member

from ..models import PointsDiscountRule
from ..pricing import DiscountQuote
from .common import COUNT_MAX, NO_NUL, POINTS_MAX, Body, MemberRef, Money, Percent, money


class QuoteIn(Body):
    member: MemberRef
    bill_amount: Money


class QuoteOut(Schema):
    member: str
    spendable: int
    max_points: int
    max_amount: str
    bill_cap_points: int
    balance_cap_points: int
    min_points: int

    @staticmethod
    def of(member: Member, spendable: int, q: DiscountQuote) -> QuoteOut:
        return QuoteOut(
            member=member.code, spendable=spendable, max_points=q.max_points, max_amount=money(q.max_amount),
            bill_cap_points=q.bill_cap_points, balance_cap_points=q.balance_cap_points, min_points=q.min_points,
        )


class DiscountRuleIn(Body):
    member_type: str | None = Field(None, max_length=20, pattern=NO_NUL, description="null: the default rule")
    points_per_unit: StrictInt = Field(1, ge=1, le=COUNT_MAX, description="points worth per_amount money (1 by default)")
    per_amount: Money | None = Field(None, description='money points_per_unit points are worth, in the currency '
                                                         '(rial for IRR); null: "1". "100 points = 10000 rial": 100 and "10000"')
    money_per_point: Money | None = Field(None, description='the money one point is worth ("1 point = 10 rial": "10"); '
                                                              'instead of points_per_unit and per_amount')
    min_points: StrictInt = Field(0, ge=0, le=POINTS_MAX)
    max_bill_percent: Percent = "100"
    max_balance_percent: Percent = "100"
    is_active: StrictBool = True


class DiscountRulesIn(Body):
    rules: list[DiscountRuleIn] = Field(..., min_length=1, max_length=100)


class DiscountRuleOut(Schema):
    member_type: str | None
    points_per_unit: int
    per_amount: str
    min_points: int
    max_bill_percent: str
    max_balance_percent: str
    is_active: bool

    @staticmethod
    def of(r: PointsDiscountRule) -> DiscountRuleOut:
        return DiscountRuleOut(
            member_type=r.member_type.code if r.member_type is not None else None, points_per_unit=r.points_per_unit,
            per_amount=money(r.per_amount), min_points=r.min_points, max_bill_percent=money(r.max_bill_percent),
            max_balance_percent=money(r.max_balance_percent), is_active=r.is_active,
        )


class DiscountRulesOut(Schema):
    rules: list[DiscountRuleOut]

