"""Marketing's setup screens: rewards and stock, coupon types and bulk issue, points as money."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.core.permissions import require_perm
from sasom.organizations.http import StaffRequest
from sasom.organizations.models import Branch

from ..forms import (
    CouponBulkForm,
    CouponTemplateForm,
    DiscountRuleForm,
    RewardForm,
    RewardSettingsForm,
    StockForm,
)
from ..models import (
    Coupon,
    CouponBatch,
    CouponTemplate,
    PointsDiscountRule,
    Reward,
    RewardSettings,
    RewardStock,
)
from ..services import (
    coupon_template_save,
    coupons_bulk_issue,
    coupons_bulk_preview,
    points_discount_rule_save,
    reward_save,
    reward_settings_save,
    reward_stock_adjust,
)
from .common import form_error


@require_perm("rewards.manage")
def catalog(request: StaffRequest) -> HttpResponse:
    rewards = (
        Reward.objects.filter(organization=request.organization)
        .annotate(branch_stock=Count("branch_stocks"), redeemed=Count("redemptions", filter=Q(redemptions__status="done")))
        .prefetch_related("member_types", "branch_stocks__branch")
    )
    return render(request, "rewards/catalog.html", {"rewards": rewards})


@require_perm("rewards.manage")
def reward_edit(request: StaffRequest, pk: int | None = None) -> HttpResponse:
    reward = get_object_or_404(Reward, organization=request.organization, pk=pk) if pk else None
    form = RewardForm(request.POST or None, request.FILES or None, instance=reward, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        types = data.pop("member_types")
        tiers = data.pop("tiers", None) or []
        try:
            saved = reward_save(
                organization=request.organization, actor=Actor.from_request(request), data=data,
                member_types=types, tiers=tiers, reward=reward,
            )
        except DomainError as error:
            form_error(request, form, error)
        else:
            messages.success(request, _("Reward %(name)s saved.") % {"name": saved.name})
            return redirect("rewards:catalog")
    stock_form = None
    if reward is not None and reward.stock_mode != Reward.StockMode.UNLIMITED:
        stock_form = StockForm(branches=Branch.objects.filter(organization=request.organization, is_active=True))
    stocks = RewardStock.objects.filter(reward=reward).select_related("branch") if reward else []
    return render(request, "rewards/reward_form.html", {"form": form, "reward": reward, "stock_form": stock_form, "stocks": stocks})


@require_perm("rewards.manage")
def reward_stock(request: StaffRequest, pk: int) -> HttpResponse:
    reward = get_object_or_404(Reward, organization=request.organization, pk=pk)
    if request.method == "POST":
        form = StockForm(request.POST, branches=Branch.objects.filter(organization=request.organization))
        if form.is_valid():
            try:
                left = reward_stock_adjust(
                    reward=reward, actor=Actor.from_request(request), delta=form.cleaned_data["delta"],
                    branch=form.cleaned_data.get("branch"), reason=form.cleaned_data.get("reason") or "",
                )
            except DomainError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(request, _("Stock is now %(n)s.") % {"n": left})
        else:
            messages.error(request, _("Enter a whole quantity."))
    return redirect("rewards:reward_edit", pk=reward.pk)


@require_perm("rewards.manage")
def points_settings(request: StaffRequest) -> HttpResponse:
    """Points as money (per member type) and the price of missing points."""
    org = request.organization
    settings = RewardSettings.objects.filter(organization=org).first() or RewardSettings(organization=org)
    settings_form = RewardSettingsForm(request.POST if request.POST.get("form") == "purchase" else None, instance=settings)
    rule_id = request.POST.get("rule") or request.GET.get("rule")
    rule = get_object_or_404(PointsDiscountRule, organization=org, pk=rule_id) if rule_id else None
    rule_form = DiscountRuleForm(
        request.POST if request.POST.get("form") == "rule" else None, instance=rule, organization=org
    )
    actor = Actor.from_request(request)
    try:
        if request.POST.get("form") == "purchase" and settings_form.is_valid():
            reward_settings_save(organization=org, actor=actor, data=settings_form.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect("rewards:settings")
        if request.POST.get("form") == "rule" and rule_form.is_valid():
            points_discount_rule_save(organization=org, actor=actor, data=rule_form.cleaned_data, rule=rule)
            messages.success(request, _("Saved."))
            return redirect("rewards:settings")
    except DomainError as error:
        form_error(request, rule_form if request.POST.get("form") == "rule" else settings_form, error)
    rules = PointsDiscountRule.objects.filter(organization=org).select_related("member_type")
    return render(
        request, "rewards/settings.html",
        {"settings_form": settings_form, "rule_form": rule_form, "rules": rules, "rule": rule},
    )


@require_perm("coupons.manage")
def coupons(request: StaffRequest) -> HttpResponse:
    templates = CouponTemplate.objects.filter(organization=request.organization).annotate(
        issued=Count("coupons"),
        used=Count("coupons", filter=Q(coupons__status=Coupon.Status.USED)),
    )
    return render(request, "rewards/coupons.html", {"templates": templates})


@require_perm("coupons.manage")
def coupon_edit(request: StaffRequest, pk: int | None = None) -> HttpResponse:
    template = get_object_or_404(CouponTemplate, organization=request.organization, pk=pk) if pk else None
    form = CouponTemplateForm(request.POST or None, request.FILES or None, instance=template, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        types = data.pop("member_types")
        tiers = data.pop("tiers", None) or []
        try:
            saved = coupon_template_save(
                organization=request.organization, actor=Actor.from_request(request), data=data,
                member_types=types, tiers=tiers, template=template,
            )
        except DomainError as error:
            form_error(request, form, error)
        else:
            messages.success(request, _("Coupon %(name)s saved.") % {"name": saved.name})
            return redirect("rewards:coupons")
    return render(request, "rewards/coupon_form.html", {"form": form, "template_obj": template})


@require_perm("coupons.manage")
def coupon_bulk(request: StaffRequest, pk: int) -> HttpResponse:
    """Bulk issue to a segment: first a preview, the count and a sample (GET or 'preview'), then
    the issue with that count, then a redirect to the batch's result (post/redirect/get: a refresh
    shows it again, issues nothing; the form's token, ``core.forms_once``, makes a double click
    issue once)."""
    template = get_object_or_404(CouponTemplate, organization=request.organization, pk=pk)
    query = request.GET.copy()
    shown = query.pop("batch", [""])[-1]
    batch = CouponBatch.objects.filter(
        organization=request.organization, template=template, pk=int(shown)).first() if shown.isdigit() else None
    data = request.POST if request.method == "POST" else (query or None)
    form = CouponBulkForm(data, organization_id=request.organization.pk)
    preview = None
    if form.is_valid():
        try:
            conditions = form.conditions()
            preview = coupons_bulk_preview(organization=request.organization, template=template, conditions=conditions)
            if request.method == "POST" and request.POST.get("action") == "issue":
                batch = coupons_bulk_issue(
                    organization=request.organization, template=template, conditions=conditions,
                    actor=Actor.from_request(request), charge_points=form.cleaned_data.get("charge_points", False),
                    expected_count=form.cleaned_data.get("expected_count"),
                )
                messages.success(request, _("%(n)s coupons issued.") % {"n": batch.issued_count})
                return redirect(f"{reverse('rewards:coupon_bulk', args=[template.pk])}?batch={batch.pk}")
        except DomainError as error:
            if error.field == "expected_count":
                messages.error(request, str(error.message))
            else:
                form.add_segment_error(error.field, error.message)
    return render(request, "rewards/coupon_bulk.html", {
        "form": form, "template_obj": template, "preview": preview, "count": preview.count if preview else None,
        "batch": batch})
