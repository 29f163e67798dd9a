"""Lifecycle tools (preview, then apply), CSV import and CSV/XLSX export."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from sasom.core.audit import Actor
from sasom.core.background import import_enqueue, import_of
from sasom.core.errors import DomainError
from sasom.core.permissions import require_perm, staff_has
from sasom.organizations.http import StaffRequest

from .. import exports, imports, lifecycle
from ..forms import ImportForm, LifecycleForm
from .members import filtered_members


def _tool_sections(request: StaffRequest, bound: LifecycleForm | None = None, result: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    sections = []
    for tool, label in lifecycle.TOOLS.items():
        if tool == lifecycle.ANONYMIZE and not staff_has(request.staff, "members.anonymize"):
            continue
        form = bound if bound is not None and bound.data.get("tool") == tool else LifecycleForm(
            organization=request.organization, initial={"tool": tool}, prefix=None
        )
        sections.append({"tool": tool, "label": label, "form": form, "fields": form.visible_fields_for(tool),
                         "result": result if result and result.get("tool") == tool else None})
    return sections


@require_perm("members.lifecycle")
def lifecycle_view(request: StaffRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "members/lifecycle.html", {"sections": _tool_sections(request)})
    form = LifecycleForm(request.POST, organization=request.organization)
    tool = request.POST.get("tool", "")
    if tool == lifecycle.ANONYMIZE and not staff_has(request.staff, "members.anonymize"):
        raise PermissionDenied
    step = request.POST.get("step", "preview")
    result: dict[str, Any] = {"tool": tool, "step": step}
    status = 200
    if form.is_valid():
        try:
            if step == "apply":
                result["done"] = lifecycle.lifecycle_apply(
                    organization_id=request.organization.pk, tool=tool, criteria=form.criteria(),
                    actor=Actor.from_request(request), expected_count=form.cleaned_data.get("expected_count"),
                    reason=form.cleaned_data.get("reason") or "",
                )
            else:
                result["count"] = lifecycle.lifecycle_preview(
                    organization_id=request.organization.pk, tool=tool, criteria=form.criteria()
                )
        except DomainError as e:
            add_error = e.field if e.field in form.fields else None
            form.add_error(add_error, e.message)
            status = 400
    else:
        status = 400
    result["form"] = form
    result["hidden"] = [(k, v) for k in request.POST if k not in ("csrfmiddlewaretoken", "step", "expected_count")
                        for v in request.POST.getlist(k)]  # request.POST is the form's data
    if request.htmx:
        return render(request, "members/_lifecycle_result.html", {"r": result, "form": form}, status=status)
    return render(request, "members/lifecycle.html", {"sections": _tool_sections(request, form, result)}, status=status)


def background_bytes() -> int:
    """Files above this size are imported by the worker, the page showing its progress."""
    return int(getattr(settings, "IMPORT_BACKGROUND_BYTES", 256 * 1024))


@require_perm("members.import")
def import_view(request: StaffRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    report: Any = None
    status = 200
    job = None
    if request.method == "GET" and request.GET.get("import", "").isdigit():
        job = import_of(organization_id=request.organization.pk, import_id=int(request.GET["import"]))
        if job is None or job.kind != imports.BACKGROUND_KIND:
            raise Http404
        if job.status == job.Status.DONE:
            report = imports.StoredReport.of(job.result)
        if request.htmx:
            return render(request, "members/_import_progress.html", {"job": job, "report": report})
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        options = {k: form.cleaned_data[k] for k in ("valid_only", "check_only", "update")}
        if upload.size > imports.MAX_BYTES:
            form.add_error("file", _("The file is larger than %(mb)s MB; split it.") % {"mb": imports.MAX_BYTES // (1024 * 1024)})
        elif upload.size > background_bytes():
            content = upload.read()
            options["total"] = max(content.count(b"\n") - 1, 1)  # lines after the header: the progress bar's end
            queued = import_enqueue(organization_id=request.organization.pk, kind=imports.BACKGROUND_KIND,
                                    content=content, filename=upload.name, options=options,
                                    actor=Actor.from_request(request))
            return redirect(f"{reverse('members:import')}?import={queued.pk}")
        else:
            report = imports.members_import(
                organization=request.organization, actor=Actor.from_request(request), raw=upload.read(),
                filename=upload.name, **options,
            )
            status = 200 if report.ok or report.imported else 400
    if form.errors:
        status = 400
    return render(request, "members/import.html", {
        "form": form, "report": report, "job": job, "columns": imports.COLUMNS, "required": imports.REQUIRED_COLUMNS,
        "max_mb": imports.MAX_BYTES // (1024 * 1024), "can_export": staff_has(request.staff, "members.export"),
    }, status=status)


@require_perm("members.import")
def import_errors(request: StaffRequest, import_id: int) -> HttpResponse:
    """The problems a background import found, as CSV (row, column, problem)."""
    job = import_of(organization_id=request.organization.pk, import_id=import_id)
    if job is None or job.kind != imports.BACKGROUND_KIND or job.status != job.Status.DONE:
        raise Http404
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([_("Row"), _("Column"), _("Problem")])
    for row, column, message in job.result.get("errors", []):
        writer.writerow([row, column, message])
    response = HttpResponse(("\ufeff" + buf.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="members-import-{job.pk}-errors.csv"'
    return response


@require_perm("members.import")
def import_template(request: StaffRequest) -> HttpResponse:
    response = HttpResponse(("\ufeff" + imports.import_template_csv()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="members-template.csv"'
    return response


@require_perm("members.export")
def export_view(request: StaffRequest) -> HttpResponse:
    members, filters = filtered_members(request)
    fmt = request.GET.get("format", "csv")
    try:
        data, filename, content_type = exports.members_export(
            organization_id=request.organization.pk, actor=Actor.from_request(request), queryset=members,
            fmt=fmt, filters=filters,
        )
    except DomainError as e:
        return HttpResponse(e.message, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
