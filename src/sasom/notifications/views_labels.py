"""Back office: mailing labels for post (Marketing → Broadcasts → Mailing labels)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.core.permissions import require_perm
from sasom.members.models import MemberType
from sasom.organizations.http import StaffRequest
from sasom.organizations.models import Branch

from .forms import LabelsForm
from .labels import (
    ENVELOPES,
    LAYOUTS,
    MAX_LABELS,
    envelopes_pdf,
    label_members,
    labelled,
    labels_filename,
    labels_pdf,
    sender_lines,
)


@require_perm("messages.manage")
def labels(request: StaffRequest) -> HttpResponse:
    organization = request.organization
    types = [(t.pk, t.name) for t in MemberType.objects.filter(organization=organization, is_active=True)]
    form = LabelsForm(request.POST or None, member_types=types, organization_id=organization.pk,
                      layouts=[*((key, sheet.label) for key, sheet in LAYOUTS.items()),
                               *((key, envelope.label) for key, envelope in ENVELOPES.items())])
    counts = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            members = label_members(organization_id=organization.pk, conditions=form.conditions(),
                                    consent_only=data["consent_only"])
            printable = labelled(members).count()
            counts = {"selected": members.count(), "printable": printable}
            if "pdf" in request.POST:
                if printable > MAX_LABELS:
                    raise DomainError("notify.labels_too_many", _(
                        "%(n)s labels: print at most %(max)s at a time (narrow the members chosen).")
                        % {"n": f"{printable:,}", "max": f"{MAX_LABELS:,}"}, field="member_types")
                if data["layout"] in ENVELOPES:
                    branch = Branch.objects.filter(organization=organization, pk=data.get("return_branch") or 0).first()
                    pdf = envelopes_pdf(organization=organization, members=members,
                                        envelope=ENVELOPES[data["layout"]], sender=sender_lines(organization, branch),
                                        actor=Actor.from_request(request))
                else:
                    pdf = labels_pdf(organization=organization, members=members, layout=LAYOUTS[data["layout"]],
                                     start_at=data["start_at"], actor=Actor.from_request(request))
                response = HttpResponse(pdf, content_type="application/pdf")
                response["Content-Disposition"] = f'attachment; filename="{labels_filename(organization)}"'
                return response
        except DomainError as exc:
            form.add_segment_error(exc.field, exc.message)
    return render(request, "notifications/labels.html", {"form": form, "counts": counts})
