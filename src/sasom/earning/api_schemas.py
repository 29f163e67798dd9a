"""Schemas of the earning API (see :mod:`sasom.earning.api`): rules, campaigns and settings.

Field types live in :mod:`sasom.earning.api_types`, the preview's schemas in
:mod:`sasom.earning.api_preview_schemas` (re-exported here). The rule kinds and the parameters each
takes come from the registry (:data:`sasom.earning.kinds.KINDS`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ImproperlyConfigured
from ninja import Field, Schema
from pydantic import ConfigDict, StrictBool, StrictInt

from sasom.earning import models as m
from sasom.earning.api_preview_schemas import AwardOut, LineIn, PreviewIn, PreviewOut
from sasom.earning.api_types import (
    MULTIPLIER,
    NO_NUL,
    PRIORITY_MAX,
    PRIORITY_MIN,
    Body,
    BoostMode,
    Clock,
    Codes,
    KindCode,
    Moment,
    Money,
    clock_text,
    local_time,
    money_out,
)
from sasom.earning.kinds import KINDS, all_param_names
from sasom.earning.params import describe

__all__ = [
    "AwardOut",
    "Body",
    "CampaignIn",
    "CampaignList",
    "CampaignOut",
    "CampaignPatch",
    "LineIn",
    "Page",
    "ParamsIn",
    "PreviewIn",
    "PreviewOut",
    "RuleIn",
    "RuleList",
    "RuleOut",
    "RulePatch",
    "RuleQuery",
    "SettingsOut",
    "SettingsPatch",
    "StepIn",
]


# --- rules --------------------------------------------------------------------------------------


def _uses(name: str) -> str:
    """Which kinds take parameter ``name``, and what it means to each (from the registry)."""
    return "; ".join(f"{code}: {p.help}" for code, kind in KINDS.items() for p in kind.params if p.name == name)


class StepIn(Body):
    model_config = ConfigDict(extra="forbid")

    min_amount: Money
    mode: BoostMode
    value: Annotated[
        str, Field(pattern=MULTIPLIER, description="multiplier m, or points for fixed")
    ]


class ParamsIn(Body):
    """Kind-specific parameters (docs/points.md): give those of the rule's kind. A name no kind
    takes is refused here (422); one the rule's kind does not take, by the service (400
    ``unknown_parameter``)."""

    model_config = ConfigDict(extra="forbid")

    per_amount: Money | None = Field(None, description=_uses("per_amount"))
    points: StrictInt | None = Field(None, description=_uses("points"))
    min_amount: Money | None = Field(None, description=_uses("min_amount"))
    skus: Codes | None = Field(None, description=_uses("skus"))
    categories: Codes | None = Field(None, description=_uses("categories"))
    brands: Codes | None = Field(None, description=_uses("brands"))
    mode: BoostMode | None = Field(None, description=_uses("mode"))
    value: Annotated[str, Field(pattern=MULTIPLIER)] | None = Field(None, description=_uses("value"))
    per_quantity: StrictBool | None = Field(None, description=_uses("per_quantity"))
    steps: list[StepIn] | None = Field(None, max_length=20, description=_uses("steps"))
    period: Annotated[str, Field(max_length=10, pattern=NO_NUL)] | None = Field(
        None, description=_uses("period")
    )
    member_points: StrictInt | None = Field(None, description=_uses("member_points"))
    referrer_points: StrictInt | None = Field(None, description=_uses("referrer_points"))
    dates: (
        Annotated[list[Annotated[str, Field(max_length=10, pattern=NO_NUL)]], Field(max_length=366)]
        | None
    ) = Field(None, description=_uses("dates"))

    def plain(self) -> dict[str, Any]:
        return self.dict(exclude_none=True, mode="json")


if set(ParamsIn.model_fields) != all_param_names():  # a kind's parameter the API cannot take
    raise ImproperlyConfigured(
        f"earning ParamsIn fields {sorted(ParamsIn.model_fields)} differ from the kinds' parameters "
        f"{sorted(all_param_names())}"
    )


class RuleIn(Body):
    code: str = Field(..., min_length=1, max_length=40, pattern=NO_NUL)
    name: str = Field(..., min_length=1, max_length=120, pattern=NO_NUL)
    kind: KindCode
    priority: StrictInt = Field(0, ge=PRIORITY_MIN, le=PRIORITY_MAX, description="higher runs first")
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
    # ParamsIn() is valid (every field defaults to None); mypy reads ninja's Field(None) as required
    params: ParamsIn = Field(default_factory=ParamsIn)  # type: ignore[arg-type]


class RulePatch(Body):
    code: str | None = Field(None, min_length=1, max_length=40, pattern=NO_NUL)
    name: str | None = Field(None, min_length=1, max_length=120, pattern=NO_NUL)
    kind: KindCode | None = None
    priority: StrictInt | None = Field(None, ge=PRIORITY_MIN, le=PRIORITY_MAX)
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
            valid_from=local_time(rule.valid_from),
            valid_to=local_time(rule.valid_to),
            weekdays=list(rule.weekdays or []),
            days_of_month=list(rule.days_of_month or []),
            time_from=clock_text(rule.time_from),
            time_to=clock_text(rule.time_to),
            member_types=list(rule.member_types or []),
            tiers=list(rule.tiers or []),
            branches=list(rule.branches or []),
            terminals=list(rule.terminals or []),
            salespersons=list(rule.salespersons or []),
            document_types=list(rule.document_types or []),
            campaign_plans=list(rule.campaign_plans or []),
            params=dict(rule.params or {}),
            created_at=local_time(rule.created_at),
            updated_at=local_time(rule.updated_at),
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
    kind: KindCode | None = None
    active: bool | None = None


class CampaignIn(Body):
    code: str = Field(..., min_length=1, max_length=40, pattern=NO_NUL)
    name: str = Field(..., min_length=1, max_length=120, pattern=NO_NUL)
    priority: StrictInt = Field(0, ge=PRIORITY_MIN, le=PRIORITY_MAX, description="higher is chosen first")
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
    priority: StrictInt | None = Field(None, ge=PRIORITY_MIN, le=PRIORITY_MAX)
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
            valid_from=local_time(c.valid_from),
            valid_to=local_time(c.valid_to),
            member_types=list(c.member_types or []),
            branches=list(c.branches or []),
            plans=list(c.plans or []),
            bag_percent=money_out(c.bag_percent),
            bag_points=c.bag_points,
            donation_per_bag=money_out(c.donation_per_bag),
            fund_name=c.fund_name,
            extra_discount=money_out(c.extra_discount),
            combinable=c.combinable,
            created_at=local_time(c.created_at),
            updated_at=local_time(c.updated_at),
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
            vat_rate=money_out(row.vat_rate),
            excluded_categories=list(row.excluded_categories or []),
            expired_card_earns=row.expired_card_earns,
            version=row.version,
            updated_at=local_time(row.updated_at),
        )


class SettingsPatch(Body):
    rounding: m.EarnSettings.RoundingChoice | None = Field(
        None, description="bill: floor once per bill; line: per line"
    )
    base_includes_vat: StrictBool | None = None
    vat_rate: Money | None = None
    excluded_categories: Codes | None = None
    expired_card_earns: StrictBool | None = None
