"""Large member imports run as a background task: the upload is stored, the page polls the
progress (rows, problems so far) and then shows the report and the problems as CSV; a worker
that died half-way loses nothing (the task starts again from the stored upload)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sasom.core.background import import_run, imports_resume
from sasom.core.models import AuditEvent, BackgroundImport
from sasom.members.models import Member
from sasom.organizations.models import Role

pytestmark = pytest.mark.django_db

HEADER = "phone,first_name,last_name\n"


def _file(good: int, bad: int) -> bytes:
    rows = [f"08{i:08d},ชื่อ{i},สกุล\n" for i in range(good)] + [f"12345,,สกุล{i}\n" for i in range(bad)]
    return (HEADER + "".join(rows)).encode("utf-8")


@pytest.fixture
def inline_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.IMPORT_BACKGROUND_BYTES = 1024


def test_a_large_file_is_imported_by_the_worker_and_the_page_shows_the_result(
        staff_client, org, gen_type, inline_tasks, django_capture_on_commit_callbacks):
    client = staff_client(Role.ADMIN)
    # given a file over the threshold with 60 good rows and 3 bad ones, valid rows only
    upload = SimpleUploadedFile("big.csv", _file(60, 3), content_type="text/csv")
    # when it is uploaded (the task runs when the upload commits: inline here)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/members/import/", {"file": upload, "valid_only": "on"})
    # then the page is sent to the import's progress, which is done
    assert response.status_code == 302 and "?import=" in response["Location"]
    job = BackgroundImport.objects.get()
    assert (job.kind, job.status, job.rows, job.errors, job.attempts) == ("members", "done", 63, 3, 1)
    assert Member.objects.filter(organization=org).count() == 60
    assert AuditEvent.objects.filter(action="members.import").count() == 1
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["report"].imported == 60 and page.context["report"].bad_rows == 3
    # the poll's partial carries no page around it and stops polling once done
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "every 2s" not in partial
    # and the problems download as CSV, row by row
    errors = client.get(f"/members/import/{job.pk}/errors.csv")
    lines = errors.content.decode("utf-8-sig").splitlines()
    assert len(lines) > 3 and lines[1].startswith("62,")


def test_while_running_the_page_polls_with_rows_and_problems_so_far(staff_client, org, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.IMPORT_BACKGROUND_BYTES = 1024
    client = staff_client(Role.OWNER)
    response = client.post("/members/import/", {"file": SimpleUploadedFile("big.csv", _file(60, 0))})
    job = BackgroundImport.objects.get()
    BackgroundImport.objects.filter(pk=job.pk).update(status="running", rows=40, errors=2, heartbeat_at=timezone.now())
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in partial and "40" in partial and "2" in partial
    assert Member.objects.count() == 0


def test_a_small_file_stays_on_the_page(staff_client, org, gen_type, settings):
    settings.IMPORT_BACKGROUND_BYTES = 1024 * 1024
    response = staff_client(Role.ADMIN).post("/members/import/", {"file": SimpleUploadedFile("s.csv", _file(3, 0))})
    assert response.status_code == 200 and response.context["report"].imported == 3
    assert not BackgroundImport.objects.exists()


def test_a_worker_that_died_half_way_loses_nothing(org, gen_type, actor, settings):
    from dataclasses import asdict

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    # given an import the worker had claimed, then died (no heartbeat for an hour)
    job = BackgroundImport.objects.create(organization=org, kind="members", content=_file(5, 0), filename="x.csv",
                                          actor=asdict(actor), status="running", attempts=1, rows=3,
                                          heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    # when the worker starts again, it queues the import anew, and the task runs it from the upload
    assert imports_resume() == 1
    assert import_run(job.pk) == "done"
    job.refresh_from_db()
    assert (job.status, job.attempts, job.rows) == ("done", 2, 5)
    assert Member.objects.filter(organization=org).count() == 5
    # and running the task again (a second queue entry) changes nothing
    assert import_run(job.pk) == "done"
    assert Member.objects.filter(organization=org).count() == 5


def test_another_organizations_import_is_not_found(staff_client, org, other_org):
    job = BackgroundImport.objects.create(organization=other_org, kind="members", content=b"", status="done")
    client = staff_client(Role.ADMIN)
    assert client.get(f"/members/import/?import={job.pk}").status_code == 404
    assert client.get(f"/members/import/{job.pk}/errors.csv").status_code == 404
