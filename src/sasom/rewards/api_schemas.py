"""Schemas of the rewards API (see :mod:`sasom.rewards.api`).

Every string and list is bounded and refuses NUL, every number is bounded to what the columns
hold, so any schema-valid input reaches the services and gets an answer, never a crash. Money is a
decimal string, points are integers, date-times ISO 8601 with an offset (the server's zone).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, StrictBool, StrictInt, model_validator

from sasom.core.inputs import iso_text_only
from sasom.core.money import money_text
from sasom.members.models import Member

from .models import Coupon, CouponTemplate, LimitPeriod, PointsDiscountRule, Redemption, Reward
from .pricing import DiscountQuote, coupon_code_display
from .selectors import RewardOption

NO_NUL = r"^[^\x00]*$"
MONEY = r"^\d{1,10}(\.\d{1,2})?$"
PERCENT = r"^(100(\.0{1,2})?|\d{1,2}(\.\d{1,2})?)$"
POINTS_MAX = 1_000_000_000
COUNT_MAX = 1_000_000

Code = Annotated[str, Field(min_length=1, max_length=40, pattern=NO_NUL)]
Codes = Annotated[list[Code], Field(max_length=100)]
Text = Annotated[str, Field(max_length=200, pattern=NO_NUL)]
Money = Annotated[str, Field(pattern=MONEY, description='decimal string, e.g. "250.00"', examples=["250.00"])]
Percent = Annotated[str, Field(pattern=PERCENT, description="0 to 100, two decimals at most", examples=["30"])]
Points = Annotated[int, Field(ge=0, le=POINTS_MAX)]
BranchCode = Annotated[
    str | None,
    Field(None, max_length=20, pattern=NO_NUL, description="branch code; a branch-scoped key acts at its own branch"),
]


def _sane_date(value: dt.date | None) -> dt.date | None:
    if value is not None and not 1900 <= value.year <= 2999:
        raise ValueError("the year must be between 1900 and 2999")
    return value


Day = Annotated[dt.date, BeforeValidator(iso_text_only), AfterValidator(_sane_date)]


def local(value: dt.datetime | None) -> dt.datetime | None:
    """In the server's time zone (an ISO 8601 string with its offset)."""
    if value is None:
        return None
    out = timezone.localtime(value)
    offset = out.utcoffset()
    return out if offset is None or offset.total_seconds() % 60 == 0 else value.astimezone(dt.UTC)


def money(value: Any) -> str:
    return money_text(Decimal(value))


def money_or_none(value: Any) -> str | None:
    return None if value is None else money(value)


class Body(Schema):
    """An input object: refuses a JSON array or scalar where an object is expected."""

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        raw = getattr(data, "_obj", data) if type(data).__name__ == "DjangoGetter" else data
        if not isinstance(raw, dict) and not isinstance(raw, Schema):
            raise ValueError("a JSON object is required")
        return data


class MemberRef(Body):
    """Who: one of the member's code, phone (any format) or card number."""

    code: str | None = Field(None, max_length=40, pattern=NO_NUL)
    phone: str | None = Field(None, max_length=32, pattern=NO_NUL)
    card: str | None = Field(None, max_length=40, pattern=NO_NUL)


# --- redemptions --------------------------------------------------------------------------------


class RedeemIn(Body):
    member: MemberRef
    reward: Code = Field(..., description="reward code")
    quantity: StrictInt = Field(1, ge=1, le=100)
    buy_points: StrictInt = Field(0, ge=0, le=POINTS_MAX, description="exactly the missing points, paid at the POS")
    payment_reference: str = Field("", max_length=100, pattern=NO_NUL, description="receipt of that payment")
    branch: BranchCode = None


class ReasonIn(Body):
    reason: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL)


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


# --- coupons ------------------------------------------------------------------------------------


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


# --- points as a discount -----------------------------------------------------------------------


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
    points_per_unit: StrictInt = Field(..., ge=1, le=COUNT_MAX, description="points worth 1 unit of money")
    min_points: StrictInt = Field(0, ge=0, le=POINTS_MAX)
    max_bill_percent: Percent = "100"
    max_balance_percent: Percent = "100"
    is_active: StrictBool = True


