"""Exports too big to write during a request (more than ``INLINE_ROWS`` rows of CSV or XLSX, more
than ``exports.PDF_ROW_LIMIT`` rows of PDF, which the worker writes up to
``exports.PDF_BACKGROUND_LIMIT`` rows) run in the task worker: the page records a :class:`ReportExport` with its filters, the worker writes the file a
chunk of rows at a time (the same writers as a direct download, so memory stays flat) and counts
its progress on the row; the staff member who asked downloads it when it is ready.

Files live under ``DATA_DIR/exports`` (not under media, which the development server publishes).
The daily job ``report_exports_purge`` deletes the exports (rows and files) older than
``settings.REPORT_EXPORTS_KEEP_DAYS``.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone, translation
from django_tasks import task

from sasom.core.jobs import day_start
from sasom.core.zones import shop_zone
from sasom.members.models import MemberType
from sasom.reports import exports
from sasom.reports.framework import (
    REPORTS,
    Report,
    branches_for,
    filters_described,
    scope_resolve,
    tiers_for,
)
from sasom.reports.models import ReportExport, ReportResult

INLINE_ROWS = 3000
BACKGROUND_FORMATS = ("csv", "xlsx", "pdf")


def inline_rows(fmt: str) -> int:
    """The most rows a download of ``fmt`` writes during the request (a PDF costs far more a row)."""
    return exports.PDF_ROW_LIMIT if fmt == "pdf" else INLINE_ROWS


def export_path(export: ReportExport) -> Path:
    return Path(settings.DATA_DIR) / "exports" / f"{export.organization_id}-{export.pk}.{export.format}"


def report_export_start(*, staff: Any, report: Report, fmt: str, query: QueryDict, rows_total: int) -> ReportExport:
    """Record the export and hand it to the worker once the row is committed."""
    params = {k: v for k, v in query.items() if k not in ("format", "page")}
    if fmt == "pdf":  # the worker's PDF stops at its own limit; progress counts to it
        rows_total = min(rows_total, exports.PDF_BACKGROUND_LIMIT)
    export = ReportExport.objects.create(
        organization_id=staff.organization_id, staff=staff, slug=report.slug, format=fmt, query=params,
        language=translation.get_language() or settings.LANGUAGE_CODE, rows_total=rows_total)
    transaction.on_commit(lambda: report_export_task.enqueue(export.pk))
    return export


def report_export_run(*, export_id: int) -> ReportExport:
    export = ReportExport.objects.select_related("staff", "staff__organization").get(pk=export_id)
    if export.status == ReportExport.Status.DONE:
        return export
    ReportExport.objects.filter(pk=export.pk).update(status=ReportExport.Status.RUNNING, rows_done=0)
    staff = export.staff
    report = REPORTS[export.slug]
    path = export_path(export)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".part")

    def progress(done: int) -> None:
        ReportExport.objects.filter(pk=export.pk).update(rows_done=done)

    try:
        with translation.override(export.language):
            query = QueryDict(mutable=True)
            query.update(export.query)
            member_types = list(MemberType.objects.filter(organization_id=staff.organization_id))
            form = report.form_class(query, report=report, staff=staff, branches=branches_for(staff),
                                     member_types=member_types, tiers=tiers_for(staff.organization_id))
            if not form.is_valid():
                raise ValueError(f"filters no longer valid: {form.errors.as_json()}")
            scope = scope_resolve(form, report=report, staff=staff)
            sort = form.cleaned_data.get("sort") or ""
            with partial.open("wb") as out:
                if export.format == "csv":
                    for chunk in exports.csv_chunks(report, scope, sort, progress=progress):
                        out.write(chunk)
                elif export.format == "pdf":
                    out.write(exports.report_pdf(report, scope, sort, filters=filters_described(form, scope, report),
                                                 chart=report.chart(scope), limit=exports.PDF_BACKGROUND_LIMIT,
                                                 progress=lambda done: progress(min(done, export.rows_total))))
                else:
                    exports.xlsx_write(report, scope, sort, out, progress=progress)
            shutil.move(str(partial), str(path))
            name = exports.file_name(report, scope, export.format)
    except Exception as error:
        partial.unlink(missing_ok=True)
        ReportExport.objects.filter(pk=export.pk).update(
            status=ReportExport.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now())
        raise
    ReportExport.objects.filter(pk=export.pk).update(
        status=ReportExport.Status.DONE, file_name=name, finished_at=timezone.now())
    export.refresh_from_db()
    return export


def export_shop(export_id: int) -> Any:
    """The export's organization: the worker writes the file in its context (zone, calendar,
    currency: ``core.shopcontext``); None for an export that is gone."""
    export = ReportExport.objects.filter(pk=export_id).select_related("organization").first()
    return export.organization if export is not None else None


@task()
def report_export_task(export_id: int) -> None:
    with shop_zone(export_shop(export_id)):
        report_export_run(export_id=export_id)


def report_exports_purge(*, now: dt.datetime, keep_days: int) -> dict[str, int]:
    """Delete the exports asked for more than ``keep_days`` before ``now``, their files with them
    (finished or not), and the report results last queued as long ago; returns how many rows and
    files went. Running it again deletes nothing."""
    old = ReportExport.objects.filter(created_at__lt=now - dt.timedelta(days=keep_days))
    files = 0
    for export in old.only("pk", "organization_id", "format").iterator(chunk_size=500):
        path = export_path(export)
        for candidate in (path, path.with_suffix(path.suffix + ".part")):
            if candidate.exists():
                candidate.unlink(missing_ok=True)
                files += 1
    deleted, _by_model = old.delete()
    # the results the worker computed for big report screens (``deferred``), last asked for as long ago
    results, _by_model = ReportResult.objects.filter(queued_at__lt=now - dt.timedelta(days=keep_days)).delete()
    return {"deleted_exports": deleted, "deleted_files": files, "deleted_results": results}


def report_exports_purge_job(*, on_date: dt.date) -> dict[str, int]:
    """Delete report exports (rows and files) and the worker's report results older than
    REPORT_EXPORTS_KEEP_DAYS (daily, whole database)."""
    return report_exports_purge(now=day_start(on_date, None), keep_days=settings.REPORT_EXPORTS_KEEP_DAYS)
