"""Import (dry run, row report) and export (CSV, XLSX) of products."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from sasom.core.audit import Actor
from sasom.core.background import import_enqueue, import_of
from sasom.core.errors import DomainError
from sasom.core.permissions import require_perm
from sasom.organizations.http import StaffRequest

from .. import columns, exports, imports
from ..forms import ImportForm
from .common import filtered_products

REPORT_ROWS = 1000


def background_bytes() -> int:
    """Files above this size are imported by the worker, the page showing its progress."""
    return int(getattr(settings, "IMPORT_BACKGROUND_BYTES", 256 * 1024))


@require_perm("catalog.manage")
def import_view(request: StaffRequest) -> HttpResponse:
    """The import's result is rendered, not redirected to: it is a report. A dry run writes
    nothing; an import posted twice finds its rows unchanged the second time. A file above
    :func:`background_bytes` goes to the worker; the page then polls its progress."""
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
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        d = form.cleaned_data
        if upload.size > imports.MAX_BYTES:
            form.add_error("file", _("The file is larger than %(mb)s MB; split it.") % {"mb": imports.MAX_BYTES // (1024 * 1024)})
        elif upload.size > background_bytes():
            content = upload.read()
            options = {"dry_run": d["dry_run"], "mode": d["mode"], "all_or_nothing": d["all_or_nothing"]}
            if not upload.name.lower().endswith(".xlsx"):
                options["total"] = max(content.count(b"\n") - 1, 1)  # the progress bar's end (CSV)
            queued = import_enqueue(organization_id=request.organization.pk, kind=imports.BACKGROUND_KIND,
                                    content=content, filename=upload.name, options=options,
                                    actor=Actor.from_request(request))
            return redirect(f"{reverse('catalog:import')}?import={queued.pk}")
        else:
            report = imports.products_import(
                organization_id=request.organization.pk, actor=Actor.from_request(request), raw=upload.read(),
                filename=upload.name, dry_run=d["dry_run"], mode=d["mode"], all_or_nothing=d["all_or_nothing"],
            )
            status = 400 if report.file_error else 200
    if form.errors:
        status = 400
    shown = None
    if report is not None:
        shown = (report.problems + report.changes)[:REPORT_ROWS]
    context = {
        "form": form, "report": report, "shown": shown, "report_limit": REPORT_ROWS, "columns": columns.COLUMNS,
        "max_mb": imports.MAX_BYTES // (1024 * 1024), "max_rows": imports.MAX_ROWS, "job": job,
    }
    if job is not None and request.htmx:
        return render(request, "catalog/_import_progress.html", context)
    return render(request, "catalog/import.html", context, status=status)


@require_perm("catalog.manage")
def import_problems(request: StaffRequest, import_id: int) -> HttpResponse:
    """The rows a background import refused, as CSV (row, SKU, column, reason)."""
    job = import_of(organization_id=request.organization.pk, import_id=import_id)
    if job is None or job.kind != imports.BACKGROUND_KIND or job.status != job.Status.DONE:
        raise Http404
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([_("Row"), _("SKU"), _("Column"), _("Reason")])
    for row, sku, _outcome, column, reason in job.result.get("problems", []):
        writer.writerow([row, sku, column, reason])
    response = HttpResponse(("\ufeff" + buf.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="products-import-{job.pk}-problems.csv"'
    return response


@require_perm("catalog.manage")
def import_template(request: StaffRequest) -> HttpResponse:
    response = HttpResponse(("\ufeff" + imports.import_template_csv()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="products-template.csv"'
    return response


@require_perm("catalog.view")
def export_view(request: StaffRequest) -> HttpResponse:
    products, filters = filtered_products(request)
    try:
        data, filename, content_type = exports.products_export(
            organization_id=request.organization.pk, actor=Actor.from_request(request), queryset=products,
            fmt=request.GET.get("format", "csv"), filters=filters,
        )
    except DomainError as e:
        return HttpResponse(e.message, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
