"""Member search, file, registration, edit and the member file's actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.core.permissions import require_perm
from sasom.organizations.http import StaffRequest
from sasom.organizations.models import Branch

from .. import lifecycle, services
from ..forms import (
    AnonymizeForm,
    CardForm,
    CardReplaceForm,
    ChangeTypeForm,
    CodeChangeForm,
    ConsentForm,
    MemberForm,
    StatusForm,
    add_domain_error,
)
from ..models import CustomField, Member, MemberType
from ..selectors import member_search

PAGE_SIZE = 25
POINTS_TEMPLATE = "ledger/_member_points.html"


def _member(request: StaffRequest, pk: int) -> Member:
    return get_object_or_404(
        Member.objects.select_related("member_type", "home_branch", "referred_by"), organization=request.organization, pk=pk
    )


def list_filters(request: StaffRequest) -> dict[str, Any]:
    def as_int(name: str) -> int | None:
        value = request.GET.get(name, "")
        return int(value) if value.isdigit() else None

    status = request.GET.get("status", "")
    return {
        "q": request.GET.get("q", "").strip()[:100],
        "member_type_id": as_int("type"),
        "status": status if status in Member.Status.values else "",
        "branch_id": as_int("branch"),
    }


def filtered_members(request: StaffRequest) -> Any:
    f = list_filters(request)
    return member_search(
        request.organization.pk, f["q"], member_type_id=f["member_type_id"], status=f["status"],
        branch_id=f["branch_id"], region=request.organization.phone_region,
    ).select_related("member_type", "home_branch"), f


@require_perm("members.view")
def member_list(request: StaffRequest) -> HttpResponse:
    members, f = filtered_members(request)
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "f": f}
    if request.htmx:
        return render(request, "members/_rows.html", context)
    context.update(
        member_types=MemberType.objects.filter(organization=request.organization),
        branches=Branch.objects.filter(organization=request.organization),
        statuses=Member.Status.choices,
    )
    return render(request, "members/list.html", context)


def _points_template() -> str | None:
    try:
        select_template([POINTS_TEMPLATE])
    except TemplateDoesNotExist:
        return None
    return POINTS_TEMPLATE


@require_perm("members.view")
def member_detail(request: StaffRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    context = {
        "member": member,
        "cards": member.cards.all().order_by("-issued_on", "-id"),
        "consents": member.consents.all()[:50],
        "code_changes": member.code_changes.select_related("changed_by").order_by("-changed_at")[:50],
        "points_template": _points_template(),
        "type_form": ChangeTypeForm(organization=request.organization, initial={"member_type": member.member_type_id}),
        "code_form": CodeChangeForm(),
        "status_form": StatusForm(initial={"status": member.status}),
        "card_form": CardForm(),
        "replace_form": CardReplaceForm(member=member),
        "consent_form": ConsentForm(),
        "anonymize_form": AnonymizeForm(),
        "custom_values": _custom_values(member),
    }
    return render(request, "members/detail.html", context)


def _custom_values(member: Member) -> list[tuple[str, Any]]:
    defs = CustomField.objects.filter(organization_id=member.organization_id)
    return [(d.label, (member.custom or {}).get(d.key, "")) for d in defs]


@require_perm("members.create")
def member_create(request: StaffRequest) -> HttpResponse:
    form = MemberForm(request.POST or None, organization=request.organization, creating=True, staff=request.staff)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.member_register(
                organization=request.organization, actor=Actor.from_request(request), data=form.member_data(),
                card_number=form.cleaned_data.get("card_number") or "", consent_channel=form.consent_channel_value,
            )
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("Member %(code)s registered.") % {"code": member.code})
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/form.html", {"form": form, "creating": True}, status=400 if form.errors else 200)


@require_perm("members.edit")
def member_edit(request: StaffRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    form = MemberForm(request.POST or None, instance=member, organization=request.organization, creating=False, staff=request.staff)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(member=member, actor=Actor.from_request(request), data=form.member_data(),
                                   consent_channel=form.consent_channel_value)
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/form.html", {"form": form, "creating": False, "member": member},
                  status=400 if form.errors else 200)


def _action(request: StaffRequest, member: Member, form: Any, run: Any, done: str) -> HttpResponse:
    """Run a member-file action; errors come back as a message naming the problem."""
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, done)
    else:
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errs)}" if label else " ".join(errs))
    return redirect("members:detail", pk=member.pk)


@require_POST
@require_perm("members.change_type")
def member_change_type(request: StaffRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    form = ChangeTypeForm(request.POST, organization=request.organization)
    return _action(request, member, form, lambda c: services.member_change_type(
        member=member, member_type=c["member_type"], actor=Actor.from_request(request), reason=c["reason"],
        recompute_expiry=c["recompute_expiry"]), _("Member type changed."))


@require_POST
@require_perm("members.edit")
def member_change_code(request: StaffRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    return _action(request, member, CodeChangeForm(request.POST), lambda c: services.member_code_change(
        member=member, new_code=c["new_code"], actor=Actor.from_request(request), reason=c["reason"]),
        _("Member code changed; the old code still finds this member."))


@require_POST
@require_perm("members.lifecycle")
def member_status(request: StaffRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    return _action(request, member, StatusForm(request.POST), lambda c: services.member_set_status(
        member=member, status=c["status"], actor=Actor.from_request(request), reason=c["reason"]), _("Status changed."))


@require_POST
@require_perm("members.lifecycle")
def member_renew(request: StaffRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)

    def run(_c: Any) -> None:
        n = lifecycle.lifecycle_apply(
            organization_id=member.organization_id, tool=lifecycle.RENEW, criteria=lifecycle.Criteria(member_ids=[member.pk]),
            actor=Actor.from_request(request), reason=request.POST.get("reason", "")[:200],
        )
        if n == 0:
            raise DomainError("lifecycle.nothing", _("This member cannot be renewed (status or a type without card validity)."))

    return _action(request, member, StatusForm({"status": "active"}), run, _("Membership renewed."))


@require_POST
@require_perm("members.cards")
def member_card_add(request: StaffRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    return _action(request, member, CardForm(request.POST), lambda c: services.card_issue(
        member=member, number=c["card_number"], actor=Actor.from_request(request)), _("Card added."))


@require_POST
@require_perm("members.cards")
def member_card_replace(request: StaffRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    return _action(request, member, CardReplaceForm(request.POST, member=member), lambda c: services.card_replace(
        card=c["card"], new_number=c["card_number"], lost=c["lost"], actor=Actor.from_request(request), reason=c["reason"]),
        _("Card replaced; points stay on the same account."))


@require_POST
@require_perm("members.edit")
def member_consent(request: StaffRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    return _action(request, member, ConsentForm(request.POST), lambda c: services.consent_record(
        member=member, purpose=c["purpose"], granted=c["granted"], channel=c["channel"], actor=Actor.from_request(request)),
        _("Consent recorded."))


@require_POST
@require_perm("members.anonymize")
def member_anonymize_view(request: StaffRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    form = AnonymizeForm(request.POST)
    if form.is_valid() and form.cleaned_data["confirm_code"].strip() != member.code:
        form.add_error("confirm_code", _("The code does not match this member."))
    return _action(request, member, form, lambda c: services.member_anonymize(
        member=member, actor=Actor.from_request(request), reason=c["reason"]), _("Personal data erased."))
