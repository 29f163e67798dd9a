"""Schemas of the promotions API (see :mod:`sasom.promotions.api`).

Parameters: one ``params`` object whose description lists every kind's parameters (from the
registry, ``engine.kinds.KINDS``), not a discriminated union on ``kind``. The discriminator
``kind`` sits beside ``params`` in the promotion, not inside it, so a union would have to be one
whole promotion body per kind (some 25 fields repeated for each of the kinds), and each kind's
rules (bands ascending, a mix of SKUs, a choice among options) would be written twice, once in
pydantic and once in the kind's ``clean``. The kind's ``clean`` stays the one validator (400
``promotion_params_invalid`` naming ``params.<name>``), ``GET /promotions/kinds`` answers each
kind's parameters machine-readably, and the OpenAPI document carries one example per kind.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, StrictBool, StrictInt

from sasom.core.currency import Currency
from sasom.core.inputs import api_local_time, iso_text_only
from sasom.core.money import money_text
from sasom.core.schemas import StrictIn
from sasom.promotions.engine.kinds import KINDS
from sasom.promotions.models import Mode, Promotion, PromotionSettings, Status
from sasom.promotions.texts import organization_currency, summary_shown

NO_NUL = r"^[^\x00]*$"
CLOCK = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"
QUANTITY = r"^\d{1,7}(\.\d{1,3})?$"

Code = Annotated[str, Field(max_length=64, pattern=NO_NUL)]
Codes = Annotated[list[Code], Field(max_length=500)]
Clock = Annotated[str, Field(pattern=CLOCK, description="local time of day, HH:MM", examples=["10:00"])]
Limit = Annotated[int, Field(ge=1, le=1_000_000_000)]


def _sane_year(value: dt.datetime) -> dt.datetime:
    if not 1900 <= value.year <= 2999:
        raise ValueError("the year must be between 1900 and 2999")
    return value


Moment = Annotated[AwareDatetime, BeforeValidator(iso_text_only), AfterValidator(_sane_year),
                   Field(examples=["2026-12-01T00:00:00+07:00"])]


def _kinds_text() -> str:
    parts = []
    for code, kind in KINDS.items():
        params = ", ".join(f"{p.name} ({p.type}{', optional' if not p.required else ''}"
                           f"{': ' + '|'.join(p.options) if p.options else ''})" for p in kind.params)
        parts.append(f"{code}: {params or 'none'}")
    return "; ".join(parts)


PARAMS_DESCRIPTION = (
    "The kind's parameters (GET /promotions/kinds lists them with labels and examples). "
    "money, percent and decimal as strings (\"35.00\"), int as numbers, bands as "
    "[{\"from\": 3, \"value\": \"2\"}], mix as [{\"sku\": \"COKE\", \"quantity\": 1, \"price\": null}]. "
    "By kind: " + _kinds_text()
)
Params = Annotated[dict[str, Any], Field(description=PARAMS_DESCRIPTION,
                                         examples=[dict(k.example) for k in KINDS.values()][:1] or [{}])]
KindCode = Annotated[str, Field(max_length=30, description="a kind of GET /promotions/kinds",
                                json_schema_extra={"enum": list(KINDS)})]


class PromotionIn(StrictIn):
    code: str = Field(..., min_length=1, max_length=40, pattern=NO_NUL)
    name: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL)
    kind: KindCode
    params: Params = Field(default_factory=dict)
    priority: StrictInt = Field(100, ge=0, le=1_000_000, description="lower runs first (priority mode)")
    stacks: StrictBool = False
    message: str = Field("", max_length=200, pattern=NO_NUL, description="printed on the bill when it applies")
    item_skus: Codes = Field(default_factory=list, description="what it counts; empty item lists = every line")
    item_categories: Codes = Field(default_factory=list, description="category codes (any level)")
    item_brands: Codes = Field(default_factory=list)
    exclude_skus: Codes = Field(default_factory=list)
    members_only: StrictBool = False
    member_types: Codes = Field(default_factory=list)
    tiers: Codes = Field(default_factory=list)
    branches: Codes = Field(default_factory=list)
    terminals: Codes = Field(default_factory=list)
    salespersons: Codes = Field(default_factory=list)
    document_types: Codes = Field(default_factory=list)
    starts_at: Moment | None = None
    ends_at: Moment | None = Field(None, description="exclusive")
    weekdays: list[StrictInt] = Field(default_factory=list, max_length=7, description="0 = Monday … 6 = Sunday")
    hours_from: Clock | None = None
    hours_to: Clock | None = Field(None, description="exclusive; before hours_from runs over midnight")
    per_bill_limit: Limit | None = None
    per_member_limit: Limit | None = Field(None, description="bills per member")
    budget: Limit | None = Field(None, description="bills in all")


NULLABLE = frozenset({"starts_at", "ends_at", "hours_from", "hours_to", "per_bill_limit", "per_member_limit",
                      "budget"})


class PromotionPatch(StrictIn):
    """Only the fields given change; ``null`` clears a date, hours or a limit."""

    code: str | None = Field(None, min_length=1, max_length=40, pattern=NO_NUL)
    name: str | None = Field(None, min_length=1, max_length=200, pattern=NO_NUL)
    kind: KindCode | None = None
    params: Params | None = Field(None, description="replaces all parameters")
    priority: StrictInt | None = Field(None, ge=0, le=1_000_000)
    stacks: StrictBool | None = None
    message: str | None = Field(None, max_length=200, pattern=NO_NUL)
    item_skus: Codes | None = None
    item_categories: Codes | None = None
    item_brands: Codes | None = None
    exclude_skus: Codes | None = None
    members_only: StrictBool | None = None
    member_types: Codes | None = None
    tiers: Codes | None = None
    branches: Codes | None = None
    terminals: Codes | None = None
    salespersons: Codes | None = None
    document_types: Codes | None = None
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    weekdays: list[StrictInt] | None = Field(None, max_length=7)
    hours_from: Clock | None = None
    hours_to: Clock | None = None
    per_bill_limit: Limit | None = None
    per_member_limit: Limit | None = None
    budget: Limit | None = None


class PromotionCopyIn(StrictIn):
    code: str = Field(..., min_length=1, max_length=40, pattern=NO_NUL)
    name: str = Field("", max_length=200, pattern=NO_NUL, description="empty: the original's name")


class PromotionOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    summary: str
    status: str
    params: dict[str, Any]
    priority: int
    stacks: bool
    message: str
    item_skus: list[str]
    item_categories: list[str]
    item_brands: list[str]
    exclude_skus: list[str]
    members_only: bool
    member_types: list[str]
    tiers: list[str]
    branches: list[str]
    terminals: list[str]
    salespersons: list[str]
    document_types: list[str]
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    weekdays: list[int]
    hours_from: str | None
    hours_to: str | None
    per_bill_limit: int | None
    per_member_limit: int | None
    budget: int | None
    uses: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def of(p: Promotion, currency: Currency | None = None) -> PromotionOut:
        """``currency``: the organization's currency and display unit (read when not given); the
        summary's amounts are written in the display unit with the unit's name (``100.00 บาท``,
        ``100000 toman``), its words in the request's language."""
        shown = organization_currency(p.organization_id) if currency is None else currency
        summary = summary_shown(p.kind, p.params, shown)
        return PromotionOut(
            id=p.pk, code=p.code, name=p.name, kind=p.kind, summary=summary, status=p.status,
            params=p.params or {}, priority=p.priority, stacks=p.stacks, message=p.message,
            item_skus=p.item_skus, item_categories=p.item_categories, item_brands=p.item_brands,
            exclude_skus=p.exclude_skus, members_only=p.members_only, member_types=p.member_types, tiers=p.tiers,
            branches=p.branches, terminals=p.terminals, salespersons=p.salespersons,
            document_types=p.document_types, starts_at=api_local_time(p.starts_at),
            ends_at=api_local_time(p.ends_at), weekdays=p.weekdays,
            hours_from=p.hours_from.isoformat("minutes") if p.hours_from else None,
            hours_to=p.hours_to.isoformat("minutes") if p.hours_to else None,
            per_bill_limit=p.per_bill_limit, per_member_limit=p.per_member_limit, budget=p.budget, uses=p.uses,
            created_at=api_local_time(p.created_at), updated_at=api_local_time(p.updated_at),
        )


