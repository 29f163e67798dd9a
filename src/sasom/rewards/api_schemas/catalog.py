"""Schemas of the catalog's configuration: rewards, their stock, coupon types, and paging."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema
from pydantic import StrictBool, StrictInt

from ..models import CouponTemplate, LimitPeriod, Reward
from .common import COUNT_MAX, NO_NUL, Body, BranchCode, Code, Codes, Day, Money, local, money


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
    tiers: Codes = Field(default_factory=list, description="tier codes of the ladder; empty: every member")
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
    tiers: Codes | None = Field(None, description="tier codes of the ladder; [] clears")
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
    tiers: list[str]
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
            cash_copay=money(r.cash_copay), member_types=sorted(t.code for t in r.member_types.all()), tiers=list(r.tiers or []),
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
    tiers: Codes = Field(default_factory=list, description="tier codes of the ladder; empty: every member")
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
    tiers: Codes | None = Field(None, description="tier codes of the ladder; [] clears")
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
    tiers: list[str]
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
            member_types=sorted(m.code for m in t.member_types.all()), tiers=list(t.tiers or []), is_active=t.is_active,
            created_at=local(t.created_at),
        )


class CouponTemplateList(Schema):
    count: int
    limit: int
    offset: int
    items: list[CouponTemplateOut]
