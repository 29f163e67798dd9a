"""The set-based poster of day-end batches stores exactly what ``sale_post`` stores posting the same
documents one after the other: the same sales, lines, entries (explanations and debt included),
lots (expiry and pending dates), account counters and webhook announcements.

Each differential test posts the documents one way inside a transaction that is rolled back after
every row is read, then the other way, and compares the rows by their natural keys."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.earning import engine
from sasom.earning.selectors import ruleset_forget
from sasom.earning.services import rule_create
from sasom.integrations.models import WebhookDelivery, WebhookEndpoint
from sasom.integrations.webhooks import _active_endpoints, forget_endpoints
from sasom.ledger.models import Entry, Lot, PointAccount, Sale, SaleLine
from sasom.ledger.services import (
    BulkSale,
    points_release_pending,
    points_spend,
    sale_post,
    sale_void,
    sales_post_bulk,
)
from sasom.ledger.testing import assert_ledger_consistent
from sasom.ledger.tests.conftest import at, line
from sasom.members.models import MemberType
from sasom.testing.factories import MemberFactory
from sasom.testing.properties import db_property

NOW = at(2026, 3, 1, 23, 0)
ACTOR = Actor.system("erp")


class _Rollback(Exception):
    pass


def _rows(receipts: set[str]) -> dict:
    """Every stored row the posting of ``receipts`` made, keyed naturally (no ids of new rows)."""
    sales = {s.pk: s.receipt_id for s in Sale.objects.filter(receipt_id__in=receipts)}
    owner = dict(PointAccount.objects.values_list("id", "member_id"))  # account ids differ by creation order
    entries = {e.pk: (sales.get(e.sale_id), e.kind) for e in Entry.objects.filter(sale_id__in=sales)}
    skip_sale = {"id", "recorded_at"}
    out = {
        "sales": {
            s["receipt_id"]: {k: v for k, v in s.items() if k not in skip_sale} | {"account_id": owner.get(s["account_id"])}
            for s in Sale.objects.filter(pk__in=sales).values()
        },
        "lines": sorted(
            (sales[ln.pop("sale_id")], ln.pop("line_no"), sorted((k, str(v)) for k, v in ln.items() if k != "id"))
            for ln in SaleLine.objects.filter(sale_id__in=sales).values()
        ),
        "entries": sorted(
            (entries[e.pop("id")], owner[e.pop("account_id")],
             sorted((k, str(v)) for k, v in e.items() if k not in {"sale_id", "recorded_at"}))
            for e in Entry.objects.filter(pk__in=entries).values()
        ),
        "lots": sorted(
            (entries[lot.pop("entry_id")], owner[lot.pop("account_id")], sorted((k, str(v)) for k, v in lot.items() if k != "id"))
            for lot in Lot.objects.filter(entry_id__in=entries).values()
        ),
        "accounts": sorted(
            PointAccount.objects.values_list(
                "member_id", "spendable", "pending", "debt", "lifetime_earned", "sale_count"
            )
        ),
        "webhooks": [
            (d.event_type, {**d.payload["data"], "entry_id": entries.get(d.payload["data"]["entry_id"]),
                            "sale_id": sales.get(d.payload["data"]["sale_id"])})
            for d in WebhookDelivery.objects.order_by("id")
        ],
    }
    return out


def _post_both_ways(org, items_of) -> tuple[dict, dict, list]:
    """``items_of()`` builds fresh BulkSale items; post them with ``sale_post`` one by one and with
    ``sales_post_bulk``; returns (rows one by one, rows in bulk, bulk outcomes)."""
    receipts = {item.receipt_id for item in items_of()}
    sequential: dict = {}
    try:
        with transaction.atomic():
            for item in items_of():
                try:
                    sale_post(organization=org, branch=item.branch, terminal=item.terminal,
                              receipt_id=item.receipt_id, basket=item.basket, member=item.member,
                              actor=ACTOR, now=NOW)
                except DomainError:
                    pass
            sequential = _rows(receipts)
            raise _Rollback
    except _Rollback:
        pass
    outcomes = sales_post_bulk(organization=org, items=items_of(), actor=ACTOR, now=NOW)
    return sequential, _rows(receipts), outcomes


@pytest.fixture
def shop(org, member_type, policy):
    """The conftest shop's rules plus a VIP-only bonus and a birthday bonus; points expire at the
    end of the year after 12 months and wait 7 days pending; a webhook listens to everything."""
    vip = MemberType.objects.create(organization=org, code="VIP", name="VIP")
    rule_create(organization_id=org.pk, actor=ACTOR, code="VIPX", name="VIP +3", kind="threshold",
                member_types=["VIP"], params={"min_amount": "100", "points": 3})
    rule_create(organization_id=org.pk, actor=ACTOR, code="BDAY", name="birthday +7", kind="birthday",
                params={"period": "day", "mode": "fixed", "value": "7"})
    ruleset_forget()
    policy(expiry_policy="end_of_year", expiry_n=12, pending_days=7)
    WebhookEndpoint.objects.create(organization=org, url="http://127.0.0.1:9/hook", secret="s")
    forget_endpoints(org.pk)
    yield vip
    forget_endpoints(org.pk)


def _doc(branch, terminal, receipt, member, amount, when, **kw) -> BulkSale:
    lines = kw.pop("lines", None) or [line(1, "A", 1, amount, category="food"), line(2, "B", 2, "10.50", "1")]
    return BulkSale(branch=branch, terminal=terminal, receipt_id=receipt, member=member,
                    basket=engine.Basket(occurred_at=when, lines=tuple(lines), **kw))


def test_a_chunk_posts_what_sale_post_posts_one_by_one(org, branch, terminal, member_type, shop):
    # given a member without an account, a VIP whose birthday is today, a member in debt,
    # and the same member three times (the first sale of an account decides is_first_purchase)
    fresh = MemberFactory(organization=org, member_type=member_type, code="F1")
    vip = MemberFactory(organization=org, member_type=shop, code="V1", birth_on=dt.date(1990, 3, 1))
    debtor = MemberFactory(organization=org, member_type=member_type, code="D1")
    earned = sale_post(organization=org, branch=branch, terminal=terminal, receipt_id="OLD-1",
                       basket=engine.Basket(occurred_at=at(2026, 2, 1), lines=(line(1, "X", 1, "1000"),)),
                       member=debtor, actor=ACTOR, now=at(2026, 2, 1))
    points_release_pending(organization_id=org.pk, now=at(2026, 2, 20))
    points_spend(account=PointAccount.objects.get(pk=earned.account.pk), points=10, actor=ACTOR, now=at(2026, 2, 20))
    sale_void(sale=earned.sale, reason="wrong member", actor=ACTOR, now=at(2026, 2, 21))
    assert PointAccount.objects.get(member=debtor).debt == 10

    def items():
        return [
            _doc(branch, terminal, "R-1", fresh, "450.00", at(2026, 3, 1, 9)),
            _doc(branch, terminal, "R-2", vip, "2500.00", at(2026, 3, 1, 9, 5)),
            _doc(branch, terminal, "R-3", None, "990.00", at(2026, 3, 1, 9, 6)),      # not a member
            _doc(branch, terminal, "R-4", fresh, "1999.00", at(2026, 3, 1, 10)),
            _doc(branch, terminal, "R-5", debtor, "350.00", at(2026, 3, 1, 10, 1)),   # pays 3 of 10 debt
            _doc(branch, terminal, "R-6", fresh, "50.00", at(2026, 3, 1, 11)),        # zero points
            _doc(branch, terminal, "R-7", debtor, "3000.00", at(2026, 3, 1, 11, 1),   # pays the rest
                 bill_discount=Decimal("100")),
            _doc(branch, terminal, "R-8", fresh, "800.00", at(2026, 2, 1, 11)),       # no longer pending
            _doc(branch, terminal, "R-9", vip, "120.00", at(2026, 3, 1, 12), campaign_plan="X", salesperson="S1"),
        ]

    # when they are posted one by one (rolled back) and as one chunk
    sequential, bulk, outcomes = _post_both_ways(org, items)
    # then every row is the same
    assert bulk == sequential
    assert len(bulk["sales"]) == 9 and len([w for w in bulk["webhooks"] if w[1]["sale_id"]]) == 7
    assert [o.points_earned for o in outcomes] == [bulk["sales"][f"R-{n}"]["points_earned"] for n in range(1, 10)]
    assert all(o.created and o.error is None for o in outcomes)
    assert bulk["sales"]["R-2"]["explanation"]["context"]["member_type"] == "VIP"
    for account in PointAccount.objects.all():
        assert_ledger_consistent(account)


def test_replays_and_conflicts_in_a_chunk(org, branch, terminal, member):
    # given a receipt already posted
    first = _doc(branch, terminal, "R-1", member, "500.00", at(2026, 3, 1))
    sales_post_bulk(organization=org, items=[first], actor=ACTOR, now=NOW)
    # when a chunk carries it again, the same receipt with another body, a document twice and a bad basket
    again = [
        _doc(branch, terminal, "R-1", member, "500.00", at(2026, 3, 1)),
        _doc(branch, terminal, "R-1", member, "501.00", at(2026, 3, 1)),
        _doc(branch, terminal, "R-2", member, "300.00", at(2026, 3, 1)),
        _doc(branch, terminal, "R-2", member, "300.00", at(2026, 3, 1)),
        _doc(branch, terminal, "R-3", member, "300.00", at(2026, 3, 1).replace(tzinfo=None)),
    ]
    outcomes = sales_post_bulk(organization=org, items=again, actor=ACTOR, now=NOW)
    # then nothing is posted twice and each says why
    assert [(o.created, o.error.code if o.error else None) for o in outcomes] == [
        (False, None), (False, "receipt_conflict"), (True, None), (False, None), (False, "invalid_basket"),
    ]
    assert outcomes[3].sale_id == outcomes[2].sale_id
    assert Sale.objects.count() == 2
    assert PointAccount.objects.get().sale_count == 2


def test_a_member_with_a_referrer_is_left_to_sale_post(org, branch, terminal, member_type, member):
    referred = MemberFactory(organization=org, member_type=member_type, code="N1", referred_by=member)
    with pytest.raises(ValueError):
        sales_post_bulk(organization=org, items=[_doc(branch, terminal, "R-1", referred, "500", at(2026, 3, 1))],
                        actor=ACTOR)


def test_a_chunk_costs_the_same_statements_whatever_its_size(org, branch, terminal, member_type, settings,
                                                              monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sasom.core.events import POINTS_EARNED, SALE_POSTED, event_wanted
    from sasom.earning.selectors import ruleset_for
    from sasom.integrations import webhooks
    from sasom.notifications import event_messages
    from sasom.tiers.selectors import ladder_for

    # the per-process caches the chunk reads (rules, ladder, pricing settings: one version check
    # every ``EARNING_RULESET_TTL`` seconds, 5 by default; the subscribers' lists, 30 s) are kept
    # for the whole test: on a loaded machine the 200-document chunk once started more than 5 s
    # after the warm-up below and counted 12 statements, the rules' and the ladder's checks
    settings.EARNING_RULESET_TTL = 3600.0
    monkeypatch.setattr(webhooks, "_ENDPOINT_CACHE_SECONDS", 3600)
    monkeypatch.setattr(event_messages, "ACTIVE_TTL_SECONDS", 3600.0)
    members = [MemberFactory(organization=org, member_type=member_type, code=f"C{i}") for i in range(80)]
    ruleset_for(org.pk)
    ladder_for(org.pk)
    forget_endpoints(org.pk)
    _active_endpoints(org.pk)
    for kind in (POINTS_EARNED, SALE_POSTED):
        event_wanted(org.pk, kind)  # the subscribers' own caches (messages, webhooks): no query per chunk

    def statements(first: int, count: int) -> int:
        items = [_doc(branch, terminal, f"R-{i}", members[i % 80] if i % 5 else None, "700", at(2026, 3, 1, 9))
                 for i in range(first, first + count)]
        with CaptureQueriesContext(connection) as ctx:
            sales_post_bulk(organization=org, items=items, actor=ACTOR, now=NOW)
        return len(ctx.captured_queries)

    small, large = statements(0, 20), statements(20, 200)
    assert Sale.objects.count() == 220
    if connection.vendor == "postgresql":
        # savepoint, receipts, accounts (find, create, find the new ones, lock), ids of the sales
        # and of the entries, balances, release; the four COPY (sales, lines, entries, lots) go
        # past Django's query log
        assert small == large == 10
    else:  # the INSERTs instead of COPY; SQLite splits one at its limit of bound variables
        assert 12 <= small <= large <= 40


@db_property(max_examples=25)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 400000), st.integers(0, 23), st.booleans()),
                min_size=1, max_size=12))
def test_any_chunk_matches_posting_one_by_one(org, branch, terminal, member_type, shop, docs):
    try:
        with transaction.atomic():
            members = [None] + [
                MemberFactory(organization=org, member_type=shop if i == 2 else member_type, code=f"H{i}",
                              birth_on=dt.date(1988, 3, 1) if i == 3 else None)
                for i in range(1, 5)
            ]

            def items():
                return [
                    _doc(branch, terminal, f"R-{n}", members[who], f"{cents / 100:.2f}",
                         at(2026, 3, 1, hour) if today else at(2026, 2, 1, hour))
                    for n, (who, cents, hour, today) in enumerate(docs)
                ]

            sequential, bulk, _outcomes = _post_both_ways(org, items)
            assert bulk == sequential
            raise _Rollback
    except _Rollback:
        pass
