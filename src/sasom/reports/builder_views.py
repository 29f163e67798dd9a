"""The report builder's pages: build and see (GET, so a result has a link), export, save, the
saved reports' list, delete and schedule (POST with ``{% form_token %}``, then a redirect)."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sasom.core.audit import Actor
from sasom.core.errors import DomainError, Forbidden
from sasom.core.permissions import branch_ids_in_scope, require_perm
from sasom.members.models import CustomField, MemberType
from sasom.organizations.http import StaffRequest
from sasom.reports import background, exports
from sasom.reports.builder_export import builder_export_start
from sasom.reports.builder_forms import BuilderForm, SaveForm, ScheduleForm, definition_query
from sasom.reports.builder_models import SavedReport
from sasom.reports.builder_report import BuilderReport, builder_file, builder_scope, filters_of
from sasom.reports.builder_services import (
    report_schedule_set,
    saved_report_delete,
    saved_report_get,
    saved_report_save,
    saved_reports_visible,
)
from sasom.reports.formatting import cell_text
from sasom.reports.framework import PER_PAGE, branches_for, tiers_for
from sasom.reports.replica import reads_reports

DEFAULT_QUERY = "dimension_1=month&measures=members&measures=bills&measures=amount&period=last_6_months"


def _builder_form(request: StaffRequest, data: QueryDict | None) -> BuilderForm:
    org = request.organization.pk
    return BuilderForm(data, organization_id=org, branches=branches_for(request.staff),
                       branch_ids=branch_ids_in_scope(request.staff),
                       member_types=list(MemberType.objects.filter(organization_id=org).order_by("sort_order", "name")),
                       tiers=tiers_for(org), custom_fields=list(CustomField.objects.filter(organization_id=org)
                                                                .order_by("sort_order", "key")))


def _get(request: StaffRequest, pk: int, *, own: bool = False) -> SavedReport:
    try:
        return saved_report_get(staff=request.staff, pk=pk, own=own)
    except Forbidden as error:
        raise PermissionDenied(str(error.message)) from None
    except DomainError:
        raise Http404("no such saved report") from None


def _saved(request: StaffRequest, raw: str | None) -> SavedReport | None:
    if not raw or not raw.isdigit() or len(raw) > 12:
        return None
    try:
        return saved_report_get(staff=request.staff, pk=int(raw))
    except DomainError:
        return None


def _page(request: StaffRequest, query: QueryDict, *, save_form: SaveForm | None = None, status: int = 200,
          export: str = "") -> HttpResponseBase:
    form = _builder_form(request, query)
    saved = _saved(request, query.get("saved"))
    valid = form.is_valid() and form.definition is not None
    context: dict[str, Any] = {"form": form, "valid": valid, "saved": saved, "query": query.urlencode(),
                               "save_form": save_form or SaveForm(initial={"name": saved.name if saved else "",
                                                                           "shared": saved.shared if saved else False}),
                               "own": saved is not None and saved.owner_id == request.staff.pk,
                               "export_query": _without(query, "page", "format")}
    if valid:
        assert form.definition is not None
        report = BuilderReport(form.definition, saved.name if saved else "")
        scope = builder_scope(form.definition, staff=request.staff)
        try:
            result = report.result(scope)
        except DomainError as error:
            form.add_error("dimension_1", error.message)
            form.error_code = error.code
            valid = False
        else:
            if export in exports.CONTENT_TYPES:
                return _export(request, report, scope, export, len(result.rows))
            columns = report.columns
            org = scope.organization
            page = Paginator(result.rows, PER_PAGE).get_page(query.get("page"))
            context.update({
                "columns": columns, "page": page, "report": report, "filters": filters_of(form.definition, scope),
                "rows": [[(cell_text(r.get(c.key), c.kind, org), c.numeric) for c in columns] for r in page],
                "totals": [(cell_text(result.totals.get(c.key), c.kind, org) if c.total else "", c.numeric)
                           for c in columns],
                "chart": report.chart(scope) if page.number == 1 else None,
                "page_query": _without(query, "page"),
            })
    context["valid"] = valid
    if form.is_bound and not valid:
        status = 400
    return render(request, "reports/builder.html", context, status=status)


def _without(query: QueryDict, *names: str) -> str:
    copy = query.copy()
    for name in names:
        copy.pop(name, None)
    return copy.urlencode()


def _export(request: StaffRequest, report: BuilderReport, scope: Any, fmt: str, count: int) -> HttpResponseBase:
    if count > background.inline_rows(fmt):
        export = builder_export_start(staff=request.staff, definition=report.definition, name=report.name,
                                      fmt=fmt, rows_total=count)
        return redirect("reports:export", pk=export.pk)
    name = exports.file_name(report, scope, fmt)
    content = builder_file(report, scope, fmt)
    if fmt == "xlsx":
        return FileResponse(io.BytesIO(content), as_attachment=True, filename=name,
                            content_type=exports.CONTENT_TYPES[fmt])
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_perm("reports.view")
@reads_reports
def builder_view(request: StaffRequest) -> HttpResponseBase:
    if "dimension_1" not in request.GET:
        saved = request.GET.get("saved", "")
        return redirect(reverse("reports:builder") + "?" + DEFAULT_QUERY + (f"&saved={saved}" if saved else ""))
    return _page(request, request.GET, export=request.GET.get("format", ""))


@require_perm("reports.view")
@require_POST
def builder_save(request: StaffRequest) -> HttpResponseBase:
    """Save the definition shown (``query``) as a new report, or as the owner's ``saved`` one."""
    query = QueryDict(request.POST.get("query", "")[:4000])
    form = _builder_form(request, query)
    save_form = SaveForm(request.POST)
    if not (form.is_valid() and form.definition is not None and save_form.is_valid()):
        return _page(request, query, save_form=save_form, status=400)
    saved = _saved(request, query.get("saved")) if request.POST.get("replace") else None
    try:
        report = saved_report_save(staff=request.staff, name=save_form.cleaned_data["name"],
                                   shared=save_form.cleaned_data["shared"], definition=form.definition,
                                   actor=Actor.from_request(request), report=saved)
    except DomainError as error:
        save_form.add_error(error.field if error.field in save_form.fields else None, error.message)
        return _page(request, query, save_form=save_form, status=error.status)
    messages.success(request, _("The report is saved."))
    return redirect(reverse("reports:builder") + "?" + definition_query(report.definition) + f"&saved={report.pk}")


