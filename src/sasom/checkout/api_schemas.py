"""The checkout's API schemas: the basket in, the sale and the quote out, returns and voids."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    StrictBool,
    StrictInt,
    model_validator,
)

from sasom.core.inputs import iso_text_only
from sasom.earning.engine import DocumentType
from sasom.ledger.api_schemas import BalanceOut, SaleAwardOut, _Lean
from sasom.ledger.services.sales import RECEIPT_ID_RULE, receipt_id_valid

Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
Quantity = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=3)]


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("must carry a UTC offset, e.g. 2026-11-24T12:30:00+07:00")
    if not 2000 <= value.year <= 2999:
        raise ValueError("year out of range")
    return value


AwareDatetime = Annotated[dt.datetime, BeforeValidator(iso_text_only), AfterValidator(_aware)]



class _In(_Lean):
    """A request body: an unknown field is refused (422 naming it), never ignored."""

    model_config = ConfigDict(extra="forbid")


class SaleMemberRef(_In):
    phone: str | None = Field(None, max_length=32)
    card: str | None = Field(None, max_length=40)
    code: str | None = Field(None, max_length=40)

    @model_validator(mode="after")
    def _names_someone(self) -> SaleMemberRef:
        if not any(v and v.strip() for v in (self.phone, self.card, self.code)):
            raise ValueError("name the member by phone, card or code, or leave member out for a walk-in sale")
        return self


class SaleLineIn(_In):
    sku: str = Field(..., min_length=1, max_length=64)
    category: str = Field("", max_length=64)
    brand: str = Field("", max_length=64)
    quantity: Quantity
    unit_price: Money | None = Field(None, description="the POS's price; omit to take Sasom's (catalog and price tables)")
    discount: Money = Decimal("0")


class BasketIn(_In):
    branch: str = Field("", max_length=20, description="branch code; default: the key's branch")
    terminal: str = Field("", max_length=40, description="terminal code; default: the key's terminal")
    occurred_at: AwareDatetime
    member: SaleMemberRef | None = None
    document_type: DocumentType = "retail_receipt"
    salesperson: str = Field("", max_length=64)
    plan: str = Field("", max_length=40, description="campaign plan chosen on the document")
    bag_declined: StrictBool = False
    lines: list[SaleLineIn] = Field(..., min_length=1, max_length=500)
    bill_discount: Money = Decimal("0")
    redeem_points: StrictInt = Field(0, ge=0, le=1_000_000_000, description="points the member pays with")
    coupons: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(default_factory=list, max_length=10)
    choices: dict[Annotated[str, Field(min_length=1, max_length=40)], Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=dict, max_length=20,
        description="the member's choice per promotion that offers one: {promotion code: chosen SKU} "
                    "(a quote's `choices` say which)")


def _receipt_id(value: str) -> str:
    if not receipt_id_valid(value):
        raise ValueError(str(RECEIPT_ID_RULE))
    return value


ReceiptId = Annotated[str, Field(min_length=1, max_length=64, description=(
    "1 to 64 letters, digits or . _ - : #, in parts joined by single / (not ending in /returns, /void or "
    "/quote); in a path, as is: /sales/tax_invoice/INV-004/void")), AfterValidator(_receipt_id)]


class SaleIn(BasketIn):
    receipt_id: ReceiptId


class SaleQuoteIn(BasketIn):
    receipt_id: ReceiptId | None = Field(None, description="ignored (a quote writes nothing): the commit's body "
                                                             "may be quoted as it is")



class PriceStepOut(_Lean):
    kind: str = Field(..., description="member_price, price_differs, promotion:<code>, member_discount, "
                                       "birthday_discount, no_member_discount")
    amount: Decimal | None
    reason: str


class SaleLineOut(_Lean):
    line_no: int
    sku: str
    quantity: Decimal
    list_price: Decimal = Field(..., description="the price before any member price")
    unit_price: Decimal = Field(..., description="the price charged")
    price_source: str = Field(..., description="base, table:<code>, table:<code>@<branch>, pos, open; "
                                               "empty: taken as sent")
    price_flag: str = Field(..., description="differs: the POS's price is not the table's; open: not in the catalog")
    discount: Decimal = Field(..., description="every line discount, the member's included")
    member_discount: Decimal
    promotion_discount: Decimal = Field(..., description="the POS promotions' part of discount")
    promotions: list[str] = Field(..., description="the codes of the promotions on the line")
    gift: bool = Field(..., description="a free or purchase-with-purchase item a promotion added")
    net: Decimal
    earns_points: bool
    steps: list[PriceStepOut]


class PromotionAppliedOut(Schema):
    code: str
    name: str
    kind: str
    times: int
    discount: Decimal
    message: str = Field(..., description="printed on the bill")
    explanation: str


class PromotionChoiceOut(Schema):
    promotion: str = Field(..., description="send {promotion: one of options} as `choices` on the commit")
    options: list[str]
    quantity: Decimal
    unit_price: Decimal = Field(..., description="0: free; else the purchase-with-purchase price")


class PromotionHintOut(Schema):
    promotion: str
    name: str
    missing_units: Decimal | None
    missing_amount: Decimal | None
    reward: str


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
    no_points: str | None = Field(..., description="why a member earned nothing: type_does_not_earn, "
                                                   "card_expired, nothing_eligible, below_first_point, no_rule")
    points_used: int
    awards: list[SaleAwardOut]
    discount_applied: Decimal = Field(..., description="money off the bill after its net: points used, discount "
                                                       "coupons and the campaign discount (what the customer pays: "
                                                       "net - discount_applied)")
    campaign_discount: Decimal = Field(..., description="a campaign's extra discount for members, part of "
                                                        "discount_applied (earns no points back)")
    donation: Decimal = Field(..., description="a non-member's bag-declined donation to the campaign's fund, "
                                               "collected on top of the bill")
    coupons: list[SaleCouponOut]
    net: Decimal
    eligible_net: Decimal
    member_discount: Decimal
    price_flagged: bool
    lines: list[SaleLineOut]
    balance: BalanceOut | None
    receipt_text: str
    replayed: bool = Field(..., description="true when a commit found this receipt posted before (false on a read)")


class PointsDiscountOut(Schema):
    max_points: int
    max_amount: Decimal


class SaleRewardOptionOut(Schema):
    code: str
    name: str
    points: int


class SaleQuoteOut(Schema):
    member: str | None
    lines: list[SaleLineOut]
    notes: list[PriceStepOut] = Field(..., description="about the whole bill, e.g. why no member discount")
    gross: Decimal = Field(..., description="the lines at the prices charged")
    member_discount: Decimal
    discounts: Decimal = Field(..., description="line, bill, coupon and points discounts")
    bill_discount: Decimal
    coupon_discount: Decimal
    points_paid: Decimal = Field(..., description="the money the redeem_points stand for")
    campaign_discount: Decimal = Field(..., description="a campaign's extra discount for members, after every "
                                                        "other discount; counted in discounts and net")
    donation: Decimal = Field(..., description="a non-member's bag-declined donation to the campaign's fund, "
                                               "collected on top of net")
    net: Decimal = Field(..., description="what the customer pays, after every discount and points")
    price_flagged: bool
    coupons_used: list[SaleCouponOut] = Field(..., description="the body's coupons, as the commit would use them")
    redeem_points: int
    points_earned: int
    no_points: str | None = Field(..., description="why a member would earn nothing (as on a sale)")
    awards: list[SaleAwardOut]
    eligible_net: Decimal
    points_discount: PointsDiscountOut | None = Field(..., description="the most points the member may pay with")
    coupons: list[SaleCouponOut] = Field(..., description="the member's coupons not used yet")
    rewards: list[SaleRewardOptionOut]
    balance: BalanceOut | None
    balance_after: BalanceOut | None = Field(..., description="the balance once this sale is posted (spendable "
                                                              "and pending as the commit would leave them)")
    promotion_discount: Decimal = Field(Decimal("0"), description="the POS promotions' discounts, gifts included")
    promotions: list[PromotionAppliedOut] = Field(default_factory=list)
    choices: list[PromotionChoiceOut] = Field(default_factory=list, description="choices the member still has")
    hints: list[PromotionHintOut] = Field(default_factory=list, description="how far the basket is from more")
    messages: list[str] = Field(default_factory=list, description="the promotions' bill messages")


class SaleReturnLineIn(_In):
    line_no: StrictInt = Field(..., ge=1, le=100000)
    quantity: Quantity


class ReturnIn(_In):
    return_id: str = Field(..., min_length=1, max_length=64)
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
    returned_net: Decimal = Field(..., description="the money the return gives back (a promoted sale is repriced)")
    balance: BalanceOut | None


class VoidIn(_In):
    reason: str = Field(..., min_length=1, max_length=500)
    branch: str = Field("", max_length=20)
    terminal: str = Field("", max_length=40)


class SalePlace(Schema):
    branch: str = Field("", max_length=20)
    terminal: str = Field("", max_length=40)


