"""Schemas of the earning API's basket preview (``POST /earning/preview``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import BeforeValidator, StrictBool

from sasom.core.inputs import iso_text_only
from sasom.earning.api_types import NO_NUL, QUANTITY, Body, Moment, Money, money_out
from sasom.earning.domain import Award, EarnResult


class LineIn(Body):
    sku: str = Field(..., min_length=1, max_length=40, pattern=NO_NUL)
    category: str = Field("", max_length=40, pattern=NO_NUL)
    brand: str = Field("", max_length=40, pattern=NO_NUL)
    quantity: Annotated[
        str, Field(pattern=QUANTITY, description="may be fractional (kg)", examples=["1"])
    ] = "1"
    unit_price: Money = Field(..., description="VAT-inclusive retail price")
    discount: Money = Field("0", description="line discount, money")


class PreviewIn(Body):
    lines: list[LineIn] = Field(..., max_length=500)
    occurred_at: Moment
    is_member: StrictBool = Field(True, description="false: a non-member (only campaign donations apply)")
    member_type: str = Field("", max_length=20, pattern=NO_NUL, description="member type code")
    tier: str = Field("", max_length=40, pattern=NO_NUL)
    birth_on: Annotated[dt.date | None, BeforeValidator(iso_text_only)] = None
    card_expired: StrictBool = False
    is_first_purchase: StrictBool = Field(False, description="the first purchase of a referred member")
    branch: str = Field("", max_length=20, pattern=NO_NUL, description="branch code")
    terminal: str = Field("", max_length=40, pattern=NO_NUL, description="terminal code")
    salesperson: str = Field("", max_length=40, pattern=NO_NUL)
    document_type: str = Field("retail_receipt", max_length=40, pattern=NO_NUL)
    bill_discount: Money = "0"
    bag_declined: StrictBool = False
    plan: str = Field(
        "", max_length=40, pattern=NO_NUL, description="campaign plan chosen on the document"
    )


class AwardOut(Schema):
    rule: str = Field(..., description="the rule's code (the same name as in a sale's awards)")
    rule_name: str
    kind: str
    points: int
    base_amount: str
    multiplier: str | None
    extra: int | None
    explanation: str
    beneficiary: str
    line_nos: list[int]

    @staticmethod
    def of(a: Award) -> AwardOut:
        return AwardOut(
            rule=a.rule_code,
            rule_name=a.rule_name,
            kind=a.kind,
            points=a.points,
            base_amount=money_out(a.base_amount),
            multiplier=None if a.multiplier is None else str(a.multiplier),
            extra=a.extra,
            explanation=a.explanation,
            beneficiary=a.beneficiary,
            line_nos=list(a.line_nos),
        )


class PreviewOut(Schema):
    awards: list[AwardOut]
    member_points: int
    referrer_points: int
    eligible_net: str
    donation: str
    extra_discount: str

    @staticmethod
    def of(result: EarnResult) -> PreviewOut:
        return PreviewOut(
            awards=[AwardOut.of(a) for a in result.awards],
            member_points=result.member_points,
            referrer_points=result.referrer_points,
            eligible_net=money_out(result.eligible_net),
            donation=money_out(result.donation),
            extra_discount=money_out(result.extra_discount),
        )
