"""Big builder exports in the task worker, as the other reports' (``background``): more than
``background.INLINE_ROWS`` rows of CSV or XLSX, or ``exports.PDF_ROW_LIMIT`` of PDF, are recorded as
a ``ReportExport`` (slug ``builder``, the definition in ``query``) and written by the worker; the
staff member follows its progress and downloads it from the same export pages."""

from __future__ import annotations

import shutil
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django_tasks import task

from sasom.core.zones import shop_zone
from sasom.reports import exports
from sasom.reports.background import export_path, export_shop
from sasom.reports.builder import Definition
from sasom.reports.builder_report import BuilderReport, builder_file, builder_scope
from sasom.reports.builder_schedule import saved_definition
from sasom.reports.models import ReportExport

SLUG = "builder"


def builder_export_start(*, staff: Any, definition: Definition, name: str, fmt: str, rows_total: int) -> ReportExport:
    if fmt == "pdf":
        rows_total = min(rows_total, exports.PDF_BACKGROUND_LIMIT)
    export = ReportExport.objects.create(
        organization_id=staff.organization_id, staff=staff, slug=SLUG, format=fmt,
        query={"definition": definition.as_json(), "name": name},
        language=translation.get_language() or settings.LANGUAGE_CODE, rows_total=rows_total)
    transaction.on_commit(lambda: builder_export_task.enqueue(export.pk))
    return export


def builder_export_run(*, export_id: int) -> ReportExport:
    export = ReportExport.objects.select_related("staff", "staff__organization").get(pk=export_id, slug=SLUG)
    if export.status == ReportExport.Status.DONE:
        return export
    ReportExport.objects.filter(pk=export.pk).update(status=ReportExport.Status.RUNNING, rows_done=0)
    path = export_path(export)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".part")

    def progress(done: int) -> None:
        ReportExport.objects.filter(pk=export.pk).update(rows_done=min(done, export.rows_total))

    try:
        with translation.override(export.language):
            definition = saved_definition(export.query["definition"], export.staff)
            report = BuilderReport(definition, export.query.get("name") or "")
            scope = builder_scope(definition, staff=export.staff)
            partial.write_bytes(builder_file(report, scope, export.format, limit=exports.PDF_BACKGROUND_LIMIT,
                                             progress=progress))
            shutil.move(str(partial), str(path))
            name = exports.file_name(report, scope, export.format)
    except Exception as error:
        partial.unlink(missing_ok=True)
        ReportExport.objects.filter(pk=export.pk).update(
            status=ReportExport.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now())
        raise
    ReportExport.objects.filter(pk=export.pk).update(status=ReportExport.Status.DONE, file_name=name,
                                                     finished_at=timezone.now())
    export.refresh_from_db()
    return export


@task()
def builder_export_task(export_id: int) -> None:
    with shop_zone(export_shop(export_id)):  # the organization's context (core.shopcontext)
        builder_export_run(export_id=export_id)
