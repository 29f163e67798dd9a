"""R8: broken encodings, wrong columns, huge files, scripts, SQL fragments and overlong strings.
Clear errors naming what is wrong, nothing partially stored, nothing executed in a browser."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.db import connection
from django.urls import reverse

from sasom.core.audit import Actor
from sasom.integrations import auth
from sasom.integrations.batch import batch_stage
from sasom.integrations.models import BatchDocument, SaleBatch
from sasom.integrations.services import api_key_create
from sasom.members import imports
from sasom.members.imports import members_import
from sasom.members.models import Member

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SQL = "Robert'); DROP TABLE members_member;--"
ADMIN = Actor.system("r8")
HEADER = "phone,first_name,last_name\n"


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def members_count(org) -> int:
    return Member.objects.filter(organization=org).count()


def test_tis620_and_bom_files_read_right(org, member_type):
    # given the same Thai rows saved as TIS-620 (an old POS export) and as UTF-8 with a BOM (Excel)
    rows = HEADER + "0812345671,สมชาย,ใจดี\n"
    tis = members_import(organization=org, actor=ADMIN, raw=rows.encode("cp874"))
    bom = members_import(organization=org, actor=ADMIN, raw=("\ufeff" + rows.replace("1,", "2,")).encode("utf-8"))
    # then both import with the Thai names intact and the encoding named
    assert (tis.encoding, tis.imported, bom.encoding, bom.imported) == ("TIS-620", 1, "UTF-8 (BOM)", 1)
    assert sorted(Member.objects.filter(organization=org).values_list("first_name", flat=True)) == ["สมชาย", "สมชาย"]


@pytest.mark.parametrize("raw, problem", [
    (HEADER.encode() + b"0812345671,\xe0\xb8\xaa\x81\xff,x\n", "neither UTF-8 nor TIS-620"),
    (b"telephone,name\n0812345671,A\n", "Unknown column"),
    (b"phone,phone,first_name\n0812345671,0812345672,A\n", "given twice"),
    (b"", "empty"),
    (b"\x00\x01\x02\x03" * 10, "Fix the header row"),
])
def test_broken_files_are_refused_whole(org, member_type, raw, problem):
    # when a file with a broken encoding or wrong columns is imported
    report = members_import(organization=org, actor=ADMIN, raw=raw)
    # then the report says what is wrong and nothing is stored
    text = " ".join([report.file_error or ""] + [e.message for e in report.errors])
    assert problem in text, text
    assert members_count(org) == 0


def test_a_huge_file_is_refused_before_reading(org, member_type, monkeypatch):
    monkeypatch.setattr(imports, "MAX_BYTES", 64 * 1024)
    raw = (HEADER + "".join(f"08{i:08d},ชื่อ{i},สกุล\n" for i in range(4000))).encode()
    assert len(raw) > 64 * 1024
    report = members_import(organization=org, actor=ADMIN, raw=raw)
    assert "larger than" in report.file_error
    assert members_count(org) == 0


def test_one_bad_row_stores_nothing_and_names_row_and_column(org, member_type):
    # given 50 good rows and, in row 40, a first name of 101 characters
    rows = [f"08{i:08d},ชื่อ{i},สกุล" for i in range(50)]
    rows[38] = "0899999999," + "ก" * 101 + ",สกุล"
    report = members_import(organization=org, actor=ADMIN, raw=(HEADER + "\n".join(rows) + "\n").encode())
    # then the report names row 40 and the column; nothing is imported
    assert [(e.row, e.field) for e in report.errors] == [(40, "first_name")], report.errors
    assert report.imported == 0 and members_count(org) == 0


def test_scripts_and_sql_are_stored_as_text_and_shown_escaped(org, member_type, staff_client):
    # given a row whose names are a script and an SQL fragment
    raw = (HEADER + f'0812345671,"{XSS.replace(chr(34), chr(34) * 2)}",{SQL}\n').encode()
    report = members_import(organization=org, actor=ADMIN, raw=raw)
    assert report.imported == 1, (report.file_error, report.errors)
    # then the table is still there and holds the text as typed
    member = Member.objects.get(organization=org)
    assert (member.first_name, member.last_name) == (XSS, SQL)
    # and the back office shows it as text, never as markup
    client = staff_client("admin")
    for url in (reverse("members:detail", args=[member.pk]), reverse("members:list") + "?q=0812345671"):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page, url
        assert "&lt;script&gt;" in page, url


def test_back_office_form_refuses_overlong_and_keeps_nothing(org, member_type, staff_client):
    client = staff_client("admin")
    response = client.post(reverse("members:create"), {
        "phone": "0812345671", "first_name": "ก" * 101, "last_name": SQL, "member_type": member_type.pk,
    })
    assert response.status_code in (200, 400)
    assert "first_name" in response.context["form"].errors
    assert members_count(org) == 0


@pytest.fixture
def api(client, org, terminal, member_type):
    auth._cache.clear()
    auth._buckets.clear()
    key = api_key_create(organization_id=org.id, label="r8", actor=ADMIN, terminal=terminal,
                         rate_limit_per_minute=100000).key

    def post(path, body, raw=None):
        return client.post(path, data=raw if raw is not None else json.dumps(body),
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")

    return post


@pytest.mark.parametrize("body, field", [
    ({"phone": "0812345671", "first_name": "ก" * 101}, "first_name"),
    ({"phone": "0812345671", "email": "x" * 300}, "email"),
    ({"phone": "08" + "1" * 40}, "phone"),
    ({"phone": "0812345671", "tags": ["t"] * 51}, "tags"),
])
def test_api_refuses_overlong_fields_by_name(api, org, body, field):
    response = api("/api/v1/members", body)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert members_count(org) == 0


@pytest.mark.parametrize("raw", [b"\xff\xfe{", b'{"phone": "0812345671", "first_name": "\xe0\xb8"}', b"[" * 5000, b"null"])
def test_api_refuses_broken_json_without_a_500(api, org, raw):
    response = api("/api/v1/members", None, raw=raw)
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:200])
    assert members_count(org) == 0


def test_api_returns_scripts_as_json_text(api, org):
    response = api("/api/v1/members", {"phone": "0812345671", "first_name": XSS, "last_name": SQL})
    assert response.status_code == 201, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["first_name"] == XSS
    assert response["X-Content-Type-Options"] == "nosniff"


DAY = dt.date(2026, 11, 24)
BATCH_HEADER = "branch,document_type,document_number,occurred_at,debtor_code,sku,category,brand,quantity,unit_price,line_discount,bill_discount\n"


def stage(org, raw: bytes, fmt="csv"):
    batch = SaleBatch.objects.create(organization=org, business_on=DAY, file_name=f"day.{fmt}", format=fmt)
    return batch_stage(batch=batch, raw=io.BytesIO(raw))


def test_batch_whose_encoding_breaks_after_many_documents_stages_nothing(org, branch):
    # given a day-end file: 1,500 UTF-8 documents (past the first 64 KB and the first staged chunk),
    # then a line in TIS-620
    good = "".join(f"B1,retail_receipt,R-{i},2026-11-24 10:00,AR1,885001,food,X,1,10.00,0,0\n" for i in range(1500))
    raw = (BATCH_HEADER + good).encode() + "B1,retail_receipt,R-X,2026-11-24 10:00,สมชาย,1,,,1,10,0,0\n".encode("cp874")
    assert len(raw) > 65536
    # when it is staged
    batch = stage(org, raw)
    # then the batch fails with a clear reason and no document is left behind
    assert batch.status == SaleBatch.Status.FAILED
    assert "not valid text" in batch.error
    assert BatchDocument.objects.filter(batch=batch).count() == 0


@pytest.mark.parametrize("raw, error", [
    (b"branch,number\nB1,R-1\n", "Missing columns"),
    (b'{"branch": "B1"\n', ""),
])
def test_batch_with_wrong_columns_or_broken_json(org, branch, raw, error):
    batch = stage(org, raw, fmt="csv" if raw.startswith(b"branch") else "jsonl")
    if batch.status == SaleBatch.Status.FAILED:
        assert error in batch.error
        assert BatchDocument.objects.filter(batch=batch).count() == 0
    else:  # a broken JSON line is one rejected document with its reason, not a crash
        assert list(BatchDocument.objects.filter(batch=batch).values_list("status", flat=True)) == ["rejected"]


def test_sql_fragment_in_lookup_finds_nothing_and_breaks_nothing(client, org, member, staff_client):
    c = staff_client("admin")
    response = c.get(reverse("members:list"), {"q": "' OR 1=1; --"})
    assert response.status_code == 200
    assert member.code not in response.content.decode()
    assert connection.introspection.table_names().count("members_member") == 1
