"""Schemas of the earning API (see :mod:`sasom.earning.api`).

Every string and list is bounded and refuses NUL, so any schema-valid input reaches the services
and gets an answer, never a crash: money and quantities are decimal strings, points integers,
date-times ISO 8601 with an offset (output in the server's zone).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.utils import timezone
from ninja import Field, Schema
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    StrictBool,
    StrictInt,
    model_validator,
)

from sasom.core.inputs import iso_text_only
from sasom.core.money import money_text
from sasom.earning import models as m
from sasom.earning.domain import Award, EarnResult
from sasom.earning.params import describe

NO_NUL = r"^[^\x00]*$"
MONEY = r"^\d{1,10}(\.\d{1,2})?$"
QUANTITY = r"^\d{1,7}(\.\d{1,3})?$"
MULTIPLIER = r"^\d{1,7}(\.\d{1,2})?$"
CLOCK = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"
PRIORITY = {"ge": -1_000_000, "le": 1_000_000}

Code = Annotated[str, Field(max_length=40, pattern=NO_NUL)]
Codes = Annotated[list[Code], Field(max_length=100)]
Money = Annotated[
    str, Field(pattern=MONEY, description='decimal string, e.g. "2000.00"', examples=["2000.00"])
]
BoostMode = Literal["multiply", "extra_times", "fixed"]
Clock = Annotated[
    str,
    Field(pattern=CLOCK, description="local time of day, HH:MM or HH:MM:SS", examples=["12:00"]),
]


def _sane_year(value: dt.datetime) -> dt.datetime:
    if not 1900 <= value.year <= 2999:
        raise ValueError("the year must be between 1900 and 2999")
    return value


Moment = Annotated[
    AwareDatetime, BeforeValidator(iso_text_only), AfterValidator(_sane_year),
    Field(examples=["2025-04-01T00:00:00+07:00"]),
]


def _local(value: dt.datetime | None) -> dt.datetime | None:
    """In the server's time zone; in UTC where that zone's old offset is not whole minutes (RFC 3339)."""
    if value is None:
        return None
    local = timezone.localtime(value)
    offset = local.utcoffset()
    return local if offset is None or offset.total_seconds() % 60 == 0 else value.astimezone(dt.UTC)


def _clock(value: dt.time | None) -> str | None:
    return None if value is None else value.isoformat()


def _money(value: Any) -> str:
    return money_text(Decimal(value))


class Body(Schema):
    """An input object: refuses a JSON array or scalar (ninja would otherwise read one as an object
    with no fields, and an all-optional PATCH would accept ``[]``)."""

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        raw = getattr(data, "_obj", data) if type(data).__name__ == "DjangoGetter" else data
        if not isinstance(raw, dict) and not isinstance(raw, Schema):
            raise ValueError("a JSON object is required")
        return data


# --- rules --------------------------------------------------------------------------------------


class StepIn(Body):
    min_amount: Money
    mode: BoostMode
    value: Annotated[
        str, Field(pattern=MULTIPLIER, description="multiplier m, or points for fixed")
    ]


class ParamsIn(Body):
    """Kind-specific parameters (docs/points.md): give those of the rule's kind."""

    per_amount: Money | None = Field(None, description="base: every this much money…")
    points: StrictInt | None = Field(None, description="base: …earns this many points; threshold: points")
    min_amount: Money | None = Field(
        None, description="threshold, golden minute, birthday, referral, special date"
    )
    skus: Codes | None = Field(None, description="product")
    categories: Codes | None = Field(None, description="product")
    brands: Codes | None = Field(None, description="product")
    mode: BoostMode | None = Field(
        None, description="product, golden minute, birthday, special date"
    )
    value: Annotated[str, Field(pattern=MULTIPLIER)] | None = Field(
        None, description="multiplier m, or points for fixed"
    )
    per_quantity: StrictBool | None = Field(None, description="product, fixed mode: points per unit")
    steps: list[StepIn] | None = Field(
        None, max_length=20, description="spend: only the highest step reached applies"
    )
    period: Annotated[str, Field(max_length=10, pattern=NO_NUL)] | None = Field(
        None, description="birthday: day or month"
    )
    member_points: StrictInt | None = Field(None, description="referral: points for the new member")
    referrer_points: StrictInt | None = Field(None, description="referral: points for the referrer")
    dates: (
        Annotated[list[Annotated[str, Field(max_length=10, pattern=NO_NUL)]], Field(max_length=366)]
        | None
    ) = Field(None, description="special date: MM-DD (every year) or YYYY-MM-DD")

    def plain(self) -> dict[str, Any]:
        return self.dict(exclude_none=True, mode="json")


