"""The checkout's API schemas: the basket in, the sale and the quote out, returns and voids."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, StrictBool, StrictInt

from sasom.core.inputs import iso_text_only
from sasom.ledger.api_schemas import BalanceOut, SaleAwardOut, _Lean

Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
Quantity = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=3)]


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("must carry a UTC offset, e.g. 2026-11-24T12:30:00+07:00")
    if not 2000 <= value.year <= 2999:
        raise ValueError("year out of range")
    return value


AwareDatetime = Annotated[dt.datetime, BeforeValidator(iso_text_only), AfterValidator(_aware)]



class SaleMemberRef(_Lean):
    phone: str | None = Field(None, max_length=32)
    card: str | None = Field(None, max_length=40)
    code: str | None = Field(None, max_length=40)


class SaleLineIn(_Lean):
    sku: str = Field(..., min_length=1, max_length=64)
    category: str = Field("", max_length=64)
    brand: str = Field("", max_length=64)
    quantity: Quantity
    unit_price: Money
    discount: Money = Decimal("0")


class BasketIn(_Lean):
    branch: str = Field("", max_length=20, description="branch code; default: the key's branch")
    terminal: str = Field("", max_length=40, description="terminal code; default: the key's terminal")
    occurred_at: AwareDatetime
    member: SaleMemberRef | None = None
    document_type: str = Field("retail_receipt", min_length=1, max_length=32)
    salesperson: str = Field("", max_length=64)
    plan: str = Field("", max_length=40, description="campaign plan chosen on the document")
    bag_declined: StrictBool = False
    lines: list[SaleLineIn] = Field(..., min_length=1, max_length=500)
    bill_discount: Money = Decimal("0")
    redeem_points: StrictInt = Field(0, ge=0, le=1_000_000_000, description="points the member pays with")
    coupons: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(default_factory=list, max_length=10)


class SaleIn(BasketIn):
    receipt_id: str = Field(..., min_length=1, max_length=50)



class SaleCouponOut(_Lean):
    code: str
    kind: str
    amount: Decimal


class SaleOut(_Lean):
    receipt_id: str
    branch: str
    terminal: str
    status: str
    member: str | None
    points_earned: int
    points_used: int
    awards: list[SaleAwardOut]
    discount_applied: Decimal = Field(..., description="money off the bill: points used and discount coupons")
    coupons: list[SaleCouponOut]
    net: Decimal
    eligible_net: Decimal
    balance: BalanceOut | None
    receipt_text: str
    replayed: bool = Field(..., description="true when this receipt had been posted before")


class PointsDiscountOut(Schema):
    max_points: int
    max_amount: Decimal


class SaleRewardOptionOut(Schema):
    code: str
    name: str
    points: int


class SaleQuoteOut(Schema):
    member: str | None
    points_earned: int
    awards: list[SaleAwardOut]
    eligible_net: Decimal
    points_discount: PointsDiscountOut | None
    coupons: list[SaleCouponOut]
    rewards: list[SaleRewardOptionOut]
    balance: BalanceOut | None


class SaleReturnLineIn(Schema):
    line_no: StrictInt = Field(..., ge=1, le=100000)
    quantity: Quantity


class ReturnIn(Schema):
    return_id: str = Field(..., min_length=1, max_length=50)
    lines: list[SaleReturnLineIn] = Field(..., min_length=1, max_length=500)
    reason: str = Field("", max_length=500)
    branch: str = Field("", max_length=20)
    terminal: str = Field("", max_length=40)


class ReturnOut(Schema):
    receipt_id: str
    return_id: str
    status: str
    points_reversed: int
    points_refunded: int
    balance: BalanceOut | None


class VoidIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500)
    branch: str = Field("", max_length=20)
    terminal: str = Field("", max_length=40)


class SalePlace(Schema):
    branch: str = Field("", max_length=20)
    terminal: str = Field("", max_length=40)


