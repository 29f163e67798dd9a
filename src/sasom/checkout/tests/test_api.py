"""Sales over the API, as a POS uses it: quote, commit, replay, return, void, balance, history.

The shop's rules come from the ledger's conftest (imported by this folder's): 100 THB = 1 pt, bills >= 2,000 +10.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sasom.core.audit import Actor
from sasom.integrations import auth
from sasom.integrations.services import api_key_create
from sasom.ledger.models import Entry, Sale
from sasom.testing.factories import TerminalFactory


@pytest.fixture(autouse=True)
def _fresh_caches():
    auth._cache.clear()
    auth._buckets.clear()


@pytest.fixture
def pos(org, terminal):
    issued = api_key_create(organization_id=org.id, label="POS B1-T1", actor=Actor.system(), terminal=terminal)
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")


def sale_body(receipt="B1-T1-000123", *, phone="+66812345678", price="1250.00", qty="2", **extra):
    body = {
        "receipt_id": receipt, "occurred_at": "2026-11-24T12:30:00+07:00",
        "member": {"phone": phone} if phone else None, "document_type": "retail_receipt", "bag_declined": False,
        "lines": [{"sku": "8850999", "category": "beauty", "brand": "X", "quantity": qty, "unit_price": price,
                   "discount": "0"}],
        "bill_discount": "0", "redeem_points": 0, "coupons": [],
    }
    body.update(extra)
    return body


def post(client, path, body, **headers):
    return client.post(path, data=json.dumps(body), content_type="application/json", **headers)


def test_a_sale_earns_points_with_explanations_and_prints_the_balance(pos, member):
    # given a member buying 2 x 1,250 THB
    # when the POS commits the sale
    response = post(pos, "/api/v1/sales", sale_body())
    # then base 25 pts + big bill 10 pts, explained, and the balance is on the receipt
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["points_earned"] == 35
    assert [(a["rule"], a["points"]) for a in body["awards"]] == [("BASE", 25), ("BIG", 10)]
    assert all(a["explanation"] for a in body["awards"])
    assert body["balance"] == {"spendable": 35, "pending": 0, "lifetime_earned": 35, "debt": 0, "next_expiry": None}
    assert (body["discount_applied"], body["net"]) == ("0.00", "2500.00")
    assert "35" in body["receipt_text"] and member.code in body["receipt_text"]
    assert body["replayed"] is False


def test_quote_matches_the_commit_and_writes_nothing(pos, member):
    quote = post(pos, "/api/v1/sales/quote", {k: v for k, v in sale_body().items() if k != "receipt_id"})
    assert quote.status_code == 200, quote.content
    assert quote.json()["points_earned"] == 35
    assert not Sale.objects.exists() and not Entry.objects.exists()
    assert post(pos, "/api/v1/sales", sale_body()).json()["points_earned"] == 35


def test_replaying_a_receipt_posts_nothing_more(pos, member):
    first = post(pos, "/api/v1/sales", sale_body())
    again = post(pos, "/api/v1/sales", sale_body())
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["replayed"] is True
    assert again.json()["points_earned"] == first.json()["points_earned"]
    assert Sale.objects.count() == 1 and Entry.objects.count() == 1


def test_a_replay_answers_the_sale_as_the_first_answer_did(pos, member):
    # given a sale posted with quantities sent as "2" (its lines stored with three decimals)
    first = post(pos, "/api/v1/sales", sale_body()).json()
    # when the same receipt is sent again
    again = post(pos, "/api/v1/sales", sale_body()).json()
    # then the replay's lines are the first answer's, to the character (quantities alike: 2.000)
    assert again["lines"] == first["lines"]
    assert [line["quantity"] for line in first["lines"]] == ["2.000"]
    assert {k: v for k, v in again.items() if k != "replayed"} == {k: v for k, v in first.items() if k != "replayed"}


def test_same_receipt_with_other_content_is_409(pos, member):
    post(pos, "/api/v1/sales", sale_body())
    response = post(pos, "/api/v1/sales", sale_body(price="99.00"))
    assert response.status_code == 409
    assert response.json()["code"] == "receipt_conflict"


def test_idempotency_key_replays_the_exact_answer(pos, member):
    first = post(pos, "/api/v1/sales", sale_body(), HTTP_IDEMPOTENCY_KEY="k-1")
    again = post(pos, "/api/v1/sales", sale_body(), HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.content == again.content
    assert Entry.objects.count() == 1


def test_non_member_sale_is_kept_without_points(pos, member):
    response = post(pos, "/api/v1/sales", sale_body(phone=None))
    assert response.status_code == 201
    assert response.json()["member"] is None and response.json()["points_earned"] == 0
    assert Sale.objects.get().member_id is None


def test_partial_return_then_void(pos, member):
    post(pos, "/api/v1/sales", sale_body())
    # when one of the two items comes back
    returned = post(pos, "/api/v1/sales/B1-T1-000123/returns",
                    {"return_id": "RT-1", "lines": [{"line_no": 1, "quantity": "1"}], "reason": "broken"})
    assert returned.status_code == 201, returned.content
    # then the sale now earns 12 (1,250 THB, no big-bill bonus): 23 points go back
    assert returned.json()["points_reversed"] == 23
    assert returned.json()["balance"]["spendable"] == 12
    # and the same return again changes nothing
    again = post(pos, "/api/v1/sales/B1-T1-000123/returns",
                 {"return_id": "RT-1", "lines": [{"line_no": 1, "quantity": "1"}], "reason": "broken"})
    assert again.status_code == 201
    assert again.json()["balance"]["spendable"] == 12
    # when the rest is voided
    voided = post(pos, "/api/v1/sales/B1-T1-000123/void", {"reason": "wrong member"})
    assert voided.status_code == 200, voided.content
    assert voided.json()["status"] == "voided"
    assert voided.json()["balance"]["spendable"] == 0
    # and a second void is refused
    second = post(pos, "/api/v1/sales/B1-T1-000123/void", {"reason": "again"})
    assert second.status_code == 400
    assert second.json()["code"] == "already_voided"


def test_return_of_more_than_sold_is_refused(pos, member):
    post(pos, "/api/v1/sales", sale_body())
    response = post(pos, "/api/v1/sales/B1-T1-000123/returns",
                    {"return_id": "RT-1", "lines": [{"line_no": 1, "quantity": "3"}]})
    assert response.status_code == 400
    assert response.json()["code"] == "return_exceeds_sold"


def test_balance_and_history(pos, member):
    post(pos, "/api/v1/sales", sale_body())
    balance = pos.get(f"/api/v1/members/{member.code}/balance")
    assert balance.json()["spendable"] == 35
    history = pos.get(f"/api/v1/members/{member.code}/entries?per_page=10")
    assert history.status_code == 200
    item = history.json()["items"][0]
    assert (item["kind"], item["points"], item["receipt_id"]) == ("earn", 35, "B1-T1-000123")
    assert [a["rule"] for a in item["awards"]] == ["BASE", "BIG"]


def test_history_costs_the_same_queries_whatever_the_page_size(pos, member, django_assert_max_num_queries):
    for i in range(12):
        post(pos, "/api/v1/sales", sale_body(receipt=f"R-{i}"))
    with django_assert_max_num_queries(8):
        assert len(pos.get(f"/api/v1/members/{member.code}/entries?per_page=3").json()["items"]) == 3
    with django_assert_max_num_queries(8):
        assert len(pos.get(f"/api/v1/members/{member.code}/entries?per_page=12").json()["items"]) == 12


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"occurred_at": "2026-11-24T12:30:00"}, 422, "invalid_input"),
        ({"lines": []}, 422, "invalid_input"),
        ({"member": {"phone": "0899999999"}}, 404, "member_not_found"),
        ({"terminal": "B9-T9"}, 403, "wrong_terminal"),
        ({"redeem_points": 10, "member": None}, 400, "points_without_member"),
        ({"receipt_id": ""}, 422, "invalid_input"),
    ],
)
def test_bad_sales_are_refused_with_a_code_and_store_nothing(pos, member, change, status, code):
    response = post(pos, "/api/v1/sales", sale_body(**change))
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert not Sale.objects.exists()


def test_an_unscoped_key_names_its_terminal(org, terminal, member):
    erp = api_key_create(organization_id=org.id, label="ERP", actor=Actor.system())
    client = Client(HTTP_AUTHORIZATION=f"Bearer {erp.key}")
    missing = post(client, "/api/v1/sales", sale_body())
    assert missing.json()["code"] == "terminal_required"
    ok = post(client, "/api/v1/sales", sale_body(terminal=terminal.code))
    assert ok.status_code == 201
    assert ok.json()["terminal"] == terminal.code


def test_a_key_cannot_read_sales_of_another_terminal(org, terminal, pos, member):
    post(pos, "/api/v1/sales", sale_body())
    other = TerminalFactory(organization=org, branch=terminal.branch, code="B1-T2")
    key = api_key_create(organization_id=org.id, label="POS 2", actor=Actor.system(), terminal=other)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key.key}")
    assert client.get("/api/v1/sales/B1-T1-000123").status_code == 404
    assert post(client, "/api/v1/sales/B1-T1-000123/void", {"reason": "x"}).status_code == 404


def test_a_quote_reads_the_member_s_account_once(pos, member):
    # given a member who has an account (one sale posted)
    assert post(pos, "/api/v1/sales", sale_body()).status_code == 201
    body = {k: v for k, v in sale_body().items() if k != "receipt_id"}
    post(pos, "/api/v1/sales/quote", body)  # warm the key and rule caches
    # when the POS asks for a quote
    with CaptureQueriesContext(connection) as queries:
        quote = post(pos, "/api/v1/sales/quote", body)
    # then the answer needs the account once (engine context, points discount, rewards, balance)
    assert quote.status_code == 200
    account_reads = [q["sql"] for q in queries.captured_queries
                     if 'FROM "ledger_pointaccount"' in q["sql"] and "UPDATE" not in q["sql"]]
    assert len(account_reads) == 1, account_reads
