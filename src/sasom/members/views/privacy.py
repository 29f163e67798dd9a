"""PDPA screens: a member's data as a download, and the retention setting."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.core.permissions import require_perm
from sasom.organizations.http import StaffRequest

from .. import privacy
from .members import _member


@require_perm("members.export")
def member_export_view(request: StaffRequest, pk: int) -> HttpResponse:
    """``?format=json`` (default) or ``?format=csv`` (a zip of one CSV per section)."""
    member = _member(request, pk)
    fmt = "csv" if request.GET.get("format") == "csv" else "json"
    data = privacy.member_data_export(member)
    privacy.member_export_audit(member=member, actor=Actor.from_request(request), fmt=fmt)
    if fmt == "csv":
        response = HttpResponse(privacy.export_as_csv_zip(data), content_type="application/zip")
        name = f"member-{member.code}.zip"
    else:
        response = HttpResponse(privacy.export_as_json(data), content_type="application/json; charset=utf-8")
        name = f"member-{member.code}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


class RetentionForm(forms.Form):
    anonymize_closed_after_days = forms.IntegerField(
        label=gettext_lazy("Anonymize closed members after (days)"), required=False, min_value=0,
        max_value=privacy.RETENTION_DAYS_MAX,
        help_text=gettext_lazy("Empty: keep personal data until someone erases it by hand."),
    )


@require_perm("members.lifecycle")
def retention_view(request: StaffRequest) -> HttpResponse:
    current = privacy.retention_for(request.organization.pk)
    form = RetentionForm(request.POST or None,
                         initial={"anonymize_closed_after_days": current.anonymize_closed_after_days})
    if request.method == "POST" and form.is_valid():
        try:
            privacy.retention_save(organization_id=request.organization.pk,
                                   days=form.cleaned_data["anonymize_closed_after_days"],
                                   actor=Actor.from_request(request))
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Retention setting saved."))
            return redirect("members:retention")
    return render(request, "members/retention.html", {"form": form}, status=400 if form.errors else 200)