class PromotionList(Schema):
    count: int
    limit: int
    offset: int
    items: list[PromotionOut]


def _registered_kind(value: str) -> str:
    if value not in KINDS:
        raise ValueError(f"unknown promotion kind {value!r}")
    return value


class PromotionQuery(Schema):
    status: Status | None = None
    # a filter must name a kind (422 otherwise); in a body an unknown kind is the service's 400
    # promotion_kind_unknown, as on the screens
    kind: Annotated[KindCode, AfterValidator(_registered_kind)] | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class PromotionSettingsOut(Schema):
    mode: str
    gifts_earn_points: bool
    version: int

    @staticmethod
    def of(row: PromotionSettings) -> PromotionSettingsOut:
        return PromotionSettingsOut(mode=row.mode, gifts_earn_points=row.gifts_earn_points, version=row.version)


class PromotionSettingsIn(StrictIn):
    mode: Mode | None = Field(None, description="best: best for the customer; priority: in priority order")
    gifts_earn_points: StrictBool | None = None


class PromotionKindParamOut(Schema):
    name: str
    type: str
    label: str
    help: str
    required: bool
    options: list[str]
    example: Any = None


class PromotionKindOut(Schema):
    code: str
    family: int
    label: str
    description: str
    uses_items: bool
    params: list[PromotionKindParamOut]
    example: dict[str, Any]