class RuleIn(Body):
    code: str = Field(..., min_length=1, max_length=40, pattern=NO_NUL)
    name: str = Field(..., min_length=1, max_length=120, pattern=NO_NUL)
    kind: m.RuleKind
    priority: StrictInt = Field(0, **PRIORITY, description="higher runs first")
    stop_further: StrictBool = False
    is_active: StrictBool = True
    valid_from: Moment | None = None
    valid_to: Moment | None = Field(None, description="exclusive")
    weekdays: list[StrictInt] = Field(
        default_factory=list, max_length=7, description="0 = Monday … 6 = Sunday"
    )
    days_of_month: list[StrictInt] = Field(default_factory=list, max_length=31)
    time_from: Clock | None = None
    time_to: Clock | None = Field(None, description="exclusive")
    member_types: Codes = Field(default_factory=list)
    tiers: Codes = Field(default_factory=list)
    branches: Codes = Field(default_factory=list)
    terminals: Codes = Field(default_factory=list)
    salespersons: Codes = Field(default_factory=list)
    document_types: Codes = Field(default_factory=list)
    campaign_plans: Codes = Field(default_factory=list)
    params: ParamsIn = Field(default_factory=ParamsIn)


class RulePatch(Body):
    code: str | None = Field(None, min_length=1, max_length=40, pattern=NO_NUL)
    name: str | None = Field(None, min_length=1, max_length=120, pattern=NO_NUL)
    kind: m.RuleKind | None = None
    priority: StrictInt | None = Field(None, **PRIORITY)
    stop_further: StrictBool | None = None
    is_active: StrictBool | None = None
    valid_from: Moment | None = Field(None, description="null clears")
    valid_to: Moment | None = Field(None, description="null clears")
    weekdays: list[StrictInt] | None = Field(None, max_length=7)
    days_of_month: list[StrictInt] | None = Field(None, max_length=31)
    time_from: Clock | None = Field(None, description="null clears")
    time_to: Clock | None = Field(None, description="null clears")
    member_types: Codes | None = None
    tiers: Codes | None = None
    branches: Codes | None = None
    terminals: Codes | None = None
    salespersons: Codes | None = None
    document_types: Codes | None = None
    campaign_plans: Codes | None = None
    params: ParamsIn | None = Field(None, description="replaces all parameters")


class RuleOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    summary: str
    priority: int
    stop_further: bool
    is_active: bool
    valid_from: dt.datetime | None
    valid_to: dt.datetime | None
    weekdays: list[int]
    days_of_month: list[int]
    time_from: str | None
    time_to: str | None
    member_types: list[str]
    tiers: list[str]
    branches: list[str]
    terminals: list[str]
    salespersons: list[str]
    document_types: list[str]
    campaign_plans: list[str]
    params: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def of(rule: m.EarnRule) -> RuleOut:
        return RuleOut(
            id=rule.pk,
            code=rule.code,
            name=rule.name,
            kind=rule.kind,
            summary=describe(rule.kind, rule.params),
            priority=rule.priority,
            stop_further=rule.stop_further,
            is_active=rule.is_active,
            valid_from=_local(rule.valid_from),
            valid_to=_local(rule.valid_to),
            weekdays=list(rule.weekdays or []),
            days_of_month=list(rule.days_of_month or []),
            time_from=_clock(rule.time_from),
            time_to=_clock(rule.time_to),
            member_types=list(rule.member_types or []),
            tiers=list(rule.tiers or []),
            branches=list(rule.branches or []),
            terminals=list(rule.terminals or []),
            salespersons=list(rule.salespersons or []),
            document_types=list(rule.document_types or []),
            campaign_plans=list(rule.campaign_plans or []),
            params=dict(rule.params or {}),
            created_at=_local(rule.created_at),
            updated_at=_local(rule.updated_at),
        )


class RuleList(Schema):
    count: int
    limit: int
    offset: int
    items: list[RuleOut]


