"""Schemas of coupons at the POS: issuing, using on a bill (with its lines), the coupon."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema
from pydantic import StrictBool

from ..models import Coupon
from ..pricing import coupon_code_display
from .common import NO_NUL, Body, BranchCode, Code, MemberRef, Money, local, money, money_or_none


class BillLineIn(Body):
    sku: str = Field("", max_length=40, pattern=NO_NUL)
    category: str = Field("", max_length=40, pattern=NO_NUL)
    amount: Money = Field(..., description="net amount of the line")


class CouponUseIn(Body):
    member: MemberRef
    bill_amount: Money
    receipt_id: str = Field(..., min_length=1, max_length=100, pattern=NO_NUL)
    lines: list[BillLineIn] = Field(default_factory=list, max_length=500)
    branch: BranchCode = None


class CouponIssueIn(Body):
    template: Code = Field(..., description="coupon type code")
    member: MemberRef
    charge_points: StrictBool = Field(True, description="false: a gift (needs coupons.manage)")


class CouponOut(Schema):
    code: str
    display_code: str
    template: str
    name: str
    kind: str
    discount_kind: str
    value: str
    min_spend: str
    status: str
    member: str
    points: int
    issued_at: dt.datetime
    expires_at: dt.datetime = Field(..., description="exclusive")
    last_valid_on: dt.date
    used_at: dt.datetime | None
    used_amount: str | None
    used_bill_reference: str
    used_branch: str | None
    cancelled_at: dt.datetime | None
    cancel_reason: str

    @staticmethod
    def of(c: Coupon) -> CouponOut:
        t = c.template
        return CouponOut(
            code=c.code, display_code=coupon_code_display(c.code), template=t.code, name=t.name, kind=t.kind,
            discount_kind=t.discount_kind, value=money(t.value), min_spend=money(t.min_spend), status=c.status,
            member=c.member.code, points=c.points, issued_at=local(c.issued_at), expires_at=local(c.expires_at),
            last_valid_on=c.last_valid_on, used_at=local(c.used_at), used_amount=money_or_none(c.used_amount),
            used_bill_reference=c.used_bill_reference, used_branch=c.used_branch.code if c.used_branch else None,
            cancelled_at=local(c.cancelled_at), cancel_reason=c.cancel_reason,
        )

