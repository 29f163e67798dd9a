"""Rewards and coupons over the JSON API: redeem at the counter, coupons at the POS, points as
money, and the catalog configuration.

Endpoints parse, resolve codes within the caller's organization (another organization's code is
simply not found: 404), and call the same services as the screens, so refusals carry the same
codes. The caller's branch: a branch-scoped key acts at its branch (a different ``branch`` in the
body is refused, 403); an unscoped key or a staff session names the branch. Staff sessions pass
``staff`` to the services, which enforce a branch-scoped role's branches. Schemas live in
:mod:`sasom.rewards.api_schemas`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from sasom.core.audit import Actor
from sasom.core.errors import DomainError, Forbidden, NotFound
from sasom.core.permissions import branch_ids_in_scope
from sasom.integrations.auth import Principal, api_auth, api_require
from sasom.members.models import Member, MemberType
from sasom.members.selectors import member_by_code, member_lookup
from sasom.organizations.models import Branch, Organization

from . import errors as E
from . import points as ledger
from .api_schemas import (
    BranchQuery,
    CouponIssueIn,
    CouponOut,
    CouponTemplateIn,
    CouponTemplateList,
    CouponTemplateOut,
    CouponTemplatePatch,
    CouponUseIn,
    DiscountRuleOut,
    DiscountRulesIn,
    DiscountRulesOut,
    MemberRef,
    MemberRewardsOut,
    Page,
    QuoteIn,
    QuoteOut,
    ReasonIn,
    RedeemIn,
    RedemptionOut,
    RewardIn,
    RewardList,
    RewardOptionOut,
    RewardOut,
    RewardPatch,
    StockIn,
    StockOut,
)
from .models import Coupon, CouponTemplate, PointsDiscountRule, Redemption, Reward, RewardStock
from .selectors import reward_options
from .services import (
    BillLine,
    coupon_cancel,
    coupon_get,
    coupon_issue,
    coupon_template_save,
    coupon_use,
    points_discount_quote_for,
    points_discount_rule_save,
    redemption_cancel,
    reward_redeem,
    reward_save,
    reward_stock_adjust,
)
from .services.catalog import COUPON_TEMPLATE_FIELDS, REWARD_FIELDS

router = Router(tags=["rewards"], auth=api_auth)

E_MEMBER_REF_EMPTY = "lookup_needs_a_key"
E_REWARD_NOT_FOUND = "reward_not_found"
E_REDEMPTION_NOT_FOUND = "redemption_not_found"
E_TEMPLATE_NOT_FOUND = "coupon_template_not_found"
E_BRANCH_REQUIRED = "branch_required"
E_UNKNOWN_BRANCH = "unknown_branch"
E_UNKNOWN_MEMBER_TYPE = "unknown_member_type"


# --- resolving codes ----------------------------------------------------------------------------


def _known_query(request: HttpRequest, model: type[Schema]) -> None:
    """An unknown query parameter (a typo) or one given twice is refused, not silently ignored."""
    for name in sorted(request.GET):
        if name not in model.model_fields:
            message = f"Unknown query parameter {name!r}."
        elif len(request.GET.getlist(name)) > 1:
            message = f"Query parameter {name!r} is given more than once."
        else:
            continue
        raise DomainError("invalid_input", message, field=name, status=422)


def _clean(code: str, limit: int = 40) -> str | None:
    """A path code as stored (``None``: it cannot be one, so it is not found)."""
    code = (code or "").strip()
    return code if code and len(code) <= limit and "\x00" not in code else None


def _member(principal: Principal, ref: MemberRef) -> Member:
    if not (ref.code or ref.phone or ref.card):
        raise DomainError(E_MEMBER_REF_EMPTY, "Give the member's code, phone or card.", field="member")
    member = member_lookup(principal.organization_id, phone=ref.phone, card=ref.card, code=ref.code)
    if member is None:
        raise NotFound(E.MEMBER_NOT_FOUND, "No member matches.", field="member")
    return member


def _branch(principal: Principal, code: str | None) -> Branch:
    """Where the caller acts: a branch-scoped key's own branch, else the branch named."""
    code = (code or "").strip()
    if principal.branch_id:
        branch = Branch.objects.get(pk=principal.branch_id)
        if code and code != branch.code:
            raise Forbidden(E.BRANCH_NOT_ALLOWED, f"This key acts at branch {branch.code} only.", field="branch")
        return branch
    if not code:
        raise DomainError(E_BRANCH_REQUIRED, "Give the branch code.", field="branch")
    branch = Branch.objects.filter(organization_id=principal.organization_id, code=code).first()
    if branch is None:
        raise NotFound(E_UNKNOWN_BRANCH, f"No branch '{code}'.", field="branch")
    return branch


