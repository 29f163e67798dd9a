"""Schemas of redeeming rewards: the redemption slip and what a member can redeem now."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema
from pydantic import StrictInt

from ..models import Redemption
from ..selectors import RewardOption
from .common import NO_NUL, POINTS_MAX, Body, BranchCode, Code, MemberRef, local, money


class RedeemIn(Body):
    member: MemberRef
    reward: Code = Field(..., description="reward code")
    quantity: StrictInt = Field(1, ge=1, le=100)
    buy_points: StrictInt = Field(0, ge=0, le=POINTS_MAX, description="exactly the missing points, paid at the POS")
    payment_reference: str = Field("", max_length=100, pattern=NO_NUL, description="receipt of that payment")
    branch: BranchCode = None


class PurchaseOut(Schema):
    points: int
    point_price: str
    amount: str
    payment_reference: str
    status: str


class RedemptionOut(Schema):
    number: str
    status: str
    member: str = Field(..., description="member code")
    reward: str = Field(..., description="reward code")
    reward_name: str
    branch: str = Field(..., description="branch code")
    quantity: int
    points: int
    cash_copay: str
    purchase: PurchaseOut | None
    spendable: int = Field(..., description="the member's spendable balance now")
    created_at: dt.datetime
    cancelled_at: dt.datetime | None
    cancel_reason: str

    @staticmethod
    def of(r: Redemption, *, spendable: int) -> RedemptionOut:
        p = r.purchase
        return RedemptionOut(
            number=r.number, status=r.status, member=r.member.code, reward=r.reward.code, reward_name=r.reward.name,
            branch=r.branch.code, quantity=r.quantity, points=r.points, cash_copay=money(r.cash_copay),
            purchase=None if p is None else PurchaseOut(
                points=p.points, point_price=money(p.point_price), amount=money(p.amount),
                payment_reference=p.payment_reference, status=p.status,
            ),
            spendable=spendable, created_at=local(r.created_at), cancelled_at=local(r.cancelled_at),
            cancel_reason=r.cancel_reason,
        )


class RewardOptionOut(Schema):
    code: str
    name: str
    name_en: str
    points_cost: int
    cash_copay: str
    stock_left: int | None = Field(..., description="null: unlimited")
    used: int = Field(..., description="redeemed by this member in the limit period")
    limit_left: int | None = Field(..., description="null: no limit")
    shortfall: int = Field(..., description="points missing for one")
    purchasable: bool = Field(..., description="the shortfall can be bought")
    purchase_amount: str
    redeemable: bool
    refusal: str = Field(..., description="why not (an error code), empty when redeemable")

    @staticmethod
    def of(o: RewardOption, refusal: str) -> RewardOptionOut:
        r = o.reward
        return RewardOptionOut(
            code=r.code, name=r.name, name_en=r.name_en, points_cost=r.points_cost, cash_copay=money(r.cash_copay),
            stock_left=o.stock_left, used=o.used, limit_left=o.limit_left, shortfall=o.shortfall,
            purchasable=o.purchasable, purchase_amount=money(o.purchase_amount), redeemable=not refusal,
            refusal=refusal,
        )


class MemberRewardsOut(Schema):
    member: str
    branch: str
    spendable: int
    rewards: list[RewardOptionOut]



class BranchQuery(Schema):
    branch: str | None = Field(None, max_length=20, pattern=NO_NUL, description="branch code (a branch-scoped key: its own)")

