"""What the sales API refuses, naming the field, with nothing stored (issue "Hardening", the
checkout's part): unknown fields, an empty or ambiguous member, unknown document types, discounts
above the line or the bill, dates outside the window, receipt ids outside the grammar; and a
batch-posted receipt id with "/" read, returned and voided through its path."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from sasom.core.audit import Actor
from sasom.core.roles import Role
from sasom.integrations import auth
from sasom.integrations.services import api_key_create
from sasom.ledger.models import Sale
from sasom.testing.factories import MemberFactory


@pytest.fixture(autouse=True)
def _fresh_caches():
    auth._cache.clear()
    auth._buckets.clear()


@pytest.fixture
def pos(org, terminal) -> Client:
    issued = api_key_create(organization_id=org.id, label="POS", actor=Actor.system(), terminal=terminal)
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")


def body(receipt="R-1", **extra):
    out = {"receipt_id": receipt, "occurred_at": "2026-11-24T12:30:00+07:00", "member": {"phone": "+66812345678"},
           "lines": [{"sku": "A", "quantity": "2", "unit_price": "100.00"}]}
    out.update(extra)
    return out


def post(client, path, data):
    return client.post(path, data=json.dumps(data), content_type="application/json")


def refused(answer):
    data = answer.json()
    return answer.status_code, data["code"], data.get("field")


@pytest.mark.parametrize("change, field", [
    ({"bill_discont": "10.00"}, "bill_discont"),
    ({"lines": [{"sku": "A", "quantity": "1", "unit_price": "1.00", "qty": "2"}]}, "lines.0.qty"),
    ({"member": {"phone": "+66812345678", "email": "x@y.th"}}, "member.email"),
])
def test_an_unknown_field_is_refused_naming_it(pos, member, change, field):
    answer = post(pos, "/api/v1/sales", body(**change))
    status, code, named = refused(answer)
    assert (status, code) == (422, "invalid_input") and named == field
    assert not Sale.objects.exists()


def test_the_openapi_document_says_sale_bodies_take_no_other_fields(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    for name in ("SaleIn", "SaleQuoteIn", "SaleLineIn", "SaleMemberRef", "ReturnIn", "VoidIn"):
        assert schemas[name].get("additionalProperties") is False, name


def test_an_empty_member_is_refused_not_taken_for_a_walk_in(pos, member):
    assert refused(post(pos, "/api/v1/sales", body(member={})))[:2] == (422, "invalid_input")
    assert refused(post(pos, "/api/v1/sales", body(member={"phone": " "})))[:2] == (422, "invalid_input")
    assert not Sale.objects.exists()


def test_a_phone_and_a_code_of_two_members_are_ambiguous(pos, org, member):
    # given two members
    other = MemberFactory(organization=org, member_type=member.member_type, code="M0000099")
    # when one sale names the first by phone and the second by code, then both by the first's
    both = post(pos, "/api/v1/sales", body(member={"phone": "+66812345678", "code": other.code}))
    same = post(pos, "/api/v1/sales", body(member={"phone": "+66812345678", "code": member.code}))
    # then the first is refused and stores nothing; the second posts to the one member
    assert refused(both) == (400, "member_ambiguous", "member.code")
    assert same.status_code == 201 and same.json()["member"] == member.code
    assert Sale.objects.get().member_id == member.pk


def test_document_types_are_one_list(pos, member):
    assert refused(post(pos, "/api/v1/sales", body(document_type="invoice")))[:2] == (422, "invalid_input")
    assert post(pos, "/api/v1/sales", body(document_type="tax_invoice")).status_code == 201


def test_discounts_above_the_line_or_the_bill_are_refused(pos, member):
    above_line = post(pos, "/api/v1/sales", body(lines=[{"sku": "A", "quantity": "1", "unit_price": "10.00",
                                                         "discount": "10.01"}]))
    above_bill = post(pos, "/api/v1/sales", body(bill_discount="200.01"))
    assert refused(above_line) == (400, "discount_above_line", "lines.0.discount")
    assert refused(above_bill) == (400, "discount_above_bill", "bill_discount")
    assert refused(post(pos, "/api/v1/sales/quote", body(bill_discount="200.01")))[1] == "discount_above_bill"
    assert not Sale.objects.exists()
    assert post(pos, "/api/v1/sales", body(bill_discount="200.00")).json()["net"] == "0.00"


def test_a_sale_dated_ahead_of_the_clock_is_refused(pos, member):
    ahead = (timezone.now() + dt.timedelta(minutes=6)).isoformat()
    close = (timezone.now() + dt.timedelta(minutes=4)).isoformat()
    assert refused(post(pos, "/api/v1/sales", body(occurred_at="2099-01-01T10:00:00+07:00"))) == (
        400, "sale_in_future", "occurred_at")
    assert refused(post(pos, "/api/v1/sales", body(occurred_at=ahead)))[1] == "sale_in_future"
    assert post(pos, "/api/v1/sales", body(occurred_at=close)).status_code == 201  # within 5 minutes


def test_a_sale_older_than_the_back_posting_window_is_refused(pos, member, settings):
    settings.SALE_BACKPOST_DAYS = 30
    old = (timezone.now() - dt.timedelta(days=31)).isoformat()
    recent = (timezone.now() - dt.timedelta(days=29)).isoformat()
    assert refused(post(pos, "/api/v1/sales", body(occurred_at=old))) == (400, "sale_too_old", "occurred_at")
    assert post(pos, "/api/v1/sales", body(occurred_at=recent)).status_code == 201


def test_a_sale_dated_before_the_organization_accepts_sales_is_refused(pos, org, member):
    """The day is the organization's: 23:59 on the eve in Bangkok is refused, midnight is taken."""
    # given an organization that accepts sales from 24 Nov 2026 (Bangkok)
    org.sales_since = dt.date(2026, 11, 24)
    org.save(update_fields=["sales_since"])
    auth._cache.clear()
    # when a sale is dated on the eve, then at midnight
    eve = post(pos, "/api/v1/sales", body(receipt="R-EVE", occurred_at="2026-11-23T23:59:00+07:00"))
    quote = post(pos, "/api/v1/sales/quote", body(receipt="R-EVE", occurred_at="2026-11-23T16:59:00+00:00"))
    first = post(pos, "/api/v1/sales", body(receipt="R-FIRST", occurred_at="2026-11-23T17:00:00+00:00"))
    # then
    assert refused(eve) == (400, "sale_before_start", "occurred_at")
    assert refused(quote)[1] == "sale_before_start"
    assert first.status_code == 201, first.content
    assert list(Sale.objects.values_list("receipt_id", flat=True)) == ["R-FIRST"]