def _staff(principal: Principal) -> Any:
    return None if principal.is_key else principal.staff


def _reward(principal: Principal, code: str, field: str = "code") -> Reward:
    code = _clean(code)
    reward = Reward.objects.filter(organization_id=principal.organization_id, code=code.upper()).first() if code else None
    if reward is None:
        raise NotFound(E_REWARD_NOT_FOUND, "No reward with this code.", field=field)
    return reward


def _template(principal: Principal, code: str, field: str = "code") -> CouponTemplate:
    code = _clean(code)
    template = (
        CouponTemplate.objects.filter(organization_id=principal.organization_id, code=code.upper()).first()
        if code else None
    )
    if template is None:
        raise NotFound(E_TEMPLATE_NOT_FOUND, "No coupon type with this code.", field=field)
    return template


def _coupon(principal: Principal, code: str) -> Coupon:
    code = _clean(code, 64)
    if code is None:
        raise NotFound(E.COUPON_NOT_FOUND, "No coupon has this code.", field="code")
    return coupon_get(principal.organization_id, code)


def _member_types(principal: Principal, codes: list[str]) -> list[MemberType]:
    wanted = {c.strip() for c in codes}
    found = list(MemberType.objects.filter(organization_id=principal.organization_id, code__in=wanted))
    missing = sorted(wanted - {t.code for t in found})
    if missing:
        raise DomainError(E_UNKNOWN_MEMBER_TYPE, f"No member type '{missing[0]}'.", field="member_types")
    return found


def _organization(principal: Principal) -> Organization:
    return Organization.objects.get(pk=principal.organization_id)


# --- redemptions --------------------------------------------------------------------------------


def _redemption(principal: Principal, number: str) -> Redemption:
    number = _clean(number)
    qs = Redemption.objects.filter(organization_id=principal.organization_id).select_related(
        "member", "reward", "branch", "purchase"
    )
    if not principal.is_key:
        scope = branch_ids_in_scope(principal.staff)
        if scope is not None:
            qs = qs.filter(branch_id__in=scope)
    redemption = qs.filter(number=number.upper()).first() if number else None
    if redemption is None:
        raise NotFound(E_REDEMPTION_NOT_FOUND, "No redemption with this slip number.", field="number")
    return redemption


def _redemption_out(redemption: Redemption) -> RedemptionOut:
    return RedemptionOut.of(redemption, spendable=ledger.spendable_of(redemption.member))


@router.post(
    "/redemptions", response={201: RedemptionOut}, summary="Redeem a reward for points"
)
def redemption_create(request: HttpRequest, body: RedeemIn) -> Status[RedemptionOut]:
    principal = api_require(request, "rewards.redeem")
    member = _member(principal, body.member)
    reward = _reward(principal, body.reward, field="reward")
    branch = _branch(principal, body.branch)
    redemption = reward_redeem(
        member=member, reward=reward, branch=branch, actor=Actor.from_request(request), staff=_staff(principal),
        quantity=body.quantity, buy_points=body.buy_points, payment_reference=body.payment_reference,
    )
    return Status(201, _redemption_out(_redemption(principal, redemption.number)))


@router.get("/redemptions/{number}", response={200: RedemptionOut}, summary="One redemption slip")
def redemption_read(request: HttpRequest, number: str) -> RedemptionOut:
    principal = api_require(request, "rewards.view")
    redemption = _redemption(principal, number)
    if principal.is_key and principal.branch_id is not None and redemption.branch_id != principal.branch_id:
        # a terminal key of one branch does not read another branch's slips (as a cashier cannot)
        raise NotFound(E_REDEMPTION_NOT_FOUND, "No redemption with this slip number.", field="number")
    return _redemption_out(redemption)


