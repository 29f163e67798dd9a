"""Ledger fixtures: a shop whose rules are "100 THB = 1 point, bills of 2,000 THB or more +10,
a referred member's first purchase +5 for the member and +20 for the referrer" — compiled by the
real earning engine — and helpers that ring up sales the way a POS would."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from sasom.core.audit import Actor
from sasom.earning import engine
from sasom.earning.selectors import ruleset_forget
from sasom.earning.services import rule_create
from sasom.ledger.models import LedgerSettings, PointAccount
from sasom.ledger.services import sale_post
from sasom.ledger.testing import assert_ledger_consistent

BKK = zoneinfo.ZoneInfo("Asia/Bangkok")

SHOP_RULES = [
    {"code": "BASE", "name": "100 THB = 1 pt", "kind": "base", "params": {"per_amount": "100", "points": 1}},
    {"code": "BIG", "name": "Big bill bonus", "kind": "threshold", "priority": 10,
     "params": {"min_amount": "2000", "points": 10}},
    {"code": "REF", "name": "Referral", "kind": "referral", "priority": 5,
     "params": {"member_points": 5, "referrer_points": 20, "min_amount": "0"}},
]


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0, ss: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, ss, tzinfo=BKK)


@pytest.fixture(autouse=True)
def shop_rules(request):
    """Configure the shop's rules through the earning app (the real ``ruleset_for`` + engine)."""
    if "org" not in request.fixturenames:
        yield None
        return
    org = request.getfixturevalue("org")
    ruleset_forget()
    for rule in SHOP_RULES:
        rule_create(organization_id=org.pk, actor=Actor.system("setup"), **rule)
    yield org
    ruleset_forget()


@pytest.fixture(autouse=True)
def _ledger_invariant_after_each_test(request):
    """After every scenario: every account touched keeps balance == entries == lots."""
    names = request.fixturenames
    uses_db = next((n for n in ("transactional_db", "db") if n in names), None)
    if uses_db:
        request.getfixturevalue(uses_db)  # set up first, so torn down after this check
    yield
    if uses_db:
        for account in PointAccount.objects.all():
            assert_ledger_consistent(account)


@pytest.fixture
def actor() -> Actor:
    return Actor.system("pos-test")


@pytest.fixture
def policy(org):
    def set_policy(**kwargs) -> LedgerSettings:
        obj, _ = LedgerSettings.objects.update_or_create(organization=org, defaults=kwargs)
        return obj

    return set_policy


def basket(amount: str | Decimal | None = None, *, when: dt.datetime, lines=None, **kw) -> engine.Basket:
    if lines is None:
        lines = [engine.BasketLine(line_no=1, sku="TOTAL", quantity=Decimal("1"), unit_price=Decimal(amount))]
    return engine.Basket(occurred_at=when, lines=tuple(lines), **kw)


def line(no: int, sku: str, qty, price, discount="0", category="") -> engine.BasketLine:
    return engine.BasketLine(
        line_no=no, sku=sku, quantity=Decimal(str(qty)), unit_price=Decimal(str(price)),
        discount=Decimal(str(discount)), category=category,
    )


@pytest.fixture
def sell(org, branch, terminal, actor):
    """``sell(member, "450.00", receipt="R1", when=at(...))`` → SalePostResult."""
    counter = {"n": 0}

    def ring(member, amount=None, *, receipt=None, when=None, lines=None, points_used=0, now=None, **kw):
        counter["n"] += 1
        when = when or at(2026, 3, 1)
        return sale_post(
            organization=org, branch=branch, terminal=terminal, receipt_id=receipt or f"R{counter['n']:04d}",
            basket=basket(amount, when=when, lines=lines, **kw), member=member, actor=actor,
            points_used=points_used, now=now or when,
        )

    return ring
