"""Stored promotions over the JSON API (``/api/v1/promotions``): list, read, create, change, the
state moves (activate, pause, resume, end), copy, settings, the kinds and their parameters, and
"try a basket". Endpoints parse and call the same services as the back-office screens (same
codes, same fields). A promotion is addressed by its code within the caller's organization;
another organization's code is not found (404). Writes sent with ``Idempotency-Key`` run once
(the integrations middleware).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from sasom.core.audit import Actor
from sasom.core.errors import NotFound
from sasom.core.inputs import body_none, query_known
from sasom.integrations.auth import api_auth, api_require
from sasom.promotions import selectors, services
from sasom.promotions.api_schemas import (
    NULLABLE,
    PromoPreviewAppliedOut,
    PromoPreviewChoiceOut,
    PromoPreviewGiftOut,
    PromoPreviewHintOut,
    PromoPreviewLineOut,
    PromoPreviewTakeOut,
    PromoPreviewTotalsOut,
    PromotionCopyIn,
    PromotionIn,
    PromotionKindOut,
    PromotionKindParamOut,
    PromotionList,
    PromotionOut,
    PromotionPatch,
    PromotionPreviewIn,
    PromotionPreviewOut,
    PromotionQuery,
    PromotionSettingsIn,
    PromotionSettingsOut,
    money_out,
    quantity_out,
)
from sasom.promotions.engine.kinds import KINDS
from sasom.promotions.engine.types import Applied, Choice, Gift
from sasom.promotions.errors import PROMOTION_NOT_FOUND
from sasom.promotions.models import Promotion
from sasom.promotions.preview import Preview, basket_preview
from sasom.promotions.texts import api_texts, organization_currency

router = Router(tags=["promotions"], auth=api_auth)


def _promotion(organization_id: int, code: str) -> Promotion:
    promotion = selectors.promotion_by_code(organization_id=organization_id, code=code)
    if promotion is None:
        raise NotFound(PROMOTION_NOT_FOUND, "No promotion with this code.", field="code")
    return promotion


@router.get("/promotions/kinds", response=list[PromotionKindOut], summary="The promotion kinds and their parameters")
def kinds_list(request: HttpRequest) -> list[PromotionKindOut]:
    api_require(request, "promotions.view")
    query_known(request, ())
    return [
        PromotionKindOut(code=code, family=k.family, label=str(k.label), description=str(k.description),
                uses_items=k.uses_items, example=dict(k.example),
                params=[PromotionKindParamOut(name=p.name, type=p.type, label=str(p.label), help=str(p.help), required=p.required,
                                 options=list(p.options), example=k.example.get(p.name)) for p in k.params])
        for code, k in KINDS.items()
    ]


@router.get("/promotions/settings", response=PromotionSettingsOut, summary="How competing promotions are resolved")
def settings_read(request: HttpRequest) -> PromotionSettingsOut:
    principal = api_require(request, "promotions.view")
    query_known(request, ())
    return PromotionSettingsOut.of(selectors.settings_get(organization_id=principal.organization_id))


@router.put("/promotions/settings", response=PromotionSettingsOut, summary="Change the promotion settings")
def settings_write(request: HttpRequest, body: PromotionSettingsIn) -> PromotionSettingsOut:
    principal = api_require(request, "promotions.manage")
    row = services.promotion_settings_update(organization_id=principal.organization_id,
                                             actor=Actor.from_request(request), **body.dict(exclude_none=True))
    return PromotionSettingsOut.of(row)


def _gift(g: Gift, names: dict[str, str]) -> PromoPreviewGiftOut:
    return PromoPreviewGiftOut(sku=g.sku, name=names.get(g.sku, ""), quantity=quantity_out(g.quantity),
                   unit_price=money_out(g.unit_price), list_price=money_out(g.list_price))


def _choice(c: Choice) -> PromoPreviewChoiceOut:
    return PromoPreviewChoiceOut(promotion=c.promotion, options=list(c.options), quantity=quantity_out(c.quantity),
                     unit_price=money_out(c.unit_price))


def _applied(a: Applied, names: dict[str, str]) -> PromoPreviewAppliedOut:
    return PromoPreviewAppliedOut(
        code=a.code, name=a.name, kind=a.kind, times=a.times, discount=money_out(a.discount),
        explanation=str(a.explanation), message=a.message,
        takes=[PromoPreviewTakeOut(line=t.index, units=quantity_out(t.units), discount=money_out(t.discount)) for t in a.takes],
        gifts=[_gift(g, names) for g in a.gifts], choice=_choice(a.choice) if a.choice is not None else None,
    )


def preview_out(p: Preview) -> PromotionPreviewOut:
    r = p.result
    return PromotionPreviewOut(
        lines=[PromoPreviewLineOut(line=pl.line.index, sku=pl.line.sku, name=pl.name, quantity=quantity_out(pl.line.quantity),
                              unit_price=money_out(pl.line.unit_price), gross=money_out(pl.gross),
                              discount=money_out(pl.promotion_discount), net=money_out(pl.net)) for pl in p.lines],
        applied=[_applied(a, p.gift_names) for a in r.applied],
        gifts=[_gift(g, p.gift_names) for _a, g in r.gifts],
        choices=[_choice(c) for c in r.choices],
        hints=[PromoPreviewHintOut(promotion=h.promotion, name=h.name,
                       missing_units=quantity_out(h.missing_units) if h.missing_units is not None else None,
                       missing_amount=money_out(h.missing_amount) if h.missing_amount is not None else None,
                       reward=str(h.reward)) for h in r.hints],
        messages=list(r.messages),
        totals=PromoPreviewTotalsOut(gross=money_out(p.gross), discount=money_out(p.discount), net=money_out(p.net)),
    )


@router.post("/promotions/preview", response=PromotionPreviewOut,
             summary="Try a basket: what the promotions (and an optional draft) do to it at list prices")
def preview(request: HttpRequest, body: PromotionPreviewIn) -> PromotionPreviewOut:
    principal = api_require(request, "promotions.view")
    result = basket_preview(
        organization_id=principal.organization_id, lines=[(line.sku, line.quantity) for line in body.lines],
        member_code=body.member, branch_code=body.branch, at=body.at,
        draft=body.promotion.dict() if body.promotion is not None else None, draft_only=body.draft_only,
        choices=dict(body.choices),
    )
    with api_texts(organization_currency(principal.organization_id)):  # the texts in the shop's unit
        return preview_out(result)


@router.get("/promotions", response=PromotionList, summary="Promotions, filtered by status and kind")
def promotion_list(request: HttpRequest, q: Query[PromotionQuery]) -> PromotionList:
    principal = api_require(request, "promotions.view")
    query_known(request, PromotionQuery.model_fields)
    qs = selectors.promotions_list(organization_id=principal.organization_id, status=q.status or "",
                                   kind=q.kind or "")
    rows = list(qs[q.offset: q.offset + q.limit])
    currency = organization_currency(principal.organization_id)
    count = len(rows) + q.offset if len(rows) < q.limit and (rows or q.offset == 0) else qs.count()
    return PromotionList(count=count, limit=q.limit, offset=q.offset, items=[PromotionOut.of(r, currency) for r in rows])


@router.post("/promotions", response={201: PromotionOut}, summary="Add a promotion (as a draft)")
def promotion_create(request: HttpRequest, body: PromotionIn) -> Status[PromotionOut]:
    principal = api_require(request, "promotions.manage")
    promotion = services.promotion_create(organization_id=principal.organization_id,
                                          actor=Actor.from_request(request), **body.dict())
    return Status(201, PromotionOut.of(promotion))


@router.get("/promotions/{code}", response=PromotionOut, summary="One promotion")
def promotion_read(request: HttpRequest, code: str) -> PromotionOut:
    principal = api_require(request, "promotions.view")
    return PromotionOut.of(_promotion(principal.organization_id, code))


@router.patch("/promotions/{code}", response=PromotionOut, summary="Change a promotion (not an ended one)")
def promotion_patch(request: HttpRequest, code: str, body: PromotionPatch) -> PromotionOut:
    principal = api_require(request, "promotions.manage")
    promotion = _promotion(principal.organization_id, code)
    data: dict[str, Any] = {k: v for k, v in body.dict(exclude_unset=True).items() if v is not None or k in NULLABLE}
    return PromotionOut.of(services.promotion_update(promotion=promotion, actor=Actor.from_request(request), **data))


def _move(request: HttpRequest, code: str, action: str) -> PromotionOut:
    body_none(request)
    principal = api_require(request, "promotions.manage")
    promotion = _promotion(principal.organization_id, code)
    service = {"activate": services.promotion_activate, "pause": services.promotion_pause,
               "resume": services.promotion_resume, "end": services.promotion_end}[action]
    return PromotionOut.of(service(promotion=promotion, actor=Actor.from_request(request)))


@router.post("/promotions/{code}/activate", response=PromotionOut, summary="Put a draft on sale")
def promotion_activate(request: HttpRequest, code: str) -> PromotionOut:
    return _move(request, code, "activate")


@router.post("/promotions/{code}/pause", response=PromotionOut, summary="Take an active promotion off for now")
def promotion_pause(request: HttpRequest, code: str) -> PromotionOut:
    return _move(request, code, "pause")


@router.post("/promotions/{code}/resume", response=PromotionOut, summary="Put a paused promotion back on sale")
def promotion_resume(request: HttpRequest, code: str) -> PromotionOut:
    return _move(request, code, "resume")


@router.post("/promotions/{code}/end", response=PromotionOut, summary="End a promotion for good")
def promotion_end(request: HttpRequest, code: str) -> PromotionOut:
    return _move(request, code, "end")


@router.post("/promotions/{code}/copy", response={201: PromotionOut}, summary="Copy as a new draft")
def promotion_copy(request: HttpRequest, code: str, body: PromotionCopyIn) -> Status[PromotionOut]:
    principal = api_require(request, "promotions.manage")
    promotion = _promotion(principal.organization_id, code)
    copy = services.promotion_copy(promotion=promotion, actor=Actor.from_request(request), code=body.code,
                                   name=body.name)
    return Status(201, PromotionOut.of(copy))
