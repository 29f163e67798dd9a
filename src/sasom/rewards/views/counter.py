"""Service counter: find a member, redeem, print the slip, issue coupons; the redemption list."""

from __future__ import annotations

import csv
import datetime as dt

import segno
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from sasom.core.audit import Actor
from sasom.core.dates import export_time
from sasom.core.errors import DomainError
from sasom.core.forms_dates import day_typed
from sasom.core.permissions import branch_ids_in_scope, require_perm, staff_has
from sasom.members.models import Member
from sasom.organizations.http import StaffRequest
from sasom.organizations.models import Branch

from .. import points as ledger
from ..forms import FindMemberForm, IssueCouponForm, ReasonForm, RedeemForm
from ..models import Coupon, CouponTemplate, Redemption, Reward
from ..pricing import coupon_code_display
from ..selectors import (
    coupon_templates_offered,
    coupons_of_member,
    local_today,
    redemptions_of_day,
    reward_options,
)
from ..services import coupon_cancel, coupon_issue, redemption_cancel, reward_redeem
from .common import branches_for, find_member


def _counter_context(request: StaffRequest, member: Member | None, branch, find_form) -> dict:
    ctx = {"find": find_form, "member": member, "branch": branch}
    if member is not None and branch is not None:
        spendable = ledger.spendable_of(member)
        options = reward_options(member, branch=branch, spendable=spendable)
        ctx.update(
            spendable=spendable,
            options=[o for o in options if o.redeemable],
            unavailable=[o for o in options if not o.redeemable],
            coupon_templates=coupon_templates_offered(member),
            coupons=coupons_of_member(member).filter(status=Coupon.Status.ISSUED)[:20],
        )
    return ctx


@require_perm("rewards.redeem")
def counter(request: StaffRequest) -> HttpResponse:
    """Find the member (code, phone, card); list what they can redeem now; redeem (POST)."""
    branches = branches_for(request)
    find = FindMemberForm(request.GET or None, branches=branches)
    member: Member | None = None
    branch: Branch | None = None  # the form's branch is required: set whenever member is
    if find.is_valid():
        branch = find.cleaned_data["branch"]
        member = find_member(request, find.cleaned_data["q"])
        if member is None:
            find.add_error("q", _("No member has this code, phone or card."))
    if request.method == "POST" and member is not None and branch is not None:
        form = RedeemForm(request.POST)
        if form.is_valid():
            reward = get_object_or_404(Reward, organization=request.organization, pk=form.cleaned_data["reward"])
            try:
                redemption = reward_redeem(
                    member=member, reward=reward, branch=branch, actor=Actor.from_request(request),
                    staff=request.staff, quantity=form.cleaned_data["quantity"],
                    buy_points=form.cleaned_data.get("buy_points") or 0,
                    payment_reference=form.cleaned_data.get("payment_reference") or "",
                )
            except DomainError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(request, _("Redeemed: slip %(n)s.") % {"n": redemption.number})
                return redirect("rewards:slip", pk=redemption.pk)
        else:
            messages.error(request, _("Check the quantity."))
    return render(request, "rewards/counter.html", _counter_context(request, member, branch, find))


@require_perm("rewards.redeem")
def coupon_issue_view(request: StaffRequest, member_id: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("rewards:counter")
    member = get_object_or_404(Member, organization=request.organization, pk=member_id)
    form = IssueCouponForm(request.POST)
    back = request.POST.get("back") or reverse("rewards:counter")
    if form.is_valid():
        template = get_object_or_404(CouponTemplate, organization=request.organization, pk=form.cleaned_data["template"])
        try:
            coupon = coupon_issue(member=member, template=template, actor=Actor.from_request(request))
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect(back)
        messages.success(request, _("Coupon issued: %(code)s.") % {"code": coupon_code_display(coupon.code)})
        return redirect("rewards:coupon_print", pk=coupon.pk)
    return redirect(back)


def _redemption_in_scope(request: StaffRequest, pk: int) -> Redemption:
    qs = Redemption.objects.filter(organization=request.organization).select_related("member", "reward", "branch", "purchase")
    scope = branch_ids_in_scope(request.staff)
    if scope is not None:
        qs = qs.filter(branch_id__in=scope)
    return get_object_or_404(qs, pk=pk)


@require_perm("rewards.view")
def slip(request: StaffRequest, pk: int) -> HttpResponse:
    redemption = _redemption_in_scope(request, pk)
    qr = segno.make(redemption.number, micro=False).svg_inline(scale=3)
    return render(request, "rewards/slip.html", {"r": redemption, "qr": qr})


@require_perm("rewards.view")
def today(request: StaffRequest) -> HttpResponse:
    """The redemption list of a day (today by default), with cancel and CSV export."""
    day = day_typed(request.GET.get("day")) or local_today(request.organization)
    rows = redemptions_of_day(request.organization, day=day, branch_ids=branch_ids_in_scope(request.staff))
    if request.GET.get("format") == "csv":
        return _csv(rows, day, request.organization)
    return render(
        request,
        "rewards/today.html",
        {"rows": rows, "day": day, "can_cancel": staff_has(request.staff, "rewards.cancel"), "reason_form": ReasonForm()},
    )


def _csv(rows, day: dt.date, organization) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="redemptions-{day.isoformat()}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 Thai text correctly with a BOM
    out = csv.writer(response)
    out.writerow(["slip", "time", "branch", "member", "reward", "quantity", "points", "cash_copay", "status", "cancel_reason"])
    for r in rows:
        out.writerow([
            r.number, export_time(r.created_at, organization), r.branch.code, r.member.code, r.reward.name, r.quantity, r.points,
            r.cash_copay, r.status, r.cancel_reason,
        ])
    return response


@require_perm("rewards.cancel")
def cancel(request: StaffRequest, pk: int) -> HttpResponse:
    redemption = _redemption_in_scope(request, pk)
    if request.method != "POST":
        return redirect("rewards:today")
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for cancelling."))
    else:
        try:
            redemption_cancel(
                redemption=redemption, actor=Actor.from_request(request), reason=form.cleaned_data["reason"],
                staff=request.staff,
            )
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Redemption %(n)s cancelled; points and stock returned.") % {"n": redemption.number})
    return redirect(f"{reverse('rewards:today')}?day={local_today(request.organization, redemption.created_at).isoformat()}")


def _coupon_of(request: StaffRequest, pk: int) -> Coupon:
    return get_object_or_404(
        Coupon.objects.filter(organization=request.organization).select_related("template", "member"), pk=pk
    )


@require_perm("rewards.view")
def coupon_print(request: StaffRequest, pk: int) -> HttpResponse:
    coupon = _coupon_of(request, pk)
    qr = segno.make(coupon.code, micro=False, error="m").svg_inline(scale=4)
    return render(
        request, "rewards/coupon_print.html",
        {"coupon": coupon, "qr": qr, "code": coupon_code_display(coupon.code), "reason_form": ReasonForm()},
    )


@require_perm("rewards.cancel")
def coupon_cancel_view(request: StaffRequest, pk: int) -> HttpResponse:
    coupon = _coupon_of(request, pk)
    if request.method == "POST":
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the reason for cancelling."))
        else:
            try:
                coupon_cancel(coupon=coupon, actor=Actor.from_request(request), reason=form.cleaned_data["reason"])
            except DomainError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(request, _("Coupon cancelled; its points were returned."))
    return redirect("rewards:coupon_print", pk=coupon.pk)

