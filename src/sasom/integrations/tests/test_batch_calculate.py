"""Day-end calculation: the same engine as the POS, each document posted exactly once, even when
the run is killed midway and started again; rejected documents keep their reasons."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sasom.core.audit import Actor
from sasom.earning.selectors import ruleset_forget
from sasom.earning.services import rule_create
from sasom.integrations import auth
from sasom.integrations.batch import batch_calculate, batch_stage
from sasom.integrations.models import BatchDocument, SaleBatch
from sasom.integrations.services import api_key_create
from sasom.ledger.models import Entry, PointAccount, Sale
from sasom.ledger.testing import assert_ledger_consistent
from sasom.testing.factories import MemberFactory

DAY = dt.date(2026, 11, 24)
HEADER = "branch,document_type,document_number,occurred_at,debtor_code,sku,category,quantity,unit_price,line_discount\n"


@pytest.fixture(autouse=True)
def shop(org, branch, member_type):
    ruleset_forget()
    rule_create(organization_id=org.pk, actor=Actor.system(), code="BASE", name="100 THB = 1 pt", kind="base",
                params={"per_amount": "100", "points": 1})
    yield
    ruleset_forget()


def staged(org, text: str) -> SaleBatch:
    batch = SaleBatch.objects.create(organization=org, business_on=DAY, file_name="day.csv", format="csv")
    return batch_stage(batch=batch, raw=io.BytesIO(text.encode()))


def test_documents_post_through_the_engine_and_rejections_keep_reasons(org, member_type):
    # given two debtors known as members and one unknown
    MemberFactory(organization=org, member_type=member_type, code="M1", erp_debtor_code="AR001")
    MemberFactory(organization=org, member_type=member_type, code="M2", erp_debtor_code="AR002")
    text = HEADER + (
        "B1,wholesale_delivery,DN-1,2026-11-24 09:00,AR001,885001,food,10,120.00,0\n"
        "B1,wholesale_delivery,DN-1,2026-11-24 09:00,AR001,885002,food,1,80.00,0\n"
        "B1,retail_receipt,R-2,2026-11-24 10:00,AR002,885003,food,1,99.00,0\n"
        "B1,retail_receipt,R-3,2026-11-24 11:00,,885003,food,3,50.00,0\n"
        "B1,retail_receipt,R-4,2026-11-24 12:00,AR999,885003,food,1,500.00,0\n"
    )
    batch = staged(org, text)
    # when the points are calculated
    batch = batch_calculate(batch_id=batch.pk, actor=Actor.system("erp"))
    # then 1,280 THB earns 12 points, 99 THB earns none, the non-member sale is kept, AR999 is rejected
    assert batch.status == SaleBatch.Status.DONE
    assert (batch.documents_posted, batch.documents_rejected, batch.points_posted) == (3, 1, 12)
    assert PointAccount.objects.get(member__code="M1").spendable == 12
    assert Sale.objects.count() == 3
    assert Sale.objects.get(receipt_id="retail_receipt/R-3").member_id is None
    rejected = BatchDocument.objects.get(status=BatchDocument.Status.REJECTED)
    assert (rejected.document_number, rejected.reason_code) == ("R-4", "member_not_found")
    assert Sale.objects.get(receipt_id="wholesale_delivery/DN-1").terminal.code == "B1-ERP"


def test_the_same_documents_in_a_later_batch_post_nothing(org, member_type):
    MemberFactory(organization=org, member_type=member_type, code="M1", erp_debtor_code="AR001")
    text = HEADER + "B1,retail_receipt,R-1,2026-11-24 09:00,AR001,1,food,1,500.00,0\n"
    batch_calculate(batch_id=staged(org, text).pk, actor=Actor.system())
    again = batch_calculate(batch_id=staged(org, text).pk, actor=Actor.system())
    assert (again.documents_posted, again.documents_duplicate) == (0, 1)
    assert Entry.objects.count() == 1


def test_a_killed_run_resumes_and_posts_each_document_once(org, member_type, monkeypatch):
    # given 10,000 documents, some malformed, for 50 members
    for i in range(50):
        MemberFactory(organization=org, member_type=member_type, code=f"M{i}", erp_debtor_code=f"AR{i}")
    rows = []
    for n in range(10_000):
        price = "abc" if n % 997 == 0 else f"{100 + n % 400}.00"
        rows.append(f"B1,retail_receipt,R-{n},2026-11-24 10:00,AR{n % 50},{n},food,1,{price},0\n")
    batch = staged(org, HEADER + "".join(rows))
    malformed = batch.documents_rejected
    assert malformed == len(range(0, 10_000, 997))
    # when the first run dies after 3,000 postings (the worker was killed)
    import sasom.ledger.services as ledger_services

    calls = {"n": 0}
    original = ledger_services.sales_post_bulk

    class Killed(BaseException):
        pass

    def dying_post(**kwargs):
        calls["n"] += len(kwargs["items"])
        if calls["n"] > 3000:
            raise Killed
        return original(**kwargs)

    monkeypatch.setattr(ledger_services, "sales_post_bulk", dying_post)
    with pytest.raises(Killed):
        batch_calculate(batch_id=batch.pk, actor=Actor.system())
    assert Sale.objects.count() == 3000
    assert SaleBatch.objects.get(pk=batch.pk).documents_posted == 3000
    # and a second run is started
    monkeypatch.setattr(ledger_services, "sales_post_bulk", original)
    batch = batch_calculate(batch_id=batch.pk, actor=Actor.system())
    # then every valid document is posted exactly once and the malformed ones are listed
    valid = 10_000 - malformed
    assert batch.status == SaleBatch.Status.DONE
    assert (batch.documents_posted, batch.documents_rejected) == (valid, malformed)
    assert Sale.objects.count() == valid
    assert Entry.objects.filter(kind="earn").count() == valid
    for account in PointAccount.objects.all():
        assert_ledger_consistent(account)


@pytest.fixture
def erp(org):
    auth._cache.clear()
    auth._buckets.clear()
    issued = api_key_create(organization_id=org.id, label="ERP", actor=Actor.system())
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")


def test_upload_through_the_api_then_calculate(org, member_type, erp, settings, tmp_path,
                                               django_capture_on_commit_callbacks):
    # the worker's job runs at once here (the immediate backend), after the upload commits
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    MemberFactory(organization=org, member_type=member_type, code="M1", erp_debtor_code="AR001")
    docs = [
        {"branch": "B1", "document_type": "retail_receipt", "document_number": "R-1",
         "occurred_at": "2026-11-24T12:30:00+07:00", "member": {"debtor_code": "AR001"},
         "lines": [{"sku": "1", "quantity": "2", "unit_price": "250.00"}]},
        {"branch": "B1", "document_number": "R-2", "occurred_at": "2026-11-25T12:30:00+07:00",
         "lines": [{"sku": "1", "quantity": "1", "unit_price": "10"}]},
    ]
    upload = SimpleUploadedFile("day.jsonl", "\n".join(json.dumps(d) for d in docs).encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = erp.post("/api/v1/batches", {"file": upload, "business_on": "2026-11-24", "format": "jsonl"})
    assert response.status_code == 202, response.content
    batch_id = response.json()["id"]
    status = erp.get(f"/api/v1/batches/{batch_id}").json()
    assert (status["status"], status["documents_posted"], status["documents_rejected"]) == ("done", 1, 1)
    assert status["progress_percent"] == 100
    rejected = erp.get(f"/api/v1/batches/{batch_id}/rejected").json()
    assert rejected["items"][0]["code"] == "wrong_business_date"
    assert PointAccount.objects.get().spendable == 5


def test_batches_of_another_organization_are_not_found(erp, other_org):
    batch = SaleBatch.objects.create(organization=other_org, business_on=DAY, file_name="x", format="csv")
    assert erp.get(f"/api/v1/batches/{batch.pk}").status_code == 404


def test_a_pos_key_may_read_its_organizations_batches(org, terminal):
    issued = api_key_create(organization_id=org.id, label="POS", actor=Actor.system(), terminal=terminal)
    batch = SaleBatch.objects.create(organization=org, business_on=DAY, file_name="x", format="csv")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")
    assert client.get(f"/api/v1/batches/{batch.pk}").status_code == 200


def test_batch_screens(staff_client, org, member_type, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert staff_client("cashier").get("/integrations/batches/").status_code == 403
    assert staff_client("marketing").get("/integrations/batches/").status_code == 403
    admin = staff_client("admin")
    text = HEADER + "B1,retail_receipt,R-1,2026-11-24 09:00,,1,food,1,500.00,0\nB1,retail_receipt,R-2,bad,,1,food,1,5,0\n"
    upload = SimpleUploadedFile("day.csv", text.encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post("/integrations/batches/", {"file": upload, "business_on": "2026-11-24", "format": "csv", "calculate": "on"})
    assert response.status_code == 302
    batch = SaleBatch.objects.get()
    page = admin.get(response["Location"])
    assert page.status_code == 200
    assert "invalid_datetime" in page.content.decode()
    assert SaleBatch.objects.get().documents_posted == 1
    rejected_csv = admin.get(f"/integrations/batches/{batch.pk}/rejected.csv")
    assert b"invalid_datetime" in b"".join(rejected_csv.streaming_content)
    assert staff_client("cashier").get(f"/integrations/batches/{batch.pk}/").status_code == 403


def test_a_plan_per_document_type_selects_its_promotions(org, member_type):
    # given a wholesale promotion that applies only under plan WHOLESALE
    rule_create(organization_id=org.pk, actor=Actor.system(), code="WS", name="wholesale +50", kind="threshold",
                campaign_plans=["WHOLESALE"], params={"min_amount": "100", "points": 50})
    ruleset_forget()
    MemberFactory(organization=org, member_type=member_type, code="M1", erp_debtor_code="AR001")
    text = HEADER + (
        "B1,wholesale_delivery,DN-1,2026-11-24 09:00,AR001,1,food,1,500.00,0\n"
        "B1,retail_receipt,R-1,2026-11-24 09:00,AR001,1,food,1,500.00,0\n"
    )
    from sasom.integrations.services import batch_plans_parse

    batch = staged(org, text)
    batch.plans = batch_plans_parse("wholesale_delivery=WHOLESALE")
    batch.save()
    batch_calculate(batch_id=batch.pk, actor=Actor.system())
    # then the delivery note earns the plan's bonus and the receipt does not
    points = dict(Sale.objects.values_list("receipt_id", "points_earned"))
    assert points == {"wholesale_delivery/DN-1": 55, "retail_receipt/R-1": 5}


@pytest.mark.parametrize("text", ["receipt=X", "wholesale_delivery", '{"retail_receipt": ""}', "{bad json"])
def test_bad_plans_are_refused(text):
    from sasom.core.errors import DomainError
    from sasom.integrations.services import batch_plans_parse

    with pytest.raises(DomainError) as err:
        batch_plans_parse(text)
    assert (err.value.code, err.value.field) == ("invalid_plans", "plans")


@pytest.mark.parametrize("chunk", [1000, 1], ids=["same-chunk", "across-chunks"])
def test_a_document_whose_rows_are_apart_is_rejected_whole_and_never_half_posted(org, member_type, monkeypatch, chunk):
    from sasom.integrations import batch as batch_module

    monkeypatch.setattr(batch_module, "STAGE_CHUNK", chunk)
    # given a CSV whose document R-1 has its two lines apart, R-2 between them
    MemberFactory(organization=org, member_type=member_type, code="M1", erp_debtor_code="AR001")
    text = HEADER + (
        "B1,retail_receipt,R-1,2026-11-24 09:00,AR001,1,food,1,500.00,0\n"
        "B1,retail_receipt,R-2,2026-11-24 10:00,AR001,1,food,1,300.00,0\n"
        "B1,retail_receipt,R-1,2026-11-24 09:00,AR001,2,food,1,700.00,0\n"
    )
    # when it is staged and calculated
    batch = batch_calculate(batch_id=staged(org, text).pk, actor=Actor.system())
    # then R-1 is posted neither in part nor whole, both its parts say why, and R-2 is posted
    assert not Sale.objects.filter(receipt_id="retail_receipt/R-1").exists()
    assert Sale.objects.filter(receipt_id="retail_receipt/R-2").exists()
    parts = BatchDocument.objects.filter(batch=batch, document_number="R-1")
    assert sorted(parts.values_list("row_no", "status", "reason_code")) == [
        (2, "rejected", "document_not_contiguous"), (4, "rejected", "document_not_contiguous"),
    ]
    assert (batch.documents_total, batch.documents_posted, batch.documents_rejected) == (3, 1, 2)
    assert PointAccount.objects.get(member__code="M1").spendable == 3
    assert_ledger_consistent(PointAccount.objects.get(member__code="M1"))
