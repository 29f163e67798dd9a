from __future__ import annotations

import zoneinfo
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django_htmx.http import HttpResponseClientRefresh

from sasom.core.permissions import require_perm, staff_has
from sasom.members.models import MemberType
from sasom.organizations.http import StaffRequest
from sasom.reports import background, exports
from sasom.reports.dashboard import CHART_DAYS, TREND_DAYS, dashboard_charts, dashboard_figures
from sasom.reports.deferred import deferred_screen
from sasom.reports.formatting import cell_text
from sasom.reports.framework import (
    PER_PAGE,
    REPORTS,
    Report,
    ReportForm,
    Scope,
    branches_for,
    filters_described,
    scope_resolve,
    tiers_for,
)
from sasom.reports.models import ReportExport, ReportResult
from sasom.reports.replica import reads_reports
from sasom.reports.statement import MAX_MEMBERS, StatementSpec, statement_accounts, statements_build

STATEMENTS_PER_PAGE = 10


@require_perm("dashboard.view")
@reads_reports
def dashboard(request: StaffRequest) -> HttpResponse:
    days = request.GET.get("days", "")
    chosen = int(days) if days.isdigit() and int(days) in TREND_DAYS else CHART_DAYS
    return render(request, "reports/dashboard.html", {
        "figures": dashboard_figures(request.staff), "charts": dashboard_charts(request.staff, chosen),
    })


@require_perm("reports.view")
def index(request: StaffRequest) -> HttpResponse:
    recent = list(ReportExport.objects.filter(organization_id=request.organization.pk, staff=request.staff)
                  .order_by("-created_at")[:5])
    groups: dict[str, list[Any]] = {}
    statement = StatementSpec()
    groups.setdefault(str(statement.group), []).append(statement)
    for report in REPORTS.values():
        groups.setdefault(str(report.group), []).append(report)
    return render(request, "reports/index.html", {"groups": list(groups.items()), "exports": recent,
                                                  "titles": {r.slug: r.title for r in REPORTS.values()}})


def _own_export(request: StaffRequest, pk: int) -> ReportExport:
    return get_object_or_404(ReportExport, pk=pk, organization_id=request.organization.pk, staff=request.staff)


@require_perm("reports.view")
def export_status(request: StaffRequest, pk: int) -> HttpResponse:
    """An export's progress; the page asks again every two seconds until it is ready (HTMX)."""
    export = _own_export(request, pk)
    report = REPORTS.get(export.slug)
    template = "reports/_export_status.html" if request.htmx else "reports/export.html"
    return render(request, template, {"export": export, "report": report})


@require_perm("reports.view")
def export_download(request: StaffRequest, pk: int) -> HttpResponseBase:
    export = _own_export(request, pk)
    path = background.export_path(export)
    if export.status != ReportExport.Status.DONE or not path.exists():
        raise Http404("export not ready")
    return FileResponse(path.open("rb"), as_attachment=True, filename=export.file_name,
                        content_type=exports.CONTENT_TYPES[export.format])


def _form(request: StaffRequest, report: Any) -> ReportForm:
    member_types = list(MemberType.objects.filter(organization_id=request.organization.pk).order_by("sort_order", "name"))
    data = request.GET.copy()
    if report.uses_dates and not data.get("date_from") and not data.get("date_to"):
        # the default period shows in the date fields, so the page says which days it covers
        today = timezone.now().astimezone(zoneinfo.ZoneInfo(request.organization.time_zone)).date()
        start, end = report.default_period(today, request.organization)
        data["date_from"], data["date_to"] = start.isoformat(), end.isoformat()
    form: ReportForm = report.form_class(data, report=report, staff=request.staff,
                                         branches=branches_for(request.staff), member_types=member_types,
                                         tiers=tiers_for(request.organization.pk) if report.uses_member_type else None)
    return form


