"""The catalog's configuration over the API: rewards (and their stock) and coupon types."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Query, Status

from sasom.core.audit import Actor
from sasom.integrations.auth import Principal, api_require

from ..api_schemas import (
    CouponTemplateIn,
    CouponTemplateList,
    CouponTemplateOut,
    CouponTemplatePatch,
    Page,
    RewardIn,
    RewardList,
    RewardOut,
    RewardPatch,
    StockIn,
    StockOut,
)
from ..models import CouponTemplate, Reward, RewardStock
from ..services import coupon_template_save, reward_save, reward_stock_adjust
from ..services.catalog import COUPON_TEMPLATE_FIELDS, REWARD_FIELDS
from .common import _branch, _known_query, _member_types, _organization, _reward, _template, router


def _rewards(principal: Principal) -> QuerySet[Reward]:
    return Reward.objects.filter(organization_id=principal.organization_id).prefetch_related(
        "member_types", Prefetch("branch_stocks", queryset=RewardStock.objects.select_related("branch"))
    )


def _reward_out(principal: Principal, reward: Reward) -> RewardOut:
    return RewardOut.of(_rewards(principal).get(pk=reward.pk))


@router.get(
    "/rewards",
    response={200: RewardList},
    summary="The rewards catalog",
    operation_id="sasom_rewards_api_reward_list",
)
def reward_list(request: HttpRequest, q: Query[Page]) -> RewardList:
    principal = api_require(request, "rewards.manage")
    _known_query(request, Page)
    qs = _rewards(principal).order_by("sort_order", "points_cost", "code")
    rows = list(qs[q.offset : q.offset + q.limit])
    count = len(rows) + q.offset if len(rows) < q.limit and (rows or q.offset == 0) else qs.count()
    return RewardList(count=count, limit=q.limit, offset=q.offset, items=[RewardOut.of(r) for r in rows])


def _patched(principal: Principal, obj: Reward | CouponTemplate, given: dict[str, Any], fields: Any,
             *, nullable: set[str]) -> tuple[dict[str, Any], list[Any]]:
    """A PATCH applied to ``obj``'s fields (an omitted field keeps its value; null clears only the
    ``nullable`` ones) and its member types (the given codes, else the current ones)."""
    data = {k: getattr(obj, k) for k in fields}
    data.update({k: v for k, v in given.items() if k in fields and (v is not None or k in nullable)})
    types = (
        _member_types(principal, given["member_types"]) if given.get("member_types") is not None
        else list(obj.member_types.all())
    )
    return data, types


def _money_fields(data: dict[str, Any], *names: str) -> dict[str, Any]:
    for name in names:
        if data.get(name) is not None:
            data[name] = Decimal(data[name])
    return data


@router.post(
    "/rewards",
    response={201: RewardOut},
    summary="Add a reward (stock: see /stock)",
    operation_id="sasom_rewards_api_reward_create",
)
def reward_create(request: HttpRequest, body: RewardIn) -> Status[RewardOut]:
    principal = api_require(request, "rewards.manage")
    data = _money_fields(body.dict(exclude={"member_types"}), "cash_copay")
    reward = reward_save(
        organization=_organization(principal), actor=Actor.from_request(request), data=data,
        member_types=_member_types(principal, body.member_types), tiers=body.tiers,
    )
    return Status(201, _reward_out(principal, reward))


@router.get(
    "/rewards/{code}",
    response={200: RewardOut},
    summary="One reward",
    operation_id="sasom_rewards_api_reward_read",
)
def reward_read(request: HttpRequest, code: str) -> RewardOut:
    principal = api_require(request, "rewards.manage")
    return _reward_out(principal, _reward(principal, code))


@router.patch(
    "/rewards/{code}",
    response={200: RewardOut},
    summary="Change a reward",
    operation_id="sasom_rewards_api_reward_patch",
)
def reward_patch(request: HttpRequest, code: str, body: RewardPatch) -> RewardOut:
    principal = api_require(request, "rewards.manage")
    reward = _reward(principal, code)
    given = body.dict(exclude_unset=True)
    data, types = _patched(principal, reward, given, REWARD_FIELDS, nullable={"valid_from_on", "valid_to_on",
                                                                              "limit_quantity"})
    saved = reward_save(
        organization=_organization(principal), actor=Actor.from_request(request),
        data=_money_fields(data, "cash_copay"), member_types=types, tiers=data["tiers"], reward=reward,
    )
    return _reward_out(principal, saved)


@router.post(
    "/rewards/{code}/stock",
    response={200: StockOut},
    summary="Add stock (or write it off with a negative delta)",
    operation_id="sasom_rewards_api_reward_stock",
)
def reward_stock(request: HttpRequest, code: str, body: StockIn) -> StockOut:
    principal = api_require(request, "rewards.manage")
    reward = _reward(principal, code)
    branch = None
    if reward.stock_mode == Reward.StockMode.PER_BRANCH:
        branch = _branch(principal, body.branch)
    quantity = reward_stock_adjust(
        reward=reward, actor=Actor.from_request(request), delta=body.delta, branch=branch, reason=body.reason
    )
    return StockOut(reward=reward.code, branch=branch.code if branch else None, quantity=quantity)



# --- coupon types -------------------------------------------------------------------------------


def _templates(principal: Principal) -> QuerySet[CouponTemplate]:
    return CouponTemplate.objects.filter(organization_id=principal.organization_id).prefetch_related("member_types")


@router.get(
    "/coupon-templates",
    response={200: CouponTemplateList},
    summary="Coupon types",
    operation_id="sasom_rewards_api_template_list",
)
def template_list(request: HttpRequest, q: Query[Page]) -> CouponTemplateList:
    principal = api_require(request, "coupons.manage")
    _known_query(request, Page)
    qs = _templates(principal).order_by("code")
    rows = list(qs[q.offset : q.offset + q.limit])
    count = len(rows) + q.offset if len(rows) < q.limit and (rows or q.offset == 0) else qs.count()
    return CouponTemplateList(
        count=count, limit=q.limit, offset=q.offset, items=[CouponTemplateOut.of(t) for t in rows]
    )


@router.post(
    "/coupon-templates",
    response={201: CouponTemplateOut},
    summary="Add a coupon type",
    operation_id="sasom_rewards_api_template_create",
)
def template_create(request: HttpRequest, body: CouponTemplateIn) -> Status[CouponTemplateOut]:
    principal = api_require(request, "coupons.manage")
    data = _money_fields(body.dict(exclude={"member_types"}), "value", "min_spend")
    template = coupon_template_save(
        organization=_organization(principal), actor=Actor.from_request(request), data=data,
        member_types=_member_types(principal, body.member_types), tiers=body.tiers,
    )
    return Status(201, CouponTemplateOut.of(_templates(principal).get(pk=template.pk)))


@router.get(
    "/coupon-templates/{code}",
    response={200: CouponTemplateOut},
    summary="One coupon type",
    operation_id="sasom_rewards_api_template_read",
)
def template_read(request: HttpRequest, code: str) -> CouponTemplateOut:
    principal = api_require(request, "coupons.manage")
    return CouponTemplateOut.of(_templates(principal).get(pk=_template(principal, code).pk))


@router.patch(
    "/coupon-templates/{code}",
    response={200: CouponTemplateOut},
    summary="Change a coupon type",
    operation_id="sasom_rewards_api_template_patch",
)
def template_patch(request: HttpRequest, code: str, body: CouponTemplatePatch) -> CouponTemplateOut:
    principal = api_require(request, "coupons.manage")
    template = _template(principal, code)
    given = body.dict(exclude_unset=True)
    data, types = _patched(principal, template, given, COUPON_TEMPLATE_FIELDS,
                           nullable={"validity_days", "valid_until_on", "per_member_limit"})
    saved = coupon_template_save(
        organization=_organization(principal), actor=Actor.from_request(request),
        data=_money_fields(data, "value", "min_spend"), member_types=types, tiers=data["tiers"],
        template=template,
    )
    return CouponTemplateOut.of(_templates(principal).get(pk=saved.pk))
