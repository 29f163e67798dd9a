"""Exports past INLINE_ROWS rows run in the task worker, with progress and a download link."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from sasom.organizations.models import Role
from sasom.reports import background
from sasom.reports.models import ReportExport, ReportResult

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(settings, tmp_path, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(background, "INLINE_ROWS", 1)
    return tmp_path


def test_a_big_csv_export_runs_in_the_background_and_matches_the_direct_one(
        shop, staff_client, worker, monkeypatch, django_capture_on_commit_callbacks):
    client = staff_client(Role.OWNER)
    url = "/reports/redemption-detail/?date_from=2026-11-01&date_to=2026-11-15&status=all"
    # when the report is bigger than the inline limit
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url + "&format=csv")
    # then the page goes to the export's progress, and the worker has written the file
    export = ReportExport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/exports/{export.pk}/"
    assert (export.status, export.rows_total, export.rows_done, export.percent) == ("done", 3, 3, 100)
    status = client.get(response["Location"])
    assert f"/reports/exports/{export.pk}/download/".encode() in status.content
    download = client.get(f"/reports/exports/{export.pk}/download/")
    body = b"".join(download.streaming_content)
    assert body.startswith("\ufeff".encode()) and download["Content-Disposition"].endswith('.csv"')
    # and the file is the one a direct download gives
    monkeypatch.setattr(background, "INLINE_ROWS", 100)
    direct = b"".join(client.get(url + "&format=csv").streaming_content)
    assert body == direct
    # and it shows among the owner's recent exports
    assert f"/reports/exports/{export.pk}/".encode() in client.get("/reports/").content


def test_an_export_is_its_owners_alone(shop, staff_client, worker, django_capture_on_commit_callbacks):
    owner = staff_client(Role.OWNER)
    with django_capture_on_commit_callbacks(execute=True):
        owner.get("/reports/points-movement/?date_from=2026-10-01&format=xlsx")
    export = ReportExport.objects.get()
    rows = list(load_workbook(io.BytesIO(b"".join(owner.get(f"/reports/exports/{export.pk}/download/").streaming_content))).active.iter_rows(values_only=True))
    assert rows[-1][-1] == export_total(rows)
    other = staff_client(Role.ADMIN)
    assert other.get(f"/reports/exports/{export.pk}/").status_code == 404
    assert other.get(f"/reports/exports/{export.pk}/download/").status_code == 404


def export_total(rows):
    return sum(r[-1] for r in rows[1:-1])


def test_a_waiting_export_polls_and_has_no_download_yet(shop, staff_client, worker):
    client = staff_client(Role.OWNER)
    response = client.get("/reports/points-movement/?date_from=2026-10-01&format=csv")  # no commit: stays queued
    export = ReportExport.objects.get()
    page = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert b'hx-trigger="load delay:2s"' in page.content
    assert client.get(f"/reports/exports/{export.pk}/download/").status_code == 404


def test_the_daily_job_purges_exports_older_than_the_setting(org, make_staff, worker, settings):
    import datetime as dt

    from sasom.core import jobs
    from sasom.reports.tests.conftest import at

    settings.REPORT_EXPORTS_KEEP_DAYS = 7
    staff = make_staff(Role.OWNER)
    made = {}
    for name, created in (("old", at(2026, 11, 1, 9)), ("edge", at(2026, 11, 3, 12)), ("new", at(2026, 11, 9))):
        export = ReportExport.objects.create(organization_id=org.pk, staff=staff, slug="points-movement",
                                             format="csv", status=ReportExport.Status.DONE)
        ReportExport.objects.filter(pk=export.pk).update(created_at=created)
        path = background.export_path(export)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
        made[name] = (export.pk, path)
    stuck = ReportExport.objects.create(organization_id=org.pk, staff=staff, slug="points-movement", format="xlsx")
    ReportExport.objects.filter(pk=stuck.pk).update(created_at=at(2026, 10, 1))  # never written: no file
    # and two results the worker computed for big screens, one last asked for on 1 November
    for key, queued in (("old", at(2026, 11, 1, 9)), ("new", at(2026, 11, 9))):
        ReportResult.objects.create(organization_id=org.pk, staff=staff, slug="purchases-by-segment", key=key,
                                    queued_at=queued)
    # when the job runs for 11 November (keeps what was asked from 4 November 00:00 on)
    run = jobs.job_run("report_exports_purge", on_date=dt.date(2026, 11, 11))
    # then the old rows and their files are gone, the others stay
    assert run.counts == {"deleted_exports": 3, "deleted_files": 2, "deleted_results": 1}
    assert set(ReportExport.objects.values_list("pk", flat=True)) == {made["new"][0]}
    assert list(ReportResult.objects.values_list("key", flat=True)) == ["new"]
    assert not made["old"][1].exists() and not made["edge"][1].exists() and made["new"][1].exists()
    # and running it again for the same date, or the next day, deletes nothing more
    assert jobs.job_run("report_exports_purge", on_date=dt.date(2026, 11, 11)).outcome == "skipped"
    again = background.report_exports_purge_job(on_date=dt.date(2026, 11, 12))
    assert again == {"deleted_exports": 0, "deleted_files": 0, "deleted_results": 0} and made["new"][1].exists()


def test_a_big_pdf_runs_in_the_background_up_to_its_own_limit(
        shop, staff_client, worker, monkeypatch, django_capture_on_commit_callbacks):
    from sasom.reports import exports

    written = []
    original = exports.pdf_html

    def recorded(*, template, context):
        written.append(context)
        return original(template=template, context=context)

    monkeypatch.setattr(exports, "pdf_html", recorded)
    monkeypatch.setattr(exports, "PDF_ROW_LIMIT", 1)  # a PDF of more than one row goes to the worker
    monkeypatch.setattr(exports, "PDF_BACKGROUND_LIMIT", 2)  # which writes two of them
    client = staff_client(Role.OWNER)
    url = "/reports/redemption-detail/?date_from=2026-11-01&date_to=2026-11-15&status=all"
    # when the three redemptions are asked for as a PDF
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url + "&format=pdf")
    # then the worker wrote it: two rows, said to be cut short, and the totals of all three
    export = ReportExport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/exports/{export.pk}/"
    assert (export.format, export.status, export.rows_total, export.rows_done) == ("pdf", "done", 2, 2)
    [context] = written
    assert len(context["rows"]) == 2 and context["truncated"] and context["limit"] == 2
    assert context["totals"] and ("ถุงผ้า" in str(context["rows"]) or "BAG" in str(context["rows"]))
    download = client.get(f"/reports/exports/{export.pk}/download/")
    assert download["Content-Type"] == "application/pdf" and b"".join(download.streaming_content).startswith(b"%PDF")
    # and a PDF within the inline limit is still written during the request
    monkeypatch.setattr(exports, "PDF_ROW_LIMIT", 2000)
    direct = client.get(url + "&format=pdf")
    assert direct.status_code == 200 and direct.content.startswith(b"%PDF") and not written[-1]["truncated"]