class DiscountRulesIn(Body):
    rules: list[DiscountRuleIn] = Field(..., min_length=1, max_length=100)


class DiscountRuleOut(Schema):
    member_type: str | None
    points_per_unit: int
    min_points: int
    max_bill_percent: str
    max_balance_percent: str
    is_active: bool

    @staticmethod
    def of(r: PointsDiscountRule) -> DiscountRuleOut:
        return DiscountRuleOut(
            member_type=r.member_type.code if r.member_type_id else None, points_per_unit=r.points_per_unit,
            min_points=r.min_points, max_bill_percent=money(r.max_bill_percent),
            max_balance_percent=money(r.max_balance_percent), is_active=r.is_active,
        )


class DiscountRulesOut(Schema):
    rules: list[DiscountRuleOut]


# --- catalog ------------------------------------------------------------------------------------


class BranchQuery(Schema):
    branch: str | None = Field(None, max_length=20, pattern=NO_NUL, description="branch code (a branch-scoped key: its own)")


class Page(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class RewardIn(Body):
    code: Code
    name: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL)
    name_en: str = Field("", max_length=200, pattern=NO_NUL)
    description: str = Field("", max_length=5000, pattern=NO_NUL)
    points_cost: StrictInt = Field(..., ge=1, le=10_000_000)
    cash_copay: Money = "0"
    member_types: Codes = Field(default_factory=list, description="member type codes; empty: every type")
    valid_from_on: Day | None = None
    valid_to_on: Day | None = Field(None, description="inclusive")
    stock_mode: Reward.StockMode = Reward.StockMode.UNLIMITED
    limit_quantity: StrictInt | None = Field(None, ge=0, le=COUNT_MAX, description="per member; null: no limit")
    limit_period: LimitPeriod = LimitPeriod.LIFETIME
    is_active: StrictBool = True
    sort_order: StrictInt = Field(0, ge=0, le=COUNT_MAX)


class RewardPatch(Body):
    code: Code | None = None
    name: str | None = Field(None, min_length=1, max_length=200, pattern=NO_NUL)
    name_en: str | None = Field(None, max_length=200, pattern=NO_NUL)
    description: str | None = Field(None, max_length=5000, pattern=NO_NUL)
    points_cost: StrictInt | None = Field(None, ge=1, le=10_000_000)
    cash_copay: Money | None = None
    member_types: Codes | None = None
    valid_from_on: Day | None = Field(None, description="null clears")
    valid_to_on: Day | None = Field(None, description="null clears")
    stock_mode: Reward.StockMode | None = None
    limit_quantity: StrictInt | None = Field(None, ge=0, le=COUNT_MAX, description="null: no limit")
    limit_period: LimitPeriod | None = None
    is_active: StrictBool | None = None
    sort_order: StrictInt | None = Field(None, ge=0, le=COUNT_MAX)


class BranchStockOut(Schema):
    branch: str
    quantity: int


class RewardOut(Schema):
    code: str
    name: str
    name_en: str
    description: str
    points_cost: int
    cash_copay: str
    member_types: list[str]
    valid_from_on: dt.date | None
    valid_to_on: dt.date | None
    stock_mode: str
    stock: int | None = Field(..., description="one stock for all branches; null otherwise")
    branch_stock: list[BranchStockOut]
    limit_quantity: int | None
    limit_period: str
    is_active: bool
    sort_order: int
    created_at: dt.datetime

    @staticmethod
    def of(r: Reward) -> RewardOut:
        """``r`` with ``member_types`` and ``branch_stocks__branch`` prefetched."""
        return RewardOut(
            code=r.code, name=r.name, name_en=r.name_en, description=r.description, points_cost=r.points_cost,
            cash_copay=money(r.cash_copay), member_types=sorted(t.code for t in r.member_types.all()),
            valid_from_on=r.valid_from_on, valid_to_on=r.valid_to_on, stock_mode=r.stock_mode,
            stock=r.stock if r.stock_mode == Reward.StockMode.GLOBAL else None,
            branch_stock=sorted(
                (BranchStockOut(branch=s.branch.code, quantity=s.quantity) for s in r.branch_stocks.all()),
                key=lambda s: s.branch,
            ) if r.stock_mode == Reward.StockMode.PER_BRANCH else [],
            limit_quantity=r.limit_quantity, limit_period=r.limit_period, is_active=r.is_active,
            sort_order=r.sort_order, created_at=local(r.created_at),
        )