@pytest.mark.parametrize("receipt", ["a b", "/A", "A/", "A//B", "A/void", "A/returns", "ใบเสร็จ1", "X" * 65])
def test_receipt_ids_outside_the_grammar_are_refused(pos, member, receipt):
    status, code, field = refused(post(pos, "/api/v1/sales", body(receipt=receipt)))
    assert (status, code, field) == (422, "invalid_input", "receipt_id")


def test_a_receipt_id_with_a_slash_is_read_returned_and_voided_through_its_path(pos, member):
    # given a sale numbered as day-end batches number theirs
    posted = post(pos, "/api/v1/sales", body(receipt="tax_invoice/INV-004"))
    assert posted.status_code == 201, posted.content
    # when it is read, one item returned, then voided
    read = pos.get("/api/v1/sales/tax_invoice/INV-004")
    returned = post(pos, "/api/v1/sales/tax_invoice/INV-004/returns",
                    {"return_id": "RT-1", "lines": [{"line_no": 1, "quantity": "1"}]})
    voided = post(pos, "/api/v1/sales/tax_invoice/INV-004/void", {"reason": "wrong bill"})
    # then each reaches that sale; a read is not a replay
    assert read.status_code == 200 and read.json()["receipt_id"] == "tax_invoice/INV-004"
    assert read.json()["replayed"] is False
    assert returned.status_code == 201, returned.content
    assert voided.status_code == 200 and voided.json()["status"] == "voided"


