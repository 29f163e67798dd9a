"""The organization's own settings (owners only)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.core.permissions import require_perm
from sasom.organizations import services
from sasom.organizations.forms import OrganizationForm, add_domain_error
from sasom.organizations.http import StaffRequest

FIELDS = ("name", "currency", "time_zone", "language", "member_code_pattern", "phone_region", "calendar",
          "periods_follow_calendar", "persian_digits", "amounts_in_toman", "sales_since", "logo")


@require_perm("organization.manage")
def organization_settings(request: StaffRequest) -> HttpResponse:
    organization = request.organization
    form = OrganizationForm(request.POST or None, request.FILES or None,
                            initial={f: getattr(organization, f) for f in FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(
                organization=organization, actor=Actor.from_request(request), **form.cleaned_data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("organizations:settings")
    preview = _preview(form, organization)
    return render(request, "organizations/settings.html", {"form": form, "preview": preview})


def _preview(form: OrganizationForm, organization) -> str | None:
    pattern = form.data.get("member_code_pattern") if form.is_bound else organization.member_code_pattern
    try:
        services.code_pattern_check(pattern or "")
    except DomainError:
        return None
    return services.member_code_preview(organization, pattern)
