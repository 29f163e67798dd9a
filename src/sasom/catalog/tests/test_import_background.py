"""Large product imports run as a background task: the page polls rows and problems so far, then
shows the report and the problems as CSV; the task run again after it finished changes nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sasom.catalog.models import Product
from sasom.core.background import import_run
from sasom.core.models import AuditEvent, BackgroundImport
from sasom.organizations.models import Role

pytestmark = pytest.mark.django_db

HEADER = "sku,name_th,base_price\n"


def _file(good: int, bad: int) -> bytes:
    rows = [f"SKU-{i:05d},สินค้า {i},{10 + i}.00\n" for i in range(good)] + [f"BAD-{i},ผิด,-5\n" for i in range(bad)]
    return (HEADER + "".join(rows)).encode("utf-8")


def test_a_large_product_file_is_imported_by_the_worker(staff_client, org, settings,
                                                         django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.IMPORT_BACKGROUND_BYTES = 1024
    client = staff_client(Role.ADMIN)
    # given a file over the threshold: 80 good rows, 2 with a negative price
    upload = SimpleUploadedFile("products.csv", _file(80, 2), content_type="text/csv")
    # when it is imported (the task runs once the upload commits: inline here)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/catalog/import/", {"file": upload, "mode": "upsert"})
    # then the worker wrote the good rows and recorded the result with the rows
    assert response.status_code == 302 and "?import=" in response["Location"]
    job = BackgroundImport.objects.get()
    assert (job.kind, job.status, job.rows, job.errors) == ("products", "done", 82, 2)
    assert Product.objects.filter(organization=org).count() == 80
    assert AuditEvent.objects.filter(action="products.import").count() == 1
    page = client.get(response["Location"])
    assert page.context["report"].written and page.context["report"].counts["created"] == 80
    assert [r.sku for r in page.context["shown"][:2]] == ["BAD-0", "BAD-1"]
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "every 2s" not in partial and "BAD-0" in partial
    problems = client.get(f"/catalog/import/{job.pk}/problems.csv").content.decode("utf-8-sig").splitlines()
    assert [line.split(",")[:3] for line in problems[1:]] == [["82", "BAD-0", "base_price"], ["83", "BAD-1", "base_price"]]
    # and the task queued twice runs once
    assert import_run(job.pk) == "done"
    assert AuditEvent.objects.filter(action="products.import").count() == 1


def test_the_page_polls_a_running_product_import(staff_client, org, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.IMPORT_BACKGROUND_BYTES = 1024
    client = staff_client(Role.ADMIN)
    response = client.post("/catalog/import/", {"file": SimpleUploadedFile("p.csv", _file(80, 0)), "mode": "upsert",
                                                "dry_run": "on"})
    job = BackgroundImport.objects.get()
    assert job.options["dry_run"] is True and job.options["total"] == 80
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in partial
    assert Product.objects.count() == 0