def test_points_errors_name_redeem_points(pos, member):
    answer = post(pos, "/api/v1/sales", body(redeem_points=10))
    assert answer.status_code == 400 and answer.json()["field"] == "redeem_points"


@pytest.mark.parametrize("case, code, printed", [
    ("staff", "type_does_not_earn", "earns no points"),
    ("expired", "card_expired", "The card has expired"),
    ("small", "below_first_point", "Below the first point"),
    ("excluded", "nothing_eligible", "No item earns points"),
])
def test_every_zero_says_why_in_the_quote_the_sale_and_the_receipt(pos, member, case, code, printed):
    # given a member who will earn nothing, for one reason or another
    data = body()
    if case == "staff":
        member.member_type.can_earn = False
        member.member_type.save()
    elif case == "expired":
        member.expires_on = dt.date(2026, 1, 31)
        member.save()
    elif case == "small":
        data = body(lines=[{"sku": "A", "quantity": "1", "unit_price": "99.00"}])  # 100 THB = 1 pt
    else:
        data = body(bill_discount="200.00")
    # when quoted and posted
    quote = post(pos, "/api/v1/sales/quote", data).json()
    sale = post(pos, "/api/v1/sales", data).json()
    # then both say why, and so does the receipt
    assert (quote["points_earned"], quote["no_points"]) == (0, code)
    assert (sale["points_earned"], sale["no_points"]) == (0, code)
    assert printed in sale["receipt_text"]
    assert Sale.objects.get().explanation["no_points"] == code


def test_a_sale_that_earns_has_no_zero_reason(pos, member):
    sale = post(pos, "/api/v1/sales", body()).json()
    assert sale["points_earned"] > 0 and sale["no_points"] is None


def test_a_retry_from_another_serializer_is_the_same_request(pos, member):
    # given a sale posted with an Idempotency-Key
    data = body()
    first = pos.post("/api/v1/sales", data=json.dumps(data), content_type="application/json",
                     HTTP_IDEMPOTENCY_KEY="k-1")
    # when the retry sends the same JSON with other key order and spacing, then other content
    again = pos.post("/api/v1/sales", data=json.dumps(dict(reversed(data.items())), indent=2),
                     content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    other = pos.post("/api/v1/sales", data=json.dumps(body(bill_discount="1.00")), content_type="application/json",
                     HTTP_IDEMPOTENCY_KEY="k-1")
    # then the retry gets the first answer; other content under the same key is a conflict
    assert first.status_code == 201 and again.status_code == 201
    assert again.content == first.content
    assert (other.status_code, other.json()["code"]) == (409, "idempotency_mismatch")
    assert Sale.objects.count() == 1


def test_a_cashier_is_offered_only_what_the_role_may_do_with_a_sale(staff_client, org, terminal, member):
    """Cashiers may not return or void: the link after a sale only opens it."""
    client = staff_client(Role.CASHIER)
    page = client.post("/points/counter/", {"terminal": terminal.pk, "receipt_id": "C-1", "total": "100",
                                            "q": member.phone}, follow=True).content.decode()
    assert "Open the sale" in page or "เปิดดูบิล" in page
    assert "return or void" not in page and "(คืนสินค้าหรือยกเลิก)" not in page


def test_the_sale_page_says_why_a_sale_earned_nothing(pos, member, staff_client):
    member.member_type.can_earn = False
    member.member_type.save()
    post(pos, "/api/v1/sales", body())
    page = staff_client(Role.ADMIN).get(f"/points/sales/{Sale.objects.get().pk}/").content.decode()
    assert "This member type earns no points." in page or "ประเภทสมาชิกนี้ไม่สะสมแต้ม" in page
