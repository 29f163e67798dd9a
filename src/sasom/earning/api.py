"""Earning configuration over the JSON API: rules, campaigns, settings, and a basket preview.

Endpoints only parse and call the same services as the back-office screens, so the validation
(and its error codes and fields) is the same. Rules and campaigns are addressed by their code
within the caller's organization; another organization's code is simply not found (404).
Schemas live in :mod:`sasom.earning.api_schemas`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from sasom.core.audit import Actor
from sasom.core.errors import NotFound
from sasom.core.inputs import body_none, query_known
from sasom.earning import models as m
from sasom.earning import selectors, services
from sasom.earning.api_schemas import (
    CampaignIn,
    CampaignList,
    CampaignOut,
    CampaignPatch,
    Page,
    PreviewIn,
    PreviewOut,
    RuleIn,
    RuleList,
    RuleOut,
    RulePatch,
    RuleQuery,
    SettingsOut,
    SettingsPatch,
)
from sasom.earning.errors import E_CAMPAIGN_NOT_FOUND, E_RULE_NOT_FOUND  # noqa: F401  (codes live in errors.py)
from sasom.integrations.auth import api_auth, api_require

router = Router(tags=["earning"], auth=api_auth)



def _known_query(request: HttpRequest, model: type[Schema]) -> None:
    query_known(request, model.model_fields)


def _times(data: dict[str, Any]) -> dict[str, Any]:
    for key in ("time_from", "time_to"):
        if data.get(key) is not None:
            data[key] = dt.time.fromisoformat(data[key])
    return data


def _rule(organization_id: int, code: str) -> m.EarnRule:
    rule = m.EarnRule.objects.filter(organization_id=organization_id, code=code).first()
    if rule is None:
        raise NotFound(E_RULE_NOT_FOUND, "No earning rule with this code.", field="code")
    return rule


@router.get(
    "/earning/rules", response=RuleList, summary="Earning rules, filtered by kind and state"
)
def rule_list(request: HttpRequest, q: Query[RuleQuery]) -> RuleList:
    principal = api_require(request, "rules.view")
    _known_query(request, RuleQuery)
    qs = selectors.rules_list(
        organization_id=principal.organization_id,
        active=q.active,
        kind=q.kind or "",
    )
    rows = list(qs[q.offset : q.offset + q.limit])
    count = len(rows) + q.offset if len(rows) < q.limit and (rows or q.offset == 0) else qs.count()
    return RuleList(
        count=count, limit=q.limit, offset=q.offset, items=[RuleOut.of(r) for r in rows]
    )


@router.post("/earning/rules", response={201: RuleOut}, summary="Add an earning rule")
def rule_create(request: HttpRequest, body: RuleIn) -> Status[RuleOut]:
    principal = api_require(request, "rules.manage")
    data = _times(body.dict(exclude={"params"}))
    rule = services.rule_create(
        organization_id=principal.organization_id,
        actor=Actor.from_request(request),
        params=body.params.plain(),
        **data,
    )
    return Status(201, RuleOut.of(rule))


@router.get("/earning/rules/{code}", response=RuleOut, summary="One earning rule")
def rule_read(request: HttpRequest, code: str) -> RuleOut:
    principal = api_require(request, "rules.view")
    return RuleOut.of(_rule(principal.organization_id, code))


NULLABLE = frozenset({"valid_from", "valid_to", "time_from", "time_to"})


@router.patch("/earning/rules/{code}", response=RuleOut, summary="Change an earning rule")
def rule_patch(request: HttpRequest, code: str, body: RulePatch) -> RuleOut:
    principal = api_require(request, "rules.manage")
    rule = _rule(principal.organization_id, code)
    data = {
        k: v
        for k, v in body.dict(exclude_unset=True, exclude={"params"}).items()
        if v is not None or k in NULLABLE
    }
    if body.params is not None:
        data["params"] = body.params.plain()
    rule = services.rule_update(rule=rule, actor=Actor.from_request(request), **_times(data))
    return RuleOut.of(rule)


@router.post(
    "/earning/rules/{code}/deactivate",
    response=RuleOut,
    summary="Stop a rule (rules are never deleted)",
)
def rule_deactivate(request: HttpRequest, code: str) -> RuleOut:
    body_none(request)
    principal = api_require(request, "rules.manage")
    rule = services.rule_set_active(
        rule=_rule(principal.organization_id, code), actor=Actor.from_request(request), active=False
    )
    return RuleOut.of(rule)


@router.post(
    "/earning/rules/{code}/activate", response=RuleOut, summary="Start a stopped rule again"
)
def rule_activate(request: HttpRequest, code: str) -> RuleOut:
    body_none(request)
    principal = api_require(request, "rules.manage")
    rule = services.rule_set_active(
        rule=_rule(principal.organization_id, code), actor=Actor.from_request(request), active=True
    )
    return RuleOut.of(rule)


# --- campaigns ----------------------------------------------------------------------------------


def _campaign(organization_id: int, code: str) -> m.Campaign:
    campaign = m.Campaign.objects.filter(organization_id=organization_id, code=code).first()
    if campaign is None:
        raise NotFound(E_CAMPAIGN_NOT_FOUND, "No campaign with this code.", field="code")
    return campaign


@router.get("/earning/campaigns", response=CampaignList, summary="Bag campaigns")
def campaign_list(request: HttpRequest, q: Query[Page]) -> CampaignList:
    principal = api_require(request, "rules.view")
    _known_query(request, Page)
    qs = selectors.campaigns_list(organization_id=principal.organization_id)
    rows = list(qs[q.offset : q.offset + q.limit])
    count = len(rows) + q.offset if len(rows) < q.limit and (rows or q.offset == 0) else qs.count()
    return CampaignList(
        count=count, limit=q.limit, offset=q.offset, items=[CampaignOut.of(c) for c in rows]
    )


@router.post("/earning/campaigns", response={201: CampaignOut}, summary="Add a bag campaign")
def campaign_create(request: HttpRequest, body: CampaignIn) -> Status[CampaignOut]:
    principal = api_require(request, "rules.manage")
    campaign = services.campaign_create(
        organization_id=principal.organization_id, actor=Actor.from_request(request), **body.dict()
    )
    return Status(201, CampaignOut.of(campaign))


@router.get("/earning/campaigns/{code}", response=CampaignOut, summary="One bag campaign")
def campaign_read(request: HttpRequest, code: str) -> CampaignOut:
    principal = api_require(request, "rules.view")
    return CampaignOut.of(_campaign(principal.organization_id, code))


@router.patch(
    "/earning/campaigns/{code}",
    response=CampaignOut,
    summary="Change (or stop: is_active=false) a bag campaign",
)
def campaign_patch(request: HttpRequest, code: str, body: CampaignPatch) -> CampaignOut:
    principal = api_require(request, "rules.manage")
    campaign = _campaign(principal.organization_id, code)
    data = {
        k: v
        for k, v in body.dict(exclude_unset=True).items()
        if v is not None or k in ("valid_from", "valid_to")
    }
    campaign = services.campaign_update(
        campaign=campaign, actor=Actor.from_request(request), **data
    )
    return CampaignOut.of(campaign)


# --- settings -----------------------------------------------------------------------------------


@router.get(
    "/earning/settings", response=SettingsOut, summary="The organization's points arithmetic"
)
def settings_read(request: HttpRequest) -> SettingsOut:
    principal = api_require(request, "rules.view")
    return SettingsOut.of(selectors.settings_get(organization_id=principal.organization_id))


@router.patch("/earning/settings", response=SettingsOut, summary="Change the points arithmetic")
def settings_patch(request: HttpRequest, body: SettingsPatch) -> SettingsOut:
    principal = api_require(request, "rules.manage")
    data = {k: v for k, v in body.dict(exclude_unset=True).items() if v is not None}
    if "rounding" in data:
        data["rounding"] = m.EarnSettings.RoundingChoice(data["rounding"]).value
    row = services.earn_settings_update(
        organization_id=principal.organization_id, actor=Actor.from_request(request), **data
    )
    return SettingsOut.of(row)


# --- preview ------------------------------------------------------------------------------------


@router.post(
    "/earning/preview", response=PreviewOut, summary="What a basket would earn now (stores nothing)"
)
def preview(request: HttpRequest, body: PreviewIn) -> PreviewOut:
    principal = api_require(request, "rules.view")
    result = services.basket_preview(
        organization_id=principal.organization_id,
        lines=[
            services.PreviewLine(
                sku=line.sku.strip(),
                category=line.category.strip(),
                brand=line.brand.strip(),
                quantity=Decimal(line.quantity),
                unit_price=Decimal(line.unit_price),
                discount=Decimal(line.discount),
            )
            for line in body.lines
        ],
        occurred_at=body.occurred_at,
        is_member=body.is_member,
        member_type=body.member_type.strip(),
        tier=body.tier.strip(),
        birth_on=body.birth_on,
        card_expired=body.card_expired,
        is_first_purchase=body.is_first_purchase,
        referred=body.is_first_purchase,
        branch_code=body.branch.strip(),
        terminal_code=body.terminal.strip(),
        salesperson=body.salesperson.strip(),
        document_type=body.document_type.strip(),
        bill_discount=Decimal(body.bill_discount),
        bag_declined=body.bag_declined,
        campaign_plan=body.plan.strip(),
    )
    return PreviewOut.of(result)