def _query_without(request: StaffRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@require_perm("reports.view")
@reads_reports
def report_view(request: StaffRequest, slug: str) -> HttpResponseBase:
    report = REPORTS.get(slug)
    if report is None:
        raise Http404("no such report")
    form = _form(request, report)
    valid = form.is_valid()
    scope = scope_resolve(form, report=report, staff=request.staff)
    sort = (form.cleaned_data.get("sort") if valid else "") or ""
    fmt = request.GET.get("format", "")
    may_export = report.export_permission is None or staff_has(request.staff, report.export_permission)
    if fmt in exports.CONTENT_TYPES and not may_export:
        raise PermissionDenied("exporting this report needs " + str(report.export_permission))
    # a big period of a report the worker computes: its stored result, or a run queued (``deferred``)
    later = deferred_screen(report, scope, staff=request.staff, query=request.GET,
                            export=fmt in exports.CONTENT_TYPES) if valid else None
    if valid and fmt in exports.CONTENT_TYPES:
        if fmt in background.BACKGROUND_FORMATS:
            if later is not None and not later.current:  # counting it here is what the worker is for
                export = background.report_export_start(staff=request.staff, report=report, fmt=fmt,
                                                        query=request.GET, rows_total=later.rows_hint)
                return redirect("reports:export", pk=export.pk)
            count = report.sorted_rows(scope, sort).count()
            if count > background.inline_rows(fmt):
                export = background.report_export_start(staff=request.staff, report=report, fmt=fmt,
                                                        query=request.GET, rows_total=count)
                return redirect("reports:export", pk=export.pk)
        return _export(report, scope, sort, fmt, filters_described(form, scope, report))
    context: dict[str, Any] = {"report": report, "form": form, "valid": valid, "sort": sort or report.default_sort,
                               "may_export": may_export,
                               "base_query": _query_without(request, "sort", "page", "format"),
                               "export_query": _query_without(request, "page", "format"), "later": later,
                               "waiting": later is not None and not later.shown,
                               "current": later is not None and later.current}
    if valid and (later is None or later.shown):
        columns = report.columns_of(scope)
        page = Paginator(report.sorted_rows(scope, sort), PER_PAGE).get_page(request.GET.get("page"))
        rows = report.finish(list(page.object_list), scope)
        org = scope.organization
        totals = report.totals(scope) if report.total_columns() else None
        context.update({
            "columns": columns, "page": page,
            "rows": [[(cell_text(row.get(c.key), c.kind, org), c.numeric) for c in columns] for row in rows],
            "totals": [(cell_text(totals.get(c.key), c.kind, org) if c.total else "", c.numeric) for c in columns]
            if totals is not None else None,
            "chart": report.chart(scope) if page.number == 1 else None,
            "filters": filters_described(form, scope, report),
        })
    return render(request, "reports/report.html", context)


@require_perm("reports.view")
def result_status(request: StaffRequest, pk: int) -> HttpResponse:
    """A report's background result, polled by its page every two seconds while it runs (HTMX): a
    page that waits for its first result reloads itself when it is ready; a page showing older
    figures offers the new ones. Its status only: the figures are read by the report's page, for
    the staff member's own filters and branches."""
    result = get_object_or_404(ReportResult, pk=pk, organization_id=request.organization.pk)
    waiting = request.GET.get("waiting") == "1"
    if waiting and result.status == ReportResult.Status.DONE and request.htmx:
        return HttpResponseClientRefresh()
    return render(request, "reports/_result_status.html", {"result": result, "waiting": waiting, "polled": True})


def _export(report: Report, scope: Scope, sort: str, fmt: str, filters: list[tuple[str, str]]) -> HttpResponseBase:
    name = exports.file_name(report, scope, fmt)
    response: HttpResponse
    if fmt == "csv":
        streaming = StreamingHttpResponse(exports.csv_chunks(report, scope, sort), content_type=exports.CONTENT_TYPES["csv"])
        streaming["Content-Disposition"] = f'attachment; filename="{name}"'
        return streaming
    if fmt == "xlsx":
        return FileResponse(exports.xlsx_file(report, scope, sort), as_attachment=True, filename=name,
                            content_type=exports.CONTENT_TYPES["xlsx"])
    response = HttpResponse(exports.report_pdf(report, scope, sort, filters=filters, chart=report.chart(scope)),
                            content_type=exports.CONTENT_TYPES["pdf"])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_perm("reports.view")
@reads_reports
def statement_view(request: StaffRequest) -> HttpResponse:
    spec = StatementSpec()
    form = _form(request, spec)
    asked = bool(request.GET.get("code") or request.GET.get("member_type"))
    valid = asked and form.is_valid()
    context: dict[str, Any] = {"report": spec, "form": form, "asked": asked, "valid": valid,
                               "export_query": _query_without(request, "page", "format")}
    if valid:
        scope = scope_resolve(form, report=spec, staff=request.staff)  # type: ignore[arg-type]  # a report's shape
        accounts = statement_accounts(scope)
        filters = filters_described(form, scope, spec)  # type: ignore[arg-type]  # a report's shape
        if request.GET.get("format") == "pdf":
            chosen = list(accounts[: MAX_MEMBERS + 1])
            if len(chosen) > MAX_MEMBERS:
                context["too_many"] = MAX_MEMBERS
            else:
                pdf = exports.pdf_html(template="reports/pdf/statement.html", context={
                    "organization": scope.organization, "report": spec, "filters": filters, "scope": scope,
                    "statements": statements_build(scope, chosen), "printed_at": timezone.now()})
                response = HttpResponse(pdf, content_type=exports.CONTENT_TYPES["pdf"])
                response["Content-Disposition"] = (
                    f'attachment; filename="statement-{scope.start_on:%Y%m%d}-{scope.end_on:%Y%m%d}.pdf"')
                return response
        page = Paginator(accounts, STATEMENTS_PER_PAGE).get_page(request.GET.get("page"))
        context.update({"page": page, "scope": scope, "filters": filters,
                        "statements": statements_build(scope, list(page.object_list))})
    return render(request, "reports/statement.html", context)
