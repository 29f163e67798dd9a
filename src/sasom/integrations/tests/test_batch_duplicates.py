"""A batch lists the documents it did not post because they were posted before, by number, with
the batch that posted them first (or none: the API or the counter did), on screen, in its CSV and
in ``GET /batches/{id}/rejected`` (issue 13)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client

from sasom.core.audit import Actor
from sasom.integrations import auth
from sasom.integrations.batch import batch_calculate, batch_stage
from sasom.integrations.models import SaleBatch
from sasom.integrations.services import api_key_create

DAY = dt.date(2026, 11, 24)
HEADER = "branch,document_type,document_number,occurred_at,debtor_code,sku,category,quantity,unit_price,line_discount\n"
R1 = "B1,retail_receipt,R-1,2026-11-24 09:00,,1,food,1,500.00,0\n"
R2 = "B1,retail_receipt,R-2,2026-11-24 10:00,,1,food,1,200.00,0\n"


@pytest.fixture
def erp(org, branch):
    auth._cache.clear()
    auth._buckets.clear()
    issued = api_key_create(organization_id=org.id, label="ERP", actor=Actor.system())
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")


def posted(org, text: str) -> SaleBatch:
    batch = SaleBatch.objects.create(organization=org, business_on=DAY, file_name="day.csv", format="csv")
    batch_stage(batch=batch, raw=io.BytesIO((HEADER + text).encode()))
    return batch_calculate(batch_id=batch.pk, actor=Actor.system())


def test_duplicates_are_listed_by_number_with_the_batch_that_posted_them_first(org, erp, staff_client):
    # given a batch that posted R-1, and a later batch carrying R-1 again and a new R-2
    first = posted(org, R1)
    second = posted(org, R1 + R2)
    assert (second.documents_posted, second.documents_duplicate) == (1, 1)

    # when the second batch's documents not posted are read through the API
    answer = erp.get(f"/api/v1/batches/{second.pk}/rejected").json()

    # then R-1 is listed as a duplicate naming the first batch
    assert answer["count"] == 1
    item = answer["items"][0]
    assert (item["document_number"], item["status"], item["code"], item["first_batch"]) == (
        "R-1", "duplicate", "already_posted", first.pk)
    assert f"#{first.pk}" in item["reason"]

    # and so do the screen (with a link to that batch) and its CSV
    admin = staff_client("admin")
    page = admin.get(f"/integrations/batches/{second.pk}/").content.decode()
    assert "R-1" in page and f"/integrations/batches/{first.pk}/" in page
    csv_text = b"".join(admin.get(f"/integrations/batches/{second.pk}/rejected.csv").streaming_content).decode()
    assert "R-1,duplicate,already_posted," in csv_text and csv_text.rstrip().endswith(f"#{first.pk}"[1:])
    assert f"#{first.pk}" in csv_text


def test_a_duplicate_first_posted_through_the_api_says_so(org, erp, member_type):
    # given R-1 posted, then its batch document's record of posting gone (as for a sale the POS sent)
    first = posted(org, R1)
    first.documents.all().delete()
    # when a batch carries it again
    second = posted(org, R1)
    # then it is a duplicate with no first batch, and the reason says where it came from
    item = erp.get(f"/api/v1/batches/{second.pk}/rejected").json()["items"][0]
    assert (item["status"], item["first_batch"]) == ("duplicate", None)
    assert "through the API or at the counter" in item["reason"]
