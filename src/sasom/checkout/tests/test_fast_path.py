"""The fast path of a plain sale (``ledger.services.fastpost``, PostgreSQL) against the ORM path.

The same baskets go through ``POST /api/v1/sales`` twice — once with the fast path, once with it
switched off — and every stored row (sales, lines, entries, lots, accounts, webhook deliveries)
and every answer must be the same. Then real threads post on one card at once.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client

from sasom.checkout import services as checkout_services
from sasom.core.audit import Actor
from sasom.earning.models import EarnRule
from sasom.earning.selectors import ruleset_forget
from sasom.earning.services import rule_create, rule_update
from sasom.integrations import auth
from sasom.integrations.models import WebhookDelivery, WebhookEndpoint
from sasom.integrations.services import api_key_create
from sasom.ledger.models import Entry, LedgerSettings, Lot, PointAccount, Sale, SaleLine
from sasom.ledger.services import fastpost
from sasom.ledger.testing import assert_ledger_consistent
from sasom.members.models import Card
from sasom.testing.factories import MemberFactory, MemberTypeFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the fast path exists on PostgreSQL only")

WHEN = "2026-11-24T12:30:00+07:00"


@pytest.fixture(autouse=True)
def _fresh_caches():
    auth._cache.clear()
    auth._buckets.clear()
    from sasom.integrations import webhooks

    webhooks._endpoints.clear()
    yield
    webhooks._endpoints.clear()


@pytest.fixture
def pos(org, terminal):
    issued = api_key_create(organization_id=org.id, label="POS fast", actor=Actor.system(), terminal=terminal)
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")


def body(receipt: str, price: str = "1250.00", qty: str = "2", member: dict | None = None, **extra) -> dict:
    data = {
        "receipt_id": receipt, "occurred_at": WHEN, "member": member,
        "lines": [
            {"sku": f"SKU{i}", "category": "beauty" if i % 2 else "food", "brand": "X", "quantity": qty,
             "unit_price": price, "discount": "1.50" if i == 2 else "0"}
            for i in range(1, 4)
        ],
    }
    data.update(extra)
    return data


class _Spy:
    """Counts the sales that took the ORM path (``sale_post`` as the API view calls it)."""

    def __init__(self, monkeypatch):
        self.calls = 0
        real = checkout_services.sale_post

        def spy(**kwargs):
            self.calls += 1
            return real(**kwargs)

        monkeypatch.setattr(checkout_services, "sale_post", spy)


def _scenario(pos, members: dict[str, Any]) -> list[tuple[int, Any]]:
    a, b, r = members["a"], members["b"], members["r"]
    posts = [
        body("R01", member={"phone": a.phone}),                       # first sale: the account is created
        body("R02", price="150.00", member={"phone": a.phone}),       # second sale
        body("R03", price="100.00", member={"phone": b.phone}),       # birthday x2, VIP bonus
        body("R04", price="170.00", member={"code": r.code}),         # referred member's first purchase
        body("R05", price="170.00", member={"code": r.code}),         # ... and the second
        body("R06", price="999.00"),                                  # no member
        body("R07", price="10.00", qty="1", member={"phone": a.phone}),  # zero points
        body("R08", price="300.00", member={"card": "CARD-C"}),       # by card, account already there
        body("R02", price="150.00", member={"phone": a.phone}),       # replay: the stored answer
        body("R02", price="151.00", member={"phone": a.phone}),       # another body: 409
        body("R09", price="80.00", member={"phone": "+66000000000"}),  # unknown member: 404
    ]
    answers = []
    for data in posts:
        response = pos.post("/api/v1/sales", json.dumps(data), content_type="application/json")
        answers.append((response.status_code, response.json()))
    return answers


def _snapshot(org) -> dict[str, Any]:
    """Every row the posts stored, without ids and clock times, keyed by receipt and member."""
    sales = {s.pk: s.receipt_id for s in Sale.objects.filter(organization=org)}
    members_of = dict(PointAccount.objects.filter(organization=org).values_list("pk", "member_id"))
    skip = {"id", "recorded_at", "created_at", "updated_at"}

    def clean(row: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in row.items() if k not in skip}
        if "sale_id" in out:
            out["sale_id"] = sales.get(out["sale_id"])
        if "account_id" in out:
            out["account_id"] = members_of.get(out["account_id"])
        return out

    entries = {e["id"]: e for e in Entry.objects.filter(organization=org).values()}
    entry_key = {pk: (sales.get(e["sale_id"]), e["kind"]) for pk, e in entries.items()}
    lots = []
    for lot in Lot.objects.filter(organization=org).values():
        lot = clean(lot)
        lot["entry_id"] = entry_key[lot["entry_id"]]
        lots.append(lot)
    deliveries = []
    for d in WebhookDelivery.objects.filter(organization=org).order_by("id").values("event_type", "payload"):
        payload = {k: v for k, v in d["payload"].items() if k not in ("id", "created_at")}
        payload["data"] = {k: v for k, v in payload["data"].items() if k not in ("entry_id", "sale_id")}
        deliveries.append((d["event_type"], payload))
    return {
        "sales": sorted((clean(s) for s in Sale.objects.filter(organization=org).values()), key=lambda s: s["receipt_id"]),
        "lines": sorted((clean(x) for x in SaleLine.objects.filter(organization=org).values()),
                        key=lambda x: (x["sale_id"], x["line_no"])),
        "entries": sorted((clean(e) for e in entries.values()), key=lambda e: (e["sale_id"] or "", e["kind"])),
        "lots": sorted(lots, key=lambda x: x["entry_id"]),
        "accounts": sorted((clean(x) for x in PointAccount.objects.filter(organization=org).values()),
                           key=lambda x: x["member_id"]),
        "deliveries": deliveries,
    }


@pytest.mark.parametrize(("referrer_points", "pending_days", "expiry"), [(0, 0, "never"), (20, 14, "days")])
def test_the_fast_path_stores_and_answers_exactly_what_the_orm_path_does(
    org, member_type, pos, monkeypatch, referrer_points, pending_days, expiry
):
    # given the shop's rules plus a birthday x2 and a VIP bonus, a referral paying the referrer
    # (or not), a points policy, a webhook listening to points, and four members
    vip = MemberTypeFactory(organization=org, code="VIP", name="VIP")
    rule_update(rule=EarnRule.objects.get(organization=org, code="REF"), actor=Actor.system(),
                params={"member_points": 5, "referrer_points": referrer_points, "min_amount": "0"})
    rule_create(organization_id=org.pk, actor=Actor.system(), code="BDAY", name="Birthday", kind="birthday",
                params={"period": "day", "mode": "multiply", "value": "2"})
    rule_create(organization_id=org.pk, actor=Actor.system(), code="VIPX", name="VIP", kind="threshold",
                member_types=["VIP"], params={"min_amount": "1", "points": 3})
    ruleset_forget()
    LedgerSettings.objects.update_or_create(organization=org, defaults={
        "expiry_policy": expiry, "expiry_n": 365 if expiry == "days" else 0, "pending_days": pending_days})
    WebhookEndpoint.objects.create(organization=org, url="https://example.com/hook", events=["points.earned"],
                                   secret="s" * 32)
    a = MemberFactory(organization=org, member_type=member_type)
    b = MemberFactory(organization=org, member_type=vip, birth_on=dt.date(1990, 11, 24))
    r = MemberFactory(organization=org, member_type=member_type, referred_by=a)
    c = MemberFactory(organization=org, member_type=member_type)
    Card.objects.create(organization=org, member=c, number="CARD-C", status=Card.Status.ACTIVE, issued_on=dt.date(2026, 1, 1))
    PointAccount.objects.create(organization=org, member=c)
    members = {"a": a, "b": b, "r": r, "c": c}
    spy = _Spy(monkeypatch)

    # when the same posts go through the fast path, then (rolled back) through the ORM path
    sid = transaction.savepoint()
    fast_answers = _scenario(pos, members)
    fast_rows = _snapshot(org)
    fast_orm_calls = spy.calls
    transaction.savepoint_rollback(sid)
    auth._cache.clear()
    monkeypatch.setattr(checkout_services, "fast_path_available", lambda: False)
    spy.calls = 0
    orm_answers = _scenario(pos, members)
    orm_rows = _snapshot(org)

    # then rows and answers are the same, and the fast path did post the plain sales
    assert [s for s, _ in fast_answers] == [201, 201, 201, 201, 201, 201, 201, 201, 200, 409, 404]
    assert fast_answers == orm_answers
    assert fast_rows == orm_rows
    # one points.earned per earn entry, as before (the referrer's bonus is an entry of its own)
    assert len(fast_rows["deliveries"]) == 6 + (1 if referrer_points else 0)
    # with a referrer to pay, the referred member's first purchase takes the ORM path (1 sale)
    assert fast_orm_calls == (1 if referrer_points else 0)
    assert spy.calls == 10  # every post but the unknown member reached sale_post on the ORM path
    for account in PointAccount.objects.filter(organization=org):
        assert_ledger_consistent(account)


def test_a_stale_first_purchase_decision_falls_back_to_the_locked_path(org, branch, terminal, member_type):
    # given a referred member whose account shows no sale yet when the member is read ...
    referrer = MemberFactory(organization=org, member_type=member_type)
    member = MemberFactory(organization=org, member_type=member_type, referred_by=referrer)
    rule_update(rule=EarnRule.objects.get(organization=org, code="REF"), actor=Actor.system(),
                params={"member_points": 5, "referrer_points": 0, "min_amount": "0"})
    ruleset_forget()
    stale = PointAccount(organization_id=org.pk, member_id=member.pk, sale_count=0)
    # ... but another till posted the first purchase in between
    from sasom.ledger.services import sale_post
    from sasom.ledger.tests.conftest import at, basket

    sale_post(organization=org, branch=branch, terminal=terminal, receipt_id="OTHER", member=member,
              basket=basket("200.00", when=at(2026, 3, 1)), actor=Actor.system())
    # when the fast path posts with the stale view
    result = fastpost.sale_post_fast(organization=org, branch=branch, terminal=terminal, receipt_id="MINE",
                                     basket=basket("200.00", when=at(2026, 3, 1)), member=member, account=stale,
                                     actor=Actor.system())
    # then it writes nothing and hands the sale to the ORM path
    assert result is None
    assert not Sale.objects.filter(receipt_id="MINE").exists()
    account = PointAccount.objects.get(member=member)
    assert (account.sale_count, account.spendable) == (1, 7)


@pytest.mark.postgres_only
def test_eight_tills_posting_first_sales_on_one_new_card_at_once(transactional_db, org, terminal, member_type):
    # given a referred member with no account yet, a first-purchase bonus, eight tills
    ruleset_forget()
    referrer = MemberFactory(organization=org, member_type=member_type)
    member = MemberFactory(organization=org, member_type=member_type, referred_by=referrer)
    rule_update(rule=EarnRule.objects.get(organization=org, code="REF"), actor=Actor.system(),
                params={"member_points": 5, "referrer_points": 0, "min_amount": "0"})
    ruleset_forget()
    issued = api_key_create(organization_id=org.id, label="POS race", actor=Actor.system(), terminal=terminal)
    errors: list[BaseException] = []
    statuses: list[int] = []

    def till(i: int) -> None:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")
        try:
            for n in range(5):
                response = client.post("/api/v1/sales", json.dumps(body(f"T{i}-{n}", price="150.00", qty="1",
                                       member={"phone": member.phone})), content_type="application/json")
                statuses.append(response.status_code)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    # when each till posts five sales (1 pt each: 150 THB x 3 lines = 4 pts) at the same time
    threads = [threading.Thread(target=till, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    # then all 40 are posted once, the bonus went to exactly one of them, the ledger balances
    assert errors == [] and statuses == [201] * 40
    account = PointAccount.objects.get(member=member)
    sales = Sale.objects.filter(member=member)
    assert (account.sale_count, sales.count()) == (40, 40)
    bonus = [s for s in sales if any(a["rule_code"] == "REF" for a in s.explanation["awards"])]
    assert len(bonus) == 1
    assert account.spendable == account.lifetime_earned == sum(s.points_earned for s in sales) == 40 * 4 + 5
    assert_ledger_consistent(account)
