"""Redeeming rewards at the counter over the API: redeem, read and cancel a slip, and what a
member can redeem now."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Status

from sasom.core.audit import Actor
from sasom.core.errors import Forbidden, NotFound
from sasom.core.permissions import branch_ids_in_scope
from sasom.integrations.auth import Principal, api_require
from sasom.members.models import Member
from sasom.members.selectors import member_by_code

from .. import errors as E
from .. import points as ledger
from ..api_schemas import (
    BranchQuery,
    MemberRewardsOut,
    ReasonIn,
    RedeemIn,
    RedemptionOut,
    RewardOptionOut,
)
from ..models import Redemption
from ..selectors import reward_options
from ..services import redemption_cancel, reward_redeem
from .common import (
    E_REDEMPTION_NOT_FOUND,
    _branch,
    _clean,
    _known_query,
    _member,
    _reward,
    _staff,
    router,
)


def _redemption(principal: Principal, number: str) -> Redemption:
    clean = _clean(number)
    qs = Redemption.objects.filter(organization_id=principal.organization_id).select_related(
        "member", "reward", "branch", "purchase"
    )
    if not principal.is_key:
        scope = branch_ids_in_scope(principal.staff)
        if scope is not None:
            qs = qs.filter(branch_id__in=scope)
    redemption = qs.filter(number=clean.upper()).first() if clean else None
    if redemption is None:
        raise NotFound(E_REDEMPTION_NOT_FOUND, "No redemption with this slip number.", field="number")
    return redemption


def _redemption_out(redemption: Redemption) -> RedemptionOut:
    return RedemptionOut.of(redemption, spendable=ledger.spendable_of(redemption.member))


@router.post(
    "/redemptions",
    response={201: RedemptionOut},
    summary="Redeem a reward for points",
    operation_id="sasom_rewards_api_redemption_create",
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


@router.get(
    "/redemptions/{number}",
    response={200: RedemptionOut},
    summary="One redemption slip",
    operation_id="sasom_rewards_api_redemption_read",
)
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
    operation_id="sasom_rewards_api_redemption_cancel_",
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
    operation_id="sasom_rewards_api_member_rewards",
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

