"""Back-office screens for earning rules, campaigns, settings and the basket preview."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.core.permissions import require_perm, staff_has
from sasom.earning import models as m
from sasom.earning import selectors, services
from sasom.earning.forms import (
    KIND_FORMS,
    CampaignForm,
    PreviewForm,
    RuleForm,
    SettingsForm,
    params_from,
    params_initial,
)
from sasom.earning.kinds import KINDS, Kind, kind_choices
from sasom.earning.params import describe
from sasom.members.models import MemberType
from sasom.organizations.http import StaffRequest
from sasom.organizations.models import Branch


def _choices(request: StaffRequest) -> dict[str, list[tuple[str, str]]]:
    org_id = request.organization.pk
    return {
        "member_types": [(c, f"{c} {n}") for c, n in MemberType.objects.filter(organization_id=org_id).values_list("code", "name")],
        "branches": [(c, f"{c} {n}") for c, n in Branch.objects.filter(organization_id=org_id).values_list("code", "name")],
    }


def _show_error(exc: DomainError, *forms_: forms.Form) -> None:
    for form in forms_:
        if exc.field and exc.field in form.fields:
            form.add_error(exc.field, exc.message)
            return
    forms_[0].add_error(None, exc.message)


@require_perm("rules.view")
def rule_list(request: StaffRequest) -> HttpResponse:
    state = request.GET.get("state", "active")
    kind = request.GET.get("kind", "")
    active = {"active": True, "inactive": False}.get(state)
    qs = selectors.rules_list(organization_id=request.organization.pk, active=active, kind=kind if kind in KINDS else "")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = []
    for rule in page:
        scope = [", ".join(getattr(rule, f)) for f in ("member_types", "tiers", "branches", "terminals", "salespersons", "document_types", "campaign_plans") if getattr(rule, f)]
        rows.append({"rule": rule, "summary": describe(rule.kind, rule.params), "scope": " · ".join(scope)})
    return render(request, "earning/rules.html", {
        "page": page, "rows": rows, "state": state, "kind": kind, "kinds": kind_choices(),
    })


def _rule_initial(rule: m.EarnRule | None) -> tuple[dict[str, Any], dict[str, Any]]:
    if rule is None:
        return {"is_active": True, "priority": 0}, {}
    main = {f: getattr(rule, f) for f in services.RULE_FIELDS if f != "params"}
    main["weekdays"] = [str(d) for d in rule.weekdays]
    main["days_of_month"] = [str(d) for d in rule.days_of_month]
    if rule.valid_from:
        main["valid_from"] = timezone.localtime(rule.valid_from)
    if rule.valid_to:
        main["valid_to"] = timezone.localtime(rule.valid_to)
    return main, params_initial(dict(rule.params))


@require_perm("rules.manage")
def rule_edit(request: StaffRequest, pk: int | None = None) -> HttpResponse:
    rule = None
    if pk is not None:
        rule = selectors.rule_get(organization_id=request.organization.pk, rule_id=pk)
        if rule is None:
            raise Http404
    initial, params_initial = _rule_initial(rule)
    kind = request.POST.get("kind") or request.GET.get("kind") or (rule.kind if rule else Kind.BASE)
    if kind not in KIND_FORMS:
        kind = Kind.BASE
    initial.setdefault("kind", kind)
    choices = _choices(request)
    if request.method == "POST":
        form = RuleForm(request.POST, initial=initial, **choices)
        params_form = KIND_FORMS[kind](request.POST, prefix="p")
        if form.is_valid() and params_form.is_valid():
            data = dict(form.cleaned_data)
            actor = Actor.from_request(request)
            try:
                data["params"] = params_from(params_form)
                if rule is None:
                    services.rule_create(organization_id=request.organization.pk, actor=actor, **data)
                else:
                    services.rule_update(rule=rule, actor=actor, **data)
            except DomainError as exc:
                _show_error(exc, form, params_form)
            else:
                messages.success(request, _("Rule saved."))
                return redirect("earning:rules")
    else:
        form = RuleForm(initial=initial, **choices)
        same_kind = rule is not None and rule.kind == kind
        params_form = KIND_FORMS[kind](initial=params_initial if same_kind else None, prefix="p")
    return render(request, "earning/rule_form.html", {"form": form, "params_form": params_form, "rule": rule, "kind": kind})


@require_perm("rules.manage")
def rule_kind_fields(request: StaffRequest) -> HttpResponse:
    """HTMX: the parameter fields of the chosen kind."""
    kind = request.GET.get("kind", Kind.BASE)
    if kind not in KIND_FORMS:
        kind = Kind.BASE
    return render(request, "earning/_kind_fields.html", {"params_form": KIND_FORMS[kind](prefix="p"), "kind": kind})


@require_POST
@require_perm("rules.manage")
def rule_toggle(request: StaffRequest, pk: int) -> HttpResponse:
    rule = selectors.rule_get(organization_id=request.organization.pk, rule_id=pk)
    if rule is None:
        raise Http404
    services.rule_set_active(rule=rule, actor=Actor.from_request(request), active=not rule.is_active)
    messages.success(request, _("Rule activated.") if not rule.is_active else _("Rule deactivated."))
    return redirect("earning:rules")


@require_perm("rules.view")
def campaign_list(request: StaffRequest) -> HttpResponse:
    page = Paginator(selectors.campaigns_list(organization_id=request.organization.pk), 50).get_page(request.GET.get("page"))
    return render(request, "earning/campaigns.html", {"page": page})


@require_perm("rules.manage")
def campaign_edit(request: StaffRequest, pk: int | None = None) -> HttpResponse:
    campaign = None
    initial: dict[str, Any] = {"is_active": True}
    if pk is not None:
        campaign = selectors.campaign_get(organization_id=request.organization.pk, campaign_id=pk)
        if campaign is None:
            raise Http404
        initial = {f: getattr(campaign, f) for f in services.CAMPAIGN_FIELDS}
    form = CampaignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        actor = Actor.from_request(request)
        try:
            if campaign is None:
                services.campaign_create(organization_id=request.organization.pk, actor=actor, **form.cleaned_data)
            else:
                services.campaign_update(campaign=campaign, actor=actor, **form.cleaned_data)
        except DomainError as exc:
            _show_error(exc, form)
        else:
            messages.success(request, _("Campaign saved."))
            return redirect("earning:campaigns")
    return render(request, "earning/campaign_form.html", {"form": form, "campaign": campaign})


@require_perm("rules.view")
def settings_edit(request: StaffRequest) -> HttpResponse:
    row = selectors.settings_get(organization_id=request.organization.pk)
    can_manage = staff_has(request.staff, "rules.manage")
    initial = {f: getattr(row, f) for f in services.SETTINGS_FIELDS}
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        form = SettingsForm(request.POST, initial=initial)
        if form.is_valid():
            try:
                services.earn_settings_update(organization_id=request.organization.pk, actor=Actor.from_request(request), **form.cleaned_data)
            except DomainError as exc:
                _show_error(exc, form)
            else:
                messages.success(request, _("Settings saved."))
                return redirect("earning:settings")
    else:
        form = SettingsForm(initial=initial)
    return render(request, "earning/settings.html", {"form": form, "can_manage": can_manage, "row": row})


@require_perm("rules.view")
def basket_preview(request: StaffRequest) -> HttpResponse:
    choices = _choices(request)
    tz = zoneinfo.ZoneInfo(request.organization.time_zone)
    result = None
    if request.method == "POST":
        form = PreviewForm(request.POST, **choices)
        if form.is_valid():
            data = form.cleaned_data
            occurred_at = data["occurred_at"]
            occurred_at = occurred_at.replace(tzinfo=None).replace(tzinfo=tz) if timezone.is_aware(occurred_at) else occurred_at.replace(tzinfo=tz)
            try:
                result = services.basket_preview(
                    organization_id=request.organization.pk,
                    lines=[services.PreviewLine(**row) for row in data["lines"]],
                    occurred_at=occurred_at,
                    is_member=data["is_member"],
                    member_type=data["member_type"] or "",
                    tier=data["tier"],
                    birth_on=data["birth_on"],
                    branch_code=data["branch_code"] or "",
                    bill_discount=data["bill_discount"] or Decimal("0"),
                    bag_declined=data["bag_declined"],
                    campaign_plan=data["campaign_plan"],
                    is_first_purchase=data["is_first_purchase"],
                    referred=data["is_first_purchase"],
                )
            except DomainError as exc:
                _show_error(exc, form)
    else:
        form = PreviewForm(initial={"occurred_at": timezone.localtime(timezone.now(), tz), "is_member": True}, **choices)
    return render(request, "earning/preview.html", {"form": form, "result": result})