@router.post(
    "/redemptions/{number}/cancel",
    response={200: RedemptionOut},
    summary="Cancel a redemption: points and stock come back",
)
def redemption_cancel_(request: HttpRequest, number: str, body: ReasonIn) -> RedemptionOut:
    principal = api_require(request, "rewards.cancel")
    redemption = _redemption(principal, number)
    if principal.branch_id and redemption.branch_id != principal.branch_id:
        raise Forbidden(E.BRANCH_NOT_ALLOWED, "This redemption was made at another branch.", field="number")
    redemption_cancel(
        redemption=redemption, actor=Actor.from_request(request), reason=body.reason, staff=_staff(principal)
    )
    return _redemption_out(_redemption(principal, redemption.number))


@router.get(
    "/members/{code}/rewards",
    response={200: MemberRewardsOut},
    summary="What the member can redeem now, and why not the others",
)
def member_rewards(request: HttpRequest, code: str, q: Query[BranchQuery]) -> MemberRewardsOut:
    principal = api_require(request, "rewards.view")
    _known_query(request, BranchQuery)
    member = member_by_code(principal.organization_id, code)
    where = _branch(principal, q.branch)
    spendable = ledger.spendable_of(member)
    options = reward_options(member, branch=where, spendable=spendable)
    inactive = member.status != Member.Status.ACTIVE

    def refusal(o: Any) -> str:
        if inactive:
            return E.MEMBER_NOT_ACTIVE
        if o.refusal:
            return o.refusal
        return E.INSUFFICIENT_POINTS if o.shortfall and not o.purchasable else ""

    return MemberRewardsOut(
        member=member.code, branch=where.code, spendable=spendable,
        rewards=[RewardOptionOut.of(o, refusal(o)) for o in options],
    )


# --- coupons ------------------------------------------------------------------------------------


@router.get("/coupons/{code}", response={200: CouponOut}, summary="A coupon: status, kind, value, expiry")
def coupon_read(request: HttpRequest, code: str) -> CouponOut:
    principal = api_require(request, "rewards.view")
    return CouponOut.of(_coupon_full(principal, code))


def _coupon_full(principal: Principal, code: str) -> Coupon:
    found = _coupon(principal, code)
    return Coupon.objects.select_related("template", "member", "used_branch").get(pk=found.pk)


@router.post("/coupons", response={201: CouponOut}, summary="Issue a coupon to a member for points")
def coupon_create(request: HttpRequest, body: CouponIssueIn) -> Status[CouponOut]:
    principal = api_require(request, "rewards.redeem")
    if not body.charge_points:
        api_require(request, "coupons.manage")
    member = _member(principal, body.member)
    template = _template(principal, body.template, field="template")
    coupon = coupon_issue(
        member=member, template=template, actor=Actor.from_request(request), charge_points=body.charge_points
    )
    return Status(201, CouponOut.of(_coupon_full(principal, coupon.code)))


@router.post("/coupons/{code}/use", response={200: CouponOut}, summary="Use a coupon on a bill, once")
def coupon_use_(request: HttpRequest, code: str, body: CouponUseIn) -> CouponOut:
    principal = api_require(request, "coupons.use")
    member = _member(principal, body.member)
    branch = _branch(principal, body.branch)
    found = _coupon(principal, code)
    coupon = coupon_use(
        organization_id=principal.organization_id, code=found.code, member=member,
        bill_amount=Decimal(body.bill_amount), bill_reference=body.receipt_id, branch=branch,
        actor=Actor.from_request(request), staff=_staff(principal),
        lines=[BillLine(sku=ln.sku.strip(), category=ln.category.strip(), amount=Decimal(ln.amount)) for ln in body.lines],
    )
    return CouponOut.of(_coupon_full(principal, coupon.code))


@router.post(
    "/coupons/{code}/cancel",
    response={200: CouponOut},
    summary="Cancel an unused coupon: its points come back",
)
def coupon_cancel_(request: HttpRequest, code: str, body: ReasonIn) -> CouponOut:
    principal = api_require(request, "rewards.cancel")
    coupon = coupon_cancel(coupon=_coupon(principal, code), actor=Actor.from_request(request), reason=body.reason)
    return CouponOut.of(_coupon_full(principal, coupon.code))


