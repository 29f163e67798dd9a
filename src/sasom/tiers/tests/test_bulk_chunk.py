"""A day-end chunk moves tiers set-based (``ledger.services.bulk_tiers``) exactly as the till's
per-sale step moves them posting the same documents one by one (``checkout.sale_commit``,
``batch=True``): upgrades within the chunk (a member's later sale priced and earned with the tier
an earlier one reached), windows that start on two days, a till sale later the same day left out
of an earlier document's window, a return counted against it, a member without a tier state, a
member posted through ``sale_post`` between two runs. Compared: the sales, the tier history, the
tier states and the webhooks' payloads, in order."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from sasom.catalog import price_tables
from sasom.catalog.models import Product
from sasom.checkout.batch import sales_commit_batch
from sasom.checkout.services import sale_commit
from sasom.earning import engine
from sasom.earning.selectors import ruleset_forget
from sasom.earning.services import rule_create
from sasom.integrations.models import WebhookDelivery, WebhookEndpoint
from sasom.integrations.webhooks import forget_endpoints
from sasom.ledger.models import Sale
from sasom.ledger.services import sale_return
from sasom.ledger.services.bulk import BulkSale
from sasom.testing.factories import MemberFactory
from sasom.tiers.models import MemberTier, TierChange
from sasom.tiers.services import TierIn

from .conftest import at

pytestmark = pytest.mark.django_db(transaction=False)

# Gold takes 5 % off and earns a Gold-only bonus: a sale after an upgrade in the chunk differs
TIERS = [TierIn("BASIC", "Basic", 500), TierIn("GOLD", "Gold", 1000, discount_percent=Decimal("5")),
         TierIn("PLAT", "Platinum", 2000)]


class _Rollback(Exception):
    pass


def _basket(when, hundreds):
    return engine.Basket(occurred_at=when, lines=(engine.BasketLine(
        line_no=1, sku="ITEM", quantity=Decimal(hundreds), unit_price=Decimal("100.00")),))


@pytest.fixture
def shop(org, branch, terminal, member_type, ladder, actor, settings):
    settings.SALE_BATCH_BACKPOST_DAYS = 4000
    Product.objects.create(organization=org, sku="ITEM", name_th="สินค้า", base_price=Decimal("100.00"))
    price_tables.pricing_settings_save(organization_id=org.pk, actor=actor, data={
        "authority": "sasom", "open_lines": False})
    WebhookEndpoint.objects.create(organization=org, url="http://127.0.0.1:9/hook", secret="s")
    forget_endpoints(org.pk)

    def make(basis):
        ladder(window_months=12, basis=basis, tiers=TIERS)
        rule_create(organization_id=org.pk, actor=actor, code="GOLDX", name="Gold +50", kind="threshold",
                    tiers=["GOLD"], params={"min_amount": "1", "points": 50})
        ruleset_forget()
        members = {c: MemberFactory(organization=org, member_type=member_type, code=c, phone=f"+668100000{n:02d}")
                   for n, c in enumerate("ABCEF")}
        members["F"].referred_by = members["A"]
        members["F"].save()

        def till(code, n, when, hundreds):
            return sale_commit(organization=org, branch=branch, terminal=terminal, receipt_id=f"T-{code}-{n}",
                               basket=_basket(when, hundreds), member=members[code], actor=actor)

        # the history before the day: A 400, B 300 in February and 600 later on the day itself,
        # C Basic (600 in January) with 200 of it returned
        till("A", 1, at(2026, 1, 20), 4)
        till("B", 1, at(2026, 2, 10), 3)
        till("B", 2, at(2026, 3, 10, 20), 6)
        first = till("C", 1, at(2026, 1, 5), 6).sale
        sale_return(sale=first, lines={1: Decimal("2")}, actor=actor, return_id="RT-C", now=at(2026, 1, 6))
        assert MemberTier.objects.get(member=members["C"]).tier.code == "BASIC"
        return members

    yield make
    forget_endpoints(org.pk)


DOCS = [  # (receipt, member, day, hour, hundreds)
    ("A1", "A", 10, 9, 3), ("C1", "C", 10, 9, 7), ("B1", "B", 10, 11, 2), ("A2", "A", 10, 9, 4),
    ("N1", None, 10, 12, 5), ("E1", "E", 9, 18, 12), ("F1", "F", 10, 13, 2), ("A3", "A", 10, 14, 2),
    ("B2", "B", 10, 8, 3), ("E2", "E", 10, 8, 9), ("A4", "A", 10, 15, 9),
]


def _items(org, branch, terminal):
    from sasom.members.models import Member

    fresh = {m.code: m for m in Member.objects.filter(organization=org).select_related("member_type")}
    return [BulkSale(branch=branch, terminal=terminal, receipt_id=r, member=fresh[m] if m else None,
                     basket=_basket(at(2026, 3, day, hour), n)) for r, m, day, hour, n in DOCS]


def _rows(org):
    receipts = {r for r, *_rest in DOCS}
    sales = {s.pk: s.receipt_id for s in Sale.objects.filter(organization=org)}
    return {
        "sales": {s.receipt_id: (s.net, s.points_earned, s.explanation["context"].get("tier"))
                  for s in Sale.objects.filter(receipt_id__in=receipts)},
        "history": [(c.member.code, c.from_code, c.to_code, c.measure, sales.get(c.sale_id), c.window_from,
                     c.window_to, c.effective_on, c.reason, c.detail)
                    for c in TierChange.objects.filter(organization=org).select_related("member").order_by("id")],
        "states": sorted((s.member.code, s.tier.code if s.tier else None, s.reached_on, s.expires_on)
                         for s in MemberTier.objects.filter(organization=org).select_related("member", "tier")),
        "webhooks": [(d.event_type, {k: v for k, v in d.payload["data"].items() if k not in {"sale_id", "entry_id"}})
                     for d in WebhookDelivery.objects.order_by("id")],
    }


@pytest.mark.parametrize("basis", ["points", "spend"])
def test_a_chunk_moves_tiers_as_the_till_does_one_by_one(org, branch, terminal, shop, actor, basis):
    shop(basis)
    before = WebhookDelivery.objects.count()
    # when the day's documents are posted one by one (rolled back) and as one chunk
    try:
        with transaction.atomic():
            for item in _items(org, branch, terminal):
                sale_commit(organization=org, branch=branch, terminal=terminal, receipt_id=item.receipt_id,
                            basket=item.basket, member=item.member, actor=actor, batch=True)
            one_by_one = _rows(org)
            raise _Rollback
    except _Rollback:
        pass
    with transaction.atomic():
        outcomes = sales_commit_batch(organization=org, items=_items(org, branch, terminal), actor=actor)
    chunk = _rows(org)
    # then the same sales, tier history, states and announcements
    assert [o.error for o in outcomes] == [None] * len(DOCS)
    assert chunk == one_by_one
    # and the chunk did move tiers within itself: A reached Basic, then Gold, and A's sale after
    # that was priced and earned as Gold (5 % off, the Gold bonus)
    moves = [(m, f, t) for m, f, t, *_rest in chunk["history"]]
    assert ("A", "", "BASIC") in moves and ("A", "BASIC", "GOLD") in moves
    assert chunk["sales"]["A3"][0] == Decimal("190.00") and chunk["sales"]["A3"][2] == "GOLD"
    # B's till sale at 20:00 is not in the window of B's sales earlier that day
    assert not any(m == "B" and t == "GOLD" for m, _f, t in moves)
    assert len(chunk["webhooks"]) > before
