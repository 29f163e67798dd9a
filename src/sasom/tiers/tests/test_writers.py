"""The three writers of a sale (ORM, the PostgreSQL one-call function, the bulk writer of day-end
batches) move tiers alike: the same sales give the same tier, history and measures."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from sasom.earning import engine
from sasom.ledger.services import sale_post
from sasom.ledger.services.bulk import BulkSale, sales_post_bulk
from sasom.ledger.services.fastpost import member_with_account, sale_post_fast
from sasom.testing.factories import MemberFactory
from sasom.tiers.models import MemberTier, TierChange

from .conftest import at

pytestmark = pytest.mark.django_db(transaction=False)

AMOUNTS = [(at(2026, 1, 5), 300), (at(2026, 1, 6), 300), (at(2026, 2, 1), 500), (at(2026, 3, 1), 1200)]


def _basket(when, amount):
    return engine.Basket(occurred_at=when, lines=(engine.BasketLine(
        line_no=1, sku="ITEM", quantity=Decimal("1"), unit_price=Decimal(amount)),))


def _history(member):
    return [(c.from_code, c.to_code, c.measure, c.sale_id is not None)
            for c in TierChange.objects.filter(member=member).order_by("changed_at", "id")]


def test_every_writer_moves_the_tier_alike(ladder, org, branch, terminal, member_type, actor):
    ladder(window_months=12)
    writers = ["orm", "bulk"] + (["fast"] if connection.vendor == "postgresql" else [])
    members = {w: MemberFactory(organization=org, member_type=member_type, code=f"W-{w}", phone=f"+6681000000{i}")
               for i, w in enumerate(writers)}
    for n, (when, amount) in enumerate(AMOUNTS):
        receipt = f"R{n}"
        sale_post(organization=org, branch=branch, terminal=terminal, receipt_id=f"{receipt}-orm",
                  basket=_basket(when, amount), member=members["orm"], actor=actor, now=when)
        if "fast" in writers:
            fresh, account = member_with_account(org.pk, code=members["fast"].code)  # as the till reads it
            assert sale_post_fast(organization=org, branch=branch, terminal=terminal, receipt_id=f"{receipt}-fast",
                                  basket=_basket(when, amount), member=fresh, account=account, actor=actor,
                                  now=when) is not None
    sales_post_bulk(organization=org, actor=actor, items=[
        BulkSale(branch=branch, terminal=terminal, receipt_id=f"R{n}-bulk", basket=_basket(when, amount),
                 member=members["bulk"]) for n, (when, amount) in enumerate(AMOUNTS)])
    expected = [("", "BASIC", 600, True), ("BASIC", "GOLD", 1100, True), ("GOLD", "PLAT", 2300, True)]
    for writer, member in members.items():
        assert _history(member) == expected, writer
        assert MemberTier.objects.get(member=member).tier.code == "PLAT", writer


def test_a_return_counts_against_the_window_on_every_path(ladder, sell, member, actor):
    from sasom.ledger.services import sale_return
    from sasom.ledger.tier_card import tier_card

    # given a member at Basic with 900 points, 300 of them returned
    ladder(window_months=12)
    first = sell(member, 900, when=at(2026, 1, 5)).sale
    sale_return(sale=first, lines={1: Decimal("1") / 3}, actor=actor, return_id="RT-1", now=at(2026, 1, 6))
    # when the member earns 300 more (the one-call writer on PostgreSQL counts the window itself)
    sell(member, 300, when=at(2026, 1, 7))
    # then 900 - 300 + 300 = 900: still Basic, 100 short of Gold
    assert MemberTier.objects.get(member=member).tier.code == "BASIC"
    card = tier_card(organization_id=member.organization_id, member_id=member.pk, now=at(2026, 1, 8))
    assert (card.measure, card.missing) == (900, 100)
