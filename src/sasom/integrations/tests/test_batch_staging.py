"""Day-end files are read as streams and every document is staged as valid or rejected with why."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from sasom.integrations.batch import batch_stage
from sasom.integrations.models import BatchDocument, SaleBatch

HEADER = "branch,document_type,document_number,occurred_at,debtor_code,sku,category,brand,quantity,unit_price,line_discount,bill_discount\n"
DAY = dt.date(2026, 11, 24)


def make_batch(org, fmt="csv"):
    return SaleBatch.objects.create(organization=org, business_on=DAY, file_name=f"day.{fmt}", format=fmt)


def stage(org, text: str | bytes, fmt="csv"):
    raw = text if isinstance(text, bytes) else text.encode()
    return batch_stage(batch=make_batch(org, fmt), raw=io.BytesIO(raw))


def test_documents_group_their_lines(org, branch):
    # given a file with two documents, the first with two lines
    text = HEADER + (
        "B1,retail_receipt,R-1,2026-11-24 10:00,AR001,885001,beauty,X,2,125.00,0,10\n"
        "B1,retail_receipt,R-1,2026-11-24 10:00,AR001,885002,food,Y,1,50,5,10\n"
        "B1,wholesale_delivery,DN-7,2026-11-24T15:30:00+07:00,AR002,885003,tools,Z,10,99.5,0,0\n"
    )
    # when it is staged
    batch = stage(org, text)
    # then both documents are pending with their lines, times in the organization's zone
    assert batch.status == SaleBatch.Status.PARSED
    assert (batch.documents_total, batch.documents_rejected) == (2, 0)
    first, second = BatchDocument.objects.filter(batch=batch).order_by("id")
    assert [line["sku"] for line in first.payload["lines"]] == ["885001", "885002"]
    assert first.payload["bill_discount"] == "10"
    assert first.payload["member"] == {"debtor_code": "AR001"}
    assert first.payload["occurred_at"] == "2026-11-24T10:00:00+07:00"
    assert second.document_type == "wholesale_delivery" and second.row_no == 4


def test_bad_rows_are_rejected_with_reasons_and_good_ones_stay(org, branch):
    text = HEADER + (
        "B1,retail_receipt,R-1,2026-11-24 10:00,AR1,1,,,2,abc,0,0\n"       # bad price
        "B9,retail_receipt,R-2,2026-11-24 10:00,AR1,1,,,1,10,0,0\n"        # unknown branch
        "B1,retail_receipt,R-3,2026-11-23 10:00,AR1,1,,,1,10,0,0\n"        # other business day
        "B1,retail_receipt,R-4,yesterday,AR1,1,,,1,10,0,0\n"               # bad time
        "B1,retail_receipt,R-5,2026-11-24 10:00,AR1,1,,,0,10,0,0\n"        # zero quantity
        "B1,retail_receipt,R-6,2026-11-24 10:00,AR1,1,,,1,10,50,0\n"       # discount > amount
        "B1,retail_receipt,R-7,2026-11-24 10:00,AR1,1,,,1,10,0,0\n"        # fine
        "B1,retail_receipt,R-1,2026-11-24 10:00,AR1,1,,,1,10,0,0\n"        # R-1 again, not contiguous
        "B1,receipt,R-8,2026-11-24 10:00,AR1,1,,,1,10,0,0\n"               # unknown type
    )
    batch = stage(org, text)
    reasons = dict(BatchDocument.objects.filter(batch=batch).values_list("row_no", "reason_code"))
    assert reasons == {
        2: "invalid_number", 3: "unknown_branch", 4: "wrong_business_date", 5: "invalid_datetime",
        6: "invalid_quantity", 7: "discount_exceeds_amount", 8: "", 9: "document_not_contiguous",
        10: "unknown_document_type",
    }
    assert batch.documents_rejected == 8


def test_tis620_and_bom_files_are_read(org, branch):
    thai = HEADER + "B1,retail_receipt,R-1,2026-11-24 10:00,AR1,1,เครื่องสำอาง,ยี่ห้อ,1,10,0,0\n"
    for raw in (thai.encode("cp874"), b"\xef\xbb\xbf" + thai.encode()):
        batch = stage(org, raw)
        assert batch.status == SaleBatch.Status.PARSED, batch.error
        doc = BatchDocument.objects.get(batch=batch)
        assert doc.payload["lines"][0]["category"] == "เครื่องสำอาง"


def test_missing_columns_fail_the_file_and_stage_nothing(org, branch):
    batch = stage(org, "branch,document_number,sku\nB1,R-1,1\n")
    assert batch.status == SaleBatch.Status.FAILED
    assert "document_type" in batch.error and "missing_columns" in batch.error
    assert not BatchDocument.objects.filter(batch=batch).exists()


def test_broken_encoding_late_in_the_file_stages_nothing(org, branch, monkeypatch):
    from sasom.integrations import batch as batch_module

    monkeypatch.setattr(batch_module, "STAGE_CHUNK", 2)
    good = "".join(f"B1,retail_receipt,R-{i},2026-11-24 10:00,AR1,1,,,1,10,0,0\n" for i in range(5))
    # the bad byte sits past the 64 KB sample, so UTF-8 is chosen and fails late
    raw = (HEADER.encode() + b"\n" * 66000 + good.encode() + b"B1,retail_receipt,R-x,2026-11-24 10:00,AR1,\xff,,,1,10,0,0\n")
    batch = stage(org, raw)
    assert batch.status == SaleBatch.Status.FAILED
    assert "bad_file" in batch.error
    assert not BatchDocument.objects.filter(batch=batch).exists()


def test_json_lines(org, branch):
    docs = [
        {"branch": "B1", "document_type": "retail_receipt", "document_number": "R-1",
         "occurred_at": "2026-11-24T12:30:00+07:00", "member": {"debtor_code": "AR9"},
         "lines": [{"sku": "1", "quantity": "2", "unit_price": "125.00", "discount": "0"}]},
        "not json",
        {"branch": "B1", "document_number": "R-1", "occurred_at": "2026-11-24T12:31:00+07:00",
         "lines": [{"sku": "1", "quantity": "1", "unit_price": "1"}]},
    ]
    text = "\n".join(d if isinstance(d, str) else json.dumps(d) for d in docs) + "\n"
    batch = stage(org, text, fmt="jsonl")
    rows = list(BatchDocument.objects.filter(batch=batch).order_by("row_no").values_list("reason_code", flat=True))
    assert rows == ["", "invalid_json", "duplicate_in_file"]


@pytest.mark.parametrize("bad", ["", "\x00\x01\x02", "just,a,header\n"])
def test_garbage_files_fail_cleanly(org, branch, bad):
    batch = stage(org, bad)
    assert batch.status == SaleBatch.Status.FAILED
    assert batch.error