# --- points as money ----------------------------------------------------------------------------


@router.post(
    "/points-discount/quote",
    response={200: QuoteOut},
    summary="The most points a member may use on a bill, and their money (stores nothing)",
)
def points_discount_quote(request: HttpRequest, body: QuoteIn) -> QuoteOut:
    principal = api_require(request, "rewards.view")
    member = _member(principal, body.member)
    spendable = ledger.spendable_of(member)
    quote = points_discount_quote_for(member, bill_amount=Decimal(body.bill_amount), spendable=spendable)
    return QuoteOut.of(member, spendable, quote)


def _rules(principal: Principal) -> DiscountRulesOut:
    rows = PointsDiscountRule.objects.filter(organization_id=principal.organization_id).select_related("member_type")
    rows = sorted(rows, key=lambda r: (r.member_type_id is not None, r.member_type.code if r.member_type_id else ""))
    return DiscountRulesOut(rules=[DiscountRuleOut.of(r) for r in rows])


@router.get(
    "/points-discount/rules", response={200: DiscountRulesOut}, summary="Points-as-money rules per member type"
)
def discount_rules_read(request: HttpRequest) -> DiscountRulesOut:
    principal = api_require(request, "rewards.manage")
    return _rules(principal)


@router.put(
    "/points-discount/rules",
    response={200: DiscountRulesOut},
    summary="Set the rules of the member types given (null member type: the default); others stay",
)
def discount_rules_put(request: HttpRequest, body: DiscountRulesIn) -> DiscountRulesOut:
    principal = api_require(request, "rewards.manage")
    org = _organization(principal)
    actor = Actor.from_request(request)
    seen: set[str | None] = set()
    with transaction.atomic():
        for i, item in enumerate(body.rules):
            type_code = (item.member_type or "").strip() or None
            if type_code in seen:
                raise DomainError(E.VALUE_INVALID, "A member type is given twice.", field=f"rules.{i}.member_type")
            seen.add(type_code)
            member_type = _member_types(principal, [type_code])[0] if type_code else None
            rule = PointsDiscountRule.objects.filter(organization=org, member_type=member_type).first()
            data = item.dict(exclude={"member_type"})
            data["member_type"] = member_type
            data["max_bill_percent"] = Decimal(item.max_bill_percent)
            data["max_balance_percent"] = Decimal(item.max_balance_percent)
            points_discount_rule_save(organization=org, actor=actor, data=data, rule=rule)
    return _rules(principal)


# --- the catalog --------------------------------------------------------------------------------


def _rewards(principal: Principal) -> QuerySet[Reward]:
    return Reward.objects.filter(organization_id=principal.organization_id).prefetch_related(
        "member_types", Prefetch("branch_stocks", queryset=RewardStock.objects.select_related("branch"))
    )


def _reward_out(principal: Principal, reward: Reward) -> RewardOut:
    return RewardOut.of(_rewards(principal).get(pk=reward.pk))


@router.get("/rewards", response={200: RewardList}, summary="The rewards catalog")
def reward_list(request: HttpRequest, q: Query[Page]) -> RewardList:
    principal = api_require(request, "rewards.manage")
    _known_query(request, Page)
    qs = _rewards(principal).order_by("sort_order", "points_cost", "code")
    rows = list(qs[q.offset : q.offset + q.limit])
    count = len(rows) + q.offset if len(rows) < q.limit and (rows or q.offset == 0) else qs.count()
    return RewardList(count=count, limit=q.limit, offset=q.offset, items=[RewardOut.of(r) for r in rows])


def _money_fields(data: dict[str, Any], *names: str) -> dict[str, Any]:
    for name in names:
        if data.get(name) is not None:
            data[name] = Decimal(data[name])
    return data


@router.post("/rewards", response={201: RewardOut}, summary="Add a reward (stock: see /stock)")
def reward_create(request: HttpRequest, body: RewardIn) -> Status[RewardOut]:
    principal = api_require(request, "rewards.manage")
    data = _money_fields(body.dict(exclude={"member_types"}), "cash_copay")
    reward = reward_save(
        organization=_organization(principal), actor=Actor.from_request(request), data=data,
        member_types=_member_types(principal, body.member_types),
    )
    return Status(201, _reward_out(principal, reward))