class RewardList(Schema):
    count: int
    limit: int
    offset: int
    items: list[RewardOut]


class StockIn(Body):
    delta: StrictInt = Field(..., ge=-COUNT_MAX, le=COUNT_MAX, description="added (negative: written off)")
    branch: BranchCode = None
    reason: str = Field("", max_length=200, pattern=NO_NUL)


class StockOut(Schema):
    reward: str
    branch: str | None
    quantity: int


class CouponTemplateIn(Body):
    code: Code
    name: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL)
    name_en: str = Field("", max_length=200, pattern=NO_NUL)
    kind: CouponTemplate.Kind = CouponTemplate.Kind.CASH
    value: Money = Field(..., description="cash: its value; discount: the percent or the amount off")
    discount_kind: CouponTemplate.DiscountKind = CouponTemplate.DiscountKind.AMOUNT
    min_spend: Money = "0"
    product_codes: Codes = Field(default_factory=list)
    category_codes: Codes = Field(default_factory=list)
    text: str = Field("", max_length=2000, pattern=NO_NUL)
    points_cost: StrictInt = Field(0, ge=0, le=10_000_000)
    validity_days: StrictInt | None = Field(None, ge=1, le=3660, description="counting the day of issue")
    valid_until_on: Day | None = Field(None, description="fixed last day (inclusive)")
    per_member_limit: StrictInt | None = Field(None, ge=0, le=COUNT_MAX)
    member_types: Codes = Field(default_factory=list)
    is_active: StrictBool = True


class CouponTemplatePatch(Body):
    code: Code | None = None
    name: str | None = Field(None, min_length=1, max_length=200, pattern=NO_NUL)
    name_en: str | None = Field(None, max_length=200, pattern=NO_NUL)
    kind: CouponTemplate.Kind | None = None
    value: Money | None = None
    discount_kind: CouponTemplate.DiscountKind | None = None
    min_spend: Money | None = None
    product_codes: Codes | None = None
    category_codes: Codes | None = None
    text: str | None = Field(None, max_length=2000, pattern=NO_NUL)
    points_cost: StrictInt | None = Field(None, ge=0, le=10_000_000)
    validity_days: StrictInt | None = Field(None, ge=1, le=3660, description="null clears")
    valid_until_on: Day | None = Field(None, description="null clears")
    per_member_limit: StrictInt | None = Field(None, ge=0, le=COUNT_MAX, description="null: no limit")
    member_types: Codes | None = None
    is_active: StrictBool | None = None


class CouponTemplateOut(Schema):
    code: str
    name: str
    name_en: str
    kind: str
    value: str
    discount_kind: str
    min_spend: str
    product_codes: list[str]
    category_codes: list[str]
    text: str
    points_cost: int
    validity_days: int | None
    valid_until_on: dt.date | None
    per_member_limit: int | None
    member_types: list[str]
    is_active: bool
    created_at: dt.datetime

    @staticmethod
    def of(t: CouponTemplate) -> CouponTemplateOut:
        """``t`` with ``member_types`` prefetched."""
        return CouponTemplateOut(
            code=t.code, name=t.name, name_en=t.name_en, kind=t.kind, value=money(t.value),
            discount_kind=t.discount_kind, min_spend=money(t.min_spend), product_codes=list(t.product_codes or []),
            category_codes=list(t.category_codes or []), text=t.text, points_cost=t.points_cost,
            validity_days=t.validity_days, valid_until_on=t.valid_until_on, per_member_limit=t.per_member_limit,
            member_types=sorted(m.code for m in t.member_types.all()), is_active=t.is_active,
            created_at=local(t.created_at),
        )


class CouponTemplateList(Schema):
    count: int
    limit: int
    offset: int
    items: list[CouponTemplateOut]
