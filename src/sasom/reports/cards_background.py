"""A big card print (more than ``cards.INLINE_CARDS`` cards) is written by the task worker, like a
big report's PDF: the page records a ``ReportExport`` (slug ``member-cards``, format ``pdf``) with
the layout, the code on the back and the segment's conditions; the worker selects the members
again (the staff member's branch scope applies again), writes the PDF counting its progress in
cards on the row, and the staff member who asked downloads it from the reports' export page.
The print was audited when it was asked for."""

from __future__ import annotations

import shutil
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django_tasks import task

from sasom.core.zones import shop_zone
from sasom.reports import cards
from sasom.reports.background import export_path, export_shop
from sasom.reports.models import ReportExport


def member_cards_start(*, staff: Any, layout: str, symbol: str, conditions: list[dict[str, Any]], count: int,
                       language: str) -> ReportExport:
    export = ReportExport.objects.create(
        organization_id=staff.organization_id, staff=staff, slug=cards.EXPORT_SLUG, format="pdf",
        query={"layout": layout, "symbol": symbol, "conditions": conditions}, language=language, rows_total=count)
    transaction.on_commit(lambda: member_cards_task.enqueue(export.pk))
    return export


def member_cards_run(*, export_id: int) -> ReportExport:
    export = ReportExport.objects.select_related("staff", "staff__organization").get(pk=export_id)
    if export.status == ReportExport.Status.DONE:
        return export
    ReportExport.objects.filter(pk=export.pk).update(status=ReportExport.Status.RUNNING, rows_done=0)
    staff, query = export.staff, export.query
    organization = staff.organization
    path = export_path(export)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".part")

    def progress(done: int) -> None:
        ReportExport.objects.filter(pk=export.pk).update(rows_done=min(done, export.rows_total))

    try:
        with translation.override(export.language):
            members = cards.card_members(staff=staff, conditions=query.get("conditions") or [])
            printed = cards.cards_of(members, organization, query.get("symbol", "barcode"),
                                     progress=progress)
            pdf = cards.cards_pdf(printed, organization=organization, layout=query.get("layout", "sheet"),
                                  logo=cards.organization_logo(organization))
        partial.write_bytes(pdf)
        shutil.move(str(partial), str(path))
    except Exception as error:
        partial.unlink(missing_ok=True)
        ReportExport.objects.filter(pk=export.pk).update(
            status=ReportExport.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now())
        raise
    ReportExport.objects.filter(pk=export.pk).update(
        status=ReportExport.Status.DONE, file_name=cards.cards_filename(organization, "segment"),
        finished_at=timezone.now(), rows_total=len(printed), rows_done=len(printed))
    export.refresh_from_db()
    return export


@task()
def member_cards_task(export_id: int) -> None:
    with shop_zone(export_shop(export_id)):  # the organization's context (core.shopcontext)
        member_cards_run(export_id=export_id)