# --- try a basket ------------------------------------------------------------------------------


class PromotionBasketLineIn(StrictIn):
    sku: str = Field(..., min_length=1, max_length=64, pattern=NO_NUL, description="SKU or barcode")
    quantity: Annotated[str, Field(pattern=QUANTITY, examples=["2"])] | StrictInt = Field(
        ..., description="more than 0 and at most 100,000, with at most 3 decimals")


class PromotionPreviewIn(StrictIn):
    lines: list[PromotionBasketLineIn] = Field(..., min_length=1, max_length=200)
    member: str = Field("", max_length=64, pattern=NO_NUL, description="member code (conditions, limits)")
    branch: str = Field("", max_length=64, pattern=NO_NUL, description="branch code (its price table)")
    at: Moment | None = Field(None, description="when the basket is priced; default now")
    promotion: PromotionIn | None = Field(None, description="a draft promotion to try, not saved")
    draft_only: StrictBool = Field(False, description="try the draft alone, without the active promotions")
    choices: dict[Code, Code] = Field(default_factory=dict, description="promotion code -> the chosen SKU")


class PromoPreviewTakeOut(Schema):
    line: int
    units: str
    discount: str


class PromoPreviewGiftOut(Schema):
    sku: str
    name: str
    quantity: str
    unit_price: str
    list_price: str


class PromoPreviewChoiceOut(Schema):
    promotion: str
    options: list[str]
    quantity: str
    unit_price: str


class PromoPreviewAppliedOut(Schema):
    code: str
    name: str
    kind: str
    times: int
    discount: str
    explanation: str
    message: str
    takes: list[PromoPreviewTakeOut]
    gifts: list[PromoPreviewGiftOut]
    choice: PromoPreviewChoiceOut | None


class PromoPreviewHintOut(Schema):
    promotion: str
    name: str
    missing_units: str | None
    missing_amount: str | None
    reward: str


class PromoPreviewLineOut(Schema):
    line: int
    sku: str
    name: str
    quantity: str
    unit_price: str
    gross: str
    discount: str
    net: str


class PromoPreviewTotalsOut(Schema):
    gross: str
    discount: str
    net: str


class PromotionPreviewOut(Schema):
    lines: list[PromoPreviewLineOut]
    applied: list[PromoPreviewAppliedOut]
    gifts: list[PromoPreviewGiftOut]
    choices: list[PromoPreviewChoiceOut]
    hints: list[PromoPreviewHintOut]
    messages: list[str]
    totals: PromoPreviewTotalsOut


def money_out(value: Decimal) -> str:
    return money_text(value)


def quantity_out(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
