"""The logged-in owner's or administrator's own security page: two-step login."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.core.permissions import require_perm
from sasom.organizations import security
from sasom.organizations.forms import TotpTokenForm, add_domain_error
from sasom.organizations.http import StaffRequest


@require_perm("dashboard.view")
def security_page(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    if staff.role not in security.TOTP_ROLES:
        raise PermissionDenied
    actor = Actor.from_request(request)
    form = TotpTokenForm(request.POST or None)
    action = request.POST.get("action", "")
    if request.method == "POST" and action == "begin":
        try:
            security.totp_enroll_begin(staff=staff, actor=actor)
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("organizations:security")
    if request.method == "POST" and action in ("confirm", "remove") and form.is_valid():
        token = form.cleaned_data["token"]
        try:
            if action == "confirm":
                device = security.totp_enroll_confirm(staff=staff, actor=actor, token=token)
                otp_login(request, device)  # this session has just proven the code
                messages.success(request, _("Two-step login is on. You will be asked for a code at each login."))
            else:
                security.totp_remove(staff=staff, actor=actor, token=token)
                messages.success(request, _("Two-step login is off."))
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("organizations:security")
    confirmed = security.totp_device(staff, confirmed=True)
    pending = None if confirmed else security.totp_device(staff, confirmed=False)
    context = {"form": form, "confirmed": confirmed, "pending": pending}
    if pending is not None:
        uri = security.totp_uri(pending, staff)
        context.update(uri=uri, qr_svg=security.totp_qr_svg(uri), secret=security.totp_secret(pending))
    return render(request, "organizations/security.html", context)