class Page(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class RuleQuery(Page):
    kind: m.RuleKind | None = None
    active: bool | None = None


class CampaignIn(Body):
    code: str = Field(..., min_length=1, max_length=40, pattern=NO_NUL)
    name: str = Field(..., min_length=1, max_length=120, pattern=NO_NUL)
    priority: StrictInt = Field(0, **PRIORITY, description="higher is chosen first")
    is_active: StrictBool = True
    valid_from: Moment | None = None
    valid_to: Moment | None = Field(None, description="exclusive")
    member_types: Codes = Field(default_factory=list)
    branches: Codes = Field(default_factory=list)
    plans: Codes = Field(default_factory=list)
    bag_percent: Money = Field(
        "0", description="bag declined: extra points, percent of eligible net"
    )
    bag_points: StrictInt = Field(0, description="bag declined: extra points per bill")
    donation_per_bag: Money = Field("0", description="non-member: donation per declined bag")
    fund_name: str = Field("", max_length=120, pattern=NO_NUL)
    extra_discount: Money = Field("0", description="extra discount amount for members")
    combinable: StrictBool = False


class CampaignPatch(Body):
    code: str | None = Field(None, min_length=1, max_length=40, pattern=NO_NUL)
    name: str | None = Field(None, min_length=1, max_length=120, pattern=NO_NUL)
    priority: StrictInt | None = Field(None, **PRIORITY)
    is_active: StrictBool | None = None
    valid_from: Moment | None = Field(None, description="null clears")
    valid_to: Moment | None = Field(None, description="null clears")
    member_types: Codes | None = None
    branches: Codes | None = None
    plans: Codes | None = None
    bag_percent: Money | None = None
    bag_points: StrictInt | None = None
    donation_per_bag: Money | None = None
    fund_name: str | None = Field(None, max_length=120, pattern=NO_NUL)
    extra_discount: Money | None = None
    combinable: StrictBool | None = None


class CampaignOut(Schema):
    id: int
    code: str
    name: str
    priority: int
    is_active: bool
    valid_from: dt.datetime | None
    valid_to: dt.datetime | None
    member_types: list[str]
    branches: list[str]
    plans: list[str]
    bag_percent: str
    bag_points: int
    donation_per_bag: str
    fund_name: str
    extra_discount: str
    combinable: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def of(c: m.Campaign) -> CampaignOut:
        return CampaignOut(
            id=c.pk,
            code=c.code,
            name=c.name,
            priority=c.priority,
            is_active=c.is_active,
            valid_from=_local(c.valid_from),
            valid_to=_local(c.valid_to),
            member_types=list(c.member_types or []),
            branches=list(c.branches or []),
            plans=list(c.plans or []),
            bag_percent=_money(c.bag_percent),
            bag_points=c.bag_points,
            donation_per_bag=_money(c.donation_per_bag),
            fund_name=c.fund_name,
            extra_discount=_money(c.extra_discount),
            combinable=c.combinable,
            created_at=_local(c.created_at),
            updated_at=_local(c.updated_at),
        )


class CampaignList(Schema):
    count: int
    limit: int
    offset: int
    items: list[CampaignOut]


class SettingsOut(Schema):
    rounding: str
    base_includes_vat: bool
    vat_rate: str
    excluded_categories: list[str]
    expired_card_earns: bool
    version: int = Field(..., description="moves on with every rule, campaign or settings change")
    updated_at: dt.datetime | None

    @staticmethod
    def of(row: m.EarnSettings) -> SettingsOut:
        return SettingsOut(
            rounding=row.rounding,
            base_includes_vat=row.base_includes_vat,
            vat_rate=_money(row.vat_rate),
            excluded_categories=list(row.excluded_categories or []),
            expired_card_earns=row.expired_card_earns,
            version=row.version,
            updated_at=_local(row.updated_at),
        )


class SettingsPatch(Body):
    rounding: m.EarnSettings.RoundingChoice | None = Field(
        None, description="bill: floor once per bill; line: per line"
    )
    base_includes_vat: StrictBool | None = None
    vat_rate: Money | None = None
    excluded_categories: Codes | None = None
    expired_card_earns: StrictBool | None = None


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
    rule_code: str
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
            rule_code=a.rule_code,
            rule_name=a.rule_name,
            kind=a.kind,
            points=a.points,
            base_amount=_money(a.base_amount),
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
            eligible_net=_money(result.eligible_net),
            donation=_money(result.donation),
            extra_discount=_money(result.extra_discount),
        )
