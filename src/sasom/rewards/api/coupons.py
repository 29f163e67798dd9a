"""Coupons at the POS over the API: read, issue, use on a bill, cancel."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest
from ninja import Status

from sasom.core.audit import Actor
from sasom.integrations.auth import Principal, api_require

from ..api_schemas import CouponIssueIn, CouponOut, CouponUseIn, ReasonIn
from ..models import Coupon
from ..services import BillLine, coupon_cancel, coupon_issue, coupon_use
from .common import _branch, _coupon, _member, _staff, _template, router


@router.get(
    "/coupons/{code}",
    response={200: CouponOut},
    summary="A coupon: status, kind, value, expiry",
    operation_id="sasom_rewards_api_coupon_read",
)
def coupon_read(request: HttpRequest, code: str) -> CouponOut:
    principal = api_require(request, "rewards.view")
    return CouponOut.of(_coupon_full(principal, code))


def _coupon_full(principal: Principal, code: str) -> Coupon:
    found = _coupon(principal, code)
    return Coupon.objects.select_related("template", "member", "used_branch").get(pk=found.pk)


@router.post(
    "/coupons",
    response={201: CouponOut},
    summary="Issue a coupon to a member for points",
    operation_id="sasom_rewards_api_coupon_create",
)
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


@router.post(
    "/coupons/{code}/use",
    response={200: CouponOut},
    summary="Use a coupon on a bill, once",
    operation_id="sasom_rewards_api_coupon_use_",
)
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
    operation_id="sasom_rewards_api_coupon_cancel_",
)
def coupon_cancel_(request: HttpRequest, code: str, body: ReasonIn) -> CouponOut:
    principal = api_require(request, "rewards.cancel")
    coupon = coupon_cancel(coupon=_coupon(principal, code), actor=Actor.from_request(request), reason=body.reason)
    return CouponOut.of(_coupon_full(principal, coupon.code))

