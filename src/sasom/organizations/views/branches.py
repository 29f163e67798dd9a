"""Branches and their terminals."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.core.permissions import require_perm, staff_has
from sasom.organizations import selectors, services
from sasom.organizations.forms import BranchForm, TerminalForm, add_domain_error
from sasom.organizations.http import StaffRequest


@require_perm("branches.view")
def branch_list(request: StaffRequest) -> HttpResponse:
    branches = list(selectors.branches_visible(request.staff))
    return render(
        request,
        "organizations/branch_list.html",
        {"branches": branches, "can_manage": staff_has(request.staff, "branches.manage")},
    )


@require_perm("branches.view")
def branch_detail(request: StaffRequest, pk: int) -> HttpResponse:
    branch = selectors.branch_get(request.staff, pk)
    return render(
        request,
        "organizations/branch_detail.html",
        {
            "branch": branch,
            "terminals": list(selectors.terminals_of(branch)),
            "can_manage": staff_has(request.staff, "branches.manage"),
        },
    )


@require_perm("branches.view", "branches.manage")
def branch_create(request: StaffRequest) -> HttpResponse:
    form = BranchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            branch = services.branch_create(
                organization=request.organization, actor=Actor.from_request(request), **form.cleaned_data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Branch %(branch)s added.") % {"branch": branch})
            return redirect("organizations:branch_detail", pk=branch.pk)
    return render(request, "organizations/branch_form.html", {"form": form, "branch": None})


@require_perm("branches.view", "branches.manage")
def branch_edit(request: StaffRequest, pk: int) -> HttpResponse:
    branch = selectors.branch_get(request.staff, pk)
    initial = {f: getattr(branch, f) for f in ("code", "name", "address", "phone")}
    form = BranchForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.branch_update(branch=branch, actor=Actor.from_request(request), **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Branch saved."))
            return redirect("organizations:branch_detail", pk=branch.pk)
    return render(request, "organizations/branch_form.html", {"form": form, "branch": branch})


@require_POST
@require_perm("branches.view", "branches.manage")
def branch_set_active(request: StaffRequest, pk: int) -> HttpResponse:
    branch = selectors.branch_get(request.staff, pk)
    is_active = request.POST.get("is_active") == "1"
    services.branch_set_active(branch=branch, actor=Actor.from_request(request), is_active=is_active)
    messages.success(request, _("Branch reactivated.") if is_active else _("Branch deactivated."))
    return redirect("organizations:branch_detail", pk=branch.pk)


@require_perm("branches.view", "branches.manage")
def terminal_create(request: StaffRequest, pk: int) -> HttpResponse:
    branch = selectors.branch_get(request.staff, pk)
    form = TerminalForm(request.POST or None)
    form.fields.pop("is_active")
    if request.method == "POST" and form.is_valid():
        try:
            services.terminal_create(branch=branch, actor=Actor.from_request(request), **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Terminal added."))
            return redirect("organizations:branch_detail", pk=branch.pk)
    return render(request, "organizations/terminal_form.html", {"form": form, "branch": branch, "terminal": None})


@require_perm("branches.view", "branches.manage")
def terminal_edit(request: StaffRequest, pk: int) -> HttpResponse:
    terminal = selectors.terminal_get(request.staff, pk)
    initial = {f: getattr(terminal, f) for f in ("code", "name", "kind", "is_active")}
    form = TerminalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.terminal_update(terminal=terminal, actor=Actor.from_request(request), **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Terminal saved."))
            return redirect("organizations:branch_detail", pk=terminal.branch_id)
    return render(
        request, "organizations/terminal_form.html", {"form": form, "branch": terminal.branch, "terminal": terminal}
    )