@require_perm("reports.view")
def builder_saved(request: StaffRequest) -> HttpResponse:
    reports = list(saved_reports_visible(request.staff))
    return render(request, "reports/builder_saved.html", {"reports": reports})


@require_perm("reports.view")
@reads_reports
def builder_open(request: StaffRequest, pk: int) -> HttpResponseBase:
    report = _get(request, pk)
    return redirect(reverse("reports:builder") + "?" + definition_query(report.definition) + f"&saved={report.pk}")


@require_perm("reports.view")
@require_POST
def builder_delete(request: StaffRequest, pk: int) -> HttpResponseBase:
    report = _get(request, pk, own=True)
    saved_report_delete(staff=request.staff, report=report, actor=Actor.from_request(request))
    messages.success(request, _("The saved report is deleted."))
    return redirect("reports:builder_saved")


@require_perm("reports.view")
def builder_schedule(request: StaffRequest, pk: int) -> HttpResponseBase:
    report = _get(request, pk, own=True)
    current = getattr(report, "schedule", None)
    initial = ({"frequency": current.frequency, "format": current.format,
                "recipients": ", ".join(current.recipients), "active": current.active} if current
               else {"recipients": getattr(request.user, "email", ""), "active": True})
    form = ScheduleForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                report_schedule_set(staff=request.staff, report=report, frequency=form.cleaned_data["frequency"],
                                    fmt=form.cleaned_data["format"], recipients=form.cleaned_data["recipients"],
                                    active=form.cleaned_data["active"], actor=Actor.from_request(request))
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("The schedule is saved."))
                return redirect("reports:builder_saved")
        status = 400
    return render(request, "reports/builder_schedule.html", {"report": report, "form": form}, status=status)
