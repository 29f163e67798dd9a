"""Tier fixtures: a shop where 1 THB earns 1 point (so a sale's amount is its points), a ladder
Basic 500 / Gold 1,000 / Platinum 2,000, and a till that posts through ``checkout.sale_commit``
(the one-call PostgreSQL writer on PostgreSQL, the ORM writer on SQLite)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from sasom.checkout.services import MemberRef, sale_commit
from sasom.core.audit import Actor
from sasom.earning import engine
from sasom.earning.selectors import ruleset_forget
from sasom.earning.services import rule_create
from sasom.ledger.models import PointAccount
from sasom.ledger.testing import assert_ledger_consistent
from sasom.tiers.services import TierIn, ladder_configure

BKK = zoneinfo.ZoneInfo("Asia/Bangkok")
LADDER = [TierIn("BASIC", "Basic", 500), TierIn("GOLD", "Gold", 1000), TierIn("PLAT", "Platinum", 2000)]


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0, ss: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, ss, tzinfo=BKK)


@pytest.fixture(autouse=True)
def one_baht_one_point(org):
    ruleset_forget()
    rule_create(organization_id=org.pk, actor=Actor.system("setup"), code="BASE", name="1 THB = 1 pt", kind="base",
                params={"per_amount": "1", "points": 1})
    yield
    ruleset_forget()
    for account in PointAccount.objects.all():
        assert_ledger_consistent(account)


@pytest.fixture
def actor() -> Actor:
    return Actor.system("tier-test")


@pytest.fixture
def ladder(org, actor):
    def make(**kw):
        tiers = kw.pop("tiers", LADDER)
        return ladder_configure(organization_id=org.pk, actor=actor, name="Tiers", tiers=tiers, **kw)

    return make


@pytest.fixture
def sell(org, branch, terminal, actor):
    """``sell(member, 600, when=at(...))``: a sale of one line of that many baht."""
    counter = {"n": 0}

    def ring(member, amount, *, when: dt.datetime):
        counter["n"] += 1
        basket = engine.Basket(occurred_at=when, lines=(engine.BasketLine(
            line_no=1, sku="ITEM", quantity=Decimal("1"), unit_price=Decimal(str(amount))),))
        return sale_commit(organization=org, branch=branch, terminal=terminal, receipt_id=f"R{counter['n']:04d}",
                           basket=basket, actor=actor, member_ref=MemberRef(code=member.code))

    return ring
