"""Staff accounts, their roles and branches, and the read-only roles table."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.core.permissions import require_perm, staff_has
from sasom.organizations import selectors, services
from sasom.organizations.forms import (
    PasswordResetForm,
    StaffCreateForm,
    StaffEditForm,
    add_domain_error,
)
from sasom.organizations.http import StaffRequest
from sasom.organizations.models import Role


def _status(exc: DomainError) -> int:
    return 403 if exc.status == 403 else 200


@require_perm("staff.view")
def staff_list(request: StaffRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    status = request.GET.get("status", "")
    staff = selectors.staff_list(request.staff, q=q, role=role, status=status)
    page = Paginator(staff, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "organizations/staff_list.html",
        {
            "page": page,
            "q": q,
            "role": role,
            "status": status,
            "roles": Role.choices,
            "can_manage": staff_has(request.staff, "staff.manage"),
        },
    )


@require_perm("staff.view", "staff.manage")
def staff_create(request: StaffRequest) -> HttpResponse:
    form = StaffCreateForm(request.POST or None, organization=request.organization, by=request.staff)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.staff_create(
                organization=request.organization,
                by=request.staff,
                actor=Actor.from_request(request),
                username=data["username"],
                password=data["password"],
                role=data["role"],
                display_name=data["display_name"],
                branch_ids=[b.pk for b in data["branches"]],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            status = _status(exc)
        else:
            messages.success(request, _("%(name)s can now log in.") % {"name": created})
            return redirect("organizations:staff_edit", pk=created.pk)
    return render(request, "organizations/staff_form.html", {"form": form, "target": None}, status=status)


@require_perm("staff.view")
def staff_edit(request: StaffRequest, pk: int) -> HttpResponse:
    """The staff member's page; people holding staff.manage may change it here."""
    target = selectors.staff_get(request.staff, pk)
    # an owner's account is changed by owners only (the service enforces it; the page says so)
    can_manage = staff_has(request.staff, "staff.manage") and (
        target.role != Role.OWNER or request.staff.role == Role.OWNER
    )
    initial = {
        "display_name": target.display_name,
        "role": target.role,
        "branches": [b.pk for b in target.branches.all()],
    }
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = StaffEditForm(data, initial=initial, organization=request.organization, by=request.staff, target=target)
    status = 200
    if data is not None and form.is_valid():
        try:
            services.staff_update(
                staff=target,
                by=request.staff,
                actor=Actor.from_request(request),
                role=form.cleaned_data["role"],
                display_name=form.cleaned_data["display_name"],
                branch_ids=[b.pk for b in form.cleaned_data["branches"]],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            status = _status(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("organizations:staff_edit", pk=target.pk)
    return render(
        request,
        "organizations/staff_form.html",
        {
            "form": form,
            "target": target,
            "can_manage": can_manage,
            "password_form": PasswordResetForm(),
            "is_self": target.pk == request.staff.pk,
        },
        status=status,
    )


@require_POST
@require_perm("staff.view", "staff.manage")
def staff_set_active(request: StaffRequest, pk: int) -> HttpResponse:
    target = selectors.staff_get(request.staff, pk)
    is_active = request.POST.get("is_active") == "1"
    try:
        services.staff_set_active(staff=target, by=request.staff, actor=Actor.from_request(request), is_active=is_active)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Account reactivated.") if is_active else _("Account deactivated."))
    return redirect("organizations:staff_edit", pk=target.pk)


@require_perm("staff.view", "staff.manage")
def staff_password(request: StaffRequest, pk: int) -> HttpResponse:
    target = selectors.staff_get(request.staff, pk)
    form = PasswordResetForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_reset_password(
                staff=target, by=request.staff, actor=Actor.from_request(request), password=form.cleaned_data["password"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            status = _status(exc)
        else:
            messages.success(request, _("New password set. Give it to %(name)s in person.") % {"name": target})
            return redirect("organizations:staff_edit", pk=target.pk)
    return render(request, "organizations/staff_password.html", {"form": form, "target": target}, status=status)


@require_perm("staff.view")
def roles(request: StaffRequest) -> HttpResponse:
    role_choices, rows = selectors.roles_permission_table()
    return render(request, "organizations/roles.html", {"roles": role_choices, "rows": rows})