@router.get("/rewards/{code}", response={200: RewardOut}, summary="One reward")
def reward_read(request: HttpRequest, code: str) -> RewardOut:
    principal = api_require(request, "rewards.manage")
    return _reward_out(principal, _reward(principal, code))


@router.patch("/rewards/{code}", response={200: RewardOut}, summary="Change a reward")
def reward_patch(request: HttpRequest, code: str, body: RewardPatch) -> RewardOut:
    principal = api_require(request, "rewards.manage")
    reward = _reward(principal, code)
    given = body.dict(exclude_unset=True)
    nullable = {"valid_from_on", "valid_to_on", "limit_quantity"}
    data = {k: getattr(reward, k) for k in REWARD_FIELDS}
    data.update({k: v for k, v in given.items() if k in REWARD_FIELDS and (v is not None or k in nullable)})
    types = (
        _member_types(principal, given["member_types"]) if given.get("member_types") is not None
        else list(reward.member_types.all())
    )
    saved = reward_save(
        organization=_organization(principal), actor=Actor.from_request(request),
        data=_money_fields(data, "cash_copay"), member_types=types, reward=reward,
    )
    return _reward_out(principal, saved)


@router.post(
    "/rewards/{code}/stock", response={200: StockOut}, summary="Add stock (or write it off with a negative delta)"
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


@router.get("/coupon-templates", response={200: CouponTemplateList}, summary="Coupon types")
def template_list(request: HttpRequest, q: Query[Page]) -> CouponTemplateList:
    principal = api_require(request, "coupons.manage")
    _known_query(request, Page)
    qs = _templates(principal).order_by("code")
    rows = list(qs[q.offset : q.offset + q.limit])
    count = len(rows) + q.offset if len(rows) < q.limit and (rows or q.offset == 0) else qs.count()
    return CouponTemplateList(
        count=count, limit=q.limit, offset=q.offset, items=[CouponTemplateOut.of(t) for t in rows]
    )


@router.post("/coupon-templates", response={201: CouponTemplateOut}, summary="Add a coupon type")
def template_create(request: HttpRequest, body: CouponTemplateIn) -> Status[CouponTemplateOut]:
    principal = api_require(request, "coupons.manage")
    data = _money_fields(body.dict(exclude={"member_types"}), "value", "min_spend")
    template = coupon_template_save(
        organization=_organization(principal), actor=Actor.from_request(request), data=data,
        member_types=_member_types(principal, body.member_types),
    )
    return Status(201, CouponTemplateOut.of(_templates(principal).get(pk=template.pk)))


@router.get("/coupon-templates/{code}", response={200: CouponTemplateOut}, summary="One coupon type")
def template_read(request: HttpRequest, code: str) -> CouponTemplateOut:
    principal = api_require(request, "coupons.manage")
    return CouponTemplateOut.of(_templates(principal).get(pk=_template(principal, code).pk))


@router.patch("/coupon-templates/{code}", response={200: CouponTemplateOut}, summary="Change a coupon type")
def template_patch(request: HttpRequest, code: str, body: CouponTemplatePatch) -> CouponTemplateOut:
    principal = api_require(request, "coupons.manage")
    template = _template(principal, code)
    given = body.dict(exclude_unset=True)
    nullable = {"validity_days", "valid_until_on", "per_member_limit"}
    data = {k: getattr(template, k) for k in COUPON_TEMPLATE_FIELDS}
    data.update({k: v for k, v in given.items() if k in COUPON_TEMPLATE_FIELDS and (v is not None or k in nullable)})
    types = (
        _member_types(principal, given["member_types"]) if given.get("member_types") is not None
        else list(template.member_types.all())
    )
    saved = coupon_template_save(
        organization=_organization(principal), actor=Actor.from_request(request),
        data=_money_fields(data, "value", "min_spend"), member_types=types, template=template,
    )
    return CouponTemplateOut.of(_templates(principal).get(pk=saved.pk))
