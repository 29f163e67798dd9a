"""Import (dry run, row report) and export (CSV, XLSX) of products."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.core.permissions import require_perm
from sasom.organizations.http import StaffRequest

from .. import columns, exports, imports
from ..forms import ImportForm
from .common import filtered_products

REPORT_ROWS = 1000


@require_perm("catalog.manage")
def import_view(request: StaffRequest) -> HttpResponse:
    """The import's result is rendered, not redirected to: it is a report. A dry run writes
    nothing; an import posted twice finds its rows unchanged the second time."""
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > imports.MAX_BYTES:
            form.add_error("file", _("The file is larger than %(mb)s MB; split it.") % {"mb": imports.MAX_BYTES // (1024 * 1024)})
        else:
            d = form.cleaned_data
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
    return render(request, "catalog/import.html", {
        "form": form, "report": report, "shown": shown, "report_limit": REPORT_ROWS, "columns": columns.COLUMNS,
        "max_mb": imports.MAX_BYTES // (1024 * 1024), "max_rows": imports.MAX_ROWS,
    }, status=status)


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
